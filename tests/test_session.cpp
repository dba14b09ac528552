// Tests of the server session (include/smtpp/session.hpp).
//
// - Transcripts: tests/data/session/*.txt (format in tests/data/session/README.md), run by
//   one runner through a complete sans-I/O host (line reader, session, body decoders), fed
//   whole, byte by byte, and in chunks of 2, 3, 7 and 64: the output must be identical.
// - Exhaustive: every sequence of input kinds up to depth 6 from the greeting, for an
//   SMTP and an LMTP policy, checking the invariants of the issue on every step.
// - The table: covers every (phase, verb) pair; the committed diagram matches it.
// - Zero allocation over whole sessions from bench/data/commands.txt.
#include <catch2/catch.hpp>

#include <smtpp/session.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "support/alloc_counter.hpp"

#define SMTPP_GEN_STATE_DIAGRAM_NO_MAIN
#include "../tools/gen_state_diagram.cpp"

using namespace smtpp;

namespace {
// The host-owned command storage every step() writes into (reused, as a host does).
smtpp::command g_cmd;


std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// ------------------------------------------------------------------------------------------
// Reply well-formedness (RFC 5321 §4.2, RFC 2034 §4)
// ------------------------------------------------------------------------------------------

std::string check_reply(std::string_view r, bool esc) {
    if (r.size() < 6) return "too short";
    const std::string_view code = r.substr(0, 3);
    if (code[0] < '2' || code[0] > '5' || code[1] < '0' || code[1] > '5' || code[2] < '0' || code[2] > '9')
        return "bad code";
    std::size_t pos = 0;
    while (pos < r.size()) {
        const std::size_t end = r.find("\r\n", pos);
        if (end == std::string_view::npos) return "no CRLF";
        const std::string_view line = r.substr(pos, end - pos);
        for (char ch : line)
            if ((static_cast<unsigned char>(ch) < 0x20 && ch != '\t') || ch == 0x7F) return "control in text";
        if (line.size() < 4 || line.substr(0, 3) != code) return "code differs between lines";
        const bool last = end + 2 == r.size();
        if (line[3] != (last ? ' ' : '-')) return "bad separator";
        pos = end + 2;
    }
    // Enhanced codes: on every reply but 3xx and the greeting/EHLO/HELO capability lines.
    const bool plain = code[0] == '3' || code == "220" || r.find("\r\n") != r.size() - 2 ||
                       (code == "250" && r.find(' ', 4) == std::string_view::npos);
    if (esc && !plain && !(code == "220" || code == "250")) {
        if (r.size() < 10 || r[4] != code[0] || r[5] != '.') return "missing enhanced code";
    }
    if (!esc && r.size() > 6 && r[4] >= '2' && r[4] <= '5' && r[5] == '.') return "unexpected enhanced code";
    return {};
}

// ------------------------------------------------------------------------------------------
// A complete host, as a real server would write it, recording everything it writes.
// ------------------------------------------------------------------------------------------

struct decision {
    verdict v = verdict::accept;
    std::string challenge;
    bool is_challenge = false;
};

struct host {
    const policy& pol;
    session_state st{};
    line_reader<16384> rd;
    data_decoder dd;
    bdat_decoder bd;
    bdat_decoder skip;
    enum class mode { lines, data, bdat, closed } md = mode::lines;
    bool chunk_discard = false;
    bool drop_packet = false;  // STARTTLS / close: the rest of the input is never parsed
    std::deque<decision> decisions;
    std::string out;
    std::string body;
    std::vector<std::string> delivered;
    char challenge_buf[256] = {};
    std::string problem;

    explicit host(const policy& p) : pol(p) {
        rd.set_max_line(line_limit(p));
        handle(start(pol, st));
    }

    decision next_decision() {
        if (decisions.empty()) return {};
        decision d = decisions.front();
        decisions.pop_front();
        return d;
    }

    void handle(step_result r) {
        for (;;) {
            for (std::uint16_t k = 0; k < r.count; ++k) out.append(r.reply.data(), r.reply.size());
            if (r.count == 0 && !r.reply.empty()) problem = "reply with count 0";
            if (!r.reply.empty()) {
                const std::string why = check_reply(r.reply, pol.enhanced_codes());
                if (!why.empty()) problem = "bad reply '" + std::string(r.reply) + "': " + why;
            }
            st = r.next;
            switch (r.act) {
                case action::none: return;
                case action::close:
                    out += "[close]\n";
                    md = mode::closed;
                    drop_packet = true;
                    return;
                case action::start_tls:
                    out += "[tls]\n";
                    rd.discard();
                    drop_packet = true;
                    r = tls_established(pol, st);
                    continue;
                case action::read_data:
                    dd = data_decoder(body_options(pol, st));
                    body.clear();
                    md = mode::data;
                    return;
                case action::read_bdat:
                    chunk_discard = r.discard;
                    if (r.discard) {
                        skip = bdat_decoder(r.chunk_size);
                    } else if (r.first_chunk) {
                        bd = bdat_decoder(r.chunk_size, chunk_options(pol, st), r.last);
                        body.clear();
                    } else {
                        bd.next_chunk(r.chunk_size, r.last);
                    }
                    md = mode::bdat;
                    return;
                case action::verify_sender:
                case action::verify_recipient: r = resolve(pol, st, next_decision().v); continue;
                case action::verify_credentials: {
                    const decision d = next_decision();
                    if (d.is_challenge) r = auth_challenge(pol, st, d.challenge, challenge_buf, sizeof challenge_buf);
                    else r = resolve(pol, st, d.v);
                    continue;
                }
                case action::deliver: {
                    const decision d = next_decision();
                    if (d.v == verdict::accept) delivered.push_back(body);
                    r = resolve(pol, st, d.v);
                    continue;
                }
            }
            return;
        }
    }

