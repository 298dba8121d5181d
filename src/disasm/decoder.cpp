#include <array>
#include <stdexcept>

#include "disasm/instruction.h"

namespace drvsec::disasm {

bool Instruction::is_conditional_jump() const {
  switch (mnemonic) {
    case ZYDIS_MNEMONIC_JB: case ZYDIS_MNEMONIC_JBE: case ZYDIS_MNEMONIC_JCXZ: case ZYDIS_MNEMONIC_JECXZ:
    case ZYDIS_MNEMONIC_JL: case ZYDIS_MNEMONIC_JLE: case ZYDIS_MNEMONIC_JNB: case ZYDIS_MNEMONIC_JNBE:
    case ZYDIS_MNEMONIC_JNL: case ZYDIS_MNEMONIC_JNLE: case ZYDIS_MNEMONIC_JNO: case ZYDIS_MNEMONIC_JNP:
    case ZYDIS_MNEMONIC_JNS: case ZYDIS_MNEMONIC_JNZ: case ZYDIS_MNEMONIC_JO: case ZYDIS_MNEMONIC_JP:
    case ZYDIS_MNEMONIC_JRCXZ: case ZYDIS_MNEMONIC_JS: case ZYDIS_MNEMONIC_JZ: case ZYDIS_MNEMONIC_LOOP:
    case ZYDIS_MNEMONIC_LOOPE: case ZYDIS_MNEMONIC_LOOPNE:
      return true;
    default:
      return false;
  }
}

bool Instruction::ends_flow() const {
  switch (mnemonic) {
    case ZYDIS_MNEMONIC_JMP: case ZYDIS_MNEMONIC_RET: case ZYDIS_MNEMONIC_IRETQ: case ZYDIS_MNEMONIC_IRETD:
    case ZYDIS_MNEMONIC_INT3: case ZYDIS_MNEMONIC_UD2: case ZYDIS_MNEMONIC_HLT:
      return true;
    case ZYDIS_MNEMONIC_INT:  // int 29h is __fastfail
      return operand_count > 0 && ops[0].kind == OperandKind::imm && ops[0].imm == 0x29;
    default:
      return false;
  }
}

Decoder::Decoder(Arch arch) : arch_(arch) {
  const bool ok = arch == Arch::x64
                      ? ZYAN_SUCCESS(ZydisDecoderInit(&decoder_, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64))
                      : ZYAN_SUCCESS(ZydisDecoderInit(&decoder_, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32));
  if (!ok) throw std::runtime_error("Zydis decoder initialization failed");
}

namespace {

std::optional<uint32_t> image_rva(int64_t rva, uint32_t image_size) {
  if (rva < 0 || rva >= static_cast<int64_t>(image_size)) return std::nullopt;
  return static_cast<uint32_t>(rva);
}

}  // namespace

bool Decoder::decode(std::span<const uint8_t> bytes, uint32_t rva, uint64_t image_base, uint32_t image_size,
                     Instruction& out) const {
  ZydisDecoderContext context;
  ZydisDecodedInstruction insn;
  if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&decoder_, &context, bytes.data(), bytes.size(), &insn)))
    return false;
  ZydisDecodedOperand operands[3];
  const uint8_t count = insn.operand_count_visible < 3 ? insn.operand_count_visible : 3;
  if (count && !ZYAN_SUCCESS(ZydisDecoderDecodeOperands(&decoder_, &context, &insn, operands, count))) return false;

  out = Instruction{};
  out.rva = rva;
  out.length = insn.length;
  out.mnemonic = insn.mnemonic;
  out.operand_count = count;
  out.has_rep = (insn.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE | ZYDIS_ATTRIB_HAS_REPNE)) != 0;
  const int64_t next = static_cast<int64_t>(rva) + insn.length;
  if (count) out.writes_first_operand = (operands[0].actions & ZYDIS_OPERAND_ACTION_MASK_WRITE) != 0;
  for (uint8_t i = 0; i < count; ++i) {
    const ZydisDecodedOperand& z = operands[i];
    Operand& o = out.ops[i];
    o.size = static_cast<uint8_t>(z.size / 8);
    switch (z.type) {
      case ZYDIS_OPERAND_TYPE_REGISTER:
        o.kind = OperandKind::reg;
        o.reg = z.reg.value;
        break;
      case ZYDIS_OPERAND_TYPE_IMMEDIATE:
        o.kind = OperandKind::imm;
        if (z.imm.is_relative) {
          out.branch_target = image_rva(next + z.imm.value.s, image_size);
          o.imm = static_cast<uint64_t>(next + z.imm.value.s);
        } else {
          o.imm = z.imm.is_signed ? static_cast<uint64_t>(z.imm.value.s) : z.imm.value.u;
        }
        break;
      case ZYDIS_OPERAND_TYPE_MEMORY: {
        o.kind = OperandKind::mem;
        if (z.mem.type == ZYDIS_MEMOP_TYPE_AGEN) o.size = 0;
        MemoryOperand& m = o.mem;
        m.segment = z.mem.segment;
        m.scale = z.mem.scale;
        m.disp = z.mem.disp.has_displacement ? z.mem.disp.value : 0;
        if (z.mem.base == ZYDIS_REGISTER_RIP || z.mem.base == ZYDIS_REGISTER_EIP) {
          m.rva = image_rva(next + m.disp, image_size);
        } else {
          m.base = z.mem.base;
          m.index = z.mem.index;
          // Absolute addressing (x86 globals, or a VA in a displacement): keep the RVA when it is in
          // the image so that tables and strings can be read.
          if (m.base == ZYDIS_REGISTER_NONE && m.index == ZYDIS_REGISTER_NONE && arch_ == Arch::x86) {
            const uint64_t va = static_cast<uint32_t>(m.disp);
            if (va >= image_base) m.rva = image_rva(static_cast<int64_t>(va - image_base), image_size);
          }
        }
        break;
      }
      default:
        o.kind = OperandKind::none;
        break;
    }
  }
  return true;
}

