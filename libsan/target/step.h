// One step of a reconcile plan: a single change to the running daemon (or a firewall hold around
// disruptive changes), printable as one line of a dry run with secrets masked.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "libsan/target/model.h"

namespace san::target {

enum class StepKind {
  kCreateAccount,    // user, secret
  kDeleteAccount,    // user
  kBindDiscovery,    // user, outgoing
  kUnbindDiscovery,  // user, outgoing
  kAddTarget,        // tid, target
  kDeleteTarget,     // tid, target (sessions closed before)
  kSetOption,        // tid, name, value
  kBindAddress,      // tid, name = address/CIDR/"ALL"
  kUnbindAddress,    // tid, name
  kBindInitiator,    // tid, name = initiator IQN/EUI
  kUnbindInitiator,  // tid, name
  kBindUser,         // tid, user, outgoing
  kUnbindUser,       // tid, user, outgoing
  kAddLun,           // tid, lun (full spec), size = backing size at plan time
  kDeleteLun,        // tid, lun.number, lun.path (as running)
  kCloseSessions,    // tid: every session of the target, waiting until they are gone
  kHold,             // tid, target, sources: drop their iSCSI packets (firewall)
  kRelease,          // tid, target, sources: lift that hold
};

// True for the steps that interrupt initiators (they sit between a hold and its release).
bool IsDisruptive(StepKind kind);

struct Step {
  StepKind kind;
  int tid = 0;
  std::string target;
  std::string name;   // option name, ACL entry, or CHAP user
  std::string value;  // option value, or the CHAP secret (never printed)
  bool outgoing = false;
  LunSpec lun;
  uint64_t size = 0;                 // kAddLun: backing size in bytes when planned
  std::vector<std::string> sources;  // kHold/kRelease: initiator addresses or CIDRs
  std::string why;                   // the difference that made this step necessary

  // "add target 2 lun 1 /dev/vg/lv fileio scsi_id=X scsi_sn=X (not running)"; never a secret.
  std::string Describe() const;
};

// "64 MiB", "1.5 GiB", "512 B": sizes in reasons and status output.
std::string HumanSize(uint64_t bytes);

}  // namespace san::target
