// The SDDL parser: a single forward pass over the text with an explicit position; nothing is read
// outside [0, size), nothing recurses on input, and the first error stops the parse with its column.
#include <fmt/format.h>

#include <cctype>
#include <limits>

#include "sddl/sddl.h"

namespace drvsec::sddl {
namespace {

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_printable(char c) { return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7F; }

// "'x'" for a printable byte, "byte 0xNN" otherwise (so messages never carry control bytes).
std::string describe(char c) {
  if (is_printable(c)) return fmt::format("'{}'", c);
  return fmt::format("byte 0x{:02X}", static_cast<unsigned char>(c));
}

// Text for a message: printable ASCII as is, anything else escaped, and cut to a readable length.
std::string quoted(std::string_view text) {
  std::string out = "'";
  size_t n = 0;
  for (char c : text) {
    if (++n > 40) {
      out += "...";
      break;
    }
    if (is_printable(c)) out += c;
    else out += fmt::format("\\x{:02X}", static_cast<unsigned char>(c));
  }
  return out + "'";
}

class Parser {
 public:
  Parser(std::string_view text, const Limits& limits) : s_(text), limits_(limits) {}

  ParseResult run() {
    ParseResult result;
    SecurityDescriptor sd;
    if (s_.size() > limits_.max_length) {
      fail(limits_.max_length, fmt::format("the string is longer than {} bytes", limits_.max_length));
    } else {
      parse_descriptor(sd);
    }
    if (error_) result.error = std::move(error_);
    else result.descriptor = std::move(sd);
    return result;
  }

 private:
  std::string_view s_;
  const Limits& limits_;
  size_t pos_ = 0;
  std::optional<ParseError> error_;

  bool fail(size_t at, std::string message) {
    if (!error_) error_ = ParseError{at + 1, std::move(message)};
    return false;
  }
  char peek(size_t k = 0) const { return pos_ + k < s_.size() ? s_[pos_ + k] : '\0'; }
  bool at_end() const { return pos_ >= s_.size(); }
  void skip_space() {
    while (!at_end() && is_space(s_[pos_])) ++pos_;
  }
  // A component tag "O:", "G:", "D:" or "S:" starts here.
  bool at_component() const {
    char c = peek();
    return (c == 'O' || c == 'G' || c == 'D' || c == 'S') && peek(1) == ':';
  }

  void parse_descriptor(SecurityDescriptor& sd) {
    skip_space();
    if (at_end()) {
      fail(0, "empty SDDL string: expected O:, G:, D: or S:");
      return;
    }
    bool seen_o = false, seen_g = false;
    while (!error_) {
      skip_space();
      if (at_end()) break;
      if (!at_component()) {
        fail(pos_, fmt::format("expected a component O:, G:, D: or S:, found {}", describe(peek())));
        return;
      }
      const char tag = peek();
      const size_t tag_at = pos_;
      pos_ += 2;
      switch (tag) {
        case 'O':
        case 'G': {
          bool& seen = tag == 'O' ? seen_o : seen_g;
          if (seen) {
            fail(tag_at, fmt::format("second {}: component", tag));
            return;
          }
          seen = true;
          Sid sid;
          if (!parse_sid(sid, /*in_ace=*/false)) return;
          if (tag == 'O') {
            sd.owner = std::move(sid);
            sd.owner_column = tag_at + 1;
          } else {
            sd.group = std::move(sid);
            sd.group_column = tag_at + 1;
          }
          break;
        }
        default: {
          Acl& acl = tag == 'D' ? sd.dacl : sd.sacl;
          if (acl.present) {
            fail(tag_at, fmt::format("second {}: component", tag));
            return;
          }
          acl.present = true;
          acl.column = tag_at + 1;
          if (!parse_acl(acl, tag == 'D')) return;
        }
      }
    }
  }

