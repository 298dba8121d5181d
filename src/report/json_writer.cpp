#include "report/json_writer.h"

#include <array>

namespace drvsec {

namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0 when it is not one (overlong forms,
// surrogates and code points above U+10FFFF are invalid, as in RFC 3629).
size_t utf8_sequence_length(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  const uint8_t b0 = byte(i);
  size_t n;
  uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) n = 2;
  else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return n;
}

// Bytes written as they are: printable ASCII other than '"' and '\\'.
constexpr auto kPlainAscii = [] {
  std::array<bool, 256> plain{};
  for (int b = 0x20; b < 0x80; ++b) plain[b] = b != '"' && b != '\\';
  return plain;
}();

}  // namespace

JsonWriter JsonWriter::compact(std::string& out) {
  JsonWriter w(out);
  w.compact_ = true;
  return w;
}

JsonWriter JsonWriter::for_elements(std::string& out, size_t depth) {
  JsonWriter w(out);
  w.levels_.resize(depth);  // the innermost level starts empty: its first element gets no comma
  return w;
}

JsonWriter& JsonWriter::append_elements(std::string_view rendered) {
  if (rendered.empty()) return *this;
  if (!levels_.back().empty) out_ += ',';  // what before_value() would have written before the chunk
  levels_.back().empty = false;
  out_ += rendered;
  return *this;
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (levels_.empty()) return;
  if (!levels_.back().empty) out_ += ',';
  levels_.back().empty = false;
  if (compact_) return;
  out_ += '\n';
  out_.append(2 * levels_.size(), ' ');
}

void JsonWriter::open(char bracket) {
  before_value();
  out_ += bracket;
  levels_.push_back({});
}

void JsonWriter::close(char bracket) {
  const bool empty = levels_.back().empty;
  levels_.pop_back();
  if (!empty && !compact_) {
    out_ += '\n';
    out_.append(2 * levels_.size(), ' ');
  }
  out_ += bracket;
}

JsonWriter& JsonWriter::begin_object() {
  open('{');
  return *this;
}
JsonWriter& JsonWriter::end_object() {
  close('}');
  return *this;
}
JsonWriter& JsonWriter::begin_array() {
  open('[');
  return *this;
}
JsonWriter& JsonWriter::end_array() {
  close(']');
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  before_value();
  write_string(name);
  out_ += compact_ ? ":" : ": ";
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
  before_value();
  write_string(text);
  return *this;
}

JsonWriter& JsonWriter::value(bool b) {
  before_value();
  out_ += b ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::null() {
  before_value();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::raw_value(std::string_view json) {
  if (compact_) {
    before_value();
    out_ += json;
    return *this;
  }
  before_value();
  size_t depth = levels_.size();
  auto newline = [&] {
    out_ += '\n';
    out_.append(2 * depth, ' ');
  };
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    switch (c) {
      case '"': {  // a string, copied as it is, escapes included
        const size_t start = i++;
        while (i < json.size() && json[i] != '"') i += json[i] == '\\' ? 2 : 1;
        out_.append(json.substr(start, std::min(i, json.size() - 1) - start + 1));
        break;
      }
      case '{':
      case '[':
        if (i + 1 < json.size() && (json[i + 1] == '}' || json[i + 1] == ']')) {
          out_ += c;
          out_ += json[++i];
        } else {
          out_ += c;
          ++depth;
          newline();
        }
        break;
      case '}':
      case ']':
        if (depth > 0) --depth;
        newline();
        out_ += c;
        break;
      case ',':
        out_ += ',';
        newline();
        break;
      case ':': out_ += ": "; break;
      default: out_ += c;
    }
  }
  return *this;
}

JsonWriter& JsonWriter::value(const std::vector<std::string>& list) {
  begin_array();
  for (const std::string& s : list) value(s);
  return end_array();
}

void JsonWriter::write_string(std::string_view text) {
  out_ += '"';
  size_t i = 0;
  while (i < text.size()) {
    // Plain ASCII runs (nearly everything) are appended in one piece.
    size_t run = i;
    while (run < text.size() && kPlainAscii[static_cast<uint8_t>(text[run])]) ++run;
    if (run > i) {
      out_.append(text.data() + i, run - i);
      i = run;
      if (i == text.size()) break;
    }
    const auto c = static_cast<uint8_t>(text[i]);
    if (c >= 0x80) {
      const size_t n = utf8_sequence_length(text, i);
      if (n == 0) {
        out_ += "\xEF\xBF\xBD";  // U+FFFD for a byte that starts no valid sequence
        ++i;
      } else {
        out_.append(text.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out_ += "\\\""; break;
      case '\\': out_ += "\\\\"; break;
      case '\b': out_ += "\\b"; break;
      case '\f': out_ += "\\f"; break;
      case '\n': out_ += "\\n"; break;
      case '\r': out_ += "\\r"; break;
      case '\t': out_ += "\\t"; break;
      default:
        if (c < 0x20) fmt::format_to(std::back_inserter(out_), "\\u{:04x}", c);
        else out_ += static_cast<char>(c);
    }
    ++i;
  }
  out_ += '"';
}

}  // namespace drvsec
