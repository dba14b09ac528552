/* The C API (include/smtpp/smtpp.h) run from C11 over the server transcripts of
 * tests/data/session (format: tests/data/session/README.md): a complete host written
 * against the C API only (line reader -> smtpp_step -> body decoders -> end of data/chunk,
 * decisions through smtpp_resolve/smtpp_auth_challenge), each transcript fed whole, byte
 * by byte, in pieces of 2, 3, 7 and 64 octets, and split at every position in two; the
 * output must equal the transcript's server lines every time. Also: the argument checks
 * (NULL, undersized, misaligned, uninitialised storage) and, outside sanitizer builds, a
 * counting malloc proving the C API allocates nothing.
 *
 * Usage: test_c_session <tests/data/session directory>
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

static int g_failures;
#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            ++g_failures;                                                            \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

/* ---- transcripts ------------------------------------------------------------------------ */
#define MAX_PACKETS 256
#define MAX_DECISIONS 64
#define MAX_TEXT (1u << 20)
#define MAX_KEEP 16

typedef struct decision {
    smtpp_verdict v;
    int is_challenge;
    char challenge[128];
} decision;

typedef struct transcript {
    char title[256];
    int line;
    smtpp_policy_options opts;
    char keep[MAX_KEEP][256];
    int nkeep;
    size_t packet_off[MAX_PACKETS + 1];
    int npackets;
    decision decisions[MAX_DECISIONS];
    int ndecisions;
    char *packets; /* MAX_TEXT */
    size_t packets_len;
    char *expected; /* MAX_TEXT */
    size_t expected_len;
    char error[256];
} transcript;

/* Copies the NUL-terminated `src` into dst[cap], truncating. */
static void copy_str(char *dst, size_t cap, const char *src) {
    size_t n = strlen(src);
    if (n >= cap) n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Appends the unescaped `s` to buf[*len] (capacity MAX_TEXT). */
static void unescape(const char *s, char *buf, size_t *len) {
    size_t n = strlen(s), i;
    for (i = 0; i < n; ++i) {
        char c = s[i];
        if (*len + 1 >= MAX_TEXT) return;
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
        } else if (c == '*') {
            const char *brace = strchr(s + i, '{');
            const char *close = brace == NULL ? NULL : strchr(brace, '}');
            long k, times = strtol(s + i + 1, NULL, 10);
            if (close == NULL) return;
            for (k = 0; k < times; ++k) {
                size_t u = (size_t)(close - brace - 1);
                if (*len + u >= MAX_TEXT) return;
                memcpy(buf + *len, brace + 1, u);
                *len += u;
            }
            i = (size_t)(close - s);
        } else buf[(*len)++] = c;
    }
}

static const char *const verdict_names[] = {"accept",       "reject",       "defer",   "unknown_user",
                                            "relay_denied", "mailbox_full", "too_big", "too_weak"};

