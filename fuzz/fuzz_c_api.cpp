// fuzz_c_api: the client side of the C API (include/smtpp/smtpp.h) against the C++ calls it
// wraps, on the same hostile server bytes. The C API's one translation unit is compiled
// into this target (no library to link: OSS-Fuzz builds each target from one file).
//
// Input: byte 0 = options (bit 0 allow_bare_lf, bit 1 allow_ctl, bit 2 no 8-bit, bit 3
// expect_ehlo, bit 4 PIPELINING off, bit 5 CHUNKING, bit 6 LMTP), byte 1 = split point,
// then the server's bytes.
// Properties, each reported through SMTPP_FUZZ_CHECK (fuzz_support.hpp):
//   1. the C reply reader, fed in two pieces cut at the split point, yields exactly the
//      lines (code, last, enhanced code, text, line, index), summaries and error of the C++
//      reader fed whole, and every view lies inside the input piece it came from or the
//      reader's storage; `consumed` adds up to the input on NEED_MORE;
//   2. smtpp_parse_ehlo equals parse_ehlo field by field (status, error, consumed, every
//      capability and unknown keyword, views at the same offsets);
//   3. a C client and a C++ client (one recipient at a time, the same two recipients),
//      driven in lockstep by the replies of the stream, produce the same writes, actions,
//      phases, events, outcomes, errors, codes and timeouts at every step;
//   4. no C call returns an API error on valid arguments.
#include "../src/smtpp_c.cpp"
#include "fuzz_support.hpp"

#include <cstdlib>
#include <cstring>

