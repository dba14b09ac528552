/**
 * @file smtpp.h
 * @brief The C API of smtpp: the server session, the command parser, the line reader and
 *        the DATA/BDAT body decoders, for C99/C11 hosts. Link `-lsmtpp_c`
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

#define SMTPP_C_VERSION_MAJOR 0  /**< major version of the C API (and of the library) */
#define SMTPP_C_VERSION_MINOR 1  /**< minor version */
#define SMTPP_C_VERSION_PATCH 0  /**< patch version */
/** The version as one number: major * 10000 + minor * 100 + patch. */
#define SMTPP_C_VERSION_NUMBER (SMTPP_C_VERSION_MAJOR * 10000 + SMTPP_C_VERSION_MINOR * 100 + SMTPP_C_VERSION_PATCH)

#include "detail/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------- */
/** @name Storage sizes and alignments
 * Upper bounds for this target (they scale with the pointer size, so they are right on
 * 32- and 64-bit targets alike); the implementation checks them at compile time.
 * @{ */
#define SMTPP_POLICY_SIZE (2048 + 48 * sizeof(void *))       /**< octets of an ::smtpp_policy */
#define SMTPP_POLICY_ALIGN 8                                 /**< alignment of an ::smtpp_policy */
#define SMTPP_SESSION_SIZE 64                                /**< octets of an ::smtpp_session */
#define SMTPP_SESSION_ALIGN 8                                /**< alignment of an ::smtpp_session */
#define SMTPP_COMMAND_SIZE (96 + 48 * sizeof(void *))        /**< octets of an ::smtpp_command */
#define SMTPP_COMMAND_ALIGN 16                               /**< alignment of an ::smtpp_command */
#define SMTPP_LINE_READER_SIZE (64 + 8 * sizeof(void *))     /**< octets of an ::smtpp_line_reader (without its buffer) */
#define SMTPP_LINE_READER_ALIGN 8                            /**< alignment of an ::smtpp_line_reader */
#define SMTPP_DATA_DECODER_SIZE (64 + 8 * sizeof(void *))    /**< octets of an ::smtpp_data_decoder */
#define SMTPP_DATA_DECODER_ALIGN 8                           /**< alignment of an ::smtpp_data_decoder */
#define SMTPP_BDAT_DECODER_SIZE (64 + 8 * sizeof(void *))    /**< octets of an ::smtpp_bdat_decoder */
#define SMTPP_BDAT_DECODER_ALIGN 8                           /**< alignment of an ::smtpp_bdat_decoder */
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
typedef struct smtpp_policy { union { unsigned char bytes[SMTPP_POLICY_SIZE]; smtpp_align_ align; } opaque; /**< do not touch */ } smtpp_policy;
/** The state of one server session (C++ `smtpp::session_state`): plain data, copyable with memcpy. */
typedef struct smtpp_session { union { unsigned char bytes[SMTPP_SESSION_SIZE]; smtpp_align_ align; } opaque; /**< do not touch */ } smtpp_session;
/** A parsed command (C++ `smtpp::command`); read it with smtpp_command_fields(). Its views point into the parsed line. */
typedef struct smtpp_command { SMTPP_ALIGN16 union { unsigned char bytes[SMTPP_COMMAND_SIZE]; smtpp_align_ align; } opaque; /**< do not touch */ } smtpp_command;
/** A CRLF line reader over a buffer the caller provides (C++ `smtpp::basic_line_reader`). */
typedef struct smtpp_line_reader { union { unsigned char bytes[SMTPP_LINE_READER_SIZE]; smtpp_align_ align; } opaque; /**< do not touch */ } smtpp_line_reader;
/** The DATA body decoder (C++ `smtpp::data_decoder`): dot-unstuffing, end of data, bare CR/LF checks. */
typedef struct smtpp_data_decoder { union { unsigned char bytes[SMTPP_DATA_DECODER_SIZE]; smtpp_align_ align; } opaque; /**< do not touch */ } smtpp_data_decoder;
/** The BDAT chunk decoder (C++ `smtpp::bdat_decoder`), RFC 3030. */
typedef struct smtpp_bdat_decoder { union { unsigned char bytes[SMTPP_BDAT_DECODER_SIZE]; smtpp_align_ align; } opaque; /**< do not touch */ } smtpp_bdat_decoder;

/* ---------------------------------------------------------------------------------------- */
/** Errors of the C API itself. Append-only. */
typedef enum smtpp_error {
    SMTPP_OK = 0,                 /**< success */
    SMTPP_E_NULL = 1,             /**< a required pointer is NULL (or a view has NULL data and a non-zero length) */
    SMTPP_E_STORAGE = 2,          /**< the storage size passed is smaller than the object's `SMTPP_*_SIZE` */
    SMTPP_E_ALIGNMENT = 3,        /**< the storage is not aligned to the object's `SMTPP_*_ALIGN` */
    SMTPP_E_UNINITIALIZED = 4,    /**< the object was not set up by its `*_init` function */
    SMTPP_E_ARGUMENT = 5,         /**< an enum argument is out of range */
    SMTPP_E_POLICY = 6,           /**< the policy options are invalid; see smtpp_policy_error() */
    SMTPP_E_COMMAND = 7,          /**< smtpp_parse_command(): the line is not a valid command (the reason is in `*why`) */
    SMTPP_E_BUFFER = 8,           /**< a caller buffer is too small (line reader buffer of 0 octets) */
    SMTPP_ERROR_FORCE_INT_MIN_ = -0x7FFFFFFF - 1, /**< not a value: with the next, makes every int a valid value of the type in C++ too, so range checks of bad arguments stay defined */
    SMTPP_ERROR_FORCE_INT_MAX_ = 0x7FFFFFFF       /**< not a value */
} smtpp_error;

