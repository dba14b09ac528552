/**
 * @file session.hpp
 * @brief The server session of SMTP (RFC 5321), ESMTP and LMTP (RFC 2033) as a pure
 *        state-transition function: `step(policy, state, line) -> {next, reply, action}`.
 *
 * The session does no I/O, never allocates, never throws and never calls back into the
 * host. It takes complete command lines (from `line_reader`, terminator included) and the
 * verdicts the host reports (body decoder verdicts, accept/reject decisions, TLS up), and
 * returns a `step_result`: the next state, the reply to write (bytes ready for the wire,
 * CRLF and multi-line form included) and an action for the host.
 *
 * @code
 *   static const smtpp::policy pol{opts};           // built once (renders the EHLO reply)
 *   smtpp::session_state st{};
 *   auto r = smtpp::start(pol, st);                  // 220 greeting
 *   write(r.reply); st = r.next;
 *   for each line from the line reader:
 *       r = smtpp::step(pol, st, line, cmd, reader_has_more_input);  // cmd: host-owned
 *       for (k = 0; k < r.count; ++k) write(r.reply);
 *       st = r.next;
 *       switch (r.act) {
 *         case action::verify_recipient: r = smtpp::resolve(pol, st, my_check(cmd)); ... (same loop)
 *         case action::read_data: run data_decoder(body_options(pol, st)), then
 *                                  r = smtpp::end_of_data(pol, st, verdict); ...
 *         case action::start_tls: reader.discard(); drop the read buffer; handshake;
 *                                  r = smtpp::tls_established(pol, st); ...
 *         case action::close: close the connection.
 *       }
 * @endcode
 *
 * Lifetimes. `step_result::reply` views either static storage (fixed replies) or the
 * `policy` (greeting, EHLO, 221, 421: the policy must outlive every result it produced),
 * or the caller buffer given to `auth_challenge()`. the `command` step() fills and `sasl` view the
 * line passed to `step()`. The views in `policy_options` need only live while the policy
 * is constructed: it copies what it keeps.
 *
 * Everything that affects the state machine lives in this file: the (phase × verb)
 * transition table is data (`detail::transitions`), the exceptions to it are beside it
 * under a banner, and docs/state-machine.dot is generated from the table.
 */
#ifndef SMTPP_SESSION_HPP
#define SMTPP_SESSION_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

#include "command.hpp"
#include "core.hpp"
#include "data.hpp"
#include "line.hpp"

