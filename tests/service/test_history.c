/* test_history.c: hotfix change detection, scan records, retention and damaged databases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <windows.h>

#include <sqlite3.h>

#include "history.h"
#include "kbs_err.h"

#define T_DB KBS_TEST_TMP "/test_history.db"

typedef struct t_diff {
    char z[512];
} t_diff_t;

static int t_on_diff(void *pArg, const char *zKb, int added)
{
    t_diff_t *d = pArg;
    size_t n = strlen(d->z);
    snprintf(d->z + n, sizeof(d->z) - n, "%c%s ", added ? '+' : '-', zKb);
    return 0;
}

static void test_diff(void **state)
{
    const char *azOld[] = {"KB1", "KB2", "KB4"};
    const char *azNew[] = {"KB2", "KB3", "KB4", "KB5"};
    t_diff_t d = {{0}};
    (void)state;
    assert_int_equal(hist_diff(azOld, 3, azNew, 4, t_on_diff, &d), 0);
    assert_string_equal(d.z, "-KB1 +KB3 +KB5 ");
    d.z[0] = 0;
    assert_int_equal(hist_diff(NULL, 0, azNew, 2, t_on_diff, &d), 0);
    assert_string_equal(d.z, "+KB2 +KB3 ");
    d.z[0] = 0;
    assert_int_equal(hist_diff(azOld, 3, NULL, 0, t_on_diff, &d), 0);
    assert_string_equal(d.z, "-KB1 -KB2 -KB4 ");
    d.z[0] = 0;
    assert_int_equal(hist_diff(azOld, 3, azOld, 3, t_on_diff, &d), 0);
    assert_string_equal(d.z, "");
}

static void test_sort_unique(void **state)
{
    const char *az[] = {"KB9", "KB1", "KB9", "KB1", "KB5"};
    (void)state;
    assert_int_equal(hist_sort_unique(az, 5), 3);
    assert_string_equal(az[0], "KB1");
    assert_string_equal(az[1], "KB5");
    assert_string_equal(az[2], "KB9");
    assert_int_equal(hist_sort_unique(az, 0), 0);
}

static hist_scan_t t_scan(int64_t t, int complete)
{
    hist_scan_t s;
    memset(&s, 0, sizeof(s));
    s.time = t;
    s.ms = 100;
    s.nSource = 5;
    s.nSourceOk = complete ? 5 : 4;
    s.complete = complete;
    s.zResult = complete ? "ok" : "partial";
    return s;
}

static void test_record_changes(void **state)
{
    hist_t h;
    hist_change_t c;
    hist_stats_t st;
    hist_scan_t s;
    char zErr[256];
    const char *az1[] = {"KB4012212", "KB958644", "KB4012212"};
    const char *az2[] = {"KB958644", "KB4012215"};
    const char *az3[] = {"KB4012215"};
    (void)state;
    remove(T_DB);
    assert_int_equal(hist_open(&h, T_DB, zErr, sizeof(zErr)), KBS_OK);

    s = t_scan(1000, 1);
    assert_int_equal(hist_record(&h, &s, az1, 3, &c, zErr, sizeof(zErr)), KBS_OK);
    assert_int_equal(c.baseline, 1); /* the first scan lists what is there, not changes */
    assert_int_equal(c.nAdded, 0);
    assert_int_equal(c.nRemoved, 0);

    s = t_scan(2000, 1);
    assert_int_equal(hist_record(&h, &s, az2, 2, &c, zErr, sizeof(zErr)), KBS_OK);
    assert_int_equal(c.baseline, 0);
    assert_int_equal(c.nAdded, 1);
    assert_int_equal(c.nRemoved, 1);
    assert_string_equal(c.zSummary, "-KB4012212 +KB4012215");

    /* An incomplete list (a source failed) proves no removal. */
    s = t_scan(3000, 0);
    assert_int_equal(hist_record(&h, &s, az3, 1, &c, zErr, sizeof(zErr)), KBS_OK);
    assert_int_equal(c.nAdded, 0);
    assert_int_equal(c.nRemoved, 0);

    assert_int_equal(hist_stats(&h, &st), KBS_OK);
    assert_int_equal(st.nScan, 3);
    assert_int_equal(st.nHotfix, 2);
    assert_int_equal(st.nAdded, 1);
    assert_int_equal(st.nRemoved, 1);
    hist_close(&h);

    /* Reopened: the same state (it was committed). */
    assert_int_equal(hist_open(&h, T_DB, zErr, sizeof(zErr)), KBS_OK);
    s = t_scan(4000, 1);
    assert_int_equal(hist_record(&h, &s, az3, 1, &c, zErr, sizeof(zErr)), KBS_OK);
    assert_int_equal(c.nRemoved, 1);
    assert_string_equal(c.zSummary, "-KB958644");
    hist_close(&h);
    remove(T_DB);
}

static void test_retention(void **state)
{
    hist_t h;
    hist_stats_t st;
    hist_scan_t s;
    char zErr[256], zA[32], zB[32];
    int i;
    (void)state;
    remove(T_DB);
    assert_int_equal(hist_open(&h, T_DB, zErr, sizeof(zErr)), KBS_OK);
    for (i = 0; i < HIST_KEEP_SCANS + 50; i++) {
        /* each scan swaps one KB: two change rows per scan */
        const char *az[1];
        snprintf(zA, sizeof(zA), "KB%d", 100000 + i);
        az[0] = zA;
        s = t_scan(i, 1);
        assert_int_equal(hist_record(&h, &s, az, 1, NULL, zErr, sizeof(zErr)), KBS_OK);
    }
    (void)zB;
    assert_int_equal(hist_stats(&h, &st), KBS_OK);
    assert_true(st.nScan <= HIST_KEEP_SCANS + 1);
    assert_true(st.nScan >= HIST_KEEP_SCANS);
    assert_int_equal(st.nHotfix, 1);
    assert_true(st.nChange <= HIST_KEEP_CHANGES + 1);
    hist_close(&h);
    remove(T_DB);
}

