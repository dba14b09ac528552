// Tests for the reply reader, enhanced status codes and the reply formatter
// (RFC 5321 §4.2, §4.5.3.1.5; RFC 3463 §2; RFC 2034 §4). R1..R26 number the reply vectors
// (test_ehlo.cpp shares R4, R5, R9, R10, R18); each case cites the RFC section it checks.
#include <catch2/catch.hpp>

#include <smtpp/reply.hpp>

#include <string>
#include <vector>

#include "support/alloc_counter.hpp"
#include "support/splits.hpp"

namespace {

using smtpp::enhanced_code;
using smtpp::reply_error;
using smtpp::status;

struct event {
    int code;
    bool last;
    std::string esc;
    std::string text;
    friend bool operator==(const event& a, const event& b) {
        return a.code == b.code && a.last == b.last && a.esc == b.esc && a.text == b.text;
    }
};

struct outcome {
    std::vector<event> events;
    reply_error error = reply_error::none;
    bool in_reply = false;  // stopped between lines of a reply
    bool partial = false;   // stopped inside a line
    friend bool operator==(const outcome& a, const outcome& b) {
        return a.events == b.events && a.error == b.error && a.in_reply == b.in_reply;
    }
};

std::string esc_str(enhanced_code e) { return std::string(smtpp::format_enhanced_code(e).view()); }

template <std::size_t Cap = 512>
outcome run(const std::vector<std::string_view>& chunks, smtpp::reply_options opt = {}, bool ehlo = false) {
    smtpp::basic_reply_reader<Cap> rd(opt);
    if (ehlo) rd.expect_ehlo();
    outcome out;
    smtpp::reply_line ln;
    for (std::string_view c : chunks) {
        for (;;) {
            smtpp_test::no_alloc_scope scope;
            const status st = rd.next_line(c, ln);
            REQUIRE(scope.allocations() == 0);
            if (st == status::need_more) {
                REQUIRE(c.empty());
                break;
            }
            if (st == status::failed) {
                out.error = rd.error();
                out.in_reply = rd.in_reply();
                return out;
            }
            out.events.push_back({ln.code, ln.last, esc_str(ln.esc), std::string(ln.text)});
            if (ln.last) {
                REQUIRE(rd.summary().code == ln.code);
                REQUIRE(rd.summary().lines == ln.index + 1);
            }
        }
    }
    out.in_reply = rd.in_reply();
    out.partial = rd.finish() == status::failed && !out.in_reply;
    return out;
}

outcome run_whole(std::string_view s, smtpp::reply_options opt = {}, bool ehlo = false) {
    smtpp_test::exact_buffer b(s);
    return run({b.view()}, opt, ehlo);
}

/// Runs every split of `s` and checks they all agree with the whole; returns the whole.
outcome run_all(std::string_view s, smtpp::reply_options opt = {}, bool ehlo = false) {
    const outcome whole = run_whole(s, opt, ehlo);
    smtpp_test::for_each_split(s, [&](const std::vector<std::string_view>& chunks, const smtpp_test::split_info& info) {
        INFO(info.name);
        const outcome o = run(chunks, opt, ehlo);
        REQUIRE(o == whole);
    });
    return whole;
}

smtpp::reply_options lf_ok() {
    smtpp::reply_options o;
    o.allow_bare_lf = true;
    return o;
}

}  // namespace

// ------------------------------------------------------------------------------------------
// Valid replies
// ------------------------------------------------------------------------------------------

TEST_CASE("R1/R2: code alone, with and without SP, is a complete reply (RFC 5321 §4.2)", "[reply]") {
    for (std::string_view v : {"220\r\n", "220 \r\n"}) {
        const outcome o = run_all(v);
        REQUIRE(o.error == reply_error::none);
        REQUIRE(o.events.size() == 1);
        REQUIRE(o.events[0] == event{220, true, "", ""});
    }
}

TEST_CASE("R3: single-line 550 (RFC 5321 §4.2.2)", "[reply]") {
    const outcome o = run_all("550 Requested action not taken: mailbox unavailable\r\n");
    REQUIRE(o.events == std::vector<event>{{550, true, "", "Requested action not taken: mailbox unavailable"}});
}

