// The C API (include/smtpp/smtpp.h) over the C++ core: one translation unit, no
// allocation, no exceptions. Every object lives in caller storage; each entry point checks
// its arguments (NULL, size, alignment, initialisation) before touching it.
#define SMTPP_C_BUILDING 1
#include "smtpp/smtpp.h"

#include "smtpp/smtpp.hpp"

#include <cstdint>
#include <cstring>
#include <new>
#include <type_traits>

namespace {

using namespace smtpp;

// ---- enum values are the C++ ones --------------------------------------------------------
#include "smtpp_c_enums.inc"
static_assert(SMTPP_CMD_BAD_SOLICIT + 1 == static_cast<int>(command_error_count), "command_error: new values");
static_assert(SMTPP_VERB_ETRN + 1 == static_cast<int>(verb_count), "verb: new values");
static_assert(SMTPP_PHASE_CLOSED + 1 == static_cast<int>(phase_count), "phase: new values");
static_assert(SMTPP_VERDICT_TOO_WEAK + 1 == static_cast<int>(verdict_count), "verdict: new values");
static_assert(SMTPP_LINE_NUL + 1 == static_cast<int>(line_error_count), "line_error: new values");
static_assert(SMTPP_DATA_NUL + 1 == static_cast<int>(data_error_count), "data_error: new values");
static_assert(static_cast<int>(status::complete) == SMTPP_COMPLETE && static_cast<int>(status::failed) == SMTPP_FAILED,
              "status drifted");
static_assert(static_cast<int>(data_event_kind::end) == SMTPP_DATA_EVENT_END, "data_event_kind drifted");
static_assert(SMTPP_CLIENT_PHASE_RECIPIENT + 1 == static_cast<int>(client_phase_count), "client_phase: new values");
static_assert(SMTPP_CLIENT_E_NO_RECIPIENT_GIVEN + 1 == static_cast<int>(client_error_count),
              "client_error: new values");
// Enums without a count: the value after the last C one must have no name in C++.
static_assert(to_string(static_cast<reply_error>(SMTPP_REPLY_TRUNCATED + 1)) == "unknown", "reply_error: new values");
static_assert(static_cast<int>(lang::en) == SMTPP_LANG_EN && static_cast<int>(lang::ru) == SMTPP_LANG_RU &&
                  lang_count == 2,
              "lang drifted");
constexpr bool same_bit(extension a, smtpp_extension b) {
    return static_cast<std::uint32_t>(a) == static_cast<std::uint32_t>(b);
}
static_assert(same_bit(ext_pipelining, SMTPP_EXT_PIPELINING) && same_bit(ext_size, SMTPP_EXT_SIZE) &&
                  same_bit(ext_8bitmime, SMTPP_EXT_8BITMIME) && same_bit(ext_smtputf8, SMTPP_EXT_SMTPUTF8) &&
                  same_bit(ext_enhancedstatuscodes, SMTPP_EXT_ENHANCEDSTATUSCODES) &&
                  same_bit(ext_dsn, SMTPP_EXT_DSN) && same_bit(ext_chunking, SMTPP_EXT_CHUNKING) &&
                  same_bit(ext_binarymime, SMTPP_EXT_BINARYMIME) && same_bit(ext_starttls, SMTPP_EXT_STARTTLS) &&
                  same_bit(ext_auth, SMTPP_EXT_AUTH) && same_bit(ext_requiretls, SMTPP_EXT_REQUIRETLS) &&
                  same_bit(ext_deliverby, SMTPP_EXT_DELIVERBY) &&
                  same_bit(ext_futurerelease, SMTPP_EXT_FUTURERELEASE) &&
                  same_bit(ext_mt_priority, SMTPP_EXT_MT_PRIORITY) && same_bit(ext_rrvs, SMTPP_EXT_RRVS) &&
                  same_bit(ext_limits, SMTPP_EXT_LIMITS) && same_bit(ext_mtrk, SMTPP_EXT_MTRK) &&
                  same_bit(ext_no_soliciting, SMTPP_EXT_NO_SOLICITING),
              "extension bits drifted");

// ---- storage: the C++ object at offset 0, a magic word right after it --------------------
constexpr std::uint32_t magic_value = 0x534d5450u;  // "SMTP"

template <class T>
constexpr std::size_t magic_offset() {
    return (sizeof(T) + alignof(std::uint32_t) - 1) / alignof(std::uint32_t) * alignof(std::uint32_t);
}

template <class T, class C, std::size_t Size, std::size_t Align>
struct layout {
    static_assert(magic_offset<T>() + sizeof(std::uint32_t) <= Size, "SMTPP_*_SIZE too small for the C++ object");
    static_assert(sizeof(C) >= Size, "C storage type smaller than its SMTPP_*_SIZE");
    static_assert(alignof(T) <= Align, "SMTPP_*_ALIGN smaller than the C++ object's alignment");
    static_assert(alignof(C) >= alignof(T) || alignof(T) == 16, "C storage type under-aligned");
    static_assert(std::is_trivially_destructible<T>::value, "C objects are never destroyed");
    using type = T;
    static constexpr std::size_t size = Size;
};

using policy_l = layout<policy, smtpp_policy, SMTPP_POLICY_SIZE, SMTPP_POLICY_ALIGN>;
using session_l = layout<session_state, smtpp_session, SMTPP_SESSION_SIZE, SMTPP_SESSION_ALIGN>;
using command_l = layout<command, smtpp_command, SMTPP_COMMAND_SIZE, SMTPP_COMMAND_ALIGN>;
using line_l = layout<basic_line_reader, smtpp_line_reader, SMTPP_LINE_READER_SIZE, SMTPP_LINE_READER_ALIGN>;
using data_l = layout<data_decoder, smtpp_data_decoder, SMTPP_DATA_DECODER_SIZE, SMTPP_DATA_DECODER_ALIGN>;
using bdat_l = layout<bdat_decoder, smtpp_bdat_decoder, SMTPP_BDAT_DECODER_SIZE, SMTPP_BDAT_DECODER_ALIGN>;
using reply_l = layout<reply_reader, smtpp_reply_reader, SMTPP_REPLY_READER_SIZE, SMTPP_REPLY_READER_ALIGN>;
using ehlo_l = layout<ehlo_capabilities, smtpp_ehlo, SMTPP_EHLO_SIZE, SMTPP_EHLO_ALIGN>;
using collector_l =
    layout<reply_collector, smtpp_reply_collector, SMTPP_REPLY_COLLECTOR_SIZE, SMTPP_REPLY_COLLECTOR_ALIGN>;
using client_l = layout<client_state, smtpp_client, SMTPP_CLIENT_SIZE, SMTPP_CLIENT_ALIGN>;
static_assert(alignof(smtpp_command) == 16, "smtpp_command must be 16-aligned when the compiler can say so");

template <class L>
bool aligned(const void* p) noexcept {
    return reinterpret_cast<std::uintptr_t>(p) % alignof(typename L::type) == 0;
}

template <class L>
void set_magic(void* p, std::uint32_t v) noexcept {
    std::memcpy(static_cast<unsigned char*>(p) + magic_offset<typename L::type>(), &v, sizeof v);
}

template <class L>
bool has_magic(const void* p) noexcept {
    std::uint32_t v;
    std::memcpy(&v, static_cast<const unsigned char*>(p) + magic_offset<typename L::type>(), sizeof v);
    return v == magic_value;
}

// Checks storage handed to an *_init function.
template <class L>
smtpp_error check_storage(const void* p, std::size_t size) noexcept {
    if (p == nullptr) return SMTPP_E_NULL;
    if (size < L::size) return SMTPP_E_STORAGE;
    if (!aligned<L>(p)) return SMTPP_E_ALIGNMENT;
    return SMTPP_OK;
}

// Checks an object handed to any other function; returns the C++ object or null + error.
template <class L, class C>
auto object(C* p, smtpp_error& e) noexcept {
    using T = std::conditional_t<std::is_const<C>::value, const typename L::type, typename L::type>;
    if (p == nullptr) {
        e = SMTPP_E_NULL;
        return static_cast<T*>(nullptr);
    }
    if (!aligned<L>(p)) {
        e = SMTPP_E_ALIGNMENT;
        return static_cast<T*>(nullptr);
    }
    if (!has_magic<L>(p)) {
        e = SMTPP_E_UNINITIALIZED;
        return static_cast<T*>(nullptr);
    }
    e = SMTPP_OK;
    return std::launder(reinterpret_cast<T*>(p));
}

bool bad_view(const char* p, std::size_t n) noexcept { return p == nullptr && n != 0; }
std::string_view sv(const char* p, std::size_t n) noexcept {
    return p == nullptr ? std::string_view{} : std::string_view(p, n);
}
smtpp_view cv(std::string_view s) noexcept { return smtpp_view{s.data(), s.size()}; }

parse_options to_cpp(const smtpp_parse_options& o) noexcept {
    parse_options r;
    r.max_line = o.max_line;
    r.max_auth_line = o.max_auth_line;
    r.smtputf8 = o.smtputf8 != 0;
    r.smtputf8_transaction = o.smtputf8_transaction != 0;
    r.allow_space_after_colon = o.allow_space_after_colon != 0;
    r.allow_missing_brackets = o.allow_missing_brackets != 0;
    r.allow_extra_spaces = o.allow_extra_spaces != 0;
    r.allow_helo_address_literal = o.allow_helo_address_literal != 0;
    r.allow_lowercase_xtext_hex = o.allow_lowercase_xtext_hex != 0;
    r.allow_bare_lf = o.allow_bare_lf != 0;
    return r;
}

void from_cpp(const parse_options& r, smtpp_parse_options& o) noexcept {
    o.max_line = r.max_line;
    o.max_auth_line = r.max_auth_line;
    o.smtputf8 = r.smtputf8;
    o.smtputf8_transaction = r.smtputf8_transaction;
    o.allow_space_after_colon = r.allow_space_after_colon;
    o.allow_missing_brackets = r.allow_missing_brackets;
    o.allow_extra_spaces = r.allow_extra_spaces;
    o.allow_helo_address_literal = r.allow_helo_address_literal;
    o.allow_lowercase_xtext_hex = r.allow_lowercase_xtext_hex;
    o.allow_bare_lf = r.allow_bare_lf;
}

void fill(const step_result& r, smtpp_step_result& o) noexcept {
    o.reply = cv(r.reply);
    o.code = r.code;
    o.count = r.count;
    o.action = static_cast<smtpp_action>(r.act);
    o.phase = static_cast<smtpp_phase>(r.next.phase);
    o.discard = r.discard;
    o.last = r.last;
    o.first_chunk = r.first_chunk;
    o.has_sasl = r.has_sasl;
    o.injection = r.injection;
    o.index = r.index;
    o.why = r.why;
    o.error = static_cast<smtpp_command_error>(r.error);
    o.chunk_size = r.chunk_size;
    o.sasl = cv(r.sasl);
    o.sasl_response = r.sasl_response;
}

void hint(const reply_hint& h, smtpp_reply_hint& o) noexcept {
    o.code = h.code;
    o.esc_class = h.esc.cls;
    o.esc_subject = h.esc.subject;
    o.esc_detail = h.esc.detail;
    o.text = cv(h.text);
}

// A session entry point: checks the policy, the session and `out`, then runs `f`. The
// entry points call the `detail::*_core` transitions, not the public wrappers: those
// repack (`seal`) the result for an inlining C++ caller, and here it is copied field by
// field into the C struct anyway (measured: bench/bench_c_api.cpp).
template <class F>
smtpp_error session_call(const smtpp_policy* p, smtpp_session* s, smtpp_step_result* out, F&& f) noexcept {
    if (out == nullptr) return SMTPP_E_NULL;
    smtpp_error e;
    const policy* pol = object<policy_l>(p, e);
    if (pol == nullptr) return e;
    session_state* st = object<session_l>(s, e);
    if (st == nullptr) return e;
    const step_result r = f(*pol, *st);
    *st = r.next;
    fill(r, *out);
    return SMTPP_OK;
}

// Names as NUL-terminated strings: the C++ names are string_views into literals, which
// are NUL-terminated; checked once here rather than trusted.
const char* cname(std::string_view s) noexcept { return s.data()[s.size()] == '\0' ? s.data() : "?"; }

}  // namespace

