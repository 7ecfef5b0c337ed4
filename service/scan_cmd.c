/* scan_cmd.c: the `scan` command: runs scan_run once and prints a summary, the snapshot text,
 * or writes <HOST>.kbs into a directory (the offline audit from a USB stick: earlier audits of
 * the machine are kept under dated names, and the verdicts of the built-in catalog printed). */
#include "scan_cmd.h"

#include <fcntl.h>
#include <io.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "cat.h"
#include "kbs_err.h"
#include "os.h"
#include "scan.h"
#include "verdict.h"
#include "win_api.h"
#include "win_out.h"

void scan_file_name(const char *zHost, char *z, size_t n)
{
    size_t i, o = 0;

    if (n < 5) {
        if (n) z[0] = 0;
        return;
    }
    for (i = 0; zHost[i] && o + 5 < n && o < SNAP_HOST_MAX; i++) {
        unsigned char c = (unsigned char)zHost[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || (c == '.' && o > 0);
        z[o++] = ok ? (char)c : '_';
    }
    z[o] = 0;
    if (!o) snprintf(z, n, "unknown-host");
    strncat(z, ".kbs", n - strlen(z) - 1);
}

static void scan_cmd_warn(const snap_t *s, FILE *err)
{
    size_t i;

    for (i = 0; i < s->nSource; i++)
        if (!s->aSource[i].ok)
            fprintf(err, "kbsentry-svc scan: warning: source %s failed: %s\n", s->aSource[i].zName,
                    s->aSource[i].zError);
    if (!s->hotfixesComplete)
        fprintf(err, "kbsentry-svc scan: warning: hotfix list incomplete: %s\n", s->zHotfixNote);
}

static void scan_cmd_summary(const snap_t *s, DWORD ms, FILE *out)
{
    os_ident_t id;
    size_t i, nOk = 0;
    char zVer[32];

    os_identify(&s->os, &id);
    for (i = 0; i < s->nSource; i++)
        nOk += s->aSource[i].ok != 0;
    fprintf(out, "host:     %s (%s)\n", s->zHost, s->zDomain[0] ? s->zDomain : "no domain");
    fprintf(out, "machine:  %s\n", s->zMachineId[0] ? s->zMachineId : "(no MachineGuid)");
    fprintf(out, "os:       %s, %u.%u.%u.%u, %s\n", id.zName, (unsigned)s->os.major,
            (unsigned)s->os.minor, (unsigned)s->os.build, (unsigned)s->os.ubr,
            s->os.zProductName[0] ? s->os.zProductName : "(no product name)");
    fprintf(out, "hotfixes: %lu%s\n", (unsigned long)s->nHotfix,
            s->hotfixesComplete ? "" : " (incomplete)");
    for (i = 0; i < s->nFile; i++) {
        if (s->aFile[i].present) {
            ver_format(&s->aFile[i].ver, zVer, sizeof(zVer));
            fprintf(out, "file:     %s %s\n", s->aFile[i].zPath, zVer);
        } else {
            fprintf(out, "file:     %s %s\n", s->aFile[i].zPath,
                    s->aFile[i].zError[0] ? s->aFile[i].zError : "absent");
        }
    }
    fprintf(out, "sources:  %lu of %lu worked\n", (unsigned long)nOk, (unsigned long)s->nSource);
    fprintf(out, "scan:     %lu ms\n", (unsigned long)ms);
}

/* DIR (UTF-8) + "\" + name as a wide path; makes DIR when missing. */
static int scan_cmd_path(const char *zDir, const char *zName, wchar_t *zPath, size_t nPath,
                         FILE *err)
{
    wchar_t zDirW[MAX_PATH], zNameW[SNAP_HOST_MAX + 8];
    size_t len;
    DWORD attr;

    if (!MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, zDir, -1, zDirW, MAX_PATH) ||
        !MultiByteToWideChar(CP_UTF8, 0, zName, -1, zNameW, SNAP_HOST_MAX + 8) || !zDirW[0]) {
        fprintf(err, "kbsentry-svc scan: --out '%s': not a usable directory name\n", zDir);
        return KBS_EINVAL;
    }
    len = wcslen(zDirW);
    while (len > 1 && (zDirW[len - 1] == L'\\' || zDirW[len - 1] == L'/') && zDirW[len - 2] != L':')
        zDirW[--len] = 0;
    attr = GetFileAttributesW(zDirW);
    if (attr == INVALID_FILE_ATTRIBUTES && !CreateDirectoryW(zDirW, NULL)) {
        fprintf(err, "kbsentry-svc scan: --out '%s': cannot create the directory (error %lu)\n",
                zDir, (unsigned long)GetLastError());
        return KBS_EIO;
    }
    if (attr != INVALID_FILE_ATTRIBUTES && !(attr & FILE_ATTRIBUTE_DIRECTORY)) {
        fprintf(err, "kbsentry-svc scan: --out '%s': not a directory\n", zDir);
        return KBS_EINVAL;
    }
    if (len + 1 + wcslen(zNameW) >= nPath || len + 1 + wcslen(zNameW) >= MAX_PATH) {
        fprintf(err, "kbsentry-svc scan: --out '%s': path too long\n", zDir);
        return KBS_EINVAL;
    }
    _snwprintf(zPath, nPath, L"%ls%ls%ls", zDirW,
               zDirW[len - 1] == L'\\' || zDirW[len - 1] == L'/' ? L"" : L"\\", zNameW);
    zPath[nPath - 1] = 0;
    return KBS_OK;
}

