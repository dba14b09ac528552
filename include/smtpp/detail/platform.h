/*
 * smtpp/detail/platform.h: the base of the portability layer, in C. It names the compiler
 * once (SMTPP_GNU_LIKE) and defines the two macros the C API needs (symbol export, 16-octet
 * alignment); detail/platform.hpp includes it and builds the C++ layer on it, so each
 * compiler test is written in one place for both languages. Not part of the API: include
 * <smtpp/smtpp.h> or <smtpp/smtpp.hpp>.
 */
#ifndef SMTPP_DETAIL_PLATFORM_H
#define SMTPP_DETAIL_PLATFORM_H

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

#endif /* SMTPP_DETAIL_PLATFORM_H */