static void apply_policy(transcript *t, const char *tok) {
    static const struct {
        const char *n;
        unsigned e;
    } exts[] = {{"pipelining", SMTPP_EXT_PIPELINING},
                {"size", SMTPP_EXT_SIZE},
                {"8bitmime", SMTPP_EXT_8BITMIME},
                {"smtputf8", SMTPP_EXT_SMTPUTF8},
                {"esc", SMTPP_EXT_ENHANCEDSTATUSCODES},
                {"dsn", SMTPP_EXT_DSN},
                {"chunking", SMTPP_EXT_CHUNKING},
                {"binarymime", SMTPP_EXT_BINARYMIME},
                {"starttls", SMTPP_EXT_STARTTLS},
                {"auth", SMTPP_EXT_AUTH},
                {"requiretls", SMTPP_EXT_REQUIRETLS},
                {"deliverby", SMTPP_EXT_DELIVERBY},
                {"futurerelease", SMTPP_EXT_FUTURERELEASE},
                {"mt-priority", SMTPP_EXT_MT_PRIORITY},
                {"rrvs", SMTPP_EXT_RRVS},
                {"limits", SMTPP_EXT_LIMITS}};
    smtpp_policy_options *o = &t->opts;
    char k[64];
    const char *eq = strchr(tok, '=');
    const char *v = eq == NULL ? "1" : eq + 1;
    size_t kl = eq == NULL ? strlen(tok) : (size_t)(eq - tok), i;
    int on = strcmp(v, "0") != 0;
    if (kl >= sizeof k) kl = sizeof k - 1;
    memcpy(k, tok, kl);
    k[kl] = '\0';
    for (i = 0; i < sizeof exts / sizeof exts[0]; ++i) {
        if (strcmp(k, exts[i].n) == 0) {
            o->extensions = on ? (o->extensions | exts[i].e) : (o->extensions & ~exts[i].e);
            return;
        }
    }
    if (strcmp(k, "mechanisms") == 0) {
        const char *p = v;
        o->extensions |= SMTPP_EXT_AUTH;
        for (;;) {
            const char *c = strchr(p, ',');
            size_t n = c == NULL ? strlen(p) : (size_t)(c - p);
            unsigned id = smtpp_mechanism_id(p, n);
            if (id == 0) snprintf(t->error, sizeof t->error, "unknown mechanism %.*s", (int)n, p);
            o->auth_mechanisms |= 1u << id;
            if (c == NULL) break;
            p = c + 1;
        }
    } else if (strcmp(k, "lmtp") == 0) o->lmtp = on;
    else if (strcmp(k, "require_auth") == 0) o->require_auth = on;
    else if (strcmp(k, "require_tls") == 0) o->require_tls = on;
    else if (strcmp(k, "auth_needs_tls") == 0) o->auth_needs_tls = on;
    else if (strcmp(k, "sync") == 0) o->enforce_sync = on;
    else if (strcmp(k, "unknown_param_504") == 0) o->unknown_param_504 = on;
    else if (strcmp(k, "verify") == 0) o->verify_senders = o->verify_recipients = on;
    else if (strcmp(k, "normalize") == 0)
        o->bare_newline = on ? SMTPP_BARE_NEWLINE_NORMALIZE : SMTPP_BARE_NEWLINE_REJECT;
    else if (strcmp(k, "max_size") == 0) o->max_message_size = strtoull(v, NULL, 10);
    else if (strcmp(k, "max_rcpt") == 0) o->max_recipients = (uint16_t)strtoul(v, NULL, 10);
    else if (strcmp(k, "max_errors") == 0) o->max_errors = (uint8_t)strtoul(v, NULL, 10);
    else if (strcmp(k, "mailmax") == 0) o->limits_mailmax = (uint16_t)strtoul(v, NULL, 10);
    else if (strcmp(k, "hostname") == 0 || strcmp(k, "greeting") == 0 || strcmp(k, "mt_priority_policy") == 0) {
        char *slot;
        size_t n = 0;
        if (t->nkeep == MAX_KEEP) {
            snprintf(t->error, sizeof t->error, "too many kept strings");
            return;
        }
        slot = t->keep[t->nkeep++];
        if (strcmp(k, "greeting") == 0) {
            static char tmp[MAX_TEXT];
            unescape(v, tmp, &n);
            if (n >= 256) n = 255;
            memcpy(slot, tmp, n);
        } else {
            n = strlen(v) < 255 ? strlen(v) : 255;
            memcpy(slot, v, n);
        }
        if (k[0] == 'h') {
            o->hostname.ptr = slot;
            o->hostname.len = n;
        } else if (k[0] == 'g') {
            o->greeting.ptr = slot;
            o->greeting.len = n;
        } else {
            o->mt_priority_policy.ptr = slot;
            o->mt_priority_policy.len = n;
        }
    } else snprintf(t->error, sizeof t->error, "unknown policy key %.64s", k);
}

static char g_packets[MAX_TEXT];
static char g_expected[MAX_TEXT];

