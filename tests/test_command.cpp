// Adversarial tests of the command parser (include/smtpp/command.hpp), written from the
// RFCs (5321, 1870, 2852, 3030, 3461, 4865, 4954, 6152, 6531, 6533, 6710, 7293, 8689) and the
// CVEs they cite, not from the implementation.
//
// Most vectors live in tests/data/commands_valid.txt and commands_invalid.txt (format at the
// top of each file); the runner here parses every vector from an exactly sized heap buffer,
// again at other buffer positions with trailing bytes after the view, checks that every
// view lies inside the line, and checks strict-accepts ⇒ lenient-accepts-the-same.
#include <catch2/catch.hpp>

#include <smtpp/command.hpp>
#include <smtpp/line.hpp>

#include <array>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "support/alloc_counter.hpp"
#include "support/splits.hpp"

using smtpp::command;
using smtpp::command_error;
using smtpp::parse_options;

namespace {

// =========================================================================================
// Helpers
// =========================================================================================

std::string err_name(command_error e) { return std::string(smtpp::to_string(e)); }

bool error_from_name(std::string_view name, command_error& out) {
    for (std::size_t i = 0; i < smtpp::command_error_count; ++i) {
        const auto e = static_cast<command_error>(i);
        if (smtpp::to_string(e) == name) {
            out = e;
            return true;
        }
    }
    return false;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// \r \n \t \0 \\ \xNN; anything else after '\' is kept as is (so "\x{F6}" stays literal
// only when written "\\x{F6}").
std::string unescape(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 >= s.size()) {
            out += s[i];
            continue;
        }
        const char c = s[++i];
        switch (c) {
            case 'r': out += '\r'; break;
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case '0': out += '\0'; break;
            case '\\': out += '\\'; break;
            case 'x':
                if (i + 2 < s.size() + 0 && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
                    out += static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
                    i += 2;
                } else {
                    out += "\\x";
                }
                break;
            default:
                out += '\\';
                out += c;
                break;
        }
    }
    return out;
}

std::string printable(std::string_view s) {
    std::string out;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '\r') out += "\\r";
        else if (c == '\n') out += "\\n";
        else if (c == '\\') out += "\\\\";
        else if (c < 0x20 || c >= 0x7f) {
            char b[8];
            std::snprintf(b, sizeof b, "\\x%02x", c);
            out += b;
        } else out += static_cast<char>(c);
    }
    return out;
}

bool apply_option(parse_options& o, std::string_view name) {
    if (name == "smtputf8") o.smtputf8 = true;
    else if (name == "smtputf8_tx") o.smtputf8_transaction = true;
    else if (name == "space_after_colon") o.allow_space_after_colon = true;
    else if (name == "missing_brackets") o.allow_missing_brackets = true;
    else if (name == "extra_spaces") o.allow_extra_spaces = true;
    else if (name == "helo_literal") o.allow_helo_address_literal = true;
    else if (name == "bare_lf") o.allow_bare_lf = true;
    else if (name == "lowercase_xtext") o.allow_lowercase_xtext_hex = true;
    else return false;
    return true;
}

parse_options all_lenient(parse_options o) {
    o.allow_space_after_colon = true;
    o.allow_missing_brackets = true;
    o.allow_extra_spaces = true;
    o.allow_helo_address_literal = true;
    o.allow_bare_lf = true;
    o.allow_lowercase_xtext_hex = true;
    return o;
}

std::string_view host_name(smtpp::host_kind k) {
    switch (k) {
        case smtpp::host_kind::none: return "none";
        case smtpp::host_kind::domain: return "domain";
        case smtpp::host_kind::ipv4: return "ipv4";
        case smtpp::host_kind::ipv6: return "ipv6";
        case smtpp::host_kind::general: return "general";
    }
    return "?";
}

std::string xtext_or_error(std::string_view in) {
    std::string buf(in.size() + 1, '\0');
    const std::size_t n = smtpp::xtext_decode(in, buf.data(), buf.size());
    if (n == SIZE_MAX) return "<error>";
    buf.resize(n);
    return buf;
}

std::string unquoted(std::string_view in) {
    std::string buf(in.size() + 1, '\0');
    const std::size_t n = smtpp::unquote(in, buf.data(), buf.size());
    if (n == SIZE_MAX) return "<error>";
    buf.resize(n);
    return buf;
}

std::string notify_names(std::uint8_t n) {
    std::string s;
    const std::pair<std::uint8_t, const char*> bits[] = {{smtpp::notify_never, "never"},
                                                         {smtpp::notify_success, "success"},
                                                         {smtpp::notify_failure, "failure"},
                                                         {smtpp::notify_delay, "delay"}};
    for (const auto& b : bits) {
        if ((n & b.first) == 0) continue;
        if (!s.empty()) s += ',';
        s += b.second;
    }
    return s;
}

std::string present_names(std::uint32_t p) {
    const std::pair<std::uint32_t, const char*> bits[] = {{smtpp::p_size, "size"},
                                                          {smtpp::p_body, "body"},
                                                          {smtpp::p_smtputf8, "smtputf8"},
                                                          {smtpp::p_ret, "ret"},
                                                          {smtpp::p_envid, "envid"},
                                                          {smtpp::p_auth, "auth"},
                                                          {smtpp::p_requiretls, "requiretls"},
                                                          {smtpp::p_mt_priority, "mt_priority"},
                                                          {smtpp::p_holdfor, "holdfor"},
                                                          {smtpp::p_holduntil, "holduntil"},
                                                          {smtpp::p_by, "by"},
                                                          {smtpp::p_notify, "notify"},
                                                          {smtpp::p_orcpt, "orcpt"},
                                                          {smtpp::p_rrvs, "rrvs"}};
    std::string s;
    for (const auto& b : bits) {
        if ((p & b.first) == 0) continue;
        if (!s.empty()) s += ',';
        s += b.second;
    }
    return s;
}

std::string mech_name(smtpp::sasl_mechanism m) {
    constexpr const char* names[] = {
        "other",     "plain",  "login",       "cram_md5",      "xoauth2",          "oauthbearer",
        "external",  "gssapi", "scram_sha_1", "scram_sha_256", "scram_sha_1_plus", "scram_sha_256_plus",
        "anonymous", "ntlm",   "digest_md5"};
    const auto i = static_cast<std::size_t>(m);
    return i < sizeof names / sizeof names[0] ? names[i] : "?";
}

std::string yes(bool b) { return b ? "1" : "0"; }

using getter = std::function<std::string(const command&)>;

const std::map<std::string, getter>& fields() {
    static const std::map<std::string, getter> f = {
        {"verb", [](const command& c) { return std::string(smtpp::to_string(c.verb)); }},
        {"verb_text", [](const command& c) { return std::string(c.verb_text); }},
        {"arg", [](const command& c) { return std::string(c.argument); }},
        {"host", [](const command& c) { return std::string(host_name(c.host)); }},
        {"mailbox", [](const command& c) { return std::string(c.path.mailbox); }},
        {"local", [](const command& c) { return std::string(c.path.local_part); }},
        {"domain", [](const command& c) { return std::string(c.path.domain); }},
        {"route", [](const command& c) { return std::string(c.path.route); }},
        {"ptext", [](const command& c) { return std::string(c.path.text); }},
        {"kind", [](const command& c) { return std::string(host_name(c.path.kind)); }},
        {"null", [](const command& c) { return yes(c.path.is_null); }},
        {"pm", [](const command& c) { return yes(c.path.is_postmaster); }},
        {"quoted", [](const command& c) { return yes(c.path.quoted); }},
        {"utf8", [](const command& c) { return yes(c.path.utf8); }},
        {"unq",
         [](const command& c) {
             return unquoted(c.verb == smtpp::verb::vrfy || c.verb == smtpp::verb::expn ? c.argument
                                                                                        : c.path.local_part);
         }},
        {"size", [](const command& c) { return std::to_string(c.params.size); }},
        {"body",
         [](const command& c) {
             switch (c.params.body) {
                 case smtpp::body_type::none: return std::string("none");
                 case smtpp::body_type::seven_bit: return std::string("7bit");
                 case smtpp::body_type::eight_bit_mime: return std::string("8bitmime");
                 case smtpp::body_type::binary_mime: return std::string("binarymime");
             }
             return std::string("?");
         }},
        {"ret",
         [](const command& c) {
             return std::string(c.params.ret == smtpp::ret_type::full   ? "full"
                                : c.params.ret == smtpp::ret_type::hdrs ? "hdrs"
                                                                        : "none");
         }},
        {"notify", [](const command& c) { return notify_names(c.params.notify); }},
        {"envid", [](const command& c) { return std::string(c.params.envid); }},
        {"envid_dec", [](const command& c) { return xtext_or_error(c.params.envid); }},
        {"auth", [](const command& c) { return std::string(c.params.auth); }},
        {"auth_dec", [](const command& c) { return xtext_or_error(c.params.auth); }},
        {"orcpt_type", [](const command& c) { return std::string(c.params.orcpt_type); }},
        {"orcpt", [](const command& c) { return std::string(c.params.orcpt); }},
        {"orcpt_dec", [](const command& c) { return xtext_or_error(c.params.orcpt); }},
        {"mtp", [](const command& c) { return std::to_string(int{c.params.mt_priority}); }},
        {"holdfor", [](const command& c) { return std::to_string(c.params.holdfor); }},
        {"holduntil", [](const command& c) { return std::string(c.params.holduntil); }},
        {"by_time", [](const command& c) { return std::to_string(c.params.by_time); }},
        {"by",
         [](const command& c) {
             return std::string(c.params.by == smtpp::by_mode::notify    ? "N"
                                : c.params.by == smtpp::by_mode::return_ ? "R"
                                                                         : "-");
         }},
        {"by_trace", [](const command& c) { return yes(c.params.by_trace); }},
        {"rrvs", [](const command& c) { return std::string(c.params.rrvs); }},
        {"rrvs_mode",
         [](const command& c) {
             return c.params.rrvs_mode == 0 ? std::string("-") : std::string(1, c.params.rrvs_mode);
         }},
        {"unknown", [](const command& c) { return std::string(c.params.unknown); }},
        {"unknown_count", [](const command& c) { return std::to_string(c.params.unknown_count); }},
        {"present", [](const command& c) { return present_names(c.params.present); }},
        {"mech", [](const command& c) { return std::string(c.mechanism); }},
        {"mech_id", [](const command& c) { return mech_name(c.mechanism_id); }},
        {"has_ir", [](const command& c) { return yes(c.has_initial_response); }},
        {"ir", [](const command& c) { return std::string(c.initial_response); }},
        {"chunk", [](const command& c) { return std::to_string(c.chunk_size); }},
        {"last", [](const command& c) { return yes(c.last); }},
        {"smtputf8", [](const command& c) { return yes(c.smtputf8); }},
    };
    return f;
}

