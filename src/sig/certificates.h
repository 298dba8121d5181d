// Certificates of PKCS#7 blobs, decoded once per process. OpenSSL 3.0 spends about half a millisecond
// turning one certificate into an X509 (its public key goes through the provider decoders), and the same
// CA and timestamping certificates recur in almost every signed driver. So SignedData is decoded
// without its certificates; each distinct certificate is read once from its DER (names, serial,
// validity, EKUs, TBS hashes) and shared read-only by all files; only the public keys of
// certificates that sign something (a signer, a timestamping authority) are decoded, through one
// reusable decoder per thread.
#pragma once

#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "sig/openssl_util.h"
#include "sig/signature.h"

namespace drvsec::sig {

class DecodedCertificate {
 public:
  // nullptr when `der` is not a certificate (its TBSCertificate does not parse).
  static std::shared_ptr<const DecodedCertificate> read(std::span<const uint8_t> der);

  const Certificate& facts() const { return facts_; }
  const X509_NAME* subject() const { return subject_.get(); }
  const X509_NAME* issuer() const { return issuer_.get(); }
  bool has_issuer_and_serial(const X509_NAME* issuer, const ASN1_INTEGER* serial) const;
  // The subjectPublicKeyInfo's key, decoded on first use (thread-safe); nullptr when OpenSSL cannot
  // decode it.
  EVP_PKEY* public_key() const;

 private:
  std::vector<uint8_t> der_;
  Certificate facts_;
  std::unique_ptr<X509_NAME, ossl::Deleter<X509_NAME_free>> subject_, issuer_;
  std::unique_ptr<ASN1_INTEGER, ossl::Deleter<ASN1_INTEGER_free>> serial_;
  size_t public_key_offset_ = 0, public_key_size_ = 0;  // the subjectPublicKeyInfo within der_
  mutable std::once_flag decode_once_;
  mutable std::unique_ptr<EVP_PKEY, ossl::Deleter<EVP_PKEY_free>> public_key_;
};

// The certificate for `der`, shared with every other SignedData that embeds the same bytes.
std::shared_ptr<const DecodedCertificate> decode_certificate(std::span<const uint8_t> der);

// A decoded SignedData ContentInfo and the certificates it carries.
struct LoadedSignedData {
  ossl::Pkcs7 p7;
  std::vector<std::shared_ptr<const DecodedCertificate>> certificates;

  // The embedded certificate with this issuer and serial number (a SignerInfo's signer), or nullptr.
  const DecodedCertificate* find(const PKCS7_ISSUER_AND_SERIAL* id) const;
};

// Decodes `der` (DER, or BER through a slower path); nullopt when it is not a SignedData.
std::optional<LoadedSignedData> load_signed_data(std::span<const uint8_t> der);

}  // namespace drvsec::sig
