/**
 * @file detail/platform.hpp
 * @brief The portability layer: every compiler, CPU, endianness and SIMD decision of smtpp.
 *
 * No other header of the library names a compiler builtin, an attribute, inline assembly,
 * an intrinsic or a target macro; they use what this header defines (CI checks it). Each
 * fast routine here has its plain twin beside it, and the plain twin is what constant
 * evaluation, unknown compilers and `SMTPP_NO_SIMD` get.
 *
 * Two parts. The first is C: the compiler test (`SMTPP_GNU_LIKE`) and the two macros the C
 * API needs (symbol export, 16-octet alignment); smtpp.h includes this header for it, with
 * `SMTPP_PLATFORM_C_ONLY` defined, so each compiler test is written once for both languages.
 * The second, C++17, is the layer the C++ headers use.
 *
 * The one user-facing switch: define `SMTPP_NO_SIMD` (CMake option `SMTPP_NO_SIMD`) to turn
 * every vector-instruction path off. Word-at-a-time code (plain C++ on `std::uint64_t`)
 * stays: it is portable C++ and runs on every little-endian target.
 *
 * Nothing here assumes a pointer size or an object layout.
 */
#ifndef SMTPP_DETAIL_PLATFORM_C
#define SMTPP_DETAIL_PLATFORM_C

/** @cond SMTPP_INTERNAL */
/* GCC, or a compiler that speaks its dialect (clang): builtins, attributes, inline asm. */
#if defined(__GNUC__) || defined(__clang__)
#define SMTPP_GNU_LIKE 1
#else
#define SMTPP_GNU_LIKE 0
#endif
/* clang itself (1) and GCC itself (its major version); 0 for any other compiler. */
#if defined(__clang__)
#define SMTPP_CLANG 1
#else
#define SMTPP_CLANG 0
#endif
#if defined(__GNUC__) && !defined(__clang__)
#define SMTPP_GCC __GNUC__
#else
#define SMTPP_GCC 0
#endif

/* SMTPP_API: exported from the shared library (hidden visibility for everything else);
 * a DLL's consumer imports, its build exports, a static library needs neither. */
#if defined(_WIN32) || defined(__CYGWIN__)
#if !defined(SMTPP_C_SHARED)
#define SMTPP_API
#elif defined(SMTPP_C_BUILDING)
#define SMTPP_API __declspec(dllexport)
#else
#define SMTPP_API __declspec(dllimport)
#endif
#elif SMTPP_GNU_LIKE
#define SMTPP_API __attribute__((visibility("default")))
#else
#define SMTPP_API
#endif

#if defined(__cplusplus)
#define SMTPP_ALIGN16 alignas(16)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define SMTPP_ALIGN16 _Alignas(16)
#elif SMTPP_GNU_LIKE
#define SMTPP_ALIGN16 __attribute__((aligned(16)))
#elif defined(_MSC_VER)
#define SMTPP_ALIGN16 __declspec(align(16))
#else
#define SMTPP_ALIGN16 /* C99 without extensions: misaligned storage gives SMTPP_E_ALIGNMENT */
#endif
/** @endcond */

#endif /* SMTPP_DETAIL_PLATFORM_C */

#if !defined(SMTPP_PLATFORM_C_ONLY) && !defined(SMTPP_DETAIL_PLATFORM_HPP)
#define SMTPP_DETAIL_PLATFORM_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

// ------------------------------------------------------------------------------------------
// Compiler
// ------------------------------------------------------------------------------------------

#if SMTPP_GNU_LIKE
#define SMTPP_LIKELY(x) __builtin_expect(!!(x), 1)
#define SMTPP_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define SMTPP_LIKELY(x) (x)
#define SMTPP_UNLIKELY(x) (x)
#endif

/// Forced inlining for the few hot helpers whose call overhead shows in the benchmarks.
#if SMTPP_GNU_LIKE
#define SMTPP_HOT_INLINE inline __attribute__((always_inline))
#else
#define SMTPP_HOT_INLINE inline
#endif

