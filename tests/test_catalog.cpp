// Tests for the reply catalog: every reply code of RFC 5321 §4.2.2–§4.2.3 and the extensions,
// every enhanced status code of the IANA registry (RFC 3463, RFC 5248), in every language.
#include <catch2/catch.hpp>

#include <smtpp/catalog.hpp>
#include <smtpp/reply.hpp>

#include <set>
#include <string>

#include "support/alloc_counter.hpp"

namespace {

constexpr smtpp::lang all_langs[] = {smtpp::lang::en, smtpp::lang::ru};

bool clean(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (static_cast<unsigned char>(c) < 0x20) return false;  // no CR, LF, NUL, TAB in catalog texts
    return true;
}

}  // namespace

TEST_CASE("The catalog lists exactly the reply codes of the issue (RFC 5321 §4.2.2-§4.2.3, RFC 4954, RFC 7504)",
          "[catalog]") {
    const std::set<int> expected = {211, 214, 220, 221, 235, 250, 251, 252, 334, 354, 421, 432, 450,
                                    451, 452, 454, 455, 458, 459, 500, 501, 502, 503, 504, 521, 523,
                                    530, 534, 535, 538, 550, 551, 552, 553, 554, 555, 556};
    std::set<int> listed;
    for (std::size_t i = 0; i < smtpp::listed_reply_count; ++i) {
        const int code = smtpp::listed_reply_code(i);
        REQUIRE(smtpp::is_valid_reply_code(static_cast<unsigned>(code)));
        REQUIRE(listed.insert(code).second);  // no duplicates
        if (i > 0) REQUIRE(smtpp::listed_reply_code(i - 1) < code);
    }
    REQUIRE(listed == expected);
}

TEST_CASE("Every reply code has every field, in every language", "[catalog]") {
    for (smtpp::lang l : all_langs) {
        for (std::size_t i = 0; i < smtpp::listed_reply_count; ++i) {
            const auto e = smtpp::explain_reply(smtpp::listed_reply_code(i), l);
            INFO("code " << e.code << " lang " << std::string(smtpp::to_string(l)));
            REQUIRE(e.valid);
            REQUIRE(e.listed);
            for (std::string_view f :
                 {e.cls, e.cls_meaning, e.category, e.category_meaning, e.title, e.description, e.when, e.fix, e.rfc})
                REQUIRE(clean(f));
            REQUIRE(e.rfc.substr(0, 4) == "RFC ");
            REQUIRE(e.cls.substr(0, 1) == std::to_string(e.code / 100));
        }
    }
}

TEST_CASE("Every registered enhanced status code has every field, in every language (RFC 5248 registry)", "[catalog]") {
    std::set<std::pair<int, int>> seen;
    for (smtpp::lang l : all_langs) {
        for (std::size_t i = 0; i < smtpp::listed_enhanced_count; ++i) {
            for (std::uint8_t cls : {std::uint8_t{2}, std::uint8_t{4}, std::uint8_t{5}}) {
                const auto code = smtpp::listed_enhanced_code(i, cls);
                const auto e = smtpp::explain_enhanced(code, l);
                INFO(std::string(smtpp::format_enhanced_code(code).view()));
                REQUIRE(e.valid);
                REQUIRE(e.listed);
                REQUIRE(e.known_subject);
                for (std::string_view f :
                     {e.cls, e.cls_meaning, e.subject, e.subject_meaning, e.title, e.description, e.rfc})
                    REQUIRE(clean(f));
            }
            seen.insert({smtpp::listed_enhanced_code(i).subject, smtpp::listed_enhanced_code(i).detail});
        }
    }
    REQUIRE(seen.size() == smtpp::listed_enhanced_count);  // no duplicates
    // The registry as of its 2024 update: X.0.0, X.1.0-10, X.2.0-4, X.3.0-6, X.4.0-7, X.5.0-6,
    // X.6.0-10, X.7.0-30.
    const int last_detail[8] = {0, 10, 4, 6, 7, 6, 10, 30};
    for (int s = 0; s < 8; ++s)
        for (int d = 0; d <= last_detail[s]; ++d) {
            INFO(s << "." << d);
            REQUIRE(seen.count({s, d}) == 1);
        }
    REQUIRE(seen.size() == 1 + 11 + 5 + 7 + 8 + 7 + 11 + 31);
}

