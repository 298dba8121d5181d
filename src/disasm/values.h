// Value tracking inside one function: a small abstract interpretation over the general-purpose
// registers, stack slots, a few global slots and vector registers.
//
// Each register or memory slot holds a Value: unknown, a constant, an address (in the image or on
// the stack), an incoming argument, the result of a call, or a field reached from the I/O
// manager's structures (DRIVER_OBJECT, IRP, IO_STACK_LOCATION). Their offsets, and what some
// routines do when called, are data from the caller (disasm/platform.h, CodeModel::platform()):
// with drvsec's kernel platform a load from [Irp + 0xB8] on x64 gives io_stack_location, a 32-bit
// load from [IoStack + 0x18] gives io_control_code, and so on, so a client asks "is this compare
// on the IOCTL code?" or "is this call argument a caller-supplied buffer?" directly.
//
// `offset` is added to the kind's base: image_address 0x3000 + 8, io_control_code - 0x222000
// after a `sub eax, 222000h`, stack_address -0x28 (relative to the stack pointer at entry).
// Values read from a caller-supplied buffer, buffer lengths and the IOCTL code carry
// `user_controlled`, which survives arithmetic (the result may be unknown but still controlled).
//
// Merging at control-flow joins keeps what all predecessors agree on (unknown otherwise, with
// `user_controlled` if any predecessor had it). The fixed point is bounded: each block is
// re-visited at most ValueLimits::max_visits_per_block times.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "disasm/code_model.h"

namespace drvsec::disasm {

enum class ValueKind : uint8_t {
  unknown,
  constant,        // offset = the value (as uint64_t)
  image_address,   // offset = RVA
  stack_address,   // offset = displacement from the stack pointer at function entry
  argument,        // id = parameter index (0-based), offset added
  call_result,     // id = RVA of the call that returned it
  import_address,  // id = IAT slot RVA (the value loaded from an IAT slot: an imported routine)
  routine_table,   // id = RVA of a loader-filled table pointer (CodeModel::add_routine_table): its loaded value
  table_routine,   // id = the table's RVA (pointer or in-image form), offset = entry index: a routine loaded from it
  // Reached from the I/O manager's structures:
  driver_object, driver_extension, device_object,
  irp, io_stack_location,
  io_control_code,          // IoStack->Parameters.DeviceIoControl.IoControlCode (+ offset)
  // Bits of the IOCTL code alone: ((IoControlCode >> offset) & id), e.g. the function number
  // (code >> 2) & 0xFFF. Additions keep it (a switch subtracts its lowest case); id = the mask.
  io_control_code_part,
  input_buffer_length, output_buffer_length,
  system_buffer,            // Irp->AssociatedIrp.SystemBuffer
  type3_input_buffer,       // IoStack->Parameters.DeviceIoControl.Type3InputBuffer
  user_buffer,              // Irp->UserBuffer
  user_data,                // a value loaded from one of the three buffers above
};
std::string_view to_string(ValueKind k);

struct Value {
  ValueKind kind = ValueKind::unknown;
  bool user_controlled = false;
  // The offset is only a lower bound: a loop advanced a pointer by unknown steps (the join of
  // the same base with different offsets). E.g. a loop filling DriverObject->MajorFunction[].
  bool ranged = false;
  uint32_t id = 0;
  int64_t offset = 0;

  static Value unknown(bool controlled = false) { return {ValueKind::unknown, controlled, false, 0, 0}; }
  static Value constant(uint64_t v) { return {ValueKind::constant, false, false, 0, static_cast<int64_t>(v)}; }
  // Exactly a base of kind `k` plus `offset` (not ranged).
  bool exactly(ValueKind k) const { return kind == k && !ranged; }
  static Value of(ValueKind k, int64_t offset = 0, uint32_t id = 0);

  bool known() const { return kind != ValueKind::unknown; }
  bool is(ValueKind k) const { return kind == k; }
  std::optional<uint64_t> as_constant() const {
    return kind == ValueKind::constant ? std::optional(static_cast<uint64_t>(offset)) : std::nullopt;
  }
  bool operator==(const Value&) const = default;
};

// Flags of the last flag-setting instruction that compared something: `cmp a, b`, `test a, a`
// (b = 0), `sub/add/dec/inc/and a, ...` (a = the result, b = 0). A conditional jump tests
// lhs against rhs.
struct Comparison {
  bool valid = false;
  bool is_test = false;  // test/and: bits, not an ordering
  uint32_t rva = 0;
  Value lhs, rhs;
  bool operator==(const Comparison&) const = default;
};

struct ValueLimits {
  uint32_t max_stack_slots = 256;
  uint32_t max_visits_per_block = 4;
};

// Abstract machine state at one program point.
class State {
 public:
  State() = default;
  State(Arch arch, std::span<const Value> arguments);

