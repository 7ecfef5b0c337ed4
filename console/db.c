/* db.c: opening the console database, its schema and migrations, transactions, catalog and verdicts. */
#include "db.h"

#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "kbs_err.h"
#include "plat.h"

/* Schema version 1 (docs/database.md explains every table and column). */
static const char db_zSchema1[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;\n"
    "CREATE TABLE rule(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  code TEXT NOT NULL UNIQUE,\n"
    "  title TEXT NOT NULL,\n"
    "  cves TEXT NOT NULL);\n"
    "CREATE TABLE hotfix_set(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  hash TEXT NOT NULL UNIQUE,\n"
    "  n_hotfix INTEGER NOT NULL,\n"
    "  list TEXT NOT NULL);\n"
    "CREATE TABLE hotfix_set_kb(\n"
    "  set_id INTEGER NOT NULL REFERENCES hotfix_set(id) ON DELETE CASCADE,\n"
    "  raw TEXT NOT NULL,\n"
    "  kb INTEGER NOT NULL,\n"
    "  PRIMARY KEY(set_id, raw)) WITHOUT ROWID;\n"
    "CREATE INDEX hotfix_set_kb_kb ON hotfix_set_kb(kb);\n"
    "CREATE TABLE host(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  machine_id TEXT,\n"
    "  name TEXT NOT NULL,\n"
    "  name_key TEXT NOT NULL,\n"
    "  domain TEXT NOT NULL,\n"
    "  first_seen INTEGER NOT NULL,\n"
    "  last_scan INTEGER NOT NULL DEFAULT 0,\n"
    "  cur_scan_id INTEGER REFERENCES scan(id),\n"
    "  os_scan_id INTEGER REFERENCES scan(id),\n"
    "  os_family TEXT NOT NULL DEFAULT 'unknown',\n"
    "  os_name TEXT NOT NULL DEFAULT 'Unknown OS',\n"
    "  os_detail TEXT NOT NULL DEFAULT '',\n"
    "  origin TEXT NOT NULL DEFAULT '',\n"
    "  source_path TEXT NOT NULL DEFAULT '',\n"
    "  state_set_id INTEGER REFERENCES hotfix_set(id),\n"
    "  state_complete INTEGER NOT NULL DEFAULT 1,\n"
    "  state_note TEXT NOT NULL DEFAULT '',\n"
    "  state_sources TEXT NOT NULL DEFAULT '',\n"
    "  n_hotfix INTEGER NOT NULL DEFAULT 0);\n"
    "CREATE UNIQUE INDEX host_machine_id ON host(machine_id) WHERE machine_id IS NOT NULL;\n"
    "CREATE INDEX host_name_key ON host(name_key);\n"
    "CREATE INDEX host_last_scan ON host(last_scan);\n"
    "CREATE INDEX host_os_family ON host(os_family);\n"
    "CREATE TABLE scan(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  host_id INTEGER NOT NULL REFERENCES host(id) ON DELETE CASCADE,\n"
    "  scan_time INTEGER NOT NULL,\n"
    "  time_from_file INTEGER NOT NULL,\n"
    "  origin TEXT NOT NULL,\n"
    "  host_name TEXT NOT NULL,\n"
    "  domain TEXT NOT NULL,\n"
    "  machine_id TEXT NOT NULL,\n"
    "  agent_version TEXT NOT NULL,\n"
    "  os_known INTEGER NOT NULL,\n"
    "  os_major INTEGER NOT NULL, os_minor INTEGER NOT NULL,\n"
    "  os_build INTEGER NOT NULL, os_ubr INTEGER NOT NULL,\n"
    "  sp_major INTEGER NOT NULL, sp_minor INTEGER NOT NULL, sp_known INTEGER NOT NULL,\n"
    "  product_type INTEGER NOT NULL, arch TEXT NOT NULL,\n"
    "  product_name TEXT NOT NULL, edition TEXT NOT NULL, csd_version TEXT NOT NULL,\n"
    "  display_version TEXT NOT NULL, install_date TEXT NOT NULL, ui_language TEXT NOT NULL,\n"
    "  os_family TEXT NOT NULL, os_name TEXT NOT NULL,\n"
    "  hotfix_set_id INTEGER NOT NULL REFERENCES hotfix_set(id),\n"
    "  hotfixes_complete INTEGER NOT NULL, hotfix_note TEXT NOT NULL,\n"
    "  sources TEXT NOT NULL,\n"
    "  files TEXT NOT NULL,\n"
    "  source_path TEXT NOT NULL,\n"
    "  collected_at INTEGER NOT NULL);\n"
    "CREATE INDEX scan_host_time ON scan(host_id, scan_time);\n"
    "CREATE TABLE verdict(\n"
    "  host_id INTEGER NOT NULL REFERENCES host(id) ON DELETE CASCADE,\n"
    "  rule_id INTEGER NOT NULL REFERENCES rule(id) ON DELETE CASCADE,\n"
    "  status TEXT NOT NULL,\n"
    "  evidence TEXT NOT NULL,\n"
    "  action TEXT NOT NULL,\n"
    "  PRIMARY KEY(host_id, rule_id)) WITHOUT ROWID;\n"
    "CREATE INDEX verdict_rule_status ON verdict(rule_id, status);\n"
    "CREATE TABLE file(\n"
    "  path TEXT PRIMARY KEY,\n"
    "  size INTEGER NOT NULL,\n"
    "  mtime INTEGER NOT NULL,\n"
    "  hash TEXT NOT NULL,\n"
    "  kind TEXT NOT NULL,\n"
    "  collected_at INTEGER NOT NULL) WITHOUT ROWID;\n";

/* Version 2: verdicts are shared like hotfix lists. A managed fleet has a few dozen distinct
 * outcomes across tens of thousands of hosts (35,640 XP hosts: 28 MB of verdict rows plus 6 MB
 * of index for 23 distinct texts), so a host names its set and `verdict` becomes a view with the
 * columns of the old table. The catalog hash is forgotten so that the next command recomputes
 * every host's verdicts into sets. */
static const char db_zSchema2[] =
    "CREATE TABLE verdict_set(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  hash TEXT NOT NULL UNIQUE,\n"
    "  n_rule INTEGER NOT NULL,\n"
    "  list TEXT NOT NULL);\n"
    "CREATE TABLE verdict_set_item(\n"
    "  set_id INTEGER NOT NULL REFERENCES verdict_set(id) ON DELETE CASCADE,\n"
    "  rule_id INTEGER NOT NULL REFERENCES rule(id) ON DELETE CASCADE,\n"
    "  status TEXT NOT NULL,\n"
    "  evidence TEXT NOT NULL,\n"
    "  action TEXT NOT NULL,\n"
    "  PRIMARY KEY(set_id, rule_id)) WITHOUT ROWID;\n"
    "CREATE INDEX verdict_set_item_rule_status ON verdict_set_item(rule_id, status);\n"
    "ALTER TABLE host ADD COLUMN verdict_set_id INTEGER REFERENCES verdict_set(id);\n"
    "CREATE INDEX host_verdict_set ON host(verdict_set_id);\n"
    "DROP TABLE verdict;\n"
    "CREATE VIEW verdict(host_id, rule_id, status, evidence, action) AS\n"
    "  SELECT h.id, i.rule_id, i.status, i.evidence, i.action\n"
    "    FROM host h JOIN verdict_set_item i ON i.set_id = h.verdict_set_id;\n"
    "DELETE FROM meta WHERE key = 'catalog_hash';\n";

/* Version 3: a scan keeps the number of hotfixes its source counts (systeminfo's "263
 * Hotfix(es)"), so that a QFE list merged with a cut-short systeminfo list can be checked
 * against it in whichever order the two are collected (older scans count as not saying, 0); and
 * the agent's configuration facts (snapshot format 1.1: registry values, service start types)
 * that make a verdict mitigated, so that verdicts recomputed from stored scans keep them (older
 * scans have none, as their snapshots had none). */
static const char db_zSchema3[] =
    "ALTER TABLE scan ADD COLUMN hotfix_counted INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE scan ADD COLUMN facts TEXT NOT NULL DEFAULT '';\n";

/* Install dates: a scan keeps its hotfixes' install dates and a host those of its state. They
 * differ per machine, so they are not part of the shared hotfix list; they are a list of their
 * own (`date_set`: one date or an empty line per entry of the hotfix list, in its order), shared
 * like the lists, so a fleet that installs on the same days stores them once and one without
 * dates (XP's QFE gives few) stores nothing (NULL). The catalog-age rule needs them: a KB
 * installed after the catalog's data makes a "missing" from the list unknown, and a verdict
 * recomputed from the stored rows must say what the file said. Older scans have none. */
static const char db_zSchemaDates[] =
    "CREATE TABLE date_set(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  hash TEXT NOT NULL UNIQUE,\n"
    "  n_date INTEGER NOT NULL,\n"
    "  list TEXT NOT NULL);\n"
    "ALTER TABLE scan ADD COLUMN date_set_id INTEGER REFERENCES date_set(id);\n"
    "ALTER TABLE host ADD COLUMN state_date_set_id INTEGER REFERENCES date_set(id);\n";
/* Version 5: the database's own catalog: rules `kbsentry catalog add` derived, kept as catalog
 * text (one rule's block each) and added to the built-in catalog (a rule of the same id there
 * is replaced). Nothing else changes: the stored catalog (meta catalog_text) stays the one the
 * verdicts come from. */
static const char db_zSchemaCatalog[] =
    "CREATE TABLE catalog_rule(\n"
    "  rule TEXT PRIMARY KEY COLLATE NOCASE,\n"
    "  text TEXT NOT NULL,\n"
    "  source TEXT NOT NULL,\n"
    "  added_at INTEGER NOT NULL) WITHOUT ROWID;\n";
/* Version 6: the directory's computer accounts (kbsentry inventory). Each sync is dated; an
 * account a later sync no longer returns is marked gone by that sync, not deleted, so that a
 * machine removed from the directory is seen as gone. An account is one name in one DNS domain
 * (a bare name list has the domain ''). */
static const char db_zSchemaDir[] =
    "CREATE TABLE dir_sync(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  synced_at INTEGER NOT NULL,\n"
    "  source TEXT NOT NULL,\n"
    "  scope TEXT NOT NULL,\n"
    "  n_computer INTEGER NOT NULL DEFAULT 0,\n"
    "  n_gone INTEGER NOT NULL DEFAULT 0,\n"
    "  n_kept INTEGER NOT NULL DEFAULT 0);\n"
    "CREATE TABLE dir_computer(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"
    "  name_key TEXT NOT NULL,\n"
    "  domain TEXT NOT NULL,\n"
    "  netbios TEXT NOT NULL,\n"
    "  dns_name TEXT NOT NULL,\n"
    "  dn TEXT NOT NULL,\n"
    "  ou TEXT NOT NULL,\n"
    "  os TEXT NOT NULL, os_sp TEXT NOT NULL, os_version TEXT NOT NULL,\n"
    "  enabled INTEGER NOT NULL,\n"
    "  last_logon INTEGER NOT NULL, pwd_last_set INTEGER NOT NULL, when_created INTEGER NOT NULL,\n"
    "  first_sync_id INTEGER NOT NULL REFERENCES dir_sync(id),\n"
    "  last_sync_id INTEGER NOT NULL REFERENCES dir_sync(id),\n"
    "  gone_sync_id INTEGER REFERENCES dir_sync(id),\n"
    "  UNIQUE(name_key, domain));\n"
    "CREATE INDEX dir_computer_present ON dir_computer(gone_sync_id, name_key);\n";

/* Migrations: step i takes the schema from version i to i + 1. */
static const char *const db_azMigration[DB_SCHEMA_VERSION] = {
    db_zSchema1,
    db_zSchema2,
    db_zSchema3,
    db_zSchemaDates,
    db_zSchemaCatalog,
    db_zSchemaDir,
};

static const char *const db_azStmt[] = {
    /* DB_ST_HOST_BY_MID */
    "SELECT id, cur_scan_id FROM host WHERE machine_id = ?1",
    /* DB_ST_HOST_BY_NAME: the hosts of a name, oldest first (hostid_choose takes the first of
     * equals: the same host whatever order scans came in) */
    "SELECT id, domain, coalesce(machine_id, '') FROM host WHERE name_key = ?1 ORDER BY id",
    /* DB_ST_HOST_SET_MID */
    "UPDATE host SET machine_id = ?2 WHERE id = ?1",
    /* DB_ST_HOST_STATE */
    "UPDATE host SET name = ?2, name_key = ?3, domain = ?4, last_scan = ?5, cur_scan_id = ?6,"
    " os_scan_id = ?7, os_family = ?8, os_name = ?9, os_detail = ?10, origin = ?11,"
    " source_path = ?12, state_set_id = ?13, state_complete = ?14, state_note = ?15,"
    " state_sources = ?16, n_hotfix = ?17, verdict_set_id = ?18, state_date_set_id = ?19 WHERE id = ?1",
    /* DB_ST_SET_BY_HASH */
    "SELECT id, list FROM hotfix_set WHERE hash = ?1",
    /* DB_ST_SET_INSERT */
    "INSERT INTO hotfix_set(hash, n_hotfix, list) VALUES(?1, ?2, ?3)",
    /* DB_ST_SETKB_INSERT */
    "INSERT OR IGNORE INTO hotfix_set_kb(set_id, raw, kb) VALUES(?1, ?2, ?3)",
    /* DB_ST_SCAN_INSERT */
    "INSERT INTO scan(host_id, scan_time, time_from_file, origin, host_name, domain, machine_id,"
    " agent_version, os_known, os_major, os_minor, os_build, os_ubr, sp_major, sp_minor, sp_known,"
    " product_type, arch, product_name, edition, csd_version, display_version, install_date,"
    " ui_language, os_family, os_name, hotfix_set_id, hotfixes_complete, hotfix_note, sources,"
    " files, source_path, collected_at, hotfix_counted, facts, date_set_id) VALUES(?1, ?2, ?3, ?4,"
    " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24,"
    " ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36)",
    /* DB_ST_SCAN_DUP */
    "SELECT id FROM scan WHERE host_id = ?1 AND scan_time = ?2 AND hotfix_set_id = ?3"
    " AND origin = ?4 AND os_known = ?5 AND files = ?6 AND facts = ?7 LIMIT 1",
    /* DB_ST_SCAN_NEWEST: a scan dated later than its collection plus DB_FUTURE_SLACK comes
     * after every other (its clock is wrong: its date proves nothing) */
    "SELECT id, scan_time, os_known, collected_at + " DB_FUTURE_SLACK " FROM scan WHERE host_id = ?1"
    " ORDER BY scan_time > collected_at + " DB_FUTURE_SLACK ", scan_time DESC, id DESC LIMIT 1",
    /* DB_ST_SCAN_NEWEST_OS */
    "SELECT id FROM scan WHERE host_id = ?1 AND os_known = 1"
    " ORDER BY scan_time > collected_at + " DB_FUTURE_SLACK ", scan_time DESC, id DESC LIMIT 1",
    /* DB_ST_SCAN_CSV_NEAR: OS-less scans within the merge window before the newest scan */
    "SELECT id FROM scan WHERE host_id = ?1 AND os_known = 0 AND scan_time BETWEEN ?2 AND ?3"
    " AND scan_time <= collected_at + " DB_FUTURE_SLACK " AND id <> ?4"
    " ORDER BY scan_time DESC, id DESC",
    /* DB_ST_SCAN_LOAD */
    "SELECT scan_time, origin, host_name, domain, machine_id, agent_version, os_known, os_major,"
    " os_minor, os_build, os_ubr, sp_major, sp_minor, sp_known, product_type, arch, product_name,"
    " edition, csd_version, display_version, install_date, ui_language, hotfix_set_id,"
    " hotfixes_complete, hotfix_note, sources, files, source_path, hotfix_counted, facts,"
    " date_set_id FROM scan WHERE id = ?1",
    /* DB_ST_SET_LIST */
    "SELECT list FROM hotfix_set WHERE id = ?1",
    /* DB_ST_VSET_BY_HASH */
    "SELECT id, list FROM verdict_set WHERE hash = ?1",
    /* DB_ST_VSET_INSERT */
    "INSERT INTO verdict_set(hash, n_rule, list) VALUES(?1, ?2, ?3)",
    /* DB_ST_VSET_ITEM_INSERT */
    "INSERT INTO verdict_set_item(set_id, rule_id, status, evidence, action)"
    " VALUES(?1, ?2, ?3, ?4, ?5)",
    /* DB_ST_FILE_UPSERT */
    "INSERT INTO file(path, size, mtime, hash, kind, collected_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime,"
    " hash = excluded.hash, kind = excluded.kind, collected_at = excluded.collected_at",
    /* DB_ST_SAVEPOINT, DB_ST_RELEASE: one per group of input files (or per file), prepared once */
    "SAVEPOINT f",
    "RELEASE f",
    /* DB_ST_HOST_INSERT_FULL: a new host with its state (the scan ids follow) */
    "INSERT INTO host(machine_id, name, name_key, domain, first_seen, last_scan, os_family,"
    " os_name, os_detail, origin, source_path, state_set_id, state_complete, state_note,"
    " state_sources, n_hotfix, verdict_set_id, state_date_set_id) VALUES(?1, ?2, ?3, ?4, ?5, ?5,"
    " ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    /* DB_ST_HOST_SCANS */
    "UPDATE host SET cur_scan_id = ?2, os_scan_id = ?3 WHERE id = ?1",
    /* DB_ST_DSET_BY_HASH */
    "SELECT id, list FROM date_set WHERE hash = ?1",
    /* DB_ST_DSET_INSERT */
    "INSERT INTO date_set(hash, n_date, list) VALUES(?1, ?2, ?3)",
    /* DB_ST_DSET_LIST */
    "SELECT list FROM date_set WHERE id = ?1",
};

/* Every statement has its text: a missing one would be prepared from NULL. */
typedef char db_assert_stmt_count[sizeof db_azStmt / sizeof db_azStmt[0] == DB_ST_COUNT ? 1 : -1];

sqlite3_stmt *db_stmt(db_t *db, enum db_stmt e)
{
    sqlite3_stmt *st = db->aSt[e];
    if (!st) {
        if (sqlite3_prepare_v2(db->h, db_azStmt[e], -1, &db->aSt[e], NULL) != SQLITE_OK) return NULL;
        return db->aSt[e];
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

int db_exec(db_t *db, const char *zSql)
{
    return sqlite3_exec(db->h, zSql, NULL, NULL, NULL) == SQLITE_OK ? KBS_OK : KBS_EDB;
}

const char *db_errmsg(db_t *db)
{
    return db && db->h ? sqlite3_errmsg(db->h) : "no database";
}

static int db_user_version(db_t *db, int *pV)
{
    sqlite3_stmt *st = NULL;
    int rc = KBS_EDB;
    if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK) goto out;
    if (sqlite3_step(st) != SQLITE_ROW) goto out;
    *pV = sqlite3_column_int(st, 0);
    rc = KBS_OK;
out:
    sqlite3_finalize(st);
    return rc;
}

/* Runs each missing migration step in its own transaction, user_version last. */
static int db_migrate(db_t *db, char *zErr, size_t nErr)
{
    int v = 0;
    if (db_user_version(db, &v)) {
        snprintf(zErr, nErr, "reading the schema version: %s", db_errmsg(db));
        return KBS_EDB;
    }
    if (v > DB_SCHEMA_VERSION) {
        snprintf(zErr, nErr, "schema version %d is newer than this kbsentry knows (%d)", v,
                 DB_SCHEMA_VERSION);
        return KBS_EVERSION;
    }
    while (v < DB_SCHEMA_VERSION) {
        char zSet[48];
        snprintf(zSet, sizeof zSet, "PRAGMA user_version = %d", v + 1);
        /* IMMEDIATE: two collectors starting at once must not both create the schema. */
        if (db_exec(db, "BEGIN IMMEDIATE")) goto fail;
        if (db_user_version(db, &v) || v >= DB_SCHEMA_VERSION) {
            db_exec(db, "ROLLBACK");
            if (v >= DB_SCHEMA_VERSION) break;
            goto fail;
        }
        if (db_exec(db, db_azMigration[v]) || db_exec(db, zSet) || db_exec(db, "COMMIT")) {
            snprintf(zErr, nErr, "migrating the schema to version %d: %s", v + 1, db_errmsg(db));
            db_exec(db, "ROLLBACK");
            return KBS_EDB;
        }
        v++;
    }
    return KBS_OK;
fail:
    snprintf(zErr, nErr, "migrating the schema: %s", db_errmsg(db));
    return KBS_EDB;
}

/* ---- shared-set caches ---- */

static size_t db_cache_slot(const db_cache_t *c, uint64_t h, const char *z, size_t n)
{
    size_t i;
    for (i = (size_t)h & (c->nSlot - 1); c->a[i].id; i = (i + 1) & (c->nSlot - 1)) {
        const db_setent_t *e = &c->a[i];
        if (e->hash != h) continue;
        if (!c->bText || (e->nText == n && !memcmp(e->zText, z, n))) break;
    }
    return i;
}

static int64_t db_cache_get(const db_cache_t *c, uint64_t h, const char *z, size_t n)
{
    if (!c->nSlot) return 0;
    return c->a[db_cache_slot(c, h, z, n)].id;
}

static void db_cache_put(db_cache_t *c, uint64_t h, int64_t id, const char *z, size_t n)
{
    db_setent_t *e;
    if ((c->nUsed + 1) * 2 > c->nSlot) {
        db_cache_t cNew = *c;
        size_t j;
        cNew.nSlot = c->nSlot ? c->nSlot * 2 : 256;
        if (!(cNew.a = calloc(cNew.nSlot, sizeof *cNew.a))) return;
        for (j = 0; j < c->nSlot; j++) {
            const db_setent_t *o = &c->a[j];
            if (o->id) cNew.a[db_cache_slot(&cNew, o->hash, o->zText, o->nText)] = *o;
        }
        free(c->a);
        *c = cNew;
    }
    e = &c->a[db_cache_slot(c, h, z, n)];
    if (e->id) return;
    if (c->bText) {
        if (!(e->zText = malloc(n + 1))) return;
        memcpy(e->zText, z, n);
        e->zText[n] = 0;
        e->nText = n;
    }
    e->hash = h;
    e->id = id;
    c->nUsed++;
}

static void db_cache_clear(db_cache_t *c)
{
    size_t i;
    for (i = 0; i < c->nSlot; i++) free(c->a[i].zText);
    if (c->a) memset(c->a, 0, c->nSlot * sizeof *c->a);
    c->nUsed = 0;
}

static void db_cache_free(db_cache_t *c)
{
    db_cache_clear(c);
    free(c->a);
    c->a = NULL;
    c->nSlot = 0;
}

void db_global_init(void)
{
    /* SQLITE_MISUSE once SQLite is initialised: then the settings already stand. */
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int db_open(const char *zPath, db_t **ppDb, char *zErr, size_t nErr)
{
    db_t *db = calloc(1, sizeof *db);
    int rc = KBS_EDB;

    *ppDb = NULL;
    zErr[0] = 0;
    if (!db) return KBS_ENOMEM;
    /* NOMUTEX: one thread at a time uses a connection (collect's workers never touch it), so
     * SQLite's per-call locking is pure cost. */
    if (sqlite3_open_v2(zPath, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        snprintf(zErr, nErr, "%s: %s", zPath, db->h ? sqlite3_errmsg(db->h) : "cannot open");
        goto out;
    }
    db->vsetCache.bText = 1;
    sqlite3_busy_timeout(db->h, 10000);
    sqlite3_extended_result_codes(db->h, 1);
    /* WAL: readers (report) never block the collector; NORMAL sync is durable at checkpoints and
     * never corrupts, which is what a re-runnable collect needs. */
    if (db_exec(db, "PRAGMA journal_mode = WAL") || db_exec(db, "PRAGMA synchronous = NORMAL") ||
        db_exec(db, "PRAGMA foreign_keys = ON") || db_exec(db, "PRAGMA cache_size = -32768") ||
        db_exec(db, "PRAGMA temp_store = MEMORY")) {
        snprintf(zErr, nErr, "%s: %s", zPath, db_errmsg(db));
        goto out;
    }
    if ((rc = db_migrate(db, zErr, nErr)) != KBS_OK) goto out;
    *ppDb = db;
    db = NULL;
out:
    db_close(db);
    return rc;
}

void db_close(db_t *db)
{
    size_t i;
    if (!db) return;
    for (i = 0; i < DB_ST_COUNT; i++) sqlite3_finalize(db->aSt[i]);
    sqlite3_finalize(db->stDirPut);
    if (db->h) sqlite3_close(db->h);
    free(db->aRuleId);
    free(db->aVerdict);
    db_cache_free(&db->setCache);
    db_cache_free(&db->vsetCache);
    db_cache_free(&db->dsetCache);
    free(db->bufSet.z);
    free(db->bufState.z);
    free(db->bufVset.z);
    free(db->bufDates.z);
    free(db->prep.set.z);
    free(db->prep.src.z);
    free(db->prep.files.z);
    free(db->prep.facts.z);
    free(db->prep.dates.z);
    free(db->prep.aVerdict);
    free(db->prep.vset.z);
    free(db);
}

int db_begin(db_t *db) { return db_exec(db, "BEGIN IMMEDIATE"); }

int db_commit(db_t *db) { return db_exec(db, "COMMIT"); }
static int db_step_done(sqlite3_stmt *st)
{
    return st && sqlite3_step(st) == SQLITE_DONE ? KBS_OK : KBS_EDB;
}

int db_savepoint(db_t *db) { return db_step_done(db_stmt(db, DB_ST_SAVEPOINT)); }
int db_release(db_t *db)
{
    int rc = db_step_done(db_stmt(db, DB_ST_RELEASE));
    sqlite3_reset(db->aSt[DB_ST_RELEASE]);
    sqlite3_reset(db->aSt[DB_ST_SAVEPOINT]);
    return rc;
}

int db_in_transaction(db_t *db)
{
    return !sqlite3_get_autocommit(db->h);
}

/* The caches may name rows a rollback just removed: forget them. */
static void db_caches_clear(db_t *db)
{
    db_cache_clear(&db->setCache);
    db_cache_clear(&db->vsetCache);
    db_cache_clear(&db->dsetCache);
}

int db_rollback(db_t *db)
{
    db_caches_clear(db);
    return db_exec(db, "ROLLBACK");
}

int db_rollback_savepoint(db_t *db)
{
    int rc;
    db_caches_clear(db);
    rc = db_exec(db, "ROLLBACK TO f");
    return db_exec(db, "RELEASE f") ? KBS_EDB : rc;
}

/* ---- text helpers ---- */

uint64_t db_hash64(const void *pIn, size_t n)
{
    /* Eight bytes per step (a file's bytes are hashed on every changed-file check); a change
     * detector, not a security boundary: whoever can write the drop share writes any content. */
    const unsigned char *p = pIn;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h ^= w;
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    while (n--) {
        h ^= *p++;
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 29;
    return h;
}

int db_buf_reserve(db_buf_t *b, size_t nMore)
{
    size_t nNew;
    char *zNew;
    if (b->oom) return KBS_ENOMEM;
    if (b->n + nMore + 1 <= b->cap) return KBS_OK;
    nNew = (b->n + nMore + 1) * 2;
    if (nNew < 256) nNew = 256;
    if (!(zNew = realloc(b->z, nNew))) {
        b->oom = 1;
        return KBS_ENOMEM;
    }
    b->z = zNew;
    b->cap = nNew;
    return KBS_OK;
}

void db_buf_put(db_buf_t *b, const char *z, size_t n)
{
    if (db_buf_reserve(b, n)) return;
    memcpy(b->z + b->n, z, n);
    b->n += n;
    b->z[b->n] = 0;
}

void db_buf_clear(db_buf_t *b)
{
    b->n = 0;
    b->oom = 0;
    db_buf_put(b, "", 0);
}

char *db_esc_copy(char *zOut, const char *z, size_t n)
{
    const char *zEnd = z + n;
    for (; z < zEnd && *z; z++) {
        char c = *z;
        if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
            *zOut++ = '\\';
            c = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : '\\';
        }
        *zOut++ = c;
    }
    return zOut;
}

void db_buf_field(db_buf_t *b, const char *z, char sep)
{
    size_t n = strlen(z);
    char *zEnd;
    if (db_buf_reserve(b, 2 * n + 1)) return;
    zEnd = db_esc_copy(b->z + b->n, z, n);
    if (sep) *zEnd++ = sep;
    *zEnd = 0;
    b->n = (size_t)(zEnd - b->z);
}

char db_field_next(const char **pz, char *zOut, size_t nOut)
{
    const char *z = *pz;
    size_t n = 0;
    char c = 0;
    while (*z && *z != '\t' && *z != '\n') {
        char ch = *z++;
        if (ch == '\\' && *z) {
            ch = *z++;
            ch = ch == 't' ? '\t' : ch == 'n' ? '\n' : ch == 'r' ? '\r' : ch;
        }
        if (n + 1 < nOut) zOut[n++] = ch;
    }
    if (nOut) zOut[n] = 0;
    if (*z) c = *z++;
    *pz = z;
    return c;
}

/* ---- catalog and verdicts ---- */

const cat_t *db_catalog(db_t *db)
{
    return db->cat;
}

int db_verdict_text(const cat_t *c, const verdict_t *aV, size_t n, db_buf_t *b)
{
    size_t i;
    db_buf_clear(b);
    for (i = 0; i < n; i++) {
        db_buf_field(b, c->aRule[i].zId, '\t');
        db_buf_field(b, verdict_status_name(aV[i].status), '\t');
        db_buf_field(b, aV[i].zEvidence, '\t');
        db_buf_field(b, aV[i].zAction, '\n');
    }
    return b->oom ? KBS_ENOMEM : KBS_OK;
}

/* A new verdict set's rows, one per rule in catalog order, parsed back from its canonical text
 * (only when the set is new: a few dozen times per fleet), so that the rows say exactly what the
 * shared text says. */
static int db_vset_items(db_t *db, int64_t setId, const void *pCtx)
{
    const char *z = pCtx;
    size_t i;
    for (i = 0; i < db->cat->nRule; i++) {
        char zRule[sizeof db->cat->aRule[0].zId], zStatus[16];
        char zEvidence[sizeof ((verdict_t *)0)->zEvidence], zAction[sizeof ((verdict_t *)0)->zAction];
        sqlite3_stmt *st;
        db_field_next(&z, zRule, sizeof zRule);
        db_field_next(&z, zStatus, sizeof zStatus);
        db_field_next(&z, zEvidence, sizeof zEvidence);
        db_field_next(&z, zAction, sizeof zAction);
        if (verdict_status_from_name(zStatus) < 0 || strcmp(zRule, db->cat->aRule[i].zId))
            return KBS_EINVAL;
        if (!(st = db_stmt(db, DB_ST_VSET_ITEM_INSERT))) return KBS_EDB;
        sqlite3_bind_int64(st, 1, setId);
        sqlite3_bind_int64(st, 2, db->aRuleId[i]);
        sqlite3_bind_text(st, 3, zStatus, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, zEvidence, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, zAction, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) return KBS_EDB;
    }
    return KBS_OK;
}

int db_verdict_set(db_t *db, const snap_t *s, const db_buf_t *pText, uint64_t h, int64_t *pId)
{
    static const db_shared_t kVset = {DB_ST_VSET_BY_HASH, DB_ST_VSET_INSERT};
    int n, rc;
    if (!pText) {
        n = verdict_eval(db->cat, s, db->aVerdict, db->cat->nRule);
        if (n < 0) return n;
        if ((size_t)n != db->cat->nRule) return KBS_EINVAL;
        if ((rc = db_verdict_text(db->cat, db->aVerdict, (size_t)n, &db->bufVset))) return rc;
        pText = &db->bufVset;
        h = db_hash64(pText->z, pText->n);
    }
    return db_shared_get(db, &kVset, &db->vsetCache, pText, h, db->cat->nRule, db_vset_items,
                         pText->z, pId);
}

/* h as 16 lower-case hex digits and a NUL in z (what "%016llx" gives, without printf: every
 * collected file records one). */
static void db_hex64(uint64_t h, char *z)
{
    static const char azHex[] = "0123456789abcdef";
    int i;
    for (i = 15; i >= 0; i--, h >>= 4) z[i] = azHex[h & 15];
    z[16] = 0;
}

int db_shared_get(db_t *db, const db_shared_t *k, db_cache_t *pCache, const db_buf_t *pb,
                  uint64_t h, size_t nItem, db_items_fn fnItems, const void *pCtx, int64_t *pId)
{
    sqlite3_stmt *st;
    char zKey[40];
    int rc = KBS_EDB, nTry;

    if ((*pId = db_cache_get(pCache, h, pb->z, pb->n)) != 0) return KBS_OK;
    /* The key is the hash; a (never yet seen) collision gets a suffixed key, so texts are
     * always compared in full before a set is shared. */
    for (nTry = 0; nTry < 16; nTry++) {
        int r;
        db_hex64(h, zKey);
        if (nTry) snprintf(zKey + 16, sizeof zKey - 16, "-%d", nTry);
        if (!(st = db_stmt(db, k->eByHash))) goto out;
        sqlite3_bind_text(st, 1, zKey, -1, SQLITE_STATIC);
        r = sqlite3_step(st);
        if (r == SQLITE_ROW) {
            const char *zList = (const char *)sqlite3_column_text(st, 1);
            if (zList && !strcmp(zList, pb->z)) {
                *pId = sqlite3_column_int64(st, 0);
                if (!nTry) db_cache_put(pCache, h, *pId, pb->z, pb->n);
                rc = KBS_OK;
                goto out;
            }
            continue;
        }
        if (r != SQLITE_DONE) goto out;
        if (!(st = db_stmt(db, k->eInsert))) goto out;
        sqlite3_bind_text(st, 1, zKey, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)nItem);
        sqlite3_bind_text(st, 3, pb->z, (int)pb->n, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) goto out;
        *pId = sqlite3_last_insert_rowid(db->h);
        if ((rc = fnItems(db, *pId, pCtx))) goto out;
        if (!nTry) db_cache_put(pCache, h, *pId, pb->z, pb->n);
        rc = KBS_OK;
        goto out;
    }
out:
    return rc;
}

static int db_meta_get(db_t *db, const char *zKey, char *zOut, size_t nOut)
{
    sqlite3_stmt *st = NULL;
    int rc = KBS_ENOTFOUND, s;
    zOut[0] = 0;
    if (sqlite3_prepare_v2(db->h, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL))
        return KBS_EDB;
    sqlite3_bind_text(st, 1, zKey, -1, SQLITE_STATIC);
    s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        snprintf(zOut, nOut, "%s", (const char *)sqlite3_column_text(st, 0));
        rc = KBS_OK;
    } else if (s != SQLITE_DONE) {
        rc = KBS_EDB;
    }
    sqlite3_finalize(st);
    return rc;
}

static int db_meta_set_text(db_t *db, const char *zKey, const char *z, size_t n)
{
    sqlite3_stmt *st = NULL;
    int rc = KBS_EDB;
    if (sqlite3_prepare_v2(db->h, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)", -1,
                           &st, NULL))
        return KBS_EDB;
    sqlite3_bind_text(st, 1, zKey, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, z, (int)n, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_DONE) rc = KBS_OK;
    sqlite3_finalize(st);
    return rc;
}

static int db_meta_set(db_t *db, const char *zKey, const char *zValue)
{
    return db_meta_set_text(db, zKey, zValue, strlen(zValue));
}

/* Maps each catalog rule to its row id, inserting rules the table lacks. */
static int db_rules_map(db_t *db, int bInsert)
{
    sqlite3_stmt *stSel = NULL, *stIns = NULL;
    size_t i;
    int rc = KBS_EDB;
    if (sqlite3_prepare_v2(db->h, "SELECT id FROM rule WHERE code = ?1", -1, &stSel, NULL) ||
        sqlite3_prepare_v2(db->h, "INSERT INTO rule(code, title, cves) VALUES(?1, ?2, ?3)", -1,
                           &stIns, NULL))
        goto out;
    for (i = 0; i < db->cat->nRule; i++) {
        const cat_rule_t *r = &db->cat->aRule[i];
        int s;
        sqlite3_reset(stSel);
        sqlite3_bind_text(stSel, 1, r->zId, -1, SQLITE_STATIC);
        s = sqlite3_step(stSel);
        if (s == SQLITE_ROW) {
            db->aRuleId[i] = sqlite3_column_int64(stSel, 0);
            continue;
        }
        if (s != SQLITE_DONE) goto out;
        if (!bInsert) { rc = KBS_ENOTFOUND; goto out; }
        sqlite3_reset(stIns);
        sqlite3_bind_text(stIns, 1, r->zId, -1, SQLITE_STATIC);
        sqlite3_bind_text(stIns, 2, r->zTitle, -1, SQLITE_STATIC);
        sqlite3_bind_text(stIns, 3, r->zCves, -1, SQLITE_STATIC);
        if (sqlite3_step(stIns) != SQLITE_DONE) goto out;
        db->aRuleId[i] = sqlite3_last_insert_rowid(db->h);
    }
    rc = KBS_OK;
out:
    sqlite3_finalize(stSel);
    sqlite3_finalize(stIns);
    return rc;
}

/* Points db at catalog c (which outlives db): rule id map and scratch sized for it. */
static int db_cat_set(db_t *db, const cat_t *c, int bView)
{
    free(db->aRuleId);
    free(db->aVerdict);
    db->aRuleId = calloc(c->nRule ? c->nRule : 1, sizeof *db->aRuleId);
    db->aVerdict = calloc(c->nRule ? c->nRule : 1, sizeof *db->aVerdict);
    db->cat = c;
    db->bView = bView;
    return db->aRuleId && db->aVerdict ? KBS_OK : KBS_ENOMEM;
}

/* The text of catalog c when it is known: the one given by db_catalog_text, or the built-in
 * one; its hash must be c's (the stored text must be the catalog the verdicts came from). */
static const char *db_cat_text(const db_t *db, const cat_t *c, size_t *pn)
{
    const char *z = db->zCatText;
    size_t n = db->nCatText;
    char zHash[24];
    int i;
    for (i = 0; i < 2; i++) {
        if (z) {
            snprintf(zHash, sizeof zHash, "%016llx", (unsigned long long)cat_hash64(z, n));
            if (!strcmp(zHash, c->zHash)) {
                *pn = n;
                return z;
            }
        }
        z = cat_default_text(&n);
    }
    *pn = 0;
    return NULL;
}

void db_catalog_text(db_t *db, const char *zText, size_t nText)
{
    db->zCatText = zText;
    db->nCatText = nText;
}

/* Stores c as the database's catalog in one write transaction that reads the stored hash
 * itself: the same catalog only maps (and adds) rule rows; another one is refused unless
 * bSwitch, else its rules are added beside the old ones (no row is renumbered or removed: a
 * running collect's ids stay true) and every host's verdicts are recomputed. fnInTx (may be
 * NULL) runs first inside the transaction; its error rolls everything back. */
static int db_catalog_store(db_t *db, const cat_t *c, int bSwitch, db_intx_fn fnInTx, void *pArg,
                            size_t *pnRecomputed)
{
    char zHash[40];
    sqlite3_stmt *st = NULL;
    int64_t *aIds = NULL;
    size_t nIds = 0, nAlloc = 0, i, nText = 0;
    const char *zText;
    snap_t s;
    int rc, bSame;

    snap_init(&s);
    if ((rc = db_begin(db))) return rc;
    if (fnInTx && (rc = fnInTx(db, pArg))) goto out;
    if ((rc = db_meta_get(db, "catalog_hash", zHash, sizeof zHash)) == KBS_EDB) goto out;
    bSame = rc == KBS_OK && !strcmp(zHash, c->zHash);
    if (rc == KBS_OK && !bSame && !bSwitch) {
        rc = KBS_ECONFLICT;
        goto out;
    }
    if ((rc = db_rules_map(db, 1))) goto out;
    rc = KBS_EDB;
    if (sqlite3_prepare_v2(db->h, "UPDATE rule SET title = ?2, cves = ?3 WHERE id = ?1", -1, &st,
                           NULL))
        goto out;
    for (i = 0; i < c->nRule; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, db->aRuleId[i]);
        sqlite3_bind_text(st, 2, c->aRule[i].zTitle, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, c->aRule[i].zCves, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    zText = db_cat_text(db, c, &nText);
    if (db_meta_set(db, "catalog_source", c->zSource) ||
        (zText && db_meta_set_text(db, "catalog_text", zText, nText)))
        goto out;
    if (bSame) {
        rc = db_commit(db);
        goto out;
    }
    /* Another catalog (or none stored yet): every host's verdicts redone, all or nothing. */
    db_cache_clear(&db->vsetCache);
    if (db_exec(db, "UPDATE host SET verdict_set_id = NULL") || db_exec(db, "DELETE FROM verdict_set"))
        goto out;
    if (db_meta_set(db, "catalog_hash", c->zHash)) goto out;
    if (!zText && db_exec(db, "DELETE FROM meta WHERE key = 'catalog_text'")) goto out;
    if (sqlite3_prepare_v2(db->h, "SELECT id FROM host WHERE cur_scan_id IS NOT NULL", -1, &st,
                           NULL))
        goto out;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (nIds == nAlloc) {
            size_t nNew = nAlloc ? nAlloc * 2 : 1024;
            int64_t *a = realloc(aIds, nNew * sizeof *a);
            if (!a) { rc = KBS_ENOMEM; goto out; }
            aIds = a;
            nAlloc = nNew;
        }
        aIds[nIds++] = sqlite3_column_int64(st, 0);
    }
    if (rc != SQLITE_DONE) { rc = KBS_EDB; goto out; }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(db->h, "UPDATE host SET verdict_set_id = ?2 WHERE id = ?1", -1, &st,
                           NULL)) {
        rc = KBS_EDB;
        goto out;
    }
    for (i = 0; i < nIds; i++) {
        int64_t vsetId = 0;
        if ((rc = db_state_load(db, aIds[i], &s))) goto out;
        rc = db_verdict_set(db, &s, NULL, 0, &vsetId);
        snap_release(&s);
        if (rc) goto out;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, aIds[i]);
        sqlite3_bind_int64(st, 2, vsetId);
        if (sqlite3_step(st) != SQLITE_DONE) { rc = KBS_EDB; goto out; }
    }
    if ((rc = db_commit(db))) goto out;
    if (pnRecomputed) *pnRecomputed = nIds;
