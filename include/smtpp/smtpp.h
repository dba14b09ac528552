/**
 * @file smtpp.h
 * @brief The C API of smtpp: the server session, the command parser, the line reader, the
 *        DATA/BDAT body decoders, the reply reader, EHLO parsing and the client session, for
 *        C99/C11 hosts. Link `-lsmtpp_c`
 *        (`pkg-config --cflags --libs smtpp-c`).
 *
 * Shape: every stateful object lives in storage the caller owns (a typed struct below, or
 * any buffer of at least its `SMTPP_*_SIZE` octets aligned to `SMTPP_*_ALIGN`), is set up by
 * its `*_init` function and needs no teardown. Nothing allocates, nothing calls back,
 * nothing does I/O. Every function that can fail returns an ::smtpp_error; `SMTPP_OK` (0)
 * is success and smtpp_strerror() names every other value. A NULL pointer, storage that
 * is too small or misaligned, or an object that was never initialised is reported
 * (`SMTPP_E_NULL`, `SMTPP_E_STORAGE`, `SMTPP_E_ALIGNMENT`, `SMTPP_E_UNINITIALIZED`), never
 * undefined behaviour.
 *
 * Views (::smtpp_view) point into memory owned by someone else: into the caller's input
 * (a line, a command), into a line reader's buffer (valid until the next call on that
 * reader), or into the policy (replies; valid while the policy lives).
 *
 * ABI note: the library is at version 0.x; until 1.0 any minor version may change the
 * storage sizes, struct layouts and enum values, so rebuild hosts against the new header.
 * Within one version: enum values are append-only; the `SMTPP_*_SIZE` constants are upper
 * bounds with headroom checked at compile time against the C++ objects, so they change
 * only when a C++ object outgrows them. The opaque objects hold no pointer into
 * themselves: memcpy to storage of the same alignment makes a valid copy (a copied line
 * reader shares its caller's buffer; a copied command's views still point into the line
 * it was parsed from; a session is plain state, copy it freely). The shared library
 * exports only `smtpp_*` symbols; new functions may be added in any version, existing
 * ones keep their signatures within a minor version.
 */
#ifndef SMTPP_H
#define SMTPP_H

#include <stddef.h>
#include <stdint.h>

#define SMTPP_C_VERSION_MAJOR 0 /**< major version of the C API (and of the library) */
#define SMTPP_C_VERSION_MINOR 1 /**< minor version */
#define SMTPP_C_VERSION_PATCH 0 /**< patch version */
/** The version as one number: major * 10000 + minor * 100 + patch. */
#define SMTPP_C_VERSION_NUMBER (SMTPP_C_VERSION_MAJOR * 10000 + SMTPP_C_VERSION_MINOR * 100 + SMTPP_C_VERSION_PATCH)

/** @cond SMTPP_INTERNAL */
/* The C part of the portability layer only (compiler test, SMTPP_API, SMTPP_ALIGN16). */
#define SMTPP_PLATFORM_C_ONLY
#include "detail/platform.hpp"
#undef SMTPP_PLATFORM_C_ONLY
/** @endcond */

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------- */
/** @name Storage sizes and alignments
 * Upper bounds for this target (they scale with the pointer size, so they are right on
 * 32- and 64-bit targets alike); the implementation checks them at compile time.
 * @{ */
#define SMTPP_POLICY_SIZE (2048 + 48 * sizeof(void *))    /**< octets of an ::smtpp_policy */
#define SMTPP_POLICY_ALIGN 8                              /**< alignment of an ::smtpp_policy */
#define SMTPP_SESSION_SIZE 64                             /**< octets of an ::smtpp_session */
#define SMTPP_SESSION_ALIGN 8                             /**< alignment of an ::smtpp_session */
#define SMTPP_COMMAND_SIZE (96 + 48 * sizeof(void *))     /**< octets of an ::smtpp_command */
#define SMTPP_COMMAND_ALIGN 16                            /**< alignment of an ::smtpp_command */
#define SMTPP_LINE_READER_SIZE (64 + 8 * sizeof(void *))  /**< octets of an ::smtpp_line_reader (without its buffer) */
#define SMTPP_LINE_READER_ALIGN 8                         /**< alignment of an ::smtpp_line_reader */
#define SMTPP_DATA_DECODER_SIZE (64 + 8 * sizeof(void *)) /**< octets of an ::smtpp_data_decoder */
#define SMTPP_DATA_DECODER_ALIGN 8                        /**< alignment of an ::smtpp_data_decoder */
#define SMTPP_BDAT_DECODER_SIZE (64 + 8 * sizeof(void *)) /**< octets of an ::smtpp_bdat_decoder */
#define SMTPP_BDAT_DECODER_ALIGN 8                        /**< alignment of an ::smtpp_bdat_decoder */
#define SMTPP_REPLY_READER_SIZE 704 /**< octets of an ::smtpp_reply_reader (its 512-octet line buffer included) */
#define SMTPP_REPLY_READER_ALIGN 8  /**< alignment of an ::smtpp_reply_reader */
#define SMTPP_EHLO_SIZE (192 + 96 * sizeof(void *))            /**< octets of an ::smtpp_ehlo */
#define SMTPP_EHLO_ALIGN 8                                     /**< alignment of an ::smtpp_ehlo */
#define SMTPP_REPLY_COLLECTOR_SIZE (192 + 96 * sizeof(void *)) /**< octets of an ::smtpp_reply_collector */
#define SMTPP_REPLY_COLLECTOR_ALIGN 8                          /**< alignment of an ::smtpp_reply_collector */
#define SMTPP_CLIENT_SIZE 96                                   /**< octets of an ::smtpp_client */
#define SMTPP_CLIENT_ALIGN 8                                   /**< alignment of an ::smtpp_client */
/** @} */

/** @cond SMTPP_INTERNAL */
typedef union smtpp_align_ {
    uint64_t u64;
    double d;
    void *p;
    unsigned char c;
} smtpp_align_;
/** @endcond */

/** A validated, pre-rendered server policy (C++ `smtpp::policy`). Read-only once built; share it between sessions. */
typedef struct smtpp_policy {
    union {
        unsigned char bytes[SMTPP_POLICY_SIZE];
        smtpp_align_ align;
    } opaque; /**< do not touch */
} smtpp_policy;
/** The state of one server session (C++ `smtpp::session_state`): plain data, copyable with memcpy. */
typedef struct smtpp_session {
    union {
        unsigned char bytes[SMTPP_SESSION_SIZE];
        smtpp_align_ align;
    } opaque; /**< do not touch */
} smtpp_session;
/** A parsed command (C++ `smtpp::command`); read it with smtpp_command_fields(). Its views point into the parsed line. */
typedef struct smtpp_command {
    SMTPP_ALIGN16 union {
        unsigned char bytes[SMTPP_COMMAND_SIZE];
        smtpp_align_ align;
    } opaque; /**< do not touch */
} smtpp_command;
/** A CRLF line reader over a buffer the caller provides (C++ `smtpp::basic_line_reader`). */
typedef struct smtpp_line_reader {
    union {
        unsigned char bytes[SMTPP_LINE_READER_SIZE];
        smtpp_align_ align;
    } opaque; /**< do not touch */
} smtpp_line_reader;
/** The DATA body decoder (C++ `smtpp::data_decoder`): dot-unstuffing, end of data, bare CR/LF checks. */
typedef struct smtpp_data_decoder {
    union {
        unsigned char bytes[SMTPP_DATA_DECODER_SIZE];
        smtpp_align_ align;
    } opaque; /**< do not touch */
} smtpp_data_decoder;
/** The BDAT chunk decoder (C++ `smtpp::bdat_decoder`), RFC 3030. */
typedef struct smtpp_bdat_decoder {
    union {
        unsigned char bytes[SMTPP_BDAT_DECODER_SIZE];
        smtpp_align_ align;
    } opaque; /**< do not touch */
} smtpp_bdat_decoder;
/** The incremental reply reader (C++ `smtpp::reply_reader`), RFC 5321 §4.2; holds its own 512-octet line buffer. */
typedef struct smtpp_reply_reader {
    union {
        unsigned char bytes[SMTPP_REPLY_READER_SIZE];
        smtpp_align_ align;
    } opaque; /**< do not touch */
} smtpp_reply_reader;
/** The capabilities of an EHLO/LHLO reply (C++ `smtpp::ehlo_capabilities`); read them with smtpp_ehlo_fields_of(). Its views point into the reply bytes. */
typedef struct smtpp_ehlo {
    union {
        unsigned char bytes[SMTPP_EHLO_SIZE];
        smtpp_align_ align;
    } opaque; /**< do not touch */
} smtpp_ehlo;
/** Sums the lines of one reply up for the client session (C++ `smtpp::reply_collector`); holds no views. */
typedef struct smtpp_reply_collector {
    union {
        unsigned char bytes[SMTPP_REPLY_COLLECTOR_SIZE];
        smtpp_align_ align;
    } opaque; /**< do not touch */
} smtpp_reply_collector;
/** The state of one client session (C++ `smtpp::client_state`): plain data, copyable with memcpy. */
typedef struct smtpp_client {
    union {
        unsigned char bytes[SMTPP_CLIENT_SIZE];
        smtpp_align_ align;
    } opaque; /**< do not touch */
} smtpp_client;

/* ---------------------------------------------------------------------------------------- */
/** Errors of the C API itself. Append-only. */
typedef enum smtpp_error {
    SMTPP_OK = 0,              /**< success */
    SMTPP_E_NULL = 1,          /**< a required pointer is NULL (or a view has NULL data and a non-zero length) */
    SMTPP_E_STORAGE = 2,       /**< the storage size passed is smaller than the object's `SMTPP_*_SIZE` */
    SMTPP_E_ALIGNMENT = 3,     /**< the storage is not aligned to the object's `SMTPP_*_ALIGN` */
    SMTPP_E_UNINITIALIZED = 4, /**< the object was not set up by its `*_init` function */
    SMTPP_E_ARGUMENT = 5,      /**< an enum argument is out of range */
    SMTPP_E_POLICY = 6,        /**< the policy options are invalid; see smtpp_policy_error() */
    SMTPP_E_COMMAND = 7,       /**< smtpp_parse_command(): the line is not a valid command (the reason is in `*why`) */
    SMTPP_E_BUFFER = 8,        /**< a caller buffer is too small (line reader buffer of 0 octets) */
    SMTPP_ERROR_FORCE_INT_MIN_ =
        -0x7FFFFFFF -
        1, /**< not a value: with the next, makes every int a valid value of the type in C++ too, so range checks of bad arguments stay defined */
    SMTPP_ERROR_FORCE_INT_MAX_ = 0x7FFFFFFF /**< not a value */
} smtpp_error;

/** A read-only view of octets owned elsewhere (not NUL-terminated). `ptr` may be NULL when `len` is 0. */
typedef struct smtpp_view {
    const char *ptr; /**< first octet */
    size_t len;      /**< number of octets */
} smtpp_view;

/** The reply an error maps to (C++ `smtpp::reply_hint`): basic code (RFC 5321 §4.2), enhanced code (RFC 3463), text without CR/LF. */
typedef struct smtpp_reply_hint {
    uint16_t code;        /**< basic reply code, 0 when none */
    uint8_t esc_class;    /**< enhanced code class (2, 4, 5), 0 when none */
    uint16_t esc_subject; /**< enhanced code subject */
    uint16_t esc_detail;  /**< enhanced code detail */
    smtpp_view text;      /**< short text (static storage) */
} smtpp_reply_hint;

/* ---------------------------------------------------------------------------------------- */
/** @name Enumerations mirroring the C++ core (values identical, append-only)
 * @{ */