extern "C" {

SMTPP_API void smtpp_parse_options_init(smtpp_parse_options* o) {
    if (o != nullptr) from_cpp(parse_options{}, *o);
}

SMTPP_API void smtpp_policy_options_init(smtpp_policy_options* o) {
    if (o == nullptr) return;
    const policy_options d;
    o->hostname = cv(d.hostname);
    o->greeting = cv(d.greeting);
    o->extensions = d.extensions;
    o->auth_mechanisms = d.auth_mechanisms;
    o->max_message_size = d.max_message_size;
    o->max_recipients = d.max_recipients;
    o->limits_mailmax = d.limits_mailmax;
    o->max_errors = d.max_errors;
    o->deliverby_min = d.deliverby_min;
    o->futurerelease_max_interval = d.futurerelease_max_interval;
    o->futurerelease_max_datetime = cv(d.futurerelease_max_datetime);
    o->mt_priority_policy = cv(d.mt_priority_policy);
    o->lmtp = d.lmtp;
    o->require_auth = d.require_auth;
    o->require_tls = d.require_tls;
    o->auth_needs_tls = d.auth_needs_tls;
    o->enforce_sync = d.enforce_sync;
    o->unknown_param_504 = d.unknown_param_504;
    o->verify_senders = d.verify_senders;
    o->verify_recipients = d.verify_recipients;
    o->bare_newline = static_cast<smtpp_bare_newline>(d.bare_newline);
    from_cpp(d.parse, o->parse);
}

SMTPP_API smtpp_error smtpp_policy_init(smtpp_policy* p, size_t size, const smtpp_policy_options* o) {
    const smtpp_error e = check_storage<policy_l>(p, size);
    if (e != SMTPP_OK) return e;
    policy_options c;
    if (o != nullptr) {
        if (bad_view(o->hostname.ptr, o->hostname.len) || bad_view(o->greeting.ptr, o->greeting.len) ||
            bad_view(o->futurerelease_max_datetime.ptr, o->futurerelease_max_datetime.len) ||
            bad_view(o->mt_priority_policy.ptr, o->mt_priority_policy.len))
            return SMTPP_E_NULL;
        if (o->bare_newline != SMTPP_BARE_NEWLINE_REJECT && o->bare_newline != SMTPP_BARE_NEWLINE_NORMALIZE)
            return SMTPP_E_ARGUMENT;
        c.hostname = sv(o->hostname.ptr, o->hostname.len);
        c.greeting = sv(o->greeting.ptr, o->greeting.len);
        c.extensions = o->extensions;
        c.auth_mechanisms = o->auth_mechanisms;
        c.max_message_size = o->max_message_size;
        c.max_recipients = o->max_recipients;
        c.limits_mailmax = o->limits_mailmax;
        c.max_errors = o->max_errors;
        c.deliverby_min = o->deliverby_min;
        c.futurerelease_max_interval = o->futurerelease_max_interval;
        c.futurerelease_max_datetime = sv(o->futurerelease_max_datetime.ptr, o->futurerelease_max_datetime.len);
        c.mt_priority_policy = sv(o->mt_priority_policy.ptr, o->mt_priority_policy.len);
        c.lmtp = o->lmtp != 0;
        c.require_auth = o->require_auth != 0;
        c.require_tls = o->require_tls != 0;
        c.auth_needs_tls = o->auth_needs_tls != 0;
        c.enforce_sync = o->enforce_sync != 0;
        c.unknown_param_504 = o->unknown_param_504 != 0;
        c.verify_senders = o->verify_senders != 0;
        c.verify_recipients = o->verify_recipients != 0;
        c.bare_newline = static_cast<bare_newline_policy>(o->bare_newline);
        c.parse = to_cpp(o->parse);
    }
    const policy* built = ::new (static_cast<void*>(p)) policy(c);
    set_magic<policy_l>(p, magic_value);
    return built->error() == policy_error::none ? SMTPP_OK : SMTPP_E_POLICY;
}

SMTPP_API smtpp_policy_error smtpp_policy_error_of(const smtpp_policy* p) {
    smtpp_error e;
    const policy* pol = object<policy_l>(p, e);
    return pol == nullptr ? SMTPP_POLICY_NONE : static_cast<smtpp_policy_error>(pol->error());
}

SMTPP_API size_t smtpp_line_limit(const smtpp_policy* p) {
    smtpp_error e;
    const policy* pol = object<policy_l>(p, e);
    return pol == nullptr ? 0 : smtpp::line_limit(*pol);
}

// ---- commands ------------------------------------------------------------------------------

SMTPP_API smtpp_error smtpp_parse_command(const char* line, size_t len, smtpp_command* out, size_t out_size,
                                          const smtpp_parse_options* opt, smtpp_command_error* why) {
    if (bad_view(line, len)) return SMTPP_E_NULL;
    const smtpp_error e = check_storage<command_l>(out, out_size);
    if (e != SMTPP_OK) return e;
    command* c = ::new (static_cast<void*>(out)) command;
    set_magic<command_l>(out, magic_value);
    const command_error r = smtpp::parse_command(sv(line, len), *c, opt == nullptr ? parse_options{} : to_cpp(*opt));
    if (why != nullptr) *why = static_cast<smtpp_command_error>(r);
    return r == command_error::none ? SMTPP_OK : SMTPP_E_COMMAND;
}

SMTPP_API smtpp_error smtpp_command_fields_of(const smtpp_command* cmd, smtpp_command_fields* o) {
    if (o == nullptr) return SMTPP_E_NULL;
    smtpp_error e;
    const command* c = object<command_l>(cmd, e);
    if (c == nullptr) return e;
    o->verb = static_cast<smtpp_verb>(c->verb);
    o->line = cv(c->line);
    o->verb_text = cv(c->verb_text);
    o->argument = cv(c->argument);
    o->mechanism = cv(c->mechanism);
    o->mechanism_id = static_cast<unsigned>(c->mechanism_id);
    o->has_initial_response = c->has_initial_response;
    o->initial_response = cv(c->initial_response);
    o->chunk_size = c->chunk_size;
    o->last = c->last;
    o->smtputf8 = c->smtputf8;
    o->path.text = cv(c->path.text);
    o->path.route = cv(c->path.route);
    o->path.mailbox = cv(c->path.mailbox);
    o->path.local_part = cv(c->path.local_part);
    o->path.domain = cv(c->path.domain);
    o->path.is_null = c->path.is_null;
    o->path.is_postmaster = c->path.is_postmaster;
    o->path.quoted = c->path.quoted;
    o->path.utf8 = c->path.utf8;
    o->params_present = c->params.present;
    o->size = c->params.size;
    o->body = static_cast<unsigned>(c->params.body);
    o->ret = static_cast<unsigned>(c->params.ret);
    o->notify = c->params.notify;
    o->envid = cv(c->params.envid);
    o->auth = cv(c->params.auth);
    o->orcpt_type = cv(c->params.orcpt_type);
    o->orcpt = cv(c->params.orcpt);
    o->unknown_param = cv(c->params.unknown);
    o->params_text = cv(c->params.text);
    return SMTPP_OK;
}

SMTPP_API unsigned smtpp_mechanism_id(const char* name, size_t len) {
    if (bad_view(name, len)) return 0;
    return static_cast<unsigned>(detail::mechanism_of(sv(name, len)));
}

SMTPP_API const char* smtpp_verb_name(smtpp_verb v) {
    if (static_cast<unsigned>(v) >= verb_count) return "";
    return cname(to_string(static_cast<verb>(v)));
}

// ---- the session ----------------------------------------------------------------------------

SMTPP_API smtpp_error smtpp_session_init(smtpp_session* s, size_t size) {
    const smtpp_error e = check_storage<session_l>(s, size);
    if (e != SMTPP_OK) return e;
    ::new (static_cast<void*>(s)) session_state{};
    set_magic<session_l>(s, magic_value);
    return SMTPP_OK;
}

SMTPP_API smtpp_phase smtpp_session_phase(const smtpp_session* s) {
    smtpp_error e;
    const session_state* st = object<session_l>(s, e);
    return st == nullptr ? SMTPP_PHASE_CLOSED : static_cast<smtpp_phase>(st->phase);
}

SMTPP_API smtpp_error smtpp_start(const smtpp_policy* p, smtpp_session* s, smtpp_step_result* out) {
    return session_call(p, s, out,
                        [](const policy& pol, const session_state& st) { return detail::start_core(pol, st); });
}

SMTPP_API smtpp_error smtpp_step(const smtpp_policy* p, smtpp_session* s, const char* line, size_t len,
                                 int input_pending, smtpp_command* cmd, smtpp_step_result* out) {
    if (bad_view(line, len)) return SMTPP_E_NULL;
    const smtpp_error e = check_storage<command_l>(cmd, SMTPP_COMMAND_SIZE);
    if (e != SMTPP_OK) return e;
    command* c = std::launder(reinterpret_cast<command*>(cmd));
    if (!has_magic<command_l>(cmd)) {
        c = ::new (static_cast<void*>(cmd)) command;
        set_magic<command_l>(cmd, magic_value);
    }
    return session_call(p, s, out, [&](const policy& pol, const session_state& st) {
        return detail::step_core(pol, st, sv(line, len), *c, input_pending != 0);
    });
}

SMTPP_API smtpp_error smtpp_on_line_error(const smtpp_policy* p, smtpp_session* s, smtpp_line_error err,
                                          const char* head, size_t head_len, smtpp_step_result* out) {
    if (bad_view(head, head_len)) return SMTPP_E_NULL;
    if (static_cast<unsigned>(err) >= line_error_count) return SMTPP_E_ARGUMENT;
    line_event ev;
    ev.st = status::failed;
    ev.err = static_cast<line_error>(err);
    ev.line = sv(head, head_len);
    return session_call(p, s, out,
                        [&](const policy& pol, const session_state& st) { return on_line_error(pol, st, ev); });
}

SMTPP_API smtpp_error smtpp_resolve(const smtpp_policy* p, smtpp_session* s, smtpp_verdict v, smtpp_step_result* out) {
    if (static_cast<unsigned>(v) >= verdict_count) return SMTPP_E_ARGUMENT;
    return session_call(p, s, out, [&](const policy& pol, const session_state& st) {
        return detail::resolve_core(pol, st, static_cast<verdict>(v));
    });
}

SMTPP_API smtpp_error smtpp_auth_challenge(const smtpp_policy* p, smtpp_session* s, const char* challenge, size_t len,
                                           char* buf, size_t cap, smtpp_step_result* out) {
    if (bad_view(challenge, len) || buf == nullptr) return SMTPP_E_NULL;
    return session_call(p, s, out, [&](const policy& pol, const session_state& st) {
        return auth_challenge(pol, st, sv(challenge, len), buf, cap);
    });
}

SMTPP_API smtpp_error smtpp_end_of_data(const smtpp_policy* p, smtpp_session* s, smtpp_data_error v,
                                        smtpp_step_result* out) {
    if (static_cast<unsigned>(v) >= data_error_count) return SMTPP_E_ARGUMENT;
    return session_call(p, s, out, [&](const policy& pol, const session_state& st) {
        return detail::end_of_data_core(pol, st, static_cast<data_error>(v));
    });
}

SMTPP_API smtpp_error smtpp_end_of_chunk(const smtpp_policy* p, smtpp_session* s, smtpp_data_error v,
                                         smtpp_step_result* out) {
    if (static_cast<unsigned>(v) >= data_error_count) return SMTPP_E_ARGUMENT;
    return session_call(p, s, out, [&](const policy& pol, const session_state& st) {
        return detail::end_of_chunk_core(pol, st, static_cast<data_error>(v));
    });
}

SMTPP_API smtpp_error smtpp_tls_established(const smtpp_policy* p, smtpp_session* s, smtpp_step_result* out) {
    return session_call(p, s, out, [](const policy& pol, const session_state& st) {
        return detail::tls_established_core(pol, st);
    });
}

SMTPP_API smtpp_error smtpp_timeout(const smtpp_policy* p, smtpp_session* s, smtpp_step_result* out) {
    return session_call(p, s, out, [](const policy& pol, const session_state& st) { return timeout(pol, st); });
}

SMTPP_API smtpp_error smtpp_shutdown(const smtpp_policy* p, smtpp_session* s, smtpp_step_result* out) {
    return session_call(p, s, out, [](const policy& pol, const session_state& st) { return shutdown(pol, st); });
}

SMTPP_API smtpp_error smtpp_refuse(const smtpp_policy* p, smtpp_session* s, smtpp_step_result* out) {
    return session_call(p, s, out, [](const policy& pol, const session_state&) { return refuse(pol); });
}

// ---- the line reader --------------------------------------------------------------------------

SMTPP_API void smtpp_line_options_init(smtpp_line_options* o) {
    if (o == nullptr) return;
    const line_options d;
    o->max_line = d.max_line;
    o->allow_bare_lf = d.allow_bare_lf;
}

SMTPP_API smtpp_error smtpp_line_reader_init(smtpp_line_reader* r, size_t size, char* buf, size_t cap,
                                             const smtpp_line_options* o) {
    const smtpp_error e = check_storage<line_l>(r, size);
    if (e != SMTPP_OK) return e;
    if (buf == nullptr) return SMTPP_E_NULL;
    if (cap == 0) return SMTPP_E_BUFFER;
    line_options lo;
    if (o != nullptr) {
        lo.max_line = o->max_line;
        lo.allow_bare_lf = o->allow_bare_lf != 0;
    }
    ::new (static_cast<void*>(r)) basic_line_reader(buf, cap, lo);
    set_magic<line_l>(r, magic_value);
    return SMTPP_OK;
}

SMTPP_API smtpp_error smtpp_line_next(smtpp_line_reader* r, const char* in, size_t len, smtpp_line_event* ev) {
    if (ev == nullptr || bad_view(in, len)) return SMTPP_E_NULL;
    smtpp_error e;
    basic_line_reader* lr = object<line_l>(r, e);
    if (lr == nullptr) return e;
    const line_event le = lr->next(sv(in, len));
    ev->status = static_cast<smtpp_status>(le.st);
    ev->error = static_cast<smtpp_line_error>(le.err);
    ev->line = cv(le.line);
    ev->consumed = le.consumed;
    return SMTPP_OK;
}

SMTPP_API smtpp_error smtpp_line_set_max(smtpp_line_reader* r, size_t max_line) {
    smtpp_error e;
    basic_line_reader* lr = object<line_l>(r, e);
    if (lr != nullptr) lr->set_max_line(max_line);
    return e;
}

SMTPP_API smtpp_error smtpp_line_discard(smtpp_line_reader* r) {
    smtpp_error e;
    basic_line_reader* lr = object<line_l>(r, e);
    if (lr != nullptr) lr->discard();
    return e;
}

SMTPP_API int smtpp_line_pending(const smtpp_line_reader* r) {
    smtpp_error e;
    const basic_line_reader* lr = object<line_l>(r, e);
    return lr != nullptr && lr->pending() ? 1 : 0;
}

// ---- body decoders --------------------------------------------------------------------------

SMTPP_API smtpp_error smtpp_body_options(const smtpp_policy* p, const smtpp_session* s, smtpp_data_options* out) {
    if (out == nullptr) return SMTPP_E_NULL;
    smtpp_error e;
    const policy* pol = object<policy_l>(p, e);
    if (pol == nullptr) return e;
    const session_state* st = object<session_l>(s, e);
    if (st == nullptr) return e;
    const data_options d = smtpp::body_options(*pol, *st);
    out->bare_newline = static_cast<smtpp_bare_newline>(d.bare_newline);
    out->max_size = d.max_size;
    out->max_text_line = d.max_text_line;
    out->reject_nul = d.reject_nul;
    return SMTPP_OK;
}

SMTPP_API smtpp_error smtpp_chunk_options(const smtpp_policy* p, const smtpp_session* s, smtpp_bdat_options* out) {
    if (out == nullptr) return SMTPP_E_NULL;
    smtpp_error e;
    const policy* pol = object<policy_l>(p, e);
    if (pol == nullptr) return e;
    const session_state* st = object<session_l>(s, e);
    if (st == nullptr) return e;
    const bdat_options b = smtpp::chunk_options(*pol, *st);
    out->reject_bare_newline = b.reject_bare_newline;
    out->reject_nul = b.reject_nul;
    out->max_size = b.max_size;
    return SMTPP_OK;
}

SMTPP_API smtpp_error smtpp_data_decoder_init(smtpp_data_decoder* d, size_t size, const smtpp_data_options* o) {
    const smtpp_error e = check_storage<data_l>(d, size);
    if (e != SMTPP_OK) return e;
    data_options c;
    if (o != nullptr) {
        if (o->bare_newline != SMTPP_BARE_NEWLINE_REJECT && o->bare_newline != SMTPP_BARE_NEWLINE_NORMALIZE)
            return SMTPP_E_ARGUMENT;
        c.bare_newline = static_cast<bare_newline_policy>(o->bare_newline);
        c.max_size = o->max_size;
        c.max_text_line = o->max_text_line;
        c.reject_nul = o->reject_nul != 0;
    }
    ::new (static_cast<void*>(d)) data_decoder(c);
    set_magic<data_l>(d, magic_value);
    return SMTPP_OK;
}

namespace {
void fill(const data_event& de, smtpp_data_event& ev) noexcept {
    ev.kind = static_cast<smtpp_data_event_kind>(de.kind);
    ev.content = cv(de.content);
    ev.consumed = de.consumed;
    ev.error = static_cast<smtpp_data_error>(de.err);
}
}  // namespace

SMTPP_API smtpp_error smtpp_data_next(smtpp_data_decoder* d, const char* in, size_t len, smtpp_data_event* ev) {
    if (ev == nullptr || bad_view(in, len)) return SMTPP_E_NULL;
    smtpp_error e;
    data_decoder* dd = object<data_l>(d, e);
    if (dd == nullptr) return e;
    fill(dd->next(sv(in, len)), *ev);
    return SMTPP_OK;
}

SMTPP_API smtpp_error smtpp_bdat_decoder_init(smtpp_bdat_decoder* d, size_t size, uint64_t chunk_size,
                                              const smtpp_bdat_options* o, int last) {
    const smtpp_error e = check_storage<bdat_l>(d, size);
    if (e != SMTPP_OK) return e;
    bdat_options c;
    if (o != nullptr) {
        c.reject_bare_newline = o->reject_bare_newline != 0;
        c.reject_nul = o->reject_nul != 0;
        c.max_size = o->max_size;
    }
    ::new (static_cast<void*>(d)) bdat_decoder(chunk_size, c, last != 0);
    set_magic<bdat_l>(d, magic_value);
    return SMTPP_OK;
}

SMTPP_API smtpp_error smtpp_bdat_next_chunk(smtpp_bdat_decoder* d, uint64_t chunk_size, int last) {
    smtpp_error e;
    bdat_decoder* bd = object<bdat_l>(d, e);
    if (bd != nullptr) bd->next_chunk(chunk_size, last != 0);
    return e;
}

SMTPP_API smtpp_error smtpp_bdat_next(smtpp_bdat_decoder* d, const char* in, size_t len, smtpp_data_event* ev) {
    if (ev == nullptr || bad_view(in, len)) return SMTPP_E_NULL;
    smtpp_error e;
    bdat_decoder* bd = object<bdat_l>(d, e);
    if (bd == nullptr) return e;
    fill(bd->next(sv(in, len)), *ev);
    return SMTPP_OK;
}

// ---- the reply reader ------------------------------------------------------------------------

}  // extern "C"

