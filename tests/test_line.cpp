// Tests of the line reader (include/smtpp/line.hpp): RFC 5321 §2.3.8 CRLF framing,
// §4.5.3.1.4 line limits, bare CR/LF and NUL refusal, STARTTLS discard (RFC 3207 §4.2),
// split invariance and zero allocation.
#include <catch2/catch.hpp>

#include <smtpp/line.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "support/alloc_counter.hpp"
#include "support/splits.hpp"

namespace {

using smtpp::line_error;
using smtpp::status;

// One event as text: "L:<line>" or "E:<error>".
std::string show(const smtpp::line_event& ev) {
    if (ev.st == status::complete) return "L:" + std::string(ev.line);
    return "E:" + std::string(smtpp::to_string(ev.err));
}

template <class Reader>
std::vector<std::string> run(Reader& r, const std::vector<std::string_view>& chunks) {
    std::vector<std::string> out;
    for (auto in : chunks) {
        const char* const begin = in.data();
        const char* const end = in.data() + in.size();
        while (!in.empty()) {
            const auto ev = r.next(in);
            REQUIRE(ev.consumed <= in.size());
            if (ev.st == status::complete) {
                REQUIRE(!ev.line.empty());
                REQUIRE(ev.line.back() == '\n');
                // A line inside the chunk is a view of the chunk, not a copy.
                if (ev.line.data() >= begin && ev.line.data() < end) REQUIRE(ev.line.data() + ev.line.size() <= end);
            }
            in.remove_prefix(ev.consumed);
            if (ev.st == status::need_more) {
                REQUIRE(in.empty());
                break;
            }
            REQUIRE(ev.consumed > 0);
            out.push_back(show(ev));
        }
    }
    return out;
}

std::vector<std::string> run_whole(std::string_view s, smtpp::line_options o = {}) {
    smtpp::line_reader<512> r(o);
    smtpp_test::exact_buffer b(s);
    return run(r, {b.view()});
}

// The result for the whole input equals the result for every split, and nothing allocates.
template <std::size_t Cap = 512>
std::vector<std::string> check_splits(std::string_view s, smtpp::line_options o = {}) {
    smtpp::line_reader<Cap> whole_reader(o);
    smtpp_test::exact_buffer b(s);
    const auto whole = run(whole_reader, {b.view()});
    smtpp_test::for_each_split(s, [&](const std::vector<std::string_view>& chunks, const smtpp_test::split_info& info) {
        INFO(info.name);
        smtpp::line_reader<Cap> r(o);
        REQUIRE(run(r, chunks) == whole);
        REQUIRE(r.pending() == whole_reader.pending());
        REQUIRE(r.pending_error() == whole_reader.pending_error());
    });
    return whole;
}

using v = std::vector<std::string>;

}  // namespace

TEST_CASE("RFC 5321 §2.3.8: CRLF lines, zero copy inside a chunk", "[line]") {
    const std::string s = "EHLO a.example\r\nMAIL FROM:<a@b.example>\r\nQUIT\r\n";
    smtpp::line_reader<512> r;
    smtpp_test::exact_buffer b(s);
    auto in = b.view();
    auto ev = r.next(in);
    REQUIRE(ev.st == status::complete);
    REQUIRE(ev.line == "EHLO a.example\r\n");
    REQUIRE(ev.line.data() == b.view().data());
    REQUIRE(ev.consumed == 16);
    REQUIRE(check_splits(s) == v{"L:EHLO a.example\r\n", "L:MAIL FROM:<a@b.example>\r\n", "L:QUIT\r\n"});
    REQUIRE(check_splits("\r\n") == v{"L:\r\n"});
}

TEST_CASE("a split line is copied into the reader's storage", "[line]") {
    smtpp::line_reader<64> r;
    auto ev = r.next("NO");
    REQUIRE(ev.st == status::need_more);
    REQUIRE(ev.consumed == 2);
    REQUIRE(r.pending());
    ev = r.next("OP\r");
    REQUIRE(ev.st == status::need_more);
    const std::string tail = "\nRSET\r\n";
    ev = r.next(tail);
    REQUIRE(ev.st == status::complete);
    REQUIRE(ev.line == "NOOP\r\n");
    REQUIRE(ev.consumed == 1);
    REQUIRE(!r.pending());
    // Copies are independent (no pointer into itself).
    smtpp::line_reader<64> a;
    (void)a.next("HEL");
    smtpp::line_reader<64> c = a;
    ev = c.next("O x\r\n");
    REQUIRE(ev.line == "HELO x\r\n");
    a = smtpp::line_reader<64>{};
    REQUIRE(ev.line == "HELO x\r\n");  // c's storage, untouched by a
}

