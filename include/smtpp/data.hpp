/**
 * @file data.hpp
 * @brief Message body decoders: DATA (dot-unstuffing, exact end of data) and BDAT
 *        (RFC 3030 chunk counting). Zero allocation, zero copy, split-invariant.
 *
 * DATA (RFC 5321 §4.1.1.4, §4.5.2): the input is the raw byte stream after the 354 reply.
 * The decoder hands back the message content as views of the input, dot-unstuffed, and one
 * end event when it meets `<CRLF>.<CRLF>` — and nothing else (the smuggling catalogue
 * `\n.\n`, `\n.\r\n`, `\r\n.\n`, `\r.\r`, `\r\n.\r\r\n`, NUL around the dot, ... is
 * content, never an end). The CRLF of the DATA command line counts as the first line
 * start, so `.\r\n` right away is an empty message.
 *
 * @code
 *   smtpp::data_decoder d({});               // strict: bare CR/LF reject the message
 *   while (true) {
 *       auto ev = d.next(in);
 *       in.remove_prefix(ev.consumed);
 *       if (ev.kind == smtpp::data_event_kind::content) store(ev.content);
 *       else if (ev.kind == smtpp::data_event_kind::end) {      // in = next pipelined command
 *           if (ev.err == smtpp::data_error::none) accept(); else reply(reply_for(ev.err));
 *           break;
 *       } else break;                                             // need_more: read more
 *   }
 * @endcode
 *
 * Lifetime: `content` views point into the input chunk passed to that call (valid while
 * the chunk is alive) or into static string literals ("\r\n", "\n", "\r" produced by the
 * normalize policy or a resolved pending CR). The decoders hold no pointers at all: they
 * are trivially copyable values.
 *
 * Errors are never reported early: the verdict is delivered with the end event, after the
 * real end of data has been consumed ("delayed reject", as Postfix does for bare LF), so
 * the bytes of a message are never read as commands. pending_error() lets a host stop
 * storing a message that is already doomed.
 */
#ifndef SMTPP_DATA_HPP
#define SMTPP_DATA_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core.hpp"
#include "detail/ascii.hpp"
#include "detail/enum_names.hpp"
#include "line.hpp"


