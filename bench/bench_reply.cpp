// Benchmarks for the reply side: the reply reader on replies.txt (whole and in 1-byte chunks)
// and the EHLO capability parser on ehlo_postfix.txt, ehlo_big.txt and a two-line reply.
// Peer figures (smtp-proto 0.2.1) are in bench/data/README.md.
#include <benchmark/benchmark.h>

#include <smtpp/ehlo.hpp>
#include <smtpp/reply.hpp>

#include <cstdint>
#include <string>

#include "bench_util.hpp"

namespace {

void count_replies(benchmark::State& state, std::size_t chunk) {
    const std::string data = smtpp_bench::load("replies.txt");
    std::size_t replies = 0;
    for (auto _ : state) {
        smtpp::reply_reader rd;
        smtpp::reply_summary s;
        std::size_t n = 0;
        const std::string_view all = data;
        for (std::size_t pos = 0; pos < all.size(); pos += chunk) {
            std::string_view c = all.substr(pos, chunk);
            while (rd.next_reply(c, s) == smtpp::status::complete) ++n;
        }
        benchmark::DoNotOptimize(n);
        benchmark::DoNotOptimize(s);
        replies = n;
    }
    if (replies != 1600) state.SkipWithError("wrong reply count");
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(data.size()));
    state.counters["replies"] = benchmark::Counter(static_cast<double>(replies),
                                                   benchmark::Counter::kIsIterationInvariantRate);
    state.counters["ns_per_reply"] = benchmark::Counter(static_cast<double>(replies),
                                                        benchmark::Counter::kIsIterationInvariantRate |
                                                            benchmark::Counter::kInvert);
}

void BM_reply_stream(benchmark::State& state) { count_replies(state, std::string::npos); }
void BM_reply_stream_1byte(benchmark::State& state) { count_replies(state, 1); }
void BM_reply_stream_64byte(benchmark::State& state) { count_replies(state, 64); }

/// Per-line events too (what a client that logs every line does).
void BM_reply_lines(benchmark::State& state) {
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
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(data.size()));
    state.counters["lines"] = benchmark::Counter(static_cast<double>(lines),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

/// One EHLO reply parsed from the exact workload bytes per iteration (the same buffer each
/// time, no allocation in the loop); the result is checked after the loop.
void ehlo_bytes(benchmark::State& state, const std::string& data, std::uint32_t lines) {
    smtpp::ehlo_capabilities caps;
    smtpp::ehlo_result r{};
    for (auto _ : state) {
        r = smtpp::parse_ehlo(data, caps);
        benchmark::DoNotOptimize(r);
        benchmark::DoNotOptimize(caps);
    }
    if (r.st != smtpp::status::complete || r.consumed != data.size() || !caps.ok() || caps.lines != lines ||
        caps.extensions == 0)
        state.SkipWithError("EHLO not parsed");
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(data.size()));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void ehlo(benchmark::State& state, const char* file, std::uint32_t lines) {
    ehlo_bytes(state, smtpp_bench::load(file), lines);
}

void BM_ehlo_postfix(benchmark::State& state) { ehlo(state, "ehlo_postfix.txt", 11); }
void BM_ehlo_big(benchmark::State& state) { ehlo(state, "ehlo_big.txt", 22); }
/// Mostly the fixed cost of a call: the shortest reply that advertises something.
void BM_ehlo_two_lines(benchmark::State& state) { ehlo_bytes(state, "250-mx.example.org\r\n250 8BITMIME\r\n", 2); }

/// The EHLO reply seen by a streaming client: reader in 1-byte chunks until the reply ends,
/// then the capability parse over the bytes kept in the receive buffer.
void BM_ehlo_postfix_1byte_then_parse(benchmark::State& state) {
    const std::string data = smtpp_bench::load("ehlo_postfix.txt");
    smtpp::ehlo_capabilities caps;
    for (auto _ : state) {
        smtpp::reply_reader rd;
        rd.expect_ehlo();
        smtpp::reply_summary s;
        for (std::size_t i = 0; i < data.size(); ++i) {
            std::string_view c = std::string_view(data).substr(i, 1);
            if (rd.next_reply(c, s) == smtpp::status::complete) break;
        }
        const smtpp::ehlo_result r = smtpp::parse_ehlo(data, caps);
        benchmark::DoNotOptimize(r);
        benchmark::DoNotOptimize(caps);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(data.size()));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_format_reply(benchmark::State& state) {
    char buf[512];
    const std::string_view lines[] = {"mx.example.com", "PIPELINING", "SIZE 52428800", "STARTTLS", "8BITMIME"};
    for (auto _ : state) {
        const auto a = smtpp::format_reply(buf, sizeof buf, 250, {2, 1, 5}, "Ok");
        const auto b = smtpp::format_reply(buf, sizeof buf, 250, {}, lines, 5);
        benchmark::DoNotOptimize(a);
        benchmark::DoNotOptimize(b);
        benchmark::DoNotOptimize(buf);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 2));
}

}  // namespace

BENCHMARK(BM_reply_stream);
BENCHMARK(BM_reply_stream_64byte);
BENCHMARK(BM_reply_stream_1byte);
BENCHMARK(BM_reply_lines);
BENCHMARK(BM_ehlo_postfix);
BENCHMARK(BM_ehlo_big);
BENCHMARK(BM_ehlo_two_lines);
BENCHMARK(BM_ehlo_postfix_1byte_then_parse);
BENCHMARK(BM_format_reply);
BENCHMARK_MAIN();
