// RAII holders and small helpers for the OpenSSL objects src/sig uses.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include <memory>
#include <optional>
#include <span>
#include <string>

namespace drvsec::sig::ossl {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const { Free(p); }
};
using Pkcs7 = std::unique_ptr<PKCS7, Deleter<PKCS7_free>>;
using SignerInfo = std::unique_ptr<PKCS7_SIGNER_INFO, Deleter<PKCS7_SIGNER_INFO_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using TstInfo = std::unique_ptr<TS_TST_INFO, Deleter<TS_TST_INFO_free>>;
using Object = std::unique_ptr<ASN1_OBJECT, Deleter<ASN1_OBJECT_free>>;

// The digest for "sha256" and the like (fetched once), or nullptr when unknown.
const EVP_MD* md_for(std::string_view algorithm);
// The digest an AlgorithmIdentifier's OID names (the common ones fetched once), or nullptr.
const EVP_MD* md_for(const ASN1_OBJECT* algorithm);

// Lower-case hex digest of `data` with `md`; empty when md is null or hashing fails.
std::string hex_digest(std::span<const uint8_t> data, const EVP_MD* md);

// "2024-05-01T12:00:00Z", or nullopt when the time does not parse.
std::optional<std::string> iso8601(const ASN1_TIME* time);
// Dotted form of an ASN1_OBJECT.
std::string dotted(const ASN1_OBJECT* object);

}  // namespace drvsec::sig::ossl
