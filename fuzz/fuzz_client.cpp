// Fuzz target for the client session (include/smtpp/client.hpp): hostile server bytes
// through reply_reader → reply_collector → client_step, with every host event answered
// (TLS up, the body through body_encoder or BDAT, two messages then QUIT).
//
// Input: byte 0 = configuration bits (LMTP, PIPELINING, CHUNKING, TLS opportunistic /
// required, credentials, mechanism), byte 1 = piece size for the split run (low six bits)
// and the envelope (high two bits: see make_runner), then the server stream; a stream
// starting with "!" makes the host eager (calls out of phase, replies handed over while
// idle: the client must refuse both), and a stream starting with "~" (before any "!")
// gives the recipients one at a time (envelope::one_at_a_time: client_recipient() on
// next_recipient, the same list, then client_recipients_done()); then "#" n offers the
// client only 8 + n octets of output buffer (its no_space paths); then "%" gives a password
// so long that AUTH goes without an initial response (RFC 4954 §4: the line would pass 512);
// then "&" gives recipients the host got wrong (a space in one, an ORCPT without "type;").
// Wrong codes, multi-line code changes, replies before the command, 334 loops, unexpected
// 354 and bytes after a STARTTLS 220 all come from the stream.
//
// The TLS handshake: the first octet 0x1E (ASCII RS, `handshake_mark`) of the stream, after
// the prefixes above, splits it in two. The octets before it are the server's cleartext;
// the octets after it are what the server sends once the handshake is done (the TLS stream,
// later 0x1E octets included). The host completes the handshake whenever the client asks
// for it (client_action::start_tls), and only then hands it the second part: a cleartext
// that ends before the client asks reads as the end of the connection. Octets between the
// 220 to STARTTLS and the mark are cleartext pipelined behind the 220 — response injection,
// which the client must refuse (RFC 3207 §4.2; CVE-2021-38371 class, the client's side of
// CVE-2011-0411). A stream without the mark is the cleartext alone (an empty TLS stream), as
// before the mark existed (no seed held a 0x1E then). No 0x1E of the cleartext reaches the
// reader, which refuses control characters in reply text anyway (except in an EHLO
// greeting: the other control octets cover that).
//
// Properties, each reported with __builtin_trap() (SMTPP_FUZZ_CHECK):
//   1. every command written parses back strictly (SASL responses and the body aside),
//      ends with CRLF, and is one the RFC allows there: no MAIL before a 250 to
//      EHLO/HELO, no RCPT outside a transaction, no DATA without an accepted recipient
//      unless pipelined, no AUTH in clear, nothing written with start_tls;
//   2. the client never waits without a timeout, and never reads in a phase the table
//      says awaits nothing; every step is an edge of the table;
//   3. a recipient is reported accepted only on a 2xx to its RCPT, in RCPT order, after its
//      RCPT was written; one refused locally (one at a time) is refused, with an error,
//      code 0, nothing written, and the index the next RCPT takes; an LMTP
//      delivery only for an accepted recipient; a message only when one was accepted;
//   4. split ≡ whole: the stream in pieces gives the same writes and events (the
//      handshake is one of them; the TLS stream is cut in pieces as the cleartext is);
//   5. zero allocations in the reader, the collector, the encoder and the client;
//   6. TLS (RFC 3207): the client asks for the handshake only on a 220 to STARTTLS with no
//      octet behind it (else it fails with response_injection, writing nothing), writes
//      nothing and takes no other call (eager) until the handshake is done, then writes
//      EHLO (LHLO) and nothing else, with every capability forgotten (§4.2); it never
//      writes STARTTLS twice, HELO after TLS, or MAIL / AUTH in clear when TLS is required
//      (or, opportunistic, offered and not refused);
//   7. the capabilities in force are those of the last 250 to EHLO/LHLO in this TLS state
//      (none after HELO, none after the handshake until the new EHLO is answered): the
//      state holds exactly them, and no command uses one not offered there — STARTTLS, AUTH
//      and its mechanism, SIZE, BODY, SMTPUTF8, DSN parameters, BDAT, several commands in
//      one write (PIPELINING); `session` is reported only after a 250 to the latest hello,
//      after TLS when it is required, and after a 235 when credentials are given.
#include <smtpp/client.hpp>
#include <smtpp/encode.hpp>

#include <cstddef>
#include <cstdint>

#define SMTPP_FUZZ_COUNT_ALLOCATIONS
#include "fuzz_support.hpp"

