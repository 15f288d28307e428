// The only file that sees Boost.Program_options; its exceptions stop here.
#include "tools/ddless/options.h"

#include <boost/program_options.hpp>

namespace ddless {
namespace po = boost::program_options;

namespace {

po::options_description Describe() {
  po::options_description d;
  auto text = [] { return po::value<std::string>(); };
  // clang-format off
  d.add_options()
      ("direct,d", po::bool_switch())
      ("source,s", text())
      ("rate,r", text())
      ("checksum,c", text())
      ("bail,b", po::bool_switch())
      ("target,t", text())
      ("max,m", text())
      ("invoke,i", text())
      // Counted through the parsed options, so -v, -vv and -v -v all work.
      ("verbose,v", po::value<std::vector<std::string>>()->zero_tokens()->composing())
      ("parameters,p", po::bool_switch())
      ("json", po::bool_switch())
      ("verify", po::bool_switch())
      ("sparse", po::bool_switch())
      ("restart", po::bool_switch())
      ("hash", text())
      ("readers", text())
      ("read-size", text())
      ("commit-window", text())
      ("spot-check", text())
      ("deadline", text())
      ("bench-hash", po::bool_switch())
      ("help,h", po::bool_switch());
  // clang-format on
  return d;
}

std::optional<std::string> Get(const po::variables_map& vm, const char* name) {
  if (!vm.count(name)) return std::nullopt;
  return vm[name].as<std::string>();
}

}  // namespace

san::Result<CommandLine> ParseCommandLine(int argc, const char* const* argv) {
  try {
    po::options_description desc = Describe();
    // No abbreviations: --ver must not silently mean --verify.
    auto style = po::command_line_style::unix_style ^ po::command_line_style::allow_guessing;
    po::parsed_options parsed =
        po::command_line_parser(argc, argv).options(desc).style(style).run();
    po::variables_map vm;
    po::store(parsed, vm);
    po::notify(vm);
    CommandLine cl;
    san::blockcopy::DdlessArgs& a = cl.args;
    for (const po::option& o : parsed.options) {
      if (o.string_key == "verbose") ++a.verbosity;  // -v, -vv, -v -v
      if (o.position_key >= 0 || o.string_key.empty()) {
        std::string word = o.original_tokens.empty() ? "" : o.original_tokens.front();
        return san::Status::InvalidConfig("unexpected argument '" + word.substr(0, 64) +
                                          "' (every value follows its option)");
      }
    }
    a.direct = vm["direct"].as<bool>();
    a.source = Get(vm, "source");
    a.rate = Get(vm, "rate");
    a.checksum = Get(vm, "checksum");
    a.bail = vm["bail"].as<bool>();
    a.target = Get(vm, "target");
    a.max_gb = Get(vm, "max");
    a.command = Get(vm, "invoke");
    a.parameters = vm["parameters"].as<bool>();
    a.json = vm["json"].as<bool>();
    a.verify = vm["verify"].as<bool>();
    a.sparse = vm["sparse"].as<bool>();
    a.restart = vm["restart"].as<bool>();
    a.hash = Get(vm, "hash");
    a.readers = Get(vm, "readers");
    a.read_kib = Get(vm, "read-size");
    a.commit_mib = Get(vm, "commit-window");
    a.spot_check = Get(vm, "spot-check");
    a.deadline = Get(vm, "deadline");
    a.bench_hash = vm["bench-hash"].as<bool>();
    cl.help = vm["help"].as<bool>();
    return cl;
  } catch (const std::exception& e) {
    return san::Status::InvalidConfig(e.what());
  }
}

std::string HelpText() {
  return R"(ddless - copy a block device or file, writing only the 16 KiB segments that changed

Usage:
  ddless [-d] -s SRC [-r MB/s] -c CHECKSUM [-b] -t TARGET [-m GB -i CMD] [-v|-vv]   copy
         [--spot-check N] [--deadline SECONDS]
  ddless [-d] -s SRC -c CHECKSUM [-v]                         checksum only (no target)
  ddless [-d] -s SRC [-v]                                     read-speed zones (to stdout)
  ddless -p                                                   print the parameters
  ddless [-d] [-r MB/s] -c CHECKSUM -t TARGET --verify        check a target against CHECKSUM
  ddless --bench-hash [--hash NAME]                           digest speed of this CPU

Options:
  -d           direct I/O (O_DIRECT) on source and target: bypasses the page cache
  -s SRC       source: block device or regular file
  -r MB/s      limit the source read rate (MB = 2^20 bytes; decimals allowed)
  -c CHECKSUM  checksum file of this source/target pair, created by the first copy (never a
               symlink). A file made for another source, target, size or hash is refused, never
               reused or overwritten. It records the target's identity: when the target was
               deleted, re-created, truncated, replaced, modified outside ddless (file mtime) or
               fails the spot check, ddless starts over with a new checksum file (full copy).
  -b           exit 3 instead of copying everything when a new checksum file is required
               (none yet, one that does not fit this pair or this target any more, one of an
               older format, or one of the original ddless); nothing is written
  -t TARGET    target: block device at least as large as the source, or a file (created or
               extended to the source size; zero segments become holes)
  -m GB        stop once GB (2^30 bytes) have changed on the target; the next run resumes there
  -i CMD       with -m: run CMD when the limit is reached, then exit 2. CMD is split into words
               (quotes group words, backslash escapes) and run WITHOUT a shell, so | ; & > $ are
               refused; write -i "sh -c '...'" to use a shell on purpose. CMD sees
               DDLESS_RESUME_OFFSET and DDLESS_BYTES_CHANGED; it may run for up to an hour.
  -v, -vv      more messages on stderr (-v: summary, -vv: every write)
  -p           print the parameters (segment size, read size, hash, file format)
  --json       print a JSON summary on stdout at the end, errors included
  --verify     read TARGET and compare every segment with CHECKSUM (exit 0: all match)
  --hash NAME  digests for a new checksum file: xxh128 (default; seeded XXH3-128) or xxh3
               (seeded XXH3-64). With an existing file, a different --hash is a mismatch.
  --sparse     deallocate runs of zero segments on a block-device target (thin LVs) instead
               of writing zeros (falls back to writing when the device cannot)
  --bench-hash measure single-core digest throughput on 16 KiB segments (cache-hot and DRAM)
  --restart    start at offset 0 even if the last run stopped at its -m limit (new snapshot;
               a changed source file or re-created LV is noticed without it)
  --spot-check N  before trusting CHECKSUM, read N random segments of TARGET and compare them
               with their digests (default 8; 0 = off). Only --verify reads every segment.
  --deadline SECONDS  stop a copy at a committed point once SECONDS have passed (decimals
               allowed), then exit 4; the next run resumes there. The last flush and commit
               (at most one --commit-window of data) come after it: keep a margin.
               SIGTERM and SIGINT stop the same way (exit 4); a second one kills at once.
  --readers N  reads in flight (default 4)
  --read-size KiB  bytes per read, a multiple of 16 (default 1024)
  --commit-window MiB  source bytes between commits (default 256); also the most an
               interrupted run leaves to re-check
  -h, --help   this text

A progress line (bytes, rate, changed, ETA) is shown on stderr when it is a terminal.

Exit codes:
  0  done (copy complete, checksum file written, verify found every segment matching)
  1  error; the message is on stderr (and in --json)
  2  the -m write limit was reached (after -i CMD succeeded); run again to continue
  3  a new checksum file is required (only with -b); nothing was written to the target
  4  stopped before done by --deadline, SIGTERM or SIGINT; the copy state is committed and
     the next run resumes where this one stopped

Crash safety: a segment's new digest is stored only after its data is durable on the target.
After a crash or kill, the next run re-checks what the interrupted run may have written.

Examples:
  # nightly copy of an LV snapshot to the second site, writing only changed segments
  ddless -d -s /dev/vg0/data-snap -c /var/lib/ddless/data.ck -t /dev/vg1/data -v
  # stop every 50 GB so the target's snapshot can be extended, then continue
  while ddless -s /dev/vg0/data-snap -c /var/lib/ddless/data.ck -t /dev/vg1/data \
      -m 50 -i "lvextend -L +60G vg1/data-before"; [ $? = 2 ]; do :; done
  # from cron or an agent: never run past 50 minutes, continue in the next slot
  ddless -s /dev/vg0/data-snap -c /var/lib/ddless/data.ck -t /dev/vg1/data --deadline 3000
  # adopt an existing copy without rewriting it: checksum the target, then copy
  ddless -s /dev/vg1/data -c /var/lib/ddless/data.ck
  ddless -s /dev/vg0/data-snap -c /var/lib/ddless/data.ck -t /dev/vg1/data
  # check the copy, and a disk's read speed per zone
  ddless -c /var/lib/ddless/data.ck -t /dev/vg1/data --verify
  ddless -d -s /dev/sdb
)";
}

}  // namespace ddless
