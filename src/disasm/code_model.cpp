#include "disasm/code_model.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "base/ascii.h"
#include "disasm/platform.h"

namespace drvsec::disasm {

// ---------------------------------------------------------------- Function lookups

const Instruction* Function::instruction_at(uint32_t rva) const {
  auto it = std::lower_bound(instructions.begin(), instructions.end(), rva,
                             [](const Instruction& i, uint32_t r) { return i.rva < r; });
  return it != instructions.end() && it->rva == rva ? &*it : nullptr;
}

int Function::block_at(uint32_t rva) const {
  auto it = std::lower_bound(blocks.begin(), blocks.end(), rva, [](const BasicBlock& b, uint32_t r) { return b.start < r; });
  return it != blocks.end() && it->start == rva ? static_cast<int>(it - blocks.begin()) : -1;
}

int Function::block_containing(uint32_t rva) const {
  auto it = std::upper_bound(blocks.begin(), blocks.end(), rva, [](uint32_t r, const BasicBlock& b) { return r < b.start; });
  if (it == blocks.begin()) return -1;
  --it;
  return rva < it->end ? static_cast<int>(it - blocks.begin()) : -1;
}

const JumpTable* Function::jump_table_at(uint32_t jump_rva) const {
  for (const auto& t : jump_tables)
    if (t.jump_rva == jump_rva) return &t;
  return nullptr;
}

const CallSite* Function::call_at(uint32_t rva) const {
  auto it = std::lower_bound(calls.begin(), calls.end(), rva, [](const CallSite& c, uint32_t r) { return c.rva < r; });
  return it != calls.end() && it->rva == rva ? &*it : nullptr;
}

// ---------------------------------------------------------------- CodeModel

namespace {

Arch arch_of(const pe::Image& image) {
  if (image.machine == pe::machine::amd64) return Arch::x64;
  if (image.machine == pe::machine::i386) return Arch::x86;
  throw std::invalid_argument(fmt::format("no x86/x64 code model for machine 0x{:04X}", image.machine));
}

// Imports that never return (the platform says which): the block ends after the call.
bool is_noreturn_import(const ImportRef* import) { return import && import->effect && import->effect->no_return; }

bool same_gpr(ZydisRegister a, ZydisRegister b) {
  const int ia = gpr_index(a);
  return ia >= 0 && ia == gpr_index(b);
}

// Writes its first operand as a register (mov/movsxd/movzx/lea/add/...): the instruction defines it.
bool defines_register(const Instruction& i, ZydisRegister reg) {
  return i.operand_count > 0 && i.ops[0].kind == OperandKind::reg && same_gpr(i.ops[0].reg, reg) &&
         i.mnemonic != ZYDIS_MNEMONIC_CMP && i.mnemonic != ZYDIS_MNEMONIC_TEST && i.mnemonic != ZYDIS_MNEMONIC_PUSH;
}

}  // namespace

uint32_t registers_written(const Instruction& i) {
  constexpr uint32_t rax = 1u << 0, rcx = 1u << 1, rdx = 1u << 2, rbx = 1u << 3, rsi = 1u << 6, rdi = 1u << 7;
  uint32_t mask = 0;
  if (i.writes_first_operand && i.operand_count && i.ops[0].kind == OperandKind::reg) {
    const int g = gpr_index(i.ops[0].reg);
    if (g >= 0) mask |= 1u << g;
  }
  if (i.mnemonic == ZYDIS_MNEMONIC_XCHG && i.operand_count > 1 && i.ops[1].kind == OperandKind::reg) {
    const int g = gpr_index(i.ops[1].reg);
    if (g >= 0) mask |= 1u << g;
  }
  switch (i.mnemonic) {
    case ZYDIS_MNEMONIC_MUL: case ZYDIS_MNEMONIC_DIV: case ZYDIS_MNEMONIC_IDIV: case ZYDIS_MNEMONIC_IMUL:
    case ZYDIS_MNEMONIC_RDMSR: case ZYDIS_MNEMONIC_RDTSC: case ZYDIS_MNEMONIC_XGETBV: case ZYDIS_MNEMONIC_RDPMC:
    case ZYDIS_MNEMONIC_CDQ: case ZYDIS_MNEMONIC_CQO: case ZYDIS_MNEMONIC_CWD:
      mask |= rax | rdx;
      break;
    case ZYDIS_MNEMONIC_CPUID: mask |= rax | rbx | rcx | rdx; break;
    case ZYDIS_MNEMONIC_RDTSCP: mask |= rax | rcx | rdx; break;
    case ZYDIS_MNEMONIC_CDQE: case ZYDIS_MNEMONIC_CWDE: case ZYDIS_MNEMONIC_CBW: mask |= rax; break;
    case ZYDIS_MNEMONIC_STOSB: case ZYDIS_MNEMONIC_STOSW: case ZYDIS_MNEMONIC_STOSD: case ZYDIS_MNEMONIC_STOSQ:
    case ZYDIS_MNEMONIC_LODSB: case ZYDIS_MNEMONIC_LODSW: case ZYDIS_MNEMONIC_LODSD: case ZYDIS_MNEMONIC_LODSQ:
    case ZYDIS_MNEMONIC_MOVSB: case ZYDIS_MNEMONIC_MOVSW: case ZYDIS_MNEMONIC_MOVSQ:
      mask |= rax | rcx | rsi | rdi;
      break;
    case ZYDIS_MNEMONIC_MOVSD:  // the string form has no visible operands (the SSE form has two)
      if (i.operand_count == 0) mask |= rcx | rsi | rdi;
      break;
    default:
      if (i.has_rep) mask |= rcx | rsi | rdi;
      break;
  }
  return mask;
}

CodeModel::CodeModel(const pe::Image& image, const Platform& platform, const CodeLimits& limits)
    : image_(image), platform_(platform), limits_(limits), decoder_(arch_of(image)) {
  for (const auto& m : image.imports) {
    const std::string module = ascii_lower(m.dll);
    for (const auto& f : m.functions) {
      if (f.iat_rva == 0) continue;
      imports_.emplace(f.iat_rva, ImportRef{module, f.name, f.iat_rva, platform_.routine(f.name)});
    }
  }
  pdata_ = image.runtime_functions;
  std::sort(pdata_.begin(), pdata_.end(), [](const auto& a, const auto& b) { return a.begin_rva < b.begin_rva; });
  for (const auto& r : image.relocations) relocations_.push_back(r.rva);
  std::sort(relocations_.begin(), relocations_.end());

  auto add_start = [&](uint32_t rva) {
    if (is_executable(rva)) known_starts_.push_back(rva);
  };
  if (image.entry_point_rva) add_start(image.entry_point_rva);
  for (const auto& r : pdata_)
    if (!is_chained_pdata(r.begin_rva)) add_start(r.begin_rva);
  for (const auto& e : image.exports)
    if (e.rva && e.forwarder.empty()) add_start(e.rva);
  std::sort(known_starts_.begin(), known_starts_.end());
  known_starts_.erase(std::unique(known_starts_.begin(), known_starts_.end()), known_starts_.end());
}

void CodeModel::add_note(uint32_t rva, std::string what, std::string why) {
  notes_.push_back({rva, std::move(what), std::move(why)});
}

bool CodeModel::is_executable(uint32_t rva) const {
  const pe::Section* s = image_.section_at_rva(rva);
  return s && s->executable();
}

bool CodeModel::has_relocation_at(uint32_t rva) const {
  return std::binary_search(relocations_.begin(), relocations_.end(), rva);
}

bool CodeModel::may_be_relocated(uint32_t begin, uint32_t end) const {
  if (relocations_.empty()) return true;
  auto it = std::lower_bound(relocations_.begin(), relocations_.end(), begin);
  return it != relocations_.end() && *it < end;
}

std::optional<uint64_t> CodeModel::read_uint(uint32_t rva, uint32_t size) const {
  if (size == 0 || size > 8) return std::nullopt;
  auto bytes = image_.bytes_at_rva(rva, size);
  if (bytes.size() < size) return std::nullopt;
  uint64_t v = 0;
  for (uint32_t i = 0; i < size; ++i) v |= static_cast<uint64_t>(bytes[i]) << (8 * i);
  return v;
}

std::optional<std::string> CodeModel::utf16_at(uint32_t rva, uint32_t max_chars) const {
  auto bytes = image_.bytes_at_rva(rva, max_chars * 2 + 2);
  std::string out;
  for (size_t i = 0; i + 1 < bytes.size(); i += 2) {
    const uint16_t c = static_cast<uint16_t>(bytes[i] | (bytes[i + 1] << 8));
    if (c == 0) return out.empty() ? std::nullopt : std::optional(out);
    if (c < 0x20 && c != '\t') return std::nullopt;
    out.push_back(c < 0x80 ? static_cast<char>(c) : '?');
  }
  return std::nullopt;  // no terminator within bounds
}

std::optional<std::string> CodeModel::ansi_at(uint32_t rva, uint32_t max_chars) const {
  auto bytes = image_.bytes_at_rva(rva, max_chars + 1);
  std::string out;
  for (uint8_t c : bytes) {
    if (c == 0) return out.empty() ? std::nullopt : std::optional(out);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c >= 0x7F) return std::nullopt;
    out.push_back(static_cast<char>(c));
  }
  return std::nullopt;
}

