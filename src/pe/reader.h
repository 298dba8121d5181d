// Bounds-checked little-endian reads from a byte span. Every read either succeeds fully or
// returns nullopt; nothing here can read outside the span.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>

namespace drvsec::pe {

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

  size_t size() const { return data_.size(); }
  bool in_bounds(uint64_t offset, uint64_t length) const {
    return offset <= data_.size() && length <= data_.size() - offset;
  }

  template <typename T>
  std::optional<T> read(uint64_t offset) const {
    static_assert(std::is_integral_v<T>);
    if (!in_bounds(offset, sizeof(T))) return std::nullopt;
    T value;
    std::memcpy(&value, data_.data() + offset, sizeof(T));  // host is little-endian (x86_64/aarch64)
    return value;
  }
  std::optional<uint8_t> u8(uint64_t off) const { return read<uint8_t>(off); }
  std::optional<uint16_t> u16(uint64_t off) const { return read<uint16_t>(off); }
  std::optional<uint32_t> u32(uint64_t off) const { return read<uint32_t>(off); }
  std::optional<uint64_t> u64(uint64_t off) const { return read<uint64_t>(off); }

  // Empty span when [offset, offset+length) is not inside the data.
  std::span<const uint8_t> slice(uint64_t offset, uint64_t length) const {
    if (!in_bounds(offset, length)) return {};
    return data_.subspan(static_cast<size_t>(offset), static_cast<size_t>(length));
  }
  // NUL-terminated string of at most max_length bytes; nullopt if no NUL within reach.
  std::optional<std::string> c_string(uint64_t offset, size_t max_length) const {
    if (offset >= data_.size()) return std::nullopt;
    size_t avail = data_.size() - static_cast<size_t>(offset);
    size_t limit = avail < max_length ? avail : max_length;
    const auto* begin = reinterpret_cast<const char*>(data_.data() + offset);
    const void* nul = std::memchr(begin, 0, limit);
    if (!nul) return std::nullopt;
    return std::string(begin, static_cast<const char*>(nul));
  }

 private:
  std::span<const uint8_t> data_;
};

}  // namespace drvsec::pe
