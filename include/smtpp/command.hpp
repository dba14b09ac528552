/**
 * @file command.hpp
 * @brief The SMTP / ESMTP / LMTP command parser and the command formatter.
 *
 * `parse_command()` turns one complete command line (its CRLF included) into a `command`
 * value. Every string in the result is a view into that line: **the caller must keep the
 * line's bytes alive and unchanged for as long as it uses the command.** Nothing here
 * allocates, throws or performs I/O, and every function is `constexpr`.
 *
 * Grammar: RFC 5321 §4.1 (commands, paths, address literals), RFC 1870 (SIZE), RFC 6152
 * (BODY), RFC 6531 (SMTPUTF8), RFC 3461 and RFC 6533 (DSN: RET, ENVID, NOTIFY, ORCPT),
 * RFC 4954 (AUTH), RFC 3030 (BDAT, BINARYMIME), RFC 8689 (REQUIRETLS), RFC 6710
 * (MT-PRIORITY), RFC 4865 (HOLDFOR, HOLDUNTIL), RFC 2852 (BY), RFC 7293 (RRVS),
 * RFC 3885 (MTRK), RFC 3865 (SOLICIT), RFC 1985 (ETRN), RFC 2033 (LHLO).
 *
 * Layout: this file declares what a user calls (verbs, errors, the parsed values, options,
 * functions); the MAIL / RCPT parameters are registered in extensions.hpp
 * (`SMTPP_ESMTP_PARAMS`); the machinery lives in detail/command_path.hpp (paths, domains,
 * address literals), detail/command_values.hpp (shared value grammars),
 * detail/command_params.hpp (one value parser and formatter per parameter),
 * detail/command_parse.hpp (the verb and each verb's arguments), detail/command_format.hpp
 * and detail/command-inl.hpp (the definitions of the functions declared here).
 *
 * @code
 *   smtpp::command c;
 *   auto err = smtpp::parse_command("MAIL FROM:<a@b.example> SIZE=10\r\n", c);
 *   // err == command_error::none, c.verb == verb::mail, c.path.domain == "b.example",
 *   // c.params.size == 10
 * @endcode
 */
#ifndef SMTPP_COMMAND_HPP
#define SMTPP_COMMAND_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "core.hpp"
#include "detail/ascii.hpp"
#include "extensions.hpp"

// =========================================================================================
// Verbs
// =========================================================================================

/**
 * The command verbs, one row each: `X(enumerator, canonical name, value)`, with the
 * reference defining the verb. The verb, its name and the parser's dispatch come from it.
 */
#define SMTPP_VERBS(X)                                                                        \
    X(unknown, "", 0)           /* anything else; `command::verb_text` holds what was sent */ \
    X(helo, "HELO", 1)          /* RFC 5321 §4.1.1.1 */                                      \
    X(ehlo, "EHLO", 2)          /* RFC 5321 §4.1.1.1 */                                      \
    X(lhlo, "LHLO", 3)          /* RFC 2033 §4.1 */                                          \
    X(mail, "MAIL", 4)          /* RFC 5321 §4.1.1.2 */                                      \
    X(rcpt, "RCPT", 5)          /* RFC 5321 §4.1.1.3 */                                      \
    X(data, "DATA", 6)          /* RFC 5321 §4.1.1.4 */                                      \
    X(bdat, "BDAT", 7)          /* RFC 3030 §2 */                                            \
    X(rset, "RSET", 8)          /* RFC 5321 §4.1.1.5 */                                      \
    X(vrfy, "VRFY", 9)          /* RFC 5321 §4.1.1.6 */                                      \
    X(expn, "EXPN", 10)         /* RFC 5321 §4.1.1.7 */                                      \
    X(help, "HELP", 11)         /* RFC 5321 §4.1.1.8 */                                      \
    X(noop, "NOOP", 12)         /* RFC 5321 §4.1.1.9 */                                      \
    X(quit, "QUIT", 13)         /* RFC 5321 §4.1.1.10 */                                     \
    X(starttls, "STARTTLS", 14) /* RFC 3207 §4 */                                            \
    X(auth, "AUTH", 15)         /* RFC 4954 §4 */                                            \
    X(etrn, "ETRN", 16)         /* RFC 1985 §3 */                                            \
    /* a new row goes above this line */

