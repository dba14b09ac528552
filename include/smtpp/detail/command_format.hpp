/**
 * @file command_format.hpp
 * @brief The writer the command formatter writes through, and paths.
 *
 * Machinery of command.hpp, which includes it after declaring the types it uses; not a
 * header of its own.
 * @private Included by command.hpp only.
 */
#ifndef SMTPP_DETAIL_COMMAND_FORMAT_HPP
#define SMTPP_DETAIL_COMMAND_FORMAT_HPP

#ifndef SMTPP_COMMAND_HPP
#error "include <smtpp/command.hpp>, not this file"
#endif

namespace smtpp {
namespace detail {

struct writer {
    char* out;
    std::size_t cap;
    std::size_t n = 0;
    bool overflow = false;
    bool forbidden = false;

    constexpr void put(char ch) noexcept {
        if (ch == '\r' || ch == '\n' || ch == '\0') forbidden = true;
        if (n < cap) out[n] = ch;
        else overflow = true;
        ++n;
    }
    constexpr void put(std::string_view s) noexcept {
        for (char ch : s) put(ch);
    }
    constexpr void put_u64(std::uint64_t v) noexcept {
        char digits[20] = {};
        std::size_t k = 0;
        do {
            digits[k++] = static_cast<char>('0' + v % 10);
            v /= 10;
        } while (v != 0);
        while (k > 0) put(digits[--k]);
    }
    constexpr void put_i64(std::int64_t v) noexcept {
        if (v < 0) {
            put('-');
            put_u64(static_cast<std::uint64_t>(-(v + 1)) + 1);
        } else {
            put_u64(static_cast<std::uint64_t>(v));
        }
    }
};

constexpr void format_path(writer& w, const path& p) noexcept {
    if (p.is_null) {
        w.put("<>");
    } else if (p.is_postmaster && p.domain.empty()) {
        w.put("<Postmaster>");
    } else {
        // Source routes are not generated (RFC 5321 §4.1.2: "SHOULD NOT").
        w.put('<');
        w.put(p.local_part);
        w.put('@');
        w.put(p.domain);
        w.put('>');
    }
}

}  // namespace detail
}  // namespace smtpp

#endif  // SMTPP_DETAIL_COMMAND_FORMAT_HPP
