/**
 * @file command_parse.hpp
 * @brief The verb, the line limits and the arguments of each verb (RFC 5321 §4.1.1).
 *
 * Machinery of command.hpp, which includes it after declaring the types it uses; not a
 * header of its own.
 * @private Included by command.hpp only.
 */
#ifndef SMTPP_DETAIL_COMMAND_PARSE_HPP
#define SMTPP_DETAIL_COMMAND_PARSE_HPP

#ifndef SMTPP_COMMAND_HPP
#error "include <smtpp/command.hpp>, not this file"
#endif

namespace smtpp {
namespace detail {

/// The length of the run of textstring bytes (HT, SP and printable ASCII: `c_text`) that
/// starts `p[0, n)`. The scalar twin of `text_run`, and its reference in the tests.
constexpr std::size_t text_run_scalar(const char* p, std::size_t n) noexcept {
    std::size_t i = 0;
    while (i < n && is(static_cast<unsigned char>(p[i]), c_text)) ++i;
    return i;
}

#if SMTPP_SIMD_SSE2
/// The bytes of sixteen that are NOT textstring, as a 16-bit mask.
SMTPP_HOT_INLINE unsigned non_text16(const char* p) noexcept {
    const v16 x = v16_load(p);
    // x + 1 as a signed byte is above 0x20 exactly for 0x20..0x7E (DEL and the bytes from
    // 0x80 on turn negative, 0xFF turns 0); HT is the one control byte that is text.
    const v16 ok = v16_or(v16_gt(v16_add(x, v16_splat(1)), v16_splat(0x20)), v16_eq(x, v16_splat('\t')));
    return ~v16_mask(ok) & 0xFFFFu;
}

/// `text_run_scalar` sixteen bytes at a time; nothing outside `p[0, n)` is read (the last
/// sixteen are read again, overlapping, for a tail).
inline std::size_t text_run_sse2(const char* p, std::size_t n) noexcept {
    if (n < 16) return text_run_scalar(p, n);
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const unsigned m = non_text16(p + i);
        if (m != 0) return i + ctz64(m);
    }
    if (i == n) return n;
    const unsigned m = non_text16(p + n - 16) >> (i - (n - 16));
    return m != 0 ? i + ctz64(m) : n;
}
#endif

/// `text_run_scalar`, vectorised where it can be.
constexpr std::size_t text_run(const char* p, std::size_t n) noexcept {
#if SMTPP_SIMD_SSE2
    if (!in_constant_evaluation()) return text_run_sse2(p, n);
#endif
    return text_run_scalar(p, n);
}

/// Finds the first byte that makes a refused line invalid at the byte level, so that the
/// reply names the real cause (bare CR, bare LF, NUL, control) rather than a syntax error.
constexpr command_error refine_error(std::string_view body, command_error e, bool utf8_allowed) noexcept {
    for (std::size_t i = 0; i < body.size(); ++i) {
        // HT, SP and printable ASCII are none of the cases below: skip them in bulk.
        i += text_run(body.data() + i, body.size() - i);
        if (i == body.size()) break;
        const auto ch = static_cast<unsigned char>(body[i]);
        if (ch == 0) return command_error::nul;
        if (ch == '\r') return command_error::bare_cr;
        if (ch == '\n') return command_error::bare_lf;
        if ((ch < 0x20 && ch != '\t') || ch == 0x7F) return command_error::invalid_character;
        if (ch >= 0x80) {
            const std::size_t n = utf8_sequence(body, i);
            if (n == 0) return command_error::invalid_utf8;
            if (!utf8_allowed && e != command_error::non_ascii_sender && e != command_error::non_ascii_recipient)
                return e == command_error::unknown_verb ? e : command_error::invalid_character;
            i += n - 1;
        }
    }
    return e;
}

/// Text argument of VRFY/EXPN/HELP/NOOP: printable ASCII, SP and HT, and UTF-8 when allowed.
constexpr bool is_text_argument(std::string_view s, bool allow_utf8) noexcept {
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto ch = static_cast<unsigned char>(s[i]);
        if (is(ch, c_text)) continue;
        if (ch >= 0x80 && allow_utf8) {
            const std::size_t n = utf8_sequence(s, i);
            if (n == 0) return false;
            i += n - 1;
            continue;
        }
        return false;
    }
    return true;
}

/// Resets every field: `c = command{}`. At run time the same value is written as zero
/// octets (every enum's zero is its none/unknown/other, a zero view is {nullptr, 0};
/// tested against `command{}`) in ascending stores, where compilers turn the assignment
/// of the 300-odd octets into `rep stos` or a library call, a third of a short command's
/// parse time (see `detail::zero_object`). No field list: a field added later is reset too.
constexpr void clear(command& c) noexcept {
    if (in_constant_evaluation()) {
        c = command{};
    } else {
        zero_object(c);
    }
}

