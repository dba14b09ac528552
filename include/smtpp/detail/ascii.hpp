/**
 * @file detail/ascii.hpp
 * @brief Compile-time character classes and case folding shared by the parsers.
 * @private Not part of the public API.
 */
#ifndef SMTPP_DETAIL_ASCII_HPP
#define SMTPP_DETAIL_ASCII_HPP

#include <array>
#include <cstdint>
#include <string_view>

#include "platform.hpp"

namespace smtpp::detail {

/// `s.substr(pos, n)` without its range check, whose throw would link exception machinery
/// (or abort) into firmware. Every caller passes `pos <= s.size()`; a larger one is clamped.
constexpr std::string_view sub(std::string_view s, std::size_t pos, std::size_t n = std::string_view::npos) noexcept {
    if (pos > s.size()) pos = s.size();
    const std::size_t rest = s.size() - pos;
    return std::string_view(s.data() + pos, n < rest ? n : rest);
}

/// Bits of the character-class table. One byte can carry several.
enum char_bit : std::uint16_t {
    c_alpha = 1u << 0,   ///< ALPHA
    c_digit = 1u << 1,   ///< DIGIT
    c_atext = 1u << 2,   ///< RFC 5322 §3.2.3 atext (ASCII part)
    c_qtext = 1u << 3,   ///< RFC 5321 §4.1.2 qtextSMTP: %d32-33 / %d35-91 / %d93-126
    c_xchar = 1u << 4,   ///< RFC 3461 §4 xchar: %x21-2A / %x2C-3C / %x3E-7E
    c_esmtpv = 1u << 5,  ///< RFC 5321 §4.1.2 esmtp-value char: %d33-60 / %d62-126
    c_dcont = 1u << 6,   ///< RFC 5321 §4.1.3 dcontent: %d33-90 / %d94-126
    c_hex = 1u << 7,     ///< HEXDIG (either case)
    c_b64 = 1u << 8,     ///< RFC 4648 base64 alphabet (without '=')
    c_vchar = 1u << 9,   ///< %d33-126, printable without space
    c_text = 1u << 10,   ///< RFC 5321 textstring: HT / %d32-126
    c_ldh = 1u << 11,    ///< ALPHA / DIGIT / "-" (RFC 5321 Ldh-str, esmtp-keyword)
    c_mech = 1u << 12,   ///< RFC 4422 §3.1 mech-char, either case: ALPHA / DIGIT / "-" / "_"
};

constexpr std::array<std::uint16_t, 256> make_char_table() noexcept {
    std::array<std::uint16_t, 256> t{};
    for (int c = 0; c < 256; ++c) {
        std::uint16_t v = 0;
        const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        const bool digit = c >= '0' && c <= '9';
        if (alpha) v |= c_alpha;
        if (digit) v |= c_digit;
        if (alpha || digit) v |= c_atext;
        switch (c) {
            case '!':
            case '#':
            case '$':
            case '%':
            case '&':
            case '\'':
            case '*':
            case '+':
            case '-':
            case '/':
            case '=':
            case '?':
            case '^':
            case '_':
            case '`':
            case '{':
            case '|':
            case '}':
            case '~': v |= c_atext; break;
            default: break;
        }
        if ((c >= 32 && c <= 33) || (c >= 35 && c <= 91) || (c >= 93 && c <= 126)) v |= c_qtext;
        if ((c >= 0x21 && c <= 0x2A) || (c >= 0x2C && c <= 0x3C) || (c >= 0x3E && c <= 0x7E)) v |= c_xchar;
        if ((c >= 33 && c <= 60) || (c >= 62 && c <= 126)) v |= c_esmtpv;
        if ((c >= 33 && c <= 90) || (c >= 94 && c <= 126)) v |= c_dcont;
        if (digit || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f')) v |= c_hex;
        if (alpha || digit || c == '+' || c == '/') v |= c_b64;
        if (c >= 33 && c <= 126) v |= c_vchar;
        if (c == 9 || (c >= 32 && c <= 126)) v |= c_text;
        if (alpha || digit || c == '-') v |= c_ldh;
        if (alpha || digit || c == '-' || c == '_') v |= c_mech;
        t[static_cast<std::size_t>(c)] = v;
    }
    return t;
}

inline constexpr std::array<std::uint16_t, 256> char_table = make_char_table();

static_assert(char_table['a'] & c_atext);
static_assert(!(char_table['@'] & c_atext));
static_assert(!(char_table['"'] & c_qtext) && !(char_table['\\'] & c_qtext));
static_assert(!(char_table['+'] & c_xchar) && !(char_table['='] & c_xchar));
static_assert(!(char_table['='] & c_esmtpv) && (char_table['~'] & c_esmtpv));
static_assert(!(char_table['['] & c_dcont) && !(char_table['\\'] & c_dcont) && !(char_table[']'] & c_dcont));
static_assert(!(char_table[0x7F] & c_vchar) && !(char_table[' '] & c_vchar));
static_assert((char_table['_'] & c_mech) != 0 && (char_table['z'] & c_mech) != 0 && (char_table['.'] & c_mech) == 0);

constexpr bool is(unsigned char c, std::uint16_t bits) noexcept { return (char_table[c] & bits) != 0; }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) noexcept { return is(static_cast<unsigned char>(c), c_alpha); }
constexpr bool is_alnum(char c) noexcept { return is(static_cast<unsigned char>(c), c_alpha | c_digit); }
constexpr bool is_hex(char c) noexcept { return is(static_cast<unsigned char>(c), c_hex); }

constexpr char to_upper(char c) noexcept { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; }

constexpr int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/// ASCII case-insensitive equality; `upper` must already be upper case.
constexpr bool iequals_upper(std::string_view s, std::string_view upper) noexcept {
    if (s.size() != upper.size()) return false;
    for (std::size_t i = 0; i < s.size(); ++i)
        if (to_upper(s[i]) != upper[i]) return false;
    return true;
}

/**
 * Pack up to 8 bytes of a keyword into a uint64_t, upper-cased, for switch matching.
 * Returns 0 when the keyword is longer than 8 bytes or holds a byte that is not
 * ALPHA, DIGIT or '-' (so a stray CR can never be folded into a keyword).
 */
constexpr std::uint64_t pack_upper(std::string_view s) noexcept {
    if (s.empty() || s.size() > 8) return 0;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (!is_alnum(c) && c != '-') return 0;
        v |= static_cast<std::uint64_t>(static_cast<unsigned char>(to_upper(c))) << (8 * i);
    }
    return v;
}