/** @brief See the C++ `smtpp::verb`. Values match it one to one. */
typedef enum smtpp_verb {
    SMTPP_VERB_UNKNOWN = 0,   /**< anything else; `command::verb_text` holds what was sent */
    SMTPP_VERB_HELO = 1,      /**< RFC 5321 §4.1.1.1 */
    SMTPP_VERB_EHLO = 2,      /**< RFC 5321 §4.1.1.1 */
    SMTPP_VERB_LHLO = 3,      /**< RFC 2033 §4.1 */
    SMTPP_VERB_MAIL = 4,      /**< RFC 5321 §4.1.1.2 */
    SMTPP_VERB_RCPT = 5,      /**< RFC 5321 §4.1.1.3 */
    SMTPP_VERB_DATA = 6,      /**< RFC 5321 §4.1.1.4 */
    SMTPP_VERB_BDAT = 7,      /**< RFC 3030 §2 */
    SMTPP_VERB_RSET = 8,      /**< RFC 5321 §4.1.1.5 */
    SMTPP_VERB_VRFY = 9,      /**< RFC 5321 §4.1.1.6 */
    SMTPP_VERB_EXPN = 10,     /**< RFC 5321 §4.1.1.7 */
    SMTPP_VERB_HELP = 11,     /**< RFC 5321 §4.1.1.8 */
    SMTPP_VERB_NOOP = 12,     /**< RFC 5321 §4.1.1.9 */
    SMTPP_VERB_QUIT = 13,     /**< RFC 5321 §4.1.1.10 */
    SMTPP_VERB_STARTTLS = 14, /**< RFC 3207 §4 */
    SMTPP_VERB_AUTH = 15,     /**< RFC 4954 §4 */
    SMTPP_VERB_ETRN = 16,     /**< RFC 1985 §3 */
    SMTPP_VERB_FORCE_INT_MIN_ =
        -0x7FFFFFFF -
        1, /**< not a value: with the next, makes every int a valid value of the type in C++ too, so range checks of bad arguments stay defined */
    SMTPP_VERB_FORCE_INT_MAX_ = 0x7FFFFFFF /**< not a value */
} smtpp_verb;

/** @brief See the C++ `smtpp::command_error`. Values match it one to one. */
typedef enum smtpp_command_error {
    SMTPP_CMD_NONE = 0,                   /**< none */
    SMTPP_CMD_LINE_TOO_LONG = 1,          /**< over `max_line` (RFC 5321 §4.5.3.1.4) → 500 5.5.2 */
    SMTPP_CMD_MISSING_CRLF = 2,           /**< the line does not end in CRLF (§2.3.8) → 500 5.5.2 */
    SMTPP_CMD_BARE_LF = 3,                /**< LF without CR (§2.3.8; SMTP smuggling) → 500 5.5.2 */
    SMTPP_CMD_BARE_CR = 4,                /**< CR without LF (§2.3.8) → 500 5.5.2 */
    SMTPP_CMD_NUL = 5,                    /**< NUL byte → 501 5.5.2 */
    SMTPP_CMD_INVALID_CHARACTER = 6,      /**< control or 8-bit byte where none may stand (§4.1.2) → 501 5.5.2 */
    SMTPP_CMD_EMPTY_LINE = 7,             /**< nothing before the CRLF → 500 5.5.2 */
    SMTPP_CMD_UNKNOWN_VERB = 8,           /**< not a command smtpp knows (§4.2.4) → 500 5.5.1 */
    SMTPP_CMD_SYNTAX = 9,                 /**< the command's own syntax (e.g. "MAIL TO:") → 501 5.5.2 */
    SMTPP_CMD_UNEXPECTED_ARGUMENT = 10,   /**< argument on RSET/DATA/QUIT/STARTTLS (§4.1.1) → 501 5.5.4 */
    SMTPP_CMD_MISSING_ARGUMENT = 11,      /**< EHLO/HELO/VRFY/... without argument → 501 5.5.4 */
    SMTPP_CMD_BAD_DOMAIN = 12,            /**< EHLO/HELO/LHLO/ETRN argument is not a domain → 501 5.5.2 */
    SMTPP_CMD_BAD_REVERSE_PATH = 13,      /**< MAIL path syntax (§4.1.2) → 501 5.1.7 */
    SMTPP_CMD_BAD_FORWARD_PATH = 14,      /**< RCPT path syntax (§4.1.2) → 501 5.1.3 */
    SMTPP_CMD_REVERSE_PATH_TOO_LONG = 15, /**< local part > 64, domain > 255 or path > 256 (§4.5.3.1) → 501 5.1.7 */
    SMTPP_CMD_FORWARD_PATH_TOO_LONG = 16, /**< same limits on RCPT → 501 5.1.3 */
    SMTPP_CMD_NULL_FORWARD_PATH = 17,     /**< "RCPT TO:<>" → 501 5.1.3 */
    SMTPP_CMD_NON_ASCII_SENDER = 18,      /**< UTF-8 sender without SMTPUTF8 (RFC 6531 §3.5) → 550 5.6.7 */
    SMTPP_CMD_NON_ASCII_RECIPIENT = 19,   /**< UTF-8 recipient without SMTPUTF8 (RFC 6531 §3.5) → 553 5.6.7 */
    SMTPP_CMD_INVALID_UTF8 = 20,          /**< malformed UTF-8 (RFC 3629; overlong, surrogate...) → 501 5.5.2 */
    SMTPP_CMD_PARAM_SYNTAX = 21,          /**< esmtp-param grammar (§4.1.2) → 501 5.5.4 */
    SMTPP_CMD_DUPLICATE_PARAM = 22,       /**< the same keyword twice → 501 5.5.4 */
    SMTPP_CMD_BAD_SIZE = 23,              /**< SIZE= not 1*20DIGIT (RFC 1870 §6) → 501 5.5.4 */
    SMTPP_CMD_SIZE_OVERFLOW = 24,         /**< SIZE= above 2^64-1: never wraps → 552 5.3.4 */
    SMTPP_CMD_BAD_BODY = 25,              /**< BODY= not 7BIT/8BITMIME/BINARYMIME (RFC 6152, 3030) → 501 5.5.4 */
    SMTPP_CMD_BAD_SMTPUTF8 = 26,          /**< SMTPUTF8 with a value (RFC 6531 §3.4) → 501 5.5.4 */
    SMTPP_CMD_BAD_RET = 27,               /**< RET= not FULL/HDRS (RFC 3461 §4.3) → 501 5.5.4 */
    SMTPP_CMD_BAD_ENVID = 28,             /**< ENVID= bad xtext or > 100 chars (RFC 3461 §4.4) → 501 5.5.4 */
    SMTPP_CMD_BAD_NOTIFY = 29,            /**< NOTIFY= (RFC 3461 §4.1) → 501 5.5.4 */
    SMTPP_CMD_BAD_ORCPT = 30,             /**< ORCPT= (RFC 3461 §4.2, RFC 6533 §3) → 501 5.5.4 */
    SMTPP_CMD_BAD_AUTH_PARAM = 31,        /**< AUTH= on MAIL (RFC 4954 §5) → 501 5.5.4 */
    SMTPP_CMD_BAD_REQUIRETLS = 32,        /**< REQUIRETLS with a value (RFC 8689 §4.1) → 501 5.5.4 */
    SMTPP_CMD_BAD_MT_PRIORITY = 33,       /**< MT-PRIORITY= not -9..9 (RFC 6710 §3) → 501 5.5.4 */
    SMTPP_CMD_BAD_HOLDFOR = 34,           /**< HOLDFOR= not 1*9DIGIT (RFC 4865 §4) → 501 5.5.4 */
    SMTPP_CMD_BAD_HOLDUNTIL = 35,         /**< HOLDUNTIL= not an RFC 3339 date-time (RFC 4865 §4) → 501 5.5.4 */
    SMTPP_CMD_BAD_BY = 36,                /**< BY= (RFC 2852 §4) → 501 5.5.4 */
    SMTPP_CMD_BAD_RRVS = 37,              /**< RRVS= (RFC 7293 §3) → 501 5.5.4 */
    SMTPP_CMD_XTEXT_CONTROL = 38,       /**< xtext decodes to a control or 8-bit byte (CVE-2020-28021) → 501 5.5.4 */
    SMTPP_CMD_BAD_CHUNK_SIZE = 39,      /**< BDAT size or LAST syntax (RFC 3030 §2) → 501 5.5.4 */
    SMTPP_CMD_CHUNK_SIZE_OVERFLOW = 40, /**< BDAT size above 2^64-1: never wraps → 552 5.3.4 */
    SMTPP_CMD_BAD_MECHANISM = 41,       /**< AUTH mechanism name (RFC 4422 §3.1) → 501 5.5.4 */
    SMTPP_CMD_BAD_BASE64 = 42,          /**< AUTH initial response is not base64 (RFC 4954 §4) → 501 5.5.2 */
    SMTPP_CMD_CONFLICTING_PARAMS = 43,  /**< HOLDFOR with HOLDUNTIL (RFC 4865 §4) → 501 5.5.4 */
    SMTPP_CMD_UNKNOWN_PARAM = 44,       /**< not produced by the parser: for the session's 555 (§4.1.1.11) */
    SMTPP_CMD_AUTH_LINE_TOO_LONG = 45,  /**< AUTH line over `max_auth_line` (RFC 4954 §4) → 500 5.5.6 */
    SMTPP_CMD_BAD_MTRK = 46,            /**< MTRK= not base64 [":" 1*9DIGIT] (RFC 3885 §4) → 501 5.5.4 */
    SMTPP_CMD_BAD_SOLICIT = 47,         /**< SOLICIT= not a solicitation keyword list (RFC 3865 §2.2) → 501 5.5.4 */
    SMTPP_COMMAND_ERROR_FORCE_INT_MIN_ =
        -0x7FFFFFFF -
        1, /**< not a value: with the next, makes every int a valid value of the type in C++ too, so range checks of bad arguments stay defined */
    SMTPP_COMMAND_ERROR_FORCE_INT_MAX_ = 0x7FFFFFFF /**< not a value */
} smtpp_command_error;

/** @brief See the C++ `smtpp::line_error`. Values match it one to one. */
typedef enum smtpp_line_error {
    SMTPP_LINE_NONE = 0,     /**< none */
    SMTPP_LINE_TOO_LONG = 1, /**< longer than the limit (CRLF included), RFC 5321 §4.5.3.1.4 */
    SMTPP_LINE_BARE_LF = 2,  /**< LF not preceded by CR, RFC 5321 §2.3.8 / §4.1.1.4 */
    SMTPP_LINE_BARE_CR = 3,  /**< CR not followed by LF, RFC 5321 §2.3.8 */
    SMTPP_LINE_NUL = 4,      /**< a NUL octet in the line */
    SMTPP_LINE_ERROR_FORCE_INT_MIN_ =
        -0x7FFFFFFF -
        1, /**< not a value: with the next, makes every int a valid value of the type in C++ too, so range checks of bad arguments stay defined */
    SMTPP_LINE_ERROR_FORCE_INT_MAX_ = 0x7FFFFFFF /**< not a value */
} smtpp_line_error;

/** @brief See the C++ `smtpp::data_error`. Values match it one to one. */
typedef enum smtpp_data_error {
    SMTPP_DATA_NONE = 0,          /**< none */
    SMTPP_DATA_BARE_LF = 1,       /**< LF not preceded by CR (RFC 5321 §2.3.8, §4.1.1.4) */
    SMTPP_DATA_BARE_CR = 2,       /**< CR not followed by LF (RFC 5321 §2.3.8) */
    SMTPP_DATA_TOO_BIG = 3,       /**< more than the SIZE limit (RFC 1870) */
    SMTPP_DATA_LINE_TOO_LONG = 4, /**< a text line over the limit (RFC 5321 §4.5.3.1.6) */
    SMTPP_DATA_NUL = 5,           /**< a NUL octet (RFC 2045 §2.7/§2.8: "no NULs are allowed") */
    SMTPP_DATA_ERROR_FORCE_INT_MIN_ =
        -0x7FFFFFFF -
        1, /**< not a value: with the next, makes every int a valid value of the type in C++ too, so range checks of bad arguments stay defined */
    SMTPP_DATA_ERROR_FORCE_INT_MAX_ = 0x7FFFFFFF /**< not a value */
} smtpp_data_error;

