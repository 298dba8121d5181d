#include "intel/loldrivers.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/mapped_file.h"
#include "base/utf8.h"

namespace drvsec::intel {

std::string_view to_string(LolHashKind k) {
  switch (k) {
    case LolHashKind::file_md5: return "file MD5";
    case LolHashKind::file_sha1: return "file SHA-1";
    case LolHashKind::file_sha256: return "file SHA-256";
    case LolHashKind::authentihash_sha1: return "Authenticode SHA-1";
    case LolHashKind::authentihash_sha256: return "Authenticode SHA-256";
  }
  return "unknown";
}

namespace {

bool plausible_hash(const std::string& s, size_t length) {
  return s.size() == length &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

}  // namespace

// A strict JSON reader specialised for the catalogue: the file is ~20 MB of which drvsec needs a
// few fields, so it keeps those and skips everything else without building a document tree
// (several times faster than a general DOM or SAX parser). Every read is bounds-checked and
// nesting is limited, so hostile input ends in a LoadError.
class LolDrivers::Reader {
 public:
  Reader(std::string_view text, LolDrivers& out) : text_(text), out_(out) {}

  void read_catalogue() {
    skip_ws();
    if (peek() != '[') throw LoadError("not a LOLDrivers catalogue (expected a JSON array of driver records)");
    read_array(1, [&] {
      if (peek() != '{') fail("a catalogue element is not an object");
      read_record();
    });
    skip_ws();
    if (pos_ != text_.size()) fail("unexpected data after the catalogue");
  }

 private:
  static constexpr int kMaxDepth = 64;  // the catalogue nests 5 deep; deeper input is hostile

  struct Sample {
    std::string md5, sha1, sha256, authentihash_sha1, authentihash_sha256, original_filename, filename, file_version;
  };

  [[noreturn]] void fail(std::string_view what) const {
    throw LoadError(fmt::format("not valid JSON at byte {}: {}", pos_, what));
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip_ws() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\r' || text_[pos_] == '\t'))
      ++pos_;
  }
  void expect(char c) {
    skip_ws();
    if (peek() != c) fail(fmt::format("expected '{}'", c));
    ++pos_;
  }

  // Calls element() with the cursor on each element's first character.
  template <typename F>
  void read_array(int depth, F&& element) {
    if (depth > kMaxDepth) fail("nested too deeply");
    expect('[');
    skip_ws();
    if (peek() == ']') {
      ++pos_;
      return;
    }
    while (true) {
      skip_ws();
      element();
      skip_ws();
      if (peek() == ',') ++pos_;
      else if (peek() == ']') {
        ++pos_;
        return;
      } else fail("expected ',' or ']'");
    }
  }
  // Calls member(key) with the cursor on each value's first character.
  template <typename F>
  void read_object(int depth, F&& member) {
    if (depth > kMaxDepth) fail("nested too deeply");
    expect('{');
    skip_ws();
    if (peek() == '}') {
      ++pos_;
      return;
    }
    std::string key;
    while (true) {
      skip_ws();
      if (peek() != '"') fail("expected a key");
      key.clear();
      read_string(&key);
      expect(':');
      skip_ws();
      member(key);
      skip_ws();
      if (peek() == ',') ++pos_;
      else if (peek() == '}') {
        ++pos_;
        return;
      } else fail("expected ',' or '}'");
    }
  }

  // Reads a string at the cursor into *out (nullptr: skip it).
  void read_string(std::string* out) {
    ++pos_;  // opening quote
    while (true) {
      const size_t run = pos_;
      while (pos_ < text_.size() && text_[pos_] != '"' && text_[pos_] != '\\' &&
             static_cast<unsigned char>(text_[pos_]) >= 0x20)
        ++pos_;
      if (out) out->append(text_.substr(run, pos_ - run));
      if (pos_ >= text_.size()) fail("unterminated string");
      const char c = text_[pos_++];
      if (c == '"') return;
      if (c != '\\') fail("control character in a string");
      if (pos_ >= text_.size()) fail("unterminated escape");
      const char e = text_[pos_++];
      uint32_t cp = 0;
      switch (e) {
        case '"': case '\\': case '/': cp = static_cast<uint32_t>(e); break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u':
          cp = read_hex4();
          if (cp >= 0xD800 && cp <= 0xDBFF) {  // high surrogate: a low one must follow
            if (text_.substr(pos_, 2) != "\\u") fail("unpaired surrogate");
            pos_ += 2;
            const uint32_t low = read_hex4();
            if (low < 0xDC00 || low > 0xDFFF) fail("unpaired surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            fail("unpaired surrogate");
          }
          break;
        default: fail("invalid escape");
      }
      if (out) append_utf8(*out, cp);
    }
  }
  uint32_t read_hex4() {
    if (text_.size() - pos_ < 4) fail("truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<uint32_t>(c - 'A' + 10);
      else fail("invalid \\u escape");
    }
    return v;
  }

  void skip_value(int depth) {
    switch (peek()) {
      case '"': read_string(nullptr); return;
      case '{': read_object(depth + 1, [&](const std::string&) { skip_value(depth + 1); }); return;
      case '[': read_array(depth + 1, [&] { skip_value(depth + 1); }); return;
      case 't': return skip_literal("true");
      case 'f': return skip_literal("false");
      case 'n': return skip_literal("null");
      default: break;
    }
    // A number: the JSON grammar's characters; the value itself is never needed.
    const size_t start = pos_;
    if (peek() == '-') ++pos_;
    while (pos_ < text_.size() && std::string_view("0123456789.eE+-").find(text_[pos_]) != std::string_view::npos) ++pos_;
    if (pos_ == start || !std::isdigit(static_cast<unsigned char>(text_[pos_ - 1]))) fail("expected a value");
  }
  void skip_literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) fail("expected a value");
    pos_ += word.size();
  }

