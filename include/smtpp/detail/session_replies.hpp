/**
 * @file detail/session_replies.hpp
 * @brief The session's replies: the names and hints generated from session.hpp's X-macro
 *        rows, the renderer, and the static table of every fixed reply (with and without
 *        enhanced codes) that `step()` points into.
 * @private Included by session.hpp only.
 */
#ifndef SMTPP_DETAIL_SESSION_REPLIES_HPP
#define SMTPP_DETAIL_SESSION_REPLIES_HPP

namespace smtpp {
namespace detail {

// ---- names and hints, generated from the rows -------------------------------------------

// The expanders take each table's exact arity (no __VA_ARGS__ forwarding, which MSVC's
// traditional preprocessor passes on as one argument).
#define SMTPP_ENUM_NAME_(name, value) #name,
#define SMTPP_ENUM_VALUE_(name, value) value,
#define SMTPP_REPLY_NAME_(name, value, code, cls, subject, det, text) #name,
#define SMTPP_REPLY_VALUE_(name, value, code, cls, subject, det, text) value,
#define SMTPP_REPLY_HINT_(name, value, code, cls, subject, det, text) \
    reply_hint{code, enhanced_code{cls, subject, det}, text},

inline constexpr std::string_view phase_names[] = {SMTPP_SESSION_PHASES(SMTPP_ENUM_NAME_)};
inline constexpr std::uint8_t phase_values[] = {SMTPP_SESSION_PHASES(SMTPP_ENUM_VALUE_)};
inline constexpr std::string_view verdict_names[] = {SMTPP_VERDICTS(SMTPP_ENUM_NAME_)};
inline constexpr std::uint8_t verdict_values[] = {SMTPP_VERDICTS(SMTPP_ENUM_VALUE_)};
inline constexpr std::string_view policy_error_names[] = {SMTPP_POLICY_ERRORS(SMTPP_ENUM_NAME_)};
inline constexpr std::uint8_t policy_error_values[] = {SMTPP_POLICY_ERRORS(SMTPP_ENUM_VALUE_)};
inline constexpr std::string_view session_reply_names[] = {SMTPP_SESSION_REPLIES(SMTPP_REPLY_NAME_)};
inline constexpr std::uint8_t session_reply_values[] = {SMTPP_SESSION_REPLIES(SMTPP_REPLY_VALUE_)};
inline constexpr reply_hint session_reply_hints[] = {SMTPP_SESSION_REPLIES(SMTPP_REPLY_HINT_)};

#undef SMTPP_ENUM_NAME_
#undef SMTPP_ENUM_VALUE_
#undef SMTPP_REPLY_NAME_
#undef SMTPP_REPLY_VALUE_
#undef SMTPP_REPLY_HINT_

/// Row i holds value i: the explicit values are dense and in order (the tables index by them).
template <std::size_t N>
constexpr bool dense(const std::uint8_t (&values)[N]) noexcept {
    for (std::size_t i = 0; i < N; ++i) {
        if (values[i] != i) return false;
    }
    return true;
}
static_assert(dense(phase_values) && sizeof(phase_values) == phase_count, "SMTPP_SESSION_PHASES: values 0..n-1");
static_assert(dense(verdict_values) && sizeof(verdict_values) == verdict_count, "SMTPP_VERDICTS: values 0..n-1");
static_assert(dense(policy_error_values), "SMTPP_POLICY_ERRORS: values 0..n-1");
static_assert(dense(session_reply_values) && sizeof(session_reply_values) == session_reply_count,
              "SMTPP_SESSION_REPLIES: values 0..n-1");

/// `names[i]`, or "?" out of range.
template <std::size_t N>
constexpr std::string_view name_of(const std::string_view (&names)[N], std::size_t i) noexcept {
    return i < N ? names[i] : std::string_view{"?"};
}

}  // namespace detail

constexpr std::string_view to_string(phase p) noexcept {
    return detail::name_of(detail::phase_names, static_cast<std::size_t>(p));
}
constexpr std::string_view to_string(verdict v) noexcept {
    return detail::name_of(detail::verdict_names, static_cast<std::size_t>(v));
}
constexpr std::string_view to_string(policy_error e) noexcept {
    return detail::name_of(detail::policy_error_names, static_cast<std::size_t>(e));
}
constexpr std::string_view to_string(session_reply r) noexcept {
    return detail::name_of(detail::session_reply_names, static_cast<std::size_t>(r));
}
constexpr reply_hint reply_for(session_reply r) noexcept {
    const auto i = static_cast<std::size_t>(r);
    return i < session_reply_count ? detail::session_reply_hints[i] : reply_hint{421, {4, 3, 0}, "Error"};
}

namespace detail {

// ---- rendering ---------------------------------------------------------------------------

inline constexpr std::string_view mechanism_names[] = {
    "",          "PLAIN",  "LOGIN",       "CRAM-MD5",      "XOAUTH2",          "OAUTHBEARER",
    "EXTERNAL",  "GSSAPI", "SCRAM-SHA-1", "SCRAM-SHA-256", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256-PLUS",
    "ANONYMOUS", "NTLM",   "DIGEST-MD5"};

/// Canonical names of `sasl_mechanism` values (RFC 4422 registry), for the EHLO AUTH line.
constexpr std::string_view mechanism_name(std::size_t i) noexcept {
    const auto& names = mechanism_names;
    return i < sizeof(names) / sizeof(names[0]) ? names[i] : std::string_view{};
}
inline constexpr std::size_t mechanism_count = 15;

/// Appends to fixed storage; remembers overflow.
struct render_buf {
    char* out;
    std::size_t cap;
    std::size_t n = 0;
    bool overflow = false;

