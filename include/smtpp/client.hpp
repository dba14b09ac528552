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
 * Everything that affects the state machine lives in this file: the (phase × reply class)
 * table is data (`detail::client_transitions`), the host events beside it, and
 * docs/client-state-machine.dot is generated from them (tools/gen_client_diagram.cpp). The
 * tests check that every step the client takes is an edge of the table.
 */
#ifndef SMTPP_CLIENT_HPP
#define SMTPP_CLIENT_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "command.hpp"
#include "core.hpp"
#include "ehlo.hpp"
#include "reply.hpp"

namespace smtpp {

// =========================================================================================
// Phases, actions, events, errors
// =========================================================================================

/// Where the client stands: which reply it waits for, or what the host must do.
enum class client_phase : std::uint8_t {
    connect = 0,    ///< before `client_start()`
    greeting = 1,   ///< waiting for the 220 greeting
    ehlo = 2,       ///< EHLO (or LHLO) sent
    helo = 3,       ///< HELO sent (fallback after 500/502 to EHLO, RFC 5321 §3.2)
    starttls = 4,   ///< STARTTLS sent
    tls = 5,        ///< 220 to STARTTLS: the host does the handshake
    auth = 6,       ///< AUTH sent (and SASL responses)
    ready = 7,      ///< between messages: the host sends one or quits
    mail = 8,       ///< MAIL sent: its reply is the next one
    rcpt = 9,       ///< RCPT replies are next (`rcpt_replied` < `rcpt_sent`)
    data = 10,      ///< DATA sent: waiting for 354
    body = 11,      ///< the host writes the body (DATA: encoder; BDAT: `client_chunk`)
    chunk = 12,     ///< BDAT sent with its chunk: waiting for its reply
    final = 13,     ///< the body is written: waiting for the final reply(ies)
    rset = 14,      ///< RSET sent after a failed transaction
    quit = 15,      ///< QUIT sent: waiting for 221
    closed = 16,    ///< done: the host closes the connection
    recipient = 17, ///< one-at-a-time envelope: the host gives the next recipient or says "no more"
};
inline constexpr std::size_t client_phase_count = 18;

namespace detail {
inline constexpr std::string_view client_phase_names[client_phase_count] = {
    "connect", "greeting", "ehlo", "helo", "starttls", "tls", "auth", "ready", "mail",
    "rcpt",    "data",     "body", "chunk", "final", "rset", "quit", "closed", "recipient"};
}  // namespace detail

constexpr std::string_view to_string(client_phase p) noexcept {
    const auto i = static_cast<std::size_t>(p);
    return i < client_phase_count ? detail::client_phase_names[i] : std::string_view{"?"};
}

/// What the host does after writing `client_result::write`.
enum class client_action : std::uint8_t {
    read_reply = 0,  ///< read the next reply (within `timeout` seconds), then `client_step()`
    start_tls = 1,   ///< drop any buffered input, handshake, then `client_tls_established()`
    send_body = 2,   ///< DATA: write the encoded body, then `client_body_done()`;
                     ///< BDAT (`bdat`): `client_chunk()` per chunk, the last with LAST
    ready = 3,       ///< the connection is idle: `client_send()` a message or `client_quit()`
    close = 4,       ///< close the connection
    next_recipient = 5, ///< one-at-a-time envelope: `client_recipient()` with the next one,
                        ///< or `client_recipients_done()` when there is none
};

/// What happened, reported once per step at most.
enum class client_event : std::uint8_t {
    none = 0,
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
    none = 0,
    accepted = 1,  ///< 2yz
    deferred = 2,  ///< 4yz: try again later
    refused = 3,   ///< 5yz
};

/// Why the client stopped, refused a message or a call. Values are explicit and append-only.
enum class client_error : std::uint8_t {
    none = 0,
    greeting_refused = 1,   ///< the greeting was not 220 (554: no service, RFC 5321 §3.1)
    service_closing = 2,    ///< 421 (RFC 5321 §3.8): the server closes
    ehlo_refused = 3,       ///< EHLO/LHLO and HELO both refused
    tls_unavailable = 4,    ///< TLS required but STARTTLS not offered (RFC 3207 §4)
    tls_refused = 5,        ///< TLS required but STARTTLS refused
    response_injection = 6, ///< bytes after the 220 to STARTTLS (RFC 3207 §4.2, CVE-2021-38371)
    auth_unavailable = 7,   ///< credentials given, no usable mechanism (or no TLS to send them)
    auth_failed = 8,        ///< 535 / 534 / 454 / other to AUTH (RFC 4954 §6)
    auth_loop = 9,          ///< more 334 challenges than the mechanism has steps
    needs_smtputf8 = 10,    ///< a UTF-8 address, SMTPUTF8 not offered (RFC 6531 §3.2)
    needs_8bitmime = 11,    ///< BODY=8BITMIME, 8BITMIME not offered (RFC 6152 §3)
    needs_binarymime = 12,  ///< BODY=BINARYMIME, CHUNKING+BINARYMIME not offered (RFC 3030 §3)
    too_big = 13,           ///< the message exceeds the advertised SIZE (RFC 1870 §6)
    bad_address = 14,       ///< the formatter refused a path or parameter (CR/LF/NUL, syntax, length)
    no_space = 15,          ///< `out` cannot hold the command
    protocol = 16,          ///< a reply code the command cannot have (354 to RCPT, 250 to DATA, ...)
    unexpected_reply = 17,  ///< a reply while none was awaited (before the command, in the body)
    no_recipients = 18,     ///< every recipient was refused or deferred
    mail_refused = 19,      ///< MAIL was refused
    data_refused = 20,      ///< DATA (or BDAT) was refused
    message_refused = 21,   ///< the final reply refused or deferred the message
    invalid_call = 22,      ///< the host called a function the phase does not take
    no_recipient_given = 23,///< an envelope without recipients (or more than 65535)
};

constexpr std::string_view to_string(smtpp::client_error e) noexcept {
    switch (e) {
        case smtpp::client_error::none: return "none";
        case smtpp::client_error::greeting_refused: return "greeting refused";
        case smtpp::client_error::service_closing: return "service closing (421)";
        case smtpp::client_error::ehlo_refused: return "EHLO and HELO refused";
        case smtpp::client_error::tls_unavailable: return "TLS required but STARTTLS not offered";
        case smtpp::client_error::tls_refused: return "TLS required but STARTTLS refused";
        case smtpp::client_error::response_injection: return "data after the 220 to STARTTLS (response injection)";
        case smtpp::client_error::auth_unavailable: return "no usable AUTH mechanism";
        case smtpp::client_error::auth_failed: return "authentication failed";
        case smtpp::client_error::auth_loop: return "too many AUTH challenges";
        case smtpp::client_error::needs_smtputf8: return "UTF-8 address but SMTPUTF8 not offered";
        case smtpp::client_error::needs_8bitmime: return "8-bit body but 8BITMIME not offered";
        case smtpp::client_error::needs_binarymime: return "binary body but CHUNKING/BINARYMIME not offered";
        case smtpp::client_error::too_big: return "message larger than the server's SIZE";
        case smtpp::client_error::bad_address: return "address or parameter cannot be sent";
        case smtpp::client_error::no_space: return "output buffer too small";
        case smtpp::client_error::protocol: return "reply code impossible for the command";
        case smtpp::client_error::unexpected_reply: return "reply while none was awaited";
        case smtpp::client_error::no_recipients: return "no recipient accepted";
        case smtpp::client_error::mail_refused: return "MAIL refused";
        case smtpp::client_error::data_refused: return "DATA refused";
        case smtpp::client_error::message_refused: return "message refused";
        case smtpp::client_error::invalid_call: return "call not valid in this phase";
        case smtpp::client_error::no_recipient_given: return "no recipients (or too many)";
    }
    return "unknown";
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
    tls_mode tls = tls_mode::none;
    std::string_view user{};              ///< AUTH when not empty
    std::string_view password{};          ///< password, or the token for XOAUTH2
    client_mechanism mechanism = client_mechanism::automatic;
    /// Send credentials without TLS. RISK: the password crosses the network in clear
    /// (RFC 4954 §4 lets servers refuse it; RFC 8314 says never). Off: AUTH without TLS
    /// stops with `auth_unavailable`.
    bool auth_without_tls = false;
    bool use_pipelining = true;           ///< batch MAIL, RCPTs and DATA when offered (RFC 2920)
    bool use_chunking = false;            ///< BDAT instead of DATA when CHUNKING is offered (RFC 3030)
};

/// One message's envelope (RFC 5321 §3.3). Addresses are mailboxes without angle brackets:
/// "local@domain", "" for the null reverse-path, "Postmaster" alone for RCPT.
struct envelope {
    std::string_view from{};
    const std::string_view* to = nullptr;     ///< the recipients, in order (a span)
    std::size_t to_count = 0;
    const std::string_view* orcpt = nullptr;  ///< optional, per recipient: ORCPT "type;xtext" (RFC 3461 §4.2)
    /// The recipients are given one at a time: `to`, `to_count` and `orcpt` are not used; the
    /// client asks for each (`client_action::next_recipient`) and the host answers with
    /// `client_recipient()` or `client_recipients_done()`. Set `smtputf8` when a recipient to
    /// come may have a UTF-8 address: MAIL is written before the recipients are known.
    bool one_at_a_time = false;
    std::uint64_t size = 0;                   ///< octets as RFC 1870 §3 counts them; 0 = unknown
    body_type body = body_type::none;         ///< BODY= (8BITMIME RFC 6152, BINARYMIME RFC 3030)
    bool smtputf8 = false;                    ///< SMTPUTF8 (also set by any 8-bit address)
    ret_type ret = ret_type::none;            ///< DSN RET= (RFC 3461 §4.3), sent only under DSN
    std::string_view envid{};                 ///< DSN ENVID= (xtext), sent only under DSN
    std::uint8_t notify = 0;                  ///< DSN NOTIFY= `notify_flag` bits for every RCPT
};

/// A complete reply, as `client_step` takes it. `reply_collector` builds it from lines.
struct server_reply {
    std::uint16_t code = 0;
    enhanced_code esc{};
    /// Bytes were left behind the reply in the host's read buffer (or inside the reader).
    /// Refused after the 220 to STARTTLS (RFC 3207 §4.2).
    bool trailing = false;
    // Filled from 250 replies to EHLO/LHLO (RFC 5321 §4.1.1.1):
    std::uint32_t extensions = 0;      ///< `ehlo_ext` bits
    std::uint32_t auth_mechanisms = 0; ///< `sasl_mech` bits
    std::uint64_t size = 0;            ///< SIZE; 0 = no limit or not offered
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
    cf_esmtp = 1u << 0,        ///< EHLO/LHLO accepted: extensions are in force
    cf_tls = 1u << 1,          ///< TLS is up
    cf_authed = 1u << 2,       ///< AUTH succeeded
    cf_pipelined = 1u << 3,    ///< transaction: commands are batched
    cf_bdat = 1u << 4,         ///< transaction: BDAT instead of DATA
    cf_data_sent = 1u << 5,    ///< transaction: DATA is in the batch
    cf_mail_ok = 1u << 6,      ///< transaction: MAIL accepted
    cf_failed = 1u << 7,       ///< transaction: failed; `fail_*` say why, RSET follows
    cf_void_data = 1u << 8,    ///< 354 with no recipient: only "." was sent (RFC 2920 §3.1)
    cf_tls_tried = 1u << 9,    ///< STARTTLS refused once: do not ask again
    cf_auth_ir = 1u << 10,     ///< AUTH sent with its initial response
    cf_rcpt_done = 1u << 11,   ///< transaction, one at a time: the host has no more recipients
    cf_utf8 = 1u << 12,        ///< transaction: SMTPUTF8 on MAIL (UTF-8 addresses allowed)
};

/// The whole client state: trivially copyable, no pointers.
struct client_state {
    client_phase phase = client_phase::connect;
    client_mechanism mech = client_mechanism::automatic;  ///< the mechanism in use (AUTH)
    std::uint8_t auth_step = 0;      ///< 334 challenges answered
    smtpp::client_error fail_error = smtpp::client_error::none;  ///< why the transaction failed
    std::uint16_t flags = 0;         ///< `client_flag` bits
    std::uint16_t rcpt_sent = 0;     ///< RCPTs written
    std::uint16_t rcpt_replied = 0;  ///< RCPT replies read
    std::uint16_t accepted = 0;      ///< recipients accepted
    std::uint16_t delivered = 0;     ///< LMTP: final replies read
    std::uint16_t fail_code = 0;     ///< the reply that failed the transaction
    enhanced_code fail_esc{};
    std::uint32_t extensions = 0;    ///< `ehlo_ext` bits of the last EHLO (forgotten on TLS)
    std::uint32_t auth_mechanisms = 0;
    std::uint64_t size = 0;          ///< advertised SIZE, 0 = none
    /// One at a time with PIPELINING: octets of the batch being built at the start of `out`,
    /// not yet written (the host keeps `out` untouched between the calls).
    std::uint32_t pending = 0;

