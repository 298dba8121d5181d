// JSON views of the model pieces: one artifact, one driver model, one finding (docs/json.md).
#include <algorithm>
#include <ostream>

#include <fmt/format.h>

#include "model/ioctl_code.h"
#include "report/model_json.h"
#include "report/report.h"

namespace drvsec {

std::string hex(uint64_t value) { return fmt::format("0x{:X}", value); }

void write_package_files(JsonWriter& w, const std::vector<PackageFile>& files) {
  w.key("files").begin_array();
  for (const PackageFile& f : files) w.begin_object().member("path", f.path).member("role", f.role).end_object();
  w.end_array();
}

void write_location_members(JsonWriter& w, const Location& l) {
  if (!l.path.empty()) w.member("path", l.path);
  if (l.rva) w.member("rva", hex(*l.rva));
  if (l.function_rva) w.member("function_rva", hex(*l.function_rva));
  if (!l.function.empty()) w.member("function", l.function);
  if (l.file_offset) w.member("file_offset", hex(*l.file_offset));
  if (!l.section.empty()) w.member("section", l.section);
  if (const auto& r = l.range) {
    w.member("line", r->line);
    if (r->column) w.member("column", r->column);
    if (r->end_line) w.member("end_line", r->end_line);
    if (r->end_column) w.member("end_column", r->end_column);
  }
}

void write_finding(JsonWriter& w, const Finding& f) {
  w.begin_object();
  write_finding_members(w, f);
  w.end_object();
}

void write_finding_members(JsonWriter& w, const Finding& f) {
  w.member("rule_id", f.rule_id);
  w.member("severity", to_string(f.severity));
  w.member("confidence", to_string(f.confidence));
  w.member("checklist", f.checklist);
  w.member("cwe", f.cwe);
  w.member("message", f.message);
  w.key("location").begin_object();
  write_location_members(w, f.location);
  w.end_object();
  w.member("evidence", f.evidence);
  if (f.ioctl) w.member("ioctl", hex(*f.ioctl));
  w.member("facts", f.facts);
  w.member("fingerprint", f.fingerprint);
}

namespace {

void write_caller(JsonWriter& w, const char* key, const std::optional<CallerRef>& c) {
  if (!c) return;
  w.key(key).begin_object().member("id", c->id).member("name", c->name).member("broad", c->broad).end_object();
}

void write_device_security(JsonWriter& w, const DeviceSecurity& s) {
  w.key("security").begin_object();
  w.member("source", s.source);
  w.member("sddl", s.sddl);
  w.member("parsed", s.parsed);
  w.member("user_reachable", s.user_reachable);
  if (s.secure_open) w.member("secure_open", *s.secure_open);
  write_caller(w, "lowest_open", s.lowest_open);
  write_caller(w, "lowest_read", s.lowest_read);
  write_caller(w, "lowest_write", s.lowest_write);
  write_caller(w, "lowest_all", s.lowest_all);
  w.key("ioctls").begin_array();
  for (const IoctlCallers& c : s.ioctls) {
    w.begin_object();
    w.member("ioctl", c.ioctl_id);
    w.member("required", c.required);
    write_caller(w, "lowest_caller", c.lowest);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

void write_provenance(JsonWriter& w, const Provenance& p) {
  w.begin_object();
  w.member("how", p.how);
  write_location_members(w, p.at);
  w.end_object();
}

// "key": [one object per fact: its id when it has one, its own members (write_members), then
// "provenance"]: how the driver model's recovered facts are listed.
template <typename Range, typename WriteMembers>
void write_facts(JsonWriter& w, std::string_view key, const Range& facts, const WriteMembers& write_members) {
  w.key(key).begin_array();
  for (const auto& fact : facts) {
    w.begin_object();
    if constexpr (requires { fact.id; }) w.member("id", fact.id);
    write_members(fact);
    w.key("provenance");
    write_provenance(w, fact.provenance);
    w.end_object();
  }
  w.end_array();
}

// [hex(x) for x in values]
template <typename Range>
void write_hex_list(JsonWriter& w, const Range& values) {
  w.begin_array();
  for (auto v : values) w.value(hex(v));
  w.end_array();
}

}  // namespace

void write_ioctl(JsonWriter& w, const Ioctl& io, const DriverModel& model) {
  const IoctlFields f = decode_ioctl(io.code);
  w.begin_object();
  w.member("id", io.id);
  w.member("code", hex(io.code));
  w.member("device_type", hex(f.device_type));
  if (auto name = device_type_name(f.device_type); !name.empty()) w.member("device_type_name", name);
  w.member("function", hex(f.function));
  w.member("method", method_name(f.method));
  w.member("access", access_name(f.access));
  if (io.handler_rva) w.member("handler_rva", hex(*io.handler_rva));
  if (io.handler_function_rva) w.member("handler_function_rva", hex(*io.handler_function_rva));
  // Records of the primitives (primitives[] has them in full, under the same id).
  w.key("reachable_primitives").begin_array();
  for (const std::string& id : io.reachable_primitives) {
    const PrimitiveUse* u = model.primitive(id);
    if (!u) continue;
    w.begin_object();
    w.member("primitive", u->id);
    w.member("kind", to_string(u->kind));
    w.member("what", u->what);
    w.member("rva", hex(u->rva));
    w.member("function_rva", hex(u->function_rva));
    w.member("controlled", u->controlled());
    w.key("call_path");
    write_hex_list(w, u->call_path);
    w.end_object();
  }
  w.end_array();
  w.key("provenance");
  write_provenance(w, io.provenance);
  w.end_object();
}

void write_model(JsonWriter& w, const std::string& path, const DriverModel& m) {
  w.begin_object();
  w.member("path", path);
  w.member("kernel_driver", m.is_kernel_driver);
  w.member("machine", m.machine);
  w.member("framework", to_string(m.framework));
  w.member("framework_evidence", m.framework_evidence);
  write_facts(w, "capabilities", m.capabilities, [&](const Capability& c) {
    w.member("category", to_string(c.category));
    w.member("api", c.api);
    if (!c.module.empty()) w.member("module", c.module);
  });
  write_facts(w, "devices", m.devices, [&](const Device& d) {
    w.member("name", d.name);
    if (!d.created_by.empty()) w.member("created_by", d.created_by);
    if (d.device_type) w.member("device_type", hex(*d.device_type));
    if (d.characteristics) w.member("characteristics", hex(*d.characteristics));
    if (d.exclusive) w.member("exclusive", *d.exclusive);
    if (d.sddl) w.member("sddl", *d.sddl);
    if (d.security) write_device_security(w, *d.security);
  });
  write_facts(w, "links", m.links, [&](const SymbolicLink& l) {
    w.member("name", l.name);
    if (!l.target.empty()) w.member("target", l.target);
  });
  w.key("ioctls").begin_array();
  for (const Ioctl& io : m.ioctls) write_ioctl(w, io, m);
  w.end_array();
  write_facts(w, "device_interfaces", m.interfaces, [&](const DeviceInterface& di) {
    if (!di.class_guid.empty()) w.member("class_guid", di.class_guid);
  });
  w.member("code_analyzed", m.code_analyzed);
  if (m.driver_entry_rva) w.member("driver_entry_rva", hex(*m.driver_entry_rva));
  write_facts(w, "dispatch", m.dispatch, [&](const DispatchRoutine& d) {
    w.member("major", irp_major_name(d.major));
    w.member("rva", hex(d.rva));
    if (d.from_fill_loop) w.member("from_fill_loop", true);
  });
  if (m.driver_unload_rva) w.member("driver_unload_rva", hex(*m.driver_unload_rva));
  if (m.add_device_rva) w.member("add_device_rva", hex(*m.add_device_rva));
  if (m.kmdf) {
    w.key("kmdf").begin_object();
    w.member("version", fmt::format("{}.{}.{}", m.kmdf->version_major, m.kmdf->version_minor, m.kmdf->version_build));
    w.member("function_count", m.kmdf->function_count);
    write_facts(w, "queue_callbacks", m.kmdf->queue_callbacks, [&](const KmdfQueueCallback& q) {
      w.member("callback", q.callback);
      w.member("rva", hex(q.rva));
      w.key("majors").begin_array();
      for (uint8_t major : q.majors) w.value(irp_major_name(major));
      w.end_array();
    });
    w.key("provenance");
    write_provenance(w, m.kmdf->provenance);
    w.end_object();
  }
  write_facts(w, "partial_ioctl_dispatch", m.partial_ioctl_dispatch, [&](const PartialIoctlDispatch& d) {
    w.member("function_rva", hex(d.function_rva));
    w.member("code_bits", hex(d.code_bits));
    w.member("form", d.form);
    w.key("values");
    write_hex_list(w, d.values);
  });
  write_facts(w, "recovery_notes", m.recovery_notes, [&](const RecoveryNote& n) {
    w.member("what", n.what);
    w.member("why", n.why);
  });
  w.key("primitives").begin_array();
  for (const PrimitiveUse& u : m.primitives) {
    w.begin_object();
    w.member("id", u.id);
    w.member("kind", to_string(u.kind));
    w.member("what", u.what);
    w.member("rva", hex(u.rva));
    w.member("function_rva", hex(u.function_rva));
    w.key("irp_majors").begin_array();
    for (uint8_t mj : u.majors) w.value(irp_major_name(mj));
    w.end_array();
    w.key("ioctls");
    write_hex_list(w, u.ioctls);
    w.key("call_path");
    write_hex_list(w, u.call_path);
    w.key("operands").begin_array();
    for (const PrimitiveOperand& o : u.operands) {
      w.begin_object();
      w.member("role", o.role);
      w.member("source", o.source);
      w.member("controlled", o.controlled);
      w.member("range_checked", o.range_checked);
      w.end_object();
    }
    w.end_array();
    w.member("controlled", u.controlled());
    if (!u.note.empty()) w.member("note", u.note);
    w.end_object();
  }
  w.end_array();
  w.key("memory_integrity_calls").begin_array();
  for (const MemoryIntegrityCall& c : m.memory_integrity_calls) {
    w.begin_object();
    w.member("id", c.id);
    w.member("issue", to_string(c.issue));
    w.member("api", c.api);
    w.member("rva", hex(c.rva));
    w.member("function_rva", hex(c.function_rva));
    w.member("argument_index", c.argument_index);
    w.key("value");
    if (c.value) w.value(hex(*c.value));
    else w.null();
    w.member("executable", c.executable);
    w.end_object();
  }
  w.end_array();
  w.key("version_info").begin_object();
  if (m.version_info)
    for (const auto& [k, v] : m.version_info->strings) w.member(k, v);
  w.end_object();
  w.end_object();
}

namespace {

void write_certificate(JsonWriter& w, const sig::Certificate& c) {
  w.begin_object();
  w.member("subject", c.subject);
  w.member("issuer", c.issuer);
  w.member("serial", c.serial);
  w.member("not_before", c.not_before);
  w.member("not_after", c.not_after);
  w.member("ekus", c.ekus);
  w.member("self_issued", c.self_issued);
  w.member("tbs_sha1", c.tbs_sha1);
  w.member("tbs_sha256", c.tbs_sha256);
  w.member("tbs_sha384", c.tbs_sha384);
  w.end_object();
}

void write_signature(JsonWriter& w, const sig::SignatureInfo& s) {
  w.begin_object();
  w.key("file_hashes").begin_object();
  if (!s.file.md5.empty()) w.member("md5", s.file.md5);
  if (!s.file.sha1.empty()) w.member("sha1", s.file.sha1);
  w.member("sha256", s.file.sha256);
  w.end_object();
  if (s.authenticode) {
    w.key("authenticode").begin_object();
    w.member("sha1", s.authenticode->sha1);
    w.member("sha256", s.authenticode->sha256);
    w.member("page_sha1", s.authenticode->page_sha1);
    w.member("page_sha256", s.authenticode->page_sha256);
    w.end_object();
  }
  w.member("signer_kind", to_string(s.signatures.empty() ? sig::SignerKind::unsigned_ : s.signatures.front().kind));
  w.member("chain_trust", "not verified against a trust store");
  w.key("signatures").begin_array();
  for (const sig::Signature& g : s.signatures) {
    w.begin_object();
    w.member("nested", g.nested);
    w.member("signer_kind", to_string(g.kind));
    if (!g.chain.empty()) {
      w.member("subject", g.chain.front().subject);
      w.member("issuer", g.chain.front().issuer);
    }
    w.member("digest_algorithm", g.digest_algorithm);
    w.member("signer_digest_algorithm", g.signer_digest_algorithm);
    w.member("signed_digest", g.signed_digest);
    w.member("digest_matches", g.digest_matches);
    w.member("signature_valid", g.signature_valid);
    w.member("signing_time", g.signing_time);
    w.member("timestamp_verified", g.timestamp_verified);
    w.member("program_name", g.program_name);
    if (g.page_hashes) {
      w.key("page_hashes").begin_object();
      w.member("algorithm", g.page_hashes->algorithm);
      w.member("pages", g.page_hashes->pages);
      w.key("mismatched_offsets").begin_array();
      for (uint64_t offset : g.page_hashes->mismatched) w.value(offset);
      w.end_array();
      w.member("problems", g.page_hashes->problems);
      w.end_object();
    }
    w.key("chain").begin_array();
    for (const sig::Certificate& c : g.chain) write_certificate(w, c);
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.member("catalog", s.catalog);
  if (s.catalog_members) w.member("catalog_members", *s.catalog_members);
  w.member("problems", s.problems);
  w.end_object();
}

void write_flag_names(JsonWriter& w, uint32_t value, std::initializer_list<std::pair<uint32_t, const char*>> names) {
  w.begin_array();
  for (auto [bit, name] : names)
    if (value & bit) w.value(name);
  w.end_array();
}

void write_pe(JsonWriter& w, const PeSummary& pe, const std::string& machine) {
  w.begin_object();
  w.member("machine", machine);
  w.member("format", pe.pe32_plus ? "PE32+" : "PE32");
  w.member("subsystem", pe.subsystem);
  w.member("time_date_stamp", hex(pe.time_date_stamp));
  w.member("image_base", hex(pe.image_base));
  w.member("entry_point_rva", hex(pe.entry_point_rva));
  w.member("size_of_image", pe.size_of_image);
  w.member("section_alignment", hex(pe.section_alignment));
  w.member("file_alignment", hex(pe.file_alignment));
  w.key("dll_characteristics");
  write_flag_names(w, pe.dll_characteristics, {{0x20, "HIGH_ENTROPY_VA"}, {0x40, "DYNAMIC_BASE"},
                                               {0x80, "FORCE_INTEGRITY"}, {0x100, "NX_COMPAT"},
                                               {0x400, "NO_SEH"}, {0x2000, "WDM_DRIVER"},
                                               {0x4000, "GUARD_CF"}});
  if (pe.extended_dll_characteristics) {
    w.key("extended_dll_characteristics");
    write_flag_names(w, *pe.extended_dll_characteristics, {{0x1, "CET_COMPAT"}});
  }
  w.member("checksum", hex(pe.checksum));
  w.member("checksum_status", pe.checksum == 0 ? "not set" : pe.checksum == pe.computed_checksum ? "valid" : "invalid");
  w.key("sections").begin_array();
  for (const auto& s : pe.sections) {
    w.begin_object();
    w.member("name", s.name);
    w.member("rva", hex(s.rva));
    w.member("virtual_size", s.virtual_size);
    w.member("raw_size", s.raw_size);
    w.member("characteristics", hex(s.characteristics));
    w.end_object();
  }
  w.end_array();
  if (pe.pdb_path) {
    w.key("pdb").begin_object();
    w.member("path", *pe.pdb_path).member("guid", pe.pdb_guid.value_or(""));
    w.end_object();
  }
  w.member("certificate_table", pe.has_certificate_table);
  w.member("overlay_size", pe.overlay_size);
  w.end_object();
}

}  // namespace

void write_artifact(JsonWriter& w, const FileAnalysis& f) {
  w.begin_object();
  w.member("path", f.artifact.path);
  w.member("kind", to_string(f.artifact.kind));
  w.member("sha256", f.artifact.sha256);
  w.member("size", f.artifact.size);
  w.member("errors", f.artifact.errors);
  w.member("gaps", f.artifact.gaps);
  if (f.pe) {
    w.key("pe");
    write_pe(w, *f.pe, f.model ? f.model->machine : std::string());  // the two are set together
  }
  if (f.signature) {
    w.key("signature");
    write_signature(w, *f.signature);
  }
  w.end_object();
}

}  // namespace drvsec
