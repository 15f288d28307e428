// One invocation per mode. Copies and checksum-only runs are RunCopyJob's; this adds what only
// the command has: -i CMD, exit codes, the --json summary, -p, --verify, zones and --bench-hash.
#include "libsan/blockcopy/ddless_runner.h"

#include <cstdio>
#include <filesystem>

#include "libsan/blockcopy/copy_engine.h"
#include "libsan/blockcopy/copy_job.h"
#include "libsan/blockcopy/hash_benchmark.h"
#include "libsan/blockcopy/speed_zones.h"
#include "libsan/util/strings.h"

namespace san::blockcopy {
namespace {

// What a mode produced when it did not fail.
struct Outcome {
  ExitCode code = ExitCode::kOk;
  std::string status = "ok";  // JSON "status": ok, write-limit, new-checksum-required, ...
  std::string message;        // logged as an error for codes other than kOk/kWriteLimit
};

class Invocation {
 public:
  Invocation(const DdlessConfig& c, DdlessEnv& e) : c_(c), e_(e), start_(e.host.Now()) {}

  ExitCode Run();

 private:
  // A copy (target given) or checksum-only run through RunCopyJob.
  Result<Outcome> RunJob(const std::string& target);
  Result<Outcome> Verify();
  Result<Outcome> Zones();
  Result<Outcome> HashBench();
  Result<std::unique_ptr<BlockDevice>> OpenSource(const std::string& path);
  Result<std::string> Identity(const std::string& path);
  Result<Outcome> Finish(const JobReport& r);
  Status RunCommand(const RunStats& stats);
  ProgressFn Progress() {
    if (!e_.progress) return {};
    return [p = e_.progress](const RunStats& s) { p->Update(s); };
  }

