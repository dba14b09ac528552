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
 */
#ifndef SMTPP_EHLO_HPP
#define SMTPP_EHLO_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core.hpp"
#include "detail/ascii.hpp"
#include "reply.hpp"

namespace smtpp {

/// Service extensions the parser recognises, as bits of `ehlo_capabilities::extensions`.
enum class ehlo_ext : std::uint32_t {
    pipelining = 1u << 0,           ///< RFC 2920
    size = 1u << 1,                 ///< RFC 1870
    eightbitmime = 1u << 2,         ///< RFC 6152
    smtputf8 = 1u << 3,             ///< RFC 6531
    dsn = 1u << 4,                  ///< RFC 3461
    chunking = 1u << 5,             ///< RFC 3030
    binarymime = 1u << 6,           ///< RFC 3030
    starttls = 1u << 7,             ///< RFC 3207
    enhancedstatuscodes = 1u << 8,  ///< RFC 2034
    auth = 1u << 9,                 ///< RFC 4954
    requiretls = 1u << 10,          ///< RFC 8689 (meaningful only inside TLS)
    deliverby = 1u << 11,           ///< RFC 2852
    futurerelease = 1u << 12,       ///< RFC 4865
    mt_priority = 1u << 13,         ///< RFC 6710
    rrvs = 1u << 14,                ///< RFC 7293
    limits = 1u << 15,              ///< RFC 9422
    vrfy = 1u << 16,                ///< RFC 5321 §3.5
    etrn = 1u << 17,                ///< RFC 1985
    help = 1u << 18,                ///< RFC 5321 §4.1.1.8
    expn = 1u << 19,                ///< RFC 5321 §3.5
};

/// SASL mechanisms (RFC 4422 registry) recognised in AUTH, as bits of `auth_mechanisms`.
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
    static constexpr std::size_t max_unknown = 16;

    std::uint16_t code = 0;            ///< the reply code; the rest is filled only for 250
    std::string_view domain{};         ///< first word of the first line (may be empty)
    std::string_view greet{};          ///< the rest of the first line (`ehlo-greet`)
    std::uint32_t extensions = 0;      ///< `ehlo_ext` bits
    std::uint32_t auth_mechanisms = 0; ///< `sasl_mech` bits, merged over every AUTH line
    std::uint16_t auth_unknown = 0;    ///< mechanisms listed that are not in `sasl_mech`
    std::string_view auth_params{};    ///< the mechanism list of the last AUTH line, raw
    bool size_known = false;           ///< SIZE carried a valid number
    std::uint64_t size = 0;            ///< SIZE limit; 0 = no fixed maximum (RFC 1870 §4)
    bool deliverby_known = false;      ///< DELIVERBY carried a min-by-time
    std::uint64_t deliverby_min = 0;   ///< RFC 2852 §4: minimum by-time in seconds
    std::uint64_t futurerelease_interval = 0;    ///< RFC 4865 §3: max-future-release-interval
    std::string_view futurerelease_datetime{};   ///< RFC 4865 §3: max-future-release-date-time
    std::string_view mt_priority_policy{};       ///< RFC 6710 §3: priority-profile, may be empty
    std::uint32_t limit_rcptmax = 0;             ///< RFC 9422 RCPTMAX; 0 = not advertised
    std::uint32_t limit_mailmax = 0;             ///< RFC 9422 MAILMAX
    std::uint32_t limit_rcptdomainmax = 0;       ///< RFC 9422 RCPTDOMAINMAX
    std::array<ehlo_keyword, max_unknown> unknown{};  ///< unknown keywords, in order
    std::uint16_t unknown_count = 0;   ///< how many of `unknown` are filled
    std::uint16_t unknown_overflow = 0;///< unknown keywords that did not fit
    std::uint16_t malformed_lines = 0; ///< lines after the first that are not an `ehlo-line`
    std::uint32_t lines = 0;           ///< lines in the reply

    [[nodiscard]] constexpr bool ok() const noexcept { return code == 250; }
    [[nodiscard]] constexpr bool has(ehlo_ext e) const noexcept {
        return (extensions & static_cast<std::uint32_t>(e)) != 0;
    }
    [[nodiscard]] constexpr bool has(sasl_mech m) const noexcept {
        return (auth_mechanisms & static_cast<std::uint32_t>(m)) != 0;
    }
};

/// The outcome of `parse_ehlo`.
struct ehlo_result {
    status st = status::need_more;
    reply_error error = reply_error::none;  ///< when `st == failed`
    std::size_t consumed = 0;              ///< octets of the reply, when `st == complete`
};

