// Tests of the client session (include/smtpp/client.hpp): RFC 5321 §3.1-§3.3, §4.1.1,
// §4.5.3.2; RFC 3207 (STARTTLS), RFC 4954/4616 (AUTH), RFC 2920 (PIPELINING), RFC 3030
// (CHUNKING), RFC 2033 (LMTP), RFC 1870 (SIZE), RFC 6531 (SMTPUTF8), RFC 3461 (DSN).
// Transcripts in tests/data/client/ run through a complete host, whole, byte by byte and
// split at every position; an exhaustive walk of reply sequences to depth 6 checks the
// invariants on every path, with no allocation.
#include <catch2/catch.hpp>

#include <smtpp/client.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "client_harness.hpp"
#include "support/alloc_counter.hpp"

#define SMTPP_GEN_CLIENT_DIAGRAM_NO_MAIN
#include "../tools/gen_client_diagram.cpp"

namespace {

using namespace smtpp;
using smtpp_client_test::host_script;

// ---- transcripts ----------------------------------------------------------------------

struct transcript {
    std::string title;
    host_script sc;
    std::vector<std::string> packets;
    std::vector<std::string> expected;
};

void apply_key(host_script& sc, const std::string& kv) {
    const std::size_t eq = kv.find('=');
    const std::string k = kv.substr(0, eq);
    const std::string v = eq == std::string::npos ? std::string() : smtpp_client_test::unescape(kv.substr(eq + 1));
    if (k == "lmtp") sc.cfg.lmtp = true;
    else if (k == "tls") sc.cfg.tls = v == "required" ? tls_mode::required : tls_mode::opportunistic;
    else if (k == "user") sc.user = v;
    else if (k == "pass") sc.password = v;
    else if (k == "mech")
        sc.cfg.mechanism = v == "plain"   ? client_mechanism::plain
                           : v == "login" ? client_mechanism::login
                                          : client_mechanism::xoauth2;
    else if (k == "auth_clear") sc.cfg.auth_without_tls = true;
    else if (k == "pipelining") sc.cfg.use_pipelining = v != "0";
    else if (k == "chunking") sc.cfg.use_chunking = true;
    else if (k == "chunk") sc.chunk = std::stoul(v);
    else if (k == "from") sc.from = v;
    else if (k == "to") sc.to.push_back(v);
    else if (k == "orcpt") sc.orcpt.push_back(v);
    else if (k == "size") sc.env.size = std::stoull(v);
    else if (k == "body") sc.env.body = v == "8bit" ? body_type::eight_bit_mime : body_type::binary_mime;
    else if (k == "smtputf8") sc.env.smtputf8 = true;
    else if (k == "ret") sc.env.ret = v == "full" ? ret_type::full : ret_type::hdrs;
    else if (k == "envid") sc.envid = v;
    else if (k == "notify") sc.env.notify = static_cast<std::uint8_t>(std::stoul(v));
    else if (k == "messages") sc.messages = std::stoi(v);
    else if (k == "normalize") sc.newline = newline_policy::normalize;
    else if (k == "helo") sc.helo = v;
    else if (k == "one_at_a_time") sc.env.one_at_a_time = true;
    else FAIL("unknown key " << k);
}

std::vector<transcript> load(const std::string& file) {
    std::ifstream f(std::string(SMTPP_TEST_DATA_DIR) + "/client/" + file);
    REQUIRE(f);
    std::vector<transcript> out;
    std::string line;
    bool in_packet = false;
    while (std::getline(f, line)) {
        if (line.rfind("=== ", 0) == 0) {
            out.emplace_back();
            out.back().title = line.substr(4);
            out.back().sc.from = "a@b.example";
            in_packet = false;
            continue;
        }
        if (line.empty() || line[0] == '#' || out.empty()) continue;
        transcript& t = out.back();
        std::string tag = line.substr(0, 2);
        if (tag.size() == 2) tag += ' ';  // "B:" alone is an empty line
        if (tag[1] == '!') tag[2] = ' ';
        const std::string rest = line.size() > 3 ? line.substr(3) : std::string();
        if (tag == "K: ") {
            std::istringstream ss(rest);
            std::string kv;
            while (ss >> kv) apply_key(t.sc, kv);
        } else if (tag == "B: ") {
            t.sc.body += smtpp_client_test::unescape(rest) + "\r\n";
        } else if (tag == "B! ") {
            t.sc.body += smtpp_client_test::unescape(rest);
        } else if (tag == "S: " || tag == "S! ") {
            if (!in_packet) t.packets.emplace_back();
            in_packet = true;
            t.packets.back() += smtpp_client_test::unescape(rest) + (tag == "S: " ? "\r\n" : "");
        } else {
            in_packet = false;
            t.expected.push_back(line);
        }
    }
    return out;
}

const char* const transcript_files[] = {"basic.txt", "pipelining.txt", "extensions.txt", "tls_auth.txt",
                                        "lmtp.txt",  "bdat.txt",       "errors.txt",     "one_at_a_time.txt"};

std::vector<std::string> whole(const std::string& p) { return {p}; }

TEST_CASE("client transcripts: whole, byte by byte, split at every position", "[client]") {
    for (const char* file : transcript_files) {
        for (transcript& t : load(file)) {
            INFO(file << ": " << t.title);
            const auto got = smtpp_client_test::run(t.sc, t.packets, whole);
            std::string exp_text, got_text, shown;
            for (const auto& l : t.expected) exp_text += l + "\n";
            for (const auto& l : got) {
                shown += l + "\n";
                if (l.rfind("S: ", 0) != 0) got_text += l + "\n";  // the S lines are the input
            }
            if (std::getenv("SMTPP_CLIENT_SHOW") != nullptr) {  // to write a new case: see what it does
                std::fprintf(stderr, "=== %s\n%s\n", t.title.c_str(), shown.c_str());
                continue;
            }
            REQUIRE(got_text == exp_text);
            // Byte by byte.
            const auto bytes = smtpp_client_test::run(t.sc, t.packets, [](const std::string& p) {
                std::vector<std::string> c;
                for (char ch : p) c.emplace_back(1, ch);
                return c;
            });
            REQUIRE(bytes == got);
            // Every packet split at every position k (one cut per packet).
            std::size_t longest = 0;
            for (const auto& p : t.packets) longest = std::max(longest, p.size());
            for (std::size_t k = 1; k < longest; ++k) {
                const auto split = smtpp_client_test::run(t.sc, t.packets, [k](const std::string& p) {
                    if (k >= p.size()) return std::vector<std::string>{p};
                    return std::vector<std::string>{p.substr(0, k), p.substr(k)};
                });
                INFO("split at " << k);
                REQUIRE(split == got);
            }
        }
    }
}

// ---- the table and its diagram -------------------------------------------------------------

TEST_CASE("client: docs/client-state-machine.dot is generated from the table", "[client]") {
    std::ifstream f(std::string(SMTPP_TEST_DATA_DIR) + "/../../docs/client-state-machine.dot");
    REQUIRE(f);
    std::stringstream ss;
    ss << f.rdbuf();
    CHECK(ss.str() == smtpp_tools::client_state_diagram());
}

// ---- compile time, allocation, size ---------------------------------------------------------

constexpr std::size_t greet_and_ehlo() {
    client_config cfg{};
    cfg.helo = "c.example";
    client_result r = client_start(cfg);
    char out[128] = {};
    server_reply g{};
    g.code = 220;
    r = client_step(cfg, envelope{}, r.next, g, out, sizeof out);
    return r.write == std::string_view("EHLO c.example\r\n") && r.expect_ehlo ? r.write.size() : 0;
}
static_assert(greet_and_ehlo() == 16, "client_step runs at compile time");

TEST_CASE("client: state is small and trivially copyable", "[client]") {
    STATIC_REQUIRE(std::is_trivially_copyable<client_state>::value);
    STATIC_REQUIRE(sizeof(client_state) <= 64);
    STATIC_REQUIRE(sizeof(client_state) >= 32);
}


// ---- direct calls: timeouts, refusals, calls out of phase ---------------------------------------

server_reply reply(std::uint16_t code, std::uint32_t ext = 0) {
    server_reply r{};
    r.code = code;
    r.extensions = ext;
    return r;
}

TEST_CASE("client: RFC 5321 §4.5.3.2 timeouts in each state", "[client]") {
    client_config cfg{};
    const std::string_view to[] = {"c@d.example"};
    envelope env{};
    env.from = "a@b.example";
    env.to = to;
    env.to_count = 1;
    char out[512];
    client_result r = client_start(cfg);
    CHECK(r.timeout == 300);  // initial 220
    r = client_step(cfg, env, r.next, reply(220), out, sizeof out);
    CHECK(r.timeout == 300);
    r = client_step(cfg, env, r.next, reply(250), out, sizeof out);
    REQUIRE(r.act == client_action::ready);
    r = client_send(cfg, env, r.next, out, sizeof out);
    CHECK(r.timeout == 300);  // MAIL
    r = client_step(cfg, env, r.next, reply(250), out, sizeof out);
    CHECK(r.timeout == 300);  // RCPT
    r = client_step(cfg, env, r.next, reply(250), out, sizeof out);
    CHECK(r.write == "DATA\r\n");
    CHECK(r.timeout == 120);  // DATA initiation
    r = client_step(cfg, env, r.next, reply(354), out, sizeof out);
    CHECK(r.act == client_action::send_body);
    CHECK(r.timeout == 180);  // data block
    // Out of phase: refused, nothing written.
    CHECK(client_quit(cfg, r.next).error == client_error::invalid_call);
    CHECK(client_send(cfg, env, r.next, out, sizeof out).error == client_error::invalid_call);
    CHECK(client_chunk(cfg, r.next, 1, true, out, sizeof out).error == client_error::invalid_call);
    CHECK(client_tls_established(cfg, r.next, out, sizeof out).error == client_error::invalid_call);
    // A reply while the body is being written: nobody asked for it.
    CHECK(client_step(cfg, env, r.next, reply(550), out, sizeof out).error == client_error::unexpected_reply);
    r = client_body_done(cfg, r.next);
    CHECK(r.timeout == 600);  // after the final dot
}

TEST_CASE("client: bad host input is refused, never written (RFC 5321 §4.1.2, §4.5.3.1)", "[client]") {
    client_config cfg{};
    char out[2048];
    client_result r = client_start(cfg);
    r = client_step(cfg, envelope{}, r.next, reply(220), out, sizeof out);
    r = client_step(cfg, envelope{}, r.next, reply(250), out, sizeof out);
    REQUIRE(r.act == client_action::ready);
    const client_state ready = r.next;
    const std::string long_local(300, 'x');
    const std::string too_long = long_local + "@" + std::string(300, 'y') + ".example";
    const std::string_view bad[] = {"c@d.example\r\nRSET", std::string_view("c@d\0.example", 13), too_long, "no-domain",
                                    "a b@c.example"};
    for (std::string_view b : bad) {
        INFO(b);
        envelope env{};
        env.from = "a@b.example";
        env.to = &b;
        env.to_count = 1;
        const client_result x = client_send(cfg, env, ready, out, sizeof out);
        CHECK(x.event == client_event::message);
        CHECK(x.error == client_error::bad_address);
        CHECK(x.write.empty());
        CHECK(x.act == client_action::ready);
    }
    // A bad HELO name never reaches the wire either.
    client_config bad_helo{};
    bad_helo.helo = "x\r\nMAIL FROM:<>";
    r = client_start(bad_helo);
    r = client_step(bad_helo, envelope{}, r.next, reply(220), out, sizeof out);
    CHECK(r.error == client_error::bad_address);
    CHECK(r.write.empty());
    // An output buffer that cannot hold a command.
    r = client_start(cfg);
    r = client_step(cfg, envelope{}, r.next, reply(220), out, 8);
    CHECK(r.error == client_error::no_space);
}

TEST_CASE("client: recipients one at a time, calls out of phase (RFC 2920 §3.1)", "[client]") {
    client_config cfg{};
    envelope env{};
    env.from = "a@b.example";
    env.one_at_a_time = true;
    char out[512];
    client_result r = client_start(cfg);
    r = client_step(cfg, env, r.next, reply(220), out, sizeof out);
    r = client_step(cfg, env, r.next, reply(250, static_cast<std::uint32_t>(ehlo_ext::pipelining)), out, sizeof out);
    REQUIRE(r.act == client_action::ready);
    // Not asked: refused.
    CHECK(client_recipient(cfg, env, r.next, "c@d.example", {}, out, sizeof out).error == client_error::invalid_call);
    CHECK(client_recipients_done(cfg, env, r.next, out, sizeof out).error == client_error::invalid_call);
    r = client_send(cfg, env, r.next, out, sizeof out);
    REQUIRE(r.act == client_action::next_recipient);
    CHECK(r.write.empty());       // MAIL waits in `out` for the RCPTs
    CHECK(r.next.pending == 25);  // "MAIL FROM:<a@b.example>\r\n"
    // A span envelope does not take recipients one at a time.
    envelope span = env;
    span.one_at_a_time = false;
    CHECK(client_recipient(cfg, span, r.next, "c@d.example", {}, out, sizeof out).error == client_error::invalid_call);
    // A buffer smaller than the batch already in it.
    CHECK(client_recipient(cfg, env, r.next, "c@d.example", {}, out, 10).error == client_error::no_space);
    r = client_recipient(cfg, env, r.next, "c@d.example", {}, out, sizeof out);
    CHECK(r.taken);
    CHECK(r.act == client_action::next_recipient);
    // Asked for a recipient, the client takes no reply.
    CHECK(client_step(cfg, env, r.next, reply(250), out, sizeof out).error == client_error::unexpected_reply);
    r = client_recipients_done(cfg, env, r.next, out, sizeof out);
    CHECK(r.write == "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n");
    CHECK(r.act == client_action::read_reply);
    CHECK(r.timeout == 300);
    CHECK(r.next.pending == 0);
}

TEST_CASE("client: the recipient limit, 65535 (RFC 5321 §4.5.3.1.8 sets no maximum)", "[client][limits]") {
    // The counters are 16 bits: an envelope of more than 65535 recipients is refused before
    // anything is written (span), or its 65536th recipient is refused locally (one at a time).
    client_config cfg{};
    cfg.use_pipelining = false;
    std::vector<std::string_view> many(0x10000, "c@d.example");
    envelope env{};
    env.from = "a@b.example";
    env.to = many.data();
    env.to_count = many.size();
    char out[512];
    client_result r = client_start(cfg);
    r = client_step(cfg, env, r.next, reply(220), out, sizeof out);
    r = client_step(cfg, env, r.next, reply(250), out, sizeof out);
    REQUIRE(r.act == client_action::ready);
    const client_state ready = r.next;
    client_result x = client_send(cfg, env, ready, out, sizeof out);
    CHECK(x.event == client_event::message);
    CHECK(x.error == client_error::no_recipient_given);
    CHECK(x.write.empty());
    CHECK(x.act == client_action::ready);
    env.to_count = 0xFFFF;  // the most: taken
    x = client_send(cfg, env, ready, out, sizeof out);
    CHECK(x.act == client_action::read_reply);
    CHECK(x.write == "MAIL FROM:<a@b.example>\r\n");

    envelope one{};
    one.from = "a@b.example";
    one.one_at_a_time = true;
    r = client_send(cfg, one, ready, out, sizeof out);
    r = client_step(cfg, one, r.next, reply(250), out, sizeof out);  // MAIL
    REQUIRE(r.act == client_action::next_recipient);
    for (std::size_t i = 0; i < 0xFFFF; ++i) {
        r = client_recipient(cfg, one, r.next, "c@d.example", {}, out, sizeof out);
        REQUIRE(r.act == client_action::read_reply);
        r = client_step(cfg, one, r.next, reply(250), out, sizeof out);
        REQUIRE(r.act == client_action::next_recipient);
    }
    CHECK(r.next.rcpt_sent == 0xFFFF);
    CHECK(r.next.accepted == 0xFFFF);
    r = client_recipient(cfg, one, r.next, "c@d.example", {}, out, sizeof out);
    CHECK(r.event == client_event::recipient);
    CHECK(r.error == client_error::no_recipient_given);
    CHECK(r.outcome == outcome::refused);
    CHECK(r.index == 0xFFFF);
    CHECK(r.taken);
    CHECK(r.write.empty());
    CHECK(r.act == client_action::next_recipient);
    r = client_recipients_done(cfg, one, r.next, out, sizeof out);
    CHECK(r.write == "DATA\r\n");
}

TEST_CASE("client: AUTH challenges past the mechanism's steps are cancelled (RFC 4954 §4)", "[client][limits]") {
    // A 334 after the last step is answered "*" (cancel) and the session quits; the step
    // count saturates at 255 even for a state a host restored with it at its maximum.
    client_config cfg{};
    cfg.user = "user";
    cfg.password = "password";
    cfg.auth_without_tls = true;
    cfg.mechanism = client_mechanism::login;
    envelope env{};
    char out[512];
    client_result r = client_start(cfg);
    r = client_step(cfg, env, r.next, reply(220), out, sizeof out);
    server_reply caps = reply(250, static_cast<std::uint32_t>(ehlo_ext::auth));
    caps.auth_mechanisms = static_cast<std::uint32_t>(sasl_mech::login);
    r = client_step(cfg, env, r.next, caps, out, sizeof out);
    CHECK(r.write == "AUTH LOGIN\r\n");
    r = client_step(cfg, env, r.next, reply(334), out, sizeof out);
    CHECK(r.write == "dXNlcg==\r\n");  // "user"
    r = client_step(cfg, env, r.next, reply(334), out, sizeof out);
    CHECK(r.write == "cGFzc3dvcmQ=\r\n");  // "password"
    client_state third = r.next;
    r = client_step(cfg, env, third, reply(334), out, sizeof out);
    CHECK(r.write == "*\r\n");
    CHECK(r.error == client_error::auth_loop);
    CHECK(r.next.phase == client_phase::quit);
    third.auth_step = 255;
    r = client_step(cfg, env, third, reply(334), out, sizeof out);
    CHECK(r.write == "*\r\n");
    CHECK(r.next.auth_step == 255);
}

TEST_CASE("client: guards of the host calls and of the reply code (RFC 5321 §4.2)", "[client][limits]") {
    client_config cfg{};
    cfg.use_chunking = true;
    const std::string_view to[] = {"c@d.example"};
    envelope env{};
    env.from = "a@b.example";
    env.to = to;
    env.to_count = 1;
    char out[512];
    client_result r = client_start(cfg);
    // A code outside 2yz-5yz (x0z-x5z) is no reply: protocol error, whatever the phase.
    const std::uint16_t bad_codes[] = {0, 199, 260, 560, 600, 999};
    for (const std::uint16_t c : bad_codes) {
        const client_result x = client_step(cfg, env, r.next, reply(c), out, sizeof out);
        CHECK(x.error == client_error::protocol);
        CHECK(x.act == client_action::close);
    }
    r = client_step(cfg, env, r.next, reply(220), out, sizeof out);
    r = client_step(cfg, env, r.next, reply(250, static_cast<std::uint32_t>(ehlo_ext::chunking)), out, sizeof out);
    r = client_send(cfg, env, r.next, out, sizeof out);
    r = client_step(cfg, env, r.next, reply(250), out, sizeof out);
    r = client_step(cfg, env, r.next, reply(250), out, sizeof out);
    REQUIRE(r.act == client_action::send_body);
    REQUIRE(r.bdat);
    // BDAT body: body_done is not the call; a chunk header that does not fit is no_space.
    CHECK(client_body_done(cfg, r.next).error == client_error::invalid_call);
    CHECK(client_chunk(cfg, r.next, 100, true, out, 5).error == client_error::no_space);
    r = client_chunk(cfg, r.next, 3, true, out, sizeof out);
    CHECK(r.write == "BDAT 3 LAST\r\n");
    r = client_step(cfg, env, r.next, reply(250), out, sizeof out);
    CHECK(r.event == client_event::message);
    CHECK(r.outcome == outcome::accepted);
    // DATA body: a chunk is not the call.
    cfg.use_chunking = false;
    r = client_send(cfg, env, r.next, out, sizeof out);
    r = client_step(cfg, env, r.next, reply(250), out, sizeof out);
    r = client_step(cfg, env, r.next, reply(250), out, sizeof out);
    r = client_step(cfg, env, r.next, reply(354), out, sizeof out);
    REQUIRE(r.act == client_action::send_body);
    CHECK(client_chunk(cfg, r.next, 3, true, out, sizeof out).error == client_error::invalid_call);
    // One at a time with PIPELINING: only MAIL in the batch, no recipient given: nothing was
    // written, the message is refused and the connection stays ready.
    envelope one{};
    one.from = "a@b.example";
    one.one_at_a_time = true;
    client_result p = client_start(cfg);
    p = client_step(cfg, one, p.next, reply(220), out, sizeof out);
    p = client_step(cfg, one, p.next, reply(250, static_cast<std::uint32_t>(ehlo_ext::pipelining)), out, sizeof out);
    p = client_send(cfg, one, p.next, out, sizeof out);
    REQUIRE(p.act == client_action::next_recipient);
    // A buffer smaller than the batch already in it (the host broke the contract).
    const client_result given = client_recipient(cfg, one, p.next, "c@d.example", {}, out, sizeof out);
    REQUIRE(given.next.pending == 48);  // MAIL and RCPT
    CHECK(client_recipients_done(cfg, one, given.next, out, 40).error == client_error::no_space);
    const client_result none = client_recipients_done(cfg, one, p.next, out, sizeof out);
    CHECK(none.error == client_error::no_recipient_given);
    CHECK(none.event == client_event::message);
    CHECK(none.write.empty());
    CHECK(none.act == client_action::ready);
    CHECK(none.next.phase == client_phase::ready);
}

// ---- the exhaustive walk ------------------------------------------------------------------

struct walk_reply {
    std::uint16_t code;
    bool trailing;
    bool caps;  // a 250 advertising everything
};
constexpr walk_reply alphabet[] = {
    {220, false, false}, {220, true, false},  {235, false, false}, {250, false, false},
    {250, false, true},  {334, false, false}, {354, false, false}, {421, false, false},
    {451, false, false}, {502, false, false}, {550, false, false},
};
constexpr std::size_t alphabet_size = sizeof alphabet / sizeof alphabet[0];

server_reply make_reply(const walk_reply& w) {
    server_reply r{};
    r.code = w.code;
    r.trailing = w.trailing;
    if (w.caps) {
        r.extensions = 0xFFFFFu;
        r.auth_mechanisms = static_cast<std::uint32_t>(sasl_mech::plain) | static_cast<std::uint32_t>(sasl_mech::login);
        r.size = 1000;
    }
    return r;
}

/// What the walker knows independently of the client (the RFC's view).
struct model {
    bool greeted = false;      // a 250 to EHLO/HELO was read
    bool tls_pending = false;  // start_tls was asked
    bool closed = false;
    int in_txn = 0;  // MAIL written
    int rcpt_written = 0;
    int rcpt_reported = 0;
    int rcpt_accepted = 0;
    int deliveries = 0;
    bool auth_sent_in_clear = false;
    int given = 0;  // one at a time: recipients the host gave
};

struct walker {
    client_config cfg{};
    envelope env{};
    std::size_t failures = 0;
    std::size_t steps = 0;
    char first_failure[160] = {};
    char out[2048];

