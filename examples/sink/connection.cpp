// The smtpp host loop of one connection: line reader -> session step -> the session's action.
#include "connection.hpp"

#include <sys/ioctl.h>
#include <time.h>

#include <cstring>

namespace sink {

namespace {

// The session's policy from the command line: what is offered, the limits, the leniencies.
smtpp::policy_options policy_options_for(const config& cfg) {
    smtpp::policy_options o;
    o.hostname = cfg.hostname;
    o.extensions = smtpp::ext_pipelining | smtpp::ext_size | smtpp::ext_8bitmime | smtpp::ext_smtputf8 |
                   smtpp::ext_enhancedstatuscodes | smtpp::ext_chunking | smtpp::ext_binarymime;
    if (cfg.no_pipelining) o.extensions &= ~std::uint32_t{smtpp::ext_pipelining};
    if (cfg.no_chunking) o.extensions &= ~std::uint32_t{smtpp::ext_chunking | smtpp::ext_binarymime};
    if (cfg.no_smtputf8) o.extensions &= ~std::uint32_t{smtpp::ext_smtputf8};
    if (!cfg.tls_cert.empty()) o.extensions |= smtpp::ext_starttls;
    if (!cfg.auth.empty()) {
        o.extensions |= smtpp::ext_auth;
        o.auth_mechanisms = smtpp::mechanism_bit(smtpp::sasl_mechanism::plain) |
                            smtpp::mechanism_bit(smtpp::sasl_mechanism::login);
    }
    o.max_message_size = cfg.max_size;
    o.max_recipients = cfg.max_recipients;
    o.max_errors = cfg.max_errors;
    o.lmtp = cfg.lmtp;
    o.require_auth = cfg.auth_required;
    o.require_tls = cfg.tls_required;
    o.unknown_param_504 = cfg.unknown_param_504;
    o.verify_senders = true;
    o.verify_recipients = true;
    o.bare_newline = cfg.bare_lf_normalize ? smtpp::bare_newline_policy::normalize : smtpp::bare_newline_policy::reject;
    return o;
}

int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/// RFC 4648 §4 base64 (the session has already checked the alphabet and padding).
bool base64_decode(std::string_view in, std::string& out) {
    out.clear();
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : in) {
        if (c == '=') break;
        const int v = base64_value(c);
        if (v < 0) return false;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFFu));
        }
    }
    return true;
}

smtpp::verdict check_credentials(const config& cfg, const std::string& user, const std::string& pass) {
    for (const auto& up : cfg.auth)
        if (up.first == user && up.second == pass) return smtpp::verdict::accept;
    return smtpp::verdict::reject;
}

// One read buffer for every connection: the loop reads and feeds one at a time.
char g_read_buf[64 * 1024];

}  // namespace

std::uint64_t now_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec);
}

context::context(const config& c) : cfg(c), pol(policy_options_for(c)), box(c) {
    line_opts.max_line = smtpp::line_limit(pol);
}

connection::connection(context& ctx, int in_fd, int out_fd)
    : io(in_fd, out_fd), ctx_(ctx), line_buf(new char[ctx.line_opts.max_line]),
      rd(line_buf.get(), ctx.line_opts.max_line, ctx.line_opts) {
    last_active = cmd_start = now_seconds();
}

// ---- reading and feeding ----------------------------------------------------------------

void connection::greet() {
    std::string_view none;
    drive(smtpp::start(ctx_.pol), none);
}

// Moves what can move now, again while the transport state changes (TLS up, ...): the
// handshake, the queued replies, then input, whatever the event (EPOLLOUT too: the output
// drained, so held or TLS-buffered input resumes).
bool connection::service() {
    bool alive = true;
    for (int guard = 0; guard < 4 && alive; ++guard) {
        const transport before = state;
        if (state == transport::tls_handshake && handshake() < 0) alive = false;
        if (alive && !out.empty() && !flush()) alive = false;
        if (!alive) break;
        if (state == transport::tls_flush && out.empty()) {
            if (!begin_tls()) {
                alive = false;
                break;
            }
            continue;  // try the handshake now
        }
        read_some();
        if (!out.empty() && !flush()) alive = false;
        if (state == transport::closing && out.empty()) alive = false;
        if (state == before) break;
    }
    return alive && !(state == transport::closing && out.empty());
}