namespace {
using namespace smtpp;
using smtpp_fuzz::allocations;
using smtpp_fuzz::counting;

// Splits the stream: cleartext before it, the TLS stream after it (see the header).
constexpr char handshake_mark = '\x1e';

constexpr std::string_view rcpts[] = {"c@d.example", "e@f.example", "g@h.example"};
constexpr std::string_view orcpts[] = {"rfc822;c@d.example", "rfc822;e@f.example", "utf-8;g@h.example"};
constexpr std::string_view odd_rcpts[] = {"Postmaster", "\xC3\xBC@example.org", "x@example.org"};
// The host's mistakes: a recipient the formatter refuses (a space) and an ORCPT without its
// "type;" (RFC 3461 §4.2): refused locally, never written.
constexpr std::string_view bad_rcpts[] = {"c@d.example", "bad address@d.example", "e@f.example"};
constexpr std::string_view bad_orcpts[] = {"rfc822;c@d.example", "rfc822;x@d.example", "no-type"};
// Enough long recipients that a pipelined batch does not fit the 1 KiB output buffer.
constexpr std::string_view many_rcpts[] = {
    "recipient-with-a-rather-long-local-part-00@subdomain.example.org",
    "recipient-with-a-rather-long-local-part-01@subdomain.example.org",
    "recipient-with-a-rather-long-local-part-02@subdomain.example.org",
    "recipient-with-a-rather-long-local-part-03@subdomain.example.org",
    "recipient-with-a-rather-long-local-part-04@subdomain.example.org",
    "recipient-with-a-rather-long-local-part-05@subdomain.example.org",
    "recipient-with-a-rather-long-local-part-06@subdomain.example.org",
    "recipient-with-a-rather-long-local-part-07@subdomain.example.org",
    "recipient-with-a-rather-long-local-part-08@subdomain.example.org",
    "recipient-with-a-rather-long-local-part-09@subdomain.example.org",
    "recipient-with-a-rather-long-local-part-10@subdomain.example.org",
    "recipient-with-a-rather-long-local-part-11@subdomain.example.org",
    "recipient-with-a-rather-long-local-part-12@subdomain.example.org",
    "recipient-with-a-rather-long-local-part-13@subdomain.example.org",
    "recipient-with-a-rather-long-local-part-14@subdomain.example.org",
    "recipient-with-a-rather-long-local-part-15@subdomain.example.org",
    "recipient-with-a-rather-long-local-part-16@subdomain.example.org",
    "recipient-with-a-rather-long-local-part-17@subdomain.example.org",
};
constexpr std::string_view body = "Subject: x\r\n\r\n.dot line\r\nlast";
// 400 octets: AUTH PLAIN / XOAUTH2 with it as initial response would pass 512 (RFC 4954 §4).
constexpr char long_password_bytes[401] =
    "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
    "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
    "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
    "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789";
constexpr std::string_view long_password(long_password_bytes, 400);

struct model {
    bool greeted = false;
    bool in_txn = false;
    int rcpt_written = 0;
    std::size_t given = 0;  // one at a time: recipients the client took
    int rcpt_reported = 0;
    int rcpt_accepted = 0;
    bool closed = false;
    bool tls_refused = false;  // STARTTLS had a 4xx/5xx
    // What the last 250 to EHLO/LHLO offered in the present TLS state (RFC 3207 §4.2: the
    // handshake forgets it; HELO offers nothing).
    bool esmtp = false;
    std::uint32_t ext = 0;
    std::uint32_t mechs = 0;
    std::uint64_t size = 0;
    [[nodiscard]] bool offered(ehlo_ext e) const { return esmtp && (ext & static_cast<std::uint32_t>(e)) != 0; }
    [[nodiscard]] bool offered(sasl_mech k) const { return (mechs & static_cast<std::uint32_t>(k)) != 0; }
};

struct runner {
    client_config cfg{};
    envelope env{};
    std::uint64_t hash = 14695981039346656037ull;
    model m{};
    bool tls = false;
    char out[1024] = {};
    std::size_t cap = 1024;  // the output capacity the host offers (small: no_space paths)
    std::size_t chunk = 0;   // BDAT chunk size, 0 = one LAST chunk
    std::uint64_t bdat_sent = 0;
    // One at a time: the recipients (and ORCPTs) the host gives; `env` has none.
    const std::string_view* list = nullptr;
    std::size_t list_n = 0;
    const std::string_view* list_orcpt = nullptr;

