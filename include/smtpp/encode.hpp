/**
 * @file encode.hpp
 * @brief The client side of the message body: a streaming encoder for DATA (dot-stuffing,
 *        CRLF line ends, the final CRLF "." CRLF, RFC 5321 §4.1.1.4 and §4.5.2) and for
 *        BDAT chunks (line ends only, RFC 3030 §2).
 *
 * The encoder is the inverse of `data_decoder` (data.hpp): whatever it emits for a body,
 * the decoder gives back as the same body (byte for byte when the body's line ends are
 * CRLF; with its bare CR/LF turned into CRLF under `newline_policy::normalize`).
 *
 * Nothing here allocates, throws or performs I/O. The encoder never copies: each call
 * returns either a view into the caller's chunk (a run that needs no change: zero copy)
 * or a short literal from static storage (a stuffing ".", a CRLF, the terminator).
 *
 * @code
 *   smtpp::body_encoder enc;                          // DATA, strict line ends
 *   for each chunk of the message:
 *       std::string_view in = chunk;
 *       while (!in.empty()) {
 *           auto piece = enc.next(in);                // advances `in`
 *           if (enc.failed()) { refuse(enc.error()); ... }
 *           write(piece);
 *       }
 *   write(enc.finish());                              // "\r\n.\r\n" or ".\r\n"
 * @endcode
 */
#ifndef SMTPP_ENCODE_HPP
#define SMTPP_ENCODE_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core.hpp"
#include "data.hpp"
#include "detail/enum_names.hpp"

namespace smtpp {

/// What the encoder does with a CR or LF that is not part of a CRLF in the caller's body.
enum class newline_policy : std::uint8_t {
    /**
     * Refuse the body (`encode_error::bare_cr` / `bare_lf`): nothing is sent that a strict
     * server would refuse (RFC 5321 §2.3.8: CR and LF "MUST NOT" appear alone in text).
     */
    strict = 0,
    /**
     * Send a bare LF or a bare CR as a line end (CRLF); CRLF stays CRLF. Needed for Unix
     * files ("\n" line ends).
     * RISK: the message on the wire differs from the caller's bytes (a signed message with
     * bare line ends no longer verifies; it would not have survived a strict hop either).
     */
    normalize = 1,
};

/**
 * Why the encoder refused a body, one row each: `X(enumerator, value, description)` with the
 * cause. Values are explicit and append-only. The enum, `to_string()` (the description) and
 * `encode_error_count` come from it (RFC 5321 §2.3.8: CR and LF only as CRLF).
 */
#define SMTPP_ENCODE_ERRORS(X)                                                                            \
    X(none, 0, "none")                       /**< no error */                                             \
    X(bare_lf, 1, "bare LF in message body") /**< LF not preceded by CR under `newline_policy::strict` */ \
    X(bare_cr, 2, "bare CR in message body") /**< CR not followed by LF under `newline_policy::strict` */ \
    /* a new row goes above this line */

/// Expands a row of `SMTPP_ENCODE_ERRORS` into its enumerator (used right below only).
#define SMTPP_X_ENCODE_ERROR(e, value, text) e = value,
/// Why the encoder refused a body: one enumerator per row of `SMTPP_ENCODE_ERRORS`.
enum class encode_error : std::uint8_t { SMTPP_ENCODE_ERRORS(SMTPP_X_ENCODE_ERROR) };
#undef SMTPP_X_ENCODE_ERROR

namespace detail {
/// Expands a row of `SMTPP_ENCODE_ERRORS` into its description (used right below only).
#define SMTPP_X_ENCODE_ERROR_NAME(e, value, text) {encode_error::e, text},
inline constexpr enum_name<encode_error> encode_error_names[] = {SMTPP_ENCODE_ERRORS(SMTPP_X_ENCODE_ERROR_NAME)};
#undef SMTPP_X_ENCODE_ERROR_NAME
static_assert(names_in_order(encode_error_names), "SMTPP_ENCODE_ERRORS: rows in value order, from 0, texts unique");
}  // namespace detail

/// The number of `encode_error` values (0 to `encode_error_count` - 1).
inline constexpr std::size_t encode_error_count = sizeof detail::encode_error_names /
                                                  sizeof detail::encode_error_names[0];

/// A short English description of the error ("bare LF in message body", ...); "unknown" out
/// of range.
constexpr std::string_view to_string(encode_error e) noexcept {
    return detail::name_of(detail::encode_error_names, e, "unknown");
}

/// Options of `body_encoder`.
struct encode_options {
    newline_policy newline = newline_policy::strict;  ///< bare CR / LF: refuse them, or send them as CRLF
    /// Dot-stuff and terminate with "." CRLF (DATA). Off for BDAT: the chunk sizes frame
    /// the body (RFC 3030 §2); nothing is stuffed.
    bool stuff = true;
    /// BDAT only: a body whose last line lacks CRLF gets one (as DATA always does: the
    /// terminator's first CRLF ends the last line, RFC 5321 §4.1.1.4, and the decoder
    /// keeps it). Off sends the bytes as they are.
    bool final_crlf = true;
};

/**
 * Streams a message body onto the wire. Split-invariant: the concatenation of the pieces is
 * the same however the body is cut into chunks (tested at every split).
 *
 * State: whether the next byte starts a line, and whether a CR was the last byte seen
 * (written already; its LF may come in the next chunk). Trivially copyable, no pointers.
 */
class body_encoder {
public:
    /// An encoder for DATA with strict line ends (`encode_options{}`).
    constexpr body_encoder() noexcept = default;
    /// An encoder with options `o` (BDAT: `stuff` off; Unix line ends: `normalize`).
    constexpr explicit body_encoder(encode_options o) noexcept : opt_(o) {}

