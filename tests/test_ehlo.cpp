// Tests for the EHLO/LHLO capability parser (RFC 5321 §4.1.1.1, §4.2.1) and the extensions it
// recognises. R4, R5, R9, R10, R18 number the reply vectors shared with test_reply.cpp;
// each case cites the RFC section it checks.
#include <catch2/catch.hpp>

#include <smtpp/ehlo.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "support/alloc_counter.hpp"
#include "support/splits.hpp"

namespace {

using smtpp::ehlo_capabilities;
using smtpp::ehlo_ext;
using smtpp::sasl_mech;
using smtpp::status;

struct parsed {
    std::unique_ptr<smtpp_test::exact_buffer> bytes;  // the views in caps point here
    smtpp::ehlo_result res;
    ehlo_capabilities caps;
};

bool same_view(std::string_view a, std::string_view b) { return a.data() == b.data() && a.size() == b.size(); }

// Every field, views by address: two parses of the same bytes.
bool identical(const ehlo_capabilities& a, const ehlo_capabilities& b) {
    bool same = a.code == b.code && same_view(a.domain, b.domain) && same_view(a.greet, b.greet) &&
                a.extensions == b.extensions && a.auth_mechanisms == b.auth_mechanisms &&
                a.auth_unknown == b.auth_unknown && same_view(a.auth_params, b.auth_params) &&
                a.size_known == b.size_known && a.size == b.size && a.deliverby_known == b.deliverby_known &&
                a.deliverby_min == b.deliverby_min && a.futurerelease_interval == b.futurerelease_interval &&
                same_view(a.futurerelease_datetime, b.futurerelease_datetime) &&
                same_view(a.mt_priority_policy, b.mt_priority_policy) && a.limit_rcptmax == b.limit_rcptmax &&
                a.limit_mailmax == b.limit_mailmax && a.limit_rcptdomainmax == b.limit_rcptdomainmax &&
                a.unknown_count == b.unknown_count && a.unknown_overflow == b.unknown_overflow &&
                a.malformed_lines == b.malformed_lines && a.lines == b.lines;
    for (std::size_t i = 0; same && i < ehlo_capabilities::max_unknown; ++i)
        same = same_view(a.unknown[i].keyword, b.unknown[i].keyword) &&
               same_view(a.unknown[i].params, b.unknown[i].params);
    return same;
}

parsed parse(std::string_view s, smtpp::reply_options opt = {}) {
    parsed p{};
    p.bytes = std::make_unique<smtpp_test::exact_buffer>(s);
    const smtpp_test::exact_buffer& b = *p.bytes;
    smtpp_test::no_alloc_scope scope;
    p.res = smtpp::parse_ehlo(b.view(), p.caps, opt);
    REQUIRE(scope.allocations() == 0);
    // The fast path agrees with its plain twin, field by field (house rule 7).
    {
        ehlo_capabilities plain;
        const smtpp::ehlo_result r = smtpp::detail::parse_ehlo_plain(b.view(), plain, opt);
        REQUIRE(r.st == p.res.st);
        REQUIRE(r.error == p.res.error);
        REQUIRE(r.consumed == p.res.consumed);
        REQUIRE(identical(plain, p.caps));
    }
    // Views never leave the input.
    auto inside = [&](std::string_view v) {
        if (v.empty()) return true;
        return v.data() >= b.view().data() && v.data() + v.size() <= b.view().data() + b.view().size();
    };
    REQUIRE(inside(p.caps.domain));
    REQUIRE(inside(p.caps.greet));
    REQUIRE(inside(p.caps.auth_params));
    for (std::size_t i = 0; i < p.caps.unknown_count; ++i) {
        REQUIRE(inside(p.caps.unknown[i].keyword));
        REQUIRE(inside(p.caps.unknown[i].params));
    }
    // Every prefix of a complete reply is need_more (the host calls again with more).
    if (p.res.st == status::complete) {
        for (std::size_t n = 0; n < p.res.consumed; ++n) {
            smtpp_test::exact_buffer pre(s.substr(0, n));
            ehlo_capabilities c;
            const auto r = smtpp::parse_ehlo(pre.view(), c, opt);
            INFO("prefix " << n);
            REQUIRE(r.st == status::need_more);
        }
    }
    // The reply reader agrees on where the reply ends and whether it is valid.
    smtpp::reply_reader rd(opt);
    rd.expect_ehlo();
    std::string_view in = b.view();
    smtpp::reply_summary sum;
    const status rs = rd.next_reply(in, sum);
    REQUIRE(rs == p.res.st);
    if (rs == status::complete) REQUIRE(b.view().size() - in.size() == p.res.consumed);
    if (rs == status::failed) REQUIRE(rd.error() == p.res.error);
    return p;
}

std::string load(const char* name) {
    const std::string path = std::string(SMTPP_BENCH_DATA_DIR) + "/" + name;
    FILE* f = std::fopen(path.c_str(), "rb");
    REQUIRE(f != nullptr);
    std::string all;
    char tmp[4096];
    std::size_t n;
    while ((n = std::fread(tmp, 1, sizeof tmp, f)) > 0) all.append(tmp, n);
    std::fclose(f);
    return all;
}

}  // namespace

TEST_CASE("R4: a typical EHLO reply (RFC 5321 §4.1.1.1 ehlo-ok-rsp)", "[ehlo]") {
    const parsed p = parse(
        "250-smtp.example.com Hello client.example.org [10.0.0.1]\r\n250-SIZE 52428800\r\n"
        "250-PIPELINING\r\n250-STARTTLS\r\n250 HELP\r\n");
    REQUIRE(p.res.st == status::complete);
    REQUIRE(p.caps.ok());
    REQUIRE(p.caps.domain == "smtp.example.com");
    REQUIRE(p.caps.greet == "Hello client.example.org [10.0.0.1]");
    REQUIRE(p.caps.has(ehlo_ext::size));
    REQUIRE(p.caps.size_known);
    REQUIRE(p.caps.size == 52428800);
    REQUIRE(p.caps.has(ehlo_ext::pipelining));
    REQUIRE(p.caps.has(ehlo_ext::starttls));
    REQUIRE(p.caps.has(ehlo_ext::help));
    REQUIRE(!p.caps.has(ehlo_ext::auth));
    REQUIRE(p.caps.lines == 5);
    REQUIRE(p.caps.unknown_count == 0);
}