TEST_CASE("basic_line_reader over a caller buffer", "[line]") {
    char buf[16];
    smtpp::basic_line_reader r(buf, sizeof buf);
    REQUIRE(r.max_line() == 16);  // capped at capacity
    REQUIRE(r.next("RS").st == status::need_more);
    auto ev = r.next("ET\r\n");
    REQUIRE(ev.line == "RSET\r\n");
    REQUIRE(ev.line.data() == buf);
    // Limit = capacity whether split or not: a 17-octet line is too long either way.
    smtpp::basic_line_reader w(buf, sizeof buf);
    REQUIRE(show(w.next("0123456789abcde\r\n")) == "E:too_long");
    REQUIRE(show(w.next("0123456789abcd\r\n")) == "L:0123456789abcd\r\n");
    smtpp::basic_line_reader z(nullptr, 0);
    REQUIRE(show(z.next("x\r\n")) == "E:too_long");
}

TEST_CASE("RFC 5321 §2.3.8: bare LF, bare CR and NUL are distinct errors, not sticky", "[line]") {
    REQUIRE(check_splits("NOOP\nQUIT\r\n") == v{"E:bare_lf", "L:QUIT\r\n"});
    REQUIRE(check_splits("RSET\rQUIT\r\nNOOP\r\n") == v{"E:bare_cr", "L:NOOP\r\n"});  // one line, no QUIT
    REQUIRE(check_splits("NOOP\r\r\nQUIT\r\n") == v{"E:bare_cr", "L:QUIT\r\n"});
    REQUIRE(check_splits("\r\r\n") == v{"E:bare_cr"});
    const char mail_nul[] = "MAIL FROM:<a\0@b.example>\r\nNOOP\r\n";  // top vector 19
    REQUIRE(check_splits(std::string_view(mail_nul, sizeof mail_nul - 1)) == v{"E:nul", "L:NOOP\r\n"});
    REQUIRE(check_splits(std::string_view("\0\r\n", 3)) == v{"E:nul"});
    REQUIRE(check_splits("\n\n\r\n") == v{"E:bare_lf", "E:bare_lf", "L:\r\n"});
    // A CR is never dropped: "A\r" + "\rB\r\n" is one refused line.
    REQUIRE(check_splits("A\r\rB\r\n") == v{"E:bare_cr"});
    // Several faults in one line: too_long > nul > bare_cr > bare_lf, one event.
    REQUIRE(check_splits(std::string_view("a\rb\0c\n", 6)) == v{"E:nul"});
    REQUIRE(check_splits("a\rbc\n") == v{"E:bare_cr"});
}

TEST_CASE("allow_bare_lf: named leniency, on and off (risk: CVE-2023-51764)", "[line]") {
    smtpp::line_options lenient;
    lenient.allow_bare_lf = true;
    REQUIRE(check_splits("NOOP\nQUIT\r\n", lenient) == v{"L:NOOP\n", "L:QUIT\r\n"});
    REQUIRE(check_splits("NOOP\nQUIT\r\n") == v{"E:bare_lf", "L:QUIT\r\n"});
    // A bare CR is refused even when bare LF is allowed; no CR is swallowed.
    REQUIRE(check_splits("RSET\rQUIT\n", lenient) == v{"E:bare_cr"});
    REQUIRE(check_splits("\n", lenient) == v{"L:\n"});
    // Strict-accepts => lenient accepts the same.
    for (const char* s : {"EHLO x\r\n", "\r\n", "DATA\r\nQUIT\r\n"}) REQUIRE(run_whole(s) == run_whole(s, lenient));
}

TEST_CASE("RFC 5321 §4.5.3.1.4: 511, 512 and 513 octets", "[line][limits]") {
    const std::string l511 = "NOOP " + std::string(504, 'A') + "\r\n";
    const std::string l512 = "NOOP " + std::string(505, 'A') + "\r\n";  // vector L1
    const std::string l513 = "NOOP " + std::string(506, 'A') + "\r\n";
    REQUIRE(l511.size() == 511);
    REQUIRE(l512.size() == 512);
    REQUIRE(l513.size() == 513);
    REQUIRE(check_splits(l511 + "QUIT\r\n") == v{"L:" + l511, "L:QUIT\r\n"});
    REQUIRE(check_splits(l512 + "QUIT\r\n") == v{"L:" + l512, "L:QUIT\r\n"});
    REQUIRE(check_splits(l513 + "QUIT\r\n") == v{"E:too_long", "L:QUIT\r\n"});
    // 512 octets whose CR is the 512th: too long by its LF.
    REQUIRE(check_splits(std::string(511, 'A') + "\r\nQUIT\r\n") == v{"E:too_long", "L:QUIT\r\n"});
    REQUIRE(check_splits(std::string(510, 'A') + "\r\nQUIT\r\n") ==
            v{"L:" + std::string(510, 'A') + "\r\n", "L:QUIT\r\n"});
    // Bare-LF lines count their LF.
    smtpp::line_options lenient;
    lenient.allow_bare_lf = true;
    REQUIRE(check_splits(std::string(511, 'A') + "\n", lenient) == v{"L:" + std::string(511, 'A') + "\n"});
    REQUIRE(check_splits(std::string(512, 'A') + "\n", lenient) == v{"E:too_long"});
}

