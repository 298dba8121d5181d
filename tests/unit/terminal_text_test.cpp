// What reaches a terminal: input-derived text is escaped (control characters, C1, bidi overrides,
// invalid UTF-8) and the colour decision follows --color, NO_COLOR and TERM.
#include <gtest/gtest.h>

#include <sstream>

#include "base/terminal_text.h"
#include "report/ioctl_list.h"
#include "report/report.h"

namespace drvsec {
namespace {

TEST(TerminalText, KeepsPrintableTextAndUtf8) {
  for (std::string_view s : {"", "plain.sys", R"(\Device\Foo)", R"(\DosDevices\Global\Foo)", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80",
                             "~!@#$%^&*()_+{}|:\"<>?`-=[];',./"}) {
    EXPECT_EQ(escape_for_terminal(s), s);
    EXPECT_FALSE(needs_terminal_escape(s)) << s;
  }
}

TEST(TerminalText, EscapesC0ControlsAndDel) {
  EXPECT_EQ(escape_for_terminal("a\x1b[2Jb"), "a\\x1B[2Jb");             // ANSI clear screen
  EXPECT_EQ(escape_for_terminal("evil\nWARNING fake"), "evil\\x0AWARNING fake");
  EXPECT_EQ(escape_for_terminal("tab\there\r"), "tab\\x09here\\x0D");
  EXPECT_EQ(escape_for_terminal(std::string_view("nul\0x", 5)), "nul\\x00x");
  EXPECT_EQ(escape_for_terminal("bell\a del\x7f"), "bell\\x07 del\\x7F");
  EXPECT_EQ(escape_for_terminal("\x1b]0;title\x07"), "\\x1B]0;title\\x07");  // OSC: window title
  EXPECT_TRUE(needs_terminal_escape("x\x1f"));
}

TEST(TerminalText, EscapesC1ControlsAndBidiOverrides) {
  EXPECT_EQ(escape_for_terminal("a\xC2\x9B" "31mb"), "a\\u{9B}31mb");  // U+009B CSI, as UTF-8
  EXPECT_EQ(escape_for_terminal("\xC2\x80\xC2\x9F"), "\\u{80}\\u{9F}");
  EXPECT_EQ(escape_for_terminal("\xC2\xA0"), "\xC2\xA0");               // U+00A0 is printable
  EXPECT_EQ(escape_for_terminal("file\xE2\x80\xAEtxt.sys"), "file\\u{202E}txt.sys");  // RIGHT-TO-LEFT OVERRIDE
  EXPECT_EQ(escape_for_terminal("\xE2\x81\xA6x\xE2\x81\xA9"), "\\u{2066}x\\u{2069}");
  EXPECT_EQ(escape_for_terminal("line\xE2\x80\xA8sep"), "line\\u{2028}sep");
  EXPECT_EQ(escape_for_terminal("\xD8\x9C"), "\\u{61C}");               // ARABIC LETTER MARK
  EXPECT_EQ(escape_for_terminal("\xE2\x80\x8Fz"), "\\u{200F}z");
}

TEST(TerminalText, EscapesBytesThatAreNotUtf8) {
  EXPECT_EQ(escape_for_terminal("a\x9b" "31mb"), "a\\x9B31mb");         // lone 8-bit CSI
  EXPECT_EQ(escape_for_terminal("\xff\xfe"), "\\xFF\\xFE");
  EXPECT_EQ(escape_for_terminal("\xC0\xAF"), "\\xC0\\xAF");             // overlong '/'
  EXPECT_EQ(escape_for_terminal("\xED\xA0\x80"), "\\xED\\xA0\\x80");    // UTF-16 surrogate
  EXPECT_EQ(escape_for_terminal("\xF4\x90\x80\x80"), "\\xF4\\x90\\x80\\x80");  // past U+10FFFF
  EXPECT_EQ(escape_for_terminal("\xE2\x82"), "\\xE2\\x82");             // cut short
  EXPECT_EQ(escape_for_terminal("\xE2\x82" "A"), "\\xE2\\x82A");
}

TEST(TerminalText, ColourDecision) {
  EXPECT_TRUE(use_color(ColorMode::always, false, "1", "dumb"));
  EXPECT_FALSE(use_color(ColorMode::never, true, nullptr, "xterm"));
  EXPECT_TRUE(use_color(ColorMode::automatic, true, nullptr, "xterm-256color"));
  EXPECT_TRUE(use_color(ColorMode::automatic, true, nullptr, nullptr));
  EXPECT_TRUE(use_color(ColorMode::automatic, true, "", "xterm"));       // NO_COLOR set but empty
  EXPECT_FALSE(use_color(ColorMode::automatic, true, "1", "xterm"));
  EXPECT_FALSE(use_color(ColorMode::automatic, true, "0", "xterm"));     // any non-empty value
  EXPECT_FALSE(use_color(ColorMode::automatic, true, nullptr, "dumb"));
  EXPECT_FALSE(use_color(ColorMode::automatic, false, nullptr, "xterm"));
  EXPECT_EQ(parse_color_mode("auto"), ColorMode::automatic);
  EXPECT_EQ(parse_color_mode("always"), ColorMode::always);
  EXPECT_EQ(parse_color_mode("never"), ColorMode::never);
  EXPECT_FALSE(parse_color_mode("yes"));
}

// The renderers use it: a report of a file whose name and recovered strings carry escapes.
TEST(TerminalText, TextReportsEscapeInputDerivedStrings) {
  Report report;
  ReportArtifact a;
  a.path = "drivers/\x1b[31mevil\nname.sys";
  a.kind = "pe";
  a.has_model = true;
  a.kernel_driver = true;
  a.machine = "x64";
  a.framework = "wdm";
  a.devices = {{"\\Device\\Bad\x1b]0;pwned\x07", std::nullopt}};
  a.links = {"\\DosDevices\\\xE2\x80\xAE" "exe.sys"};
  report.artifacts.push_back(a);
  Finding f;
  f.rule_id = "input-not-analyzed";
  f.severity = Severity::error;
  f.location.path = a.path;
  f.message = "string \"\x9b" "2J\" recovered";
  f.evidence = {"evidence\rline"};
  report.findings.push_back(f);
  std::ostringstream out;
  write_text_report(report, out, {false});
  const std::string text = out.str();
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_EQ(text.find('\x07'), std::string::npos);
  EXPECT_EQ(text.find('\x9b'), std::string::npos);
  EXPECT_NE(text.find("drivers/\\x1B[31mevil\\x0Aname.sys"), std::string::npos) << text;
  EXPECT_NE(text.find("  device  \\Device\\Bad\\x1B]0;pwned\\x07\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  link    \\DosDevices\\\\u{202E}exe.sys\n"), std::string::npos) << text;
  EXPECT_NE(text.find("string \"\\x9B2J\" recovered"), std::string::npos) << text;
  EXPECT_NE(text.find("- evidence\\x0Dline"), std::string::npos) << text;

  std::ostringstream table;
  write_ioctl_table({{a.path, DriverModel{}}}, table);
  EXPECT_EQ(table.str().find('\x1b'), std::string::npos) << table.str();
  EXPECT_NE(table.str().find("drivers/\\x1B[31mevil\\x0Aname.sys ("), std::string::npos) << table.str();
}

}  // namespace
}  // namespace drvsec
