// The target model: what the target file wants (TargetConfig) and what a running daemon has
// (RunningState), both backend-neutral. Parsers build them; the planner compares them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace san::target {

// A CHAP account. `secret` is never printed: use MaskSecret() in any text.
struct Account {
  std::string user;
  std::string secret;
  bool operator==(const Account&) const = default;
};

enum class IoMode { kFileio, kBlockio };
const char* IoModeName(IoMode mode);  // "fileio", "blockio"

struct LunSpec {
  int number = 0;
  std::string path;
  IoMode mode = IoMode::kFileio;
  std::string scsi_id;  // "" = the backend's default
  std::string scsi_sn;  // "" = the backend's default
  std::string vendor;   // "" = the backend's default
  std::string product;  // "" = the backend's default
  bool readonly = false;
  int line = 0;  // where it was declared (error messages)
};

struct TargetSpec {
  std::string name;        // full IQN or EUI
  std::optional<int> tid;  // pinned backend target id
  // Admission: empty lists = every initiator. Addresses are canonical ("192.0.2.0/24",
  // "192.0.2.10", "ALL"); initiator names as written (lower-case IQN, upper-case EUI).
  std::vector<std::string> allow_addresses;
  std::vector<std::string> allow_initiators;
  std::vector<Account> incoming;
  std::optional<Account> outgoing;
  std::map<std::string, std::string> options;  // global defaults already merged in
  std::vector<LunSpec> luns;                   // ordered by number
  int line = 0;
};

struct TargetConfig {
  std::string path;  // the file it came from
  std::vector<Account> discovery_incoming;
  std::optional<Account> discovery_outgoing;
  std::vector<TargetSpec> targets;  // in file order
  const TargetSpec* Find(const std::string& name) const;
};

// ---- running state, as a backend reports it ---------------------------------------------------

struct RunningLun {
  int number = 0;
  std::string type;  // "disk", "controller"
  std::string scsi_id, scsi_sn;
  uint64_t size_mb = 0;  // tgt reports rounded megabytes (10^6)
  bool readonly = false;
  bool online = true;
  std::string backing_type;    // tgt: "rdwr", "aio", "null"
  std::string path;            // "" for none
  std::optional<IoMode> mode;  // the backend's backing type mapped back, when it maps
  bool controller = false;     // tgt's LUN 0: not storage, never planned
};

struct Session {
  uint64_t id = 0;  // tgt: I_T nexus / session id
  std::string initiator;
  std::vector<std::pair<int, std::string>> connections;  // (cid, address)
  // Listed after an initiator-controlled line, or with an odd name/address: possibly forged.
  bool suspect = false;
};

struct RunningTarget {
  int tid = 0;
  std::string name;
  std::vector<RunningLun> luns;  // including tgt's controller LUN 0
  std::vector<Session> sessions;
  std::vector<std::string> incoming_users;
  std::optional<std::string> outgoing_user;
  std::vector<std::string> acl;  // addresses, "ALL" and initiator names, as the backend lists
  const RunningLun* FindLun(int number) const;
};

struct RunningState {
  std::vector<RunningTarget> targets;
  std::vector<std::string> accounts;  // every account the daemon knows
  std::vector<std::string> discovery_incoming;
  std::optional<std::string> discovery_outgoing;
  // Lines of the daemon's listing that cannot be genuine (text injected by a remote initiator).
  // Non-empty: the listing may be wrong, so nothing may be deleted on its strength.
  std::vector<std::string> anomalies;
  // (tid, name) of "Target" lines set aside because their tid was out of order or repeated: one
  // of the lines with that tid is forged, and the listing cannot tell which.
  std::vector<std::pair<int, std::string>> shadowed;
  const RunningTarget* Find(const std::string& name) const;
};

// "***" for any non-empty secret.
inline const char* MaskSecret() { return "***"; }

}  // namespace san::target
