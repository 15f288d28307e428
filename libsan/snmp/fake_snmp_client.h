// FakeSnmpAgent / FakeSnmpClient (tests only): an in-memory SNMP agent with scripted SET behaviour
// and fault switches, and a client that records every GET, SET and walk in the agent's journal,
// so tests assert the exact requests (and their order across several PDUs).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "libsan/host/host.h"
#include "libsan/snmp/snmp_client.h"

namespace san::snmp {

class FakeSnmpAgent {
 public:
  explicit FakeSnmpAgent(std::string name) : name_(std::move(name)) {}

  void SetInt(const std::string& oid, int64_t v);
  void SetString(const std::string& oid, const std::string& s);
  void SetOid(const std::string& oid, const std::string& value);
  // The INTEGER at `oid` (0 when absent).
  int64_t Int(const std::string& oid) const;

  // Called for each SET binding; a non-OK Status refuses the whole request (nothing stored).
  // When unset, the value is stored.
  std::function<Status(FakeSnmpAgent&, const std::string& oid, int64_t value)> on_set;
  // Called before each GET, e.g. to let a relay move after some reads.
  std::function<void(FakeSnmpAgent&)> on_get;

  bool dead = false;           // every request times out (clock advanced by the full wait)
  std::string community = "";  // when set, other communities time out like snmpd does

  const std::string& name() const { return name_; }
  // "pdu1 GET .1.3..., .1.3...", "pdu1 SET .1.3...=2", "pdu1 WALK .1.3..."
  std::vector<std::string>& journal() { return *journal_; }
  // Lets several agents write one shared journal (to see the order across PDUs).
  void ShareJournal(std::shared_ptr<std::vector<std::string>> j) { journal_ = std::move(j); }

  std::map<std::vector<uint32_t>, VarBind>& mib() { return mib_; }

 private:
  std::string name_;
  std::map<std::vector<uint32_t>, VarBind> mib_;
  std::shared_ptr<std::vector<std::string>> journal_ = std::make_shared<std::vector<std::string>>();
};

class FakeSnmpClient : public SnmpClient {
 public:
  // `agent` and `host` (for the clock on timeouts) are not owned and must outlive this.
  FakeSnmpClient(FakeSnmpAgent* agent, Target target, Host* host)
      : agent_(agent), target_(std::move(target)), host_(host) {}

  Result<std::vector<VarBind>> Get(const std::vector<std::string>& oids) override;
  Status Set(const std::vector<std::pair<std::string, int64_t>>& values) override;
  Result<std::vector<VarBind>> Walk(const std::string& prefix, size_t limit) override;

 private:
  Status Reachable();
  FakeSnmpAgent* agent_;
  Target target_;
  Host* host_;
};

// A factory handing out FakeSnmpClients for agents keyed by "host:port" (Target::Address()).
// An address with no agent behaves like a dead one.
ClientFactory FakeFactory(std::map<std::string, FakeSnmpAgent*> agents, Host* host);

}  // namespace san::snmp