TEST_CASE("R5/R18: control characters allowed in the first EHLO line only (ehlo-greet)", "[ehlo]") {
    const parsed a = parse("250-smtp.example.com We got some nice '\x03' and '\x04'\r\n250 HELP\r\n");
    REQUIRE(a.res.st == status::complete);
    REQUIRE(a.caps.has(ehlo_ext::help));
    REQUIRE(parse("251 example.com We got '\x04'\r\n").res.error == smtpp::reply_error::bad_char);
    REQUIRE(parse("250-example.com Hello\r\n250 We got some '\x08' for you\r\n").res.error ==
            smtpp::reply_error::bad_char);
}

TEST_CASE("R9: empty domain, DELIVERBY, FUTURERELEASE, MT-PRIORITY, SIZE without a number", "[ehlo]") {
    smtpp::reply_options lf;
    lf.allow_bare_lf = true;
    const parsed p = parse(
        "250-\n250-DELIVERBY 240\n250-FUTURERELEASE 123 2030-01-01T00:00:00Z\n250-MT-PRIORITY MIXER\n"
        "250-NO-SOLICITING\n250-SIZE\n250 SMTPUTF8\n",
        lf);
    REQUIRE(p.res.st == status::complete);
    REQUIRE(p.caps.domain.empty());
    REQUIRE(p.caps.has(ehlo_ext::deliverby));
    REQUIRE(p.caps.deliverby_known);
    REQUIRE(p.caps.deliverby_min == 240);
    REQUIRE(p.caps.has(ehlo_ext::futurerelease));
    REQUIRE(p.caps.futurerelease_interval == 123);
    REQUIRE(p.caps.futurerelease_datetime == "2030-01-01T00:00:00Z");
    REQUIRE(p.caps.mt_priority_policy == "MIXER");
    REQUIRE(p.caps.has(ehlo_ext::size));
    REQUIRE(!p.caps.size_known);  // RFC 1870 §4: no number, no announced limit
    REQUIRE(p.caps.has(ehlo_ext::smtputf8));
    REQUIRE(p.caps.unknown_count == 1);
    REQUIRE(p.caps.unknown[0].keyword == "NO-SOLICITING");
    // Strict line endings by default.
    REQUIRE(parse("250-\n250 SIZE\n").res.error == smtpp::reply_error::bare_lf);
}

TEST_CASE("R10: AUTH= old form, case-insensitive keywords and mechanisms (RFC 4954 §3)", "[ehlo]") {
    const parsed p = parse("250-mx.example\r\n250-AUTH=LOGIN PLAIN\r\n250-auth login plain\r\n250 8bitmime\r\n");
    REQUIRE(p.caps.has(ehlo_ext::auth));
    REQUIRE(p.caps.has(sasl_mech::login));
    REQUIRE(p.caps.has(sasl_mech::plain));
    REQUIRE(!p.caps.has(sasl_mech::cram_md5));
    REQUIRE(p.caps.has(ehlo_ext::eightbitmime));
    REQUIRE(p.caps.malformed_lines == 0);
}

TEST_CASE("Every recognised keyword, and unknown ones kept as views", "[ehlo]") {
    const parsed p = parse(
        "250-mx.example.net at your service\r\n250-PIPELINING\r\n250-SIZE 0\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
        "250-DSN\r\n250-CHUNKING\r\n250-BINARYMIME\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n"
        "250-AUTH SCRAM-SHA-256-PLUS SCRAM-SHA-256 SCRAM-SHA-1 SCRAM-SHA-1-PLUS OAUTHBEARER XOAUTH2 CRAM-MD5 "
        "DIGEST-MD5 GSSAPI NTLM EXTERNAL ANONYMOUS X-UNKNOWN-MECH\r\n"
        "250-REQUIRETLS\r\n250-DELIVERBY\r\n250-FUTURERELEASE 604800 2030-06-01T00:00:00Z\r\n"
        "250-MT-PRIORITY STANAG4406\r\n250-RRVS\r\n250-LIMITS RCPTMAX=100 MAILMAX=1000 RCPTDOMAINMAX=10 FOO=1\r\n"
        "250-VRFY\r\n250-ETRN\r\n250-EXPN\r\n250-X-EXPS GSSAPI NTLM\r\n250-BURL imap\r\n250 HELP\r\n");
    REQUIRE(p.res.st == status::complete);
    const auto& c = p.caps;
    for (ehlo_ext e : {ehlo_ext::pipelining,    ehlo_ext::size,        ehlo_ext::eightbitmime,
                       ehlo_ext::smtputf8,      ehlo_ext::dsn,         ehlo_ext::chunking,
                       ehlo_ext::binarymime,    ehlo_ext::starttls,    ehlo_ext::enhancedstatuscodes,
                       ehlo_ext::auth,          ehlo_ext::requiretls,  ehlo_ext::deliverby,
                       ehlo_ext::futurerelease, ehlo_ext::mt_priority, ehlo_ext::rrvs,
                       ehlo_ext::limits,        ehlo_ext::vrfy,        ehlo_ext::etrn,
                       ehlo_ext::expn,          ehlo_ext::help}) {
        INFO(static_cast<std::uint32_t>(e));
        REQUIRE(c.has(e));
    }
    REQUIRE(c.size_known);
    REQUIRE(c.size == 0);  // RFC 1870 §4: 0 = no fixed maximum
    REQUIRE(!c.deliverby_known);
    REQUIRE(c.auth_mechanisms == (1u << 14) - 1 - 3);  // all but PLAIN and LOGIN
    REQUIRE(c.auth_unknown == 1);
    REQUIRE(c.futurerelease_interval == 604800);
    REQUIRE(c.mt_priority_policy == "STANAG4406");
    REQUIRE(c.limit_rcptmax == 100);
    REQUIRE(c.limit_mailmax == 1000);
    REQUIRE(c.limit_rcptdomainmax == 10);
    REQUIRE(c.unknown_count == 2);
    REQUIRE(c.unknown[0].keyword == "X-EXPS");
    REQUIRE(c.unknown[0].params == "GSSAPI NTLM");
    REQUIRE(c.unknown[1].keyword == "BURL");
    REQUIRE(c.unknown[1].params == "imap");
}

