/* c-client-loop: the client side of the C API (include/smtpp/smtpp.h) in one loop. Sends
 * one message: the server's replies come on stdin, the commands go to stdout (connect it
 * to a server with `socat EXEC:./c-client-loop TCP:mx:25`, or feed it a script).
 * Usage: c-client-loop FROM TO... (the body is a fixed two-line text). No TLS, no AUTH.
 * The library does the protocol (RFC 5321 §3.3, PIPELINING RFC 2920); this file does only
 * I/O and the body's dot-stuffing (RFC 5321 §4.5.2). C99 and C11. */
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

/* The body, dot-stuffed: a line starting with "." gets another (RFC 5321 §4.5.2). */
static const char body[] = "Subject: smtpp C client\r\n\r\n..a line that starts with a dot\r\n";

int main(int argc, char **argv) {
    static smtpp_reply_reader rd;     /* reply lines, split across reads or not */
    static smtpp_reply_collector col; /* one reply out of its lines */
    static char in[4096];
    static char out[2048]; /* the commands; a pipelined batch grows in it */
    smtpp_client_config cfg;
    smtpp_envelope env;
    smtpp_client cl;
    smtpp_client_result r;
    size_t have = 0, pos = 0;
    int next_to = 2, sent = 0;
    if (argc < 3) {
        fprintf(stderr, "usage: %s FROM TO...\n", argv[0]);
        return 2;
    }
    smtpp_client_config_init(&cfg);
    cfg.helo.ptr = "client.example";
    cfg.helo.len = strlen(cfg.helo.ptr);
    smtpp_envelope_init(&env);
    env.from.ptr = argv[1];
    env.from.len = strlen(argv[1]);
    CALL(smtpp_reply_reader_init(&rd, sizeof rd, NULL));
    CALL(smtpp_collector_init(&col, sizeof col));
    CALL(smtpp_client_init(&cl, sizeof cl));
    CALL(smtpp_client_start(&cfg, &cl, &r));
    for (;;) {
        write_all(r.write.ptr, r.write.len);
        switch (r.event) { /* what happened, for the log */
            case SMTPP_CLIENT_EVENT_RECIPIENT:
                fprintf(stderr, "recipient %u: %u\n", (unsigned)r.index, (unsigned)r.code);
                break;
            case SMTPP_CLIENT_EVENT_MESSAGE:
                fprintf(stderr, "message: %u (%s)\n", (unsigned)r.code, smtpp_client_error_name(r.error));
                break;
            case SMTPP_CLIENT_EVENT_FAILED: fprintf(stderr, "failed: %s\n", smtpp_client_error_name(r.error)); break;
            default: break;
        }
        switch (r.action) {
            case SMTPP_CLIENT_ACTION_READ_REPLY: {
                smtpp_server_reply rep;
                int done = 0;
                if (r.expect_ehlo) CALL(smtpp_reply_expect_ehlo(&rd));
                while (!done) { /* lines into the collector until one reply is complete */
                    smtpp_reply_event ev;
                    if (pos == have) {
                        const ssize_t k = read(0, in, sizeof in);
                        if (k <= 0) {
                            fprintf(stderr, "connection closed\n");
                            return 1;
                        }
                        have = (size_t)k;
                        pos = 0;
                    }
                    CALL(smtpp_reply_next_line(&rd, in + pos, have - pos, &ev));
                    pos += ev.consumed;
                    if (ev.status == SMTPP_FAILED) {
                        fprintf(stderr, "bad reply: %s\n", smtpp_reply_error_name(ev.error));
                        return 1;
                    }
                    if (ev.status == SMTPP_COMPLETE) CALL(smtpp_collector_add(&col, &ev.line, &done));
                }
                /* bytes behind the reply (refused after the 220 to STARTTLS, RFC 3207 §4.2) */
                CALL(smtpp_collector_set_trailing(&col, pos < have));
                CALL(smtpp_collector_reply(&col, &rep));
                CALL(smtpp_client_step(&cfg, &env, &cl, &rep, out, sizeof out, &r));
                break;
            }
            case SMTPP_CLIENT_ACTION_READY:
                if (sent++ == 0) CALL(smtpp_client_send(&cfg, &env, &cl, out, sizeof out, &r));
                else CALL(smtpp_client_quit(&cfg, &cl, &r));
                break;
            case SMTPP_CLIENT_ACTION_NEXT_RECIPIENT:
                if (next_to < argc) {
                    CALL(smtpp_client_recipient(&cfg, &env, &cl, argv[next_to], strlen(argv[next_to]), NULL, 0, out,
                                                sizeof out, &r));
                    if (r.taken) ++next_to;
                } else {
                    CALL(smtpp_client_recipients_done(&cfg, &env, &cl, out, sizeof out, &r));
                }
                break;
            case SMTPP_CLIENT_ACTION_SEND_BODY:
                if (r.bdat) { /* not asked for: use_chunking is off */
                    fprintf(stderr, "BDAT not handled here\n");
                    return 1;
                }
                write_all(body, sizeof body - 1);
                write_all(".\r\n", 3); /* the body ends in CRLF: CRLF "." CRLF (§4.1.1.4) */
                CALL(smtpp_client_body_done(&cfg, &cl, &r));
                break;
            case SMTPP_CLIENT_ACTION_START_TLS: /* not asked for: cfg.tls is none */
            case SMTPP_CLIENT_ACTION_CLOSE:
            default: return r.phase == SMTPP_CLIENT_PHASE_CLOSED && r.error == SMTPP_CLIENT_E_NONE ? 0 : 1;
        }
    }
}