TEST_CASE("vector L2: 5000 octets then a command on the same read: one error, no RCPT", "[line][limits]") {
    const std::string l2 = "NOOP " + std::string(5000, 'A') + "RCPT TO:<v@x.example>\r\n";
    REQUIRE(check_splits(l2) == v{"E:too_long"});
    const std::string l2b = "NOOP " + std::string(5000, 'A') + "\r\nRCPT TO:<v@x.example>\r\n";
    REQUIRE(check_splits(l2b) == v{"E:too_long", "L:RCPT TO:<v@x.example>\r\n"});
    // The over-long line's tail holds CRs and a NUL: still skipped whole to its LF.
    std::string l2c = std::string(600, 'B') + "\rQUIT\r" + std::string(1, '\0') + "\r\nRSET\r\n";
    REQUIRE(check_splits(l2c) == v{"E:too_long", "L:RSET\r\n"});
}

TEST_CASE("vector L3: 100 000 octets without LF in 1-byte steps: bounded, one error", "[line][limits]") {
    smtpp::line_reader<512> r;
    const char a = 'A';
    for (int i = 0; i < 100000; ++i) {
        const auto ev = r.next(std::string_view(&a, 1));
        REQUIRE(ev.st == status::need_more);
    }
    REQUIRE(r.pending());
    REQUIRE(r.pending_error() == line_error::too_long);
    REQUIRE(r.next("\r").st == status::need_more);
    const std::string rest = "\nQUIT\r\n";
    std::string_view in = rest;
    auto ev = r.next(in);
    REQUIRE(show(ev) == "E:too_long");
    in.remove_prefix(ev.consumed);
    REQUIRE(show(r.next(in)) == "L:QUIT\r\n");
}

TEST_CASE("set_max_line: AUTH lines up to 12288 (RFC 4954 §4), capped at capacity", "[line][limits]") {
    smtpp::line_reader<12288> r;
    REQUIRE(r.max_line() == 512);
    const std::string auth = std::string(12286, 'Q') + "\r\n";  // vector L7
    REQUIRE(run(r, {auth}) == v{"E:too_long"});
    r.set_max_line(12288);
    REQUIRE(r.max_line() == 12288);
    REQUIRE(run(r, {auth}) == v{"L:" + auth});
    REQUIRE(run(r, {std::string_view(auth).substr(0, 7000), std::string_view(auth).substr(7000)}) == v{"L:" + auth});
    REQUIRE(run(r, {std::string(20000, 'Q') + "\r\nQUIT\r\n"}) == v{"E:too_long", "L:QUIT\r\n"});  // L8
    r.set_max_line(100000);
    REQUIRE(r.max_line() == 12288);
    // Lowering the limit while a line is pending makes it too long.
    smtpp::line_reader<512> s;
    (void)s.next(std::string(100, 'x'));
    s.set_max_line(50);
    REQUIRE(show(s.next("\r\n")) == "E:too_long");
}

TEST_CASE("a default line_reader is all-zero octets: a static one needs no initial image (.bss)", "[line][embedded]") {
    // The state is trivially copyable, so a reader whose octets are all zero is a valid
    // object; it must be the default reader (limit 512 or the capacity), byte by byte too.
    const std::string s = "EHLO a\r\n" + std::string(600, 'x') + "\r\nQUIT\r\n\nNOOP\r";
    auto zeroed = [](auto& r) { std::memset(static_cast<void*>(&r), 0, sizeof r); };
    smtpp::line_reader<16384> big, big_zero;
    zeroed(big_zero);
    REQUIRE(big_zero.max_line() == 512);
    smtpp::line_reader<100> small, small_zero;
    zeroed(small_zero);
    REQUIRE(small_zero.max_line() == 100);
    smtpp::line_reader<4> tiny, tiny_zero;
    zeroed(tiny_zero);
    REQUIRE(tiny_zero.max_line() == 4);
    for (std::size_t step : {std::size_t{1}, std::size_t{7}, s.size()}) {
        std::vector<std::string_view> chunks;
        for (std::size_t i = 0; i < s.size(); i += step) chunks.push_back(std::string_view(s).substr(i, step));
        REQUIRE(run(big_zero, chunks) == run(big, chunks));
        REQUIRE(run(small_zero, chunks) == run(small, chunks));
        REQUIRE(run(tiny_zero, chunks) == run(tiny, chunks));
    }
    // A limit above the default and back, from the zero state.
    smtpp::line_reader<12288> r;
    zeroed(r);
    r.set_max_line(12288);
    REQUIRE(r.max_line() == 12288);
    r.set_max_line(10);
    REQUIRE(r.max_line() == 10);
    r.set_max_line(512);
    REQUIRE(r.max_line() == 512);
}

