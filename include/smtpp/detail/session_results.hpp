/**
 * @file detail/session_results.hpp
 * @brief The result builders every transition uses: pointing a result at a reply,
 *        counting client errors, closing, resetting the transaction, the host-verdict
 *        replies and the end of a body.
 * @private Included by session.hpp only.
 */
#ifndef SMTPP_DETAIL_SESSION_RESULTS_HPP
#define SMTPP_DETAIL_SESSION_RESULTS_HPP

namespace smtpp {
namespace detail {

using sr = session_reply;
using ph = phase;

/// `session_state::deferred` when a discarded chunk owes no reply (RFC 2033 §4.3).
inline constexpr std::uint16_t no_reply = 0xFFFF;

/// Points the result at reply `index`: the policy's rendering for the replies that carry
/// the host name (while the policy is usable), else the static table in the policy's form.
/// Table lookups only: this runs once per command.
constexpr void set_reply(step_result& r, const policy& p, std::size_t index) noexcept {
    r.why = static_cast<std::uint16_t>(index);
    r.count = 1;
    if (index >= reply_table_size) {  // not reachable through reply_index(); fail safe
        constexpr std::size_t fallback = reply_index(session_reply::local_error);
        r.code = replies.code[fallback];
        r.reply = replies.get(fallback, p.enhanced_codes());
        return;
    }
    // The code is the table's: every rendering (static or the policy's) starts with it.
    r.code = replies.code[index];
    const std::size_t k = replies.policy_slot[index];
    if (k != 0 && p.error() == policy_error::none) {
        const bool tls_ehlo = index == reply_index(session_reply::ehlo) && r.next.has(sf_tls);
        r.reply = policy_access::slot(p, k - 1 + (tls_ehlo ? 1 : 0));
        return;
    }
    r.reply = replies.get(index, p.enhanced_codes());
}

constexpr void reset_transaction(session_state& s) noexcept {
    s.flags = static_cast<std::uint16_t>(s.flags & ~(transaction_flags | sf_chunk_last | sf_chunk_discard));
    s.recipients = 0;
    s.index = 0;
    s.declared_size = 0;
    s.bdat_size = 0;
    s.deferred = 0;
}

/// A reply for something the client did wrong: counts the error and, at the limit,
/// answers 421 4.7.0 and closes instead (Postfix smtpd_hard_error_limit).
constexpr void client_error(step_result& r, const policy& p, std::size_t index) noexcept {
    if (r.next.errors != 255) ++r.next.errors;
    const std::uint8_t lim = p.options().max_errors;
    if (lim != 0 && r.next.errors >= lim) {
        r.next.phase = phase::closed;
        r.next.pending = pending::none;
        r.act = action::close;
        set_reply(r, p, reply_index(session_reply::too_many_errors));
        return;
    }
    set_reply(r, p, index);
}

constexpr void close_with(step_result& r, const policy& p, std::size_t index) noexcept {
    r.next.phase = phase::closed;
    r.next.pending = pending::none;
    r.act = action::close;
    set_reply(r, p, index);
}

/// The host broke the contract (e.g. stepped while a decision was pending): fail closed.
constexpr void misuse_into(step_result& r, const policy& p, const session_state& s) noexcept {
    r.next = s;
    if (s.phase == phase::closed) {
        r.act = action::close;
        return;
    }
    close_with(r, p, reply_index(session_reply::local_error));
}
constexpr step_result misuse(const policy& p, const session_state& s) noexcept {
    step_result r;
    misuse_into(r, p, s);
    return r;
}

/// The reply for a host verdict, per pending decision: [pending][verdict].
inline constexpr session_reply verdict_replies[5][verdict_count] = {
    /* none */ {sr::local_error, sr::local_error, sr::local_error, sr::local_error, sr::local_error, sr::local_error,
                sr::local_error, sr::local_error},
    /* sender */
    {sr::sender_ok, sr::sender_rejected, sr::temp_failure, sr::sender_unknown, sr::sender_rejected, sr::no_storage,
     sr::size_exceeded, sr::sender_rejected},
    /* recipient */
    {sr::recipient_ok, sr::recipient_rejected, sr::temp_failure, sr::recipient_unknown, sr::relay_denied,
     sr::mailbox_full, sr::size_exceeded, sr::recipient_rejected},
    /* credentials */
    {sr::auth_ok, sr::auth_failed, sr::auth_temporary, sr::auth_failed, sr::auth_failed, sr::auth_temporary,
     sr::auth_failed, sr::auth_too_weak},
    /* delivery */
    {sr::queued, sr::message_rejected, sr::temp_failure, sr::recipient_unknown, sr::relay_denied, sr::mailbox_full,
     sr::size_exceeded, sr::message_rejected},
};

/// A finished body (DATA end or BDAT LAST) with the decoder's verdict.
constexpr step_result body_done(const policy& p, const session_state& s, data_error v) noexcept {
    step_result r;
    r.next = s;
    if (v == data_error::none) {
        // Delivery is the host's: ask, one decision per recipient in LMTP (RFC 2033 §4.2).
        r.next.phase = phase::ready;
        r.next.pending = pending::delivery;
        r.next.index = 0;
        r.act = action::deliver;
        r.index = 0;
        return r;
    }
    // The refusal is answered only now, at the real end of the body (RFC 5321 §4.1.1.4:
    // the reply to DATA comes after the terminating <CRLF>.<CRLF>; never early).
    r.next.phase = phase::ready;
    const std::uint16_t n = p.options().lmtp ? s.recipients : 1;
    reset_transaction(r.next);
    set_reply(r, p, reply_index(v));
    r.count = r.reply.empty() ? 0 : n;
    return r;
}

}  // namespace detail
}  // namespace smtpp

#endif
