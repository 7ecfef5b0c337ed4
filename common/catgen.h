/* catgen.h: catalog fix clauses derived from Microsoft's security-update data (MSRC CSV). */
#ifndef KBS_CATGEN_H
#define KBS_CATGEN_H

#include <stddef.h>
#include <stdint.h>

#include "os.h"

/* Reader limits (docs/catalog-format.md, "Deriving from Microsoft's data"). */
#define CATGEN_LINE_MAX 65536      /* bytes of one CSV record */
#define CATGEN_FIELD_MAX 8192      /* bytes of one field */
#define CATGEN_ROW_MAX 4000000u    /* records */
#define CATGEN_SUP_MAX 256         /* KBs one record supersedes */
#define CATGEN_CVE_MAX 64          /* CVEs of one derivation */
#define CATGEN_KB_MIN 100000u      /* KB numbers the catalog holds: 6 or 7 digits */
#define CATGEN_KB_MAX 9999999u
#define CATGEN_NOTE_MAX 512u       /* notes of one derivation */

/* What a product name of the data is to us. */
typedef enum catgen_pkind {
    CATGEN_P_OTHER = 0,   /* not a Windows OS product (Office, .NET on ..., Mariner, ...) */
    CATGEN_P_OS,          /* a Windows release we have a family for */
    CATGEN_P_IE11,        /* "Internet Explorer 11 (or 10) on <OS>": a clue for monthly rollups */
    CATGEN_P_UNTRACKED,   /* a Windows release with no kbsentry family (Windows RT, HoloLens) */
} catgen_pkind_t;

/* A platform as the catalog names it. sp is -1 for releases without service packs; build is 0
 * for families that are not told apart by build. */
typedef struct catgen_plat {
    os_family_t family;
    os_arch_t arch;
    int sp;
    uint32_t build;
} catgen_plat_t;

typedef struct catgen_prod {
    const char *zName;            /* in the data's string pool */
    catgen_pkind_t kind;
    catgen_plat_t plat;           /* OS and IE11 products */
} catgen_prod_t;

typedef struct catgen_row {
    uint32_t date;                /* YYYYMMDD */
    uint32_t kb;                  /* 0: no KB number (empty, or a package name) */
    uint32_t cve;                 /* index in the CVE table, 0 = none */
    uint32_t prod;                /* index in aProd */
    uint32_t iSup;                /* first superseded KB in aSup */
    uint32_t line;                /* CSV line, for messages */
    uint16_t nSup;
    uint8_t bFlash;               /* an Adobe Flash Player update listed under the OS name */
    uint8_t bSide;                /* its AffectedComponent is not the OS proper: Secure Boot,
                                   * servicing stack, .NET, Internet Explorer / MSHTML, scripting */
} catgen_row_t;

typedef struct catgen_strtab catgen_strtab_t;

/* The data, read once; catgen_derive may run on it many times. */
typedef struct catgen_data {
    char zSource[260];            /* file name for messages ("definitions.zip:CVEs_....csv") */
    catgen_row_t *aRow; size_t nRow;
    uint32_t *aSup; size_t nSup, nSupCap;
    catgen_prod_t *aProd; size_t nProd;
    catgen_strtab_t *pProd, *pCve;
    uint32_t dateMax;             /* the newest DatePosted: the data's date */
    size_t nRowCap;
} catgen_data_t;

typedef struct catgen_err {
    int rc;
    unsigned line;                /* 1-based CSV line, 0 for the whole input */
    char zReason[200];
} catgen_err_t;

/* catgen_data_read: reads the MSRC CSV text [zIn, zIn+nIn) (header row first) into *d (which it
 * initialises). zSource names it in messages. On error *d is empty and *pErr says line and
 * reason. Returns KBS_OK, KBS_EPARSE, KBS_ETOOBIG or KBS_ENOMEM. */
int catgen_data_read(const char *zIn, size_t nIn, const char *zSource, catgen_data_t *d,
                     catgen_err_t *pErr);

/* catgen_data_load: like catgen_data_read for a whole file's bytes, which may be the published
 * definitions.zip (its CVEs_*.csv member is read) or the CSV itself. */
int catgen_data_load(const unsigned char *p, size_t n, const char *zSource, catgen_data_t *d,
                     catgen_err_t *pErr);

/* catgen_data_release: frees what d owns; accepts a zeroed struct. */
void catgen_data_release(catgen_data_t *d);

/* catgen_product: maps an MSRC product name to a platform (pure: for tests). */
catgen_pkind_t catgen_product(const char *zName, catgen_plat_t *pPlat);

/* ---- derivation ---- */

/* How a KB came into a platform's list. */
typedef enum catgen_how {
    CATGEN_HOW_FIX = 0,           /* listed for one of the CVEs */
    CATGEN_HOW_SUPERSEDES,        /* supersedes a KB already in the list */
    CATGEN_HOW_MONTHLY,           /* the cumulative update of its month (chain broken there) */
    CATGEN_HOW_IE11,              /* the month's rollup: also listed for Internet Explorer 11 */
    CATGEN_HOW_ONLY,              /* the only update of its month left for a rollup platform */
    CATGEN_HOW_PREV,              /* the month's rollup: the one superseding an earlier month's update */
    CATGEN_HOW_KNOWN,             /* the month's rollup per the caller's list of known rollups */
} catgen_how_t;

