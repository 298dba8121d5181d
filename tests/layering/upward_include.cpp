// Compiled against the formats layer only: it must NOT build, because binary/ is a layer above.
#include "binary/recover.h"
int main() { return 0; }
