// ReadPipeline: several reader threads, each taking the next large chunk of a range, reading it
// (pread, so reads overlap) and processing it (hashing, comparing) before handing it over in
// offset order to one consumer — the writer. Memory is a fixed pool of chunk buffers.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "libsan/blockcopy/aligned_buffer.h"
#include "libsan/blockcopy/segment_hash.h"

namespace san::blockcopy {

enum class SegmentAction : uint8_t {
  kSkip,   // unchanged (or nothing to do in this mode)
  kWrite,  // changed: write the source data
  kZero,   // changed and all zeros: deallocate or write zeros
};

struct Chunk {
  uint64_t index = 0;   // 0, 1, 2... from the start of the range
  uint64_t offset = 0;  // byte offset in the source
  size_t length = 0;    // bytes (the last chunk may be short)
  AlignedBuffer buffer;
  std::vector<Digest> digests;  // one per segment
  std::vector<SegmentAction> actions;
};

// Fills chunk.buffer/digests/actions for [chunk.offset, chunk.offset + chunk.length). Runs on a
// reader thread; must be thread-safe.
using ChunkProcessor = std::function<Status(Chunk&)>;

struct PipelineOptions {
  size_t chunk_size = 1 << 20;  // multiple of the segment size
  int readers = 4;
  // Chunk buffers in the pool: readers plus what the consumer may hold (a run spanning chunks).
  int slots = 16;
};

class ReadPipeline {
 public:
  // Reads [begin, end) in chunks. Threads start at once.
  ReadPipeline(const PipelineOptions& options, uint64_t begin, uint64_t end,
               ChunkProcessor process);
  ~ReadPipeline();  // Stop()
  ReadPipeline(const ReadPipeline&) = delete;
  ReadPipeline& operator=(const ReadPipeline&) = delete;

  // The next chunk in offset order, nullptr once all were delivered, or the first reader error.
  // Blocks while the next chunk is being read. The caller owns the chunk until Release().
  Result<Chunk*> Next();
  // Returns a chunk's buffer to the pool.
  void Release(Chunk* chunk);
  // Cancels outstanding reads and joins the threads. Chunks not released stay valid.
  void Stop();

  uint64_t chunk_count() const { return count_; }

 private:
  void ReaderLoop();

  const PipelineOptions options_;
  const uint64_t begin_;
  const uint64_t end_;
  const uint64_t count_;
  ChunkProcessor process_;

  std::mutex mu_;
  std::condition_variable free_cv_;   // a slot was released, or stopping
  std::condition_variable ready_cv_;  // a chunk is ready, or an error, or stopping
  std::vector<std::unique_ptr<Chunk>> slots_;
  std::vector<Chunk*> free_;
  std::map<uint64_t, Chunk*> ready_;
  uint64_t next_to_read_ = 0;
  uint64_t next_to_deliver_ = 0;
  bool stopping_ = false;
  Status error_;
  std::vector<std::thread> threads_;
};

}  // namespace san::blockcopy
