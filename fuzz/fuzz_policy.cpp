// fuzz_policy: building a policy (include/smtpp/session.hpp) from arbitrary option values
// and strings, and the replies it renders.
// Input: 40 bytes of option values (extensions, mechanisms, limits, flags, parse limits),
// then four strings (host name, greeting, MT-PRIORITY policy, FUTURERELEASE date-time),
// each a length byte and that many bytes. Properties:
//   1. the policy is refused with an error (to_string names it, start() answers 421 and
//      closes, rendered() is empty) or it renders every reply;
//   2. a policy that builds has the RFC minimum limits (parse.max_line >= 512,
//      max_auth_line >= 12288 with AUTH, RFC 5321 §4.5.3.1.4, RFC 4954 §4), and its line
//      limits grow with the extensions (command_line_limit <= line_limit);
//   3. every rendered reply (greeting, EHLO before and inside TLS, HELO, 221, 421s) and the
//      replies of start/refuse/timeout/shutdown parse back with the reply reader into one reply of
//      one code, with CR and LF only in the CRLF that ends each line;
//   4. building never allocates, and copying the policy keeps its replies;
//   5. rendered() is empty for every other reply; offers_mechanism() names exactly the
//      mechanisms of the AUTH line rendered inside TLS (RFC 4954 §3);
//   6. a client error counts one more error, saturating at 255, from any count (byte 34),
//      and closes with 421 exactly at max_errors (none when max_errors is 0).
#include <smtpp/reply.hpp>
#include <smtpp/session.hpp>

#include <cstddef>
#include <cstdint>

#define SMTPP_FUZZ_COUNT_ALLOCATIONS
#include "fuzz_support.hpp"

namespace {
using namespace smtpp;
using smtpp_fuzz::allocations;
using smtpp_fuzz::check_reply_parses;
using smtpp_fuzz::counting;

void check_result(const step_result& r) {
    SMTPP_FUZZ_CHECK((r.count == 0) == r.reply.empty());
    if (!r.reply.empty()) check_reply_parses(r.reply, r.code);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 40) return 0;
    const auto u16 = [&](std::size_t i) { return smtpp_fuzz::le16(data + i); };
    const auto u32 = [&](std::size_t i) { return smtpp_fuzz::le32(data + i); };
    policy_options o;
    o.extensions = u32(0);
    o.auth_mechanisms = u32(4);
    o.max_message_size = (static_cast<std::uint64_t>(u32(8)) << (data[12] % 33));
    o.max_recipients = u16(13);
    o.limits_mailmax = u16(15);
    o.max_errors = data[17];
    o.deliverby_min = u32(18);
    o.futurerelease_max_interval = u32(22);
    const std::uint8_t f = data[26];
    o.lmtp = (f & 1) != 0;
    o.require_auth = (f & 2) != 0;
    o.require_tls = (f & 4) != 0;
    o.auth_needs_tls = (f & 8) != 0;
    o.enforce_sync = (f & 16) != 0;
    o.unknown_param_504 = (f & 32) != 0;
    o.verify_senders = (f & 64) != 0;
    o.verify_recipients = (f & 128) != 0;
    o.bare_newline = static_cast<bare_newline_policy>(data[27] % 3);
    // Limits around the RFC minimums, and anywhere.
    const std::uint16_t ml = u16(28), al = u16(30);
    o.parse.max_line = (ml & 0x8000) != 0 ? 500 + (ml & 31) : ml;
    o.parse.max_auth_line = (al & 0x8000) != 0 ? 12280 + (al & 15) : static_cast<std::size_t>(al) * 4;
    const std::uint8_t g = data[32];
    o.parse.allow_space_after_colon = (g & 1) != 0;
    o.parse.allow_missing_brackets = (g & 2) != 0;
    o.parse.allow_extra_spaces = (g & 4) != 0;
    o.parse.allow_helo_address_literal = (g & 8) != 0;
    o.parse.allow_lowercase_xtext_hex = (g & 16) != 0;
    o.parse.allow_bare_lf = (g & 32) != 0;
    // Strings: host name, greeting, MT-PRIORITY policy, FUTURERELEASE date-time.
    std::string_view strs[4] = {"mx.example", {}, {}, "2099-12-31T23:59:59Z"};
    std::size_t pos = 40;
    for (std::string_view& s : strs) {
        if (pos >= size) break;
        const std::size_t n = data[pos] < size - pos - 1 ? data[pos] : size - pos - 1;
        s = std::string_view(reinterpret_cast<const char*>(data + pos + 1), n);
        pos += 1 + n;
    }
    o.hostname = strs[0];
    o.greeting = strs[1];
    o.mt_priority_policy = strs[2];
    o.futurerelease_max_datetime = strs[3];

    counting = true;
    allocations = 0;
    const policy p(o);
    const policy copy = p;
    counting = false;
    SMTPP_FUZZ_CHECK(allocations == 0);

