// fuzz_ehlo: the EHLO capability parser (include/smtpp/ehlo.hpp).
// Input: byte 0 = options, byte 1 = a prefix cut, the rest = the reply.
// Properties: every view lies inside the input; parse_ehlo agrees with reply_reader on
// status, error and length (the reader fed in chunks: split == whole); a prefix of a
// complete reply is need_more; reformatting the lines gives the same capabilities; the fast
// path agrees with its plain twin (detail::parse_ehlo_plain) on every field; ok(), has()
// and to_string(sasl_mech) agree with the fields.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "smtpp/ehlo.hpp"

namespace {

using smtpp_fuzz::inside;

bool same(const smtpp::ehlo_capabilities& a, const smtpp::ehlo_capabilities& b) {
    if (a.code != b.code || a.domain != b.domain || a.greet != b.greet || a.extensions != b.extensions ||
        a.auth_mechanisms != b.auth_mechanisms || a.auth_unknown != b.auth_unknown || a.size_known != b.size_known ||
        a.size != b.size || a.deliverby_min != b.deliverby_min || a.limit_rcptmax != b.limit_rcptmax ||
        a.unknown_count != b.unknown_count || a.unknown_overflow != b.unknown_overflow ||
        a.malformed_lines != b.malformed_lines || a.lines != b.lines)
        return false;
    for (std::size_t i = 0; i < a.unknown_count; ++i)
        if (a.unknown[i].keyword != b.unknown[i].keyword || a.unknown[i].params != b.unknown[i].params) return false;
    return true;
}

bool same_view(std::string_view a, std::string_view b) { return a.data() == b.data() && a.size() == b.size(); }

// Every field, views by address: two parses of the same bytes.
bool identical(const smtpp::ehlo_capabilities& a, const smtpp::ehlo_capabilities& b) {
    bool eq = a.code == b.code && same_view(a.domain, b.domain) && same_view(a.greet, b.greet) &&
              a.extensions == b.extensions && a.auth_mechanisms == b.auth_mechanisms &&
              a.auth_unknown == b.auth_unknown && same_view(a.auth_params, b.auth_params) &&
              a.size_known == b.size_known && a.size == b.size && a.deliverby_known == b.deliverby_known &&
              a.deliverby_min == b.deliverby_min && a.futurerelease_interval == b.futurerelease_interval &&
              same_view(a.futurerelease_datetime, b.futurerelease_datetime) &&
              same_view(a.mt_priority_policy, b.mt_priority_policy) && a.limit_rcptmax == b.limit_rcptmax &&
              a.limit_mailmax == b.limit_mailmax && a.limit_rcptdomainmax == b.limit_rcptdomainmax &&
              a.unknown_count == b.unknown_count && a.unknown_overflow == b.unknown_overflow &&
              a.malformed_lines == b.malformed_lines && a.lines == b.lines;
    for (std::size_t i = 0; eq && i < smtpp::ehlo_capabilities::max_unknown; ++i)
        eq = same_view(a.unknown[i].keyword, b.unknown[i].keyword) &&
             same_view(a.unknown[i].params, b.unknown[i].params);
    return eq;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::uint8_t flags = data[0];
    const std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);
    smtpp::reply_options opt;
    opt.allow_bare_lf = (flags & 1) != 0;
    opt.allow_8bit = (flags & 2) == 0;
    opt.allow_ctl = (flags & 4) != 0;

    smtpp::ehlo_capabilities caps;
    const smtpp::ehlo_result r = smtpp::parse_ehlo(in, caps, opt);
    if (r.st == smtpp::status::complete) SMTPP_FUZZ_CHECK(r.consumed != 0 && r.consumed <= in.size());
    SMTPP_FUZZ_CHECK(inside(caps.domain, in) && inside(caps.greet, in) && inside(caps.auth_params, in) &&
                     inside(caps.futurerelease_datetime, in) && inside(caps.mt_priority_policy, in));
    SMTPP_FUZZ_CHECK(caps.unknown_count <= smtpp::ehlo_capabilities::max_unknown);
    // The accessors read the fields: ok() is a 250, has() one bit; each mechanism has its
    // registered name, a value that is not exactly one mechanism is "unknown".
    SMTPP_FUZZ_CHECK(caps.ok() == (caps.code == 250));
    for (unsigned bit = 0; bit < 32; ++bit) {
        const std::uint32_t b = std::uint32_t{1} << bit;
        SMTPP_FUZZ_CHECK(caps.has(static_cast<smtpp::ehlo_ext>(b)) == ((caps.extensions & b) != 0));
        SMTPP_FUZZ_CHECK(caps.has(static_cast<smtpp::sasl_mech>(b)) == ((caps.auth_mechanisms & b) != 0));
        if ((caps.auth_mechanisms & b) != 0)
            SMTPP_FUZZ_CHECK(smtpp::to_string(static_cast<smtpp::sasl_mech>(b)) != "unknown");
    }
    SMTPP_FUZZ_CHECK(caps.auth_mechanisms == 0 || (caps.auth_mechanisms & (caps.auth_mechanisms - 1)) == 0 ||
                     smtpp::to_string(static_cast<smtpp::sasl_mech>(caps.auth_mechanisms)) == "unknown");
    for (std::size_t i = 0; i < caps.unknown_count; ++i)
        SMTPP_FUZZ_CHECK(!caps.unknown[i].keyword.empty() && inside(caps.unknown[i].keyword, in) &&
                         inside(caps.unknown[i].params, in));