    /// Feeds one piece of a packet; `rest` = bytes of the packet after this piece.
    void feed(std::string_view in, std::size_t rest) {
        for (;;) {
            if (drop_packet || md == mode::closed) return;
            if (md == mode::lines) {
                const line_event ev = rd.next(in);
                in.remove_prefix(ev.consumed);
                if (ev.st == status::need_more) return;
                if (ev.st == status::failed) {
                    handle(on_line_error(pol, st, ev));
                    continue;
                }
                const bool pending_input = !in.empty() || rest != 0;
                handle(step(pol, st, ev.line, g_cmd, pending_input));
            } else if (md == mode::data) {
                const data_event ev = dd.next(in);
                in.remove_prefix(ev.consumed);
                if (ev.kind == data_event_kind::content) body.append(ev.content.data(), ev.content.size());
                else if (ev.kind == data_event_kind::end) {
                    md = mode::lines;
                    handle(end_of_data(pol, st, ev.err));
                } else {
                    return;
                }
            } else {
                bdat_decoder& d = chunk_discard ? skip : bd;
                const data_event ev = d.next(in);
                in.remove_prefix(ev.consumed);
                if (ev.kind == data_event_kind::content) {
                    if (!chunk_discard) body.append(ev.content.data(), ev.content.size());
                } else if (ev.kind == data_event_kind::end) {
                    md = mode::lines;
                    handle(end_of_chunk(pol, st, ev.err));
                } else {
                    return;
                }
            }
        }
    }

    /// Feeds a packet (what the client sends before it waits) in pieces of `piece` octets
    /// (0 = whole).
    void packet(std::string_view p, std::size_t piece) {
        drop_packet = false;
        if (piece == 0) piece = p.size() == 0 ? 1 : p.size();
        for (std::size_t i = 0; i < p.size(); i += piece) {
            const std::size_t n = std::min(piece, p.size() - i);
            // Each piece in its own exactly sized heap buffer: over-reads fault under ASan.
            std::unique_ptr<char[]> buf(new char[n]);
            std::memcpy(buf.get(), p.data() + i, n);
            feed(std::string_view(buf.get(), n), p.size() - i - n);
        }
        if (md == mode::bdat && !drop_packet) feed({}, 0);  // a zero-size chunk ends on no input
    }
};

// ------------------------------------------------------------------------------------------
// Transcripts
// ------------------------------------------------------------------------------------------

std::string unescape(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 == s.size()) {
            out += s[i];
            continue;
        }
        const char c = s[++i];
        if (c == 'r') out += '\r';
        else if (c == 'n') out += '\n';
        else if (c == 't') out += '\t';
        else if (c == '0') out += '\0';
        else if (c == 'x' && i + 2 < s.size() + 1) {
            out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else if (c == '*') {  // \*N{text}: text repeated N times
            const std::size_t brace = s.find('{', i);
            const std::size_t close = s.find('}', brace);
            const int n = std::stoi(std::string(s.substr(i + 1, brace - i - 1)));
            const std::string unit(s.substr(brace + 1, close - brace - 1));
            for (int k = 0; k < n; ++k) out += unit;
            i = close;
        } else out += c;
    }
    return out;
}

struct transcript {
    std::string file;
    std::string title;
    int line = 0;
    policy_options opts;
    std::vector<std::string> packets;
    std::deque<decision> decisions;
    std::string expected;
    std::string error;
};

verdict parse_verdict(const std::string& w, std::string& err) {
    const char* names[] = {"accept",       "reject",       "defer",   "unknown_user",
                           "relay_denied", "mailbox_full", "too_big", "too_weak"};
    for (std::size_t i = 0; i < verdict_count; ++i)
        if (w == names[i]) return static_cast<verdict>(i);
    err = "unknown verdict " + w;
    return verdict::accept;
}

void apply_policy(policy_options& o, const std::string& tok, std::string& err, std::vector<std::string>& keep) {
    const std::size_t eq = tok.find('=');
    const std::string k = tok.substr(0, eq);
    const std::string v = eq == std::string::npos ? std::string("1") : tok.substr(eq + 1);
    const bool on = v != "0";
    struct ext_name {
        const char* n;
        extension e;
    };
    const ext_name exts[] = {{"pipelining", ext_pipelining},
                             {"size", ext_size},
                             {"8bitmime", ext_8bitmime},
                             {"smtputf8", ext_smtputf8},
                             {"esc", ext_enhancedstatuscodes},
                             {"dsn", ext_dsn},
                             {"chunking", ext_chunking},
                             {"binarymime", ext_binarymime},
                             {"starttls", ext_starttls},
                             {"auth", ext_auth},
                             {"requiretls", ext_requiretls},
                             {"deliverby", ext_deliverby},
                             {"futurerelease", ext_futurerelease},
                             {"mt-priority", ext_mt_priority},
                             {"rrvs", ext_rrvs},
                             {"limits", ext_limits}};
    for (const auto& e : exts) {
        if (k == e.n) {
            o.extensions = on ? (o.extensions | e.e) : (o.extensions & ~static_cast<std::uint32_t>(e.e));
            return;
        }
    }
    if (k == "mechanisms") {
        o.extensions |= ext_auth;
        std::size_t pos = 0;
        while (pos <= v.size()) {
            std::size_t c = v.find(',', pos);
            if (c == std::string::npos) c = v.size();
            const std::string m = v.substr(pos, c - pos);
            const sasl_mechanism id = detail::mechanism_of(m);
            if (id == sasl_mechanism::other) err = "unknown mechanism " + m;
            o.auth_mechanisms |= mechanism_bit(id);
            pos = c + 1;
        }
    } else if (k == "lmtp") o.lmtp = on;
    else if (k == "require_auth") o.require_auth = on;
    else if (k == "require_tls") o.require_tls = on;
    else if (k == "auth_needs_tls") o.auth_needs_tls = on;
    else if (k == "sync") o.enforce_sync = on;
    else if (k == "unknown_param_504") o.unknown_param_504 = on;
    else if (k == "verify") o.verify_senders = o.verify_recipients = on;
    else if (k == "normalize") o.bare_newline = on ? bare_newline_policy::normalize : bare_newline_policy::reject;
    else if (k == "max_size") o.max_message_size = std::stoull(v);
    else if (k == "max_rcpt") o.max_recipients = static_cast<std::uint16_t>(std::stoul(v));
    else if (k == "max_errors") o.max_errors = static_cast<std::uint8_t>(std::stoul(v));
    else if (k == "mailmax") o.limits_mailmax = static_cast<std::uint16_t>(std::stoul(v));
    else if (k == "hostname") {
        keep.push_back(v);
        o.hostname = keep.back();
    } else if (k == "greeting") {
        keep.push_back(unescape(v));
        o.greeting = keep.back();
    } else if (k == "mt_priority_policy") {
        keep.push_back(v);
        o.mt_priority_policy = keep.back();
    } else err = "unknown policy key " + k;
}

