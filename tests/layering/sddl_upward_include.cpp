// Compiled against the SDDL library only: it must NOT build, because inf/ is another library of the
// formats level, which the SDDL library does not see.
#include "inf/inf_file.h"
int main() { return 0; }
