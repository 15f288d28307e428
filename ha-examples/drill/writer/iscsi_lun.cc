// libiscsi behind IscsiLun: the synchronous API for login and capacity; the asynchronous one
// with our own poll loop for writes, reads and logout, so a stop request or a deadline is seen
// while a command waits for a target that is gone (the synchronous loop retries poll on EINTR
// and would never return).
#include "ha-examples/drill/writer/iscsi_lun.h"

// clang-format off
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>
// clang-format on
#include <poll.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "ha-examples/drill/writer/write_log.h"
#include "libsan/util/strings.h"

namespace san::drill {
namespace {

std::atomic<uint64_t> g_reconnects{0};

// libiscsi's log callback has no user pointer: one process-wide counter and stderr.
void LogToStderr(int level, const char* message) {
  if (std::strstr(message, "reconnect was successful") != nullptr) ++g_reconnects;
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t us = uint64_t(ts.tv_sec) * 1000000 + uint64_t(ts.tv_nsec) / 1000;
  std::fprintf(stderr, "%s sanha-drill-writer: libiscsi[%d]: %s\n", FormatMicros(us).c_str(), level,
               message);
}

std::string SenseWord(scsi_sense_key key) {
  switch (key) {
    case SCSI_SENSE_NOT_READY:
      return "not_ready";
    case SCSI_SENSE_MEDIUM_ERROR:
      return "medium_error";
    case SCSI_SENSE_HARDWARE_ERROR:
      return "hardware_error";
    case SCSI_SENSE_ILLEGAL_REQUEST:
      return "illegal_request";
    case SCSI_SENSE_UNIT_ATTENTION:
      return "unit_attention";
    case SCSI_SENSE_DATA_PROTECTION:
      return "data_protect";
    case SCSI_SENSE_COMMAND_ABORTED:
      return "aborted_command";
    default:
      return "check_condition";
  }
}

// The one-word reason of a finished task that did not succeed.
std::string StatusWord(int status, const scsi_task* task) {
  switch (status) {
    case SCSI_STATUS_CHECK_CONDITION:
      return task != nullptr ? SenseWord(task->sense.key) : "check_condition";
    case SCSI_STATUS_BUSY:
      return "busy";
    case SCSI_STATUS_RESERVATION_CONFLICT:
      return "reservation_conflict";
    case SCSI_STATUS_TASK_SET_FULL:
      return "task_set_full";
    case SCSI_STATUS_TASK_ABORTED:
      return "task_aborted";
    case SCSI_STATUS_CANCELLED:
      return "cancelled";
    case SCSI_STATUS_TIMEOUT:
      return "timeout";
    case SCSI_STATUS_ERROR:
      return "transport";
    default:
      return "status_" + std::to_string(status);
  }
}

void Pause() {
  timespec pause{0, 100 * 1000 * 1000};
  nanosleep(&pause, nullptr);
}

}  // namespace

// A failure libiscsi did not turn into a reconnect: say so, and pause so that a socket that
// keeps failing at once cannot spin the loop.
void IscsiLun::ServiceFailed() {
  LogToStderr(1, iscsi_get_error(ctx_));
  Pause();
}

// A command's completion, filled in by OnDone. Owns the finished task.
struct IscsiLun::Pending {
  bool done = false;
  int status = 0;
  scsi_task* task = nullptr;
  ~Pending() {
    if (task != nullptr) scsi_free_scsi_task(task);
  }
};

void IscsiLun::OnDone(iscsi_context*, int status, void* command_data, void* private_data) {
  auto* p = static_cast<Pending*>(private_data);
  p->done = true;
  p->status = status;
  p->task = static_cast<scsi_task*>(command_data);
}

IscsiLun::IscsiLun(iscsi_context* ctx, int lun) : ctx_(ctx), lun_(lun) {}

uint64_t IscsiLun::reconnects() { return g_reconnects.load(); }

Result<std::unique_ptr<IscsiLun>> IscsiLun::Open(const std::string& url,
                                                 const std::string& initiator_name) {
  iscsi_context* ctx = iscsi_create_context(initiator_name.c_str());
  if (ctx == nullptr) return Status::Internal("libiscsi: cannot create a context");
  std::unique_ptr<IscsiLun> lun(new IscsiLun(ctx, 0));  // owns ctx from here on
  iscsi_set_log_level(ctx, 2);                          // errors and connection events (reconnects)
  iscsi_set_log_fn(ctx, LogToStderr);
  if (url.find('@') != std::string::npos) {
    return Status::InvalidConfig(
        "--url must not carry credentials (they would be visible in ps): set "
        "LIBISCSI_CHAP_USERNAME and LIBISCSI_CHAP_PASSWORD instead");
  }
  iscsi_url* parsed = iscsi_parse_full_url(ctx, url.c_str());
  if (parsed == nullptr) {
    return Status::InvalidConfig("bad --url '" + Printable(url, 120) +
                                 "' (want iscsi://HOST[:PORT]/IQN/LUN): " + iscsi_get_error(ctx));
  }
  std::unique_ptr<iscsi_url, void (*)(iscsi_url*)> url_owner(parsed, iscsi_destroy_url);
  lun->lun_ = parsed->lun;
  iscsi_set_targetname(ctx, parsed->target);
  iscsi_set_session_type(ctx, ISCSI_SESSION_NORMAL);
  iscsi_set_header_digest(ctx, ISCSI_HEADER_DIGEST_NONE_CRC32C);
  if (parsed->user[0] != '\0') {  // from LIBISCSI_CHAP_USERNAME/PASSWORD
    iscsi_set_initiator_username_pwd(ctx, parsed->user, parsed->passwd);
  }
  iscsi_set_reconnect_max_retries(ctx, -1);
  // Detect a dead portal like open-iscsi's defaults do with NOP-Outs (noop_out_interval 5 s,
  // noop_out_timeout 5 s): when a node dies after the TCP ack of a write but before its SCSI
  // response, nothing is left to retransmit, and libiscsi's default keepalive (30 s idle) would
  // stall the writer for half a minute. Applied to every socket libiscsi opens.
  iscsi_set_tcp_keepidle(ctx, 5);
  iscsi_set_tcp_keepintvl(ctx, 2);
  iscsi_set_tcp_keepcnt(ctx, 2);
  iscsi_set_no_ua_on_reconnect(ctx, 1);
  if (iscsi_full_connect_sync(ctx, parsed->portal, parsed->lun) != 0) {
    return Status::CommandFailed("iSCSI login to " + std::string(parsed->portal) + " " +
                                 parsed->target + " LUN " + std::to_string(parsed->lun) +
                                 " failed: " + iscsi_get_error(ctx));
  }
  scsi_task* task = iscsi_readcapacity16_sync(ctx, parsed->lun);
  if (task == nullptr || task->status != SCSI_STATUS_GOOD) {
    std::string why = task == nullptr ? iscsi_get_error(ctx) : StatusWord(task->status, task);
    if (task != nullptr) scsi_free_scsi_task(task);
    return Status::CommandFailed("READ CAPACITY(16) failed: " + why);
  }
  auto* cap = static_cast<scsi_readcapacity16*>(scsi_datain_unmarshall(task));
  if (cap == nullptr || cap->block_length == 0) {
    scsi_free_scsi_task(task);
    return Status::CommandFailed("READ CAPACITY(16): unreadable reply");
  }
  lun->block_size_ = cap->block_length;
  lun->num_blocks_ = cap->returned_lba + 1;
  scsi_free_scsi_task(task);
  return lun;
}

IscsiLun::~IscsiLun() {
  // A clean logout when the session is up, but bounded: a target that vanished without a reset
  // (a power cut) would keep iscsi_logout_sync() waiting for ever. Destroying the context
  // closes the socket in any case.
  Pending logout;  // outlives iscsi_destroy_context(), which cancels an unanswered logout
  if (abandoned_.empty() && iscsi_is_logged_in(ctx_) != 0 &&
      iscsi_logout_async(ctx_, OnDone, &logout) == 0) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    (void)RunUntilDone(logout.done, [&] { return std::chrono::steady_clock::now() > deadline; });
  }
  // Cancels every command still queued: their callbacks fill `abandoned_` (freed after this).
  iscsi_destroy_context(ctx_);
}

