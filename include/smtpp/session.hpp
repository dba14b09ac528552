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
 *   for each line from the line reader (line_options: options_for(pol, st).line):
 *       r = smtpp::step(pol, st, line, cmd, reader_has_more_input);  // cmd: host-owned
 *       for (k = 0; k < r.count; ++k) write(r.reply);
 *       st = r.next;
 *       switch (r.act) {
 *         case action::verify_recipient: r = smtpp::resolve(pol, st, my_check(cmd)); ... (same loop)
 *         case action::read_data: run data_decoder(options_for(pol, st).data), then
 *                                  r = smtpp::end_of_data(pol, st, verdict); ...
 *         case action::start_tls: reader.discard(); drop the read buffer; handshake;
 *                                  r = smtpp::tls_established(pol, st); ...
 *         case action::close: close the connection.
 *       }
 * @endcode
 *
 * Lifetimes. `step_result::reply` views either static storage (fixed replies) or the
 * `policy` (greeting, EHLO, 221, 421: the policy must outlive every result it produced),
 * or the caller buffer given to `auth_challenge()`. The `command` step() fills and `sasl`
 * view the line passed to `step()`. The views in `policy_options` need only live while the
 * policy is constructed: it copies what it keeps.
 *
 * This file is what a host calls, in the order a host meets it: phases, actions and
 * verdicts; the reply catalogue; the policy; the state and the result; the options the
 * other layers take in a state; the entry points. The machinery lives in detail/:
 * - detail/session_replies.hpp: the rendered reply table and its renderer;
 * - detail/session_table.hpp: the (phase × verb) transition table as labelled rows, the
 *   host-event edges, and the named exceptions to the table (docs/state-machine.dot is
 *   generated from the table);
 * - detail/session_policy.hpp: the policy's constructor (validation, EHLO rendering);
 * - detail/session_results.hpp: the result builders (replies, error counting, closing);
 * - detail/session-inl.hpp: the entry points' definitions.
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

// =========================================================================================
// The enumerations, each with its names (and replies) in one X-macro table: a row is one
// enumerator, its explicit value (append-only: the C API mirrors them) and what goes with
// it. `to_string()` and `reply_for()` are generated from the same rows.
// =========================================================================================

/// Expands a row `X(name, value)` into the enumerator `name = value,`.
#define SMTPP_ENUMERATOR_(name, value) name = value,
/// Expands a row of `SMTPP_SESSION_REPLIES` into the enumerator `name = value,`.
#define SMTPP_REPLY_ENUMERATOR_(name, value, code, cls, subject, det, text) name = value,

/// The phases: X(name, value). Commands are read only in fresh, ready, mail and rcpt.
#define SMTPP_SESSION_PHASES(X)                                                          \
    X(connect, 0) /**< before `start()`: nothing said yet */                             \
    X(fresh, 1)   /**< greeted; no HELO/EHLO/LHLO yet (also right after TLS is up) */    \
    X(ready, 2)   /**< HELO/EHLO/LHLO done, no mail transaction */                       \
    X(mail, 3)    /**< MAIL accepted, no recipient accepted yet */                       \
    X(rcpt, 4)    /**< at least one RCPT accepted */                                     \
    X(data, 5)    /**< 354 sent: the host runs the DATA decoder, then `end_of_data()` */ \
    X(chunk, 6)   /**< BDAT: the host consumes the chunk, then `end_of_chunk()` */       \
    X(auth, 7)    /**< AUTH exchange: lines are SASL responses, not commands */          \
    X(tls, 8)     /**< 220 to STARTTLS sent: waiting for `tls_established()` */          \
    X(closed, 9)  /**< 221 or 421 sent: nothing more is answered */

/// The host's verdicts: X(name, value) and the replies they give. See `resolve()`.
#define SMTPP_VERDICTS(X)                                                              \
    X(accept, 0)       /**< the proposed positive reply */                             \
    X(reject, 1)       /**< permanent refusal (550 5.7.1; AUTH 535 5.7.8) */           \
    X(defer, 2)        /**< temporary failure (451 4.3.0; AUTH 454 4.7.0) */           \
    X(unknown_user, 3) /**< RCPT/delivery 550 5.1.1, MAIL 550 5.1.0, AUTH 535 5.7.8 */ \
    X(relay_denied, 4) /**< 554 5.7.1 Relay access denied */                           \
    X(mailbox_full, 5) /**< 452 4.2.2 (MAIL: 452 4.3.1) */                             \
    X(too_big, 6)      /**< 552 5.3.4 */                                               \
    X(too_weak, 7)     /**< AUTH 534 5.7.9 (elsewhere as reject) */

