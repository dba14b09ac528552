/* c-host-loop: the README's host loop written in C against include/smtpp/smtpp.h only.
 * One SMTP session on stdin/stdout (inetd style), message bodies to stderr; no TLS, every
 * decision "accept". The library does the protocol; this file does only I/O. Every call
 * returns an smtpp_error, checked once in CALL(). C99 and C11. */
#define _POSIX_C_SOURCE 200809L /* read, write, ssize_t under -std=c99 */
#include <smtpp/smtpp.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CALL(expr)                                                  \
    do {                                                            \
        const smtpp_error e_ = (expr);                              \
        if (e_ != SMTPP_OK) {                                       \
            fprintf(stderr, "%s: %s\n", #expr, smtpp_strerror(e_)); \
            return 1;                                               \
        }                                                           \
    } while (0)

static void write_all(const char *p, size_t n) {
    while (n > 0) {
        const ssize_t k = write(1, p, n);
        if (k <= 0) return;
        p += k;
        n -= (size_t)k;
    }
}

int main(void) {
    static smtpp_policy pol;     /* built once: greeting and EHLO pre-rendered */
    static char line_buf[16384]; /* the line reader's storage for split lines */
    smtpp_policy_options opt;
    smtpp_line_options lo;
    smtpp_line_reader reader;
    smtpp_session st;  /* plain state */
    smtpp_command cmd; /* the parsed command, reused */
    smtpp_data_decoder body;
    smtpp_step_result r;
    int in_body = 0;
    char buf[4096];
    const char *in = buf;
    size_t in_len = 0;

    smtpp_policy_options_init(&opt);
    opt.hostname.ptr = "mx.example";
    opt.hostname.len = strlen(opt.hostname.ptr);
    opt.enforce_sync = 0;                            /* a scripted file arrives in one read */
    opt.extensions &= ~(uint32_t)SMTPP_EXT_CHUNKING; /* this loop reads DATA bodies only */
    CALL(smtpp_policy_init(&pol, sizeof pol, &opt));
    smtpp_line_options_init(&lo);
    lo.max_line = smtpp_line_limit(&pol);
    CALL(smtpp_line_reader_init(&reader, sizeof reader, line_buf, sizeof line_buf, &lo));
    CALL(smtpp_session_init(&st, sizeof st));

    /* ---- the host loop ------------------------------------------------------------ */
    CALL(smtpp_start(&pol, &st, &r)); /* 220 greeting */
    for (;;) {
        unsigned k;
        for (k = 0; k < r.count; ++k) write_all(r.reply.ptr, r.reply.len); /* wire-ready */
        switch (r.action) {
            case SMTPP_ACTION_CLOSE: return 0;
            case SMTPP_ACTION_VERIFY_SENDER: /* decisions are the host's */
            case SMTPP_ACTION_VERIFY_RECIPIENT:
            case SMTPP_ACTION_DELIVER: CALL(smtpp_resolve(&pol, &st, SMTPP_VERDICT_ACCEPT, &r)); continue;
            case SMTPP_ACTION_READ_DATA: {
                smtpp_data_options o;
                CALL(smtpp_body_options(&pol, &st, &o));
                CALL(smtpp_data_decoder_init(&body, sizeof body, &o));
                in_body = 1;
                break;
            }
            default: break;
        }
        for (;;) { /* read until the next result */
            if (in_len == 0) {
                const ssize_t n = read(0, buf, sizeof buf);
                if (n <= 0) return 0;
                in = buf;
                in_len = (size_t)n;
            }
            if (in_body) { /* DATA: dot-unstuffed content */
                smtpp_data_event ev;
                CALL(smtpp_data_next(&body, in, in_len, &ev));
                in += ev.consumed;
                in_len -= ev.consumed;
                if (ev.kind == SMTPP_DATA_EVENT_CONTENT) fwrite(ev.content.ptr, 1, ev.content.len, stderr);
                if (ev.kind != SMTPP_DATA_EVENT_END) continue;
                in_body = 0;
                CALL(smtpp_end_of_data(&pol, &st, ev.error, &r)); /* 250, or the delayed refusal */
                break;
            } else {
                smtpp_line_event ev; /* one command line */
                CALL(smtpp_line_next(&reader, in, in_len, &ev));
                in += ev.consumed;
                in_len -= ev.consumed;
                if (ev.status == SMTPP_NEED_MORE) continue;
                if (ev.status == SMTPP_FAILED)
                    CALL(smtpp_on_line_error(&pol, &st, ev.error, ev.line.ptr, ev.line.len, &r));
                else
                    CALL(smtpp_step(&pol, &st, ev.line.ptr, ev.line.len, in_len != 0 || smtpp_line_pending(&reader),
                                    &cmd, &r));
                break;
            }
        }
    }
    /* ---------------------------------------------------------------------------------- */
}
