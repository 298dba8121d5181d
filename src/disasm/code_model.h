// Code model of one PE image: functions, basic blocks, intra-procedural control flow (jump tables
// included) and call sites, with calls through the import address table resolved to the imported
// routine.
//
// Functions are analyzed on demand (function_at) and cached, so a client that only walks from the
// entry point pays only for the code it reaches; analyze_all() builds the whole call graph.
// Every analysis is bounded (CodeLimits). When a bound is hit, or code cannot be followed (an
// indirect jump that is not a recognized jump table, bytes that do not decode), the function is
// marked and a CodeNote says what and why, so recovery can report it instead of guessing.
// What the platform's routines do (which never return, ...) comes from the caller (Platform).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "disasm/instruction.h"
#include "pe/image.h"

namespace drvsec::disasm {

struct Platform;
struct RoutineEffect;

struct CodeLimits {
  uint32_t max_instructions_per_function = 20'000;
  uint32_t max_blocks_per_function = 4'000;
  uint32_t max_functions = 20'000;                  // analyzed per image
  uint32_t max_total_instructions = 1'500'000;      // decoded per image
  uint32_t max_jump_table_entries = 1'024;
};

// A routine imported through the IAT.
struct ImportRef {
  std::string module;  // lower-cased ("ntoskrnl.exe")
  std::string name;    // empty when imported by ordinal
  uint32_t iat_rva = 0;
  const RoutineEffect* effect = nullptr;  // what a call of it does (Platform::routine), nullptr: nothing special
};

// A recognized jump table at an indirect jmp.
struct JumpTable {
  uint32_t jump_rva = 0;      // the indirect jmp
  uint32_t table_rva = 0;     // first entry of the (last-level) table
  // The case index: register `index_reg` holds it just before the instruction at `index_rva`
  // (the bounds check when there is one, else the first table load). Case i jumps to
  // case_targets[i] (after the byte map of a two-level table).
  uint32_t index_rva = 0;
  ZydisRegister index_reg = ZYDIS_REGISTER_NONE;
  std::vector<uint32_t> case_targets;
};

struct BasicBlock {
  uint32_t start = 0;                // RVA of the first instruction
  uint32_t end = 0;                  // RVA just past the last instruction
  uint32_t first = 0, count = 0;     // instructions[first, first + count) of the function
  std::vector<uint32_t> successors;  // block indices (jump target(s) and fall-through)
  std::vector<uint32_t> predecessors;
};

enum class CallKind : uint8_t {
  direct,    // call rel32 to code in the image
  import,    // call [IAT slot], or call to a thunk that jumps through the IAT
  indirect,  // call through a register or memory not resolved here (the value tracker may resolve it)
};

struct CallSite {
  uint32_t rva = 0;    // the call (or tail jump) instruction
  uint32_t block = 0;  // index of its block
  CallKind kind = CallKind::indirect;
  std::optional<uint32_t> target;    // direct: callee RVA
  const ImportRef* import = nullptr; // import: the routine
  bool tail_call = false;            // a jmp leaving the function
};

struct Function {
  uint32_t entry = 0;
  std::vector<Instruction> instructions;  // sorted by RVA, each decoded once
  std::vector<BasicBlock> blocks;         // sorted by start; the entry block is blocks[entry_block]
  uint32_t entry_block = 0;
  std::vector<JumpTable> jump_tables;
  std::vector<CallSite> calls;            // sorted by RVA
  // General-purpose registers (bit i = gpr_index i) some instruction writes, and whether the
  // function calls out: a leaf that leaves a volatile register alone preserves it for its caller.
  uint32_t written_registers = 0;
  bool makes_calls = false;
  bool incomplete = false;                // a bound was hit or some flow could not be followed
  std::vector<std::string> incomplete_reasons;

  // Instruction at exactly `rva`, or nullptr.
  const Instruction* instruction_at(uint32_t rva) const;
  // Index of the block starting at `rva`, or -1.
  int block_at(uint32_t rva) const;
  // Index of the block containing `rva`, or -1.
  int block_containing(uint32_t rva) const;
  const JumpTable* jump_table_at(uint32_t jump_rva) const;
  const CallSite* call_at(uint32_t rva) const;
};

// Something the code analysis could not recover, and why.
struct CodeNote {
  uint32_t rva = 0;
  std::string what;  // "function 0x1400 truncated", ...
  std::string why;   // "more than 20000 instructions", ...
};

class CodeModel {
 public:
  // `image` and `platform` must outlive the model. Throws std::invalid_argument for machines
  // other than x86/x64.
  CodeModel(const pe::Image& image, const Platform& platform, const CodeLimits& limits = {});
  CodeModel(const CodeModel&) = delete;
  CodeModel& operator=(const CodeModel&) = delete;

  Arch arch() const { return decoder_.arch(); }
  const pe::Image& image() const { return image_; }
  const Platform& platform() const { return platform_; }
  const CodeLimits& limits() const { return limits_; }