std::vector<transcript> load_transcripts(const std::string& file, std::vector<std::string>& keep) {
    std::vector<transcript> all;
    std::istringstream in(read_file(std::string(SMTPP_TEST_DATA_DIR) + "/session/" + file));
    std::string ln;
    int no = 0;
    bool client_run = false;
    while (std::getline(in, ln)) {
        ++no;
        if (!ln.empty() && ln.back() == '\r') ln.pop_back();
        if (ln.rfind("=== ", 0) == 0) {
            all.emplace_back();
            all.back().file = file;
            all.back().title = ln.substr(4);
            all.back().line = no;
            client_run = false;
            continue;
        }
        if (ln.empty() || ln[0] == '#' || all.empty()) continue;
        transcript& t = all.back();
        const std::string tag = ln.substr(0, 2);
        const std::string rest = ln.size() > 3 ? ln.substr(3) : std::string();
        if (tag == "P:") {
            std::istringstream ws(rest);
            std::string tok;
            while (ws >> tok) apply_policy(t.opts, tok, t.error, keep);
        } else if (tag == "C:" || tag == "C!") {
            if (!client_run) t.packets.emplace_back();
            t.packets.back() += unescape(rest);
            if (tag == "C:") t.packets.back() += "\r\n";
            client_run = true;
        } else if (tag == "S:") {
            t.expected += unescape(rest);
            if (rest != "[close]" && rest != "[tls]") t.expected += "\r\n";
            else t.expected += "\n";
            client_run = false;
        } else if (tag == "H:") {
            std::istringstream ws(rest);
            std::string w;
            ws >> w;
            decision d;
            if (w == "challenge") {
                d.is_challenge = true;
                ws >> d.challenge;
                if (d.challenge == "-") d.challenge.clear();
            } else {
                d.v = parse_verdict(w, t.error);
            }
            t.decisions.push_back(d);
        } else {
            t.error = "bad line " + std::to_string(no) + ": " + ln;
        }
    }
    return all;
}

std::string run_transcript(const transcript& t, std::size_t piece, std::string* problem = nullptr) {
    const policy pol(t.opts);
    host h(pol);
    h.decisions = t.decisions;
    for (const std::string& p : t.packets) h.packet(p, piece);
    if (problem != nullptr) *problem = h.problem;
    return h.out;
}

const char* const transcript_files[] = {"basic.txt",      "sequence.txt", "errors.txt", "extensions.txt",
                                        "pipelining.txt", "starttls.txt", "auth.txt",   "data.txt",
                                        "bdat.txt",       "lmtp.txt"};

}  // namespace

TEST_CASE("session transcripts (tests/data/session/*.txt), whole and split", "[session][transcript]") {
    std::vector<std::string> keep;
    keep.reserve(1000);
    std::size_t cases = 0;
    for (const char* f : transcript_files) {
        for (const transcript& t : load_transcripts(f, keep)) {
            ++cases;
            INFO(t.file << ":" << t.line << " " << t.title);
            REQUIRE(t.error.empty());
            std::string problem;
            const std::string whole = run_transcript(t, 0, &problem);
            CHECK(problem.empty());
            CHECK(whole == t.expected);
            for (std::size_t piece : {1u, 2u, 3u, 7u, 64u}) {
                INFO("pieces of " << piece);
                CHECK(run_transcript(t, piece) == whole);
            }
        }
    }
    CHECK(cases >= 60);
}

// ------------------------------------------------------------------------------------------
// Exhaustive: every sequence of input kinds up to depth 6
// ------------------------------------------------------------------------------------------

namespace {

struct input_kind {
    const char* line;  // nullptr: a host event
    bool pending;
};

const input_kind smtp_inputs[] = {
    {"EHLO c.example\r\n", false},
    {"HELO c.example\r\n", false},
    {"MAIL FROM:<a@b.example>\r\n", false},
    {"MAIL FROM:<a@b.example> BODY=BINARYMIME\r\n", false},
    {"RCPT TO:<c@d.example>\r\n", false},
    {"DATA\r\n", false},
    {"BDAT 4\r\n", false},
    {"BDAT 4 LAST\r\n", false},
    {"RSET\r\n", false},
    {"NOOP\r\n", true},
    {"QUIT\r\n", false},
    {"STARTTLS\r\n", false},
    {"AUTH PLAIN AGEAYg==\r\n", false},
    {"XYZZY\r\n", false},
};
const input_kind lmtp_inputs[] = {
    {"LHLO c.example\r\n", false},
    {"EHLO c.example\r\n", false},
    {"MAIL FROM:<a@b.example>\r\n", false},
    {"RCPT TO:<c@d.example>\r\n", false},
    {"DATA\r\n", false},
    {"BDAT 4 LAST\r\n", false},
    {"BDAT 4\r\n", false},
    {"RSET\r\n", false},
    {"QUIT\r\n", false},
    {"AUTH LOGIN\r\n", false},
};

/// What the client has been told: the invariants are checked against this model, which
/// follows the replies only, never the session's own state.
struct model {
    bool mail = false;
    int rcpts = 0;
    bool closed = false;
    verb last_verb = verb::unknown;
};

struct explorer {
    const policy& pol;
    const input_kind* inputs;
    std::size_t n_inputs;
    int max_depth;
    std::size_t steps = 0;
    std::string failure;
    session_state fresh_tls{};

    void fail(const std::string& why) {
        if (failure.empty()) failure = why;
    }

    void check(const step_result& r, const session_state& before, model& m, const char* what) {
        ++steps;
        const std::string ctx = std::string(" after ") + what + " in phase " + std::string(to_string(before.phase));
        if (m.closed && (!r.reply.empty() || r.act != action::close)) fail("output after close" + ctx);
        if ((r.count == 0) != r.reply.empty()) fail("count and reply disagree" + ctx);
        if (!r.reply.empty()) {
            const std::string why = check_reply(r.reply, pol.enhanced_codes());
            if (!why.empty()) fail("malformed reply " + std::string(r.reply) + ": " + why + ctx);
        }
        if (r.code == 354 && (!m.mail || m.rcpts == 0)) fail("354 without an accepted RCPT" + ctx);
        if (r.act == action::deliver && (!m.mail || m.rcpts == 0)) fail("delivery without MAIL and RCPT" + ctx);
        if (r.act == action::read_bdat && !r.discard && (!m.mail || m.rcpts == 0))
            fail("chunk accepted without RCPT" + ctx);
        if (r.act == action::close || r.next.phase == phase::closed) m.closed = true;
        if (r.act == action::close && r.next.phase != phase::closed) fail("close action but not closed" + ctx);
    }

