/**
 * @file detail/client-inl.hpp
 * @brief The client's machinery: what each reply does in each phase (one function per
 *        phase, `client_step` dispatches), the commands that open and close a transaction,
 *        and the definitions of the functions client.hpp declares.
 * @private Included by client.hpp only, at its end.
 */
#ifndef SMTPP_DETAIL_CLIENT_INL_HPP
#define SMTPP_DETAIL_CLIENT_INL_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace smtpp {
namespace detail {

// ---- results -----------------------------------------------------------------------------

constexpr client_result make(const client_state& s, client_action a, std::uint16_t timeout = 0) noexcept {
    client_result r{};
    r.next = s;
    r.act = a;
    r.timeout = timeout;
    return r;
}

constexpr client_result fail(client_state s, smtpp::client_error e, std::uint16_t code = 0,
                             enhanced_code esc = {}) noexcept {
    s.phase = client_phase::closed;
    client_result r = make(s, client_action::close);
    r.event = client_event::failed;
    r.error = e;
    r.code = code;
    r.esc = esc;
    return r;
}

constexpr outcome outcome_of(std::uint16_t code) noexcept {
    return code >= 200 && code < 300   ? outcome::accepted
           : code >= 400 && code < 500 ? outcome::deferred
           : code >= 500               ? outcome::refused
                                       : outcome::none;
}

/// QUIT and wait for 221 (after a refusal the session can still end politely).
constexpr client_result quit(client_state s, smtpp::client_error e, std::uint16_t code = 0,
                             enhanced_code esc = {}) noexcept {
    s.phase = client_phase::quit;
    client_result r = make(s, client_action::read_reply, timeout_mail);
    r.write = quit_line;
    r.event = e == smtpp::client_error::none ? client_event::none : client_event::failed;
    r.error = e;
    r.code = code;
    r.esc = esc;
    return r;
}

constexpr client_result send_hello(const client_config& cfg, client_state s, verb v, char* out,
                                   std::size_t cap) noexcept {
    command c{};
    c.verb = v;
    c.argument = cfg.helo;
    parse_options o{};
    o.allow_helo_address_literal = true;
    const command_format_result f = format_command(c, out, cap, o);
    if (f.err == command_format_error::no_space) return fail(s, smtpp::client_error::no_space);
    if (f.err != command_format_error::none) return fail(s, smtpp::client_error::bad_address);
    s.phase = v == verb::helo ? client_phase::helo : client_phase::ehlo;
    client_result r = make(s, client_action::read_reply, timeout_mail);
    r.write = std::string_view(out, f.size);
    r.expect_ehlo = v != verb::helo;
    return r;
}

/// The mechanism to use, or `automatic` when none fits.
constexpr client_mechanism pick_mechanism(const client_config& cfg, const client_state& s) noexcept {
    const auto offered = [&](sasl_mech m) { return (s.auth_mechanisms & static_cast<std::uint32_t>(m)) != 0; };
    switch (cfg.mechanism) {
        case client_mechanism::plain:
            return offered(sasl_mech::plain) ? client_mechanism::plain : client_mechanism::automatic;
        case client_mechanism::login:
            return offered(sasl_mech::login) ? client_mechanism::login : client_mechanism::automatic;
        case client_mechanism::xoauth2:
            return offered(sasl_mech::xoauth2) ? client_mechanism::xoauth2 : client_mechanism::automatic;
        case client_mechanism::automatic: break;
    }
    if (offered(sasl_mech::plain)) return client_mechanism::plain;
    if (offered(sasl_mech::login)) return client_mechanism::login;
    return client_mechanism::automatic;
}

/// RFC 4954 §4: the AUTH command with the initial response when the line stays within 512
/// octets; otherwise without, and the response follows the first 334. LOGIN has none.
constexpr client_result send_auth(const client_config& cfg, client_state s, char* out, std::size_t cap) noexcept {
    const client_mechanism m = pick_mechanism(cfg, s);
    if (m == client_mechanism::automatic) return quit(s, smtpp::client_error::auth_unavailable);
    s.mech = m;
    s.auth_step = 0;
    s.phase = client_phase::auth;
    out_buf o{out, cap};
    const std::string_view name = m == client_mechanism::plain   ? "AUTH PLAIN"
                                  : m == client_mechanism::login ? "AUTH LOGIN"
                                                                 : "AUTH XOAUTH2";
    if (!o.put(name)) return fail(s, smtpp::client_error::no_space);
    bool ir = false;
    if (m != client_mechanism::login) {
        const std::size_t raw = m == client_mechanism::plain ? cfg.user.size() + cfg.password.size() + 2
                                                             : cfg.user.size() + cfg.password.size() + 20;
        const std::size_t line = name.size() + 1 + (raw + 2) / 3 * 4 + 2;
        if (line <= 512 && o.put(" ")) {
            ir = true;
            if (m == client_mechanism::plain) {
                const std::string_view parts[] = {std::string_view("\0", 1), cfg.user, std::string_view("\0", 1),
                                                  cfg.password};
                if (!put_base64(o, parts)) return fail(s, smtpp::client_error::no_space);
            } else {
                const std::string_view parts[] = {"user=", cfg.user,
                                                  "\x01"
                                                  "auth=Bearer ",
                                                  cfg.password, "\x01\x01"};
                if (!put_base64(o, parts)) return fail(s, smtpp::client_error::no_space);
            }
        }
    }
    if (!o.put("\r\n")) return fail(s, smtpp::client_error::no_space);
    s.flags = static_cast<std::uint16_t>(ir ? (s.flags | cf_auth_ir) : (s.flags & ~cf_auth_ir));
    client_result r = make(s, client_action::read_reply, timeout_mail);
    r.write = o.view();
    return r;
}

/// After EHLO/HELO or a refused STARTTLS: TLS, then AUTH, then ready.
constexpr client_result after_hello(const client_config& cfg, client_state s, char* out, std::size_t cap) noexcept {
    if (cfg.tls != tls_mode::none && !s.has(cf_tls) && !s.has(cf_tls_tried)) {
        if (s.offers(ehlo_ext::starttls)) {
            s.phase = client_phase::starttls;
            client_result r = make(s, client_action::read_reply, timeout_mail);
            r.write = starttls_line;
            return r;
        }
        if (cfg.tls == tls_mode::required) return quit(s, smtpp::client_error::tls_unavailable);
    }
    if (!cfg.user.empty() && !s.has(cf_authed)) {
        if (!s.offers(ehlo_ext::auth) || (!s.has(cf_tls) && !cfg.auth_without_tls))
            return quit(s, smtpp::client_error::auth_unavailable);
        return send_auth(cfg, s, out, cap);
    }
    s.phase = client_phase::ready;
    client_result r = make(s, client_action::ready);
    r.event = client_event::session;
    return r;
}


/// The transaction failed: RSET (RFC 5321 §4.1.1.5) and report on its reply.
constexpr client_result fail_transaction(client_state s, smtpp::client_error e, std::uint16_t code,
                                         enhanced_code esc) noexcept {
    if (!s.has(cf_failed)) {
        s.flags = static_cast<std::uint16_t>(s.flags | cf_failed);
        s.fail_error = e;
        s.fail_code = code;
        s.fail_esc = esc;
    }
    s.phase = client_phase::rset;
    client_result r = make(s, client_action::read_reply, timeout_mail);
    r.write = rset_line;
    return r;
}

/// The transaction ended: report, back to ready.
constexpr client_result end_transaction(client_state s, smtpp::client_error e, std::uint16_t code,
                                        enhanced_code esc) noexcept {
    s.phase = client_phase::ready;
    s.flags = static_cast<std::uint16_t>(s.flags & (cf_esmtp | cf_tls | cf_authed | cf_tls_tried));
    client_result r = make(s, client_action::ready);
    r.event = client_event::message;
    r.error = e;
    r.code = code;
    r.esc = esc;
    // A failed transaction is never "accepted", whatever code came last (a 2xx after the
    // lone "." of a message without recipients, RFC 2920 §3.1, says nothing was delivered).
    r.outcome = e == smtpp::client_error::none ? outcome::accepted
                : code >= 400 && code < 500    ? outcome::deferred
                                               : outcome::refused;
    return r;
}

/// What follows the reply to the last RCPT (or the last reply in a batch).
constexpr client_result after_rcpts(const client_config& cfg, const envelope& env, client_state s, char* out,
                                    std::size_t cap) noexcept {
    out_buf o{out, cap};
    if (!s.has(cf_mail_ok)) {  // MAIL refused: no more RCPTs; a pipelined DATA still answers
        if (s.has(cf_data_sent)) {
            s.phase = client_phase::data;
            return make(s, client_action::read_reply, timeout_data_init);
        }
        return fail_transaction(s, smtpp::client_error::mail_refused, s.fail_code, s.fail_esc);
    }
    if (env.one_at_a_time && !s.has(cf_rcpt_done)) {  // ask the host for the next one
        s.phase = client_phase::recipient;
        return make(s, client_action::next_recipient);
    }
    if (!env.one_at_a_time && s.rcpt_sent < env.to_count) {  // more RCPTs to write (one at a time, or the next batch)
        const smtpp::client_error e = put_rcpts(cfg, env, s, o);
        if (e != smtpp::client_error::none) return fail(s, e);
        s.phase = client_phase::rcpt;
        client_result r = make(s, client_action::read_reply, timeout_rcpt);
        r.write = o.view();
        return r;
    }
    if (s.has(cf_data_sent)) {  // pipelined DATA: its reply is next
        s.phase = client_phase::data;
        return make(s, client_action::read_reply, timeout_data_init);
    }
    if (s.accepted == 0) {
        const smtpp::client_error e = s.rcpt_sent == 0    ? smtpp::client_error::no_recipient_given
                                      : s.has(cf_mail_ok) ? smtpp::client_error::no_recipients
                                                          : s.fail_error;
        return fail_transaction(s, e, s.fail_code, s.fail_esc);
    }
    if (s.has(cf_bdat)) {
        s.phase = client_phase::body;
        client_result r = make(s, client_action::send_body, timeout_data_block);
        r.bdat = true;
        return r;
    }
    s.phase = client_phase::data;
    client_result r = make(s, client_action::read_reply, timeout_data_init);
    r.write = data_line;
    return r;
}

/// The reply after the body: the message's (SMTP), or the next accepted recipient's (LMTP,
/// RFC 2033 §4.2: one reply per accepted recipient, in RCPT order).
constexpr client_result final_reply(const client_config& cfg, client_state s, const server_reply& rep) noexcept {
    const std::uint16_t code = rep.code;
    if (!cfg.lmtp)
        return end_transaction(s, code < 300 ? smtpp::client_error::none : smtpp::client_error::message_refused, code,
                               rep.esc);
    const std::uint16_t k = s.delivered;
    s.delivered = static_cast<std::uint16_t>(s.delivered + 1);
    client_result r{};
    if (s.delivered < s.accepted) {
        s.phase = client_phase::final;
        r = make(s, client_action::read_reply, timeout_data_end);
    } else {
        r = end_transaction(s, smtpp::client_error::none, code, rep.esc);
    }
    r.event = client_event::delivery;
    r.error = smtpp::client_error::none;
    r.index = k;
    r.code = code;
    r.esc = rep.esc;
    r.outcome = outcome_of(code);
    return r;
}

// ---- one function per phase: the reply `rep` in that phase -------------------------------
// Forced inline: client_step dispatches to them, and as calls they cost 14 % more
// instructions per session (callgrind, bench_client's session).
// `client_step` calls them with a valid code only (200 to 559, RFC 5321 §4.2), never 421.

SMTPP_HOT_INLINE constexpr client_result on_greeting(const client_config& cfg, client_state s, const server_reply& rep,
                                                     char* out, std::size_t cap) noexcept {
    const std::uint16_t code = rep.code;
    if (code == 220) return send_hello(cfg, s, cfg.lmtp ? verb::lhlo : verb::ehlo, out, cap);
    if (code >= 400) return quit(s, smtpp::client_error::greeting_refused, code, rep.esc);
    return fail(s, smtpp::client_error::greeting_refused, code, rep.esc);
}

SMTPP_HOT_INLINE constexpr client_result on_ehlo(const client_config& cfg, client_state s, const server_reply& rep,
                                                 char* out, std::size_t cap) noexcept {
    const std::uint16_t code = rep.code;
    if (code == 250) {
        s.flags = static_cast<std::uint16_t>(s.flags | cf_esmtp);
        s.extensions = rep.extensions;
        s.auth_mechanisms = rep.auth_mechanisms;
        s.size = rep.extensions & static_cast<std::uint32_t>(ehlo_ext::size) ? rep.size : 0;
        return after_hello(cfg, s, out, cap);
    }
    // RFC 5321 §3.2: a server that does not know EHLO answers 500/502 (§4.1.4);
    // then HELO. LMTP has no HELO (RFC 2033 §4.1); after TLS EHLO must work.
    if ((code == 500 || code == 502) && !cfg.lmtp && !s.has(cf_tls)) return send_hello(cfg, s, verb::helo, out, cap);
    if (code >= 400) return quit(s, smtpp::client_error::ehlo_refused, code, rep.esc);
    return fail(s, smtpp::client_error::protocol, code, rep.esc);
}

SMTPP_HOT_INLINE constexpr client_result on_helo(const client_config& cfg, client_state s, const server_reply& rep,
                                                 char* out, std::size_t cap) noexcept {
    const std::uint16_t code = rep.code;
    if (code == 250) {
        s.flags = static_cast<std::uint16_t>(s.flags & ~cf_esmtp);
        s.extensions = 0;
        s.auth_mechanisms = 0;
        s.size = 0;
        return after_hello(cfg, s, out, cap);
    }
    if (code >= 400) return quit(s, smtpp::client_error::ehlo_refused, code, rep.esc);
    return fail(s, smtpp::client_error::protocol, code, rep.esc);
}

SMTPP_HOT_INLINE constexpr client_result on_starttls(const client_config& cfg, client_state s, const server_reply& rep,
                                                     char* out, std::size_t cap) noexcept {
    const std::uint16_t code = rep.code;
    if (code == 220) {
        // RFC 3207 §4.2: nothing may follow the 220 before the handshake; anything
        // buffered would be read as if it came over TLS (CVE-2021-38371 class).
        if (rep.trailing) return fail(s, smtpp::client_error::response_injection, code, rep.esc);
        s.phase = client_phase::tls;
        return make(s, client_action::start_tls);
    }
    if (code >= 400) {
        if (cfg.tls == tls_mode::required) return quit(s, smtpp::client_error::tls_refused, code, rep.esc);
        s.flags = static_cast<std::uint16_t>(s.flags | cf_tls_tried);
        return after_hello(cfg, s, out, cap);
    }
    return fail(s, smtpp::client_error::protocol, code, rep.esc);
}

/// A 334 challenge (RFC 4954 §4): the response the mechanism's next step sends. The steps
/// each mechanism has: PLAIN 1 (without initial response), LOGIN 2 (user, password),
/// XOAUTH2: a 334 after the response carries the error; answer with an empty line (the
/// server then sends 535). Past the last step: "*" cancels; the server answers 501 and we stop.
SMTPP_HOT_INLINE constexpr client_result on_auth_challenge(const client_config& cfg, client_state s, std::uint16_t code,
                                                           char* out, std::size_t cap) noexcept {
    const std::uint8_t step = s.auth_step;
    s.auth_step = static_cast<std::uint8_t>(step < 255 ? step + 1 : 255);
    const bool ir = s.has(cf_auth_ir);
    out_buf o{out, cap};
    bool ok = true;
    if (s.mech == client_mechanism::plain && !ir && step == 0) {
        const std::string_view parts[] = {std::string_view("\0", 1), cfg.user, std::string_view("\0", 1), cfg.password};
        ok = put_base64(o, parts);
    } else if (s.mech == client_mechanism::login && step < 2) {
        const std::string_view parts[] = {step == 0 ? cfg.user : cfg.password};
        ok = put_base64(o, parts);
    } else if (s.mech == client_mechanism::xoauth2 && !ir && step == 0) {
        const std::string_view parts[] = {"user=", cfg.user,
                                          "\x01"
                                          "auth=Bearer ",
                                          cfg.password, "\x01\x01"};
        ok = put_base64(o, parts);
    } else if (s.mech == client_mechanism::xoauth2 && step == (ir ? 0 : 1)) {
        ok = true;  // the error challenge: an empty response
    } else {
        s.phase = client_phase::quit;
        client_result r = make(s, client_action::read_reply, timeout_mail);
        r.write = cancel_line;
        r.event = client_event::failed;
        r.error = smtpp::client_error::auth_loop;
        r.code = code;
        return r;
    }
    if (!ok || !o.put("\r\n")) return fail(s, smtpp::client_error::no_space);
    client_result r = make(s, client_action::read_reply, timeout_mail);
    r.write = o.view();
    return r;
}

SMTPP_HOT_INLINE constexpr client_result on_auth(const client_config& cfg, client_state s, const server_reply& rep,
                                                 char* out, std::size_t cap) noexcept {
    const std::uint16_t code = rep.code;
    if (code == 235) {
        s.flags = static_cast<std::uint16_t>(s.flags | cf_authed);
        s.phase = client_phase::ready;
        client_result r = make(s, client_action::ready);
        r.event = client_event::session;
        return r;
    }
    if (code == 334) return on_auth_challenge(cfg, s, code, out, cap);
    if (code >= 400) return quit(s, smtpp::client_error::auth_failed, code, rep.esc);
    return fail(s, smtpp::client_error::protocol, code, rep.esc);
}

SMTPP_HOT_INLINE constexpr client_result on_mail(const client_config& cfg, const envelope& env, client_state s,
                                                 const server_reply& rep, char* out, std::size_t cap) noexcept {
    const std::uint16_t code = rep.code;
    if (code >= 300 && code < 400) return fail(s, smtpp::client_error::protocol, code, rep.esc);
    if (code < 300) {
        s.flags = static_cast<std::uint16_t>(s.flags | cf_mail_ok);
    } else if (!s.has(cf_failed)) {
        s.flags = static_cast<std::uint16_t>(s.flags | cf_failed);
        s.fail_error = smtpp::client_error::mail_refused;
        s.fail_code = code;
        s.fail_esc = rep.esc;
    }
    if (s.has(cf_pipelined)) {  // the RCPT replies follow
        s.phase = s.rcpt_sent > 0 ? client_phase::rcpt : client_phase::data;
        if (s.rcpt_sent > 0) return make(s, client_action::read_reply, timeout_rcpt);
        return after_rcpts(cfg, env, s, out, cap);
    }
    if (s.has(cf_failed)) return fail_transaction(s, smtpp::client_error::mail_refused, code, rep.esc);
    return after_rcpts(cfg, env, s, out, cap);
}

SMTPP_HOT_INLINE constexpr client_result on_rcpt(const client_config& cfg, const envelope& env, client_state s,
                                                 const server_reply& rep, char* out, std::size_t cap) noexcept {
    const std::uint16_t code = rep.code;
    if (code >= 300 && code < 400) return fail(s, smtpp::client_error::protocol, code, rep.esc);
    const std::uint16_t i = s.rcpt_replied;
    ++s.rcpt_replied;
    client_result r{};
    // After a refused MAIL, the RCPT replies (503) say nothing about the recipient:
    // its outcome is MAIL's (RFC 2920 §3.1).
    const bool mail_failed = !s.has(cf_mail_ok);
    const std::uint16_t rc = mail_failed ? s.fail_code : code;
    const enhanced_code re = mail_failed ? s.fail_esc : rep.esc;
    if (!mail_failed && code < 300) s.accepted = static_cast<std::uint16_t>(s.accepted + 1);
    if (s.rcpt_replied < s.rcpt_sent) {
        r = make(s, client_action::read_reply, timeout_rcpt);
    } else {
        r = after_rcpts(cfg, env, s, out, cap);
    }
    if (r.event == client_event::none) {
        r.event = client_event::recipient;
        r.index = i;
        r.code = rc;
        r.esc = re;
        r.outcome = outcome_of(rc);
    }
    return r;
}

SMTPP_HOT_INLINE constexpr client_result on_data(const client_config& cfg, client_state s,
                                                 const server_reply& rep) noexcept {
    const std::uint16_t code = rep.code;
    if (code == 354) {
        // RFC 2033 §4.2: an LMTP server "MUST" refuse DATA without a successful
        // RCPT; after "." it would owe zero replies, and the client would wait forever.
        if (s.accepted == 0 && cfg.lmtp) return fail(s, smtpp::client_error::protocol, code, rep.esc);
        if (s.accepted == 0) {
            // RFC 2920 §3.1: DATA was pipelined and every RCPT failed, yet 354:
            // end the empty message at once and expect its refusal.
            s.flags = static_cast<std::uint16_t>(s.flags | cf_void_data);
            s.phase = client_phase::final;
            client_result r = make(s, client_action::read_reply, timeout_data_end);
            r.write = lone_dot;
            return r;
        }
        s.phase = client_phase::body;
        return make(s, client_action::send_body, timeout_data_block);
    }
    if (code >= 400) {
        const smtpp::client_error e = s.accepted == 0
                                          ? (s.has(cf_mail_ok) ? smtpp::client_error::no_recipients : s.fail_error)
                                          : smtpp::client_error::data_refused;
        return fail_transaction(s, e, s.accepted == 0 && s.fail_code != 0 ? s.fail_code : code,
                                s.accepted == 0 && s.fail_code != 0 ? s.fail_esc : rep.esc);
    }
    return fail(s, smtpp::client_error::protocol, code, rep.esc);
}

SMTPP_HOT_INLINE constexpr client_result on_chunk(const client_config& cfg, client_state s,
                                                  const server_reply& rep) noexcept {
    const std::uint16_t code = rep.code;
    if (code >= 300 && code < 400) return fail(s, smtpp::client_error::protocol, code, rep.esc);
    if (s.has(cf_void_data)) {  // the reply to BDAT LAST is the final reply
        s.flags = static_cast<std::uint16_t>(s.flags & ~cf_void_data);
        s.phase = client_phase::final;
        return final_reply(cfg, s, rep);
    }
    if (code < 300) {  // the next chunk
        s.phase = client_phase::body;
        client_result r = make(s, client_action::send_body, timeout_data_block);
        r.bdat = true;
        return r;
    }
    return fail_transaction(s, smtpp::client_error::data_refused, code, rep.esc);
}

SMTPP_HOT_INLINE constexpr client_result on_final(const client_config& cfg, client_state s,
                                                  const server_reply& rep) noexcept {
    const std::uint16_t code = rep.code;
    if (code >= 300 && code < 400) return fail(s, smtpp::client_error::protocol, code, rep.esc);
    if (s.has(cf_void_data)) return end_transaction(s, smtpp::client_error::no_recipients, code, rep.esc);
    return final_reply(cfg, s, rep);
}

SMTPP_HOT_INLINE constexpr client_result on_rset(client_state s, const server_reply& rep) noexcept {
    if (rep.code == 250) {
        const smtpp::client_error e = s.fail_error == smtpp::client_error::none ? smtpp::client_error::message_refused
                                                                                : s.fail_error;
        return end_transaction(s, e, s.fail_code, s.fail_esc);
    }
    return fail(s, smtpp::client_error::protocol, rep.code, rep.esc);
}

// ---- opening a transaction ---------------------------------------------------------------

/// A message refused before anything is written: a `message` event, still ready.
constexpr client_result refuse_message(const client_state& s, smtpp::client_error e) noexcept {
    client_result r = make(s, client_action::ready);
    r.event = client_event::message;
    r.error = e;
    r.outcome = outcome::refused;
    return r;
}

/// The envelope needs SMTPUTF8: asked for, or an 8-bit octet in an address (RFC 6531 §3.2).
constexpr bool needs_utf8(const envelope& env) noexcept {
    bool utf8 = env.smtputf8 || has_8bit_octet(env.from);
    for (std::size_t i = 0; !env.one_at_a_time && i < env.to_count && !utf8; ++i) utf8 = has_8bit_octet(env.to[i]);
    return utf8;
}

/// Why the server cannot take this message as it stands, or `none`: an extension it lacks
/// (RFC 6531 §3.2, RFC 6152 §3, RFC 3030 §3), or more than its SIZE (RFC 1870 §6: do not
/// send a message the server said it cannot take).
constexpr smtpp::client_error unsendable(const envelope& env, const client_state& s, bool utf8) noexcept {
    if (utf8 && !s.offers(ehlo_ext::smtputf8)) return smtpp::client_error::needs_smtputf8;
    if (env.body == body_type::eight_bit_mime && !s.offers(ehlo_ext::eightbitmime))
        return smtpp::client_error::needs_8bitmime;
    const bool chunking = s.offers(ehlo_ext::chunking);
    if (env.body == body_type::binary_mime && !(chunking && s.offers(ehlo_ext::binarymime)))
        return smtpp::client_error::needs_binarymime;
    if (s.offers(ehlo_ext::size) && s.size != 0 && env.size > s.size) return smtpp::client_error::too_big;
    return smtpp::client_error::none;
}

/// The state of a new transaction: the session's flags kept, the transaction's set (batching,
/// BDAT, SMTPUTF8), the counters zero.
constexpr client_state begin_transaction(const client_config& cfg, const envelope& env, client_state s,
                                         bool utf8) noexcept {
    s.flags = static_cast<std::uint16_t>(s.flags & (cf_esmtp | cf_tls | cf_authed | cf_tls_tried));
    if (cfg.use_pipelining && s.offers(ehlo_ext::pipelining))
        s.flags = static_cast<std::uint16_t>(s.flags | cf_pipelined);
    if ((cfg.use_chunking && s.offers(ehlo_ext::chunking)) || env.body == body_type::binary_mime)
        s.flags = static_cast<std::uint16_t>(s.flags | cf_bdat);
    if (utf8) s.flags = static_cast<std::uint16_t>(s.flags | cf_utf8);
    s.rcpt_sent = 0;
    s.rcpt_replied = 0;
    s.accepted = 0;
    s.delivered = 0;
    s.fail_code = 0;
    s.fail_esc = {};
    s.fail_error = smtpp::client_error::none;
    s.pending = 0;
    return s;
}

/// One at a time, PIPELINING: the batch in `out[0, pending)` is written now; the replies to
/// read are MAIL's (when it is in the batch) and the RCPTs'.
constexpr client_result flush_batch(client_state s, char* out) noexcept {
    const std::size_t n = s.pending;
    s.pending = 0;
    const bool mail_unanswered = !s.has(cf_mail_ok) && !s.has(cf_failed);
    s.phase = mail_unanswered                ? client_phase::mail
              : s.rcpt_replied < s.rcpt_sent ? client_phase::rcpt
                                             : client_phase::data;
    client_result r = make(s, client_action::read_reply,
                           s.phase == client_phase::data ? timeout_data_init
                           : mail_unanswered             ? timeout_mail
                                                         : timeout_rcpt);
    r.write = std::string_view(out, n);
    return r;
}

/// One at a time: a recipient refused locally (RFC 6531 §3.4, syntax, count), nothing written.
constexpr client_result refuse_recipient(const client_state& s, smtpp::client_error e) noexcept {
    client_result r = make(s, client_action::next_recipient);
    r.event = client_event::recipient;
    r.index = s.rcpt_sent;
    r.outcome = outcome::refused;
    r.error = e;
    r.taken = true;
    return r;
}

}  // namespace detail