/// Every field value, for "same result" comparisons across buffers and modes.
std::string snapshot(const command& c) {
    std::string s;
    for (const auto& kv : fields()) {
        if (kv.first == "verb_text") continue;
        s += kv.first + "=" + printable(kv.second(c)) + " ";
    }
    return s;
}

bool inside(std::string_view v, std::string_view line) {
    if (v.empty()) return true;  // an empty view may point anywhere (or nowhere)
    const auto* b = line.data();
    return v.data() >= b && v.data() + v.size() <= b + line.size();
}

/// Every view in the command lies inside `line`.
bool views_inside(const command& c, std::string_view line) {
    const std::string_view views[] = {
        c.line,         c.verb_text,      c.argument,          c.mechanism,       c.initial_response,
        c.path.text,    c.path.route,     c.path.mailbox,      c.path.local_part, c.path.domain,
        c.params.envid, c.params.auth,    c.params.orcpt_type, c.params.orcpt,    c.params.holduntil,
        c.params.rrvs,  c.params.unknown, c.params.text};
    for (auto v : views)
        if (!inside(v, line)) return false;
    return true;
}

struct vector_case {
    std::string file;
    int line_no = 0;
    std::string input;
    command_error expected = command_error::none;
    bool has_lenient = false;
    command_error lenient = command_error::none;
    parse_options opt{};
    std::vector<std::pair<std::string, std::string>> checks;
};

std::vector<vector_case> load_cases(const std::string& name) {
    std::vector<vector_case> out;
    std::ifstream in(std::string(SMTPP_TEST_DATA_DIR) + "/" + name);
    REQUIRE(in.good());
    std::string raw;
    int no = 0;
    while (std::getline(in, raw)) {
        ++no;
        if (raw.empty() || raw[0] == '#') continue;
        const std::size_t sep = raw.rfind(" => ");
        INFO(name << ":" << no << ": " << raw);
        REQUIRE(sep != std::string::npos);
        std::string lhs = raw.substr(0, sep);
        while (!lhs.empty() && (lhs.back() == ' ' || lhs.back() == '\t')) lhs.pop_back();
        std::size_t lead = 0;
        while (lead < lhs.size() && lhs[lead] == ' ') ++lead;
        vector_case vc;
        vc.file = name;
        vc.line_no = no;
        vc.input = unescape(std::string_view(lhs).substr(lead));
        std::istringstream rhs(raw.substr(sep + 4));
        std::string tok;
        REQUIRE(static_cast<bool>(rhs >> tok));
        REQUIRE(error_from_name(tok, vc.expected));
        while (rhs >> tok) {
            const std::size_t eq = tok.find('=');
            REQUIRE(eq != std::string::npos);
            const std::string key = tok.substr(0, eq);
            const std::string val = tok.substr(eq + 1);
            if (key == "opt") {
                std::size_t p = 0;
                while (p <= val.size()) {
                    std::size_t q = val.find(',', p);
                    if (q == std::string::npos) q = val.size();
                    REQUIRE(apply_option(vc.opt, std::string_view(val).substr(p, q - p)));
                    p = q + 1;
                }
            } else if (key == "lenient") {
                vc.has_lenient = true;
                REQUIRE(error_from_name(val, vc.lenient));
            } else {
                REQUIRE(fields().count(key) == 1);
                vc.checks.emplace_back(key, unescape(val));
            }
        }
        out.push_back(std::move(vc));
    }
    REQUIRE(!out.empty());
    return out;
}

/// Parses `line` from an exactly sized heap buffer. The buffer stays alive until the next
/// call, so `c`'s views may be inspected until then.
command_error parse_exact(std::string_view line, command& c, const parse_options& o) {
    static std::unique_ptr<smtpp_test::exact_buffer> keep;
    keep = std::make_unique<smtpp_test::exact_buffer>(line);
    const command_error e = smtpp::parse_command(keep->view(), c, o);
    CHECK(views_inside(c, keep->view()));
    return e;
}

/// Parse result (error + snapshot) of `line` in an exact buffer.
std::pair<command_error, std::string> result_of(std::string_view line, const parse_options& o) {
    smtpp_test::exact_buffer buf(line);
    command c;
    const command_error e = smtpp::parse_command(buf.view(), c, o);
    REQUIRE(views_inside(c, buf.view()));
    return {e, snapshot(c)};
}

void run_case(const vector_case& vc) {
    INFO(vc.file << ":" << vc.line_no << ": \"" << printable(vc.input) << "\"");
    smtpp_test::exact_buffer buf(vc.input);
    command c;
    const command_error e = smtpp::parse_command(buf.view(), c, vc.opt);
    INFO("got " << err_name(e) << ", expected " << err_name(vc.expected));
    CHECK(e == vc.expected);
    CHECK(views_inside(c, buf.view()));
    CHECK(c.line.data() == buf.view().data());
    CHECK(c.line.size() == buf.view().size());
    for (const auto& chk : vc.checks) {
        const std::string got = fields().at(chk.first)(c);
        INFO("field " << chk.first << ": got \"" << printable(got) << "\", expected \"" << printable(chk.second)
                      << "\"");
        CHECK(got == chk.second);
    }
    const std::string snap = snapshot(c);

    // Same bytes at other positions, with bytes after the view: the result must not change
    // (parse_command takes a complete line: nothing past the view may be read).
    for (const char* tail : {"", "\r\n", "X", "\n", "QUIT\r\n", "\0"}) {
        for (std::size_t pre : {std::size_t{1}, std::size_t{7}, std::size_t{64}}) {
            std::string big(pre, 'Z');
            big += vc.input;
            big += tail;
            smtpp_test::exact_buffer b2(big);
            const std::string_view line = b2.view().substr(pre, vc.input.size());
            command c2;
            const command_error e2 = smtpp::parse_command(line, c2, vc.opt);
            INFO("prefix " << pre << " tail \"" << printable(tail) << "\"");
            CHECK(e2 == e);
            CHECK(views_inside(c2, line));
            CHECK(snapshot(c2) == snap);
        }
    }

    // Determinism, and the convenience overload agrees.
    {
        command_error e3 = command_error::none;
        const command c3 = smtpp::parse_command(buf.view(), e3, vc.opt);
        CHECK(e3 == e);
        CHECK(snapshot(c3) == snap);
    }

    // Strict accepts ⇒ lenient accepts the same (style rule 6); lenient expectations.
    {
        command cl;
        const parse_options lo = all_lenient(vc.opt);
        const command_error el = smtpp::parse_command(buf.view(), cl, lo);
        CHECK(views_inside(cl, buf.view()));
        const command_error want = vc.has_lenient ? vc.lenient : vc.expected;
        INFO("lenient: got " << err_name(el) << ", expected " << err_name(want));
        CHECK(el == want);
        if (e == command_error::none && el == command_error::none) CHECK(snapshot(cl) == snap);
    }

    // reply_for is defined for whatever came out.
    const smtpp::reply_hint r = smtpp::reply_for(e);
    CHECK(r.code >= 200);
    CHECK(r.code <= 599);
}

std::vector<std::string> bench_lines(const char* name) {
    std::ifstream in(std::string(SMTPP_BENCH_DATA_DIR) + "/" + name, std::ios::binary);
    REQUIRE(in.good());
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::string> out;
    std::size_t p = 0;
    while (p < all.size()) {
        std::size_t q = all.find('\n', p);
        if (q == std::string::npos) q = all.size() - 1;
        out.push_back(all.substr(p, q - p + 1));
        p = q + 1;
    }
    REQUIRE(!out.empty());
    return out;
}

// =========================================================================================
// constexpr: parse_command is usable at compile time
// =========================================================================================

constexpr command_error cx(std::string_view line, parse_options o = {}) {
    command c;
    return smtpp::parse_command(line, c, o);
}
constexpr std::uint64_t cx_size(std::string_view line) {
    command c;
    return smtpp::parse_command(line, c) == command_error::none ? c.params.size : ~std::uint64_t{0};
}
constexpr bool cx_postmaster(std::string_view line) {
    command c;
    return smtpp::parse_command(line, c) == command_error::none && c.path.is_postmaster;
}

