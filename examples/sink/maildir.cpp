// Maildir delivery: tmp/ -> fsync -> rename into new/ -> fsync new/ -> the 250.
#include "maildir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace sink {

namespace {
bool mkdir_p(const std::string& path) {
    std::string cur;
    std::size_t i = 0;
    while (i <= path.size()) {
        const std::size_t j = path.find('/', i);
        const std::size_t end = j == std::string::npos ? path.size() : j;
        cur = path.substr(0, end);
        if (!cur.empty() && mkdir(cur.c_str(), 0700) != 0 && errno != EEXIST) return false;
        if (j == std::string::npos) break;
        i = j + 1;
    }
    struct stat sb {};
    return stat(path.c_str(), &sb) == 0 && S_ISDIR(sb.st_mode);
}
}  // namespace

maildir::~maildir() {
    if (new_dir_fd_ >= 0) close(new_dir_fd_);
}

void maildir::open() {
    if (cfg_.discard) return;
    const std::string& d = cfg_.maildir;
    if (!mkdir_p(d) || !mkdir_p(d + "/tmp") || !mkdir_p(d + "/new") || !mkdir_p(d + "/cur"))
        bad_usage("bad value for --maildir: cannot create '" + d + "': " + std::strerror(errno));
    tmp_dir_ = d + "/tmp/";
    new_dir_ = d + "/new/";
    // Kept open to fsync the directory after each rename into it.
    new_dir_fd_ = ::open(new_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (new_dir_fd_ < 0) bad_usage("bad value for --maildir: cannot open '" + new_dir_ + "': " + std::strerror(errno));
}

// A unique name (Maildir: time, microseconds, process, sequence, host).
void maildir::begin(message& m, const std::string& return_path, const std::vector<std::string>& rcpts) {
    abort(m);
    m.write_failed = false;
    m.verdict = smtpp::verdict::accept;
    if (cfg_.discard) return;
    timeval tv{};
    gettimeofday(&tv, nullptr);
    std::string host = cfg_.hostname;
    for (char& ch : host)
        if (ch == '/' || ch == ':') ch = '_';
    char name[96];
    std::snprintf(name, sizeof name, "%lld.M%06ldP%dQ%lu.", static_cast<long long>(tv.tv_sec),
                  static_cast<long>(tv.tv_usec), static_cast<int>(getpid()), ++seq_);
    m.name = std::string(name) + host;
    const std::string path = tmp_dir_ + m.name;
    m.fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (m.fd < 0) {
        m.write_failed = true;
        return;
    }
    stage_.clear();
    stage_.append("Return-Path: <").append(return_path).append(">\r\n");
    for (const std::string& r : rcpts) stage_.append("Delivered-To: ").append(r).append("\r\n");
}

bool maildir::write_all(message& m, const char* p, std::size_t n) {
    while (n > 0) {
        const ssize_t w = write(m.fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            m.write_failed = true;
            return false;
        }
        p += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

void maildir::store(message& m, std::string_view bytes) {
    if (m.fd < 0) return;
    if (stage_.size() + bytes.size() > stage_cap) flush(m);
    if (bytes.size() >= stage_cap) {
        if (!m.write_failed) write_all(m, bytes.data(), bytes.size());  // large runs go straight to the file
        return;
    }
    stage_.append(bytes);
}

void maildir::flush(message& m) {
    if (m.fd >= 0 && !stage_.empty() && !m.write_failed) write_all(m, stage_.data(), stage_.size());
    stage_.clear();
}

smtpp::verdict maildir::commit(message& m, bool group) {
    if (cfg_.discard) return smtpp::verdict::accept;
    if (m.fd < 0) return smtpp::verdict::defer;
    flush(m);
    if (group && !m.write_failed) return smtpp::verdict::accept;  // pending: commit_batch()
    smtpp::verdict v = finish(m);
    if (v == smtpp::verdict::accept && !cfg_.no_fsync && fsync(new_dir_fd_) != 0) {
        unlink((new_dir_ + m.name).c_str());  // a 451 must not leave a copy the client will send again
        v = smtpp::verdict::defer;
    }
    return v;
}

// On a journalling file system the first fsync of the batch commits every file of it, and
// one fsync of new/ covers all the renames.
void maildir::commit_batch(const std::vector<message*>& batch) {
    bool renamed = false;
    for (message* m : batch) {
        m->verdict = finish(*m);
        renamed = renamed || m->verdict == smtpp::verdict::accept;
    }
    if (!renamed || fsync(new_dir_fd_) == 0) return;
    for (message* m : batch) {
        if (m->verdict != smtpp::verdict::accept) continue;
        unlink((new_dir_ + m->name).c_str());  // never acknowledged
        m->verdict = smtpp::verdict::defer;
    }
}

// fsync the file, close it, rename it into new/; on failure remove it: 451 4.3.0.
smtpp::verdict maildir::finish(message& m) {
    bool ok = !m.write_failed && (cfg_.no_fsync || fsync(m.fd) == 0);
    ok = close(m.fd) == 0 && ok;
    m.fd = -1;
    const std::string from = tmp_dir_ + m.name;
    if (ok) ok = rename(from.c_str(), (new_dir_ + m.name).c_str()) == 0;
    if (!ok) {
        unlink(from.c_str());
        return smtpp::verdict::defer;  // the client keeps the message
    }
    return smtpp::verdict::accept;
}

void maildir::abort(message& m) {
    if (m.fd < 0) return;
    if (!stage_.empty()) stage_.clear();
    close(m.fd);
    m.fd = -1;
    unlink((tmp_dir_ + m.name).c_str());
}

}  // namespace sink
