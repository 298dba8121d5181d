// Cost of signature analysis (Authenticode digests, page hashes, PKCS#7) against the whole per-file
// analysis, on the shared corpus when present (DRVSEC_SHARED_DIR or ../shared), else the fixtures.
//   build/bench/bench_signature --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include "engine/scan.h"
#include "sig/analyze.h"
#include "sig/authenticode.h"
#include "sig/signed_data.h"

namespace {

namespace fs = std::filesystem;

struct Corpus {
  std::vector<std::vector<uint8_t>> files;
  Corpus() {
    const char* shared = std::getenv("DRVSEC_SHARED_DIR");
    fs::path dir = fs::path(shared ? shared : DRVSEC_SOURCE_DIR "/../shared") / "corpus/ioctlance";
    if (!fs::exists(dir)) dir = DRVSEC_BINARY_DIR "/fixtures";
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (!e.is_regular_file() || e.path().extension() != ".sys") continue;
      std::ifstream in(e.path(), std::ios::binary);
      files.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
};
const Corpus& corpus() {
  static const Corpus c;
  return c;
}

void BM_AnalyzeBytes(benchmark::State& state) {  // baseline: everything done per file
  const drvsec::ScanOptions options;
  for (auto _ : state)
    for (const auto& f : corpus().files) benchmark::DoNotOptimize(drvsec::analyze_bytes("f.sys", f, options));
  state.counters["files"] = static_cast<double>(corpus().files.size());
}

void BM_SignatureOnly(benchmark::State& state) {
  std::vector<drvsec::pe::Image> images;
  for (const auto& f : corpus().files) {
    try {
      images.push_back(drvsec::pe::Image::parse(f));
    } catch (const std::exception&) {
    }
  }
  for (auto _ : state)
    for (const auto& image : images) benchmark::DoNotOptimize(drvsec::sig::analyze_pe_signature(image));
  state.counters["files"] = static_cast<double>(images.size());
}

// The two halves of signature analysis: hashing the image, and parsing/verifying the PKCS#7 blobs.
void BM_AuthenticodeHashes(benchmark::State& state) {
  std::vector<drvsec::pe::Image> images;
  for (const auto& f : corpus().files) {
    try {
      images.push_back(drvsec::pe::Image::parse(f));
    } catch (const std::exception&) {
    }
  }
  const drvsec::sig::DigestAlgorithm algorithms[] = {drvsec::sig::DigestAlgorithm::sha1, drvsec::sig::DigestAlgorithm::sha256};
  for (auto _ : state)
    for (const auto& image : images)
      benchmark::DoNotOptimize(drvsec::sig::authenticode_digests(image, drvsec::sig::authenticode_layout(image), algorithms));
}

void BM_Pkcs7(benchmark::State& state) {
  std::vector<std::vector<uint8_t>> tables;
  for (const auto& f : corpus().files) {
    try {
      auto table = drvsec::pe::Image::parse(f).security_data();
      tables.emplace_back(table.begin(), table.end());
    } catch (const std::exception&) {
    }
  }
  for (auto _ : state)
    for (const auto& t : tables) {
      std::vector<std::string> problems;
      std::vector<drvsec::sig::ParsedSignedData> parsed;
      for (auto blob : drvsec::sig::certificate_table_entries(t, problems)) drvsec::sig::parse_signed_data(blob, parsed, problems);
      benchmark::DoNotOptimize(parsed);
    }
}

BENCHMARK(BM_AnalyzeBytes)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SignatureOnly)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AuthenticodeHashes)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Pkcs7)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