/** @brief See the C++ `smtpp::phase`. Values match it one to one. */
typedef enum smtpp_phase {
    SMTPP_PHASE_CONNECT = 0, /**< before `start()`: nothing said yet */
    SMTPP_PHASE_FRESH = 1,   /**< greeted; no HELO/EHLO/LHLO yet (also right after TLS is up) */
    SMTPP_PHASE_READY = 2,   /**< HELO/EHLO/LHLO done, no mail transaction */
    SMTPP_PHASE_MAIL = 3,    /**< MAIL accepted, no recipient accepted yet */
    SMTPP_PHASE_RCPT = 4,    /**< at least one RCPT accepted */
    SMTPP_PHASE_DATA = 5,    /**< 354 sent: the host runs the DATA decoder, then `end_of_data()` */
    SMTPP_PHASE_CHUNK = 6,   /**< BDAT: the host consumes the chunk, then `end_of_chunk()` */
    SMTPP_PHASE_AUTH = 7,    /**< AUTH exchange: lines are SASL responses, not commands */
    SMTPP_PHASE_TLS = 8,     /**< 220 to STARTTLS sent: waiting for `tls_established()` */
    SMTPP_PHASE_CLOSED = 9,  /**< 221 or 421 sent: nothing more is answered */
    SMTPP_PHASE_FORCE_INT_MIN_ =
        -0x7FFFFFFF -
        1, /**< not a value: with the next, makes every int a valid value of the type in C++ too, so range checks of bad arguments stay defined */
    SMTPP_PHASE_FORCE_INT_MAX_ = 0x7FFFFFFF /**< not a value */
} smtpp_phase;

/** @brief See the C++ `smtpp::action`. Values match it one to one. */
typedef enum smtpp_action {
    SMTPP_ACTION_NONE = 0,  /**< none */
    SMTPP_ACTION_CLOSE = 1, /**< close the connection (after writing the reply) */
    SMTPP_ACTION_START_TLS =
        2, /**< discard ALL buffered input (the line reader's and the read buffer: RFC 3207 §4.2, CVE-2011-0411), handshake, then smtpp_tls_established() */
    SMTPP_ACTION_READ_DATA = 3, /**< run a DATA decoder with smtpp_body_options(), then smtpp_end_of_data() */
    SMTPP_ACTION_READ_BDAT =
        4, /**< consume exactly `chunk_size` octets (a BDAT decoder; drop them when `discard`), then smtpp_end_of_chunk() */
    SMTPP_ACTION_VERIFY_SENDER = 5,    /**< decide on `cmd` (MAIL), then `resolve()` */
    SMTPP_ACTION_VERIFY_RECIPIENT = 6, /**< decide on `cmd` (RCPT), then `resolve()` */
    SMTPP_ACTION_VERIFY_CREDENTIALS =
        7, /**< run the SASL step on `sasl` (`has_sasl`), then smtpp_resolve() or smtpp_auth_challenge() */
    SMTPP_ACTION_DELIVER = 8, /**< deliver the message (for recipient `index` in LMTP), then `resolve()` */
    SMTPP_ACTION_FORCE_INT_MIN_ =
        -0x7FFFFFFF -
        1, /**< not a value: with the next, makes every int a valid value of the type in C++ too, so range checks of bad arguments stay defined */
    SMTPP_ACTION_FORCE_INT_MAX_ = 0x7FFFFFFF /**< not a value */
} smtpp_action;

/** @brief See the C++ `smtpp::verdict`. Values match it one to one. */
typedef enum smtpp_verdict {
    SMTPP_VERDICT_ACCEPT = 0,       /**< the proposed positive reply */
    SMTPP_VERDICT_REJECT = 1,       /**< permanent refusal (550 5.7.1; AUTH 535 5.7.8) */
    SMTPP_VERDICT_DEFER = 2,        /**< temporary failure (451 4.3.0; AUTH 454 4.7.0) */
    SMTPP_VERDICT_UNKNOWN_USER = 3, /**< RCPT/delivery 550 5.1.1, MAIL 550 5.1.0, AUTH 535 5.7.8 */
    SMTPP_VERDICT_RELAY_DENIED = 4, /**< 554 5.7.1 Relay access denied */
    SMTPP_VERDICT_MAILBOX_FULL = 5, /**< 452 4.2.2 (MAIL: 452 4.3.1) */
    SMTPP_VERDICT_TOO_BIG = 6,      /**< 552 5.3.4 */
    SMTPP_VERDICT_TOO_WEAK = 7,     /**< AUTH 534 5.7.9 (elsewhere as reject) */
    SMTPP_VERDICT_FORCE_INT_MIN_ =
        -0x7FFFFFFF -
        1, /**< not a value: with the next, makes every int a valid value of the type in C++ too, so range checks of bad arguments stay defined */
    SMTPP_VERDICT_FORCE_INT_MAX_ = 0x7FFFFFFF /**< not a value */
} smtpp_verdict;

/** @brief See the C++ `smtpp::policy_error`. Values match it one to one. */
typedef enum smtpp_policy_error {
    SMTPP_POLICY_NONE = 0,          /**< none */
    SMTPP_POLICY_BAD_HOSTNAME = 1,  /**< empty, or holds SP, a control or an 8-bit octet */
    SMTPP_POLICY_BAD_GREETING = 2,  /**< holds a control octet (CR/LF: reply injection) */
    SMTPP_POLICY_BAD_PARAMETER = 3, /**< an EHLO parameter (MT-PRIORITY, FUTURERELEASE) holds SP or a control */
    SMTPP_POLICY_TOO_LONG = 4,      /**< the rendered replies do not fit the policy's storage */
    SMTPP_POLICY_ERROR_FORCE_INT_MIN_ =
        -0x7FFFFFFF -
        1, /**< not a value: with the next, makes every int a valid value of the type in C++ too, so range checks of bad arguments stay defined */
    SMTPP_POLICY_ERROR_FORCE_INT_MAX_ = 0x7FFFFFFF /**< not a value */
} smtpp_policy_error;

/** @} */

/** The outcome of an incremental call (C++ `smtpp::status`). */
typedef enum smtpp_status {
    SMTPP_COMPLETE = 0,  /**< an event or value was produced */
    SMTPP_NEED_MORE = 1, /**< all input was consumed; feed more */
    SMTPP_FAILED = 2,    /**< a line was refused; see the event's error */
    SMTPP_STATUS_FORCE_INT_MIN_ =
        -0x7FFFFFFF -
        1, /**< not a value: with the next, makes every int a valid value of the type in C++ too, so range checks of bad arguments stay defined */
    SMTPP_STATUS_FORCE_INT_MAX_ = 0x7FFFFFFF /**< not a value */
} smtpp_status;

/** Extension bits of ::smtpp_policy_options::extensions (C++ `smtpp::extension`). */
typedef enum smtpp_extension {
    SMTPP_EXT_PIPELINING = 1 << 0,          /**< RFC 2920 */
    SMTPP_EXT_SIZE = 1 << 1,                /**< RFC 1870 */
    SMTPP_EXT_8BITMIME = 1 << 2,            /**< RFC 6152 */
    SMTPP_EXT_SMTPUTF8 = 1 << 3,            /**< RFC 6531 */
    SMTPP_EXT_ENHANCEDSTATUSCODES = 1 << 4, /**< RFC 2034 */
    SMTPP_EXT_DSN = 1 << 5,                 /**< RFC 3461 */
    SMTPP_EXT_CHUNKING = 1 << 6,            /**< RFC 3030 */
    SMTPP_EXT_BINARYMIME = 1 << 7,          /**< RFC 3030 (needs CHUNKING) */
    SMTPP_EXT_STARTTLS = 1 << 8,            /**< RFC 3207 */
    SMTPP_EXT_AUTH = 1 << 9,                /**< RFC 4954 (with auth_mechanisms) */
    SMTPP_EXT_REQUIRETLS = 1 << 10,         /**< RFC 8689 */
    SMTPP_EXT_DELIVERBY = 1 << 11,          /**< RFC 2852 */
    SMTPP_EXT_FUTURERELEASE = 1 << 12,      /**< RFC 4865 */
    SMTPP_EXT_MT_PRIORITY = 1 << 13,        /**< RFC 6710 */
    SMTPP_EXT_RRVS = 1 << 14,               /**< RFC 7293 */
    SMTPP_EXT_LIMITS = 1 << 15,             /**< RFC 9422 */
    SMTPP_EXT_MTRK = 1 << 16,               /**< RFC 3885 */
    SMTPP_EXT_NO_SOLICITING = 1 << 17,      /**< RFC 3865 */
    SMTPP_EXTENSION_FORCE_INT_MIN_ =
        -0x7FFFFFFF -
        1, /**< not a value: with the next, makes every int a valid value of the type in C++ too, so range checks of bad arguments stay defined */
    SMTPP_EXTENSION_FORCE_INT_MAX_ = 0x7FFFFFFF /**< not a value */
} smtpp_extension;

/** What to do with bare CR/LF in DATA (C++ `smtpp::bare_newline_policy`). */
typedef enum smtpp_bare_newline {
    SMTPP_BARE_NEWLINE_REJECT = 0, /**< deliver as is, refuse the message at its end (550 5.5.2): strict */
    SMTPP_BARE_NEWLINE_NORMALIZE =
        1, /**< treat as a line end, deliver CRLF (Postfix `normalize`). RISK: the stored message differs from the bytes sent */
    SMTPP_BARE_NEWLINE_FORCE_INT_MIN_ =
        -0x7FFFFFFF -
        1, /**< not a value: with the next, makes every int a valid value of the type in C++ too, so range checks of bad arguments stay defined */
    SMTPP_BARE_NEWLINE_FORCE_INT_MAX_ = 0x7FFFFFFF /**< not a value */
} smtpp_bare_newline;

/** Parser options (C++ `smtpp::parse_options`): limits, and leniencies that are off by default, each with its risk. */
typedef struct smtpp_parse_options {
    size_t max_line;                /**< longest command line, CRLF included (RFC 5321 §4.5.3.1.4: 512) */
    size_t max_auth_line;           /**< longest AUTH line (RFC 4954 §4: 12288) */
    int smtputf8;                   /**< SMTPUTF8 was advertised (RFC 6531) */
    int smtputf8_transaction;       /**< the transaction was opened with SMTPUTF8 */
    int allow_space_after_colon;    /**< accept "MAIL FROM: <a@b>". Risk: cosmetic */
    int allow_missing_brackets;     /**< accept "MAIL FROM:a@b". Risk: an address with SP cannot be written */
    int allow_extra_spaces;         /**< accept several SP between fields. Risk: cosmetic */
    int allow_helo_address_literal; /**< accept "HELO [192.0.2.1]". Risk: cosmetic */
    int allow_lowercase_xtext_hex;  /**< accept "+2b" in xtext. Risk: a second spelling of one value */
    int allow_bare_lf; /**< accept a bare LF line end. RISK: SMTP smuggling (CVE-2023-51764); RFC 5321 §2.3.8 forbids it */
} smtpp_parse_options;

/** Sets `o` to the strict defaults of the C++ `parse_options`. No-op on NULL. */
SMTPP_API void smtpp_parse_options_init(smtpp_parse_options *o);

/** What the host chooses for its server sessions (C++ `smtpp::policy_options`). Views need only live during smtpp_policy_init(). */
typedef struct smtpp_policy_options {
    smtpp_view hostname;       /**< our name in 220/221/421/250 (printable, no SP); default "localhost" */
    smtpp_view greeting;       /**< text after the host name in 220; empty: "ESMTP"/"LMTP" */
    uint32_t extensions;       /**< ::smtpp_extension bits to advertise */
    uint32_t auth_mechanisms;  /**< 1 << mechanism id, offered with SMTPP_EXT_AUTH (ids as smtpp_mechanism_id()) */
    uint64_t max_message_size; /**< RFC 1870 SIZE limit in octets; 0 = none */
    uint16_t max_recipients;   /**< RFC 5321 §4.5.3.1.8; excess gets 452 4.5.3; 0 = none of the host's own */
    uint16_t limits_mailmax;   /**< RFC 9422 MAILMAX, advertised only; 0 = not advertised */
    uint8_t max_errors;        /**< client errors before 421 4.7.0 and close; 0 = never */
    uint32_t deliverby_min;    /**< RFC 2852 EHLO parameter */
    uint32_t futurerelease_max_interval;   /**< RFC 4865 EHLO parameter (seconds) */
    smtpp_view futurerelease_max_datetime; /**< RFC 4865 EHLO parameter */
    smtpp_view mt_priority_policy;         /**< RFC 6710 EHLO parameter */
    int lmtp;                              /**< RFC 2033 LMTP */
    int require_auth;                      /**< RFC 4954 §6: 530 5.7.0 until AUTH */
    int require_tls;                       /**< RFC 3207 §4: 530 5.7.0 until STARTTLS */
    int auth_needs_tls;                    /**< AUTH only under TLS (538 5.7.11) */
    int enforce_sync; /**< RFC 2920 §3.1 sync points: input pending behind them → 554 5.5.0 and close. Off: answered in order */
    int unknown_param_504;           /**< 504 instead of RFC 5321 §4.1.1.11's 555 for unknown parameters */
    int verify_senders;              /**< ask the host about each MAIL (SMTPP_ACTION_VERIFY_SENDER) */
    int verify_recipients;           /**< ask the host about each RCPT (SMTPP_ACTION_VERIFY_RECIPIENT) */
    smtpp_bare_newline bare_newline; /**< DATA bare CR/LF policy */
    smtpp_parse_options parse;       /**< parser leniencies and base limits */
} smtpp_policy_options;