namespace smtpp {

/**
 * Why a message body is refused, one row each: `X(enumerator, value, rank, reply code,
 * enhanced code class, subject, detail, reply text)` with the cause and its reference.
 * Values are explicit and append-only (the C API mirrors them). The rank picks the error
 * reported when a body has several faults (the highest: framing faults first, as they are
 * what smuggling looks like, then content, then size); `reply_for` says why each reply. The
 * enum, `to_string()` (the enumerator's name), `reply_for()` and `data_error_count` come
 * from it; docs/errors.md is generated from them.
 */
#define SMTPP_DATA_ERRORS(X)                                                                                          \
    X(none, 0, 0, 250, 2, 0, 0, "Ok") /**< no error */                                                                \
    X(bare_lf, 1, 5, 550, 5, 5, 2,                                                                                    \
      "Bare LF received; lines must end with CRLF") /**< LF not preceded by CR (RFC 5321 §2.3.8, §4.1.1.4) */       \
    X(bare_cr, 2, 4, 550, 5, 5, 2,                                                                                    \
      "Bare CR received; lines must end with CRLF") /**< CR not followed by LF (RFC 5321 §2.3.8) */                  \
    X(too_big, 3, 2, 552, 5, 3, 4,                                                                                    \
      "Message size exceeds fixed maximum message size")  /**< more than the SIZE limit (RFC 1870) */                 \
    X(line_too_long, 4, 1, 500, 5, 5, 2, "Line too long") /**< a text line over the limit (RFC 5321 §4.5.3.1.6) */   \
    X(nul, 5, 3, 550, 5, 6, 0,                                                                                        \
      "NUL characters are not allowed in messages") /**< a NUL octet (RFC 2045 §2.7/§2.8: "no NULs are allowed") */ \
    /* a new row goes above this line */

/// Expands a row of `SMTPP_DATA_ERRORS` into its enumerator (used right below only).
#define SMTPP_X_DATA_ERROR(e, value, rank, code, c1, c2, c3, text) e = value,
/// Why a message body is refused: one enumerator per row of `SMTPP_DATA_ERRORS`.
enum class data_error : std::uint8_t { SMTPP_DATA_ERRORS(SMTPP_X_DATA_ERROR) };
#undef SMTPP_X_DATA_ERROR

namespace detail {
/// Each error with its name, its rank and its reply: one per row of `SMTPP_DATA_ERRORS`.
struct data_error_row {
    data_error value;
    std::string_view name;
    int rank;
    reply_hint reply;
};
/// Expands a row of `SMTPP_DATA_ERRORS` into its table row (used right below only).
#define SMTPP_X_DATA_ERROR_ROW(e, value, rank, code, c1, c2, c3, text) \
    {data_error::e, #e, rank, reply_hint{code, enhanced_code{c1, c2, c3}, text}},
inline constexpr data_error_row data_error_rows[] = {SMTPP_DATA_ERRORS(SMTPP_X_DATA_ERROR_ROW)};
#undef SMTPP_X_DATA_ERROR_ROW
static_assert(names_in_order(data_error_rows), "SMTPP_DATA_ERRORS: rows in value order, from 0");
}  // namespace detail

/// The number of `data_error` values (0 to `data_error_count` - 1).
inline constexpr std::size_t data_error_count = sizeof detail::data_error_rows / sizeof detail::data_error_rows[0];

/// The name of an error, for logs ("bare_lf", ...); "unknown" out of range.
constexpr std::string_view to_string(data_error e) noexcept {
    return detail::name_of(detail::data_error_rows, e, "unknown");
}

/**
 * The reply for a refused body (sent after the end of data / the BDAT chunk); 554 5.0.0
 * Transaction failed for a value out of range.
 * - bare LF / CR: 550 5.5.2, Postfix's `smtpd_forbid_bare_newline = reject` reply
 *   ("550 5.5.2 Error: bare <LF> received", reject code default 550).
 * - too_big: 552 5.3.4, RFC 1870 §6 / RFC 5321 §4.5.3.1.10 "552 Too much mail data";
 *   RFC 3463 X.3.4 "Message too big for system".
 * - line_too_long: 500 5.5.2, RFC 5321 §4.5.3.1.10 "500 Line too long." (the limit is
 *   §4.5.3.1.6's text line); 5.5.2 as for over-long command lines.
 * - nul: 550 5.6.0, RFC 3463 X.6.0 "Other or undefined media error" (NUL is not text).
 */
constexpr reply_hint reply_for(data_error e) noexcept {
    const auto i = static_cast<std::size_t>(e);
    return i < data_error_count ? detail::data_error_rows[i].reply : reply_hint{554, {5, 0, 0}, "Transaction failed"};
}

/// What to do with a CR or LF that is not part of a CRLF in DATA content.
enum class bare_newline_policy : std::uint8_t {
    /// Deliver the bytes as they are and refuse the message at its real end (550 5.5.2).
    reject = 0,
    /**
     * Treat a bare CR or bare LF as a line end and deliver it as CRLF (Postfix 3.9
     * `smtpd_forbid_bare_newline = normalize`). The end of data is still only
     * `<CRLF>.<CRLF>` with real CRLFs on both sides; a line "." that touches a bare line
     * end is dropped, neither content nor end (Postfix smtpd.c receive_data_message).
     * RISK: the stored message differs from the bytes sent. A relay that later re-emits
     * it must dot-stuff it; never forward bare CR/LF as CRLF without this decoder's rules.
     */
    normalize = 1,
};

/// Options of the DATA decoder. Strict by default.
struct data_options {
    bare_newline_policy bare_newline = bare_newline_policy::reject;  ///< bare CR/LF in content (see the policy's risks)
    /// Message size limit in octets as RFC 1870 §3 counts them (CRLFs included, stuffing
    /// dots and the terminating ".CRLF" not); 0 = unlimited. Exceeding it still reads to
    /// the end of data, then refuses with 552 5.3.4.
    std::uint64_t max_size = 0;
    /// Longest text line in octets including CRLF, not counting a stuffing dot
    /// (RFC 5321 §4.5.3.1.6: 1000); 0 = unlimited (the default: many real messages break
    /// the limit and it is no framing hazard).
    std::size_t max_text_line = 0;
    /// Refuse a message holding a NUL octet (RFC 2045 §2.7/§2.8). On by default; a NUL
    /// is always delivered, never dropped, so it can never hide a dot (vectors S9/S10).
    bool reject_nul = true;
};

/// The kind of a decoder event.
enum class data_event_kind : std::uint8_t {
    none = 0,     ///< nothing produced (need_more)
    content = 1,  ///< `content` holds message bytes (never empty)
    end = 2,      ///< end of data (DATA) or end of the chunk (BDAT); `err` is the verdict
};

/// One result of data_decoder::next / bdat_decoder::next.
struct data_event {
    status st = status::need_more;                 ///< complete (content or end) or need_more; never failed
    data_event_kind kind = data_event_kind::none;  ///< what was produced
    std::string_view content{};                    ///< message bytes (kind content)
    std::size_t consumed = 0;                      ///< bytes of the input this call used
    data_error err = data_error::none;             ///< the verdict (kind end)
};

namespace detail {

/// When a body has several faults, the one reported (the rank column of `SMTPP_DATA_ERRORS`).
constexpr int data_error_rank(data_error e) noexcept {
    const auto i = static_cast<std::size_t>(e);
    return i < data_error_count ? data_error_rows[i].rank : 0;
}

constexpr std::uint64_t saturating_add64(std::uint64_t a, std::uint64_t b) noexcept {
    return a > ~std::uint64_t{0} - b ? ~std::uint64_t{0} : a + b;
}

/// Byte classes of one 64-byte block, bit k for byte k: CR, LF, '.', NUL.
struct body_masks {
    std::uint64_t cr = 0;
    std::uint64_t lf = 0;
    std::uint64_t dot = 0;
    std::uint64_t nul = 0;
};

/// Scalar twin (the reference) of body_masks_sse2: the classes of p[0, 64).
constexpr body_masks body_masks_scalar(const char* p) noexcept {
    body_masks m;
    for (unsigned k = 0; k < 64; ++k) {
        const std::uint64_t bit = std::uint64_t{1} << k;
        const char c = p[k];
        if (c == '\r') m.cr |= bit;
        if (c == '\n') m.lf |= bit;
        if (c == '.') m.dot |= bit;
        if (c == '\0') m.nul |= bit;
    }
    return m;
}

/// What the DATA decoder needs to know of a 64-byte block (bit k for byte k).
struct data_block {
    std::uint64_t faults = 0;  ///< bytes the byte state machine must see (see data_block_scalar)
    std::uint64_t lf = 0;      ///< LF bytes
};

/**
 * Scalar twin (the reference) of data_block_sse2 over p[0, 64), `prev` being the byte
 * before p[0] (or, at the start of an input, the one the decoder's state stands for).
 * A byte is a fault when it is an LF not after a CR, the byte after a CR that is not an
 * LF, a '.' after an LF, or a NUL when `nul`.
 */
constexpr data_block data_block_scalar(const char* p, char prev, bool nul) noexcept {
    data_block b;
    for (unsigned k = 0; k < 64; ++k) {
        const std::uint64_t bit = std::uint64_t{1} << k;
        const char c = p[k];
        const char before = k == 0 ? prev : p[k - 1];
        if (c == '\n') b.lf |= bit;
        if ((c == '\n') != (before == '\r') || (c == '.' && before == '\n') || (nul && c == '\0')) b.faults |= bit;
    }
    return b;
}

#if SMTPP_SIMD_SSE2
#define SMTPP_HAVE_BODY_BLOCKS 1
/// SSE2 twin of data_block_scalar (x86-64 baseline); `Nul` is its `nul`.
template <bool Nul>
inline data_block data_block_sse2(const char* p, char prev) noexcept {
    const v16 cr = v16_splat('\r');
    const v16 lf = v16_splat('\n');
    const v16 dot = v16_splat('.');
    v16 bad[4];
    v16 lfs[4];
    for (unsigned g = 0; g < 4; ++g) {
        const v16 v = v16_load(p + 16 * g);
        const v16 before = g == 0 ? v16_shift_in(v, prev) : v16_load(p + 16 * g - 1);
        const v16 is_lf = v16_eq(v, lf);
        lfs[g] = is_lf;
        bad[g] = v16_or(v16_xor(is_lf, v16_eq(before, cr)), v16_and(v16_eq(v, dot), v16_eq(before, lf)));
        if (Nul) bad[g] = v16_or(bad[g], v16_eq(v, v16_zero()));
    }
    auto bits = [](v16 eq, unsigned shift) noexcept { return std::uint64_t{v16_mask(eq)} << shift; };
    data_block b;
    b.lf = bits(lfs[0], 0) | bits(lfs[1], 16) | bits(lfs[2], 32) | bits(lfs[3], 48);
    const v16 any = v16_or(v16_or(bad[0], bad[1]), v16_or(bad[2], bad[3]));
    if (v16_mask(any) != 0) b.faults = bits(bad[0], 0) | bits(bad[1], 16) | bits(bad[2], 32) | bits(bad[3], 48);
    return b;
}
/// SSE2 twin of body_masks_scalar: the classes of p[0, 64).
inline body_masks body_masks_sse2(const char* p) noexcept {
    body_masks m;
    const v16 cr = v16_splat('\r');
    const v16 lf = v16_splat('\n');
    const v16 dot = v16_splat('.');
    const v16 zero = v16_zero();
    auto bits = [](v16 eq, unsigned shift) noexcept { return std::uint64_t{v16_mask(eq)} << shift; };
    for (unsigned g = 0; g < 4; ++g) {
        const v16 v = v16_load(p + 16 * g);
        m.cr |= bits(v16_eq(v, cr), 16 * g);
        m.lf |= bits(v16_eq(v, lf), 16 * g);
        m.dot |= bits(v16_eq(v, dot), 16 * g);
        m.nul |= bits(v16_eq(v, zero), 16 * g);
    }
    return m;
}

/*
 * The bytes of a 64-byte block that the byte state machines must see, for a block whose
 * first byte is not preceded by an unresolved CR: an LF not right after a CR, a CR not
 * right before an LF (a CR in the last byte is left to the next block), and, if
 * `line_start_in` (the block begins a line) or after an LF, a '.'. NUL is added by callers.
 */
inline std::uint64_t body_block_faults(const body_masks& m, bool line_start_in, bool dots) noexcept {
    constexpr std::uint64_t last = std::uint64_t{1} << 63;
    std::uint64_t bad = (m.lf & ~(m.cr << 1)) | (m.cr & ~(m.lf >> 1) & ~last);
    if (dots) bad |= m.dot & ((m.lf << 1) | static_cast<std::uint64_t>(line_start_in));
    return bad;
}
#endif

inline constexpr std::string_view lit_crlf = "\r\n";
inline constexpr std::string_view lit_lf = "\n";
inline constexpr std::string_view lit_cr = "\r";

}  // namespace detail

/**
 * DATA body decoder, RFC 5321 §4.1.1.4 and §4.5.2.
 *
 *   "The mail data are terminated by a line containing only a period, that is, the
 *    character sequence "\<CRLF\>.\<CRLF\>", where the first \<CRLF\> is actually the
 *    terminator of the previous line" (§4.1.1.4); "If the first character is a period
 *    and there are other characters on the line, the first character is deleted" (§4.5.2).
 *
 * The final CRLF before "." belongs to the message. A line start is the position after
 * a CRLF (after any line end under the normalize policy) and the very first byte.
 */
class data_decoder {
public:
    constexpr data_decoder() noexcept = default;
    /// A decoder for one message body with options `o`.
    constexpr explicit data_decoder(data_options o) noexcept
        : max_size_(o.max_size), max_text_line_(o.max_text_line), bare_newline_(o.bare_newline),
          allow_nul_(!o.reject_nul) {}

private:
    // Defined before next(): clang evaluates a member template in a constant expression
    // only if its definition comes first.
    // The byte state machine; with `Blocks`, whole 64-byte blocks of plain CRLF text in
    // state mid, bol or cr are skimmed first (see skim), with the same events. It stays one
    // switch, a case per state (the longest 30 lines), read as the decoder's state table:
    // moving the dot states into a function of their own measured 6-12 % slower on GCC's
    // whole-body decode, and the scanning states cannot leave the loop without losing `i`
    // and `run` to memory.
    template <bool Blocks>
    SMTPP_CLANG_INLINE constexpr data_event step(std::string_view input) noexcept {
        const char* const p = input.data();
        const std::size_t n = input.size();
        const bool norm = bare_newline_ == bare_newline_policy::normalize;
        if (st_ == st::done) return {status::complete, data_event_kind::end, {}, 0, err_};
        std::size_t i = 0;
        std::size_t run = 0;  // start of the content run being gathered in this call
        while (i < n) {
#if defined(SMTPP_HAVE_BODY_BLOCKS)
            // Whole blocks of plain CRLF text skip the state machine (same events, fewer steps).
            if (Blocks && n - i >= 64 && (st_ == st::mid || st_ == st::cr || (st_ == st::bol && p[i] != '.'))) {
                i += skim(p + i, n - i);
                if (i == n) break;
            }
#endif
            switch (st_) {
                case st::mid: {
                    const std::size_t j = detail::scan_newline(p + i, n - i, !allow_nul_);
                    line_ = detail::saturating_add(line_, j);
                    i += j;
                    if (i == n) break;
                    const char c = p[i];
                    if (c == '\r') {
                        // Fast path for the common "CRLF, then a line not starting with '.'".
                        if (i + 2 < n && p[i + 1] == '\n' && p[i + 2] != '.') {
                            end_line(2);
                            i += 2;
                            break;
                        }
                        ++i;
                        line_ = detail::saturating_add(line_, 1);
                        st_ = st::cr;
                    } else if (c == '\n') {
                        if (!norm) {
                            add(data_error::bare_lf);
                            ++i;
                            line_ = detail::saturating_add(line_, 1);
                        } else {
                            if (i > run) return emit(p, run, i);
                            end_line(2);
                            st_ = st::bol_bare;
                            return emit_lit(detail::lit_crlf, i + 1);
                        }
                    } else {  // NUL (only scanned for when reject_nul)
                        add(data_error::nul);
                        ++i;
                        line_ = detail::saturating_add(line_, 1);
                    }
                    break;
                }
                case st::cr:
                    if (p[i] == '\n') {
                        end_line(1);
                        ++i;
                        st_ = st::bol;
                    } else if (!norm) {
                        add(data_error::bare_cr);
                        st_ = st::mid;
                    } else {
                        // The CR was delivered already; a bare CR becomes CRLF.
                        if (i > run) return emit(p, run, i);
                        end_line(1);
                        st_ = st::bol_bare;
                        return emit_lit(detail::lit_lf, i);
                    }
                    break;
                case st::bol:
                case st::bol_bare:
                    if (p[i] == '.') {
                        if (i > run) return emit(p, run, i);
                        ++i;
                        run = i;
                        st_ = st_ == st::bol ? st::dot : st::dot_bare;
                    } else {
                        st_ = st::mid;
                    }
                    break;
                case st::dot:
                    if (p[i] == '\r') {
                        ++i;
                        run = i;
                        st_ = st::dot_cr;
                    } else if (p[i] == '\n' && norm) {
                        drop_dot_line(i);  // ".<LF>": a bare line end, dropped
                        ++i;
                        run = i;
                    } else {
                        st_ = st::mid;  // the stuffing dot is deleted (§4.5.2)
                    }
                    break;
                case st::dot_cr:
                    if (p[i] == '\n') {
                        st_ = st::done;
                        if (max_size_ != 0 && size_ > max_size_) add(data_error::too_big);
                        return {status::complete, data_event_kind::end, {}, i + 1, err_};
                    }
                    if (!norm) {
                        // ".<CR>x": the dot was stuffing; the CR is content and bare.
                        add(data_error::bare_cr);
                        st_ = st::mid;
                        line_ = 1;
                        return emit_lit(detail::lit_cr, i);
                    }
                    st_ = st::bol_bare;  // ".<CR>x": the "." line ends in a bare CR: dropped
                    run = i;
                    break;
                case st::dot_bare:
                    if (p[i] == '\r') {
                        ++i;
                        run = i;
                        st_ = st::dot_bare_cr;
                    } else if (p[i] == '\n') {
                        drop_dot_line(i);
                        ++i;
                        run = i;
                    } else {
                        st_ = st::mid;
                    }
                    break;
                case st::dot_bare_cr:
                    // A "." line after a bare line end is dropped whatever ends it.
                    if (p[i] == '\n') {
                        ++i;
                        st_ = st::bol;
                    } else {
                        st_ = st::bol_bare;
                    }
                    run = i;
                    break;
                case st::done: return {status::complete, data_event_kind::end, {}, i, err_};
            }
        }
        if (i > run) return emit(p, run, i);
        return {status::need_more, data_event_kind::none, {}, n, data_error::none};
    }

public:
    /**
     * Consume a prefix of `input`; return at most one content chunk or the end.
     * @return content (st complete): `content` is the next piece of the message;
     *         end (st complete): the end of data was consumed; `err` is the verdict; the
     *         rest of the input (not consumed) is the next pipelined command; calling
     *         again returns end with consumed 0;
     *         need_more: all of `input` was consumed and nothing is ready.
     */
    SMTPP_CLANG_INLINE constexpr data_event next(std::string_view input) noexcept {
        // A host loop ends each input with an empty call (after its last content event): it
        // returns here, with no state machine in its way.
        if (input.empty() && st_ != st::done)
            return {status::need_more, data_event_kind::none, {}, 0, data_error::none};
#if defined(SMTPP_HAVE_BODY_BLOCKS)
        // Short inputs (byte-by-byte feeds) keep the plain loop: no block code in their way.
        if (input.size() >= 64 && !detail::scan_in_constant_evaluation()) return step<true>(input);
#endif
        return step<false>(input);
    }

