// The portability layer (include/smtpp/detail/platform.hpp): each fast routine against its
// plain twin, on every target CI builds (x86-64, i686, armhf, s390x, mingw64).
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <string_view>
#include <cstddef>

#include <smtpp/smtpp.hpp>

namespace {

using smtpp::detail::ctz64;
using smtpp::detail::ctz64_plain;
using smtpp::detail::top_bit64;
using smtpp::detail::top_bit64_plain;

static_assert(ctz64(1) == 0 && ctz64(0x8000000000000000ull) == 63 && ctz64(0x10100) == 8);
static_assert(ctz64_plain(1) == 0 && ctz64_plain(0x8000000000000000ull) == 63 && ctz64_plain(0x10100) == 8);
static_assert(top_bit64(1) == 0 && top_bit64(0x8000000000000001ull) == 63 && top_bit64_plain(0x10100) == 16);
static_assert(smtpp::detail::in_constant_evaluation(), "constant evaluation is seen as such");

}  // namespace

TEST_CASE("platform: bit scans agree with their plain twins", "[platform]") {
    std::uint64_t x = 0x9E3779B97F4A7C15ull;
    for (unsigned k = 0; k < 64; ++k) {
        const std::uint64_t bit = std::uint64_t{1} << k;
        REQUIRE(ctz64(bit) == k);
        REQUIRE(ctz64_plain(bit) == k);
        REQUIRE(top_bit64(bit) == k);
        REQUIRE(top_bit64_plain(bit) == k);
    }
    for (int i = 0; i < 10000; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        const std::uint64_t v = x >> (i % 64);
        if (v == 0) continue;
        REQUIRE(ctz64(v) == ctz64_plain(v));
        REQUIRE(top_bit64(v) == top_bit64_plain(v));
    }
}

TEST_CASE("platform: the run-time check sees run time", "[platform]") {
    // In a constexpr function called at run time: false wherever the compiler can tell
    // (the plain twins run everywhere else).
    bool at_run_time = !smtpp::detail::in_constant_evaluation();  // not const: a const one is constant-initialised
    REQUIRE(at_run_time == (SMTPP_HAS_CONSTANT_EVALUATION_CHECK != 0));
}

TEST_CASE("platform: zero_object writes every octet of any size", "[platform]") {
    // The resets of command and ehlo_capabilities rely on it (their tests compare with value
    // initialisation); here the octets themselves, for sizes around the store widths.
    auto check = [](auto& obj) {
        std::memset(static_cast<void*>(&obj), 0xA5, sizeof obj);
        smtpp::detail::zero_object(obj);
        const auto* p = reinterpret_cast<const unsigned char*>(&obj);
        for (std::size_t i = 0; i < sizeof obj; ++i) REQUIRE(p[i] == 0);
    };
    struct s1 {
        char c[1];
    } a;
    struct s15 {
        char c[15];
    } b;
    struct s16 {
        char c[16];
    } c;
    struct s63 {
        char c[63];
    } d;
    struct s64 {
        char c[64];
    } e;
    struct s200 {
        char c[200];
    } f;
    check(a);
    check(b);
    check(c);
    check(d);
    check(e);
    check(f);
    smtpp::command cmd;
    check(cmd);
    smtpp::ehlo_capabilities caps;
    check(caps);
}

namespace odd {
// A layout with every case word_image handles: octets, a 64-bit field that straddles two
// words where it is four-aligned (i386), a string_view, padding and a tail under 8 octets.
struct mixed {
    std::uint8_t a = 0;
    std::uint32_t b = 0;
    std::uint8_t c = 0;
    std::uint64_t d = 0;
    std::uint16_t e = 0;
    std::string_view f{};
    bool g = false;
    char h = 0;
    std::uint16_t i = 0;
};
template <class F>
void for_each_field(const mixed& m, std::size_t base, F&& f) {
    f(base + offsetof(mixed, a), m.a);
    f(base + offsetof(mixed, b), m.b);
    f(base + offsetof(mixed, c), m.c);
    f(base + offsetof(mixed, d), m.d);
    f(base + offsetof(mixed, e), m.e);
    f(base + offsetof(mixed, f), m.f);
    f(base + offsetof(mixed, g), m.g);
    f(base + offsetof(mixed, h), m.h);
    f(base + offsetof(mixed, i), m.i);
}
}  // namespace odd

