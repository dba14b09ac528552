/**
 * @file command_path.hpp
 * @brief Domains, address literals, local parts and paths (RFC 5321 §4.1.2, §4.1.3; RFC 6531 §3.3).
 *
 * Machinery of command.hpp, which includes it after declaring the types it uses; not a
 * header of its own.
 * @private Included by command.hpp only.
 */
#ifndef SMTPP_DETAIL_COMMAND_PATH_HPP
#define SMTPP_DETAIL_COMMAND_PATH_HPP

#ifndef SMTPP_COMMAND_HPP
#error "include <smtpp/command.hpp>, not this file"
#endif

namespace smtpp {
namespace detail {

/// The length of the well-formed UTF-8 sequence (RFC 3629 §4) at `p`, or 0.
/// Rejects overlong forms, surrogates and code points above U+10FFFF.
constexpr std::size_t utf8_sequence(std::string_view s, std::size_t p) noexcept {
    const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const std::size_t n = s.size();
    const unsigned char c = b(p);
    if (c < 0x80) return 1;
    auto cont = [&](std::size_t i) { return i < n && (b(i) & 0xC0) == 0x80; };
    if (c >= 0xC2 && c <= 0xDF) return cont(p + 1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (!cont(p + 1) || !cont(p + 2)) return 0;
        const unsigned char c1 = b(p + 1);
        if (c == 0xE0 && c1 < 0xA0) return 0;  // overlong
        if (c == 0xED && c1 > 0x9F) return 0;  // surrogates
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (!cont(p + 1) || !cont(p + 2) || !cont(p + 3)) return 0;
        const unsigned char c1 = b(p + 1);
        if (c == 0xF0 && c1 < 0x90) return 0;  // overlong
        if (c == 0xF4 && c1 > 0x8F) return 0;  // above U+10FFFF
        return 4;
    }
    return 0;
}

constexpr bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }

/// `s[from, to)` without `substr`'s range check: every caller passes positions it has
/// already validated, and the check costs a compare and a branch on each field.
constexpr std::string_view slice(std::string_view s, std::size_t from, std::size_t to) noexcept {
    return std::string_view(s.data() + from, to - from);
}

/// The end of the run of bytes of the class `bits` that starts at `d + p`.
/// @pre the run ends inside the line: its terminator (CR or LF) belongs to no class, so it
/// stops the loop without a bounds test per byte. Two bytes a round: the loop's own
/// increment and jump cost as much as the test of a byte.
constexpr SMTPP_HOT_INLINE std::size_t run_end(const char* d, std::size_t p, std::uint16_t bits) noexcept {
    for (;;) {
        if (!is(static_cast<unsigned char>(d[p]), bits)) break;
        if (!is(static_cast<unsigned char>(d[p + 1]), bits)) {
            ++p;
            break;
        }
        p += 2;
    }
    // Callers test the byte that ended the run; without this gcc keeps each byte it loads
    // in a second register for them, one more instruction per byte, where the caller's
    // own load of d[p] costs one per run (commands.txt: 490 -> 461 instructions per
    // line). Clang does not copy the bytes, and does worse with the barrier.
    if (!in_constant_evaluation()) p = opaque_for_gcc(p);
    return p;
}

/// A cursor over the argument part of a line; `end` excludes trailing blanks and CRLF.
/// Every cursor here has `s` = the line's body and `s[end]` = SP, HT, CR or LF (a trimmed
/// blank or the terminator), a byte in no character class and none of "." "@" ">" ":":
/// so a class run never passes `end`, and a test of the byte at a position `<= end`
/// against one of those needs no bounds test.
struct cursor {
    std::string_view s;
    std::size_t pos;
    std::size_t end;

