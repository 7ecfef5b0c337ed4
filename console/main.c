/* main.c: kbsentry entry point; on Windows the wide command line is turned into UTF-8. */
#include <stdio.h>

#include "cli.h"
#include "db.h"
#include "plat.h"

#ifdef _WIN32
int wmain(int argc, wchar_t **wargv)
{
    char **argv = plat_utf8_argv(argc, wargv);
    int rc;
    if (!argv) {
        fputs("kbsentry: out of memory\n", stderr);
        return 2;
    }
    plat_console_init();
    db_global_init();
    rc = cli_main(argc, argv, stdout, stderr);
    plat_free_argv(argc, argv);
    return rc;
}
#else
int main(int argc, char **argv)
{
    plat_console_init();
    db_global_init();
    return cli_main(argc, argv, stdout, stderr);
}
#endif
