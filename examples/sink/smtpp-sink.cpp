// smtpp-sink: an SMTP/LMTP server that stores what it receives into a Maildir (or drops
// it with --discard), built only on smtpp's public API.
//
//   - one process, one Linux epoll loop, non-blocking sockets; per connection: smtpp's
//     line reader (a buffer of line_limit() bytes), the session state, the body decoders,
//     an output buffer, the envelope of the transaction in progress;
//   - Maildir delivery: tmp/, fsync of the file, rename into new/, fsync of new/, and only
//     then the 250 (a message exists whole or not, and an acknowledged one survives a
//     power loss); the renames of one epoll batch share one fsync of new/ (group commit);
//     any failure gives 451 4.3.0 and removes the file; --no-fsync for benchmarks only;
//   - STARTTLS (OpenSSL, when built with it and given --tls-cert/--tls-key), AUTH PLAIN
//     and LOGIN against --auth pairs, LMTP (--lmtp), inetd style (--stdio);
//   - bounded memory per connection: no reading while 64 KiB of replies are unsent;
//   - deadlines (RFC 5321 §4.5.3.2): idle (--timeout), per command, per data block, whole
//     body, whole transaction; a client too slow for one gets 421 4.4.2;
//   - --max-connections (default: half the descriptor limit) and --max-per-ip: 421 4.7.0;
//   - SIGTERM/SIGINT/SIGHUP: stop accepting, close idle sessions, let sessions in a
//     transaction finish for a short grace period, abort the rest (their tmp files are
//     unlinked). A signal is applied between epoll batches, and a session closed during a
//     batch is freed only after it, so no event can reach a freed session.
//
// The session decides every reply, the 421s of an idle timeout (RFC 5321 §4.5.3.2.7) and
// of a shutdown (§3.8) included; the host only moves bytes, stores messages and answers
// the session's questions.
#include <smtpp/smtpp.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#if defined(SMTPP_SINK_TLS)
#include <openssl/err.h>
#include <openssl/ssl.h>
#endif

namespace {

// =========================================================================================
// Configuration (the command line)
// =========================================================================================

struct config {
    std::string listen = "127.0.0.1:2525";
    bool stdio = false;
    std::string maildir = "./maildir";
    std::string hostname;
    std::uint64_t max_size = 10u * 1024u * 1024u;
    std::uint16_t max_recipients = 100;
    std::uint8_t max_errors = 20;
    std::vector<std::pair<std::string, std::string>> auth;
    bool auth_required = false;
    std::string tls_cert, tls_key;
    bool tls_required = false;
    bool lmtp = false;
    bool no_pipelining = false, no_chunking = false, no_smtputf8 = false;
    bool bare_lf_normalize = false;
    bool unknown_param_504 = false;
    unsigned timeout = 300;  // RFC 5321 §4.5.3.2.7: server timeout 5 minutes (idle: reset by every read)
    // Deadlines that progress, not activity, must meet (RFC 5321 §4.5.3.2): a client that
    // drips one byte at a time keeps the idle timer quiet but not these.
    unsigned command_timeout = 300;      // a whole command line (§4.5.3.2.7: 5 minutes)
    unsigned data_timeout = 180;         // every data block of the body (§4.5.3.2.5: 3 minutes)
    unsigned dot_timeout = 600;          // the whole body, 354/first BDAT to the end (§4.5.3.2.6: 10 minutes)
    unsigned transaction_timeout = 1800; // MAIL to the final reply of the transaction
    std::uint64_t max_connections = 0;   // 0: derived from RLIMIT_NOFILE at start
    std::uint64_t max_per_ip = 0;        // 0: no limit per client address
    bool discard = false;
    bool no_fsync = false;               // benchmarks only: a 250 no longer means "on disk"
};

const char* const usage_text =
    "usage: smtpp-sink [--listen ADDR:PORT] [--stdio] [--maildir DIR] [--hostname NAME]\n"
    "                  [--max-size BYTES] [--max-recipients N] [--max-errors N]\n"
    "                  [--auth USER:PASS]... [--auth-required] [--tls-cert F --tls-key F] [--tls-required]\n"
    "                  [--lmtp] [--no-pipelining] [--no-chunking] [--no-smtputf8]\n"
    "                  [--bare-lf reject|normalize] [--unknown-param 555|504] [--timeout SECONDS]\n"
    "                  [--command-timeout S] [--data-timeout S] [--dot-timeout S] [--transaction-timeout S]\n"
    "                  [--max-connections N] [--max-per-ip N] [--discard] [--no-fsync]\n";

[[noreturn]] void bad_usage(const std::string& msg) {
    std::fprintf(stderr, "smtpp-sink: %s\n", msg.c_str());
    std::exit(2);
}

bool parse_uint(const char* s, std::uint64_t max, std::uint64_t& out) {
    if (*s == '\0') return false;
    std::uint64_t v = 0;
    for (; *s != '\0'; ++s) {
        if (*s < '0' || *s > '9') return false;
        const auto d = static_cast<std::uint64_t>(*s - '0');
        if (v > (max - d) / 10) return false;
        v = v * 10 + d;
    }
    out = v;
    return true;
}

bool split_host_port(const std::string& s, std::string& host, std::string& port) {
    const auto colon = s.rfind(':');
    if (colon == std::string::npos || colon + 1 >= s.size()) return false;
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    return !host.empty();
}

config parse_args(int argc, char** argv) {
    config c;
    std::vector<std::string> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&]() -> const char* {
            if (i + 1 >= args.size()) bad_usage("option " + a + " needs a value");
            return args[++i].c_str();
        };
        auto number = [&](std::uint64_t lo, std::uint64_t hi) -> std::uint64_t {
            const char* v = value();
            std::uint64_t n = 0;
            if (!parse_uint(v, hi, n) || n < lo)
                bad_usage("bad value for " + a + ": '" + v + "' (expected " + std::to_string(lo) + ".." +
                          std::to_string(hi) + ")");
            return n;
        };
        if (a == "--listen") c.listen = value();
        else if (a == "--stdio") c.stdio = true;
        else if (a == "--maildir") c.maildir = value();
        else if (a == "--hostname") c.hostname = value();
        else if (a == "--max-size") c.max_size = number(0, UINT64_MAX);
        else if (a == "--max-recipients") c.max_recipients = static_cast<std::uint16_t>(number(1, 65535));
        else if (a == "--max-errors") c.max_errors = static_cast<std::uint8_t>(number(0, 255));
        else if (a == "--auth") {
            const std::string v = value();
            const auto colon = v.find(':');
            if (colon == std::string::npos || colon == 0) bad_usage("bad value for --auth: expected USER:PASS");
            c.auth.emplace_back(v.substr(0, colon), v.substr(colon + 1));
        } else if (a == "--auth-required") c.auth_required = true;
        else if (a == "--tls-cert") c.tls_cert = value();
        else if (a == "--tls-key") c.tls_key = value();
        else if (a == "--tls-required") c.tls_required = true;
        else if (a == "--lmtp") c.lmtp = true;
        else if (a == "--no-pipelining") c.no_pipelining = true;
        else if (a == "--no-chunking") c.no_chunking = true;
        else if (a == "--no-smtputf8") c.no_smtputf8 = true;
        else if (a == "--bare-lf") {
            const std::string v = value();
            if (v == "reject") c.bare_lf_normalize = false;
            else if (v == "normalize") c.bare_lf_normalize = true;
            else bad_usage("bad value for --bare-lf: '" + v + "' (expected reject or normalize)");
        } else if (a == "--unknown-param") {
            const std::string v = value();
            if (v == "555") c.unknown_param_504 = false;
            else if (v == "504") c.unknown_param_504 = true;
            else bad_usage("bad value for --unknown-param: '" + v + "' (expected 555 or 504)");
        } else if (a == "--timeout") c.timeout = static_cast<unsigned>(number(1, 86400));
        else if (a == "--command-timeout") c.command_timeout = static_cast<unsigned>(number(1, 86400));
        else if (a == "--data-timeout") c.data_timeout = static_cast<unsigned>(number(1, 86400));
        else if (a == "--dot-timeout") c.dot_timeout = static_cast<unsigned>(number(1, 86400));
        else if (a == "--transaction-timeout") c.transaction_timeout = static_cast<unsigned>(number(1, 86400));
        else if (a == "--max-connections") c.max_connections = number(1, 1u << 24);
        else if (a == "--max-per-ip") c.max_per_ip = number(1, 1u << 24);
        else if (a == "--discard") c.discard = true;
        else if (a == "--no-fsync") c.no_fsync = true;
        else if (a == "--help" || a == "-h") {
            std::fputs(usage_text, stdout);
            std::exit(0);
        } else bad_usage("unknown option: " + a);
    }
    {
        std::string host, port;
        std::uint64_t pnum = 0;
        in6_addr a6{};
        if (!split_host_port(c.listen, host, port) || !parse_uint(port.c_str(), 65535, pnum) ||
            (inet_pton(AF_INET, host.c_str(), &a6) != 1 && inet_pton(AF_INET6, host.c_str(), &a6) != 1))
            bad_usage("bad value for --listen: '" + c.listen + "' (expected ADDR:PORT, a numeric address)");
    }
    if (c.tls_cert.empty() != c.tls_key.empty()) bad_usage("--tls-cert and --tls-key go together");
    if (c.tls_required && c.tls_cert.empty()) bad_usage("--tls-required needs --tls-cert and --tls-key");
    if (c.auth_required && c.auth.empty()) bad_usage("--auth-required needs at least one --auth USER:PASS");
