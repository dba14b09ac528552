/**
 * @file line.hpp
 * @brief Incremental, zero-allocation CRLF line reader for SMTP commands (server side)
 *        and other line-oriented exchanges (AUTH continuation lines).
 *
 * RFC 5321 §2.3.8: "Lines consist of zero or more data characters terminated by the
 * sequence ASCII character "CR" (hex value 0D) followed immediately by ASCII character
 * "LF" (hex value 0A). [...] Conforming implementations MUST NOT recognize or generate
 * any other character or character sequence as a line terminator."
 *
 * Feed any chunk of bytes; get complete lines, one per call, as views:
 *
 * @code
 *   smtpp::line_reader<512> r;                 // owns 512 bytes of split-line storage
 *   while (!in.empty()) {
 *       auto ev = r.next(in);
 *       in.remove_prefix(ev.consumed);
 *       if (ev.st == smtpp::status::complete) handle_line(ev.line);   // "VERB ...\r\n"
 *       else if (ev.st == smtpp::status::failed) reply(smtpp::reply_for(ev.err));
 *       else break;                                                   // need_more
 *   }
 * @endcode
 *
 * Lifetime: a line that lies inside the chunk is a view of the chunk (no copy), valid
 * while the chunk is alive; a line that arrived split across chunks is a view of the
 * reader's storage (line_reader) or of the caller's buffer (basic_line_reader), valid
 * until the next call to next() or discard() on that reader object.
 *
 * The sequence of events is identical for every way of splitting the same byte stream;
 * only where a line's bytes live differs. Nothing here allocates, throws or does I/O.
 */
#ifndef SMTPP_LINE_HPP
#define SMTPP_LINE_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core.hpp"
#include "detail/enum_names.hpp"

/// Internal: the general loop of the line reader stays out of line so that the fast paths
/// inlined into the caller's loop keep its registers (GCC inlines it otherwise).
#define SMTPP_LINE_NOINLINE SMTPP_NOINLINE