namespace smtpp {

/// The command verbs smtpp knows, one per row of `SMTPP_VERBS` (`verb::helo`, `verb::mail`,
/// ...; `verb::unknown` is anything else, `command::verb_text` holds what was sent). Verbs
/// are case-insensitive (RFC 5321 §2.4).
enum class verb : std::uint8_t {
/// One `verb` enumerator per row (used inside the enum only).
#define SMTPP_X_VERB(e, name, value) e = value,
    SMTPP_VERBS(SMTPP_X_VERB)
#undef SMTPP_X_VERB
};

namespace detail {
/// Expands one row of the table (used right here only).
#define SMTPP_X_VERB_NAME(e, name, value) name,
/// Tables at namespace scope: GCC copies a table local to a function onto the stack at
/// every call (`rep movsq`).
inline constexpr std::string_view verb_names[] = {SMTPP_VERBS(SMTPP_X_VERB_NAME)
#undef SMTPP_X_VERB_NAME
};
/// Expands one row of the table (used right here only).
#define SMTPP_X_VERB_ORDER(e, name, value) \
    if (static_cast<std::size_t>(verb::e) != i++) return false;
/// The rows are in value order, so that a verb's name is its row.
constexpr bool verbs_in_order() noexcept {
    std::size_t i = 0;
    SMTPP_VERBS(SMTPP_X_VERB_ORDER)
#undef SMTPP_X_VERB_ORDER
    return true;
}
static_assert(verbs_in_order(), "SMTPP_VERBS: rows must be in value order, from 0");
}  // namespace detail

/// How many verbs there are (`verb::unknown` included).
inline constexpr std::size_t verb_count = sizeof(detail::verb_names) / sizeof(detail::verb_names[0]);

/// The canonical (upper-case) name of a verb; "" for `verb::unknown`.
constexpr std::string_view to_string(verb v) noexcept {
    const auto& names = detail::verb_names;
    const auto i = static_cast<std::size_t>(v);
    return i < verb_count ? names[i] : std::string_view{};
}

// =========================================================================================
// Errors
// =========================================================================================

/**
 * Why a command line is refused, one row each: `X(enumerator, value, reply code, enhanced
 * code class, subject, detail, reply text)` with the cause and its reference. Values are
 * explicit and append-only. The enum, `to_string()` and `reply_for()` come from it (RFC
 * 5321 §4.2, RFC 3463 enhanced codes); docs/errors.md is generated from them.
 */
#define SMTPP_COMMAND_ERRORS(X)                                                                                       \
    X(none, 0, 250, 2, 0, 0, "OK")                                                                                    \
    X(line_too_long, 1, 500, 5, 5, 2, "Line too long")          /**< over `max_line` (RFC 5321 §4.5.3.1.4) */        \
    X(missing_crlf, 2, 500, 5, 5, 2, "Line must end with CRLF") /**< the line does not end in CRLF (§2.3.8) */       \
    X(bare_lf, 3, 500, 5, 5, 2,                                                                                       \
      "Bare LF received; lines must end with CRLF") /**< LF without CR (§2.3.8; SMTP smuggling) */                   \
    X(bare_cr, 4, 500, 5, 5, 2, "Bare CR received; lines must end with CRLF") /**< CR without LF (§2.3.8) */         \
    X(nul, 5, 501, 5, 5, 2, "NUL characters are not allowed in commands")     /**< NUL byte */                        \
    X(invalid_character, 6, 501, 5, 5, 2,                                                                             \
      "Invalid character in command")               /**< control or 8-bit byte where none may stand (§4.1.2) */      \
    X(empty_line, 7, 500, 5, 5, 2, "Empty command") /**< nothing before the CRLF */                                   \
    X(unknown_verb, 8, 500, 5, 5, 1, "Command not recognized") /**< not a command smtpp knows (§4.2.4) */            \
    X(syntax, 9, 501, 5, 5, 2, "Syntax error")                 /**< the command's own syntax (e.g. "MAIL TO:") */     \
    X(unexpected_argument, 10, 501, 5, 5, 4,                                                                          \
      "This command takes no argument")                        /**< argument on RSET/DATA/QUIT/STARTTLS (§4.1.1) */  \
    X(missing_argument, 11, 501, 5, 5, 4, "Argument required") /**< EHLO/HELO/VRFY/... without argument */            \
    X(bad_domain, 12, 501, 5, 5, 2, "Invalid domain name")     /**< EHLO/HELO/LHLO/ETRN argument is not a domain */   \
    X(bad_reverse_path, 13, 501, 5, 1, 7, "Bad sender address syntax")    /**< MAIL path syntax (§4.1.2) */          \
    X(bad_forward_path, 14, 501, 5, 1, 3, "Bad recipient address syntax") /**< RCPT path syntax (§4.1.2) */          \
    X(reverse_path_too_long, 15, 501, 5, 1, 7,                                                                        \
      "Path too long") /**< local part > 64, domain > 255 or path > 256 (§4.5.3.1) */                                \
    X(forward_path_too_long, 16, 501, 5, 1, 3, "Path too long")                   /**< same limits on RCPT */         \
    X(null_forward_path, 17, 501, 5, 1, 3, "Recipient address must not be empty") /**< "RCPT TO:<>" */                \
    X(non_ascii_sender, 18, 550, 5, 6, 7,                                                                             \
      "Non-ASCII sender requires SMTPUTF8") /**< UTF-8 sender without SMTPUTF8 (RFC 6531 §3.5) */                    \
    X(non_ascii_recipient, 19, 553, 5, 6, 7,                                                                          \
      "Non-ASCII recipient requires SMTPUTF8")         /**< UTF-8 recipient without SMTPUTF8 (RFC 6531 §3.5) */      \
    X(invalid_utf8, 20, 501, 5, 5, 2, "Invalid UTF-8") /**< malformed UTF-8 (RFC 3629; overlong, surrogate...) */     \
    X(param_syntax, 21, 501, 5, 5, 4, "Invalid parameter syntax") /**< esmtp-param grammar (§4.1.2) */               \
    X(duplicate_param, 22, 501, 5, 5, 4, "Duplicate parameter")   /**< the same keyword twice */                      \
    X(bad_size, 23, 501, 5, 5, 4, "Bad SIZE syntax")              /**< SIZE= not 1*20DIGIT (RFC 1870 §6) */          \
    X(size_overflow, 24, 552, 5, 3, 4,                                                                                \
      "Message size exceeds fixed maximum message size") /**< SIZE= above 2^64-1: never wraps */                      \
    X(bad_body, 25, 501, 5, 5, 4, "Bad BODY syntax")     /**< BODY= not 7BIT/8BITMIME/BINARYMIME (RFC 6152, 3030) */  \
    X(bad_smtputf8, 26, 501, 5, 5, 4, "SMTPUTF8 takes no value") /**< SMTPUTF8 with a value (RFC 6531 §3.4) */       \
    X(bad_ret, 27, 501, 5, 5, 4, "Bad RET syntax")               /**< RET= not FULL/HDRS (RFC 3461 §4.3) */          \
    X(bad_envid, 28, 501, 5, 5, 4, "Bad ENVID syntax")   /**< ENVID= bad xtext or > 100 chars (RFC 3461 §4.4) */     \
    X(bad_notify, 29, 501, 5, 5, 4, "Bad NOTIFY syntax") /**< NOTIFY= (RFC 3461 §4.1) */                             \
    X(bad_orcpt, 30, 501, 5, 5, 4, "Bad ORCPT syntax")   /**< ORCPT= (RFC 3461 §4.2, RFC 6533 §3) */                \
    X(bad_auth_param, 31, 501, 5, 5, 4, "Bad AUTH parameter syntax") /**< AUTH= on MAIL (RFC 4954 §5) */             \
    X(bad_requiretls, 32, 501, 5, 5, 4, "REQUIRETLS takes no value") /**< REQUIRETLS with a value (RFC 8689 §4.1) */ \
    X(bad_mt_priority, 33, 501, 5, 5, 4, "Bad MT-PRIORITY syntax")   /**< MT-PRIORITY= not -9..9 (RFC 6710 §3) */    \
    X(bad_holdfor, 34, 501, 5, 5, 4, "Bad HOLDFOR syntax")           /**< HOLDFOR= not 1*9DIGIT (RFC 4865 §4) */     \
    X(bad_holduntil, 35, 501, 5, 5, 4,                                                                                \
      "Bad HOLDUNTIL syntax")                        /**< HOLDUNTIL= not an RFC 3339 date-time (RFC 4865 §4) */      \
    X(bad_by, 36, 501, 5, 5, 4, "Bad BY syntax")     /**< BY= (RFC 2852 §4) */                                       \
    X(bad_rrvs, 37, 501, 5, 5, 4, "Bad RRVS syntax") /**< RRVS= (RFC 7293 §3) */                                     \
    X(xtext_control, 38, 501, 5, 5, 4,                                                                                \
      "Parameter decodes to a control character") /**< xtext decodes to a control or 8-bit byte (CVE-2020-28021) */   \
    X(bad_chunk_size, 39, 501, 5, 5, 4, "Syntax: BDAT size [LAST]")  /**< BDAT size or LAST syntax (RFC 3030 §2) */  \
    X(chunk_size_overflow, 40, 552, 5, 3, 4, "Chunk size too large") /**< BDAT size above 2^64-1: never wraps */      \
    X(bad_mechanism, 41, 501, 5, 5, 4,                                                                                \
      "Invalid authentication mechanism name")             /**< AUTH mechanism name (RFC 4422 §3.1) */               \
    X(bad_base64, 42, 501, 5, 5, 2, "Invalid base64 data") /**< AUTH initial response is not base64 (RFC 4954 §4) */ \
    X(conflicting_params, 43, 501, 5, 5, 4, "Conflicting parameters") /**< HOLDFOR with HOLDUNTIL (RFC 4865 §4) */   \
    X(unknown_param, 44, 555, 5, 5, 4,                                                                                \
      "Unsupported parameter") /**< not produced by the parser: for the session's 555 (§4.1.1.11) */                 \
    X(auth_line_too_long, 45, 500, 5, 5, 6,                                                                           \
      "Authentication exchange line is too long")    /**< AUTH line over `max_auth_line` (RFC 4954 §4) */            \
    X(bad_mtrk, 46, 501, 5, 5, 4, "Bad MTRK syntax") /**< MTRK= not base64 [":" 1*9DIGIT] (RFC 3885 §4) */           \
    X(bad_solicit, 47, 501, 5, 5, 4,                                                                                  \
      "Bad SOLICIT syntax") /**< SOLICIT= not a solicitation keyword list (RFC 3865 §2.2) */                         \
    /* a new row goes above this line */

/// One `command_error` enumerator per row (used by the enum only).
#define SMTPP_X_COMMAND_ERROR(e, value, code, c1, c2, c3, text) e = value,

/// Why a command line was refused: one enumerator per row of `SMTPP_COMMAND_ERRORS`
/// (`command_error::none`, `command_error::bad_size`, ...). `reply_for()` maps each to the
/// reply a server sends.
enum class command_error : std::uint8_t { SMTPP_COMMAND_ERRORS(SMTPP_X_COMMAND_ERROR) };
#undef SMTPP_X_COMMAND_ERROR

namespace detail {
/// One row of `SMTPP_COMMAND_ERRORS`: the name and the reply.
struct command_error_row {
    std::string_view name;
    reply_hint reply;
};
/// Expands one row of the table (used right here only).
#define SMTPP_X_COMMAND_ERROR_ROW(e, value, code, c1, c2, c3, text) {#e, {code, enhanced_code{c1, c2, c3}, text}},
inline constexpr command_error_row command_error_rows[] = {SMTPP_COMMAND_ERRORS(SMTPP_X_COMMAND_ERROR_ROW)
#undef SMTPP_X_COMMAND_ERROR_ROW
};
/// Expands one row of the table (used right here only).
#define SMTPP_X_COMMAND_ERROR_ORDER(e, value, code, c1, c2, c3, text) \
    if (static_cast<std::size_t>(command_error::e) != i++) return false;
/// The rows are in value order, so that an error's name and reply are its row.
constexpr bool command_errors_in_order() noexcept {
    std::size_t i = 0;
    SMTPP_COMMAND_ERRORS(SMTPP_X_COMMAND_ERROR_ORDER)
#undef SMTPP_X_COMMAND_ERROR_ORDER
    return true;
}
static_assert(command_errors_in_order(), "SMTPP_COMMAND_ERRORS: rows must be in value order, from 0");
}  // namespace detail

/// How many `command_error` values there are.
inline constexpr std::size_t command_error_count = sizeof(detail::command_error_rows) /
                                                   sizeof(detail::command_error_rows[0]);

/// The enumerator's name, e.g. "bad_reverse_path".
constexpr std::string_view to_string(command_error e) noexcept {
    const auto& rows = detail::command_error_rows;
    const auto i = static_cast<std::size_t>(e);
    return i < command_error_count ? rows[i].name : std::string_view{"unknown"};
}

/// The reply a server sends for the error (RFC 5321 §4.2.2, §4.2.4, §4.5.3.1.10; RFC 3463).
constexpr reply_hint reply_for(command_error e) noexcept {
    const auto& rows = detail::command_error_rows;
    const auto i = static_cast<std::size_t>(e);
    return i < command_error_count ? rows[i].reply : reply_hint{500, enhanced_code{5, 5, 0}, "Error"};
}

// =========================================================================================
// Parsed values
// =========================================================================================

/// What stands after the "@" of a mailbox, or in an EHLO/HELO argument.
enum class host_kind : std::uint8_t {
    none = 0,     ///< no host (null path, `<Postmaster>`)
    domain = 1,   ///< RFC 5321 §4.1.2 Domain (or a U-label domain under SMTPUTF8)
    ipv4 = 2,     ///< `[` IPv4-address-literal `]` (§4.1.3)
    ipv6 = 3,     ///< `[IPv6:` IPv6-addr `]` (§4.1.3)
    general = 4,  ///< `[` General-address-literal `]` (§4.1.3)
};

/**
 * A reverse-path or forward-path, RFC 5321 §4.1.2:
 * `Path = "<" [ A-d-l ":" ] Mailbox ">"`, `Reverse-path = Path / "<>"`.
 * All views point into the command line.
 */
struct path {
    std::string_view text{};           ///< the whole path as sent, `<` and `>` included when present
    std::string_view route{};          ///< source route "@a,@b" without the ':' (parsed, to be ignored: §4.1.2)
    std::string_view mailbox{};        ///< "local@domain"; empty for `<>` and `<Postmaster>`
    std::string_view local_part{};     ///< as sent: a quoted local part keeps its quotes and quoted-pairs
    std::string_view domain{};         ///< the domain, or the address literal with its brackets
    host_kind kind = host_kind::none;  ///< what `domain` is
    bool is_null = false;              ///< `<>` (MAIL only)
    bool is_postmaster = false;        ///< `<Postmaster>` without a domain (RCPT only, §4.5.1)
    bool quoted = false;               ///< the local part is a Quoted-string
    bool utf8 = false;                 ///< the path holds UTF-8 (RFC 6531)
};

/// BODY= values (RFC 6152 §2, RFC 3030 §3).
enum class body_type : std::uint8_t { none = 0, seven_bit = 1, eight_bit_mime = 2, binary_mime = 3 };
/// RET= values (RFC 3461 §4.3).
enum class ret_type : std::uint8_t { none = 0, full = 1, hdrs = 2 };
/// NOTIFY= bits (RFC 3461 §4.1).
enum notify_flag : std::uint8_t { notify_never = 1, notify_success = 2, notify_failure = 4, notify_delay = 8 };
/// BY= modes (RFC 2852 §4).
enum class by_mode : std::uint8_t { none = 0, notify = 1, return_ = 2 };

// `param_bit` (p_size, p_body, ...): extensions.hpp, one per row of `SMTPP_ESMTP_PARAMS`.

/**
 * The ESMTP parameters of MAIL and RCPT (RFC 5321 §4.1.2 `esmtp-param`), decoded.
 * Which keywords belong to which verb: MAIL takes SIZE, BODY, SMTPUTF8, RET, ENVID, AUTH,
 * REQUIRETLS, MT-PRIORITY, HOLDFOR, HOLDUNTIL, BY; RCPT takes NOTIFY, ORCPT, RRVS. A
 * keyword on the wrong verb counts as unknown. xtext values are kept encoded (views);
 * `xtext_decode()` decodes them into a caller buffer.
 *
 * The parser knows the keywords of every extension whether or not the server offered it:
 * a known keyword sets its bit in `present` and is validated. Whether the extension was
 * advertised is the session's question, answered by comparing `present` with what was
 * advertised: 504 5.5.4 for a known parameter of an extension not offered (RFC 5321
 * §4.2.4), 555 5.5.4 for a keyword nobody knows (§4.1.1.11).
 */
struct params {
    std::uint32_t present = 0;         ///< `param_bit`s of the keywords seen
    std::uint64_t size = 0;            ///< SIZE= (RFC 1870)
    body_type body = body_type::none;  ///< BODY=
    ret_type ret = ret_type::none;     ///< RET=
    std::uint8_t notify = 0;           ///< NOTIFY= `notify_flag` bits
    std::int8_t mt_priority = 0;       ///< MT-PRIORITY= (-9..9)
    by_mode by = by_mode::none;        ///< BY= mode
    bool by_trace = false;             ///< BY= trailing "T"
    char rrvs_mode = 0;                ///< RRVS= ";C" or ";R" (upper case), 0 when absent
    std::uint8_t unknown_count = 0;    ///< keywords not recognised for this verb (saturates at 255)
    std::uint32_t holdfor = 0;         ///< HOLDFOR= seconds (RFC 4865)
    std::int32_t by_time = 0;          ///< BY= seconds, signed (RFC 2852)
    std::string_view envid{};          ///< ENVID= xtext, encoded
    std::string_view auth{};           ///< AUTH= xtext mailbox or "<>", encoded
    std::string_view orcpt_type{};     ///< ORCPT= addr-type ("rfc822", "utf-8", ...)
    std::string_view orcpt{};          ///< ORCPT= address, encoded
    std::string_view holduntil{};      ///< HOLDUNTIL= RFC 3339 date-time
    std::string_view rrvs{};           ///< RRVS= RFC 3339 date-time
    std::string_view mtrk{};           ///< MTRK= as sent: base64 authenticator [":" timeout] (RFC 3885 §4)
    std::uint32_t mtrk_timeout = 0;    ///< MTRK= timeout in seconds; 0 when absent
    std::string_view solicit{};        ///< SOLICIT= solicitation keywords as sent (RFC 3865 §2.3)
    std::string_view unknown{};        ///< the first unrecognised "keyword[=value]", as sent
    std::string_view text{};           ///< all parameters as sent (walk them with `next_param`)

