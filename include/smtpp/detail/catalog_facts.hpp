/**
 * @file detail/catalog_facts.hpp
 * @brief The catalog's language-neutral facts (reply codes with their RFC and whether the
 *        server closes; the IANA registry of enhanced status codes), the per-language text
 *        tables (detail/catalog_en.hpp, detail/catalog_ru.hpp) and the table of languages.
 * @private Included by catalog.hpp only.
 */
#ifndef SMTPP_DETAIL_CATALOG_FACTS_HPP
#define SMTPP_DETAIL_CATALOG_FACTS_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace smtpp {
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
    std::string_view reply_class[4][2];     ///< [first digit - 2] = {title, meaning}
    std::string_view reply_category[6][2];  ///< [second digit] = {title, meaning}
    std::string_view esc_class[3][2];       ///< [2, 4, 5] = {title, meaning}
    std::string_view esc_subject[8][2];     ///< [subject] = {title, meaning}
    std::string_view not_in_table_title;    ///< title of a valid code that is not listed
    std::string_view not_in_table_fix;      ///< advice for such a code (§4.2.1: first digit)
    std::string_view unregistered_esc;      ///< title of an unregistered enhanced code
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
    {1, 0, "RFC 3463 §3.2"},
    {1, 1, "RFC 3463 §3.2"},
    {1, 2, "RFC 3463 §3.2"},
    {1, 3, "RFC 3463 §3.2"},
    {1, 4, "RFC 3463 §3.2"},
    {1, 5, "RFC 3463 §3.2"},
    {1, 6, "RFC 3463 §3.2"},
    {1, 7, "RFC 3463 §3.2"},
    {1, 8, "RFC 3463 §3.2"},
    {1, 9, "RFC 3886 §4"},
    {1, 10, "RFC 7505 §4.2"},
    {2, 0, "RFC 3463 §3.3"},
    {2, 1, "RFC 3463 §3.3"},
    {2, 2, "RFC 3463 §3.3"},
    {2, 3, "RFC 3463 §3.3"},
    {2, 4, "RFC 3463 §3.3"},
    {3, 0, "RFC 3463 §3.4"},
    {3, 1, "RFC 3463 §3.4"},
    {3, 2, "RFC 3463 §3.4"},
    {3, 3, "RFC 3463 §3.4"},
    {3, 4, "RFC 3463 §3.4"},
    {3, 5, "RFC 3463 §3.4"},
    {3, 6, "RFC 6710 §9"},
    {4, 0, "RFC 3463 §3.5"},
    {4, 1, "RFC 3463 §3.5"},
    {4, 2, "RFC 3463 §3.5"},
    {4, 3, "RFC 3463 §3.5"},
    {4, 4, "RFC 3463 §3.5"},
    {4, 5, "RFC 3463 §3.5"},
    {4, 6, "RFC 3463 §3.5"},
    {4, 7, "RFC 3463 §3.5"},
    {5, 0, "RFC 3463 §3.6"},
    {5, 1, "RFC 3463 §3.6"},
    {5, 2, "RFC 3463 §3.6"},
    {5, 3, "RFC 3463 §3.6"},
    {5, 4, "RFC 3463 §3.6"},
    {5, 5, "RFC 3463 §3.6"},
    {5, 6, "RFC 4954 §6"},
    {6, 0, "RFC 3463 §3.7"},
    {6, 1, "RFC 3463 §3.7"},
    {6, 2, "RFC 3463 §3.7"},
    {6, 3, "RFC 3463 §3.7"},
    {6, 4, "RFC 3463 §3.7"},
    {6, 5, "RFC 3463 §3.7"},
    {6, 6, "RFC 4468 §5"},
    {6, 7, "RFC 6531 §3.5"},
    {6, 8, "RFC 6531 §3.7.4.1"},
    {6, 9, "RFC 6531 §3.7.5"},
    {6, 10, "RFC 6531 (deprecated duplicate of X.6.8)"},
    {7, 0, "RFC 3463 §3.8"},
    {7, 1, "RFC 3463 §3.8"},
    {7, 2, "RFC 3463 §3.8"},
    {7, 3, "RFC 3463 §3.8"},
    {7, 4, "RFC 3463 §3.8"},
    {7, 5, "RFC 3463 §3.8"},
    {7, 6, "RFC 3463 §3.8"},
    {7, 7, "RFC 3463 §3.8"},
    {7, 8, "RFC 4954 §6"},
    {7, 9, "RFC 4954 §6"},
    {7, 10, "RFC 5248 §4"},
    {7, 11, "RFC 4954 §6"},
    {7, 12, "RFC 4954 §6"},
    {7, 13, "RFC 5248 §4"},
    {7, 14, "RFC 5248 §4"},
    {7, 15, "RFC 6710 §9"},
    {7, 16, "RFC 6710 §9"},
    {7, 17, "RFC 7293 §3"},
    {7, 18, "RFC 7293 §3"},
    {7, 19, "RFC 7293 §3"},
    {7, 20, "RFC 7372 §3.1"},
    {7, 21, "RFC 7372 §3.1"},
    {7, 22, "RFC 7372 §3.1"},
    {7, 23, "RFC 7372 §3.2"},
    {7, 24, "RFC 7372 §3.2"},
    {7, 25, "RFC 7372 §3.3"},
    {7, 26, "RFC 7372 §3.4"},
    {7, 27, "RFC 7505 §4.2"},
    {7, 28, "IANA SMTP Enhanced Status Codes registry"},
    {7, 29, "RFC 8617 §7.2.3"},
    {7, 30, "RFC 8689 §5"},
};

inline constexpr std::size_t reply_count = sizeof(reply_facts) / sizeof(reply_facts[0]);
inline constexpr std::size_t esc_count = sizeof(esc_facts) / sizeof(esc_facts[0]);

}  // namespace detail
}  // namespace smtpp

#include "catalog_en.hpp"
#include "catalog_ru.hpp"

namespace smtpp {
namespace detail {

struct catalog_lang {
    const reply_text* replies;
    std::size_t reply_size;
    const esc_text* escs;
    std::size_t esc_size;
    const theory_text* theory;
};

inline constexpr catalog_lang catalog_texts[] = {
    {catalog_en_replies, sizeof(catalog_en_replies) / sizeof(catalog_en_replies[0]), catalog_en_escs,
     sizeof(catalog_en_escs) / sizeof(catalog_en_escs[0]), &catalog_en_theory},
    {catalog_ru_replies, sizeof(catalog_ru_replies) / sizeof(catalog_ru_replies[0]), catalog_ru_escs,
     sizeof(catalog_ru_escs) / sizeof(catalog_ru_escs[0]), &catalog_ru_theory},
};

static_assert(sizeof(catalog_texts) / sizeof(catalog_texts[0]) == lang_count,
              "catalog_texts: one row per SMTPP_LANGS row");
static_assert(sizeof(catalog_en_replies) / sizeof(catalog_en_replies[0]) == reply_count, "en replies");
static_assert(sizeof(catalog_ru_replies) / sizeof(catalog_ru_replies[0]) == reply_count, "ru replies");
static_assert(sizeof(catalog_en_escs) / sizeof(catalog_en_escs[0]) == esc_count, "en enhanced codes");
static_assert(sizeof(catalog_ru_escs) / sizeof(catalog_ru_escs[0]) == esc_count, "ru enhanced codes");

}  // namespace detail
}  // namespace smtpp

#endif
