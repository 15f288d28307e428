// Target file parser: one statement per line, keyword first. Global statements come before the
// first `target`; each `target` opens a block. Cross-checks (duplicates) run as lines arrive so
// the error names the later line and the earlier one.
#include "libsan/target/target_file.h"

#include <algorithm>
#include <map>

#include "libsan/net/address.h"
#include "libsan/target/names.h"
#include "libsan/util/strings.h"

namespace san::target {

namespace {

struct LunDefaults {
  IoMode mode = IoMode::kFileio;
  std::string vendor, product;
  bool readonly = false;
};

class Parser {
 public:
  explicit Parser(const std::string& path) { cfg_.path = path; }

  Status Line(int number, std::string_view raw);
  Result<TargetConfig> Finish();

 private:
  Status Error(const std::string& message) const {
    return Status::InvalidConfig(cfg_.path + ":" + std::to_string(line_) + ": " + message);
  }
  Status Global(const std::string& key, const std::vector<std::string>& w);
  Status InTarget(const std::string& key, const std::vector<std::string>& w);
  Status OpenTarget(const std::vector<std::string>& w);
  Status Lun(const std::vector<std::string>& w);
  Status LunOption(LunSpec& lun, const std::string& word, bool* idsn, bool* idorsn);
  Status DefaultsOption(const std::string& word);
  Result<Account> ParseAccount(const std::vector<std::string>& w);
  Status Unique(std::map<std::string, std::string>& seen, const std::string& key,
                const std::string& what, const std::string& where);

  TargetConfig cfg_;
  TargetSpec* current_ = nullptr;
  int line_ = 0;
  int no_targets_line_ = 0;  // where "no-targets yes" was given
  std::string prefix_;
  std::map<std::string, std::string> global_options_;
  LunDefaults defaults_;
  std::map<std::string, std::string> names_, tids_, ids_, sns_, paths_;
  std::map<std::string, std::pair<std::string, int>> secrets_;  // user → (secret, line)
  std::map<std::string, std::map<std::string, std::string>> own_options_;  // target → options
};

Status Parser::Unique(std::map<std::string, std::string>& seen, const std::string& key,
                      const std::string& what, const std::string& where) {
  auto [it, inserted] = seen.emplace(key, where + " (line " + std::to_string(line_) + ")");
  if (!inserted) return Error(what + " '" + key + "' already used by " + it->second);
  return Status::Ok();
}

Result<Account> Parser::ParseAccount(const std::vector<std::string>& w) {
  if (w.size() != 3) return Error(w[0] + ": expected USER SECRET");
  if (Status s = CheckUser(w[1]); !s.ok()) return Error(s.message());
  if (Status s = CheckSecret(w[1], w[2]); !s.ok()) return Error(s.message());
  auto [it, inserted] = secrets_.emplace(w[1], std::make_pair(w[2], line_));
  if (!inserted && it->second.first != w[2]) {
    return Error("CHAP user '" + w[1] + "' already has a different secret (line " +
                 std::to_string(it->second.second) + "); the daemon keeps one secret per user");
  }
  return Account{w[1], w[2]};
}

Status Parser::Line(int number, std::string_view raw) {
  line_ = number;
  for (char c : raw) {
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) {
      return Error("control character in line");
    }
  }
  // A comment starts at '#' at the beginning of the line or after a blank.
  size_t hash = std::string_view::npos;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '#' && (i == 0 || raw[i - 1] == ' ' || raw[i - 1] == '\t')) {
      hash = i;
      break;
    }
  }
  std::string_view text = raw.substr(0, hash);
  const bool secret_line = text.find("-user") != std::string_view::npos;
  for (char c : text) {
    if (c == ' ' || c == '\t' || IsValueChar(c)) continue;
    // A CHAP line carries a secret: never show a character of it.
    if (secret_line) {
      return Error("a character outside letters, digits and " + std::string(kValuePunctuation) +
                   " (not shown: it may belong to a secret)");
    }
    return Error("character '" + Printable(std::string_view(&c, 1)) +
                 "' is not allowed: values use letters, digits and " +
                 std::string(kValuePunctuation) +
                 " only (no quoting, expansion or comments "
                 "inside a value)");
  }
  std::vector<std::string> w = SplitList(text, " \t");
  if (w.empty()) return Status::Ok();
  for (char c : w[0]) {
    if (static_cast<unsigned char>(c) >= 0x80) return Error("non-ASCII keyword");
  }
  if (w[0] == "target") return OpenTarget(w);
  return current_ ? InTarget(w[0], w) : Global(w[0], w);
}