// ---- the public functions (declared and documented in client.hpp) -------------------------

constexpr client_result client_start(const client_config& cfg) noexcept {
    (void)cfg;
    client_state s{};
    s.phase = client_phase::greeting;
    return detail::make(s, client_action::read_reply, timeout_initial);
}

constexpr client_result client_step(const client_config& cfg, const envelope& env, const client_state& st,
                                    const server_reply& rep, char* out, std::size_t cap) noexcept {
    using detail::fail;
    client_state s = st;
    const std::uint16_t code = rep.code;
    const client_phase ph = s.phase;
    // A phase whose row is empty awaits no reply.
    if (detail::client_transitions[static_cast<std::size_t>(ph)][0].next == 0)
        return fail(s, smtpp::client_error::unexpected_reply, code, rep.esc);
    if (!is_valid_reply_code(code)) return fail(s, smtpp::client_error::protocol, code, rep.esc);
    // 421 at any point: the server is closing the channel (RFC 5321 §3.8).
    if (code == 421 && ph != client_phase::quit) return fail(s, smtpp::client_error::service_closing, code, rep.esc);
    switch (ph) {
        case client_phase::greeting: return detail::on_greeting(cfg, s, rep, out, cap);
        case client_phase::ehlo: return detail::on_ehlo(cfg, s, rep, out, cap);
        case client_phase::helo: return detail::on_helo(cfg, s, rep, out, cap);
        case client_phase::starttls: return detail::on_starttls(cfg, s, rep, out, cap);
        case client_phase::auth: return detail::on_auth(cfg, s, rep, out, cap);
        case client_phase::mail: return detail::on_mail(cfg, env, s, rep, out, cap);
        case client_phase::rcpt: return detail::on_rcpt(cfg, env, s, rep, out, cap);
        case client_phase::data: return detail::on_data(cfg, s, rep);
        case client_phase::chunk: return detail::on_chunk(cfg, s, rep);
        case client_phase::final: return detail::on_final(cfg, s, rep);
        case client_phase::rset: return detail::on_rset(s, rep);
        case client_phase::quit: s.phase = client_phase::closed; return detail::make(s, client_action::close);
        default: break;
    }
    return fail(s, smtpp::client_error::unexpected_reply, code, rep.esc);
}