/// Forced inlining where clang, left to itself, keeps a hot helper out of line and GCC
/// inlines it anyway (forcing it in GCC measured slower).
#if SMTPP_CLANG
#define SMTPP_CLANG_INLINE __attribute__((always_inline))
#else
#define SMTPP_CLANG_INLINE
#endif

/// Keeps a general loop out of line so that the fast path inlined into a caller keeps its
/// registers.
#if SMTPP_GNU_LIKE
#define SMTPP_NOINLINE __attribute__((noinline))
#elif defined(_MSC_VER)
#define SMTPP_NOINLINE __declspec(noinline)
#else
#define SMTPP_NOINLINE
#endif

/// Whether the compiler can tell constant evaluation from run time in C++17 (the
/// run-time-only paths below need it; without it, the plain twins always run).
#if SMTPP_CLANG || SMTPP_GCC >= 9 || (defined(_MSC_VER) && _MSC_VER >= 1925)
#define SMTPP_HAS_CONSTANT_EVALUATION_CHECK 1
#else
#define SMTPP_HAS_CONSTANT_EVALUATION_CHECK 0
#endif

// ------------------------------------------------------------------------------------------
// CPU: byte order and vector instructions
// ------------------------------------------------------------------------------------------

#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SMTPP_LITTLE_ENDIAN 1
#elif !defined(__BYTE_ORDER__) && defined(_MSC_VER)
#define SMTPP_LITTLE_ENDIAN 1  // every MSVC target is little-endian
#else
#define SMTPP_LITTLE_ENDIAN 0  // big-endian, or unknown: the byte loops run
#endif
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define SMTPP_BIG_ENDIAN 1
#else
#define SMTPP_BIG_ENDIAN 0
#endif

/// One unaligned machine load may replace a loop that packs octets little-endian.
#define SMTPP_WORD_LOADS (SMTPP_LITTLE_ENDIAN && SMTPP_HAS_CONSTANT_EVALUATION_CHECK)

/// SSE2: the x86-64 baseline, and 32-bit x86 built with -msse2 (or /arch:SSE2).
#if !defined(SMTPP_NO_SIMD) && SMTPP_HAS_CONSTANT_EVALUATION_CHECK && \
    (defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2))
#define SMTPP_SIMD_SSE2 1
#include <emmintrin.h>
#else
#define SMTPP_SIMD_SSE2 0
#endif

