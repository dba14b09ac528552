// The epoll loop: listener, connection caps, deadlines, signals, shutdown; and --stdio.
#include "event_loop.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <utility>

namespace sink {

namespace {

void print_listening(int fd) {
    sockaddr_storage sa{};
    socklen_t sl = sizeof sa;
    getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &sl);
    char abuf[INET6_ADDRSTRLEN] = {};
    if (sa.ss_family == AF_INET6) {
        const auto* s6 = reinterpret_cast<const sockaddr_in6*>(&sa);
        inet_ntop(AF_INET6, &s6->sin6_addr, abuf, sizeof abuf);
        std::printf("listening on [%s]:%u\n", abuf, static_cast<unsigned>(ntohs(s6->sin6_port)));
    } else {
        const auto* s4 = reinterpret_cast<const sockaddr_in*>(&sa);
        inet_ntop(AF_INET, &s4->sin_addr, abuf, sizeof abuf);
        std::printf("listening on %s:%u\n", abuf, static_cast<unsigned>(ntohs(s4->sin_port)));
    }
    std::fflush(stdout);
}

// --max-connections by default: a session needs a socket and, in a transaction, a tmp/
// file; a few descriptors stay for the process (stdio, epoll, signalfd, listener, new/).
// The descriptor limit is first raised to the hard limit (thousands of connections).
std::uint64_t default_max_connections() {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    const std::uint64_t nofile = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? rl.rlim_cur
                                                                                                    : 1024;
    return nofile > 16 + 2 ? (nofile - 16) / 2 : 1;
}

// Milliseconds to the connection's deadline (--stdio waits in poll()).
int wait_ms(const connection& c) {
    const std::uint64_t now = now_seconds(), d = c.deadline();
    return d <= now ? 0 : static_cast<int>(d - now) * 1000;
}

}  // namespace

server::~server() {
    if (epfd_ >= 0) close(epfd_);
    if (sigfd_ >= 0) close(sigfd_);
}

int server::setup() {
    if (ctx_.pol.error() != smtpp::policy_error::none) {
        const std::string_view why = smtpp::to_string(ctx_.pol.error());
        bad_usage("bad value for --hostname: '" + cfg_.hostname + "' (" + std::string(why) + ")");
    }
    ctx_.box.open();
    if (!cfg_.tls_cert.empty()) ctx_.tls.load(cfg_.tls_cert, cfg_.tls_key);
    // SIGTERM/SIGINT/SIGHUP through a signalfd (all three: graceful stop); SIGPIPE off.
    signal(SIGPIPE, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, nullptr);
    sigfd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sigfd_ < 0) {
        std::perror("smtpp-sink: signalfd");
        return 1;
    }
    return 0;
}

// ---- listening ---------------------------------------------------------------------------

