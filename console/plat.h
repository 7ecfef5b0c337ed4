/* plat.h: the few OS-specific services the console needs (plat_win.c / plat_posix.c). */
#ifndef KBS_PLAT_H
#define KBS_PLAT_H

#include <stddef.h>
#include <wchar.h>

/* plat_console_init: makes stdout/stderr carry UTF-8 (Windows) ; no-op elsewhere. */
void plat_console_init(void);

#ifdef _WIN32
/* plat_utf8_argv: a malloc'd UTF-8 copy of the wide argv; free with plat_free_argv. */
char **plat_utf8_argv(int argc, wchar_t **wargv);
void plat_free_argv(int argc, char **argv);
#endif

#endif