namespace smtpp::detail {

/// True during constant evaluation; where the compiler cannot tell, always true, so that
/// the plain twins run.
constexpr bool in_constant_evaluation() noexcept {
#if SMTPP_HAS_CONSTANT_EVALUATION_CHECK
    return __builtin_is_constant_evaluated();
#else
    return true;
#endif
}

// ------------------------------------------------------------------------------------------
// Bits
// ------------------------------------------------------------------------------------------

/// The plain twin of ctz64: binary search over halves.
constexpr unsigned ctz64_plain(std::uint64_t v) noexcept {
    unsigned n = 0;
    if ((v & 0xFFFFFFFFu) == 0) {
        n += 32;
        v >>= 32;
    }
    if ((v & 0xFFFFu) == 0) {
        n += 16;
        v >>= 16;
    }
    if ((v & 0xFFu) == 0) {
        n += 8;
        v >>= 8;
    }
    if ((v & 0xFu) == 0) {
        n += 4;
        v >>= 4;
    }
    if ((v & 0x3u) == 0) {
        n += 2;
        v >>= 2;
    }
    if ((v & 0x1u) == 0) n += 1;
    return n;
}

/// The number of trailing zero bits of `v`. @pre v != 0.
constexpr unsigned ctz64(std::uint64_t v) noexcept {
#if SMTPP_GNU_LIKE
    return static_cast<unsigned>(__builtin_ctzll(v));
#else
    return ctz64_plain(v);
#endif
}

/// The plain twin of top_bit64.
constexpr unsigned top_bit64_plain(std::uint64_t v) noexcept {
    unsigned n = 0;
    if (v >> 32) {
        n += 32;
        v >>= 32;
    }
    if (v >> 16) {
        n += 16;
        v >>= 16;
    }
    if (v >> 8) {
        n += 8;
        v >>= 8;
    }
    if (v >> 4) {
        n += 4;
        v >>= 4;
    }
    if (v >> 2) {
        n += 2;
        v >>= 2;
    }
    if (v >> 1) n += 1;
    return n;
}

/// The index of the highest set bit of `v`. @pre v != 0.
constexpr unsigned top_bit64(std::uint64_t v) noexcept {
#if SMTPP_GNU_LIKE
    return 63u - static_cast<unsigned>(__builtin_clzll(v));
#else
    return top_bit64_plain(v);
#endif
}

/// `x`, hidden from the optimiser (it must hold it in a register as it is, and cannot
/// assume anything of it). Elsewhere simply `x`.
template <class T>
SMTPP_HOT_INLINE T opaque(T x) noexcept {
#if SMTPP_GNU_LIKE
    __asm__("" : "+r"(x));
#endif
    return x;
}

/// `opaque(x)` under GCC, `x` elsewhere: for a barrier that saves GCC an instruction and
/// costs clang one (command.hpp's `run_end`).
template <class T>
SMTPP_HOT_INLINE T opaque_for_gcc(T x) noexcept {
#if SMTPP_GCC
    __asm__("" : "+r"(x));
#endif
    return x;
}

// ------------------------------------------------------------------------------------------
// Memory
// ------------------------------------------------------------------------------------------

/// Copies `n` octets: one in place, more through `std::memcpy` at run time, the octet loop
/// in constant evaluation. (Compilers may turn a plain octet loop into `rep movs`, slow to
/// start for the short pieces of a line or reply read in small reads.)
constexpr void copy_bytes(char* dst, const char* src, std::size_t n) noexcept {
    if (n <= 1) {  // a reply or line fed octet by octet: no call
        if (n == 1) *dst = *src;
        return;
    }
    if (in_constant_evaluation()) {
        for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
    } else {
        std::memcpy(dst, src, n);
    }
}

/// Eight octets at `p` as one native word (little-endian where SMTPP_WORD_LOADS). Run time
/// only: constant evaluation takes the callers' byte loops.
inline std::uint64_t load_word64(const char* p) noexcept {
    std::uint64_t v = 0;
    std::memcpy(&v, p, sizeof v);
    return v;
}

#if SMTPP_SIMD_SSE2 && SMTPP_CLANG
template <std::size_t... I>
SMTPP_HOT_INLINE void zero_words16(char* p, std::index_sequence<I...>) noexcept {
    // The zero is hidden from clang, which would merge known-zero stores into a call of
    // the library's memset.
    __m128i z = _mm_setzero_si128();
    __asm__("" : "+x"(z));
    (_mm_storeu_si128(reinterpret_cast<__m128i*>(p + 16 * I), z), ...);
}
#elif SMTPP_GNU_LIKE
template <std::size_t... I>
SMTPP_HOT_INLINE void zero_chunks64(char* p, std::index_sequence<I...>) noexcept {
    (__builtin_memset(p + 64 * I, 0, 64), ...);
}
#endif

/**
 * Sets every octet of `x` to zero, in ascending stores of at most 64 octets. For the
 * resets of the larger results (`clear(command)`, `ehlo_capabilities`), whose value
 * initialisation compilers turn into `rep stos` (GCC) or a library call, slow to start for
 * objects of a few hundred octets. The plain twin is `std::memset`. Callers use it only
 * for trivially copyable types whose all-zero octets are their value-initialised state
 * (tests compare the two).
 */
template <class T>
SMTPP_HOT_INLINE void zero_object(T& x) noexcept {
    static_assert(std::is_trivially_copyable<T>::value, "zero_object: trivially copyable types only");
    char* const p = reinterpret_cast<char*>(&x);
#if SMTPP_SIMD_SSE2 && SMTPP_CLANG
    zero_words16(p, std::make_index_sequence<sizeof(T) / 16>{});
    std::memset(p + sizeof(T) / 16 * 16, 0, sizeof(T) % 16);
#elif SMTPP_GNU_LIKE
    zero_chunks64(p, std::make_index_sequence<sizeof(T) / 64>{});
    __builtin_memset(p + sizeof(T) / 64 * 64, 0, sizeof(T) % 64);
#else
    std::memset(p, 0, sizeof(T));
#endif
}

/// Sixteen octets at `p`: `lo`'s representation, then `hi`'s, in one 16-octet store where
/// SSE2 has one. The plain twin is two `memcpy`s.
SMTPP_HOT_INLINE void store_words128(char* p, std::uint64_t lo, std::uint64_t hi) noexcept {
#if SMTPP_SIMD_SSE2
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p),
                     _mm_set_epi64x(static_cast<long long>(hi), static_cast<long long>(lo)));