/** Sets `o` to the defaults of the C++ `policy_options` (they follow the RFCs). No-op on NULL. */
SMTPP_API void smtpp_policy_options_init(smtpp_policy_options *o);

/**
 * Builds a policy into caller storage.
 * @param p     storage of at least SMTPP_POLICY_SIZE octets, aligned to SMTPP_POLICY_ALIGN
 * @param size  sizeof the storage
 * @param o     the options (NULL: defaults)
 * @return SMTPP_OK; SMTPP_E_POLICY when the options are invalid (the policy is then
 *         initialised but answers 421; smtpp_policy_error() says why); or an argument error.
 */
SMTPP_API smtpp_error smtpp_policy_init(smtpp_policy *p, size_t size, const smtpp_policy_options *o);
/** Why the policy could not be built (SMTPP_POLICY_NONE when it could, or when `p` is unusable). */
SMTPP_API smtpp_policy_error smtpp_policy_error_of(const smtpp_policy *p);
/** The line limit a server line reader needs for this policy (AUTH lines included); 0 when `p` is unusable. */
SMTPP_API size_t smtpp_line_limit(const smtpp_policy *p);

/* ---------------------------------------------------------------------------------------- */
/** @name The command parser (RFC 5321 §4.1)
 * @{ */

/** A mailbox path as parsed (C++ `smtpp::path`); views into the command line. */
typedef struct smtpp_path {
    smtpp_view text;       /**< the whole path as sent */
    smtpp_view route;      /**< source route, parsed and to be ignored (§4.1.2) */
    smtpp_view mailbox;    /**< "local@domain"; empty for `<>` and `<Postmaster>` */
    smtpp_view local_part; /**< as sent (quoted local part keeps its quotes) */
    smtpp_view domain;     /**< domain or address literal */
    int is_null;           /**< `<>` */
    int is_postmaster;     /**< `\<Postmaster\>` without a domain */
    int quoted;            /**< the local part is a Quoted-string */
    int utf8;              /**< the path holds UTF-8 (RFC 6531) */
} smtpp_path;

/** The fields of a parsed command (C++ `smtpp::command`); which are set depends on the verb. */
typedef struct smtpp_command_fields {
    smtpp_verb verb;             /**< the command */
    smtpp_view line;             /**< the whole line, terminator included */
    smtpp_view verb_text;        /**< the verb as sent */
    smtpp_view argument;         /**< HELO/EHLO/LHLO domain, VRFY/EXPN/HELP/NOOP/ETRN argument, unknown verb's rest */
    smtpp_view mechanism;        /**< AUTH mechanism as sent */
    unsigned mechanism_id;       /**< AUTH mechanism id (C++ `sasl_mechanism`; 0 = other) */
    int has_initial_response;    /**< AUTH carried an initial response */
    smtpp_view initial_response; /**< AUTH initial response ("=" for empty) */
    uint64_t chunk_size;         /**< BDAT size */
    int last;                    /**< BDAT ... LAST */
    int smtputf8;                /**< VRFY/EXPN ... SMTPUTF8 */
    smtpp_path path;             /**< MAIL/RCPT path */
    uint32_t params_present;     /**< MAIL/RCPT parameter bits (C++ `param_bit`) */
    uint64_t size;               /**< SIZE= (RFC 1870) */
    unsigned body;               /**< BODY=: 0 none, 1 7BIT, 2 8BITMIME, 3 BINARYMIME */
    unsigned ret;                /**< RET=: 0 none, 1 FULL, 2 HDRS */
    unsigned notify;             /**< NOTIFY= bits: 1 NEVER, 2 SUCCESS, 4 FAILURE, 8 DELAY */
    smtpp_view envid;            /**< ENVID= xtext, encoded */
    smtpp_view auth;             /**< AUTH= xtext, encoded */
    smtpp_view orcpt_type;       /**< ORCPT= addr-type */
    smtpp_view orcpt;            /**< ORCPT= address, encoded */
    smtpp_view unknown_param;    /**< the first unrecognised parameter */
    smtpp_view params_text;      /**< all parameters as sent */
} smtpp_command_fields;

/**
 * Parses one command line (with its CRLF) into `out` (RFC 5321 §4.1, with the extensions'
 * parameters).
 * @param line      the line, terminator included (not NUL-terminated)
 * @param len       its length in octets
 * @param out       storage for the command (its views will point into `line`)
 * @param out_size  sizeof that storage (at least SMTPP_COMMAND_SIZE)
 * @param opt       parser options (NULL: strict defaults)
 * @param why  receives the reason on SMTPP_E_COMMAND (may be NULL)
 * @return SMTPP_OK, SMTPP_E_COMMAND (the line is refused; reply with smtpp_reply_for_command()), or an argument error.
 */
SMTPP_API smtpp_error smtpp_parse_command(const char *line, size_t len, smtpp_command *out, size_t out_size,
                                          const smtpp_parse_options *opt, smtpp_command_error *why);
/** Reads the fields of a command set by smtpp_parse_command() or smtpp_step(). */
SMTPP_API smtpp_error smtpp_command_fields_of(const smtpp_command *c, smtpp_command_fields *out);
/** The id of a SASL mechanism name (RFC 4422 registry, case-insensitive; 0 = not one smtpp names), for ::smtpp_policy_options::auth_mechanisms bits (`1u << id`). */
SMTPP_API unsigned smtpp_mechanism_id(const char *name, size_t len);
/** The canonical name of a verb ("" for unknown or out of range). Static storage. */
SMTPP_API const char *smtpp_verb_name(smtpp_verb v);
/** @} */

/* ---------------------------------------------------------------------------------------- */
/** @name The server session (RFC 5321 §4.1.4, §3)
 * @{ */

/** What one transition produced (C++ `smtpp::step_result`). Write `reply` `count` times, then carry out `action`. */
typedef struct smtpp_step_result {
    smtpp_view reply;          /**< bytes to write as is (into the policy or the challenge buffer) */
    uint16_t code;             /**< reply code of `reply`, 0 when none */
    uint16_t count;            /**< how many times to write `reply` (LMTP may repeat) */
    smtpp_action action;       /**< what to do after writing */
    smtpp_phase phase;         /**< the session's phase after this step */
    int discard;               /**< read_bdat: drop the chunk's octets */
    int last;                  /**< read_bdat: the chunk carries LAST */
    int first_chunk;           /**< read_bdat: first chunk of the message (a fresh decoder) */
    int has_sasl;              /**< verify_credentials: `sasl` holds a client response */
    int injection;             /**< start_tls: input was pending behind STARTTLS (CVE-2011-0411) */
    uint16_t index;            /**< deliver: the LMTP recipient (RCPT order, from 0) */
    uint16_t why;              /**< index of the reply in the session's reply table (logs) */
    smtpp_command_error error; /**< the parser's verdict on the line */
    uint64_t chunk_size;       /**< read_bdat: octets to consume */
    smtpp_view sasl;           /**< verify_credentials: the base64 response */
    int sasl_response;         /**< the line was a SASL client response (RFC 4954 §4), not a command */
} smtpp_step_result;

/** Sets up a session before its greeting. */
SMTPP_API smtpp_error smtpp_session_init(smtpp_session *s, size_t size);
/** The current phase (SMTPP_PHASE_CLOSED for an unusable `s`). */
SMTPP_API smtpp_phase smtpp_session_phase(const smtpp_session *s);
/** The greeting (220, or 421 for a policy that failed). Every session function updates `s` and fills `out`. */
SMTPP_API smtpp_error smtpp_start(const smtpp_policy *p, smtpp_session *s, smtpp_step_result *out);
/**
 * One command line (terminator included) from the line reader.
 * @param p              the policy
 * @param s              the session (updated)
 * @param line           the line as the line reader returned it
 * @param len            its length
 * @param input_pending  non-zero when more client input follows the line (RFC 2920 sync checks)
 * @param cmd            storage the parsed command goes to (its views point into `line`);
 *                       need not be initialised
 * @param out            receives the reply and the action
 * @return SMTPP_OK, or an argument error (then `s` and `out` are unchanged)
 */
SMTPP_API smtpp_error smtpp_step(const smtpp_policy *p, smtpp_session *s, const char *line, size_t len,
                                 int input_pending, smtpp_command *cmd, smtpp_step_result *out);
/** A line the line reader refused: its error and its first octets (the event's `line`). */
SMTPP_API smtpp_error smtpp_on_line_error(const smtpp_policy *p, smtpp_session *s, smtpp_line_error e, const char *head,
                                          size_t head_len, smtpp_step_result *out);
/** The host's verdict on a pending decision (verify_*, deliver). */
SMTPP_API smtpp_error smtpp_resolve(const smtpp_policy *p, smtpp_session *s, smtpp_verdict v, smtpp_step_result *out);
/** Continues AUTH with `334 challenge` written into `buf` (RFC 4954 §4); `out->reply` views `buf`. */
SMTPP_API smtpp_error smtpp_auth_challenge(const smtpp_policy *p, smtpp_session *s, const char *challenge, size_t len,
                                           char *buf, size_t cap, smtpp_step_result *out);
/** The DATA decoder's end event with its verdict. */
SMTPP_API smtpp_error smtpp_end_of_data(const smtpp_policy *p, smtpp_session *s, smtpp_data_error v,
                                        smtpp_step_result *out);
/** The BDAT decoder's end-of-chunk event with its verdict. */
SMTPP_API smtpp_error smtpp_end_of_chunk(const smtpp_policy *p, smtpp_session *s, smtpp_data_error v,
                                         smtpp_step_result *out);
/** The TLS handshake after STARTTLS succeeded (RFC 3207 §4.2: the session starts fresh). */
SMTPP_API smtpp_error smtpp_tls_established(const smtpp_policy *p, smtpp_session *s, smtpp_step_result *out);
/** The host's read deadline expired: 421 4.4.2 and close. */
SMTPP_API smtpp_error smtpp_timeout(const smtpp_policy *p, smtpp_session *s, smtpp_step_result *out);
/** The host shuts down: 421 4.3.2 and close. */
SMTPP_API smtpp_error smtpp_shutdown(const smtpp_policy *p, smtpp_session *s, smtpp_step_result *out);
/**
 * Refuses a connection instead of greeting it (the host is over its connection limit):
 * `421 4.7.0 <host> Error: too many connections` and close (RFC 5321 §4.2.2, §3.8; RFC 3463
 * X.7.0). Call it on a fresh session in place of smtpp_start(); `s` becomes closed.
 */
SMTPP_API smtpp_error smtpp_refuse(const smtpp_policy *p, smtpp_session *s, smtpp_step_result *out);
/** @} */

/* ---------------------------------------------------------------------------------------- */
/** @name The line reader (RFC 5321 §2.3.8, §4.5.3.1.4)
 * @{ */

/** Options of the line reader. */
typedef struct smtpp_line_options {
    size_t max_line;   /**< longest line, CRLF included (512); capped at the buffer's capacity */
    int allow_bare_lf; /**< accept bare LF line ends. RISK: SMTP smuggling; RFC 5321 §4.1.1.4 forbids it */
} smtpp_line_options;

/** One result of smtpp_line_next(). */
typedef struct smtpp_line_event {
    smtpp_status status;    /**< COMPLETE: a line; FAILED: a refused line; NEED_MORE */
    smtpp_line_error error; /**< why the line was refused */
    smtpp_view line; /**< the line with its terminator, or the refused line's first octets; valid until the next call */
    size_t consumed; /**< octets of the input this call used */
} smtpp_line_event;

