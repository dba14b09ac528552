/**
 * @file detail/client_table.hpp
 * @brief The client's transition table: (phase × reply class) → next phases, and the
 *        transitions the host drives. Data, not code: tools/gen_client_diagram.cpp draws
 *        docs/client-state-machine.dot from it, and the tests check that every step the
 *        client takes is one of its edges.
 * @private Included by client.hpp only.
 */
#ifndef SMTPP_DETAIL_CLIENT_TABLE_HPP
#define SMTPP_DETAIL_CLIENT_TABLE_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace smtpp {
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
constexpr std::uint32_t to(client_phase p, P... more) noexcept {
    return to(p) | to(more...);
}

using cp = client_phase;
inline constexpr client_edge closing{to(cp::closed), "close"};
inline constexpr client_edge never{0, {}};

/**
 * The table. Rows: phases; columns: 2xx, 3xx, 4xx, 5xx, 421. RFC 5321 §4.3.2 (command-reply
 * sequences), §3.2 (HELO fallback), RFC 3207, RFC 4954, RFC 2920, RFC 3030, RFC 2033.
 * Any reply in a phase whose row is `never` is `unexpected_reply` (the client closes).
 */
inline constexpr client_edge client_transitions[][reply_class_count] = {
    /* connect */ {never, never, never, never, never},
    /* greeting */
    {{to(cp::ehlo), "220: EHLO/LHLO"}, closing, {to(cp::quit), "4xx: QUIT"}, {to(cp::quit), "554: QUIT"}, closing},
    /* ehlo */
    {{to(cp::starttls, cp::auth, cp::ready, cp::quit), "250: STARTTLS / AUTH / ready"},
     closing,
     {to(cp::quit), "4xx: QUIT"},
     {to(cp::helo, cp::quit), "500/502: HELO; else QUIT"},
     closing},
    /* helo */
    {{to(cp::ready, cp::quit, cp::auth), "250: ready"},
     closing,
     {to(cp::quit), "QUIT"},
     {to(cp::quit), "QUIT"},
     closing},
    /* starttls */
    {{to(cp::tls, cp::closed), "220: handshake (refused if data follows)"},
     closing,
     {to(cp::auth, cp::ready, cp::quit), "refused: go on in clear or QUIT"},
     {to(cp::auth, cp::ready, cp::quit), "refused: go on in clear or QUIT"},
     closing},
    /* tls */ {never, never, never, never, never},
    /* auth */
    {{to(cp::ready), "235"},
     {to(cp::auth, cp::quit), "334: next response, or \"*\" (cancel)"},
     {to(cp::quit), "454: QUIT"},
     {to(cp::quit), "535/534: QUIT"},
     closing},
    /* ready */ {never, never, never, never, never},
    /* mail */
    {{to(cp::rcpt, cp::recipient), "250: RCPT (one at a time: ask the host)"},
     closing,
     {to(cp::rcpt, cp::rset), "refused"},
     {to(cp::rcpt, cp::rset), "refused"},
     closing},
    /* rcpt */
    {{to(cp::rcpt, cp::data, cp::body, cp::rset, cp::recipient),
      "next RCPT / DATA / BDAT / ask the host; RSET after a refused MAIL"},
     closing,
     {to(cp::rcpt, cp::data, cp::body, cp::rset, cp::recipient), "next RCPT / DATA / RSET / ask the host"},
     {to(cp::rcpt, cp::data, cp::body, cp::rset, cp::recipient), "next RCPT / DATA / RSET / ask the host"},
     closing},
    /* data */
    {closing,
     {to(cp::body, cp::final), "354: body (\".\" alone without recipients)"},
     {to(cp::rset), "RSET"},
     {to(cp::rset), "RSET"},
     closing},
    /* body */ {never, never, never, never, never},
    /* chunk */
    {{to(cp::body, cp::final, cp::ready), "250: next chunk / done"},
     closing,
     {to(cp::rset, cp::final, cp::ready), "RSET; LAST: the final reply"},
     {to(cp::rset, cp::final, cp::ready), "RSET; LAST: the final reply"},
     closing},
    /* final */
    {{to(cp::final, cp::ready), "250: done (LMTP: next recipient)"},
     closing,
     {to(cp::final, cp::ready), "refused (LMTP: next recipient)"},
     {to(cp::final, cp::ready), "refused (LMTP: next recipient)"},
     closing},
    /* rset */ {{to(cp::ready), "250: ready"}, closing, {to(cp::closed), "close"}, {to(cp::closed), "close"}, closing},
    /* quit */ {closing, closing, closing, closing, closing},
    /* closed */ {never, never, never, never, never},
    /* recipient */ {never, never, never, never, never},
};
static_assert(sizeof client_transitions / sizeof client_transitions[0] == client_phase_count,
              "client_transitions: one row per row of SMTPP_CLIENT_PHASES");

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

/// True when the table allows `from` → `to` on `code`. Every awaiting phase may also close:
/// a reply the command cannot have (RFC 5321 §4.2: "unexpected" codes), 421 (§3.8).
constexpr bool in_table(client_phase from, std::uint16_t code, client_phase to) noexcept {
    const client_edge(&row)[reply_class_count] = client_transitions[static_cast<std::size_t>(from)];
    const std::uint32_t closes = row[0].next != 0 ? detail::to(client_phase::closed) : 0;
    return ((row[reply_class(code)].next | closes) & detail::to(to)) != 0;
}

}  // namespace detail
}  // namespace smtpp

#endif
