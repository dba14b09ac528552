/**
 * @file client.hpp
 * @brief The client side of SMTP (RFC 5321), ESMTP and LMTP (RFC 2033) as a pure
 *        state-transition function: `client_step(config, envelope, state, reply, out)`
 *        → {commands to write, next state, action, event}.
 *
 * The client does no I/O, never allocates, never throws and reads no clock. It takes
 * complete replies (read with `reply_reader` and summed up by `reply_collector`) and the
 * host's events (TLS is up, the body was written, send this message, quit), and returns a
 * `client_result`: the next state, the commands to write (in the caller's buffer), what the
 * host must do next, the RFC 5321 §4.5.3.2 timeout for the next read, and at most one event
 * (a recipient's outcome, the message's outcome, a failure).
 *
 * @code
 *   smtpp::client_config cfg{};  cfg.helo = "client.example";
 *   char out[4096];
 *   auto r = smtpp::client_start(cfg);
 *   for (;;) {
 *       write(r.write); st = r.next;
 *       switch (r.act) {
 *         case client_action::read_reply:  // read lines into a reply_collector until a reply
 *             r = smtpp::client_step(cfg, env, st, collector.reply(), out, sizeof out); break;
 *         case client_action::start_tls:   // handshake, then
 *             r = smtpp::client_tls_established(cfg, st, out, sizeof out); break;
 *         case client_action::send_body:   // DATA: body_encoder pieces + finish(), then
 *             r = smtpp::client_body_done(cfg, st); break;   // BDAT: client_chunk() per chunk
 *         case client_action::ready:       // next message or quit
 *             r = more ? smtpp::client_send(cfg, env, st, out, sizeof out)
 *                      : smtpp::client_quit(cfg, st); break;
 *         case client_action::next_recipient:  // envelope::one_at_a_time only
 *             r = have_one ? smtpp::client_recipient(cfg, env, st, rcpt, orcpt, out, sizeof out)
 *                          : smtpp::client_recipients_done(cfg, env, st, out, sizeof out);
 *             if (r.taken) advance(); break;   // not taken: give it again when asked
 *         case client_action::close: close(); return;
 *       }
 *       if (r.event == client_event::recipient) report(env.to[r.index], r.code, r.esc);
 *   }
 * @endcode
 *
 * Lifetimes. `client_result::write` views the caller's `out` buffer or static storage. The
 * state holds no pointers: the config and envelope are passed again on every call (the
 * host keeps them, and the recipient list, alive for the whole transaction).
 *
 * This file is the API: the types the host fills and reads, then the functions it calls.
 * The machinery is in detail/: the (phase × reply class) table as data
 * (detail/client_table.hpp, from which tools/gen_client_diagram.cpp draws
 * docs/client-state-machine.dot; the tests check that every step the client takes is one of
 * its edges), how commands are written (detail/client_format.hpp), and what each reply does
 * in each phase (detail/client-inl.hpp).
 */
#ifndef SMTPP_CLIENT_HPP
#define SMTPP_CLIENT_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "command.hpp"
#include "core.hpp"
#include "detail/enum_names.hpp"
#include "ehlo.hpp"
#include "reply.hpp"