    void flag(const char* what) {
        if (failures++ == 0)
            std::snprintf(first_failure, sizeof first_failure, "%s (%s, reply %u -> %s)", what, last_from, last_code,
                          last_to);
    }

    // Checks the written commands: each parses (strictly) unless it is a SASL response or
    // the body, and no command is written where the RFC forbids it.
    void check_write(const client_state& before, const client_result& r, model& m, bool tls) {
        std::string_view w = r.write;
        while (!w.empty()) {
            const std::size_t e = w.find("\r\n");
            if (e == std::string_view::npos) {
                flag("write without CRLF");
                return;
            }
            const std::string_view line = w.substr(0, e + 2);
            w.remove_prefix(e + 2);
            if (before.phase == client_phase::auth || line == ".\r\n") continue;  // SASL response, lone dot
            command c;
            parse_options po;
            po.allow_helo_address_literal = true;
            po.max_line = 2048;
            po.smtputf8 = true;
            po.smtputf8_transaction = true;
            if (parse_command(line, c, po) != command_error::none) {
                flag("malformed command written");
                continue;
            }
            switch (c.verb) {
                case verb::mail:
                    if (!m.greeted) flag("MAIL before EHLO/HELO accepted");
                    m.in_txn = 1;
                    m.rcpt_written = 0;
                    m.rcpt_reported = 0;
                    m.rcpt_accepted = 0;
                    m.deliveries = 0;
                    break;
                case verb::rcpt:
                    if (!m.in_txn) flag("RCPT without MAIL");
                    ++m.rcpt_written;
                    break;
                case verb::data:
                case verb::bdat:
                    if (!m.in_txn) flag("DATA without MAIL");
                    if (!r.next.has(cf_pipelined) && m.rcpt_accepted == 0) flag("DATA without an accepted recipient");
                    break;
                case verb::auth:
                    if (!tls) m.auth_sent_in_clear = true;
                    break;
                case verb::rset:
                case verb::quit:
                case verb::ehlo:
                case verb::lhlo:
                case verb::helo:
                case verb::starttls: break;
                default: flag("unexpected verb written");
            }
        }
    }