out:
    sqlite3_finalize(st);
    if (rc) db_rollback(db);
    snap_release(&s);
    free(aIds);
    return rc;
}

int db_use_catalog(db_t *db, const cat_t *c, size_t *pnRecomputed)
{
    char zHash[40];
    int rc;

    if (pnRecomputed) *pnRecomputed = 0;
    if ((rc = db_cat_set(db, c, 0))) return rc;
    if ((rc = db_meta_get(db, "catalog_hash", zHash, sizeof zHash)) == KBS_EDB) return rc;
    if (rc == KBS_OK && strcmp(zHash, c->zHash)) return KBS_ECONFLICT;
    if (rc == KBS_OK) {
        /* Same catalog: only the id map is needed (a read-only command must not write). */
        rc = db_rules_map(db, 0);
        if (rc != KBS_ENOTFOUND) return rc;
    }
    return db_catalog_store(db, c, 0, NULL, NULL, pnRecomputed);
}

int db_recompute_intx(db_t *db, const cat_t *c, db_intx_fn fnInTx, void *pArg,
                      size_t *pnRecomputed)
{
    int rc;
    if (pnRecomputed) *pnRecomputed = 0;
    if ((rc = db_cat_set(db, c, 0))) return rc;
    return db_catalog_store(db, c, 1, fnInTx, pArg, pnRecomputed);
}

