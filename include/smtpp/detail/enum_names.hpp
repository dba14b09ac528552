/**
 * @file detail/enum_names.hpp
 * @brief An enum's names as one table of `{enumerator, name}` rows, generated with the enum
 *        from the same X-macro rows and checked at compile time to hold every value once, in
 *        order, under a name of its own: `to_string` reads the row, so a name cannot drift
 *        from its enumerator, and an enumerator without a name cannot be written.
 * @private Included by the public headers.
 */
#ifndef SMTPP_DETAIL_ENUM_NAMES_HPP
#define SMTPP_DETAIL_ENUM_NAMES_HPP

#include <cstddef>
#include <string_view>

namespace smtpp {
namespace detail {

/// One row: an enumerator and its name.
template <typename E>
struct enum_name {
    E value;
    std::string_view name;
};

/// True when row i holds the enumerator of value i, for every row (the enum's values are
/// 0, 1, 2, ... with no gap: `name_of` indexes by value), and every name is non-empty and
/// no other row's. `Row` is `enum_name<E>` or any row with `value` and `name` (tables that
/// also hold the enumerator's reply, rank, ...).
template <typename Row, std::size_t N>
constexpr bool names_in_order(const Row (&rows)[N]) noexcept {
    for (std::size_t i = 0; i < N; ++i) {
        if (static_cast<std::size_t>(rows[i].value) != i || rows[i].name.empty()) return false;
        for (std::size_t j = 0; j < i; ++j)
            if (rows[j].name == rows[i].name) return false;
    }
    return true;
}

/// The name of `e`, or `unknown` for a value past the table (a cast from a wider integer).
template <typename Row, std::size_t N, typename E>
constexpr std::string_view name_of(const Row (&rows)[N], E e, std::string_view unknown) noexcept {
    const auto i = static_cast<std::size_t>(e);
    return i < N ? rows[i].name : unknown;
}

}  // namespace detail
}  // namespace smtpp

#endif