namespace {

[[noreturn]] void fail() {
    SMTPP_FUZZ_CHECK(false);
    __builtin_unreachable();
}

bool same(smtpp_view a, std::string_view b) {
    return a.len == b.size() && (a.len == 0 || std::memcmp(a.ptr, b.data(), a.len) == 0);
}
bool same_at(smtpp_view a, std::string_view b, const char* base_a, const char* base_b) {
    if (a.len != b.size()) return false;
    if (a.len == 0) return true;
    return a.ptr - base_a == b.data() - base_b;
}
bool inside(smtpp_view v, const void* base, std::size_t n) {
    if (v.len == 0) return true;
    const char* b = static_cast<const char*>(base);
    return v.ptr >= b && v.ptr + v.len <= b + n;
}

void check(smtpp_error e) {
    if (e != SMTPP_OK) fail();
}

// 1. The reply reader.
void reply_reader_diff(std::string_view in, const smtpp_reply_options& co, bool ehlo, std::size_t split) {
    smtpp::reply_reader cpp(to_cpp(co));
    if (ehlo) cpp.expect_ehlo();
    smtpp_reply_reader rd;
    check(smtpp_reply_reader_init(&rd, sizeof rd, &co));
    if (ehlo) check(smtpp_reply_expect_ehlo(&rd));
    std::string_view rest = in;
    const std::string_view first = in.substr(0, split), second = in.substr(split);
    std::string_view piece = first;
    bool on_second = false;
    for (;;) {
        smtpp::reply_line want;
        const smtpp::status ws = cpp.next_line(rest, want);
        // the C reader: until it produces something other than NEED_MORE, or runs dry
        smtpp_reply_event ev{};
        for (;;) {
            check(smtpp_reply_next_line(&rd, piece.data(), piece.size(), &ev));
            if (ev.consumed > piece.size()) fail();
            if (ev.status == SMTPP_NEED_MORE && ev.consumed != piece.size()) fail();
            if (ev.status == SMTPP_COMPLETE &&
                !(inside(ev.line.line, piece.data(), piece.size()) || inside(ev.line.line, &rd, sizeof rd)))
                fail();
            piece.remove_prefix(ev.consumed);
            if (ev.status != SMTPP_NEED_MORE || on_second) break;
            piece = second;
            on_second = true;
        }
        if (ws == smtpp::status::need_more) {
            if (ev.status != SMTPP_NEED_MORE) fail();
            break;
        }
        if (static_cast<int>(ev.status) != static_cast<int>(ws)) fail();
        if (ws == smtpp::status::failed) {
            if (static_cast<int>(ev.error) != static_cast<int>(cpp.error())) fail();
            if (smtpp_reply_error_of(&rd) != ev.error) fail();
            break;
        }
        const smtpp_reply_line& l = ev.line;
        if (l.code != want.code || (l.last != 0) != want.last || l.esc_class != want.esc.cls ||
            l.esc_subject != want.esc.subject || l.esc_detail != want.esc.detail || !same(l.text, want.text) ||
            !same(l.line, want.line) || l.index != want.index)
            fail();
        if (want.last) {
            smtpp_reply_summary s{};
            check(smtpp_reply_summary_of(&rd, &s));
            const smtpp::reply_summary w = cpp.summary();
            if (s.code != w.code || s.lines != w.lines || s.bytes != w.bytes || s.esc_class != w.esc.cls) fail();
        }
    }
    smtpp_status st{};
    check(smtpp_reply_finish(&rd, &st));
    if (static_cast<int>(st) != static_cast<int>(cpp.finish())) fail();
}

// 2. EHLO.
void ehlo_diff(std::string_view in, const smtpp_reply_options& co) {
    smtpp::ehlo_capabilities want;
    const smtpp::ehlo_result wr = smtpp::parse_ehlo(in, want, to_cpp(co));
    smtpp_ehlo caps;
    smtpp_ehlo_result r{};
    check(smtpp_parse_ehlo(in.data(), in.size(), &caps, sizeof caps, &co, &r));
    if (static_cast<int>(r.status) != static_cast<int>(wr.st) ||
        static_cast<int>(r.error) != static_cast<int>(wr.error) || r.consumed != wr.consumed)
        fail();
    smtpp_ehlo_fields f{};
    check(smtpp_ehlo_fields_of(&caps, &f));
    const char* b = in.data();
    if (f.code != want.code || f.extensions != want.extensions || f.auth_mechanisms != want.auth_mechanisms ||
        f.auth_unknown != want.auth_unknown || (f.size_known != 0) != want.size_known || f.size != want.size ||
        (f.deliverby_known != 0) != want.deliverby_known || f.deliverby_min != want.deliverby_min ||
        f.futurerelease_interval != want.futurerelease_interval || f.limit_rcptmax != want.limit_rcptmax ||
        f.limit_mailmax != want.limit_mailmax || f.limit_rcptdomainmax != want.limit_rcptdomainmax ||
        f.unknown_count != want.unknown_count || f.unknown_overflow != want.unknown_overflow ||
        f.malformed_lines != want.malformed_lines || f.lines != want.lines || !same_at(f.domain, want.domain, b, b) ||
        !same_at(f.greet, want.greet, b, b) || !same_at(f.auth_params, want.auth_params, b, b) ||
        !same_at(f.futurerelease_datetime, want.futurerelease_datetime, b, b) ||
        !same_at(f.mt_priority_policy, want.mt_priority_policy, b, b))
        fail();
    for (std::size_t i = 0; i < want.unknown_count && i < want.unknown.size(); ++i) {
        smtpp_view k{}, p{};
        check(smtpp_ehlo_unknown(&caps, i, &k, &p));
        if (!same_at(k, want.unknown[i].keyword, b, b) || !same_at(p, want.unknown[i].params, b, b)) fail();
    }
    smtpp_view k{}, p{};
    if (smtpp_ehlo_unknown(&caps, want.unknown_count, &k, &p) != SMTPP_E_ARGUMENT) fail();
}

// 3. The client session, C and C++ in lockstep.
void same_result(const smtpp::client_result& w, const smtpp_client_result& c, const smtpp_client* cl) {
    if (!same(c.write, w.write) || static_cast<int>(c.action) != static_cast<int>(w.act) ||
        static_cast<int>(c.phase) != static_cast<int>(w.next.phase) ||
        static_cast<int>(c.event) != static_cast<int>(w.event) ||
        static_cast<int>(c.outcome) != static_cast<int>(w.outcome) ||
        static_cast<int>(c.error) != static_cast<int>(w.error) || c.index != w.index || c.code != w.code ||
        c.esc_class != w.esc.cls || c.esc_subject != w.esc.subject || c.esc_detail != w.esc.detail ||
        c.timeout != w.timeout || (c.bdat != 0) != w.bdat || (c.expect_ehlo != 0) != w.expect_ehlo ||
        (c.dsn_dropped != 0) != w.dsn_dropped || (c.taken != 0) != w.taken)
        fail();
    if (smtpp_client_phase_of(cl) != c.phase) fail();
}

void client_diff(std::string_view in, std::uint8_t opt) {
    smtpp_client_config cfg;
    smtpp_client_config_init(&cfg);
    cfg.use_pipelining = (opt & 16) == 0;
    cfg.use_chunking = (opt & 32) != 0;
    cfg.lmtp = (opt & 64) != 0;
    smtpp_envelope env;
    smtpp_envelope_init(&env);
    env.from = smtpp_view{"a@b.example", 11};
    smtpp::client_config ccfg;
    smtpp::envelope cenv;
    if (!to_cpp(cfg, ccfg) || !to_cpp(env, cenv)) fail();
    static const std::string_view to[2] = {"c@d.example", "e\xC3\xA9@f.example"};
    char out_c[1024], out_w[1024];
    smtpp_client cl;
    check(smtpp_client_init(&cl, sizeof cl));
    smtpp_client_result c{};
    check(smtpp_client_start(&cfg, &cl, &c));
    smtpp::client_result w = smtpp::client_start(ccfg);
    smtpp::reply_reader rd;
    smtpp::reply_collector col;
    int sent = 0;
    std::size_t given = 0;
    for (int guard = 0; guard < 256; ++guard) {
        same_result(w, c, &cl);
        const smtpp::client_state st = w.next;
        switch (w.act) {
            case smtpp::client_action::read_reply: {
                if (w.expect_ehlo) rd.expect_ehlo();
                smtpp::reply_line ln;
                bool got = false;
                while (!got && rd.next_line(in, ln) == smtpp::status::complete) got = col.add(ln);
                if (!got) return;
                col.set_trailing(!in.empty());
                const smtpp::server_reply& rep = col.reply();
                smtpp_server_reply crep{};
                crep.code = rep.code;
                crep.esc_class = rep.esc.cls;
                crep.esc_subject = rep.esc.subject;
                crep.esc_detail = rep.esc.detail;
                crep.trailing = rep.trailing;
                crep.extensions = rep.extensions;
                crep.auth_mechanisms = rep.auth_mechanisms;
                crep.size = rep.size;
                w = smtpp::client_step(ccfg, cenv, st, rep, out_w, sizeof out_w);
                check(smtpp_client_step(&cfg, &env, &cl, &crep, out_c, sizeof out_c, &c));
                break;
            }
            case smtpp::client_action::start_tls:
                w = smtpp::client_tls_established(ccfg, st, out_w, sizeof out_w);
                check(smtpp_client_tls_established(&cfg, &cl, out_c, sizeof out_c, &c));
                break;
            case smtpp::client_action::send_body:
                if (w.bdat) {
                    w = smtpp::client_chunk(ccfg, st, 5, true, out_w, sizeof out_w);
                    check(smtpp_client_chunk(&cfg, &cl, 5, 1, out_c, sizeof out_c, &c));
                } else {
                    w = smtpp::client_body_done(ccfg, st);
                    check(smtpp_client_body_done(&cfg, &cl, &c));
                }
                break;
            case smtpp::client_action::ready:
                if (sent++ < 2) {
                    given = 0;
                    w = smtpp::client_send(ccfg, cenv, st, out_w, sizeof out_w);
                    check(smtpp_client_send(&cfg, &env, &cl, out_c, sizeof out_c, &c));
                } else {
                    w = smtpp::client_quit(ccfg, st);
                    check(smtpp_client_quit(&cfg, &cl, &c));
                }
                break;
            case smtpp::client_action::next_recipient:
                if (given < 2) {
                    w = smtpp::client_recipient(ccfg, cenv, st, to[given], {}, out_w, sizeof out_w);
                    check(smtpp_client_recipient(&cfg, &env, &cl, to[given].data(), to[given].size(), nullptr, 0, out_c,
                                                 sizeof out_c, &c));
                    if (w.taken) ++given;
                } else {
                    w = smtpp::client_recipients_done(ccfg, cenv, st, out_w, sizeof out_w);
                    check(smtpp_client_recipients_done(&cfg, &env, &cl, out_c, sizeof out_c, &c));
                }
                break;
            case smtpp::client_action::close: return;
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::uint8_t opt = data[0];
    const std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);
    smtpp_reply_options co;
    smtpp_reply_options_init(&co);
    co.allow_bare_lf = opt & 1;
    co.allow_ctl = (opt >> 1) & 1;
    co.allow_8bit = (opt & 4) == 0;
    const std::size_t split = in.empty() ? 0 : data[1] % (in.size() + 1);
    reply_reader_diff(in, co, (opt & 8) != 0, split);
    ehlo_diff(in, co);
    client_diff(in, opt);
    return 0;
}
