// The failover budget: how long activating a VG will take, projected from measured activations
// and the snapshot COW space in use. Old-style snapshots are read in full at activation (the
// field notes: a VG holding a 250 GB used snapshot took ~6 minutes), while clients survive ~45 s.
// Pure arithmetic; the agent stores the samples.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "libsan/util/status.h"

namespace san::lvm {

using std::chrono::milliseconds;

// One measured activation: how long `vgchange -ay` took, with how many snapshot bytes in use.
struct ActivationSample {
  milliseconds took{0};
  uint64_t snapshot_used = 0;
};

struct BudgetModel {
  milliseconds base{0};        // activation time without snapshot data
  double ms_per_gib = 0;       // extra time per GiB of used snapshot space
  bool rate_measured = false;  // false: the field-note rate (360 s per 250 GB) is assumed
};

// The field notes' rate: ~6 minutes for 250 GB of used snapshot.
inline constexpr double kFieldNoteMsPerGiB = 360'000.0 / (250e9 / (1u << 30));
// Samples with less than this much snapshot data in use tell nothing about the per-GiB rate.
inline constexpr uint64_t kMinRateSample = uint64_t{1} << 30;
// How many samples the agent keeps.
inline constexpr size_t kMaxSamples = 8;

// base: the fastest activation with less than kMinRateSample in use (else the latest sample minus
// the field-note share of its snapshot data); rate: from the latest sample with at least
// kMinRateSample in use, else the field-note rate.
BudgetModel Learn(const std::vector<ActivationSample>& samples);
milliseconds Project(const BudgetModel& model, uint64_t snapshot_used);

// "took_ms used_bytes" per line; the newest kMaxSamples are kept. Parse skips malformed lines.
std::string FormatSamples(const std::vector<ActivationSample>& samples);
std::vector<ActivationSample> ParseSamples(std::string_view text);

// "projected activation 380.2 s (base 1.2 s + 250.0 GiB snapshot data at 1.5 s/GiB, assumed)".
std::string DescribeProjection(const BudgetModel& model, uint64_t snapshot_used);

}  // namespace san::lvm
