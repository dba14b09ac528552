/**
 * @file reply.hpp
 * @brief The client side of RFC 5321 §4.2: an incremental reply reader, enhanced status code
 *        parsing and formatting (RFC 3463, RFC 2034), and a reply formatter for servers.
 *
 * Nothing here allocates, throws or performs I/O.
 *
 * Lifetimes. A `reply_line` produced by `basic_reply_reader::next_line` holds views either
 * into the chunk the caller passed (when the whole line lies inside it: zero copy) or into
 * the reader's own fixed buffer (when the line was split across chunks). Either way the
 * views stay valid until the next call on the reader or until the chunk's bytes are
 * released, whichever comes first. Copy what you need before feeding more bytes.
 *
 * @code
 * smtpp::reply_reader rd;
 * std::string_view in = bytes_from_socket;
 * smtpp::reply_line ln;
 * for (;;) {
 *     auto st = rd.next_line(in, ln);
 *     if (st == smtpp::status::need_more) break;          // read more, call again
 *     if (st == smtpp::status::failed) { close(rd.error()); break; }
 *     use(ln.code, ln.esc, ln.text);
 *     if (ln.last) reply_done(rd.summary());
 * }
 * @endcode
 */
#ifndef SMTPP_REPLY_HPP
#define SMTPP_REPLY_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core.hpp"
#include "detail/ascii.hpp"