    /// Octets of message delivered so far (RFC 1870 count), saturating.
    [[nodiscard]] constexpr std::uint64_t size() const noexcept { return size_; }
    /// True once the end of data has been consumed.
    [[nodiscard]] constexpr bool done() const noexcept { return st_ == st::done; }
    /// The verdict so far; the message will be refused if this is not none.
    [[nodiscard]] constexpr data_error pending_error() const noexcept { return err_; }
    /// The options in force.
    [[nodiscard]] constexpr data_options options() const noexcept {
        data_options o;
        o.bare_newline = bare_newline_;
        o.max_size = max_size_;
        o.max_text_line = max_text_line_;
        o.reject_nul = !allow_nul_;
        return o;
    }

private:
    enum class st : std::uint8_t {
        bol,          // line start after CRLF (or the DATA command's CRLF)
        mid,          // inside a line
        cr,           // after a content CR
        dot,          // "." at a line start
        dot_cr,       // ".<CR>" at a line start
        bol_bare,     // normalize: line start after a bare CR or LF
        dot_bare,     // normalize: "." after a bare line end
        dot_bare_cr,  // normalize: ".<CR>" after a bare line end
        done,
    };

    constexpr void add(data_error e) noexcept {
        if (detail::data_error_rank(e) > detail::data_error_rank(err_)) err_ = e;
    }

#if defined(SMTPP_HAVE_BODY_BLOCKS)
    /*
     * In state mid, bol or cr, consume whole 64-byte blocks of p[0, n) up to the first byte
     * the state machine must see (a bare CR or LF, a NUL when refused, a '.' at a line
     * start). In between only line lengths change: they are read off the LF mask. Leaves
     * st_ (mid, bol or cr) and line_ exactly as the byte loop would. Returns bytes consumed.
     */
    std::size_t skim(const char* p, std::size_t n) noexcept {
        return !allow_nul_ ? skim_blocks<true>(p, n) : skim_blocks<false>(p, n);
    }