/** A read-only view of octets owned elsewhere (not NUL-terminated). `ptr` may be NULL when `len` is 0. */
typedef struct smtpp_view {
    const char *ptr;  /**< first octet */
    size_t len;       /**< number of octets */
} smtpp_view;

/** The reply an error maps to (C++ `smtpp::reply_hint`): basic code (RFC 5321 §4.2), enhanced code (RFC 3463), text without CR/LF. */
typedef struct smtpp_reply_hint {
    uint16_t code;      /**< basic reply code, 0 when none */
    uint8_t esc_class;  /**< enhanced code class (2, 4, 5), 0 when none */
    uint16_t esc_subject;  /**< enhanced code subject */
    uint16_t esc_detail;   /**< enhanced code detail */
    smtpp_view text;    /**< short text (static storage) */
} smtpp_reply_hint;

/* ---------------------------------------------------------------------------------------- */
/** @name Enumerations mirroring the C++ core (values identical, append-only)
 * @{ */

/** @brief See the C++ `smtpp::verb`. Values match it one to one. */
typedef enum smtpp_verb {
    SMTPP_VERB_UNKNOWN = 0,  /**< anything else; `command::verb_text` holds what was sent */
    SMTPP_VERB_HELO = 1,  /**< RFC 5321 §4.1.1.1 */
    SMTPP_VERB_EHLO = 2,  /**< RFC 5321 §4.1.1.1 */
    SMTPP_VERB_LHLO = 3,  /**< RFC 2033 §4.1 */
    SMTPP_VERB_MAIL = 4,  /**< RFC 5321 §4.1.1.2 */
    SMTPP_VERB_RCPT = 5,  /**< RFC 5321 §4.1.1.3 */
    SMTPP_VERB_DATA = 6,  /**< RFC 5321 §4.1.1.4 */
    SMTPP_VERB_BDAT = 7,  /**< RFC 3030 §2 */
    SMTPP_VERB_RSET = 8,  /**< RFC 5321 §4.1.1.5 */
    SMTPP_VERB_VRFY = 9,  /**< RFC 5321 §4.1.1.6 */
    SMTPP_VERB_EXPN = 10,  /**< RFC 5321 §4.1.1.7 */
    SMTPP_VERB_HELP = 11,  /**< RFC 5321 §4.1.1.8 */
    SMTPP_VERB_NOOP = 12,  /**< RFC 5321 §4.1.1.9 */
    SMTPP_VERB_QUIT = 13,  /**< RFC 5321 §4.1.1.10 */
    SMTPP_VERB_STARTTLS = 14,  /**< RFC 3207 §4 */
    SMTPP_VERB_AUTH = 15,  /**< RFC 4954 §4 */
    SMTPP_VERB_ETRN = 16, /**< RFC 1985 §3 */
    SMTPP_VERB_FORCE_INT_MIN_ = -0x7FFFFFFF - 1, /**< not a value: with the next, makes every int a valid value of the type in C++ too, so range checks of bad arguments stay defined */
    SMTPP_VERB_FORCE_INT_MAX_ = 0x7FFFFFFF       /**< not a value */
} smtpp_verb;

