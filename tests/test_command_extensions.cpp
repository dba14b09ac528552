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

/// The EHLO reply a policy offering `extensions` renders (before TLS).
std::string rendered_ehlo(std::uint32_t extensions) {
    policy_options o;
    o.hostname = "mx.example";
    o.extensions = extensions;
    const policy p(o);
    REQUIRE(p.error() == policy_error::none);
    return std::string(p.rendered(session_reply::ehlo, false));
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
        if (r.policy == 0 || r.kind != detail::keyword_kind::plain || r.when != detail::offered_when::always) continue;
        INFO(r.keyword);
        CHECK(rendered_ehlo(r.policy) == "250-mx.example\r\n250 " + std::string(r.keyword) + "\r\n");
    }
}
