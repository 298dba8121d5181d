#include "sig/certificates.h"

#include <openssl/bn.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <string>
#include <unordered_map>

#include "base/hash.h"
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

// d2i for a DER element's whole encoding; nullptr when OpenSSL rejects it.
template <typename T, auto D2i>
T* decode_element(const der::Element& e) {
  const unsigned char* p = e.encoding.data();
  T* out = D2i(nullptr, &p, static_cast<long>(e.encoding.size()));
  ERR_clear_error();
  return out;
}

std::optional<std::string> iso8601_of(const der::Element& time) {
  std::unique_ptr<ASN1_TIME, ossl::Deleter<ASN1_TIME_free>> t(decode_element<ASN1_TIME, d2i_ASN1_TIME>(time));
  return t ? ossl::iso8601(t.get()) : std::nullopt;
}

// Extended key usages of an Extensions SEQUENCE (the value of tbsCertificate's [3]), sorted.
std::vector<std::string> extended_key_usages(std::span<const uint8_t> extensions) {
  std::vector<std::string> out;
  auto list = der::parse(extensions);
  if (!list || list->tag != der::tag::sequence) return out;
  der::Reader r(list->value);
  while (auto extension = r.next_if(der::tag::sequence)) {
    der::Reader e(extension->value);
    auto id = e.next_if(der::tag::oid);
    e.next_if(0x01);  // critical BOOLEAN DEFAULT FALSE
    auto value = e.next_if(der::tag::octet_string);
    if (!id || !value || der::oid_to_string(id->value) != "2.5.29.37") continue;
    const unsigned char* p = value->value.data();
    if (auto* eku = d2i_EXTENDED_KEY_USAGE(nullptr, &p, static_cast<long>(value->value.size()))) {
      for (int i = 0; i < sk_ASN1_OBJECT_num(eku); ++i) out.push_back(ossl::dotted(sk_ASN1_OBJECT_value(eku, i)));
      EXTENDED_KEY_USAGE_free(eku);
    }
    ERR_clear_error();
    break;
  }
  std::sort(out.begin(), out.end());
  return out;
}

// --- re-encoding without certificates --------------------------------------------------------------

// Size of a DER tag and definite length for a value of n bytes.
size_t header_size(size_t n) {
  size_t size = 2;
  if (n >= 0x80)
    for (size_t v = n; v; v >>= 8) ++size;
  return size;
}

void append_header(std::vector<uint8_t>& out, uint8_t tag, size_t n) {
  out.push_back(tag);
  if (n < 0x80) {
    out.push_back(static_cast<uint8_t>(n));
  } else {
    uint8_t bytes[sizeof(size_t)];
    int count = 0;
    for (size_t v = n; v; v >>= 8) bytes[count++] = static_cast<uint8_t>(v);
    out.push_back(static_cast<uint8_t>(0x80 | count));
    while (count) out.push_back(bytes[--count]);
  }
}

struct Split {
  std::vector<uint8_t> without_certificates;
  std::vector<std::span<const uint8_t>> certificates;
};

// ContentInfo { contentType, [0] EXPLICIT SignedData { version, digestAlgorithms, contentInfo,
// certificates [0] IMPLICIT OPTIONAL, crls [1] IMPLICIT OPTIONAL, signerInfos } }: the same
// ContentInfo re-encoded without `certificates`, and the certificates' encodings. The new encoding
// is written in one pass: signerInfos carry nested signatures and timestamps of many kilobytes.
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
  std::vector<std::span<const uint8_t>> kept;  // the SignedData fields other than certificates
  size_t fields_size = 0;
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
    kept.push_back(e->encoding);
    fields_size += e->encoding.size();
  }
  const size_t sequence_size = header_size(fields_size) + fields_size;
  const size_t info_size = type->encoding.size() + header_size(sequence_size) + sequence_size;
  std::vector<uint8_t>& encoded = out.without_certificates;
  encoded.reserve(header_size(info_size) + info_size);
  append_header(encoded, der::tag::sequence, info_size);
  encoded.insert(encoded.end(), type->encoding.begin(), type->encoding.end());
  append_header(encoded, der::tag::context0_constructed, sequence_size);
  append_header(encoded, der::tag::sequence, fields_size);
  for (auto field : kept) encoded.insert(encoded.end(), field.begin(), field.end());
  return out;
}

}  // namespace

// Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { version [0] EXPLICIT OPTIONAL, serialNumber,
// signature, issuer, validity { notBefore, notAfter }, subject, subjectPublicKeyInfo, issuerUniqueID [1]
// OPTIONAL, subjectUniqueID [2] OPTIONAL, extensions [3] EXPLICIT OPTIONAL }, signatureAlgorithm,
// signatureValue } (RFC 5280 4.1).
std::shared_ptr<const DecodedCertificate> DecodedCertificate::read(std::span<const uint8_t> der) {
  auto certificate = der::parse(der);
  if (!certificate || certificate->tag != der::tag::sequence) return nullptr;
  auto tbs = der::Reader(certificate->value).next_if(der::tag::sequence);
  if (!tbs) return nullptr;
  der::Reader r(tbs->value);
  r.next_if(der::tag::context0_constructed);
  auto serial = r.next_if(der::tag::integer);
  auto algorithm = r.next_if(der::tag::sequence);
  auto issuer = r.next_if(der::tag::sequence);
  auto validity = r.next_if(der::tag::sequence);
  auto subject = r.next_if(der::tag::sequence);
  auto public_key = r.next_if(der::tag::sequence);
  if (!serial || !algorithm || !issuer || !validity || !subject || !public_key) return nullptr;
  r.next_if(0x81);
  r.next_if(0x82);
  auto extensions = r.next_if(0xA3);

  auto out = std::make_shared<DecodedCertificate>();
  out->der_.assign(certificate->encoding.begin(), certificate->encoding.end());
  out->public_key_offset_ = static_cast<size_t>(public_key->encoding.data() - certificate->encoding.data());
  out->public_key_size_ = public_key->encoding.size();
  out->subject_.reset(decode_element<X509_NAME, d2i_X509_NAME>(*subject));
  out->issuer_.reset(decode_element<X509_NAME, d2i_X509_NAME>(*issuer));
  out->serial_.reset(decode_element<ASN1_INTEGER, d2i_ASN1_INTEGER>(*serial));
  if (!out->subject_ || !out->issuer_ || !out->serial_) return nullptr;
  Certificate& c = out->facts_;
  c.subject = name_text(out->subject_.get());
  c.subject_cn = common_name(out->subject_.get());
  c.issuer = name_text(out->issuer_.get());
  c.issuer_cn = common_name(out->issuer_.get());
  c.serial = serial_hex(out->serial_.get());
  der::Reader times(validity->value);
  if (auto not_before = times.next()) c.not_before = iso8601_of(*not_before).value_or("");
  if (auto not_after = times.next()) c.not_after = iso8601_of(*not_after).value_or("");
  c.self_issued = X509_NAME_cmp(out->subject_.get(), out->issuer_.get()) == 0;
  if (extensions) c.ekus = extended_key_usages(extensions->value);
  // TBS hashes over the certificate's own encoding of tbsCertificate.
  c.tbs_sha1 = ossl::hex_digest(tbs->encoding, ossl::md_for("sha1"));
  c.tbs_sha256 = ossl::hex_digest(tbs->encoding, ossl::md_for("sha256"));
  c.tbs_sha384 = ossl::hex_digest(tbs->encoding, ossl::md_for("sha384"));
  return out;
}

bool DecodedCertificate::has_issuer_and_serial(const X509_NAME* issuer, const ASN1_INTEGER* serial) const {
  return issuer && serial && ASN1_INTEGER_cmp(serial_.get(), serial) == 0 && X509_NAME_cmp(issuer_.get(), issuer) == 0;
}

