// Session throughput: parse + step + reply (and the host's decision calls) for whole
// sessions from commands.txt, as a host runs them. Reports ns per command line (items)
// and bytes/s of command input. Target: <= 60 ns per command, zero allocations. The
// session-level peer, mailin, takes 191-369 ns and 3 allocations per line.
//
// Bodies: commands.txt holds command lines only, so after 354 / a BDAT the host reports
// an empty body at once (end_of_data / end_of_chunk with no error); decisions accept;
// STARTTLS completes at once; after QUIT the next client connects (start()).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bench_util.hpp"
#include "smtpp/session.hpp"

namespace {

smtpp::policy make_policy(bool verify) {
    smtpp::policy_options o;
    o.extensions |= smtpp::ext_starttls | smtpp::ext_auth | smtpp::ext_smtputf8 | smtpp::ext_dsn |
                    smtpp::ext_binarymime;
    o.auth_mechanisms = smtpp::mechanism_bit(smtpp::sasl_mechanism::plain);
    o.verify_senders = o.verify_recipients = verify;
    return smtpp::policy(o);
}

void run(benchmark::State& state, const char* file, bool verify) {
    const std::string all = smtpp_bench::load(file);
    const std::vector<std::string_view> lines = smtpp_bench::lines(all);
    const smtpp::policy pol = make_policy(verify);
    std::size_t reply_bytes = 0;
    smtpp::command cmd;  // host-owned, reused
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
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(all.size()));
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(lines.size()));
    state.counters["ns/cmd"] = benchmark::Counter(static_cast<double>(lines.size()),
                                                  benchmark::Counter::kIsIterationInvariantRate |
                                                      benchmark::Counter::kInvert);
}

void bm_session_commands(benchmark::State& s) { run(s, "commands.txt", true); }
void bm_session_commands_no_verify(benchmark::State& s) { run(s, "commands.txt", false); }
void bm_session_short(benchmark::State& s) { run(s, "short.txt", true); }

/// The step alone on an already parsed-sized line: NOOP in the ready phase (floor).
void bm_step_noop(benchmark::State& state) {
    const smtpp::policy pol = make_policy(true);
    smtpp::command cmd;
    smtpp::session_state s = smtpp::start(pol).next;
    s = smtpp::step(pol, s, "EHLO c.example\r\n", cmd).next;
    for (auto _ : state) {
        smtpp::step_result r = smtpp::step(pol, s, "NOOP\r\n", cmd);
        benchmark::DoNotOptimize(r.reply.data());
        benchmark::DoNotOptimize(r.next);
    }
    state.SetItemsProcessed(state.iterations());
}

/// A connection refused before the greeting (refuse(): 421 and close), the busy server's
/// per-connection cost.
void bm_refuse(benchmark::State& state) {
    const smtpp::policy pol = make_policy(true);
    for (auto _ : state) {
        smtpp::step_result r = smtpp::refuse(pol);
        benchmark::DoNotOptimize(r.reply.data());
        benchmark::DoNotOptimize(r.next);
    }
    state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(bm_session_commands);
BENCHMARK(bm_session_commands_no_verify);
BENCHMARK(bm_session_short);
BENCHMARK(bm_step_noop);
BENCHMARK(bm_refuse);
BENCHMARK_MAIN();
