// Activation-time projection. A line through the measurements: time = base + rate × used GiB.
#include "libsan/lvm/budget.h"

#include <algorithm>
#include <cstdio>

#include "libsan/util/strings.h"

namespace san::lvm {

namespace {

double Gib(uint64_t bytes) { return static_cast<double>(bytes) / static_cast<double>(1u << 30); }

std::string Seconds(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", ms / 1000.0);
  return buf;
}

}  // namespace

BudgetModel Learn(const std::vector<ActivationSample>& samples) {
  BudgetModel m;
  m.ms_per_gib = kFieldNoteMsPerGiB;
  if (samples.empty()) return m;
  bool have_base = false;
  for (const ActivationSample& s : samples) {
    if (s.snapshot_used < kMinRateSample && (!have_base || s.took < m.base)) {
      m.base = s.took;
      have_base = true;
    }
  }
  for (auto it = samples.rbegin(); it != samples.rend(); ++it) {
    if (it->snapshot_used < kMinRateSample) continue;
    if (!have_base) {
      // No snapshot-free activation measured: attribute the field-note share to the snapshot.
      double rest =
          static_cast<double>(it->took.count()) - kFieldNoteMsPerGiB * Gib(it->snapshot_used);
      m.base = milliseconds(static_cast<int64_t>(std::max(0.0, rest)));
      have_base = true;
      break;
    }
    double extra = static_cast<double>((it->took - m.base).count());
    m.ms_per_gib = std::max(0.0, extra) / Gib(it->snapshot_used);
    m.rate_measured = true;
    break;
  }
  return m;
}

milliseconds Project(const BudgetModel& model, uint64_t snapshot_used) {
  return model.base + milliseconds(static_cast<int64_t>(model.ms_per_gib * Gib(snapshot_used)));
}

std::string FormatSamples(const std::vector<ActivationSample>& samples) {
  std::string out;
  size_t first = samples.size() > kMaxSamples ? samples.size() - kMaxSamples : 0;
  for (size_t i = first; i < samples.size(); ++i) {
    out += std::to_string(samples[i].took.count()) + " " +
           std::to_string(samples[i].snapshot_used) + "\n";
  }
  return out;
}

std::vector<ActivationSample> ParseSamples(std::string_view text) {
  std::vector<ActivationSample> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    std::vector<std::string> f = SplitList(line, " ");
    if (f.size() != 2) continue;
    Result<int64_t> took = ParseInt64(f[0]);
    Result<int64_t> used = ParseInt64(f[1]);
    if (!took.ok() || !used.ok() || *took < 0 || *used < 0) continue;
    out.push_back({milliseconds(*took), static_cast<uint64_t>(*used)});
  }
  if (out.size() > kMaxSamples) out.erase(out.begin(), out.end() - kMaxSamples);
  return out;
}

std::string DescribeProjection(const BudgetModel& model, uint64_t snapshot_used) {
  char gib[32], rate[32];
  std::snprintf(gib, sizeof gib, "%.1f GiB", Gib(snapshot_used));
  std::snprintf(rate, sizeof rate, "%.2f s/GiB", model.ms_per_gib / 1000.0);
  return "projected activation " +
         Seconds(static_cast<double>(Project(model, snapshot_used).count())) + " (base " +
         Seconds(static_cast<double>(model.base.count())) + " + " + gib + " snapshot data at " +
         rate + (model.rate_measured ? ", measured" : ", field-note rate") + ")";
}

}  // namespace san::lvm