TEST_CASE("Cards say what the issue asks: 221 and 504", "[catalog]") {
    constexpr auto q = smtpp::explain_reply(221, smtpp::lang::en);
    STATIC_REQUIRE(q.title == "Closing Connection");
    STATIC_REQUIRE(q.cls == "2xx Positive Completion");
    STATIC_REQUIRE(q.closes);
    STATIC_REQUIRE(q.category.substr(0, 3) == "x2z");
    REQUIRE(q.description.find("QUIT") != std::string_view::npos);
    REQUIRE(q.fix.find("No fix needed") != std::string_view::npos);
    constexpr auto p = smtpp::explain_reply(504, smtpp::lang::en);
    STATIC_REQUIRE(p.title == "Parameter Not Implemented");
    STATIC_REQUIRE(p.cls.substr(0, 22) == "5xx Permanent Negative");
    REQUIRE(p.description.find("AUTH mechanism") != std::string_view::npos);
    REQUIRE(p.description.find("MAIL FROM parameter") != std::string_view::npos);
    REQUIRE(p.fix.find("EHLO capabilities") != std::string_view::npos);
    constexpr auto r = smtpp::explain_reply(504, smtpp::lang::ru);
    STATIC_REQUIRE(r.title == "Параметр не реализован");
}

TEST_CASE("Codes not in the table are explained by the theory of reply codes (RFC 5321 §4.2.1)", "[catalog]") {
    for (smtpp::lang l : all_langs) {
        const auto e = smtpp::explain_reply(259, l);
        REQUIRE(e.valid);
        REQUIRE(!e.listed);
        REQUIRE(clean(e.title));
        REQUIRE(clean(e.description));
        REQUIRE(clean(e.when));
        REQUIRE(clean(e.fix));
        REQUIRE(e.category.substr(0, 3) == "x5z");
    }
    for (unsigned bad : {0u, 100u, 199u, 260u, 600u, 699u, 1000u, 65535u}) REQUIRE(!smtpp::explain_reply(bad).valid);
    // Every valid code gets a class and category.
    for (unsigned c = 200; c < 600; ++c) {
        const auto e = smtpp::explain_reply(c);
        REQUIRE(e.valid == smtpp::is_valid_reply_code(c));
        if (e.valid) REQUIRE((clean(e.cls) && clean(e.category) && clean(e.title) && clean(e.fix)));
    }
}

TEST_CASE("Enhanced codes: theory for unregistered details, nothing for invalid codes (RFC 3463 §3)", "[catalog]") {
    const auto a = smtpp::explain_enhanced({5, 7, 708});  // Microsoft private detail
    REQUIRE(a.valid);
    REQUIRE(!a.listed);
    REQUIRE(a.known_subject);
    REQUIRE(a.subject.substr(0, 5) == "X.7.X");
    const auto b = smtpp::explain_enhanced({4, 9, 1});
    REQUIRE(b.valid);
    REQUIRE(!b.known_subject);
    REQUIRE(!smtpp::explain_enhanced({3, 0, 0}).valid);
    REQUIRE(!smtpp::explain_enhanced({6, 0, 0}).valid);
    REQUIRE(!smtpp::explain_enhanced({5, 1000, 0}).valid);
    constexpr auto c = smtpp::explain_enhanced({5, 7, 1}, smtpp::lang::en);
    STATIC_REQUIRE(c.title == "Delivery Not Authorized, Message Refused");
    STATIC_REQUIRE(c.cls == "5.X.X Permanent Failure");
    constexpr auto d = smtpp::explain_enhanced({5, 1, 1}, smtpp::lang::ru);
    STATIC_REQUIRE(d.title == "Неверный адрес ящика получателя");
}

TEST_CASE("Lookups allocate nothing", "[catalog]") {
    smtpp_test::no_alloc_scope scope;
    std::size_t n = 0;
    for (unsigned c = 0; c < 1000; ++c) n += smtpp::explain_reply(c, smtpp::lang::ru).title.size();
    for (std::uint16_t d = 0; d < 40; ++d) n += smtpp::explain_enhanced({5, 7, d}).title.size();
    REQUIRE(scope.allocations() == 0);
    REQUIRE(n > 0);
}

TEST_CASE("Language names", "[catalog]") {
    smtpp::lang l{};
    REQUIRE(smtpp::parse_lang("ru", l));
    REQUIRE(l == smtpp::lang::ru);
    REQUIRE(smtpp::parse_lang("EN", l));
    REQUIRE(l == smtpp::lang::en);
    REQUIRE(!smtpp::parse_lang("de", l));
    REQUIRE(!smtpp::parse_lang("", l));
    REQUIRE(smtpp::to_string(smtpp::lang::ru) == "ru");
}
