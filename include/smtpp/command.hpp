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
 * RFC 1985 (ETRN), RFC 2033 (LHLO).
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

namespace smtpp {

// =========================================================================================
// Verbs
// =========================================================================================

/// The command verbs smtpp knows. Verbs are case-insensitive (RFC 5321 §2.4).
enum class verb : std::uint8_t {
    unknown = 0,  ///< anything else; `command::verb_text` holds what was sent
    helo = 1,     ///< RFC 5321 §4.1.1.1
    ehlo = 2,     ///< RFC 5321 §4.1.1.1
    lhlo = 3,     ///< RFC 2033 §4.1
    mail = 4,     ///< RFC 5321 §4.1.1.2
    rcpt = 5,     ///< RFC 5321 §4.1.1.3
    data = 6,     ///< RFC 5321 §4.1.1.4
    bdat = 7,     ///< RFC 3030 §2
    rset = 8,     ///< RFC 5321 §4.1.1.5
    vrfy = 9,     ///< RFC 5321 §4.1.1.6
    expn = 10,    ///< RFC 5321 §4.1.1.7
    help = 11,    ///< RFC 5321 §4.1.1.8
    noop = 12,    ///< RFC 5321 §4.1.1.9
    quit = 13,    ///< RFC 5321 §4.1.1.10
    starttls = 14,///< RFC 3207 §4
    auth = 15,    ///< RFC 4954 §4
    etrn = 16,    ///< RFC 1985 §3
};
inline constexpr std::size_t verb_count = 17;

namespace detail {
/// Tables at namespace scope: GCC copies a table local to a function onto the stack at
/// every call (`rep movsq`).
inline constexpr std::string_view verb_names[verb_count] = {
    "", "HELO", "EHLO", "LHLO", "MAIL", "RCPT", "DATA", "BDAT", "RSET",
    "VRFY", "EXPN", "HELP", "NOOP", "QUIT", "STARTTLS", "AUTH", "ETRN"};
}  // namespace detail

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
 * Why a command line was refused. Values are explicit and append-only. `reply_for()` maps
 * each to the reply a server sends (RFC 5321 §4.2, RFC 3463 enhanced codes).
 */
enum class command_error : std::uint8_t {
    none = 0,
    line_too_long = 1,         ///< over `max_line` (RFC 5321 §4.5.3.1.4) → 500 5.5.2
    missing_crlf = 2,          ///< the line does not end in CRLF (§2.3.8) → 500 5.5.2
    bare_lf = 3,               ///< LF without CR (§2.3.8; SMTP smuggling) → 500 5.5.2
    bare_cr = 4,               ///< CR without LF (§2.3.8) → 500 5.5.2
    nul = 5,                   ///< NUL byte → 501 5.5.2
    invalid_character = 6,     ///< control or 8-bit byte where none may stand (§4.1.2) → 501 5.5.2
    empty_line = 7,            ///< nothing before the CRLF → 500 5.5.2
    unknown_verb = 8,          ///< not a command smtpp knows (§4.2.4) → 500 5.5.1
    syntax = 9,                ///< the command's own syntax (e.g. "MAIL TO:") → 501 5.5.2
    unexpected_argument = 10,  ///< argument on RSET/DATA/QUIT/STARTTLS (§4.1.1) → 501 5.5.4
    missing_argument = 11,     ///< EHLO/HELO/VRFY/... without argument → 501 5.5.4
    bad_domain = 12,           ///< EHLO/HELO/LHLO/ETRN argument is not a domain → 501 5.5.2
    bad_reverse_path = 13,     ///< MAIL path syntax (§4.1.2) → 501 5.1.7
    bad_forward_path = 14,     ///< RCPT path syntax (§4.1.2) → 501 5.1.3
    reverse_path_too_long = 15,///< local part > 64, domain > 255 or path > 256 (§4.5.3.1) → 501 5.1.7
    forward_path_too_long = 16,///< same limits on RCPT → 501 5.1.3
    null_forward_path = 17,    ///< "RCPT TO:<>" → 501 5.1.3
    non_ascii_sender = 18,     ///< UTF-8 sender without SMTPUTF8 (RFC 6531 §3.5) → 550 5.6.7
    non_ascii_recipient = 19,  ///< UTF-8 recipient without SMTPUTF8 (RFC 6531 §3.5) → 553 5.6.7
    invalid_utf8 = 20,         ///< malformed UTF-8 (RFC 3629; overlong, surrogate...) → 501 5.5.2
    param_syntax = 21,         ///< esmtp-param grammar (§4.1.2) → 501 5.5.4
    duplicate_param = 22,      ///< the same keyword twice → 501 5.5.4
    bad_size = 23,             ///< SIZE= not 1*20DIGIT (RFC 1870 §6) → 501 5.5.4
    size_overflow = 24,        ///< SIZE= above 2^64-1: never wraps → 552 5.3.4
    bad_body = 25,             ///< BODY= not 7BIT/8BITMIME/BINARYMIME (RFC 6152, 3030) → 501 5.5.4
    bad_smtputf8 = 26,         ///< SMTPUTF8 with a value (RFC 6531 §3.4) → 501 5.5.4
    bad_ret = 27,              ///< RET= not FULL/HDRS (RFC 3461 §4.3) → 501 5.5.4
    bad_envid = 28,            ///< ENVID= bad xtext or > 100 chars (RFC 3461 §4.4) → 501 5.5.4
    bad_notify = 29,           ///< NOTIFY= (RFC 3461 §4.1) → 501 5.5.4
    bad_orcpt = 30,            ///< ORCPT= (RFC 3461 §4.2, RFC 6533 §3) → 501 5.5.4
    bad_auth_param = 31,       ///< AUTH= on MAIL (RFC 4954 §5) → 501 5.5.4
    bad_requiretls = 32,       ///< REQUIRETLS with a value (RFC 8689 §4.1) → 501 5.5.4
    bad_mt_priority = 33,      ///< MT-PRIORITY= not -9..9 (RFC 6710 §3) → 501 5.5.4
    bad_holdfor = 34,          ///< HOLDFOR= not 1*9DIGIT (RFC 4865 §4) → 501 5.5.4
    bad_holduntil = 35,        ///< HOLDUNTIL= not an RFC 3339 date-time (RFC 4865 §4) → 501 5.5.4
    bad_by = 36,               ///< BY= (RFC 2852 §4) → 501 5.5.4
    bad_rrvs = 37,             ///< RRVS= (RFC 7293 §3) → 501 5.5.4
    xtext_control = 38,        ///< xtext decodes to a control or 8-bit byte (CVE-2020-28021) → 501 5.5.4
    bad_chunk_size = 39,       ///< BDAT size or LAST syntax (RFC 3030 §2) → 501 5.5.4
    chunk_size_overflow = 40,  ///< BDAT size above 2^64-1: never wraps → 552 5.3.4
    bad_mechanism = 41,        ///< AUTH mechanism name (RFC 4422 §3.1) → 501 5.5.4
    bad_base64 = 42,           ///< AUTH initial response is not base64 (RFC 4954 §4) → 501 5.5.2
    conflicting_params = 43,   ///< HOLDFOR with HOLDUNTIL (RFC 4865 §4) → 501 5.5.4
    unknown_param = 44,        ///< not produced by the parser: for the session's 555 (§4.1.1.11)
    auth_line_too_long = 45,   ///< AUTH line over `max_auth_line` (RFC 4954 §4) → 500 5.5.6
};
inline constexpr std::size_t command_error_count = 46;

namespace detail {
inline constexpr std::string_view command_error_names[command_error_count] = {
    "none", "line_too_long", "missing_crlf", "bare_lf", "bare_cr", "nul", "invalid_character",
    "empty_line", "unknown_verb", "syntax", "unexpected_argument", "missing_argument",
    "bad_domain", "bad_reverse_path", "bad_forward_path", "reverse_path_too_long",
    "forward_path_too_long", "null_forward_path", "non_ascii_sender", "non_ascii_recipient",
    "invalid_utf8", "param_syntax", "duplicate_param", "bad_size", "size_overflow", "bad_body",
    "bad_smtputf8", "bad_ret", "bad_envid", "bad_notify", "bad_orcpt", "bad_auth_param",
    "bad_requiretls", "bad_mt_priority", "bad_holdfor", "bad_holduntil", "bad_by", "bad_rrvs",
    "xtext_control", "bad_chunk_size", "chunk_size_overflow", "bad_mechanism", "bad_base64",
    "conflicting_params", "unknown_param", "auth_line_too_long"};
}  // namespace detail

/// The enumerator's name, e.g. "bad_reverse_path".
constexpr std::string_view to_string(command_error e) noexcept {
    const auto& names = detail::command_error_names;
    const auto i = static_cast<std::size_t>(e);
    return i < command_error_count ? names[i] : std::string_view{"unknown"};
}

/// The reply a server sends for the error (RFC 5321 §4.2.2, §4.2.4, §4.5.3.1.10; RFC 3463).
constexpr reply_hint reply_for(command_error e) noexcept {
    using ec = enhanced_code;
    switch (e) {
        case command_error::none: return {250, ec{2, 0, 0}, "OK"};
        case command_error::line_too_long: return {500, ec{5, 5, 2}, "Line too long"};
        case command_error::missing_crlf: return {500, ec{5, 5, 2}, "Line must end with CRLF"};
        case command_error::bare_lf: return {500, ec{5, 5, 2}, "Bare LF received; lines must end with CRLF"};
        case command_error::bare_cr: return {500, ec{5, 5, 2}, "Bare CR received; lines must end with CRLF"};
        case command_error::nul: return {501, ec{5, 5, 2}, "NUL characters are not allowed in commands"};
        case command_error::invalid_character: return {501, ec{5, 5, 2}, "Invalid character in command"};
        case command_error::empty_line: return {500, ec{5, 5, 2}, "Empty command"};
        case command_error::unknown_verb: return {500, ec{5, 5, 1}, "Command not recognized"};
        case command_error::syntax: return {501, ec{5, 5, 2}, "Syntax error"};
        case command_error::unexpected_argument: return {501, ec{5, 5, 4}, "This command takes no argument"};
        case command_error::missing_argument: return {501, ec{5, 5, 4}, "Argument required"};
        case command_error::bad_domain: return {501, ec{5, 5, 2}, "Invalid domain name"};
        case command_error::bad_reverse_path: return {501, ec{5, 1, 7}, "Bad sender address syntax"};
        case command_error::bad_forward_path: return {501, ec{5, 1, 3}, "Bad recipient address syntax"};
        case command_error::reverse_path_too_long: return {501, ec{5, 1, 7}, "Path too long"};
        case command_error::forward_path_too_long: return {501, ec{5, 1, 3}, "Path too long"};
        case command_error::null_forward_path: return {501, ec{5, 1, 3}, "Recipient address must not be empty"};
        case command_error::non_ascii_sender: return {550, ec{5, 6, 7}, "Non-ASCII sender requires SMTPUTF8"};
        case command_error::non_ascii_recipient: return {553, ec{5, 6, 7}, "Non-ASCII recipient requires SMTPUTF8"};
        case command_error::invalid_utf8: return {501, ec{5, 5, 2}, "Invalid UTF-8"};
        case command_error::param_syntax: return {501, ec{5, 5, 4}, "Invalid parameter syntax"};
        case command_error::duplicate_param: return {501, ec{5, 5, 4}, "Duplicate parameter"};
        case command_error::bad_size: return {501, ec{5, 5, 4}, "Bad SIZE syntax"};
        case command_error::size_overflow: return {552, ec{5, 3, 4}, "Message size exceeds fixed maximum message size"};
        case command_error::bad_body: return {501, ec{5, 5, 4}, "Bad BODY syntax"};
        case command_error::bad_smtputf8: return {501, ec{5, 5, 4}, "SMTPUTF8 takes no value"};
        case command_error::bad_ret: return {501, ec{5, 5, 4}, "Bad RET syntax"};
        case command_error::bad_envid: return {501, ec{5, 5, 4}, "Bad ENVID syntax"};
        case command_error::bad_notify: return {501, ec{5, 5, 4}, "Bad NOTIFY syntax"};
        case command_error::bad_orcpt: return {501, ec{5, 5, 4}, "Bad ORCPT syntax"};
        case command_error::bad_auth_param: return {501, ec{5, 5, 4}, "Bad AUTH parameter syntax"};
        case command_error::bad_requiretls: return {501, ec{5, 5, 4}, "REQUIRETLS takes no value"};
        case command_error::bad_mt_priority: return {501, ec{5, 5, 4}, "Bad MT-PRIORITY syntax"};
        case command_error::bad_holdfor: return {501, ec{5, 5, 4}, "Bad HOLDFOR syntax"};
        case command_error::bad_holduntil: return {501, ec{5, 5, 4}, "Bad HOLDUNTIL syntax"};
        case command_error::bad_by: return {501, ec{5, 5, 4}, "Bad BY syntax"};
        case command_error::bad_rrvs: return {501, ec{5, 5, 4}, "Bad RRVS syntax"};
        case command_error::xtext_control: return {501, ec{5, 5, 4}, "Parameter decodes to a control character"};
        case command_error::bad_chunk_size: return {501, ec{5, 5, 4}, "Syntax: BDAT size [LAST]"};
        case command_error::chunk_size_overflow: return {552, ec{5, 3, 4}, "Chunk size too large"};
        case command_error::bad_mechanism: return {501, ec{5, 5, 4}, "Invalid authentication mechanism name"};
        case command_error::bad_base64: return {501, ec{5, 5, 2}, "Invalid base64 data"};
        case command_error::conflicting_params: return {501, ec{5, 5, 4}, "Conflicting parameters"};
        case command_error::unknown_param: return {555, ec{5, 5, 4}, "Unsupported parameter"};
        case command_error::auth_line_too_long: return {500, ec{5, 5, 6}, "Authentication exchange line is too long"};
    }
    return {500, ec{5, 5, 0}, "Error"};
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
    std::string_view text{};        ///< the whole path as sent, `<` and `>` included when present
    std::string_view route{};       ///< source route "@a,@b" without the ':' (parsed, to be ignored: §4.1.2)
    std::string_view mailbox{};     ///< "local@domain"; empty for `<>` and `<Postmaster>`
    std::string_view local_part{};  ///< as sent: a quoted local part keeps its quotes and quoted-pairs
    std::string_view domain{};      ///< the domain, or the address literal with its brackets
    host_kind kind = host_kind::none;
    bool is_null = false;           ///< `<>` (MAIL only)
    bool is_postmaster = false;     ///< `<Postmaster>` without a domain (RCPT only, §4.5.1)
    bool quoted = false;            ///< the local part is a Quoted-string
    bool utf8 = false;              ///< the path holds UTF-8 (RFC 6531)
};

/// BODY= values (RFC 6152 §2, RFC 3030 §3).
enum class body_type : std::uint8_t { none = 0, seven_bit = 1, eight_bit_mime = 2, binary_mime = 3 };
/// RET= values (RFC 3461 §4.3).
enum class ret_type : std::uint8_t { none = 0, full = 1, hdrs = 2 };
/// NOTIFY= bits (RFC 3461 §4.1).
enum notify_flag : std::uint8_t { notify_never = 1, notify_success = 2, notify_failure = 4, notify_delay = 8 };
/// BY= modes (RFC 2852 §4).
enum class by_mode : std::uint8_t { none = 0, notify = 1, return_ = 2 };

/// Bits of `params::present`, one per keyword smtpp knows.
enum param_bit : std::uint32_t {
    p_size = 1u << 0, p_body = 1u << 1, p_smtputf8 = 1u << 2, p_ret = 1u << 3, p_envid = 1u << 4,
    p_auth = 1u << 5, p_requiretls = 1u << 6, p_mt_priority = 1u << 7, p_holdfor = 1u << 8,
    p_holduntil = 1u << 9, p_by = 1u << 10, p_notify = 1u << 11, p_orcpt = 1u << 12, p_rrvs = 1u << 13,
};

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
    std::uint32_t present = 0;          ///< `param_bit`s of the keywords seen
    std::uint64_t size = 0;             ///< SIZE= (RFC 1870)
    body_type body = body_type::none;   ///< BODY=
    ret_type ret = ret_type::none;      ///< RET=
    std::uint8_t notify = 0;            ///< NOTIFY= `notify_flag` bits
    std::int8_t mt_priority = 0;        ///< MT-PRIORITY= (-9..9)
    by_mode by = by_mode::none;         ///< BY= mode
    bool by_trace = false;              ///< BY= trailing "T"
    char rrvs_mode = 0;                 ///< RRVS= ";C" or ";R" (upper case), 0 when absent
    std::uint8_t unknown_count = 0;     ///< keywords not recognised for this verb (saturates at 255)
    std::uint32_t holdfor = 0;          ///< HOLDFOR= seconds (RFC 4865)
    std::int32_t by_time = 0;           ///< BY= seconds, signed (RFC 2852)
    std::string_view envid{};           ///< ENVID= xtext, encoded
    std::string_view auth{};            ///< AUTH= xtext mailbox or "<>", encoded
    std::string_view orcpt_type{};      ///< ORCPT= addr-type ("rfc822", "utf-8", ...)
    std::string_view orcpt{};           ///< ORCPT= address, encoded
    std::string_view holduntil{};       ///< HOLDUNTIL= RFC 3339 date-time
    std::string_view rrvs{};            ///< RRVS= RFC 3339 date-time
    std::string_view unknown{};         ///< the first unrecognised "keyword[=value]", as sent
    std::string_view text{};            ///< all parameters as sent (walk them with `next_param`)