    [[nodiscard]] constexpr bool done() const noexcept { return pos >= end; }
    [[nodiscard]] constexpr char peek() const noexcept { return pos < end ? s[pos] : '\0'; }
    [[nodiscard]] constexpr bool at(char c) const noexcept { return pos < end && s[pos] == c; }
    /// `key()` of `w`, a view into `s`, and `match()` of the bytes at `p`, with one load
    /// (`key_in`, `match_in`): `s` is the body of a line, and at least the first byte of its
    /// terminator (LF, or the CR of CRLF) follows it in memory, so all of that is readable.
    [[nodiscard]] constexpr SMTPP_HOT_INLINE std::uint64_t folded(std::string_view w) const noexcept {
        return key_in(w.data(), w.size(), s.data(), s.data() + s.size() + 1);
    }
    /// `pack()` of the `n <= 8` bytes at `p`, which lie in `s`, with one load (see `folded`).
    [[nodiscard]] constexpr SMTPP_HOT_INLINE std::uint64_t word(const char* p, std::size_t n) const noexcept {
        return pack_in(p, n, s.data(), s.data() + s.size() + 1);
    }
    [[nodiscard]] constexpr SMTPP_HOT_INLINE bool matches(std::size_t p, const ci_literal& k) const noexcept {
        return match_in(s.data() + p, k, s.data(), s.data() + s.size() + 1);
    }

    /// Advances over bytes of the class `bits`. Works on locals: a store to `pos` through
    /// the reference would otherwise be redone every byte, since a char load may alias it.
    /// @pre `s` is the body of a line whose terminator (CR or LF) follows it in memory:
    /// neither byte belongs to any class, so the terminator stops the loop without a
    /// bounds test per byte; the run is then clipped to `end`.
    constexpr void skip(std::uint16_t bits) noexcept {
        const std::size_t p = run_end(s.data(), pos, bits);
        pos = p < end ? p : end;
    }
};

/// RFC 5321 §4.1.2: `sub-domain = Let-dig [Ldh-str]`, `Ldh-str = *( ALPHA / DIGIT / "-" ) Let-dig`,
/// `Domain = sub-domain *("." sub-domain)`; RFC 6531 §3.3 adds `sub-domain =/ U-label`.
/// Labels of at most 63 octets, the whole at most 255 (§4.5.3.1.2). Parses from `pos`,
/// stops at the first byte that cannot continue a domain. Returns false on error; sets
/// `utf8` when a non-ASCII byte was seen.
SMTPP_CLANG_INLINE constexpr bool parse_domain(cursor& c, bool allow_utf8, bool& utf8, bool& too_long) noexcept {
    // Locals rather than `c.pos`: a store through `utf8` or `too_long` (a char-sized type)
    // would otherwise make the compiler reload the cursor after every byte it reads.
    const char* const d = c.s.data();
    const std::size_t start = c.pos;
    std::size_t pos = start;
    for (;;) {
        // One label: a run of LDH bytes (and UTF-8 sequences for U-labels). It stops at
        // `c.end` at the latest (see `cursor`).
        const std::size_t label = pos;
        pos = run_end(d, pos, c_ldh);
        while (SMTPP_UNLIKELY(static_cast<unsigned char>(d[pos]) >= 0x80) && allow_utf8) {
            const std::size_t n = utf8_sequence(slice(c.s, 0, c.end), pos);
            if (n == 0) return false;
            utf8 = true;
            pos = run_end(d, pos + n, c_ldh);
        }
        // Let-dig at both ends: no empty label, no leading or trailing "-".
        if (pos == label || d[label] == '-' || d[pos - 1] == '-') return false;
        if (d[pos] != '.') break;
        ++pos;
    }
    c.pos = pos;
    // No label of a domain of at most 63 octets can be longer: the label lengths are
    // measured only for longer domains.
    if (SMTPP_UNLIKELY(pos - start > 63)) {
        if (pos - start > 255) too_long = true;
        std::size_t label = start;
        for (std::size_t i = start; i <= pos; ++i) {
            if (i == pos || d[i] == '.') {
                if (i - label > 63) too_long = true;
                label = i + 1;
            }
        }
    }
    return true;
}

/// RFC 5321 §4.1.3: `Snum = 1*3DIGIT` with a value of 0..255; four of them joined by ".".
constexpr bool parse_ipv4(std::string_view s) noexcept {
    std::size_t i = 0;
    for (int part = 0; part < 4; ++part) {
        if (part > 0) {
            if (i >= s.size() || s[i] != '.') return false;
            ++i;
        }
        std::size_t digits = 0;
        unsigned value = 0;
        while (i < s.size() && is_digit(s[i]) && digits < 4) {
            value = value * 10 + static_cast<unsigned>(s[i] - '0');
            ++i;
            ++digits;
        }
        if (digits == 0 || digits > 3 || value > 255) return false;
    }
    return i == s.size();
}

/// RFC 5321 §4.1.3 IPv6-addr = IPv6-full / IPv6-comp / IPv6v4-full / IPv6v4-comp, with
/// `IPv6-hex = 1*4HEXDIG`; "::" stands for at least two groups (RFC 5321 §4.1.3), so
/// full forms have 8 groups (6 + IPv4), compressed ones at most 6 (4 + IPv4) besides "::".
constexpr bool parse_ipv6(std::string_view s) noexcept {
    std::size_t i = 0;
    int groups = 0;
    bool compressed = false;
    bool v4 = false;
    if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
        compressed = true;
        i = 2;
        if (i == s.size()) return true;  // "::"
    } else if (!s.empty() && s[0] == ':') {
        return false;
    }
    while (i < s.size()) {
        // Either an IPv4 tail or a hex group.
        std::size_t j = i;
        while (j < s.size() && is_hex(s[j])) ++j;
        if (j < s.size() && s[j] == '.') {
            if (!parse_ipv4(detail::sub(s, i))) return false;
            v4 = true;
            i = s.size();
            break;
        }
        if (j == i || j - i > 4) return false;
        ++groups;
        i = j;
        if (i == s.size()) break;
        if (s[i] != ':') return false;
        ++i;
        if (i < s.size() && s[i] == ':') {
            if (compressed) return false;
            compressed = true;
            ++i;
            if (i == s.size()) break;
        } else if (i == s.size()) {
            return false;  // trailing single ':'
        }
    }
    const int max_groups = v4 ? 6 : 8;
    if (compressed) return groups <= max_groups - 2;
    return groups == max_groups;
}