/// The packed form of an upper-case literal, for `case` labels.
constexpr std::uint64_t pack(std::string_view s) noexcept {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < s.size() && i < 8; ++i)
        v |= static_cast<std::uint64_t>(static_cast<unsigned char>(s[i])) << (8 * i);
    return v;
}

/**
 * Case-folding key of a keyword of at most 8 bytes drawn from ALPHA / DIGIT / "-"
 * (verbs, ESMTP keywords and values). OR-ing 0x20 into every byte lower-cases letters
 * and leaves digits and "-" unchanged (all three already have bit 0x20 set), so
 * `key(s) == key("MAIL")` is an exact case-insensitive match **provided the caller has
 * checked the alphabet and that the length is at most 8** (longer text returns 0).
 */
constexpr std::uint64_t key(std::string_view s) noexcept {
    if (s.size() > 8) return 0;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < s.size(); ++i)
        v |= static_cast<std::uint64_t>(static_cast<unsigned char>(s[i]) | 0x20u) << (8 * i);
    return v;
}


/// The index of the first byte equal to `ch` among the eight of `w` (byte i in bits
/// 8i..8i+7, as `pack()` lays them out); 8 when there is none. The borrow trick flags
/// the lowest matching byte exactly (it can only add false flags above a true one).
constexpr std::size_t byte_index(std::uint64_t w, char ch) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101ull;
    const std::uint64_t x = w ^ (ones * static_cast<unsigned char>(ch));
    const std::uint64_t m = (x - ones) & ~x & (ones * 0x80);
    return m == 0 ? 8 : ctz64(m) / 8;
}

/// `key()` of the first `n` bytes of `w` (n <= 8), laid out as `pack()` does.
constexpr std::uint64_t key_of_word(std::uint64_t w, std::size_t n) noexcept {
    return n == 0 ? 0 : (w | 0x2020202020202020ull) & (~std::uint64_t{0} >> (64 - 8 * n));
}

/// Position of `ch` in `s` at or after `from`, or `s.size()`. A plain loop: the strings
/// searched here are short, where a call to memchr costs more than it saves.
constexpr std::size_t find_char(std::string_view s, char ch, std::size_t from = 0) noexcept {
    while (from < s.size() && s[from] != ch) ++from;
    return from;
}

/**
 * A literal of at most 8 bytes folded for case-insensitive matching: letters match in
 * either case, every other byte exactly. Build one with `ci()` as a `constexpr` value so
 * that the folding happens at compile time; `match()` is then a load and a compare.
 */
struct ci_literal {
    std::uint64_t want = 0;
    std::uint64_t mask = 0;
    std::size_t size = 0;
};

