// One invocation per mode. The order in Copy() matters: the checksum file is judged before the
// target is opened or created, so -b (exit 3) and a refused file leave no trace behind.
#include "libsan/blockcopy/ddless_runner.h"

#include <cstdio>
#include <filesystem>

#include "libsan/blockcopy/checksum_binding.h"
#include "libsan/blockcopy/copy_engine.h"
#include "libsan/blockcopy/hash_benchmark.h"
#include "libsan/blockcopy/speed_zones.h"
#include "libsan/blockcopy/spot_check.h"
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
  Invocation(const DdlessConfig& c, DdlessEnv& e) : c_(c), e_(e), engine_(c.engine) {}

  ExitCode Run();

 private:
  Result<Outcome> Copy();
  // Copy() after the checksum file was judged: target, identity and spot check, size checks,
  // new checksum file, run. `created`: the target does not exist yet.
  Result<Outcome> PrepareCopy(std::unique_ptr<BlockDevice> src, BoundChecksum ck,
                              const std::string& sid, const std::string& tid, bool created);
  // Why `file` cannot vouch for the opened target ("" when it can): identity, then spot check.
  // Also decides whether a -m stop may be resumed (not when the source changed since).
  Result<std::string> CheckTarget(const ChecksumFile& file, BlockDevice& src, BlockDevice& tgt);
  void StartOver(const std::string& why);
  Result<Outcome> ChecksumOnly();
  Result<Outcome> Verify();
  Result<Outcome> Zones();
  Result<Outcome> HashBench();
  Result<std::unique_ptr<BlockDevice>> OpenSource(const std::string& path);
  Result<std::string> Identity(const std::string& path);
  Result<Outcome> Finish(const RunResult& r);
  Status RunCommand(const RunStats& stats);
  ProgressFn Progress() {
    if (!e_.progress) return {};
    return [p = e_.progress](const RunStats& s) { p->Update(s); };
  }

  const DdlessConfig& c_;
  DdlessEnv& e_;
  EngineOptions engine_;  // c_.engine, with restart set when a -m stop cannot be resumed
  JsonObject json_;
  bool copy_started_ = false;  // RunCopy was called: the target is no longer ours to remove
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

Outcome NeedsNew(const std::string& why) {
  return {ExitCode::kNewChecksumRequired, "new-checksum-required",
          why + "; a new checksum file is required (-b)"};
}

Status Refused(const BoundChecksum& ck) {
  return Status::InvalidConfig(ck.needs_new +
                               ". Remove it to start over with a full copy, or pass -b to get exit "
                               "code 3 instead");
}

Result<Outcome> Invocation::Copy() {
  SAN_ASSIGN_OR_RETURN(std::unique_ptr<BlockDevice> src, OpenSource(c_.source));
  SAN_ASSIGN_OR_RETURN(std::string sid, Identity(c_.source));
  SAN_ASSIGN_OR_RETURN(std::string tid, Identity(c_.target));
  if (sid == tid) return Status::InvalidConfig("-s and -t name the same path: " + sid);
  Expectation want{sid, src->size(), tid, c_.hash};
  SAN_ASSIGN_OR_RETURN(BoundChecksum ck, FindChecksumFile(e_.devices, c_.checksum, want));
  if (!ck.usable() && c_.bail) return NeedsNew(ck.needs_new);
  if (!ck.usable() && !ck.missing && !ck.stale) return Refused(ck);
  if (ck.stale) StartOver(ck.needs_new);

  // A target file created here is removed again if the run is refused before copying.
  bool created = !e_.devices.Exists(c_.target);
  if (ck.usable() && created) {
    std::string why = "the target " + c_.target + " does not exist (ddless would create it)";
    if (c_.bail) return NeedsNew(why);
    ck.Distrust(why);
    StartOver(why);
  }
  Result<Outcome> prepared = PrepareCopy(std::move(src), std::move(ck), sid, tid, created);
  if (!prepared.ok() && created && !copy_started_) {
    e_.devices.Remove(c_.target).IgnoreError();
  }
  return prepared;
}

void Invocation::StartOver(const std::string& why) {
  e_.log.Warning(why + "; starting over with a new checksum file (full copy)");
  json_.Bool("started_over", true);
}

Result<std::string> Invocation::CheckTarget(const ChecksumFile& file, BlockDevice& src,
                                            BlockDevice& tgt) {
  const ChecksumHeader& h = file.header();
  // ddless' own writes of an interrupted run changed the mtime after it was recorded.
  std::string change = IdentityChange(h.described, tgt.Identify(), h.state != FileState::kRunning);
  if (!change.empty()) return std::string("the target " + c_.target + " " + change);
  if (h.state == FileState::kPartial && !engine_.restart) {
    std::string moved = IdentityChange(h.source_id, src.Identify(), true);
    if (!moved.empty()) {
      e_.log.Warning("the source changed since the -m stop (" + c_.source + " " + moved +
                     "); starting at offset 0 instead of resuming at " +
                     std::to_string(h.committed));
      engine_.restart = true;
    }
  }
  if (c_.spot_checks == 0) return std::string();
  auto random = e_.random ? e_.random : [] { return uint64_t{0}; };
  Clock::time_point t0 = e_.host.Now();
  // A read error is an error of its own (exit 1), not a reason to rewrite the whole target.
  SAN_ASSIGN_OR_RETURN(SpotCheckResult spot, SpotCheck(tgt, file, c_.spot_checks, random));
  double seconds = std::chrono::duration<double>(e_.host.Now() - t0).count();
  json_.Num("spot_checked", spot.checked.size()).Real("spot_check_seconds", seconds);
  char took[32];
  std::snprintf(took, sizeof took, " in %.1f ms", seconds * 1000);
  std::string offsets;
  for (uint64_t at : spot.checked) offsets += (offsets.empty() ? "" : ", ") + std::to_string(at);
  if (spot.differs) {
    e_.log.Info("spot check: read segments at offsets " + offsets);
    return "spot check: the segment at offset " + std::to_string(*spot.differs) + " of " +
           c_.target + " differs from its digest in " + c_.checksum +
           " (written outside ddless, or an old checksum file)";
  }
  e_.log.Info("spot check: " + std::to_string(spot.checked.size()) + " segments of " + c_.target +
              " match " + c_.checksum + took +
              (offsets.empty() ? "" : " (offsets " + offsets + ")"));
  return std::string();
}

