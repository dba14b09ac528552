// Split-invariance helpers (style rule 12).
//
// `exact_buffer` copies bytes into a heap block of exactly their size, so reading one byte
// past the end faults under ASan. `for_each_split` hands a callback every way of cutting an
// input that the tests care about: whole, one byte at a time, at every single split point,
// and in fixed chunk sizes 2, 3, 7 and 64. Each chunk lives in its own exact buffer.
//
// Typical use: compute the result for the whole input, then REQUIRE that every split
// gives the same result.
#ifndef SMTPP_TESTS_SPLITS_HPP
#define SMTPP_TESTS_SPLITS_HPP

#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace smtpp_test {

class exact_buffer {
public:
    explicit exact_buffer(std::string_view s) : size_(s.size()), data_(new char[s.size() == 0 ? 1 : s.size()]) {
        if (!s.empty()) std::memcpy(data_.get(), s.data(), s.size());
    }
    [[nodiscard]] std::string_view view() const noexcept { return {data_.get(), size_}; }

private:
    std::size_t size_;
    std::unique_ptr<char[]> data_;
};

/// A list of chunks, each in its own exact heap buffer.
class chunked_input {
public:
    void add(std::string_view s) { bufs_.emplace_back(std::make_unique<exact_buffer>(s)); }
    [[nodiscard]] std::vector<std::string_view> chunks() const {
        std::vector<std::string_view> out;
        out.reserve(bufs_.size());
        for (const auto& b : bufs_) out.push_back(b->view());
        return out;
    }

private:
    std::vector<std::unique_ptr<exact_buffer>> bufs_;
};

/// A short label for the split, for failure messages.
struct split_info {
    std::string name;
};

/// Calls fn(chunks, info) for: whole; byte by byte; every 2-way split; chunks of 2, 3, 7, 64.
template <class Fn>
void for_each_split(std::string_view input, Fn&& fn) {
    {
        chunked_input c;
        c.add(input);
        fn(c.chunks(), split_info{"whole"});
    }
    {
        chunked_input c;
        for (std::size_t i = 0; i < input.size(); ++i) c.add(input.substr(i, 1));
        fn(c.chunks(), split_info{"byte by byte"});
    }
    for (std::size_t at = 1; at < input.size(); ++at) {
        chunked_input c;
        c.add(input.substr(0, at));
        c.add(input.substr(at));
        fn(c.chunks(), split_info{"split at " + std::to_string(at)});
    }
    for (std::size_t step : {std::size_t{2}, std::size_t{3}, std::size_t{7}, std::size_t{64}}) {
        chunked_input c;
        for (std::size_t i = 0; i < input.size(); i += step) c.add(input.substr(i, step));
        fn(c.chunks(), split_info{"chunks of " + std::to_string(step)});
    }
}

}  // namespace smtpp_test

#endif