bool server::open_listener() {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
    addrinfo* res = nullptr;
    if (getaddrinfo(cfg_.listen_host.c_str(), cfg_.listen_port.c_str(), &hints, &res) != 0 || res == nullptr)
        bad_usage("bad value for --listen: '" + cfg_.listen + "' (not a numeric address)");
    lfd_ = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int one = 1;
    setsockopt(lfd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (lfd_ < 0 || bind(lfd_, res->ai_addr, res->ai_addrlen) != 0 || listen(lfd_, 4096) != 0) {
        std::fprintf(stderr, "smtpp-sink: cannot listen on %s: %s\n", cfg_.listen.c_str(), std::strerror(errno));
        freeaddrinfo(res);
        return false;
    }
    freeaddrinfo(res);
    return true;
}

int server::run_listener() {
    if (!open_listener()) return 1;
    max_conns_ = cfg_.max_connections != 0 ? cfg_.max_connections : default_max_connections();
    print_listening(lfd_);
    // Durable delivery: the messages of one batch share the directory sync.
    ctx_.group_commit = !cfg_.discard && !cfg_.no_fsync;

    epfd_ = epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = &lfd_;
    epoll_ctl(epfd_, EPOLL_CTL_ADD, lfd_, &ev);
    ev.data.ptr = &sigfd_;
    epoll_ctl(epfd_, EPOLL_CTL_ADD, sigfd_, &ev);
    return loop();
}

int server::loop() {
    std::vector<epoll_event> events(256);
    for (;;) {
        if (ctx_.stopping && conns_ == 0) break;
        const int n = epoll_wait(epfd_, events.data(), static_cast<int>(events.size()), 1000);
        if (n < 0 && errno != EINTR) {
            std::perror("smtpp-sink: epoll_wait");
            return 1;
        }
        if (n == 0 && !ctx_.stopping) set_accepting(true);  // retry a paused accept once a second
        // Every event of the batch first; a signal only sets a flag. Sessions destroyed
        // in the batch stay allocated (dead) until reap(), so no later event of the same
        // batch can reach freed memory whatever the order of events and signals.
        for (int i = 0; i < n; ++i) {
            void* p = events[static_cast<std::size_t>(i)].data.ptr;
            if (p == &lfd_) {
                if (lfd_ >= 0) accept_all();
            } else if (p == &sigfd_) {
                signalfd_siginfo si{};
                while (read(sigfd_, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
                }
                stop_requested_ = true;
            } else {
                on_event(static_cast<connection*>(p));
            }
        }
        sync_deliveries();
        if (stop_requested_ && !ctx_.stopping) begin_shutdown();
        const std::uint64_t now = now_seconds();
        if (now != last_scan_) {  // deadlines, once a second
            last_scan_ = now;
            expire(now);
        }
        if (ctx_.stopping && now >= stop_deadline_) {
            while (head_ != nullptr) destroy(head_);  // abort: tmp files are unlinked
        }
        reap();
    }
    reap();
    return 0;
}

void server::set_accepting(bool on) {
    if (lfd_ < 0 || accepting_ == on) return;
    epoll_event ev{};
    ev.events = on ? EPOLLIN : 0u;
    ev.data.ptr = &lfd_;
    epoll_ctl(epfd_, EPOLL_CTL_MOD, lfd_, &ev);
    accepting_ = on;
}

void server::accept_all() {
    for (;;) {
        sockaddr_storage sa{};
        socklen_t sl = sizeof sa;
        const int fd = accept4(lfd_, reinterpret_cast<sockaddr*>(&sa), &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            // Out of descriptors or memory: the listen socket stays readable, so stop
            // watching it (a level-triggered loop would spin) until a connection closes
            // or the next one-second tick.
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) set_accepting(false);
            return;  // EAGAIN: nothing more to accept
        }
        std::string peer;
        if (!admit(sa, peer)) {
            // RFC 5321 §4.2.2: 421 and close, rendered by the policy with our host name.
            const std::string_view busy = smtpp::refuse(ctx_.pol).reply;
            const ssize_t w = write(fd, busy.data(), busy.size());  // a fresh socket: room
            (void)w;
            close(fd);
            continue;
        }
        add_connection(fd, std::move(peer));
    }
}

// --max-connections / --max-per-ip: beyond them 421 4.7.0 and close at once (RFC 5321
// §3.8: a server may refuse a connection with 421 in place of its greeting). `peer`: the
// client's address bytes, when counted per address.
bool server::admit(const sockaddr_storage& sa, std::string& peer) {
    std::size_t same_peer = 0;
    if (cfg_.max_per_ip != 0) {
        if (sa.ss_family == AF_INET6)
            peer.assign(reinterpret_cast<const char*>(&reinterpret_cast<const sockaddr_in6*>(&sa)->sin6_addr), 16);
        else if (sa.ss_family == AF_INET)
            peer.assign(reinterpret_cast<const char*>(&reinterpret_cast<const sockaddr_in*>(&sa)->sin_addr), 4);
        const auto it = per_ip_.find(peer);
        if (it != per_ip_.end()) same_peer = it->second;
    }
    return conns_ < max_conns_ && (cfg_.max_per_ip == 0 || same_peer < cfg_.max_per_ip);
}

void server::add_connection(int fd, std::string peer) {
    if (!peer.empty()) ++per_ip_[peer];
    connection* c = new connection(ctx_, fd, fd);
    c->peer = std::move(peer);
    ++conns_;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = c;
    c->events = EPOLLIN;
    if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
        destroy(c);  // not in epoll: the DEL fails harmlessly
        return;
    }
    touch(*c);
    c->greet();
    if (!c->flush() || (c->state == transport::closing && c->out.empty())) {
        destroy(c);
        return;
    }
    update_interest(*c);
}

// ---- connections ---------------------------------------------------------------------------

void server::on_event(connection* c) {
    if (c->dead) return;  // destroyed earlier in this batch
    touch(*c);
    if (!c->service()) {
        destroy(c);
        return;
    }
    update_interest(*c);
}

void server::update_interest(connection& c) {
    std::uint32_t want = 0;
    if (c.wants_read()) want |= EPOLLIN;
    if (c.wants_write()) want |= EPOLLOUT;
    if (want == c.events) return;
    epoll_event ev{};
    ev.events = want;
    ev.data.ptr = &c;
    epoll_ctl(epfd_, EPOLL_CTL_MOD, c.io.in_fd(), &ev);
    c.events = want;
}

void server::touch(connection& c) {
    c.last_active = now_seconds();
    if (tail_ == &c) return;
    list_remove(c);
    c.prev = tail_;
    c.next = nullptr;
    if (tail_ != nullptr) tail_->next = &c;
    tail_ = &c;
    if (head_ == nullptr) head_ = &c;
}