    /// Was the parameter `b` sent?
    [[nodiscard]] constexpr bool has(param_bit b) const noexcept { return (present & b) != 0; }
};

/// AUTH mechanisms smtpp names (RFC 4422 registry); anything else is `other`.
enum class sasl_mechanism : std::uint8_t {
    other = 0,
    plain,
    login,
    cram_md5,
    xoauth2,
    oauthbearer,
    external,
    gssapi,
    scram_sha_1,
    scram_sha_256,
    scram_sha_1_plus,
    scram_sha_256_plus,
    anonymous,
    ntlm,
    digest_md5,
};

/**
 * One parsed command. Which fields are set depends on the verb:
 * - HELO/EHLO/LHLO: `argument` (the domain or address literal), `host`.
 * - MAIL/RCPT: `path`, `params`.
 * - VRFY/EXPN/HELP/NOOP/ETRN: `argument` (trimmed); VRFY/EXPN may set `smtputf8`.
 * - AUTH: `mechanism`, `mechanism_id`, `initial_response` (`has_initial_response`; "=" is
 *   the empty response, RFC 4954 §4).
 * - BDAT: `chunk_size`, `last`.
 * - unknown: `verb_text`, `argument`.
 *
 * Aligned to 16 octets: `parse_command` resets it with aligned 16-byte stores, so that no
 * store crosses a page wherever the host puts it (on the project's machine a store across
 * a 4 KiB boundary cost about 30 cycles; unaligned, one command object in ten straddled
 * a page with such a store, and short commands took twice as long).
 */
struct alignas(16) command {
    smtpp::verb verb = smtpp::verb::unknown;              ///< the verb; `unknown` for anything else
    host_kind host = host_kind::none;                     ///< kind of the HELO/EHLO/LHLO argument
    sasl_mechanism mechanism_id = sasl_mechanism::other;  ///< AUTH mechanism, when smtpp names it
    bool has_initial_response = false;                    ///< AUTH carried an initial response
    bool last = false;                                    ///< BDAT ... LAST
    bool smtputf8 = false;                                ///< VRFY/EXPN ... SMTPUTF8 (RFC 6531 §3.7.4)
    std::uint64_t chunk_size = 0;                         ///< BDAT size
    std::string_view line{};                              ///< the whole line, terminator included
    std::string_view verb_text{};                         ///< the verb as sent
    std::string_view argument{};          ///< everything after the verb and its SP, trailing blanks trimmed
    std::string_view mechanism{};         ///< AUTH mechanism as sent
    std::string_view initial_response{};  ///< AUTH initial response ("=" for empty)
    smtpp::path path{};                   ///< MAIL/RCPT path
    smtpp::params params{};               ///< MAIL/RCPT parameters
};
static_assert(alignof(command) == 16 && sizeof(command) % 16 == 0, "command: whole aligned 16-byte words");

// =========================================================================================
// Options
// =========================================================================================

/**
 * How strictly to parse, and the limits. Defaults follow the RFCs; each `allow_*` is a
 * leniency for what real clients send, off by default, with its risk stated.
 */
struct parse_options {
    /// RFC 5321 §4.5.3.1.4: 512 octets including the verb and CRLF. A server that
    /// advertises extensions may raise it by their increments (SIZE +26, AUTH= +500,
    /// SMTPUTF8 +10; RFC 5321 §2.2.2).
    std::size_t max_line = 512;
    /// RFC 4954 §4: AUTH lines carrying initial responses up to 12288 octets.
    std::size_t max_auth_line = 12288;
    /// SMTPUTF8 was advertised (RFC 6531): MAIL may carry UTF-8 when it also carries the
    /// SMTPUTF8 parameter.
    bool smtputf8 = false;
    /// The current transaction was opened with MAIL ... SMTPUTF8: RCPT may carry UTF-8.
    bool smtputf8_transaction = false;
    /// Accept "MAIL FROM: <a@b>" (space after the colon). RFC 5321 §3.3 forbids it; many
    /// clients send it. Risk: none for framing; cosmetic.
    bool allow_space_after_colon = false;
    /// Accept "MAIL FROM:a@b" (no angle brackets), as Postfix with
    /// strict_rfc821_envelopes=no. Risk: ambiguity with parameters is resolved by the
    /// first SP; an address with SP cannot be written this way.
    bool allow_missing_brackets = false;
    /// Accept more than one SP between verb, path and parameters. Risk: cosmetic.
    bool allow_extra_spaces = false;
    /// Accept an address literal in HELO ("HELO [192.0.2.1]"): RFC 5321 §4.1.1.1 allows
    /// only a Domain, common practice sends literals. Risk: cosmetic.
    bool allow_helo_address_literal = false;
    /// Accept lower-case hex digits in xtext ("+2b"): RFC 3461 §4 says upper case;
    /// Postfix accepts both. Risk: none beyond a second spelling of the same value.
    bool allow_lowercase_xtext_hex = false;
    /// Accept a bare LF as the line terminator. Risk: SMTP smuggling
    /// (CVE-2023-51764/51765/51766) when combined with other lenient hops; RFC 5321 §2.3.8
    /// forbids it. Never applies to DATA.
    bool allow_bare_lf = false;
};

// =========================================================================================
// Formatting (client side)
// =========================================================================================

/// Why `format_command` refused.
enum class command_format_error : std::uint8_t {
    none = 0,
    no_space = 1,        ///< the buffer is too small
    forbidden_byte = 2,  ///< CR, LF or NUL inside an argument (command injection, bpo-43124)
    invalid = 3,         ///< the result would not parse back (see `command_format_result::parse_error`)
};

/// What `format_command` wrote, or why it refused.
struct command_format_result {
    std::size_t size = 0;                                   ///< bytes written, CRLF included
    command_format_error err = command_format_error::none;  ///< `none` when the line was written
    command_error parse_error = command_error::none;        ///< with `invalid`: why it does not parse
};

// =========================================================================================
// Functions
// =========================================================================================

/**
 * Parses one complete command line.
 *
 * @param line  the line with its terminator: CRLF, or a bare LF only when
 *              `opt.allow_bare_lf`. Must stay alive while `out` is used.
 * @param out   receives the command; it is reset first. On error it still holds what was
 *              recognised (the verb, the verb text) so the session can choose the reply.
 * @param opt   strictness and limits.
 * @return `command_error::none`, or why the line is refused (`reply_for()` gives the reply).
 *
 * Unknown MAIL/RCPT parameter keywords are not an error here: they are counted in
 * `out.params.unknown_count` with the first one in `out.params.unknown`, and the session
 * answers 555 (RFC 5321 §4.1.1.11) or 504.
 */
[[nodiscard]] SMTPP_CLANG_INLINE constexpr command_error parse_command(std::string_view line, command& out,
                                                                       const parse_options& opt = {}) noexcept;

/// Convenience overload returning the command; the error is written to `err`.
[[nodiscard]] constexpr command parse_command(std::string_view line, command_error& err,
                                              const parse_options& opt = {}) noexcept;

/**
 * Writes `c` as a command line, CRLF included, into `out[0..cap)`.
 *
 * Only the fields that belong to the verb are used (see `command`); MAIL and RCPT
 * parameters are written from `c.params.present` and the decoded values, in a fixed order,
 * and unknown parameters are never written. The result is then parsed back with `opt`:
 * a command that would not parse (a bad address, a line over `opt.max_line`) is refused
 * with `command_format_error::invalid`, so a client can never emit a line a strict server
 * rejects, nor smuggle a second command through CR, LF or NUL in an argument.
 */
constexpr command_format_result format_command(const command& c, char* out, std::size_t cap,
                                               const parse_options& opt = {}) noexcept;

/**
 * Splits the next parameter off `text` (a `params::text` view, or any run of
 * space-separated esmtp-params) and advances `text` past it and the spaces after it.
 * Returns false when `text` is empty.
 */
constexpr bool next_param(std::string_view& text, std::string_view& keyword, std::string_view& value) noexcept;

/**
 * Decodes RFC 3461 xtext (`ENVID=`, `ORCPT=`, `AUTH=` values) into `out`.
 * @param in   the xtext, e.g. a `params::envid` view
 * @param out  receives the decoded octets
 * @param cap  octets available at `out`
 * @param allow_lowercase  accept "+2b" as well as "+2B" (pass the parse option in force).
 * @return the decoded length, or SIZE_MAX when `in` is not xtext or `cap` is too small.
 * Control octets decode as they are ("+0D+0A" gives CR LF): values taken from a command
 * that `parse_command` accepted never hold one (it refuses them, CVE-2020-28021), but
 * xtext from elsewhere must be checked by the caller.
 */
constexpr std::size_t xtext_decode(std::string_view in, char* out, std::size_t cap,
                                   bool allow_lowercase = false) noexcept;

/**
 * Removes the quoting of a Quoted-string local part or VRFY argument (RFC 5321 §4.1.2
 * `quoted-pairSMTP`): `"a\"b"` becomes `a"b`. Text that is not quoted is copied as is.
 * @return the length written, or SIZE_MAX when `cap` is too small.
 */
constexpr std::size_t unquote(std::string_view in, char* out, std::size_t cap) noexcept;

}  // namespace smtpp

// The machinery, one file per concern.
#include "detail/command_path.hpp"
#include "detail/command_values.hpp"
#include "detail/command_format.hpp"
#include "detail/command_params.hpp"
#include "detail/command_parse.hpp"
#include "detail/command-inl.hpp"

#endif
