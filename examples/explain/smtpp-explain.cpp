// smtpp-explain: explains SMTP reply codes, enhanced status codes and reply lines from the
// smtpp catalog, or compares two codes side by side.
//
//   smtpp-explain 221                      the card of a reply code
//   smtpp-explain 5.7.1                    the card of an enhanced status code
//   smtpp-explain '550-5.1.1 No such user' parses a reply line and explains it
//   smtpp-explain 221 504                  compares two codes
//   options: --lang en|ru, --json
//
// Exit status: 0 on success, 2 for an unknown or malformed code, 1 for bad usage.
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "smtpp/catalog.hpp"
#include "smtpp/reply.hpp"

namespace {

using smtpp::lang;

struct labels {
    std::string_view cls, meaning, category, when, fix, rfc, text, enhanced, differences, not_listed;
    std::string_view outcome, category_diff, connection, closes, stays_open, action, action_by_class[4];
    std::string_view reply_line;
};

constexpr labels en_labels = {
    "Class",
    "Meaning",
    "Category",
    "When you see it",
    "What to do",
    "Defined in",
    "Text",
    "Enhanced code",
    "Key differences",
    "not in the catalog; explained by the theory of reply codes",
    "Outcome",
    "Category",
    "Connection",
    "closes the connection",
    "leaves the connection open",
    "Action needed",
    {"none: the command succeeded", "send what the server waits for", "retry the same command later",
     "change the command (or the message) before trying again; repeating it unchanged fails again"},
    "Reply line",
};

constexpr labels ru_labels = {
    "Класс",
    "Значение",
    "Категория",
    "Когда встречается",
    "Что делать",
    "Определён в",
    "Текст",
    "Расширенный код",
    "Главные различия",
    "нет в каталоге; толкуется по теории кодов ответа",
    "Итог",
    "Категория",
    "Соединение",
    "закрывает соединение",
    "оставляет соединение открытым",
    "Нужные действия",
    {"никаких: команда выполнена", "отправить то, чего ждёт сервер", "повторить ту же команду позже",
     "изменить команду (или письмо) перед повтором; без изменений она снова не пройдёт"},
    "Строка ответа",
};

const labels& L(lang l) { return l == lang::ru ? ru_labels : en_labels; }

void out(std::string_view s) { std::fwrite(s.data(), 1, s.size(), stdout); }

void field(std::string_view name, std::string_view value) {
    out("  ");
    out(name);
    out(": ");
    out(value);
    out("\n");
}

std::string json_str(std::string_view s) {
    std::string r = "\"";
    for (char c : s) {
        switch (c) {
            case '"': r += "\\\""; break;
            case '\\': r += "\\\\"; break;
            case '\n': r += "\\n"; break;
            case '\r': r += "\\r"; break;
            case '\t': r += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
                    r += buf;
                } else {
                    r += c;
                }
        }
    }
    return r + "\"";
}

// ---- what the user asked about ------------------------------------------------------------

struct subject {
    bool is_reply = false;
    bool is_enhanced = false;
    bool is_line = false;
    unsigned code = 0;
    smtpp::enhanced_code esc{};
    std::string text;
    std::string arg;
};

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

// Returns an error message, or empty when `arg` is understood.
std::string classify(std::string_view arg, subject& s) {
    s.arg = std::string(arg);
    if (all_digits(arg)) {
        if (arg.size() != 3) return "'" + s.arg + "' is not a three-digit reply code";
        s.code = static_cast<unsigned>(std::stoul(std::string(arg)));
        if (!smtpp::is_valid_reply_code(s.code))
            return "'" + s.arg + "' is not a valid reply code (first digit 2-5, second 0-5; RFC 5321 §4.2)";
        s.is_reply = true;
        return {};
    }
    smtpp::enhanced_code e{};
    if (arg.find(' ') == std::string_view::npos && arg.find('-') == std::string_view::npos &&
        arg.find('.') != std::string_view::npos) {
        if (smtpp::parse_enhanced_code(arg, e) != arg.size())
            return "'" + s.arg +
                   "' is not an enhanced status code (class.subject.detail, class 2, 4 or 5; RFC 3463 §2)";
        const auto ex = smtpp::explain_enhanced(e);
        if (!ex.listed) {
            std::string m = "'" + s.arg + "' is not in the IANA enhanced status code registry";
            if (ex.known_subject) m += " (" + std::string(ex.cls) + "; " + std::string(ex.subject) + ")";
            return m;
        }
        s.is_enhanced = true;
        s.esc = e;
        return {};
    }
    // A reply line: run it through the reader with its CRLF.
    std::string line(arg);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    line += "\r\n";
    smtpp::reply_reader rd;
    std::string_view in = line;
    smtpp::reply_line ln;
    if (rd.next_line(in, ln) != smtpp::status::complete)
        return "'" + s.arg + "' is not a reply line: " + std::string(smtpp::to_string(rd.error()));
    s.is_line = true;
    s.is_reply = true;
    s.code = ln.code;
    s.esc = ln.esc;
    s.text = std::string(ln.text);
    return {};
}

