// smtpp-send: sends one message over SMTP or LMTP with smtpp's client session, for people
// who test mail servers. Every protocol decision is client_step()'s (include/smtpp/client.hpp);
// this file moves bytes (TCP, optional STARTTLS with OpenSSL) and prints what happened.
//
//   smtpp-send --server HOST:PORT --from A --to B [--to C ...] [--starttls | --tls-required]
//              [--auth USER:PASS] [--lmtp] [--helo NAME] [--bdat] [--lang en|ru]
//              [--cafile FILE | --insecure] [--strict-newlines] [--timeout SECONDS] [FILE | -]
//
// Each recipient's outcome is printed with its reply, explained by the catalog. Exit status:
// 0 every recipient accepted (delivered), 75 (EX_TEMPFAIL) some deferred and none refused,
// 1 some refused, 2 bad usage.
#include <smtpp/smtpp.hpp>

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#if defined(SMTPP_SEND_TLS)
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#endif

namespace {

const char usage_text[] =
    "usage: smtpp-send --server HOST:PORT --from ADDR --to ADDR [--to ADDR ...]\n"
    "                  [--starttls | --tls-required] [--auth USER:PASS] [--lmtp] [--helo NAME]\n"
    "                  [--bdat] [--lang en|ru] [--cafile FILE | --insecure] [--strict-newlines]\n"
    "                  [--timeout SECONDS] [FILE | -]\n"
    "  --starttls        use STARTTLS when offered (opportunistic)\n"
    "  --tls-required    stop unless STARTTLS succeeds\n"
    "  --cafile FILE     trust anchors for the server certificate (default: the system's)\n"
    "  --insecure        do not verify the server certificate (RISK: an active attacker can\n"
    "                    read the message and the credentials)\n"
    "  --strict-newlines refuse a message with bare CR or LF (default: send them as CRLF)\n"
    "  --bdat            use BDAT (CHUNKING) when offered\n"
    "exit: 0 all accepted, 75 some deferred, 1 some refused, 2 bad usage\n";

[[noreturn]] void bad_usage(const std::string& why) {
    std::fprintf(stderr, "smtpp-send: %s\n%s", why.c_str(), usage_text);
    std::exit(2);
}

struct options {
    std::string host, port, from, helo = "localhost", user, password, file = "-", cafile;
    std::vector<std::string> to;
    smtpp::tls_mode tls = smtpp::tls_mode::none;
    bool lmtp = false, bdat = false, insecure = false, strict = false;
    smtpp::lang lang = smtpp::lang::en;
    int timeout_cap = 0;  // 0: the RFC 5321 §4.5.3.2 values
};

options parse_args(int argc, char** argv) {
    options o;
    bool have_server = false;
    bool have_file = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) bad_usage("missing value for " + a);
            return argv[++i];
        };
        if (a == "--server") {
            const std::string v = value();
            const std::size_t c = v.rfind(':');
            if (c == std::string::npos || c == 0 || c + 1 == v.size()) bad_usage("bad --server: expected HOST:PORT");
            o.host = v.substr(0, c);
            if (o.host.size() > 2 && o.host.front() == '[' && o.host.back() == ']')
                o.host = o.host.substr(1, o.host.size() - 2);
            o.port = v.substr(c + 1);
            have_server = true;
        } else if (a == "--from") o.from = value();
        else if (a == "--to") o.to.push_back(value());
        else if (a == "--starttls") o.tls = smtpp::tls_mode::opportunistic;
        else if (a == "--tls-required") o.tls = smtpp::tls_mode::required;
        else if (a == "--auth") {
            const std::string v = value();
            const std::size_t c = v.find(':');
            if (c == std::string::npos || c == 0) bad_usage("bad --auth: expected USER:PASS");
            o.user = v.substr(0, c);
            o.password = v.substr(c + 1);
        } else if (a == "--lmtp") o.lmtp = true;
        else if (a == "--helo") o.helo = value();
        else if (a == "--bdat") o.bdat = true;
        else if (a == "--insecure") o.insecure = true;
        else if (a == "--cafile") o.cafile = value();
        else if (a == "--strict-newlines") o.strict = true;
        else if (a == "--timeout") {
            const std::string v = value();
            char* end = nullptr;
            const long t = std::strtol(v.c_str(), &end, 10);
            if (end == v.c_str() || *end != '\0' || t < 1 || t > 3600) bad_usage("bad --timeout: 1..3600");
            o.timeout_cap = static_cast<int>(t);
        } else if (a == "--lang") {
            if (!smtpp::parse_lang(value(), o.lang)) bad_usage("bad --lang: expected en or ru");
        } else if (a == "--help" || a == "-h") {
            std::fputs(usage_text, stdout);
            std::exit(0);
        } else if (!a.empty() && a[0] == '-' && a != "-") {
            bad_usage("unknown option: " + a);
        } else {
            if (have_file) bad_usage("more than one message file");
            o.file = a;
            have_file = true;
        }
    }
    if (!have_server) bad_usage("--server is required");
    if (o.to.empty()) bad_usage("at least one --to is required");
    if (o.to.size() > 65535) bad_usage("too many recipients");
