// Prints smtpp's verdict on MAIL/RCPT lines for the differential grammar oracle
// (tests/oracle/grammar_oracle.py). Input: one line per case, "<mode> <hex of the line>",
// mode 'a' (no SMTPUTF8) or 'u' (SMTPUTF8 advertised and the transaction opened with it).
// Output: one line per case, "ok" or the command_error name.
#include <smtpp/command.hpp>

#include <cstdio>
#include <iostream>
#include <string>

int main() {
    std::ios::sync_with_stdio(false);
    std::string in;
    std::string line;
    std::string out;
    while (std::getline(std::cin, in)) {
        if (in.size() < 2) return 2;
        line.clear();
        for (std::size_t i = 2; i + 1 < in.size(); i += 2)
            line += static_cast<char>(std::stoi(in.substr(i, 2), nullptr, 16));
        smtpp::parse_options o;
        o.smtputf8 = o.smtputf8_transaction = in[0] == 'u';
        smtpp::command c;
        const smtpp::command_error e = smtpp::parse_command(line, c, o);
        out += e == smtpp::command_error::none ? std::string_view("ok") : smtpp::to_string(e);
        out += '\n';
    }
    std::cout << out;
    return 0;
}
