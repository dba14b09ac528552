// step_result::sasl_response: "the line was a SASL client response (RFC 4954 §4), not a
// command". A host runs its SASL mechanism on `action::verify_credentials`; the AUTH command
// itself (with or without an initial response, RFC 4954 §4) and every later response line
// of the exchange both ask for it, and only this flag tells them apart without looking at
// the command storage (which step() clears on a response line).
//
// Each script is a list of packets (the client waits for the reply after each, as RFC 4954
// §4 has it for AUTH exchanges); the packets are fed whole, byte by byte, split at every
// position and in chunks of 2, 3, 7 and 64, and every split must see the same flags and
// replies line by line.
#include <catch2/catch.hpp>

#include <smtpp/session.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/splits.hpp"

using namespace smtpp;

namespace {

smtpp::command g_cmd;

// What the host decides on each verify_credentials: a 334 challenge or a verdict.
struct decision {
    bool challenge = false;
    verdict v = verdict::accept;
};

// One line the session saw: its first reply code and the flag (and whether the session
// asked for credentials on it).
struct seen {
    std::uint16_t code = 0;
    bool sasl_response = false;
    bool verify = false;
    bool operator==(const seen& o) const {
        return code == o.code && sasl_response == o.sasl_response && verify == o.verify;
    }
};

std::string describe(const std::vector<seen>& v) {
    std::string s;
    for (const seen& x : v)
        s += std::to_string(x.code) + (x.sasl_response ? "/sasl" : "/cmd") + (x.verify ? "/verify " : " ");
    return s;
}

policy auth_policy() {
    policy_options o;
    o.extensions |= ext_auth;
    o.auth_mechanisms = mechanism_bit(sasl_mechanism::plain) | mechanism_bit(sasl_mechanism::login);
    return policy(o);
}

struct host {
    const policy& pol;
    session_state st{};
    line_reader<16384> rd;
    std::deque<decision> decisions;
    std::vector<std::size_t> packet_ends;  // offsets in the concatenated input
    std::size_t offset = 0;                // bytes of the input consumed so far
    char buf[64] = {};
    std::vector<seen> lines;

    host(const policy& p, std::deque<decision> d, std::vector<std::size_t> ends)
        : pol(p), decisions(std::move(d)), packet_ends(std::move(ends)) {
        rd.set_max_line(line_limit(p));
        st = start(pol, st).next;
    }

    // The session's answer to one line: the first result is the line's; the host's
    // decisions follow (they are not lines, so their flag is not recorded).
    void handle(step_result r) {
        lines.push_back({r.code, r.sasl_response, r.act == action::verify_credentials});
        for (;;) {
            st = r.next;
            if (r.act != action::verify_credentials) return;
            const decision d = decisions.empty() ? decision{} : decisions.front();
            if (!decisions.empty()) decisions.pop_front();
            r = d.challenge ? auth_challenge(pol, st, "", buf, sizeof buf) : resolve(pol, st, d.v);
            lines.back().code = r.code;
        }
    }

    void feed(std::string_view in) {
        while (!in.empty()) {
            const line_event ev = rd.next(in);
            in.remove_prefix(ev.consumed);
            offset += ev.consumed;
            if (ev.st == status::need_more) return;
            // Input pending = the rest of the client's packet (identical for every split).
            bool pending = false;
            for (std::size_t e : packet_ends) {
                if (offset <= e) {
                    pending = offset < e;
                    break;
                }
            }
            if (ev.st == status::failed) handle(on_line_error(pol, st, ev));
            else handle(step(pol, st, ev.line, g_cmd, pending));
        }
    }
};

// Runs `packets` with the host's `decisions` under every split; returns the lines seen
// (and checks every split saw the same).
std::vector<seen> run(const std::vector<std::string>& packets, const std::deque<decision>& decisions) {
    const policy pol = auth_policy();
    REQUIRE(pol.error() == policy_error::none);
    std::string input;
    std::vector<std::size_t> ends;
    for (const std::string& p : packets) {
        input += p;
        ends.push_back(input.size());
    }
    std::vector<seen> whole;
    bool first = true;
    smtpp_test::for_each_split(input,
                               [&](const std::vector<std::string_view>& chunks, const smtpp_test::split_info& info) {
                                   host h(pol, decisions, ends);
                                   for (std::string_view c : chunks) h.feed(c);
                                   if (first) {
                                       whole = h.lines;
                                       first = false;
                                       return;
                                   }
                                   INFO(info.name << ": " << describe(h.lines) << " vs whole: " << describe(whole));
                                   REQUIRE(h.lines == whole);
                               });
    return whole;
}

}  // namespace

