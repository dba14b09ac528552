// fuzz_events: a structure-aware session target (include/smtpp/session.hpp). The input is
// a sequence of host events — client bytes (split anywhere), verdicts for each decision,
// DATA/BDAT decoder results, TLS up or failed, SASL challenges, timeouts, shutdown, read
// limit changes — so that every transition of the session table is reachable.
//
// Input: byte 0 = policy bits as fuzz_session's, byte 1 = more policy bits (REQUIRETLS
// before mail, AUTH only under TLS, 504 for unknown parameters, bare-newline policy,
// parser leniencies, fewer extensions), byte 2 = piece size, then the events (see
// `session`). Properties, each reported with __builtin_trap():
//   1. every reply is well formed (one 3-digit code on every line, CRLF, no control octet)
//      and `count` agrees with `reply`;
//   2. nothing is answered after close; close always comes with the closed phase;
//   3. no 354 and no delivery without an accepted MAIL and RCPT; STARTTLS only outside TLS,
//      and it gives the fresh state (TLS flag, no recipients);
//   4. split ≡ whole: the client bytes fed in pieces give the same output;
//   5. zero allocations inside the session, reader and decoders;
//   6. a host that breaks the contract (an entry point called out of turn, a verdict or a
//      body error past its enum) gets 421 and close; after close every entry point answers
//      close and nothing else;
//   7. session_state's == and != agree with its fields as detail::for_each_field lists
//      them (every field, checked against the struct at compile time), and a change to
//      any one of them makes the states unequal.
#include <smtpp/session.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#define SMTPP_FUZZ_COUNT_ALLOCATIONS
#include "fuzz_support.hpp"

namespace {
using namespace smtpp;
using smtpp_fuzz::allocations;
using smtpp_fuzz::check_reply_text;
using smtpp_fuzz::counting;

/// Every field of `a` equals that of `b`, octet for octet.
bool same_fields(const session_state& a, const session_state& b) {
    bool eq = true;
    detail::for_each_field(a, 0, [&](std::size_t off, const auto& field) {
        eq = eq && std::memcmp(&field, reinterpret_cast<const char*>(&b) + off, sizeof field) == 0;
    });
    return eq;
}

/// == sees every field: `st` with any one field changed (one bit of its first octet)
/// compares unequal, by == and by !=.
void check_each_field_compared(const session_state& st) {
    detail::for_each_field(st, 0, [&](std::size_t off, const auto&) {
        session_state changed = st;
        char* const octet = reinterpret_cast<char*>(&changed) + off;
        *octet = static_cast<char>(*octet ^ 1);
        SMTPP_FUZZ_CHECK(!(changed == st) && changed != st && !same_fields(changed, st));
    });
}

struct run {
    const policy& pol;
    std::string_view events;  // the host events that follow the client bytes' event
    std::size_t piece;        // client bytes are fed in pieces of this size
    std::string out;
    session_state st{};
    command cmd;
    line_reader<16384> rd;
    data_decoder dd;
    bdat_decoder bd;
    int mode = 0;  // 0 lines, 1 data, 2 bdat, 3 closed
    bool tls_pending = false;
    bool dropped = false;  // STARTTLS: the rest of the client bytes read with it are dropped

    /// The next event byte when it is `kind`: consumed, its argument in `arg`.
    bool take(char kind, std::uint8_t& arg) {
        if (events.size() < 2 || events[0] != kind) return false;
        arg = static_cast<std::uint8_t>(events[1]);
        events.remove_prefix(2);
        return true;
    }