static void test_damaged_file(void **state)
{
    hist_t h;
    hist_scan_t s;
    char zErr[256];
    FILE *f;
    const char *az[] = {"KB1"};
    (void)state;
    remove(T_DB);
    remove(T_DB ".corrupt");
    f = fopen(T_DB, "wb");
    assert_non_null(f);
    fputs("this is not a database, just garbage that a crash could leave\n", f);
    for (int i = 0; i < 200; i++) fputs("garbage garbage garbage\n", f);
    fclose(f);
    assert_int_equal(hist_open(&h, T_DB, zErr, sizeof(zErr)), KBS_OK);
    assert_non_null(strstr(zErr, "moved to"));
    s = t_scan(1, 1);
    assert_int_equal(hist_record(&h, &s, az, 1, NULL, zErr, sizeof(zErr)), KBS_OK);
    hist_close(&h);
    f = fopen(T_DB ".corrupt", "rb");
    assert_non_null(f);
    fclose(f);
    remove(T_DB);
    remove(T_DB ".corrupt");
}

/* A database SQLite opens and reads without an error but whose quick_check reports damage: the
 * freelist trunk pointer in the header (offset 32) names a page past the end of the file. In a
 * folder with a non-ASCII name (Czech XP: "Data aplikac\u00ed"), so the move aside must use the
 * wide-character calls. */
#define T_CZ_DIR KBS_TEST_TMP "/Data aplikac\xc3\xad"
#define T_CZ_DB T_CZ_DIR "/history.db"

static void t_wide(const char *z, wchar_t *zW)
{
    int i;
    assert_true(MultiByteToWideChar(CP_UTF8, 0, z, -1, zW, MAX_PATH) > 0);
    for (i = 0; zW[i]; i++)
        if (zW[i] == L'/') zW[i] = L'\\';
}

static void t_freelist_damage(const char *zPath)
{
    sqlite3 *db = NULL;
    wchar_t zW[MAX_PATH];
    HANDLE hf;
    unsigned char b[4] = {0x00, 0x7F, 0xFF, 0xF0};
    DWORD n = 0;

    assert_int_equal(sqlite3_open(zPath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TABLE junk(b);"
                                  "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c"
                                  " WHERE i<40) INSERT INTO junk SELECT zeroblob(3000) FROM c;"
                                  "DELETE FROM junk;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    t_wide(zPath, zW);
    hf = CreateFileW(zW, GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    assert_true(hf != INVALID_HANDLE_VALUE);
    assert_int_equal(SetFilePointer(hf, 32, NULL, FILE_BEGIN), 32);
    assert_true(WriteFile(hf, b, 4, &n, NULL) && n == 4);
    CloseHandle(hf);
}

static void test_quick_check_damage_wide_path(void **state)
{
    hist_t h;
    hist_scan_t s;
    char zErr[600];
    wchar_t zDir[MAX_PATH], zDb[MAX_PATH], zAside[MAX_PATH];
    const char *az[] = {"KB1"};
    (void)state;
    t_wide(T_CZ_DIR, zDir);
    t_wide(T_CZ_DB, zDb);
    t_wide(T_CZ_DB ".corrupt", zAside);
    DeleteFileW(zDb);
    DeleteFileW(zAside);
    CreateDirectoryW(zDir, NULL);
    /* A good history first, then the damage. */
    assert_int_equal(hist_open(&h, T_CZ_DB, zErr, sizeof(zErr)), KBS_OK);
    hist_close(&h);
    t_freelist_damage(T_CZ_DB);

    assert_int_equal(hist_open(&h, T_CZ_DB, zErr, sizeof(zErr)), KBS_OK);
    assert_non_null(strstr(zErr, "damaged database moved to"));
    s = t_scan(1, 1);
    assert_int_equal(hist_record(&h, &s, az, 1, NULL, zErr, sizeof(zErr)), KBS_OK);
    hist_close(&h);
    assert_true(GetFileAttributesW(zAside) != INVALID_FILE_ATTRIBUTES);
    /* The next start finds a sound database: no second move. */
    assert_int_equal(hist_open(&h, T_CZ_DB, zErr, sizeof(zErr)), KBS_OK);
    assert_string_equal(zErr, "");
    hist_close(&h);
    DeleteFileW(zDb);
    DeleteFileW(zAside);
    RemoveDirectoryW(zDir);
}

static void test_not_open(void **state)
{
    hist_t h;
    hist_scan_t s = t_scan(1, 1);
    char zErr[256];
    (void)state;
    memset(&h, 0, sizeof(h));
    assert_int_equal(hist_record(&h, &s, NULL, 0, NULL, zErr, sizeof(zErr)), KBS_EDB);
    assert_int_equal(hist_open(&h, "Z:/no/such/dir/at/all/h.db", zErr, sizeof(zErr)), KBS_EDB);
    assert_true(zErr[0] != 0);
    hist_close(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diff),          cmocka_unit_test(test_sort_unique),
        cmocka_unit_test(test_record_changes), cmocka_unit_test(test_retention),
        cmocka_unit_test(test_damaged_file),   cmocka_unit_test(test_not_open),
        cmocka_unit_test(test_quick_check_damage_wide_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
