/**
 * @file detail/reply_errors.hpp
 * @brief The names of `reply_error` and `format_error` and the replies they map to, one row
 *        per value beside each other, checked at compile time against the enums.
 * @private Included by reply.hpp only, after the public types.
 */
#ifndef SMTPP_DETAIL_REPLY_ERRORS_HPP
#define SMTPP_DETAIL_REPLY_ERRORS_HPP

#include <cstddef>
#include <string_view>

namespace smtpp {
namespace detail {

/// One error value: its name (for logs, docs/errors.md) and the reply it maps to.
template <typename E>
struct error_row {
    E value;
    std::string_view name;
    reply_hint reply;
};

/// True when row i holds the value i with a name, for every row: the enums' values are
/// explicit, append-only and without gaps, so a row out of place does not compile.
template <typename E, std::size_t N>
constexpr bool rows_in_order(const error_row<E> (&rows)[N]) noexcept {
    for (std::size_t i = 0; i < N; ++i)
        if (static_cast<std::size_t>(rows[i].value) != i || rows[i].name.empty()) return false;
    return true;
}

/// The row of `e`, or the `fallback` for a value past the table (a cast from a wider integer).
template <typename E, std::size_t N>
constexpr const error_row<E>& row_of(const error_row<E> (&rows)[N], E e, const error_row<E>& fallback) noexcept {
    const auto i = static_cast<std::size_t>(e);
    return i < N ? rows[i] : fallback;
}

// A client records these for the message when the server's reply is unusable (in a
// delivery status notification, RFC 3464, and in its logs). All are transient: a broken
// reply says nothing about the message.
inline constexpr reply_hint malformed_reply{451, {4, 5, 0}, "Remote server sent a malformed reply"};
inline constexpr reply_hint long_reply{451, {4, 5, 0}, "Remote server sent an over-long reply"};

/// Every `reply_error`, in value order. A value appended to the enum gets its row here and
/// moves the `static_assert` below to itself.
inline constexpr error_row<reply_error> reply_error_rows[] = {
    {reply_error::none, "none", {250, {2, 0, 0}, "OK"}},
    {reply_error::bad_code, "bad reply code", malformed_reply},
    {reply_error::bad_separator, "bad separator after reply code", malformed_reply},
    {reply_error::code_mismatch, "reply code differs between lines", malformed_reply},
    {reply_error::line_too_long, "reply line too long", long_reply},
    {reply_error::bare_cr, "bare CR in reply", malformed_reply},
    {reply_error::bare_lf, "bare LF in reply", malformed_reply},
    {reply_error::bad_char, "forbidden character in reply text", malformed_reply},
    {reply_error::reply_too_long, "reply too long", long_reply},
    {reply_error::unexpected_data,
     "unexpected data after reply",
     {451, {4, 7, 0}, "Remote server sent data it must not send after its reply"}},
    {reply_error::truncated, "connection closed inside a reply", {421, {4, 4, 2}, "Connection lost inside a reply"}},
};
static_assert(rows_in_order(reply_error_rows) &&
                  std::size(reply_error_rows) == static_cast<std::size_t>(reply_error::truncated) + 1,
              "reply_error_rows: one row per reply_error, in value order");

/// A value past the table.
inline constexpr error_row<reply_error> unknown_reply_error{reply_error::none, "unknown", malformed_reply};

/// The reply a server sends when its own formatting failed (a bug in the host).
inline constexpr reply_hint local_error{451, {4, 3, 0}, "Local error in processing"};

/// Every `format_error`, in value order (as `reply_error_rows`).
inline constexpr error_row<format_error> format_error_rows[] = {
    {format_error::none, "none", local_error},
    {format_error::buffer_too_small, "buffer too small", local_error},
    {format_error::bad_text, "control character in reply text", local_error},
    {format_error::bad_code, "invalid reply code", local_error},
    {format_error::bad_enhanced_code, "invalid enhanced status code for this reply", local_error},
    {format_error::no_lines, "reply without lines", local_error},
    {format_error::ambiguous_text, "text would read back as a different reply", local_error},
};
static_assert(rows_in_order(format_error_rows) &&
                  std::size(format_error_rows) == static_cast<std::size_t>(format_error::ambiguous_text) + 1,
              "format_error_rows: one row per format_error, in value order");

/// A value past the table.
inline constexpr error_row<format_error> unknown_format_error{format_error::none, "unknown", local_error};

}  // namespace detail

constexpr std::string_view to_string(reply_error e) noexcept {
    return detail::row_of(detail::reply_error_rows, e, detail::unknown_reply_error).name;
}

constexpr reply_hint reply_for(reply_error e) noexcept {
    return detail::row_of(detail::reply_error_rows, e, detail::unknown_reply_error).reply;
}

constexpr std::string_view to_string(format_error e) noexcept {
    return detail::row_of(detail::format_error_rows, e, detail::unknown_format_error).name;
}

constexpr reply_hint reply_for(format_error e) noexcept {
    return detail::row_of(detail::format_error_rows, e, detail::unknown_format_error).reply;
}

}  // namespace smtpp

#endif
