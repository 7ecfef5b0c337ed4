/* snap.h: the snapshot of one machine (format v1): in-memory form, writer and strict parser. */
#ifndef KBS_SNAP_H
#define KBS_SNAP_H

#include <stddef.h>
#include <stdint.h>

#include "kb.h"
#include "os.h"
#include "ver.h"

#define SNAP_FMT_MAJOR 1
#define SNAP_FMT_MINOR 1      /* 1.1 added fact records; a file without them is written as 1.0 */

#define SNAP_HOST_MAX 256      /* NetBIOS is 15, DNS names up to 255 */
#define SNAP_ID_MAX 80         /* MachineGuid (38) or machine SID (<= 68) */
#define SNAP_RAW_MAX 64        /* hotfix id as the source spelt it */
#define SNAP_PATH_MAX 260      /* MAX_PATH */
#define SNAP_ERR_MAX 256
#define SNAP_LINE_MAX 1024     /* no line of a v1 file may be longer */
#define SNAP_HOTFIX_MAX 20000  /* more is not a real machine */
#define SNAP_FILE_MAX 128     /* 13 built-in proof files and up to 64 from the ProofFiles policy */
#define SNAP_SOURCE_MAX 16
#define SNAP_EXTRA_MAX 64
#define SNAP_FACT_MAX 128     /* the built-in facts and up to 64 from the ProofValues policy */
#define SNAP_FACT_NAME_MAX 96  /* bytes of a fact name, with its NUL (= PROOF_NAME_MAX) */
#define SNAP_FACT_VALUE_MAX 64 /* bytes of a fact value, with its NUL */

/* Where a hotfix was seen; a merged entry carries several bits. */
enum snap_src {
    SNAP_SRC_QFE = 1u << 0,      /* WMI Win32_QuickFixEngineering / wmic qfe / Get-HotFix */
    SNAP_SRC_UPDATES = 1u << 1,  /* HKLM\SOFTWARE\Microsoft\Updates\<product>\<SP>\<KB> (XP/2003) */
    SNAP_SRC_HOTFIX = 1u << 2,   /* HKLM\...\Windows NT\CurrentVersion\HotFix\<KB> (XP/2003) */
    SNAP_SRC_CBS = 1u << 3,      /* Component Based Servicing package (Vista+) */
    SNAP_SRC_SYSTEMINFO = 1u << 4, /* the hotfix list of `systeminfo` output */
};

#define SNAP_CBS_INSTALLED 112   /* CBS CurrentState of an installed package */

typedef struct snap_hotfix {
    kb_id_t kb;                  /* kb.num == 0 when zRaw is not a KB id */
    char zRaw[SNAP_RAW_MAX];     /* as read, e.g. "KB2510531-IE8", "Q958644", "File 1" */
    unsigned sources;            /* enum snap_src bits */
    char zInstalled[24];         /* ISO 8601 date or date-time, "" if unknown */
    int cbsState;                /* CBS CurrentState, -1 when not from CBS */
} snap_hotfix_t;

typedef struct snap_file {
    char zPath[SNAP_PATH_MAX];   /* "%SystemRoot%\System32\drivers\srv.sys" */
    int present;                 /* 0: absent (or unreadable: see zError) */
    ver_t ver;                   /* file version from the version resource, when present */
    char zError[SNAP_ERR_MAX];   /* "" or why the version could not be read */
} snap_file_t;

/* One configuration fact the agent read (format 1.1): a registry value, a service start type, a
 * key's presence, an optional feature's state. zValue is "" exactly when the fact is unknown, and
 * then zError says why ("REG_SZ, expected REG_DWORD", "service not installed"). Names and values
 * are [A-Za-z0-9._-] (docs/snapshot-format.md lists the names the agent writes). */
typedef struct snap_fact {
    char zName[SNAP_FACT_NAME_MAX];   /* "LanmanServer.SMB1" */
    char zValue[SNAP_FACT_VALUE_MAX]; /* "0", "absent", "disabled"; "" unknown */
    char zError[SNAP_ERR_MAX];
} snap_fact_t;

/* One inventory source (e.g. "wmi-os", "wmi-qfe", "reg-updates", "reg-hotfix", "reg-cbs",
 * "reg-os", "files") and whether it worked. */
typedef struct snap_source {
    char zName[32];
    int ok;                      /* 1 worked, 0 failed */
    char zError[SNAP_ERR_MAX];   /* "" when ok, else e.g. "WMI ExecQuery: 0x80041003 timeout" */
} snap_source_t;

typedef struct snap {
    unsigned fmtMajor, fmtMinor;         /* of the file it was read from; writer uses ours */
    char zOrigin[24];                    /* "agent", "systeminfo", "qfe-csv", "get-hotfix-csv" */
    char zHost[SNAP_HOST_MAX];           /* computer name (NetBIOS), as reported */
    char zDomain[SNAP_HOST_MAX];         /* domain or workgroup */
    char zMachineId[SNAP_ID_MAX];        /* MachineGuid or machine SID; "" if unknown */
    char zAgentVersion[32];
    int64_t scanTime;                    /* Unix seconds, UTC; 0 unknown */
    os_info_t os;
    int osKnown;                         /* 0: no OS facts at all (e.g. a QFE CSV alone) */

    /* Hotfix list completeness: a list cut short (systeminfo prints "263 Hotfix(es)" and lists
     * fewer) must lead to "unknown", never to a false "missing". */
    int hotfixesComplete;                /* 1 the list is complete, 0 it is not */
    char zHotfixNote[SNAP_ERR_MAX];      /* why incomplete; "" when complete */
    uint32_t nHotfixCounted;             /* hotfixes the source counts (systeminfo's "263
                                          * Hotfix(es)"), 0 when it does not say; not written
                                          * to snapshot files */

    snap_source_t *aSource; size_t nSource;
    snap_hotfix_t *aHotfix; size_t nHotfix;
    snap_file_t *aFile; size_t nFile;
    snap_fact_t *aFact; size_t nFact;    /* format 1.1; agent snapshots only */
    char **azExtra; size_t nExtra;       /* unknown "key=value" lines of a newer minor, kept */
} snap_t;