    /// Updates the client's model from a reply to a command.
    static void learn(model& m, verb v, std::uint16_t code, const step_result& r) {
        if (code == 0) return;
        const bool ok = code / 100 == 2;
        switch (v) {
            case verb::mail:
                if (ok) {
                    m.mail = true;
                    m.rcpts = 0;
                }
                break;
            case verb::rcpt:
                if (ok && r.why == detail::reply_index(session_reply::recipient_ok)) ++m.rcpts;
                break;
            case verb::rset:
            case verb::helo:
            case verb::ehlo:
            case verb::lhlo:
                if (ok) {
                    m.mail = false;
                    m.rcpts = 0;
                }
                break;
            default: break;
        }
    }

    void run(const session_state& s, model m, int depth) {
        if (!failure.empty() || depth == max_depth) return;
        auto go = [&](const step_result& r, model mm, verb v, const char* what) {
            check(r, s, mm, what);
            learn(mm, v, r.code, r);
            // The end of a body (answered, or its last delivery decision) ends the transaction.
            const bool body_end = (s.phase == phase::data || s.phase == phase::chunk ||
                                   s.pending == pending::delivery) &&
                                  r.next.phase == phase::ready && r.next.pending == pending::none;
            if (body_end) {
                mm.mail = false;
                mm.rcpts = 0;
            }
            if (r.act == action::start_tls) {
                const step_result t = tls_established(pol, r.next);
                check(t, r.next, mm, "tls_established");
                session_state want = fresh_tls;
                want.errors = r.next.errors;  // the only thing kept besides TLS
                if (t.next != want) fail("TLS does not give the fresh state");
                // Bytes behind STARTTLS are never answered.
                const step_result inj = step(pol, r.next, "RSET\r\n", g_cmd, false);
                if (!inj.reply.empty() || !(inj.next == r.next)) fail("command answered behind STARTTLS");
                model fresh;
                run(t.next, fresh, depth + 1);
                return;
            }
            run(r.next, mm, depth + 1);
        };
        if (s.pending == pending::credentials) {
            char buf[64];
            go(resolve(pol, s, verdict::accept), m, verb::auth, "resolve(accept)");
            go(resolve(pol, s, verdict::reject), m, verb::auth, "resolve(reject)");
            go(auth_challenge(pol, s, "", buf, sizeof buf), m, verb::auth, "auth_challenge");
            return;
        }
        if (s.pending != pending::none) {
            for (verdict v : {verdict::accept, verdict::reject, verdict::defer}) {
                const verb vb = s.pending == pending::sender      ? verb::mail
                                : s.pending == pending::recipient ? verb::rcpt
                                                                  : verb::unknown;
                go(resolve(pol, s, v), m, vb, "resolve");
            }
            return;
        }
        switch (s.phase) {
            case phase::data:
                go(end_of_data(pol, s, data_error::none), m, verb::unknown, "end_of_data(ok)");
                go(end_of_data(pol, s, data_error::bare_lf), m, verb::unknown, "end_of_data(bare_lf)");
                return;
            case phase::chunk:
                go(end_of_chunk(pol, s, data_error::none), m, verb::unknown, "end_of_chunk(ok)");
                go(end_of_chunk(pol, s, data_error::too_big), m, verb::unknown, "end_of_chunk(too_big)");
                return;
            case phase::auth:
                go(step(pol, s, "AGEAYg==\r\n", g_cmd), m, verb::unknown, "sasl response");
                go(step(pol, s, "*\r\n", g_cmd), m, verb::unknown, "sasl cancel");
                return;
            default: break;
        }
        for (std::size_t i = 0; i < n_inputs; ++i) {
            const std::string_view line = inputs[i].line;
            const step_result r = step(pol, s, line, g_cmd, inputs[i].pending);
            go(r, m, g_cmd.verb, inputs[i].line);
        }
    }
};

void explore(const policy& pol, const input_kind* inputs, std::size_t n, int depth) {
    explorer e{pol, inputs, n, depth, 0, {}, {}};
    e.fresh_tls.phase = phase::fresh;
    e.fresh_tls.flags = sf_tls;
    const step_result g = start(pol);
    REQUIRE(g.code == 220);
    e.run(g.next, model{}, 0);
    INFO(e.failure);
    CHECK(e.failure.empty());
    CHECK(e.steps > 10000);
    WARN("exhaustive: " << e.steps << " transitions checked");
}

}  // namespace

TEST_CASE("exhaustive: every input sequence to depth 6 keeps the invariants (SMTP)", "[session][exhaustive]") {
    policy_options o;
    o.extensions |= ext_starttls | ext_auth | ext_binarymime;
    o.auth_mechanisms = mechanism_bit(sasl_mechanism::plain) | mechanism_bit(sasl_mechanism::login);
    o.max_errors = 4;  // so the 421 path is inside the search
    const policy pol(o);
    explore(pol, smtp_inputs, sizeof smtp_inputs / sizeof smtp_inputs[0], 6);
}

TEST_CASE("exhaustive: every input sequence to depth 7 keeps the invariants (LMTP)", "[session][exhaustive]") {
    policy_options o;
    o.lmtp = true;
    o.extensions |= ext_auth;
    o.auth_mechanisms = mechanism_bit(sasl_mechanism::login);
    const policy pol(o);
    explore(pol, lmtp_inputs, sizeof lmtp_inputs / sizeof lmtp_inputs[0], 7);
}

// ------------------------------------------------------------------------------------------
// The table
// ------------------------------------------------------------------------------------------

TEST_CASE("the transition table covers every (phase, verb) pair", "[session][table]") {
    for (std::size_t ph = 0; ph < phase_count; ++ph) {
        const bool reads_commands = ph >= 1 && ph <= 4;
        for (std::size_t v = 0; v < verb_count; ++v) {
            INFO(to_string(static_cast<phase>(ph)) << " × " << to_string(static_cast<verb>(v)));
            const detail::transition& t = detail::transitions[ph][v];
            if (!reads_commands) {
                CHECK(t.kind == detail::rule::not_command);
                continue;
            }
            CHECK(t.kind != detail::rule::not_command);
            if (t.kind == detail::rule::refuse) {
                CHECK(t.next == static_cast<phase>(ph));  // RFC 5321 §4.1.4: same state
                CHECK(reply_for(t.reply).code >= 500);
            } else {
                CHECK(reply_for(t.reply).code < 400);
            }
        }
    }
}

