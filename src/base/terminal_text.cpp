#include "base/terminal_text.h"

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace drvsec {

namespace {

constexpr char kHex[] = "0123456789ABCDEF";

bool is_continuation(unsigned char b) { return (b & 0xC0) == 0x80; }

// The length of the valid UTF-8 sequence at text[i] (2-4) and its code point, or 0 when the bytes
// there do not form one (overlong forms, surrogates and values past U+10FFFF are not valid).
size_t decode_multibyte(std::string_view text, size_t i, uint32_t& cp) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if (!is_continuation(b) || (k == 1 && (b < lo || b > hi))) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  return len;
}

bool is_escaped_code_point(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F || cp == 0x2028 ||
         cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

void append_byte_escape(std::string& out, unsigned char b) {
  out += "\\x";
  out += kHex[b >> 4];
  out += kHex[b & 0xF];
}

void append_code_point_escape(std::string& out, uint32_t cp) {
  out += "\\u{";
  bool started = false;
  for (int shift = 20; shift >= 0; shift -= 4) {
    const uint32_t digit = (cp >> shift) & 0xF;
    if (digit == 0 && !started && shift > 4) continue;  // at least two digits: \u{9B}
    started = true;
    out += kHex[digit];
  }
  out += '}';
}

// Calls `plain(i, len)` for each run kept as it is and `escape(...)` for what is escaped.
template <typename Sink>
void scan(std::string_view text, Sink&& sink) {
  size_t i = 0;
  while (i < text.size()) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b >= 0x20 && b < 0x7F) {
      sink.plain(i, 1);
      ++i;
      continue;
    }
    if (b < 0x80) {  // C0 control or DEL
      sink.byte(b);
      ++i;
      continue;
    }
    uint32_t cp = 0;
    const size_t len = decode_multibyte(text, i, cp);
    if (len == 0) {
      sink.byte(b);
      ++i;
    } else if (is_escaped_code_point(cp)) {
      sink.code_point(cp);
      i += len;
    } else {
      sink.plain(i, len);
      i += len;
    }
  }
}

}  // namespace

std::string escape_for_terminal(std::string_view text) {
  struct Writer {
    std::string_view text;
    std::string out;
    void plain(size_t i, size_t len) { out.append(text.substr(i, len)); }
    void byte(unsigned char b) { append_byte_escape(out, b); }
    void code_point(uint32_t cp) { append_code_point_escape(out, cp); }
  } writer{text, {}};
  writer.out.reserve(text.size());
  scan(text, writer);
  return std::move(writer.out);
}

bool needs_terminal_escape(std::string_view text) {
  struct Detector {
    bool found = false;
    void plain(size_t, size_t) {}
    void byte(unsigned char) { found = true; }
    void code_point(uint32_t) { found = true; }
  } detector;
  scan(text, detector);
  return detector.found;
}

std::optional<ColorMode> parse_color_mode(std::string_view text) {
  if (text == "auto") return ColorMode::automatic;
  if (text == "always") return ColorMode::always;
  if (text == "never") return ColorMode::never;
  return std::nullopt;
}

bool use_color(ColorMode mode, bool to_terminal, const char* no_color, const char* term) {
  switch (mode) {
    case ColorMode::always: return true;
    case ColorMode::never: return false;
    case ColorMode::automatic: break;
  }
  const bool no_color_set = no_color != nullptr && *no_color != '\0';
  const bool dumb = term != nullptr && std::strcmp(term, "dumb") == 0;
  return to_terminal && !no_color_set && !dumb;
}

bool use_color_on_stdout(ColorMode mode) {
  return use_color(mode, ::isatty(STDOUT_FILENO) == 1, std::getenv("NO_COLOR"), std::getenv("TERM"));
}

}  // namespace drvsec
