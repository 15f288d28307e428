// What sanha itself applied, kept in the state directory: per LUN the exact identity and the
// backing size it was presented with (tgt reports sizes in rounded MB and never shows vendor or
// product), per target its options, per CHAP user a fingerprint of the secret (never the secret);
// and the journal of an unfinished hold, so a rerun after a crash lifts it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "libsan/target/model.h"
#include "libsan/util/status.h"

namespace san::target {

struct LunRecord {
  int tid = 0;
  LunSpec lun;  // number, path, mode, identity, readonly
  uint64_t size = 0;
};

struct TargetRecord {
  int tid = 0;
  std::map<std::string, std::string> options;
};

struct Records {
  std::map<std::pair<std::string, int>, LunRecord> luns;  // (target name, lun number)
  std::map<std::string, TargetRecord> targets;
  std::map<std::string, uint64_t> accounts;  // user → SecretFingerprint

  // Line format; unknown or malformed lines are Corruption naming the line.
  static Result<Records> Parse(std::string_view text);
  std::string Serialize() const;
  // Forgets a target and its LUNs (deleted or recreated).
  void ForgetTarget(const std::string& name);
};

// A 64-bit keyed hash of user and secret: enough to notice a changed secret, useless to recover
// it (and never printed).
uint64_t SecretFingerprint(const std::string& user, const std::string& secret);

// An unfinished hold: written before the firewall blocks, removed after it is lifted.
struct HoldRecord {
  int tid = 0;
  std::string target;
  std::vector<std::string> sources;  // canonical addresses/CIDRs
  std::string firewall;              // backend kind name: "iptables", "nft", "auto"
  std::string chain;
  std::string ports;         // "3260,3261"
  std::string destinations;  // "192.0.2.1,2001:db8::1" or ""
};

Result<std::vector<HoldRecord>> ParseJournal(std::string_view text);
std::string SerializeJournal(const std::vector<HoldRecord>& holds);

}  // namespace san::target
