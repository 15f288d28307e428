// sanha-drill-writer: the failover drill's initiator. `write` logs every acknowledged block it
// writes through libiscsi; `verify` checks that each acknowledged block is still there.
#include <boost/program_options.hpp>
#include <iostream>

#include "ha-examples/drill/writer/block_format.h"
#include "ha-examples/drill/writer/commands.h"
#include "libsan/util/strings.h"

namespace po = boost::program_options;
using san::Result;
using san::Status;

namespace {

constexpr char kHelp[] = R"(usage:
  sanha-drill-writer write --url iscsi://HOST[:PORT]/IQN/LUN --log FILE [--region-blocks N]
      [--block-size 4096] [--interval-ms MS] [--initiator-name IQN]
  sanha-drill-writer verify --log FILE (--url URL | --file BACKING_FILE) [--json]
      [--block-size 4096] [--initiator-name IQN]

write: blocks seq 0, 1, 2, ... (header: magic, seq, lba, submit time, size, XXH3-64 checksum) at
  LBA seq mod N (default N 256; LBAs count --block-size blocks), one write at a time, each
  WRITE(16) with FUA, every --interval-ms (default 10) until SIGTERM/SIGINT. One log line per
  completed write: SEQ LBA T_SUBMIT T_DONE RESULT (CLOCK_REALTIME seconds, 6 decimals; RESULT ok
  or err:<reason>). libiscsi reconnects by itself and re-sends the write in flight.
verify: every acknowledged write intact: each LBA of the log holds a valid block, written there
  by this log, with a seq >= the last acknowledged one. Prints acked, lost, corrupt, errors and
  the longest gap between acknowledgements.
CHAP: LIBISCSI_CHAP_USERNAME and LIBISCSI_CHAP_PASSWORD (never in the URL).
exit: 0 done / verified, 1 acknowledged writes lost or corrupt, 2 bad usage or an error.
)";

Result<uint64_t> Number(const po::variables_map& vm, const char* name, uint64_t fallback,
                        uint64_t min, uint64_t max) {
  if (!vm.count(name)) return fallback;
  Result<int64_t> v = san::ParseInt64(vm[name].as<std::string>());
  if (!v.ok() || *v < 0 || static_cast<uint64_t>(*v) < min || static_cast<uint64_t>(*v) > max) {
    return Status::InvalidConfig("--" + std::string(name) + " wants a whole number from " +
                                 std::to_string(min) + " to " + std::to_string(max) + ", not '" +
                                 san::Printable(vm[name].as<std::string>()) + "'");
  }
  return static_cast<uint64_t>(*v);
}

Result<size_t> BlockSize(const po::variables_map& vm) {
  SAN_ASSIGN_OR_RETURN(uint64_t bs, Number(vm, "block-size", 4096, san::drill::kMinBlockSize,
                                           san::drill::kMaxBlockSize));
  if (bs % 512 != 0) return Status::InvalidConfig("--block-size must be a multiple of 512");
  return static_cast<size_t>(bs);
}

std::string Get(const po::variables_map& vm, const char* name) {
  return vm.count(name) ? vm[name].as<std::string>() : std::string();
}

// Parses and runs one subcommand; the exit code.
Result<int> Run(const std::string& command, int argc, char** argv) {
  po::options_description opts;
  opts.add_options()("url", po::value<std::string>())("log", po::value<std::string>())(
      "block-size", po::value<std::string>())("initiator-name", po::value<std::string>());
  if (command == "write") {
    opts.add_options()("region-blocks", po::value<std::string>())("interval-ms",
                                                                  po::value<std::string>());
  } else if (command == "verify") {
    opts.add_options()("file", po::value<std::string>())("json", po::bool_switch());
  } else {
    return Status::InvalidConfig("unknown command '" + san::Printable(command) +
                                 "' (write or verify)");
  }
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(opts).run(), vm);
  } catch (const po::error& e) {
    return Status::InvalidConfig(e.what());
  }
  if (Get(vm, "log").empty()) return Status::InvalidConfig("--log FILE is required");
  SAN_ASSIGN_OR_RETURN(size_t block_size, BlockSize(vm));
  std::string initiator = Get(vm, "initiator-name");
  if (command == "write") {
    san::drill::WriteOptions o;
    o.url = Get(vm, "url");
    if (o.url.empty()) return Status::InvalidConfig("--url is required");
    o.log_path = Get(vm, "log");
    o.block_size = block_size;
    SAN_ASSIGN_OR_RETURN(o.region_blocks, Number(vm, "region-blocks", 256, 1, uint64_t{1} << 40));
    SAN_ASSIGN_OR_RETURN(o.interval_ms, Number(vm, "interval-ms", 10, 0, 3600000));
    if (!initiator.empty()) o.initiator_name = initiator;
    SAN_RETURN_IF_ERROR(san::drill::RunWrite(o));
    return 0;
  }
  san::drill::VerifyOptions o;
  o.log_path = Get(vm, "log");
  o.url = Get(vm, "url");
  o.file = Get(vm, "file");
  if (o.url.empty() == o.file.empty()) {
    return Status::InvalidConfig("verify wants exactly one of --url and --file");
  }
  o.block_size = block_size;
  o.json = vm["json"].as<bool>();
  if (!initiator.empty()) o.initiator_name = initiator;
  SAN_ASSIGN_OR_RETURN(bool passed, san::drill::RunVerify(o));
  return passed ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kHelp;
    return 2;
  }
  std::string command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kHelp;
    return 0;
  }
  Result<int> rc = Run(command, argc - 1, argv + 1);
  if (!rc.ok()) {
    std::cerr << "sanha-drill-writer: " << rc.status().message() << "\n";
    return 2;
  }
  return *rc;
}
