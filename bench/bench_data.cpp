// Benchmarks of the DATA and BDAT decoders (include/smtpp/data.hpp) on body_1MiB.txt,
// whole and in chunks of 1, 7, 64 and 1500 bytes. Target: DATA >= 5 GB/s whole
// (peer: smtp-proto 333-552 MB/s on the same file). Items are content events.
#include <benchmark/benchmark.h>

#include <smtpp/data.hpp>

#include <string>
#include <string_view>

#include "bench_util.hpp"

namespace {

void run_data(benchmark::State& state, std::size_t chunk, smtpp::bare_newline_policy pol) {
    const std::string all = smtpp_bench::load("body_1MiB.txt");
    const std::size_t step = chunk == 0 ? all.size() : chunk;
    smtpp::data_options o;
    o.bare_newline = pol;
    o.max_size = 10u << 20;
    o.max_text_line = 1000;
    std::size_t events = 0;
    for (auto _ : state) {
        smtpp::data_decoder d(o);
        std::size_t sum = 0;
        events = 0;
        for (std::size_t off = 0; off < all.size() && !d.done(); off += step) {
            std::string_view in(all.data() + off, std::min(step, all.size() - off));
            while (true) {
                const auto ev = d.next(in);
                in.remove_prefix(ev.consumed);
                if (ev.kind == smtpp::data_event_kind::content) {
                    sum += ev.content.size();
                    ++events;
                }
                if (ev.st == smtpp::status::need_more || ev.kind == smtpp::data_event_kind::end) break;
            }
        }
        if (!d.done() || d.pending_error() != smtpp::data_error::none) state.SkipWithError("body did not end cleanly");
        benchmark::DoNotOptimize(sum);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(all.size()));
    state.counters["events"] = benchmark::Counter(static_cast<double>(events),
                                                  benchmark::Counter::kIsIterationInvariantRate);
}

void run_bdat(benchmark::State& state, std::size_t chunk) {
    const std::string all = smtpp_bench::load("body_1MiB.txt");
    const std::size_t step = chunk == 0 ? all.size() : chunk;
    smtpp::bdat_options o;
    o.reject_bare_newline = true;
    std::size_t events = 0;
    for (auto _ : state) {
        smtpp::bdat_decoder d(all.size(), o, true);
        std::size_t sum = 0;
        events = 0;
        for (std::size_t off = 0; off < all.size(); off += step) {
            const auto ev = d.next(std::string_view(all.data() + off, std::min(step, all.size() - off)));
            sum += ev.content.size();
            ++events;
        }
        if (d.next({}).err != smtpp::data_error::none) state.SkipWithError("bare newline in body");
        benchmark::DoNotOptimize(sum);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(all.size()));
    state.counters["events"] = benchmark::Counter(static_cast<double>(events),
                                                  benchmark::Counter::kIsIterationInvariantRate);
}

void register_all() {
    for (std::size_t chunk : {std::size_t{0}, std::size_t{1500}, std::size_t{64}, std::size_t{7}, std::size_t{1}}) {
        const std::string c = chunk == 0 ? std::string("whole") : std::to_string(chunk);
        benchmark::RegisterBenchmark(("data/reject/" + c).c_str(), [chunk](benchmark::State& s) {
            run_data(s, chunk, smtpp::bare_newline_policy::reject);
        });
        benchmark::RegisterBenchmark(("data/normalize/" + c).c_str(), [chunk](benchmark::State& s) {
            run_data(s, chunk, smtpp::bare_newline_policy::normalize);
        });
        benchmark::RegisterBenchmark(("bdat/strict/" + c).c_str(),
                                     [chunk](benchmark::State& s) { run_bdat(s, chunk); });
    }
}

}  // namespace

int main(int argc, char** argv) {
    register_all();
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
