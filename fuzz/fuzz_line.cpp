// Fuzz target for the line reader (include/smtpp/line.hpp). Properties:
//  - split == whole: the event sequence does not depend on how the stream is cut;
//  - the events equal an obviously correct reference (split at each LF, classify);
//  - every line view lies inside the chunk or inside the reader's own storage.
// Input: byte 0 = options (bits 0-2 limit, bit 3 bare LF, bits 4-6 storage: a
// line_reader<64>, or a basic_line_reader over an exactly sized heap buffer of 0..9
// bytes, smaller and larger than line_head_size), byte 1 = split seed (bits 3-5 also pick
// the limit set after discard()), the rest = the stream. After the stream: pending() and
// pending_error() match the unfinished line; discard() then set_max_line() give a reader
// that reads the stream again as a new one with that limit would.
#include <smtpp/line.hpp>

#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"

namespace {

constexpr std::size_t cap = 64;

struct event {
    smtpp::status st;
    smtpp::line_error err;
    std::string line;
    bool operator==(const event& o) const { return st == o.st && err == o.err && line == o.line; }
};

std::vector<event> reference(std::string_view s, std::size_t max, bool allow_lf) {
    std::vector<event> out;
    std::size_t start = 0;
    for (std::size_t lf = s.find('\n'); lf != std::string_view::npos; lf = s.find('\n', start)) {
        const std::string_view line = s.substr(start, lf + 1 - start);
        start = lf + 1;
        const bool crlf = line.size() >= 2 && line[line.size() - 2] == '\r';
        const std::string_view body = line.substr(0, line.size() - (crlf ? 2 : 1));
        smtpp::line_error e = smtpp::line_error::none;
        if (line.size() > max) e = smtpp::line_error::too_long;
        else if (body.find('\0') != std::string_view::npos) e = smtpp::line_error::nul;
        else if (body.find('\r') != std::string_view::npos) e = smtpp::line_error::bare_cr;
        else if (!crlf && !allow_lf) e = smtpp::line_error::bare_lf;
        if (e == smtpp::line_error::none) out.push_back({smtpp::status::complete, e, std::string(line)});
        // A refused line reports its first octets (at most line_head_size, LF excluded).
        else
            out.push_back({smtpp::status::failed, e,
                           std::string(line.substr(0, std::min(smtpp::line_head_size, line.size() - 1)))});
    }
    return out;
}

// A reader and the storage its lines may live in.
struct reader {
    std::size_t size;
    std::unique_ptr<char[]> heap;  // exactly `size` bytes: ASan sees any write past them
    smtpp::basic_line_reader basic;
    smtpp::line_reader<cap> owned;
    reader(std::size_t n, smtpp::line_options o)
        : size(n), heap(n == cap ? nullptr : new char[n]), basic(heap.get(), n, o), owned(o) {}
    smtpp::line_event next(std::string_view in) { return heap ? basic.next(in) : owned.next(in); }
    bool pending() const { return heap ? basic.pending() : owned.pending(); }
    smtpp::line_error pending_error() const { return heap ? basic.pending_error() : owned.pending_error(); }
    std::size_t max_line() const { return heap ? basic.max_line() : owned.max_line(); }
    void discard() { heap ? basic.discard() : owned.discard(); }
    void set_max_line(std::size_t n) { heap ? basic.set_max_line(n) : owned.set_max_line(n); }
    bool inside(const char* p, std::size_t n) const {
        const char* s = heap ? heap.get() : reinterpret_cast<const char*>(&owned);
        const std::size_t sz = heap ? size : sizeof owned;
        const char* b = reinterpret_cast<const char*>(&basic);  // its head_ (storage < 8 bytes)
        return (p >= s && p + n <= s + sz) || (p >= b && p + n <= b + sizeof basic);
    }
};

// What a reader holding the unfinished line `tail` (no LF in it) will refuse it for so far:
// too long once it has max octets (its LF would make it longer), else a NUL, else a CR
// followed by anything (a CR in last place may still be followed by its LF).
smtpp::line_error tail_error(std::string_view tail, std::size_t max) {
    if (!tail.empty() && tail.size() >= max) return smtpp::line_error::too_long;
    if (tail.find('\0') != std::string_view::npos) return smtpp::line_error::nul;
    if (tail.find('\r') < tail.size() - 1) return smtpp::line_error::bare_cr;
    return smtpp::line_error::none;
}

std::vector<event> run(reader& r, const std::vector<std::string_view>& chunks) {
    std::vector<event> out;
    for (std::string_view in : chunks) {
        const char* b = in.data();
        const char* e = in.data() + in.size();
        while (!in.empty()) {
            const auto ev = r.next(in);
            SMTPP_FUZZ_CHECK(ev.consumed <= in.size());
            if (ev.st != smtpp::status::need_more && !ev.line.empty()) {
                const char* p = ev.line.data();
                const bool in_chunk = p >= b && p + ev.line.size() <= e;
                SMTPP_FUZZ_CHECK(in_chunk || r.inside(p, ev.line.size()));
            }
            in.remove_prefix(ev.consumed);
            if (ev.st == smtpp::status::need_more) {
                SMTPP_FUZZ_CHECK(in.empty());
                break;
            }
            SMTPP_FUZZ_CHECK(ev.consumed != 0);
            out.push_back({ev.st, ev.err, std::string(ev.line)});
        }
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::size_t limits[] = {0, 1, 2, 5, 16, 63, 64, 512};
    smtpp::line_options o;
    o.max_line = limits[data[0] & 7];
    o.allow_bare_lf = (data[0] & 8) != 0;
    std::uint32_t seed = data[1];
    const std::size_t storages[] = {cap, cap, cap, cap, 0, 1, 7, 9};
    const std::size_t storage = storages[(data[0] >> 4) & 7];
    const std::string_view s(reinterpret_cast<const char*>(data + 2), size - 2);

    reader whole_reader(storage, o);
    const auto whole = run(whole_reader, {s});
    const std::size_t max = o.max_line < storage ? o.max_line : storage;
    SMTPP_FUZZ_CHECK(whole == reference(s, max, o.allow_bare_lf));

    // Chunk sizes from a small PRNG seeded by byte 1: 1..16 mostly, sometimes long.
    std::vector<std::string_view> chunks = smtpp_fuzz::seeded_pieces(s, seed, 16, 200);
    reader split_reader(storage, o);
    SMTPP_FUZZ_CHECK(run(split_reader, chunks) == whole);
    // Byte by byte.
    chunks.clear();
    for (std::size_t i = 0; i < s.size(); ++i) chunks.push_back(s.substr(i, 1));
    reader byte_reader(storage, o);
    SMTPP_FUZZ_CHECK(run(byte_reader, chunks) == whole);
    SMTPP_FUZZ_CHECK(byte_reader.pending() == split_reader.pending());

    // The unfinished line after the last LF: pending, and the error it carries so far.
    const std::size_t last_lf = s.rfind('\n');
    const std::string_view tail = last_lf == std::string_view::npos ? s : s.substr(last_lf + 1);
    SMTPP_FUZZ_CHECK(whole_reader.max_line() == max);
    for (const reader* r : {&whole_reader, &split_reader, &byte_reader}) {
        SMTPP_FUZZ_CHECK(r->pending() == !tail.empty());
        SMTPP_FUZZ_CHECK(r->pending_error() == tail_error(tail, max));
    }
    // discard() (after STARTTLS, RFC 3207 §4.2) drops the unfinished line: the reader then
    // reads the stream again as a new one would, under a limit set with set_max_line().
    const std::size_t max2_option = limits[(seed >> 3) & 7];
    const std::size_t max2 = max2_option < storage ? max2_option : storage;
    byte_reader.discard();
    SMTPP_FUZZ_CHECK(!byte_reader.pending());
    SMTPP_FUZZ_CHECK(byte_reader.pending_error() == smtpp::line_error::none);
    byte_reader.set_max_line(max2_option);
    SMTPP_FUZZ_CHECK(byte_reader.max_line() == max2);
    SMTPP_FUZZ_CHECK(run(byte_reader, {s}) == reference(s, max2, o.allow_bare_lf));
    SMTPP_FUZZ_CHECK(byte_reader.pending_error() == tail_error(tail, max2));
    return 0;
}