bool IscsiLun::RunUntilDone(const bool& done, const std::function<bool()>& abandon) {
  while (!done) {
    if (abandon()) return false;
    pollfd pfd{iscsi_get_fd(ctx_), static_cast<short>(iscsi_which_events(ctx_)), 0};
    if (pfd.events == 0) {
      // A reconnect waits for its back-off: libiscsi wants to be serviced again later.
      Pause();
      if (iscsi_service(ctx_, 0) < 0) ServiceFailed();
      continue;
    }
    int n = poll(&pfd, 1, 100);
    if (n < 0 && errno == EINTR) continue;
    if (n > 0 && (pfd.revents & POLLNVAL) != 0) {
      // A reconnect whose connect() failed at once (no route: "Network is unreachable") leaves
      // libiscsi reporting a descriptor it closed, and iscsi_service() then returns without
      // retrying. Pause (never spin) and ask for the retry; libiscsi keeps its own back-off.
      Pause();
      (void)iscsi_reconnect(ctx_);
      continue;
    }
    if (iscsi_service(ctx_, n > 0 ? pfd.revents : 0) < 0) ServiceFailed();
  }
  return true;
}

std::optional<WriteOutcome> IscsiLun::Write(uint64_t offset, std::span<const std::byte> data,
                                            const std::function<bool()>& abandon) {
  // On the heap: an abandoned command's callback still runs (cancelled) when the context goes.
  auto p = std::make_unique<Pending>();
  // FUA: the target acknowledges only once the data is on stable storage (tgt's rdwr backing
  // store syncs the write), so each acknowledgement is a durable write.
  scsi_task* task = iscsi_write16_task(
      ctx_, lun_, offset / block_size_,
      const_cast<unsigned char*>(reinterpret_cast<const unsigned char*>(data.data())),
      static_cast<uint32_t>(data.size()), static_cast<int>(block_size_), 0, 0, /*fua=*/1, 0, 0,
      OnDone, p.get());
  if (task == nullptr) return WriteOutcome{false, "queue"};
  if (!RunUntilDone(p->done, abandon)) {
    // The command stays queued until the context is destroyed; no logout is tried behind it.
    abandoned_.push_back(std::move(p));
    return std::nullopt;
  }
  WriteOutcome out;
  out.ok = p->status == SCSI_STATUS_GOOD;
  if (!out.ok) out.reason = StatusWord(p->status, p->task);
  return out;
}