/// Why a policy could not be built: X(name, value).
#define SMTPP_POLICY_ERRORS(X)                                                                       \
    X(none, 0)                                                                                       \
    X(bad_hostname, 1)  /**< empty, or holds SP, a control or an 8-bit octet */                      \
    X(bad_greeting, 2)  /**< holds a control octet (CR/LF: reply injection) */                       \
    X(bad_parameter, 3) /**< an EHLO parameter (MT-PRIORITY, FUTURERELEASE) holds SP or a control */ \
    X(too_long, 4)      /**< the rendered replies do not fit the policy's storage */                 \
    X(bad_limit, 5)     /**< a limit below its RFC minimum, or so large the line limits overflow */

/**
 * Every reply the session itself produces: X(name, value, code, class, subject, detail,
 * text) — basic code (RFC 5321 §4.2), enhanced code (RFC 3463; class 0: none) and text.
 * The replies with a policy slot (greeting, ehlo, helo, bye and the 421s) are rendered per
 * policy with the host name (or the capability list) before the text; the rest are static.
 */
#define SMTPP_SESSION_REPLIES(X)                                                                                        \
    X(greeting, 0, 220, 0, 0, 0, "ESMTP")                               /**< RFC 5321 §4.2, §3.1 */                   \
    X(ehlo, 1, 250, 0, 0, 0, "")                                        /**< + capabilities, RFC 5321 §4.1.1.1 */      \
    X(helo, 2, 250, 0, 0, 0, "")                                        /**< 250 `<host>` */                            \
    X(bye, 3, 221, 2, 0, 0, "closing connection")                       /**< RFC 5321 §4.1.1.10 */                     \
    X(too_many_errors, 4, 421, 4, 7, 0, "Error: too many errors")       /**< Postfix smtpd_hard_error_limit */          \
    X(local_error, 5, 421, 4, 3, 0, "Error: local error in processing") /**< the host broke the contract */             \
    X(ok, 6, 250, 2, 0, 0, "Ok")                                        /**< RSET, NOOP */                              \
    X(sender_ok, 7, 250, 2, 1, 0, "Ok")                                 /**< RFC 3463 X.1.0 */                          \
    X(recipient_ok, 8, 250, 2, 1, 5, "Ok")                              /**< RFC 3463 X.1.5 */                          \
    X(start_data, 9, 354, 0, 0, 0, "End data with <CR><LF>.<CR><LF>")   /**< RFC 5321 §4.1.1.4 */                      \
    X(queued, 10, 250, 2, 0, 0, "Ok: queued")                           /**< end of data / BDAT LAST */                 \
    X(chunk_ok, 11, 250, 2, 0, 0, "Ok: chunk received")                 /**< per BDAT chunk, RFC 3030 §2 */            \
    X(help, 12, 214, 2, 0, 0, "See RFC 5321")                           /**< RFC 5321 §4.1.1.8 */                      \
    X(vrfy, 13, 252, 2, 5, 0, "Cannot VRFY user, but will accept message and attempt delivery") /**< §3.5.3 */         \
    X(start_tls, 14, 220, 2, 0, 0, "Ready to start TLS")                                        /**< RFC 3207 §4 */    \
    X(auth_ok, 15, 235, 2, 7, 0, "Authentication successful")                                   /**< RFC 4954 §6 */    \
    X(auth_continue, 16, 334, 0, 0, 0, "")                                  /**< empty challenge, RFC 4954 §4 */       \
    X(sync_error, 17, 554, 5, 5, 0, "Error: SMTP protocol synchronization") /**< RFC 2920 §3.1 */                      \
    X(need_helo, 18, 503, 5, 5, 1, "Error: send HELO/EHLO first")           /**< RFC 5321 §4.1.4 */                    \
    X(need_lhlo, 19, 503, 5, 5, 1, "Error: send LHLO first")                /**< RFC 2033 §4.1 */                      \
    X(nested_mail, 20, 503, 5, 5, 1, "Error: nested MAIL command")                                                      \
    X(need_mail, 21, 503, 5, 5, 1, "Error: need MAIL command")                                                          \
    X(need_rcpt, 22, 503, 5, 5, 1, "Error: need RCPT command")                 /**< RFC 2920 §3.1, RFC 2033 §4.2 */   \
    X(already_authenticated, 23, 503, 5, 5, 1, "Error: already authenticated") /**< RFC 4954 §4 */                     \
    X(in_transaction, 24, 503, 5, 5, 1, "Error: MAIL transaction in progress") /**< RFC 4954 §4 */                     \
    X(data_after_bdat, 25, 503, 5, 5, 1,                                                                                \
      "Error: DATA and BDAT cannot be mixed in one transaction")                       /**< RFC 3030 §3 */             \
    X(binarymime_needs_bdat, 26, 503, 5, 5, 1, "Error: BODY=BINARYMIME requires BDAT") /**< RFC 3030 §3 */             \
    X(bdat_failed, 27, 503, 5, 5, 1, "Error: previous chunk failed, send RSET")        /**< RFC 3030 §3 */             \
    X(rcpt_after_bdat, 28, 503, 5, 5, 1, "Error: RCPT after BDAT")                                                      \
    X(tls_active, 29, 554, 5, 5, 1, "Error: TLS already active")              /**< Postfix */                           \
    X(not_implemented, 30, 502, 5, 5, 1, "Error: command not implemented")    /**< RFC 5321 §4.2.4 */                  \
    X(bdat_not_offered, 31, 521, 5, 5, 1, "Error: BDAT not offered, closing") /**< + close: framing lost */             \
    X(bdat_syntax, 32, 521, 5, 5, 4, "Syntax: BDAT count [LAST], closing")    /**< + close */                           \
    X(use_lhlo, 33, 500, 5, 5, 1, "Error: this is an LMTP server, use LHLO")  /**< RFC 2033 §4.1 */                    \
    X(auth_required, 34, 530, 5, 7, 0, "Authentication required")             /**< RFC 4954 §6 */                      \
    X(tls_required, 35, 530, 5, 7, 0, "Must issue a STARTTLS command first")  /**< RFC 3207 §4 */                      \
    X(auth_needs_tls, 36, 538, 5, 7, 11,                                                                                \
      "Encryption required for requested authentication mechanism")                 /**< RFC 4954 §6 */                \
    X(requiretls_needs_tls, 37, 530, 5, 7, 10, "REQUIRETLS needs a TLS connection") /**< RFC 8689 §4.1 */              \
    X(mechanism_unsupported, 38, 504, 5, 5, 4, "Unrecognized authentication type")  /**< RFC 4954 §4 */                \
    X(initial_response_refused, 39, 501, 5, 7, 0,                                                                       \
      "Initial response not allowed for this mechanism")                       /**< RFC 4954 §4 */                     \
    X(auth_aborted, 40, 501, 5, 7, 0, "Authentication aborted")                /**< "*", RFC 4954 §4 */                \
    X(auth_failed, 41, 535, 5, 7, 8, "Authentication credentials invalid")     /**< RFC 4954 §6 */                     \
    X(auth_temporary, 42, 454, 4, 7, 0, "Temporary authentication failure")    /**< RFC 4954 §6 */                     \
    X(auth_too_weak, 43, 534, 5, 7, 9, "Authentication mechanism is too weak") /**< RFC 4954 §6 */                     \
    X(param_not_offered, 44, 504, 5, 5, 4, "Parameter not supported") /**< recognised, not offered: RFC 5321 §4.2.4 */ \
    X(unknown_param, 45, 555, 5, 5, 4, "Unsupported parameter")       /**< RFC 5321 §4.1.1.11 */                       \
    X(unknown_param_504, 46, 504, 5, 5, 4, "Unsupported parameter")   /**< `policy_options::unknown_param_504` */       \
    X(size_exceeded, 47, 552, 5, 3, 4, "Message size exceeds fixed maximum message size") /**< RFC 1870 §6 */          \
    X(too_many_recipients, 48, 452, 4, 5, 3, "Error: too many recipients") /**< RFC 5321 §4.5.3.1.10 */                \
    X(sender_rejected, 49, 550, 5, 7, 1, "Sender address rejected")                                                     \
    X(sender_unknown, 50, 550, 5, 1, 0, "Sender address rejected: unknown")                                             \
    X(temp_failure, 51, 451, 4, 3, 0, "Temporary failure, try again later")                                             \
    X(no_storage, 52, 452, 4, 3, 1, "Insufficient system storage") /**< RFC 1870 §6 */                                 \
    X(recipient_rejected, 53, 550, 5, 7, 1, "Recipient address rejected")                                               \
    X(recipient_unknown, 54, 550, 5, 1, 1, "Recipient address rejected: user unknown")                                  \
    X(relay_denied, 55, 554, 5, 7, 1, "Relay access denied")                                                            \
    X(mailbox_full, 56, 452, 4, 2, 2, "Mailbox full")                                                                   \
    X(message_rejected, 57, 550, 5, 7, 1, "Message rejected")                                                           \
    X(auth_bad_response, 58, 501, 5, 5, 2, "Invalid base64 data") /**< undecodable SASL response, RFC 4954 §4 */       \
    X(auth_line_too_long, 59, 500, 5, 5, 6, "Authentication exchange line is too long") /**< RFC 4954 §4 */            \
    X(challenge_too_long, 60, 454, 4, 7, 0,                                                                             \
      "Temporary authentication failure")                                    /**< the host's challenge did not fit */   \
    X(timeout, 61, 421, 4, 4, 2, "Error: timeout exceeded")                  /**< idle timer, RFC 5321 §4.5.3.2.7 */   \
    X(shutting_down, 62, 421, 4, 3, 2, "Service shutting down")              /**< RFC 5321 §3.8 */                     \
    X(too_many_connections, 63, 421, 4, 7, 0, "Error: too many connections") /**< `refuse()`, RFC 5321 §4.2.2 */