namespace detail {

/// ASCII letters of a packed word to upper case, eight at a time (other octets unchanged).
constexpr std::uint64_t upper8(std::uint64_t x) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101ull;
    constexpr std::uint64_t highs = 0x8080808080808080ull;
    const std::uint64_t h = x & ~highs;
    const std::uint64_t ge_a = h + ones * (0x80 - 'a');
    const std::uint64_t gt_z = h + ones * (0x80 - 'z' - 1);
    const std::uint64_t lower = (ge_a ^ gt_z) & ~x & highs;
    return x ^ (lower >> 2);
}

/// Upper-cased first min(8, n) octets of `s`, packed like `pack()`. `avail` octets from
/// `s.data()` are readable (>= s.size()), so one load serves when there are 8 of them.
constexpr std::uint64_t head8_upper(std::string_view s, std::size_t avail) noexcept {
    const std::size_t n = s.size() < 8 ? s.size() : 8;
    std::uint64_t v = 0;
    if (avail >= 8) {
        v = load8(s.data());
        if (n < 8) v &= (std::uint64_t{1} << (8 * n)) - 1;
    } else {
        for (std::size_t i = 0; i < n; ++i)
            v |= static_cast<std::uint64_t>(static_cast<unsigned char>(s[i])) << (8 * i);
    }
    return upper8(v);
}

/// `ehlo-keyword` characters after the first: ALPHA / DIGIT / "-".
constexpr std::array<bool, 256> make_keyword_table() noexcept {
    std::array<bool, 256> t{};
    for (int c = 0; c < 256; ++c)
        t[static_cast<std::size_t>(c)] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    return t;
}
inline constexpr std::array<bool, 256> keyword_char = make_keyword_table();

static_assert(upper8(pack("pipe-l8z")) == pack("PIPE-L8Z"));
static_assert(upper8(pack("@[`{")) == pack("@[`{"));

/// Decimal without sign; false when empty, not all digits, or above `max`.
constexpr bool parse_decimal(std::string_view s, std::uint64_t max, std::uint64_t& out) noexcept {
    if (s.empty() || s.size() > 20) return false;
    std::uint64_t v = 0;
    for (const char c : s) {
        if (c < '0' || c > '9') return false;
        const auto d = static_cast<std::uint64_t>(c - '0');
        if (v > (max - d) / 10) return false;
        v = v * 10 + d;
    }
    out = v;
    return true;
}

/// The next SP-separated word of `s` from `pos`, advancing `pos` (runs of SP are skipped).
constexpr std::string_view next_word(std::string_view s, std::size_t& pos) noexcept {
    while (pos < s.size() && s[pos] == ' ') ++pos;
    const std::size_t start = pos;
    while (pos < s.size() && s[pos] != ' ') ++pos;
    return s.substr(start, pos - start);
}

struct sasl_entry {
    std::string_view name;
    sasl_mech bit;
};
inline constexpr sasl_entry sasl_table[] = {
    {"PLAIN", sasl_mech::plain},
    {"LOGIN", sasl_mech::login},
    {"CRAM-MD5", sasl_mech::cram_md5},
    {"DIGEST-MD5", sasl_mech::digest_md5},
    {"XOAUTH2", sasl_mech::xoauth2},
    {"OAUTHBEARER", sasl_mech::oauthbearer},
    {"SCRAM-SHA-1", sasl_mech::scram_sha_1},
    {"SCRAM-SHA-1-PLUS", sasl_mech::scram_sha_1_plus},
    {"SCRAM-SHA-256", sasl_mech::scram_sha_256},
    {"SCRAM-SHA-256-PLUS", sasl_mech::scram_sha_256_plus},
    {"GSSAPI", sasl_mech::gssapi},
    {"NTLM", sasl_mech::ntlm},
    {"EXTERNAL", sasl_mech::external},
    {"ANONYMOUS", sasl_mech::anonymous},
};

/// RFC 4954 §3: `"AUTH" 1*(SP sasl-mech)`; mechanisms are case-insensitive.
constexpr void parse_auth(std::string_view params, ehlo_capabilities& caps) noexcept {
    caps.auth_params = params;
    std::size_t pos = 0;
    for (;;) {
        const std::string_view w = next_word(params, pos);
        if (w.empty()) return;
        bool known = false;
        for (const sasl_entry& e : sasl_table) {
            if (iequals_upper(w, e.name)) {
                caps.auth_mechanisms |= static_cast<std::uint32_t>(e.bit);
                known = true;
                break;
            }
        }
        if (!known) ++caps.auth_unknown;
    }
}

