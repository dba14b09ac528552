// Maildir delivery, durable before the 250 (as qmail, Postfix and Dovecot deliver to a
// Maildir): the message is written into tmp/, its data synced (fsync), its name moved into
// new/ (rename) and the directory synced (fsync of new/); any failure on the way removes
// the file and answers 451 4.3.0 (smtpp::verdict::defer). Group commit: the messages that
// end in one epoll batch share one fsync of new/ (commit_batch).
#ifndef SMTPP_SINK_MAILDIR_HPP
#define SMTPP_SINK_MAILDIR_HPP

#include "config.hpp"

#include <smtpp/smtpp.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sink {

/// One message on its way: its file in tmp/ and how the writing went.
struct message {
    int fd = -1;  // the file in tmp/ (-1: none: --discard, not begun, or finished)
    std::string name;
    bool write_failed = false;
    smtpp::verdict verdict = smtpp::verdict::accept;  // the delivery's outcome (LMTP: for every recipient)
};

class maildir {
public:
    explicit maildir(const config& cfg) : cfg_(cfg) { stage_.reserve(stage_cap); }
    ~maildir();
    maildir(const maildir&) = delete;
    maildir& operator=(const maildir&) = delete;

    /// Creates DIR/{tmp,new,cur} and opens new/ (to sync it); exits 2 naming --maildir when
    /// it cannot. Nothing with --discard.
    void open();

    /// A new file in tmp/ headed by Return-Path and one Delivered-To per recipient (a
    /// message in progress is aborted first). With --discard only the verdict is reset.
    void begin(message& m, const std::string& return_path, const std::vector<std::string>& rcpts);
    /// Body bytes: staged, written in 64 KiB runs (a large run goes straight to the file).
    void store(message& m, std::string_view bytes);
    /// Writes what is staged (called once the input at hand is consumed).
    void flush(message& m);
    /// The end of the body. `group`: only flushes and returns accept for now; the
    /// message is made durable with its batch by commit_batch(). Otherwise fsync, rename,
    /// fsync of new/ here; defer when any of it failed (the file is removed).
    smtpp::verdict commit(message& m, bool group);
    /// Group commit: fsync and rename every message of the batch, then one fsync of new/
    /// for all the renames; each message's verdict says how it went (defer: removed).
    void commit_batch(const std::vector<message*>& batch);
    /// Drops a message in progress: its file in tmp/ is closed and removed.
    void abort(message& m);

private:
    smtpp::verdict finish(message& m);
    bool write_all(message& m, const char* p, std::size_t n);

    const config& cfg_;
    std::string tmp_dir_, new_dir_;
    int new_dir_fd_ = -1;
    unsigned long seq_ = 0;
    std::string stage_;  // write staging, shared: the loop feeds one connection at a time
    static constexpr std::size_t stage_cap = 64 * 1024;
};

}  // namespace sink

#endif
