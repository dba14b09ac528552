/**
 * @file ehlo.hpp
 * @brief The EHLO / LHLO capability parser (RFC 5321 §4.1.1.1, RFC 2033 §4.1): turns the
 *        250 reply into a fixed structure, without allocating.
 *
 * Input model. `parse_ehlo` takes the bytes of the whole reply in one contiguous view
 * (EHLO replies are a few hundred octets; a host that reads incrementally keeps them in its
 * receive buffer and calls again with more when it gets `need_more`, starting from the same
 * first byte). Re-parsing from the start is cheaper than keeping state across calls, the
 * result is split-invariant by construction, and every view in the result points into the
 * caller's bytes. Those bytes must stay alive and unchanged as long as the
 * `ehlo_capabilities` is used.
 *
 * The reply is checked exactly as `reply_reader` checks it (same scanner, same options):
 * codes, line endings, line length, characters. Within a well-formed 250 reply, a line that
 * is not an `ehlo-line` is counted in `malformed_lines` and otherwise ignored: capabilities
 * are advice, and Postfix and Exim skip what they do not understand.
 */
#ifndef SMTPP_EHLO_HPP
#define SMTPP_EHLO_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core.hpp"
#include "detail/ascii.hpp"
#include "reply.hpp"

// The SSE2 line scanner (x86-64 baseline) needs a way to keep it out of constant
// evaluation; elsewhere, or with SMTPP_NO_SIMD defined, the scalar twin does the work.
#if !defined(SMTPP_NO_SIMD) && (defined(__SSE2__) || defined(_M_X64)) &&                          \
    (defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 9) || (defined(_MSC_VER) && _MSC_VER >= 1925))
#define SMTPP_EHLO_SSE2 1
#include <emmintrin.h>
#else
#define SMTPP_EHLO_SSE2 0
#endif

namespace smtpp {

/// Service extensions the parser recognises, as bits of `ehlo_capabilities::extensions`.
enum class ehlo_ext : std::uint32_t {
    pipelining = 1u << 0,           ///< RFC 2920
    size = 1u << 1,                 ///< RFC 1870
    eightbitmime = 1u << 2,         ///< RFC 6152
    smtputf8 = 1u << 3,             ///< RFC 6531
    dsn = 1u << 4,                  ///< RFC 3461
    chunking = 1u << 5,             ///< RFC 3030
    binarymime = 1u << 6,           ///< RFC 3030
    starttls = 1u << 7,             ///< RFC 3207
    enhancedstatuscodes = 1u << 8,  ///< RFC 2034
    auth = 1u << 9,                 ///< RFC 4954
    requiretls = 1u << 10,          ///< RFC 8689 (meaningful only inside TLS)
    deliverby = 1u << 11,           ///< RFC 2852
    futurerelease = 1u << 12,       ///< RFC 4865
    mt_priority = 1u << 13,         ///< RFC 6710
    rrvs = 1u << 14,                ///< RFC 7293
    limits = 1u << 15,              ///< RFC 9422
    vrfy = 1u << 16,                ///< RFC 5321 §3.5
    etrn = 1u << 17,                ///< RFC 1985
    help = 1u << 18,                ///< RFC 5321 §4.1.1.8
    expn = 1u << 19,                ///< RFC 5321 §3.5
};

/// SASL mechanisms (RFC 4422 registry) recognised in AUTH, as bits of `auth_mechanisms`.
enum class sasl_mech : std::uint32_t {
    plain = 1u << 0,
    login = 1u << 1,
    cram_md5 = 1u << 2,
    digest_md5 = 1u << 3,
    xoauth2 = 1u << 4,
    oauthbearer = 1u << 5,
    scram_sha_1 = 1u << 6,
    scram_sha_1_plus = 1u << 7,
    scram_sha_256 = 1u << 8,
    scram_sha_256_plus = 1u << 9,
    gssapi = 1u << 10,
    ntlm = 1u << 11,
    external = 1u << 12,
    anonymous = 1u << 13,
};

/// A keyword the parser does not know, with its parameters (views into the reply).
struct ehlo_keyword {
    std::string_view keyword{};  ///< as sent (keywords compare case-insensitively)
    std::string_view params{};   ///< everything after the keyword's SP or "=", may be empty
};

/// What an EHLO/LHLO reply advertises. Trivially copyable; views point into the reply bytes.
struct ehlo_capabilities {
    static constexpr std::size_t max_unknown = 16;

    std::uint16_t code = 0;            ///< the reply code; the rest is filled only for 250
    std::string_view domain{};         ///< first word of the first line (may be empty)
    std::string_view greet{};          ///< the rest of the first line (`ehlo-greet`)
    std::uint32_t extensions = 0;      ///< `ehlo_ext` bits
    std::uint32_t auth_mechanisms = 0; ///< `sasl_mech` bits, merged over every AUTH line
    std::uint16_t auth_unknown = 0;    ///< mechanisms listed that are not in `sasl_mech`
    std::string_view auth_params{};    ///< the mechanism list of the last AUTH line, raw
    bool size_known = false;           ///< SIZE carried a valid number
    std::uint64_t size = 0;            ///< SIZE limit; 0 = no fixed maximum (RFC 1870 §4)
    bool deliverby_known = false;      ///< DELIVERBY carried a min-by-time
    std::uint64_t deliverby_min = 0;   ///< RFC 2852 §4: minimum by-time in seconds
    std::uint64_t futurerelease_interval = 0;    ///< RFC 4865 §3: max-future-release-interval
    std::string_view futurerelease_datetime{};   ///< RFC 4865 §3: max-future-release-date-time
    std::string_view mt_priority_policy{};       ///< RFC 6710 §3: priority-profile, may be empty
    std::uint32_t limit_rcptmax = 0;             ///< RFC 9422 RCPTMAX; 0 = not advertised
    std::uint32_t limit_mailmax = 0;             ///< RFC 9422 MAILMAX
    std::uint32_t limit_rcptdomainmax = 0;       ///< RFC 9422 RCPTDOMAINMAX
    std::array<ehlo_keyword, max_unknown> unknown{};  ///< unknown keywords, in order
    std::uint16_t unknown_count = 0;   ///< how many of `unknown` are filled
    std::uint16_t unknown_overflow = 0;///< unknown keywords that did not fit
    std::uint16_t malformed_lines = 0; ///< lines after the first that are not an `ehlo-line`
    std::uint32_t lines = 0;           ///< lines in the reply