Status Parser::Global(const std::string& key, const std::vector<std::string>& w) {
  if (key == "iqn-prefix") {
    if (w.size() != 2) return Error("iqn-prefix: expected one IQN");
    Result<std::string> name = CanonicalIscsiName(w[1]);
    if (!name.ok() || name->substr(0, 4) != "iqn.") {
      return Error("iqn-prefix: " + (name.ok() ? "must be an IQN" : name.status().message()));
    }
    prefix_ = *name;
    return Status::Ok();
  }
  if (key == "incoming-user") {
    SAN_ASSIGN_OR_RETURN(Account a, ParseAccount(w));
    for (const auto& other : cfg_.discovery_incoming) {
      if (other.user == a.user) return Error("incoming-user '" + a.user + "' listed twice");
    }
    cfg_.discovery_incoming.push_back(std::move(a));
    return Status::Ok();
  }
  if (key == "outgoing-user") {
    if (cfg_.discovery_outgoing) return Error("a second outgoing-user (at most one)");
    SAN_ASSIGN_OR_RETURN(Account a, ParseAccount(w));
    cfg_.discovery_outgoing = std::move(a);
    return Status::Ok();
  }
  if (key == "option") {
    if (w.size() != 3) return Error("option: expected NAME VALUE");
    if (Status s = CheckOptionName(w[1]); !s.ok()) return Error(s.message());
    if (Status s = CheckOptionValue(w[1], w[2]); !s.ok()) return Error(s.message());
    if (!global_options_.emplace(w[1], w[2]).second) return Error("option " + w[1] + " set twice");
    return Status::Ok();
  }
  if (key == "no-targets") {
    if (w.size() != 2 || w[1] != "yes") return Error("no-targets: expected 'no-targets yes'");
    if (no_targets_line_) return Error("no-targets given twice");
    no_targets_line_ = line_;
    return Status::Ok();
  }
  if (key == "lun-defaults") {
    if (w.size() < 2) return Error("lun-defaults: expected KEY=VALUE ...");
    for (size_t i = 1; i < w.size(); ++i) SAN_RETURN_IF_ERROR(DefaultsOption(w[i]));
    return Status::Ok();
  }
  if (key == "lun" || key == "tid" || key == "allow-address" || key == "allow-initiator") {
    return Error(key + " before any target line");
  }
  return Error("unknown keyword '" + Printable(key) + "'");
}

Status Parser::DefaultsOption(const std::string& word) {
  LunSpec probe;
  probe.mode = defaults_.mode;
  bool idsn = false, idorsn = false;
  size_t eq = word.find('=');
  std::string key = word.substr(0, eq);
  if (key != "mode" && key != "vendor" && key != "product" && key != "readonly") {
    return Error("lun-defaults: '" + Printable(key) + "' cannot have a default");
  }
  if (Status s = LunOption(probe, word, &idsn, &idorsn); !s.ok()) {
    return Error("lun-defaults: " + s.message());
  }
  if (key == "mode") defaults_.mode = probe.mode;
  if (key == "vendor") defaults_.vendor = probe.vendor;
  if (key == "product") defaults_.product = probe.product;
  if (key == "readonly") defaults_.readonly = probe.readonly;
  return Status::Ok();
}

