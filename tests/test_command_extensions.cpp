// Tests of the registry (include/smtpp/extensions.hpp) and of the extensions added through
// it, end to end: the command parser, the formatter, the session policy (offered or not,
// RFC 5321 §4.2.4 / RFC 1869 §6), the rendered EHLO reply and the EHLO capability parser.
// Written from the RFCs cited at each case, not from the implementation.
#include <catch2/catch.hpp>

#include <smtpp/client.hpp>
#include <smtpp/ehlo.hpp>
#include <smtpp/session.hpp>

#include <cstdint>
#include <string>
#include <string_view>

using namespace smtpp;

namespace {

// ---- helpers -----------------------------------------------------------------------------

command_error parse(std::string_view line, command& c, const parse_options& o = {}) {
    // From an exactly sized heap copy, so that a read past the line is a sanitizer error.
    std::string copy(line);
    const command_error e = parse_command(copy, c, o);
    const command_error again = parse_command(line, c, o);
    CHECK(e == again);
    return again;
}

command_error parse_error(std::string_view line) {
    command c;
    return parse(line, c);
}

/// The reply code of `line` after EHLO, in a session with `extensions` offered.
std::uint16_t code_after_ehlo(std::uint32_t extensions, std::string_view line, std::string* reply = nullptr) {
    policy_options o;
    o.hostname = "mx.example";
    o.extensions = extensions;
    o.verify_senders = false;
    o.verify_recipients = false;
    const policy p(o);
    REQUIRE(p.error() == policy_error::none);
    command c;
    session_state s = start(p).next;
    s = step(p, s, "EHLO client.example\r\n", c).next;
    const step_result r = step(p, s, line, c);
    if (reply != nullptr) *reply = std::string(r.reply);
    return r.code;
}

/// The EHLO reply a policy offering `extensions` renders (before TLS).
std::string rendered_ehlo(std::uint32_t extensions) {
    policy_options o;
    o.hostname = "mx.example";
    o.extensions = extensions;
    const policy p(o);
    REQUIRE(p.error() == policy_error::none);
    return std::string(p.rendered(session_reply::ehlo, false));
}

/// Formats `c`, checks that the line parses back to the same parameters, returns the line.
std::string round_trip(const command& c) {
    char buf[1024];
    const command_format_result r = format_command(c, buf, sizeof buf);
    REQUIRE(r.err == command_format_error::none);
    const std::string line(buf, r.size);
    command back;
    REQUIRE(parse_command(line, back) == command_error::none);
    CHECK(back.params.present == c.params.present);
    return line;
}

}  // namespace

// ---- the registry ------------------------------------------------------------------------

// The public bit values stay what they were (the C API and stored masks rely on them).
static_assert(p_size == 1u << 0 && p_body == 1u << 1 && p_rrvs == 1u << 13, "param_bit values are stable");
static_assert(static_cast<std::uint32_t>(ehlo_ext::enhancedstatuscodes) == 1u << 8 &&
                  static_cast<std::uint32_t>(ehlo_ext::expn) == 1u << 19 && ext_enhancedstatuscodes == 1u << 4 &&
                  ext_limits == 1u << 15,
              "ehlo_ext and extension values are stable");
// Every parameter's row is found by its keyword, for its verb only.
static_assert(detail::param_count == sizeof(detail::param_rows) / sizeof(detail::param_rows[0]), "param_count");
static_assert(detail::all_params == (1u << detail::param_count) - 1, "all_params covers every row");
// SIZE +26 (RFC 1870 §3), AUTH= +500 (RFC 4954 §3), SMTPUTF8 +10 (RFC 6531 §3.1), DSN +600
// (RFC 3461): the most a command line grows, whatever else is registered without one.
static_assert(detail::max_line_increment == 26 + 500 + 10 + 600, "max_line_increment");