    [[nodiscard]] constexpr bool has(client_flag f) const noexcept { return (flags & f) != 0; }
    [[nodiscard]] constexpr bool offers(ehlo_ext e) const noexcept {
        return (flags & cf_esmtp) != 0 && (extensions & static_cast<std::uint32_t>(e)) != 0;
    }
};
static_assert(std::is_trivially_copyable<client_state>::value, "client_state must be trivially copyable");
static_assert(sizeof(client_state) >= 32 && sizeof(client_state) <= 64, "client_state: 32 to 64 bytes");

/// What one call produced.
struct client_result {
    client_state next{};
    std::string_view write{};    ///< bytes to write now (in `out` or static storage)
    client_action act = client_action::close;
    client_event event = client_event::none;
    smtpp::outcome outcome = smtpp::outcome::none;
    smtpp::client_error error = smtpp::client_error::none;
    std::uint16_t index = 0;     ///< recipient: RCPT index; delivery: ordinal among accepted
    std::uint16_t code = 0;      ///< the reply the event is about
    enhanced_code esc{};
    std::uint16_t timeout = 0;   ///< read_reply / send_body: seconds (RFC 5321 §4.5.3.2)
    bool bdat = false;           ///< send_body: use `client_chunk()`
    bool expect_ehlo = false;    ///< read_reply: call `reply_reader::expect_ehlo()` first
    bool dsn_dropped = false;    ///< client_send: DSN parameters not sent (DSN not offered)
    /// client_recipient: the recipient was used (written, batched, or refused locally with a
    /// `recipient` event). False: `write` is the batch so far and the host gives the same
    /// recipient again when next asked.
    bool taken = false;
};

// =========================================================================================
// The table: (phase × reply class) → next phase
// =========================================================================================

namespace detail {

/// Reply classes as the table's columns: 2yz, 3yz, 4yz, 5yz (RFC 5321 §4.2.1) and 421.
inline constexpr std::size_t reply_class_count = 5;
inline constexpr std::string_view reply_class_names[reply_class_count] = {"2xx", "3xx", "4xx", "5xx", "421"};
constexpr std::size_t reply_class(std::uint16_t code) noexcept {
    return code == 421 ? 4 : code >= 500 ? 3 : code >= 400 ? 2 : code >= 300 ? 1 : 0;
}

/// One cell: the phases a reply of that class may lead to (a bit set; 0 = never awaited).
/// More than one bit where the envelope or the capabilities decide (the label says how).
struct client_edge {
    std::uint32_t next = 0;
    std::string_view label{};
};
constexpr std::uint32_t to(client_phase p) noexcept { return 1u << static_cast<unsigned>(p); }
template <typename... P>
constexpr std::uint32_t to(client_phase p, P... more) noexcept { return to(p) | to(more...); }

using cp = client_phase;
inline constexpr client_edge closing{to(cp::closed), "close"};
inline constexpr client_edge never{0, {}};

/**
 * The table. Rows: phases; columns: 2xx, 3xx, 4xx, 5xx, 421. RFC 5321 §4.3.2 (command-reply
 * sequences), §3.2 (HELO fallback), RFC 3207, RFC 4954, RFC 2920, RFC 3030, RFC 2033.
 * Any reply in a phase whose row is `never` is `unexpected_reply` (the client closes).
 */
inline constexpr client_edge client_transitions[client_phase_count][reply_class_count] = {
    /* connect */ {never, never, never, never, never},
    /* greeting */
    {{to(cp::ehlo), "220: EHLO/LHLO"}, closing, {to(cp::quit), "4xx: QUIT"}, {to(cp::quit), "554: QUIT"}, closing},
    /* ehlo */
    {{to(cp::starttls, cp::auth, cp::ready, cp::quit), "250: STARTTLS / AUTH / ready"}, closing,
     {to(cp::quit), "4xx: QUIT"}, {to(cp::helo, cp::quit), "500/502: HELO; else QUIT"}, closing},
    /* helo */
    {{to(cp::ready, cp::quit, cp::auth), "250: ready"}, closing, {to(cp::quit), "QUIT"}, {to(cp::quit), "QUIT"}, closing},
    /* starttls */
    {{to(cp::tls, cp::closed), "220: handshake (refused if data follows)"}, closing,
     {to(cp::auth, cp::ready, cp::quit), "refused: go on in clear or QUIT"},
     {to(cp::auth, cp::ready, cp::quit), "refused: go on in clear or QUIT"}, closing},
    /* tls */ {never, never, never, never, never},
    /* auth */
    {{to(cp::ready), "235"}, {to(cp::auth, cp::quit), "334: next response, or \"*\" (cancel)"},
     {to(cp::quit), "454: QUIT"}, {to(cp::quit), "535/534: QUIT"}, closing},
    /* ready */ {never, never, never, never, never},
    /* mail */
    {{to(cp::rcpt, cp::recipient), "250: RCPT (one at a time: ask the host)"}, closing,
     {to(cp::rcpt, cp::rset), "refused"}, {to(cp::rcpt, cp::rset), "refused"}, closing},
    /* rcpt */
    {{to(cp::rcpt, cp::data, cp::body, cp::rset, cp::recipient), "next RCPT / DATA / BDAT / ask the host; RSET after a refused MAIL"}, closing,
     {to(cp::rcpt, cp::data, cp::body, cp::rset, cp::recipient), "next RCPT / DATA / RSET / ask the host"},
     {to(cp::rcpt, cp::data, cp::body, cp::rset, cp::recipient), "next RCPT / DATA / RSET / ask the host"}, closing},
    /* data */
    {closing, {to(cp::body, cp::final), "354: body (\".\" alone without recipients)"}, {to(cp::rset), "RSET"},
     {to(cp::rset), "RSET"}, closing},
    /* body */ {never, never, never, never, never},
    /* chunk */
    {{to(cp::body, cp::final, cp::ready), "250: next chunk / done"}, closing,
     {to(cp::rset, cp::final, cp::ready), "RSET; LAST: the final reply"},
     {to(cp::rset, cp::final, cp::ready), "RSET; LAST: the final reply"}, closing},
    /* final */
    {{to(cp::final, cp::ready), "250: done (LMTP: next recipient)"}, closing,
     {to(cp::final, cp::ready), "refused (LMTP: next recipient)"},
     {to(cp::final, cp::ready), "refused (LMTP: next recipient)"}, closing},
    /* rset */ {{to(cp::ready), "250: ready"}, closing, {to(cp::closed), "close"}, {to(cp::closed), "close"}, closing},
    /* quit */ {closing, closing, closing, closing, closing},
    /* closed */ {never, never, never, never, never},
    /* recipient */ {never, never, never, never, never},
};

/// Transitions driven by the host, for the state diagram (checked by the tests).
struct client_event_edge {
    client_phase from;
    std::uint32_t to;
    std::string_view label;
};
inline constexpr client_event_edge client_event_edges[] = {
    {cp::connect, to(cp::greeting), "client_start()"},
    {cp::tls, to(cp::ehlo), "client_tls_established(): EHLO"},
    {cp::ready, to(cp::mail, cp::ready), "client_send(): MAIL [RCPT.. DATA]"},
    {cp::ready, to(cp::recipient), "client_send(), one at a time + PIPELINING: MAIL batched"},
    {cp::recipient, to(cp::recipient, cp::mail, cp::rcpt), "client_recipient(): RCPT (batched, or the batch is full)"},
    {cp::recipient, to(cp::mail, cp::rcpt, cp::data, cp::body, cp::rset, cp::ready),
     "client_recipients_done(): [DATA] / BDAT / RSET"},
    {cp::ready, to(cp::quit), "client_quit(): QUIT"},
    {cp::body, to(cp::final), "client_body_done()"},
    {cp::body, to(cp::chunk), "client_chunk(): BDAT"},
};

// ---- output ------------------------------------------------------------------------------

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
        for (std::size_t i = 0; postmaster && i < 10; ++i)
            postmaster = (mailbox[i] | 0x20) == "postmaster"[i];
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

}  // namespace detail

// =========================================================================================
// The client
// =========================================================================================

namespace detail {

constexpr client_result make(const client_state& s, client_action a, std::uint16_t timeout = 0) noexcept {
    client_result r{};
    r.next = s;
    r.act = a;
    r.timeout = timeout;
    return r;
}

constexpr client_result fail(client_state s, smtpp::client_error e, std::uint16_t code = 0, enhanced_code esc = {}) noexcept {
    s.phase = client_phase::closed;
    client_result r = make(s, client_action::close);
    r.event = client_event::failed;
    r.error = e;
    r.code = code;
    r.esc = esc;
    return r;
}

constexpr outcome outcome_of(std::uint16_t code) noexcept {
    return code >= 200 && code < 300 ? outcome::accepted
           : code >= 400 && code < 500 ? outcome::deferred
           : code >= 500 ? outcome::refused : outcome::none;
}

inline constexpr std::string_view quit_line = "QUIT\r\n";
inline constexpr std::string_view rset_line = "RSET\r\n";
inline constexpr std::string_view data_line = "DATA\r\n";
inline constexpr std::string_view starttls_line = "STARTTLS\r\n";
inline constexpr std::string_view cancel_line = "*\r\n";
inline constexpr std::string_view lone_dot = ".\r\n";

/// QUIT and wait for 221 (after a refusal the session can still end politely).
constexpr client_result quit(client_state s, smtpp::client_error e, std::uint16_t code = 0, enhanced_code esc = {}) noexcept {
    s.phase = client_phase::quit;
    client_result r = make(s, client_action::read_reply, timeout_mail);
    r.write = quit_line;
    r.event = e == smtpp::client_error::none ? client_event::none : client_event::failed;
    r.error = e;
    r.code = code;
    r.esc = esc;
    return r;
}

constexpr client_result send_hello(const client_config& cfg, client_state s, verb v, char* out, std::size_t cap) noexcept {
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
        case client_mechanism::plain: return offered(sasl_mech::plain) ? client_mechanism::plain : client_mechanism::automatic;
        case client_mechanism::login: return offered(sasl_mech::login) ? client_mechanism::login : client_mechanism::automatic;
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
    const std::string_view name = m == client_mechanism::plain ? "AUTH PLAIN" : m == client_mechanism::login ? "AUTH LOGIN" : "AUTH XOAUTH2";
    if (!o.put(name)) return fail(s, smtpp::client_error::no_space);
    bool ir = false;
    if (m != client_mechanism::login) {
        const std::size_t raw = m == client_mechanism::plain ? cfg.user.size() + cfg.password.size() + 2
                                                             : cfg.user.size() + cfg.password.size() + 20;
        const std::size_t line = name.size() + 1 + (raw + 2) / 3 * 4 + 2;
        if (line <= 512 && o.put(" ")) {
            ir = true;
            if (m == client_mechanism::plain) {
                const std::string_view parts[] = {std::string_view("\0", 1), cfg.user, std::string_view("\0", 1), cfg.password};
                if (!put_base64(o, parts)) return fail(s, smtpp::client_error::no_space);
            } else {
                const std::string_view parts[] = {"user=", cfg.user, "\x01" "auth=Bearer ", cfg.password, "\x01\x01"};
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
constexpr smtpp::client_error put_rcpts(const client_config& cfg, const envelope& env, client_state& s, out_buf& o) noexcept {
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

/// The transaction failed: RSET (RFC 5321 §4.1.1.5) and report on its reply.
constexpr client_result fail_transaction(client_state s, smtpp::client_error e, std::uint16_t code, enhanced_code esc) noexcept {
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
constexpr client_result end_transaction(client_state s, smtpp::client_error e, std::uint16_t code, enhanced_code esc) noexcept {
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
                : code >= 400 && code < 500 ? outcome::deferred : outcome::refused;
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
        const smtpp::client_error e = s.rcpt_sent == 0 ? smtpp::client_error::no_recipient_given
                                      : s.has(cf_mail_ok) ? smtpp::client_error::no_recipients : s.fail_error;
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
        return end_transaction(s, code < 300 ? smtpp::client_error::none : smtpp::client_error::message_refused, code, rep.esc);
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

/// True when the table allows `from` → `to` on `code`. Every awaiting phase may also close:
/// a reply the command cannot have (RFC 5321 §4.2: "unexpected" codes), 421 (§3.8).
constexpr bool in_table(client_phase from, std::uint16_t code, client_phase to) noexcept {
    if (to == client_phase::closed && client_transitions[static_cast<std::size_t>(from)][0].next != 0) return true;
    return (client_transitions[static_cast<std::size_t>(from)][reply_class(code)].next & detail::to(to)) != 0;
}

}  // namespace detail

/// The state before the greeting: wait for it (RFC 5321 §3.1).
constexpr client_result client_start(const client_config& cfg) noexcept {
    (void)cfg;
    client_state s{};
    s.phase = client_phase::greeting;
    return detail::make(s, client_action::read_reply, timeout_initial);
}

/**
 * One complete reply. `out` receives the commands to write (at least 1 KiB is advised;
 * pipelined batches take what fits and continue on later replies).
 */
constexpr client_result client_step(const client_config& cfg, const envelope& env, const client_state& st,
                                    const server_reply& rep, char* out, std::size_t cap) noexcept {
    using detail::fail;
    client_state s = st;
    const std::uint16_t code = rep.code;
    const client_phase ph = s.phase;
    if (detail::client_transitions[static_cast<std::size_t>(ph)][0].next == 0)
        return fail(s, smtpp::client_error::unexpected_reply, code, rep.esc);
    if (!is_valid_reply_code(code)) return fail(s, smtpp::client_error::protocol, code, rep.esc);
    // 421 at any point: the server is closing the channel (RFC 5321 §3.8).
    if (code == 421 && ph != client_phase::quit) return fail(s, smtpp::client_error::service_closing, code, rep.esc);
    switch (ph) {
        case client_phase::greeting:
            if (code == 220) return detail::send_hello(cfg, s, cfg.lmtp ? verb::lhlo : verb::ehlo, out, cap);
            if (code >= 400 && code < 600) return detail::quit(s, smtpp::client_error::greeting_refused, code, rep.esc);
            return fail(s, smtpp::client_error::greeting_refused, code, rep.esc);
        case client_phase::ehlo:
            if (code == 250) {
                s.flags = static_cast<std::uint16_t>(s.flags | cf_esmtp);
                s.extensions = rep.extensions;
                s.auth_mechanisms = rep.auth_mechanisms;
                s.size = rep.extensions & static_cast<std::uint32_t>(ehlo_ext::size) ? rep.size : 0;
                return detail::after_hello(cfg, s, out, cap);
            }
            // RFC 5321 §3.2: a server that does not know EHLO answers 500/502 (§4.1.4);
            // then HELO. LMTP has no HELO (RFC 2033 §4.1); after TLS EHLO must work.
            if ((code == 500 || code == 502) && !cfg.lmtp && !s.has(cf_tls))
                return detail::send_hello(cfg, s, verb::helo, out, cap);
            if (code >= 400 && code < 600) return detail::quit(s, smtpp::client_error::ehlo_refused, code, rep.esc);
            return fail(s, smtpp::client_error::protocol, code, rep.esc);
        case client_phase::helo:
            if (code == 250) {
                s.flags = static_cast<std::uint16_t>(s.flags & ~cf_esmtp);
                s.extensions = 0;
                s.auth_mechanisms = 0;
                s.size = 0;
                return detail::after_hello(cfg, s, out, cap);
            }
            if (code >= 400 && code < 600) return detail::quit(s, smtpp::client_error::ehlo_refused, code, rep.esc);
            return fail(s, smtpp::client_error::protocol, code, rep.esc);
        case client_phase::starttls:
            if (code == 220) {
                // RFC 3207 §4.2: nothing may follow the 220 before the handshake; anything
                // buffered would be read as if it came over TLS (CVE-2021-38371 class).
                if (rep.trailing) return fail(s, smtpp::client_error::response_injection, code, rep.esc);
                s.phase = client_phase::tls;
                return detail::make(s, client_action::start_tls);
            }
            if (code >= 400 && code < 600) {
                if (cfg.tls == tls_mode::required) return detail::quit(s, smtpp::client_error::tls_refused, code, rep.esc);
                s.flags = static_cast<std::uint16_t>(s.flags | cf_tls_tried);
                return detail::after_hello(cfg, s, out, cap);
            }
            return fail(s, smtpp::client_error::protocol, code, rep.esc);
        case client_phase::auth: {
            if (code == 235) {
                s.flags = static_cast<std::uint16_t>(s.flags | cf_authed);
                s.phase = client_phase::ready;
                client_result r = detail::make(s, client_action::ready);
                r.event = client_event::session;
                return r;
            }
            if (code == 334) {
                // The steps each mechanism has: PLAIN 1 (without initial response),
                // LOGIN 2 (user, password), XOAUTH2: a 334 after the response carries the
                // error; answer with an empty line (the server then sends 535).
                const std::uint8_t step = s.auth_step;
                s.auth_step = static_cast<std::uint8_t>(step < 255 ? step + 1 : 255);
                const bool ir = s.has(cf_auth_ir);
                detail::out_buf o{out, cap};
                bool ok = true;
                if (s.mech == client_mechanism::plain && !ir && step == 0) {
                    const std::string_view parts[] = {std::string_view("\0", 1), cfg.user, std::string_view("\0", 1), cfg.password};
                    ok = detail::put_base64(o, parts);
                } else if (s.mech == client_mechanism::login && step < 2) {
                    const std::string_view parts[] = {step == 0 ? cfg.user : cfg.password};
                    ok = detail::put_base64(o, parts);
                } else if (s.mech == client_mechanism::xoauth2 && !ir && step == 0) {
                    const std::string_view parts[] = {"user=", cfg.user, "\x01" "auth=Bearer ", cfg.password, "\x01\x01"};
                    ok = detail::put_base64(o, parts);
                } else if (s.mech == client_mechanism::xoauth2 && step == (ir ? 0 : 1)) {
                    ok = true;  // the error challenge: an empty response
                } else {
                    // RFC 4954 §4: "*" cancels; the server answers 501 and we stop.
                    s.phase = client_phase::quit;
                    client_result r = detail::make(s, client_action::read_reply, timeout_mail);
                    r.write = detail::cancel_line;
                    r.event = client_event::failed;
                    r.error = smtpp::client_error::auth_loop;
                    r.code = code;
                    return r;
                }
                if (!ok || !o.put("\r\n")) return fail(s, smtpp::client_error::no_space);
                client_result r = detail::make(s, client_action::read_reply, timeout_mail);
                r.write = o.view();
                return r;
            }
            if (code >= 400 && code < 600) return detail::quit(s, smtpp::client_error::auth_failed, code, rep.esc);
            return fail(s, smtpp::client_error::protocol, code, rep.esc);
        }
        case client_phase::mail: {
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
                if (s.rcpt_sent > 0) return detail::make(s, client_action::read_reply, timeout_rcpt);
                return detail::after_rcpts(cfg, env, s, out, cap);
            }
            if (s.has(cf_failed)) return detail::fail_transaction(s, smtpp::client_error::mail_refused, code, rep.esc);
            return detail::after_rcpts(cfg, env, s, out, cap);
        }
        case client_phase::rcpt: {
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
                r = detail::make(s, client_action::read_reply, timeout_rcpt);
            } else {
                r = detail::after_rcpts(cfg, env, s, out, cap);
            }
            if (r.event == client_event::none) {
                r.event = client_event::recipient;
                r.index = i;
                r.code = rc;
                r.esc = re;
                r.outcome = detail::outcome_of(rc);
            }
            return r;
        }
        case client_phase::data:
            if (code == 354) {
                // RFC 2033 §4.2: an LMTP server "MUST" refuse DATA without a successful
                // RCPT; after "." it would owe zero replies, and the client would wait forever.
                if (s.accepted == 0 && cfg.lmtp) return fail(s, smtpp::client_error::protocol, code, rep.esc);
                if (s.accepted == 0) {
                    // RFC 2920 §3.1: DATA was pipelined and every RCPT failed, yet 354:
                    // end the empty message at once and expect its refusal.
                    s.flags = static_cast<std::uint16_t>(s.flags | cf_void_data);
                    s.phase = client_phase::final;
                    client_result r = detail::make(s, client_action::read_reply, timeout_data_end);
                    r.write = detail::lone_dot;
                    return r;
                }
                s.phase = client_phase::body;
                return detail::make(s, client_action::send_body, timeout_data_block);
            }
            if (code >= 400 && code < 600) {
                const smtpp::client_error e = s.accepted == 0 ? (s.has(cf_mail_ok) ? smtpp::client_error::no_recipients : s.fail_error)
                                                       : smtpp::client_error::data_refused;
                return detail::fail_transaction(s, e, s.accepted == 0 && s.fail_code != 0 ? s.fail_code : code,
                                                s.accepted == 0 && s.fail_code != 0 ? s.fail_esc : rep.esc);
            }
            return fail(s, smtpp::client_error::protocol, code, rep.esc);
        case client_phase::chunk:
            if (code >= 300 && code < 400) return fail(s, smtpp::client_error::protocol, code, rep.esc);
            if (s.has(cf_void_data)) {  // the reply to BDAT LAST is the final reply
                s.flags = static_cast<std::uint16_t>(s.flags & ~cf_void_data);
                s.phase = client_phase::final;
                return detail::final_reply(cfg, s, rep);
            }
            if (code < 300) {  // the next chunk
                s.phase = client_phase::body;
                client_result r = detail::make(s, client_action::send_body, timeout_data_block);
                r.bdat = true;
                return r;
            }
            return detail::fail_transaction(s, smtpp::client_error::data_refused, code, rep.esc);
        case client_phase::final:
            if (code >= 300 && code < 400) return fail(s, smtpp::client_error::protocol, code, rep.esc);
            if (s.has(cf_void_data)) return detail::end_transaction(s, smtpp::client_error::no_recipients, code, rep.esc);
            return detail::final_reply(cfg, s, rep);
        case client_phase::rset:
            if (code == 250) {
                const smtpp::client_error e = s.fail_error == smtpp::client_error::none ? smtpp::client_error::message_refused : s.fail_error;
                return detail::end_transaction(s, e, s.fail_code, s.fail_esc);
            }
            return fail(s, smtpp::client_error::protocol, code, rep.esc);
        case client_phase::quit: {
            s.phase = client_phase::closed;
            return detail::make(s, client_action::close);
        }
        default: break;
    }
    return fail(s, smtpp::client_error::unexpected_reply, code, rep.esc);
}

/// TLS is up (RFC 3207 §4.2): forget what EHLO said and say EHLO again.
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

/**
 * Starts a message: checks it against what the server offered (refusing it with an error,
 * without writing anything, when it needs an extension the server lacks or exceeds SIZE),
 * then writes MAIL — and, with PIPELINING, the RCPTs and DATA in the same batch.
 */
constexpr client_result client_send(const client_config& cfg, const envelope& env, const client_state& st, char* out,
                                    std::size_t cap) noexcept {
    client_state s = st;
    if (s.phase != client_phase::ready) return detail::fail(s, smtpp::client_error::invalid_call);
    const auto refuse = [&](smtpp::client_error e) {
        client_result r = detail::make(s, client_action::ready);
        r.event = client_event::message;
        r.error = e;
        r.outcome = outcome::refused;
        return r;
    };
    if (!env.one_at_a_time && (env.to_count == 0 || env.to_count > 0xFFFF || env.to == nullptr))
        return refuse(smtpp::client_error::no_recipient_given);
    bool utf8 = env.smtputf8 || detail::has_8bit_octet(env.from);
    for (std::size_t i = 0; !env.one_at_a_time && i < env.to_count && !utf8; ++i) utf8 = detail::has_8bit_octet(env.to[i]);
    if (utf8 && !s.offers(ehlo_ext::smtputf8)) return refuse(smtpp::client_error::needs_smtputf8);
    if (env.body == body_type::eight_bit_mime && !s.offers(ehlo_ext::eightbitmime)) return refuse(smtpp::client_error::needs_8bitmime);
    const bool chunking = s.offers(ehlo_ext::chunking);
    if (env.body == body_type::binary_mime && !(chunking && s.offers(ehlo_ext::binarymime)))
        return refuse(smtpp::client_error::needs_binarymime);
    // RFC 1870 §6: do not send a message the server said it cannot take.
    if (s.offers(ehlo_ext::size) && s.size != 0 && env.size > s.size) return refuse(smtpp::client_error::too_big);

    s.flags = static_cast<std::uint16_t>(s.flags & (cf_esmtp | cf_tls | cf_authed | cf_tls_tried));
    if (cfg.use_pipelining && s.offers(ehlo_ext::pipelining)) s.flags = static_cast<std::uint16_t>(s.flags | cf_pipelined);
    if ((cfg.use_chunking && chunking) || env.body == body_type::binary_mime)
        s.flags = static_cast<std::uint16_t>(s.flags | cf_bdat);
    s.rcpt_sent = 0;
    s.rcpt_replied = 0;
    s.accepted = 0;
    s.delivered = 0;
    s.fail_code = 0;
    s.fail_esc = {};
    s.fail_error = smtpp::client_error::none;

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
    bool dropped = false;
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
    if (utf8) s.flags = static_cast<std::uint16_t>(s.flags | cf_utf8);
    s.pending = 0;
    // Every recipient is checked before anything is written: a bad one refuses the
    // message, never half a transaction (the RCPTs are formatted again when sent).
    for (std::size_t i = 0; !env.one_at_a_time && i < env.to_count; ++i) {
        command rc{};
        rc.verb = verb::rcpt;
        rc.path = detail::make_path(env.to[i], false);
        const command_format_result fr = format_command(rc, out, cap, detail::format_limits(s, utf8));
        if (fr.err == command_format_error::no_space) return detail::fail(s, smtpp::client_error::no_space);
        if (fr.err != command_format_error::none) return refuse(smtpp::client_error::bad_address);
    }
    detail::out_buf o{out, cap};
    const command_format_result f = format_command(c, out, cap, detail::format_limits(s, utf8));
    if (f.err == command_format_error::no_space) return detail::fail(s, smtpp::client_error::no_space);
    if (f.err != command_format_error::none) return refuse(smtpp::client_error::bad_address);
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
        if (e == smtpp::client_error::bad_address) return refuse(e);
        if (e != smtpp::client_error::none) return detail::fail(s, e);
    }
    s.phase = client_phase::mail;
    client_result r = detail::make(s, client_action::read_reply, timeout_mail);
    r.write = o.view();
    r.dsn_dropped = dropped;
    return r;
}

namespace detail {
/// One at a time, PIPELINING: the batch in `out[0, pending)` is written now; the replies to
/// read are MAIL's (when it is in the batch) and the RCPTs'.
constexpr client_result flush_batch(client_state s, char* out) noexcept {
    const std::size_t n = s.pending;
    s.pending = 0;
    const bool mail_unanswered = !s.has(cf_mail_ok) && !s.has(cf_failed);
    s.phase = mail_unanswered ? client_phase::mail : s.rcpt_replied < s.rcpt_sent ? client_phase::rcpt : client_phase::data;
    client_result r = make(s, client_action::read_reply,
                           s.phase == client_phase::data ? timeout_data_init : mail_unanswered ? timeout_mail : timeout_rcpt);
    r.write = std::string_view(out, n);
    return r;
}
}  // namespace detail

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
                                         std::string_view to, std::string_view orcpt, char* out, std::size_t cap) noexcept {
    (void)cfg;
    client_state s = st;
    if (s.phase != client_phase::recipient || !env.one_at_a_time) return detail::fail(s, smtpp::client_error::invalid_call);
    const auto refuse_local = [&](smtpp::client_error e) {
        client_result r = detail::make(s, client_action::next_recipient);
        r.event = client_event::recipient;
        r.index = s.rcpt_sent;
        r.outcome = outcome::refused;
        r.error = e;
        r.taken = true;
        return r;
    };
    if (s.rcpt_sent == 0xFFFF) return refuse_local(smtpp::client_error::no_recipient_given);
    // RFC 6531 §3.4: a UTF-8 address needs SMTPUTF8 on MAIL, which is already written.
    if (!s.has(cf_utf8) && detail::has_8bit_octet(to)) return refuse_local(smtpp::client_error::needs_smtputf8);
    if (cap < s.pending) return detail::fail(s, smtpp::client_error::no_space);
    detail::out_buf o{out, cap, s.pending};
    const smtpp::client_error e = detail::put_rcpt(env, s, to, orcpt, o);
    if (e == smtpp::client_error::bad_address) return refuse_local(e);
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

/**
 * One at a time, on `next_recipient`: there are no more recipients. With PIPELINING the
 * batch is written, DATA at its end (when it fits; BDAT waits for the replies). When no
 * recipient was given at all, the message is refused (`no_recipient_given`) — without
 * writing anything if MAIL is still in the batch, else after RSET.
 */
constexpr client_result client_recipients_done(const client_config& cfg, const envelope& env, const client_state& st,
                                               char* out, std::size_t cap) noexcept {
    client_state s = st;
    if (s.phase != client_phase::recipient || !env.one_at_a_time) return detail::fail(s, smtpp::client_error::invalid_call);
    s.flags = static_cast<std::uint16_t>(s.flags | cf_rcpt_done);
    if (s.pending == 0) return detail::after_rcpts(cfg, env, s, out, cap);
    if (s.rcpt_sent == 0) {  // only MAIL in the batch: nothing was written, nothing to undo
        s.pending = 0;
        s.phase = client_phase::ready;
        s.flags = static_cast<std::uint16_t>(s.flags & (cf_esmtp | cf_tls | cf_authed | cf_tls_tried));
        client_result r = detail::make(s, client_action::ready);
        r.event = client_event::message;
        r.error = smtpp::client_error::no_recipient_given;
        r.outcome = outcome::refused;
        return r;
    }
    if (cap < s.pending) return detail::fail(s, smtpp::client_error::no_space);
    detail::out_buf o{out, cap, s.pending};
    if (!s.has(cf_bdat) && o.put(detail::data_line)) {
        s.flags = static_cast<std::uint16_t>(s.flags | cf_data_sent);
        s.pending = static_cast<std::uint32_t>(o.n);
    }
    return detail::flush_batch(s, out);
}

/// The DATA body and its terminator are written (send_body without `bdat`).
constexpr client_result client_body_done(const client_config& cfg, const client_state& st) noexcept {
    (void)cfg;
    client_state s = st;
    if (s.phase != client_phase::body || s.has(cf_bdat)) return detail::fail(s, smtpp::client_error::invalid_call);
    s.phase = client_phase::final;
    return detail::make(s, client_action::read_reply, timeout_data_end);
}

/**
 * BDAT (RFC 3030 §2): writes "BDAT size [LAST]"; the host writes exactly `size` octets of
 * the body right after it, then reads the reply. A message ends with a LAST chunk (which
 * may be empty).
 */
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

/// QUIT (RFC 5321 §4.1.1.10) when ready; the host closes after the reply.
constexpr client_result client_quit(const client_config& cfg, const client_state& st) noexcept {
    (void)cfg;
    client_state s = st;
    if (s.phase != client_phase::ready) return detail::fail(s, smtpp::client_error::invalid_call);
    return detail::quit(s, smtpp::client_error::none);
}

}  // namespace smtpp

#endif
