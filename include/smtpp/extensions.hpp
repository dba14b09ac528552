/**
 * @file extensions.hpp
 * @brief The registry: one table of SMTP service extensions (EHLO keywords) and one of
 *        MAIL / RCPT parameters (`esmtp-param`, RFC 5321 §4.1.2).
 *
 * Every place that knows an extension or a parameter is derived from these two tables at
 * compile time: the `ehlo_ext` and `extension` bits, the `param_bit`s, the command
 * parser's keyword dispatch (command.hpp), the formatter, the session policy's allow-list,
 * line-length increments and rendered EHLO reply (session.hpp), the client's parse-back
 * limits (client.hpp) and the EHLO capability parser's keyword table (ehlo.hpp).
 *
 * Adding a service extension is one row of `SMTPP_SERVICE_EXTENSIONS`. Adding a parameter
 * is one row of `SMTPP_ESMTP_PARAMS`, its decoded value in `params` (command.hpp), its
 * value parser `detail::param_value_<id>` and formatter `detail::format_value_<id>`
 * (detail/command_params.hpp), its `command_error` (command.hpp) and its tests.
 */
#ifndef SMTPP_EXTENSIONS_HPP
#define SMTPP_EXTENSIONS_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core.hpp"
#include "detail/ascii.hpp"

/**
 * The service extensions a server can offer, one row each, in the order the session
 * renders them in its EHLO reply:
 * `X(ehlo name, policy name, EHLO keyword, ehlo_ext bit, extension bit, argument kind,
 * offered when)`. The `ehlo_ext` enumerator is the first name, the `extension` one is
 * `ext_` and the second name; the bits are explicit, as the C API fixes them (smtpp.h).
 * Argument kinds (what follows the keyword, `detail::keyword_kind`): plain (nothing the
 * parser keeps), size (RFC 1870 §4), auth (RFC 4954 §3), deliverby (RFC 2852 §4),
 * futurerelease (RFC 4865 §3), mt_priority (RFC 6710 §3), limits (RFC 9422 §4), listed
 * (parameters `ehlo_capabilities` has no field for yet: the capability parser leaves the
 * line in `ehlo_capabilities::unknown`, parameters and all, and does not set its bit).
 * Offered when: always, before_tls (STARTTLS, RFC 3207 §4.2), inside_tls (REQUIRETLS,
 * RFC 8689 §4.1), with_chunking (BINARYMIME, RFC 3030 §3).
 */
#define SMTPP_SERVICE_EXTENSIONS(X)                                                                              \
    X(pipelining, pipelining, "PIPELINING", 0, 0, plain, always)                            /* RFC 2920 */       \
    X(size, size, "SIZE", 1, 1, size, always)                                               /* RFC 1870 */       \
    X(eightbitmime, 8bitmime, "8BITMIME", 2, 2, plain, always)                              /* RFC 6152 */       \
    X(smtputf8, smtputf8, "SMTPUTF8", 3, 3, plain, always)                                  /* RFC 6531 */       \
    X(enhancedstatuscodes, enhancedstatuscodes, "ENHANCEDSTATUSCODES", 8, 4, plain, always) /* 2034 */           \
    X(dsn, dsn, "DSN", 4, 5, plain, always)                                                 /* RFC 3461 */       \
    X(chunking, chunking, "CHUNKING", 5, 6, plain, always)                                  /* RFC 3030 */       \
    X(binarymime, binarymime, "BINARYMIME", 6, 7, plain, with_chunking)                     /* RFC 3030 */       \
    X(starttls, starttls, "STARTTLS", 7, 8, plain, before_tls)                              /* RFC 3207 */       \
    X(auth, auth, "AUTH", 9, 9, auth, always)                                               /* RFC 4954 */       \
    X(requiretls, requiretls, "REQUIRETLS", 10, 10, plain, inside_tls)                      /* RFC 8689 */       \
    X(deliverby, deliverby, "DELIVERBY", 11, 11, deliverby, always)                         /* RFC 2852 */       \
    X(futurerelease, futurerelease, "FUTURERELEASE", 12, 12, futurerelease, always)         /* RFC 4865 */       \
    X(mt_priority, mt_priority, "MT-PRIORITY", 13, 13, mt_priority, always)                 /* RFC 6710 */       \
    X(rrvs, rrvs, "RRVS", 14, 14, plain, always)                                            /* RFC 7293 */       \
    X(limits, limits, "LIMITS", 15, 15, limits, always)                                     /* RFC 9422 */       \
    X(mtrk, mtrk, "MTRK", 20, 16, plain, always)                                            /* RFC 3885 §3 */   \
    X(no_soliciting, no_soliciting, "NO-SOLICITING", 21, 17, listed, always)                /* RFC 3865 §2.1 */ \
    /* a new row goes above this line */

