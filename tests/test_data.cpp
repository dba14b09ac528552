// Tests of the DATA and BDAT decoders (include/smtpp/data.hpp): RFC 5321 §4.1.1.4 end of
// data, §4.5.2 transparency, §4.5.3.1.6 text lines, RFC 1870 SIZE, RFC 3030 BDAT, and the
// SMTP smuggling catalogue (CVE-2023-51764/51765/51766) in every policy and every split.
#include <catch2/catch.hpp>

#include <smtpp/data.hpp>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "support/alloc_counter.hpp"
#include "support/reference_data.hpp"
#include "support/splits.hpp"

namespace smtpp_test {
std::ostream& operator<<(std::ostream& os, const outcome& o);
}  // namespace smtpp_test

namespace {

using smtpp::bare_newline_policy;
using smtpp::data_error;
using smtpp::data_event_kind;
using smtpp::status;

using smtpp_test::outcome;

std::string esc(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '\r') o += "\\r";
        else if (c == '\n') o += "\\n";
        else if (c == '\0') o += "\\0";
        else o += c;
    }
    return o;
}


constexpr auto reference = smtpp_test::reference_data;

// Runs the decoder over chunks; returns the outcome and the bytes left after the end.
outcome decode(const std::vector<std::string_view>& chunks, const smtpp::data_options& o, std::string* rest = nullptr) {
    smtpp::data_decoder d(o);
    outcome r;
    for (auto in : chunks) {
        const char* const b = in.data();
        const char* const e = in.data() + in.size();
        if (r.ended) {
            if (rest) rest->append(in);
            continue;
        }
        while (true) {
            const auto ev = d.next(in);
            REQUIRE(ev.st != status::failed);
            REQUIRE(ev.consumed <= in.size());
            r.consumed += ev.consumed;
            if (ev.kind == data_event_kind::content) {
                REQUIRE(!ev.content.empty());
                const bool in_input = ev.content.data() >= b && ev.content.data() + ev.content.size() <= e;
                const bool literal = ev.content == "\r\n" || ev.content == "\n" || ev.content == "\r";
                REQUIRE((in_input || literal));
                r.content += ev.content;
            }
            in.remove_prefix(ev.consumed);
            if (ev.kind == data_event_kind::end) {
                r.ended = true;
                r.err = ev.err;
                REQUIRE(d.done());
                if (rest) rest->append(in);
                break;
            }
            if (ev.st == status::need_more) {
                REQUIRE(in.empty());
                break;
            }
        }
    }
    if (!r.ended) r.consumed = 0;
    REQUIRE(r.content.size() == d.size());
    return r;
}

std::vector<smtpp::data_options> all_policies() {
    std::vector<smtpp::data_options> v;
    for (auto pol : {bare_newline_policy::reject, bare_newline_policy::normalize})
        for (bool nul : {true, false}) {
            smtpp::data_options o;
            o.bare_newline = pol;
            o.reject_nul = nul;
            v.push_back(o);
        }
    return v;
}

// Whole == every split == the reference, with trailing bytes after the end left unconsumed.
outcome check(std::string_view s, const smtpp::data_options& o) {
    const outcome want = reference(s, o);
    smtpp_test::for_each_split(s, [&](const std::vector<std::string_view>& chunks, const smtpp_test::split_info& info) {
        INFO(info.name << " input=\"" << esc(std::string(s)) << "\"");
        std::string rest;
        const outcome got = decode(chunks, o, &rest);
        if (want.ended) {
            REQUIRE(got == want);
            REQUIRE(rest == s.substr(want.consumed));
        } else {
            REQUIRE(!got.ended);
            // Not ended: what was delivered is a prefix of the message once it ends.
            const outcome later = reference(std::string(s) + "\r\n.\r\n", o);
            REQUIRE(later.content.compare(0, got.content.size(), got.content) == 0);
        }
    });
    return want;
}

smtpp::data_options policy(bare_newline_policy p, bool nul = true) {
    smtpp::data_options o;
    o.bare_newline = p;
    o.reject_nul = nul;
    return o;
}

constexpr auto reject = bare_newline_policy::reject;
constexpr auto normalize = bare_newline_policy::normalize;

}  // namespace

std::ostream& smtpp_test::operator<<(std::ostream& os, const outcome& o) {
    return os << "{ended=" << o.ended << " consumed=" << o.consumed << " err=" << smtpp::to_string(o.err)
              << " content=\"" << esc(o.content) << "\"}";
}

TEST_CASE("RFC 5321 §4.1.1.4: <CRLF>.<CRLF> ends data; the final CRLF is the message's", "[data]") {
    for (const auto& o : all_policies()) {
        auto r = check("a\r\n.\r\nQUIT\r\n", o);  // top vector 1
        REQUIRE(r.ended);
        REQUIRE(r.content == "a\r\n");
        REQUIRE(r.consumed == 6);
        REQUIRE(r.err == data_error::none);
        r = check(".\r\nQUIT\r\n", o);  // top vector 2: the DATA line's CRLF is the first
        REQUIRE(r.ended);
        REQUIRE(r.content.empty());
        REQUIRE(r.consumed == 3);
        r = check("\r\n.\r\n", o);
        REQUIRE(r.content == "\r\n");
        r = check("a\r\nb\r\n\r\n.\r\n", o);
        REQUIRE(r.content == "a\r\nb\r\n\r\n");
    }
}

