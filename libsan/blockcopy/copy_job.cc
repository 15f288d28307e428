// The order in Copy() matters: the checksum file is judged before the target is opened or
// created, so bail (kNeedsNewChecksum) and a refused file leave no trace behind.
#include "libsan/blockcopy/copy_job.h"

#include <cstdio>

#include "libsan/blockcopy/checksum_binding.h"
#include "libsan/blockcopy/spot_check.h"
#include "libsan/util/strings.h"

namespace san::blockcopy {
namespace {

class Job {
 public:
  Job(const JobSpec& s, JobEnv& e, const JobControl& c, JobReport& r)
      : s_(s), e_(e), control_(c), report_(r), engine_(s.engine) {}

  Status Copy();
  Status ChecksumOnly();

 private:
  // Copy() after the checksum file was judged: target, identity and spot check, size checks,
  // new checksum file, run. `created`: the target does not exist yet.
  Status PrepareCopy(std::unique_ptr<BlockDevice> src, BoundChecksum ck, const std::string& sid,
                     const std::string& tid, bool created);
  // Why `file` cannot vouch for the opened target ("" when it can): identity, then spot check.
  // Also decides whether a resumable stop may be resumed (not when the source changed since).
  Result<std::string> CheckTarget(const ChecksumFile& file, BlockDevice& src, BlockDevice& tgt);
  void StartOver(const std::string& why);
  Status NeedsNew(const std::string& why) {
    report_.end = JobEnd::kNeedsNewChecksum;
    report_.needs_new = why;
    return Status::Ok();
  }
  Result<std::unique_ptr<BlockDevice>> OpenSource(const std::string& path);
  Result<std::string> Identity(const std::string& path);
  Status Run(const CopyJob& job);