constexpr client_result client_tls_established(const client_config& cfg, const client_state& st, char* out,
                                               std::size_t cap) noexcept {
    client_state s = st;
    if (s.phase != client_phase::tls) return detail::fail(s, smtpp::client_error::invalid_call);
    s.flags = static_cast<std::uint16_t>(cf_tls);
    s.extensions = 0;
    s.auth_mechanisms = 0;
    s.size = 0;
    return detail::send_hello(cfg, s, cfg.lmtp ? verb::lhlo : verb::ehlo, out, cap);
}

constexpr client_result client_send(const client_config& cfg, const envelope& env, const client_state& st, char* out,
                                    std::size_t cap) noexcept {
    client_state s = st;
    if (s.phase != client_phase::ready) return detail::fail(s, smtpp::client_error::invalid_call);
    if (!env.one_at_a_time && (env.to_count == 0 || env.to_count > 0xFFFF || env.to == nullptr))
        return detail::refuse_message(s, smtpp::client_error::no_recipient_given);
    const bool utf8 = detail::needs_utf8(env);
    const smtpp::client_error why = detail::unsendable(env, s, utf8);
    if (why != smtpp::client_error::none) return detail::refuse_message(s, why);

    s = detail::begin_transaction(cfg, env, s, utf8);
    bool dropped = false;
    const command c = detail::mail_command(env, s, utf8, dropped);
    // Every recipient is checked before anything is written (the RCPTs are formatted again
    // when sent).
    const smtpp::client_error bad = detail::check_recipients(env, s, utf8, out, cap);
    if (bad == smtpp::client_error::no_space) return detail::fail(s, bad);
    if (bad != smtpp::client_error::none) return detail::refuse_message(s, bad);
    detail::out_buf o{out, cap};
    const command_format_result f = format_command(c, out, cap, detail::format_limits(s, utf8));
    if (f.err == command_format_error::no_space) return detail::fail(s, smtpp::client_error::no_space);
    if (f.err != command_format_error::none) return detail::refuse_message(s, smtpp::client_error::bad_address);
    o.n = f.size;
    if (env.one_at_a_time && s.has(cf_pipelined)) {
        // MAIL opens the batch; the RCPTs join it as the host gives them.
        if (f.size > 0xFFFFFFFFu) return detail::fail(s, smtpp::client_error::no_space);
        s.pending = static_cast<std::uint32_t>(f.size);
        s.phase = client_phase::recipient;
        client_result r = detail::make(s, client_action::next_recipient);
        r.dsn_dropped = dropped;
        return r;
    }
    if (s.has(cf_pipelined)) {
        const smtpp::client_error e = detail::put_rcpts(cfg, env, s, o);
        if (e == smtpp::client_error::bad_address) return detail::refuse_message(s, e);
        if (e != smtpp::client_error::none) return detail::fail(s, e);
    }
    s.phase = client_phase::mail;
    client_result r = detail::make(s, client_action::read_reply, timeout_mail);
    r.write = o.view();
    r.dsn_dropped = dropped;
    return r;
}