namespace smtpp {

// =========================================================================================
// Phases, actions, host verdicts
// =========================================================================================

/// Where the session stands. Commands are read only in fresh, ready, mail and rcpt.
enum class phase : std::uint8_t {
    connect = 0,  ///< before `start()`: nothing said yet
    fresh = 1,    ///< greeted; no HELO/EHLO/LHLO yet (also right after TLS is up)
    ready = 2,    ///< HELO/EHLO/LHLO done, no mail transaction
    mail = 3,     ///< MAIL accepted, no recipient accepted yet
    rcpt = 4,     ///< at least one RCPT accepted
    data = 5,     ///< 354 sent: the host runs the DATA decoder, then `end_of_data()`
    chunk = 6,    ///< BDAT: the host consumes the chunk, then `end_of_chunk()`
    auth = 7,     ///< AUTH exchange: lines are SASL responses, not commands
    tls = 8,      ///< 220 to STARTTLS sent: waiting for `tls_established()`
    closed = 9,   ///< 221 or 421 sent: nothing more is answered
};
inline constexpr std::size_t phase_count = 10;

namespace detail {
inline constexpr std::string_view phase_names[phase_count] = {"connect", "fresh", "ready", "mail", "rcpt",
                                                             "data",    "chunk", "auth",  "tls",  "closed"};
}  // namespace detail

/// The name of a phase, for logs and the state diagram.
constexpr std::string_view to_string(phase p) noexcept {
    const auto& names = detail::phase_names;
    const auto i = static_cast<std::size_t>(p);
    return i < phase_count ? names[i] : std::string_view{"?"};
}

/// What the host must do after writing the reply.
enum class action : std::uint8_t {
    none = 0,
    close = 1,               ///< close the connection (after writing the reply)
    start_tls = 2,           ///< discard ALL buffered input (line_reader::discard() and the rest of
                             ///< the read buffer: RFC 3207 §4.2, CVE-2011-0411), then handshake and
                             ///< call `tls_established()`
    read_data = 3,           ///< run a `data_decoder(body_options(...))`, then `end_of_data()`
    read_bdat = 4,           ///< consume exactly `chunk_size` octets (a `bdat_decoder`; drop them
                             ///< when `discard`), then `end_of_chunk()`
    verify_sender = 5,       ///< decide on `cmd` (MAIL), then `resolve()`
    verify_recipient = 6,    ///< decide on `cmd` (RCPT), then `resolve()`
    verify_credentials = 7,  ///< run the SASL step on `sasl` (`has_sasl`), then `resolve()` or
                             ///< `auth_challenge()`
    deliver = 8,             ///< deliver the message (for recipient `index` in LMTP), then `resolve()`
};

/// The host's answer to a decision the session asked for (`resolve()`).
enum class verdict : std::uint8_t {
    accept = 0,        ///< the proposed positive reply
    reject = 1,        ///< permanent refusal (550 5.7.1; AUTH 535 5.7.8)
    defer = 2,         ///< temporary failure (451 4.3.0; AUTH 454 4.7.0)
    unknown_user = 3,  ///< RCPT/delivery 550 5.1.1, MAIL 550 5.1.0, AUTH 535 5.7.8
    relay_denied = 4,  ///< 554 5.7.1 Relay access denied
    mailbox_full = 5,  ///< 452 4.2.2 (MAIL: 452 4.3.1)
    too_big = 6,       ///< 552 5.3.4
    too_weak = 7,      ///< AUTH 534 5.7.9 (elsewhere as reject)
};
inline constexpr std::size_t verdict_count = 8;

/// What a pending decision is about.
enum class pending : std::uint8_t { none = 0, sender = 1, recipient = 2, credentials = 3, delivery = 4 };

// =========================================================================================
// The reply catalogue
// =========================================================================================

/**
 * Every reply the session itself produces. Values are explicit and append-only. The first
 * six are rendered per policy (they carry the host name, or the capability list); the rest
 * are static. Replies for parser, line-reader and body-decoder errors come from those
 * layers' `reply_for()` and are rendered into the same static table.
 */
enum class session_reply : std::uint8_t {
    greeting = 0,               ///< 220 <host> ESMTP ... (RFC 5321 §4.2, §3.1)
    ehlo = 1,                   ///< 250-<host> + capability lines (RFC 5321 §4.1.1.1)
    helo = 2,                   ///< 250 <host>
    bye = 3,                    ///< 221 2.0.0 <host> (RFC 5321 §4.1.1.10)
    too_many_errors = 4,        ///< 421 4.7.0 <host> (Postfix smtpd_hard_error_limit)
    local_error = 5,            ///< 421 4.3.0 <host>: the host broke the session's contract
    ok = 6,                     ///< 250 2.0.0 (RSET, NOOP)
    sender_ok = 7,              ///< 250 2.1.0 (RFC 3463 X.1.0)
    recipient_ok = 8,           ///< 250 2.1.5 (RFC 3463 X.1.5)
    start_data = 9,             ///< 354 (RFC 5321 §4.1.1.4; no enhanced code on 3xx)
    queued = 10,                ///< 250 2.0.0 after the end of data / BDAT LAST
    chunk_ok = 11,              ///< 250 2.0.0 per BDAT chunk (RFC 3030 §2)
    help = 12,                  ///< 214 2.0.0 (RFC 5321 §4.1.1.8)
    vrfy = 13,                  ///< 252 2.5.0 (RFC 5321 §3.5.3)
    start_tls = 14,             ///< 220 2.0.0 Ready to start TLS (RFC 3207 §4)
    auth_ok = 15,               ///< 235 2.7.0 (RFC 4954 §6)
    auth_continue = 16,         ///< "334 " with an empty challenge (RFC 4954 §4)
    sync_error = 17,            ///< 554 5.5.0 (Postfix; RFC 2920 §3.1 sync points)
    need_helo = 18,             ///< 503 5.5.1 (RFC 5321 §4.1.4)
    need_lhlo = 19,             ///< 503 5.5.1 (RFC 2033 §4.1)
    nested_mail = 20,           ///< 503 5.5.1
    need_mail = 21,             ///< 503 5.5.1
    need_rcpt = 22,             ///< 503 5.5.1 (RFC 2920 §3.1, RFC 2033 §4.2)
    already_authenticated = 23, ///< 503 5.5.1 (RFC 4954 §4)
    in_transaction = 24,        ///< 503 5.5.1 AUTH/STARTTLS inside a transaction (RFC 4954 §4)
    data_after_bdat = 25,       ///< 503 5.5.1 (RFC 3030 §3)
    binarymime_needs_bdat = 26, ///< 503 5.5.1 (RFC 3030 §3)
    bdat_failed = 27,           ///< 503 5.5.1 until RSET (Dovecot; RFC 3030 §3 "indeterminate")
    rcpt_after_bdat = 28,       ///< 503 5.5.1
    tls_active = 29,            ///< 554 5.5.1 (Postfix)
    not_implemented = 30,       ///< 502 5.5.1 (RFC 5321 §4.2.4)
    bdat_not_offered = 31,      ///< 521 5.5.1 + close (Postfix bdat_cmd: framing is lost)
    bdat_syntax = 32,           ///< 521 5.5.4 + close (Postfix bdat_cmd)
    use_lhlo = 33,              ///< 500 5.5.1 HELO/EHLO on an LMTP server (RFC 2033 §4.1)
    auth_required = 34,         ///< 530 5.7.0 (RFC 4954 §6)
    tls_required = 35,          ///< 530 5.7.0 (RFC 3207 §4)
    auth_needs_tls = 36,        ///< 538 5.7.11 (RFC 4954 §6)
    requiretls_needs_tls = 37,  ///< 530 5.7.10 (RFC 8689 §4.1, RFC 3463 registry 5.7.10)
    mechanism_unsupported = 38, ///< 504 5.5.4 (RFC 4954 §4)
    initial_response_refused = 39, ///< 501 5.7.0 IR for a server-first mechanism (RFC 4954 §4)
    auth_aborted = 40,          ///< 501 5.7.0 on "*" (RFC 4954 §4)
    auth_failed = 41,           ///< 535 5.7.8 (RFC 4954 §6)
    auth_temporary = 42,        ///< 454 4.7.0 (RFC 4954 §6)
    auth_too_weak = 43,         ///< 534 5.7.9 (RFC 4954 §6)
    param_not_offered = 44,     ///< 504 5.5.4 recognised but not offered (RFC 5321 §4.2.4)
    unknown_param = 45,         ///< 555 5.5.4 (RFC 5321 §4.1.1.11)
    unknown_param_504 = 46,     ///< 504 5.5.4 (`policy_options::unknown_param_504`)
    size_exceeded = 47,         ///< 552 5.3.4 (RFC 1870 §6)
    too_many_recipients = 48,   ///< 452 4.5.3 (RFC 5321 §4.5.3.1.10)
    sender_rejected = 49,       ///< 550 5.7.1
    sender_unknown = 50,        ///< 550 5.1.0
    temp_failure = 51,          ///< 451 4.3.0
    no_storage = 52,            ///< 452 4.3.1 (RFC 1870 §6)
    recipient_rejected = 53,    ///< 550 5.7.1
    recipient_unknown = 54,     ///< 550 5.1.1
    relay_denied = 55,          ///< 554 5.7.1
    mailbox_full = 56,          ///< 452 4.2.2
    message_rejected = 57,      ///< 550 5.7.1
    auth_bad_response = 58,     ///< 501 5.5.2 undecodable SASL response (RFC 4954 §4)
    auth_line_too_long = 59,    ///< 500 5.5.6 (RFC 4954 §4)
    challenge_too_long = 60,    ///< 454 4.7.0 the host's challenge did not fit its buffer
    timeout = 61,               ///< 421 4.4.2 <host>: the host's idle timer fired (RFC 5321 §4.5.3.2.7)
    shutting_down = 62,         ///< 421 4.3.2 <host>: the host is going down (RFC 5321 §3.8)
};
inline constexpr std::size_t session_reply_count = 63;

namespace detail {
inline constexpr std::string_view session_reply_names[session_reply_count] = {
    "greeting", "ehlo", "helo", "bye", "too_many_errors", "local_error", "ok", "sender_ok",
    "recipient_ok", "start_data", "queued", "chunk_ok", "help", "vrfy", "start_tls", "auth_ok",
    "auth_continue", "sync_error", "need_helo", "need_lhlo", "nested_mail", "need_mail",
    "need_rcpt", "already_authenticated", "in_transaction", "data_after_bdat",
    "binarymime_needs_bdat", "bdat_failed", "rcpt_after_bdat", "tls_active", "not_implemented",
    "bdat_not_offered", "bdat_syntax", "use_lhlo", "auth_required", "tls_required",
    "auth_needs_tls", "requiretls_needs_tls", "mechanism_unsupported", "initial_response_refused",
    "auth_aborted", "auth_failed", "auth_temporary", "auth_too_weak", "param_not_offered",
    "unknown_param", "unknown_param_504", "size_exceeded", "too_many_recipients",
    "sender_rejected", "sender_unknown", "temp_failure", "no_storage", "recipient_rejected",
    "recipient_unknown", "relay_denied", "mailbox_full", "message_rejected",
    "auth_bad_response", "auth_line_too_long", "challenge_too_long", "timeout", "shutting_down"};
}  // namespace detail

/// The enumerator's name.
constexpr std::string_view to_string(session_reply r) noexcept {
    const auto& names = detail::session_reply_names;
    const auto i = static_cast<std::size_t>(r);
    return i < session_reply_count ? names[i] : std::string_view{"?"};
}

/// Code, enhanced code and text of each session reply (the first six get the host name
/// or capability list from the policy; their text here is what follows the host name).
constexpr reply_hint reply_for(session_reply r) noexcept {
    using ec = enhanced_code;
    switch (r) {
        case session_reply::greeting: return {220, {}, "ESMTP"};
        case session_reply::ehlo: return {250, {}, ""};
        case session_reply::helo: return {250, {}, ""};
        case session_reply::bye: return {221, ec{2, 0, 0}, "closing connection"};
        case session_reply::too_many_errors: return {421, ec{4, 7, 0}, "Error: too many errors"};
        case session_reply::local_error: return {421, ec{4, 3, 0}, "Error: local error in processing"};
        case session_reply::ok: return {250, ec{2, 0, 0}, "Ok"};
        case session_reply::sender_ok: return {250, ec{2, 1, 0}, "Ok"};
        case session_reply::recipient_ok: return {250, ec{2, 1, 5}, "Ok"};
        case session_reply::start_data: return {354, {}, "End data with <CR><LF>.<CR><LF>"};
        case session_reply::queued: return {250, ec{2, 0, 0}, "Ok: queued"};
        case session_reply::chunk_ok: return {250, ec{2, 0, 0}, "Ok: chunk received"};
        case session_reply::help: return {214, ec{2, 0, 0}, "See RFC 5321"};
        case session_reply::vrfy: return {252, ec{2, 5, 0}, "Cannot VRFY user, but will accept message and attempt delivery"};
        case session_reply::start_tls: return {220, ec{2, 0, 0}, "Ready to start TLS"};
        case session_reply::auth_ok: return {235, ec{2, 7, 0}, "Authentication successful"};
        case session_reply::auth_continue: return {334, {}, ""};
        case session_reply::sync_error: return {554, ec{5, 5, 0}, "Error: SMTP protocol synchronization"};
        case session_reply::need_helo: return {503, ec{5, 5, 1}, "Error: send HELO/EHLO first"};
        case session_reply::need_lhlo: return {503, ec{5, 5, 1}, "Error: send LHLO first"};
        case session_reply::nested_mail: return {503, ec{5, 5, 1}, "Error: nested MAIL command"};
        case session_reply::need_mail: return {503, ec{5, 5, 1}, "Error: need MAIL command"};
        case session_reply::need_rcpt: return {503, ec{5, 5, 1}, "Error: need RCPT command"};
        case session_reply::already_authenticated: return {503, ec{5, 5, 1}, "Error: already authenticated"};
        case session_reply::in_transaction: return {503, ec{5, 5, 1}, "Error: MAIL transaction in progress"};
        case session_reply::data_after_bdat: return {503, ec{5, 5, 1}, "Error: DATA and BDAT cannot be mixed in one transaction"};
        case session_reply::binarymime_needs_bdat: return {503, ec{5, 5, 1}, "Error: BODY=BINARYMIME requires BDAT"};
        case session_reply::bdat_failed: return {503, ec{5, 5, 1}, "Error: previous chunk failed, send RSET"};
        case session_reply::rcpt_after_bdat: return {503, ec{5, 5, 1}, "Error: RCPT after BDAT"};
        case session_reply::tls_active: return {554, ec{5, 5, 1}, "Error: TLS already active"};
        case session_reply::not_implemented: return {502, ec{5, 5, 1}, "Error: command not implemented"};
        case session_reply::bdat_not_offered: return {521, ec{5, 5, 1}, "Error: BDAT not offered, closing"};
        case session_reply::bdat_syntax: return {521, ec{5, 5, 4}, "Syntax: BDAT count [LAST], closing"};
        case session_reply::use_lhlo: return {500, ec{5, 5, 1}, "Error: this is an LMTP server, use LHLO"};
        case session_reply::auth_required: return {530, ec{5, 7, 0}, "Authentication required"};
        case session_reply::tls_required: return {530, ec{5, 7, 0}, "Must issue a STARTTLS command first"};
        case session_reply::auth_needs_tls: return {538, ec{5, 7, 11}, "Encryption required for requested authentication mechanism"};
        case session_reply::requiretls_needs_tls: return {530, ec{5, 7, 10}, "REQUIRETLS needs a TLS connection"};
        case session_reply::mechanism_unsupported: return {504, ec{5, 5, 4}, "Unrecognized authentication type"};
        case session_reply::initial_response_refused: return {501, ec{5, 7, 0}, "Initial response not allowed for this mechanism"};
        case session_reply::auth_aborted: return {501, ec{5, 7, 0}, "Authentication aborted"};
        case session_reply::auth_failed: return {535, ec{5, 7, 8}, "Authentication credentials invalid"};
        case session_reply::auth_temporary: return {454, ec{4, 7, 0}, "Temporary authentication failure"};
        case session_reply::auth_too_weak: return {534, ec{5, 7, 9}, "Authentication mechanism is too weak"};
        case session_reply::param_not_offered: return {504, ec{5, 5, 4}, "Parameter not supported"};
        case session_reply::unknown_param: return {555, ec{5, 5, 4}, "Unsupported parameter"};
        case session_reply::unknown_param_504: return {504, ec{5, 5, 4}, "Unsupported parameter"};
        case session_reply::size_exceeded: return {552, ec{5, 3, 4}, "Message size exceeds fixed maximum message size"};
        case session_reply::too_many_recipients: return {452, ec{4, 5, 3}, "Error: too many recipients"};
        case session_reply::sender_rejected: return {550, ec{5, 7, 1}, "Sender address rejected"};
        case session_reply::sender_unknown: return {550, ec{5, 1, 0}, "Sender address rejected: unknown"};
        case session_reply::temp_failure: return {451, ec{4, 3, 0}, "Temporary failure, try again later"};
        case session_reply::no_storage: return {452, ec{4, 3, 1}, "Insufficient system storage"};
        case session_reply::recipient_rejected: return {550, ec{5, 7, 1}, "Recipient address rejected"};
        case session_reply::recipient_unknown: return {550, ec{5, 1, 1}, "Recipient address rejected: user unknown"};
        case session_reply::relay_denied: return {554, ec{5, 7, 1}, "Relay access denied"};
        case session_reply::mailbox_full: return {452, ec{4, 2, 2}, "Mailbox full"};
        case session_reply::message_rejected: return {550, ec{5, 7, 1}, "Message rejected"};
        case session_reply::auth_bad_response: return {501, ec{5, 5, 2}, "Invalid base64 data"};
        case session_reply::auth_line_too_long: return {500, ec{5, 5, 6}, "Authentication exchange line is too long"};
        case session_reply::challenge_too_long: return {454, ec{4, 7, 0}, "Temporary authentication failure"};
        case session_reply::timeout: return {421, ec{4, 4, 2}, "Error: timeout exceeded"};
        case session_reply::shutting_down: return {421, ec{4, 3, 2}, "Service shutting down"};
    }
    return {421, ec{4, 3, 0}, "Error"};
}

// =========================================================================================
// Policy
// =========================================================================================

// `extension` (ext_pipelining, ext_size, ...): extensions.hpp, one per row of
// `SMTPP_SERVICE_EXTENSIONS`.

/// The bit of `policy_options::auth_mechanisms` for a mechanism.
constexpr std::uint32_t mechanism_bit(sasl_mechanism m) noexcept {
    return std::uint32_t{1} << static_cast<unsigned>(m);
}

/**
 * What the host chooses; turned once into a `policy`. Defaults follow the RFCs and the
 * post-2023 hardening consensus. Views need only live during the policy's construction.
 */
struct policy_options {
    std::string_view hostname = "localhost";  ///< our name in 220/221/421/250 (printable, no SP)
    std::string_view greeting = {};           ///< text after the host name in 220; "" → "ESMTP"/"LMTP"
    std::uint32_t extensions = ext_pipelining | ext_size | ext_8bitmime | ext_enhancedstatuscodes |
                               ext_chunking;  ///< `extension` bits to advertise
    std::uint32_t auth_mechanisms = 0;        ///< `mechanism_bit()`s offered with ext_auth
    /// RFC 1870: the SIZE limit in octets; 0 = none. Also the body decoders' max_size.
    /// RFC 5321 §4.5.3.1.7: at least 64K.
    std::uint64_t max_message_size = 10u * 1024u * 1024u;
    /// RFC 5321 §4.5.3.1.8: at least 100; excess RCPTs get 452 4.5.3 (§4.5.3.1.10).
    /// 0 = no limit of the host's own; the session still stops at 65535 recipients.
    std::uint16_t max_recipients = 100;
    /// RFC 9422 LIMITS MAILMAX (advertised only; 0 = not advertised).
    std::uint16_t limits_mailmax = 0;
    /// Errors (5xx replies the client caused, 535) before 421 4.7.0 and close; 0 = never.
    std::uint8_t max_errors = 20;
    std::uint32_t deliverby_min = 0;                    ///< RFC 2852 EHLO parameter
    std::uint32_t futurerelease_max_interval = 604800;  ///< RFC 4865 EHLO parameter (seconds)
    std::string_view futurerelease_max_datetime = "2099-12-31T23:59:59Z";  ///< RFC 4865
    std::string_view mt_priority_policy = {};           ///< RFC 6710 EHLO parameter ("MIXER", ...)
    bool lmtp = false;                   ///< RFC 2033: LHLO instead of HELO/EHLO, per-recipient replies
    bool require_auth = false;           ///< RFC 4954 §6: 530 5.7.0 until AUTH succeeded
    bool require_tls = false;            ///< RFC 3207 §4: 530 5.7.0 until STARTTLS (AUTH: 538 5.7.11)
    bool auth_needs_tls = false;         ///< AUTH only under TLS: 538 5.7.11 (RFC 4954 §6)
    /// RFC 2920 §3.1 sync points (and every command when PIPELINING is not in force):
    /// input pending behind them → 554 5.5.0 and close, as Postfix. Off: they are answered
    /// in order (and bytes behind STARTTLS are still discarded by the host).
    bool enforce_sync = true;
    /// Answer unknown MAIL/RCPT parameters with 504 5.5.4 instead of RFC 5321
    /// §4.1.1.11's 555 5.5.4 (for hosts that want the pre-5321 behaviour).
    bool unknown_param_504 = false;
    bool verify_senders = true;      ///< ask the host about each MAIL (action verify_sender)
    bool verify_recipients = true;   ///< ask the host about each RCPT (action verify_recipient)
    /// DATA bare CR/LF policy handed to the decoder (data.hpp; reject = strict).
    bare_newline_policy bare_newline = bare_newline_policy::reject;
    /// Parser leniencies (command.hpp). `max_line` is the base limit before the extension
    /// increments; `smtputf8`/`smtputf8_transaction` are set by the session.
    parse_options parse{};
};

/// Why a policy could not be built. Values are explicit and append-only.
enum class policy_error : std::uint8_t {
    none = 0,
    bad_hostname = 1,   ///< empty, or holds SP, a control or an 8-bit octet
    bad_greeting = 2,   ///< holds a control octet (CR/LF: reply injection)
    bad_parameter = 3,  ///< an EHLO parameter (MT-PRIORITY, FUTURERELEASE) holds SP or a control
    too_long = 4,       ///< the rendered replies do not fit the policy's storage
    /// A limit below its RFC minimum, after which the session would refuse what it must
    /// accept: `parse.max_line` < 512 (RFC 5321 §4.5.3.1.4), `parse.max_auth_line` <
    /// 12288 with AUTH offered (RFC 4954 §4); or one so large that the line limits
    /// (`command_line_limit`, `line_limit`) would overflow.
    bad_limit = 5,
};

constexpr std::string_view to_string(policy_error e) noexcept {
    switch (e) {
        case policy_error::none: return "none";
        case policy_error::bad_hostname: return "bad_hostname";
        case policy_error::bad_greeting: return "bad_greeting";
        case policy_error::bad_parameter: return "bad_parameter";
        case policy_error::too_long: return "too_long";
        case policy_error::bad_limit: return "bad_limit";
    }
    return "?";
}

/// A host that cannot build its policy cannot serve: 421 4.3.0 at connect.
constexpr reply_hint reply_for(policy_error) noexcept { return {421, {4, 3, 0}, "Service not available"}; }

namespace detail {

inline constexpr std::string_view mechanism_names[] = {
    "",          "PLAIN",         "LOGIN",            "CRAM-MD5",           "XOAUTH2",   "OAUTHBEARER", "EXTERNAL",
    "GSSAPI",    "SCRAM-SHA-1",   "SCRAM-SHA-256",    "SCRAM-SHA-1-PLUS",   "SCRAM-SHA-256-PLUS",
    "ANONYMOUS", "NTLM",          "DIGEST-MD5"};

/// Canonical names of `sasl_mechanism` values (RFC 4422 registry), for the EHLO AUTH line.
constexpr std::string_view mechanism_name(std::size_t i) noexcept {
    const auto& names = mechanism_names;
    return i < sizeof(names) / sizeof(names[0]) ? names[i] : std::string_view{};
}
inline constexpr std::size_t mechanism_count = 15;

/// Appends to fixed storage; remembers overflow.
struct render_buf {
    char* out;
    std::size_t cap;
    std::size_t n = 0;
    bool overflow = false;

