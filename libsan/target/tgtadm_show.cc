// tgtadm --op show parsers. tgt indents by four spaces per level; a line's level and its
// "Key: value" form decide what it is. Unknown lines fail the parse (Corruption).
#include "libsan/target/tgtadm_show.h"

#include <climits>

#include "libsan/util/strings.h"

namespace san::target::tgt {

namespace {

struct Line {
  int number = 0;
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
    lines.push_back({number, static_cast<int>(spaces / 4), rest});
  }
  return lines;
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

// tgt prints no control character of its own; one in a line is remote text (an initiator's name
// or alias) or damage. Only the Initiator line is neutralised (see ParseShowTargets); elsewhere
// such a line is refused.
Status NoControl(const Line& l) {
  return HasControlChars(l.text) ? Bad(l, "control character in line") : Status::Ok();
}

Result<int64_t> Number(const Line& l, std::string_view v) {
  Result<int64_t> n = ParseInt64(v);
  if (!n.ok() || *n < 0) return Bad(l, "expected a number");
  return *n;
}

// A tid, LUN or connection id: an int (a larger value would wrap on the cast).
Result<int> IntNumber(const Line& l, std::string_view v) {
  SAN_ASSIGN_OR_RETURN(int64_t n, Number(l, v));
  if (n > INT_MAX) return Bad(l, "number out of range");
  return static_cast<int>(n);
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

Result<std::vector<RunningTarget>> ParseShowTargets(std::string_view text) {
  std::vector<RunningTarget> targets;
  enum class Section { kNone, kSystem, kNexus, kLun, kAccount, kAcl };
  Section section = Section::kNone;
  RunningTarget* t = nullptr;
  for (const Line& l : SplitLines(text)) {
    if (l.level == 0) {
      SAN_RETURN_IF_ERROR(NoControl(l));
      // "Target 1: iqn..."
      if (!l.text.starts_with("Target ")) return Bad(l, "expected 'Target N: NAME'");
      size_t colon = l.text.find(": ");
      if (colon == std::string_view::npos) return Bad(l, "expected 'Target N: NAME'");
      SAN_ASSIGN_OR_RETURN(int tid, IntNumber(l, l.text.substr(7, colon - 7)));
      targets.emplace_back();
      t = &targets.back();
      t->tid = tid;
      t->name = l.text.substr(colon + 2);
      section = Section::kNone;
      continue;
    }
    if (!t) return Bad(l, "line outside a target");
    if (l.level == 1) {
      if (l.text == "System information:") {
        section = Section::kSystem;
      } else if (l.text == "I_T nexus information:") {
        section = Section::kNexus;
      } else if (l.text == "LUN information:") {
        section = Section::kLun;
      } else if (l.text == "Account information:") {
        section = Section::kAccount;
      } else if (l.text == "ACL information:") {
        section = Section::kAcl;
      } else {
        return Bad(l, "unknown section");
      }
      continue;
    }
    std::string_view v;
    if (!(section == Section::kNexus && Field(l.text, "Initiator", &v))) {
      SAN_RETURN_IF_ERROR(NoControl(l));
    }
    switch (section) {
      case Section::kSystem:
        if (l.level != 2 || !(Field(l.text, "Driver", &v) || Field(l.text, "State", &v))) {
          return Bad(l, "unknown system field");
        }
        break;
      case Section::kNexus:
        if (l.level == 2 && Field(l.text, "I_T nexus", &v)) {
          SAN_ASSIGN_OR_RETURN(int64_t id, Number(l, v));
          t->sessions.push_back({static_cast<uint64_t>(id), "", {}});
        } else if (t->sessions.empty()) {
          return Bad(l, "nexus detail before 'I_T nexus'");
        } else if (l.level == 3 && Field(l.text, "Initiator", &v)) {
          // The initiator chose this text: its control characters become '?', so it can neither
          // fake structure nor make the listing unreadable (monitor and stop read it).
          t->sessions.back().initiator = Printable(v.substr(0, v.find(" alias:")), v.size());
        } else if (l.level == 3 && Field(l.text, "Connection", &v)) {
          SAN_ASSIGN_OR_RETURN(int cid, IntNumber(l, v));
          t->sessions.back().connections.push_back({cid, ""});
        } else if (l.level == 4 && Field(l.text, "IP Address", &v) &&
                   !t->sessions.back().connections.empty()) {
          t->sessions.back().connections.back().second = v;
        } else {
          return Bad(l, "unknown nexus field");
        }
        break;
      case Section::kLun:
        if (l.level == 2 && Field(l.text, "LUN", &v)) {
          SAN_ASSIGN_OR_RETURN(int n, IntNumber(l, v));
          t->luns.emplace_back();
          t->luns.back().number = n;
        } else if (l.level == 3 && !t->luns.empty()) {
          SAN_RETURN_IF_ERROR(LunField(l, t->luns.back()));
        } else {
          return Bad(l, "unknown LUN line");
        }
        break;
      case Section::kAccount:
        if (l.level != 2) return Bad(l, "unknown account line");
        if (l.text.ends_with(" (outgoing)")) {
          t->outgoing_user = std::string(l.text.substr(0, l.text.size() - 11));
        } else {
          t->incoming_users.emplace_back(l.text);
        }
        break;
      case Section::kAcl:
        if (l.level != 2) return Bad(l, "unknown ACL line");
        t->acl.emplace_back(l.text);
        break;
      case Section::kNone:
        return Bad(l, "line outside a section");
    }
  }
  return targets;
}

Result<std::vector<std::string>> ParseShowAccounts(std::string_view text) {
  std::vector<std::string> out;
  bool header = false;
  for (const Line& l : SplitLines(text)) {
    SAN_RETURN_IF_ERROR(NoControl(l));
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
    SAN_RETURN_IF_ERROR(NoControl(l));
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
    SAN_RETURN_IF_ERROR(NoControl(l));
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