Result<std::string> IscsiLun::Read(uint64_t offset, size_t length) {
  constexpr size_t kChunk = 256 * 1024;
  // A target that stops answering must not hang verify: each chunk gets this long.
  constexpr auto kChunkDeadline = std::chrono::seconds(30);
  std::string out;
  out.reserve(length);
  while (out.size() < length) {
    const size_t want = std::min(kChunk, length - out.size());
    const uint64_t at = offset + out.size();
    auto p = std::make_unique<Pending>();  // on the heap for the same reason as in Write
    scsi_task* task =
        iscsi_read16_task(ctx_, lun_, at / block_size_, static_cast<uint32_t>(want),
                          static_cast<int>(block_size_), 0, 0, 0, 0, 0, OnDone, p.get());
    if (task == nullptr) {
      return Status::CommandFailed("READ(16) at byte " + std::to_string(at) +
                                   " could not be queued: " + iscsi_get_error(ctx_));
    }
    const auto deadline = std::chrono::steady_clock::now() + kChunkDeadline;
    if (!RunUntilDone(p->done, [&] { return std::chrono::steady_clock::now() > deadline; })) {
      abandoned_.push_back(std::move(p));
      return Status::Timeout("READ(16) at byte " + std::to_string(at) + ": no answer within " +
                             std::to_string(kChunkDeadline.count()) + " s");
    }
    Status status;
    if (p->status != SCSI_STATUS_GOOD) {
      status = Status::CommandFailed("READ(16) at byte " + std::to_string(at) +
                                     " failed: " + StatusWord(p->status, p->task));
    } else if (p->task == nullptr || p->task->datain.size < static_cast<int>(want)) {
      status = Status::CommandFailed("READ(16) at byte " + std::to_string(at) + ": short read");
    } else {
      out.append(reinterpret_cast<const char*>(p->task->datain.data), want);
    }
    SAN_RETURN_IF_ERROR(status);
  }
  return out;
}

}  // namespace san::drill