    const char* last_from = "";
    const char* last_to = "";
    unsigned last_code = 0;

    void check_result(const client_state& before, std::uint16_t code, const client_result& r, model& m) {
        ++steps;
        last_from = to_string(before.phase).data();
        last_to = to_string(r.next.phase).data();
        last_code = code;
        if (m.closed) flag("step after close");
        if (r.act == client_action::read_reply && r.timeout == 0) flag("read without timeout");
        if (r.act == client_action::send_body && r.timeout == 0) flag("body without timeout");
        if (r.act == client_action::read_reply &&
            detail::client_transitions[static_cast<std::size_t>(r.next.phase)][0].next == 0)
            flag("reads a reply in a phase that awaits none");
        if (code != 0 && detail::client_transitions[static_cast<std::size_t>(before.phase)][0].next != 0 &&
            !detail::in_table(before.phase, code, r.next.phase))
            flag("transition not in the table");
        if (r.act == client_action::start_tls && !r.write.empty()) flag("writes before the TLS handshake");
        if (r.event == client_event::recipient) {
            if (r.index != m.rcpt_reported) flag("recipient reported out of order");
            if (r.error == client_error::none && m.rcpt_reported >= m.rcpt_written)
                flag("recipient reported before its RCPT was written");
            ++m.rcpt_reported;
            if (r.outcome == outcome::accepted) {
                if (code < 200 || code >= 300) flag("recipient accepted without 2xx");
                ++m.rcpt_accepted;
            }
        }
        if (r.event == client_event::message && r.outcome == outcome::accepted && m.rcpt_accepted == 0)
            flag("message delivered without an accepted recipient");
        if (r.event == client_event::delivery) {
            if (r.index >= m.rcpt_accepted) flag("LMTP delivery for a recipient not accepted");
            ++m.deliveries;
        }
        if (r.act == client_action::close) m.closed = true;
        if (m.auth_sent_in_clear && !cfg.auth_without_tls) flag("AUTH without TLS");
    }

