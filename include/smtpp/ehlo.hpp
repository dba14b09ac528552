/**
 * @file ehlo.hpp
 * @brief The EHLO / LHLO capability parser (RFC 5321 §4.1.1.1, RFC 2033 §4.1): turns the
 *        250 reply into a fixed structure, without allocating.
 *
 * Input model. `parse_ehlo` takes the bytes of the whole reply in one contiguous view
 * (EHLO replies are a few hundred octets; a host that reads incrementally keeps them in its
 * receive buffer and calls again with more when it gets `need_more`, starting from the same
 * first byte). Re-parsing from the start is cheaper than keeping state across calls, the
 * result is split-invariant by construction, and every view in the result points into the
 * caller's bytes. Those bytes must stay alive and unchanged as long as the
 * `ehlo_capabilities` is used.
 *
 * The reply is checked exactly as `reply_reader` checks it (same scanner, same options):
 * codes, line endings, line length, characters. Within a well-formed 250 reply, a line that
 * is not an `ehlo-line` is counted in `malformed_lines` and otherwise ignored: capabilities
 * are advice, and Postfix and Exim skip what they do not understand.
 *
 * @code
 * smtpp::ehlo_capabilities caps;
 * const smtpp::ehlo_result r = smtpp::parse_ehlo(received, caps);  // all bytes so far
 * if (r.st == smtpp::status::need_more) return read_more();          // then call again
 * if (r.st == smtpp::status::failed) return close(smtpp::reply_for(r.error));
 * if (caps.ok() && caps.has(smtpp::ehlo_ext::starttls)) start_tls();
 * if (caps.size_known && caps.size != 0 && message_size > caps.size) give_up();
 * @endcode
 *
 * The machinery (keyword and mechanism tables, parameter parsers, the line walk) is in
 * detail/ehlo_*.hpp and detail/ehlo-inl.hpp.
 */
#ifndef SMTPP_EHLO_HPP
#define SMTPP_EHLO_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core.hpp"
#include "detail/ascii.hpp"
#include "extensions.hpp"
#include "reply.hpp"

namespace smtpp {

// `ehlo_ext` (the bits of `ehlo_capabilities::extensions`): extensions.hpp, one per row of
// `SMTPP_SERVICE_EXTENSIONS` and `SMTPP_EHLO_ONLY_KEYWORDS`.

/// SASL mechanisms (RFC 4422 registry) recognised in AUTH, as bits of `auth_mechanisms`.
/// Their names (`to_string`) and the parser's table come from one list, in bit order
/// (`detail::sasl_mech_names`).
enum class sasl_mech : std::uint32_t {
    plain = 1u << 0,
    login = 1u << 1,
    cram_md5 = 1u << 2,
    digest_md5 = 1u << 3,
    xoauth2 = 1u << 4,
    oauthbearer = 1u << 5,
    scram_sha_1 = 1u << 6,
    scram_sha_1_plus = 1u << 7,
    scram_sha_256 = 1u << 8,
    scram_sha_256_plus = 1u << 9,
    gssapi = 1u << 10,
    ntlm = 1u << 11,
    external = 1u << 12,
    anonymous = 1u << 13,
};

/// A keyword the parser does not know, with its parameters (views into the reply).
struct ehlo_keyword {
    std::string_view keyword{};  ///< as sent (keywords compare case-insensitively)
    std::string_view params{};   ///< everything after the keyword's SP or "=", may be empty
};

/// What an EHLO/LHLO reply advertises. Trivially copyable; views point into the reply bytes.
struct ehlo_capabilities {
    /// How many unknown keywords `unknown` keeps; more are only counted (`unknown_overflow`).
    static constexpr std::size_t max_unknown = 16;

