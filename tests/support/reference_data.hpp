// An obviously correct model of smtpp::data_decoder over a whole stream, shared by
// tests/test_data.cpp and fuzz/fuzz_data.cpp so the two can never disagree about what
// "correct" means (see docs/line-and-body.md). Test code: it allocates freely.
#ifndef SMTPP_TESTS_REFERENCE_DATA_HPP
#define SMTPP_TESTS_REFERENCE_DATA_HPP

#include <smtpp/data.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace smtpp_test {

using smtpp::data_error;

/// What decoding a stream gives: the message, where the end of data was, the verdict.
struct outcome {
    bool ended = false;
    std::string content;
    std::size_t consumed = 0;
    data_error err = data_error::none;
    bool operator==(const outcome& o) const {
        return ended == o.ended && content == o.content && consumed == o.consumed && err == o.err;
    }
};

inline outcome reference_data(std::string_view s, const smtpp::data_options& o) {
    outcome r;
    auto add = [&](data_error e) {
        if (smtpp::detail::data_error_rank(e) > smtpp::detail::data_error_rank(r.err)) r.err = e;
    };
    auto line_check = [&](std::size_t len) {
        if (o.max_text_line != 0 && len > o.max_text_line) add(data_error::line_too_long);
    };
    if (o.bare_newline == smtpp::bare_newline_policy::reject) {
        const std::string v = "\r\n" + std::string(s);
        const auto k = v.find("\r\n.\r\n");
        if (k == std::string::npos) return r;
        const std::string m(s.substr(0, k));  // the message ends with the CRLF before "."
        r.ended = true;
        r.consumed = k + 3;
        for (std::size_t pos = 0; pos < m.size();) {
            const auto e = m.find("\r\n", pos);
            std::string line = m.substr(pos, e + 2 - pos);
            pos = e + 2;
            if (line[0] == '.') line.erase(0, 1);
            line_check(line.size());
            r.content += line;
        }
        for (std::size_t i = 0; i < m.size(); ++i) {
            if (m[i] == '\n' && (i == 0 || m[i - 1] != '\r')) add(data_error::bare_lf);
            if (m[i] == '\r' && (i + 1 == m.size() || m[i + 1] != '\n')) add(data_error::bare_cr);
            if (m[i] == '\0' && o.reject_nul) add(data_error::nul);
        }
    } else {
        // Lines end in CRLF, bare LF or bare CR; only "." between two real CRLFs ends.
        bool prev_real = true;
        for (std::size_t pos = 0;;) {
            const auto q = s.find_first_of("\r\n", pos);
            if (q == std::string_view::npos) return r;
            bool real = false;
            std::size_t tl = 1;
            if (s[q] == '\r') {
                if (q + 1 == s.size()) return r;
                if (s[q + 1] == '\n') real = true, tl = 2;
            }
            std::string line(s.substr(pos, q - pos));
            pos = q + tl;
            if (line == ".") {
                if (prev_real && real) {
                    r.ended = true;
                    r.consumed = pos;
                    break;
                }
            } else {
                if (!line.empty() && line[0] == '.') line.erase(0, 1);
                line_check(line.size() + 2);
                if (o.reject_nul && line.find('\0') != std::string::npos) add(data_error::nul);
                r.content += line + "\r\n";
            }
            prev_real = real;
        }
    }
    if (o.max_size != 0 && r.content.size() > o.max_size) add(data_error::too_big);
    return r;
}

}  // namespace smtpp_test

#endif