Status Parser::OpenTarget(const std::vector<std::string>& w) {
  if (w.size() != 2) return Error("target: expected one name (IQN, EUI or short name)");
  std::string name;
  if (w[1].substr(0, 4) == "iqn." || w[1].substr(0, 4) == "eui." || w[1].substr(0, 4) == "EUI.") {
    Result<std::string> n = CanonicalIscsiName(w[1]);
    if (!n.ok()) return Error("target: " + n.status().message());
    name = *n;
  } else if (IsShortTargetName(w[1])) {
    if (prefix_.empty()) {
      return Error("target '" + w[1] + "' is a short name but no iqn-prefix was given before it");
    }
    Result<std::string> n = CanonicalIscsiName(prefix_ + ":" + w[1]);
    if (!n.ok()) return Error("target: " + n.status().message());
    name = *n;
  } else {
    return Error("target: '" + Printable(w[1]) +
                 "' is neither an IQN/EUI nor a short name of [a-z0-9.-]");
  }
  SAN_RETURN_IF_ERROR(Unique(names_, name, "target name", "a target"));
  cfg_.targets.emplace_back();
  current_ = &cfg_.targets.back();
  current_->name = name;
  current_->line = line_;
  return Status::Ok();
}

Status Parser::InTarget(const std::string& key, const std::vector<std::string>& w) {
  TargetSpec& t = *current_;
  if (key == "tid") {
    if (w.size() != 2) return Error("tid: expected one number");
    Result<int64_t> n = ParseInt64(w[1]);
    if (!n.ok() || *n < 1 || *n > 2147483647) {
      return Error("tid: '" + Printable(w[1]) + "' is not a number in 1..2147483647");
    }
    if (t.tid) return Error("tid given twice");
    t.tid = static_cast<int>(*n);
    // The number, not its spelling: "7" and "07" are the same tid.
    return Unique(tids_, std::to_string(*t.tid), "tid", t.name);
  }
  if (key == "allow-address" || key == "allow-initiator") {
    if (w.size() < 2) return Error(key + ": expected a list");
    std::vector<std::string> items;
    for (size_t i = 1; i < w.size(); ++i) {
      for (auto& item : SplitList(w[i], ",")) items.push_back(item);
    }
    for (const auto& item : items) {
      std::string canonical;
      if (key == "allow-address") {
        if (item == "ALL" || item == "all") {
          canonical = "ALL";
        } else {
          Result<net::Network> n = net::ParseNetwork(item);
          if (!n.ok()) return Error("allow-address: " + n.status().message());
          canonical = n->IsHost() ? n->ToShortString() : n->ToString();
        }
      } else {
        Result<std::string> n = CanonicalIscsiName(item);
        if (!n.ok()) return Error("allow-initiator: " + n.status().message());
        canonical = *n;
      }
      auto& list = key == "allow-address" ? t.allow_addresses : t.allow_initiators;
      if (std::find(list.begin(), list.end(), canonical) != list.end()) {
        return Error(key + ": '" + canonical + "' listed twice");
      }
      list.push_back(canonical);
    }
    return Status::Ok();
  }
  if (key == "incoming-user") {
    SAN_ASSIGN_OR_RETURN(Account a, ParseAccount(w));
    for (const auto& other : t.incoming) {
      if (other.user == a.user) return Error("incoming-user '" + a.user + "' listed twice");
    }
    t.incoming.push_back(std::move(a));
    return Status::Ok();
  }
  if (key == "outgoing-user") {
    if (t.outgoing) return Error("a second outgoing-user for this target (at most one)");
    SAN_ASSIGN_OR_RETURN(Account a, ParseAccount(w));
    t.outgoing = std::move(a);
    return Status::Ok();
  }
  if (key == "option") {
    if (w.size() != 3) return Error("option: expected NAME VALUE");
    if (Status s = CheckOptionName(w[1]); !s.ok()) return Error(s.message());
    if (Status s = CheckOptionValue(w[1], w[2]); !s.ok()) return Error(s.message());
    if (!own_options_[t.name].emplace(w[1], w[2]).second) {
      return Error("option " + w[1] + " set twice for this target");
    }
    return Status::Ok();
  }
  if (key == "lun") return Lun(w);
  if (key == "iqn-prefix" || key == "lun-defaults" || key == "no-targets") {
    return Error(key + " must come before the first target");
  }
  return Error("unknown keyword '" + Printable(key) + "'");
}