// Adversarial vectors at compile time (A: paths, RFC 5321 §4.1.2; N: leniencies; top-N: the
// parser's first priority list), each citing its RFC section or CVE where it has one.
static_assert(cx("MAIL FROM:<>\r\n") == command_error::none, "A1 null reverse-path");
static_assert(cx("RCPT TO:<>\r\n") == command_error::null_forward_path, "A2 / top-21");
static_assert(cx_postmaster("RCPT TO:<Postmaster>\r\n"), "A3 / RFC 5321 §4.5.1");
static_assert(cx_size("MAIL FROM:<\"a>b\"@x.example> SIZE=10\r\n") == 10, "A7 / top-20");
constexpr char a16[] = "MAIL FROM:<a\0@b.example>\r\n";
static_assert(cx(std::string_view(a16, sizeof a16 - 1)) == command_error::nul, "A16 / top-19");
static_assert(cx("MAIL FROM:<a@b.example> ENVID=x+0D+0Ay\r\n") == command_error::xtext_control, "top-22");
static_assert(cx("MAIL FROM:<a@b.example> SIZE=18446744073709551616\r\n") == command_error::size_overflow,
              "top-22 no wrap");
static_assert(cx("MAIL FROM:<a@b.example> SIZE=1 SIZE=2\r\n") == command_error::duplicate_param, "top-22");
static_assert(cx("BDAT 18446744073709551616\r\n") == command_error::chunk_size_overflow, "top-16");
static_assert(cx("BDAT 12x\r\n") == command_error::bad_chunk_size, "top-16");
static_assert(cx("NOOP\n") == command_error::bare_lf, "RFC 5321 §2.3.8 (N7)");
static_assert(cx("NOOP\n",
                 [] {
                     parse_options o;
                     o.allow_bare_lf = true;
                     return o;
                 }()) == command_error::none,
              "N7 lenient");
static_assert(cx("RSET\rQUIT\r\n") == command_error::bare_cr, "RFC 5321 §2.3.8");
static_assert(cx("MAIL FROM:<;sleep 66;>\r\n") == command_error::bad_reverse_path, "A17 CVE-2020-7247");
static_assert(cx("AUTH PLAIN =AAA\r\n") == command_error::bad_base64, "RFC 4954 §4");

}  // namespace

// =========================================================================================
// Data-driven vectors
// =========================================================================================

TEST_CASE("data: commands_valid.txt (RFC 5321 §4.1 and extensions; cited per group)", "[command][data]") {
    for (const auto& vc : load_cases("commands_valid.txt")) {
        REQUIRE(vc.expected == command_error::none);
        run_case(vc);
    }
}

TEST_CASE("data: commands_invalid.txt (RFC 5321 §4.1 and extensions; cited per group)", "[command][data]") {
    for (const auto& vc : load_cases("commands_invalid.txt")) {
        REQUIRE(vc.expected != command_error::none);
        run_case(vc);
    }
}

// =========================================================================================
// Verbs
// =========================================================================================

TEST_CASE("RFC 5321 §2.4: every verb in every letter case", "[command][verb]") {
    struct v {
        const char* text;
        smtpp::verb verb;
        const char* args;  // appended after the verb (to make the line valid)
    };
    const v verbs[] = {
        {"HELO", smtpp::verb::helo, " example.com"},
        {"EHLO", smtpp::verb::ehlo, " example.com"},
        {"LHLO", smtpp::verb::lhlo, " example.com"},
        {"MAIL", smtpp::verb::mail, " FROM:<a@b.example>"},
        {"RCPT", smtpp::verb::rcpt, " TO:<a@b.example>"},
        {"DATA", smtpp::verb::data, ""},
        {"BDAT", smtpp::verb::bdat, " 1 LAST"},
        {"RSET", smtpp::verb::rset, ""},
        {"VRFY", smtpp::verb::vrfy, " user"},
        {"EXPN", smtpp::verb::expn, " list"},
        {"HELP", smtpp::verb::help, ""},
        {"NOOP", smtpp::verb::noop, ""},
        {"QUIT", smtpp::verb::quit, ""},
        {"STARTTLS", smtpp::verb::starttls, ""},
        {"AUTH", smtpp::verb::auth, " PLAIN"},
        {"ETRN", smtpp::verb::etrn, " example.com"},
    };
    std::size_t tested = 0;
    for (const auto& x : verbs) {
        const std::string name = x.text;
        REQUIRE(smtpp::to_string(x.verb) == name);
        // every upper/lower combination (2^4 or 2^8)
        for (unsigned mask = 0; mask < (1u << name.size()); ++mask) {
            std::string w = name;
            for (std::size_t i = 0; i < w.size(); ++i)
                if (mask & (1u << i)) w[i] = static_cast<char>(w[i] - 'A' + 'a');
            const std::string line = w + x.args + "\r\n";
            INFO(line);
            command c;
            REQUIRE(parse_exact(line, c, {}) == command_error::none);
            smtpp_test::exact_buffer b(line);
            REQUIRE(smtpp::parse_command(b.view(), c) == command_error::none);
            CHECK(c.verb == x.verb);
            CHECK(c.verb_text == w);
            ++tested;
        }
    }
    CHECK(tested > 16 * 16);
    // the "FROM:" / "TO:" keywords are case-insensitive too (§2.4)
    for (const char* l : {"MAIL from:<a@b.example>\r\n", "MAIL From:<a@b.example>\r\n", "RCPT tO:<a@b.example>\r\n"}) {
        command c;
        INFO(l);
        CHECK(parse_exact(l, c, {}) == command_error::none);
    }
}

TEST_CASE("RFC 5321 §4.1.1: arguments where none are allowed → 501", "[command][verb]") {
    for (const char* v : {"RSET", "DATA", "QUIT", "STARTTLS"}) {
        for (const char* arg : {" x", " now", " 1", " <a@b.example>"}) {
            const std::string line = std::string(v) + arg + "\r\n";
            INFO(line);
            command c;
            const command_error e = parse_exact(line, c, {});
            CHECK(e == command_error::unexpected_argument);
            CHECK(smtpp::reply_for(e).code == 501);
            CHECK(parse_exact(line, c, all_lenient({})) == command_error::unexpected_argument);
        }
        // trailing blanks are tolerated (§4.1.1 SHOULD)
        const std::string ok = std::string(v) + "  \r\n";
        command c;
        INFO(ok);
        CHECK(parse_exact(ok, c, {}) == command_error::none);
    }
}

// =========================================================================================
// Limits (RFC 5321 §4.5.3.1)
// =========================================================================================

namespace {
std::string label_domain(std::size_t len) {
    // labels of up to 63 letters joined by dots, total exactly len (len >= 1)
    std::string d;
    char ch = 'a';
    while (d.size() < len) {
        if (!d.empty()) d += '.';
        std::size_t room = len - d.size();
        std::size_t l = room > 63 ? 63 : room;
        if (room > 63 && room - 63 == 1) l = 61;  // never leave a lone trailing dot
        d.append(l, ch);
        ch = static_cast<char>(ch == 'z' ? 'a' : ch + 1);
    }
    return d;
}
}  // namespace

TEST_CASE("RFC 5321 §4.5.3.1.1 local part 64 octets / 65 refused (L4)", "[command][limits]") {
    command c;
    const std::string l64(64, 'a'), l65(65, 'a');
    CHECK(parse_exact("MAIL FROM:<" + l64 + "@example.org>\r\n", c, {}) == command_error::none);
    CHECK(parse_exact("RCPT TO:<" + l64 + "@example.org>\r\n", c, {}) == command_error::none);
    CHECK(parse_exact("MAIL FROM:<" + l65 + "@example.org>\r\n", c, {}) == command_error::reverse_path_too_long);
    CHECK(parse_exact("RCPT TO:<" + l65 + "@example.org>\r\n", c, {}) == command_error::forward_path_too_long);
    // a quoted local part counts its quotes: 62 + 2 = 64 ok, 63 + 2 = 65 refused
    CHECK(parse_exact("MAIL FROM:<\"" + std::string(62, 'q') + "\"@example.org>\r\n", c, {}) == command_error::none);
    CHECK(parse_exact("MAIL FROM:<\"" + std::string(63, 'q') + "\"@example.org>\r\n", c, {}) ==
          command_error::reverse_path_too_long);
    // octets, not characters (§4.5.3.1): 32 two-octet characters = 64 octets ok, 33 refused
    parse_options u;
    u.smtputf8 = true;
    std::string u32, u33;
    for (int i = 0; i < 32; ++i) u32 += "\xc3\xa4";
    u33 = u32 + "\xc3\xa4";
    CHECK(parse_exact("MAIL FROM:<" + u32 + "@example.org> SMTPUTF8\r\n", c, u) == command_error::none);
    CHECK(parse_exact("MAIL FROM:<" + u33 + "@example.org> SMTPUTF8\r\n", c, u) ==
          command_error::reverse_path_too_long);
}

