// Benchmark of the body encoder (include/smtpp/encode.hpp) on body_1MiB.txt, as a ratio to
// memcpy of the same bytes in the same process (counter `vs_memcpy` = memcpy time / encoder
// time; targets: >= 0.125 where the body needs no stuffing, >= 0.083 where it does).
//
// Workloads, both derived from body_1MiB.txt (a DATA stream) in this run: `stuffed` is the
// body the server decodes from it (5340 of its lines start with "."), `plain` the same body
// with those leading dots replaced by ",". Each iteration times memcpy of the body into a
// buffer, then the encoder over the body (the host writes the pieces: here their sizes are
// summed), alternately, and reports both; the benchmark's own time is the encoder's.
//
// The ratio is robust on a shared machine: each iteration gives one ratio from the two
// measurements taken back to back (so a slow period of the machine slows both), and
// `vs_memcpy` is the median of those per-iteration ratios (a preemption inside one
// measurement is an outlier the median ignores). `vs_memcpy_min` is the ratio of the two
// fastest times (min memcpy / min encoder), the undisturbed speeds; `vs_memcpy_mean` is the
// old ratio of the summed times, which a loaded machine skews.
#include <benchmark/benchmark.h>

#include <smtpp/data.hpp>
#include <smtpp/encode.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "bench_util.hpp"

namespace {

std::string decoded_body() {
    const std::string all = smtpp_bench::load("body_1MiB.txt");
    smtpp::data_decoder d;
    std::string out;
    std::string_view in = all;
    for (;;) {
        const auto ev = d.next(in);
        in.remove_prefix(ev.consumed);
        if (ev.kind == smtpp::data_event_kind::content) out.append(ev.content.data(), ev.content.size());
        if (ev.kind == smtpp::data_event_kind::end || ev.st == smtpp::status::need_more) break;
    }
    return out;
}

std::string plain_body() {
    std::string b = decoded_body();
    for (std::size_t i = 0; i < b.size(); ++i)
        if (b[i] == '.' && (i == 0 || b[i - 1] == '\n')) b[i] = ',';
    return b;
}

void run(benchmark::State& state, const std::string& body, std::size_t chunk) {
    std::vector<char> dst(body.size());
    const std::size_t step = chunk == 0 ? body.size() : chunk;
    double memcpy_ns = 0;
    double enc_ns = 0;
    std::size_t pieces = 0;
    double memcpy_min = 1e300, enc_min = 1e300;
    std::vector<double> ratios;
    ratios.reserve(1 << 16);
    using clock = std::chrono::steady_clock;
    for (auto _ : state) {
        const auto t0 = clock::now();
        std::memcpy(dst.data(), body.data(), body.size());
        benchmark::DoNotOptimize(dst.data());
        benchmark::ClobberMemory();
        const auto t1 = clock::now();
        smtpp::body_encoder enc;
        std::size_t sum = 0;
        pieces = 0;
        for (std::size_t off = 0; off < body.size(); off += step) {
            std::string_view in(body.data() + off, std::min(step, body.size() - off));
            while (!in.empty()) {
                sum += enc.next(in).size();
                ++pieces;
            }
        }
        sum += enc.finish().size();
        benchmark::DoNotOptimize(sum);
        const auto t2 = clock::now();
        memcpy_ns += std::chrono::duration<double, std::nano>(t1 - t0).count();
        const double e = std::chrono::duration<double, std::nano>(t2 - t1).count();
        enc_ns += e;
        const double m = std::chrono::duration<double, std::nano>(t1 - t0).count();
        memcpy_min = std::min(memcpy_min, m);
        enc_min = std::min(enc_min, e);
        if (e > 0 && ratios.size() < ratios.capacity()) ratios.push_back(m / e);
        state.SetIterationTime(e * 1e-9);
        if (enc.failed()) state.SkipWithError("encoder refused the body");
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
    double median = 0;
    if (!ratios.empty()) {
        std::nth_element(ratios.begin(), ratios.begin() + static_cast<std::ptrdiff_t>(ratios.size() / 2), ratios.end());
        median = ratios[ratios.size() / 2];
    }
    state.counters["vs_memcpy"] = median;
    state.counters["vs_memcpy_min"] = enc_min > 0 && enc_min < 1e300 ? memcpy_min / enc_min : 0;
    state.counters["vs_memcpy_mean"] = enc_ns > 0 ? memcpy_ns / enc_ns : 0;
    state.counters["memcpy_GBps"] =
        memcpy_ns > 0 ? static_cast<double>(body.size()) * static_cast<double>(state.iterations()) / memcpy_ns : 0;
    state.counters["pieces"] = static_cast<double>(pieces);
}

void register_all() {
    static const std::string stuffed = decoded_body();
    static const std::string plain = plain_body();
    for (std::size_t chunk : {std::size_t{0}, std::size_t{65536}, std::size_t{1500}}) {
        const std::string c = chunk == 0 ? std::string("whole") : std::to_string(chunk);
        benchmark::RegisterBenchmark(("encode/plain/" + c).c_str(), [chunk](benchmark::State& s) {
            run(s, plain, chunk);
        })->UseManualTime();
        benchmark::RegisterBenchmark(("encode/stuffed/" + c).c_str(), [chunk](benchmark::State& s) {
            run(s, stuffed, chunk);
        })->UseManualTime();
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