    constexpr void put(char c) noexcept {
        if (n < cap) out[n++] = c;
        else overflow = true;
    }
    constexpr void put(std::string_view s) noexcept {
        for (char c : s) put(c);
    }
    constexpr void put_uint(std::uint64_t v) noexcept {
        char d[20] = {};
        std::size_t k = 0;
        do {
            d[k++] = static_cast<char>('0' + v % 10);
            v /= 10;
        } while (v != 0);
        while (k > 0) put(d[--k]);
    }
    constexpr void put_code(std::uint16_t code, char sep) noexcept {
        put(static_cast<char>('0' + code / 100));
        put(static_cast<char>('0' + code / 10 % 10));
        put(static_cast<char>('0' + code % 10));
        put(sep);
    }
    constexpr void put_esc(enhanced_code e) noexcept {
        put(static_cast<char>('0' + e.cls));
        put('.');
        put_uint(e.subject);
        put('.');
        put_uint(e.detail);
    }
    /// RFC 5321 §4.2: `Reply-code SP [esc SP] textstring CRLF`.
    constexpr void put_reply(const reply_hint& h, bool esc) noexcept {
        put_code(h.code, ' ');
        if (esc && !h.esc.empty()) {
            put_esc(h.esc);
            if (!h.text.empty()) put(' ');
        }
        put(h.text);
        put("\r\n");
    }
};

constexpr bool is_reply_text(std::string_view s, bool allow_space) noexcept {
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == ' ' ? !allow_space : (c < 0x21 || c > 0x7E) && !(allow_space && c == '\t')) return false;
    }
    return true;
}

// ---- the static reply table: every fixed reply, with and without enhanced codes ----------

inline constexpr std::size_t command_reply_base = session_reply_count;
inline constexpr std::size_t line_reply_base = command_reply_base + command_error_count;
inline constexpr std::size_t line_error_count = 5;
inline constexpr std::size_t data_reply_base = line_reply_base + line_error_count;
inline constexpr std::size_t data_error_count = 6;
inline constexpr std::size_t reply_table_size = data_reply_base + data_error_count;

constexpr reply_hint reply_source(std::size_t i) noexcept {
    if (i < command_reply_base) return reply_for(static_cast<session_reply>(i));
    if (i < line_reply_base) return reply_for(static_cast<command_error>(i - command_reply_base));
    if (i < data_reply_base) return reply_for(static_cast<line_error>(i - line_reply_base));
    return reply_for(static_cast<data_error>(i - data_reply_base));
}

constexpr std::size_t rendered_bytes() noexcept {
    std::size_t total = 0;
    for (int esc = 0; esc < 2; ++esc) {
        for (std::size_t i = 0; i < reply_table_size; ++i) {
            char scratch[256] = {};
            render_buf b{scratch, sizeof scratch};
            b.put_reply(reply_source(i), esc != 0);
            total += b.n;
        }
    }
    return total;
}

struct reply_table {
    char bytes[rendered_bytes()] = {};
    std::uint16_t start[2][reply_table_size + 1] = {};
    /// The reply code of each entry (`step_result::code` without reading the text back).
    std::uint16_t code[reply_table_size] = {};
    /// For the replies the policy renders with the host name: 1 + its slot in the policy's
    /// storage (ehlo: the slot before TLS; the one inside TLS follows it); 0 for the rest.
    std::uint8_t policy_slot[reply_table_size] = {};

    [[nodiscard]] constexpr std::string_view get(std::size_t i, bool esc) const noexcept {
        const auto e = static_cast<std::size_t>(esc);
        return {bytes + start[e][i], static_cast<std::size_t>(start[e][i + 1] - start[e][i])};
    }
};

constexpr reply_table build_reply_table() noexcept {
    reply_table t{};
    render_buf b{t.bytes, sizeof t.bytes};
    for (int esc = 0; esc < 2; ++esc) {
        for (std::size_t i = 0; i < reply_table_size; ++i) {
            t.start[esc][i] = static_cast<std::uint16_t>(b.n);
            b.put_reply(reply_source(i), esc != 0);
        }
        t.start[esc][reply_table_size] = static_cast<std::uint16_t>(b.n);
    }
    for (std::size_t i = 0; i < reply_table_size; ++i) t.code[i] = reply_source(i).code;
    // The order of `policy::rendered()`'s storage: greeting, ehlo, ehlo inside TLS, helo,
    // bye, too_many_errors, local_error, timeout, shutting_down.
    t.policy_slot[static_cast<std::size_t>(session_reply::greeting)] = 1;
    t.policy_slot[static_cast<std::size_t>(session_reply::ehlo)] = 2;
    t.policy_slot[static_cast<std::size_t>(session_reply::helo)] = 4;
    t.policy_slot[static_cast<std::size_t>(session_reply::bye)] = 5;
    t.policy_slot[static_cast<std::size_t>(session_reply::too_many_errors)] = 6;
    t.policy_slot[static_cast<std::size_t>(session_reply::local_error)] = 7;
    t.policy_slot[static_cast<std::size_t>(session_reply::timeout)] = 8;
    t.policy_slot[static_cast<std::size_t>(session_reply::shutting_down)] = 9;
    return t;
}