/// RFC 9422 §4: `"LIMITS" SP limit *(SP limit)`, `limit = limit-name "=" limit-value`.
/// Unknown names and malformed values are ignored (§4: "MUST ignore").
constexpr void parse_limits(std::string_view params, ehlo_capabilities& caps) noexcept {
    std::size_t pos = 0;
    for (;;) {
        const std::string_view w = next_word(params, pos);
        if (w.empty()) return;
        const std::size_t eq = w.find('=');
        if (eq == std::string_view::npos) continue;
        const std::string_view name = w.substr(0, eq);
        std::uint64_t v = 0;
        if (!parse_decimal(w.substr(eq + 1), 0xFFFFFFFFu, v)) continue;
        const auto v32 = static_cast<std::uint32_t>(v);
        if (iequals_upper(name, "RCPTMAX")) caps.limit_rcptmax = v32;
        else if (iequals_upper(name, "MAILMAX")) caps.limit_mailmax = v32;
        else if (iequals_upper(name, "RCPTDOMAINMAX")) caps.limit_rcptdomainmax = v32;
    }
}

/**
 * One capability line. RFC 5321 §4.1.1.1:
 * ```
 * ehlo-line    = ehlo-keyword *( SP ehlo-param )
 * ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
 * ehlo-param   = 1*(%d33-126)
 * ```
 * DEVIATION: "=" may also end the keyword (`AUTH=LOGIN PLAIN`, an old draft form still sent
 * by Microsoft servers; Postfix accepts it for every keyword, and so do we).
 */