TEST_CASE("Near-miss keywords are unknown, not recognised", "[ehlo]") {
    const parsed p = parse(
        "250-mx\r\n250-PIPELININGX\r\n250-SIZES\r\n250-STARTTLSX\r\n250-ENHANCEDSTATUSCODE\r\n250-AUTHX PLAIN\r\n"
        "250-PIPELINIMG\r\n250 8BITMIMES\r\n");
    REQUIRE(p.caps.extensions == 0);
    REQUIRE(p.caps.auth_mechanisms == 0);
    REQUIRE(p.caps.unknown_count == 7);
}

TEST_CASE("Malformed capability lines are counted, not fatal; the reply itself stays strict", "[ehlo]") {
    const parsed p = parse("250-mx\r\n250--BAD\r\n250-\r\n250-(x)\r\n250 PIPELINING\r\n");
    REQUIRE(p.res.st == status::complete);
    REQUIRE(p.caps.malformed_lines == 3);
    REQUIRE(p.caps.has(ehlo_ext::pipelining));
    REQUIRE(parse("250-mx\r\n251 PIPELINING\r\n").res.error == smtpp::reply_error::code_mismatch);
}

TEST_CASE("Unknown keywords beyond 16 are counted in unknown_overflow", "[ehlo]") {
    std::string s = "250-mx\r\n";
    for (int i = 0; i < 20; ++i) s += "250-X-K" + std::to_string(i) + "\r\n";
    s += "250 DSN\r\n";
    const parsed p = parse(s);
    REQUIRE(p.caps.unknown_count == 16);
    REQUIRE(p.caps.unknown_overflow == 4);
    REQUIRE(p.caps.unknown[15].keyword == "X-K15");
    REQUIRE(p.caps.has(ehlo_ext::dsn));
}

TEST_CASE("SIZE with a bad or overflowing number is an unknown limit (as Postfix)", "[ehlo]") {
    REQUIRE(!parse("250-mx\r\n250 SIZE abc\r\n").caps.size_known);
    REQUIRE(!parse("250-mx\r\n250 SIZE 99999999999999999999999\r\n").caps.size_known);
    REQUIRE(parse("250-mx\r\n250 SIZE 18446744073709551615\r\n").caps.size == 18446744073709551615ull);
    REQUIRE(parse("250-mx\r\n250 SIZE 10240000 \r\n").caps.size == 10240000);
}

TEST_CASE("Repeated SIZE and AUTH lines: the last SIZE counts, AUTH lines merge in order", "[ehlo]") {
    // The fast path reads SIZE and AUTH parameters after its loop; the order of the lines
    // must still decide, also against lines the general path reads ("=" forms, HT).
    const parsed a = parse(
        "250-mx\r\n250-SIZE 1000\r\n250-AUTH PLAIN\r\n250-SIZE 2000\r\n250-AUTH LOGIN X\r\n250 DSN\r\n");
    REQUIRE(a.caps.size_known);
    REQUIRE(a.caps.size == 2000);
    REQUIRE(a.caps.has(sasl_mech::plain));
    REQUIRE(a.caps.has(sasl_mech::login));
    REQUIRE(a.caps.auth_unknown == 1);
    REQUIRE(a.caps.auth_params == "LOGIN X");
    const parsed b = parse("250-mx\r\n250-SIZE 1000\r\n250-SIZE=abc\r\n250 DSN\r\n");
    REQUIRE(!b.caps.size_known);
    REQUIRE(b.caps.size == 0);
    const parsed c = parse("250-mx\r\n250-SIZE=1000\r\n250-SIZE 7\r\n250 DSN\r\n");
    REQUIRE(c.caps.size == 7);
    const parsed d = parse("250-mx\r\n250-SIZE 1000\r\n250-SIZE\r\n250-DSN\r\n250 SIZE\t5\r\n");
    REQUIRE(!d.caps.size_known);
    const parsed e = parse("250-mx\r\n250-SIZE 1000\r\n250-SIZE\r\n250 DSN\r\n");
    REQUIRE(!e.caps.size_known);
    const parsed f = parse("250-mx\r\n250-AUTH=LOGIN\r\n250-AUTH PLAIN\r\n250 DSN\r\n");
    REQUIRE(f.caps.auth_params == "PLAIN");
    REQUIRE((f.caps.has(sasl_mech::login) && f.caps.has(sasl_mech::plain)));
    const parsed g = parse("250-mx\r\n250-AUTH PLAIN\r\n250-AUTH=LOGIN\r\n250 DSN\r\n");
    REQUIRE(g.caps.auth_params == "LOGIN");
    REQUIRE((g.caps.has(sasl_mech::login) && g.caps.has(sasl_mech::plain)));
    const parsed h = parse("250-mx\r\n250-AUTH PLAIN Y\r\n250-AUTH LOGIN Z\r\n250-AUTH NTLM\r\n250 AUTH\r\n");
    REQUIRE(h.caps.auth_params.empty());
    REQUIRE(h.caps.auth_unknown == 2);
    REQUIRE((h.caps.has(sasl_mech::login) && h.caps.has(sasl_mech::plain) && h.caps.has(sasl_mech::ntlm)));
}