namespace smtpp {

// ------------------------------------------------------------------------------------------
// Errors
// ------------------------------------------------------------------------------------------

/**
 * Why a line is refused, one row each: `X(enumerator, value, rank, reply code, enhanced code
 * class, subject, detail, reply text)` with the cause and its reference. Values are explicit
 * and append-only (the C API mirrors them). The rank picks the error reported when a line has
 * several faults (the highest: too_long > nul > bare_cr > bare_lf); `reply_for` says why each
 * reply. The enum, `to_string()` (the enumerator's name), `reply_for()` and
 * `line_error_count` come from it; docs/errors.md is generated from them.
 */
#define SMTPP_LINE_ERRORS(X)                                                                                    \
    X(none, 0, 0, 0, 0, 0, 0, "") /**< no error */                                                              \
    X(too_long, 1, 4, 500, 5, 5, 2,                                                                             \
      "Line too long") /**< longer than the limit (CRLF included), RFC 5321 §4.5.3.1.4 */                      \
    X(bare_lf, 2, 1, 500, 5, 5, 2,                                                                              \
      "Bare LF received; lines must end with CRLF") /**< LF not preceded by CR, RFC 5321 §2.3.8 / §4.1.1.4 */ \
    X(bare_cr, 3, 2, 500, 5, 5, 2,                                                                              \
      "Bare CR received; lines must end with CRLF") /**< CR not followed by LF, RFC 5321 §2.3.8 */             \
    X(nul, 4, 3, 501, 5, 5, 2, "NUL characters are not allowed in commands") /**< a NUL octet in the line */    \
    /* a new row goes above this line */

/// Expands a row of `SMTPP_LINE_ERRORS` into its enumerator (used right below only).
#define SMTPP_X_LINE_ERROR(e, value, rank, code, c1, c2, c3, text) e = value,
/// Why a line was refused: one enumerator per row of `SMTPP_LINE_ERRORS`.
enum class line_error : std::uint8_t { SMTPP_LINE_ERRORS(SMTPP_X_LINE_ERROR) };
#undef SMTPP_X_LINE_ERROR

namespace detail {
/// Each error with its name, its rank and its reply: one per row of `SMTPP_LINE_ERRORS`.
struct line_error_row {
    line_error value;
    std::string_view name;
    int rank;
    reply_hint reply;
};
/// Expands a row of `SMTPP_LINE_ERRORS` into its table row (used right below only).
#define SMTPP_X_LINE_ERROR_ROW(e, value, rank, code, c1, c2, c3, text) \
    {line_error::e, #e, rank, reply_hint{code, enhanced_code{c1, c2, c3}, text}},
inline constexpr line_error_row line_error_rows[] = {SMTPP_LINE_ERRORS(SMTPP_X_LINE_ERROR_ROW)};
#undef SMTPP_X_LINE_ERROR_ROW
static_assert(names_in_order(line_error_rows), "SMTPP_LINE_ERRORS: rows in value order, from 0");
}  // namespace detail

/// The number of `line_error` values (0 to `line_error_count` - 1).
inline constexpr std::size_t line_error_count = sizeof detail::line_error_rows / sizeof detail::line_error_rows[0];

/// The name of an error, for logs ("too_long", ...); "unknown" out of range.
constexpr std::string_view to_string(line_error e) noexcept {
    return detail::name_of(detail::line_error_rows, e, "unknown");
}

/**
 * The reply for a refused line (500 5.5.2 Syntax error for a value out of range).
 * - too_long: RFC 5321 §4.5.3.1.10 "500 Line too long." (§4.2.2: 500 "may include errors
 *   such as command line too long"); RFC 3463 5.5.2 syntax error. In an AUTH exchange the
 *   session should use RFC 4954 §4's 500 5.5.6 instead.
 * - bare LF / bare CR: 500 5.5.2 (a command line that is not a line is a syntax error;
 *   RFC 5321 §2.3.8).
 * - NUL: 501 5.5.2, as Exim answers "501 NUL characters are not allowed in SMTP commands".
 */
constexpr reply_hint reply_for(line_error e) noexcept {
    const auto i = static_cast<std::size_t>(e);
    return i < line_error_count ? detail::line_error_rows[i].reply : reply_hint{500, {5, 5, 2}, "Syntax error"};
}

/// Options of the line reader. Strict by default.
struct line_options {
    /// Longest accepted line in octets, CRLF included (RFC 5321 §4.5.3.1.4: 512).
    /// The effective limit is min(max_line, storage capacity), see basic_line_reader.
    std::size_t max_line = 512;
    /// Accept a bare LF as a line end (the line is returned with its "\n").
    /// RISK: SMTP smuggling (CVE-2023-51764 and kin): a peer that ends lines with bare LF
    /// is exactly what a smuggling attack relies on; RFC 5321 §4.1.1.4 says servers MUST
    /// NOT accept it. A bare CR is never accepted, and LF is never dropped or rewritten.
    bool allow_bare_lf = false;
};

/// How many leading octets of a refused line a `line_event` reports.
inline constexpr std::size_t line_head_size = 8;

/// One result of line_reader::next().
struct line_event {
    status st = status::need_more;      ///< complete: a line; failed: a refused line; need_more
    line_error err = line_error::none;  ///< why the line was refused (failed only)
    /// complete: the line with its terminator. failed: the first octets of the refused line
    /// (at most `line_head_size`, without its LF), so the host or the session can tell what
    /// it was: a refused `BDAT` line is followed by payload that must never be read as
    /// commands (RFC 3030 §2). Valid until the next call.
    std::string_view line{};
    std::size_t consumed = 0;  ///< bytes of the input this call used
};

namespace detail {

// ------------------------------------------------------------------------------------------
// Byte scanning: a scalar twin (constexpr, the reference), SWAR and SSE2. Tests check all
// three against each other; the constexpr path runs the scalar one.
// ------------------------------------------------------------------------------------------

constexpr bool scan_in_constant_evaluation() noexcept { return in_constant_evaluation(); }

/// Index of the first CR, LF (or NUL when `with_nul`) in p[0, n); n when there is none.
constexpr std::size_t scan_newline_scalar(const char* p, std::size_t n, bool with_nul) noexcept {
    for (std::size_t i = 0; i < n; ++i) {
        const char c = p[i];
        if (c == '\r' || c == '\n' || (with_nul && c == '\0')) return i;
    }
    return n;
}

/// Index of the first `c` in p[0, n); n when there is none.
constexpr std::size_t scan_byte_scalar(const char* p, std::size_t n, char c) noexcept {
    for (std::size_t i = 0; i < n; ++i)
        if (p[i] == c) return i;
    return n;
}

#if SMTPP_WORD_LOADS
#define SMTPP_HAVE_SWAR 1
/// Word-at-a-time twin of scan_newline_scalar (little-endian).
inline std::size_t scan_newline_swar(const char* p, std::size_t n, bool with_nul) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101ull;
    constexpr std::uint64_t low7 = 0x7F7F7F7F7F7F7F7Full;
    // Exact per-byte "is zero" mask: the high bit of each byte is set iff that byte is 0.
    auto zero_bytes = [](std::uint64_t x) noexcept { return ~(((x & low7) + low7) | x | low7); };
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const std::uint64_t w = load_word64(p + i);
        std::uint64_t m = zero_bytes(w ^ (ones * 0x0D)) | zero_bytes(w ^ (ones * 0x0A));
        if (with_nul) m |= zero_bytes(w);
        if (m != 0) return i + ctz64(m) / 8;
    }
    return i + scan_newline_scalar(p + i, n - i, with_nul);
}
#endif

#if SMTPP_SIMD_SSE2
/// SSE2 twin of scan_newline_scalar (x86-64 baseline): 64 bytes per round.
inline std::size_t scan_newline_sse2(const char* p, std::size_t n, bool with_nul) noexcept {
    const v16 cr = v16_splat('\r');
    const v16 lf = v16_splat('\n');
    // With NUL off, compare against CR twice: same mask, no branch in the loop.
    const v16 z = with_nul ? v16_zero() : cr;
    auto mask16 = [&](const char* q) noexcept {
        const v16 v = v16_load(q);
        return static_cast<std::uint32_t>(v16_mask(v16_or(v16_or(v16_eq(v, cr), v16_eq(v, lf)), v16_eq(v, z))));
    };
    std::size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        const std::uint64_t m = static_cast<std::uint64_t>(mask16(p + i)) |
                                (static_cast<std::uint64_t>(mask16(p + i + 16)) << 16) |
                                (static_cast<std::uint64_t>(mask16(p + i + 32)) << 32) |
                                (static_cast<std::uint64_t>(mask16(p + i + 48)) << 48);
        if (m != 0) return i + ctz64(m);
    }
    for (; i + 16 <= n; i += 16) {
        const std::uint32_t m = mask16(p + i);
        if (m != 0) return i + ctz64(m);
    }
    return i + scan_newline_scalar(p + i, n - i, with_nul);
}
#endif