    template <bool Nul>
    std::size_t skim_blocks(const char* p, std::size_t n) noexcept {
        // Locals, not members: stores through `this` may alias the input bytes.
        const std::size_t max_line = max_text_line_;
        std::size_t line = line_;
        st state = st_;
        char prev = state == st::bol ? '\n' : state == st::cr ? '\r' : 'x';  // what the state stands for
        std::size_t i = 0;
        while (n - i >= 64) {
            const detail::data_block b = detail::data_block_sse2<Nul>(p + i, prev);
            std::size_t k = b.faults == 0 ? 64 : std::size_t{detail::ctz64(b.faults)};
            if (k != 0) {
                const std::uint64_t lfs = k == 64 ? b.lf : b.lf & ((std::uint64_t{1} << k) - 1);
                if (lfs == 0) {
                    line = detail::saturating_add(line, k);
                } else {
                    // Every line ending here is at most line + k long: check them only then.
                    if (max_line != 0 && detail::saturating_add(line, k) > max_line && long_line(line, lfs)) {
                        add(data_error::line_too_long);
                    }
                    line = k - 1 - std::size_t{detail::top_bit64(lfs)};
                }
                prev = p[i + k - 1];
                state = prev == '\n' ? st::bol : prev == '\r' ? st::cr : st::mid;
                i += k;
            }
            if (b.faults != 0) break;
        }
        line_ = line;
        st_ = state;
        return i;
    }

