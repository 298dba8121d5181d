#include "binary/device_strings.h"

#include <gtest/gtest.h>

namespace drvsec {
namespace {

std::vector<uint8_t> utf16(std::string_view text) {
  std::vector<uint8_t> out;
  for (char c : text) out.insert(out.end(), {static_cast<uint8_t>(c), 0});
  return out;
}

constexpr std::string_view kPrefixes[] = {"\\Device\\", "\\DosDevices\\", "\\??\\"};

TEST(DeviceStrings, FindsAlignedNamesOfEveryPrefixInOnePass) {
  std::vector<uint8_t> data{0x5C, 0x00, 0x90, 0x90};  // a lone UTF-16 backslash, then code bytes
  auto append = [&](std::string_view s) {
    auto u = utf16(s);
    data.insert(data.end(), u.begin(), u.end());
    data.insert(data.end(), {0, 0});
  };
  append("\\DosDevices\\Foo");
  append("\\Device\\");  // the prefix alone names nothing
  append("\\Device\\Foo");
  data.push_back(0x41);  // from here on odd offsets: not strings of an image
  append("\\??\\Odd");
  data.push_back(0x41);
  append("\\??\\Bar");
  auto hits = find_utf16_strings(data, kPrefixes);
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].text, "\\DosDevices\\Foo");
  EXPECT_EQ(hits[0].prefix, 1u);
  EXPECT_EQ(hits[0].file_offset, 4u);
  EXPECT_EQ(hits[1].text, "\\Device\\Foo");
  EXPECT_EQ(hits[1].prefix, 0u);
  EXPECT_EQ(hits[2].text, "\\??\\Bar");
  EXPECT_EQ(hits[2].prefix, 2u);
}

TEST(DeviceStrings, BoundsLengthHitsAndTruncatedInput) {
  std::vector<uint8_t> data;
  for (int i = 0; i < 5; ++i) {
    auto u = utf16("\\Device\\Name" + std::to_string(i));
    data.insert(data.end(), u.begin(), u.end());
    data.insert(data.end(), {0x01, 0x00});  // a control character ends a name
  }
  EXPECT_EQ(find_utf16_strings(data, kPrefixes, 256, 3).size(), 3u);
  auto shortened = find_utf16_strings(data, kPrefixes, 10, 256);
  ASSERT_EQ(shortened.size(), 5u);
  EXPECT_EQ(shortened[0].text, "\\Device\\Na");
  // A name running into the end of the buffer, and a prefix cut by it.
  auto tail = utf16("\\Device\\End");
  tail.push_back('\\');
  EXPECT_EQ(find_utf16_strings(tail, kPrefixes).size(), 1u);
  EXPECT_TRUE(find_utf16_strings(std::span<const uint8_t>{}, kPrefixes).empty());
}

}  // namespace
}  // namespace drvsec
