/**
 * @file detail/client_format.hpp
 * @brief How the client writes commands: the output buffer, base64 for SASL (RFC 4648),
 *        mailbox → path, the parse-back limits, MAIL with its parameters, RCPT.
 *        Everything goes through `format_command`, which parses its own output back.
 * @private Included by client.hpp only.
 */
#ifndef SMTPP_DETAIL_CLIENT_FORMAT_HPP
#define SMTPP_DETAIL_CLIENT_FORMAT_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace smtpp {
namespace detail {

/// The commands without arguments, and the SASL cancel and the lone "." (RFC 5321 §4.1.1, RFC 4954 §4).
inline constexpr std::string_view quit_line = "QUIT\r\n";
inline constexpr std::string_view rset_line = "RSET\r\n";
inline constexpr std::string_view data_line = "DATA\r\n";
inline constexpr std::string_view starttls_line = "STARTTLS\r\n";
inline constexpr std::string_view cancel_line = "*\r\n";
inline constexpr std::string_view lone_dot = ".\r\n";

struct out_buf {
    char* p;
    std::size_t cap;
    std::size_t n = 0;
    constexpr bool put(std::string_view s) noexcept {
        if (cap - n < s.size()) return false;
        for (char c : s) p[n++] = c;
        return true;
    }
    [[nodiscard]] constexpr std::string_view view() const noexcept { return {p, n}; }
};

inline constexpr char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Base64 (RFC 4648 §4) of the concatenation of `parts`, appended to `o`; false if no room.
template <std::size_t N>
constexpr bool put_base64(out_buf& o, const std::string_view (&parts)[N]) noexcept {
    std::size_t total = 0;
    for (const auto& s : parts) total += s.size();
    if ((o.cap - o.n) / 4 < (total + 2) / 3) return false;
    unsigned acc = 0;
    int held = 0;
    for (const auto& s : parts) {
        for (char ch : s) {
            acc = (acc << 8) | static_cast<unsigned char>(ch);
            if (++held == 3) {
                o.p[o.n++] = b64_alphabet[(acc >> 18) & 63];
                o.p[o.n++] = b64_alphabet[(acc >> 12) & 63];
                o.p[o.n++] = b64_alphabet[(acc >> 6) & 63];
                o.p[o.n++] = b64_alphabet[acc & 63];
                acc = 0;
                held = 0;
            }
        }
    }
    if (held == 1) {
        acc <<= 16;
        o.p[o.n++] = b64_alphabet[(acc >> 18) & 63];
        o.p[o.n++] = b64_alphabet[(acc >> 12) & 63];
        o.p[o.n++] = '=';
        o.p[o.n++] = '=';
    } else if (held == 2) {
        acc <<= 8;
        o.p[o.n++] = b64_alphabet[(acc >> 18) & 63];
        o.p[o.n++] = b64_alphabet[(acc >> 12) & 63];
        o.p[o.n++] = b64_alphabet[(acc >> 6) & 63];
        o.p[o.n++] = '=';
    }
    return true;
}

constexpr bool has_8bit_octet(std::string_view s) noexcept {
    for (char c : s)
        if (static_cast<unsigned char>(c) >= 0x80) return true;
    return false;
}

/// "local@domain" → a `path` for the formatter (the last "@" splits: a quoted local part
/// may hold "@"). "" → the null path; "Postmaster" → `<Postmaster>`.
constexpr path make_path(std::string_view mailbox, bool reverse) noexcept {
    path p{};
    if (mailbox.empty() && reverse) {
        p.is_null = true;
        return p;
    }
    const std::size_t at = mailbox.rfind('@');
    if (at == std::string_view::npos) {
        // Only <Postmaster> stands without a domain (RFC 5321 §4.1.1.3, case-insensitive);
        // anything else is written as "<text@>", which the parse-back refuses.
        bool postmaster = !reverse && mailbox.size() == 10;
        for (std::size_t i = 0; postmaster && i < 10; ++i) postmaster = (mailbox[i] | 0x20) == "postmaster"[i];
        p.is_postmaster = postmaster;
        p.local_part = mailbox;
        return p;
    }
    p.local_part = detail::sub(mailbox, 0, at);
    p.domain = detail::sub(mailbox, at + 1);
    p.mailbox = mailbox;
    return p;
}

/// The parse-back limits: RFC 5321 §4.5.3.1.4 (512 octets) plus the increments of the
/// extensions the server offers (§2.2.2: SIZE +26 RFC 1870 §3, SMTPUTF8 +10 RFC 6531 §3.4,
/// DSN +600 for ENVID/RET and NOTIFY/ORCPT, as the server session counts them). A longer
/// line is refused as `bad_address`, never written.
constexpr parse_options format_limits(const client_state& s, bool utf8) noexcept {
    parse_options o{};
    // The increments of the parameters this client writes (all but AUTH=), from the
    // registry (extensions.hpp `SMTPP_ESMTP_PARAMS`).
    const std::uint32_t offered = (s.flags & cf_esmtp) != 0 ? s.extensions : 0;
    o.max_line = 512 + detail::line_increment(offered, detail::all_params & ~std::uint32_t{p_auth}, false);
    o.smtputf8 = utf8;
    o.smtputf8_transaction = utf8;
    return o;
}

/// Appends one RCPT (with NOTIFY and ORCPT under DSN) to `o`: `none`, `no_space` (nothing
/// appended) or `bad_address`.
constexpr smtpp::client_error put_rcpt(const envelope& env, const client_state& s, std::string_view to,
                                       std::string_view orcpt, out_buf& o) noexcept {
    const bool dsn = s.offers(ehlo_ext::dsn);
    command c{};
    c.verb = verb::rcpt;
    c.path = make_path(to, false);
    if (dsn && env.notify != 0) {
        c.params.present |= p_notify;
        c.params.notify = env.notify;
    }
    if (dsn && !orcpt.empty()) {
        const std::size_t semi = orcpt.find(';');
        if (semi == std::string_view::npos) return smtpp::client_error::bad_address;
        c.params.present |= p_orcpt;
        c.params.orcpt_type = detail::sub(orcpt, 0, semi);
        c.params.orcpt = detail::sub(orcpt, semi + 1);
    }
    const command_format_result f = format_command(c, o.p + o.n, o.cap - o.n, format_limits(s, s.has(cf_utf8)));
    if (f.err == command_format_error::no_space) return smtpp::client_error::no_space;
    if (f.err != command_format_error::none) return smtpp::client_error::bad_address;
    o.n += f.size;
    return smtpp::client_error::none;
}

/// Appends RCPT commands from `rcpt_sent` on: all that fit when pipelining (then DATA when
/// every RCPT is written and DATA is used), one otherwise.
constexpr smtpp::client_error put_rcpts(const client_config& cfg, const envelope& env, client_state& s,
                                        out_buf& o) noexcept {
    const bool batch = s.has(cf_pipelined);
    while (s.rcpt_sent < env.to_count) {
        const std::string_view orcpt = env.orcpt != nullptr ? env.orcpt[s.rcpt_sent] : std::string_view{};
        const smtpp::client_error e = put_rcpt(env, s, env.to[s.rcpt_sent], orcpt, o);
        if (e == smtpp::client_error::no_space) {
            if (o.n == 0) return smtpp::client_error::no_space;
            return smtpp::client_error::none;  // the rest goes in the next batch
        }
        if (e != smtpp::client_error::none) return e;
        ++s.rcpt_sent;
        if (!batch) return smtpp::client_error::none;
    }
    (void)cfg;
    if (batch && !s.has(cf_bdat) && !s.has(cf_data_sent) && o.put(data_line))
        s.flags = static_cast<std::uint16_t>(s.flags | cf_data_sent);
    return smtpp::client_error::none;
}
/// MAIL FROM with its parameters: SIZE (RFC 1870 §6, when offered and known), BODY (RFC 6152,
/// RFC 3030), SMTPUTF8 (RFC 6531 §3.4), and RET / ENVID under DSN (RFC 3461 §4). `dropped`
/// becomes true when a DSN parameter was asked for and DSN is not offered.
constexpr command mail_command(const envelope& env, const client_state& s, bool utf8, bool& dropped) noexcept {
    command c{};
    c.verb = verb::mail;
    c.path = detail::make_path(env.from, true);
    if (s.offers(ehlo_ext::size) && env.size != 0) {
        c.params.present |= p_size;
        c.params.size = env.size;
    }
    if (env.body != body_type::none && env.body != body_type::seven_bit) {
        c.params.present |= p_body;
        c.params.body = env.body;
    }
    if (utf8) c.params.present |= p_smtputf8;
    const bool dsn = s.offers(ehlo_ext::dsn);
    if (env.ret != ret_type::none) {
        if (dsn) {
            c.params.present |= p_ret;
            c.params.ret = env.ret;
        } else {
            dropped = true;
        }
    }
    if (!env.envid.empty()) {
        if (dsn) {
            c.params.present |= p_envid;
            c.params.envid = env.envid;
        } else {
            dropped = true;
        }
    }
    if (!dsn && (env.notify != 0 || (!env.one_at_a_time && env.orcpt != nullptr))) dropped = true;
    return c;
}

/// Every recipient of the envelope formatted (into `out`, as scratch) before anything is
/// written: a bad one refuses the message, never half a transaction. `none`, `no_space` or
/// `bad_address`.
constexpr smtpp::client_error check_recipients(const envelope& env, const client_state& s, bool utf8, char* out,
                                               std::size_t cap) noexcept {
    for (std::size_t i = 0; !env.one_at_a_time && i < env.to_count; ++i) {
        command rc{};
        rc.verb = verb::rcpt;
        rc.path = detail::make_path(env.to[i], false);
        const command_format_result fr = format_command(rc, out, cap, detail::format_limits(s, utf8));
        if (fr.err == command_format_error::no_space) return smtpp::client_error::no_space;
        if (fr.err != command_format_error::none) return smtpp::client_error::bad_address;
    }
    return smtpp::client_error::none;
}

}  // namespace detail
}  // namespace smtpp

#endif