/* Loads case number `which` (0-based) of `path` into *t; returns 0 when there is none. */
static int load_case(const char *path, int which, transcript *t) {
    FILE *f = fopen(path, "rb");
    char ln[65536];
    int no = 0, idx = -1, client_run = 0;
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        ++g_failures;
        return 0;
    }
    memset(t, 0, sizeof *t);
    t->packets = g_packets;
    t->expected = g_expected;
    smtpp_policy_options_init(&t->opts);
    while (fgets(ln, sizeof ln, f) != NULL) {
        size_t n = strlen(ln);
        const char *rest;
        ++no;
        while (n > 0 && (ln[n - 1] == '\n' || ln[n - 1] == '\r')) ln[--n] = '\0';
        if (strncmp(ln, "=== ", 4) == 0) {
            if (idx == which) break;
            ++idx;
            if (idx == which) {
                snprintf(t->title, sizeof t->title, "%.250s", ln + 4);
                t->line = no;
            }
            client_run = 0;
            continue;
        }
        if (idx != which || n == 0 || ln[0] == '#') continue;
        rest = n > 3 ? ln + 3 : "";
        if (strncmp(ln, "P:", 2) == 0) {
            char buf[4096], *tok;
            copy_str(buf, sizeof buf, rest);
            for (tok = strtok(buf, " "); tok != NULL; tok = strtok(NULL, " ")) apply_policy(t, tok);
        } else if (strncmp(ln, "C:", 2) == 0 || strncmp(ln, "C!", 2) == 0) {
            if (!client_run) {
                if (t->npackets == MAX_PACKETS) {
                    snprintf(t->error, sizeof t->error, "too many packets");
                    break;
                }
                t->packet_off[t->npackets++] = t->packets_len;
            }
            unescape(rest, t->packets, &t->packets_len);
            if (ln[1] == ':') {
                t->packets[t->packets_len++] = '\r';
                t->packets[t->packets_len++] = '\n';
            }
            t->packet_off[t->npackets] = t->packets_len;
            client_run = 1;
        } else if (strncmp(ln, "S:", 2) == 0) {
            unescape(rest, t->expected, &t->expected_len);
            if (strcmp(rest, "[close]") != 0 && strcmp(rest, "[tls]") != 0) {
                t->expected[t->expected_len++] = '\r';
                t->expected[t->expected_len++] = '\n';
            } else t->expected[t->expected_len++] = '\n';
            client_run = 0;
        } else if (strncmp(ln, "H:", 2) == 0) {
            decision *d;
            size_t i;
            if (t->ndecisions == MAX_DECISIONS) {
                snprintf(t->error, sizeof t->error, "too many decisions");
                break;
            }
            d = &t->decisions[t->ndecisions++];
            memset(d, 0, sizeof *d);
            if (strncmp(rest, "challenge", 9) == 0) {
                d->is_challenge = 1;
                snprintf(d->challenge, sizeof d->challenge, "%.120s", rest[9] == ' ' ? rest + 10 : "");
                if (strcmp(d->challenge, "-") == 0) d->challenge[0] = '\0';
            } else {
                for (i = 0; i < 8; ++i)
                    if (strcmp(rest, verdict_names[i]) == 0) break;
                if (i == 8) snprintf(t->error, sizeof t->error, "unknown verdict %.200s", rest);
                d->v = (smtpp_verdict)(i < 8 ? i : 0);
            }
        } else {
            snprintf(t->error, sizeof t->error, "bad line %d: %.200s", no, ln);
        }
    }
    fclose(f);
    return idx >= which;
}

/* ---- the host --------------------------------------------------------------------------- */
enum mode { MODE_LINES, MODE_DATA, MODE_BDAT, MODE_CLOSED };

typedef struct host {
    smtpp_policy pol;
    smtpp_session st;
    smtpp_line_reader rd;
    char rdbuf[16384];
    smtpp_data_decoder dd;
    smtpp_bdat_decoder bd, skip;
    smtpp_command cmd;
    enum mode md;
    int chunk_discard, drop_packet;
    const transcript *t;
    int next_decision;
    char *out;
    size_t out_len, out_cap;
    char challenge_buf[256];
    char problem[256];
} host;

static void api(host *h, smtpp_error e, const char *what) {
    if (e != SMTPP_OK && h->problem[0] == '\0')
        snprintf(h->problem, sizeof h->problem, "%s: %s", what, smtpp_strerror(e));
}

static void emit(host *h, const char *p, size_t n) {
    if (h->out_len + n > h->out_cap) {
        snprintf(h->problem, sizeof h->problem, "output overflow");
        return;
    }
    memcpy(h->out + h->out_len, p, n);
    h->out_len += n;
}

static decision next_decision(host *h) {
    decision d;
    if (h->next_decision < h->t->ndecisions) return h->t->decisions[h->next_decision++];
    memset(&d, 0, sizeof d);
    d.v = SMTPP_VERDICT_ACCEPT;
    return d;
}