TEST_CASE("R4/R11: multi-line replies give one event per line (RFC 5321 §4.2.1)", "[reply]") {
    const outcome o = run_all(
        "250-smtp.example.com Hello client.example.org [10.0.0.1]\r\n250-SIZE 52428800\r\n"
        "250-PIPELINING\r\n250-STARTTLS\r\n250 HELP\r\n");
    REQUIRE(o.events.size() == 5);
    REQUIRE(o.events[0] == event{250, false, "", "smtp.example.com Hello client.example.org [10.0.0.1]"});
    REQUIRE(o.events[4] == event{250, true, "", "HELP"});
    const outcome g = run_all("220-mx.example ESMTP\r\n220-please wait\r\n220 ready\r\n");
    REQUIRE(g.events.size() == 3);
    REQUIRE(!g.events[0].last);
    REQUIRE(!g.events[1].last);
    REQUIRE(g.events[2].last);
}

TEST_CASE("R5/R18: control characters only in the first line of an EHLO 250 reply (§4.1.1.1 ehlo-greet)", "[reply]") {
    const std::string_view r5 = "250-smtp.example.com We got some nice '\x03' and '\x04'\r\n250 HELP\r\n";
    REQUIRE(run_all(r5, {}, true).error == reply_error::none);
    REQUIRE(run_all(r5, {}, true).events.size() == 2);
    REQUIRE(run_all(r5).error == reply_error::bad_char);  // not an EHLO reply: strict
    REQUIRE(run_all("251 example.com We got '\x04'\r\n", {}, true).error == reply_error::bad_char);
    REQUIRE(run_all("250-example.com Hello\r\n250 We got some '\x08' for you\r\n", {}, true).error ==
            reply_error::bad_char);
    // NUL is refused even in ehlo-greet (DEVIATION in reply.hpp).
    REQUIRE(run_all(std::string_view("250-a \0 b\r\n250 X\r\n", 18), {}, true).error == reply_error::bad_char);
    smtpp::reply_options o;
    o.allow_ctl = true;
    REQUIRE(run_all("500 This is \x03 worse\r\n", o).error == reply_error::none);
}

TEST_CASE("R6/R7: enhanced status codes on every line (RFC 2034 §4, RFC 3463 §2)", "[reply]") {
    const outcome a = run_all("250 2.1.0 Originator <frop@example.com> ok\r\n");
    REQUIRE(a.events == std::vector<event>{{250, true, "2.1.0", "Originator <frop@example.com> ok"}});
    const outcome b = run_all(
        "551-5.7.1 Forwarding to remote hosts disabled\r\n551 5.7.1 Select another host to act as your forwarder\r\n");
    REQUIRE(b.events.size() == 2);
    REQUIRE(b.events[0] == event{551, false, "5.7.1", "Forwarding to remote hosts disabled"});
    REQUIRE(b.events[1] == event{551, true, "5.7.1", "Select another host to act as your forwarder"});
}

TEST_CASE("R8/R9: bare LF only with allow_bare_lf; a reply ends at its last line", "[reply]") {
    const std::string_view r8 = "250-Missing space\n250\n250 Ignore this";
    REQUIRE(run_all(r8).error == reply_error::bare_lf);
    const outcome o = run_all(r8, lf_ok());
    REQUIRE(o.error == reply_error::none);
    REQUIRE(o.events == std::vector<event>{{250, false, "", "Missing space"}, {250, true, "", ""}});
    REQUIRE(o.partial);  // "250 Ignore this" is the start of the next reply
    const outcome r9 = run_all("250-\n250-DELIVERBY 240\n250-SIZE\n250 SMTPUTF8\n", lf_ok());
    REQUIRE(r9.events.size() == 4);
    REQUIRE(r9.events[0].text.empty());
}

TEST_CASE("R20: 3-octet lines never read past the end (CVE-2020-8794)", "[reply]") {
    REQUIRE(run_all("250-first\r\n250\r\n").events.size() == 2);
    const outcome o = run_all("250-first\r\n250-\r\n250 x\r\n");
    REQUIRE(o.events.size() == 3);
    REQUIRE(o.events[1] == event{250, false, "", ""});
    REQUIRE(run_all("250").partial);
    REQUIRE(run_all("25\r\n").error == reply_error::bad_code);
}

