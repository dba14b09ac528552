// The server around the connections: one Linux epoll loop over non-blocking sockets (or
// one session on stdin/stdout with --stdio), the listener and its caps (--max-connections,
// --max-per-ip), the deadlines (checked once a second), the signals (SIGTERM, SIGINT,
// SIGHUP: a graceful stop) and the group commit of the deliveries of each epoll batch.
//
// Lifetimes: a signal only sets a flag, applied between epoll batches; a connection closed
// during a batch is freed only after it (reap), so no event can reach a freed connection
// whatever the order of signals and events.
#ifndef SMTPP_SINK_EVENT_LOOP_HPP
#define SMTPP_SINK_EVENT_LOOP_HPP

#include "config.hpp"
#include "connection.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

struct sockaddr_storage;

namespace sink {

class server {
public:
    explicit server(const config& cfg) : cfg_(cfg), ctx_(cfg) {}
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// The policy checked, the Maildir and TLS ready, the signals routed to a signalfd.
    int setup();
    /// Listens on --listen and serves until a signal and the end of the grace period.
    int run_listener();
    /// One session on stdin/stdout (inetd style).
    int run_stdio();

private:
    bool open_listener();
    int loop();
    void on_event(connection* c);
    void update_interest(connection& c);
    void accept_all();
    bool admit(const sockaddr_storage& sa, std::string& peer);
    void add_connection(int fd, std::string peer);
    void set_accepting(bool on);
    void destroy(connection* c);
    void reap();
    void touch(connection& c);
    void list_remove(connection& c);
    void sync_deliveries();
    void expire(std::uint64_t now);
    void begin_shutdown();
    bool flush_stdio(connection& c);
    bool wait_stdio(connection& c);

    const config& cfg_;
    context ctx_;
    int epfd_ = -1, lfd_ = -1, sigfd_ = -1;
    bool accepting_ = true;       // the listen socket is watched (paused when out of descriptors)
    connection* head_ = nullptr;  // idle list
    connection* tail_ = nullptr;
    std::size_t conns_ = 0;
    std::size_t max_conns_ = 0;
    std::vector<connection*> graveyard_;  // destroyed during this batch, freed after it
    std::vector<connection*> sync_batch_;
    std::vector<message*> sync_messages_;
    std::unordered_map<std::string, std::size_t> per_ip_;  // --max-per-ip: address -> sessions
    std::uint64_t last_scan_ = 0;
    bool stop_requested_ = false;
    std::uint64_t stop_deadline_ = 0;
};

}  // namespace sink

#endif
