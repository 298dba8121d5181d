#include "disasm/values.h"

#include <algorithm>
#include <deque>

#include <fmt/format.h>

#include "disasm/platform.h"

namespace drvsec::disasm {

std::string_view to_string(ValueKind k) {
  switch (k) {
    case ValueKind::unknown: return "unknown";
    case ValueKind::constant: return "constant";
    case ValueKind::image_address: return "image_address";
    case ValueKind::stack_address: return "stack_address";
    case ValueKind::argument: return "argument";
    case ValueKind::call_result: return "call_result";
    case ValueKind::import_address: return "import_address";
    case ValueKind::routine_table: return "routine_table";
    case ValueKind::table_routine: return "table_routine";
    case ValueKind::driver_object: return "driver_object";
    case ValueKind::driver_extension: return "driver_extension";
    case ValueKind::device_object: return "device_object";
    case ValueKind::irp: return "irp";
    case ValueKind::io_stack_location: return "io_stack_location";
    case ValueKind::io_control_code: return "io_control_code";
    case ValueKind::io_control_code_part: return "io_control_code_part";
    case ValueKind::input_buffer_length: return "input_buffer_length";
    case ValueKind::output_buffer_length: return "output_buffer_length";
    case ValueKind::system_buffer: return "system_buffer";
    case ValueKind::type3_input_buffer: return "type3_input_buffer";
    case ValueKind::user_buffer: return "user_buffer";
    case ValueKind::user_data: return "user_data";
  }
  return "?";
}

namespace {

bool controlled_kind(ValueKind k) {
  switch (k) {
    case ValueKind::io_control_code: case ValueKind::io_control_code_part: case ValueKind::input_buffer_length:
    case ValueKind::output_buffer_length: case ValueKind::type3_input_buffer: case ValueKind::user_buffer:
    case ValueKind::user_data:
      return true;
    default:
      return false;
  }
}

// Kinds that are 32-bit quantities: 32-bit operations on x64 keep them.
bool is_32bit_kind(ValueKind k) {
  return k == ValueKind::constant || k == ValueKind::io_control_code || k == ValueKind::io_control_code_part ||
         k == ValueKind::input_buffer_length ||
         k == ValueKind::output_buffer_length || k == ValueKind::user_data;  // a narrower read of request data is still request data
}

uint64_t mask_to(uint64_t v, uint32_t size) {
  return size >= 8 || size == 0 ? v : v & ((uint64_t{1} << (8 * size)) - 1);
}

// `v` shifted right by `shift` and masked: the IOCTL code's bits when `v` is the code or a part of
// it (nullopt otherwise, or when no bit of the code survives).
std::optional<Value> code_part(const Value& v, uint32_t shift, uint32_t mask) {
  uint32_t bits = 0, at = 0;
  if (v.exactly(ValueKind::io_control_code) && v.offset == 0) bits = 0xFFFFFFFF;
  else if (v.exactly(ValueKind::io_control_code_part)) bits = v.id, at = static_cast<uint32_t>(v.offset);
  else return std::nullopt;
  if (shift >= 32) return std::nullopt;
  bits = (bits >> shift) & mask;
  if (!bits) return std::nullopt;
  if (bits == 0xFFFFFFFF && at + shift == 0) return Value::of(ValueKind::io_control_code);
  return Value::of(ValueKind::io_control_code_part, at + shift, bits);
}

int64_t sign_extend(uint64_t v, uint32_t size) {
  if (size >= 8 || size == 0) return static_cast<int64_t>(v);
  const uint32_t bits = 8 * size;
  const uint64_t m = uint64_t{1} << (bits - 1);
  v = mask_to(v, size);
  return static_cast<int64_t>((v ^ m) - m);
}

// -2, -4, ..., -4096: an `and` with it aligns a pointer down.
bool is_alignment_mask(int64_t mask) {
  if (mask >= -1 || mask < -4096) return false;
  const uint64_t alignment = static_cast<uint64_t>(-mask);
  return (alignment & (alignment - 1)) == 0;
}

Value join_values(const Value& a, const Value& b) {
  if (a == b) return a;
  if (a.kind == b.kind && a.id == b.id && a.kind != ValueKind::unknown && a.kind != ValueKind::constant) {
    Value r = a;
    r.user_controlled = a.user_controlled || b.user_controlled;
    r.ranged = true;
    r.offset = std::min(a.offset, b.offset);
    return r;
  }
  return Value::unknown(a.user_controlled || b.user_controlled);
}

bool same_reg(const Operand& a, const Operand& b) {
  return a.kind == OperandKind::reg && b.kind == OperandKind::reg && gpr_index(a.reg) >= 0 &&
         gpr_index(a.reg) == gpr_index(b.reg);
}

}  // namespace

Value Value::of(ValueKind k, int64_t offset, uint32_t id) {
  Value v{k, controlled_kind(k), false, id, offset};
  return v;
}

// ---------------------------------------------------------------- State

State::State(Arch arch, std::span<const Value> arguments) : arch_(arch) {
  regs_[4] = Value::of(ValueKind::stack_address, 0);
  auto arg = [&](uint32_t n) { return n < arguments.size() ? arguments[n] : Value::of(ValueKind::argument, 0, n); };
  if (arch == Arch::x64) {
    const int arg_regs[4] = {1, 2, 8, 9};  // rcx, rdx, r8, r9
    for (uint32_t n = 0; n < 4; ++n) regs_[arg_regs[n]] = arg(n);
    for (uint32_t n = 4; n < 16; ++n) store(Value::of(ValueKind::stack_address, 8 + 8 * n), 8, arg(n));
  } else {
    for (uint32_t n = 0; n < 16; ++n) store(Value::of(ValueKind::stack_address, 4 + 4 * n), 4, arg(n));
  }
}

Value State::reg(ZydisRegister r) const {
  const int idx = gpr_index(r);
  if (idx < 0) return Value::unknown();
  const Value& v = regs_[idx];
  if (is_high_byte_register(r)) return Value::unknown(v.user_controlled);
  const uint32_t size = register_size(r);
  if (size >= pointer_size(arch_)) return v;
  if (v.kind == ValueKind::constant) return Value::constant(mask_to(static_cast<uint64_t>(v.offset), size));
  if (size == 4 && is_32bit_kind(v.kind)) return v;
  return Value::unknown(v.user_controlled);
}

void State::set_reg(ZydisRegister r, const Value& v) {
  const int idx = gpr_index(r);
  if (idx < 0) return;
  const uint32_t size = register_size(r);
  Value& dst = regs_[idx];
  if (is_high_byte_register(r)) {
    dst = Value::unknown(dst.user_controlled || v.user_controlled);
    return;
  }
  if (size >= pointer_size(arch_)) {
    dst = v;
  } else if (size == 4) {  // x64: a 32-bit write zero-extends
    if (v.kind == ValueKind::constant) dst = Value::constant(mask_to(static_cast<uint64_t>(v.offset), 4));
    else if (is_32bit_kind(v.kind)) dst = v;
    else dst = Value::unknown(v.user_controlled);
  } else if (v.kind == ValueKind::constant && dst.kind == ValueKind::constant) {
    const uint64_t m = mask_to(~uint64_t{0}, size);
    dst = Value::constant((static_cast<uint64_t>(dst.offset) & ~m) | (static_cast<uint64_t>(v.offset) & m));
  } else {
    dst = Value::unknown(dst.user_controlled || v.user_controlled);
  }
}

Value State::address_of(const MemoryOperand& m) const {
  if (m.rva) return Value::of(ValueKind::image_address, *m.rva);
  if (m.segment == ZYDIS_REGISTER_GS || m.segment == ZYDIS_REGISTER_FS) return Value::unknown();
  Value base = m.base != ZYDIS_REGISTER_NONE ? reg(m.base) : Value::constant(0);
  Value index = m.index != ZYDIS_REGISTER_NONE ? reg(m.index) : Value::constant(0);
  const bool controlled = base.user_controlled || index.user_controlled;
  if (auto i = index.as_constant()) {
    const int64_t add = static_cast<int64_t>(*i) * (m.scale ? m.scale : 1) + m.disp;
    if (auto b = base.as_constant()) {
      const uint64_t abs = *b + static_cast<uint64_t>(add);
      if (code_ && abs >= code_->image().image_base)
        if (auto rva = code_->va_to_rva(arch_ == Arch::x86 ? mask_to(abs, 4) : abs))
          return Value::of(ValueKind::image_address, *rva);
      return Value::constant(arch_ == Arch::x86 ? mask_to(abs, 4) : abs);
    }
    if (base.known()) {
      base.offset += add;
      return base;
    }
  } else if (m.scale <= 1 && base.as_constant() && index.known()) {
    index.offset += static_cast<int64_t>(*base.as_constant()) + m.disp;
    return index;
  } else if (base.known() && !base.as_constant()) {
    // A known base indexed by an unknown register: somewhere at or after base + disp.
    base.offset += m.disp;
    base.ranged = true;
    base.user_controlled = controlled;
    return base;
  }
  return Value::unknown(controlled);
}

Value State::memory(const Value& address, uint32_t size) const {
  const uint32_t ps = pointer_size(arch_);
  if (address.ranged) {
    const bool buffer = address.kind == ValueKind::system_buffer || address.kind == ValueKind::type3_input_buffer ||
                        address.kind == ValueKind::user_buffer || address.kind == ValueKind::user_data;
    return buffer ? Value::of(ValueKind::user_data) : Value::unknown(address.user_controlled);
  }
  if (address.kind == ValueKind::stack_address || address.kind == ValueKind::image_address) {
    const bool global = address.kind == ValueKind::image_address;
    auto it = std::lower_bound(slots_.begin(), slots_.end(), std::pair{global, address.offset},
                               [](const Slot& s, const std::pair<bool, int64_t>& k) {
                                 return std::pair{s.global, s.offset} < k;
                               });
    if (it != slots_.end() && it->global == global && it->offset == address.offset) {
      if (it->size == size || (size == 0)) return it->value;
      if (size < it->size && it->value.kind == ValueKind::constant)
        return Value::constant(mask_to(static_cast<uint64_t>(it->value.offset), size));
      if (size == 4 && is_32bit_kind(it->value.kind)) return it->value;
      return Value::unknown(it->value.user_controlled);
    }
    if (!global || !code_ || address.offset < 0 || address.offset > 0xFFFFFFFF) return Value::unknown();
    const uint32_t rva = static_cast<uint32_t>(address.offset);
    if (size == ps) {
      if (const ImportRef* imp = code_->import_at_iat(rva)) return Value::of(ValueKind::import_address, 0, imp->iat_rva);
      if (code_->is_routine_table_pointer(rva)) return Value::of(ValueKind::routine_table, 0, rva);
      if (auto slot = code_->routine_table_slot(rva)) return Value::of(ValueKind::table_routine, slot->second, slot->first);
    }
    const pe::Section* sec = code_->image().section_at_rva(rva);
    if (!sec) return Value::unknown();
    auto raw = code_->read_uint(rva, size);
    if (!raw) return Value::unknown();
    // A relocated pointer in the image (a static UNICODE_STRING's Buffer, a function table, ...).
    if (size == ps && code_->may_be_relocated(rva, rva + 1))
      if (auto target = code_->va_to_rva(*raw)) return Value::of(ValueKind::image_address, *target);
    if (!sec->writable()) return Value::constant(*raw);
    return Value::unknown();
  }

  // The structures the caller described (IRP, IO_STACK_LOCATION, DRIVER_OBJECT fields).
  if (code_)
    if (auto field = code_->platform().field(address, size)) return *field;
  const int64_t off = address.offset;
  switch (address.kind) {
    case ValueKind::routine_table:
      if (size == ps && off >= 0 && off % ps == 0) return Value::of(ValueKind::table_routine, off / ps, address.id);
      break;
    case ValueKind::system_buffer: case ValueKind::type3_input_buffer: case ValueKind::user_buffer:
    case ValueKind::user_data:
      return Value::of(ValueKind::user_data);
    default:
      break;
  }
  return Value::unknown(address.user_controlled);
}

void State::store(const Value& address, uint32_t size, const Value& v) {
  if (address.kind != ValueKind::stack_address && address.kind != ValueKind::image_address) return;
  if (size == 0 || address.ranged) return;
  const bool global = address.kind == ValueKind::image_address;
  const int64_t lo = address.offset, hi = address.offset + size;
  // Drop every slot the store overlaps.
  std::erase_if(slots_, [&](const Slot& s) { return s.global == global && s.offset < hi && s.offset + s.size > lo; });
  if (slots_.size() >= max_slots_) return;
  Slot slot{global, lo, size, v};
  auto it = std::lower_bound(slots_.begin(), slots_.end(), slot,
                             [](const Slot& a, const Slot& b) { return std::pair{a.global, a.offset} < std::pair{b.global, b.offset}; });
  slots_.insert(it, slot);
}

Value State::operand(const Instruction& insn, int i) const {
  if (i >= insn.operand_count) return Value::unknown();
  const Operand& o = insn.ops[i];
  switch (o.kind) {
    case OperandKind::reg: return reg(o.reg);
    case OperandKind::imm:
      // x86 code carries addresses as relocated immediates (push offset string, mov [x], offset routine).
      if (arch_ == Arch::x86 && code_ && insn.mnemonic != ZYDIS_MNEMONIC_CMP && insn.mnemonic != ZYDIS_MNEMONIC_TEST &&
          !insn.branch_target && o.imm >= code_->image().image_base)
        if (auto rva = code_->va_to_rva(mask_to(o.imm, 4)))
          if (code_->image().section_at_rva(*rva) && code_->may_be_relocated(insn.rva, insn.end()))
            return Value::of(ValueKind::image_address, *rva);
      return Value::constant(o.imm);
    case OperandKind::mem: return memory(address_of(o.mem), o.size);
    default: return Value::unknown();
  }
}

const State::Vector& State::VectorRegisters::get(int idx) const {
  static const Vector kUnknown{};
  auto it = std::lower_bound(known_.begin(), known_.end(), idx, [](const auto& e, int i) { return e.first < i; });
  return it != known_.end() && it->first == idx ? it->second : kUnknown;
}

State::Vector& State::VectorRegisters::at(int idx) {
  auto it = std::lower_bound(known_.begin(), known_.end(), idx, [](const auto& e, int i) { return e.first < i; });
  if (it == known_.end() || it->first != idx) it = known_.insert(it, {idx, Vector{}});
  return it->second;
}

bool State::VectorRegisters::join(const VectorRegisters& other) {
  bool changed = false;
  std::erase_if(known_, [&](const auto& e) {
    if (e.second.kind == Vector::Kind::unknown) return true;  // untracked either way: no change
    if (other.get(e.first) == e.second) return false;
    changed = true;
    return true;
  });
  return changed;
}

bool State::VectorRegisters::operator==(const VectorRegisters& other) const {
  auto known = [](const VectorRegisters& v) {
    return static_cast<size_t>(std::count_if(v.known_.begin(), v.known_.end(),
                                             [](const auto& e) { return e.second.kind != Vector::Kind::unknown; }));
  };
  if (known(*this) != known(other)) return false;
  for (const auto& [idx, v] : known_)
    if (v.kind != Vector::Kind::unknown && !(other.get(idx) == v)) return false;
  return true;
}

const State::Vector& State::vector(ZydisRegister r) const {
  static const Vector kUnknown{};
  const int idx = vector_index(r);
  return idx >= 0 && idx < 16 ? vectors_.get(idx) : kUnknown;
}

Value State::vector_part(ZydisRegister r, uint32_t at, uint32_t size) const {
  const Vector& v = vector(r);
  if (v.kind == Vector::Kind::image_bytes) {
    if (at + size > 16) return Value::unknown();
    State probe;  // the copied bytes read from the image, as a global load would
    probe.arch_ = arch_;
    probe.code_ = code_;
    return probe.memory(Value::of(ValueKind::image_address, v.rva + at), size);
  }
  if (v.kind != Vector::Kind::lanes || v.lane_size == 0) return Value::unknown();
  if (at >= 16) {
    if (!v.broadcast) return Value::unknown();
    at %= 16;
  }
  if (at % v.lane_size == 0 && size == v.lane_size) return v.lane[at / v.lane_size];
  if (at % v.lane_size == 0 && size < v.lane_size) {
    const Value& l = v.lane[at / v.lane_size];
    if (auto c = l.as_constant()) return Value::constant(mask_to(*c, size));
  }
  return Value::unknown();
}

Value State::call_argument(uint32_t n) const {
  if (arch_ == Arch::x64) {
    static constexpr ZydisRegister regs[4] = {ZYDIS_REGISTER_RCX, ZYDIS_REGISTER_RDX, ZYDIS_REGISTER_R8, ZYDIS_REGISTER_R9};
    if (n < 4) return reg(regs[n]);
    Value sp = regs_[4];
    if (!sp.known()) return Value::unknown();
    sp.offset += 8 * n;
    return memory(sp, 0);  // any width: `mov dword [rsp+20h], imm` passes a 32-bit argument
  }
  Value sp = regs_[4];
  if (!sp.known()) return Value::unknown();
  sp.offset += 4 * n;
  return memory(sp, 0);
}

bool State::join(const State& o) {
  bool changed = false;
  for (size_t i = 0; i < regs_.size(); ++i) {
    Value j = join_values(regs_[i], o.regs_[i]);
    if (!(j == regs_[i])) {
      regs_[i] = j;
      changed = true;
    }
  }
  changed |= vectors_.join(o.vectors_);
  // Keep the slots both sides have (same place and size), joined, compacting in place: no
  // allocation on this hot path.
  size_t a = 0, b = 0, kept = 0;
  while (a < slots_.size() && b < o.slots_.size()) {
    const auto ka = std::pair{slots_[a].global, slots_[a].offset}, kb = std::pair{o.slots_[b].global, o.slots_[b].offset};
    if (ka < kb) {
      ++a;
    } else if (kb < ka) {
      ++b;
    } else {
      if (slots_[a].size == o.slots_[b].size) {
        const Value joined = join_values(slots_[a].value, o.slots_[b].value);
        if (kept != a || !(joined == slots_[a].value)) changed = true;
        if (kept != a) slots_[kept] = slots_[a];
        slots_[kept].value = joined;
        ++kept;
      }
      ++a, ++b;
    }
  }
  if (kept != slots_.size()) {
    slots_.resize(kept);
    changed = true;
  }
  if (!(cmp_ == o.cmp_) && cmp_.valid) {
    cmp_ = Comparison{};
    changed = true;
  }
  if (in_prologue_ && !o.in_prologue_) {
    in_prologue_ = false;
    changed = true;
  }
  if (pushed_since_call_ != o.pushed_since_call_ && pushed_since_call_ != 0) {
    pushed_since_call_ = 0;
    changed = true;
  }
  return changed;
}

// ---------------------------------------------------------------- ValueAnalysis

ValueAnalysis::ValueAnalysis(CodeModel& code, const Function& function, std::span<const Value> arguments,
                             std::span<const std::pair<ZydisRegister, Value>> registers, const ValueLimits& limits)
    : code_(code), function_(function) {
  if (const auto& lc = code.image().load_config; lc && lc->guard_cf_dispatch_function_va)
    guard_dispatch_slot_ = code.va_to_rva(*lc->guard_cf_dispatch_function_va);
  const size_t n = function.blocks.size();
  entry_.assign(n, State());
  reached_.assign(n, false);
  if (n == 0) return;
  std::vector<uint32_t> visits(n, 0);
  State initial(code.arch(), arguments);
  initial.code_ = &code;
  initial.max_slots_ = limits.max_stack_slots;
  for (const auto& [r, v] : registers) initial.set_reg(r, v);
  entry_[function.entry_block] = initial;
  reached_[function.entry_block] = true;
  std::deque<uint32_t> work{function.entry_block};
  std::vector<bool> queued(n, false);
  queued[function.entry_block] = true;
  while (!work.empty()) {
    const uint32_t b = work.front();
    work.pop_front();
    queued[b] = false;
    if (visits[b]++ >= limits.max_visits_per_block) continue;
    State s = entry_[b];
    const BasicBlock& blk = function.blocks[b];
    for (uint32_t k = 0; k < blk.count; ++k) {
      const Instruction& insn = function.instructions[blk.first + k];
      step(s, insn, std::span(function.instructions).subspan(blk.first + k + 1, blk.count - k - 1));
    }
    for (uint32_t succ : blk.successors) {
      bool changed;
      if (!reached_[succ]) {
        entry_[succ] = s;
        reached_[succ] = true;
        changed = true;
      } else {
        changed = entry_[succ].join(s);
      }
      if (changed && !queued[succ] && visits[succ] < limits.max_visits_per_block) {
        queued[succ] = true;
        work.push_back(succ);
      }
    }
  }
}

void ValueAnalysis::for_each(const std::function<void(const Instruction&, const State&)>& visit) const {
  for (uint32_t b = 0; b < function_.blocks.size(); ++b) {
    if (!reached_[b]) continue;
    State s = entry_[b];
    const BasicBlock& blk = function_.blocks[b];
    for (uint32_t k = 0; k < blk.count; ++k) {
      const Instruction& insn = function_.instructions[blk.first + k];
      visit(insn, s);
      step(s, insn, std::span(function_.instructions).subspan(blk.first + k + 1, blk.count - k - 1));
    }
  }
}

std::optional<State> ValueAnalysis::state_before(uint32_t rva) const {
  const int b = function_.block_containing(rva);
  if (b < 0 || !reached_[b]) return std::nullopt;
  State s = entry_[b];
  const BasicBlock& blk = function_.blocks[b];
  for (uint32_t k = 0; k < blk.count; ++k) {
    const Instruction& insn = function_.instructions[blk.first + k];
    if (insn.rva == rva) return s;
    step(s, insn, std::span(function_.instructions).subspan(blk.first + k + 1, blk.count - k - 1));
  }
  return std::nullopt;
}

const ImportRef* ValueAnalysis::import_called(const Instruction& call, const State& before) const {
  if (const CallSite* c = function_.call_at(call.rva); c && c->import) return c->import;
  if (call.operand_count == 0) return nullptr;
  Value target = before.operand(call, 0);
  // x64 Control Flow Guard: `call [__guard_dispatch_icall_fptr]` calls the routine in rax.
  if (guard_dispatch_slot_ && call.ops[0].kind == OperandKind::mem && call.ops[0].mem.rva == guard_dispatch_slot_)
    target = before.reg(ZYDIS_REGISTER_RAX);
  if (target.kind == ValueKind::import_address) return code_.import_at_iat(target.id);
  if (target.kind == ValueKind::table_routine && !target.ranged && target.offset >= 0)
    return code_.table_routine(target.id, static_cast<uint64_t>(target.offset));
  return nullptr;
}

std::optional<Value> ValueAnalysis::leaf_return_value(const Function& callee, const State& before) const {
  // The callee's frame is not the caller's: stack addresses and unmapped arguments mean nothing there.
  auto pass = [](Value v) {
    if (v.is(ValueKind::stack_address) || v.is(ValueKind::argument)) v = Value::unknown(v.user_controlled);
    return v;
  };
  std::vector<Value> args;
  for (uint32_t n = 0; n < 4; ++n) args.push_back(pass(before.call_argument(n)));
  std::vector<std::pair<ZydisRegister, Value>> regs;
  if (before.arch() == Arch::x86)
    for (ZydisRegister r : {ZYDIS_REGISTER_EAX, ZYDIS_REGISTER_ECX, ZYDIS_REGISTER_EDX}) regs.emplace_back(r, pass(before.reg(r)));
  std::string key = std::to_string(callee.entry);
  for (const auto& v : args) key += fmt::format(":{}/{}/{}/{}", static_cast<int>(v.kind), v.offset, v.id, v.ranged);
  for (const auto& [r, v] : regs) key += fmt::format(":{}/{}/{}/{}", static_cast<int>(v.kind), v.offset, v.id, v.ranged);
  if (auto it = leaf_cache_.find(key); it != leaf_cache_.end()) return it->second;
  ValueAnalysis sub(code_, callee, args, regs);
  std::optional<Value> result;
  const ZydisRegister ret = before.arch() == Arch::x64 ? ZYDIS_REGISTER_RAX : ZYDIS_REGISTER_EAX;
  sub.for_each([&](const Instruction& insn, const State& st) {
    if (!insn.is_ret()) return;
    const Value v = st.reg(ret);
    result = result ? join_values(*result, v) : v;
  });
  if (!result || !result->known() || result->is(ValueKind::stack_address) || result->is(ValueKind::argument) ||
      result->is(ValueKind::call_result))
    result.reset();
  leaf_cache_.emplace(std::move(key), result);
  return result;
}

void ValueAnalysis::step(State& s, const Instruction& i, std::span<const Instruction> following) const {
  const Arch arch = s.arch_;
  const uint32_t ps = pointer_size(arch);
  const Operand* op = i.ops;
  // Register saves in the prologue are not call arguments; explicit stack-pointer arithmetic
  // (frame allocation, cdecl clean-up) starts a fresh count of pushed arguments.
  const bool prologue_push = s.in_prologue_ && i.mnemonic == ZYDIS_MNEMONIC_PUSH && op[0].kind == OperandKind::reg;
  if (!prologue_push && !(i.mnemonic == ZYDIS_MNEMONIC_MOV && op[0].kind == OperandKind::reg && gpr_index(op[0].reg) == 5))
    s.in_prologue_ = false;
  if (i.mnemonic != ZYDIS_MNEMONIC_PUSH && i.mnemonic != ZYDIS_MNEMONIC_POP && (registers_written(i) & (1u << 4)))
    s.pushed_since_call_ = 0;
  auto write_op0 = [&](const Value& v) {
    if (i.operand_count == 0) return;
    if (op[0].kind == OperandKind::reg) s.set_reg(op[0].reg, v);
    else if (op[0].kind == OperandKind::mem) s.store(s.address_of(op[0].mem), op[0].size, v);
  };
  auto clobber = [&](std::initializer_list<int> regs) {
    for (int r : regs) s.regs_[r] = Value::unknown();
  };
  auto sp_add = [&](int64_t delta) {
    if (s.regs_[4].known()) s.regs_[4].offset += delta;
  };
  const uint32_t op0_size = i.operand_count ? (op[0].kind == OperandKind::reg ? register_size(op[0].reg) : op[0].size) : ps;

  switch (i.mnemonic) {
    case ZYDIS_MNEMONIC_MOV: {
      write_op0(s.operand(i, 1));
      return;
    }
    case ZYDIS_MNEMONIC_MOVZX: {
      Value v = s.operand(i, 1);
      if (!v.as_constant() && !is_32bit_kind(v.kind)) v = Value::unknown(v.user_controlled);
      if (op[1].size < 4 && (v.kind == ValueKind::io_control_code || v.kind == ValueKind::io_control_code_part))
        v = code_part(v, 0, static_cast<uint32_t>(mask_to(~uint64_t{0}, op[1].size))).value_or(Value::unknown(true));
      write_op0(v);
      return;
    }
    case ZYDIS_MNEMONIC_MOVSX: case ZYDIS_MNEMONIC_MOVSXD: {
      Value v = s.operand(i, 1);
      if (auto c = v.as_constant()) v = Value::constant(static_cast<uint64_t>(sign_extend(*c, op[1].size)));
      else if (op[1].size < 4) v = Value::unknown(v.user_controlled);
      write_op0(v);
      return;
    }
    case ZYDIS_MNEMONIC_LEA:
      write_op0(s.address_of(op[1].mem));
      return;
    case ZYDIS_MNEMONIC_XCHG: {
      if (i.operand_count < 2) return;
      const Value a = s.operand(i, 0), b = s.operand(i, 1);
      write_op0(b);
      if (op[1].kind == OperandKind::reg) s.set_reg(op[1].reg, a);
      else if (op[1].kind == OperandKind::mem) s.store(s.address_of(op[1].mem), op[1].size, a);
      return;
    }
    case ZYDIS_MNEMONIC_CMP:
      s.cmp_ = {true, false, i.rva, s.operand(i, 0), s.operand(i, 1)};
      return;
    case ZYDIS_MNEMONIC_TEST: {
      const bool self = same_reg(op[0], op[1]);
      s.cmp_ = {true, !self, i.rva, s.operand(i, 0), self ? Value::constant(0) : s.operand(i, 1)};
      return;
    }
    case ZYDIS_MNEMONIC_XOR: case ZYDIS_MNEMONIC_SUB: case ZYDIS_MNEMONIC_ADD: case ZYDIS_MNEMONIC_AND:
    case ZYDIS_MNEMONIC_OR: case ZYDIS_MNEMONIC_SHL: case ZYDIS_MNEMONIC_SHR: case ZYDIS_MNEMONIC_SAR:
    case ZYDIS_MNEMONIC_INC: case ZYDIS_MNEMONIC_DEC: case ZYDIS_MNEMONIC_NEG: case ZYDIS_MNEMONIC_NOT: {
      Value result;
      if ((i.mnemonic == ZYDIS_MNEMONIC_XOR || i.mnemonic == ZYDIS_MNEMONIC_SUB) && same_reg(op[0], op[1])) {
        result = Value::constant(0);
      } else {
        Value a = s.operand(i, 0);
        Value b = i.mnemonic == ZYDIS_MNEMONIC_INC || i.mnemonic == ZYDIS_MNEMONIC_DEC ? Value::constant(1)
                                                                                         : s.operand(i, 1);
        const bool controlled = a.user_controlled || b.user_controlled;
        const auto ca = a.as_constant(), cb = b.as_constant();
        const uint32_t size = op0_size ? op0_size : ps;
        result = Value::unknown(controlled);
        const bool code_bits = a.is(ValueKind::io_control_code) || a.is(ValueKind::io_control_code_part);
        if (i.mnemonic == ZYDIS_MNEMONIC_AND && (ca == 0u || cb == 0u)) result = Value::constant(0);
        else if (i.mnemonic == ZYDIS_MNEMONIC_AND && a.exactly(ValueKind::stack_address) && cb &&
                 is_alignment_mask(sign_extend(*cb, size))) {
          // Stack realignment (`mov ebp, esp; and esp, -8`): locals and outgoing arguments are then
          // addressed from the realigned esp only, so taking the entry stack pointer as aligned keeps
          // them consistent (the padding itself is not known).
          result = a;
          result.offset = a.offset & sign_extend(*cb, size);
        }
        else if (code_bits && cb && (i.mnemonic == ZYDIS_MNEMONIC_SHR || i.mnemonic == ZYDIS_MNEMONIC_SAR))
          result = code_part(a, static_cast<uint32_t>(*cb & 63), 0xFFFFFFFF).value_or(result);
        else if (code_bits && cb && i.mnemonic == ZYDIS_MNEMONIC_AND)
          result = code_part(a, 0, static_cast<uint32_t>(*cb)).value_or(result);
        else if (a.is(ValueKind::io_control_code_part) && cb &&
                 (i.mnemonic == ZYDIS_MNEMONIC_ADD || i.mnemonic == ZYDIS_MNEMONIC_SUB ||
                  i.mnemonic == ZYDIS_MNEMONIC_INC || i.mnemonic == ZYDIS_MNEMONIC_DEC))
          result = a;  // the same bits, rebased (a switch's lowest case subtracted)
        else if (ca && (cb || i.mnemonic == ZYDIS_MNEMONIC_NEG || i.mnemonic == ZYDIS_MNEMONIC_NOT)) {
          const uint64_t x = *ca, y = cb.value_or(0);
          uint64_t r = 0;
          switch (i.mnemonic) {
            case ZYDIS_MNEMONIC_XOR: r = x ^ y; break;
            case ZYDIS_MNEMONIC_SUB: case ZYDIS_MNEMONIC_DEC: r = x - y; break;
            case ZYDIS_MNEMONIC_ADD: case ZYDIS_MNEMONIC_INC: r = x + y; break;
            case ZYDIS_MNEMONIC_AND: r = x & y; break;
            case ZYDIS_MNEMONIC_OR: r = x | y; break;
            case ZYDIS_MNEMONIC_SHL: r = (y & 63) ? x << (y & 63) : x; break;
            case ZYDIS_MNEMONIC_SHR: r = mask_to(x, size) >> (y & 63); break;
            case ZYDIS_MNEMONIC_SAR: r = static_cast<uint64_t>(sign_extend(x, size) >> (y & 63)); break;
            case ZYDIS_MNEMONIC_NEG: r = ~x + 1; break;
            case ZYDIS_MNEMONIC_NOT: r = ~x; break;
            default: break;
          }
          result = Value::constant(mask_to(r, size));
        } else if (a.known() && !ca && cb &&
                   (i.mnemonic == ZYDIS_MNEMONIC_ADD || i.mnemonic == ZYDIS_MNEMONIC_SUB ||
                    i.mnemonic == ZYDIS_MNEMONIC_INC || i.mnemonic == ZYDIS_MNEMONIC_DEC) &&
                   (size >= ps || is_32bit_kind(a.kind))) {
          const bool add = i.mnemonic == ZYDIS_MNEMONIC_ADD || i.mnemonic == ZYDIS_MNEMONIC_INC;
          result = a;
          result.offset += add ? static_cast<int64_t>(*cb) : -static_cast<int64_t>(*cb);
          if (size == 4 && a.kind == ValueKind::io_control_code) result.offset = sign_extend(static_cast<uint64_t>(result.offset), 4);
        } else if (b.known() && !cb && ca && i.mnemonic == ZYDIS_MNEMONIC_ADD && (size >= ps || is_32bit_kind(b.kind))) {
          result = b;
          result.offset += static_cast<int64_t>(*ca);
        }
      }
      write_op0(result);
      s.cmp_ = {true, i.mnemonic == ZYDIS_MNEMONIC_AND, i.rva, result, Value::constant(0)};
      return;
    }
    case ZYDIS_MNEMONIC_PUSH: {
      const Value v = s.operand(i, 0);
      sp_add(-static_cast<int64_t>(ps));
      s.store(s.regs_[4], ps, v);
      if (!prologue_push) s.pushed_since_call_ += static_cast<int32_t>(ps);
      return;
    }
    case ZYDIS_MNEMONIC_POP: {
      const Value v = s.memory(s.regs_[4], ps);
      sp_add(ps);
      write_op0(v);
      return;
    }
    case ZYDIS_MNEMONIC_LEAVE: {
      Value bp = s.regs_[5];
      s.regs_[4] = bp;
      s.regs_[5] = s.memory(bp, ps);
      sp_add(ps);
      return;
    }
    case ZYDIS_MNEMONIC_CALL: {
      const ImportRef* imp = import_called(i, s);
      const RoutineEffect* effect = imp ? imp->effect : nullptr;
      // What the routine writes through its pointer arguments, read before the call.
      Value dest, src;
      if (effect && effect->counted_string) {
        dest = s.call_argument(effect->counted_string->string_slot);
        src = s.call_argument(effect->counted_string->source_slot);
      }
      std::vector<Value> out_pointers;
      if (effect)
        for (const RoutineEffect::OutValue& o : effect->out_values) out_pointers.push_back(s.call_argument(o.slot));
      const std::array<Value, 16> saved_volatile = s.regs_;
      const CallSite* direct = function_.call_at(i.rva);
      const Function* leaf = nullptr;
      if (direct && direct->kind == CallKind::direct && direct->target)
        if (const Function* callee = code_.function_at(*direct->target); callee && !callee->makes_calls && !callee->incomplete)
          leaf = callee;
      std::optional<Value> leaf_result;
      if (leaf && leaf->instructions.size() <= kMaxLeafSummaryInstructions) leaf_result = leaf_return_value(*leaf, s);
      int64_t cleanup = 0;
      if (arch == Arch::x86) {
        // Who pops the arguments: `add esp, N` after the call means the caller (cdecl); gcc's
        // `sub esp, N` re-reserving its mov-style argument area means the callee popped N (stdcall);
        // otherwise assume stdcall popping what was pushed since the last call.
        cleanup = s.pushed_since_call_;
        for (size_t k = 0; k < following.size() && k < 4; ++k) {
          const Instruction& n = following[k];
          const bool on_esp = n.operand_count == 2 && n.ops[0].kind == OperandKind::reg && gpr_index(n.ops[0].reg) == 4;
          if (on_esp && n.ops[1].kind == OperandKind::imm && n.mnemonic == ZYDIS_MNEMONIC_ADD) {
            cleanup = 0;
            break;
          }
          if (on_esp && n.ops[1].kind == OperandKind::imm && n.mnemonic == ZYDIS_MNEMONIC_SUB &&
              s.pushed_since_call_ == 0) {  // with pushed arguments, a `sub esp` reserves space for the next call
            cleanup = static_cast<int64_t>(n.ops[1].imm);
            break;
          }
          if (on_esp || n.is_call() || n.mnemonic == ZYDIS_MNEMONIC_PUSH || n.mnemonic == ZYDIS_MNEMONIC_POP ||
              (registers_written(n) & (1u << 4)))
            break;
        }
        clobber({0, 1, 2});
      } else {
        clobber({0, 1, 2, 8, 9, 10, 11});
      }
      // A leaf callee keeps the volatile registers it does not write (MSVC's GsDriverEntry
      // relies on __security_init_cookie leaving r8/r9 alone).
      if (leaf)
        for (int r : {0, 1, 2, 8, 9, 10, 11})
          if (!(leaf->written_registers & (1u << r))) s.regs_[r] = saved_volatile[r];
      s.vectors_.clear();
      s.regs_[0] = leaf_result ? *leaf_result : Value::of(ValueKind::call_result, 0, i.rva);
      sp_add(cleanup);
      s.pushed_since_call_ = 0;
      s.cmp_ = Comparison{};
      if (effect && effect->counted_string && (dest.is(ValueKind::stack_address) || dest.is(ValueKind::image_address))) {
        uint64_t length = 0;
        if (src.is(ValueKind::image_address))
          if (auto text = code_.utf16_at(static_cast<uint32_t>(src.offset))) length = text->size() * 2;
        const RoutineEffect::CountedString& cs = *effect->counted_string;
        Value at = dest;
        at.offset = dest.offset + cs.length;
        s.store(at, 2, Value::constant(length));
        at.offset = dest.offset + cs.maximum_length;
        s.store(at, 2, Value::constant(length ? length + 2 : 0));
        at.offset = dest.offset + cs.buffer;
        s.store(at, ps, src);
      }
      for (size_t k = 0; k < out_pointers.size(); ++k) s.store(out_pointers[k], ps, Value::of(effect->out_values[k].kind));
      return;
    }
    case ZYDIS_MNEMONIC_RET:
      return;
    case ZYDIS_MNEMONIC_MUL: case ZYDIS_MNEMONIC_DIV: case ZYDIS_MNEMONIC_IDIV:
      clobber({0, 2});
      return;
    case ZYDIS_MNEMONIC_IMUL:
      if (i.operand_count == 1) clobber({0, 2});
      else write_op0(Value::unknown(s.operand(i, 0).user_controlled || s.operand(i, 1).user_controlled));
      return;
    case ZYDIS_MNEMONIC_CPUID: clobber({0, 1, 2, 3}); return;
    case ZYDIS_MNEMONIC_RDMSR: case ZYDIS_MNEMONIC_RDTSC: case ZYDIS_MNEMONIC_XGETBV: case ZYDIS_MNEMONIC_RDPMC:
      clobber({0, 2});
      return;
    case ZYDIS_MNEMONIC_RDTSCP: clobber({0, 1, 2}); return;
    case ZYDIS_MNEMONIC_CDQ: case ZYDIS_MNEMONIC_CQO: case ZYDIS_MNEMONIC_CWD: clobber({2}); return;
    case ZYDIS_MNEMONIC_CDQE: case ZYDIS_MNEMONIC_CWDE: case ZYDIS_MNEMONIC_CBW: {
      Value v = s.regs_[0];
      if (auto c = v.as_constant())
        s.regs_[0] = Value::constant(static_cast<uint64_t>(sign_extend(*c, i.mnemonic == ZYDIS_MNEMONIC_CDQE ? 4 : 2)));
      else if (i.mnemonic != ZYDIS_MNEMONIC_CDQE || !is_32bit_kind(v.kind))
        s.regs_[0] = Value::unknown(v.user_controlled);
      return;
    }
    case ZYDIS_MNEMONIC_STOSB: case ZYDIS_MNEMONIC_STOSW: case ZYDIS_MNEMONIC_STOSD: case ZYDIS_MNEMONIC_STOSQ:
      clobber({1, 7});
      return;
    case ZYDIS_MNEMONIC_MOVSB: case ZYDIS_MNEMONIC_MOVSW: case ZYDIS_MNEMONIC_MOVSQ:
      clobber({1, 6, 7});
      return;
    case ZYDIS_MNEMONIC_MOVSD:
      if (!std::any_of(op, op + i.operand_count,
                       [](const Operand& o) { return o.kind == OperandKind::reg && vector_index(o.reg) >= 0; })) {
        clobber({1, 6, 7});
        return;
      }
      break;
    case ZYDIS_MNEMONIC_LODSB: case ZYDIS_MNEMONIC_LODSW: case ZYDIS_MNEMONIC_LODSD: case ZYDIS_MNEMONIC_LODSQ:
      clobber({0, 1, 6});
      return;
    case ZYDIS_MNEMONIC_SCASB: case ZYDIS_MNEMONIC_SCASW: case ZYDIS_MNEMONIC_SCASD: case ZYDIS_MNEMONIC_SCASQ:
    case ZYDIS_MNEMONIC_CMPSB: case ZYDIS_MNEMONIC_CMPSW: case ZYDIS_MNEMONIC_CMPSQ:
      clobber({1, 6, 7});
      return;
    case ZYDIS_MNEMONIC_IN: case ZYDIS_MNEMONIC_INSB: case ZYDIS_MNEMONIC_INSW: case ZYDIS_MNEMONIC_INSD:
      clobber({0, 7});
      return;
    default:
      break;
  }

  // Vector registers: known lanes and 16-byte copies, enough to follow compilers that fill
  // DriverObject->MajorFunction[] or copy a UNICODE_STRING with SSE stores.
  if (i.operand_count >= 1) {
    using Vector = State::Vector;
    const int vd = op[0].kind == OperandKind::reg ? vector_index(op[0].reg) : -1;
    const int vs = i.operand_count >= 2 && op[1].kind == OperandKind::reg ? vector_index(op[1].reg) : -1;
    auto vec = [&](int idx) -> Vector& { return s.vectors_.at(idx & 15); };
    auto scalar = [&](uint32_t lane_size, const Value& v) {
      Vector r{Vector::Kind::lanes, static_cast<uint8_t>(lane_size), false, {}, 0};
      r.lane[0] = v;
      for (uint32_t k = 1; k < 16 / lane_size; ++k) r.lane[k] = Value::constant(0);
      return r;
    };
    auto part = [&](int idx, uint32_t at, uint32_t size) {
      return s.vector_part(static_cast<ZydisRegister>(ZYDIS_REGISTER_XMM0 + idx), at, size);
    };
    switch (i.mnemonic) {
      case ZYDIS_MNEMONIC_MOVQ: case ZYDIS_MNEMONIC_MOVD: case ZYDIS_MNEMONIC_VMOVQ: case ZYDIS_MNEMONIC_VMOVD: {
        const uint32_t size = i.mnemonic == ZYDIS_MNEMONIC_MOVQ || i.mnemonic == ZYDIS_MNEMONIC_VMOVQ ? 8 : 4;
        if (vd >= 0 && i.operand_count >= 2) {
          vec(vd) = vs >= 0 ? scalar(size, part(vs, 0, size)) : scalar(size, s.operand(i, 1));
          return;
        }
        if (vd < 0 && vs >= 0) {
          write_op0(part(vs, 0, size));
          return;
        }
        break;
      }
      case ZYDIS_MNEMONIC_PXOR: case ZYDIS_MNEMONIC_XORPS: case ZYDIS_MNEMONIC_VPXOR: case ZYDIS_MNEMONIC_VXORPS:
        if (vd >= 0 && i.operand_count >= 2 && op[1].kind == OperandKind::reg && op[1].reg == op[0].reg) {
          vec(vd) = scalar(8, Value::constant(0));
          return;
        }
        break;
      case ZYDIS_MNEMONIC_PUNPCKLQDQ: case ZYDIS_MNEMONIC_VPUNPCKLQDQ:
        if (vd >= 0) {
          const int second = i.operand_count >= 3 ? (op[2].kind == OperandKind::reg ? vector_index(op[2].reg) : -1) : vs;
          const int first = i.operand_count >= 3 ? vs : vd;
          Vector r{Vector::Kind::lanes, 8, false, {}, 0};
          r.lane[0] = first >= 0 ? part(first, 0, 8) : Value::unknown();
          r.lane[1] = second >= 0 ? part(second, 0, 8) : Value::unknown();
          vec(vd) = r;
          return;
        }
        break;
      case ZYDIS_MNEMONIC_MOVDDUP: case ZYDIS_MNEMONIC_VPBROADCASTQ: case ZYDIS_MNEMONIC_VPBROADCASTD:
      case ZYDIS_MNEMONIC_PSHUFD: case ZYDIS_MNEMONIC_VPSHUFD: {
        if (vd < 0) break;
        const uint32_t size = i.mnemonic == ZYDIS_MNEMONIC_VPBROADCASTD ? 4 : 8;
        const Value low = vs >= 0 ? part(vs, 0, size)
                                  : (op[1].kind == OperandKind::reg ? s.reg(op[1].reg) : s.operand(i, 1));
        Vector r{Vector::Kind::lanes, static_cast<uint8_t>(size), true, {}, 0};
        if (i.mnemonic == ZYDIS_MNEMONIC_PSHUFD || i.mnemonic == ZYDIS_MNEMONIC_VPSHUFD) {
          const uint64_t imm = op[i.operand_count - 1].kind == OperandKind::imm ? op[i.operand_count - 1].imm : 0xFFFF;
          if (vs < 0 || (imm != 0x44 && imm != 0)) {
            vec(vd) = Vector{};
            return;
          }
          if (imm == 0) {  // every dword = dword 0
            r.lane_size = 4;
            r.lane[0] = part(vs, 0, 4);
          } else {
            r.lane[0] = part(vs, 0, 8);
          }
        } else {
          r.lane[0] = low;
        }
        for (uint32_t k = 1; k < 16u / r.lane_size; ++k) r.lane[k] = r.lane[0];
        vec(vd) = r;
        return;
      }
      case ZYDIS_MNEMONIC_MOVUPS: case ZYDIS_MNEMONIC_MOVAPS: case ZYDIS_MNEMONIC_MOVDQU: case ZYDIS_MNEMONIC_MOVDQA:
      case ZYDIS_MNEMONIC_MOVUPD: case ZYDIS_MNEMONIC_MOVAPD: case ZYDIS_MNEMONIC_VMOVUPS: case ZYDIS_MNEMONIC_VMOVDQU:
      case ZYDIS_MNEMONIC_VMOVAPS: case ZYDIS_MNEMONIC_VMOVDQA: case ZYDIS_MNEMONIC_MOVSD:
        if (vd >= 0 && op[1].kind == OperandKind::mem) {
          const Value addr = s.address_of(op[1].mem);
          vec(vd) = addr.exactly(ValueKind::image_address)
                        ? Vector{Vector::Kind::image_bytes, 8, false, {}, static_cast<uint32_t>(addr.offset)}
                        : Vector{};
          return;
        }
        if (vd >= 0 && vs >= 0) {
          vec(vd) = Vector(s.vectors_.get(vs & 15));  // a copy: inserting vd may move vs
          return;
        }
        if (op[0].kind == OperandKind::mem && vs >= 0) {
          const Value addr = s.address_of(op[0].mem);
          const uint32_t bytes = op[0].size ? op[0].size : 16;
          for (uint32_t k = 0; k + ps <= bytes; k += ps) {
            Value at = addr;
            at.offset += k;
            s.store(at, ps, s.vector_part(op[1].reg, k, ps));
          }
          return;
        }
        break;
      default:
        break;
    }
    if (vd >= 0) {
      vec(vd) = Vector{};
      return;
    }
  }

  // Anything else that writes its first operand leaves it unknown (still controlled when an
  // input was).
  if (i.writes_first_operand && i.operand_count >= 1) {
    bool controlled = false;
    for (int k = 0; k < i.operand_count; ++k) controlled |= s.operand(i, k).user_controlled;
    if (i.mnemonic == ZYDIS_MNEMONIC_CMOVB || i.mnemonic == ZYDIS_MNEMONIC_CMOVBE || i.mnemonic == ZYDIS_MNEMONIC_CMOVL ||
        i.mnemonic == ZYDIS_MNEMONIC_CMOVLE || i.mnemonic == ZYDIS_MNEMONIC_CMOVNB || i.mnemonic == ZYDIS_MNEMONIC_CMOVNBE ||
        i.mnemonic == ZYDIS_MNEMONIC_CMOVNL || i.mnemonic == ZYDIS_MNEMONIC_CMOVNLE || i.mnemonic == ZYDIS_MNEMONIC_CMOVNZ ||
        i.mnemonic == ZYDIS_MNEMONIC_CMOVZ || i.mnemonic == ZYDIS_MNEMONIC_CMOVS || i.mnemonic == ZYDIS_MNEMONIC_CMOVNS) {
      write_op0(join_values(s.operand(i, 0), s.operand(i, 1)));
      return;
    }
    write_op0(Value::unknown(controlled));
  }
}

}  // namespace drvsec::disasm
