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
 *
 * The machinery (the line scanner, the line grammar, the error tables, the reader's and the
 * formatter's bodies) is in detail/reply_*.hpp and detail/reply-inl.hpp.
 */
#ifndef SMTPP_REPLY_HPP
#define SMTPP_REPLY_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core.hpp"
#include "detail/ascii.hpp"

namespace smtpp {

// ================================================================================================
// Errors
// ================================================================================================

/// What went wrong with a reply. Values are explicit and append-only; each has its name and
/// reply in one row of `detail::reply_error_rows`.
enum class reply_error : std::uint8_t {
    none = 0,             ///< no error
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
constexpr std::string_view to_string(reply_error e) noexcept;

/**
 * The status a client records for the message when the server's reply is unusable (what it
 * puts in a delivery status notification, RFC 3464, and in its logs). All are transient:
 * a broken reply says nothing about the message.
 */
constexpr reply_hint reply_for(reply_error e) noexcept;

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
constexpr std::size_t parse_enhanced_code(std::string_view s, enhanced_code& out) noexcept;

/// True when `e` could be sent: class 2, 4 or 5, subject and detail 0..999.
constexpr bool is_valid(enhanced_code e) noexcept {
    return (e.cls == 2 || e.cls == 4 || e.cls == 5) && e.subject <= 999 && e.detail <= 999;
}

/// An enhanced code as text, in fixed storage ("5.7.1").
struct enhanced_code_text {
    char data[12] = {};     ///< the text, not NUL-terminated
    std::uint8_t size = 0;  ///< octets of `data` in use; 0 when the code was invalid
    /// The text as a view into `data`.
    [[nodiscard]] constexpr std::string_view view() const noexcept { return {data, size}; }
};

/// Formats `e` as `class.subject.detail`; an invalid code gives an empty text.
constexpr enhanced_code_text format_enhanced_code(enhanced_code e) noexcept;

// ================================================================================================
// The reader
// ================================================================================================

/// True for `Reply-code = %x32-35 %x30-35 %x30-39` (RFC 5321 §4.2).
constexpr bool is_valid_reply_code(unsigned code) noexcept {
    return code >= 200 && code <= 559 && (code / 10) % 10 <= 5;
}

/// One line of a reply, as the reader reports it.
struct reply_line {
    std::uint16_t code = 0;   ///< the three-digit reply code
    bool last = false;        ///< SP or nothing after the code: the reply ends here
    enhanced_code esc{};      ///< the enhanced status code, empty when there is none
    std::string_view text{};  ///< the text after the code, separator and enhanced code
    std::string_view line{};  ///< the whole line without its line ending
    std::uint32_t index = 0;  ///< 0-based position of the line in its reply
};

/// A whole reply, reported when its last line has been read.
struct reply_summary {
    std::uint16_t code = 0;   ///< the reply code (the same on every line)
    std::uint32_t lines = 0;  ///< how many lines the reply had
    enhanced_code esc{};      ///< the first enhanced code of the reply, empty when none
    std::uint32_t bytes = 0;  ///< octets on the wire, line endings included
};

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
    /// A reader with the default options (RFC 5321's limits).
    constexpr basic_reply_reader() noexcept : basic_reply_reader(reply_options{}) {}
    /// A reader with options `o`; a `max_line` above `Capacity` or below 4 becomes `Capacity`.
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
    SMTPP_CLANG_INLINE constexpr status next_line(std::string_view& in, reply_line& out) noexcept;

    /**
     * Reads lines until a reply is complete. `last` receives the reply's last line (the
     * views of earlier lines are gone by then; use `next_line` to see them).
     */
    constexpr status next_reply(std::string_view& in, reply_summary& out, reply_line& last) noexcept;

    /// As above, when the last line is not needed.
    constexpr status next_reply(std::string_view& in, reply_summary& out) noexcept;

    /**
     * The peer closed the connection. Fails with `truncated` when the stream stopped inside
     * a line or between the lines of a multi-line reply.
     */
    constexpr status finish() noexcept;

    /**
     * Call after a reply that must be the last thing the server sends before it waits, with
     * the rest of the same read: the 220 to STARTTLS (RFC 3207 §4.2; CVE-2021-38371 class
     * response injection), and any reply a non-pipelining client did not ask for more
     * behind. Fails with `unexpected_data` when any octet is left over or held.
     */
    constexpr status expect_end_of_input(std::string_view rest) noexcept;

    /**
     * The next reply answers EHLO or LHLO: its first line is `Domain [SP ehlo-greet]` and
     * `ehlo-greet = 1*(%d0-9 / %d11-12 / %d14-127)` (RFC 5321 §4.1.1.1) may carry control
     * characters, which are then accepted on that line if its code is 250.
     * DEVIATION: NUL is still refused; it has no business in a greeting and truncates C logs.
     */
    constexpr void expect_ehlo() noexcept { ehlo_ = true; }

    /// Forgets everything but the options, including a failure.
    constexpr void reset() noexcept;

    /// The error that failed the reader; `none` while it has not failed.
    [[nodiscard]] constexpr reply_error error() const noexcept { return error_; }
    /// True once the reader has failed (until `reset()`).
    [[nodiscard]] constexpr bool failed() const noexcept { return error_ != reply_error::none; }
    /// True between the first and the last line of a multi-line reply.
    [[nodiscard]] constexpr bool in_reply() const noexcept { return lines_ != 0; }
    /// The last complete reply.
    [[nodiscard]] constexpr reply_summary summary() const noexcept { return done_; }
    /// The options in force (`max_line` as clamped by the constructor).
    [[nodiscard]] constexpr const reply_options& options() const noexcept { return opt_; }

private:
    constexpr status fail(reply_error e) noexcept {
        error_ = e;
        return status::failed;
    }
    /// Appends to the buffer; the scanner never lets a line grow past max_line <= Capacity.
    constexpr void append(std::string_view s) noexcept;
    /// Checks a whole line and reports it.
    constexpr status emit(std::string_view content, std::uint32_t wire_bytes, reply_line& out) noexcept;

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

/// Why a reply could not be formatted. Values are explicit and append-only; each has its
/// name in one row of `detail::format_error_rows`.
enum class format_error : std::uint8_t {
    none = 0,               ///< no error
    buffer_too_small = 1,   ///< the caller's buffer cannot hold the reply
    bad_text = 2,           ///< CR, LF, NUL or another control character (not HT) in a text
    bad_code = 3,           ///< not a valid `Reply-code` (RFC 5321 §4.2)
    bad_enhanced_code = 4,  ///< invalid, on a 3xx reply, or its class differs from the code's
    no_lines = 5,           ///< a multi-line reply with zero lines
    ambiguous_text = 6,     ///< a reader would parse the text back differently: without an
                            ///< enhanced code it starts with one of the reply's class; with
                            ///< one it starts with SP (RFC 3463 / RFC 2034 §4)
};

/// The name of a formatting error, for logs.
constexpr std::string_view to_string(format_error e) noexcept;

/// The reply a server sends when its own formatting failed (a bug in the host).
constexpr reply_hint reply_for(format_error e) noexcept;

/// The outcome of formatting: octets written, or why nothing usable was written.
struct format_result {
    std::size_t size = 0;                     ///< octets written to the buffer
    format_error error = format_error::none;  ///< why nothing usable was written, or `none`
    /// True when the reply was written.
    [[nodiscard]] constexpr bool ok() const noexcept { return error == format_error::none; }
};

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
                                     const std::string_view* lines, std::size_t count) noexcept;

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

// The machinery.
#include "detail/reply_errors.hpp"
#include "detail/reply_codes.hpp"
#include "detail/reply_scan.hpp"
#include "detail/reply_format.hpp"
#include "detail/reply-inl.hpp"

#endif