static void handle(host *h, smtpp_step_result r) {
    for (;;) {
        uint16_t k;
        for (k = 0; k < r.count; ++k) emit(h, r.reply.ptr, r.reply.len);
        if (r.count == 0 && r.reply.len != 0) snprintf(h->problem, sizeof h->problem, "reply with count 0");
        CHECK(r.phase == smtpp_session_phase(&h->st));
        switch (r.action) {
            case SMTPP_ACTION_NONE: return;
            case SMTPP_ACTION_CLOSE:
                emit(h, "[close]\n", 8);
                h->md = MODE_CLOSED;
                h->drop_packet = 1;
                return;
            case SMTPP_ACTION_START_TLS:
                emit(h, "[tls]\n", 6);
                api(h, smtpp_line_discard(&h->rd), "discard");
                h->drop_packet = 1;
                api(h, smtpp_tls_established(&h->pol, &h->st, &r), "tls_established");
                continue;
            case SMTPP_ACTION_READ_DATA: {
                smtpp_data_options o;
                api(h, smtpp_body_options(&h->pol, &h->st, &o), "body_options");
                api(h, smtpp_data_decoder_init(&h->dd, sizeof h->dd, &o), "data_decoder_init");
                h->md = MODE_DATA;
                return;
            }
            case SMTPP_ACTION_READ_BDAT:
                h->chunk_discard = r.discard;
                if (r.discard) {
                    api(h, smtpp_bdat_decoder_init(&h->skip, sizeof h->skip, r.chunk_size, NULL, 0), "bdat init");
                } else if (r.first_chunk) {
                    smtpp_bdat_options o;
                    api(h, smtpp_chunk_options(&h->pol, &h->st, &o), "chunk_options");
                    api(h, smtpp_bdat_decoder_init(&h->bd, sizeof h->bd, r.chunk_size, &o, r.last), "bdat init");
                } else {
                    api(h, smtpp_bdat_next_chunk(&h->bd, r.chunk_size, r.last), "next_chunk");
                }
                h->md = MODE_BDAT;
                return;
            case SMTPP_ACTION_VERIFY_SENDER:
            case SMTPP_ACTION_VERIFY_RECIPIENT:
            case SMTPP_ACTION_DELIVER:
                api(h, smtpp_resolve(&h->pol, &h->st, next_decision(h).v, &r), "resolve");
                continue;
            case SMTPP_ACTION_VERIFY_CREDENTIALS: {
                const decision d = next_decision(h);
                if (d.is_challenge)
                    api(h,
                        smtpp_auth_challenge(&h->pol, &h->st, d.challenge, strlen(d.challenge), h->challenge_buf,
                                             sizeof h->challenge_buf, &r),
                        "auth_challenge");
                else api(h, smtpp_resolve(&h->pol, &h->st, d.v, &r), "resolve");
                continue;
            }
            default: break;
        }
        snprintf(h->problem, sizeof h->problem, "unknown action %d", (int)r.action);
        return;
    }
}

static void feed(host *h, const char *in, size_t n, size_t rest) {
    for (;;) {
        if (h->drop_packet || h->md == MODE_CLOSED || h->problem[0] != '\0') return;
        if (h->md == MODE_LINES) {
            smtpp_line_event ev;
            smtpp_step_result r;
            api(h, smtpp_line_next(&h->rd, in, n, &ev), "line_next");
            in += ev.consumed;
            n -= ev.consumed;
            if (ev.status == SMTPP_NEED_MORE) return;
            if (ev.status == SMTPP_FAILED) {
                api(h, smtpp_on_line_error(&h->pol, &h->st, ev.error, ev.line.ptr, ev.line.len, &r), "on_line_error");
            } else {
                api(h, smtpp_step(&h->pol, &h->st, ev.line.ptr, ev.line.len, n != 0 || rest != 0, &h->cmd, &r), "step");
            }
            handle(h, r);
        } else {
            smtpp_data_event ev;
            smtpp_step_result r;
            if (h->md == MODE_DATA) api(h, smtpp_data_next(&h->dd, in, n, &ev), "data_next");
            else api(h, smtpp_bdat_next(h->chunk_discard ? &h->skip : &h->bd, in, n, &ev), "bdat_next");
            in += ev.consumed;
            n -= ev.consumed;
            if (ev.kind == SMTPP_DATA_EVENT_END) {
                const int data = h->md == MODE_DATA;
                h->md = MODE_LINES;
                if (data) api(h, smtpp_end_of_data(&h->pol, &h->st, ev.error, &r), "end_of_data");
                else api(h, smtpp_end_of_chunk(&h->pol, &h->st, ev.error, &r), "end_of_chunk");
                handle(h, r);
            } else if (ev.kind != SMTPP_DATA_EVENT_CONTENT) {
                return;
            }
        }
    }
}

static host g_host;
static char g_out[MAX_TEXT];
static unsigned long g_piece_allocs;