/**
 * EHLO keywords the capability parser recognises that the session does not offer as
 * extensions (it implements the commands or refuses them on their own):
 * `X(ehlo name, EHLO keyword, ehlo_ext bit, argument kind)`.
 */
#define SMTPP_EHLO_ONLY_KEYWORDS(X)                     \
    X(vrfy, "VRFY", 16, plain) /* RFC 5321 §3.5 */     \
    X(etrn, "ETRN", 17, plain) /* RFC 1985 */           \
    X(help, "HELP", 18, plain) /* RFC 5321 §4.1.1.8 */ \
    X(expn, "EXPN", 19, plain) /* RFC 5321 §3.5 */     \
    /* a new row goes above this line */

/**
 * The MAIL / RCPT parameters, one row each, in `param_bit` order (which is also the order
 * the formatter writes them in): `X(id, keyword, verb, enabling extension (an `ehlo_ext`
 * name), syntax error (a `command_error` name), line-length increment)`. The increment is
 * what the parameter adds to the 512-octet command line once its extension is offered
 * (RFC 5321 §2.2.2, §4.5.3.1.4): SIZE +26 (RFC 1870 §3), SMTPUTF8 +10 (RFC 6531 §3.1),
 * AUTH= +500 (RFC 4954 §3), DSN +600 (RFC 3461: ENVID and RET +100 on MAIL, counted on
 * ENVID; NOTIFY and ORCPT +500 on RCPT, counted on ORCPT).
 * BODY is enabled by its value (8BITMIME, or BINARYMIME with CHUNKING): see
 * `session.hpp` `params_offered`.
 */
#define SMTPP_ESMTP_PARAMS(X)                                                                 \
    X(size, "SIZE", mail, size, bad_size, 26)                            /* RFC 1870 §6 */   \
    X(body, "BODY", mail, eightbitmime, bad_body, 0)                     /* RFC 6152 §2 */   \
    X(smtputf8, "SMTPUTF8", mail, smtputf8, bad_smtputf8, 10)            /* RFC 6531 §3.4 */ \
    X(ret, "RET", mail, dsn, bad_ret, 0)                                 /* RFC 3461 §4.3 */ \
    X(envid, "ENVID", mail, dsn, bad_envid, 100)                         /* RFC 3461 §4.4 */ \
    X(auth, "AUTH", mail, auth, bad_auth_param, 500)                     /* RFC 4954 §5 */   \
    X(requiretls, "REQUIRETLS", mail, requiretls, bad_requiretls, 0)     /* RFC 8689 */       \
    X(mt_priority, "MT-PRIORITY", mail, mt_priority, bad_mt_priority, 0) /* 6710 */           \
    X(holdfor, "HOLDFOR", mail, futurerelease, bad_holdfor, 0)           /* RFC 4865 §4 */   \
    X(holduntil, "HOLDUNTIL", mail, futurerelease, bad_holduntil, 0)     /* 4865 */           \
    X(by, "BY", mail, deliverby, bad_by, 0)                              /* RFC 2852 §4 */   \
    X(notify, "NOTIFY", rcpt, dsn, bad_notify, 0)                        /* RFC 3461 §4.1 */ \
    X(orcpt, "ORCPT", rcpt, dsn, bad_orcpt, 500)                         /* RFC 3461 §4.2 */ \
    X(rrvs, "RRVS", rcpt, rrvs, bad_rrvs, 0)                             /* RFC 7293 §3 */   \
    X(mtrk, "MTRK", mail, mtrk, bad_mtrk, 0)                             /* RFC 3885 §4 */   \
    X(solicit, "SOLICIT", mail, no_soliciting, bad_solicit, 0)           /* RFC 3865 §2.3 */ \
    /* a new row goes above this line */