constexpr client_result client_recipient(const client_config& cfg, const envelope& env, const client_state& st,
                                         std::string_view to, std::string_view orcpt, char* out,
                                         std::size_t cap) noexcept {
    (void)cfg;
    client_state s = st;
    if (s.phase != client_phase::recipient || !env.one_at_a_time)
        return detail::fail(s, smtpp::client_error::invalid_call);
    if (s.rcpt_sent == 0xFFFF) return detail::refuse_recipient(s, smtpp::client_error::no_recipient_given);
    // RFC 6531 §3.4: a UTF-8 address needs SMTPUTF8 on MAIL, which is already written.
    if (!s.has(cf_utf8) && detail::has_8bit_octet(to))
        return detail::refuse_recipient(s, smtpp::client_error::needs_smtputf8);
    if (cap < s.pending) return detail::fail(s, smtpp::client_error::no_space);
    detail::out_buf o{out, cap, s.pending};
    const smtpp::client_error e = detail::put_rcpt(env, s, to, orcpt, o);
    if (e == smtpp::client_error::bad_address) return detail::refuse_recipient(s, e);
    if (e == smtpp::client_error::no_space) {
        if (s.pending == 0) return detail::fail(s, smtpp::client_error::no_space);
        return detail::flush_batch(s, out);  // taken = false: the host gives it again
    }
    ++s.rcpt_sent;
    if (s.has(cf_pipelined)) {
        if (o.n > 0xFFFFFFFFu) return detail::fail(s, smtpp::client_error::no_space);
        s.pending = static_cast<std::uint32_t>(o.n);
        client_result r = detail::make(s, client_action::next_recipient);
        r.taken = true;
        return r;
    }
    s.phase = client_phase::rcpt;
    client_result r = detail::make(s, client_action::read_reply, timeout_rcpt);
    r.write = o.view();
    r.taken = true;
    return r;
}