/// A case label for a verb's name in the four-letter fast path of `parse_command_body`:
/// the name's folded word when it has four letters, otherwise the verb's value, which no
/// folded word takes (each of its octets is at least 0x20).
constexpr std::uint32_t verb_case(std::string_view name, verb v) noexcept {
    return name.size() == 4 ? static_cast<std::uint32_t>(key(name)) : static_cast<std::uint32_t>(v);
}

/// RFC 5321 §4.1.1: "servers SHOULD reject commands containing them [parameters]
/// as having invalid syntax" (501, §4.3.2). RFC 3207 §4: "STARTTLS" CRLF.
SMTPP_CLANG_INLINE constexpr command_error parse_no_argument(verb, cursor& c, command&, const parse_options&) noexcept {
    return c.done() ? command_error::none : command_error::unexpected_argument;
}

/// ehlo = "EHLO" SP ( Domain / address-literal ) CRLF; helo = "HELO" SP Domain CRLF.
/// RFC 6531 §3.7.1: the EHLO domain is ASCII even under SMTPUTF8.
SMTPP_CLANG_INLINE constexpr command_error parse_hello(verb v, cursor& c, command& cmd,
                                                       const parse_options& opt) noexcept {
    if (c.done()) return command_error::missing_argument;
    bool utf8 = false;
    bool too_long = false;
    if (v == verb::helo && c.at('[') && !opt.allow_helo_address_literal) return command_error::bad_domain;
    const host_kind k = parse_host(c, false, utf8, too_long);
    if (k == host_kind::none || too_long || !c.done()) return command_error::bad_domain;
    cmd.host = k;
    return command_error::none;
}

/// mail = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF
/// rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path )
///        [SP Rcpt-parameters] CRLF
SMTPP_CLANG_INLINE constexpr command_error parse_mail_rcpt(verb v, cursor& c, command& cmd,
                                                           const parse_options& opt) noexcept {
    const bool is_mail = v == verb::mail;
    const ci_literal& kw = is_mail ? k_from : k_to;
    if (c.end - c.pos < kw.size || !c.matches(c.pos, kw)) return command_error::syntax;
    c.pos += kw.size;
    if (c.at(' ')) {
        // RFC 5321 §3.3: "spaces are not permitted on either side of the colon".
        if (!opt.allow_space_after_colon) return command_error::syntax;
        while (c.at(' ')) ++c.pos;
    }
    if (c.done()) return is_mail ? command_error::bad_reverse_path : command_error::bad_forward_path;
    // A UTF-8 path is fine for MAIL when SMTPUTF8 is offered (the parameter is
    // checked after the parameters are read), for RCPT when the transaction is.
    const bool utf8_ok = is_mail ? opt.smtputf8 : opt.smtputf8_transaction;
    command_error e = parse_path(c, cmd.path, is_mail, opt, utf8_ok);
    if (e != command_error::none) return e;
    if (!c.done()) {
        if (!c.at(' ')) return is_mail ? command_error::bad_reverse_path : command_error::bad_forward_path;
        ++c.pos;
        if (c.at(' ')) {
            if (!opt.allow_extra_spaces) return command_error::param_syntax;
            while (c.at(' ')) ++c.pos;
        }
        e = parse_params(c, cmd, is_mail, opt);
        if (e != command_error::none) return e;
    }
    // RFC 6531 §3.4: a UTF-8 reverse-path needs the SMTPUTF8 parameter.
    if (is_mail && cmd.path.utf8 && !cmd.params.has(p_smtputf8)) return command_error::non_ascii_sender;
    return command_error::none;
}

/// RFC 3030 §2: bdat-cmd ::= "BDAT" SP chunk-size [ SP end-marker ] CR LF;
/// chunk-size ::= 1*DIGIT; end-marker ::= "LAST"
SMTPP_CLANG_INLINE constexpr command_error parse_bdat(verb, cursor& c, command& cmd, const parse_options&) noexcept {
    const std::string_view body = c.s;
    if (c.done()) return command_error::bad_chunk_size;
    // The size is the run of digits; anything but SP after it is a bad size.
    std::size_t j = run_end(body.data(), c.pos, c_digit);
    if (j > c.end) j = c.end;
    if (j < c.end && body[j] != ' ') return command_error::bad_chunk_size;
    bool overflow = false;
    if (!parse_decimal(slice(body, c.pos, j), SIZE_MAX, cmd.chunk_size, overflow)) return command_error::bad_chunk_size;
    if (j < c.end) {
        if (c.end - j != k_sp_last.size || !c.matches(j, k_sp_last)) return command_error::bad_chunk_size;
        cmd.last = true;
    }
    if (overflow) return command_error::chunk_size_overflow;
    return command_error::none;
}