    constexpr void put(char c) noexcept {
        if (n < cap) out[n++] = c;
        else overflow = true;
    }
    constexpr void put(std::string_view s) noexcept {
        for (char c : s) put(c);
    }
    constexpr void put_uint(std::uint64_t v) noexcept {
        char d[20] = {};
        std::size_t k = 0;
        do {
            d[k++] = static_cast<char>('0' + v % 10);
            v /= 10;
        } while (v != 0);
        while (k > 0) put(d[--k]);
    }
    constexpr void put_code(std::uint16_t code, char sep) noexcept {
        put(static_cast<char>('0' + code / 100));
        put(static_cast<char>('0' + code / 10 % 10));
        put(static_cast<char>('0' + code % 10));
        put(sep);
    }
    constexpr void put_esc(enhanced_code e) noexcept {
        put(static_cast<char>('0' + e.cls));
        put('.');
        put_uint(e.subject);
        put('.');
        put_uint(e.detail);
    }
    /// RFC 5321 §4.2: `Reply-code SP [esc SP] textstring CRLF`.
    constexpr void put_reply(const reply_hint& h, bool esc) noexcept {
        put_code(h.code, ' ');
        if (esc && !h.esc.empty()) {
            put_esc(h.esc);
            if (!h.text.empty()) put(' ');
        }
        put(h.text);
        put("\r\n");
    }
};

constexpr bool is_reply_text(std::string_view s, bool allow_space) noexcept {
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == ' ' ? !allow_space : (c < 0x21 || c > 0x7E) && !(allow_space && c == '\t')) return false;
    }
    return true;
}

// ---- the static reply table: every fixed reply, with and without enhanced codes ----------

inline constexpr std::size_t command_reply_base = session_reply_count;
inline constexpr std::size_t line_reply_base = command_reply_base + command_error_count;
inline constexpr std::size_t data_reply_base = line_reply_base + line_error_count;
inline constexpr std::size_t reply_table_size = data_reply_base + data_error_count;

constexpr reply_hint reply_source(std::size_t i) noexcept {
    if (i < command_reply_base) return reply_for(static_cast<session_reply>(i));
    if (i < line_reply_base) return reply_for(static_cast<command_error>(i - command_reply_base));
    if (i < data_reply_base) return reply_for(static_cast<line_error>(i - line_reply_base));
    return reply_for(static_cast<data_error>(i - data_reply_base));
}