Status Parser::LunOption(LunSpec& lun, const std::string& word, bool* idsn, bool* idorsn) {
  size_t eq = word.find('=');
  std::string key = word.substr(0, eq);
  std::string value = eq == std::string::npos ? std::string() : word.substr(eq + 1);
  const bool has_value = eq != std::string::npos;
  if (key == "readonly") {
    if (!has_value) {
      lun.readonly = true;
      return Status::Ok();
    }
    Result<bool> b = ParseBool(value);
    if (!b.ok()) return Status::InvalidConfig("readonly: '" + Printable(value) + "' is not yes/no");
    lun.readonly = *b;
    return Status::Ok();
  }
  if (!has_value)
    return Status::InvalidConfig("'" + Printable(word) + "': expected KEY=VALUE or readonly");
  if (key == "mode") {
    if (value == "fileio") {
      lun.mode = IoMode::kFileio;
    } else if (value == "blockio") {
      lun.mode = IoMode::kBlockio;
    } else {
      return Status::InvalidConfig("mode: '" + Printable(value) +
                                   "' is neither fileio nor blockio");
    }
    return Status::Ok();
  }
  auto identity = [&](const char* what, std::string* out, size_t max) -> Status {
    SAN_RETURN_IF_ERROR(CheckIdentity(what, value, max));
    *out = value;
    return Status::Ok();
  };
  if (key == "scsi_idsn") {
    if (*idorsn)
      return Status::InvalidConfig("scsi_idsn cannot be combined with scsi_id or scsi_sn");
    *idsn = true;
    SAN_RETURN_IF_ERROR(identity("scsi_idsn", &lun.scsi_id, kMaxScsiIdLength));
    lun.scsi_sn = lun.scsi_id;
    return Status::Ok();
  }
  if (key == "scsi_id" || key == "scsi_sn") {
    if (*idsn) return Status::InvalidConfig("scsi_idsn cannot be combined with scsi_id or scsi_sn");
    *idorsn = true;
    return identity(key == "scsi_id" ? "scsi_id" : "scsi_sn",
                    key == "scsi_id" ? &lun.scsi_id : &lun.scsi_sn, kMaxScsiIdLength);
  }
  if (key == "vendor") return identity("vendor", &lun.vendor, kMaxVendorLength);
  if (key == "product") return identity("product", &lun.product, kMaxProductLength);
  return Status::InvalidConfig("unknown LUN option '" + Printable(key) + "'");
}

Status Parser::Lun(const std::vector<std::string>& w) {
  if (w.size() < 3) return Error("lun: expected NUMBER PATH [OPTIONS]");
  Result<int64_t> n = ParseInt64(w[1]);
  if (!n.ok() || *n < 0 || *n > 16383) {
    return Error("lun: '" + Printable(w[1]) + "' is not a LUN number (0..16383)");
  }
  LunSpec lun;
  lun.number = static_cast<int>(*n);
  lun.line = line_;
  lun.mode = defaults_.mode;
  lun.vendor = defaults_.vendor;
  lun.product = defaults_.product;
  lun.readonly = defaults_.readonly;
  const std::string& path = w[2];
  if (path.empty() || path[0] != '/') return Error("lun " + w[1] + ": path must be absolute");
  if (path.find("/../") != std::string::npos || path.ends_with("/..") ||
      path.find("/./") != std::string::npos || path.find("//") != std::string::npos) {
    return Error("lun " + w[1] + ": path '" + Printable(path) + "' is not normalized");
  }
  for (char c : path) {
    if (c == ',' || c == '=') {
      return Error("lun " + w[1] + ": path '" + Printable(path) +
                   "' contains ',' or '=' (tgtadm's parameter separators)");
    }
  }
  lun.path = path;
  bool idsn = false, idorsn = false;
  for (size_t i = 3; i < w.size(); ++i) {
    if (Status s = LunOption(lun, w[i], &idsn, &idorsn); !s.ok()) {
      return s.message().starts_with(cfg_.path + ":") ? s
                                                      : Error("lun " + w[1] + ": " + s.message());
    }
  }
  TargetSpec& t = *current_;
  for (const auto& other : t.luns) {
    if (other.number == lun.number) {
      return Error("lun " + w[1] + " already defined for this target (line " +
                   std::to_string(other.line) + ")");
    }
  }
  const std::string where = t.name + " lun " + w[1];
  SAN_RETURN_IF_ERROR(Unique(paths_, path, "backing path", where));
  if (!lun.scsi_id.empty()) SAN_RETURN_IF_ERROR(Unique(ids_, lun.scsi_id, "scsi_id", where));
  if (!lun.scsi_sn.empty()) SAN_RETURN_IF_ERROR(Unique(sns_, lun.scsi_sn, "scsi_sn", where));
  t.luns.push_back(std::move(lun));
  return Status::Ok();
}

