/**
 * @file detail/ehlo_params.hpp
 * @brief One capability line: the parameters of the recognised keywords (SIZE, AUTH, DELIVERBY,
 *        FUTURERELEASE, MT-PRIORITY, LIMITS) and the `ehlo-line` grammar for the others.
 * @private Included by ehlo.hpp only, after the public types.
 */
#ifndef SMTPP_DETAIL_EHLO_PARAMS_HPP
#define SMTPP_DETAIL_EHLO_PARAMS_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace smtpp {
namespace detail {

/// RFC 9422 §4: `"LIMITS" SP limit *(SP limit)`, `limit = limit-name "=" limit-value`.
/// Unknown names and malformed values are ignored (§4: "MUST ignore").
constexpr void parse_limits(std::string_view params, ehlo_capabilities& caps) noexcept {
    std::size_t pos = 0;
    for (;;) {
        const std::string_view w = next_word(params, pos);
        if (w.empty()) return;
        const std::size_t eq = w.find('=');
        if (eq == std::string_view::npos) continue;
        const std::string_view name = detail::sub(w, 0, eq);
        std::uint64_t v = 0;
        if (!parse_decimal(detail::sub(w, eq + 1), 0xFFFFFFFFu, v)) continue;
        const auto v32 = static_cast<std::uint32_t>(v);
        if (iequals_upper(name, "RCPTMAX")) caps.limit_rcptmax = v32;
        else if (iequals_upper(name, "MAILMAX")) caps.limit_mailmax = v32;
        else if (iequals_upper(name, "RCPTDOMAINMAX")) caps.limit_rcptdomainmax = v32;
    }
}

/// Parameters of the keywords that carry some. `params` has no trailing SP; `avail`
/// (>= params.size()) octets are readable from `params.data()`.
constexpr SMTPP_HOT_INLINE void keyword_params(keyword_kind kind, std::string_view params, std::size_t avail,
                                               ehlo_capabilities& caps) noexcept {
    std::uint64_t v = 0;
    switch (kind) {
        case keyword_kind::plain: break;
        case keyword_kind::size:
            // RFC 1870 §4: `"SIZE" [SP number]`; no number (or a bad one, as Postfix treats
            // it) means the limit is not announced.
            caps.size_known = parse_decimal(params, ~std::uint64_t{0}, v, avail);
            caps.size = caps.size_known ? v : 0;
            break;
        case keyword_kind::auth: parse_auth(params, avail, caps); break;
        case keyword_kind::deliverby:
            // RFC 2852 §4: `"DELIVERBY" [SP Min-by-time]`
            caps.deliverby_known = parse_decimal(params, ~std::uint64_t{0}, v, avail);
            caps.deliverby_min = caps.deliverby_known ? v : 0;
            break;
        case keyword_kind::futurerelease: {
            // RFC 4865 §3: `"FUTURERELEASE" SP max-future-release-interval SP
            //               max-future-release-date-time`
            std::size_t pos = 0;
            const std::string_view interval = next_word(params, pos);
            if (parse_decimal(interval, ~std::uint64_t{0}, v,
                              avail - static_cast<std::size_t>(interval.data() - params.data())))
                caps.futurerelease_interval = v;
            caps.futurerelease_datetime = next_word(params, pos);
            break;
        }
        case keyword_kind::mt_priority: caps.mt_priority_policy = params; break;  // RFC 6710 §3
        case keyword_kind::limits: parse_limits(params, caps); break;
        case keyword_kind::listed: break;  // never in the table
    }
}

/// The parameters of the recognised keyword in `slot` that starts the capability text `t`
/// (`avail` >= t.size() octets readable): everything after its SP or "=", without
/// trailing SP. Returns its `ehlo_ext` bit.
constexpr SMTPP_HOT_INLINE std::uint32_t apply_keyword(std::size_t slot, std::string_view t, std::size_t avail,
                                                       ehlo_capabilities& caps) noexcept {
    const keyword_kind kind = keyword_slots.kind[slot];
    if (kind != keyword_kind::plain) {
        const std::size_t k = keyword_slots.size[slot];
        std::string_view params = k < t.size() ? std::string_view(t.data() + k + 1, t.size() - k - 1)
                                               : std::string_view{};
        while (!params.empty() && params.back() == ' ') params.remove_suffix(1);
        keyword_params(kind, params, params.empty() ? 0 : avail - k - 1, caps);
    }
    return keyword_slots.bit[slot];
}

/**
 * The recognised keywords: true (and `caps` filled) when the first `k` octets of the
 * capability line `t` are one of them, false (and `caps` untouched) otherwise.
 * @pre the first `k` octets of `t` are ALPHA / DIGIT / "-", and `t[k]`, if any, is SP or
 * "="; `avail` (>= t.size()) octets are readable from `t.data()`.
 */
constexpr bool known_keyword(std::string_view t, std::size_t k, std::size_t avail, ehlo_capabilities& caps) noexcept {
    const std::size_t slot = find_keyword(t.data(), k, avail);
    if (slot == no_keyword) return false;
    caps.extensions |= apply_keyword(slot, t, avail, caps);
    return true;
}

/**
 * One capability line. RFC 5321 §4.1.1.1:
 * ```
 * ehlo-line    = ehlo-keyword *( SP ehlo-param )
 * ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
 * ehlo-param   = 1*(%d33-126)
 * ```
 * DEVIATION: "=" may also end the keyword (`AUTH=LOGIN PLAIN`, an old draft form still sent
 * by Microsoft servers; Postfix accepts it for every keyword, and so do we).
 * `k` is the length of the run of ALPHA / DIGIT / "-" at the start of `t`.
 */
constexpr void parse_ehlo_line(std::string_view t, std::size_t k, std::size_t avail, ehlo_capabilities& caps) noexcept {
    if (k == 0 || t[0] == '-' || (k < t.size() && t[k] != ' ' && t[k] != '=')) {
        ++caps.malformed_lines;
        return;
    }
    if (known_keyword(t, k, avail, caps)) return;
    const std::string_view kw = detail::sub(t, 0, k);
    std::string_view params = k < t.size() ? detail::sub(t, k + 1) : std::string_view{};
    while (!params.empty() && params.back() == ' ') params.remove_suffix(1);
    if (caps.unknown_count < ehlo_capabilities::max_unknown) {
        caps.unknown[caps.unknown_count++] = ehlo_keyword{kw, params};
    } else if (caps.unknown_overflow != 0xFFFF) {
        ++caps.unknown_overflow;
    }
}

/// As above, finding the keyword run first (the general path).
constexpr void parse_ehlo_line(std::string_view t, std::size_t avail, ehlo_capabilities& caps) noexcept {
    std::size_t k = 0;
    while (k < t.size() && keyword_char[static_cast<unsigned char>(t[k])]) ++k;
    parse_ehlo_line(t, k, avail, caps);
}

}  // namespace detail
}  // namespace smtpp

#endif
