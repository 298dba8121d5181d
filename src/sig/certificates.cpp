#include "sig/certificates.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/hash.h"
#include "sig/der.h"

namespace drvsec::sig {

namespace {

constexpr size_t kMaxCachedCertificates = 4096;

std::string name_text(const X509_NAME* name) {
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) return {};
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

std::string common_name(const X509_NAME* name) {
  const int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (i < 0) return {};
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
  if (n < 0) return {};
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

std::string serial_hex(const ASN1_INTEGER* serial) {
  std::unique_ptr<BIGNUM, ossl::Deleter<BN_free>> bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn) return {};
  char* text = BN_bn2hex(bn.get());
  if (!text) return {};
  std::string out(text);
  OPENSSL_free(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Certificate describe(X509* x) {
  Certificate c;
  c.subject = name_text(X509_get_subject_name(x));
  c.subject_cn = common_name(X509_get_subject_name(x));
  c.issuer = name_text(X509_get_issuer_name(x));
  c.issuer_cn = common_name(X509_get_issuer_name(x));
  c.serial = serial_hex(X509_get0_serialNumber(x));
  c.not_before = ossl::iso8601(X509_get0_notBefore(x)).value_or("");
  c.not_after = ossl::iso8601(X509_get0_notAfter(x)).value_or("");
  c.self_issued = X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) == 0;
  if (auto* eku = static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(x, NID_ext_key_usage, nullptr, nullptr))) {
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku); ++i) c.ekus.push_back(ossl::dotted(sk_ASN1_OBJECT_value(eku, i)));
    EXTENDED_KEY_USAGE_free(eku);
    std::sort(c.ekus.begin(), c.ekus.end());
  }
  // TBS hashes over the certificate's own encoding of tbsCertificate (first element of the SEQUENCE).
  unsigned char* encoded = nullptr;
  const int length = i2d_X509(x, &encoded);
  if (length > 0) {
    if (auto outer = der::parse(std::span(encoded, static_cast<size_t>(length)))) {
      if (auto tbs = der::Reader(outer->value).next()) {
        c.tbs_sha1 = ossl::hex_digest(tbs->encoding, EVP_sha1());
        c.tbs_sha256 = ossl::hex_digest(tbs->encoding, EVP_sha256());
        c.tbs_sha384 = ossl::hex_digest(tbs->encoding, EVP_sha384());
      }
    }
  }
  OPENSSL_free(encoded);
  return c;
}

// --- re-encoding without certificates --------------------------------------------------------------

void append_element(std::vector<uint8_t>& out, uint8_t tag, std::span<const uint8_t> value) {
  out.push_back(tag);
  const size_t n = value.size();
  if (n < 0x80) {
    out.push_back(static_cast<uint8_t>(n));
  } else {
    uint8_t bytes[4];
    int count = 0;
    for (size_t v = n; v; v >>= 8) bytes[count++] = static_cast<uint8_t>(v);
    out.push_back(static_cast<uint8_t>(0x80 | count));
    while (count) out.push_back(bytes[--count]);
  }
  out.insert(out.end(), value.begin(), value.end());
}

struct Split {
  std::vector<uint8_t> without_certificates;
  std::vector<std::span<const uint8_t>> certificates;
};