TEST_CASE("Non-250 replies to EHLO are complete with their code (RFC 5321 §4.3.2)", "[ehlo]") {
    const parsed p = parse("502 5.5.1 EHLO not supported\r\n");
    REQUIRE(p.res.st == status::complete);
    REQUIRE(p.caps.code == 502);
    REQUIRE(!p.caps.ok());
    REQUIRE(p.caps.extensions == 0);
    const parsed q = parse("421-4.7.0 mx busy\r\n421 4.7.0 try later\r\n");
    REQUIRE(q.caps.code == 421);
    REQUIRE(q.caps.lines == 2);
}

TEST_CASE("Single-line EHLO reply: domain only", "[ehlo]") {
    const parsed p = parse("250 mx.example.org\r\n");
    REQUIRE(p.caps.domain == "mx.example.org");
    REQUIRE(p.caps.greet.empty());
    REQUIRE(p.caps.extensions == 0);
}

TEST_CASE("Real EHLO replies: Postfix, Exim, Gmail-style, Microsoft-style", "[ehlo]") {
    const std::string postfix = load("ehlo_postfix.txt");
    const parsed pf = parse(postfix);
    REQUIRE(pf.res.st == status::complete);
    REQUIRE(pf.res.consumed == postfix.size());
    REQUIRE(pf.caps.lines == 11);
    REQUIRE(pf.caps.size == 52428800);
    REQUIRE(pf.caps.has(sasl_mech::plain));
    REQUIRE(pf.caps.has(ehlo_ext::chunking));
    REQUIRE(pf.caps.unknown_count == 0);

    const std::string big = load("ehlo_big.txt");
    const parsed bg = parse(big);
    REQUIRE(bg.caps.lines == 22);
    REQUIRE(bg.caps.has(sasl_mech::scram_sha_256_plus));
    REQUIRE(bg.caps.unknown_count == 2);  // BURL, NO-SOLICITING

    const parsed exim = parse(
        "250-mail.example.com Hello client.example.org [192.0.2.10]\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n"
        "250-PIPELINING\r\n250-PIPE_CONNECT\r\n250-AUTH PLAIN LOGIN\r\n250-CHUNKING\r\n250-STARTTLS\r\n"
        "250-PRDR\r\n250 HELP\r\n");
    REQUIRE(exim.caps.malformed_lines == 1);  // PIPE_CONNECT: "_" is not in ehlo-keyword
    REQUIRE(exim.caps.unknown_count == 1);    // PRDR
    REQUIRE(exim.caps.has(ehlo_ext::pipelining));

    const parsed gmail = parse(
        "250-smtp.gmail.com at your service, [192.0.2.44]\r\n250-SIZE 35882577\r\n250-8BITMIME\r\n"
        "250-AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH\r\n250-ENHANCEDSTATUSCODES\r\n"
        "250-PIPELINING\r\n250-CHUNKING\r\n250 SMTPUTF8\r\n");
    REQUIRE(gmail.caps.greet == "at your service, [192.0.2.44]");
    REQUIRE(gmail.caps.has(sasl_mech::xoauth2));
    REQUIRE(gmail.caps.auth_unknown == 2);

    const parsed ms = parse(
        "250-BN8PR12CA0001.outlook.office365.com Hello [192.0.2.5]\r\n250-SIZE 157286400\r\n250-PIPELINING\r\n"
        "250-DSN\r\n250-ENHANCEDSTATUSCODES\r\n250-AUTH LOGIN XOAUTH2\r\n250-8BITMIME\r\n250-BINARYMIME\r\n"
        "250-CHUNKING\r\n250 SMTPUTF8\r\n");
    REQUIRE(ms.caps.has(ehlo_ext::binarymime));
    REQUIRE(ms.caps.size == 157286400);
    const parsed ms_old = parse(
        "250-mail.example.local Hello [192.0.2.9]\r\n250-AUTH=LOGIN\r\n250-AUTH LOGIN NTLM\r\n250 OK\r\n");
    REQUIRE(ms_old.caps.has(sasl_mech::login));
    REQUIRE(ms_old.caps.has(sasl_mech::ntlm));
}

TEST_CASE("parse_ehlo is usable in constant expressions and its result trivially copyable", "[ehlo]") {
    STATIC_REQUIRE(std::is_trivially_copyable_v<ehlo_capabilities>);
    constexpr auto f = [] {
        ehlo_capabilities c{};
        const auto r = smtpp::parse_ehlo("250-mx\r\n250-SIZE 1000\r\n250 AUTH=PLAIN\r\n", c);
        return r.st == status::complete && c.size == 1000 && c.has(sasl_mech::plain);
    };
    STATIC_REQUIRE(f());
}

// ------------------------------------------------------------------------------------------
// The fast path (well-formed "250-"/"250 " CRLF lines) against the general path.
// ------------------------------------------------------------------------------------------

TEST_CASE("Fast path and general path give the same results (RFC 5321 §4.2, §4.5.3.1.5)", "[ehlo]") {
    // Lines the fast path must hand over to the general path, in every position of a reply.
    const std::string_view odd_lines[] = {
        "250-PIPELINING\tx\r\n",       // HT (allowed in text)
        "250-SIZE 1000 \xc3\xa9\r\n",  // 8-bit text
        "250-X-\x01Y\r\n",             // control character (refused after line 1)
        "250-DSN\n",                   // bare LF
        "250-DSN\rX\n",                // bare CR
        "251-DSN\r\n",                 // another code
        "250\r\n",                     // code alone
        "250-\r\n",                    // empty text
        "250--DSN\r\n",                // keyword starting with "-"
        "250-AUTH\r\n",                // AUTH without mechanisms
        "250-AUTH=\r\n",
        "250-auth scram-sha-256-plus Scram-Sha-1 digest-md5 anonymous OAUTHBEARER x\r\n",
    };
    for (const std::string_view odd : odd_lines) {
        for (int where = 0; where < 3; ++where) {
            std::string s = "250-mx.example.org hi\r\n";
            if (where == 0) s += odd;
            s += "250-PIPELINING\r\n";
            if (where == 1) s += odd;
            s += "250-SIZE 52428800\r\n";
            if (where == 2) s += odd;
            s += "250 8BITMIME\r\n";
            for (unsigned flags = 0; flags < 8; ++flags) {
                smtpp::reply_options opt;
                opt.allow_bare_lf = (flags & 1) != 0;
                opt.allow_8bit = (flags & 2) == 0;
                opt.allow_ctl = (flags & 4) != 0;
                INFO(s << " flags " << flags);
                parse(s, opt);  // checks views, prefixes and agreement with reply_reader
            }
        }
    }
}