TEST_CASE("R21/R22: an enhanced code whose class differs from the reply is text (RFC 3463 §2)", "[reply]") {
    const outcome a = run_all("432-6.8.9\r\n432 6.8.9 World!\r\n");
    REQUIRE(a.events == std::vector<event>{{432, false, "", "6.8.9"}, {432, true, "", "6.8.9 World!"}});
    REQUIRE(run_all("550 4.1.1 user unknown\r\n").events[0] == event{550, true, "", "4.1.1 user unknown"});
    // 3xx replies never carry one.
    REQUIRE(run_all("354 3.0.0 go\r\n").events[0] == event{354, true, "", "3.0.0 go"});
    // Not codes: the RFC 3463 grammar is 1*3digit and a following SP.
    REQUIRE(run_all("250 2address.org\r\n").events[0].esc.empty());
    REQUIRE(run_all("250 2.0.0000 x\r\n").events[0] == event{250, true, "", "2.0.0000 x"});
    REQUIRE(run_all("250 2.1000.0 x\r\n").events[0].esc.empty());
    REQUIRE(run_all("250 2.0.0x\r\n").events[0].esc.empty());
    REQUIRE(run_all("250 2.0.0\r\n").events[0] == event{250, true, "2.0.0", ""});
    REQUIRE(run_all("250 2.999.999   spaced\r\n").events[0] == event{250, true, "2.999.999", "spaced"});
}

TEST_CASE("R26: a reply split at every position gives the same result", "[reply]") {
    const outcome o = run_all("250 2.0.0 Message queued for delivery.\r\n");
    REQUIRE(o.events == std::vector<event>{{250, true, "2.0.0", "Message queued for delivery."}});
}

TEST_CASE("8-bit text is accepted by default (RFC 6531 §3.7.4), refused when asked", "[reply]") {
    const std::string_view v =
        "550 5.1.1 \xd0\x9d\xd0\xb5\xd1\x82 \xd1\x82\xd0\xb0\xd0\xba\xd0\xbe\xd0\xb3\xd0\xbe\r\n";
    REQUIRE(run_all(v).error == reply_error::none);
    smtpp::reply_options o;
    o.allow_8bit = false;
    REQUIRE(run_all(v, o).error == reply_error::bad_char);
}

// ------------------------------------------------------------------------------------------
// Invalid replies
// ------------------------------------------------------------------------------------------

TEST_CASE("R12/R16: reply codes outside %x32-35 %x30-35 %x30-39 (RFC 5321 §4.2)", "[reply]") {
    REQUIRE(run_all("22X OK\r\n").error == reply_error::bad_code);
    REQUIRE(run_all("220OK\r\n").error == reply_error::bad_separator);
    for (std::string_view v : {"699 Obscure\r\n", "100 Invalid\r\n", "260 second digit\r\n", "600 x\r\n", "\r\n"})
        REQUIRE(run_all(v).error == reply_error::bad_code);
}

TEST_CASE("R13: a code mismatch inside a multi-line reply is an error (RFC 5321 §4.2.1)", "[reply]") {
    const outcome o = run_all("200-This is\r\n250 inconsistent.\r\n");
    REQUIRE(o.error == reply_error::code_mismatch);
    REQUIRE(o.events.size() == 1);
}

TEST_CASE("R14/R15: bare CR and control characters in text", "[reply]") {
    REQUIRE(run_all("400 This \r is wrong\r\n").error == reply_error::bare_cr);
    REQUIRE(run_all("500 This is \x03 worse\r\n").error == reply_error::bad_char);
    REQUIRE(run_all("500 DEL \x7f here\r\n").error == reply_error::bad_char);
    REQUIRE(run_all("500 tab\tis fine\r\n").error == reply_error::none);
    REQUIRE(run_all("400 CR at end\r\r\n").error == reply_error::bare_cr);
}

TEST_CASE("R17: EOF inside a line or inside a multi-line reply is truncation", "[reply]") {
    smtpp::reply_reader rd;
    std::string_view in = "400 Interrupted\r";
    smtpp::reply_line ln;
    REQUIRE(rd.next_line(in, ln) == status::need_more);
    REQUIRE(rd.finish() == status::failed);
    REQUIRE(rd.error() == reply_error::truncated);
    smtpp::reply_reader rd2;
    in = "250-first\r\n";
    REQUIRE(rd2.next_line(in, ln) == status::complete);
    REQUIRE(rd2.finish() == status::failed);
    smtpp::reply_reader rd3;
    in = "250 done\r\n";
    REQUIRE(rd3.next_line(in, ln) == status::complete);
    REQUIRE(rd3.finish() == status::complete);
}

