#include "sig/signed_data.h"

#include <openssl/err.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <array>
#include <cstring>

#include <fmt/format.h>

#include "base/hash.h"
#include "sig/authenticode.h"
#include "sig/certificates.h"
#include "sig/der.h"
#include "sig/openssl_util.h"

namespace drvsec::sig {

namespace {

constexpr size_t kMaxCertificateTableEntries = 16;
constexpr size_t kMaxChainLength = 10;

std::span<const uint8_t> bytes_of(const ASN1_STRING* s) {
  if (!s || s->length <= 0 || !s->data) return {};
  return std::span(s->data, static_cast<size_t>(s->length));
}

// Leaf first, then each issuer found among the embedded certificates, up to a self-issued one.
std::vector<const DecodedCertificate*> build_chain(const DecodedCertificate* leaf, const LoadedSignedData& loaded) {
  std::vector<const DecodedCertificate*> chain{leaf};
  while (chain.size() < kMaxChainLength) {
    const DecodedCertificate* current = chain.back();
    if (current->facts().self_issued) break;
    const DecodedCertificate* issuer = nullptr;
    for (const auto& candidate : loaded.certificates) {
      if (std::find(chain.begin(), chain.end(), candidate.get()) != chain.end()) continue;
      if (X509_NAME_cmp(candidate->subject(), current->issuer()) == 0) {
        issuer = candidate.get();
        break;
      }
    }
    if (!issuer) break;
    chain.push_back(issuer);
  }
  return chain;
}

// The bytes a SignedData's signature covers: the value of the content (Authenticode and catalogs
// embed a SEQUENCE; CMS-style encoders an OCTET STRING).
std::optional<std::vector<uint8_t>> content_value(PKCS7* contents) {
  if (!contents) return std::nullopt;
  if (PKCS7_type_is_data(contents)) {
    auto b = bytes_of(contents->d.data);
    return std::vector<uint8_t>(b.begin(), b.end());
  }
  const ASN1_TYPE* other = contents->d.other;
  if (!other) return std::nullopt;
  if (other->type == V_ASN1_OCTET_STRING) {
    auto b = bytes_of(other->value.octet_string);
    return std::vector<uint8_t>(b.begin(), b.end());
  }
  if (other->type != V_ASN1_SEQUENCE) return std::nullopt;
  auto e = der::parse(bytes_of(other->value.sequence));
  if (!e) return std::nullopt;
  return std::vector<uint8_t>(e->value.begin(), e->value.end());
}

// Digest algorithm name of an AlgorithmIdentifier ("sha256"), or its dotted OID when unknown.
std::string algorithm_name(const X509_ALGOR* algorithm) {
  if (!algorithm) return {};
  const std::string dotted = ossl::dotted(algorithm->algorithm);
  if (auto a = digest_algorithm_from_oid(dotted)) return std::string(to_string(*a));
  return dotted;
}

// The value of the first attribute with `oid` in a list of attributes, as DER bytes of a SEQUENCE.
std::vector<std::span<const uint8_t>> attribute_sequences(STACK_OF(X509_ATTRIBUTE) * attributes, std::string_view oid) {
  std::vector<std::span<const uint8_t>> out;
  for (int i = 0; i < sk_X509_ATTRIBUTE_num(attributes); ++i) {
    X509_ATTRIBUTE* a = sk_X509_ATTRIBUTE_value(attributes, i);
    if (ossl::dotted(X509_ATTRIBUTE_get0_object(a)) != oid) continue;
    for (int v = 0; v < X509_ATTRIBUTE_count(a); ++v) {
      const ASN1_TYPE* t = X509_ATTRIBUTE_get0_type(a, v);
      if (t && t->type == V_ASN1_SEQUENCE) out.push_back(bytes_of(t->value.sequence));
    }
  }
  return out;
}

enum class DigestForm { digest_info, or_bare_digest };

// Whether `signature` is `key`'s signature of `data` with digest `md` (PKCS#1 DigestInfo). With
// or_bare_digest, also accepts RSA signatures over the bare digest, which legacy Authenticode
// timestamping services (VeriSign/Symantec) produced for their countersignatures.
bool verify_signature_over(std::span<const uint8_t> data, const EVP_MD* md, EVP_PKEY* key,
                           const ASN1_OCTET_STRING* signature, DigestForm form) {
  if (!key || !signature) return false;
  ossl::MdCtx ctx(EVP_MD_CTX_new());
  if (ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) == 1 &&
      EVP_DigestVerify(ctx.get(), signature->data, static_cast<size_t>(signature->length), data.data(), data.size()) == 1)
    return true;
  ERR_clear_error();
  if (form != DigestForm::or_bare_digest || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) return false;
  std::unique_ptr<EVP_PKEY_CTX, ossl::Deleter<EVP_PKEY_CTX_free>> pctx(EVP_PKEY_CTX_new(key, nullptr));
  std::array<uint8_t, 1024> recovered{};
  size_t length = recovered.size();
  const bool recovered_ok = pctx && EVP_PKEY_verify_recover_init(pctx.get()) == 1 &&
                            EVP_PKEY_CTX_set_rsa_padding(pctx.get(), RSA_PKCS1_PADDING) == 1 &&
                            EVP_PKEY_verify_recover(pctx.get(), recovered.data(), &length, signature->data,
                                                    static_cast<size_t>(signature->length)) == 1;
  ERR_clear_error();
  return recovered_ok && to_hex(std::span(recovered.data(), length)) == ossl::hex_digest(data, md);
}

// What PKCS7_signatureVerify checks, with the signer's key taken from the embedded certificate with
// the SignerInfo's issuer and serial number: the messageDigest attribute is the digest of `content`,
// and the signature covers the DER of the authenticated attributes (without attributes, `content`).
bool verify_signer_info(const LoadedSignedData& loaded, PKCS7_SIGNER_INFO* si, std::span<const uint8_t> content,
                        DigestForm form = DigestForm::digest_info) {
  const DecodedCertificate* signer = loaded.find(si->issuer_and_serial);
  EVP_PKEY* key = signer ? signer->public_key() : nullptr;
  const EVP_MD* md = si->digest_alg ? ossl::md_for(si->digest_alg->algorithm) : nullptr;
  if (!key || !md) return false;
  if (sk_X509_ATTRIBUTE_num(si->auth_attr) <= 0) return verify_signature_over(content, md, key, si->enc_digest, form);
  const ASN1_TYPE* digest = PKCS7_get_signed_attribute(si, NID_pkcs9_messageDigest);
  if (!digest || digest->type != V_ASN1_OCTET_STRING) return false;
  if (ossl::hex_digest(content, md) != to_hex(bytes_of(digest->value.octet_string))) return false;
  unsigned char* attributes = nullptr;
  const int n = ASN1_item_i2d(reinterpret_cast<ASN1_VALUE*>(si->auth_attr), &attributes, ASN1_ITEM_rptr(PKCS7_ATTR_VERIFY));
  const bool verified =
      n > 0 && verify_signature_over(std::span(attributes, static_cast<size_t>(n)), md, key, si->enc_digest, form);
  ERR_clear_error();
  OPENSSL_free(attributes);
  return verified;
}

// Legacy (PKCS#9) countersignature: a SignerInfo over the signature value, with a signingTime. Its
// signer's certificate is among the embedded certificates of the countersigned SignedData.
void read_legacy_countersignature(std::span<const uint8_t> der, const LoadedSignedData& loaded, PKCS7_SIGNER_INFO* si,
                                  Signature& sig) {
  const unsigned char* p = der.data();
  ossl::SignerInfo csi(d2i_PKCS7_SIGNER_INFO(nullptr, &p, static_cast<long>(der.size())));
  ERR_clear_error();
  if (!csi) return;
  const ASN1_TYPE* time = PKCS7_get_signed_attribute(csi.get(), NID_pkcs9_signingTime);
  if (time && (time->type == V_ASN1_UTCTIME || time->type == V_ASN1_GENERALIZEDTIME))
    sig.signing_time = ossl::iso8601(time->value.utctime);
  // Binding: the countersignature's message digest is the digest of the signature value.
  sig.timestamp_verified = verify_signer_info(loaded, csi.get(), bytes_of(si->enc_digest), DigestForm::or_bare_digest);
}

// RFC 3161 timestamp token (Microsoft's 1.3.6.1.4.1.311.3.3.1 attribute): a SignedData over TSTInfo.
void read_rfc3161_timestamp(std::span<const uint8_t> der, PKCS7_SIGNER_INFO* si, Signature& sig) {
  auto token = load_signed_data(der);
  if (!token) return;
  ossl::TstInfo tst(PKCS7_to_TS_TST_INFO(token->p7.get()));
  if (!tst) return;
  sig.signing_time = ossl::iso8601(TS_TST_INFO_get_time(tst.get()));
  TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(tst.get());
  const EVP_MD* md = ossl::md_for(TS_MSG_IMPRINT_get_algo(imprint)->algorithm);
  const bool bound = md && ossl::hex_digest(bytes_of(si->enc_digest), md) == to_hex(bytes_of(TS_MSG_IMPRINT_get_msg(imprint)));
  STACK_OF(PKCS7_SIGNER_INFO)* signers = PKCS7_get_signer_info(token->p7.get());
  auto content = content_value(token->p7->d.sign->contents);
  sig.timestamp_verified = bound && content && sk_PKCS7_SIGNER_INFO_num(signers) == 1 &&
                           verify_signer_info(*token, sk_PKCS7_SIGNER_INFO_value(signers, 0), *content);
}

}  // namespace