    [[nodiscard]] constexpr bool ok() const noexcept { return code == 250; }
    [[nodiscard]] constexpr bool has(ehlo_ext e) const noexcept {
        return (extensions & static_cast<std::uint32_t>(e)) != 0;
    }
    [[nodiscard]] constexpr bool has(sasl_mech m) const noexcept {
        return (auth_mechanisms & static_cast<std::uint32_t>(m)) != 0;
    }
};

/// The outcome of `parse_ehlo`.
struct ehlo_result {
    status st = status::need_more;
    reply_error error = reply_error::none;  ///< when `st == failed`
    std::size_t consumed = 0;              ///< octets of the reply, when `st == complete`
};

namespace detail {

/// `load8` as one machine load at run time on little-endian targets (compilers do not
/// always fold the byte loop), the byte loop in constant evaluation and elsewhere.
constexpr SMTPP_HOT_INLINE std::uint64_t load8_fast(const char* p) noexcept {
#if (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
    (defined(__clang__) || __GNUC__ >= 9)
    if (!__builtin_is_constant_evaluated()) {
        std::uint64_t v = 0;
        std::memcpy(&v, p, sizeof v);
        return v;
    }
#endif
    return load8(p);
}

/// `ehlo-keyword` characters after the first: ALPHA / DIGIT / "-".
constexpr std::array<bool, 256> make_keyword_table() noexcept {
    std::array<bool, 256> t{};
    for (int c = 0; c < 256; ++c)
        t[static_cast<std::size_t>(c)] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    return t;
}
inline constexpr std::array<bool, 256> keyword_char = make_keyword_table();

/// Case-folded first min(8, n) octets of a keyword, equal to `key(kw.substr(0, 8))`.
/// OR-ing 0x20 folds the case of ALPHA / DIGIT / "-" exactly, and maps every other
/// printable octet to one outside that alphabet, so the result equals the key of a keyword
/// only when `kw` is one. @pre `avail` (>= kw.size()) octets are readable from `kw.data()`.
constexpr std::uint64_t head8_key(std::string_view kw, std::size_t avail) noexcept {
    if (avail < 8) return key(kw.substr(0, 8));
    const std::size_t n = kw.size() < 8 ? kw.size() : 8;
    const std::uint64_t m = n == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * n)) - 1;
    return (load8_fast(kw.data()) | 0x2020202020202020ull) & m;
}

/// Four octets little-endian, for comparing "250-" / "250 " in one go.
constexpr std::uint32_t load4(const char* p) noexcept {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    return v;
}
/// True when `p[0]`, `p[1]` are CR LF (one 16-bit compare at run time).
constexpr SMTPP_HOT_INLINE bool is_crlf(const char* p) noexcept {
#if (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
    (defined(__clang__) || __GNUC__ >= 9)
    if (!__builtin_is_constant_evaluated()) {
        std::uint16_t v = 0;
        std::memcpy(&v, p, sizeof v);
        return v == 0x0A0D;
    }
#endif
    return p[0] == '\r' && p[1] == '\n';
}

inline constexpr std::uint32_t head_250_more = static_cast<std::uint32_t>(pack("250-"));
inline constexpr std::uint32_t head_250_last = static_cast<std::uint32_t>(pack("250 "));

/**
 * What the fast path needs to know about the text of a line (after "250-"): where the
 * first octet that is not plain printable ASCII sits (`line`: a control character, which
 * includes CR and LF, DEL or an octet >= 0x80; `window` when there is none within the
 * window), and where the keyword ends (`kw`: the first octet that is not ALPHA / DIGIT /
 * "-", or `line` if that comes first).
 */
struct text_scan {
    std::size_t line = 0;
    std::size_t kw = 0;
};

/// The scalar twin: an octet at a time. `window` octets from `t` are readable.
constexpr text_scan scan_text_scalar(const char* t, std::size_t window) noexcept {
    text_scan r{};
    std::size_t i = 0;
    while (i < window) {
        const auto c = static_cast<unsigned char>(t[i]);
        if (c < 0x20 || c >= 0x7F) break;
        ++i;
    }
    r.line = i;
    std::size_t k = 0;
    while (k < i && keyword_char[static_cast<unsigned char>(t[k])]) ++k;
    r.kw = k;
    return r;
}

#if SMTPP_EHLO_SSE2
/**
 * The SSE2 twin of `scan_text_scalar`, sixteen octets at a time. `begin <= t` and
 * `t + window <= end`; every octet of [begin, end) is readable and nothing outside it is
 * read: near `end`, the last sixteen octets of the buffer are loaded instead (when the
 * buffer is that long) and the masks shifted. Same results as the scalar twin.
 */
