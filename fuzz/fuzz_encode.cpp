// Fuzz target for the body encoder (include/smtpp/encode.hpp, RFC 5321 §4.5.2 and
// §4.1.1.4, RFC 3030 §2). Properties:
//  1. split == whole: the wire and the verdict are the same whole, byte by byte and cut at
//     seeded positions; reset() gives the same wire again;
//  2. the verdict equals a reference (bare CR / bare LF refused under `strict`, never under
//     `normalize`), and the wire equals the reference encoding (CRLF line ends, "." doubled
//     at line starts, the terminator);
//  3. on the wire, never a bare CR or LF, and (DATA) every line that starts with "." is
//     stuffed ("..") except the terminator ".\r\n" at the very end;
//  4. decode(encode(body)) == body: the DATA wire through data_decoder (strict newlines)
//     and the BDAT wire through bdat_decoder (bare CR/LF refused) give back the canonical
//     body, with no error; under `strict` the canonical body is the input itself (plus the
//     final CRLF the terminator or final_crlf adds);
//  5. every piece is a view into the caller's chunk or a static literal, progress is
//     bounded, and the encoder never allocates.
// Input: byte 0 = options (bit 0 normalize, bit 1 no stuffing = BDAT, bit 2 no final_crlf),
// byte 1 = split seed, the rest = the body.
#include <smtpp/data.hpp>
#include <smtpp/encode.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#define SMTPP_FUZZ_COUNT_ALLOCATIONS
#include "fuzz_support.hpp"