inline constexpr reply_table replies = build_reply_table();

constexpr std::size_t reply_index(session_reply r) noexcept { return static_cast<std::size_t>(r); }
constexpr std::size_t reply_index(command_error e) noexcept { return command_reply_base + static_cast<std::size_t>(e); }
constexpr std::size_t reply_index(line_error e) noexcept {
    const auto i = static_cast<std::size_t>(e);
    return line_reply_base + (i < line_error_count ? i : 1);
}
constexpr std::size_t reply_index(data_error e) noexcept {
    const auto i = static_cast<std::size_t>(e);
    return data_reply_base + (i < data_error_count ? i : 0);
}

struct policy_access;

}  // namespace detail

/**
 * The host's choices, validated and pre-rendered: greeting, both EHLO replies (before and
 * inside TLS), HELO, 221 and the 421s live in storage the policy owns, so `step()` only
 * points at bytes. Build once (it is `constexpr`), check `error()` (`to_string()` names the
 * error for the host's log: a host name, greeting or EHLO parameter that would inject into
 * replies, replies too long for the storage, or a limit below its RFC minimum), share it read-only
 * between sessions. Copyable: the storage moves with it (offsets, not pointers).
 */
class policy {
public:
    static constexpr std::size_t storage = 2048;
    /// The largest `parse.max_line` / `parse.max_auth_line` a policy takes (`bad_limit`
    /// above): the line limits add the extension increments to them without overflow.
    static constexpr std::size_t max_limit = static_cast<std::size_t>(-1) / 2;

    constexpr explicit policy(const policy_options& o = {}) noexcept : opt_(o) {
        esc_ = (o.extensions & ext_enhancedstatuscodes) != 0;
        // Even for a policy that fails to build (command_line_limit() must not depend on it):
        // the MAIL/RCPT parameters whose extension is offered (BODY is decided by value).
        // Both derived from the parameter table (extensions.hpp `SMTPP_ESMTP_PARAMS`).
        params_ = static_cast<std::uint16_t>(detail::params_enabled_by(o.extensions));
        // RFC 5321 §2.2.2 line increments (see command_line_limit()).
        esmtp_line_ = static_cast<std::uint16_t>(detail::line_increment(o.extensions, detail::all_params, true));
        if (o.hostname.empty() || !detail::is_reply_text(o.hostname, false)) {
            err_ = policy_error::bad_hostname;
        } else if (!detail::is_reply_text(o.greeting, true)) {
            err_ = policy_error::bad_greeting;
        } else if (!detail::is_reply_text(o.mt_priority_policy, false) ||
                   !detail::is_reply_text(o.futurerelease_max_datetime, false)) {
            err_ = policy_error::bad_parameter;
        } else if (o.parse.max_line < 512 || o.parse.max_line > max_limit ||
                   ((o.extensions & ext_auth) != 0 && o.parse.max_auth_line < 12288) ||
                   o.parse.max_auth_line > max_limit) {
            err_ = policy_error::bad_limit;
        }
        opt_.hostname = {};
        opt_.greeting = {};
        opt_.futurerelease_max_datetime = {};
        opt_.mt_priority_policy = {};
        if (err_ != policy_error::none) return;
        detail::render_buf b{buf_, storage};
        // Slot k ends at end_[k]; slot 0 (the greeting) starts at 0, slot k + 1 where k ends.
        auto mark = [&](std::size_t k) {
            if (k != 0) end_[k - 1] = static_cast<std::uint16_t>(b.n);
        };
        // 220: Greeting = "220 " (Domain / address-literal) [ SP textstring ] CRLF (§4.2).
        mark(0);
        b.put("220 ");
        b.put(o.hostname);
        b.put(' ');
        b.put(!o.greeting.empty() ? o.greeting : o.lmtp ? std::string_view{"LMTP"} : std::string_view{"ESMTP"});
        b.put("\r\n");
        mark(1);
        render_ehlo(b, o, false);
        mark(2);
        render_ehlo(b, o, true);
        mark(3);
        b.put("250 ");
        b.put(o.hostname);
        b.put("\r\n");
        // 221 <domain> and 421 <domain> (RFC 5321 §4.2.2/§4.2.3): the host name follows the
        // code (and the enhanced code when in use).
        const session_reply named[] = {session_reply::bye, session_reply::too_many_errors,
                                       session_reply::local_error, session_reply::timeout,
                                       session_reply::shutting_down};
        for (std::size_t k = 0; k < 5; ++k) {
            mark(4 + k);
            const reply_hint h = reply_for(named[k]);
            b.put_code(h.code, ' ');
            if (esc_) {
                b.put_esc(h.esc);
                b.put(' ');
            }
            b.put(o.hostname);
            b.put(' ');
            b.put(h.text);
            b.put("\r\n");
        }
        mark(9);
        if (b.overflow) err_ = policy_error::too_long;
    }

    /// `none`, or why the policy is unusable (then every session answers 421 and closes).
    [[nodiscard]] constexpr policy_error error() const noexcept { return err_; }
    /// The options, without their views (hostname and texts live in the rendered replies).
    [[nodiscard]] constexpr const policy_options& options() const noexcept { return opt_; }
    /// True when replies carry RFC 3463 codes (ENHANCEDSTATUSCODES advertised).
    [[nodiscard]] constexpr bool enhanced_codes() const noexcept { return esc_; }
    [[nodiscard]] constexpr bool offers(extension e) const noexcept { return (opt_.extensions & e) != 0; }
    [[nodiscard]] constexpr bool offers_mechanism(sasl_mechanism m) const noexcept {
        return offers(ext_auth) && m != sasl_mechanism::other && (opt_.auth_mechanisms & mechanism_bit(m)) != 0;
    }

    /// The rendered bytes of a policy reply: greeting, ehlo (`tls` picks the capability
    /// list offered inside TLS), helo, bye, too_many_errors, local_error, timeout,
    /// shutting_down.
    [[nodiscard]] constexpr std::string_view rendered(session_reply r, bool tls = false) const noexcept {
        std::size_t k = 0;
        switch (r) {
            case session_reply::greeting: k = 0; break;
            case session_reply::ehlo: k = tls ? 2 : 1; break;
            case session_reply::helo: k = 3; break;
            case session_reply::bye: k = 4; break;
            case session_reply::too_many_errors: k = 5; break;
            case session_reply::local_error: k = 6; break;
            case session_reply::timeout: k = 7; break;
            case session_reply::shutting_down: k = 8; break;
            default: return {};
        }
        if (err_ != policy_error::none) return {};
        return slot(k);
    }

private:
    // ehlo-ok-rsp = ( "250" SP Domain [ SP ehlo-greet ] CRLF )
    //             / ( "250-" Domain [ SP ehlo-greet ] CRLF *( "250-" ehlo-line CRLF )
    //                 "250" SP ehlo-line CRLF )                        (RFC 5321 §4.1.1.1)
    // Each line is written as "250-"; the last one's "-" is turned into SP at the end.
    constexpr void render_ehlo(detail::render_buf& b, const policy_options& o, bool tls) noexcept {
        const std::size_t first = b.n;
        std::size_t last = first;
        auto line = [&](std::string_view kw) {
            b.put("\r\n");
            last = b.n;
            b.put("250-");
            b.put(kw);
        };
        b.put("250-");
        b.put(o.hostname);
        // The keywords and their order: extensions.hpp `SMTPP_SERVICE_EXTENSIONS`.
        for (const detail::service_row& r : detail::service_rows) {
            if ((o.extensions & r.policy) == 0 || !offered_now(r, o, tls)) continue;
            line(r.keyword);
            render_ehlo_params(b, r.kind, o);
        }
        b.put("\r\n");
        if (!b.overflow) buf_[last + 3] = ' ';
    }

    /// Whether the enabled extension `r` is offered in this EHLO reply.
    static constexpr bool offered_now(const detail::service_row& r, const policy_options& o, bool tls) noexcept {
        switch (r.when) {
            case detail::offered_when::before_tls: return !tls;
            case detail::offered_when::inside_tls: return tls;
            case detail::offered_when::with_chunking: return (o.extensions & ext_chunking) != 0;
            case detail::offered_when::always: break;
        }
        switch (r.kind) {
            // AUTH that can only be used under TLS is not offered before it (as Postfix's
            // smtpd_tls_auth_only): a client should not be invited to a 538.
            case detail::keyword_kind::auth: return o.auth_mechanisms != 0 && (tls || !(o.auth_needs_tls || o.require_tls));
            // RFC 9422 §4: limits that do not apply are left out (no RCPTMAX=0 for "no limit").
            case detail::keyword_kind::limits: return o.max_recipients != 0 || o.limits_mailmax != 0;
            default: return true;
        }
    }

    /// The EHLO parameters after a keyword of the kind `k`.
    static constexpr void render_ehlo_params(detail::render_buf& b, detail::keyword_kind k, const policy_options& o) noexcept {
        switch (k) {
            case detail::keyword_kind::plain:
            case detail::keyword_kind::listed: break;
            case detail::keyword_kind::size:
                if (o.max_message_size != 0) {
                    b.put(' ');
                    b.put_uint(o.max_message_size);
                }
                break;
            case detail::keyword_kind::auth:
                for (std::size_t m = 1; m < detail::mechanism_count; ++m) {
                    if ((o.auth_mechanisms & (std::uint32_t{1} << m)) == 0) continue;
                    b.put(' ');
                    b.put(detail::mechanism_name(m));
                }
                break;
            case detail::keyword_kind::deliverby:
                if (o.deliverby_min != 0) {
                    b.put(' ');
                    b.put_uint(o.deliverby_min);
                }
                break;
            case detail::keyword_kind::futurerelease:
                b.put(' ');
                b.put_uint(o.futurerelease_max_interval);
                b.put(' ');
                b.put(o.futurerelease_max_datetime);
                break;
            case detail::keyword_kind::mt_priority:
                if (!o.mt_priority_policy.empty()) {
                    b.put(' ');
                    b.put(o.mt_priority_policy);
                }
                break;
            case detail::keyword_kind::limits:
                if (o.max_recipients != 0) {
                    b.put(" RCPTMAX=");
                    b.put_uint(o.max_recipients);
                }
                if (o.limits_mailmax != 0) {
                    b.put(" MAILMAX=");
                    b.put_uint(o.limits_mailmax);
                }
                break;
        }
    }

