// Links against smtpp::compiled and calls through it: proves the compiled flavour builds,
// links and agrees with the header-only functions.
#include <cstdio>
#include <string_view>

#include "smtpp/smtpp.hpp"

namespace smtpp::compiled {
command_error parse_command(std::string_view line, command& out, const parse_options& opt) noexcept;
command_format_result format_command(const command& c, char* out, std::size_t cap, const parse_options& opt) noexcept;
}  // namespace smtpp::compiled

int main() {
    smtpp::command c;
    const auto e = smtpp::compiled::parse_command("MAIL FROM:<a@b.example> SIZE=42\r\n", c, {});
    if (e != smtpp::command_error::none || c.params.size != 42 || c.path.domain != "b.example") {
        std::puts("compiled parse_command disagrees");
        return 1;
    }
    char buf[64];
    const auto r = smtpp::compiled::format_command(c, buf, sizeof buf, {});
    if (r.err != smtpp::command_format_error::none ||
        std::string_view(buf, r.size) != "MAIL FROM:<a@b.example> SIZE=42\r\n") {
        std::puts("compiled format_command disagrees");
        return 1;
    }
    std::puts("compiled flavour ok");
    return 0;
}
