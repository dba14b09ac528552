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
//
// The files, one concern each:
//   cli.cpp         this file: the command line (options, usage) and main()
//   event_loop.*    epoll, the listener and its caps, deadlines, signals, shutdown, --stdio
//   connection.*    the smtpp host loop: line reader -> session step -> the session's action
//   maildir.*       delivery: tmp/ -> fsync -> rename into new/ -> fsync new/, group commit
//   tls.*           the byte stream of a connection: the socket, and OpenSSL over it
#include "config.hpp"
#include "event_loop.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace sink {

namespace {

const char* const usage_text =
    "usage: smtpp-sink [--listen ADDR:PORT] [--stdio] [--maildir DIR] [--hostname NAME]\n"
    "                  [--max-size BYTES] [--max-recipients N] [--max-errors N]\n"
    "                  [--auth USER:PASS]... [--auth-required] [--tls-cert F --tls-key F] [--tls-required]\n"
    "                  [--lmtp] [--no-pipelining] [--no-chunking] [--no-smtputf8]\n"
    "                  [--bare-lf reject|normalize] [--unknown-param 555|504] [--timeout SECONDS]\n"
    "                  [--command-timeout S] [--data-timeout S] [--dot-timeout S] [--transaction-timeout S]\n"
    "                  [--max-connections N] [--max-per-ip N] [--discard] [--no-fsync]\n";

// The options by kind: a flag sets a bool, a text option takes its value as is, a seconds
// option takes 1..86400, a choice option takes one of two words (the second sets true).
struct flag_option {
    const char* name;
    bool config::*field;
};
const flag_option flag_options[] = {
    {"--stdio", &config::stdio},
    {"--auth-required", &config::auth_required},
    {"--tls-required", &config::tls_required},
    {"--lmtp", &config::lmtp},
    {"--no-pipelining", &config::no_pipelining},
    {"--no-chunking", &config::no_chunking},
    {"--no-smtputf8", &config::no_smtputf8},
    {"--discard", &config::discard},
    {"--no-fsync", &config::no_fsync},
};

struct text_option {
    const char* name;
    std::string config::*field;
};
const text_option text_options[] = {
    {"--listen", &config::listen},     {"--maildir", &config::maildir}, {"--hostname", &config::hostname},
    {"--tls-cert", &config::tls_cert}, {"--tls-key", &config::tls_key},
};

struct seconds_option {
    const char* name;
    unsigned config::*field;
};
const seconds_option seconds_options[] = {
    {"--timeout", &config::timeout},
    {"--command-timeout", &config::command_timeout},
    {"--data-timeout", &config::data_timeout},
    {"--dot-timeout", &config::dot_timeout},
    {"--transaction-timeout", &config::transaction_timeout},
};

struct choice_option {
    const char* name;
    const char* if_false;
    const char* if_true;
    bool config::*field;
};
const choice_option choice_options[] = {
    {"--bare-lf", "reject", "normalize", &config::bare_lf_normalize},
    {"--unknown-param", "555", "504", &config::unknown_param_504},
};

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

// The argument list with a cursor: values and numbers for the option at the cursor.
struct arguments {
    std::vector<std::string> args;
    std::size_t i = 0;

    const char* value() {
        if (i + 1 >= args.size()) bad_usage("option " + args[i] + " needs a value");
        return args[++i].c_str();
    }
    std::uint64_t number(std::uint64_t lo, std::uint64_t hi) {
        const std::string& a = args[i];
        const char* v = value();
        std::uint64_t n = 0;
        if (!parse_uint(v, hi, n) || n < lo)
            bad_usage("bad value for " + a + ": '" + v + "' (expected " + std::to_string(lo) + ".." +
                      std::to_string(hi) + ")");
        return n;
    }
};

// The options of a table kind; false: `a` is none of them.
bool table_option(config& c, arguments& in, const std::string& a) {
    for (const flag_option& o : flag_options)
        if (a == o.name) {
            c.*o.field = true;
            return true;
        }
    for (const text_option& o : text_options)
        if (a == o.name) {
            c.*o.field = in.value();
            return true;
        }
    for (const seconds_option& o : seconds_options)
        if (a == o.name) {
            c.*o.field = static_cast<unsigned>(in.number(1, 86400));
            return true;
        }
    for (const choice_option& o : choice_options)
        if (a == o.name) {
            const std::string v = in.value();
            if (v != o.if_false && v != o.if_true)
                bad_usage("bad value for " + a + ": '" + v + "' (expected " + o.if_false + " or " + o.if_true + ")");
            c.*o.field = v == o.if_true;
            return true;
        }
    return false;
}

// One option at the cursor (its value consumed too).
void parse_option(config& c, arguments& in) {
    const std::string a = in.args[in.i];
    if (table_option(c, in, a)) return;
    if (a == "--max-size") c.max_size = in.number(0, UINT64_MAX);
    else if (a == "--max-recipients") c.max_recipients = static_cast<std::uint16_t>(in.number(1, 65535));
    else if (a == "--max-errors") c.max_errors = static_cast<std::uint8_t>(in.number(0, 255));
    else if (a == "--max-connections") c.max_connections = in.number(1, 1u << 24);
    else if (a == "--max-per-ip") c.max_per_ip = in.number(1, 1u << 24);
    else if (a == "--auth") {
        const std::string v = in.value();
        const auto colon = v.find(':');
        if (colon == std::string::npos || colon == 0) bad_usage("bad value for --auth: expected USER:PASS");
        c.auth.emplace_back(v.substr(0, colon), v.substr(colon + 1));
    } else if (a == "--help" || a == "-h") {
        std::fputs(usage_text, stdout);
        std::exit(0);
    } else {
        bad_usage("unknown option: " + a);
    }
}

// The options together: --listen a numeric ADDR:PORT, the pairs that go together, the host name.
void check(config& c) {
    std::uint64_t pnum = 0;
    in6_addr a6{};
    if (!split_host_port(c.listen, c.listen_host, c.listen_port) || !parse_uint(c.listen_port.c_str(), 65535, pnum) ||
        (inet_pton(AF_INET, c.listen_host.c_str(), &a6) != 1 && inet_pton(AF_INET6, c.listen_host.c_str(), &a6) != 1))
        bad_usage("bad value for --listen: '" + c.listen + "' (expected ADDR:PORT, a numeric address)");
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
}

}  // namespace

void bad_usage(const std::string& msg) {
    std::fprintf(stderr, "smtpp-sink: %s\n", msg.c_str());
    std::exit(2);
}

config parse_args(int argc, char** argv) {
    config c;
    arguments in;
    in.args.assign(argv + 1, argv + argc);
    for (in.i = 0; in.i < in.args.size(); ++in.i) parse_option(c, in);
    check(c);
    return c;
}

}  // namespace sink

int main(int argc, char** argv) {
    const sink::config cfg = sink::parse_args(argc, argv);
    sink::server s(cfg);
    if (const int rc = s.setup(); rc != 0) return rc;
    return cfg.stdio ? s.run_stdio() : s.run_listener();
}