std::string_view to_string(SignerKind k) {
  switch (k) {
    case SignerKind::unsigned_: return "unsigned";
    case SignerKind::test: return "test";
    case SignerKind::vendor: return "vendor";
    case SignerKind::microsoft_hardware: return "microsoft_hardware";
    case SignerKind::microsoft: return "microsoft";
    case SignerKind::unknown: return "unknown";
  }
  return "unknown";
}

std::vector<std::span<const uint8_t>> certificate_table_entries(std::span<const uint8_t> table,
                                                                 std::vector<std::string>& problems) {
  constexpr uint16_t kPkcsSignedData = 2;  // WIN_CERT_TYPE_PKCS_SIGNED_DATA
  std::vector<std::span<const uint8_t>> out;
  size_t offset = 0;
  while (table.size() - offset >= 8) {
    if (out.size() >= kMaxCertificateTableEntries) {
      problems.push_back(fmt::format("certificate table has more than {} entries; the rest is ignored",
                                     kMaxCertificateTableEntries));
      break;
    }
    const uint8_t* e = table.data() + offset;
    const uint32_t length = e[0] | e[1] << 8 | e[2] << 16 | static_cast<uint32_t>(e[3]) << 24;
    const uint16_t type = static_cast<uint16_t>(e[6] | e[7] << 8);
    if (length < 8 || length > table.size() - offset) {
      problems.push_back(fmt::format("certificate table entry at +0x{:X} has an invalid length {}", offset, length));
      break;
    }
    if (type == kPkcsSignedData) out.push_back(table.subspan(offset + 8, length - 8));
    else problems.push_back(fmt::format("certificate table entry of type {} is not PKCS#7 SignedData", type));
    offset += (static_cast<size_t>(length) + 7) & ~size_t{7};
    if (offset >= table.size()) break;
  }
  if (out.empty() && problems.empty()) problems.push_back("certificate table holds no PKCS#7 signature");
  return out;
}

