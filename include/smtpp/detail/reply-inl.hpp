/**
 * @file detail/reply-inl.hpp
 * @brief The reply reader's member functions (`basic_reply_reader`).
 * @private Included by reply.hpp only, after the public types and the other reply_ details.
 */
#ifndef SMTPP_DETAIL_REPLY_INL_HPP
#define SMTPP_DETAIL_REPLY_INL_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace smtpp {

template <std::size_t Capacity>
constexpr status basic_reply_reader<Capacity>::next_line(std::string_view& in, reply_line& out) noexcept {
    if (error_ != reply_error::none) return status::failed;
    const bool ctl = opt_.allow_ctl || (ehlo_ && lines_ == 0);
    if (len_ == 0 && !pending_cr_) {
        const detail::line_scan sc = detail::scan_line(in, opt_.max_line, opt_.allow_bare_lf, opt_.allow_8bit, ctl);
        saw_ctl_ = saw_ctl_ || sc.saw_ctl;
        if (sc.error != reply_error::none) return fail(sc.error);
        if (!sc.found) {
            append(std::string_view(in.data(), sc.content_end));
            pending_cr_ = sc.pending_cr;
            in = {};
            return status::need_more;
        }
        const std::string_view content = std::string_view(in.data(), sc.content_end);
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
    const detail::line_scan sc = detail::scan_line(in, opt_.max_line - len_, opt_.allow_bare_lf, opt_.allow_8bit, ctl);
    saw_ctl_ = saw_ctl_ || sc.saw_ctl;
    if (sc.error != reply_error::none) return fail(sc.error);
    append(std::string_view(in.data(), sc.content_end));
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

template <std::size_t Capacity>
constexpr status basic_reply_reader<Capacity>::next_reply(std::string_view& in, reply_summary& out,
                                                          reply_line& last) noexcept {
    for (;;) {
        const status st = next_line(in, last);
        if (st != status::complete) return st;
        if (last.last) {
            out = done_;
            return status::complete;
        }
    }
}

template <std::size_t Capacity>
constexpr status basic_reply_reader<Capacity>::next_reply(std::string_view& in, reply_summary& out) noexcept {
    reply_line ignored{};
    return next_reply(in, out, ignored);
}

template <std::size_t Capacity>
constexpr status basic_reply_reader<Capacity>::finish() noexcept {
    if (error_ != reply_error::none) return status::failed;
    if (len_ != 0 || pending_cr_ || lines_ != 0) return fail(reply_error::truncated);
    return status::complete;
}

template <std::size_t Capacity>
constexpr status basic_reply_reader<Capacity>::expect_end_of_input(std::string_view rest) noexcept {
    if (error_ != reply_error::none) return status::failed;
    if (!rest.empty() || len_ != 0 || pending_cr_ || lines_ != 0) return fail(reply_error::unexpected_data);
    return status::complete;
}

template <std::size_t Capacity>
constexpr void basic_reply_reader<Capacity>::reset() noexcept {
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

template <std::size_t Capacity>
constexpr void basic_reply_reader<Capacity>::append(std::string_view s) noexcept {
    // The scanner never lets a line grow past max_line <= Capacity.
    detail::copy_bytes(buf_ + len_, s.data(), s.size());
    len_ += static_cast<std::uint32_t>(s.size());
}

template <std::size_t Capacity>
constexpr status basic_reply_reader<Capacity>::emit(std::string_view content, std::uint32_t wire_bytes,
                                                    reply_line& out) noexcept {
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

}  // namespace smtpp

#endif