TEST_CASE("docs/state-machine.dot is generated from the table", "[session][table]") {
    const std::string committed = read_file(std::string(SMTPP_TEST_DATA_DIR) + "/../../docs/state-machine.dot");
    INFO("regenerate: c++ -std=c++17 -Iinclude tools/gen_state_diagram.cpp -o g && ./g > docs/state-machine.dot");
    CHECK(committed == smtpp_tools::state_diagram());
}

TEST_CASE("every reply in the static table is well formed, with and without enhanced codes", "[session][replies]") {
    for (std::size_t i = 0; i < detail::reply_table_size; ++i) {
        for (bool esc : {false, true}) {
            const std::string_view r = detail::replies.get(i, esc);
            INFO(i << " " << r);
            if (i == detail::reply_index(session_reply::ehlo) || i == detail::reply_index(session_reply::helo) ||
                i == detail::reply_index(session_reply::greeting))
                continue;  // rendered per policy
            if (i == detail::reply_index(command_error::none) || i == detail::line_reply_base) continue;  // "none"s
            CHECK(check_reply(r, esc).empty());
        }
    }
    CHECK(to_string(session_reply::challenge_too_long) == "challenge_too_long");
    CHECK(to_string(static_cast<session_reply>(200)) == "?");
}

namespace {
// The pre-table forms of what the session now looks up, kept as reference models.
std::uint16_t code_from_text(std::string_view text) {
    return static_cast<std::uint16_t>((text[0] - '0') * 100 + (text[1] - '0') * 10 + (text[2] - '0'));
}
std::size_t reference_line_limit(const policy& p, const session_state& s) {
    std::size_t n = p.options().parse.max_line;
    if (!s.has(sf_esmtp)) return n;
    if (p.offers(ext_size)) n += 26;
    if (p.offers(ext_auth)) n += 500;
    if (p.offers(ext_smtputf8)) n += 10;
    if (p.offers(ext_dsn)) n += 600;
    return n;
}
bool reference_params_offered(const policy& p, const params& ps, bool binary_ok) {
    const auto need = [&](param_bit b, extension e) { return !ps.has(b) || p.offers(e); };
    if (!need(p_size, ext_size)) return false;
    if (ps.has(p_body)) {
        if (ps.body == body_type::binary_mime) {
            if (!binary_ok) return false;
        } else if (!p.offers(ext_8bitmime)) {
            return false;
        }
    }
    return need(p_smtputf8, ext_smtputf8) && need(p_ret, ext_dsn) && need(p_envid, ext_dsn) &&
           need(p_notify, ext_dsn) && need(p_orcpt, ext_dsn) && need(p_auth, ext_auth) &&
           need(p_requiretls, ext_requiretls) && need(p_mt_priority, ext_mt_priority) &&
           need(p_holdfor, ext_futurerelease) && need(p_holduntil, ext_futurerelease) && need(p_by, ext_deliverby) &&
           need(p_rrvs, ext_rrvs);
}
}  // namespace

TEST_CASE("reply codes come from the table and equal the rendered text's (RFC 5321 §4.2)", "[session][replies]") {
    for (std::size_t i = 0; i < detail::reply_table_size; ++i) {
        for (bool esc : {false, true}) {
            INFO(i << " " << detail::replies.get(i, esc));
            CHECK(detail::replies.code[i] == code_from_text(detail::replies.get(i, esc)));
        }
    }
    // The policy's own renderings (greeting, EHLO in and out of TLS, HELO, 221, 421s):
    // set_reply() picks the policy's slot, with the same code; a broken policy falls back
    // to the static table.
    policy_options o;
    o.hostname = "mx.example";
    o.extensions |= ext_starttls | ext_auth;
    o.auth_mechanisms = mechanism_bit(sasl_mechanism::plain);
    const policy good(o);
    policy_options bad_o = o;
    bad_o.hostname = "bad host";
    const policy bad(bad_o);
    REQUIRE(good.error() == policy_error::none);
    REQUIRE(bad.error() != policy_error::none);
    std::size_t slots = 0;
    for (std::size_t i = 0; i < session_reply_count; ++i) {
        const auto rep = static_cast<session_reply>(i);
        for (bool tls : {false, true}) {
            INFO(to_string(rep) << " tls " << tls);
            step_result r;
            r.next.flags = tls ? sf_tls : 0;
            detail::set_reply(r, good, i);
            const std::string_view rendered = good.rendered(rep, tls);
            CHECK((detail::replies.policy_slot[i] != 0) == !rendered.empty());
            CHECK(r.reply == (rendered.empty() ? detail::replies.get(i, good.enhanced_codes()) : rendered));
            CHECK(r.code == code_from_text(r.reply));
            CHECK(r.why == i);
            CHECK(r.count == 1);
            step_result b;
            b.next.flags = r.next.flags;
            detail::set_reply(b, bad, i);
            CHECK(b.reply == detail::replies.get(i, bad.enhanced_codes()));
            CHECK(b.code == r.code);
        }
        if (detail::replies.policy_slot[i] != 0) ++slots;
    }
    CHECK(slots == 9);
    CHECK(good.rendered(session_reply::ehlo, false).find("STARTTLS") != std::string_view::npos);
    CHECK(good.rendered(session_reply::ehlo, true).find("STARTTLS") == std::string_view::npos);
}

