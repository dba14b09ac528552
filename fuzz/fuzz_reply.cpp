// fuzz_reply: the reply reader (include/smtpp/reply.hpp).
// Input: byte 0 = options, byte 1 = split seed, the rest = the stream.
// Properties: split == whole (events and error); every view lies inside the input or the
// reader's own buffer; format(parse(line)) parses back to the same line; any reply the
// formatter accepts parses back to the same code, enhanced code and text
// (parse(format(r)) == r, r built from raw bytes); failure is sticky; an empty chunk
// changes nothing; finish() and expect_end_of_input() agree on whether input ends inside a
// reply, and a byte after the reply is unexpected data.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "smtpp/reply.hpp"

namespace {

using smtpp_fuzz::inside;

struct ev {
    std::uint16_t code;
    bool last;
    smtpp::enhanced_code esc;
    std::string text;
    bool operator==(const ev& o) const { return code == o.code && last == o.last && esc == o.esc && text == o.text; }
};

struct result {
    std::vector<ev> events;
    smtpp::reply_error error = smtpp::reply_error::none;
};

void check_round_trip(const smtpp::reply_line& ln) {
    char buf[1200];
    const std::string_view lines[2] = {ln.text, "x"};
    const smtpp::format_result f = smtpp::format_reply(buf, sizeof buf, ln.code, ln.esc, lines, ln.last ? 1 : 2);
    if (f.error == smtpp::format_error::bad_text) return;  // control characters the options let through
    SMTPP_FUZZ_CHECK(f.ok());                              // a parsed line always formats
    smtpp::reply_options o;
    o.max_line = 1024;
    smtpp::basic_reply_reader<1024> rd(o);
    std::string_view in(buf, f.size);
    smtpp::reply_line back;
    SMTPP_FUZZ_CHECK(rd.next_line(in, back) == smtpp::status::complete);
    SMTPP_FUZZ_CHECK(back.code == ln.code && back.last == ln.last && back.esc == ln.esc && back.text == ln.text);
}

// r from raw bytes: code 200-559, an enhanced code of the same class or none, any text.
void check_format_parse(std::string_view b) {
    if (b.size() < 5) return;
    const auto u = [&](std::size_t i) { return static_cast<unsigned>(static_cast<unsigned char>(b[i])); };
    const auto code = static_cast<std::uint16_t>(200 + (u(0) % 4) * 100 + (u(1) % 6) * 10 + u(2) % 10);
    smtpp::enhanced_code esc{};
    if ((u(3) & 1) != 0 && code / 100 != 3)
        esc = {static_cast<std::uint8_t>(code / 100), static_cast<std::uint16_t>(u(4) % 8),
               static_cast<std::uint16_t>(u(3) >> 1)};
    const std::string_view text = b.substr(5, 300);
    char buf[1200];
    const smtpp::format_result f = smtpp::format_reply(buf, sizeof buf, code, esc, &text, 1);
    // The one-line overloads write the same bytes (or refuse the same way).
    char one[1200];
    const smtpp::format_result g = smtpp::format_reply(one, sizeof one, code, esc, text);
    SMTPP_FUZZ_CHECK(g.error == f.error && g.size == f.size && std::memcmp(one, buf, f.size) == 0);
    if (esc.empty()) {
        const smtpp::format_result h = smtpp::format_reply(one, sizeof one, code, text);
        SMTPP_FUZZ_CHECK(h.error == f.error && h.size == f.size && std::memcmp(one, buf, f.size) == 0);
    }
    if (!f.ok()) return;
    // The enhanced code is written as format_enhanced_code spells it, after "NNN ".
    const smtpp::enhanced_code_text et = smtpp::format_enhanced_code(esc);
    SMTPP_FUZZ_CHECK(std::string_view(buf + 4, et.size) == et.view());
    smtpp::reply_options o;
    o.max_line = 1024;
    smtpp::basic_reply_reader<1024> rd(o);
    std::string_view in(buf, f.size);
    smtpp::reply_line back;
    SMTPP_FUZZ_CHECK(rd.next_line(in, back) == smtpp::status::complete);
    SMTPP_FUZZ_CHECK(back.code == code && back.last && back.esc == esc && back.text == text);
}

template <typename Reader = smtpp::reply_reader>
result run(const std::vector<std::string_view>& chunks, smtpp::reply_options opt, bool ehlo, bool checks,
           std::string_view whole) {
    result r;
    Reader rd(opt);
    if (ehlo) rd.expect_ehlo();
    smtpp::reply_line ln;
    for (std::string_view c : chunks) {
        for (;;) {
            const smtpp::status st = rd.next_line(c, ln);
            if (st == smtpp::status::need_more) {
                std::string_view none;
                SMTPP_FUZZ_CHECK(rd.next_line(none, ln) == smtpp::status::need_more);
                break;
            }
            if (st == smtpp::status::failed) {
                r.error = rd.error();
                std::string_view more = "250 ok\r\n";
                SMTPP_FUZZ_CHECK(rd.next_line(more, ln) == smtpp::status::failed);  // sticky
                SMTPP_FUZZ_CHECK(rd.finish() == smtpp::status::failed &&
                                 rd.expect_end_of_input({}) == smtpp::status::failed);
                SMTPP_FUZZ_CHECK(rd.error() == r.error);
                return r;
            }
            if (checks) {
                SMTPP_FUZZ_CHECK(inside(ln.line, whole.data(), whole.size()) || inside(ln.line, &rd, sizeof rd));
                SMTPP_FUZZ_CHECK(inside(ln.text, ln.line.data(), ln.line.size()));
                SMTPP_FUZZ_CHECK(ln.line.size() + 1 <= opt.max_line);
                check_round_trip(ln);
            }
            if (ehlo && ln.last) ehlo = false;
            r.events.push_back({ln.code, ln.last, ln.esc, std::string(ln.text)});
        }
    }
    // Where the input ended: inside a reply (a line begun, a CR pending, lines before the
    // last) both checks fail, else both pass; anything after it is unexpected data.
    Reader at_end = rd, end_of_input = rd, more = rd;
    const bool open = at_end.finish() != smtpp::status::complete;
    SMTPP_FUZZ_CHECK(open == (at_end.error() == smtpp::reply_error::truncated));
    SMTPP_FUZZ_CHECK((end_of_input.expect_end_of_input({}) != smtpp::status::complete) == open);
    SMTPP_FUZZ_CHECK(open == (end_of_input.error() == smtpp::reply_error::unexpected_data));
    SMTPP_FUZZ_CHECK(more.expect_end_of_input("x") == smtpp::status::failed &&
                     more.error() == smtpp::reply_error::unexpected_data);
    return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::uint8_t flags = data[0];
    std::uint32_t seed = data[1] | 1u;
    const std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);