// Bounded memory per connection: nothing is read (or fed) while the unsent output is above
// out_high; what one read brought beyond that point waits in `held` (at most one read
// buffer). The event loop stops watching for input meanwhile (wants_read) and the socket
// buffer fills, which stops the client.
void connection::read_some() {
    for (int rounds = 0; rounds < 16;) {
        if (state != transport::open || out.size() >= out_high) return;
        if (!held.empty()) {
            feed_held();
            continue;
        }
        ++rounds;
        const long n = read_and_feed();
        if (n == -1) return;
        if (n <= 0) {  // EOF or error: a session that ends mid-message delivers nothing
            abort();
            state = transport::closing;
            out.clear();
            held.clear();
            return;
        }
        if (!io.buffered() && static_cast<std::size_t>(n) < sizeof g_read_buf) return;
    }
}

long connection::read_and_feed() {
    const long n = io.read(g_read_buf, sizeof g_read_buf);
    if (n > 0) feed(std::string_view(g_read_buf, static_cast<std::size_t>(n)));
    return n;
}

void connection::feed_held() {
    ctx_.scratch.swap(held);  // feed() may hold a remainder again: it goes to `held`
    feed(ctx_.scratch);
    ctx_.scratch.clear();
}

bool connection::flush() {
    std::size_t done = 0;
    while (done < out.size()) {
        const long w = io.write(out.data() + done, out.size() - done);
        if (w == -1) break;
        if (w < 0) return false;
        done += static_cast<std::size_t>(w);
    }
    out.erase(0, done);
    return true;
}

// The session's phase says what the bytes are: command lines (and SASL responses), a DATA
// body, or a BDAT chunk.
void connection::feed(std::string_view in) {
    for (;;) {
        if (state == transport::open && out.size() >= out_high && !in.empty()) {
            // The client is not reading its replies: keep the rest of this read (at most
            // one read buffer) and stop reading until the output drains.
            held.assign(in.data(), in.size());
            break;
        }
        if (state != transport::open) {
            if (state == transport::syncing) held.assign(in.data(), in.size());  // after the 250
            break;  // tls_flush, tls_handshake, closing: the rest of the input is dropped
        }
        const smtpp::phase ph = st.phase;
        const bool more = ph == smtpp::phase::data    ? feed_data(in)
                          : ph == smtpp::phase::chunk ? feed_chunk(in)
                                                      : feed_line(in);
        if (!more) break;
    }
    ctx_.box.flush(msg);
}

bool connection::input_pending(std::string_view rest) {
    if (!rest.empty() || !held.empty() || rd.pending() || io.buffered()) return true;
    int n = 0;  // the socket buffer (Postfix peeks the same way)
    return ioctl(io.in_fd(), FIONREAD, &n) == 0 && n > 0;
}

bool connection::feed_line(std::string_view& in) {
    if (in.empty()) return false;
    const smtpp::line_event ev = rd.next(in);
    in.remove_prefix(ev.consumed);
    if (ev.st == smtpp::status::complete) {
        const bool pending = input_pending(in);
        drive(smtpp::step(ctx_.pol, st, ev.line, ctx_.cmd, pending), in);
    } else if (ev.st == smtpp::status::failed) {
        drive(smtpp::on_line_error(ctx_.pol, st, ev), in);
    }
    return true;
}

bool connection::feed_data(std::string_view& in) {
    if (in.empty() && !dd.done()) return false;
    const smtpp::data_event ev = dd.next(in);
    in.remove_prefix(ev.consumed);
    count_block(ev.consumed);
    if (ev.kind == smtpp::data_event_kind::content) {
        if (dd.pending_error() == smtpp::data_error::none) ctx_.box.store(msg, ev.content);
    } else if (ev.kind == smtpp::data_event_kind::end) {
        drive(smtpp::end_of_data(ctx_.pol, st, ev.err), in);
    } else if (in.empty()) {
        return false;
    }
    return true;
}

// A chunk the session refused (sf_chunk_discard) is consumed and dropped.
bool connection::feed_chunk(std::string_view& in) {
    const bool dropping = st.has(smtpp::sf_chunk_discard);
    smtpp::bdat_decoder& d = dropping ? bd_drop : bd;
    if (in.empty() && d.remaining() != 0) return false;
    const smtpp::data_event ev = d.next(in);
    in.remove_prefix(ev.consumed);
    count_block(ev.consumed);
    if (ev.kind == smtpp::data_event_kind::content) {
        if (!dropping && bd.pending_error() == smtpp::data_error::none) ctx_.box.store(msg, ev.content);
    } else if (ev.kind == smtpp::data_event_kind::end) {
        drive(smtpp::end_of_chunk(ctx_.pol, st, ev.err), in);
    } else {
        return false;
    }
    return true;
}

