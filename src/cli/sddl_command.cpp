#include "cli/sddl_command.h"

#include <fmt/format.h>

#include "cli/scan_command.h"
#include "report/json_writer.h"
#include "sddl/constants.h"
#include "sddl/evaluate.h"

namespace drvsec {
namespace {

using namespace sddl;

std::string_view context_name(Context c) {
  switch (c) {
    case Context::device_secure: return "device";
    case Context::inf: return "inf";
    default: return "any";
  }
}

std::string mark(bool b) { return b ? "yes" : "-"; }

void write_text(std::string_view text, const DevobjConstant* constant, Context context, const SecurityDescriptor& sd,
                const Evaluation& ev, const std::vector<Risk>& risks, std::ostream& out) {
  out << "SDDL      " << text << '\n';
  if (constant) out << "constant  " << constant->name << " (" << constant->meaning << ")\n";
  out << "context   " << context_name(context)
      << (context == Context::device_secure ? " (IoCreateDeviceSecure / WDF subset)"
          : context == Context::inf         ? " (INF: full SDDL)"
                                            : " (IoCreateDeviceSecure subset reported as a note)")
      << "\n\nWhat it says\n";
  for (const std::string& line : explain(sd)) out << "  " << line << '\n';
  out << "\nEffective access on a device object (generic rights mapped as FILE_GENERIC_*, ACEs in order)\n";
  out << fmt::format("  {:<42} {:<5} {:<6} {:<4} {}\n", "caller", "read", "write", "all", "rights");
  for (const PrincipalAccess& pa : ev.access) {
    const uint32_t g = pa.granted_at_most;
    std::string rights = rights_constants(g);
    if (pa.granted != g) rights += fmt::format(" (without the conditions: {})", rights_constants(pa.granted));
    out << fmt::format("  {:<42} {:<5} {:<6} {:<4} {}\n", pa.principal->name, mark(can_read(g)), mark(can_write(g)),
                       mark(has_all(g)), rights);
  }
  auto name = [](const Principal* p) { return p ? std::string(p->name) : std::string("nobody (kernel-mode code only)"); };
  out << "\nLowest-privileged caller that can open it\n";
  out << "  for read   " << name(ev.lowest_read) << '\n';
  out << "  for write  " << name(ev.lowest_write) << '\n';
  out << "  for all    " << name(ev.lowest_all) << '\n';
  out << "\nSummary\n";
  for (const std::string& s : summary(ev)) out << "  " << s << '\n';
  out << "\nRisks\n";
  if (risks.empty()) out << "  none\n";
  for (const Risk& r : risks)
    out << fmt::format("  {:<8} {}{}: {}\n", to_string(r.severity), r.id,
                       r.column ? fmt::format(" (column {})", r.column) : std::string(), r.message);
}

void write_json(std::string_view text, const DevobjConstant* constant, Context context, const SecurityDescriptor& sd,
                const Evaluation& ev, const std::vector<Risk>& risks, std::ostream& out) {
  std::string s;
  JsonWriter w(s);
  w.begin_object();
  w.member("sddl", text);
  w.key("constant");
  if (constant) w.value(constant->name);
  else w.null();
  w.member("context", context_name(context));
  auto sid = [&](const Sid& v) {
    w.begin_object().member("text", v.text).member("alias", v.alias).member("canonical", v.canonical)
        .member("name", v.name).end_object();
  };
  w.key("owner");
  if (sd.owner) sid(*sd.owner);
  else w.null();
  w.key("group");
  if (sd.group) sid(*sd.group);
  else w.null();
  auto acl = [&](const char* key, const Acl& a) {
    w.key(key);
    if (!a.present) {
      w.null();
      return;
    }
    w.begin_object().member("flags", a.flag_codes).member("null", a.null_acl).key("aces").begin_array();
    for (const Ace& e : a.aces) {
      w.begin_object().member("column", e.column).member("type", e.type_code).member("flags", e.flag_codes)
          .member("rights", e.rights_text).member("mask", fmt::format("0x{:08X}", e.mask))
          .member("mapped", fmt::format("0x{:08X}", map_generic_file(e.mask)))
          .member("object_guid", e.object_guid).member("inherit_object_guid", e.inherit_object_guid);
      w.key("sid");
      sid(e.sid);
      w.member("condition", e.condition).member("resource_attribute", e.resource_attribute).end_object();
    }
    w.end_array().end_object();
  };
  acl("dacl", sd.dacl);
  acl("sacl", sd.sacl);
  w.member("explanation", explain(sd));
  w.key("access").begin_array();
  for (const PrincipalAccess& pa : ev.access) {
    std::vector<std::string> granting;
    for (size_t i : pa.granting_aces) granting.push_back(std::to_string(i + 1));
    w.begin_object().member("principal", pa.principal->id).member("name", pa.principal->name)
        .member("rank", pa.principal->rank).member("granted", fmt::format("0x{:08X}", pa.granted))
        .member("granted_at_most", fmt::format("0x{:08X}", pa.granted_at_most))
        .member("rights", rights_constants(pa.granted_at_most)).member("read", can_read(pa.granted_at_most))
        .member("write", can_write(pa.granted_at_most)).member("all", has_all(pa.granted_at_most))
        .member("granting_aces", granting).end_object();
  }
  w.end_array();
  w.key("lowest").begin_object();
  for (auto [key, p] : {std::pair{"read", ev.lowest_read}, {"write", ev.lowest_write}, {"all", ev.lowest_all}}) {
    w.key(key);
    if (p) w.value(p->id);
    else w.null();
  }
  w.end_object();
  w.member("summary", summary(ev));
  w.key("risks").begin_array();
  for (const Risk& r : risks)
    w.begin_object().member("id", r.id).member("severity", to_string(r.severity)).member("column", r.column)
        .member("message", r.message).end_object();
  w.end_array().end_object();
  out << s << '\n';
}

}  // namespace

int run_sddl(const SddlCommand& command, std::ostream& out, std::ostream& err) {
  std::string_view text = command.text;
  const DevobjConstant* constant = find_devobj_constant(text);
  if (constant) text = constant->sddl;
  else if (text.starts_with("SDDL_DEVOBJ_")) {
    std::string names;
    for (const DevobjConstant& c : devobj_constants()) names += fmt::format("\n  {}", c.name);
    err << "drvsec: unknown constant " << command.text << "; wdmsec.h defines:" << names << '\n';
    return kExitUsage;
  }
  const ParseResult parsed = parse(text);
  if (!parsed) {
    err << "drvsec: invalid SDDL: " << to_string(*parsed.error) << '\n';
    if (text.size() <= 200 && parsed.error->column >= 1 && parsed.error->column <= text.size() + 1) {
      err << "  " << text << '\n';
      err << "  " << std::string(parsed.error->column - 1, ' ') << "^\n";
    }
    return kExitUsage;
  }
  if (!constant) constant = devobj_constant_for(text);
  Context context = Context::any;
  if (command.context == "device" || (command.context.empty() && find_devobj_constant(command.text)))
    context = Context::device_secure;
  else if (command.context == "inf")
    context = Context::inf;
  const SecurityDescriptor& sd = *parsed.descriptor;
  const Evaluation ev = evaluate(sd);
  const std::vector<Risk> risks = assess(sd, ev, context);
  if (command.format == "json") write_json(text, constant, context, sd, ev, risks, out);
  else write_text(text, constant, context, sd, ev, risks, out);
  return kExitClean;
}

}  // namespace drvsec
