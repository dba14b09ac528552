// A counting global allocator for the zero-allocation proofs.
//
// Every test executable links alloc_counter.cpp, which replaces the global operator new
// and delete. `no_alloc_scope` counts the allocations made while it is alive; tests
// REQUIRE the count to be zero around library calls (Catch2's own allocations happen
// outside the scope).
#ifndef SMTPP_TESTS_ALLOC_COUNTER_HPP
#define SMTPP_TESTS_ALLOC_COUNTER_HPP

#include <cstddef>

namespace smtpp_test {

std::size_t allocation_count() noexcept;

class no_alloc_scope {
public:
    no_alloc_scope() noexcept : start_(allocation_count()) {}
    [[nodiscard]] std::size_t allocations() const noexcept { return allocation_count() - start_; }

private:
    std::size_t start_;
};

}  // namespace smtpp_test

#endif