namespace smtpp {

// =========================================================================================
// Phases, actions, host verdicts
// =========================================================================================

/// Where the session stands (rows of `SMTPP_SESSION_PHASES`). Commands are read only in
/// fresh, ready, mail and rcpt.
enum class phase : std::uint8_t { SMTPP_SESSION_PHASES(SMTPP_ENUMERATOR_) };
/// The number of phases.
inline constexpr std::size_t phase_count = 10;

/// The name of a phase, for logs and the state diagram ("?" out of range).
constexpr std::string_view to_string(phase p) noexcept;

/// What the host must do after writing the reply.
enum class action : std::uint8_t {
    none = 0,                ///< nothing: read the next line
    close = 1,               ///< close the connection (after writing the reply)
    start_tls = 2,           ///< discard ALL buffered input (line_reader::discard() and the rest of
                             ///< the read buffer: RFC 3207 §4.2, CVE-2011-0411), then handshake and
                             ///< call `tls_established()`
    read_data = 3,           ///< run a `data_decoder(options_for(...).data)`, then `end_of_data()`
    read_bdat = 4,           ///< consume exactly `chunk_size` octets (a `bdat_decoder`; drop them
                             ///< when `discard`), then `end_of_chunk()`
    verify_sender = 5,       ///< decide on `cmd` (MAIL), then `resolve()`
    verify_recipient = 6,    ///< decide on `cmd` (RCPT), then `resolve()`
    verify_credentials = 7,  ///< run the SASL step on `sasl` (`has_sasl`), then `resolve()` or
                             ///< `auth_challenge()`
    deliver = 8,             ///< deliver the message (for recipient `index` in LMTP), then `resolve()`
};

/// The host's answer to a decision the session asked for (`resolve()`; rows of
/// `SMTPP_VERDICTS`, with the reply each gets per decision).
enum class verdict : std::uint8_t { SMTPP_VERDICTS(SMTPP_ENUMERATOR_) };
/// The number of verdicts.
inline constexpr std::size_t verdict_count = 8;

/// The verdict's name ("?" out of range).
constexpr std::string_view to_string(verdict v) noexcept;

/// What a pending decision is about.
enum class pending : std::uint8_t {
    none = 0,         ///< no decision pending
    sender = 1,       ///< MAIL: `verify_sender`
    recipient = 2,    ///< RCPT: `verify_recipient`
    credentials = 3,  ///< AUTH: `verify_credentials`
    delivery = 4,     ///< end of the body: `deliver`
};

// =========================================================================================
// The reply catalogue
// =========================================================================================

/// Every reply the session itself produces (rows of `SMTPP_SESSION_REPLIES`: code,
/// enhanced code and text beside each name). Values are explicit and append-only. Replies
/// for parser, line-reader and body-decoder errors come from those layers' `reply_for()`
/// and are rendered into the same static table.
enum class session_reply : std::uint8_t { SMTPP_SESSION_REPLIES(SMTPP_REPLY_ENUMERATOR_) };
/// The number of session replies.
inline constexpr std::size_t session_reply_count = 64;

/// The enumerator's name ("?" out of range).
constexpr std::string_view to_string(session_reply r) noexcept;

/// Code, enhanced code and text of each session reply (the replies with a policy slot get
/// the host name or capability list from the policy; their text here is what follows it).
constexpr reply_hint reply_for(session_reply r) noexcept;

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
    std::uint32_t deliverby_min = 0;                                       ///< RFC 2852 EHLO parameter
    std::uint32_t futurerelease_max_interval = 604800;                     ///< RFC 4865 EHLO parameter (seconds)
    std::string_view futurerelease_max_datetime = "2099-12-31T23:59:59Z";  ///< RFC 4865
    std::string_view mt_priority_policy = {};                              ///< RFC 6710 EHLO parameter ("MIXER", ...)
    bool lmtp = false;            ///< RFC 2033: LHLO instead of HELO/EHLO, per-recipient replies
    bool require_auth = false;    ///< RFC 4954 §6: 530 5.7.0 until AUTH succeeded
    bool require_tls = false;     ///< RFC 3207 §4: 530 5.7.0 until STARTTLS (AUTH: 538 5.7.11)
    bool auth_needs_tls = false;  ///< AUTH only under TLS: 538 5.7.11 (RFC 4954 §6)
    /// RFC 2920 §3.1 sync points (and every command when PIPELINING is not in force):
    /// input pending behind them → 554 5.5.0 and close, as Postfix. Off: they are answered
    /// in order (and bytes behind STARTTLS are still discarded by the host).
    bool enforce_sync = true;
    /// Answer unknown MAIL/RCPT parameters with 504 5.5.4 instead of RFC 5321
    /// §4.1.1.11's 555 5.5.4 (for hosts that want the pre-5321 behaviour).
    bool unknown_param_504 = false;
    bool verify_senders = true;     ///< ask the host about each MAIL (action verify_sender)
    bool verify_recipients = true;  ///< ask the host about each RCPT (action verify_recipient)
    /// DATA bare CR/LF policy handed to the decoder (data.hpp; reject = strict).
    bare_newline_policy bare_newline = bare_newline_policy::reject;
    /// Parser leniencies (command.hpp). `max_line` is the base limit before the extension
    /// increments; `smtputf8`/`smtputf8_transaction` are set by the session.
    /// `allow_bare_lf` is the one switch for bare LF line ends: `options_for()` hands it
    /// to the line reader as well (RISK: SMTP smuggling, see line.hpp).
    parse_options parse{};
};

