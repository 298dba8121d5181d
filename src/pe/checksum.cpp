// The PE image checksum (what imagehlp's CheckSumMappedFile computes): the 16-bit one's-complement
// sum (end-around carry) of the file's little-endian words with the CheckSum field counted as zero,
// plus the file length.
#include <cstring>

#include "pe/parser.h"

namespace drvsec::pe {

namespace {
// Folds a sum of 16-bit quantities into its 16-bit one's-complement value.
uint32_t fold(uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<uint32_t>(sum);
}
}  // namespace

void Parser::compute_checksum() {
  // Adding 32-bit words is congruent to adding their two 16-bit halves (65536 = 1 mod 0xFFFF), and
  // the fold maps both sums to the same value, so reading 4 bytes at a time gives the same result.
  // The 32-bit words of whole 4 KiB blocks first: a loop of constant length, which the compiler
  // vectorizes at -O2. The sum of all 32-bit words is exact in 64 bits for files below 16 GiB.
  constexpr size_t kBlock = 4096;
  const size_t size = file_.size();
  const uint8_t* const bytes = file_.data();
  uint64_t sum = 0;
  size_t at = 0;
  for (; at + kBlock <= size; at += kBlock) {
    for (size_t i = 0; i < kBlock; i += 4) {
      uint32_t word;
      std::memcpy(&word, bytes + at + i, sizeof word);  // the host is little-endian, as in pe/reader.h
      sum += word;
    }
  }
  for (; at + 4 <= size; at += 4) sum += *reader_.u32(at);
  for (; at < size; ++at) sum += uint64_t{file_[at]} << (8 * (at & 1));
  // Take back the CheckSum field's bytes, each in the position it was added in above.
  const size_t whole_words = size - size % 4;
  for (uint64_t i = 0; i < 4; ++i) {
    const uint64_t o = uint64_t{img_.checksum_offset} + i;
    if (o >= size) break;
    sum -= uint64_t{file_[o]} << (8 * (o < whole_words ? (o & 3) : (o & 1)));
  }
  img_.computed_checksum = fold(sum) + static_cast<uint32_t>(size);
}

}  // namespace drvsec::pe