TEST_CASE("RFC 3207 §4.2 / CVE-2011-0411: STARTTLS then pipelined bytes are discarded", "[line][starttls]") {
    // Vector P1 at the framing layer: the host sees "STARTTLS\r\n", replies 220, and must
    // not parse what the same read carried. pending() and the unconsumed rest tell it.
    for (std::size_t cut = 1; cut < 16; ++cut) {
        const std::string s = "STARTTLS\r\nRSET\r\nMAIL FROM:<a@b.example>\r\n";
        smtpp::line_reader<512> r;
        std::string_view in = std::string_view(s).substr(0, 10 + cut);  // part of the injection
        auto ev = r.next(in);
        REQUIRE(ev.line == "STARTTLS\r\n");
        in.remove_prefix(ev.consumed);
        REQUIRE(!in.empty());  // injected plaintext in the same read: reject or drop it
        while (!in.empty()) {
            ev = r.next(in);
            in.remove_prefix(ev.consumed);
        }
        r.discard();  // TLS is up: nothing of the plaintext survives
        REQUIRE(!r.pending());
        ev = r.next("EHLO tls.example\r\n");
        REQUIRE(ev.line == "EHLO tls.example\r\n");
    }
    // discard() also ends skipping of an over-long line.
    smtpp::line_reader<512> r;
    (void)r.next(std::string(600, 'x'));
    REQUIRE(r.pending_error() == line_error::too_long);
    r.discard();
    REQUIRE(r.pending_error() == line_error::none);
    REQUIRE(show(r.next("QUIT\r\n")) == "L:QUIT\r\n");
}

TEST_CASE("pending() reflects partial lines (pipelining checks, RFC 2920)", "[line]") {
    smtpp::line_reader<512> r;
    REQUIRE(!r.pending());
    (void)r.next("DA");
    REQUIRE(r.pending());
    (void)r.next("TA\r\n");
    REQUIRE(!r.pending());
    (void)r.next("\r");
    REQUIRE(r.pending());
}

TEST_CASE("errors map to RFC 5321 §4.2 replies with RFC 3463 codes", "[line]") {
    constexpr auto tl = smtpp::reply_for(line_error::too_long);
    static_assert(tl.code == 500 && tl.esc.cls == 5 && tl.esc.subject == 5 && tl.esc.detail == 2);
    static_assert(smtpp::reply_for(line_error::nul).code == 501);
    static_assert(smtpp::reply_for(line_error::bare_lf).code == 500);
    static_assert(smtpp::reply_for(line_error::bare_cr).code == 500);
    for (auto e : {line_error::too_long, line_error::bare_lf, line_error::bare_cr, line_error::nul}) {
        const auto h = smtpp::reply_for(e);
        REQUIRE(h.text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos);
        REQUIRE(smtpp::to_string(e) != "unknown");
    }
}

namespace {
constexpr bool constexpr_lines() {
    smtpp::line_reader<16> r;
    std::string_view in = "HE";
    auto ev = r.next(in);
    if (ev.st != status::need_more) return false;
    in = "LO x\r\nA\nB";
    ev = r.next(in);
    if (ev.line != "HELO x\r\n" || ev.consumed != 6) return false;
    in.remove_prefix(ev.consumed);
    ev = r.next(in);
    return ev.st == status::failed && ev.err == line_error::bare_lf && ev.consumed == 2;
}
static_assert(constexpr_lines());
// Byte by byte (the one-octet fast path) and with storage under line_head_size (the head
// kept in the reader), at compile time.
constexpr bool constexpr_bytes() {
    smtpp::line_reader<16> r;
    const std::string_view s = "QUIT\r\nA\rBCDEFGHI\r\n";
    const std::string_view want[2] = {"QUIT\r\n", "A\rBCDEFG"};  // a line, a refused line's head
    std::size_t k = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto ev = r.next(s.substr(i, 1));
        if (ev.st == status::need_more) continue;
        if (k == 2 || ev.line != want[k] || (k == 1 && ev.err != line_error::bare_cr)) return false;
        ++k;
    }
    if (k != 2) return false;
    smtpp::line_reader<3> t;
    if (t.next("AB").st != status::need_more || t.next("CDEFGHIJ").st != status::need_more) return false;
    const auto ev = t.next("\r\n");
    return ev.st == status::failed && ev.err == line_error::too_long && ev.line == "ABCDEFGH";
}
static_assert(constexpr_bytes());
static_assert(std::is_trivially_copyable_v<smtpp::line_reader<512>>);
static_assert(std::is_trivially_copyable_v<smtpp::basic_line_reader>);
}  // namespace