    friend struct detail::policy_access;

    [[nodiscard]] constexpr std::string_view slot(std::size_t k) const noexcept {
        const std::size_t from = k == 0 ? 0 : end_[k - 1];
        return {buf_ + from, end_[k] - from};
    }

    policy_options opt_{};
    policy_error err_ = policy_error::none;
    bool esc_ = false;
    std::uint16_t end_[9] = {};     ///< where each rendered reply ends in buf_
    std::uint16_t esmtp_line_ = 0;  ///< the command-line increment after EHLO/LHLO
    std::uint16_t params_ = 0;      ///< `param_bit`s of the extensions offered (not BODY)
    char buf_[storage] = {};
};

namespace detail {

/// The policy's private storage, for the result builders.
struct policy_access {
    /// Slot `k` of the rendered policy replies (see `reply_table::policy_slot`).
    static constexpr std::string_view slot(const policy& p, std::size_t k) noexcept {
        return p.slot(k);
    }
    /// What `command_line_limit()` adds to `parse.max_line` once extensions are in force.
    static constexpr std::size_t esmtp_line(const policy& p) noexcept { return p.esmtp_line_; }
    /// The `param_bit`s of the extensions the policy offers (BODY aside).
    static constexpr std::uint32_t params(const policy& p) noexcept { return p.params_; }
};

}  // namespace detail

// =========================================================================================
// State and result
// =========================================================================================

/// Bits of `session_state::flags`.
enum session_flag : std::uint16_t {
    sf_esmtp = 1u << 0,          ///< EHLO/LHLO (not HELO): extensions are in force
    sf_tls = 1u << 1,            ///< TLS is up
    sf_authenticated = 1u << 2,  ///< AUTH succeeded
    sf_smtputf8 = 1u << 3,       ///< transaction: MAIL ... SMTPUTF8
    sf_binarymime = 1u << 4,     ///< transaction: BODY=BINARYMIME
    sf_bdat_used = 1u << 5,      ///< transaction: a BDAT chunk was accepted
    sf_bdat_failed = 1u << 6,    ///< transaction: a BDAT failed; refuse chunks until RSET/LAST
    sf_chunk_last = 1u << 7,     ///< the chunk in flight carried LAST
    sf_chunk_discard = 1u << 8,  ///< the chunk in flight is refused (its octets are dropped)
    sf_requiretls = 1u << 9,     ///< transaction: MAIL ... REQUIRETLS
};
inline constexpr std::uint16_t transaction_flags =
    sf_smtputf8 | sf_binarymime | sf_bdat_used | sf_bdat_failed | sf_requiretls;

/**
 * The whole session state: small, trivially copyable, no pointers. Default-constructed it
 * is the state before the greeting (`start()`).
 */
struct session_state {
    smtpp::phase phase = smtpp::phase::connect;
    smtpp::pending pending = smtpp::pending::none;
    std::uint8_t errors = 0;             ///< errors so far (saturating)
    smtpp::phase resume = smtpp::phase::connect;  ///< phase after a discarded chunk
    std::uint16_t flags = 0;             ///< `session_flag` bits
    std::uint16_t deferred = 0;          ///< reply index owed at the end of a discarded chunk
    std::uint16_t recipients = 0;        ///< recipients accepted in this transaction
    std::uint16_t index = 0;             ///< LMTP: the recipient whose delivery reply is next
    std::uint64_t declared_size = 0;     ///< MAIL SIZE= (RFC 1870), 0 when absent
    std::uint64_t bdat_size = 0;         ///< BDAT octets announced in this transaction (saturating)

    [[nodiscard]] constexpr bool has(session_flag f) const noexcept { return (flags & f) != 0; }
    friend constexpr bool operator==(const session_state& a, const session_state& b) noexcept {
        return a.phase == b.phase && a.pending == b.pending && a.errors == b.errors && a.resume == b.resume &&
               a.flags == b.flags && a.deferred == b.deferred && a.recipients == b.recipients &&
               a.index == b.index && a.declared_size == b.declared_size && a.bdat_size == b.bdat_size;
    }
    friend constexpr bool operator!=(const session_state& a, const session_state& b) noexcept { return !(a == b); }
};
static_assert(std::is_trivially_copyable<session_state>::value, "session_state must be trivially copyable");
static_assert(sizeof(session_state) <= 32, "session_state must stay small");

/**
 * What one transition produced. Write `reply` `count` times (0 or 1; more only for LMTP
 * per-recipient replies after a failed body), then carry out `act`.
 */
struct step_result {
    session_state next{};
    std::string_view reply{};   ///< bytes to write as is (empty: nothing to write)
    std::uint16_t code = 0;     ///< the reply code of `reply`, 0 when none
    std::uint16_t count = 0;    ///< how many times to write `reply`
    smtpp::action act = smtpp::action::none;
    bool discard = false;       ///< read_bdat: the chunk is refused; drop its octets
    bool last = false;          ///< read_bdat: the chunk carries LAST
    bool first_chunk = false;   ///< read_bdat: the first chunk of the message (new decoder)
    bool has_sasl = false;      ///< verify_credentials: `sasl` holds a client response
    bool injection = false;     ///< start_tls: input was pending behind STARTTLS (CVE-2011-0411)
    std::uint16_t index = 0;    ///< deliver: the recipient (RCPT order, from 0) in LMTP
    std::uint16_t why = 0;      ///< index of the reply in the session's reply table (for tests/logs)
    command_error error = command_error::none;  ///< the parser's verdict on the line
    std::uint64_t chunk_size = 0;  ///< read_bdat: octets to consume
    std::string_view sasl{};    ///< verify_credentials: the base64 response ("" for "=")
};

// =========================================================================================
// The transition table: (phase × verb) → allowed?, reply, next phase
// =========================================================================================

namespace detail {

enum class rule : std::uint8_t {
    accept = 0,       ///< the command runs (subject to the exceptions below); `reply` on success
    refuse = 1,       ///< refused with `reply`; the phase does not change (RFC 5321 §4.1.4)
    not_command = 2,  ///< this phase does not read commands (body, SASL, TLS, closed)
};

struct transition {
    rule kind = rule::not_command;
    session_reply reply = session_reply::local_error;
    smtpp::phase next = smtpp::phase::closed;
};

constexpr transition acc(session_reply r, phase n) noexcept { return {rule::accept, r, n}; }
constexpr transition ref(session_reply r, phase n) noexcept { return {rule::refuse, r, n}; }
inline constexpr transition none_{rule::not_command, session_reply::local_error, phase::closed};

using sr = session_reply;
using ph = phase;

/**
 * The table. Rows: phases; columns: `verb` in enum order. RFC 5321 §4.1.4 (order of
 * commands), §3.3 (MAIL/RCPT/DATA), RFC 3030 (BDAT), RFC 3207 (STARTTLS), RFC 4954 (AUTH).
 * Unknown verbs never reach the table (the parser's 500 5.5.1 answers them).
 */
inline constexpr transition transitions[phase_count][verb_count] = {
    // unknown, HELO, EHLO, LHLO, MAIL, RCPT, DATA, BDAT, RSET, VRFY, EXPN, HELP, NOOP, QUIT,
    // STARTTLS, AUTH, ETRN
    /* connect */ {none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_},
    /* fresh */
    {ref(sr::not_implemented, ph::fresh), acc(sr::helo, ph::ready), acc(sr::ehlo, ph::ready), acc(sr::ehlo, ph::ready),
     ref(sr::need_helo, ph::fresh), ref(sr::need_helo, ph::fresh), ref(sr::need_helo, ph::fresh),
     ref(sr::need_helo, ph::fresh), acc(sr::ok, ph::fresh), acc(sr::vrfy, ph::fresh), ref(sr::not_implemented, ph::fresh),
     acc(sr::help, ph::fresh), acc(sr::ok, ph::fresh), acc(sr::bye, ph::closed), ref(sr::need_helo, ph::fresh),
     ref(sr::need_helo, ph::fresh), ref(sr::not_implemented, ph::fresh)},
    /* ready */
    {ref(sr::not_implemented, ph::ready), acc(sr::helo, ph::ready), acc(sr::ehlo, ph::ready), acc(sr::ehlo, ph::ready),
     acc(sr::sender_ok, ph::mail), ref(sr::need_mail, ph::ready), ref(sr::need_mail, ph::ready),
     ref(sr::need_mail, ph::ready), acc(sr::ok, ph::ready), acc(sr::vrfy, ph::ready), ref(sr::not_implemented, ph::ready),
     acc(sr::help, ph::ready), acc(sr::ok, ph::ready), acc(sr::bye, ph::closed), acc(sr::start_tls, ph::tls),
     acc(sr::auth_ok, ph::auth), ref(sr::not_implemented, ph::ready)},
    /* mail */
    {ref(sr::not_implemented, ph::mail), acc(sr::helo, ph::ready), acc(sr::ehlo, ph::ready), acc(sr::ehlo, ph::ready),
     ref(sr::nested_mail, ph::mail), acc(sr::recipient_ok, ph::rcpt), ref(sr::need_rcpt, ph::mail),
     ref(sr::need_rcpt, ph::mail), acc(sr::ok, ph::ready), acc(sr::vrfy, ph::mail), ref(sr::not_implemented, ph::mail),
     acc(sr::help, ph::mail), acc(sr::ok, ph::mail), acc(sr::bye, ph::closed), ref(sr::in_transaction, ph::mail),
     ref(sr::in_transaction, ph::mail), ref(sr::not_implemented, ph::mail)},
    /* rcpt */
    {ref(sr::not_implemented, ph::rcpt), acc(sr::helo, ph::ready), acc(sr::ehlo, ph::ready), acc(sr::ehlo, ph::ready),
     ref(sr::nested_mail, ph::rcpt), acc(sr::recipient_ok, ph::rcpt), acc(sr::start_data, ph::data),
     acc(sr::chunk_ok, ph::chunk), acc(sr::ok, ph::ready), acc(sr::vrfy, ph::rcpt), ref(sr::not_implemented, ph::rcpt),
     acc(sr::help, ph::rcpt), acc(sr::ok, ph::rcpt), acc(sr::bye, ph::closed), ref(sr::in_transaction, ph::rcpt),
     ref(sr::in_transaction, ph::rcpt), ref(sr::not_implemented, ph::rcpt)},
    /* data */ {none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_},
    /* chunk */ {none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_},
    /* auth */ {none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_},
    /* tls */ {none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_},
    /* closed */ {none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_, none_},
};

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

}  // namespace detail