// ---- text output ---------------------------------------------------------------------------

void print_reply_card(const smtpp::reply_explanation& e, lang l) {
    const labels& lb = L(l);
    std::printf("%u %.*s\n", e.code, static_cast<int>(e.title.size()), e.title.data());
    field(lb.cls, e.cls);
    field(lb.meaning, e.description);
    field(lb.category, e.category);
    field(lb.when, e.when);
    field(lb.fix, e.fix);
    field(lb.rfc, e.rfc);
}

void print_enhanced_card(const smtpp::enhanced_explanation& e, lang l) {
    const labels& lb = L(l);
    const auto t = smtpp::format_enhanced_code(e.esc);
    out(t.view());
    out(" ");
    out(e.title);
    out("\n");
    field(lb.cls, e.cls);
    field(lb.category, e.subject);
    field(lb.meaning, e.description);
    field(lb.rfc, e.rfc);
}

std::vector<std::string> differences(const smtpp::reply_explanation& a, const smtpp::reply_explanation& b, lang l) {
    const labels& lb = L(l);
    std::vector<std::string> d;
    auto code = [](const smtpp::reply_explanation& e) { return std::to_string(e.code); };
    d.push_back(std::string(lb.outcome) + ": " + code(a) + " " + std::string(a.cls) + " (" +
                std::string(a.cls_meaning) + "); " + code(b) + " " + std::string(b.cls) + " (" +
                std::string(b.cls_meaning) + ")");
    if (a.category != b.category)
        d.push_back(std::string(lb.category_diff) + ": " + code(a) + " " + std::string(a.category) + "; " + code(b) +
                    " " + std::string(b.category));
    if (a.closes != b.closes)
        d.push_back(std::string(lb.connection) + ": " + code(a) + " " +
                    std::string(a.closes ? lb.closes : lb.stays_open) + "; " + code(b) + " " +
                    std::string(b.closes ? lb.closes : lb.stays_open));
    d.push_back(std::string(lb.action) + ": " + code(a) + " " + std::string(lb.action_by_class[a.code / 100 - 2]) +
                "; " + code(b) + " " + std::string(lb.action_by_class[b.code / 100 - 2]));
    return d;
}

void print_compare(const smtpp::reply_explanation& a, const smtpp::reply_explanation& b, lang l) {
    const labels& lb = L(l);
    std::printf("%u %.*s  |  %u %.*s\n\n", a.code, static_cast<int>(a.title.size()), a.title.data(), b.code,
                static_cast<int>(b.title.size()), b.title.data());
    auto pair = [&](std::string_view name, std::string_view x, std::string_view y) {
        out(name);
        out(":\n");
        std::printf("  %u: %.*s\n", a.code, static_cast<int>(x.size()), x.data());
        std::printf("  %u: %.*s\n", b.code, static_cast<int>(y.size()), y.data());
    };
    pair(lb.cls, a.cls, b.cls);
    pair(lb.meaning, a.description, b.description);
    pair(lb.when, a.when, b.when);
    pair(lb.fix, a.fix, b.fix);
    out(lb.differences);
    out(":\n");
    for (const std::string& s : differences(a, b, l)) {
        out("  - ");
        out(s);
        out("\n");
    }
}

// ---- JSON output ---------------------------------------------------------------------------