/// RFC 5321 §4.1.3: `address-literal = "[" ( IPv4-address-literal / IPv6-address-literal /
/// General-address-literal ) "]"`; `General-address-literal = Standardized-tag ":" 1*dcontent`;
/// `Standardized-tag = Ldh-str`. `lit` is the text between the brackets.
constexpr host_kind parse_address_literal(std::string_view lit) noexcept {
    if (lit.empty()) return host_kind::none;
    // A Standardized-tag may start with a digit too ("1a:x"): only an IPv4 literal is
    // refused by its own grammar.
    if (is_digit(lit[0]) && parse_ipv4(lit)) return host_kind::ipv4;
    std::size_t colon = lit.find(':');
    if (colon == std::string_view::npos || colon == 0) return host_kind::none;
    const std::string_view tag = detail::sub(lit, 0, colon);
    const std::string_view rest = detail::sub(lit, colon + 1);
    if (iequals_upper(tag, "IPV6")) return parse_ipv6(rest) ? host_kind::ipv6 : host_kind::none;
    for (std::size_t i = 0; i < tag.size(); ++i)
        if (!is_alnum(tag[i]) && tag[i] != '-') return host_kind::none;
    if (tag.back() == '-') return host_kind::none;  // Ldh-str ends in Let-dig
    if (rest.empty()) return host_kind::none;
    for (char ch : rest)
        if (!is(static_cast<unsigned char>(ch), c_dcont)) return host_kind::none;
    return host_kind::general;
}