inline text_scan scan_text_sse2(const char* begin, const char* t, std::size_t window, const char* end) noexcept {
    if (end - begin < 16) return scan_text_scalar(t, window);
    const __m128i c20 = _mm_set1_epi8(0x20);
    const __m128i c7f = _mm_set1_epi8(0x7F);
    const __m128i bias_a = _mm_set1_epi8(static_cast<char>(0x80 - 'a'));
    const __m128i lim_a = _mm_set1_epi8(static_cast<char>(26 - 128));
    const __m128i bias_0 = _mm_set1_epi8(static_cast<char>(0x80 - '0'));
    const __m128i lim_0 = _mm_set1_epi8(static_cast<char>(10 - 128));
    const __m128i dash = _mm_set1_epi8('-');
    std::size_t kw = window;
    std::size_t o = 0;
    while (o < window) {
        const char* p = t + o;
        unsigned shift = 0;
        if (end - p < 16) {
            shift = static_cast<unsigned>(16 - (end - p));
            p = end - 16;
        }
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        // Signed compare: octets >= 0x80 are negative, so they count as special too.
        const __m128i special = _mm_or_si128(_mm_cmplt_epi8(x, c20), _mm_cmpeq_epi8(x, c7f));
        // Letters: x | 0x20 in 'a'..'z' (exact); digits and "-" compared unfolded.
        const __m128i letter = _mm_cmplt_epi8(_mm_add_epi8(_mm_or_si128(x, c20), bias_a), lim_a);
        const __m128i digit = _mm_cmplt_epi8(_mm_add_epi8(x, bias_0), lim_0);
        const __m128i kwc = _mm_or_si128(_mm_or_si128(letter, digit), _mm_cmpeq_epi8(x, dash));
        const unsigned s = static_cast<unsigned>(_mm_movemask_epi8(special)) >> shift;
        const unsigned nk = (~static_cast<unsigned>(_mm_movemask_epi8(kwc)) & 0xFFFFu) >> shift;
        if (nk != 0 && kw == window) kw = o + ctz64(nk);
        if (s != 0) {
            std::size_t line = o + ctz64(s);
            if (line > window) line = window;
            return {line, kw < line ? kw : line};
        }
        o += 16 - shift;
    }
    return {window, kw < window ? kw : window};
}
#endif

/// The scan the fast path uses: SSE2 at run time where available, the scalar twin in
/// constant evaluation and elsewhere.
constexpr SMTPP_HOT_INLINE text_scan scan_text(const char* begin, const char* t, std::size_t window,
                                               const char* end) noexcept {
#if SMTPP_EHLO_SSE2
    if (!__builtin_is_constant_evaluated()) return scan_text_sse2(begin, t, window, end);
#endif
    (void)begin;
    (void)end;
    return scan_text_scalar(t, window);
}

/**
 * Octet classes of one 64-octet block of the reply, one bit per octet (bit i = octet i of
 * the block). `special`: the octets the fast path stops at, as in `text_scan::line` (a
 * control character, CR and LF included, DEL, an octet >= 0x80); `stop`: those and SP.
 * Every position past the end of the bytes is in both.
 */
struct block_bits {
    std::uint64_t special = 0;
    std::uint64_t stop = 0;
};

/// The high bit of each octet of `h` (others 0) gathered into the low 8 bits.
constexpr std::uint64_t gather_high_bits(std::uint64_t h) noexcept {
    return ((h >> 7) * 0x0102040810204080ull) >> 56;
}

/// The scalar twin: eight octets at a time (SWAR, exact per octet: no carry crosses an
/// octet), the rest one at a time. `n` octets from `p` are readable; bits from `n` on are
/// set.
constexpr block_bits classify_block_scalar(const char* p, std::size_t n) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101ull;
    constexpr std::uint64_t highs = ones * 0x80;
    block_bits r{};
    const std::size_t m = n < 64 ? n : 64;
    std::size_t i = 0;
    for (; i + 8 <= m; i += 8) {
        const std::uint64_t x = load8_fast(p + i);
        const std::uint64_t low7 = x & ~highs;
        // >= 0x80, or below 0x20 (low7 + 0x60 keeps its high bit clear), or DEL
        // (low7 + 1 sets it); with SP: below 0x21.
        const std::uint64_t high_or_del = (x | (low7 + ones)) & highs;
        const std::uint64_t special = high_or_del | (~(low7 + ones * 0x60) & highs);
        const std::uint64_t stop = high_or_del | (~(low7 + ones * 0x5F) & highs);
        r.special |= gather_high_bits(special) << i;
        r.stop |= gather_high_bits(stop) << i;
    }
    for (; i < m; ++i) {
        const auto c = static_cast<unsigned char>(p[i]);
        const bool special = c < 0x20 || c >= 0x7F;
        r.special |= static_cast<std::uint64_t>(special) << i;
        r.stop |= static_cast<std::uint64_t>(special || c == ' ') << i;
    }
    if (m < 64) {
        r.special |= ~std::uint64_t{0} << m;
        r.stop |= ~std::uint64_t{0} << m;
    }
    return r;
}

#if SMTPP_EHLO_SSE2
/// `special` and `stop` of sixteen octets, as two 16-bit masks.
SMTPP_HOT_INLINE void classify16(__m128i x, unsigned& special, unsigned& stop) noexcept {
    // x + 1 as a signed octet: 0x00..0x1F -> 1..0x20, DEL -> -128, 0x80..0xFE -> negative,
    // 0xFF -> 0, SP -> 0x21, the rest of printable ASCII -> 0x22..0x7F. So one compare
    // each: special is x + 1 < 0x21, and with SP, x + 1 < 0x22.
    const __m128i y = _mm_add_epi8(x, _mm_set1_epi8(1));
    special = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmplt_epi8(y, _mm_set1_epi8(0x21))));
    stop = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmplt_epi8(y, _mm_set1_epi8(0x22))));
}

/// `special` and `stop` of the 64 octets at `p`.
SMTPP_HOT_INLINE block_bits classify64_sse2(const char* p) noexcept {
    unsigned s0 = 0, s1 = 0, s2 = 0, s3 = 0, w0 = 0, w1 = 0, w2 = 0, w3 = 0;
    classify16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), s0, w0);
    classify16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16)), s1, w1);
    classify16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 32)), s2, w2);
    classify16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 48)), s3, w3);
    block_bits r{};
    r.special = std::uint64_t{s0} | std::uint64_t{s1} << 16 | std::uint64_t{s2} << 32 | std::uint64_t{s3} << 48;
    r.stop = std::uint64_t{w0} | std::uint64_t{w1} << 16 | std::uint64_t{w2} << 32 | std::uint64_t{w3} << 48;
    return r;
}

