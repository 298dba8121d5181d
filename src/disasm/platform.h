// What the code analysis is told about the platform the code runs on. The disassembly layer knows
// no routine names and no structure offsets of its own: its caller describes, as data, the
// structure fields the value tracker follows (a load from an IRP at the current stack location's
// offset gives the IO_STACK_LOCATION) and what some routines do when called (never return,
// initialize a counted string, return values through pointer arguments). drvsec's caller builds
// this from its DDI table (src/binary/kernel_platform.h).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "disasm/values.h"

namespace drvsec::disasm {

// Reading `size` bytes at `offset` from a value of kind `base` gives a value of kind `result`.
struct FieldLoad {
  ValueKind base = ValueKind::unknown;
  int64_t offset = 0;
  uint32_t size = 0;
  ValueKind result = ValueKind::unknown;
};

// What a call of a routine does, beyond what every call does (volatile registers clobbered, the
// result in rax/eax). Arguments are pointer-sized argument slots (State::call_argument).
struct RoutineEffect {
  bool no_return = false;  // the block ends at the call
  // The routine fills the counted UTF-16 string argument `string_slot` points to from the
  // NUL-terminated string argument `source_slot` points to: Length (2 bytes: the string's bytes
  // without the NUL), MaximumLength (2 bytes: with it) and Buffer (pointer-sized: the source),
  // at the given offsets.
  struct CountedString {
    uint32_t string_slot = 0, source_slot = 0;
    int64_t length = 0, maximum_length = 0, buffer = 0;
  };
  std::optional<CountedString> counted_string;
  // After the call, the pointer-sized variable argument `slot` points to holds a value of `kind`.
  struct OutValue {
    uint32_t slot = 0;
    ValueKind kind = ValueKind::unknown;
  };
  std::vector<OutValue> out_values;  // stored in this order
};

struct Platform {
  std::vector<FieldLoad> field_loads;
  // By routine name, whatever module it comes from (imports, and loader-filled routine tables).
  std::map<std::string, RoutineEffect, std::less<>> routines;

  // The effect of calling `name`, nullptr when it has none.
  const RoutineEffect* routine(std::string_view name) const {
    auto it = routines.find(name);
    return it != routines.end() ? &it->second : nullptr;
  }
  // The value a load from `address` gives by the field loads, nullopt when none applies.
  std::optional<Value> field(const Value& address, uint32_t size) const {
    for (const FieldLoad& f : field_loads)
      if (address.kind == f.base && address.offset == f.offset && size == f.size) return Value::of(f.result);
    return std::nullopt;
  }
};

}  // namespace drvsec::disasm