/** Sets `o` to the defaults (512, strict). No-op on NULL. */
SMTPP_API void smtpp_line_options_init(smtpp_line_options *o);
/**
 * Sets up a line reader over `buf` (`cap` octets, the caller's; it must outlive the reader).
 * Only a line split across inputs is copied into `buf`; the limit is min(max_line, cap).
 */
SMTPP_API smtpp_error smtpp_line_reader_init(smtpp_line_reader *r, size_t size, char *buf, size_t cap,
                                             const smtpp_line_options *o);
/** Consumes a prefix of the input and returns at most one line or refused line in `ev`. */
SMTPP_API smtpp_error smtpp_line_next(smtpp_line_reader *r, const char *in, size_t len, smtpp_line_event *ev);
/** Changes the limit (capped at the buffer's capacity). */
SMTPP_API smtpp_error smtpp_line_set_max(smtpp_line_reader *r, size_t max_line);
/** Drops a partial line (after STARTTLS: RFC 3207 §4.2). */
SMTPP_API smtpp_error smtpp_line_discard(smtpp_line_reader *r);
/** Non-zero when octets of an unfinished line were consumed; 0 otherwise or for an unusable `r`. */
SMTPP_API int smtpp_line_pending(const smtpp_line_reader *r);
/** @} */

/* ---------------------------------------------------------------------------------------- */
/** @name The body decoders (RFC 5321 §4.5.2, RFC 3030)
 * @{ */

/** Options of the DATA decoder; smtpp_body_options() derives them from a policy. */
typedef struct smtpp_data_options {
    smtpp_bare_newline bare_newline; /**< bare CR/LF handling */
    uint64_t max_size;               /**< RFC 1870 size limit; 0 = none */
    size_t max_text_line;            /**< longest text line (RFC 5321 §4.5.3.1.6: 1000); 0 = none */
    int reject_nul;                  /**< refuse a NUL (RFC 2045 §2.7) */
} smtpp_data_options;

/** Options of the BDAT decoder; smtpp_chunk_options() derives them from a policy. */
typedef struct smtpp_bdat_options {
    int reject_bare_newline; /**< refuse bare CR/LF (RFC 3030 §3, unless BINARYMIME) */
    int reject_nul;          /**< refuse a NUL */
    uint64_t max_size;       /**< size limit across chunks; 0 = none */
} smtpp_bdat_options;

/** The kind of a decoder event. */
typedef enum smtpp_data_event_kind {
    SMTPP_DATA_EVENT_NONE = 0,    /**< nothing produced: feed more */
    SMTPP_DATA_EVENT_CONTENT = 1, /**< `content` holds message bytes */
    SMTPP_DATA_EVENT_END = 2,     /**< end of data / of the chunk; `error` is the verdict */
    SMTPP_DATA_EVENT_KIND_FORCE_INT_MIN_ =
        -0x7FFFFFFF -
        1, /**< not a value: with the next, makes every int a valid value of the type in C++ too, so range checks of bad arguments stay defined */
    SMTPP_DATA_EVENT_KIND_FORCE_INT_MAX_ = 0x7FFFFFFF /**< not a value */
} smtpp_data_event_kind;

/** One result of smtpp_data_next() / smtpp_bdat_next(). */
typedef struct smtpp_data_event {
    smtpp_data_event_kind kind; /**< what was produced */
    smtpp_view content;         /**< message bytes (views the input) */
    size_t consumed;            /**< octets of the input used */
    smtpp_data_error error;     /**< the verdict (END) */
} smtpp_data_event;

/** The options the session wants for the DATA decoder, now. */
SMTPP_API smtpp_error smtpp_body_options(const smtpp_policy *p, const smtpp_session *s, smtpp_data_options *out);
/** The options the session wants for the BDAT decoder, now. */
SMTPP_API smtpp_error smtpp_chunk_options(const smtpp_policy *p, const smtpp_session *s, smtpp_bdat_options *out);
/** Sets up a DATA decoder (`o` NULL: strict defaults, no size limit). */
SMTPP_API smtpp_error smtpp_data_decoder_init(smtpp_data_decoder *d, size_t size, const smtpp_data_options *o);
/** Consumes a prefix of the input; `ev` says what it produced. */
SMTPP_API smtpp_error smtpp_data_next(smtpp_data_decoder *d, const char *in, size_t len, smtpp_data_event *ev);
/** Sets up a BDAT decoder for the first chunk of a message (`o` NULL: defaults); or, with `o` NULL and to drop a refused chunk, just counts. */
SMTPP_API smtpp_error smtpp_bdat_decoder_init(smtpp_bdat_decoder *d, size_t size, uint64_t chunk_size,
                                              const smtpp_bdat_options *o, int last);
/** The next chunk of the same message. */
SMTPP_API smtpp_error smtpp_bdat_next_chunk(smtpp_bdat_decoder *d, uint64_t chunk_size, int last);
/** Consumes a prefix of the chunk's octets; a chunk of 0 octets ends on an empty input. */
SMTPP_API smtpp_error smtpp_bdat_next(smtpp_bdat_decoder *d, const char *in, size_t len, smtpp_data_event *ev);
/** @} */

/* ---------------------------------------------------------------------------------------- */
/** @name The reply reader (RFC 5321 §4.2, RFC 2034, RFC 3463)
 * @{ */

/** @brief See the C++ `smtpp::reply_error`. Values match it one to one. */
typedef enum smtpp_reply_error {
    SMTPP_REPLY_NONE = 0,            /**< none */
    SMTPP_REPLY_BAD_CODE = 1,        /**< not `Reply-code = %x32-35 %x30-35 %x30-39` (RFC 5321 §4.2) */
    SMTPP_REPLY_BAD_SEPARATOR = 2,   /**< the octet after the code is neither SP, "-" nor the line end */
    SMTPP_REPLY_CODE_MISMATCH = 3,   /**< a line of a multi-line reply carries another code (§4.2.1) */
    SMTPP_REPLY_LINE_TOO_LONG = 4,   /**< a line is longer than `max_line` octets with CRLF (§4.5.3.1.5) */
    SMTPP_REPLY_BARE_CR = 5,         /**< CR not followed by LF */
    SMTPP_REPLY_BARE_LF = 6,         /**< LF without CR (unless `allow_bare_lf`) */
    SMTPP_REPLY_BAD_CHAR = 7,        /**< NUL, a control character or a refused 8-bit octet in the text */
    SMTPP_REPLY_TOO_LONG = 8,        /**< the reply exceeds `max_lines` or `max_reply_bytes` */
    SMTPP_REPLY_UNEXPECTED_DATA = 9, /**< bytes after a reply that had to end the read (STARTTLS, RFC 3207 §4.2) */
    SMTPP_REPLY_TRUNCATED = 10,      /**< the stream ended inside a line or a multi-line reply */
    SMTPP_REPLY_ERROR_FORCE_INT_MIN_ =
        -0x7FFFFFFF -
        1, /**< not a value: with the next, makes every int a valid value of the type in C++ too, so range checks of bad arguments stay defined */
    SMTPP_REPLY_ERROR_FORCE_INT_MAX_ = 0x7FFFFFFF /**< not a value */
} smtpp_reply_error;

/** Limits and leniencies of the reply reader and the EHLO parser (C++ `smtpp::reply_options`); every default follows RFC 5321. */
typedef struct smtpp_reply_options {
    uint32_t
        max_line; /**< longest reply line, code and CRLF included (RFC 5321 §4.5.3.1.5: 512); at most 512 for the reader */
    uint32_t max_lines;       /**< most lines in one reply; 0 = no limit */
    uint32_t max_reply_bytes; /**< most octets in one reply, line ends included; 0 = no limit */
    int allow_bare_lf; /**< accept LF alone as a line end. RISK: a client and a proxy that disagree on line ends read different replies */
    int allow_8bit; /**< accept octets >= 0x80 in text (RFC 6531 §3.7.4; on by default); not validated as UTF-8 */
    int allow_ctl; /**< accept control characters other than HT in text (never NUL, CR, LF). RISK: terminal escapes reach logs */
} smtpp_reply_options;

/** One line of a reply (C++ `smtpp::reply_line`). Its views point into the input or into the reader's buffer: valid until the next call on the reader. */
typedef struct smtpp_reply_line {
    uint16_t code;        /**< the three-digit reply code */
    int last;             /**< SP or nothing after the code: the reply ends with this line */
    uint8_t esc_class;    /**< enhanced status code class (RFC 3463: 2, 4, 5); 0 when the line has none */
    uint16_t esc_subject; /**< enhanced code subject */
    uint16_t esc_detail;  /**< enhanced code detail */
    smtpp_view text;      /**< the text after the code, separator and enhanced code */
    smtpp_view line;      /**< the whole line without its line end */
    uint32_t index;       /**< 0-based position of the line in its reply */
} smtpp_reply_line;

/** A whole reply, known when its last line has been read (C++ `smtpp::reply_summary`). */
typedef struct smtpp_reply_summary {
    uint16_t code;        /**< the reply code (the same on every line) */
    uint32_t lines;       /**< how many lines the reply had */
    uint8_t esc_class;    /**< the reply's first enhanced code: class, 0 when none */
    uint16_t esc_subject; /**< its subject */
    uint16_t esc_detail;  /**< its detail */
    uint32_t bytes;       /**< octets on the wire, line ends included */
} smtpp_reply_summary;

/** One result of smtpp_reply_next_line() / smtpp_reply_next_reply(). */
typedef struct smtpp_reply_event {
    smtpp_status status;     /**< COMPLETE: `line` is filled; NEED_MORE: all input was consumed; FAILED: see `error` */
    smtpp_reply_error error; /**< why the reader failed (sticky until smtpp_reply_reset()) */
    size_t consumed;         /**< octets of the input this call used */
    smtpp_reply_line line;   /**< the line read (smtpp_reply_next_reply(): the reply's last line) */
} smtpp_reply_event;

/** Sets `o` to the defaults (512, no line or size limit, strict line ends, 8-bit text accepted). No-op on NULL. */
SMTPP_API void smtpp_reply_options_init(smtpp_reply_options *o);
/** Sets up a reply reader (`o` NULL: defaults). A `max_line` above 512 or below 4 becomes 512. */
SMTPP_API smtpp_error smtpp_reply_reader_init(smtpp_reply_reader *r, size_t size, const smtpp_reply_options *o);
/**
 * Reads at most one reply line from the input (split-invariant: the same lines however the
 * input is cut). Call again with the rest (`in + ev->consumed`) until NEED_MORE.
 * @param r    the reader
 * @param in   received octets (may be NULL when `len` is 0)
 * @param len  their number
 * @param ev   receives the status, the line and the octets consumed
 * @return SMTPP_OK (the outcome is in `ev`), or an argument error
 */
SMTPP_API smtpp_error smtpp_reply_next_line(smtpp_reply_reader *r, const char *in, size_t len, smtpp_reply_event *ev);
/** Reads lines until a reply is complete: `ev->line` is its last line, `sum` (may be NULL) the whole reply. */
SMTPP_API smtpp_error smtpp_reply_next_reply(smtpp_reply_reader *r, const char *in, size_t len, smtpp_reply_event *ev,
                                             smtpp_reply_summary *sum);
/** The peer closed the connection: `*st` FAILED (SMTPP_REPLY_TRUNCATED) when it stopped inside a line or a multi-line reply. */
SMTPP_API smtpp_error smtpp_reply_finish(smtpp_reply_reader *r, smtpp_status *st);
/**
 * After a reply that must end the server's output, with the rest of the same read: the
 * 220 to STARTTLS (RFC 3207 §4.2; response injection, CVE-2021-38371). `*st` is FAILED
 * (SMTPP_REPLY_UNEXPECTED_DATA) when any octet is left over or held.
 */
SMTPP_API smtpp_error smtpp_reply_expect_end_of_input(smtpp_reply_reader *r, const char *rest, size_t len,
                                                      smtpp_status *st);
