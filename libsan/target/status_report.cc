// Status rendering. Sizes: the size sanha recorded when it presented the LUN (exact bytes) when
// that record still matches what tgt reports, else unknown; plus the backing device's size now.
#include "libsan/target/status_report.h"

#include <cstdio>
#include <optional>

#include "libsan/util/strings.h"

namespace san::target {

namespace {

std::string Json(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string JsonList(const std::vector<std::string>& items) {
  std::vector<std::string> q;
  for (const auto& i : items) q.push_back(Json(i));
  return "[" + Join(q, ",") + "]";
}

std::string JsonNumber(std::optional<uint64_t> v) { return v ? std::to_string(*v) : "null"; }

struct LunView {
  const RunningLun* lun;
  const LunSpec* wanted;  // null when not in the file
  std::optional<uint64_t> presented;
  std::optional<uint64_t> backing;
  std::string vendor, product;
};

LunView View(const RunningTarget& t, const RunningLun& l, const TargetConfig& cfg,
             const Inspection& ins) {
  LunView v{&l, nullptr, std::nullopt, std::nullopt, "", ""};
  if (const TargetSpec* ts = cfg.Find(t.name)) {
    for (const auto& w : ts->luns) {
      if (w.number == l.number) v.wanted = &w;
    }
  }
  auto rec = ins.records.luns.find({t.name, l.number});
  if (rec != ins.records.luns.end() && rec->second.tid == t.tid && rec->second.lun.path == l.path) {
    v.presented = rec->second.size;
    v.vendor = rec->second.lun.vendor;
    v.product = rec->second.lun.product;
  }
  if (auto s = ins.sizes.find(l.path); s != ins.sizes.end()) v.backing = s->second;
  return v;
}

std::vector<std::string> Addresses(const RunningTarget& t, bool names) {
  std::vector<std::string> out;
  for (const auto& a : t.acl) {
    const bool is_name = a.starts_with("iqn.") || a.starts_with("eui.");
    if (is_name == names) out.push_back(a);
  }
  return out;
}

}  // namespace

std::string StatusText(const TargetConfig& config, const Inspection& ins,
                       std::string_view backend) {
  std::string out = "backend " + std::string(backend) + ", " +
                    std::to_string(ins.actual.targets.size()) + " target(s) running\n";
  for (const auto& t : ins.actual.targets) {
    out += "target " + std::to_string(t.tid) + " " + t.name +
           (config.Find(t.name) ? "" : "  [not in the file]") + "\n";
    std::vector<std::string> acl = t.acl;
    out +=
        "  acl: " + (acl.empty() ? std::string("(none: no initiator admitted)") : Join(acl, ", ")) +
        "\n";
    if (!t.incoming_users.empty() || t.outgoing_user) {
      out += "  chap: " + Join(t.incoming_users, ", ") +
             (t.outgoing_user ? " outgoing " + *t.outgoing_user : "") + "\n";
    }
    for (const auto& s : t.sessions) {
      std::vector<std::string> addrs;
      for (const auto& c : s.connections) addrs.push_back(c.second);
      out += "  session " + std::to_string(s.id) + ": " + s.initiator + " from " +
             Join(addrs, ",") + "\n";
    }
    for (const auto& l : t.luns) {
      if (l.controller) continue;
      LunView v = View(t, l, config, ins);
      out +=
          "  lun " + std::to_string(l.number) + " " + l.path + " " +
          (l.mode ? IoModeName(*l.mode) : l.backing_type.c_str()) + (l.readonly ? " ro" : " rw") +
          "  vpd83=" + l.scsi_id + " vpd80=" + l.scsi_sn +
          "  size=" + (v.presented ? HumanSize(*v.presented) : std::to_string(l.size_mb) + " MB") +
          (v.backing && v.presented && *v.backing != *v.presented
               ? " (backing now " + HumanSize(*v.backing) + ")"
               : "") +
          (v.wanted ? "" : "  [not in the file]") + "\n";
    }
  }
  std::vector<Step> diffs = Differences(ins.plan);
  if (diffs.empty() && ins.pending_holds.empty()) {
    out += "in sync with " + config.path + "\n";
  } else {
    for (const auto& h : ins.pending_holds) {
      out += "held by an interrupted run: " + Join(h.sources, ",") + " on " + h.target + "\n";
    }
    for (const auto& d : diffs) out += "drift: " + d.Describe() + "\n";
  }
  // Text an initiator forged into tgtd's listing: shown (made printable), never believed.
  for (const auto& a : ins.actual.anomalies) out += "anomaly: " + Printable(a, 200) + "\n";
  return out;
}

std::string StatusJson(const TargetConfig& config, const Inspection& ins,
                       std::string_view backend) {
  std::vector<Step> diffs = Differences(ins.plan);
  std::vector<std::string> drift;
  for (const auto& d : diffs) drift.push_back(d.Describe());
  std::vector<std::string> targets;
  for (const auto& t : ins.actual.targets) {
    std::vector<std::string> sessions, luns;
    for (const auto& s : t.sessions) {
      std::vector<std::string> addrs;
      for (const auto& c : s.connections) addrs.push_back(c.second);
      sessions.push_back("{\"sid\":" + std::to_string(s.id) + ",\"initiator\":" +
                         Json(s.initiator) + ",\"addresses\":" + JsonList(addrs) + "}");
    }
    for (const auto& l : t.luns) {
      if (l.controller) continue;
      LunView v = View(t, l, config, ins);
      luns.push_back("{\"lun\":" + std::to_string(l.number) + ",\"path\":" + Json(l.path) +
                     ",\"mode\":" + Json(l.mode ? IoModeName(*l.mode) : l.backing_type) +
                     ",\"readonly\":" + (l.readonly ? "true" : "false") +
                     ",\"vpd83\":" + Json(l.scsi_id) + ",\"vpd80\":" + Json(l.scsi_sn) +
                     ",\"vendor\":" + (v.presented ? Json(v.vendor) : "null") +
                     ",\"product\":" + (v.presented ? Json(v.product) : "null") +
                     ",\"size_bytes\":" + JsonNumber(v.presented) +
                     ",\"size_mb\":" + std::to_string(l.size_mb) + ",\"backing_size_bytes\":" +
                     JsonNumber(v.backing) + ",\"in_file\":" + (v.wanted ? "true" : "false") + "}");
    }
    targets.push_back("{\"name\":" + Json(t.name) + ",\"tid\":" + std::to_string(t.tid) +
                      ",\"in_file\":" + (config.Find(t.name) ? "true" : "false") +
                      ",\"acl\":{\"addresses\":" + JsonList(Addresses(t, false)) +
                      ",\"initiators\":" + JsonList(Addresses(t, true)) +
                      "},\"incoming_users\":" + JsonList(t.incoming_users) + ",\"outgoing_user\":" +
                      (t.outgoing_user ? Json(*t.outgoing_user) : "null") + ",\"sessions\":[" +
                      Join(sessions, ",") + "],\"luns\":[" + Join(luns, ",") + "]}");
  }
  std::vector<std::string> held;
  for (const auto& h : ins.pending_holds) {
    held.push_back("{\"target\":" + Json(h.target) + ",\"sources\":" + JsonList(h.sources) + "}");
  }
  return "{\"backend\":" + Json(backend) + ",\"daemon\":\"running\",\"in_sync\":" +
         (diffs.empty() && ins.pending_holds.empty() ? "true" : "false") +
         ",\"drift\":" + JsonList(drift) + ",\"held\":[" + Join(held, ",") +
         "],\"anomalies\":" + JsonList(ins.actual.anomalies) + ",\"targets\":[" +
         Join(targets, ",") + "]}\n";
}

}  // namespace san::target
