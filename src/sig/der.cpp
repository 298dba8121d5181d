#include "sig/der.h"

namespace drvsec::sig::der {

std::optional<Element> parse(std::span<const uint8_t> data) {
  if (data.size() < 2) return std::nullopt;
  const uint8_t t = data[0];
  if ((t & 0x1F) == 0x1F) return std::nullopt;  // multi-byte tags: not used by the structures read here
  size_t length = data[1];
  size_t header = 2;
  if (length & 0x80) {
    const size_t octets = length & 0x7F;
    if (octets == 0 || octets > 4 || data.size() < 2 + octets) return std::nullopt;  // indefinite or huge
    length = 0;
    for (size_t i = 0; i < octets; ++i) length = (length << 8) | data[2 + i];
    header += octets;
  }
  if (length > data.size() - header) return std::nullopt;
  return Element{t, data.first(header + length), data.subspan(header, length)};
}

std::optional<Element> Reader::next() {
  auto e = parse(data_);
  if (e) data_ = data_.subspan(e->encoding.size());
  else data_ = {};
  return e;
}

std::optional<Element> Reader::next_if(uint8_t expected_tag) {
  if (data_.empty() || data_[0] != expected_tag) return std::nullopt;
  return next();
}

std::string oid_to_string(std::span<const uint8_t> value) {
  if (value.empty() || (value.back() & 0x80)) return {};
  std::string out;
  uint64_t arc = 0;
  bool first = true;
  for (uint8_t b : value) {
    if (arc > (UINT64_MAX >> 7)) return {};
    arc = (arc << 7) | (b & 0x7F);
    if (b & 0x80) continue;
    if (first) {
      const uint64_t top = arc < 40 ? 0 : arc < 80 ? 1 : 2;
      out = std::to_string(top) + "." + std::to_string(arc - 40 * top);
      first = false;
    } else {
      out += "." + std::to_string(arc);
    }
    arc = 0;
  }
  return out;
}

}  // namespace drvsec::sig::der
