// A complete client host for the tests and the fuzz target: reply reader → reply_collector
// → client_step, body through body_encoder, host events answered at once. It records what
// the client writes and reports as text lines, so that transcripts can compare them.
#ifndef SMTPP_TESTS_CLIENT_HARNESS_HPP
#define SMTPP_TESTS_CLIENT_HARNESS_HPP

#include <smtpp/client.hpp>
#include <smtpp/encode.hpp>
#include <smtpp/reply.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace smtpp_client_test {

inline std::string escape(std::string_view s) {
    std::string o;
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\r') o += "\\r";
        else if (c == '\n') o += "\\n";
        else if (c == '\t') o += "\\t";
        else if (c == '\\') o += "\\\\";
        else if (u < 0x20 || u == 0x7f) {
            char b[8];
            std::snprintf(b, sizeof b, "\\x%02X", u);
            o += b;
        } else o += c;
    }
    return o;
}

inline std::string unescape(std::string_view s) {
    std::string o;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 == s.size()) {
            o += s[i];
            continue;
        }
        const char c = s[++i];
        if (c == 'r') o += '\r';
        else if (c == 'n') o += '\n';
        else if (c == 't') o += '\t';
        else if (c == '0') o += '\0';
        else if (c == 'x' && i + 2 < s.size() + 1) {
            o += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else o += c;
    }
    return o;
}

inline const char* error_name(smtpp::client_error e) {
    static const char* const names[] = {
        "none",           "greeting_refused",   "service_closing",  "ehlo_refused",      "tls_unavailable",
        "tls_refused",    "response_injection", "auth_unavailable", "auth_failed",       "auth_loop",
        "needs_smtputf8", "needs_8bitmime",     "needs_binarymime", "too_big",           "bad_address",
        "no_space",       "protocol",           "unexpected_reply", "no_recipients",     "mail_refused",
        "data_refused",   "message_refused",    "invalid_call",     "no_recipient_given"};
    const auto i = static_cast<std::size_t>(e);
    return i < sizeof names / sizeof names[0] ? names[i] : "?";
}

inline const char* outcome_name(smtpp::outcome o) {
    switch (o) {
        case smtpp::outcome::none: return "none";
        case smtpp::outcome::accepted: return "accepted";
        case smtpp::outcome::deferred: return "deferred";
        case smtpp::outcome::refused: return "refused";
    }
    return "?";
}

inline std::string esc_text(smtpp::enhanced_code e) {
    const auto t = smtpp::format_enhanced_code(e);
    return t.size == 0 ? std::string("-") : std::string(t.view());
}

/// What the host is told to use.
struct host_script {
    smtpp::client_config cfg{};
    std::string from;
    std::vector<std::string> to;
    std::vector<std::string> orcpt;
    std::string body;
    smtpp::envelope env{};  // filled by prepare()
    std::vector<std::string_view> to_views;
    std::vector<std::string_view> orcpt_views;
    std::string helo = "client.example", user, password, envid;
    int messages = 1;
    smtpp::newline_policy newline = smtpp::newline_policy::strict;
    std::size_t chunk = 0;  // BDAT chunk size, 0 = one chunk

    void prepare() {
        to_views.assign(to.begin(), to.end());
        orcpt_views.assign(orcpt.begin(), orcpt.end());
        env.from = from;
        env.to = to_views.empty() ? nullptr : to_views.data();
        env.to_count = to_views.size();
        env.orcpt = orcpt_views.empty() ? nullptr : orcpt_views.data();
        env.envid = envid;
        cfg.helo = helo;
        cfg.user = user;
        cfg.password = password;
    }
};

/**
 * Runs the client against `packets` (each what the server sends before it waits), each
 * packet cut into the chunks `cut` gives. Returns the log lines.
 */
