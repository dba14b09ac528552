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
#include <utility>

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

// Keeps a rare step of the fast path out of its loop (and its registers).
#if defined(__GNUC__) || defined(__clang__)
#define SMTPP_EHLO_NOINLINE __attribute__((noinline))
#else
#define SMTPP_EHLO_NOINLINE
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
    return (load8_word(kw.data()) | 0x2020202020202020ull) & m;
}

/// Four octets little-endian, for comparing "250-" / "250 " in one go (one load at run
/// time on little-endian targets, the byte loop in constant evaluation and elsewhere).
constexpr SMTPP_HOT_INLINE std::uint32_t load4(const char* p) noexcept {
#if (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
    (defined(__clang__) || __GNUC__ >= 9)
    if (!__builtin_is_constant_evaluated()) {
        std::uint32_t v = 0;
        std::memcpy(&v, p, sizeof v);
        return v;
    }
#endif
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
 * The octets the fast path stops at, one bit per octet of a 64-octet block of the reply
 * (bit i = octet i of the block): a control character (CR and LF included), DEL, or an
 * octet >= 0x80. Every position past the end of the bytes is one too.
 */

/// The high bit of each octet of `h` (others 0) gathered into the low 8 bits.
constexpr std::uint64_t gather_high_bits(std::uint64_t h) noexcept {
    return ((h >> 7) * 0x0102040810204080ull) >> 56;
}

/// The scalar twin: eight octets at a time (SWAR, exact per octet: no carry crosses an
/// octet), the rest one at a time. `n` octets from `p` are readable; bits from `n` on are
/// set.
constexpr std::uint64_t classify_block_scalar(const char* p, std::size_t n) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101ull;
    constexpr std::uint64_t highs = ones * 0x80;
    std::uint64_t r = 0;
    const std::size_t m = n < 64 ? n : 64;
    std::size_t i = 0;
    for (; i + 8 <= m; i += 8) {
        const std::uint64_t x = load8_word(p + i);
        const std::uint64_t low7 = x & ~highs;
        // >= 0x80, or DEL (low7 + 1 sets the high bit), or below 0x20 (low7 + 0x60 keeps
        // it clear).
        const std::uint64_t special = ((x | (low7 + ones)) & highs) | (~(low7 + ones * 0x60) & highs);
        r |= gather_high_bits(special) << i;
    }
    for (; i < m; ++i) {
        const auto c = static_cast<unsigned char>(p[i]);
        r |= static_cast<std::uint64_t>(c < 0x20 || c >= 0x7F) << i;
    }
    if (m < 64) r |= ~std::uint64_t{0} << m;
    return r;
}

#if SMTPP_EHLO_SSE2
/// The octets of sixteen that are NOT special, as a 16-bit mask.
SMTPP_HOT_INLINE unsigned plain16(__m128i x) noexcept {
    // x + 1 as a signed octet: 0x00..0x1F -> 1..0x20, DEL -> -128, 0x80..0xFE -> negative,
    // 0xFF -> 0, the printable octets -> 0x21..0x7F. So one compare: plain is x + 1 > 0x20.
    const __m128i y = _mm_add_epi8(x, _mm_set1_epi8(1));
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpgt_epi8(y, _mm_set1_epi8(0x20))));
}

/// The special octets of the 64 at `p`.
SMTPP_HOT_INLINE std::uint64_t classify64_sse2(const char* p) noexcept {
    const unsigned m0 = plain16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    const unsigned m1 = plain16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16)));
    const unsigned m2 = plain16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 32)));
    const unsigned m3 = plain16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 48)));
    return ~(std::uint64_t{m0} | std::uint64_t{m1} << 16 | std::uint64_t{m2} << 32 | std::uint64_t{m3} << 48);
}

/// A buffer of 16 to 63 octets (`n`) as one block: four loads of sixteen at offsets
/// min(16 j, n - 16), overlapping at the end, each mask shifted into place.
SMTPP_HOT_INLINE std::uint64_t classify_short_sse2(const char* p, std::size_t n) noexcept {
    std::uint64_t r = 0;
    for (std::size_t j = 0; j < 4; ++j) {
        const std::size_t at = 16 * j < n - 16 ? 16 * j : n - 16;
        r |= std::uint64_t{plain16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at)))} << at;
    }
    return ~r | (~std::uint64_t{0} << n);
}

/**
 * The SSE2 twin of `classify_block_scalar` for the block at `p`. Every octet of
 * [begin, end) is readable and nothing outside it is read: a block with fewer than 64
 * octets left is read from the last 64 octets of the buffer with the mask shifted (a
 * shorter buffer, which is all one block, sixteen octets at a time, the last sixteen
 * overlapping). Same results as the scalar twin.
 */
SMTPP_HOT_INLINE std::uint64_t classify_block_sse2(const char* begin, const char* p, const char* end) noexcept {
    const auto n = static_cast<std::size_t>(end - p);
    if (n >= 64) return classify64_sse2(p);
    if (end - begin >= 64)  // the last 64 octets of the buffer, shifted down to `p`
        return (classify64_sse2(end - 64) >> (64 - n)) | (~std::uint64_t{0} << n);
    // A shorter buffer is one block, from `begin`.
    if (n < 16) return classify_block_scalar(p, n);
    return classify_short_sse2(p, n);
}
#endif

/// The block at offset `at` of `bytes` (`at < bytes.size()`): SSE2 at run time where
/// available, the scalar twin in constant evaluation and elsewhere.
constexpr SMTPP_HOT_INLINE std::uint64_t classify_block(std::string_view bytes, std::size_t at) noexcept {
#if SMTPP_EHLO_SSE2
    if (!__builtin_is_constant_evaluated())
        return classify_block_sse2(bytes.data(), bytes.data() + at, bytes.data() + bytes.size());
#endif
    return classify_block_scalar(bytes.data() + at, bytes.size() - at);
}


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