/// Why a policy could not be built (rows of `SMTPP_POLICY_ERRORS`). Values are explicit
/// and append-only. `bad_limit`: `parse.max_line` < 512 (RFC 5321 §4.5.3.1.4),
/// `parse.max_auth_line` < 12288 with AUTH offered (RFC 4954 §4), or one so large that the
/// line limits (`command_line_limit`, `line_limit`) would overflow.
enum class policy_error : std::uint8_t { SMTPP_POLICY_ERRORS(SMTPP_ENUMERATOR_) };

/// The error's name ("?" out of range).
constexpr std::string_view to_string(policy_error e) noexcept;

/// A host that cannot build its policy cannot serve: 421 4.3.0 at connect.
constexpr reply_hint reply_for(policy_error) noexcept { return {421, {4, 3, 0}, "Service not available"}; }

namespace detail {
struct render_buf;
struct policy_access;
}  // namespace detail

/**
 * The host's choices, validated and pre-rendered: greeting, both EHLO replies (before and
 * inside TLS), HELO, 221 and the 421s live in storage the policy owns, so `step()` only
 * points at bytes. Build once (it is `constexpr`), check `error()` (`to_string()` names the
 * error for the host's log: a host name, greeting or EHLO parameter that would inject into
 * replies, replies too long for the storage, or a limit below its RFC minimum), share it
 * read-only between sessions. Copyable: the storage moves with it (offsets, not pointers).
 */