  // A string value into *out; any other value is skipped (null fields are common).
  void string_value(std::string& out, int depth) {
    if (peek() == '"') read_string(&out);
    else skip_value(depth);
  }
  // CVE and Tags: a string, a list of strings or null; empty strings are dropped.
  void string_list(std::vector<std::string>& out, int depth) {
    auto one = [&] {
      std::string v;
      string_value(v, depth + 1);
      if (!v.empty()) out.push_back(std::move(v));
    };
    if (peek() == '[') read_array(depth + 1, one);
    else one();
  }

  void read_record() {
    LolEntry entry;
    const size_t entry_index = out_.entries_.size();  // appended when the record ends
    std::string verified;
    read_object(2, [&](const std::string& key) {
      if (key == "Id") string_value(entry.id, 2);
      else if (key == "Category") string_value(entry.category_text, 2);
      else if (key == "Verified") string_value(verified, 2);
      else if (key == "CVE") string_list(entry.cves, 2);
      else if (key == "Tags") string_list(entry.tags, 2);
      else if (key == "KnownVulnerableSamples" && peek() == '[')
        read_array(3, [&] {
          if (peek() == '{') read_sample(entry_index);
          else skip_value(3);
        });
      else skip_value(2);
    });
    if (entry.id.empty()) fail("a catalogue record has no Id");
    entry.verified = ascii_lower(verified) == "true";
    const std::string category = ascii_lower(entry.category_text);
    entry.category = category.find("malicious") != std::string::npos    ? LolCategory::malicious
                     : category.find("vulnerable") != std::string::npos ? LolCategory::vulnerable
                                                                        : LolCategory::other;
    out_.entries_.push_back(std::move(entry));
  }

  void read_sample(size_t entry_index) {
    Sample s;
    read_object(4, [&](const std::string& key) {
      if (key == "MD5") string_value(s.md5, 4);
      else if (key == "SHA1") string_value(s.sha1, 4);
      else if (key == "SHA256") string_value(s.sha256, 4);
      else if (key == "OriginalFilename") string_value(s.original_filename, 4);
      else if (key == "Filename") string_value(s.filename, 4);
      else if (key == "FileVersion") string_value(s.file_version, 4);
      else if (key == "Authentihash" && peek() == '{')
        read_object(5, [&](const std::string& k) {
          if (k == "SHA1") string_value(s.authentihash_sha1, 5);
          else if (k == "SHA256") string_value(s.authentihash_sha256, 5);
          else skip_value(5);
        });
      else skip_value(4);
    });
    LolSample sample;
    sample.entry = entry_index;
    sample.file_name = !s.original_filename.empty() ? s.original_filename : s.filename;
    sample.file_version = s.file_version;
    const size_t index = out_.samples_.size();
    out_.samples_.push_back(std::move(sample));
    auto add = [&](const std::string& hash, size_t length, LolHashKind kind) {
      if (plausible_hash(hash, length)) out_.by_hash_[ascii_lower(hash)].push_back({index, kind});
    };
    add(s.md5, 32, LolHashKind::file_md5);
    add(s.sha1, 40, LolHashKind::file_sha1);
    add(s.sha256, 64, LolHashKind::file_sha256);
    add(s.authentihash_sha1, 40, LolHashKind::authentihash_sha1);
    add(s.authentihash_sha256, 64, LolHashKind::authentihash_sha256);
  }

  std::string_view text_;
  size_t pos_ = 0;
  LolDrivers& out_;
};

LolDrivers LolDrivers::load_file(const std::string& path) {
  return load_intel_file(path, [](std::string_view text) { return parse(text); });
}

LolDrivers LolDrivers::parse(std::string_view text) {
  LolDrivers catalogue;
  Reader(text, catalogue).read_catalogue();
  return catalogue;
}

std::vector<LolMatch> LolDrivers::match(const FileFacts& file) const {
  std::vector<std::pair<std::string, LolHashKind>> hashes;
  if (!file.sha256.empty()) hashes.emplace_back(file.sha256, LolHashKind::file_sha256);
  if (const sig::SignatureInfo* s = file.signature) {
    hashes.emplace_back(s->file.md5, LolHashKind::file_md5);
    hashes.emplace_back(s->file.sha1, LolHashKind::file_sha1);
    hashes.emplace_back(s->file.sha256, LolHashKind::file_sha256);
    if (s->authenticode) {
      hashes.emplace_back(s->authenticode->sha1, LolHashKind::authentihash_sha1);
      hashes.emplace_back(s->authenticode->sha256, LolHashKind::authentihash_sha256);
    }
  }
  std::vector<LolMatch> out;
  for (const auto& [hash, kind] : hashes) {
    if (hash.empty()) continue;
    const std::string key = ascii_lower(hash);
    auto it = by_hash_.find(key);
    if (it == by_hash_.end()) continue;
    for (const Key& k : it->second)
      if (k.kind == kind) {
        const LolSample& sample = samples_[k.sample];
        out.push_back({&entries_[sample.entry], &sample, kind, key});
      }
  }
  std::sort(out.begin(), out.end(), [](const LolMatch& a, const LolMatch& b) {
    return std::tie(a.entry->id, a.kind, a.sample) < std::tie(b.entry->id, b.kind, b.sample);
  });
  // One match per entry and kind: an entry often lists the same sample several times.
  out.erase(std::unique(out.begin(), out.end(),
                        [](const LolMatch& a, const LolMatch& b) { return a.entry == b.entry && a.kind == b.kind; }),
            out.end());
  return out;
}

}  // namespace drvsec::intel