constexpr client_result client_recipients_done(const client_config& cfg, const envelope& env, const client_state& st,
                                               char* out, std::size_t cap) noexcept {
    client_state s = st;
    if (s.phase != client_phase::recipient || !env.one_at_a_time)
        return detail::fail(s, smtpp::client_error::invalid_call);
    s.flags = static_cast<std::uint16_t>(s.flags | cf_rcpt_done);
    if (s.pending == 0) return detail::after_rcpts(cfg, env, s, out, cap);
    if (s.rcpt_sent == 0) {  // only MAIL in the batch: nothing was written, nothing to undo
        s.pending = 0;
        s.phase = client_phase::ready;
        s.flags = static_cast<std::uint16_t>(s.flags & (cf_esmtp | cf_tls | cf_authed | cf_tls_tried));
        return detail::refuse_message(s, smtpp::client_error::no_recipient_given);
    }
    if (cap < s.pending) return detail::fail(s, smtpp::client_error::no_space);
    detail::out_buf o{out, cap, s.pending};
    if (!s.has(cf_bdat) && o.put(detail::data_line)) {
        s.flags = static_cast<std::uint16_t>(s.flags | cf_data_sent);
        s.pending = static_cast<std::uint32_t>(o.n);
    }
    return detail::flush_batch(s, out);
}