TEST_CASE("precomputed line limits and offered parameters equal their definitions (RFC 5321 §2.2.2, §4.1.2)",
          "[session][policy]") {
    // Every subset of the extensions that matter, against the spelled-out reference.
    const std::uint32_t relevant[] = {ext_size,      ext_8bitmime,      ext_smtputf8,    ext_dsn,
                                      ext_chunking,  ext_binarymime,    ext_auth,        ext_requiretls,
                                      ext_deliverby, ext_futurerelease, ext_mt_priority, ext_rrvs};
    constexpr std::size_t n = sizeof relevant / sizeof relevant[0];
    std::uint32_t rng = 12345;
    for (std::uint32_t subset = 0; subset < (1u << n); ++subset) {
        policy_options o;
        o.extensions = 0;
        for (std::size_t k = 0; k < n; ++k)
            if ((subset >> k) & 1u) o.extensions |= relevant[k];
        o.parse.max_line = 512 + subset % 7;
        const policy p(o);
        REQUIRE(p.error() == policy_error::none);
        policy_options broken_o = o;
        broken_o.hostname = "bad host";  // unusable, yet its limits are still the definition's
        const policy broken(broken_o);
        REQUIRE(broken.error() == policy_error::bad_hostname);
        for (std::uint16_t flags : {std::uint16_t{0}, std::uint16_t{sf_esmtp}, std::uint16_t{sf_esmtp | sf_smtputf8},
                                    std::uint16_t{sf_smtputf8}}) {
            session_state s;
            s.flags = flags;
            CHECK(command_line_limit(p, s) == reference_line_limit(p, s));
            CHECK(command_line_limit(broken, s) == reference_line_limit(broken, s));
            const parse_options po = command_options(p, s);
            CHECK(po.max_line == reference_line_limit(p, s));
            CHECK(po.smtputf8 == (p.offers(ext_smtputf8) && s.has(sf_esmtp)));
            CHECK(po.smtputf8_transaction == s.has(sf_smtputf8));
        }
        // Each parameter alone, and random mixes, with each BODY value and both verbs.
        for (int t = 0; t < 24; ++t) {
            params ps;
            if (t < 14) {
                ps.present = 1u << t;
            } else {
                rng = rng * 1103515245u + 12345u;
                ps.present = (rng >> 8) & ((1u << 14) - 1);
            }
            for (body_type b :
                 {body_type::none, body_type::seven_bit, body_type::eight_bit_mime, body_type::binary_mime}) {
                ps.body = b;
                for (bool binary_ok : {false, true}) {
                    INFO("ext " << o.extensions << " present " << ps.present << " binary_ok " << binary_ok);
                    CHECK(detail::params_offered(p, ps, binary_ok) == reference_params_offered(p, ps, binary_ok));
                }
            }
        }
    }
}

// ------------------------------------------------------------------------------------------
// Compile-time: the whole session is constexpr (RFC 5321 §4.1.4 vectors proved by the compiler)
// ------------------------------------------------------------------------------------------

namespace {
constexpr policy ct_policy{};
constexpr session_state after(std::string_view l1, std::string_view l2 = {}) {
    command c;
    session_state s = start(ct_policy).next;
    s = step(ct_policy, s, l1, c).next;
    if (!l2.empty()) s = step(ct_policy, s, l2, c).next;
    return s;
}
constexpr std::uint16_t code_of(std::string_view l1, std::string_view l2) {
    command c;
    const session_state s = start(ct_policy).next;
    return step(ct_policy, step(ct_policy, s, l1, c).next, l2, c).code;
}
static_assert(after("EHLO x.example\r\n").phase == phase::ready, "EHLO → ready");
static_assert(code_of("NOOP\r\n", "MAIL FROM:<a@b.example>\r\n") == 503, "MAIL before EHLO: 503 (RFC 5321 §4.1.4)");
static_assert(code_of("EHLO x.example\r\n", "RCPT TO:<a@b.example>\r\n") == 503, "RCPT before MAIL: 503");
static_assert(code_of("EHLO x.example\r\n", "DATA\r\n") == 503, "DATA before RCPT: 503");
static_assert(code_of("EHLO x.example\r\n", "QUIT\r\n") == 221, "QUIT: 221");
static_assert(after("EHLO x.example\r\n", "MAIL FROM:<a@b.example>\r\n").pending == pending::sender,
              "MAIL asks the host");
static_assert(std::is_trivially_copyable<session_state>::value, "trivially copyable");
}  // namespace

TEST_CASE("state size", "[session]") {
    WARN("sizeof(session_state) = " << sizeof(session_state) << ", sizeof(step_result) = " << sizeof(step_result)
                                    << ", sizeof(policy) = " << sizeof(policy));
    // The documented bound (README: RAM per session), on every target: 32 octets with
    // 64-bit pointers, 28 on 32-bit ones.
    CHECK(sizeof(session_state) <= 32);
}

// ------------------------------------------------------------------------------------------
// Policy building
// ------------------------------------------------------------------------------------------

TEST_CASE("policy refuses reply injection in host name and greeting", "[session][policy]") {
    policy_options o;
    o.hostname = "mx.example\r\n250 evil";
    CHECK(policy(o).error() == policy_error::bad_hostname);
    o.hostname = "";
    CHECK(policy(o).error() == policy_error::bad_hostname);
    o.hostname = "mx.example";
    o.greeting = "hi\r\n";
    CHECK(policy(o).error() == policy_error::bad_greeting);
    o.greeting = "ESMTP ready";
    o.extensions |= ext_mt_priority;
    o.mt_priority_policy = "MIXER X";
    CHECK(policy(o).error() == policy_error::bad_parameter);
    o.mt_priority_policy = "MIXER";
    const policy ok(o);
    CHECK(ok.error() == policy_error::none);
    CHECK(ok.rendered(session_reply::greeting) == "220 mx.example ESMTP ready\r\n");
    // A broken policy still answers (421, static text) and closes.
    o.hostname = "bad host";
    const policy bad(o);
    const step_result r = start(bad);
    CHECK(r.code == 421);
    CHECK(r.act == action::close);
    CHECK(r.reply == "421 4.3.0 Error: local error in processing\r\n");
    CHECK(to_string(policy_error::too_long) == "too_long");
    CHECK(reply_for(policy_error::bad_hostname).code == 421);
}

TEST_CASE("policy refuses limits below the RFC minimums (RFC 5321 §4.5.3.1.4, RFC 4954 §4)", "[session][policy]") {
    policy_options o;
    o.hostname = "mx.example";
    CHECK(policy(o).error() == policy_error::none);
    // RFC 5321 §4.5.3.1.4: a server must accept command lines of 512 octets.
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{100}, std::size_t{511}}) {
        o.parse.max_line = n;
        const policy p(o);
        CHECK(p.error() == policy_error::bad_limit);
        CHECK(to_string(p.error()) == "bad_limit");
        const step_result r = start(p);  // a broken policy answers 421 and closes
        CHECK(r.code == 421);
        CHECK(r.act == action::close);
    }
    o.parse.max_line = 512;
    CHECK(policy(o).error() == policy_error::none);
    o.parse.max_line = policy::max_limit + 1;
    CHECK(policy(o).error() == policy_error::bad_limit);
    o.parse.max_line = 1000;
    // RFC 4954 §4: 12288-octet AUTH lines, when AUTH is offered.
    o.parse.max_auth_line = 12287;
    CHECK(policy(o).error() == policy_error::none);
    o.extensions |= ext_auth;
    o.auth_mechanisms = mechanism_bit(sasl_mechanism::plain);
    CHECK(policy(o).error() == policy_error::bad_limit);
    o.parse.max_auth_line = 12288;
    CHECK(policy(o).error() == policy_error::none);
    o.parse.max_auth_line = policy::max_limit + 1;
    CHECK(policy(o).error() == policy_error::bad_limit);
}

