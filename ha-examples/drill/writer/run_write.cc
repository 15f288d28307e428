// The write loop: encode, submit with FUA, wait (reconnects happen inside libiscsi), log.
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <vector>

#include "ha-examples/drill/writer/block_format.h"
#include "ha-examples/drill/writer/commands.h"
#include "ha-examples/drill/writer/iscsi_lun.h"
#include "ha-examples/drill/writer/write_log.h"

namespace san::drill {
namespace {

std::atomic<int> g_signals{0};

void OnSignal(int) { g_signals.fetch_add(1); }

uint64_t RealtimeMicros() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return uint64_t(ts.tv_sec) * 1000000 + uint64_t(ts.tv_nsec) / 1000;
}

// No SA_RESTART: a signal interrupts poll() and nanosleep() so the loop sees it at once.
void InstallStopHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
}

Status WriteAll(int fd, const std::string& text, const std::string& path) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::Internal("writing " + path + ": " + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

Status RunWrite(const WriteOptions& o) {
  SAN_ASSIGN_OR_RETURN(std::unique_ptr<IscsiLun> lun, IscsiLun::Open(o.url, o.initiator_name));
  if (o.block_size % lun->block_size() != 0) {
    return Status::InvalidConfig("--block-size " + std::to_string(o.block_size) +
                                 " is not a multiple of the LUN's block size " +
                                 std::to_string(lun->block_size()));
  }
  if (o.region_blocks > lun->size_bytes() / o.block_size) {
    return Status::InvalidConfig("--region-blocks " + std::to_string(o.region_blocks) + " of " +
                                 std::to_string(o.block_size) + " bytes exceeds the LUN (" +
                                 std::to_string(lun->size_bytes()) + " bytes)");
  }
  int fd = open(o.log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Internal("cannot open --log " + o.log_path + ": " + strerror(errno));
  InstallStopHandlers();

  using Steady = std::chrono::steady_clock;
  std::vector<std::byte> block(o.block_size);
  uint64_t acked = 0, errors = 0, seq = 0;
  Status status;
  for (; g_signals.load() == 0; ++seq) {
    const uint64_t lba = seq % o.region_blocks;
    const uint64_t submit_us = RealtimeMicros();
    EncodeBlock({seq, lba, submit_us, 0}, block);
    std::optional<Steady::time_point> stop_seen;
    auto abandon = [&stop_seen] {
      int signals = g_signals.load();
      if (signals == 0) return false;
      if (signals > 1) return true;
      if (!stop_seen) stop_seen = Steady::now();
      return Steady::now() - *stop_seen > std::chrono::seconds(2);
    };
    std::optional<WriteOutcome> outcome = lun->Write(lba * o.block_size, block, abandon);
    if (!outcome) {
      std::cerr << "sanha-drill-writer: stopped with seq " << seq << " in flight (not logged)\n";
      break;
    }
    // A clock stepped back must not produce a line the verifier refuses.
    const uint64_t done_us = std::max(RealtimeMicros(), submit_us);
    LogEntry entry{seq, lba, submit_us, done_us, outcome->ok ? "ok" : outcome->reason};
    status = WriteAll(fd, FormatLogLine(entry), o.log_path);
    if (!status.ok()) break;
    if (outcome->ok) {
      ++acked;
    } else {
      ++errors;
      std::cerr << FormatMicros(done_us) << " sanha-drill-writer: seq " << seq << " lba " << lba
                << ": err:" << outcome->reason << "\n";
    }
    if (o.interval_ms > 0 && g_signals.load() == 0) {
      timespec pause{static_cast<time_t>(o.interval_ms / 1000),
                     static_cast<long>(o.interval_ms % 1000) * 1000000};
      nanosleep(&pause, nullptr);  // a signal cuts it short
    }
  }
  close(fd);
  std::cerr << "sanha-drill-writer: " << acked << " acknowledged, " << errors << " errors, "
            << IscsiLun::reconnects() << " reconnects\n";
  return status;
}

}  // namespace san::drill