/// Index of the first CR, LF (or NUL when `with_nul`) in p[0, n); n when there is none.
constexpr std::size_t scan_newline(const char* p, std::size_t n, bool with_nul) noexcept {
    if (scan_in_constant_evaluation()) return scan_newline_scalar(p, n, with_nul);
#if SMTPP_SIMD_SSE2
    return scan_newline_sse2(p, n, with_nul);
#elif defined(SMTPP_HAVE_SWAR)
    return scan_newline_swar(p, n, with_nul);
#else
    return scan_newline_scalar(p, n, with_nul);
#endif
}

/// Index of the first `c` in p[0, n); n when there is none.
constexpr std::size_t scan_byte(const char* p, std::size_t n, char c) noexcept {
    if (scan_in_constant_evaluation() || n == 0) return scan_byte_scalar(p, n, c);
    const void* hit = std::memchr(p, static_cast<unsigned char>(c), n);
    return hit == nullptr ? n : static_cast<std::size_t>(static_cast<const char*>(hit) - p);
}

constexpr std::size_t saturating_add(std::size_t a, std::size_t b) noexcept {
    return a > static_cast<std::size_t>(-1) - b ? static_cast<std::size_t>(-1) : a + b;
}

/// When a line has several faults, the one reported (the rank column of `SMTPP_LINE_ERRORS`).
constexpr int line_error_rank(line_error e) noexcept {
    const auto i = static_cast<std::size_t>(e);
    return i < line_error_count ? line_error_rows[i].rank : 0;
}

/// CR, LF or NUL: the octets a line reader must look at. One compare for most octets.
constexpr bool line_special(char c) noexcept {
    const unsigned u = static_cast<unsigned char>(c);
    if (SMTPP_LIKELY(u > '\r')) return false;
    return u == '\r' || u == '\n' || u == 0;
}