    std::uint16_t code = 0;                           ///< the reply code; the rest is filled only for 250
    std::string_view domain{};                        ///< first word of the first line (may be empty)
    std::string_view greet{};                         ///< the rest of the first line (`ehlo-greet`)
    std::uint32_t extensions = 0;                     ///< `ehlo_ext` bits
    std::uint32_t auth_mechanisms = 0;                ///< `sasl_mech` bits, merged over every AUTH line
    std::uint16_t auth_unknown = 0;                   ///< mechanisms listed that are not in `sasl_mech`
    std::string_view auth_params{};                   ///< the mechanism list of the last AUTH line, raw
    bool size_known = false;                          ///< SIZE carried a valid number
    std::uint64_t size = 0;                           ///< SIZE limit; 0 = no fixed maximum (RFC 1870 §4)
    bool deliverby_known = false;                     ///< DELIVERBY carried a min-by-time
    std::uint64_t deliverby_min = 0;                  ///< RFC 2852 §4: minimum by-time in seconds
    std::uint64_t futurerelease_interval = 0;         ///< RFC 4865 §3: max-future-release-interval
    std::string_view futurerelease_datetime{};        ///< RFC 4865 §3: max-future-release-date-time
    std::string_view mt_priority_policy{};            ///< RFC 6710 §3: priority-profile, may be empty
    std::uint32_t limit_rcptmax = 0;                  ///< RFC 9422 RCPTMAX; 0 = not advertised
    std::uint32_t limit_mailmax = 0;                  ///< RFC 9422 MAILMAX
    std::uint32_t limit_rcptdomainmax = 0;            ///< RFC 9422 RCPTDOMAINMAX
    std::array<ehlo_keyword, max_unknown> unknown{};  ///< unknown keywords, in order
    std::uint16_t unknown_count = 0;                  ///< how many of `unknown` are filled
    std::uint16_t unknown_overflow = 0;               ///< unknown keywords that did not fit
    std::uint16_t malformed_lines = 0;                ///< lines after the first that are not an `ehlo-line`
    std::uint32_t lines = 0;                          ///< lines in the reply

    /// True for a 250 reply: the server takes EHLO / LHLO and the fields are filled.
    [[nodiscard]] constexpr bool ok() const noexcept { return code == 250; }
    /// True when the reply advertises the service extension `e`.
    [[nodiscard]] constexpr bool has(ehlo_ext e) const noexcept {
        return (extensions & static_cast<std::uint32_t>(e)) != 0;
    }
    /// True when an AUTH line lists the mechanism `m`.
    [[nodiscard]] constexpr bool has(sasl_mech m) const noexcept {
        return (auth_mechanisms & static_cast<std::uint32_t>(m)) != 0;
    }
};

/// The outcome of `parse_ehlo`.
struct ehlo_result {
    status st = status::need_more;          ///< complete, need_more (call again with more) or failed
    reply_error error = reply_error::none;  ///< when `st == failed`
    std::size_t consumed = 0;               ///< octets of the reply, when `st == complete`
};

/// The registered name of a mechanism (RFC 4422 registry, upper case: "SCRAM-SHA-256"), or
/// "unknown" for a value that is not exactly one `sasl_mech`.
constexpr std::string_view to_string(sasl_mech m) noexcept;

/**
 * Parses the reply to EHLO or LHLO at the start of `bytes`.
 *
 * RFC 5321 §4.1.1.1:
 * ```
 * ehlo-ok-rsp = ( "250" SP Domain [ SP ehlo-greet ] CRLF )
 *             / ( "250-" Domain [ SP ehlo-greet ] CRLF
 *                 *( "250-" ehlo-line CRLF )
 *                 "250" SP ehlo-line CRLF )
 * ```
 * The first line may carry control characters (`ehlo-greet`) when its code is 250; NUL is
 * refused. A reply with another code (502 from an old server, 421, 554) is complete and
 * well-formed: `caps.code` says which, and nothing else is filled.
 *
 * @param bytes from the first octet of the reply; may hold more after it
 * @param caps  reset and filled; its views point into `bytes`
 * @param opt   the same limits and leniencies as the reply reader
 * @return `complete` with `consumed` = octets of the reply; `need_more` when the reply has
 *         not ended within `bytes` (call again with more, from the same start); `failed`
 *         with the reply error.
 */
constexpr ehlo_result parse_ehlo(std::string_view bytes, ehlo_capabilities& caps,
                                 const reply_options& opt = reply_options{}) noexcept;

}  // namespace smtpp

// The machinery, in the order each part needs the previous ones.
#include "detail/ehlo_words.hpp"
#include "detail/ehlo_auth.hpp"
#include "detail/ehlo_keywords.hpp"
#include "detail/ehlo_params.hpp"
#include "detail/ehlo-inl.hpp"

#endif
