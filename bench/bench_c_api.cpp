// The C API's cost: each workload once through the C++ functions and once through
// include/smtpp/smtpp.h (the static library smtpp::c: out-of-line calls, argument checks,
// result conversion), in the same process. Target: the C variant at most 10 % slower.
// bench/c_api_ratio.sh alternates the two in separate runs and reports the ratio of medians.
//   session     the session workload of bench_session.cpp (whole sessions from commands.txt:
//               step + reply + the host's decisions)
//   reply_lines the reply reader line by line over replies.txt (bench_reply's BM_reply_lines)
//   ehlo        the EHLO parser on ehlo_postfix.txt, field reads included
//   client      a pipelined client session from the reply bytes (bench_client's client/wire:
//               reply reader -> collector -> client_step, 10 recipients given one at a time)
// The *_cpp_rt variants hide the options from the compiler: the inlined C++ loops otherwise
// fold the default settings, which no host reading a configuration gets, C or C++.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bench_util.hpp"
#include "smtpp/client.hpp"
#include "smtpp/ehlo.hpp"
#include "smtpp/reply.hpp"
#include "smtpp/session.hpp"
#include "smtpp/smtpp.h"

namespace {

smtpp::policy_options options(bool verify) {
    smtpp::policy_options o;
    o.extensions |= smtpp::ext_starttls | smtpp::ext_auth | smtpp::ext_smtputf8 | smtpp::ext_dsn |
                    smtpp::ext_binarymime;
    o.auth_mechanisms = smtpp::mechanism_bit(smtpp::sasl_mechanism::plain);
    o.verify_senders = o.verify_recipients = verify;
    return o;
}

void finish(benchmark::State& state, const std::string& all, std::size_t lines) {
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(all.size()));
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(lines));
    state.counters["ns/cmd"] = benchmark::Counter(static_cast<double>(lines),
                                                  benchmark::Counter::kIsIterationInvariantRate |
                                                      benchmark::Counter::kInvert);
}

// The C++ host: as bench_session.cpp's run().
void bm_session_cpp(benchmark::State& state) {
    const std::string all = smtpp_bench::load("commands.txt");
    const std::vector<std::string_view> lines = smtpp_bench::lines(all);
    const smtpp::policy pol(options(true));
    std::size_t reply_bytes = 0;
    smtpp::command cmd;
    for (auto _ : state) {
        smtpp::session_state s = smtpp::start(pol).next;
        for (std::string_view line : lines) {
            smtpp::step_result r = smtpp::step(pol, s, line, cmd, false);
            for (;;) {
                reply_bytes += r.reply.size() * r.count;
                benchmark::DoNotOptimize(r.reply.data());
                s = r.next;
                switch (r.act) {
                    case smtpp::action::verify_sender:
                    case smtpp::action::verify_recipient:
                    case smtpp::action::verify_credentials:
                    case smtpp::action::deliver: r = smtpp::resolve(pol, s, smtpp::verdict::accept); continue;
                    case smtpp::action::read_data: r = smtpp::end_of_data(pol, s, smtpp::data_error::none); continue;
                    case smtpp::action::read_bdat: r = smtpp::end_of_chunk(pol, s, smtpp::data_error::none); continue;
                    case smtpp::action::start_tls: r = smtpp::tls_established(pol, s); continue;
                    case smtpp::action::close: r = smtpp::start(pol); continue;
                    case smtpp::action::none: break;
                }
                break;
            }
        }
        benchmark::DoNotOptimize(s);
    }
    benchmark::DoNotOptimize(reply_bytes);
    finish(state, all, lines.size());
}

