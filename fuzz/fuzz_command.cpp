// Fuzz target for parse_command / format_command (include/smtpp/command.hpp).
//
// Input: one option byte (bit 0: SMTPUTF8 advertised, bit 1: SMTPUTF8 transaction,
// bit 2: max_line 1000, bit 3: lower-case xtext hex allowed), then the command line. Properties, each reported with
// SMTPP_FUZZ_CHECK (fuzz_support.hpp):
//   1. every view in the result lies inside the line;
//   2. parsing is deterministic and independent of where the bytes sit in memory
//      (a copy with trailing bytes after the view gives the same result);
//   3. strict accepts ⇒ lenient (all leniencies on) accepts, with the same fields;
//   4. an error maps to a 5xx reply (500..555) with enhanced class 5 and no CR/LF/NUL;
//   5. an accepted known command without unknown parameters formats, and the formatted
//      line parses back to the same verb, path and parameter values;
//   6. the values an accepted command carries hold what their grammar says, checked with
//      the plain reference functions rather than the parser's fast paths: xtext decodes
//      with no control octet (CVE-2020-28021), NOTIFY flags are NEVER alone or a
//      non-empty set, the AUTH response is base64 or "=", the mechanism id is that of
//      its name, BDAT's size is its digits' value;
//   7. the overload that returns the command gives the same command and error;
//   8. xtext_decode of any value or argument is either refused or no longer than its input
//      (and refused with one octet less room), unquote copies an unquoted argument as is;
//   9. format_command refuses a command without a verb (invalid, unknown_verb) and an
//      argument carrying CR LF (forbidden_byte), and writes an empty AUTH response as "=".
#include <smtpp/command.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include "fuzz_support.hpp"