/// A buffer of 16 to 63 octets (`n`) as one block: four loads of sixteen at offsets
/// min(16 j, n - 16), overlapping at the end, each mask shifted into place.
SMTPP_HOT_INLINE block_bits classify_short_sse2(const char* p, std::size_t n) noexcept {
    block_bits r{};
    for (std::size_t j = 0; j < 4; ++j) {
        const std::size_t at = 16 * j < n - 16 ? 16 * j : n - 16;
        unsigned s = 0, w = 0;
        classify16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at)), s, w);
        r.special |= std::uint64_t{s} << at;
        r.stop |= std::uint64_t{w} << at;
    }
    r.special |= ~std::uint64_t{0} << n;
    r.stop |= ~std::uint64_t{0} << n;
    return r;
}

/**
 * The SSE2 twin of `classify_block_scalar` for the block at `p`. Every octet of
 * [begin, end) is readable and nothing outside it is read: a block with fewer than 64
 * octets left is read from the last 64 octets of the buffer with the masks shifted (a
 * shorter buffer, which is all one block, sixteen octets at a time, the last sixteen
 * overlapping). Same results as the scalar twin.
 */
SMTPP_HOT_INLINE block_bits classify_block_sse2(const char* begin, const char* p, const char* end) noexcept {
    const auto n = static_cast<std::size_t>(end - p);
    if (n >= 64) return classify64_sse2(p);
    if (end - begin >= 64) {
        // The last 64 octets of the buffer, shifted down to `p`.
        block_bits r = classify64_sse2(end - 64);
        const auto shift = static_cast<unsigned>(64 - n);
        r.special = (r.special >> shift) | (~std::uint64_t{0} << n);
        r.stop = (r.stop >> shift) | (~std::uint64_t{0} << n);
        return r;
    }
    // A shorter buffer is one block, from `begin`.
    if (n < 16) return classify_block_scalar(p, n);
    return classify_short_sse2(p, n);
}
#endif

/// The block at offset `at` of `bytes` (`at < bytes.size()`): SSE2 at run time where
/// available, the scalar twin in constant evaluation and elsewhere.
constexpr SMTPP_HOT_INLINE block_bits classify_block(std::string_view bytes, std::size_t at) noexcept {
#if SMTPP_EHLO_SSE2
    if (!__builtin_is_constant_evaluated())
        return classify_block_sse2(bytes.data(), bytes.data() + at, bytes.data() + bytes.size());
#endif
    return classify_block_scalar(bytes.data() + at, bytes.size() - at);
}

/**
 * The bitmaps of up to `blocks` consecutive 64-octet blocks of the reply (offsets are from
 * its first octet). They are classified up front, each block without looking at the
 * others, so the lines no longer wait on each other's scan: the next line end is a shift
 * and a bit scan away. A reply longer than the window moves it on.
 */
class reply_bitmap {
public:
    static constexpr std::size_t blocks = 8;
    static constexpr std::size_t npos = ~std::size_t{0};

    constexpr explicit reply_bitmap(std::string_view bytes) noexcept : bytes_(bytes) {
        if (bytes.size() - 1 < 64) {  // one block (a one-line reply): no loop
            const block_bits r = classify_block(bytes_, 0);
            special_[0] = r.special;
            stop_[0] = r.stop;
            count_ = 1;
        } else {
            load(0, false);
        }
    }

    /// The first `special` octet at or after `q` (`q < bytes.size()`; positions past the
    /// end count as special); `npos` when it lies more than `blocks` blocks from `q`'s.
    constexpr SMTPP_HOT_INLINE std::size_t find_special(std::size_t q) noexcept {
        const std::size_t b = (q >> 6) - base_;
        if (b < blocks) {
            const std::uint64_t m = special_[b] >> (q & 63);
            if (m != 0) return q + ctz64(m);
        }
        const std::size_t e = find_in_window(q);
        if (e != npos || base_ == q >> 6) return e;
        load(q >> 6, true);
        return find_in_window(q);
    }

    /**
     * The common case of both searches at once: when the first `special` octet at or
     * after `q` (< bytes.size()) lies in the block of `q`, stores it in `e` and the first
     * SP or special octet in `stop`, and returns true; false otherwise.
     */
    constexpr SMTPP_HOT_INLINE bool find_in_block(std::size_t q, std::size_t& e, std::size_t& stop) const noexcept {
        const std::size_t b = (q >> 6) - base_;
        if (b >= blocks) return false;  // past `count_` the bits are 0
        const std::uint64_t m = special_[b] >> (q & 63);
        if (m == 0) return false;
        e = q + ctz64(m);
        stop = q + ctz64(stop_[b] >> (q & 63));
        return true;
    }

    /// The first SP or `special` octet at or after `q`. @pre `find_special(q)` found one.
    constexpr SMTPP_HOT_INLINE std::size_t find_stop(std::size_t q) const noexcept {
        std::size_t b = (q >> 6) - base_;
        const std::uint64_t m = stop_[b] >> (q & 63);
        if (m != 0) return q + ctz64(m);
        while (stop_[++b] == 0) {
        }
        return ((base_ + b) << 6) + ctz64(stop_[b]);
    }

private:
    /// Classifies the blocks from `first` (which holds octets, or the reply is empty);
    /// `clear`: zero the entries past them, which a previous window filled.
    constexpr void load(std::size_t first, bool clear) noexcept {
        base_ = first;
        const std::size_t left = ((bytes_.size() + 63) >> 6) - first;
        count_ = left < blocks ? left : blocks;
        for (std::size_t i = 0; i < count_; ++i) {
            const block_bits r = classify_block(bytes_, (first + i) << 6);
            special_[i] = r.special;
            stop_[i] = r.stop;
        }
        if (clear) {
            for (std::size_t i = count_; i < blocks; ++i) special_[i] = stop_[i] = 0;
        }
    }

    constexpr std::size_t find_in_window(std::size_t q) const noexcept {
        std::size_t b = (q >> 6) - base_;
        if (b >= count_) return npos;
        std::uint64_t m = special_[b] & (~std::uint64_t{0} << (q & 63));
        while (m == 0) {
            if (++b == count_) return npos;
            m = special_[b];
        }
        return ((base_ + b) << 6) + ctz64(m);
    }

