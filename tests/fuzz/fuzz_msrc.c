/* fuzz_msrc.c: libFuzzer harness for the MSRC data reader (CSV or zip) and the derivation: what
 * reads is derived for two CVEs, and the clauses written must parse as a catalog. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cat.h"
#include "catgen.h"
#include "kbs_err.h"

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData);

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData)
{
    static const char *const azCve[] = {"CVE-2017-0144", "CVE-2017-1"};
    catgen_data_t d;
    catgen_err_t e;
    catgen_res_t r;
    catgen_buf_t b;
    size_t i;
    int rc = catgen_data_load(aData, nData, "fuzz", &d, &e);
    if (rc != KBS_OK) {
        if (d.nRow || !e.zReason[0]) abort(); /* an error always says why and keeps nothing */
        return 0;
    }
    for (i = 0; i < d.nRow; i++)
        if (d.aRow[i].prod >= d.nProd || d.aRow[i].iSup + d.aRow[i].nSup > d.nSup) abort();
    memset(&b, 0, sizeof b);
    rc = catgen_derive(&d, azCve, 2, NULL, 0, &r, &e);
    if (rc == KBS_OK) {
        cat_t c;
        int rcCat;
        catgen_buf_printf(&b, "kbscat 1.3\nrule R\ntitle t\ncve CVE-2017-0144\nref x\n");
        if (catgen_write_clauses(&r, &b) != KBS_OK) abort();
        catgen_buf_printf(&b, "not-affected nt4\nend\nend-catalog 1\n");
        if (b.bOom) abort();
        /* What the derivation writes is catalog text of the current format (whole rules have
         * 1.2 undecided lines; a clause may exceed the catalog's limits). */
        rcCat = cat_parse(b.z, b.n, "fuzz", &c, NULL);
        if (rcCat != KBS_OK && rcCat != KBS_ETOOBIG) abort();
        cat_release(&c);
    }
    catgen_buf_free(&b);
    catgen_res_release(&r);
    catgen_data_release(&d);
    return 0;
}
