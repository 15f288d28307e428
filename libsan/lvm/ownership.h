// Who owns a volume group in the cluster, and the lvm argv vectors that take, drop and act on
// that ownership. Two methods: an owner tag "<prefix>_<node>" (activation limited to VGs with our
// tag through activation/volume_list), or the VG's LVM system ID (foreign VGs are invisible to
// other hosts). Pure: no Host here.
#pragma once

#include <string>
#include <vector>

#include "libsan/lvm/report.h"
#include "libsan/util/status.h"

namespace san::lvm {

enum class OwnerMethod { kTag, kSystemId };

Result<OwnerMethod> ParseOwnerMethod(const std::string& text);

struct OwnerConfig {
  OwnerMethod method = OwnerMethod::kTag;
  std::string tag_prefix = "pacemaker";  // owner tag = prefix + "_" + node
  std::string node;                      // this node's cluster name
  std::string system_id;                 // this host's LVM system ID (system_id method)
};

// Tag characters LVM accepts: letters, digits, "_+.-/=!:&#", at most 1024 characters.
Status CheckTag(const std::string& tag, const std::string& what);

// This node's owner tag ("pacemaker_node1").
std::string OwnerTag(const OwnerConfig& cfg);

struct Owner {
  enum class Kind { kNobody, kUs, kOther };
  Kind kind = Kind::kNobody;
  // Other owners by node name (tag method: each other owner tag's node; system_id: the ID).
  std::vector<std::string> others;
  // Owner tags of other nodes exactly as found on the VG (tag method).
  std::vector<std::string> other_tags;
};

// Ownership of `vg`. With the tag method, any tag starting with "<prefix>_" is an owner tag;
// other tags (the administrator's) are never owner tags. Our tag together with another node's
// is reported as kOther (two claims: unsafe).
Owner OwnerOf(const VgInfo& vg, const OwnerConfig& cfg);

// Commands that make us the owner of `vg` given its current owner. Another node's claim is
// removed only here, after the caller established that node was fenced. Tag method: --deltag of
// each other owner tag (never an administrator's tag), then --addtag ours. system_id: --systemid
// ours, naming the previous ID in local/extra_system_ids so lvm lets us overwrite it.
std::vector<std::vector<std::string>> TakeOwnershipArgv(const OwnerConfig& cfg,
                                                        const std::string& vg, const Owner& owner);
// Removes our claim: --deltag ours, or clears the system ID (-y: lvm asks otherwise).
std::vector<std::string> DropOwnershipArgv(const OwnerConfig& cfg, const std::string& vg);

// vgchange -aey/-ay, with partial activation mode when allowed and, with tags, a volume_list
// that admits only VGs carrying our tag (so a lost tag means no activation at all).
std::vector<std::string> ActivateArgv(const OwnerConfig& cfg, const std::string& vg, bool exclusive,
                                      bool partial, bool owned);
std::vector<std::string> DeactivateArgv(const std::string& vg);

}  // namespace san::lvm