/**
 * The state of a line reader without its storage: trivially copyable, no pointers.
 * `step` does the work over storage the caller passes in; the caller also passes the
 * storage's capacity, which is not stored here.
 *
 * The state of a reader with default options is all-zero octets, so that a static
 * line_reader<N> is zero-initialised and lands in .bss, not .data: the limit is kept as
 * its offset from the default limit, and fast_ starts at 0 (the first call takes the
 * general loop, which sets it).
 *
 * Between calls the storage holds the octets of the current line while it has no fault
 * (at most max_line() of them, so they fit) and, faulty or not, its first
 * min(line_head_size, octets so far), which a refused line reports as its head. With
 * storage smaller than line_head_size the head is kept in head_ instead.
 */
class line_core {
public:
    constexpr line_core() noexcept = default;
    constexpr line_core(line_options o, std::size_t cap) noexcept
        : max_off_(default_max(cap) - (o.max_line < cap ? o.max_line : cap)), allow_bare_lf_(o.allow_bare_lf) {}

    constexpr void set_max_line(std::size_t n, std::size_t cap) noexcept {
        max_off_ = default_max(cap) - (n < cap ? n : cap);
        fast_ = err_ == line_error::none && !cr_ ? clean_limit(cap) : 0;
    }
    /// min(max_line option, cap).
    [[nodiscard]] constexpr std::size_t max_line(std::size_t cap) const noexcept {
        return default_max(cap) - max_off_;  // modulo 2^N, as max_off_ was computed
    }
    [[nodiscard]] constexpr bool pending() const noexcept { return len_ != 0; }
    [[nodiscard]] constexpr line_error pending_error(std::size_t cap) const noexcept {
        return len_ >= max_line(cap) && len_ != 0 ? line_error::too_long : err_;
    }
    constexpr void discard(std::size_t cap) noexcept {
        len_ = 0;
        err_ = line_error::none;
        cr_ = false;
        fast_ = clean_limit(cap);
    }

