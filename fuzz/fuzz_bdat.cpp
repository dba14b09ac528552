// Fuzz target for the BDAT decoder (include/smtpp/data.hpp, RFC 3030). Properties:
//  - exactly chunk-size octets are taken per BDAT, as views of the input, in order;
//  - the bytes after the last chunk are never consumed;
//  - the verdict equals a reference check over the whole payload (bare CR/LF, NUL, size);
//  - split == whole;
//  - remaining(), last(), size(), done() and pending_error() agree with the events.
// Input: byte 0 = options, byte 1 = split seed, byte 2 = number of BDAT chunks (1..8),
// then one byte per chunk size (0..255 octets), then the stream.
#include <smtpp/data.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"

namespace {

using smtpp::data_error;

struct outcome {
    std::string payload;
    std::string rest;
    data_error err = data_error::none;
    bool operator==(const outcome& o) const { return payload == o.payload && rest == o.rest && err == o.err; }
};

outcome run(const smtpp::bdat_options& o, const std::vector<std::uint64_t>& sizes,
            const std::vector<std::string_view>& chunks) {
    outcome r;
    smtpp::bdat_decoder d;
    std::size_t k = 0;  // the BDAT being read
    bool started = false;
    std::uint64_t left = 0;  // octets of the BDAT being read still to come
    std::vector<std::string_view> all = chunks;
    all.emplace_back();  // an empty read at the end delivers the last end events
    for (std::string_view in : all) {
        const char* b = in.data();
        const char* e = in.data() + in.size();
        while (k < sizes.size()) {
            if (!started) {
                const bool last = k + 1 == sizes.size();
                if (k == 0) d = smtpp::bdat_decoder(sizes[k], o, last);
                else d.next_chunk(sizes[k], last);
                started = true;
                left = sizes[k];
            }
            const auto ev = d.next(in);
            SMTPP_FUZZ_CHECK(ev.consumed <= in.size());
            left -= ev.consumed;
            SMTPP_FUZZ_CHECK(d.remaining() == left && d.last() == (k + 1 == sizes.size()));
            if (ev.kind == smtpp::data_event_kind::content) {
                SMTPP_FUZZ_CHECK(ev.content.data() == in.data() && ev.content.data() + ev.content.size() <= e &&
                                 ev.content.data() >= b && ev.content.size() == ev.consumed && !ev.content.empty());
                r.payload += ev.content;
                SMTPP_FUZZ_CHECK(d.size() == r.payload.size());  // every chunk so far
            }
            in.remove_prefix(ev.consumed);
            if (ev.kind == smtpp::data_event_kind::end) {
                SMTPP_FUZZ_CHECK(ev.consumed == 0 && d.done() && d.remaining() == 0);
                SMTPP_FUZZ_CHECK(d.pending_error() == ev.err);
                r.err = ev.err;
                ++k;
                started = false;
                continue;
            }
            if (in.empty()) break;
        }
        r.rest += in;
    }
    return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    smtpp::bdat_options o;
    o.reject_bare_newline = (data[0] & 1) != 0;
    o.reject_nul = (data[0] & 2) != 0;
    const std::uint64_t limits[] = {0, 1, 50, 300};
    o.max_size = limits[(data[0] >> 2) & 3];
    std::uint32_t seed = data[1];
    const std::size_t n = 1 + data[2] % 8;
    if (size < 3 + n) return 0;
    std::vector<std::uint64_t> sizes;
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < n; ++i) {
        sizes.push_back(data[3 + i]);
        total += data[3 + i];
    }
    const std::string_view s(reinterpret_cast<const char*>(data + 3 + n), size - 3 - n);
    if (total > s.size()) return 0;  // the stream holds every chunk in full

    // Reference: the payload is the first `total` octets, the rest is never touched.
    outcome want;
    const auto total_n = static_cast<std::size_t>(total);  // total <= s.size(): fits a size_t
    want.payload = std::string(s.substr(0, total_n));
    want.rest = std::string(s.substr(total_n));
    auto add = [&](data_error e) {
        if (smtpp::detail::data_error_rank(e) > smtpp::detail::data_error_rank(want.err)) want.err = e;
    };
    const std::string& m = want.payload;
    for (std::size_t i = 0; i < m.size(); ++i) {
        if (o.reject_bare_newline && m[i] == '\n' && (i == 0 || m[i - 1] != '\r')) add(data_error::bare_lf);
        if (o.reject_bare_newline && m[i] == '\r' && (i + 1 == m.size() || m[i + 1] != '\n')) add(data_error::bare_cr);
        if (o.reject_nul && m[i] == '\0') add(data_error::nul);
    }
    if (o.max_size != 0 && m.size() > o.max_size) add(data_error::too_big);

    const outcome whole = run(o, sizes, {s});
    SMTPP_FUZZ_CHECK(whole == want);
    SMTPP_FUZZ_CHECK(run(o, sizes, smtpp_fuzz::seeded_pieces(s, seed, 13)) == want);
    return 0;
}
