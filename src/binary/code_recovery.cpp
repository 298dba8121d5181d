#include "binary/code_recovery.h"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "binary/call_operands.h"
#include "binary/kernel_platform.h"
#include "binary/kmdf_binding.h"
#include "ddi/wdf_function_table.h"
#include "disasm/values.h"

namespace drvsec {

namespace {

using namespace disasm;

constexpr uint32_t kMajorSlots = kIrpMjMaximum + 1;
constexpr uint32_t kFollowedArguments = 8;

bool is_request_derived(const Value& v) {
  switch (v.kind) {
    case ValueKind::irp: case ValueKind::io_stack_location: case ValueKind::io_control_code:
    case ValueKind::system_buffer: case ValueKind::type3_input_buffer: case ValueKind::user_buffer:
    case ValueKind::input_buffer_length: case ValueKind::output_buffer_length: case ValueKind::user_data:
      return true;
    default:
      return v.user_controlled;
  }
}

// The IOCTL code a compare of `lhs` with `rhs` tests for equality, when one side is the code.
std::optional<uint32_t> compared_ioctl(const Value& lhs, const Value& rhs) {
  auto one = [](const Value& code, const Value& k) -> std::optional<uint32_t> {
    if (!code.exactly(ValueKind::io_control_code) || !k.as_constant()) return std::nullopt;
    const uint32_t v = static_cast<uint32_t>(*k.as_constant() - static_cast<uint64_t>(code.offset));
    return v ? std::optional(v) : std::nullopt;
  };
  if (auto c = one(lhs, rhs)) return c;
  return one(rhs, lhs);
}

std::string format_guid(const CodeModel& code, uint32_t rva) {
  auto d1 = code.read_uint(rva, 4), d2 = code.read_uint(rva + 4, 2), d3 = code.read_uint(rva + 6, 2);
  if (!d1 || !d2 || !d3) return {};
  std::string s = fmt::format("{{{:08X}-{:04X}-{:04X}-", *d1, *d2, *d3);
  for (uint32_t i = 0; i < 8; ++i) {
    auto b = code.read_uint(rva + 8 + i, 1);
    if (!b) return {};
    s += fmt::format("{:02X}", *b);
    if (i == 1) s += '-';
  }
  return s + "}";
}

class Recovery {
 public:
  Recovery(CodeModel& code, DriverModel& model, const CodeRecoveryLimits& limits)
      : code_(code), model_(model), limits_(limits), ps_(pointer_size(code.arch())),
        arch_(ddi_architecture(code.arch())), layout_(ddi::layouts(arch_)), secure_create_(*ddi::find("IoCreateDeviceSecure")) {}

  void run();

 private:
  // The argument of the call `insn` of DDI `f` for its parameter with `role` (the DDI table
  // lists the parameters code recovery reads; ddi_test checks their positions).
  Value argument(const State& st, const Instruction& insn, const ddi::Function& f, ddi::Role role) const {
    const ddi::Parameter* p = f.parameter(role);
    if (!p) throw std::logic_error(fmt::format("the DDI table gives {} no parameter of the role code recovery reads", f.name));
    return call_argument_at(st, insn, ddi::argument_slot(f, p->index, arch_));
  }
  // What a followed callee receives: its arguments and, on x86, eax/ecx/edx (fastcall and the
  // register conventions compilers give local functions). The caller's stack addresses mean
  // nothing in the callee's frame.
  struct Callee {
    uint32_t rva = 0;
    std::vector<Value> args;
    std::vector<std::pair<ZydisRegister, Value>> regs;
    bool passes(bool (*pred)(const Value&)) const {
      return std::any_of(args.begin(), args.end(), pred) ||
             std::any_of(regs.begin(), regs.end(), [&](const auto& r) { return pred(r.second); });
    }
  };
  Callee callee_context(uint32_t target, const State& st, const Instruction& insn) const {
    auto local = [](Value v) {
      if (v.is(ValueKind::stack_address) || v.is(ValueKind::argument)) v = Value::unknown(v.user_controlled);
      return v;
    };
    Callee c;
    c.rva = target;
    for (uint32_t n = 0; n < kFollowedArguments; ++n) c.args.push_back(local(call_argument_at(st, insn, n)));
    if (code_.arch() == Arch::x86)
      for (ZydisRegister r : {ZYDIS_REGISTER_EAX, ZYDIS_REGISTER_ECX, ZYDIS_REGISTER_EDX}) c.regs.emplace_back(r, local(st.reg(r)));
    return c;
  }
  // Text of the UNICODE_STRING `ptr` points to (stack or global, initialized here or statically).
  std::optional<std::string> unicode_string(const State& st, const Value& ptr) const {
    if (!ptr.exactly(ValueKind::stack_address) && !ptr.exactly(ValueKind::image_address)) return std::nullopt;
    Value buffer_field = ptr;
    buffer_field.offset += layout_.unicode_string.buffer;
    const Value buffer = st.memory(buffer_field, ps_);
    if (!buffer.exactly(ValueKind::image_address)) return std::nullopt;
    return code_.utf16_at(static_cast<uint32_t>(buffer.offset));
  }
  std::optional<uint32_t> constant32(const Value& v) const {
    if (auto c = v.as_constant()) return static_cast<uint32_t>(*c);
    return std::nullopt;
  }
  // The function to analyze for `c`, or nullptr when it was analyzed with the same inputs
  // already, is too deep, or the budget of followed calls is spent.
  const Function* begin_walk(const Callee& c, uint32_t depth) {
    if (depth > limits_.max_call_depth) return nullptr;
    std::string key = fmt::format("{:X}", c.rva);
    for (const auto& a : c.args) key += fmt::format(":{}/{}/{}", static_cast<int>(a.kind), a.offset, a.ranged);
    for (const auto& [r, a] : c.regs) key += fmt::format(":{}/{}/{}", static_cast<int>(a.kind), a.offset, a.ranged);
    const uint32_t rva = c.rva;
    if (!walked_.insert(key).second) return nullptr;
    if (followed_++ >= limits_.max_followed_calls) {
      if (!follow_budget_noted_) {
        follow_budget_noted_ = true;
        note("helper functions", fmt::format("more than {} function analyses; the rest were not followed",
                                             limits_.max_followed_calls), rva);
      }
      return nullptr;
    }
    return code_.function_at(rva);
  }
  void note(std::string what, std::string why, std::optional<uint32_t> rva = std::nullopt) {
    // A function walked in two contexts (FxDriverEntry calls DriverEntry twice) says the same once.
    for (const RecoveryNote& n : model_.recovery_notes)
      if (n.what == what && n.why == why && n.provenance.at.rva == rva) return;
    model_.recovery_notes.push_back({std::move(what), std::move(why), provenance_at(rva, "code analysis")});
  }