/// Domain / address-literal at the cursor. Returns the kind, `none` on error.
SMTPP_HOT_INLINE constexpr host_kind parse_host(cursor& c, bool allow_utf8, bool& utf8, bool& too_long) noexcept {
    if (c.at('[')) {
        const std::size_t open = c.pos;
        std::size_t close = open + 1;
        while (close < c.end && c.s[close] != ']') ++close;
        if (close >= c.end) return host_kind::none;
        const host_kind k = parse_address_literal(detail::sub(c.s, open + 1, close - open - 1));
        c.pos = close + 1;
        if (c.pos - open > 255) too_long = true;
        return k;
    }
    return parse_domain(c, allow_utf8, utf8, too_long) ? host_kind::domain : host_kind::none;
}

/// RFC 5321 §4.1.2 `Local-part = Dot-string / Quoted-string`, with RFC 6531 §3.3
/// `atext =/ UTF8-non-ascii`, `qtextSMTP =/ UTF8-non-ascii`.
SMTPP_CLANG_INLINE constexpr bool parse_local_part(cursor& c, bool allow_utf8, bool& utf8, bool& quoted) noexcept {
    if (c.at('"')) {
        quoted = true;
        ++c.pos;
        while (c.pos < c.end) {
            const auto ch = static_cast<unsigned char>(c.s[c.pos]);
            if (ch == '"') {
                ++c.pos;
                return true;
            }
            if (ch == '\\') {
                // quoted-pairSMTP = %d92 %d32-126
                if (c.pos + 1 >= c.end) return false;
                const auto q = static_cast<unsigned char>(c.s[c.pos + 1]);
                if (q < 32 || q > 126) return false;
                c.pos += 2;
            } else if (is(ch, c_qtext)) {
                c.skip(c_qtext);
            } else if (ch >= 0x80 && allow_utf8) {
                const std::size_t n = utf8_sequence(detail::sub(c.s, 0, c.end), c.pos);
                if (n == 0) return false;
                utf8 = true;
                c.pos += n;
            } else {
                return false;
            }
        }
        return false;
    }
    // Dot-string = Atom *("." Atom), on locals (see `parse_domain`).
    const char* const d = c.s.data();
    std::size_t pos = c.pos;
    for (;;) {
        const std::size_t atom = pos;
        pos = run_end(d, pos, c_atext);
        while (SMTPP_UNLIKELY(static_cast<unsigned char>(d[pos]) >= 0x80) && allow_utf8) {
            const std::size_t n = utf8_sequence(slice(c.s, 0, c.end), pos);
            if (n == 0) return false;
            utf8 = true;
            pos = run_end(d, pos + n, c_atext);
        }
        if (pos == atom) return false;  // an empty Atom
        if (d[pos] != '.') break;
        ++pos;
    }
    c.pos = pos;
    return true;
}

/// Is `s` a whole `Mailbox` (RFC 5321 §4.1.2; with RFC 6531 §3.3 UTF-8 when `allow_utf8`),
/// local part at most 64 octets and domain at most 255 (§4.5.3.1)? For values that
/// decode to a mailbox (AUTH=, ORCPT=utf-8;): `s` lies in a buffer whose byte after `s`
/// is CR, as a `cursor` requires.
constexpr bool is_mailbox(std::string_view s, bool allow_utf8) noexcept {
    cursor c{s, 0, s.size()};
    bool utf8 = false;
    bool quoted = false;
    bool too_long = false;
    if (!parse_local_part(c, allow_utf8, utf8, quoted) || !c.at('@') || c.pos > 64) return false;
    const std::size_t at = c.pos++;
    if (parse_host(c, allow_utf8, utf8, too_long) == host_kind::none) return false;
    return c.pos == s.size() && !too_long && c.pos - at - 1 <= 255;
}