    // Runs the host's side until the client waits for a reply (or closes).
    client_result settle(client_result r, model& m, bool& tls, int& sent) {
        for (int guard = 0; guard < 16; ++guard) {
            switch (r.act) {
                case client_action::read_reply:
                case client_action::close: return r;
                case client_action::start_tls: {
                    tls = true;
                    const client_state b = r.next;
                    r = client_tls_established(cfg, b, out, sizeof out);
                    m.greeted = false;
                    check_result(b, 0, r, m);
                    check_write(b, r, m, tls);
                    break;
                }
                case client_action::send_body: {
                    const client_state b = r.next;
                    r = r.bdat ? client_chunk(cfg, b, 4, true, out, sizeof out) : client_body_done(cfg, b);
                    check_result(b, 0, r, m);
                    check_write(b, r, m, tls);
                    break;
                }
                case client_action::next_recipient: {
                    if (!env.one_at_a_time) flag("recipient asked for with a span envelope");
                    const client_state b = r.next;
                    if (m.given < 2) {
                        static const std::string_view one_by_one[] = {"c@d.example", "e@f.example"};
                        r = client_recipient(cfg, env, b, one_by_one[m.given], {}, out, sizeof out);
                        if (r.taken) ++m.given;
                    } else {
                        r = client_recipients_done(cfg, env, b, out, sizeof out);
                    }
                    check_result(b, 0, r, m);
                    check_write(b, r, m, tls);
                    break;
                }
                case client_action::ready: {
                    const client_state b = r.next;
                    m.given = 0;
                    if (sent++ == 0) r = client_send(cfg, env, b, out, sizeof out);
                    else r = client_quit(cfg, b);
                    check_result(b, 0, r, m);
                    check_write(b, r, m, tls);
                    break;
                }
            }
        }
        flag("host events do not settle");
        return r;
    }