TEST_CASE("RFC 5321 §4.5.2: dot-unstuffing, first line included", "[data]") {
    for (const auto& o : all_policies()) {
        auto r = check("..\r\n. \r\n.\r\n", o);  // top vector 9
        REQUIRE(r.content == ".\r\n \r\n");
        r = check("..x\r\n.\r\n", o);
        REQUIRE(r.content == ".x\r\n");
        r = check("a\r\n...\r\nb.\r\n.\r\n", o);
        REQUIRE(r.content == "a\r\n..\r\nb.\r\n");
        r = check("a\r\n..\r\n.\r\n", o);
        REQUIRE(r.content == "a\r\n.\r\n");
        REQUIRE(r.err == data_error::none);
    }
}

TEST_CASE("top vector 10: EOD split as \"a\\r\",\"\\n\",\".\",\"\\r\",\"\\n\" ends once", "[data]") {
    smtpp::data_decoder d;
    std::string content;
    int ends = 0;
    for (const char* piece : {"a\r", "\n", ".", "\r", "\n"}) {
        std::string_view in = piece;
        while (true) {
            const auto ev = d.next(in);
            in.remove_prefix(ev.consumed);
            if (ev.kind == data_event_kind::content) content += ev.content;
            if (ev.kind == data_event_kind::end) ++ends;
            if (ev.st == status::need_more || ev.kind == data_event_kind::end) break;
        }
    }
    REQUIRE(ends == 1);
    REQUIRE(content == "a\r\n");
    // After the end the decoder stays ended and consumes nothing.
    const auto ev = d.next("MAIL FROM:<a@b>\r\n");
    REQUIRE(ev.kind == data_event_kind::end);
    REQUIRE(ev.consumed == 0);
}

namespace {
struct smuggle_vector {
    const char* name;
    std::string_view seq;   // the fake end-of-data as seen after "x"
    data_error reject_err;  // verdict with the reject policy (reject_nul on)
};
// The end-of-data look-alikes of SMTP smuggling (CVE-2023-51764/51765/51766), S1..S10:
// none of them ends the data (RFC 5321 §4.1.1.4: only <CRLF>.<CRLF> does).
const smuggle_vector catalogue[] = {
    {"S1 LF.LF", "\n.\n", data_error::bare_lf},
    {"S2 LF.CRLF", "\n.\r\n", data_error::bare_lf},
    {"S3 CRLF.LF", "\r\n.\n", data_error::bare_lf},
    {"S4 CR.CR", "\r.\r", data_error::bare_cr},
    {"S5 CR.LF", "\r.\n", data_error::bare_lf},
    {"S5 LF.CR", "\n.\r", data_error::bare_lf},
    {"S6 CR.CRLF", "\r.\r\n", data_error::bare_cr},
    {"S7 CRLF.CR", "\r\n.\r", data_error::bare_cr},
    {"S8 CRLF.CRCRLF", "\r\n.\r\r\n", data_error::bare_cr},
    {"S8 CRCRLF.CRCRLF", "\r\r\n.\r\r\n", data_error::bare_cr},
    {"S9 NUL before dot", std::string_view("\r\n\0.\r\n", 6), data_error::nul},
    {"S10 NUL after dot", std::string_view("\r\n.\0\r\n", 6), data_error::nul},
    {"LF.LF.LF", "\n.\n.\n", data_error::bare_lf},
    {"CR.CR.LF", "\r.\r.\n", data_error::bare_lf},
    {"LF.CRCRLF", "\n.\r\r\n", data_error::bare_lf},
};
const std::string smuggled = "MAIL FROM:<e@v>\r\nRCPT TO:<t@v>\r\nDATA\r\ny\r\n";
}  // namespace

TEST_CASE("§1.2 smuggling catalogue: never an end, whole / byte by byte / every split, each policy",
          "[data][smuggling]") {
    for (const auto& vec : catalogue) {
        INFO(vec.name);
        // Built with append: gcc 12 -O3 -std=c++20 reports a false -Wrestrict in
        // libstdc++'s operator+ for "literal" + string.
        std::string body("x");
        body.append(vec.seq).append(smuggled);
        const std::string stream = body + ".\r\nQUIT\r\n";
        for (const auto& o : all_policies()) {
            const outcome r = check(stream, o);
            // The only end is the real one; the smuggled commands are content.
            REQUIRE(r.ended);
            REQUIRE(r.consumed == body.size() + 3);
            REQUIRE(r.content.find("MAIL FROM:<e@v>\r\nRCPT TO:<t@v>\r\nDATA\r\ny\r\n") != std::string::npos);
            if (o.bare_newline == reject) {
                const data_error want = (vec.reject_err == data_error::nul && !o.reject_nul) ? data_error::none
                                                                                             : vec.reject_err;
                REQUIRE(r.err == want);
            } else {
                REQUIRE(r.err ==
                        ((vec.reject_err == data_error::nul && o.reject_nul) ? data_error::nul : data_error::none));
                // Normalized content holds only CRLF line ends.
                for (std::size_t i = 0; i < r.content.size(); ++i) {
                    if (r.content[i] == '\n') REQUIRE((i > 0 && r.content[i - 1] == '\r'));
                    if (r.content[i] == '\r') REQUIRE((i + 1 < r.content.size() && r.content[i + 1] == '\n'));
                }
            }
        }
        // The fake end alone (no real end yet) never ends the data in any split.
        std::string fake("x");
        fake.append(vec.seq).append("MAIL");
        for (const auto& o : all_policies()) REQUIRE(!check(fake, o).ended);
    }
}