/** @brief See the C++ `smtpp::command_error`. Values match it one to one. */
typedef enum smtpp_command_error {
    SMTPP_CMD_NONE = 0,  /**< none */
    SMTPP_CMD_LINE_TOO_LONG = 1,  /**< over `max_line` (RFC 5321 §4.5.3.1.4) → 500 5.5.2 */
    SMTPP_CMD_MISSING_CRLF = 2,  /**< the line does not end in CRLF (§2.3.8) → 500 5.5.2 */
    SMTPP_CMD_BARE_LF = 3,  /**< LF without CR (§2.3.8; SMTP smuggling) → 500 5.5.2 */
    SMTPP_CMD_BARE_CR = 4,  /**< CR without LF (§2.3.8) → 500 5.5.2 */
    SMTPP_CMD_NUL = 5,  /**< NUL byte → 501 5.5.2 */
    SMTPP_CMD_INVALID_CHARACTER = 6,  /**< control or 8-bit byte where none may stand (§4.1.2) → 501 5.5.2 */
    SMTPP_CMD_EMPTY_LINE = 7,  /**< nothing before the CRLF → 500 5.5.2 */
    SMTPP_CMD_UNKNOWN_VERB = 8,  /**< not a command smtpp knows (§4.2.4) → 500 5.5.1 */
    SMTPP_CMD_SYNTAX = 9,  /**< the command's own syntax (e.g. "MAIL TO:") → 501 5.5.2 */
    SMTPP_CMD_UNEXPECTED_ARGUMENT = 10,  /**< argument on RSET/DATA/QUIT/STARTTLS (§4.1.1) → 501 5.5.4 */
    SMTPP_CMD_MISSING_ARGUMENT = 11,  /**< EHLO/HELO/VRFY/... without argument → 501 5.5.4 */
    SMTPP_CMD_BAD_DOMAIN = 12,  /**< EHLO/HELO/LHLO/ETRN argument is not a domain → 501 5.5.2 */
    SMTPP_CMD_BAD_REVERSE_PATH = 13,  /**< MAIL path syntax (§4.1.2) → 501 5.1.7 */
    SMTPP_CMD_BAD_FORWARD_PATH = 14,  /**< RCPT path syntax (§4.1.2) → 501 5.1.3 */
    SMTPP_CMD_REVERSE_PATH_TOO_LONG = 15,  /**< local part > 64, domain > 255 or path > 256 (§4.5.3.1) → 501 5.1.7 */
    SMTPP_CMD_FORWARD_PATH_TOO_LONG = 16,  /**< same limits on RCPT → 501 5.1.3 */
    SMTPP_CMD_NULL_FORWARD_PATH = 17,  /**< "RCPT TO:<>" → 501 5.1.3 */
    SMTPP_CMD_NON_ASCII_SENDER = 18,  /**< UTF-8 sender without SMTPUTF8 (RFC 6531 §3.5) → 550 5.6.7 */
    SMTPP_CMD_NON_ASCII_RECIPIENT = 19,  /**< UTF-8 recipient without SMTPUTF8 (RFC 6531 §3.5) → 553 5.6.7 */
    SMTPP_CMD_INVALID_UTF8 = 20,  /**< malformed UTF-8 (RFC 3629; overlong, surrogate...) → 501 5.5.2 */
    SMTPP_CMD_PARAM_SYNTAX = 21,  /**< esmtp-param grammar (§4.1.2) → 501 5.5.4 */
    SMTPP_CMD_DUPLICATE_PARAM = 22,  /**< the same keyword twice → 501 5.5.4 */
    SMTPP_CMD_BAD_SIZE = 23,  /**< SIZE= not 1*20DIGIT (RFC 1870 §6) → 501 5.5.4 */
    SMTPP_CMD_SIZE_OVERFLOW = 24,  /**< SIZE= above 2^64-1: never wraps → 552 5.3.4 */
    SMTPP_CMD_BAD_BODY = 25,  /**< BODY= not 7BIT/8BITMIME/BINARYMIME (RFC 6152, 3030) → 501 5.5.4 */
    SMTPP_CMD_BAD_SMTPUTF8 = 26,  /**< SMTPUTF8 with a value (RFC 6531 §3.4) → 501 5.5.4 */
    SMTPP_CMD_BAD_RET = 27,  /**< RET= not FULL/HDRS (RFC 3461 §4.3) → 501 5.5.4 */
    SMTPP_CMD_BAD_ENVID = 28,  /**< ENVID= bad xtext or > 100 chars (RFC 3461 §4.4) → 501 5.5.4 */
    SMTPP_CMD_BAD_NOTIFY = 29,  /**< NOTIFY= (RFC 3461 §4.1) → 501 5.5.4 */
    SMTPP_CMD_BAD_ORCPT = 30,  /**< ORCPT= (RFC 3461 §4.2, RFC 6533 §3) → 501 5.5.4 */
    SMTPP_CMD_BAD_AUTH_PARAM = 31,  /**< AUTH= on MAIL (RFC 4954 §5) → 501 5.5.4 */
    SMTPP_CMD_BAD_REQUIRETLS = 32,  /**< REQUIRETLS with a value (RFC 8689 §4.1) → 501 5.5.4 */
    SMTPP_CMD_BAD_MT_PRIORITY = 33,  /**< MT-PRIORITY= not -9..9 (RFC 6710 §3) → 501 5.5.4 */
    SMTPP_CMD_BAD_HOLDFOR = 34,  /**< HOLDFOR= not 1*9DIGIT (RFC 4865 §4) → 501 5.5.4 */
    SMTPP_CMD_BAD_HOLDUNTIL = 35,  /**< HOLDUNTIL= not an RFC 3339 date-time (RFC 4865 §4) → 501 5.5.4 */
    SMTPP_CMD_BAD_BY = 36,  /**< BY= (RFC 2852 §4) → 501 5.5.4 */
    SMTPP_CMD_BAD_RRVS = 37,  /**< RRVS= (RFC 7293 §3) → 501 5.5.4 */
    SMTPP_CMD_XTEXT_CONTROL = 38,  /**< xtext decodes to a control or 8-bit byte (CVE-2020-28021) → 501 5.5.4 */
    SMTPP_CMD_BAD_CHUNK_SIZE = 39,  /**< BDAT size or LAST syntax (RFC 3030 §2) → 501 5.5.4 */
    SMTPP_CMD_CHUNK_SIZE_OVERFLOW = 40,  /**< BDAT size above 2^64-1: never wraps → 552 5.3.4 */
    SMTPP_CMD_BAD_MECHANISM = 41,  /**< AUTH mechanism name (RFC 4422 §3.1) → 501 5.5.4 */
    SMTPP_CMD_BAD_BASE64 = 42,  /**< AUTH initial response is not base64 (RFC 4954 §4) → 501 5.5.2 */
    SMTPP_CMD_CONFLICTING_PARAMS = 43,  /**< HOLDFOR with HOLDUNTIL (RFC 4865 §4) → 501 5.5.4 */
    SMTPP_CMD_UNKNOWN_PARAM = 44,  /**< not produced by the parser: for the session's 555 (§4.1.1.11) */
    SMTPP_CMD_AUTH_LINE_TOO_LONG = 45, /**< AUTH line over `max_auth_line` (RFC 4954 §4) → 500 5.5.6 */
    SMTPP_CMD_BAD_MTRK = 46,  /**< MTRK= not base64 [":" 1*9DIGIT] (RFC 3885 §4) → 501 5.5.4 */
    SMTPP_CMD_BAD_SOLICIT = 47,  /**< SOLICIT= not a solicitation keyword list (RFC 3865 §2.2) → 501 5.5.4 */
    SMTPP_COMMAND_ERROR_FORCE_INT_MIN_ = -0x7FFFFFFF - 1, /**< not a value: with the next, makes every int a valid value of the type in C++ too, so range checks of bad arguments stay defined */
    SMTPP_COMMAND_ERROR_FORCE_INT_MAX_ = 0x7FFFFFFF       /**< not a value */
} smtpp_command_error;