/** The next reply answers EHLO/LHLO: its first line may carry controls (`ehlo-greet`, RFC 5321 §4.1.1.1), NUL excepted. */
SMTPP_API smtpp_error smtpp_reply_expect_ehlo(smtpp_reply_reader *r);
/** Forgets everything but the options, a failure included. */
SMTPP_API smtpp_error smtpp_reply_reset(smtpp_reply_reader *r);
/** The reader's error (SMTPP_REPLY_NONE when it has not failed, or for an unusable `r`). */
SMTPP_API smtpp_reply_error smtpp_reply_error_of(const smtpp_reply_reader *r);
/** Non-zero between the first and the last line of a multi-line reply; 0 otherwise or for an unusable `r`. */
SMTPP_API int smtpp_reply_in_reply(const smtpp_reply_reader *r);
/** The last complete reply. */
SMTPP_API smtpp_error smtpp_reply_summary_of(const smtpp_reply_reader *r, smtpp_reply_summary *out);
/** @} */

/* ---------------------------------------------------------------------------------------- */
/** @name EHLO capabilities (RFC 5321 §4.1.1.1, RFC 2033 §4.1)
 * @{ */

/**
 * Bits of ::smtpp_ehlo_fields::extensions and ::smtpp_server_reply::extensions (C++
 * `smtpp::ehlo_ext`; the implementation checks every value against it at compile time).
 * Not the same bits as ::smtpp_extension (the server's policy). A keyword the C++ parser
 * learns in a later version sets its bit in `extensions` even before it has a name here.
 */
typedef enum smtpp_ehlo_ext {
    SMTPP_EHLO_EXT_PIPELINING = 1 << 0,          /**< RFC 2920 */
    SMTPP_EHLO_EXT_SIZE = 1 << 1,                /**< RFC 1870 */
    SMTPP_EHLO_EXT_8BITMIME = 1 << 2,            /**< RFC 6152 */
    SMTPP_EHLO_EXT_SMTPUTF8 = 1 << 3,            /**< RFC 6531 */
    SMTPP_EHLO_EXT_DSN = 1 << 4,                 /**< RFC 3461 */
    SMTPP_EHLO_EXT_CHUNKING = 1 << 5,            /**< RFC 3030 */
    SMTPP_EHLO_EXT_BINARYMIME = 1 << 6,          /**< RFC 3030 */
    SMTPP_EHLO_EXT_STARTTLS = 1 << 7,            /**< RFC 3207 */
    SMTPP_EHLO_EXT_ENHANCEDSTATUSCODES = 1 << 8, /**< RFC 2034 */
    SMTPP_EHLO_EXT_AUTH = 1 << 9,                /**< RFC 4954 */
    SMTPP_EHLO_EXT_REQUIRETLS = 1 << 10,         /**< RFC 8689 (meaningful only inside TLS) */
    SMTPP_EHLO_EXT_DELIVERBY = 1 << 11,          /**< RFC 2852 */
    SMTPP_EHLO_EXT_FUTURERELEASE = 1 << 12,      /**< RFC 4865 */
    SMTPP_EHLO_EXT_MT_PRIORITY = 1 << 13,        /**< RFC 6710 */
    SMTPP_EHLO_EXT_RRVS = 1 << 14,               /**< RFC 7293 */
    SMTPP_EHLO_EXT_LIMITS = 1 << 15,             /**< RFC 9422 */
    SMTPP_EHLO_EXT_VRFY = 1 << 16,               /**< RFC 5321 §3.5 */
    SMTPP_EHLO_EXT_ETRN = 1 << 17,               /**< RFC 1985 */
    SMTPP_EHLO_EXT_HELP = 1 << 18,               /**< RFC 5321 §4.1.1.8 */
    SMTPP_EHLO_EXT_EXPN = 1 << 19,               /**< RFC 5321 §3.5 */
    SMTPP_EHLO_EXT_MTRK = 1 << 20,               /**< RFC 3885 */
    SMTPP_EHLO_EXT_NO_SOLICITING = 1 << 21,      /**< RFC 3865 (its keyword list stays in `unknown`) */
    SMTPP_EHLO_EXT_FORCE_INT_MIN_ =
        -0x7FFFFFFF - 1, /**< not a value: with the next, makes every int a valid value of the type in C++ too */
    SMTPP_EHLO_EXT_FORCE_INT_MAX_ = 0x7FFFFFFF /**< not a value */
} smtpp_ehlo_ext;

/** Bits of ::smtpp_ehlo_fields::auth_mechanisms: SASL mechanisms in AUTH (C++ `smtpp::sasl_mech`, RFC 4422 registry). */
typedef enum smtpp_sasl_mech {
    SMTPP_SASL_PLAIN = 1 << 0,              /**< RFC 4616 */
    SMTPP_SASL_LOGIN = 1 << 1,              /**< draft-murchison-sasl-login */
    SMTPP_SASL_CRAM_MD5 = 1 << 2,           /**< RFC 2195 */
    SMTPP_SASL_DIGEST_MD5 = 1 << 3,         /**< RFC 2831 (historic) */
    SMTPP_SASL_XOAUTH2 = 1 << 4,            /**< Google/Microsoft XOAUTH2 */
    SMTPP_SASL_OAUTHBEARER = 1 << 5,        /**< RFC 7628 */
    SMTPP_SASL_SCRAM_SHA_1 = 1 << 6,        /**< RFC 5802 */
    SMTPP_SASL_SCRAM_SHA_1_PLUS = 1 << 7,   /**< RFC 5802 */
    SMTPP_SASL_SCRAM_SHA_256 = 1 << 8,      /**< RFC 7677 */
    SMTPP_SASL_SCRAM_SHA_256_PLUS = 1 << 9, /**< RFC 7677 */
    SMTPP_SASL_GSSAPI = 1 << 10,            /**< RFC 4752 */
    SMTPP_SASL_NTLM = 1 << 11,              /**< Microsoft NTLM */
    SMTPP_SASL_EXTERNAL = 1 << 12,          /**< RFC 4422 Appendix A */
    SMTPP_SASL_ANONYMOUS = 1 << 13,         /**< RFC 4505 */
    SMTPP_SASL_MECH_FORCE_INT_MIN_ =
        -0x7FFFFFFF - 1, /**< not a value: with the next, makes every int a valid value of the type in C++ too */
    SMTPP_SASL_MECH_FORCE_INT_MAX_ = 0x7FFFFFFF /**< not a value */
} smtpp_sasl_mech;

/** The outcome of smtpp_parse_ehlo() (C++ `smtpp::ehlo_result`). */
typedef struct smtpp_ehlo_result {
    smtpp_status
        status; /**< COMPLETE; NEED_MORE: the reply has not ended (call again with more, from the same first octet); FAILED */
    smtpp_reply_error error; /**< why, when FAILED */
    size_t consumed;         /**< octets of the reply, when COMPLETE */
} smtpp_ehlo_result;

/** What an EHLO/LHLO reply advertises (C++ `smtpp::ehlo_capabilities`); views into the reply bytes. */
typedef struct smtpp_ehlo_fields {
    uint16_t code;                     /**< the reply code; the rest is filled only for 250 */
    smtpp_view domain;                 /**< first word of the first line (may be empty) */
    smtpp_view greet;                  /**< the rest of the first line (`ehlo-greet`) */
    uint32_t extensions;               /**< ::smtpp_ehlo_ext bits */
    uint32_t auth_mechanisms;          /**< ::smtpp_sasl_mech bits, merged over every AUTH line */
    uint16_t auth_unknown;             /**< mechanisms listed that have no ::smtpp_sasl_mech bit */
    smtpp_view auth_params;            /**< the mechanism list of the last AUTH line, raw */
    int size_known;                    /**< SIZE carried a valid number */
    uint64_t size;                     /**< SIZE limit; 0 = no fixed maximum (RFC 1870 §4) */
    int deliverby_known;               /**< DELIVERBY carried a min-by-time */
    uint64_t deliverby_min;            /**< RFC 2852 §4: minimum by-time in seconds */
    uint64_t futurerelease_interval;   /**< RFC 4865 §3: max-future-release-interval */
    smtpp_view futurerelease_datetime; /**< RFC 4865 §3: max-future-release-date-time */
    smtpp_view mt_priority_policy;     /**< RFC 6710 §3: priority-profile, may be empty */
    uint32_t limit_rcptmax;            /**< RFC 9422 RCPTMAX; 0 = not advertised */
    uint32_t limit_mailmax;            /**< RFC 9422 MAILMAX */
    uint32_t limit_rcptdomainmax;      /**< RFC 9422 RCPTDOMAINMAX */
    uint16_t unknown_count;            /**< unknown keywords kept (read them with smtpp_ehlo_unknown()) */
    uint16_t unknown_overflow;         /**< unknown keywords that did not fit */
    uint16_t malformed_lines;          /**< lines after the first that are not an `ehlo-line` */
    uint32_t lines;                    /**< lines in the reply */
} smtpp_ehlo_fields;

/**
 * Parses the reply to EHLO or LHLO at the start of `bytes` (RFC 5321 §4.1.1.1): checked as
 * the reply reader checks replies (same options), lines that are not an `ehlo-line` counted
 * and skipped. A reply with another code (502, 421, 554) is complete: only `code` is set.
 * @param bytes      from the first octet of the reply; may hold more after it; must outlive `caps`
 * @param len        octets in `bytes`
 * @param caps       storage for the capabilities (its views will point into `bytes`)
 * @param caps_size  sizeof that storage (at least SMTPP_EHLO_SIZE)
 * @param o          reply options (NULL: defaults)
 * @param res        receives the status, the error and the octets of the reply
 * @return SMTPP_OK (the outcome is in `res`), or an argument error
 */
SMTPP_API smtpp_error smtpp_parse_ehlo(const char *bytes, size_t len, smtpp_ehlo *caps, size_t caps_size,
                                       const smtpp_reply_options *o, smtpp_ehlo_result *res);
/** Reads the fields of capabilities set by smtpp_parse_ehlo(). */
SMTPP_API smtpp_error smtpp_ehlo_fields_of(const smtpp_ehlo *caps, smtpp_ehlo_fields *out);
/** The `i`-th unknown keyword and its parameters; SMTPP_E_ARGUMENT when `i` >= `unknown_count`. */
SMTPP_API smtpp_error smtpp_ehlo_unknown(const smtpp_ehlo *caps, size_t i, smtpp_view *keyword, smtpp_view *params);
/** @} */

/* ---------------------------------------------------------------------------------------- */
/** @name The client session (RFC 5321 §3, §4.5.3.2; RFC 2920, RFC 3030, RFC 3207, RFC 4954, RFC 2033)
 * @{ */

/** @brief See the C++ `smtpp::client_phase`. Values match it one to one. */
typedef enum smtpp_client_phase {
    SMTPP_CLIENT_PHASE_CONNECT = 0,    /**< before smtpp_client_start() */
    SMTPP_CLIENT_PHASE_GREETING = 1,   /**< waiting for the 220 greeting */
    SMTPP_CLIENT_PHASE_EHLO = 2,       /**< EHLO (or LHLO) sent */
    SMTPP_CLIENT_PHASE_HELO = 3,       /**< HELO sent (fallback after 500/502 to EHLO, RFC 5321 §3.2) */
    SMTPP_CLIENT_PHASE_STARTTLS = 4,   /**< STARTTLS sent */
    SMTPP_CLIENT_PHASE_TLS = 5,        /**< 220 to STARTTLS: the host does the handshake */
    SMTPP_CLIENT_PHASE_AUTH = 6,       /**< AUTH sent (and SASL responses) */
    SMTPP_CLIENT_PHASE_READY = 7,      /**< between messages: the host sends one or quits */
    SMTPP_CLIENT_PHASE_MAIL = 8,       /**< MAIL sent: its reply is the next one */
    SMTPP_CLIENT_PHASE_RCPT = 9,       /**< RCPT replies are next */
    SMTPP_CLIENT_PHASE_DATA = 10,      /**< DATA sent: waiting for 354 */
    SMTPP_CLIENT_PHASE_BODY = 11,      /**< the host writes the body (DATA: dot-stuffed; BDAT: smtpp_client_chunk()) */
    SMTPP_CLIENT_PHASE_CHUNK = 12,     /**< BDAT sent with its chunk: waiting for its reply */
    SMTPP_CLIENT_PHASE_FINAL = 13,     /**< the body is written: waiting for the final reply(ies) */
    SMTPP_CLIENT_PHASE_RSET = 14,      /**< RSET sent after a failed transaction */
    SMTPP_CLIENT_PHASE_QUIT = 15,      /**< QUIT sent: waiting for 221 */
    SMTPP_CLIENT_PHASE_CLOSED = 16,    /**< done: the host closes the connection */
    SMTPP_CLIENT_PHASE_RECIPIENT = 17, /**< the host gives the next recipient or says there is none */
    SMTPP_CLIENT_PHASE_FORCE_INT_MIN_ =
        -0x7FFFFFFF - 1, /**< not a value: with the next, makes every int a valid value of the type in C++ too */
    SMTPP_CLIENT_PHASE_FORCE_INT_MAX_ = 0x7FFFFFFF /**< not a value */
} smtpp_client_phase;