TEST_CASE("scanner twins agree: scalar, SWAR, SSE2", "[line][simd]") {
    std::mt19937 rng(7);
    const char alphabet[] = {'a', '\r', '\n', '\0', 'x', '.', ' '};
    for (int round = 0; round < 3000; ++round) {
        const std::size_t n = rng() % 200;
        std::string s(n, 'a');
        const auto density = 1 + rng() % 60;
        for (auto& c : s) c = (rng() % density == 0) ? alphabet[rng() % 7] : 'a';
        smtpp_test::exact_buffer b(s);
        const char* p = b.view().data();
        for (std::size_t off = 0; off <= std::min<std::size_t>(n, 17); ++off) {
            for (bool nul : {false, true}) {
                const auto want = smtpp::detail::scan_newline_scalar(p + off, n - off, nul);
#if defined(SMTPP_HAVE_SWAR)
                REQUIRE(smtpp::detail::scan_newline_swar(p + off, n - off, nul) == want);
#endif
#if SMTPP_SIMD_SSE2
                REQUIRE(smtpp::detail::scan_newline_sse2(p + off, n - off, nul) == want);
#endif
                REQUIRE(smtpp::detail::scan_newline(p + off, n - off, nul) == want);
            }
            REQUIRE(smtpp::detail::scan_byte(p + off, n - off, '\n') ==
                    smtpp::detail::scan_byte_scalar(p + off, n - off, '\n'));
        }
    }
}

TEST_CASE("random streams: every split gives the same events; zero allocation", "[line][splits]") {
    std::mt19937 rng(11);
    const char* pieces[] = {"NOOP", "\r\n", "\n", "\r", "A", "MAIL FROM:<a@b>", " ", "."};
    for (int round = 0; round < 150; ++round) {
        std::string s;
        const int k = static_cast<int>(rng() % 12);
        for (int i = 0; i < k; ++i) s += pieces[rng() % 8];
        if (rng() % 5 == 0) s += std::string(rng() % 40, 'Z');
        if (rng() % 7 == 0) s.push_back('\0');
        check_splits<24>(s);
        smtpp::line_options lenient;
        lenient.allow_bare_lf = true;
        check_splits<24>(s, lenient);
    }
    // No allocation in next(), whatever the split.
    const std::string s = "EHLO x\r\nNOOP\nRSET\r" + std::string(700, 'q') + "\r\nQUIT\r\n";
    smtpp::line_reader<512> r;
    smtpp_test::no_alloc_scope scope;
    std::size_t lines = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto ev = r.next(std::string_view(s).substr(i, 1));
        lines += ev.st != status::need_more;
    }
    REQUIRE(scope.allocations() == 0);
    REQUIRE(lines == 4);
}

TEST_CASE("command workload: whole equals 1-byte and 7-byte chunks", "[line][bench-data]") {
    const std::string all = [] {
        std::string path = std::string(SMTPP_BENCH_DATA_DIR) + "/commands.txt";
        std::FILE* f = std::fopen(path.c_str(), "rb");
        REQUIRE(f != nullptr);
        std::string s;
        char buf[4096];
        std::size_t k;
        while ((k = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, k);
        std::fclose(f);
        return s;
    }();
    smtpp::line_reader<512> a;
    const auto whole = run(a, {all});
    REQUIRE(whole.size() == 729);
    for (std::size_t step : {std::size_t{1}, std::size_t{7}, std::size_t{1500}}) {
        std::vector<std::string_view> chunks;
        for (std::size_t i = 0; i < all.size(); i += step) chunks.push_back(std::string_view(all).substr(i, step));
        smtpp::line_reader<512> r;
        REQUIRE(run(r, chunks) == whole);
    }
}

namespace {
// The obviously correct model (as in fuzz_line): split at each LF, classify the line.
std::vector<std::string> reference_lines(std::string_view s, std::size_t max, bool allow_lf) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t lf = s.find('\n'); lf != std::string_view::npos; lf = s.find('\n', start)) {
        const std::string_view line = s.substr(start, lf + 1 - start);
        start = lf + 1;
        const bool crlf = line.size() >= 2 && line[line.size() - 2] == '\r';
        const std::string_view body = line.substr(0, line.size() - (crlf ? 2 : 1));
        line_error e = line_error::none;
        if (line.size() > max) e = line_error::too_long;
        else if (body.find('\0') != std::string_view::npos) e = line_error::nul;
        else if (body.find('\r') != std::string_view::npos) e = line_error::bare_cr;
        else if (!crlf && !allow_lf) e = line_error::bare_lf;
        out.push_back(e == line_error::none ? "L:" + std::string(line) : "E:" + std::string(smtpp::to_string(e)));
    }
    return out;
}
}  // namespace