/** @brief See the C++ `smtpp::line_error`. Values match it one to one. */
typedef enum smtpp_line_error {
    SMTPP_LINE_NONE = 0,  /**< none */
    SMTPP_LINE_TOO_LONG = 1,  /**< longer than the limit (CRLF included), RFC 5321 §4.5.3.1.4 */
    SMTPP_LINE_BARE_LF = 2,  /**< LF not preceded by CR, RFC 5321 §2.3.8 / §4.1.1.4 */
    SMTPP_LINE_BARE_CR = 3,  /**< CR not followed by LF, RFC 5321 §2.3.8 */
    SMTPP_LINE_NUL = 4, /**< a NUL octet in the line */
    SMTPP_LINE_ERROR_FORCE_INT_MIN_ = -0x7FFFFFFF - 1, /**< not a value: with the next, makes every int a valid value of the type in C++ too, so range checks of bad arguments stay defined */
    SMTPP_LINE_ERROR_FORCE_INT_MAX_ = 0x7FFFFFFF       /**< not a value */
} smtpp_line_error;

/** @brief See the C++ `smtpp::data_error`. Values match it one to one. */
typedef enum smtpp_data_error {
    SMTPP_DATA_NONE = 0,  /**< none */
    SMTPP_DATA_BARE_LF = 1,  /**< LF not preceded by CR (RFC 5321 §2.3.8, §4.1.1.4) */
    SMTPP_DATA_BARE_CR = 2,  /**< CR not followed by LF (RFC 5321 §2.3.8) */
    SMTPP_DATA_TOO_BIG = 3,  /**< more than the SIZE limit (RFC 1870) */
    SMTPP_DATA_LINE_TOO_LONG = 4,  /**< a text line over the limit (RFC 5321 §4.5.3.1.6) */
    SMTPP_DATA_NUL = 5, /**< a NUL octet (RFC 2045 §2.7/§2.8: "no NULs are allowed") */
    SMTPP_DATA_ERROR_FORCE_INT_MIN_ = -0x7FFFFFFF - 1, /**< not a value: with the next, makes every int a valid value of the type in C++ too, so range checks of bad arguments stay defined */
    SMTPP_DATA_ERROR_FORCE_INT_MAX_ = 0x7FFFFFFF       /**< not a value */
} smtpp_data_error;

/** @brief See the C++ `smtpp::phase`. Values match it one to one. */
typedef enum smtpp_phase {
    SMTPP_PHASE_CONNECT = 0,  /**< before `start()`: nothing said yet */
    SMTPP_PHASE_FRESH = 1,  /**< greeted; no HELO/EHLO/LHLO yet (also right after TLS is up) */
    SMTPP_PHASE_READY = 2,  /**< HELO/EHLO/LHLO done, no mail transaction */
    SMTPP_PHASE_MAIL = 3,  /**< MAIL accepted, no recipient accepted yet */
    SMTPP_PHASE_RCPT = 4,  /**< at least one RCPT accepted */
    SMTPP_PHASE_DATA = 5,  /**< 354 sent: the host runs the DATA decoder, then `end_of_data()` */
    SMTPP_PHASE_CHUNK = 6,  /**< BDAT: the host consumes the chunk, then `end_of_chunk()` */
    SMTPP_PHASE_AUTH = 7,  /**< AUTH exchange: lines are SASL responses, not commands */
    SMTPP_PHASE_TLS = 8,  /**< 220 to STARTTLS sent: waiting for `tls_established()` */
    SMTPP_PHASE_CLOSED = 9, /**< 221 or 421 sent: nothing more is answered */
    SMTPP_PHASE_FORCE_INT_MIN_ = -0x7FFFFFFF - 1, /**< not a value: with the next, makes every int a valid value of the type in C++ too, so range checks of bad arguments stay defined */
    SMTPP_PHASE_FORCE_INT_MAX_ = 0x7FFFFFFF       /**< not a value */
} smtpp_phase;