  // Owner, group or an ACE's trustee: an alias of two capital letters or S-R-I-S-S...
  bool parse_sid(Sid& sid, bool in_ace) {
    const size_t start = pos_;
    if (peek() == 'S' && peek(1) == '-') return parse_numeric_sid(sid);
    if (is_upper(peek()) && is_upper(peek(1))) {
      const std::string alias(s_.substr(pos_, 2));
      const WellKnownSid* known = find_sid_alias(alias);
      if (!known) return fail(start, fmt::format("unknown SID alias '{}'", alias));
      pos_ += 2;
      if (in_ace && !at_end() && peek() != ';' && peek() != ')')
        return fail(pos_, fmt::format("unexpected {} after the SID alias '{}'", describe(peek()), alias));
      sid.text = alias;
      sid.alias = alias;
      sid.canonical = std::string(known->canonical);
      sid.name = std::string(known->name);
      return true;
    }
    if (at_end() || (in_ace && (peek() == ';' || peek() == ')'))) return fail(start, "missing SID");
    return fail(start, fmt::format("expected a SID (a two-letter alias or S-1-...), found {}", describe(peek())));
  }

  // S-<revision>-<authority>(-<subauthority>){0,15}; the authority is decimal or 0x + 12 hex digits.
  bool parse_numeric_sid(Sid& sid) {
    const size_t start = pos_;
    pos_ += 2;  // "S-"
    auto number = [&](uint64_t max, const char* what, uint64_t& value) -> bool {
      const size_t at = pos_;
      value = 0;
      if (peek() == '0' && (peek(1) == 'x' || peek(1) == 'X')) {
        pos_ += 2;
        size_t digits = 0;
        while (is_hex(peek())) {
          char c = peek();
          unsigned d = is_digit(c) ? c - '0' : (std::tolower(static_cast<unsigned char>(c)) - 'a' + 10);
          if (value > (max - d) / 16) return fail(at, fmt::format("{} out of range", what));
          value = value * 16 + d;
          ++pos_;
          ++digits;
        }
        if (digits == 0) return fail(at, fmt::format("{}: hex digits expected after 0x", what));
        return true;
      }
      if (!is_digit(peek())) return fail(at, fmt::format("{}: digits expected, found {}", what,
                                                         at_end() ? std::string("the end") : describe(peek())));
      while (is_digit(peek())) {
        unsigned d = peek() - '0';
        if (value > (max - d) / 10) return fail(at, fmt::format("{} out of range", what));
        value = value * 10 + d;
        ++pos_;
      }
      return true;
    };
    uint64_t revision = 0, authority = 0;
    if (!number(0xFF, "SID revision", revision)) return false;
    if (revision != 1) return fail(start + 2, fmt::format("SID revision {} (only 1 exists)", revision));
    if (peek() != '-') return fail(pos_, "SID: '-' and the identifier authority expected");
    ++pos_;
    if (!number(0xFFFFFFFFFFFFull, "SID identifier authority", authority)) return false;
    std::string canonical = authority <= 0xFFFFFFFFull ? fmt::format("S-1-{}", authority)
                                                       : fmt::format("S-1-0x{:012X}", authority);
    size_t count = 0;
    while (peek() == '-' && is_digit(peek(1))) {
      ++pos_;
      if (++count > 15) return fail(pos_, "a SID has at most 15 subauthorities");
      uint64_t sub = 0;
      if (!number(0xFFFFFFFFull, "SID subauthority", sub)) return false;
      canonical += fmt::format("-{}", sub);
    }
    sid.text = std::string(s_.substr(start, pos_ - start));
    sid.canonical = canonical;
    if (const WellKnownSid* known = find_sid_canonical(canonical)) {
      sid.alias = std::string(known->alias);
      sid.name = std::string(known->name);
    } else {
      sid.name = canonical;
    }
    return true;
  }

  bool parse_acl(Acl& acl, bool dacl) {
    // Flags: P, AI, AR, NO_ACCESS_CONTROL, in any order, each at most once.
    while (!at_end() && peek() != '(' && !at_component() && !is_space(peek())) {
      const size_t at = pos_;
      std::string_view rest = s_.substr(pos_);
      std::string_view flag;
      if (rest.starts_with("NO_ACCESS_CONTROL")) flag = "NO_ACCESS_CONTROL";
      else if (rest.starts_with("AI")) flag = "AI";
      else if (rest.starts_with("AR")) flag = "AR";
      else if (rest.starts_with("P")) flag = "P";
      else
        return fail(at, fmt::format("unknown {} flag starting at {} (P, AI, AR and NO_ACCESS_CONTROL exist)",
                                    dacl ? "DACL" : "SACL", describe(peek())));
      for (const auto& f : acl.flag_codes)
        if (f == flag) return fail(at, fmt::format("flag {} given twice", flag));
      acl.flag_codes.emplace_back(flag);
      if (flag == "NO_ACCESS_CONTROL") acl.null_acl = true;
      else if (flag == "AI") acl.auto_inherited = true;
      else if (flag == "AR") acl.auto_inherit_requested = true;
      else acl.protected_acl = true;
      pos_ += flag.size();
    }
    while (!error_) {
      skip_space();
      if (peek() != '(') break;
      if (acl.aces.size() >= limits_.max_aces)
        return fail(pos_, fmt::format("more than {} ACEs in one ACL", limits_.max_aces));
      Ace ace;
      if (!parse_ace(ace)) return false;
      acl.aces.push_back(std::move(ace));
    }
    if (!error_ && !at_end() && !at_component())
      return fail(pos_, fmt::format("unexpected {} after the {}", describe(peek()), dacl ? "DACL" : "SACL"));
    return !error_;
  }

