// One iSCSI LUN through libiscsi's userspace initiator: login, capacity, write-through writes
// that survive a reconnect, reads. The only file that includes libiscsi (iscsi_lun.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "libsan/util/status.h"

struct iscsi_context;

namespace san::drill {

struct WriteOutcome {
  bool ok = false;
  std::string reason;  // one word when !ok: "timeout", "not_ready", "transport", ...
};

class IscsiLun {
 public:
  // Logs in to iscsi://HOST[:PORT]/IQN/LUN as `initiator_name` and reads the capacity. After
  // that libiscsi reconnects by itself, forever, and re-sends the commands that were in flight;
  // a unit attention raised by the new session is consumed by libiscsi, as an OS initiator
  // retries it. libiscsi's connection messages go to stderr. InvalidConfig for a bad URL or one
  // carrying credentials (CHAP comes from LIBISCSI_CHAP_USERNAME/PASSWORD, never argv);
  // CommandFailed when the login or READ CAPACITY fails.
  static Result<std::unique_ptr<IscsiLun>> Open(const std::string& url,
                                                const std::string& initiator_name);
  ~IscsiLun();
  IscsiLun(const IscsiLun&) = delete;
  IscsiLun& operator=(const IscsiLun&) = delete;

  uint32_t block_size() const { return block_size_; }
  uint64_t size_bytes() const { return uint64_t{block_size_} * num_blocks_; }
  // How many times libiscsi reported a completed reconnect so far.
  static uint64_t reconnects();

  // WRITE(16) with FUA of `data` at byte `offset` (both multiples of block_size()). Runs
  // libiscsi's event loop until the command completes; nullopt when `abandon` returned true
  // first (it is asked every 100 ms and whenever a signal interrupts the wait).
  std::optional<WriteOutcome> Write(uint64_t offset, std::span<const std::byte> data,
                                    const std::function<bool()>& abandon);
  // READ(16) of `length` bytes at `offset`, in 256 KiB chunks. CommandFailed with the SCSI
  // status; Timeout when a chunk gets no answer within 30 s (across reconnects).
  Result<std::string> Read(uint64_t offset, size_t length);

 private:
  struct Pending;
  static void OnDone(iscsi_context*, int status, void* command_data, void* private_data);
  IscsiLun(iscsi_context* ctx, int lun);  // in the .cc, where Pending is complete
  void ServiceFailed();
  // Runs libiscsi's event loop until `done` is set by a callback (true) or `abandon` returns
  // true (false); `abandon` is asked every 100 ms and whenever a signal interrupts the wait.
  bool RunUntilDone(const bool& done, const std::function<bool()>& abandon);
  iscsi_context* ctx_;
  int lun_;
  uint32_t block_size_ = 0;
  uint64_t num_blocks_ = 0;
  // Commands given up (stop, read deadline): their callbacks run when the context is
  // destroyed, so their completions live until after that.
  std::vector<std::unique_ptr<Pending>> abandoned_;
};

}  // namespace san::drill
