/* plat_win.c: console platform layer for Windows (XP and later). */
#include "plat.h"

#include <stdlib.h>
#include <windows.h>

void plat_console_init(void)
{
    /* Our output is UTF-8; a console shows it right when its code page is UTF-8. */
    SetConsoleOutputCP(CP_UTF8);
}

char **plat_utf8_argv(int argc, wchar_t **wargv)
{
    char **argv = calloc((size_t)argc + 1, sizeof(char *));
    int i;
    if (!argv) return NULL;
    for (i = 0; i < argc; i++) {
        int n = WideCharToMultiByte(CP_UTF8, 0, wargv[i], -1, NULL, 0, NULL, NULL);
        if (n <= 0 || !(argv[i] = malloc((size_t)n))) goto fail;
        WideCharToMultiByte(CP_UTF8, 0, wargv[i], -1, argv[i], n, NULL, NULL);
    }
    return argv;
fail:
    plat_free_argv(argc, argv);
    return NULL;
}

void plat_free_argv(int argc, char **argv)
{
    int i;
    if (!argv) return;
    for (i = 0; i < argc; i++) free(argv[i]);
    free(argv);
}