constexpr std::size_t rendered_bytes() noexcept {
    std::size_t total = 0;
    for (int esc = 0; esc < 2; ++esc) {
        for (std::size_t i = 0; i < reply_table_size; ++i) {
            char scratch[256] = {};
            render_buf b{scratch, sizeof scratch};
            b.put_reply(reply_source(i), esc != 0);
            total += b.n;
        }
    }
    return total;
}

/// The replies a policy renders with the host name, in the order of its storage (slot k
/// of `policy::slot()`; the EHLO inside TLS takes the slot after `ehlo`).
inline constexpr session_reply policy_rendered[] = {session_reply::greeting,
                                                    session_reply::ehlo,
                                                    session_reply::helo,
                                                    session_reply::bye,
                                                    session_reply::too_many_errors,
                                                    session_reply::local_error,
                                                    session_reply::timeout,
                                                    session_reply::shutting_down,
                                                    session_reply::too_many_connections};

/// The storage slot of a policy-rendered reply (`tls`: the EHLO inside TLS); -1 for the rest.
constexpr int policy_slot_of(session_reply r, bool tls) noexcept {
    for (std::size_t k = 0; k < sizeof policy_rendered / sizeof policy_rendered[0]; ++k) {
        if (policy_rendered[k] != r) continue;
        const int slot = static_cast<int>(k) + (k >= 2 ? 1 : 0);  // ehlo takes two slots
        return slot + (r == session_reply::ehlo && tls ? 1 : 0);
    }
    return -1;
}

struct reply_table {
    char bytes[rendered_bytes()] = {};
    std::uint16_t start[2][reply_table_size + 1] = {};
    /// The reply code of each entry (`step_result::code` without reading the text back).
    std::uint16_t code[reply_table_size] = {};
    /// For the replies the policy renders with the host name: 1 + its slot in the policy's
    /// storage (ehlo: the slot before TLS; the one inside TLS follows it); 0 for the rest.
    std::uint8_t policy_slot[reply_table_size] = {};

    [[nodiscard]] constexpr std::string_view get(std::size_t i, bool esc) const noexcept {
        const auto e = static_cast<std::size_t>(esc);
        return {bytes + start[e][i], static_cast<std::size_t>(start[e][i + 1] - start[e][i])};
    }
};

constexpr reply_table build_reply_table() noexcept {
    reply_table t{};
    render_buf b{t.bytes, sizeof t.bytes};
    for (int esc = 0; esc < 2; ++esc) {
        for (std::size_t i = 0; i < reply_table_size; ++i) {
            t.start[esc][i] = static_cast<std::uint16_t>(b.n);
            b.put_reply(reply_source(i), esc != 0);
        }
        t.start[esc][reply_table_size] = static_cast<std::uint16_t>(b.n);
    }
    for (std::size_t i = 0; i < reply_table_size; ++i) t.code[i] = reply_source(i).code;
    for (session_reply r : policy_rendered) {
        t.policy_slot[static_cast<std::size_t>(r)] = static_cast<std::uint8_t>(policy_slot_of(r, false) + 1);
    }
    return t;
}

inline constexpr reply_table replies = build_reply_table();

constexpr std::size_t reply_index(session_reply r) noexcept { return static_cast<std::size_t>(r); }
constexpr std::size_t reply_index(command_error e) noexcept { return command_reply_base + static_cast<std::size_t>(e); }
constexpr std::size_t reply_index(line_error e) noexcept {
    const auto i = static_cast<std::size_t>(e);
    return line_reply_base + (i < line_error_count ? i : 1);
}
constexpr std::size_t reply_index(data_error e) noexcept {
    const auto i = static_cast<std::size_t>(e);
    return data_reply_base + (i < data_error_count ? i : 0);
}

}  // namespace detail
}  // namespace smtpp

#endif