namespace {
reply_options to_cpp(const smtpp_reply_options& o) noexcept {
    reply_options r;
    r.max_line = o.max_line;
    r.max_lines = o.max_lines;
    r.max_reply_bytes = o.max_reply_bytes;
    r.allow_bare_lf = o.allow_bare_lf != 0;
    r.allow_8bit = o.allow_8bit != 0;
    r.allow_ctl = o.allow_ctl != 0;
    return r;
}

void fill(const reply_line& l, smtpp_reply_line& o) noexcept {
    o.code = l.code;
    o.last = l.last;
    o.esc_class = l.esc.cls;
    o.esc_subject = l.esc.subject;
    o.esc_detail = l.esc.detail;
    o.text = cv(l.text);
    o.line = cv(l.line);
    o.index = l.index;
}

void fill(const reply_summary& s, smtpp_reply_summary& o) noexcept {
    o.code = s.code;
    o.lines = s.lines;
    o.esc_class = s.esc.cls;
    o.esc_subject = s.esc.subject;
    o.esc_detail = s.esc.detail;
    o.bytes = s.bytes;
}

void fill_status(status st, const reply_reader& rd, std::size_t consumed, smtpp_reply_event& ev) noexcept {
    ev.status = static_cast<smtpp_status>(st);
    ev.error = static_cast<smtpp_reply_error>(rd.error());
    ev.consumed = consumed;
}
}  // namespace