/* The largest earlier audit kept: 20,000 hotfixes (SNAP_HOTFIX_MAX) of a real snapshot are 2 MB. */
#define SCAN_CMD_KEEP_MAX (16 << 20)

/* The bytes of zPath (malloc'd, NUL-terminated; *pn without the NUL), or NULL when it cannot be
 * read or exceeds SCAN_CMD_KEEP_MAX. */
static char *scan_cmd_read(const wchar_t *zPath, size_t *pn)
{
    HANDLE h =
        CreateFileW(zPath, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                    NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    LARGE_INTEGER size;
    DWORD nRead = 0;
    char *p = NULL;

    if (h == INVALID_HANDLE_VALUE) return NULL;
    if (!GetFileSizeEx(h, &size) || size.QuadPart < 0 || size.QuadPart > SCAN_CMD_KEEP_MAX)
        goto out;
    if (!(p = malloc((size_t)size.QuadPart + 1))) goto out;
    if (!ReadFile(h, p, (DWORD)size.QuadPart, &nRead, NULL) || nRead != (DWORD)size.QuadPart) {
        free(p);
        p = NULL;
        goto out;
    }
    p[nRead] = 0;
    *pn = nRead;
out:
    CloseHandle(h);
    return p;
}

/* An earlier audit in zPath (DIR\<HOST>.kbs) is kept as DIR\<HOST>-YYYYMMDD-HHMMSS.kbs, dated by
 * its own scan time (UTC; the file's time when it does not parse), "-2", "-3"... when that name is
 * taken. It is copied, not renamed, so a reader (a collector, the agent sharing the directory)
 * always finds a whole <HOST>.kbs. Returns KBS_OK (also when there was nothing to keep). */
static int scan_cmd_keep(const wchar_t *zPath, const char *zNew, size_t nNew, FILE *out, FILE *err)
{
    wchar_t zKeep[MAX_PATH];
    char *pOld = NULL, zErr[SNAP_ERR_MAX], zKeep8[MAX_PATH * 3];
    size_t nOld = 0, nStem = wcslen(zPath) - 4; /* without ".kbs" */
    snap_t old;
    snap_err_t e;
    SYSTEMTIME st;
    FILETIME ft;
    WIN32_FILE_ATTRIBUTE_DATA fa;
    int rc = KBS_OK, i;

    if (!(pOld = scan_cmd_read(zPath, &nOld))) {
        if (GetFileAttributesW(zPath) == INVALID_FILE_ATTRIBUTES) return KBS_OK; /* first audit */
        winapi_utf8(zPath, (size_t)-1, zKeep8, sizeof(zKeep8));
        fprintf(err,
                "kbsentry-svc scan: %s exists but cannot be read (or is over 16 MiB) to keep it "
                "as an earlier audit; nothing was written\n",
                zKeep8);
        return KBS_EIO;
    }
    if (nOld == nNew && !memcmp(pOld, zNew, nNew)) goto out; /* the same scan: nothing to keep */
    if (snap_parse(pOld, nOld, &old, &e) == KBS_OK && old.scanTime > 0) {
        /* Unix seconds -> FILETIME (100 ns since 1601). */
        ULONGLONG t = (ULONGLONG)old.scanTime * 10000000ull + 116444736000000000ull;
        ft.dwLowDateTime = (DWORD)t;
        ft.dwHighDateTime = (DWORD)(t >> 32);
    } else if (GetFileAttributesExW(zPath, GetFileExInfoStandard, &fa)) {
        ft = fa.ftLastWriteTime;
    } else {
        GetSystemTimeAsFileTime(&ft);
    }
    snap_release(&old);
    FileTimeToSystemTime(&ft, &st);
    for (i = 1; i < 1000; i++) {
        wchar_t zSuffix[8] = L"";
        if (i > 1) _snwprintf(zSuffix, 8, L"-%d", i);
        zSuffix[7] = 0;
        if (_snwprintf(zKeep, MAX_PATH, L"%.*ls-%04u%02u%02u-%02u%02u%02u%ls.kbs", (int)nStem,
                       zPath, st.wYear, st.wMonth, st.wDay, st.wHour, st.wMinute, st.wSecond,
                       zSuffix) < 0) {
            fprintf(err, "kbsentry-svc scan: no room under MAX_PATH for a dated name of the "
                         "earlier audit\n");
            rc = KBS_ETOOBIG;
            goto out;
        }
        if (GetFileAttributesW(zKeep) == INVALID_FILE_ATTRIBUTES) break;
    }
    if ((rc = out_write_file(zKeep, pOld, nOld, zErr, sizeof(zErr))) != KBS_OK) {
        fprintf(err, "kbsentry-svc scan: cannot keep the earlier audit: %s\n", zErr);
        goto out;
    }
    winapi_utf8(zKeep, (size_t)-1, zKeep8, sizeof(zKeep8));
    fprintf(out, "kept the earlier audit as %s\n", zKeep8);
out:
    free(pOld);
    return rc;
}

/* The verdicts of the built-in catalog for s, one line per rule that is not "not affected" (those
 * are named on one line). Returns 0 when every verdict counts as compliant under fOpt
 * (VERDICT_ACCEPT_UNKNOWN, VERDICT_STRICT: as the console's `check`), 1 when one does not, 2 when
 * the catalog does not load. */
static int scan_cmd_verdicts(const snap_t *s, unsigned fOpt, FILE *out, FILE *err)
{
    cat_t c;
    verdict_t *av = NULL;
    int n, i, ret = 0, nNa = 0;

    if (cat_load_default(&c) != KBS_OK) {
        fprintf(err, "kbsentry-svc scan: the built-in catalog does not load; no verdicts\n");
        return 2;
    }
    if (!(av = calloc(c.nRule ? c.nRule : 1, sizeof(*av))) ||
        (n = verdict_eval(&c, s, av, c.nRule)) < 0) {
        fprintf(err, "kbsentry-svc scan: out of memory for the verdicts\n");
        ret = 2;
        goto out;
    }
    fprintf(out, "verdicts (built-in catalog, %d rules):\n", n);
    for (i = 0; i < n; i++) {
        if (!verdict_compliant(av[i].status, fOpt)) ret = 1;
        if (av[i].status == VERDICT_NOT_AFFECTED) {
            nNa++;
            continue;
        }
        fprintf(out, "  %-14s %-12s %s%s%s\n", av[i].rule->zId, verdict_status_name(av[i].status),
                av[i].zEvidence, av[i].zAction[0] ? "; action: " : "", av[i].zAction);
    }
    if (nNa) {
        fprintf(out, "  not affected (%d):", nNa);
        for (i = 0; i < n; i++)
            if (av[i].status == VERDICT_NOT_AFFECTED) fprintf(out, " %s", av[i].rule->zId);
        fputc('\n', out);
    }
    fprintf(out, "%s\n",
            ret ? "NOT COMPLIANT: a verdict is missing, unpatchable, unknown (without "
                  "--accept-unknown) or mitigated (with --strict)"
                : "COMPLIANT: every verdict counts as compliant");
out:
    free(av);
    cat_release(&c);
    return ret;
}

int scan_cmd(int argc, char **argv, FILE *out, FILE *err)
{
    snap_t s;
    const char *zDir = NULL;
    int toStdout = 0, rc, ret = 2, mode;
    unsigned fOpt = 0;
    char *zText = NULL, zName[SNAP_HOST_MAX + 8], zErr[SNAP_ERR_MAX], zPath8[MAX_PATH * 3];
    size_t nText = 0;
    wchar_t zPath[MAX_PATH];
    DWORD t0, ms;

    snap_init(&s);
    if (argc == 3 && !strcmp(argv[2], "--stdout")) {
        toStdout = 1;
    } else if (argc >= 4 && !strcmp(argv[2], "--out")) {
        int i;
        zDir = argv[3];
        /* The console's check options: how unknown and mitigated verdicts count. */
        for (i = 4; i < argc; i++) {
            if (!strcmp(argv[i], "--accept-unknown")) {
                fOpt |= VERDICT_ACCEPT_UNKNOWN;
            } else if (!strcmp(argv[i], "--strict")) {
                fOpt |= VERDICT_STRICT;
            } else {
                fprintf(err, "kbsentry-svc scan: unknown option '%s' (see 'kbsentry-svc help')\n",
                        argv[i]);
                return 2;
            }
        }
    } else if (argc != 2) {
        fprintf(err, "kbsentry-svc scan: expected: scan [--out DIR [--strict] [--accept-unknown] "
                     "| --stdout] (see 'kbsentry-svc help')\n");
        return 2;
    }
    t0 = GetTickCount();
    rc = scan_run(NULL, &s);
    ms = GetTickCount() - t0;
    if (rc != KBS_OK) {
        fprintf(err, "kbsentry-svc scan: the scan failed: %s\n", kbs_strerror(rc));
        goto out;
    }
    scan_cmd_warn(&s, err);
    if (!toStdout && !zDir) {
        scan_cmd_summary(&s, ms, out);
        ret = 0;
        goto out;
    }
    rc = snap_write(&s, &zText, &nText);
    if (rc != KBS_OK) {
        fprintf(err, "kbsentry-svc scan: cannot write the snapshot: %s\n", kbs_strerror(rc));
        goto out;
    }
    if (toStdout) {
        /* The format is CRLF already: no text-mode translation on top. */
        fflush(out);
        mode = _setmode(_fileno(out), _O_BINARY);
        rc = fwrite(zText, 1, nText, out) == nText && fflush(out) == 0 ? KBS_OK : KBS_EIO;
        if (mode != -1) _setmode(_fileno(out), mode);
        if (rc != KBS_OK) {
            fprintf(err, "kbsentry-svc scan: writing to standard output failed\n");
            goto out;
        }
        ret = 0;
        goto out;
    }
    scan_file_name(s.zHost, zName, sizeof(zName));
    if (scan_cmd_path(zDir, zName, zPath, MAX_PATH, err) != KBS_OK) goto out;
    winapi_utf8(zPath, (size_t)-1, zPath8, sizeof(zPath8));
    /* Nothing is overwritten: when the earlier audit cannot be kept, this one is not written. */
    if (scan_cmd_keep(zPath, zText, nText, out, err) != KBS_OK) goto out;
    rc = out_write_file(zPath, zText, nText, zErr, sizeof(zErr));
    if (rc != KBS_OK) {
        fprintf(err, "kbsentry-svc scan: %s\n", zErr);
        goto out;
    }
    fprintf(out, "wrote %s (%lu hotfixes, %lu files, scan %lu ms)\n", zPath8,
            (unsigned long)s.nHotfix, (unsigned long)s.nFile, (unsigned long)ms);
    ret = scan_cmd_verdicts(&s, fOpt, out, err);
out:
    free(zText);
    snap_release(&s);
    return ret;
}
