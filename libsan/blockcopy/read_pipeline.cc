// A reader takes a free buffer *before* claiming the next chunk index, so every claimed chunk can
// complete: the consumer, waiting for the lowest undelivered index, can never be starved by
// readers holding buffers for later chunks.
#include "libsan/blockcopy/read_pipeline.h"

#include <algorithm>

namespace san::blockcopy {

ReadPipeline::ReadPipeline(const PipelineOptions& options, uint64_t begin, uint64_t end,
                           ChunkProcessor process)
    : options_(options),
      begin_(begin),
      end_(end),
      count_(end > begin ? (end - begin + options.chunk_size - 1) / options.chunk_size : 0),
      process_(std::move(process)) {
  int slots = std::max(options.slots, options.readers + 1);
  for (int i = 0; i < slots; ++i) {
    auto chunk = std::make_unique<Chunk>();
    chunk->buffer = AlignedBuffer(options.chunk_size);
    free_.push_back(chunk.get());
    slots_.push_back(std::move(chunk));
  }
  int readers = static_cast<int>(std::min<uint64_t>(std::max(options.readers, 1), count_));
  for (int i = 0; i < readers; ++i) threads_.emplace_back([this] { ReaderLoop(); });
}

ReadPipeline::~ReadPipeline() { Stop(); }

void ReadPipeline::ReaderLoop() {
  while (true) {
    Chunk* chunk = nullptr;
    {
      std::unique_lock<std::mutex> lock(mu_);
      free_cv_.wait(lock, [&] { return stopping_ || next_to_read_ >= count_ || !free_.empty(); });
      if (stopping_ || next_to_read_ >= count_) return;
      chunk = free_.back();
      free_.pop_back();
      chunk->index = next_to_read_++;
    }
    chunk->offset = begin_ + chunk->index * options_.chunk_size;
    chunk->length =
        static_cast<size_t>(std::min<uint64_t>(options_.chunk_size, end_ - chunk->offset));
    Status s = process_(*chunk);
    std::lock_guard<std::mutex> lock(mu_);
    if (!s.ok()) {
      if (error_.ok()) error_ = s;
      stopping_ = true;
      free_.push_back(chunk);
      free_cv_.notify_all();
      ready_cv_.notify_all();
      return;
    }
    ready_[chunk->index] = chunk;
    if (chunk->index == next_to_deliver_) ready_cv_.notify_all();
  }
}

Result<Chunk*> ReadPipeline::Next() {
  std::unique_lock<std::mutex> lock(mu_);
  if (next_to_deliver_ >= count_) return static_cast<Chunk*>(nullptr);
  ready_cv_.wait(lock, [&] { return stopping_ || ready_.count(next_to_deliver_) > 0; });
  if (!error_.ok()) return error_;
  if (stopping_) return Status::Internal("read pipeline stopped");
  auto it = ready_.find(next_to_deliver_);
  Chunk* chunk = it->second;
  ready_.erase(it);
  ++next_to_deliver_;
  return chunk;
}

void ReadPipeline::Release(Chunk* chunk) {
  std::lock_guard<std::mutex> lock(mu_);
  free_.push_back(chunk);
  free_cv_.notify_one();
}

void ReadPipeline::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  free_cv_.notify_all();
  ready_cv_.notify_all();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

}  // namespace san::blockcopy