  // The function starting at `rva`, analyzed on first use. nullptr when `rva` is not in an
  // executable section or the per-image budget is exhausted (a note says so).
  const Function* function_at(uint32_t rva);

  // Function starts known without analysis: entry point, .pdata begins, exports (sorted, unique).
  const std::vector<uint32_t>& known_function_starts() const { return known_starts_; }
  // Analyzes every known start and, transitively, every direct call target (within budget).
  void analyze_all();
  // Functions analyzed so far, by entry RVA.
  const std::map<uint32_t, std::unique_ptr<Function>>& functions() const { return functions_; }
  // Direct call graph edges (caller entry -> callee entry) over the analyzed functions, sorted.
  std::vector<std::pair<uint32_t, uint32_t>> call_graph() const;

  // The import whose IAT slot is at `iat_rva`, or nullptr.
  const ImportRef* import_at_iat(uint32_t iat_rva) const;
  // The import a thunk at `rva` (`jmp [IAT slot]`) forwards to, or nullptr.
  const ImportRef* thunk_import(uint32_t rva);

  // A table of routines a loader fills in at run time, which the value tracker resolves calls
  // through like calls through the IAT (entry i is routine names[i] of `module`). Two forms:
  //  - pointer: the variable at `rva` receives the table's address (KMDF 1.15+: WdfVersionBind
  //    stores the WDF function table into the driver's WdfFunctions_<version> global);
  //  - in image: the table itself is at `rva` and the loader copies the routines into it
  //    (KMDF up to 1.13: the WdfFunctions array).
  enum class RoutineTableForm : uint8_t { pointer, in_image };
  void add_routine_table(uint32_t rva, RoutineTableForm form, std::string module, const std::vector<std::string_view>& names);
  // The pointer-form table whose pointer variable is at `rva`.
  bool is_routine_table_pointer(uint32_t rva) const;
  // An in-image table slot at `rva`: (table RVA, index).
  std::optional<std::pair<uint32_t, uint32_t>> routine_table_slot(uint32_t rva) const;
  // Entry `index` of the table registered at `table_rva`, or nullptr.
  const ImportRef* table_routine(uint32_t table_rva, uint64_t index) const;

  // Readers over the mapped image (nullopt/empty when out of bounds).
  std::optional<uint64_t> read_uint(uint32_t rva, uint32_t size) const;
  // NUL-terminated UTF-16LE (converted to UTF-8, non-ASCII as '?') or ANSI string of printable
  // characters at `rva`, at most `max_chars` long; nullopt when none is there.
  std::optional<std::string> utf16_at(uint32_t rva, uint32_t max_chars = 512) const;
  std::optional<std::string> ansi_at(uint32_t rva, uint32_t max_chars = 512) const;
  // RVA for a pointer-sized value read from the image (a VA), when it points into the image.
  std::optional<uint32_t> va_to_rva(uint64_t va) const;
  bool is_executable(uint32_t rva) const;
  // True when a base relocation covers `rva` (x86 absolute jump-table entries are relocated).
  bool has_relocation_at(uint32_t rva) const;
  // True when a base relocation lies in [begin, end), or the image has no relocations at all.
  bool may_be_relocated(uint32_t begin, uint32_t end) const;

  const std::vector<CodeNote>& notes() const { return notes_; }
  void add_note(uint32_t rva, std::string what, std::string why);
  uint64_t total_instructions() const { return total_instructions_; }

 private:
  std::unique_ptr<Function> build_function(uint32_t entry);
  bool decode_at(uint32_t rva, Instruction& out) const;
  void find_jump_table(Function& f, const std::vector<uint32_t>& block_of, uint32_t jmp_index);
  std::optional<std::pair<uint32_t, uint32_t>> pdata_range(uint32_t rva) const;
  bool is_chained_pdata(uint32_t begin) const;

  const pe::Image& image_;
  const Platform& platform_;
  CodeLimits limits_;
  Decoder decoder_;
  std::unordered_map<uint32_t, ImportRef> imports_;  // by IAT slot RVA
  std::vector<uint32_t> known_starts_;
  std::vector<pe::RuntimeFunction> pdata_;            // sorted by begin
  std::vector<uint32_t> relocations_;                 // sorted RVAs
  std::map<uint32_t, std::unique_ptr<Function>> functions_;
  struct RoutineTable {
    RoutineTableForm form = RoutineTableForm::pointer;
    std::vector<ImportRef> entries;
  };
  std::map<uint32_t, RoutineTable> routine_tables_;  // by RVA (pointer variable or table)
  std::unordered_map<uint32_t, const ImportRef*> thunks_;  // memo: thunk RVA -> import (nullptr: not a thunk)
  std::vector<CodeNote> notes_;
  uint64_t total_instructions_ = 0;
  bool budget_noted_ = false;
};

}  // namespace drvsec::disasm