  void walk_driver_entry(const Callee& c, uint32_t depth);
  void record_dispatch_store(const Value& address, const Value& value, uint32_t rva, std::optional<uint32_t> count);
  void on_driver_entry_import(const ImportRef& imp, const State& st, const Instruction& insn);
  void add_device(const ddi::Function& f, std::string created_by, const State& st, const Instruction& insn);
  bool looks_like_secure_create(const State& st, const Instruction& insn) const;

  // KMDF: calls through the WDF function table (argument 0 is WdfDriverGlobals).
  void bind_kmdf();
  void on_wdf_call(const std::string& name, const State& st, const Instruction& insn);
  std::optional<uint32_t> code_address(const Value& v) const {
    std::optional<uint32_t> rva;
    if (v.exactly(ValueKind::image_address) && v.offset >= 0 && v.offset <= 0xFFFFFFFF) rva = static_cast<uint32_t>(v.offset);
    else if (auto c = v.as_constant()) rva = code_.va_to_rva(*c);
    return rva && code_.is_executable(*rva) ? rva : std::nullopt;
  }
  // The device being set up through a WDFDEVICE_INIT (name, SDDL, type) until WdfDeviceCreate.
  struct WdfDeviceInit {
    std::string name;
    std::optional<std::string> sddl;
    std::optional<uint32_t> device_type, characteristics;
    bool name_unknown = false;  // WdfDeviceInitAssignName was called with a name not recovered
    uint32_t rva = 0;
  };
  void finish_wdf_device(std::string created_by);
  void recover_kmdf_queues();

  void walk_ioctl_handler(const Callee& c, uint32_t depth);
  void add_partial_dispatch(PartialIoctlDispatch d);
  void add_ioctl(uint32_t code, std::optional<uint32_t> handler, uint32_t function, uint32_t at);