int db_recompute(db_t *db, const cat_t *c, size_t *pnRecomputed)
{
    return db_recompute_intx(db, c, NULL, NULL, pnRecomputed);
}

int db_view_catalog(db_t *db, const cat_t *c)
{
    return db_cat_set(db, c, 1);
}

int db_catalog_check(db_t *db)
{
    char zHash[40];
    int rc = db_meta_get(db, "catalog_hash", zHash, sizeof zHash);
    if (rc == KBS_EDB) return rc;
    if (!db->cat || db->bView || rc != KBS_OK || strcmp(zHash, db->cat->zHash)) return KBS_ECONFLICT;
    return KBS_OK;
}

int db_stored_catalog(db_t *db, cat_t *pOut, char *zHash, size_t nHash)
{
    sqlite3_stmt *st = NULL;
    char zSource[sizeof pOut->zSource];
    int rc, r;
    memset(pOut, 0, sizeof *pOut);
    if ((rc = db_meta_get(db, "catalog_hash", zHash, nHash)) != KBS_OK) return rc;
    if (db_meta_get(db, "catalog_source", zSource, sizeof zSource) == KBS_EDB) return KBS_EDB;
    if (sqlite3_prepare_v2(db->h, "SELECT value FROM meta WHERE key = 'catalog_text'", -1, &st,
                           NULL))
        return KBS_EDB;
    r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        rc = cat_parse((const char *)sqlite3_column_blob(st, 0),
                       (size_t)sqlite3_column_bytes(st, 0), zSource[0] ? zSource : "stored",
                       pOut, NULL);
    else
        rc = r == SQLITE_DONE ? KBS_ENOTFOUND : KBS_EDB;
    sqlite3_finalize(st);
    if (!rc && strcmp(pOut->zHash, zHash)) {
        cat_release(pOut);
        rc = KBS_ENOTFOUND;
    }
    return rc;
}

