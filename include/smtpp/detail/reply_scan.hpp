/**
 * @file detail/reply_scan.hpp
 * @brief The reply line scanner shared by the reply reader and the EHLO parser: finds a line's
 *        end and checks every octet on the way (SSE2 through detail/platform.hpp, with the
 *        word-at-a-time twin beside it).
 * @private Included by reply.hpp only, after the public types.
 */
#ifndef SMTPP_DETAIL_REPLY_SCAN_HPP
#define SMTPP_DETAIL_REPLY_SCAN_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace smtpp {
namespace detail {

/// Loads 8 octets little-endian; constexpr. (gcc does not always fold the loop into one
/// load: `load8_word` is the one to use on a hot path.)
constexpr std::uint64_t load8(const char* p) noexcept {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    return v;
}

/// `load8` as one machine load at run time on little-endian targets, the byte loop in
/// constant evaluation and elsewhere.
constexpr SMTPP_HOT_INLINE std::uint64_t load8_word(const char* p) noexcept {
#if SMTPP_WORD_LOADS
    if (!in_constant_evaluation()) return load_word64(p);
#endif
    return load8(p);
}

/**
 * The index of the first octet in `p[0, window)` that is a control character (< 0x20, which
 * includes CR and LF) or DEL, or also >= 0x80 when `allow_8bit` is false; `window` when
 * none. Eight octets at a time (SWAR; the lowest flagged octet of a word is exact). `avail`
 * (>= window) octets are readable, so whole words may look past the window when the input
 * goes on, and short lines inside a long buffer need no byte-by-byte tail.
 */
constexpr SMTPP_HOT_INLINE std::size_t find_special_words(const char* p, std::size_t window, std::size_t avail,
                                                          bool allow_8bit) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101ull;
    constexpr std::uint64_t highs = 0x8080808080808080ull;
    std::size_t i = 0;
    for (; i < window && i + 8 <= avail; i += 8) {
        const std::uint64_t x = load8_word(p + i);
        std::uint64_t m = ((x - ones * 0x20) & ~x & highs);  // octets < 0x20
        const std::uint64_t d = x ^ (ones * 0x7F);
        m |= ((d - ones) & ~d & highs);  // octets == 0x7F
        if (!allow_8bit) m |= x & highs;
        if (m != 0) {
            const std::size_t at = i + ctz64(m) / 8;
            return at < window ? at : window;
        }
    }
    for (; i < window; ++i) {
        const auto c = static_cast<unsigned char>(p[i]);
        if (c < 0x20 || c == 0x7F || (!allow_8bit && c >= 0x80)) return i;
    }
    return window;
}

#if SMTPP_SIMD_SSE2
/// SSE2 twin of find_special_words, sixteen octets a step while sixteen are readable.
SMTPP_HOT_INLINE std::size_t find_special_sse2(const char* p, std::size_t window, std::size_t avail,
                                               bool allow_8bit) noexcept {
    std::size_t i = 0;
    for (; i < window && i + 16 <= avail; i += 16) {
        const v16 x = v16_load(p + i);
        // x + 1 as a signed octet is above 0x20 exactly for 0x20..0x7E (DEL and the octets
        // from 0x80 on turn negative, 0xFF turns 0); the high bit marks 8-bit octets.
        const unsigned printable = v16_mask(v16_gt(v16_add(x, v16_splat(1)), v16_splat(0x20)));
        const unsigned special = ~(printable | (allow_8bit ? v16_mask(x) : 0u)) & 0xFFFFu;
        if (special != 0) {
            const std::size_t at = i + ctz64(special);
            return at < window ? at : window;
        }
    }
    if (i >= window) return window;
    return i + find_special_words(p + i, window - i, avail - i, allow_8bit);
}
#endif

/**
 * The index of the first octet in `p[0, window)` that is a control character (< 0x20, which
 * includes CR and LF) or DEL, or also >= 0x80 when `allow_8bit` is false; `window` when
 * none. `avail` (>= window) octets are readable. SSE2 at run time where available, the
 * word-at-a-time twin elsewhere and in constant evaluation.
 */
constexpr SMTPP_HOT_INLINE std::size_t find_special(const char* p, std::size_t window, std::size_t avail,
                                                    bool allow_8bit) noexcept {
#if SMTPP_SIMD_SSE2
    // Under sixteen readable octets (a reply fed in small pieces) the words go first.
    if (avail >= 16 && !in_constant_evaluation()) return find_special_sse2(p, window, avail, allow_8bit);
#endif
    return find_special_words(p, window, avail, allow_8bit);
}

/// Where the scanner stopped.
struct line_scan {
    reply_error error = reply_error::none;
    bool found = false;           ///< the line ending was found
    bool pending_cr = false;      ///< not found, and the last octet looked at is a CR
    std::size_t content_end = 0;  ///< end of the line content (before CR/LF)
    std::size_t next = 0;         ///< first octet after the line ending
    bool saw_ctl = false;         ///< a tolerated control character was seen
};

/**
 * Looks for the end of a line in `s`, checking every octet on the way. `limit` is how
 * many octets of this line (its ending included) may still come. Stops at the first
 * problem, so the outcome depends only on the octets seen, never on how they were split.
 */
constexpr SMTPP_HOT_INLINE line_scan scan_line(std::string_view s, std::size_t limit, bool allow_bare_lf,
                                               bool allow_8bit, bool allow_ctl) noexcept {
    line_scan r{};
    const std::size_t window = s.size() < limit ? s.size() : limit;
    std::size_t pos = 0;
    for (;;) {
        const std::size_t i = pos + find_special(s.data() + pos, window - pos, s.size() - pos, allow_8bit);
        if (i == window) {
            if (window == limit) r.error = reply_error::line_too_long;
            r.content_end = window;
            return r;
        }
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '\r') {
            if (i + 1 >= limit) {
                r.error = reply_error::line_too_long;
            } else if (i + 1 >= s.size()) {
                r.pending_cr = true;
                r.content_end = i;
            } else if (s[i + 1] == '\n') {
                r.found = true;
                r.content_end = i;
                r.next = i + 2;
            } else {
                r.error = reply_error::bare_cr;
            }
            return r;
        }
        if (c == '\n') {
            if (allow_bare_lf) {
                r.found = true;
                r.content_end = i;
                r.next = i + 1;
            } else {
                r.error = reply_error::bare_lf;
            }
            return r;
        }
        if (c == '\t') {
            pos = i + 1;
            continue;
        }
        if (c != 0 && allow_ctl && (c < 0x20 || c == 0x7F)) {
            r.saw_ctl = true;
            pos = i + 1;
            continue;
        }
        r.error = reply_error::bad_char;
        return r;
    }
}

}  // namespace detail

}  // namespace smtpp

#endif