constexpr client_result client_body_done(const client_config& cfg, const client_state& st) noexcept {
    (void)cfg;
    client_state s = st;
    if (s.phase != client_phase::body || s.has(cf_bdat)) return detail::fail(s, smtpp::client_error::invalid_call);
    s.phase = client_phase::final;
    return detail::make(s, client_action::read_reply, timeout_data_end);
}

constexpr client_result client_chunk(const client_config& cfg, const client_state& st, std::uint64_t size, bool last,
                                     char* out, std::size_t cap) noexcept {
    (void)cfg;
    client_state s = st;
    if (s.phase != client_phase::body || !s.has(cf_bdat)) return detail::fail(s, smtpp::client_error::invalid_call);
    command c{};
    c.verb = verb::bdat;
    c.chunk_size = size;
    c.last = last;
    const command_format_result f = format_command(c, out, cap);
    if (f.err != command_format_error::none) return detail::fail(s, smtpp::client_error::no_space);
    // cf_void_data marks "LAST in flight" in the chunk phase (it is not used there otherwise).
    s.flags = static_cast<std::uint16_t>(last ? (s.flags | cf_void_data) : (s.flags & ~cf_void_data));
    s.phase = client_phase::chunk;
    client_result r = detail::make(s, client_action::read_reply, last ? timeout_data_end : timeout_data_block);
    r.write = std::string_view(out, f.size);
    return r;
}

constexpr client_result client_quit(const client_config& cfg, const client_state& st) noexcept {
    (void)cfg;
    client_state s = st;
    if (s.phase != client_phase::ready) return detail::fail(s, smtpp::client_error::invalid_call);
    return detail::quit(s, smtpp::client_error::none);
}

}  // namespace smtpp

#endif