TEST_CASE("top vector 3: delayed reject; one verdict after the real end, no commands", "[data][smuggling]") {
    const std::string s = "x\n.\nMAIL FROM:<e@v>\r\nRCPT TO:<t@v>\r\nDATA\r\ny\r\n.\r\nQUIT\r\n";
    const auto r = check(s, {});
    REQUIRE(r.ended);
    REQUIRE(r.err == data_error::bare_lf);
    REQUIRE(r.content == "x\n.\nMAIL FROM:<e@v>\r\nRCPT TO:<t@v>\r\nDATA\r\ny\r\n");
    REQUIRE(s.substr(r.consumed) == "QUIT\r\n");
    constexpr auto h = smtpp::reply_for(data_error::bare_lf);
    static_assert(h.code == 550 && h.esc.cls == 5 && h.esc.subject == 5 && h.esc.detail == 2);
}

TEST_CASE("normalize policy: exact content, lone dots at bare line ends dropped", "[data][normalize]") {
    const auto o = policy(normalize);
    REQUIRE(check("x\n.\r\nMAIL\r\n.\r\n", o).content == "x\r\nMAIL\r\n");
    REQUIRE(check("x\r\n.\nMAIL\r\n.\r\n", o).content == "x\r\nMAIL\r\n");
    REQUIRE(check("x\rMAIL\r\n.\r\n", o).content == "x\r\nMAIL\r\n");
    REQUIRE(check("x\n..y\r\n.\r\n", o).content == "x\r\n.y\r\n");  // unstuffed after a bare LF
    REQUIRE(check("x\n.\r\n.\r\n", o).content == "x\r\n");          // the second "." is a real end
    REQUIRE(check("\n\r\n.\r\n", o).content == "\r\n\r\n");
    REQUIRE(check("a\r\r\n.\r\n", o).content == "a\r\n\r\n");
    // The same streams are refused by default.
    REQUIRE(check("x\rMAIL\r\n.\r\n", {}).err == data_error::bare_cr);
    REQUIRE(check("a\r\r\n.\r\n", {}).err == data_error::bare_cr);
    REQUIRE(check("x\n..y\n.\r\n", {}).ended == false);
}

TEST_CASE("RFC 1870: SIZE counts unstuffed octets with CRLF; over the limit still reads to the end", "[data][limits]") {
    for (auto pol : {reject, normalize}) {
        auto o = policy(pol);
        o.max_size = 3;
        auto r = check("a\r\n.\r\nNOOP\r\n", o);
        REQUIRE(r.err == data_error::none);
        r = check("..\r\n.\r\n", o);  // ".\r\n" = 3 octets, the stuffing dot not counted
        REQUIRE(r.err == data_error::none);
        r = check("ab\r\n.\r\nNOOP\r\n", o);
        REQUIRE(r.err == data_error::too_big);
        REQUIRE(r.consumed == 7);
        o.max_size = 10;
        r = check(std::string(5000, 'z') + "\r\n.\r\n", o);
        REQUIRE(r.err == data_error::too_big);
        REQUIRE(r.consumed == 5005);
    }
    smtpp::data_options o;
    o.max_size = 4;
    smtpp::data_decoder d(o);
    (void)d.next("hello");
    REQUIRE(d.pending_error() == data_error::too_big);  // a host may stop storing now
    static_assert(smtpp::reply_for(data_error::too_big).code == 552);
    static_assert(smtpp::reply_for(data_error::too_big).esc.subject == 3);
}

TEST_CASE("RFC 5321 §4.5.3.1.6 / vector L9: 1000-octet text lines, stuffing dot not counted", "[data][limits]") {
    for (auto pol : {reject, normalize}) {
        auto o = policy(pol);
        o.max_text_line = 1000;
        REQUIRE(check(std::string(998, 'a') + "\r\n.\r\n", o).err == data_error::none);
        REQUIRE(check(std::string(".").append(998, 'a').append("\r\n.\r\n"), o).err == data_error::none);
        REQUIRE(check(std::string(999, 'a') + "\r\n.\r\n", o).err == data_error::line_too_long);
        REQUIRE(check(std::string("x\r\n").append(999, 'a').append("\r\ny\r\n.\r\n"), o).err ==
                data_error::line_too_long);
        o.max_text_line = 0;
        REQUIRE(check(std::string(5000, 'a') + "\r\n.\r\n", o).err == data_error::none);
    }
}

