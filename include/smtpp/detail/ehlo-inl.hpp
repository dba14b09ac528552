/**
 * @file detail/ehlo-inl.hpp
 * @brief The body of `parse_ehlo`: the walk over the reply's lines, with a fast path for the
 *        usual line and the general one (the reply reader's scanner) beside it.
 * @private Included by ehlo.hpp only, after the public types and the other ehlo_ details.
 */
#ifndef SMTPP_DETAIL_EHLO_INL_HPP
#define SMTPP_DETAIL_EHLO_INL_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace smtpp {
namespace detail {

/// `caps = ehlo_capabilities{}`. At run time the same value is written as zero octets
/// (integers, false, and empty views: a null pointer and a zero length; tested against
/// `ehlo_capabilities{}`) in ascending stores (see `detail::zero_object`), where compilers
/// build, zero and copy a temporary. No field list: a field added later is reset too.
constexpr void reset(ehlo_capabilities& caps) noexcept {
    if (in_constant_evaluation()) {
        caps = ehlo_capabilities{};
    } else {
        zero_object(caps);
    }
}

/**
 * A capability line after the first: `t` is its text after "250-" / "250 ", `avail`
 * (>= t.size()) octets are readable from `t.data()`, `saw_ctl` when the scanner let a
 * control octet through (`allow_ctl`).
 */
constexpr SMTPP_HOT_INLINE void capability_line(std::string_view t, std::size_t avail, bool saw_ctl,
                                                ehlo_capabilities& caps) noexcept {
    // Without control octets, a recognised keyword is found straight from the table (OR
    // 0x20 maps no other printable or 8-bit octet onto its alphabet); anything else goes
    // through the line parser.
    const std::size_t slot = saw_ctl ? no_keyword : find_keyword(t.data(), t.size(), avail);
    if (slot != no_keyword) {
        caps.extensions |= apply_keyword(slot, t, avail, caps);
    } else {
        parse_ehlo_line(t, avail, caps);
    }
}

/// The options of `parse_ehlo` as the walk reads them: local copies (`caps` is written in
/// the loop, and clang reloads what it reads through a reference after each store), the
/// limits as bounds (0 = none = the largest value).
struct ehlo_limits {
    std::size_t max_line = 512;
    std::uint32_t max_lines = 0;
    std::uint64_t max_reply_bytes = 0;
    bool allow_bare_lf = false;
    bool allow_8bit = true;
    bool allow_ctl = false;
};

constexpr ehlo_limits limits_of(const reply_options& opt) noexcept {
    ehlo_limits l{};
    // As the reply reader: a limit under 4 octets cannot hold "250\r\n"; use the RFC's 512.
    l.max_line = opt.max_line < 4 ? std::size_t{512} : opt.max_line;
    l.max_lines = opt.max_lines == 0 ? ~std::uint32_t{0} : opt.max_lines;
    l.max_reply_bytes = opt.max_reply_bytes == 0 ? ~std::uint64_t{0} : opt.max_reply_bytes;
    l.allow_bare_lf = opt.allow_bare_lf;
    l.allow_8bit = opt.allow_8bit;
    l.allow_ctl = opt.allow_ctl;
    return l;
}

/// Where the walk stands: the octets read (the reader's reply size), the lines read, and
/// the first line's code (`caps.code`).
struct ehlo_walk {
    std::size_t pos = 0;
    std::uint32_t index = 0;
    std::uint16_t code = 0;
};

/**
 * The fast path for a line after the first of a 250 reply, when it is the usual one:
 * "250-" or "250 ", then octets that are neither control octets, DEL nor (unless
 * `allow_8bit`) 8-bit ones, then CRLF, within `limit` octets and the `avail` readable from
 * `p`. Returns the offset of its CR, or 0 when the line is any other (the general path,
 * `general_line`, then reads it; on the lines accepted here it gives the same result, which
 * `parse_ehlo_plain`, the twin without this path, lets the tests and fuzz_ehlo check).
 */
constexpr SMTPP_HOT_INLINE std::size_t usual_250_line(const char* p, std::size_t avail, std::size_t limit,
                                                      bool allow_8bit) noexcept {
    if (avail < 6 || p[0] != '2' || p[1] != '5' || p[2] != '0' || (p[3] != '-' && p[3] != ' ')) return 0;
    const std::size_t window = avail < limit ? avail : limit;  // >= 4: limit >= 4
    const std::size_t cr = 4 + find_special(p + 4, window - 4, avail - 4, allow_8bit);
    if (cr + 1 >= window || p[cr] != '\r' || p[cr + 1] != '\n') return 0;
    return cr;
}

/// Ends the walk with `e`; true, for `return fail(...)` in the line readers.
constexpr bool fail(ehlo_result& res, reply_error e) noexcept {
    res.st = status::failed;
    res.error = e;
    return true;
}

/// Ends the walk on the reply's last line.
constexpr void complete(ehlo_result& res, const ehlo_walk& w) noexcept {
    res.st = status::complete;
    res.consumed = w.pos;
}

/**
 * Reads the line at `w.pos` with the reply reader's scanner and line parser (every case:
 * the first line, other codes, HT, tolerated control octets, bare LF, the limits). True
 * when the walk ends there (`res` says how: complete, failed or need_more).
 */
constexpr bool general_line(std::string_view bytes, const ehlo_limits& lim, ehlo_walk& w, ehlo_capabilities& caps,
                            ehlo_result& res) noexcept {
    const std::string_view rest(bytes.data() + w.pos, bytes.size() - w.pos);
    const bool first = w.index == 0;
    const line_scan sc = scan_line(rest, lim.max_line, lim.allow_bare_lf, lim.allow_8bit, lim.allow_ctl || first);
    if (sc.error != reply_error::none) return fail(res, sc.error);
    if (!sc.found) return true;  // need_more
    const std::string_view content(rest.data(), sc.content_end);
    // "250-" and "250 " without the general line parser, whose enhanced-code parsing an
    // EHLO line does not use.
    parsed_reply_line p{};
    if (content.size() >= 4 && sub(content, 0, 3) == "250" && (content[3] == '-' || content[3] == ' ')) {
        p.code = 250;
        p.last = content[3] == ' ';
    } else {
        p = parse_reply_line(content);
    }
    // The first failed check only, in the reply reader's order.
    if (p.error != reply_error::none) return fail(res, p.error);
    if (first ? sc.saw_ctl && !lim.allow_ctl && p.code != 250 : p.code != w.code)
        return fail(res, first ? reply_error::bad_char : reply_error::code_mismatch);
    if (w.index + 1 > lim.max_lines || w.pos + sc.next > lim.max_reply_bytes)
        return fail(res, reply_error::reply_too_long);
    w.pos += sc.next;
    caps.lines = ++w.index;
    if (first) {
        w.code = p.code;
        caps.code = p.code;
    }
    if (p.code == 250) {
        // The raw text after "250-": an EHLO line is not subject to RFC 2034 codes.
        const std::size_t skip = content.size() > 4 ? 4 : content.size();
        const std::string_view t(content.data() + skip, content.size() - skip);
        const std::size_t avail = bytes.size() - static_cast<std::size_t>(t.data() - bytes.data());
        if (first) {
            const std::size_t sp = find_sp(t.data(), t.size(), avail);
            caps.domain = std::string_view(t.data(), sp);
            caps.greet = sp == t.size() ? std::string_view{} : std::string_view(t.data() + sp + 1, t.size() - sp - 1);
        } else {
            capability_line(t, avail, sc.saw_ctl, caps);
        }
    }
    if (!p.last) return false;
    complete(res, w);
    return true;
}

/// `parse_ehlo`, with the fast path for the usual lines (`Fast`) or without it (the plain
/// twin).
template <bool Fast>
constexpr ehlo_result parse_ehlo_lines(std::string_view bytes, ehlo_capabilities& caps,
                                       const reply_options& opt) noexcept {
    reset(caps);
    ehlo_result res{};
    const ehlo_limits lim = limits_of(opt);
    ehlo_walk w{};
    for (;;) {
        if constexpr (Fast) {
            if (w.code == 250) {  // after the first line of a 250 reply
                const char* const p = bytes.data() + w.pos;
                const std::size_t avail = bytes.size() - w.pos;
                const std::size_t cr = usual_250_line(p, avail, lim.max_line, lim.allow_8bit);
                if (cr != 0) {
                    if (w.index + 1 > lim.max_lines || w.pos + cr + 2 > lim.max_reply_bytes) {
                        fail(res, reply_error::reply_too_long);
                        return res;
                    }
                    w.pos += cr + 2;
                    caps.lines = ++w.index;
                    capability_line(std::string_view(p + 4, cr - 4), avail - 4, false, caps);
                    if (p[3] == ' ') {
                        complete(res, w);
                        return res;
                    }
                    continue;
                }
            }
        }
        if (general_line(bytes, lim, w, caps, res)) return res;
    }
}

/// `parse_ehlo` without its fast path: the plain twin the tests and fuzz_ehlo compare it
/// with, field by field.
constexpr ehlo_result parse_ehlo_plain(std::string_view bytes, ehlo_capabilities& caps,
                                       const reply_options& opt = reply_options{}) noexcept {
    return parse_ehlo_lines<false>(bytes, caps, opt);
}

}  // namespace detail

constexpr std::string_view to_string(sasl_mech m) noexcept {
    for (const detail::sasl_mech_name& n : detail::sasl_mech_names)
        if (n.mech == m) return n.name;
    return "unknown";
}

constexpr ehlo_result parse_ehlo(std::string_view bytes, ehlo_capabilities& caps, const reply_options& opt) noexcept {
    return detail::parse_ehlo_lines<true>(bytes, caps, opt);
}

}  // namespace smtpp

#endif