namespace smtpp {

/// Service extensions as bits of `ehlo_capabilities::extensions` (ehlo.hpp): one per row
/// of `SMTPP_SERVICE_EXTENSIONS` and `SMTPP_EHLO_ONLY_KEYWORDS`, named by their first
/// column (e.g. `ehlo_ext::pipelining`, `ehlo_ext::eightbitmime`, `ehlo_ext::vrfy`).
enum class ehlo_ext : std::uint32_t {
/// One `ehlo_ext` enumerator per row (used inside the enum only).
#define SMTPP_X_EHLO_EXT(e, p, kw, eb, pb, kind, when) e = std::uint32_t{1} << (eb),
    SMTPP_SERVICE_EXTENSIONS(SMTPP_X_EHLO_EXT)
#undef SMTPP_X_EHLO_EXT
/// One `ehlo_ext` enumerator per row of the EHLO-only keywords (used inside the enum only).
#define SMTPP_X_EHLO_ONLY(e, kw, eb, kind) e = std::uint32_t{1} << (eb),
        SMTPP_EHLO_ONLY_KEYWORDS(SMTPP_X_EHLO_ONLY)
#undef SMTPP_X_EHLO_ONLY
};

/// Service extensions a session policy can advertise, as bits of
/// `policy_options::extensions` (session.hpp): one per row of `SMTPP_SERVICE_EXTENSIONS`,
/// named `ext_` and the second column (e.g. `ext_pipelining`, `ext_8bitmime`).
enum extension : std::uint32_t {
/// One `extension` enumerator per row (used inside the enum only).
#define SMTPP_X_EXTENSION(e, p, kw, eb, pb, kind, when) ext_##p = std::uint32_t{1} << (pb),
    SMTPP_SERVICE_EXTENSIONS(SMTPP_X_EXTENSION)
#undef SMTPP_X_EXTENSION
};

namespace detail {
/// The index of each parameter's row in `SMTPP_ESMTP_PARAMS`.
enum class param_index : unsigned {
/// Expands one row of the table (used right here only).
#define SMTPP_X_PARAM_INDEX(id, kw, verb, ext, err, inc) id,
    SMTPP_ESMTP_PARAMS(SMTPP_X_PARAM_INDEX)
#undef SMTPP_X_PARAM_INDEX
};
}  // namespace detail

/// Bits of `params::present` (command.hpp), one per row of `SMTPP_ESMTP_PARAMS`, named
/// `p_` and the row's id (e.g. `p_size`, `p_mt_priority`, `p_rrvs`).
enum param_bit : std::uint32_t {
/// One `param_bit` enumerator per row (used inside the enum only).
#define SMTPP_X_PARAM_BIT(id, kw, verb, ext, err, inc) \
    p_##id = std::uint32_t{1} << static_cast<unsigned>(detail::param_index::id),
    SMTPP_ESMTP_PARAMS(SMTPP_X_PARAM_BIT)
#undef SMTPP_X_PARAM_BIT
};

namespace detail {

/// What an EHLO keyword carries besides its bit (see `SMTPP_SERVICE_EXTENSIONS`).
enum class keyword_kind : std::uint8_t { plain, size, auth, deliverby, futurerelease, mt_priority, limits, listed };

/// When the session offers an extension that its policy enables.
enum class offered_when : std::uint8_t { always, before_tls, inside_tls, with_chunking };

/// One row of the service-extension table.
struct service_row {
    std::string_view keyword;
    std::uint32_t ehlo;    ///< `ehlo_ext` bit
    std::uint32_t policy;  ///< `extension` bit; 0 for the EHLO-only keywords
    keyword_kind kind;
    offered_when when;
};

/// Expands one row of the table (used right here only).
#define SMTPP_X_EHLO_ONLY_ROW(e, kw, eb, k) \
    {kw, static_cast<std::uint32_t>(ehlo_ext::e), 0, keyword_kind::k, offered_when::always},
/// Expands one row of the table (used right here only).
#define SMTPP_X_SERVICE_ROW(e, p, kw, eb, pb, k, w) \
    {kw, static_cast<std::uint32_t>(ehlo_ext::e), ext_##p, keyword_kind::k, offered_when::w},
/// The service extensions, in rendering order, then the EHLO-only keywords.
inline constexpr service_row service_rows[] = {SMTPP_SERVICE_EXTENSIONS(SMTPP_X_SERVICE_ROW)
#undef SMTPP_X_SERVICE_ROW
                                                   SMTPP_EHLO_ONLY_KEYWORDS(SMTPP_X_EHLO_ONLY_ROW)
#undef SMTPP_X_EHLO_ONLY_ROW
};
inline constexpr std::size_t service_count = sizeof(service_rows) / sizeof(service_rows[0]);

/// The verb a parameter belongs to.
enum class param_verb : std::uint8_t { mail, rcpt };

/// One row of the parameter table (the value parser, formatter and error are bound by
/// name in detail/command_params.hpp).
struct param_row {
    std::string_view keyword;
    param_verb verb;
    std::uint32_t ehlo;       ///< the `ehlo_ext` bit of the extension that enables it
    std::uint32_t policy;     ///< the same extension's `extension` bit
    std::uint16_t increment;  ///< line-length increment (RFC 5321 §2.2.2)
};

/// The `extension` bit of the service extension whose `ehlo_ext` bit is `e`.
constexpr std::uint32_t policy_bit_of(std::uint32_t e) noexcept {
    for (const service_row& r : service_rows)
        if (r.ehlo == e) return r.policy;
    return 0;
}

/// Expands one row of the table (used right here only).
#define SMTPP_X_PARAM_ROW(id, kw, v, ext, err, inc)                \
    {kw, param_verb::v, static_cast<std::uint32_t>(ehlo_ext::ext), \
     policy_bit_of(static_cast<std::uint32_t>(ehlo_ext::ext)), inc},
inline constexpr param_row param_rows[] = {SMTPP_ESMTP_PARAMS(SMTPP_X_PARAM_ROW)
#undef SMTPP_X_PARAM_ROW
};
inline constexpr std::size_t param_count = sizeof(param_rows) / sizeof(param_rows[0]);

/// Every `param_bit`: the trap of a mask that names the last parameter by hand is gone.
inline constexpr std::uint32_t all_params = param_count >= 32 ? ~std::uint32_t{0}
                                                              : (std::uint32_t{1} << param_count) - 1;

/// The `param_bit`s whose enabling extension is among the `extension` bits `offered`.
constexpr std::uint32_t params_enabled_by(std::uint32_t offered) noexcept {
    std::uint32_t m = 0;
    for (std::size_t i = 0; i < param_count; ++i)
        if ((offered & param_rows[i].policy) != 0) m |= std::uint32_t{1} << i;
    return m;
}

/// The line-length increment (RFC 5321 §2.2.2) of the parameters in `params` whose
/// extension is among the `ehlo_ext` bits `offered` (a client) or the `extension` bits
/// (a server, `policy` true).
constexpr std::size_t line_increment(std::uint32_t offered, std::uint32_t params, bool policy) noexcept {
    std::size_t n = 0;
    for (std::size_t i = 0; i < param_count; ++i) {
        const std::uint32_t e = policy ? param_rows[i].policy : param_rows[i].ehlo;
        if ((params & (std::uint32_t{1} << i)) != 0 && (offered & e) != 0) n += param_rows[i].increment;
    }
    return n;
}

/// The largest line-length increment: every extension offered.
inline constexpr std::size_t max_line_increment = line_increment(~std::uint32_t{0}, all_params, true);

/// A case label for a parameter keyword: its `key()` when it has at most eight octets,
/// otherwise a value no keyword's `key()` takes (1 + row index: a key's low octet is an
/// ASCII letter, digit or "-", OR 0x20), matched by `long_param()`.
constexpr std::uint64_t param_case(std::string_view kw, param_index i) noexcept {
    return kw.size() <= 8 ? key(kw) : 1 + static_cast<std::uint64_t>(i);
}

/// The registry's own invariants, checked once at compile time.
constexpr bool registry_consistent() noexcept {
    std::uint32_t ehlo = 0;
    std::uint32_t policy = 0;
    for (const service_row& r : service_rows) {
        if ((ehlo & r.ehlo) != 0 || (policy & r.policy) != 0 || r.ehlo == 0) return false;
        ehlo |= r.ehlo;
        policy |= r.policy;
    }
    for (const param_row& r : param_rows)
        if (r.policy == 0 || r.keyword.empty()) return false;
    return true;
}
static_assert(registry_consistent(), "extensions.hpp: a bit is used twice, or a parameter's extension is not offered");
static_assert(param_count <= 16, "param_bit: the session policy keeps the enabled parameters in 16 bits");

}  // namespace detail
}  // namespace smtpp

#endif