// =========================================================================================
// Helpers the host uses around the session
// =========================================================================================

/**
 * The command-line limit in force, RFC 5321 §4.5.3.1.4 (512) plus the increments of the
 * extensions negotiated (RFC 5321 §2.2.2): SIZE +26 (RFC 1870 §3), AUTH= +500 (RFC 4954 §3),
 * SMTPUTF8 +10 (RFC 6531 §3.1), DSN +600 (RFC 3461: ENVID/RET +100 on MAIL, NOTIFY/ORCPT
 * +500 on RCPT — increments as implementations use them, not verified against the RFC text).
 */
constexpr std::size_t command_line_limit(const policy& p, const session_state& s) noexcept {
    const std::size_t n = p.options().parse.max_line;
    return s.has(sf_esmtp) ? n + detail::policy_access::esmtp_line(p) : n;  // increments summed once
}

/// The limit for `line_reader::set_max_line`: AUTH lines may be up to `max_auth_line`
/// (RFC 4954 §4: 12288) at any time, so the reader must let them through; the parser then
/// applies the command limit to every other verb.
constexpr std::size_t line_limit(const policy& p) noexcept {
    const std::size_t cmd = p.options().parse.max_line + detail::max_line_increment;
    const std::size_t auth = p.offers(ext_auth) ? p.options().parse.max_auth_line : 0;
    return cmd > auth ? cmd : auth;
}

/// The parser options for the next line in state `s`.
constexpr parse_options command_options(const policy& p, const session_state& s) noexcept {
    parse_options o = p.options().parse;
    const bool esmtp = s.has(sf_esmtp);
    if (esmtp) o.max_line += detail::policy_access::esmtp_line(p);
    o.smtputf8 = esmtp && p.offers(ext_smtputf8);
    o.smtputf8_transaction = s.has(sf_smtputf8);
    return o;
}

/// The DATA decoder options after a 354 (size limit from the policy, bare-newline policy).
/// RFC 1870 §6: the declared SIZE never decides the end of data.
constexpr data_options body_options(const policy& p, const session_state&) noexcept {
    data_options o;
    o.bare_newline = p.options().bare_newline;
    o.max_size = p.options().max_message_size;
    return o;
}

/// The BDAT decoder options: RFC 3030 §3 text bodies (not BINARYMIME) must be canonical
/// CRLF text, so bare CR/LF and NUL are refused unless BODY=BINARYMIME.
constexpr bdat_options chunk_options(const policy& p, const session_state& s) noexcept {
    bdat_options o;
    const bool binary = s.has(sf_binarymime);
    o.reject_bare_newline = !binary;
    o.reject_nul = !binary;
    o.max_size = p.options().max_message_size;
    return o;
}

// =========================================================================================
// Result builders
// =========================================================================================

namespace detail {

/// `session_state::deferred` when a discarded chunk owes no reply (RFC 2033 §4.3).
inline constexpr std::uint16_t no_reply = 0xFFFF;

/// Does `s` read as a BDAT command to a peer that skips leading blanks (Postfix's
/// tokenizer does)? Such a line announces a chunk: if smtpp refuses it for any reason,
/// the octets that follow must not be read as commands (RFC 3030 §2, SMTP smuggling).
constexpr bool looks_like_bdat(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size() && is_blank(s[i])) ++i;
    return s.size() - i >= 5 && iequals_upper(detail::sub(s, i, 4), "BDAT") && is_blank(s[i + 4]);
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

/// The extension an esmtp-param needs (RFC 5321 §4.1.2: parameters only for offered ones).
/// BODY=8BITMIME/7BIT needs 8BITMIME, BODY=BINARYMIME needs `binary_ok`.
constexpr bool params_offered(const policy& p, const params& ps, bool binary_ok) noexcept {
    if ((ps.present & all_params & ~(policy_access::params(p) | p_body)) != 0) return false;
    if (!ps.has(p_body)) return true;
    return ps.body == body_type::binary_mime ? binary_ok : p.offers(ext_8bitmime);
}

/// RFC 2920 §3.1: must this command be the last of its group? EHLO, DATA, VRFY, EXPN,
/// TURN, QUIT, NOOP and extension commands are; RSET, MAIL, RCPT are not when PIPELINING
/// is in force. BDAT's payload follows it by definition (RFC 3030 §2). AUTH with an
/// initial response of a one-round-trip client-first mechanism is exempt (RFC 4954 §4).
/// QUIT ends the session anyway.
constexpr bool must_be_last(const policy& p, const session_state& s, const command& c) noexcept {
    const bool pipelining = s.has(sf_esmtp) && p.offers(ext_pipelining);
    switch (c.verb) {
        case verb::bdat:
        case verb::quit:
            return false;
        case verb::mail:
        case verb::rcpt:
        case verb::rset:
            return !pipelining;
        case verb::auth:
            return !pipelining || !c.has_initial_response ||
                   !(c.mechanism_id == sasl_mechanism::plain || c.mechanism_id == sasl_mechanism::external ||
                     c.mechanism_id == sasl_mechanism::anonymous);
        default:
            return true;
    }
}

/// Server-first SASL mechanisms: an initial response is a 501 (RFC 4954 §4).
constexpr bool server_first(sasl_mechanism m) noexcept {
    return m == sasl_mechanism::cram_md5 || m == sasl_mechanism::digest_md5;
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

/// The reply for a host verdict, per pending decision: [pending][verdict].
inline constexpr session_reply verdict_replies[5][verdict_count] = {
    /* none */ {sr::local_error, sr::local_error, sr::local_error, sr::local_error, sr::local_error,
                sr::local_error, sr::local_error, sr::local_error},
    /* sender */ {sr::sender_ok, sr::sender_rejected, sr::temp_failure, sr::sender_unknown, sr::sender_rejected,
                  sr::no_storage, sr::size_exceeded, sr::sender_rejected},
    /* recipient */ {sr::recipient_ok, sr::recipient_rejected, sr::temp_failure, sr::recipient_unknown,
                     sr::relay_denied, sr::mailbox_full, sr::size_exceeded, sr::recipient_rejected},
    /* credentials */ {sr::auth_ok, sr::auth_failed, sr::auth_temporary, sr::auth_failed, sr::auth_failed,
                       sr::auth_temporary, sr::auth_failed, sr::auth_too_weak},
    /* delivery */ {sr::queued, sr::message_rejected, sr::temp_failure, sr::recipient_unknown, sr::relay_denied,
                    sr::mailbox_full, sr::size_exceeded, sr::message_rejected},
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
    // The refusal is answered only now, at the real end (security_rfc §1.4: never early).
    r.next.phase = phase::ready;
    const std::uint16_t n = p.options().lmtp ? s.recipients : 1;
    reset_transaction(r.next);
    set_reply(r, p, reply_index(v));
    r.count = r.reply.empty() ? 0 : n;
    return r;
}

}  // namespace detail

// =========================================================================================
// The entry points
// =========================================================================================

namespace detail {
constexpr step_result start_core(const policy& p, const session_state& s) noexcept {
    step_result r;
    r.next = s;
    if (s.phase != phase::connect) return detail::misuse(p, s);
    if (p.error() != policy_error::none) {
        detail::close_with(r, p, detail::reply_index(session_reply::local_error));
        return r;
    }
    r.next.phase = phase::fresh;
    detail::set_reply(r, p, detail::reply_index(session_reply::greeting));
    return r;
}
}  // namespace detail

/**
 * Opens the session: the 220 greeting (RFC 5321 §3.1, §4.2). `s` must be the default
 * state. A policy that failed to build answers 421 and closes.
 */
constexpr step_result start(const policy& p, const session_state& s = {}) noexcept {
    return detail::start_core(p, s);
}

namespace detail {

/// A line inside an AUTH exchange: a SASL response, never a command (security_rfc §4.6).
constexpr void auth_line(step_result& r, const policy& p, std::string_view line) noexcept {
    std::string_view body = line;
    if (body.size() >= 2 && body[body.size() - 2] == '\r' && body.back() == '\n') body.remove_suffix(2);
    else body = std::string_view{"\x01"};  // not a line: fails the base64 check below
    const bool too_long = line.size() > p.options().parse.max_auth_line;
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
        case phase::auth:
            auth_line(r, p, line);
            return;
        case phase::tls:
            // Bytes behind STARTTLS are never answered (RFC 3207 §4.2, CVE-2011-0411).
            return;
        case phase::closed:
            r.act = action::close;  // after close nothing is answered
            return;
        case phase::connect:
            // Input before the greeting: a pre-greet talker (security_rfc §2.1, P7).
            close_with(r, p, reply_index(session_reply::sync_error));
            return;
        default:
            misuse_into(r, p, s);
            return;
    }
}

}  // namespace detail

