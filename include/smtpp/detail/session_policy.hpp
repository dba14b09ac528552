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
    // The MAIL/RCPT parameters whose extension is offered (BODY is decided by value).
    std::uint32_t m = 0;
    const auto allow = [&](extension e, std::uint32_t bits) {
        if ((o.extensions & e) != 0) m |= bits;
    };
    allow(ext_size, p_size);
    allow(ext_smtputf8, p_smtputf8);
    allow(ext_dsn, p_ret | p_envid | p_notify | p_orcpt);
    allow(ext_auth, p_auth);
    allow(ext_requiretls, p_requiretls);
    allow(ext_mt_priority, p_mt_priority);
    allow(ext_futurerelease, p_holdfor | p_holduntil);
    allow(ext_deliverby, p_by);
    allow(ext_rrvs, p_rrvs);
    params_ = static_cast<std::uint16_t>(m);
    // RFC 5321 §2.2.2 line increments (see command_line_limit()).
    std::uint32_t inc = 0;
    if ((o.extensions & ext_size) != 0) inc += 26;
    if ((o.extensions & ext_auth) != 0) inc += 500;
    if ((o.extensions & ext_smtputf8) != 0) inc += 10;
    if ((o.extensions & ext_dsn) != 0) inc += 600;
    esmtp_line_ = static_cast<std::uint16_t>(inc);
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
    const auto on = [&](std::uint32_t e) { return (o.extensions & e) != 0; };
    if (on(ext_pipelining)) line("PIPELINING");
    if (on(ext_size)) {
        line("SIZE");
        if (o.max_message_size != 0) {
            b.put(' ');
            b.put_uint(o.max_message_size);
        }
    }
    if (on(ext_8bitmime)) line("8BITMIME");
    if (on(ext_smtputf8)) line("SMTPUTF8");
    if (on(ext_enhancedstatuscodes)) line("ENHANCEDSTATUSCODES");
    if (on(ext_dsn)) line("DSN");
    if (on(ext_chunking)) line("CHUNKING");
    if (on(ext_binarymime) && on(ext_chunking)) line("BINARYMIME");
    if (on(ext_starttls) && !tls) line("STARTTLS");
    // AUTH that can only be used under TLS is not offered before it (as Postfix's
    // smtpd_tls_auth_only): a client should not be invited to a 538.
    if (on(ext_auth) && o.auth_mechanisms != 0 && (tls || !(o.auth_needs_tls || o.require_tls))) {
        line("AUTH");
        for (std::size_t m = 1; m < detail::mechanism_count; ++m) {
            if ((o.auth_mechanisms & (std::uint32_t{1} << m)) == 0) continue;
            b.put(' ');
            b.put(detail::mechanism_name(m));
        }
    }
    if (on(ext_requiretls) && tls) line("REQUIRETLS");
    if (on(ext_deliverby)) {
        line("DELIVERBY");
        if (o.deliverby_min != 0) {
            b.put(' ');
            b.put_uint(o.deliverby_min);
        }
    }
    if (on(ext_futurerelease)) {
        line("FUTURERELEASE ");
        b.put_uint(o.futurerelease_max_interval);
        b.put(' ');
        b.put(o.futurerelease_max_datetime);
    }
    if (on(ext_mt_priority)) {
        line("MT-PRIORITY");
        if (!o.mt_priority_policy.empty()) {
            b.put(' ');
            b.put(o.mt_priority_policy);
        }
    }
    if (on(ext_rrvs)) line("RRVS");
    // RFC 9422 §4: limits that do not apply are left out (no RCPTMAX=0 for "no limit").
    if (on(ext_limits) && (o.max_recipients != 0 || o.limits_mailmax != 0)) {
        line("LIMITS");
        if (o.max_recipients != 0) {
            b.put(" RCPTMAX=");
            b.put_uint(o.max_recipients);
        }
        if (o.limits_mailmax != 0) {
            b.put(" MAILMAX=");
            b.put_uint(o.limits_mailmax);
        }
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
