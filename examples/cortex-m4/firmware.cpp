// smtpp on a Cortex-M4 (Arm MPS2 AN386 under qemu-system-arm): one SMTP session over a
// scripted transcript, fed in 5-octet pieces as a UART would deliver them, with the reply
// codes printed through semihosting; with SMTPP_FW_VECTORS, every command vector of
// tests/data as well. No heap, no exceptions, no RTTI, no C library start-up.
//
// Memory, as a host on a microcontroller would lay it out:
//  - the policy is constexpr: it lives in flash (.rodata);
//  - the line reader (with its buffer), the session state and the DATA decoder are plain
//    statics: their default state is all-zero octets, so they land in .bss and cost no
//    flash (build.sh checks that they are in .bss and that .data is empty);
//  - the parsed command and the step result are on the stack.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "semihost.hpp"
#include "smtpp/smtpp.hpp"

namespace {

constexpr smtpp::policy_options firmware_options() {
    smtpp::policy_options o;
    o.hostname = "mcu.example";
    o.enforce_sync = false;                // the transcript arrives ahead of the replies
    o.extensions &= ~smtpp::ext_chunking;  // this loop reads DATA bodies only
    return o;
}
constexpr smtpp::policy policy(firmware_options());  // in flash

smtpp::line_reader<1024> reader;  // the host's choice of line storage: .bss
smtpp::session_state state;       // .bss
smtpp::data_decoder body;         // .bss

void put(const char* s) { semihost_write(s); }
void put_number(std::size_t v) {
    char out[24];
    char* p = out + sizeof out;
    *--p = '\0';
    do {
        *--p = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0);
    put(p);
}

constexpr std::string_view transcript =
    "EHLO client.example\r\n"
    "MAIL FROM:<a@b.example> SIZE=100\r\n"
    "RCPT TO:<c@d.example>\r\n"
    "DATA\r\n"
    "Subject: hi\r\n\r\n..dot-stuffed\r\n.\r\n"
    "QUIT\r\n";
constexpr std::uint16_t expected[] = {220, 250, 250, 250, 354, 250, 221};

/// Runs the session; returns the number of mismatched reply codes.
int run_session() {
    smtpp::command cmd;
    reader.set_max_line(smtpp::line_limit(policy));
    bool in_body = false;
    std::size_t fed = 0;
    std::string_view in;
    std::size_t n = 0;
    int bad = 0;

    put("replies:");
    smtpp::step_result r = smtpp::start(policy);
    for (;;) {
        for (unsigned k = 0; k < r.count; ++k) {
            put(" ");
            put_number(r.code);
            const std::uint16_t want = n < sizeof expected / sizeof expected[0] ? expected[n] : 0;
            if (r.code != want) ++bad;
            ++n;
        }
        state = r.next;
        if (r.act == smtpp::action::close) break;
        if (r.act == smtpp::action::verify_sender || r.act == smtpp::action::verify_recipient ||
            r.act == smtpp::action::deliver) {
            r = smtpp::resolve(policy, state, smtpp::verdict::accept);
            continue;
        }
        if (r.act == smtpp::action::read_data) {
            body = smtpp::data_decoder(smtpp::body_options(policy, state));
            in_body = true;
        }
        for (;;) {
            if (in.empty()) {
                if (fed == transcript.size()) {
                    put(" (transcript ended)\n");
                    return bad + 1;
                }
                const std::size_t take = transcript.size() - fed < 5 ? transcript.size() - fed : 5;
                in = std::string_view(transcript.data() + fed, take);
                fed += take;
            }
            if (in_body) {
                const smtpp::data_event ev = body.next(in);
                in.remove_prefix(ev.consumed);
                if (ev.kind != smtpp::data_event_kind::end) continue;
                in_body = false;
                r = smtpp::end_of_data(policy, state, ev.err);
                break;
            }
            const smtpp::line_event ev = reader.next(in);
            in.remove_prefix(ev.consumed);
            if (ev.st == smtpp::status::need_more) continue;
            r = ev.st == smtpp::status::failed
                    ? smtpp::on_line_error(policy, state, ev)
                    : smtpp::step(policy, state, ev.line, cmd,
                                  !in.empty() || fed < transcript.size() || reader.pending());
            break;
        }
    }
    put("\n");
    if (n != sizeof expected / sizeof expected[0]) ++bad;
    put("session RAM: ");
    constexpr std::size_t reader_state = sizeof reader - decltype(reader)::capacity();
    put_number(sizeof(smtpp::session_state) + sizeof(smtpp::command) + reader_state + sizeof(smtpp::data_decoder) +
               sizeof(smtpp::step_result));
    put(" octets (state ");
    put_number(sizeof(smtpp::session_state));
    put(", command ");
    put_number(sizeof(smtpp::command));
    put(", line reader ");
    put_number(reader_state);
    put(", DATA decoder ");
    put_number(sizeof(smtpp::data_decoder));
    put(", step result ");
    put_number(sizeof(smtpp::step_result));
    put(") + line buffer ");
    put_number(decltype(reader)::capacity());
    put("\n");
    return bad;
}

#if defined(SMTPP_FW_VECTORS)
struct vector {
    const char* input;
    std::size_t size;
    const char* error;
    unsigned opts;
};
const vector vectors[] = {
#include "vectors.inc"
};

int run_vectors() {
    int bad = 0;
    for (const vector& v : vectors) {
        smtpp::parse_options o;
        o.smtputf8 = (v.opts & 1) != 0;
        o.smtputf8_transaction = (v.opts & 2) != 0;
        o.allow_space_after_colon = (v.opts & 4) != 0;
        o.allow_missing_brackets = (v.opts & 8) != 0;
        o.allow_extra_spaces = (v.opts & 16) != 0;
        o.allow_helo_address_literal = (v.opts & 32) != 0;
        o.allow_bare_lf = (v.opts & 64) != 0;
        smtpp::command c;
        const smtpp::command_error e = smtpp::parse_command(std::string_view(v.input, v.size), c, o);
        if (smtpp::to_string(e) != std::string_view(v.error)) {
            ++bad;
            put("vector failed: ");
            put(v.error);
            put(" != ");
            put(smtpp::to_string(e).data());
            put("\n");
        }
    }
    put("command vectors: ");
    put_number(sizeof vectors / sizeof vectors[0] - static_cast<std::size_t>(bad));
    put("/");
    put_number(sizeof vectors / sizeof vectors[0]);
    put(" as expected\n");
    return bad;
}
#endif

}  // namespace

extern "C" int firmware_main() {
    int bad = run_session();
#if defined(SMTPP_FW_VECTORS)
    bad += run_vectors();
#endif
    put(bad == 0 ? "firmware: PASS\n" : "firmware: FAIL\n");
    return bad;
}
