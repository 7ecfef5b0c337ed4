/* bench_dir.c: the directory: `inventory` of a Get-ADComputer CSV of 100,000 accounts, and a
 * report with the machines that never reported (35,640 reporting + 10,000 silent).
 * usage: bench_dir [ACCOUNTS [REPORTING [SILENT [DIR]]]] (defaults 100000 35640 10000, DIR: the
 * system's temporary folder). Prints wall and CPU milliseconds of each step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db.h"
#include "fleet.h"
#include "kbs_err.h"
#include "plat.h"
#include "rep.h"
#include "bench_util.h"

/* A Get-ADComputer | Export-Csv file of n accounts (first nHost named like the fleet's hosts). */
static int bench_csv(const char *zPath, size_t n, size_t nHost)
{
    FILE *f = plat_fopen(zPath, "wb");
    size_t i;
    if (!f) return KBS_EIO;
    fputs("#TYPE Microsoft.ActiveDirectory.Management.ADComputer\r\n\"DistinguishedName\","
          "\"DNSHostName\",\"Enabled\",\"lastLogonTimestamp\",\"Name\",\"ObjectClass\","
          "\"OperatingSystem\",\"OperatingSystemServicePack\",\"OperatingSystemVersion\","
          "\"SamAccountName\",\"whenCreated\"\r\n",
          f);
    for (i = 0; i < n; i++) {
        char zName[32];
        snprintf(zName, sizeof zName, i < nHost ? "PC%05lu" : "DIR%06lu", (unsigned long)i);
        fprintf(f,
                "\"CN=%s,OU=Site%02lu,OU=Desktops,DC=police,DC=example,DC=com\",\"%s.police.example."
                "com\",\"True\",\"131390514000000000\",\"%s\",\"computer\",\"Windows XP "
                "Professional\",\"Service Pack %d\",\"5.1 (2600)\",\"%s$\",\"3/4/2009 10:22:31 "
                "AM\"\r\n",
                zName, (unsigned long)(i % 40), zName, zName, i % 7 ? 3 : 2, zName);
    }
    return fclose(f) ? KBS_EIO : KBS_OK;
}

static int bench_run(const char *zWhat, int argc, char **argv)
{
    double t0 = plat_now_ms(), c0 = bench_cpu_ms();
    FILE *out = fopen("/dev/null", "wb");
    int rc = cli_main(argc, argv, out ? out : stdout, stderr);
    if (out) fclose(out);
    printf("%-58s %9.0f ms wall %9.0f ms CPU (exit %d)\n", zWhat, plat_now_ms() - t0,
           bench_cpu_ms() - c0, rc);
    return rc;
}

int main(int argc, char **argv)
{
    size_t nAcc = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 100000;
    size_t nRep = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : FLEET_N_2015;
    size_t nSil = argc > 3 ? (size_t)strtoul(argv[3], NULL, 10) : 10000, i;
    const char *zDir = argc > 4 ? argv[4] : "/tmp";
    char zCsv[512], zCsv2[512], zDb[512], zDb2[512], zWhat[128];
    char zDbOpt[600];
    db_t *db = NULL;
    cat_t cat;
    char zErr[DB_ERR_MAX];
    double t0;

    snprintf(zCsv, sizeof zCsv, "%s/bench_dir_%lu.csv", zDir, (unsigned long)nAcc);
    snprintf(zCsv2, sizeof zCsv2, "%s/bench_dir_fleet.csv", zDir);
    snprintf(zDb, sizeof zDb, "%s/bench_dir_inv.db", zDir);
    snprintf(zDb2, sizeof zDb2, "%s/bench_dir_rep.db", zDir);
    remove(zDb);
    remove(zDb2);

    /* 1. inventory of nAcc accounts from a CSV, into an empty database, then the same again */
    if (bench_csv(zCsv, nAcc, 0)) return 2;
    {
        char *av[] = {"kbsentry", "inventory", "--db", zDb, zCsv};
        snprintf(zWhat, sizeof zWhat, "inventory of %lu accounts (CSV), new database", (unsigned long)nAcc);
        bench_run(zWhat, 5, av);
        snprintf(zWhat, sizeof zWhat, "inventory of %lu accounts (CSV), again (updates)", (unsigned long)nAcc);
        bench_run(zWhat, 5, av);
    }

    /* 2. a report with nRep reporting machines (the 2015 fleet) and nSil that never reported */
    t0 = plat_now_ms();
    if (cat_load_default(&cat) || db_open(zDb2, &db, zErr, sizeof zErr) || db_use_catalog(db, &cat, NULL) ||
        db_begin(db))
        return 2;
    for (i = 0; i < nRep; i++) {
        snap_t s;
        db_ingest_res_t res;
        if (fleet_host(i, nRep, FLEET_MIX_2015, 1, &s, NULL) || db_ingest(db, &s, "bench", 0, &res)) return 2;
        snap_release(&s);
    }
    if (db_commit(db)) return 2;
    db_close(db);
    cat_release(&cat);
    printf("%-58s %9.0f ms wall (set-up, not a figure)\n", "storing the reporting fleet", plat_now_ms() - t0);
    if (bench_csv(zCsv2, nRep + nSil, nRep)) return 2;
    snprintf(zDbOpt, sizeof zDbOpt, "%s", zDb2);
    {
        char *av[] = {"kbsentry", "inventory", "--db", zDbOpt, zCsv2};
        snprintf(zWhat, sizeof zWhat, "inventory of %lu accounts (%lu reporting)", (unsigned long)(nRep + nSil),
                 (unsigned long)nRep);
        bench_run(zWhat, 5, av);
    }
    {
        char *av[] = {"kbsentry", "report", "--db", zDbOpt, "--as-of", "2015-06-30"};
        char *avCsv[] = {"kbsentry", "report", "--db", zDbOpt, "--as-of", "2015-06-30", "--format", "csv"};
        char *avRule[] = {"kbsentry", "report", "--db", zDbOpt, "--as-of", "2015-06-30", "--rule", "MS17-010"};
        snprintf(zWhat, sizeof zWhat, "report (table), %lu hosts + %lu silent", (unsigned long)nRep,
                 (unsigned long)nSil);
        bench_run(zWhat, 6, av);
        snprintf(zWhat, sizeof zWhat, "report --format csv, %lu hosts + %lu silent", (unsigned long)nRep,
                 (unsigned long)nSil);
        bench_run(zWhat, 8, avCsv);
        snprintf(zWhat, sizeof zWhat, "report --rule MS17-010, %lu hosts + %lu silent", (unsigned long)nRep,
                 (unsigned long)nSil);
        bench_run(zWhat, 8, avRule);
    }
    printf("%-58s %9.0f MB\n", "peak resident memory", bench_peak_rss_mb());
    remove(zCsv);
    remove(zCsv2);
    return 0;
}
