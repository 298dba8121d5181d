// The analyses' front door: one input file's bytes in, its FileAnalysis out (kind by content,
// artifact facts, PE structure, recovered model, signature). Used by the engine, tests and fuzzers.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "analysis/file_analysis.h"
#include "pe/image.h"
#include "sig/analyze.h"
#include "sig/catalog.h"

namespace drvsec {

struct AnalysisOptions {
  AnalysisDepth depth = AnalysisDepth::code;  // --depth
  pe::Limits pe_limits;
  // --blocklist / --loldrivers / --yara data, loaded once by the caller; every file's analysis
  // shares it (FileAnalysis::intelligence).
  std::shared_ptr<const intel::Intelligence> intelligence;
};

// Content sniffing on the first bytes of a file (and its name for sources).
InputKind detect_kind(std::span<const uint8_t> head, std::string_view path);

// The artifact facts every input gets: path, size, SHA-256, kind; and the scan's intelligence.
FileAnalysis describe_input(const std::string& path, std::span<const uint8_t> bytes, const AnalysisOptions& options);

// Which whole-file hashes to compute (MD5 and SHA-1 only serve LOLDrivers look-ups).
sig::FileHashSet file_hash_set(const AnalysisOptions& options);

// Analyzes one file already in memory. `catalogs`: the catalogs a driver's hash is looked up in
// (the engine passes those found among its inputs).
FileAnalysis analyze_bytes(const std::string& path, std::span<const uint8_t> bytes, const AnalysisOptions& options,
                           const sig::CatalogIndex* catalogs = nullptr);

}  // namespace drvsec