TEST_CASE("NUL: never dropped; reject_nul on by default, off delivers it", "[data]") {
    const std::string s("a\0b\r\n.\r\n", 8);
    REQUIRE(check(s, {}).err == data_error::nul);
    auto r = check(s, policy(reject, false));
    REQUIRE(r.err == data_error::none);
    REQUIRE(r.content == std::string("a\0b\r\n", 5));
}

TEST_CASE("random streams: decoder == reference in every split and policy; zero allocation", "[data][splits]") {
    std::mt19937 rng(3);
    const char* pieces[] = {"\r\n", "\n", "\r", ".", "..", "a", "\r\n.\r\n", "\r\n.", "xyz", " "};
    for (int round = 0; round < 300; ++round) {
        std::string s;
        const int k = static_cast<int>(rng() % 10);
        for (int i = 0; i < k; ++i) s += pieces[rng() % 10];
        if (rng() % 9 == 0) s.push_back('\0');
        for (auto o : all_policies()) {
            o.max_text_line = rng() % 3 == 0 ? 4 : 0;
            o.max_size = rng() % 3 == 0 ? 5 : 0;
            check(s, o);
        }
    }
    std::string s = "Subject: x\r\n\r\n..a\r\nb\nc\rd\r\n" + std::string(300, 'q') + "\r\n.\r\nQUIT\r\n";
    for (auto o : all_policies()) {
        smtpp::data_decoder d(o);
        smtpp_test::no_alloc_scope scope;
        std::size_t total = 0;
        for (std::size_t i = 0; i < s.size() && !d.done(); ++i) {
            std::string_view in = std::string_view(s).substr(i, 1);
            while (true) {
                const auto ev = d.next(in);
                in.remove_prefix(ev.consumed);
                total += ev.content.size();
                if (ev.st == status::need_more || ev.kind == data_event_kind::end) break;
            }
        }
        REQUIRE(scope.allocations() == 0);
        REQUIRE(d.done());
        REQUIRE(total == d.size());
    }
}

TEST_CASE("body_1MiB.txt: decoded whole equals decoded in 1/7/64/1500-byte chunks", "[data][bench-data]") {
    std::string path = std::string(SMTPP_BENCH_DATA_DIR) + "/body_1MiB.txt";
    std::FILE* f = std::fopen(path.c_str(), "rb");
    REQUIRE(f != nullptr);
    std::string all;
    char buf[65536];
    std::size_t k;
    while ((k = std::fread(buf, 1, sizeof buf, f)) > 0) all.append(buf, k);
    std::fclose(f);
    const outcome want = reference(all, {});
    REQUIRE(want.ended);
    REQUIRE(want.consumed == all.size());
    REQUIRE(decode({all}, {}) == want);
    for (std::size_t step : {std::size_t{1}, std::size_t{7}, std::size_t{64}, std::size_t{1500}}) {
        std::vector<std::string_view> chunks;
        for (std::size_t i = 0; i < all.size(); i += step) chunks.push_back(std::string_view(all).substr(i, step));
        REQUIRE(decode(chunks, {}) == want);
    }
}

