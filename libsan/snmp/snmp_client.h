// SnmpClient: the seam between fencing logic and an SNMP agent. The net-snmp implementation
// (net_snmp_client.cc) is the only code that includes net-snmp headers; unit tests use
// FakeSnmpClient, which records every GET and SET.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "libsan/util/status.h"

namespace san::snmp {

enum class Version { kV1, kV2c, kV3 };

// Where and how to talk to one agent. Secrets live only here and in net-snmp's session.
struct Target {
  std::string host;  // name or address; IPv6 in brackets is accepted
  uint16_t port = 161;
  Version version = Version::kV1;
  std::string community = "private";  // v1/v2c
  // v3 (USM)
  std::string username;
  std::string sec_level;      // noAuthNoPriv | authNoPriv | authPriv ("" = derived)
  std::string auth_protocol;  // MD5 | SHA | SHA224 | SHA256 | SHA384 | SHA512
  std::string auth_password;
  std::string priv_protocol;  // DES | AES | AES192 | AES256
  std::string priv_password;
  // Each request waits `timeout`, then is resent up to `retries` times.
  std::chrono::milliseconds timeout{1000};
  int retries = 1;
  // When set, no request waits past it: the tries of each request are cut to what is left (the
  // fence operation's one deadline), and a request once it has passed fails at once with Timeout.
  std::optional<std::chrono::steady_clock::time_point> deadline;

  // "127.0.0.1:1161" — for messages.
  std::string Address() const;
};

// One variable binding of an answer.
struct VarBind {
  enum class Type { kInteger, kString, kOid, kOther, kNoSuchObject, kNoSuchInstance, kEndOfMib };
  std::string oid;  // numeric, leading dot: ".1.3.6.1.2.1.1.2.0"
  Type type = Type::kOther;
  int64_t integer = 0;  // kInteger (and other numeric types)
  std::string text;     // kString: the octets; kOid: the numeric OID
  bool Exists() const {
    return type != Type::kNoSuchObject && type != Type::kNoSuchInstance && type != Type::kEndOfMib;
  }
};

class SnmpClient {
 public:
  virtual ~SnmpClient() = default;

  // GETs all `oids` in one request. Timeout when the agent does not answer (dead, wrong community
  // on v1/v2c); CommandFailed on an error status or an authentication failure. Missing objects
  // come back as VarBinds whose Exists() is false (v2c/v3) or as NotFound (v1 noSuchName).
  virtual Result<std::vector<VarBind>> Get(const std::vector<std::string>& oids) = 0;

  // SETs INTEGER values, all in one request. CommandFailed ("notWritable", "noAccess", ...) when
  // the agent refuses; Timeout when it does not answer.
  virtual Status Set(const std::vector<std::pair<std::string, int64_t>>& values) = 0;

  // Every object under `prefix` (GETNEXT until the answer leaves the subtree), at most `limit`.
  virtual Result<std::vector<VarBind>> Walk(const std::string& prefix, size_t limit = 4096) = 0;
};

// Opens a session per Target. Fails with InvalidConfig on unusable settings (unknown protocol,
// short passphrase), NotFound when the host name does not resolve.
using ClientFactory = std::function<Result<std::unique_ptr<SnmpClient>>(const Target&)>;

// The net-snmp implementation (in process; nothing is forked and no secret reaches an argv).
Result<std::unique_ptr<SnmpClient>> OpenNetSnmp(const Target& target);

// How long one request may wait: `timeout` per try, `retries` resends.
struct RequestBudget {
  std::chrono::milliseconds timeout{0};
  int retries = 0;
  bool cut = false;  // shortened by the deadline
};
// The target's timeout and retries, cut so the last try ends at target.deadline (the tries that
// fit, stretched to end there, or one shortened try). Timeout
// ("operation deadline reached before WHAT") when no time is left. Pure.
Result<RequestBudget> BudgetFor(const Target& target, std::chrono::steady_clock::time_point now,
                                const std::string& what);
// "... within 1000 ms x 2 tries" (or "before the operation deadline" when cut): for messages.
std::string DescribeWait(const RequestBudget& budget);

// True when `oid` lies strictly under `prefix` (both numeric with leading dots).
bool OidUnder(const std::string& oid, const std::string& prefix);

}  // namespace san::snmp
