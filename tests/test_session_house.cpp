// The session's structure (issue 14): the refusal before the greeting, the one options
// derivation, the labelled transition rows and the generated enumerator names.
//
// - refuse(): 421 and close instead of the 220 (RFC 5321 §4.2.2, §3.8; RFC 3463 X.7.0).
// - options_for(): the line reader's, parser's and decoders' options from one function,
//   equal to the helpers, with bare LF decided by `policy_options::parse.allow_bare_lf`.
// - The dense table holds exactly the labelled rows (every cell once).
// - to_string()/reply_for() come from the same X-macro rows as the enumerators.
#include <catch2/catch.hpp>

#include <smtpp/session.hpp>

#include <set>
#include <string>
#include <string_view>

#include "support/alloc_counter.hpp"

using namespace smtpp;

namespace {
policy_options named(std::string_view host, bool esc) {
    policy_options o;
    o.hostname = host;
    if (!esc) o.extensions &= ~std::uint32_t{ext_enhancedstatuscodes};
    return o;
}
}  // namespace

// ------------------------------------------------------------------------------------------
// refuse(): a connection turned away before the greeting
// ------------------------------------------------------------------------------------------

TEST_CASE("refuse() answers 421 <host> and closes instead of greeting (RFC 5321 §4.2.2, §3.8)", "[session][refuse]") {
    const policy p(named("mx.example", true));
    REQUIRE(p.error() == policy_error::none);
    step_result r;
    {
        smtpp_test::no_alloc_scope scope;
        r = refuse(p);
        REQUIRE(scope.allocations() == 0);
    }
    // RFC 5321 §4.2.2: "421 <domain> Service not available, closing transmission channel";
    // the enhanced code as every named 421 of the policy: after the basic code (RFC 2034 §4).
    CHECK(r.reply == "421 4.7.0 mx.example Error: too many connections\r\n");
    CHECK(r.code == 421);
    CHECK(r.count == 1);
    CHECK(r.act == action::close);
    CHECK(r.next.phase == phase::closed);
    CHECK(r.why == detail::reply_index(session_reply::too_many_connections));
    CHECK(p.rendered(session_reply::too_many_connections) == r.reply);
    CHECK(reply_for(session_reply::too_many_connections).esc == enhanced_code{4, 7, 0});  // RFC 3463 §3.8 X.7.0

    // Without ENHANCEDSTATUSCODES: no enhanced code (RFC 2034 §3).
    const policy plain(named("mx.example", false));
    CHECK(refuse(plain).reply == "421 mx.example Error: too many connections\r\n");

    // The other 421s a host may refuse with; anything else is the connection refusal.
    CHECK(refuse(p, session_reply::shutting_down).reply == "421 4.3.2 mx.example Service shutting down\r\n");
    CHECK(refuse(p, session_reply::local_error).code == 421);
    CHECK(refuse(p, session_reply::ok).reply == r.reply);
    CHECK(refuse(p, session_reply::greeting).reply == r.reply);
    CHECK(refuse(p, static_cast<session_reply>(250)).reply == r.reply);

    // A policy that failed to build still refuses (static text, no host name).
    const policy broken(named("bad host", true));
    REQUIRE(broken.error() == policy_error::bad_hostname);
    const step_result b = refuse(broken);
    CHECK(b.reply == "421 4.7.0 Error: too many connections\r\n");
    CHECK(b.act == action::close);

    // Nothing is answered after it: the refused session stays closed.
    command cmd;
    const step_result after = step(p, r.next, "EHLO x\r\n", cmd);
    CHECK(after.reply.empty());
    CHECK(after.act == action::close);
}

TEST_CASE("refuse() is a constant expression", "[session][refuse]") {
    static constexpr policy p{};
    constexpr step_result r = refuse(p);
    STATIC_REQUIRE(r.code == 421);
    STATIC_REQUIRE(r.act == action::close);
    CHECK(r.reply == "421 4.7.0 localhost Error: too many connections\r\n");
}

// ------------------------------------------------------------------------------------------
// options_for(): one derivation
// ------------------------------------------------------------------------------------------