Result<TargetConfig> Parser::Finish() {
  // An empty or truncated file would otherwise make apply remove every target.
  if (cfg_.targets.empty() && !no_targets_line_) {
    return Status::InvalidConfig(cfg_.path +
                                 ": no target defined; if the daemon is really meant to "
                                 "serve nothing, say so with a line 'no-targets yes'");
  }
  if (!cfg_.targets.empty() && no_targets_line_) {
    return Status::InvalidConfig(cfg_.path + ":" + std::to_string(no_targets_line_) +
                                 ": 'no-targets yes' but the file defines " +
                                 std::to_string(cfg_.targets.size()) + " target(s)");
  }
  for (auto& t : cfg_.targets) {
    t.options = global_options_;
    for (const auto& [k, v] : own_options_[t.name]) t.options[k] = v;
    std::sort(t.luns.begin(), t.luns.end(),
              [](const LunSpec& a, const LunSpec& b) { return a.number < b.number; });
  }
  return std::move(cfg_);
}

}  // namespace

Result<TargetConfig> ParseTargetFile(std::string_view text, const std::string& path) {
  Parser parser(path);
  int number = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    ++number;
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    SAN_RETURN_IF_ERROR(parser.Line(number, line));
    pos = end + 1;
  }
  return parser.Finish();
}

Result<TargetConfig> LoadTargetFile(Host& host, const std::string& path) {
  Result<std::string> text = host.ReadRegularFile(path, kMaxTargetFileBytes);
  if (!text.ok()) {
    // Missing (or a directory where the file should be): this node is not set up, which
    // resource agents report as "not installed".
    if (text.status().code() == Code::kNotFound) {
      return Status::NotInstalled("target file " + path + ": " + text.status().message());
    }
    return text.status().WithContext("target file " + path);
  }
  return ParseTargetFile(*text, path);
}

Status CheckBackingPaths(Host& host, const TargetConfig& config) {
  // (st_dev, st_ino) of the inode, or st_rdev of a block device → where it was first used.
  std::map<std::pair<uint64_t, uint64_t>, std::string> seen;
  for (const auto& t : config.targets) {
    for (const auto& lun : t.luns) {
      const std::string where =
          config.path + ":" + std::to_string(lun.line) + ": lun " + std::to_string(lun.number);
      Result<FileInfo> info = host.StatFollowingLinks(lun.path);
      if (!info.ok()) {
        if (info.status().code() == Code::kNotFound) {
          return Status::NotFound(where + ": backing path " + lun.path + " does not exist");
        }
        return info.status().WithContext(where);
      }
      if (info->type != FileInfo::Type::kRegular && info->type != FileInfo::Type::kBlockDevice) {
        return Status::InvalidConfig(where + ": backing path " + lun.path +
                                     " is neither a block device nor a regular file");
      }
      // One disk under two names (a symlink, a hard link, /dev/VG/LV and /dev/mapper/VG-LV)
      // would become two LUNs with different serials: the device, not the spelling, decides.
      std::pair<uint64_t, uint64_t> key =
          info->type == FileInfo::Type::kBlockDevice && info->rdev != 0
              ? std::make_pair(uint64_t{0}, info->rdev)
              : std::make_pair(info->device, info->inode);
      if (key == std::make_pair(uint64_t{0}, uint64_t{0})) continue;  // identity unknown
      auto [it, inserted] =
          seen.emplace(key, t.name + " lun " + std::to_string(lun.number) + " (" + lun.path +
                                ", line " + std::to_string(lun.line) + ")");
      if (!inserted) {
        return Status::InvalidConfig(where + ": backing path " + lun.path +
                                     " is the same device as " + it->second);
      }
    }
  }
  return Status::Ok();
}

}  // namespace san::target
