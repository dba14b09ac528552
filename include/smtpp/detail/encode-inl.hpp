/**
 * @file detail/encode-inl.hpp
 * @brief The body encoder's machinery: the scans that skip text needing nothing (eight
 *        octets at a time, or 64 with SSE2 through the DATA decoder's block classifier) and
 *        the definitions of `body_encoder::next()` and `finish()`.
 * @private Included by encode.hpp only, at its end.
 */
#ifndef SMTPP_DETAIL_ENCODE_INL_HPP
#define SMTPP_DETAIL_ENCODE_INL_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace smtpp {
namespace detail {
inline constexpr std::string_view enc_dot = ".";
inline constexpr std::string_view enc_crlf = "\r\n";
inline constexpr std::string_view enc_lf = "\n";
inline constexpr std::string_view enc_end_bol = ".\r\n";
inline constexpr std::string_view enc_end_mid = "\r\n.\r\n";

/**
 * The position of the first CR or LF in `p[i..n)`, or `n`: the next LF by memchr (the C
 * library's fastest scan), then the next CR before it. A CRLF line costs two scans of the
 * line (measured faster than one byte-wise or word-wise scan for both octets).
 */
inline std::size_t find_cr_or_lf(const char* p, std::size_t i, std::size_t n) noexcept {
    const void* lf = std::memchr(p + i, '\n', n - i);
    const std::size_t stop = lf == nullptr ? n : static_cast<std::size_t>(static_cast<const char*>(lf) - p);
    const void* cr = std::memchr(p + i, '\r', stop - i);
    return cr == nullptr ? stop : static_cast<std::size_t>(static_cast<const char*>(cr) - p);
}
/// The octets `p[0..8)` as a word whose least significant octet is `p[0]`, whatever the
/// machine's byte order (compilers turn this into one load where that is the order).
inline std::uint64_t load_le64(const char* p) noexcept {
    const auto b = [p](int k) { return static_cast<std::uint64_t>(static_cast<unsigned char>(p[k])); };
    return b(0) | (b(1) << 8) | (b(2) << 16) | (b(3) << 24) | (b(4) << 32) | (b(5) << 40) | (b(6) << 48) | (b(7) << 56);
}

/// High bit of each octet of `x` that is zero, exactly (no false positives).
constexpr std::uint64_t zero_octets(std::uint64_t x) noexcept {
    constexpr std::uint64_t low7 = 0x7F7F7F7F7F7F7F7Full;
    return ~(((x & low7) + low7) | x | low7);
}

/// The index (0..7) of the lowest octet whose high bit is set in `m` (`m` != 0, only high
/// bits set): the lowest bit isolated, moved to the octet's low bit, and a multiplication
/// that carries the octet's index into the top octet. Plain arithmetic, any byte order.
constexpr unsigned first_marked_octet(std::uint64_t m) noexcept {
    const std::uint64_t lowest = m & (~m + 1);
    return static_cast<unsigned>(((lowest >> 7) * 0x0001020304050607ull) >> 56);
}

/**
 * Skips, eight octets at a time, text that needs nothing: every CR followed by LF, every
 * LF preceded by CR, and (with `stuff`) no "." after a CRLF. `p[i-1]` is not a CR and
 * `p[i]` needs no stuffing (the caller's state), or else `carry_cr` / `carry_lf` say that
 * `p[i-1]` is one (bit 7 set). Returns where the byte-wise scan goes on: at or before the
 * first word that needs a look, backed off to the CR of a line end that straddles it, so
 * that the scan sees the whole CRLF. When it stopped at a line that starts with "." (and
 * everything before it is clean), `dot` is that line's start: the caller cuts there
 * without a scan (a stuffed body has one such line in three).
 */
inline std::size_t skip_words(const char* p, std::size_t i, std::size_t n, bool stuff, std::size_t& dot,
                              std::uint64_t carry_cr, std::uint64_t carry_lf) noexcept {
    constexpr std::uint64_t cr_pat = 0x0D0D0D0D0D0D0D0Dull;
    constexpr std::uint64_t lf_pat = 0x0A0A0A0A0A0A0A0Aull;
    constexpr std::uint64_t dot_pat = 0x2E2E2E2E2E2E2E2Eull;
    constexpr std::uint64_t below_pat = 0x0E0E0E0E0E0E0E0Eull;
    constexpr std::uint64_t high = 0x8080808080808080ull;
    const std::size_t start = i;
    while (n - i >= 8) {
        const std::uint64_t w = load_le64(p + i);
        // Most words hold no octet below 0x0E (so no CR, no LF) and follow a word that did not
        // end a line: nothing to check. Exact for "is there one": a borrow only crosses an
        // octet that is itself below 0x0E, and `~w` keeps octets >= 0x80 out.
        if ((((w - below_pat) & ~w & high) | carry_cr | carry_lf) == 0) {
            i += 8;
            continue;
        }
        const std::uint64_t cr = zero_octets(w ^ cr_pat);
        const std::uint64_t lf = zero_octets(w ^ lf_pat);
        if (lf != ((cr << 8) | carry_cr)) break;
        if (stuff) {
            // Every line end in this word is a CRLF (checked above), so the first "." after
            // an LF starts a line, and nothing before it needs a look.
            const std::uint64_t dots = zero_octets(w ^ dot_pat) & ((lf << 8) | carry_lf);
            if (dots != 0) {
                dot = i + first_marked_octet(dots);
                return i;
            }
        }
        carry_cr = cr >> 56;
        carry_lf = lf >> 56;
        i += 8;
    }
    if (i == start && carry_cr == 0 && carry_lf == 0) return i;
    return carry_cr != 0 ? i - 1 : carry_lf != 0 ? i - 2 : i;
}

/**
 * Skips text that needs nothing (see skip_words, same contract): with SSE2, 64 octets at
 * a time by the DATA decoder's block classifier (its faults are exactly the octets the
 * encoder must look at: an LF not after a CR, the octet after a CR that is not an LF, a "."
 * after an LF), then the rest (under 64 octets, or all of it without SSE2) eight at a time.
 */
inline std::size_t skip_plain(const char* p, std::size_t i, std::size_t n, bool stuff, std::size_t& dot) noexcept {
#if defined(SMTPP_HAVE_BODY_BLOCKS)
    const std::size_t start = i;
    for (; n - i >= 64; i += 64) {
        const std::uint64_t faults = data_block_sse2<false>(p + i, i == start ? '\0' : p[i - 1]).faults;
        if (faults == 0) continue;
        const std::size_t at = i + ctz64(faults);
        if (at > start && p[at - 1] == '\r') return at - 1;  // a CR without its LF: the scan sees it
        if (p[at] == '.' && stuff) dot = at;                 // a line that starts with "." (BDAT: plain text)
        return at;                                           // that line, or an LF without its CR
    }
    if (i != start) {
        // The word loop goes on after a block: it carries the block's last octet.
        const std::uint64_t last_cr = p[i - 1] == '\r' ? 0x80 : 0;
        const std::uint64_t last_lf = p[i - 1] == '\n' ? 0x80 : 0;
        return skip_words(p, i, n, stuff, dot, last_cr, last_lf);
    }
#endif
    return skip_words(p, i, n, stuff, dot, 0, 0);
}

}  // namespace detail