// next() has two fast paths (a short chunk: a plain byte loop; a clean line at the start of
// a chunk of 16 bytes or more) beside the general loop; they must give the same events.
TEST_CASE("fast paths == general loop == reference, chunks of 1..20 bytes and limits 1..64", "[line][fast]") {
    std::mt19937 rng(31);
    const char* pieces[] = {"NOOP", "\r\n", "\r\n", "\n", "\r", "MAIL FROM:<a@b>", " ", ".", "RCPT TO:<x@y.example>"};
    for (int round = 0; round < 600; ++round) {
        std::string s;
        const int k = static_cast<int>(rng() % 16);
        for (int i = 0; i < k; ++i) s += pieces[rng() % 9];
        if (rng() % 5 == 0) s += std::string(rng() % 80, 'Z');
        if (rng() % 7 == 0) s.insert(rng() % (s.size() + 1), 1, '\0');
        if (rng() % 2 == 0) s += "\r\n";
        smtpp::line_options o;
        const std::size_t limits[] = {1, 2, 5, 15, 16, 17, 30, 64};
        o.max_line = limits[rng() % 8];
        o.allow_bare_lf = rng() % 3 == 0;
        const auto want = reference_lines(s, o.max_line, o.allow_bare_lf);
        INFO("input=\"" << s << "\" max=" << o.max_line << " lf=" << o.allow_bare_lf);
        for (std::size_t step = 1; step <= 20; ++step) {
            smtpp_test::exact_buffer b(s);
            std::vector<std::string_view> chunks;
            for (std::size_t i = 0; i < s.size(); i += step) chunks.push_back(b.view().substr(i, step));
            smtpp::line_reader<64> r(o);
            REQUIRE(run(r, chunks) == want);
        }
        smtpp::line_reader<64> whole(o);
        smtpp_test::exact_buffer b(s);
        REQUIRE(run(whole, {b.view()}) == want);
    }
}

TEST_CASE("a refused line reports its first octets, split-invariant (so a refused BDAT is recognised)",
          "[line][head]") {
    struct vec {
        std::string_view in;
        smtpp::line_error err;
        std::string_view head;
    };
    const vec vecs[] = {
        {"BDAT 30 LAST\nRSET\r\n", smtpp::line_error::bare_lf, "BDAT 30 "},
        {std::string_view("BDAT 30\0\r\nRSET\r\n", 16), smtpp::line_error::nul, std::string_view("BDAT 30\0", 8)},
        {"bd\r\n", smtpp::line_error::none, ""},
        {"x\n", smtpp::line_error::bare_lf, "x"},
        {"\n", smtpp::line_error::bare_lf, ""},
        {"ab\rc\r\n", smtpp::line_error::bare_cr, "ab\rc\r"},
    };
    for (const vec& v : vecs) {
        INFO(std::string(v.in));
        smtpp_test::for_each_split(v.in, [&](const std::vector<std::string_view>& chunks,
                                             const smtpp_test::split_info& info) {
            INFO(info.name);
            smtpp::line_reader<512> r;
            bool seen = false;
            for (std::string_view in : chunks) {
                while (!in.empty() && !seen) {
                    const smtpp::line_event ev = r.next(in);
                    in.remove_prefix(ev.consumed);
                    if (ev.st == smtpp::status::need_more) break;
                    REQUIRE(ev.err == v.err);
                    if (ev.st == smtpp::status::failed) CHECK(ev.line == v.head);
                    seen = true;
                }
            }
            CHECK(seen);
        });
    }
    // An over-long BDAT line: the head is its start, whatever the limit and the cut.
    std::string longline = "BDAT 6 LAST";
    longline.append(600, ' ');
    longline.append("\r\nQUIT\r\n");
    smtpp_test::for_each_split(longline,
                               [&](const std::vector<std::string_view>& chunks, const smtpp_test::split_info& info) {
                                   INFO(info.name);
                                   smtpp::line_reader<512> r;
                                   for (std::string_view in : chunks) {
                                       const smtpp::line_event ev = r.next(in);
                                       if (ev.st == smtpp::status::failed) {
                                           CHECK(ev.err == smtpp::line_error::too_long);
                                           CHECK(ev.line == "BDAT 6 L");
                                           return;
                                       }
                                       if (ev.st == smtpp::status::complete) FAIL("an over-long line was accepted");
                                   }
                               });
}

