// The control for upward_include.cpp: the same layer, a header of its own and one below. It must build.
#include "model/driver_model.h"
#include "pe/parser.h"
int main() { return 0; }