/// RFC 4954 §4: "AUTH" SP sasl-mech [SP initial-response] CRLF;
/// RFC 4422 §3.1: sasl-mech = 1*20mech-char; mech-char = UPPER-ALPHA / DIGIT / "-" / "_"
/// DEVIATION: lower-case mechanism names are accepted (clients send "auth plain").
SMTPP_CLANG_INLINE constexpr command_error parse_auth(verb, cursor& c, command& cmd, const parse_options&) noexcept {
    const std::string_view body = c.s;
    if (c.done()) return command_error::missing_argument;
    std::size_t j = run_end(body.data(), c.pos, c_mech);
    if (j > c.end) j = c.end;
    if (j == c.pos || j - c.pos > 20) return command_error::bad_mechanism;
    cmd.mechanism = slice(body, c.pos, j);
    cmd.mechanism_id = mechanism_of(cmd.mechanism, c.folded(cmd.mechanism));
    if (j == c.end) return command_error::none;
    if (body[j] != ' ') return command_error::bad_mechanism;
    const std::string_view ir = slice(body, j + 1, c.end);
    // initial-response = base64 / "=" (RFC 4954 §4)
    if (!(ir.size() == 1 && ir[0] == '=') && !base64_in_line(ir)) return command_error::bad_base64;
    cmd.initial_response = ir;
    cmd.has_initial_response = true;
    return command_error::none;
}

/// vrfy = "VRFY" SP String CRLF; expn = "EXPN" SP String CRLF (§4.1.1.6-7);
/// String = Atom / Quoted-string; RFC 6531 §3.7.4 adds [SP "SMTPUTF8"] and
/// UTF-8 in the string. A user name with a dot or a "<mailbox>" must be quoted.
SMTPP_CLANG_INLINE constexpr command_error parse_vrfy_expn(verb, cursor& c, command& cmd,
                                                           const parse_options& opt) noexcept {
    const std::string_view body = c.s;
    if (c.done()) return command_error::missing_argument;
    std::string_view a = cmd.argument;
    if (a.size() > 9 && iequals_upper(slice(a, a.size() - 9, a.size()), " SMTPUTF8")) {
        cmd.smtputf8 = true;
        a.remove_suffix(9);
        while (!a.empty() && is_blank(a.back())) a.remove_suffix(1);
        cmd.argument = a;
    }
    if (a.empty()) return command_error::missing_argument;
    const bool utf8_ok = cmd.smtputf8 && opt.smtputf8;
    cursor s{body, c.pos, c.pos + a.size()};
    bool utf8 = false;
    if (s.at('"')) {
        bool quoted = false;
        if (!parse_local_part(s, true, utf8, quoted) || !s.done()) return command_error::syntax;
    } else {
        while (!s.done()) {
            const auto ch = static_cast<unsigned char>(s.peek());
            if (is(ch, c_atext)) {
                s.skip(c_atext);
            } else if (ch >= 0x80) {
                const std::size_t n = utf8_sequence(slice(body, 0, s.end), s.pos);
                if (n == 0) return command_error::invalid_utf8;
                utf8 = true;
                s.pos += n;
            } else {
                return command_error::syntax;
            }
        }
    }
    if (utf8 && !utf8_ok) return command_error::invalid_character;
    return command_error::none;
}

/// help = "HELP" [ SP String ] CRLF; noop = "NOOP" [ SP String ] CRLF — "If a
/// parameter string is specified, servers SHOULD ignore it" (§4.1.1.9).
SMTPP_CLANG_INLINE constexpr command_error parse_help_noop(verb, cursor&, command& cmd, const parse_options&) noexcept {
    return is_text_argument(cmd.argument, false) ? command_error::none : command_error::invalid_character;
}

/// RFC 1985 §3: "ETRN" SP node-name, where the node name is a domain, "@" domain
/// (the domain and its subdomains) or "#" and a queue name.
SMTPP_CLANG_INLINE constexpr command_error parse_etrn(verb, cursor& c, command&, const parse_options&) noexcept {
    const std::string_view body = c.s;
    if (c.done()) return command_error::missing_argument;
    if (c.at('#')) {
        ++c.pos;
        if (c.done()) return command_error::bad_domain;
        for (std::size_t k = c.pos; k < c.end; ++k)
            if (!is(static_cast<unsigned char>(body[k]), c_vchar)) return command_error::bad_domain;
        return command_error::none;
    }
    if (c.at('@')) ++c.pos;
    bool utf8 = false;
    bool too_long = false;
    if (!parse_domain(c, false, utf8, too_long) || too_long || !c.done()) return command_error::bad_domain;
    return command_error::none;
}