    const step_result s0 = start(p);
    check_result(s0);
    // refuse(): a 421 and close in place of the greeting, whatever the policy and reason
    // (RFC 5321 §4.2.2); a usable policy renders it with the host name.
    const step_result rf = refuse(p, static_cast<session_reply>(data[33] % (session_reply_count + 2)));
    check_result(rf);
    SMTPP_FUZZ_CHECK(rf.code == 421 && rf.count == 1 && rf.act == action::close && rf.next.phase == phase::closed);
    SMTPP_FUZZ_CHECK(p.error() != policy_error::none ||
                     refuse(p).reply == p.rendered(session_reply::too_many_connections));
    if (p.error() != policy_error::none) {
        SMTPP_FUZZ_CHECK(!to_string(p.error()).empty() && to_string(p.error()) != "none");
        SMTPP_FUZZ_CHECK(s0.code == 421 && s0.act == action::close);
        SMTPP_FUZZ_CHECK(p.rendered(session_reply::greeting).empty());
        return 0;
    }
    SMTPP_FUZZ_CHECK(o.parse.max_line >= 512);
    SMTPP_FUZZ_CHECK(!p.offers(ext_auth) || o.parse.max_auth_line >= 12288);
    SMTPP_FUZZ_CHECK(s0.code == 220 && s0.act == action::none);
    const session_reply slots[] = {session_reply::greeting,
                                   session_reply::ehlo,
                                   session_reply::helo,
                                   session_reply::bye,
                                   session_reply::too_many_errors,
                                   session_reply::local_error,
                                   session_reply::timeout,
                                   session_reply::shutting_down,
                                   session_reply::too_many_connections};
    for (session_reply r : slots) {
        for (bool tls : {false, true}) {
            const std::string_view v = p.rendered(r, tls);
            check_reply_parses(v);
            SMTPP_FUZZ_CHECK(copy.rendered(r, tls) == v);
        }
    }
    for (std::size_t i = 0; i < session_reply_count; ++i) {
        const auto r = static_cast<session_reply>(i);
        bool slot = false;
        for (session_reply k : slots) slot = slot || k == r;
        SMTPP_FUZZ_CHECK(slot || (p.rendered(r).empty() && p.rendered(r, true).empty()));
    }
    // The mechanisms of the AUTH line inside TLS (where auth_needs_tls no longer hides it).
    const std::string_view tls_ehlo = p.rendered(session_reply::ehlo, true);
    std::string_view auth;
    for (std::size_t at = tls_ehlo.find("\r\n") + 2; at < tls_ehlo.size();) {
        const std::size_t end = tls_ehlo.find("\r\n", at);
        const std::string_view l = tls_ehlo.substr(at + 4, end - at - 4);
        if (l.size() > 5 && l.substr(0, 5) == "AUTH ") auth = l.substr(4);
        at = end + 2;
    }
    for (std::size_t i = 0; i < detail::mechanism_count; ++i) {
        bool listed = false;
        for (std::string_view rest = auth; !rest.empty();) {
            rest.remove_prefix(1);  // the SP before each name
            const std::size_t sp = rest.find(' ');
            listed = listed || rest.substr(0, sp) == detail::mechanism_name(i);
            rest = sp == std::string_view::npos ? std::string_view{} : rest.substr(sp);
        }
        SMTPP_FUZZ_CHECK(p.offers_mechanism(static_cast<sasl_mechanism>(i)) == listed);
    }
    command cmd;
    // A client error from any error count (a state the host kept): one more, saturating.
    session_state counted = s0.next;
    counted.errors = data[34];
    const step_result u = step(p, counted, "XYZZY\r\n", cmd, false);
    check_result(u);
    const unsigned errors = counted.errors == 255 ? 255u : counted.errors + 1u;
    const bool limit = p.options().max_errors != 0 && errors >= p.options().max_errors;
    SMTPP_FUZZ_CHECK(u.next.errors == errors && (u.act == action::close) == limit && (u.code == 421) == limit);
    // Host events in the fresh and ESMTP states: timeout, shutdown, EHLO.
    session_state st = s0.next;
    SMTPP_FUZZ_CHECK(command_line_limit(p, st) >= 512 && command_line_limit(p, st) <= line_limit(p));
    check_result(timeout(p, st));
    check_result(shutdown(p, st));
    const step_result e = step(p, st, o.lmtp ? "LHLO c.example\r\n" : "EHLO c.example\r\n", cmd, false);
    check_result(e);
    if (e.code == 250) {
        st = e.next;
        SMTPP_FUZZ_CHECK(command_line_limit(p, st) >= 512 && command_line_limit(p, st) <= line_limit(p));
        check_result(timeout(p, st));
        check_result(shutdown(p, st));
    }
    return 0;
}