TEST_CASE("R19: reply size limits (max_reply_bytes, max_lines)", "[reply]") {
    smtpp::reply_options o;
    o.max_reply_bytes = 50;
    const std::string_view v = "556-This is a very long reply\r\n556 that exceeds the very low limit.\r\n";
    REQUIRE(run_all(v, o).error == reply_error::reply_too_long);
    REQUIRE(run_all(v).error == reply_error::none);
    smtpp::reply_options l;
    l.max_lines = 2;
    REQUIRE(run_all("250-a\r\n250-b\r\n250 c\r\n", l).error == reply_error::reply_too_long);
    REQUIRE(run_all("250-a\r\n250 c\r\n250-a\r\n250 c\r\n", l).error == reply_error::none);
}

TEST_CASE("Line length: 512 octets with CRLF (RFC 5321 §4.5.3.1.5), configurable", "[reply]") {
    std::string ok = "250 " + std::string(506, 'x') + "\r\n";
    REQUIRE(ok.size() == 512);
    REQUIRE(run_all(ok).error == reply_error::none);
    std::string too = "250 " + std::string(507, 'x') + "\r\n";
    REQUIRE(run_all(too).error == reply_error::line_too_long);
    // The failure comes as soon as the limit is passed, without waiting for the LF.
    REQUIRE(run_all("250 " + std::string(600, 'x')).error == reply_error::line_too_long);
    smtpp::reply_options small;
    small.max_line = 20;
    REQUIRE(run_all("250 0123456789abcd\r\n", small).error == reply_error::none);  // 20
    REQUIRE(run_all("250 0123456789abcde\r\n", small).error == reply_error::line_too_long);
    REQUIRE(run_all("250 0123456789abcde\n",
                    [] {
                        smtpp::reply_options o;
                        o.max_line = 20;
                        o.allow_bare_lf = true;
                        return o;
                    }())
                .error == reply_error::none);
    // A larger Capacity allows longer lines.
    std::string big = "250 " + std::string(2000, 'y') + "\r\n";
    smtpp::reply_options bo;
    bo.max_line = 4096;
    smtpp_test::exact_buffer b(big);
    REQUIRE(run<4096>({b.view()}, bo).error == reply_error::none);
    REQUIRE(run<4096>({b.view().substr(0, 1000), b.view().substr(1000)}, bo).events.size() == 1);
}

TEST_CASE("R23: a garbage line is an error, never skipped (Postfix smtp_chat.c)", "[reply]") {
    const outcome o = run_all("garbage\r\n250 ok\r\n");
    REQUIRE(o.error == reply_error::bad_code);
    REQUIRE(o.events.empty());
}

TEST_CASE("Failure is sticky until reset", "[reply]") {
    smtpp::reply_reader rd;
    std::string_view in = "999 no\r\n250 ok\r\n";
    smtpp::reply_line ln;
    REQUIRE(rd.next_line(in, ln) == status::failed);
    std::string_view more = "250 ok\r\n";
    REQUIRE(rd.next_line(more, ln) == status::failed);
    REQUIRE(rd.error() == reply_error::bad_code);
    rd.reset();
    REQUIRE(rd.next_line(more, ln) == status::complete);
    REQUIRE(ln.code == 250);
}

TEST_CASE("R24: data after the STARTTLS reply in the same read (CVE-2021-38371 class)", "[reply]") {
    smtpp::reply_reader rd;
    std::string_view in = "220 go ahead\r\n250 PIPELINING\r\n";
    smtpp::reply_summary s;
    REQUIRE(rd.next_reply(in, s) == status::complete);
    REQUIRE(s.code == 220);
    REQUIRE(rd.expect_end_of_input(in) == status::failed);
    REQUIRE(rd.error() == reply_error::unexpected_data);
    smtpp::reply_reader clean;
    std::string_view in2 = "220 go ahead\r\n";
    REQUIRE(clean.next_reply(in2, s) == status::complete);
    REQUIRE(clean.expect_end_of_input(in2) == status::complete);
}

