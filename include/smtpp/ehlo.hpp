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
#include "extensions.hpp"
#include "reply.hpp"

namespace smtpp {

// `ehlo_ext` (the bits of `ehlo_capabilities::extensions`): extensions.hpp, one per row of
// `SMTPP_SERVICE_EXTENSIONS` and `SMTPP_EHLO_ONLY_KEYWORDS`.

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
    if (avail < 8) return key(detail::sub(kw, 0, 8));
    const std::size_t n = kw.size() < 8 ? kw.size() : 8;
    const std::uint64_t m = n == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * n)) - 1;
    return (load8_word(kw.data()) | 0x2020202020202020ull) & m;
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

/// RFC 4954 §3: `"AUTH" 1*(SP sasl-mech)`; mechanisms are case-insensitive. `avail`
/// (>= params.size()) octets are readable from `params.data()`.
constexpr SMTPP_HOT_INLINE void parse_auth(std::string_view params, std::size_t avail, ehlo_capabilities& caps) noexcept {
    caps.auth_params = params;
    const char* const p = params.data();
    const std::size_t n = params.size();
    std::uint32_t bits = 0;
    std::uint32_t unknown = 0;
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
        const std::string_view name = detail::sub(w, 0, eq);
        std::uint64_t v = 0;
        if (!parse_decimal(detail::sub(w, eq + 1), 0xFFFFFFFFu, v)) continue;
        const auto v32 = static_cast<std::uint32_t>(v);
        if (iequals_upper(name, "RCPTMAX")) caps.limit_rcptmax = v32;
        else if (iequals_upper(name, "MAILMAX")) caps.limit_mailmax = v32;
        else if (iequals_upper(name, "RCPTDOMAINMAX")) caps.limit_rcptdomainmax = v32;
    }
}

// What a recognised keyword carries besides its bit: `keyword_kind`, extensions.hpp.

/// Slots of `keyword_slots`: twice the keywords or more, so that a perfect hash is found
/// among a few multipliers (with 22 keywords in 32 slots it takes about fifteen thousand).
inline constexpr std::size_t keyword_slot_bits = 6;
inline constexpr std::size_t keyword_slot_count = std::size_t{1} << keyword_slot_bits;
static_assert(service_count * 2 <= keyword_slot_count, "keyword_slots: raise keyword_slot_bits");

/// The hash of a keyword from its first three octets, folded (`head` is its first eight,
/// OR 0x20): the multiplier's low octet is 0, so the fourth octet of `head` drops out of
/// the product. Every recognised keyword has at least three octets.
constexpr std::size_t keyword_hash(std::uint64_t head, std::uint32_t multiplier) noexcept {
    return static_cast<std::size_t>((static_cast<std::uint32_t>(head) * multiplier) >> (32 - keyword_slot_bits));
}

/// Does `multiplier` send every recognised keyword to a slot of its own?
constexpr bool keyword_hash_perfect(std::uint32_t multiplier) noexcept {
    std::uint64_t used = 0;
    for (const service_row& r : service_rows) {
        if (r.kind == keyword_kind::listed) continue;
        const std::uint64_t bit = std::uint64_t{1} << keyword_hash(key(detail::sub(r.keyword, 0, 8)), multiplier);
        if ((used & bit) != 0) return false;
        used |= bit;
    }
    return true;
}

/// The first multiplier of a fixed pseudo-random sequence (low octet cleared) that is a
/// perfect hash of the keywords, searched at compile time so that a new row of the
/// registry needs no hand edit; 0 when none of the first `tries` is.
constexpr std::uint32_t find_keyword_multiplier(std::uint32_t tries) noexcept {
    std::uint32_t x = 0x37b40100u;
    for (std::uint32_t i = 0; i < tries; ++i) {
        const std::uint32_t m = x & 0xFFFFFF00u;
        if (m != 0 && keyword_hash_perfect(m)) return m;
        x = x * 1664525u + 1013904223u;  // Numerical Recipes' LCG
    }
    return 0;
}
inline constexpr std::uint32_t keyword_multiplier = find_keyword_multiplier(2000);
static_assert(keyword_multiplier != 0,
              "keyword_slots: no perfect hash of the EHLO keywords among 2000 multipliers: raise "
              "keyword_slot_bits (or the number of tries)");

/// Slot of a keyword in `keyword_slots` (see `keyword_hash`).
constexpr std::size_t keyword_slot(std::uint64_t head) noexcept { return keyword_hash(head, keyword_multiplier); }

/// No recognised keyword (a slot number past the table).
inline constexpr std::size_t no_keyword = keyword_slot_count;

/**
 * The recognised keywords by slot, field by field, so that each is one indexed load: the
 * `key()` eight octets at a time with the masks that select its octets, its length, bit
 * and parameters. An empty slot matches no word: a head of 0 under the full mask is only
 * that of the empty word (a folded octet is never 0), whose length 0 is not 255.
 */
struct keyword_table {
    std::uint64_t key[3][keyword_slot_count] = {};
    std::uint64_t mask[3][keyword_slot_count] = {};
    std::uint32_t bit[keyword_slot_count] = {};
    std::uint8_t size[keyword_slot_count] = {};
    keyword_kind kind[keyword_slot_count] = {};
    bool bad_keyword = false;  ///< shorter than 3 octets, longer than 24 or ending with "-"
};

