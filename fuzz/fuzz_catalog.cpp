// fuzz_catalog: the reply-code catalog and explainer (include/smtpp/catalog.hpp) and the
// to_string / reply_for tables of every layer.
// Input: bytes 0-1 a language name for parse_lang, 2-3 a reply code, 4 a class, 5-6 a
// subject, 7-8 a detail, 9 an index, 10 an enum value. Properties:
//   1. parse_lang accepts exactly "en"/"ru" in any case, and to_string(lang) parses back to
//      the same language (the --lang round trip of the explain tool);
//   2. explain_reply is total: valid iff the code is a Reply-code (2-5, 0-5, 0-9); a valid
//      code has class and category texts; listed iff reply_index finds it, and then
//      listed_reply_code(reply_index(code)) == code; the facts (valid, listed, closes, rfc)
//      are the same in every language; every text is well-formed UTF-8;
//   3. explain_enhanced likewise, with enhanced_index / listed_enhanced_code round trips;
//      is_valid_reply_code and is_valid agree with the explainers' validity, and
//      format_enhanced_code writes exactly the valid codes, as parse_enhanced_code reads them;
//   4. every to_string of an enum value is non-empty, and every reply_for hint (in and out
//      of range) formats into a reply that the reply reader parses back to the same code
//      and enhanced code.
#include <smtpp/catalog.hpp>
#include <smtpp/data.hpp>
#include <smtpp/encode.hpp>
#include <smtpp/line.hpp>
#include <smtpp/reply.hpp>
#include <smtpp/session.hpp>

#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"