    std::string_view bytes_;
    std::size_t base_ = 0;
    std::size_t count_ = 0;
    // Two arrays of 64 octets rather than one of pairs: gcc zeroes 128 octets with
    // `rep stosq`, whose start-up cost is a sixth of a two-line reply.
    std::uint64_t special_[blocks] = {};
    std::uint64_t stop_[blocks] = {};  // special or SP
};


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
    return s.substr(start, pos - start);
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
    const std::uint64_t lo_word = load8_fast(s.data() + (n - lo_n));
    const std::uint64_t lo_x = pad == 0 ? lo_word : (lo_word << pad) | (zeros >> (64 - pad));
    std::uint64_t lo = 0;
    if (!eight_digits(lo_x, lo)) return false;
    std::uint64_t v = lo;
    if (n > 8) {
        std::uint64_t hi = 0;
        if (!eight_digits(load8_fast(s.data()), hi)) return false;
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
    constexpr std::uint64_t ones = 0x0101010101010101ull;
    std::size_t i = 0;
    for (; i < n && i + 8 <= avail; i += 8) {
        const std::uint64_t x = load8_fast(p + i) ^ (ones * ' ');
        const std::uint64_t z = (x - ones) & ~x & (ones * 0x80);
        if (z != 0) {
            const std::size_t at = i + ctz64(z) / 8;
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
    if (avail >= 8) return load8_fast(p);
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n && i < 8; ++i)
        v |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    return v;
}

/**
 * A SASL mechanism name eight octets at a time, for an exact case-insensitive compare
 * without case-folding the candidate: `(word | lower) & mask == key`, where `lower` has
 * 0x20 on the letters only (c | 0x20 is a given lower-case letter only for that letter in
 * either case) and `key` is the name with its letters in lower case.
 */
struct mech_entry {
    std::uint64_t key[3] = {};
    std::uint64_t lower[3] = {};
    std::uint64_t mask[3] = {~std::uint64_t{0}, 0, 0};  // an empty slot matches no word
    std::uint32_t bit = 0;
    std::uint8_t size = 0;
};

/// Slot of a mechanism in `mech_slots` from its first three octets (OR 0x20) and its
/// length: a perfect hash of the 14 names into 32 slots, which the builder checks.
constexpr std::size_t mech_slot(std::uint64_t head, std::size_t n) noexcept {
    const std::uint32_t h = (static_cast<std::uint32_t>(head) | 0x202020u) & 0xFFFFFFu;
    return static_cast<std::size_t>(((h + (static_cast<std::uint32_t>(n) << 24)) * 0xf8eb18b9u) >> 27);
}

struct mech_table {
    std::array<mech_entry, 32> slot{};
    bool collision = false;
};

constexpr mech_table make_mech_slots() noexcept {
    struct def {
        std::string_view name;
        sasl_mech mech;
    };
    constexpr def defs[] = {
        {"PLAIN", sasl_mech::plain},
        {"LOGIN", sasl_mech::login},
        {"CRAM-MD5", sasl_mech::cram_md5},
        {"DIGEST-MD5", sasl_mech::digest_md5},
        {"XOAUTH2", sasl_mech::xoauth2},
        {"OAUTHBEARER", sasl_mech::oauthbearer},
        {"SCRAM-SHA-1", sasl_mech::scram_sha_1},
        {"SCRAM-SHA-1-PLUS", sasl_mech::scram_sha_1_plus},
        {"SCRAM-SHA-256", sasl_mech::scram_sha_256},
        {"SCRAM-SHA-256-PLUS", sasl_mech::scram_sha_256_plus},
        {"GSSAPI", sasl_mech::gssapi},
        {"NTLM", sasl_mech::ntlm},
        {"EXTERNAL", sasl_mech::external},
        {"ANONYMOUS", sasl_mech::anonymous},
    };
    mech_table t{};
    for (const def& d : defs) {
        mech_entry e{};
        e.mask[0] = 0;
        for (std::size_t i = 0; i < d.name.size(); ++i) {
            const auto c = static_cast<unsigned char>(d.name[i]);
            const bool letter = c >= 'A' && c <= 'Z';
            const unsigned shift = static_cast<unsigned>(8 * (i % 8));
            e.key[i / 8] |= std::uint64_t{letter ? c | 0x20u : c} << shift;
            if (letter) e.lower[i / 8] |= std::uint64_t{0x20} << shift;
            e.mask[i / 8] |= std::uint64_t{0xFF} << shift;
        }
        e.bit = static_cast<std::uint32_t>(d.mech);
        e.size = static_cast<std::uint8_t>(d.name.size());
        mech_entry& s = t.slot[mech_slot(e.key[0], e.size)];
        if (s.size != 0) t.collision = true;
        s = e;
    }
    return t;
}
inline constexpr mech_table mech_slots = make_mech_slots();
static_assert(!mech_slots.collision, "mech_slot: pick another multiplier");

/// The `sasl_mech` bit of a mechanism name (case-insensitive), 0 when unknown. `avail`
/// (>= w.size()) octets are readable from `w.data()`.
constexpr SMTPP_HOT_INLINE std::uint32_t sasl_bit(std::string_view w, std::size_t avail) noexcept {
    const char* const p = w.data();
    const std::size_t n = w.size();
    const std::uint64_t head = load_head8(p, n, avail);
    const mech_entry& e = mech_slots.slot[mech_slot(head, n)];
    if (((head | e.lower[0]) & e.mask[0]) != e.key[0] || e.size != n) return 0;
    if (n > 8) {
        const std::uint64_t w1 = load_head8(p + 8, n - 8, avail - 8);
        if (((w1 | e.lower[1]) & e.mask[1]) != e.key[1]) return 0;
        if (n > 16 && ((load_head8(p + 16, n - 16, avail - 16) | e.lower[2]) & e.mask[2]) != e.key[2]) return 0;
    }
    return e.bit;
}

/// RFC 4954 §3: `"AUTH" 1*(SP sasl-mech)`; mechanisms are case-insensitive. `avail`
/// (>= params.size()) octets are readable from `params.data()`.
constexpr void parse_auth(std::string_view params, std::size_t avail, ehlo_capabilities& caps) noexcept {
    caps.auth_params = params;
    const char* const p = params.data();
    const std::size_t n = params.size();
    std::size_t pos = 0;
    while (pos < n) {
        if (p[pos] == ' ') {  // runs of SP, as next_word
            ++pos;
            continue;
        }
        const std::size_t end = pos + find_sp(p + pos, n - pos, avail - pos);
        const std::uint32_t b = sasl_bit(std::string_view(p + pos, end - pos), avail - pos);
        if (b != 0) caps.auth_mechanisms |= b;
        else ++caps.auth_unknown;
        pos = end;
    }
}

/// RFC 9422 §4: `"LIMITS" SP limit *(SP limit)`, `limit = limit-name "=" limit-value`.
/// Unknown names and malformed values are ignored (§4: "MUST ignore").
constexpr void parse_limits(std::string_view params, ehlo_capabilities& caps) noexcept {
    std::size_t pos = 0;
    for (;;) {
        const std::string_view w = next_word(params, pos);
        if (w.empty()) return;
        const std::size_t eq = w.find('=');
        if (eq == std::string_view::npos) continue;
        const std::string_view name = w.substr(0, eq);
        std::uint64_t v = 0;
        if (!parse_decimal(w.substr(eq + 1), 0xFFFFFFFFu, v)) continue;
        const auto v32 = static_cast<std::uint32_t>(v);
        if (iequals_upper(name, "RCPTMAX")) caps.limit_rcptmax = v32;
        else if (iequals_upper(name, "MAILMAX")) caps.limit_mailmax = v32;
        else if (iequals_upper(name, "RCPTDOMAINMAX")) caps.limit_rcptdomainmax = v32;
    }
}

/// What a recognised keyword carries besides its bit.
enum class keyword_kind : std::uint8_t { plain, size, auth, deliverby, futurerelease, mt_priority, limits };

/// A recognised keyword: its `key()` eight octets at a time with the masks that select
/// its octets, its length, bit and parameters.
struct keyword_entry {
    std::uint64_t key[3] = {};
    // An empty slot matches no word: a head of 0 under the full mask is only that of the
    // empty word (a folded octet is never 0), whose length 0 is not 255.
    std::uint64_t mask[3] = {~std::uint64_t{0}, 0, 0};
    std::uint32_t bit = 0;
    std::uint8_t size = 255;
    keyword_kind kind = keyword_kind::plain;
    std::uint8_t pad[10] = {};  // 64 octets: a slot is one cache line
};

/// Slot of a keyword in `keyword_slots` from its first three octets, folded (`head` is
/// its first eight, OR 0x20): a perfect hash of the 20 keywords into 32 slots, which the
/// table builder checks. Every recognised keyword has at least three octets.
constexpr std::size_t keyword_slot(std::uint64_t head) noexcept {
    return static_cast<std::size_t>(((static_cast<std::uint32_t>(head) & 0xFFFFFFu) * 0x302b3fb7u) >> 27);
}

struct keyword_table {
    std::array<keyword_entry, 32> slot{};
    bool collision = false;
};

constexpr keyword_table make_keyword_slots() noexcept {
    struct def {
        std::string_view name;
        ehlo_ext ext;
        keyword_kind kind;
    };
    constexpr def defs[] = {
        {"PIPELINING", ehlo_ext::pipelining, keyword_kind::plain},
        {"SIZE", ehlo_ext::size, keyword_kind::size},
        {"8BITMIME", ehlo_ext::eightbitmime, keyword_kind::plain},
        {"SMTPUTF8", ehlo_ext::smtputf8, keyword_kind::plain},
        {"DSN", ehlo_ext::dsn, keyword_kind::plain},
        {"CHUNKING", ehlo_ext::chunking, keyword_kind::plain},
        {"BINARYMIME", ehlo_ext::binarymime, keyword_kind::plain},
        {"STARTTLS", ehlo_ext::starttls, keyword_kind::plain},
        {"ENHANCEDSTATUSCODES", ehlo_ext::enhancedstatuscodes, keyword_kind::plain},
        {"AUTH", ehlo_ext::auth, keyword_kind::auth},
        {"REQUIRETLS", ehlo_ext::requiretls, keyword_kind::plain},
        {"DELIVERBY", ehlo_ext::deliverby, keyword_kind::deliverby},
        {"FUTURERELEASE", ehlo_ext::futurerelease, keyword_kind::futurerelease},
        {"MT-PRIORITY", ehlo_ext::mt_priority, keyword_kind::mt_priority},
        {"RRVS", ehlo_ext::rrvs, keyword_kind::plain},
        {"LIMITS", ehlo_ext::limits, keyword_kind::limits},
        {"VRFY", ehlo_ext::vrfy, keyword_kind::plain},
        {"ETRN", ehlo_ext::etrn, keyword_kind::plain},
        {"HELP", ehlo_ext::help, keyword_kind::plain},
        {"EXPN", ehlo_ext::expn, keyword_kind::plain},
    };
    keyword_table t{};
    for (const def& d : defs) {
        keyword_entry e{};
        for (std::size_t i = 0; i < 3 && 8 * i < d.name.size(); ++i) {
            const std::string_view part = d.name.substr(8 * i, 8);
            e.key[i] = key(part);
            e.mask[i] = part.size() == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * part.size())) - 1;
        }
        e.bit = static_cast<std::uint32_t>(d.ext);
        e.size = static_cast<std::uint8_t>(d.name.size());
        e.kind = d.kind;
        keyword_entry& s = t.slot[keyword_slot(e.key[0])];
        if (s.size != 255) t.collision = true;
        s = e;
    }
    return t;
}
static_assert(sizeof(keyword_entry) == 64);
inline constexpr keyword_table keyword_slots = make_keyword_slots();
static_assert(!keyword_slots.collision, "keyword_slot: pick another multiplier");