  const JobSpec& s_;
  JobEnv& e_;
  const JobControl& control_;
  JobReport& report_;
  EngineOptions engine_;       // s_.engine, with restart set when a stop cannot be resumed
  bool copy_started_ = false;  // RunCopy was called: the target is no longer ours to remove
};

Result<std::unique_ptr<BlockDevice>> Job::OpenSource(const std::string& path) {
  OpenOptions o;
  o.direct = s_.direct;
  o.sequential = true;
  SAN_ASSIGN_OR_RETURN(std::unique_ptr<BlockDevice> dev, e_.devices.Open(path, o));
  if (dev->size() == 0) return Status::InvalidConfig(path + " is empty");
  return dev;
}

Result<std::string> Job::Identity(const std::string& path) {
  std::string id = e_.absolute ? e_.absolute(path) : path;
  if (id.empty() || id.size() > kMaxIdentity) {
    return Status::InvalidConfig("path too long for a checksum file identity: " + Printable(path));
  }
  return id;
}

Status Job::Copy() {
  SAN_ASSIGN_OR_RETURN(std::unique_ptr<BlockDevice> src, OpenSource(s_.source));
  SAN_ASSIGN_OR_RETURN(std::string sid, Identity(s_.source));
  SAN_ASSIGN_OR_RETURN(std::string tid, Identity(s_.target));
  if (sid == tid) return Status::InvalidConfig("-s and -t name the same path: " + sid);
  Expectation want{sid, src->size(), tid, s_.hash};
  SAN_ASSIGN_OR_RETURN(BoundChecksum ck, FindChecksumFile(e_.devices, s_.checksum, want));
  if (!ck.usable() && s_.bail) return NeedsNew(ck.needs_new);
  if (!ck.usable() && !ck.missing && !ck.stale) {
    return Status::InvalidConfig(ck.needs_new + ". Remove it to start over with a full copy" +
                                 s_.refusal_hint);
  }
  if (ck.stale) StartOver(ck.needs_new);

  // A target file created here is removed again if the run is refused before copying.
  bool created = !e_.devices.Exists(s_.target);
  if (ck.usable() && created) {
    std::string why = "the target " + s_.target + " does not exist (ddless would create it)";
    if (s_.bail) return NeedsNew(why);
    ck.Distrust(why);
    StartOver(why);
  }
  Status prepared = PrepareCopy(std::move(src), std::move(ck), sid, tid, created);
  bool refused = !prepared.ok() || report_.end == JobEnd::kNeedsNewChecksum;
  if (refused && created && !copy_started_) e_.devices.Remove(s_.target).IgnoreError();
  return prepared;
}

void Job::StartOver(const std::string& why) {
  e_.log.Warning(why + "; starting over with a new checksum file (full copy)");
  report_.started_over = true;
}

Result<std::string> Job::CheckTarget(const ChecksumFile& file, BlockDevice& src, BlockDevice& tgt) {
  const ChecksumHeader& h = file.header();
  // ddless' own writes of an interrupted run changed the mtime after it was recorded.
  std::string change = IdentityChange(h.described, tgt.Identify(), h.state != FileState::kRunning);
  if (!change.empty()) return std::string("the target " + s_.target + " " + change);
  if (h.state == FileState::kPartial && !engine_.restart) {
    std::string moved = IdentityChange(h.source_id, src.Identify(), true);
    if (!moved.empty()) {
      // The stop may have been -m, a deadline or a signal: the header records only where.
      e_.log.Warning("the source changed since the last run stopped early (" + s_.source + " " +
                     moved + "); starting at offset 0 instead of resuming at " +
                     std::to_string(h.committed));
      engine_.restart = true;
    }
  }
  if (s_.spot_checks == 0) return std::string();
  auto random = e_.random ? e_.random : [] { return uint64_t{0}; };
  Clock::time_point t0 = e_.host.Now();
  // A read error is an error of its own, not a reason to rewrite the whole target.
  SAN_ASSIGN_OR_RETURN(SpotCheckResult spot, SpotCheck(tgt, file, s_.spot_checks, random));
  double seconds = std::chrono::duration<double>(e_.host.Now() - t0).count();
  report_.spot_check_ran = true;
  report_.spot_checked = spot.checked;
  report_.spot_check_seconds = seconds;
  char took[32];
  std::snprintf(took, sizeof took, " in %.1f ms", seconds * 1000);
  std::string offsets;
  for (uint64_t at : spot.checked) offsets += (offsets.empty() ? "" : ", ") + std::to_string(at);
  if (spot.differs) {
    e_.log.Info("spot check: read segments at offsets " + offsets);
    return "spot check: the segment at offset " + std::to_string(*spot.differs) + " of " +
           s_.target + " differs from its digest in " + s_.checksum +
           " (written outside ddless, or an old checksum file)";
  }
  e_.log.Info("spot check: " + std::to_string(spot.checked.size()) + " segments of " + s_.target +
              " match " + s_.checksum + took +
              (offsets.empty() ? "" : " (offsets " + offsets + ")"));
  return std::string();
}

Status Job::PrepareCopy(std::unique_ptr<BlockDevice> src, BoundChecksum ck, const std::string& sid,
                        const std::string& tid, bool created) {
  OpenOptions to;
  to.writable = to.exclusive = to.lock = true;
  to.must_create = created;  // O_EXCL: nothing may appear (or be planted) there meanwhile
  to.direct = s_.direct;
  SAN_ASSIGN_OR_RETURN(std::unique_ptr<BlockDevice> tgt, e_.devices.Open(s_.target, to));
  if (tgt->info().SameObject(src->info())) {
    return Status::InvalidConfig(s_.source + " and " + s_.target + " are the same device or file");
  }
  if (ck.device &&
      (ck.device->info().SameObject(src->info()) || ck.device->info().SameObject(tgt->info()))) {
    return Status::InvalidConfig("-c must name a file of its own, not the source or target");
  }
  if (tgt->size() < src->size() && tgt->info().kind != DeviceInfo::Kind::kRegularFile) {
    return Status::InvalidConfig("target " + s_.target + " (" + FormatBytes(tgt->size()) +
                                 ") is smaller than the source (" + FormatBytes(src->size()) + ")");
  }
  if (ck.usable()) {
    SAN_ASSIGN_OR_RETURN(std::string why, CheckTarget(*ck.file, *src, *tgt));
    if (!why.empty()) {
      if (s_.bail) return NeedsNew(why);
      ck.Distrust(why);
      StartOver(why);
    }
  }
  if (tgt->size() < src->size()) {
    e_.log.Info("extending " + s_.target + " to " + FormatBytes(src->size()));
    SAN_RETURN_IF_ERROR(tgt->Resize(src->size()));
  }
  if (!ck.usable()) {
    ChecksumHeader h;
    h.hash = s_.hash.value_or(HashKind::kXxh128);
    h.seed = e_.random ? e_.random() : 0;
    h.source = sid;
    h.target = tid;
    h.source_size = src->size();
    h.described = tgt->Identify();
    h.source_id = src->Identify();
    e_.log.Info("creating checksum file " + s_.checksum + " (" + std::string(HashName(h.hash)) +
                "): every segment will be written");
    SAN_ASSIGN_OR_RETURN(ck, CreateChecksumFile(e_.devices, s_.checksum, h, ck.stale));
    report_.checksum_created = true;
  }
  copy_started_ = true;
  return Run(CopyJob{src.get(), tgt.get(), &*ck.file, sid, tid});
}

Status Job::ChecksumOnly() {
  SAN_ASSIGN_OR_RETURN(std::unique_ptr<BlockDevice> src, OpenSource(s_.source));
  SAN_ASSIGN_OR_RETURN(std::string sid, Identity(s_.source));
  Expectation want{sid, src->size(), "", s_.hash};
  SAN_ASSIGN_OR_RETURN(BoundChecksum ck, FindChecksumFile(e_.devices, s_.checksum, want));
  if (!ck.usable() && s_.bail) return NeedsNew(ck.needs_new);
  if (!ck.usable() && !ck.missing) {
    return Status::InvalidConfig(ck.needs_new + ". Remove it to start over with a full copy" +
                                 s_.refusal_hint);
  }
  if (ck.device && ck.device->info().SameObject(src->info())) {
    return Status::InvalidConfig("-c must name a file of its own, not the source");
  }
  if (!ck.usable()) {
    ChecksumHeader h;
    h.hash = s_.hash.value_or(HashKind::kXxh128);
    h.seed = e_.random ? e_.random() : 0;
    h.source = sid;
    h.source_size = src->size();
    h.described = h.source_id = src->Identify();
    SAN_ASSIGN_OR_RETURN(ck, CreateChecksumFile(e_.devices, s_.checksum, h));
    report_.checksum_created = true;
  }
  return Run(CopyJob{src.get(), nullptr, &*ck.file, sid, ""});
}

Status Job::Run(const CopyJob& job) {
  RunControl rc{control_.deadline, control_.stop};
  SAN_ASSIGN_OR_RETURN(RunResult r, RunCopy(job, engine_, e_.host, e_.log, control_.progress, rc));
  report_.engine_ran = true;
  report_.stats = r.stats;
  switch (r.end) {
    case RunEnd::kComplete:
      report_.end = JobEnd::kDone;
      break;
    case RunEnd::kWriteLimit:
      report_.end = JobEnd::kWriteLimit;
      break;
    case RunEnd::kDeadline:
      report_.end = JobEnd::kDeadline;
      break;
    case RunEnd::kStopped:
      report_.end = JobEnd::kStopped;
      break;
  }
  return Status::Ok();
}

}  // namespace

std::string_view JobEndName(JobEnd end) {
  switch (end) {
    case JobEnd::kDone:
      return "done";
    case JobEnd::kWriteLimit:
      return "write-limit";
    case JobEnd::kDeadline:
      return "deadline";
    case JobEnd::kStopped:
      return "stopped";
    case JobEnd::kNeedsNewChecksum:
      return "new-checksum-required";
  }
  return "done";
}

Status RunCopyJob(const JobSpec& spec, JobEnv& env, const JobControl& control, JobReport& report) {
  report = JobReport{};
  Job job(spec, env, control, report);
  return spec.target.empty() ? job.ChecksumOnly() : job.Copy();
}

}  // namespace san::blockcopy