namespace {

// SpcAttributeTypeAndOptionalValue { type 1.3.6.1.4.1.311.2.1.15, value SpcPeImageData { flags BIT STRING,
// file [0] EXPLICIT SpcLink } }, SpcLink moniker [1] IMPLICIT SpcSerializedObject { classId OCTET STRING,
// serializedData OCTET STRING }; serializedData: SET { SEQUENCE { OID page_hashes_v1/v2, SET { OCTET STRING table } } }.
std::optional<PageHashTable> page_hash_table(std::span<const uint8_t> attribute) {
  der::Reader a(attribute);
  auto type = a.next_if(der::tag::oid);
  auto image_data = a.next_if(der::tag::sequence);
  if (!type || !image_data || der::oid_to_string(type->value) != "1.3.6.1.4.1.311.2.1.15") return std::nullopt;
  der::Reader pe(image_data->value);
  pe.next_if(der::tag::bit_string);
  auto file = pe.next_if(der::tag::context0_constructed);
  if (!file) return std::nullopt;
  auto moniker = der::Reader(file->value).next_if(0xA1);
  if (!moniker) return std::nullopt;
  der::Reader m(moniker->value);
  auto class_id = m.next_if(der::tag::octet_string);
  auto serialized = m.next_if(der::tag::octet_string);
  if (!class_id || !serialized) return std::nullopt;
  auto set = der::parse(serialized->value);
  if (!set || set->tag != der::tag::set) return std::nullopt;
  der::Reader attributes(set->value);
  while (auto entry = attributes.next_if(der::tag::sequence)) {
    der::Reader e(entry->value);
    auto oid = e.next_if(der::tag::oid);
    auto values = e.next_if(der::tag::set);
    if (!oid || !values) continue;
    const std::string dotted = der::oid_to_string(oid->value);
    if (dotted != oid::page_hashes_v1 && dotted != oid::page_hashes_v2) continue;
    auto table = der::Reader(values->value).next_if(der::tag::octet_string);
    if (!table) return std::nullopt;
    return PageHashTable{dotted == oid::page_hashes_v1 ? "sha1" : "sha256",
                         std::vector<uint8_t>(table->value.begin(), table->value.end())};
  }
  return std::nullopt;
}

}  // namespace