namespace {
using namespace smtpp;

bool utf8_ok(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        const std::size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (std::size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += n;
    }
    return true;
}

void check_hint(const reply_hint& h) {
    char buf[600];
    const format_result f = format_reply(buf, sizeof buf, h);
    if (h.code == 0) {  // "no reply" (line_error::none): the formatter must refuse it
        SMTPP_FUZZ_CHECK(!f.ok());
        return;
    }
    SMTPP_FUZZ_CHECK(f.ok());
    basic_reply_reader<1024> rd;
    std::string_view in(buf, f.size);
    reply_line ln;
    SMTPP_FUZZ_CHECK(rd.next_line(in, ln) == status::complete);
    SMTPP_FUZZ_CHECK(ln.code == h.code && ln.last && in.empty());
    SMTPP_FUZZ_CHECK(h.code / 100 == 3 || ln.esc == h.esc);
}

void check_explained_reply(unsigned code) {
    const reply_explanation e = explain_reply(code, lang::en);
    const bool valid = code >= 200 && code <= 599 && (code / 10) % 10 <= 5;
    SMTPP_FUZZ_CHECK(e.valid == valid && is_valid_reply_code(code) == valid);
    const std::size_t i = reply_index(code);
    SMTPP_FUZZ_CHECK(e.listed == (valid && i < listed_reply_count));
    if (i < listed_reply_count) SMTPP_FUZZ_CHECK(listed_reply_code(i) == code);
    if (!valid) {
        SMTPP_FUZZ_CHECK(e.title.empty() && e.cls.empty());
        return;
    }
    for (std::size_t l = 0; l < lang_count; ++l) {
        const reply_explanation t = explain_reply(code, static_cast<lang>(l));
        SMTPP_FUZZ_CHECK(t.valid == e.valid && t.listed == e.listed && t.closes == e.closes && t.rfc == e.rfc);
        SMTPP_FUZZ_CHECK(!t.cls.empty() && !t.category.empty() && !t.title.empty());
        for (std::string_view s :
             {t.cls, t.cls_meaning, t.category, t.category_meaning, t.title, t.description, t.when, t.fix, t.rfc})
            SMTPP_FUZZ_CHECK(utf8_ok(s));
    }
}

void check_enhanced(enhanced_code c) {
    const enhanced_explanation e = explain_enhanced(c, lang::en);
    const bool valid = (c.cls == 2 || c.cls == 4 || c.cls == 5) && c.subject <= 999 && c.detail <= 999;
    SMTPP_FUZZ_CHECK(e.valid == valid && e.esc == c && is_valid(c) == valid);
    const enhanced_code_text text = format_enhanced_code(c);
    SMTPP_FUZZ_CHECK((text.size != 0) == valid);
    enhanced_code parsed{};
    SMTPP_FUZZ_CHECK(!valid || (parse_enhanced_code(text.view(), parsed) == text.size && parsed == c));
    const std::size_t i = enhanced_index(c.subject, c.detail);
    SMTPP_FUZZ_CHECK(e.listed == (valid && i < listed_enhanced_count));
    if (i < listed_enhanced_count) {
        const enhanced_code back = listed_enhanced_code(i, c.cls);
        SMTPP_FUZZ_CHECK(back.subject == c.subject && back.detail == c.detail && back.cls == c.cls);
    }
    if (!valid) return;
    SMTPP_FUZZ_CHECK(e.known_subject == (c.subject <= 7));
    for (std::size_t l = 0; l < lang_count; ++l) {
        const enhanced_explanation t = explain_enhanced(c, static_cast<lang>(l));
        SMTPP_FUZZ_CHECK(t.valid && t.listed == e.listed && t.rfc == e.rfc && !t.cls.empty() && !t.title.empty());
        for (std::string_view s : {t.cls, t.cls_meaning, t.subject, t.subject_meaning, t.title, t.description})
            SMTPP_FUZZ_CHECK(utf8_ok(s));
    }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 11) return 0;
    const auto u16 = [&](std::size_t i) { return static_cast<unsigned>(smtpp_fuzz::le16(data + i)); };
    // 1. parse_lang and its round trip.
    const std::string_view name(reinterpret_cast<const char*>(data), 2);
    lang l = lang::en;
    const bool known = parse_lang(name, l);
    const auto lower = [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); };
    const char a = lower(name[0]), b = lower(name[1]);
    SMTPP_FUZZ_CHECK(known == ((a == 'e' && b == 'n') || (a == 'r' && b == 'u')));
    lang back = lang::en;
    SMTPP_FUZZ_CHECK(parse_lang(to_string(l), back) && back == l);
    SMTPP_FUZZ_CHECK(!parse_lang(std::string_view(reinterpret_cast<const char*>(data), size % 5), back) ||
                     size % 5 == 2);
    // 2, 3. the explainers over the whole input space (and the listed codes by index).
    check_explained_reply(u16(2) % 1000);
    check_explained_reply(u16(2));
    check_explained_reply(listed_reply_code(data[9] % (listed_reply_count + 1)));
    check_enhanced({data[4], static_cast<std::uint16_t>(u16(5)), static_cast<std::uint16_t>(u16(7))});
    check_enhanced({static_cast<std::uint8_t>(2 + (data[4] % 4)), static_cast<std::uint16_t>(u16(5) % 1001),
                    static_cast<std::uint16_t>(u16(7) % 1001)});
    const enhanced_code listed = listed_enhanced_code(data[9] % (listed_enhanced_count + 1), data[4]);
    if (listed.cls != 0) check_enhanced(listed);
    // 4. every to_string and reply_for, in and out of range.
    const std::uint8_t v = data[10];
    SMTPP_FUZZ_CHECK(!to_string(static_cast<command_error>(v)).empty());
    SMTPP_FUZZ_CHECK(to_string(static_cast<verb>(v)).empty() == (v == 0 || v >= verb_count));  // unknown: ""
    SMTPP_FUZZ_CHECK(!to_string(static_cast<session_reply>(v)).empty());
    SMTPP_FUZZ_CHECK(!to_string(static_cast<policy_error>(v)).empty());
    SMTPP_FUZZ_CHECK(!to_string(static_cast<format_error>(v)).empty());
    SMTPP_FUZZ_CHECK(!to_string(static_cast<reply_error>(v)).empty());
    SMTPP_FUZZ_CHECK(!to_string(static_cast<line_error>(v)).empty());
    SMTPP_FUZZ_CHECK(!to_string(static_cast<data_error>(v)).empty());
    SMTPP_FUZZ_CHECK(!to_string(static_cast<phase>(v)).empty());
    SMTPP_FUZZ_CHECK(!to_string(static_cast<verdict>(v)).empty());
    SMTPP_FUZZ_CHECK(!to_string(static_cast<encode_error>(v)).empty());
    // A language by value: its tag parses back to it; out of range, English (the texts' fallback).
    lang by_value = lang::en;
    SMTPP_FUZZ_CHECK(parse_lang(to_string(static_cast<lang>(v)), by_value));
    SMTPP_FUZZ_CHECK(by_value == (v < lang_count ? static_cast<lang>(v) : lang::en));
    check_hint(reply_for(static_cast<command_error>(v % command_error_count)));
    check_hint(reply_for(static_cast<command_error>(v)));
    check_hint(reply_for(static_cast<session_reply>(v % session_reply_count)));
    check_hint(reply_for(static_cast<session_reply>(v)));
    check_hint(reply_for(static_cast<policy_error>(v)));
    check_hint(reply_for(static_cast<format_error>(v)));
    check_hint(reply_for(static_cast<reply_error>(v)));
    check_hint(reply_for(static_cast<line_error>(v)));
    check_hint(reply_for(static_cast<data_error>(v)));
    return 0;
}