/* snap_init: an empty snapshot (hotfixesComplete = 1). snap_release frees what it owns and
 * leaves it empty; both accept a zeroed struct. */
void snap_init(snap_t *s);
void snap_release(snap_t *s);

/* snap_add_hotfix: merges zRaw into s->aHotfix: the same normalised KB (or the same raw text
 * when not a KB) keeps one entry whose sources are OR-ed and whose empty fields are filled.
 * zInstalled may be NULL; cbsState -1 when not from CBS. Returns KBS_OK, KBS_ETOOBIG or
 * KBS_ENOMEM. */
int snap_add_hotfix(snap_t *s, const char *zRaw, unsigned sources, const char *zInstalled,
                    int cbsState);

/* snap_add_file / snap_add_source: append one entry (strings copied, truncated to their limits). */
int snap_add_file(snap_t *s, const char *zPath, int present, const ver_t *pVer, const char *zError);
int snap_add_source(snap_t *s, const char *zName, int ok, const char *zError);

/* snap_add_fact: appends one fact: zValue ("" or NULL: unknown) or zError. Returns KBS_OK,
 * KBS_EINVAL (a name or value outside [A-Za-z0-9._-] or too long, a value together with an
 * error, neither of them, or a name already there), KBS_ETOOBIG or KBS_ENOMEM. */
int snap_add_fact(snap_t *s, const char *zName, const char *zValue, const char *zError);

/* snap_find_fact: the fact of this name (ASCII case-insensitive), or NULL. */
const snap_fact_t *snap_find_fact(const snap_t *s, const char *zName);

/* snap_fact_word_ok: 1 when z is a non-empty [A-Za-z0-9._-] word shorter than nMax bytes. */
int snap_fact_word_ok(const char *z, size_t n, size_t nMax);

/* snap_add_extra: keeps one unknown "key=value" line (nLine bytes) of a newer minor version. */
int snap_add_extra(snap_t *s, const char *zLine, size_t nLine);

/* snap_copy_field: copies zSrc (NULL = "") into zDst[nDst], cut on a UTF-8 boundary. */
void snap_copy_field(char *zDst, size_t nDst, const char *zSrc);

/* snap_has_kb: 1 when a hotfix with this KB number is listed (any qualifier), else 0. */
int snap_has_kb(const snap_t *s, uint32_t kbNum);

/* snap_find_file: the entry whose path ends with zName (case-insensitive, after a '\' or '/'),
 * or NULL. */
const snap_file_t *snap_find_file(const snap_t *s, const char *zName);

/* snap_write: serialises s as format v1 text (CRLF) into a malloc'd buffer *pzOut of *pnOut bytes
 * (followed by a NUL that *pnOut does not count);
 * the caller frees it. Returns KBS_OK, KBS_EINVAL (a field that cannot be written) or KBS_ENOMEM.
 * KBS_EINVAL covers everything snap_parse would reject: an empty host, raw id, path or source
 * name; a string that is not UTF-8; a scan time outside 1970..9999; version parts over 65535,
 * SP over 255, CBS state over 65535; a line longer than SNAP_LINE_MAX after escaping; unknown
 * keys (azExtra) without a newer minor in fmtMinor, which is then the minor written. */
int snap_write(const snap_t *s, char **pzOut, size_t *pnOut);

/* Where and why a parse failed. */
typedef struct snap_err {
    int rc;              /* same as the return value */
    unsigned line;       /* 1-based line, 0 when the whole input is at fault */
    char zReason[160];
} snap_err_t;

/* snap_parse: strictly parses nIn bytes of format v1 text into *s (which it snap_init()s first).
 * Rejects an unknown major, lines over SNAP_LINE_MAX, NUL bytes, invalid UTF-8, duplicate
 * header fields, a missing/mismatched end line (torn or truncated file) with line and reason in
 * *pErr (may be NULL). On error *s is released (empty). Returns KBS_OK, KBS_EPARSE, KBS_ETOOBIG,
 * KBS_EVERSION, KBS_ECHECKSUM or KBS_ENOMEM. */
int snap_parse(const char *zIn, size_t nIn, snap_t *s, snap_err_t *pErr);

/* snap_time_format: Unix seconds -> "2017-05-13T08:00:00Z" into zBuf (>= 21 bytes).
 * snap_time_parse: the inverse for exactly that form (n bytes at z). Both return KBS_OK, or
 * KBS_ETOOBIG / KBS_EPARSE. */
int snap_time_format(int64_t t, char *zBuf, size_t nBuf);
int snap_time_parse(const char *z, size_t n, int64_t *pOut);

/* snap_is_snapshot: 1 when the first bytes look like a kbsentry snapshot (any version). */
int snap_is_snapshot(const char *zIn, size_t nIn);

#endif