typedef struct catgen_kb {
    uint32_t kb, date;            /* date: the KB's release day (most frequent DatePosted), or
                                   * the day of kbLater when the data's date was overridden */
    catgen_how_t how;
    uint32_t kbFrom;              /* SUPERSEDES: the KB it supersedes */
    uint32_t line;                /* a CSV line that names it */
    uint32_t dateData;            /* 0, or the data's date when KB order overrode it */
    uint32_t kbLater;             /* then: the higher-numbered update of the line released before */
} catgen_kb_t;

/* The derived list of one platform (archs and Server Core installations merged). */
typedef struct catgen_pres {
    catgen_plat_t plat;           /* arch OS_ARCH_UNKNOWN: every arch */
    int bCumulative;              /* 1: monthly cumulative platform (rollups or Windows 10+ CUs) */
    catgen_kb_t *aKb; size_t nKb; /* by date, then KB */
    uint32_t lastMonth;           /* YYYYMM of the newest update of this platform in the data */
    uint32_t fixMonth;            /* YYYYMM of its first fix (release order, see catgen_derive.c) */
} catgen_pres_t;

/* A Windows release the data knows that has no fix for the CVEs (catgen_whole.c). */
typedef enum catgen_okind {
    CATGEN_O_NOT_AFFECTED = 1,    /* first seen in the data two or more months after every fix */
    CATGEN_O_NO_FIX,              /* its last update in the data is older than the first fix */
    CATGEN_O_UNDECIDED,           /* serviced when the fix came, yet no update listed for it */
} catgen_okind_t;

typedef struct catgen_other {
    catgen_plat_t plat;           /* arch OS_ARCH_UNKNOWN */
    catgen_okind_t kind;
    uint32_t firstMonth, lastMonth; /* YYYYMM of its first / last update in the data, 0: none */
} catgen_other_t;

/* Something the derivation could not decide or chose to leave out, for the report. */
typedef struct catgen_note {
    unsigned line;                /* CSV line, 0 when not one row */
    char zText[240];
} catgen_note_t;

typedef struct catgen_res {
    catgen_pres_t *aPlat; size_t nPlat;
    catgen_note_t *aNote; size_t nNote;
    uint32_t dateMax;             /* the data's date */
    catgen_other_t *aOther; size_t nOther; /* every other release the data knows (whole rules) */
} catgen_res_t;

/* catgen_derive: the fix clauses for the CVEs azCve[0..nCve) (one rule): per platform the first
 * fixing KBs, every later KB that supersedes one in the list, and for cumulative platforms the
 * cumulative update of every later month where the chain breaks (see catgen.c); and for every
 * other Windows release of the data whether it is not affected, without a fix or undecided
 * (aOther: a whole rule, every machine gets a verdict). aKnownRollup
 * (nKnown, may be NULL) lists KBs known from outside the data to be monthly rollups: used only
 * where the data cannot tell the rollup from the security-only update. *pRes is initialised;
 * free it with catgen_res_release. Returns KBS_OK, KBS_ENOTFOUND (no row for those CVEs),
 * KBS_EPARSE (a loop in Supersedes: *pErr names the line), KBS_EINVAL or KBS_ENOMEM. */
int catgen_derive(const catgen_data_t *d, const char *const *azCve, size_t nCve,
                  const uint32_t *aKnownRollup, size_t nKnown, catgen_res_t *pRes,
                  catgen_err_t *pErr);

void catgen_res_release(catgen_res_t *r);

/* catgen_how_text: "fix", "supersedes", ... for comments. */
const char *catgen_how_text(catgen_how_t how);

/* ---- writing (catgen_out.c) ---- */

/* A growing text buffer. */
typedef struct catgen_buf {
    char *z;
    size_t n, nCap;
    int bOom;
} catgen_buf_t;

void catgen_buf_printf(catgen_buf_t *b, const char *zFmt, ...);
void catgen_buf_free(catgen_buf_t *b);

/* catgen_write_clauses: appends the derived clauses of r to b in catalog format: one `fix`
 * line per platform (platforms with identical lists share a line), one `kb` line per KB with a
 * comment (date, how found), a comment per note, then the `not-affected` / `no-fix` /
 * `undecided` clauses of the other releases (neighbouring builds or service packs of one kind
 * share a range). Returns KBS_OK or KBS_ENOMEM. */
int catgen_write_clauses(const catgen_res_t *r, catgen_buf_t *b);

/* catgen_build: the whole catalog from the data and an overlay (catalog text with `kb=data`
 * fix clauses, see docs/catalog-format.md). zOverlaySrc names the overlay in messages. Notes
 * (what the overlay did not use, what the data could not decide) go to *pNotes as lines.
 * Returns KBS_OK, or an error with *pErr naming the overlay line. */
int catgen_build(const catgen_data_t *d, const char *zOverlay, size_t nOverlay,
                 const char *zOverlaySrc, catgen_buf_t *pOut, catgen_buf_t *pNotes,
                 catgen_err_t *pErr);

#endif