TEST_CASE("Replies in a stream: pipelined replies, summaries, zero copy", "[reply]") {
    const std::string_view stream = "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n";
    smtpp::reply_reader rd;
    std::string_view in = stream;
    smtpp::reply_summary s;
    smtpp::reply_line last;
    REQUIRE(rd.next_reply(in, s, last) == status::complete);
    REQUIRE(s.code == 250);
    REQUIRE(s.esc == enhanced_code{2, 1, 0});
    REQUIRE(s.bytes == 14);
    REQUIRE(last.text.data() >= stream.data());  // a view into the input: no copy
    REQUIRE(last.text.data() < stream.data() + stream.size());
    REQUIRE(rd.next_reply(in, s) == status::complete);
    REQUIRE(rd.next_reply(in, s) == status::complete);
    REQUIRE(s.code == 354);
    REQUIRE(in.empty());
    REQUIRE(rd.next_reply(in, s) == status::need_more);
}

TEST_CASE("Real replies: Postfix, Exim, Gmail-style, Microsoft-style", "[reply]") {
    // Postfix postscreen multi-line greeting, then a policy rejection.
    REQUIRE(run_all("220-mx.example.org ESMTP Postfix\r\n220 mx.example.org ESMTP Postfix\r\n").events.size() == 2);
    REQUIRE(run_all("554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org\r\n")
                .events[0]
                .esc == "5.7.1");
    // Exim.
    REQUIRE(run_all("550 Unrouteable address\r\n").events[0].esc.empty());
    REQUIRE(run_all("250 OK id=1pQxYz-0004Ab-1C\r\n").events.size() == 1);
    // Gmail-style multi-line 5.7.x policy replies, with a URL and a trailing id.
    const outcome g = run_all(
        "550-5.7.26 This mail has been blocked because the sender is unauthenticated.\r\n"
        "550-5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM.\r\n"
        "550-5.7.26\r\n"
        "550 5.7.26  https://support.google.com/mail/answer/81126 a1-20020a.123 - gsmtp\r\n");
    REQUIRE(g.events.size() == 4);
    REQUIRE(g.events[2] == event{550, false, "5.7.26", ""});
    REQUIRE(g.events[3].text == "https://support.google.com/mail/answer/81126 a1-20020a.123 - gsmtp");
    REQUIRE(run_all("421-4.7.28 Unusual rate of unsolicited mail.\r\n421 4.7.28 gsmtp\r\n").events[1].esc == "4.7.28");
    // Microsoft-style.
    REQUIRE(run_all("550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP.\r\n")
                .events[0]
                .esc == "5.7.708");
    REQUIRE(run_all("451 4.7.500 Server busy. Please try again later from [192.0.2.7]. (S77719)\r\n").events[0].esc ==
            "4.7.500");
    REQUIRE(run_all("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.\r\n")
                .events[0]
                .esc == "5.7.139");
}

TEST_CASE("The reader is trivially copyable and usable in constant expressions", "[reply]") {
    STATIC_REQUIRE(std::is_trivially_copyable_v<smtpp::reply_reader>);
    constexpr auto f = [] {
        smtpp::reply_reader rd;
        std::string_view in = "250-a\r\n250 2.0.0 ok\r\n";
        smtpp::reply_summary s{};
        smtpp::reply_line ln{};
        const bool ok = rd.next_reply(in, s, ln) == status::complete;
        return ok && s.lines == 2 && s.esc == enhanced_code{2, 0, 0} && ln.text == "ok";
    };
    STATIC_REQUIRE(f());
}

// ------------------------------------------------------------------------------------------
// Enhanced codes
// ------------------------------------------------------------------------------------------