// The same host through the C API.
void bm_session_c(benchmark::State& state) {
    const std::string all = smtpp_bench::load("commands.txt");
    const std::vector<std::string_view> lines = smtpp_bench::lines(all);
    const smtpp::policy_options o = options(true);
    smtpp_policy_options co;
    smtpp_policy_options_init(&co);
    co.extensions = o.extensions;
    co.auth_mechanisms = o.auth_mechanisms;
    smtpp_policy pol;
    smtpp_session s;
    smtpp_command cmd;
    smtpp_step_result r;
    if (smtpp_policy_init(&pol, sizeof pol, &co) != SMTPP_OK || smtpp_session_init(&s, sizeof s) != SMTPP_OK) {
        state.SkipWithError("policy");
        return;
    }
    std::size_t reply_bytes = 0;
    for (auto _ : state) {
        smtpp_session_init(&s, sizeof s);
        smtpp_start(&pol, &s, &r);
        for (std::string_view line : lines) {
            smtpp_step(&pol, &s, line.data(), line.size(), 0, &cmd, &r);
            for (;;) {
                reply_bytes += r.reply.len * r.count;
                benchmark::DoNotOptimize(r.reply.ptr);
                switch (r.action) {
                    case SMTPP_ACTION_VERIFY_SENDER:
                    case SMTPP_ACTION_VERIFY_RECIPIENT:
                    case SMTPP_ACTION_VERIFY_CREDENTIALS:
                    case SMTPP_ACTION_DELIVER: smtpp_resolve(&pol, &s, SMTPP_VERDICT_ACCEPT, &r); continue;
                    case SMTPP_ACTION_READ_DATA: smtpp_end_of_data(&pol, &s, SMTPP_DATA_NONE, &r); continue;
                    case SMTPP_ACTION_READ_BDAT: smtpp_end_of_chunk(&pol, &s, SMTPP_DATA_NONE, &r); continue;
                    case SMTPP_ACTION_START_TLS: smtpp_tls_established(&pol, &s, &r); continue;
                    case SMTPP_ACTION_CLOSE:
                        smtpp_session_init(&s, sizeof s);
                        smtpp_start(&pol, &s, &r);
                        continue;
                    default: break;
                }
                break;
            }
        }
        benchmark::DoNotOptimize(s);
    }
    benchmark::DoNotOptimize(reply_bytes);
    finish(state, all, lines.size());
}

// ---- the reply reader ----------------------------------------------------------------------

void bm_reply_lines_cpp(benchmark::State& state) {
    const std::string data = smtpp_bench::load("replies.txt");
    std::size_t lines = 0;
    for (auto _ : state) {
        smtpp::reply_reader rd;
        smtpp::reply_line ln;
        std::string_view c = data;
        std::size_t n = 0, text = 0;
        while (rd.next_line(c, ln) == smtpp::status::complete) {
            ++n;
            text += ln.text.size();
        }
        benchmark::DoNotOptimize(text);
        lines = n;
    }
    finish(state, data, lines);
}

// The C++ reader with options the compiler cannot see (a host that reads its configuration):
// separates what the C call costs from what constant options save the inlined C++ loop.
void bm_reply_lines_cpp_rt(benchmark::State& state) {
    const std::string data = smtpp_bench::load("replies.txt");
    std::size_t lines = 0;
    smtpp::reply_options o;
    benchmark::DoNotOptimize(&o);
    benchmark::ClobberMemory();
    for (auto _ : state) {
        smtpp::reply_reader rd(o);
        smtpp::reply_line ln;
        std::string_view c = data;
        std::size_t n = 0, text = 0;
        while (rd.next_line(c, ln) == smtpp::status::complete) {
            ++n;
            text += ln.text.size();
        }
        benchmark::DoNotOptimize(text);
        lines = n;
    }
    finish(state, data, lines);
}

void bm_reply_lines_c(benchmark::State& state) {
    const std::string data = smtpp_bench::load("replies.txt");
    std::size_t lines = 0;
    smtpp_reply_reader rd;
    for (auto _ : state) {
        smtpp_reply_reader_init(&rd, sizeof rd, nullptr);
        smtpp_reply_event ev;
        const char* p = data.data();
        std::size_t left = data.size(), n = 0, text = 0;
        while (smtpp_reply_next_line(&rd, p, left, &ev) == SMTPP_OK && ev.status == SMTPP_COMPLETE) {
            p += ev.consumed;
            left -= ev.consumed;
            ++n;
            text += ev.line.text.len;
        }
        benchmark::DoNotOptimize(text);
        lines = n;
    }
    finish(state, data, lines);
}

// ---- EHLO ----------------------------------------------------------------------------------

void bm_ehlo_cpp(benchmark::State& state) {
    const std::string data = smtpp_bench::load("ehlo_postfix.txt");
    for (auto _ : state) {
        smtpp::ehlo_capabilities caps;
        const smtpp::ehlo_result r = smtpp::parse_ehlo(data, caps);
        benchmark::DoNotOptimize(r.consumed);
        benchmark::DoNotOptimize(caps.extensions);
        benchmark::DoNotOptimize(caps.size);
    }
    finish(state, data, 1);
}