/* Feeds a packet in pieces (piece 0: whole; split > 0: two pieces cut at `split`). */
static void packet(host *h, const char *p, size_t len, size_t piece, size_t split) {
    size_t i = 0;
    h->drop_packet = 0;
    while (i < len) {
        size_t n;
        char *buf;
        if (split != 0) n = i == 0 ? (split < len ? split : len) : len - i;
        else n = piece == 0 ? len : (piece < len - i ? piece : len - i);
        /* each piece in its own exactly sized heap buffer: over-reads fault under ASan */
        buf = (char *)malloc(n);
        ++g_piece_allocs;
        if (buf == NULL) abort();
        memcpy(buf, p + i, n);
        feed(h, buf, n, len - i - n);
        free(buf);
        i += n;
    }
    if (h->md == MODE_BDAT && !h->drop_packet) feed(h, NULL, 0, 0);
}

static size_t run(const transcript *t, size_t piece, size_t split, char *problem, size_t problem_cap) {
    host *h = &g_host;
    smtpp_line_options lo;
    smtpp_step_result r;
    int k;
    memset(h, 0, sizeof *h);
    h->t = t;
    h->out = g_out;
    h->out_cap = sizeof g_out;
    smtpp_policy_init(&h->pol, sizeof h->pol, &t->opts); /* a failing policy still answers (421) */
    api(h, smtpp_session_init(&h->st, sizeof h->st), "session_init");
    smtpp_line_options_init(&lo);
    lo.max_line = smtpp_line_limit(&h->pol);
    api(h, smtpp_line_reader_init(&h->rd, sizeof h->rd, h->rdbuf, sizeof h->rdbuf, &lo), "line_reader_init");
    api(h, smtpp_start(&h->pol, &h->st, &r), "start");
    handle(h, r);
    for (k = 0; k < t->npackets; ++k)
        packet(h, t->packets + t->packet_off[k], t->packet_off[k + 1] - t->packet_off[k], piece, split);
    if (problem != NULL) copy_str(problem, problem_cap, h->problem);
    return h->out_len;
}

