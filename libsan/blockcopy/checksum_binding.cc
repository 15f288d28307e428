// The rules for reusing a checksum file. Anything that is not clearly ours is refused rather
// than overwritten: -c pointing at the wrong file must never destroy it.
#include "libsan/blockcopy/checksum_binding.h"

namespace san::blockcopy {

Result<BoundChecksum> FindChecksumFile(DeviceOpener& opener, const std::string& path,
                                       const Expectation& want, bool read_only) {
  BoundChecksum bound;
  if (!opener.Exists(path)) {
    bound.needs_new = "there is no checksum file " + path + " yet";
    bound.missing = true;
    return bound;
  }
  OpenOptions o;
  o.writable = !read_only;
  o.lock = true;
  o.regular_only = true;
  o.no_follow = true;
  SAN_ASSIGN_OR_RETURN(bound.device, opener.Open(path, o));
  Result<ChecksumFile> file = ChecksumFile::Load(*bound.device);
  if (!file.ok()) {
    // The original ddless kept 8 bytes per segment and no header.
    uint64_t segments = (want.source_size + kSegmentSize - 1) / kSegmentSize;
    if (file.status().code() == Code::kInvalidConfig && want.source_size > 0 &&
        bound.device->size() == segments * 8) {
      bound.device.reset();
      bound.needs_new = path +
                        " is a checksum file of the original ddless (8 bytes per segment, "
                        "no header), which this ddless cannot trust";
      return bound;
    }
    if (file.status().code() == Code::kInvalidConfig) {
      return Status::InvalidConfig(file.status().message() + "; refusing to overwrite it");
    }
    return file.status();
  }
  std::string mismatch = Mismatch(file->header(), want);
  if (!mismatch.empty()) {
    bound.needs_new = "checksum file " + path + " does not fit this run: " + mismatch;
    bound.device.reset();
    return bound;
  }
  if (!want.target.empty() && file->header().version < kFormatVersion) {
    bound.stale = true;
    bound.needs_new = "checksum file " + path + " has format version " +
                      std::to_string(file->header().version) +
                      ", which does not record the target's identity";
    return bound;
  }
  bound.file.emplace(std::move(*file));
  return bound;
}

Result<BoundChecksum> CreateChecksumFile(DeviceOpener& opener, const std::string& path,
                                         const ChecksumHeader& header, bool replace) {
  // A leftover PATH.ddless-new is an earlier run's unfinished creation: it is reformatted.
  const std::string temp = path + ".ddless-new";
  OpenOptions o;
  o.writable = true;
  o.create = true;
  o.lock = true;
  o.regular_only = true;
  o.no_follow = true;  // a planted PATH.ddless-new symlink must not make ddless truncate its target
  BoundChecksum bound;
  SAN_ASSIGN_OR_RETURN(bound.device, opener.Open(temp, o));
  Result<ChecksumFile> file = ChecksumFile::Create(*bound.device, header);
  Status s = file.status();
  if (s.ok() && !replace && opener.Exists(path)) {
    s = Status::Busy(path + " appeared while ddless created it");
  }
  if (s.ok()) s = opener.Rename(temp, path);
  if (!s.ok()) {
    bound.device.reset();
    opener.Remove(temp).IgnoreError();
    return s;
  }
  bound.file.emplace(std::move(*file));
  return bound;
}

}  // namespace san::blockcopy