namespace detail {
constexpr step_result step_core(const policy& p, const session_state& s, std::string_view line, command& cmd,
                           bool input_pending) noexcept {
    using detail::reply_index;
    // One result object for every path (NRVO). The command lives in the host's storage:
    // zeroing and copying 300-odd bytes per step cost more than the transition itself.
    step_result r;
    r.next = s;
    // Commands are read in fresh, ready, mail and rcpt (1..4) with no decision pending.
    static_assert(static_cast<int>(phase::fresh) == 1 && static_cast<int>(phase::rcpt) == 4, "command phases");
    if (s.pending != pending::none || static_cast<unsigned>(s.phase) - 1u >= 4u) {
        detail::not_a_command(r, p, s, line, cmd);
        return r;
    }

    const command_error err = parse_command(line, cmd, command_options(p, s));
    r.error = err;
    const command& c = cmd;
    const bool lmtp = p.options().lmtp;

    // =====================================================================================
    // EXCEPTIONS TO THE TABLE — everything that is not (phase × verb) lives here
    // =====================================================================================

    // RFC 3030 §2 / Postfix bdat_cmd: a BDAT we cannot frame, or that was never offered,
    // is followed by raw octets that would be read as commands: answer 521 and close. A
    // line that only a lenient peer reads as BDAT (" BDAT 5 LAST") is treated the same.
    if (err != command_error::none && c.verb != verb::bdat && detail::looks_like_bdat(line)) {
        detail::close_with(r, p, reply_index(session_reply::bdat_syntax));
        return r;
    }
    if (c.verb == verb::bdat) {
        if (!p.offers(ext_chunking) || !s.has(sf_esmtp)) {
            detail::close_with(r, p, reply_index(session_reply::bdat_not_offered));
            return r;
        }
        if (err != command_error::none) {
            detail::close_with(r, p, reply_index(session_reply::bdat_syntax));
            return r;
        }
    }
    if (err != command_error::none && detail::line_level(err)) {
        detail::client_error(r, p, reply_index(err));
        return r;
    }
    // RFC 2033 §4.1: LHLO replaces HELO/EHLO; outside LMTP, LHLO is not a command.
    if (lmtp ? (c.verb == verb::helo || c.verb == verb::ehlo) : c.verb == verb::lhlo) {
        detail::client_error(r, p, lmtp ? reply_index(session_reply::use_lhlo) : reply_index(command_error::unknown_verb));
        return r;
    }
    // RFC 2920 §3.1 sync points; Postfix 554 5.5.0 and close (security_rfc §2.5 P8-P13).
    if (input_pending && err == command_error::none && p.options().enforce_sync && detail::must_be_last(p, s, c)) {
        detail::close_with(r, p, reply_index(session_reply::sync_error));
        return r;
    }

    const detail::transition t =
        detail::transitions[static_cast<std::size_t>(s.phase)][static_cast<std::size_t>(c.verb)];
    if (t.kind != detail::rule::accept) {
        session_reply why = t.reply;
        if (why == session_reply::need_helo && lmtp) why = session_reply::need_lhlo;
        if (c.verb == verb::bdat) {
            // A refused but well-formed BDAT still consumes its payload (Postfix skip_bdat).
            std::uint16_t f = static_cast<std::uint16_t>(s.flags | sf_chunk_discard);
            f = static_cast<std::uint16_t>(c.last ? (f | sf_chunk_last) : (f & ~sf_chunk_last));
            std::uint16_t owed = static_cast<std::uint16_t>(reply_index(why));
            if (s.phase == phase::mail) {
                // RFC 2033 §4.3: in LMTP, BDAT LAST with no successful RCPT returns zero
                // replies (and its earlier chunks 250). In SMTP the transaction is spoiled.
                if (lmtp) owed = c.last ? detail::no_reply : static_cast<std::uint16_t>(reply_index(session_reply::chunk_ok));
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
            return r;
        }
        detail::client_error(r, p, reply_index(why));
        return r;
    }
    // The sequence is right: now the argument syntax (RFC 5321 §4.1.4: 501, same state).
    if (err != command_error::none) {
        detail::client_error(r, p, reply_index(err));
        return r;
    }

    const bool tls = s.has(sf_tls);
    const bool authed = s.has(sf_authenticated);
    // RFC 3207 §4: before STARTTLS a TLS-requiring server answers 530 to all but NOOP,
    // EHLO, STARTTLS, QUIT (HELO, LHLO, RSET and HELP are harmless and allowed too).
    // RFC 4954 §6: 530 5.7.0 to all but AUTH, EHLO, HELO, NOOP, RSET, QUIT before AUTH.
    // (BDAT never gets here without an accepted MAIL, which passed these checks.)
    const bool need_tls = p.options().require_tls && !tls;
    if (need_tls || (p.options().require_auth && !authed)) {
        switch (c.verb) {
            case verb::mail:
            case verb::rcpt:
            case verb::data:
            case verb::vrfy:
            case verb::expn:
            case verb::etrn:
                detail::client_error(r, p, reply_index(need_tls ? session_reply::tls_required
                                                                : session_reply::auth_required));
                return r;
            default:
                break;
        }
    }

    switch (c.verb) {
        case verb::helo:
        case verb::ehlo:
        case verb::lhlo:
            // RFC 5321 §4.1.4: EHLO/HELO reset the transaction, like RSET.
            detail::reset_transaction(r.next);
            r.next.flags = static_cast<std::uint16_t>(c.verb == verb::helo ? (r.next.flags & ~sf_esmtp)
                                                                           : (r.next.flags | sf_esmtp));
            break;
        case verb::rset:
            detail::reset_transaction(r.next);
            break;
        case verb::quit:
            r.act = action::close;
            break;
        case verb::mail: {
            const params& ps = c.params;
            if (ps.unknown_count != 0) {  // RFC 5321 §4.1.1.11: 555
                detail::client_error(r, p, reply_index(p.options().unknown_param_504 ? session_reply::unknown_param_504
                                                                                     : session_reply::unknown_param));
                return r;
            }
            // RFC 5321 §4.1.2/§4.2.4, RFC 1869: a parameter of an extension not offered
            // (or any parameter after HELO) is recognised but not implemented: 504 5.5.4.
            const bool binary_ok = p.offers(ext_binarymime) && p.offers(ext_chunking);
            if (ps.present != 0 && (!s.has(sf_esmtp) || !detail::params_offered(p, ps, binary_ok))) {
                detail::client_error(r, p, reply_index(session_reply::param_not_offered));
                return r;
            }
            if (ps.has(p_requiretls) && !tls) {  // RFC 8689 §4.1
                detail::client_error(r, p, reply_index(session_reply::requiretls_needs_tls));
                return r;
            }
            const std::uint64_t max = p.options().max_message_size;
            if (ps.has(p_size) && max != 0 && ps.size > max) {  // RFC 1870 §6
                detail::set_reply(r, p, reply_index(session_reply::size_exceeded));
                return r;
            }
            detail::reset_transaction(r.next);
            std::uint16_t f = r.next.flags;
            if (ps.has(p_smtputf8)) f = static_cast<std::uint16_t>(f | sf_smtputf8);
            if (ps.body == body_type::binary_mime) f = static_cast<std::uint16_t>(f | sf_binarymime);
            if (ps.has(p_requiretls)) f = static_cast<std::uint16_t>(f | sf_requiretls);
            r.next.flags = f;
            r.next.declared_size = ps.size;
            if (p.options().verify_senders) {
                r.next.pending = pending::sender;
                r.act = action::verify_sender;
                return r;
            }
            break;
        }
        case verb::rcpt: {
            const params& ps = c.params;
            if (s.has(sf_bdat_used)) {
                detail::client_error(r, p, reply_index(session_reply::rcpt_after_bdat));
                return r;
            }
            if (ps.unknown_count != 0) {
                detail::client_error(r, p, reply_index(p.options().unknown_param_504 ? session_reply::unknown_param_504
                                                                                     : session_reply::unknown_param));
                return r;
            }
            if (ps.present != 0 && (!s.has(sf_esmtp) || !detail::params_offered(p, ps, false))) {
                detail::client_error(r, p, reply_index(session_reply::param_not_offered));
                return r;
            }
            // RFC 5321 §4.5.3.1.10: 452 for recipients over the limit, earlier ones kept.
            // 0 = no policy limit, but the state counts to 65535: past that LMTP could not
            // give one reply per recipient (RFC 2033 §4.2), so the count is the hard cap.
            const std::uint16_t max = p.options().max_recipients != 0 ? p.options().max_recipients : std::uint16_t{0xFFFF};
            if (s.recipients >= max) {
                detail::set_reply(r, p, reply_index(session_reply::too_many_recipients));
                return r;
            }
            if (p.options().verify_recipients) {
                r.next.pending = pending::recipient;
                r.act = action::verify_recipient;
                return r;
            }
            if (r.next.recipients != 0xFFFF) ++r.next.recipients;
            break;
        }
        case verb::data:
            // RFC 3030 §3: no DATA after BDAT in a transaction, nor with BODY=BINARYMIME.
            if (s.has(sf_bdat_used) || s.has(sf_bdat_failed)) {
                detail::client_error(r, p, reply_index(session_reply::data_after_bdat));
                return r;
            }
            if (s.has(sf_binarymime)) {
                detail::client_error(r, p, reply_index(session_reply::binarymime_needs_bdat));
                return r;
            }
            r.act = action::read_data;
            break;
        case verb::bdat: {
            r.act = action::read_bdat;
            r.chunk_size = c.chunk_size;
            r.last = c.last;
            r.first_chunk = !s.has(sf_bdat_used) && !s.has(sf_bdat_failed);
            r.next.phase = phase::chunk;
            r.next.resume = s.phase;
            std::uint16_t f = s.flags;
            f = static_cast<std::uint16_t>(c.last ? (f | sf_chunk_last) : (f & ~sf_chunk_last));
            f = static_cast<std::uint16_t>(f & ~sf_chunk_discard);
            const std::uint64_t total = detail::saturating_add64(s.bdat_size, c.chunk_size);
            r.next.bdat_size = total;
            const std::uint64_t max = p.options().max_message_size;
            session_reply refuse = session_reply::ok;
            if (s.has(sf_bdat_failed)) refuse = session_reply::bdat_failed;
            else if (max != 0 && total > max) refuse = session_reply::size_exceeded;  // Postfix: 552 5.3.4
            if (refuse != session_reply::ok) {
                f = static_cast<std::uint16_t>(f | sf_chunk_discard | sf_bdat_failed);
                r.next.deferred = static_cast<std::uint16_t>(reply_index(refuse));
                r.discard = true;
            }
            r.next.flags = f;
            return r;  // the reply comes with end_of_chunk()
        }
        case verb::starttls:
            if (!p.offers(ext_starttls) || !s.has(sf_esmtp)) {
                detail::client_error(r, p, reply_index(session_reply::not_implemented));
                return r;
            }
            if (tls) {  // RFC 3207 gives no code; Postfix 554 5.5.1 (security_rfc §2.2, P5)
                detail::client_error(r, p, reply_index(session_reply::tls_active));
                return r;
            }
            r.act = action::start_tls;
            r.injection = input_pending;
            break;
        case verb::auth: {
            session_reply refuse = session_reply::ok;
            if (!p.offers(ext_auth) || !s.has(sf_esmtp)) refuse = session_reply::not_implemented;
            else if (authed) refuse = session_reply::already_authenticated;  // RFC 4954 §4
            else if ((p.options().auth_needs_tls || p.options().require_tls) && !tls)
                refuse = session_reply::auth_needs_tls;  // RFC 4954 §6: 538 5.7.11
            else if (!p.offers_mechanism(c.mechanism_id)) refuse = session_reply::mechanism_unsupported;
            else if (c.has_initial_response && detail::server_first(c.mechanism_id))
                refuse = session_reply::initial_response_refused;
            if (refuse != session_reply::ok) {
                detail::client_error(r, p, reply_index(refuse));
                return r;
            }
            r.next.phase = phase::auth;
            r.next.pending = pending::credentials;
            r.act = action::verify_credentials;
            r.has_sasl = c.has_initial_response;
            r.sasl = c.initial_response == "=" ? std::string_view{} : c.initial_response;
            return r;  // the host answers: resolve() (235/535/...) or auth_challenge() (334)
        }
        default:
            break;
    }
    r.next.phase = t.next;
    detail::set_reply(r, p, reply_index(t.reply));
    return r;
}
}  // namespace detail

/**
 * One complete line from the client (terminator included, as `line_reader` delivers it).
 *
 * @param p              the policy (must outlive the result: replies may view it)
 * @param s              the current state
 * @param line           the line; `cmd` and `result.sasl` view it
 * @param cmd            receives the parsed command (the host's storage, reused from call
 *                       to call: the MAIL/RCPT arguments a verify action asks about). When
 *                       the line is not read as a command (AUTH exchange, after close...)
 *                       it is cleared.
 * @param input_pending  more client bytes are already buffered behind this line (the
 *                       line reader or the socket buffer is not empty): RFC 2920 sync check
 * @return the next state, the reply, the action. A `pending` decision must be resolved
 *         (`resolve()`) before the next step; stepping anyway answers 421 and closes.
 */
constexpr step_result step(const policy& p, const session_state& s, std::string_view line, command& cmd,
                           bool input_pending = false) noexcept {
    return detail::step_core(p, s, line, cmd, input_pending);
}

namespace detail {
constexpr step_result on_line_error_core(const policy& p, const session_state& s, line_error e) noexcept {
    step_result r;
    r.next = s;
    if (s.pending != pending::none) return detail::misuse(p, s);
    switch (s.phase) {
        case phase::tls:
            return r;
        case phase::closed:
            r.act = action::close;
            return r;
        case phase::auth:
            r.next.phase = phase::ready;
            detail::client_error(r, p, e == line_error::too_long ? detail::reply_index(session_reply::auth_line_too_long)
                                                                 : detail::reply_index(session_reply::auth_bad_response));
            return r;
        case phase::fresh:
        case phase::ready:
        case phase::mail:
        case phase::rcpt:
            detail::client_error(r, p, detail::reply_index(e == line_error::none ? line_error::too_long : e));
            return r;
        default:
            return detail::misuse(p, s);
    }
}
}  // namespace detail

/**
 * A line the line reader refused (too long, bare CR/LF, NUL): 500/501 per line.hpp's
 * `reply_for`, or in an AUTH exchange 500 5.5.6 for a long line (RFC 4954 §4), which also
 * ends the exchange. Counted as an error. Ignored (no reply) behind STARTTLS and after close.
 */
constexpr step_result on_line_error(const policy& p, const session_state& s, line_error e) noexcept {
    return detail::on_line_error_core(p, s, e);
}

namespace detail {
constexpr step_result on_line_error_core(const policy& p, const session_state& s, const line_event& ev) noexcept {
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
}  // namespace detail

/**
 * The same, from the line reader's event (prefer this overload): a refused line whose
 * head (`line_event::line`) starts with "BDAT " (after any blanks) is answered 521 5.5.4 and the session
 * closes, as Postfix answers a BDAT it cannot frame: the client sends the chunk's octets
 * next, and they must never be read as commands (RFC 3030 §2; SMTP smuggling).
 */
constexpr step_result on_line_error(const policy& p, const session_state& s, const line_event& ev) noexcept {
    return detail::on_line_error_core(p, s, ev);
}

namespace detail {
constexpr step_result resolve_core(const policy& p, const session_state& s, verdict v) noexcept {
    using detail::reply_index;
    const auto vi = static_cast<std::size_t>(v);
    if (s.pending == pending::none || vi >= verdict_count) return detail::misuse(p, s);
    step_result r;
    r.next = s;
    r.next.pending = pending::none;
    const session_reply rep = detail::verdict_replies[static_cast<std::size_t>(s.pending)][vi];
    switch (s.pending) {
        case pending::sender:
            if (v == verdict::accept) r.next.phase = phase::mail;
            else detail::reset_transaction(r.next);
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
                detail::client_error(r, p, reply_index(rep));  // brute force counts
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
                detail::reset_transaction(r.next);
            }
            break;
        case pending::none:
            break;
    }
    detail::set_reply(r, p, reply_index(rep));
    return r;
}
}  // namespace detail

/**
 * The host's decision on a pending MAIL, RCPT, AUTH or delivery.
 * Delivery in LMTP: one call per accepted recipient, in RCPT order (RFC 2033 §4.2); while
 * more remain, the result's action is `deliver` again with the next `index`.
 */
constexpr step_result resolve(const policy& p, const session_state& s, verdict v) noexcept {
    return detail::resolve_core(p, s, v);
}

namespace detail {
constexpr step_result auth_challenge_core(const policy& p, const session_state& s, std::string_view challenge,
                                     char* buf, std::size_t cap) noexcept {
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
}  // namespace detail

/**
 * Continues an AUTH exchange with a challenge: `334 <challenge>` (RFC 4954 §4), written
 * into `buf` (the reply views it). `challenge` is base64 (or empty); one that is not, or
 * does not fit, ends the exchange with 454 4.7.0.
 */
constexpr step_result auth_challenge(const policy& p, const session_state& s, std::string_view challenge,
                                     char* buf, std::size_t cap) noexcept {
    return detail::auth_challenge_core(p, s, challenge, buf, cap);
}

namespace detail {
constexpr step_result end_of_data_core(const policy& p, const session_state& s, data_error v) noexcept {
    if (s.phase != phase::data || s.pending != pending::none) return detail::misuse(p, s);
    return detail::body_done(p, s, v);
}
}  // namespace detail

/// The end of a DATA body with the decoder's verdict (data.hpp). Success asks the host to
/// deliver (action deliver; LMTP: per recipient); a refusal is answered now — once, or in
/// LMTP once per accepted recipient (`count`).
constexpr step_result end_of_data(const policy& p, const session_state& s, data_error v) noexcept {
    return detail::end_of_data_core(p, s, v);
}

namespace detail {
constexpr step_result end_of_chunk_core(const policy& p, const session_state& s, data_error v) noexcept {
    using detail::reply_index;
    if (s.phase != phase::chunk || s.pending != pending::none) return detail::misuse(p, s);
    const bool last = s.has(sf_chunk_last);
    step_result r;
    r.next = s;
    r.next.flags = static_cast<std::uint16_t>(r.next.flags & ~(sf_chunk_last | sf_chunk_discard));
    if (s.has(sf_chunk_discard)) {
        const std::size_t owed = s.deferred;
        r.next.phase = s.resume;
        r.next.deferred = 0;
        const bool in_txn = s.resume == phase::mail || s.resume == phase::rcpt;
        if (last && in_txn) {  // LAST ends the failed transaction: the client starts over
            r.next.phase = phase::ready;
            detail::reset_transaction(r.next);
        }
        if (owed == detail::no_reply) return r;  // LMTP: zero replies (RFC 2033 §4.3)
        if (owed == reply_index(session_reply::chunk_ok)) {
            detail::set_reply(r, p, owed);
            return r;
        }
        detail::client_error(r, p, owed);
        return r;
    }
    if (v != data_error::none) {
        if (last) return detail::body_done(p, r.next, v);
        r.next.phase = phase::rcpt;
        r.next.flags = static_cast<std::uint16_t>(r.next.flags | sf_bdat_failed | sf_bdat_used);
        detail::set_reply(r, p, reply_index(v));
        return r;
    }
    r.next.flags = static_cast<std::uint16_t>(r.next.flags | sf_bdat_used);
    if (last) return detail::body_done(p, r.next, data_error::none);
    r.next.phase = phase::rcpt;
    detail::set_reply(r, p, reply_index(session_reply::chunk_ok));
    return r;
}
}  // namespace detail

/**
 * The end of a BDAT chunk with the decoder's verdict so far (ignored for a discarded
 * chunk). RFC 3030 §2: 250 per chunk; at LAST the message is delivered.
 */
constexpr step_result end_of_chunk(const policy& p, const session_state& s, data_error v) noexcept {
    return detail::end_of_chunk_core(p, s, v);
}

namespace detail {
constexpr step_result tls_established_core(const policy& p, const session_state& s) noexcept {
    if (s.phase != phase::tls || s.pending != pending::none) return detail::misuse(p, s);
    step_result r;
    r.next = session_state{};
    r.next.phase = phase::fresh;
    r.next.flags = sf_tls;
    r.next.errors = s.errors;
    return r;
}
}  // namespace detail

/**
 * TLS is up (after action start_tls). RFC 3207 §4.2: "the SMTP protocol is reset to the
 * initial state ... The server MUST discard any knowledge obtained from the client": the
 * result is the fresh state with only the TLS flag (and the error count) kept. No reply.
 */
constexpr step_result tls_established(const policy& p, const session_state& s) noexcept {
    return detail::tls_established_core(p, s);
}

namespace detail {
constexpr step_result timeout_core(const policy& p, const session_state& s) noexcept {
    step_result r;
    r.next = s;
    if (s.phase == phase::closed) {
        r.act = action::close;
        return r;
    }
    detail::close_with(r, p, static_cast<std::size_t>(session_reply::timeout));
    return r;
}
}  // namespace detail

/**
 * The host's idle timer fired (RFC 5321 §4.5.3.2.7: a server SHOULD time out an idle
 * client, at least 5 minutes): 421 4.4.2 <host> and close. Nothing after a close.
 */
constexpr step_result timeout(const policy& p, const session_state& s) noexcept {
    return detail::timeout_core(p, s);
}

namespace detail {
constexpr step_result shutdown_core(const policy& p, const session_state& s) noexcept {
    step_result r;
    r.next = s;
    if (s.phase == phase::closed) {
        r.act = action::close;
        return r;
    }
    detail::close_with(r, p, static_cast<std::size_t>(session_reply::shutting_down));
    return r;
}
}  // namespace detail

/**
 * The host is shutting down (RFC 5321 §3.8: "421 <domain> Service not available, closing
 * transmission channel" may be sent at any time): 421 4.3.2 <host> and close. A message
 * in flight is the host's to abort (nothing is delivered without `resolve(deliver)`).
 */
constexpr step_result shutdown(const policy& p, const session_state& s) noexcept {
    return detail::shutdown_core(p, s);
}

}  // namespace smtpp

#endif