extern "C" {

SMTPP_API void smtpp_reply_options_init(smtpp_reply_options* o) {
    if (o == nullptr) return;
    const reply_options d;
    o->max_line = d.max_line;
    o->max_lines = d.max_lines;
    o->max_reply_bytes = d.max_reply_bytes;
    o->allow_bare_lf = d.allow_bare_lf;
    o->allow_8bit = d.allow_8bit;
    o->allow_ctl = d.allow_ctl;
}

SMTPP_API smtpp_error smtpp_reply_reader_init(smtpp_reply_reader* r, size_t size, const smtpp_reply_options* o) {
    const smtpp_error e = check_storage<reply_l>(r, size);
    if (e != SMTPP_OK) return e;
    ::new (static_cast<void*>(r)) reply_reader(o == nullptr ? reply_options{} : to_cpp(*o));
    set_magic<reply_l>(r, magic_value);
    return SMTPP_OK;
}

SMTPP_API smtpp_error smtpp_reply_next_line(smtpp_reply_reader* r, const char* in, size_t len, smtpp_reply_event* ev) {
    if (ev == nullptr || bad_view(in, len)) return SMTPP_E_NULL;
    smtpp_error e;
    reply_reader* rd = object<reply_l>(r, e);
    if (rd == nullptr) return e;
    std::string_view rest = sv(in, len);
    reply_line l;
    const status st = rd->next_line(rest, l);
    fill_status(st, *rd, len - rest.size(), *ev);
    fill(l, ev->line);  // the defaults when nothing was read
    return SMTPP_OK;
}

SMTPP_API smtpp_error smtpp_reply_next_reply(smtpp_reply_reader* r, const char* in, size_t len, smtpp_reply_event* ev,
                                             smtpp_reply_summary* sum) {
    if (ev == nullptr || bad_view(in, len)) return SMTPP_E_NULL;
    smtpp_error e;
    reply_reader* rd = object<reply_l>(r, e);
    if (rd == nullptr) return e;
    std::string_view rest = sv(in, len);
    reply_line l;
    reply_summary s;
    const status st = rd->next_reply(rest, s, l);
    fill_status(st, *rd, len - rest.size(), *ev);
    fill(l, ev->line);  // the defaults when nothing was read
    if (sum != nullptr) fill(s, *sum);
    return SMTPP_OK;
}

SMTPP_API smtpp_error smtpp_reply_finish(smtpp_reply_reader* r, smtpp_status* st) {
    if (st == nullptr) return SMTPP_E_NULL;
    smtpp_error e;
    reply_reader* rd = object<reply_l>(r, e);
    if (rd != nullptr) *st = static_cast<smtpp_status>(rd->finish());
    return e;
}

SMTPP_API smtpp_error smtpp_reply_expect_end_of_input(smtpp_reply_reader* r, const char* rest, size_t len,
                                                      smtpp_status* st) {
    if (st == nullptr || bad_view(rest, len)) return SMTPP_E_NULL;
    smtpp_error e;
    reply_reader* rd = object<reply_l>(r, e);
    if (rd != nullptr) *st = static_cast<smtpp_status>(rd->expect_end_of_input(sv(rest, len)));
    return e;
}

SMTPP_API smtpp_error smtpp_reply_expect_ehlo(smtpp_reply_reader* r) {
    smtpp_error e;
    reply_reader* rd = object<reply_l>(r, e);
    if (rd != nullptr) rd->expect_ehlo();
    return e;
}

SMTPP_API smtpp_error smtpp_reply_reset(smtpp_reply_reader* r) {
    smtpp_error e;
    reply_reader* rd = object<reply_l>(r, e);
    if (rd != nullptr) rd->reset();
    return e;
}

SMTPP_API smtpp_reply_error smtpp_reply_error_of(const smtpp_reply_reader* r) {
    smtpp_error e;
    const reply_reader* rd = object<reply_l>(r, e);
    return rd == nullptr ? SMTPP_REPLY_NONE : static_cast<smtpp_reply_error>(rd->error());
}

SMTPP_API int smtpp_reply_in_reply(const smtpp_reply_reader* r) {
    smtpp_error e;
    const reply_reader* rd = object<reply_l>(r, e);
    return rd != nullptr && rd->in_reply() ? 1 : 0;
}

SMTPP_API smtpp_error smtpp_reply_summary_of(const smtpp_reply_reader* r, smtpp_reply_summary* out) {
    if (out == nullptr) return SMTPP_E_NULL;
    smtpp_error e;
    const reply_reader* rd = object<reply_l>(r, e);
    if (rd != nullptr) fill(rd->summary(), *out);
    return e;
}

// ---- EHLO capabilities ------------------------------------------------------------------------

SMTPP_API smtpp_error smtpp_parse_ehlo(const char* bytes, size_t len, smtpp_ehlo* caps, size_t caps_size,
                                       const smtpp_reply_options* o, smtpp_ehlo_result* res) {
    if (res == nullptr || bad_view(bytes, len)) return SMTPP_E_NULL;
    const smtpp_error e = check_storage<ehlo_l>(caps, caps_size);
    if (e != SMTPP_OK) return e;
    ehlo_capabilities* c = ::new (static_cast<void*>(caps)) ehlo_capabilities;
    set_magic<ehlo_l>(caps, magic_value);
    const ehlo_result r = parse_ehlo(sv(bytes, len), *c, o == nullptr ? reply_options{} : to_cpp(*o));
    res->status = static_cast<smtpp_status>(r.st);
    res->error = static_cast<smtpp_reply_error>(r.error);
    res->consumed = r.consumed;
    return SMTPP_OK;
}

SMTPP_API smtpp_error smtpp_ehlo_fields_of(const smtpp_ehlo* caps, smtpp_ehlo_fields* o) {
    if (o == nullptr) return SMTPP_E_NULL;
    smtpp_error e;
    const ehlo_capabilities* c = object<ehlo_l>(caps, e);
    if (c == nullptr) return e;
    o->code = c->code;
    o->domain = cv(c->domain);
    o->greet = cv(c->greet);
    o->extensions = c->extensions;
    o->auth_mechanisms = c->auth_mechanisms;
    o->auth_unknown = c->auth_unknown;
    o->auth_params = cv(c->auth_params);
    o->size_known = c->size_known;
    o->size = c->size;
    o->deliverby_known = c->deliverby_known;
    o->deliverby_min = c->deliverby_min;
    o->futurerelease_interval = c->futurerelease_interval;
    o->futurerelease_datetime = cv(c->futurerelease_datetime);
    o->mt_priority_policy = cv(c->mt_priority_policy);
    o->limit_rcptmax = c->limit_rcptmax;
    o->limit_mailmax = c->limit_mailmax;
    o->limit_rcptdomainmax = c->limit_rcptdomainmax;
    o->unknown_count = c->unknown_count;
    o->unknown_overflow = c->unknown_overflow;
    o->malformed_lines = c->malformed_lines;
    o->lines = c->lines;
    return SMTPP_OK;
}

SMTPP_API smtpp_error smtpp_ehlo_unknown(const smtpp_ehlo* caps, size_t i, smtpp_view* keyword, smtpp_view* params) {
    if (keyword == nullptr || params == nullptr) return SMTPP_E_NULL;
    smtpp_error e;
    const ehlo_capabilities* c = object<ehlo_l>(caps, e);
    if (c == nullptr) return e;
    if (i >= c->unknown_count || i >= c->unknown.size()) return SMTPP_E_ARGUMENT;
    *keyword = cv(c->unknown[i].keyword);
    *params = cv(c->unknown[i].params);
    return SMTPP_OK;
}

// ---- the client session -------------------------------------------------------------------------

}  // extern "C"

