/**
 * @file core.hpp
 * @brief Vocabulary shared by every layer: the three outcomes of an incremental call,
 *        enhanced status codes (RFC 3463) and the reply a failure maps to.
 *
 * Nothing here allocates, throws or performs I/O.
 */
#ifndef SMTPP_CORE_HPP
#define SMTPP_CORE_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "detail/platform.hpp"

namespace smtpp {

/// The outcome of an incremental call. "Need more" is never an error.
enum class status : std::uint8_t {
    complete = 0,   ///< an event or value was produced
    need_more = 1,  ///< all input was consumed; feed more bytes
    failed = 2,     ///< an error was found; see the call's error value
};

/**
 * An enhanced mail system status code, RFC 3463 §2: `class "." subject "." detail`.
 * `cls == 0` means "no code". class is 2, 4 or 5; subject and detail are 0..999.
 */
struct enhanced_code {
    std::uint8_t cls = 0;       ///< class: 2 success, 4 persistent transient failure, 5 permanent failure
    std::uint16_t subject = 0;  ///< subject (RFC 3463 §3: 0 other, 1 addressing, 2 mailbox, ... 7 security)
    std::uint16_t detail = 0;   ///< detail within the subject

    /// True when there is no code (`cls == 0`).
    [[nodiscard]] constexpr bool empty() const noexcept { return cls == 0; }
    /// Equal when class, subject and detail are.
    friend constexpr bool operator==(enhanced_code a, enhanced_code b) noexcept {
        return a.cls == b.cls && a.subject == b.subject && a.detail == b.detail;
    }
    /// Not equal.
    friend constexpr bool operator!=(enhanced_code a, enhanced_code b) noexcept { return !(a == b); }
};

/**
 * The reply an error maps to: a basic reply code (RFC 5321 §4.2), an enhanced status
 * code (RFC 3463 / RFC 5248) and a short text. The text never contains CR, LF or NUL, so
 * a host can write `code SP esc SP text CRLF` as is, without composing anything itself.
 */
struct reply_hint {
    std::uint16_t code = 0;   ///< basic reply code (RFC 5321 §4.2), 0 when none
    enhanced_code esc{};      ///< enhanced status code (RFC 3463), empty when none
    std::string_view text{};  ///< short text, static storage, no CR/LF/NUL
};

}  // namespace smtpp

#endif
