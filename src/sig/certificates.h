// Certificates of PKCS#7 blobs, decoded once per process. OpenSSL 3.0 spends about half a millisecond
// decoding one certificate (its public key goes through the provider decoders), and the same CA and
// timestamping certificates recur in almost every signed driver; so SignedData is decoded without
// its certificates and each distinct certificate is decoded once and shared (read-only) by all files.
#pragma once

#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "sig/openssl_util.h"
#include "sig/signature.h"

namespace drvsec::sig {

struct DecodedCertificate {
  std::unique_ptr<X509, ossl::Deleter<X509_free>> x509;
  Certificate facts;
};

// The decoded certificate for `der` (nullptr when OpenSSL cannot decode it).
std::shared_ptr<const DecodedCertificate> decode_certificate(std::span<const uint8_t> der);

// A decoded SignedData ContentInfo and the certificates it carries.
struct X509StackView {  // frees the stack, not the certificates
  void operator()(STACK_OF(X509) * s) const { sk_X509_free(s); }
};

struct LoadedSignedData {
  ossl::Pkcs7 p7;
  std::vector<std::shared_ptr<const DecodedCertificate>> certificates;
  std::unique_ptr<STACK_OF(X509), X509StackView> stack;  // non-owning view of `certificates`

  const DecodedCertificate* find(X509* x509) const;
};

// Decodes `der` (DER, or BER through a slower path); nullopt when it is not a SignedData.
std::optional<LoadedSignedData> load_signed_data(std::span<const uint8_t> der);

}  // namespace drvsec::sig