    void mix(std::string_view s) {
        for (char c : s) {
            hash ^= static_cast<unsigned char>(c);
            hash *= 1099511628211ull;
        }
        hash ^= 0xFF;
        hash *= 1099511628211ull;
    }
    void mix(std::uint64_t v) {
        hash ^= v;
        hash *= 1099511628211ull;
    }

    void check_write(const client_state& before, const client_result& r) {
        std::string_view w = r.write;
        mix(w);
        int lines = 0;
        while (!w.empty()) {
            const std::size_t e = w.find("\r\n");
            SMTPP_FUZZ_CHECK(e != std::string_view::npos);
            const std::string_view line = w.substr(0, e + 2);
            w.remove_prefix(e + 2);
            // Several commands in one write: only under PIPELINING offered now (RFC 2920 §3.1).
            if (++lines > 1) SMTPP_FUZZ_CHECK(m.offered(ehlo_ext::pipelining));
            if (before.phase == client_phase::auth || line == ".\r\n") continue;
            command c;
            parse_options po;
            po.allow_helo_address_literal = true;
            po.max_line = 2048;
            po.smtputf8 = true;
            po.smtputf8_transaction = true;
            SMTPP_FUZZ_CHECK(parse_command(line, c, po) == command_error::none);
            switch (c.verb) {
                case verb::mail:
                    SMTPP_FUZZ_CHECK(m.greeted);
                    SMTPP_FUZZ_CHECK(secure_enough());
                    // Parameters only of extensions offered in this TLS state (RFC 1870 §6,
                    // RFC 6152 §2, RFC 3030 §3, RFC 6531 §3.4, RFC 3461 §4; RFC 3207 §4.2).
                    SMTPP_FUZZ_CHECK(!c.params.has(p_size) || m.offered(ehlo_ext::size));
                    SMTPP_FUZZ_CHECK(!c.params.has(p_body) || c.params.body != body_type::eight_bit_mime ||
                                     m.offered(ehlo_ext::eightbitmime));
                    SMTPP_FUZZ_CHECK(!c.params.has(p_body) || c.params.body != body_type::binary_mime ||
                                     (m.offered(ehlo_ext::chunking) && m.offered(ehlo_ext::binarymime)));
                    SMTPP_FUZZ_CHECK(!c.params.has(p_smtputf8) || m.offered(ehlo_ext::smtputf8));
                    SMTPP_FUZZ_CHECK(!c.params.has(p_ret) || m.offered(ehlo_ext::dsn));
                    SMTPP_FUZZ_CHECK(!c.params.has(p_envid) || m.offered(ehlo_ext::dsn));
                    m.in_txn = true;
                    m.rcpt_reported = 0;
                    m.rcpt_accepted = 0;
                    m.rcpt_written = 0;
                    break;
                case verb::rcpt:
                    SMTPP_FUZZ_CHECK(m.in_txn);
                    SMTPP_FUZZ_CHECK(!c.params.has(p_notify) || m.offered(ehlo_ext::dsn));
                    SMTPP_FUZZ_CHECK(!c.params.has(p_orcpt) || m.offered(ehlo_ext::dsn));
                    ++m.rcpt_written;
                    break;
                case verb::data:
                case verb::bdat:
                    SMTPP_FUZZ_CHECK(m.in_txn);
                    SMTPP_FUZZ_CHECK(r.next.has(cf_pipelined) || m.rcpt_accepted > 0);
                    SMTPP_FUZZ_CHECK(c.verb == verb::data || m.offered(ehlo_ext::chunking));
                    break;
                case verb::auth: {
                    SMTPP_FUZZ_CHECK(tls || cfg.auth_without_tls);
                    SMTPP_FUZZ_CHECK(secure_enough());
                    // RFC 4954 §4: after a 250 to EHLO in this TLS state that offered AUTH
                    // and the mechanism.
                    SMTPP_FUZZ_CHECK(m.greeted && m.offered(ehlo_ext::auth));
                    SMTPP_FUZZ_CHECK(c.mechanism_id == sasl_mechanism::plain ||
                                     c.mechanism_id == sasl_mechanism::login ||
                                     c.mechanism_id == sasl_mechanism::xoauth2);
                    const sasl_mech k = c.mechanism_id == sasl_mechanism::plain   ? sasl_mech::plain
                                        : c.mechanism_id == sasl_mechanism::login ? sasl_mech::login
                                                                                  : sasl_mech::xoauth2;
                    SMTPP_FUZZ_CHECK(m.offered(k));
                    break;
                }
                case verb::starttls:  // once, in clear, when offered (RFC 3207 §4)
                    SMTPP_FUZZ_CHECK(!tls && cfg.tls != tls_mode::none && m.offered(ehlo_ext::starttls));
                    break;
                case verb::helo:  // the fallback of RFC 5321 §3.2, never after TLS (EHLO must work)
                    SMTPP_FUZZ_CHECK(!tls && !cfg.lmtp);
                    break;
                case verb::ehlo: SMTPP_FUZZ_CHECK(!cfg.lmtp); break;
                case verb::lhlo: SMTPP_FUZZ_CHECK(cfg.lmtp); break;
                case verb::rset:
                case verb::quit: break;
                default: SMTPP_FUZZ_CHECK(false);
            }
        }
    }

