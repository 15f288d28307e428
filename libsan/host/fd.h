// Fd: owns one POSIX file descriptor and closes it when destroyed. Shared by RealHost's file
// methods and the subprocess runner.
#pragma once

#include <unistd.h>

#include <utility>

namespace san {

// Owns a file descriptor (-1 means none); closes it when destroyed or reset. Move-only.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.Release()) {}
  Fd& operator=(Fd&& other) noexcept {
    Reset(other.Release());
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Gives up ownership: the caller now closes the returned descriptor.
  int Release() { return std::exchange(fd_, -1); }
  // Closes the owned descriptor (if any) and takes ownership of `fd`.
  void Reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace san