#else
    std::memcpy(p, &lo, sizeof lo);
    std::memcpy(p + 8, &hi, sizeof hi);
#endif
}

/**
 * Whether a result is worth rewriting in whole 16-octet words before the host copies it
 * (`detail::sealed`). A transition writes its result field by field, in stores of one to
 * eight octets; the host's copy of it (`st = r.next`, `r = resolve(...)`) reads it back in
 * 16-octet loads, and on x86 a load that spans several smaller stores is not forwarded
 * from the store buffer: it waits for them to reach the cache, on every command's
 * critical path. Measured on x86-64 under GCC and clang; elsewhere a result is copied as
 * it is. Needs a known byte order (`word_image`).
 */
#if SMTPP_SIMD_SSE2 && SMTPP_GNU_LIKE && SMTPP_LITTLE_ENDIAN
#define SMTPP_SEAL_RESULTS 1
#else
#define SMTPP_SEAL_RESULTS 0
#endif

/// The unsigned integer of `N` octets.
template <std::size_t N>
struct uint_of;
template <>
struct uint_of<1> {
    using type = std::uint8_t;
};
template <>
struct uint_of<2> {
    using type = std::uint16_t;
};
template <>
struct uint_of<4> {
    using type = std::uint32_t;
};
template <>
struct uint_of<8> {
    using type = std::uint64_t;
};

/// Whether `word_image` can compose words on this target (its byte order is known).
inline constexpr bool word_image_available = SMTPP_LITTLE_ENDIAN || SMTPP_BIG_ENDIAN;

/**
 * The octets of an object of `Size` octets, composed in registers as 64-bit words in
 * memory order from its fields read one at a time (`put`), then written back whole
 * (`store`): 16-octet stores, and the tail in one `memcpy`. Each field is read with a load
 * of its own size, which the store that wrote it forwards; each value passes through
 * `opaque` so that the compiler cannot merge neighbouring field loads back into one wide
 * load. Offsets come from `offsetof`, the shift from the byte order, so any layout works;
 * padding octets are written as zero. Run time only.
 */
template <std::size_t Size>
struct word_image {
    static constexpr std::size_t words = (Size + 7) / 8;
    std::uint64_t w[words] = {};

    /// Adds the field `v` (trivially copyable) that sits at octet `off` of the object: one
    /// load per naturally aligned piece of it (a `string_view` is two), split into octets
    /// where a piece straddles two words (an eight-octet field at a four-octet offset).
    template <class V>
    SMTPP_HOT_INLINE void put(std::size_t off, const V& v) noexcept {
        static_assert(std::is_trivially_copyable<V>::value, "word_image: trivially copyable fields only");
        constexpr std::size_t piece = alignof(V) < 8 ? alignof(V) : 8;
        static_assert(sizeof(V) % piece == 0, "word_image: a field is whole pieces");
        const char* const src = reinterpret_cast<const char*>(&v);
        for (std::size_t i = 0; i < sizeof(V); i += piece) put_piece<piece>(off + i, src + i);
    }

