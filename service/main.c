/* main.c: kbsentry-svc entry point: wide command line to UTF-8, then svc_cli_main. */
#include <stdio.h>
#include <stdlib.h>
#include <windows.h>

#include "svc_cli.h"

int wmain(int argc, wchar_t **wargv)
{
    char **argv = calloc((size_t)argc + 1, sizeof(char *));
    int i, rc = 2;

    if (!argv) goto out;
    for (i = 0; i < argc; i++) {
        int n = WideCharToMultiByte(CP_UTF8, 0, wargv[i], -1, NULL, 0, NULL, NULL);
        if (n <= 0 || !(argv[i] = malloc((size_t)n))) goto out;
        WideCharToMultiByte(CP_UTF8, 0, wargv[i], -1, argv[i], n, NULL, NULL);
    }
    rc = svc_cli_main(argc, argv, stdout, stderr);
out:
    if (argv) {
        for (i = 0; i < argc; i++) free(argv[i]);
        free(argv);
    }
    return rc;
}