    /*
     * RFC 5321 §2.3.8 / §4.1.1: command = verb *( SP argument ) CRLF; every line ends in
     * CRLF and nothing else. A line is refused (failed event, at its LF) when it holds a
     * NUL, a CR not followed by LF, ends in a bare LF (unless allowed), or is longer than
     * max_line() octets including CRLF (RFC 5321 §4.5.3.1.4). Refused lines are not
     * buffered past the fault (but for their head): only their length is counted while
     * skipping to the LF.
     */
    SMTPP_HOT_INLINE constexpr line_event step(char* buf, std::size_t cap, std::string_view in) noexcept {
        const char* const p = in.data();
        const std::size_t n = in.size();
        // Fast paths for the common shapes; anything unusual takes the general loop below
        // from the same state, so the events are the same.
        const std::size_t len = len_;
        if (n == 1 && len < fast_ && !line_special(p[0])) {
            // One plain octet of a clean line (a byte-by-byte feed): store and count it.
            // (len_ is not read back after the store through buf, which may alias it.)
            buf[len] = p[0];
            len_ = len + 1;
            return {status::need_more, line_error::none, {}, 1};
        }
        if (n >= 16) {
            if (len == 0) {
                // A whole line at the start of a big chunk (len_ == 0: no fault, no CR
                // pending), to a CRLF or bare LF within the limit: a view of the chunk.
                const std::size_t max = max_line(cap);
                const std::size_t lim = n < max ? n : max;
                const std::size_t j = scan_newline(p, lim, true);
                if (j + 1 < lim && p[j] == '\r' && p[j + 1] == '\n')
                    return {status::complete, line_error::none, std::string_view(p, j + 2), j + 2};
                if (j < lim && p[j] == '\n') {  // a bare LF ends it, within the limit
                    if (allow_bare_lf_) return {status::complete, line_error::none, std::string_view(p, j + 1), j + 1};
                    return {status::failed, line_error::bare_lf,
                            std::string_view(p, j < line_head_size ? j : line_head_size), j + 1};
                }
            } else if (len < fast_) {
                // The rest of a clean line at the start of a big chunk, to its CRLF: copied.
                const std::size_t room = fast_ - len;
                const std::size_t lim = n < room ? n : room;
                const std::size_t j = scan_newline(p, lim, true);
                if (j + 1 < lim && p[j] == '\r' && p[j + 1] == '\n') {
                    copy_bytes(buf + len, p, j + 2);
                    len_ = 0;
                    return {status::complete, line_error::none, std::string_view(buf, len + j + 2), j + 2};
                }
            }
        } else if (len < fast_) {
            // A short chunk (a byte-by-byte feed) of a clean line with no CR pending: store
            // and count each octet with no scanning set-up, to a CR, LF or NUL. len_ < fast_
            // means max_line() == fast_ and the storage holds the head (see clean_limit).
            const std::size_t room = fast_ - len;  // octets the limit leaves (at an LF: one more)
            const std::size_t lim = n < room ? n : room;
            char* const d = buf + len;
            std::size_t i = 0;
            for (; i < lim; ++i) {
                const char c = p[i];
                if (line_special(c)) break;
                d[i] = c;
            }
            if (i == n) {
                len_ = len + n;
                return {status::need_more, line_error::none, {}, n};
            }
            if (i != lim) {
                const line_event ev = step_special(buf, p, n, i, len + i, len);
                if (ev.consumed != 0) return ev;
            }
        } else if (n != 0 && p[0] == '\n' && cr_ && err_ == line_error::none && len < max_line(cap)) {
            // The LF after a CR that ended the last chunk: the stored line is complete.
            buf[len] = '\n';
            discard(cap);
            return {status::complete, line_error::none, std::string_view(buf, len + 1), 1};
        }
        return step_general(buf, cap, p, n);
    }

private:
    // The limit of a reader with default options over `cap` octets of storage.
    static constexpr std::size_t default_max(std::size_t cap) noexcept {
        return line_options{}.max_line < cap ? line_options{}.max_line : cap;
    }
    // What fast_ is for a clean line with no CR pending: the limit, when the storage can
    // also hold the head of a refused line; else 0 (every call takes the general loop).
    [[nodiscard]] constexpr std::size_t clean_limit(std::size_t cap) const noexcept {
        return cap >= line_head_size ? max_line(cap) : 0;
    }
    // Where the head of the current line is kept between calls.
    constexpr char* head_store(char* buf, std::size_t cap) noexcept { return cap >= line_head_size ? buf : head_; }

    /*
     * The end of a short chunk of a clean line (see step): p[i] is a CR, LF or NUL, the
     * line's first `len` octets (< fast_, which is then the limit) are in storage, `start` of them from earlier
     * calls. A CRLF or bare LF within the limit ends the line. Returns an event that
     * consumed nothing, having changed nothing but storage the general loop writes the
     * same way or never reads, at anything else (a NUL, a bare CR, the limit). A CR that
     * ends the chunk is stored and left pending (cr_) for the next call.
     */
    constexpr line_event step_special(char* buf, const char* p, std::size_t n, std::size_t i, std::size_t len,
                                      std::size_t start) noexcept {
        const char c = p[i];
        std::size_t end = i + 1;
        buf[len] = c;
        if (c == '\r') {
            if (end == n) {  // the CR ends the chunk: the next one must start with LF
                len_ = len + 1;
                cr_ = true;
                fast_ = 0;
                return {status::need_more, line_error::none, {}, n};
            }
            if (p[end] != '\n' || ++len >= fast_) return {};  // bare CR, or too long
            buf[len] = '\n';
            ++end;
        } else if (c == '\n') {
            if (!allow_bare_lf_) {
                len_ = 0;
                return {status::failed, line_error::bare_lf,
                        std::string_view(buf, len < line_head_size ? len : line_head_size), end};
            }
        } else {
            return {};  // NUL
        }
        len_ = 0;
        return {status::complete, line_error::none, std::string_view(start == 0 ? p : buf, len + 1), end};
    }