TEST_CASE("Fast path: limits at their exact boundaries (RFC 5321 §4.5.3.1.5)", "[ehlo]") {
    const std::string s = "250-mx\r\n250-PIPELINING\r\n250 SIZE 100\r\n";  // lines of 8, 16, 14 octets
    // From 4: below it the reader falls back to its capacity and parse_ehlo does not (a
    // disagreement older than the fast path, reported to the lead).
    for (std::uint32_t max_line = 4; max_line < 20; ++max_line) {
        smtpp::reply_options opt;
        opt.max_line = max_line;
        INFO("max_line " << max_line);
        const parsed p = parse(s, opt);
        if (max_line >= 16) REQUIRE(p.res.st == status::complete);
        if (max_line == 15) REQUIRE(p.res.error == smtpp::reply_error::line_too_long);
    }
    for (std::uint32_t max_lines = 0; max_lines < 5; ++max_lines) {
        smtpp::reply_options opt;
        opt.max_lines = max_lines;
        const parsed p = parse(s, opt);
        REQUIRE(p.res.st == (max_lines == 0 || max_lines >= 3 ? status::complete : status::failed));
    }
    for (std::uint32_t max_bytes = 0; max_bytes < 42; ++max_bytes) {
        smtpp::reply_options opt;
        opt.max_reply_bytes = max_bytes;
        const parsed p = parse(s, opt);
        REQUIRE(p.res.st == (max_bytes == 0 || max_bytes >= 38 ? status::complete : status::failed));
    }
}

TEST_CASE("SASL mechanisms: every name in any case, near misses unknown (RFC 4954 §3)", "[ehlo]") {
    const parsed p = parse(
        "250-mx\r\n250-AUTH plain LOGIN Cram-Md5 digest-MD5 xoauth2 oauthbearer scram-sha-1 scram-sha-1-plus "
        "scram-sha-256 SCRAM-SHA-256-PLUS gssapi ntlm external anonymous\r\n"
        "250 AUTH PLAINX LOGI DIGEST-MD SCRAM-SHA-2 SCRAM-SHA-256-PLUSX SCRAM-SHA-1-PLU OAUTHBEARE ANONYMOUSX NTLMv2 "
        "XOAUTH GSSAPI2 EXTERNALS CRAM-MD5X SCRAM-SH\r\n");
    REQUIRE(p.caps.auth_mechanisms == (1u << 14) - 1);
    REQUIRE(p.caps.auth_unknown == 14);
}

TEST_CASE("Keywords in lower case and with near-miss tails (RFC 5321 §2.4: case-insensitive)", "[ehlo]") {
    const parsed p = parse(
        "250-mx\r\n250-enhancedstatuscodes\r\n250-pipelining\r\n250-binarymime\r\n250-requiretls\r\n"
        "250-deliverby 60\r\n250-futurerelease 10 x\r\n250-mt-priority\r\n250-limits rcptmax=4294967296 mailmax=7\r\n"
        "250 ENHANCEDSTATUSCODEZ\r\n");
    REQUIRE(p.caps.has(ehlo_ext::enhancedstatuscodes));
    REQUIRE(p.caps.has(ehlo_ext::pipelining));
    REQUIRE(p.caps.has(ehlo_ext::binarymime));
    REQUIRE(p.caps.has(ehlo_ext::requiretls));
    REQUIRE(p.caps.deliverby_min == 60);
    REQUIRE(p.caps.futurerelease_interval == 10);
    REQUIRE(p.caps.has(ehlo_ext::mt_priority));
    REQUIRE(p.caps.limit_rcptmax == 0);  // above 32 bits: ignored (RFC 9422 §4)
    REQUIRE(p.caps.limit_mailmax == 7);
    REQUIRE(p.caps.unknown_count == 1);
    REQUIRE(parse("250-mx\r\n250 SIZE 9999999999999999999\r\n").caps.size == 9999999999999999999ull);
    REQUIRE(!parse("250-mx\r\n250 SIZE 1844674407370955161x\r\n").caps.size_known);
    REQUIRE(!parse("250-mx\r\n250 SIZE 18446744073709551616\r\n").caps.size_known);
}