/* ---- argument checks ---------------------------------------------------------------------- */
static void test_arguments(void) {
    static smtpp_policy pol;
    smtpp_session s;
    smtpp_step_result r;
    smtpp_command cmd;
    smtpp_command_error why = SMTPP_CMD_NONE;
    smtpp_command_fields f;
    smtpp_reply_hint hint;
    smtpp_line_reader lr;
    smtpp_line_event ev;
    smtpp_data_decoder dd;
    smtpp_policy_options o;
    char buf[64];
    union {
        smtpp_session s;
        unsigned char b[sizeof(smtpp_session) + 8];
    } mis;
    const char mail[] = "MAIL FROM:<alice@example.org> SIZE=100\r\n";

    /* the typed storage is as aligned as the header says, in C99 and C11 alike */
    {
        struct probe_cmd {
            char c;
            smtpp_command x;
        };
        struct probe_pol {
            char c;
            smtpp_policy x;
        };
        struct probe_ses {
            char c;
            smtpp_session x;
        };
        CHECK(offsetof(struct probe_cmd, x) % SMTPP_COMMAND_ALIGN == 0);
        CHECK(offsetof(struct probe_pol, x) >= sizeof(void *) || offsetof(struct probe_pol, x) % 4 == 0);
        CHECK(offsetof(struct probe_ses, x) % 4 == 0);
        CHECK(sizeof(smtpp_command) >= SMTPP_COMMAND_SIZE && sizeof(smtpp_policy) >= SMTPP_POLICY_SIZE);
    }
    CHECK(smtpp_policy_init(NULL, sizeof pol, NULL) == SMTPP_E_NULL);
    CHECK(smtpp_policy_init(&pol, sizeof pol - 1, NULL) == SMTPP_E_STORAGE);
    CHECK(smtpp_session_init(&s, 3) == SMTPP_E_STORAGE);
    CHECK(smtpp_session_init((smtpp_session *)(void *)(mis.b + 1), sizeof s) == SMTPP_E_ALIGNMENT);
    memset(&s, 0, sizeof s);
    CHECK(smtpp_start(&pol, &s, &r) == SMTPP_E_UNINITIALIZED); /* neither is set up yet */
    CHECK(smtpp_policy_init(&pol, sizeof pol, NULL) == SMTPP_OK);
    CHECK(smtpp_start(&pol, &s, &r) == SMTPP_E_UNINITIALIZED);
    CHECK(smtpp_session_init(&s, sizeof s) == SMTPP_OK);
    CHECK(smtpp_start(&pol, &s, NULL) == SMTPP_E_NULL);
    CHECK(smtpp_start(&pol, &s, &r) == SMTPP_OK);
    CHECK(r.code == 220 && r.phase == SMTPP_PHASE_FRESH);
    CHECK(smtpp_step(&pol, &s, NULL, 5, 0, &cmd, &r) == SMTPP_E_NULL);
    CHECK(smtpp_resolve(&pol, &s, (smtpp_verdict)99, &r) == SMTPP_E_ARGUMENT);
    CHECK(smtpp_end_of_data(&pol, &s, (smtpp_data_error)99, &r) == SMTPP_E_ARGUMENT);
    CHECK(smtpp_on_line_error(&pol, &s, (smtpp_line_error)99, NULL, 0, &r) == SMTPP_E_ARGUMENT);
    CHECK(smtpp_timeout(&pol, &s, &r) == SMTPP_OK && r.code == 421 && r.action == SMTPP_ACTION_CLOSE);
    CHECK(smtpp_session_init(&s, sizeof s) == SMTPP_OK && smtpp_start(&pol, &s, &r) == SMTPP_OK);
    CHECK(smtpp_shutdown(&pol, &s, &r) == SMTPP_OK && r.code == 421 && r.phase == SMTPP_PHASE_CLOSED);
    /* Over the connection limit: 421 4.7.0 instead of the greeting (RFC 5321 §4.2.2, RFC 3463 X.7.0). */
    CHECK(smtpp_session_init(&s, sizeof s) == SMTPP_OK && smtpp_refuse(&pol, &s, &r) == SMTPP_OK);
    CHECK(r.code == 421 && r.action == SMTPP_ACTION_CLOSE && r.phase == SMTPP_PHASE_CLOSED);
    CHECK(r.reply.len > 10 && memcmp(r.reply.ptr, "421 4.7.0 ", 10) == 0 && !r.sasl_response);
    CHECK(smtpp_refuse(&pol, &s, NULL) == SMTPP_E_NULL);
    {
        /* A SASL response line is flagged as one, a command is not (RFC 4954 §4). */
        static const char ehlo[] = "EHLO c.example\r\n", auth[] = "AUTH LOGIN\r\n", resp[] = "dXNlcg==\r\n";
        smtpp_policy_options_init(&o);
        o.extensions |= SMTPP_EXT_AUTH;
        o.auth_mechanisms = 1u << smtpp_mechanism_id("LOGIN", 5);
        o.auth_needs_tls = 0;
        CHECK(smtpp_policy_init(&pol, sizeof pol, &o) == SMTPP_OK);
        CHECK(smtpp_session_init(&s, sizeof s) == SMTPP_OK && smtpp_start(&pol, &s, &r) == SMTPP_OK);
        CHECK(smtpp_step(&pol, &s, ehlo, sizeof ehlo - 1, 0, &cmd, &r) == SMTPP_OK && r.code == 250 &&
              !r.sasl_response);
        CHECK(smtpp_step(&pol, &s, auth, sizeof auth - 1, 0, &cmd, &r) == SMTPP_OK && !r.sasl_response);
        CHECK(r.action == SMTPP_ACTION_VERIFY_CREDENTIALS && !r.has_sasl);
        CHECK(smtpp_auth_challenge(&pol, &s, "VXNlcm5hbWU6", 12, (char *)g_out, sizeof g_out, &r) == SMTPP_OK &&
              r.code == 334);
        CHECK(smtpp_step(&pol, &s, resp, sizeof resp - 1, 0, &cmd, &r) == SMTPP_OK && r.sasl_response && r.has_sasl);
        CHECK(r.sasl.len == 8 && memcmp(r.sasl.ptr, "dXNlcg==", 8) == 0);
    }

    smtpp_policy_options_init(&o);
    o.hostname.ptr = "bad host";
    o.hostname.len = 8;
    CHECK(smtpp_policy_init(&pol, sizeof pol, &o) == SMTPP_E_POLICY);
    CHECK(smtpp_policy_error_of(&pol) == SMTPP_POLICY_BAD_HOSTNAME);
    o.hostname.ptr = NULL;
    CHECK(smtpp_policy_init(&pol, sizeof pol, &o) == SMTPP_E_NULL);

    CHECK(smtpp_parse_command(mail, sizeof mail - 1, &cmd, sizeof cmd, NULL, &why) == SMTPP_OK);
    CHECK(smtpp_command_fields_of(&cmd, &f) == SMTPP_OK);
    CHECK(f.verb == SMTPP_VERB_MAIL && f.size == 100 && f.path.mailbox.len == 17 &&
          memcmp(f.path.mailbox.ptr, "alice@example.org", 17) == 0 && f.path.domain.len == 11);
    CHECK(smtpp_parse_command("MAIL TO:<a@b>\r\n", 15, &cmd, sizeof cmd, NULL, &why) == SMTPP_E_COMMAND);
    CHECK(why == SMTPP_CMD_SYNTAX);
    CHECK(strcmp(smtpp_command_error_name(why), "syntax") == 0);
    CHECK(smtpp_reply_for_command(why, &hint) == SMTPP_OK && hint.code == 501 && hint.esc_class == 5);
    CHECK(smtpp_reply_for_command((smtpp_command_error)200, &hint) == SMTPP_E_ARGUMENT);
    CHECK(smtpp_parse_command("NOOP\r\n", 6, &cmd, sizeof cmd - 1, NULL, NULL) == SMTPP_E_STORAGE);
    CHECK(strcmp(smtpp_verb_name(SMTPP_VERB_STARTTLS), "STARTTLS") == 0);
    CHECK(strcmp(smtpp_phase_name(SMTPP_PHASE_RCPT), "rcpt") == 0);
    CHECK(strcmp(smtpp_phase_name((smtpp_phase)77), "?") == 0);
    CHECK(smtpp_reply_for_line(SMTPP_LINE_BARE_LF, &hint) == SMTPP_OK && hint.code == 500);
    CHECK(smtpp_reply_for_data(SMTPP_DATA_TOO_BIG, &hint) == SMTPP_OK && hint.code == 552);

    CHECK(smtpp_line_reader_init(&lr, sizeof lr, NULL, 8, NULL) == SMTPP_E_NULL);
    CHECK(smtpp_line_reader_init(&lr, sizeof lr, buf, 0, NULL) == SMTPP_E_BUFFER);
    CHECK(smtpp_line_reader_init(&lr, sizeof lr, buf, sizeof buf, NULL) == SMTPP_OK);
    CHECK(smtpp_line_next(&lr, "NO", 2, &ev) == SMTPP_OK && ev.status == SMTPP_NEED_MORE && smtpp_line_pending(&lr));
    CHECK(smtpp_line_next(&lr, "OP\r\nX", 5, &ev) == SMTPP_OK && ev.status == SMTPP_COMPLETE && ev.consumed == 4);
    CHECK(ev.line.len == 6 && memcmp(ev.line.ptr, "NOOP\r\n", 6) == 0);
    CHECK(smtpp_line_next(&lr, "A\nB", 3, &ev) == SMTPP_OK && ev.status == SMTPP_FAILED &&
          ev.error == SMTPP_LINE_BARE_LF);
    CHECK(smtpp_line_next(NULL, "", 0, &ev) == SMTPP_E_NULL);

    CHECK(smtpp_data_decoder_init(&dd, sizeof dd, NULL) == SMTPP_OK);
    {
        smtpp_data_event de;
        CHECK(smtpp_data_next(&dd, "a\r\n.\r\n", 6, &de) == SMTPP_OK && de.kind == SMTPP_DATA_EVENT_CONTENT);
        CHECK(de.content.len == 3 && de.consumed == 3);
        CHECK(smtpp_data_next(&dd, ".\r\n", 3, &de) == SMTPP_OK && de.kind == SMTPP_DATA_EVENT_END &&
              de.error == SMTPP_DATA_NONE);
    }
    /* the catalog, in both languages */
    {
        smtpp_reply_explanation en, ru, bad;
        smtpp_enhanced_explanation ee, eb;
        CHECK(smtpp_explain_reply(550, SMTPP_LANG_EN, &en) == SMTPP_OK && en.valid && en.listed && en.title.len > 0);
        CHECK(smtpp_explain_reply(550, SMTPP_LANG_RU, &ru) == SMTPP_OK && ru.listed && ru.title.len > 0);
        CHECK(!(en.title.len == ru.title.len && memcmp(en.title.ptr, ru.title.ptr, en.title.len) == 0));
        CHECK(smtpp_explain_reply(421, SMTPP_LANG_EN, &en) == SMTPP_OK && en.closes);
        CHECK(smtpp_explain_reply(999, SMTPP_LANG_EN, &bad) == SMTPP_OK && !bad.valid);
        CHECK(smtpp_explain_reply(550, (smtpp_lang)7, &bad) == SMTPP_E_ARGUMENT);
        CHECK(smtpp_explain_reply(550, SMTPP_LANG_EN, NULL) == SMTPP_E_NULL);
        CHECK(smtpp_explain_enhanced(5, 1, 1, SMTPP_LANG_EN, &ee) == SMTPP_OK && ee.valid && ee.listed &&
              ee.title.len > 0);
        CHECK(smtpp_explain_enhanced(261, 1, 1, SMTPP_LANG_EN, &eb) == SMTPP_OK && !eb.valid);
        CHECK(smtpp_explain_enhanced(3, 1, 1, SMTPP_LANG_RU, &eb) == SMTPP_OK && !eb.valid);
    }
    CHECK(strcmp(smtpp_strerror(SMTPP_E_STORAGE), "unknown error") != 0);
    CHECK(strcmp(smtpp_strerror((smtpp_error)1000), "unknown error") == 0);
    CHECK(smtpp_version_number() == SMTPP_C_VERSION_NUMBER);
    CHECK(smtpp_version() != NULL && smtpp_version()[0] == '0' + SMTPP_C_VERSION_MAJOR);
}

