// Records and journal files: one item per line, blank-separated fields. Every value written here
// passed the target file's character checks, so blanks never occur inside a field.
#include "libsan/target/records.h"

#include <climits>
#include <cstdio>
#include <cstdlib>

#include "libsan/util/strings.h"

namespace san::target {

namespace {

Status BadLine(int n, std::string_view what) {
  return Status::Corruption("state line " + std::to_string(n) + ": " + std::string(what));
}

// "key=value" → value when `word` starts with "key=".
bool Take(const std::string& word, std::string_view key, std::string* value) {
  if (word.size() < key.size() + 1 || word.compare(0, key.size(), key) != 0 ||
      word[key.size()] != '=') {
    return false;
  }
  *value = word.substr(key.size() + 1);
  return true;
}

std::string Field(std::string_view key, const std::string& value) {
  return " " + std::string(key) + "=" + value;
}

}  // namespace

uint64_t SecretFingerprint(const std::string& user, const std::string& secret) {
  // FNV-1a over a domain-separated message, then a mixing finalizer.
  std::string text = "sanha-chap\n" + user + "\n" + secret;
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

Result<Records> Records::Parse(std::string_view text) {
  Records r;
  int n = 0;
  for (const std::string& line : SplitList(text, "\n")) {
    ++n;
    std::vector<std::string> w = SplitList(line, " ");
    if (w.empty()) continue;
    if (w[0] == "lun" && w.size() >= 6) {
      Result<int64_t> tid = ParseInt64(w[1]);
      Result<int64_t> num = ParseInt64(w[3]);
      Result<int64_t> size = ParseInt64(w[4]);
      // Negative or out-of-int-range numbers would wrap on the casts below.
      if (!tid.ok() || !num.ok() || !size.ok() || *tid < 0 || *tid > INT_MAX || *num < 0 ||
          *num > INT_MAX || *size < 0) {
        return BadLine(n, "bad numbers");
      }
      LunRecord rec;
      rec.tid = static_cast<int>(*tid);
      rec.lun.number = static_cast<int>(*num);
      rec.size = static_cast<uint64_t>(*size);
      rec.lun.path = w[5];
      for (size_t i = 6; i < w.size(); ++i) {
        std::string v;
        if (Take(w[i], "mode", &v)) {
          rec.lun.mode = v == "blockio" ? IoMode::kBlockio : IoMode::kFileio;
        } else if (Take(w[i], "id", &v)) {
          rec.lun.scsi_id = v;
        } else if (Take(w[i], "sn", &v)) {
          rec.lun.scsi_sn = v;
        } else if (Take(w[i], "vendor", &v)) {
          rec.lun.vendor = v;
        } else if (Take(w[i], "product", &v)) {
          rec.lun.product = v;
        } else if (Take(w[i], "ro", &v)) {
          rec.lun.readonly = v == "1";
        } else {
          return BadLine(n, "unknown lun field");
        }
      }
      r.luns[{w[2], rec.lun.number}] = rec;
    } else if (w[0] == "target" && w.size() >= 3) {
      Result<int64_t> tid = ParseInt64(w[1]);
      if (!tid.ok() || *tid < 0 || *tid > INT_MAX) return BadLine(n, "bad tid");
      TargetRecord& t = r.targets[w[2]];
      t.tid = static_cast<int>(*tid);
      for (size_t i = 3; i < w.size(); ++i) {
        size_t eq = w[i].find('=');
        if (eq == std::string::npos) return BadLine(n, "bad option");
        t.options[w[i].substr(0, eq)] = w[i].substr(eq + 1);
      }
    } else if (w[0] == "account" && w.size() == 3) {
      r.accounts[w[1]] = std::strtoull(w[2].c_str(), nullptr, 16);
    } else {
      return BadLine(n, "unknown record");
    }
  }
  return r;
}

std::string Records::Serialize() const {
  std::string out;
  for (const auto& [name, t] : targets) {
    out += "target " + std::to_string(t.tid) + " " + name;
    for (const auto& [k, v] : t.options) out += " " + k + "=" + v;
    out += "\n";
  }
  for (const auto& [key, rec] : luns) {
    out += "lun " + std::to_string(rec.tid) + " " + key.first + " " +
           std::to_string(rec.lun.number) + " " + std::to_string(rec.size) + " " + rec.lun.path +
           Field("mode", IoModeName(rec.lun.mode)) + Field("id", rec.lun.scsi_id) +
           Field("sn", rec.lun.scsi_sn) + Field("vendor", rec.lun.vendor) +
           Field("product", rec.lun.product) + Field("ro", rec.lun.readonly ? "1" : "0") + "\n";
  }
  for (const auto& [user, fp] : accounts) {
    char hex[20];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fp));
    out += "account " + user + " " + hex + "\n";
  }
  return out;
}

void Records::ForgetTarget(const std::string& name) {
  targets.erase(name);
  for (auto it = luns.begin(); it != luns.end();) {
    it = it->first.first == name ? luns.erase(it) : std::next(it);
  }
}

Result<std::vector<HoldRecord>> ParseJournal(std::string_view text) {
  std::vector<HoldRecord> holds;
  int n = 0;
  for (const std::string& line : SplitList(text, "\n")) {
    ++n;
    std::vector<std::string> w = SplitList(line, " ");
    if (w.empty()) continue;
    if (w[0] != "hold" || w.size() < 3) return BadLine(n, "unknown journal entry");
    HoldRecord h;
    Result<int64_t> tid = ParseInt64(w[1]);
    if (!tid.ok() || *tid < 0 || *tid > INT_MAX) return BadLine(n, "bad tid");
    h.tid = static_cast<int>(*tid);
    h.target = w[2];
    for (size_t i = 3; i < w.size(); ++i) {
      std::string v;
      if (Take(w[i], "src", &v)) {
        h.sources = SplitList(v, ",");
      } else if (Take(w[i], "fw", &v)) {
        h.firewall = v;
      } else if (Take(w[i], "chain", &v)) {
        h.chain = v;
      } else if (Take(w[i], "ports", &v)) {
        h.ports = v;
      } else if (Take(w[i], "dst", &v)) {
        h.destinations = v;
      } else {
        return BadLine(n, "unknown hold field");
      }
    }
    holds.push_back(std::move(h));
  }
  return holds;
}

std::string SerializeJournal(const std::vector<HoldRecord>& holds) {
  std::string out;
  for (const auto& h : holds) {
    out += "hold " + std::to_string(h.tid) + " " + h.target + Field("src", Join(h.sources, ",")) +
           Field("fw", h.firewall) + Field("chain", h.chain) + Field("ports", h.ports) +
           Field("dst", h.destinations) + "\n";
  }
  return out;
}

}  // namespace san::target