    void record(const step_result& r) {
        SMTPP_FUZZ_CHECK((r.count == 0) == r.reply.empty());
        if (!r.reply.empty()) check_reply_text(r.reply);
        SMTPP_FUZZ_CHECK(!(st.phase == phase::closed && !r.reply.empty()));
        SMTPP_FUZZ_CHECK(r.code != 354 || (st.phase == phase::rcpt && st.recipients > 0));
        SMTPP_FUZZ_CHECK(r.act != action::deliver || r.next.recipients > 0);
        SMTPP_FUZZ_CHECK(r.act != action::close || r.next.phase == phase::closed);
        SMTPP_FUZZ_CHECK(r.act != action::start_tls || !st.has(sf_tls));
        SMTPP_FUZZ_CHECK((r.next == st) == same_fields(r.next, st) && (r.next != st) == !(r.next == st));
        counting = false;
        for (std::uint16_t i = 0; i < r.count; ++i) out.append(r.reply);
        out += static_cast<char>('0' + static_cast<int>(r.act));
        counting = true;
        st = r.next;
    }

    /// Applies a result and answers every decision it asks for, from the events.
    void handle(step_result r) {
        for (;;) {
            record(r);
            std::uint8_t a = 0;
            switch (r.act) {
                case action::none: return;
                case action::close: mode = 3; return;
                case action::start_tls:
                    // RFC 3207 §4.2: what was buffered is discarded; the handshake may fail.
                    rd.discard();
                    tls_pending = true;
                    mode = 3;
                    if (take('F', a)) return;  // handshake failed: the host drops the connection
                    tls_pending = false;
                    dropped = true;
                    r = tls_established(pol, st);
                    SMTPP_FUZZ_CHECK(r.next.phase == phase::fresh && r.next.has(sf_tls) && r.next.recipients == 0);
                    record(r);
                    mode = 0;
                    return;
                case action::read_data:
                    dd = data_decoder(options_for(pol, st).data);
                    mode = 1;
                    return;
                case action::read_bdat:
                    bd = bdat_decoder(r.chunk_size, options_for(pol, st).bdat, r.last);
                    mode = 2;
                    return;
                case action::verify_credentials:
                    if (take('C', a)) {  // a SASL challenge of `a` octets of base64
                        char chal[64];
                        const std::size_t n = a % 60u;
                        for (std::size_t i = 0; i < n; ++i) chal[i] = "QUJD"[i % 4];
                        char buf[128];
                        r = auth_challenge(pol, st, std::string_view(chal, n), buf, (a & 0x80) != 0 ? 8 : sizeof buf);
                        record(r);  // copies the reply: buf dies here
                        return;
                    }
                    [[fallthrough]];
                default:
                    if (take('P', a)) {  // host misuse: a line or a line error while a decision is pending
                        r = (a & 1) != 0 ? step(pol, st, "NOOP\r\n", cmd, false)
                                         : on_line_error(pol, st, static_cast<line_error>(1 + a % 4));
                        SMTPP_FUZZ_CHECK(r.act == action::close && r.next.phase == phase::closed);
                        continue;
                    }
                    if (take('T', a)) {  // the host times out instead of answering: misuse or close
                        r = timeout(pol, st);
                        continue;
                    }
                    r = resolve(pol, st, take('V', a) ? static_cast<verdict>(a % verdict_count) : verdict::accept);
                    continue;
            }
        }
    }

    void feed(std::string_view in, std::size_t after) {
        while (mode != 3 && !dropped) {
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
                // The host may refuse the body for its own reason (storage full, too big),
                // or pass a value past the enum (a host bug: 421 and close).
                std::uint8_t a = 0;
                const data_error e = take('E', a) ? static_cast<data_error>(a >= 0xF0 ? a : a % 6) : ev.err;
                handle(data ? end_of_data(pol, st, e) : end_of_chunk(pol, st, e));
            }
        }
    }

    /// Client bytes: fed in pieces; `after` says whether more client bytes follow.
    void client(std::string_view in, bool more) {
        dropped = false;
        for (std::size_t i = 0; i < in.size() && !dropped; i += piece) {
            const std::size_t n = piece < in.size() - i ? piece : in.size() - i;
            feed(in.substr(i, n), in.size() - i - n + (more ? 1 : 0));
        }
    }
};