    smtpp::reply_options opt;
    opt.allow_bare_lf = (flags & 1) != 0;
    opt.allow_8bit = (flags & 2) == 0;
    opt.allow_ctl = (flags & 4) != 0;
    const bool ehlo = (flags & 8) != 0;
    if (flags & 16) opt.max_line = 40;
    if (flags & 32) opt.max_reply_bytes = 200;
    if (flags & 64) opt.max_lines = 3;

    check_format_parse(input);
    const result whole = run({input}, opt, ehlo, true, input);

    // Cut the same bytes at pseudo-random points (a xorshift seeded by byte 1).
    std::vector<std::string_view> chunks;
    std::size_t pos = 0;
    while (pos < input.size()) {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        const std::size_t n = (flags & 128) ? 1 : 1 + seed % 64;
        chunks.push_back(input.substr(pos, n));
        pos += n;
    }
    const result split = run(chunks, opt, ehlo, false, input);
    SMTPP_FUZZ_CHECK(split.events == whole.events && split.error == whole.error);
    // The capacity only bounds max_line: a larger reader with the same options reads the
    // same, whole and split; and a max_line out of range (below 4 or above the capacity)
    // is taken as the capacity.
    using big_reader = smtpp::basic_reply_reader<1024>;
    const result big = run<big_reader>({input}, opt, ehlo, true, input);
    SMTPP_FUZZ_CHECK(big.events == whole.events && big.error == whole.error);
    const result big_split = run<big_reader>(chunks, opt, ehlo, false, input);
    SMTPP_FUZZ_CHECK(big_split.events == whole.events && big_split.error == whole.error);
    smtpp::reply_options at_cap = opt, out_of_range = opt, at_512 = opt;
    at_cap.max_line = 1024;
    at_512.max_line = 512;
    out_of_range.max_line = (data[1] & 1) != 0 ? 3 : 5000;
    const result capped = run<big_reader>(chunks, at_cap, ehlo, false, input);
    const result clamped = run<big_reader>(chunks, out_of_range, ehlo, false, input);
    SMTPP_FUZZ_CHECK(capped.events == clamped.events && capped.error == clamped.error);
    const result capped_512 = run(chunks, at_512, ehlo, false, input);
    const result clamped_512 = run(chunks, out_of_range, ehlo, false, input);
    SMTPP_FUZZ_CHECK(capped_512.events == clamped_512.events && capped_512.error == clamped_512.error);

    // Strict accepts => lenient accepts the same.
    if (whole.error == smtpp::reply_error::none && !opt.allow_bare_lf) {
        smtpp::reply_options lenient = opt;
        lenient.allow_bare_lf = true;
        lenient.allow_8bit = true;
        const result l = run({input}, lenient, ehlo, false, input);
        SMTPP_FUZZ_CHECK(l.events == whole.events && l.error == smtpp::reply_error::none);
    }
    return 0;
}
