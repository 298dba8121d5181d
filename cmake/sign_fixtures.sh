#!/usr/bin/env bash
# sign_fixtures.sh <out_dir> <unsigned x64 driver> <unsigned x86 driver>
# Builds a throw-away test PKI with the openssl CLI (root CA, code-signing leaf, an expired leaf, a
# timestamping certificate, a self-signed "WDKTestCert"-style certificate) and signs copies of the
# fixture drivers with osslsigncode: SHA-256, SHA-1, nested SHA-1 + SHA-256, page hashes, test
# certificate, expired certificate with and without a timestamp, and one tampered after signing.
# Nothing here is trusted by anything: the keys are generated at build time and never committed.
set -euo pipefail
out=$1
x64=$(realpath "$2")
x86=$(realpath "$3")
rm -rf "$out"
mkdir -p "$out/pki"
cd "$out/pki"
exec 3>&2 2>openssl.log  # keep the build log quiet; errors still fail the command

cat >ca.cnf <<'CNF'
[ ca ]
default_ca = test_ca
[ test_ca ]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
unique_subject = no
[ any ]
commonName = supplied
organizationName = optional
[ codesign ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
[ tsa ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
CNF
: >index.txt
echo 1000 >serial

openssl req -x509 -newkey rsa:2048 -nodes -keyout root.key -out root.pem -days 3650 -sha256 \
  -subj "/O=drvsec fixtures/CN=drvsec Test Root CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"

issue() {  # issue <name> <subject> <extensions> <startdate> <enddate>
  openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2"
  openssl ca -batch -notext -config ca.cnf -cert root.pem -keyfile root.key -in "$1.csr" -out "$1.pem" \
    -extensions "$3" -startdate "$4" -enddate "$5"
  cat "$1.pem" root.pem >"$1.chain.pem"
}
issue leaf "/O=drvsec fixtures/CN=drvsec Test Driver Publisher" codesign 20240101000000Z 20340101000000Z
issue expired "/O=drvsec fixtures/CN=drvsec Expired Driver Publisher" codesign 20200101000000Z 20210101000000Z
issue tsa "/O=drvsec fixtures/CN=drvsec Test Timestamping Authority" tsa 20190101000000Z 20390101000000Z

# What Visual Studio's test signing makes: a self-signed "WDKTestCert <user>,<id>" code-signing certificate.
openssl req -x509 -newkey rsa:2048 -nodes -keyout wdktest.key -out wdktest.pem -days 3650 -sha256 \
  -subj "/CN=WDKTestCert drvsec,133457000000000000" -addext "extendedKeyUsage=codeSigning"
exec 2>&3

sign() {  # sign <cert prefix> <in> <out> <options...>
  local prefix=$1 in=$2 dst=$3
  shift 3
  local certs=$prefix.chain.pem
  [ -f "$certs" ] || certs=$prefix.pem
  osslsigncode sign -certs "$certs" -key "$prefix.key" -in "$in" -out "$dst" "$@" >/dev/null
}
sign leaf "$x64" ../signed_sha256.sys -h sha256
sign leaf "$x86" ../signed_sha256_x86.sys -h sha256
sign leaf "$x64" ../signed_sha1.sys -h sha1
sign leaf ../signed_sha1.sys ../signed_nested.sys -h sha256 -nest
sign leaf "$x64" ../signed_page_hashes.sys -h sha256 -ph
sign wdktest "$x64" ../signed_test_cert.sys -h sha256
# SpcSpOpusInfo programName: what App Control's CertOemID compares (the vendor of WHCP-signed drivers).
sign leaf "$x64" ../signed_oem.sys -h sha256 -n "drvsec OEM Vendor Ltd."
# Signed in 2020, while the certificate was valid; one copy carries a timestamp from that time.
sign expired "$x64" ../signed_expired.sys -h sha256 -time 1590000000
sign expired "$x64" ../signed_expired_timestamped.sys -h sha256 -time 1590000000 \
  -TSA-certs tsa.chain.pem -TSA-key tsa.key -TSA-time 1590000000

# Tampered: one byte of the first section's raw data flipped after signing (the page-hash copy
# too: its page-hash table then names the page).
u32() { od -An -t u4 -j "$2" -N 4 "$1" | tr -d ' '; }
u16() { od -An -t u2 -j "$2" -N 2 "$1" | tr -d ' '; }
tamper() {  # tamper <signed> <copy>
  cp "$1" "$2"
  local pe optional_size first_section raw at byte
  pe=$(u32 "$2" 60)
  optional_size=$(u16 "$2" $((pe + 20)))
  first_section=$((pe + 24 + optional_size))
  raw=$(u32 "$2" $((first_section + 20)))
  at=$((raw + 16))
  byte=$(od -An -t u1 -j "$at" -N 1 "$2" | tr -d ' ')
  printf "$(printf '\\%03o' $(((byte ^ 0xFF) & 0xFF)))" | dd of="$2" bs=1 seek="$at" conv=notrunc status=none
  cmp -s "$1" "$2" && { echo "tampering failed" >&2; exit 1; }
  return 0
}
tamper ../signed_sha256.sys ../signed_tampered.sys
tamper ../signed_page_hashes.sys ../signed_page_hashes_tampered.sys
touch ../.done
