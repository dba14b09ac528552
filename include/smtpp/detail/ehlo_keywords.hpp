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
        const std::size_t slot = keyword_slot(key(detail::sub(d.name, 0, 8)));
        if (t.size[slot] != 255 || d.name.size() < 3 || d.name.back() == '-') t.collision = true;
        for (std::size_t i = 0; i < 3 && 8 * i < d.name.size(); ++i) {
            const std::string_view part = detail::sub(d.name, 8 * i, 8);
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
