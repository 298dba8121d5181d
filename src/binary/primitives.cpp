#include "binary/primitives.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include <fmt/format.h>

#include "binary/call_operands.h"
#include "binary/kernel_platform.h"
#include "model/fact_ids.h"

namespace drvsec {

namespace {

using namespace disasm;

// How an operand is judged: an address is caller-chosen only when it is a pointer value the
// caller wrote (or a raw user address); the SystemBuffer pointer itself was allocated by the I/O
// manager. A scalar (index, port, size, PID, handle) is caller-chosen when it comes from the request.
enum class RoleType { address, scalar };

// A call of one of these DDIs is a primitive (the table's `primitive`), nullptr otherwise.
const ddi::Function* find_primitive_ddi(std::string_view name) {
  const ddi::Function* f = ddi::find(name);
  return f && f->primitive ? f : nullptr;
}

struct RawOperand {
  std::string role;
  RoleType type = RoleType::scalar;
  Value value;
  bool range_checked = false;
};

// A primitive seen in one analysis context (before attribution and merging).
struct RawSite {
  uint32_t context = 0;
  uint32_t rva = 0, function = 0, block = 0;
  PrimitiveKind kind = PrimitiveKind::msr_access;
  std::string what, note;
  std::vector<RawOperand> operands;
  std::set<uint32_t> ioctls;       // from the handler region of the site's own block (else the context's)
  bool only_if_reachable = false;  // cli/hlt: only worth reporting on a request path
  bool only_if_controlled = false; // Zw* on a handle: only when the handle comes from the request
};

// One analysis of a function with the argument values of one caller.
struct Context {
  uint32_t rva = 0;
  std::vector<Value> args;
  std::vector<std::pair<ZydisRegister, Value>> regs;
  std::vector<Value> checks;  // range checks dominating the call on the path
  int parent = -1;
  uint32_t depth = 0;
  std::set<uint8_t> majors;
  std::set<uint32_t> ioctls;
};

struct Edge {
  uint32_t from = 0, to = 0;
  std::set<uint32_t> ioctls;  // the calling block's IOCTLs; empty: the caller's own
};

// A comparison against a constant that can bound a request value (the "range check").
std::optional<Value> checked_value(const Comparison& c) {
  if (!c.valid) return std::nullopt;
  auto bounds = [&](const Value& v, const Value& k) -> std::optional<Value> {
    if (!k.as_constant()) return std::nullopt;
    if (c.is_test && *k.as_constant() == 0) return std::nullopt;  // a zero/NULL test bounds nothing
    if (v.is(ValueKind::user_data) || v.is(ValueKind::input_buffer_length) || v.is(ValueKind::output_buffer_length))
      return Value::of(v.kind);
    return std::nullopt;
  };
  if (auto v = bounds(c.lhs, c.rhs)) return v;
  return bounds(c.rhs, c.lhs);
}

bool is_checked(const Value& operand, const std::vector<Value>& checks) {
  for (const Value& c : checks) {
    if (operand.kind == c.kind) return true;
    // A value computed from buffer contents (index + 1, a masked field) is bounded by a check on them.
    if (operand.is(ValueKind::unknown) && operand.user_controlled && c.is(ValueKind::user_data)) return true;
  }
  return false;
}

std::string describe_source(const Value& v) {
  switch (v.kind) {
    case ValueKind::constant: return fmt::format("constant 0x{:X}", static_cast<uint64_t>(v.offset));
    case ValueKind::system_buffer: return "SystemBuffer";
    case ValueKind::type3_input_buffer: return "Type3InputBuffer";
    case ValueKind::user_buffer: return "UserBuffer";
    case ValueKind::user_data: return "request buffer contents";
    case ValueKind::input_buffer_length: return "InputBufferLength";
    case ValueKind::output_buffer_length: return "OutputBufferLength";
    case ValueKind::io_control_code: return "IoControlCode";
    case ValueKind::image_address: return fmt::format("global 0x{:X}", static_cast<uint64_t>(v.offset));
    case ValueKind::stack_address: return "local variable";
    case ValueKind::call_result: return fmt::format("result of the call at 0x{:X}", v.id);
    case ValueKind::argument: return fmt::format("argument {}", v.id);
    default: return v.user_controlled ? "computed from the request" : "unknown";
  }
}

bool operand_controlled(const Value& v, RoleType type) {
  switch (v.kind) {
    case ValueKind::user_data: case ValueKind::type3_input_buffer: case ValueKind::user_buffer: return true;
    case ValueKind::input_buffer_length: case ValueKind::output_buffer_length: return type == RoleType::scalar;
    case ValueKind::system_buffer: case ValueKind::constant: return false;
    default: return v.user_controlled;
  }
}

// Immediate dominators of the blocks reachable from the entry (Cooper, Harvey, Kennedy).
std::vector<int> immediate_dominators(const Function& f) {
  const size_t n = f.blocks.size();
  std::vector<int> order, rpo_index(n, -1), idom(n, -1);
  std::vector<uint8_t> seen(n, 0);
  std::vector<std::pair<uint32_t, size_t>> stack{{f.entry_block, 0}};
  if (f.entry_block >= n) return idom;
  seen[f.entry_block] = 1;
  while (!stack.empty()) {  // iterative post-order
    auto& [b, next] = stack.back();
    if (next < f.blocks[b].successors.size()) {
      const uint32_t s = f.blocks[b].successors[next++];
      if (s < n && !seen[s]) {
        seen[s] = 1;
        stack.push_back({s, 0});
      }
      continue;
    }
    order.push_back(static_cast<int>(b));
    stack.pop_back();
  }
  std::reverse(order.begin(), order.end());
  for (size_t i = 0; i < order.size(); ++i) rpo_index[order[i]] = static_cast<int>(i);
  idom[f.entry_block] = static_cast<int>(f.entry_block);
  auto intersect = [&](int a, int b) {
    while (a != b) {
      while (rpo_index[a] > rpo_index[b]) a = idom[a];
      while (rpo_index[b] > rpo_index[a]) b = idom[b];
    }
    return a;
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 1; i < order.size(); ++i) {
      const int b = order[i];
      int d = -1;
      for (uint32_t p : f.blocks[b].predecessors) {
        if (p >= n || rpo_index[p] < 0 || idom[p] < 0) continue;
        d = d < 0 ? static_cast<int>(p) : intersect(static_cast<int>(p), d);
      }
      if (d >= 0 && idom[b] != d) {
        idom[b] = d;
        changed = true;
      }
    }
  }
  return idom;
}

class PrimitiveFinder {
 public:
  PrimitiveFinder(CodeModel& code, DriverModel& model, const PrimitiveLimits& limits)
      : code_(code), model_(model), limits_(limits) {
    for (const auto& c : model.capabilities)
      if (c.api == "\\Device\\PhysicalMemory") names_physical_memory_ = true;
    for (const Ioctl& io : model.ioctls)
      if (io.handler_rva && io.handler_function_rva) handlers_[*io.handler_function_rva].emplace_back(*io.handler_rva, io.code);
  }