/// Where the session ended: after close every entry point answers close and nothing else;
/// behind a STARTTLS whose handshake failed nothing is answered; before the greeting, input
/// closes the connection (a pre-greet talker).
void check_ended(const policy& pol, const session_state& st, command& cmd) {
    check_each_field_compared(st);
    const line_event too_long{status::failed, line_error::too_long, "NOOP", 0};
    const step_result after[] = {step(pol, st, "NOOP\r\n", cmd, false),
                                 on_line_error(pol, st, too_long),
                                 on_line_error(pol, st, line_error::nul),
                                 timeout(pol, st),
                                 shutdown(pol, st),
                                 resolve(pol, st, verdict::accept),
                                 tls_established(pol, st),
                                 end_of_data(pol, st, data_error::none),
                                 end_of_chunk(pol, st, data_error::none)};
    if (st.phase == phase::closed) {
        for (const step_result& x : after)
            SMTPP_FUZZ_CHECK(x.act == action::close && x.reply.empty() && x.count == 0 && x.next == st);
    } else if (st.phase == phase::tls) {
        SMTPP_FUZZ_CHECK(after[0].reply.empty() && after[0].act == action::none);
        SMTPP_FUZZ_CHECK(after[1].reply.empty() && after[2].reply.empty());
    }
    const session_state before_greeting{};
    const step_result early[] = {step(pol, before_greeting, "EHLO x\r\n", cmd, false),
                                 on_line_error(pol, before_greeting, too_long)};
    for (const step_result& x : early) SMTPP_FUZZ_CHECK(x.act == action::close && x.next.phase == phase::closed);
}

