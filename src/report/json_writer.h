// Streaming JSON writer for the reports. It appends straight to a string, in the layout of
// nlohmann::json::dump(2) (two-space indent, "key": value, empty containers as {} and []), so
// reports stay byte-for-byte what they were while a scan of thousands of drivers no longer builds
// a whole document tree first (that tree cost more than the header-level analysis itself).
//
// Strings are written as UTF-8; control characters are escaped (\n, \t, ..., \u001f) and bytes
// that are not valid UTF-8 (names read from hostile files) become U+FFFD.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <iterator>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "base/parallel.h"

namespace drvsec {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}
  // A writer of compact JSON (no spaces or newlines): one JSON Lines record, or a fragment that
  // raw_value() later splices into an indented document.
  static JsonWriter compact(std::string& out);

  // A writer of elements for the array another writer has open at nesting `depth` (its depth()).
  // Chunks of a long array are rendered this way on several threads, then spliced in order into
  // the first writer with append_elements(): the bytes are those one writer would have produced.
  static JsonWriter for_elements(std::string& out, size_t depth);
  size_t depth() const { return levels_.size(); }
  JsonWriter& append_elements(std::string_view rendered);

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // The next value is this member of the enclosing object.
  JsonWriter& key(std::string_view name);

  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
  JsonWriter& value(bool b);
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  JsonWriter& value(T v) {
    before_value();
    fmt::format_to(std::back_inserter(out_), "{}", v);
    return *this;
  }
  JsonWriter& null();
  // Writes a value given as compact JSON text (as a compact writer renders it), indented as if this
  // writer had rendered it itself.
  JsonWriter& raw_value(std::string_view compact_json);
  JsonWriter& value(const std::vector<std::string>& list);
  template <typename T>
  JsonWriter& value(const std::optional<T>& v) {
    return v ? value(*v) : null();
  }

  // key(name).value(v) in one call.
  template <typename T>
  JsonWriter& member(std::string_view name, const T& v) {
    return key(name).value(v);
  }

 private:
  // Comma, newline and indentation before a value, unless a key() just wrote them.
  void before_value();
  void open(char bracket);
  void close(char bracket);
  void write_string(std::string_view text);

  struct Level {
    bool empty = true;
  };
  std::string& out_;
  std::vector<Level> levels_;
  bool after_key_ = false;
  bool compact_ = false;
};

// Appends the elements write_item renders for `items` (it may skip some) to the array `w` has open,
// rendering chunks of them on `jobs` threads, then moves `w`'s text to `out`: a 2,000-driver report
// is tens of megabytes, and one thread rendering it took longer than the header-level analysis.
template <typename Item, typename WriteItem>
void write_elements(JsonWriter& w, std::string& text, std::ostream& out, const std::vector<Item>& items,
                    unsigned jobs, const WriteItem& write_item) {
  constexpr size_t kChunk = 16;
  const size_t chunks = (items.size() + kChunk - 1) / kChunk;
  std::vector<std::string> rendered(chunks);
  parallel_for(chunks, worker_count(jobs, chunks), [&](size_t c) {
    thread_local std::string scratch;  // grows once per thread, not once per chunk
    scratch.clear();
    JsonWriter part = JsonWriter::for_elements(scratch, w.depth());
    for (size_t i = c * kChunk; i < std::min(items.size(), (c + 1) * kChunk); ++i) write_item(part, items[i]);
    rendered[c] = scratch;
  });
  for (std::string& chunk : rendered) {
    w.append_elements(chunk);
    out << text;
    text.clear();
    chunk = std::string();
  }
}

}  // namespace drvsec
