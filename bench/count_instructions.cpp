// Instruction counts per workload, for tools/count-instructions.sh (callgrind): each
// workload runs once in a function of its own, which callgrind's --toggle-collect selects,
// next to the same-run baseline, a bare memchr line split of the same file. Counts do not
// move with the load of a shared machine as times do.
//
//   count_instructions <workload>      (line command mail_rcpt session data reply
//                                       ehlo_postfix ehlo_big (100 parses), or memchr:<file>)
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "smtpp/smtpp.hpp"

// Works with any version of the headers (A/B): its own attribute, not the library's macro.
#define WORK extern "C" __attribute__((noinline))

namespace {

volatile std::size_t sink;

std::vector<std::string_view> split(const std::string& all) { return smtpp_bench::lines(all); }

WORK void work_memchr(const std::string* all) {
    const char* p = all->data();
    const char* const end = p + all->size();
    std::size_t n = 0;
    while (const void* hit = std::memchr(p, '\n', static_cast<std::size_t>(end - p))) {
        p = static_cast<const char*>(hit) + 1;
        ++n;
    }
    sink = n;
}

WORK void work_line(const std::string* all) {
    smtpp::line_reader<512> r;
    std::string_view in(*all);
    std::size_t n = 0;
    while (!in.empty()) {
        const smtpp::line_event ev = r.next(in);
        in.remove_prefix(ev.consumed);
        n += ev.st == smtpp::status::complete ? 1 : 0;
    }
    sink = n;
}

WORK void work_command(const std::vector<std::string_view>* lines) {
    smtpp::command c;
    std::size_t n = 0;
    for (std::string_view l : *lines) n += static_cast<std::size_t>(smtpp::parse_command(l, c));
    sink = n;
}

WORK void work_session(const std::vector<std::string_view>* lines, const smtpp::policy* pol) {
    smtpp::command cmd;
    smtpp::session_state s = smtpp::start(*pol).next;
    std::size_t bytes = 0;
    for (std::string_view line : *lines) {
        smtpp::step_result r = smtpp::step(*pol, s, line, cmd, false);
        for (;;) {
            bytes += r.reply.size() * r.count;
            s = r.next;
            switch (r.act) {
                case smtpp::action::verify_sender:
                case smtpp::action::verify_recipient:
                case smtpp::action::verify_credentials:
                case smtpp::action::deliver: r = smtpp::resolve(*pol, s, smtpp::verdict::accept); continue;
                case smtpp::action::read_data: r = smtpp::end_of_data(*pol, s, smtpp::data_error::none); continue;
                case smtpp::action::read_bdat: r = smtpp::end_of_chunk(*pol, s, smtpp::data_error::none); continue;
                case smtpp::action::start_tls: r = smtpp::tls_established(*pol, s); continue;
                case smtpp::action::close: r = smtpp::start(*pol); continue;
                case smtpp::action::none: break;
            }
            break;
        }
    }
    sink = bytes;
}

WORK void work_data(const std::string* all) {
    smtpp::data_options o;
    o.max_size = 10u << 20;
    o.max_text_line = 1000;
    smtpp::data_decoder d(o);
    std::string_view in(*all);
    std::size_t sum = 0;
    while (!in.empty() && !d.done()) {
        const auto ev = d.next(in);
        in.remove_prefix(ev.consumed);
        sum += ev.content.size();
        if (ev.st == smtpp::status::need_more) break;
    }
    sink = sum;
}

WORK void work_ehlo(const std::string* all) {
    smtpp::ehlo_capabilities caps;
    std::size_t n = 0;
    for (int i = 0; i < 100; ++i) n += smtpp::parse_ehlo(*all, caps).consumed;  // 100 parses
    sink = n;
}

WORK void work_reply(const std::string* all) {
    smtpp::reply_reader rd;
    smtpp::reply_summary s;
    std::size_t n = 0;
    std::string_view c(*all);
    while (rd.next_reply(c, s) == smtpp::status::complete) ++n;
    sink = n;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) return 2;
    const std::string w = argv[1];
    if (w.rfind("memchr:", 0) == 0) {
        const std::string all = smtpp_bench::load(w.c_str() + 7);
        work_memchr(&all);
        return 0;
    }
    const char* file = w == "line" || w == "command" || w == "session" ? "commands.txt"
                       : w == "mail_rcpt"                              ? "mail_rcpt.txt"
                       : w == "data"                                   ? "body_1MiB.txt"
                       : w == "reply"                                  ? "replies.txt"
                       : w == "ehlo_postfix"                           ? "ehlo_postfix.txt"
                                                                       : "ehlo_big.txt";
    const std::string all = smtpp_bench::load(file);
    const std::vector<std::string_view> lines = split(all);
    if (w == "line") work_line(&all);
    else if (w == "command" || w == "mail_rcpt") work_command(&lines);
    else if (w == "data") work_data(&all);
    else if (w == "reply") work_reply(&all);
    else if (w == "ehlo_postfix" || w == "ehlo_big") work_ehlo(&all);
    else if (w == "session") {
        smtpp::policy_options o;
        o.extensions |= smtpp::ext_starttls | smtpp::ext_auth | smtpp::ext_smtputf8 | smtpp::ext_dsn |
                        smtpp::ext_binarymime;
        o.auth_mechanisms = smtpp::mechanism_bit(smtpp::sasl_mechanism::plain);
        const smtpp::policy pol(o);
        work_session(&lines, &pol);
    } else {
        return 2;
    }
    return 0;
}
