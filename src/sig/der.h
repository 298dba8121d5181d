// A small, bounds-checked DER reader for the ASN.1 structures OpenSSL does not model:
// SpcIndirectDataContent (Authenticode) and the certificate trust list of a catalog (.cat).
// Only definite lengths and single-byte tags are accepted; anything else is "malformed".
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace drvsec::sig::der {

namespace tag {
inline constexpr uint8_t integer = 0x02, bit_string = 0x03, octet_string = 0x04, null = 0x05, oid = 0x06,
                         utf8_string = 0x0C, sequence = 0x30, set = 0x31, bmp_string = 0x1E,
                         utc_time = 0x17, generalized_time = 0x18;
inline constexpr uint8_t context0_constructed = 0xA0;  // [0] EXPLICIT / IMPLICIT constructed
}  // namespace tag

struct Element {
  uint8_t tag = 0;
  std::span<const uint8_t> encoding;  // tag, length and value
  std::span<const uint8_t> value;
};

// Reads consecutive elements from a buffer (the value of a constructed element, usually).
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> data) : data_(data) {}
  bool at_end() const { return data_.empty(); }
  // The next element, or nullopt when the bytes are not a well-formed element.
  std::optional<Element> next();
  // The next element when it has `expected_tag`; otherwise nullopt and nothing is consumed.
  std::optional<Element> next_if(uint8_t expected_tag);

 private:
  std::span<const uint8_t> data_;
};

// The single element at the start of `data` (trailing bytes are ignored).
std::optional<Element> parse(std::span<const uint8_t> data);

// Dotted form of an OBJECT IDENTIFIER's value ("1.3.6.1.4.1.311.2.1.4"); empty when malformed.
std::string oid_to_string(std::span<const uint8_t> value);

}  // namespace drvsec::sig::der