std::optional<IndirectDigest> parse_indirect_data(std::span<const uint8_t> content) {
  // SpcIndirectDataContent ::= SEQUENCE { data SpcAttributeTypeAndOptionalValue, messageDigest DigestInfo }
  der::Reader r(content);
  auto data = r.next_if(der::tag::sequence);
  if (!data) return std::nullopt;
  auto digest_info = r.next_if(der::tag::sequence);
  if (!digest_info) return std::nullopt;
  der::Reader d(digest_info->value);
  auto algorithm = d.next_if(der::tag::sequence);
  auto digest = d.next_if(der::tag::octet_string);
  if (!algorithm || !digest) return std::nullopt;
  auto algorithm_oid = der::Reader(algorithm->value).next_if(der::tag::oid);
  if (!algorithm_oid) return std::nullopt;
  const std::string dotted = der::oid_to_string(algorithm_oid->value);
  IndirectDigest out;
  if (auto a = digest_algorithm_from_oid(dotted)) out.algorithm = to_string(*a);
  else out.algorithm = dotted;
  out.digest = to_hex(digest->value);
  out.page_hashes = page_hash_table(data->value);
  return out;
}

void parse_signed_data(std::span<const uint8_t> der, std::vector<ParsedSignedData>& out,
                       std::vector<std::string>& problems, int depth) {
  auto loaded = load_signed_data(der);
  if (!loaded) {
    problems.push_back("signature is not a parsable PKCS#7 SignedData");
    return;
  }
  PKCS7* p7 = loaded->p7.get();
  PKCS7_SIGNED* sd = p7->d.sign;
  ParsedSignedData parsed;
  Signature& sig = parsed.signature;
  sig.nested = depth > 0;
  if (sd->contents) parsed.content_type = ossl::dotted(sd->contents->type);
  auto content = content_value(sd->contents);
  if (!content) {
    problems.push_back("SignedData has no embedded content");
    return;
  }
  parsed.content = std::move(*content);
  if (parsed.content_type == oid::spc_indirect_data) {
    if (auto indirect = parse_indirect_data(parsed.content)) {
      sig.digest_algorithm = indirect->algorithm;
      sig.signed_digest = indirect->digest;
      parsed.page_hashes = std::move(indirect->page_hashes);
    } else {
      problems.push_back("SpcIndirectDataContent is malformed");
    }
  }

  STACK_OF(PKCS7_SIGNER_INFO)* signers = PKCS7_get_signer_info(p7);
  if (sk_PKCS7_SIGNER_INFO_num(signers) != 1) {
    problems.push_back(fmt::format("SignedData has {} signers (Authenticode requires one)", sk_PKCS7_SIGNER_INFO_num(signers)));
    if (sk_PKCS7_SIGNER_INFO_num(signers) < 1) return;
  }
  PKCS7_SIGNER_INFO* si = sk_PKCS7_SIGNER_INFO_value(signers, 0);
  sig.signer_digest_algorithm = algorithm_name(si->digest_alg);
  if (const DecodedCertificate* leaf = loaded->find(si->issuer_and_serial)) {
    for (const DecodedCertificate* c : build_chain(leaf, *loaded)) sig.chain.push_back(c->facts());
    sig.signature_valid = verify_signer_info(*loaded, si, parsed.content);
  } else {
    problems.push_back("the signer's certificate is not among the embedded certificates");
  }

  for (auto blob : attribute_sequences(si->auth_attr, oid::spc_sp_opus_info))
    if (!sig.program_name) sig.program_name = parse_opus_program_name(blob);
  for (auto blob : attribute_sequences(si->unauth_attr, "1.2.840.113549.1.9.6"))
    read_legacy_countersignature(blob, *loaded, si, sig);
  for (auto blob : attribute_sequences(si->unauth_attr, oid::rfc3161_timestamp)) read_rfc3161_timestamp(blob, si, sig);
  sig.kind = classify_signer(sig);

  const auto nested = attribute_sequences(si->unauth_attr, oid::nested_signature);
  out.push_back(std::move(parsed));
  if (nested.empty()) return;
  if (depth >= kMaxNestingDepth) {
    problems.push_back("nested signatures deeper than 2 levels are ignored");
    return;
  }
  for (size_t i = 0; i < nested.size(); ++i) {
    if (i >= kMaxNestedSignatures) {
      problems.push_back(fmt::format("more than {} nested signatures; the rest is ignored", kMaxNestedSignatures));
      break;
    }
    parse_signed_data(nested[i], out, problems, depth + 1);
  }
}

