// Tests of the body encoder (include/smtpp/encode.hpp): RFC 5321 §4.5.2 transparency
// (dot-stuffing), §4.1.1.4 end of data, §2.3.8 line ends, RFC 3030 §2 BDAT bodies.
// Every vector whole, byte by byte and split at every position; the output decoded by
// the server-side data_decoder must give the body back (encoder ∘ decoder = identity).
#include <catch2/catch.hpp>

#include <smtpp/data.hpp>
#include <smtpp/encode.hpp>

#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "support/alloc_counter.hpp"

namespace {

using smtpp::body_encoder;
using smtpp::encode_error;
using smtpp::encode_options;
using smtpp::newline_policy;

struct encoded {
    std::string wire;
    encode_error err = encode_error::none;
    bool zero_copy_only = true;  // every piece not a literal was a view into the input
};

// Feeds `body` cut at the positions in `cuts` (ascending).
encoded encode(const std::string& body, const std::vector<std::size_t>& cuts, encode_options o) {
    body_encoder enc(o);
    encoded r;
    std::size_t from = 0;
    std::vector<std::size_t> all = cuts;
    all.push_back(body.size());
    for (std::size_t to : all) {
        std::string_view in(body.data() + from, to - from);
        std::size_t guard = 0;
        const std::size_t chunk = in.size();
        while (!in.empty() && !enc.failed()) {
            const std::size_t before = in.size();
            const std::string_view piece = enc.next(in);
            REQUIRE(in.size() <= before);
            REQUIRE(++guard <= 3 * chunk);  // progress: at most 3 pieces per byte
            r.wire.append(piece.data(), piece.size());
        }
        from = to;
    }
    if (!enc.failed()) {
        const std::string_view last = enc.finish();
        r.wire.append(last.data(), last.size());
    }
    r.err = enc.error();
    return r;
}

// The reference: line ends made CRLF (or refused), lines starting with "." doubled, the
// terminator.
encoded reference(const std::string& body, encode_options o) {
    encoded r;
    std::string canon;
    const bool norm = o.newline == newline_policy::normalize;
    for (std::size_t i = 0; i < body.size(); ++i) {
        const char c = body[i];
        if (c == '\r') {
            if (i + 1 < body.size() && body[i + 1] == '\n') {
                canon += "\r\n";
                ++i;
            } else if (norm) {
                canon += "\r\n";
            } else {
                r.err = encode_error::bare_cr;
                return r;
            }
        } else if (c == '\n') {
            if (!norm) {
                r.err = encode_error::bare_lf;
                return r;
            }
            canon += "\r\n";
        } else {
            canon += c;
        }
    }
    if (!o.stuff) {
        r.wire = canon;
        if (o.final_crlf && !canon.empty() && canon.back() != '\n') r.wire += "\r\n";
        return r;
    }
    bool bol = true;
    for (char c : canon) {
        if (bol && c == '.') r.wire += '.';
        r.wire += c;
        bol = c == '\n';
    }
    r.wire += bol ? ".\r\n" : "\r\n.\r\n";
    return r;
}

// The server's view of the wire: the body the decoder delivers.
std::string decode(const std::string& wire, smtpp::data_error* err = nullptr) {
    smtpp::data_options o;
    o.reject_nul = false;
    smtpp::data_decoder d(o);
    std::string out;
    std::string_view in = wire;
    for (;;) {
        const auto ev = d.next(in);
        in.remove_prefix(ev.consumed);
        if (ev.kind == smtpp::data_event_kind::content) out.append(ev.content.data(), ev.content.size());
        if (ev.kind == smtpp::data_event_kind::end) {
            if (err) *err = ev.err;
            REQUIRE(in.empty());  // the terminator is the last thing written
            return out;
        }
        REQUIRE(ev.st != smtpp::status::need_more);
    }
}

void check_all_splits(const std::string& body, encode_options o) {
    const encoded ref = reference(body, o);
    const encoded whole = encode(body, {}, o);
    INFO("body: " << body);
    REQUIRE(whole.err == ref.err);
    if (ref.err == encode_error::none) REQUIRE(whole.wire == ref.wire);
    std::vector<std::size_t> bytes;
    for (std::size_t i = 1; i < body.size(); ++i) bytes.push_back(i);
    const encoded one = encode(body, bytes, o);
    REQUIRE(one.err == ref.err);
    if (ref.err == encode_error::none) REQUIRE(one.wire == ref.wire);
    for (std::size_t i = 1; i < body.size(); ++i) {
        const encoded s = encode(body, {i}, o);
        REQUIRE(s.err == ref.err);
        if (ref.err == encode_error::none) REQUIRE(s.wire == ref.wire);
    }
}

const char* const vectors[] = {
    "",
    "a",
    "a\r\n",
    ".",
    ".\r\n",
    "..\r\n",
    "x\r\n.\r\n",
    "x\r\n.\r\ny",
    "x\r\n..\r\n.",
    "Subject: hi\r\n\r\n.leading dot\r\nlast line without CRLF",
    "\r\n.\r\n",
    "a\nb\n.c\n",
    "a\rb\r.c",
    "a\r\r\n.b",
    "a\n\r.b",
    "trailing CR\r",
    "\n",
    "\r",
    ".\n.\r.",
    "8-bit \xc3\xa9t\xc3\xa9\r\n",
};

TEST_CASE("encoder: every vector, every split, both policies, DATA and BDAT", "[encode]") {
    for (const char* v : vectors) {
        const std::string body(v);
        for (auto pol : {newline_policy::strict, newline_policy::normalize})
            for (bool stuff : {true, false})
                for (bool final_crlf : {true, false}) {
                    encode_options o;
                    o.newline = pol;
                    o.stuff = stuff;
                    o.final_crlf = final_crlf;
                    check_all_splits(body, o);
                }
    }
}

TEST_CASE("encoder: RFC 5321 §4.5.2 stuffing and §4.1.1.4 terminator, literally", "[encode]") {
    encode_options o;
    CHECK(encode("", {}, o).wire == ".\r\n");
    CHECK(encode("a\r\n", {}, o).wire == "a\r\n.\r\n");
    CHECK(encode("a", {}, o).wire == "a\r\n.\r\n");
    CHECK(encode(".\r\n", {}, o).wire == "..\r\n.\r\n");
    CHECK(encode("a\r\n.b\r\n", {}, o).wire == "a\r\n..b\r\n.\r\n");
    CHECK(encode("a\nb", {}, o).err == encode_error::bare_lf);
    CHECK(encode("a\rb", {}, o).err == encode_error::bare_cr);
    CHECK(encode("a\r", {}, o).err == encode_error::bare_cr);
    o.newline = newline_policy::normalize;
    CHECK(encode("a\n.b", {}, o).wire == "a\r\n..b\r\n.\r\n");
    CHECK(encode("a\r", {}, o).wire == "a\r\n.\r\n");
    o.stuff = false;  // BDAT: no stuffing, no terminator
    CHECK(encode(".a\n", {}, o).wire == ".a\r\n");
    CHECK(encode(".a", {}, o).wire == ".a\r\n");
    o.final_crlf = false;
    CHECK(encode(".a", {}, o).wire == ".a");
}

TEST_CASE("encoder ∘ decoder: the server gets the body back", "[encode]") {
    std::mt19937 rng(16);
    const char alphabet[] = {'.', '\r', '\n', 'a', ' ', '\0', '\xff'};
    for (int iter = 0; iter < 3000; ++iter) {
        std::string body;
        const std::size_t len = rng() % 24;
        for (std::size_t i = 0; i < len; ++i) body += alphabet[rng() % sizeof alphabet];
        for (auto pol : {newline_policy::strict, newline_policy::normalize}) {
            encode_options o;
            o.newline = pol;
            std::vector<std::size_t> cuts;
            for (std::size_t i = 1; i < body.size(); ++i)
                if (rng() % 3 == 0) cuts.push_back(i);
            const encoded e = encode(body, cuts, o);
            const encoded ref = reference(body, o);
            REQUIRE(e.err == ref.err);
            if (e.err != encode_error::none) continue;
            REQUIRE(e.wire == ref.wire);
            // The canonical body: line ends CRLF, and a final CRLF.
            encode_options bdat = o;
            bdat.stuff = false;
            const std::string canon = reference(body, bdat).wire;
            smtpp::data_error derr = smtpp::data_error::bare_cr;
            INFO("body: " << body);
            CHECK(decode(e.wire, &derr) == canon);
            CHECK(derr == smtpp::data_error::none);
        }
    }
}

TEST_CASE("encoder: the block and word skips against the reference, long bodies, octets near CR/LF/.", "[encode]") {
    // detail::skip_plain passes whole 64-octet blocks (SSE2) and then whole words: bodies of
    // many blocks, where the octets beside the ones it looks for (0x0B, 0x0C, 0x0E, and CR,
    // LF, "." with the high bit set) must not be taken for them, and lines start at every
    // offset within a word and a block. Chunks both small (a cut in 13) and large (a cut in
    // 150, or none), so that blocks are skipped whole; specials both dense and sparse, so
    // that blocks are both clean and not.
    std::mt19937 rng(1616);
    const char alphabet[] = {'.', '\r', '\n', 'a', '\x0b', '\x0c', '\x0e', '\x8d', '\x8a', '\xae', '\xff', '\0'};
    for (int iter = 0; iter < 3000; ++iter) {
        std::string body;
        const bool sparse = iter % 2 == 1;
        const std::size_t len = rng() % (sparse ? 400 : 160);
        for (std::size_t i = 0; i < len; ++i) {
            const unsigned k = static_cast<unsigned>(
                rng() % (sparse ? 256u : 16u));  // mostly text, some CRLF, some leading dots
            if (k >= 16 || k < 10) body += static_cast<char>('a' + k % 10);
            else if (k < 12) body += "\r\n";
            else if (k == 12) body += "\r\n.";
            else if (k == 13 && sparse) body += "\r\n";
            else body += alphabet[rng() % sizeof alphabet];
            if (sparse && rng() % 40 == 0) body += "\r\n";
        }
        for (auto pol : {newline_policy::strict, newline_policy::normalize}) {
            for (bool stuff : {true, false}) {
                encode_options o;
                o.newline = pol;
                o.stuff = stuff;
                const unsigned every = iter % 3 == 0 ? 13 : iter % 3 == 1 ? 150 : 0;
                std::vector<std::size_t> cuts;
                for (std::size_t i = 1; every != 0 && i < body.size(); ++i)
                    if (rng() % every == 0) cuts.push_back(i);
                const encoded e = encode(body, cuts, o);
                const encoded ref = reference(body, o);
                INFO("body: " << body);
                REQUIRE(e.err == ref.err);
                if (e.err == encode_error::none) REQUIRE(e.wire == ref.wire);
            }
        }
    }
}

TEST_CASE("encoder: one special octet at every offset of clean CRLF text", "[encode]") {
    // Each block and word boundary of detail::skip_plain meets each case: a bare LF, a bare
    // CR, a line that starts with "." (at the start of a line and after it), a CRLF split by
    // a block edge, an octet that is almost LF; the body whole and cut once anywhere.
    const char* const specials[] = {"\n", "\r", ".", "\r\n.", "\r\n..", "\x8a", "\r\n", "\r\r\n", "\n\n"};
    for (std::size_t line : {std::size_t{5}, std::size_t{62}, std::size_t{63}, std::size_t{64}, std::size_t{70}}) {
        std::string base;
        while (base.size() < 300) base += std::string(line, 'x') + "\r\n";
        for (const char* sp : specials) {
            for (std::size_t at = 0; at <= base.size(); ++at) {
                const std::string body = base.substr(0, at) + sp + base.substr(at);
                for (auto pol : {newline_policy::strict, newline_policy::normalize}) {
                    for (bool stuff : {true, false}) {
                        encode_options o;
                        o.newline = pol;
                        o.stuff = stuff;
                        const encoded ref = reference(body, o);
                        for (std::size_t cut :
                             {std::size_t{0}, std::size_t{1}, at, at + 1, std::size_t{64}, std::size_t{129}}) {
                            std::vector<std::size_t> cuts;
                            if (cut > 0 && cut < body.size()) cuts.push_back(cut);
                            const encoded e = encode(body, cuts, o);
                            INFO("line " << line << ", special " << static_cast<int>(sp[0]) << " at " << at << ", cut "
                                         << cut);
                            REQUIRE(e.err == ref.err);
                            if (e.err == encode_error::none) REQUIRE(e.wire == ref.wire);
                        }
                    }
                }
            }
        }
    }
}

TEST_CASE("encoder: zero copy where nothing changes, no allocation", "[encode]") {
    std::string body;
    for (int i = 0; i < 200; ++i) body += "line of text without anything special\r\n";
    body += ".dot line\r\nafter\r\n";
    body_encoder enc;
    std::string_view in = body;
    std::size_t pieces = 0;
    std::size_t views = 0;
    {
        smtpp_test::no_alloc_scope guard;
        while (!in.empty()) {
            const std::string_view piece = enc.next(in);
            ++pieces;
            if (piece.data() >= body.data() && piece.data() < body.data() + body.size()) ++views;
        }
        (void)enc.finish();
        REQUIRE(guard.allocations() == 0);
    }
    // One view up to the dot line, the stuffing ".", one view for the rest.
    CHECK(pieces == 3);
    CHECK(views == 2);
    static_assert(std::is_trivially_copyable<body_encoder>::value, "copyable state");
    static_assert(sizeof(body_encoder) <= 8, "small");
}

}  // namespace