    void walk(const client_result& r, model m, bool tls, int sent, int depth) {
        if (r.act != client_action::read_reply || depth == 0) return;
        for (std::size_t i = 0; i < alphabet_size; ++i) {
            const server_reply rep = make_reply(alphabet[i]);
            model mm = m;
            bool t = tls;
            int s = sent;
            const client_state b = r.next;
            client_result n = client_step(cfg, env, b, rep, out, sizeof out);
            if ((b.phase == client_phase::ehlo || b.phase == client_phase::helo) && rep.code == 250) mm.greeted = true;
            check_result(b, rep.code, n, mm);
            check_write(b, n, mm, t);
            n = settle(n, mm, t, s);
            walk(n, mm, t, s, depth - 1);
        }
    }

    void run(int depth) {
        model m;
        bool tls = false;
        int sent = 0;
        const client_result r = client_start(cfg);
        walk(r, m, tls, sent, depth);
    }
};

TEST_CASE("client: exhaustive walk of reply sequences to depth 6", "[client][walk]") {
    static const std::string_view rcpts[] = {"c@d.example", "e@f.example"};
    struct variant {
        const char* name;
        bool lmtp, pipelining, chunking;
        tls_mode tls;
        bool auth;
        bool one_at_a_time;
    };
    const variant variants[] = {
        {"esmtp pipelining", false, true, false, tls_mode::none, false, false},
        {"one at a time", false, false, false, tls_mode::none, false, false},
        {"lmtp", true, true, false, tls_mode::none, false, false},
        {"starttls+auth", false, true, false, tls_mode::required, true, false},
        {"chunking", false, false, true, tls_mode::opportunistic, false, false},
        {"recipients one at a time, pipelining", false, true, false, tls_mode::none, false, true},
        {"recipients one at a time, no pipelining", false, false, false, tls_mode::none, false, true},
        {"recipients one at a time, lmtp + chunking", true, true, true, tls_mode::none, false, true},
    };
    for (const variant& v : variants) {
        walker w;
        w.cfg.lmtp = v.lmtp;
        w.cfg.use_pipelining = v.pipelining;
        w.cfg.use_chunking = v.chunking;
        w.cfg.tls = v.tls;
        if (v.auth) {
            w.cfg.user = "user";
            w.cfg.password = "pass";
        }
        w.env.from = "a@b.example";
        w.env.one_at_a_time = v.one_at_a_time;
        if (!v.one_at_a_time) {
            w.env.to = rcpts;
            w.env.to_count = 2;
        }
        std::size_t allocs = 0;
        {
            smtpp_test::no_alloc_scope guard;
            w.run(6);
            allocs = guard.allocations();
        }
        INFO(v.name << ": " << w.steps << " steps; first failure: " << w.first_failure);
        CHECK(w.failures == 0);
        CHECK(allocs == 0);
        CHECK(w.steps > 500);
    }
}

}  // namespace