    // Whether a line ending at an LF in `lfs` (bit k = byte k of the block) is longer than
    // the limit; the first one began `carried` octets before the block.
    [[nodiscard]] bool long_line(std::size_t carried, std::uint64_t lfs) const noexcept {
        std::size_t from = 0;
        for (; lfs != 0; lfs &= lfs - 1) {
            const std::size_t at = detail::ctz64(lfs);
            if (detail::saturating_add(carried, at + 1 - from) > max_text_line_) return true;
            carried = 0;
            from = at + 1;
        }
        return false;
    }
#endif

    // A line ends; `term` octets of its terminator were not yet counted in line_.
    constexpr void end_line(std::size_t term) noexcept {
        const std::size_t len = detail::saturating_add(line_, term);
        if (max_text_line_ != 0 && len > max_text_line_) add(data_error::line_too_long);
        line_ = 0;
    }

    constexpr void drop_dot_line(std::size_t) noexcept {
        st_ = st::bol_bare;
        line_ = 0;
    }

    constexpr data_event emit(const char* p, std::size_t from, std::size_t to) noexcept {
        return emit_view(std::string_view(p + from, to - from), to);
    }
    constexpr data_event emit_lit(std::string_view lit, std::size_t consumed) noexcept {
        return emit_view(lit, consumed);
    }
    constexpr data_event emit_view(std::string_view v, std::size_t consumed) noexcept {
        size_ = detail::saturating_add64(size_, v.size());
        if (max_size_ != 0 && size_ > max_size_) add(data_error::too_big);
        return {status::complete, data_event_kind::content, v, consumed, data_error::none};
    }

