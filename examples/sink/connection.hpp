// One SMTP/LMTP connection: the smtpp host loop. Bytes from the stream go through the
// line reader (or, while the session's phase is `data` / `chunk`, the body decoders) into
// the session; the session's step_result says what to write and what to do next
// (`step_result::act`), and the connection does it: answer a question (sender, recipient,
// credentials), run a body decoder, deliver, start TLS, close. What the session already
// knows (its phase, whether a line was a SASL response) is read from it, never mirrored.
//
// The connection keeps only transport states of its own (see `transport`), and the times
// its deadlines run from; the event loop (event_loop.hpp) owns the socket's lifetime.
#ifndef SMTPP_SINK_CONNECTION_HPP
#define SMTPP_SINK_CONNECTION_HPP

#include "config.hpp"
#include "maildir.hpp"
#include "tls.hpp"

#include <smtpp/smtpp.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sink {

struct connection;

/// What every connection shares: the options, the session policy, the Maildir, the TLS
/// context, and storage the loop reuses because it feeds one connection at a time.
struct context {
    explicit context(const config& c);

    const config& cfg;
    smtpp::policy pol;
    smtpp::line_options line_opts{};
    smtpp::command cmd{};  // the host's command storage (one loop, one line at a time)
    maildir box;
    tls_context tls;
    char challenge[64] = {};
    std::string sasl_buf;
    std::string scratch;  // the held input being fed again
    /// Listening with durable delivery: a finished message waits for its batch's directory
    /// sync (group commit) before its 250; with --stdio each one is synced at once.
    bool group_commit = false;
    /// Shutting down: a session gets 421 as soon as it is between transactions.
    bool stopping = false;
    /// Messages finished during this batch, waiting for commit_batch() and their 250.
    std::vector<connection*> syncing;
};

/// The transport's own states: what the stream is doing besides carrying the session.
enum class transport : std::uint8_t {
    open,           ///< bytes flow; what they are is the session's phase
    tls_flush,      ///< the 220 to STARTTLS is queued: the handshake starts once it is written
    tls_handshake,  ///< the TLS handshake is in progress
    syncing,        ///< a message is written: its 250 waits for the batch's directory sync
    closing,        ///< write what is queued, then close
};

/// The SASL mechanism's own progress (PLAIN, RFC 4616; LOGIN): the session knows an
/// exchange is running, not which step of a mechanism it is at.
enum class sasl_step : std::uint8_t { none, plain, login_user, login_pass };

/// No reading while more than this much output is unsent (bounded memory per connection).
inline constexpr std::size_t out_high = 64 * 1024;

/// Seconds on the monotonic clock.
std::uint64_t now_seconds();

struct connection {
    connection(context& ctx, int in_fd, int out_fd);

    // ---- the host loop ------------------------------------------------------------------
    void greet();                                // the session's greeting (220, or 421 if the policy is bad)
    bool service();                              // handshake, write, read and feed; false: the connection is over
    void read_some();                            // read and feed while the output is below out_high
    long read_and_feed();                        // one read: > 0 fed, 0 EOF, -1 nothing now, -2 error
    void feed_held();                            // the input kept back while the output was backed up
    bool flush();                                // write what is queued; false: a fatal write error
    bool begin_tls();                            // the 220 to STARTTLS is out: TLS over the socket (false: cannot)
    int handshake();                             // 1 TLS is up (the session is told), 0 again, -1 failed
    void delivery_synced();                      // commit_batch() is done: the 250 (or 451) goes out
    void timeout();                              // 421 4.4.2 and closing (RFC 5321 §4.5.3.2)
    void shut_down();                            // 421 and closing (the server is stopping, RFC 5321 §3.8)
    void abort() { ctx_.box.abort(msg); }        // drop a message in progress
    message& finished_message() { return msg; }  // while syncing: the one commit_batch() takes

    [[nodiscard]] bool between_transactions() const;
    [[nodiscard]] bool wants_read() const;
    [[nodiscard]] bool wants_write() const;
    /// The earliest time the session must end (idle, command, data block, body, transaction).
    [[nodiscard]] std::uint64_t deadline() const;

    // ---- the stream -----------------------------------------------------------------------
    stream io;
    transport state = transport::open;
    std::string out;   // replies not yet written
    std::string held;  // input read but not yet fed: the output was backed up (see out_high)

    // ---- the event loop's bookkeeping ---------------------------------------------------------
    connection* prev = nullptr;  // idle list (least recently active first)
    connection* next = nullptr;
    std::uint64_t last_active = 0;
    std::uint32_t events = 0;  // epoll interest registered
    bool dead = false;         // closed: freed once the current epoll batch is over
    std::string peer;          // the client's address bytes (only with --max-per-ip)

private:
    void feed(std::string_view in);
    bool feed_line(std::string_view& in);
    bool feed_data(std::string_view& in);
    bool feed_chunk(std::string_view& in);
    void drive(smtpp::step_result r, std::string_view& in);
    bool act(smtpp::step_result& r, std::string_view& in);
    void settle(std::string_view& in);
    smtpp::step_result accept_sender();
    smtpp::step_result accept_recipient();
    smtpp::step_result sasl(const smtpp::step_result& r);
    smtpp::verdict check_plain();
    void start_data();
    void start_chunk(const smtpp::step_result& r);
    bool deliver(smtpp::step_result& r);
    void begin_message() { ctx_.box.begin(msg, return_path, rcpts); }
    void close_with(const smtpp::step_result& r);
    bool input_pending(std::string_view rest);
    void count_block(std::size_t n);

    context& ctx_;
    smtpp::session_state st{};
    std::unique_ptr<char[]> line_buf;
    smtpp::basic_line_reader rd;
    smtpp::data_decoder dd{};
    smtpp::bdat_decoder bd{};
    smtpp::bdat_decoder bd_drop{};  // a refused chunk's octets, dropped
    sasl_step sasl_at = sasl_step::none;
    std::string login_user;
    // Deadlines (seconds on the monotonic clock; 0: not running).
    std::uint64_t cmd_start = 0;    // the command line being read began
    std::uint64_t block_start = 0;  // the current data block began
    std::uint64_t block_bytes = 0;  // body octets of the current data block
    std::uint64_t body_start = 0;   // 354 / first BDAT of the transaction
    std::uint64_t txn_start = 0;    // MAIL FROM
    // The transaction.
    std::string return_path;
    std::vector<std::string> rcpts;
    message msg;
};

}  // namespace sink

#endif