/** @brief See the C++ `smtpp::action`. Values match it one to one. */
typedef enum smtpp_action {
    SMTPP_ACTION_NONE = 0,  /**< none */
    SMTPP_ACTION_CLOSE = 1,  /**< close the connection (after writing the reply) */
    SMTPP_ACTION_START_TLS = 2,  /**< discard ALL buffered input (the line reader's and the read buffer: RFC 3207 §4.2, CVE-2011-0411), handshake, then smtpp_tls_established() */
    SMTPP_ACTION_READ_DATA = 3,  /**< run a DATA decoder with smtpp_body_options(), then smtpp_end_of_data() */
    SMTPP_ACTION_READ_BDAT = 4,  /**< consume exactly `chunk_size` octets (a BDAT decoder; drop them when `discard`), then smtpp_end_of_chunk() */
    SMTPP_ACTION_VERIFY_SENDER = 5,  /**< decide on `cmd` (MAIL), then `resolve()` */
    SMTPP_ACTION_VERIFY_RECIPIENT = 6,  /**< decide on `cmd` (RCPT), then `resolve()` */
    SMTPP_ACTION_VERIFY_CREDENTIALS = 7,  /**< run the SASL step on `sasl` (`has_sasl`), then smtpp_resolve() or smtpp_auth_challenge() */
    SMTPP_ACTION_DELIVER = 8, /**< deliver the message (for recipient `index` in LMTP), then `resolve()` */
    SMTPP_ACTION_FORCE_INT_MIN_ = -0x7FFFFFFF - 1, /**< not a value: with the next, makes every int a valid value of the type in C++ too, so range checks of bad arguments stay defined */
    SMTPP_ACTION_FORCE_INT_MAX_ = 0x7FFFFFFF       /**< not a value */
} smtpp_action;

/** @brief See the C++ `smtpp::verdict`. Values match it one to one. */
typedef enum smtpp_verdict {
    SMTPP_VERDICT_ACCEPT = 0,  /**< the proposed positive reply */
    SMTPP_VERDICT_REJECT = 1,  /**< permanent refusal (550 5.7.1; AUTH 535 5.7.8) */
    SMTPP_VERDICT_DEFER = 2,  /**< temporary failure (451 4.3.0; AUTH 454 4.7.0) */
    SMTPP_VERDICT_UNKNOWN_USER = 3,  /**< RCPT/delivery 550 5.1.1, MAIL 550 5.1.0, AUTH 535 5.7.8 */
    SMTPP_VERDICT_RELAY_DENIED = 4,  /**< 554 5.7.1 Relay access denied */
    SMTPP_VERDICT_MAILBOX_FULL = 5,  /**< 452 4.2.2 (MAIL: 452 4.3.1) */
    SMTPP_VERDICT_TOO_BIG = 6,  /**< 552 5.3.4 */
    SMTPP_VERDICT_TOO_WEAK = 7, /**< AUTH 534 5.7.9 (elsewhere as reject) */
    SMTPP_VERDICT_FORCE_INT_MIN_ = -0x7FFFFFFF - 1, /**< not a value: with the next, makes every int a valid value of the type in C++ too, so range checks of bad arguments stay defined */
    SMTPP_VERDICT_FORCE_INT_MAX_ = 0x7FFFFFFF       /**< not a value */
} smtpp_verdict;

/** @brief See the C++ `smtpp::policy_error`. Values match it one to one. */
typedef enum smtpp_policy_error {
    SMTPP_POLICY_NONE = 0,  /**< none */
    SMTPP_POLICY_BAD_HOSTNAME = 1,  /**< empty, or holds SP, a control or an 8-bit octet */
    SMTPP_POLICY_BAD_GREETING = 2,  /**< holds a control octet (CR/LF: reply injection) */
    SMTPP_POLICY_BAD_PARAMETER = 3,  /**< an EHLO parameter (MT-PRIORITY, FUTURERELEASE) holds SP or a control */
    SMTPP_POLICY_TOO_LONG = 4, /**< the rendered replies do not fit the policy's storage */
    SMTPP_POLICY_ERROR_FORCE_INT_MIN_ = -0x7FFFFFFF - 1, /**< not a value: with the next, makes every int a valid value of the type in C++ too, so range checks of bad arguments stay defined */
    SMTPP_POLICY_ERROR_FORCE_INT_MAX_ = 0x7FFFFFFF       /**< not a value */
} smtpp_policy_error;

/** @} */

/** The outcome of an incremental call (C++ `smtpp::status`). */
typedef enum smtpp_status {
    SMTPP_COMPLETE = 0,   /**< an event or value was produced */
    SMTPP_NEED_MORE = 1,  /**< all input was consumed; feed more */
    SMTPP_FAILED = 2,     /**< a line was refused; see the event's error */
    SMTPP_STATUS_FORCE_INT_MIN_ = -0x7FFFFFFF - 1, /**< not a value: with the next, makes every int a valid value of the type in C++ too, so range checks of bad arguments stay defined */
    SMTPP_STATUS_FORCE_INT_MAX_ = 0x7FFFFFFF       /**< not a value */
} smtpp_status;