    [[nodiscard]] constexpr bool has(param_bit b) const noexcept { return (present & b) != 0; }
};

/// AUTH mechanisms smtpp names (RFC 4422 registry); anything else is `other`.
enum class sasl_mechanism : std::uint8_t {
    other = 0, plain, login, cram_md5, xoauth2, oauthbearer, external, gssapi, scram_sha_1,
    scram_sha_256, scram_sha_1_plus, scram_sha_256_plus, anonymous, ntlm, digest_md5,
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
    smtpp::verb verb = smtpp::verb::unknown;
    host_kind host = host_kind::none;        ///< kind of the HELO/EHLO/LHLO argument
    sasl_mechanism mechanism_id = sasl_mechanism::other;
    bool has_initial_response = false;
    bool last = false;                       ///< BDAT ... LAST
    bool smtputf8 = false;                   ///< VRFY/EXPN ... SMTPUTF8 (RFC 6531 §3.7.4)
    std::uint64_t chunk_size = 0;            ///< BDAT size
    std::string_view line{};                 ///< the whole line, terminator included
    std::string_view verb_text{};            ///< the verb as sent
    std::string_view argument{};             ///< everything after the verb and its SP, trailing blanks trimmed
    std::string_view mechanism{};            ///< AUTH mechanism as sent
    std::string_view initial_response{};     ///< AUTH initial response ("=" for empty)
    smtpp::path path{};                      ///< MAIL/RCPT path
    smtpp::params params{};                  ///< MAIL/RCPT parameters
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
// Implementation details
// =========================================================================================

namespace detail {

/// The length of the well-formed UTF-8 sequence (RFC 3629 §4) at `p`, or 0.
/// Rejects overlong forms, surrogates and code points above U+10FFFF.
constexpr std::size_t utf8_sequence(std::string_view s, std::size_t p) noexcept {
    const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const std::size_t n = s.size();
    const unsigned char c = b(p);
    if (c < 0x80) return 1;
    auto cont = [&](std::size_t i) { return i < n && (b(i) & 0xC0) == 0x80; };
    if (c >= 0xC2 && c <= 0xDF) return cont(p + 1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (!cont(p + 1) || !cont(p + 2)) return 0;
        const unsigned char c1 = b(p + 1);
        if (c == 0xE0 && c1 < 0xA0) return 0;  // overlong
        if (c == 0xED && c1 > 0x9F) return 0;  // surrogates
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (!cont(p + 1) || !cont(p + 2) || !cont(p + 3)) return 0;
        const unsigned char c1 = b(p + 1);
        if (c == 0xF0 && c1 < 0x90) return 0;  // overlong
        if (c == 0xF4 && c1 > 0x8F) return 0;  // above U+10FFFF
        return 4;
    }
    return 0;
}

constexpr bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }

/// `s[from, to)` without `substr`'s range check: every caller passes positions it has
/// already validated, and the check costs a compare and a branch on each field.
constexpr std::string_view slice(std::string_view s, std::size_t from, std::size_t to) noexcept {
    return std::string_view(s.data() + from, to - from);
}

/// The end of the run of bytes of the class `bits` that starts at `d + p`.
/// @pre the run ends inside the line: its terminator (CR or LF) belongs to no class, so it
/// stops the loop without a bounds test per byte. Two bytes a round: the loop's own
/// increment and jump cost as much as the test of a byte.
constexpr SMTPP_HOT_INLINE std::size_t run_end(const char* d, std::size_t p, std::uint16_t bits) noexcept {
    for (;;) {
        if (!is(static_cast<unsigned char>(d[p]), bits)) break;
        if (!is(static_cast<unsigned char>(d[p + 1]), bits)) {
            ++p;
            break;
        }
        p += 2;
    }
    // Callers test the byte that ended the run; without this gcc keeps each byte it loads
    // in a second register for them, one more instruction per byte, where the caller's
    // own load of d[p] costs one per run (commands.txt: 490 -> 461 instructions per
    // line). Clang does not copy the bytes, and does worse with the barrier.
    if (!in_constant_evaluation()) p = opaque_for_gcc(p);
    return p;
}

/// A cursor over the argument part of a line; `end` excludes trailing blanks and CRLF.
/// Every cursor here has `s` = the line's body and `s[end]` = SP, HT, CR or LF (a trimmed
/// blank or the terminator), a byte in no character class and none of "." "@" ">" ":":
/// so a class run never passes `end`, and a test of the byte at a position `<= end`
/// against one of those needs no bounds test.
struct cursor {
    std::string_view s;
    std::size_t pos;
    std::size_t end;

    [[nodiscard]] constexpr bool done() const noexcept { return pos >= end; }
    [[nodiscard]] constexpr char peek() const noexcept { return pos < end ? s[pos] : '\0'; }
    [[nodiscard]] constexpr bool at(char c) const noexcept { return pos < end && s[pos] == c; }
    /// `key()` of `w`, a view into `s`, and `match()` of the bytes at `p`, with one load
    /// (`key_in`, `match_in`): `s` is the body of a line, and at least the first byte of its
    /// terminator (LF, or the CR of CRLF) follows it in memory, so all of that is readable.
    [[nodiscard]] constexpr SMTPP_HOT_INLINE std::uint64_t folded(std::string_view w) const noexcept {
        return key_in(w.data(), w.size(), s.data(), s.data() + s.size() + 1);
    }
    /// `pack()` of the `n <= 8` bytes at `p`, which lie in `s`, with one load (see `folded`).
    [[nodiscard]] constexpr SMTPP_HOT_INLINE std::uint64_t word(const char* p, std::size_t n) const noexcept {
        return pack_in(p, n, s.data(), s.data() + s.size() + 1);
    }
    [[nodiscard]] constexpr SMTPP_HOT_INLINE bool matches(std::size_t p, const ci_literal& k) const noexcept {
        return match_in(s.data() + p, k, s.data(), s.data() + s.size() + 1);
    }

