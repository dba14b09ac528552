// Shared helpers for the benchmarks: load a workload from bench/data and cut it into lines.
#ifndef SMTPP_BENCH_UTIL_HPP
#define SMTPP_BENCH_UTIL_HPP

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace smtpp_bench {

inline std::string load(const char* name) {
    const std::string path = std::string(SMTPP_BENCH_DATA_DIR) + "/" + name;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "cannot open %s\n", path.c_str());
        std::exit(2);
    }
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Lines of a workload, each with its terminator (CRLF or LF) included.
inline std::vector<std::string_view> lines(std::string_view all) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (start < all.size()) {
        std::size_t lf = all.find('\n', start);
        std::size_t end = lf == std::string_view::npos ? all.size() : lf + 1;
        out.push_back(all.substr(start, end - start));
        start = end;
    }
    return out;
}

}  // namespace smtpp_bench

#endif