/// Parameters of the keywords that carry some. `params` has no trailing SP; `avail`
/// (>= params.size()) octets are readable from `params.data()`.
constexpr void keyword_params(keyword_kind kind, std::string_view params, std::size_t avail,
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
            if (parse_decimal(interval, ~std::uint64_t{0}, v, avail - static_cast<std::size_t>(interval.data() - params.data())))
                caps.futurerelease_interval = v;
            caps.futurerelease_datetime = next_word(params, pos);
            break;
        }
        case keyword_kind::mt_priority: caps.mt_priority_policy = params; break;  // RFC 6710 §3
        case keyword_kind::limits: parse_limits(params, caps); break;
    }
}

/**
 * The recognised keywords: true (and `caps` filled) when the first `k` octets of the
 * capability line `t` are one of them, false (and `caps` untouched) otherwise. Keywords
 * compare case-insensitively (RFC 5321 §2.4).
 * @pre the first `k` octets of `t` are printable ASCII other than SP, and `t[k]`, if any,
 * is SP, "=" or (k = 0) CR; `avail` (>= t.size()) octets are readable from `t.data()`.
 */
constexpr SMTPP_HOT_INLINE bool known_keyword(std::string_view t, std::size_t k, std::size_t avail,
                                               ehlo_capabilities& caps) noexcept {
    // Octets of printable ASCII that are not ALPHA / DIGIT / "-" fold (OR 0x20) to octets
    // that are not either, so a match also proves the keyword's alphabet.
    constexpr std::uint64_t fold = 0x2020202020202020ull;
    const char* const p = t.data();
    const std::uint64_t head = avail >= 8 ? load8_fast(p) | fold : head8_key(std::string_view(p, k), avail);
    const keyword_entry& e = keyword_slots.slot[keyword_slot(head)];
    if ((head & e.mask[0]) != e.key[0] || e.size != k) return false;
    if (k > 8) {
        if (avail >= 24) {
            if (((load8_fast(p + 8) | fold) & e.mask[1]) != e.key[1] || ((load8_fast(p + 16) | fold) & e.mask[2]) != e.key[2])
                return false;
        } else if (head8_key(std::string_view(p + 8, k - 8), avail - 8) != e.key[1] ||
                   (k > 16 && head8_key(std::string_view(p + 16, k - 16), avail - 16) != e.key[2])) {
            return false;
        }
    }
    if (e.kind != keyword_kind::plain) {
        std::string_view params = k < t.size() ? std::string_view(p + k + 1, t.size() - k - 1) : std::string_view{};
        while (!params.empty() && params.back() == ' ') params.remove_suffix(1);
        keyword_params(e.kind, params, params.empty() ? 0 : avail - k - 1, caps);
    }
    caps.extensions |= e.bit;
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
    const std::string_view kw = t.substr(0, k);
    std::string_view params = k < t.size() ? t.substr(k + 1) : std::string_view{};
    while (!params.empty() && params.back() == ' ') params.remove_suffix(1);
    if (caps.unknown_count < ehlo_capabilities::max_unknown) {
        caps.unknown[caps.unknown_count++] = ehlo_keyword{kw, params};
    } else if (caps.unknown_overflow != 0xFFFF) {
        ++caps.unknown_overflow;
    }
}

