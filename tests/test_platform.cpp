// The portability layer (include/smtpp/detail/platform.hpp): each fast routine against its
// plain twin, on every target CI builds (x86-64, i686, armhf, s390x, mingw64).
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>

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