TEST_CASE("parse_ehlo resets every field of a used ehlo_capabilities", "[ehlo]") {
    // detail::reset() writes zero octets at run time: every field must read as its value in
    // `ehlo_capabilities{}` (a new field is reset too; compare it here).
    const std::string big = load("ehlo_big.txt");
    ehlo_capabilities c;
    smtpp::parse_ehlo(big, c);
    c.size_known = c.deliverby_known = true;
    c.futurerelease_datetime = c.mt_priority_policy = c.auth_params = c.greet = c.domain = "junk";
    c.limit_rcptmax = c.limit_mailmax = c.limit_rcptdomainmax = 9;
    c.unknown_overflow = c.malformed_lines = c.auth_unknown = 3;
    for (auto& u : c.unknown) u = {"junk", "junk"};
    const std::string_view small = "250 mx\r\n";
    REQUIRE(smtpp::parse_ehlo(small, c).st == status::complete);
    const ehlo_capabilities fresh{};
    REQUIRE(c.code == 250);
    REQUIRE(c.domain == "mx");
    REQUIRE(c.greet.empty());
    REQUIRE(c.extensions == fresh.extensions);
    REQUIRE(c.auth_mechanisms == fresh.auth_mechanisms);
    REQUIRE(c.auth_unknown == fresh.auth_unknown);
    REQUIRE(c.auth_params.empty());
    REQUIRE(c.size_known == fresh.size_known);
    REQUIRE(c.size == fresh.size);
    REQUIRE(c.deliverby_known == fresh.deliverby_known);
    REQUIRE(c.deliverby_min == fresh.deliverby_min);
    REQUIRE(c.futurerelease_interval == fresh.futurerelease_interval);
    REQUIRE(c.futurerelease_datetime.empty());
    REQUIRE(c.mt_priority_policy.empty());
    REQUIRE(c.limit_rcptmax == 0);
    REQUIRE(c.limit_mailmax == 0);
    REQUIRE(c.limit_rcptdomainmax == 0);
    for (const auto& u : c.unknown) REQUIRE((u.keyword.empty() && u.params.empty()));
    REQUIRE(c.unknown_count == 0);
    REQUIRE(c.unknown_overflow == 0);
    REQUIRE(c.malformed_lines == 0);
    REQUIRE(c.lines == 1);
}

TEST_CASE("Constant evaluation (scalar twin) and run time agree on the benchmark replies", "[ehlo][simd]") {
    constexpr auto ct = [] {
        ehlo_capabilities c{};
        const auto r = smtpp::parse_ehlo(
            "250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n250-ETRN\r\n250-STARTTLS\r\n"
            "250-AUTH PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n"
            "250 CHUNKING\r\n",
            c);
        return std::pair<std::size_t, ehlo_capabilities>{r.consumed, c};
    }();
    const std::string postfix = load("ehlo_postfix.txt");
    const parsed rt = parse(postfix);
    REQUIRE(ct.first == rt.res.consumed);
    REQUIRE(ct.second.extensions == rt.caps.extensions);
    REQUIRE(ct.second.auth_mechanisms == rt.caps.auth_mechanisms);
    REQUIRE(ct.second.size == rt.caps.size);
    REQUIRE(ct.second.lines == rt.caps.lines);
    REQUIRE(ct.second.domain == rt.caps.domain);
}

// ------------------------------------------------------------------------------------------
// Line ends at every offset, the keyword and mechanism hash tables, and the word-at-a-time
// helpers.
// ------------------------------------------------------------------------------------------

TEST_CASE("Every line end at every offset of a 64-octet block (RFC 5321 §4.2)", "[ehlo]") {
    // The first line's length moves every later line across the block grid; each reply is
    // checked against the reply reader (status, error, length, prefixes) and the
    // capabilities must not depend on the alignment.
    const std::string tail =
        "250-PIPELINING\r\n250-SIZE 52428800\r\n250-X-SOMETHING-LONGER-THAN-EIGHT with params\r\n"
        "250-AUTH PLAIN LOGIN SCRAM-SHA-256-PLUS\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250 DSN\r\n";
    ehlo_capabilities ref{};
    for (std::size_t pad = 0; pad < 140; ++pad) {
        const std::string s = "250-mx" + std::string(pad, 'x') + " hi\r\n" + tail;
        INFO("pad " << pad);
        const parsed p = parse(s);
        REQUIRE(p.res.st == status::complete);
        REQUIRE(p.res.consumed == s.size());
        REQUIRE(p.caps.domain.size() == 2 + pad);
        REQUIRE(p.caps.greet == "hi");
        if (pad == 0) ref = p.caps;
        REQUIRE(p.caps.extensions == ref.extensions);
        REQUIRE(p.caps.auth_mechanisms == ref.auth_mechanisms);
        REQUIRE(p.caps.size == 52428800);
        REQUIRE(p.caps.unknown_count == 1);
        REQUIRE(p.caps.unknown[0].keyword == "X-SOMETHING-LONGER-THAN-EIGHT");
        REQUIRE(p.caps.unknown[0].params == "with params");
        REQUIRE(p.caps.lines == 8);
        // An odd octet on the last octet of the first block: the reader's verdict.
        for (const char odd : {'\t', '\x01', '\n', '\r', '\x80'}) {
            std::string t = s;
            t[63] = odd;
            parse(t);
        }
    }
}

TEST_CASE("Bitmap window: replies longer than 8 blocks and lines longer than the window", "[ehlo]") {
    // 60 unknown keywords (over 512 octets: the window moves on), then a line of every
    // length around the window size, with a large max_line.
    std::string s = "250-mx\r\n";
    for (int i = 0; i < 60; ++i) {  // appended piece by piece: GCC 12 -O3 warns (-Wrestrict) on operator+ chains
        s += "250-X-KEYWORD-";
        s += std::to_string(i);
        s += " p\r\n";
    }
    s += "250 SIZE 1000\r\n";
    const parsed p = parse(s);
    REQUIRE(p.res.st == status::complete);
    REQUIRE(p.caps.lines == 62);
    REQUIRE(p.caps.unknown_count == 16);
    REQUIRE(p.caps.unknown_overflow == 44);
    REQUIRE(p.caps.size == 1000);
    // A line of "250-X-LONG " + len + CRLF: 13 + len octets, up to the RFC's 512. From 449
    // octets of text it can outrun the 8 blocks from its own block (the per-line scan).
    for (std::size_t len : {400u, 430u, 440u, 447u, 448u, 449u, 450u, 470u, 490u, 498u, 499u, 500u, 600u}) {
        for (std::size_t lead : {0u, 30u, 51u, 56u, 63u, 115u, 120u}) {  // 51, 115: text from octet 63 of a block
            const std::string line = "250-X-LONG " + std::string(len, 'v') + "\r\n";
            const std::string r = "250-mx" + std::string(lead, 'm') + "\r\n" + line + "250 DSN\r\n";
            INFO("len " << len << " lead " << lead);
            const parsed q = parse(r);
            if (len + 13 > 512) {
                REQUIRE(q.res.error == smtpp::reply_error::line_too_long);
                continue;
            }
            REQUIRE(q.res.st == status::complete);
            REQUIRE(q.caps.unknown_count == 1);
            REQUIRE(q.caps.unknown[0].params.size() == len);
            REQUIRE(q.caps.has(ehlo_ext::dsn));
        }
    }
}