/// Parses a path at the cursor into `p`. Returns none or the path error of the verb.
/// RFC 5321 §4.1.2: `Path = "<" [ A-d-l ":" ] Mailbox ">"`, `A-d-l = At-domain
/// *( "," At-domain )`, `At-domain = "@" Domain`, `Mailbox = Local-part "@" ( Domain /
/// address-literal )`; §4.1.1.3 `"<Postmaster>"` for RCPT.
SMTPP_CLANG_INLINE constexpr command_error parse_path(cursor& c, path& p, bool is_mail, const parse_options& opt,
                                                      bool utf8_ok) noexcept {
    const command_error bad = is_mail ? command_error::bad_reverse_path : command_error::bad_forward_path;
    const command_error too_long = is_mail ? command_error::reverse_path_too_long
                                           : command_error::forward_path_too_long;
    const char* const d = c.s.data();
    const std::size_t start = c.pos;
    const bool bracketed = c.at('<');
    if (!bracketed && !opt.allow_missing_brackets) return bad;
    // Non-ASCII bytes are parsed as UTF-8 whenever they are well formed, so that a UTF-8
    // address without SMTPUTF8 gets its own reply (RFC 6531 §3.5: 550/553 5.6.7).
    constexpr bool parse_utf8 = true;
    bool utf8 = false;
    bool long_part = false;
    if (bracketed) {
        ++c.pos;
        if (d[c.pos] == '>') {  // `c.pos <= c.end`, and `d[c.end]` is no ">" (see `cursor`)
            ++c.pos;
            if (!is_mail) return command_error::null_forward_path;
            p.text = slice(c.s, start, c.pos);
            p.is_null = true;
            return command_error::none;
        }
        if (d[c.pos] == '@') {
            const std::size_t route_start = c.pos;
            for (;;) {
                ++c.pos;  // '@'
                // RFC 6531 §3.3 extends sub-domain with U-label, which A-d-l's Domain uses too.
                if (!parse_domain(c, parse_utf8, utf8, long_part)) return bad;
                if (c.at(',')) {
                    ++c.pos;
                    if (!c.at('@')) return bad;
                    continue;
                }
                if (!c.at(':')) return bad;
                p.route = slice(c.s, route_start, c.pos);
                ++c.pos;
                break;
            }
        }
        // "<Postmaster>": 11 bytes, compared as two folded words (the first byte screens).
        if (!is_mail && (d[c.pos] | 0x20) == 'p' && c.pos + 11 <= c.end && p.route.empty() &&
            c.matches(c.pos, k_postmast) && c.matches(c.pos + 8, k_er_close)) {
            c.pos += 11;
            p.text = slice(c.s, start, c.pos);
            p.local_part = slice(c.s, c.pos - 11, c.pos - 1);
            p.is_postmaster = true;
            return command_error::none;
        }
    }
    // The fields are stored as they are recognised: on an error `p` keeps what was.
    const std::size_t local_start = c.pos;
    if (!parse_local_part(c, parse_utf8, utf8, p.quoted)) return bad;
    const std::size_t at = c.pos;
    p.local_part = slice(c.s, local_start, at);
    if (d[at] != '@') return bad;  // `at <= c.end`, and `d[c.end]` is no "@"
    c.pos = at + 1;
    p.kind = parse_host(c, parse_utf8, utf8, long_part);
    if (p.kind == host_kind::none) return bad;
    const std::size_t host_end = c.pos;
    p.domain = slice(c.s, at + 1, host_end);
    p.mailbox = slice(c.s, local_start, host_end);
    if (bracketed) {
        if (d[host_end] != '>') return bad;
        ++c.pos;
    } else if (host_end < c.end && d[host_end] != ' ') {
        return bad;
    }
    p.text = slice(c.s, start, c.pos);
    p.utf8 = utf8;
    // RFC 5321 §4.5.3.1.1-3: local part 64, domain 255, path 256 octets (brackets counted).
    if (long_part || at - local_start > 64 || host_end - (at + 1) > 255 || c.pos - start + (bracketed ? 0 : 2) > 256)
        return too_long;
    if (utf8 && !utf8_ok) return is_mail ? command_error::non_ascii_sender : command_error::non_ascii_recipient;
    return command_error::none;
}

}  // namespace detail
}  // namespace smtpp

#endif  // SMTPP_DETAIL_COMMAND_PATH_HPP