namespace {
constexpr bool constexpr_data() {
    smtpp::data_decoder d;
    std::string_view in = "..a\r\n.\r\nQUIT";
    auto ev = d.next(in);  // "." skipped, then ".a\r\n"
    if (ev.kind != data_event_kind::content || ev.content != ".a\r\n") return false;
    in.remove_prefix(ev.consumed);
    ev = d.next(in);
    return ev.kind == data_event_kind::end && ev.err == data_error::none && in.substr(ev.consumed) == "QUIT";
}
static_assert(constexpr_data());
constexpr bool constexpr_smuggle() {
    smtpp::data_decoder d;
    std::string_view in = "x\n.\r\nQUIT\r\n";
    while (!in.empty()) {
        const auto ev = d.next(in);
        if (ev.kind == data_event_kind::end) return false;
        in.remove_prefix(ev.consumed);
        if (ev.st == status::need_more) break;
    }
    return !d.done() && d.pending_error() == data_error::bare_lf;
}
static_assert(constexpr_smuggle());
static_assert(std::is_trivially_copyable_v<smtpp::data_decoder>);

TEST_CASE("a default data_decoder is all-zero octets (a static one lands in .bss); options round-trip",
          "[data][embedded]") {
    smtpp::data_decoder zero;
    std::memset(static_cast<void*>(&zero), 0, sizeof zero);
    const smtpp::data_options d = zero.options();
    const smtpp::data_options def{};
    REQUIRE(d.bare_newline == def.bare_newline);
    REQUIRE(d.max_size == def.max_size);
    REQUIRE(d.max_text_line == def.max_text_line);
    REQUIRE(d.reject_nul == def.reject_nul);
    REQUIRE(d.reject_nul);
    // Behaves as the default decoder: a NUL is refused (RFC 2045 §2.7).
    std::string_view in("a\0b\r\n.\r\n", 9);
    smtpp::data_event ev{};
    for (int calls = 0; calls < 10 && ev.kind != data_event_kind::end; ++calls) {
        ev = zero.next(in);
        in.remove_prefix(ev.consumed);
    }
    REQUIRE(ev.kind == data_event_kind::end);
    REQUIRE(ev.err == data_error::nul);
    smtpp::data_options o;
    o.bare_newline = bare_newline_policy::normalize;
    o.max_size = 1234;
    o.max_text_line = 99;
    o.reject_nul = false;
    const smtpp::data_options back = smtpp::data_decoder(o).options();
    REQUIRE(back.bare_newline == o.bare_newline);
    REQUIRE(back.max_size == 1234);
    REQUIRE(back.max_text_line == 99);
    REQUIRE_FALSE(back.reject_nul);
}
static_assert(std::is_trivially_copyable_v<smtpp::bdat_decoder>);

// The events of feeding `chunks` in turn, each call preceded by an empty one when `empty`.
// The chunks outlive the events: their content views point into them.
std::vector<smtpp::data_event> events_with_empty_calls(const std::vector<std::string_view>& chunks,
                                                       bare_newline_policy pol, bool empty) {
    smtpp::data_options o;
    o.bare_newline = pol;
    smtpp::data_decoder d(o);
    std::vector<smtpp::data_event> out;
    for (std::size_t c = 0; c < chunks.size() && !d.done(); ++c) {
        std::string_view in = chunks[c];
        while (true) {
            if (empty) {
                // No octet, no progress: the state is left as it was (the loop stops at end).
                const auto idle = d.next({});
                REQUIRE(idle.consumed == 0);
                REQUIRE(idle.content.empty());
                REQUIRE(idle.st == status::need_more);
                REQUIRE(idle.kind == data_event_kind::none);
            }
            const auto ev = d.next(in);
            in.remove_prefix(ev.consumed);
            out.push_back(ev);
            if (ev.st == status::need_more || ev.kind == data_event_kind::end) break;
        }
    }
    if (empty && d.done()) REQUIRE(d.next({}).kind == data_event_kind::end);
    return out;
}

TEST_CASE("an empty input is need_more in every state and changes nothing (end once done)", "[data][splits]") {
    // Every prefix of these reaches each decoder state (line start, mid-line, after CR, after
    // a line-start dot, ".<CR>", the normalize states after a bare CR or LF, and done); the
    // last one is long enough for the 64-octet block path.
    const char* const bodies[] = {"ab\r\n.x\r\n..\r\n.\rz\r\n.\r\n", "a\rb\nc\n.\n.\rd\r\n.\r\n", "\n.\r.\ry\r\n.\r\n",
                                  "0123456789abcdef0123456789abcdef\r\n0123456789abcdef0123456789abcdef\r\n.\r\n"};
    for (const std::string_view b : bodies) {
        for (const auto pol : {bare_newline_policy::reject, bare_newline_policy::normalize}) {
            smtpp_test::for_each_split(b, [&](const std::vector<std::string_view>& chunks,
                                              const smtpp_test::split_info& info) {
                CAPTURE(esc(std::string(b)), static_cast<int>(pol), info.name);
                const auto plain = events_with_empty_calls(chunks, pol, false);
                const auto idle = events_with_empty_calls(chunks, pol, true);
                REQUIRE(plain.size() == idle.size());
                for (std::size_t k = 0; k < plain.size(); ++k) {
                    REQUIRE(plain[k].kind == idle[k].kind);
                    REQUIRE(plain[k].content == idle[k].content);
                    REQUIRE(plain[k].consumed == idle[k].consumed);
                    REQUIRE(plain[k].err == idle[k].err);
                }
                REQUIRE(plain.back().kind == data_event_kind::end);
            });
        }
    }
}
}  // namespace

// ---------------------------------------------------------------------------------------
// BDAT (RFC 3030)
// ---------------------------------------------------------------------------------------

namespace {
struct bdat_outcome {
    std::string content;
    std::string rest;
    int ends = 0;
    data_error err = data_error::none;
};

// One BDAT chunk of `size` over the given input chunks.
bdat_outcome run_bdat(smtpp::bdat_decoder& d, const std::vector<std::string_view>& chunks) {
    bdat_outcome r;
    for (auto in : chunks) {
        if (r.ends) {
            r.rest.append(in);
            continue;
        }
        while (true) {
            const auto ev = d.next(in);
            REQUIRE(ev.consumed <= in.size());
            if (ev.kind == data_event_kind::content) {
                REQUIRE(ev.content.data() == in.data());
                r.content += ev.content;
            }
            in.remove_prefix(ev.consumed);
            if (ev.kind == data_event_kind::end) {
                ++r.ends;
                r.err = ev.err;
                r.rest.append(in);
                break;
            }
            if (in.empty()) break;
        }
    }
    if (!r.ends) {
        const auto ev = d.next({});  // a chunk of size 0 ends on empty input
        if (ev.kind == data_event_kind::end) {
            ++r.ends;
            r.err = ev.err;
        }
    }
    return r;
}
}  // namespace