TEST_CASE("Keyword and mechanism tables: one octet off is never recognised (RFC 5321 §2.4)", "[ehlo]") {
    const char* const keywords[] = {"PIPELINING",    "SIZE",        "8BITMIME",
                                    "SMTPUTF8",      "DSN",         "CHUNKING",
                                    "BINARYMIME",    "STARTTLS",    "ENHANCEDSTATUSCODES",
                                    "AUTH",          "REQUIRETLS",  "DELIVERBY",
                                    "FUTURERELEASE", "MT-PRIORITY", "RRVS",
                                    "LIMITS",        "VRFY",        "ETRN",
                                    "HELP",          "EXPN"};
    for (const char* kw : keywords) {
        const std::string k = kw;
        // Exact, lower case and with every octet in turn flipped to the other case: known.
        std::string lower = k;
        for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
        for (const std::string& v : {k, lower}) {
            const parsed p = parse("250-mx\r\n250 " + v + "\r\n");
            INFO(v);
            REQUIRE(p.caps.extensions != 0);
            REQUIRE(p.caps.unknown_count == 0);
        }
        // One octet replaced by a printable octet that folds near it, or the word cut or
        // extended: never known (an unknown or a malformed line).
        for (std::size_t i = 0; i < k.size(); ++i) {
            for (const char c : {'@', '[', '`', '{', '_', '.', '=', '~', '/'}) {
                std::string v = k;
                v[i] = c;
                const parsed p = parse("250-mx\r\n250-" + v + "\r\n250 " + v + " x\r\n");
                INFO(v);
                REQUIRE(p.caps.extensions == 0);
            }
        }
        for (const std::string& v : {k.substr(0, k.size() - 1), k + "S", k + "-"}) {
            const parsed p = parse("250-mx\r\n250 " + v + "\r\n");
            INFO(v);
            REQUIRE(p.caps.extensions == 0);
        }
    }
    const char* const mechs[] = {
        "PLAIN",       "LOGIN",       "CRAM-MD5",         "DIGEST-MD5",    "XOAUTH2",
        "OAUTHBEARER", "SCRAM-SHA-1", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS",
        "GSSAPI",      "NTLM",        "EXTERNAL",         "ANONYMOUS"};
    for (const char* m : mechs) {
        const std::string k = m;
        REQUIRE(parse("250-mx\r\n250 AUTH " + k + "\r\n").caps.auth_mechanisms != 0);
        for (std::size_t i = 0; i < k.size(); ++i) {
            std::string v = k;
            v[i] = static_cast<char>(v[i] ^ 0x10);  // '5' -> '%', 'A' -> 'Q', '-' -> '='
            const parsed p = parse("250-mx\r\n250 AUTH " + v + "\r\n");
            INFO(v);
            REQUIRE(p.caps.auth_mechanisms == 0);
            REQUIRE(p.caps.auth_unknown == 1);
        }
        // A control octet that folds (OR 0x20) onto a digit or "-" (allowed with allow_ctl)
        // must not match.
        smtpp::reply_options ctl;
        ctl.allow_ctl = true;
        for (std::size_t i = 0; i < k.size(); ++i) {
            if ((k[i] < '0' || k[i] > '9') && k[i] != '-') continue;
            std::string v = k;
            v[i] = static_cast<char>(v[i] & ~0x20);
            const parsed p = parse("250-mx\r\n250 AUTH " + v + "\r\n", ctl);
            INFO(i);
            REQUIRE(p.caps.auth_mechanisms == 0);
        }
    }
}

TEST_CASE("Decimals eight digits at a time agree with the octet loop (RFC 1870 §4)", "[ehlo]") {
    std::vector<std::string> cases = {"0",
                                      "7",
                                      "52428800",
                                      "104857600",
                                      "99999999",
                                      "100000000",
                                      "1234567890123456",
                                      "9999999999999999",
                                      "18446744073709551615",
                                      "18446744073709551616",
                                      "00000000000001"};
    for (std::size_t n = 1; n <= 17; ++n) {
        std::string d;
        for (std::size_t i = 0; i < n; ++i) d += static_cast<char>('1' + i % 9);
        cases.push_back(d);
        for (std::size_t i = 0; i < n; ++i) {
            for (const char c : {'/', ':', ' ', 'a', '\x80', '\xff', '\xfa', '\x06'}) {
                std::string e = d;
                e[i] = c;
                cases.push_back(e);
            }
        }
    }
    for (const std::string& c : cases) {
        for (std::size_t extra : {0u, 1u, 8u, 16u}) {
            // The digits, then `extra` readable octets, in an exactly sized buffer.
            const smtpp_test::exact_buffer b(c + std::string(extra, '9'));
            const std::string_view s = b.view().substr(0, c.size());
            for (std::uint64_t max : {~std::uint64_t{0}, std::uint64_t{0xFFFFFFFF}, std::uint64_t{52428799}}) {
                std::uint64_t a = 11, w = 11;
                const bool ra = smtpp::detail::parse_decimal(s, max, a);
                const bool rw = smtpp::detail::parse_decimal(s, max, w, c.size() + extra);
                INFO(c << " extra " << extra << " max " << max);
                REQUIRE(ra == rw);
                REQUIRE(a == w);
            }
        }
    }
    STATIC_REQUIRE([] {
        std::uint64_t v = 0;
        return smtpp::detail::parse_decimal(std::string_view("123456789012xxxx", 12), ~std::uint64_t{0}, v, 16) &&
               v == 123456789012ull;
    }());
}