/// `find_sp` with one SSE2 compare for the first sixteen octets at run time, when they are
/// readable (a domain mostly fits).
constexpr SMTPP_HOT_INLINE std::size_t find_sp16(const char* p, std::size_t n, std::size_t avail) noexcept {
#if SMTPP_EHLO_SSE2
    if (!__builtin_is_constant_evaluated() && avail >= 16) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const auto m = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(' '))));
        if (m != 0) {
            const std::size_t at = ctz64(m);
            return at < n ? at : n;
        }
        if (n <= 16) return n;
        return 16 + find_sp(p + 16, n - 16, avail - 16);
    }
#endif
    return find_sp(p, n, avail);
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

/**
 * The SASL mechanism names by slot (`mech_slot`), field by field, eight octets at a time,
 * for an exact case-insensitive compare without case-folding the candidate:
 * `(word | lower) & mask == key`, where `lower` has 0x20 on the letters only (c | 0x20 is a
 * given lower-case letter only for that letter in either case) and `key` is the name with
 * its letters in lower case. An empty slot has size 0, which no word has.
 */
struct mech_table {
    std::uint64_t key[3][32] = {};
    std::uint64_t lower[3][32] = {};
    std::uint64_t mask[3][32] = {};
    std::uint32_t bit[32] = {};
    std::uint8_t size[32] = {};
    bool collision = false;
};

/// Slot of a mechanism in `mech_slots` from its first three octets (OR 0x20) and its
/// length: a perfect hash of the 14 names into 32 slots, which the builder checks.
constexpr std::size_t mech_slot(std::uint64_t head, std::size_t n) noexcept {
    const std::uint32_t h = (static_cast<std::uint32_t>(head) | 0x202020u) & 0xFFFFFFu;
    return static_cast<std::size_t>(((h + (static_cast<std::uint32_t>(n) << 24)) * 0xf8eb18b9u) >> 27);
}

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
        std::uint64_t key[3] = {}, lower[3] = {}, mask[3] = {};
        for (std::size_t i = 0; i < d.name.size(); ++i) {
            const auto c = static_cast<unsigned char>(d.name[i]);
            const bool letter = c >= 'A' && c <= 'Z';
            const unsigned shift = static_cast<unsigned>(8 * (i % 8));
            key[i / 8] |= std::uint64_t{letter ? c | 0x20u : c} << shift;
            if (letter) lower[i / 8] |= std::uint64_t{0x20} << shift;
            mask[i / 8] |= std::uint64_t{0xFF} << shift;
        }
        const std::size_t slot = mech_slot(key[0], d.name.size());
        if (t.size[slot] != 0) t.collision = true;
        for (std::size_t i = 0; i < 3; ++i) {
            t.key[i][slot] = key[i];
            t.lower[i][slot] = lower[i];
            t.mask[i][slot] = mask[i];
        }
        t.bit[slot] = static_cast<std::uint32_t>(d.mech);
        t.size[slot] = static_cast<std::uint8_t>(d.name.size());
    }
    return t;
}
inline constexpr mech_table mech_slots = make_mech_slots();
static_assert(!mech_slots.collision, "mech_slot: pick another multiplier");

/// The `sasl_mech` bit of the mechanism name `p[0, n)` (case-insensitive), 0 when unknown.
/// `head` is `load_head8(p, n, avail)`; `avail` (>= n) octets are readable from `p`.
constexpr SMTPP_HOT_INLINE std::uint32_t sasl_bit(const char* p, std::size_t n, std::uint64_t head,
                                                  std::size_t avail) noexcept {
    const mech_table& m = mech_slots;
    const std::size_t i = mech_slot(head, n);
    if (((head | m.lower[0][i]) & m.mask[0][i]) != m.key[0][i] || m.size[i] != n) return 0;
    if (n > 8) {
        if (((load_head8(p + 8, n - 8, avail - 8) | m.lower[1][i]) & m.mask[1][i]) != m.key[1][i]) return 0;
        if (n > 16 && ((load_head8(p + 16, n - 16, avail - 16) | m.lower[2][i]) & m.mask[2][i]) != m.key[2][i])
            return 0;
    }
    return m.bit[i];
}

/// The SP octets of `p[0, n)` as bits (n <= 64; `avail` >= n + 7 octets readable): eight
/// octets at a time (SWAR, exact per octet: no carry crosses one).
constexpr std::uint64_t sp_bits_scalar(const char* p, std::size_t n) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101ull;
    constexpr std::uint64_t highs = ones * 0x80;
    std::uint64_t sp = 0;
    for (std::size_t i = 0; i < n; i += 8) {
        const std::uint64_t x = load8_word(p + i) ^ (ones * ' ');
        sp |= gather_high_bits(~(((x & ~highs) + ~highs) | x) & highs) << i;  // x's zero octets
    }
    return sp;
}

/// `sp_bits_scalar` with SSE2 compares at run time, sixteen octets at a time, when the
/// sixteen (or 64) are readable; the bits from `n` on are then whatever the octets are.
constexpr SMTPP_HOT_INLINE std::uint64_t sp_bits(const char* p, std::size_t n, std::size_t avail) noexcept {
#if SMTPP_EHLO_SSE2
    if (!__builtin_is_constant_evaluated()) {
        const __m128i sp = _mm_set1_epi8(' ');
        const auto at = [&](std::size_t i) {
            const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
            return std::uint64_t{static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, sp)))};
        };
        if (n <= 16 && avail >= 16) return at(0);
        if (avail >= 64) return at(0) | at(16) << 16 | at(32) << 32 | at(48) << 48;
    }
