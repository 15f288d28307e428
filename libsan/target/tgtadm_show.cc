// tgtadm --op show parsers. tgt indents by four spaces per level; a line's level and its
// "Key: value" form decide what it is. Unknown lines fail the parse (Corruption) until the first
// initiator name: tgt prints it verbatim, so from there on a line that cannot be where it is was
// written by an initiator and is set aside as an anomaly (so stop and status still work).
#include "libsan/target/tgtadm_show.h"

#include <cctype>

#include "libsan/net/address.h"
#include "libsan/target/names.h"
#include "libsan/util/strings.h"

namespace san::target::tgt {

namespace {

struct Line {
  int number = 0;
  int indent = 0;         // leading spaces
  int level = 0;          // leading spaces / 4
  std::string_view text;  // without the indentation
};

std::vector<Line> SplitLines(std::string_view text) {
  std::vector<Line> lines;
  int number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(pos, end - pos);
    pos = end + 1;
    ++number;
    size_t spaces = raw.find_first_not_of(' ');
    if (spaces == std::string_view::npos) continue;  // blank
    std::string_view rest = raw.substr(spaces);
    while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\r')) rest.remove_suffix(1);
    lines.push_back({number, static_cast<int>(spaces), static_cast<int>(spaces / 4), rest});
  }
  return lines;
}

bool HasControl(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// An iSCSI name as RFC 3720 allows it (IQNs compared case-insensitively: some initiators send
// upper-case letters).
bool ValidIscsiName(std::string_view name) {
  std::string lower(name);
  if (lower.starts_with("iqn.") || lower.starts_with("IQN.")) {
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return CanonicalIscsiName(lower).ok();
}

Status Bad(const Line& l, std::string_view what) {
  return Status::Corruption("tgtadm output line " + std::to_string(l.number) + ": " +
                            std::string(what) + ": '" + Printable(l.text, 80) + "'");
}

// "Key: value" → value, when the line starts with `key`.
bool Field(std::string_view text, std::string_view key, std::string_view* value) {
  if (text.size() < key.size() + 1 || text.substr(0, key.size()) != key ||
      text[key.size()] != ':') {
    return false;
  }
  std::string_view v = text.substr(key.size() + 1);
  if (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  *value = v;
  return true;
}

Result<int64_t> Number(const Line& l, std::string_view v) {
  Result<int64_t> n = ParseInt64(v);
  if (!n.ok() || *n < 0) return Bad(l, "expected a number");
  return *n;
}

Result<bool> YesNo(const Line& l, std::string_view v) {
  if (v == "Yes") return true;
  if (v == "No") return false;
  return Bad(l, "expected Yes or No");
}

Status LunField(const Line& l, RunningLun& lun) {
  std::string_view v;
  if (Field(l.text, "Type", &v)) {
    lun.type = v;
  } else if (Field(l.text, "SCSI ID", &v)) {
    lun.scsi_id = v;
  } else if (Field(l.text, "SCSI SN", &v)) {
    lun.scsi_sn = v;
  } else if (Field(l.text, "Size", &v)) {
    // "67 MB, Block size: 512"
    size_t sp = v.find(" MB, Block size: ");
    if (sp == std::string_view::npos) return Bad(l, "unexpected size format");
    SAN_ASSIGN_OR_RETURN(int64_t mb, Number(l, v.substr(0, sp)));
    lun.size_mb = static_cast<uint64_t>(mb);
  } else if (Field(l.text, "Online", &v)) {
    SAN_ASSIGN_OR_RETURN(lun.online, YesNo(l, v));
  } else if (Field(l.text, "Readonly", &v)) {
    SAN_ASSIGN_OR_RETURN(lun.readonly, YesNo(l, v));
  } else if (Field(l.text, "Backing store type", &v)) {
    lun.backing_type = v;
  } else if (Field(l.text, "Backing store path", &v)) {
    lun.path = v == "None" ? std::string() : std::string(v);
  } else if (Field(l.text, "Removable media", &v) || Field(l.text, "Prevent removal", &v) ||
             Field(l.text, "SWP", &v) || Field(l.text, "Thin-provisioning", &v) ||
             Field(l.text, "Backing store flags", &v)) {
    // Not part of the model; known, so accepted.
  } else {
    return Bad(l, "unknown LUN field");
  }
  return Status::Ok();
}

}  // namespace

Result<TargetListing> ParseShowTargets(std::string_view text, const std::set<int>& forged) {
  TargetListing out;
  enum Section { kNone, kSystem, kNexus, kLun, kAccount, kAcl };
  Section section = kNone;
  Section highest = kNone;    // sections come once each, in this order, per target
  bool remote = false;        // an initiator-controlled value has been printed above
  bool continuation = false;  // after a forged "Target" line: the real target goes on
  RunningTarget sink;         // lines of a target line that cannot be trusted go here
  RunningTarget* t = nullptr;
  int last_tid = 0;
  std::set<int> tids;
  std::set<uint64_t> nexus_ids;
  // A line that cannot be genuine: before any remote text it means another tgt layout
  // (Corruption); after it, an initiator forged it (anomaly, line left out).
  auto problem = [&](const Line& l, std::string_view what) -> Status {
    if (!remote) return Bad(l, what);
    out.anomalies.push_back(Bad(l, what).message());
    return Status::Ok();
  };
  // A value outside its grammar: an anomaly wherever it is (never trusted, never fatal).
  auto odd = [&](const Line& l, std::string_view what) {
    out.anomalies.push_back(Bad(l, what).message());
  };
  for (const Line& l : SplitLines(text)) {
    if (l.indent % 4 != 0) {
      SAN_RETURN_IF_ERROR(problem(l, "indentation is not a multiple of four"));
      continue;
    }
    if (l.level == 3 && l.text.starts_with("Initiator:")) remote = true;
    if (HasControl(l.text)) {
      SAN_RETURN_IF_ERROR(problem(l, "control character"));
      continue;
    }
    if (l.level == 0) {
      // "Target 1: iqn..."
      size_t colon = l.text.find(": ");
      Result<int64_t> tid = Status::Corruption("");
      if (l.text.starts_with("Target ") && colon != std::string_view::npos) {
        tid = ParseInt64(l.text.substr(7, colon - 7));
      }
      if (!tid.ok() || *tid < 1 || *tid > 2147483647) {
        SAN_RETURN_IF_ERROR(problem(l, "expected 'Target N: NAME'"));
        continue;
      }
      const int n = static_cast<int>(*tid);
      if (forged.count(n) && t) {
        odd(l, "target " + std::to_string(n) +
                   " does not exist: this line comes from an initiator name");
        continuation = true;
        continue;
      }
      continuation = false;
      section = highest = kNone;
      nexus_ids.clear();
      std::string_view name = l.text.substr(colon + 2);
      if (n <= last_tid || tids.count(n)) {
        // tgt lists targets by increasing tid: this line was forged (or the real one was).
        odd(l, "target " + std::to_string(n) + " out of tid order or listed twice");
        out.shadowed.emplace_back(n, std::string(name));
        sink = RunningTarget();
        t = &sink;
        continue;
      }
      tids.insert(n);
      last_tid = n;
      if (remote) out.unverified_tids.push_back(n);
      out.targets.emplace_back();
      t = &out.targets.back();
      t->tid = n;
      t->name = name;
      // tgt accepts any target name from its administrator; after an initiator name an odd
      // one is suspect.
      if (remote && !ValidIscsiName(name)) odd(l, "target name outside the IQN/EUI grammar");
      continue;
    }
    if (!t) return Bad(l, "line outside a target");
    if (l.level == 1) {
      Section next = kNone;
      if (l.text == "System information:") {
        next = kSystem;
      } else if (l.text == "I_T nexus information:") {
        next = kNexus;
      } else if (l.text == "LUN information:") {
        next = kLun;
      } else if (l.text == "Account information:") {
        next = kAccount;
      } else if (l.text == "ACL information:") {
        next = kAcl;
      } else {
        SAN_RETURN_IF_ERROR(problem(l, "unknown section"));
        section = kNone;
        continue;
      }
      if (continuation && next <= kNexus) {
        section = next;  // the forged target's own headers
        continue;
      }
      if (next <= highest) {
        SAN_RETURN_IF_ERROR(problem(l, "section out of order or repeated"));
        // Initiator text sits in the nexus section, before tgt's own LUN, account and ACL
        // headers: the last header of a kind is the real one, what came under an earlier
        // copy was forged.
        if (next <= kLun) t->luns.clear();
        if (next <= kAccount) {
          t->incoming_users.clear();
          t->outgoing_user.reset();
        }
        if (next <= kAcl) t->acl.clear();
      }
      section = highest = next;
      continue;
    }
    std::string_view v;
    switch (section) {
      case kSystem:
        if (l.level != 2 || !(Field(l.text, "Driver", &v) || Field(l.text, "State", &v))) {
          SAN_RETURN_IF_ERROR(problem(l, "unknown system field"));
        }
        break;
      case kNexus:
        if (l.level == 2 && Field(l.text, "I_T nexus", &v)) {
          Result<int64_t> id = ParseInt64(v);
          if (!id.ok() || *id < 0) {
            SAN_RETURN_IF_ERROR(problem(l, "expected a number"));
          } else if (!nexus_ids.insert(static_cast<uint64_t>(*id)).second) {
            odd(l, "I_T nexus listed twice");
            t->sessions.push_back({static_cast<uint64_t>(*id), "", {}, true});
          } else {
            t->sessions.push_back({static_cast<uint64_t>(*id), "", {}, remote});
          }
        } else if (t->sessions.empty()) {
          SAN_RETURN_IF_ERROR(problem(l, "nexus detail before 'I_T nexus'"));
        } else if (l.level == 3 && Field(l.text, "Initiator", &v)) {
          // Everything from here on may be an initiator's own text.
          remote = true;
          Session& s = t->sessions.back();
          size_t alias = v.find(" alias: ");
          std::string_view name = v.substr(0, alias);
          if (!s.initiator.empty()) {
            odd(l, "second initiator line in one I_T nexus");
            s.suspect = true;
          } else if (alias == std::string_view::npos) {
            odd(l, "initiator name without ' alias:': it continues on the next line");
            s.initiator = Printable(name, 80);
            s.suspect = true;
          } else if (!ValidIscsiName(name)) {
            odd(l, "initiator name outside the IQN/EUI grammar");
            s.initiator = Printable(name, 80);
            s.suspect = true;
          } else {
            s.initiator = name;
          }
        } else if (l.level == 3 && Field(l.text, "Connection", &v)) {
          Result<int64_t> cid = ParseInt64(v);
          if (!cid.ok() || *cid < 0 || *cid > 65535) {
            SAN_RETURN_IF_ERROR(problem(l, "expected a number"));
          } else {
            t->sessions.back().connections.push_back({static_cast<int>(*cid), ""});
          }
        } else if (l.level == 4 && Field(l.text, "IP Address", &v) &&
                   !t->sessions.back().connections.empty()) {
          Result<net::Network> a = net::ParseNetwork(v);
          if (!a.ok() || !a->IsHost() || v.find('/') != std::string_view::npos) {
            odd(l, "not an IP address");
            t->sessions.back().suspect = true;
          } else {
            t->sessions.back().connections.back().second = a->ToShortString();
          }
        } else {
          SAN_RETURN_IF_ERROR(problem(l, "unknown nexus field"));
        }
        break;
      case kLun:
        if (l.level == 2 && Field(l.text, "LUN", &v)) {
          Result<int64_t> n = ParseInt64(v);
          if (!n.ok() || *n < 0 || *n > 65535) {
            SAN_RETURN_IF_ERROR(problem(l, "expected a LUN number"));
            break;
          }
          for (const auto& other : t->luns) {
            if (other.number == *n) odd(l, "LUN listed twice");
          }
          t->luns.emplace_back();
          t->luns.back().number = static_cast<int>(*n);
        } else if (l.level == 3 && !t->luns.empty()) {
          if (Status s = LunField(l, t->luns.back()); !s.ok()) {
            SAN_RETURN_IF_ERROR(problem(l, s.message()));
          }
        } else {
          SAN_RETURN_IF_ERROR(problem(l, "unknown LUN line"));
        }
        break;
      case kAccount: {
        if (l.level != 2) {
          SAN_RETURN_IF_ERROR(problem(l, "unknown account line"));
          break;
        }
        const bool outgoing = l.text.ends_with(" (outgoing)");
        std::string_view user = outgoing ? l.text.substr(0, l.text.size() - 11) : l.text;
        if (remote && !CheckUser(user).ok()) {
          odd(l, "account name outside the CHAP user grammar");
        } else if (outgoing) {
          t->outgoing_user = std::string(user);
        } else {
          t->incoming_users.emplace_back(user);
        }
        break;
      }
      case kAcl:
        if (l.level != 2) {
          SAN_RETURN_IF_ERROR(problem(l, "unknown ACL line"));
        } else if (remote && l.text != "ALL" && !net::ParseNetwork(l.text).ok() &&
                   !ValidIscsiName(l.text)) {
          odd(l, "ACL entry is neither ALL, an address nor an iSCSI name");
        } else {
          t->acl.emplace_back(l.text);
        }
        break;
      case kNone:
        SAN_RETURN_IF_ERROR(problem(l, "line outside a section"));
        break;
    }
  }
  return out;
}

Result<std::vector<std::string>> ParseShowAccounts(std::string_view text) {
  std::vector<std::string> out;
  bool header = false;
  for (const Line& l : SplitLines(text)) {
    if (l.level == 0) {
      if (l.text != "Account list:" || header) return Bad(l, "expected 'Account list:'");
      header = true;
    } else if (l.level == 1 && header) {
      out.emplace_back(l.text);
    } else {
      return Bad(l, "unknown account list line");
    }
  }
  return out;
}

Result<DiscoveryAccounts> ParseShowSystemAccounts(std::string_view text) {
  DiscoveryAccounts out;
  bool in_accounts = false;
  bool seen_system = false;
  for (const Line& l : SplitLines(text)) {
    if (l.level == 0) {
      if (l.text == "System:") seen_system = true;
      in_accounts = false;
      continue;
    }
    // tgt 1.0.85 prints the heading and the names at the same depth, under "Device types:", with
    // a blank line between; everything up to the next top-level heading is a name.
    if (l.text == "Account information:") {
      in_accounts = true;
      continue;
    }
    if (in_accounts) {
      if (l.text.ends_with(" (outgoing)")) {
        out.outgoing = std::string(l.text.substr(0, l.text.size() - 11));
      } else {
        out.incoming.emplace_back(l.text);
      }
    }
  }
  if (!seen_system) return Status::Corruption("tgtadm system output has no 'System:' heading");
  return out;
}

Result<std::map<std::string, std::string>> ParseShowTargetParams(std::string_view text) {
  std::map<std::string, std::string> out;
  for (const Line& l : SplitLines(text)) {
    size_t eq = l.text.find('=');
    if (l.level != 0 || eq == std::string_view::npos || eq == 0) {
      return Bad(l, "expected NAME=VALUE");
    }
    out.emplace(l.text.substr(0, eq), l.text.substr(eq + 1));
  }
  return out;
}

uint64_t TgtSizeMb(uint64_t bytes) {
  const uint64_t blocks = bytes / 512 * 512;
  return (blocks + 500'000) / 1'000'000;
}

}  // namespace san::target::tgt