std::optional<uint32_t> CodeModel::va_to_rva(uint64_t va) const {
  if (va < image_.image_base) return std::nullopt;
  const uint64_t rva = va - image_.image_base;
  if (rva >= image_.size_of_image) return std::nullopt;
  return static_cast<uint32_t>(rva);
}

const ImportRef* CodeModel::import_at_iat(uint32_t iat_rva) const {
  auto it = imports_.find(iat_rva);
  return it == imports_.end() ? nullptr : &it->second;
}

void CodeModel::add_routine_table(uint32_t rva, RoutineTableForm form, std::string module,
                                  const std::vector<std::string_view>& names) {
  RoutineTable& table = routine_tables_[rva];
  table.form = form;
  table.entries.clear();
  table.entries.reserve(names.size());
  for (std::string_view n : names) table.entries.push_back({module, std::string(n), rva, platform_.routine(n)});
}

bool CodeModel::is_routine_table_pointer(uint32_t rva) const {
  auto it = routine_tables_.find(rva);
  return it != routine_tables_.end() && it->second.form == RoutineTableForm::pointer;
}

std::optional<std::pair<uint32_t, uint32_t>> CodeModel::routine_table_slot(uint32_t rva) const {
  auto it = routine_tables_.upper_bound(rva);
  if (it == routine_tables_.begin()) return std::nullopt;
  --it;
  const uint32_t ps = pointer_size(arch());
  const uint64_t delta = rva - it->first;
  if (it->second.form != RoutineTableForm::in_image || delta % ps || delta / ps >= it->second.entries.size())
    return std::nullopt;
  return std::pair{it->first, static_cast<uint32_t>(delta / ps)};
}