    /// Advances over bytes of the class `bits`. Works on locals: a store to `pos` through
    /// the reference would otherwise be redone every byte, since a char load may alias it.
    /// @pre `s` is the body of a line whose terminator (CR or LF) follows it in memory:
    /// neither byte belongs to any class, so the terminator stops the loop without a
    /// bounds test per byte; the run is then clipped to `end`.
    constexpr void skip(std::uint16_t bits) noexcept {
        const std::size_t p = run_end(s.data(), pos, bits);
        pos = p < end ? p : end;
    }
};

/// RFC 5321 §4.1.2: `sub-domain = Let-dig [Ldh-str]`, `Ldh-str = *( ALPHA / DIGIT / "-" ) Let-dig`,
/// `Domain = sub-domain *("." sub-domain)`; RFC 6531 §3.3 adds `sub-domain =/ U-label`.
/// Labels of at most 63 octets, the whole at most 255 (§4.5.3.1.2). Parses from `pos`,
/// stops at the first byte that cannot continue a domain. Returns false on error; sets
/// `utf8` when a non-ASCII byte was seen.
SMTPP_CLANG_INLINE constexpr bool parse_domain(cursor& c, bool allow_utf8, bool& utf8, bool& too_long) noexcept {
    // Locals rather than `c.pos`: a store through `utf8` or `too_long` (a char-sized type)
    // would otherwise make the compiler reload the cursor after every byte it reads.
    const char* const d = c.s.data();
    const std::size_t start = c.pos;
    std::size_t pos = start;
    for (;;) {
        // One label: a run of LDH bytes (and UTF-8 sequences for U-labels). It stops at
        // `c.end` at the latest (see `cursor`).
        const std::size_t label = pos;
        pos = run_end(d, pos, c_ldh);
        while (SMTPP_UNLIKELY(static_cast<unsigned char>(d[pos]) >= 0x80) && allow_utf8) {
            const std::size_t n = utf8_sequence(slice(c.s, 0, c.end), pos);
            if (n == 0) return false;
            utf8 = true;
            pos = run_end(d, pos + n, c_ldh);
        }
        // Let-dig at both ends: no empty label, no leading or trailing "-".
        if (pos == label || d[label] == '-' || d[pos - 1] == '-') return false;
        if (d[pos] != '.') break;
        ++pos;
    }
    c.pos = pos;
    // No label of a domain of at most 63 octets can be longer: the label lengths are
    // measured only for longer domains.
    if (SMTPP_UNLIKELY(pos - start > 63)) {
        if (pos - start > 255) too_long = true;
        std::size_t label = start;
        for (std::size_t i = start; i <= pos; ++i) {
            if (i == pos || d[i] == '.') {
                if (i - label > 63) too_long = true;
                label = i + 1;
            }
        }
    }
    return true;
}

/// RFC 5321 §4.1.3: `Snum = 1*3DIGIT` with a value of 0..255; four of them joined by ".".
constexpr bool parse_ipv4(std::string_view s) noexcept {
    std::size_t i = 0;
    for (int part = 0; part < 4; ++part) {
        if (part > 0) {
            if (i >= s.size() || s[i] != '.') return false;
            ++i;
        }
        std::size_t digits = 0;
        unsigned value = 0;
        while (i < s.size() && is_digit(s[i]) && digits < 4) {
            value = value * 10 + static_cast<unsigned>(s[i] - '0');
            ++i;
            ++digits;
        }
        if (digits == 0 || digits > 3 || value > 255) return false;
    }
    return i == s.size();
}

/// RFC 5321 §4.1.3 IPv6-addr = IPv6-full / IPv6-comp / IPv6v4-full / IPv6v4-comp, with
/// `IPv6-hex = 1*4HEXDIG`; "::" stands for at least two groups (RFC 5321 §4.1.3), so
/// full forms have 8 groups (6 + IPv4), compressed ones at most 6 (4 + IPv4) besides "::".
constexpr bool parse_ipv6(std::string_view s) noexcept {
    std::size_t i = 0;
    int groups = 0;
    bool compressed = false;
    bool v4 = false;
    if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
        compressed = true;
        i = 2;
        if (i == s.size()) return true;  // "::"
    } else if (!s.empty() && s[0] == ':') {
        return false;
    }
    while (i < s.size()) {
        // Either an IPv4 tail or a hex group.
        std::size_t j = i;
        while (j < s.size() && is_hex(s[j])) ++j;
        if (j < s.size() && s[j] == '.') {
            if (!parse_ipv4(detail::sub(s, i))) return false;
            v4 = true;
            i = s.size();
            break;
        }
        if (j == i || j - i > 4) return false;
        ++groups;
        i = j;
        if (i == s.size()) break;
        if (s[i] != ':') return false;
        ++i;
        if (i < s.size() && s[i] == ':') {
            if (compressed) return false;
            compressed = true;
            ++i;
            if (i == s.size()) break;
        } else if (i == s.size()) {
            return false;  // trailing single ':'
        }
    }
    const int max_groups = v4 ? 6 : 8;
    if (compressed) return groups <= max_groups - 2;
    return groups == max_groups;
}

/// RFC 5321 §4.1.3: `address-literal = "[" ( IPv4-address-literal / IPv6-address-literal /
/// General-address-literal ) "]"`; `General-address-literal = Standardized-tag ":" 1*dcontent`;
/// `Standardized-tag = Ldh-str`. `lit` is the text between the brackets.
constexpr host_kind parse_address_literal(std::string_view lit) noexcept {
    if (lit.empty()) return host_kind::none;
    // A Standardized-tag may start with a digit too ("1a:x"): only an IPv4 literal is
    // refused by its own grammar.
    if (is_digit(lit[0]) && parse_ipv4(lit)) return host_kind::ipv4;
    std::size_t colon = lit.find(':');
    if (colon == std::string_view::npos || colon == 0) return host_kind::none;
    const std::string_view tag = detail::sub(lit, 0, colon);
    const std::string_view rest = detail::sub(lit, colon + 1);
    if (iequals_upper(tag, "IPV6")) return parse_ipv6(rest) ? host_kind::ipv6 : host_kind::none;
    for (std::size_t i = 0; i < tag.size(); ++i)
        if (!is_alnum(tag[i]) && tag[i] != '-') return host_kind::none;
    if (tag.back() == '-') return host_kind::none;  // Ldh-str ends in Let-dig
    if (rest.empty()) return host_kind::none;
    for (char ch : rest)
        if (!is(static_cast<unsigned char>(ch), c_dcont)) return host_kind::none;
    return host_kind::general;
}

/// Domain / address-literal at the cursor. Returns the kind, `none` on error.
SMTPP_HOT_INLINE constexpr host_kind parse_host(cursor& c, bool allow_utf8, bool& utf8, bool& too_long) noexcept {
    if (c.at('[')) {
        const std::size_t open = c.pos;
        std::size_t close = open + 1;
        while (close < c.end && c.s[close] != ']') ++close;
        if (close >= c.end) return host_kind::none;
        const host_kind k = parse_address_literal(detail::sub(c.s, open + 1, close - open - 1));
        c.pos = close + 1;
        if (c.pos - open > 255) too_long = true;
        return k;
    }
    return parse_domain(c, allow_utf8, utf8, too_long) ? host_kind::domain : host_kind::none;
}

/// RFC 5321 §4.1.2 `Local-part = Dot-string / Quoted-string`, with RFC 6531 §3.3
/// `atext =/ UTF8-non-ascii`, `qtextSMTP =/ UTF8-non-ascii`.
SMTPP_CLANG_INLINE constexpr bool parse_local_part(cursor& c, bool allow_utf8, bool& utf8, bool& quoted) noexcept {
    if (c.at('"')) {
        quoted = true;
        ++c.pos;
        while (c.pos < c.end) {
            const auto ch = static_cast<unsigned char>(c.s[c.pos]);
            if (ch == '"') {
                ++c.pos;
                return true;
            }
            if (ch == '\\') {
                // quoted-pairSMTP = %d92 %d32-126
                if (c.pos + 1 >= c.end) return false;
                const auto q = static_cast<unsigned char>(c.s[c.pos + 1]);
                if (q < 32 || q > 126) return false;
                c.pos += 2;
            } else if (is(ch, c_qtext)) {
                c.skip(c_qtext);
            } else if (ch >= 0x80 && allow_utf8) {
                const std::size_t n = utf8_sequence(detail::sub(c.s, 0, c.end), c.pos);
                if (n == 0) return false;
                utf8 = true;
                c.pos += n;
            } else {
                return false;
            }
        }
        return false;
    }
    // Dot-string = Atom *("." Atom), on locals (see `parse_domain`).
    const char* const d = c.s.data();
    std::size_t pos = c.pos;
    for (;;) {
        const std::size_t atom = pos;
        pos = run_end(d, pos, c_atext);
        while (SMTPP_UNLIKELY(static_cast<unsigned char>(d[pos]) >= 0x80) && allow_utf8) {
            const std::size_t n = utf8_sequence(slice(c.s, 0, c.end), pos);
            if (n == 0) return false;
            utf8 = true;
            pos = run_end(d, pos + n, c_atext);
        }
        if (pos == atom) return false;  // an empty Atom
        if (d[pos] != '.') break;
        ++pos;
    }
    c.pos = pos;
    return true;
}

/// Is `s` a whole `Mailbox` (RFC 5321 §4.1.2; with RFC 6531 §3.3 UTF-8 when `allow_utf8`),
/// local part at most 64 octets and domain at most 255 (§4.5.3.1)? For values that
/// decode to a mailbox (AUTH=, ORCPT=utf-8;): `s` lies in a buffer whose byte after `s`
/// is CR, as a `cursor` requires.
constexpr bool is_mailbox(std::string_view s, bool allow_utf8) noexcept {
    cursor c{s, 0, s.size()};
    bool utf8 = false;
    bool quoted = false;
    bool too_long = false;
    if (!parse_local_part(c, allow_utf8, utf8, quoted) || !c.at('@') || c.pos > 64) return false;
    const std::size_t at = c.pos++;
    if (parse_host(c, allow_utf8, utf8, too_long) == host_kind::none) return false;
    return c.pos == s.size() && !too_long && c.pos - at - 1 <= 255;
}

