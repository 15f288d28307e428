// Reading a VG through lvm's JSON reports. lvm exits 5 with "Volume group "x" not found" (or
// "Failed to find logical volume") for absent objects; that becomes NotFound, anything else
// CommandFailed, so the agent can tell "gone" from "lvm broke".
#include "libsan/lvm/vg_state.h"

#include "libsan/util/strings.h"

namespace san::lvm {

namespace {

bool SaysNotFound(const Output& out) {
  return out.err.find("not found") != std::string::npos ||
         out.err.find("Failed to find") != std::string::npos;
}

Result<Output> RunReport(Host& host, std::vector<std::string> argv) {
  Command cmd;
  cmd.argv = std::move(argv);
  SAN_ASSIGN_OR_RETURN(Output out, host.Run(cmd));
  if (out.exit_code != 0) {
    std::string message = "lvm " + cmd.argv[1] + " exited " + std::to_string(out.exit_code) + ": " +
                          out.FirstErrorLine();
    if (!SaysNotFound(out)) return Status::CommandFailed(message);
    // The line that says what is missing (warnings may come first).
    for (const std::string& line : SplitList(out.err, "\n")) {
      if (line.find("not found") != std::string::npos ||
          line.find("Failed to find") != std::string::npos) {
        return Status::NotFound("lvm " + cmd.argv[1] + ": " + line);
      }
    }
    return Status::NotFound(message);
  }
  return out;
}

Status CheckName(const std::string& name, const std::string& what) {
  if (name.empty()) return Status::InvalidConfig(what + ": empty name");
  if (name.size() > 127) return Status::InvalidConfig(what + ": longer than 127 characters");
  if (name == "." || name == ".." || name[0] == '-') {
    return Status::InvalidConfig(what + ": '" + Printable(name) + "' is not a valid LVM name");
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '_' || c == '.' || c == '-';
    if (!ok) {
      return Status::InvalidConfig(what + ": '" + Printable(name) +
                                   "' holds characters LVM does not allow in names");
    }
  }
  return Status::Ok();
}

std::vector<std::string> ReportArgv(const char* command, const char* fields) {
  return {"lvm",     command, "--reportformat", "json", "--foreign",
          "--units", "b",     "--nosuffix",     "-o",   fields};
}

}  // namespace

std::vector<const LvInfo*> VgState::RequiredLvs() const {
  std::vector<const LvInfo*> out;
  for (const LvInfo& lv : lvs) {
    if (lv.IsPublic() && !lv.SkipsActivation()) out.push_back(&lv);
  }
  return out;
}

std::vector<std::string> VgState::InactiveRequired() const {
  std::vector<std::string> out;
  for (const LvInfo* lv : RequiredLvs()) {
    if (!lv->IsActive()) out.push_back(lv->FullName());
  }
  return out;
}

std::vector<std::string> VgState::NotInactive() const {
  std::vector<std::string> out;
  for (const LvInfo& lv : lvs) {
    if (lv.Activity() != LvActivity::kInactive) out.push_back(lv.FullName());
  }
  return out;
}

uint64_t VgState::SnapshotUsedBytes() const {
  uint64_t total = 0;
  for (const LvInfo& lv : lvs) total += lv.SnapshotUsedBytes();
  return total;
}

std::string VgState::DescribeMissingPvs() const {
  if (missing_pvs.empty()) return std::to_string(vg.missing_pv_count) + " missing PV(s)";
  std::vector<std::string> parts;
  for (const PvInfo& pv : missing_pvs) parts.push_back("PV " + pv.uuid);
  return "missing " + Join(parts, ", ");
}

Status CheckVgName(const std::string& name, const std::string& what) {
  return CheckName(name, what);
}

Status CheckLvName(const std::string& name, const std::string& what) {
  SAN_RETURN_IF_ERROR(CheckName(name, what));
  // lvm reserves these for internal sub-LVs.
  for (const char* reserved : {"_cdata", "_cmeta", "_corig", "_mlog", "_mimage", "_pmspare",
                               "_rimage", "_rmeta", "_tdata", "_tmeta", "_vorigin", "_vdata"}) {
    if (name.find(reserved) != std::string::npos) {
      return Status::InvalidConfig(what + ": '" + Printable(name) + "' contains the reserved '" +
                                   reserved + "'");
    }
  }
  if (name == "snapshot" || name == "pvmove") {
    return Status::InvalidConfig(what + ": '" + name + "' is reserved by LVM");
  }
  return Status::Ok();
}

Result<std::pair<std::string, std::string>> SplitLvPath(const std::string& text) {
  std::string rest = text;
  auto bad = [&text]() {
    return Status::InvalidConfig("'" + Printable(text) +
                                 "' is not a logical volume (use VG/LV or /dev/VG/LV)");
  };
  if (rest.rfind("/dev/mapper/", 0) == 0) {
    // dm names double every '-' inside a VG or LV name; the single '-' separates them.
    std::string dm = rest.substr(12), vg, lv;
    size_t i = 0;
    for (; i < dm.size(); ++i) {
      if (dm[i] == '-' && i + 1 < dm.size() && dm[i + 1] == '-') {
        vg += '-';
        ++i;
      } else if (dm[i] == '-') {
        break;
      } else {
        vg += dm[i];
      }
    }
    if (i >= dm.size()) return bad();
    for (size_t j = i + 1; j < dm.size(); ++j) {
      if (dm[j] == '-' && j + 1 < dm.size() && dm[j + 1] == '-') ++j;
      lv += dm[j];
    }
    rest = vg + "/" + lv;
  } else if (rest.rfind("/dev/", 0) == 0) {
    rest = rest.substr(5);
  }
  size_t slash = rest.find('/');
  if (slash == std::string::npos || rest.find('/', slash + 1) != std::string::npos) return bad();
  std::pair<std::string, std::string> out{rest.substr(0, slash), rest.substr(slash + 1)};
  SAN_RETURN_IF_ERROR(CheckVgName(out.first, "volume group"));
  SAN_RETURN_IF_ERROR(CheckLvName(out.second, "logical volume"));
  return out;
}

std::vector<std::string> VgsArgv(const std::string& vg) {
  std::vector<std::string> argv = ReportArgv("vgs", kVgFields);
  argv.push_back(vg);
  return argv;
}

std::vector<std::string> LvsArgv(const std::string& vg_or_lv) {
  std::vector<std::string> argv = ReportArgv("lvs", kLvFields);
  argv.push_back("-a");  // internal LVs too: an active COW store is an active device
  argv.push_back(vg_or_lv);
  return argv;
}

std::vector<std::string> PvsArgv(const std::string& vg) {
  std::vector<std::string> argv = ReportArgv("pvs", kPvFields);
  argv.push_back("--select");
  argv.push_back("vg_name=" + vg);
  return argv;
}

Result<VgState> ReadVg(Host& host, const std::string& vg) {
  SAN_RETURN_IF_ERROR(CheckVgName(vg));
  VgState state;
  SAN_ASSIGN_OR_RETURN(Output vgs, RunReport(host, VgsArgv(vg)));
  SAN_ASSIGN_OR_RETURN(std::vector<VgInfo> vgs_rows, ParseVgs(vgs.out));
  if (vgs_rows.empty()) return Status::NotFound("volume group " + vg + " not found");
  if (vgs_rows.size() != 1 || vgs_rows[0].name != vg) {
    return Status::Corruption("vgs " + vg + " reported another VG");
  }
  state.vg = vgs_rows[0];
  SAN_ASSIGN_OR_RETURN(Output lvs, RunReport(host, LvsArgv(vg)));
  SAN_ASSIGN_OR_RETURN(state.lvs, ParseLvs(lvs.out));
  if (state.vg.missing_pv_count > 0) {
    SAN_ASSIGN_OR_RETURN(Output pvs, RunReport(host, PvsArgv(vg)));
    SAN_ASSIGN_OR_RETURN(std::vector<PvInfo> pv_rows, ParsePvs(pvs.out));
    for (PvInfo& pv : pv_rows) {
      if (pv.missing) state.missing_pvs.push_back(std::move(pv));
    }
  }
  return state;
}

Result<LvInfo> ReadLv(Host& host, const std::string& vg, const std::string& lv) {
  SAN_RETURN_IF_ERROR(CheckVgName(vg, "volume group"));
  SAN_RETURN_IF_ERROR(CheckLvName(lv, "logical volume"));
  // The whole VG's report (the same command as ReadVg), so the LV is judged with its relatives.
  SAN_ASSIGN_OR_RETURN(Output out, RunReport(host, LvsArgv(vg)));
  SAN_ASSIGN_OR_RETURN(std::vector<LvInfo> rows, ParseLvs(out.out));
  for (LvInfo& row : rows) {
    if (row.name == lv) return std::move(row);
  }
  return Status::NotFound(vg + "/" + lv + " not found");
}

}  // namespace san::lvm