std::string json_reply(const smtpp::reply_explanation& e) {
    return "{\"code\":" + std::to_string(e.code) + ",\"listed\":" + (e.listed ? "true" : "false") +
           ",\"closes\":" + (e.closes ? "true" : "false") + ",\"class\":" + json_str(e.cls) +
           ",\"class_meaning\":" + json_str(e.cls_meaning) + ",\"category\":" + json_str(e.category) +
           ",\"title\":" + json_str(e.title) + ",\"description\":" + json_str(e.description) +
           ",\"when\":" + json_str(e.when) + ",\"fix\":" + json_str(e.fix) + ",\"rfc\":" + json_str(e.rfc) + "}";
}

std::string json_enhanced(const smtpp::enhanced_explanation& e) {
    return "{\"code\":" + json_str(smtpp::format_enhanced_code(e.esc).view()) + ",\"class\":" + json_str(e.cls) +
           ",\"subject\":" + json_str(e.subject) + ",\"title\":" + json_str(e.title) +
           ",\"description\":" + json_str(e.description) + ",\"rfc\":" + json_str(e.rfc) + "}";
}

int usage() {
    std::fprintf(
        stderr,
        "usage: smtpp-explain [--lang en|ru] [--json] CODE [CODE]\n"
        "  CODE: a reply code (221), an enhanced status code (5.7.1) or a reply line ('550 5.1.1 No such user')\n");
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    lang l = lang::en;
    bool json = false;
    std::vector<std::string_view> args;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--json") {
            json = true;
        } else if (a == "--lang") {
            if (i + 1 >= argc || !smtpp::parse_lang(argv[i + 1], l)) {
                std::fprintf(stderr, "smtpp-explain: --lang takes en or ru\n");
                return 1;
            }
            ++i;
        } else if (a == "--help" || a == "-h") {
            usage();
            return 0;
        } else {
            args.push_back(a);
        }
    }
    if (args.empty() || args.size() > 2) return usage();

    std::vector<subject> subjects(args.size());
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string err = classify(args[i], subjects[i]);
        if (!err.empty()) {
            std::fprintf(stderr, "smtpp-explain: %s\n", err.c_str());
            return 2;
        }
    }

    if (subjects.size() == 2) {
        if (!subjects[0].is_reply || !subjects[1].is_reply) {
            std::fprintf(stderr, "smtpp-explain: comparison takes two reply codes\n");
            return 2;
        }
        const auto a = smtpp::explain_reply(subjects[0].code, l);
        const auto b = smtpp::explain_reply(subjects[1].code, l);
        if (json) {
            std::string s = "{\"compare\":[" + json_reply(a) + "," + json_reply(b) + "],\"differences\":[";
            const auto d = differences(a, b, l);
            for (std::size_t i = 0; i < d.size(); ++i) s += (i ? "," : "") + json_str(d[i]);
            out(s + "]}\n");
        } else {
            print_compare(a, b, l);
        }
        return 0;
    }

    const subject& s = subjects[0];
    if (s.is_enhanced) {
        const auto e = smtpp::explain_enhanced(s.esc, l);
        if (json) out(json_enhanced(e) + "\n");
        else print_enhanced_card(e, l);
        return 0;
    }
    const auto r = smtpp::explain_reply(s.code, l);
    const auto e = smtpp::explain_enhanced(s.esc, l);
    if (json) {
        std::string j = "{\"reply\":" + json_reply(r);
        if (s.is_line) {
            j += ",\"text\":" + json_str(s.text);
            if (!s.esc.empty()) j += ",\"enhanced\":" + json_enhanced(e);
        }
        out(j + "}\n");
        return 0;
    }
    if (s.is_line) {
        out(L(l).reply_line);
        out(": ");
        out(s.arg);
        out("\n\n");
    }
    print_reply_card(r, l);
    if (!r.listed) field(L(l).category, L(l).not_listed);
    if (s.is_line) {
        if (!s.esc.empty()) {
            out("\n");
            if (e.listed) {
                print_enhanced_card(e, l);
            } else {
                const auto t = smtpp::format_enhanced_code(s.esc);
                out(t.view());
                out(" ");
                out(e.title);
                out("\n");
                field(L(l).cls, e.cls);
                if (e.known_subject) field(L(l).category, e.subject);
            }
        }
        out("\n");
        field(L(l).text, s.text);
    }
    return 0;
}
