/* The client side of the C API (include/smtpp/smtpp.h) from C: the reply reader (RFC 5321
 * §4.2, RFC 2034, RFC 3463), EHLO capabilities (RFC 5321 §4.1.1.1) and the client session.
 *
 * - reply vectors fed whole, byte by byte and split at every position in two: the lines,
 *   the summaries and the verdict must be the same every time (split invariance);
 * - EHLO replies parsed field by field, and every proper prefix gives NEED_MORE;
 * - the client transcripts of tests/data/client (format: its README.md) whose envelope
 *   gives recipients one at a time (the C envelope's model) run through a complete C host
 *   (reply reader -> collector -> smtpp_client_step, body dot-stuffed here), with the
 *   server's bytes whole, byte by byte and cut at every position: the client's writes and
 *   events must equal those the C++ client wrote into the transcript;
 * - the argument checks (NULL, undersized, misaligned, uninitialised storage, bad enums);
 * - outside sanitizer builds, a counting malloc proving the C API allocates nothing.
 *
 * Usage: test_c_client <tests/data/client directory>
 */
#include <smtpp/smtpp.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a counting allocator (glibc interposition; off under sanitizers) ------------------ */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SMTPP_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SMTPP_TEST_ASAN 1
#endif
#if defined(__GLIBC__) && !defined(SMTPP_TEST_ASAN)
#define SMTPP_COUNT_ALLOCS 1
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);
static unsigned long g_allocs;
void *malloc(size_t n) {
    ++g_allocs;
    return __libc_malloc(n);
}
void *calloc(size_t a, size_t b) {
    ++g_allocs;
    return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n) {
    ++g_allocs;
    return __libc_realloc(p, n);
}
void *aligned_alloc(size_t a, size_t n) {
    ++g_allocs;
    return __libc_memalign(a, n);
}
int posix_memalign(void **p, size_t a, size_t n) {
    ++g_allocs;
    *p = __libc_memalign(a, n);
    return *p == NULL ? 12 : 0;
}
void free(void *p) { __libc_free(p); }
#else
static unsigned long g_allocs;
#endif
/* allocations the test itself makes (the exactly sized input pieces, reading the files) */
static unsigned long g_test_allocs;

static int g_failures;
#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            ++g_failures;                                                            \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

/* ---- a growing text log (fixed capacity) -------------------------------------------------- */
#define LOG_CAP (1u << 18)
typedef struct text {
    char buf[LOG_CAP];
    size_t len;
} text;