    // MAIL and AUTH in clear only when TLS is not wanted, or not to be had: not offered in
    // the last EHLO, or refused (RFC 3207 §4: a client that requires TLS stops instead).
    [[nodiscard]] bool secure_enough() const {
        if (tls || cfg.tls == tls_mode::none) return true;
        return cfg.tls == tls_mode::opportunistic && (!m.offered(ehlo_ext::starttls) || m.tls_refused);
    }

    void check(const client_state& before, std::uint16_t code, const client_result& r) {
        SMTPP_FUZZ_CHECK(!m.closed);
        if (before.phase == client_phase::starttls && code >= 400) m.tls_refused = true;
        // The state holds what the last hello in this TLS state offered, nothing older.
        SMTPP_FUZZ_CHECK(r.next.has(cf_tls) == tls && r.next.has(cf_esmtp) == m.esmtp);
        SMTPP_FUZZ_CHECK(r.next.extensions == m.ext && r.next.auth_mechanisms == m.mechs && r.next.size == m.size);
        if (r.event == client_event::session) {
            SMTPP_FUZZ_CHECK(m.greeted && (tls || cfg.tls != tls_mode::required));
            SMTPP_FUZZ_CHECK(cfg.user.empty() || (before.phase == client_phase::auth && code == 235));
        }
        mix((static_cast<std::uint64_t>(r.event) << 32) | (static_cast<std::uint64_t>(r.error) << 24) |
            (static_cast<std::uint64_t>(r.act) << 16) | r.code);
        if (r.act == client_action::read_reply || r.act == client_action::send_body) SMTPP_FUZZ_CHECK(r.timeout > 0);
        if (r.act == client_action::read_reply)
            SMTPP_FUZZ_CHECK(detail::client_transitions[static_cast<std::size_t>(r.next.phase)][0].next != 0);
        if (code != 0) SMTPP_FUZZ_CHECK(detail::in_table(before.phase, code, r.next.phase));
        if (r.act == client_action::start_tls) SMTPP_FUZZ_CHECK(r.write.empty());
        if (r.event == client_event::recipient && r.error != client_error::none) {  // refused locally
            SMTPP_FUZZ_CHECK(env.one_at_a_time && before.phase == client_phase::recipient && code == 0);
            SMTPP_FUZZ_CHECK(r.outcome == outcome::refused && r.code == 0 && r.write.empty() && r.taken);
            SMTPP_FUZZ_CHECK(r.index == r.next.rcpt_sent);
        } else if (r.event == client_event::recipient) {
            SMTPP_FUZZ_CHECK(r.index == m.rcpt_reported && m.rcpt_reported < m.rcpt_written);
            ++m.rcpt_reported;
            if (r.outcome == outcome::accepted) {
                SMTPP_FUZZ_CHECK(code >= 200 && code < 300);
                ++m.rcpt_accepted;
            }
        }
        if (r.event == client_event::message && r.outcome == outcome::accepted) SMTPP_FUZZ_CHECK(m.rcpt_accepted > 0);
        if (r.event == client_event::delivery) SMTPP_FUZZ_CHECK(r.index < m.rcpt_accepted);
        if (r.event == client_event::message || r.event == client_event::failed) m.in_txn = false;
        if (r.act == client_action::close) m.closed = true;
        check_write(before, r);
    }

