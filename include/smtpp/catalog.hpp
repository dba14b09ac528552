/**
 * @file catalog.hpp
 * @brief The reply catalog: every standard SMTP reply code (RFC 5321 §4.2.2–§4.2.3 and the
 *        extensions) and every enhanced status code of the IANA registry (RFC 3463, RFC 5248
 *        and later), with class, title, meaning, when you see it, how to fix it and the RFC,
 *        in English and Russian.
 *
 * Everything is constant data: `std::string_view`s into string literals in `constexpr`
 * arrays. Lookups are `constexpr`, allocation-free, and the views live forever.
 *
 * Layout. The language-neutral facts (codes, RFC, flags) are in this file; each language is
 * one table per kind in `detail/catalog_<lang>.hpp`, in the same order. Adding a language is
 * adding those two tables, a value to `lang`, and a row to `detail::catalog_texts`; a
 * static_assert checks the sizes and the tests check every field of every row.
 *
 * @code
 * auto e = smtpp::explain_reply(504, smtpp::lang::en);
 * std::puts(e.title.data());   // "Parameter Not Implemented" (literals are NUL-terminated)
 * @endcode
 */
#ifndef SMTPP_CATALOG_HPP
#define SMTPP_CATALOG_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core.hpp"

namespace smtpp {

/// The languages of the catalog texts.
enum class lang : std::uint8_t {
    en = 0,  ///< English
    ru = 1,  ///< Russian (UTF-8)
};

inline constexpr std::size_t lang_count = 2;

constexpr std::string_view to_string(lang l) noexcept { return l == lang::ru ? "ru" : "en"; }

/// "en" / "ru" (case-insensitive) to a language; false for anything else.
constexpr bool parse_lang(std::string_view s, lang& out) noexcept {
    if (s.size() != 2) return false;
    const char a = static_cast<char>(s[0] | 0x20);
    const char b = static_cast<char>(s[1] | 0x20);
    if (a == 'e' && b == 'n') { out = lang::en; return true; }
    if (a == 'r' && b == 'u') { out = lang::ru; return true; }
    return false;
}

namespace detail {

/// Language-neutral facts of a reply code.
struct reply_fact {
    std::uint16_t code;
    std::string_view rfc;
    bool closes;  ///< the server closes the connection after sending it
};

/// One language's text for a reply code.
struct reply_text {
    std::string_view title;
    std::string_view description;
    std::string_view when;
    std::string_view fix;
};

/// Language-neutral facts of an enhanced status code `X.subject.detail`.
struct esc_fact {
    std::uint16_t subject;
    std::uint16_t detail;
    std::string_view rfc;
};

/// One language's text for an enhanced status code.
struct esc_text {
    std::string_view title;
    std::string_view description;
};

/// Texts of the theory of codes and the labels used by cards, per language.
struct theory_text {
    std::string_view reply_class[4][2];      ///< [first digit - 2] = {title, meaning}
    std::string_view reply_category[6][2];   ///< [second digit] = {title, meaning}
    std::string_view esc_class[3][2];        ///< [2, 4, 5] = {title, meaning}
    std::string_view esc_subject[8][2];      ///< [subject] = {title, meaning}
    std::string_view not_in_table_title;     ///< title of a valid code that is not listed
    std::string_view not_in_table_fix;       ///< advice for such a code (§4.2.1: first digit)
    std::string_view unregistered_esc;       ///< title of an unregistered enhanced code
};

inline constexpr reply_fact reply_facts[] = {
    {211, "RFC 5321 §4.2.2, §4.2.3", false},
    {214, "RFC 5321 §4.2.2, §4.1.1.8", false},
    {220, "RFC 5321 §4.2.2, §3.1; RFC 3207 §4", false},
    {221, "RFC 5321 §4.2.2, §4.1.1.10", true},
    {235, "RFC 4954 §6", false},
    {250, "RFC 5321 §4.2.2, §4.1.1.1", false},
    {251, "RFC 5321 §4.2.2, §3.4", false},
    {252, "RFC 5321 §4.2.2, §3.5.3", false},
    {334, "RFC 4954 §4", false},
    {354, "RFC 5321 §4.2.2, §4.1.1.4", false},
    {421, "RFC 5321 §4.2.2, §3.8", true},
    {432, "RFC 4954 §6", false},
    {450, "RFC 5321 §4.2.2, §4.2.3", false},
    {451, "RFC 5321 §4.2.2, §4.2.3", false},
    {452, "RFC 5321 §4.2.2, §4.5.3.1.10", false},
    {454, "RFC 4954 §6; RFC 3207 §4", false},
    {455, "RFC 5321 §4.2.2, §4.1.1.11", false},
    {458, "RFC 1985 §5", false},
    {459, "RFC 1985 §5", false},
    {500, "RFC 5321 §4.2.2, §4.2.4", false},
    {501, "RFC 5321 §4.2.2, §4.2.3", false},
    {502, "RFC 5321 §4.2.2, §4.2.4", false},
    {503, "RFC 5321 §4.2.2, §4.2.3", false},
    {504, "RFC 5321 §4.2.2, §4.2.3; RFC 4954 §4", false},
    {521, "RFC 7504 §3", false},
    {523, "RFC 5248 §4 (registry entry X.7.10)", false},
    {530, "RFC 4954 §6; RFC 3207 §4", false},
    {534, "RFC 4954 §6", false},
    {535, "RFC 4954 §6", false},
    {538, "RFC 4954 §6", false},
    {550, "RFC 5321 §4.2.2, §3.3", false},
    {551, "RFC 5321 §4.2.2, §3.4", false},
    {552, "RFC 5321 §4.2.2; RFC 1870 §6", false},
    {553, "RFC 5321 §4.2.2, §4.2.3", false},
    {554, "RFC 5321 §4.2.2, §3.1", false},
    {555, "RFC 5321 §4.2.2, §4.1.1.11", false},
    {556, "RFC 7504 §4", false},
};

inline constexpr esc_fact esc_facts[] = {
    {0, 0, "RFC 3463 §3.1"},
    {1, 0, "RFC 3463 §3.2"}, {1, 1, "RFC 3463 §3.2"}, {1, 2, "RFC 3463 §3.2"}, {1, 3, "RFC 3463 §3.2"},
    {1, 4, "RFC 3463 §3.2"}, {1, 5, "RFC 3463 §3.2"}, {1, 6, "RFC 3463 §3.2"}, {1, 7, "RFC 3463 §3.2"},
    {1, 8, "RFC 3463 §3.2"}, {1, 9, "RFC 3886 §4"}, {1, 10, "RFC 7505 §4.2"},
    {2, 0, "RFC 3463 §3.3"}, {2, 1, "RFC 3463 §3.3"}, {2, 2, "RFC 3463 §3.3"}, {2, 3, "RFC 3463 §3.3"},
    {2, 4, "RFC 3463 §3.3"},
    {3, 0, "RFC 3463 §3.4"}, {3, 1, "RFC 3463 §3.4"}, {3, 2, "RFC 3463 §3.4"}, {3, 3, "RFC 3463 §3.4"},
    {3, 4, "RFC 3463 §3.4"}, {3, 5, "RFC 3463 §3.4"}, {3, 6, "RFC 6710 §9"},
    {4, 0, "RFC 3463 §3.5"}, {4, 1, "RFC 3463 §3.5"}, {4, 2, "RFC 3463 §3.5"}, {4, 3, "RFC 3463 §3.5"},
    {4, 4, "RFC 3463 §3.5"}, {4, 5, "RFC 3463 §3.5"}, {4, 6, "RFC 3463 §3.5"}, {4, 7, "RFC 3463 §3.5"},
    {5, 0, "RFC 3463 §3.6"}, {5, 1, "RFC 3463 §3.6"}, {5, 2, "RFC 3463 §3.6"}, {5, 3, "RFC 3463 §3.6"},
    {5, 4, "RFC 3463 §3.6"}, {5, 5, "RFC 3463 §3.6"}, {5, 6, "RFC 4954 §6"},
    {6, 0, "RFC 3463 §3.7"}, {6, 1, "RFC 3463 §3.7"}, {6, 2, "RFC 3463 §3.7"}, {6, 3, "RFC 3463 §3.7"},
    {6, 4, "RFC 3463 §3.7"}, {6, 5, "RFC 3463 §3.7"}, {6, 6, "RFC 4468 §5"}, {6, 7, "RFC 6531 §3.5"},
    {6, 8, "RFC 6531 §3.7.4.1"}, {6, 9, "RFC 6531 §3.7.5"}, {6, 10, "RFC 6531 (deprecated duplicate of X.6.8)"},
    {7, 0, "RFC 3463 §3.8"}, {7, 1, "RFC 3463 §3.8"}, {7, 2, "RFC 3463 §3.8"}, {7, 3, "RFC 3463 §3.8"},
    {7, 4, "RFC 3463 §3.8"}, {7, 5, "RFC 3463 §3.8"}, {7, 6, "RFC 3463 §3.8"}, {7, 7, "RFC 3463 §3.8"},
    {7, 8, "RFC 4954 §6"}, {7, 9, "RFC 4954 §6"}, {7, 10, "RFC 5248 §4"}, {7, 11, "RFC 4954 §6"},
    {7, 12, "RFC 4954 §6"}, {7, 13, "RFC 5248 §4"}, {7, 14, "RFC 5248 §4"}, {7, 15, "RFC 6710 §9"},
    {7, 16, "RFC 6710 §9"}, {7, 17, "RFC 7293 §3"}, {7, 18, "RFC 7293 §3"}, {7, 19, "RFC 7293 §3"},
    {7, 20, "RFC 7372 §3.1"}, {7, 21, "RFC 7372 §3.1"}, {7, 22, "RFC 7372 §3.1"}, {7, 23, "RFC 7372 §3.2"},
    {7, 24, "RFC 7372 §3.2"}, {7, 25, "RFC 7372 §3.3"}, {7, 26, "RFC 7372 §3.4"}, {7, 27, "RFC 7505 §4.2"},
    {7, 28, "IANA SMTP Enhanced Status Codes registry"}, {7, 29, "RFC 8617 §7.2.3"}, {7, 30, "RFC 8689 §5"},
};

inline constexpr std::size_t reply_count = sizeof(reply_facts) / sizeof(reply_facts[0]);
inline constexpr std::size_t esc_count = sizeof(esc_facts) / sizeof(esc_facts[0]);

}  // namespace detail
}  // namespace smtpp