    SMTPP_LINE_NOINLINE constexpr line_event step_general(char* buf, std::size_t cap, const char* p,
                                                          std::size_t n) noexcept {
        const std::size_t max = max_line(cap);
        // A line that starts in this chunk is returned as a view of the chunk.
        const std::size_t start = len_;
        const bool fresh = start == 0;
        std::size_t i = 0;
        while (i < n) {
            if (cr_) {
                cr_ = false;
                if (p[i] == '\n') return finish(buf, cap, max, start, p, i + 1);
                add(line_error::bare_cr);  // the CR stays counted; p[i] is read as usual
            }
            if (len_ >= max) add(line_error::too_long);
            if (err_ == line_error::too_long) {
                // Skipping: only the LF matters; nothing is stored.
                const std::size_t j = scan_byte(p + i, n - i, '\n');
                len_ = saturating_add(len_, j);
                if (j < n - i) return finish(buf, cap, max, start, p, i + j + 1);
                break;
            }
            const std::size_t room = max - len_;
            const std::size_t lim = n - i < room ? n - i : room;
            // Short pieces (byte-by-byte feeds) take the scalar loop: no SIMD set-up, no memcpy call.
            const std::size_t j = lim < 16 ? scan_newline_scalar(p + i, lim, true) : scan_newline(p + i, lim, true);
            if (!fresh && err_ == line_error::none) {
                if (j < 16) {
                    for (std::size_t k = 0; k < j; ++k) buf[len_ + k] = p[i + k];
                } else {
                    copy_bytes(buf + len_, p + i, j);
                }
            }
            len_ += j;
            i += j;
            if (j == lim) continue;  // chunk ended, or the line reached the limit
            const char c = p[i++];
            if (c == '\n') {
                if (!allow_bare_lf_) add(line_error::bare_lf);
                return finish(buf, cap, max, start, p, i);
            }
            if (c == '\r') {
                cr_ = true;
            } else {
                add(line_error::nul);
            }
            if (!fresh && err_ == line_error::none) buf[len_] = c;
            ++len_;
        }
        // All of p belongs to the line: keep its octets (while clean) and its head.
        if (err_ == line_error::none) {
            if (fresh) copy_bytes(buf, p, len_);
            if (cap < line_head_size) keep_head(head_, start, p);
        } else {
            keep_head(head_store(buf, cap), start, p);
        }
        fast_ = err_ == line_error::none && !cr_ ? clean_limit(cap) : 0;
        return {status::need_more, line_error::none, {}, n};
    }

    // Octets [start, min(len_, line_head_size)) of the line are p[0, ...): keep them in hb.
    constexpr void keep_head(char* hb, std::size_t start, const char* p) const noexcept {
        const std::size_t upto = len_ < line_head_size ? len_ : line_head_size;
        if (start < upto) copy_bytes(hb + start, p, upto - start);
    }

    constexpr void add(line_error e) noexcept {
        if (line_error_rank(e) > line_error_rank(err_)) err_ = e;
    }

    // The line, whose first `start` octets came in earlier calls, ends with the LF at p[end - 1].
    // `max` is max_line(cap).
    constexpr line_event finish(char* buf, std::size_t cap, std::size_t max, std::size_t start, const char* p,
                                std::size_t end) noexcept {
        const std::size_t total = saturating_add(len_, 1);
        if (total > max) add(line_error::too_long);
        const line_error e = err_;
        discard(cap);
        if (e != line_error::none) {
            // Its head: octets [0, start) are kept, the rest are at p.
            const std::size_t h = total - 1 < line_head_size ? total - 1 : line_head_size;
            if (start == 0) return {status::failed, e, std::string_view(p, h), end};
            char* const hb = head_store(buf, cap);
            if (start < h) copy_bytes(hb + start, p, h - start);
            return {status::failed, e, std::string_view(hb, h), end};
        }
        if (start == 0) return {status::complete, line_error::none, std::string_view(p, end), end};
        buf[total - 1] = '\n';
        return {status::complete, line_error::none, std::string_view(buf, total), end};
    }

    std::size_t len_ = 0;      // octets of the current line so far (saturating), CR included;
                               // 0 between calls means err_ == none and !cr_ (faults are counted)
    std::size_t fast_ = 0;     // step's fast paths may run while len_ < fast_ (see clean_limit)
    std::size_t max_off_ = 0;  // default_max(cap) - max_line(cap), modulo 2^N: 0 by default
    line_error err_ = line_error::none;
    bool cr_ = false;  // the last octet was a CR (stored and counted)
    bool allow_bare_lf_ = false;
    char head_[line_head_size] = {};  // the head of the current line when cap < line_head_size
};

}  // namespace detail