    /**
     * The next piece to write for `in` (never more than one piece per call). Advances `in`
     * past the bytes the piece accounts for (possibly none: a stuffing dot or an inserted
     * LF). Returns an empty view only when `in` is empty or after a failure.
     */
    std::string_view next(std::string_view& in) noexcept;

    /**
     * The last piece: under DATA "\r\n.\r\n" (the body did not end with CRLF) or ".\r\n";
     * under BDAT "\r\n" or "" (see `encode_options::final_crlf`). A CR left at the very end
     * is refused under `strict` and completed under `normalize`.
     */
    std::string_view finish() noexcept;

    /// Forgets the body (the options stay): ready for the next message.
    constexpr void reset() noexcept {
        bol_ = true;
        cr_ = false;
        err_ = encode_error::none;
    }

    /// Why the body was refused (`none` while it goes on).
    [[nodiscard]] constexpr encode_error error() const noexcept { return err_; }
    /// True once the body was refused: `next()` and `finish()` return nothing more.
    [[nodiscard]] constexpr bool failed() const noexcept { return err_ != encode_error::none; }
    /// The options the encoder was made with.
    [[nodiscard]] constexpr const encode_options& options() const noexcept { return opt_; }

private:
    // The CR before has been written (it ended the chunk before); is `in[0]` its LF?
    std::string_view after_cr(std::string_view& in, bool norm) noexcept;
    std::string_view fail(encode_error e) noexcept {
        err_ = e;
        return {};
    }
    // Writes the clean run before a refused byte first, so the host sees every good byte
    // (it will not send them: the failure comes with the next call).
    std::string_view run_or_fail(std::string_view& in, std::size_t at, encode_error e) noexcept {
        if (at == 0) return fail(e);
        in.remove_prefix(at);
        bol_ = false;
        return {in.data() - at, at};
    }

    encode_options opt_{};
    bool bol_ = true;
    bool cr_ = false;
    encode_error err_ = encode_error::none;
};

}  // namespace smtpp

#include "detail/encode-inl.hpp"

#endif