namespace {
// The C config and envelope as the C++ ones; false when an enum or a view is out of range.
bool to_cpp(const smtpp_client_config& o, client_config& c) noexcept {
    if (bad_view(o.helo.ptr, o.helo.len) || bad_view(o.user.ptr, o.user.len) ||
        bad_view(o.password.ptr, o.password.len))
        return false;
    if (static_cast<unsigned>(o.tls) > static_cast<unsigned>(tls_mode::required) ||
        static_cast<unsigned>(o.mechanism) > static_cast<unsigned>(client_mechanism::xoauth2))
        return false;
    c.helo = sv(o.helo.ptr, o.helo.len);
    c.lmtp = o.lmtp != 0;
    c.tls = static_cast<tls_mode>(o.tls);
    c.user = sv(o.user.ptr, o.user.len);
    c.password = sv(o.password.ptr, o.password.len);
    c.mechanism = static_cast<client_mechanism>(o.mechanism);
    c.auth_without_tls = o.auth_without_tls != 0;
    c.use_pipelining = o.use_pipelining != 0;
    c.use_chunking = o.use_chunking != 0;
    return true;
}

bool to_cpp(const smtpp_envelope& o, envelope& v) noexcept {
    if (bad_view(o.from.ptr, o.from.len) || bad_view(o.envid.ptr, o.envid.len)) return false;
    if (o.body > static_cast<unsigned>(body_type::binary_mime) || o.ret > static_cast<unsigned>(ret_type::hdrs) ||
        o.notify > 15u)
        return false;
    v.from = sv(o.from.ptr, o.from.len);
    v.one_at_a_time = true;
    v.size = o.size;
    v.body = static_cast<body_type>(o.body);
    v.smtputf8 = o.smtputf8 != 0;
    v.ret = static_cast<ret_type>(o.ret);
    v.envid = sv(o.envid.ptr, o.envid.len);
    v.notify = static_cast<std::uint8_t>(o.notify);
    return true;
}

void fill(const client_result& r, smtpp_client_result& o) noexcept {
    o.write = cv(r.write);
    o.action = static_cast<smtpp_client_action>(r.act);
    o.phase = static_cast<smtpp_client_phase>(r.next.phase);
    o.event = static_cast<smtpp_client_event>(r.event);
    o.outcome = static_cast<smtpp_outcome>(r.outcome);
    o.error = static_cast<smtpp_client_error>(r.error);
    o.index = r.index;
    o.code = r.code;
    o.esc_class = r.esc.cls;
    o.esc_subject = r.esc.subject;
    o.esc_detail = r.esc.detail;
    o.timeout = r.timeout;
    o.bdat = r.bdat;
    o.expect_ehlo = r.expect_ehlo;
    o.dsn_dropped = r.dsn_dropped;
    o.taken = r.taken;
}

// A client entry point: checks the config, the envelope (when `env_needed`), the state and
// the result, then runs `f` with the C++ objects.
template <class F>
smtpp_error client_call(const smtpp_client_config* cfg, const smtpp_envelope* env, bool env_needed, smtpp_client* c,
                        smtpp_client_result* out, F&& f) noexcept {
    if (cfg == nullptr || out == nullptr || (env_needed && env == nullptr)) return SMTPP_E_NULL;
    client_config cc;
    if (!to_cpp(*cfg, cc)) return SMTPP_E_ARGUMENT;
    envelope ev;
    if (env_needed && !to_cpp(*env, ev)) return SMTPP_E_ARGUMENT;
    smtpp_error e;
    client_state* st = object<client_l>(c, e);
    if (st == nullptr) return e;
    const client_result r = f(cc, ev, *st);
    *st = r.next;
    fill(r, *out);
    return SMTPP_OK;
}
}  // namespace