TEST_CASE("RFC 5321 §4.5.3.1.2 domain 255 octets / 256 refused", "[command][limits]") {
    command c;
    const std::string d255 = label_domain(255), d256 = label_domain(256);
    REQUIRE(d255.size() == 255);
    REQUIRE(d256.size() == 256);
    CHECK(parse_exact("EHLO " + d255 + "\r\n", c, {}) == command_error::none);
    CHECK(c.argument == d255);
    CHECK(parse_exact("EHLO " + d256 + "\r\n", c, {}) == command_error::bad_domain);
    CHECK(parse_exact("HELO " + d256 + "\r\n", c, {}) == command_error::bad_domain);
    // in a path the 256-octet path limit bites first; either way "too long", never accepted
    CHECK(parse_exact("MAIL FROM:<a@" + d256 + ">\r\n", c, {}) == command_error::reverse_path_too_long);
    CHECK(parse_exact("RCPT TO:<a@" + d256 + ">\r\n", c, {}) == command_error::forward_path_too_long);
}

TEST_CASE("RFC 1035 §2.3.4 / RFC 5321 §4.1.2: labels of 63 octets, 64 refused in every place", "[command][limits]") {
    command c;
    const std::string l63(63, 'a'), l64(64, 'b');
    const std::vector<std::vector<std::string>> ok = {
        {l63}, {l63, "example"}, {"x", l63}, {l63, l63, l63}, {"x", "y", l63, "z"}};
    const std::vector<std::vector<std::string>> bad = {
        {l64}, {l64, "example"}, {"x", l64}, {l63, l64, l63}, {"x", "y", l64, "z"}, {"ab", std::string(200, 'c')}};
    auto join = [](const std::vector<std::string>& labels) {
        std::string d;
        for (const std::string& l : labels) d += (d.empty() ? "" : ".") + l;
        return d;
    };
    for (const auto& labels : ok) {
        const std::string d = join(labels);
        INFO(d.size() << " octets");
        CHECK(parse_exact("EHLO " + d + "\r\n", c, {}) == command_error::none);
        CHECK(parse_exact("ETRN " + d + "\r\n", c, {}) == command_error::none);
        CHECK(parse_exact("RCPT TO:<a@" + d + ">\r\n", c, {}) == command_error::none);
    }
    for (const auto& labels : bad) {
        const std::string d = join(labels);
        INFO(d.size() << " octets");
        CHECK(parse_exact("EHLO " + d + "\r\n", c, {}) == command_error::bad_domain);
        CHECK(parse_exact("ETRN " + d + "\r\n", c, {}) == command_error::bad_domain);
        CHECK(parse_exact("MAIL FROM:<a@" + d + ">\r\n", c, {}) == command_error::reverse_path_too_long);
        CHECK(parse_exact("RCPT TO:<@" + d + ":a@b.example>\r\n", c, {}) == command_error::forward_path_too_long);
    }
    // U-labels (RFC 6531 §3.3) count octets: 31 two-octet characters and a letter = 63.
    parse_options u;
    u.smtputf8 = true;
    u.smtputf8_transaction = true;
    std::string u63 = "a", u65 = "a";
    for (int i = 0; i < 31; ++i) u63 += "\xc3\xa4";
    for (int i = 0; i < 32; ++i) u65 += "\xc3\xa4";
    CHECK(parse_exact("RCPT TO:<a@" + u63 + ".example>\r\n", c, u) == command_error::none);
    CHECK(parse_exact("RCPT TO:<a@" + u65 + ".example>\r\n", c, u) == command_error::forward_path_too_long);
}

TEST_CASE("RFC 5321 §4.5.3.1.3 path 256 octets incl. <> / 257 refused (L5)", "[command][limits]") {
    command c;
    const std::string local(64, 'a');
    const std::string d189 = label_domain(189),
                      d190 = std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(62, 'c');
    REQUIRE(d190.size() == 190);
    const std::string p256 = "<" + local + "@" + d189 + ">";
    const std::string p257 = "<" + local + "@" + d190 + ">";
    REQUIRE(p256.size() == 256);
    REQUIRE(p257.size() == 257);
    CHECK(parse_exact("MAIL FROM:" + p256 + "\r\n", c, {}) == command_error::none);
    CHECK(c.path.text == p256);
    CHECK(parse_exact("RCPT TO:" + p256 + "\r\n", c, {}) == command_error::none);
    CHECK(parse_exact("MAIL FROM:" + p257 + "\r\n", c, {}) == command_error::reverse_path_too_long);
    CHECK(parse_exact("RCPT TO:" + p257 + "\r\n", c, {}) == command_error::forward_path_too_long);
    CHECK(smtpp::reply_for(command_error::forward_path_too_long).code == 501);
    CHECK(smtpp::reply_for(command_error::forward_path_too_long).esc == (smtpp::enhanced_code{5, 1, 3}));
    // a source route counts toward the path (it is inside the <>)
    const std::string routed = "<@r.example:" + std::string(64, 'a') + "@" + label_domain(179) + ">";
    REQUIRE(routed.size() == 257);
    CHECK(parse_exact("RCPT TO:" + routed + "\r\n", c, {}) == command_error::forward_path_too_long);
}

TEST_CASE("RFC 5321 §4.5.3.1.4 command line 512 accepted / 513 refused (L1, L2)", "[command][limits]") {
    command c;
    const std::string l512 = "NOOP " + std::string(505, 'A') + "\r\n";
    const std::string l513 = "NOOP " + std::string(506, 'A') + "\r\n";
    REQUIRE(l512.size() == 512);
    CHECK(parse_exact(l512, c, {}) == command_error::none);
    CHECK(parse_exact(l513, c, {}) == command_error::line_too_long);
    CHECK(smtpp::reply_for(command_error::line_too_long).code == 500);
    // MAIL of exactly 512 and 513 octets (padding in an unknown parameter)
    const std::string head = "MAIL FROM:<a@b.example> X-PAD=";
    const std::string m512 = head + std::string(512 - head.size() - 2, 'p') + "\r\n";
    const std::string m513 = head + std::string(513 - head.size() - 2, 'p') + "\r\n";
    CHECK(parse_exact(m512, c, {}) == command_error::none);
    CHECK(parse_exact(m513, c, {}) == command_error::line_too_long);
    // L2: the tail of an over-long line is never a command
    const std::string l2 = "NOOP " + std::string(5000, 'A') + "RCPT TO:<v@x.example>\r\n";
    CHECK(parse_exact(l2, c, {}) == command_error::line_too_long);
    CHECK(c.verb != smtpp::verb::rcpt);
    // leniency never raises the limit; the configured limit is honoured (§2.2.2 increments)
    CHECK(parse_exact(l513, c, all_lenient({})) == command_error::line_too_long);
    parse_options big;
    big.max_line = 513;
    CHECK(parse_exact(l513, c, big) == command_error::none);
    // bare-LF terminated line of 512 octets counts the LF: 511 octets + LF is fine
    parse_options lf;
    lf.allow_bare_lf = true;
    CHECK(parse_exact("NOOP " + std::string(506, 'A') + "\n", c, lf) == command_error::none);
    CHECK(parse_exact("NOOP " + std::string(507, 'A') + "\n", c, lf) == command_error::line_too_long);
}

TEST_CASE("RFC 4954 §4: AUTH lines up to 12288 octets (L7, L8)", "[command][limits][auth]") {
    command c;
    // "AUTH X-OAUTH2 " + 12272 base64 + CRLF = 12288
    const std::string a12288 = "AUTH X-OAUTH2 " + std::string(12272, 'A') + "\r\n";
    REQUIRE(a12288.size() == 12288);
    CHECK(parse_exact(a12288, c, {}) == command_error::none);
    CHECK(c.initial_response.size() == 12272);
    const std::string a12292 = "AUTH X-OAUTH2 " + std::string(12276, 'A') + "\r\n";
    CHECK(parse_exact(a12292, c, {}) == command_error::auth_line_too_long);
    const smtpp::reply_hint r = smtpp::reply_for(command_error::auth_line_too_long);
    CHECK(r.code == 500);
    CHECK(r.esc == (smtpp::enhanced_code{5, 5, 6}));
    // between 512 and 12288: accepted for AUTH only
    const std::string a600 = "AUTH PLAIN " + std::string(584, 'A') + "\r\n";
    CHECK(parse_exact(a600, c, {}) == command_error::none);
    CHECK(parse_exact("NOOP " + std::string(593, 'A') + "\r\n", c, {}) == command_error::line_too_long);
    CHECK(parse_exact("MAIL FROM:<a@b.example> AUTH=" + std::string(600, 'A') + "\r\n", c, {}) ==
          command_error::line_too_long);
    // 20 000 octets (L8)
    CHECK(parse_exact("AUTH PLAIN " + std::string(20000, 'A') + "\r\n", c, {}) == command_error::auth_line_too_long);
}

// =========================================================================================
// Bare CR / bare LF / NUL anywhere (RFC 5321 §2.3.8; SMTP smuggling)
// =========================================================================================