TEST_CASE("SP search eight octets at a time agrees with the octet loop", "[ehlo]") {
    for (std::size_t size = 0; size < 40; ++size) {
        for (std::size_t at = 0; at <= size; ++at) {
            std::string s(size, 'Q');
            if (at < size) s[at] = ' ';
            const smtpp_test::exact_buffer b(s);
            for (std::size_t n = 0; n <= size; ++n) {
                const std::size_t want = at < n ? at : n;
                INFO(size << " " << at << " " << n);
                REQUIRE(smtpp::detail::find_sp(b.view().data(), n, size) == want);
                REQUIRE(smtpp::detail::find_sp(b.view().data(), n, n) == want);
            }
        }
    }
}

TEST_CASE("Constant evaluation and run time agree on a reply longer than the bitmap window", "[ehlo][simd]") {
#define SMTPP_TEST_LONG_REPLY                                                                                          \
    "250-mx.example.org greets you\r\n250-PIPELINING\r\n250-SIZE 104857600\r\n250-AUTH=LOGIN\r\n"                      \
    "250-AUTH SCRAM-SHA-256-PLUS scram-sha-1 PLAIN xoauth2 OAUTHBEARER Unknown\r\n"                                    \
    "250-X-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n" \
    "250-X-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB\r\n" \
    "250-X-CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC\r\n" \
    "250-X-DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD\r\n" \
    "250-X-EEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE\r\n" \
    "250-DELIVERBY 3600\r\n250-LIMITS RCPTMAX=50 MAILMAX=7\r\n250-PIPE_CONNECT\r\n250 enhancedstatuscodes\r\n"
    constexpr auto ct = [] {
        ehlo_capabilities c{};
        const auto r = smtpp::parse_ehlo(SMTPP_TEST_LONG_REPLY, c);
        return std::pair<std::size_t, ehlo_capabilities>{r.consumed, c};
    }();
    const std::string s = SMTPP_TEST_LONG_REPLY;
#undef SMTPP_TEST_LONG_REPLY
    REQUIRE(s.size() > 8 * 64);
    const parsed rt = parse(s);
    REQUIRE(ct.first == s.size());
    REQUIRE(rt.res.consumed == s.size());
    REQUIRE(ct.second.extensions == rt.caps.extensions);
    REQUIRE(ct.second.auth_mechanisms == rt.caps.auth_mechanisms);
    REQUIRE(ct.second.auth_unknown == rt.caps.auth_unknown);
    REQUIRE(ct.second.auth_unknown == 1);
    REQUIRE(ct.second.size == 104857600);
    REQUIRE(rt.caps.size == 104857600);
    REQUIRE(ct.second.deliverby_min == rt.caps.deliverby_min);
    REQUIRE(ct.second.limit_rcptmax == 50);
    REQUIRE(rt.caps.limit_mailmax == 7);
    REQUIRE(ct.second.malformed_lines == 1);
    REQUIRE(rt.caps.malformed_lines == 1);
    REQUIRE(ct.second.unknown_count == rt.caps.unknown_count);
    for (std::size_t i = 0; i < rt.caps.unknown_count; ++i)
        REQUIRE(ct.second.unknown[i].keyword == rt.caps.unknown[i].keyword);
    REQUIRE(ct.second.lines == rt.caps.lines);
    REQUIRE(ct.second.domain == rt.caps.domain);
    REQUIRE(ct.second.greet == rt.caps.greet);
}

TEST_CASE("An empty capability line at the very end of the bytes is malformed (fuzz_ehlo a67c0124)", "[ehlo]") {
    // "250 " + CRLF as the last octets: fewer than eight readable after the text, so the
    // keyword head is built octet by octet and is 0 for an empty word, which must not match
    // an empty slot of the keyword table.
    for (const char* s : {"250-mx\r\n250 \r\n", "250-mx\r\n250-\r\n250 \r\n", "250-mx\r\n250-X-K3\r\n250 \r\n"}) {
        const parsed p = parse(s);
        INFO(s);
        REQUIRE(p.res.st == status::complete);
        REQUIRE(p.caps.extensions == 0);
        REQUIRE(p.caps.malformed_lines >= 1);
        REQUIRE(p.caps.malformed_lines == (std::string_view(s).find("250-\r") != std::string_view::npos ? 2 : 1));
    }
    // The reply reader's "250" alone (no SP) and "250 " agree.
    REQUIRE(parse("250-mx\r\n250\r\n").caps.malformed_lines == 1);
}

TEST_CASE("to_string(sasl_mech): the registered names, each one parsed back to its bit (RFC 4954 §3)", "[ehlo]") {
    STATIC_REQUIRE(smtpp::to_string(sasl_mech::scram_sha_256_plus) == "SCRAM-SHA-256-PLUS");
    STATIC_REQUIRE(smtpp::to_string(static_cast<sasl_mech>(0)) == "unknown");
    STATIC_REQUIRE(smtpp::to_string(static_cast<sasl_mech>(3)) == "unknown");  // two bits
    std::string line = "250-mx\r\n250 AUTH";
    std::uint32_t all = 0;
    for (unsigned i = 0; i < 32; ++i) {
        const auto m = static_cast<sasl_mech>(std::uint32_t{1} << i);
        const std::string_view name = smtpp::to_string(m);
        if (name == "unknown") continue;
        all |= std::uint32_t{1} << i;
        // Alone, the name gives exactly its bit.
        const parsed p = parse("250-mx\r\n250 AUTH " + std::string(name) + "\r\n");
        REQUIRE(p.caps.auth_mechanisms == (std::uint32_t{1} << i));
        REQUIRE(p.caps.auth_unknown == 0);
        line += " ";
        line += name;
    }
    REQUIRE(all == 0x3FFFu);  // the 14 mechanisms of the enum, bits 0..13
    line += "\r\n";
    const parsed p = parse(line);
    REQUIRE(p.caps.auth_mechanisms == all);
}