  // The text up to the next ';' or ')' (the end of an ACE field); pos_ stays on the delimiter.
  std::string_view field() {
    const size_t start = pos_;
    while (!at_end() && peek() != ';' && peek() != ')') ++pos_;
    return s_.substr(start, pos_ - start);
  }
  bool expect_semicolon(const char* next_field) {
    if (peek() == ';') {
      ++pos_;
      return true;
    }
    if (at_end()) return fail(pos_, fmt::format("unterminated ACE: ';' and the {} expected", next_field));
    return fail(pos_, fmt::format("';' and the {} expected, found {}", next_field, describe(peek())));
  }

  bool parse_ace(Ace& ace) {
    const size_t open = pos_;
    ace.column = open + 1;
    ++pos_;  // '('
    // 1. type
    size_t at = pos_;
    std::string_view type = field();
    if (type.empty()) return fail(at, "missing ACE type");
    const AceTypeInfo* info = find_ace_type(type);
    if (!info) return fail(at, fmt::format("unknown ACE type {}", quoted(type)));
    ace.type = info->type;
    ace.type_code = std::string(type);
    if (!expect_semicolon("ACE flags")) return false;
    // 2. flags
    at = pos_;
    std::string_view flags = field();
    if (!parse_ace_flags(flags, at, ace)) return false;
    if (!expect_semicolon("rights")) return false;
    // 3. rights
    at = pos_;
    std::string_view rights = field();
    if (!parse_rights(rights, at, ace)) return false;
    if (!expect_semicolon("object GUID")) return false;
    // 4, 5. object and inherited object GUIDs
    for (int i = 0; i < 2; ++i) {
      at = pos_;
      std::string_view guid = field();
      if (!guid.empty()) {
        if (!info->object)
          return fail(at, fmt::format("{} GUID in a '{}' ACE (only object ACEs OA, OD, OU, OL and ZA take one)",
                                      i == 0 ? "an object" : "an inherited object", ace.type_code));
        std::string normal;
        if (!parse_guid(guid, at, normal)) return false;
        (i == 0 ? ace.object_guid : ace.inherit_object_guid) = std::move(normal);
      }
      if (!expect_semicolon(i == 0 ? "inherited object GUID" : "account SID")) return false;
    }
    // 6. trustee
    if (!parse_sid(ace.sid, /*in_ace=*/true)) return false;
    // 7. the conditional expression (callback ACEs) or the attribute (RA)
    if (peek() == ';') {
      const size_t semi = pos_;
      ++pos_;
      skip_space();
      const bool takes_tail = info->callback || ace.type == AceType::resource_attribute;
      if (!takes_tail)
        return fail(semi, fmt::format("a seventh field in a '{}' ACE (only callback ACEs XA, XD, ZA, XU and "
                                      "resource attribute ACEs RA take one)", ace.type_code));
      if (peek() != '(')
        return fail(pos_, fmt::format("'(' expected to open the {}", info->callback ? "condition" : "attribute"));
      std::string inner;
      if (!scan_parenthesised(inner)) return false;
      if (info->callback) ace.condition = std::move(inner);
      else ace.resource_attribute = std::move(inner);
      skip_space();
    }
    if (peek() != ')') {
      if (at_end()) return fail(open, "unterminated ACE: ')' missing");
      return fail(pos_, fmt::format("')' expected to close the ACE, found {}", describe(peek())));
    }
    ++pos_;
    ace.length = pos_ - open;
    return true;
  }