TEST_CASE("RFC 3030 §2: BDAT counts exactly chunk-size octets; no unstuffing, no terminator", "[bdat]") {
    struct vec {
        std::uint64_t size;
        bool last;
        std::string_view input, content, rest;
    };
    const vec vs[] = {
        {6, true, "QUIT\r\nRSET\r\n", "QUIT\r\n", "RSET\r\n"},  // QUIT is payload, not a command
        {3, false, ".\r\nNOOP\r\n", ".\r\n", "NOOP\r\n"},       // ".\r\n" is not an end
        {0, true, "QUIT\r\n", "", "QUIT\r\n"},                  // BDAT 0 LAST
        {11, false, "a\r\n.\r\n..b\n\rNOOP\r\n", "a\r\n.\r\n..b\n\r", "NOOP\r\n"},
        {6, false, "RSET\r\nQUIT\r\n", "RSET\r\n", "QUIT\r\n"},  // refused BDAT: bytes still consumed
    };
    for (const auto& t : vs) {
        smtpp_test::for_each_split(t.input, [&](const std::vector<std::string_view>& chunks,
                                                const smtpp_test::split_info& info) {
            INFO(info.name);
            smtpp::bdat_decoder d(t.size, {}, t.last);
            const auto r = run_bdat(d, chunks);
            REQUIRE(r.ends == 1);
            REQUIRE(r.content == t.content);
            REQUIRE(r.rest == t.rest);
            REQUIRE(r.err == data_error::none);
            REQUIRE(d.size() == t.size);
            REQUIRE(d.last() == t.last);
        });
    }
}

TEST_CASE("BDAT sizes up to 2^64-1 never wrap", "[bdat]") {
    constexpr std::uint64_t max = ~std::uint64_t{0};
    smtpp::bdat_decoder d(max);
    const std::string block(1 << 16, 'b');
    for (int i = 0; i < 16; ++i) {
        const auto ev = d.next(block);
        REQUIRE(ev.consumed == block.size());
        REQUIRE(ev.kind == data_event_kind::content);
    }
    REQUIRE(d.remaining() == max - 16u * block.size());
    REQUIRE(!d.done());
    smtpp::bdat_options o;
    o.max_size = 100;
    smtpp::bdat_decoder e(max, o);
    (void)e.next(block);
    REQUIRE(e.pending_error() == data_error::too_big);
    REQUIRE(e.remaining() == max - block.size());
}

TEST_CASE("BDAT reject_bare_newline (on unless BODY=BINARYMIME, RFC 3030 §3), across chunks", "[bdat]") {
    smtpp::bdat_options strict;
    strict.reject_bare_newline = true;
    struct vec {
        std::vector<std::string_view> chunks;  // one BDAT per element; the last has LAST
        data_error strict_err;
    };
    const vec vs[] = {
        {{"a\r\nb\r\n"}, data_error::none},
        {{"a\r", "\nb\r\n"}, data_error::none},  // CRLF split across two BDAT chunks
        {{"a\r", "b\r\n"}, data_error::bare_cr},
        {{"a\r\nb\r"}, data_error::bare_cr},  // CR at the very end of the message
        {{"a\nb"}, data_error::bare_lf},
        {{"a\r\n", "\n"}, data_error::bare_lf},
        {{"x\n.\r\nMAIL FROM:<e@v>\r\n"}, data_error::bare_lf},
        {{"", "a\r", "", "\n"}, data_error::none},
    };
    for (const auto& t : vs) {
        for (bool on : {true, false}) {
            smtpp::bdat_options o;
            o.reject_bare_newline = on;
            smtpp::bdat_decoder d;
            std::string content;
            data_error verdict = data_error::none;
            for (std::size_t c = 0; c < t.chunks.size(); ++c) {
                const bool last = c + 1 == t.chunks.size();
                if (c == 0) d = smtpp::bdat_decoder(t.chunks[c].size(), o, last);
                else d.next_chunk(t.chunks[c].size(), last);
                // Each BDAT payload byte by byte, plus the next command's bytes.
                const std::string wire = std::string(t.chunks[c]) + "NOOP\r\n";
                std::vector<std::string_view> bytes;
                for (std::size_t i = 0; i < wire.size(); ++i) bytes.push_back(std::string_view(wire).substr(i, 1));
                const auto r = run_bdat(d, bytes);
                REQUIRE(r.ends == 1);
                REQUIRE(r.rest == "NOOP\r\n");
                content += r.content;
                verdict = r.err;
            }
            REQUIRE(verdict == (on ? t.strict_err : data_error::none));
        }
    }
    smtpp::bdat_options nul;
    nul.reject_nul = true;
    smtpp::bdat_decoder d(3, nul, true);
    REQUIRE(run_bdat(d, {std::string_view("a\0b", 3)}).err == data_error::nul);
}

TEST_CASE("data errors: names and replies, no CR/LF in texts", "[data]") {
    for (auto e :
         {data_error::bare_lf, data_error::bare_cr, data_error::too_big, data_error::line_too_long, data_error::nul}) {
        const auto h = smtpp::reply_for(e);
        REQUIRE(h.code >= 500);
        REQUIRE(h.esc.cls == 5);
        REQUIRE(h.text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos);
        REQUIRE(smtpp::to_string(e) != "unknown");
    }
    static_assert(smtpp::reply_for(data_error::line_too_long).code == 500);
    static_assert(smtpp::reply_for(data_error::nul).code == 550);
}