#if !defined(SMTPP_SINK_TLS)
    if (!c.tls_cert.empty()) bad_usage("--tls-cert: this smtpp-sink was built without OpenSSL");
#endif
    if (c.hostname.empty()) {
        char h[256] = {};
        if (gethostname(h, sizeof h - 1) != 0 || h[0] == '\0') std::strcpy(h, "localhost");
        c.hostname = h;
    }
    return c;
}

// =========================================================================================
// Small helpers
// =========================================================================================

std::uint64_t now_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec);
}

int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/// RFC 4648 §4 base64 (the session has already checked the alphabet and padding).
bool base64_decode(std::string_view in, std::string& out) {
    out.clear();
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : in) {
        if (c == '=') break;
        const int v = base64_value(c);
        if (v < 0) return false;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFFu));
        }
    }
    return true;
}

bool mkdir_p(const std::string& path) {
    std::string cur;
    std::size_t i = 0;
    while (i <= path.size()) {
        const std::size_t j = path.find('/', i);
        const std::size_t end = j == std::string::npos ? path.size() : j;
        cur = path.substr(0, end);
        if (!cur.empty() && mkdir(cur.c_str(), 0700) != 0 && errno != EEXIST) return false;
        if (j == std::string::npos) break;
        i = j + 1;
    }
    struct stat sb {};
    return stat(path.c_str(), &sb) == 0 && S_ISDIR(sb.st_mode);
}

// =========================================================================================
// The server
// =========================================================================================

enum class mode : std::uint8_t {
    line,       // reading command lines (or SASL responses)
    data,       // DATA body through the data decoder
    bdat,       // BDAT chunk through the bdat decoder
    tls_flush,  // 220 to STARTTLS queued; handshake once it is written
    tls_hand,   // TLS handshake in progress
    syncing,    // message written: fsync, rename and the 250 wait for the end of the batch
    closing,    // write what is queued, then close
};

enum class sasl_state : std::uint8_t { none, plain, login_user, login_pass };

struct conn {
    int ifd = -1;
    int ofd = -1;
#if defined(SMTPP_SINK_TLS)
    SSL* ssl = nullptr;
#endif
    conn* prev = nullptr;  // idle list (least recently active first)
    conn* next = nullptr;
    std::uint64_t last_active = 0;
    std::uint32_t events = 0;  // epoll interest registered
    mode m = mode::line;
    bool bdat_discard = false;
    bool write_failed = false;
    bool shutdown_asked = false;
    bool dead = false;  // destroyed: freed once the current epoll batch is over
    sasl_state sasl = sasl_state::none;
    smtpp::verdict delivered = smtpp::verdict::accept;  // LMTP: the verdict for every recipient
    smtpp::session_state st{};
    std::unique_ptr<char[]> line_buf;
    smtpp::basic_line_reader rd;
    smtpp::data_decoder dd{};
    smtpp::bdat_decoder bd{};
    smtpp::bdat_decoder bd_drop{};
    std::string out;
    std::string held;  // input read but not yet fed: the output was backed up (see out_high)
    std::string peer;  // the client's address bytes (only with --max-per-ip)
    // Deadlines (seconds on the monotonic clock; 0: not running).
    std::uint64_t cmd_start = 0;    // the command line being read began
    std::uint64_t block_start = 0;  // the current data block began
    std::uint64_t block_bytes = 0;  // body octets of the current data block
    std::uint64_t body_start = 0;   // 354 / first BDAT of the transaction
    std::uint64_t txn_start = 0;    // MAIL FROM
    std::string return_path;
    std::vector<std::string> rcpts;
    std::string login_user;
    int tmp_fd = -1;
    std::string tmp_name;

    conn(std::size_t line_cap, smtpp::line_options lo)
        : line_buf(new char[line_cap]), rd(line_buf.get(), line_cap, lo) {}
};