  const DdlessConfig& c_;
  DdlessEnv& e_;
  Clock::time_point start_;  // --deadline counts from here
  JsonObject json_;
};

Result<std::unique_ptr<BlockDevice>> Invocation::OpenSource(const std::string& path) {
  OpenOptions o;
  o.direct = c_.direct;
  o.sequential = true;
  SAN_ASSIGN_OR_RETURN(std::unique_ptr<BlockDevice> dev, e_.devices.Open(path, o));
  if (dev->size() == 0) return Status::InvalidConfig(path + " is empty");
  return dev;
}

Result<std::string> Invocation::Identity(const std::string& path) {
  std::string id = e_.absolute ? e_.absolute(path) : path;
  if (id.empty() || id.size() > kMaxIdentity) {
    return Status::InvalidConfig("path too long for a checksum file identity: " + Printable(path));
  }
  return id;
}

Result<Outcome> Invocation::RunJob(const std::string& target) {
  JobSpec spec;
  spec.source = c_.source;
  spec.target = target;
  spec.checksum = c_.checksum;
  spec.direct = c_.direct;
  spec.bail = c_.bail;
  spec.hash = c_.hash;
  spec.spot_checks = c_.spot_checks;
  spec.engine = c_.engine;
  spec.refusal_hint = ", or pass -b to get exit code 3 instead";
  JobEnv env{e_.host, e_.devices, e_.log, e_.random, e_.absolute};
  JobControl control;
  if (c_.deadline) control.deadline = start_ + *c_.deadline;
  control.stop = e_.stop;
  if (e_.progress) control.progress = [p = e_.progress](const RunStats& s) { p->Update(s); };
  JobReport r;
  Status s = RunCopyJob(spec, env, control, r);
  // In the order the job learns them: a spot check comes before the start-over it may cause.
  if (r.spot_check_ran) {
    json_.Num("spot_checked", r.spot_checked.size())
        .Real("spot_check_seconds", r.spot_check_seconds);
  }
  if (r.started_over) json_.Bool("started_over", true);
  if (r.checksum_created) json_.Bool("checksum_created", true);
  SAN_RETURN_IF_ERROR(s);
  if (r.end == JobEnd::kNeedsNewChecksum) {
    return Outcome{ExitCode::kNewChecksumRequired, "new-checksum-required",
                   r.needs_new + "; a new checksum file is required (-b)"};
  }
  return Finish(r);
}

Result<Outcome> Invocation::Finish(const JobReport& r) {
  if (e_.progress) e_.progress->Finish();
  AddStats(json_, r.stats);
  e_.log.Info(FormatSummary(r.stats));
  if (r.end == JobEnd::kDone) return Outcome{};
  json_.Num("resume_at", r.stats.stop);
  if (r.end != JobEnd::kWriteLimit) {
    std::string why = r.end == JobEnd::kDeadline ? "the --deadline passed" : "stop requested";
    return Outcome{ExitCode::kStopped, std::string(JobEndName(r.end)),
                   why + ": stopped at offset " + std::to_string(r.stats.stop) +
                       " with the copy state committed; the next run resumes there"};
  }
  if (!c_.command.empty()) SAN_RETURN_IF_ERROR(RunCommand(r.stats));
  return Outcome{ExitCode::kWriteLimit, "write-limit",
                 "write limit reached at offset " + std::to_string(r.stats.stop)};
}

Status Invocation::RunCommand(const RunStats& stats) {
  Command cmd;
  cmd.argv = c_.command;
  cmd.timeout = std::chrono::duration_cast<milliseconds>(kCommandTimeout);
  // Context for the command; it runs after the checksum file was committed as "partial".
  cmd.extra_env = {"DDLESS_RESUME_OFFSET=" + std::to_string(stats.stop),
                   "DDLESS_BYTES_CHANGED=" + std::to_string(stats.changed_bytes())};
  e_.log.Info("write limit reached: running " + Printable(Join(c_.command, " "), 200));
  Result<Output> out = e_.host.Run(cmd);
  if (!out.ok()) return out.status().WithContext("-i command");
  for (const std::string& line : SplitList(out->out + "\n" + out->err, "\n")) {
    e_.log.Info("-i: " + line);
  }
  json_.Num("command_exit_code", static_cast<uint64_t>(out->exit_code));
  if (out->exit_code != 0) {
    return Status::CommandFailed("-i command " + Printable(c_.command[0]) + " exited " +
                                 std::to_string(out->exit_code) + ": " + out->FirstErrorLine() +
                                 " (the copy state was saved; the next run resumes)");
  }
  return Status::Ok();
}

Result<Outcome> Invocation::Verify() {
  OpenOptions o;
  o.direct = c_.direct;
  SAN_ASSIGN_OR_RETURN(std::unique_ptr<BlockDevice> tgt, e_.devices.Open(c_.target, o));
  OpenOptions co;
  co.lock = co.regular_only = co.no_follow = true;
  SAN_ASSIGN_OR_RETURN(std::unique_ptr<BlockDevice> ckdev, e_.devices.Open(c_.checksum, co));
  SAN_ASSIGN_OR_RETURN(ChecksumFile file, ChecksumFile::Load(*ckdev));
  SAN_ASSIGN_OR_RETURN(std::string tid, Identity(c_.target));
  const ChecksumHeader& h = file.header();
  const std::string& described = h.target.empty() ? h.source : h.target;
  if (described != tid) {
    e_.log.Warning(c_.checksum + " describes " + described + ", not " + tid +
                   "; verifying against it anyway");
  }
  if (std::string change = IdentityChange(h.described, tgt->Identify(), true); !change.empty()) {
    e_.log.Warning(c_.target + " " + change + " since " + c_.checksum +
                   " was written; verifying against it anyway");
  }
  SAN_ASSIGN_OR_RETURN(VerifyResult v, RunVerify(*tgt, file, c_.engine, e_.host, Progress()));
  if (e_.progress) e_.progress->Finish();
  AddStats(json_, v.stats);
  std::string offsets;
  for (uint64_t at : v.first_differences)
    offsets += (offsets.empty() ? "" : ",") + std::to_string(at);
  json_.Num("segments_checked", v.segments_checked)
      .Num("segments_differing", v.segments_differing)
      .Num("segments_unknown", v.segments_unknown)
      .Raw("first_differences", "[" + offsets + "]");
  if (v.segments_differing > 0) {
    return Outcome{ExitCode::kError, "differs",
                   std::to_string(v.segments_differing) + " of " +
                       std::to_string(v.segments_checked) + " segments of " + c_.target +
                       " differ from " + c_.checksum + " (first at offset " +
                       std::to_string(v.first_differences.front()) + ")"};
  }
  if (v.segments_unknown > 0) {
    return Outcome{ExitCode::kError, "incomplete",
                   std::to_string(v.segments_unknown) + " segments could not be verified: " +
                       c_.checksum + " is " + std::string(StateName(h.state)) +
                       " (an interrupted or partial copy; run the copy to completion)"};
  }
  e_.log.Info("all " + std::to_string(v.segments_checked) + " segments of " + c_.target +
              " match " + c_.checksum);
  return Outcome{};
}

Result<Outcome> Invocation::Zones() {
  SAN_ASSIGN_OR_RETURN(std::unique_ptr<BlockDevice> src, OpenSource(c_.source));
  std::string rows;
  auto on_zone = [&](const Zone& z) {
    char line[96];
    std::snprintf(line, sizeof line, "%14llu %12llu %10.1f\n", (unsigned long long)z.offset,
                  (unsigned long long)z.length, z.BytesPerSecond() / (1 << 20));
    if (!c_.json) e_.out << line << std::flush;
    JsonObject zone;
    zone.Num("offset", z.offset).Num("length", z.length).Real("seconds", z.seconds);
    rows += (rows.empty() ? "" : ",") + zone.str();
  };
  if (!c_.json) e_.out << "#       offset       length       MB/s\n";
  SAN_ASSIGN_OR_RETURN(std::vector<Zone> zones,
                       MeasureZones(*src, e_.host, c_.engine.chunk_size, on_zone));
  json_.Num("source_size", src->size()).Raw("zones", "[" + rows + "]");
  return Outcome{};
}

Result<Outcome> Invocation::HashBench() {
  std::string rows;
  for (HashKind kind : {HashKind::kXxh128, HashKind::kXxh3}) {
    if (c_.hash && *c_.hash != kind) continue;
    // 256 KiB stays in L2; 512 MiB is far beyond any cache.
    for (uint64_t buffer : {uint64_t{256} << 10, uint64_t{512} << 20}) {
      HashRate r = MeasureHashRate(e_.host, kind, buffer, milliseconds(1000));
      char line[128];
      std::snprintf(line, sizeof line, "%-7s %-5s 16 KiB segments, %-28s %6.1f GB/s per core\n",
                    std::string(HashName(kind)).c_str(), std::string(HashImplementation()).c_str(),
                    buffer < (1 << 20) ? "L2-hot (256 KiB buffer):" : "from DRAM (512 MiB buffer):",
                    r.bytes_per_second / 1e9);
      if (!c_.json) e_.out << line << std::flush;
      JsonObject row;
      row.Str("hash", HashName(kind))
          .Str("code", HashImplementation())
          .Num("buffer_bytes", buffer)
          .Real("gb_per_second", r.bytes_per_second / 1e9);
      rows += (rows.empty() ? "" : ",") + row.str();
    }
  }
  json_.Raw("rates", "[" + rows + "]");
  return Outcome{};
}

ExitCode Invocation::Run() {
  json_.Str("mode", ModeName(c_.mode));
  if (c_.mode == Mode::kParameters) {
    e_.out << ParametersText(c_.engine);
    return ExitCode::kOk;
  }
  Result<Outcome> r = Status::Internal("no mode");
  switch (c_.mode) {
    case Mode::kCopy:
      r = RunJob(c_.target);
      break;
    case Mode::kChecksumOnly:
      r = RunJob("");
      break;
    case Mode::kVerify:
      r = Verify();
      break;
    case Mode::kSpeedZones:
      r = Zones();
      break;
    case Mode::kHashBench:
      r = HashBench();
      break;
    case Mode::kParameters:
      break;
  }
  if (e_.progress) e_.progress->Finish();
  Outcome o = r.ok() ? *r : Outcome{ExitCode::kError, "error", r.status().message()};
  if (o.code == ExitCode::kWriteLimit) {
    e_.log.Info(o.message);
  } else if (o.code == ExitCode::kStopped) {
    e_.log.Warning(o.message);
  } else if (o.code != ExitCode::kOk) {
    e_.log.Error(o.message);
  }
  if (c_.json) {
    json_.Str("status", o.status).Num("exit_code", static_cast<uint64_t>(o.code));
    if (!o.message.empty()) json_.Str("message", o.message);
    e_.out << json_.str() << "\n" << std::flush;
  }
  return o.code;
}

}  // namespace

ExitCode RunDdless(const DdlessConfig& config, DdlessEnv& env) {
  return Invocation(config, env).Run();
}

std::string AbsolutePath(const std::string& path) {
  std::filesystem::path p(path);
  if (p.is_relative()) {
    std::error_code ec;
    std::filesystem::path cwd = std::filesystem::current_path(ec);
    if (ec) return {};
    p = cwd / p;
  }
  std::string out = p.lexically_normal().string();
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace san::blockcopy
