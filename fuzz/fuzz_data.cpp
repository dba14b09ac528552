// Fuzz target for the DATA decoder (include/smtpp/data.hpp). Properties:
//  - the decoder's content, end position and verdict equal an obviously correct
//    reference decoder (tests/support/reference_data.hpp: find "\r\n.\r\n", split lines, unstuff);
//  - no end of data except right after "\r\n.\r\n" (the DATA line's CRLF counting);
//  - split == whole; content views lie inside the chunk or are the static literals;
//  - options() returns the options given; size(), done() and pending_error() agree with
//    the events.
// Input: byte 0 = options, byte 1 = split seed, the rest = the bytes after 354.
#include <smtpp/data.hpp>

#include "../tests/support/reference_data.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"

namespace {

using smtpp::data_error;

using smtpp_test::outcome;
constexpr auto reference = smtpp_test::reference_data;

outcome run(const smtpp::data_options& o, const std::vector<std::string_view>& chunks, std::string_view all) {
    smtpp::data_decoder d(o);
    const smtpp::data_options kept = d.options();  // the options, as given
    SMTPP_FUZZ_CHECK(kept.bare_newline == o.bare_newline && kept.max_size == o.max_size &&
                     kept.max_text_line == o.max_text_line && kept.reject_nul == o.reject_nul);
    outcome r;
    std::size_t total = 0;
    for (std::string_view in : chunks) {
        const char* b = in.data();
        const char* e = in.data() + in.size();
        while (!r.ended) {
            const auto ev = d.next(in);
            SMTPP_FUZZ_CHECK(ev.consumed <= in.size() && ev.st != smtpp::status::failed);
            if (ev.kind == smtpp::data_event_kind::content) {
                const auto c = ev.content;
                const bool inside = c.data() >= b && c.data() + c.size() <= e;
                SMTPP_FUZZ_CHECK(!c.empty() && (inside || c == "\r\n" || c == "\n" || c == "\r"));
                r.content += c;
            }
            in.remove_prefix(ev.consumed);
            total += ev.consumed;
            if (ev.kind == smtpp::data_event_kind::end) {
                // The end of data is only ever right after "\r\n.\r\n".
                const std::string v = "\r\n" + std::string(all.substr(0, total));
                SMTPP_FUZZ_CHECK(v.size() >= 5 && v.compare(v.size() - 5, 5, "\r\n.\r\n") == 0);
                r.ended = true;
                r.consumed = total;
                r.err = ev.err;
            } else if (ev.st == smtpp::status::need_more) {
                SMTPP_FUZZ_CHECK(in.empty());
                break;
            }
        }
        if (r.ended) break;
    }
    SMTPP_FUZZ_CHECK(r.content.size() == d.size());
    SMTPP_FUZZ_CHECK(d.done() == r.ended);
    SMTPP_FUZZ_CHECK(!r.ended || d.pending_error() == r.err);  // the verdict the end event gave
    return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    smtpp::data_options o;
    o.bare_newline = (data[0] & 1) ? smtpp::bare_newline_policy::normalize : smtpp::bare_newline_policy::reject;
    o.reject_nul = (data[0] & 2) != 0;
    const std::size_t line_limits[] = {0, 3, 8, 1000};
    o.max_text_line = line_limits[(data[0] >> 2) & 3];
    const std::uint64_t size_limits[] = {0, 1, 10, 100};
    o.max_size = size_limits[(data[0] >> 4) & 3];
    std::uint32_t seed = data[1];
    const std::string_view s(reinterpret_cast<const char*>(data + 2), size - 2);

    const outcome whole = run(o, {s}, s);
    const outcome want = reference(s, o);
    SMTPP_FUZZ_CHECK(whole.ended == want.ended);
    SMTPP_FUZZ_CHECK(!want.ended || whole == want);
    // Not ended: what was delivered is a prefix of the message once a real end comes.
    if (!want.ended) {
        const outcome later = reference(std::string(s) + "\r\n.\r\n", o);
        SMTPP_FUZZ_CHECK(later.content.compare(0, whole.content.size(), whole.content) == 0);
    }

    std::vector<std::string_view> chunks = smtpp_fuzz::seeded_pieces(s, seed, 8, 300);
    const outcome split = run(o, chunks, s);
    SMTPP_FUZZ_CHECK(split == whole);
    chunks.clear();
    for (std::size_t i = 0; i < s.size(); ++i) chunks.push_back(s.substr(i, 1));
    SMTPP_FUZZ_CHECK(run(o, chunks, s) == whole);
    return 0;
}