static transcript g_t;
static char g_whole[MAX_TEXT];

int main(int argc, char **argv) {
    static const char *const files[] = {"basic.txt",      "sequence.txt", "errors.txt", "extensions.txt",
                                        "pipelining.txt", "starttls.txt", "auth.txt",   "data.txt",
                                        "bdat.txt",       "lmtp.txt"};
    static const size_t pieces[] = {1, 2, 3, 7, 64};
    const int every_split = !(argc > 2 && strcmp(argv[2], "--no-every-split") == 0);
    size_t fi;
    int cases = 0;
    unsigned long api_allocs = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: %s <tests/data/session> [--no-every-split]\n", argv[0]);
        return 2;
    }
    test_arguments();
    for (fi = 0; fi < sizeof files / sizeof files[0]; ++fi) {
        char path[4096];
        int which;
        snprintf(path, sizeof path, "%s/%s", argv[1], files[fi]);
        for (which = 0; load_case(path, which, &g_t); ++which) {
            char problem[256];
            size_t whole_len, pi, k;
            unsigned long before;
            ++cases;
            if (g_t.error[0] != '\0') {
                fprintf(stderr, "%s:%d %s: %s\n", files[fi], g_t.line, g_t.title, g_t.error);
                ++g_failures;
                continue;
            }
            before = g_allocs;
            g_piece_allocs = 0;
            whole_len = run(&g_t, 0, 0, problem, sizeof problem);
            memcpy(g_whole, g_out, whole_len);
            if (problem[0] != '\0' || whole_len != g_t.expected_len || memcmp(g_whole, g_t.expected, whole_len) != 0) {
                ++g_failures;
                fprintf(stderr, "%s:%d %s: %s\n--- got\n%.*s--- expected\n%.*s", files[fi], g_t.line, g_t.title,
                        problem, (int)whole_len, g_whole, (int)g_t.expected_len, g_t.expected);
                continue;
            }
            for (pi = 0; pi < sizeof pieces / sizeof pieces[0]; ++pi) {
                const size_t n = run(&g_t, pieces[pi], 0, NULL, 0);
                if (n != whole_len || memcmp(g_out, g_whole, n) != 0) {
                    ++g_failures;
                    fprintf(stderr, "%s:%d %s: differs in pieces of %zu\n", files[fi], g_t.line, g_t.title, pieces[pi]);
                }
            }
            /* every packet split in two at every position (the longest packet bounds it) */
            if (every_split) {
                size_t longest = 0;
                int p;
                for (p = 0; p < g_t.npackets; ++p)
                    if (g_t.packet_off[p + 1] - g_t.packet_off[p] > longest)
                        longest = g_t.packet_off[p + 1] - g_t.packet_off[p];
                for (k = 1; k < longest; ++k) {
                    const size_t n = run(&g_t, 0, k, NULL, 0);
                    if (n != whole_len || memcmp(g_out, g_whole, n) != 0) {
                        ++g_failures;
                        fprintf(stderr, "%s:%d %s: differs split at %zu\n", files[fi], g_t.line, g_t.title, k);
                        break;
                    }
                }
            }
            api_allocs += g_allocs - before - g_piece_allocs;
        }
    }
    CHECK(cases >= 60);
#ifdef SMTPP_COUNT_ALLOCS
    CHECK(api_allocs == 0);
    printf("allocations by the C API over all runs: %lu\n", api_allocs);
#else
    (void)api_allocs;
    printf("allocation count not checked in this build (sanitizer or not glibc)\n");
#endif
    printf("%d transcripts, %d failures\n", cases, g_failures);
    return g_failures == 0 ? 0 : 1;
}
