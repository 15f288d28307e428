// Step descriptions: the dry-run text of `san-target plan` and the drift reasons of monitor.
#include "libsan/target/step.h"

#include <cstdio>

#include "libsan/util/strings.h"

namespace san::target {

bool IsDisruptive(StepKind kind) {
  return kind == StepKind::kDeleteTarget || kind == StepKind::kDeleteLun ||
         kind == StepKind::kCloseSessions;
}

std::string HumanSize(uint64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(bytes);
  int unit = 0;
  while (v >= 1024 && unit < 5) {
    v /= 1024;
    ++unit;
  }
  char buf[48];
  if (unit == 0 || v == static_cast<double>(static_cast<uint64_t>(v))) {
    std::snprintf(buf, sizeof buf, "%llu %s", static_cast<unsigned long long>(v), kUnits[unit]);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f %s (%llu bytes)", v, kUnits[unit],
                  static_cast<unsigned long long>(bytes));
  }
  return buf;
}

namespace {

std::string LunText(const LunSpec& lun) {
  std::string text =
      "lun " + std::to_string(lun.number) + " " + lun.path + " " + IoModeName(lun.mode);
  if (!lun.scsi_id.empty()) text += " scsi_id=" + lun.scsi_id;
  if (!lun.scsi_sn.empty()) text += " scsi_sn=" + lun.scsi_sn;
  if (!lun.vendor.empty()) text += " vendor=" + lun.vendor;
  if (!lun.product.empty()) text += " product=" + lun.product;
  if (lun.readonly) text += " readonly";
  return text;
}

std::string TargetRef(const Step& s) {
  return "target " + std::to_string(s.tid) + " (" + s.target + ")";
}

}  // namespace

std::string Step::Describe() const {
  std::string text;
  const std::string out = outgoing ? " (outgoing)" : "";
  switch (kind) {
    case StepKind::kCreateAccount:
      text = "create account " + name + " (secret " + MaskSecret() + ")";
      break;
    case StepKind::kDeleteAccount:
      text = "delete account " + name;
      break;
    case StepKind::kBindDiscovery:
      text = "bind discovery account " + name + out;
      break;
    case StepKind::kUnbindDiscovery:
      text = "unbind discovery account " + name + out;
      break;
    case StepKind::kAddTarget:
      text = "add " + TargetRef(*this);
      break;
    case StepKind::kDeleteTarget:
      text = "delete " + TargetRef(*this);
      break;
    case StepKind::kSetOption:
      text = "set " + TargetRef(*this) + " option " + name + "=" + value;
      break;
    case StepKind::kBindAddress:
      text = "allow address " + name + " on " + TargetRef(*this);
      break;
    case StepKind::kUnbindAddress:
      text = "disallow address " + name + " on " + TargetRef(*this);
      break;
    case StepKind::kBindInitiator:
      text = "allow initiator " + name + " on " + TargetRef(*this);
      break;
    case StepKind::kUnbindInitiator:
      text = "disallow initiator " + name + " on " + TargetRef(*this);
      break;
    case StepKind::kBindUser:
      text = "bind account " + name + out + " to " + TargetRef(*this);
      break;
    case StepKind::kUnbindUser:
      text = "unbind account " + name + out + " from " + TargetRef(*this);
      break;
    case StepKind::kAddLun:
      text = "add " + TargetRef(*this) + " " + LunText(lun) + " (" + HumanSize(size) + ")";
      break;
    case StepKind::kDeleteLun:
      text = "delete " + TargetRef(*this) + " lun " + std::to_string(lun.number) +
             (lun.path.empty() ? "" : " " + lun.path);
      break;
    case StepKind::kCloseSessions:
      text = "close the sessions of " + TargetRef(*this);
      break;
    case StepKind::kHold:
      text = "hold initiators " + (sources.empty() ? std::string("(none)") : Join(sources, ",")) +
             " of " + TargetRef(*this);
      break;
    case StepKind::kRelease:
      text = "release initiators " +
             (sources.empty() ? std::string("(none)") : Join(sources, ",")) + " of " +
             TargetRef(*this);
      break;
  }
  if (!why.empty()) text += " — " + why;
  return text;
}

}  // namespace san::target