    // The options, kept so that a default decoder is all-zero octets (a static one lands
    // in .bss): reject_nul, on by default, is kept as its negation.
    std::uint64_t max_size_ = 0;
    std::uint64_t size_ = 0;
    std::size_t max_text_line_ = 0;
    std::size_t line_ = 0;  // octets of the current line so far, stuffing dot excluded
    bare_newline_policy bare_newline_ = bare_newline_policy::reject;
    bool allow_nul_ = false;
    st st_ = st::bol;
    data_error err_ = data_error::none;
};

/// Options of the BDAT decoder.
struct bdat_options {
    /**
     * Refuse the message (550 5.5.2, at the end of the chunk) when its content holds a CR
     * not followed by LF or an LF not preceded by CR. RFC 3030 §3 requires canonical
     * CRLF text unless BODY=BINARYMIME; the session turns this on unless BINARYMIME.
     * Off by default because BDAT payloads are opaque octets to the framing.
     */
    bool reject_bare_newline = false;
    /// Refuse a NUL octet (RFC 2045 §2.7/§2.8); for text bodies, like reject_bare_newline.
    bool reject_nul = false;
    /// Message size limit across all chunks (RFC 1870 count); 0 = unlimited. Exceeding
    /// it still consumes every chunk in full; the verdict becomes too_big (552 5.3.4).
    std::uint64_t max_size = 0;
};

/**
 * BDAT chunk decoder, RFC 3030 §2:
 *
 *   bdat-cmd ::= "BDAT" SP chunk-size [ SP end-marker ] CR LF
 *   chunk-size ::= 1*DIGIT
 *   "The message data is sent immediately after the trailing <CR><LF> of the BDAT command
 *    line. Once the receiver-SMTP receives the specified number of octets, it will return
 *    a 250 reply code."
 *
 * Counts exactly `chunk_size` octets (any value up to 2^64-1) as content: no dot-unstuffing,
 * no terminator search. One decoder serves a whole message: call next_chunk() for each
 * further BDAT so the CR/LF state across chunk boundaries and the size are kept. A chunk
 * the session refuses (e.g. 503 before RCPT) must still be run through a decoder and its
 * content dropped: those octets must never be parsed as commands.
 *
 * next() returns content views, then one end event per chunk (consumed 0 for the end
 * event itself); for a chunk of size 0, the first call returns end even on empty input.
 */
class bdat_decoder {
public:
    constexpr bdat_decoder() noexcept = default;
    /// The first chunk of a message. `last`: the BDAT command carried LAST.
    constexpr explicit bdat_decoder(std::uint64_t chunk_size, bdat_options o = {}, bool last = false) noexcept
        : opt_(o), remaining_(chunk_size), last_(last) {}

private:
    // The CR/LF/NUL checks of content `v`; with `Blocks`, whole 64-byte blocks first.
    // Defined before next() for clang's constant evaluation (see data_decoder::step).
    template <bool Blocks>
    constexpr void check(std::string_view v) noexcept {
        const char* p = v.data();
        const std::size_t n = v.size();
        std::size_t i = 0;
        if (cr_ && n > 0) {
            cr_ = false;
            if (p[0] != '\n' && opt_.reject_bare_newline) add(data_error::bare_cr);
            if (p[0] == '\n') i = 1;
        }
#if defined(SMTPP_HAVE_BODY_BLOCKS)
        if (Blocks && n - i >= 64) i += check_blocks(p + i, n - i);
#endif
        while (i < n) {
            i += detail::scan_newline(p + i, n - i, opt_.reject_nul);
            if (i == n) break;
            const char c = p[i++];
            if (c == '\0') {
                add(data_error::nul);
            } else if (c == '\n') {
                if (opt_.reject_bare_newline) add(data_error::bare_lf);
            } else if (i == n) {
                cr_ = true;  // decided by the next octet (possibly in the next chunk)
            } else if (p[i] == '\n') {
                ++i;
            } else if (opt_.reject_bare_newline) {
                add(data_error::bare_cr);
            }
        }
    }

public:
    /// Start the next chunk of the same message (after the previous chunk's end event).
    constexpr void next_chunk(std::uint64_t chunk_size, bool last = false) noexcept {
        remaining_ = chunk_size;
        last_ = last;
        ended_ = false;
    }