#endif
    (void)avail;
    return sp_bits_scalar(p, n);
}

/// `parse_auth`'s bitmap walk for a list of 64 to 255 octets (eight more readable), in
/// 64-octet chunks. Out of line: it would crowd the short list's registers.
SMTPP_EHLO_NOINLINE constexpr void parse_auth_long(std::string_view params, std::size_t avail,
                                               ehlo_capabilities& caps) noexcept {
    caps.auth_params = params;
    const char* const p = params.data();
    const std::size_t n = params.size();
    std::uint32_t bits = 0;
    std::uint32_t unknown = 0;
    std::uint64_t sp[4] = {};
    const std::size_t chunks = n / 64 + 1;  // the last one ends the list: m < 64
    for (std::size_t j = 0; j < chunks; ++j) {
        const std::size_t m = n - 64 * j < 64 ? n - 64 * j : 64;
        sp[j] = sp_bits(p + 64 * j, m, avail - 64 * j) | (m < 64 ? ~std::uint64_t{0} << m : 0);
    }
    std::uint64_t carry = 1;  // before the list: as if SP
    for (std::size_t j = 0; j < chunks; ++j) {
        std::uint64_t starts = ~sp[j] & ((sp[j] << 1) | carry);
        carry = sp[j] >> 63;
        while (starts != 0) {
            const std::size_t a = ctz64(starts);
            starts &= starts - 1;
            // The word's length: to the next SP bit, in a later chunk for a long word.
            std::size_t len = 0;
            if ((sp[j] >> a) != 0) {
                len = ctz64(sp[j] >> a);
            } else {
                std::size_t k = j + 1;
                len = 64 - a;
                for (; sp[k] == 0; ++k) len += 64;
                len += ctz64(sp[k]);
            }
            const std::size_t at = 64 * j + a;
            const std::uint32_t b = sasl_bit(p + at, len, load_head8(p + at, len, avail - at), avail - at);
            bits |= b;
            unknown += b == 0 ? 1u : 0u;
        }
    }
    caps.auth_mechanisms |= bits;
    caps.auth_unknown = static_cast<std::uint16_t>(caps.auth_unknown + unknown);
}

