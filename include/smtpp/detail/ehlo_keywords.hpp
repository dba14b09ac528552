/**
 * @file detail/ehlo_keywords.hpp
 * @brief The EHLO keywords the parser recognises: their table by perfect-hash slot (`keyword_slots`)
 *        and the lookup of a capability line's keyword in it (RFC 5321 §4.1.1.1, §2.4).
 * @private Included by ehlo.hpp only, after the public types.
 */
#ifndef SMTPP_DETAIL_EHLO_KEYWORDS_HPP
#define SMTPP_DETAIL_EHLO_KEYWORDS_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace smtpp {
namespace detail {

/// `ehlo-keyword` characters after the first: ALPHA / DIGIT / "-".
constexpr std::array<bool, 256> make_keyword_table() noexcept {
    std::array<bool, 256> t{};
    for (int c = 0; c < 256; ++c)
        t[static_cast<std::size_t>(c)] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                                         c == '-';
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

}  // namespace detail
}  // namespace smtpp

#endif