namespace {
// Events with the head of each refused line: "L:<line>" or "E:<error>:<head>".
std::string show_head(const smtpp::line_event& ev) {
    // Appended piece by piece: GCC 12 at -O3 with C++23 warns (-Wrestrict, a false
    // positive) on a chain of std::string operator+.
    std::string r = ev.st == status::complete ? "L:" : "E:";
    if (ev.st != status::complete) {
        r += smtpp::to_string(ev.err);
        r += ':';
    }
    r += ev.line;
    return r;
}

std::vector<std::string> reference_heads(std::string_view s, std::size_t max, bool allow_lf) {
    std::vector<std::string> out;
    for (const std::string& e : reference_lines(s, max, allow_lf)) out.push_back(e);
    std::size_t start = 0, k = 0;
    for (std::size_t lf = s.find('\n'); lf != std::string_view::npos; lf = s.find('\n', start), ++k) {
        const std::string_view line = s.substr(start, lf + 1 - start);
        start = lf + 1;
        if (out[k][0] == 'E') {
            out[k] += ':';
            out[k] += line.substr(0, std::min(smtpp::line_head_size, line.size() - 1));
        }
    }
    return out;
}

// A basic_line_reader over exactly `cap` heap bytes (ASan sees a write past them), fed
// `chunks`; a refused line's head may live in the chunk, the buffer or the reader.
std::vector<std::string> run_basic(std::size_t cap, smtpp::line_options o, const std::vector<std::string_view>& chunks,
                                   bool* pending = nullptr) {
    std::unique_ptr<char[]> buf(new char[cap]);
    smtpp::basic_line_reader r(buf.get(), cap, o);
    std::vector<std::string> out;
    for (std::string_view in : chunks) {
        while (!in.empty()) {
            const auto ev = r.next(in);
            REQUIRE(ev.consumed <= in.size());
            in.remove_prefix(ev.consumed);
            if (ev.st == status::need_more) break;
            out.push_back(show_head(ev));
        }
    }
    if (pending != nullptr) *pending = r.pending();
    return out;
}
}  // namespace

// The head of a refused line is kept in the line storage (stored even after the fault),
// or in the reader itself when the storage is smaller than line_head_size.
TEST_CASE("refused lines report their head after an early fault, any storage size, every split", "[line][head]") {
    const std::string_view vecs[] = {
        "A\rBCDEFGHIJ\r\nQUIT\r\n",                          // bare CR at octet 2
        std::string_view("AB\0CDEFGHIJKL\r\nRSET\r\n", 21),  // NUL at octet 3
        "\rXYZ12345\r\n",                                    // bare CR first
        "ABCDEFGHIJ\nNOOP\r\n",                              // bare LF after the head
        "ABC\nD\r\n",                                        // bare LF inside the head
        "BDAT 10 LAST\r\n0123456789",                        // clean, then a partial line
        "\r\r\r\r\r\r\r\r\r\r\r\n\n",
        std::string_view("\0\0\0\0\0\0\0\0\0\0\r\n", 12),
        "0123456789abcdefghij0123456789\r\nxy\r\n",  // too long for a small limit
    };
    const std::size_t caps[] = {0, 1, 2, 5, 7, 8, 9, 16, 64};
    const std::size_t limits[] = {0, 1, 2, 3, 7, 8, 9, 12, 512};
    for (std::string_view s : vecs) {
        for (std::size_t cap : caps) {
            for (std::size_t limit : limits) {
                for (bool lf : {false, true}) {
                    smtpp::line_options o;
                    o.max_line = limit;
                    o.allow_bare_lf = lf;
                    const auto want = reference_heads(s, std::min(limit, cap), lf);
                    INFO("input=\"" << std::string(s) << "\" cap=" << cap << " max=" << limit << " lf=" << lf);
                    smtpp_test::for_each_split(s, [&](const std::vector<std::string_view>& chunks,
                                                      const smtpp_test::split_info& info) {
                        INFO(info.name);
                        REQUIRE(run_basic(cap, o, chunks) == want);
                    });
                }
            }
        }
    }
    // line_reader<N> with N below, at and above line_head_size.
    REQUIRE(check_splits<3>("A\r\nABCDEFGHIJ\n") == v{"L:A\r\n", "E:too_long"});
    REQUIRE(check_splits<8>("ABCDEF\r\nA\rB\r\n") == v{"L:ABCDEF\r\n", "E:bare_cr"});
    REQUIRE(check_splits<9>("ABCDEFG\r\n0123456789\r\n") == v{"L:ABCDEFG\r\n", "E:too_long"});
}

