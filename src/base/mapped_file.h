// Read-only view of a whole file, released on destruction. Small files (every driver in practice)
// are read into memory: mapping and unmapping thousands of them costs more in page faults and
// TLB shootdowns between the scan threads than copying them. Large files are mapped.
#pragma once

#include <cstdint>
#include <memory>
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
  static constexpr size_t kReadLimit = 32u << 20;  // read files up to this size, map larger ones

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = false;
  // The file's bytes when it was read, not mapped. Buffers are recycled per thread: a fresh
  // allocation per file would page-fault its way through every file again.
  struct Buffer {
    std::unique_ptr<uint8_t[]> bytes;
    size_t capacity = 0;
  };
  Buffer buffer_;
};

}  // namespace drvsec