TEST_CASE("EHLO advertises every extension of the policy, STARTTLS only before TLS, REQUIRETLS only inside",
          "[session][policy]") {
    policy_options o;
    o.hostname = "mx.example";
    o.extensions = ext_pipelining | ext_size | ext_8bitmime | ext_smtputf8 | ext_enhancedstatuscodes | ext_dsn |
                   ext_chunking | ext_binarymime | ext_starttls | ext_auth | ext_requiretls | ext_deliverby |
                   ext_futurerelease | ext_mt_priority | ext_rrvs | ext_limits;
    o.auth_mechanisms = mechanism_bit(sasl_mechanism::plain) | mechanism_bit(sasl_mechanism::scram_sha_256);
    o.max_message_size = 1000000;
    o.deliverby_min = 60;
    o.mt_priority_policy = "MIXER";
    o.limits_mailmax = 50;
    const policy p(o);
    REQUIRE(p.error() == policy_error::none);
    CHECK(p.rendered(session_reply::ehlo, false) ==
          "250-mx.example\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
          "250-ENHANCEDSTATUSCODES\r\n250-DSN\r\n250-CHUNKING\r\n250-BINARYMIME\r\n250-STARTTLS\r\n"
          "250-AUTH PLAIN SCRAM-SHA-256\r\n250-DELIVERBY 60\r\n250-FUTURERELEASE 604800 2099-12-31T23:59:59Z\r\n"
          "250-MT-PRIORITY MIXER\r\n250-RRVS\r\n250 LIMITS RCPTMAX=100 MAILMAX=50\r\n");
    const std::string_view tls = p.rendered(session_reply::ehlo, true);
    CHECK(tls.find("STARTTLS") == std::string_view::npos);
    CHECK(tls.find("250-REQUIRETLS\r\n") != std::string_view::npos);
    policy_options bare;
    bare.extensions = 0;
    CHECK(policy(bare).rendered(session_reply::ehlo) == "250 localhost\r\n");
    // Too much for the storage: an error, never a truncated reply.
    std::string huge(3000, 'a');
    o.hostname = huge;
    CHECK(policy(o).error() == policy_error::too_long);
}

TEST_CASE("line limits grow with the extensions negotiated (RFC 5321 §2.2.2)", "[session][limits]") {
    policy_options o;
    o.extensions |= ext_auth | ext_smtputf8;
    o.auth_mechanisms = mechanism_bit(sasl_mechanism::plain);
    const policy p(o);
    session_state s = start(p).next;
    CHECK(command_line_limit(p, s) == 512);  // before EHLO: no extension is in force
    s = step(p, s, "EHLO c.example\r\n", g_cmd).next;
    CHECK(command_line_limit(p, s) == 512 + 26 + 500 + 10);
    CHECK(line_limit(p) == 12288);
    // A MAIL line of 530 octets passes after EHLO, a 1100-octet one is 500 5.5.2. (AUTH=
    // decodes to a mailbox, RFC 4954 §5: 64 octets "+79" encoded, 243 octets of domain.)
    const std::string local(64, 'x');
    std::string auth;
    for (int i = 0; i < 64; ++i) auth += "+79";
    const std::string label(60, 'd');
    auth += "@" + label + "." + label + "." + label + "." + label;
    std::string mail = "MAIL FROM:<" + local + "@b.example> AUTH=" + auth + "\r\n";
    CHECK(mail.size() == 530);
    step_result r = step(p, s, mail, g_cmd);
    CHECK(r.act == action::verify_sender);
    mail = "MAIL FROM:<" + local + "@b.example> AUTH=" + std::string(1000, 'y') + "\r\n";
    r = step(p, s, mail, g_cmd);
    CHECK(r.reply == "500 5.5.2 Line too long\r\n");
}

// ------------------------------------------------------------------------------------------
// Host contract
// ------------------------------------------------------------------------------------------

TEST_CASE("a host that breaks the contract gets 421 and close, never an undefined state", "[session][misuse]") {
    const policy p{};
    session_state s = start(p).next;
    s = step(p, s, "EHLO c.example\r\n", g_cmd).next;
    const step_result m = step(p, s, "MAIL FROM:<a@b.example>\r\n", g_cmd);
    REQUIRE(m.act == action::verify_sender);
    // Stepping again without resolve():
    const step_result bad = step(p, m.next, "RCPT TO:<c@d.example>\r\n", g_cmd);
    CHECK(bad.code == 421);
    CHECK(bad.reply == "421 4.3.0 localhost Error: local error in processing\r\n");
    CHECK(bad.act == action::close);
    // resolve() without a pending decision, end_of_data() outside DATA, tls_established()
    // without STARTTLS, start() twice:
    CHECK(resolve(p, s, verdict::accept).code == 421);
    CHECK(end_of_data(p, s, data_error::none).code == 421);
    CHECK(end_of_chunk(p, s, data_error::none).code == 421);
    CHECK(tls_established(p, s).code == 421);
    CHECK(start(p, s).code == 421);
    CHECK(resolve(p, m.next, static_cast<verdict>(99)).code == 421);
    char buf[8];
    CHECK(auth_challenge(p, s, "", buf, sizeof buf).code == 421);
    // After close: nothing.
    const step_result q = step(p, s, "QUIT\r\n", g_cmd);
    const step_result after_close = step(p, q.next, "NOOP\r\n", g_cmd);
    CHECK(after_close.reply.empty());
    CHECK(after_close.act == action::close);
    CHECK(on_line_error(p, q.next, line_error::too_long).reply.empty());
}