template <typename Cut>
std::vector<std::string> run(host_script& sc, const std::vector<std::string>& packets, Cut cut) {
    sc.prepare();
    std::vector<std::string> log;
    const auto log_write = [&](std::string_view w) {
        while (!w.empty()) {
            const std::size_t e = w.find("\r\n");
            if (e == std::string_view::npos) {
                log.push_back("C! " + escape(w));
                return;
            }
            log.push_back(e == 0 ? std::string("C:") : "C: " + escape(w.substr(0, e)));
            w.remove_prefix(e + 2);
        }
    };
    const auto log_event = [&](const smtpp::client_result& r) {
        if (r.dsn_dropped) log.push_back("E: dsn-dropped");
        switch (r.event) {
            case smtpp::client_event::none: break;
            case smtpp::client_event::session: log.push_back("E: session"); break;
            case smtpp::client_event::recipient:
                log.push_back("E: rcpt " + std::to_string(r.index) + " " + outcome_name(r.outcome) + " " +
                              std::to_string(r.code) + " " + esc_text(r.esc));
                break;
            case smtpp::client_event::delivery:
                log.push_back("E: delivery " + std::to_string(r.index) + " " + outcome_name(r.outcome) + " " +
                              std::to_string(r.code) + " " + esc_text(r.esc));
                break;
            case smtpp::client_event::message:
                log.push_back(std::string("E: message ") + outcome_name(r.outcome) + " " + std::to_string(r.code) +
                              " " + esc_text(r.esc) + " " + error_name(r.error));
                break;
            case smtpp::client_event::failed:
                log.push_back(std::string("E: failed ") + error_name(r.error) + " " + std::to_string(r.code));
                break;
        }
    };
    char out[2048];
    smtpp::reply_reader reader;
    smtpp::reply_collector collector;
    std::size_t next_packet = 0;
    std::vector<std::string> chunks;
    std::size_t chunk_i = 0;
    std::string_view in;
    int sent = 0;
    std::size_t bdat_off = 0;
    std::size_t given = 0;  // one at a time: recipients the client took
    smtpp::client_result r = smtpp::client_start(sc.cfg);
    for (int guard = 0; guard < 10000; ++guard) {
        log_event(r);
        log_write(r.write);
        const smtpp::client_state st = r.next;
        switch (r.act) {
            case smtpp::client_action::read_reply: {
                if (r.timeout == 0) {
                    log.push_back("E: BUG read without timeout");
                    return log;
                }
                if (r.expect_ehlo) reader.expect_ehlo();
                bool got = false;
                while (!got) {
                    if (in.empty()) {
                        if (chunk_i < chunks.size()) {
                            in = chunks[chunk_i++];
                            continue;
                        }
                        if (next_packet == packets.size()) {
                            log.push_back("E: [eof]");
                            return log;
                        }
                        chunks = cut(packets[next_packet++]);
                        chunk_i = 0;
                        continue;
                    }
                    smtpp::reply_line ln;
                    const smtpp::status s = reader.next_line(in, ln);
                    if (s == smtpp::status::failed) {
                        log.push_back(std::string("E: reply-error ") + std::string(smtpp::to_string(reader.error())));
                        return log;
                    }
                    if (s == smtpp::status::need_more) continue;
                    log.push_back("S: " + escape(ln.line));
                    if (collector.add(ln)) {
                        // Bytes behind the reply: in this chunk, later chunks of the packet.
                        bool trailing = !in.empty();
                        for (std::size_t k = chunk_i; k < chunks.size(); ++k) trailing = trailing || !chunks[k].empty();
                        collector.set_trailing(trailing);
                        got = true;
                    }
                }
                r = smtpp::client_step(sc.cfg, sc.env, st, collector.reply(), out, sizeof out);
                break;
            }
            case smtpp::client_action::start_tls:
                log.push_back("E: [tls]");
                reader.reset();
                in = {};
                chunks.clear();
                r = smtpp::client_tls_established(sc.cfg, st, out, sizeof out);
                break;
            case smtpp::client_action::send_body:
                if (r.timeout == 0) {
                    log.push_back("E: BUG body without timeout");
                    return log;
                }
                if (!r.bdat) {
                    smtpp::encode_options eo;
                    eo.newline = sc.newline;
                    smtpp::body_encoder enc(eo);
                    std::string wire;
                    std::string_view b = sc.body;
                    while (!b.empty() && !enc.failed()) {
                        const std::string_view piece = enc.next(b);
                        wire.append(piece.data(), piece.size());
                    }
                    const std::string_view last = enc.finish();
                    wire.append(last.data(), last.size());
                    if (enc.failed()) {
                        log.push_back("E: body refused");
                        return log;
                    }
                    log_write(wire);
                    r = smtpp::client_body_done(sc.cfg, st);
                } else {
                    smtpp::encode_options eo;
                    eo.newline = sc.newline;
                    eo.stuff = false;
                    smtpp::body_encoder enc(eo);
                    std::string wire;
                    std::string_view b = sc.body;
                    while (!b.empty() && !enc.failed()) {
                        const std::string_view piece = enc.next(b);
                        wire.append(piece.data(), piece.size());
                    }
                    const std::string_view last = enc.finish();
                    wire.append(last.data(), last.size());
                    const std::size_t size = sc.chunk == 0 ? wire.size() : sc.chunk;
                    std::size_t& off = bdat_off;  // how much of this message's body is sent
                    const std::size_t n = std::min(size, wire.size() - off);
                    const bool lastc = off + n == wire.size();
                    r = smtpp::client_chunk(sc.cfg, st, n, lastc, out, sizeof out);
                    log_write(r.write);
                    r.write = {};
                    if (r.act == smtpp::client_action::read_reply) {
                        log.push_back("C! " + escape(std::string_view(wire).substr(off, n)));
                        off += n;
                    }
                }
                break;
            case smtpp::client_action::ready:
                if (sent < sc.messages) {
                    ++sent;
                    bdat_off = 0;
                    given = 0;
                    r = smtpp::client_send(sc.cfg, sc.env, st, out, sizeof out);
                } else {
                    r = smtpp::client_quit(sc.cfg, st);
                }
                break;
            case smtpp::client_action::next_recipient:
                if (given < sc.to.size()) {
                    const std::string_view o = given < sc.orcpt.size() ? std::string_view(sc.orcpt[given])
                                                                       : std::string_view{};
                    r = smtpp::client_recipient(sc.cfg, sc.env, st, sc.to[given], o, out, sizeof out);
                    if (r.taken) ++given;
                    if (r.event == smtpp::client_event::recipient && r.error != smtpp::client_error::none)
                        log.push_back(std::string("E: local ") + error_name(r.error));
                } else {
                    r = smtpp::client_recipients_done(sc.cfg, sc.env, st, out, sizeof out);
                }
                break;
            case smtpp::client_action::close: log.push_back("E: [close]"); return log;
        }
    }
    log.push_back("E: BUG no end");
    return log;
}

}  // namespace smtpp_client_test

#endif