#if !defined(SMTPP_SEND_TLS)
    if (o.tls != smtpp::tls_mode::none) bad_usage("this smtpp-send was built without OpenSSL");
#endif
    return o;
}

// ---- the connection ------------------------------------------------------------------------

class connection {
public:
    ~connection() {
#if defined(SMTPP_SEND_TLS)
        if (ssl_ != nullptr) SSL_free(ssl_);
        if (ctx_ != nullptr) SSL_CTX_free(ctx_);
#endif
        if (fd_ >= 0) ::close(fd_);
    }

    bool open(const options& o, std::string& err) {
        addrinfo hints{};
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* res = nullptr;
        const int rc = getaddrinfo(o.host.c_str(), o.port.c_str(), &hints, &res);
        if (rc != 0) {
            err = std::string("cannot resolve ") + o.host + ": " + gai_strerror(rc);
            return false;
        }
        for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
            fd_ = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
            if (fd_ < 0) continue;
            if (::connect(fd_, a->ai_addr, a->ai_addrlen) == 0) break;
            err = std::string("cannot connect: ") + std::strerror(errno);
            ::close(fd_);
            fd_ = -1;
        }
        freeaddrinfo(res);
        return fd_ >= 0;
    }

    /// Waits up to `seconds` for input; false on timeout.
    bool wait_readable(int seconds) {
#if defined(SMTPP_SEND_TLS)
        if (ssl_ != nullptr && SSL_pending(ssl_) > 0) return true;
#endif
        pollfd p{fd_, POLLIN, 0};
        const int r = ::poll(&p, 1, seconds * 1000);
        return r > 0;
    }

    /// Reads what is there; 0 at the end of the stream, -1 on an error.
    long read_some(char* buf, std::size_t cap) {
#if defined(SMTPP_SEND_TLS)
        if (ssl_ != nullptr) {
            const int n = SSL_read(ssl_, buf, static_cast<int>(cap));
            if (n > 0) return n;
            return SSL_get_error(ssl_, n) == SSL_ERROR_ZERO_RETURN ? 0 : -1;
        }
#endif
        for (;;) {
            const ssize_t n = ::recv(fd_, buf, cap, 0);
            if (n < 0 && errno == EINTR) continue;
            return static_cast<long>(n);
        }
    }

    bool write_all(std::string_view s) {
        while (!s.empty()) {
#if defined(SMTPP_SEND_TLS)
            if (ssl_ != nullptr) {
                const int n = SSL_write(ssl_, s.data(),
                                        static_cast<int>(s.size() > (1u << 30) ? (1u << 30) : s.size()));
                if (n <= 0) return false;
                s.remove_prefix(static_cast<std::size_t>(n));
                continue;
            }
#endif
            const ssize_t n = ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return false;
            s.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }

    bool start_tls(const options& o, std::string& err) {
#if defined(SMTPP_SEND_TLS)
        ctx_ = SSL_CTX_new(TLS_client_method());
        if (ctx_ == nullptr) {
            err = "cannot create a TLS context";
            return false;
        }
        SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
        if (!o.insecure) {
            SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
            const int ok = o.cafile.empty() ? SSL_CTX_set_default_verify_paths(ctx_)
                                            : SSL_CTX_load_verify_locations(ctx_, o.cafile.c_str(), nullptr);
            if (ok != 1) {
                err = "cannot load trust anchors";
                return false;
            }
        }
        ssl_ = SSL_new(ctx_);
        SSL_set_fd(ssl_, fd_);
        // SSL_set_tlsext_host_name() without its macro's C-style cast (SNI, RFC 6066 §3).
        SSL_ctrl(ssl_, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(o.host.c_str()));
        if (!o.insecure) {
            // The name to check in the certificate: an IP address literal or a DNS name.
            in6_addr a{};
            const bool ip = inet_pton(AF_INET, o.host.c_str(), &a) == 1 || inet_pton(AF_INET6, o.host.c_str(), &a) == 1;
            X509_VERIFY_PARAM* vp = SSL_get0_param(ssl_);
            const int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(vp, o.host.c_str())
                              : X509_VERIFY_PARAM_set1_host(vp, o.host.c_str(), 0);
            if (ok != 1) {
                err = "cannot set the name to verify";
                return false;
            }
        }
        if (SSL_connect(ssl_) != 1) {
            char b[256];
            ERR_error_string_n(ERR_get_error(), b, sizeof b);
            err = std::string("TLS handshake failed: ") + b;
            return false;
        }
        return true;
#else
        (void)o;
        err = "built without OpenSSL";
        return false;
#endif
    }

private:
    int fd_ = -1;
#if defined(SMTPP_SEND_TLS)
    SSL_CTX* ctx_ = nullptr;
    SSL* ssl_ = nullptr;
#endif
};

