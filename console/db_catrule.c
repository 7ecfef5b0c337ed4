/* db_catrule.c: the database's own catalog: rules `kbsentry catalog add` keeps (schema 5). */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "db_int.h"
#include "kbs_err.h"

void db_catrules_free(db_catrule_t *a, size_t n)
{
    size_t i;
    for (i = 0; a && i < n; i++)
        free(a[i].zText);
    free(a);
}

int db_catrules_load(db_t *db, db_catrule_t **paRule, size_t *pnRule)
{
    sqlite3_stmt *st = NULL;
    db_catrule_t *a = NULL;
    size_t n = 0, nCap = 0;
    int rc = KBS_EDB, s;

    *paRule = NULL;
    *pnRule = 0;
    if (sqlite3_prepare_v2(db->h,
                           "SELECT rule, text, source, added_at FROM catalog_rule ORDER BY rule",
                           -1, &st, NULL))
        goto out;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        db_catrule_t *r;
        const void *p = sqlite3_column_blob(st, 1);
        size_t nText = (size_t)sqlite3_column_bytes(st, 1);
        if (n == nCap) {
            size_t nNew = nCap ? nCap * 2 : 8;
            db_catrule_t *aNew = realloc(a, nNew * sizeof *aNew);
            if (!aNew) {
                rc = KBS_ENOMEM;
                goto out;
            }
            a = aNew;
            nCap = nNew;
        }
        r = &a[n];
        memset(r, 0, sizeof *r);
        if (!(r->zText = malloc(nText + 1))) {
            rc = KBS_ENOMEM;
            goto out;
        }
        n++;
        if (nText) memcpy(r->zText, p, nText);
        r->zText[nText] = 0;
        r->nText = nText;
        snprintf(r->zId, sizeof r->zId, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(r->zSource, sizeof r->zSource, "%s", (const char *)sqlite3_column_text(st, 2));
        r->addedAt = sqlite3_column_int64(st, 3);
    }
    if (s != SQLITE_DONE) goto out;
    *paRule = a;
    *pnRule = n;
    a = NULL;
    n = 0;
    rc = KBS_OK;
out:
    sqlite3_finalize(st);
    db_catrules_free(a, n);
    return rc;
}

uint64_t db_catrules_hash(const db_catrule_t *a, size_t n)
{
    uint64_t h = db_hash64("", 0);
    size_t i;
    for (i = 0; i < n; i++) {
        uint64_t w[3];
        w[0] = h;
        w[1] = db_hash64(a[i].zId, strlen(a[i].zId));
        w[2] = db_hash64(a[i].zText, a[i].nText);
        h = db_hash64(w, sizeof w);
    }
    return h;
}

typedef struct db_catrule_tx {
    const db_catrule_t *pRule;   /* the rule stored, or NULL */
    const char *zRemove;         /* or the id of the rule removed */
    uint64_t hExpect;
} db_catrule_tx_t;

/* Inside the recompute's transaction: the rules the catalog was built from are still the stored
 * ones (another add may have run since they were read), then the new rule is stored or the
 * rule removed. */
static int db_catrule_in_tx(db_t *db, void *pArg)
{
    const db_catrule_tx_t *t = pArg;
    db_catrule_t *a = NULL;
    sqlite3_stmt *st = NULL;
    size_t n = 0;
    int rc;

    if ((rc = db_catrules_load(db, &a, &n))) return rc;
    rc = db_catrules_hash(a, n) == t->hExpect ? KBS_OK : KBS_ECONFLICT;
    db_catrules_free(a, n);
    if (rc) return rc;
    if (!t->pRule) {
        if (sqlite3_prepare_v2(db->h, "DELETE FROM catalog_rule WHERE rule = ?1", -1, &st, NULL))
            return KBS_EDB;
        sqlite3_bind_text(st, 1, t->zRemove, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? KBS_OK : KBS_EDB;
        if (rc == KBS_OK && sqlite3_changes(db->h) != 1) rc = KBS_ENOTFOUND;
        sqlite3_finalize(st);
        return rc;
    }
    if (sqlite3_prepare_v2(db->h,
                           "INSERT OR REPLACE INTO catalog_rule(rule, text, source, added_at)"
                           " VALUES(?1, ?2, ?3, ?4)",
                           -1, &st, NULL))
        return KBS_EDB;
    sqlite3_bind_text(st, 1, t->pRule->zId, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, t->pRule->zText, (int)t->pRule->nText, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, t->pRule->zSource, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, t->pRule->addedAt);
    rc = sqlite3_step(st) == SQLITE_DONE ? KBS_OK : KBS_EDB;
    sqlite3_finalize(st);
    return rc;
}

static int db_catrule_change(db_t *db, const cat_t *c, const db_catrule_t *pRule,
                             const char *zRemove, uint64_t hExpect, size_t *pnRecomputed)
{
    db_catrule_tx_t t;
    t.pRule = pRule;
    t.zRemove = zRemove;
    t.hExpect = hExpect;
    return db_recompute_intx(db, c, db_catrule_in_tx, &t, pnRecomputed);
}

int db_catrule_add(db_t *db, const cat_t *c, const db_catrule_t *pRule, uint64_t hExpect,
                   size_t *pnRecomputed)
{
    return db_catrule_change(db, c, pRule, NULL, hExpect, pnRecomputed);
}

int db_catrule_remove(db_t *db, const cat_t *c, const char *zId, uint64_t hExpect,
                      size_t *pnRecomputed)
{
    return db_catrule_change(db, c, NULL, zId, hExpect, pnRecomputed);
}

int db_stored_catalog_text(db_t *db, char **pzText, size_t *pnText, char *zSource, size_t nSource)
{
    sqlite3_stmt *st = NULL;
    int rc = KBS_EDB, s;

    *pzText = NULL;
    *pnText = 0;
    if (nSource) zSource[0] = 0;
    if (sqlite3_prepare_v2(db->h,
                           "SELECT t.value, coalesce(s.value, '') FROM meta t"
                           " LEFT JOIN meta s ON s.key = 'catalog_source'"
                           " WHERE t.key = 'catalog_text'"
                           " AND EXISTS(SELECT 1 FROM meta WHERE key = 'catalog_hash')",
                           -1, &st, NULL))
        goto out;
    s = sqlite3_step(st);
    if (s == SQLITE_DONE) {
        rc = KBS_ENOTFOUND;
    } else if (s == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        const void *p = sqlite3_column_blob(st, 0);
        rc = KBS_ENOMEM;
        if (!(*pzText = malloc(n + 1))) goto out;
        if (n) memcpy(*pzText, p, n);
        (*pzText)[n] = 0;
        *pnText = n;
        snprintf(zSource, nSource, "%s", (const char *)sqlite3_column_text(st, 1));
        rc = KBS_OK;
    }
out:
    sqlite3_finalize(st);
    return rc;
}
