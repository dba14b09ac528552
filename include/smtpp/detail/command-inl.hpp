/**
 * @file command-inl.hpp
 * @brief The definitions of command.hpp's public functions.
 *
 * Machinery of command.hpp, which includes it last; not a header of its own.
 * @private Included by command.hpp only.
 */
#ifndef SMTPP_DETAIL_COMMAND_INL_HPP
#define SMTPP_DETAIL_COMMAND_INL_HPP

#ifndef SMTPP_COMMAND_HPP
#error "include <smtpp/command.hpp>, not this file"
#endif

namespace smtpp {

constexpr bool next_param(std::string_view& text, std::string_view& keyword, std::string_view& value) noexcept {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    if (text.empty()) return false;
    std::size_t sp = text.find(' ');
    if (sp == std::string_view::npos) sp = text.size();
    const std::string_view p = detail::sub(text, 0, sp);
    const std::size_t eq = p.find('=');
    keyword = detail::sub(p, 0, eq);
    value = eq == std::string_view::npos ? std::string_view{} : detail::sub(p, eq + 1);
    text.remove_prefix(sp);
    return true;
}

[[nodiscard]] SMTPP_CLANG_INLINE constexpr command_error parse_command(std::string_view line, command& out,
                                                                       const parse_options& opt) noexcept {
    detail::clear(out);
    out.line = line;
    const std::size_t n = line.size();
    std::string_view body;
    if (n >= 2 && line[n - 1] == '\n' && line[n - 2] == '\r') {
        body = detail::sub(line, 0, n - 2);
    } else if (n >= 1 && line[n - 1] == '\n' && opt.allow_bare_lf) {
        body = detail::sub(line, 0, n - 1);
    } else {
        if (n >= 1 && line[n - 1] == '\n') return command_error::bare_lf;
        if (n >= 1 && line[n - 1] == '\r') return command_error::bare_cr;
        return command_error::missing_crlf;
    }
    const command_error e = detail::parse_command_body(line, body, out, opt);
    if (e == command_error::none || e == command_error::line_too_long || e == command_error::auth_line_too_long)
        return e;
    return detail::refine_error(body, e, opt.smtputf8);
}

[[nodiscard]] constexpr command parse_command(std::string_view line, command_error& err,
                                              const parse_options& opt) noexcept {
    command c;
    err = parse_command(line, c, opt);
    return c;
}


constexpr std::size_t xtext_decode(std::string_view in, char* out, std::size_t cap, bool allow_lowercase) noexcept {
    std::size_t n = 0;
    for (std::size_t i = 0; i < in.size(); ++n) {
        if (n >= cap) return SIZE_MAX;
        if (in[i] == '+') {
            if (i + 2 >= in.size()) return SIZE_MAX;
            const int hi = detail::xtext_hex(in[i + 1], allow_lowercase);
            const int lo = detail::xtext_hex(in[i + 2], allow_lowercase);
            if (hi < 0 || lo < 0) return SIZE_MAX;
            out[n] = static_cast<char>(hi * 16 + lo);
            i += 3;
        } else {
            if (!detail::is(static_cast<unsigned char>(in[i]), detail::c_xchar)) return SIZE_MAX;
            out[n] = in[i];
            ++i;
        }
    }
    return n;
}

constexpr std::size_t unquote(std::string_view in, char* out, std::size_t cap) noexcept {
    if (in.size() < 2 || in.front() != '"' || in.back() != '"') {
        if (in.size() > cap) return SIZE_MAX;
        for (std::size_t i = 0; i < in.size(); ++i) out[i] = in[i];
        return in.size();
    }
    std::size_t n = 0;
    for (std::size_t i = 1; i + 1 < in.size(); ++i) {
        if (n >= cap) return SIZE_MAX;
        if (in[i] == '\\' && i + 2 < in.size()) ++i;
        out[n++] = in[i];
    }
    return n;
}


constexpr command_format_result format_command(const command& c, char* out, std::size_t cap,
                                               const parse_options& opt) noexcept {
    detail::writer w{out, cap};
    command_format_result r;
    const std::string_view name = to_string(c.verb);
    if (name.empty()) {
        r.err = command_format_error::invalid;
        r.parse_error = command_error::unknown_verb;
        return r;
    }
    w.put(name);
    switch (c.verb) {
        case verb::helo:
        case verb::ehlo:
        case verb::lhlo:
        case verb::etrn:
            w.put(' ');
            w.put(c.argument);
            break;
        case verb::mail:
        case verb::rcpt:
            w.put(c.verb == verb::mail ? " FROM:" : " TO:");
            detail::format_path(w, c.path);
            detail::format_params(w, c.params);
            break;
        case verb::bdat:
            w.put(' ');
            w.put_u64(c.chunk_size);
            if (c.last) w.put(" LAST");
            break;
        case verb::auth:
            w.put(' ');
            w.put(c.mechanism);
            if (c.has_initial_response) {
                w.put(' ');
                w.put(c.initial_response.empty() ? std::string_view{"="} : c.initial_response);
            }
            break;
        case verb::vrfy:
        case verb::expn:
            w.put(' ');
            w.put(c.argument);
            if (c.smtputf8) w.put(" SMTPUTF8");
            break;
        case verb::help:
        case verb::noop:
            if (!c.argument.empty()) {
                w.put(' ');
                w.put(c.argument);
            }
            break;
        default: break;
    }
    if (w.forbidden) {
        r.err = command_format_error::forbidden_byte;
        return r;
    }
    w.put("\r\n");
    if (w.overflow) {
        r.err = command_format_error::no_space;
        r.size = w.n;
        return r;
    }
    command back;
    parse_options check = opt;
    check.allow_bare_lf = false;
    const command_error e = parse_command(std::string_view(out, w.n), back, check);
    if (e != command_error::none || back.params.unknown_count != 0) {
        r.err = command_format_error::invalid;
        r.parse_error = e;
        return r;
    }
    r.size = w.n;
    return r;
}

}  // namespace smtpp

#endif  // SMTPP_DETAIL_COMMAND_INL_HPP
