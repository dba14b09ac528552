// Shared helpers for the benchmarks: load a workload from bench/data and cut it into lines.
#ifndef SMTPP_BENCH_UTIL_HPP
#define SMTPP_BENCH_UTIL_HPP

#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <benchmark/benchmark.h>

namespace smtpp_bench {

inline std::string load(const char* name) {
    const std::string path = std::string(SMTPP_BENCH_DATA_DIR) + "/" + name;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "cannot open %s\n", path.c_str());
        std::exit(2);
    }
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Lines of a workload, each with its terminator (CRLF or LF) included.
inline std::vector<std::string_view> lines(std::string_view all) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (start < all.size()) {
        std::size_t lf = all.find('\n', start);
        std::size_t end = lf == std::string_view::npos ? all.size() : lf + 1;
        out.push_back(all.substr(start, end - start));
        start = end;
    }
    return out;
}

/*
 * The same-run baseline of every benchmark binary: the bare line split of a workload with
 * memchr (find each LF, touch nothing else). Performance figures are ratios of a workload's
 * time to this one's on the same file in the same process (docs/benchmarks.md), which
 * cancels most of the noise of a shared machine.
 */
inline void memchr_lines(benchmark::State& state, const char* file) {
    const std::string data = load(file);
    std::size_t lines = 0;
    for (auto _ : state) {
        const char* p = data.data();
        const char* const end = p + data.size();
        std::size_t n = 0;
        while (const void* hit = std::memchr(p, '\n', static_cast<std::size_t>(end - p))) {
            p = static_cast<const char*>(hit) + 1;
            ++n;
        }
        benchmark::DoNotOptimize(n);
        lines = n;
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(data.size()));
    state.counters["lines"] = static_cast<double>(lines);
}

inline bool register_memchr_baselines() {
    for (const char* file : {"commands.txt", "mail_rcpt.txt", "short.txt", "body_1MiB.txt", "replies.txt",
                             "ehlo_postfix.txt", "ehlo_big.txt"}) {
        benchmark::RegisterBenchmark((std::string("baseline/memchr/") + file).c_str(),
                                     [file](benchmark::State& s) { memchr_lines(s, file); });
    }
    return true;
}
inline const bool memchr_baselines_registered = register_memchr_baselines();

}  // namespace smtpp_bench

#endif