    // Reads one complete reply into `collector`; false at the end of the stream or on a
    // malformed reply (both mixed into the hash).
    bool read_reply(reply_reader& reader, reply_collector& collector, std::string_view& in, std::string_view& rest,
                    std::size_t piece) {
        for (;;) {
            if (in.empty()) {
                if (rest.empty()) {
                    mix(std::string_view("eof"));
                    return false;
                }
                const std::size_t n = piece < rest.size() ? piece : rest.size();
                in = rest.substr(0, n);
                rest.remove_prefix(n);
            }
            reply_line ln;
            const status s = reader.next_line(in, ln);
            if (s == status::failed) {
                mix(static_cast<std::uint64_t>(reader.error()));
                return false;
            }
            if (s == status::need_more) continue;
            if (collector.add(ln)) {
                collector.set_trailing(!in.empty() || !rest.empty() || reader.in_reply());
                return true;
            }
        }
    }

    // The whole conversation over `stream` (cleartext) and, once the client asked for the
    // handshake, `secure` (the TLS stream), fed to the reader `piece` octets at a time.
    // `eager`: the host also makes calls the phase does not take, and hands the client
    // replies that arrive while it is idle.
    std::uint64_t run(std::string_view stream, std::string_view secure, std::size_t piece, bool eager) {
        reply_reader reader;
        reply_collector collector;
        std::string_view rest = stream;  // not yet given to the reader
        std::string_view in;             // the piece being read
        int sent = 0;
        client_result r = client_start(cfg);
        for (int guard = 0; guard < 4096; ++guard) {
            const client_state st = r.next;
            switch (r.act) {
                case client_action::read_reply: {
                    if (eager) {
                        // While a reply is awaited, no host call is taken (the phase is not
                        // ready, body, recipient or tls), and none writes anything.
                        const client_result w[] = {client_send(cfg, env, st, out, cap),
                                                   client_quit(cfg, st),
                                                   client_body_done(cfg, st),
                                                   client_chunk(cfg, st, 1, false, out, cap),
                                                   client_recipient(cfg, env, st, "a@b.example", {}, out, cap),
                                                   client_recipients_done(cfg, env, st, out, cap),
                                                   client_tls_established(cfg, st, out, cap)};
                        for (const client_result& x : w)
                            SMTPP_FUZZ_CHECK(x.act == client_action::close && x.error == client_error::invalid_call &&
                                             x.write.empty() && x.next.phase == client_phase::closed);
                    }
                    if (r.expect_ehlo) reader.expect_ehlo();
                    if (!read_reply(reader, collector, in, rest, piece)) return hash;
                    const server_reply& rep = collector.reply();
                    const std::uint16_t code = rep.code;
                    if (st.phase == client_phase::ehlo || st.phase == client_phase::helo) m.greeted = code == 250;
                    if (code == 250 && st.phase == client_phase::ehlo) {  // what is offered from now on
                        m.esmtp = true;
                        m.ext = rep.extensions;
                        m.mechs = rep.auth_mechanisms;
                        m.size = (rep.extensions & static_cast<std::uint32_t>(ehlo_ext::size)) != 0 ? rep.size : 0;
                    } else if (code == 250 && st.phase == client_phase::helo) {  // nothing (RFC 5321 §4.1.1.1)
                        m.esmtp = false;
                        m.ext = 0;
                        m.mechs = 0;
                        m.size = 0;
                    }
                    r = client_step(cfg, env, st, rep, out, cap);
                    check(st, code, r);
                    if (st.phase == client_phase::starttls && code == 220) {
                        // RFC 3207 §4.2: octets behind the 220 are refused, nothing written;
                        // else the handshake, and nothing written before it.
                        if (rep.trailing) {
                            SMTPP_FUZZ_CHECK(r.act == client_action::close && r.event == client_event::failed &&
                                             r.error == client_error::response_injection && r.write.empty());
                        } else {
                            SMTPP_FUZZ_CHECK(r.act == client_action::start_tls && r.next.phase == client_phase::tls);
                        }
                    }
                    break;
                }
                case client_action::start_tls: {
                    // Nothing of the cleartext is left: the client asked for the handshake
                    // on a 220 with no octet behind it, once.
                    SMTPP_FUZZ_CHECK(in.empty() && rest.empty() && !reader.in_reply() && !tls);
                    SMTPP_FUZZ_CHECK(st.phase == client_phase::tls);
                    if (eager) {
                        // Until the handshake is done, no call but client_tls_established is
                        // taken, and none writes anything.
                        envelope one = env;
                        one.one_at_a_time = true;
                        const client_result w[] = {client_send(cfg, env, st, out, cap),
                                                   client_quit(cfg, st),
                                                   client_body_done(cfg, st),
                                                   client_chunk(cfg, st, 1, true, out, cap),
                                                   client_recipient(cfg, one, st, "a@b.example", {}, out, cap),
                                                   client_recipients_done(cfg, one, st, out, cap)};
                        for (const client_result& x : w)
                            SMTPP_FUZZ_CHECK(x.act == client_action::close && x.error == client_error::invalid_call &&
                                             x.write.empty() && x.next.phase == client_phase::closed);
                        // A reply now (cleartext behind the 220, or TLS octets) is not awaited.
                        const client_result y = client_step(cfg, env, st, collector.reply(), out, cap);
                        SMTPP_FUZZ_CHECK(y.act == client_action::close && y.error == client_error::unexpected_reply &&
                                         y.write.empty() && y.next.phase == client_phase::closed);
                    }
                    // The handshake: from now on the server's octets are the TLS stream.
                    tls = true;
                    mix(std::string_view("handshake"));
                    m.greeted = false;
                    m.esmtp = false;
                    m.ext = 0;
                    m.mechs = 0;
                    m.size = 0;
                    reader.reset();
                    in = {};
                    rest = secure;
                    secure = {};
                    r = client_tls_established(cfg, st, out, cap);
                    // RFC 3207 §4.2: EHLO (LHLO) again, alone, everything learned forgotten.
                    SMTPP_FUZZ_CHECK(r.act == client_action::read_reply && r.expect_ehlo &&
                                     r.event == client_event::none && r.next.phase == client_phase::ehlo);
                    SMTPP_FUZZ_CHECK(r.next.flags == cf_tls && r.next.extensions == 0 && r.next.auth_mechanisms == 0 &&
                                     r.next.size == 0);
                    {
                        command c;
                        parse_options po;
                        po.allow_helo_address_literal = true;
                        SMTPP_FUZZ_CHECK(parse_command(r.write, c, po) == command_error::none);
                        SMTPP_FUZZ_CHECK(c.line.size() == r.write.size() && c.argument == cfg.helo);
                        SMTPP_FUZZ_CHECK(c.verb == (cfg.lmtp ? verb::lhlo : verb::ehlo));
                    }
                    check(st, 0, r);
                    break;
                }
                case client_action::send_body:
                    if (eager) {
                        const client_result x = r.bdat ? client_body_done(cfg, st)
                                                       : client_chunk(cfg, st, 1, true, out, cap);
                        SMTPP_FUZZ_CHECK(x.act == client_action::close && x.error == client_error::invalid_call);
                        const client_result y = client_send(cfg, env, st, out, cap);
                        SMTPP_FUZZ_CHECK(y.act == client_action::close && y.error == client_error::invalid_call);
                        const client_result z = client_quit(cfg, st);
                        SMTPP_FUZZ_CHECK(z.act == client_action::close && z.error == client_error::invalid_call);
                    }
                    if (!r.bdat) {
                        body_encoder enc;
                        std::string_view b = body;
                        while (!b.empty()) mix(enc.next(b));
                        mix(enc.finish());
                        SMTPP_FUZZ_CHECK(!enc.failed());
                        r = client_body_done(cfg, st);
                    } else {
                        const auto left = static_cast<std::size_t>(body.size() - bdat_sent);  // <= body.size()
                        const std::size_t n = chunk == 0 || left <= chunk ? left : chunk;
                        const bool last = bdat_sent + n == body.size();
                        r = client_chunk(cfg, st, n, last, out, cap);
                        bdat_sent = last ? 0 : bdat_sent + n;
                    }
                    check(st, 0, r);
                    break;
                case client_action::ready:
                    if (eager) {
                        // Calls the phase does not take are refused, never acted on.
                        const client_result w[] = {client_body_done(cfg, st), client_chunk(cfg, st, 1, true, out, cap),
                                                   client_tls_established(cfg, st, out, cap)};
                        for (const client_result& x : w)
                            SMTPP_FUZZ_CHECK(x.act == client_action::close && x.error == client_error::invalid_call &&
                                             x.write.empty());
                        // Recipients one at a time only after MAIL, in the recipient phase.
                        envelope one = env;
                        one.one_at_a_time = true;
                        const client_result v[] = {client_recipient(cfg, one, st, "a@b.example", {}, out, cap),
                                                   client_recipients_done(cfg, one, st, out, cap)};
                        for (const client_result& x : v)
                            SMTPP_FUZZ_CHECK(x.act == client_action::close && x.error == client_error::invalid_call &&
                                             x.write.empty());
                        // An envelope without recipients (none, no list, more than 65535) is
                        // refused as a message, nothing written, the connection kept.
                        envelope empty = env;
                        empty.one_at_a_time = false;
                        const std::string_view some[] = {"a@b.example"};
                        const std::size_t counts[] = {0, 1, 0x10000};
                        for (const std::size_t n : counts) {
                            empty.to_count = n;
                            empty.to = n == 0x10000 ? some : nullptr;
                            const client_result x = client_send(cfg, empty, st, out, cap);
                            SMTPP_FUZZ_CHECK(
                                x.act == client_action::ready && x.error == client_error::no_recipient_given &&
                                x.outcome == outcome::refused && x.write.empty() && x.next.phase == st.phase);
                        }
                        // A reply nobody asked for (sent before the command): refused.
                        if (!in.empty() || !rest.empty()) {
                            if (!read_reply(reader, collector, in, rest, piece)) return hash;
                            r = client_step(cfg, env, st, collector.reply(), out, cap);
                            SMTPP_FUZZ_CHECK(r.act == client_action::close &&
                                             r.error == client_error::unexpected_reply);
                            check(st, 0, r);
                            break;
                        }
                    }
                    m.given = 0;
                    r = sent++ < 2 ? client_send(cfg, env, st, out, cap) : client_quit(cfg, st);
                    check(st, 0, r);
                    break;
                case client_action::next_recipient: {
                    SMTPP_FUZZ_CHECK(env.one_at_a_time && r.write.empty());
                    if (eager) {
                        envelope span = env;  // a span envelope takes no recipient one at a time
                        span.one_at_a_time = false;
                        const client_result w[] = {client_body_done(cfg, st), client_quit(cfg, st),
                                                   client_send(cfg, env, st, out, cap),
                                                   client_recipient(cfg, span, st, "a@b.example", {}, out, cap),
                                                   client_recipients_done(cfg, span, st, out, cap)};
                        for (const client_result& x : w)
                            SMTPP_FUZZ_CHECK(x.act == client_action::close && x.error == client_error::invalid_call &&
                                             x.write.empty());
                    }
                    if (m.given < list_n) {
                        const std::string_view o = list_orcpt == nullptr ? std::string_view{} : list_orcpt[m.given];
                        r = client_recipient(cfg, env, st, list[m.given], o, out, cap);
                        if (r.taken) ++m.given;
                    } else {
                        r = client_recipients_done(cfg, env, st, out, cap);
                    }
                    check(st, 0, r);
                    break;
                }
                case client_action::close: return hash;
            }
        }
        SMTPP_FUZZ_CHECK(false);  // the conversation must end by itself
        return hash;
    }
};

// `bits` configures the client, `env_kind` the envelope: 0 plain, 1 DSN + SIZE + 8BITMIME,
// 2 null sender, <Postmaster> and a UTF-8 recipient, 3 BINARYMIME in small BDAT chunks to
// 18 long recipients.
runner make_runner(std::uint8_t bits, unsigned env_kind, bool one_at_a_time, bool bad) {
    runner r;
    r.cfg.helo = "client.example";
    r.cfg.lmtp = (bits & 1) != 0;
    r.cfg.use_pipelining = (bits & 2) != 0;
    r.cfg.use_chunking = (bits & 4) != 0;
    r.cfg.tls = (bits & 24) == 8 ? tls_mode::opportunistic : (bits & 24) == 16 ? tls_mode::required : tls_mode::none;
    if ((bits & 32) != 0) {
        r.cfg.user = "user";
        r.cfg.password = "password";
        r.cfg.auth_without_tls = (bits & 24) == 24;
    }
    r.cfg.mechanism = static_cast<client_mechanism>((bits >> 6) & 3);
    r.env.from = "a@b.example";
    r.env.to = rcpts;
    r.env.to_count = 3;
    r.env.size = body.size();
    if (env_kind == 1) {
        r.env.orcpt = orcpts;
        r.env.ret = ret_type::hdrs;
        r.env.envid = "QQ314159";
        r.env.notify = notify_success | notify_failure;
        r.env.body = body_type::eight_bit_mime;
    } else if (env_kind == 2) {
        r.env.from = "";
        r.env.to = odd_rcpts;
        r.env.ret = ret_type::full;
        r.env.envid = "X";
        r.env.smtputf8 = one_at_a_time;  // a UTF-8 recipient is to come (envelope::one_at_a_time)
    } else if (env_kind == 3) {
        r.env.to = many_rcpts;
        r.env.to_count = sizeof many_rcpts / sizeof many_rcpts[0];
        r.env.body = body_type::binary_mime;
        r.chunk = 7;
    }
    if (bad) {  // DSN envelope: the addresses are good, the last ORCPT is not
        r.env.to = env_kind == 1 ? rcpts : bad_rcpts;
        r.env.to_count = 3;
        r.env.orcpt = bad_orcpts;
    }
    if (one_at_a_time) {  // the same recipients, given when asked
        r.list = r.env.to;
        r.list_n = r.env.to_count;
        r.list_orcpt = r.env.orcpt;
        r.env.to = nullptr;
        r.env.to_count = 0;
        r.env.orcpt = nullptr;
        r.env.one_at_a_time = true;
    }
    return r;
}

}  // namespace

