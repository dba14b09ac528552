/**
 * @file detail/session_policy.hpp
 * @brief The policy's construction: what the offered extensions allow (MAIL/RCPT
 *        parameters, line increments), the validation of the host's texts and limits, and
 *        the rendering of the greeting, the EHLO replies, HELO, 221 and the 421s.
 * @private Included by session.hpp only.
 */
#ifndef SMTPP_DETAIL_SESSION_POLICY_HPP
#define SMTPP_DETAIL_SESSION_POLICY_HPP

namespace smtpp {

constexpr policy::policy(const policy_options& o) noexcept : opt_(o) {
    esc_ = (o.extensions & ext_enhancedstatuscodes) != 0;
    // Even for a policy that fails to build (command_line_limit() must not depend on it).
    derive_limits(o);
    err_ = validate(o);
    opt_.hostname = {};
    opt_.greeting = {};
    opt_.futurerelease_max_datetime = {};
    opt_.mt_priority_policy = {};
    if (err_ != policy_error::none) return;
    render(o);
}

constexpr void policy::derive_limits(const policy_options& o) noexcept {
    // The MAIL/RCPT parameters whose extension is offered (BODY is decided by value) and
    // the RFC 5321 §2.2.2 line increments (see command_line_limit()), both derived from the
    // parameter table (extensions.hpp `SMTPP_ESMTP_PARAMS`).
    params_ = static_cast<std::uint16_t>(detail::params_enabled_by(o.extensions));
    esmtp_line_ = static_cast<std::uint16_t>(detail::line_increment(o.extensions, detail::all_params, true));
}

constexpr policy_error policy::validate(const policy_options& o) const noexcept {
    if (o.hostname.empty() || !detail::is_reply_text(o.hostname, false)) return policy_error::bad_hostname;
    if (!detail::is_reply_text(o.greeting, true)) return policy_error::bad_greeting;
    if (!detail::is_reply_text(o.mt_priority_policy, false) ||
        !detail::is_reply_text(o.futurerelease_max_datetime, false))
        return policy_error::bad_parameter;
    if (o.parse.max_line < 512 || o.parse.max_line > max_limit ||
        ((o.extensions & ext_auth) != 0 && o.parse.max_auth_line < 12288) || o.parse.max_auth_line > max_limit)
        return policy_error::bad_limit;
    return policy_error::none;
}

constexpr void policy::render(const policy_options& o) noexcept {
    detail::render_buf b{buf_, storage};
    // Slot k ends at end_[k]; slot 0 (the greeting) starts at 0, slot k + 1 where k ends.
    auto mark = [&](std::size_t k) {
        if (k != 0) end_[k - 1] = static_cast<std::uint16_t>(b.n);
    };
    // 220: Greeting = "220 " (Domain / address-literal) [ SP textstring ] CRLF (§4.2).
    mark(0);
    b.put("220 ");
    b.put(o.hostname);
    b.put(' ');
    b.put(!o.greeting.empty() ? o.greeting : o.lmtp ? std::string_view{"LMTP"} : std::string_view{"ESMTP"});
    b.put("\r\n");
    mark(1);
    render_ehlo(b, o, false);
    mark(2);
    render_ehlo(b, o, true);
    mark(3);
    b.put("250 ");
    b.put(o.hostname);
    b.put("\r\n");
    // 221 <domain> and 421 <domain> (RFC 5321 §4.2.2/§4.2.3): the host name follows the
    // code (and the enhanced code when in use). The slots after helo, in the order of
    // detail::policy_rendered.
    constexpr std::size_t first_named = 3;  // greeting, ehlo, helo come first
    constexpr std::size_t named = sizeof detail::policy_rendered / sizeof detail::policy_rendered[0] - first_named;
    static_assert(first_named + 1 + named == slots, "policy::slots holds every rendered reply");
    for (std::size_t k = 0; k < named; ++k) {
        mark(4 + k);
        const reply_hint h = reply_for(detail::policy_rendered[first_named + k]);
        b.put_code(h.code, ' ');
        if (esc_) {
            b.put_esc(h.esc);
            b.put(' ');
        }
        b.put(o.hostname);
        b.put(' ');
        b.put(h.text);
        b.put("\r\n");
    }
    mark(slots);
    if (b.overflow) err_ = policy_error::too_long;
}

namespace detail {

/// Whether the enabled extension `r` is offered in this EHLO reply.
constexpr bool offered_now(const service_row& r, const policy_options& o, bool tls) noexcept {
    switch (r.when) {
        case offered_when::before_tls: return !tls;
        case offered_when::inside_tls: return tls;
        case offered_when::with_chunking: return (o.extensions & ext_chunking) != 0;
        case offered_when::always: break;
    }
    switch (r.kind) {
        // AUTH that can only be used under TLS is not offered before it (as Postfix's
        // smtpd_tls_auth_only): a client should not be invited to a 538.
        case keyword_kind::auth: return o.auth_mechanisms != 0 && (tls || !(o.auth_needs_tls || o.require_tls));
        // RFC 9422 §4: limits that do not apply are left out (no RCPTMAX=0 for "no limit").
        case keyword_kind::limits: return o.max_recipients != 0 || o.limits_mailmax != 0;
        default: return true;
    }
}

/// The EHLO parameters after a keyword of the kind `k`.
constexpr void render_ehlo_params(render_buf& b, keyword_kind k, const policy_options& o) noexcept {
    switch (k) {
        case keyword_kind::plain:
        case keyword_kind::listed: break;
        case keyword_kind::size:
            if (o.max_message_size != 0) {
                b.put(' ');
                b.put_uint(o.max_message_size);
            }
            break;
        case keyword_kind::auth:
            for (std::size_t m = 1; m < mechanism_count; ++m) {
                if ((o.auth_mechanisms & (std::uint32_t{1} << m)) == 0) continue;
                b.put(' ');
                b.put(mechanism_name(m));
            }
            break;
        case keyword_kind::deliverby:
            if (o.deliverby_min != 0) {
                b.put(' ');
                b.put_uint(o.deliverby_min);
            }
            break;
        case keyword_kind::futurerelease:
            b.put(' ');
            b.put_uint(o.futurerelease_max_interval);
            b.put(' ');
            b.put(o.futurerelease_max_datetime);
            break;
        case keyword_kind::mt_priority:
            if (!o.mt_priority_policy.empty()) {
                b.put(' ');
                b.put(o.mt_priority_policy);
            }
            break;
        case keyword_kind::limits:
            if (o.max_recipients != 0) {
                b.put(" RCPTMAX=");
                b.put_uint(o.max_recipients);
            }
            if (o.limits_mailmax != 0) {
                b.put(" MAILMAX=");
                b.put_uint(o.limits_mailmax);
            }
            break;
    }
}

}  // namespace detail

// ehlo-ok-rsp = ( "250" SP Domain [ SP ehlo-greet ] CRLF )
//             / ( "250-" Domain [ SP ehlo-greet ] CRLF *( "250-" ehlo-line CRLF )
//                 "250" SP ehlo-line CRLF )                        (RFC 5321 §4.1.1.1)
// Each line is written as "250-"; the last one's "-" is turned into SP at the end.
constexpr void policy::render_ehlo(detail::render_buf& b, const policy_options& o, bool tls) noexcept {
    const std::size_t first = b.n;
    std::size_t last = first;
    auto line = [&](std::string_view kw) {
        b.put("\r\n");
        last = b.n;
        b.put("250-");
        b.put(kw);
    };
    b.put("250-");
    b.put(o.hostname);
    // The keywords and their order: extensions.hpp `SMTPP_SERVICE_EXTENSIONS`.
    for (const detail::service_row& r : detail::service_rows) {
        if ((o.extensions & r.policy) == 0 || !detail::offered_now(r, o, tls)) continue;
        line(r.keyword);
        detail::render_ehlo_params(b, r.kind, o);
    }
    b.put("\r\n");
    if (!b.overflow) buf_[last + 3] = ' ';
}

constexpr std::string_view policy::rendered(session_reply r, bool tls) const noexcept {
    const int k = detail::policy_slot_of(r, tls);
    if (k < 0 || err_ != policy_error::none) return {};
    return slot(static_cast<std::size_t>(k));
}

namespace detail {

/// The policy's private storage, for the result builders.
struct policy_access {
    /// Slot `k` of the rendered policy replies (see `reply_table::policy_slot`).
    static constexpr std::string_view slot(const policy& p, std::size_t k) noexcept { return p.slot(k); }
    /// What `command_line_limit()` adds to `parse.max_line` once extensions are in force.
    static constexpr std::size_t esmtp_line(const policy& p) noexcept { return p.esmtp_line_; }
    /// The `param_bit`s of the extensions the policy offers (BODY aside).
    static constexpr std::uint32_t params(const policy& p) noexcept { return p.params_; }
};

}  // namespace detail
}  // namespace smtpp

#endif
