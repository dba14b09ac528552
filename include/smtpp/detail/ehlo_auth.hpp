/**
 * @file detail/ehlo_auth.hpp
 * @brief AUTH's parameters (RFC 4954 §3): the SASL mechanism names by perfect-hash slot, and the
 *        mechanism list parser.
 * @private Included by ehlo.hpp only, after the public types.
 */
#ifndef SMTPP_DETAIL_EHLO_AUTH_HPP
#define SMTPP_DETAIL_EHLO_AUTH_HPP

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace smtpp {
namespace detail {

/**
 * The SASL mechanism names by slot (`mech_slot`), field by field, eight octets at a time,
 * for an exact case-insensitive compare without case-folding the candidate:
 * `(word | lower) & mask == key`, where `lower` has 0x20 on the letters only (c | 0x20 is a
 * given lower-case letter only for that letter in either case) and `key` is the name with
 * its letters in lower case. An empty slot has size 0, which no word has.
 */
struct mech_table {
    std::uint64_t key[3][32] = {};
    std::uint64_t lower[3][32] = {};
    std::uint64_t mask[3][32] = {};
    std::uint32_t bit[32] = {};
    std::uint8_t size[32] = {};
    bool collision = false;
};

/// Slot of a mechanism in `mech_slots` from its first three octets (OR 0x20) and its
/// length: a perfect hash of the 14 names into 32 slots, which the builder checks.
constexpr std::size_t mech_slot(std::uint64_t head, std::size_t n) noexcept {
    const std::uint32_t h = (static_cast<std::uint32_t>(head) | 0x202020u) & 0xFFFFFFu;
    return static_cast<std::size_t>(((h + (static_cast<std::uint32_t>(n) << 24)) * 0xf8eb18b9u) >> 27);
}

/// A mechanism and its registered name (RFC 4422 registry).
struct sasl_mech_name {
    sasl_mech mech;
    std::string_view name;
};

/// Every `sasl_mech` with its name, in bit order: `to_string` and the parser's table
/// (`make_mech_slots`) both read it, so a mechanism is added here and in the enum only.
inline constexpr sasl_mech_name sasl_mech_names[] = {
    {sasl_mech::plain, "PLAIN"},
    {sasl_mech::login, "LOGIN"},
    {sasl_mech::cram_md5, "CRAM-MD5"},
    {sasl_mech::digest_md5, "DIGEST-MD5"},
    {sasl_mech::xoauth2, "XOAUTH2"},
    {sasl_mech::oauthbearer, "OAUTHBEARER"},
    {sasl_mech::scram_sha_1, "SCRAM-SHA-1"},
    {sasl_mech::scram_sha_1_plus, "SCRAM-SHA-1-PLUS"},
    {sasl_mech::scram_sha_256, "SCRAM-SHA-256"},
    {sasl_mech::scram_sha_256_plus, "SCRAM-SHA-256-PLUS"},
    {sasl_mech::gssapi, "GSSAPI"},
    {sasl_mech::ntlm, "NTLM"},
    {sasl_mech::external, "EXTERNAL"},
    {sasl_mech::anonymous, "ANONYMOUS"},
};

/// True when row i of `sasl_mech_names` holds bit i, so that a mechanism's row is found
/// from its bit, and the bits fit `mech_table::bit`.
constexpr bool sasl_mech_names_in_bit_order() noexcept {
    std::size_t i = 0;
    for (const sasl_mech_name& n : sasl_mech_names)
        if (static_cast<std::uint32_t>(n.mech) != std::uint32_t{1} << i++ || n.name.empty()) return false;
    return i <= 32;
}
static_assert(sasl_mech_names_in_bit_order(), "sasl_mech_names: one row per sasl_mech, in bit order");

constexpr mech_table make_mech_slots() noexcept {
    mech_table t{};
    for (const sasl_mech_name& d : sasl_mech_names) {
        std::uint64_t key[3] = {}, lower[3] = {}, mask[3] = {};
        for (std::size_t i = 0; i < d.name.size(); ++i) {
            const auto c = static_cast<unsigned char>(d.name[i]);
            const bool letter = c >= 'A' && c <= 'Z';
            const unsigned shift = static_cast<unsigned>(8 * (i % 8));
            key[i / 8] |= std::uint64_t{letter ? c | 0x20u : c} << shift;
            if (letter) lower[i / 8] |= std::uint64_t{0x20} << shift;
            mask[i / 8] |= std::uint64_t{0xFF} << shift;
        }
        const std::size_t slot = mech_slot(key[0], d.name.size());
        if (t.size[slot] != 0) t.collision = true;
        for (std::size_t i = 0; i < 3; ++i) {
            t.key[i][slot] = key[i];
            t.lower[i][slot] = lower[i];
            t.mask[i][slot] = mask[i];
        }
        t.bit[slot] = static_cast<std::uint32_t>(d.mech);
        t.size[slot] = static_cast<std::uint8_t>(d.name.size());
    }
    return t;
}
inline constexpr mech_table mech_slots = make_mech_slots();
static_assert(!mech_slots.collision, "mech_slot: pick another multiplier");

/// The `sasl_mech` bit of the mechanism name `p[0, n)` (case-insensitive), 0 when unknown.
/// `head` is `load_head8(p, n, avail)`; `avail` (>= n) octets are readable from `p`.
constexpr SMTPP_HOT_INLINE std::uint32_t sasl_bit(const char* p, std::size_t n, std::uint64_t head,
                                                  std::size_t avail) noexcept {
    const mech_table& m = mech_slots;
    const std::size_t i = mech_slot(head, n);
    if (((head | m.lower[0][i]) & m.mask[0][i]) != m.key[0][i] || m.size[i] != n) return 0;
    if (n > 8) {
        if (((load_head8(p + 8, n - 8, avail - 8) | m.lower[1][i]) & m.mask[1][i]) != m.key[1][i]) return 0;
        if (n > 16 && ((load_head8(p + 16, n - 16, avail - 16) | m.lower[2][i]) & m.mask[2][i]) != m.key[2][i])
            return 0;
    }
    return m.bit[i];
}

/// RFC 4954 §3: `"AUTH" 1*(SP sasl-mech)`; mechanisms are case-insensitive. `avail`
/// (>= params.size()) octets are readable from `params.data()`.
constexpr SMTPP_HOT_INLINE void parse_auth(std::string_view params, std::size_t avail,
                                           ehlo_capabilities& caps) noexcept {
    caps.auth_params = params;
    const char* const p = params.data();
    const std::size_t n = params.size();
    std::uint32_t bits = 0;
    std::uint32_t unknown = 0;
    std::size_t pos = 0;
    while (pos < n) {
        if (p[pos] == ' ') {  // runs of SP, as next_word
            ++pos;
            continue;
        }
        // The word's first eight octets serve both to find its end and to match it.
        std::uint64_t head = 0;
        std::size_t end = 0;
        if (avail - pos >= 8) {
            head = load8_word(p + pos);
            const std::size_t k = byte_index(head, ' ');
            end = pos + k;
            if (end >= n) end = n;
            else if (k == 8) end += find_sp(p + end, n - end, avail - end);
        } else {
            end = pos + find_sp(p + pos, n - pos, avail - pos);
            head = load_head8(p + pos, end - pos, avail - pos);
        }
        const std::uint32_t b = sasl_bit(p + pos, end - pos, head, avail - pos);
        bits |= b;
        unknown += b == 0 ? 1u : 0u;
        pos = end;
    }
    caps.auth_mechanisms |= bits;
    caps.auth_unknown = static_cast<std::uint16_t>(caps.auth_unknown + unknown);
}

}  // namespace detail
}  // namespace smtpp

#endif