    /**
     * Consume up to the chunk's remaining octets of `input`.
     * @return content: the next piece of the chunk; end: the chunk is complete, `err` is
     *         the verdict so far for the message (final when last()); calling again
     *         returns end with consumed 0 until next_chunk(); need_more: input was empty.
     */
    constexpr data_event next(std::string_view input) noexcept {
        if (remaining_ == 0) {
            if (!ended_) {
                ended_ = true;
                // A CR that ends the message can never be followed by its LF.
                if (last_ && cr_ && opt_.reject_bare_newline) add(data_error::bare_cr);
                if (last_) cr_ = false;
            }
            return {status::complete, data_event_kind::end, {}, 0, err_};
        }
        if (input.empty()) return {};
        const std::size_t take = remaining_ < input.size() ? static_cast<std::size_t>(remaining_) : input.size();
        const std::string_view v = detail::sub(input, 0, take);
        remaining_ -= take;
        size_ = detail::saturating_add64(size_, take);
        if (opt_.max_size != 0 && size_ > opt_.max_size) add(data_error::too_big);
        if (opt_.reject_bare_newline || opt_.reject_nul) {
#if defined(SMTPP_HAVE_BODY_BLOCKS)
            // Short pieces keep the plain loop: no block code in their way.
            if (take >= 64 && !detail::scan_in_constant_evaluation()) check_long(v);
            else
#endif
                check<false>(v);
        }
        return {status::complete, data_event_kind::content, v, take, data_error::none};
    }

