/* fuzz_catalog.c: libFuzzer harness for the catalog parser; what parses is checked for its
 * invariants and then run through the verdict engine against a few machines. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cat.h"
#include "kbs_err.h"
#include "snap.h"
#include "verdict.h"

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData);

static void check_invariants(const cat_t *c)
{
    size_t i, j, k;
    if (strlen(c->zHash) != 16) abort();
    for (i = 0; i < c->nRule; i++) {
        const cat_rule_t *r = &c->aRule[i];
        if (!r->nPlat || !r->zTitle[0] || !r->zRefs[0]) abort();
        if (cat_find_rule(c, r->zId) != r) abort();
        for (j = 0; j < r->nPlat; j++) {
            const cat_plat_t *pl = &r->aPlat[j];
            if (pl->nKb > CAT_KB_MAX || pl->nFileVer > CAT_FILEVER_MAX) abort();
            if (pl->kind == CAT_KIND_FIX && !pl->nKb && !pl->ubrMin && !pl->nFileVer) abort();
            for (k = 1; k < pl->nKb; k++)
                if (pl->aKbSorted[k - 1] >= pl->aKbSorted[k]) abort();
        }
    }
}

/* A few machines that reach every branch of the engine. */
static void run_verdicts(const cat_t *c)
{
    static const struct {
        uint32_t major, minor, build, ubr, sp;
        os_ptype_t pt;
        const char *zKb;
        const char *zFile;
    } aHost[] = {
        {5, 1, 2600, 0, 3, OS_PT_WORKSTATION, "KB4012598", "5.1.2600.5512"},
        {6, 1, 7601, 0, 1, OS_PT_WORKSTATION, "KB4019264", "6.1.7601.23689"},
        {6, 0, 6002, 0, 2, OS_PT_SERVER, "KB958644", "6.0.6002.24066"},
        {10, 0, 14393, 953, 0, OS_PT_SERVER, "KB4013429", NULL},
        {10, 0, 26100, 0, 0, OS_PT_WORKSTATION, "KB5000000", NULL},
    };
    verdict_t *aV;
    size_t i, j;
    if (!c->nRule) return;
    aV = malloc(c->nRule * sizeof *aV);
    if (!aV) return;
    for (i = 0; i < sizeof aHost / sizeof aHost[0]; i++) {
        snap_t s;
        snap_init(&s);
        s.osKnown = 1;
        s.os.major = aHost[i].major, s.os.minor = aHost[i].minor, s.os.build = aHost[i].build;
        s.os.ubr = aHost[i].ubr, s.os.sp_major = aHost[i].sp, s.os.sp_known = 1;
        s.os.product_type = aHost[i].pt, s.os.arch = OS_ARCH_X64;
        snap_add_hotfix(&s, aHost[i].zKb, SNAP_SRC_QFE, NULL, -1);
        if (aHost[i].zFile) {
            /* The same version for every proof file the catalog may name. */
            ver_t v;
            ver_parse(aHost[i].zFile, &v);
            for (j = 0; j < c->nRule; j++) {
                size_t k;
                for (k = 0; k < c->aRule[j].nPlat; k++)
                    if (c->aRule[j].aPlat[k].zFile[0] && !snap_find_file(&s, c->aRule[j].aPlat[k].zFile))
                        snap_add_file(&s, c->aRule[j].aPlat[k].zFile, 1, &v, NULL);
            }
        }
        if (verdict_eval(c, &s, aV, c->nRule) != (int)c->nRule) abort();
        for (j = 0; j < c->nRule; j++) {
            if (aV[j].status >= VERDICT_COUNT) abort();
            if (!memchr(aV[j].zEvidence, 0, sizeof aV[j].zEvidence)) abort();
        }
        snap_release(&s);
    }
    free(aV);
}

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData)
{
    cat_t c;
    cat_err_t e;
    int rc = cat_parse((const char *)aData, nData, "fuzz", &c, &e);
    if (rc == KBS_OK) {
        check_invariants(&c);
        run_verdicts(&c);
    } else {
        if (c.aRule || c.nRule || e.rc != rc || !memchr(e.zReason, 0, sizeof e.zReason)) abort();
    }
    cat_release(&c);
    return 0;
}
