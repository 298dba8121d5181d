// Decoded x86/x64 instructions in a compact, allocation-free form (a thin adapter over Zydis 4).
//
// Only what the analyses need is kept: mnemonic, up to three visible operands, the length and,
// for relative branches and RIP-relative memory operands, the target as an image RVA. Registers
// stay Zydis registers; gpr_index() maps any general-purpose register (al, ax, eax, rax, r8d, ...)
// to its 64-bit family 0..15 (rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15).
#pragma once

#include <Zydis/Zydis.h>

#include <cstdint>
#include <optional>
#include <span>

namespace drvsec::disasm {

enum class Arch : uint8_t { x86, x64 };

// Pointer size in bytes for the architecture.
constexpr uint32_t pointer_size(Arch a) { return a == Arch::x64 ? 8 : 4; }

enum class OperandKind : uint8_t { none, reg, imm, mem };

struct MemoryOperand {
  ZydisRegister base = ZYDIS_REGISTER_NONE;   // ZYDIS_REGISTER_RIP is folded into `rva` below
  ZydisRegister index = ZYDIS_REGISTER_NONE;
  ZydisRegister segment = ZYDIS_REGISTER_NONE;
  uint8_t scale = 0;
  int64_t disp = 0;
  // RIP-relative (x64) or absolute displacement with no base/index (x86) that falls inside the
  // image: the RVA it addresses. Then base/index are NONE.
  std::optional<uint32_t> rva;
};

struct Operand {
  OperandKind kind = OperandKind::none;
  uint8_t size = 0;  // bytes accessed (0 when unknown, e.g. lea's memory operand)
  ZydisRegister reg = ZYDIS_REGISTER_NONE;
  uint64_t imm = 0;  // sign-extended to 64 bits for signed immediates
  MemoryOperand mem;
};

struct Instruction {
  uint32_t rva = 0;
  uint8_t length = 0;
  ZydisMnemonic mnemonic = ZYDIS_MNEMONIC_INVALID;
  uint8_t operand_count = 0;  // visible operands in ops[]
  Operand ops[3];
  // Relative call/jump (E8/E9/EB/Jcc/loop): its target RVA (nullopt when outside the image).
  std::optional<uint32_t> branch_target;
  bool has_rep = false;
  bool writes_first_operand = false;  // ops[0] is (also) written

  uint32_t end() const { return rva + length; }
  bool is_call() const { return mnemonic == ZYDIS_MNEMONIC_CALL; }
  bool is_ret() const { return mnemonic == ZYDIS_MNEMONIC_RET || mnemonic == ZYDIS_MNEMONIC_IRETQ || mnemonic == ZYDIS_MNEMONIC_IRETD; }
  bool is_jmp() const { return mnemonic == ZYDIS_MNEMONIC_JMP; }
  // Conditional branch: Jcc, JrCXZ, LOOP*.
  bool is_conditional_jump() const;
  // Ends a basic block with no fall-through: jmp, ret, int3, ud2, hlt.
  bool ends_flow() const;
};

// Wraps one initialized Zydis decoder for an architecture.
class Decoder {
 public:
  explicit Decoder(Arch arch);
  Arch arch() const { return arch_; }
  // Decodes one instruction at `rva` from `bytes` (the bytes starting at rva). image_base and
  // image_size convert absolute x86 displacements and RIP-relative operands into RVAs.
  // Returns false on a decoding error (the caller ends the block there).
  bool decode(std::span<const uint8_t> bytes, uint32_t rva, uint64_t image_base, uint32_t image_size,
              Instruction& out) const;

 private:
  Arch arch_;
  ZydisDecoder decoder_{};
};

// 0..15 for a general-purpose register of any width (ah/bh/ch/dh included), -1 otherwise.
int gpr_index(ZydisRegister reg);
// True for ah, bh, ch, dh (writes to them change bits 8..15 only).
bool is_high_byte_register(ZydisRegister reg);
// Width of a register in bytes (8 for rax, 4 for eax, 16 for xmm0, ...).
uint32_t register_size(ZydisRegister reg);
// 0..31 for xmm/ymm/zmm registers, -1 otherwise.
int vector_index(ZydisRegister reg);
// Bit mask (bit = gpr_index) of the general-purpose registers the instruction writes, implicit
// writes included (mul/div, cpuid, rdmsr, string instructions, ...).
uint32_t registers_written(const Instruction& i);

}  // namespace drvsec::disasm
