// verify: read the log, fetch the blocks it names from the LUN or the backing file, report.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "ha-examples/drill/writer/commands.h"
#include "ha-examples/drill/writer/iscsi_lun.h"
#include "ha-examples/drill/writer/verifier.h"
#include "ha-examples/drill/writer/write_log.h"
#include "libsan/blockcopy/report.h"

namespace san::drill {
namespace {

Result<std::string> ReadWholeFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::NotFound("cannot open " + path + ": " + std::strerror(errno));
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      close(fd);
      return Status::Internal("reading " + path + ": " + std::strerror(e));
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return text;
}

Result<std::string> ReadFileRange(const std::string& path, size_t length) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::NotFound("cannot open --file " + path + ": " + std::strerror(errno));
  std::string out(length, '\0');
  size_t done = 0;
  while (done < length) {
    ssize_t n = pread(fd, out.data() + done, length - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = n < 0 ? errno : 0;
      close(fd);
      return Status::Corruption("--file " + path + " ends at byte " + std::to_string(done) +
                                ", the log names blocks up to byte " + std::to_string(length) +
                                (e != 0 ? std::string(": ") + std::strerror(e) : ""));
    }
    done += static_cast<size_t>(n);
  }
  close(fd);
  return out;
}

std::string JsonReport(const VerifyReport& r) {
  blockcopy::JsonObject reasons;
  for (const auto& [reason, count] : r.error_reasons) reasons.Num(reason, count);
  std::string problems = "[";
  for (const Problem& p : r.problems) {
    blockcopy::JsonObject o;
    o.Num("lba", p.lba).Str("kind", p.lost ? "lost" : "corrupt").Str("what", p.what);
    problems += (problems.size() > 1 ? "," : "") + o.str();
  }
  problems += "]";
  blockcopy::JsonObject j;
  j.Bool("passed", r.passed())
      .Num("acked", r.acked)
      .Num("lost", r.lost)
      .Num("corrupt", r.corrupt)
      .Num("errors", r.errors)
      .Num("writes", r.writes)
      .Num("lbas_checked", r.lbas_checked)
      .Num("unacked_found", r.unacked_found)
      .Raw("longest_gap_s", FormatMicros(r.longest_gap_us))
      .Raw("longest_gap_start", FormatMicros(r.gap_start_us))
      .Raw("error_reasons", reasons.str())
      .Raw("problems", problems);
  return j.str() + "\n";
}

std::string TextReport(const VerifyReport& r) {
  std::string out = "acked " + std::to_string(r.acked) + "  lost " + std::to_string(r.lost) +
                    "  corrupt " + std::to_string(r.corrupt) + "  errors " +
                    std::to_string(r.errors) + "\n";
  out += "writes logged " + std::to_string(r.writes) + ", LBAs checked " +
         std::to_string(r.lbas_checked) + ", holding an unacknowledged write " +
         std::to_string(r.unacked_found) + "\n";
  for (const auto& [reason, count] : r.error_reasons) {
    out += "error err:" + reason + " " + std::to_string(count) + "\n";
  }
  out += "longest gap between acks " + FormatMicros(r.longest_gap_us) + " s from " +
         FormatMicros(r.gap_start_us) + "\n";
  for (const Problem& p : r.problems) {
    out += std::string(p.lost ? "LOST    " : "CORRUPT ") + "lba " + std::to_string(p.lba) + ": " +
           p.what + "\n";
  }
  out += r.passed() ? "PASS: every acknowledged write is intact\n"
                    : "FAIL: acknowledged writes lost or corrupt\n";
  return out;
}

}  // namespace

Result<bool> RunVerify(const VerifyOptions& o) {
  SAN_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(o.log_path));
  Result<std::vector<LogEntry>> log = ParseLog(text);
  if (!log.ok()) return log.status().WithContext(o.log_path);
  const size_t length = log->empty() ? 0 : (MaxLba(*log) + 1) * o.block_size;
  std::string image;
  if (!o.file.empty()) {
    SAN_ASSIGN_OR_RETURN(image, ReadFileRange(o.file, length));
  } else {
    SAN_ASSIGN_OR_RETURN(std::unique_ptr<IscsiLun> lun, IscsiLun::Open(o.url, o.initiator_name));
    if (o.block_size % lun->block_size() != 0) {
      return Status::InvalidConfig("--block-size " + std::to_string(o.block_size) +
                                   " is not a multiple of the LUN's block size " +
                                   std::to_string(lun->block_size()));
    }
    if (length > lun->size_bytes()) {
      return Status::Corruption("the log names blocks up to byte " + std::to_string(length) +
                                ", the LUN has " + std::to_string(lun->size_bytes()));
    }
    SAN_ASSIGN_OR_RETURN(image, lun->Read(0, length));
  }
  VerifyReport report = Verify(std::as_bytes(std::span(image)), o.block_size, *log);
  std::cout << (o.json ? JsonReport(report) : TextReport(report));
  return report.passed();
}

}  // namespace san::drill