Result<Outcome> Invocation::PrepareCopy(std::unique_ptr<BlockDevice> src, BoundChecksum ck,
                                        const std::string& sid, const std::string& tid,
                                        bool created) {
  OpenOptions to;
  to.writable = to.exclusive = to.lock = true;
  to.must_create = created;  // O_EXCL: nothing may appear (or be planted) there meanwhile
  to.direct = c_.direct;
  SAN_ASSIGN_OR_RETURN(std::unique_ptr<BlockDevice> tgt, e_.devices.Open(c_.target, to));
  if (tgt->info().SameObject(src->info())) {
    return Status::InvalidConfig(c_.source + " and " + c_.target + " are the same device or file");
  }
  if (ck.device &&
      (ck.device->info().SameObject(src->info()) || ck.device->info().SameObject(tgt->info()))) {
    return Status::InvalidConfig("-c must name a file of its own, not the source or target");
  }
  if (tgt->size() < src->size() && tgt->info().kind != DeviceInfo::Kind::kRegularFile) {
    return Status::InvalidConfig("target " + c_.target + " (" + FormatBytes(tgt->size()) +
                                 ") is smaller than the source (" + FormatBytes(src->size()) + ")");
  }
  if (ck.usable()) {
    SAN_ASSIGN_OR_RETURN(std::string why, CheckTarget(*ck.file, *src, *tgt));
    if (!why.empty()) {
      if (c_.bail) return NeedsNew(why);
      ck.Distrust(why);
      StartOver(why);
    }
  }
  if (tgt->size() < src->size()) {
    e_.log.Info("extending " + c_.target + " to " + FormatBytes(src->size()));
    SAN_RETURN_IF_ERROR(tgt->Resize(src->size()));
  }
  if (!ck.usable()) {
    ChecksumHeader h;
    h.hash = c_.hash.value_or(HashKind::kXxh128);
    h.seed = e_.random ? e_.random() : 0;
    h.source = sid;
    h.target = tid;
    h.source_size = src->size();
    h.described = tgt->Identify();
    h.source_id = src->Identify();
    e_.log.Info("creating checksum file " + c_.checksum + " (" + std::string(HashName(h.hash)) +
                "): every segment will be written");
    SAN_ASSIGN_OR_RETURN(ck, CreateChecksumFile(e_.devices, c_.checksum, h, ck.stale));
    json_.Bool("checksum_created", true);
  }
  CopyJob job{src.get(), tgt.get(), &*ck.file, sid, tid};
  copy_started_ = true;
  SAN_ASSIGN_OR_RETURN(RunResult r, RunCopy(job, engine_, e_.host, e_.log, Progress()));
  return Finish(r);
}

Result<Outcome> Invocation::ChecksumOnly() {
  SAN_ASSIGN_OR_RETURN(std::unique_ptr<BlockDevice> src, OpenSource(c_.source));
  SAN_ASSIGN_OR_RETURN(std::string sid, Identity(c_.source));
  Expectation want{sid, src->size(), "", c_.hash};
  SAN_ASSIGN_OR_RETURN(BoundChecksum ck, FindChecksumFile(e_.devices, c_.checksum, want));
  if (!ck.usable() && c_.bail) return NeedsNew(ck.needs_new);
  if (!ck.usable() && !ck.missing) return Refused(ck);
  if (ck.device && ck.device->info().SameObject(src->info())) {
    return Status::InvalidConfig("-c must name a file of its own, not the source");
  }
  if (!ck.usable()) {
    ChecksumHeader h;
    h.hash = c_.hash.value_or(HashKind::kXxh128);
    h.seed = e_.random ? e_.random() : 0;
    h.source = sid;
    h.source_size = src->size();
    h.described = h.source_id = src->Identify();
    SAN_ASSIGN_OR_RETURN(ck, CreateChecksumFile(e_.devices, c_.checksum, h));
    json_.Bool("checksum_created", true);
  }
  CopyJob job{src.get(), nullptr, &*ck.file, sid, ""};
  SAN_ASSIGN_OR_RETURN(RunResult r, RunCopy(job, engine_, e_.host, e_.log, Progress()));
  return Finish(r);
}

Result<Outcome> Invocation::Finish(const RunResult& r) {
  if (e_.progress) e_.progress->Finish();
  AddStats(json_, r.stats);
  e_.log.Info(FormatSummary(r.stats));
  if (r.end == RunEnd::kComplete) return Outcome{};
  json_.Num("resume_at", r.stats.stop);
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
      r = Copy();
      break;
    case Mode::kChecksumOnly:
      r = ChecksumOnly();
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
