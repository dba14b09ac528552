// The byte stream of one connection: the socket, and TLS (OpenSSL) over it once STARTTLS
// is through (RFC 3207). Built without OpenSSL (SMTPP_SINK_TLS undefined), a stream is
// always plain and STARTTLS is never offered. OpenSSL appears in tls.cpp only.
#ifndef SMTPP_SINK_TLS_HPP
#define SMTPP_SINK_TLS_HPP

#include <cstddef>
#include <string>

struct ssl_st;
struct ssl_ctx_st;

namespace sink {

/// The server's TLS context (certificate chain and key), shared by every connection.
class tls_context {
public:
    tls_context() = default;
    ~tls_context();
    tls_context(const tls_context&) = delete;
    tls_context& operator=(const tls_context&) = delete;

    /// Loads the certificate chain and key (PEM); exits 2 naming the flag when they do not load.
    void load(const std::string& cert, const std::string& key);
    [[nodiscard]] bool enabled() const { return ctx_ != nullptr; }

private:
    friend class stream;
    ssl_ctx_st* ctx_ = nullptr;
};

/// Reads and writes one connection's bytes, in the clear or through TLS. The descriptors
/// belong to the caller (a stream never closes them); the TLS session is the stream's.
class stream {
public:
    stream(int in_fd, int out_fd) : ifd_(in_fd), ofd_(out_fd) {}
    ~stream() { end_tls(); }
    stream(const stream&) = delete;
    stream& operator=(const stream&) = delete;

    [[nodiscard]] int in_fd() const { return ifd_; }
    [[nodiscard]] int out_fd() const { return ofd_; }

    /// > 0: bytes read; 0: end of stream; -1: nothing now (would block); -2: error.
    long read(char* buf, std::size_t cap);
    /// > 0: bytes written; -1: no room now (would block); -2: error.
    long write(const char* p, std::size_t n);
    /// TLS holds decrypted input that a read() returns without touching the socket.
    [[nodiscard]] bool buffered() const;

    /// Puts a TLS server session over the socket; false: no TLS context (fatal).
    bool start_tls(const tls_context& ctx);
    /// Advances the handshake: 1 done, 0 call again when the socket is ready, -1 failed.
    int handshake();
    /// The handshake waits for room to write (else for input).
    [[nodiscard]] bool handshake_wants_write() const;
    /// Frees the TLS session (the connection is over).
    void end_tls();

private:
    int ifd_ = -1;
    int ofd_ = -1;
    ssl_st* ssl_ = nullptr;
};

}  // namespace sink

#endif
