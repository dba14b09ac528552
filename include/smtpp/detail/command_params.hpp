/**
 * @file command_params.hpp
 * @brief The MAIL / RCPT parameters: one value parser and one formatter per row of
 *        `SMTPP_ESMTP_PARAMS` (extensions.hpp), the keyword dispatch derived from it, and
 *        the parameter list (RFC 5321 §4.1.2).
 *
 * Machinery of command.hpp, which includes it after declaring the types it uses; not a
 * header of its own.
 * @private Included by command.hpp only.
 */
#ifndef SMTPP_DETAIL_COMMAND_PARAMS_HPP
#define SMTPP_DETAIL_COMMAND_PARAMS_HPP

#ifndef SMTPP_COMMAND_HPP
#error "include <smtpp/command.hpp>, not this file"
#endif

namespace smtpp {
namespace detail {

/// What a value parser gets: one esmtp-param `keyword ["=" value]` (RFC 5321 §4.1.2).
/// `v` is a view into the line of `c`; without "=", `v` is empty and `has_value` false.
/// `plain`: every byte of `v` is an xchar (RFC 3461 §4), so as xtext it is its own
/// decoding, with no control in it. `bad` is the row's syntax error.
struct param_input {
    std::string_view v;
    bool has_value;
    bool plain;
    const cursor& c;
    const parse_options& opt;
    command_error bad;
};

/// RFC 1870 §6: size-value ::= 1*20DIGIT
SMTPP_CLANG_INLINE constexpr command_error param_value_size(const param_input& in, params& ps) noexcept {
    bool overflow = false;
    if (!in.has_value || !parse_decimal(in.v, 20, ps.size, overflow)) return in.bad;
    return overflow ? command_error::size_overflow : command_error::none;
}

/// RFC 6152 §2: body-value ::= "7BIT" / "8BITMIME"; RFC 3030 §3: "BINARYMIME".
/// The folded word is exact here too: a value byte is %d33-126 or UTF-8 (>= 0x80), and
/// only letters among those fold onto the letters of these words; the key of a longer
/// value differs in its extra (non-zero) bytes.
SMTPP_CLANG_INLINE constexpr command_error param_value_body(const param_input& in, params& ps) noexcept {
    switch (in.c.folded(in.v)) {
        case key("7BIT"): ps.body = body_type::seven_bit; break;
        case key("8BITMIME"): ps.body = body_type::eight_bit_mime; break;
        default:
            if (in.v.size() != 10 || !iequals_upper(in.v, "BINARYMIME")) return in.bad;
            ps.body = body_type::binary_mime;
            break;
    }
    return command_error::none;
}

/// RFC 6531 §3.4: "SMTPUTF8" takes no value.
SMTPP_CLANG_INLINE constexpr command_error param_value_smtputf8(const param_input& in, params&) noexcept {
    return in.has_value ? in.bad : command_error::none;
}

/// RFC 3461 §4.3: ret-value = "FULL" / "HDRS"
SMTPP_CLANG_INLINE constexpr command_error param_value_ret(const param_input& in, params& ps) noexcept {
    switch (in.c.folded(in.v)) {
        case key("FULL"): ps.ret = ret_type::full; break;
        case key("HDRS"): ps.ret = ret_type::hdrs; break;
        default: return in.bad;
    }
    return command_error::none;
}

/// The decoded length of the xtext `v` (RFC 3461 §4), SIZE_MAX on a syntax error;
/// `control` is set when it decodes to a control octet (CVE-2020-28021).
constexpr std::size_t xtext_length(const param_input& in, std::string_view v, bool& control) noexcept {
    return in.plain ? v.size() : xtext_check(v, control, in.opt.allow_lowercase_xtext_hex);
}

/// RFC 3461 §4.4: envid-value = xtext, at most 100 characters, printable ASCII.
SMTPP_CLANG_INLINE constexpr command_error param_value_envid(const param_input& in, params& ps) noexcept {
    bool control = false;
    const std::size_t n = xtext_length(in, in.v, control);
    if (!in.has_value || in.v.empty() || n == SIZE_MAX || n > 100) return in.bad;
    if (control) return command_error::xtext_control;
    ps.envid = in.v;
    return command_error::none;
}

/// RFC 4954 §5: auth-param = "AUTH=" xtext; the decoded xtext MUST be an addr-spec (a
/// Mailbox here), or "<>".
SMTPP_CLANG_INLINE constexpr command_error param_value_auth(const param_input& in, params& ps) noexcept {
    const std::string_view v = in.v;
    if (!in.has_value || v.empty()) return in.bad;
    if (!(v.size() == 2 && v[0] == '<' && v[1] == '>')) {
        bool control = false;
        const std::size_t n = xtext_length(in, v, control);
        if (n == SIZE_MAX || n > 500) return in.bad;
        if (control) return command_error::xtext_control;
        char buf[512] = {};
        std::size_t m = 0;
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (v[i] == '+' && !in.plain) {
                buf[m++] = static_cast<char>(xtext_hex(v[i + 1], true) * 16 + xtext_hex(v[i + 2], true));
                i += 2;
            } else {
                buf[m++] = v[i];
            }
        }
        buf[m] = '\r';
        if (!is_mailbox(std::string_view(buf, m), false)) return in.bad;
    }
    ps.auth = v;
    return command_error::none;
}

/// RFC 8689 §4.1: "REQUIRETLS" takes no value.
SMTPP_CLANG_INLINE constexpr command_error param_value_requiretls(const param_input& in, params&) noexcept {
    return in.has_value ? in.bad : command_error::none;
}

/// RFC 6710 §3: priority-value = ["-" / "+"] DIGIT, range -9..9
SMTPP_CLANG_INLINE constexpr command_error param_value_mt_priority(const param_input& in, params& ps) noexcept {
    std::string_view d = in.v;
    bool neg = false;
    if (!d.empty() && (d[0] == '-' || d[0] == '+')) {
        neg = d[0] == '-';
        d.remove_prefix(1);
    }
    if (d.size() != 1 || !is_digit(d[0])) return in.bad;
    ps.mt_priority = static_cast<std::int8_t>(neg ? -(d[0] - '0') : (d[0] - '0'));
    return command_error::none;
}

/// RFC 4865 §4: holdfor-value = 1*9DIGIT; not with HOLDUNTIL.
SMTPP_CLANG_INLINE constexpr command_error param_value_holdfor(const param_input& in, params& ps) noexcept {
    bool overflow = false;
    std::uint64_t secs = 0;
    if (!parse_decimal(in.v, 9, secs, overflow)) return in.bad;
    if (ps.present & p_holduntil) return command_error::conflicting_params;
    ps.holdfor = static_cast<std::uint32_t>(secs);
    return command_error::none;
}

/// RFC 4865 §4: holduntil-value = date-time (RFC 3339); not with HOLDFOR.
SMTPP_CLANG_INLINE constexpr command_error param_value_holduntil(const param_input& in, params& ps) noexcept {
    if (!parse_date_time(in.v)) return in.bad;
    if (ps.present & p_holdfor) return command_error::conflicting_params;
    ps.holduntil = in.v;
    return command_error::none;
}

/// RFC 2852 §4: by-value = by-time ";" by-mode [by-trace];
/// by-time = ["-" / "+"] 1*9digit; by-mode = "N" / "R"; by-trace = "T"
SMTPP_CLANG_INLINE constexpr command_error param_value_by(const param_input& in, params& ps) noexcept {
    const std::string_view v = in.v;
    const std::size_t semi = find_char(v, ';');
    if (semi == v.size()) return in.bad;
    std::string_view t = slice(v, 0, semi);
    const std::string_view m = slice(v, semi + 1, v.size());
    bool neg = false;
    if (!t.empty() && (t[0] == '-' || t[0] == '+')) {
        neg = t[0] == '-';
        t.remove_prefix(1);
    }
    bool overflow = false;
    std::uint64_t secs = 0;
    if (!parse_decimal(t, 9, secs, overflow)) return in.bad;
    if (m.empty() || m.size() > 2) return in.bad;
    const char mode = to_upper(m[0]);
    if (mode != 'N' && mode != 'R') return in.bad;
    if (m.size() == 2 && to_upper(m[1]) != 'T') return in.bad;
    ps.by = mode == 'N' ? by_mode::notify : by_mode::return_;
    ps.by_trace = m.size() == 2;
    ps.by_time = static_cast<std::int32_t>(neg ? -static_cast<std::int64_t>(secs) : static_cast<std::int64_t>(secs));
    return command_error::none;
}

/// RFC 3461 §4.1: notify-esmtp-value = "NEVER" / 1#notify-list-element;
/// notify-list-element = "SUCCESS" / "FAILURE" / "DELAY"
SMTPP_CLANG_INLINE constexpr command_error param_value_notify(const param_input& in, params& ps) noexcept {
    const std::string_view v = in.v;
    if (!in.has_value || v.empty()) return in.bad;
    std::uint8_t flags = 0;
    std::size_t from = 0;
    for (;;) {
        // An item runs to the next "," or to the end of the value. Every keyword has at
        // most 7 letters, so one word of the (at most 8) bytes at the item holds the item
        // and its ","; key() is exact against all-letter words (only 'X' and 'x' fold to
        // 'x'), so an item with any other byte matches none.
        const std::size_t left = v.size() - from;
        const std::uint64_t w = in.c.word(v.data() + from, left < 8 ? left : 8);
        std::size_t len = byte_index(w, ',');
        if (len > left) len = left;
        std::uint8_t f = 0;
        switch (key_of_word(w, len)) {
            case key("NEVER"): f = notify_never; break;
            case key("SUCCESS"): f = notify_success; break;
            case key("FAILURE"): f = notify_failure; break;
            case key("DELAY"): f = notify_delay; break;
            default: break;
        }
        if (f == 0 || (flags & f)) return in.bad;
        flags = static_cast<std::uint8_t>(flags | f);
        if (len == left) break;
        from += len + 1;
    }
    if ((flags & notify_never) && flags != notify_never) return in.bad;
    ps.notify = flags;
    return command_error::none;
}

/// RFC 6533 §3: utf-8-addr-xtext = 1*(QCHAR / EmbeddedUnicodeChar); utf-8-addr-unitext =
/// 1*(QUCHAR / EmbeddedUnicodeChar) (UTF-8 as is, only in an SMTPUTF8 transaction); QCHAR
/// = %x21-2a / %x2c-3c / %x3e-5b / %x5d-7e (no SP, "+", "=", "\"); EmbeddedUnicodeChar =
/// "\x{" HEXPOINT "}". A HEXPOINT for a control (01-1F, 7F) is grammatical but refused, as
/// in xtext. The decoded address must be a Mailbox (RFC 6533 §3, RFC 6531 §3.3): it is
/// decoded into a buffer (never longer than the encoded form) and parsed.
SMTPP_CLANG_INLINE constexpr command_error orcpt_utf8_address(const param_input& in, std::string_view addr) noexcept {
    if (addr.size() > 500) return in.bad;
    char buf[512] = {};
    std::size_t m = 0;
    for (std::size_t i = 0; i < addr.size();) {
        const auto ch = static_cast<unsigned char>(addr[i]);
        if (ch >= 0x80) {
            if (!in.opt.smtputf8_transaction) return in.bad;
            const std::size_t n = utf8_sequence(addr, i);
            if (n == 0) return command_error::invalid_utf8;
            for (std::size_t j = 0; j < n; ++j) buf[m++] = addr[i + j];
            i += n;
        } else if (ch == '\\') {
            if (i + 3 >= addr.size() || addr[i + 1] != 'x' || addr[i + 2] != '{') return in.bad;
            const std::size_t close = find_char(addr, '}', i + 3);
            if (close == addr.size()) return in.bad;
            const std::int32_t cp = hexpoint(slice(addr, i + 3, close));
            if (cp < 0) return in.bad;
            if (cp < 0x20 || cp == 0x7F) return command_error::xtext_control;
            m = put_utf8(buf, m, static_cast<std::uint32_t>(cp));
            i = close + 1;
        } else if (is(ch, c_vchar) && ch != '+' && ch != '=') {
            buf[m++] = addr[i];
            ++i;
        } else {
            return in.bad;
        }
    }
    buf[m] = '\r';
    return is_mailbox(std::string_view(buf, m), true) ? command_error::none : in.bad;
}

/// RFC 3461 §4.2: orcpt-parameter = "ORCPT=" original-recipient-address;
/// original-recipient-address = addr-type ";" xtext; addr-type = atom.
/// RFC 6533 §3: addr-type "utf-8" carries utf-8-addr-xtext or utf-8-addr-unitext.
SMTPP_CLANG_INLINE constexpr command_error param_value_orcpt(const param_input& in, params& ps) noexcept {
    const std::string_view v = in.v;
    // The addr-type is the run of atext at the start; ";" is no atext, so the run stops at
    // the first ";" at the latest, and anything else stopping it before that is a byte the
    // atom may not hold. (The run stops inside the line, see `run_end`, and is clipped to
    // the value.)
    std::size_t semi = run_end(v.data(), 0, c_atext);
    if (semi > v.size()) semi = v.size();
    if (semi == v.size() || v[semi] != ';' || semi == 0 || semi + 1 == v.size()) return in.bad;
    const std::string_view type = slice(v, 0, semi);
    const std::string_view addr = slice(v, semi + 1, v.size());
    if (type.size() == 5 && iequals_upper(type, "UTF-8")) {
        const command_error e = orcpt_utf8_address(in, addr);
        if (e != command_error::none) return e;
    } else {
        bool control = false;
        const std::size_t n = xtext_length(in, addr, control);
        if (n == SIZE_MAX || n > 500) return in.bad;
        if (control) return command_error::xtext_control;
    }
    ps.orcpt_type = type;
    ps.orcpt = addr;
    return command_error::none;
}

/// RFC 7293 §3: rrvs-param = "RRVS=" date-time [ ";" ( "C" / "R" ) ]
SMTPP_CLANG_INLINE constexpr command_error param_value_rrvs(const param_input& in, params& ps) noexcept {
    std::string_view dt = in.v;
    char mode = 0;
    if (dt.size() >= 2 && dt[dt.size() - 2] == ';') {
        mode = to_upper(dt.back());
        if (mode != 'C' && mode != 'R') return in.bad;
        dt.remove_suffix(2);
    }
    if (!parse_date_time(dt)) return in.bad;
    ps.rrvs = dt;
    ps.rrvs_mode = mode;
    return command_error::none;
}

/// RFC 3885 §4: the MTRK= value is the base64 authenticator (RFC 3885 §1: the base64
/// alphabet, no "=" padding, which an esmtp-value cannot hold anyway), optionally followed
/// by ":" and a timeout in seconds (1*9DIGIT).
SMTPP_CLANG_INLINE constexpr command_error param_value_mtrk(const param_input& in, params& ps) noexcept {
    const std::string_view v = in.v;
    const std::size_t colon = find_char(v, ':');
    if (!in.has_value || colon == 0) return in.bad;
    for (std::size_t i = 0; i < colon; ++i)
        if (!is(static_cast<unsigned char>(v[i]), c_b64)) return in.bad;
    std::uint64_t secs = 0;
    bool overflow = false;
    if (colon < v.size() && !parse_decimal(slice(v, colon + 1, v.size()), 9, secs, overflow)) return in.bad;
    ps.mtrk = v;
    ps.mtrk_timeout = static_cast<std::uint32_t>(secs);
    return command_error::none;
}

/// RFC 3865 §2.3: "SOLICIT=" Solicitation-keywords; §2.2: Solicitation-keywords = word
/// *("," word), at most 1000 characters; word = ALPHA *wordchar; wordchar = "." / "-" /
/// "_" / ":" / ALPHA / DIGIT.
SMTPP_CLANG_INLINE constexpr command_error param_value_solicit(const param_input& in, params& ps) noexcept {
    const std::string_view v = in.v;
    if (!in.has_value || v.empty() || v.size() > 1000) return in.bad;
    bool word_start = true;
    for (const char ch : v) {
        if (word_start) {
            if (!is_alpha(ch)) return in.bad;
            word_start = false;
        } else if (ch == ',') {
            word_start = true;
        } else if (!is_alnum(ch) && ch != '.' && ch != '-' && ch != '_' && ch != ':') {
            return in.bad;
        }
    }
    if (word_start) return in.bad;  // a trailing ","
    ps.solicit = v;
    return command_error::none;
}

/// No parameter (a row index past the table).
inline constexpr unsigned no_param = 32;

/// The syntax error of each row (its `command_error` column).
inline constexpr command_error param_errors[] = {
#define SMTPP_X_PARAM_ERROR(id, kw, verb, ext, err, inc) command_error::err,
    SMTPP_ESMTP_PARAMS(SMTPP_X_PARAM_ERROR)
#undef SMTPP_X_PARAM_ERROR
};

/// The row of the keyword `k` (ALPHA / DIGIT / "-", at least one octet) whose `key()` is
/// `folded`, for the verb `verb`; `no_param` when none. Keywords of up to eight octets
/// are one `switch` on the folded word (exact for that alphabet), longer ones compared.
SMTPP_HOT_INLINE constexpr unsigned param_lookup(std::string_view k, std::uint64_t folded, param_verb verb) noexcept {
    unsigned id = no_param;
    switch (folded) {
#define SMTPP_X_PARAM_CASE(pid, kw, v, ext, err, inc) \
    case param_case(kw, param_index::pid): id = static_cast<unsigned>(param_index::pid); break;
        SMTPP_ESMTP_PARAMS(SMTPP_X_PARAM_CASE)
#undef SMTPP_X_PARAM_CASE
        default:
            if (k.size() > 8)
                for (unsigned i = 0; i < param_count; ++i)
                    if (param_rows[i].keyword.size() == k.size() && iequals_upper(k, param_rows[i].keyword)) id = i;
            break;
    }
    return id != no_param && param_rows[id].verb == verb ? id : no_param;
}

/// The value parser of row `id`.
SMTPP_HOT_INLINE constexpr command_error parse_param_value(unsigned id, const param_input& in, params& ps) noexcept {
    switch (static_cast<param_index>(id)) {
#define SMTPP_X_PARAM_VALUE(pid, kw, v, ext, err, inc) \
    case param_index::pid: return param_value_##pid(in, ps);
        SMTPP_ESMTP_PARAMS(SMTPP_X_PARAM_VALUE)
#undef SMTPP_X_PARAM_VALUE
    }
    return command_error::none;
}

/// One esmtp-param: `esmtp-keyword ["=" esmtp-value]` (RFC 5321 §4.1.2). A keyword that is
/// not a parameter of this verb is counted in `unknown_count` (the first one kept in
/// `unknown`); a known one sets its bit (once: `duplicate_param`) and its value parser runs.
SMTPP_HOT_INLINE constexpr command_error parse_one_param(std::string_view k, std::string_view v, bool has_value,
                                                         bool plain, const cursor& c, command& cmd, bool is_mail,
                                                         const parse_options& opt) noexcept {
    params& ps = cmd.params;
    const unsigned id = param_lookup(k, c.folded(k), is_mail ? param_verb::mail : param_verb::rcpt);
    if (id == no_param) {
        if (ps.unknown_count == 0) {
            const std::size_t len = has_value ? static_cast<std::size_t>(v.data() + v.size() - k.data()) : k.size();
            ps.unknown = std::string_view(k.data(), len);
        }
        if (ps.unknown_count < 255) ++ps.unknown_count;
        return command_error::none;
    }
    const std::uint32_t bit = std::uint32_t{1} << id;
    if (ps.present & bit) return command_error::duplicate_param;
    ps.present |= bit;
    return parse_param_value(id, param_input{v, has_value, plain, c, opt, param_errors[id]}, ps);
}

/// RFC 5321 §4.1.2: `Mail-parameters = esmtp-param *(SP esmtp-param)`,
/// `esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")`,
/// `esmtp-value = 1*(%d33-60 / %d62-126)`; RFC 6531 §3.3 `esmtp-value =/ UTF8-non-ascii`.
SMTPP_CLANG_INLINE constexpr command_error parse_params(cursor& c, command& cmd, bool is_mail,
                                                        const parse_options& opt) noexcept {
    // On locals (see `parse_domain`); `d[end]` is SP, HT, CR or LF (see `cursor`).
    const char* const d = c.s.data();
    const std::size_t end = c.end;
    const std::size_t start = c.pos;
    std::size_t pos = start;
    while (pos < end) {
        const std::size_t kstart = pos;
        if (!is_alnum(d[pos])) return command_error::param_syntax;
        pos = run_end(d, pos + 1, c_ldh);
        const std::string_view k = slice(c.s, kstart, pos);
        const bool has_value = d[pos] == '=';
        std::size_t vstart = pos;
        bool plain = true;
        if (has_value) {
            // esmtp-value chars are the xchars and "+": runs of xchar joined by "+", so that
            // the scan also tells whether the value, as xtext, needs decoding at all.
            vstart = ++pos;
            pos = run_end(d, pos, c_xchar);
            while (d[pos] == '+') {
                plain = false;
                pos = run_end(d, pos + 1, c_xchar);
            }
            while (SMTPP_UNLIKELY(static_cast<unsigned char>(d[pos]) >= 0x80) && opt.smtputf8) {
                const std::size_t n = utf8_sequence(slice(c.s, 0, end), pos);
                if (n == 0) return command_error::invalid_utf8;
                plain = false;
                pos = run_end(d, pos + n, c_esmtpv);
            }
        }
        const std::string_view v = slice(c.s, vstart, pos);
        const bool empty_value = has_value && v.empty();
        if (!empty_value && pos < end) {
            if (d[pos] != ' ') return command_error::param_syntax;
            ++pos;
            if (pos < end && d[pos] == ' ') {
                if (!opt.allow_extra_spaces) return command_error::param_syntax;
                while (pos < end && d[pos] == ' ') ++pos;
            }
        }
        const command_error e = parse_one_param(k, v, has_value, plain, c, cmd, is_mail, opt);
        // "SIZE=" and friends: the keyword's own error when it is known.
        if (empty_value) return e == command_error::none ? command_error::param_syntax : e;
        if (e != command_error::none) return e;
    }
    c.pos = pos;
    cmd.params.text = slice(c.s, start, end);
    return command_error::none;
}


// =========================================================================================
// Formatting: the value of each parameter, after its keyword (client side)
// =========================================================================================

constexpr void format_value_size(writer& w, const params& ps) noexcept {
    w.put('=');
    w.put_u64(ps.size);
}
constexpr void format_value_body(writer& w, const params& ps) noexcept {
    w.put('=');
    w.put(ps.body == body_type::seven_bit        ? "7BIT"
          : ps.body == body_type::eight_bit_mime ? "8BITMIME"
          : ps.body == body_type::binary_mime    ? "BINARYMIME"
                                                 : "");
}
constexpr void format_value_smtputf8(writer&, const params&) noexcept {}
constexpr void format_value_ret(writer& w, const params& ps) noexcept {
    w.put('=');
    w.put(ps.ret == ret_type::full ? "FULL" : ps.ret == ret_type::hdrs ? "HDRS" : "");
}
constexpr void format_value_envid(writer& w, const params& ps) noexcept {
    w.put('=');
    w.put(ps.envid);
}
constexpr void format_value_auth(writer& w, const params& ps) noexcept {
    w.put('=');
    w.put(ps.auth);
}
constexpr void format_value_requiretls(writer&, const params&) noexcept {}
constexpr void format_value_mt_priority(writer& w, const params& ps) noexcept {
    w.put('=');
    w.put_i64(ps.mt_priority);
}
constexpr void format_value_holdfor(writer& w, const params& ps) noexcept {
    w.put('=');
    w.put_u64(ps.holdfor);
}
constexpr void format_value_holduntil(writer& w, const params& ps) noexcept {
    w.put('=');
    w.put(ps.holduntil);
}
constexpr void format_value_by(writer& w, const params& ps) noexcept {
    w.put('=');
    w.put_i64(ps.by_time);
    w.put(';');
    w.put(ps.by == by_mode::notify ? "N" : ps.by == by_mode::return_ ? "R" : "");
    if (ps.by_trace) w.put('T');
}
constexpr void format_value_notify(writer& w, const params& ps) noexcept {
    w.put('=');
    if (ps.notify & notify_never) w.put("NEVER");
    bool first = (ps.notify & notify_never) == 0;
    const std::pair<std::uint8_t, std::string_view> items[] = {{notify_success, "SUCCESS"},
                                                               {notify_failure, "FAILURE"},
                                                               {notify_delay, "DELAY"}};
    for (const auto& it : items) {
        if ((ps.notify & it.first) == 0) continue;
        if (!first) w.put(',');
        w.put(it.second);
        first = false;
    }
}
constexpr void format_value_orcpt(writer& w, const params& ps) noexcept {
    w.put('=');
    w.put(ps.orcpt_type);
    w.put(';');
    w.put(ps.orcpt);
}
constexpr void format_value_rrvs(writer& w, const params& ps) noexcept {
    w.put('=');
    w.put(ps.rrvs);
    if (ps.rrvs_mode != 0) {
        w.put(';');
        w.put(ps.rrvs_mode);
    }
}

constexpr void format_value_mtrk(writer& w, const params& ps) noexcept {
    w.put('=');
    w.put(ps.mtrk);
}

constexpr void format_value_solicit(writer& w, const params& ps) noexcept {
    w.put('=');
    w.put(ps.solicit);
}

/// The parameters of `ps.present`, in table order: " KEYWORD" and the value of each.
constexpr void format_params(writer& w, const params& ps) noexcept {
#define SMTPP_X_PARAM_FORMAT(pid, kw, v, ext, err, inc) \
    if (ps.has(p_##pid)) {                              \
        w.put(' ');                                     \
        w.put(kw);                                      \
        format_value_##pid(w, ps);                      \
    }
    SMTPP_ESMTP_PARAMS(SMTPP_X_PARAM_FORMAT)
#undef SMTPP_X_PARAM_FORMAT
}

}  // namespace detail
}  // namespace smtpp

#endif  // SMTPP_DETAIL_COMMAND_PARAMS_HPP