static void put(text *t, const char *p, size_t n) {
    const size_t room = t->len < LOG_CAP - 1 ? LOG_CAP - 1 - t->len : 0;
    if (n > room) n = room;
    memcpy(t->buf + t->len, p, n);
    t->len += n;
    t->buf[t->len] = '\0';
}
static void puts_(text *t, const char *s) { put(t, s, strlen(s)); }
static void putf(text *t, const char *fmt, unsigned a, unsigned b, unsigned c) {
    char tmp[128];
    int n = snprintf(tmp, sizeof tmp, fmt, a, b, c);
    if (n > 0) put(t, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}
/* as the C++ harness escapes: \r \n \t \\ and \xHH for other controls */
static void put_escaped(text *t, const char *p, size_t n) {
    size_t i;
    for (i = 0; i < n; ++i) {
        const unsigned char u = (unsigned char)p[i];
        if (u == '\r') puts_(t, "\\r");
        else if (u == '\n') puts_(t, "\\n");
        else if (u == '\t') puts_(t, "\\t");
        else if (u == '\\') puts_(t, "\\\\");
        else if (u < 0x20 || u == 0x7f) putf(t, "\\x%02X", u, 0, 0);
        else put(t, p + i, 1);
    }
}

/* Hands `p[0, len)` to `fn` in pieces (piece 0: whole; split > 0: two pieces cut there),
 * each in its own exactly sized heap buffer so that an over-read faults under ASan. */
typedef int (*feed_fn)(void *ctx, const char *p, size_t n);
static int feed_pieces(const char *p, size_t len, size_t piece, size_t split, feed_fn fn, void *ctx) {
    size_t i = 0;
    if (len == 0) return fn(ctx, "", 0);
    while (i < len) {
        size_t n;
        char *buf;
        int stop;
        if (split != 0) n = i == 0 ? (split < len ? split : len) : len - i;
        else n = piece == 0 ? len : (piece < len - i ? piece : len - i);
        buf = (char *)malloc(n);
        ++g_test_allocs;
        if (buf == NULL) abort();
        memcpy(buf, p + i, n);
        stop = fn(ctx, buf, n);
        free(buf);
        if (stop) return 1;
        i += n;
    }
    return 0;
}

/* ---- the reply reader ---------------------------------------------------------------------- */
typedef struct reply_ctx {
    smtpp_reply_reader rd;
    text log;
    int failed;
} reply_ctx;

static int reply_feed(void *vctx, const char *p, size_t n) {
    reply_ctx *c = (reply_ctx *)vctx;
    size_t off = 0;
    for (;;) {
        smtpp_reply_event ev;
        CHECK(smtpp_reply_next_line(&c->rd, p + off, n - off, &ev) == SMTPP_OK);
        off += ev.consumed;
        CHECK(off <= n);
        if (ev.status == SMTPP_NEED_MORE) {
            CHECK(off == n);
            return 0;
        }
        if (ev.status == SMTPP_FAILED) {
            puts_(&c->log, "failed ");
            puts_(&c->log, smtpp_reply_error_name(ev.error));
            puts_(&c->log, "\n");
            c->failed = 1;
            return 1;
        }
        putf(&c->log, "%u", ev.line.code, 0, 0);
        puts_(&c->log, ev.line.last ? " " : "-");
        if (ev.line.esc_class != 0)
            putf(&c->log, "[%u.%u.%u] ", ev.line.esc_class, ev.line.esc_subject, ev.line.esc_detail);
        put_escaped(&c->log, ev.line.text.ptr, ev.line.text.len);
        putf(&c->log, " #%u\n", ev.line.index, 0, 0);
        if (ev.line.last) {
            smtpp_reply_summary s;
            CHECK(smtpp_reply_summary_of(&c->rd, &s) == SMTPP_OK);
            putf(&c->log, "= %u lines %u bytes %u", s.code, s.lines, s.bytes);
            putf(&c->log, " esc %u.%u.%u\n", s.esc_class, s.esc_subject, s.esc_detail);
        }
    }
}

/* Runs `in` through a fresh reader; appends "end <status>" after smtpp_reply_finish(). */
static void reply_run(reply_ctx *c, const smtpp_reply_options *o, int ehlo, const char *in, size_t len, size_t piece,
                      size_t split) {
    smtpp_status st;
    c->log.len = 0;
    c->log.buf[0] = '\0';
    c->failed = 0;
    CHECK(smtpp_reply_reader_init(&c->rd, sizeof c->rd, o) == SMTPP_OK);
    if (ehlo) CHECK(smtpp_reply_expect_ehlo(&c->rd) == SMTPP_OK);
    feed_pieces(in, len, piece, split, reply_feed, c);
    CHECK(smtpp_reply_finish(&c->rd, &st) == SMTPP_OK);
    puts_(&c->log, st == SMTPP_COMPLETE ? "end complete\n" : "end failed ");
    if (st != SMTPP_COMPLETE) {
        puts_(&c->log, smtpp_reply_error_name(smtpp_reply_error_of(&c->rd)));
        puts_(&c->log, "\n");
    }
}

typedef struct reply_vector {
    const char *why; /* the RFC rule */
    const char *in;
    int ehlo, bare_lf;
    const char *expected;
} reply_vector;

static const reply_vector reply_vectors[] = {
    {"RFC 5321 §4.2.1: a multi-line reply, one code on every line",
     "250-mx.example\r\n250-PIPELINING\r\n250 SIZE 1000\r\n", 0, 0,
     "250-mx.example #0\n250-PIPELINING #1\n250 SIZE 1000 #2\n= 250 lines 3 bytes 47 esc 0.0.0\nend complete\n"},
    {"RFC 3463 §2, RFC 2034 §4: enhanced codes of the reply's class; two replies in one read",
     "550 5.1.1 No such user\r\n452-4.5.3 Too many\r\n452 4.5.3 recipients\r\n", 0, 0,
     "550 [5.1.1] No such user #0\n= 550 lines 1 bytes 24 esc 5.1.1\n452-[4.5.3] Too many #0\n452 [4.5.3] recipients #1\n"
     "= 452 lines 2 bytes 42 esc 4.5.3\nend complete\n"},
    {"RFC 3463 §2: a code of another class stays text", "250 5.1.1 odd\r\n", 0, 0,
     "250 5.1.1 odd #0\n= 250 lines 1 bytes 15 esc 0.0.0\nend complete\n"},
    {"RFC 5321 §4.2: the code alone, without SP", "220\r\n", 0, 0,
     "220  #0\n= 220 lines 1 bytes 5 esc 0.0.0\nend complete\n"},
    {"RFC 5321 §4.2.1: the code differs between lines", "250-a\r\n251 b\r\n", 0, 0,
     "250-a #0\nfailed reply code differs between lines\nend failed reply code differs between lines\n"},
    {"RFC 5321 §4.2: Reply-code = %x32-35 %x30-35 %x30-39", "260 no\r\n", 0, 0,
     "failed bad reply code\nend failed bad reply code\n"},
    {"RFC 5321 §2.3.8: a bare LF is no line end", "250 ok\n", 0, 0,
     "failed bare LF in reply\nend failed bare LF in reply\n"},
    {"... unless allow_bare_lf (a named leniency)", "250 ok\n", 0, 1,
     "250 ok #0\n= 250 lines 1 bytes 7 esc 0.0.0\nend complete\n"},
    {"a control character in the text", "250 a\x1b[2Jb\r\n", 0, 0,
     "failed forbidden character in reply text\nend failed forbidden character in reply text\n"},
    {"RFC 5321 §4.1.1.1: ehlo-greet may carry controls on the first line of the EHLO reply",
     "250-mx \x01hi\r\n250 8BITMIME\r\n", 1, 0,
     "250-mx \\x01hi #0\n250 8BITMIME #1\n= 250 lines 2 bytes 26 esc 0.0.0\nend complete\n"},
    {"the stream ends inside a multi-line reply", "250-a\r\n250-b", 0, 0,
     "250-a #0\nend failed connection closed inside a reply\n"},
};

static void test_reply_reader(void) {
    static reply_ctx whole, other;
    static const size_t pieces[] = {1, 2, 3, 7};
    size_t v;
    for (v = 0; v < sizeof reply_vectors / sizeof reply_vectors[0]; ++v) {
        const reply_vector *rv = &reply_vectors[v];
        const size_t len = strlen(rv->in);
        smtpp_reply_options o;
        size_t k;
        smtpp_reply_options_init(&o);
        o.allow_bare_lf = rv->bare_lf;
        reply_run(&whole, &o, rv->ehlo, rv->in, len, 0, 0);
        if (strcmp(whole.log.buf, rv->expected) != 0) {
            ++g_failures;
            fprintf(stderr, "reply vector %u (%s):\n--- got\n%s--- expected\n%s", (unsigned)v, rv->why, whole.log.buf,
                    rv->expected);
            continue;
        }
        for (k = 0; k < sizeof pieces / sizeof pieces[0]; ++k) {
            reply_run(&other, &o, rv->ehlo, rv->in, len, pieces[k], 0);
            if (strcmp(other.log.buf, whole.log.buf) != 0) {
                ++g_failures;
                fprintf(stderr, "reply vector %u (%s): differs in pieces of %u\n", (unsigned)v, rv->why,
                        (unsigned)pieces[k]);
            }
        }
        for (k = 1; k < len; ++k) {
            reply_run(&other, &o, rv->ehlo, rv->in, len, 0, k);
            if (strcmp(other.log.buf, whole.log.buf) != 0) {
                ++g_failures;
                fprintf(stderr, "reply vector %u (%s): differs split at %u\n", (unsigned)v, rv->why, (unsigned)k);
                break;
            }
        }
    }
    /* next_reply, the STARTTLS rule (RFC 3207 §4.2: nothing may follow the 220), reset */
    {
        static smtpp_reply_reader rd;
        smtpp_reply_event ev;
        smtpp_reply_summary s;
        smtpp_status st;
        const char two[] = "220-go\r\n220 ahead\r\n250 injected\r\n";
        CHECK(smtpp_reply_reader_init(&rd, sizeof rd, NULL) == SMTPP_OK);
        CHECK(smtpp_reply_next_reply(&rd, two, sizeof two - 1, &ev, &s) == SMTPP_OK);
        CHECK(ev.status == SMTPP_COMPLETE && ev.consumed == 19 && s.code == 220 && s.lines == 2 && ev.line.index == 1);
        CHECK(ev.line.text.len == 5 && memcmp(ev.line.text.ptr, "ahead", 5) == 0);
        CHECK(smtpp_reply_expect_end_of_input(&rd, two + ev.consumed, sizeof two - 1 - ev.consumed, &st) == SMTPP_OK);
        CHECK(st == SMTPP_FAILED && smtpp_reply_error_of(&rd) == SMTPP_REPLY_UNEXPECTED_DATA);
        CHECK(smtpp_reply_next_line(&rd, "250 x\r\n", 7, &ev) == SMTPP_OK && ev.status == SMTPP_FAILED); /* sticky */
        CHECK(smtpp_reply_reset(&rd) == SMTPP_OK && smtpp_reply_error_of(&rd) == SMTPP_REPLY_NONE);
        CHECK(smtpp_reply_next_line(&rd, "250-x\r\n", 7, &ev) == SMTPP_OK && ev.status == SMTPP_COMPLETE);
        CHECK(smtpp_reply_in_reply(&rd) == 1);
        CHECK(smtpp_reply_next_reply(&rd, "250 y\r\n", 7, &ev, NULL) == SMTPP_OK && ev.status == SMTPP_COMPLETE);
        CHECK(smtpp_reply_in_reply(&rd) == 0);
        CHECK(smtpp_reply_expect_end_of_input(&rd, NULL, 0, &st) == SMTPP_OK && st == SMTPP_COMPLETE);
    }
    /* max_lines (a named limit): the reply grows past it */
    {
        static smtpp_reply_reader rd;
        smtpp_reply_options o;
        smtpp_reply_event ev;
        smtpp_reply_options_init(&o);
        CHECK(o.max_line == 512 && o.max_lines == 0 && o.allow_8bit && !o.allow_bare_lf && !o.allow_ctl);
        o.max_lines = 1;
        CHECK(smtpp_reply_reader_init(&rd, sizeof rd, &o) == SMTPP_OK);
        CHECK(smtpp_reply_next_line(&rd, "250-a\r\n250 b\r\n", 14, &ev) == SMTPP_OK && ev.status == SMTPP_COMPLETE);
        CHECK(smtpp_reply_next_line(&rd, "250 b\r\n", 7, &ev) == SMTPP_OK && ev.status == SMTPP_FAILED);
        CHECK(ev.error == SMTPP_REPLY_TOO_LONG);
    }
    /* the hints a client records for a broken reply: always transient (RFC 3464 DSN) */
    {
        smtpp_reply_hint h;
        CHECK(smtpp_reply_for_reply(SMTPP_REPLY_TRUNCATED, &h) == SMTPP_OK && h.code == 421 && h.esc_class == 4);
        CHECK(smtpp_reply_for_reply(SMTPP_REPLY_BAD_CODE, &h) == SMTPP_OK && h.code == 451);
        CHECK(smtpp_reply_for_reply((smtpp_reply_error)11, &h) == SMTPP_E_ARGUMENT);
        CHECK(strcmp(smtpp_reply_error_name((smtpp_reply_error)-1), "?") == 0);
    }
}

/* ---- EHLO ------------------------------------------------------------------------------------ */
static int view_is(smtpp_view v, const char *s) {
    return v.len == strlen(s) && (v.len == 0 || memcmp(v.ptr, s, v.len) == 0);
}

static void test_ehlo(void) {
    static smtpp_ehlo caps;
    smtpp_ehlo_fields f;
    smtpp_ehlo_result res;
    smtpp_view kw, pa;
    /* RFC 5321 §4.1.1.1 ehlo-ok-rsp; SIZE (RFC 1870 §4), AUTH (RFC 4954 §3), LIMITS (RFC 9422) */
    const char reply[] =
        "250-mx.example Hello there\r\n250-PIPELINING\r\n250-SIZE 35882577\r\n"
        "250-AUTH PLAIN LOGIN X-FOO\r\n250-8bitmime\r\n250-X-VENDOR a=b\r\n250-LIMITS RCPTMAX=50\r\n"
        "250-STARTTLS\r\n250-bad_line!\r\n250 CHUNKING\r\n221 not this\r\n";
    const size_t whole = sizeof reply - 1 - strlen("221 not this\r\n");
    size_t k;
    CHECK(smtpp_parse_ehlo(reply, sizeof reply - 1, &caps, sizeof caps, NULL, &res) == SMTPP_OK);
    CHECK(res.status == SMTPP_COMPLETE && res.consumed == whole);
    CHECK(smtpp_ehlo_fields_of(&caps, &f) == SMTPP_OK);
    CHECK(f.code == 250 && f.lines == 10 && view_is(f.domain, "mx.example") && view_is(f.greet, "Hello there"));
    CHECK(f.extensions ==
          (uint32_t)(SMTPP_EHLO_EXT_PIPELINING | SMTPP_EHLO_EXT_SIZE | SMTPP_EHLO_EXT_AUTH | SMTPP_EHLO_EXT_8BITMIME |
                     SMTPP_EHLO_EXT_LIMITS | SMTPP_EHLO_EXT_STARTTLS | SMTPP_EHLO_EXT_CHUNKING));
    CHECK(f.size_known && f.size == 35882577u);
    CHECK(f.auth_mechanisms == (uint32_t)(SMTPP_SASL_PLAIN | SMTPP_SASL_LOGIN) && f.auth_unknown == 1);
    CHECK(view_is(f.auth_params, "PLAIN LOGIN X-FOO"));
    CHECK(f.limit_rcptmax == 50 && f.limit_mailmax == 0);
    CHECK(f.unknown_count == 1 && f.unknown_overflow == 0 && f.malformed_lines == 1);
    CHECK(smtpp_ehlo_unknown(&caps, 0, &kw, &pa) == SMTPP_OK && view_is(kw, "X-VENDOR") && view_is(pa, "a=b"));
    CHECK(smtpp_ehlo_unknown(&caps, 1, &kw, &pa) == SMTPP_E_ARGUMENT);
    CHECK(smtpp_ehlo_unknown(&caps, 0, NULL, &pa) == SMTPP_E_NULL);
    /* split invariance by construction: every proper prefix needs more, the fields never differ */
    for (k = 0; k < whole; ++k) {
        CHECK(smtpp_parse_ehlo(reply, k, &caps, sizeof caps, NULL, &res) == SMTPP_OK);
        if (res.status != SMTPP_NEED_MORE) {
            ++g_failures;
            fprintf(stderr, "EHLO prefix of %u octets: status %d\n", (unsigned)k, (int)res.status);
            break;
        }
    }
    CHECK(smtpp_parse_ehlo(reply, whole, &caps, sizeof caps, NULL, &res) == SMTPP_OK && res.status == SMTPP_COMPLETE);
    CHECK(smtpp_ehlo_fields_of(&caps, &f) == SMTPP_OK && f.size == 35882577u && f.lines == 10);
    /* an old server's 502 (RFC 5321 §3.2: fall back to HELO): complete, only the code */
    CHECK(smtpp_parse_ehlo("502 5.5.1 no\r\n", 14, &caps, sizeof caps, NULL, &res) == SMTPP_OK);
    CHECK(res.status == SMTPP_COMPLETE && smtpp_ehlo_fields_of(&caps, &f) == SMTPP_OK && f.code == 502 &&
          f.extensions == 0);
    /* the reply reader's checks: a code mismatch fails (§4.2.1) */
    CHECK(smtpp_parse_ehlo("250-a\r\n251 b\r\n", 14, &caps, sizeof caps, NULL, &res) == SMTPP_OK);
    CHECK(res.status == SMTPP_FAILED && res.error == SMTPP_REPLY_CODE_MISMATCH);
    CHECK(smtpp_parse_ehlo(NULL, 3, &caps, sizeof caps, NULL, &res) == SMTPP_E_NULL);
    CHECK(smtpp_parse_ehlo("250 a\r\n", 7, &caps, sizeof caps - 1, NULL, &res) == SMTPP_E_STORAGE);
    CHECK(smtpp_parse_ehlo("250 a\r\n", 7, &caps, sizeof caps, NULL, NULL) == SMTPP_E_NULL);
}

/* ---- client transcripts ------------------------------------------------------------------------ */
#define MAX_RCPT 32
#define MAX_PACKETS 64
#define CASE_CAP (1u << 16)

typedef struct ccase {
    char title[256];
    int line;
    int supported; /* one_at_a_time, and no key the C host lacks */
    smtpp_client_config cfg;
    smtpp_envelope env;
    char strings[CASE_CAP]; /* the views' storage */
    size_t strings_len;
    const char *to[MAX_RCPT];
    size_t to_len[MAX_RCPT];
    int nto;
    const char *orcpt[MAX_RCPT];
    size_t orcpt_len[MAX_RCPT];
    int norcpt;
    int messages;
    size_t chunk;
    char body[CASE_CAP];
    size_t body_len;
    char packets[CASE_CAP];
    size_t packet_off[MAX_PACKETS + 1];
    int npackets;
    text expected;
} ccase;

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 0;
}