/// RFC 4954 §3: `"AUTH" 1*(SP sasl-mech)`; mechanisms are case-insensitive. `avail`
/// (>= params.size()) octets are readable from `params.data()`.
constexpr SMTPP_HOT_INLINE void parse_auth(std::string_view params, std::size_t avail, ehlo_capabilities& caps) noexcept {
    caps.auth_params = params;
    const char* const p = params.data();
    const std::size_t n = params.size();
    std::uint32_t bits = 0;
    std::uint32_t unknown = 0;
    if (SMTPP_LIKELY(n < 64 && avail - n >= 8)) {
        // The common case, a list under 64 octets with eight more readable: a bitmap of its
        // SP (and of every position past it), then word by word from the bits where words
        // start, each word's work independent of the others'.
        std::uint64_t sp = sp_bits(p, n, avail) | (~std::uint64_t{0} << n);
        std::uint64_t starts = ~sp & ((sp << 1) | 1);
        while (starts != 0) {
            const std::size_t at = ctz64(starts);
            starts &= starts - 1;
            const std::size_t len = ctz64(sp >> at);  // bit 63 of `sp` is set
            const std::uint32_t b = sasl_bit(p + at, len, load8_word(p + at), avail - at);
            bits |= b;
            unknown += b == 0 ? 1u : 0u;
        }
        caps.auth_mechanisms |= bits;
        caps.auth_unknown = static_cast<std::uint16_t>(caps.auth_unknown + unknown);
        return;
    }
    if (n < 256 && avail - n >= 8) {
        parse_auth_long(params, avail, caps);
        return;
    }
    std::size_t pos = 0;
    while (pos < n) {
        if (p[pos] == ' ') {  // runs of SP, as next_word
            ++pos;
            continue;
        }
        // The word's first eight octets serve both to find its end and to match it.
        std::uint64_t head = 0;
        std::size_t end = 0;
        if (avail - pos >= 8) {
            head = load8_word(p + pos);
            const std::size_t k = byte_index(head, ' ');
            end = pos + k;
            if (end >= n) end = n;
            else if (k == 8) end += find_sp(p + end, n - end, avail - end);
        } else {
            end = pos + find_sp(p + pos, n - pos, avail - pos);
            head = load_head8(p + pos, end - pos, avail - pos);
        }
        const std::uint32_t b = sasl_bit(p + pos, end - pos, head, avail - pos);
        bits |= b;
        unknown += b == 0 ? 1u : 0u;
        pos = end;
    }
    caps.auth_mechanisms |= bits;
    caps.auth_unknown = static_cast<std::uint16_t>(caps.auth_unknown + unknown);
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

/// Slot of a keyword in `keyword_slots` from its first three octets, folded (`head` is
/// its first eight, OR 0x20): a perfect hash of the 20 keywords into 32 slots, which the
/// table builder checks. Every recognised keyword has at least three octets; the
/// multiplier's low octet is 0, so the fourth octet of `head` drops out of the product.
constexpr std::size_t keyword_slot(std::uint64_t head) noexcept {
    return static_cast<std::size_t>((static_cast<std::uint32_t>(head) * 0x37b40100u) >> 27);
}

/// No recognised keyword (a slot number past the table).
inline constexpr std::size_t no_keyword = 32;

/**
 * The recognised keywords by slot, field by field, so that each is one indexed load: the
 * `key()` eight octets at a time with the masks that select its octets, its length, bit
 * and parameters. An empty slot matches no word: a head of 0 under the full mask is only
 * that of the empty word (a folded octet is never 0), whose length 0 is not 255.
 */
struct keyword_table {
    std::uint64_t key[3][32] = {};
    std::uint64_t mask[3][32] = {};
    std::uint32_t bit[32] = {};
    std::uint8_t size[32] = {};
    keyword_kind kind[32] = {};
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
    for (std::size_t i = 0; i < 32; ++i) {
        t.mask[0][i] = ~std::uint64_t{0};
        t.size[i] = 255;
    }
    for (const def& d : defs) {
        const std::size_t slot = keyword_slot(key(d.name.substr(0, 8)));
        if (t.size[slot] != 255 || d.name.size() < 3 || d.name.back() == '-') t.collision = true;
        for (std::size_t i = 0; i < 3 && 8 * i < d.name.size(); ++i) {
            const std::string_view part = d.name.substr(8 * i, 8);
            t.key[i][slot] = key(part);
            t.mask[i][slot] = part.size() == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * part.size())) - 1;
        }
        t.bit[slot] = static_cast<std::uint32_t>(d.ext);
        t.size[slot] = static_cast<std::uint8_t>(d.name.size());
        t.kind[slot] = d.kind;
    }
    return t;
}
inline constexpr keyword_table keyword_slots = make_keyword_slots();
static_assert(!keyword_slots.collision,
              "keyword_slot: pick another multiplier (or a keyword is shorter than 3 octets or ends with '-')");

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
 * The slot of the recognised keyword that the capability text `t` (`len` octets, `avail`
 * >= len of them readable) starts with, followed by SP or the end of the text;
 * `no_keyword` when there is none. Keywords compare case-insensitively (RFC 5321 §2.4).
 * @pre `t` holds no control character (the fast path's lines), or its first octets are
 * ALPHA / DIGIT / "-" and `len` is their number (the general path).
 */
constexpr SMTPP_HOT_INLINE std::size_t find_keyword(const char* t, std::size_t len, std::size_t avail) noexcept {
    // Octets of printable ASCII that are not ALPHA / DIGIT / "-" fold (OR 0x20) to octets
    // that are not either, so a match also proves the keyword's alphabet; the length is
    // checked before any octet past the text counts.
    constexpr std::uint64_t fold = 0x2020202020202020ull;
    const keyword_table& k = keyword_slots;
    const std::uint64_t head = avail >= 8 ? load8_word(t) | fold : head8_key(std::string_view(t, len), avail);
    const std::size_t i = keyword_slot(head);
    const std::size_t n = k.size[i];
    if ((head & k.mask[0][i]) != k.key[0][i] || n > len) return no_keyword;
    if (n > 8) {
        if (avail >= 24) {
            if (((load8_word(t + 8) | fold) & k.mask[1][i]) != k.key[1][i] ||
                ((load8_word(t + 16) | fold) & k.mask[2][i]) != k.key[2][i])
                return no_keyword;
        } else if (head8_key(std::string_view(t + 8, n - 8), avail - 8) != k.key[1][i] ||
                   (n > 16 && head8_key(std::string_view(t + 16, n - 16), avail - 16) != k.key[2][i])) {
            return no_keyword;
        }
    }
    if (n != len && t[n] != ' ') return no_keyword;
    return i;
}

/// The parameters of the recognised keyword in `slot` that starts the capability text `t`
/// (`avail` >= t.size() octets readable): everything after its SP or "=", without
/// trailing SP. Returns its `ehlo_ext` bit.
constexpr SMTPP_HOT_INLINE std::uint32_t apply_keyword(std::size_t slot, std::string_view t, std::size_t avail,
                                                       ehlo_capabilities& caps) noexcept {
    const keyword_kind kind = keyword_slots.kind[slot];
    if (kind != keyword_kind::plain) {
        const std::size_t k = keyword_slots.size[slot];
        std::string_view params = k < t.size() ? std::string_view(t.data() + k + 1, t.size() - k - 1) : std::string_view{};
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
    const std::string_view kw = t.substr(0, k);
    std::string_view params = k < t.size() ? t.substr(k + 1) : std::string_view{};
    while (!params.empty() && params.back() == ' ') params.remove_suffix(1);
    if (caps.unknown_count < ehlo_capabilities::max_unknown) {
        caps.unknown[caps.unknown_count++] = ehlo_keyword{kw, params};
    } else if (caps.unknown_overflow != 0xFFFF) {
        ++caps.unknown_overflow;
    }
}

#if SMTPP_EHLO_SSE2
/// Zeroes sixteen octets at `p + i` for each `i`.
SMTPP_HOT_INLINE void zero16(__m128i* p) noexcept { _mm_storeu_si128(p, _mm_setzero_si128()); }
template <std::size_t... I>
SMTPP_HOT_INLINE void zero16(__m128i* p, std::index_sequence<I...>) noexcept {
    (zero16(p + I), ...);
}

/// The OR of the sixteen-octet words `p[4 i]`.
template <std::size_t... I>
SMTPP_HOT_INLINE __m128i or_every4(const __m128i* p, std::index_sequence<I...>) noexcept {
    __m128i a = _mm_setzero_si128();
    ((a = _mm_or_si128(a, _mm_loadu_si128(p + 4 * I))), ...);
    return a;
}

/// True when the `4 N` sixteen-octet words from `p` are all zero: four chains of N loads.
template <std::size_t N>
SMTPP_HOT_INLINE bool all_zero16(const __m128i* p) noexcept {
    const std::make_index_sequence<N> n{};
    const __m128i a = _mm_or_si128(_mm_or_si128(or_every4(p, n), or_every4(p + 1, n)),
                                   _mm_or_si128(or_every4(p + 2, n), or_every4(p + 3, n)));
    return _mm_movemask_epi8(_mm_cmpeq_epi8(a, _mm_setzero_si128())) == 0xFFFF;
}
#endif

/// `caps = ehlo_capabilities{}` without the temporary that compilers build, zero and copy
/// (two library calls, a third of the cost of a short reply). Resets every field: one
/// added to `ehlo_capabilities` must be added here (test_ehlo.cpp checks the size).
constexpr SMTPP_HOT_INLINE void reset(ehlo_capabilities& caps) noexcept {
#if SMTPP_EHLO_SSE2
    if (!__builtin_is_constant_evaluated()) {
        // Zero bits are the value of every field (integers, false, and empty views: a null
        // pointer and a zero length), so the object is cleared sixteen octets at a time:
        // 43 stores where field by field takes 94. One statement per store: a loop would
        // become `rep stosq` (gcc), slow to start.
        //
        // Stores go one a cycle, loads two or three: the 512 octets of `unknown`, mostly
        // zero already (its first slots hold the last reply's unknown keywords), are read
        // first, four slots at a time, and only the groups that are not zero are written.
        constexpr std::size_t words = sizeof(ehlo_capabilities) / 16;
        constexpr std::size_t u0 = offsetof(ehlo_capabilities, unknown) / 16;
        constexpr std::size_t un = sizeof(ehlo_capabilities::unknown) / 16;
        static_assert(sizeof(ehlo_capabilities) % 16 == 0 && offsetof(ehlo_capabilities, unknown) % 16 == 0 &&
                          un % 8 == 0,
                      "reset: the words no longer line up");
        auto* const p = reinterpret_cast<__m128i*>(&caps);
        zero16(p, std::make_index_sequence<u0>{});
        zero16(p + u0 + un, std::make_index_sequence<words - u0 - un>{});
        for (std::size_t g = u0; g < u0 + un; g += 8)
            if (!all_zero16<2>(p + g)) zero16(p + g, std::make_index_sequence<8>{});
        return;
    }
#endif
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

/**
 * The line ends of the fast path. The reply is classified one 64-octet block at a time,
 * when the walk reaches it, into the bits of its special octets (`classify_block`); `c`
 * keeps, of the block at `blk`, those that start a run of special octets and lie past the
 * lines read. A line's end is the next bit (a bit scan), which the caller checks to be
 * CR LF; the LF after it never has a bit of its own. Bits at or past `lim - 1` are
 * dropped, so a line end it gives leaves the line's LF within `lim`.
 */
/**
 * The bits of the block at `blk` that start a run of special octets, of those from `from`
 * (< 64) on, below `last_cr`. `blk < last_cr < bytes.size()`.
 *
 * `budget` bounds the bits the walk hands out, and with them the lines it reads (one bit
 * each): a block takes up to 64 of it, and with less left only its lowest `budget` bits
 * are kept. So the walk stops before `max_lines` is passed without a check per line (and,
 * 64 being an upper bound, perhaps a little earlier: the general path then goes on).
 */
constexpr SMTPP_HOT_INLINE std::uint64_t walk_block(std::string_view bytes, std::size_t blk, std::size_t from,
                                                    std::size_t last_cr, std::uint32_t& budget) noexcept {
    const std::uint64_t s = classify_block(bytes, blk);
    // Whether the octet before the block is special (a block's first octet starts a run
    // only after a plain one); at the first block looked at, it counts as plain: a bit too
    // many there lies at or before the line's first octet, where its code must be.
    const auto before = blk == 0 || from != 0 ? 'x' : static_cast<unsigned char>(bytes[blk - 1]);
    const std::uint64_t carry = before < 0x20 || before >= 0x7F ? 1 : 0;
    std::uint64_t c = s & ~((s << 1) | carry) & (~std::uint64_t{0} << from);
    if (last_cr - blk < 64) c &= (std::uint64_t{1} << (last_cr - blk)) - 1;
    if (budget >= 64) {
        budget -= 64;
    } else {
        std::uint64_t kept = 0;
        for (; budget != 0 && c != 0; --budget) {
            kept |= c & (~c + 1);  // the lowest bit
            c &= c - 1;
        }
        c = kept;
    }
    return c;
}

/// The code of the line from `pos` to `e` (the next bit of the walk) when it is a fast
/// line: "250-" or "250 ", at most `span + 6` octets with its CRLF, and `e` is CR LF;
/// 0 otherwise. The unsigned compare also refuses an `e` inside the code (e < pos + 4),
/// before any octet is read.
constexpr SMTPP_HOT_INLINE std::uint32_t fast_head(const char* begin, std::size_t pos, std::size_t e,
                                                   std::size_t span) noexcept {
    if (e - pos - 4 > span) return 0;
    const std::uint32_t head = load4(begin + pos);
    if ((head != head_250_more && head != head_250_last) || !is_crlf(begin + e)) return 0;
    return head;
}

/// Where the fast path is, between runs of `fast_run`.
struct fast_walk {
    std::string_view bytes;
    std::size_t last_cr = 0;  // lim - 1: a line's CR lies below it, so its LF within lim
    std::size_t pos = 0;      // the next line
    std::size_t blk = 0;      // the walk's block and its bits (see `walk_block`)
    std::uint64_t c = 0;
    std::uint64_t c_next = 0; // the next block's bits, classified a block ahead
    std::size_t e = 0;        // the CR of the line `fast_run` hands over
    std::uint32_t index = 0;  // lines read
    std::uint32_t budget = 0; // see `walk_block`
    // The SIZE and AUTH lines read, their parameters parsed after the loop (`flush_params`),
    // which then makes no call for them: after its code and the CR, or null.
    const char* size_t = nullptr;
    const char* size_e = nullptr;
    const char* auth_t = nullptr;
    const char* auth_e = nullptr;
};

/// The SIZE and AUTH lines `w` holds: the last SIZE line is the one that counts, and the
/// AUTH lines are read in order (`fast_run` reads an earlier one before it holds another).
constexpr SMTPP_HOT_INLINE void flush_params(fast_walk& w, ehlo_capabilities& caps) noexcept;

/// Why `fast_run` returned.
enum class fast_stop : std::uint8_t {
    other,  ///< the line at `pos` is not a fast line (or there is none): the general path's
    last,   ///< the last line has been read
    line,   ///< the line at `pos` (to `e`) is a fast line for the caller to read
    near,   ///< the line at `pos` (to `e`, not yet checked) is near the end of the bytes
};

/// A recognised keyword with parameters on a fast line (`t`, `len` octets, `avail` readable).
SMTPP_EHLO_NOINLINE constexpr void keyword_line(std::size_t slot, const char* t, std::size_t len, std::size_t avail,
                                                ehlo_capabilities& caps) noexcept {
    const std::size_t k = keyword_slots.size[slot];
    std::string_view params = k < len ? std::string_view(t + k + 1, len - k - 1) : std::string_view{};
    while (!params.empty() && params.back() == ' ') params.remove_suffix(1);
    const std::size_t left = params.empty() ? 0 : avail - k - 1;
    const keyword_kind kind = keyword_slots.kind[slot];
    // The two that nearly every server sends, without the general switch.
    if (kind == keyword_kind::size) {
        std::uint64_t v = 0;
        caps.size_known = parse_decimal(params, ~std::uint64_t{0}, v, left);
        caps.size = caps.size_known ? v : 0;
    } else if (kind == keyword_kind::auth) {
        parse_auth(params, left, caps);
    } else {
        keyword_params(kind, params, left, caps);
    }
}

/// The parameters after a recognised keyword that ends at `k` on a line ending at `e`:
/// everything after its SP (`k` is SP or `e`), without trailing SP.
constexpr SMTPP_HOT_INLINE std::string_view params_after(const char* k, const char* e) noexcept {
    if (k == e) return {};
    std::string_view params(k + 1, static_cast<std::size_t>(e - k - 1));
    while (!params.empty() && params.back() == ' ') params.remove_suffix(1);
    return params;
}

/// SIZE on a fast line (see `params_after`; `end` is the end of the bytes). RFC 1870 §4:
/// `"SIZE" [SP number]`; no number (or a bad one, as Postfix treats it) means the limit is
/// not announced.
SMTPP_EHLO_NOINLINE constexpr void size_line(const char* k, const char* e, const char* end,
                                             ehlo_capabilities& caps) noexcept {
    const std::string_view params = params_after(k, e);
    std::uint64_t v = 0;
    caps.size_known = parse_decimal(params, ~std::uint64_t{0}, v, params.empty() ? 0 : static_cast<std::size_t>(end - params.data()));
    caps.size = caps.size_known ? v : 0;
}

/// AUTH on a fast line (see `size_line`).
SMTPP_EHLO_NOINLINE constexpr void auth_line(const char* k, const char* e, const char* end,
                                             ehlo_capabilities& caps) noexcept {
    const std::string_view params = params_after(k, e);
    parse_auth(params, params.empty() ? 0 : static_cast<std::size_t>(end - params.data()), caps);
}

/**
 * The fast path's loop over the capability lines from `w.pos`: it reads the fast lines of
 * a recognised keyword, and stops at any other line: `line` when that is a fast line (an
 * unknown keyword, a malformed one, or one near the end of the bytes: its CR in `w.e`, the
 * walk past it), which the caller reads; `other` when it is not (the walk is left before
 * it). Out of line, so that its values stay in registers.
 */
constexpr SMTPP_HOT_INLINE fast_stop fast_run(fast_walk& w, ehlo_capabilities& caps) noexcept {
    // Octets of printable ASCII that are not ALPHA / DIGIT / "-" fold (OR 0x20) to octets
    // that are not either, so a match also proves the keyword's alphabet. It cannot run
    // past the line: its CR folds to "-", and no keyword ends with "-" or has an LF's fold.
    constexpr std::uint64_t fold = 0x2020202020202020ull;
    const keyword_table& k = keyword_slots;
    const char* const begin = w.bytes.data();
    const char* const end = begin + w.bytes.size();
    const std::size_t last_cr = w.last_cr;
    // Lines from here on do not have 8 readable octets after their code (a keyword word).
    const char* const near_end = w.bytes.size() < 12 ? begin : end - 11;
    // Pointers rather than offsets from `begin`: one register less in the loop.
    const char* p = begin + w.pos;    // the line
    const char* blk = begin + w.blk;  // the block of `c`
    std::uint64_t c = w.c;
    std::uint64_t c_next = w.c_next;
    std::uint32_t index = w.index;
    std::uint32_t budget = w.budget;
    std::uint32_t ext = 0;
    fast_stop why = fast_stop::other;
    for (;;) {
        if (c == 0) {
            // The next block, classified a block ahead (so that its latency, some twenty
            // cycles, overlaps the lines before it), and the one after it in its turn.
            const auto next = static_cast<std::size_t>(blk - begin) + 64;
            if (next >= last_cr) break;
            blk += 64;
            c = c_next;
            c_next = next + 64 < last_cr ? walk_block(w.bytes, next + 64, 0, last_cr, budget) : 0;
            continue;
        }
        // The line's end if it is a fast line; the walk's window (see `fast_lines`) keeps it
        // within `max_line`.
        const char* const e = blk + ctz64(c);
        if (p >= near_end) {
            why = fast_stop::near;
            w.e = static_cast<std::size_t>(e - begin);
            break;
        }
        // Its code: an `e` inside it (e < p + 4) is a special octet there, so no match.
        const std::uint32_t head = load4(p);
        if ((head != head_250_more && head != head_250_last) || !is_crlf(e)) break;
        c &= c - 1;
        const char* const t = p + 4;
        const std::uint64_t word = load8_word(t) | fold;
        const std::size_t i = keyword_slot(word);
        const std::size_t n = k.size[i];
        if ((word & k.mask[0][i]) != k.key[0][i] ||
            (n > 8 && (end - t < 24 || ((load8_word(t + 8) | fold) & k.mask[1][i]) != k.key[1][i] ||
                       ((load8_word(t + 16) | fold) & k.mask[2][i]) != k.key[2][i])) ||
            (t + n != e && t[n] != ' ')) {
            why = fast_stop::line;
            w.e = static_cast<std::size_t>(e - begin);
            break;
        }
        const keyword_kind kind = k.kind[i];
        if (kind != keyword_kind::plain) {
            if (kind == keyword_kind::size) {
                w.size_t = t;
                w.size_e = e;
            } else if (kind == keyword_kind::auth) {
                if (w.auth_t != nullptr) auth_line(w.auth_t + 4, w.auth_e, end, caps);
                w.auth_t = t;
                w.auth_e = e;
            } else {
                keyword_line(i, t, static_cast<std::size_t>(e - t), static_cast<std::size_t>(end - t), caps);
            }
        }
        ext |= k.bit[i];
        ++index;
        p = e + 2;
        if (head != head_250_more) {
            why = fast_stop::last;
            break;
        }
    }
    caps.extensions |= ext;
    w.pos = static_cast<std::size_t>(p - begin);
    w.blk = static_cast<std::size_t>(blk - begin);
    w.c = c;
    w.c_next = c_next;
    w.index = index;
    w.budget = budget;
    return why;
}

constexpr SMTPP_HOT_INLINE void flush_params(fast_walk& w, ehlo_capabilities& caps) noexcept {
    const char* const end = w.bytes.data() + w.bytes.size();
    if (w.size_t != nullptr) size_line(w.size_t + 4, w.size_e, end, caps);
    if (w.auth_t != nullptr) auth_line(w.auth_t + 4, w.auth_e, end, caps);
    w.size_t = w.auth_t = nullptr;
}

/**
 * The fast path: "250-" / "250 " lines of printable ASCII ending in CRLF within the limits,
 * from `pos` (line `index` of the reply). It does exactly what the general path does for
 * such a line, and stops at any other line (HT, control characters, 8-bit text, bare CR or
 * LF, a line cut short or over long, another code, a limit reached), leaving it to the
 * general path, which gives the verdict. Returns true when it read the last line.
 *
 * @param lim  the lines must end within it (the bytes and `max_reply_bytes`)
 * @param span `max_line - 6` (`max_line` >= 6): a line's octets after its first six
 * @pre `pos + 6 <= lim <= bytes.size()`, `index <= max_lines`
 */
template <bool Reset = false>
constexpr SMTPP_HOT_INLINE bool fast_lines(std::string_view bytes, std::size_t lim, std::size_t span,
                                           std::uint32_t max_lines, std::size_t& pos_io, std::uint32_t& index_io,
                                           ehlo_capabilities& caps) noexcept {
    const char* const begin = bytes.data();
    const std::size_t size = bytes.size();
    fast_walk w{};
    w.bytes = bytes;
    // The window: a line within it is no longer than `max_line` (= span + 6), so the walk
    // need not check. One that crosses its end goes to the general path, which resumes here.
    w.last_cr = (lim - pos_io > span + 6 ? pos_io + span + 6 : lim) - 1;
    w.pos = pos_io;
    w.index = index_io;
    w.budget = max_lines - index_io;
    w.blk = w.pos & ~std::size_t{63};
    w.c = walk_block(bytes, w.blk, w.pos & 63, w.last_cr, w.budget);
    w.c_next = w.blk + 64 < w.last_cr ? walk_block(bytes, w.blk + 64, 0, w.last_cr, w.budget) : 0;
    // `Reset`: the caller's reset of `caps`, after the loads above so that it overlaps them.
    if (Reset) reset(caps);
    fast_stop why = fast_stop::line;
    if (index_io == 0) {  // the first line: `Domain [SP ehlo-greet]`
        while (w.c == 0 && w.blk + 64 < w.last_cr) {
            w.blk += 64;
            w.c = w.c_next;
            w.c_next = w.blk + 64 < w.last_cr ? walk_block(bytes, w.blk + 64, 0, w.last_cr, w.budget) : 0;
        }
        if (w.c == 0) return false;
        const std::size_t e = w.blk + static_cast<std::size_t>(ctz64(w.c));
        const std::uint32_t head = fast_head(begin, w.pos, e, span);
        if (head == 0) return false;
        w.c &= w.c - 1;
        const char* const t = begin + w.pos + 4;
        const std::size_t len = e - w.pos - 4;
        const std::size_t sp = find_sp16(t, len, size - w.pos - 4);
        caps.code = 250;
        caps.domain = std::string_view(t, sp);
        caps.greet = sp == len ? std::string_view{} : std::string_view(t + sp + 1, len - sp - 1);
        w.pos = e + 2;
        w.index = 1;
        if (head == head_250_last) why = fast_stop::last;
    }
    while (why == fast_stop::line) {
        why = fast_run(w, caps);
        flush_params(w, caps);  // before any other line is read
        if (why == fast_stop::near) {
            const std::uint32_t head = fast_head(begin, w.pos, w.e, span);
            if (head == 0) break;
            w.c &= w.c - 1;
            why = fast_stop::line;
        }
        if (why != fast_stop::line) break;
        // An unknown keyword, a malformed one, or one near the end of the bytes.
        const std::size_t q = w.pos + 4;
        const std::string_view t(begin + q, w.e - q);
        const std::size_t slot = find_keyword(t.data(), t.size(), size - q);
        if (slot != no_keyword) caps.extensions |= apply_keyword(slot, t, size - q, caps);
        else parse_ehlo_line(t, size - q, caps);
        if (load4(begin + w.pos) == head_250_last) why = fast_stop::last;
        w.pos = w.e + 2;
        ++w.index;
    }
    index_io = w.index;
    caps.lines = w.index;
    pos_io = w.pos;
    return why == fast_stop::last;
}

/**
 * `parse_ehlo` from line `index` at `pos` on, where the fast path stopped (or did not
 * start): each line through the reply reader's scanner and line parser, and back to the
 * fast path after each. Out of line: the fast path keeps its registers.
 */
SMTPP_EHLO_NOINLINE constexpr ehlo_result parse_ehlo_general(std::string_view bytes, ehlo_capabilities& caps,
                                                             const reply_options& opt, std::size_t pos,
                                                             std::uint32_t index) noexcept {
    ehlo_result res{};
    const std::size_t size = bytes.size();
    // Copies: stores into `caps` could alias `opt` as far as the compiler knows.
    const std::size_t max_line = opt.max_line < 4 ? std::size_t{512} : opt.max_line;
    // The limits as bounds (0 = none = the largest value). The octets read so far, the
    // reader's reply size, are always `pos`.
    const std::uint32_t max_lines = opt.max_lines == 0 ? ~std::uint32_t{0} : opt.max_lines;
    const std::uint64_t max_reply_bytes = opt.max_reply_bytes == 0 ? ~std::uint64_t{0} : opt.max_reply_bytes;
    const std::size_t lim = max_reply_bytes < size ? static_cast<std::size_t>(max_reply_bytes) : size;
    bool fast = max_line >= 6;  // and no line yet, or a 250 reply so far
    bool resume = false;        // the fast path just stopped at `pos`: no retry there
    for (;;) {
        if (fast && resume && lim - pos >= 6 && fast_lines(bytes, lim, max_line - 6, max_lines, pos, index, caps)) {
            res.st = status::complete;
            res.consumed = pos;
            return res;
        }
        resume = true;
        const bool first = index == 0;
        const std::string_view rest = bytes.substr(pos);
        const line_scan sc = scan_line(rest, max_line, opt.allow_bare_lf, opt.allow_8bit, opt.allow_ctl || first);
        if (sc.error != reply_error::none) {
            res.st = status::failed;
            res.error = sc.error;
            return res;
        }
        if (!sc.found) return res;  // need_more
        const std::string_view content = rest.substr(0, sc.content_end);
        const parsed_reply_line p = parse_reply_line(content);
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
        caps.lines = ++index;
        if (first) {
            caps.code = p.code;
            fast = fast && p.code == 250;
        }
        if (p.code == 250) {
            // The raw text after "250-": an EHLO line is not subject to RFC 2034 codes.
            const std::string_view t = content.substr(content.size() > 4 ? 4 : content.size());
            if (first) {
                const std::size_t sp = t.find(' ');
                caps.domain = t.substr(0, sp);
                caps.greet = sp == std::string_view::npos ? std::string_view{} : t.substr(sp + 1);
            } else {
                parse_ehlo_line(t, bytes.size() - static_cast<std::size_t>(t.data() - bytes.data()), caps);
            }
        }
        if (p.last) {
            res.st = status::complete;
            res.consumed = pos;
            return res;
        }
    }
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
SMTPP_CLANG_INLINE constexpr ehlo_result parse_ehlo(std::string_view bytes, ehlo_capabilities& caps,
                                 const reply_options& opt = reply_options{}) noexcept {
    const std::size_t size = bytes.size();
    // As the reply reader: a limit under 4 octets cannot hold "250\r\n"; use the RFC's 512.
    const std::size_t max_line = opt.max_line < 4 ? std::size_t{512} : opt.max_line;
    // The limits as bounds (0 = none = the largest value).
    const std::uint32_t max_lines = opt.max_lines == 0 ? ~std::uint32_t{0} : opt.max_lines;
    const std::uint64_t max_reply_bytes = opt.max_reply_bytes == 0 ? ~std::uint64_t{0} : opt.max_reply_bytes;
    // The fast path reads lines that end within `lim`, and none under six octets
    // ("250-" CRLF) fits a shorter `max_line`.
    const std::size_t lim = max_reply_bytes < size ? static_cast<std::size_t>(max_reply_bytes) : size;
    std::size_t pos = 0;
    std::uint32_t index = 0;
    // `caps` is reset first thing either way (by the fast path after its first loads).
    if (max_line >= 6 && lim >= 6) {
        if (detail::fast_lines<true>(bytes, lim, max_line - 6, max_lines, pos, index, caps)) {
            ehlo_result res{};
            res.st = status::complete;
            res.consumed = pos;
            return res;
        }
    } else {
        detail::reset(caps);
    }
    return detail::parse_ehlo_general(bytes, caps, opt, pos, index);
}

}  // namespace smtpp

#endif