class policy {
public:
    /// Octets of rendered replies a policy holds.
    static constexpr std::size_t storage = 2048;
    /// The largest `parse.max_line` / `parse.max_auth_line` a policy takes (`bad_limit`
    /// above): the line limits add the extension increments to them without overflow.
    static constexpr std::size_t max_limit = static_cast<std::size_t>(-1) / 2;

    /// Validates `o` and renders the policy's replies (detail/session_policy.hpp).
    constexpr explicit policy(const policy_options& o = {}) noexcept;

    /// `none`, or why the policy is unusable (then every session answers 421 and closes).
    [[nodiscard]] constexpr policy_error error() const noexcept { return err_; }
    /// The options, without their views (hostname and texts live in the rendered replies).
    [[nodiscard]] constexpr const policy_options& options() const noexcept { return opt_; }
    /// True when replies carry RFC 3463 codes (ENHANCEDSTATUSCODES advertised).
    [[nodiscard]] constexpr bool enhanced_codes() const noexcept { return esc_; }
    /// True when the policy advertises extension `e`.
    [[nodiscard]] constexpr bool offers(extension e) const noexcept { return (opt_.extensions & e) != 0; }
    /// True when AUTH is offered with mechanism `m`.
    [[nodiscard]] constexpr bool offers_mechanism(sasl_mechanism m) const noexcept {
        return offers(ext_auth) && m != sasl_mechanism::other && (opt_.auth_mechanisms & mechanism_bit(m)) != 0;
    }