namespace smtpp {

// =========================================================================================
// Phases, actions, events, errors
// =========================================================================================

/**
 * The client's phases, one row each: `X(enumerator, value)` with what the phase means.
 * Values are explicit and append-only (the C API mirrors them). The enum, `to_string()` (the
 * enumerator's name) and `client_phase_count` come from it; a new phase also needs its row
 * in `detail::client_transitions`.
 */
#define SMTPP_CLIENT_PHASES(X)                                                                           \
    X(connect, 0)    /**< before `client_start()` */                                                     \
    X(greeting, 1)   /**< waiting for the 220 greeting */                                                \
    X(ehlo, 2)       /**< EHLO (or LHLO) sent */                                                         \
    X(helo, 3)       /**< HELO sent (fallback after 500/502 to EHLO, RFC 5321 §3.2) */                  \
    X(starttls, 4)   /**< STARTTLS sent */                                                               \
    X(tls, 5)        /**< 220 to STARTTLS: the host does the handshake */                                \
    X(auth, 6)       /**< AUTH sent (and SASL responses) */                                              \
    X(ready, 7)      /**< between messages: the host sends one or quits */                               \
    X(mail, 8)       /**< MAIL sent: its reply is the next one */                                        \
    X(rcpt, 9)       /**< RCPT replies are next (`rcpt_replied` < `rcpt_sent`) */                        \
    X(data, 10)      /**< DATA sent: waiting for 354 */                                                  \
    X(body, 11)      /**< the host writes the body (DATA: encoder; BDAT: `client_chunk`) */              \
    X(chunk, 12)     /**< BDAT sent with its chunk: waiting for its reply */                             \
    X(final, 13)     /**< the body is written: waiting for the final reply(ies) */                       \
    X(rset, 14)      /**< RSET sent after a failed transaction */                                        \
    X(quit, 15)      /**< QUIT sent: waiting for 221 */                                                  \
    X(closed, 16)    /**< done: the host closes the connection */                                        \
    X(recipient, 17) /**< one-at-a-time envelope: the host gives the next recipient or says "no more" */ \
    /* a new row goes above this line */

/// Expands a row of `SMTPP_CLIENT_PHASES` into its enumerator (used right below only).
#define SMTPP_X_CLIENT_PHASE(e, value) e = value,
/// Where the client stands: which reply it waits for, or what the host must do. One
/// enumerator per row of `SMTPP_CLIENT_PHASES`.
enum class client_phase : std::uint8_t { SMTPP_CLIENT_PHASES(SMTPP_X_CLIENT_PHASE) };
#undef SMTPP_X_CLIENT_PHASE

namespace detail {
/// Expands a row of `SMTPP_CLIENT_PHASES` into its name (used right below only).
#define SMTPP_X_CLIENT_PHASE_NAME(e, value) {client_phase::e, #e},
inline constexpr enum_name<client_phase> client_phase_names[] = {SMTPP_CLIENT_PHASES(SMTPP_X_CLIENT_PHASE_NAME)};
#undef SMTPP_X_CLIENT_PHASE_NAME
static_assert(names_in_order(client_phase_names), "SMTPP_CLIENT_PHASES: rows in value order, from 0");
}  // namespace detail

/// The number of phases (`client_phase` values are 0 to `client_phase_count` - 1).
inline constexpr std::size_t client_phase_count = sizeof detail::client_phase_names /
                                                  sizeof detail::client_phase_names[0];

/// The phase's name ("greeting", "rcpt", ...); "?" for a value out of range.
constexpr std::string_view to_string(client_phase p) noexcept {
    return detail::name_of(detail::client_phase_names, p, "?");
}

/// What the host does after writing `client_result::write`.
enum class client_action : std::uint8_t {
    read_reply = 0,      ///< read the next reply (within `timeout` seconds), then `client_step()`
    start_tls = 1,       ///< drop any buffered input, handshake, then `client_tls_established()`
    send_body = 2,       ///< DATA: write the encoded body, then `client_body_done()`;
                         ///< BDAT (`bdat`): `client_chunk()` per chunk, the last with LAST
    ready = 3,           ///< the connection is idle: `client_send()` a message or `client_quit()`
    close = 4,           ///< close the connection
    next_recipient = 5,  ///< one-at-a-time envelope: `client_recipient()` with the next one,
                         ///< or `client_recipients_done()` when there is none
};

/// What happened, reported once per step at most.
enum class client_event : std::uint8_t {
    none = 0,       ///< nothing to report
    recipient = 1,  ///< RCPT reply for recipient `index`: `outcome`, `code`, `esc`
    delivery = 2,   ///< LMTP: final reply for the `index`-th *accepted* recipient (RFC 2033 §4.2)
    message = 3,    ///< the transaction ended: `outcome` for every accepted recipient (SMTP)
                    ///< or the reason nothing was sent (`error`)
    session = 4,    ///< the session is set up (greeting, EHLO, TLS, AUTH done)
    failed = 5,     ///< the connection is unusable: `error`; recipients without an outcome
                    ///< are deferred
};

/// A recipient's or a message's outcome, from the reply class (RFC 5321 §4.2.1).
enum class outcome : std::uint8_t {
    none = 0,      ///< no outcome (no event, or the event has none)
    accepted = 1,  ///< 2yz
    deferred = 2,  ///< 4yz: try again later
    refused = 3,   ///< 5yz
};

/**
 * Why the client stopped, refused a message or a call, one row each: `X(enumerator, value,
 * description)` with the cause and its reference. Values are explicit and append-only (the
 * C API mirrors them). The enum, `to_string()` (the description) and `client_error_count`
 * come from it.
 */
#define SMTPP_CLIENT_ERRORS(X)                                                      \
    X(none, 0, "none")                                                              \
    /**< no error */                                                                \
    X(greeting_refused, 1, "greeting refused")                                      \
    /**< the greeting was not 220 (554: no service, RFC 5321 §3.1) */              \
    X(service_closing, 2, "service closing (421)")                                  \
    /**< 421 (RFC 5321 §3.8): the server closes */                                 \
    X(ehlo_refused, 3, "EHLO and HELO refused")                                     \
    /**< EHLO/LHLO and HELO both refused */                                         \
    X(tls_unavailable, 4, "TLS required but STARTTLS not offered")                  \
    /**< TLS required but STARTTLS not offered (RFC 3207 §4) */                    \
    X(tls_refused, 5, "TLS required but STARTTLS refused")                          \
    /**< TLS required but STARTTLS refused */                                       \
    X(response_injection, 6, "data after the 220 to STARTTLS (response injection)") \
    /**< bytes after the 220 to STARTTLS (RFC 3207 §4.2, CVE-2021-38371) */        \
    X(auth_unavailable, 7, "no usable AUTH mechanism")                              \
    /**< credentials given, no usable mechanism (or no TLS to send them) */         \
    X(auth_failed, 8, "authentication failed")                                      \
    /**< 535 / 534 / 454 / other to AUTH (RFC 4954 §6) */                          \
    X(auth_loop, 9, "too many AUTH challenges")                                     \
    /**< more 334 challenges than the mechanism has steps */                        \
    X(needs_smtputf8, 10, "UTF-8 address but SMTPUTF8 not offered")                 \
    /**< a UTF-8 address, SMTPUTF8 not offered (RFC 6531 §3.2) */                  \
    X(needs_8bitmime, 11, "8-bit body but 8BITMIME not offered")                    \
    /**< BODY=8BITMIME, 8BITMIME not offered (RFC 6152 §3) */                      \
    X(needs_binarymime, 12, "binary body but CHUNKING/BINARYMIME not offered")      \
    /**< BODY=BINARYMIME, CHUNKING+BINARYMIME not offered (RFC 3030 §3) */         \
    X(too_big, 13, "message larger than the server's SIZE")                         \
    /**< the message exceeds the advertised SIZE (RFC 1870 §6) */                  \
    X(bad_address, 14, "address or parameter cannot be sent")                       \
    /**< the formatter refused a path or parameter (CR/LF/NUL, syntax, length) */   \
    X(no_space, 15, "output buffer too small")                                      \
    /**< `out` cannot hold the command */                                           \
    X(protocol, 16, "reply code impossible for the command")                        \
    /**< a reply code the command cannot have (354 to RCPT, 250 to DATA, ...) */    \
    X(unexpected_reply, 17, "reply while none was awaited")                         \
    /**< a reply while none was awaited (before the command, in the body) */        \
    X(no_recipients, 18, "no recipient accepted")                                   \
    /**< every recipient was refused or deferred */                                 \
    X(mail_refused, 19, "MAIL refused")                                             \
    /**< MAIL was refused */                                                        \
    X(data_refused, 20, "DATA refused")                                             \
    /**< DATA (or BDAT) was refused */                                              \
    X(message_refused, 21, "message refused")                                       \
    /**< the final reply refused or deferred the message */                         \
    X(invalid_call, 22, "call not valid in this phase")                             \
    /**< the host called a function the phase does not take */                      \
    X(no_recipient_given, 23, "no recipients (or too many)")                        \
    /**< an envelope without recipients (or more than 65535) */                     \
    /* a new row goes above this line */

/// Expands a row of `SMTPP_CLIENT_ERRORS` into its enumerator (used right below only).
#define SMTPP_X_CLIENT_ERROR(e, value, text) e = value,
/// Why the client stopped, refused a message or a call: one enumerator per row of
/// `SMTPP_CLIENT_ERRORS`.
enum class client_error : std::uint8_t { SMTPP_CLIENT_ERRORS(SMTPP_X_CLIENT_ERROR) };
#undef SMTPP_X_CLIENT_ERROR

namespace detail {
/// Expands a row of `SMTPP_CLIENT_ERRORS` into its description (used right below only).
#define SMTPP_X_CLIENT_ERROR_NAME(e, value, text) {smtpp::client_error::e, text},
inline constexpr enum_name<smtpp::client_error> client_error_names[] = {SMTPP_CLIENT_ERRORS(SMTPP_X_CLIENT_ERROR_NAME)};
#undef SMTPP_X_CLIENT_ERROR_NAME
static_assert(names_in_order(client_error_names), "SMTPP_CLIENT_ERRORS: rows in value order, from 0, texts unique");
}  // namespace detail

/// The number of `client_error` values (0 to `client_error_count` - 1).
inline constexpr std::size_t client_error_count = sizeof detail::client_error_names /
                                                  sizeof detail::client_error_names[0];

/// A short English description of the error ("greeting refused", ...); "unknown" out of range.
constexpr std::string_view to_string(smtpp::client_error e) noexcept {
    return detail::name_of(detail::client_error_names, e, "unknown");
}

/// The RFC 5321 §4.5.3.2 client timeouts, in seconds (the host runs the clock).
enum client_timeout : std::uint16_t {
    timeout_initial = 300,     ///< §4.5.3.2.1 initial 220: 5 minutes
    timeout_mail = 300,        ///< §4.5.3.2.2 MAIL: 5 minutes (also EHLO, STARTTLS, AUTH, RSET, QUIT)
    timeout_rcpt = 300,        ///< §4.5.3.2.3 RCPT: 5 minutes
    timeout_data_init = 120,   ///< §4.5.3.2.4 DATA initiation: 2 minutes
    timeout_data_block = 180,  ///< §4.5.3.2.5 each data block (TCP SEND): 3 minutes
    timeout_data_end = 600,    ///< §4.5.3.2.6 after the final dot / BDAT LAST: 10 minutes
};

// =========================================================================================
// What the host describes: the configuration, the envelope, the replies
// =========================================================================================

/// STARTTLS use (RFC 3207).
enum class tls_mode : std::uint8_t {
    none = 0,           ///< never (already on TLS, or plain text by choice)
    opportunistic = 1,  ///< when offered; go on in clear when not offered or refused
    required = 2,       ///< when offered; stop (QUIT) when not offered or refused
};

/// SASL mechanisms the client runs (RFC 4954 §4).
enum class client_mechanism : std::uint8_t {
    automatic = 0,  ///< PLAIN if offered, else LOGIN
    plain = 1,      ///< RFC 4616
    login = 2,      ///< draft-murchison-sasl-login
    xoauth2 = 3,    ///< Google/Microsoft XOAUTH2: `password` is the bearer token
};

/// The connection's settings. Views must live as long as the state is used.
struct client_config {
    std::string_view helo = "localhost";  ///< our name in EHLO/HELO/LHLO (a Domain or address literal)
    bool lmtp = false;                    ///< LMTP: LHLO, per-recipient final replies (RFC 2033)
    tls_mode tls = tls_mode::none;        ///< STARTTLS: never, when offered, or required (RFC 3207)
    std::string_view user{};              ///< AUTH when not empty
    std::string_view password{};          ///< password, or the token for XOAUTH2
    client_mechanism mechanism = client_mechanism::automatic;  ///< the SASL mechanism to run (RFC 4954)
    /// Send credentials without TLS. RISK: the password crosses the network in clear
    /// (RFC 4954 §4 lets servers refuse it; RFC 8314 says never). Off: AUTH without TLS
    /// stops with `auth_unavailable`.
    bool auth_without_tls = false;
    bool use_pipelining = true;  ///< batch MAIL, RCPTs and DATA when offered (RFC 2920)
    bool use_chunking = false;   ///< BDAT instead of DATA when CHUNKING is offered (RFC 3030)
};

/// One message's envelope (RFC 5321 §3.3). Addresses are mailboxes without angle brackets:
/// "local@domain", "" for the null reverse-path, "Postmaster" alone for RCPT.
struct envelope {
    std::string_view from{};                  ///< the mailbox of the reverse-path, "" for the null path `<>`
    const std::string_view* to = nullptr;     ///< the recipients, in order (a span)
    std::size_t to_count = 0;                 ///< how many recipients `to` holds (1 to 65535)
    const std::string_view* orcpt = nullptr;  ///< optional, per recipient: ORCPT "type;xtext" (RFC 3461 §4.2)
    /// The recipients are given one at a time: `to`, `to_count` and `orcpt` are not used; the
    /// client asks for each (`client_action::next_recipient`) and the host answers with
    /// `client_recipient()` or `client_recipients_done()`. Set `smtputf8` when a recipient to
    /// come may have a UTF-8 address: MAIL is written before the recipients are known.
    bool one_at_a_time = false;
    std::uint64_t size = 0;            ///< octets as RFC 1870 §3 counts them; 0 = unknown
    body_type body = body_type::none;  ///< BODY= (8BITMIME RFC 6152, BINARYMIME RFC 3030)
    bool smtputf8 = false;             ///< SMTPUTF8 (also set by any 8-bit address)
    ret_type ret = ret_type::none;     ///< DSN RET= (RFC 3461 §4.3), sent only under DSN
    std::string_view envid{};          ///< DSN ENVID= (xtext), sent only under DSN
    std::uint8_t notify = 0;           ///< DSN NOTIFY= `notify_flag` bits for every RCPT
};

/// A complete reply, as `client_step` takes it. `reply_collector` builds it from lines.
struct server_reply {
    std::uint16_t code = 0;  ///< the reply code (RFC 5321 §4.2)
    enhanced_code esc{};     ///< the enhanced status code of the first line that has one (RFC 3463), or empty
    /// Bytes were left behind the reply in the host's read buffer (or inside the reader).
    /// Refused after the 220 to STARTTLS (RFC 3207 §4.2).
    bool trailing = false;
    // Filled from 250 replies to EHLO/LHLO (RFC 5321 §4.1.1.1):
    std::uint32_t extensions = 0;       ///< `ehlo_ext` bits
    std::uint32_t auth_mechanisms = 0;  ///< `sasl_mech` bits
    std::uint64_t size = 0;             ///< SIZE; 0 = no limit or not offered
};

/**
 * Sums up the lines of one reply from `reply_reader::next_line` into a `server_reply`,
 * capabilities included (through the EHLO parser's line parser). Holds no views.
 */
class reply_collector {
public:
    /// Adds a line; returns true when it ended the reply (`reply()` is then complete).
    constexpr bool add(const reply_line& ln) noexcept {
        if (ln.index == 0) {
            r_ = server_reply{};
            r_.code = ln.code;
            caps_ = ehlo_capabilities{};
        } else if (ln.code == 250) {
            // The raw text after "250-": EHLO lines are not subject to RFC 2034 codes.
            const std::string_view t = ln.line.size() > 4 ? detail::sub(ln.line, 4) : std::string_view{};
            detail::parse_ehlo_line(t, t.size(), caps_);
            r_.extensions = caps_.extensions;
            r_.auth_mechanisms = caps_.auth_mechanisms;
            r_.size = caps_.size_known ? caps_.size : 0;
        }
        if (r_.esc.empty()) r_.esc = ln.esc;
        return ln.last;
    }
    /// The reply summed up so far (complete once `add()` returned true).
    [[nodiscard]] constexpr const server_reply& reply() const noexcept { return r_; }
    /// Marks bytes left after the reply (the host knows its buffer).
    constexpr void set_trailing(bool t) noexcept { r_.trailing = t; }

private:
    server_reply r_{};
    ehlo_capabilities caps_{};
};

// =========================================================================================
// The state and the result
// =========================================================================================

/// Bits of `client_state::flags`.
enum client_flag : std::uint16_t {
    cf_esmtp = 1u << 0,       ///< EHLO/LHLO accepted: extensions are in force
    cf_tls = 1u << 1,         ///< TLS is up
    cf_authed = 1u << 2,      ///< AUTH succeeded
    cf_pipelined = 1u << 3,   ///< transaction: commands are batched
    cf_bdat = 1u << 4,        ///< transaction: BDAT instead of DATA
    cf_data_sent = 1u << 5,   ///< transaction: DATA is in the batch
    cf_mail_ok = 1u << 6,     ///< transaction: MAIL accepted
    cf_failed = 1u << 7,      ///< transaction: failed; `fail_*` say why, RSET follows
    cf_void_data = 1u << 8,   ///< 354 with no recipient: only "." was sent (RFC 2920 §3.1)
    cf_tls_tried = 1u << 9,   ///< STARTTLS refused once: do not ask again
    cf_auth_ir = 1u << 10,    ///< AUTH sent with its initial response
    cf_rcpt_done = 1u << 11,  ///< transaction, one at a time: the host has no more recipients
    cf_utf8 = 1u << 12,       ///< transaction: SMTPUTF8 on MAIL (UTF-8 addresses allowed)
};

/// The whole client state: trivially copyable, no pointers.
struct client_state {
    client_phase phase = client_phase::connect;                  ///< where the client stands
    client_mechanism mech = client_mechanism::automatic;         ///< the mechanism in use (AUTH)
    std::uint8_t auth_step = 0;                                  ///< 334 challenges answered
    smtpp::client_error fail_error = smtpp::client_error::none;  ///< why the transaction failed
    std::uint16_t flags = 0;                                     ///< `client_flag` bits
    std::uint16_t rcpt_sent = 0;                                 ///< RCPTs written
    std::uint16_t rcpt_replied = 0;                              ///< RCPT replies read
    std::uint16_t accepted = 0;                                  ///< recipients accepted
    std::uint16_t delivered = 0;                                 ///< LMTP: final replies read
    std::uint16_t fail_code = 0;                                 ///< the reply that failed the transaction
    enhanced_code fail_esc{};                                    ///< the enhanced code of `fail_code`
    std::uint32_t extensions = 0;       ///< `ehlo_ext` bits of the last EHLO (forgotten on TLS)
    std::uint32_t auth_mechanisms = 0;  ///< `sasl_mech` bits of the last EHLO
    std::uint64_t size = 0;             ///< advertised SIZE, 0 = none
    /// One at a time with PIPELINING: octets of the batch being built at the start of `out`,
    /// not yet written (the host keeps `out` untouched between the calls).
    std::uint32_t pending = 0;

