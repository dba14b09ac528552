// smtpp-demo: runs sample client lines through the command parser and prints what the
// library understood and the reply a server would send for each refusal. No I/O but
// stdout; no allocation inside the library.
#include <cstdio>
#include <string_view>

#include "smtpp/smtpp.hpp"

namespace {

// fwrite, not printf("%.*s"): an empty string_view may carry a null data pointer.
void out(std::string_view s) { std::fwrite(s.data() == nullptr ? "" : s.data(), 1, s.size(), stdout); }

void show(std::string_view line, const smtpp::parse_options& opt = {}) {
    smtpp::command c;
    const smtpp::command_error e = smtpp::parse_command(line, c, opt);
    std::string_view shown = line;
    while (!shown.empty() && (shown.back() == '\n' || shown.back() == '\r')) shown.remove_suffix(1);
    std::printf("C: ");
    out(shown);
    std::printf("\n");
    if (e != smtpp::command_error::none) {
        const smtpp::reply_hint r = smtpp::reply_for(e);
        std::printf("   refused (");
        out(smtpp::to_string(e));
        std::printf(") -> %u %u.%u.%u ", r.code, r.esc.cls, r.esc.subject, r.esc.detail);
        out(r.text);
        std::printf("\n");
        return;
    }
    const std::string_view v = smtpp::to_string(c.verb);
    std::printf("   ");
    out(v);
    if (c.verb == smtpp::verb::mail || c.verb == smtpp::verb::rcpt) {
        std::printf(" mailbox=<");
        out(c.path.mailbox);
        std::printf(">");
        if (c.params.has(smtpp::p_size)) std::printf(" size=%llu", static_cast<unsigned long long>(c.params.size));
        if (c.params.unknown_count) {
            std::printf(" unknown=");
            out(c.params.unknown);
        }
    } else if (!c.argument.empty()) {
        std::printf(" argument=");
        out(c.argument);
    }
    std::printf("\n");
}

}  // namespace

int main() {
    std::printf("smtpp %s: sample command lines through the parser\n\n", SMTPP_VERSION_STRING);
    show("EHLO client.example.org\r\n");
    show("MAIL FROM:<\"a>b\"@x.example> SIZE=10 BODY=8BITMIME\r\n");
    show("RCPT TO:<@relay.example:user@d.example> NOTIFY=SUCCESS,FAILURE\r\n");
    show("RCPT TO:<Postmaster>\r\n");
    show("MAIL FROM:<a@b.example> SIZE=18446744073709551616\r\n");
    show("MAIL FROM:<a@b.example> ENVID=x+0D+0AX-Evil:+20y\r\n");
    show("RSET\rQUIT\r\n");
    show("NOOP\n");
    show("MAIL FROM: <a@b.example>\r\n");
    smtpp::parse_options lenient;
    lenient.allow_space_after_colon = true;
    std::printf("   (with allow_space_after_colon:)\n");
    show("MAIL FROM: <a@b.example>\r\n", lenient);
    show("BDAT 6 LAST\r\n");
    show("GET / HTTP/1.1\r\n");
    return 0;
}