// The names are total and dense: every value up to the last has its own non-empty name,
// every value past it reads "?" / "unknown" (enum values are append-only).
static void check_names() {
    std::string_view seen[256];
    bool past = false;
    for (unsigned v = 0; v < 256; ++v) {
        const std::string_view n = to_string(static_cast<client_phase>(v));
        SMTPP_FUZZ_CHECK(!n.empty());
        SMTPP_FUZZ_CHECK((n == "?") == (v >= client_phase_count));
        for (unsigned k = 0; k < v && v < client_phase_count; ++k) SMTPP_FUZZ_CHECK(seen[k] != n);
        seen[v] = n;
    }
    for (unsigned v = 0; v < 256; ++v) {
        const std::string_view n = to_string(static_cast<client_error>(v));
        SMTPP_FUZZ_CHECK(!n.empty());
        if (n == "unknown") past = true;
        SMTPP_FUZZ_CHECK(past == (n == "unknown"));
        SMTPP_FUZZ_CHECK((v == 0) == (n == "none"));
        for (unsigned k = 0; k < v && !past; ++k) SMTPP_FUZZ_CHECK(seen[k] != n);
        seen[v] = n;
    }
    SMTPP_FUZZ_CHECK(past);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    check_names();
    if (size < 2) return 0;
    const std::uint8_t bits = data[0];
    const std::size_t piece = static_cast<std::size_t>(data[1] % 64) + 1;
    const unsigned env_kind = data[1] >> 6;
    std::string_view stream(reinterpret_cast<const char*>(data + 2), size - 2);
    // A stream starting with "~" gives the recipients one at a time; then "!" (neither is
    // ever a reply) runs the eager host (see runner::run).
    const bool one = !stream.empty() && stream[0] == '~';
    if (one) stream.remove_prefix(1);
    const bool eager = !stream.empty() && stream[0] == '!';
    if (eager) stream.remove_prefix(1);
    // Then "#" n: the host offers only 8 + n octets of output buffer (every no_space path).
    std::size_t cap = 1024;
    if (stream.size() >= 2 && stream[0] == '#') {
        cap = 8 + static_cast<std::uint8_t>(stream[1]);
        stream.remove_prefix(2);
    }
    const bool long_pass = !stream.empty() && stream[0] == '%';
    if (long_pass) stream.remove_prefix(1);
    const bool bad = !stream.empty() && stream[0] == '&';
    if (bad) stream.remove_prefix(1);
    // Then the cleartext, up to the handshake mark, and the TLS stream after it.
    std::string_view secure{};
    const std::size_t mark = stream.find(handshake_mark);
    if (mark != std::string_view::npos) {
        secure = stream.substr(mark + 1);
        stream = stream.substr(0, mark);
    }
    counting = true;
    allocations = 0;
    runner whole = make_runner(bits, env_kind, one, bad);
    whole.cap = cap;
    if (long_pass && !whole.cfg.user.empty()) whole.cfg.password = long_password;
    const std::uint64_t a = whole.run(stream, secure, stream.size() + secure.size() + 1, eager);
    runner split = make_runner(bits, env_kind, one, bad);
    split.cap = cap;
    if (long_pass && !split.cfg.user.empty()) split.cfg.password = long_password;
    const std::uint64_t b = split.run(stream, secure, piece, eager);
    runner bytes = make_runner(bits, env_kind, one, bad);
    bytes.cap = cap;
    if (long_pass && !bytes.cfg.user.empty()) bytes.cfg.password = long_password;
    const std::uint64_t c = bytes.run(stream, secure, 1, eager);
    counting = false;
    SMTPP_FUZZ_CHECK(allocations == 0);
    SMTPP_FUZZ_CHECK(a == b && b == c);
    return 0;
}
