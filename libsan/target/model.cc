// Small lookups of the target model.
#include "libsan/target/model.h"

namespace san::target {

const char* IoModeName(IoMode mode) { return mode == IoMode::kBlockio ? "blockio" : "fileio"; }

const TargetSpec* TargetConfig::Find(const std::string& name) const {
  for (const auto& t : targets) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

const RunningLun* RunningTarget::FindLun(int number) const {
  for (const auto& l : luns) {
    if (l.number == number) return &l;
  }
  return nullptr;
}

const RunningTarget* RunningState::Find(const std::string& name) const {
  for (const auto& t : targets) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

}  // namespace san::target
