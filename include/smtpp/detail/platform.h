/*
 * smtpp/detail/platform.h: the C API's share of the portability layer (the C++ one is
 * detail/platform.hpp). Symbol export and 16-octet alignment are compiler-specific in C,
 * and a C header cannot include the C++ layer, so the two macros smtpp.h needs live here
 * and nowhere else. Not part of the API: include <smtpp/smtpp.h>.
 */
#ifndef SMTPP_DETAIL_PLATFORM_H
#define SMTPP_DETAIL_PLATFORM_H

/** @cond SMTPP_INTERNAL */
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
#elif defined(__GNUC__) || defined(__clang__)
#define SMTPP_API __attribute__((visibility("default")))
#else
#define SMTPP_API
#endif

#if defined(__cplusplus)
#define SMTPP_ALIGN16 alignas(16)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define SMTPP_ALIGN16 _Alignas(16)
#elif defined(__GNUC__) || defined(__clang__)
#define SMTPP_ALIGN16 __attribute__((aligned(16)))
#elif defined(_MSC_VER)
#define SMTPP_ALIGN16 __declspec(align(16))
#else
#define SMTPP_ALIGN16 /* C99 without extensions: misaligned storage gives SMTPP_E_ALIGNMENT */
#endif
/** @endcond */

#endif /* SMTPP_DETAIL_PLATFORM_H */
