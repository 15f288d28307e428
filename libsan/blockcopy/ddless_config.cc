// Mode selection follows the original's four invocations; the additions (--verify, --hash,
// --sparse, --restart, tuning) are accepted only where they mean something.
#include "libsan/blockcopy/ddless_config.h"

#include <charconv>
#include <cmath>

#include "libsan/blockcopy/command_words.h"
#include "libsan/util/strings.h"

namespace san::blockcopy {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kGiB = kMiB * 1024.0;

Status Refuse(const std::string& m) { return Status::InvalidConfig(m); }

Status CheckPath(const char* flag, const std::optional<std::string>& path) {
  if (!path) return Status::Ok();
  if (path->empty()) return Refuse(std::string(flag) + " needs a path");
  if (HasControlChars(*path)) {
    return Refuse(std::string(flag) + " '" + Printable(*path) +
                  "': control characters in a path are refused");
  }
  if (path->size() > 1000) return Refuse(std::string(flag) + ": path too long");
  return Status::Ok();
}

// Options that only make sense in some modes.
Status Forbid(bool present, const char* flag, std::string_view mode) {
  if (!present) return Status::Ok();
  return Refuse(std::string(flag) + " does not apply to " + std::string(mode));
}

Result<int64_t> ParseBounded(const std::optional<std::string>& text, const char* flag, int64_t lo,
                             int64_t hi) {
  Result<int64_t> v = ParseInt64(*text);
  if (!v.ok() || *v < lo || *v > hi) {
    return Refuse(std::string(flag) + " '" + Printable(*text) + "': expected a whole number from " +
                  std::to_string(lo) + " to " + std::to_string(hi));
  }
  return v;
}

}  // namespace

std::string_view ModeName(Mode mode) {
  switch (mode) {
    case Mode::kCopy:
      return "copy";
    case Mode::kChecksumOnly:
      return "checksum";
    case Mode::kSpeedZones:
      return "zones";
    case Mode::kParameters:
      return "parameters";
    case Mode::kVerify:
      return "verify";
    case Mode::kHashBench:
      return "bench-hash";
  }
  return "unknown";
}

Result<double> ParsePositiveDecimal(std::string_view text) {
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  auto digits = [](std::string_view s) {
    return s.find_first_not_of("0123456789") == std::string_view::npos;
  };
  if (text.empty() || text.size() > 24 || whole.empty() || !digits(whole) || !digits(frac) ||
      (dot != std::string_view::npos && frac.empty())) {
    return Refuse("'" + Printable(text) + "' is not a plain decimal number");
  }
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v) || v <= 0) {
    return Refuse("'" + Printable(text) + "' is not a positive number");
  }
  return v;
}