TEST_CASE("random streams with any storage size: every split gives the reference events and heads", "[line][head]") {
    std::mt19937 rng(53);
    const char* pieces[] = {"NOOP", "\r\n", "\r\n", "\n", "\r", "MAIL FROM:<a@b>", " ", "BDAT 1", "x"};
    const std::size_t caps[] = {0, 1, 4, 7, 8, 9, 24, 64};
    const std::size_t limits[] = {0, 1, 5, 8, 9, 17, 64, 512};
    for (int round = 0; round < 400; ++round) {
        std::string s;
        const int k = static_cast<int>(rng() % 10);
        for (int i = 0; i < k; ++i) s += pieces[rng() % 9];
        if (rng() % 4 == 0) s.insert(rng() % (s.size() + 1), 1, '\0');
        if (rng() % 5 == 0) s += std::string(rng() % 30, 'Z');
        smtpp::line_options o;
        o.max_line = limits[rng() % 8];
        o.allow_bare_lf = rng() % 3 == 0;
        const std::size_t cap = caps[rng() % 8];
        const auto want = reference_heads(s, std::min(o.max_line, cap), o.allow_bare_lf);
        INFO("input=\"" << s << "\" cap=" << cap << " max=" << o.max_line << " lf=" << o.allow_bare_lf);
        bool whole_pending = false;
        {
            smtpp_test::exact_buffer b(s);
            REQUIRE(run_basic(cap, o, {b.view()}, &whole_pending) == want);
        }
        smtpp_test::for_each_split(s, [&](const std::vector<std::string_view>& chunks,
                                          const smtpp_test::split_info& info) {
            INFO(info.name);
            bool pending = false;
            REQUIRE(run_basic(cap, o, chunks, &pending) == want);
            REQUIRE(pending == whole_pending);
        });
    }
}

TEST_CASE("set_max_line and discard while a line is pending, byte by byte (fast paths)", "[line][limits]") {
    // Lowering the limit below what is stored: too long, head from the storage.
    smtpp::line_reader<512> a;
    for (char c : std::string_view("ABCDEFGHIJ")) REQUIRE(a.next(std::string_view(&c, 1)).st == status::need_more);
    a.set_max_line(5);
    REQUIRE(a.pending_error() == line_error::too_long);
    REQUIRE(a.next("\r").st == status::need_more);
    REQUIRE(show_head(a.next("\n")) == "E:too_long:ABCDEFGH");
    // Raising it while a line is pending (the fast path must pick up the new limit).
    smtpp::line_options o;
    o.max_line = 4;
    smtpp::line_reader<512> b(o);
    REQUIRE(b.next("A").st == status::need_more);
    REQUIRE(b.next("B").st == status::need_more);
    b.set_max_line(100);
    for (char c : std::string_view("CDEF\r")) REQUIRE(b.next(std::string_view(&c, 1)).st == status::need_more);
    REQUIRE(show_head(b.next("\n")) == "L:ABCDEF\r\n");
    // Limit reached exactly at the CR: the LF after a chunk-ending CR makes it too long.
    smtpp::line_reader<512> c;
    REQUIRE(c.next("AB\r").st == status::need_more);
    c.set_max_line(3);
    REQUIRE(show_head(c.next("\n")) == "E:too_long:AB\r");
    REQUIRE(show_head(c.next("xy\r\n")) == "E:too_long:xy\r");
    c.set_max_line(4);
    REQUIRE(show_head(c.next("xy\r\n")) == "L:xy\r\n");
    // The whole line in one chunk after a raised limit, and continuing in a big chunk.
    REQUIRE(show_head(c.next("abcdefghijklmnopqrstuvwxyz\r\n")) == "E:too_long:abcdefgh");
    c.set_max_line(512);
    REQUIRE(c.next("abcdefgh").st == status::need_more);
    REQUIRE(show_head(c.next("ijklmnopqrstuvwxyz\r\nQUIT\r\n")) == "L:abcdefghijklmnopqrstuvwxyz\r\n");
    // discard() drops a pending CR: the LF is then a bare LF of an empty line.
    smtpp::line_reader<512> d;
    REQUIRE(d.next("AB\r").st == status::need_more);
    d.discard();
    REQUIRE(show_head(d.next("\n")) == "E:bare_lf:");
    REQUIRE(d.next("A").st == status::need_more);
    d.discard();
    REQUIRE(show_head(d.next("B\r\n")) == "L:B\r\n");
}