    /// Octets of this chunk still to come.
    [[nodiscard]] constexpr std::uint64_t remaining() const noexcept { return remaining_; }
    /// Octets of the message so far, all chunks (saturating).
    [[nodiscard]] constexpr std::uint64_t size() const noexcept { return size_; }
    /// This chunk carried LAST.
    [[nodiscard]] constexpr bool last() const noexcept { return last_; }
    /// True once this chunk's end event has been returned.
    [[nodiscard]] constexpr bool done() const noexcept { return ended_; }
    /// The verdict so far.
    [[nodiscard]] constexpr data_error pending_error() const noexcept { return err_; }

private:
    constexpr void add(data_error e) noexcept {
        if (detail::data_error_rank(e) > detail::data_error_rank(err_)) err_ = e;
    }

#if defined(SMTPP_HAVE_BODY_BLOCKS)
    // Out of line, so that next() stays small enough to inline for byte-by-byte feeds.
    SMTPP_NOINLINE void check_long(std::string_view v) noexcept { check<true>(v); }

    // Whole 64-byte blocks of p[0, n), p[0] not right after an unresolved CR: the faults
    // are read off the masks. A CR in a block's last byte starts the next block, so the
    // byte loop's rule holds across blocks. Returns the bytes checked.
    std::size_t check_blocks(const char* p, std::size_t n) noexcept {
        std::size_t i = 0;
        while (n - i >= 64) {
            const detail::body_masks m = detail::body_masks_sse2(p + i);
            const std::uint64_t bad = detail::body_block_faults(m, false, false);
            if (bad != 0 && opt_.reject_bare_newline) {
                // The byte loop's order does not matter: the verdict is the highest rank.
                const std::uint64_t bare_lf = m.lf & ~(m.cr << 1);
                if (bare_lf != 0) add(data_error::bare_lf);
                if ((bad & ~bare_lf) != 0) add(data_error::bare_cr);
            }
            if (opt_.reject_nul && m.nul != 0) add(data_error::nul);
            i += (m.cr >> 63) != 0 ? 63 : 64;
        }
        return i;
    }
#endif

    bdat_options opt_{};
    std::uint64_t remaining_ = 0;
    std::uint64_t size_ = 0;
    data_error err_ = data_error::none;
    bool last_ = false;
    bool ended_ = false;
    bool cr_ = false;  // the last octet delivered was a CR
};

}  // namespace smtpp

#endif
