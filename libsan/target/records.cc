// Records and journal files: one item per line, blank-separated fields. Every value written here
// passed the target file's character checks, so blanks never occur inside a field.
#include "libsan/target/records.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "libsan/util/strings.h"

namespace san::target {

namespace {

Result<uint64_t> ParseHex64(const std::string& s) {
  if (s.empty() || s.size() > 16) return Status::Corruption("bad hex");
  uint64_t v = 0;
  for (char c : s) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return Status::Corruption("bad hex");
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  return v;
}

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

uint64_t SipHash24(std::string_view key, std::string_view m) {
  auto load = [](const unsigned char* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
  };
  auto rotl = [](uint64_t x, int b) { return (x << b) | (x >> (64 - b)); };
  unsigned char k[16] = {};
  for (size_t i = 0; i < 16 && i < key.size(); ++i) k[i] = static_cast<unsigned char>(key[i]);
  const uint64_t k0 = load(k), k1 = load(k + 8);
  uint64_t v0 = 0x736f6d6570736575ull ^ k0, v1 = 0x646f72616e646f6dull ^ k1;
  uint64_t v2 = 0x6c7967656e657261ull ^ k0, v3 = 0x7465646279746573ull ^ k1;
  auto round = [&] {
    v0 += v1, v1 = rotl(v1, 13), v1 ^= v0, v0 = rotl(v0, 32);
    v2 += v3, v3 = rotl(v3, 16), v3 ^= v2;
    v0 += v3, v3 = rotl(v3, 21), v3 ^= v0;
    v2 += v1, v1 = rotl(v1, 17), v1 ^= v2, v2 = rotl(v2, 32);
  };
  const auto* p = reinterpret_cast<const unsigned char*>(m.data());
  const size_t blocks = m.size() / 8;
  for (size_t i = 0; i < blocks; ++i) {
    const uint64_t w = load(p + 8 * i);
    v3 ^= w;
    round();
    round();
    v0 ^= w;
  }
  uint64_t last = static_cast<uint64_t>(m.size() & 0xff) << 56;
  for (size_t i = 0; i < m.size() % 8; ++i)
    last |= static_cast<uint64_t>(p[8 * blocks + i]) << (8 * i);
  v3 ^= last;
  round();
  round();
  v0 ^= last;
  v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) round();
  return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t Records::Fingerprint(const std::string& user, const std::string& secret) const {
  return SipHash24(key, "sanha-chap\n" + user + "\n" + secret);
}

Result<std::string> LoadRecordsKey(Host& host, const std::string& state_dir) {
  const std::string path = state_dir + "/key";
  // The state directory holds the key, records and journal: root only, also when it existed.
  if (Result<FileInfo> d = host.Stat(state_dir);
      d.ok() && d->type == FileInfo::Type::kDirectory && (d->mode & 077) != 0) {
    SAN_RETURN_IF_ERROR(host.SetMode(state_dir, 0700));
  }
  static const char kHex[] = "0123456789abcdef";
  for (int attempt = 0; attempt < 2; ++attempt) {
    Result<std::string> text = host.ReadRegularFile(path, 4096);
    if (text.ok()) {
      std::string hex = *text;
      while (!hex.empty() && hex.back() == '\n') hex.pop_back();
      if (hex.size() != 2 * kRecordsKeyBytes) return Status::Corruption(path + ": not a key");
      std::string key;
      for (size_t i = 0; i < hex.size(); i += 2) {
        const char* hi = std::strchr(kHex, hex[i]);
        const char* lo = std::strchr(kHex, hex[i + 1]);
        if (!hi || !lo || !*hi || !*lo) return Status::Corruption(path + ": not a key");
        key += static_cast<char>(((hi - kHex) << 4) | (lo - kHex));
      }
      if (Result<FileInfo> info = host.Stat(path); info.ok() && (info->mode & 077) != 0) {
        SAN_RETURN_IF_ERROR(host.SetMode(path, 0600));
      }
      return key;
    }
    if (text.status().code() != Code::kNotFound) return text.status();
    SAN_RETURN_IF_ERROR(host.MakeDirectories(state_dir, 0700));
    SAN_ASSIGN_OR_RETURN(std::string raw, host.RandomBytes(kRecordsKeyBytes));
    std::string hex;
    for (unsigned char c : raw) hex += {kHex[c >> 4], kHex[c & 15]};
    Status created = host.CreatePrivateFile(path, hex + "\n");
    if (!created.ok() && created.code() != Code::kBusy) return created;  // Busy: another run won
  }
  return Status::Internal("cannot read or create " + path);
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
      if (!tid.ok() || !num.ok() || !size.ok()) return BadLine(n, "bad numbers");
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
      if (!tid.ok()) return BadLine(n, "bad tid");
      TargetRecord& t = r.targets[w[2]];
      t.tid = static_cast<int>(*tid);
      for (size_t i = 3; i < w.size(); ++i) {
        size_t eq = w[i].find('=');
        if (eq == std::string::npos) return BadLine(n, "bad option");
        t.options[w[i].substr(0, eq)] = w[i].substr(eq + 1);
      }
    } else if (w[0] == "account" && w.size() == 3) {
      std::string mac;
      if (Take(w[2], "mac", &mac)) {
        Result<uint64_t> v = ParseHex64(mac);
        if (!v.ok()) return BadLine(n, "bad account mac");
        r.accounts[w[1]] = *v;
      }  // else: an unkeyed hash of an older version, dropped
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
    out += "account " + user + " mac=" + hex + "\n";
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
    if (!tid.ok()) return BadLine(n, "bad tid");
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