const ImportRef* CodeModel::table_routine(uint32_t table_rva, uint64_t index) const {
  auto it = routine_tables_.find(table_rva);
  if (it == routine_tables_.end() || index >= it->second.entries.size() || it->second.entries[index].name.empty())
    return nullptr;
  return &it->second.entries[index];
}

const ImportRef* CodeModel::thunk_import(uint32_t rva) {
  if (auto it = thunks_.find(rva); it != thunks_.end()) return it->second;
  const ImportRef* result = nullptr;
  Instruction i;
  if (decode_at(rva, i) && i.is_jmp() && i.ops[0].kind == OperandKind::mem && i.ops[0].mem.rva &&
      i.ops[0].mem.index == ZYDIS_REGISTER_NONE)
    result = import_at_iat(*i.ops[0].mem.rva);
  thunks_.emplace(rva, result);
  return result;
}

bool CodeModel::decode_at(uint32_t rva, Instruction& out) const {
  auto bytes = image_.bytes_at_rva(rva, 15);
  if (bytes.empty()) return false;
  return decoder_.decode(bytes, rva, image_.image_base, image_.size_of_image, out);
}

std::optional<std::pair<uint32_t, uint32_t>> CodeModel::pdata_range(uint32_t rva) const {
  auto it = std::upper_bound(pdata_.begin(), pdata_.end(), rva,
                             [](uint32_t r, const pe::RuntimeFunction& f) { return r < f.begin_rva; });
  if (it == pdata_.begin()) return std::nullopt;
  --it;
  if (rva >= it->end_rva) return std::nullopt;
  return std::pair{it->begin_rva, it->end_rva};
}