  CodeModel& code_;
  DriverModel& model_;
  CodeRecoveryLimits limits_;
  uint32_t ps_;
  ddi::Architecture arch_;
  const ddi::Layouts& layout_;  // the structures of the image's architecture
  // WdmlibIoCreateDeviceSecure (wdmsec.lib) is linked into the driver: its calls are direct calls.
  const ddi::Function& secure_create_;
  std::set<std::string> walked_;
  uint32_t followed_ = 0;
  bool follow_budget_noted_ = false;
  std::map<uint8_t, DispatchRoutine> direct_, filled_;
  std::map<uint32_t, Ioctl> ioctls_;
  bool kmdf_ = false;  // the WDF function table is known: calls through it resolve
  bool wdf_driver_create_seen_ = false, wdf_queue_create_seen_ = false;
  std::optional<WdfDeviceInit> wdf_init_;
  std::string wdf_device_name_;  // the last device WdfDeviceCreate created (for its links)
  std::set<uint32_t> wdf_devices_created_;  // recorded devices, by the call that completed their setup
  std::map<std::pair<uint32_t, std::string>, KmdfQueueCallback> queue_callbacks_;
  std::map<std::pair<uint32_t, uint32_t>, PartialIoctlDispatch> partial_;  // by (function, jump/compare rva)
};

void Recovery::record_dispatch_store(const Value& address, const Value& value, uint32_t rva,
                                     std::optional<uint32_t> count) {
  if (!value.exactly(ValueKind::image_address) || !code_.is_executable(static_cast<uint32_t>(value.offset))) return;
  const uint32_t target = static_cast<uint32_t>(value.offset);
  if (address.is(ValueKind::driver_extension) && !address.ranged && address.offset == layout_.driver_extension.add_device) {
    model_.add_device_rva = target;
    return;
  }
  if (!address.is(ValueKind::driver_object)) return;
  const int64_t off = address.offset;
  if (!address.ranged && off == layout_.driver_object.driver_unload) {
    model_.driver_unload_rva = target;
    return;
  }
  const int64_t major_function = layout_.driver_object.major_function;
  if (off < major_function || (off - major_function) % ps_ != 0) return;
  const uint64_t first = static_cast<uint64_t>(off - major_function) / ps_;
  if (first >= kMajorSlots) return;
  const Provenance p = provenance_at(rva, "store into DriverObject->MajorFunction");
  if (address.ranged || count) {
    const uint64_t last = count ? std::min<uint64_t>(kMajorSlots, first + *count) : kMajorSlots;
    for (uint64_t n = first; n < last; ++n)
      filled_.try_emplace(static_cast<uint8_t>(n), DispatchRoutine{static_cast<uint8_t>(n), target, true,
                                                                   provenance_at(rva, "loop filling DriverObject->MajorFunction")});
    return;
  }
  direct_[static_cast<uint8_t>(first)] = DispatchRoutine{static_cast<uint8_t>(first), target, false, p};
}

void Recovery::add_device(const ddi::Function& f, std::string created_by, const State& st, const Instruction& insn) {
  // IoCreateDevice(DriverObject, ExtensionSize, DeviceName, DeviceType, Characteristics, Exclusive, ...),
  // IoCreateDeviceSecure(..., DefaultSDDLString, DeviceClassGuid, DeviceObject)
  auto arg = [&](ddi::Role role) { return argument(st, insn, f, role); };
  std::string name = unicode_string(st, arg(ddi::Role::device_name)).value_or("");
  std::optional<std::string> sddl;
  if (f.parameter(ddi::Role::sddl)) sddl = unicode_string(st, arg(ddi::Role::sddl));
  Device* d = nullptr;
  if (!name.empty())
    for (auto& existing : model_.devices)
      if (existing.name == name) d = &existing;
  if (!d) {
    model_.devices.push_back(Device{});
    d = &model_.devices.back();
    d->name = std::move(name);
  }
  d->created_by = std::move(created_by);
  d->device_type = constant32(arg(ddi::Role::device_type));
  d->characteristics = constant32(arg(ddi::Role::device_characteristics));
  if (auto e = constant32(arg(ddi::Role::exclusive))) d->exclusive = (*e & 0xFF) != 0;
  if (sddl) d->sddl = std::move(sddl);
  d->provenance = provenance_at(insn.rva, d->created_by + " argument");
}

bool Recovery::looks_like_secure_create(const State& st, const Instruction& insn) const {
  auto sddl = unicode_string(st, argument(st, insn, secure_create_, ddi::Role::sddl));
  return sddl && sddl->rfind("D:", 0) == 0;
}

void Recovery::on_driver_entry_import(const ImportRef& imp, const State& st, const Instruction& insn) {
  const std::string& n = imp.name;
  if (imp.module == ddi::kWdfFunctionTableModule) {
    on_wdf_call(n, st, insn);
    return;
  }
  const ddi::Function* f = ddi::find(n);
  if (!f) return;
  auto arg = [&](ddi::Role role) { return argument(st, insn, *f, role); };
  if (n == "IoCreateDevice" || n == "IoCreateDeviceSecure") {
    add_device(*f, n, st, insn);
  } else if (n == "IoCreateSymbolicLink") {
    auto link = unicode_string(st, arg(ddi::Role::symbolic_link_name));
    if (!link) {
      note("symbolic link name", "IoCreateSymbolicLink argument is not a constant UNICODE_STRING", insn.rva);
      return;
    }
    const std::string target = unicode_string(st, arg(ddi::Role::device_name)).value_or("");
    for (auto& l : model_.links)
      if (l.name == *link) {
        l.target = target;
        l.provenance = provenance_at(insn.rva, "IoCreateSymbolicLink argument");
        return;
      }
    model_.links.push_back({*link, target, provenance_at(insn.rva, "IoCreateSymbolicLink argument")});
  } else if (n == "IoRegisterDeviceInterface") {
    const Value guid = arg(ddi::Role::interface_class_guid);
    DeviceInterface di;
    if (guid.exactly(ValueKind::image_address)) di.class_guid = format_guid(code_, static_cast<uint32_t>(guid.offset));
    di.provenance = provenance_at(insn.rva, "IoRegisterDeviceInterface argument");
    model_.interfaces.push_back(di);
  }
}

bool passes_driver_object(const Value& v) { return v.is(ValueKind::driver_object) || v.is(ValueKind::driver_extension); }

void Recovery::walk_driver_entry(const Callee& ctx, uint32_t depth) {
  const Function* f = begin_walk(ctx, depth);
  if (!f) return;
  ValueAnalysis va(code_, *f, ctx.args, ctx.regs);
  std::vector<Callee> callees;
  va.for_each([&](const Instruction& insn, const State& st) {
    if (insn.mnemonic == ZYDIS_MNEMONIC_MOV && insn.ops[0].kind == OperandKind::mem) {
      record_dispatch_store(st.address_of(insn.ops[0].mem), st.operand(insn, 1), insn.rva, std::nullopt);
      return;
    }
    if (insn.operand_count == 2 && insn.ops[0].kind == OperandKind::mem && insn.ops[1].kind == OperandKind::reg &&
        vector_index(insn.ops[1].reg) >= 0) {
      Value at = st.address_of(insn.ops[0].mem);
      const uint32_t bytes = insn.ops[0].size ? insn.ops[0].size : 16;
      for (uint32_t k = 0; k < bytes / ps_; ++k, at.offset += ps_)
        record_dispatch_store(at, st.vector_part(insn.ops[1].reg, k * ps_, ps_), insn.rva, std::nullopt);
      return;
    }
    if (insn.has_rep && (insn.mnemonic == ZYDIS_MNEMONIC_STOSQ || insn.mnemonic == ZYDIS_MNEMONIC_STOSD)) {
      const Value dst = st.reg(code_.arch() == Arch::x64 ? ZYDIS_REGISTER_RDI : ZYDIS_REGISTER_EDI);
      const Value count = st.reg(code_.arch() == Arch::x64 ? ZYDIS_REGISTER_RCX : ZYDIS_REGISTER_ECX);
      const Value value = st.reg(code_.arch() == Arch::x64 ? ZYDIS_REGISTER_RAX : ZYDIS_REGISTER_EAX);
      auto n = count.as_constant();
      record_dispatch_store(dst, value, insn.rva, n ? std::optional(static_cast<uint32_t>(std::min<uint64_t>(*n, 64))) : std::nullopt);
      return;
    }
    const CallSite* c = f->call_at(insn.rva);
    if (!c) return;
    if (const ImportRef* imp = va.import_called(insn, st)) {
      on_driver_entry_import(*imp, st, insn);
      return;
    }
    if (c->kind != CallKind::direct || !c->target) return;
    if (looks_like_secure_create(st, insn)) {
      // WdmlibIoCreateDeviceSecure (wdmsec.lib, linked in): IoCreateDevice's arguments plus an SDDL string.
      add_device(secure_create_, "IoCreateDeviceSecure", st, insn);
      return;
    }
    Callee next = callee_context(*c->target, st, insn);
    // KMDF drivers set up through framework handles (WDFDRIVER, WDFDEVICE_INIT), which the value
    // tracker does not follow: every helper is walked (within the depth and call budget).
    if (kmdf_ || next.passes(passes_driver_object)) callees.push_back(std::move(next));
  });
  for (const Callee& next : callees) walk_driver_entry(next, depth + 1);
}

void Recovery::add_ioctl(uint32_t code, std::optional<uint32_t> handler, uint32_t function, uint32_t at) {
  Ioctl io;
  io.code = code;
  io.handler_rva = handler;
  io.handler_function_rva = function;
  io.provenance = provenance_at(at, "IoControlCode comparison");
  ioctls_.try_emplace(code, io);
}

void Recovery::add_partial_dispatch(PartialIoctlDispatch d) {
  const std::pair key{d.function_rva, d.provenance.at.rva.value_or(0)};
  auto [it, fresh] = partial_.try_emplace(key, d);
  if (fresh) return;
  std::set<uint32_t> values(it->second.values.begin(), it->second.values.end());
  values.insert(d.values.begin(), d.values.end());
  it->second.values.assign(values.begin(), values.end());
}

// The IOCTL-code bits a compare tests and the constant it tests them against.
std::optional<std::pair<Value, uint32_t>> compared_code_part(const Comparison& cmp) {
  if (!cmp.valid || cmp.is_test) return std::nullopt;
  for (const auto& [part, k] : {std::pair{cmp.lhs, cmp.rhs}, std::pair{cmp.rhs, cmp.lhs}})
    if (part.exactly(ValueKind::io_control_code_part) && k.as_constant())
      return std::pair{part, static_cast<uint32_t>(*k.as_constant())};
  return std::nullopt;
}

void Recovery::walk_ioctl_handler(const Callee& ctx, uint32_t depth) {
  const Function* f = begin_walk(ctx, depth);
  if (!f) return;
  ValueAnalysis va(code_, *f, ctx.args, ctx.regs);
  std::vector<Callee> callees;
  // Compares of IOCTL-code bits against constants, by the bits compared (SM-6).
  struct PartCompares {
    uint32_t first_rva = 0;
    std::set<uint32_t> values;  // tested for equality (the pivots of a search tree are not cases)
  };
  std::map<uint32_t, PartCompares> part_compares;
  va.for_each([&](const Instruction& insn, const State& st) {
    if (insn.is_conditional_jump()) {
      const Comparison& cmp = st.comparison();
      if (auto part = compared_code_part(cmp)) {
        const uint32_t bits = static_cast<uint32_t>(uint64_t{part->first.id} << part->first.offset);
        if (insn.mnemonic == ZYDIS_MNEMONIC_JZ || insn.mnemonic == ZYDIS_MNEMONIC_JNZ) {
          PartCompares& pc = part_compares[bits];
          if (pc.values.empty()) pc.first_rva = cmp.rva;
          pc.values.insert(part->second);
        }
      }
      if (!cmp.valid || cmp.is_test) return;
      auto code = compared_ioctl(cmp.lhs, cmp.rhs);
      if (!code) return;
      if (insn.mnemonic == ZYDIS_MNEMONIC_JZ && insn.branch_target) add_ioctl(*code, insn.branch_target, f->entry, cmp.rva);
      else if (insn.mnemonic == ZYDIS_MNEMONIC_JNZ) add_ioctl(*code, insn.end(), f->entry, cmp.rva);
      return;
    }
    const CallSite* c = f->call_at(insn.rva);
    if (!c || c->kind != CallKind::direct || !c->target) return;
    Callee next = callee_context(*c->target, st, insn);
    if (next.passes(is_request_derived)) callees.push_back(std::move(next));
  });
  for (const JumpTable& jt : f->jump_tables) {
    auto st = va.state_before(jt.index_rva);
    if (!st) continue;
    const Value index = st->reg(jt.index_reg);
    if (index.exactly(ValueKind::io_control_code_part)) {
      const uint32_t bits = static_cast<uint32_t>(uint64_t{index.id} << index.offset);
      add_partial_dispatch({f->entry, bits, "jump table", {}, provenance_at(jt.jump_rva, "jump table on IoControlCode bits")});
      note("IOCTL codes", fmt::format("jump table at 0x{:X} dispatches on bits 0x{:X} of IoControlCode only; "
                                      "its cases are not turned into IOCTL codes", jt.jump_rva, bits), jt.jump_rva);
      continue;
    }
    if (!index.exactly(ValueKind::io_control_code)) {
      if (index.user_controlled)
        note("IOCTL codes", fmt::format("jump table at 0x{:X} is indexed by a value computed from IoControlCode that "
                                        "is not a plain offset of it", jt.jump_rva), jt.jump_rva);
      continue;
    }
    // Entries for codes the switch does not handle go to its default block: the bounds check's
    // branch target (gcc), or, when out-of-range codes go elsewhere (clang), the one target most
    // entries share.
    std::optional<uint32_t> default_target;
    if (const Instruction* check = f->instruction_at(jt.index_rva)) {
      const Instruction* next = f->instruction_at(check->end());
      if (next && next->is_conditional_jump()) default_target = next->branch_target;
    }
    const auto& targets = jt.case_targets;
    if (!default_target || std::find(targets.begin(), targets.end(), *default_target) == targets.end()) {
      std::map<uint32_t, uint32_t> count;
      for (uint32_t t : targets) ++count[t];
      uint32_t best = 0, best_count = 0, second = 0;
      for (const auto& [t, n] : count) {
        if (n > best_count) {
          second = best_count;
          best = t, best_count = n;
        } else if (n > second) {
          second = n;
        }
      }
      default_target = best_count >= 2 && best_count > second ? std::optional(best) : std::nullopt;
    }
    for (uint32_t i = 0; i < jt.case_targets.size(); ++i) {
      if (default_target && jt.case_targets[i] == *default_target) continue;
      const uint32_t code = static_cast<uint32_t>(static_cast<uint64_t>(i) - static_cast<uint64_t>(index.offset));
      Ioctl io;
      io.code = code;
      io.handler_rva = jt.case_targets[i];
      io.handler_function_rva = f->entry;
      io.provenance = provenance_at(jt.jump_rva, "jump table on IoControlCode");
      if (code) ioctls_.try_emplace(code, io);
    }
  }
  // Two or more values of the same bits tested for equality: a switch on part of the code.
  for (const auto& [bits, pc] : part_compares)
    if (pc.values.size() >= 2)
      add_partial_dispatch({f->entry, bits, "compare chain", std::vector<uint32_t>(pc.values.begin(), pc.values.end()),
                            provenance_at(pc.first_rva, "compares of IoControlCode bits")});
  for (const Callee& next : callees) walk_ioctl_handler(next, depth + 1);
}

void Recovery::bind_kmdf() {
  WdfBindingResult r = find_wdf_binding(code_);
  if (!r.binding) {
    note("KMDF callbacks", r.failure + ": calls through the WDF function table are not resolved, so devices, queues "
                                       "and IOCTLs set up with WDF calls are missing", r.failure_rva);
    return;
  }
  const WdfBinding& b = *r.binding;
  const uint32_t named = std::min(b.function_count, ddi::wdf_function_table_size());
  std::vector<std::string_view> names;
  for (uint32_t i = 0; i < named; ++i) names.push_back(ddi::wdf_function_name(i));
  // Up to KMDF 1.13 (438 entries) the loader copies the routines into the driver's WdfFunctions
  // array; from 1.15 on it stores the address of its own table into the WdfFunctions_<version> pointer.
  constexpr uint32_t kLastCopiedTableSize = 438;
  const auto form = b.function_count <= kLastCopiedTableSize ? CodeModel::RoutineTableForm::in_image
                                                             : CodeModel::RoutineTableForm::pointer;
  code_.add_routine_table(b.func_table_rva, form, std::string(ddi::kWdfFunctionTableModule), names);
  if (b.function_count > named)
    note("KMDF function table", fmt::format("FuncCount is {}; calls through entries {} and above are not named "
                                            "(the known table has {} entries)", b.function_count, named, named), b.call_rva);
  KmdfBinding k;
  k.version_major = b.major, k.version_minor = b.minor, k.version_build = b.build;
  k.function_count = b.function_count;
  k.provenance = provenance_at(b.call_rva, fmt::format("WdfVersionBind argument (WDF_BIND_INFO at 0x{:X})", b.bind_info_rva));
  model_.kmdf = std::move(k);
  kmdf_ = true;
}

void Recovery::finish_wdf_device(std::string created_by) {
  if (!wdf_init_) return;
  WdfDeviceInit init = std::move(*wdf_init_);
  wdf_init_.reset();
  wdf_device_name_ = init.name;
  // A device whose name was not recovered is not recorded (a note says so): it likely is one of
  // the names the string scan found, and an unnamed record would misstate it.
  if (init.name_unknown || !wdf_devices_created_.insert(init.rva).second) return;
  Device* d = nullptr;
  if (!init.name.empty())
    for (auto& existing : model_.devices)
      if (existing.name == init.name) d = &existing;
  if (!d) {
    model_.devices.push_back(Device{});
    d = &model_.devices.back();
    d->name = init.name;
  }
  d->created_by = std::move(created_by);
  if (init.device_type) d->device_type = init.device_type;
  if (init.characteristics) d->characteristics = init.characteristics;
  if (init.sddl) d->sddl = init.sddl;
  d->provenance = provenance_at(init.rva, d->created_by + " (WDFDEVICE_INIT)");
}

void Recovery::on_wdf_call(const std::string& n, const State& st, const Instruction& insn) {
  const ddi::Function* f = ddi::find(n);
  if (!f) return;
  auto arg = [&](ddi::Role role) { return argument(st, insn, *f, role); };  // parameter 0 is WdfDriverGlobals
  auto init = [&]() -> WdfDeviceInit& {
    if (!wdf_init_) wdf_init_ = WdfDeviceInit{};
    wdf_init_->rva = insn.rva;
    return *wdf_init_;
  };
  auto string_arg = [&](ddi::Role role, const char* what) {
    auto text = unicode_string(st, arg(role));
    if (!text) note(what, fmt::format("{} argument is not a constant UNICODE_STRING", n), insn.rva);
    return text;
  };
  if (n == "WdfDriverCreate") {
    // WdfDriverCreate(Globals, DriverObject, RegistryPath, DriverAttributes, PWDF_DRIVER_CONFIG DriverConfig, WDFDRIVER* Driver)
    wdf_driver_create_seen_ = true;
    const Value config = arg(ddi::Role::driver_config);
    const ddi::WdfDriverConfigLayout& l = layout_.wdf_driver_config;
    if (!config.exactly(ValueKind::stack_address) && !config.exactly(ValueKind::image_address)) {
      note("KMDF driver callbacks", "WdfDriverCreate's WDF_DRIVER_CONFIG is not a local or global the analysis can read", insn.rva);
      return;
    }
    Value at = config;
    at.offset = config.offset + l.evt_driver_device_add;
    if (auto add = code_address(st.memory(at, ps_))) model_.add_device_rva = *add;
    at.offset = config.offset + l.evt_driver_unload;
    if (auto unload = code_address(st.memory(at, ps_))) model_.driver_unload_rva = *unload;
  } else if (n == "WdfControlDeviceInitAllocate") {
    // WdfControlDeviceInitAllocate(Globals, WDFDRIVER Driver, PCUNICODE_STRING SDDLString): a new control device.
    finish_wdf_device("WdfDeviceCreate");
    init().sddl = string_arg(ddi::Role::sddl, "device SDDL");
  } else if (n == "WdfDeviceInitAssignName") {
    auto name = string_arg(ddi::Role::device_name, "device name");
    init().name = name.value_or("");
    wdf_init_->name_unknown = !name;
  } else if (n == "WdfDeviceInitAssignSDDLString") {
    if (auto sddl = string_arg(ddi::Role::sddl, "device SDDL")) init().sddl = *sddl;
  } else if (n == "WdfDeviceInitSetDeviceType") {
    init().device_type = constant32(arg(ddi::Role::device_type));
  } else if (n == "WdfDeviceInitSetCharacteristics") {
    init().characteristics = constant32(arg(ddi::Role::device_characteristics));
  } else if (n == "WdfDeviceCreate") {
    init();  // provenance: this call (and a device without a name when nothing set one up)
    finish_wdf_device("WdfDeviceCreate");
  } else if (n == "WdfDeviceCreateSymbolicLink") {
    auto link = string_arg(ddi::Role::symbolic_link_name, "symbolic link name");
    if (!link) return;
    const Provenance p = provenance_at(insn.rva, "WdfDeviceCreateSymbolicLink argument");
    for (auto& l : model_.links)
      if (l.name == *link) {
        l.target = wdf_device_name_;
        l.provenance = p;
        return;
      }
    model_.links.push_back({*link, wdf_device_name_, p});
  } else if (n == "WdfDeviceCreateDeviceInterface") {
    // WdfDeviceCreateDeviceInterface(Globals, Device, CONST GUID* InterfaceClassGUID, PCUNICODE_STRING ReferenceString)
    const Value guid = arg(ddi::Role::interface_class_guid);
    DeviceInterface di;
    if (guid.exactly(ValueKind::image_address)) di.class_guid = format_guid(code_, static_cast<uint32_t>(guid.offset));
    di.provenance = provenance_at(insn.rva, "WdfDeviceCreateDeviceInterface argument");
    model_.interfaces.push_back(di);
  } else if (n == "WdfIoQueueCreate") {
    // WdfIoQueueCreate(Globals, WDFDEVICE Device, PWDF_IO_QUEUE_CONFIG Config, Attributes, WDFQUEUE* Queue)
    wdf_queue_create_seen_ = true;
    const Value config = arg(ddi::Role::queue_config);
    if (!config.exactly(ValueKind::stack_address) && !config.exactly(ValueKind::image_address)) {
      note("KMDF queue callbacks", "WdfIoQueueCreate's WDF_IO_QUEUE_CONFIG is not a local or global the analysis can read",
           insn.rva);
      return;
    }
    bool any = false;
    for (const ddi::Callback& callback : ddi::callbacks()) {
      if (!callback.queue_config_field) continue;
      Value at = config;
      at.offset += layout_.wdf_io_queue_config.*callback.queue_config_field;
      auto rva = code_address(st.memory(at, ps_));
      if (!rva) continue;
      any = true;
      const std::string name(callback.name);
      queue_callbacks_.try_emplace({*rva, name}, KmdfQueueCallback{name, callback.majors, *rva,
                                                                   provenance_at(insn.rva, "WdfIoQueueCreate argument")});
    }
    if (!any)
      note("KMDF queue callbacks", "no callback routine was found in WdfIoQueueCreate's WDF_IO_QUEUE_CONFIG", insn.rva);
  }
}

void Recovery::recover_kmdf_queues() {
  if (!wdf_driver_create_seen_) {
    // Many drivers link the KMDF stub but serve requests WDM-style.
    note("KMDF driver callbacks", direct_.empty() && filled_.empty()
                                      ? "no WdfDriverCreate call was found from the entry point: KMDF queue callbacks "
                                        "and the IOCTLs they handle are missing"
                                      : "no WdfDriverCreate call was found from the entry point; the driver fills "
                                        "DriverObject->MajorFunction[] itself (WDM-style dispatch)",
         model_.driver_entry_rva);
  }
  if (model_.add_device_rva) {
    walked_.clear();
    followed_ = 0;
    walk_driver_entry({*model_.add_device_rva, callback_arguments("EvtDriverDeviceAdd"), {}}, 0);
  }
  finish_wdf_device("WdfDeviceInitAssignName");  // set up, but WdfDeviceCreate was not seen
  if (!wdf_queue_create_seen_ && wdf_driver_create_seen_)
    note("KMDF queue callbacks", "no WdfIoQueueCreate call was found from the entry point or EvtDriverDeviceAdd",
         model_.add_device_rva ? model_.add_device_rva : model_.driver_entry_rva);
  for (auto& [key, cb] : queue_callbacks_) model_.kmdf->queue_callbacks.push_back(cb);
  bool device_control = false;
  for (const KmdfQueueCallback& cb : model_.kmdf->queue_callbacks) {
    if (cb.callback != "EvtIoDeviceControl") continue;
    device_control = true;
    walked_.clear();
    followed_ = 0;
    const size_t before = ioctls_.size();
    walk_ioctl_handler({cb.rva, callback_arguments(cb.callback), {}}, 0);
    if (ioctls_.size() == before)
      note("IOCTL codes", "no comparison or jump table on IoControlCode was found in EvtIoDeviceControl "
                          "and the functions it passes the request to", cb.rva);
  }
  if (!device_control)
    for (const KmdfQueueCallback& cb : model_.kmdf->queue_callbacks)
      if (cb.callback == "EvtIoDefault")
        note("IOCTL codes", "IOCTLs reach EvtIoDefault, which reads the code with WdfRequestGetParameters; "
                            "codes compared there are not recovered", cb.rva);
}

void Recovery::run() {
  model_.code_analyzed = true;
  const uint32_t entry = code_.image().entry_point_rva;
  if (!entry || !code_.is_executable(entry)) {
    note("DriverEntry", "the image has no entry point in executable code");
    return;
  }
  model_.driver_entry_rva = entry;
  if (model_.framework == DriverFramework::kmdf) bind_kmdf();
  walk_driver_entry({entry, callback_arguments("DriverEntry"), {}}, 0);
  if (kmdf_) recover_kmdf_queues();

  std::map<uint8_t, DispatchRoutine> slots = filled_;
  for (const auto& [major, d] : direct_) slots[major] = d;
  for (const auto& [major, d] : slots) model_.dispatch.push_back(d);
  // A KMDF driver leaves DriverObject->MajorFunction[] to the framework.
  if (model_.dispatch.empty() && !kmdf_)
    note("dispatch routines", "no store of a routine into DriverObject->MajorFunction[] was found from DriverEntry "
                              "(it may go through a pointer or a framework the analysis does not follow)", entry);

  if (const DispatchRoutine* dc = model_.dispatch_for(kIrpMjDeviceControl)) {
    walked_.clear();
    followed_ = 0;
    walk_ioctl_handler({dc->rva, callback_arguments("DRIVER_DISPATCH"), {}}, 0);
    if (ioctls_.empty())
      note("IOCTL codes", "no comparison or jump table on IoControlCode was found in the IRP_MJ_DEVICE_CONTROL routine "
                          "and the functions it passes the request to", dc->rva);
  }
  for (auto& [code, io] : ioctls_) model_.ioctls.push_back(io);
  for (auto& [key, d] : partial_) model_.partial_ioctl_dispatch.push_back(d);

  // Bounds hit and code that could not be followed, as the code model recorded them.
  constexpr size_t kMaxCopiedNotes = 32;
  const auto& notes = code_.notes();
  for (size_t i = 0; i < notes.size() && i < kMaxCopiedNotes; ++i) note(notes[i].what, notes[i].why, notes[i].rva);
  if (notes.size() > kMaxCopiedNotes)
    note("code analysis", fmt::format("{} more code analysis notes not listed", notes.size() - kMaxCopiedNotes));

  auto by_name = [](const auto& a, const auto& b) { return a.name < b.name; };
  std::stable_sort(model_.devices.begin(), model_.devices.end(), by_name);
  std::stable_sort(model_.links.begin(), model_.links.end(), by_name);
  std::stable_sort(model_.interfaces.begin(), model_.interfaces.end(),
                   [](const auto& a, const auto& b) { return a.provenance.at.rva < b.provenance.at.rva; });
}

}  // namespace

void recover_from_code(CodeModel& code, DriverModel& model, const CodeRecoveryLimits& limits) {
  Recovery(code, model, limits).run();
}

void recover_from_code(const pe::Image& image, DriverModel& model, const CodeRecoveryLimits& limits) {
  if (image.machine != pe::machine::amd64 && image.machine != pe::machine::i386) {
    model.recovery_notes.push_back(
        {"code analysis", fmt::format("no code analysis for machine {}", model.machine), provenance_at(std::nullopt, "code analysis")});
    return;
  }
  CodeModel code(image, kernel_platform(image), limits.code);
  recover_from_code(code, model, limits);
}

}  // namespace drvsec