/// The verb at the start of `body` (not empty): sets `cmd.verb`, `cmd.verb_text` and `i`
/// (the verb's length). `unknown_verb` when the first word is no verb at all (then
/// `cmd.verb_text` is everything up to the first SP).
SMTPP_CLANG_INLINE constexpr command_error parse_verb(std::string_view body, command& cmd, std::size_t& i) noexcept {
    // The verb: the run of letters at the start of the line (RFC 5321 §4.1.1: "The commands
    // themselves are alphabetic characters terminated by <SP> if parameters follow and
    // <CRLF> otherwise").
    i = 0;
    verb v = verb::unknown;
    // Fast path: a four-letter verb followed by SP, HT or the end of the line, matched as
    // one folded word. A byte folds onto a letter only when it is that letter in either
    // case (OR 0x20 changes bit 5 alone), so a match needs no ALPHA test per byte; any other
    // word takes the general path below, which gives it the same verb text.
    if (body.size() >= 4 && (body.size() == 4 || is_blank(body[4]))) {
        const std::uint32_t k = (static_cast<std::uint32_t>(static_cast<unsigned char>(body[0])) |
                                 static_cast<std::uint32_t>(static_cast<unsigned char>(body[1])) << 8 |
                                 static_cast<std::uint32_t>(static_cast<unsigned char>(body[2])) << 16 |
                                 static_cast<std::uint32_t>(static_cast<unsigned char>(body[3])) << 24) |
                                0x20202020u;
        switch (k) {
#define SMTPP_X_VERB_CASE(e, name, value) \
    case verb_case(name, verb::e): v = verb::e; break;
            SMTPP_VERBS(SMTPP_X_VERB_CASE)
#undef SMTPP_X_VERB_CASE
            default: break;
        }
    }
    if (v != verb::unknown) {
        i = 4;
        cmd.verb_text = slice(body, 0, 4);
    } else {
        while (i < body.size() && is_alpha(body[i])) ++i;
        std::size_t token_end = i;
        if (i < body.size() && !is_blank(body[i])) {
            // Not a verb: report everything up to the first SP as the unknown verb's text.
            while (token_end < body.size() && body[token_end] != ' ') ++token_end;
            cmd.verb_text = detail::sub(body, 0, token_end);
            return command_error::unknown_verb;
        }
        cmd.verb_text = detail::sub(body, 0, i);
        if (i == 8 && key(cmd.verb_text) == key(to_string(verb::starttls))) v = verb::starttls;
    }
    cmd.verb = v;
    return command_error::none;
}

SMTPP_CLANG_INLINE constexpr command_error parse_command_body(std::string_view line, std::string_view body,
                                                              command& cmd, const parse_options& opt) noexcept {
    if (body.empty()) return command_error::empty_line;
    std::size_t i = 0;
    if (parse_verb(body, cmd, i) != command_error::none) return command_error::unknown_verb;
    const verb v = cmd.verb;
    // Line limits (RFC 5321 §4.5.3.1.4; RFC 4954 §4 for AUTH).
    if (v == verb::auth) {
        if (line.size() > opt.max_auth_line) return command_error::auth_line_too_long;
    } else if (line.size() > opt.max_line) {
        return command_error::line_too_long;
    }
    // Arguments: after one SP; trailing blanks are tolerated (RFC 5321 §4.1.1: "SMTP
    // receivers SHOULD tolerate trailing white space before the terminating <CRLF>").
    std::size_t end = body.size();
    while (end > i && is_blank(body[end - 1])) --end;
    std::size_t arg = i;
    if (arg < end) {
        if (body[arg] != ' ') return v == verb::unknown ? command_error::unknown_verb : command_error::syntax;
        ++arg;
        if (arg < end && body[arg] == ' ') {
            if (!opt.allow_extra_spaces)
                return v == verb::unknown ? command_error::unknown_verb : command_error::syntax;
            while (arg < end && body[arg] == ' ') ++arg;
        }
    }
    cmd.argument = slice(body, arg, end);
    if (v == verb::unknown) return command_error::unknown_verb;
    cursor c{body, arg, end};

    switch (v) {
        case verb::data:
        case verb::rset:
        case verb::quit:
        case verb::starttls: return parse_no_argument(v, c, cmd, opt);
        case verb::helo:
        case verb::ehlo:
        case verb::lhlo: return parse_hello(v, c, cmd, opt);
        case verb::mail:
        case verb::rcpt: return parse_mail_rcpt(v, c, cmd, opt);
        case verb::bdat: return parse_bdat(v, c, cmd, opt);
        case verb::auth: return parse_auth(v, c, cmd, opt);
        case verb::vrfy:
        case verb::expn: return parse_vrfy_expn(v, c, cmd, opt);
        case verb::help:
        case verb::noop: return parse_help_noop(v, c, cmd, opt);
        case verb::etrn: return parse_etrn(v, c, cmd, opt);
        case verb::unknown: break;
    }
    return command_error::unknown_verb;
}

}  // namespace detail
}  // namespace smtpp

#endif  // SMTPP_DETAIL_COMMAND_PARSE_HPP
