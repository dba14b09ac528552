// The compiled flavour of smtpp: one translation unit that builds every header under the
// project's warnings and exports a few entry points with external linkage, for hosts that
// link a static library (or call from C through their own thin wrapper).
#include "smtpp/smtpp.hpp"

namespace smtpp::compiled {

command_error parse_command(std::string_view line, command& out, const parse_options& opt) noexcept {
    return smtpp::parse_command(line, out, opt);
}

command_format_result format_command(const command& c, char* out, std::size_t cap, const parse_options& opt) noexcept {
    return smtpp::format_command(c, out, cap, opt);
}

}  // namespace smtpp::compiled