    // The fast path agrees with its plain twin, field by field, also under small limits
    // (byte 0's high bits: a line limit of 4..35 octets, at most 1..3 lines), and with a
    // line limit under 4 octets, which both take as 512 (as the reply reader does).
    for (int limits = 0; limits < 3; ++limits) {
        smtpp::reply_options o = opt;
        if (limits == 1) {
            o.max_line = 4u + (flags >> 3);
            o.max_lines = 1u + data[1] % 3u;
            o.max_reply_bytes = 8u + data[1];
        }
        if (limits == 2) o.max_line = flags >> 6;
        smtpp::ehlo_capabilities fast, plain;
        const smtpp::ehlo_result rf = smtpp::parse_ehlo(in, fast, o);
        const smtpp::ehlo_result rp = smtpp::detail::parse_ehlo_plain(in, plain, o);
        SMTPP_FUZZ_CHECK(rf.st == rp.st && rf.error == rp.error && rf.consumed == rp.consumed &&
                         identical(fast, plain));
        if (limits == 2) {
            smtpp::reply_options at512 = o;
            at512.max_line = 512;
            smtpp::ehlo_capabilities c512;
            const smtpp::ehlo_result r512 = smtpp::parse_ehlo(in, c512, at512);
            SMTPP_FUZZ_CHECK(r512.st == rf.st && r512.error == rf.error && r512.consumed == rf.consumed &&
                             identical(c512, fast));
        }
    }

    // The reply reader, fed in chunks of (byte 1 % 13 + 1), agrees.
    smtpp::reply_reader rd(opt);
    rd.expect_ehlo();
    const std::size_t step = data[1] % 13u + 1;
    smtpp::reply_summary sum{};
    smtpp::status rs = smtpp::status::need_more;
    std::size_t used = 0;
    for (std::size_t pos = 0; pos < in.size() && rs == smtpp::status::need_more; pos += step) {
        std::string_view c = in.substr(pos, step);
        const std::size_t before = c.size();
        rs = rd.next_reply(c, sum);
        used = pos + (before - c.size());
    }
    SMTPP_FUZZ_CHECK(rs == r.st);
    if (rs == smtpp::status::failed) SMTPP_FUZZ_CHECK(rd.error() == r.error);
    if (rs == smtpp::status::complete)
        SMTPP_FUZZ_CHECK(used == r.consumed && sum.lines == caps.lines && sum.code == caps.code);

    if (r.st != smtpp::status::complete) return 0;
    // A prefix of a complete reply is need_more.
    smtpp::ehlo_capabilities pc;
    const std::size_t cut = data[1] % r.consumed;
    SMTPP_FUZZ_CHECK(smtpp::parse_ehlo(in.substr(0, cut), pc, opt).st == smtpp::status::need_more);

    // Reformat every line (raw text after the separator) with CRLF; the capabilities match.
    std::string out;
    smtpp::reply_options big = opt;
    big.max_line = 1024;  // a bare-LF line grows by one octet
    smtpp::basic_reply_reader<1024> lr(big);
    lr.expect_ehlo();
    std::string_view rest = in.substr(0, r.consumed);
    smtpp::reply_line ln;
    while (lr.next_line(rest, ln) == smtpp::status::complete) {
        char buf[1100];
        const std::string_view t = ln.line.size() > 4 ? ln.line.substr(4) : std::string_view{};
        const std::string_view two[2] = {t, "x"};
        const auto f = smtpp::format_reply(buf, sizeof buf, ln.code, {}, two, ln.last ? 1 : 2);
        if (!f.ok()) return 0;                           // control characters (ehlo-greet) the formatter refuses
        out.append(buf, ln.last ? f.size : f.size - 7);  // drop the "250 x\r\n" filler
        if (ln.last) break;
    }
    smtpp::ehlo_capabilities again;
    const smtpp::ehlo_result r2 = smtpp::parse_ehlo(out, again, big);
    SMTPP_FUZZ_CHECK(r2.st == smtpp::status::complete);
    // Views differ in address but not in content; compare by content.
    SMTPP_FUZZ_CHECK(same(caps, again));
    return 0;
}