// ContentInfo { contentType, [0] EXPLICIT SignedData { version, digestAlgorithms, contentInfo,
// certificates [0] IMPLICIT OPTIONAL, crls [1] IMPLICIT OPTIONAL, signerInfos } }: the same
// ContentInfo re-encoded without `certificates`, and the certificates' encodings.
std::optional<Split> split_certificates(std::span<const uint8_t> der) {
  auto content_info = der::parse(der);
  if (!content_info || content_info->tag != der::tag::sequence) return std::nullopt;
  der::Reader ci(content_info->value);
  auto type = ci.next_if(der::tag::oid);
  auto wrapper = ci.next_if(der::tag::context0_constructed);
  if (!type || !wrapper) return std::nullopt;
  auto signed_data = der::parse(wrapper->value);
  if (!signed_data || signed_data->tag != der::tag::sequence) return std::nullopt;
  Split out;
  std::vector<uint8_t> fields;
  der::Reader sd(signed_data->value);
  while (!sd.at_end()) {
    auto e = sd.next();
    if (!e) return std::nullopt;
    if (e->tag == der::tag::context0_constructed) {
      der::Reader certs(e->value);
      while (!certs.at_end()) {
        auto c = certs.next();
        if (!c) return std::nullopt;
        if (c->tag == der::tag::sequence) out.certificates.push_back(c->encoding);  // others: attribute certs
      }
      continue;
    }
    fields.insert(fields.end(), e->encoding.begin(), e->encoding.end());
  }
  std::vector<uint8_t> sequence, explicit_wrapper, info;
  append_element(sequence, der::tag::sequence, fields);
  append_element(explicit_wrapper, der::tag::context0_constructed, sequence);
  info.insert(info.end(), type->encoding.begin(), type->encoding.end());
  info.insert(info.end(), explicit_wrapper.begin(), explicit_wrapper.end());
  append_element(out.without_certificates, der::tag::sequence, info);
  return out;
}

std::shared_ptr<const DecodedCertificate> decode_uncached(std::span<const uint8_t> der) {
  const unsigned char* p = der.data();
  auto decoded = std::make_shared<DecodedCertificate>();
  decoded->x509.reset(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  ERR_clear_error();
  if (!decoded->x509) return nullptr;
  decoded->facts = describe(decoded->x509.get());
  return decoded;
}

}  // namespace

std::shared_ptr<const DecodedCertificate> decode_certificate(std::span<const uint8_t> der) {
  static std::mutex mutex;
  static std::unordered_map<std::string, std::shared_ptr<const DecodedCertificate>> cache;
  std::string key(der.begin(), der.end());
  {
    std::lock_guard lock(mutex);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
  }
  auto decoded = decode_uncached(der);  // outside the lock: decoding is the slow part
  if (!decoded) return nullptr;
  std::lock_guard lock(mutex);
  if (cache.size() >= kMaxCachedCertificates) return decoded;
  return cache.emplace(std::move(key), decoded).first->second;
}

const DecodedCertificate* LoadedSignedData::find(X509* x509) const {
  for (const auto& c : certificates)
    if (c->x509.get() == x509) return c.get();
  return nullptr;
}

std::optional<LoadedSignedData> load_signed_data(std::span<const uint8_t> der) {
  LoadedSignedData out;
  out.stack.reset(sk_X509_new_null());
  if (!out.stack) return std::nullopt;
  auto split = split_certificates(der);
  const std::span<const uint8_t> to_decode = split ? std::span<const uint8_t>(split->without_certificates) : der;
  const unsigned char* p = to_decode.data();
  out.p7.reset(d2i_PKCS7(nullptr, &p, static_cast<long>(to_decode.size())));
  ERR_clear_error();
  if (!out.p7 || !PKCS7_type_is_signed(out.p7.get()) || !out.p7->d.sign) return std::nullopt;
  if (split) {
    for (auto c : split->certificates)
      if (auto decoded = decode_certificate(c)) out.certificates.push_back(std::move(decoded));
  } else {
    // BER encodings (indefinite lengths) keep their certificates inside the PKCS7 object.
    STACK_OF(X509)* embedded = out.p7->d.sign->cert;
    for (int i = 0; i < sk_X509_num(embedded); ++i) {
      unsigned char* encoded = nullptr;
      const int n = i2d_X509(sk_X509_value(embedded, i), &encoded);
      if (n > 0)
        if (auto decoded = decode_certificate(std::span(encoded, static_cast<size_t>(n))))
          out.certificates.push_back(std::move(decoded));
      OPENSSL_free(encoded);
    }
  }
  for (const auto& c : out.certificates) sk_X509_push(out.stack.get(), c->x509.get());
  return out;
}

}  // namespace drvsec::sig