/// `caps = ehlo_capabilities{}` without the temporary that compilers build, zero and copy
/// (two library calls, a third of the cost of a short reply). Resets every field: one
/// added to `ehlo_capabilities` must be added here (test_ehlo.cpp checks the size).
constexpr void reset(ehlo_capabilities& caps) noexcept {
    caps.code = 0;
    caps.domain = {};
    caps.greet = {};
    caps.extensions = 0;
    caps.auth_mechanisms = 0;
    caps.auth_unknown = 0;
    caps.auth_params = {};
    caps.size_known = false;
    caps.size = 0;
    caps.deliverby_known = false;
    caps.deliverby_min = 0;
    caps.futurerelease_interval = 0;
    caps.futurerelease_datetime = {};
    caps.mt_priority_policy = {};
    caps.limit_rcptmax = 0;
    caps.limit_mailmax = 0;
    caps.limit_rcptdomainmax = 0;
    for (ehlo_keyword& u : caps.unknown) u = ehlo_keyword{};
    caps.unknown_count = 0;
    caps.unknown_overflow = 0;
    caps.malformed_lines = 0;
    caps.lines = 0;
}

/// As above, finding the keyword run first (the general path).
constexpr void parse_ehlo_line(std::string_view t, std::size_t avail, ehlo_capabilities& caps) noexcept {
    std::size_t k = 0;
    while (k < t.size() && keyword_char[static_cast<unsigned char>(t[k])]) ++k;
    parse_ehlo_line(t, k, avail, caps);
}

}  // namespace detail

/**
 * Parses the reply to EHLO or LHLO at the start of `bytes`.
 *
 * RFC 5321 §4.1.1.1:
 * ```
 * ehlo-ok-rsp = ( "250" SP Domain [ SP ehlo-greet ] CRLF )
 *             / ( "250-" Domain [ SP ehlo-greet ] CRLF
 *                 *( "250-" ehlo-line CRLF )
 *                 "250" SP ehlo-line CRLF )
 * ```
 * The first line may carry control characters (`ehlo-greet`) when its code is 250; NUL is
 * refused. A reply with another code (502 from an old server, 421, 554) is complete and
 * well-formed: `caps.code` says which, and nothing else is filled.
 *
 * @param bytes from the first octet of the reply; may hold more after it
 * @param caps  reset and filled; its views point into `bytes`
 * @param opt   the same limits and leniencies as the reply reader
 * @return `complete` with `consumed` = octets of the reply; `need_more` when the reply has
 *         not ended within `bytes` (call again with more, from the same start); `failed`
 *         with the reply error.
 */