    /// Writes the image over the object at `p`.
    SMTPP_HOT_INLINE void store(char* p) const noexcept { store_pairs(p, std::make_index_sequence<Size / 16>{}); }

private:
    template <std::size_t N>
    SMTPP_HOT_INLINE void put_piece(std::size_t off, const char* src) noexcept {
        const std::size_t at = off % 8;
        // Only a piece of two octets or more can straddle two words; testing N first keeps
        // put_piece<1> from naming itself, which GCC refuses to force-inline (-O0, -O1).
        if constexpr (N > 1) {
            if (at + N > 8) {  // straddles two words: octet by octet
                for (std::size_t i = 0; i < N; ++i) put_piece<1>(off + i, src + i);
                return;
            }
        }
        typename uint_of<N>::type u = 0;
        std::memcpy(&u, src, N);
        const std::uint64_t x = opaque(std::uint64_t{u});
        w[off / 8] |= SMTPP_LITTLE_ENDIAN ? x << (8 * at) : x << (8 * (8 - at - N));
    }

    template <std::size_t... I>
    SMTPP_HOT_INLINE void store_pairs(char* p, std::index_sequence<I...>) const noexcept {
        (store_words128(p + 16 * I, w[2 * I], w[2 * I + 1]), ...);
        // The words hold the octets in memory order, so the tail is their first octets.
        if constexpr (Size % 16 != 0) std::memcpy(p + 16 * (Size / 16), &w[2 * (Size / 16)], Size % 16);
    }
};

// ------------------------------------------------------------------------------------------
// Sixteen-octet vectors (SSE2). Callers keep a plain twin of every kernel built on these.
// ------------------------------------------------------------------------------------------

#if SMTPP_SIMD_SSE2
using v16 = __m128i;
SMTPP_HOT_INLINE v16 v16_load(const char* p) noexcept { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
SMTPP_HOT_INLINE v16 v16_splat(char c) noexcept { return _mm_set1_epi8(c); }
SMTPP_HOT_INLINE v16 v16_zero() noexcept { return _mm_setzero_si128(); }
SMTPP_HOT_INLINE v16 v16_eq(v16 a, v16 b) noexcept { return _mm_cmpeq_epi8(a, b); }
/// Signed octet compare a > b.
SMTPP_HOT_INLINE v16 v16_gt(v16 a, v16 b) noexcept { return _mm_cmpgt_epi8(a, b); }
SMTPP_HOT_INLINE v16 v16_add(v16 a, v16 b) noexcept { return _mm_add_epi8(a, b); }
SMTPP_HOT_INLINE v16 v16_or(v16 a, v16 b) noexcept { return _mm_or_si128(a, b); }
SMTPP_HOT_INLINE v16 v16_and(v16 a, v16 b) noexcept { return _mm_and_si128(a, b); }
SMTPP_HOT_INLINE v16 v16_xor(v16 a, v16 b) noexcept { return _mm_xor_si128(a, b); }
/// The high bit of each octet, octet i as bit i.
SMTPP_HOT_INLINE unsigned v16_mask(v16 a) noexcept { return static_cast<unsigned>(_mm_movemask_epi8(a)); }
/// `a` moved up one octet, `first` in octet 0 (what the octet before each one was).
SMTPP_HOT_INLINE v16 v16_shift_in(v16 a, char first) noexcept {
    return _mm_or_si128(_mm_slli_si128(a, 1), _mm_cvtsi32_si128(static_cast<unsigned char>(first)));
}
#endif

}  // namespace smtpp::detail

#endif  // the C++ part
