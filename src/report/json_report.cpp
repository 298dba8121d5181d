// JSON report, documented in docs/json.md. Bump kJsonSchemaVersion on any incompatible change.
#include <nlohmann/json.hpp>
#include <ostream>

#include <fmt/format.h>

#include "core/ioctl_code.h"
#include "report/model_json.h"
#include "report/report.h"

namespace drvsec {

namespace {
constexpr int kJsonSchemaVersion = 1;
}

std::string hex(uint64_t value) { return fmt::format("0x{:X}", value); }

nlohmann::ordered_json finding_to_json(const Finding& f) {
  nlohmann::ordered_json j;
  j["rule_id"] = f.rule_id;
  j["severity"] = to_string(f.severity);
  j["confidence"] = to_string(f.confidence);
  j["checklist"] = f.checklist;
  j["cwe"] = f.cwe;
  j["message"] = f.message;
  nlohmann::ordered_json loc;
  loc["path"] = f.location.path;
  if (f.location.line) loc["line"] = *f.location.line;
  if (f.location.rva) loc["rva"] = hex(*f.location.rva);
  if (f.location.function) loc["function"] = *f.location.function;
  j["location"] = loc;
  j["evidence"] = f.evidence;
  if (f.ioctl) j["ioctl"] = hex(*f.ioctl);
  j["fingerprint"] = f.fingerprint();
  return j;
}

nlohmann::ordered_json provenance_to_json(const Provenance& p) {
  nlohmann::ordered_json j;
  j["how"] = p.how;
  if (p.rva) j["rva"] = hex(*p.rva);
  if (p.line) j["line"] = *p.line;
  return j;
}

nlohmann::ordered_json ioctl_to_json(const Ioctl& io) {
  const IoctlFields f = decode_ioctl(io.code);
  nlohmann::ordered_json j;
  j["code"] = hex(io.code);
  j["device_type"] = hex(f.device_type);
  if (auto name = device_type_name(f.device_type); !name.empty()) j["device_type_name"] = name;
  j["function"] = hex(f.function);
  j["method"] = method_name(f.method);
  j["access"] = access_name(f.access);
  if (io.handler_rva) j["handler_rva"] = hex(*io.handler_rva);
  if (io.handler_function_rva) j["handler_function_rva"] = hex(*io.handler_function_rva);
  j["reachable_primitives"] = io.reachable_primitives;
  j["provenance"] = provenance_to_json(io.provenance);
  return j;
}

nlohmann::ordered_json model_to_json(const std::string& path, const DriverModel& m) {
  nlohmann::ordered_json j;
  j["path"] = path;
  j["kernel_driver"] = m.is_kernel_driver;
  j["machine"] = m.machine;
  j["framework"] = to_string(m.framework);
  j["framework_evidence"] = m.framework_evidence;
  auto& caps = j["capabilities"] = nlohmann::ordered_json::array();
  for (const Capability& c : m.capabilities) {
    nlohmann::ordered_json cj;
    cj["category"] = to_string(c.category);
    cj["api"] = c.api;
    if (!c.module.empty()) cj["module"] = c.module;
    cj["provenance"] = provenance_to_json(c.provenance);
    caps.push_back(cj);
  }
  auto& devices = j["devices"] = nlohmann::ordered_json::array();
  for (const Device& d : m.devices) {
    nlohmann::ordered_json dj;
    dj["name"] = d.name;
    if (!d.created_by.empty()) dj["created_by"] = d.created_by;
    if (d.device_type) dj["device_type"] = hex(*d.device_type);
    if (d.characteristics) dj["characteristics"] = hex(*d.characteristics);
    if (d.exclusive) dj["exclusive"] = *d.exclusive;
    if (d.sddl) dj["sddl"] = *d.sddl;
    dj["provenance"] = provenance_to_json(d.provenance);
    devices.push_back(dj);
  }
  auto& links = j["links"] = nlohmann::ordered_json::array();
  for (const SymbolicLink& l : m.links) {
    nlohmann::ordered_json lj;
    lj["name"] = l.name;
    if (!l.target.empty()) lj["target"] = l.target;
    lj["provenance"] = provenance_to_json(l.provenance);
    links.push_back(lj);
  }
  auto& ioctls = j["ioctls"] = nlohmann::ordered_json::array();
  for (const Ioctl& io : m.ioctls) ioctls.push_back(ioctl_to_json(io));
  auto& interfaces = j["device_interfaces"] = nlohmann::ordered_json::array();
  for (const DeviceInterface& di : m.interfaces) {
    nlohmann::ordered_json ij;
    if (!di.class_guid.empty()) ij["class_guid"] = di.class_guid;
    ij["provenance"] = provenance_to_json(di.provenance);
    interfaces.push_back(ij);
  }
  j["code_analyzed"] = m.code_analyzed;
  if (m.driver_entry_rva) j["driver_entry_rva"] = hex(*m.driver_entry_rva);
  auto& dispatch = j["dispatch"] = nlohmann::ordered_json::array();
  for (const DispatchRoutine& d : m.dispatch) {
    nlohmann::ordered_json dj;
    dj["major"] = irp_major_name(d.major);
    dj["rva"] = hex(d.rva);
    if (d.from_fill_loop) dj["from_fill_loop"] = true;
    dj["provenance"] = provenance_to_json(d.provenance);
    dispatch.push_back(dj);
  }
  if (m.driver_unload_rva) j["driver_unload_rva"] = hex(*m.driver_unload_rva);
  if (m.add_device_rva) j["add_device_rva"] = hex(*m.add_device_rva);
  if (m.kmdf) {
    nlohmann::ordered_json kj;
    kj["version"] = fmt::format("{}.{}.{}", m.kmdf->version_major, m.kmdf->version_minor, m.kmdf->version_build);
    kj["function_count"] = m.kmdf->function_count;
    auto& queues = kj["queue_callbacks"] = nlohmann::ordered_json::array();
    for (const KmdfQueueCallback& q : m.kmdf->queue_callbacks) {
      nlohmann::ordered_json qj;
      qj["callback"] = q.callback;
      qj["rva"] = hex(q.rva);
      auto& majors = qj["majors"] = nlohmann::ordered_json::array();
      for (uint8_t major : q.majors) majors.push_back(irp_major_name(major));
      qj["provenance"] = provenance_to_json(q.provenance);
      queues.push_back(qj);
    }
    kj["provenance"] = provenance_to_json(m.kmdf->provenance);
    j["kmdf"] = kj;
  }
  auto& partial = j["partial_ioctl_dispatch"] = nlohmann::ordered_json::array();
  for (const PartialIoctlDispatch& d : m.partial_ioctl_dispatch) {
    nlohmann::ordered_json pj;
    pj["function_rva"] = hex(d.function_rva);
    pj["code_bits"] = hex(d.code_bits);
    pj["form"] = d.form;
    auto& values = pj["values"] = nlohmann::ordered_json::array();
    for (uint32_t v : d.values) values.push_back(hex(v));
    pj["provenance"] = provenance_to_json(d.provenance);
    partial.push_back(pj);
  }
  auto& notes = j["recovery_notes"] = nlohmann::ordered_json::array();
  for (const RecoveryNote& n : m.recovery_notes) {
    nlohmann::ordered_json nj;
    nj["what"] = n.what;
    nj["why"] = n.why;
    nj["provenance"] = provenance_to_json(n.provenance);
    notes.push_back(nj);
  }
  auto& primitives = j["primitives"] = nlohmann::ordered_json::array();
  for (const PrimitiveUse& u : m.primitives) {
    nlohmann::ordered_json pj;
    pj["kind"] = to_string(u.kind);
    pj["what"] = u.what;
    pj["rva"] = hex(u.rva);
    pj["function_rva"] = hex(u.function_rva);
    auto& majors = pj["irp_majors"] = nlohmann::ordered_json::array();
    for (uint8_t mj : u.majors) majors.push_back(irp_major_name(mj));
    auto& codes = pj["ioctls"] = nlohmann::ordered_json::array();
    for (uint32_t c : u.ioctls) codes.push_back(hex(c));
    auto& path = pj["call_path"] = nlohmann::ordered_json::array();
    for (uint32_t f : u.call_path) path.push_back(hex(f));
    auto& ops = pj["operands"] = nlohmann::ordered_json::array();
    for (const PrimitiveOperand& o : u.operands)
      ops.push_back({{"role", o.role}, {"source", o.source}, {"controlled", o.controlled}, {"range_checked", o.range_checked}});
    pj["controlled"] = u.controlled();
    if (!u.note.empty()) pj["note"] = u.note;
    primitives.push_back(pj);
  }
  auto& mi = j["memory_integrity_calls"] = nlohmann::ordered_json::array();
  for (const MemoryIntegrityCall& c : m.memory_integrity_calls) {
    nlohmann::ordered_json cj;
    cj["issue"] = to_string(c.issue);
    cj["api"] = c.api;
    cj["rva"] = hex(c.rva);
    cj["function_rva"] = hex(c.function_rva);
    cj["argument_index"] = c.argument_index;
    cj["value"] = c.value ? nlohmann::ordered_json(hex(*c.value)) : nlohmann::ordered_json(nullptr);
    cj["executable"] = c.executable;
    mi.push_back(cj);
  }
  j["version_info"] = m.version;
  return j;
}

nlohmann::ordered_json certificate_to_json(const sig::Certificate& c) {
  nlohmann::ordered_json j;
  j["subject"] = c.subject;
  j["issuer"] = c.issuer;
  j["serial"] = c.serial;
  j["not_before"] = c.not_before;
  j["not_after"] = c.not_after;
  j["ekus"] = c.ekus;
  j["self_issued"] = c.self_issued;
  j["tbs_sha1"] = c.tbs_sha1;
  j["tbs_sha256"] = c.tbs_sha256;
  j["tbs_sha384"] = c.tbs_sha384;
  return j;
}

nlohmann::ordered_json signature_to_json(const sig::SignatureInfo& s) {
  nlohmann::ordered_json j;
  j["file_hashes"] = {{"md5", s.file.md5}, {"sha1", s.file.sha1}, {"sha256", s.file.sha256}};
  if (s.authenticode)
    j["authenticode"] = {{"sha1", s.authenticode->sha1},
                         {"sha256", s.authenticode->sha256},
                         {"page_sha1", s.authenticode->page_sha1},
                         {"page_sha256", s.authenticode->page_sha256}};
  j["signer_kind"] = to_string(s.signatures.empty() ? sig::SignerKind::unsigned_ : s.signatures.front().kind);
  j["chain_trust"] = "not verified against a trust store";
  auto& list = j["signatures"] = nlohmann::ordered_json::array();
  for (const sig::Signature& g : s.signatures) {
    nlohmann::ordered_json sj;
    sj["nested"] = g.nested;
    sj["signer_kind"] = to_string(g.kind);
    if (!g.chain.empty()) {
      sj["subject"] = g.chain.front().subject;
      sj["issuer"] = g.chain.front().issuer;
    }
    sj["digest_algorithm"] = g.digest_algorithm;
    sj["signer_digest_algorithm"] = g.signer_digest_algorithm;
    sj["signed_digest"] = g.signed_digest;
    sj["digest_matches"] = g.digest_matches;
    sj["signature_valid"] = g.signature_valid;
    sj["signing_time"] = g.signing_time ? nlohmann::ordered_json(*g.signing_time) : nlohmann::ordered_json();
    sj["timestamp_verified"] = g.timestamp_verified;
    auto& chain = sj["chain"] = nlohmann::ordered_json::array();
    for (const sig::Certificate& c : g.chain) chain.push_back(certificate_to_json(c));
    list.push_back(sj);
  }
  j["catalog"] = s.catalog ? nlohmann::ordered_json(*s.catalog) : nlohmann::ordered_json();
  if (s.catalog_members) j["catalog_members"] = *s.catalog_members;
  j["problems"] = s.problems;
  return j;
}

namespace {

std::vector<std::string> flag_names(uint32_t value, std::initializer_list<std::pair<uint32_t, const char*>> names) {
  std::vector<std::string> out;
  for (auto [bit, name] : names)
    if (value & bit) out.emplace_back(name);
  return out;
}

nlohmann::ordered_json pe_to_json(const PeSummary& pe) {
  nlohmann::ordered_json j;
  j["machine"] = pe.machine;
  j["format"] = pe.pe32_plus ? "PE32+" : "PE32";
  j["subsystem"] = pe.subsystem;
  j["time_date_stamp"] = hex(pe.time_date_stamp);
  j["image_base"] = hex(pe.image_base);
  j["entry_point_rva"] = hex(pe.entry_point_rva);
  j["size_of_image"] = pe.size_of_image;
  j["section_alignment"] = hex(pe.section_alignment);
  j["file_alignment"] = hex(pe.file_alignment);
  j["dll_characteristics"] = flag_names(pe.dll_characteristics, {{0x20, "HIGH_ENTROPY_VA"}, {0x40, "DYNAMIC_BASE"},
                                                                  {0x80, "FORCE_INTEGRITY"}, {0x100, "NX_COMPAT"},
                                                                  {0x400, "NO_SEH"}, {0x2000, "WDM_DRIVER"},
                                                                  {0x4000, "GUARD_CF"}});
  if (pe.extended_dll_characteristics)
    j["extended_dll_characteristics"] = flag_names(*pe.extended_dll_characteristics, {{0x1, "CET_COMPAT"}});
  j["checksum"] = hex(pe.checksum);
  j["checksum_status"] = pe.checksum == 0 ? "not set" : pe.checksum == pe.computed_checksum ? "valid" : "invalid";
  auto& sections = j["sections"] = nlohmann::ordered_json::array();
  for (const auto& s : pe.sections)
    sections.push_back({{"name", s.name},
                        {"rva", hex(s.rva)},
                        {"virtual_size", s.virtual_size},
                        {"raw_size", s.raw_size},
                        {"characteristics", hex(s.characteristics)}});
  if (pe.pdb_path) j["pdb"] = {{"path", *pe.pdb_path}, {"guid", pe.pdb_guid.value_or("")}};
  j["certificate_table"] = pe.has_certificate_table;
  j["overlay_size"] = pe.overlay_size;
  return j;
}

}  // namespace

void write_json_report(const ScanResult& result, std::ostream& out) {
  nlohmann::ordered_json doc;
  doc["schema_version"] = kJsonSchemaVersion;
  doc["tool"] = {{"name", "drvsec"}, {"version", DRVSEC_VERSION}};
  auto& artifacts = doc["artifacts"] = nlohmann::ordered_json::array();
  auto& drivers = doc["drivers"] = nlohmann::ordered_json::array();
  for (const FileAnalysis& f : result.files) {
    nlohmann::ordered_json a;
    a["path"] = f.artifact.path;
    a["kind"] = to_string(f.artifact.kind);
    a["sha256"] = f.artifact.sha256;
    a["size"] = f.artifact.size;
    a["errors"] = f.artifact.errors;
    if (f.pe) a["pe"] = pe_to_json(*f.pe);
    if (f.signature) a["signature"] = signature_to_json(*f.signature);
    artifacts.push_back(a);
    if (f.model) drivers.push_back(model_to_json(f.artifact.path, *f.model));
  }
  auto& findings = doc["findings"] = nlohmann::ordered_json::array();
  for (const Finding& f : result.findings) findings.push_back(finding_to_json(f));
  nlohmann::ordered_json summary;
  summary["files"] = result.files.size();
  summary["findings"] = result.findings.size();
  for (Severity s : {Severity::error, Severity::warning, Severity::note})
    summary[std::string(to_string(s))] =
        std::count_if(result.findings.begin(), result.findings.end(), [&](const Finding& f) { return f.severity == s; });
  summary["skipped"] = {{"source_files", result.skipped.source_files},
                        {"inf_files", result.skipped.inf_files},
                        {"other_files", result.skipped.other_files}};
  doc["summary"] = summary;
  out << doc.dump(2) << '\n';
}

}  // namespace drvsec
