#include "analysis/device_security.h"

#include "model/ioctl_code.h"
#include "sddl/evaluate.h"

namespace drvsec {

namespace {

constexpr uint32_t kFileDeviceSecureOpen = 0x100;
constexpr uint32_t kFileReadAccess = 1, kFileWriteAccess = 2;

CallerRef ref(const sddl::Principal& p) { return {std::string(p.id), std::string(p.name), p.broad}; }
std::optional<CallerRef> ref(const sddl::Principal* p) {
  if (!p) return std::nullopt;
  return ref(*p);
}

std::string_view required_words(uint32_t access) {
  switch (access) {
    case kFileReadAccess: return "read";
    case kFileWriteAccess: return "write";
    case kFileReadAccess | kFileWriteAccess: return "read and write";
    default: return "any access";
  }
}

// Whether rights granted at open let the handle send an IOCTL that requires `access`: the I/O manager
// compares the code's RequiredAccess bits with the handle's FILE_READ_DATA / FILE_WRITE_DATA; a
// FILE_ANY_ACCESS code needs only a handle, taken here as being granted some right at all.
bool can_send(uint32_t granted, uint32_t access) {
  if (granted == 0) return false;
  if ((access & kFileReadAccess) && !sddl::can_read(granted)) return false;
  if ((access & kFileWriteAccess) && !sddl::can_write(granted)) return false;
  return true;
}

}  // namespace

void synthesize_device_security(DriverModel& model) {
  const bool has_interface = !model.interfaces.empty();
  for (Device& d : model.devices) {
    DeviceSecurity s;
    s.source = d.sddl ? "code" : "default";
    s.sddl = d.sddl ? *d.sddl : std::string(kDefaultDeviceSddl);
    // A named device can be opened by its NT name (\\.\GLOBALROOT\Device\...), a link or not; an
    // unnamed one only through a registered device interface.
    s.user_reachable = !d.name.empty() || has_interface;
    if (d.characteristics) s.secure_open = (*d.characteristics & kFileDeviceSecureOpen) != 0;
    const sddl::ParseResult parsed = sddl::parse(s.sddl);
    if (!parsed) {
      s.parsed = false;
      d.security = std::move(s);
      continue;
    }
    const sddl::Evaluation ev = sddl::evaluate(*parsed.descriptor);
    for (const sddl::PrincipalAccess& pa : ev.access)  // most privileged first: the last match is the lowest
      if (pa.granted_at_most != 0) s.lowest_open = ref(*pa.principal);
    s.lowest_read = ref(ev.lowest_read);
    s.lowest_write = ref(ev.lowest_write);
    s.lowest_all = ref(ev.lowest_all);
    for (const Ioctl& io : model.ioctls) {
      IoctlCallers c;
      c.code = io.code;
      c.ioctl_id = io.id;
      const uint32_t access = decode_ioctl(io.code).access;
      c.required = required_words(access);
      for (const sddl::PrincipalAccess& pa : ev.access)
        if (can_send(pa.granted_at_most, access)) c.lowest = ref(*pa.principal);
      s.ioctls.push_back(std::move(c));
    }
    d.security = std::move(s);
  }
}

}  // namespace drvsec