/** @brief See the C++ `smtpp::client_action`: what the host does after writing `write`. Values match it one to one. */
typedef enum smtpp_client_action {
    SMTPP_CLIENT_ACTION_READ_REPLY = 0, /**< read the next reply (within `timeout` seconds), then smtpp_client_step() */
    SMTPP_CLIENT_ACTION_START_TLS = 1,  /**< drop any buffered input, handshake, then smtpp_client_tls_established() */
    SMTPP_CLIENT_ACTION_SEND_BODY =
        2, /**< DATA: write the dot-stuffed body and "." CRLF, then smtpp_client_body_done(); BDAT (`bdat`): smtpp_client_chunk() per chunk */
    SMTPP_CLIENT_ACTION_READY = 3, /**< the connection is idle: smtpp_client_send() a message or smtpp_client_quit() */
    SMTPP_CLIENT_ACTION_CLOSE = 4, /**< close the connection */
    SMTPP_CLIENT_ACTION_NEXT_RECIPIENT =
        5, /**< smtpp_client_recipient() with the next recipient, or smtpp_client_recipients_done() */
    SMTPP_CLIENT_ACTION_FORCE_INT_MIN_ =
        -0x7FFFFFFF - 1, /**< not a value: with the next, makes every int a valid value of the type in C++ too */
    SMTPP_CLIENT_ACTION_FORCE_INT_MAX_ = 0x7FFFFFFF /**< not a value */
} smtpp_client_action;

/** @brief See the C++ `smtpp::client_event`: what happened, once per step at most. Values match it one to one. */
typedef enum smtpp_client_event {
    SMTPP_CLIENT_EVENT_NONE = 0,      /**< nothing to report */
    SMTPP_CLIENT_EVENT_RECIPIENT = 1, /**< RCPT reply for recipient `index`: `outcome`, `code`, enhanced code */
    SMTPP_CLIENT_EVENT_DELIVERY = 2,  /**< LMTP: final reply for the `index`-th accepted recipient (RFC 2033 §4.2) */
    SMTPP_CLIENT_EVENT_MESSAGE = 3,   /**< the transaction ended: `outcome` (SMTP) or why nothing was sent (`error`) */
    SMTPP_CLIENT_EVENT_SESSION = 4,   /**< the session is set up (greeting, EHLO, TLS, AUTH done) */
    SMTPP_CLIENT_EVENT_FAILED = 5,    /**< the connection is unusable: `error` */
    SMTPP_CLIENT_EVENT_FORCE_INT_MIN_ =
        -0x7FFFFFFF - 1, /**< not a value: with the next, makes every int a valid value of the type in C++ too */
    SMTPP_CLIENT_EVENT_FORCE_INT_MAX_ = 0x7FFFFFFF /**< not a value */
} smtpp_client_event;

/** @brief See the C++ `smtpp::outcome`: a recipient's or a message's outcome, from the reply class (RFC 5321 §4.2.1). */
typedef enum smtpp_outcome {
    SMTPP_OUTCOME_NONE = 0,     /**< none */
    SMTPP_OUTCOME_ACCEPTED = 1, /**< 2yz */
    SMTPP_OUTCOME_DEFERRED = 2, /**< 4yz: try again later */
    SMTPP_OUTCOME_REFUSED = 3,  /**< 5yz */
    SMTPP_OUTCOME_FORCE_INT_MIN_ =
        -0x7FFFFFFF - 1, /**< not a value: with the next, makes every int a valid value of the type in C++ too */
    SMTPP_OUTCOME_FORCE_INT_MAX_ = 0x7FFFFFFF /**< not a value */
} smtpp_outcome;

/** @brief See the C++ `smtpp::client_error`: why the client stopped or refused a message or a call. Values match it one to one. */
typedef enum smtpp_client_error {
    SMTPP_CLIENT_E_NONE = 0,               /**< none */
    SMTPP_CLIENT_E_GREETING_REFUSED = 1,   /**< the greeting was not 220 (RFC 5321 §3.1) */
    SMTPP_CLIENT_E_SERVICE_CLOSING = 2,    /**< 421 (RFC 5321 §3.8) */
    SMTPP_CLIENT_E_EHLO_REFUSED = 3,       /**< EHLO/LHLO and HELO both refused */
    SMTPP_CLIENT_E_TLS_UNAVAILABLE = 4,    /**< TLS required but STARTTLS not offered (RFC 3207 §4) */
    SMTPP_CLIENT_E_TLS_REFUSED = 5,        /**< TLS required but STARTTLS refused */
    SMTPP_CLIENT_E_RESPONSE_INJECTION = 6, /**< bytes after the 220 to STARTTLS (RFC 3207 §4.2, CVE-2021-38371) */
    SMTPP_CLIENT_E_AUTH_UNAVAILABLE = 7,   /**< credentials given, no usable mechanism (or no TLS to send them) */
    SMTPP_CLIENT_E_AUTH_FAILED = 8,        /**< AUTH refused (RFC 4954 §6) */
    SMTPP_CLIENT_E_AUTH_LOOP = 9,          /**< more 334 challenges than the mechanism has steps */
    SMTPP_CLIENT_E_NEEDS_SMTPUTF8 = 10,    /**< a UTF-8 address, SMTPUTF8 not offered or not on MAIL (RFC 6531 §3.2) */
    SMTPP_CLIENT_E_NEEDS_8BITMIME = 11,    /**< BODY=8BITMIME, 8BITMIME not offered (RFC 6152 §3) */
    SMTPP_CLIENT_E_NEEDS_BINARYMIME = 12,  /**< BODY=BINARYMIME, CHUNKING+BINARYMIME not offered (RFC 3030 §3) */
    SMTPP_CLIENT_E_TOO_BIG = 13,           /**< the message exceeds the advertised SIZE (RFC 1870 §6) */
    SMTPP_CLIENT_E_BAD_ADDRESS = 14,       /**< the formatter refused a path or parameter (CR/LF/NUL, syntax, length) */
    SMTPP_CLIENT_E_NO_SPACE = 15,          /**< `out` cannot hold the command */
    SMTPP_CLIENT_E_PROTOCOL = 16,          /**< a reply code the command cannot have */
    SMTPP_CLIENT_E_UNEXPECTED_REPLY = 17,  /**< a reply while none was awaited */
    SMTPP_CLIENT_E_NO_RECIPIENTS = 18,     /**< every recipient was refused or deferred */
    SMTPP_CLIENT_E_MAIL_REFUSED = 19,      /**< MAIL was refused */
    SMTPP_CLIENT_E_DATA_REFUSED = 20,      /**< DATA (or BDAT) was refused */
    SMTPP_CLIENT_E_MESSAGE_REFUSED = 21,   /**< the final reply refused or deferred the message */
    SMTPP_CLIENT_E_INVALID_CALL = 22,      /**< the host called a function the phase does not take */
    SMTPP_CLIENT_E_NO_RECIPIENT_GIVEN = 23, /**< no recipient given (or more than 65535) */
    SMTPP_CLIENT_ERROR_FORCE_INT_MIN_ =
        -0x7FFFFFFF - 1, /**< not a value: with the next, makes every int a valid value of the type in C++ too */
    SMTPP_CLIENT_ERROR_FORCE_INT_MAX_ = 0x7FFFFFFF /**< not a value */
} smtpp_client_error;

/** @brief See the C++ `smtpp::tls_mode`: STARTTLS use (RFC 3207). */
typedef enum smtpp_tls_mode {
    SMTPP_TLS_NONE = 0,          /**< never (already on TLS, or plain text by choice) */
    SMTPP_TLS_OPPORTUNISTIC = 1, /**< when offered; go on in clear when not offered or refused */
    SMTPP_TLS_REQUIRED = 2,      /**< when offered; stop (QUIT) when not offered or refused */
    SMTPP_TLS_MODE_FORCE_INT_MIN_ =
        -0x7FFFFFFF - 1, /**< not a value: with the next, makes every int a valid value of the type in C++ too */
    SMTPP_TLS_MODE_FORCE_INT_MAX_ = 0x7FFFFFFF /**< not a value */
} smtpp_tls_mode;

/** @brief See the C++ `smtpp::client_mechanism`: the SASL mechanism the client runs (RFC 4954 §4). */
typedef enum smtpp_client_mechanism {
    SMTPP_CLIENT_MECH_AUTO = 0,    /**< PLAIN if offered, else LOGIN */
    SMTPP_CLIENT_MECH_PLAIN = 1,   /**< RFC 4616 */
    SMTPP_CLIENT_MECH_LOGIN = 2,   /**< draft-murchison-sasl-login */
    SMTPP_CLIENT_MECH_XOAUTH2 = 3, /**< XOAUTH2: `password` is the bearer token */
    SMTPP_CLIENT_MECH_FORCE_INT_MIN_ =
        -0x7FFFFFFF - 1, /**< not a value: with the next, makes every int a valid value of the type in C++ too */
    SMTPP_CLIENT_MECH_FORCE_INT_MAX_ = 0x7FFFFFFF /**< not a value */
} smtpp_client_mechanism;

/** The connection's settings (C++ `smtpp::client_config`). Its views must live as long as the client is used. */
typedef struct smtpp_client_config {
    smtpp_view helo;     /**< our name in EHLO/HELO/LHLO (a Domain or address literal); default "localhost" */
    int lmtp;            /**< LMTP: LHLO, per-recipient final replies (RFC 2033) */
    smtpp_tls_mode tls;  /**< STARTTLS use */
    smtpp_view user;     /**< AUTH when not empty */
    smtpp_view password; /**< password, or the token for XOAUTH2 */
    smtpp_client_mechanism mechanism; /**< the SASL mechanism */
    int auth_without_tls; /**< send credentials without TLS. RISK: the password crosses the network in clear (RFC 8314 says never) */
    int use_pipelining; /**< batch MAIL, RCPTs and DATA when offered (RFC 2920); on by default */
    int use_chunking;   /**< BDAT instead of DATA when CHUNKING is offered (RFC 3030) */
} smtpp_client_config;

/**
 * One message's envelope (C++ `smtpp::envelope` with `one_at_a_time`). The recipients are
 * not listed here: the client asks for each (SMTPP_CLIENT_ACTION_NEXT_RECIPIENT) and the host gives
 * it with smtpp_client_recipient(), so any number of them needs no storage (a C array
 * cannot be viewed as the C++ list without copying it). Its views must live until the
 * transaction ends.
 */
typedef struct smtpp_envelope {
    smtpp_view from;  /**< "local@domain"; empty for the null reverse-path */
    uint64_t size;    /**< octets as RFC 1870 §3 counts them; 0 = unknown */
    unsigned body;    /**< BODY=: 0 none, 1 7BIT, 2 8BITMIME (RFC 6152), 3 BINARYMIME (RFC 3030) */
    int smtputf8;     /**< SMTPUTF8 (RFC 6531); set it when a recipient to come may be UTF-8 (MAIL is written first) */
    unsigned ret;     /**< DSN RET=: 0 none, 1 FULL, 2 HDRS (RFC 3461 §4.3), sent only under DSN */
    smtpp_view envid; /**< DSN ENVID= (xtext), sent only under DSN */
    unsigned notify;  /**< DSN NOTIFY= bits for every RCPT: 1 NEVER, 2 SUCCESS, 4 FAILURE, 8 DELAY */
} smtpp_envelope;