// ---- output --------------------------------------------------------------------------------

const char* outcome_word(smtpp::outcome o, smtpp::lang l) {
    const bool ru = l == smtpp::lang::ru;
    switch (o) {
        case smtpp::outcome::accepted: return ru ? "принят" : "accepted";
        case smtpp::outcome::deferred: return ru ? "отложен" : "deferred";
        case smtpp::outcome::refused: return ru ? "отклонён" : "refused";
        case smtpp::outcome::none: break;
    }
    return ru ? "неизвестно" : "unknown";
}

std::string explain(std::uint16_t code, smtpp::enhanced_code esc, smtpp::lang l) {
    std::string s;
    if (code == 0) return s;
    s += std::to_string(code);
    const auto t = smtpp::format_enhanced_code(esc);
    if (t.size != 0) {
        s += ' ';
        s += std::string(t.view());
    }
    const auto e = smtpp::explain_reply(code, l);
    if (!e.title.empty()) {
        s += " (";
        s += std::string(e.title);
        if (!esc.empty()) {
            const auto x = smtpp::explain_enhanced(esc, l);
            if (!x.title.empty()) {
                s += "; ";
                s += std::string(x.title);
            }
        }
        s += ")";
    }
    return s;
}

struct recipient_state {
    smtpp::outcome outcome = smtpp::outcome::none;
    std::uint16_t code = 0;
    smtpp::enhanced_code esc{};
    std::string why;  // a local reason (no reply)
};

}  // namespace

