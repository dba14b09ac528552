/**
 * @file detail/catalog-inl.hpp
 * @brief The catalog's lookups: the definitions of the functions catalog.hpp declares.
 * @private Included by catalog.hpp only, at its end.
 */
#ifndef SMTPP_DETAIL_CATALOG_INL_HPP
#define SMTPP_DETAIL_CATALOG_INL_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace smtpp {

namespace detail {
/// The texts of language `l`; English for a value out of range.
constexpr const catalog_lang& texts(lang l) noexcept {
    return catalog_texts[static_cast<std::size_t>(l) < lang_count ? static_cast<std::size_t>(l) : 0];
}
}  // namespace detail

constexpr bool parse_lang(std::string_view s, lang& out) noexcept {
    for (const auto& row : detail::lang_names) {
        if (s.size() != row.name.size()) continue;
        std::size_t k = 0;
        while (k < s.size() && static_cast<char>(s[k] | 0x20) == row.name[k]) ++k;
        if (k == s.size()) {
            out = row.value;
            return true;
        }
    }
    return false;
}

constexpr std::size_t reply_index(unsigned code) noexcept {
    for (std::size_t i = 0; i < detail::reply_count; ++i)
        if (detail::reply_facts[i].code == code) return i;
    return detail::reply_count;
}

constexpr reply_explanation explain_reply(unsigned code, lang l) noexcept {
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

constexpr std::uint16_t listed_reply_code(std::size_t i) noexcept {
    return i < detail::reply_count ? detail::reply_facts[i].code : std::uint16_t{0};
}

constexpr std::size_t enhanced_index(unsigned subject, unsigned detail_code) noexcept {
    for (std::size_t i = 0; i < detail::esc_count; ++i)
        if (detail::esc_facts[i].subject == subject && detail::esc_facts[i].detail == detail_code) return i;
    return detail::esc_count;
}

constexpr enhanced_explanation explain_enhanced(enhanced_code c, lang l) noexcept {
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

constexpr enhanced_code listed_enhanced_code(std::size_t i, std::uint8_t cls) noexcept {
    if (i >= detail::esc_count) return {};
    return {cls, detail::esc_facts[i].subject, detail::esc_facts[i].detail};
}

}  // namespace smtpp

#endif