class server {
public:
    explicit server(const config& cfg) : cfg_(cfg), pol_(make_options(cfg)) {
        stage_.reserve(stage_cap);
        line_opts_.max_line = smtpp::line_limit(pol_);
    }

    ~server() {
#if defined(SMTPP_SINK_TLS)
        if (tls_ != nullptr) SSL_CTX_free(tls_);
#endif
        if (epfd_ >= 0) close(epfd_);
        if (sigfd_ >= 0) close(sigfd_);
        if (new_dir_fd_ >= 0) close(new_dir_fd_);
    }
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    int setup();
    int run_listener();
    int run_stdio();

private:
    static smtpp::policy_options make_options(const config& cfg) {
        smtpp::policy_options o;
        o.hostname = cfg.hostname;
        o.extensions = smtpp::ext_pipelining | smtpp::ext_size | smtpp::ext_8bitmime | smtpp::ext_smtputf8 |
                       smtpp::ext_enhancedstatuscodes | smtpp::ext_chunking | smtpp::ext_binarymime;
        if (cfg.no_pipelining) o.extensions &= ~std::uint32_t{smtpp::ext_pipelining};
        if (cfg.no_chunking) o.extensions &= ~std::uint32_t{smtpp::ext_chunking | smtpp::ext_binarymime};
        if (cfg.no_smtputf8) o.extensions &= ~std::uint32_t{smtpp::ext_smtputf8};
        if (!cfg.tls_cert.empty()) o.extensions |= smtpp::ext_starttls;
        if (!cfg.auth.empty()) {
            o.extensions |= smtpp::ext_auth;
            o.auth_mechanisms = smtpp::mechanism_bit(smtpp::sasl_mechanism::plain) |
                                smtpp::mechanism_bit(smtpp::sasl_mechanism::login);
        }
        o.max_message_size = cfg.max_size;
        o.max_recipients = cfg.max_recipients;
        o.max_errors = cfg.max_errors;
        o.lmtp = cfg.lmtp;
        o.require_auth = cfg.auth_required;
        o.require_tls = cfg.tls_required;
        o.unknown_param_504 = cfg.unknown_param_504;
        o.verify_senders = true;
        o.verify_recipients = true;
        o.bare_newline = cfg.bare_lf_normalize ? smtpp::bare_newline_policy::normalize
                                               : smtpp::bare_newline_policy::reject;
        return o;
    }

    // ---- the session driver -------------------------------------------------------------
    void feed(conn& c, std::string_view in);
    void drive(conn& c, smtpp::step_result r, std::string_view& in);
    smtpp::step_result sasl_step(conn& c, const smtpp::step_result& r);
    bool input_pending(conn& c, std::string_view rest);
    bool between_transactions(const conn& c) const {
        return c.m == mode::line && c.tmp_fd < 0 &&
               (c.st.phase == smtpp::phase::fresh || c.st.phase == smtpp::phase::ready);
    }
    void say_close(conn& c, const smtpp::step_result& r);

    // ---- Maildir ------------------------------------------------------------------------
    void begin_message(conn& c);
    void store(conn& c, std::string_view bytes);
    void flush_stage(conn& c);
    smtpp::verdict commit(conn& c, bool group);
    smtpp::verdict finish_file(conn& c);
    void sync_deliveries();
    void abort_message(conn& c);

    // ---- I/O ----------------------------------------------------------------------------
    long io_read(conn& c, char* buf, std::size_t cap);  // >0 bytes, 0 EOF, -1 again, -2 error
    bool flush_out(conn& c);                              // false: fatal write error
    bool start_tls(conn& c);                              // false: cannot (fatal)
    int handshake(conn& c);                               // 1 done, 0 again, -1 failed
    void on_event(conn* c, std::uint32_t ev);
    void read_some(conn& c);
    void update_interest(conn& c);
    void destroy(conn* c);
    void reap();
    void touch(conn& c);
    void feed_held(conn& c);
    std::uint64_t deadline(const conn& c) const;
    void expire(std::uint64_t now);
    void list_remove(conn& c);
    void accept_all();
    void set_accepting(bool on);
    void begin_shutdown();

    const config& cfg_;
    smtpp::policy pol_;
    smtpp::line_options line_opts_{};
    smtpp::command cmd_{};  // the host's command storage (one loop, one line at a time)
    std::string stage_;     // Maildir write staging (flushed before the loop moves on)
    static constexpr std::size_t stage_cap = 64 * 1024;
    char challenge_[64] = {};
    std::string sasl_buf_;
    std::string tmp_dir_, new_dir_;
    unsigned long seq_ = 0;
    int epfd_ = -1, lfd_ = -1, sigfd_ = -1;
    bool accepting_ = true;  // the listen socket is watched (paused when out of descriptors)
    conn* head_ = nullptr;  // idle list
    conn* tail_ = nullptr;
    std::size_t conns_ = 0;
    std::size_t max_conns_ = 0;
    std::vector<conn*> graveyard_;  // destroyed during this batch, freed after it
    std::vector<conn*> syncing_;    // messages ended in this batch: synced together after it
    std::vector<conn*> sync_batch_;
    std::string scratch_;           // feed_held's copy of the held input
    std::unordered_map<std::string, std::size_t> per_ip_;  // --max-per-ip: address -> sessions
    std::string busy_reply_;
    int new_dir_fd_ = -1;
    std::uint64_t last_scan_ = 0;
    bool stop_requested_ = false;
    bool stopping_ = false;
    std::uint64_t stop_deadline_ = 0;
    static constexpr std::size_t out_high = 64 * 1024;  // stop reading above this backlog
#if defined(SMTPP_SINK_TLS)
    SSL_CTX* tls_ = nullptr;
#endif
};

// ---- setup -------------------------------------------------------------------------------

