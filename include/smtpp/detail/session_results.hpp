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

// -----------------------------------------------------------------------------------------
// Sealing a result (see SMTPP_SEAL_RESULTS in detail/platform.hpp)
// -----------------------------------------------------------------------------------------

/// Calls `f(offset, field)` for every field of `s`, `base` octets into the enclosing object.
template <class F>
SMTPP_HOT_INLINE constexpr void for_each_field(const session_state& s, std::size_t base, F&& f) noexcept {
    f(base + offsetof(session_state, phase), s.phase);
    f(base + offsetof(session_state, pending), s.pending);
    f(base + offsetof(session_state, errors), s.errors);
    f(base + offsetof(session_state, resume), s.resume);
    f(base + offsetof(session_state, flags), s.flags);
    f(base + offsetof(session_state, deferred), s.deferred);
    f(base + offsetof(session_state, recipients), s.recipients);
    f(base + offsetof(session_state, index), s.index);
    f(base + offsetof(session_state, declared_size), s.declared_size);
    f(base + offsetof(session_state, bdat_size), s.bdat_size);
}

/// Calls `f(offset, field)` for every field of `r` (those of `r.next` one by one).
template <class F>
SMTPP_HOT_INLINE constexpr void for_each_field(const step_result& r, std::size_t base, F&& f) noexcept {
    for_each_field(r.next, base + offsetof(step_result, next), f);
    f(base + offsetof(step_result, reply), r.reply);
    f(base + offsetof(step_result, code), r.code);
    f(base + offsetof(step_result, count), r.count);
    f(base + offsetof(step_result, act), r.act);
    f(base + offsetof(step_result, discard), r.discard);
    f(base + offsetof(step_result, last), r.last);
    f(base + offsetof(step_result, first_chunk), r.first_chunk);
    f(base + offsetof(step_result, has_sasl), r.has_sasl);
    f(base + offsetof(step_result, injection), r.injection);
    f(base + offsetof(step_result, sasl_response), r.sasl_response);
    f(base + offsetof(step_result, index), r.index);
    f(base + offsetof(step_result, why), r.why);
    f(base + offsetof(step_result, error), r.error);
    f(base + offsetof(step_result, chunk_size), r.chunk_size);
    f(base + offsetof(step_result, sasl), r.sasl);
}

/// Converts to anything: counts an aggregate's fields by brace initialisation.
struct any_field {
    template <class T>
    constexpr operator T() const noexcept;  // never defined: unevaluated contexts only
};
template <class T, class Seq, class = void>
struct brace_init_ok : std::false_type {};
template <class T, std::size_t... I>
struct brace_init_ok<T, std::index_sequence<I...>, std::void_t<decltype(T{(static_cast<void>(I), any_field{})...})>>
    : std::true_type {};
/// The number of fields of aggregate `T`.
template <class T, std::size_t N = 0>
constexpr std::size_t field_count() noexcept {
    if constexpr (brace_init_ok<T, std::make_index_sequence<N + 1>>::value) return field_count<T, N + 1>();
    else return N;
}
/// The number of fields `for_each_field` visits in a `T`.
template <class T>
constexpr std::size_t visited_fields() noexcept {
    std::size_t n = 0;
    for_each_field(T{}, 0, [&n](std::size_t, const auto&) { ++n; });
    return n;
}
static_assert(visited_fields<session_state>() == field_count<session_state>(),
              "for_each_field(session_state) must visit every field");
static_assert(visited_fields<step_result>() == field_count<step_result>() - 1 + field_count<session_state>(),
              "for_each_field(step_result) must visit every field");

/// Writes `r` over `out` as whole words: each field of `r` read on its own, composed in
/// registers (`word_image`) and stored 16 octets at a time. Run time only.
template <class T>
SMTPP_HOT_INLINE void write_words(T& out, const T& r) noexcept {
    word_image<sizeof(T)> img;
    for_each_field(r, 0, [&img](std::size_t off, const auto& v) { img.put(off, v); });
    img.store(reinterpret_cast<char*>(&out));
}

/// The result `r` rewritten as whole words (`word_image`), where SMTPP_SEAL_RESULTS says
/// it pays; elsewhere, and in constant evaluation, `r` as it is. Each public transition
/// returns its result through this.
SMTPP_HOT_INLINE constexpr step_result sealed(const step_result& r) noexcept {
#if SMTPP_SEAL_RESULTS
    if (!in_constant_evaluation()) {
        step_result out;
        write_words(out, r);
        return out;
    }
#endif
    return r;
}

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
