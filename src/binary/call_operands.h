// Reading call arguments from the value tracker's state, shared by the call-site analyses
// (primitives, memory-integrity calls).
#pragma once

#include "disasm/values.h"

namespace drvsec {

// Argument `n` (0-based, pointer-sized slots) at a call, or at a tail jump to the callee (where
// the return address is still on the stack).
inline disasm::Value call_argument_at(const disasm::State& st, const disasm::Instruction& insn, uint32_t n) {
  using disasm::Arch;
  const uint32_t ps = disasm::pointer_size(st.arch());
  if (insn.is_call() || (st.arch() == Arch::x64 && n < 4)) return st.call_argument(n);
  disasm::Value at = st.stack_pointer();
  if (!at.exactly(disasm::ValueKind::stack_address)) return disasm::Value::unknown();
  at.offset += ps + ps * n;
  return st.memory(at, 0);
}

// The pointer-sized value an argument points to: a local or global the code filled in, or the
// caller's own data when the pointer is into a request buffer.
inline disasm::Value pointed_value(const disasm::State& st, const disasm::Value& pointer) {
  using disasm::ValueKind;
  const uint32_t ps = disasm::pointer_size(st.arch());
  if (pointer.exactly(ValueKind::stack_address) || pointer.exactly(ValueKind::image_address)) return st.memory(pointer, ps);
  switch (pointer.kind) {
    case ValueKind::system_buffer: case ValueKind::type3_input_buffer: case ValueKind::user_buffer:
      return disasm::Value::of(ValueKind::user_data);
    default:
      return disasm::Value::unknown(pointer.user_controlled);
  }
}

}  // namespace drvsec