/* Appends the unescaped `s` (\r \n \t \0 \\ \xHH) to buf[*len]. */
static void unescape(const char *s, char *buf, size_t *len, size_t cap) {
    size_t n = strlen(s), i;
    for (i = 0; i < n && *len + 1 < cap; ++i) {
        char c = s[i];
        if (c != '\\' || i + 1 == n) {
            buf[(*len)++] = c;
            continue;
        }
        c = s[++i];
        if (c == 'r') buf[(*len)++] = '\r';
        else if (c == 'n') buf[(*len)++] = '\n';
        else if (c == 't') buf[(*len)++] = '\t';
        else if (c == '0') buf[(*len)++] = '\0';
        else if (c == 'x' && i + 2 < n + 1) {
            buf[(*len)++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else buf[(*len)++] = c;
    }
}

static smtpp_view keep(ccase *c, const char *escaped) {
    smtpp_view v;
    v.ptr = c->strings + c->strings_len;
    unescape(escaped, c->strings, &c->strings_len, CASE_CAP);
    v.len = (size_t)(c->strings + c->strings_len - v.ptr);
    return v;
}

static void apply_key(ccase *c, char *kv) {
    char *eq = strchr(kv, '=');
    const char *v = eq == NULL ? "" : eq + 1;
    if (eq != NULL) *eq = '\0';
    if (strcmp(kv, "lmtp") == 0) c->cfg.lmtp = 1;
    else if (strcmp(kv, "tls") == 0)
        c->cfg.tls = strcmp(v, "required") == 0 ? SMTPP_TLS_REQUIRED : SMTPP_TLS_OPPORTUNISTIC;
    else if (strcmp(kv, "user") == 0) c->cfg.user = keep(c, v);
    else if (strcmp(kv, "pass") == 0) c->cfg.password = keep(c, v);
    else if (strcmp(kv, "mech") == 0)
        c->cfg.mechanism = strcmp(v, "plain") == 0   ? SMTPP_CLIENT_MECH_PLAIN
                           : strcmp(v, "login") == 0 ? SMTPP_CLIENT_MECH_LOGIN
                                                     : SMTPP_CLIENT_MECH_XOAUTH2;
    else if (strcmp(kv, "auth_clear") == 0) c->cfg.auth_without_tls = 1;
    else if (strcmp(kv, "pipelining") == 0) c->cfg.use_pipelining = strcmp(v, "0") != 0;
    else if (strcmp(kv, "chunking") == 0) c->cfg.use_chunking = 1;
    else if (strcmp(kv, "chunk") == 0) c->chunk = (size_t)strtoul(v, NULL, 10);
    else if (strcmp(kv, "from") == 0) c->env.from = keep(c, v);
    else if (strcmp(kv, "to") == 0 && c->nto < MAX_RCPT) {
        smtpp_view w = keep(c, v);
        c->to[c->nto] = w.ptr;
        c->to_len[c->nto++] = w.len;
    } else if (strcmp(kv, "orcpt") == 0 && c->norcpt < MAX_RCPT) {
        smtpp_view w = keep(c, v);
        c->orcpt[c->norcpt] = w.ptr;
        c->orcpt_len[c->norcpt++] = w.len;
    } else if (strcmp(kv, "size") == 0) c->env.size = strtoull(v, NULL, 10);
    else if (strcmp(kv, "body") == 0) c->env.body = strcmp(v, "8bit") == 0 ? 2u : 3u;
    else if (strcmp(kv, "smtputf8") == 0) c->env.smtputf8 = 1;
    else if (strcmp(kv, "ret") == 0) c->env.ret = strcmp(v, "full") == 0 ? 1u : 2u;
    else if (strcmp(kv, "envid") == 0) c->env.envid = keep(c, v);
    else if (strcmp(kv, "notify") == 0) c->env.notify = (unsigned)strtoul(v, NULL, 10);
    else if (strcmp(kv, "messages") == 0) c->messages = atoi(v);
    else if (strcmp(kv, "helo") == 0) c->cfg.helo = keep(c, v);
    else if (strcmp(kv, "one_at_a_time") == 0) c->supported |= 2;
    else c->supported |= 4; /* a key this host does not implement (normalize): skip the case */
}

/* Loads case number `which` of `path`; returns 0 when there is none. */
static int load_case_(const char *path, int which, ccase *c);
static int load_case(const char *path, int which, ccase *c) {
    const unsigned long before = g_allocs;
    const int r = load_case_(path, which, c);
    g_test_allocs += g_allocs - before;
    return r;
}

static int load_case_(const char *path, int which, ccase *c) {
    FILE *f = fopen(path, "rb");
    static char ln[65536];
    int no = 0, idx = -1, in_packet = 0;
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        ++g_failures;
        return 0;
    }
    memset(c, 0, sizeof *c);
    smtpp_client_config_init(&c->cfg);
    smtpp_envelope_init(&c->env);
    c->messages = 1;
    while (fgets(ln, sizeof ln, f) != NULL) {
        size_t n = strlen(ln);
        const char *rest;
        ++no;
        while (n > 0 && (ln[n - 1] == '\n' || ln[n - 1] == '\r')) ln[--n] = '\0';
        if (strncmp(ln, "=== ", 4) == 0) {
            if (idx == which) break;
            ++idx;
            if (idx == which) {
                snprintf(c->title, sizeof c->title, "%.250s", ln + 4);
                c->line = no;
                c->env.from = keep(c, "a@b.example");
                c->cfg.helo = keep(c, "client.example");
            }
            in_packet = 0;
            continue;
        }
        if (idx != which || n == 0 || ln[0] == '#') continue;
        rest = n > 3 ? ln + 3 : "";
        if (strncmp(ln, "K:", 2) == 0) {
            char *tok;
            for (tok = strtok(ln + 2, " "); tok != NULL; tok = strtok(NULL, " ")) apply_key(c, tok);
        } else if (strncmp(ln, "B:", 2) == 0 || strncmp(ln, "B!", 2) == 0) {
            unescape(rest, c->body, &c->body_len, CASE_CAP);
            if (ln[1] == ':' && c->body_len + 2 < CASE_CAP) {
                c->body[c->body_len++] = '\r';
                c->body[c->body_len++] = '\n';
            }
        } else if (strncmp(ln, "S:", 2) == 0 || strncmp(ln, "S!", 2) == 0) {
            size_t len = c->packet_off[c->npackets];
            if (!in_packet) {
                if (c->npackets == MAX_PACKETS) break;
                ++c->npackets;
            }
            in_packet = 1;
            unescape(rest, c->packets, &len, CASE_CAP);
            if (ln[1] == ':' && len + 2 < CASE_CAP) {
                c->packets[len++] = '\r';
                c->packets[len++] = '\n';
            }
            c->packet_off[c->npackets] = len;
        } else {
            in_packet = 0;
            puts_(&c->expected, ln);
            puts_(&c->expected, "\n");
        }
    }
    fclose(f);
    /* the C envelope gives recipients one at a time; the recipient-list cases are C++ only */
    c->supported = (c->supported & 2) != 0 && (c->supported & 4) == 0;
    return idx >= which;
}

/* The C host: the server's packets cut into pieces; what the client writes and reports is
 * logged as the C++ harness (tests/client_harness.hpp) logs it. */
typedef struct chost {
    const ccase *c;
    smtpp_client cl;
    smtpp_reply_reader rd;
    smtpp_reply_collector col;
    char out[2048];
    text log;
    size_t piece, split;
    int next_packet;
    /* the current packet's pieces: [pos, end) of the piece being read, then the rest */
    const char *pk;
    size_t pk_len, piece_start, piece_end, pos;
} chost;

static void log_write(text *t, smtpp_view w) {
    const char *p = w.ptr;
    size_t n = w.len;
    while (n > 0) {
        const char *e = NULL;
        size_t i;
        for (i = 0; i + 1 < n; ++i)
            if (p[i] == '\r' && p[i + 1] == '\n') {
                e = p + i;
                break;
            }
        if (e == NULL) {
            puts_(t, "C! ");
            put_escaped(t, p, n);
            puts_(t, "\n");
            return;
        }
        if (e == p) puts_(t, "C:\n");
        else {
            puts_(t, "C: ");
            put_escaped(t, p, (size_t)(e - p));
            puts_(t, "\n");
        }
        n -= (size_t)(e - p) + 2;
        p = e + 2;
    }
}

static const char *const outcome_names[] = {"none", "accepted", "deferred", "refused"};
static const char *const error_names[] = {
    "none",           "greeting_refused",   "service_closing",  "ehlo_refused",      "tls_unavailable",
    "tls_refused",    "response_injection", "auth_unavailable", "auth_failed",       "auth_loop",
    "needs_smtputf8", "needs_8bitmime",     "needs_binarymime", "too_big",           "bad_address",
    "no_space",       "protocol",           "unexpected_reply", "no_recipients",     "mail_refused",
    "data_refused",   "message_refused",    "invalid_call",     "no_recipient_given"};

static void put_esc(text *t, const smtpp_client_result *r) {
    if (r->esc_class == 0) puts_(t, "-");
    else putf(t, "%u.%u.%u", r->esc_class, r->esc_subject, r->esc_detail);
}

static void log_event(text *t, const smtpp_client_result *r) {
    if (r->dsn_dropped) puts_(t, "E: dsn-dropped\n");
    switch (r->event) {
        case SMTPP_CLIENT_EVENT_SESSION: puts_(t, "E: session\n"); break;
        case SMTPP_CLIENT_EVENT_RECIPIENT:
        case SMTPP_CLIENT_EVENT_DELIVERY:
            puts_(t, r->event == SMTPP_CLIENT_EVENT_RECIPIENT ? "E: rcpt " : "E: delivery ");
            putf(t, "%u ", r->index, 0, 0);
            puts_(t, outcome_names[r->outcome]);
            putf(t, " %u ", r->code, 0, 0);
            put_esc(t, r);
            puts_(t, "\n");
            break;
        case SMTPP_CLIENT_EVENT_MESSAGE:
            puts_(t, "E: message ");
            puts_(t, outcome_names[r->outcome]);
            putf(t, " %u ", r->code, 0, 0);
            put_esc(t, r);
            puts_(t, " ");
            puts_(t, error_names[r->error]);
            puts_(t, "\n");
            break;
        case SMTPP_CLIENT_EVENT_FAILED:
            puts_(t, "E: failed ");
            puts_(t, error_names[r->error]);
            putf(t, " %u\n", r->code, 0, 0);
            break;
        default: break;
    }
}

/* Makes the next piece of input current; 0 at the end of the server's packets. */
static int next_piece(chost *h) {
    if (h->pk != NULL && h->piece_end < h->pk_len) {
        size_t n = h->piece == 0 ? h->pk_len - h->piece_end : h->piece;
        if (h->split != 0) n = h->pk_len - h->piece_end;
        if (n > h->pk_len - h->piece_end) n = h->pk_len - h->piece_end;
        h->piece_start = h->pos = h->piece_end;
        h->piece_end += n;
        return 1;
    }
    if (h->next_packet == h->c->npackets) return 0;
    h->pk = h->c->packets + h->c->packet_off[h->next_packet];
    h->pk_len = h->c->packet_off[h->next_packet + 1] - h->c->packet_off[h->next_packet];
    ++h->next_packet;
    h->piece_start = h->pos = 0;
    if (h->split != 0) h->piece_end = h->split < h->pk_len ? h->split : h->pk_len;
    else h->piece_end = h->piece == 0 || h->piece > h->pk_len ? h->pk_len : h->piece;
    return 1;
}

static void run_client(chost *h, const ccase *c, size_t piece, size_t split) {
    smtpp_client_result r;
    int sent = 0, given = 0, guard;
    size_t bdat_off = 0;
    char *piece_buf;
    memset(h, 0, sizeof *h);
    h->c = c;
    h->piece = piece;
    h->split = split;
    CHECK(smtpp_client_init(&h->cl, sizeof h->cl) == SMTPP_OK);
    CHECK(smtpp_reply_reader_init(&h->rd, sizeof h->rd, NULL) == SMTPP_OK);
    CHECK(smtpp_collector_init(&h->col, sizeof h->col) == SMTPP_OK);
    CHECK(smtpp_client_start(&c->cfg, &h->cl, &r) == SMTPP_OK);
    for (guard = 0; guard < 10000; ++guard) {
        log_event(&h->log, &r);
        log_write(&h->log, r.write);
        switch (r.action) {
            case SMTPP_CLIENT_ACTION_READ_REPLY: {
                int got = 0;
                smtpp_server_reply rep;
                if (r.expect_ehlo) CHECK(smtpp_reply_expect_ehlo(&h->rd) == SMTPP_OK);
                while (!got) {
                    smtpp_reply_event ev;
                    size_t n;
                    if (h->pk == NULL || h->pos == h->piece_end) {
                        if (!next_piece(h)) {
                            puts_(&h->log, "E: [eof]\n");
                            return;
                        }
                    }
                    /* the piece in an exactly sized copy: over-reads fault under ASan */
                    n = h->piece_end - h->pos;
                    piece_buf = (char *)malloc(n == 0 ? 1 : n);
                    ++g_test_allocs;
                    if (piece_buf == NULL) abort();
                    memcpy(piece_buf, h->pk + h->pos, n);
                    CHECK(smtpp_reply_next_line(&h->rd, piece_buf, n, &ev) == SMTPP_OK);
                    h->pos += ev.consumed;
                    /* the line's views are gone with the piece: the collector keeps none */
                    if (ev.status == SMTPP_COMPLETE) CHECK(smtpp_collector_add(&h->col, &ev.line, &got) == SMTPP_OK);
                    free(piece_buf);
                    if (ev.status == SMTPP_FAILED) {
                        puts_(&h->log, "E: reply-error ");
                        puts_(&h->log, smtpp_reply_error_name(ev.error));
                        puts_(&h->log, "\n");
                        return;
                    }
                    if (ev.status == SMTPP_NEED_MORE) continue;
                    /* bytes behind the reply: in this piece or later ones of the packet */
                    if (got) CHECK(smtpp_collector_set_trailing(&h->col, h->pos < h->pk_len) == SMTPP_OK);
                }
                CHECK(smtpp_collector_reply(&h->col, &rep) == SMTPP_OK);
                CHECK(smtpp_client_step(&c->cfg, &c->env, &h->cl, &rep, h->out, sizeof h->out, &r) == SMTPP_OK);
                break;
            }
            case SMTPP_CLIENT_ACTION_START_TLS:
                puts_(&h->log, "E: [tls]\n");
                CHECK(smtpp_reply_reset(&h->rd) == SMTPP_OK);
                h->pk = NULL; /* RFC 3207 §4.2: drop what was buffered */
                CHECK(smtpp_client_tls_established(&c->cfg, &h->cl, h->out, sizeof h->out, &r) == SMTPP_OK);
                break;
            case SMTPP_CLIENT_ACTION_SEND_BODY:
                if (!r.bdat) {
                    /* RFC 5321 §4.5.2 dot-stuffing and the §4.1.1.4 terminator (bodies end in CRLF) */
                    static text wire;
                    size_t i;
                    smtpp_view w;
                    wire.len = 0;
                    for (i = 0; i < c->body_len; ++i) {
                        if (c->body[i] == '.' && (i == 0 || c->body[i - 1] == '\n')) put(&wire, ".", 1);
                        put(&wire, c->body + i, 1);
                    }
                    put(&wire, ".\r\n", 3);
                    w.ptr = wire.buf;
                    w.len = wire.len;
                    log_write(&h->log, w);
                    CHECK(smtpp_client_body_done(&c->cfg, &h->cl, &r) == SMTPP_OK);
                } else {
                    const size_t size = c->chunk == 0 ? c->body_len : c->chunk;
                    const size_t n = size < c->body_len - bdat_off ? size : c->body_len - bdat_off;
                    const int last = bdat_off + n == c->body_len;
                    CHECK(smtpp_client_chunk(&c->cfg, &h->cl, n, last, h->out, sizeof h->out, &r) == SMTPP_OK);
                    log_write(&h->log, r.write);
                    r.write.ptr = NULL;
                    r.write.len = 0;
                    if (r.action == SMTPP_CLIENT_ACTION_READ_REPLY) {
                        puts_(&h->log, "C! ");
                        put_escaped(&h->log, c->body + bdat_off, n);
                        puts_(&h->log, "\n");
                        bdat_off += n;
                    }
                }
                break;
            case SMTPP_CLIENT_ACTION_READY:
                if (sent < c->messages) {
                    ++sent;
                    bdat_off = 0;
                    given = 0;
                    CHECK(smtpp_client_send(&c->cfg, &c->env, &h->cl, h->out, sizeof h->out, &r) == SMTPP_OK);
                } else {
                    CHECK(smtpp_client_quit(&c->cfg, &h->cl, &r) == SMTPP_OK);
                }
                break;
            case SMTPP_CLIENT_ACTION_NEXT_RECIPIENT:
                if (given < c->nto) {
                    const char *o = given < c->norcpt ? c->orcpt[given] : NULL;
                    const size_t olen = given < c->norcpt ? c->orcpt_len[given] : 0;
                    CHECK(smtpp_client_recipient(&c->cfg, &c->env, &h->cl, c->to[given], c->to_len[given], o, olen,
                                                 h->out, sizeof h->out, &r) == SMTPP_OK);
                    if (r.taken) ++given;
                    if (r.event == SMTPP_CLIENT_EVENT_RECIPIENT && r.error != SMTPP_CLIENT_E_NONE) {
                        puts_(&h->log, "E: local ");
                        puts_(&h->log, error_names[r.error]);
                        puts_(&h->log, "\n");
                    }
                } else {
                    CHECK(smtpp_client_recipients_done(&c->cfg, &c->env, &h->cl, h->out, sizeof h->out, &r) ==
                          SMTPP_OK);
                }
                break;
            case SMTPP_CLIENT_ACTION_CLOSE: puts_(&h->log, "E: [close]\n"); return;
            default: puts_(&h->log, "E: BUG unknown action\n"); return;
        }
        CHECK(r.phase == smtpp_client_phase_of(&h->cl));
    }
    puts_(&h->log, "E: BUG no end\n");
}

static ccase g_case;
static chost g_host, g_host2;

static int test_client_transcripts(const char *dir) {
    static const char *const files[] = {"basic.txt", "pipelining.txt", "extensions.txt", "tls_auth.txt",
                                        "lmtp.txt",  "bdat.txt",       "errors.txt",     "one_at_a_time.txt"};
    static const size_t pieces[] = {1, 2, 3, 7, 64};
    size_t fi;
    int ran = 0;
    for (fi = 0; fi < sizeof files / sizeof files[0]; ++fi) {
        char path[4096];
        int which;
        snprintf(path, sizeof path, "%s/%s", dir, files[fi]);
        for (which = 0; load_case(path, which, &g_case); ++which) {
            size_t k, longest = 0;
            int p;
            if (!g_case.supported) continue;
            ++ran;
            run_client(&g_host, &g_case, 0, 0);
            if (strcmp(g_host.log.buf, g_case.expected.buf) != 0) {
                ++g_failures;
                fprintf(stderr, "%s:%d %s\n--- got\n%s--- expected\n%s", files[fi], g_case.line, g_case.title,
                        g_host.log.buf, g_case.expected.buf);
                continue;
            }
            for (k = 0; k < sizeof pieces / sizeof pieces[0]; ++k) {
                run_client(&g_host2, &g_case, pieces[k], 0);
                if (strcmp(g_host2.log.buf, g_host.log.buf) != 0) {
                    ++g_failures;
                    fprintf(stderr, "%s:%d %s: differs in pieces of %u\n", files[fi], g_case.line, g_case.title,
                            (unsigned)pieces[k]);
                }
            }
            for (p = 0; p < g_case.npackets; ++p)
                if (g_case.packet_off[p + 1] - g_case.packet_off[p] > longest)
                    longest = g_case.packet_off[p + 1] - g_case.packet_off[p];
            for (k = 1; k < longest; ++k) {
                run_client(&g_host2, &g_case, 0, k);
                if (strcmp(g_host2.log.buf, g_host.log.buf) != 0) {
                    ++g_failures;
                    fprintf(stderr, "%s:%d %s: differs split at %u\n", files[fi], g_case.line, g_case.title,
                            (unsigned)k);
                    break;
                }
            }
        }
    }
    return ran;
}

/* ---- argument checks ---------------------------------------------------------------------------- */
static void test_arguments(void) {
    static smtpp_reply_reader rd;
    static smtpp_reply_collector col;
    smtpp_client cl;
    smtpp_client_config cfg;
    smtpp_envelope env;
    smtpp_client_result r;
    smtpp_server_reply rep;
    smtpp_reply_event ev;
    smtpp_reply_line line;
    smtpp_status st;
    char out[256];
    union {
        smtpp_client c;
        unsigned char b[sizeof(smtpp_client) + 8];
    } mis;
    {
        struct probe {
            char c;
            smtpp_reply_reader x;
        };
        CHECK(offsetof(struct probe, x) % 4 == 0);
        CHECK(sizeof(smtpp_reply_reader) >= SMTPP_REPLY_READER_SIZE && sizeof(smtpp_ehlo) >= SMTPP_EHLO_SIZE);
        CHECK(sizeof(smtpp_client) >= SMTPP_CLIENT_SIZE && sizeof(smtpp_reply_collector) >= SMTPP_REPLY_COLLECTOR_SIZE);
    }
    CHECK(smtpp_reply_reader_init(NULL, sizeof rd, NULL) == SMTPP_E_NULL);
    CHECK(smtpp_reply_reader_init(&rd, sizeof rd - 1, NULL) == SMTPP_E_STORAGE);
    memset(&rd, 0, sizeof rd);
    CHECK(smtpp_reply_next_line(&rd, "250 x\r\n", 7, &ev) == SMTPP_E_UNINITIALIZED);
    CHECK(smtpp_reply_finish(&rd, &st) == SMTPP_E_UNINITIALIZED);
    CHECK(smtpp_reply_in_reply(&rd) == 0 && smtpp_reply_error_of(&rd) == SMTPP_REPLY_NONE);
    CHECK(smtpp_reply_reader_init(&rd, sizeof rd, NULL) == SMTPP_OK);
    CHECK(smtpp_reply_next_line(&rd, NULL, 1, &ev) == SMTPP_E_NULL);
    CHECK(smtpp_reply_next_line(&rd, "x", 1, NULL) == SMTPP_E_NULL);
    CHECK(smtpp_reply_next_line(&rd, NULL, 0, &ev) == SMTPP_OK && ev.status == SMTPP_NEED_MORE && ev.consumed == 0);
    CHECK(smtpp_reply_finish(&rd, NULL) == SMTPP_E_NULL);
    CHECK(smtpp_reply_summary_of(&rd, NULL) == SMTPP_E_NULL);
    CHECK(smtpp_reply_expect_end_of_input(&rd, NULL, 2, &st) == SMTPP_E_NULL);

    smtpp_client_config_init(&cfg);
    smtpp_envelope_init(&env);
    CHECK(view_is(cfg.helo, "localhost") && cfg.use_pipelining && !cfg.use_chunking && cfg.tls == SMTPP_TLS_NONE);
    CHECK(env.from.len == 0 && env.body == 0 && env.notify == 0);
    CHECK(smtpp_client_init(&cl, 3) == SMTPP_E_STORAGE);
    CHECK(smtpp_client_init((smtpp_client *)(void *)(mis.b + 1), sizeof cl) == SMTPP_E_ALIGNMENT);
    memset(&cl, 0, sizeof cl);
    CHECK(smtpp_client_start(&cfg, &cl, &r) == SMTPP_E_UNINITIALIZED);
    CHECK(smtpp_client_phase_of(&cl) == SMTPP_CLIENT_PHASE_CLOSED);
    CHECK(smtpp_client_init(&cl, sizeof cl) == SMTPP_OK && smtpp_client_phase_of(&cl) == SMTPP_CLIENT_PHASE_CONNECT);
    CHECK(smtpp_client_start(NULL, &cl, &r) == SMTPP_E_NULL);
    CHECK(smtpp_client_start(&cfg, &cl, NULL) == SMTPP_E_NULL);
    cfg.tls = (smtpp_tls_mode)9;
    CHECK(smtpp_client_start(&cfg, &cl, &r) == SMTPP_E_ARGUMENT);
    cfg.tls = SMTPP_TLS_NONE;
    cfg.helo.ptr = NULL;
    CHECK(smtpp_client_start(&cfg, &cl, &r) == SMTPP_E_ARGUMENT); /* NULL view with a length */
    smtpp_client_config_init(&cfg);
    /* RFC 5321 §3.1, §4.5.3.2.1: wait for the greeting, 5 minutes */
    CHECK(smtpp_client_start(&cfg, &cl, &r) == SMTPP_OK);
    CHECK(r.action == SMTPP_CLIENT_ACTION_READ_REPLY && r.phase == SMTPP_CLIENT_PHASE_GREETING && r.timeout == 300);
    CHECK(r.write.len == 0);
    memset(&rep, 0, sizeof rep);
    rep.code = 220;
    CHECK(smtpp_client_step(&cfg, NULL, &cl, &rep, out, sizeof out, &r) == SMTPP_E_NULL);
    CHECK(smtpp_client_step(&cfg, &env, &cl, NULL, out, sizeof out, &r) == SMTPP_E_NULL);
    CHECK(smtpp_client_step(&cfg, &env, &cl, &rep, NULL, 5, &r) == SMTPP_E_NULL);
    env.body = 4;
    CHECK(smtpp_client_step(&cfg, &env, &cl, &rep, out, sizeof out, &r) == SMTPP_E_ARGUMENT);
    smtpp_envelope_init(&env);
    CHECK(smtpp_client_phase_of(&cl) == SMTPP_CLIENT_PHASE_GREETING); /* unchanged by the refused calls */
    /* RFC 5321 §4.1.1.1: EHLO with our name; the EHLO reply may carry controls */
    CHECK(smtpp_client_step(&cfg, &env, &cl, &rep, out, sizeof out, &r) == SMTPP_OK);
    CHECK(view_is(r.write, "EHLO localhost\r\n") && r.expect_ehlo && r.phase == SMTPP_CLIENT_PHASE_EHLO);
    /* a call the phase does not take: refused by the client, not by the C API */
    CHECK(smtpp_client_quit(&cfg, &cl, &r) == SMTPP_OK && r.error == SMTPP_CLIENT_E_INVALID_CALL);
    CHECK(r.event == SMTPP_CLIENT_EVENT_FAILED);
    /* the collector: SIZE and PIPELINING from the EHLO lines (RFC 1870 §4, RFC 2920) */
    CHECK(smtpp_collector_init(&col, sizeof col) == SMTPP_OK);
    CHECK(smtpp_reply_reader_init(&rd, sizeof rd, NULL) == SMTPP_OK);
    {
        const char ehlo[] = "250-mx.example\r\n250-SIZE 1000\r\n250 PIPELINING\r\n";
        size_t off = 0;
        int done = 0;
        while (!done) {
            CHECK(smtpp_reply_next_line(&rd, ehlo + off, sizeof ehlo - 1 - off, &ev) == SMTPP_OK);
            if (ev.status != SMTPP_COMPLETE) break;
            off += ev.consumed;
            CHECK(smtpp_collector_add(&col, &ev.line, &done) == SMTPP_OK);
        }
        CHECK(done && smtpp_collector_reply(&col, &rep) == SMTPP_OK);
        CHECK(rep.code == 250 && rep.size == 1000 &&
              rep.extensions == (uint32_t)(SMTPP_EHLO_EXT_SIZE | SMTPP_EHLO_EXT_PIPELINING) && !rep.trailing);
    }
    memset(&line, 0, sizeof line);
    line.text.len = 3;
    CHECK(smtpp_collector_add(&col, &line, NULL) == SMTPP_E_NULL);
    CHECK(smtpp_collector_add(&col, NULL, NULL) == SMTPP_E_NULL);
    CHECK(smtpp_collector_reply(&col, NULL) == SMTPP_E_NULL);
    CHECK(strcmp(smtpp_client_phase_name(SMTPP_CLIENT_PHASE_RCPT), "rcpt") == 0);
    CHECK(strcmp(smtpp_client_phase_name((smtpp_client_phase)18), "?") == 0);
    CHECK(strcmp(smtpp_client_error_name(SMTPP_CLIENT_E_MAIL_REFUSED), "MAIL refused") == 0);
    CHECK(strcmp(smtpp_client_error_name((smtpp_client_error)24), "?") == 0);
    {
        size_t i;
        for (i = 0; i < sizeof error_names / sizeof error_names[0]; ++i)
            CHECK(strcmp(smtpp_client_error_name((smtpp_client_error)i), "?") != 0);
    }
}

int main(int argc, char **argv) {
    unsigned long before;
    int ran;
    if (argc < 2) {
        fprintf(stderr, "usage: %s <tests/data/client>\n", argv[0]);
        return 2;
    }
    test_arguments();
    before = g_allocs;
    g_test_allocs = 0;
    test_reply_reader();
    test_ehlo();
    ran = test_client_transcripts(argv[1]);
    CHECK(ran >= 9);
#ifdef SMTPP_COUNT_ALLOCS
    CHECK(g_allocs - before - g_test_allocs == 0);
    printf("allocations by the C API: %lu\n", g_allocs - before - g_test_allocs);
#else
    (void)before;
    printf("allocation count not checked in this build (sanitizer or not glibc)\n");
#endif
    printf("%d client transcripts (one recipient at a time) run, %d failures\n", ran, g_failures);
    return g_failures == 0 ? 0 : 1;
}