/// Parses a path at the cursor into `p`. Returns none or the path error of the verb.
/// RFC 5321 §4.1.2: `Path = "<" [ A-d-l ":" ] Mailbox ">"`, `A-d-l = At-domain
/// *( "," At-domain )`, `At-domain = "@" Domain`, `Mailbox = Local-part "@" ( Domain /
/// address-literal )`; §4.1.1.3 `"<Postmaster>"` for RCPT.
SMTPP_CLANG_INLINE constexpr command_error parse_path(cursor& c, path& p, bool is_mail, const parse_options& opt,
                                   bool utf8_ok) noexcept {
    const command_error bad = is_mail ? command_error::bad_reverse_path : command_error::bad_forward_path;
    const command_error too_long = is_mail ? command_error::reverse_path_too_long
                                           : command_error::forward_path_too_long;
    const char* const d = c.s.data();
    const std::size_t start = c.pos;
    const bool bracketed = c.at('<');
    if (!bracketed && !opt.allow_missing_brackets) return bad;
    // Non-ASCII bytes are parsed as UTF-8 whenever they are well formed, so that a UTF-8
    // address without SMTPUTF8 gets its own reply (RFC 6531 §3.5: 550/553 5.6.7).
    constexpr bool parse_utf8 = true;
    bool utf8 = false;
    bool long_part = false;
    if (bracketed) {
        ++c.pos;
        if (d[c.pos] == '>') {  // `c.pos <= c.end`, and `d[c.end]` is no ">" (see `cursor`)
            ++c.pos;
            if (!is_mail) return command_error::null_forward_path;
            p.text = slice(c.s, start, c.pos);
            p.is_null = true;
            return command_error::none;
        }
        if (d[c.pos] == '@') {
            const std::size_t route_start = c.pos;
            for (;;) {
                ++c.pos;  // '@'
                // RFC 6531 §3.3 extends sub-domain with U-label, which A-d-l's Domain uses too.
                if (!parse_domain(c, parse_utf8, utf8, long_part)) return bad;
                if (c.at(',')) {
                    ++c.pos;
                    if (!c.at('@')) return bad;
                    continue;
                }
                if (!c.at(':')) return bad;
                p.route = slice(c.s, route_start, c.pos);
                ++c.pos;
                break;
            }
        }
        // "<Postmaster>": 11 bytes, compared as two folded words (the first byte screens).
        if (!is_mail && (d[c.pos] | 0x20) == 'p' && c.pos + 11 <= c.end && p.route.empty() &&
            c.matches(c.pos, k_postmast) && c.matches(c.pos + 8, k_er_close)) {
            c.pos += 11;
            p.text = slice(c.s, start, c.pos);
            p.local_part = slice(c.s, c.pos - 11, c.pos - 1);
            p.is_postmaster = true;
            return command_error::none;
        }
    }
    // The fields are stored as they are recognised: on an error `p` keeps what was.
    const std::size_t local_start = c.pos;
    if (!parse_local_part(c, parse_utf8, utf8, p.quoted)) return bad;
    const std::size_t at = c.pos;
    p.local_part = slice(c.s, local_start, at);
    if (d[at] != '@') return bad;  // `at <= c.end`, and `d[c.end]` is no "@"
    c.pos = at + 1;
    p.kind = parse_host(c, parse_utf8, utf8, long_part);
    if (p.kind == host_kind::none) return bad;
    const std::size_t host_end = c.pos;
    p.domain = slice(c.s, at + 1, host_end);
    p.mailbox = slice(c.s, local_start, host_end);
    if (bracketed) {
        if (d[host_end] != '>') return bad;
        ++c.pos;
    } else if (host_end < c.end && d[host_end] != ' ') {
        return bad;
    }
    p.text = slice(c.s, start, c.pos);
    p.utf8 = utf8;
    // RFC 5321 §4.5.3.1.1-3: local part 64, domain 255, path 256 octets (brackets counted).
    if (long_part || at - local_start > 64 || host_end - (at + 1) > 255 ||
        c.pos - start + (bracketed ? 0 : 2) > 256)
        return too_long;
    if (utf8 && !utf8_ok) return is_mail ? command_error::non_ascii_sender : command_error::non_ascii_recipient;
    return command_error::none;
}

/// Parses an unsigned decimal of at most `max_digits` digits. `overflow` is set when the
/// value does not fit in 64 bits. Returns false on a syntax error.
constexpr bool parse_decimal(std::string_view s, std::size_t max_digits, std::uint64_t& value,
                             bool& overflow) noexcept {
    if (s.empty() || s.size() > max_digits) return false;
    // 19 digits always fit (10^19 - 1 < 2^64): the overflow test is for longer numbers.
    const bool may_overflow = s.size() > 19;
    std::uint64_t v = 0;
    for (char ch : s) {
        if (!is_digit(ch)) return false;
        const auto d = static_cast<std::uint64_t>(ch - '0');
        if (may_overflow && v > (UINT64_MAX - d) / 10) overflow = true;
        v = v * 10 + d;
    }
    value = v;
    return true;
}