TEST_CASE("a data_error past the enum is a misuse: 421 and close, never 250 for a body not delivered (RFC 5321 §6.1)",
          "[session][misuse]") {
    // RFC 5321 §6.1: a 250 after the body accepts responsibility for delivering it. The
    // reply row of a value past the enum would be that of data_error::none ("250 Ok"),
    // with no delivery asked for: the message would be lost.
    policy_options o;
    o.verify_senders = o.verify_recipients = false;
    const policy p(o);
    session_state s = start(p).next;
    for (const char* line : {"EHLO c.example\r\n", "MAIL FROM:<a@b.example>\r\n", "RCPT TO:<c@d.example>\r\n"})
        s = step(p, s, line, g_cmd).next;
    REQUIRE(s.phase == phase::rcpt);
    const step_result d = step(p, s, "DATA\r\n", g_cmd);
    REQUIRE(d.act == action::read_data);
    const step_result c = step(p, s, "BDAT 5\r\n", g_cmd);
    REQUIRE(c.act == action::read_bdat);
    const step_result last = step(p, s, "BDAT 5 LAST\r\n", g_cmd);
    REQUIRE(last.act == action::read_bdat);
    for (const int v : {6, 7, 200, 255}) {
        const auto e = static_cast<data_error>(v);
        for (const step_result& r :
             {end_of_data(p, d.next, e), end_of_chunk(p, c.next, e), end_of_chunk(p, last.next, e)}) {
            CHECK(r.code == 421);
            CHECK(r.act == action::close);
            CHECK(r.next.phase == phase::closed);
        }
    }
    // The last value in range is still a refusal of the body.
    CHECK(end_of_data(p, d.next, data_error::nul).code == 550);
    CHECK(end_of_chunk(p, last.next, data_error::nul).code == 550);
}

// ------------------------------------------------------------------------------------------
// Zero allocation over whole sessions
// ------------------------------------------------------------------------------------------

TEST_CASE("whole sessions from commands.txt allocate nothing", "[session][alloc]") {
    const std::string all = read_file(std::string(SMTPP_BENCH_DATA_DIR) + "/commands.txt");
    REQUIRE(!all.empty());
    policy_options o;
    o.extensions |= ext_starttls | ext_auth | ext_smtputf8 | ext_dsn | ext_binarymime;
    o.auth_mechanisms = mechanism_bit(sasl_mechanism::plain);
    const policy p(o);
    std::size_t commands = 0;
    std::size_t replies = 0;
    std::size_t bytes = 0;
    smtpp_test::no_alloc_scope scope;
    session_state s = start(p).next;
    std::string_view in = all;
    while (!in.empty()) {
        const std::size_t lf = in.find('\n');
        const std::string_view line = in.substr(0, lf + 1);
        in.remove_prefix(lf + 1);
        ++commands;
        step_result r = step(p, s, line, g_cmd, false);
        for (;;) {
            bytes += r.reply.size() * r.count;
            replies += r.count;
            s = r.next;
            if (r.act == action::verify_sender || r.act == action::verify_recipient ||
                r.act == action::verify_credentials || r.act == action::deliver)
                r = resolve(p, s, verdict::accept);
            else if (r.act == action::read_data) r = end_of_data(p, s, data_error::none);
            else if (r.act == action::read_bdat) r = end_of_chunk(p, s, data_error::none);
            else if (r.act == action::start_tls) r = tls_established(p, s);
            else if (r.act == action::close) r = start(p);  // the next client connects
            else break;
        }
    }
    CHECK(scope.allocations() == 0);
    CHECK(commands == 729);
    CHECK(replies >= commands - 60);
    CHECK(bytes > 0);
}

TEST_CASE("timeout and shutdown: 421 with the host name, then nothing (RFC 5321 §4.5.3.2.7, §3.8)", "[session]") {
    policy_options o;
    o.hostname = "mx.example";
    const policy p(o);
    REQUIRE(p.error() == policy_error::none);
    command c;
    const session_state ready = step(p, start(p).next, "EHLO c.example\r\n", c).next;
    const step_result t = timeout(p, ready);
    CHECK(t.reply == "421 4.4.2 mx.example Error: timeout exceeded\r\n");
    CHECK(t.act == action::close);
    CHECK(t.next.phase == phase::closed);
    const step_result d = shutdown(p, ready);
    CHECK(d.reply == "421 4.3.2 mx.example Service shutting down\r\n");
    CHECK(d.act == action::close);
    // Mid-DATA too; and after a close nothing more is said.
    const session_state mail = step(p, ready, "MAIL FROM:<a@b.example>\r\n", c).next;
    const session_state accepted = resolve(p, mail, verdict::accept).next;
    CHECK(shutdown(p, accepted).code == 421);
    CHECK(timeout(p, t.next).reply.empty());
    CHECK(shutdown(p, d.next).reply.empty());
    // Without ENHANCEDSTATUSCODES the enhanced code is left out.
    policy_options plain = o;
    plain.extensions &= ~ext_enhancedstatuscodes;
    const policy q(plain);
    CHECK(timeout(q, ready).reply == "421 mx.example Error: timeout exceeded\r\n");
}

TEST_CASE("LMTP without a recipient limit stops at 65535, so every accepted RCPT gets its reply (RFC 2033 §4.2)",
          "[session][lmtp]") {
    policy_options o;
    o.lmtp = true;
    o.max_recipients = 0;
    o.verify_recipients = false;
    o.verify_senders = false;
    const policy p(o);
    REQUIRE(p.error() == policy_error::none);
    command c;
    session_state s = step(p, start(p).next, "LHLO c.example\r\n", c).next;
    s = step(p, s, "MAIL FROM:<a@b.example>\r\n", c).next;
    for (unsigned i = 0; i < 65535; ++i) {
        const step_result r = step(p, s, "RCPT TO:<c@d.example>\r\n", c);
        REQUIRE(r.code == 250);
        s = r.next;
    }
    const step_result over = step(p, s, "RCPT TO:<c@d.example>\r\n", c);
    CHECK(over.code == 452);
    CHECK(over.next.recipients == 65535);
}

TEST_CASE("LIMITS leaves out RCPTMAX when there is no limit (RFC 9422 §4)", "[session][ehlo]") {
    policy_options o;
    o.extensions |= ext_limits;
    o.max_recipients = 0;
    o.limits_mailmax = 5;
    const policy p(o);
    command c;
    const step_result r = step(p, start(p).next, "EHLO c.example\r\n", c);
    CHECK(r.reply.find("LIMITS MAILMAX=5\r\n") != std::string_view::npos);
    CHECK(r.reply.find("RCPTMAX") == std::string_view::npos);
    o.limits_mailmax = 0;
    const policy q(o);
    CHECK(step(q, start(q).next, "EHLO c.example\r\n", c).reply.find("LIMITS") == std::string_view::npos);
    o.max_recipients = 100;
    const policy with(o);
    CHECK(step(with, start(with).next, "EHLO c.example\r\n", c).reply.find("LIMITS RCPTMAX=100\r\n") !=
          std::string_view::npos);
}
