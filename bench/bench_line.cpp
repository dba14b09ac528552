// Benchmarks of the line reader (include/smtpp/line.hpp) on the command workloads, whole
// and in chunks of 1, 7, 64 and 1500 bytes. Items are lines; compare ns per line across
// chunk sizes (the target: 1-byte chunks within 3x of whole).
//
// Two references run in the same harness loop, in 1- and 7-byte chunks:
//  - null/: a reader that only finds the LF (no state, no storage). Its cost is, in
//    effect, the harness's own: one call, one event and one loop turn per chunk. In
//    1-byte chunks that is some 19-20 instructions per octet (callgrind), ~700 per line,
//    which a reader behind this call-per-chunk API cannot avoid (its time can still
//    differ either way with how the compiler lays out the loop).
//  - floor/: null plus counting and storing each byte, the least a reader that keeps split
//    lines in its own storage must do.
#include <benchmark/benchmark.h>

#include <smtpp/line.hpp>

#include <array>
#include <string>
#include <string_view>

#include "bench_util.hpp"

namespace {

// The harness's own cost: find the LF, nothing else (no state, no storage, no count; the
// view it returns is the chunk's part of the line, and no substr(): no exception path).
// Same loop as the real runs.
struct null_reader {
    smtpp::line_event next(std::string_view in) noexcept {
        for (std::size_t i = 0; i < in.size(); ++i)
            if (in[i] == '\n')
                return {smtpp::status::complete, smtpp::line_error::none, std::string_view(in.data(), i + 1), i + 1};
        return {smtpp::status::need_more, smtpp::line_error::none, {}, in.size()};
    }
};

// The floor for a reader that keeps split lines in its own storage: store every byte, find
// the LF, nothing else (no CR/NUL/limit checks, no zero-copy). Same loop as the real runs.
struct floor_reader {
    std::array<char, 512> buf{};
    std::size_t len = 0;
    smtpp::line_event next(std::string_view in) noexcept {
        for (std::size_t i = 0; i < in.size(); ++i) {
            const char c = in[i];
            if (len < buf.size()) buf[len] = c;
            ++len;
            if (c == '\n') {
                const std::size_t n = len < buf.size() ? len : buf.size();
                len = 0;
                return {smtpp::status::complete, smtpp::line_error::none, std::string_view(buf.data(), n), i + 1};
            }
        }
        return {smtpp::status::need_more, smtpp::line_error::none, {}, in.size()};
    }
};

template <class Reader>
void run_lines(benchmark::State& state, const char* file, std::size_t chunk) {
    const std::string all = smtpp_bench::load(file);
    std::size_t lines = 0;
    const std::size_t step = chunk == 0 ? all.size() : chunk;
    for (auto _ : state) {
        Reader r;
        lines = 0;
        std::size_t sum = 0;
        for (std::size_t off = 0; off < all.size(); off += step) {
            std::string_view in(all.data() + off, std::min(step, all.size() - off));
            while (!in.empty()) {
                const auto ev = r.next(in);
                in.remove_prefix(ev.consumed);
                if (ev.st == smtpp::status::need_more) break;
                ++lines;
                sum += ev.line.size();
            }
        }
        benchmark::DoNotOptimize(sum);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(all.size()));
    state.counters["lines"] = benchmark::Counter(static_cast<double>(lines),
                                                 benchmark::Counter::kIsIterationInvariantRate);
    state.counters["ns_per_line"] = benchmark::Counter(static_cast<double>(lines),
                                                       benchmark::Counter::kIsIterationInvariantRate |
                                                           benchmark::Counter::kInvert);
}

void register_all() {
    for (const char* file : {"commands.txt", "short.txt", "mail_rcpt.txt", "commands_lf.txt"}) {
        for (std::size_t chunk : {std::size_t{0}, std::size_t{1500}, std::size_t{64}, std::size_t{7}, std::size_t{1}}) {
            const std::string name = std::string("line/") + file + "/" +
                                     (chunk == 0 ? std::string("whole") : std::to_string(chunk));
            benchmark::RegisterBenchmark(name.c_str(), [file, chunk](benchmark::State& s) {
                run_lines<smtpp::line_reader<512>>(s, file, chunk);
            });
        }
        for (std::size_t chunk : {std::size_t{1}, std::size_t{7}}) {
            const std::string name = std::string("floor/") + file + "/" + std::to_string(chunk);
            benchmark::RegisterBenchmark(name.c_str(), [file, chunk](benchmark::State& s) {
                run_lines<floor_reader>(s, file, chunk);
            });
        }
        for (std::size_t chunk : {std::size_t{1}, std::size_t{7}}) {
            const std::string name = std::string("null/") + file + "/" + std::to_string(chunk);
            benchmark::RegisterBenchmark(name.c_str(), [file, chunk](benchmark::State& s) {
                run_lines<null_reader>(s, file, chunk);
            });
        }
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
