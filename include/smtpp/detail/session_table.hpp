/**
 * @file detail/session_table.hpp
 * @brief The (phase × verb) transition table, written as labelled rows and compiled into
 *        the dense array `step()` indexes; the host-event edges (for the diagram); and,
 *        beside them, the named exceptions to the table that `step()` applies in order.
 *        docs/state-machine.dot is generated from this file (tools/gen_state_diagram.cpp).
 * @private Included by session.hpp only.
 */
#ifndef SMTPP_DETAIL_SESSION_TABLE_HPP
#define SMTPP_DETAIL_SESSION_TABLE_HPP

namespace smtpp {
namespace detail {

// =========================================================================================
// The table
// =========================================================================================

enum class rule : std::uint8_t {
    accept = 0,       ///< the command runs (subject to the exceptions below); `reply` on success
    refuse = 1,       ///< refused with `reply`; the phase does not change (RFC 5321 §4.1.4)
    not_command = 2,  ///< this phase does not read commands (body, SASL, TLS, closed)
};

/// One cell of the dense table.
struct transition {
    rule kind = rule::not_command;
    session_reply reply = session_reply::local_error;
    smtpp::phase next = smtpp::phase::closed;
};
inline constexpr transition none_{rule::not_command, session_reply::local_error, phase::closed};

/// The outcome a row gives its command: accepted with a reply, or refused with one.
struct row_outcome {
    rule kind;
    session_reply reply;
};
constexpr row_outcome accept_with(session_reply r) noexcept { return {rule::accept, r}; }
constexpr row_outcome refuse_with(session_reply r) noexcept { return {rule::refuse, r}; }

/// A labelled row: in phase `from`, command `v` has `out` and leads to `next`.
struct labelled_row {
    smtpp::phase from;
    smtpp::verb v;
    row_outcome out;
    smtpp::phase next;
};

/**
 * The rows, by name. RFC 5321 §4.1.4 (order of commands), §3.3 (MAIL/RCPT/DATA), RFC 3030
 * (BDAT), RFC 3207 (STARTTLS), RFC 4954 (AUTH), RFC 2033 (LHLO). A refusal keeps the phase.
 * Unknown verbs never reach the table (the parser's 500 5.5.1 answers them): the
 * `verb::unknown` rows only complete it. The phases that read no command are listed in
 * `phases_without_commands` and get `none_` in every column.
 */
inline constexpr labelled_row transition_rows[] = {
    // from     verb           outcome                      next
    {ph::fresh, verb::unknown, refuse_with(sr::not_implemented), ph::fresh},
    {ph::fresh, verb::helo, accept_with(sr::helo), ph::ready},
    {ph::fresh, verb::ehlo, accept_with(sr::ehlo), ph::ready},
    {ph::fresh, verb::lhlo, accept_with(sr::ehlo), ph::ready},
    {ph::fresh, verb::mail, refuse_with(sr::need_helo), ph::fresh},
    {ph::fresh, verb::rcpt, refuse_with(sr::need_helo), ph::fresh},
    {ph::fresh, verb::data, refuse_with(sr::need_helo), ph::fresh},
    {ph::fresh, verb::bdat, refuse_with(sr::need_helo), ph::fresh},
    {ph::fresh, verb::rset, accept_with(sr::ok), ph::fresh},
    {ph::fresh, verb::vrfy, accept_with(sr::vrfy), ph::fresh},
    {ph::fresh, verb::expn, refuse_with(sr::not_implemented), ph::fresh},
    {ph::fresh, verb::help, accept_with(sr::help), ph::fresh},
    {ph::fresh, verb::noop, accept_with(sr::ok), ph::fresh},
    {ph::fresh, verb::quit, accept_with(sr::bye), ph::closed},
    {ph::fresh, verb::starttls, refuse_with(sr::need_helo), ph::fresh},
    {ph::fresh, verb::auth, refuse_with(sr::need_helo), ph::fresh},
    {ph::fresh, verb::etrn, refuse_with(sr::not_implemented), ph::fresh},

    {ph::ready, verb::unknown, refuse_with(sr::not_implemented), ph::ready},
    {ph::ready, verb::helo, accept_with(sr::helo), ph::ready},
    {ph::ready, verb::ehlo, accept_with(sr::ehlo), ph::ready},
    {ph::ready, verb::lhlo, accept_with(sr::ehlo), ph::ready},
    {ph::ready, verb::mail, accept_with(sr::sender_ok), ph::mail},
    {ph::ready, verb::rcpt, refuse_with(sr::need_mail), ph::ready},
    {ph::ready, verb::data, refuse_with(sr::need_mail), ph::ready},
    {ph::ready, verb::bdat, refuse_with(sr::need_mail), ph::ready},
    {ph::ready, verb::rset, accept_with(sr::ok), ph::ready},
    {ph::ready, verb::vrfy, accept_with(sr::vrfy), ph::ready},
    {ph::ready, verb::expn, refuse_with(sr::not_implemented), ph::ready},
    {ph::ready, verb::help, accept_with(sr::help), ph::ready},
    {ph::ready, verb::noop, accept_with(sr::ok), ph::ready},
    {ph::ready, verb::quit, accept_with(sr::bye), ph::closed},
    {ph::ready, verb::starttls, accept_with(sr::start_tls), ph::tls},
    {ph::ready, verb::auth, accept_with(sr::auth_ok), ph::auth},
    {ph::ready, verb::etrn, refuse_with(sr::not_implemented), ph::ready},

    {ph::mail, verb::unknown, refuse_with(sr::not_implemented), ph::mail},
    {ph::mail, verb::helo, accept_with(sr::helo), ph::ready},
    {ph::mail, verb::ehlo, accept_with(sr::ehlo), ph::ready},
    {ph::mail, verb::lhlo, accept_with(sr::ehlo), ph::ready},
    {ph::mail, verb::mail, refuse_with(sr::nested_mail), ph::mail},
    {ph::mail, verb::rcpt, accept_with(sr::recipient_ok), ph::rcpt},
    {ph::mail, verb::data, refuse_with(sr::need_rcpt), ph::mail},
    {ph::mail, verb::bdat, refuse_with(sr::need_rcpt), ph::mail},
    {ph::mail, verb::rset, accept_with(sr::ok), ph::ready},
    {ph::mail, verb::vrfy, accept_with(sr::vrfy), ph::mail},
    {ph::mail, verb::expn, refuse_with(sr::not_implemented), ph::mail},
    {ph::mail, verb::help, accept_with(sr::help), ph::mail},
    {ph::mail, verb::noop, accept_with(sr::ok), ph::mail},
    {ph::mail, verb::quit, accept_with(sr::bye), ph::closed},
    {ph::mail, verb::starttls, refuse_with(sr::in_transaction), ph::mail},
    {ph::mail, verb::auth, refuse_with(sr::in_transaction), ph::mail},
    {ph::mail, verb::etrn, refuse_with(sr::not_implemented), ph::mail},

    {ph::rcpt, verb::unknown, refuse_with(sr::not_implemented), ph::rcpt},
    {ph::rcpt, verb::helo, accept_with(sr::helo), ph::ready},
    {ph::rcpt, verb::ehlo, accept_with(sr::ehlo), ph::ready},
    {ph::rcpt, verb::lhlo, accept_with(sr::ehlo), ph::ready},
    {ph::rcpt, verb::mail, refuse_with(sr::nested_mail), ph::rcpt},
    {ph::rcpt, verb::rcpt, accept_with(sr::recipient_ok), ph::rcpt},
    {ph::rcpt, verb::data, accept_with(sr::start_data), ph::data},
    {ph::rcpt, verb::bdat, accept_with(sr::chunk_ok), ph::chunk},
    {ph::rcpt, verb::rset, accept_with(sr::ok), ph::ready},
    {ph::rcpt, verb::vrfy, accept_with(sr::vrfy), ph::rcpt},
    {ph::rcpt, verb::expn, refuse_with(sr::not_implemented), ph::rcpt},
    {ph::rcpt, verb::help, accept_with(sr::help), ph::rcpt},
    {ph::rcpt, verb::noop, accept_with(sr::ok), ph::rcpt},
    {ph::rcpt, verb::quit, accept_with(sr::bye), ph::closed},
    {ph::rcpt, verb::starttls, refuse_with(sr::in_transaction), ph::rcpt},
    {ph::rcpt, verb::auth, refuse_with(sr::in_transaction), ph::rcpt},
    {ph::rcpt, verb::etrn, refuse_with(sr::not_implemented), ph::rcpt},
};

/// The phases that read no command line: every column is `none_` (explicitly, not by
/// omission: the builder checks that each cell is defined exactly once).
inline constexpr phase phases_without_commands[] = {ph::connect, ph::data, ph::chunk, ph::auth, ph::tls, ph::closed};

/// The dense table, with how many times the rows defined each cell.
struct transition_table {
    transition cells[phase_count][verb_count] = {};
    std::uint8_t defined[phase_count][verb_count] = {};
};

constexpr transition_table build_transitions() noexcept {
    transition_table t{};
    for (const labelled_row& row : transition_rows) {
        const auto f = static_cast<std::size_t>(row.from);
        const auto v = static_cast<std::size_t>(row.v);
        t.cells[f][v] = transition{row.out.kind, row.out.reply, row.next};
        ++t.defined[f][v];
    }
    for (phase p : phases_without_commands) {
        const auto f = static_cast<std::size_t>(p);
        for (std::size_t v = 0; v < verb_count; ++v) {
            t.cells[f][v] = none_;
            ++t.defined[f][v];
        }
    }
    return t;
}

/// Every (phase, verb) cell defined exactly once, and no refusal changes the phase.
constexpr bool well_formed(const transition_table& t) noexcept {
    for (std::size_t f = 0; f < phase_count; ++f) {
        for (std::size_t v = 0; v < verb_count; ++v) {
            if (t.defined[f][v] != 1) return false;
        }
    }
    for (const labelled_row& row : transition_rows) {
        if (row.out.kind == rule::refuse && row.next != row.from) return false;
    }
    return true;
}

inline constexpr transition_table built_transitions = build_transitions();
static_assert(well_formed(built_transitions),
              "transition_rows: every (phase, verb) cell exactly once; refusals keep the phase");

/// The dense table `step()` indexes: [phase][verb].
inline constexpr const transition (&transitions)[phase_count][verb_count] = built_transitions.cells;

/// Transitions driven by the host rather than by a command line, for the state diagram
/// (and checked against the functions below by the tests).
struct event_edge {
    phase from;
    phase to;
    std::string_view label;
};
inline constexpr event_edge event_edges[] = {
    {phase::connect, phase::fresh, "start() 220"},
    {phase::data, phase::ready, "end_of_data() + resolve(deliver)"},
    {phase::chunk, phase::rcpt, "end_of_chunk() 250"},
    {phase::chunk, phase::ready, "end_of_chunk(LAST) + resolve(deliver)"},
    {phase::auth, phase::auth, "auth_challenge() 334"},
    {phase::auth, phase::ready, "resolve(credentials) 235/535"},
    {phase::tls, phase::fresh, "tls_established()"},
};

// =========================================================================================
// The exceptions to the table, in the order step() applies them. Each returns true when
// it decided the result (the table's row is then not used). The ones step() calls per
// command are SMTPP_CLANG_INLINE: clang kept them out of line (+6 % instructions per
// session command under callgrind); GCC inlines them anyway.
// =========================================================================================

/// Does `s` read as a BDAT command to a peer that skips leading blanks (Postfix's
/// tokenizer does)? Such a line announces a chunk: if smtpp refuses it for any reason,
/// the octets that follow must not be read as commands (RFC 3030 §2, SMTP smuggling).
constexpr bool looks_like_bdat(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size() && is_blank(s[i])) ++i;
    return s.size() - i >= 5 && iequals_upper(detail::sub(s, i, 4), "BDAT") && is_blank(s[i + 4]);
}

/// Errors that leave the verb unknown or the line unusable: answered before sequencing.
constexpr bool line_level(command_error e) noexcept {
    constexpr auto bit = [](command_error x) { return std::uint64_t{1} << static_cast<unsigned>(x); };
    constexpr std::uint64_t mask = bit(command_error::line_too_long) | bit(command_error::auth_line_too_long) |
                                   bit(command_error::missing_crlf) | bit(command_error::bare_lf) |
                                   bit(command_error::bare_cr) | bit(command_error::empty_line) |
                                   bit(command_error::unknown_verb);
    const auto i = static_cast<unsigned>(e);
    return i < 64 && ((mask >> i) & 1u) != 0;
}
static_assert(command_error_count <= 64, "line_level's mask holds every command_error");

/// RFC 2920 §3.1: must this command be the last of its group? EHLO, DATA, VRFY, EXPN,
/// TURN, QUIT, NOOP and extension commands are; RSET, MAIL, RCPT are not when PIPELINING
/// is in force. BDAT's payload follows it by definition (RFC 3030 §2). AUTH with an
/// initial response of a one-round-trip client-first mechanism is exempt (RFC 4954 §4).
/// QUIT ends the session anyway.
constexpr bool must_be_last(const policy& p, const session_state& s, const command& c) noexcept {
    const bool pipelining = s.has(sf_esmtp) && p.offers(ext_pipelining);
    switch (c.verb) {
        case verb::bdat:
        case verb::quit: return false;
        case verb::mail:
        case verb::rcpt:
        case verb::rset: return !pipelining;
        case verb::auth:
            return !pipelining || !c.has_initial_response ||
                   !(c.mechanism_id == sasl_mechanism::plain || c.mechanism_id == sasl_mechanism::external ||
                     c.mechanism_id == sasl_mechanism::anonymous);
        default: return true;
    }
}

/// Server-first SASL mechanisms: an initial response is a 501 (RFC 4954 §4).
constexpr bool server_first(sasl_mechanism m) noexcept {
    return m == sasl_mechanism::cram_md5 || m == sasl_mechanism::digest_md5;
}

/// Rule "unframable BDAT" (RFC 3030 §2 / Postfix bdat_cmd): a BDAT we cannot frame, or
/// that was never offered, is followed by raw octets that would be read as commands:
/// answer 521 and close. A line that only a lenient peer reads as BDAT (" BDAT 5 LAST")
/// is treated the same.
SMTPP_CLANG_INLINE constexpr bool unframable_bdat(step_result& r, const policy& p, const session_state& s,
                                                  std::string_view line, const command& c, command_error err) noexcept {
    if (err != command_error::none && c.verb != verb::bdat && looks_like_bdat(line)) {
        close_with(r, p, reply_index(session_reply::bdat_syntax));
        return true;
    }
    if (c.verb != verb::bdat) return false;
    if (!p.offers(ext_chunking) || !s.has(sf_esmtp)) {
        close_with(r, p, reply_index(session_reply::bdat_not_offered));
        return true;
    }
    if (err != command_error::none) {
        close_with(r, p, reply_index(session_reply::bdat_syntax));
        return true;
    }
    return false;
}

/// Rule "unusable line": a line-level parser error (too long, bad terminator, unknown
/// verb) is answered before the sequence is looked at.
SMTPP_CLANG_INLINE constexpr bool unusable_line(step_result& r, const policy& p, command_error err) noexcept {
    if (err == command_error::none || !line_level(err)) return false;
    client_error(r, p, reply_index(err));
    return true;
}

/// Rule "greeting of the other protocol" (RFC 2033 §4.1): LHLO replaces HELO/EHLO in
/// LMTP; outside LMTP, LHLO is not a command.
SMTPP_CLANG_INLINE constexpr bool wrong_greeting(step_result& r, const policy& p, const command& c) noexcept {
    const bool lmtp = p.options().lmtp;
    if (!(lmtp ? (c.verb == verb::helo || c.verb == verb::ehlo) : c.verb == verb::lhlo)) return false;
    client_error(r, p, lmtp ? reply_index(session_reply::use_lhlo) : reply_index(command_error::unknown_verb));
    return true;
}

/// Rule "sync point" (RFC 2920 §3.1): input pending behind a command that must end its
/// group: 554 5.5.0 and close, as Postfix (`policy_options::enforce_sync`).
SMTPP_CLANG_INLINE constexpr bool sync_violation(step_result& r, const policy& p, const session_state& s,
                                                 const command& c, command_error err, bool input_pending) noexcept {
    if (!input_pending || err != command_error::none || !p.options().enforce_sync || !must_be_last(p, s, c))
        return false;
    close_with(r, p, reply_index(session_reply::sync_error));
    return true;
}

/// Rule "refused BDAT still frames its chunk" (Postfix skip_bdat): a well-formed BDAT the
/// table refuses is answered after its octets, which are consumed and dropped.
constexpr void refuse_chunk(step_result& r, const policy& p, const session_state& s, const command& c,
                            session_reply why) noexcept {
    std::uint16_t f = static_cast<std::uint16_t>(s.flags | sf_chunk_discard);
    f = static_cast<std::uint16_t>(c.last ? (f | sf_chunk_last) : (f & ~sf_chunk_last));
    std::uint16_t owed = static_cast<std::uint16_t>(reply_index(why));
    if (s.phase == phase::mail) {
        // RFC 2033 §4.3: in LMTP, BDAT LAST with no successful RCPT returns zero
        // replies (and its earlier chunks 250). In SMTP the transaction is spoiled.
        if (p.options().lmtp)
            owed = c.last ? no_reply : static_cast<std::uint16_t>(reply_index(session_reply::chunk_ok));
        else f = static_cast<std::uint16_t>(f | sf_bdat_failed);
    }
    r.next.phase = phase::chunk;
    r.next.resume = s.phase;
    r.next.deferred = owed;
    r.next.flags = f;
    r.act = action::read_bdat;
    r.discard = true;
    r.last = c.last;
    r.chunk_size = c.chunk_size;
}

/// The table refused the command (RFC 5321 §4.1.4: 503 and the same state), with the
/// LMTP wording of "send HELO first" and the BDAT framing rule.
SMTPP_CLANG_INLINE constexpr void refused(step_result& r, const policy& p, const session_state& s, const command& c,
                                          const transition& t) noexcept {
    session_reply why = t.reply;
    if (why == session_reply::need_helo && p.options().lmtp) why = session_reply::need_lhlo;
    if (c.verb == verb::bdat) {
        refuse_chunk(r, p, s, c, why);
        return;
    }
    client_error(r, p, reply_index(why));
}

/// Rule "TLS / AUTH required": RFC 3207 §4: before STARTTLS a TLS-requiring server
/// answers 530 to all but NOOP, EHLO, STARTTLS, QUIT (HELO, LHLO, RSET and HELP are
/// harmless and allowed too). RFC 4954 §6: 530 5.7.0 to all but AUTH, EHLO, HELO, NOOP,
/// RSET, QUIT before AUTH. (BDAT never gets here without an accepted MAIL, which passed.)
SMTPP_CLANG_INLINE constexpr bool tls_or_auth_required(step_result& r, const policy& p, const session_state& s,
                                                       const command& c) noexcept {
    const bool need_tls = p.options().require_tls && !s.has(sf_tls);
    if (!need_tls && !(p.options().require_auth && !s.has(sf_authenticated))) return false;
    switch (c.verb) {
        case verb::mail:
        case verb::rcpt:
        case verb::data:
        case verb::vrfy:
        case verb::expn:
        case verb::etrn:
            client_error(r, p, reply_index(need_tls ? session_reply::tls_required : session_reply::auth_required));
            return true;
        default: return false;
    }
}

// ---- the verbs the table accepts: each returns true when it decided the result ---------

/// The extension an esmtp-param needs (RFC 5321 §4.1.2: parameters only for offered ones).
/// BODY=8BITMIME/7BIT needs 8BITMIME, BODY=BINARYMIME needs `binary_ok`.
constexpr bool params_offered(const policy& p, const params& ps, bool binary_ok) noexcept {
    if ((ps.present & all_params & ~(policy_access::params(p) | p_body)) != 0) return false;
    if (!ps.has(p_body)) return true;
    return ps.body == body_type::binary_mime ? binary_ok : p.offers(ext_8bitmime);
}

/// MAIL/RCPT parameters: unknown ones (RFC 5321 §4.1.1.11: 555, or 504 by option), and
/// ones of an extension not offered, or any after HELO (RFC 5321 §4.1.2/§4.2.4, RFC 1869:
/// recognised but not implemented, 504 5.5.4).
SMTPP_CLANG_INLINE constexpr bool refused_params(step_result& r, const policy& p, const session_state& s,
                                                 const params& ps, bool binary_ok) noexcept {
    if (ps.unknown_count != 0) {
        client_error(r, p,
                     reply_index(p.options().unknown_param_504 ? session_reply::unknown_param_504
                                                               : session_reply::unknown_param));
        return true;
    }
    if (ps.present != 0 && (!s.has(sf_esmtp) || !params_offered(p, ps, binary_ok))) {
        client_error(r, p, reply_index(session_reply::param_not_offered));
        return true;
    }
    return false;
}

/// HELO/EHLO/LHLO: RFC 5321 §4.1.4, they reset the transaction like RSET; EHLO/LHLO put
/// the extensions in force.
SMTPP_CLANG_INLINE constexpr bool on_hello(step_result& r, const command& c) noexcept {
    reset_transaction(r.next);
    r.next.flags = static_cast<std::uint16_t>(c.verb == verb::helo ? (r.next.flags & ~sf_esmtp)
                                                                   : (r.next.flags | sf_esmtp));
    return false;
}

/// MAIL: parameters, REQUIRETLS (RFC 8689 §4.1), SIZE (RFC 1870 §6), then a new
/// transaction and the host's verdict (`verify_senders`).
SMTPP_CLANG_INLINE constexpr bool on_mail(step_result& r, const policy& p, const session_state& s,
                                          const command& c) noexcept {
    const params& ps = c.params;
    const bool binary_ok = p.offers(ext_binarymime) && p.offers(ext_chunking);
    if (refused_params(r, p, s, ps, binary_ok)) return true;
    if (ps.has(p_requiretls) && !s.has(sf_tls)) {  // RFC 8689 §4.1
        client_error(r, p, reply_index(session_reply::requiretls_needs_tls));
        return true;
    }
    const std::uint64_t max = p.options().max_message_size;
    if (ps.has(p_size) && max != 0 && ps.size > max) {  // RFC 1870 §6
        set_reply(r, p, reply_index(session_reply::size_exceeded));
        return true;
    }
    reset_transaction(r.next);
    std::uint16_t f = r.next.flags;
    if (ps.has(p_smtputf8)) f = static_cast<std::uint16_t>(f | sf_smtputf8);
    if (ps.body == body_type::binary_mime) f = static_cast<std::uint16_t>(f | sf_binarymime);
    if (ps.has(p_requiretls)) f = static_cast<std::uint16_t>(f | sf_requiretls);
    r.next.flags = f;
    r.next.declared_size = ps.size;
    if (!p.options().verify_senders) return false;
    r.next.pending = pending::sender;
    r.act = action::verify_sender;
    return true;
}

/// RCPT: not after BDAT, parameters, the recipient limit, then the host's verdict.
SMTPP_CLANG_INLINE constexpr bool on_rcpt(step_result& r, const policy& p, const session_state& s,
                                          const command& c) noexcept {
    if (s.has(sf_bdat_used)) {
        client_error(r, p, reply_index(session_reply::rcpt_after_bdat));
        return true;
    }
    if (refused_params(r, p, s, c.params, false)) return true;
    // RFC 5321 §4.5.3.1.10: 452 for recipients over the limit, earlier ones kept.
    // 0 = no policy limit, but the state counts to 65535: past that LMTP could not
    // give one reply per recipient (RFC 2033 §4.2), so the count is the hard cap.
    const std::uint16_t max = p.options().max_recipients != 0 ? p.options().max_recipients : std::uint16_t{0xFFFF};
    if (s.recipients >= max) {
        set_reply(r, p, reply_index(session_reply::too_many_recipients));
        return true;
    }
    if (p.options().verify_recipients) {
        r.next.pending = pending::recipient;
        r.act = action::verify_recipient;
        return true;
    }
    if (r.next.recipients != 0xFFFF) ++r.next.recipients;
    return false;
}

/// DATA: RFC 3030 §3, no DATA after BDAT in a transaction, nor with BODY=BINARYMIME.
SMTPP_CLANG_INLINE constexpr bool on_data(step_result& r, const policy& p, const session_state& s) noexcept {
    if (s.has(sf_bdat_used) || s.has(sf_bdat_failed)) {
        client_error(r, p, reply_index(session_reply::data_after_bdat));
        return true;
    }
    if (s.has(sf_binarymime)) {
        client_error(r, p, reply_index(session_reply::binarymime_needs_bdat));
        return true;
    }
    r.act = action::read_data;
    return false;
}

/// BDAT (RFC 3030 §2): the chunk is read; one after a failed chunk, or past the SIZE limit
/// (Postfix: 552 5.3.4), is dropped and answered at its end (`end_of_chunk()`).
SMTPP_CLANG_INLINE constexpr bool on_bdat(step_result& r, const policy& p, const session_state& s,
                                          const command& c) noexcept {
    r.act = action::read_bdat;
    r.chunk_size = c.chunk_size;
    r.last = c.last;
    r.first_chunk = !s.has(sf_bdat_used) && !s.has(sf_bdat_failed);
    r.next.phase = phase::chunk;
    r.next.resume = s.phase;
    std::uint16_t f = s.flags;
    f = static_cast<std::uint16_t>(c.last ? (f | sf_chunk_last) : (f & ~sf_chunk_last));
    f = static_cast<std::uint16_t>(f & ~sf_chunk_discard);
    const std::uint64_t total = saturating_add64(s.bdat_size, c.chunk_size);
    r.next.bdat_size = total;
    const std::uint64_t max = p.options().max_message_size;
    session_reply refusal = session_reply::ok;
    if (s.has(sf_bdat_failed)) refusal = session_reply::bdat_failed;
    else if (max != 0 && total > max) refusal = session_reply::size_exceeded;
    if (refusal != session_reply::ok) {
        f = static_cast<std::uint16_t>(f | sf_chunk_discard | sf_bdat_failed);
        r.next.deferred = static_cast<std::uint16_t>(reply_index(refusal));
        r.discard = true;
    }
    r.next.flags = f;
    return true;  // the reply comes with end_of_chunk()
}

/// STARTTLS (RFC 3207 §4): offered after EHLO only; inside TLS, 554 5.5.1 as Postfix
/// (RFC 3207 gives no code). Input pending behind it is flagged (CVE-2011-0411).
SMTPP_CLANG_INLINE constexpr bool on_starttls(step_result& r, const policy& p, const session_state& s,
                                              bool input_pending) noexcept {
    if (!p.offers(ext_starttls) || !s.has(sf_esmtp)) {
        client_error(r, p, reply_index(session_reply::not_implemented));
        return true;
    }
    if (s.has(sf_tls)) {
        client_error(r, p, reply_index(session_reply::tls_active));
        return true;
    }
    r.act = action::start_tls;
    r.injection = input_pending;
    return false;
}

/// AUTH (RFC 4954 §4, §6): refusals, then the exchange; the host answers with `resolve()`
/// (235/535/...) or `auth_challenge()` (334).
SMTPP_CLANG_INLINE constexpr bool on_auth(step_result& r, const policy& p, const session_state& s,
                                          const command& c) noexcept {
    session_reply refusal = session_reply::ok;
    if (!p.offers(ext_auth) || !s.has(sf_esmtp)) refusal = session_reply::not_implemented;
    else if (s.has(sf_authenticated)) refusal = session_reply::already_authenticated;  // RFC 4954 §4
    else if ((p.options().auth_needs_tls || p.options().require_tls) && !s.has(sf_tls))
        refusal = session_reply::auth_needs_tls;  // RFC 4954 §6: 538 5.7.11
    else if (!p.offers_mechanism(c.mechanism_id)) refusal = session_reply::mechanism_unsupported;
    else if (c.has_initial_response && server_first(c.mechanism_id)) refusal = session_reply::initial_response_refused;
    if (refusal != session_reply::ok) {
        client_error(r, p, reply_index(refusal));
        return true;
    }
    r.next.phase = phase::auth;
    r.next.pending = pending::credentials;
    r.act = action::verify_credentials;
    r.has_sasl = c.has_initial_response;
    r.sasl = c.initial_response == "=" ? std::string_view{} : c.initial_response;
    return true;
}

/// The verb's own rules once the table accepted it; false: the table's reply and phase.
SMTPP_CLANG_INLINE constexpr bool run_verb(step_result& r, const policy& p, const session_state& s, const command& c,
                                           bool input_pending) noexcept {
    switch (c.verb) {
        case verb::helo:
        case verb::ehlo:
        case verb::lhlo: return on_hello(r, c);
        case verb::rset: reset_transaction(r.next); return false;
        case verb::quit: r.act = action::close; return false;
        case verb::mail: return on_mail(r, p, s, c);
        case verb::rcpt: return on_rcpt(r, p, s, c);
        case verb::data: return on_data(r, p, s);
        case verb::bdat: return on_bdat(r, p, s, c);
        case verb::starttls: return on_starttls(r, p, s, input_pending);
        case verb::auth: return on_auth(r, p, s, c);
        default: return false;
    }
}

}  // namespace detail
}  // namespace smtpp

#endif
