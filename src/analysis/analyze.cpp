#include "analysis/analyze.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/hash.h"
#include "analysis/device_security.h"
#include "base/paths.h"
#include "binary/recover.h"
#include "intel/intelligence.h"
#include "sig/analyze.h"
#include "sig/catalog.h"

namespace drvsec {

std::string_view to_string(InputKind k) {
  switch (k) {
    case InputKind::pe: return "pe";
    case InputKind::inf: return "inf";
    case InputKind::source: return "source";
    case InputKind::catalog: return "catalog";
    case InputKind::unknown: return "unknown";
  }
  return "unknown";
}

std::string_view to_string(AnalysisDepth d) { return d == AnalysisDepth::headers ? "headers" : "code"; }

PeSummary summarize(const pe::Image& image) {
  PeSummary s;
  s.pe32_plus = image.is_pe32_plus;
  s.subsystem = image.subsystem;
  s.time_date_stamp = image.time_date_stamp;
  s.image_base = image.image_base;
  s.entry_point_rva = image.entry_point_rva;
  s.size_of_image = image.size_of_image;
  s.section_alignment = image.section_alignment;
  s.file_alignment = image.file_alignment;
  s.dll_characteristics = image.dll_characteristics;
  s.extended_dll_characteristics = image.debug.extended_dll_characteristics;
  s.checksum = image.checksum;
  s.computed_checksum = image.computed_checksum;
  for (const pe::Section& sec : image.sections)
    s.sections.push_back({sec.name, sec.virtual_address, sec.virtual_size, sec.raw_size, sec.characteristics});
  if (image.debug.codeview) {
    s.pdb_path = image.debug.codeview->pdb_path;
    s.pdb_guid = image.debug.codeview->guid;
  }
  s.has_certificate_table = image.security_directory.has_value();
  if (image.overlay) s.overlay_size = image.overlay->size;
  return s;
}

namespace {

// ASCII view of the first bytes, dropping the NULs of UTF-16LE text, lower-cased.
std::string ascii_head(std::span<const uint8_t> head) {
  std::string out;
  for (uint8_t b : head.first(std::min<size_t>(head.size(), 8192)))
    if (b != 0) out.push_back(static_cast<char>(std::tolower(b)));
  return out;
}

}  // namespace

InputKind detect_kind(std::span<const uint8_t> head, std::string_view path) {
  if (head.size() >= 2 && head[0] == 'M' && head[1] == 'Z') return InputKind::pe;
  if (sig::looks_like_catalog(head)) return InputKind::catalog;
  if (has_extension(path, {".c", ".cc", ".cpp", ".cxx", ".h", ".hh", ".hpp", ".hxx"})) return InputKind::source;
  // INF files (UTF-8, ANSI or UTF-16LE) declare a [Version] section with a Signature line.
  std::string text = ascii_head(head);
  if (text.find("[version]") != std::string::npos && text.find("signature") != std::string::npos)
    return InputKind::inf;
  return InputKind::unknown;
}

namespace {

// describe_input without the SHA-256 (analyze_bytes takes a PE image's from the signature analysis).
FileAnalysis describe_unhashed(const std::string& path, std::span<const uint8_t> bytes, const AnalysisOptions& options) {
  FileAnalysis file;
  file.artifact.path = path;
  file.artifact.size = bytes.size();
  file.artifact.kind = detect_kind(bytes, path);
  file.intelligence = options.intelligence;
  return file;
}

}  // namespace

// The artifact facts every input gets: path, size, SHA-256, kind; and the scan's intelligence.
FileAnalysis describe_input(const std::string& path, std::span<const uint8_t> bytes, const AnalysisOptions& options) {
  FileAnalysis file = describe_unhashed(path, bytes, options);
  file.artifact.sha256 = sha256_hex(bytes);
  return file;
}

// MD5 and SHA-1 of whole files only serve LOLDrivers look-ups (see sig::FileHashSet).
sig::FileHashSet file_hash_set(const AnalysisOptions& options) {
  return options.intelligence && options.intelligence->loldrivers ? sig::FileHashSet::with_md5_sha1
                                                                  : sig::FileHashSet::sha256_only;
}

FileAnalysis analyze_bytes(const std::string& path, std::span<const uint8_t> bytes, const AnalysisOptions& options,
                           const sig::CatalogIndex* catalogs) {
  FileAnalysis file = describe_unhashed(path, bytes, options);
  const sig::FileHashSet hash_set = file_hash_set(options);
  // A PE image's SHA-256 comes from the signature analysis, in the one pass that also computes its
  // Authenticode digests; every other input (and an image whose signature analysis fails) is hashed here.
  if (file.artifact.kind != InputKind::pe) file.artifact.sha256 = sha256_hex(bytes);
  if (file.artifact.kind == InputKind::catalog) {
    file.signature = sig::analyze_catalog_signature(sig::parse_catalog(path, bytes), bytes, file.artifact.sha256, hash_set);
    return file;
  }
  if (file.artifact.kind != InputKind::pe) {
    if (file.artifact.kind == InputKind::unknown) file.artifact.errors.push_back("not a PE image (no MZ signature)");
    return file;
  }
  try {
    file.image = pe::Image::parse(bytes, options.pe_limits);
    file.model = recover_model_from_image(*file.image, options.depth);
    synthesize_device_security(*file.model);
    file.image->version_info.reset();  // the model keeps the one copy; every consumer reads it there
    file.pe = summarize(*file.image);
    for (const std::string& problem : file.image->warnings) file.artifact.gaps.push_back("malformed PE structure: " + problem);
    if (file.model->is_kernel_driver && options.depth == AnalysisDepth::code && !file.model->code_analyzed)
      for (const RecoveryNote& n : file.model->recovery_notes)
        if (n.what == "code analysis") file.artifact.gaps.push_back("machine code not analyzed: " + n.why);
  } catch (const pe::FormatError& e) {
    file.artifact.errors.push_back(fmt::format("malformed PE: {}", e.what()));
  } catch (const std::exception& e) {
    file.artifact.errors.push_back(fmt::format("analysis failed: {}", e.what()));
  }
  if (file.image) {
    try {
      file.signature = sig::analyze_pe_signature(*file.image, catalogs, hash_set);
      file.artifact.sha256 = file.signature->file.sha256;
    } catch (const std::exception& e) {
      file.artifact.errors.push_back(fmt::format("signature analysis failed: {}", e.what()));
    }
  }
  if (file.artifact.sha256.empty()) file.artifact.sha256 = sha256_hex(bytes);
  return file;
}

}  // namespace drvsec
