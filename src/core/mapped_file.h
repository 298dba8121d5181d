// Read-only view of a whole file (mmap), released on destruction.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace drvsec {

class MappedFile {
 public:
  // Throws std::runtime_error with a readable reason (not found, not a regular file, too large, ...).
  MappedFile(const std::string& path, uint64_t max_size);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const uint8_t> bytes() const { return {data_, size_}; }

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = false;
};

}  // namespace drvsec