Result<DdlessConfig> ResolveArgs(const DdlessArgs& a) {
  DdlessConfig c;
  c.direct = a.direct;
  c.bail = a.bail;
  c.json = a.json;
  c.verbosity = a.verbosity;
  SAN_RETURN_IF_ERROR(CheckPath("-s", a.source));
  SAN_RETURN_IF_ERROR(CheckPath("-c", a.checksum));
  SAN_RETURN_IF_ERROR(CheckPath("-t", a.target));

  if (a.parameters) {
    bool other = a.direct || a.source || a.rate || a.checksum || a.bail || a.target || a.max_gb ||
                 a.command || a.json || a.verify || a.sparse || a.restart || a.hash || a.readers ||
                 a.read_kib || a.commit_mib || a.spot_check || a.deadline;
    if (other) return Refuse("-p prints the parameters and takes no other option");
    c.mode = Mode::kParameters;
    return c;
  }
  if (a.bench_hash) {
    bool other = a.direct || a.source || a.rate || a.checksum || a.bail || a.target || a.max_gb ||
                 a.command || a.verify || a.sparse || a.restart || a.readers || a.read_kib ||
                 a.commit_mib || a.spot_check || a.deadline;
    if (other) return Refuse("--bench-hash takes only --hash and --json");
    c.mode = Mode::kHashBench;
    if (a.hash) {
      SAN_ASSIGN_OR_RETURN(c.hash, ParseHashKind(*a.hash));
    }
    return c;
  }
  if (a.verify) {
    c.mode = Mode::kVerify;
    if (!a.checksum || !a.target) return Refuse("--verify needs -c CHECKSUM and -t TARGET");
    SAN_RETURN_IF_ERROR(Forbid(a.source.has_value(), "-s", "--verify (it reads only the target)"));
  } else if (a.target) {
    c.mode = Mode::kCopy;
    if (!a.source) return Refuse("-t needs -s SOURCE");
    if (!a.checksum) return Refuse("-t needs -c CHECKSUM (the checksum file of this copy)");
  } else if (a.checksum) {
    c.mode = Mode::kChecksumOnly;
    if (!a.source) return Refuse("-c needs -s SOURCE");
  } else if (a.source) {
    c.mode = Mode::kSpeedZones;
  } else {
    return Refuse("nothing to do: give -s SOURCE (see ddless --help)");
  }
  std::string_view mode = c.mode == Mode::kVerify         ? "--verify"
                          : c.mode == Mode::kChecksumOnly ? "checksum-only mode (no -t)"
                          : c.mode == Mode::kSpeedZones   ? "read-speed zones mode (-s only)"
                                                          : "a copy";
  bool copy = c.mode == Mode::kCopy;
  SAN_RETURN_IF_ERROR(Forbid(a.max_gb && !copy, "-m", mode));
  SAN_RETURN_IF_ERROR(Forbid(a.command && !copy, "-i", mode));
  SAN_RETURN_IF_ERROR(Forbid(a.sparse && !copy, "--sparse", mode));
  SAN_RETURN_IF_ERROR(Forbid(a.restart && !copy, "--restart", mode));
  SAN_RETURN_IF_ERROR(Forbid(a.spot_check && !copy, "--spot-check", mode));
  SAN_RETURN_IF_ERROR(Forbid(a.deadline && !copy, "--deadline", mode));
  SAN_RETURN_IF_ERROR(
      Forbid(a.bail && c.mode != Mode::kCopy && c.mode != Mode::kChecksumOnly, "-b", mode));
  SAN_RETURN_IF_ERROR(Forbid(a.rate && c.mode == Mode::kSpeedZones, "-r", mode));
  SAN_RETURN_IF_ERROR(
      Forbid(a.hash && c.mode != Mode::kCopy && c.mode != Mode::kChecksumOnly, "--hash", mode));
  if (a.command && !a.max_gb) return Refuse("-i CMD runs when the -m limit is reached: give -m GB");

  if (a.source) c.source = *a.source;
  if (a.checksum) c.checksum = *a.checksum;
  if (a.target) c.target = *a.target;
  if (a.source && a.target && *a.source == *a.target) return Refuse("-s and -t name the same path");
  if (a.checksum && (a.checksum == a.source || a.checksum == a.target)) {
    return Refuse("-c must name a file of its own, not the source or target");
  }
  if (a.rate) {
    Result<double> mb = ParsePositiveDecimal(*a.rate);
    if (!mb.ok() || *mb > 1e7) {
      return Refuse("-r '" + Printable(*a.rate) + "': expected MB/s as a positive number");
    }
    c.engine.read_rate = *mb * kMiB;
  }
  if (a.max_gb) {
    Result<double> gb = ParsePositiveDecimal(*a.max_gb);
    if (!gb.ok() || *gb > 1e9) {
      return Refuse("-m '" + Printable(*a.max_gb) + "': expected GB as a positive number");
    }
    c.engine.write_limit = std::max<uint64_t>(1, static_cast<uint64_t>(*gb * kGiB));
  }
  if (a.deadline) {
    Result<double> seconds = ParsePositiveDecimal(*a.deadline);
    // Ten years: past that a number is a mistake, not a deadline.
    if (!seconds.ok() || *seconds < 0.001 || *seconds > 315'360'000) {
      return Refuse("--deadline '" + Printable(*a.deadline) +
                    "': expected SECONDS as a positive number");
    }
    c.deadline = std::chrono::milliseconds(static_cast<int64_t>(*seconds * 1000));
  }
  if (a.command) {
    SAN_ASSIGN_OR_RETURN(c.command, SplitCommandWords(*a.command));
  }
  if (a.hash) {
    SAN_ASSIGN_OR_RETURN(c.hash, ParseHashKind(*a.hash));
  }
  if (a.readers) {
    SAN_ASSIGN_OR_RETURN(int64_t n, ParseBounded(a.readers, "--readers", 1, 64));
    c.engine.readers = static_cast<int>(n);
  }
  if (a.read_kib) {
    SAN_ASSIGN_OR_RETURN(int64_t kib, ParseBounded(a.read_kib, "--read-size", 16, 65536));
    if (kib % 16 != 0) return Refuse("--read-size must be a multiple of 16 (KiB)");
    c.engine.chunk_size = static_cast<size_t>(kib) * 1024;
  }
  if (a.commit_mib) {
    SAN_ASSIGN_OR_RETURN(int64_t mib, ParseBounded(a.commit_mib, "--commit-window", 1, 1 << 20));
    c.engine.commit_window = static_cast<uint64_t>(mib) << 20;
  }
  if (a.spot_check) {
    SAN_ASSIGN_OR_RETURN(int64_t n, ParseBounded(a.spot_check, "--spot-check", 0, 1 << 20));
    c.spot_checks = static_cast<uint64_t>(n);
  }
  c.engine.punch_zeros = a.sparse;
  c.engine.restart = a.restart;
  return c;
}

}  // namespace san::blockcopy