#include "detail/catalog_en.hpp"
#include "detail/catalog_ru.hpp"

namespace smtpp {
namespace detail {

struct catalog_lang {
    const reply_text* replies;
    std::size_t reply_size;
    const esc_text* escs;
    std::size_t esc_size;
    const theory_text* theory;
};

inline constexpr catalog_lang catalog_texts[lang_count] = {
    {catalog_en_replies, sizeof(catalog_en_replies) / sizeof(catalog_en_replies[0]), catalog_en_escs,
     sizeof(catalog_en_escs) / sizeof(catalog_en_escs[0]), &catalog_en_theory},
    {catalog_ru_replies, sizeof(catalog_ru_replies) / sizeof(catalog_ru_replies[0]), catalog_ru_escs,
     sizeof(catalog_ru_escs) / sizeof(catalog_ru_escs[0]), &catalog_ru_theory},
};

static_assert(sizeof(catalog_en_replies) / sizeof(catalog_en_replies[0]) == reply_count, "en replies");
static_assert(sizeof(catalog_ru_replies) / sizeof(catalog_ru_replies[0]) == reply_count, "ru replies");
static_assert(sizeof(catalog_en_escs) / sizeof(catalog_en_escs[0]) == esc_count, "en enhanced codes");
static_assert(sizeof(catalog_ru_escs) / sizeof(catalog_ru_escs[0]) == esc_count, "ru enhanced codes");

constexpr const catalog_lang& texts(lang l) noexcept {
    return catalog_texts[static_cast<std::size_t>(l) < lang_count ? static_cast<std::size_t>(l) : 0];
}

}  // namespace detail

// ================================================================================================
// Reply codes
// ================================================================================================

/// Everything the catalog says about a reply code. Views into static storage.
struct reply_explanation {
    std::uint16_t code = 0;
    bool valid = false;          ///< a `Reply-code` (first digit 2–5, second 0–5)
    bool listed = false;         ///< in the table; otherwise title/description come from theory
    bool closes = false;         ///< the server closes the connection after it
    std::string_view cls{};      ///< "2xx Positive Completion", …
    std::string_view cls_meaning{};
    std::string_view category{}; ///< meaning of the second digit: "x2z Connections", …
    std::string_view category_meaning{};
    std::string_view title{};
    std::string_view description{};
    std::string_view when{};
    std::string_view fix{};
    std::string_view rfc{};
};

/// The index of `code` in the catalog, or `detail::reply_count` when absent.
constexpr std::size_t reply_index(unsigned code) noexcept {
    for (std::size_t i = 0; i < detail::reply_count; ++i)
        if (detail::reply_facts[i].code == code) return i;
    return detail::reply_count;
}

/**
 * Explains a reply code. A listed code gets its card; a valid code that is not listed gets
 * the theory of RFC 5321 §4.2.1 (first digit: outcome, second digit: category) and the
 * advice to act on the first digit; an invalid code gets `valid == false` and nothing else.
 */
constexpr reply_explanation explain_reply(unsigned code, lang l = lang::en) noexcept {
    reply_explanation e{};
    e.code = static_cast<std::uint16_t>(code <= 999 ? code : 0);
    if (!(code >= 200 && code <= 599 && (code / 10) % 10 <= 5)) return e;
    e.valid = true;
    const detail::catalog_lang& t = detail::texts(l);
    const unsigned first = code / 100;
    const unsigned second = (code / 10) % 10;
    e.cls = t.theory->reply_class[first - 2][0];
    e.cls_meaning = t.theory->reply_class[first - 2][1];
    e.category = t.theory->reply_category[second][0];
    e.category_meaning = t.theory->reply_category[second][1];
    const std::size_t i = reply_index(code);
    if (i == detail::reply_count) {
        e.title = t.theory->not_in_table_title;
        e.description = e.cls_meaning;
        e.when = e.category_meaning;
        e.fix = t.theory->not_in_table_fix;
        e.rfc = "RFC 5321 §4.2.1";
        return e;
    }
    e.listed = true;
    e.closes = detail::reply_facts[i].closes;
    e.rfc = detail::reply_facts[i].rfc;
    e.title = t.replies[i].title;
    e.description = t.replies[i].description;
    e.when = t.replies[i].when;
    e.fix = t.replies[i].fix;
    return e;
}

/// The listed reply codes, in ascending order, for iteration.
constexpr std::uint16_t listed_reply_code(std::size_t i) noexcept {
    return i < detail::reply_count ? detail::reply_facts[i].code : std::uint16_t{0};
}
inline constexpr std::size_t listed_reply_count = detail::reply_count;

// ================================================================================================
// Enhanced status codes
// ================================================================================================

/// Everything the catalog says about an enhanced status code. Views into static storage.
struct enhanced_explanation {
    enhanced_code esc{};
    bool valid = false;         ///< class 2/4/5, subject and detail 0..999
    bool listed = false;        ///< `X.subject.detail` is in the IANA registry
    bool known_subject = false; ///< subject 0..7 (RFC 3463 §3)
    std::string_view cls{};     ///< "2.X.X Success", …
    std::string_view cls_meaning{};
    std::string_view subject{}; ///< "X.1.X Addressing Status", …
    std::string_view subject_meaning{};
    std::string_view title{};
    std::string_view description{};
    std::string_view rfc{};
};

/// The index of `X.subject.detail` in the registry table, or `detail::esc_count`.
constexpr std::size_t enhanced_index(unsigned subject, unsigned detail_code) noexcept {
    for (std::size_t i = 0; i < detail::esc_count; ++i)
        if (detail::esc_facts[i].subject == subject && detail::esc_facts[i].detail == detail_code) return i;
    return detail::esc_count;
}

/// Explains an enhanced status code (RFC 3463 §2–§3 and the IANA registry, RFC 5248).
constexpr enhanced_explanation explain_enhanced(enhanced_code c, lang l = lang::en) noexcept {
    enhanced_explanation e{};
    e.esc = c;
    if (!((c.cls == 2 || c.cls == 4 || c.cls == 5) && c.subject <= 999 && c.detail <= 999)) return e;
    e.valid = true;
    const detail::catalog_lang& t = detail::texts(l);
    const std::size_t ci = c.cls == 2 ? 0 : c.cls == 4 ? 1 : 2;
    e.cls = t.theory->esc_class[ci][0];
    e.cls_meaning = t.theory->esc_class[ci][1];
    if (c.subject <= 7) {
        e.known_subject = true;
        e.subject = t.theory->esc_subject[c.subject][0];
        e.subject_meaning = t.theory->esc_subject[c.subject][1];
    }
    const std::size_t i = enhanced_index(c.subject, c.detail);
    if (i == detail::esc_count) {
        e.title = t.theory->unregistered_esc;
        return e;
    }
    e.listed = true;
    e.title = t.escs[i].title;
    e.description = t.escs[i].description;
    e.rfc = detail::esc_facts[i].rfc;
    return e;
}

/// The registered codes as `X.subject.detail` pairs, in registry order, for iteration.
inline constexpr std::size_t listed_enhanced_count = detail::esc_count;
constexpr enhanced_code listed_enhanced_code(std::size_t i, std::uint8_t cls = 5) noexcept {
    if (i >= detail::esc_count) return {};
    return {cls, detail::esc_facts[i].subject, detail::esc_facts[i].detail};
}

}  // namespace smtpp

#endif