int main(int argc, char** argv) {
    signal(SIGPIPE, SIG_IGN);
    const options o = parse_args(argc, argv);

    // The message, whole (an example; a real client streams it through the encoder).
    std::string message;
    if (o.file == "-") {
        message.assign(std::istreambuf_iterator<char>(std::cin.rdbuf()), std::istreambuf_iterator<char>());
    } else {
        std::ifstream f(o.file, std::ios::binary);
        if (!f) bad_usage("cannot read " + o.file);
        message.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    }
    smtpp::encode_options eo;
    eo.newline = o.strict ? smtpp::newline_policy::strict : smtpp::newline_policy::normalize;
    // The message as it goes into BDAT (and its RFC 1870 size): line ends made CRLF.
    std::string canonical;
    {
        smtpp::encode_options bo = eo;
        bo.stuff = false;
        smtpp::body_encoder enc(bo);
        std::string_view in = message;
        while (!in.empty() && !enc.failed()) {
            const std::string_view p = enc.next(in);
            canonical.append(p.data(), p.size());
        }
        const std::string_view last = enc.finish();
        canonical.append(last.data(), last.size());
        if (enc.failed()) {
            std::fprintf(stderr, "smtpp-send: %s (see --strict-newlines)\n",
                         std::string(smtpp::to_string(enc.error())).c_str());
            return 1;
        }
    }
    bool eight_bit = false;
    for (char c : canonical) eight_bit = eight_bit || static_cast<unsigned char>(c) >= 0x80;

    std::vector<std::string_view> to(o.to.begin(), o.to.end());
    smtpp::client_config cfg{};
    cfg.helo = o.helo;
    cfg.lmtp = o.lmtp;
    cfg.tls = o.tls;
    cfg.user = o.user;
    cfg.password = o.password;
    cfg.use_chunking = o.bdat;
    smtpp::envelope env{};
    env.from = o.from;
    env.to = to.data();
    env.to_count = to.size();
    env.size = canonical.size();
    env.body = eight_bit ? smtpp::body_type::eight_bit_mime : smtpp::body_type::none;

    std::vector<recipient_state> rs(to.size());
    std::vector<std::size_t> accepted;  // RCPT indexes in acceptance order (LMTP replies)
    const bool progress = isatty(2) != 0 && canonical.size() >= (1u << 20);
    const auto finish = [&](const std::string& why) {
        if (!why.empty()) std::fprintf(stderr, "smtpp-send: %s\n", why.c_str());
        bool deferred = false, refused = false;
        for (std::size_t i = 0; i < rs.size(); ++i) {
            recipient_state& r = rs[i];
            if (r.outcome == smtpp::outcome::none) {
                r.outcome = smtpp::outcome::deferred;
                if (r.why.empty()) r.why = why.empty() ? "no final reply" : why;
            }
            deferred = deferred || r.outcome == smtpp::outcome::deferred;
            refused = refused || r.outcome == smtpp::outcome::refused;
            std::printf("%s: %s", o.to[i].c_str(), outcome_word(r.outcome, o.lang));
            if (r.code != 0) std::printf(" %s", explain(r.code, r.esc, o.lang).c_str());
            if (!r.why.empty()) std::printf(" [%s]", r.why.c_str());
            std::printf("\n");
        }
        std::fflush(stdout);
        return refused ? 1 : deferred ? 75 : 0;
    };

    connection conn;
    std::string err;
    if (!conn.open(o, err)) return finish(err);

    char out[8192];
    char rbuf[16384];
    std::string_view in;
    smtpp::reply_reader reader;
    smtpp::reply_collector collector;
    int sent = 0;
    std::size_t bdat_sent = 0;  // octets of `canonical` already sent in BDAT chunks
    smtpp::client_result r = smtpp::client_start(cfg);
    for (;;) {
        if (!r.write.empty() && !conn.write_all(r.write)) return finish("connection lost while writing");
        switch (r.event) {
            case smtpp::client_event::recipient:
                rs[r.index].code = r.code;
                rs[r.index].esc = r.esc;
                if (r.outcome == smtpp::outcome::accepted) accepted.push_back(r.index);
                else rs[r.index].outcome = r.outcome;
                break;
            case smtpp::client_event::delivery:
                if (r.index < accepted.size()) {
                    recipient_state& x = rs[accepted[r.index]];
                    x.outcome = r.outcome;
                    x.code = r.code;
                    x.esc = r.esc;
                }
                break;
            case smtpp::client_event::message:
                if (!o.lmtp || r.error != smtpp::client_error::none) {
                    for (std::size_t i = 0; i < rs.size(); ++i) {
                        if (rs[i].outcome != smtpp::outcome::none) continue;
                        const bool was_accepted = std::find(accepted.begin(), accepted.end(), i) != accepted.end();
                        if (!was_accepted && r.error == smtpp::client_error::none) continue;
                        rs[i].outcome = r.outcome;
                        if (r.code != 0) {
                            rs[i].code = r.code;
                            rs[i].esc = r.esc;
                        }
                        if (r.error != smtpp::client_error::none) rs[i].why = std::string(smtpp::to_string(r.error));
                    }
                }
                break;
            case smtpp::client_event::failed:
                err = std::string(smtpp::to_string(r.error));
                if (r.code != 0) err += ": " + explain(r.code, r.esc, o.lang);
                break;
            default: break;
        }
        const smtpp::client_state st = r.next;
        switch (r.act) {
            case smtpp::client_action::read_reply: {
                if (r.expect_ehlo) reader.expect_ehlo();
                bool got = false;
                while (!got) {
                    if (in.empty()) {
                        const int t = o.timeout_cap > 0 && o.timeout_cap < r.timeout ? o.timeout_cap : r.timeout;
                        if (!conn.wait_readable(t)) return finish("timeout waiting for the server");
                        const long n = conn.read_some(rbuf, sizeof rbuf);
                        if (n <= 0) return finish(err.empty() ? "connection closed by the server" : err);
                        in = std::string_view(rbuf, static_cast<std::size_t>(n));
                    }
                    smtpp::reply_line ln;
                    const smtpp::status s = reader.next_line(in, ln);
                    if (s == smtpp::status::failed)
                        return finish(std::string("bad reply: ") + std::string(smtpp::to_string(reader.error())));
                    if (s == smtpp::status::need_more) continue;
                    if (collector.add(ln)) {
                        collector.set_trailing(!in.empty() || reader.in_reply());
                        got = true;
                    }
                }
                r = smtpp::client_step(cfg, env, st, collector.reply(), out, sizeof out);
                break;
            }
            case smtpp::client_action::start_tls:
                in = {};
                reader.reset();
                if (!conn.start_tls(o, err)) return finish(err);
                r = smtpp::client_tls_established(cfg, st, out, sizeof out);
                break;
            case smtpp::client_action::send_body: {
                if (!r.bdat) {
                    smtpp::body_encoder enc(eo);
                    std::string_view b = message;
                    std::string batch;  // pieces gathered into writes of about 64 KiB
                    std::size_t done = 0;
                    while (!b.empty()) {
                        const std::size_t before = b.size();
                        const std::string_view p = enc.next(b);
                        done += before - b.size();
                        batch.append(p.data(), p.size());
                        if (batch.size() >= 65536) {
                            if (!conn.write_all(batch)) return finish("connection lost while writing the body");
                            batch.clear();
                            if (progress) std::fprintf(stderr, "\r%zu / %zu KiB", done >> 10, message.size() >> 10);
                        }
                    }
                    const std::string_view last = enc.finish();
                    batch.append(last.data(), last.size());
                    if (!conn.write_all(batch)) return finish("connection lost while writing the body");
                    if (progress) std::fprintf(stderr, "\r%zu / %zu KiB\n", message.size() >> 10, message.size() >> 10);
                    r = smtpp::client_body_done(cfg, st);
                } else {
                    // One chunk per MiB; the client says when to send the next.
                    std::size_t& off = bdat_sent;
                    const std::size_t n = std::min<std::size_t>(canonical.size() - off, 1u << 20);
                    const bool last = off + n == canonical.size();
                    r = smtpp::client_chunk(cfg, st, n, last, out, sizeof out);
                    if (!conn.write_all(r.write) || !conn.write_all(std::string_view(canonical).substr(off, n)))
                        return finish("connection lost while writing the body");
                    r.write = {};
                    off += n;
                    if (progress)
                        std::fprintf(stderr, "\r%zu / %zu KiB%s", off >> 10, canonical.size() >> 10, last ? "\n" : "");
                }
                break;
            }
            case smtpp::client_action::ready:
                r = sent++ == 0 ? smtpp::client_send(cfg, env, st, out, sizeof out) : smtpp::client_quit(cfg, st);
                break;
            case smtpp::client_action::next_recipient:
                // Asked only with envelope::one_at_a_time; smtpp-send has every recipient
                // from its command line and passes them as a span.
                return finish("the client asked for recipients one at a time");
            case smtpp::client_action::close: return finish(err);
        }
    }
}
