/**
 * @file detail/reply_format.hpp
 * @brief The reply formatter for servers (RFC 5321 §4.2.1, RFC 2034 §4).
 * @private Included by reply.hpp only, after the public types.
 */
#ifndef SMTPP_DETAIL_REPLY_FORMAT_HPP
#define SMTPP_DETAIL_REPLY_FORMAT_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace smtpp {

namespace detail {
constexpr bool is_safe_text(std::string_view t) noexcept {
    for (const char ch : t) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\t') || c == 0x7F) return false;
    }
    return true;
}
}  // namespace detail

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

}  // namespace smtpp

#endif