TEST_CASE("RFC 5321 §2.3.8: bare CR, bare LF and NUL at every position give distinct errors", "[command][framing]") {
    const std::vector<std::string> bases = {"MAIL FROM:<a@b.example> SIZE=10 BODY=8BITMIME\r\n",
                                            "RCPT TO:<\"q x\"@[IPv6:::1]> NOTIFY=SUCCESS\r\n",
                                            "EHLO example.com\r\n",
                                            "AUTH PLAIN dGVzdA==\r\n",
                                            "BDAT 5 LAST\r\n",
                                            "NOOP x\r\n"};
    for (const auto& base : bases) {
        const std::size_t body = base.size() - 2;
        for (std::size_t at = 0; at <= body; ++at) {
            for (const char ins : {'\r', '\n', '\0'}) {
                std::string line = base;
                line.insert(at, 1, ins);
                INFO("\"" << printable(line) << "\"");
                const command_error want = ins == '\r'   ? command_error::bare_cr
                                           : ins == '\n' ? command_error::bare_lf
                                                         : command_error::nul;
                command c;
                if (ins == '\r' && at == body) {
                    // "...\r\r\n": the first CR is bare
                    CHECK(parse_exact(line, c, {}) == command_error::bare_cr);
                    continue;
                }
                CHECK(parse_exact(line, c, {}) == want);
                // allow_bare_lf relaxes the terminator only, never an LF inside the line
                CHECK(parse_exact(line, c, all_lenient({})) == want);
            }
        }
    }
    command c;
    CHECK(parse_exact("NOOP\n", c, {}) == command_error::bare_lf);
    CHECK(parse_exact("NOOP\r", c, {}) == command_error::bare_cr);
    CHECK(parse_exact("NOOP", c, {}) == command_error::missing_crlf);
    CHECK(parse_exact("", c, {}) == command_error::missing_crlf);
    CHECK(parse_exact("NOOP\r\n\r\n", c, {}) != command_error::none);
    CHECK(parse_exact("QUIT\r\nRSET\r\n", c, {}) != command_error::none);
    CHECK(parse_exact("QUIT\r\nRSET\r\n", c, all_lenient({})) != command_error::none);
    // the three errors map to different replies' texts and are distinct values
    CHECK(command_error::bare_cr != command_error::bare_lf);
    CHECK(smtpp::reply_for(command_error::bare_cr).text != smtpp::reply_for(command_error::bare_lf).text);
    CHECK(smtpp::reply_for(command_error::nul).text != smtpp::reply_for(command_error::bare_lf).text);
}

// =========================================================================================
// Leniency options, each on and off (N1-N14: what real clients send against RFC 5321 §3.3, §4.1.2)
// =========================================================================================

TEST_CASE("leniency options: each on and off (RFC 5321 §3.3, §4.1.1.1, §4.1.2; RFC 3461 §4)", "[command][lenient]") {
    struct lcase {
        const char* line;
        bool parse_options::*flag;
        command_error strict;
        const char* mailbox;  // expected mailbox when accepted (nullptr: don't check)
    };
    const lcase cases[] = {
        // N1: RFC 5321 §3.3 forbids the space
        {"MAIL FROM: <a@b.example>\r\n", &parse_options::allow_space_after_colon, command_error::syntax, "a@b.example"},
        {"RCPT TO: <a@b.example>\r\n", &parse_options::allow_space_after_colon, command_error::syntax, "a@b.example"},
        {"MAIL FROM: <a@b.example> SIZE=5\r\n", &parse_options::allow_space_after_colon, command_error::syntax,
         "a@b.example"},
        // N4: Path = "<" ... ">"
        {"MAIL FROM:a@b.example\r\n", &parse_options::allow_missing_brackets, command_error::bad_reverse_path,
         "a@b.example"},
        {"RCPT TO:a@b.example NOTIFY=NEVER\r\n", &parse_options::allow_missing_brackets,
         command_error::bad_forward_path, "a@b.example"},
        // extra spaces (Postfix accepts, Dovecot BAD_COMMAND)
        {"MAIL  FROM:<a@b.example>\r\n", &parse_options::allow_extra_spaces, command_error::syntax, "a@b.example"},
        {"MAIL FROM:<a@b.example>  SIZE=5\r\n", &parse_options::allow_extra_spaces, command_error::param_syntax,
         "a@b.example"},
        {"EHLO  example.com\r\n", &parse_options::allow_extra_spaces, command_error::syntax, nullptr},
        // N14: helo = "HELO" SP Domain
        {"HELO [192.0.2.1]\r\n", &parse_options::allow_helo_address_literal, command_error::bad_domain, nullptr},
        {"HELO [IPv6:2001:db8::1]\r\n", &parse_options::allow_helo_address_literal, command_error::bad_domain, nullptr},
        // N7: bare LF (CVE-2023-51764)
        {"NOOP\n", &parse_options::allow_bare_lf, command_error::bare_lf, nullptr},
        {"MAIL FROM:<a@b.example>\n", &parse_options::allow_bare_lf, command_error::bare_lf, "a@b.example"},
        // RFC 3461 §4: hexchar is "+" and two UPPER case hex digits (Postfix accepts lower)
        {"MAIL FROM:<a@b.example> ENVID=a+2b\r\n", &parse_options::allow_lowercase_xtext_hex, command_error::bad_envid,
         "a@b.example"},
        {"RCPT TO:<a@b.example> ORCPT=rfc822;a+2fb@x.example\r\n", &parse_options::allow_lowercase_xtext_hex,
         command_error::bad_orcpt, "a@b.example"},
    };
    for (const auto& lc : cases) {
        INFO(printable(lc.line));
        command c;
        parse_options off;
        CHECK(parse_exact(lc.line, c, off) == lc.strict);
        parse_options on;
        on.*lc.flag = true;
        CHECK(parse_exact(lc.line, c, on) == command_error::none);
        smtpp_test::exact_buffer b(lc.line);
        REQUIRE(smtpp::parse_command(b.view(), c, on) == command_error::none);
        if (lc.mailbox) CHECK(c.path.mailbox == lc.mailbox);
        // every OTHER option alone does not accept it
        for (bool parse_options::*other :
             {&parse_options::allow_space_after_colon, &parse_options::allow_missing_brackets,
              &parse_options::allow_extra_spaces, &parse_options::allow_helo_address_literal,
              &parse_options::allow_bare_lf, &parse_options::allow_lowercase_xtext_hex}) {
            if (other == lc.flag) continue;
            parse_options o;
            o.*other = true;
            CHECK(parse_exact(lc.line, c, o) == lc.strict);
        }
    }
    // N3: space before the colon is never accepted as MAIL (no option covers it)
    command c;
    CHECK(parse_exact("MAIL FROM :<a@b.example>\r\n", c, all_lenient({})) != command_error::none);
    // leniency does not bleed: brackets optional does not allow garbage after the path
    CHECK(parse_exact("MAIL FROM:<a@b.example>>\r\n", c, all_lenient({})) != command_error::none);
    CHECK(parse_exact("MAIL FROM:a@b.example>\r\n", c, all_lenient({})) != command_error::none);
    CHECK(parse_exact("MAIL FROM:<a@b.example\r\n", c, all_lenient({})) != command_error::none);
    // missing brackets still cannot smuggle an empty or unqualified path
    CHECK(parse_exact("RCPT TO:\r\n", c, all_lenient({})) != command_error::none);
    CHECK(parse_exact("RCPT TO:user\r\n", c, all_lenient({})) != command_error::none);
}

TEST_CASE("strict accepts ⇒ lenient accepts the same: bench workloads", "[command][lenient]") {
    for (const char* file : {"commands.txt", "mail_rcpt.txt", "short.txt"}) {
        std::size_t accepted = 0;
        for (const auto& line : bench_lines(file)) {
            INFO(file << ": \"" << printable(line) << "\"");
            const auto strict = result_of(line, {});
            if (strict.first != command_error::none) continue;
            ++accepted;
            const auto lenient = result_of(line, all_lenient({}));
            CHECK(lenient.first == command_error::none);
            CHECK(lenient.second == strict.second);
        }
        CHECK(accepted > 0);
    }
}

// =========================================================================================
// SMTPUTF8 (RFC 6531)
// =========================================================================================

TEST_CASE("RFC 6531 §3.3/§3.5: UTF-8 only with SMTPUTF8 in force", "[command][smtputf8]") {
    const std::string mail = "MAIL FROM:<j\xc3\xb6rg@b\xc3\xbc.example> SMTPUTF8\r\n";
    const std::string rcpt = "RCPT TO:<j\xc3\xb6rg@b\xc3\xbc.example>\r\n";
    command c;
    parse_options off, adv, tx;
    adv.smtputf8 = true;
    tx.smtputf8 = true;
    tx.smtputf8_transaction = true;
    CHECK(parse_exact(mail, c, off) == command_error::non_ascii_sender);
    CHECK(parse_exact(mail, c, adv) == command_error::none);
    CHECK(parse_exact(rcpt, c, off) == command_error::non_ascii_recipient);
    CHECK(parse_exact(rcpt, c, adv) == command_error::non_ascii_recipient);
    CHECK(parse_exact(rcpt, c, tx) == command_error::none);
    CHECK(smtpp::reply_for(command_error::non_ascii_sender).code == 550);
    CHECK(smtpp::reply_for(command_error::non_ascii_recipient).code == 553);
    CHECK(smtpp::reply_for(command_error::non_ascii_sender).esc == (smtpp::enhanced_code{5, 6, 7}));
    CHECK(smtpp::reply_for(command_error::non_ascii_recipient).esc == (smtpp::enhanced_code{5, 6, 7}));
    // ASCII paths are unaffected by the transaction flag
    CHECK(parse_exact("RCPT TO:<a@b.example>\r\n", c, tx) == command_error::none);
    CHECK(!c.path.utf8);
    // RFC 6531 §3.3 esmtp-value =/ UTF8-non-ascii: unknown params may carry UTF-8 under SMTPUTF8
    CHECK(parse_exact("MAIL FROM:<a@b.example> SMTPUTF8 X-K=\xc3\xa4\r\n", c, adv) == command_error::none);
    CHECK(parse_exact("MAIL FROM:<a@b.example> SMTPUTF8 X-K=\xc3\r\n", c, adv) == command_error::invalid_utf8);
    // every 8-bit byte without SMTPUTF8 is refused, never silently accepted
    for (unsigned b = 0x80; b <= 0xff; ++b) {
        std::string l = "MAIL FROM:<a";
        l += static_cast<char>(b);
        l += "@b.example>\r\n";
        INFO(b);
        CHECK(parse_exact(l, c, off) != command_error::none);
        CHECK(parse_exact(l, c, all_lenient(off)) != command_error::none);
    }
}

