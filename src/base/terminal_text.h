// Text from inputs (file names, device and link names, strings recovered from a driver) on its way
// to a terminal: every text renderer passes it through escape_for_terminal(), so a hostile file
// name cannot move the cursor, rewrite the screen, change the window title, hide itself behind
// bidirectional overrides, or forge report lines with a newline.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace drvsec {

// `text` with these escaped, everything else (printable ASCII, backslashes included, and valid
// UTF-8) kept byte for byte:
//   C0 controls U+0000-U+001F (ESC, newline and tab too) and DEL  -> \xNN   ("\x1B", "\x0A", "\x7F")
//   C1 controls U+0080-U+009F, written as UTF-8                    -> \u{NN} ("\u{9B}")
//   bidirectional and line-breaking format characters: U+061C, U+200E, U+200F, U+2028, U+2029,
//   U+202A-U+202E, U+2066-U+2069                                   -> \u{NNNN} ("\u{202E}")
//   a byte that is not part of valid UTF-8 (some terminals read a lone 0x9B as CSI) -> \xNN
// Hex digits are upper case. Backslashes are not doubled: Windows names (\Device\Foo) stay
// readable, at the price that a name containing the four characters "\x1B" looks like an escape;
// the JSON and SARIF reports carry every name exactly.
std::string escape_for_terminal(std::string_view text);

// True when escape_for_terminal(text) would change it.
bool needs_terminal_escape(std::string_view text);

// --color: whether the text report is painted with ANSI colours.
enum class ColorMode { automatic, always, never };
std::optional<ColorMode> parse_color_mode(std::string_view text);  // "auto", "always", "never"

// The one colour decision. always and never are what they say, wherever the report goes; auto
// paints only when the report goes to a terminal (`to_terminal`), NO_COLOR is unset or empty
// (https://no-color.org) and TERM is not "dumb". `no_color` and `term` are the variables' values
// (null when unset).
bool use_color(ColorMode mode, bool to_terminal, const char* no_color, const char* term);
// The same for a report written to standard output, from this process's environment.
bool use_color_on_stdout(ColorMode mode);

}  // namespace drvsec