/** Extension bits of ::smtpp_policy_options::extensions (C++ `smtpp::extension`). */
typedef enum smtpp_extension {
    SMTPP_EXT_PIPELINING = 1 << 0,           /**< RFC 2920 */
    SMTPP_EXT_SIZE = 1 << 1,                 /**< RFC 1870 */
    SMTPP_EXT_8BITMIME = 1 << 2,             /**< RFC 6152 */
    SMTPP_EXT_SMTPUTF8 = 1 << 3,             /**< RFC 6531 */
    SMTPP_EXT_ENHANCEDSTATUSCODES = 1 << 4,  /**< RFC 2034 */
    SMTPP_EXT_DSN = 1 << 5,                  /**< RFC 3461 */
    SMTPP_EXT_CHUNKING = 1 << 6,             /**< RFC 3030 */
    SMTPP_EXT_BINARYMIME = 1 << 7,           /**< RFC 3030 (needs CHUNKING) */
    SMTPP_EXT_STARTTLS = 1 << 8,             /**< RFC 3207 */
    SMTPP_EXT_AUTH = 1 << 9,                 /**< RFC 4954 (with auth_mechanisms) */
    SMTPP_EXT_REQUIRETLS = 1 << 10,          /**< RFC 8689 */
    SMTPP_EXT_DELIVERBY = 1 << 11,           /**< RFC 2852 */
    SMTPP_EXT_FUTURERELEASE = 1 << 12,       /**< RFC 4865 */
    SMTPP_EXT_MT_PRIORITY = 1 << 13,         /**< RFC 6710 */
    SMTPP_EXT_RRVS = 1 << 14,                /**< RFC 7293 */
    SMTPP_EXT_LIMITS = 1 << 15,              /**< RFC 9422 */
    SMTPP_EXT_MTRK = 1 << 16,                /**< RFC 3885 */
    SMTPP_EXT_NO_SOLICITING = 1 << 17,       /**< RFC 3865 */
    SMTPP_EXTENSION_FORCE_INT_MIN_ = -0x7FFFFFFF - 1, /**< not a value: with the next, makes every int a valid value of the type in C++ too, so range checks of bad arguments stay defined */
    SMTPP_EXTENSION_FORCE_INT_MAX_ = 0x7FFFFFFF       /**< not a value */
} smtpp_extension;

/** What to do with bare CR/LF in DATA (C++ `smtpp::bare_newline_policy`). */
typedef enum smtpp_bare_newline {
    SMTPP_BARE_NEWLINE_REJECT = 0,    /**< deliver as is, refuse the message at its end (550 5.5.2): strict */
    SMTPP_BARE_NEWLINE_NORMALIZE = 1, /**< treat as a line end, deliver CRLF (Postfix `normalize`). RISK: the stored message differs from the bytes sent */
    SMTPP_BARE_NEWLINE_FORCE_INT_MIN_ = -0x7FFFFFFF - 1, /**< not a value: with the next, makes every int a valid value of the type in C++ too, so range checks of bad arguments stay defined */
    SMTPP_BARE_NEWLINE_FORCE_INT_MAX_ = 0x7FFFFFFF       /**< not a value */
} smtpp_bare_newline;

/** Parser options (C++ `smtpp::parse_options`): limits, and leniencies that are off by default, each with its risk. */
typedef struct smtpp_parse_options {
    size_t max_line;                  /**< longest command line, CRLF included (RFC 5321 §4.5.3.1.4: 512) */
    size_t max_auth_line;             /**< longest AUTH line (RFC 4954 §4: 12288) */
    int smtputf8;                     /**< SMTPUTF8 was advertised (RFC 6531) */
    int smtputf8_transaction;         /**< the transaction was opened with SMTPUTF8 */
    int allow_space_after_colon;      /**< accept "MAIL FROM: <a@b>". Risk: cosmetic */
    int allow_missing_brackets;       /**< accept "MAIL FROM:a@b". Risk: an address with SP cannot be written */
    int allow_extra_spaces;           /**< accept several SP between fields. Risk: cosmetic */
    int allow_helo_address_literal;   /**< accept "HELO [192.0.2.1]". Risk: cosmetic */
    int allow_lowercase_xtext_hex;    /**< accept "+2b" in xtext. Risk: a second spelling of one value */
    int allow_bare_lf;                /**< accept a bare LF line end. RISK: SMTP smuggling (CVE-2023-51764); RFC 5321 §2.3.8 forbids it */
} smtpp_parse_options;

/** Sets `o` to the strict defaults of the C++ `parse_options`. No-op on NULL. */
SMTPP_API void smtpp_parse_options_init(smtpp_parse_options *o);

