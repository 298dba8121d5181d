#include "binary/kernel_platform.h"

#include <stdexcept>

#include "ddi/layouts.h"

namespace drvsec {

namespace {

using disasm::ValueKind;

// What a request-buffer role of the DDI table is to the value tracker.
std::optional<ValueKind> out_value_kind(ddi::Role role) {
  switch (role) {
    case ddi::Role::input_buffer_out: case ddi::Role::output_buffer_out: return ValueKind::system_buffer;
    case ddi::Role::user_input_buffer_out: return ValueKind::type3_input_buffer;
    case ddi::Role::user_output_buffer_out: return ValueKind::user_buffer;
    case ddi::Role::input_length_out: return ValueKind::input_buffer_length;
    case ddi::Role::output_length_out: return ValueKind::output_buffer_length;
    default: return std::nullopt;
  }
}

disasm::Platform build(ddi::Architecture arch) {
  const ddi::Layouts& l = ddi::layouts(arch);
  const uint32_t ps = l.pointer_size;
  constexpr uint32_t kUlong = 4;
  disasm::Platform p;
  p.field_loads = {
      {ValueKind::irp, l.irp.current_stack_location, ps, ValueKind::io_stack_location},
      {ValueKind::irp, l.irp.system_buffer, ps, ValueKind::system_buffer},
      {ValueKind::irp, l.irp.user_buffer, ps, ValueKind::user_buffer},
      {ValueKind::io_stack_location, l.io_stack_location.io_control_code, kUlong, ValueKind::io_control_code},
      {ValueKind::io_stack_location, l.io_stack_location.input_buffer_length, kUlong, ValueKind::input_buffer_length},
      {ValueKind::io_stack_location, l.io_stack_location.output_buffer_length, kUlong, ValueKind::output_buffer_length},
      {ValueKind::io_stack_location, l.io_stack_location.type3_input_buffer, ps, ValueKind::type3_input_buffer},
      {ValueKind::driver_object, l.driver_object.driver_extension, ps, ValueKind::driver_extension},
  };
  for (const ddi::Function& f : ddi::functions()) {
    disasm::RoutineEffect e;
    e.no_return = f.has(ddi::no_return);
    const ddi::Parameter* string = f.parameter(ddi::Role::counted_string);
    const ddi::Parameter* source = f.parameter(ddi::Role::string_source);
    if (string && source)
      e.counted_string = disasm::RoutineEffect::CountedString{
          ddi::argument_slot(f, string->index, arch), ddi::argument_slot(f, source->index, arch),
          l.unicode_string.length, l.unicode_string.maximum_length, l.unicode_string.buffer};
    for (const ddi::Parameter& param : f.parameters)
      if (auto kind = out_value_kind(param.role)) e.out_values.push_back({ddi::argument_slot(f, param.index, arch), *kind});
    if (e.no_return || e.counted_string || !e.out_values.empty()) p.routines.emplace(std::string(f.name), std::move(e));
  }
  return p;
}

}  // namespace

ddi::Architecture ddi_architecture(disasm::Arch arch) {
  return arch == disasm::Arch::x86 ? ddi::Architecture::x86 : ddi::Architecture::x64;
}

const disasm::Platform& kernel_platform(disasm::Arch arch) {
  static const disasm::Platform x64 = build(ddi::Architecture::x64);
  static const disasm::Platform x86 = build(ddi::Architecture::x86);
  return arch == disasm::Arch::x86 ? x86 : x64;
}

const disasm::Platform& kernel_platform(const pe::Image& image) {
  return kernel_platform(image.machine == pe::machine::i386 ? disasm::Arch::x86 : disasm::Arch::x64);
}

std::vector<disasm::Value> callback_arguments(std::string_view callback) {
  using disasm::Value;
  const ddi::Callback* c = ddi::find_callback(callback);
  if (!c) throw std::logic_error("no prototype for callback " + std::string(callback));
  std::vector<Value> args(c->arity, Value::unknown());
  for (const ddi::Parameter& p : c->parameters) {
    switch (p.role) {
      case ddi::Role::driver_object: args[p.index] = Value::of(ValueKind::driver_object); break;
      case ddi::Role::device_object: args[p.index] = Value::of(ValueKind::device_object); break;
      case ddi::Role::irp: args[p.index] = Value::of(ValueKind::irp); break;
      case ddi::Role::output_buffer_length: args[p.index] = Value::of(ValueKind::output_buffer_length); break;
      case ddi::Role::input_buffer_length: args[p.index] = Value::of(ValueKind::input_buffer_length); break;
      case ddi::Role::io_control_code: args[p.index] = Value::of(ValueKind::io_control_code); break;
      default: break;
    }
  }
  return args;
}

}  // namespace drvsec