inline std::string_view body_encoder::after_cr(std::string_view& in, bool norm) noexcept {
    cr_ = false;
    if (in[0] == '\n') {
        in.remove_prefix(1);
        bol_ = true;
        return detail::enc_lf;
    }
    if (!norm) return fail(encode_error::bare_cr);
    bol_ = true;
    return detail::enc_lf;  // CR alone → CRLF; `in` is looked at again
}

inline std::string_view body_encoder::next(std::string_view& in) noexcept {
    if (err_ != encode_error::none || in.empty()) return {};
    const char* p = in.data();
    const std::size_t n = in.size();
    const bool norm = opt_.newline == newline_policy::normalize;
    if (cr_) return after_cr(in, norm);
    if (bol_ && opt_.stuff && p[0] == '.') {
        bol_ = false;
        return detail::enc_dot;  // the line's own "." follows in the next piece
    }
    // A run: from here to the first byte that needs a decision.
    std::size_t i = 0;
    for (;;) {
        std::size_t dot = 0;
        i = detail::skip_plain(p, i, n, opt_.stuff, dot);
        if (dot != 0) {  // a clean run up to a line that needs a dot
            in.remove_prefix(dot);
            bol_ = true;
            return {p, dot};
        }
        const std::size_t k = detail::find_cr_or_lf(p, i, n);
        if (k == n) {  // the chunk ends inside a line
            in.remove_prefix(n);
            bol_ = false;
            return {p, n};
        }
        if (p[k] == '\n') {  // an LF without its CR
            if (!norm) return run_or_fail(in, k, encode_error::bare_lf);
            if (k > 0) {  // write the line so far; the LF comes next
                in.remove_prefix(k);
                bol_ = false;
                return {p, k};
            }
            in.remove_prefix(1);
            bol_ = true;
            return detail::enc_crlf;
        }
        if (k + 1 == n) {  // a CR as the chunk's last byte: write it, decide on the next chunk
            in.remove_prefix(n);
            bol_ = false;
            cr_ = true;
            return {p, n};
        }
        if (p[k + 1] != '\n') {  // a CR without its LF
            if (!norm) return run_or_fail(in, k, encode_error::bare_cr);
            in.remove_prefix(k + 1);  // write up to and with the CR; an LF comes next
            bol_ = false;
            cr_ = true;
            return {p, k + 1};
        }
        i = k + 2;  // a CRLF: the line ends at i
        if (i == n) {
            in.remove_prefix(n);
            bol_ = true;
            return {p, n};
        }
        if (opt_.stuff && p[i] == '.') {  // the next line needs a dot: cut here
            in.remove_prefix(i);
            bol_ = true;
            return {p, i};
        }
    }
}

inline std::string_view body_encoder::finish() noexcept {
    if (err_ != encode_error::none) return {};
    if (cr_) {
        cr_ = false;
        if (opt_.newline != newline_policy::normalize) return fail(encode_error::bare_cr);
        bol_ = true;
        // The CR is written; its LF (and the terminator) follow.
        return opt_.stuff ? std::string_view{"\n.\r\n"} : detail::enc_lf;
    }
    const bool at_bol = bol_;
    bol_ = true;
    if (opt_.stuff) return at_bol ? detail::enc_end_bol : detail::enc_end_mid;
    return at_bol || !opt_.final_crlf ? std::string_view{} : detail::enc_crlf;
}

}  // namespace smtpp

#endif