/** What the host chooses for its server sessions (C++ `smtpp::policy_options`). Views need only live during smtpp_policy_init(). */
typedef struct smtpp_policy_options {
    smtpp_view hostname;               /**< our name in 220/221/421/250 (printable, no SP); default "localhost" */
    smtpp_view greeting;               /**< text after the host name in 220; empty: "ESMTP"/"LMTP" */
    uint32_t extensions;               /**< ::smtpp_extension bits to advertise */
    uint32_t auth_mechanisms;          /**< 1 << mechanism id, offered with SMTPP_EXT_AUTH (ids as smtpp_mechanism_id()) */
    uint64_t max_message_size;         /**< RFC 1870 SIZE limit in octets; 0 = none */
    uint16_t max_recipients;           /**< RFC 5321 §4.5.3.1.8; excess gets 452 4.5.3; 0 = none of the host's own */
    uint16_t limits_mailmax;           /**< RFC 9422 MAILMAX, advertised only; 0 = not advertised */
    uint8_t max_errors;                /**< client errors before 421 4.7.0 and close; 0 = never */
    uint32_t deliverby_min;            /**< RFC 2852 EHLO parameter */
    uint32_t futurerelease_max_interval;  /**< RFC 4865 EHLO parameter (seconds) */
    smtpp_view futurerelease_max_datetime;  /**< RFC 4865 EHLO parameter */
    smtpp_view mt_priority_policy;     /**< RFC 6710 EHLO parameter */
    int lmtp;                          /**< RFC 2033 LMTP */
    int require_auth;                  /**< RFC 4954 §6: 530 5.7.0 until AUTH */
    int require_tls;                   /**< RFC 3207 §4: 530 5.7.0 until STARTTLS */
    int auth_needs_tls;                /**< AUTH only under TLS (538 5.7.11) */
    int enforce_sync;                  /**< RFC 2920 §3.1 sync points: input pending behind them → 554 5.5.0 and close. Off: answered in order */
    int unknown_param_504;             /**< 504 instead of RFC 5321 §4.1.1.11's 555 for unknown parameters */
    int verify_senders;                /**< ask the host about each MAIL (SMTPP_ACTION_VERIFY_SENDER) */
    int verify_recipients;             /**< ask the host about each RCPT (SMTPP_ACTION_VERIFY_RECIPIENT) */
    smtpp_bare_newline bare_newline;   /**< DATA bare CR/LF policy */
    smtpp_parse_options parse;         /**< parser leniencies and base limits */
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
    smtpp_view text;        /**< the whole path as sent */
    smtpp_view route;       /**< source route, parsed and to be ignored (§4.1.2) */
    smtpp_view mailbox;     /**< "local@domain"; empty for `<>` and `<Postmaster>` */
    smtpp_view local_part;  /**< as sent (quoted local part keeps its quotes) */
    smtpp_view domain;      /**< domain or address literal */
    int is_null;            /**< `<>` */
    int is_postmaster;      /**< `\<Postmaster\>` without a domain */
    int quoted;             /**< the local part is a Quoted-string */
    int utf8;               /**< the path holds UTF-8 (RFC 6531) */
} smtpp_path;