bool CodeModel::is_chained_pdata(uint32_t begin) const {
  auto it = std::lower_bound(pdata_.begin(), pdata_.end(), begin,
                             [](const pe::RuntimeFunction& f, uint32_t r) { return f.begin_rva < r; });
  if (it == pdata_.end() || it->begin_rva != begin) return false;
  auto flags = read_uint(it->unwind_rva & ~1u, 1);  // UNWIND_INFO: Version:3, Flags:5
  return flags && ((*flags >> 3) & 0x4);            // UNW_FLAG_CHAININFO
}

const Function* CodeModel::function_at(uint32_t rva) {
  if (auto it = functions_.find(rva); it != functions_.end()) return it->second.get();
  if (!is_executable(rva)) return nullptr;
  if (functions_.size() >= limits_.max_functions || total_instructions_ >= limits_.max_total_instructions) {
    if (!budget_noted_) {
      budget_noted_ = true;
      add_note(rva, "code analysis stopped before all functions were analyzed",
               fmt::format("per-image budget reached ({} functions, {} instructions)", functions_.size(),
                           total_instructions_));
    }
    return nullptr;
  }
  auto f = build_function(rva);
  const Function* raw = f.get();
  functions_.emplace(rva, std::move(f));
  return raw;
}

void CodeModel::analyze_all() {
  std::vector<uint32_t> work(known_starts_.rbegin(), known_starts_.rend());
  while (!work.empty()) {
    const uint32_t rva = work.back();
    work.pop_back();
    if (functions_.count(rva)) continue;
    const Function* f = function_at(rva);
    if (!f) {
      if (budget_noted_) return;
      continue;
    }
    for (const auto& c : f->calls)
      if (c.kind == CallKind::direct && c.target && !functions_.count(*c.target)) work.push_back(*c.target);
  }
}

std::vector<std::pair<uint32_t, uint32_t>> CodeModel::call_graph() const {
  std::vector<std::pair<uint32_t, uint32_t>> edges;
  for (const auto& [entry, f] : functions_)
    for (const auto& c : f->calls)
      if (c.kind == CallKind::direct && c.target) edges.emplace_back(entry, *c.target);
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  return edges;
}

