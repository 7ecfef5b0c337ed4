/* test_prog.c: the progress bar: off when piped, late, bounded redraws, a clean end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "../t_tmpfile.h"
#include "prog.h"

static double t_ms; /* the fake clock the bar reads */

static double t_now(void)
{
    return t_ms;
}

/* What the bar wrote to f since the start of the file, NUL-terminated in z. */
static size_t t_written(FILE *f, char *z, size_t n)
{
    size_t got;
    fflush(f);
    rewind(f);
    got = fread(z, 1, n - 1, f);
    z[got] = 0;
    fseek(f, 0, SEEK_END);
    return got;
}

static size_t t_count(const char *z, char c)
{
    size_t n = 0;
    for (; *z; z++)
        n += *z == c;
    return n;
}

/* A bar writing to a fresh temporary file, on the fake clock at 0; bTerminal: as if the file
 * were a terminal (prog_init itself must have left the bar off: a file is not one). */
static FILE *t_bar(prog_t *p, int bTerminal)
{
    FILE *f = t_tmpfile();
    assert_non_null(f);
    prog_init(p, f, 1, "collect", "files");
    assert_int_equal(p->bOn, 0);
    p->bOn = bTerminal;
    p->fnNow = t_now;
    p->t0 = t_ms = 0;
    return f;
}

/* Piped or redirected (a file is not a terminal): the bar stays off whatever the work takes. */
static void test_not_a_terminal_draws_nothing(void **state)
{
    prog_t p;
    FILE *f = t_bar(&p, 0);
    char z[256];
    (void)state;
    for (t_ms = 0; t_ms < 5000; t_ms += 50)
        prog_show(&p, (size_t)t_ms, 5000);
    prog_end(&p);
    assert_int_equal(t_written(f, z, sizeof z), 0);
    fclose(f);
}

/* On a terminal: nothing in the first second, then "\rcollect [###...] n/N files" at most ten
 * times a second, the final count always, and one newline at the end. */
static void test_terminal_bar(void **state)
{
    prog_t p;
    FILE *f = t_bar(&p, 1);
    static char z[64 * 1024];
    size_t i;
    (void)state;

    for (i = 0; i < 99; i++, t_ms += 10)
        prog_show(&p, i, 1000);
    assert_int_equal(t_written(f, z, sizeof z), 0); /* 0.99 s: quick work shows nothing */

    t_ms = 1000;
    prog_show(&p, 250, 1000);
    t_written(f, z, sizeof z);
    assert_string_equal(z, "\rcollect [##########..............................] 250/1000 files");

    /* One second more, a call every millisecond: about ten redraws, not a thousand. */
    for (i = 0; i < 1000; i++) {
        t_ms += 1;
        prog_show(&p, 250 + i / 2, 1000);
    }
    t_written(f, z, sizeof z);
    assert_in_range(t_count(z, '\r'), 10, 12);

    /* The last file is drawn even within the redraw interval, then the line ends. */
    t_ms += 1;
    prog_show(&p, 1000, 1000);
    prog_end(&p);
    t_written(f, z, sizeof z);
    assert_non_null(
        strstr(z, "\rcollect [########################################] 1000/1000 files\n"));
    assert_int_equal(t_count(z, '\n'), 1);
    assert_int_equal(z[strlen(z) - 1], '\n');
    prog_end(&p); /* a second end adds nothing */
    assert_int_equal(t_count(z, '\n'), 1);
    fclose(f);
}

/* A bar never shown ends without a stray newline; counts past the total are capped. */
static void test_end_without_bar_and_overflow(void **state)
{
    prog_t p;
    FILE *f = t_bar(&p, 1);
    char z[256];
    (void)state;
    prog_show(&p, 3, 10);
    prog_end(&p);
    assert_int_equal(t_written(f, z, sizeof z), 0);
    t_ms = 2000;
    prog_show(&p, 12, 10);
    t_written(f, z, sizeof z);
    assert_string_equal(z, "\rcollect [########################################] 10/10 files");
    prog_show(&p, 5, 0); /* no total: nothing to draw */
    prog_end(&p);
    t_written(f, z, sizeof z);
    assert_int_equal(t_count(z, '\r'), 1);
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_a_terminal_draws_nothing),
        cmocka_unit_test(test_terminal_bar),
        cmocka_unit_test(test_end_without_bar_and_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