TEST_CASE("R25: enhanced-code sub-parser edge inputs, without over-read (RFC 3463 §2)", "[esc]") {
    for (std::string_view v : {"", "2", "2.", "x.y.z", "2.0", "2.0.", "3.0.0", "6.0.0", "2..0", "2.0.x", "2.1234.0"}) {
        smtpp_test::exact_buffer b(v);
        enhanced_code e{};
        INFO(std::string(v));
        REQUIRE(smtpp::parse_enhanced_code(b.view(), e) == 0);
        REQUIRE(e.empty());
    }
    enhanced_code e{};
    smtpp_test::exact_buffer b("5.7.1");
    REQUIRE(smtpp::parse_enhanced_code(b.view(), e) == 5);
    REQUIRE(e == enhanced_code{5, 7, 1});
    STATIC_REQUIRE([] {
        enhanced_code x{};
        return smtpp::parse_enhanced_code("4.999.999 tail", x) == 9 && x == enhanced_code{4, 999, 999};
    }());
    STATIC_REQUIRE(smtpp::format_enhanced_code({5, 7, 26}).view() == "5.7.26");
    STATIC_REQUIRE(smtpp::format_enhanced_code({3, 0, 0}).view().empty());
    STATIC_REQUIRE(smtpp::format_enhanced_code({2, 1000, 0}).view().empty());
}

// ------------------------------------------------------------------------------------------
// Formatter
// ------------------------------------------------------------------------------------------

