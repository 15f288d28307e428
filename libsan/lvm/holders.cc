// The holder scan. A process may have opened the LV under any of its names (/dev/dm-N,
// /dev/mapper/VG-LV, /dev/VG/LV); /proc/PID/fd links show the name it used, so all are matched.
#include "libsan/lvm/holders.h"

#include <set>

#include "libsan/util/strings.h"

namespace san::lvm {

namespace {

std::string Basename(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool AllDigits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string FirstLine(std::string s) {
  if (size_t nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
  return s;
}

// Mount points of device `majmin` ("253:3"): field 3 of /proc/self/mountinfo, field 5 the path.
std::vector<std::string> Mounts(Host& host, const HolderRoots& roots, const std::string& majmin) {
  std::vector<std::string> out;
  Result<std::string> info = host.ReadFile(roots.proc + "/self/mountinfo");
  if (!info.ok()) return out;
  size_t pos = 0;
  while (pos < info->size()) {
    size_t nl = info->find('\n', pos);
    std::string line = info->substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? info->size() : nl + 1;
    std::vector<std::string> f = SplitList(line, " ");
    if (f.size() > 4 && f[2] == majmin) out.push_back("mounted on " + f[4]);
  }
  return out;
}

}  // namespace

std::string DmName(const std::string& vg, const std::string& lv) {
  std::string out;
  for (const std::string* part : {&vg, &lv}) {
    if (!out.empty()) out += '-';
    for (char c : *part) {
      out += c;
      if (c == '-') out += '-';
    }
  }
  return out;
}

std::vector<std::string> FindHolders(Host& host, const LvInfo& lv, const HolderRoots& roots) {
  std::vector<std::string> out;
  if (lv.kernel_major < 0 || lv.kernel_minor < 0) return out;
  const std::string majmin =
      std::to_string(lv.kernel_major) + ":" + std::to_string(lv.kernel_minor);
  const std::string sysdev = roots.sys + "/dev/block/" + majmin;
  std::string kname;  // "dm-3"
  if (Result<std::string> link = host.ReadLink(sysdev); link.ok()) kname = Basename(*link);

  // Stacked devices first: they explain an open count without any process.
  if (Result<std::vector<std::string>> holders = host.ListDirectory(sysdev + "/holders");
      holders.ok()) {
    for (const std::string& h : *holders) {
      std::string text = "held by " + h;
      if (Result<std::string> name = host.ReadFile(roots.sys + "/block/" + h + "/dm/name");
          name.ok()) {
        text += " (" + Join(SplitList(*name, " \t\r\n"), " ") + ")";
      }
      out.push_back(text);
    }
  }
  for (std::string& m : Mounts(host, roots, majmin)) out.push_back(std::move(m));

  std::set<std::string> names = {"/dev/mapper/" + DmName(lv.vg, lv.name),
                                 "/dev/" + lv.vg + "/" + lv.name};
  if (!kname.empty()) names.insert("/dev/" + kname);
  Result<std::vector<std::string>> pids = host.ListDirectory(roots.proc);
  if (!pids.ok()) return out;
  for (const std::string& pid : *pids) {
    if (!AllDigits(pid)) continue;
    const std::string fd_dir = roots.proc + "/" + pid + "/fd";
    Result<std::vector<std::string>> fds = host.ListDirectory(fd_dir);
    if (!fds.ok()) continue;  // exited, or not ours to read
    for (const std::string& fd : *fds) {
      Result<std::string> target = host.ReadLink(fd_dir + "/" + fd);
      if (!target.ok() || names.count(*target) == 0) continue;
      std::string comm = "?";
      if (Result<std::string> c = host.ReadFile(roots.proc + "/" + pid + "/comm"); c.ok()) {
        comm = FirstLine(*c);
      }
      out.push_back("pid " + pid + " (" + Printable(comm, 32) + ")");
      break;  // one line per process
    }
  }
  return out;
}

}  // namespace san::lvm