// =========================================================================================
// Decoders: xtext_decode, unquote, next_param
// =========================================================================================

TEST_CASE("RFC 3461 §4 xtext_decode vectors", "[command][xtext]") {
    struct xc {
        const char* in;
        const char* out;  // nullptr: error
    };
    const xc cases[] = {{"AA+2BBB+3DCC+2BDD", "AA+BB=CC+DD"},
                        {"hi+20there", "hi there"},
                        {"e+3Dmc2@example.com", "e=mc2@example.com"},
                        {"George+20@Tax-+20ME+20.GOV", "George @Tax- ME .GOV"},
                        {"", ""},
                        {"++", nullptr},
                        {"a+", nullptr},
                        {"a+2", nullptr},
                        {"a+GG", nullptr},
                        {"a b", nullptr},
                        {"a=b", nullptr},
                        // RFC 3461 §4: hexchar is "+" and two UPPER CASE hexadecimal digits
                        {"a+2b", nullptr}};
    for (const auto& x : cases) {
        INFO(x.in);
        const std::string got = xtext_or_error(x.in);
        CHECK(got == (x.out ? std::string(x.out) : std::string("<error>")));
    }
    // With the leniency the host passes along (parse_options::allow_lowercase_xtext_hex).
    char lower[8] = {};
    REQUIRE(smtpp::xtext_decode("a+2b", lower, sizeof lower, true) == 2);
    CHECK(std::string_view(lower, 2) == "a+");
    CHECK(smtpp::xtext_decode("a+2B", lower, sizeof lower, true) == 2);
    // capacity is honoured: never writes past cap
    char small[4] = {'#', '#', '#', '#'};
    CHECK(smtpp::xtext_decode("abcdef", small, 3) == SIZE_MAX);
    CHECK(small[3] == '#');
    CHECK(smtpp::xtext_decode("abc", small, 3) == 3);
}

TEST_CASE("RFC 5321 §4.1.2 quoted-pairSMTP: unquote", "[command][unquote]") {
    CHECK(unquoted("\"Hello\\\" Wo\\\\rld\"") == "Hello\" Wo\\rld");  // A8
    CHECK(unquoted("\"user@frop\"") == "user@frop");
    CHECK(unquoted("\"\"") == "");
    CHECK(unquoted("plain") == "plain");
    CHECK(unquoted("\"a\\b\"") == "ab");
    char small[2] = {'#', '#'};
    CHECK(smtpp::unquote("\"abc\"", small, 1) == SIZE_MAX);
    CHECK(small[1] == '#');
}

TEST_CASE("next_param walks params::text", "[command][params]") {
    command c;
    smtpp_test::exact_buffer b("MAIL FROM:<a@b.example> SIZE=10 BODY=8BITMIME X-FLAG ENVID=a+2Bb\r\n");
    REQUIRE(smtpp::parse_command(b.view(), c) == command_error::none);
    std::string_view text = c.params.text, k, v;
    std::vector<std::pair<std::string, std::string>> got;
    while (smtpp::next_param(text, k, v)) got.emplace_back(std::string(k), std::string(v));
    const std::vector<std::pair<std::string, std::string>> want = {{"SIZE", "10"},
                                                                   {"BODY", "8BITMIME"},
                                                                   {"X-FLAG", ""},
                                                                   {"ENVID", "a+2Bb"}};
    CHECK(got == want);
    CHECK(c.params.unknown == "X-FLAG");
    CHECK(c.params.unknown_count == 1);
}

TEST_CASE("unknown keyword count saturates and the first is kept", "[command][params]") {
    std::string line = "MAIL FROM:<a@b.example>";
    for (int i = 0; i < 300; ++i) line += " X" + std::to_string(i);
    line += "\r\n";
    parse_options o;
    o.max_line = 4096;
    command c;
    smtpp_test::exact_buffer b(line);
    REQUIRE(smtpp::parse_command(b.view(), c, o) == command_error::none);
    CHECK(c.params.unknown == "X0");
    CHECK(c.params.unknown_count == 255);
}

// =========================================================================================
// reply_for: every error value (RFC 5321 §4.2, RFC 3463)
// =========================================================================================

TEST_CASE("reply_for: every command_error maps to a well-formed reply", "[command][reply]") {
    for (std::size_t i = 0; i < smtpp::command_error_count; ++i) {
        const auto e = static_cast<command_error>(i);
        INFO(smtpp::to_string(e));
        CHECK(!smtpp::to_string(e).empty());
        CHECK(smtpp::to_string(e) != "?");
        const smtpp::reply_hint r = smtpp::reply_for(e);
        // Reply-code = %x32-35 %x30-35 %x30-39 (§4.2)
        CHECK(r.code >= 200);
        CHECK(r.code <= 559);
        CHECK((r.code / 10) % 10 <= 5);
        // RFC 3463 §2: class 2/4/5, matching the first digit
        CHECK(r.esc.cls == r.code / 100);
        CHECK(r.esc.subject <= 999);
        CHECK(r.esc.detail <= 999);
        CHECK(!r.text.empty());
        for (char ch : r.text) {
            CHECK(ch != '\r');
            CHECK(ch != '\n');
            CHECK(ch != '\0');
            CHECK(static_cast<unsigned char>(ch) >= 0x20);
            CHECK(static_cast<unsigned char>(ch) < 0x7f);
        }
        if (e != command_error::none) {
            CHECK(r.code >= 500);
            CHECK(r.code <= 555);
        }
    }
    CHECK(smtpp::reply_for(command_error::none).code / 100 == 2);
    CHECK(smtpp::reply_for(command_error::unknown_verb).code == 500);   // §4.2.4
    CHECK(smtpp::reply_for(command_error::syntax).code == 501);         // §4.2.2
    CHECK(smtpp::reply_for(command_error::unknown_param).code == 555);  // §4.1.1.11
    CHECK(smtpp::reply_for(command_error::size_overflow).code == 552);  // RFC 1870 §6
    CHECK(smtpp::reply_for(command_error::bad_reverse_path).esc == (smtpp::enhanced_code{5, 1, 7}));
    CHECK(smtpp::reply_for(command_error::bad_forward_path).esc == (smtpp::enhanced_code{5, 1, 3}));
    CHECK(smtpp::reply_for(command_error::null_forward_path).esc == (smtpp::enhanced_code{5, 1, 3}));
    CHECK(smtpp::reply_for(command_error::bad_base64).esc == (smtpp::enhanced_code{5, 5, 2}));  // RFC 4954 §4
    CHECK(smtpp::to_string(static_cast<command_error>(smtpp::command_error_count)) == "unknown");
}

// =========================================================================================
// format_command round trip (client side)
// =========================================================================================

namespace {
std::string semantic(const command& c) {
    // the fields a formatted command must reproduce (route is dropped on purpose: §4.1.2
    // "SHOULD NOT be generated"; local parts compare unquoted: all quoted forms are equal)
    std::string s = std::string(smtpp::to_string(c.verb)) + "|" +
                    (c.path.is_postmaster ? std::string() : unquoted(c.path.local_part)) + "|" +
                    std::string(c.path.domain) + "|" + yes(c.path.is_null) + yes(c.path.is_postmaster) + "|" +
                    std::string(host_name(c.path.kind)) + "|";
    // BDAT and AUTH are compared by their decoded fields; MAIL/RCPT by path and params
    if (c.verb != smtpp::verb::mail && c.verb != smtpp::verb::rcpt && c.verb != smtpp::verb::bdat &&
        c.verb != smtpp::verb::auth)
        s += std::string(c.argument) + "|";
    for (const char* f : {"present",   "size", "body",    "ret",       "notify",  "envid_dec", "auth_dec", "orcpt_type",
                          "orcpt_dec", "mtp",  "holdfor", "holduntil", "by_time", "by",        "by_trace", "rrvs",
                          "rrvs_mode", "mech", "has_ir",  "ir",        "chunk",   "last",      "smtputf8", "host"})
        s += fields().at(f)(c) + "|";
    return s;
}
}  // namespace

TEST_CASE("format_command: parse → format → parse keeps the semantic fields", "[command][format]") {
    std::vector<std::pair<std::string, parse_options>> lines;
    for (const auto& vc : load_cases("commands_valid.txt")) lines.emplace_back(vc.input, vc.opt);
    for (const char* file : {"commands.txt", "mail_rcpt.txt", "short.txt"})
        for (const auto& l : bench_lines(file)) lines.emplace_back(l, parse_options{});
    std::size_t round_trips = 0;
    for (const auto& lo : lines) {
        const std::string& line = lo.first;
        INFO("\"" << printable(line) << "\"");
        smtpp_test::exact_buffer b(line);
        command c;
        if (smtpp::parse_command(b.view(), c, lo.second) != command_error::none) continue;
        if (c.params.unknown_count != 0 || c.verb == smtpp::verb::unknown) continue;
        std::array<char, 16384> out{};
        const smtpp::command_format_result r = smtpp::format_command(c, out.data(), out.size(), lo.second);
        INFO("format err " << int(r.err) << " parse_error " << err_name(r.parse_error));
        REQUIRE(r.err == smtpp::command_format_error::none);
        const std::string_view formatted(out.data(), r.size);
        INFO("formatted \"" << printable(formatted) << "\"");
        REQUIRE(formatted.size() >= 2);
        CHECK(formatted.substr(formatted.size() - 2) == "\r\n");
        command back;
        smtpp_test::exact_buffer fb(formatted);
        REQUIRE(smtpp::parse_command(fb.view(), back, lo.second) == command_error::none);
        CHECK(semantic(back) == semantic(c));
        ++round_trips;
    }
    CHECK(round_trips > 100);
}