extern "C" {

SMTPP_API void smtpp_client_config_init(smtpp_client_config* o) {
    if (o == nullptr) return;
    const client_config d;
    o->helo = cv(d.helo);
    o->lmtp = d.lmtp;
    o->tls = static_cast<smtpp_tls_mode>(d.tls);
    o->user = cv(d.user);
    o->password = cv(d.password);
    o->mechanism = static_cast<smtpp_client_mechanism>(d.mechanism);
    o->auth_without_tls = d.auth_without_tls;
    o->use_pipelining = d.use_pipelining;
    o->use_chunking = d.use_chunking;
}

SMTPP_API void smtpp_envelope_init(smtpp_envelope* e) {
    if (e == nullptr) return;
    const envelope d;
    e->from = cv(d.from);
    e->size = d.size;
    e->body = static_cast<unsigned>(d.body);
    e->smtputf8 = d.smtputf8;
    e->ret = static_cast<unsigned>(d.ret);
    e->envid = cv(d.envid);
    e->notify = d.notify;
}

SMTPP_API smtpp_error smtpp_collector_init(smtpp_reply_collector* c, size_t size) {
    const smtpp_error e = check_storage<collector_l>(c, size);
    if (e != SMTPP_OK) return e;
    ::new (static_cast<void*>(c)) reply_collector;
    set_magic<collector_l>(c, magic_value);
    return SMTPP_OK;
}

SMTPP_API smtpp_error smtpp_collector_add(smtpp_reply_collector* c, const smtpp_reply_line* line, int* done) {
    if (line == nullptr || bad_view(line->text.ptr, line->text.len) || bad_view(line->line.ptr, line->line.len))
        return SMTPP_E_NULL;
    smtpp_error e;
    reply_collector* rc = object<collector_l>(c, e);
    if (rc == nullptr) return e;
    reply_line l;
    l.code = line->code;
    l.last = line->last != 0;
    l.esc = enhanced_code{line->esc_class, line->esc_subject, line->esc_detail};
    l.text = sv(line->text.ptr, line->text.len);
    l.line = sv(line->line.ptr, line->line.len);
    l.index = line->index;
    const bool d = rc->add(l);
    if (done != nullptr) *done = d;
    return SMTPP_OK;
}

SMTPP_API smtpp_error smtpp_collector_set_trailing(smtpp_reply_collector* c, int trailing) {
    smtpp_error e;
    reply_collector* rc = object<collector_l>(c, e);
    if (rc != nullptr) rc->set_trailing(trailing != 0);
    return e;
}

SMTPP_API smtpp_error smtpp_collector_reply(const smtpp_reply_collector* c, smtpp_server_reply* out) {
    if (out == nullptr) return SMTPP_E_NULL;
    smtpp_error e;
    const reply_collector* rc = object<collector_l>(c, e);
    if (rc == nullptr) return e;
    const server_reply& r = rc->reply();
    out->code = r.code;
    out->esc_class = r.esc.cls;
    out->esc_subject = r.esc.subject;
    out->esc_detail = r.esc.detail;
    out->trailing = r.trailing;
    out->extensions = r.extensions;
    out->auth_mechanisms = r.auth_mechanisms;
    out->size = r.size;
    return SMTPP_OK;
}

SMTPP_API smtpp_error smtpp_client_init(smtpp_client* c, size_t size) {
    const smtpp_error e = check_storage<client_l>(c, size);
    if (e != SMTPP_OK) return e;
    ::new (static_cast<void*>(c)) client_state{};
    set_magic<client_l>(c, magic_value);
    return SMTPP_OK;
}

SMTPP_API smtpp_client_phase smtpp_client_phase_of(const smtpp_client* c) {
    smtpp_error e;
    const client_state* st = object<client_l>(c, e);
    return st == nullptr ? SMTPP_CLIENT_PHASE_CLOSED : static_cast<smtpp_client_phase>(st->phase);
}

SMTPP_API smtpp_error smtpp_client_start(const smtpp_client_config* cfg, smtpp_client* c, smtpp_client_result* out) {
    return client_call(cfg, nullptr, false, c, out,
                       [](const client_config& cc, const envelope&, const client_state& st) {
                           (void)st;  // client_start() begins a connection afresh
                           return client_start(cc);
                       });
}

SMTPP_API smtpp_error smtpp_client_step(const smtpp_client_config* cfg, const smtpp_envelope* env, smtpp_client* c,
                                        const smtpp_server_reply* rep, char* out, size_t cap,
                                        smtpp_client_result* result) {
    if (rep == nullptr || (out == nullptr && cap != 0)) return SMTPP_E_NULL;
    server_reply sr;
    sr.code = rep->code;
    sr.esc = enhanced_code{rep->esc_class, rep->esc_subject, rep->esc_detail};
    sr.trailing = rep->trailing != 0;
    sr.extensions = rep->extensions;
    sr.auth_mechanisms = rep->auth_mechanisms;
    sr.size = rep->size;
    return client_call(cfg, env, true, c, result,
                       [&](const client_config& cc, const envelope& ev, const client_state& st) {
                           return client_step(cc, ev, st, sr, out, cap);
                       });
}

SMTPP_API smtpp_error smtpp_client_tls_established(const smtpp_client_config* cfg, smtpp_client* c, char* out,
                                                   size_t cap, smtpp_client_result* result) {
    if (out == nullptr && cap != 0) return SMTPP_E_NULL;
    return client_call(cfg, nullptr, false, c, result,
                       [&](const client_config& cc, const envelope&, const client_state& st) {
                           return client_tls_established(cc, st, out, cap);
                       });
}

SMTPP_API smtpp_error smtpp_client_send(const smtpp_client_config* cfg, const smtpp_envelope* env, smtpp_client* c,
                                        char* out, size_t cap, smtpp_client_result* result) {
    if (out == nullptr && cap != 0) return SMTPP_E_NULL;
    return client_call(cfg, env, true, c, result,
                       [&](const client_config& cc, const envelope& ev, const client_state& st) {
                           return client_send(cc, ev, st, out, cap);
                       });
}

SMTPP_API smtpp_error smtpp_client_recipient(const smtpp_client_config* cfg, const smtpp_envelope* env, smtpp_client* c,
                                             const char* to, size_t to_len, const char* orcpt, size_t orcpt_len,
                                             char* out, size_t cap, smtpp_client_result* result) {
    if (bad_view(to, to_len) || bad_view(orcpt, orcpt_len) || (out == nullptr && cap != 0)) return SMTPP_E_NULL;
    return client_call(cfg, env, true, c, result,
                       [&](const client_config& cc, const envelope& ev, const client_state& st) {
                           return client_recipient(cc, ev, st, sv(to, to_len), sv(orcpt, orcpt_len), out, cap);
                       });
}

SMTPP_API smtpp_error smtpp_client_recipients_done(const smtpp_client_config* cfg, const smtpp_envelope* env,
                                                   smtpp_client* c, char* out, size_t cap,
                                                   smtpp_client_result* result) {
    if (out == nullptr && cap != 0) return SMTPP_E_NULL;
    return client_call(cfg, env, true, c, result,
                       [&](const client_config& cc, const envelope& ev, const client_state& st) {
                           return client_recipients_done(cc, ev, st, out, cap);
                       });
}

SMTPP_API smtpp_error smtpp_client_body_done(const smtpp_client_config* cfg, smtpp_client* c,
                                             smtpp_client_result* result) {
    return client_call(cfg, nullptr, false, c, result,
                       [](const client_config& cc, const envelope&, const client_state& st) {
                           return client_body_done(cc, st);
                       });
}

SMTPP_API smtpp_error smtpp_client_chunk(const smtpp_client_config* cfg, smtpp_client* c, uint64_t size, int last,
                                         char* out, size_t cap, smtpp_client_result* result) {
    if (out == nullptr && cap != 0) return SMTPP_E_NULL;
    return client_call(cfg, nullptr, false, c, result,
                       [&](const client_config& cc, const envelope&, const client_state& st) {
                           return client_chunk(cc, st, size, last != 0, out, cap);
                       });
}

SMTPP_API smtpp_error smtpp_client_quit(const smtpp_client_config* cfg, smtpp_client* c, smtpp_client_result* result) {
    return client_call(cfg, nullptr, false, c, result,
                       [](const client_config& cc, const envelope&, const client_state& st) {
                           return client_quit(cc, st);
                       });
}

// ---- replies and names ----------------------------------------------------------------------

SMTPP_API smtpp_error smtpp_reply_for_command(smtpp_command_error e, smtpp_reply_hint* out) {
    if (out == nullptr) return SMTPP_E_NULL;
    if (static_cast<unsigned>(e) >= command_error_count) return SMTPP_E_ARGUMENT;
    hint(reply_for(static_cast<command_error>(e)), *out);
    return SMTPP_OK;
}

SMTPP_API smtpp_error smtpp_reply_for_line(smtpp_line_error e, smtpp_reply_hint* out) {
    if (out == nullptr) return SMTPP_E_NULL;
    if (static_cast<unsigned>(e) >= line_error_count) return SMTPP_E_ARGUMENT;
    hint(reply_for(static_cast<line_error>(e)), *out);
    return SMTPP_OK;
}

SMTPP_API smtpp_error smtpp_reply_for_data(smtpp_data_error e, smtpp_reply_hint* out) {
    if (out == nullptr) return SMTPP_E_NULL;
    if (static_cast<unsigned>(e) >= data_error_count) return SMTPP_E_ARGUMENT;
    hint(reply_for(static_cast<data_error>(e)), *out);
    return SMTPP_OK;
}

SMTPP_API smtpp_error smtpp_reply_for_reply(smtpp_reply_error e, smtpp_reply_hint* out) {
    if (out == nullptr) return SMTPP_E_NULL;
    if (static_cast<unsigned>(e) > static_cast<unsigned>(SMTPP_REPLY_TRUNCATED)) return SMTPP_E_ARGUMENT;
    hint(reply_for(static_cast<reply_error>(e)), *out);
    return SMTPP_OK;
}

SMTPP_API smtpp_error smtpp_explain_reply(unsigned code, smtpp_lang l, smtpp_reply_explanation* out) {
    if (out == nullptr) return SMTPP_E_NULL;
    if (l != SMTPP_LANG_EN && l != SMTPP_LANG_RU) return SMTPP_E_ARGUMENT;
    const reply_explanation e = explain_reply(code, static_cast<lang>(l));
    out->code = e.code;
    out->valid = e.valid;
    out->listed = e.listed;
    out->closes = e.closes;
    out->cls = cv(e.cls);
    out->cls_meaning = cv(e.cls_meaning);
    out->category = cv(e.category);
    out->category_meaning = cv(e.category_meaning);
    out->title = cv(e.title);
    out->description = cv(e.description);
    out->when = cv(e.when);
    out->fix = cv(e.fix);
    out->rfc = cv(e.rfc);
    return SMTPP_OK;
}

SMTPP_API smtpp_error smtpp_explain_enhanced(unsigned cls, unsigned subject, unsigned detail, smtpp_lang l,
                                             smtpp_enhanced_explanation* out) {
    if (out == nullptr) return SMTPP_E_NULL;
    if (l != SMTPP_LANG_EN && l != SMTPP_LANG_RU) return SMTPP_E_ARGUMENT;
    enhanced_code c;
    // Out-of-range parts become an invalid code (class 0), never a wrapped valid one.
    const bool fits = cls <= 9 && subject <= 999 && detail <= 999;
    c.cls = static_cast<std::uint8_t>(fits ? cls : 0);
    c.subject = static_cast<std::uint16_t>(fits ? subject : 0);
    c.detail = static_cast<std::uint16_t>(fits ? detail : 0);
    const enhanced_explanation e = explain_enhanced(c, static_cast<lang>(l));
    out->esc_class = c.cls;
    out->esc_subject = c.subject;
    out->esc_detail = c.detail;
    out->valid = e.valid;
    out->listed = e.listed;
    out->known_subject = e.known_subject;
    out->cls = cv(e.cls);
    out->cls_meaning = cv(e.cls_meaning);
    out->subject = cv(e.subject);
    out->subject_meaning = cv(e.subject_meaning);
    out->title = cv(e.title);
    out->description = cv(e.description);
    out->rfc = cv(e.rfc);
    return SMTPP_OK;
}

SMTPP_API const char* smtpp_command_error_name(smtpp_command_error e) {
    if (static_cast<unsigned>(e) >= command_error_count) return "?";
    return cname(to_string(static_cast<command_error>(e)));
}

SMTPP_API const char* smtpp_line_error_name(smtpp_line_error e) {
    if (static_cast<unsigned>(e) >= line_error_count) return "?";
    return cname(to_string(static_cast<line_error>(e)));
}

SMTPP_API const char* smtpp_data_error_name(smtpp_data_error e) {
    if (static_cast<unsigned>(e) >= data_error_count) return "?";
    return cname(to_string(static_cast<data_error>(e)));
}

SMTPP_API const char* smtpp_phase_name(smtpp_phase p) {
    if (static_cast<unsigned>(p) >= phase_count) return "?";
    return cname(to_string(static_cast<phase>(p)));
}

SMTPP_API const char* smtpp_reply_error_name(smtpp_reply_error e) {
    if (static_cast<unsigned>(e) > static_cast<unsigned>(SMTPP_REPLY_TRUNCATED)) return "?";
    return cname(to_string(static_cast<reply_error>(e)));
}

SMTPP_API const char* smtpp_client_phase_name(smtpp_client_phase p) {
    if (static_cast<unsigned>(p) >= client_phase_count) return "?";
    return cname(to_string(static_cast<client_phase>(p)));
}

SMTPP_API const char* smtpp_client_error_name(smtpp_client_error e) {
    if (static_cast<unsigned>(e) >= client_error_count) return "?";
    return cname(to_string(static_cast<smtpp::client_error>(e)));
}

SMTPP_API const char* smtpp_strerror(smtpp_error e) {
    switch (e) {
        case SMTPP_OK: return "success";
        case SMTPP_E_NULL: return "a required pointer is NULL";
        case SMTPP_E_STORAGE: return "storage smaller than the object's SMTPP_*_SIZE";
        case SMTPP_E_ALIGNMENT: return "storage not aligned to the object's SMTPP_*_ALIGN";
        case SMTPP_E_UNINITIALIZED: return "object not initialised by its *_init function";
        case SMTPP_E_ARGUMENT: return "enum argument out of range";
        case SMTPP_E_POLICY: return "invalid policy options";
        case SMTPP_E_COMMAND: return "the line is not a valid command";
        case SMTPP_E_BUFFER: return "caller buffer too small";
        default: break;
    }
    return "unknown error";
}

SMTPP_API const char* smtpp_version(void) { return SMTPP_VERSION_STRING; }

SMTPP_API unsigned smtpp_version_number(void) {
    return SMTPP_VERSION_MAJOR * 10000u + SMTPP_VERSION_MINOR * 100u + SMTPP_VERSION_PATCH;
}

}  // extern "C"

static_assert(SMTPP_C_VERSION_MAJOR == SMTPP_VERSION_MAJOR && SMTPP_C_VERSION_MINOR == SMTPP_VERSION_MINOR &&
                  SMTPP_C_VERSION_PATCH == SMTPP_VERSION_PATCH,
              "smtpp.h version macros differ from version.hpp");