  void run();

 private:
  uint32_t add_context(Context c);
  void analyze(uint32_t index, bool follow_calls);
  void instruction_site(const Instruction& insn, const State& st, RawSite& site) const;
  void api_site(const ImportRef& imp, const Instruction& insn, const State& st, std::vector<RawSite>& out, RawSite site) const;
  std::map<uint32_t, std::set<uint32_t>> block_ioctls(const Function& f, const ValueAnalysis& va) const;
  void propagate();
  void emit();

  CodeModel& code_;
  DriverModel& model_;
  PrimitiveLimits limits_;
  bool names_physical_memory_ = false;
  bool budget_noted_ = false;
  std::map<uint32_t, std::vector<std::pair<uint32_t, uint32_t>>> handlers_;  // function -> (handler block rva, code)
  std::vector<Context> contexts_;
  std::map<std::string, uint32_t> context_keys_;
  std::deque<uint32_t> queue_;
  std::vector<Edge> edges_;
  std::vector<RawSite> sites_;
  std::set<uint32_t> analyzed_functions_;
};

uint32_t PrimitiveFinder::add_context(Context c) {
  std::string key = fmt::format("{:X}", c.rva);
  auto sig = [&](const Value& a) { key += fmt::format(":{}/{}/{}/{}", static_cast<int>(a.kind), a.offset, a.ranged, a.user_controlled); };
  for (const auto& a : c.args) sig(a);
  for (const auto& r : c.regs) sig(r.second);
  key += "|";
  for (const auto& k : c.checks) sig(k);
  if (auto it = context_keys_.find(key); it != context_keys_.end()) return it->second;
  const uint32_t index = static_cast<uint32_t>(contexts_.size());
  contexts_.push_back(std::move(c));
  context_keys_.emplace(std::move(key), index);
  queue_.push_back(index);
  return index;
}

std::map<uint32_t, std::set<uint32_t>> PrimitiveFinder::block_ioctls(const Function& f, const ValueAnalysis& va) const {
  std::map<uint32_t, std::set<uint32_t>> out;
  auto h = handlers_.find(f.entry);
  if (h == handlers_.end()) return out;
  // Blocks that dispatch (end in a jump on a compare of IoControlCode) or start another IOCTL's
  // handler bound each handler's region.
  std::set<uint32_t> dispatch_blocks;
  for (uint32_t b = 0; b < f.blocks.size(); ++b) {
    if (!va.reachable(b) || !f.blocks[b].count) continue;
    const Instruction& last = f.instructions[f.blocks[b].first + f.blocks[b].count - 1];
    if (!last.is_conditional_jump()) continue;
    auto st = va.state_before(last.rva);
    if (!st) continue;
    const Comparison& c = st->comparison();
    if (c.valid && (c.lhs.is(ValueKind::io_control_code) || c.rhs.is(ValueKind::io_control_code))) dispatch_blocks.insert(b);
  }
  std::map<uint32_t, std::set<uint32_t>> handler_blocks;  // block -> codes whose handler starts there
  for (const auto& [rva, code] : h->second) {
    const int b = f.block_containing(rva);
    if (b >= 0) handler_blocks[static_cast<uint32_t>(b)].insert(code);
  }
  for (const auto& [start, codes] : handler_blocks) {
    std::vector<uint32_t> work{start};
    std::set<uint32_t> seen{start};
    while (!work.empty()) {
      const uint32_t b = work.back();
      work.pop_back();
      out[b].insert(codes.begin(), codes.end());
      if (dispatch_blocks.count(b)) continue;
      for (uint32_t s : f.blocks[b].successors) {
        if (s >= f.blocks.size() || handler_blocks.count(s) || dispatch_blocks.count(s) || !seen.insert(s).second) continue;
        work.push_back(s);
      }
    }
  }
  return out;
}

void PrimitiveFinder::instruction_site(const Instruction& insn, const State& st, RawSite& site) const {
  const bool x64 = code_.arch() == Arch::x64;
  auto reg = [&](ZydisRegister r64, ZydisRegister r32) { return st.reg(x64 ? r64 : r32); };
  auto add = [&](const char* role, Value v) { site.operands.push_back({role, RoleType::scalar, v}); };
  switch (insn.mnemonic) {
    case ZYDIS_MNEMONIC_RDMSR:
      site.kind = PrimitiveKind::msr_access, site.what = "rdmsr";
      add("msr index", st.reg(ZYDIS_REGISTER_ECX));
      return;
    case ZYDIS_MNEMONIC_WRMSR:
      site.kind = PrimitiveKind::msr_access, site.what = "wrmsr";
      add("msr index", st.reg(ZYDIS_REGISTER_ECX));
      add("value", st.reg(ZYDIS_REGISTER_EAX));
      return;
    case ZYDIS_MNEMONIC_IN:
    case ZYDIS_MNEMONIC_OUT: {
      const bool in = insn.mnemonic == ZYDIS_MNEMONIC_IN;
      site.kind = PrimitiveKind::port_io, site.what = in ? "in" : "out";
      const int port_op = in ? 1 : 0;
      if (insn.operand_count > port_op) add("port", st.operand(insn, port_op));
      if (!in && insn.operand_count > 1) add("value", st.operand(insn, 1));
      return;
    }
    case ZYDIS_MNEMONIC_INSB: case ZYDIS_MNEMONIC_INSW: case ZYDIS_MNEMONIC_INSD:
    case ZYDIS_MNEMONIC_OUTSB: case ZYDIS_MNEMONIC_OUTSW: case ZYDIS_MNEMONIC_OUTSD:
      site.kind = PrimitiveKind::port_io;
      site.what = ZydisMnemonicGetString(insn.mnemonic);
      add("port", st.reg(ZYDIS_REGISTER_DX));
      add("count", insn.has_rep ? reg(ZYDIS_REGISTER_RCX, ZYDIS_REGISTER_ECX) : Value::constant(1));
      return;
    case ZYDIS_MNEMONIC_WBINVD: case ZYDIS_MNEMONIC_INVD: case ZYDIS_MNEMONIC_LGDT: case ZYDIS_MNEMONIC_LIDT:
    case ZYDIS_MNEMONIC_LTR: case ZYDIS_MNEMONIC_CLI: case ZYDIS_MNEMONIC_HLT:
      site.kind = PrimitiveKind::control_register;
      site.what = ZydisMnemonicGetString(insn.mnemonic);
      site.only_if_reachable = insn.mnemonic == ZYDIS_MNEMONIC_CLI || insn.mnemonic == ZYDIS_MNEMONIC_HLT;
      return;
    case ZYDIS_MNEMONIC_XSETBV:
      site.kind = PrimitiveKind::control_register, site.what = "xsetbv";
      add("xcr index", st.reg(ZYDIS_REGISTER_ECX));
      add("value", st.reg(ZYDIS_REGISTER_EAX));
      return;
    case ZYDIS_MNEMONIC_MOV: {
      if (insn.operand_count < 2 || insn.ops[0].kind != OperandKind::reg || insn.ops[1].kind != OperandKind::reg) return;
      auto special = [](ZydisRegister r) {
        const ZydisRegisterClass c = ZydisRegisterGetClass(r);
        return c == ZYDIS_REGCLASS_CONTROL || c == ZYDIS_REGCLASS_DEBUG;
      };
      if (special(insn.ops[0].reg)) {
        site.kind = PrimitiveKind::control_register;
        site.what = fmt::format("mov {}, reg", ZydisRegisterGetString(insn.ops[0].reg));
        add("value", st.operand(insn, 1));
      } else if (special(insn.ops[1].reg)) {
        site.kind = PrimitiveKind::control_register;
        site.what = fmt::format("mov reg, {}", ZydisRegisterGetString(insn.ops[1].reg));
      }
      return;
    }
    default:
      return;
  }
}

void PrimitiveFinder::api_site(const ImportRef& imp, const Instruction& insn, const State& st, std::vector<RawSite>& out,
                               RawSite site) const {
  auto arg = [&](uint32_t n) { return call_argument_at(st, insn, n); };
  const ddi::Function* ddi_function = find_primitive_ddi(imp.name);
  site.what = imp.name;
  if (!ddi_function) {
    // CL-5.11: a Zw* routine given a handle that comes from the request.
    if (imp.name.rfind("Zw", 0) != 0) return;
    site.kind = PrimitiveKind::process_handle;
    site.only_if_controlled = true;
    site.operands.push_back({"handle", RoleType::scalar, arg(0)});
    out.push_back(std::move(site));
    return;
  }
  if (ddi_function->name == "ZwMapViewOfSection" && !names_physical_memory_) return;
  site.kind = *ddi_function->primitive;
  const ddi::Architecture arch = ddi_architecture(code_.arch());
  for (const PrimitiveCallOperand& o : primitive_call_operands(*ddi_function, arch)) {
    Value v = arg(o.slot);
    if (o.by_reference) v = pointed_value(st, v);
    site.operands.push_back({std::string(o.label), o.address ? RoleType::address : RoleType::scalar, v});
  }
  // KPROCESSOR_MODE AccessMode: UserMode maps MDL pages into the caller; KernelMode skips the
  // access check of a handle lookup.
  if (const ddi::Parameter* access_mode = ddi_function->parameter(ddi::Role::access_mode)) {
    const Value mode = arg(ddi::argument_slot(*ddi_function, access_mode->index, arch));
    if (site.kind == PrimitiveKind::user_mapping) {
      if (mode.as_constant() == 0u) return;  // KernelMode mapping: not a user mapping
      site.note = mode.as_constant() == 1u ? "AccessMode is UserMode: the pages are mapped into the calling process"
                                            : "AccessMode is not a constant (may be UserMode)";
      site.operands.push_back({std::string(access_mode->label), RoleType::scalar, mode});
    } else {
      if (mode.as_constant() == 1u) return;  // UserMode: the caller's access is checked
      site.note = mode.as_constant() == 0u ? "AccessMode is KernelMode: no access check against the caller"
                                            : "AccessMode is not a constant";
      site.only_if_controlled = true;
    }
  }
  out.push_back(std::move(site));
}

void PrimitiveFinder::analyze(uint32_t index, bool follow_calls) {
  const Function* f = code_.function_at(contexts_[index].rva);
  if (!f) return;
  analyzed_functions_.insert(f->entry);
  ValueAnalysis va(code_, *f, contexts_[index].args, contexts_[index].regs);
  std::vector<RawSite> found;
  std::map<uint32_t, Value> block_checks;  // block -> value its final conditional jump bounds
  struct Call {
    uint32_t block;
    Context callee;
  };
  std::vector<Call> calls;
  va.for_each([&](const Instruction& insn, const State& st) {
    const int b = f->block_containing(insn.rva);
    if (b < 0) return;
    if (insn.is_conditional_jump()) {
      if (auto v = checked_value(st.comparison())) block_checks[static_cast<uint32_t>(b)] = *v;
      return;
    }
    RawSite site;
    site.context = index, site.rva = insn.rva, site.function = f->entry, site.block = static_cast<uint32_t>(b);
    if (const CallSite* c = f->call_at(insn.rva)) {
      if (const ImportRef* imp = va.import_called(insn, st)) {
        api_site(*imp, insn, st, found, std::move(site));
        return;
      }
      if (!follow_calls || c->kind != CallKind::direct || !c->target) return;
      Context next;
      next.rva = *c->target;
      auto local = [](Value v) {
        if (v.is(ValueKind::stack_address) || v.is(ValueKind::argument)) v = Value::unknown(v.user_controlled);
        return v;
      };
      for (uint32_t n = 0; n < 8; ++n) next.args.push_back(local(call_argument_at(st, insn, n)));
      if (code_.arch() == Arch::x86)
        for (ZydisRegister r : {ZYDIS_REGISTER_EAX, ZYDIS_REGISTER_ECX, ZYDIS_REGISTER_EDX}) next.regs.emplace_back(r, local(st.reg(r)));
      calls.push_back({static_cast<uint32_t>(b), std::move(next)});
      return;
    }
    instruction_site(insn, st, site);
    if (!site.what.empty()) found.push_back(std::move(site));
  });

  // Checks dominating a block: the caller's, plus the compares ending its strict dominators.
  const std::vector<int> idom = immediate_dominators(*f);
  auto checks_for = [&](uint32_t b) {
    std::vector<Value> checks = contexts_[index].checks;
    for (int d = idom[b]; d >= 0;) {
      if (auto it = block_checks.find(static_cast<uint32_t>(d)); it != block_checks.end() &&
          std::find(checks.begin(), checks.end(), it->second) == checks.end())
        checks.push_back(it->second);
      if (idom[d] == d) break;
      d = idom[d];
    }
    if (static_cast<int>(b) == static_cast<int>(f->entry_block)) checks = contexts_[index].checks;
    return checks;
  };
  const auto ioctl_blocks = block_ioctls(*f, va);
  for (RawSite& s : found) {
    const std::vector<Value> checks = checks_for(s.block);
    for (RawOperand& o : s.operands) o.range_checked = operand_controlled(o.value, o.type) && is_checked(o.value, checks);
    if (auto it = ioctl_blocks.find(s.block); it != ioctl_blocks.end()) s.ioctls = it->second;
    sites_.push_back(std::move(s));
  }
  if (!follow_calls || contexts_[index].depth >= limits_.max_call_depth) return;
  for (Call& c : calls) {
    if (contexts_.size() >= limits_.max_contexts) {
      if (!budget_noted_) {
        budget_noted_ = true;
        model_.recovery_notes.push_back({"primitive reachability",
                                         fmt::format("more than {} function analyses; further calls were not followed",
                                                     limits_.max_contexts),
                                         provenance_at(c.callee.rva, "code analysis")});
      }
      break;
    }
    c.callee.checks = checks_for(c.block);
    c.callee.parent = static_cast<int>(index);
    c.callee.depth = contexts_[index].depth + 1;
    std::set<uint32_t> codes;
    if (auto it = ioctl_blocks.find(c.block); it != ioctl_blocks.end()) codes = it->second;
    const uint32_t to = add_context(std::move(c.callee));
    edges_.push_back({index, to, std::move(codes)});
  }
}

// Majors and IOCTLs flow from the dispatch routines along the call edges (sets only grow).
void PrimitiveFinder::propagate() {
  for (bool changed = true; changed;) {
    changed = false;
    for (const Edge& e : edges_) {
      Context& from = contexts_[e.from];
      Context& to = contexts_[e.to];
      const size_t before = to.majors.size() + to.ioctls.size();
      to.majors.insert(from.majors.begin(), from.majors.end());
      const std::set<uint32_t>& codes = e.ioctls.empty() ? from.ioctls : e.ioctls;
      to.ioctls.insert(codes.begin(), codes.end());
      changed |= to.majors.size() + to.ioctls.size() != before;
    }
  }
}

void PrimitiveFinder::emit() {
  std::map<uint32_t, PrimitiveUse> by_rva;
  for (const RawSite& s : sites_) {
    const Context& ctx = contexts_[s.context];
    const bool reached = !ctx.majors.empty();
    if (s.only_if_reachable && !reached) continue;
    std::vector<PrimitiveOperand> operands;
    bool any_controlled = false;
    for (const RawOperand& o : s.operands) {
      PrimitiveOperand p;
      p.role = o.role;
      p.source = describe_source(o.value);
      p.controlled = operand_controlled(o.value, o.type);
      p.range_checked = o.range_checked;
      p.constant = o.value.as_constant();
      any_controlled |= p.controlled && !p.range_checked;
      operands.push_back(std::move(p));
    }
    if (s.only_if_controlled && !any_controlled) continue;
    auto [it, fresh] = by_rva.try_emplace(s.rva);
    PrimitiveUse& u = it->second;
    if (fresh) {
      u.kind = s.kind, u.what = s.what, u.rva = s.rva, u.function_rva = s.function, u.note = s.note;
      u.operands = operands;
      u.provenance = provenance_at(s.rva, "code analysis");
    } else {
      // Another context of the same site: an operand is controlled if it is in any context.
      for (size_t i = 0; i < u.operands.size() && i < operands.size(); ++i) {
        PrimitiveOperand& o = u.operands[i];
        const bool worse = operands[i].controlled && !operands[i].range_checked;
        if (worse && !(o.controlled && !o.range_checked)) o = operands[i];
        else if (o.source == "unknown" && operands[i].source != "unknown" && !(o.controlled && !o.range_checked)) o = operands[i];
      }
    }
    if (reached && u.call_path.empty()) {
      for (int c = static_cast<int>(s.context); c >= 0; c = contexts_[c].parent) u.call_path.push_back(contexts_[c].rva);
      std::reverse(u.call_path.begin(), u.call_path.end());
    }
    std::set<uint8_t> majors(u.majors.begin(), u.majors.end());
    majors.insert(ctx.majors.begin(), ctx.majors.end());
    u.majors.assign(majors.begin(), majors.end());
    std::set<uint32_t> codes(u.ioctls.begin(), u.ioctls.end());
    if (ctx.majors.count(kIrpMjDeviceControl) || ctx.majors.count(kIrpMjInternalDeviceControl)) {
      const std::set<uint32_t>& own = s.ioctls.empty() ? ctx.ioctls : s.ioctls;
      codes.insert(own.begin(), own.end());
    }
    u.ioctls.assign(codes.begin(), codes.end());
  }
  for (auto& [rva, u] : by_rva) {
    u.id = primitive_id(u);
    model_.primitives.push_back(std::move(u));
  }
  for (Ioctl& io : model_.ioctls) {
    std::map<std::string, std::string> by_description;  // the order evidence lists them in
    for (const PrimitiveUse& u : model_.primitives)
      if (std::binary_search(u.ioctls.begin(), u.ioctls.end(), io.code)) by_description.emplace(describe(u), u.id);
    io.reachable_primitives.clear();
    for (auto& [description, id] : by_description) io.reachable_primitives.push_back(id);
  }
}

void PrimitiveFinder::run() {
  // Walk from every dispatch routine (one walk per routine serving several majors).
  std::map<uint32_t, std::set<uint8_t>> routines;
  for (const DispatchRoutine& d : model_.dispatch) routines[d.rva].insert(d.major);
  for (const auto& [rva, majors] : routines) {
    Context root;
    root.rva = rva;
    root.args = callback_arguments("DRIVER_DISPATCH");
    const uint32_t i = add_context(std::move(root));
    contexts_[i].majors.insert(majors.begin(), majors.end());
  }
  // KMDF: the I/O queue callbacks receive the requests.
  if (model_.kmdf)
    for (const KmdfQueueCallback& q : model_.kmdf->queue_callbacks) {
      Context root;
      root.rva = q.rva;
      root.args = callback_arguments(q.callback);
      const uint32_t i = add_context(std::move(root));
      contexts_[i].majors.insert(q.majors.begin(), q.majors.end());
    }
  while (!queue_.empty()) {
    const uint32_t i = queue_.front();
    queue_.pop_front();
    analyze(i, true);
  }
  // Sites in code no dispatch routine reaches: a capability only (operands still described).
  code_.analyze_all();
  std::vector<uint32_t> unreached;
  const State blank(code_.arch(), {});
  for (const auto& [entry, f] : code_.functions()) {
    if (analyzed_functions_.count(entry)) continue;
    bool interesting = false;
    for (const Instruction& insn : f->instructions) {
      RawSite probe;
      if (insn.is_call() || insn.is_jmp()) {
        const CallSite* c = f->call_at(insn.rva);
        if (c && c->import && (find_primitive_ddi(c->import->name) || c->import->name.rfind("Zw", 0) == 0)) interesting = true;
      } else {
        instruction_site(insn, blank, probe);
        interesting |= !probe.what.empty();
      }
      if (interesting) break;
    }
    if (interesting) unreached.push_back(entry);
  }
  if (unreached.size() > limits_.max_unreached_scans) {
    model_.recovery_notes.push_back({"primitives outside request paths",
                                     fmt::format("{} functions with primitives are not reached from a dispatch routine; "
                                                 "only the first {} were analyzed", unreached.size(), limits_.max_unreached_scans),
                                     provenance_at(std::nullopt, "code analysis")});
    unreached.resize(limits_.max_unreached_scans);
  }
  for (uint32_t entry : unreached) {
    Context c;
    c.rva = entry;
    analyze(add_context(std::move(c)), false);
  }
  queue_.clear();
  propagate();
  emit();
}

}  // namespace

std::vector<PrimitiveCallOperand> primitive_call_operands(const ddi::Function& f, ddi::Architecture arch) {
  std::vector<PrimitiveCallOperand> out;
  for (const ddi::Parameter& p : f.parameters)
    if (ddi::is_operand(p.role))
      out.push_back({p.label, ddi::argument_slot(f, p.index, arch), ddi::is_virtual_address(p.role), p.by_reference});
  return out;
}

void find_primitives(CodeModel& code, DriverModel& model, const PrimitiveLimits& limits) {
  PrimitiveFinder(code, model, limits).run();
}

}  // namespace drvsec