TEST_CASE("registry: every parameter keyword is recognised for its verb and only there (RFC 5321 §4.1.2)",
          "[command][registry]") {
    for (std::size_t i = 0; i < detail::param_count; ++i) {
        const detail::param_row& r = detail::param_rows[i];
        INFO(r.keyword);
        const bool mail = r.verb == detail::param_verb::mail;
        const std::string own = std::string(mail ? "MAIL FROM:<a@b.example> " : "RCPT TO:<c@d.example> ") +
                                std::string(r.keyword) + "=!\r\n";
        const std::string other = std::string(mail ? "RCPT TO:<c@d.example> " : "MAIL FROM:<a@b.example> ") +
                                  std::string(r.keyword) + "=!\r\n";
        command c;
        // Recognised (valid or not, its bit is set), never "unknown".
        parse(own, c);
        CHECK(c.params.unknown_count == 0);
        CHECK(c.params.present == (1u << i));
        // On the other verb the keyword is unknown (RFC 5321 §4.1.1.11: 555 by the session).
        CHECK(parse(other, c) == command_error::none);
        CHECK(c.params.unknown_count == 1);
        CHECK(c.params.present == 0);
    }
}

TEST_CASE("registry: the EHLO keyword table holds every row, with its bit and kind (RFC 5321 §4.1.1.1)",
          "[ehlo][registry]") {
    for (const detail::service_row& r : detail::service_rows) {
        INFO(r.keyword);
        if (r.kind == detail::keyword_kind::listed) continue;  // left in `unknown`: see below
        std::string reply = "250-mx.example\r\n250 ";
        reply += std::string(r.keyword);
        reply += "\r\n";
        ehlo_capabilities caps;
        REQUIRE(parse_ehlo(reply, caps).st == status::complete);
        CHECK(caps.extensions == r.ehlo);
        CHECK(caps.unknown_count == 0);
        // Keywords are case-insensitive (RFC 5321 §2.4).
        std::string lower = reply;
        for (char& ch : lower)
            if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch + 32);
        REQUIRE(parse_ehlo(lower, caps).st == status::complete);
        CHECK(caps.extensions == r.ehlo);
    }
}

TEST_CASE("registry: the session offers a row's keyword exactly when its extension bit is set", "[session][registry]") {
    for (const detail::service_row& r : detail::service_rows) {
        if (r.policy == 0 || (r.kind != detail::keyword_kind::plain && r.kind != detail::keyword_kind::listed) ||
            r.when != detail::offered_when::always)
            continue;
        INFO(r.keyword);
        CHECK(rendered_ehlo(r.policy) == "250-mx.example\r\n250 " + std::string(r.keyword) + "\r\n");
    }
}

// ---- RFC 3885 MTRK -----------------------------------------------------------------------

TEST_CASE("MTRK= accepted: base64 authenticator, optional timeout (RFC 3885 §4)", "[command][mtrk]") {
    command c;
    REQUIRE(parse("MAIL FROM:<a@b.example> MTRK=QUJDREVGR0hJSktMTU5PUA:3600\r\n", c) == command_error::none);
    CHECK(c.params.has(p_mtrk));
    CHECK(c.params.mtrk == "QUJDREVGR0hJSktMTU5PUA:3600");
    CHECK(c.params.mtrk_timeout == 3600);
    // Without a timeout; every base64 octet (RFC 3885 §1: ALPHA, DIGIT, "+", "/").
    REQUIRE(parse("MAIL FROM:<> MTRK=az+/09AZ\r\n", c) == command_error::none);
    CHECK(c.params.mtrk == "az+/09AZ");
    CHECK(c.params.mtrk_timeout == 0);
    // The keyword is case-insensitive (RFC 5321 §2.4), and combines with ENVID (RFC 3885 §3).
    REQUIRE(parse("MAIL FROM:<a@b.example> ENVID=QQ mtrk=QUJD:999999999\r\n", c) == command_error::none);
    CHECK(c.params.mtrk_timeout == 999999999);
    CHECK(c.params.envid == "QQ");
}

