// In-memory SNMP agent and recording client for unit tests.
#include "libsan/snmp/fake_snmp_client.h"

#include "libsan/util/strings.h"

namespace san::snmp {
namespace {

std::vector<uint32_t> Key(const std::string& oid) {
  std::vector<uint32_t> k;
  for (const std::string& p : SplitList(oid, "."))
    k.push_back(static_cast<uint32_t>(std::stoul(p)));
  return k;
}

}  // namespace

void FakeSnmpAgent::SetInt(const std::string& oid, int64_t v) {
  VarBind b{oid, VarBind::Type::kInteger, v, {}};
  mib_[Key(oid)] = b;
}
void FakeSnmpAgent::SetString(const std::string& oid, const std::string& s) {
  mib_[Key(oid)] = VarBind{oid, VarBind::Type::kString, 0, s};
}
void FakeSnmpAgent::SetOid(const std::string& oid, const std::string& value) {
  mib_[Key(oid)] = VarBind{oid, VarBind::Type::kOid, 0, value};
}
int64_t FakeSnmpAgent::Int(const std::string& oid) const {
  auto it = mib_.find(Key(oid));
  return it == mib_.end() ? 0 : it->second.integer;
}

Status FakeSnmpClient::Reachable() {
  bool wrong_community = !agent_->community.empty() && target_.version != Version::kV3 &&
                         target_.community != agent_->community;
  if (agent_->dead || wrong_community) {
    // Like net-snmp: every try waits its timeout, all of them cut by the deadline.
    Result<RequestBudget> b = host_ ? BudgetFor(target_, host_->Now(), "a request")
                                    : RequestBudget{target_.timeout, target_.retries};
    if (!b.ok()) return b.status();
    if (host_) host_->SleepFor(b->timeout * (b->retries + 1));
    return Status::Timeout("no answer from " + target_.Address() + " " + DescribeWait(*b));
  }
  if (host_ && target_.deadline && host_->Now() >= *target_.deadline) {
    return BudgetFor(target_, host_->Now(), "a request").status();
  }
  return Status::Ok();
}

Result<std::vector<VarBind>> FakeSnmpClient::Get(const std::vector<std::string>& oids) {
  agent_->journal().push_back(agent_->name() + " GET " + Join(oids, ", "));
  SAN_RETURN_IF_ERROR(Reachable());
  if (agent_->on_get) agent_->on_get(*agent_);
  std::vector<VarBind> out;
  for (const std::string& o : oids) {
    auto it = agent_->mib().find(Key(o));
    if (it == agent_->mib().end()) {
      out.push_back(VarBind{o, VarBind::Type::kNoSuchInstance, 0, {}});
    } else {
      out.push_back(it->second);
    }
  }
  return out;
}

Status FakeSnmpClient::Set(const std::vector<std::pair<std::string, int64_t>>& values) {
  std::vector<std::string> parts;
  for (const auto& [o, v] : values) parts.push_back(o + "=" + std::to_string(v));
  agent_->journal().push_back(agent_->name() + " SET " + Join(parts, ", "));
  SAN_RETURN_IF_ERROR(Reachable());
  for (const auto& [o, v] : values) {
    if (agent_->on_set) {
      SAN_RETURN_IF_ERROR(agent_->on_set(*agent_, o, v));
    } else {
      agent_->SetInt(o, v);
    }
  }
  return Status::Ok();
}

Result<std::vector<VarBind>> FakeSnmpClient::Walk(const std::string& prefix, size_t limit) {
  agent_->journal().push_back(agent_->name() + " WALK " + prefix);
  SAN_RETURN_IF_ERROR(Reachable());
  std::vector<VarBind> out;
  for (const auto& [key, b] : agent_->mib()) {
    if (OidUnder(b.oid, prefix) && out.size() < limit) out.push_back(b);
  }
  return out;
}

ClientFactory FakeFactory(std::map<std::string, FakeSnmpAgent*> agents, Host* host) {
  return
      [agents = std::move(agents), host](const Target& t) -> Result<std::unique_ptr<SnmpClient>> {
        auto it = agents.find(t.Address());
        static FakeSnmpAgent nobody("nobody");
        nobody.dead = true;
        FakeSnmpAgent* agent = it == agents.end() ? &nobody : it->second;
        return std::unique_ptr<SnmpClient>(new FakeSnmpClient(agent, t, host));
      };
}

}  // namespace san::snmp