/// Events: 'L' n <n octets>: client bytes; 'T': a timeout; 'S': shutdown; 'R' n: the read
/// limit changes (RFC 4954 §4 AUTH lines); 'M': a misplaced resolve or tls_established
/// (host contract misuse); 'X' x: an entry point called out of turn (start() again, resolve()
/// with a verdict past the enum, end_of_data() / end_of_chunk() outside their phase,
/// auth_challenge() with no AUTH pending: misuse, the session closes; skipped where the call
/// would be in turn); 'P' p: a line or line error while a decision is pending (misuse,
/// taken where a decision is pending); 'V' v / 'C' n / 'E' e / 'F': answers to the
/// decision in progress (verdict, SASL challenge, decoder result, failed TLS handshake),
/// taken where a decision is pending; elsewhere they are skipped. End of input: the client
/// closes.
std::string session(const policy& pol, std::string_view ev, std::size_t piece) {
    run r{pol, {}, piece, {}, {}, {}, {}, {}, {}, 0, false};
    // The reader as options_for() sets it: line_limit(), and bare LF line ends when the
    // policy allows them.
    r.rd = line_reader<16384>(options_for(pol, r.st).line);
    counting = true;
    allocations = 0;
    r.handle(start(pol));
    r.events = ev;
    while (!r.events.empty() && r.mode != 3) {
        const char kind = r.events[0];
        r.events.remove_prefix(1);
        switch (kind) {
            case 'L': {
                if (r.events.empty()) break;
                const std::size_t n = static_cast<std::uint8_t>(r.events[0]) < r.events.size() - 1
                                          ? static_cast<std::uint8_t>(r.events[0])
                                          : r.events.size() - 1;
                const std::string_view bytes = r.events.substr(1, n);
                r.events.remove_prefix(1 + n);
                const bool more = !r.events.empty() && r.events[0] == 'L';
                r.client(bytes, more);
                break;
            }
            case 'T':
                r.handle(timeout(pol, r.st));
                r.mode = 3;
                break;
            case 'S': r.handle(shutdown(pol, r.st)); break;
            case 'R':
                if (!r.events.empty()) {
                    r.rd.set_max_line(static_cast<std::size_t>(static_cast<std::uint8_t>(r.events[0])) * 64);
                    r.events.remove_prefix(1);
                }
                break;
            case 'X': {  // host contract misuse: an entry point out of turn
                if (r.events.empty()) break;
                const auto x = static_cast<std::uint8_t>(r.events[0]);
                r.events.remove_prefix(1);
                char buf[16];
                step_result m;
                switch (x % 5) {
                    case 0: m = start(pol, r.st); break;
                    case 1: m = resolve(pol, r.st, static_cast<verdict>(verdict_count + x / 5)); break;
                    case 2:
                        if (r.st.phase == phase::data) continue;
                        m = end_of_data(pol, r.st, data_error::none);
                        break;
                    case 3:
                        if (r.st.phase == phase::chunk) continue;
                        m = end_of_chunk(pol, r.st, data_error::none);
                        break;
                    default:
                        if (r.st.pending == pending::credentials) continue;
                        m = auth_challenge(pol, r.st, "", buf, sizeof buf);
                        break;
                }
                SMTPP_FUZZ_CHECK(m.act == action::close && m.next.phase == phase::closed && m.code == 421);
                r.handle(m);
                break;
            }
            case 'M': {  // host contract misuse: an answer with no decision pending
                const step_result m = (r.events.size() & 1) != 0 ? resolve(pol, r.st, verdict::accept)
                                                                 : tls_established(pol, r.st);
                r.handle(m);
                break;
            }
            default: break;  // an answer with no decision pending: ignored
        }
    }
    if (r.mode == 2) r.feed({}, 0);
    (void)r.rd.pending_error();
    check_ended(pol, r.st, r.cmd);
    counting = false;
    SMTPP_FUZZ_CHECK(allocations == 0);
    return r.out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    const std::uint8_t b = data[0], c = data[1];
    policy_options o;
    o.lmtp = (b & 1) != 0;
    if ((b & 2) == 0) o.extensions &= ~static_cast<std::uint32_t>(ext_enhancedstatuscodes);
    o.enforce_sync = (b & 4) != 0;
    o.verify_senders = o.verify_recipients = (b & 8) != 0;
    if ((b & 16) != 0) o.extensions &= ~static_cast<std::uint32_t>(ext_pipelining);
    if ((b & 32) != 0) {
        o.extensions |= ext_starttls | ext_auth | ext_binarymime | ext_smtputf8 | ext_dsn | ext_requiretls |
                        ext_deliverby | ext_futurerelease | ext_mt_priority | ext_rrvs | ext_limits;
        o.auth_mechanisms = mechanism_bit(sasl_mechanism::plain) | mechanism_bit(sasl_mechanism::login) |
                            mechanism_bit(sasl_mechanism::cram_md5);
        o.mt_priority_policy = "MIXER";
    }
    o.require_auth = (b & 64) != 0;
    if ((b & 128) != 0) {
        o.max_recipients = 2;
        o.max_errors = 3;
        o.max_message_size = 64;
    }
    o.require_tls = (c & 1) != 0;
    o.auth_needs_tls = (c & 2) != 0;
    o.unknown_param_504 = (c & 4) != 0;
    o.bare_newline = static_cast<bare_newline_policy>((c >> 3) % 3);
    o.parse.allow_bare_lf = (c & 32) != 0;
    o.parse.allow_space_after_colon = o.parse.allow_missing_brackets = (c & 64) != 0;
    if ((c & 128) != 0) o.extensions &= ~static_cast<std::uint32_t>(ext_chunking | ext_8bitmime | ext_size);
    const policy pol(o);
    SMTPP_FUZZ_CHECK(pol.error() == policy_error::none);
    const std::string_view ev(reinterpret_cast<const char*>(data + 3), size - 3);
    const std::size_t piece = 1 + data[2] % 17;
    const std::string whole = session(pol, ev, 100000);
    SMTPP_FUZZ_CHECK(session(pol, ev, piece) == whole);
    return 0;
}