TEST_CASE("MTRK= refused: strict grammar (RFC 3885 §4, §1)", "[command][mtrk]") {
    CHECK(parse_error("MAIL FROM:<a@b.example> MTRK\r\n") == command_error::bad_mtrk);          // no value
    CHECK(parse_error("MAIL FROM:<a@b.example> MTRK=\r\n") == command_error::bad_mtrk);         // empty
    CHECK(parse_error("MAIL FROM:<a@b.example> MTRK=:60\r\n") == command_error::bad_mtrk);      // no authenticator
    CHECK(parse_error("MAIL FROM:<a@b.example> MTRK=QUJD:\r\n") == command_error::bad_mtrk);    // empty timeout
    CHECK(parse_error("MAIL FROM:<a@b.example> MTRK=QU-D\r\n") == command_error::bad_mtrk);     // "-" not base64
    CHECK(parse_error("MAIL FROM:<a@b.example> MTRK=QU.D\r\n") == command_error::bad_mtrk);     // "." not base64
    CHECK(parse_error("MAIL FROM:<a@b.example> MTRK=QUJD:6x\r\n") == command_error::bad_mtrk);  // timeout DIGIT only
    CHECK(parse_error("MAIL FROM:<a@b.example> MTRK=QUJD:-1\r\n") == command_error::bad_mtrk);
    CHECK(parse_error("MAIL FROM:<a@b.example> MTRK=QUJD:1234567890\r\n") == command_error::bad_mtrk);  // > 9 digits
    CHECK(parse_error("MAIL FROM:<a@b.example> MTRK=QU:1:2\r\n") == command_error::bad_mtrk);
    // "=" padding cannot stand in an esmtp-value (RFC 5321 §4.1.2 excludes %d61).
    CHECK(parse_error("MAIL FROM:<a@b.example> MTRK=QUI=\r\n") == command_error::param_syntax);
    CHECK(parse_error("MAIL FROM:<a@b.example> MTRK=QUJD MTRK=QUJD\r\n") == command_error::duplicate_param);
    CHECK(reply_for(command_error::bad_mtrk).code == 501);
    CHECK(reply_for(command_error::bad_mtrk).esc == enhanced_code{5, 5, 4});
    // MTRK belongs to MAIL: on RCPT it is an unknown parameter.
    command c;
    REQUIRE(parse("RCPT TO:<c@d.example> MTRK=QUJD\r\n", c) == command_error::none);
    CHECK(c.params.unknown == "MTRK=QUJD");
}

TEST_CASE("MTRK: 504 5.5.4 unless offered (RFC 5321 §4.2.4, RFC 1869 §6), 250 when offered (RFC 3885 §3)",
          "[session][mtrk]") {
    std::string reply;
    CHECK(code_after_ehlo(ext_enhancedstatuscodes, "MAIL FROM:<a@b.example> MTRK=QUJD:60\r\n", &reply) == 504);
    CHECK(reply.rfind("504 5.5.4 ", 0) == 0);
    CHECK(code_after_ehlo(ext_mtrk, "MAIL FROM:<a@b.example> MTRK=QUJD:60\r\n") == 250);
    // Offered, a bad value is a syntax error.
    CHECK(code_after_ehlo(ext_mtrk, "MAIL FROM:<a@b.example> MTRK=QU-D\r\n") == 501);
    // The allow-list derived from the table.
    CHECK(detail::params_enabled_by(ext_mtrk) == p_mtrk);
}

TEST_CASE("MTRK: EHLO keyword without parameters (RFC 3885 §3)", "[session][ehlo][mtrk]") {
    CHECK(rendered_ehlo(ext_mtrk) == "250-mx.example\r\n250 MTRK\r\n");
    CHECK(rendered_ehlo(ext_pipelining | ext_mtrk | ext_limits) ==
          "250-mx.example\r\n250-PIPELINING\r\n250-LIMITS RCPTMAX=100\r\n250 MTRK\r\n");
    ehlo_capabilities caps;
    REQUIRE(parse_ehlo("250-mx.example\r\n250-mtrk\r\n250 SIZE 100\r\n", caps).st == status::complete);
    CHECK(caps.has(ehlo_ext::mtrk));
    CHECK(caps.has(ehlo_ext::size));
    CHECK(caps.unknown_count == 0);
    // A longer keyword that starts with MTRK is not MTRK.
    REQUIRE(parse_ehlo("250-mx.example\r\n250 MTRKX\r\n", caps).st == status::complete);
    CHECK(!caps.has(ehlo_ext::mtrk));
    CHECK(caps.unknown_count == 1);
}

