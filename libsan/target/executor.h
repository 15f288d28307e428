// The executor of a reconcile plan (internal to libsan/target): runs steps through the backend,
// holds initiators with the firewall around disruptive steps, keeps the journal of holds and the
// records of what it applied. Only reconcile.cc uses it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "libsan/target/reconcile.h"

namespace san::target {

std::string RecordsPath(const ReconcileOptions& o);
std::string JournalPath(const ReconcileOptions& o);
// The records file; a damaged one is logged (when `log`) and treated as empty (a cache).
Result<Records> LoadRecords(Host& host, Logger* log, const ReconcileOptions& o);
// The journal of unfinished holds; Corruption when it cannot be read back.
Result<std::vector<HoldRecord>> LoadJournal(Host& host, const ReconcileOptions& o);
// As LoadJournal, but a journal that cannot be parsed is logged, kept as JOURNAL.discarded and
// removed, so it never blocks a run (stop above all).
Result<std::vector<HoldRecord>> LoadJournalOrDiscard(Host& host, Logger& log,
                                                     const ReconcileOptions& o);

class Executor {
 public:
  Executor(Host& host, Logger& log, TargetBackend& backend, const ReconcileOptions& o,
           Records records, std::vector<HoldRecord> journal)
      : host_(host),
        log_(log),
        backend_(backend),
        o_(o),
        records_(std::move(records)),
        journal_(std::move(journal)) {}

  // Runs the steps; on a failure inside a hold, lifts that hold. `killed` is set when a kill
  // point stopped the run (then nothing else may happen).
  Status Run(const std::vector<Step>& plan, ApplyReport* report, bool* killed);
  // Lifts every hold still in the journal (pending from an earlier run or left by a failure).
  Status ReleaseJournal(ApplyReport* report);
  const Records& records() const { return records_; }
  Status SaveRecords() { return host_.WriteFileAtomically(RecordsPath(o_), records_.Serialize()); }

 private:
  HoldRecord MakeHold(const Step& s) const;
  Status SaveJournal() {
    if (journal_.empty()) return host_.RemoveFile(JournalPath(o_));
    return host_.WriteFileAtomically(JournalPath(o_), SerializeJournal(journal_));
  }
  Status Block(const HoldRecord& h, bool block);
  Status Release(const HoldRecord& h);
  void Record(const Step& s);

  Host& host_;
  Logger& log_;
  TargetBackend& backend_;
  const ReconcileOptions& o_;
  Records records_;
  std::vector<HoldRecord> journal_;
  Clock::time_point hold_started_{};
};

}  // namespace san::target