// A data block (RFC 5321 §4.5.3.2.5) is taken as 64 KiB of body: each must arrive
// within --data-timeout of the previous one.
void connection::count_block(std::size_t n) {
    block_bytes += n;
    if (block_bytes >= 64 * 1024) {
        block_bytes = 0;
        block_start = now_seconds();
    }
}

// ---- the session's actions --------------------------------------------------------------

void connection::drive(smtpp::step_result r, std::string_view& in) {
    for (;;) {
        for (std::uint16_t k = 0; k < r.count; ++k) out.append(r.reply);
        st = r.next;
        if (!act(r, in)) return;
    }
}

// Carries out the action; true when `r` now holds the session's answer to the host's
// decision (the loop writes it and acts again), false when the session waits for input.
bool connection::act(smtpp::step_result& r, std::string_view& in) {
    using smtpp::action;
    switch (r.act) {
        case action::none: settle(in); return false;
        case action::verify_sender: r = accept_sender(); return true;
        case action::verify_recipient: r = accept_recipient(); return true;
        case action::verify_credentials: r = sasl(r); return true;
        case action::read_data: start_data(); return false;
        case action::read_bdat: start_chunk(r); return false;  // feed() runs the decoder (a 0-octet chunk ends at once)
        case action::deliver: return deliver(r);
        case action::start_tls:
            // RFC 3207 §4.2 / CVE-2011-0411: nothing read before the handshake survives.
            rd.discard();
            in = {};
            state = transport::tls_flush;
            return false;
        case action::close:
            abort();
            state = transport::closing;
            in = {};
            return false;
    }
    return false;
}

// The session waits for the next command: restart the command deadline, end what a
// transaction left behind, and answer a pending shutdown once between transactions.
void connection::settle(std::string_view& in) {
    cmd_start = now_seconds();
    if (between_transactions()) txn_start = body_start = 0;
    // A transaction that ended without delivery (RSET, refused body, ...).
    if (msg.fd >= 0 && st.phase != smtpp::phase::rcpt) abort();
    if (st.phase != smtpp::phase::auth) sasl_at = sasl_step::none;
    if (ctx_.stopping && between_transactions()) {
        shut_down();
        in = {};
    }
}

smtpp::step_result connection::accept_sender() {
    abort();
    txn_start = now_seconds();
    body_start = 0;
    return_path.assign(ctx_.cmd.path.mailbox.data(), ctx_.cmd.path.mailbox.size());
    rcpts.clear();
    return smtpp::resolve(ctx_.pol, st, smtpp::verdict::accept);
}

smtpp::step_result connection::accept_recipient() {
    const smtpp::command& cmd = ctx_.cmd;
    if (cmd.path.is_postmaster) rcpts.emplace_back("Postmaster");
    else rcpts.emplace_back(cmd.path.mailbox.data(), cmd.path.mailbox.size());
    return smtpp::resolve(ctx_.pol, st, smtpp::verdict::accept);
}

void connection::start_data() {
    block_start = body_start = now_seconds();
    block_bytes = 0;
    dd = smtpp::data_decoder(smtpp::body_options(ctx_.pol, st));
    begin_message();
}

void connection::start_chunk(const smtpp::step_result& r) {
    block_start = now_seconds();
    block_bytes = 0;
    if (body_start == 0) body_start = block_start;
    if (r.discard) {
        bd_drop = smtpp::bdat_decoder(r.chunk_size);  // refused: octets dropped
    } else if (r.first_chunk) {
        bd = smtpp::bdat_decoder(r.chunk_size, smtpp::chunk_options(ctx_.pol, st), r.last);
        begin_message();
    } else {
        bd.next_chunk(r.chunk_size, r.last);
    }
}

// Listening with durable delivery, the syncs are shared by the batch (group commit) and
// the reply waits for them (delivery_synced); otherwise the message is synced here. LMTP
// asks once per recipient: the first answer stands for all.
bool connection::deliver(smtpp::step_result& r) {
    if (r.index == 0) {
        msg.verdict = ctx_.box.commit(msg, ctx_.group_commit);
        if (ctx_.group_commit && msg.verdict == smtpp::verdict::accept) {
            state = transport::syncing;
            ctx_.syncing.push_back(this);
            return false;  // feed() keeps the rest of the input in `held`
        }
    }
    r = smtpp::resolve(ctx_.pol, st, msg.verdict);
    return true;
}

void connection::delivery_synced() {
    state = transport::open;
    std::string_view none;
    drive(smtpp::resolve(ctx_.pol, st, msg.verdict), none);
}