void bm_ehlo_c(benchmark::State& state) {
    const std::string data = smtpp_bench::load("ehlo_postfix.txt");
    smtpp_ehlo caps;
    smtpp_ehlo_fields f;
    for (auto _ : state) {
        smtpp_ehlo_result r;
        smtpp_parse_ehlo(data.data(), data.size(), &caps, sizeof caps, nullptr, &r);
        smtpp_ehlo_fields_of(&caps, &f);
        benchmark::DoNotOptimize(r.consumed);
        benchmark::DoNotOptimize(f.extensions);
        benchmark::DoNotOptimize(f.size);
    }
    finish(state, data, 1);
}

// ---- the client session --------------------------------------------------------------------

const std::string_view client_rcpts[] = {"r0@example.org", "r1@example.org", "r2@example.org", "r3@example.org",
                                         "r4@example.org", "r5@example.org", "r6@example.org", "r7@example.org",
                                         "r8@example.org", "r9@example.org"};
const std::string client_wire =
    "220 mx.example.org ESMTP ready\r\n"
    "250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n250-ETRN\r\n250-STARTTLS\r\n"
    "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250-CHUNKING\r\n"
    "250-AUTH PLAIN LOGIN\r\n250 VRFY\r\n"
    "250 2.1.0 Ok\r\n"
    "250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n"
    "250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n"
    "354 End data with <CR><LF>.<CR><LF>\r\n"
    "250 2.0.0 Ok: queued as 4Jz\r\n"
    "221 2.0.0 Bye\r\n";
constexpr std::size_t client_replies = 16;

// `hidden`: the configuration and the envelope as a host has them, read at run time (the
// C++ baseline without constant folding of the settings, as bm_reply_lines_cpp_rt).
void client_cpp(benchmark::State& state, bool hidden) {
    smtpp::client_config cfg;
    cfg.helo = "client.example.org";
    smtpp::envelope env;
    env.from = "sender@example.org";
    env.one_at_a_time = true;
    env.size = 1000;
    if (hidden) {
        benchmark::DoNotOptimize(&cfg);
        benchmark::DoNotOptimize(&env);
        benchmark::ClobberMemory();
    }
    char out[4096];
    std::size_t written = 0, replies = 0;
    for (auto _ : state) {
        smtpp::reply_reader rd;
        smtpp::reply_collector col;
        std::string_view in = client_wire;
        smtpp::client_result r = smtpp::client_start(cfg);
        int sent = 0;
        std::size_t given = 0, n = 0;
        for (;;) {
            written += r.write.size();
            if (r.act == smtpp::client_action::read_reply) {
                smtpp::reply_line ln;
                bool done = false;
                while (!done && rd.next_line(in, ln) == smtpp::status::complete) done = col.add(ln);
                if (!done) break;
                ++n;
                r = smtpp::client_step(cfg, env, r.next, col.reply(), out, sizeof out);
            } else if (r.act == smtpp::client_action::next_recipient) {
                r = given < 10 ? smtpp::client_recipient(cfg, env, r.next, client_rcpts[given], {}, out, sizeof out)
                               : smtpp::client_recipients_done(cfg, env, r.next, out, sizeof out);
                if (given < 10 && r.taken) ++given;
            } else if (r.act == smtpp::client_action::send_body) {
                r = smtpp::client_body_done(cfg, r.next);
            } else if (r.act == smtpp::client_action::ready) {
                r = sent++ == 0 ? smtpp::client_send(cfg, env, r.next, out, sizeof out)
                                : smtpp::client_quit(cfg, r.next);
            } else {
                break;
            }
        }
        replies = n;
    }
    benchmark::DoNotOptimize(written);
    if (replies != client_replies) state.SkipWithError("wrong reply count");
    finish(state, client_wire, client_replies);
}

void bm_client_cpp(benchmark::State& state) { client_cpp(state, false); }
void bm_client_cpp_rt(benchmark::State& state) { client_cpp(state, true); }