TEST_CASE("MTRK: format round trip", "[command][format][mtrk]") {
    command c;
    REQUIRE(parse("MAIL FROM:<a@b.example> SIZE=5 MTRK=QUJD+/9:86400\r\n", c) == command_error::none);
    CHECK(round_trip(c) == "MAIL FROM:<a@b.example> SIZE=5 MTRK=QUJD+/9:86400\r\n");
    command d;
    d.verb = verb::mail;
    d.path.is_null = true;
    d.params.present = p_mtrk;
    d.params.mtrk = "QUJD";
    CHECK(round_trip(d) == "MAIL FROM:<> MTRK=QUJD\r\n");
    // A value the grammar refuses is never written.
    d.params.mtrk = "QU-D";
    char buf[128];
    const command_format_result r = format_command(d, buf, sizeof buf);
    CHECK(r.err == command_format_error::invalid);
    CHECK(r.parse_error == command_error::bad_mtrk);
}

TEST_CASE("registry: a keyword of kind listed stays in unknown with its parameters (RFC 5321 §4.1.1.1)",
          "[ehlo][registry]") {
    for (const detail::service_row& r : detail::service_rows) {
        if (r.kind != detail::keyword_kind::listed) continue;
        INFO(r.keyword);
        const std::string reply = "250-mx.example\r\n250 " + std::string(r.keyword) + " a b\r\n";
        ehlo_capabilities caps;
        REQUIRE(parse_ehlo(reply, caps).st == status::complete);
        CHECK(caps.extensions == 0);
        REQUIRE(caps.unknown_count == 1);
        CHECK(caps.unknown[0].keyword == r.keyword);
        CHECK(caps.unknown[0].params == "a b");
    }
}

// ---- RFC 3865 NO-SOLICITING --------------------------------------------------------------

TEST_CASE("SOLICIT= accepted: a list of solicitation keywords (RFC 3865 §2.2, §2.3)", "[command][solicit]") {
    command c;
    REQUIRE(parse("MAIL FROM:<a@b.example> SOLICIT=org.example:ADV:ADLT\r\n", c) == command_error::none);
    CHECK(c.params.has(p_solicit));
    CHECK(c.params.solicit == "org.example:ADV:ADLT");
    // Several keywords joined by ","; every wordchar ("." "-" "_" ":" ALPHA DIGIT).
    REQUIRE(parse("MAIL FROM:<> solicit=a,net.example:ADV,x-1_2.b:C\r\n", c) == command_error::none);
    CHECK(c.params.solicit == "a,net.example:ADV,x-1_2.b:C");
    // At most 1000 characters (RFC 3865 §2.2).
    parse_options wide;
    wide.max_line = 2000;
    const std::string k1000 = "a" + std::string(999, 'b');
    REQUIRE(parse("MAIL FROM:<> SOLICIT=" + k1000 + "\r\n", c, wide) == command_error::none);
    CHECK(c.params.solicit.size() == 1000);
    CHECK(parse("MAIL FROM:<> SOLICIT=" + k1000 + "b\r\n", c, wide) == command_error::bad_solicit);
}

TEST_CASE("SOLICIT= refused: strict grammar (RFC 3865 §2.2)", "[command][solicit]") {
    CHECK(parse_error("MAIL FROM:<a@b.example> SOLICIT\r\n") == command_error::bad_solicit);       // no value
    CHECK(parse_error("MAIL FROM:<a@b.example> SOLICIT=\r\n") == command_error::bad_solicit);      // empty
    CHECK(parse_error("MAIL FROM:<a@b.example> SOLICIT=1abc\r\n") == command_error::bad_solicit);  // word = ALPHA ...
    CHECK(parse_error("MAIL FROM:<a@b.example> SOLICIT=.abc\r\n") == command_error::bad_solicit);
    CHECK(parse_error("MAIL FROM:<a@b.example> SOLICIT=abc,\r\n") == command_error::bad_solicit);  // empty word
    CHECK(parse_error("MAIL FROM:<a@b.example> SOLICIT=,abc\r\n") == command_error::bad_solicit);
    CHECK(parse_error("MAIL FROM:<a@b.example> SOLICIT=a,,b\r\n") == command_error::bad_solicit);
    CHECK(parse_error("MAIL FROM:<a@b.example> SOLICIT=a/b\r\n") == command_error::bad_solicit);    // "/" no wordchar
    CHECK(parse_error("MAIL FROM:<a@b.example> SOLICIT=a+2Cb\r\n") == command_error::bad_solicit);  // no xtext
    CHECK(parse_error("MAIL FROM:<a@b.example> SOLICIT=a;b\r\n") == command_error::bad_solicit);
    CHECK(parse_error("MAIL FROM:<a@b.example> SOLICIT=a SOLICIT=b\r\n") == command_error::duplicate_param);
    CHECK(reply_for(command_error::bad_solicit).code == 501);
    CHECK(reply_for(command_error::bad_solicit).esc == enhanced_code{5, 5, 4});
    // SOLICIT belongs to MAIL (RFC 3865 §2.3): on RCPT it is an unknown parameter.
    command c;
    REQUIRE(parse("RCPT TO:<c@d.example> SOLICIT=a\r\n", c) == command_error::none);
    CHECK(c.params.unknown == "SOLICIT=a");
}