/** The fields of a parsed command (C++ `smtpp::command`); which are set depends on the verb. */
typedef struct smtpp_command_fields {
    smtpp_verb verb;              /**< the command */
    smtpp_view line;              /**< the whole line, terminator included */
    smtpp_view verb_text;         /**< the verb as sent */
    smtpp_view argument;          /**< HELO/EHLO/LHLO domain, VRFY/EXPN/HELP/NOOP/ETRN argument, unknown verb's rest */
    smtpp_view mechanism;         /**< AUTH mechanism as sent */
    unsigned mechanism_id;        /**< AUTH mechanism id (C++ `sasl_mechanism`; 0 = other) */
    int has_initial_response;     /**< AUTH carried an initial response */
    smtpp_view initial_response;  /**< AUTH initial response ("=" for empty) */
    uint64_t chunk_size;          /**< BDAT size */
    int last;                     /**< BDAT ... LAST */
    int smtputf8;                 /**< VRFY/EXPN ... SMTPUTF8 */
    smtpp_path path;              /**< MAIL/RCPT path */
    uint32_t params_present;      /**< MAIL/RCPT parameter bits (C++ `param_bit`) */
    uint64_t size;                /**< SIZE= (RFC 1870) */
    unsigned body;                /**< BODY=: 0 none, 1 7BIT, 2 8BITMIME, 3 BINARYMIME */
    unsigned ret;                 /**< RET=: 0 none, 1 FULL, 2 HDRS */
    unsigned notify;              /**< NOTIFY= bits: 1 NEVER, 2 SUCCESS, 4 FAILURE, 8 DELAY */
    smtpp_view envid;             /**< ENVID= xtext, encoded */
    smtpp_view auth;              /**< AUTH= xtext, encoded */
    smtpp_view orcpt_type;        /**< ORCPT= addr-type */
    smtpp_view orcpt;             /**< ORCPT= address, encoded */
    smtpp_view unknown_param;     /**< the first unrecognised parameter */
    smtpp_view params_text;       /**< all parameters as sent */
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
SMTPP_API smtpp_error smtpp_on_line_error(const smtpp_policy *p, smtpp_session *s, smtpp_line_error e,
                                          const char *head, size_t head_len, smtpp_step_result *out);
/** The host's verdict on a pending decision (verify_*, deliver). */
SMTPP_API smtpp_error smtpp_resolve(const smtpp_policy *p, smtpp_session *s, smtpp_verdict v, smtpp_step_result *out);
/** Continues AUTH with `334 challenge` written into `buf` (RFC 4954 §4); `out->reply` views `buf`. */
SMTPP_API smtpp_error smtpp_auth_challenge(const smtpp_policy *p, smtpp_session *s, const char *challenge, size_t len,
                                           char *buf, size_t cap, smtpp_step_result *out);
/** The DATA decoder's end event with its verdict. */
SMTPP_API smtpp_error smtpp_end_of_data(const smtpp_policy *p, smtpp_session *s, smtpp_data_error v, smtpp_step_result *out);
/** The BDAT decoder's end-of-chunk event with its verdict. */
SMTPP_API smtpp_error smtpp_end_of_chunk(const smtpp_policy *p, smtpp_session *s, smtpp_data_error v, smtpp_step_result *out);
/** The TLS handshake after STARTTLS succeeded (RFC 3207 §4.2: the session starts fresh). */
SMTPP_API smtpp_error smtpp_tls_established(const smtpp_policy *p, smtpp_session *s, smtpp_step_result *out);
/** The host's read deadline expired: 421 4.4.2 and close. */
SMTPP_API smtpp_error smtpp_timeout(const smtpp_policy *p, smtpp_session *s, smtpp_step_result *out);
/** The host shuts down: 421 4.3.2 and close. */
SMTPP_API smtpp_error smtpp_shutdown(const smtpp_policy *p, smtpp_session *s, smtpp_step_result *out);
/** @} */

/* ---------------------------------------------------------------------------------------- */
/** @name The line reader (RFC 5321 §2.3.8, §4.5.3.1.4)
 * @{ */

/** Options of the line reader. */
typedef struct smtpp_line_options {
    size_t max_line;    /**< longest line, CRLF included (512); capped at the buffer's capacity */
    int allow_bare_lf;  /**< accept bare LF line ends. RISK: SMTP smuggling; RFC 5321 §4.1.1.4 forbids it */
} smtpp_line_options;

/** One result of smtpp_line_next(). */
typedef struct smtpp_line_event {
    smtpp_status status;   /**< COMPLETE: a line; FAILED: a refused line; NEED_MORE */
    smtpp_line_error error;/**< why the line was refused */
    smtpp_view line;       /**< the line with its terminator, or the refused line's first octets; valid until the next call */
    size_t consumed;       /**< octets of the input this call used */
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
    smtpp_bare_newline bare_newline;  /**< bare CR/LF handling */
    uint64_t max_size;                /**< RFC 1870 size limit; 0 = none */
    size_t max_text_line;             /**< longest text line (RFC 5321 §4.5.3.1.6: 1000); 0 = none */
    int reject_nul;                   /**< refuse a NUL (RFC 2045 §2.7) */
} smtpp_data_options;

/** Options of the BDAT decoder; smtpp_chunk_options() derives them from a policy. */
typedef struct smtpp_bdat_options {
    int reject_bare_newline;  /**< refuse bare CR/LF (RFC 3030 §3, unless BINARYMIME) */
    int reject_nul;           /**< refuse a NUL */
    uint64_t max_size;        /**< size limit across chunks; 0 = none */
} smtpp_bdat_options;

/** The kind of a decoder event. */
typedef enum smtpp_data_event_kind {
    SMTPP_DATA_EVENT_NONE = 0,     /**< nothing produced: feed more */
    SMTPP_DATA_EVENT_CONTENT = 1,  /**< `content` holds message bytes */
    SMTPP_DATA_EVENT_END = 2,      /**< end of data / of the chunk; `error` is the verdict */
    SMTPP_DATA_EVENT_KIND_FORCE_INT_MIN_ = -0x7FFFFFFF - 1, /**< not a value: with the next, makes every int a valid value of the type in C++ too, so range checks of bad arguments stay defined */
    SMTPP_DATA_EVENT_KIND_FORCE_INT_MAX_ = 0x7FFFFFFF       /**< not a value */
} smtpp_data_event_kind;

/** One result of smtpp_data_next() / smtpp_bdat_next(). */
typedef struct smtpp_data_event {
    smtpp_data_event_kind kind;  /**< what was produced */
    smtpp_view content;          /**< message bytes (views the input) */
    size_t consumed;             /**< octets of the input used */
    smtpp_data_error error;      /**< the verdict (END) */
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
/** @name Replies and names
 * @{ */

/** The reply for a refused command line (RFC 5321 §4.2.2, RFC 3463). */
SMTPP_API smtpp_error smtpp_reply_for_command(smtpp_command_error e, smtpp_reply_hint *out);
/** The reply for a line the line reader refused. */
SMTPP_API smtpp_error smtpp_reply_for_line(smtpp_line_error e, smtpp_reply_hint *out);
/** The reply for a refused body. */
SMTPP_API smtpp_error smtpp_reply_for_data(smtpp_data_error e, smtpp_reply_hint *out);
/** Languages of the catalog (C++ `smtpp::lang`). */
typedef enum smtpp_lang {
    SMTPP_LANG_EN = 0,  /**< English */
    SMTPP_LANG_RU = 1,  /**< Russian (UTF-8) */
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
    uint8_t esc_class;           /**< class asked about */
    uint16_t esc_subject;        /**< subject asked about */
    uint16_t esc_detail;         /**< detail asked about */
    int valid;                   /**< class 2/4/5, subject and detail 0..999 */
    int listed;                  /**< in the IANA registry */
    int known_subject;           /**< subject 0..7 (RFC 3463 §3) */
    smtpp_view cls;              /**< "2.X.X Success", ... */
    smtpp_view cls_meaning;      /**< what the class means */
    smtpp_view subject;          /**< "X.1.X Addressing Status", ... */
    smtpp_view subject_meaning;  /**< what the subject means */
    smtpp_view title;            /**< short title */
    smtpp_view description;      /**< what the code says */
    smtpp_view rfc;              /**< where it is defined */
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
