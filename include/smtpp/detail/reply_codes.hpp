/**
 * @file detail/reply_codes.hpp
 * @brief Reply codes and enhanced status codes: parsing and formatting an enhanced code
 *        (RFC 3463 §2, RFC 2034 §4) and the grammar of one reply line (RFC 5321 §4.2).
 * @private Included by reply.hpp only, after the public types.
 */
#ifndef SMTPP_DETAIL_REPLY_CODES_HPP
#define SMTPP_DETAIL_REPLY_CODES_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace smtpp {

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

namespace detail {

/// One reply line as `parse_reply_line` reads it.
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

}  // namespace detail

}  // namespace smtpp

#endif