// Recognizes the jump-table idioms the compilers emit before an indirect jmp and records the
// table with its case targets (which become new leaders).
//   x86:            jmp [table + idx*4]                 (absolute entries, relocated)
//   x64 gcc/clang:  lea rB,[rip+table]; movsxd rE,[rB+idx*4]; add rE,rB; jmp rE   (table-relative)
//   x64 MSVC:       lea rB,[__ImageBase]; mov eE,[rB+idx*4+table]; add rE,rB; jmp rE (RVA entries)
// with an optional byte map in front (movzx idx,byte [map + idx2]) and a bounds check
// (cmp idx, N; ja default) a few instructions earlier.
void CodeModel::find_jump_table(Function& f, const std::vector<uint32_t>& run_start, uint32_t j) {
  const std::vector<Instruction>& insns = f.instructions;
  const Instruction& jmp = insns[j];
  const uint32_t first = run_start[j];
  const uint32_t lookback = j > first + 24 ? j - 24 : first;
  auto find_def = [&](uint32_t before, ZydisRegister reg) -> int {
    for (uint32_t k = before; k-- > lookback;)
      if (defines_register(insns[k], reg)) return static_cast<int>(k);
    return -1;
  };
  // Value of a register defined as an image address by `lea r, [rip+X]` (x64) or `mov r, imm` (x86).
  auto image_address_of = [&](uint32_t before, ZydisRegister reg) -> std::optional<uint32_t> {
    const int d = find_def(before, reg);
    if (d < 0) return std::nullopt;
    const Instruction& i = insns[d];
    if (i.mnemonic == ZYDIS_MNEMONIC_LEA && i.ops[1].mem.rva) return i.ops[1].mem.rva;
    if (i.mnemonic == ZYDIS_MNEMONIC_MOV && i.ops[1].kind == OperandKind::imm) return va_to_rva(i.ops[1].imm);
    return std::nullopt;
  };

  enum class EntryForm { absolute_va, relative_to_base };
  EntryForm form;
  uint32_t table = 0, base = 0, entry_size = 4;
  int load = -1;  // instruction reading the table
  ZydisRegister index = ZYDIS_REGISTER_NONE;

  const Operand& target = jmp.ops[0];
  if (target.kind == OperandKind::mem) {
    const MemoryOperand& m = target.mem;
    if (m.index == ZYDIS_REGISTER_NONE || m.base != ZYDIS_REGISTER_NONE) return;
    const uint32_t ps = pointer_size(arch());
    if (m.scale != ps) return;
    auto t = arch() == Arch::x86 ? va_to_rva(static_cast<uint32_t>(m.disp)) : va_to_rva(static_cast<uint64_t>(m.disp));
    if (!t) return;
    form = EntryForm::absolute_va;
    table = *t;
    entry_size = ps;
    index = m.index;
    load = static_cast<int>(j);
  } else if (target.kind == OperandKind::reg) {
    const int add = find_def(j, target.reg);
    if (add < 0 || insns[add].mnemonic != ZYDIS_MNEMONIC_ADD || insns[add].ops[1].kind != OperandKind::reg) return;
    const ZydisRegister base_reg = insns[add].ops[1].reg;
    auto base_rva = image_address_of(static_cast<uint32_t>(add), base_reg);
    load = find_def(static_cast<uint32_t>(add), target.reg);
    if (!base_rva || load < 0) return;
    const Instruction& l = insns[load];
    if ((l.mnemonic != ZYDIS_MNEMONIC_MOVSXD && l.mnemonic != ZYDIS_MNEMONIC_MOV) || l.ops[1].kind != OperandKind::mem)
      return;
    const MemoryOperand& m = l.ops[1].mem;
    if (m.scale != 4 || m.index == ZYDIS_REGISTER_NONE || m.base == ZYDIS_REGISTER_NONE) return;
    auto table_base = image_address_of(static_cast<uint32_t>(load), m.base);  // the base register may be reused
    if (!table_base) return;
    form = EntryForm::relative_to_base;
    table = static_cast<uint32_t>(*table_base + m.disp);
    base = *base_rva;
    index = m.index;
  } else {
    return;
  }

  // Byte map (two-level table) and register copies between the bounds check and the load.
  std::optional<uint32_t> byte_map;
  uint32_t scan = static_cast<uint32_t>(load);
  ZydisRegister idx = index;
  for (int step = 0; step < 4; ++step) {
    const int d = find_def(scan, idx);
    if (d < 0) break;
    const Instruction& i = insns[d];
    if (i.mnemonic == ZYDIS_MNEMONIC_MOVZX && i.ops[1].kind == OperandKind::mem && i.ops[1].size == 1 && !byte_map) {
      const MemoryOperand& m = i.ops[1].mem;
      // [map + idx2] (x86, absolute) or [rB + idx2 + map] with rB the image base / a lea'd address.
      if (m.base == ZYDIS_REGISTER_NONE && m.index != ZYDIS_REGISTER_NONE) {
        byte_map = va_to_rva(static_cast<uint32_t>(m.disp));
        idx = m.index;
      } else if (m.base != ZYDIS_REGISTER_NONE && m.index != ZYDIS_REGISTER_NONE) {
        if (auto b = image_address_of(static_cast<uint32_t>(d), m.base)) {
          byte_map = static_cast<uint32_t>(*b + m.disp);
          idx = m.index;
        } else if (auto b2 = image_address_of(static_cast<uint32_t>(d), m.index)) {
          byte_map = static_cast<uint32_t>(*b2 + m.disp);
          idx = m.base;
        } else {
          return;
        }
      } else if (m.base != ZYDIS_REGISTER_NONE && arch() == Arch::x86) {
        byte_map = va_to_rva(static_cast<uint32_t>(m.disp));
        idx = m.base;
      }
      if (!byte_map) return;
      scan = static_cast<uint32_t>(d);
      continue;
    }
    if ((i.mnemonic == ZYDIS_MNEMONIC_MOV || i.mnemonic == ZYDIS_MNEMONIC_MOVSXD || i.mnemonic == ZYDIS_MNEMONIC_MOVZX) &&
        i.ops[1].kind == OperandKind::reg) {
      idx = i.ops[1].reg;
      scan = static_cast<uint32_t>(d);
      continue;
    }
    break;
  }

  // Bounds check: the nearest `cmp idx, N` followed by ja/jae (jnbe/jnb) before the load.
  std::optional<uint64_t> count;
  uint32_t index_rva = insns[scan].rva;
  ZydisRegister index_reg = idx;
  for (uint32_t k = scan; k-- > lookback;) {
    const Instruction& i = insns[k];
    if (i.mnemonic == ZYDIS_MNEMONIC_CMP && i.ops[0].kind == OperandKind::reg && same_gpr(i.ops[0].reg, idx) &&
        i.ops[1].kind == OperandKind::imm && k + 1 < insns.size()) {
      const Instruction& jcc = insns[k + 1];
      if (jcc.mnemonic == ZYDIS_MNEMONIC_JNBE) count = i.ops[1].imm + 1;
      else if (jcc.mnemonic == ZYDIS_MNEMONIC_JNB) count = i.ops[1].imm;
      if (count) {
        index_rva = i.rva;
        index_reg = i.ops[0].reg;
      }
      break;
    }
    if (defines_register(i, idx)) break;
  }
  const uint32_t max_entries = limits_.max_jump_table_entries;
  if (count && *count > max_entries) {
    f.incomplete = true;
    f.incomplete_reasons.push_back(fmt::format("jump table at 0x{:X} has {} entries (limit {})", jmp.rva, *count, max_entries));
    count = max_entries;
  }

  auto entry_target = [&](uint32_t slot) -> std::optional<uint32_t> {
    const uint32_t at = table + slot * entry_size;
    if (form == EntryForm::absolute_va && !relocations_.empty() && !has_relocation_at(at)) return std::nullopt;
    auto raw = read_uint(at, entry_size);
    if (!raw) return std::nullopt;
    std::optional<uint32_t> t;
    if (form == EntryForm::absolute_va) t = va_to_rva(*raw);
    else {
      const int64_t v = static_cast<int64_t>(base) + static_cast<int32_t>(static_cast<uint32_t>(*raw));
      if (v >= 0 && v < static_cast<int64_t>(image_.size_of_image)) t = static_cast<uint32_t>(v);
    }
    if (t && !is_executable(*t)) t.reset();
    return t;
  };

  JumpTable jt;
  jt.jump_rva = jmp.rva;
  jt.table_rva = table;
  jt.index_rva = index_rva;
  jt.index_reg = index_reg;
  const uint32_t cases = count ? static_cast<uint32_t>(*count) : max_entries;
  for (uint32_t c = 0; c < cases; ++c) {
    uint32_t slot = c;
    if (byte_map) {
      auto b = read_uint(*byte_map + c, 1);
      if (!b) break;
      slot = static_cast<uint32_t>(*b);
    }
    auto t = entry_target(slot);
    if (!t) {
      if (count) {  // a bounded table must be whole: a bad entry means it is not a table
        return;
      }
      break;
    }
    jt.case_targets.push_back(*t);
  }
  if (jt.case_targets.empty()) return;
  if (!count) {
    f.incomplete = true;
    f.incomplete_reasons.push_back(
        fmt::format("jump table at 0x{:X}: no bounds check found, {} entries assumed from the table contents", jmp.rva,
                    jt.case_targets.size()));
  }
  f.jump_tables.push_back(std::move(jt));
}