    /// The rendered bytes of a policy reply: greeting, ehlo (`tls` picks the capability
    /// list offered inside TLS), helo, bye and the 421s (too_many_errors, local_error,
    /// timeout, shutting_down, too_many_connections); empty for the others.
    [[nodiscard]] constexpr std::string_view rendered(session_reply r, bool tls = false) const noexcept;

private:
    friend struct detail::policy_access;

    constexpr void derive_limits(const policy_options& o) noexcept;
    constexpr policy_error validate(const policy_options& o) const noexcept;
    constexpr void render(const policy_options& o) noexcept;
    constexpr void render_ehlo(detail::render_buf& b, const policy_options& o, bool tls) noexcept;

    [[nodiscard]] constexpr std::string_view slot(std::size_t k) const noexcept {
        const std::size_t from = k == 0 ? 0 : end_[k - 1];
        return {buf_ + from, end_[k] - from};
    }

    /// Rendered replies: greeting, ehlo, ehlo inside TLS, helo, then the named ones.
    static constexpr std::size_t slots = 10;

    policy_options opt_{};
    policy_error err_ = policy_error::none;
    bool esc_ = false;
    std::uint16_t end_[slots] = {};  ///< where each rendered reply ends in buf_
    std::uint16_t esmtp_line_ = 0;   ///< the command-line increment after EHLO/LHLO
    std::uint16_t params_ = 0;       ///< `param_bit`s of the extensions offered (not BODY)
    char buf_[storage] = {};
};

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
/// The flags a new transaction (MAIL, RSET, HELO/EHLO) clears.
inline constexpr std::uint16_t transaction_flags = sf_smtputf8 | sf_binarymime | sf_bdat_used | sf_bdat_failed |
                                                   sf_requiretls;

/**
 * The whole session state: small, trivially copyable, no pointers. Default-constructed it
 * is the state before the greeting (`start()`).
 */
struct session_state {
    smtpp::phase phase = smtpp::phase::connect;     ///< where the session stands
    smtpp::pending pending = smtpp::pending::none;  ///< the decision `resolve()` must give
    std::uint8_t errors = 0;                        ///< errors so far (saturating)
    smtpp::phase resume = smtpp::phase::connect;    ///< phase after a discarded chunk
    std::uint16_t flags = 0;                        ///< `session_flag` bits
    std::uint16_t deferred = 0;                     ///< reply index owed at the end of a discarded chunk
    std::uint16_t recipients = 0;                   ///< recipients accepted in this transaction
    std::uint16_t index = 0;                        ///< LMTP: the recipient whose delivery reply is next
    std::uint64_t declared_size = 0;                ///< MAIL SIZE= (RFC 1870), 0 when absent
    std::uint64_t bdat_size = 0;                    ///< BDAT octets announced in this transaction (saturating)

    /// True when flag `f` is set.
    [[nodiscard]] constexpr bool has(session_flag f) const noexcept { return (flags & f) != 0; }
    /// Equal when every field is.
    friend constexpr bool operator==(const session_state& a, const session_state& b) noexcept {
        return a.phase == b.phase && a.pending == b.pending && a.errors == b.errors && a.resume == b.resume &&
               a.flags == b.flags && a.deferred == b.deferred && a.recipients == b.recipients && a.index == b.index &&
               a.declared_size == b.declared_size && a.bdat_size == b.bdat_size;
    }
    /// Not equal.
    friend constexpr bool operator!=(const session_state& a, const session_state& b) noexcept { return !(a == b); }
};
static_assert(std::is_trivially_copyable<session_state>::value, "session_state must be trivially copyable");
static_assert(sizeof(session_state) <= 32, "session_state must stay small");

/**
 * What one transition produced. Write `reply` `count` times (0 or 1; more only for LMTP
 * per-recipient replies after a failed body), then carry out `act`.
 */
