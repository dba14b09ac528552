/**
 * @file command_values.hpp
 * @brief Value grammars shared by the parameters and verbs: decimals, xtext (RFC 3461 §4), HEXPOINT (RFC 6533 §3), date-time (RFC 3339 §5.6), base64 (RFC 4648 §4), SASL mechanism names.
 *
 * Machinery of command.hpp, which includes it after declaring the types it uses; not a
 * header of its own.
 * @private Included by command.hpp only.
 */
#ifndef SMTPP_DETAIL_COMMAND_VALUES_HPP
#define SMTPP_DETAIL_COMMAND_VALUES_HPP

#ifndef SMTPP_COMMAND_HPP
#error "include <smtpp/command.hpp>, not this file"
#endif

namespace smtpp {
namespace detail {

/// Parses an unsigned decimal of at most `max_digits` digits. `overflow` is set when the
/// value does not fit in 64 bits. Returns false on a syntax error.
constexpr bool parse_decimal(std::string_view s, std::size_t max_digits, std::uint64_t& value,
                             bool& overflow) noexcept {
    if (s.empty() || s.size() > max_digits) return false;
    // 19 digits always fit (10^19 - 1 < 2^64): the overflow test is for longer numbers.
    const bool may_overflow = s.size() > 19;
    std::uint64_t v = 0;
    for (char ch : s) {
        if (!is_digit(ch)) return false;
        const auto d = static_cast<std::uint64_t>(ch - '0');
        if (may_overflow && v > (UINT64_MAX - d) / 10) overflow = true;
        v = v * 10 + d;
    }
    value = v;
    return true;
}

/// RFC 3461 §4: `xtext = *( xchar / hexchar )`, `xchar = %x21-2A / %x2C-3C / %x3E-7E`,
/// `hexchar = "+" HEXDIG HEXDIG`. Returns the decoded length, or SIZE_MAX on a syntax
/// error; `control` is set when a decoded byte is outside %x20-7E (CVE-2020-28021).
/// RFC 3461 §4 requires "two upper case hexadecimal digits"; `lower_ok` accepts lower
/// case too (`parse_options::allow_lowercase_xtext_hex`, as Postfix does).
constexpr int xtext_hex(char c, bool lower_ok) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (lower_ok && c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

constexpr std::size_t xtext_check(std::string_view s, bool& control, bool lower_ok) noexcept {
    // @pre the byte after `s` in memory is not an xchar (values end at SP, a blank or the
    // line terminator), so runs of xchar need no bounds test per byte.
    const char* const d = s.data();
    const std::size_t size = s.size();
    if (size == 0) return 0;  // an empty view may not point into a line at all
    std::size_t n = 0;
    std::size_t i = 0;
    for (;;) {
        std::size_t j = i;
        while (is(static_cast<unsigned char>(d[j]), c_xchar)) ++j;
        if (j >= size) return n + (size - i);
        n += j - i;
        if (d[j] != '+' || j + 2 >= size) return SIZE_MAX;
        const int hi = xtext_hex(d[j + 1], lower_ok);
        const int lo = xtext_hex(d[j + 2], lower_ok);
        if (hi < 0 || lo < 0) return SIZE_MAX;
        const int v = hi * 16 + lo;
        if (v < 0x20 || v > 0x7E) control = true;
        ++n;
        i = j + 3;
        if (i == size) return n;
    }
}

/// RFC 6533 §3 HEXPOINT, the hex of an EmbeddedUnicodeChar: the two-digit forms 01-09,
/// 10-19, 20, 2B, 3D, 5C, 7F and 80-FF; longer forms without a leading zero (3 to 5
/// digits, surrogates D800-DFFF excluded) or "10" and 4 digits. Returns the code point, or
/// -1 when `h` is not a HEXPOINT. HEXDIG is case-insensitive (RFC 5234 §2.3).
constexpr std::int32_t hexpoint(std::string_view h) noexcept {
    if (h.size() < 2 || h.size() > 6) return -1;
    std::int32_t v = 0;
    for (char c : h) {
        const int d = hex_value(c);
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    switch (h.size()) {
        case 2:
            return (v >= 0x01 && v <= 0x19 && v != 0x0A && v != 0x0B && v != 0x0C && v != 0x0D && v != 0x0E &&
                    v != 0x0F) ||
                           v == 0x20 || v == 0x2B || v == 0x3D || v == 0x5C || v == 0x7F || v >= 0x80
                       ? v
                       : -1;
        case 3:
        case 5: return h[0] != '0' ? v : -1;
        case 4: return h[0] != '0' && !(v >= 0xD800 && v <= 0xDFFF) ? v : -1;
        default:  // 6: "10" 4HEXDIG
            return h[0] == '1' && h[1] == '0' ? v : -1;
    }
}

/// Writes the UTF-8 form (RFC 3629 §3) of `cp` (a `hexpoint()` result) at `out + m`;
/// returns the new length.
constexpr std::size_t put_utf8(char* out, std::size_t m, std::uint32_t cp) noexcept {
    if (cp < 0x80) {
        out[m++] = static_cast<char>(cp);
    } else if (cp < 0x800) {
        out[m++] = static_cast<char>(0xC0 | (cp >> 6));
        out[m++] = static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out[m++] = static_cast<char>(0xE0 | (cp >> 12));
        out[m++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out[m++] = static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out[m++] = static_cast<char>(0xF0 | (cp >> 18));
        out[m++] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out[m++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out[m++] = static_cast<char>(0x80 | (cp & 0x3F));
    }
    return m;
}

inline constexpr int days_in_month[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

/// RFC 3339 §5.6 date-time: `full-date "T" full-time`, e.g. 2014-04-03T23:01:00Z or
/// 2014-04-03T23:01:00.5-08:00. "T" and "Z" may be lower case (RFC 3339 §5.6 NOTE).
constexpr bool parse_date_time(std::string_view s) noexcept {
    auto num = [&](std::size_t at, std::size_t len, int lo, int hi) {
        if (at + len > s.size()) return false;
        int v = 0;
        for (std::size_t i = at; i < at + len; ++i) {
            if (!is_digit(s[i])) return false;
            v = v * 10 + (s[i] - '0');
        }
        return v >= lo && v <= hi;
    };
    if (s.size() < 20) return false;
    if (!num(0, 4, 0, 9999) || s[4] != '-' || !num(5, 2, 1, 12) || s[7] != '-' || !num(8, 2, 1, 31)) return false;
    // RFC 3339 §5.7: the day must exist in that month of that year.
    const int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    const int month = (s[5] - '0') * 10 + (s[6] - '0');
    const int day = (s[8] - '0') * 10 + (s[9] - '0');
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const auto& days = days_in_month;
    if (day > days[month - 1] + (month == 2 && leap ? 1 : 0)) return false;
    if (s[10] != 'T' && s[10] != 't') return false;
    if (!num(11, 2, 0, 23) || s[13] != ':' || !num(14, 2, 0, 59) || s[16] != ':' || !num(17, 2, 0, 60)) return false;
    std::size_t i = 19;
    if (s[i] == '.') {
        ++i;
        const std::size_t frac = i;
        while (i < s.size() && is_digit(s[i])) ++i;
        if (i == frac) return false;
    }
    if (i >= s.size()) return false;
    if (s[i] == 'Z' || s[i] == 'z') return i + 1 == s.size();
    if (s[i] != '+' && s[i] != '-') return false;
    return i + 6 == s.size() && num(i + 1, 2, 0, 23) && s[i + 3] == ':' && num(i + 4, 2, 0, 59);
}

/// RFC 4648 §4 base64 as RFC 4954 §4 restricts it: only the alphabet, "=" only as the
/// final padding, and a length that is a multiple of 4.
constexpr bool is_base64(std::string_view s) noexcept {
    if (s.empty() || s.size() % 4 != 0) return false;
    std::size_t pad = 0;
    while (pad < 2 && pad < s.size() && s[s.size() - 1 - pad] == '=') ++pad;
    for (std::size_t i = 0; i < s.size() - pad; ++i)
        if (!is(static_cast<unsigned char>(s[i]), c_b64)) return false;
    return true;
}

/// `is_base64(s)` for a view into a line whose next byte is no base64 character (a blank
/// or the terminator, see `cursor`): the run of base64 characters needs no bounds test.
constexpr bool base64_in_line(std::string_view s) noexcept {
    if (s.empty() || s.size() % 4 != 0) return false;
    std::size_t b = run_end(s.data(), 0, c_b64);
    if (b > s.size()) b = s.size();
    if (s.size() - b > 2) return false;  // at most two "=" of padding, at the end
    for (; b < s.size(); ++b)
        if (s[b] != '=') return false;
    return true;
}

/// The AUTH mechanisms whose names are longer than eight bytes, which key() cannot tell apart.
struct mechanism_entry {
    std::string_view name;
    sasl_mechanism id;
};
inline constexpr mechanism_entry long_mechanisms[] = {
    {"OAUTHBEARER", sasl_mechanism::oauthbearer},
    {"SCRAM-SHA-1", sasl_mechanism::scram_sha_1},
    {"SCRAM-SHA-256", sasl_mechanism::scram_sha_256},
    {"SCRAM-SHA-1-PLUS", sasl_mechanism::scram_sha_1_plus},
    {"SCRAM-SHA-256-PLUS", sasl_mechanism::scram_sha_256_plus},
    {"ANONYMOUS", sasl_mechanism::anonymous},
    {"DIGEST-MD5", sasl_mechanism::digest_md5},
};

/// The mechanism named `m` (mech-chars, checked by the caller), whose `key()` is `folded`.
constexpr sasl_mechanism mechanism_of(std::string_view m, std::uint64_t folded) noexcept {
    // The names are ALPHA / DIGIT / "-" and `m` was checked to be mech-chars, so key()
    // matches exactly for names of at most 8 bytes.
    switch (folded) {
        case key("PLAIN"): return sasl_mechanism::plain;
        case key("LOGIN"): return sasl_mechanism::login;
        case key("CRAM-MD5"): return sasl_mechanism::cram_md5;
        case key("XOAUTH2"): return sasl_mechanism::xoauth2;
        case key("EXTERNAL"): return sasl_mechanism::external;
        case key("GSSAPI"): return sasl_mechanism::gssapi;
        case key("NTLM"): return sasl_mechanism::ntlm;
        default: break;
    }
    if (m.size() > 8)
        for (const mechanism_entry& e : long_mechanisms)
            if (iequals_upper(m, e.name)) return e.id;
    return sasl_mechanism::other;
}

/// The mechanism named `m` (mech-chars).
constexpr sasl_mechanism mechanism_of(std::string_view m) noexcept { return mechanism_of(m, key(m)); }

}  // namespace detail
}  // namespace smtpp

#endif  // SMTPP_DETAIL_COMMAND_VALUES_HPP