std::unique_ptr<Function> CodeModel::build_function(uint32_t entry) {
  auto f = std::make_unique<Function>();
  f->entry = entry;
  const auto own_range = pdata_range(entry);
  auto mark = [&](std::string reason) {
    f->incomplete = true;
    if (f->incomplete_reasons.size() < 16) f->incomplete_reasons.push_back(std::move(reason));
  };
  auto is_other_function = [&](uint32_t target) {
    if (target == entry) return false;
    if (own_range && target >= own_range->first && target < own_range->second) return false;
    if (std::binary_search(known_starts_.begin(), known_starts_.end(), target)) return true;
    return functions_.count(target) > 0;
  };

  // Decode into this thread's spare vector (its capacity survives from the last function): growing
  // a fresh vector of ~200-byte instructions one by one cost more than decoding them.
  static thread_local std::vector<Instruction> spare_instructions;
  f->instructions.swap(spare_instructions);
  f->instructions.clear();
  std::vector<Instruction>& insns = f->instructions;
  std::vector<uint32_t> run_start;  // per decoded instruction: index of the first instruction of its linear run
  std::unordered_map<uint32_t, uint32_t> decoded;  // rva -> index in insns
  std::vector<uint32_t> leaders{entry};
  std::vector<uint32_t> work{entry};
  std::vector<uint32_t> pending_indirect;  // indices of indirect jmps
  std::vector<CallSite> calls;
  bool budget_hit = false;

  auto decode_run = [&](uint32_t a) {
    const uint32_t start = static_cast<uint32_t>(insns.size());
    while (true) {
      if (decoded.count(a)) {
        leaders.push_back(a);
        return;
      }
      if (insns.size() >= limits_.max_instructions_per_function || leaders.size() >= limits_.max_blocks_per_function ||
          total_instructions_ >= limits_.max_total_instructions) {
        if (!budget_hit)
          mark(fmt::format("analysis bound reached ({} instructions, {} blocks)", insns.size(), leaders.size()));
        budget_hit = true;
        return;
      }
      if (!is_executable(a)) {
        mark(fmt::format("flow leaves executable code at 0x{:X}", a));
        return;
      }
      Instruction i;
      if (!decode_at(a, i)) {
        mark(fmt::format("undecodable bytes at 0x{:X}", a));
        return;
      }
      decoded.emplace(a, static_cast<uint32_t>(insns.size()));
      insns.push_back(i);
      run_start.push_back(start);
      ++total_instructions_;
      const uint32_t next = i.end();
      if (i.is_conditional_jump()) {
        if (i.branch_target) {
          work.push_back(*i.branch_target);
          leaders.push_back(*i.branch_target);
        }
        leaders.push_back(next);
        a = next;
        continue;
      }
      if (i.is_call()) {
        CallSite c;
        c.rva = i.rva;
        if (i.branch_target) {
          c.target = i.branch_target;
          c.import = thunk_import(*i.branch_target);
          c.kind = c.import ? CallKind::import : CallKind::direct;
        } else if (i.ops[0].kind == OperandKind::mem && i.ops[0].mem.rva && i.ops[0].mem.index == ZYDIS_REGISTER_NONE &&
                   (c.import = import_at_iat(*i.ops[0].mem.rva))) {
          c.kind = CallKind::import;
        }
        calls.push_back(c);
        if (is_noreturn_import(c.import)) return;
        a = next;
        continue;
      }
      if (i.is_jmp()) {
        if (i.branch_target) {
          const uint32_t t = *i.branch_target;
          const ImportRef* imp = thunk_import(t);
          if (imp || is_other_function(t)) {
            CallSite c{i.rva, 0, imp ? CallKind::import : CallKind::direct, t, imp, true};
            calls.push_back(c);
          } else {
            work.push_back(t);
            leaders.push_back(t);
          }
        } else if (i.ops[0].kind == OperandKind::mem && i.ops[0].mem.rva && i.ops[0].mem.index == ZYDIS_REGISTER_NONE &&
                   import_at_iat(*i.ops[0].mem.rva)) {
          calls.push_back({i.rva, 0, CallKind::import, std::nullopt, import_at_iat(*i.ops[0].mem.rva), true});
        } else {
          pending_indirect.push_back(static_cast<uint32_t>(insns.size() - 1));
        }
        return;
      }
      if (i.ends_flow()) return;
      a = next;
    }
  };

  size_t resolved_indirect = 0;
  while (true) {
    while (!work.empty() && !budget_hit) {
      const uint32_t a = work.back();
      work.pop_back();
      if (!decoded.count(a)) decode_run(a);
    }
    if (budget_hit || resolved_indirect == pending_indirect.size()) break;
    for (; resolved_indirect < pending_indirect.size(); ++resolved_indirect) {
      const uint32_t j = pending_indirect[resolved_indirect];
      const size_t before = f->jump_tables.size();
      find_jump_table(*f, run_start, j);
      if (f->jump_tables.size() == before) {
        calls.push_back({insns[j].rva, 0, CallKind::indirect, std::nullopt, nullptr, true});
        continue;
      }
      for (uint32_t t : f->jump_tables.back().case_targets) {
        work.push_back(t);
        leaders.push_back(t);
      }
    }
  }

  // Sort the instructions by address (the indices used above are not needed any more), keep an
  // exact-size copy and hand the big buffer back for the next function.
  std::sort(insns.begin(), insns.end(), [](const Instruction& a, const Instruction& b) { return a.rva < b.rva; });
  {
    std::vector<Instruction> exact(insns.begin(), insns.end());
    insns.swap(exact);
    spare_instructions.swap(exact);
  }
  std::sort(leaders.begin(), leaders.end());
  leaders.erase(std::unique(leaders.begin(), leaders.end()), leaders.end());
  auto is_leader = [&](uint32_t rva) { return std::binary_search(leaders.begin(), leaders.end(), rva); };
  std::vector<uint32_t> noreturn_calls;
  for (const auto& c : calls)
    if (is_noreturn_import(c.import)) noreturn_calls.push_back(c.rva);
  std::sort(noreturn_calls.begin(), noreturn_calls.end());

  // Split into blocks.
  for (uint32_t k = 0; k < insns.size(); ++k) {
    const Instruction& i = insns[k];
    const bool starts = k == 0 || is_leader(i.rva) || insns[k - 1].end() != i.rva || insns[k - 1].ends_flow() ||
                        insns[k - 1].is_conditional_jump() ||
                        std::binary_search(noreturn_calls.begin(), noreturn_calls.end(), insns[k - 1].rva);
    if (starts) f->blocks.push_back({i.rva, i.end(), k, 1, {}, {}});
    else {
      f->blocks.back().end = i.end();
      ++f->blocks.back().count;
    }
  }
  std::sort(calls.begin(), calls.end(), [](const CallSite& a, const CallSite& b) { return a.rva < b.rva; });
  for (auto& c : calls) c.block = static_cast<uint32_t>(std::max(0, f->block_containing(c.rva)));
  f->calls = std::move(calls);
  f->makes_calls = !f->calls.empty();
  for (const Instruction& i : insns) f->written_registers |= registers_written(i);

  // Edges.
  for (uint32_t b = 0; b < f->blocks.size(); ++b) {
    BasicBlock& blk = f->blocks[b];
    const Instruction& last = insns[blk.first + blk.count - 1];
    auto add_edge = [&](uint32_t target_rva) {
      const int t = f->block_at(target_rva);
      if (t >= 0 && std::find(blk.successors.begin(), blk.successors.end(), static_cast<uint32_t>(t)) == blk.successors.end())
        blk.successors.push_back(static_cast<uint32_t>(t));
    };
    if (last.is_jmp()) {
      if (const JumpTable* jt = f->jump_table_at(last.rva))
        for (uint32_t t : jt->case_targets) add_edge(t);
      else if (last.branch_target && !f->call_at(last.rva))
        add_edge(*last.branch_target);
      continue;
    }
    if (last.ends_flow()) continue;
    if (last.is_call()) {
      const CallSite* c = f->call_at(last.rva);
      if (c && is_noreturn_import(c->import)) continue;
    }
    if (last.is_conditional_jump() && last.branch_target) add_edge(*last.branch_target);
    add_edge(last.end());
  }
  for (uint32_t b = 0; b < f->blocks.size(); ++b)
    for (uint32_t s : f->blocks[b].successors) f->blocks[s].predecessors.push_back(b);
  f->entry_block = static_cast<uint32_t>(std::max(0, f->block_at(entry)));
  if (f->blocks.empty()) mark("no decodable instruction at the entry");
  for (const auto& r : f->incomplete_reasons) add_note(entry, fmt::format("function 0x{:X} not fully analyzed", entry), r);
  return f;
}

}  // namespace drvsec::disasm
