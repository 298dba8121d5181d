#include "sig/catalog.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "base/hash.h"
#include "sig/der.h"
#include "sig/signed_data.h"

namespace drvsec::sig {

namespace {

constexpr size_t kMaxMembers = 1'000'000;

// A TrustedSubject's identifier (the member "tag"): raw SHA-1/SHA-256 bytes, or the same digest
// written as UTF-16LE hex text (what makecat writes). Empty when it is neither.
std::string tag_digest(std::span<const uint8_t> id) {
  if (id.size() == 20 || id.size() == 32) return to_hex(id);
  if (id.size() != 80 && id.size() != 128) return {};
  std::string text;
  for (size_t i = 0; i + 1 < id.size(); i += 2) {
    if (id[i + 1] != 0 || !std::isxdigit(id[i])) return {};
    text.push_back(static_cast<char>(std::tolower(id[i])));
  }
  return text;
}

// CertificateTrustList ::= SEQUENCE { version INTEGER OPTIONAL, subjectUsage SEQUENCE,
//   listIdentifier OCTET STRING OPTIONAL, sequenceNumber INTEGER OPTIONAL, thisUpdate Time,
//   nextUpdate Time OPTIONAL, subjectAlgorithm AlgorithmIdentifier,
//   trustedSubjects SEQUENCE OF TrustedSubject OPTIONAL, extensions [0] OPTIONAL }
// TrustedSubject ::= SEQUENCE { subjectIdentifier OCTET STRING, subjectAttributes SET OF Attribute OPTIONAL }
void read_members(std::span<const uint8_t> ctl, Catalog& out) {
  der::Reader r(ctl);
  r.next_if(der::tag::integer);
  if (!r.next_if(der::tag::sequence)) {
    out.problems.push_back("catalog trust list has no subject usage");
    return;
  }
  r.next_if(der::tag::octet_string);
  r.next_if(der::tag::integer);
  if (!r.next_if(der::tag::utc_time) && !r.next_if(der::tag::generalized_time)) {
    out.problems.push_back("catalog trust list has no update time");
    return;
  }
  r.next_if(der::tag::utc_time) || r.next_if(der::tag::generalized_time);
  if (!r.next_if(der::tag::sequence)) {
    out.problems.push_back("catalog trust list has no subject algorithm");
    return;
  }
  auto subjects = r.next_if(der::tag::sequence);
  if (!subjects) return;  // an empty catalog
  der::Reader s(subjects->value);
  while (!s.at_end()) {
    auto subject = s.next();
    if (!subject || subject->tag != der::tag::sequence) {
      out.problems.push_back("catalog member list is malformed");
      break;
    }
    if (out.member_digests.size() >= kMaxMembers) {
      out.problems.push_back("catalog lists more than 1,000,000 members; the rest is ignored");
      break;
    }
    der::Reader m(subject->value);
    auto id = m.next_if(der::tag::octet_string);
    if (!id) continue;
    if (std::string tag = tag_digest(id->value); !tag.empty()) out.member_digests.push_back(tag);
    auto attributes = m.next_if(der::tag::set);
    if (!attributes) continue;
    // The member's SpcIndirectDataContent holds its digest (Authenticode digest for PE members).
    der::Reader a(attributes->value);
    while (auto attribute = a.next_if(der::tag::sequence)) {
      der::Reader fields(attribute->value);
      auto type = fields.next_if(der::tag::oid);
      auto values = fields.next_if(der::tag::set);
      if (!type || !values || der::oid_to_string(type->value) != oid::spc_indirect_data) continue;
      der::Reader v(values->value);
      while (auto value = v.next_if(der::tag::sequence))
        if (auto digest = parse_indirect_data(value->value)) out.member_digests.push_back(digest->digest);
    }
  }
}

}  // namespace

bool looks_like_catalog(std::span<const uint8_t> head) {
  static constexpr std::array<uint8_t, 11> signed_data = {0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02};
  static constexpr std::array<uint8_t, 11> ctl = {0x06, 0x09, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x0A, 0x01};
  if (head.size() < 2 || head[0] != der::tag::sequence) return false;
  const auto window = head.first(std::min<size_t>(head.size(), 96));
  auto contains = [&](const auto& needle) {
    return std::search(window.begin(), window.end(), needle.begin(), needle.end()) != window.end();
  };
  return contains(signed_data) && contains(ctl);
}

Catalog parse_catalog(std::string path, std::span<const uint8_t> bytes) {
  Catalog out;
  out.path = std::move(path);
  std::vector<ParsedSignedData> parsed;
  parse_signed_data(bytes, parsed, out.problems);
  if (parsed.empty()) return out;
  if (parsed.front().content_type != oid::certificate_trust_list) {
    out.problems.push_back("signed content is not a certificate trust list");
    return out;
  }
  read_members(parsed.front().content, out);
  for (ParsedSignedData& p : parsed) out.signatures.push_back(std::move(p.signature));
  std::sort(out.member_digests.begin(), out.member_digests.end());
  out.member_digests.erase(std::unique(out.member_digests.begin(), out.member_digests.end()), out.member_digests.end());
  return out;
}

void CatalogIndex::add(const Catalog& catalog) {
  for (const std::string& d : catalog.member_digests) {
    auto [it, inserted] = by_digest_.emplace(d, catalog.path);
    if (!inserted && catalog.path < it->second) it->second = catalog.path;
  }
}

std::optional<std::string> CatalogIndex::find(std::span<const std::string> digests) const {
  std::optional<std::string> best;
  for (const std::string& d : digests) {
    if (d.empty()) continue;
    if (auto it = by_digest_.find(d); it != by_digest_.end() && (!best || it->second < *best)) best = it->second;
  }
  return best;
}

}  // namespace drvsec::sig
