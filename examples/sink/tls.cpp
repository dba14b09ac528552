// The byte stream of a connection: plain read()/write() on the socket, or OpenSSL once
// STARTTLS is through. Every OpenSSL call of smtpp-sink is in this file.
#include "tls.hpp"

#include "config.hpp"

#include <unistd.h>

#include <cerrno>

#if defined(SMTPP_SINK_TLS)
#include <openssl/err.h>
#include <openssl/ssl.h>
#endif

namespace sink {

namespace {
// OpenSSL counts in int: one call moves at most 1 GiB.
[[maybe_unused]] int clamp_int(std::size_t n) { return n > 1u << 30 ? 1 << 30 : static_cast<int>(n); }
}  // namespace

#if defined(SMTPP_SINK_TLS)

tls_context::~tls_context() {
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
}

void tls_context::load(const std::string& cert, const std::string& key) {
    ctx_ = SSL_CTX_new(TLS_server_method());
    if (ctx_ == nullptr) bad_usage("--tls-cert: cannot create a TLS context");
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    SSL_CTX_ctrl(ctx_, SSL_CTRL_MODE,
                 SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS,
                 nullptr);
    if (SSL_CTX_use_certificate_chain_file(ctx_, cert.c_str()) != 1)
        bad_usage("bad value for --tls-cert: cannot load '" + cert + "'");
    if (SSL_CTX_use_PrivateKey_file(ctx_, key.c_str(), SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx_) != 1)
        bad_usage("bad value for --tls-key: cannot load '" + key + "' for the certificate");
}

bool stream::start_tls(const tls_context& ctx) {
    if (ctx.ctx_ == nullptr) return false;
    ssl_ = SSL_new(ctx.ctx_);
    if (ssl_ == nullptr) return false;
    if (ifd_ == ofd_) {
        SSL_set_fd(ssl_, ifd_);
    } else {
        SSL_set_rfd(ssl_, ifd_);
        SSL_set_wfd(ssl_, ofd_);
    }
    SSL_set_accept_state(ssl_);
    return true;
}

int stream::handshake() {
    const int rc = SSL_do_handshake(ssl_);
    if (rc == 1) return 1;
    const int e = SSL_get_error(ssl_, rc);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return 0;
    ERR_clear_error();
    return -1;
}

bool stream::handshake_wants_write() const { return ssl_ != nullptr && SSL_want_write(ssl_); }

bool stream::buffered() const { return ssl_ != nullptr && SSL_pending(ssl_) > 0; }

void stream::end_tls() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    ssl_ = nullptr;
}

namespace {
long tls_read(ssl_st* ssl, char* buf, std::size_t cap) {
    const int n = SSL_read(ssl, buf, clamp_int(cap));
    if (n > 0) return n;
    const int e = SSL_get_error(ssl, n);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return -1;
    if (e == SSL_ERROR_ZERO_RETURN) return 0;
    ERR_clear_error();
    return -2;
}

long tls_write(ssl_st* ssl, const char* p, std::size_t n) {
    const int w = SSL_write(ssl, p, clamp_int(n));
    if (w > 0) return w;
    const int e = SSL_get_error(ssl, w);
    if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) return -1;
    ERR_clear_error();
    return -2;
}
}  // namespace

#else  // built without OpenSSL: STARTTLS is never offered, so none of this is reached

tls_context::~tls_context() = default;
void tls_context::load(const std::string&, const std::string&) {
    bad_usage("--tls-cert: this smtpp-sink was built without OpenSSL");
}
bool stream::start_tls(const tls_context&) { return false; }
int stream::handshake() { return -1; }
bool stream::handshake_wants_write() const { return false; }
bool stream::buffered() const { return false; }
void stream::end_tls() {}

namespace {
long tls_read(ssl_st*, char*, std::size_t) { return -2; }
long tls_write(ssl_st*, const char*, std::size_t) { return -2; }
}  // namespace

#endif

long stream::read(char* buf, std::size_t cap) {
    if (ssl_ != nullptr) return tls_read(ssl_, buf, cap);
    for (;;) {
        const ssize_t n = ::read(ifd_, buf, cap);
        if (n >= 0) return static_cast<long>(n);
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return -1;
        return -2;
    }
}

long stream::write(const char* p, std::size_t n) {
    if (ssl_ != nullptr) return tls_write(ssl_, p, n);
    for (;;) {
        const ssize_t w = ::write(ofd_, p, n);
        if (w > 0) return static_cast<long>(w);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return -1;
        return -2;
    }
}

}  // namespace sink
