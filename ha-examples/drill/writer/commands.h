// The two subcommands of sanha-drill-writer: the write loop against an iSCSI LUN and the
// verification of its log against the LUN or its backing file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "libsan/util/status.h"

namespace san::drill {

struct WriteOptions {
  std::string url;
  std::string log_path;
  uint64_t region_blocks = 256;
  size_t block_size = 4096;
  uint64_t interval_ms = 10;
  std::string initiator_name = "iqn.2026-12.org.sanha:drill-writer";
};

// Writes blocks seq 0, 1, 2, ... at LBA seq mod region_blocks, one at a time, each with FUA,
// until SIGTERM or SIGINT; one log line per completed write, written with a single write(2) so a
// kill loses no line that was reported. A write in flight at the stop gets 2 s to finish (a
// second signal ends it at once) and is not logged otherwise. Not OK only when the run could not
// start (bad options, login failed, region beyond the LUN) or the log could not be written.
Status RunWrite(const WriteOptions& options);

struct VerifyOptions {
  std::string log_path;
  std::string url;   // one of url and file
  std::string file;  // the backing file (or device) of the LUN
  size_t block_size = 4096;
  bool json = false;
  std::string initiator_name = "iqn.2026-12.org.sanha:drill-writer";
};

// Reads the log, the blocks it names (from the LUN or the file) and prints the report (text, or
// one JSON object). Its value: whether everything acknowledged is intact. Not OK when the log is
// malformed or the blocks cannot be read.
Result<bool> RunVerify(const VerifyOptions& options);

}  // namespace san::drill
