// Command parser throughput on the shared workloads (bench/data = shared/bench-corpus).
// Reports ns per command (items) and bytes/s. The peer (smtp-proto 0.2.1) figures on the
// same bytes: commands.txt 109-132 ns, mail_rcpt.txt 242-254 ns, short.txt 22-25 ns.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bench_util.hpp"
#include "smtpp/command.hpp"

namespace {

void run(benchmark::State& state, const char* file, const smtpp::parse_options& opt) {
    const std::string all = smtpp_bench::load(file);
    const std::vector<std::string_view> lines = smtpp_bench::lines(all);
    std::size_t errors = 0;
    smtpp::command c;  // reused, as a host does: parse_command overwrites every field
    for (auto _ : state) {
        for (std::string_view line : lines) {
            const smtpp::command_error e = smtpp::parse_command(line, c, opt);
            errors += e != smtpp::command_error::none;
            benchmark::DoNotOptimize(c);
        }
    }
    benchmark::DoNotOptimize(errors);
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(all.size()));
    state.counters["ns/cmd"] = benchmark::Counter(static_cast<double>(lines.size()),
                                                  benchmark::Counter::kIsIterationInvariantRate |
                                                      benchmark::Counter::kInvert);
    state.counters["cmds"] = static_cast<double>(lines.size());
}

smtpp::parse_options strict() {
    smtpp::parse_options o;
    o.smtputf8 = true;
    o.smtputf8_transaction = true;
    o.max_line = 1024;
    return o;
}

void bm_commands(benchmark::State& s) { run(s, "commands.txt", strict()); }
void bm_mail_rcpt(benchmark::State& s) { run(s, "mail_rcpt.txt", strict()); }
void bm_short(benchmark::State& s) { run(s, "short.txt", strict()); }
void bm_commands_lf_rejected(benchmark::State& s) { run(s, "commands_lf.txt", strict()); }
void bm_commands_lf_lenient(benchmark::State& s) {
    smtpp::parse_options o = strict();
    o.allow_bare_lf = true;
    run(s, "commands_lf.txt", o);
}

}  // namespace

BENCHMARK(bm_commands);
BENCHMARK(bm_mail_rcpt);
BENCHMARK(bm_short);
BENCHMARK(bm_commands_lf_rejected);
BENCHMARK(bm_commands_lf_lenient);
BENCHMARK_MAIN();