// AUTH PLAIN (RFC 4616) and LOGIN against the --auth pairs. The session says whether this
// is the AUTH command (with or without an initial response) or a response line of the
// exchange (RFC 4954 §4); the mechanism's own step is the host's.
smtpp::step_result connection::sasl(const smtpp::step_result& r) {
    const smtpp::policy& pol = ctx_.pol;
    if (!r.sasl_response) {
        sasl_at = ctx_.cmd.mechanism_id == smtpp::sasl_mechanism::plain ? sasl_step::plain : sasl_step::login_user;
        login_user.clear();
        if (!r.has_sasl) {
            const char* ch = sasl_at == sasl_step::plain ? "" : "VXNlcm5hbWU6";  // "Username:"
            return smtpp::auth_challenge(pol, st, ch, ctx_.challenge, sizeof ctx_.challenge);
        }
    }
    if (!base64_decode(r.sasl, ctx_.sasl_buf)) return smtpp::resolve(pol, st, smtpp::verdict::reject);
    switch (sasl_at) {
        case sasl_step::plain: sasl_at = sasl_step::none; return smtpp::resolve(pol, st, check_plain());
        case sasl_step::login_user:
            login_user = ctx_.sasl_buf;
            sasl_at = sasl_step::login_pass;
            return smtpp::auth_challenge(pol, st, "UGFzc3dvcmQ6", ctx_.challenge,
                                         sizeof ctx_.challenge);  // "Password:"
        case sasl_step::login_pass:
            sasl_at = sasl_step::none;
            return smtpp::resolve(pol, st, check_credentials(ctx_.cfg, login_user, ctx_.sasl_buf));
        case sasl_step::none: break;
    }
    return smtpp::resolve(pol, st, smtpp::verdict::reject);
}

// RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd
smtpp::verdict connection::check_plain() {
    const std::string& m = ctx_.sasl_buf;
    const auto a = m.find('\0');
    const auto b = a == std::string::npos ? a : m.find('\0', a + 1);
    if (b == std::string::npos) return smtpp::verdict::reject;
    const std::string authz = m.substr(0, a);
    const std::string user = m.substr(a + 1, b - a - 1);
    const std::string pass = m.substr(b + 1);
    if (!authz.empty() && authz != user) return smtpp::verdict::reject;
    return check_credentials(ctx_.cfg, user, pass);
}

bool connection::begin_tls() {
    if (!io.start_tls(ctx_.tls)) return false;
    state = transport::tls_handshake;
    return true;
}

int connection::handshake() {
    const int h = io.handshake();
    if (h == 1) {
        state = transport::open;
        std::string_view none;
        drive(smtpp::tls_established(ctx_.pol, st), none);
    }
    return h;
}

// ---- closing and deadlines ----------------------------------------------------------------

// The session's smtpp::timeout() / smtpp::shutdown(): 421 <host> and close.
void connection::close_with(const smtpp::step_result& r) {
    for (unsigned k = 0; k < r.count; ++k) out.append(r.reply);
    st = r.next;
    abort();
    held.clear();
    state = transport::closing;
}

void connection::timeout() { close_with(smtpp::timeout(ctx_.pol, st)); }

void connection::shut_down() { close_with(smtpp::shutdown(ctx_.pol, st)); }

bool connection::between_transactions() const {
    return state == transport::open && msg.fd < 0 &&
           (st.phase == smtpp::phase::fresh || st.phase == smtpp::phase::ready);
}

bool connection::wants_read() const {
    // The TLS handshake is retried on any event.
    return (state == transport::open && out.size() < out_high) || state == transport::tls_handshake;
}

bool connection::wants_write() const {
    return !out.empty() || (state == transport::tls_handshake && io.handshake_wants_write());
}

// RFC 5321 §4.5.3.2: idle, command, data block, whole body, whole transaction.
std::uint64_t connection::deadline() const {
    const config& cfg = ctx_.cfg;
    std::uint64_t d = last_active + cfg.timeout;
    auto at = [&d](std::uint64_t start, unsigned limit) {
        if (start != 0 && start + limit < d) d = start + limit;
    };
    const bool body = state == transport::open && (st.phase == smtpp::phase::data || st.phase == smtpp::phase::chunk);
    if (body) at(block_start, cfg.data_timeout);
    else at(cmd_start, cfg.command_timeout);  // a command line, or the TLS handshake
    at(body_start, cfg.dot_timeout);
    at(txn_start, cfg.transaction_timeout);
    return d + 1;  // whole seconds: a limit of N seconds is never cut short
}

}  // namespace sink