  Arch arch() const { return arch_; }
  // Value of a register read with its own width (eax of a 64-bit constant is truncated, etc.).
  Value reg(ZydisRegister r) const;
  // Value stored at `address` (`size` bytes) when it is a tracked stack or global slot.
  Value memory(const Value& address, uint32_t size) const;
  // Effective address of a memory operand.
  Value address_of(const MemoryOperand& m) const;
  // Value of operand `i` of `insn` (registers, immediates, loads).
  Value operand(const Instruction& insn, int i) const;
  // At a call instruction (state before the call): the n-th argument.
  // x64: rcx, rdx, r8, r9, then [rsp+8*n]; x86 (stdcall/cdecl): [esp+4*n].
  Value call_argument(uint32_t n) const;
  const Comparison& comparison() const { return cmp_; }
  struct Vector;
  // Tracked content of a vector register (xmm/ymm/zmm).
  const Vector& vector(ZydisRegister r) const;
  // `size` bytes at byte `at` of vector register `r` (unknown when not tracked).
  Value vector_part(ZydisRegister r, uint32_t at, uint32_t size) const;
  // Stack pointer (normally a stack_address).
  Value stack_pointer() const { return regs_[4]; }

  // --- used by the interpreter ---
  void set_reg(ZydisRegister r, const Value& v);
  void store(const Value& address, uint32_t size, const Value& v);
  bool join(const State& other);  // returns true when this state changed
  bool operator==(const State&) const = default;

  struct Slot {
    bool global = false;  // image address (else stack)
    int64_t offset = 0;
    uint32_t size = 0;
    Value value;
    bool operator==(const Slot&) const = default;
  };
  // Vector registers: lanes of known values (the low 16 bytes; `broadcast` repeats them above),
  // or 16 bytes copied from the image.
  struct Vector {
    enum class Kind : uint8_t { unknown, lanes, image_bytes } kind = Kind::unknown;
    uint8_t lane_size = 8;             // lanes: 4 or 8 bytes
    bool broadcast = false;            // lanes: every lane repeats lane[0] (ymm/zmm too)
    std::array<Value, 4> lane{};       // lanes: 16 / lane_size of them are used
    uint32_t rva = 0;                  // image_bytes: where they came from
    bool operator==(const Vector&) const = default;
  };
  // The tracked vector registers 0..15, sparse: most code never has one, and a State is copied at
  // every block, so an array of sixteen would be copied (and compared) for nothing.
  class VectorRegisters {
   public:
    const Vector& get(int idx) const;
    Vector& at(int idx);  // inserts an unknown one when untracked
    void clear() { known_.clear(); }
    // Keeps the registers both sides agree on; true when this changed.
    bool join(const VectorRegisters& other);
    bool operator==(const VectorRegisters& other) const;

   private:
    std::vector<std::pair<int, Vector>> known_;  // sorted by register
  };

 private:
  friend class ValueAnalysis;
  Arch arch_ = Arch::x64;
  std::array<Value, 16> regs_{};
  VectorRegisters vectors_;
  std::vector<Slot> slots_;  // sorted by (global, offset)
  Comparison cmp_;
  int32_t pushed_since_call_ = 0;  // x86: bytes pushed since the last call (stdcall cleanup guess)
  bool in_prologue_ = true;        // only pushes (saving registers) and `mov ebp, esp` so far
  const CodeModel* code_ = nullptr;
  uint32_t max_slots_ = 256;
};

// Runs the interpretation over a function and lets clients replay it instruction by instruction.
class ValueAnalysis {
 public:
  // `arguments[i]` is the value of parameter i at entry (missing ones: argument(i)).
  // `registers` sets further registers at entry (x86 fastcall/regparm callees get eax/ecx/edx).
  ValueAnalysis(CodeModel& code, const Function& function, std::span<const Value> arguments,
                std::span<const std::pair<ZydisRegister, Value>> registers = {}, const ValueLimits& limits = {});

  // Visits every instruction of every reachable block in address order with the state just before it.
  void for_each(const std::function<void(const Instruction&, const State&)>& visit) const;
  // State at the entry of block `b` (default state when unreachable).
  const State& block_entry(uint32_t b) const { return entry_[b]; }
  bool reachable(uint32_t b) const { return reached_[b]; }
  // State just before the instruction at `rva` (replays its block); nullopt when not in the function.
  std::optional<State> state_before(uint32_t rva) const;
  const Function& function() const { return function_; }
  // The import a call at `rva` reaches (direct, thunk, IAT slot, or a register loaded from the IAT).
  const ImportRef* import_called(const Instruction& call, const State& before) const;

  // Applies one instruction to `s`. `following`: the rest of its block (x86 call clean-up look-ahead).
  void step(State& s, const Instruction& insn, std::span<const Instruction> following) const;

 private:
  // Return value of a small leaf callee given the caller's state at the call (e.g. an
  // IoGetCurrentIrpStackLocation that a debug build did not inline), when it is known.
  std::optional<Value> leaf_return_value(const Function& callee, const State& before) const;
  static constexpr size_t kMaxLeafSummaryInstructions = 64;
  mutable std::unordered_map<std::string, std::optional<Value>> leaf_cache_;

  CodeModel& code_;
  const Function& function_;
  std::optional<uint32_t> guard_dispatch_slot_;  // x64 CFG: __guard_dispatch_icall_fptr (calls the routine in rax)
  std::vector<State> entry_;
  std::vector<bool> reached_;
};

}  // namespace drvsec::disasm
