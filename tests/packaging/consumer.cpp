// A program that uses smtpp the way a consumer project does; built by
// tools/check-packaging.sh against the installed package, through add_subdirectory, and
// against the single header.
#include <cstdio>

#ifdef SMTPP_SINGLE_HEADER
#include "smtpp/smtpp.hpp"  // resolved to single_include/ by the include path
#else
#include <smtpp/smtpp.hpp>
#endif

int main() {
    smtpp::command c;
    if (smtpp::parse_command("RCPT TO:<Postmaster>\r\n", c) != smtpp::command_error::none || !c.path.is_postmaster) {
        std::puts("consumer: unexpected parse result");
        return 1;
    }
    std::printf("consumer ok (smtpp %s)\n", SMTPP_VERSION_STRING);
    return 0;
}