void bm_client_c(benchmark::State& state) {
    smtpp_client_config cfg;
    smtpp_client_config_init(&cfg);
    cfg.helo = smtpp_view{"client.example.org", 18};
    smtpp_envelope env;
    smtpp_envelope_init(&env);
    env.from = smtpp_view{"sender@example.org", 18};
    env.size = 1000;
    char out[4096];
    smtpp_reply_reader rd;
    smtpp_reply_collector col;
    smtpp_client cl;
    smtpp_client_result r;
    smtpp_server_reply rep;
    std::size_t written = 0, replies = 0;
    for (auto _ : state) {
        smtpp_reply_reader_init(&rd, sizeof rd, nullptr);
        smtpp_collector_init(&col, sizeof col);
        smtpp_client_init(&cl, sizeof cl);
        const char* p = client_wire.data();
        std::size_t left = client_wire.size();
        smtpp_client_start(&cfg, &cl, &r);
        int sent = 0;
        std::size_t given = 0, n = 0;
        for (;;) {
            written += r.write.len;
            if (r.action == SMTPP_CLIENT_ACTION_READ_REPLY) {
                smtpp_reply_event ev;
                int done = 0;
                while (!done && smtpp_reply_next_line(&rd, p, left, &ev) == SMTPP_OK && ev.status == SMTPP_COMPLETE) {
                    p += ev.consumed;
                    left -= ev.consumed;
                    smtpp_collector_add(&col, &ev.line, &done);
                }
                if (!done) break;
                ++n;
                smtpp_collector_reply(&col, &rep);
                smtpp_client_step(&cfg, &env, &cl, &rep, out, sizeof out, &r);
            } else if (r.action == SMTPP_CLIENT_ACTION_NEXT_RECIPIENT) {
                if (given < 10) {
                    const std::string_view to = client_rcpts[given];
                    smtpp_client_recipient(&cfg, &env, &cl, to.data(), to.size(), nullptr, 0, out, sizeof out, &r);
                    if (r.taken) ++given;
                } else {
                    smtpp_client_recipients_done(&cfg, &env, &cl, out, sizeof out, &r);
                }
            } else if (r.action == SMTPP_CLIENT_ACTION_SEND_BODY) {
                smtpp_client_body_done(&cfg, &cl, &r);
            } else if (r.action == SMTPP_CLIENT_ACTION_READY) {
                if (sent++ == 0) smtpp_client_send(&cfg, &env, &cl, out, sizeof out, &r);
                else smtpp_client_quit(&cfg, &cl, &r);
            } else {
                break;
            }
        }
        replies = n;
    }
    benchmark::DoNotOptimize(written);
    if (replies != client_replies) state.SkipWithError("wrong reply count");
    finish(state, client_wire, client_replies);
}

}  // namespace

BENCHMARK(bm_session_cpp);
BENCHMARK(bm_session_c);
// Fixed iteration counts, for instruction counts under callgrind (bench/c_api_ratio.sh
// --callgrind): the difference between 11 and 1 iterations is 10 passes, setup excluded.
BENCHMARK(bm_session_cpp)->Iterations(1);
BENCHMARK(bm_session_cpp)->Iterations(11);
BENCHMARK(bm_session_c)->Iterations(1);
BENCHMARK(bm_session_c)->Iterations(11);
BENCHMARK(bm_reply_lines_cpp);
BENCHMARK(bm_reply_lines_cpp_rt);
BENCHMARK(bm_reply_lines_c);
BENCHMARK(bm_ehlo_cpp);
BENCHMARK(bm_ehlo_c);
BENCHMARK(bm_client_cpp);
BENCHMARK(bm_client_cpp_rt);
BENCHMARK(bm_client_c);
BENCHMARK(bm_reply_lines_cpp)->Iterations(1);
BENCHMARK(bm_reply_lines_cpp)->Iterations(11);
BENCHMARK(bm_reply_lines_cpp_rt)->Iterations(1);
BENCHMARK(bm_reply_lines_cpp_rt)->Iterations(11);
BENCHMARK(bm_reply_lines_c)->Iterations(1);
BENCHMARK(bm_reply_lines_c)->Iterations(11);
BENCHMARK(bm_ehlo_cpp)->Iterations(1);
BENCHMARK(bm_ehlo_cpp)->Iterations(11);
BENCHMARK(bm_ehlo_c)->Iterations(1);
BENCHMARK(bm_ehlo_c)->Iterations(11);
BENCHMARK(bm_client_cpp)->Iterations(1);
BENCHMARK(bm_client_cpp)->Iterations(11);
BENCHMARK(bm_client_cpp_rt)->Iterations(1);
BENCHMARK(bm_client_cpp_rt)->Iterations(11);
BENCHMARK(bm_client_c)->Iterations(1);
BENCHMARK(bm_client_c)->Iterations(11);
BENCHMARK_MAIN();
