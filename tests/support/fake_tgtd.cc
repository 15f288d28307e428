// FakeTgtd: tgtadm's argv → state changes and tgt 1.0.85's show layout.
#include "tests/support/fake_tgtd.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "libsan/util/strings.h"

namespace san::testing {

namespace {

const char* kLunTail =
    "            Online: Yes\n"
    "            Removable media: No\n"
    "            Prevent removal: No\n";

std::string LunBlock(int tid, int lun, const FakeTgtd::Lun* l) {
  char id[32], sn[32];
  std::snprintf(id, sizeof id, "IET     %04x%04x", tid, lun);
  std::snprintf(sn, sizeof sn, "beaf%d%d", tid, lun);
  std::string out = "        LUN: " + std::to_string(lun) + "\n";
  out += std::string("            Type: ") + (l ? "disk" : "controller") + "\n";
  out += "            SCSI ID: " + (l && !l->scsi_id.empty() ? l->scsi_id : std::string(id)) + "\n";
  out += "            SCSI SN: " + (l && !l->scsi_sn.empty() ? l->scsi_sn : std::string(sn)) + "\n";
  if (l) {
    uint64_t mb = (l->size / 512 * 512 + 500000) / 1000000;
    out += "            Size: " + std::to_string(mb) + " MB, Block size: 512\n";
  } else {
    out += "            Size: 0 MB, Block size: 1\n";
  }
  out += kLunTail;
  out += std::string("            Readonly: ") + (l && l->readonly ? "Yes" : "No") + "\n";
  out += "            SWP: No\n            Thin-provisioning: No\n";
  out += "            Backing store type: " + (l ? l->bstype : std::string("null")) + "\n";
  out += "            Backing store path: " + (l ? l->path : std::string("None")) + "\n";
  out += "            Backing store flags: \n";
  return out;
}

const std::map<std::string, std::string>& DefaultParams() {
  static const std::map<std::string, std::string> p = {{"MaxRecvDataSegmentLength", "8192"},
                                                       {"MaxBurstLength", "262144"},
                                                       {"FirstBurstLength", "65536"},
                                                       {"HeaderDigest", "None"},
                                                       {"DataDigest", "None"},
                                                       {"MaxQueueCmd", "128"},
                                                       {"InitialR2T", "Yes"},
                                                       {"ImmediateData", "Yes"}};
  return p;
}

}  // namespace

FakeTgtd::FakeTgtd(FakeHost& host, FakeHost* others) : host_(host), others_(others) {
  host.SetDefault([this](const Command& cmd) -> Result<Output> {
    if (!cmd.argv.empty() && (cmd.argv[0] == "tgtadm" || cmd.argv[0] == "tgtd")) {
      return Handle(cmd);
    }
    if (others_) return others_->Run(cmd);
    return Status::Internal("FakeTgtd: unexpected command " + Join(cmd.argv, " "));
  });
}

void FakeTgtd::AddSession(int tid, std::string initiator, std::string address, bool reconnect) {
  Session s{next_sid_++, std::move(initiator), std::move(address)};
  targets_[tid].sessions.push_back(s);
  if (reconnect) reconnecting_.push_back({tid, s});
}

Output FakeTgtd::Fail(const std::string& message, int code) {
  return Output{code, "", "tgtadm: " + message + "\n"};
}

std::string FakeTgtd::ShowTargets() const {
  std::string out;
  for (const auto& [tid, t] : targets_) {
    out += "Target " + std::to_string(tid) + ": " + t.name + "\n";
    out += "    System information:\n        Driver: iscsi\n        State: ready\n";
    out += "    I_T nexus information:\n";
    for (const auto& s : t.sessions) {
      out += "        I_T nexus: " + std::to_string(s.sid) + "\n";
      out += "            Initiator: " + s.initiator + " alias: none\n";
      out += "            Connection: 0\n                IP Address: " + s.address + "\n";
    }
    out += "    LUN information:\n";
    out += LunBlock(tid, 0, nullptr);
    for (const auto& [n, l] : t.luns) out += LunBlock(tid, n, &l);
    out += "    Account information:\n";
    for (const auto& u : t.users) out += "        " + u + "\n";
    if (t.outgoing) out += "        " + *t.outgoing + " (outgoing)\n";
    out += "    ACL information:\n";
    for (const auto& a : t.acl) out += "        " + a + "\n";
  }
  return out;
}

Result<Output> FakeTgtd::Handle(const Command& cmd) {
  if (cmd.argv[0] == "tgtd") {
    running_ = true;
    return Ok();
  }
  std::map<std::string, std::string> o;
  std::set<std::string> flags;
  for (size_t i = 1; i < cmd.argv.size(); ++i) {
    const std::string& a = cmd.argv[i];
    if (a == "--outgoing" || a == "--force") {
      flags.insert(a);
    } else if (a.starts_with("--") && i + 1 < cmd.argv.size()) {
      o[a] = cmd.argv[++i];
    } else {
      return Fail("unknown argument " + a);
    }
  }
  if (!running_) {
    return Fail("failed to send request hdr to tgt daemon, Transport endpoint is not connected",
                107);
  }
  const std::string op = o["--op"], mode = o["--mode"];
  const bool has_tid = o.count("--tid") > 0;
  const int tid = has_tid ? std::stoi(o["--tid"]) : 0;
  auto target = targets_.find(tid);
  const bool found = target != targets_.end();
  if (op == "show") {
    if (mode == "target" && has_tid) {
      if (!found) return Fail("can't find the target");
      std::string out;
      auto params = DefaultParams();
      for (const auto& [k, v] : target->second.params) params[k] = v;
      for (const auto& [k, v] : params) out += k + "=" + v + "\n";
      return Ok(out);
    }
    if (mode == "target") return Ok(ShowTargets());
    if (mode == "account") {
      std::string out = "Account list:\n";
      for (const auto& u : account_order_) out += "    " + u + "\n";
      return Ok(out);
    }
    if (mode == "system") {
      std::string out =
          "System:\n    State: ready\n    debug: off\nLLDs:\n    iscsi: ready\n"
          "Device types:\n    disk\n    Account information:\n\n";
      for (const auto& u : discovery_in_) out += "    " + u + "\n";
      if (discovery_out_) out += "    " + *discovery_out_ + " (outgoing)\n";
      return Ok(out + "iSNS:\n    iSNS=Off\n");
    }
  }
  ++changes_;
  if (mode == "system" && op == "delete") {
    if (!targets_.empty()) return Fail("invalid request");
    running_ = false;
    return Ok();
  }
  if (mode == "portal") return Ok();
  if (mode == "target") {
    if (op == "new") {
      for (const auto& [t, other] : targets_) {
        if (other.name == o["--targetname"]) return Fail("this target already exists");
      }
      if (found) return Fail("this target already exists");
      targets_[tid].name = o["--targetname"];
      return Ok();
    }
    if (!found) return Fail("can't find the target");
    Target& t = target->second;
    if (op == "delete") {
      if (!t.sessions.empty() && !flags.count("--force"))
        return Fail("this target is still active");
      targets_.erase(target);
      return Ok();
    }
    if (op == "update") {
      if (!DefaultParams().count(o["--name"]) && o["--name"] != "MaxOutstandingR2T") {
        return Fail("invalid request");
      }
      t.params[o["--name"]] = o["--value"];
      return Ok();
    }
    std::string entry =
        o.count("--initiator-address") ? o["--initiator-address"] : o["--initiator-name"];
    auto it = std::find(t.acl.begin(), t.acl.end(), entry);
    if (op == "bind") {
      if (it != t.acl.end()) return Fail("this access control rule already exists");
      t.acl.push_back(entry);
      return Ok();
    }
    if (op == "unbind") {
      if (it == t.acl.end()) return Fail("this access control rule does not exist");
      t.acl.erase(it);
      return Ok();
    }
  }
  if (mode == "account") {
    const std::string user = o["--user"];
    if (op == "new") {
      if (accounts_.count(user)) return Fail("this account already exists");
      accounts_[user] = o["--password"];
      account_order_.insert(account_order_.begin(), user);
      return Ok();
    }
    if (!accounts_.count(user)) return Fail("can't find the account");
    if (op == "delete") {
      accounts_.erase(user);
      account_order_.erase(std::find(account_order_.begin(), account_order_.end(), user));
      for (auto& [t, tg] : targets_) {
        tg.users.erase(std::remove(tg.users.begin(), tg.users.end(), user), tg.users.end());
        if (tg.outgoing == user) tg.outgoing.reset();
      }
      return Ok();
    }
    const bool out = flags.count("--outgoing") > 0;
    std::vector<std::string>* users =
        has_tid ? (found ? &target->second.users : nullptr) : &discovery_in_;
    std::optional<std::string>* outgoing =
        has_tid ? (found ? &target->second.outgoing : nullptr) : &discovery_out_;
    if (!users) return Fail("can't find the target");
    if (op == "bind") {
      if (out) {
        if (*outgoing) return Fail("this target already has an outgoing account");
        *outgoing = user;
      } else {
        if (std::find(users->begin(), users->end(), user) != users->end()) {
          return Fail("this binding already exists");
        }
        users->push_back(user);
      }
      return Ok();
    }
    if (op == "unbind") {
      if (out) {
        if (*outgoing != user) return Fail("can't find the account");
        outgoing->reset();
      } else {
        auto it = std::find(users->begin(), users->end(), user);
        if (it == users->end()) return Fail("can't find the account");
        users->erase(it);
      }
      return Ok();
    }
  }
  if (mode == "logicalunit") {
    if (!found) return Fail("can't find the target");
    Target& t = target->second;
    const int lun = std::stoi(o["--lun"]);
    if (op == "new") {
      if (t.luns.count(lun) || lun == 0) return Fail("this logical unit number already exists");
      Result<FileInfo> info = host_.Stat(o["--backing-store"]);
      if (!info.ok()) return Fail("invalid request");
      Lun l;
      l.path = o["--backing-store"];
      l.bstype = o.count("--bstype") ? o["--bstype"] : "rdwr";
      l.size = info->size;
      t.luns[lun] = l;
      return Ok();
    }
    if (!t.luns.count(lun)) return Fail("can't find the logical unit");
    if (op == "delete") {
      if (!t.sessions.empty()) return Fail("this logical unit is still active");
      t.luns.erase(lun);
      return Ok();
    }
    if (op == "update") {
      Lun& l = t.luns[lun];
      for (const auto& kv : SplitList(o["--params"], ",")) {
        std::string k = kv.substr(0, kv.find('=')), v = kv.substr(kv.find('=') + 1);
        if (k == "scsi_id")
          l.scsi_id = v;
        else if (k == "scsi_sn")
          l.scsi_sn = v;
        else if (k == "vendor_id")
          l.vendor = v;
        else if (k == "product_id")
          l.product = v;
        else if (k == "readonly")
          l.readonly = v == "1";
        else
          return Fail("invalid request");
      }
      return Ok();
    }
  }
  if (mode == "conn" && op == "delete") {
    if (!found) return Fail("can't find the target");
    auto& sessions = target->second.sessions;
    const uint64_t sid = std::stoull(o["--sid"]);
    auto it = std::find_if(sessions.begin(), sessions.end(),
                           [&](const Session& s) { return s.sid == sid; });
    if (it == sessions.end()) return Fail("can't find the session");
    Session closed = *it;
    sessions.erase(it);
    for (auto& [rtid, s] : reconnecting_) {
      if (rtid == tid && s.sid == closed.sid) {
        if (held_ && held_(closed.address)) continue;  // its SYNs are dropped: it stays away
        s.sid = next_sid_++;
        sessions.push_back(s);
      }
    }
    return Ok();
  }
  return Fail("invalid request");
}

}  // namespace san::testing
