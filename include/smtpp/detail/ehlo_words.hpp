/**
 * @file detail/ehlo_words.hpp
 * @brief Words and numbers in EHLO parameters: decimals (eight digits at a time, with the octet
 *        loop as their twin), SP-separated words, the first eight octets of a word.
 * @private Included by ehlo.hpp only, after the public types.
 */
#ifndef SMTPP_DETAIL_EHLO_WORDS_HPP
#define SMTPP_DETAIL_EHLO_WORDS_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace smtpp {
namespace detail {

/// Decimal without sign; false when empty, not all digits, or above `max`.
constexpr bool parse_decimal(std::string_view s, std::uint64_t max, std::uint64_t& out) noexcept {
    if (s.empty() || s.size() > 20) return false;
    std::uint64_t v = 0;
    if (s.size() <= 19) {  // below 10^19: cannot overflow 64 bits, check the bound once
        for (const char c : s) {
            const auto d = static_cast<unsigned char>(c - '0');
            if (d > 9) return false;
            v = v * 10 + d;
        }
        if (v > max) return false;
        out = v;
        return true;
    }
    for (const char c : s) {
        if (c < '0' || c > '9') return false;
        const auto d = static_cast<std::uint64_t>(c - '0');
        if (v > (max - d) / 10) return false;
        v = v * 10 + d;
    }
    out = v;
    return true;
}

/// The next SP-separated word of `s` from `pos`, advancing `pos` (runs of SP are skipped).
constexpr std::string_view next_word(std::string_view s, std::size_t& pos) noexcept {
    while (pos < s.size() && s[pos] == ' ') ++pos;
    const std::size_t start = pos;
    while (pos < s.size() && s[pos] != ' ') ++pos;
    return detail::sub(s, start, pos - start);
}

/// Eight ASCII digits, most significant first in the low octet, as a number; false when
/// one of them is not a digit (every octet is checked, an octet >= 0x80 included).
constexpr SMTPP_HOT_INLINE bool eight_digits(std::uint64_t x, std::uint64_t& out) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101ull;
    // High nibble 3 and, after adding 6, still 3: '0'..'9' only. A carry out of an octet
    // >= 0xFA can only disturb the next octet, and that octet's own high nibble fails.
    const std::uint64_t f = (x & ones * 0xF0) | (((x + ones * 6) & ones * 0xF0) >> 4);
    if (f != ones * 0x33) return false;
    x -= ones * '0';
    x = x * 10 + (x >> 8);
    x = (((x & 0x000000FF000000FFull) * (100 + (1000000ull << 32))) +
         (((x >> 16) & 0x000000FF000000FFull) * (1 + (10000ull << 32)))) >>
        32;
    out = x;
    return true;
}

/// `parse_decimal` for up to 16 digits with whole-word loads, eight digits at a time, when
/// `avail` (>= s.size()) octets from `s.data()` allow it; the octet loop otherwise.
constexpr SMTPP_HOT_INLINE bool parse_decimal(std::string_view s, std::uint64_t max, std::uint64_t& out,
                                              std::size_t avail) noexcept {
    const std::size_t n = s.size();
    if (n == 0 || n > 16 || avail < (n > 8 ? 16u : 8u)) return parse_decimal(s, max, out);
    constexpr std::uint64_t zeros = 0x3030303030303030ull;
    // The last min(n, 8) digits, right-aligned behind '0' padding.
    const std::size_t lo_n = n > 8 ? n - 8 : n;
    const std::size_t pad = 8 * (8 - lo_n);
    const std::uint64_t lo_word = load8_word(s.data() + (n - lo_n));
    const std::uint64_t lo_x = pad == 0 ? lo_word : (lo_word << pad) | (zeros >> (64 - pad));
    std::uint64_t lo = 0;
    if (!eight_digits(lo_x, lo)) return false;
    std::uint64_t v = lo;
    if (n > 8) {
        std::uint64_t hi = 0;
        if (!eight_digits(load8_word(s.data()), hi)) return false;
        std::uint64_t scale = 1;
        for (std::size_t i = 0; i < lo_n; ++i) scale *= 10;
        v = hi * scale + lo;
    }
    if (v > max) return false;
    out = v;
    return true;
}

/// The index of the first SP in `p[0, n)`, or `n`. `avail` (>= n) octets are readable, so
/// eight are compared at a time (the lowest flagged octet of a word is exact).
constexpr SMTPP_HOT_INLINE std::size_t find_sp(const char* p, std::size_t n, std::size_t avail) noexcept {
    std::size_t i = 0;
    for (; i < n && i + 8 <= avail; i += 8) {
        const std::size_t k = byte_index(load8_word(p + i), ' ');
        if (k < 8) {
            const std::size_t at = i + k;
            return at < n ? at : n;
        }
    }
    if (i >= n) return n;
    while (i < n && p[i] != ' ') ++i;
    return i;
}

/// Up to eight octets of `p` (`n` of them wanted, `avail` readable) little-endian: one load
/// when eight are readable (the octets past `n` are then whatever follows), else the `n`
/// octets and zeros.
constexpr SMTPP_HOT_INLINE std::uint64_t load_head8(const char* p, std::size_t n, std::size_t avail) noexcept {
    if (avail >= 8) return load8_word(p);
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n && i < 8; ++i)
        v |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    return v;
}

}  // namespace detail
}  // namespace smtpp

#endif
