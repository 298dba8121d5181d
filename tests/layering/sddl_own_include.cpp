// The control for sddl_upward_include.cpp: the SDDL library's own header and the model below it. It must build.
#include "model/driver_model.h"
#include "sddl/sddl.h"
int main() { return drvsec::sddl::parse("D:P") ? 0 : 1; }
