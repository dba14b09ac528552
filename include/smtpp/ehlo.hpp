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

/// ASCII letters of a packed word to upper case, eight at a time (other octets unchanged).
constexpr std::uint64_t upper8(std::uint64_t x) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101ull;
    constexpr std::uint64_t highs = 0x8080808080808080ull;
    const std::uint64_t h = x & ~highs;
    const std::uint64_t ge_a = h + ones * (0x80 - 'a');
    const std::uint64_t gt_z = h + ones * (0x80 - 'z' - 1);
    const std::uint64_t lower = (ge_a ^ gt_z) & ~x & highs;
    return x ^ (lower >> 2);
}

/// Upper-cased first min(8, n) octets of `s`, packed like `pack()`. `avail` octets from
/// `s.data()` are readable (>= s.size()), so one load serves when there are 8 of them.
constexpr std::uint64_t head8_upper(std::string_view s, std::size_t avail) noexcept {
    const std::size_t n = s.size() < 8 ? s.size() : 8;
    std::uint64_t v = 0;
    if (avail >= 8) {
        v = load8_fast(s.data());
        if (n < 8) v &= (std::uint64_t{1} << (8 * n)) - 1;
    } else {
        for (std::size_t i = 0; i < n; ++i)
            v |= static_cast<std::uint64_t>(static_cast<unsigned char>(s[i])) << (8 * i);
    }
    return upper8(v);
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
/// @pre every octet of `kw` is ALPHA / DIGIT / "-" (so OR-ing 0x20 folds case exactly);
///      `avail` (>= kw.size()) octets are readable from `kw.data()`.
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

static_assert(upper8(pack("pipe-l8z")) == pack("PIPE-L8Z"));
static_assert(upper8(pack("@[`{")) == pack("@[`{"));

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

/// The `sasl_mech` bit of a mechanism name (case-insensitive), 0 when unknown. `avail`
/// (>= w.size()) octets are readable from `w.data()`.
constexpr std::uint32_t sasl_bit(std::string_view w, std::size_t avail) noexcept {
    const std::size_t n = w.size();
    const std::string_view t = n > 8 ? w.substr(8) : std::string_view{};
    auto bit = [](sasl_mech m) { return static_cast<std::uint32_t>(m); };
    switch (head8_upper(w, avail)) {
        case pack("PLAIN"): return n == 5 ? bit(sasl_mech::plain) : 0;
        case pack("LOGIN"): return n == 5 ? bit(sasl_mech::login) : 0;
        case pack("CRAM-MD5"): return n == 8 ? bit(sasl_mech::cram_md5) : 0;
        case pack("DIGEST-M"): return iequals_upper(t, "D5") ? bit(sasl_mech::digest_md5) : 0;
        case pack("XOAUTH2"): return n == 7 ? bit(sasl_mech::xoauth2) : 0;
        case pack("OAUTHBEA"): return iequals_upper(t, "RER") ? bit(sasl_mech::oauthbearer) : 0;
        case pack("SCRAM-SH"):
            if (iequals_upper(t, "A-256-PLUS")) return bit(sasl_mech::scram_sha_256_plus);
            if (iequals_upper(t, "A-256")) return bit(sasl_mech::scram_sha_256);
            if (iequals_upper(t, "A-1-PLUS")) return bit(sasl_mech::scram_sha_1_plus);
            if (iequals_upper(t, "A-1")) return bit(sasl_mech::scram_sha_1);
            return 0;
        case pack("GSSAPI"): return n == 6 ? bit(sasl_mech::gssapi) : 0;
        case pack("NTLM"): return n == 4 ? bit(sasl_mech::ntlm) : 0;
        case pack("EXTERNAL"): return n == 8 ? bit(sasl_mech::external) : 0;
        case pack("ANONYMOU"): return iequals_upper(t, "S") ? bit(sasl_mech::anonymous) : 0;
        default: return 0;
    }
}

/// RFC 4954 §3: `"AUTH" 1*(SP sasl-mech)`; mechanisms are case-insensitive. `avail`
/// (>= params.size()) octets are readable from `params.data()`.
constexpr void parse_auth(std::string_view params, std::size_t avail, ehlo_capabilities& caps) noexcept {
    caps.auth_params = params;
    std::size_t pos = 0;
    for (;;) {
        const std::string_view w = next_word(params, pos);
        if (w.empty()) return;
        const std::uint32_t b = sasl_bit(w, avail - static_cast<std::size_t>(w.data() - params.data()));
        if (b != 0) caps.auth_mechanisms |= b;
        else ++caps.auth_unknown;
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

/**
 * One capability line. RFC 5321 §4.1.1.1:
 * ```
 * ehlo-line    = ehlo-keyword *( SP ehlo-param )
 * ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
 * ehlo-param   = 1*(%d33-126)
 * ```
 * DEVIATION: "=" may also end the keyword (`AUTH=LOGIN PLAIN`, an old draft form still sent
 * by Microsoft servers; Postfix accepts it for every keyword, and so do we).
 */
constexpr SMTPP_HOT_INLINE void parse_ehlo_line(std::string_view t, std::size_t k, std::size_t avail,
                                                 ehlo_capabilities& caps) noexcept {
    // `k` is the length of the run of ALPHA / DIGIT / "-" at the start of `t`.
    if (k == 0 || t[0] == '-' || (k < t.size() && t[k] != ' ' && t[k] != '=')) {
        ++caps.malformed_lines;
        return;
    }
    const std::string_view kw = t.substr(0, k);
    std::string_view params = k < t.size() ? t.substr(k + 1) : std::string_view{};
    while (!params.empty() && params.back() == ' ') params.remove_suffix(1);
    const std::size_t n = kw.size();
    // The octets after the first eight, folded like `key()`; only called once `n` is known.
    auto tail = [&](std::size_t from) { return head8_key(kw.substr(from), avail - from); };
    std::uint32_t bit = 0;
    switch (head8_key(kw, avail)) {
        case key("PIPELINI"): if (n == 10 && tail(8) == key("NG")) bit = static_cast<std::uint32_t>(ehlo_ext::pipelining); break;
        case key("SIZE"):
            if (n == 4) {
                bit = static_cast<std::uint32_t>(ehlo_ext::size);
                // RFC 1870 §4: `"SIZE" [SP number]`; no number (or a bad one, as Postfix
                // treats it) means the limit is not announced.
                std::uint64_t v = 0;
                caps.size_known = parse_decimal(params, ~std::uint64_t{0}, v);
                caps.size = caps.size_known ? v : 0;
            }
            break;
        case key("8BITMIME"): if (n == 8) bit = static_cast<std::uint32_t>(ehlo_ext::eightbitmime); break;
        case key("SMTPUTF8"): if (n == 8) bit = static_cast<std::uint32_t>(ehlo_ext::smtputf8); break;
        case key("DSN"): if (n == 3) bit = static_cast<std::uint32_t>(ehlo_ext::dsn); break;
        case key("CHUNKING"): if (n == 8) bit = static_cast<std::uint32_t>(ehlo_ext::chunking); break;
        case key("BINARYMI"): if (n == 10 && tail(8) == key("ME")) bit = static_cast<std::uint32_t>(ehlo_ext::binarymime); break;
        case key("STARTTLS"): if (n == 8) bit = static_cast<std::uint32_t>(ehlo_ext::starttls); break;
        case key("ENHANCED"):
            if (n == 19 && tail(8) == key("STATUSCO") && tail(16) == key("DES")) bit = static_cast<std::uint32_t>(ehlo_ext::enhancedstatuscodes);
            break;
        case key("AUTH"):
            if (n == 4) {
                bit = static_cast<std::uint32_t>(ehlo_ext::auth);
                parse_auth(params, params.empty() ? 0 : avail - static_cast<std::size_t>(params.data() - kw.data()), caps);
            }
            break;
        case key("REQUIRET"): if (n == 10 && tail(8) == key("LS")) bit = static_cast<std::uint32_t>(ehlo_ext::requiretls); break;
        case key("DELIVERB"):
            if (n == 9 && tail(8) == key("Y")) {
                // RFC 2852 §4: `"DELIVERBY" [SP Min-by-time]`
                bit = static_cast<std::uint32_t>(ehlo_ext::deliverby);
                std::uint64_t v = 0;
                caps.deliverby_known = parse_decimal(params, ~std::uint64_t{0}, v);
                caps.deliverby_min = caps.deliverby_known ? v : 0;
            }
            break;
        case key("FUTURERE"):
            if (n == 13 && tail(8) == key("LEASE")) {
                // RFC 4865 §3: `"FUTURERELEASE" SP max-future-release-interval SP
                //               max-future-release-date-time`
                bit = static_cast<std::uint32_t>(ehlo_ext::futurerelease);
                std::size_t pos = 0;
                std::uint64_t v = 0;
                if (parse_decimal(next_word(params, pos), ~std::uint64_t{0}, v)) caps.futurerelease_interval = v;
                caps.futurerelease_datetime = next_word(params, pos);
            }
            break;
        case key("MT-PRIOR"):
            if (n == 11 && tail(8) == key("ITY")) {
                bit = static_cast<std::uint32_t>(ehlo_ext::mt_priority);
                caps.mt_priority_policy = params;
            }
            break;
        case key("RRVS"): if (n == 4) bit = static_cast<std::uint32_t>(ehlo_ext::rrvs); break;
        case key("LIMITS"):
            if (n == 6) {
                bit = static_cast<std::uint32_t>(ehlo_ext::limits);
                parse_limits(params, caps);
            }
            break;
        case key("VRFY"): if (n == 4) bit = static_cast<std::uint32_t>(ehlo_ext::vrfy); break;
        case key("ETRN"): if (n == 4) bit = static_cast<std::uint32_t>(ehlo_ext::etrn); break;
        case key("HELP"): if (n == 4) bit = static_cast<std::uint32_t>(ehlo_ext::help); break;
        case key("EXPN"): if (n == 4) bit = static_cast<std::uint32_t>(ehlo_ext::expn); break;
        default: break;
    }
    if (bit != 0) {
        caps.extensions |= bit;
        return;
    }
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
    std::uint64_t total = 0;
    const char* const begin = bytes.data();
    const char* const end = begin + bytes.size();
    // Copies: stores into `caps` could alias `opt` as far as the compiler knows.
    // As the reply reader: a limit under 4 octets cannot hold "250\r\n"; use the RFC's 512.
    const std::size_t max_line = opt.max_line < 4 ? std::size_t{512} : opt.max_line;
    const std::uint32_t max_lines = opt.max_lines;
    const std::uint64_t max_reply_bytes = opt.max_reply_bytes;
    for (std::uint32_t index = 0;; ++index) {
        const bool first = index == 0;
        // Fast path: a "250-" / "250 " line of printable ASCII ending in CRLF within the
        // limits. It does exactly what the general path below does for such a line; any
        // other line (HT, control characters, 8-bit text, bare LF, a line cut short, over
        // long, another code) goes the general way, which gives the verdict.
        const std::size_t left = bytes.size() - pos;
        if (left >= 6 && max_line > 6 && (first || caps.code == 250)) {
            const std::uint32_t head = detail::load4(begin + pos);
            if (head == detail::head_250_more || head == detail::head_250_last) {
                const char* const t = begin + pos + 4;
                const std::size_t window = left - 4 < max_line - 4 ? left - 4 : max_line - 4;
                const detail::text_scan ts = detail::scan_text(begin, t, window, end);
                const std::size_t n = ts.line;
                // scan_line: CR at offset 4 + n is a line end when 4 + n + 1 < max_line.
                if (n < window && t[n] == '\r' && n + 5 < max_line && n + 1 < left - 4 && t[n + 1] == '\n') {
                    total += n + 6;
                    if ((max_lines != 0 && index + 1 > max_lines) || (max_reply_bytes != 0 && total > max_reply_bytes)) {
                        res.st = status::failed;
                        res.error = reply_error::reply_too_long;
                        return res;
                    }
                    pos += n + 6;
                    caps.lines = index + 1;
                    const std::string_view text(t, n);
                    if (first) {
                        caps.code = 250;
                        std::size_t sp = 0;
                        while (sp < n && t[sp] != ' ') ++sp;
                        caps.domain = text.substr(0, sp);
                        caps.greet = sp == n ? std::string_view{} : text.substr(sp + 1);
                    } else {
                        detail::parse_ehlo_line(text, ts.kw, static_cast<std::size_t>(end - t), caps);
                    }
                    if (head == detail::head_250_last) {
                        res.st = status::complete;
                        res.consumed = pos;
                        return res;
                    }
                    continue;
                }
            }
        }
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
        total += sc.next;
        if (err == reply_error::none && ((opt.max_lines != 0 && index + 1 > opt.max_lines) ||
                                         (opt.max_reply_bytes != 0 && total > opt.max_reply_bytes)))
            err = reply_error::reply_too_long;
        if (err != reply_error::none) {
            res.st = status::failed;
            res.error = err;
            return res;
        }
        pos += sc.next;
        caps.lines = index + 1;
        if (first) caps.code = p.code;
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