namespace {

// OpenSSL's key type for a subjectPublicKeyInfo algorithm, or nullptr to let the decoders find out.
const char* key_type(std::span<const uint8_t> public_key_info) {
  auto spki = der::parse(public_key_info);
  if (!spki) return nullptr;
  auto algorithm = der::Reader(spki->value).next_if(der::tag::sequence);
  auto oid = algorithm ? der::Reader(algorithm->value).next_if(der::tag::oid) : std::nullopt;
  if (!oid) return nullptr;
  const std::string dotted = der::oid_to_string(oid->value);
  if (dotted == "1.2.840.113549.1.1.1") return "RSA";
  if (dotted == "1.2.840.10045.2.1") return "EC";
  return nullptr;
}

// OpenSSL 3.0 assembles a chain of provider decoders for every key it decodes (d2i_X509 and d2i_PUBKEY
// alike), which costs more than the decoding, and a chain for any key type costs several times one
// for RSA. So each thread builds one chain per key type, once, and reuses it.
class KeyDecoder {
 public:
  explicit KeyDecoder(const char* type)
      : context_(OSSL_DECODER_CTX_new_for_pkey(&decoded_, "DER", "SubjectPublicKeyInfo", type, EVP_PKEY_PUBLIC_KEY,
                                               nullptr, nullptr)) {}
  KeyDecoder(const KeyDecoder&) = delete;
  KeyDecoder& operator=(const KeyDecoder&) = delete;
  ~KeyDecoder() { OSSL_DECODER_CTX_free(context_); }

  EVP_PKEY* decode(std::span<const uint8_t> public_key_info) {
    if (!context_) return nullptr;
    const unsigned char* p = public_key_info.data();
    size_t length = public_key_info.size();
    decoded_ = nullptr;  // the context writes each key it decodes here
    EVP_PKEY* key = OSSL_DECODER_from_data(context_, &p, &length) == 1 ? decoded_ : nullptr;
    if (!key) EVP_PKEY_free(decoded_);
    decoded_ = nullptr;
    ERR_clear_error();
    return key;
  }

  // This thread's decoder for `type` ("RSA", "EC" or nullptr: any), built on first use.
  static KeyDecoder& for_type(const char* type) {
    thread_local std::optional<KeyDecoder> rsa, ec, any;
    std::optional<KeyDecoder>& decoder = !type ? any : std::string_view(type) == "RSA" ? rsa : ec;
    if (!decoder) decoder.emplace(type);
    return *decoder;
  }

 private:
  EVP_PKEY* decoded_ = nullptr;
  OSSL_DECODER_CTX* context_;
};

}  // namespace

EVP_PKEY* DecodedCertificate::public_key() const {
  std::call_once(decode_once_, [this] {
    const auto info = std::span(der_).subspan(public_key_offset_, public_key_size_);
    public_key_.reset(KeyDecoder::for_type(key_type(info)).decode(info));
  });
  return public_key_.get();
}

std::shared_ptr<const DecodedCertificate> decode_certificate(std::span<const uint8_t> der) {
  static std::mutex mutex;
  static std::unordered_map<std::string, std::shared_ptr<const DecodedCertificate>> cache;
  std::string key(der.begin(), der.end());
  {
    std::lock_guard lock(mutex);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
  }
  auto decoded = DecodedCertificate::read(der);  // outside the lock
  if (!decoded) return nullptr;
  std::lock_guard lock(mutex);
  if (cache.size() >= kMaxCachedCertificates) return decoded;
  return cache.emplace(std::move(key), decoded).first->second;
}

const DecodedCertificate* LoadedSignedData::find(const PKCS7_ISSUER_AND_SERIAL* id) const {
  if (!id) return nullptr;
  for (const auto& c : certificates)
    if (c->has_issuer_and_serial(id->issuer, id->serial)) return c.get();
  return nullptr;
}

std::optional<LoadedSignedData> load_signed_data(std::span<const uint8_t> der) {
  LoadedSignedData out;
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
  return out;
}

}  // namespace drvsec::sig