void server::list_remove(connection& c) {
    if (c.prev != nullptr) c.prev->next = c.next;
    else if (head_ == &c) head_ = c.next;
    if (c.next != nullptr) c.next->prev = c.prev;
    else if (tail_ == &c) tail_ = c.prev;
    c.prev = c.next = nullptr;
}

// Closes a session at once but frees it only in reap(), after the epoll batch: a later
// event of the same batch may still name it (it then sees c->dead and is skipped).
void server::destroy(connection* c) {
    if (c->dead) return;
    c->dead = true;
    c->abort();
    c->held.clear();
    list_remove(*c);
    c->io.end_tls();
    if (epfd_ >= 0) epoll_ctl(epfd_, EPOLL_CTL_DEL, c->io.in_fd(), nullptr);
    close(c->io.in_fd());
    --conns_;
    if (!c->peer.empty()) {
        const auto it = per_ip_.find(c->peer);
        if (it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);
    }
    graveyard_.push_back(c);
    if (!ctx_.stopping) set_accepting(true);  // a descriptor is free again
}

void server::reap() {
    for (connection* c : graveyard_) delete c;
    graveyard_.clear();
}

// Group commit: one fsync of new/ makes every rename of the batch durable; only then do
// their sessions get the 250 (or, if the sync failed, 451 4.3.0 and the file is removed).
void server::sync_deliveries() {
    while (!ctx_.syncing.empty()) {
        sync_batch_.swap(ctx_.syncing);  // resumed sessions may deliver again: the next round
        sync_messages_.clear();
        for (connection* c : sync_batch_)
            if (!c->dead) sync_messages_.push_back(&c->finished_message());
        ctx_.box.commit_batch(sync_messages_);
        for (connection* c : sync_batch_) {
            if (c->dead) continue;
            c->delivery_synced();
            on_event(c);  // the held input, the socket, the replies
        }
        sync_batch_.clear();
    }
}

// ---- deadlines and shutdown ------------------------------------------------------------------

void server::expire(std::uint64_t now) {
    for (connection* c = head_; c != nullptr;) {
        connection* nx = c->next;
        if (now >= c->deadline()) {
            if (c->state != transport::closing && c->state != transport::tls_handshake) {
                c->timeout();  // 421 4.4.2
                c->flush();
            }
            destroy(c);
        }
        c = nx;
    }
}

void server::begin_shutdown() {
    ctx_.stopping = true;
    stop_deadline_ = now_seconds() + 10;  // grace for transactions in flight
    if (lfd_ >= 0) {
        epoll_ctl(epfd_, EPOLL_CTL_DEL, lfd_, nullptr);
        close(lfd_);
        lfd_ = -1;
    }
    // Sessions between transactions are told now; the others when their transaction ends.
    for (connection* c = head_; c != nullptr;) {
        connection* nx = c->next;
        if (c->between_transactions()) {
            c->shut_down();
            if (!c->flush() || c->out.empty()) destroy(c);
            else update_interest(*c);
        }
        c = nx;
    }
}

// ---- --stdio: one session on stdin/stdout, blocking waits in poll() ------------------------

bool server::flush_stdio(connection& c) {
    while (!c.out.empty()) {
        if (!c.flush()) return false;
        if (!c.out.empty()) {
            pollfd pw{c.io.out_fd(), POLLOUT, 0};
            poll(&pw, 1, static_cast<int>(cfg_.timeout) * 1000);
        }
    }
    return true;
}

// Waits for input (or a signal, or the deadline); false: go round again (the session was
// told 421, or the wait was interrupted).
bool server::wait_stdio(connection& c) {
    if (c.io.buffered()) return true;
    pollfd pf[2] = {{c.io.in_fd(), POLLIN, 0}, {sigfd_, POLLIN, 0}};
    const int pr = poll(pf, 2, wait_ms(c));
    if (pr < 0 && errno == EINTR) return false;
    if (pr == 0 || now_seconds() >= c.deadline()) {
        c.timeout();
        return false;
    }
    if ((pf[1].revents & POLLIN) != 0) {
        c.shut_down();
        return false;
    }
    return true;
}

int server::run_stdio() {
    connection c(ctx_, 0, 1);
    c.greet();
    for (;;) {
        if (!flush_stdio(c) || c.state == transport::closing) break;
        if (c.state == transport::tls_flush && !c.begin_tls()) break;
        if (c.state == transport::tls_handshake) {
            pollfd pf{c.io.in_fd(), POLLIN, 0};
            const int h = c.handshake();
            if (h < 0 || (h == 0 && poll(&pf, 1, wait_ms(c)) <= 0)) break;
            continue;
        }
        if (!c.held.empty()) {  // the output drained: the rest of the last read
            c.feed_held();
            continue;
        }
        if (!wait_stdio(c)) continue;
        const long n = c.read_and_feed();
        if (n == -1) continue;
        if (n <= 0) break;
        c.last_active = now_seconds();
    }
    c.abort();
    return 0;
}

}  // namespace sink
