// The C API's cost: the session workload of bench_session.cpp (whole sessions from
// commands.txt: step + reply + the host's decisions), once through the C++ functions and
// once through include/smtpp/smtpp.h (the static library smtpp::c: out-of-line calls,
// argument checks, result conversion), in the same process. Target: the C variant at most
// 10 % slower. bench/c_api_ratio.sh alternates the two in separate runs and reports the
// ratio of medians.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bench_util.hpp"
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
        benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
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

}  // namespace

BENCHMARK(bm_session_cpp);
BENCHMARK(bm_session_c);
// Fixed iteration counts, for instruction counts under callgrind (bench/c_api_ratio.sh
// --callgrind): the difference between 11 and 1 iterations is 10 passes, setup excluded.
BENCHMARK(bm_session_cpp)->Iterations(1);
BENCHMARK(bm_session_cpp)->Iterations(11);
BENCHMARK(bm_session_c)->Iterations(1);
BENCHMARK(bm_session_c)->Iterations(11);
BENCHMARK_MAIN();