    /// True when flag `f` is set.
    [[nodiscard]] constexpr bool has(client_flag f) const noexcept { return (flags & f) != 0; }
    /// True when the server said EHLO (not HELO) and offered extension `e`.
    [[nodiscard]] constexpr bool offers(ehlo_ext e) const noexcept {
        return (flags & cf_esmtp) != 0 && (extensions & static_cast<std::uint32_t>(e)) != 0;
    }
};
static_assert(std::is_trivially_copyable<client_state>::value, "client_state must be trivially copyable");
static_assert(sizeof(client_state) >= 32 && sizeof(client_state) <= 64, "client_state: 32 to 64 bytes");

/// What one call produced.
struct client_result {
    client_state next{};                                    ///< the state to pass to the next call
    std::string_view write{};                               ///< bytes to write now (in `out` or static storage)
    client_action act = client_action::close;               ///< what the host does next
    client_event event = client_event::none;                ///< what happened, if anything
    smtpp::outcome outcome = smtpp::outcome::none;          ///< recipient, delivery, message: the outcome
    smtpp::client_error error = smtpp::client_error::none;  ///< failed, message: why
    std::uint16_t index = 0;                                ///< recipient: RCPT index; delivery: ordinal among accepted
    std::uint16_t code = 0;                                 ///< the reply the event is about
    enhanced_code esc{};                                    ///< its enhanced status code (RFC 3463), or empty
    std::uint16_t timeout = 0;                              ///< read_reply / send_body: seconds (RFC 5321 §4.5.3.2)
    bool bdat = false;                                      ///< send_body: use `client_chunk()`
    bool expect_ehlo = false;                               ///< read_reply: call `reply_reader::expect_ehlo()` first
    bool dsn_dropped = false;                               ///< client_send: DSN parameters not sent (DSN not offered)
    /// client_recipient: the recipient was used (written, batched, or refused locally with a
    /// `recipient` event). False: `write` is the batch so far and the host gives the same
    /// recipient again when next asked.
    bool taken = false;
};

// =========================================================================================
// The functions the host calls
// =========================================================================================

/// The state before the greeting: wait for it (RFC 5321 §3.1).
constexpr client_result client_start(const client_config& cfg) noexcept;

/**
 * One complete reply. `out` receives the commands to write (at least 1 KiB is advised;
 * pipelined batches take what fits and continue on later replies).
 */
constexpr client_result client_step(const client_config& cfg, const envelope& env, const client_state& st,
                                    const server_reply& rep, char* out, std::size_t cap) noexcept;

/// TLS is up (RFC 3207 §4.2): forget what EHLO said and say EHLO again.
constexpr client_result client_tls_established(const client_config& cfg, const client_state& st, char* out,
                                               std::size_t cap) noexcept;

/**
 * Starts a message: checks it against what the server offered (refusing it with an error,
 * without writing anything, when it needs an extension the server lacks or exceeds SIZE),
 * then writes MAIL — and, with PIPELINING, the RCPTs and DATA in the same batch.
 */
constexpr client_result client_send(const client_config& cfg, const envelope& env, const client_state& st, char* out,
                                    std::size_t cap) noexcept;

/**
 * One at a time (`envelope::one_at_a_time`), on `next_recipient`: the next recipient, with
 * its ORCPT ("type;xtext", or empty). Without PIPELINING the RCPT is written and its reply
 * read. With PIPELINING it joins the batch in `out` (the same buffer, untouched since the
 * call before): the host is asked for the next one at once, and nothing is written until
 * `client_recipients_done()` — or until the batch is full: then `taken` is false, `write`
 * is the batch, the replies are read, and the host gives the same recipient again when
 * asked. A recipient that cannot be sent (bad syntax, CR/LF/NUL, a UTF-8 address without
 * SMTPUTF8 on MAIL, more than 65535) is refused locally: a `recipient` event (outcome
 * refused, code 0, `error`), nothing written, and the transaction goes on. Its `index`, like
 * every recipient event's in this mode, counts RCPT commands: a locally refused recipient
 * has the index the next RCPT will have.
 */
constexpr client_result client_recipient(const client_config& cfg, const envelope& env, const client_state& st,
                                         std::string_view to, std::string_view orcpt, char* out,
                                         std::size_t cap) noexcept;

/**
 * One at a time, on `next_recipient`: there are no more recipients. With PIPELINING the
 * batch is written, DATA at its end (when it fits; BDAT waits for the replies). When no
 * recipient was given at all, the message is refused (`no_recipient_given`) — without
 * writing anything if MAIL is still in the batch, else after RSET.
 */
constexpr client_result client_recipients_done(const client_config& cfg, const envelope& env, const client_state& st,
                                               char* out, std::size_t cap) noexcept;

/// The DATA body and its terminator are written (send_body without `bdat`).
constexpr client_result client_body_done(const client_config& cfg, const client_state& st) noexcept;

/**
 * BDAT (RFC 3030 §2): writes "BDAT size [LAST]"; the host writes exactly `size` octets of
 * the body right after it, then reads the reply. A message ends with a LAST chunk (which
 * may be empty).
 */
constexpr client_result client_chunk(const client_config& cfg, const client_state& st, std::uint64_t size, bool last,
                                     char* out, std::size_t cap) noexcept;

/// QUIT (RFC 5321 §4.1.1.10) when ready; the host closes after the reply.
constexpr client_result client_quit(const client_config& cfg, const client_state& st) noexcept;

}  // namespace smtpp

#include "detail/client_table.hpp"
#include "detail/client_format.hpp"
#include "detail/client-inl.hpp"

#endif