// ---------------------------------------------------------------------------------------
// Block fast paths: each SIMD twin against its scalar twin, and the decoders' block paths
// (taken for whole inputs of 64 bytes and more) against their byte loops (taken for
// 1-byte chunks), around 16- and 64-byte block boundaries.
// ---------------------------------------------------------------------------------------

namespace {
void check_block_twins(const char* p) {
    for (char prev : {'\n', '\r', 'x', '.', '\0'}) {
        for (bool nul : {false, true}) {
            const auto want = smtpp::detail::data_block_scalar(p, prev, nul);
#if defined(SMTPP_HAVE_BODY_BLOCKS)
            const auto got = nul ? smtpp::detail::data_block_sse2<true>(p, prev)
                                 : smtpp::detail::data_block_sse2<false>(p, prev);
            REQUIRE(got.faults == want.faults);
            REQUIRE(got.lf == want.lf);
#endif
            (void)want;
        }
    }
    const auto want = smtpp::detail::body_masks_scalar(p);
#if defined(SMTPP_HAVE_BODY_BLOCKS)
    const auto got = smtpp::detail::body_masks_sse2(p);
    REQUIRE(got.cr == want.cr);
    REQUIRE(got.lf == want.lf);
    REQUIRE(got.dot == want.dot);
    REQUIRE(got.nul == want.nul);
#endif
    (void)want;
}
}  // namespace

TEST_CASE("block twins agree: data_block and body_masks, scalar vs SSE2", "[data][simd]") {
    std::mt19937 rng(17);
    const char alphabet[] = {'a', '\r', '\n', '.', '\0', 'x'};
    for (int round = 0; round < 2000; ++round) {
        const std::size_t n = 64 + rng() % 40;
        std::string s(n, 'a');
        const auto density = 1 + rng() % 20;
        for (auto& c : s) c = (rng() % density == 0) ? alphabet[rng() % 6] : 'a';
        smtpp_test::exact_buffer b(s);
        for (std::size_t off : {std::size_t{0}, std::min<std::size_t>(1, n - 64), n - 64})
            check_block_twins(b.view().data() + off);
    }
    // One pattern at every position of a block, 15/16, 63/64 included.
    const std::string_view pats[] = {"\r\n", "\r", "\n", ".", "\n.", "\r\n.", std::string_view("\0", 1), "\r\r\n"};
    for (std::string_view pat : pats) {
        for (std::size_t pos = 0; pos < 64; ++pos) {
            std::string s(64, 'a');
            s.replace(pos, std::min(pat.size(), 64 - pos), pat.substr(0, 64 - pos));
            smtpp_test::exact_buffer b(s);
            check_block_twins(b.view().data());
        }
    }
}

namespace {
// Whole (block path) == 1-byte chunks (byte loop) == 63/64/65-byte chunks == the reference.
void check_blocks(const std::string& s, const smtpp::data_options& o) {
    INFO("input=\"" << esc(s) << "\" line=" << o.max_text_line << " nul=" << o.reject_nul
                    << " normalize=" << (o.bare_newline == normalize));
    const outcome want = reference(s, o);
    smtpp_test::exact_buffer b(s);
    const outcome whole = decode({b.view()}, o);
    if (want.ended) REQUIRE(whole == want);
    for (std::size_t step : {std::size_t{1}, std::size_t{63}, std::size_t{64}, std::size_t{65}}) {
        std::vector<std::string_view> chunks;
        for (std::size_t i = 0; i < s.size(); i += step) chunks.push_back(std::string_view(s).substr(i, step));
        REQUIRE(decode(chunks, o) == whole);
    }
}
}  // namespace

TEST_CASE("DATA block path == byte loop around block boundaries (CR at 15/16, 63/64, dots after them)",
          "[data][simd]") {
    const std::string_view pats[] = {"\r\n",   "\r",      "\n",
                                     "\r\n.",  "\r\n..x", "\r\n.\r\n",
                                     "\n.",    "\r.",     std::string_view("\0", 1),
                                     "\r\r\n", ".\r\n",   "\r\n\r\n."};
    for (std::size_t len : {std::size_t{5}, std::size_t{30}, std::size_t{63}, std::size_t{64}, std::size_t{130}}) {
        // CRLF lines of `len` octets (CRLF included), long enough for a few blocks.
        std::string text;
        while (text.size() < 200) text += std::string(len - 2, 'y') + "\r\n";
        for (std::size_t pos :
             {0u, 1u, 2u, 14u, 15u, 16u, 17u, 31u, 32u, 33u, 47u, 48u, 62u, 63u, 64u, 65u, 126u, 127u, 128u, 129u}) {
            for (std::string_view pat : pats) {
                std::string s = text;
                s.replace(pos, pat.size(), pat);
                s += "\r\n.\r\nQUIT\r\n";
                for (auto o : all_policies()) {
                    for (std::size_t limit :
                         {std::size_t{0}, std::size_t{8}, std::size_t{64}, std::size_t{65}, std::size_t{1000}}) {
                        o.max_text_line = limit;
                        check_blocks(s, o);
                    }
                }
            }
        }
    }
}