TEST_CASE("options_for() derives every layer's options from the policy, as the helpers do", "[session][options]") {
    for (std::uint32_t ext : {std::uint32_t{0}, policy_options{}.extensions,
                              policy_options{}.extensions | ext_auth | ext_dsn | ext_smtputf8 | ext_binarymime}) {
        for (bool bare_lf : {false, true}) {
            policy_options o;
            o.extensions = ext;
            o.auth_mechanisms = mechanism_bit(sasl_mechanism::plain);
            o.parse.allow_bare_lf = bare_lf;
            o.bare_newline = bare_lf ? bare_newline_policy::normalize : bare_newline_policy::reject;
            o.max_message_size = 123456;
            const policy p(o);
            REQUIRE(p.error() == policy_error::none);
            for (std::uint16_t flags :
                 {std::uint16_t{0}, std::uint16_t{sf_esmtp}, std::uint16_t{sf_esmtp | sf_smtputf8},
                  std::uint16_t{sf_esmtp | sf_binarymime}}) {
                session_state s;
                s.flags = flags;
                INFO("ext " << ext << " bare_lf " << bare_lf << " flags " << flags);
                const session_options so = options_for(p, s);
                // The line reader: the longest line of any verb, bare LF from the one switch.
                CHECK(so.line.max_line == line_limit(p));
                CHECK(so.line.allow_bare_lf == bare_lf);
                CHECK(so.parse.allow_bare_lf == bare_lf);
                // The parser, as step() uses it.
                const parse_options po = command_options(p, s);
                CHECK(so.parse.max_line == po.max_line);
                CHECK(so.parse.max_line == command_line_limit(p, s));
                CHECK(so.parse.max_auth_line == po.max_auth_line);
                CHECK(so.parse.smtputf8 == po.smtputf8);
                CHECK(so.parse.smtputf8_transaction == po.smtputf8_transaction);
                CHECK(so.parse.smtputf8 == (s.has(sf_esmtp) && p.offers(ext_smtputf8)));
                // The decoders.
                CHECK(so.data.max_size == 123456);
                CHECK(so.data.bare_newline == o.bare_newline);
                CHECK(so.data.max_size == body_options(p, s).max_size);
                CHECK(so.bdat.max_size == chunk_options(p, s).max_size);
                CHECK(so.bdat.reject_bare_newline == !s.has(sf_binarymime));  // RFC 3030 §3
                CHECK(so.bdat.reject_nul == !s.has(sf_binarymime));
            }
        }
    }
}

TEST_CASE("a bare-LF line passes the reader and the parser only with the one switch on", "[session][options]") {
    for (bool bare_lf : {false, true}) {
        policy_options o;
        o.parse.allow_bare_lf = bare_lf;
        const policy p(o);
        session_state st = start(p).next;
        const session_options so = options_for(p, st);
        line_reader<4096> rd(so.line);
        const std::string_view in = "NOOP\n";
        const line_event ev = rd.next(in);
        command cmd;
        if (!bare_lf) {
            CHECK(ev.st == status::failed);
            CHECK(ev.err == line_error::bare_lf);
            continue;
        }
        REQUIRE(ev.st == status::complete);
        const step_result r = step(p, st, ev.line, cmd);
        CHECK(r.code == 250);
        CHECK(r.error == command_error::none);
    }
}

// ------------------------------------------------------------------------------------------
// The labelled rows and the generated names
// ------------------------------------------------------------------------------------------

TEST_CASE("the dense table is exactly the labelled rows (RFC 5321 §4.1.4)", "[session][table]") {
    std::size_t command_cells = 0;
    for (const detail::labelled_row& row : detail::transition_rows) {
        INFO(to_string(row.from) << " " << to_string(row.v));
        const detail::transition& t =
            detail::transitions[static_cast<std::size_t>(row.from)][static_cast<std::size_t>(row.v)];
        CHECK(t.kind == row.out.kind);
        CHECK(t.reply == row.out.reply);
        CHECK(t.next == row.next);
        ++command_cells;
    }
    // Four command phases × every verb, each once (the static_assert's promise, at run time).
    CHECK(command_cells == 4 * verb_count);
    for (phase p : detail::phases_without_commands) {
        for (std::size_t v = 0; v < verb_count; ++v) {
            CHECK(detail::transitions[static_cast<std::size_t>(p)][v].kind == detail::rule::not_command);
        }
    }
}

TEST_CASE("enumerator names and replies come from one row each", "[session][names]") {
    std::set<std::string> names;
    for (std::size_t i = 0; i < session_reply_count; ++i) {
        const auto r = static_cast<session_reply>(i);
        const std::string name(to_string(r));
        CHECK(name != "?");
        CHECK(names.insert(name).second);
        const reply_hint h = reply_for(r);
        CHECK(h.code >= 200);
        CHECK(h.code < 600);
        CHECK((h.esc.empty() || h.esc.cls == h.code / 100));  // RFC 3463 §2: class matches
    }
    CHECK(to_string(session_reply::too_many_connections) == "too_many_connections");
    CHECK(to_string(static_cast<session_reply>(session_reply_count)) == "?");
    CHECK(reply_for(static_cast<session_reply>(session_reply_count)).code == 421);

    const char* const phases[] = {"connect", "fresh", "ready", "mail", "rcpt",
                                  "data",    "chunk", "auth",  "tls",  "closed"};
    for (std::size_t i = 0; i < phase_count; ++i) CHECK(to_string(static_cast<phase>(i)) == phases[i]);
    CHECK(to_string(static_cast<phase>(phase_count)) == "?");

    const char* const verdicts[] = {"accept",       "reject",       "defer",   "unknown_user",
                                    "relay_denied", "mailbox_full", "too_big", "too_weak"};
    for (std::size_t i = 0; i < verdict_count; ++i) CHECK(to_string(static_cast<verdict>(i)) == verdicts[i]);
    CHECK(to_string(static_cast<verdict>(verdict_count)) == "?");

    CHECK(to_string(policy_error::bad_limit) == "bad_limit");
    CHECK(to_string(policy_error::none) == "none");
    CHECK(to_string(static_cast<policy_error>(6)) == "?");
}