int server::setup() {
    if (pol_.error() != smtpp::policy_error::none) {
        const std::string_view why = smtpp::to_string(pol_.error());
        bad_usage("bad value for --hostname: '" + cfg_.hostname + "' (" + std::string(why) + ")");
    }
    if (!cfg_.discard) {
        const std::string& d = cfg_.maildir;
        if (!mkdir_p(d) || !mkdir_p(d + "/tmp") || !mkdir_p(d + "/new") || !mkdir_p(d + "/cur"))
            bad_usage("bad value for --maildir: cannot create '" + d + "': " + std::strerror(errno));
        tmp_dir_ = d + "/tmp/";
        new_dir_ = d + "/new/";
        // Kept open to fsync the directory after each rename into it.
        new_dir_fd_ = open(new_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (new_dir_fd_ < 0)
            bad_usage("bad value for --maildir: cannot open '" + new_dir_ + "': " + std::strerror(errno));
    }
#if defined(SMTPP_SINK_TLS)
    if (!cfg_.tls_cert.empty()) {
        tls_ = SSL_CTX_new(TLS_server_method());
        if (tls_ == nullptr) bad_usage("--tls-cert: cannot create a TLS context");
        SSL_CTX_set_min_proto_version(tls_, TLS1_2_VERSION);
        SSL_CTX_ctrl(tls_, SSL_CTRL_MODE,
                     SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS,
                     nullptr);
        if (SSL_CTX_use_certificate_chain_file(tls_, cfg_.tls_cert.c_str()) != 1)
            bad_usage("bad value for --tls-cert: cannot load '" + cfg_.tls_cert + "'");
        if (SSL_CTX_use_PrivateKey_file(tls_, cfg_.tls_key.c_str(), SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_check_private_key(tls_) != 1)
            bad_usage("bad value for --tls-key: cannot load '" + cfg_.tls_key + "' for the certificate");
    }
#endif
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

// ---- the session driver ------------------------------------------------------------------

// A data block (RFC 5321 §4.5.3.2.5) is taken as 64 KiB of body: each must arrive
// within --data-timeout of the previous one.
void count_block(conn& c, std::size_t n) {
    c.block_bytes += n;
    if (c.block_bytes >= 64 * 1024) {
        c.block_bytes = 0;
        c.block_start = now_seconds();
    }
}

bool server::input_pending(conn& c, std::string_view rest) {
    if (!rest.empty() || !c.held.empty() || c.rd.pending()) return true;
#if defined(SMTPP_SINK_TLS)
    if (c.ssl != nullptr && SSL_pending(c.ssl) > 0) return true;
#endif
    int n = 0;  // the socket buffer (Postfix peeks the same way)
    return ioctl(c.ifd, FIONREAD, &n) == 0 && n > 0;
}

void server::feed(conn& c, std::string_view in) {
    for (;;) {
        if ((c.m == mode::line || c.m == mode::data || c.m == mode::bdat) && c.out.size() >= out_high && !in.empty()) {
            // The client is not reading its replies: keep the rest of this read (at most
            // one read buffer) and stop reading until the output drains.
            c.held.assign(in.data(), in.size());
            break;
        }
        if (c.m == mode::line) {
            if (in.empty()) break;
            const smtpp::line_event ev = c.rd.next(in);
            in.remove_prefix(ev.consumed);
            if (ev.st == smtpp::status::complete) {
                const bool pending = input_pending(c, in);
                drive(c, smtpp::step(pol_, c.st, ev.line, cmd_, pending), in);
            } else if (ev.st == smtpp::status::failed) {
                drive(c, smtpp::on_line_error(pol_, c.st, ev), in);
            }
        } else if (c.m == mode::data) {
            if (in.empty() && !c.dd.done()) break;
            const smtpp::data_event ev = c.dd.next(in);
            in.remove_prefix(ev.consumed);
            count_block(c, ev.consumed);
            if (ev.kind == smtpp::data_event_kind::content) {
                if (c.dd.pending_error() == smtpp::data_error::none) store(c, ev.content);
            } else if (ev.kind == smtpp::data_event_kind::end) {
                drive(c, smtpp::end_of_data(pol_, c.st, ev.err), in);
            } else if (in.empty()) {
                break;
            }
        } else if (c.m == mode::bdat) {
            smtpp::bdat_decoder& d = c.bdat_discard ? c.bd_drop : c.bd;
            if (in.empty() && d.remaining() != 0) break;
            const smtpp::data_event ev = d.next(in);
            in.remove_prefix(ev.consumed);
            count_block(c, ev.consumed);
            if (ev.kind == smtpp::data_event_kind::content) {
                if (!c.bdat_discard && c.bd.pending_error() == smtpp::data_error::none) store(c, ev.content);
            } else if (ev.kind == smtpp::data_event_kind::end) {
                drive(c, smtpp::end_of_chunk(pol_, c.st, ev.err), in);
            } else {
                break;
            }
        } else {
            if (c.m == mode::syncing) c.held.assign(in.data(), in.size());  // after the 250
            break;  // tls_flush, tls_hand, closing: the rest of the input is dropped
        }
    }
    flush_stage(c);
}

void server::drive(conn& c, smtpp::step_result r, std::string_view& in) {
    using smtpp::action;
    for (;;) {
        for (std::uint16_t k = 0; k < r.count; ++k) c.out.append(r.reply);
        c.st = r.next;
        switch (r.act) {
            case action::none:
                c.m = mode::line;
                c.cmd_start = now_seconds();
                if (between_transactions(c)) c.txn_start = c.body_start = 0;
                // A transaction that ended without delivery (RSET, refused body, ...).
                if (c.tmp_fd >= 0 && c.st.phase != smtpp::phase::rcpt) abort_message(c);
                if (c.st.phase != smtpp::phase::auth) c.sasl = sasl_state::none;
                if (stopping_ && between_transactions(c)) {
                    say_close(c, smtpp::shutdown(pol_, c.st));
                    in = {};
                }
                return;
            case action::verify_sender:
                abort_message(c);
                c.txn_start = now_seconds();
                c.body_start = 0;
                c.return_path.assign(cmd_.path.mailbox.data(), cmd_.path.mailbox.size());
                c.rcpts.clear();
                r = smtpp::resolve(pol_, c.st, smtpp::verdict::accept);
                break;
            case action::verify_recipient:
                if (cmd_.path.is_postmaster) c.rcpts.emplace_back("Postmaster");
                else c.rcpts.emplace_back(cmd_.path.mailbox.data(), cmd_.path.mailbox.size());
                r = smtpp::resolve(pol_, c.st, smtpp::verdict::accept);
                break;
            case action::verify_credentials:
                r = sasl_step(c, r);
                break;
            case action::read_data:
                c.m = mode::data;
                c.block_start = c.body_start = now_seconds();
                c.block_bytes = 0;
                c.dd = smtpp::data_decoder(smtpp::body_options(pol_, c.st));
                begin_message(c);
                return;
            case action::read_bdat:
                c.m = mode::bdat;
                c.block_start = now_seconds();
                c.block_bytes = 0;
                if (c.body_start == 0) c.body_start = c.block_start;
                c.bdat_discard = r.discard;
                if (r.discard) {
                    c.bd_drop = smtpp::bdat_decoder(r.chunk_size);  // refused: octets dropped
                } else if (r.first_chunk) {
                    c.bd = smtpp::bdat_decoder(r.chunk_size, smtpp::chunk_options(pol_, c.st), r.last);
                    begin_message(c);
                } else {
                    c.bd.next_chunk(r.chunk_size, r.last);
                }
                return;  // feed() runs the decoder (a 0-octet chunk ends at once)
            case action::deliver:
                if (r.index == 0) {
                    // Listening: the syncs are shared by the batch (group commit) and
                    // the reply waits for them; --stdio: synced here.
                    const bool group = epfd_ >= 0 && !cfg_.discard && !cfg_.no_fsync;
                    c.delivered = commit(c, group);
                    if (group && c.delivered == smtpp::verdict::accept) {
                        c.m = mode::syncing;
                        syncing_.push_back(&c);
                        return;  // feed() keeps the rest of the input in c.held
                    }
                }
                r = smtpp::resolve(pol_, c.st, c.delivered);
                break;
            case action::start_tls:
                // RFC 3207 §4.2 / CVE-2011-0411: nothing read before the handshake survives.
                c.rd.discard();
                in = {};
                c.m = mode::tls_flush;
                return;
            case action::close:
                abort_message(c);
                c.m = mode::closing;
                in = {};
                return;
        }
    }
}

smtpp::step_result server::sasl_step(conn& c, const smtpp::step_result& r) {
    using smtpp::verdict;
    const bool initial = cmd_.verb == smtpp::verb::auth;  // cleared on SASL response lines
    if (initial) {
        c.sasl = cmd_.mechanism_id == smtpp::sasl_mechanism::plain ? sasl_state::plain : sasl_state::login_user;
        c.login_user.clear();
        if (!r.has_sasl) {
            const char* ch = c.sasl == sasl_state::plain ? "" : "VXNlcm5hbWU6";  // "Username:"
            return smtpp::auth_challenge(pol_, c.st, ch, challenge_, sizeof challenge_);
        }
    }
    if (!base64_decode(r.sasl, sasl_buf_)) return smtpp::resolve(pol_, c.st, verdict::reject);
    auto check = [&](const std::string& user, const std::string& pass) {
        for (const auto& up : cfg_.auth)
            if (up.first == user && up.second == pass) return verdict::accept;
        return verdict::reject;
    };
    switch (c.sasl) {
        case sasl_state::plain: {
            // RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd
            const auto a = sasl_buf_.find('\0');
            const auto b = a == std::string::npos ? a : sasl_buf_.find('\0', a + 1);
            c.sasl = sasl_state::none;
            if (b == std::string::npos) return smtpp::resolve(pol_, c.st, verdict::reject);
            const std::string authz = sasl_buf_.substr(0, a);
            const std::string user = sasl_buf_.substr(a + 1, b - a - 1);
            const std::string pass = sasl_buf_.substr(b + 1);
            if (!authz.empty() && authz != user) return smtpp::resolve(pol_, c.st, verdict::reject);
            return smtpp::resolve(pol_, c.st, check(user, pass));
        }
        case sasl_state::login_user:
            c.login_user = sasl_buf_;
            c.sasl = sasl_state::login_pass;
            return smtpp::auth_challenge(pol_, c.st, "UGFzc3dvcmQ6", challenge_, sizeof challenge_);  // "Password:"
        case sasl_state::login_pass:
            c.sasl = sasl_state::none;
            return smtpp::resolve(pol_, c.st, check(c.login_user, sasl_buf_));
        case sasl_state::none:
            break;
    }
    return smtpp::resolve(pol_, c.st, verdict::reject);
}

// The session's smtpp::timeout() / smtpp::shutdown(): 421 <host> and close.
void server::say_close(conn& c, const smtpp::step_result& r) {
    for (unsigned k = 0; k < r.count; ++k) c.out.append(r.reply);
    c.st = r.next;
    abort_message(c);
    c.held.clear();
    c.m = mode::closing;
}

// ---- Maildir -----------------------------------------------------------------------------

void server::begin_message(conn& c) {
    abort_message(c);
    c.write_failed = false;
    c.delivered = smtpp::verdict::accept;
    if (cfg_.discard) return;
    timeval tv{};
    gettimeofday(&tv, nullptr);
    std::string host = cfg_.hostname;
    for (char& ch : host)
        if (ch == '/' || ch == ':') ch = '_';
    char name[96];
    std::snprintf(name, sizeof name, "%lld.M%06ldP%dQ%lu.", static_cast<long long>(tv.tv_sec),
                  static_cast<long>(tv.tv_usec), static_cast<int>(getpid()), ++seq_);
    c.tmp_name = std::string(name) + host;
    const std::string path = tmp_dir_ + c.tmp_name;
    c.tmp_fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (c.tmp_fd < 0) {
        c.write_failed = true;
        return;
    }
    stage_.clear();
    stage_.append("Return-Path: <").append(c.return_path).append(">\r\n");
    for (const std::string& r : c.rcpts) stage_.append("Delivered-To: ").append(r).append("\r\n");
}

void server::store(conn& c, std::string_view bytes) {
    if (c.tmp_fd < 0) return;
    if (stage_.size() + bytes.size() > stage_cap) flush_stage(c);
    if (bytes.size() >= stage_cap) {
        // Large runs go straight to the file.
        const char* p = bytes.data();
        std::size_t n = bytes.size();
        while (n > 0 && !c.write_failed) {
            const ssize_t w = write(c.tmp_fd, p, n);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) c.write_failed = true;
            else {
                p += w;
                n -= static_cast<std::size_t>(w);
            }
        }
        return;
    }
    stage_.append(bytes);
}

void server::flush_stage(conn& c) {
    if (c.tmp_fd >= 0 && !stage_.empty() && !c.write_failed) {
        const char* p = stage_.data();
        std::size_t n = stage_.size();
        while (n > 0) {
            const ssize_t w = write(c.tmp_fd, p, n);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                c.write_failed = true;
                break;
            }
            p += w;
            n -= static_cast<std::size_t>(w);
        }
    }
    stage_.clear();
}

// Durable before the 250 (as qmail, Postfix and Dovecot deliver to a Maildir): the file's
// data (fsync), then its name in new/ (rename, then fsync of the directory). Listening,
// commit() only flushes the staged bytes and the rest waits for the end of the epoll
// batch (sync_deliveries): on a journalling file system the first fsync of the batch
// commits every file of it, and one fsync of new/ covers all the renames.
smtpp::verdict server::commit(conn& c, bool group) {
    if (cfg_.discard) return smtpp::verdict::accept;
    if (c.tmp_fd < 0) return smtpp::verdict::defer;
    flush_stage(c);
    if (group && !c.write_failed) return smtpp::verdict::accept;  // pending: sync_deliveries()
    smtpp::verdict v = finish_file(c);
    if (v == smtpp::verdict::accept && !cfg_.no_fsync && fsync(new_dir_fd_) != 0) {
        unlink((new_dir_ + c.tmp_name).c_str());  // a 451 must not leave a copy the client will send again
        v = smtpp::verdict::defer;
    }
    return v;
}

// fsync the file, close it, rename it into new/; on failure remove it: 451 4.3.0.
smtpp::verdict server::finish_file(conn& c) {
    bool ok = !c.write_failed && (cfg_.no_fsync || fsync(c.tmp_fd) == 0);
    ok = close(c.tmp_fd) == 0 && ok;
    c.tmp_fd = -1;
    const std::string from = tmp_dir_ + c.tmp_name;
    if (ok) ok = rename(from.c_str(), (new_dir_ + c.tmp_name).c_str()) == 0;
    if (!ok) {
        unlink(from.c_str());
        return smtpp::verdict::defer;  // the client keeps the message
    }
    return smtpp::verdict::accept;
}

void server::abort_message(conn& c) {
    if (c.tmp_fd < 0) return;
    if (!stage_.empty()) stage_.clear();
    close(c.tmp_fd);
    c.tmp_fd = -1;
    unlink((tmp_dir_ + c.tmp_name).c_str());
}

// ---- I/O ---------------------------------------------------------------------------------

long server::io_read(conn& c, char* buf, std::size_t cap) {
#if defined(SMTPP_SINK_TLS)
    if (c.ssl != nullptr) {
        const int cap_i = cap > 1u << 30 ? 1 << 30 : static_cast<int>(cap);
        const int n = SSL_read(c.ssl, buf, cap_i);
        if (n > 0) return n;
        const int e = SSL_get_error(c.ssl, n);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return -1;
        if (e == SSL_ERROR_ZERO_RETURN) return 0;
        ERR_clear_error();
        return -2;
    }
#endif
    for (;;) {
        const ssize_t n = read(c.ifd, buf, cap);
        if (n >= 0) return static_cast<long>(n);
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return -1;
        return -2;
    }
}

bool server::flush_out(conn& c) {
    std::size_t done = 0;
    while (done < c.out.size()) {
        const std::size_t n = c.out.size() - done;
#if defined(SMTPP_SINK_TLS)
        if (c.ssl != nullptr) {
            const int w = SSL_write(c.ssl, c.out.data() + done, n > 1u << 30 ? 1 << 30 : static_cast<int>(n));
            if (w > 0) {
                done += static_cast<std::size_t>(w);
                continue;
            }
            const int e = SSL_get_error(c.ssl, w);
            if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) break;
            ERR_clear_error();
            return false;
        }
#endif
        const ssize_t w = write(c.ofd, c.out.data() + done, n);
        if (w > 0) {
            done += static_cast<std::size_t>(w);
            continue;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        return false;
    }
    c.out.erase(0, done);
    return true;
}

bool server::start_tls(conn& c) {
#if defined(SMTPP_SINK_TLS)
    if (tls_ == nullptr) return false;
    c.ssl = SSL_new(tls_);
    if (c.ssl == nullptr) return false;
    if (c.ifd == c.ofd) SSL_set_fd(c.ssl, c.ifd);
    else {
        SSL_set_rfd(c.ssl, c.ifd);
        SSL_set_wfd(c.ssl, c.ofd);
    }
    SSL_set_accept_state(c.ssl);
    c.m = mode::tls_hand;
    return true;
#else
    (void)c;
    return false;
#endif
}

int server::handshake(conn& c) {
#if defined(SMTPP_SINK_TLS)
    const int rc = SSL_do_handshake(c.ssl);
    if (rc == 1) {
        c.m = mode::line;
        std::string_view none;
        drive(c, smtpp::tls_established(pol_, c.st), none);
        return 1;
    }
    const int e = SSL_get_error(c.ssl, rc);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return 0;
    ERR_clear_error();
    return -1;
#else
    (void)c;
    return -1;
#endif
}

// ---- the epoll loop ----------------------------------------------------------------------

char g_read_buf[64 * 1024];

void server::touch(conn& c) {
    c.last_active = now_seconds();
    if (tail_ == &c) return;
    list_remove(c);
    c.prev = tail_;
    c.next = nullptr;
    if (tail_ != nullptr) tail_->next = &c;
    tail_ = &c;
    if (head_ == nullptr) head_ = &c;
}

void server::list_remove(conn& c) {
    if (c.prev != nullptr) c.prev->next = c.next;
    else if (head_ == &c) head_ = c.next;
    if (c.next != nullptr) c.next->prev = c.prev;
    else if (tail_ == &c) tail_ = c.prev;
    c.prev = c.next = nullptr;
}

// Closes a session at once but frees it only in reap(), after the epoll batch: a later
// event of the same batch may still name it (it then sees c->dead and is skipped).
void server::destroy(conn* c) {
    if (c->dead) return;
    c->dead = true;
    abort_message(*c);
    c->held.clear();
    list_remove(*c);
#if defined(SMTPP_SINK_TLS)
    if (c->ssl != nullptr) {
        SSL_free(c->ssl);
        c->ssl = nullptr;
    }
#endif
    if (epfd_ >= 0) epoll_ctl(epfd_, EPOLL_CTL_DEL, c->ifd, nullptr);
    close(c->ifd);
    c->ifd = c->ofd = -1;
    --conns_;
    if (!c->peer.empty()) {
        const auto it = per_ip_.find(c->peer);
        if (it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);
    }
    graveyard_.push_back(c);
    if (!stopping_) set_accepting(true);  // a descriptor is free again
}

// Group commit: one fsync of new/ makes every rename of the batch durable; only then do
// their sessions get the 250 (or, if the sync failed, 451 4.3.0 and the file is removed).
void server::sync_deliveries() {
    while (!syncing_.empty()) {
        sync_batch_.swap(syncing_);  // resumed sessions may deliver again: the next round
        bool renamed = false;
        for (conn* c : sync_batch_) {
            if (c->dead) continue;
            c->delivered = finish_file(*c);
            renamed = renamed || c->delivered == smtpp::verdict::accept;
        }
        const bool ok = !renamed || fsync(new_dir_fd_) == 0;
        for (conn* c : sync_batch_) {
            if (c->dead) continue;
            if (!ok && c->delivered == smtpp::verdict::accept) {
                unlink((new_dir_ + c->tmp_name).c_str());  // never acknowledged
                c->delivered = smtpp::verdict::defer;
            }
            c->m = mode::line;
            std::string_view none;
            drive(*c, smtpp::resolve(pol_, c->st, c->delivered), none);
            on_event(c, EPOLLIN);  // the held input, the socket, the replies
        }
        sync_batch_.clear();
    }
}

void server::reap() {
    for (conn* c : graveyard_) delete c;
    graveyard_.clear();
}

void server::feed_held(conn& c) {
    scratch_.swap(c.held);  // feed() may hold a remainder again: it goes to c.held
    feed(c, scratch_);
    scratch_.clear();
}

void server::update_interest(conn& c) {
    std::uint32_t want = 0;
    switch (c.m) {
        case mode::line:
        case mode::data:
        case mode::bdat:
            if (c.out.size() < out_high) want |= EPOLLIN;
            break;
        case mode::tls_hand:
            want |= EPOLLIN;  // SSL_do_handshake is retried on any event
#if defined(SMTPP_SINK_TLS)
            if (c.ssl != nullptr && SSL_want_write(c.ssl)) want |= EPOLLOUT;
#endif
            break;
        default:
            break;
    }
    if (!c.out.empty()) want |= EPOLLOUT;
    if (want == c.events) return;
    epoll_event ev{};
    ev.events = want;
    ev.data.ptr = &c;
    epoll_ctl(epfd_, EPOLL_CTL_MOD, c.ifd, &ev);
    c.events = want;
}

// Bounded memory per connection: nothing is read (or fed) while the unsent output is above
// out_high; what one read brought beyond that point waits in c.held (at most one read
// buffer). EPOLLIN is dropped meanwhile (update_interest) and the socket buffer fills,
// which stops the client.
void server::read_some(conn& c) {
    for (int rounds = 0; rounds < 16;) {
        if (c.m != mode::line && c.m != mode::data && c.m != mode::bdat) return;
        if (c.out.size() >= out_high) return;
        if (!c.held.empty()) {
            feed_held(c);
            continue;
        }
        ++rounds;
        const long n = io_read(c, g_read_buf, sizeof g_read_buf);
        if (n == -1) return;
        if (n <= 0) {  // EOF or error: a session that ends mid-message delivers nothing
            abort_message(c);
            c.m = mode::closing;
            c.out.clear();
            c.held.clear();
            return;
        }
        feed(c, std::string_view(g_read_buf, static_cast<std::size_t>(n)));
        bool more = false;
#if defined(SMTPP_SINK_TLS)
        more = c.ssl != nullptr && SSL_pending(c.ssl) > 0;
#endif
        if (!more && static_cast<std::size_t>(n) < sizeof g_read_buf) return;
    }
}

void server::on_event(conn* c, std::uint32_t ev) {
    if (c->dead) return;  // destroyed earlier in this batch
    touch(*c);
    bool alive = true;
    for (int guard = 0; guard < 4 && alive; ++guard) {
        const mode before = c->m;
        if (c->m == mode::tls_hand) {
            const int h = handshake(*c);
            if (h < 0) alive = false;
        }
        if (alive && !c->out.empty() && !flush_out(*c)) alive = false;
        if (!alive) break;
        if (c->m == mode::tls_flush && c->out.empty()) {
            if (!start_tls(*c)) {
                alive = false;
                break;
            }
            continue;  // try the handshake now
        }
        // EPOLLOUT too: the output drained, so held input (or TLS-buffered input) resumes.
        if ((ev & (EPOLLIN | EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0 || c->m != before) read_some(*c);
        if (!c->out.empty() && !flush_out(*c)) alive = false;
        if (c->m == mode::closing && c->out.empty()) alive = false;
        if (c->m == before || !alive) break;
        ev = EPOLLIN;  // the mode changed (TLS up, ...): look at buffered input again
    }
    if (!alive) {
        destroy(c);
        return;
    }
    if (c->m == mode::closing && c->out.empty()) {
        destroy(c);
        return;
    }
    update_interest(*c);
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
        // --max-connections / --max-per-ip: 421 4.7.0 and close at once (RFC 5321 §3.8:
        // a server may refuse a connection with 421 in place of its greeting).
        std::string peer;
        std::size_t same_peer = 0;
        if (cfg_.max_per_ip != 0) {
            if (sa.ss_family == AF_INET6)
                peer.assign(reinterpret_cast<const char*>(&reinterpret_cast<const sockaddr_in6*>(&sa)->sin6_addr), 16);
            else if (sa.ss_family == AF_INET)
                peer.assign(reinterpret_cast<const char*>(&reinterpret_cast<const sockaddr_in*>(&sa)->sin_addr), 4);
            const auto it = per_ip_.find(peer);
            if (it != per_ip_.end()) same_peer = it->second;
        }
        if (conns_ >= max_conns_ || (cfg_.max_per_ip != 0 && same_peer >= cfg_.max_per_ip)) {
            const ssize_t w = write(fd, busy_reply_.data(), busy_reply_.size());  // a fresh socket: room
            (void)w;
            close(fd);
            continue;
        }
        if (!peer.empty()) ++per_ip_[peer];
        conn* c = new conn(line_opts_.max_line, line_opts_);
        c->ifd = c->ofd = fd;
        c->peer = std::move(peer);
        c->cmd_start = now_seconds();
        ++conns_;
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.ptr = c;
        c->events = EPOLLIN;
        if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
            destroy(c);  // not in epoll: the DEL fails harmlessly
            continue;
        }
        touch(*c);
        std::string_view none;
        drive(*c, smtpp::start(pol_), none);
        if (!flush_out(*c) || (c->m == mode::closing && c->out.empty())) {
            destroy(c);
            continue;
        }
        update_interest(*c);
    }
}

void server::begin_shutdown() {
    stopping_ = true;
    stop_deadline_ = now_seconds() + 10;  // grace for transactions in flight
    if (lfd_ >= 0) {
        epoll_ctl(epfd_, EPOLL_CTL_DEL, lfd_, nullptr);
        close(lfd_);
        lfd_ = -1;
    }
    // Sessions between transactions are told now; the others when their transaction ends.
    for (conn* c = head_; c != nullptr;) {
        conn* nx = c->next;
        if (between_transactions(*c)) {
            say_close(*c, smtpp::shutdown(pol_, c->st));
            if (!flush_out(*c) || c->out.empty()) destroy(c);
            else update_interest(*c);
        }
        c = nx;
    }
}

int server::run_listener() {
    std::string host, port;
    std::uint64_t pnum = 0;
    if (!split_host_port(cfg_.listen, host, port) || !parse_uint(port.c_str(), 65535, pnum))
        bad_usage("bad value for --listen: '" + cfg_.listen + "' (expected ADDR:PORT)");
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
    addrinfo* res = nullptr;
    if (getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0 || res == nullptr)
        bad_usage("bad value for --listen: '" + cfg_.listen + "' (not a numeric address)");
    lfd_ = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int one = 1;
    setsockopt(lfd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (lfd_ < 0 || bind(lfd_, res->ai_addr, res->ai_addrlen) != 0 || listen(lfd_, 4096) != 0) {
        std::fprintf(stderr, "smtpp-sink: cannot listen on %s: %s\n", cfg_.listen.c_str(), std::strerror(errno));
        freeaddrinfo(res);
        return 1;
    }
    freeaddrinfo(res);
    // Thousands of connections: raise the descriptor limit to the hard limit.
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    // --max-connections by default: a session needs a socket and, in a transaction, a tmp/
    // file; a few descriptors stay for the process (stdio, epoll, signalfd, listener, new/).
    max_conns_ = cfg_.max_connections;
    if (max_conns_ == 0) {
        const std::uint64_t nofile =
            getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? rl.rlim_cur : 1024;
        max_conns_ = nofile > 16 + 2 ? (nofile - 16) / 2 : 1;
    }
    busy_reply_ = "421 4.7.0 " + cfg_.hostname + " Error: too many connections\r\n";
    sockaddr_storage sa{};
    socklen_t sl = sizeof sa;
    getsockname(lfd_, reinterpret_cast<sockaddr*>(&sa), &sl);
    char abuf[INET6_ADDRSTRLEN] = {};
    unsigned real_port = 0;
    if (sa.ss_family == AF_INET6) {
        const auto* s6 = reinterpret_cast<const sockaddr_in6*>(&sa);
        inet_ntop(AF_INET6, &s6->sin6_addr, abuf, sizeof abuf);
        real_port = ntohs(s6->sin6_port);
        std::printf("listening on [%s]:%u\n", abuf, real_port);
    } else {
        const auto* s4 = reinterpret_cast<const sockaddr_in*>(&sa);
        inet_ntop(AF_INET, &s4->sin_addr, abuf, sizeof abuf);
        real_port = ntohs(s4->sin_port);
        std::printf("listening on %s:%u\n", abuf, real_port);
    }
    std::fflush(stdout);

    epfd_ = epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = &lfd_;
    epoll_ctl(epfd_, EPOLL_CTL_ADD, lfd_, &ev);
    ev.data.ptr = &sigfd_;
    epoll_ctl(epfd_, EPOLL_CTL_ADD, sigfd_, &ev);

    std::vector<epoll_event> events(256);
    for (;;) {
        if (stopping_ && conns_ == 0) break;
        const int n = epoll_wait(epfd_, events.data(), static_cast<int>(events.size()), 1000);
        if (n < 0 && errno != EINTR) {
            std::perror("smtpp-sink: epoll_wait");
            return 1;
        }
        if (n == 0 && !stopping_) set_accepting(true);  // retry a paused accept once a second
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
                on_event(static_cast<conn*>(p), events[static_cast<std::size_t>(i)].events);
            }
        }
        sync_deliveries();
        if (stop_requested_ && !stopping_) begin_shutdown();
        const std::uint64_t now = now_seconds();
        if (now != last_scan_) {  // deadlines, once a second
            last_scan_ = now;
            expire(now);
        }
        if (stopping_ && now >= stop_deadline_) {
            while (head_ != nullptr) destroy(head_);  // abort: tmp files are unlinked
        }
        reap();
    }
    reap();
    return 0;
}