constexpr SMTPP_HOT_INLINE void parse_ehlo_line(std::string_view t, std::size_t avail, ehlo_capabilities& caps) noexcept {
    std::size_t k = 0;
    if (!t.empty() && is_alnum(t[0])) {
        k = 1;
        while (k < t.size() && keyword_char[static_cast<unsigned char>(t[k])]) ++k;
    }
    if (k == 0 || (k < t.size() && t[k] != ' ' && t[k] != '=')) {
        ++caps.malformed_lines;
        return;
    }
    const std::string_view kw = t.substr(0, k);
    std::string_view params = k < t.size() ? t.substr(k + 1) : std::string_view{};
    while (!params.empty() && params.back() == ' ') params.remove_suffix(1);
    const std::size_t n = kw.size();
    auto tail = [&](std::string_view upper_tail) { return iequals_upper(kw.substr(8), upper_tail); };
    std::uint32_t bit = 0;
    switch (head8_upper(kw, avail)) {
        case pack("PIPELINI"): if (n == 10 && tail("NG")) bit = static_cast<std::uint32_t>(ehlo_ext::pipelining); break;
        case pack("SIZE"):
            if (n == 4) {
                bit = static_cast<std::uint32_t>(ehlo_ext::size);
                // RFC 1870 §4: `"SIZE" [SP number]`; no number (or a bad one, as Postfix
                // treats it) means the limit is not announced.
                std::uint64_t v = 0;
                caps.size_known = parse_decimal(params, ~std::uint64_t{0}, v);
                caps.size = caps.size_known ? v : 0;
            }
            break;
        case pack("8BITMIME"): if (n == 8) bit = static_cast<std::uint32_t>(ehlo_ext::eightbitmime); break;
        case pack("SMTPUTF8"): if (n == 8) bit = static_cast<std::uint32_t>(ehlo_ext::smtputf8); break;
        case pack("DSN"): if (n == 3) bit = static_cast<std::uint32_t>(ehlo_ext::dsn); break;
        case pack("CHUNKING"): if (n == 8) bit = static_cast<std::uint32_t>(ehlo_ext::chunking); break;
        case pack("BINARYMI"): if (n == 10 && tail("ME")) bit = static_cast<std::uint32_t>(ehlo_ext::binarymime); break;
        case pack("STARTTLS"): if (n == 8) bit = static_cast<std::uint32_t>(ehlo_ext::starttls); break;
        case pack("ENHANCED"):
            if (n == 19 && tail("STATUSCODES")) bit = static_cast<std::uint32_t>(ehlo_ext::enhancedstatuscodes);
            break;
        case pack("AUTH"):
            if (n == 4) {
                bit = static_cast<std::uint32_t>(ehlo_ext::auth);
                parse_auth(params, caps);
            }
            break;
        case pack("REQUIRET"): if (n == 10 && tail("LS")) bit = static_cast<std::uint32_t>(ehlo_ext::requiretls); break;
        case pack("DELIVERB"):
            if (n == 9 && tail("Y")) {
                // RFC 2852 §4: `"DELIVERBY" [SP Min-by-time]`
                bit = static_cast<std::uint32_t>(ehlo_ext::deliverby);
                std::uint64_t v = 0;
                caps.deliverby_known = parse_decimal(params, ~std::uint64_t{0}, v);
                caps.deliverby_min = caps.deliverby_known ? v : 0;
            }
            break;
        case pack("FUTURERE"):
            if (n == 13 && tail("LEASE")) {
                // RFC 4865 §3: `"FUTURERELEASE" SP max-future-release-interval SP
                //               max-future-release-date-time`
                bit = static_cast<std::uint32_t>(ehlo_ext::futurerelease);
                std::size_t pos = 0;
                std::uint64_t v = 0;
                if (parse_decimal(next_word(params, pos), ~std::uint64_t{0}, v)) caps.futurerelease_interval = v;
                caps.futurerelease_datetime = next_word(params, pos);
            }
            break;
        case pack("MT-PRIOR"):
            if (n == 11 && tail("ITY")) {
                bit = static_cast<std::uint32_t>(ehlo_ext::mt_priority);
                caps.mt_priority_policy = params;
            }
            break;
        case pack("RRVS"): if (n == 4) bit = static_cast<std::uint32_t>(ehlo_ext::rrvs); break;
        case pack("LIMITS"):
            if (n == 6) {
                bit = static_cast<std::uint32_t>(ehlo_ext::limits);
                parse_limits(params, caps);
            }
            break;
        case pack("VRFY"): if (n == 4) bit = static_cast<std::uint32_t>(ehlo_ext::vrfy); break;
        case pack("ETRN"): if (n == 4) bit = static_cast<std::uint32_t>(ehlo_ext::etrn); break;
        case pack("HELP"): if (n == 4) bit = static_cast<std::uint32_t>(ehlo_ext::help); break;
        case pack("EXPN"): if (n == 4) bit = static_cast<std::uint32_t>(ehlo_ext::expn); break;
        default: break;
    }
    if (bit != 0) {
        caps.extensions |= bit;
        return;
    }
    if (caps.unknown_count < ehlo_capabilities::max_unknown) {
        caps.unknown[caps.unknown_count++] = ehlo_keyword{kw, params};
    } else if (caps.unknown_overflow != 0xFFFF) {
        ++caps.unknown_overflow;
    }
}

}  // namespace detail

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
                                 const reply_options& opt = reply_options{}) noexcept {
    caps = ehlo_capabilities{};
    ehlo_result res{};
    std::size_t pos = 0;
    std::uint64_t total = 0;
    for (std::uint32_t index = 0;; ++index) {
        const std::string_view rest = bytes.substr(pos);
        const bool first = index == 0;
        const detail::line_scan sc =
            detail::scan_line(rest, opt.max_line, opt.allow_bare_lf, opt.allow_8bit, opt.allow_ctl || first);
        if (sc.error != reply_error::none) {
            res.st = status::failed;
            res.error = sc.error;
            return res;
        }
        if (!sc.found) return res;  // need_more
        const std::string_view content = rest.substr(0, sc.content_end);
        const detail::parsed_reply_line p = detail::parse_reply_line(content);
        reply_error err = p.error;
        if (err == reply_error::none && first && sc.saw_ctl && !opt.allow_ctl && p.code != 250)
            err = reply_error::bad_char;
        if (err == reply_error::none && !first && p.code != caps.code) err = reply_error::code_mismatch;
        total += sc.next;
        if (err == reply_error::none && ((opt.max_lines != 0 && index + 1 > opt.max_lines) ||
                                         (opt.max_reply_bytes != 0 && total > opt.max_reply_bytes)))
            err = reply_error::reply_too_long;
        if (err != reply_error::none) {
            res.st = status::failed;
            res.error = err;
            return res;
        }
        pos += sc.next;
        caps.lines = index + 1;
        if (first) caps.code = p.code;
        if (p.code == 250) {
            // The raw text after "250-": an EHLO line is not subject to RFC 2034 codes.
            const std::string_view t = content.substr(content.size() > 4 ? 4 : content.size());
            if (first) {
                const std::size_t sp = t.find(' ');
                caps.domain = t.substr(0, sp);
                caps.greet = sp == std::string_view::npos ? std::string_view{} : t.substr(sp + 1);
            } else {
                detail::parse_ehlo_line(t, bytes.size() - static_cast<std::size_t>(t.data() - bytes.data()), caps);
            }
        }
        if (p.last) {
            res.st = status::complete;
            res.consumed = pos;
            return res;
        }
    }
}

}  // namespace smtpp

#endif