std::optional<std::string> parse_opus_program_name(std::span<const uint8_t> der) {
  constexpr size_t kMaxProgramName = 1024;  // bytes of string value; longer names are not vendor names
  auto opus = der::parse(der);
  if (!opus || opus->tag != der::tag::sequence) return std::nullopt;
  auto program = der::Reader(opus->value).next_if(der::tag::context0_constructed);
  if (!program) return std::nullopt;
  auto text = der::Reader(program->value).next();
  if (!text || text->value.size() > kMaxProgramName) return std::nullopt;
  // Let OpenSSL convert: BMPString (UTF-16BE) or IA5String to UTF-8.
  const int type = text->tag == 0x80 ? V_ASN1_BMPSTRING : text->tag == 0x81 ? V_ASN1_IA5STRING : -1;
  if (type < 0 || (type == V_ASN1_BMPSTRING && text->value.size() % 2)) return std::nullopt;
  std::unique_ptr<ASN1_STRING, ossl::Deleter<ASN1_STRING_free>> string(ASN1_STRING_type_new(type));
  if (!string || ASN1_STRING_set(string.get(), text->value.data(), static_cast<int>(text->value.size())) != 1)
    return std::nullopt;
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, string.get());
  ERR_clear_error();
  if (n < 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

SignerKind classify_signer(const Signature& signature) {
  if (signature.chain.empty()) return SignerKind::unknown;
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  auto starts = [](const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; };
  // Well-known test certificates: Visual Studio/WDK test signing ("WDKTestCert <user>,<id>"),
  // makecert's default root ("Root Agency"), Microsoft's test roots used for test-signed builds.
  for (const Certificate& c : signature.chain) {
    for (const std::string& name : {lower(c.subject_cn), lower(c.issuer_cn)})
      if (starts(name, "wdktestcert") || name == "root agency" || starts(name, "microsoft testing root") ||
          starts(name, "microsoft test root"))
        return SignerKind::test;
  }
  const Certificate& leaf = signature.chain.front();
  if (leaf.self_issued) return SignerKind::test;
  const std::string subject = lower(leaf.subject_cn), issuer = lower(leaf.issuer_cn);
  const bool whql_eku = std::any_of(leaf.ekus.begin(), leaf.ekus.end(), [](const std::string& e) {
    return e == "1.3.6.1.4.1.311.10.3.5" || e == "1.3.6.1.4.1.311.10.3.5.1";  // WHQL, attestation
  });
  if (starts(issuer, "microsoft") && (subject == "microsoft windows hardware compatibility publisher" || whql_eku))
    return SignerKind::microsoft_hardware;
  if (starts(issuer, "microsoft") && starts(subject, "microsoft")) return SignerKind::microsoft;
  return SignerKind::vendor;
}

}  // namespace drvsec::sig