/// The table of the keywords of extensions.hpp (`service_rows`), but those of kind `listed`.
constexpr keyword_table make_keyword_slots() noexcept {
    keyword_table t{};
    for (std::size_t i = 0; i < keyword_slot_count; ++i) {
        t.mask[0][i] = ~std::uint64_t{0};
        t.size[i] = 255;
    }
    for (const service_row& d : service_rows) {
        if (d.kind == keyword_kind::listed) continue;  // left in `unknown` with its parameters
        const std::size_t slot = keyword_slot(key(detail::sub(d.keyword, 0, 8)));
        if (d.keyword.size() < 3 || d.keyword.size() > 24 || d.keyword.back() == '-') t.bad_keyword = true;
        for (std::size_t i = 0; i < 3 && 8 * i < d.keyword.size(); ++i) {
            const std::string_view part = detail::sub(d.keyword, 8 * i, 8);
            t.key[i][slot] = key(part);
            t.mask[i][slot] = part.size() == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * part.size())) - 1;
        }
        t.bit[slot] = d.ehlo;
        t.size[slot] = static_cast<std::uint8_t>(d.keyword.size());
        t.kind[slot] = d.kind;
    }
    return t;
}
inline constexpr keyword_table keyword_slots = make_keyword_slots();
static_assert(!keyword_slots.bad_keyword,
              "keyword_slots: an EHLO keyword is shorter than 3 octets, longer than 24 or ends with '-'");

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
        case keyword_kind::listed: break;  // never in the table
    }
}

/**
 * The slot of the recognised keyword that the capability text `t` (`len` octets, `avail`
 * >= len of them readable) starts with, followed by SP or the end of the text;
 * `no_keyword` when there is none. Keywords compare case-insensitively (RFC 5321 §2.4).
 * @pre `t` holds no control octet (`parse_ehlo`'s lines), or its first octets are
 * ALPHA / DIGIT / "-" and `len` is their number (`known_keyword`).
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
    const std::string_view kw = detail::sub(t, 0, k);
    std::string_view params = k < t.size() ? detail::sub(t, k + 1) : std::string_view{};
    while (!params.empty() && params.back() == ' ') params.remove_suffix(1);
    if (caps.unknown_count < ehlo_capabilities::max_unknown) {
        caps.unknown[caps.unknown_count++] = ehlo_keyword{kw, params};
    } else if (caps.unknown_overflow != 0xFFFF) {
        ++caps.unknown_overflow;
    }
}

/// `caps = ehlo_capabilities{}`. At run time the same value is written as zero octets
/// (integers, false, and empty views: a null pointer and a zero length; tested against
/// `ehlo_capabilities{}`) in ascending stores (see `detail::zero_object`), where compilers
/// build, zero and copy a temporary. No field list: a field added later is reset too.
constexpr void reset(ehlo_capabilities& caps) noexcept {
    if (in_constant_evaluation()) {
        caps = ehlo_capabilities{};
    } else {
        zero_object(caps);
    }
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
    // As the reply reader: a limit under 4 octets cannot hold "250\r\n"; use the RFC's 512.
    const std::size_t max_line = opt.max_line < 4 ? std::size_t{512} : opt.max_line;
    // The limits as bounds (0 = none = the largest value). The octets read so far, the
    // reader's reply size, are always `pos`.
    const std::uint32_t max_lines = opt.max_lines == 0 ? ~std::uint32_t{0} : opt.max_lines;
    const std::uint64_t max_reply_bytes = opt.max_reply_bytes == 0 ? ~std::uint64_t{0} : opt.max_reply_bytes;
    std::size_t pos = 0;
    std::uint32_t index = 0;
    for (;;) {
        const bool first = index == 0;
        const std::string_view rest(bytes.data() + pos, bytes.size() - pos);
        const detail::line_scan sc =
            detail::scan_line(rest, max_line, opt.allow_bare_lf, opt.allow_8bit, opt.allow_ctl || first);
        if (sc.error != reply_error::none) {
            res.st = status::failed;
            res.error = sc.error;
            return res;
        }
        if (!sc.found) return res;  // need_more
        const std::string_view content(rest.data(), sc.content_end);
        // "250-" and "250 " (nearly every line) without the general line parser, whose
        // enhanced-code parsing an EHLO line does not use.
        detail::parsed_reply_line p{};
        if (content.size() >= 4 && content[0] == '2' && content[1] == '5' && content[2] == '0' &&
            (content[3] == '-' || content[3] == ' ')) {
            p.code = 250;
            p.last = content[3] == ' ';
        } else {
            p = detail::parse_reply_line(content);
        }
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
        if (first) caps.code = p.code;
        if (p.code == 250) {
            // The raw text after "250-": an EHLO line is not subject to RFC 2034 codes.
            const std::size_t skip = content.size() > 4 ? 4 : content.size();
            const std::string_view t(content.data() + skip, content.size() - skip);
            if (first) {
                const std::size_t sp = detail::find_char(t, ' ');
                caps.domain = std::string_view(t.data(), sp);
                caps.greet = sp == t.size() ? std::string_view{} : std::string_view(t.data() + sp + 1, t.size() - sp - 1);
            } else {
                const std::size_t avail = bytes.size() - static_cast<std::size_t>(t.data() - bytes.data());
                // Without control octets, a recognised keyword is found straight from the
                // table (OR 0x20 maps no other printable or 8-bit octet onto its alphabet);
                // anything else goes through the line parser.
                const std::size_t slot = sc.saw_ctl ? detail::no_keyword : detail::find_keyword(t.data(), t.size(), avail);
                if (slot != detail::no_keyword) {
                    caps.extensions |= detail::apply_keyword(slot, t, avail, caps);
                } else {
                    detail::parse_ehlo_line(t, avail, caps);
                }
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