TEST_CASE("SOLICIT: 504 5.5.4 unless NO-SOLICITING is offered (RFC 5321 §4.2.4, RFC 1869 §6)", "[session][solicit]") {
    std::string reply;
    CHECK(code_after_ehlo(ext_enhancedstatuscodes | ext_mtrk, "MAIL FROM:<a@b.example> SOLICIT=a.example:X\r\n",
                          &reply) == 504);
    CHECK(reply.rfind("504 5.5.4 ", 0) == 0);
    CHECK(code_after_ehlo(ext_no_soliciting, "MAIL FROM:<a@b.example> SOLICIT=a.example:X\r\n") == 250);
    CHECK(code_after_ehlo(ext_no_soliciting, "MAIL FROM:<a@b.example> SOLICIT=1x\r\n") == 501);
    CHECK(detail::params_enabled_by(ext_no_soliciting) == p_solicit);
}

TEST_CASE("NO-SOLICITING: EHLO keyword, its solicitation keywords optional (RFC 3865 §2.1)",
          "[session][ehlo][solicit]") {
    CHECK(rendered_ehlo(ext_no_soliciting) == "250-mx.example\r\n250 NO-SOLICITING\r\n");
    CHECK(rendered_ehlo(ext_mtrk | ext_no_soliciting | ext_size) ==
          "250-mx.example\r\n250-SIZE 10485760\r\n250-MTRK\r\n250 NO-SOLICITING\r\n");
    ehlo_capabilities caps;
    // The capability parser keeps the line, solicitation keywords and all, in `unknown`
    // (kind listed: `ehlo_capabilities` has no field for the keywords yet).
    REQUIRE(parse_ehlo("250-mx.example\r\n250-NO-SOLICITING net.example:ADV,ADLT\r\n250 DSN\r\n", caps).st ==
            status::complete);
    CHECK(caps.has(ehlo_ext::dsn));
    CHECK(!caps.has(ehlo_ext::no_soliciting));
    REQUIRE(caps.unknown_count == 1);
    CHECK(caps.unknown[0].keyword == "NO-SOLICITING");
    CHECK(caps.unknown[0].params == "net.example:ADV,ADLT");
}

TEST_CASE("SOLICIT: format round trip", "[command][format][solicit]") {
    command c;
    REQUIRE(parse("MAIL FROM:<a@b.example> MTRK=QUJD SOLICIT=a.example:X,B\r\n", c) == command_error::none);
    CHECK(round_trip(c) == "MAIL FROM:<a@b.example> MTRK=QUJD SOLICIT=a.example:X,B\r\n");
    command d;
    d.verb = verb::mail;
    d.path.is_null = true;
    d.params.present = p_solicit;
    d.params.solicit = "a,b";
    CHECK(round_trip(d) == "MAIL FROM:<> SOLICIT=a,b\r\n");
    d.params.solicit = "a,";
    char buf[128];
    const command_format_result r = format_command(d, buf, sizeof buf);
    CHECK(r.err == command_format_error::invalid);
    CHECK(r.parse_error == command_error::bad_solicit);
}
