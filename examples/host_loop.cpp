// smtpp-host-loop: the README's host loop as a program. One SMTP session on stdin/stdout
// (inetd style), messages written to stderr; no TLS, every decision "accept". The
// library does the protocol; this file does only I/O. See examples/sink/ for a real server.
#include <unistd.h>

#include <cstdio>
#include <string_view>

#include "smtpp/smtpp.hpp"

namespace {

void write_all(std::string_view s) {
    while (!s.empty()) {
        const ssize_t n = ::write(1, s.data(), s.size());
        if (n <= 0) return;
        s.remove_prefix(static_cast<std::size_t>(n));
    }
}

}  // namespace

int main() {
    smtpp::policy_options opt;
    opt.hostname = "mx.example";
    opt.enforce_sync = false;                // a scripted file arrives in one read: answer it in order
    opt.extensions &= ~smtpp::ext_chunking;  // this loop reads DATA bodies only (no BDAT)
    const smtpp::policy pol(opt);            // built once: renders the greeting and EHLO
    smtpp::line_reader<16384> reader;        // framing; storage for split lines
    reader.set_max_line(smtpp::line_limit(pol));
    smtpp::session_state st;  // 32 bytes, trivially copyable
    smtpp::command cmd;       // the parsed command, reused
    smtpp::data_decoder body;
    bool in_body = false;
    char buf[4096];
    std::string_view in;

    // ---- the host loop (quoted in README.md) -------------------------------------------
    smtpp::step_result r = smtpp::start(pol);  // 220 greeting
    for (;;) {
        for (unsigned k = 0; k < r.count; ++k) write_all(r.reply);  // replies are wire-ready
        st = r.next;
        switch (r.act) {
            case smtpp::action::close: return 0;
            case smtpp::action::verify_sender:  // decisions are the host's
            case smtpp::action::verify_recipient:
            case smtpp::action::deliver: r = smtpp::resolve(pol, st, smtpp::verdict::accept); continue;
            case smtpp::action::read_data:
                body = smtpp::data_decoder(smtpp::body_options(pol, st));
                in_body = true;
                break;
            default: break;
        }
        for (;;) {  // read until the next result
            if (in.empty()) {
                const ssize_t n = ::read(0, buf, sizeof buf);
                if (n <= 0) return 0;
                in = std::string_view(buf, static_cast<std::size_t>(n));
            }
            if (in_body) {  // DATA: dot-unstuffed content
                const smtpp::data_event ev = body.next(in);
                in.remove_prefix(ev.consumed);
                if (ev.kind == smtpp::data_event_kind::content)
                    std::fwrite(ev.content.data(), 1, ev.content.size(), stderr);
                if (ev.kind != smtpp::data_event_kind::end) continue;
                in_body = false;
                r = smtpp::end_of_data(pol, st, ev.err);  // 250, or the delayed refusal
                break;
            }
            const smtpp::line_event ev = reader.next(in);  // one command line
            in.remove_prefix(ev.consumed);
            if (ev.st == smtpp::status::need_more) continue;
            r = ev.st == smtpp::status::failed ? smtpp::on_line_error(pol, st, ev)
                                               : smtpp::step(pol, st, ev.line, cmd, !in.empty() || reader.pending());
            break;
        }
    }
    // -------------------------------------------------------------------------------------
}
