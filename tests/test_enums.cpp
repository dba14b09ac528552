// Tests of the enums generated from X-macro rows (issue 14): client_phase and client_error
// (include/smtpp/client.hpp), encode_error (encode.hpp), lang (catalog.hpp), line_error
// (line.hpp) and data_error (data.hpp). Every enumerator is taken from its macro, so a row
// added to the macro is checked here without touching this file: its value is its position,
// `to_string` gives the row's name (non-empty, not a fallback, no other row's), a value past
// the last row gives the fallback, and the reply and rank columns are what `reply_for` and
// the readers use.
#include <catch2/catch.hpp>

#include <smtpp/catalog.hpp>
#include <smtpp/client.hpp>
#include <smtpp/data.hpp>
#include <smtpp/encode.hpp>
#include <smtpp/line.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace {

// One enumerator as its macro row gives it: the enumerator, the value written in the row and
// the name `to_string` must give (the row's text, or the enumerator spelled out).
template <typename E>
struct row {
    E e;
    unsigned value;
    std::string_view name;
};

// An enumerator's row and its reply columns (line_error, data_error).
template <typename E>
struct reply_row {
    E e;
    unsigned value;
    std::string_view name;
    int rank;
    smtpp::reply_hint reply;
};

template <typename Row, std::size_t N>
void check_names(const Row (&rows)[N], std::size_t count, std::string_view fallback) {
    REQUIRE(N == count);
    for (std::size_t i = 0; i < N; ++i) {
        const std::string_view name = to_string(rows[i].e);
        INFO("row " << i << " (" << std::string(rows[i].name) << ") to_string: " << std::string(name));
        CHECK(static_cast<std::size_t>(rows[i].e) == i);
        CHECK(rows[i].value == i);
        CHECK(name == rows[i].name);
        CHECK(!name.empty());
        CHECK(name != "unknown");
        CHECK(name != "?");
        for (std::size_t j = 0; j < i; ++j) CHECK(to_string(rows[j].e) != name);
    }
    using E = decltype(rows[0].e);
    CHECK(to_string(static_cast<E>(N)) == fallback);
    CHECK(to_string(static_cast<E>(255)) == fallback);
}

template <typename E, std::size_t N>
void check_replies(const reply_row<E> (&rows)[N]) {
    for (std::size_t i = 0; i < N; ++i) {
        INFO("row " << i << " (" << std::string(rows[i].name) << ")");
        const smtpp::reply_hint r = reply_for(rows[i].e);
        CHECK(r.code == rows[i].reply.code);
        CHECK(r.esc.cls == rows[i].reply.esc.cls);
        CHECK(r.esc.subject == rows[i].reply.esc.subject);
        CHECK(r.esc.detail == rows[i].reply.esc.detail);
        CHECK(r.text == rows[i].reply.text);
        if (i == 0) continue;  // none: no refusal
        // A refusal is a permanent negative reply (RFC 5321 §4.2.1: 5yz) with a matching
        // enhanced class (RFC 3463 §3.1: 5.x.x) and a text (§4.2: textstring).
        CHECK(r.code >= 500);
        CHECK(r.code <= 559);
        CHECK(r.esc.cls == 5);
        CHECK(!r.text.empty());
        CHECK(r.text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos);
        // The rank picks the one error reported: every error has its own, above none's.
        CHECK(rows[i].rank > rows[0].rank);
        for (std::size_t j = 1; j < i; ++j) CHECK(rows[j].rank != rows[i].rank);
    }
}

// ---- every enumerator, from its macro ---------------------------------------------------