TEST_CASE("DATA block path == byte loop on random CRLF-heavy streams", "[data][simd]") {
    std::mt19937 rng(23);
    const char* pieces[] = {"\r\n", "\r\n",  "\r\n",   "\n",         "\r",
                            ".",    "\r\n.", "\r\n..", "abcdefghij", "klmnopqrstuvwxyz",
                            "\0"};
    for (int round = 0; round < 400; ++round) {
        std::string s;
        const int k = 10 + static_cast<int>(rng() % 60);
        for (int i = 0; i < k; ++i) {
            const auto piece = rng() % 11;
            if (piece == 10) s.push_back('\0');
            else if (piece >= 8 || rng() % 4 != 0) s += pieces[piece >= 8 ? piece : 8 + rng() % 2];
            else s += pieces[piece];
        }
        if (rng() % 2 == 0) s += "\r\n.\r\n";
        for (auto o : all_policies()) {
            o.max_text_line = std::size_t{1} << (rng() % 9);  // 1 .. 256
            if (rng() % 3 == 0) o.max_text_line = 0;
            o.max_size = rng() % 4 == 0 ? 100 : 0;
            check_blocks(s, o);
        }
    }
}

TEST_CASE("BDAT block path == byte loop around block boundaries, verdicts from a reference", "[bdat][simd]") {
    auto verdict = [](const std::string& m, const smtpp::bdat_options& o) {
        data_error e = data_error::none;
        auto add = [&](data_error x) {
            if (smtpp::detail::data_error_rank(x) > smtpp::detail::data_error_rank(e)) e = x;
        };
        for (std::size_t i = 0; i < m.size(); ++i) {
            if (o.reject_bare_newline && m[i] == '\n' && (i == 0 || m[i - 1] != '\r')) add(data_error::bare_lf);
            if (o.reject_bare_newline && m[i] == '\r' && (i + 1 == m.size() || m[i + 1] != '\n'))
                add(data_error::bare_cr);
            if (o.reject_nul && m[i] == '\0') add(data_error::nul);
        }
        return e;
    };
    std::mt19937 rng(29);
    for (int round = 0; round < 3000; ++round) {
        std::string m;
        const std::size_t n = 64 + rng() % 200;
        while (m.size() < n) m += rng() % 3 == 0 ? std::string("\r\n") : std::string(rng() % 20, 'b');
        const auto faults = rng() % 3;
        for (unsigned f = 0; f < faults; ++f) {
            const std::size_t at_choices[] = {0, 15, 16, 62, 63, 64, 65, 126, 127, 128};
            const std::size_t at = rng() % 2 ? at_choices[rng() % 10] : rng() % m.size();
            const char c[] = {'\r', '\n', '\0'};
            if (at < m.size()) m[at] = c[rng() % 3];
        }
        smtpp::bdat_options o;
        o.reject_bare_newline = rng() % 4 != 0;
        o.reject_nul = rng() % 2 == 0;
        // One or two BDAT chunks; the cut often at a block boundary.
        const std::size_t cut_choices[] = {m.size(), 1, 63, 64, 65, m.size() / 2};
        const std::size_t cut = std::min(m.size(), cut_choices[rng() % 6]);
        const std::string want_chunks[] = {m.substr(0, cut), m.substr(cut)};
        for (std::size_t step : {m.size(), std::size_t{1}, std::size_t{64}}) {
            smtpp::bdat_decoder d;
            data_error got = data_error::none;
            for (int c = 0; c < 2; ++c) {
                const bool last = c == 1;
                if (c == 0) d = smtpp::bdat_decoder(want_chunks[0].size(), o, false);
                else d.next_chunk(want_chunks[1].size(), true);
                smtpp_test::exact_buffer b(want_chunks[c]);
                const std::string_view all = b.view();
                std::vector<std::string_view> chunks;
                for (std::size_t i = 0; i < all.size(); i += step) chunks.push_back(all.substr(i, step));
                const auto r = run_bdat(d, chunks);
                REQUIRE(r.ends == 1);
                REQUIRE(r.content == want_chunks[c]);
                got = r.err;
                (void)last;
            }
            INFO("message=\"" << esc(m) << "\" cut=" << cut << " step=" << step);
            REQUIRE(got == verdict(m, o));
        }
    }
}

namespace {
// The constant-evaluation path (byte loops only) of both decoders, with the checks on.
constexpr bool constexpr_bdat_checks() {
    smtpp::bdat_options o;
    o.reject_bare_newline = true;
    o.reject_nul = true;
    smtpp::bdat_decoder d(4, o, true);
    const auto ev = d.next("a\r\nb\nNOOP");
    return ev.consumed == 4 && d.next({}).err == data_error::none;
}
static_assert(constexpr_bdat_checks());
}  // namespace