namespace {
using smtpp::body_encoder;
using smtpp::encode_error;
using smtpp::encode_options;
using smtpp::newline_policy;
using smtpp_fuzz::allocations;
using smtpp_fuzz::counting;

struct encoded {
    std::string wire;
    encode_error err = encode_error::none;
    // Before a refusal, how much of the clean run was written depends on the cuts; the
    // verdict does not.
    bool operator==(const encoded& o) const { return err == o.err && (err != encode_error::none || wire == o.wire); }
};

bool is_literal(std::string_view p) {
    return p == "." || p == "\r\n" || p == "\n" || p == ".\r\n" || p == "\r\n.\r\n" || p == "\n.\r\n";
}

encoded encode(body_encoder& enc, const std::vector<std::string_view>& chunks) {
    encoded r;
    for (std::string_view in : chunks) {
        const char* b = in.data();
        const char* e = in.data() + in.size();
        std::size_t pieces = 0;
        const std::size_t chunk = in.size();
        while (!in.empty() && !enc.failed()) {
            const std::size_t before = in.size();
            counting = true;
            const std::string_view piece = enc.next(in);
            counting = false;
            SMTPP_FUZZ_CHECK(in.size() <= before);
            SMTPP_FUZZ_CHECK(++pieces <= 3 * chunk);
            if (enc.failed()) {
                SMTPP_FUZZ_CHECK(piece.empty());
                break;
            }
            SMTPP_FUZZ_CHECK(!piece.empty());
            const bool inside = piece.data() >= b && piece.data() + piece.size() <= e;
            SMTPP_FUZZ_CHECK(inside || is_literal(piece));
            // A view into the chunk is exactly the bytes it consumed.
            if (inside) SMTPP_FUZZ_CHECK(piece.data() + piece.size() == in.data());
            r.wire.append(piece.data(), piece.size());
        }
        if (enc.failed()) break;
    }
    if (!enc.failed()) {
        counting = true;
        const std::string_view last = enc.finish();
        counting = false;
        SMTPP_FUZZ_CHECK(last.empty() || is_literal(last));
        r.wire.append(last.data(), last.size());
    }
    counting = true;
    r.err = enc.error();
    counting = false;
    // After a failure nothing more comes out.
    if (r.err != encode_error::none) {
        std::string_view more = "x\r\n";
        SMTPP_FUZZ_CHECK(enc.next(more).empty() && enc.finish().empty());
    }
    return r;
}

// The reference: line ends made CRLF (or refused), "." doubled at line starts, the end.
encoded reference(std::string_view body, const encode_options& o, std::string* canonical) {
    encoded r;
    std::string canon;
    const bool norm = o.newline == newline_policy::normalize;
    for (std::size_t i = 0; i < body.size(); ++i) {
        const char c = body[i];
        if (c == '\r' && i + 1 < body.size() && body[i + 1] == '\n') {
            canon += "\r\n";
            ++i;
        } else if (c == '\r' || c == '\n') {
            if (!norm) {
                r.err = c == '\r' ? encode_error::bare_cr : encode_error::bare_lf;
                return r;
            }
            canon += "\r\n";
        } else {
            canon += c;
        }
    }
    // What the server receives: DATA always ends the last line; BDAT when final_crlf.
    const bool ends_line = canon.empty() || canon.back() == '\n';
    *canonical = canon;
    if (!ends_line && (o.stuff || o.final_crlf)) *canonical += "\r\n";
    if (!o.stuff) {
        r.wire = *canonical;
        return r;
    }
    bool bol = true;
    for (char c : canon) {
        if (bol && c == '.') r.wire += '.';
        r.wire += c;
        bol = c == '\n';
    }
    r.wire += bol ? ".\r\n" : "\r\n.\r\n";
    return r;
}

// Property 3 on a successful wire.
void check_wire(std::string_view w, bool stuff) {
    for (std::size_t i = 0; i < w.size(); ++i) {
        if (w[i] == '\r') SMTPP_FUZZ_CHECK(i + 1 < w.size() && w[i + 1] == '\n');
        if (w[i] == '\n') SMTPP_FUZZ_CHECK(i > 0 && w[i - 1] == '\r');
    }
    if (!stuff) return;
    SMTPP_FUZZ_CHECK(w.size() >= 3 && w.substr(w.size() - 3) == ".\r\n");
    SMTPP_FUZZ_CHECK(w.size() == 3 || w.substr(w.size() - 5, 2) == "\r\n");
    const std::size_t last_line = w.size() - 3;
    for (std::size_t at = 0; at < last_line;) {
        if (w[at] == '.') SMTPP_FUZZ_CHECK(at + 1 < w.size() && w[at + 1] == '.');
        const std::size_t eol = w.find("\r\n", at);
        SMTPP_FUZZ_CHECK(eol != std::string_view::npos);
        at = eol + 2;
    }
}

// Property 4: the server's decoders give the canonical body back.
void check_decoded(std::string_view wire, const encode_options& o, const std::string& canon) {
    std::string out;
    std::string_view in = wire;
    if (o.stuff) {
        smtpp::data_options dopt;  // strict line ends
        dopt.reject_nul = false;
        smtpp::data_decoder d(dopt);
        for (;;) {
            const auto ev = d.next(in);
            SMTPP_FUZZ_CHECK(ev.consumed <= in.size());
            in.remove_prefix(ev.consumed);
            if (ev.kind == smtpp::data_event_kind::content) out.append(ev.content.data(), ev.content.size());
            if (ev.kind == smtpp::data_event_kind::end) {
                SMTPP_FUZZ_CHECK(ev.err == smtpp::data_error::none);
                SMTPP_FUZZ_CHECK(in.empty());  // the terminator is the last thing on the wire
                break;
            }
            SMTPP_FUZZ_CHECK(ev.st != smtpp::status::need_more);
        }
    } else {
        smtpp::bdat_options bopt;
        bopt.reject_bare_newline = true;
        smtpp::bdat_decoder d(wire.size(), bopt, true);
        for (;;) {
            const auto ev = d.next(in);
            SMTPP_FUZZ_CHECK(ev.consumed <= in.size());
            in.remove_prefix(ev.consumed);
            if (ev.kind == smtpp::data_event_kind::content) out.append(ev.content.data(), ev.content.size());
            if (ev.kind == smtpp::data_event_kind::end) {
                SMTPP_FUZZ_CHECK(ev.err == smtpp::data_error::none);
                SMTPP_FUZZ_CHECK(in.empty());
                break;
            }
            SMTPP_FUZZ_CHECK(ev.st != smtpp::status::need_more);
        }
    }
    SMTPP_FUZZ_CHECK(out == canon);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    encode_options o;
    o.newline = (data[0] & 1) ? newline_policy::normalize : newline_policy::strict;
    o.stuff = (data[0] & 2) == 0;
    o.final_crlf = (data[0] & 4) == 0;
    std::uint32_t seed = data[1];
    const std::string_view s(reinterpret_cast<const char*>(data + 2), size - 2);

    allocations = 0;
    body_encoder enc(o);
    const encoded whole = encode(enc, {s});
    SMTPP_FUZZ_CHECK(allocations == 0);

    std::string canon;
    const encoded want = reference(s, o, &canon);
    SMTPP_FUZZ_CHECK(whole.err == want.err);
    if (want.err == encode_error::none) {
        SMTPP_FUZZ_CHECK(whole.wire == want.wire);
        check_wire(whole.wire, o.stuff);
        check_decoded(whole.wire, o, canon);
        // Under strict, what the server gets is the caller's bytes (and the last CRLF).
        if (o.newline == newline_policy::strict) SMTPP_FUZZ_CHECK(canon.compare(0, s.size(), s.data(), s.size()) == 0);
    }

    // reset(): the same encoder, the same wire.
    enc.reset();
    SMTPP_FUZZ_CHECK(enc.options().stuff == o.stuff && !enc.failed());
    const encoded again = encode(enc, {s});
    SMTPP_FUZZ_CHECK(again.err == whole.err && again.wire == whole.wire);

    std::vector<std::string_view> chunks = smtpp_fuzz::seeded_pieces(s, seed, 8, 300);
    body_encoder split_enc(o);
    const encoded split = encode(split_enc, chunks);
    SMTPP_FUZZ_CHECK(split == whole);
    chunks.clear();
    for (std::size_t i = 0; i < s.size(); ++i) chunks.push_back(s.substr(i, 1));
    body_encoder byte_enc(o);
    SMTPP_FUZZ_CHECK(encode(byte_enc, chunks) == whole);
    SMTPP_FUZZ_CHECK(smtpp::to_string(whole.err).size() > 0);
    return 0;
}