/** A complete reply as the client session takes it (C++ `smtpp::server_reply`); smtpp_collector_reply() builds it. */
typedef struct smtpp_server_reply {
    uint16_t code;        /**< the reply code */
    uint8_t esc_class;    /**< first enhanced code: class, 0 when none */
    uint16_t esc_subject; /**< its subject */
    uint16_t esc_detail;  /**< its detail */
    int trailing;         /**< bytes were left behind the reply (refused after the 220 to STARTTLS, RFC 3207 §4.2) */
    uint32_t extensions;  /**< 250 to EHLO/LHLO: ::smtpp_ehlo_ext bits */
    uint32_t auth_mechanisms; /**< 250 to EHLO/LHLO: ::smtpp_sasl_mech bits */
    uint64_t size;            /**< 250 to EHLO/LHLO: SIZE; 0 = no limit or not offered */
} smtpp_server_reply;

/** What one client call produced (C++ `smtpp::client_result`). Write `write`, then carry out `action`; report `event`. */
typedef struct smtpp_client_result {
    smtpp_view write;           /**< bytes to write now (into the caller's `out` or static storage) */
    smtpp_client_action action; /**< what to do after writing */
    smtpp_client_phase phase;   /**< the client's phase after this call */
    smtpp_client_event event;   /**< what happened */
    smtpp_outcome outcome;      /**< recipient, delivery, message: the outcome */
    smtpp_client_error error;   /**< why, for failed / message events and refused calls */
    uint16_t index;       /**< recipient: the RCPT's index (counting RCPT commands); delivery: ordinal among accepted */
    uint16_t code;        /**< the reply the event is about */
    uint8_t esc_class;    /**< its enhanced code: class, 0 when none */
    uint16_t esc_subject; /**< subject */
    uint16_t esc_detail;  /**< detail */
    uint16_t timeout;     /**< read_reply / send_body: seconds (RFC 5321 §4.5.3.2) */
    int bdat;             /**< send_body: use smtpp_client_chunk() */
    int expect_ehlo;      /**< read_reply: call smtpp_reply_expect_ehlo() first */
    int dsn_dropped;      /**< smtpp_client_send(): DSN parameters not sent (DSN not offered) */
    int taken; /**< smtpp_client_recipient(): the recipient was used; 0: give the same one again when next asked */
} smtpp_client_result;

/** Sets `o` to the defaults of the C++ `client_config`. No-op on NULL. */
SMTPP_API void smtpp_client_config_init(smtpp_client_config *o);
/** Sets `e` to an empty envelope (null sender, no parameters). No-op on NULL. */
SMTPP_API void smtpp_envelope_init(smtpp_envelope *e);
/** Sets up a reply collector for the client session. */
SMTPP_API smtpp_error smtpp_collector_init(smtpp_reply_collector *c, size_t size);
/** Adds a line from smtpp_reply_next_line(); `*done` (may be NULL) is non-zero when it ended the reply. */
SMTPP_API smtpp_error smtpp_collector_add(smtpp_reply_collector *c, const smtpp_reply_line *line, int *done);
/** Marks bytes left after the reply in the host's read buffer (or inside the reader). */
SMTPP_API smtpp_error smtpp_collector_set_trailing(smtpp_reply_collector *c, int trailing);
/** The reply summed up so far (complete once `add` said done). */
SMTPP_API smtpp_error smtpp_collector_reply(const smtpp_reply_collector *c, smtpp_server_reply *out);

/** Sets up a client session before the greeting. */
SMTPP_API smtpp_error smtpp_client_init(smtpp_client *c, size_t size);
/** The current phase (SMTPP_CLIENT_PHASE_CLOSED for an unusable `c`). */
SMTPP_API smtpp_client_phase smtpp_client_phase_of(const smtpp_client *c);
/** The state before the greeting: wait for it (RFC 5321 §3.1). Every client function updates `c` and fills `out`. */
SMTPP_API smtpp_error smtpp_client_start(const smtpp_client_config *cfg, smtpp_client *c, smtpp_client_result *out);
/**
 * One complete reply.
 * @param cfg  the configuration
 * @param env  the current message's envelope (an empty one between messages)
 * @param c    the client (updated)
 * @param rep  the reply (smtpp_collector_reply())
 * @param out  buffer the commands are written to (1 KiB advised); `result->write` views it
 * @param cap  its size
 * @param result receives the bytes to write, the action and the event
 * @return SMTPP_OK, or an argument error (then `c` and `result` are unchanged)
 */
SMTPP_API smtpp_error smtpp_client_step(const smtpp_client_config *cfg, const smtpp_envelope *env, smtpp_client *c,
                                        const smtpp_server_reply *rep, char *out, size_t cap,
                                        smtpp_client_result *result);
/** TLS is up (RFC 3207 §4.2): EHLO again. */
SMTPP_API smtpp_error smtpp_client_tls_established(const smtpp_client_config *cfg, smtpp_client *c, char *out,
                                                   size_t cap, smtpp_client_result *result);
/** Starts a message when idle: checks it against what the server offered, writes MAIL (and, pipelining, keeps it for the batch). */
SMTPP_API smtpp_error smtpp_client_send(const smtpp_client_config *cfg, const smtpp_envelope *env, smtpp_client *c,
                                        char *out, size_t cap, smtpp_client_result *result);
/**
 * On SMTPP_CLIENT_ACTION_NEXT_RECIPIENT: the next recipient ("local@domain", "Postmaster"), with
 * its DSN ORCPT "type;xtext" (RFC 3461 §4.2; `orcpt` may be NULL with `orcpt_len` 0).
 * With PIPELINING the RCPTs gather in `out` (keep it untouched between the calls).
 */
SMTPP_API smtpp_error smtpp_client_recipient(const smtpp_client_config *cfg, const smtpp_envelope *env, smtpp_client *c,
                                             const char *to, size_t to_len, const char *orcpt, size_t orcpt_len,
                                             char *out, size_t cap, smtpp_client_result *result);
/** On SMTPP_CLIENT_ACTION_NEXT_RECIPIENT: there are no more recipients. */
SMTPP_API smtpp_error smtpp_client_recipients_done(const smtpp_client_config *cfg, const smtpp_envelope *env,
                                                   smtpp_client *c, char *out, size_t cap, smtpp_client_result *result);
/** The DATA body and its terminator "." CRLF are written (RFC 5321 §4.1.1.4). */
SMTPP_API smtpp_error smtpp_client_body_done(const smtpp_client_config *cfg, smtpp_client *c,
                                             smtpp_client_result *result);
/** BDAT (RFC 3030 §2): writes "BDAT size [LAST]"; the host writes exactly `size` body octets right after it. */
SMTPP_API smtpp_error smtpp_client_chunk(const smtpp_client_config *cfg, smtpp_client *c, uint64_t size, int last,
                                         char *out, size_t cap, smtpp_client_result *result);
/** QUIT (RFC 5321 §4.1.1.10) when idle; the host closes after the reply. */
SMTPP_API smtpp_error smtpp_client_quit(const smtpp_client_config *cfg, smtpp_client *c, smtpp_client_result *result);
/** @} */

/* ---------------------------------------------------------------------------------------- */
/** @name Replies and names
 * @{ */

/** The reply for a refused command line (RFC 5321 §4.2.2, RFC 3463). */
SMTPP_API smtpp_error smtpp_reply_for_command(smtpp_command_error e, smtpp_reply_hint *out);
/** The reply for a line the line reader refused. */
SMTPP_API smtpp_error smtpp_reply_for_line(smtpp_line_error e, smtpp_reply_hint *out);
/** The reply for a refused body. */
SMTPP_API smtpp_error smtpp_reply_for_data(smtpp_data_error e, smtpp_reply_hint *out);
/** The status a client records when the server's reply is unusable (always transient: for its DSN, RFC 3464, and logs). */
SMTPP_API smtpp_error smtpp_reply_for_reply(smtpp_reply_error e, smtpp_reply_hint *out);
/** Languages of the catalog (C++ `smtpp::lang`). */
typedef enum smtpp_lang {
    SMTPP_LANG_EN = 0,                           /**< English */
    SMTPP_LANG_RU = 1,                           /**< Russian (UTF-8) */
    SMTPP_LANG_FORCE_INT_MIN_ = -0x7FFFFFFF - 1, /**< not a value */
    SMTPP_LANG_FORCE_INT_MAX_ = 0x7FFFFFFF       /**< not a value */
} smtpp_lang;

/** What the catalog says about a reply code (C++ `smtpp::reply_explanation`); views into static storage. */
typedef struct smtpp_reply_explanation {
    uint16_t code;               /**< the code asked about (0 when above 999) */
    int valid;                   /**< a Reply-code (first digit 2-5, second 0-5, RFC 5321 §4.2.1) */
    int listed;                  /**< in the catalog; otherwise the texts come from §4.2.1's theory */
    int closes;                  /**< the server closes the connection after it */
    smtpp_view cls;              /**< the first digit's class ("2xx Positive Completion") */
    smtpp_view cls_meaning;      /**< what that class means */
    smtpp_view category;         /**< the second digit's category ("x2z Connections") */
    smtpp_view category_meaning; /**< what that category means */
    smtpp_view title;            /**< short title */
    smtpp_view description;      /**< what the reply says */
    smtpp_view when;             /**< when servers send it */
    smtpp_view fix;              /**< what the sender can do */
    smtpp_view rfc;              /**< where it is defined */
} smtpp_reply_explanation;

/** What the catalog says about an enhanced status code (C++ `smtpp::enhanced_explanation`, RFC 3463, RFC 5248). */
typedef struct smtpp_enhanced_explanation {
    uint8_t esc_class;          /**< class asked about */
    uint16_t esc_subject;       /**< subject asked about */
    uint16_t esc_detail;        /**< detail asked about */
    int valid;                  /**< class 2/4/5, subject and detail 0..999 */
    int listed;                 /**< in the IANA registry */
    int known_subject;          /**< subject 0..7 (RFC 3463 §3) */
    smtpp_view cls;             /**< "2.X.X Success", ... */
    smtpp_view cls_meaning;     /**< what the class means */
    smtpp_view subject;         /**< "X.1.X Addressing Status", ... */
    smtpp_view subject_meaning; /**< what the subject means */
    smtpp_view title;           /**< short title */
    smtpp_view description;     /**< what the code says */
    smtpp_view rfc;             /**< where it is defined */
} smtpp_enhanced_explanation;

/** Explains a reply code (smtpp-explain's catalog). An invalid code gives `valid == 0`, not an error. */
SMTPP_API smtpp_error smtpp_explain_reply(unsigned code, smtpp_lang l, smtpp_reply_explanation *out);
/** Explains an enhanced status code `cls.subject.detail`. An invalid code gives `valid == 0`, not an error. */
SMTPP_API smtpp_error smtpp_explain_enhanced(unsigned cls, unsigned subject, unsigned detail, smtpp_lang l,
                                             smtpp_enhanced_explanation *out);
/** The name of a command error ("bad_reverse_path"...); "?" when out of range. Static storage, NUL-terminated. */
SMTPP_API const char *smtpp_command_error_name(smtpp_command_error e);
/** The name of a line error; "?" when out of range. */
SMTPP_API const char *smtpp_line_error_name(smtpp_line_error e);
/** The name of a data error; "?" when out of range. */
SMTPP_API const char *smtpp_data_error_name(smtpp_data_error e);
/** The name of a phase ("fresh"...); "?" when out of range. */
SMTPP_API const char *smtpp_phase_name(smtpp_phase p);
/** The text of a reply error ("bare LF in reply"...); "?" when out of range. */
SMTPP_API const char *smtpp_reply_error_name(smtpp_reply_error e);
/** The name of a client phase ("ehlo"...); "?" when out of range. */
SMTPP_API const char *smtpp_client_phase_name(smtpp_client_phase p);
/** The text of a client error ("MAIL refused"...); "?" when out of range. */
SMTPP_API const char *smtpp_client_error_name(smtpp_client_error e);
/** The text of an API error; "unknown error" when out of range. Static storage. */
SMTPP_API const char *smtpp_strerror(smtpp_error e);
/** The library version as "major.minor.patch". */
SMTPP_API const char *smtpp_version(void);
/** The library version as SMTPP_C_VERSION_NUMBER computes it (compare with the header's to catch a mismatch). */
SMTPP_API unsigned smtpp_version_number(void);
/** @} */

#ifdef __cplusplus
}
#endif

#endif