namespace {

// Register facts the value tracker asks for several times per operand, tabulated once from Zydis.
struct RegisterFacts {
  int8_t gpr = -1;      // gpr_index
  int8_t vector = -1;   // vector_index
  uint8_t bytes = 0;    // register_size
};

int compute_gpr_index(ZydisRegister reg) {
  if (reg == ZYDIS_REGISTER_NONE) return -1;
  const ZydisRegisterClass c = ZydisRegisterGetClass(reg);
  if (c == ZYDIS_REGCLASS_GPR8 || c == ZYDIS_REGCLASS_GPR16 || c == ZYDIS_REGCLASS_GPR32 || c == ZYDIS_REGCLASS_GPR64) {
    const ZydisRegister full = ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, reg);
    const int index = static_cast<int>(full) - static_cast<int>(ZYDIS_REGISTER_RAX);
    return index >= 0 && index < 16 ? index : -1;
  }
  return -1;
}

int compute_vector_index(ZydisRegister reg) {
  switch (ZydisRegisterGetClass(reg)) {
    case ZYDIS_REGCLASS_XMM: return static_cast<int>(reg) - static_cast<int>(ZYDIS_REGISTER_XMM0);
    case ZYDIS_REGCLASS_YMM: return static_cast<int>(reg) - static_cast<int>(ZYDIS_REGISTER_YMM0);
    case ZYDIS_REGCLASS_ZMM: return static_cast<int>(reg) - static_cast<int>(ZYDIS_REGISTER_ZMM0);
    default: return -1;
  }
}

const RegisterFacts& facts(ZydisRegister reg) {
  static const auto table = [] {
    std::array<RegisterFacts, ZYDIS_REGISTER_MAX_VALUE + 1> t{};
    for (int r = 0; r <= ZYDIS_REGISTER_MAX_VALUE; ++r) {
      const auto z = static_cast<ZydisRegister>(r);
      t[r] = {static_cast<int8_t>(compute_gpr_index(z)), static_cast<int8_t>(compute_vector_index(z)),
              static_cast<uint8_t>(ZydisRegisterGetWidth(ZYDIS_MACHINE_MODE_LONG_64, z) / 8)};
    }
    return t;
  }();
  static const RegisterFacts kNone{};
  const auto r = static_cast<int>(reg);
  return r >= 0 && r <= ZYDIS_REGISTER_MAX_VALUE ? table[static_cast<size_t>(r)] : kNone;
}

}  // namespace

int gpr_index(ZydisRegister reg) { return facts(reg).gpr; }

bool is_high_byte_register(ZydisRegister reg) {
  return reg == ZYDIS_REGISTER_AH || reg == ZYDIS_REGISTER_BH || reg == ZYDIS_REGISTER_CH || reg == ZYDIS_REGISTER_DH;
}

uint32_t register_size(ZydisRegister reg) { return facts(reg).bytes; }

int vector_index(ZydisRegister reg) {
  return facts(reg).vector;
}

}  // namespace drvsec::disasm