TEST_CASE("platform: write_words rewrites every field, whatever the layout", "[platform]") {
    // detail::sealed() returns each transition's result through write_words where
    // SMTPP_SEAL_RESULTS is set; here it runs on every target, big-endian and 32-bit too.
    if (!smtpp::detail::word_image_available) return;
    const char text[] = "250 OK\r\n";
    odd::mixed m;
    m.a = 0x81;
    m.b = 0x82838485u;
    m.c = 0x86;
    m.d = 0x8788898A8B8C8D8Eull;
    m.e = 0x8F90;
    m.f = std::string_view(text, 8);
    m.g = true;
    m.h = 'x';
    m.i = 0xFEDC;
    odd::mixed out;
    std::memset(static_cast<void*>(&out), 0xA5, sizeof out);
    smtpp::detail::write_words(out, m);
    CHECK(out.a == m.a);
    CHECK(out.b == m.b);
    CHECK(out.c == m.c);
    CHECK(out.d == m.d);
    CHECK(out.e == m.e);
    CHECK(out.f.data() == text);
    CHECK(out.f.size() == 8);
    CHECK(out.g);
    CHECK(out.h == 'x');
    CHECK(out.i == 0xFEDC);

    smtpp::step_result r;
    r.next.phase = smtpp::phase::rcpt;
    r.next.pending = smtpp::pending::recipient;
    r.next.errors = 3;
    r.next.resume = smtpp::phase::mail;
    r.next.flags = 0x1234;
    r.next.deferred = 0x5678;
    r.next.recipients = 0x9ABC;
    r.next.index = 0xDEF0;
    r.next.declared_size = 0x0102030405060708ull;
    r.next.bdat_size = 0x1112131415161718ull;
    r.reply = std::string_view(text, 8);
    r.code = 250;
    r.count = 7;
    r.act = smtpp::action::read_bdat;
    r.discard = r.last = r.first_chunk = r.has_sasl = r.injection = r.sasl_response = true;
    r.index = 0x2122;
    r.why = 0x2324;
    r.error = smtpp::command_error::bad_forward_path;
    r.chunk_size = 0x3132333435363738ull;
    r.sasl = std::string_view(text + 1, 3);
    smtpp::step_result o;
    std::memset(static_cast<void*>(&o), 0xA5, sizeof o);
    smtpp::detail::write_words(o, r);
    CHECK(o.next == r.next);
    CHECK(o.reply.data() == r.reply.data());
    CHECK(o.reply.size() == r.reply.size());
    CHECK(o.code == r.code);
    CHECK(o.count == r.count);
    CHECK(o.act == r.act);
    CHECK((o.discard && o.last && o.first_chunk && o.has_sasl && o.injection && o.sasl_response));
    CHECK(o.index == r.index);
    CHECK(o.why == r.why);
    CHECK(o.error == r.error);
    CHECK(o.chunk_size == r.chunk_size);
    CHECK(o.sasl.data() == r.sasl.data());
    CHECK(o.sasl.size() == 3);
    // And each false flag stays false (a field composed into the wrong octets would not).
    r.discard = r.last = r.first_chunk = r.has_sasl = r.injection = r.sasl_response = false;
    r.next.resume = smtpp::phase::connect;
    std::memset(static_cast<void*>(&o), 0xFF, sizeof o);
    smtpp::detail::write_words(o, r);
    CHECK(!(o.discard || o.last || o.first_chunk || o.has_sasl || o.injection || o.sasl_response));
    CHECK(o.next == r.next);
    CHECK(o.act == r.act);
}

#if SMTPP_SIMD_SSE2
TEST_CASE("platform: v16 operations, octet by octet", "[platform][simd]") {
    char in[17];
    for (int base = 0; base < 256; base += 16) {
        for (int i = 0; i < 16; ++i) in[i] = static_cast<char>(base + i);
        in[16] = 0;
        const auto v = smtpp::detail::v16_load(in);
        const unsigned eq = smtpp::detail::v16_mask(
            smtpp::detail::v16_eq(v, smtpp::detail::v16_splat(static_cast<char>(base + 3))));
        REQUIRE(eq == 1u << 3);
        const unsigned gt = smtpp::detail::v16_mask(smtpp::detail::v16_gt(v, smtpp::detail::v16_splat(0x20)));
        for (int i = 0; i < 16; ++i) {
            const auto sc = static_cast<signed char>(in[i]);
            REQUIRE(((gt >> i) & 1u) == (sc > 0x20 ? 1u : 0u));
        }
        // shift_in: octet 0 is the given one, octet i the input's i - 1.
        char before[16];
        before[0] = 'Q';
        std::memcpy(before + 1, in, 15);
        const unsigned same = smtpp::detail::v16_mask(
            smtpp::detail::v16_eq(smtpp::detail::v16_shift_in(v, 'Q'), smtpp::detail::v16_load(before)));
        REQUIRE(same == 0xFFFFu);
    }
}
#endif