TEST_CASE("format_command refuses CR, LF and NUL in arguments (bpo-43124 class)", "[command][format]") {
    std::array<char, 512> out{};
    const std::vector<std::string> evils = {"a\r\nRSET", "a\nRSET", "a\rb", std::string("a\0b", 3)};
    for (const std::string& evil : evils) {
        INFO(printable(evil));
        command c;
        c.verb = smtpp::verb::ehlo;
        c.argument = evil;
        CHECK(smtpp::format_command(c, out.data(), out.size()).err == smtpp::command_format_error::forbidden_byte);

        command m;
        m.verb = smtpp::verb::mail;
        m.path.local_part = evil;
        m.path.domain = "b.example";
        m.path.kind = smtpp::host_kind::domain;
        CHECK(smtpp::format_command(m, out.data(), out.size()).err == smtpp::command_format_error::forbidden_byte);

        command e;
        e.verb = smtpp::verb::mail;
        e.path.is_null = true;
        e.params.present = smtpp::p_envid;
        e.params.envid = evil;
        CHECK(smtpp::format_command(e, out.data(), out.size()).err == smtpp::command_format_error::forbidden_byte);

        command a;
        a.verb = smtpp::verb::auth;
        a.mechanism = "PLAIN";
        a.has_initial_response = true;
        a.initial_response = evil;
        CHECK(smtpp::format_command(a, out.data(), out.size()).err == smtpp::command_format_error::forbidden_byte);

        command v;
        v.verb = smtpp::verb::vrfy;
        v.argument = evil;
        CHECK(smtpp::format_command(v, out.data(), out.size()).err == smtpp::command_format_error::forbidden_byte);

        command o;
        o.verb = smtpp::verb::rcpt;
        o.path.local_part = "a";
        o.path.domain = "b.example";
        o.params.present = smtpp::p_orcpt;
        o.params.orcpt_type = "rfc822";
        o.params.orcpt = evil;
        CHECK(smtpp::format_command(o, out.data(), out.size()).err == smtpp::command_format_error::forbidden_byte);
    }
    // a command that would not parse back is refused, not emitted
    command bad;
    bad.verb = smtpp::verb::rcpt;
    bad.path.local_part = "a b";
    bad.path.domain = "x.example";
    CHECK(smtpp::format_command(bad, out.data(), out.size()).err == smtpp::command_format_error::invalid);
    command nul_rcpt;
    nul_rcpt.verb = smtpp::verb::rcpt;
    nul_rcpt.path.is_null = true;
    CHECK(smtpp::format_command(nul_rcpt, out.data(), out.size()).err == smtpp::command_format_error::invalid);
    // a buffer too small is reported and not overrun
    command q;
    q.verb = smtpp::verb::quit;
    std::array<char, 8> tiny{};
    tiny.fill('#');
    const smtpp::command_format_result r = smtpp::format_command(q, tiny.data(), 5);
    CHECK(r.err == smtpp::command_format_error::no_space);
    CHECK(tiny[5] == '#');
    CHECK(smtpp::format_command(q, tiny.data(), 6).err == smtpp::command_format_error::none);
    // a line longer than opt.max_line is refused
    command n;
    n.verb = smtpp::verb::noop;
    const std::string long_arg(600, 'x');
    n.argument = long_arg;
    std::array<char, 1024> wide{};
    CHECK(smtpp::format_command(n, wide.data(), wide.size()).err == smtpp::command_format_error::invalid);
}

// =========================================================================================
// Zero allocation
// =========================================================================================

TEST_CASE("parse_command never allocates (bench workloads)", "[command][alloc]") {
    std::vector<std::string> all;
    for (const char* file : {"commands.txt", "mail_rcpt.txt", "short.txt"})
        for (auto& l : bench_lines(file)) all.push_back(std::move(l));
    std::vector<std::unique_ptr<smtpp_test::exact_buffer>> bufs;
    bufs.reserve(all.size());
    for (const auto& l : all) bufs.push_back(std::make_unique<smtpp_test::exact_buffer>(l));
    std::size_t ok = 0, total = 0;
    const parse_options lenient = all_lenient({});
    smtpp_test::no_alloc_scope scope;
    for (const auto& b : bufs) {
        command c;
        if (smtpp::parse_command(b->view(), c) == command_error::none) ++ok;
        command c2;
        (void)smtpp::parse_command(b->view(), c2, lenient);
        char out[1024];
        (void)smtpp::format_command(c, out, sizeof out);
        ++total;
    }
    REQUIRE(scope.allocations() == 0);
    CHECK(total == all.size());
    CHECK(ok > total / 2);
}

// =========================================================================================
// Fast paths against their twins (include/smtpp/command.hpp "why the hot paths look the
// way they do"): the one-load keyword words, the two-byte class runs and the reset of a
// reused command each give what the plain code gives, on the same inputs.
// =========================================================================================

namespace {

/// The byte loop `pack_in` replaces: `p[0, n)` packed, byte i in bits 8i..8i+7.
std::uint64_t pack_loop(const char* p, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v |= std::uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
    return v;
}

bool same_view(std::string_view a, std::string_view b) { return a.data() == b.data() && a.size() == b.size(); }

/// Every member of the two commands, views by identity (pointer and size).
bool identical(const command& a, const command& b) {
    const auto& p = a.path;
    const auto& q = b.path;
    const auto& x = a.params;
    const auto& y = b.params;
    return a.verb == b.verb && a.host == b.host && a.mechanism_id == b.mechanism_id &&
           a.has_initial_response == b.has_initial_response && a.last == b.last && a.smtputf8 == b.smtputf8 &&
           a.chunk_size == b.chunk_size && same_view(a.line, b.line) && same_view(a.verb_text, b.verb_text) &&
           same_view(a.argument, b.argument) && same_view(a.mechanism, b.mechanism) &&
           same_view(a.initial_response, b.initial_response) && same_view(p.text, q.text) &&
           same_view(p.route, q.route) && same_view(p.mailbox, q.mailbox) && same_view(p.local_part, q.local_part) &&
           same_view(p.domain, q.domain) && p.kind == q.kind && p.is_null == q.is_null &&
           p.is_postmaster == q.is_postmaster && p.quoted == q.quoted && p.utf8 == q.utf8 && x.present == y.present &&
           x.size == y.size && x.body == y.body && x.ret == y.ret && x.notify == y.notify &&
           x.mt_priority == y.mt_priority && x.by == y.by && x.by_trace == y.by_trace && x.rrvs_mode == y.rrvs_mode &&
           x.unknown_count == y.unknown_count && x.holdfor == y.holdfor && x.by_time == y.by_time &&
           same_view(x.envid, y.envid) && same_view(x.auth, y.auth) && same_view(x.orcpt_type, y.orcpt_type) &&
           same_view(x.orcpt, y.orcpt) && same_view(x.holduntil, y.holduntil) && same_view(x.rrvs, y.rrvs) &&
           same_view(x.unknown, y.unknown) && same_view(x.text, y.text);
}

/// Every vector line and every bench line, each once.
std::vector<std::string> all_lines() {
    std::vector<std::string> out;
    for (const char* file : {"commands_valid.txt", "commands_invalid.txt"})
        for (auto& vc : load_cases(file)) out.push_back(std::move(vc.input));
    for (const char* file : {"commands.txt", "mail_rcpt.txt", "short.txt", "commands_lf.txt"})
        for (auto& l : bench_lines(file)) out.push_back(std::move(l));
    return out;
}

}  // namespace

TEST_CASE("fast path: pack_in / key_in / match_in equal the byte loops, key() and match()", "[command][fast]") {
    using smtpp::detail::ci_literal;
    const ci_literal lits[] = {smtpp::detail::k_from, smtpp::detail::k_to, smtpp::detail::k_postmast,
                               smtpp::detail::k_er_close};
    std::size_t words = 0, loads = 0;
    for (const std::string& line : all_lines()) {
        INFO("line \"" << printable(line) << "\"");
        const smtpp_test::exact_buffer buf(line);
        const char* const lo = buf.view().data();
        const char* const hi = lo + line.size();
        for (std::size_t at = 0; at <= line.size(); ++at) {
            const char* const p = lo + at;
            for (std::size_t n = 0; n <= 9 && at + n <= line.size(); ++n) {
                const std::string_view w(p, n);
                // Three readable windows: the whole line (one load forward or backward),
                // ending at the word (backward only), exactly the word (the byte loop).
                const std::pair<const char*, const char*> windows[] = {{lo, hi}, {lo, p + n}, {p, p + n}};
                for (const auto& win : windows) {
                    INFO("at " << at << " n " << n << " window [" << (win.first - lo) << ", " << (win.second - lo)
                               << ")");
                    if (n <= 8) CHECK(smtpp::detail::pack_in(p, n, win.first, win.second) == pack_loop(p, n));
                    CHECK(smtpp::detail::key_in(p, n, win.first, win.second) == smtpp::detail::key(w));
                    ++words;
                    if (win.second - win.first >= 8) ++loads;
                }
                for (const ci_literal& k : lits)
                    if (k.size == n)
                        for (const auto& win : windows)
                            CHECK(smtpp::detail::match_in(p, k, win.first, win.second) == smtpp::detail::match(p, k));
            }
        }
    }
    CHECK(words > 100000);
    CHECK(loads > words / 4);  // the loads were taken, not only the loops
}