TEST_CASE("Formatter: single and multi-line, with and without enhanced codes (RFC 5321 §4.2.1, RFC 2034)", "[format]") {
    char buf[256];
    auto fmt = [&](smtpp::format_result r) {
        REQUIRE(r.ok());
        return std::string(buf, r.size);
    };
    REQUIRE(fmt(smtpp::format_reply(buf, sizeof buf, 221, {2, 0, 0}, "Bye")) == "221 2.0.0 Bye\r\n");
    REQUIRE(fmt(smtpp::format_reply(buf, sizeof buf, 354, "End data with <CR><LF>.<CR><LF>")) ==
            "354 End data with <CR><LF>.<CR><LF>\r\n");
    REQUIRE(fmt(smtpp::format_reply(buf, sizeof buf, 250, {}, "")) == "250 \r\n");
    REQUIRE(fmt(smtpp::format_reply(buf, sizeof buf, 250, {2, 0, 0}, "")) == "250 2.0.0\r\n");
    const std::string_view lines[] = {"mx.example.org", "PIPELINING", "8BITMIME"};
    REQUIRE(fmt(smtpp::format_reply(buf, sizeof buf, 250, {}, lines, 3)) ==
            "250-mx.example.org\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
    const std::string_view two[] = {"No such user", "Try again"};
    REQUIRE(fmt(smtpp::format_reply(buf, sizeof buf, 550, {5, 1, 1}, two, 2)) ==
            "550-5.1.1 No such user\r\n550 5.1.1 Try again\r\n");
    REQUIRE(fmt(smtpp::format_reply(buf, sizeof buf, smtpp::reply_hint{500, {5, 5, 2}, "Error"})) ==
            "500 5.5.2 Error\r\n");
}

TEST_CASE("Formatter refuses CR, LF, NUL and control characters in text, bad codes, small buffers", "[format]") {
    char buf[64];
    using fe = smtpp::format_error;
    for (std::string_view t : {std::string_view("a\rb"), std::string_view("a\nb"), std::string_view("a\0b", 3),
                               std::string_view("x\r\n250 injected"), std::string_view("\x1b[31m")})
        REQUIRE(smtpp::format_reply(buf, sizeof buf, 250, {}, t).error == fe::bad_text);
    REQUIRE(smtpp::format_reply(buf, sizeof buf, 250, "tab\tok").ok());
    for (std::uint16_t c :
         {std::uint16_t{0}, std::uint16_t{199}, std::uint16_t{600}, std::uint16_t{260}, std::uint16_t{1000}})
        REQUIRE(smtpp::format_reply(buf, sizeof buf, c, "x").error == fe::bad_code);
    REQUIRE(smtpp::format_reply(buf, sizeof buf, 550, {4, 1, 1}, "x").error == fe::bad_enhanced_code);
    REQUIRE(smtpp::format_reply(buf, sizeof buf, 354, {2, 0, 0}, "x").error == fe::bad_enhanced_code);
    REQUIRE(smtpp::format_reply(buf, sizeof buf, 250, {2, 1000, 0}, "x").error == fe::bad_enhanced_code);
    REQUIRE(smtpp::format_reply(buf, sizeof buf, 250, {}, nullptr, 0).error == fe::no_lines);
    REQUIRE(smtpp::format_reply(buf, 8, 250, "ok").error == fe::none);  // "250 ok\r\n" is 8
    REQUIRE(smtpp::format_reply(buf, 7, 250, "ok").error == fe::buffer_too_small);
    smtpp_test::no_alloc_scope scope;
    (void)smtpp::format_reply(buf, sizeof buf, 250, {2, 0, 0}, "Ok");
    REQUIRE(scope.allocations() == 0);
}

TEST_CASE("Formatter is constexpr and round-trips through the reader", "[format]") {
    constexpr auto f = [] {
        char buf[64] = {};
        const std::string_view lines[] = {"first", "second"};
        const auto r = smtpp::format_reply(buf, sizeof buf, 451, {4, 3, 0}, lines, 2);
        smtpp::reply_reader rd;
        std::string_view in(buf, r.size);
        smtpp::reply_line a{}, b{};
        const bool ok = rd.next_line(in, a) == status::complete && rd.next_line(in, b) == status::complete;
        return ok && a.code == 451 && !a.last && a.text == "first" && b.last && b.text == "second" &&
               b.esc == enhanced_code{4, 3, 0} && in.empty();
    };
    STATIC_REQUIRE(f());
}

TEST_CASE("reply_for and to_string cover every error", "[reply]") {
    for (int i = 0; i <= 10; ++i) {
        const auto e = static_cast<reply_error>(i);
        REQUIRE(smtpp::to_string(e) != "unknown");
        const smtpp::reply_hint h = smtpp::reply_for(e);
        REQUIRE(smtpp::is_valid_reply_code(h.code));
        REQUIRE(h.esc.cls == h.code / 100);
        REQUIRE(h.text.find_first_of("\r\n") == std::string_view::npos);
    }
    for (int i = 0; i <= 6; ++i) REQUIRE(smtpp::to_string(static_cast<smtpp::format_error>(i)) != "unknown");
}

TEST_CASE("Error names and replies come from one row per value; past the last value, unknown", "[reply]") {
    // The rows (detail/reply_errors.hpp) hold the values in order, so each name is its own.
    STATIC_REQUIRE(smtpp::to_string(reply_error::bad_code) == "bad reply code");
    STATIC_REQUIRE(smtpp::to_string(reply_error::truncated) == "connection closed inside a reply");
    STATIC_REQUIRE(smtpp::reply_for(reply_error::truncated).code == 421);
    STATIC_REQUIRE(smtpp::reply_for(reply_error::unexpected_data).esc == enhanced_code{4, 7, 0});
    STATIC_REQUIRE(smtpp::reply_for(reply_error::none).code == 250);
    STATIC_REQUIRE(smtpp::to_string(smtpp::format_error::ambiguous_text) ==
                   "text would read back as a different reply");
    // A value cast from a wider integer: "unknown", and the malformed-reply hint (RFC 3463
    // §3.6: 4.5.0, a transient protocol error).
    for (int i = 11; i < 256; ++i) {
        const auto e = static_cast<reply_error>(i);
        REQUIRE(smtpp::to_string(e) == "unknown");
        REQUIRE(smtpp::reply_for(e).code == 451);
        REQUIRE(smtpp::reply_for(e).esc == enhanced_code{4, 5, 0});
    }
    for (int i = 7; i < 256; ++i) {
        const auto e = static_cast<smtpp::format_error>(i);
        REQUIRE(smtpp::to_string(e) == "unknown");
        REQUIRE(smtpp::reply_for(e).esc == enhanced_code{4, 3, 0});
    }
    // Distinct names: a row copied and not edited would repeat one.
    for (int i = 0; i <= 10; ++i)
        for (int j = i + 1; j <= 10; ++j)
            REQUIRE(smtpp::to_string(static_cast<reply_error>(i)) != smtpp::to_string(static_cast<reply_error>(j)));
}

TEST_CASE("bench/data/replies.txt reads as 1600 replies, whole and split", "[reply][data]") {
    std::string all;
    {
        const std::string path = std::string(SMTPP_BENCH_DATA_DIR) + "/replies.txt";
        FILE* f = std::fopen(path.c_str(), "rb");
        REQUIRE(f != nullptr);
        char tmp[4096];
        std::size_t n;
        while ((n = std::fread(tmp, 1, sizeof tmp, f)) > 0) all.append(tmp, n);
        std::fclose(f);
    }
    auto count = [&](std::size_t step) {
        smtpp::reply_reader rd;
        smtpp::reply_summary s;
        std::size_t replies = 0;
        for (std::size_t i = 0; i < all.size(); i += step) {
            std::string_view c = std::string_view(all).substr(i, step);
            while (rd.next_reply(c, s) == status::complete) ++replies;
            REQUIRE(!rd.failed());
        }
        return replies;
    };
    REQUIRE(count(all.size()) == 1600);
    REQUIRE(count(1) == 1600);
    REQUIRE(count(61) == 1600);
}

TEST_CASE("format_reply refuses text a reader would read back differently (parse(format(r)) == r)", "[reply][format]") {
    char buf[128];
    // Without an enhanced code, text that starts with one of the reply's class would be
    // read as the code (RFC 3463 §2, RFC 2034 §4).
    CHECK(smtpp::format_reply(buf, sizeof buf, 250, {}, "2.0.0 looks like code").error ==
          smtpp::format_error::ambiguous_text);
    CHECK(smtpp::format_reply(buf, sizeof buf, 550, {}, "5.1.1").error == smtpp::format_error::ambiguous_text);
    // Another class is only text: a reader ignores a code whose class differs.
    const smtpp::format_result other = smtpp::format_reply(buf, sizeof buf, 250, {}, "5.1.1 text");
    REQUIRE(other.ok());
    CHECK(std::string_view(buf, other.size) == "250 5.1.1 text\r\n");
    // With a code, leading spaces of the text would be taken as the code's separator.
    CHECK(smtpp::format_reply(buf, sizeof buf, 250, {2, 0, 0}, " indented").error ==
          smtpp::format_error::ambiguous_text);
    const smtpp::format_result ok = smtpp::format_reply(buf, sizeof buf, 250, {2, 0, 0}, "2.0.0 as text");
    REQUIRE(ok.ok());
    smtpp::reply_reader rd;
    std::string_view in(buf, ok.size);
    smtpp::reply_line back;
    REQUIRE(rd.next_line(in, back) == smtpp::status::complete);
    CHECK(back.esc == smtpp::enhanced_code{2, 0, 0});
    CHECK(back.text == "2.0.0 as text");
}

// The reply scanner's twins (RFC 5321 §4.2: reply lines are text; control octets, DEL and,
// unless allowed, 8-bit octets stop the scan): the word-at-a-time twin against a plain loop,
// and the SSE2 one against both, for every octet value at positions around the word and
// vector boundaries, windows shorter than the buffer, from exactly sized buffers.
TEST_CASE("find_special: the SSE2 and word-at-a-time twins agree with the octet loop", "[reply][simd]") {
    for (std::size_t size : {1u, 7u, 8u, 9u, 15u, 16u, 17u, 31u, 33u, 64u, 70u}) {
        for (int c = 0; c < 256; ++c) {
            for (std::size_t at : {std::size_t{0}, std::size_t{7}, std::size_t{8}, std::size_t{15}, std::size_t{16},
                                   size / 2, size - 1}) {
                if (at >= size) continue;
                std::string s(size, 'a');
                for (std::size_t i = 0; i < size; ++i) s[i] = "Ab9-x.Z= ~"[i % 10];
                s[at] = static_cast<char>(c);
                const smtpp_test::exact_buffer b(s);
                const char* p = b.view().data();
                for (bool allow_8bit : {false, true}) {
                    for (std::size_t window : {size, size / 2, std::size_t{0}}) {
                        std::size_t want = window;
                        for (std::size_t i = 0; i < window; ++i) {
                            const auto o = static_cast<unsigned char>(s[i]);
                            if (o < 0x20 || o == 0x7F || (!allow_8bit && o >= 0x80)) {
                                want = i;
                                break;
                            }
                        }
                        INFO("size " << size << " octet " << c << " at " << at << " window " << window);
                        REQUIRE(smtpp::detail::find_special_words(p, window, size, allow_8bit) == want);
#if SMTPP_SIMD_SSE2
                        REQUIRE(smtpp::detail::find_special_sse2(p, window, size, allow_8bit) == want);
#endif
                        REQUIRE(smtpp::detail::find_special(p, window, size, allow_8bit) == want);
                    }
                }
            }
        }
    }
    STATIC_REQUIRE(smtpp::detail::find_special("250 ok\r\n", 8, 8, false) == 6);
}