// The earliest time at which the session must end (RFC 5321 §4.5.3.2): idle, command,
// data block, whole body, whole transaction.
std::uint64_t server::deadline(const conn& c) const {
    std::uint64_t d = c.last_active + cfg_.timeout;
    auto at = [&d](std::uint64_t start, unsigned limit) {
        if (start != 0 && start + limit < d) d = start + limit;
    };
    if (c.m == mode::data || c.m == mode::bdat) at(c.block_start, cfg_.data_timeout);
    else at(c.cmd_start, cfg_.command_timeout);  // a command line, or the TLS handshake
    at(c.body_start, cfg_.dot_timeout);
    at(c.txn_start, cfg_.transaction_timeout);
    return d + 1;  // whole seconds: a limit of N seconds is never cut short
}

void server::expire(std::uint64_t now) {
    for (conn* c = head_; c != nullptr;) {
        conn* nx = c->next;
        if (now >= deadline(*c)) {
            if (c->m != mode::closing && c->m != mode::tls_hand) {
                say_close(*c, smtpp::timeout(pol_, c->st));  // 421 4.4.2
                flush_out(*c);
            }
            destroy(c);
        }
        c = nx;
    }
}

int server::run_stdio() {
    conn c(line_opts_.max_line, line_opts_);
    c.ifd = 0;
    c.ofd = 1;
    c.last_active = c.cmd_start = now_seconds();
    auto wait_ms = [&]() {
        const std::uint64_t now = now_seconds(), d = deadline(c);
        return d <= now ? 0 : static_cast<int>(d - now) * 1000;
    };
    std::string_view none;
    drive(c, smtpp::start(pol_), none);
    auto flush_all = [&]() {
        while (!c.out.empty()) {
            if (!flush_out(c)) return false;
            if (!c.out.empty()) {
                pollfd pw{c.ofd, POLLOUT, 0};
                poll(&pw, 1, static_cast<int>(cfg_.timeout) * 1000);
            }
        }
        return true;
    };
    for (;;) {
        if (!flush_all()) break;
        if (c.m == mode::closing) break;
        if (c.m == mode::tls_flush) {
            if (!start_tls(c)) break;
        }
        if (c.m == mode::tls_hand) {
            pollfd pf{c.ifd, POLLIN, 0};
            const int h = handshake(c);
            if (h < 0) break;
            if (h == 0 && poll(&pf, 1, wait_ms()) <= 0) break;
            continue;
        }
        if (!c.held.empty()) {  // the output drained: the rest of the last read
            feed_held(c);
            continue;
        }
        bool buffered = false;
#if defined(SMTPP_SINK_TLS)
        buffered = c.ssl != nullptr && SSL_pending(c.ssl) > 0;
#endif
        if (!buffered) {
            pollfd pf[2] = {{c.ifd, POLLIN, 0}, {sigfd_, POLLIN, 0}};
            const int pr = poll(pf, 2, wait_ms());
            if (pr < 0 && errno == EINTR) continue;
            if (pr == 0 || now_seconds() >= deadline(c)) {
                say_close(c, smtpp::timeout(pol_, c.st));
                continue;
            }
            if ((pf[1].revents & POLLIN) != 0) {
                say_close(c, smtpp::shutdown(pol_, c.st));
                continue;
            }
        }
        const long n = io_read(c, g_read_buf, sizeof g_read_buf);
        if (n == -1) continue;
        if (n <= 0) break;
        c.last_active = now_seconds();
        feed(c, std::string_view(g_read_buf, static_cast<std::size_t>(n)));
    }
    abort_message(c);
#if defined(SMTPP_SINK_TLS)
    if (c.ssl != nullptr) SSL_free(c.ssl);
#endif
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const config cfg = parse_args(argc, argv);
    server s(cfg);
    if (const int rc = s.setup(); rc != 0) return rc;
    return cfg.stdio ? s.run_stdio() : s.run_listener();
}
