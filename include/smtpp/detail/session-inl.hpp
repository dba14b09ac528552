/**
 * @file detail/session-inl.hpp
 * @brief The definitions of session.hpp's entry points and option helpers. `step()` is a
 *        dispatcher: the phases that read no command, the exceptions named in
 *        detail/session_table.hpp, the table, the verb's own rules.
 * @private Included by session.hpp only.
 */
#ifndef SMTPP_DETAIL_SESSION_INL_HPP
#define SMTPP_DETAIL_SESSION_INL_HPP

namespace smtpp {

// =========================================================================================
// Options: the one derivation
// =========================================================================================

constexpr std::size_t command_line_limit(const policy& p, const session_state& s) noexcept {
    const std::size_t n = p.options().parse.max_line;
    return s.has(sf_esmtp) ? n + detail::policy_access::esmtp_line(p) : n;  // increments summed once
}

constexpr std::size_t line_limit(const policy& p) noexcept {
    const std::size_t cmd = p.options().parse.max_line + detail::max_line_increment;
    const std::size_t auth = p.offers(ext_auth) ? p.options().parse.max_auth_line : 0;
    return cmd > auth ? cmd : auth;
}

constexpr parse_options command_options(const policy& p, const session_state& s) noexcept {
    parse_options o = p.options().parse;
    o.max_line = command_line_limit(p, s);
    o.smtputf8 = s.has(sf_esmtp) && p.offers(ext_smtputf8);
    o.smtputf8_transaction = s.has(sf_smtputf8);
    return o;
}

constexpr data_options body_options(const policy& p, const session_state&) noexcept {
    data_options o;
    o.bare_newline = p.options().bare_newline;
    o.max_size = p.options().max_message_size;
    return o;
}

constexpr bdat_options chunk_options(const policy& p, const session_state& s) noexcept {
    bdat_options o;
    const bool binary = s.has(sf_binarymime);
    o.reject_bare_newline = !binary;
    o.reject_nul = !binary;
    o.max_size = p.options().max_message_size;
    return o;
}

constexpr session_options options_for(const policy& p, const session_state& s) noexcept {
    session_options o;
    o.line.max_line = line_limit(p);
    o.line.allow_bare_lf = p.options().parse.allow_bare_lf;  // the one switch for bare LF line ends
    o.parse = command_options(p, s);
    o.data = body_options(p, s);
    o.bdat = chunk_options(p, s);
    return o;
}

namespace detail {

// =========================================================================================
// Lines that are not commands
// =========================================================================================

/// A line inside an AUTH exchange: a SASL response, never a command (RFC 4954 §4: the
/// exchange ends with the server's 235/535 or the client's "*").
constexpr void auth_line(step_result& r, const policy& p, std::string_view line) noexcept {
    std::string_view body = line;
    if (body.size() >= 2 && body[body.size() - 2] == '\r' && body.back() == '\n') body.remove_suffix(2);
    else body = std::string_view{"\x01"};  // not a line: fails the base64 check below
    const bool too_long = line.size() > p.options().parse.max_auth_line;
    r.sasl_response = true;
    r.next.phase = phase::ready;
    if (too_long) {
        client_error(r, p, reply_index(session_reply::auth_line_too_long));
        return;
    }
    if (body == "*") {  // cancel-response = "*" → 501 (RFC 4954 §4)
        client_error(r, p, reply_index(session_reply::auth_aborted));
        return;
    }
    if (!body.empty() && body != "=" && !is_base64(body)) {
        client_error(r, p, reply_index(session_reply::auth_bad_response));
        return;
    }
    r.next.phase = phase::auth;
    r.next.pending = pending::credentials;
    r.act = action::verify_credentials;
    r.has_sasl = true;
    r.sasl = body == "=" ? std::string_view{} : body;
}

/// step() outside the command phases: a misuse, a SASL response, bytes behind STARTTLS,
/// input after close or before the greeting. The line is not parsed: `cmd` is cleared.
constexpr void not_a_command(step_result& r, const policy& p, const session_state& s, std::string_view line,
                             command& cmd) noexcept {
    clear(cmd);
    if (s.pending != pending::none) {
        misuse_into(r, p, s);
        return;
    }
    switch (s.phase) {
        case phase::auth: auth_line(r, p, line); return;
        case phase::tls:
            // Bytes behind STARTTLS are never answered (RFC 3207 §4.2, CVE-2011-0411).
            return;
        case phase::closed:
            r.act = action::close;  // after close nothing is answered
            return;
        case phase::connect:
            // Input before the greeting: a pre-greet talker (RFC 5321 §3.1, §4.3.1: the
            // client waits for the 220; one that does not is not a conforming client).
            close_with(r, p, reply_index(session_reply::sync_error));
            return;
        default: misuse_into(r, p, s); return;
    }
}

// =========================================================================================
// The entry points' transitions (the C API calls these directly)
// =========================================================================================

constexpr step_result start_core(const policy& p, const session_state& s) noexcept {
    step_result r;
    r.next = s;
    if (s.phase != phase::connect) return misuse(p, s);
    if (p.error() != policy_error::none) {
        close_with(r, p, reply_index(session_reply::local_error));
        return r;
    }
    r.next.phase = phase::fresh;
    set_reply(r, p, reply_index(session_reply::greeting));
    return r;
}

/// The dispatcher: lines outside the command phases; the exceptions before the table
/// (BDAT framing, unusable line, the other protocol's greeting, sync points); the table's
/// refusals; argument syntax (RFC 5321 §4.1.4: 501, same state); TLS/AUTH required; the
/// verb's own rules; else the table's reply and next phase.
constexpr step_result step_core(const policy& p, const session_state& s, std::string_view line, command& cmd,
                                bool input_pending) noexcept {
    // One result object for every path (NRVO). The command lives in the host's storage:
    // zeroing and copying 300-odd bytes per step cost more than the transition itself.
    step_result r;
    r.next = s;
    // Commands are read in fresh, ready, mail and rcpt (1..4) with no decision pending.
    static_assert(static_cast<int>(phase::fresh) == 1 && static_cast<int>(phase::rcpt) == 4, "command phases");
    if (s.pending != pending::none || static_cast<unsigned>(s.phase) - 1u >= 4u) {
        not_a_command(r, p, s, line, cmd);
        return r;
    }
    const command_error err = parse_command(line, cmd, command_options(p, s));
    r.error = err;
    const command& c = cmd;
    if (unframable_bdat(r, p, s, line, c, err) || unusable_line(r, p, err) || wrong_greeting(r, p, c) ||
        sync_violation(r, p, s, c, err, input_pending))
        return r;
    const transition t = transitions[static_cast<std::size_t>(s.phase)][static_cast<std::size_t>(c.verb)];
    if (t.kind != rule::accept) {
        refused(r, p, s, c, t);
        return r;
    }
    if (err != command_error::none) {
        client_error(r, p, reply_index(err));
        return r;
    }
    if (tls_or_auth_required(r, p, s, c) || run_verb(r, p, s, c, input_pending)) return r;
    r.next.phase = t.next;
    set_reply(r, p, reply_index(t.reply));
    return r;
}

constexpr step_result resolve_core(const policy& p, const session_state& s, verdict v) noexcept {
    const auto vi = static_cast<std::size_t>(v);
    if (s.pending == pending::none || vi >= verdict_count) return misuse(p, s);
    step_result r;
    r.next = s;
    r.next.pending = pending::none;
    const session_reply rep = verdict_replies[static_cast<std::size_t>(s.pending)][vi];
    switch (s.pending) {
        case pending::sender:
            if (v == verdict::accept) r.next.phase = phase::mail;
            else reset_transaction(r.next);
            break;
        case pending::recipient:
            if (v == verdict::accept) {
                r.next.phase = phase::rcpt;
                if (r.next.recipients != 0xFFFF) ++r.next.recipients;
            }
            break;
        case pending::credentials:
            r.next.phase = phase::ready;
            if (v == verdict::accept) {
                r.next.flags = static_cast<std::uint16_t>(r.next.flags | sf_authenticated);
            } else if (rep == session_reply::auth_failed || rep == session_reply::auth_too_weak) {
                client_error(r, p, reply_index(rep));  // brute force counts
                return r;
            }
            break;
        case pending::delivery:
            if (p.options().lmtp && s.index + 1u < s.recipients) {
                r.next.pending = pending::delivery;
                r.next.index = static_cast<std::uint16_t>(s.index + 1u);
                r.act = action::deliver;
                r.index = r.next.index;
            } else {
                reset_transaction(r.next);
            }
            break;
        case pending::none: break;
    }
    set_reply(r, p, reply_index(rep));
    return r;
}

/// A `data_error` past the enum (a host bug, e.g. a cast from its own code): a misuse, as
/// a `verdict` past its enum is for `resolve()`. Its reply row would otherwise be that of
/// `none`, "250 Ok", for a body neither delivered nor refused (RFC 5321 §6.1).
constexpr bool data_error_in_range(data_error v) noexcept { return static_cast<std::size_t>(v) < data_error_count; }

constexpr step_result end_of_data_core(const policy& p, const session_state& s, data_error v) noexcept {
    if (s.phase != phase::data || s.pending != pending::none || !data_error_in_range(v)) return misuse(p, s);
    return body_done(p, s, v);
}

/// The end of a chunk whose octets were dropped: the reply it owes (`deferred`).
constexpr step_result discarded_chunk_done(const policy& p, const session_state& s, step_result& r) noexcept {
    const std::size_t owed = s.deferred;
    r.next.phase = s.resume;
    r.next.deferred = 0;
    const bool in_txn = s.resume == phase::mail || s.resume == phase::rcpt;
    if (s.has(sf_chunk_last) && in_txn) {  // LAST ends the failed transaction: the client starts over
        r.next.phase = phase::ready;
        reset_transaction(r.next);
    }
    if (owed == no_reply) return r;  // LMTP: zero replies (RFC 2033 §4.3)
    if (owed == reply_index(session_reply::chunk_ok)) {
        set_reply(r, p, owed);
        return r;
    }
    client_error(r, p, owed);
    return r;
}

constexpr step_result end_of_chunk_core(const policy& p, const session_state& s, data_error v) noexcept {
    if (s.phase != phase::chunk || s.pending != pending::none || !data_error_in_range(v)) return misuse(p, s);
    const bool last = s.has(sf_chunk_last);
    step_result r;
    r.next = s;
    r.next.flags = static_cast<std::uint16_t>(r.next.flags & ~(sf_chunk_last | sf_chunk_discard));
    if (s.has(sf_chunk_discard)) return discarded_chunk_done(p, s, r);
    if (v != data_error::none) {
        if (last) return body_done(p, r.next, v);
        r.next.phase = phase::rcpt;
        r.next.flags = static_cast<std::uint16_t>(r.next.flags | sf_bdat_failed | sf_bdat_used);
        set_reply(r, p, reply_index(v));
        return r;
    }
    r.next.flags = static_cast<std::uint16_t>(r.next.flags | sf_bdat_used);
    if (last) return body_done(p, r.next, data_error::none);
    r.next.phase = phase::rcpt;
    set_reply(r, p, reply_index(session_reply::chunk_ok));
    return r;
}

constexpr step_result tls_established_core(const policy& p, const session_state& s) noexcept {
    if (s.phase != phase::tls || s.pending != pending::none) return misuse(p, s);
    step_result r;
    r.next = session_state{};
    r.next.phase = phase::fresh;
    r.next.flags = sf_tls;
    r.next.errors = s.errors;
    return r;
}

/// A 421 the host asks for (timeout, shutdown): closes unless already closed.
constexpr step_result host_close(const policy& p, const session_state& s, session_reply why) noexcept {
    step_result r;
    r.next = s;
    if (s.phase == phase::closed) {
        r.act = action::close;
        return r;
    }
    close_with(r, p, reply_index(why));
    return r;
}

}  // namespace detail

// =========================================================================================
// The entry points
// =========================================================================================

constexpr step_result start(const policy& p, const session_state& s) noexcept {
    return detail::sealed(detail::start_core(p, s));
}

constexpr step_result refuse(const policy& p, session_reply reason) noexcept {
    const bool is_421 = reason == session_reply::too_many_connections || reason == session_reply::shutting_down ||
                        reason == session_reply::local_error;
    step_result r;
    detail::close_with(r, p, detail::reply_index(is_421 ? reason : session_reply::too_many_connections));
    return r;
}

constexpr step_result step(const policy& p, const session_state& s, std::string_view line, command& cmd,
                           bool input_pending) noexcept {
    return detail::sealed(detail::step_core(p, s, line, cmd, input_pending));
}

constexpr step_result on_line_error(const policy& p, const session_state& s, line_error e) noexcept {
    step_result r;
    r.next = s;
    if (s.pending != pending::none) return detail::misuse(p, s);
    switch (s.phase) {
        case phase::tls: return r;
        case phase::closed: r.act = action::close; return r;
        case phase::auth:
            r.sasl_response = true;
            r.next.phase = phase::ready;
            detail::client_error(r, p,
                                 e == line_error::too_long ? detail::reply_index(session_reply::auth_line_too_long)
                                                           : detail::reply_index(session_reply::auth_bad_response));
            return r;
        case phase::fresh:
        case phase::ready:
        case phase::mail:
        case phase::rcpt:
            detail::client_error(r, p, detail::reply_index(e == line_error::none ? line_error::too_long : e));
            return r;
        default: return detail::misuse(p, s);
    }
}

constexpr step_result on_line_error(const policy& p, const session_state& s, const line_event& ev) noexcept {
    const bool reads_commands = s.pending == pending::none && (s.phase == phase::fresh || s.phase == phase::ready ||
                                                               s.phase == phase::mail || s.phase == phase::rcpt);
    if (reads_commands && detail::looks_like_bdat(ev.line)) {
        step_result r;
        r.next = s;
        detail::close_with(r, p, detail::reply_index(session_reply::bdat_syntax));
        return r;
    }
    return on_line_error(p, s, ev.err);
}

constexpr step_result resolve(const policy& p, const session_state& s, verdict v) noexcept {
    return detail::sealed(detail::resolve_core(p, s, v));
}

constexpr step_result auth_challenge(const policy& p, const session_state& s, std::string_view challenge, char* buf,
                                     std::size_t cap) noexcept {
    if (s.pending != pending::credentials) return detail::misuse(p, s);
    step_result r;
    r.next = s;
    r.next.pending = pending::none;
    if ((!challenge.empty() && !detail::is_base64(challenge)) || buf == nullptr || cap < challenge.size() + 6) {
        r.next.phase = phase::ready;
        detail::set_reply(r, p, detail::reply_index(session_reply::challenge_too_long));
        return r;
    }
    detail::render_buf b{buf, cap};
    b.put("334 ");  // continue-req = "334" SP [base64] CRLF
    b.put(challenge);
    b.put("\r\n");
    r.next.phase = phase::auth;
    r.reply = std::string_view(buf, b.n);
    r.code = 334;
    r.count = 1;
    r.why = static_cast<std::uint16_t>(detail::reply_index(session_reply::auth_continue));
    return r;
}

constexpr step_result end_of_data(const policy& p, const session_state& s, data_error v) noexcept {
    return detail::sealed(detail::end_of_data_core(p, s, v));
}

constexpr step_result end_of_chunk(const policy& p, const session_state& s, data_error v) noexcept {
    return detail::sealed(detail::end_of_chunk_core(p, s, v));
}

constexpr step_result tls_established(const policy& p, const session_state& s) noexcept {
    return detail::sealed(detail::tls_established_core(p, s));
}

constexpr step_result timeout(const policy& p, const session_state& s) noexcept {
    return detail::host_close(p, s, session_reply::timeout);
}

constexpr step_result shutdown(const policy& p, const session_state& s) noexcept {
    return detail::host_close(p, s, session_reply::shutting_down);
}

}  // namespace smtpp

#endif
