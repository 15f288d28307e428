// What sanha itself applied, kept in the state directory: per LUN the exact identity and the
// backing size it was presented with (tgt reports sizes in rounded MB and never shows vendor or
// product), per target its options, per CHAP user a keyed MAC of the secret (never the secret;
// the key is STATE_DIR/key, 0600, created once); and the journal of an unfinished hold, so a
// rerun after a crash lifts it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "libsan/host/host.h"
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
  std::map<std::string, uint64_t> accounts;  // user → Fingerprint(user, secret)
  // The MAC key (kRecordsKeyBytes, from LoadRecordsKey); never serialized with the records.
  std::string key;

  // Line format; unknown or malformed lines are Corruption naming the line. Accounts recorded
  // by older versions (an unkeyed hash) are dropped: they read as "not created by sanha".
  static Result<Records> Parse(std::string_view text);
  std::string Serialize() const;
  // SipHash-2-4 of user and secret under `key`: notices a changed secret; without the key (root
  // only) a records file gives no way to test guesses of the secret offline.
  uint64_t Fingerprint(const std::string& user, const std::string& secret) const;
  // Forgets a target and its LUNs (deleted or recreated).
  void ForgetTarget(const std::string& name);
};

inline constexpr size_t kRecordsKeyBytes = 16;
// SipHash-2-4 (64-bit output) of `message` under a 16-byte `key`.
uint64_t SipHash24(std::string_view key, std::string_view message);
// STATE_DIR/key: read it, or create it (random, 0600, O_EXCL; the directory 0700) when absent.
// A key file with group/other permissions is narrowed to 0600. Corruption when it is malformed.
Result<std::string> LoadRecordsKey(Host& host, const std::string& state_dir);

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