constexpr ehlo_result parse_ehlo(std::string_view bytes, ehlo_capabilities& caps,
                                 const reply_options& opt = reply_options{}) noexcept {
    detail::reset(caps);
    ehlo_result res{};
    std::size_t pos = 0;
    const char* const begin = bytes.data();
    const std::size_t size = bytes.size();
    // Copies: stores into `caps` could alias `opt` as far as the compiler knows.
    // As the reply reader: a limit under 4 octets cannot hold "250\r\n"; use the RFC's 512.
    const std::size_t max_line = opt.max_line < 4 ? std::size_t{512} : opt.max_line;
    // The limits as bounds (0 = none = the largest value). The octets read so far, the
    // reader's reply size, are always `pos`.
    const std::uint32_t max_lines = opt.max_lines == 0 ? ~std::uint32_t{0} : opt.max_lines;
    const std::uint64_t max_reply_bytes = opt.max_reply_bytes == 0 ? ~std::uint64_t{0} : opt.max_reply_bytes;
    detail::reply_bitmap bits(bytes);
    // The fast path stops short of `max_reply_bytes` and leaves the verdict to the general one.
    const std::size_t fast_end = max_reply_bytes < size ? static_cast<std::size_t>(max_reply_bytes) : size;
    bool fast = true;  // no line yet, or a 250 reply so far
    for (std::uint32_t index = 0;; ++index) {
        // Fast path: "250-" / "250 " lines of printable ASCII ending in CRLF within the
        // limits. It does exactly what the general path below does for such a line; any
        // other line (HT, control characters, 8-bit text, bare LF, a line cut short, over
        // long, another code, a limit reached) goes the general way, which gives the verdict.
        std::uint32_t head = 0;
        bool long_line = false;
        while (fast && size - pos >= 6) {
            head = detail::load4(begin + pos);
            if (head != detail::head_250_more && head != detail::head_250_last) break;
            const std::size_t q = pos + 4;
            // The first octet that is not printable ASCII, and the first SP or that octet.
            std::size_t e = 0;
            std::size_t stop = 0;
            if (!bits.find_in_block(q, e, stop)) {
                e = bits.find_special(q);
                long_line = e == detail::reply_bitmap::npos;  // longer than the bitmaps hold
                if (long_line) break;
                stop = bits.find_stop(q);
            }
            // As scan_line: a CRLF that ends the line within `max_line` octets.
            const std::size_t bound = pos + max_line < fast_end ? pos + max_line : fast_end;
            if (e + 2 > bound || !detail::is_crlf(begin + e) || index >= max_lines) break;
            pos = e + 2;
            caps.lines = ++index;
            const std::string_view text(begin + q, e - q);
            const std::size_t k = stop - q;
            if (index != 1) {
                // The word up to the first SP: a recognised keyword there is the keyword;
                // "AUTH=", unknown and malformed lines take the long way.
                if (!detail::known_keyword(text, k, size - q, caps)) detail::parse_ehlo_line(text, size - q, caps);
            } else {
                caps.code = 250;
                caps.domain = std::string_view(text.data(), k);
                caps.greet = k == text.size() ? std::string_view{} : text.substr(k + 1);
            }
            if (head == detail::head_250_last) {
                res.st = status::complete;
                res.consumed = pos;
                return res;
            }
        }
        // A line longer than the bitmaps hold: the same checks with a scan of its own.
        if (long_line) {
            const std::size_t q = pos + 4;
            const std::size_t window = size - q < max_line - 4 ? size - q : max_line - 4;
            const detail::text_scan ts = detail::scan_text(begin, begin + q, window, begin + size);
            const std::size_t n = ts.line;
            if (n < window && begin[q + n] == '\r' && n + 5 < max_line && q + n + 1 < size && begin[q + n + 1] == '\n' &&
                index < max_lines && q + n + 2 <= max_reply_bytes) {
                pos = q + n + 2;
                caps.lines = index + 1;
                const std::string_view text(begin + q, n);
                if (index == 0) {
                    caps.code = 250;
                    std::size_t sp = 0;
                    while (sp < n && text[sp] != ' ') ++sp;
                    caps.domain = text.substr(0, sp);
                    caps.greet = sp == n ? std::string_view{} : text.substr(sp + 1);
                } else {
                    detail::parse_ehlo_line(text, ts.kw, size - q, caps);
                }
                if (head == detail::head_250_last) {
                    res.st = status::complete;
                    res.consumed = pos;
                    return res;
                }
                continue;
            }
        }
        const bool first = index == 0;
        const std::string_view rest = bytes.substr(pos);
        const detail::line_scan sc =
            detail::scan_line(rest, max_line, opt.allow_bare_lf, opt.allow_8bit, opt.allow_ctl || first);
        if (sc.error != reply_error::none) {
            res.st = status::failed;
            res.error = sc.error;
            return res;
        }
        if (!sc.found) return res;  // need_more
        const std::string_view content = rest.substr(0, sc.content_end);
        const detail::parsed_reply_line p = detail::parse_reply_line(content);
        reply_error err = p.error;
        if (err == reply_error::none && first && sc.saw_ctl && !opt.allow_ctl && p.code != 250)
            err = reply_error::bad_char;
        if (err == reply_error::none && !first && p.code != caps.code) err = reply_error::code_mismatch;
        if (err == reply_error::none && (index + 1 > max_lines || pos + sc.next > max_reply_bytes))
            err = reply_error::reply_too_long;
        if (err != reply_error::none) {
            res.st = status::failed;
            res.error = err;
            return res;
        }
        pos += sc.next;
        caps.lines = index + 1;
        if (first) {
            caps.code = p.code;
            fast = p.code == 250;
        }
        if (p.code == 250) {
            // The raw text after "250-": an EHLO line is not subject to RFC 2034 codes.
            const std::string_view t = content.substr(content.size() > 4 ? 4 : content.size());
            if (first) {
                const std::size_t sp = t.find(' ');
                caps.domain = t.substr(0, sp);
                caps.greet = sp == std::string_view::npos ? std::string_view{} : t.substr(sp + 1);
            } else {
                detail::parse_ehlo_line(t, bytes.size() - static_cast<std::size_t>(t.data() - bytes.data()), caps);
            }
        }
        if (p.last) {
            res.st = status::complete;
            res.consumed = pos;
            return res;
        }
    }
}

}  // namespace smtpp

#endif