/* ---- input files ---- */

int db_file_each(db_t *db, db_file_fn fn, void *pCtx)
{
    sqlite3_stmt *st = NULL;
    int rc = KBS_OK, s;
    if (sqlite3_prepare_v2(db->h, "SELECT path, size, mtime, hash FROM file", -1, &st, NULL))
        return KBS_EDB;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *zHash = (const char *)sqlite3_column_text(st, 3);
        uint64_t h = zHash ? strtoull(zHash, NULL, 16) : 0;
        rc = fn(pCtx, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
                sqlite3_column_int64(st, 2), h);
        if (rc) break;
    }
    if (!rc && s != SQLITE_DONE) rc = KBS_EDB;
    sqlite3_finalize(st);
    return rc;
}

int db_file_record(db_t *db, const db_file_t *f)
{
    sqlite3_stmt *st = db_stmt(db, DB_ST_FILE_UPSERT);
    char zHash[24];
    if (!st) return KBS_EDB;
    db_hex64(f->hash, zHash);
    sqlite3_bind_text(st, 1, f->zPath, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, f->size);
    sqlite3_bind_int64(st, 3, f->mtime);
    sqlite3_bind_text(st, 4, zHash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, f->zKind ? f->zKind : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)plat_time());
    return sqlite3_step(st) == SQLITE_DONE ? KBS_OK : KBS_EDB;
}

int db_counts(db_t *db, int64_t *pnHost, int64_t *pnScan, int64_t *pnSet, int64_t *pnVset)
{
    static const char *const azSql[4] = {"SELECT count(*) FROM host", "SELECT count(*) FROM scan",
                                         "SELECT count(*) FROM hotfix_set",
                                         "SELECT count(*) FROM verdict_set"};
    int64_t *ap[4];
    int i;
    ap[0] = pnHost;
    ap[1] = pnScan;
    ap[2] = pnSet;
    ap[3] = pnVset;
    for (i = 0; i < 4; i++) {
        sqlite3_stmt *st = NULL;
        if (!ap[i]) continue;
        if (sqlite3_prepare_v2(db->h, azSql[i], -1, &st, NULL)) return KBS_EDB;
        *ap[i] = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
        sqlite3_finalize(st);
        if (*ap[i] < 0) return KBS_EDB;
    }
    return KBS_OK;
}