/// RFC 3461 §4: `xtext = *( xchar / hexchar )`, `xchar = %x21-2A / %x2C-3C / %x3E-7E`,
/// `hexchar = "+" HEXDIG HEXDIG`. Returns the decoded length, or SIZE_MAX on a syntax
/// error; `control` is set when a decoded byte is outside %x20-7E (CVE-2020-28021).
/// RFC 3461 §4 requires "two upper case hexadecimal digits"; `lower_ok` accepts lower
/// case too (`parse_options::allow_lowercase_xtext_hex`, as Postfix does).
constexpr int xtext_hex(char c, bool lower_ok) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (lower_ok && c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

constexpr std::size_t xtext_check(std::string_view s, bool& control, bool lower_ok) noexcept {
    // @pre the byte after `s` in memory is not an xchar (values end at SP, a blank or the
    // line terminator), so runs of xchar need no bounds test per byte.
    const char* const d = s.data();
    const std::size_t size = s.size();
    if (size == 0) return 0;  // an empty view may not point into a line at all
    std::size_t n = 0;
    std::size_t i = 0;
    for (;;) {
        std::size_t j = i;
        while (is(static_cast<unsigned char>(d[j]), c_xchar)) ++j;
        if (j >= size) return n + (size - i);
        n += j - i;
        if (d[j] != '+' || j + 2 >= size) return SIZE_MAX;
        const int hi = xtext_hex(d[j + 1], lower_ok);
        const int lo = xtext_hex(d[j + 2], lower_ok);
        if (hi < 0 || lo < 0) return SIZE_MAX;
        const int v = hi * 16 + lo;
        if (v < 0x20 || v > 0x7E) control = true;
        ++n;
        i = j + 3;
        if (i == size) return n;
    }
}

/// RFC 6533 §3 HEXPOINT, the hex of an EmbeddedUnicodeChar: the two-digit forms 01-09,
/// 10-19, 20, 2B, 3D, 5C, 7F and 80-FF; longer forms without a leading zero (3 to 5
/// digits, surrogates D800-DFFF excluded) or "10" and 4 digits. Returns the code point, or
/// -1 when `h` is not a HEXPOINT. HEXDIG is case-insensitive (RFC 5234 §2.3).
constexpr std::int32_t hexpoint(std::string_view h) noexcept {
    if (h.size() < 2 || h.size() > 6) return -1;
    std::int32_t v = 0;
    for (char c : h) {
        const int d = hex_value(c);
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    switch (h.size()) {
        case 2:
            return (v >= 0x01 && v <= 0x19 && v != 0x0A && v != 0x0B && v != 0x0C && v != 0x0D && v != 0x0E &&
                    v != 0x0F) || v == 0x20 || v == 0x2B || v == 0x3D || v == 0x5C || v == 0x7F || v >= 0x80
                       ? v
                       : -1;
        case 3:
        case 5:
            return h[0] != '0' ? v : -1;
        case 4:
            return h[0] != '0' && !(v >= 0xD800 && v <= 0xDFFF) ? v : -1;
        default:  // 6: "10" 4HEXDIG
            return h[0] == '1' && h[1] == '0' ? v : -1;
    }
}

/// Writes the UTF-8 form (RFC 3629 §3) of `cp` (a `hexpoint()` result) at `out + m`;
/// returns the new length.
constexpr std::size_t put_utf8(char* out, std::size_t m, std::uint32_t cp) noexcept {
    if (cp < 0x80) {
        out[m++] = static_cast<char>(cp);
    } else if (cp < 0x800) {
        out[m++] = static_cast<char>(0xC0 | (cp >> 6));
        out[m++] = static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out[m++] = static_cast<char>(0xE0 | (cp >> 12));
        out[m++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out[m++] = static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out[m++] = static_cast<char>(0xF0 | (cp >> 18));
        out[m++] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out[m++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out[m++] = static_cast<char>(0x80 | (cp & 0x3F));
    }
    return m;
}

inline constexpr int days_in_month[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

/// RFC 3339 §5.6 date-time: `full-date "T" full-time`, e.g. 2014-04-03T23:01:00Z or
/// 2014-04-03T23:01:00.5-08:00. "T" and "Z" may be lower case (RFC 3339 §5.6 NOTE).
constexpr bool parse_date_time(std::string_view s) noexcept {
    auto num = [&](std::size_t at, std::size_t len, int lo, int hi) {
        if (at + len > s.size()) return false;
        int v = 0;
        for (std::size_t i = at; i < at + len; ++i) {
            if (!is_digit(s[i])) return false;
            v = v * 10 + (s[i] - '0');
        }
        return v >= lo && v <= hi;
    };
    if (s.size() < 20) return false;
    if (!num(0, 4, 0, 9999) || s[4] != '-' || !num(5, 2, 1, 12) || s[7] != '-' || !num(8, 2, 1, 31))
        return false;
    // RFC 3339 §5.7: the day must exist in that month of that year.
    const int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    const int month = (s[5] - '0') * 10 + (s[6] - '0');
    const int day = (s[8] - '0') * 10 + (s[9] - '0');
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const auto& days = days_in_month;
    if (day > days[month - 1] + (month == 2 && leap ? 1 : 0)) return false;
    if (s[10] != 'T' && s[10] != 't') return false;
    if (!num(11, 2, 0, 23) || s[13] != ':' || !num(14, 2, 0, 59) || s[16] != ':' || !num(17, 2, 0, 60))
        return false;
    std::size_t i = 19;
    if (s[i] == '.') {
        ++i;
        const std::size_t frac = i;
        while (i < s.size() && is_digit(s[i])) ++i;
        if (i == frac) return false;
    }
    if (i >= s.size()) return false;
    if (s[i] == 'Z' || s[i] == 'z') return i + 1 == s.size();
    if (s[i] != '+' && s[i] != '-') return false;
    return i + 6 == s.size() && num(i + 1, 2, 0, 23) && s[i + 3] == ':' && num(i + 4, 2, 0, 59);
}

/// RFC 4648 §4 base64 as RFC 4954 §4 restricts it: only the alphabet, "=" only as the
/// final padding, and a length that is a multiple of 4.
constexpr bool is_base64(std::string_view s) noexcept {
    if (s.empty() || s.size() % 4 != 0) return false;
    std::size_t pad = 0;
    while (pad < 2 && pad < s.size() && s[s.size() - 1 - pad] == '=') ++pad;
    for (std::size_t i = 0; i < s.size() - pad; ++i)
        if (!is(static_cast<unsigned char>(s[i]), c_b64)) return false;
    return true;
}

/// `is_base64(s)` for a view into a line whose next byte is no base64 character (a blank
/// or the terminator, see `cursor`): the run of base64 characters needs no bounds test.
constexpr bool base64_in_line(std::string_view s) noexcept {
    if (s.empty() || s.size() % 4 != 0) return false;
    std::size_t b = run_end(s.data(), 0, c_b64);
    if (b > s.size()) b = s.size();
    if (s.size() - b > 2) return false;  // at most two "=" of padding, at the end
    for (; b < s.size(); ++b)
        if (s[b] != '=') return false;
    return true;
}

/// The AUTH mechanisms whose names are longer than eight bytes, which key() cannot tell apart.
struct mechanism_entry {
    std::string_view name;
    sasl_mechanism id;
};
inline constexpr mechanism_entry long_mechanisms[] = {
    {"OAUTHBEARER", sasl_mechanism::oauthbearer},
    {"SCRAM-SHA-1", sasl_mechanism::scram_sha_1},
    {"SCRAM-SHA-256", sasl_mechanism::scram_sha_256},
    {"SCRAM-SHA-1-PLUS", sasl_mechanism::scram_sha_1_plus},
    {"SCRAM-SHA-256-PLUS", sasl_mechanism::scram_sha_256_plus},
    {"ANONYMOUS", sasl_mechanism::anonymous},
    {"DIGEST-MD5", sasl_mechanism::digest_md5},
};

/// The mechanism named `m` (mech-chars, checked by the caller), whose `key()` is `folded`.
constexpr sasl_mechanism mechanism_of(std::string_view m, std::uint64_t folded) noexcept {
    // The names are ALPHA / DIGIT / "-" and `m` was checked to be mech-chars, so key()
    // matches exactly for names of at most 8 bytes.
    switch (folded) {
        case key("PLAIN"): return sasl_mechanism::plain;
        case key("LOGIN"): return sasl_mechanism::login;
        case key("CRAM-MD5"): return sasl_mechanism::cram_md5;
        case key("XOAUTH2"): return sasl_mechanism::xoauth2;
        case key("EXTERNAL"): return sasl_mechanism::external;
        case key("GSSAPI"): return sasl_mechanism::gssapi;
        case key("NTLM"): return sasl_mechanism::ntlm;
        default: break;
    }
    if (m.size() > 8)
        for (const mechanism_entry& e : long_mechanisms)
            if (iequals_upper(m, e.name)) return e.id;
    return sasl_mechanism::other;
}

/// The mechanism named `m` (mech-chars).
constexpr sasl_mechanism mechanism_of(std::string_view m) noexcept { return mechanism_of(m, key(m)); }

}  // namespace detail

/**
 * Splits the next parameter off `text` (a `params::text` view, or any run of
 * space-separated esmtp-params) and advances `text` past it and the spaces after it.
 * Returns false when `text` is empty.
 */
constexpr bool next_param(std::string_view& text, std::string_view& keyword, std::string_view& value) noexcept {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    if (text.empty()) return false;
    std::size_t sp = text.find(' ');
    if (sp == std::string_view::npos) sp = text.size();
    const std::string_view p = detail::sub(text, 0, sp);
    const std::size_t eq = p.find('=');
    keyword = detail::sub(p, 0, eq);
    value = eq == std::string_view::npos ? std::string_view{} : detail::sub(p, eq + 1);
    text.remove_prefix(sp);
    return true;
}

namespace detail {

/// The index of a parameter's bit in `params::present`.
constexpr unsigned pid(param_bit b) noexcept {
    unsigned i = 0;
    while (((b >> i) & 1u) == 0) ++i;
    return i;
}
inline constexpr unsigned no_param = 32;

/// One esmtp-param: `esmtp-keyword ["=" esmtp-value]` (RFC 5321 §4.1.2). `k` and `v` are
/// views into the line of `c`; without "=", `v` is empty. `plain`: every byte of `v` is an
/// xchar (RFC 3461 §4), so as xtext it is its own decoding, with no control in it.
SMTPP_HOT_INLINE constexpr command_error parse_one_param(std::string_view k, std::string_view v, bool has_value,
                                                         bool plain, const cursor& c, command& cmd, bool is_mail,
                                                         const parse_options& opt) noexcept {
    params& ps = cmd.params;
    // The parameter's bit index, dense, so that the switch below is a jump table.
    unsigned id = no_param;
    // Keywords of up to 8 bytes by their folded word (exact: `k` is ALPHA / DIGIT / "-").
    const std::uint64_t packed = c.folded(k);
    if (is_mail) {
        switch (packed) {
            case key("SIZE"): id = pid(p_size); break;
            case key("BODY"): id = pid(p_body); break;
            case key("SMTPUTF8"): id = pid(p_smtputf8); break;
            case key("RET"): id = pid(p_ret); break;
            case key("ENVID"): id = pid(p_envid); break;
            case key("AUTH"): id = pid(p_auth); break;
            case key("HOLDFOR"): id = pid(p_holdfor); break;
            case key("BY"): id = pid(p_by); break;
            default:
                if (k.size() == 10 && iequals_upper(k, "REQUIRETLS")) id = pid(p_requiretls);
                else if (k.size() == 11 && iequals_upper(k, "MT-PRIORITY")) id = pid(p_mt_priority);
                else if (k.size() == 9 && iequals_upper(k, "HOLDUNTIL")) id = pid(p_holduntil);
                break;
        }
    } else {
        switch (packed) {
            case key("NOTIFY"): id = pid(p_notify); break;
            case key("ORCPT"): id = pid(p_orcpt); break;
            case key("RRVS"): id = pid(p_rrvs); break;
            default: break;
        }
    }
    if (id == no_param) {
        if (ps.unknown_count == 0) {
            const std::size_t len = has_value ? static_cast<std::size_t>(v.data() + v.size() - k.data()) : k.size();
            ps.unknown = std::string_view(k.data(), len);
        }
        if (ps.unknown_count < 255) ++ps.unknown_count;
        return command_error::none;
    }
    const std::uint32_t bit = 1u << id;
    if (ps.present & bit) return command_error::duplicate_param;
    ps.present |= bit;
    bool control = false;
    switch (id) {
        case pid(p_size): {
            // RFC 1870 §6: size-value ::= 1*20DIGIT
            bool overflow = false;
            if (!has_value || !parse_decimal(v, 20, ps.size, overflow)) return command_error::bad_size;
            if (overflow) return command_error::size_overflow;
            return command_error::none;
        }
        case pid(p_body):
            // RFC 6152 §2: body-value ::= "7BIT" / "8BITMIME"; RFC 3030 §3: "BINARYMIME"
            // The folded word is exact here too: a value byte is %d33-126 or UTF-8 (>= 0x80),
            // and only letters among those fold onto the letters of these words; the key of
            // a longer value differs in its extra (non-zero) bytes.
            switch (c.folded(v)) {
                case key("7BIT"): ps.body = body_type::seven_bit; break;
                case key("8BITMIME"): ps.body = body_type::eight_bit_mime; break;
                default:
                    if (v.size() == 10 && iequals_upper(v, "BINARYMIME")) ps.body = body_type::binary_mime;
                    else return command_error::bad_body;
                    break;
            }
            return command_error::none;
        case pid(p_smtputf8):
            return has_value ? command_error::bad_smtputf8 : command_error::none;
        case pid(p_requiretls):
            return has_value ? command_error::bad_requiretls : command_error::none;
        case pid(p_ret):
            // RFC 3461 §4.3: ret-value = "FULL" / "HDRS"
            switch (c.folded(v)) {
                case key("FULL"): ps.ret = ret_type::full; break;
                case key("HDRS"): ps.ret = ret_type::hdrs; break;
                default: return command_error::bad_ret;
            }
            return command_error::none;
        case pid(p_envid): {
            // RFC 3461 §4.4: envid-value = xtext, at most 100 characters, printable ASCII.
            const std::size_t n = plain ? v.size() : xtext_check(v, control, opt.allow_lowercase_xtext_hex);
            if (!has_value || v.empty() || n == SIZE_MAX || n > 100) return command_error::bad_envid;
            if (control) return command_error::xtext_control;
            ps.envid = v;
            return command_error::none;
        }
        case pid(p_auth): {
            // RFC 4954 §5: auth-param = "AUTH=" xtext; the xtext is a mailbox or "<>".
            if (!has_value || v.empty()) return command_error::bad_auth_param;
            if (!(v.size() == 2 && v[0] == '<' && v[1] == '>')) {
                const std::size_t n = plain ? v.size() : xtext_check(v, control, opt.allow_lowercase_xtext_hex);
                if (n == SIZE_MAX || n > 500) return command_error::bad_auth_param;
                if (control) return command_error::xtext_control;
                // RFC 4954 §5: the decoded xtext MUST be an addr-spec (a Mailbox here).
                char buf[512] = {};
                std::size_t m = 0;
                for (std::size_t i = 0; i < v.size(); ++i) {
                    if (v[i] == '+' && !plain) {
                        buf[m++] = static_cast<char>(xtext_hex(v[i + 1], true) * 16 + xtext_hex(v[i + 2], true));
                        i += 2;
                    } else {
                        buf[m++] = v[i];
                    }
                }
                buf[m] = '\r';
                if (!is_mailbox(std::string_view(buf, m), false)) return command_error::bad_auth_param;
            }
            ps.auth = v;
            return command_error::none;
        }
        case pid(p_mt_priority): {
            // RFC 6710 §3: priority-value = ["-" / "+"] DIGIT, range -9..9
            std::string_view d = v;
            bool neg = false;
            if (!d.empty() && (d[0] == '-' || d[0] == '+')) {
                neg = d[0] == '-';
                d.remove_prefix(1);
            }
            if (d.size() != 1 || !is_digit(d[0])) return command_error::bad_mt_priority;
            ps.mt_priority = static_cast<std::int8_t>(neg ? -(d[0] - '0') : (d[0] - '0'));
            return command_error::none;
        }
        case pid(p_holdfor): {
            // RFC 4865 §4: holdfor-value = 1*9DIGIT
            bool overflow = false;
            std::uint64_t secs = 0;
            if (!parse_decimal(v, 9, secs, overflow)) return command_error::bad_holdfor;
            if (ps.present & p_holduntil) return command_error::conflicting_params;
            ps.holdfor = static_cast<std::uint32_t>(secs);
            return command_error::none;
        }
        case pid(p_holduntil):
            // RFC 4865 §4: holduntil-value = date-time (RFC 3339)
            if (!parse_date_time(v)) return command_error::bad_holduntil;
            if (ps.present & p_holdfor) return command_error::conflicting_params;
            ps.holduntil = v;
            return command_error::none;
        case pid(p_by): {
            // RFC 2852 §4: by-value = by-time ";" by-mode [by-trace];
            // by-time = ["-" / "+"] 1*9digit; by-mode = "N" / "R"; by-trace = "T"
            const std::size_t semi = find_char(v, ';');
            if (semi == v.size()) return command_error::bad_by;
            std::string_view t = slice(v, 0, semi);
            const std::string_view m = slice(v, semi + 1, v.size());
            bool neg = false;
            if (!t.empty() && (t[0] == '-' || t[0] == '+')) {
                neg = t[0] == '-';
                t.remove_prefix(1);
            }
            bool overflow = false;
            std::uint64_t secs = 0;
            if (!parse_decimal(t, 9, secs, overflow)) return command_error::bad_by;
            if (m.empty() || m.size() > 2) return command_error::bad_by;
            const char mode = to_upper(m[0]);
            if (mode != 'N' && mode != 'R') return command_error::bad_by;
            if (m.size() == 2 && to_upper(m[1]) != 'T') return command_error::bad_by;
            ps.by = mode == 'N' ? by_mode::notify : by_mode::return_;
            ps.by_trace = m.size() == 2;
            ps.by_time = static_cast<std::int32_t>(neg ? -static_cast<std::int64_t>(secs) : static_cast<std::int64_t>(secs));
            return command_error::none;
        }
        case pid(p_notify): {
            // RFC 3461 §4.1: notify-esmtp-value = "NEVER" / 1#notify-list-element;
            // notify-list-element = "SUCCESS" / "FAILURE" / "DELAY"
            if (!has_value || v.empty()) return command_error::bad_notify;
            std::uint8_t flags = 0;
            std::size_t from = 0;
            for (;;) {
                // An item runs to the next "," or to the end of the value. Every keyword has
                // at most 7 letters, so one word of the (at most 8) bytes at the item holds
                // the item and its ","; key() is exact against all-letter words (only 'X'
                // and 'x' fold to 'x'), so an item with any other byte matches none.
                const std::size_t left = v.size() - from;
                const std::uint64_t w = c.word(v.data() + from, left < 8 ? left : 8);
                std::size_t len = byte_index(w, ',');
                if (len > left) len = left;
                std::uint8_t f = 0;
                switch (key_of_word(w, len)) {
                    case key("NEVER"): f = notify_never; break;
                    case key("SUCCESS"): f = notify_success; break;
                    case key("FAILURE"): f = notify_failure; break;
                    case key("DELAY"): f = notify_delay; break;
                    default: break;
                }
                if (f == 0 || (flags & f)) return command_error::bad_notify;
                flags = static_cast<std::uint8_t>(flags | f);
                if (len == left) break;
                from += len + 1;
            }
            if ((flags & notify_never) && flags != notify_never) return command_error::bad_notify;
            ps.notify = flags;
            return command_error::none;
        }
        case pid(p_orcpt): {
            // RFC 3461 §4.2: orcpt-parameter = "ORCPT=" original-recipient-address;
            // original-recipient-address = addr-type ";" xtext; addr-type = atom.
            // RFC 6533 §3: addr-type "utf-8" carries utf-8-addr-xtext (with \x{HEX}) or,
            // under SMTPUTF8, utf-8-addr-unitext.
            // The addr-type is the run of atext at the start; ";" is no atext, so the run
            // stops at the first ";" at the latest, and anything else stopping it before
            // that is a byte the atom may not hold. (The run stops inside the line, see
            // `run_end`, and is clipped to the value.)
            std::size_t semi = run_end(v.data(), 0, c_atext);
            if (semi > v.size()) semi = v.size();
            if (semi == v.size() || v[semi] != ';' || semi == 0 || semi + 1 == v.size())
                return command_error::bad_orcpt;
            const std::string_view type = slice(v, 0, semi);
            const std::string_view addr = slice(v, semi + 1, v.size());
            if (type.size() == 5 && iequals_upper(type, "UTF-8")) {
                // RFC 6533 §3: utf-8-addr-xtext = 1*(QCHAR / EmbeddedUnicodeChar);
                // utf-8-addr-unitext = 1*(QUCHAR / EmbeddedUnicodeChar) (UTF-8 as is, only in
                // an SMTPUTF8 transaction); QCHAR = %x21-2a / %x2c-3c / %x3e-5b / %x5d-7e (no
                // SP, "+", "=", "\"); EmbeddedUnicodeChar = "\x{" HEXPOINT "}". A HEXPOINT
                // for a control (01-1F, 7F) is grammatical but refused, as in xtext.
                // The decoded address must be a Mailbox (RFC 6533 §3, RFC 6531 §3.3): it is
                // decoded into `buf` (never longer than the encoded form) and parsed.
                if (addr.size() > 500) return command_error::bad_orcpt;
                char buf[512] = {};
                std::size_t m = 0;
                for (std::size_t i = 0; i < addr.size();) {
                    const auto ch = static_cast<unsigned char>(addr[i]);
                    if (ch >= 0x80) {
                        if (!opt.smtputf8_transaction) return command_error::bad_orcpt;
                        const std::size_t n = utf8_sequence(addr, i);
                        if (n == 0) return command_error::invalid_utf8;
                        for (std::size_t j = 0; j < n; ++j) buf[m++] = addr[i + j];
                        i += n;
                    } else if (ch == '\\') {
                        if (i + 3 >= addr.size() || addr[i + 1] != 'x' || addr[i + 2] != '{')
                            return command_error::bad_orcpt;
                        const std::size_t close = find_char(addr, '}', i + 3);
                        if (close == addr.size()) return command_error::bad_orcpt;
                        const std::int32_t cp = hexpoint(slice(addr, i + 3, close));
                        if (cp < 0) return command_error::bad_orcpt;
                        if (cp < 0x20 || cp == 0x7F) return command_error::xtext_control;
                        m = put_utf8(buf, m, static_cast<std::uint32_t>(cp));
                        i = close + 1;
                    } else if (is(ch, c_vchar) && ch != '+' && ch != '=') {
                        buf[m++] = addr[i];
                        ++i;
                    } else {
                        return command_error::bad_orcpt;
                    }
                }
                buf[m] = '\r';
                if (!is_mailbox(std::string_view(buf, m), true)) return command_error::bad_orcpt;
            } else {
                const std::size_t n = plain ? addr.size() : xtext_check(addr, control, opt.allow_lowercase_xtext_hex);
                if (n == SIZE_MAX || n > 500) return command_error::bad_orcpt;
                if (control) return command_error::xtext_control;
            }
            ps.orcpt_type = type;
            ps.orcpt = addr;
            return command_error::none;
        }
        case pid(p_rrvs): {
            // RFC 7293 §3: rrvs-param = "RRVS=" date-time [ ";" ( "C" / "R" ) ]
            std::string_view dt = v;
            char mode = 0;
            if (dt.size() >= 2 && dt[dt.size() - 2] == ';') {
                mode = to_upper(dt.back());
                if (mode != 'C' && mode != 'R') return command_error::bad_rrvs;
                dt.remove_suffix(2);
            }
            if (!parse_date_time(dt)) return command_error::bad_rrvs;
            ps.rrvs = dt;
            ps.rrvs_mode = mode;
            return command_error::none;
        }
        default:
            return command_error::none;
    }
}

/// RFC 5321 §4.1.2: `Mail-parameters = esmtp-param *(SP esmtp-param)`,
/// `esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")`,
/// `esmtp-value = 1*(%d33-60 / %d62-126)`; RFC 6531 §3.3 `esmtp-value =/ UTF8-non-ascii`.
SMTPP_CLANG_INLINE constexpr command_error parse_params(cursor& c, command& cmd, bool is_mail,
                                                           const parse_options& opt) noexcept {
    // On locals (see `parse_domain`); `d[end]` is SP, HT, CR or LF (see `cursor`).
    const char* const d = c.s.data();
    const std::size_t end = c.end;
    const std::size_t start = c.pos;
    std::size_t pos = start;
    while (pos < end) {
        const std::size_t kstart = pos;
        if (!is_alnum(d[pos])) return command_error::param_syntax;
        pos = run_end(d, pos + 1, c_ldh);
        const std::string_view k = slice(c.s, kstart, pos);
        const bool has_value = d[pos] == '=';
        std::size_t vstart = pos;
        bool plain = true;
        if (has_value) {
            // esmtp-value chars are the xchars and "+": runs of xchar joined by "+", so that
            // the scan also tells whether the value, as xtext, needs decoding at all.
            vstart = ++pos;
            pos = run_end(d, pos, c_xchar);
            while (d[pos] == '+') {
                plain = false;
                pos = run_end(d, pos + 1, c_xchar);
            }
            while (SMTPP_UNLIKELY(static_cast<unsigned char>(d[pos]) >= 0x80) && opt.smtputf8) {
                const std::size_t n = utf8_sequence(slice(c.s, 0, end), pos);
                if (n == 0) return command_error::invalid_utf8;
                plain = false;
                pos = run_end(d, pos + n, c_esmtpv);
            }
        }
        const std::string_view v = slice(c.s, vstart, pos);
        const bool empty_value = has_value && v.empty();
        if (!empty_value && pos < end) {
            if (d[pos] != ' ') return command_error::param_syntax;
            ++pos;
            if (pos < end && d[pos] == ' ') {
                if (!opt.allow_extra_spaces) return command_error::param_syntax;
                while (pos < end && d[pos] == ' ') ++pos;
            }
        }
        const command_error e = parse_one_param(k, v, has_value, plain, c, cmd, is_mail, opt);
        // "SIZE=" and friends: the keyword's own error when it is known.
        if (empty_value) return e == command_error::none ? command_error::param_syntax : e;
        if (e != command_error::none) return e;
    }
    c.pos = pos;
    cmd.params.text = slice(c.s, start, end);
    return command_error::none;
}

/// The length of the run of textstring bytes (HT, SP and printable ASCII: `c_text`) that
/// starts `p[0, n)`. The scalar twin of `text_run`, and its reference in the tests.
constexpr std::size_t text_run_scalar(const char* p, std::size_t n) noexcept {
    std::size_t i = 0;
    while (i < n && is(static_cast<unsigned char>(p[i]), c_text)) ++i;
    return i;
}

#if SMTPP_SIMD_SSE2
/// The bytes of sixteen that are NOT textstring, as a 16-bit mask.
SMTPP_HOT_INLINE unsigned non_text16(const char* p) noexcept {
    const v16 x = v16_load(p);
    // x + 1 as a signed byte is above 0x20 exactly for 0x20..0x7E (DEL and the bytes from
    // 0x80 on turn negative, 0xFF turns 0); HT is the one control byte that is text.
    const v16 ok = v16_or(v16_gt(v16_add(x, v16_splat(1)), v16_splat(0x20)), v16_eq(x, v16_splat('\t')));
    return ~v16_mask(ok) & 0xFFFFu;
}

/// `text_run_scalar` sixteen bytes at a time; nothing outside `p[0, n)` is read (the last
/// sixteen are read again, overlapping, for a tail).
inline std::size_t text_run_sse2(const char* p, std::size_t n) noexcept {
    if (n < 16) return text_run_scalar(p, n);
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const unsigned m = non_text16(p + i);
        if (m != 0) return i + ctz64(m);
    }
    if (i == n) return n;
    const unsigned m = non_text16(p + n - 16) >> (i - (n - 16));
    return m != 0 ? i + ctz64(m) : n;
}
#endif

/// `text_run_scalar`, vectorised where it can be.
constexpr std::size_t text_run(const char* p, std::size_t n) noexcept {
#if SMTPP_SIMD_SSE2
    if (!in_constant_evaluation()) return text_run_sse2(p, n);
#endif
    return text_run_scalar(p, n);
}

/// Finds the first byte that makes a refused line invalid at the byte level, so that the
/// reply names the real cause (bare CR, bare LF, NUL, control) rather than a syntax error.
constexpr command_error refine_error(std::string_view body, command_error e, bool utf8_allowed) noexcept {
    for (std::size_t i = 0; i < body.size(); ++i) {
        // HT, SP and printable ASCII are none of the cases below: skip them in bulk.
        i += text_run(body.data() + i, body.size() - i);
        if (i == body.size()) break;
        const auto ch = static_cast<unsigned char>(body[i]);
        if (ch == 0) return command_error::nul;
        if (ch == '\r') return command_error::bare_cr;
        if (ch == '\n') return command_error::bare_lf;
        if ((ch < 0x20 && ch != '\t') || ch == 0x7F) return command_error::invalid_character;
        if (ch >= 0x80) {
            const std::size_t n = utf8_sequence(body, i);
            if (n == 0) return command_error::invalid_utf8;
            if (!utf8_allowed && e != command_error::non_ascii_sender && e != command_error::non_ascii_recipient)
                return e == command_error::unknown_verb ? e : command_error::invalid_character;
            i += n - 1;
        }
    }
    return e;
}

/// Text argument of VRFY/EXPN/HELP/NOOP: printable ASCII, SP and HT, and UTF-8 when allowed.
constexpr bool is_text_argument(std::string_view s, bool allow_utf8) noexcept {
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto ch = static_cast<unsigned char>(s[i]);
        if (is(ch, c_text)) continue;
        if (ch >= 0x80 && allow_utf8) {
            const std::size_t n = utf8_sequence(s, i);
            if (n == 0) return false;
            i += n - 1;
            continue;
        }
        return false;
    }
    return true;
}

/// Resets every field: `c = command{}`. At run time the same value is written as zero
/// octets (every enum's zero is its none/unknown/other, a zero view is {nullptr, 0};
/// tested against `command{}`) in ascending stores, where compilers turn the assignment
/// of the 300-odd octets into `rep stos` or a library call, a third of a short command's
/// parse time (see `detail::zero_object`). No field list: a field added later is reset too.
constexpr void clear(command& c) noexcept {
    if (in_constant_evaluation()) {
        c = command{};
    } else {
        zero_object(c);
    }
}

SMTPP_CLANG_INLINE constexpr command_error parse_command_body(std::string_view line, std::string_view body,
                                                              command& cmd, const parse_options& opt) noexcept {
    // The verb: the run of letters at the start of the line (RFC 5321 §4.1.1: "The commands
    // themselves are alphabetic characters terminated by <SP> if parameters follow and
    // <CRLF> otherwise").
    if (body.empty()) return command_error::empty_line;
    std::size_t i = 0;
    verb v = verb::unknown;
    // Fast path: a four-letter verb followed by SP, HT or the end of the line, matched as
    // one folded word. A byte folds onto a letter only when it is that letter in either
    // case (OR 0x20 changes bit 5 alone), so a match needs no ALPHA test per byte; any other
    // word takes the general path below, which gives it the same verb text.
    if (body.size() >= 4 && (body.size() == 4 || is_blank(body[4]))) {
        const std::uint32_t k = (static_cast<std::uint32_t>(static_cast<unsigned char>(body[0])) |
                                 static_cast<std::uint32_t>(static_cast<unsigned char>(body[1])) << 8 |
                                 static_cast<std::uint32_t>(static_cast<unsigned char>(body[2])) << 16 |
                                 static_cast<std::uint32_t>(static_cast<unsigned char>(body[3])) << 24) |
                                0x20202020u;
        switch (k) {
            case static_cast<std::uint32_t>(key("HELO")): v = verb::helo; break;
            case static_cast<std::uint32_t>(key("EHLO")): v = verb::ehlo; break;
            case static_cast<std::uint32_t>(key("LHLO")): v = verb::lhlo; break;
            case static_cast<std::uint32_t>(key("MAIL")): v = verb::mail; break;
            case static_cast<std::uint32_t>(key("RCPT")): v = verb::rcpt; break;
            case static_cast<std::uint32_t>(key("DATA")): v = verb::data; break;
            case static_cast<std::uint32_t>(key("BDAT")): v = verb::bdat; break;
            case static_cast<std::uint32_t>(key("RSET")): v = verb::rset; break;
            case static_cast<std::uint32_t>(key("VRFY")): v = verb::vrfy; break;
            case static_cast<std::uint32_t>(key("EXPN")): v = verb::expn; break;
            case static_cast<std::uint32_t>(key("HELP")): v = verb::help; break;
            case static_cast<std::uint32_t>(key("NOOP")): v = verb::noop; break;
            case static_cast<std::uint32_t>(key("QUIT")): v = verb::quit; break;
            case static_cast<std::uint32_t>(key("AUTH")): v = verb::auth; break;
            case static_cast<std::uint32_t>(key("ETRN")): v = verb::etrn; break;
            default: break;
        }
    }
    if (v != verb::unknown) {
        i = 4;
        cmd.verb_text = slice(body, 0, 4);
    } else {
        while (i < body.size() && is_alpha(body[i])) ++i;
        std::size_t token_end = i;
        if (i < body.size() && !is_blank(body[i])) {
            // Not a verb: report everything up to the first SP as the unknown verb's text.
            while (token_end < body.size() && body[token_end] != ' ') ++token_end;
            cmd.verb_text = detail::sub(body, 0, token_end);
            return command_error::unknown_verb;
        }
        cmd.verb_text = detail::sub(body, 0, i);
        if (i == 8 && key(cmd.verb_text) == key("STARTTLS")) v = verb::starttls;
    }
    cmd.verb = v;
    // Line limits (RFC 5321 §4.5.3.1.4; RFC 4954 §4 for AUTH).
    if (v == verb::auth) {
        if (line.size() > opt.max_auth_line) return command_error::auth_line_too_long;
    } else if (line.size() > opt.max_line) {
        return command_error::line_too_long;
    }
    // Arguments: after one SP; trailing blanks are tolerated (RFC 5321 §4.1.1: "SMTP
    // receivers SHOULD tolerate trailing white space before the terminating <CRLF>").
    std::size_t end = body.size();
    while (end > i && is_blank(body[end - 1])) --end;
    std::size_t arg = i;
    if (arg < end) {
        if (body[arg] != ' ') return v == verb::unknown ? command_error::unknown_verb : command_error::syntax;
        ++arg;
        if (arg < end && body[arg] == ' ') {
            if (!opt.allow_extra_spaces)
                return v == verb::unknown ? command_error::unknown_verb : command_error::syntax;
            while (arg < end && body[arg] == ' ') ++arg;
        }
    }
    cmd.argument = slice(body, arg, end);
    if (v == verb::unknown) return command_error::unknown_verb;
    cursor c{body, arg, end};

    switch (v) {
        case verb::data:
        case verb::rset:
        case verb::quit:
        case verb::starttls:
            // RFC 5321 §4.1.1: "servers SHOULD reject commands containing them [parameters]
            // as having invalid syntax" (501, §4.3.2). RFC 3207 §4: "STARTTLS" CRLF.
            return c.done() ? command_error::none : command_error::unexpected_argument;

        case verb::helo:
        case verb::ehlo:
        case verb::lhlo: {
            // ehlo = "EHLO" SP ( Domain / address-literal ) CRLF; helo = "HELO" SP Domain CRLF.
            // RFC 6531 §3.7.1: the EHLO domain is ASCII even under SMTPUTF8.
            if (c.done()) return command_error::missing_argument;
            bool utf8 = false;
            bool too_long = false;
            if (v == verb::helo && c.at('[') && !opt.allow_helo_address_literal) return command_error::bad_domain;
            const host_kind k = parse_host(c, false, utf8, too_long);
            if (k == host_kind::none || too_long || !c.done()) return command_error::bad_domain;
            cmd.host = k;
            return command_error::none;
        }

        case verb::mail:
        case verb::rcpt: {
            // mail = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF
            // rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path )
            //        [SP Rcpt-parameters] CRLF
            const bool is_mail = v == verb::mail;
            const ci_literal& kw = is_mail ? k_from : k_to;
            if (c.end - c.pos < kw.size || !c.matches(c.pos, kw))
                return command_error::syntax;
            c.pos += kw.size;
            if (c.at(' ')) {
                // RFC 5321 §3.3: "spaces are not permitted on either side of the colon".
                if (!opt.allow_space_after_colon) return command_error::syntax;
                while (c.at(' ')) ++c.pos;
            }
            if (c.done()) return is_mail ? command_error::bad_reverse_path : command_error::bad_forward_path;
            // A UTF-8 path is fine for MAIL when SMTPUTF8 is offered (the parameter is
            // checked after the parameters are read), for RCPT when the transaction is.
            const bool utf8_ok = is_mail ? opt.smtputf8 : opt.smtputf8_transaction;
            command_error e = parse_path(c, cmd.path, is_mail, opt, utf8_ok);
            if (e != command_error::none) return e;
            if (!c.done()) {
                if (!c.at(' ')) return is_mail ? command_error::bad_reverse_path : command_error::bad_forward_path;
                ++c.pos;
                if (c.at(' ')) {
                    if (!opt.allow_extra_spaces) return command_error::param_syntax;
                    while (c.at(' ')) ++c.pos;
                }
                e = parse_params(c, cmd, is_mail, opt);
                if (e != command_error::none) return e;
            }
            // RFC 6531 §3.4: a UTF-8 reverse-path needs the SMTPUTF8 parameter.
            if (is_mail && cmd.path.utf8 && !cmd.params.has(p_smtputf8)) return command_error::non_ascii_sender;
            return command_error::none;
        }

        case verb::bdat: {
            // RFC 3030 §2: bdat-cmd ::= "BDAT" SP chunk-size [ SP end-marker ] CR LF;
            // chunk-size ::= 1*DIGIT; end-marker ::= "LAST"
            if (c.done()) return command_error::bad_chunk_size;
            // The size is the run of digits; anything but SP after it is a bad size.
            std::size_t j = run_end(body.data(), c.pos, c_digit);
            if (j > c.end) j = c.end;
            if (j < c.end && body[j] != ' ') return command_error::bad_chunk_size;
            bool overflow = false;
            if (!parse_decimal(slice(body, c.pos, j), SIZE_MAX, cmd.chunk_size, overflow))
                return command_error::bad_chunk_size;
            if (j < c.end) {
                if (c.end - j != k_sp_last.size || !c.matches(j, k_sp_last)) return command_error::bad_chunk_size;
                cmd.last = true;
            }
            if (overflow) return command_error::chunk_size_overflow;
            return command_error::none;
        }

        case verb::auth: {
            // RFC 4954 §4: "AUTH" SP sasl-mech [SP initial-response] CRLF;
            // RFC 4422 §3.1: sasl-mech = 1*20mech-char; mech-char = UPPER-ALPHA / DIGIT / "-" / "_"
            // DEVIATION: lower-case mechanism names are accepted (clients send "auth plain").
            if (c.done()) return command_error::missing_argument;
            std::size_t j = run_end(body.data(), c.pos, c_mech);
            if (j > c.end) j = c.end;
            if (j == c.pos || j - c.pos > 20) return command_error::bad_mechanism;
            cmd.mechanism = slice(body, c.pos, j);
            cmd.mechanism_id = mechanism_of(cmd.mechanism, c.folded(cmd.mechanism));
            if (j == c.end) return command_error::none;
            if (body[j] != ' ') return command_error::bad_mechanism;
            const std::string_view ir = slice(body, j + 1, end);
            // initial-response = base64 / "=" (RFC 4954 §4)
            if (!(ir.size() == 1 && ir[0] == '=') && !base64_in_line(ir)) return command_error::bad_base64;
            cmd.initial_response = ir;
            cmd.has_initial_response = true;
            return command_error::none;
        }

        case verb::vrfy:
        case verb::expn: {
            // vrfy = "VRFY" SP String CRLF; expn = "EXPN" SP String CRLF (§4.1.1.6-7);
            // String = Atom / Quoted-string; RFC 6531 §3.7.4 adds [SP "SMTPUTF8"] and
            // UTF-8 in the string. A user name with a dot or a "<mailbox>" must be quoted.
            if (c.done()) return command_error::missing_argument;
            std::string_view a = cmd.argument;
            if (a.size() > 9 && iequals_upper(slice(a, a.size() - 9, a.size()), " SMTPUTF8")) {
                cmd.smtputf8 = true;
                a.remove_suffix(9);
                while (!a.empty() && is_blank(a.back())) a.remove_suffix(1);
                cmd.argument = a;
            }
            if (a.empty()) return command_error::missing_argument;
            const bool utf8_ok = cmd.smtputf8 && opt.smtputf8;
            cursor s{body, c.pos, c.pos + a.size()};
            bool utf8 = false;
            if (s.at('"')) {
                bool quoted = false;
                if (!parse_local_part(s, true, utf8, quoted) || !s.done()) return command_error::syntax;
            } else {
                while (!s.done()) {
                    const auto ch = static_cast<unsigned char>(s.peek());
                    if (is(ch, c_atext)) {
                        s.skip(c_atext);
                    } else if (ch >= 0x80) {
                        const std::size_t n = utf8_sequence(slice(body, 0, s.end), s.pos);
                        if (n == 0) return command_error::invalid_utf8;
                        utf8 = true;
                        s.pos += n;
                    } else {
                        return command_error::syntax;
                    }
                }
            }
            if (utf8 && !utf8_ok) return command_error::invalid_character;
            return command_error::none;
        }

        case verb::help:
        case verb::noop:
            // help = "HELP" [ SP String ] CRLF; noop = "NOOP" [ SP String ] CRLF — "If a
            // parameter string is specified, servers SHOULD ignore it" (§4.1.1.9).
            return is_text_argument(cmd.argument, false) ? command_error::none : command_error::invalid_character;

        case verb::etrn: {
            // RFC 1985 §3: "ETRN" SP node-name, where the node name is a domain, "@" domain
            // (the domain and its subdomains) or "#" and a queue name.
            if (c.done()) return command_error::missing_argument;
            if (c.at('#')) {
                ++c.pos;
                if (c.done()) return command_error::bad_domain;
                for (std::size_t k = c.pos; k < c.end; ++k)
                    if (!is(static_cast<unsigned char>(body[k]), c_vchar)) return command_error::bad_domain;
                return command_error::none;
            }
            if (c.at('@')) ++c.pos;
            bool utf8 = false;
            bool too_long = false;
            if (!parse_domain(c, false, utf8, too_long) || too_long || !c.done()) return command_error::bad_domain;
            return command_error::none;
        }

        case verb::unknown:
            break;
    }
    return command_error::unknown_verb;
}

}  // namespace detail

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
                                                    const parse_options& opt = {}) noexcept {
    detail::clear(out);
    out.line = line;
    const std::size_t n = line.size();
    std::string_view body;
    if (n >= 2 && line[n - 1] == '\n' && line[n - 2] == '\r') {
        body = detail::sub(line, 0, n - 2);
    } else if (n >= 1 && line[n - 1] == '\n' && opt.allow_bare_lf) {
        body = detail::sub(line, 0, n - 1);
    } else {
        if (n >= 1 && line[n - 1] == '\n') return command_error::bare_lf;
        if (n >= 1 && line[n - 1] == '\r') return command_error::bare_cr;
        return command_error::missing_crlf;
    }
    const command_error e = detail::parse_command_body(line, body, out, opt);
    if (e == command_error::none || e == command_error::line_too_long || e == command_error::auth_line_too_long)
        return e;
    return detail::refine_error(body, e, opt.smtputf8);
}

/// Convenience overload returning the command; the error is written to `err`.
[[nodiscard]] constexpr command parse_command(std::string_view line, command_error& err,
                                              const parse_options& opt = {}) noexcept {
    command c;
    err = parse_command(line, c, opt);
    return c;
}

// =========================================================================================
// Decoders for values kept encoded
// =========================================================================================

/**
 * Decodes RFC 3461 xtext (`ENVID=`, `ORCPT=`, `AUTH=` values) into `out`.
 * @param allow_lowercase  accept "+2b" as well as "+2B" (pass the parse option in force).
 * @return the decoded length, or SIZE_MAX when `in` is not xtext or `cap` is too small.
 * Control octets decode as they are ("+0D+0A" gives CR LF): values taken from a command
 * that `parse_command` accepted never hold one (it refuses them, CVE-2020-28021), but
 * xtext from elsewhere must be checked by the caller.
 */
constexpr std::size_t xtext_decode(std::string_view in, char* out, std::size_t cap,
                                   bool allow_lowercase = false) noexcept {
    std::size_t n = 0;
    for (std::size_t i = 0; i < in.size(); ++n) {
        if (n >= cap) return SIZE_MAX;
        if (in[i] == '+') {
            if (i + 2 >= in.size()) return SIZE_MAX;
            const int hi = detail::xtext_hex(in[i + 1], allow_lowercase);
            const int lo = detail::xtext_hex(in[i + 2], allow_lowercase);
            if (hi < 0 || lo < 0) return SIZE_MAX;
            out[n] = static_cast<char>(hi * 16 + lo);
            i += 3;
        } else {
            if (!detail::is(static_cast<unsigned char>(in[i]), detail::c_xchar)) return SIZE_MAX;
            out[n] = in[i];
            ++i;
        }
    }
    return n;
}

/**
 * Removes the quoting of a Quoted-string local part or VRFY argument (RFC 5321 §4.1.2
 * `quoted-pairSMTP`): `"a\"b"` becomes `a"b`. Text that is not quoted is copied as is.
 * @return the length written, or SIZE_MAX when `cap` is too small.
 */
constexpr std::size_t unquote(std::string_view in, char* out, std::size_t cap) noexcept {
    if (in.size() < 2 || in.front() != '"' || in.back() != '"') {
        if (in.size() > cap) return SIZE_MAX;
        for (std::size_t i = 0; i < in.size(); ++i) out[i] = in[i];
        return in.size();
    }
    std::size_t n = 0;
    for (std::size_t i = 1; i + 1 < in.size(); ++i) {
        if (n >= cap) return SIZE_MAX;
        if (in[i] == '\\' && i + 2 < in.size()) ++i;
        out[n++] = in[i];
    }
    return n;
}


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

struct command_format_result {
    std::size_t size = 0;                                ///< bytes written, CRLF included
    command_format_error err = command_format_error::none;
    command_error parse_error = command_error::none;     ///< with `invalid`: why it does not parse
};

namespace detail {

struct writer {
    char* out;
    std::size_t cap;
    std::size_t n = 0;
    bool overflow = false;
    bool forbidden = false;

    constexpr void put(char ch) noexcept {
        if (ch == '\r' || ch == '\n' || ch == '\0') forbidden = true;
        if (n < cap) out[n] = ch;
        else overflow = true;
        ++n;
    }
    constexpr void put(std::string_view s) noexcept {
        for (char ch : s) put(ch);
    }
    constexpr void put_u64(std::uint64_t v) noexcept {
        char digits[20] = {};
        std::size_t k = 0;
        do {
            digits[k++] = static_cast<char>('0' + v % 10);
            v /= 10;
        } while (v != 0);
        while (k > 0) put(digits[--k]);
    }
    constexpr void put_i64(std::int64_t v) noexcept {
        if (v < 0) {
            put('-');
            put_u64(static_cast<std::uint64_t>(-(v + 1)) + 1);
        } else {
            put_u64(static_cast<std::uint64_t>(v));
        }
    }
};

constexpr void format_path(writer& w, const path& p) noexcept {
    if (p.is_null) {
        w.put("<>");
    } else if (p.is_postmaster && p.domain.empty()) {
        w.put("<Postmaster>");
    } else {
        // Source routes are not generated (RFC 5321 §4.1.2: "SHOULD NOT").
        w.put('<');
        w.put(p.local_part);
        w.put('@');
        w.put(p.domain);
        w.put('>');
    }
}

constexpr void format_params(writer& w, const params& ps) noexcept {
    if (ps.has(p_size)) { w.put(" SIZE="); w.put_u64(ps.size); }
    if (ps.has(p_body)) {
        w.put(" BODY=");
        w.put(ps.body == body_type::seven_bit ? "7BIT" : ps.body == body_type::eight_bit_mime ? "8BITMIME"
              : ps.body == body_type::binary_mime ? "BINARYMIME" : "");
    }
    if (ps.has(p_smtputf8)) w.put(" SMTPUTF8");
    if (ps.has(p_ret)) { w.put(" RET="); w.put(ps.ret == ret_type::full ? "FULL" : ps.ret == ret_type::hdrs ? "HDRS" : ""); }
    if (ps.has(p_envid)) { w.put(" ENVID="); w.put(ps.envid); }
    if (ps.has(p_auth)) { w.put(" AUTH="); w.put(ps.auth); }
    if (ps.has(p_requiretls)) w.put(" REQUIRETLS");
    if (ps.has(p_mt_priority)) { w.put(" MT-PRIORITY="); w.put_i64(ps.mt_priority); }
    if (ps.has(p_holdfor)) { w.put(" HOLDFOR="); w.put_u64(ps.holdfor); }
    if (ps.has(p_holduntil)) { w.put(" HOLDUNTIL="); w.put(ps.holduntil); }
    if (ps.has(p_by)) {
        w.put(" BY=");
        w.put_i64(ps.by_time);
        w.put(';');
        w.put(ps.by == by_mode::notify ? "N" : ps.by == by_mode::return_ ? "R" : "");
        if (ps.by_trace) w.put('T');
    }
    if (ps.has(p_notify)) {
        w.put(" NOTIFY=");
        if (ps.notify & notify_never) w.put("NEVER");
        bool first = (ps.notify & notify_never) == 0;
        const std::pair<std::uint8_t, std::string_view> items[] = {
            {notify_success, "SUCCESS"}, {notify_failure, "FAILURE"}, {notify_delay, "DELAY"}};
        for (const auto& it : items) {
            if ((ps.notify & it.first) == 0) continue;
            if (!first) w.put(',');
            w.put(it.second);
            first = false;
        }
    }
    if (ps.has(p_orcpt)) { w.put(" ORCPT="); w.put(ps.orcpt_type); w.put(';'); w.put(ps.orcpt); }
    if (ps.has(p_rrvs)) {
        w.put(" RRVS=");
        w.put(ps.rrvs);
        if (ps.rrvs_mode != 0) { w.put(';'); w.put(ps.rrvs_mode); }
    }
}

}  // namespace detail

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
                                       const parse_options& opt = {}) noexcept {
    detail::writer w{out, cap};
    command_format_result r;
    const std::string_view name = to_string(c.verb);
    if (name.empty()) {
        r.err = command_format_error::invalid;
        r.parse_error = command_error::unknown_verb;
        return r;
    }
    w.put(name);
    switch (c.verb) {
        case verb::helo:
        case verb::ehlo:
        case verb::lhlo:
        case verb::etrn:
            w.put(' ');
            w.put(c.argument);
            break;
        case verb::mail:
        case verb::rcpt:
            w.put(c.verb == verb::mail ? " FROM:" : " TO:");
            detail::format_path(w, c.path);
            detail::format_params(w, c.params);
            break;
        case verb::bdat:
            w.put(' ');
            w.put_u64(c.chunk_size);
            if (c.last) w.put(" LAST");
            break;
        case verb::auth:
            w.put(' ');
            w.put(c.mechanism);
            if (c.has_initial_response) {
                w.put(' ');
                w.put(c.initial_response.empty() ? std::string_view{"="} : c.initial_response);
            }
            break;
        case verb::vrfy:
        case verb::expn:
            w.put(' ');
            w.put(c.argument);
            if (c.smtputf8) w.put(" SMTPUTF8");
            break;
        case verb::help:
        case verb::noop:
            if (!c.argument.empty()) {
                w.put(' ');
                w.put(c.argument);
            }
            break;
        default:
            break;
    }
    if (w.forbidden) {
        r.err = command_format_error::forbidden_byte;
        return r;
    }
    w.put("\r\n");
    if (w.overflow) {
        r.err = command_format_error::no_space;
        r.size = w.n;
        return r;
    }
    command back;
    parse_options check = opt;
    check.allow_bare_lf = false;
    const command_error e = parse_command(std::string_view(out, w.n), back, check);
    if (e != command_error::none || back.params.unknown_count != 0) {
        r.err = command_format_error::invalid;
        r.parse_error = e;
        return r;
    }
    r.size = w.n;
    return r;
}

}  // namespace smtpp

#endif