struct step_result {
    session_state next{};                       ///< the state to keep for the next call
    std::string_view reply{};                   ///< bytes to write as is (empty: nothing to write)
    std::uint16_t code = 0;                     ///< the reply code of `reply`, 0 when none
    std::uint16_t count = 0;                    ///< how many times to write `reply`
    smtpp::action act = smtpp::action::none;    ///< what the host does next
    bool discard = false;                       ///< read_bdat: the chunk is refused; drop its octets
    bool last = false;                          ///< read_bdat: the chunk carries LAST
    bool first_chunk = false;                   ///< read_bdat: the first chunk of the message (new decoder)
    bool has_sasl = false;                      ///< verify_credentials: `sasl` holds a client response
    bool injection = false;                     ///< start_tls: input was pending behind STARTTLS (CVE-2011-0411)
    bool sasl_response = false;                 ///< the line was a SASL client response (RFC 4954 §4), not a command
    std::uint16_t index = 0;                    ///< deliver: the recipient (RCPT order, from 0) in LMTP
    std::uint16_t why = 0;                      ///< index of the reply in the session's reply table (for tests/logs)
    command_error error = command_error::none;  ///< the parser's verdict on the line
    std::uint64_t chunk_size = 0;               ///< read_bdat: octets to consume
    std::string_view sasl{};                    ///< verify_credentials: the base64 response ("" for "=")
};

// =========================================================================================
// The options of the other layers, derived from the policy in a state
// =========================================================================================

/// Everything the host hands to the line reader, the parser and the body decoders,
/// derived from the policy (and the state) in one place: `options_for()`.
struct session_options {
    /// For `line_reader`: the longest line any verb may send (AUTH lines included, RFC 4954
    /// §4) and the bare-LF leniency of `policy_options::parse.allow_bare_lf`.
    line_options line{};
    /// For `parse_command()` (what `step()` uses): the command-line limit in force
    /// (`command_line_limit`), SMTPUTF8 as negotiated and in the transaction.
    parse_options parse{};
    /// For `data_decoder` after a 354: size limit and bare-newline policy.
    data_options data{};
    /// For `bdat_decoder` after a BDAT: canonical text unless BODY=BINARYMIME.
    bdat_options bdat{};
};

/**
 * The one derivation of every layer's options from the policy in state `s`: the line
 * reader's (`line_limit`, bare LF), the parser's (`command_line_limit`, SMTPUTF8), the
 * DATA decoder's (SIZE limit, bare CR/LF policy) and the BDAT decoder's (RFC 3030 §3
 * canonical text unless BINARYMIME). The helpers below return its parts.
 */
constexpr session_options options_for(const policy& p, const session_state& s) noexcept;

/**
 * The command-line limit in force, RFC 5321 §4.5.3.1.4 (512) plus the increments of the
 * extensions negotiated (RFC 5321 §2.2.2): SIZE +26 (RFC 1870 §3), AUTH= +500 (RFC 4954 §3),
 * SMTPUTF8 +10 (RFC 6531 §3.1), DSN +600 (RFC 3461: ENVID/RET +100 on MAIL, NOTIFY/ORCPT
 * +500 on RCPT — increments as implementations use them, not verified against the RFC text).
 */
constexpr std::size_t command_line_limit(const policy& p, const session_state& s) noexcept;

/// The limit for `line_reader::set_max_line`: AUTH lines may be up to `max_auth_line`
/// (RFC 4954 §4: 12288) at any time, so the reader must let them through; the parser then
/// applies the command limit to every other verb. (`options_for().line.max_line`.)
constexpr std::size_t line_limit(const policy& p) noexcept;

/// The parser options for the next line in state `s` (`options_for().parse`).
constexpr parse_options command_options(const policy& p, const session_state& s) noexcept;

/// The DATA decoder options after a 354 (`options_for().data`). RFC 1870 §6: the declared
/// SIZE never decides the end of data.
constexpr data_options body_options(const policy& p, const session_state& s) noexcept;

/// The BDAT decoder options (`options_for().bdat`): RFC 3030 §3 text bodies (not
/// BINARYMIME) must be canonical CRLF text, so bare CR/LF and NUL are refused unless
/// BODY=BINARYMIME.
constexpr bdat_options chunk_options(const policy& p, const session_state& s) noexcept;

// =========================================================================================
// The entry points
// =========================================================================================

/**
 * Opens the session: the 220 greeting (RFC 5321 §3.1, §4.2). `s` must be the default
 * state. A policy that failed to build answers 421 and closes.
 */
constexpr step_result start(const policy& p, const session_state& s = {}) noexcept;

