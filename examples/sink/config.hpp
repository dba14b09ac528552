// smtpp-sink's options, as the command line gives them (cli.cpp parses and checks them).
#ifndef SMTPP_SINK_CONFIG_HPP
#define SMTPP_SINK_CONFIG_HPP

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sink {

struct config {
    std::string listen = "127.0.0.1:2525";
    std::string listen_host = "127.0.0.1";  // --listen split (a numeric address, no brackets)
    std::string listen_port = "2525";
    bool stdio = false;
    std::string maildir = "./maildir";
    std::string hostname;
    std::uint64_t max_size = 10u * 1024u * 1024u;
    std::uint16_t max_recipients = 100;
    std::uint8_t max_errors = 20;
    std::vector<std::pair<std::string, std::string>> auth;
    bool auth_required = false;
    std::string tls_cert, tls_key;
    bool tls_required = false;
    bool lmtp = false;
    bool no_pipelining = false, no_chunking = false, no_smtputf8 = false;
    bool bare_lf_normalize = false;
    bool unknown_param_504 = false;
    unsigned timeout = 300;  // RFC 5321 §4.5.3.2.7: server timeout 5 minutes (idle: reset by every read)
    // Deadlines that progress, not activity, must meet (RFC 5321 §4.5.3.2): a client that
    // drips one byte at a time keeps the idle timer quiet but not these.
    unsigned command_timeout = 300;       // a whole command line (§4.5.3.2.7: 5 minutes)
    unsigned data_timeout = 180;          // every data block of the body (§4.5.3.2.5: 3 minutes)
    unsigned dot_timeout = 600;           // the whole body, 354/first BDAT to the end (§4.5.3.2.6: 10 minutes)
    unsigned transaction_timeout = 1800;  // MAIL to the final reply of the transaction
    std::uint64_t max_connections = 0;    // 0: derived from RLIMIT_NOFILE at start
    std::uint64_t max_per_ip = 0;         // 0: no limit per client address
    bool discard = false;
    bool no_fsync = false;  // benchmarks only: a 250 no longer means "on disk"
};

/// The command line, checked; exits 2 with a message on a bad one, 0 after --help.
config parse_args(int argc, char** argv);

/// "smtpp-sink: <msg>" on stderr and exit 2 (a bad option, found at parse time or at setup).
[[noreturn]] void bad_usage(const std::string& msg);

}  // namespace sink

#endif