#define SMTPP_TEST_PHASE(e, value) {smtpp::client_phase::e, value, #e},
constexpr row<smtpp::client_phase> client_phases[] = {SMTPP_CLIENT_PHASES(SMTPP_TEST_PHASE)};
#undef SMTPP_TEST_PHASE
#define SMTPP_TEST_CLIENT_ERROR(e, value, text) {smtpp::client_error::e, value, text},
constexpr row<smtpp::client_error> client_errors[] = {SMTPP_CLIENT_ERRORS(SMTPP_TEST_CLIENT_ERROR)};
#undef SMTPP_TEST_CLIENT_ERROR
#define SMTPP_TEST_ENCODE_ERROR(e, value, text) {smtpp::encode_error::e, value, text},
constexpr row<smtpp::encode_error> encode_errors[] = {SMTPP_ENCODE_ERRORS(SMTPP_TEST_ENCODE_ERROR)};
#undef SMTPP_TEST_ENCODE_ERROR
#define SMTPP_TEST_LANG(tag, value) {smtpp::lang::tag, value, #tag},
constexpr row<smtpp::lang> langs[] = {SMTPP_LANGS(SMTPP_TEST_LANG)};
#undef SMTPP_TEST_LANG
#define SMTPP_TEST_LINE_ERROR(e, value, rank, code, c1, c2, c3, text) \
    {smtpp::line_error::e, value, #e, rank, smtpp::reply_hint{code, smtpp::enhanced_code{c1, c2, c3}, text}},
constexpr reply_row<smtpp::line_error> line_errors[] = {SMTPP_LINE_ERRORS(SMTPP_TEST_LINE_ERROR)};
#undef SMTPP_TEST_LINE_ERROR
#define SMTPP_TEST_DATA_ERROR(e, value, rank, code, c1, c2, c3, text) \
    {smtpp::data_error::e, value, #e, rank, smtpp::reply_hint{code, smtpp::enhanced_code{c1, c2, c3}, text}},
constexpr reply_row<smtpp::data_error> data_errors[] = {SMTPP_DATA_ERRORS(SMTPP_TEST_DATA_ERROR)};
#undef SMTPP_TEST_DATA_ERROR

}  // namespace

TEST_CASE("client_phase: every row of SMTPP_CLIENT_PHASES has its own name (RFC 5321 §4.3.2)", "[enums]") {
    check_names(client_phases, smtpp::client_phase_count, "?");
}

TEST_CASE("client_error: every row of SMTPP_CLIENT_ERRORS has its own description (RFC 5321 §4.2, §3.8)", "[enums]") {
    check_names(client_errors, smtpp::client_error_count, "unknown");
}

TEST_CASE("encode_error: every row of SMTPP_ENCODE_ERRORS has its own description (RFC 5321 §2.3.8)", "[enums]") {
    check_names(encode_errors, smtpp::encode_error_count, "unknown");
}

TEST_CASE("lang: every row of SMTPP_LANGS has its own tag, and parse_lang reads it back", "[enums]") {
    // Out of range falls back to English ("en"), which is also a row's name: the generic
    // check's fallback is "en" here, and each tag must parse back to its own enumerator.
    check_names(langs, smtpp::lang_count, "en");
    for (const auto& r : langs) {
        INFO(std::string(r.name));
        smtpp::lang parsed = r.e == smtpp::lang::en ? smtpp::lang::ru : smtpp::lang::en;
        CHECK(smtpp::parse_lang(r.name, parsed));
        CHECK(parsed == r.e);
    }
}

TEST_CASE("line_error: every row of SMTPP_LINE_ERRORS has its own name, rank and reply (RFC 5321 §4.5.3.1.4, §2.3.8)",
          "[enums]") {
    check_names(line_errors, smtpp::line_error_count, "unknown");
    check_replies(line_errors);
    // Out of range: 500 5.5.2 (as documented on reply_for).
    CHECK(smtpp::reply_for(static_cast<smtpp::line_error>(smtpp::line_error_count)).code == 500);
}

TEST_CASE(
    "data_error: every row of SMTPP_DATA_ERRORS has its own name, rank and reply (RFC 5321 §4.1.1.4, §2.3.8, "
    "§4.5.3.1.6; RFC 1870 §6)",
    "[enums]") {
    check_names(data_errors, smtpp::data_error_count, "unknown");
    check_replies(data_errors);
    // Out of range: 554 5.0.0 (as documented on reply_for).
    CHECK(smtpp::reply_for(static_cast<smtpp::data_error>(smtpp::data_error_count)).code == 554);
}
