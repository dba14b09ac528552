// Benchmarks of the client session (include/smtpp/client.hpp): one client step per reply
// over a whole pipelined session (greeting, EHLO with 12 capabilities, MAIL, 10 RCPTs, 354,
// 250, 221), from ready `server_reply` values (`client/step`) and from the reply bytes
// through reply_reader + reply_collector (`client/wire`, with `vs_memchr` = time of a bare
// memchr line split of the same bytes / time of the whole client, in the same run).
// Items are replies.
#include <benchmark/benchmark.h>

#include <smtpp/client.hpp>

#include <chrono>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace smtpp;

const std::string_view rcpts[] = {"r0@example.org", "r1@example.org", "r2@example.org", "r3@example.org",
                                  "r4@example.org", "r5@example.org", "r6@example.org", "r7@example.org",
                                  "r8@example.org", "r9@example.org"};

const std::string wire =
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
constexpr int replies_per_session = 16;

struct session {
    client_config cfg{};
    envelope env{};
    session() {
        cfg.helo = "client.example.org";
        env.from = "sender@example.org";
        env.to = rcpts;
        env.to_count = 10;
        env.size = 1000;
    }
};

// Host events, answered at once; returns the result that waits for a reply (or closes).
client_result settle(const session& s, client_result r, char* out, std::size_t cap, int& sent) {
    while (r.act != client_action::read_reply && r.act != client_action::close) {
        if (r.act == client_action::send_body) r = client_body_done(s.cfg, r.next);
        else if (r.act == client_action::ready)
            r = sent++ == 0 ? client_send(s.cfg, s.env, r.next, out, cap) : client_quit(s.cfg, r.next);
        else break;
    }
    return r;
}

std::vector<server_reply> parsed_replies() {
    std::vector<server_reply> v;
    reply_reader rd;
    reply_collector col;
    std::string_view in = wire;
    reply_line ln;
    while (rd.next_line(in, ln) == status::complete)
        if (col.add(ln)) v.push_back(col.reply());
    return v;
}

void client_step_bench(benchmark::State& state) {
    const session s;
    const std::vector<server_reply> reps = parsed_replies();
    char out[4096];
    std::size_t bytes = 0;
    for (auto _ : state) {
        int sent = 0;
        client_result r = client_start(s.cfg);
        for (const server_reply& rep : reps) {
            r = client_step(s.cfg, s.env, r.next, rep, out, sizeof out);
            bytes += r.write.size();
            r = settle(s, r, out, sizeof out, sent);
        }
        if (r.act != client_action::close) state.SkipWithError("session did not end");
        benchmark::DoNotOptimize(bytes);
    }
    state.SetItemsProcessed(state.iterations() * replies_per_session);
}

void client_wire_bench(benchmark::State& state) {
    const session s;
    char out[4096];
    double base_ns = 0, client_ns = 0;
    using clock = std::chrono::steady_clock;
    for (auto _ : state) {
        const auto t0 = clock::now();
        std::size_t lines = 0;
        for (const char* p = wire.data();
             const void* lf = std::memchr(p, '\n', static_cast<std::size_t>(wire.data() + wire.size() - p));) {
            ++lines;
            p = static_cast<const char*>(lf) + 1;
        }
        benchmark::DoNotOptimize(lines);
        const auto t1 = clock::now();
        reply_reader rd;
        reply_collector col;
        std::string_view in = wire;
        reply_line ln;
        int sent = 0;
        client_result r = client_start(s.cfg);
        while (r.act == client_action::read_reply && rd.next_line(in, ln) == status::complete) {
            if (!col.add(ln)) continue;
            if (r.expect_ehlo) rd.expect_ehlo();
            r = client_step(s.cfg, s.env, r.next, col.reply(), out, sizeof out);
            r = settle(s, r, out, sizeof out, sent);
        }
        benchmark::DoNotOptimize(r);
        const auto t2 = clock::now();
        base_ns += std::chrono::duration<double, std::nano>(t1 - t0).count();
        const double c = std::chrono::duration<double, std::nano>(t2 - t1).count();
        client_ns += c;
        state.SetIterationTime(c * 1e-9);
        if (r.act != client_action::close) state.SkipWithError("session did not end");
    }
    state.SetItemsProcessed(state.iterations() * replies_per_session);
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(wire.size()));
    state.counters["vs_memchr"] = client_ns > 0 ? base_ns / client_ns : 0;
}

}  // namespace

BENCHMARK(client_step_bench)->Name("client/step");
BENCHMARK(client_wire_bench)->Name("client/wire")->UseManualTime();
BENCHMARK_MAIN();
