/* plat_posix.c: console platform layer for Linux and other POSIX systems. */
#include "plat.h"

void plat_console_init(void)
{
}
