#include "binary/kmdf_binding.h"

#include <algorithm>

#include <fmt/format.h>

#include "binary/call_operands.h"
#include "binary/kernel_platform.h"
#include "ddi/functions.h"
#include "model/driver_model.h"
#include "binary/recover.h"
#include "disasm/values.h"

namespace drvsec {

namespace {

using namespace disasm;

constexpr size_t kMaxCandidateFunctions = 16;

bool is_bind(const ImportRef* imp) { return imp && imp->name == "WdfVersionBind" && imp->module == "wdfldr.sys"; }

// Functions that call WdfVersionBind or read its IAT slot (call [slot], mov reg, [slot]).
std::vector<const Function*> candidates(CodeModel& code, const std::vector<uint32_t>& slots) {
  std::vector<const Function*> out;
  code.analyze_all();
  for (const auto& [entry, f] : code.functions()) {
    bool hit = std::any_of(f->calls.begin(), f->calls.end(), [](const CallSite& c) { return is_bind(c.import); });
    for (size_t i = 0; !hit && i < f->instructions.size(); ++i) {
      const Instruction& insn = f->instructions[i];
      for (uint8_t k = 0; k < insn.operand_count && !hit; ++k)
        hit = insn.ops[k].kind == OperandKind::mem && insn.ops[k].mem.rva &&
              std::find(slots.begin(), slots.end(), *insn.ops[k].mem.rva) != slots.end();
    }
    if (hit) out.push_back(f.get());
    if (out.size() >= kMaxCandidateFunctions) break;
  }
  return out;
}

// An address argument as an RVA: an image address, or (x86) an absolute VA into the image.
std::optional<uint32_t> image_rva(const CodeModel& code, const Value& v) {
  if (v.exactly(ValueKind::image_address) && v.offset >= 0 && v.offset <= 0xFFFFFFFF) return static_cast<uint32_t>(v.offset);
  if (auto c = v.as_constant()) return code.va_to_rva(*c);
  return std::nullopt;
}

}  // namespace

WdfBindingResult find_wdf_binding(CodeModel& code) {
  WdfBindingResult result;
  std::vector<uint32_t> slots;
  for (const auto& m : code.image().imports)
    if (lowercase(m.dll) == "wdfldr.sys")
      for (const auto& f : m.functions)
        if (f.name == "WdfVersionBind") slots.push_back(f.iat_rva);
  if (slots.empty()) {
    result.failure = "the driver does not import WdfVersionBind from WDFLDR.SYS";
    return result;
  }
  const ddi::Architecture arch = ddi_architecture(code.arch());
  const ddi::WdfBindInfoLayout& layout = ddi::layouts(arch).wdf_bind_info;
  const ddi::Function& bind = *ddi::find("WdfVersionBind");
  const uint32_t bind_info_slot = ddi::argument_slot(bind, bind.parameter(ddi::Role::bind_info)->index, arch);
  const uint32_t ps = pointer_size(code.arch());
  result.failure = "no call of WdfVersionBind was found in the analyzed code";
  for (const Function* f : candidates(code, slots)) {
    ValueAnalysis va(code, *f, {});
    std::optional<WdfBinding> found;
    va.for_each([&](const Instruction& insn, const State& st) {
      if (found || (!insn.is_call() && !insn.is_jmp()) || !f->call_at(insn.rva) || !is_bind(va.import_called(insn, st))) return;
      // WdfVersionBind(DriverObject, RegistryPath, PWDF_BIND_INFO BindInfo, PWDF_COMPONENT_GLOBALS* Globals)
      const Value arg = call_argument_at(st, insn, bind_info_slot);
      const auto info = image_rva(code, arg);
      result.failure_rva = insn.rva;
      if (!info) {
        result.failure = "WdfVersionBind's BindInfo argument is not an address in the image";
        return;
      }
      // Scalars are initialized data; FuncTable is a relocated pointer (or stored by the code).
      // ULONG Size is the first member.
      auto field = [&](uint32_t off) { return code.read_uint(*info + off, 4); };
      const auto size = field(0), major = field(layout.major), minor = field(layout.minor), build = field(layout.build),
                 count = field(layout.func_count);
      Value table = st.memory(Value::of(ValueKind::image_address, *info + layout.func_table), ps);
      auto table_rva = image_rva(code, table);
      if (!table_rva)
        if (auto raw = code.read_uint(*info + layout.func_table, ps)) table_rva = code.va_to_rva(*raw);
      if (!size || !major || !minor || !build || !count || !table_rva) {
        result.failure = fmt::format("the WDF_BIND_INFO at 0x{:X} is not readable or its FuncTable is not an address in the image", *info);
        return;
      }
      if (*size < layout.func_table + ps || *count == 0 || *count > kMaxWdfFunctionCount) {
        result.failure = fmt::format("the WDF_BIND_INFO at 0x{:X} is implausible (Size {}, FuncCount {})", *info, *size, *count);
        return;
      }
      WdfBinding b;
      b.call_rva = insn.rva;
      b.bind_info_rva = *info;
      b.major = static_cast<uint32_t>(*major), b.minor = static_cast<uint32_t>(*minor), b.build = static_cast<uint32_t>(*build);
      b.function_count = static_cast<uint32_t>(*count);
      b.func_table_rva = *table_rva;
      found = b;
    });
    if (found) {
      result.binding = found;
      result.failure.clear();
      result.failure_rva.reset();
      return result;
    }
  }
  return result;
}

}  // namespace drvsec
