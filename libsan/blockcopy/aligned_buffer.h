// AlignedBuffer: heap memory aligned for O_DIRECT I/O, owned by value (move-only).
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>
#include <span>
#include <utility>

#include "libsan/blockcopy/block_device.h"

namespace san::blockcopy {

class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  // Allocates `size` bytes aligned to kDirectAlignment; throws std::bad_alloc like new.
  explicit AlignedBuffer(size_t size) : size_(size) {
    if (size == 0) return;
    void* p = nullptr;
    if (posix_memalign(&p, kDirectAlignment, size) != 0) throw std::bad_alloc();
    data_ = static_cast<std::byte*>(p);
  }
  ~AlignedBuffer() { std::free(data_); }
  AlignedBuffer(AlignedBuffer&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  AlignedBuffer& operator=(AlignedBuffer&& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    return *this;
  }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;

  std::byte* data() { return data_; }
  const std::byte* data() const { return data_; }
  size_t size() const { return size_; }
  std::span<std::byte> span() { return {data_, size_}; }

 private:
  std::byte* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace san::blockcopy