namespace smtpp {

// ================================================================================================
// Errors
// ================================================================================================

/// What went wrong with a reply. Values are explicit and append-only.
enum class reply_error : std::uint8_t {
    none = 0,
    bad_code = 1,         ///< not `Reply-code = %x32-35 %x30-35 %x30-39` (RFC 5321 §4.2)
    bad_separator = 2,    ///< the octet after the code is neither SP, "-" nor the line end
    code_mismatch = 3,    ///< a line of a multi-line reply carries another code (§4.2.1)
    line_too_long = 4,    ///< a line is longer than `max_line` octets with CRLF (§4.5.3.1.5)
    bare_cr = 5,          ///< CR not followed by LF
    bare_lf = 6,          ///< LF without CR (unless `allow_bare_lf`)
    bad_char = 7,         ///< NUL, a control character or a refused 8-bit octet in the text
    reply_too_long = 8,   ///< the reply exceeds `max_lines` or `max_reply_bytes`
    unexpected_data = 9,  ///< bytes after a reply that had to end the read (STARTTLS, §2.3)
    truncated = 10,       ///< the stream ended inside a line or a multi-line reply
};

/// The name of an error, for logs.
constexpr std::string_view to_string(reply_error e) noexcept {
    switch (e) {
        case reply_error::none: return "none";
        case reply_error::bad_code: return "bad reply code";
        case reply_error::bad_separator: return "bad separator after reply code";
        case reply_error::code_mismatch: return "reply code differs between lines";
        case reply_error::line_too_long: return "reply line too long";
        case reply_error::bare_cr: return "bare CR in reply";
        case reply_error::bare_lf: return "bare LF in reply";
        case reply_error::bad_char: return "forbidden character in reply text";
        case reply_error::reply_too_long: return "reply too long";
        case reply_error::unexpected_data: return "unexpected data after reply";
        case reply_error::truncated: return "connection closed inside a reply";
    }
    return "unknown";
}

/**
 * The status a client records for the message when the server's reply is unusable (what it
 * puts in a delivery status notification, RFC 3464, and in its logs). All are transient:
 * a broken reply says nothing about the message.
 */
constexpr reply_hint reply_for(reply_error e) noexcept {
    switch (e) {
        case reply_error::none: return {250, {2, 0, 0}, "OK"};
        case reply_error::unexpected_data:
            return {451, {4, 7, 0}, "Remote server sent data it must not send after its reply"};
        case reply_error::truncated: return {421, {4, 4, 2}, "Connection lost inside a reply"};
        case reply_error::line_too_long:
        case reply_error::reply_too_long:
            return {451, {4, 5, 0}, "Remote server sent an over-long reply"};
        default: break;
    }
    return {451, {4, 5, 0}, "Remote server sent a malformed reply"};
}

// ================================================================================================
// Enhanced status codes (RFC 3463 §2, RFC 2034 §4)
// ================================================================================================

/**
 * Parses an enhanced status code at the start of `s`.
 *
 * RFC 3463 §2:
 * ```
 * status-code = class "." subject "." detail
 * class       = "2" / "4" / "5"
 * subject     = 1*3digit
 * detail      = 1*3digit
 * ```
 * RFC 2034 §4: the code "is always followed by one or more spaces"; at the end of a line it
 * may stand alone. So the code must be followed by SP or the end of `s`.
 *
 * @param s   bytes to look at (never read past `s.size()`)
 * @param out receives the code when one is found; untouched otherwise
 * @return the number of octets of the code (5..9), or 0 when `s` does not start with one
 */
constexpr std::size_t parse_enhanced_code(std::string_view s, enhanced_code& out) noexcept {
    const std::size_t n = s.size();
    if (n < 5) return 0;
    const char c = s[0];
    if ((c != '2' && c != '4' && c != '5') || s[1] != '.') return 0;
    std::size_t i = 2;
    unsigned part[2] = {0, 0};
    for (int k = 0; k < 2; ++k) {
        const std::size_t start = i;
        unsigned v = 0;
        while (i < n && i - start < 3 && s[i] >= '0' && s[i] <= '9') {
            v = v * 10 + static_cast<unsigned>(s[i] - '0');
            ++i;
        }
        if (i == start) return 0;
        part[k] = v;
        if (k == 0) {
            if (i >= n || s[i] != '.') return 0;
            ++i;
        }
    }
    if (i < n && s[i] != ' ') return 0;  // "2.0.0x", or a fourth digit: text, not a code
    out.cls = static_cast<std::uint8_t>(c - '0');
    out.subject = static_cast<std::uint16_t>(part[0]);
    out.detail = static_cast<std::uint16_t>(part[1]);
    return i;
}

/// True when `e` could be sent: class 2, 4 or 5, subject and detail 0..999.
constexpr bool is_valid(enhanced_code e) noexcept {
    return (e.cls == 2 || e.cls == 4 || e.cls == 5) && e.subject <= 999 && e.detail <= 999;
}

/// An enhanced code as text, in fixed storage ("5.7.1").
struct enhanced_code_text {
    char data[12] = {};
    std::uint8_t size = 0;
    [[nodiscard]] constexpr std::string_view view() const noexcept { return {data, size}; }
};

namespace detail {
constexpr std::size_t put_uint(char* p, unsigned v) noexcept {
    char tmp[10] = {};
    std::size_t n = 0;
    do {
        tmp[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (std::size_t i = 0; i < n; ++i) p[i] = tmp[n - 1 - i];
    return n;
}
}  // namespace detail

/// Formats `e` as `class.subject.detail`; an invalid code gives an empty text.
constexpr enhanced_code_text format_enhanced_code(enhanced_code e) noexcept {
    enhanced_code_text t{};
    if (!is_valid(e)) return t;
    std::size_t n = detail::put_uint(t.data, e.cls);
    t.data[n++] = '.';
    n += detail::put_uint(t.data + n, e.subject);
    t.data[n++] = '.';
    n += detail::put_uint(t.data + n, e.detail);
    t.size = static_cast<std::uint8_t>(n);
    return t;
}

// ================================================================================================
// One reply line
// ================================================================================================

/// True for `Reply-code = %x32-35 %x30-35 %x30-39` (RFC 5321 §4.2).
constexpr bool is_valid_reply_code(unsigned code) noexcept {
    return code >= 200 && code <= 559 && (code / 10) % 10 <= 5;
}

/// One line of a reply, as the reader reports it.
struct reply_line {
    std::uint16_t code = 0;     ///< the three-digit reply code
    bool last = false;          ///< SP or nothing after the code: the reply ends here
    enhanced_code esc{};        ///< the enhanced status code, empty when there is none
    std::string_view text{};    ///< the text after the code, separator and enhanced code
    std::string_view line{};    ///< the whole line without its line ending
    std::uint32_t index = 0;    ///< 0-based position of the line in its reply
};

/// A whole reply, reported when its last line has been read.
struct reply_summary {
    std::uint16_t code = 0;     ///< the reply code (the same on every line)
    std::uint32_t lines = 0;    ///< how many lines the reply had
    enhanced_code esc{};        ///< the first enhanced code of the reply, empty when none
    std::uint32_t bytes = 0;    ///< octets on the wire, line endings included
};

namespace detail {

struct parsed_reply_line {
    reply_error error = reply_error::none;
    std::uint16_t code = 0;
    bool last = false;
    enhanced_code esc{};
    std::string_view text{};
};

/**
 * Parses one reply line without its line ending (the characters have been checked by
 * the scanner already).
 *
 * RFC 5321 §4.2:
 * ```
 * Reply-line = *( Reply-code "-" [ textstring ] CRLF )
 *              Reply-code [ SP textstring ] CRLF
 * Reply-code = %x32-35 %x30-35 %x30-39
 * ```
 * The enhanced code (RFC 2034 §4) is taken only when its class equals the first digit of
 * the reply code; otherwise it stays part of the text (RFC 3463 §2, Postfix smtp_chat.c).
 * So a 3xx reply never carries one.
 */
constexpr SMTPP_HOT_INLINE parsed_reply_line parse_reply_line(std::string_view s) noexcept {
    parsed_reply_line r{};
    if (s.size() < 3 || s[0] < '2' || s[0] > '5' || s[1] < '0' || s[1] > '5' || s[2] < '0' || s[2] > '9') {
        r.error = reply_error::bad_code;
        return r;
    }
    r.code = static_cast<std::uint16_t>((s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0'));
    if (s.size() == 3) {  // "250" alone: clients MUST accept the code without SP (§4.2)
        r.last = true;
        return r;
    }
    if (s[3] == ' ') {
        r.last = true;
    } else if (s[3] != '-') {
        r.error = reply_error::bad_separator;
        return r;
    }
    std::string_view text = detail::sub(s, 4);
    if (!text.empty() && text[0] == s[0]) {
        enhanced_code e{};
        const std::size_t n = parse_enhanced_code(text, e);
        if (n != 0) {
            r.esc = e;
            std::size_t i = n;
            while (i < text.size() && text[i] == ' ') ++i;
            text.remove_prefix(i);
        }
    }
    r.text = text;
    return r;
}

/// Loads 8 octets little-endian; constexpr. (gcc does not always fold the loop into one
/// load: `load8_word` is the one to use on a hot path.)
constexpr std::uint64_t load8(const char* p) noexcept {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
        v |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    return v;
}

/// `load8` as one machine load at run time on little-endian targets, the byte loop in
/// constant evaluation and elsewhere.
constexpr SMTPP_HOT_INLINE std::uint64_t load8_word(const char* p) noexcept {
#if SMTPP_WORD_LOADS
    if (!in_constant_evaluation()) return load_word64(p);
#endif
    return load8(p);
}


/**
 * The index of the first octet in `p[0, window)` that is a control character (< 0x20, which
 * includes CR and LF) or DEL, or also >= 0x80 when `allow_8bit` is false; `window` when
 * none. Eight octets at a time (SWAR; the lowest flagged octet of a word is exact). `avail`
 * (>= window) octets are readable, so whole words may look past the window when the input
 * goes on, and short lines inside a long buffer need no byte-by-byte tail.
 */
constexpr SMTPP_HOT_INLINE std::size_t find_special_words(const char* p, std::size_t window, std::size_t avail,
                                                          bool allow_8bit) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101ull;
    constexpr std::uint64_t highs = 0x8080808080808080ull;
    std::size_t i = 0;
    for (; i < window && i + 8 <= avail; i += 8) {
        const std::uint64_t x = load8_word(p + i);
        std::uint64_t m = ((x - ones * 0x20) & ~x & highs);      // octets < 0x20
        const std::uint64_t d = x ^ (ones * 0x7F);
        m |= ((d - ones) & ~d & highs);                          // octets == 0x7F
        if (!allow_8bit) m |= x & highs;
        if (m != 0) {
            const std::size_t at = i + ctz64(m) / 8;
            return at < window ? at : window;
        }
    }
    for (; i < window; ++i) {
        const auto c = static_cast<unsigned char>(p[i]);
        if (c < 0x20 || c == 0x7F || (!allow_8bit && c >= 0x80)) return i;
    }
    return window;
}

#if SMTPP_SIMD_SSE2
/// SSE2 twin of find_special_words, sixteen octets a step while sixteen are readable.
SMTPP_HOT_INLINE std::size_t find_special_sse2(const char* p, std::size_t window, std::size_t avail,
                                               bool allow_8bit) noexcept {
    std::size_t i = 0;
    for (; i < window && i + 16 <= avail; i += 16) {
        const v16 x = v16_load(p + i);
        // x + 1 as a signed octet is above 0x20 exactly for 0x20..0x7E (DEL and the octets
        // from 0x80 on turn negative, 0xFF turns 0); the high bit marks 8-bit octets.
        const unsigned printable = v16_mask(v16_gt(v16_add(x, v16_splat(1)), v16_splat(0x20)));
        const unsigned special = ~(printable | (allow_8bit ? v16_mask(x) : 0u)) & 0xFFFFu;
        if (special != 0) {
            const std::size_t at = i + ctz64(special);
            return at < window ? at : window;
        }
    }
    if (i >= window) return window;
    return i + find_special_words(p + i, window - i, avail - i, allow_8bit);
}
#endif

/**
 * The index of the first octet in `p[0, window)` that is a control character (< 0x20, which
 * includes CR and LF) or DEL, or also >= 0x80 when `allow_8bit` is false; `window` when
 * none. `avail` (>= window) octets are readable. SSE2 at run time where available, the
 * word-at-a-time twin elsewhere and in constant evaluation.
 */
constexpr SMTPP_HOT_INLINE std::size_t find_special(const char* p, std::size_t window, std::size_t avail,
                                                    bool allow_8bit) noexcept {
#if SMTPP_SIMD_SSE2
    if (!in_constant_evaluation()) return find_special_sse2(p, window, avail, allow_8bit);
#endif
    return find_special_words(p, window, avail, allow_8bit);
}

/// Where the scanner stopped.
struct line_scan {
    reply_error error = reply_error::none;
    bool found = false;          ///< the line ending was found
    bool pending_cr = false;     ///< not found, and the last octet looked at is a CR
    std::size_t content_end = 0; ///< end of the line content (before CR/LF)
    std::size_t next = 0;        ///< first octet after the line ending
    bool saw_ctl = false;        ///< a tolerated control character was seen
};

/**
 * Looks for the end of a line in `s`, checking every octet on the way. `limit` is how
 * many octets of this line (its ending included) may still come. Stops at the first
 * problem, so the outcome depends only on the octets seen, never on how they were split.
 */
constexpr SMTPP_HOT_INLINE line_scan scan_line(std::string_view s, std::size_t limit, bool allow_bare_lf, bool allow_8bit,
                              bool allow_ctl) noexcept {
    line_scan r{};
    const std::size_t window = s.size() < limit ? s.size() : limit;
    std::size_t pos = 0;
    for (;;) {
        const std::size_t i = pos + find_special(s.data() + pos, window - pos, s.size() - pos, allow_8bit);
        if (i == window) {
            if (window == limit) r.error = reply_error::line_too_long;
            r.content_end = window;
            return r;
        }
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '\r') {
            if (i + 1 >= limit) {
                r.error = reply_error::line_too_long;
            } else if (i + 1 >= s.size()) {
                r.pending_cr = true;
                r.content_end = i;
            } else if (s[i + 1] == '\n') {
                r.found = true;
                r.content_end = i;
                r.next = i + 2;
            } else {
                r.error = reply_error::bare_cr;
            }
            return r;
        }
        if (c == '\n') {
            if (allow_bare_lf) {
                r.found = true;
                r.content_end = i;
                r.next = i + 1;
            } else {
                r.error = reply_error::bare_lf;
            }
            return r;
        }
        if (c == '\t') {
            pos = i + 1;
            continue;
        }
        if (c != 0 && allow_ctl && (c < 0x20 || c == 0x7F)) {
            r.saw_ctl = true;
            pos = i + 1;
            continue;
        }
        r.error = reply_error::bad_char;
        return r;
    }
}

}  // namespace detail

// ================================================================================================
// The reader
// ================================================================================================

/**
 * Limits and leniencies of the reply reader. Every default follows RFC 5321.
 */
struct reply_options {
    /// Longest reply line, code and CRLF included: 512 (RFC 5321 §4.5.3.1.5). Clamped to the
    /// reader's Capacity.
    std::uint32_t max_line = 512;
    /// Most lines in one reply; 0 = no limit (the RFC sets none; the host's timeout bounds it).
    std::uint32_t max_lines = 0;
    /// Most octets in one reply, line endings included; 0 = no limit.
    std::uint32_t max_reply_bytes = 0;
    /// Accept LF alone as a line ending. RISK: low for replies (the client only reads them),
    /// but a client and a proxy that disagree on line ends can be fed different replies.
    bool allow_bare_lf = false;
    /// Accept octets >= 0x80 in text: SMTPUTF8 servers (RFC 6531 §3.7.4) and localized
    /// banners send UTF-8. Views are raw octets; the reader does not validate UTF-8.
    bool allow_8bit = true;
    /// Accept control characters other than HT in text (NUL, CR and LF are never accepted).
    /// RISK: terminal escapes reach logs and users. Without it, only the first line of an
    /// EHLO reply may carry them (`ehlo-greet`, §4.1.1.1), when `expect_ehlo` was called.
    bool allow_ctl = false;
};

/**
 * Reads server replies from a byte stream, one line per call.
 *
 * Split-invariant: the sequence of results is the same however the bytes are cut into
 * chunks. A line that lies inside one chunk is reported without copying; a line cut by a
 * chunk boundary is gathered in the reader's own `Capacity`-byte buffer. Failure is sticky
 * until `reset()`. The reader holds no pointers to itself or to the input: it is trivially
 * copyable and can be stored anywhere (but views into its buffer follow the copy only if
 * taken again).
 *
 * @tparam Capacity the longest line that can be gathered across chunks (with CRLF).
 */
template <std::size_t Capacity = 512>
class basic_reply_reader {
    static_assert(Capacity >= 8 && Capacity <= 0xFFFFFFFFu, "Capacity out of range");

public:
    constexpr basic_reply_reader() noexcept : basic_reply_reader(reply_options{}) {}
    constexpr explicit basic_reply_reader(reply_options o) noexcept : opt_(o) {
        if (opt_.max_line > Capacity || opt_.max_line < 4) opt_.max_line = static_cast<std::uint32_t>(Capacity);
    }

    /**
     * Reads at most one line from `in`, advancing `in` past the consumed octets.
     *
     * @return `complete` with `out` filled (check `out.last` for the end of the reply),
     *         `need_more` when `in` was used up before a line ended (`in` is then empty),
     *         `failed` on an error (see `error()`), and on every call after it.
     */
    SMTPP_CLANG_INLINE constexpr status next_line(std::string_view& in, reply_line& out) noexcept {
        if (error_ != reply_error::none) return status::failed;
        const bool ctl = opt_.allow_ctl || (ehlo_ && lines_ == 0);
        if (len_ == 0 && !pending_cr_) {
            const detail::line_scan sc =
                detail::scan_line(in, opt_.max_line, opt_.allow_bare_lf, opt_.allow_8bit, ctl);
            saw_ctl_ = saw_ctl_ || sc.saw_ctl;
            if (sc.error != reply_error::none) return fail(sc.error);
            if (!sc.found) {
                append(detail::sub(in, 0, sc.content_end));
                pending_cr_ = sc.pending_cr;
                in = {};
                return status::need_more;
            }
            const std::string_view content = detail::sub(in, 0, sc.content_end);
            in.remove_prefix(sc.next);
            return emit(content, static_cast<std::uint32_t>(sc.next), out);
        }
        if (in.empty()) return status::need_more;
        if (pending_cr_) {
            if (in[0] != '\n') return fail(reply_error::bare_cr);
            in.remove_prefix(1);
            pending_cr_ = false;
            const std::uint32_t n = len_;
            len_ = 0;
            return emit(std::string_view(buf_, n), n + 2, out);
        }
        const detail::line_scan sc =
            detail::scan_line(in, opt_.max_line - len_, opt_.allow_bare_lf, opt_.allow_8bit, ctl);
        saw_ctl_ = saw_ctl_ || sc.saw_ctl;
        if (sc.error != reply_error::none) return fail(sc.error);
        append(detail::sub(in, 0, sc.content_end));
        if (!sc.found) {
            pending_cr_ = sc.pending_cr;
            in = {};
            return status::need_more;
        }
        in.remove_prefix(sc.next);
        const std::uint32_t n = len_;
        len_ = 0;
        return emit(std::string_view(buf_, n), n + static_cast<std::uint32_t>(sc.next - sc.content_end), out);
    }

    /**
     * Reads lines until a reply is complete. `last` receives the reply's last line (the
     * views of earlier lines are gone by then; use `next_line` to see them).
     */
    constexpr status next_reply(std::string_view& in, reply_summary& out, reply_line& last) noexcept {
        for (;;) {
            const status st = next_line(in, last);
            if (st != status::complete) return st;
            if (last.last) {
                out = done_;
                return status::complete;
            }
        }
    }

    /// As above, when the last line is not needed.
    constexpr status next_reply(std::string_view& in, reply_summary& out) noexcept {
        reply_line ignored{};
        return next_reply(in, out, ignored);
    }

    /**
     * The peer closed the connection. Fails with `truncated` when the stream stopped inside
     * a line or between the lines of a multi-line reply.
     */
    constexpr status finish() noexcept {
        if (error_ != reply_error::none) return status::failed;
        if (len_ != 0 || pending_cr_ || lines_ != 0) return fail(reply_error::truncated);
        return status::complete;
    }

    /**
     * Call after a reply that must be the last thing the server sends before it waits, with
     * the rest of the same read: the 220 to STARTTLS (RFC 3207 §4.2; CVE-2021-38371 class
     * response injection), and any reply a non-pipelining client did not ask for more
     * behind. Fails with `unexpected_data` when any octet is left over or held.
     */
    constexpr status expect_end_of_input(std::string_view rest) noexcept {
        if (error_ != reply_error::none) return status::failed;
        if (!rest.empty() || len_ != 0 || pending_cr_ || lines_ != 0) return fail(reply_error::unexpected_data);
        return status::complete;
    }

    /**
     * The next reply answers EHLO or LHLO: its first line is `Domain [SP ehlo-greet]` and
     * `ehlo-greet = 1*(%d0-9 / %d11-12 / %d14-127)` (RFC 5321 §4.1.1.1) may carry control
     * characters, which are then accepted on that line if its code is 250.
     * DEVIATION: NUL is still refused; it has no business in a greeting and truncates C logs.
     */
    constexpr void expect_ehlo() noexcept { ehlo_ = true; }

    /// Forgets everything but the options, including a failure.
    constexpr void reset() noexcept {
        len_ = 0;
        pending_cr_ = false;
        saw_ctl_ = false;
        ehlo_ = false;
        error_ = reply_error::none;
        code_ = 0;
        lines_ = 0;
        bytes_ = 0;
        esc_ = {};
        done_ = {};
    }

    [[nodiscard]] constexpr reply_error error() const noexcept { return error_; }
    [[nodiscard]] constexpr bool failed() const noexcept { return error_ != reply_error::none; }
    /// True between the first and the last line of a multi-line reply.
    [[nodiscard]] constexpr bool in_reply() const noexcept { return lines_ != 0; }
    /// The last complete reply.
    [[nodiscard]] constexpr reply_summary summary() const noexcept { return done_; }
    [[nodiscard]] constexpr const reply_options& options() const noexcept { return opt_; }

private:
    constexpr status fail(reply_error e) noexcept {
        error_ = e;
        return status::failed;
    }

    constexpr void append(std::string_view s) noexcept {
        // The scanner never lets a line grow past max_line <= Capacity.
        for (std::size_t i = 0; i < s.size(); ++i) buf_[len_ + i] = s[i];
        len_ += static_cast<std::uint32_t>(s.size());
    }

    constexpr status emit(std::string_view content, std::uint32_t wire_bytes, reply_line& out) noexcept {
        const detail::parsed_reply_line p = detail::parse_reply_line(content);
        const bool had_ctl = saw_ctl_;
        saw_ctl_ = false;
        if (p.error != reply_error::none) return fail(p.error);
        if (had_ctl && !opt_.allow_ctl && p.code != 250) return fail(reply_error::bad_char);
        if (lines_ == 0) {
            code_ = p.code;
            esc_ = {};
            bytes_ = 0;
        } else if (p.code != code_) {
            // RFC 5321 §4.2.1: "the reply code on each of the lines MUST be the same".
            return fail(reply_error::code_mismatch);
        }
        if (esc_.empty()) esc_ = p.esc;
        ++lines_;
        bytes_ += wire_bytes;
        if ((opt_.max_lines != 0 && lines_ > opt_.max_lines) ||
            (opt_.max_reply_bytes != 0 && bytes_ > opt_.max_reply_bytes))
            return fail(reply_error::reply_too_long);
        out.code = p.code;
        out.last = p.last;
        out.esc = p.esc;
        out.text = p.text;
        out.line = content;
        out.index = lines_ - 1;
        if (p.last) {
            done_ = reply_summary{code_, lines_, esc_, bytes_};
            lines_ = 0;
            ehlo_ = false;
        }
        return status::complete;
    }

    reply_options opt_{};
    std::uint32_t len_ = 0;
    bool pending_cr_ = false;
    bool saw_ctl_ = false;
    bool ehlo_ = false;
    reply_error error_ = reply_error::none;
    std::uint16_t code_ = 0;
    std::uint32_t lines_ = 0;
    std::uint32_t bytes_ = 0;
    enhanced_code esc_{};
    reply_summary done_{};
    char buf_[Capacity] = {};
};

/// The reader with the RFC 5321 line limit of 512 octets.
using reply_reader = basic_reply_reader<512>;

// ================================================================================================
// The formatter
// ================================================================================================

/// Why a reply could not be formatted. Values are explicit and append-only.
enum class format_error : std::uint8_t {
    none = 0,
    buffer_too_small = 1,  ///< the caller's buffer cannot hold the reply
    bad_text = 2,          ///< CR, LF, NUL or another control character (not HT) in a text
    bad_code = 3,          ///< not a valid `Reply-code` (RFC 5321 §4.2)
    bad_enhanced_code = 4, ///< invalid, on a 3xx reply, or its class differs from the code's
    no_lines = 5,          ///< a multi-line reply with zero lines
    ambiguous_text = 6,    ///< a reader would parse the text back differently: without an
                           ///< enhanced code it starts with one of the reply's class; with
                           ///< one it starts with SP (RFC 3463 / RFC 2034 §4)
};

constexpr std::string_view to_string(format_error e) noexcept {
    switch (e) {
        case format_error::none: return "none";
        case format_error::buffer_too_small: return "buffer too small";
        case format_error::bad_text: return "control character in reply text";
        case format_error::bad_code: return "invalid reply code";
        case format_error::bad_enhanced_code: return "invalid enhanced status code for this reply";
        case format_error::no_lines: return "reply without lines";
        case format_error::ambiguous_text: return "text would read back as a different reply";
    }
    return "unknown";
}

/// The reply a server sends when its own formatting failed (a bug in the host).
constexpr reply_hint reply_for(format_error) noexcept {
    return {451, {4, 3, 0}, "Local error in processing"};
}

/// The outcome of formatting: octets written, or why nothing usable was written.
struct format_result {
    std::size_t size = 0;
    format_error error = format_error::none;
    [[nodiscard]] constexpr bool ok() const noexcept { return error == format_error::none; }
};

namespace detail {
constexpr bool is_safe_text(std::string_view t) noexcept {
    for (const char ch : t) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\t') || c == 0x7F) return false;
    }
    return true;
}
}  // namespace detail

/**
 * Formats a reply into `buf[0, cap)`:
 * `code "-" [esc SP] text CRLF` for every line but the last, `code SP [esc SP] text CRLF`
 * for the last (RFC 5321 §4.2.1, RFC 2034 §4: the same enhanced code on every line).
 * An empty text gives `code SP esc CRLF`, or `code SP CRLF` without a code.
 *
 * Refuses any control character but HT in a text (so no CR/LF response injection, and
 * what it writes is what a strict reader accepts), an invalid code, and an enhanced code
 * whose class differs from the reply's first digit or that sits on a 3xx reply.
 * Nothing is guaranteed about `buf` when the result is an error.
 *
 * @code
 * char buf[256];
 * std::string_view lines[] = {"mx.example.org", "PIPELINING", "8BITMIME"};
 * auto r = smtpp::format_reply(buf, sizeof buf, 250, {}, lines, 3);
 * @endcode
 */
constexpr format_result format_reply(char* buf, std::size_t cap, std::uint16_t code, enhanced_code esc,
                                     const std::string_view* lines, std::size_t count) noexcept {
    if (!is_valid_reply_code(code)) return {0, format_error::bad_code};
    if (!esc.empty() && (!is_valid(esc) || esc.cls != code / 100)) return {0, format_error::bad_enhanced_code};
    if (count == 0) return {0, format_error::no_lines};
    const enhanced_code_text et = format_enhanced_code(esc);
    std::size_t n = 0;
    for (std::size_t k = 0; k < count; ++k) {
        const std::string_view t = lines[k];
        if (!detail::is_safe_text(t)) return {0, format_error::bad_text};
        // parse(format(r)) == r: a text a reader would split differently is refused.
        if (et.size == 0) {
            enhanced_code looks{};
            if (!t.empty() && t[0] == static_cast<char>('0' + code / 100) && parse_enhanced_code(t, looks) != 0)
                return {0, format_error::ambiguous_text};
        } else if (!t.empty() && t[0] == ' ') {
            return {0, format_error::ambiguous_text};
        }
        const std::size_t need = 4 + (et.size != 0 ? et.size + (t.empty() ? 0u : 1u) : 0u) + t.size() + 2;
        if (cap - n < need) return {0, format_error::buffer_too_small};
        unsigned c = code;
        buf[n + 2] = static_cast<char>('0' + c % 10);
        c /= 10;
        buf[n + 1] = static_cast<char>('0' + c % 10);
        buf[n] = static_cast<char>('0' + c / 10);
        buf[n + 3] = (k + 1 == count) ? ' ' : '-';
        n += 4;
        for (std::size_t i = 0; i < et.size; ++i) buf[n++] = et.data[i];
        if (et.size != 0 && !t.empty()) buf[n++] = ' ';
        for (const char ch : t) buf[n++] = ch;
        buf[n++] = '\r';
        buf[n++] = '\n';
    }
    return {n, format_error::none};
}

/// A single-line reply.
constexpr format_result format_reply(char* buf, std::size_t cap, std::uint16_t code, enhanced_code esc,
                                     std::string_view text) noexcept {
    return format_reply(buf, cap, code, esc, &text, 1);
}

/// A single-line reply without an enhanced code.
constexpr format_result format_reply(char* buf, std::size_t cap, std::uint16_t code, std::string_view text) noexcept {
    return format_reply(buf, cap, code, enhanced_code{}, &text, 1);
}

/// The reply an error hint proposes (`reply_for(...)` of any layer), on one line.
constexpr format_result format_reply(char* buf, std::size_t cap, const reply_hint& h) noexcept {
    return format_reply(buf, cap, h.code, h.esc, &h.text, 1);
}

}  // namespace smtpp

#endif
