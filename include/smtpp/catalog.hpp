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
 * Layout. This file is the API. The language-neutral facts (codes, RFC, flags) are in
 * `detail/catalog_facts.hpp`; each language is one table per kind in
 * `detail/catalog_<lang>.hpp`, in the same order; the lookups are in `detail/catalog-inl.hpp`.
 * Adding a language is adding those tables, a row to `SMTPP_LANGS` (the enumerator and its
 * tag), and a row to `detail::catalog_texts`; static_asserts check the sizes and the order,
 * and the tests check every field of every row.
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
#include "detail/enum_names.hpp"

namespace smtpp {

/**
 * The languages of the catalog texts, one row each: `X(tag, value)`. The tag is the
 * enumerator and its name (`to_string`, `parse_lang`); values are explicit and append-only
 * (the C API mirrors them). The enum, its names and `lang_count` come from it.
 */
#define SMTPP_LANGS(X)               \
    X(en, 0) /**< English */         \
    X(ru, 1) /**< Russian (UTF-8) */ \
    /* a new row goes above this line */

/// Expands a row of `SMTPP_LANGS` into its enumerator (used right below only).
#define SMTPP_X_LANG(tag, value) tag = value,
/// The languages of the catalog texts: one enumerator per row of `SMTPP_LANGS`.
enum class lang : std::uint8_t { SMTPP_LANGS(SMTPP_X_LANG) };
#undef SMTPP_X_LANG

namespace detail {
/// Expands a row of `SMTPP_LANGS` into its name (used right below only).
#define SMTPP_X_LANG_NAME(tag, value) {lang::tag, #tag},
inline constexpr enum_name<lang> lang_names[] = {SMTPP_LANGS(SMTPP_X_LANG_NAME)};
#undef SMTPP_X_LANG_NAME
static_assert(names_in_order(lang_names), "SMTPP_LANGS: rows in value order, from 0");
}  // namespace detail

/// The number of languages (`lang` values are 0 to `lang_count` - 1).
inline constexpr std::size_t lang_count = sizeof detail::lang_names / sizeof detail::lang_names[0];

/// The language's tag ("en", "ru"); "en" for a value out of range (the texts fall back to English).
constexpr std::string_view to_string(lang l) noexcept { return detail::name_of(detail::lang_names, l, "en"); }

/// "en" / "ru" (case-insensitive) to a language; false for anything else.
constexpr bool parse_lang(std::string_view s, lang& out) noexcept;

// ================================================================================================
// Reply codes
// ================================================================================================

/// Everything the catalog says about a reply code. Views into static storage.
struct reply_explanation {
    std::uint16_t code = 0;               ///< the code explained (0 when above 999)
    bool valid = false;                   ///< a `Reply-code` (first digit 2–5, second 0–5)
    bool listed = false;                  ///< in the table; otherwise title/description come from theory
    bool closes = false;                  ///< the server closes the connection after it
    std::string_view cls{};               ///< "2xx Positive Completion", …
    std::string_view cls_meaning{};       ///< what the first digit says (RFC 5321 §4.2.1)
    std::string_view category{};          ///< meaning of the second digit: "x2z Connections", …
    std::string_view category_meaning{};  ///< what the second digit says (RFC 5321 §4.2.1)
    std::string_view title{};             ///< the card title ("Service Ready", ...)
    std::string_view description{};       ///< what the reply means
    std::string_view when{};              ///< when a client sees it
    std::string_view fix{};               ///< what to do about it
    std::string_view rfc{};               ///< where it is defined ("RFC 5321 §4.2.2, §3.1", ...)
};

/// The index of `code` in the catalog, or `listed_reply_count` when absent.
constexpr std::size_t reply_index(unsigned code) noexcept;

/**
 * Explains a reply code. A listed code gets its card; a valid code that is not listed gets
 * the theory of RFC 5321 §4.2.1 (first digit: outcome, second digit: category) and the
 * advice to act on the first digit; an invalid code gets `valid == false` and nothing else.
 */
constexpr reply_explanation explain_reply(unsigned code, lang l = lang::en) noexcept;

/// The listed reply codes, in ascending order, for iteration.
constexpr std::uint16_t listed_reply_code(std::size_t i) noexcept;

// ================================================================================================
// Enhanced status codes
// ================================================================================================

/// Everything the catalog says about an enhanced status code. Views into static storage.
struct enhanced_explanation {
    enhanced_code esc{};                 ///< the code explained
    bool valid = false;                  ///< class 2/4/5, subject and detail 0..999
    bool listed = false;                 ///< `X.subject.detail` is in the IANA registry
    bool known_subject = false;          ///< subject 0..7 (RFC 3463 §3)
    std::string_view cls{};              ///< "2.X.X Success", …
    std::string_view cls_meaning{};      ///< what the class says (RFC 3463 §3.1)
    std::string_view subject{};          ///< "X.1.X Addressing Status", …
    std::string_view subject_meaning{};  ///< what the subject says (RFC 3463 §3.2)
    std::string_view title{};            ///< the registry title, or "unregistered"
    std::string_view description{};      ///< what the code means
    std::string_view rfc{};              ///< where it is defined (RFC 3463, RFC 5248, ...)
};

/// The index of `X.subject.detail` in the registry table, or `listed_enhanced_count` when absent.
constexpr std::size_t enhanced_index(unsigned subject, unsigned detail_code) noexcept;

/// Explains an enhanced status code (RFC 3463 §2–§3 and the IANA registry, RFC 5248).
constexpr enhanced_explanation explain_enhanced(enhanced_code c, lang l = lang::en) noexcept;

/// The `i`-th registered code as `cls.subject.detail`, in registry order, for iteration
/// (`cls`: 2, 4 or 5; the registry lists each subject.detail once for all classes); `{}` past
/// the end.
constexpr enhanced_code listed_enhanced_code(std::size_t i, std::uint8_t cls = 5) noexcept;

}  // namespace smtpp

#include "detail/catalog_facts.hpp"

namespace smtpp {
/// The number of listed reply codes (`listed_reply_code(0 .. listed_reply_count - 1)`).
inline constexpr std::size_t listed_reply_count = detail::reply_count;
/// The number of registered enhanced codes (`listed_enhanced_code(0 .. listed_enhanced_count - 1)`).
inline constexpr std::size_t listed_enhanced_count = detail::esc_count;
}  // namespace smtpp

#include "detail/catalog-inl.hpp"

#endif
