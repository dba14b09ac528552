// Fuzz target for the server session (include/smtpp/session.hpp): random client bytes
// through line_reader → step() (→ data/BDAT decoders → end_of_data/end_of_chunk) with
// host decisions derived from the input.
//
// Input: byte 0 = policy bits (LMTP, enhanced codes, sync check, host verification,
// PIPELINING, STARTTLS+AUTH, require AUTH, small limits), byte 1 = piece size for the split
// run, then the client stream. Properties, each reported with __builtin_trap():
//   1. every reply is well formed (3-digit 2xx-5xx code, same code on every line, CRLF,
//      no control octet) and `count` agrees with `reply`;
//   2. nothing is answered after close; close always comes with the closed phase;
//   3. no 354 and no delivery without an accepted MAIL and RCPT; STARTTLS gives the
//      fresh state (TLS flag and error count only);
//   4. split ≡ whole: feeding the stream in pieces gives the same output;
//   5. zero allocations inside the session, reader and decoders.
#include <smtpp/session.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

#define SMTPP_FUZZ_COUNT_ALLOCATIONS
#include "fuzz_support.hpp"

namespace {
using namespace smtpp;
using smtpp_fuzz::allocations;
using smtpp_fuzz::check_reply_text;
using smtpp_fuzz::counting;

struct run {
    const policy& pol;
    std::string_view decisions;  // one byte per decision
    std::string out;
    session_state st{};
    command cmd;  // host-owned storage step() parses into
    line_reader<16384> rd;
    data_decoder dd;
    bdat_decoder bd;
    int mode = 0;  // 0 lines, 1 data, 2 bdat, 3 closed / dropped
    std::size_t k = 0;

    void handle(step_result r) {
        for (;;) {
            SMTPP_FUZZ_CHECK((r.count == 0) == r.reply.empty());
            if (!r.reply.empty()) check_reply_text(r.reply);
            SMTPP_FUZZ_CHECK(!(st.phase == phase::closed && !r.reply.empty()));
            SMTPP_FUZZ_CHECK(r.code != 354 || (st.phase == phase::rcpt && st.recipients > 0));
            SMTPP_FUZZ_CHECK(r.act != action::deliver || r.next.recipients > 0);
            SMTPP_FUZZ_CHECK(r.act != action::close || r.next.phase == phase::closed);
            counting = false;
            for (std::uint16_t i = 0; i < r.count; ++i) out.append(r.reply);
            out += static_cast<char>('0' + static_cast<int>(r.act));
            counting = true;
            st = r.next;
            const auto d = static_cast<std::uint8_t>(k < decisions.size() ? decisions[k++] : 0);
            switch (r.act) {
                case action::none: return;
                case action::close: mode = 3; return;
                case action::start_tls: {
                    mode = 3;  // the rest of the input is discarded (RFC 3207 §4.2)
                    r = tls_established(pol, st);
                    SMTPP_FUZZ_CHECK(r.next.phase == phase::fresh && r.next.flags == sf_tls && r.next.recipients == 0);
                    st = r.next;
                    return;
                }
                case action::read_data:
                    dd = data_decoder(body_options(pol, st));
                    mode = 1;
                    return;
                case action::read_bdat:
                    bd = bdat_decoder(r.chunk_size, chunk_options(pol, st), r.last);
                    mode = 2;
                    return;
                case action::verify_credentials:
                    if (d % 4 == 3) {
                        char buf[32];
                        r = auth_challenge(pol, st, "VXNlcm5hbWU6", buf, sizeof buf);
                        counting = false;
                        out.append(r.reply);  // buf dies here: copy now
                        counting = true;
                        st = r.next;
                        return;
                    }
                    r = resolve(pol, st, static_cast<verdict>(d % verdict_count));
                    continue;
                default: r = resolve(pol, st, static_cast<verdict>(d % verdict_count)); continue;
            }
        }
    }

    void feed(std::string_view in, std::size_t after) {
        while (mode != 3) {
            if (mode == 0) {
                const line_event ev = rd.next(in);
                in.remove_prefix(ev.consumed);
                if (ev.st == status::need_more) return;
                if (ev.st == status::failed) handle(on_line_error(pol, st, ev));
                else handle(step(pol, st, ev.line, cmd, in.size() + after != 0));
            } else {
                const data_event ev = mode == 1 ? dd.next(in) : bd.next(in);
                in.remove_prefix(ev.consumed);
                if (ev.kind == data_event_kind::none) return;
                if (ev.kind != data_event_kind::end) continue;
                const bool data = mode == 1;
                mode = 0;
                handle(data ? end_of_data(pol, st, ev.err) : end_of_chunk(pol, st, ev.err));
            }
        }
    }
};

std::string session(const policy& pol, std::string_view in, std::size_t piece) {
    run r{pol, in, {}, {}, {}, {}, {}, {}, 0, 0};
    r.rd.set_max_line(line_limit(pol));
    counting = true;
    allocations = 0;
    r.handle(start(pol));
    for (std::size_t i = 0; i < in.size(); i += piece) {
        const std::size_t n = piece < in.size() - i ? piece : in.size() - i;
        r.feed(in.substr(i, n), in.size() - i - n);
    }
    if (r.mode == 2) r.feed({}, 0);
    counting = false;
    SMTPP_FUZZ_CHECK(allocations == 0);
    return r.out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::uint8_t b = data[0];
    policy_options o;
    o.lmtp = (b & 1) != 0;
    if ((b & 2) == 0) o.extensions &= ~static_cast<std::uint32_t>(ext_enhancedstatuscodes);
    o.enforce_sync = (b & 4) != 0;
    o.verify_senders = o.verify_recipients = (b & 8) != 0;
    if ((b & 16) != 0) o.extensions &= ~static_cast<std::uint32_t>(ext_pipelining);
    if ((b & 32) != 0) {
        o.extensions |= ext_starttls | ext_auth | ext_binarymime | ext_smtputf8 | ext_dsn;
        o.auth_mechanisms = mechanism_bit(sasl_mechanism::plain) | mechanism_bit(sasl_mechanism::login);
    }
    o.require_auth = (b & 64) != 0;
    if ((b & 128) != 0) {
        o.max_recipients = 2;
        o.max_errors = 3;
        o.max_message_size = 64;
    }
    const policy pol(o);
    const std::string_view in(reinterpret_cast<const char*>(data + 2), size - 2);
    const std::size_t piece = 1 + data[1] % 17;
    const std::string whole = session(pol, in, in.size() == 0 ? 1 : in.size());
    SMTPP_FUZZ_CHECK(session(pol, in, piece) == whole);
    return 0;
}