TEST_CASE("AUTH PLAIN with an initial response: the AUTH line is a command (RFC 4954 §4)", "[session][sasl_flag]") {
    // "AHUAcA==" = "\0u\0p" (RFC 4616 §2).
    const auto v = run({"EHLO c\r\n", "AUTH PLAIN AHUAcA==\r\n", "NOOP\r\n"}, {{false, verdict::accept}});
    INFO(describe(v));
    REQUIRE(v.size() == 3);
    CHECK(v[0] == seen{250, false, false});
    CHECK(v[1] == seen{235, false, true});  // verify_credentials on the command itself
    CHECK(v[2] == seen{250, false, false});
}

TEST_CASE("AUTH LOGIN then two response lines: the responses carry the flag (RFC 4954 §4)", "[session][sasl_flag]") {
    // 334 "Username:", 334 "Password:", then 235.
    const auto v = run({"EHLO c\r\n", "AUTH LOGIN\r\n", "dXNlcg==\r\n", "cGFzcw==\r\n", "MAIL FROM:<a@b.example>\r\n"},
                       {{true, verdict::accept}, {true, verdict::accept}, {false, verdict::accept}});
    INFO(describe(v));
    REQUIRE(v.size() == 5);
    CHECK(v[1] == seen{334, false, true});  // the AUTH command
    CHECK(v[2] == seen{334, true, true});   // the user name: a SASL response
    CHECK(v[3] == seen{235, true, true});   // the password: a SASL response
    CHECK(v[4].sasl_response == false);     // a command again
}

TEST_CASE("a \"*\" cancel is a SASL response, answered 501 (RFC 4954 §4)", "[session][sasl_flag]") {
    const auto v = run({"EHLO c\r\n", "AUTH LOGIN\r\n", "*\r\n", "NOOP\r\n"}, {{true, verdict::accept}});
    INFO(describe(v));
    REQUIRE(v.size() == 4);
    CHECK(v[1] == seen{334, false, true});
    CHECK(v[2] == seen{501, true, false});  // cancel-response: no verify, exchange over
    CHECK(v[3] == seen{250, false, false});
}

TEST_CASE("empty (\"=\"), malformed and over-long responses are SASL responses too (RFC 4954 §4)",
          "[session][sasl_flag]") {
    SECTION("\"=\": an empty response, handed to the host") {
        const auto v = run({"EHLO c\r\n", "AUTH PLAIN\r\n", "=\r\n"},
                           {{true, verdict::accept}, {false, verdict::reject}});
        INFO(describe(v));
        REQUIRE(v.size() == 3);
        CHECK(v[1] == seen{334, false, true});
        CHECK(v[2] == seen{535, true, true});
    }
    SECTION("not base64: 501, no verify") {
        const auto v = run({"EHLO c\r\n", "AUTH LOGIN\r\n", "not base64!\r\n"}, {{true, verdict::accept}});
        INFO(describe(v));
        REQUIRE(v.size() == 3);
        CHECK(v[2] == seen{501, true, false});
    }
    SECTION("longer than the AUTH line limit: the line reader refuses it, 500 5.5.6") {
        const std::string big = std::string(16000, 'A') + "\r\n";
        const auto v = run({"EHLO c\r\n", "AUTH LOGIN\r\n", big, "NOOP\r\n"}, {{true, verdict::accept}});
        INFO(describe(v));
        REQUIRE(v.size() == 4);
        CHECK(v[2] == seen{500, true, false});
        CHECK(v[3] == seen{250, false, false});
    }
}

TEST_CASE("command lines outside an AUTH exchange never carry the flag", "[session][sasl_flag]") {
    // A base64-looking line outside an exchange is a command (500 unknown), not a response.
    const auto v = run({"EHLO c\r\n", "dXNlcg==\r\n", "AUTH PLAIN AHUAcA==\r\n", "AHUAcA==\r\n"},
                       {{false, verdict::reject}});
    INFO(describe(v));
    REQUIRE(v.size() == 4);
    CHECK(v[1].sasl_response == false);
    CHECK(v[2] == seen{535, false, true});
    CHECK(v[3].sasl_response == false);
}
