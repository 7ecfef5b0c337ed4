/* cat.h: the emergency-patch catalog: which KBs or file versions fix what, per platform. */
#ifndef KBS_CAT_H
#define KBS_CAT_H

#include <stddef.h>
#include <stdint.h>

#include "os.h"
#include "ver.h"

/* What a platform entry says about a rule. */
typedef enum cat_kind {
    CAT_KIND_FIX = 0,        /* a fix exists: aKb / ubrMin / file version prove it */
    CAT_KIND_NOT_AFFECTED,   /* the platform is not vulnerable */
    CAT_KIND_NO_FIX,         /* vulnerable and no fix exists: upgrade is the only remedy */
    CAT_KIND_UNDECIDED,      /* the sources say neither: the verdict is unknown, with the note */
} cat_kind_t;

#define CAT_FILEVER_MAX 4

/* One platform clause of a rule. A snapshot matches the first clause of the rule whose family,
 * SP range, arch and build range all hold. */
typedef struct cat_plat {
    os_family_t family;
    int spMin, spMax;            /* -1: any */
    os_arch_t arch;              /* OS_ARCH_UNKNOWN: any */
    uint32_t buildMin, buildMax; /* 0: any */
    cat_kind_t kind;
    uint32_t *aKb; size_t nKb;   /* fixing KBs, including every later rollup/CU that has the fix */
    uint32_t ubrMin;             /* Windows 10+: UBR at or above proves the fix; 0 none */
    char zFile[64];              /* proof file name, e.g. "srv.sys"; "" none */
    ver_t aFileVer[CAT_FILEVER_MAX]; /* minimum fixed versions, one per servicing branch (GDR/LDR) */
    size_t nFileVer;
    char zNote[160];             /* shown as evidence for not-affected / no-fix; may be "" */
    char zAction[128];           /* what to do when the rule is not met here; "" for the default */
    uint32_t *aKbSorted;         /* aKb in ascending order, for lookups (same nKb) */
} cat_plat_t;

/* What a configuration fact does to a rule's verdict (a `mitigation` line, format 1.1). */
typedef enum cat_effect {
    CAT_EFFECT_MITIGATES = 0, /* missing -> mitigated: the workaround closes the attack path */
    CAT_EFFECT_PARTIAL,       /* reduces the risk; the verdict stays, the note joins the evidence */
    CAT_EFFECT_UNDOES,        /* patched -> missing: the setting reopens the flaw despite the fix */
} cat_effect_t;

#define CAT_MITIG_MAX 8
#define CAT_SINCE_KB_MAX  24     /* KBs of one `when ... since-kb=` list */
#define CAT_FACT_NAME_MAX 96     /* = SNAP_FACT_NAME_MAX */

/* One `mitigation` line: when the snapshot's fact zFact has one of the values, effect applies. */
typedef struct cat_mitig {
    char zFact[CAT_FACT_NAME_MAX]; /* "LanmanServer.SMB1" */
    char zValues[96];            /* comma-separated values, "disabled,absent" */
    cat_effect_t effect;
    char zNote[160];             /* evidence text: "SMBv1 server disabled" */
    char zAction[128];           /* "" or what to do (UNDOES: how to close the hole again) */
    char zWhenFact[CAT_FACT_NAME_MAX]; /* "" or (a `when` line, 1.3) a second fact that must */
    char zWhenValues[96];        /* have one of these values too for the line to apply */
    uint32_t aSinceKb[CAT_SINCE_KB_MAX]; /* `when ... since-kb=` (1.3): the updates that made the */
    uint32_t nSinceKb;                   /* setting harmless; a machine at their level is exempt */
} cat_mitig_t;

/* Who a rule's flaw is exploited on (`exploited-on`, format 1.1). */
typedef enum cat_role {
    CAT_ROLE_ANY = 0,
    CAT_ROLE_DC,                 /* domain controllers: a missing verdict names the role */
} cat_role_t;

typedef struct cat_rule {
    char zId[24];                /* "MS17-010", "CVE-2019-0708" */
    char zTitle[128];
    char zCves[256];             /* "CVE-2017-0143 CVE-2017-0144 ..." */
    char zRefs[512];             /* bulletin and KB article URLs, blank-separated */
    cat_plat_t *aPlat; size_t nPlat;
    cat_mitig_t *aMitig; size_t nMitig; /* configuration facts that change the verdict */
    cat_role_t exploitedOn;
} cat_rule_t;

typedef struct cat {
    cat_rule_t *aRule; size_t nRule;
    char zHash[17];              /* 64-bit FNV-1a of the catalog text, hex: detects a changed catalog */
    char zSource[260];          /* "built-in" or the file name it was read from */
    char zDataDate[11];          /* "YYYY-MM-DD": the date of the data the KB lists come from; "" */
} cat_t;

/* Parser limits (docs/catalog-format.md). */
#define CAT_IN_MAX (1u << 20)     /* bytes of catalog text */
#define CAT_LINE_MAX 512          /* bytes of one line, without the line end */
#define CAT_RULE_MAX 256
#define CAT_PLAT_MAX 64           /* platform clauses of one rule, after family lists expand */
#define CAT_KB_MAX 256            /* KBs of one clause */
#define CAT_FMT_MAJOR 1
#define CAT_FMT_MINOR 3           /* 1.1: data-date, mitigation, exploited-on; 1.2: undecided;
                                   * 1.3: when (a condition on the mitigation line above) */

typedef struct cat_err {
    int rc;
    unsigned line;               /* 1-based, 0 for the whole input */
    char zReason[160];
} cat_err_t;

/* cat_parse: parses catalog text (format in docs/catalog-format.md) into *c (which it
 * initialises). zSource names the input for messages ("built-in" or a path). On error *c is
 * empty and *pErr (may be NULL) says line and reason. Returns KBS_OK, KBS_EPARSE, KBS_ETOOBIG,
 * KBS_EVERSION or KBS_ENOMEM. */
int cat_parse(const char *zIn, size_t nIn, const char *zSource, cat_t *c, cat_err_t *pErr);

/* cat_load_default: the catalog compiled into the binary. Returns as cat_parse. */
int cat_load_default(cat_t *c);

/* cat_default_text: the compiled-in catalog text and its length (static, do not free). */
const char *cat_default_text(size_t *pnLen);

/* cat_release: frees what c owns; c is empty afterwards. Accepts a zeroed struct. */
void cat_release(cat_t *c);

/* cat_hash64: 64-bit FNV-1a of nIn bytes (the value cat_t.zHash shows in hex). */
uint64_t cat_hash64(const char *zIn, size_t nIn);

/* cat_find_rule: the rule with this id (case-insensitive), or NULL. */
const cat_rule_t *cat_find_rule(const cat_t *c, const char *zId);

#endif
