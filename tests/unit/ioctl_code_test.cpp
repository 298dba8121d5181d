#include "model/ioctl_code.h"

#include <gtest/gtest.h>

namespace drvsec {
namespace {

TEST(IoctlCode, DecodesTheGuidanceExamples) {
  // CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_NEITHER, FILE_ANY_ACCESS) = 0x222003
  IoctlFields f = decode_ioctl(0x222003);
  EXPECT_EQ(f.device_type, 0x22u);
  EXPECT_EQ(f.function, 0x800u);
  EXPECT_EQ(f.method, 3u);
  EXPECT_EQ(f.access, 0u);
  EXPECT_EQ(method_name(f.method), "METHOD_NEITHER");
  EXPECT_EQ(access_name(f.access), "FILE_ANY_ACCESS");
  EXPECT_EQ(device_type_name(f.device_type), "FILE_DEVICE_UNKNOWN");
  // IOCTL_SCSI_PASS_THROUGH = CTL_CODE(IOCTL_SCSI_BASE=4, 0x401, BUFFERED, READ|WRITE)
  f = decode_ioctl(0x4D004);
  EXPECT_EQ(f.device_type, 4u);
  EXPECT_EQ(f.function, 0x401u);
  EXPECT_EQ(f.access, 3u);
}

TEST(IoctlCode, EncodeIsTheInverseOfDecode) {
  for (uint32_t code : {0x222003u, 0x4D004u, 0x4D014u, 0x4D02Cu, 0x9C402580u, 0x80002000u}) {
    IoctlFields f = decode_ioctl(code);
    EXPECT_EQ(encode_ioctl(f.device_type, f.function, f.method, f.access), code);
  }
  EXPECT_FALSE(encode_ioctl(0x10000, 0, 0, 0));
  EXPECT_FALSE(encode_ioctl(0x22, 0x1000, 0, 0));
  EXPECT_FALSE(encode_ioctl(0x22, 0x800, 4, 0));
}

TEST(IoctlCode, ParsesNamesAndNumbers) {
  EXPECT_EQ(parse_device_type("FILE_DEVICE_UNKNOWN"), 0x22u);
  EXPECT_EQ(parse_device_type("UNKNOWN"), 0x22u);
  EXPECT_EQ(parse_device_type("0x8000"), 0x8000u);
  EXPECT_FALSE(parse_device_type("0x10000"));
  EXPECT_EQ(parse_method("METHOD_OUT_DIRECT"), 2u);
  EXPECT_EQ(parse_method("NEITHER"), 3u);
  EXPECT_EQ(parse_access("FILE_WRITE_ACCESS"), 2u);
  EXPECT_EQ(parse_access("FILE_SPECIAL_ACCESS"), 0u);
  EXPECT_EQ(parse_number("0x7b"), 123u);
  EXPECT_EQ(parse_number("123"), 123u);
  EXPECT_FALSE(parse_number("0x"));
  EXPECT_FALSE(parse_number("12z"));
}

}  // namespace
}  // namespace drvsec

namespace drvsec {
namespace {

uint32_t parsed(std::string_view text) {
  const ParsedIoctlCode p = parse_ioctl_code(text);
  EXPECT_TRUE(p.code) << text << ": " << p.error;
  return p.code.value_or(0xDEADBEEF);
}

std::string refused(std::string_view text) {
  const ParsedIoctlCode p = parse_ioctl_code(text);
  EXPECT_FALSE(p.code) << text << " read as " << p.code.value_or(0);
  EXPECT_FALSE(p.error.empty()) << text;
  return p.error;
}

TEST(IoctlCodeText, HexWithOrWithoutPrefix) {
  EXPECT_EQ(parsed("0x22201C"), 0x22201Cu);
  EXPECT_EQ(parsed("22201C"), 0x22201Cu);   // as advisories print it: has a hex letter
  EXPECT_EQ(parsed("22201c"), 0x22201Cu);
  EXPECT_EQ(parsed("0X9C402580"), 0x9C402580u);
  EXPECT_EQ(parsed("9C402580"), 0x9C402580u);
  EXPECT_EQ(parsed("222003h"), 0x222003u);  // assembler / IDA suffix
  EXPECT_EQ(parsed("22201CH"), 0x22201Cu);
  EXPECT_EQ(parsed(" 0x222003\n"), 0x222003u);
  EXPECT_EQ(parsed("0x00222003"), 0x222003u);
  EXPECT_EQ(parsed("FFFFFFFF"), 0xFFFFFFFFu);
}

TEST(IoctlCodeText, DecimalOnlyWhenSaidOrWhenHexCannotBe) {
  EXPECT_EQ(parsed("0n2236419"), 0x222003u);    // WinDbg's decimal prefix
  EXPECT_EQ(parsed("4294967295"), 0xFFFFFFFFu);  // ten digits: too long for 32-bit hex
  EXPECT_EQ(parsed("7"), 7u);                    // the same in both bases
}

TEST(IoctlCodeText, RefusesAmbiguousDigits) {
  const std::string why = refused("222003");
  EXPECT_NE(why.find("ambiguous"), std::string::npos) << why;
  EXPECT_NE(why.find("0x00222003"), std::string::npos) << why;  // the hex reading
  EXPECT_NE(why.find("0x00036333"), std::string::npos) << why;  // the decimal reading, in hex
  EXPECT_NE(why.find("0n222003"), std::string::npos) << why;    // how to say decimal
  EXPECT_NE(refused("2236419").find("ambiguous"), std::string::npos);
  EXPECT_NE(refused("10").find("ambiguous"), std::string::npos);
}

TEST(IoctlCodeText, RefusesWhatIsNotACode) {
  refused("");
  refused("banana");
  refused("0x");
  refused("0xG1");
  refused("0n12AB");
  refused("-1");
  refused("0x1FFFFFFFF");
  refused("1FFFFFFFF");
  refused("99999999999");
  refused("0x222003h");
  EXPECT_NE(refused("0x1FFFFFFFF").find("32 bits"), std::string::npos);
}

}  // namespace
}  // namespace drvsec