// ------------------------------------------------------------------------------------------
// Readers
// ------------------------------------------------------------------------------------------

/**
 * A line reader over storage the caller owns (`buf`, `capacity` bytes). Only a line that
 * arrives split across chunks is copied there. The effective limit is
 * min(options.max_line, capacity): a line longer than the storage is refused as too_long
 * whether or not it arrived split, so results never depend on how the stream was cut.
 *
 * The object holds a pointer to the caller's buffer: copying it makes a second reader
 * over the same buffer (use line_reader<N> for a self-contained value).
 */
class basic_line_reader {
public:
    /// A reader over `buf` (`capacity` octets, owned by the caller, outliving the reader).
    constexpr basic_line_reader(char* buf, std::size_t capacity, line_options o = {}) noexcept
        : buf_(buf), cap_(buf == nullptr ? 0 : capacity), core_(o, cap_) {}

    /**
     * Consume a prefix of `input` and return at most one line or one refused line.
     * @return complete: `line` holds a line with its terminator ("\r\n", or "\n" when
     *         allow_bare_lf); failed: `err` says why a line was refused (the whole line
     *         up to its LF is consumed; the next call starts at the next line; not sticky);
     *         need_more: all of `input` was consumed without ending a line.
     */
    SMTPP_HOT_INLINE constexpr line_event next(std::string_view input) noexcept {
        return core_.step(buf_, cap_, input);
    }
    /// Change the limit (e.g. 12288 for an AUTH exchange, RFC 4954 §4); capped at capacity.
    constexpr void set_max_line(std::size_t n) noexcept { core_.set_max_line(n, cap_); }
    /// The limit in force (CRLF included).
    [[nodiscard]] constexpr std::size_t max_line() const noexcept { return core_.max_line(cap_); }
    /// Drop any partial line and skipping state (after STARTTLS, RFC 3207 §4.2 / CVE-2011-0411).
    constexpr void discard() noexcept { core_.discard(cap_); }
    /// True when bytes of an unfinished line have been consumed (pipelining checks).
    [[nodiscard]] constexpr bool pending() const noexcept { return core_.pending(); }
    /// The error the unfinished line will be refused with so far (none if it is clean).
    [[nodiscard]] constexpr line_error pending_error() const noexcept { return core_.pending_error(cap_); }

private:
    char* buf_;
    std::size_t cap_;
    detail::line_core core_;
};

/**
 * A line reader that owns `Capacity` bytes of storage for split lines. It holds no
 * pointer into itself, so copies and moves are independent, valid readers (a view
 * returned by one object points into that object's storage). A default-constructed
 * reader is all-zero octets: a `static line_reader<N>` is zero-initialised (.bss, no
 * flash for its image); its options can be set at run time with set_max_line().
 */
template <std::size_t Capacity = 512>
class line_reader {
public:
    /// A reader with the default (strict, 512-octet) options.
    constexpr line_reader() noexcept : core_(line_options{}, Capacity) {}
    /// A reader with options `o` (the limit is capped at Capacity).
    constexpr explicit line_reader(line_options o) noexcept : core_(o, Capacity) {}

    /// See basic_line_reader::next.
    SMTPP_HOT_INLINE constexpr line_event next(std::string_view input) noexcept {
        return core_.step(buf_.data(), Capacity, input);
    }
    /// See basic_line_reader::set_max_line (capped at Capacity).
    constexpr void set_max_line(std::size_t n) noexcept { core_.set_max_line(n, Capacity); }
    /// See basic_line_reader::max_line.
    [[nodiscard]] constexpr std::size_t max_line() const noexcept { return core_.max_line(Capacity); }
    /// See basic_line_reader::discard.
    constexpr void discard() noexcept { core_.discard(Capacity); }
    /// See basic_line_reader::pending.
    [[nodiscard]] constexpr bool pending() const noexcept { return core_.pending(); }
    /// See basic_line_reader::pending_error.
    [[nodiscard]] constexpr line_error pending_error() const noexcept { return core_.pending_error(Capacity); }
    /// The storage for split lines, in octets.
    static constexpr std::size_t capacity() noexcept { return Capacity; }

private:
    std::array<char, Capacity> buf_{};
    detail::line_core core_;
};

}  // namespace smtpp

#endif