TEST_CASE("fast path: run_end equals the one-byte loop for every class", "[command][fast]") {
    using namespace smtpp::detail;
    const std::uint16_t classes[] = {c_alpha, c_digit, c_atext, c_qtext, c_xchar, c_esmtpv, c_dcont,
                                     c_hex,   c_b64,   c_vchar, c_text,  c_ldh,   c_mech};
    for (const std::string& line : all_lines()) {
        // run_end's precondition: the run ends inside the line, as CR and LF end every run.
        std::string body = line;
        if (body.empty() || body.back() != '\n') body += "\r\n";
        const smtpp_test::exact_buffer buf(body);
        const char* const d = buf.view().data();
        for (const std::uint16_t bits : classes) {
            for (std::size_t at = 0; at < body.size(); ++at) {
                std::size_t q = at;
                while (q < body.size() && is(static_cast<unsigned char>(d[q]), bits)) ++q;
                if (q == body.size()) continue;  // not reached: the final LF ends every run
                INFO("line \"" << printable(line) << "\" at " << at << " bits " << bits);
                CHECK(run_end(d, at, bits) == q);
            }
        }
    }
}

TEST_CASE("fast path: text_run (SSE2) equals its scalar twin at every length and position (RFC 5321 textstring)",
          "[command][fast]") {
    // refine_error skips the textstring bytes (HT, SP, %d33-126) of a refused line in bulk;
    // the byte that stops the run decides the reply (NUL, bare CR/LF, control, UTF-8).
    using namespace smtpp::detail;
    const unsigned char stops[] = {0x00, 0x01, 0x08, 0x0A, 0x0B, 0x0D, 0x1F, 0x7F, 0x80, 0xC3, 0xFE, 0xFF};
    const unsigned char fill[] = {'a', ' ', '\t', '~', '!'};
    for (std::size_t n = 0; n <= 70; ++n) {
        for (const unsigned char f : fill) {
            const std::string all(n, static_cast<char>(f));
            const smtpp_test::exact_buffer whole(all);
            INFO("n " << n << " fill " << int(f));
            CHECK(text_run(whole.view().data(), n) == n);
            CHECK(text_run_scalar(whole.view().data(), n) == n);
            for (std::size_t at = 0; at < n; ++at) {
                for (const unsigned char b : stops) {
                    std::string s = all;
                    s[at] = static_cast<char>(b);
                    if (at + 3 < n) s[at + 3] = '\0';  // a second stop after the first
                    const smtpp_test::exact_buffer buf(s);
                    INFO("stop " << int(b) << " at " << at);
                    CHECK(text_run_scalar(buf.view().data(), n) == at);
                    CHECK(text_run(buf.view().data(), n) == at);
                }
            }
        }
    }
    static_assert(text_run("ab\tc\x7f", 5) == 4 && text_run("", 0) == 0 && text_run("a\r\n", 3) == 1);
}

TEST_CASE("fast path: a reused command ends exactly as a fresh one (clear())", "[command][fast]") {
    // A command with every field set: what a host's reused object may hold.
    command dirty;
    {
        dirty.verb = smtpp::verb::auth;
        dirty.host = smtpp::host_kind::ipv6;
        dirty.mechanism_id = smtpp::sasl_mechanism::ntlm;
        dirty.has_initial_response = dirty.last = dirty.smtputf8 = true;
        dirty.chunk_size = 77;
        static const char junk[] = "junk junk junk junk";
        const std::string_view j(junk, 4);
        dirty.line = dirty.verb_text = dirty.argument = dirty.mechanism = dirty.initial_response = j;
        dirty.path.text = dirty.path.route = dirty.path.mailbox = dirty.path.local_part = dirty.path.domain = j;
        dirty.path.kind = smtpp::host_kind::general;
        dirty.path.is_null = dirty.path.is_postmaster = dirty.path.quoted = dirty.path.utf8 = true;
        auto& ps = dirty.params;
        ps.present = ~0u;
        ps.size = 99;
        ps.body = smtpp::body_type::binary_mime;
        ps.ret = smtpp::ret_type::hdrs;
        ps.notify = 15;
        ps.mt_priority = -3;
        ps.by = smtpp::by_mode::return_;
        ps.by_trace = true;
        ps.rrvs_mode = 'C';
        ps.unknown_count = 200;
        ps.holdfor = 5;
        ps.by_time = -5;
        ps.envid = ps.auth = ps.orcpt_type = ps.orcpt = ps.holduntil = ps.rrvs = ps.unknown = ps.text = j;
    }
    command reset = dirty;
    smtpp::detail::clear(reset);
    CHECK(identical(reset, command{}));

    for (const std::string& line : all_lines()) {
        INFO("line \"" << printable(line) << "\"");
        const smtpp_test::exact_buffer buf(line);
        for (const parse_options& o : {parse_options{}, all_lenient({})}) {
            command fresh;
            const command_error e = smtpp::parse_command(buf.view(), fresh, o);
            command reused = dirty;
            CHECK(smtpp::parse_command(buf.view(), reused, o) == e);
            CHECK(identical(reused, fresh));
        }
    }
}

// The constant-evaluated twins: pack_in, key_in and match_in take the byte loop and clear()
// its value-initialisation at compile time; the results agree with the run-time ones above.
static_assert([] {
    command c;
    c.params.size = 1;
    c.path.domain = "x";
    return smtpp::parse_command("RCPT TO:<a@b.example> NOTIFY=SUCCESS,DELAY\r\n", c) == command_error::none &&
           c.params.notify == (smtpp::notify_success | smtpp::notify_delay) && c.params.size == 0 &&
           c.path.domain == "b.example" && c.verb == smtpp::verb::rcpt;
}());
static_assert([] {
    command c;
    return smtpp::parse_command("mail from:<a@b> BODY=8bitmime RET=hdrs\r\n", c) == command_error::none &&
           c.params.body == smtpp::body_type::eight_bit_mime && c.params.ret == smtpp::ret_type::hdrs;
}());

// =========================================================================================
// Grammar findings of the differential oracle (tests/oracle), fed whole, byte by byte and
// split at every position through the line reader: the verdict must not change.
// =========================================================================================

TEST_CASE(
    "grammar findings: U-label in A-d-l, digit-led Standardized-tag, AUTH= and ORCPT=utf-8 decode to a "
    "mailbox (RFC 5321 §4.1.2/§4.1.3, RFC 6531 §3.3, RFC 4954 §5, RFC 6533 §3)",
    "[command][oracle][split]") {
    struct vec {
        const char* line;
        bool utf8;
        command_error want;
    };
    const vec vs[] = {
        // RFC 5321 §4.1.2 A-d-l's Domain with RFC 6531 §3.3 sub-domain =/ U-label.
        {"RCPT TO:<@\xc3\xa9.example:a@b.example>\r\n", true, command_error::none},
        {"RCPT TO:<@\xc3\xa9.example:a@b.example>\r\n", false, command_error::non_ascii_recipient},
        {"MAIL FROM:<@\xc3\xa9.example:a@b.example> SMTPUTF8\r\n", true, command_error::none},
        // RFC 5321 §4.1.3: Standardized-tag = Ldh-str, which may start with a digit.
        {"MAIL FROM:<a@[1a:x]>\r\n", false, command_error::none},
        {"MAIL FROM:<a@[-x:y]>\r\n", false, command_error::none},
        {"MAIL FROM:<a@[1a]>\r\n", false, command_error::bad_reverse_path},
        // RFC 4954 §5: the decoded xtext MUST be an addr-spec or "<>".
        {"MAIL FROM:<a@b.example> AUTH=abc\r\n", false, command_error::bad_auth_param},
        {"MAIL FROM:<a@b.example> AUTH=a+40b\r\n", false, command_error::none},
        {"MAIL FROM:<a@b.example> AUTH=<>\r\n", false, command_error::none},
        // RFC 6533 §3: utf-8-addr-xtext decodes to a mailbox.
        {"RCPT TO:<a@b.example> ORCPT=utf-8;ab\r\n", false, command_error::bad_orcpt},
        {"RCPT TO:<a@b.example> ORCPT=utf-8;j\\x{F6}r@b.example\r\n", false, command_error::none},
    };
    for (const vec& v : vs) {
        INFO(v.line);
        parse_options o;
        o.smtputf8 = o.smtputf8_transaction = v.utf8;
        smtpp_test::for_each_split(v.line, [&](const std::vector<std::string_view>& chunks,
                                               const smtpp_test::split_info& info) {
            INFO(info.name);
            smtpp::line_reader<512> rd;
            int lines = 0;
            for (std::string_view in : chunks) {
                while (!in.empty()) {
                    const smtpp::line_event ev = rd.next(in);
                    in.remove_prefix(ev.consumed);
                    if (ev.st == smtpp::status::need_more) break;
                    REQUIRE(ev.st == smtpp::status::complete);
                    command c;
                    CHECK(smtpp::parse_command(ev.line, c, o) == v.want);
                    ++lines;
                }
            }
            CHECK(lines == 1);
        });
    }
}