namespace {

using smtpp::command;
using smtpp::command_error;
using smtpp_fuzz::inside;

template <class Fn>
void each_view(const command& c, Fn&& fn) {
    for (std::string_view v :
         {c.line,         c.verb_text,   c.argument,          c.mechanism,       c.initial_response,
          c.path.text,    c.path.route,  c.path.mailbox,      c.path.local_part, c.path.domain,
          c.params.envid, c.params.auth, c.params.orcpt_type, c.params.orcpt,    c.params.holduntil,
          c.params.rrvs,  c.params.mtrk, c.params.solicit,    c.params.unknown,  c.params.text})
        fn(v);
}

// Same scalar fields and same view contents (views compared by value).
bool same(const command& a, const command& b, bool compare_route = true) {
    const auto& p = a.params;
    const auto& q = b.params;
    return a.verb == b.verb && a.host == b.host && a.mechanism_id == b.mechanism_id &&
           a.has_initial_response == b.has_initial_response && a.last == b.last && a.smtputf8 == b.smtputf8 &&
           a.chunk_size == b.chunk_size && a.mechanism == b.mechanism && a.initial_response == b.initial_response &&
           a.path.local_part == b.path.local_part && a.path.domain == b.path.domain && a.path.kind == b.path.kind &&
           a.path.is_null == b.path.is_null && a.path.is_postmaster == b.path.is_postmaster &&
           a.path.quoted == b.path.quoted && a.path.utf8 == b.path.utf8 &&
           (!compare_route || a.path.route == b.path.route) && p.present == q.present && p.size == q.size &&
           p.body == q.body && p.ret == q.ret && p.notify == q.notify && p.mt_priority == q.mt_priority &&
           p.by == q.by && p.by_trace == q.by_trace && p.rrvs_mode == q.rrvs_mode && p.holdfor == q.holdfor &&
           p.by_time == q.by_time && p.envid == q.envid && p.auth == q.auth && p.orcpt_type == q.orcpt_type &&
           p.orcpt == q.orcpt && p.holduntil == q.holduntil && p.rrvs == q.rrvs && p.mtrk == q.mtrk &&
           p.mtrk_timeout == q.mtrk_timeout && p.solicit == q.solicit;
}

bool text_clean(std::string_view t) {
    for (char ch : t)
        if (ch == '\r' || ch == '\n' || ch == '\0') return false;
    return !t.empty();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    smtpp::parse_options opt;
    opt.smtputf8 = (data[0] & 1) != 0;
    opt.smtputf8_transaction = (data[0] & 2) != 0;
    if (data[0] & 4) opt.max_line = 1000;
    opt.allow_lowercase_xtext_hex = (data[0] & 8) != 0;
    const std::string_view line(reinterpret_cast<const char*>(data + 1), size - 1);

    command c;
    const command_error e = smtpp::parse_command(line, c, opt);
    each_view(c, [&](std::string_view v) { SMTPP_FUZZ_CHECK(inside(v, line)); });
    SMTPP_FUZZ_CHECK(c.line.data() == line.data() && c.line.size() == line.size());

    // 2. determinism and position independence
    command again;
    SMTPP_FUZZ_CHECK(smtpp::parse_command(line, again, opt) == e && same(c, again));
    command_error by_value = command_error::none;
    SMTPP_FUZZ_CHECK(same(smtpp::parse_command(line, by_value, opt), c) && by_value == e);
    const std::size_t n = line.size();
    std::unique_ptr<char[]> moved(new char[n + 8]);
    if (n) std::memcpy(moved.get() + 3, line.data(), n);
    std::memcpy(moved.get(), "\r\n.", 3);
    std::memcpy(moved.get() + 3 + n, "\r\nQUIT", 5);
    const std::string_view moved_line(moved.get() + 3, n);
    command m;
    SMTPP_FUZZ_CHECK(smtpp::parse_command(moved_line, m, opt) == e && same(c, m));
    each_view(m, [&](std::string_view v) { SMTPP_FUZZ_CHECK(inside(v, moved_line)); });

    // 3. strict ⇒ lenient
    smtpp::parse_options lo = opt;
    lo.allow_space_after_colon = lo.allow_missing_brackets = lo.allow_extra_spaces = true;
    lo.allow_helo_address_literal = lo.allow_bare_lf = true;
    command l;
    const command_error le = smtpp::parse_command(line, l, lo);
    each_view(l, [&](std::string_view v) { SMTPP_FUZZ_CHECK(inside(v, line)); });
    SMTPP_FUZZ_CHECK(e != command_error::none || (le == command_error::none && same(c, l)));

    // 4. reply mapping
    const smtpp::reply_hint r = smtpp::reply_for(e);
    SMTPP_FUZZ_CHECK(text_clean(r.text));
    SMTPP_FUZZ_CHECK(e == command_error::none || (r.code >= 500 && r.code <= 555 && r.esc.cls == 5));

    // 6. values against the reference functions
    if (e == command_error::none) {
        const smtpp::params& ps = c.params;
        auto clean_xtext = [&](std::string_view x) {
            char buf[600];
            const std::size_t k = smtpp::xtext_decode(x, buf, sizeof buf, opt.allow_lowercase_xtext_hex);
            SMTPP_FUZZ_CHECK(k != SIZE_MAX);
            for (std::size_t i = 0; i < k; ++i)
                SMTPP_FUZZ_CHECK(static_cast<unsigned char>(buf[i]) >= 0x20 && buf[i] != 0x7F);
        };
        if (ps.has(smtpp::p_envid)) clean_xtext(ps.envid);
        if (ps.has(smtpp::p_auth) && ps.auth != "<>") clean_xtext(ps.auth);
        if (ps.has(smtpp::p_orcpt) &&
            !(ps.orcpt_type.size() == 5 && smtpp::detail::iequals_upper(ps.orcpt_type, "UTF-8")))
            clean_xtext(ps.orcpt);
        if (ps.has(smtpp::p_notify))
            SMTPP_FUZZ_CHECK(ps.notify != 0 &&
                             (!(ps.notify & smtpp::notify_never) || ps.notify == smtpp::notify_never));
        // MTRK= (RFC 3885 §4): base64 octets, then at most ":" and the timeout's digits.
        if (ps.has(smtpp::p_mtrk)) {
            std::size_t i = 0;
            while (i < ps.mtrk.size() && ps.mtrk[i] != ':') {
                const char ch = ps.mtrk[i++];
                SMTPP_FUZZ_CHECK((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                                 ch == '+' || ch == '/');
            }
            SMTPP_FUZZ_CHECK(i != 0);
            std::uint64_t t = 0;
            for (std::size_t j = i + 1; j < ps.mtrk.size(); ++j) {
                SMTPP_FUZZ_CHECK(ps.mtrk[j] >= '0' && ps.mtrk[j] <= '9' && j - i <= 9);
                t = t * 10 + static_cast<std::uint64_t>(ps.mtrk[j] - '0');
            }
            SMTPP_FUZZ_CHECK(t == ps.mtrk_timeout);
        }
        // SOLICIT= (RFC 3865 §2.2): words of ALPHA then "." "-" "_" ":" ALPHA DIGIT, joined by ",".
        if (ps.has(smtpp::p_solicit)) {
            SMTPP_FUZZ_CHECK(!ps.solicit.empty() && ps.solicit.size() <= 1000);
            bool start = true;
            for (char ch : ps.solicit) {
                const bool alpha = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
                const bool wordchar = alpha || (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_' ||
                                      ch == ':';
                SMTPP_FUZZ_CHECK(start ? alpha : (wordchar || ch == ','));
                start = ch == ',';
            }
            SMTPP_FUZZ_CHECK(!start);
        }
        if (c.has_initial_response)
            SMTPP_FUZZ_CHECK(c.initial_response == "=" || smtpp::detail::is_base64(c.initial_response));
        if (c.verb == smtpp::verb::auth) SMTPP_FUZZ_CHECK(c.mechanism_id == smtpp::detail::mechanism_of(c.mechanism));
        if (c.verb == smtpp::verb::bdat) {
            std::uint64_t v = 0;
            for (char ch : c.argument) {
                if (ch == ' ') break;
                SMTPP_FUZZ_CHECK(ch >= '0' && ch <= '9');
                v = v * 10 + static_cast<std::uint64_t>(ch - '0');
            }
            SMTPP_FUZZ_CHECK(v == c.chunk_size);
        }
    }

    // 7. a reused command (here the lenient parse's) ends exactly as a fresh one (clear())
    {
        const command_error re = smtpp::parse_command(line, l, opt);
        SMTPP_FUZZ_CHECK(re == e && (e != command_error::none || same(c, l)));
    }
    // 8. unquote: the quoted local part loses its quotes and quoted-pairs, nothing else
    if (e == command_error::none && c.path.quoted) {
        char buf[80];
        const std::string_view lp = c.path.local_part;
        const std::size_t un = smtpp::unquote(lp, buf, sizeof buf);
        SMTPP_FUZZ_CHECK(un != SIZE_MAX && un + 2 <= lp.size());
        std::size_t pairs = 0;
        for (std::size_t i = 1; i + 1 < lp.size(); ++i)
            if (lp[i] == '\\') {
                ++pairs;
                ++i;
            }
        SMTPP_FUZZ_CHECK(un == lp.size() - 2 - pairs);
        SMTPP_FUZZ_CHECK(smtpp::unquote(lp, buf, un == 0 ? 0 : un - 1) == (un == 0 ? 0 : SIZE_MAX));
    }
    // xtext_decode of any text: refused, or at most as long as the text, at least a third
    // of it, and refused with one octet less room.
    static char decoded[20000];
    auto decode = [&](std::string_view x) {
        const std::size_t k = smtpp::xtext_decode(x, decoded, sizeof decoded, opt.allow_lowercase_xtext_hex);
        if (k == SIZE_MAX) return;
        SMTPP_FUZZ_CHECK(k <= x.size() && 3 * k >= x.size());
        SMTPP_FUZZ_CHECK(k == 0 || smtpp::xtext_decode(x, decoded, k - 1, opt.allow_lowercase_xtext_hex) == SIZE_MAX);
    };
    decode(c.argument);
    // unquote of the argument: a quoted string loses its quotes (and quoted-pairs), any
    // other text is copied as it is; with one octet less room it is refused.
    {
        const std::string_view a = c.argument;
        const bool quoted = a.size() >= 2 && a.front() == '"' && a.back() == '"';
        const std::size_t un = smtpp::unquote(a, decoded, sizeof decoded);
        SMTPP_FUZZ_CHECK(quoted ? un + 2 <= a.size()
                                : un == a.size() && (un == 0 || std::memcmp(decoded, a.data(), un) == 0));
        SMTPP_FUZZ_CHECK(smtpp::unquote(a, decoded, un == 0 ? 0 : un - 1) == (un == 0 ? 0 : SIZE_MAX));
    }
    // 9. next_param walks params::text: every keyword non-empty and inside the text, the
    //    known keywords all seen
    if (e == command_error::none) {
        std::string_view text = c.params.text, kw, val;
        std::size_t walked = 0;
        while (smtpp::next_param(text, kw, val)) {
            SMTPP_FUZZ_CHECK(!kw.empty() && inside(kw, line) && inside(val, line) && ++walked <= 512);
            decode(val);
        }
        std::size_t known = 0;
        for (std::uint32_t b = c.params.present; b != 0; b &= b - 1) ++known;
        SMTPP_FUZZ_CHECK(walked >= known + (c.params.unknown_count != 0 ? 1u : 0u));
    }

    // 5. format → parse round trip
    if (e != command_error::none || c.verb == smtpp::verb::unknown || c.params.unknown_count != 0) return 0;
    static char out[20000];
    const smtpp::command_format_result f = smtpp::format_command(c, out, sizeof out, opt);
    SMTPP_FUZZ_CHECK(f.err == smtpp::command_format_error::none);
    command back;
    SMTPP_FUZZ_CHECK(smtpp::parse_command(std::string_view(out, f.size), back, opt) == command_error::none);
    // the route is not generated (RFC 5321 §4.1.2 SHOULD NOT); <Postmaster> is canonicalised
    if (c.path.is_postmaster) back.path.local_part = c.path.local_part;
    SMTPP_FUZZ_CHECK(same(c, back, false));
    if (c.verb == smtpp::verb::helo || c.verb == smtpp::verb::ehlo || c.verb == smtpp::verb::vrfy ||
        c.verb == smtpp::verb::noop)
        SMTPP_FUZZ_CHECK(back.argument == c.argument);

    // 9. what format_command refuses: no verb; CR LF in an argument it writes (command
    //    injection); and an empty AUTH initial response is written as "=" (RFC 4954 §4).
    command bad = c;
    bad.verb = smtpp::verb::unknown;
    smtpp::command_format_result g = smtpp::format_command(bad, out, sizeof out, opt);
    SMTPP_FUZZ_CHECK(g.err == smtpp::command_format_error::invalid && g.parse_error == command_error::unknown_verb);
    switch (c.verb) {
        case smtpp::verb::helo:
        case smtpp::verb::ehlo:
        case smtpp::verb::lhlo:
        case smtpp::verb::etrn:
        case smtpp::verb::vrfy:
        case smtpp::verb::expn:
        case smtpp::verb::help:
        case smtpp::verb::noop:
            bad = c;
            bad.argument = "x\r\nQUIT";
            g = smtpp::format_command(bad, out, sizeof out, opt);
            SMTPP_FUZZ_CHECK(g.err == smtpp::command_format_error::forbidden_byte);
            break;
        case smtpp::verb::auth:
            if (!c.has_initial_response) break;
            bad = c;
            bad.initial_response = {};
            g = smtpp::format_command(bad, out, sizeof out, opt);
            SMTPP_FUZZ_CHECK(g.err == smtpp::command_format_error::none);
            SMTPP_FUZZ_CHECK(smtpp::parse_command(std::string_view(out, g.size), back, opt) == command_error::none &&
                             back.initial_response == "=");
            break;
        default: break;
    }
    return 0;
}