  bool parse_ace_flags(std::string_view text, size_t at, Ace& ace) {
    static constexpr std::pair<std::string_view, uint8_t> kFlags[] = {
        {"CI", kContainerInheritAce}, {"OI", kObjectInheritAce}, {"NP", kNoPropagateInheritAce},
        {"IO", kInheritOnlyAce},      {"ID", kInheritedAce},     {"SA", kSuccessfulAccessAce},
        {"FA", kFailedAccessAce},     {"TP", kTrustProtectedFilterAce}, {"CR", kCriticalAce}};
    for (size_t i = 0; i < text.size(); i += 2) {
      std::string_view code = text.substr(i, 2);
      uint8_t bit = 0;
      for (const auto& [name, value] : kFlags)
        if (name == code) bit = value;
      if (bit == 0) return fail(at + i, fmt::format("unknown ACE flag {}", quoted(code)));
      ace.flags |= bit;
      ace.flag_codes.emplace_back(code);
    }
    return true;
  }

  bool parse_rights(std::string_view text, size_t at, Ace& ace) {
    ace.rights_text = std::string(text);
    if (text.empty()) return true;  // no rights (allowed: e.g. resource attribute ACEs)
    auto parse_number = [&](size_t skip, unsigned base) -> bool {
      uint64_t value = 0;
      if (skip >= text.size()) return fail(at, "hex digits expected after 0x");
      for (size_t i = skip; i < text.size(); ++i) {
        char c = text[i];
        unsigned d;
        if (is_digit(c)) d = c - '0';
        else if (base == 16 && is_hex(c)) d = std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
        else return fail(at + i, fmt::format("{} in a {} access mask", describe(c), base == 16 ? "hex" : "decimal"));
        value = value * base + d;
        if (value > 0xFFFFFFFFull) return fail(at, "access mask larger than 32 bits");
      }
      ace.mask = static_cast<uint32_t>(value);
      return true;
    };
    if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) return parse_number(2, 16);
    if (is_digit(text[0])) return parse_number(0, 10);
    for (size_t i = 0; i < text.size(); i += 2) {
      std::string_view code = text.substr(i, 2);
      const RightCode* r = find_right_code(code);
      if (!r) return fail(at + i, fmt::format("unknown access right {}", quoted(code)));
      ace.mask |= r->mask;
    }
    return true;
  }

  // 8-4-4-4-12 hex digits, normalised to lower case.
  bool parse_guid(std::string_view text, size_t at, std::string& out) {
    static constexpr size_t kDash[] = {8, 13, 18, 23};
    if (text.size() != 36) return fail(at, fmt::format("GUID {} is not of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", quoted(text)));
    for (size_t i = 0; i < 36; ++i) {
      const bool dash = i == kDash[0] || i == kDash[1] || i == kDash[2] || i == kDash[3];
      if (dash ? text[i] != '-' : !is_hex(text[i]))
        return fail(at + i, fmt::format("GUID: {} expected, found {}", dash ? "'-'" : "a hex digit", describe(text[i])));
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
    }
    return true;
  }

  // From '(' to its matching ')', skipping double-quoted strings; `inner` is the text between them.
  bool scan_parenthesised(std::string& inner) {
    const size_t open = pos_;
    size_t depth = 0;
    while (!at_end()) {
      const char c = peek();
      if (c == '"') {
        const size_t quote = pos_;
        ++pos_;
        while (!at_end() && peek() != '"') ++pos_;
        if (at_end()) return fail(quote, "unterminated string in the condition");
      } else if (c == '(') {
        ++depth;
      } else if (c == ')') {
        if (--depth == 0) {
          inner = std::string(s_.substr(open + 1, pos_ - open - 1));
          ++pos_;
          return true;
        }
      } else if (!is_printable(c) && !is_space(c)) {
        return fail(pos_, fmt::format("{} in the condition", describe(c)));
      }
      ++pos_;
    }
    return fail(open, "unbalanced parentheses: the '(' here is never closed");
  }
};

}  // namespace

std::string to_string(const ParseError& e) { return fmt::format("column {}: {}", e.column, e.message); }

ParseResult parse(std::string_view text, const Limits& limits) { return Parser(text, limits).run(); }

}  // namespace drvsec::sddl
