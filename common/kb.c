/* kb.c: normalising the KB article ids of hotfix lists ("KB958644", "Q958644", "958644") to number + qualifier. */
#include "kb.h"

#include <string.h>

#include "kbs_err.h"

/* KB numbers in hotfix lists run from the old six-digit Q articles (Q123456) to seven-digit ones
 * (KB5034441). Five to eight digits leaves room on both sides; fewer is "File 1", "Update 3". */
#define KB_DIGITS_MIN 5
#define KB_DIGITS_MAX 8

static int kb_is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int kb_is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

int kb_parse(const char *zRaw, kb_id_t *pOut)
{
    const char *z, *zEnd;
    uint32_t num = 0;
    size_t nDigit = 0, nQual = 0;

    if (!pOut) return KBS_EINVAL;
    memset(pOut, 0, sizeof *pOut);
    if (!zRaw) return KBS_EPARSE;

    z = zRaw;
    while (kb_is_blank(*z))
        z++;
    zEnd = z + strlen(z);
    while (zEnd > z && kb_is_blank(zEnd[-1]))
        zEnd--;

    if ((z[0] == 'K' || z[0] == 'k') && (z[1] == 'B' || z[1] == 'b'))
        z += 2;
    else if (z[0] == 'Q' || z[0] == 'q')
        z += 1;

    /* A leading zero is not a KB number anyone spells; it is a date or a counter. */
    if (*z == '0') return KBS_EPARSE;
    while (z < zEnd && *z >= '0' && *z <= '9') {
        if (++nDigit > KB_DIGITS_MAX) return KBS_EPARSE;
        num = num * 10u + (uint32_t)(*z - '0');
        z++;
    }
    if (nDigit < KB_DIGITS_MIN) return KBS_EPARSE;

    if (z < zEnd) {
        /* "-IE8", "-v2", "-x64": letters, digits and '.', '_' or inner '-' after one dash.
         * Some packages glue the revision with '_' ("KB958644_v2"): the same id. */
        const char *zQ;
        if (*z != '-' && *z != '_') return KBS_EPARSE;
        zQ = ++z;
        nQual = (size_t)(zEnd - zQ);
        if (nQual == 0 || nQual >= KB_QUAL_MAX) return KBS_EPARSE;
        if (!kb_is_alnum(zQ[0]) || !kb_is_alnum(zQ[nQual - 1])) return KBS_EPARSE;
        for (; z < zEnd; z++) {
            if (!kb_is_alnum(*z) && *z != '-' && *z != '_' && *z != '.') return KBS_EPARSE;
        }
        memcpy(pOut->zQual, zQ, nQual);
        pOut->zQual[nQual] = '\0';
    }
    pOut->num = num;
    return KBS_OK;
}

int kb_format(const kb_id_t *kb, char *zBuf, size_t nBuf)
{
    /* Hand-rolled: the snapshot parser calls this for every hotfix line. */
    char zNum[12];
    size_t nNum = 0, nQual = strlen(kb->zQual), n;
    uint32_t v = kb->num;
    do {
        zNum[nNum++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    n = 2 + nNum + (nQual ? 1 + nQual : 0);
    if (n >= nBuf) {
        if (nBuf) zBuf[0] = 0;
        return KBS_ETOOBIG;
    }
    zBuf[0] = 'K';
    zBuf[1] = 'B';
    for (size_t i = 0; i < nNum; i++) zBuf[2 + i] = zNum[nNum - 1 - i];
    if (nQual) {
        zBuf[2 + nNum] = '-';
        memcpy(zBuf + 3 + nNum, kb->zQual, nQual);
    }
    zBuf[n] = 0;
    return KBS_OK;
}
