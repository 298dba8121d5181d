// `drvsec sddl STRING`: explain a security descriptor string (or an SDDL_DEVOBJ_* name), the
// effective rights of each kind of caller, the lowest-privileged one that can open for read, write
// and all access, and the risks. Exit 0 when the string parses, 2 ("column N: ...") when it does not.
#pragma once

#include <ostream>
#include <string>

namespace drvsec {

struct SddlCommand {
  std::string text;              // SDDL, or the name of an SDDL_DEVOBJ_* constant
  std::string format = "text";   // text, json
  std::string context;           // any, device, inf; empty: device for SDDL_DEVOBJ_* names, else any
};
int run_sddl(const SddlCommand& command, std::ostream& out, std::ostream& err);

}  // namespace drvsec