/**
 * Refuses a connection instead of greeting it:
 * `421 4.7.0 <host> Error: too many connections` (or the 421 named by `reason`; without
 * ENHANCEDSTATUSCODES no 4.7.0) and action close. RFC 5321 §4.2.2: `421 <domain> Service
 * not available, closing transmission channel`; §3.8: a 421 followed by the close is how
 * a server ends a session on its own (unlike §3.1's 554 instead of the 220, after which
 * the server must still wait for QUIT). The enhanced code is RFC 3463's X.7.0 (as Postfix
 * answers a client over its connection limits); `shutting_down` gives X.3.2 and
 * `local_error` X.3.0 (RFC 5248 registry). `reason` may be one of these three; any other
 * reply (not a 421) is answered as `too_many_connections`. No state is needed: the
 * result's `next` is closed, and every later call answers nothing.
 */
constexpr step_result refuse(const policy& p, session_reply reason = session_reply::too_many_connections) noexcept;

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
                           bool input_pending = false) noexcept;

/**
 * A line the line reader refused (too long, bare CR/LF, NUL): 500/501 per line.hpp's
 * `reply_for`, or in an AUTH exchange 500 5.5.6 for a long line (RFC 4954 §4), which also
 * ends the exchange. Counted as an error. Ignored (no reply) behind STARTTLS and after close.
 */
constexpr step_result on_line_error(const policy& p, const session_state& s, line_error e) noexcept;

/**
 * The same, from the line reader's event (prefer this overload): a refused line whose
 * head (`line_event::line`) starts with "BDAT " (after any blanks) is answered 521 5.5.4 and the session
 * closes, as Postfix answers a BDAT it cannot frame: the client sends the chunk's octets
 * next, and they must never be read as commands (RFC 3030 §2; SMTP smuggling).
 */
constexpr step_result on_line_error(const policy& p, const session_state& s, const line_event& ev) noexcept;

/**
 * The host's decision on a pending MAIL, RCPT, AUTH or delivery.
 * Delivery in LMTP: one call per accepted recipient, in RCPT order (RFC 2033 §4.2); while
 * more remain, the result's action is `deliver` again with the next `index`.
 */
constexpr step_result resolve(const policy& p, const session_state& s, verdict v) noexcept;

/**
 * Continues an AUTH exchange with a challenge: `334 <challenge>` (RFC 4954 §4), written
 * into `buf` (the reply views it). `challenge` is base64 (or empty); one that is not, or
 * does not fit, ends the exchange with 454 4.7.0.
 */
constexpr step_result auth_challenge(const policy& p, const session_state& s, std::string_view challenge, char* buf,
                                     std::size_t cap) noexcept;

/// The end of a DATA body with the decoder's verdict (data.hpp). Success asks the host to
/// deliver (action deliver; LMTP: per recipient); a refusal is answered now — once, or in
/// LMTP once per accepted recipient (`count`). A value past `data_error` breaks the
/// contract: 421 and close.
constexpr step_result end_of_data(const policy& p, const session_state& s, data_error v) noexcept;

/**
 * The end of a BDAT chunk with the decoder's verdict so far (ignored for a discarded
 * chunk). RFC 3030 §2: 250 per chunk; at LAST the message is delivered. A value past
 * `data_error` breaks the contract: 421 and close.
 */
constexpr step_result end_of_chunk(const policy& p, const session_state& s, data_error v) noexcept;

/**
 * TLS is up (after action start_tls). RFC 3207 §4.2: "the SMTP protocol is reset to the
 * initial state ... The server MUST discard any knowledge obtained from the client": the
 * result is the fresh state with only the TLS flag (and the error count) kept. No reply.
 */
constexpr step_result tls_established(const policy& p, const session_state& s) noexcept;

/**
 * The host's idle timer fired (RFC 5321 §4.5.3.2.7: a server SHOULD time out an idle
 * client, at least 5 minutes): `421 4.4.2 <host>` and close. Nothing after a close.
 */
constexpr step_result timeout(const policy& p, const session_state& s) noexcept;

/**
 * The host is shutting down (RFC 5321 §3.8: `421 <domain> Service not available, closing
 * transmission channel` may be sent at any time): `421 4.3.2 <host>` and close. A message
 * in flight is the host's to abort (nothing is delivered without `resolve(deliver)`).
 */
constexpr step_result shutdown(const policy& p, const session_state& s) noexcept;

}  // namespace smtpp

#include "detail/session_replies.hpp"
#include "detail/session_policy.hpp"
#include "detail/session_results.hpp"
#include "detail/session_table.hpp"
#include "detail/session-inl.hpp"

#endif
