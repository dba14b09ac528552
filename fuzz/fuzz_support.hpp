// What every fuzz target shares (fuzz/fuzz_*.cpp): how an oracle reports, the counting
// allocator behind the zero-allocation properties, the reply checks, the seeded cuts of a
// stream for the split ≡ whole properties, and small readers of the input bytes.
//
// Each target is one translation unit and includes this header once. A target that checks
// zero allocations defines SMTPP_FUZZ_COUNT_ALLOCATIONS before including it: that replaces
// the global operator new and delete (every replaceable form, so libFuzzer's own
// allocations pair up under ASan) with a malloc that counts while smtpp_fuzz::counting is
// set. The other targets keep the runtime's allocator, so ASan's new/delete mismatch checks
// stay on for them.
#ifndef SMTPP_FUZZ_SUPPORT_HPP
#define SMTPP_FUZZ_SUPPORT_HPP

#include <smtpp/reply.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string_view>
#include <vector>

/// An oracle: a property that does not hold stops the run where it failed (SIGILL, which
/// libFuzzer reports as a deadly signal with the input that caused it; the standalone
/// replay under ctest dies with it).
#define SMTPP_FUZZ_CHECK(c)         \
    do {                            \
        if (!(c)) __builtin_trap(); \
    } while (0)

namespace smtpp_fuzz {

/// Set around the calls whose allocations must be zero; `allocations` counts them (only
/// with SMTPP_FUZZ_COUNT_ALLOCATIONS).
inline bool counting = false;
inline std::size_t allocations = 0;

/// True when `v` is empty or lies inside `range` (a view into the caller's bytes).
inline bool inside(std::string_view v, std::string_view range) {
    return v.empty() || (v.data() >= range.data() && v.data() + v.size() <= range.data() + range.size());
}

/// True when `v` is empty or lies inside the `size` bytes at `base` (a reader's storage).
inline bool inside(std::string_view v, const void* base, std::size_t size) {
    if (v.empty()) return true;
    const auto* b = static_cast<const char*>(base);
    return v.data() >= b && v.data() + v.size() <= b + size;
}

/// Two input bytes at `p`, little-endian.
inline std::uint16_t le16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }

/// Four input bytes at `p`, little-endian.
inline std::uint32_t le32(const std::uint8_t* p) {
    return static_cast<std::uint32_t>(le16(p) | (static_cast<std::uint32_t>(le16(p + 2)) << 16));
}

/// Cuts `s` into pieces whose sizes come from a linear congruential generator advanced
/// from `seed` (updated, so a second cut of the same stream differs): 1..`small` octets,
/// and, when `large` is not zero, one piece in eight (by the generator) 1..`large` octets.
inline std::vector<std::string_view> seeded_pieces(std::string_view s, std::uint32_t& seed, std::size_t small,
                                                   std::size_t large = 0) {
    std::vector<std::string_view> pieces;
    for (std::size_t i = 0; i < s.size();) {
        seed = seed * 1103515245u + 12345u;
        std::size_t step = 1 + (seed >> 16) % small;
        if (large != 0 && (seed >> 8) % 8 == 0) step = 1 + (seed >> 12) % large;
        pieces.push_back(s.substr(i, step));
        i += step;
    }
    return pieces;
}

/// A reply as the server writes it, checked on its text alone: a 2xx-5xx code, the same
/// code on every line, '-' after it on all lines but the last (' '), each line CRLF-ended
/// and at least four octets, no control octet but HT (RFC 5321 §4.2).
inline void check_reply_text(std::string_view r) {
    SMTPP_FUZZ_CHECK(r.size() >= 6 && r[0] >= '2' && r[0] <= '5' && r.substr(r.size() - 2) == "\r\n");
    for (std::size_t pos = 0; pos < r.size();) {
        const std::size_t end = r.find("\r\n", pos);
        SMTPP_FUZZ_CHECK(end != std::string_view::npos && end - pos >= 4 && r.compare(pos, 3, r.substr(0, 3)) == 0);
        SMTPP_FUZZ_CHECK(r[pos + 3] == (end + 2 == r.size() ? ' ' : '-'));
        for (std::size_t i = pos; i < end; ++i)
            SMTPP_FUZZ_CHECK(static_cast<unsigned char>(r[i]) >= 0x20 || r[i] == '\t');
        pos = end + 2;
    }
}

/// A reply checked by the library's own reply reader: CR and LF only as the CRLF that
/// ends each line, and the reader takes it whole as one reply of one code (`code`, unless
/// zero), its lines numbered from 0.
inline void check_reply_parses(std::string_view r, unsigned code = 0) {
    SMTPP_FUZZ_CHECK(r.size() >= 5 && r.substr(r.size() - 2) == "\r\n");
    for (std::size_t i = 0; i < r.size(); ++i)
        if (r[i] == '\r' || r[i] == '\n')
            SMTPP_FUZZ_CHECK(r[i] == '\r' ? i + 1 < r.size() && r[i + 1] == '\n' : i > 0 && r[i - 1] == '\r');
    smtpp::reply_options o;
    o.max_line = 1024;
    smtpp::basic_reply_reader<1024> rd(o);
    std::string_view in = r;
    smtpp::reply_line ln;
    std::uint16_t first = 0;
    for (std::uint32_t n = 0;; ++n) {
        SMTPP_FUZZ_CHECK(rd.next_line(in, ln) == smtpp::status::complete);
        SMTPP_FUZZ_CHECK(ln.index == n);
        if (n == 0) first = ln.code;
        SMTPP_FUZZ_CHECK(ln.code == first);
        if (ln.last) break;
    }
    SMTPP_FUZZ_CHECK(in.empty());
    SMTPP_FUZZ_CHECK(code == 0 || first == code);
}

}  // namespace smtpp_fuzz

#ifdef SMTPP_FUZZ_COUNT_ALLOCATIONS
namespace smtpp_fuzz {
inline void* counted(std::size_t n) noexcept {
    if (counting) ++allocations;
    return std::malloc(n == 0 ? 1 : n);
}
}  // namespace smtpp_fuzz

void* operator new(std::size_t n) {
    void* p = smtpp_fuzz::counted(n);
    if (p == nullptr) std::abort();
    return p;
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return smtpp_fuzz::counted(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return smtpp_fuzz::counted(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
#endif

#endif  // SMTPP_FUZZ_SUPPORT_HPP