template <std::size_t N>
constexpr ci_literal ci(const char (&lit)[N]) noexcept {
    static_assert(N - 1 <= 8, "ci() takes literals of at most 8 bytes");
    ci_literal k;
    k.size = N - 1;
    for (std::size_t i = 0; i + 1 < N; ++i) {
        const auto c = static_cast<unsigned char>(lit[i]);
        const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        k.want |= static_cast<std::uint64_t>(letter ? (c | 0x20u) : c) << (8 * i);
        if (letter) k.mask |= std::uint64_t{0x20} << (8 * i);
    }
    return k;
}

/// Does `k` match the bytes at `p`? @pre `k.size` bytes are readable at `p`.
constexpr bool match(const char* p, const ci_literal& k) noexcept {
    std::uint64_t x = 0;
    for (std::size_t i = 0; i < k.size; ++i)
        x |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    return (x | k.mask) == k.want;
}

/**
 * `p[0, n)` packed like `pack()` (byte i in bits 8i..8i+7), without folding; n <= 8.
 * The bytes of `[lo, hi)` are readable and hold `p[0, n)`. At run time on little-endian
 * GCC/Clang one unaligned 8-byte load inside `[lo, hi)` replaces the byte loop (compilers
 * do not fold a loop of run-time length): from `p` when 8 bytes are readable there, else
 * ending at `p + n` (a word at the end of a line). Constant evaluation, other targets and
 * ranges under 8 bytes take the loop, which is the reference the tests compare it with.
 */
constexpr std::uint64_t pack_in(const char* p, std::size_t n, const char* lo, const char* hi) noexcept {
#if SMTPP_WORD_LOADS
    if (!in_constant_evaluation() && n > 0) {
        if (hi - p >= 8) return load_word64(p) & (~std::uint64_t{0} >> (64 - 8 * n));
        if (p + n - lo >= 8) return load_word64(p + n - 8) >> (64 - 8 * n);
    }
#else
    static_cast<void>(lo);
    static_cast<void>(hi);
#endif
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    return v;
}

/// `key(std::string_view(p, n))` where the bytes of `[lo, hi)` are readable and hold
/// `p[0, n)`; see `pack_in()`. The same contract as `key()`: exact only over
/// ALPHA / DIGIT / "-", and 0 when n > 8.
constexpr std::uint64_t key_in(const char* p, std::size_t n, const char* lo, const char* hi) noexcept {
    if (n - 1 >= 8) return 0;  // n == 0 or n > 8
    return pack_in(p, n, lo, hi) | (0x2020202020202020ull >> (64 - 8 * n));
}

/// `match(p, k)` where the bytes of `[lo, hi)` are readable and hold `p[0, k.size)`;
/// see `pack_in()`.
constexpr bool match_in(const char* p, const ci_literal& k, const char* lo, const char* hi) noexcept {
    return (pack_in(p, k.size, lo, hi) | k.mask) == k.want;
}

inline constexpr ci_literal k_from = ci("FROM:");
inline constexpr ci_literal k_to = ci("TO:");
inline constexpr ci_literal k_postmast = ci("POSTMAST");
inline constexpr ci_literal k_er_close = ci("ER>");
inline constexpr ci_literal k_sp_last = ci(" LAST");

static_assert(match("from:", k_from) && match("FrOm:", k_from) && !match("FROM\x1a", k_from));
static_assert(!match("fro[:", k_from) && match("To:", k_to));

static_assert(pack_upper("mail") == pack("MAIL"));
static_assert(byte_index(pack("SUCCESS,"), ',') == 7 && byte_index(pack("A,B,"), ',') == 1 &&
              byte_index(pack("NEVER"), ',') == 8 && byte_index(pack(",\x01,"), ',') == 0 &&
              byte_index(pack("\x01,"), ',') == 1);
static_assert(key_of_word(pack("DeLaY,x"), 5) == key("DELAY") && key_of_word(pack("abc"), 0) == 0 &&
              key_of_word(pack("Success,"), 8) == key("SUCCESS,"));
static_assert(key("MaIl") == key("MAIL") && key("8bitMIME") == key("8BITMIME") && key("MT-x") == key("mt-X"));
static_assert(key("MAIL") != key("MAIM"));
static_assert(pack_upper("MAIL\r") == 0);
static_assert([] {
    const char line[] = "MaIl FrOm:<>\r\n";
    const char* const hi = line + sizeof line - 1;
    return key_in(line, 4, line, hi) == key("MAIL") && key_in(line + 5, 5, line, hi) == key("FROM:") &&
           key_in(line, 9, line, hi) == 0 && match_in(line + 5, k_from, line, hi) && !match_in(line, k_from, line, hi);
}());

}  // namespace smtpp::detail

#endif
