// Ownership by tag or system ID. LVM-activate's tag mode strips *every* tag of the VG (the
// administrator's included) and its `case check_tags in` never matches; here only tags with our
// owner prefix count as claims, and each is removed by name.
#include "libsan/lvm/ownership.h"

#include "libsan/util/strings.h"

namespace san::lvm {

Result<OwnerMethod> ParseOwnerMethod(const std::string& text) {
  if (text == "tag") return OwnerMethod::kTag;
  if (text == "system_id") return OwnerMethod::kSystemId;
  return Status::InvalidConfig("method: '" + Printable(text) +
                               "' is neither 'tag' nor 'system_id'");
}

Status CheckTag(const std::string& tag, const std::string& what) {
  if (tag.empty()) return Status::InvalidConfig(what + ": empty");
  if (tag.size() > 1024) return Status::InvalidConfig(what + ": longer than 1024 characters");
  if (tag[0] == '-') return Status::InvalidConfig(what + ": must not start with '-'");
  for (char c : tag) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("_+.-/=!:&#").find(c) != std::string_view::npos;
    if (!ok) {
      return Status::InvalidConfig(what + ": '" + Printable(tag) +
                                   "' holds characters LVM does not allow in tags");
    }
  }
  return Status::Ok();
}

std::string OwnerTag(const OwnerConfig& cfg) { return cfg.tag_prefix + "_" + cfg.node; }

Owner OwnerOf(const VgInfo& vg, const OwnerConfig& cfg) {
  Owner owner;
  bool ours = false;
  if (cfg.method == OwnerMethod::kTag) {
    const std::string prefix = cfg.tag_prefix + "_";
    const std::string mine = OwnerTag(cfg);
    for (const std::string& tag : vg.tags) {
      if (tag == mine) {
        ours = true;
      } else if (tag.size() > prefix.size() && tag.compare(0, prefix.size(), prefix) == 0) {
        owner.other_tags.push_back(tag);
        owner.others.push_back(tag.substr(prefix.size()));
      }
    }
  } else if (!vg.system_id.empty()) {
    if (vg.system_id == cfg.system_id) {
      ours = true;
    } else {
      owner.others.push_back(vg.system_id);
    }
  }
  if (!owner.others.empty()) {
    owner.kind = Owner::Kind::kOther;
  } else if (ours) {
    owner.kind = Owner::Kind::kUs;
  }
  return owner;
}

std::vector<std::vector<std::string>> TakeOwnershipArgv(const OwnerConfig& cfg,
                                                        const std::string& vg, const Owner& owner) {
  std::vector<std::vector<std::string>> out;
  if (cfg.method == OwnerMethod::kTag) {
    if (!owner.other_tags.empty()) {
      std::vector<std::string> argv = {"lvm", "vgchange"};
      for (const std::string& tag : owner.other_tags) {
        argv.push_back("--deltag");
        argv.push_back(tag);
      }
      argv.push_back(vg);
      out.push_back(std::move(argv));
    }
    if (owner.kind != Owner::Kind::kUs) {
      out.push_back({"lvm", "vgchange", "--addtag", OwnerTag(cfg), vg});
    }
    return out;
  }
  if (owner.kind == Owner::Kind::kUs) return out;
  if (owner.others.empty()) {
    out.push_back({"lvm", "vgchange", "--systemid", cfg.system_id, vg});
  } else {
    out.push_back({"lvm", "vgchange", "-y", "--config",
                   "local/extra_system_ids=[\"" + owner.others[0] + "\"]", "--systemid",
                   cfg.system_id, vg});
  }
  return out;
}

std::vector<std::string> DropOwnershipArgv(const OwnerConfig& cfg, const std::string& vg) {
  if (cfg.method == OwnerMethod::kTag) {
    return {"lvm", "vgchange", "--deltag", OwnerTag(cfg), vg};
  }
  return {"lvm", "vgchange", "-y", "--systemid", "", vg};
}

std::vector<std::string> ActivateArgv(const OwnerConfig& cfg, const std::string& vg, bool exclusive,
                                      bool partial, bool owned) {
  std::vector<std::string> argv = {"lvm", "vgchange", exclusive ? "-aey" : "-ay"};
  argv.push_back("--activationmode");
  argv.push_back(partial ? "partial" : "complete");
  if (owned && cfg.method == OwnerMethod::kTag) {
    argv.push_back("--config");
    argv.push_back("activation/volume_list=[\"@" + OwnerTag(cfg) + "\"]");
  }
  argv.push_back(vg);
  return argv;
}

std::vector<std::string> DeactivateArgv(const std::string& vg) {
  return {"lvm", "vgchange", "-an", vg};
}

}  // namespace san::lvm
