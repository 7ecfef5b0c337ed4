/* fleet.c: synthetic fleets of agent snapshots (the 2015 and 2017 police fleets) for benchmarks and demos. */
#include "fleet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbs_err.h"
#include "plat.h"

#define FLEET_LEVELS 40          /* distinct patch levels a managed fleet is spread over */
#define FLEET_SITE_HOSTS 360     /* hosts per drop folder */
#define FLEET_DAY 86400

/* splitmix64: a small, well-mixed generator; one stream per host so hosts are independent. */
static uint64_t fleet_rand(uint64_t *pState)
{
    uint64_t z = (*pState += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

int fleet_mix_from_name(const char *zName)
{
    if (!strcmp(zName, "2015")) return FLEET_MIX_2015;
    if (!strcmp(zName, "2017")) return FLEET_MIX_2017;
    return -1;
}

size_t fleet_default_n(fleet_mix_t mix)
{
    return mix == FLEET_MIX_2015 ? FLEET_N_2015 : FLEET_N_2017;
}

int64_t fleet_now(fleet_mix_t mix)
{
    /* 2015-06-01 and 2017-05-15 (three days after WannaCry), 09:00 UTC. */
    return mix == FLEET_MIX_2015 ? 1433149200 : 1494838800;
}

enum fleet_kind { FLEET_XP, FLEET_81, FLEET_10 };

static enum fleet_kind fleet_kind_of(size_t i, size_t n, fleet_mix_t mix)
{
    uint64_t pos;
    if (mix == FLEET_MIX_2015) return FLEET_XP;
    /* The real proportions, spread evenly over any n. */
    pos = (uint64_t)i * FLEET_N_2017 / (n ? n : 1);
    pos = (pos * 7919) % FLEET_N_2017; /* interleave the kinds across sites */
    if (pos < 18293) return FLEET_XP;
    if (pos < 18293 + 14450) return FLEET_81;
    return FLEET_10;
}

/* The level's hotfix list: the first 150..250 of the OS's update sequence (what WSUS approved
 * so far), plus the emergency fixes the level has. */
static int fleet_hotfixes(snap_t *s, enum fleet_kind k, unsigned level, int bMs17, int bOld)
{
    unsigned nKb = 150 + level * 100 / (FLEET_LEVELS - 1), j;
    unsigned src = k == FLEET_XP ? (SNAP_SRC_QFE | SNAP_SRC_UPDATES) : (SNAP_SRC_QFE | SNAP_SRC_CBS);
    int cbs = k == FLEET_XP ? -1 : SNAP_CBS_INSTALLED;
    char zKb[24], zDate[24];
    int rc;
    for (j = 0; j < nKb; j++) {
        unsigned num = (k == FLEET_XP ? 2500000u : 3000000u) + j * 1931u;
        snprintf(zKb, sizeof zKb, "KB%u", num);
        snprintf(zDate, sizeof zDate, "20%02u-%02u-15", 10 + j / 48, 1 + j / 4 % 12);
        if ((rc = snap_add_hotfix(s, zKb, src, zDate, cbs))) return rc;
    }
    if (k == FLEET_XP && bOld) {
        static const char *const azOld[] = {"KB958644", "KB2286198", "KB2347290", "KB2621440"};
        for (j = 0; j < 4; j++)
            if ((rc = snap_add_hotfix(s, azOld[j], src, "2012-04-10", cbs))) return rc;
    }
    if (bMs17) {
        const char *zFix = k == FLEET_XP ? "KB4012598" : k == FLEET_81 ? "KB4019215" : "KB4019472";
        if ((rc = snap_add_hotfix(s, zFix, src, "2017-05-13", cbs))) return rc;
    }
    return KBS_OK;
}

static int fleet_file(snap_t *s, const char *zName, const char *zVer)
{
    char zPath[SNAP_PATH_MAX];
    ver_t v;
    snprintf(zPath, sizeof zPath, "%%SystemRoot%%\\System32\\%s%s",
             strstr(zName, ".sys") ? "drivers\\" : "", zName);
    ver_parse(zVer, &v);
    return snap_add_file(s, zPath, 1, &v, "");
}

int fleet_host(size_t i, size_t n, fleet_mix_t mix, uint32_t seed, snap_t *s, fleet_stats_t *pSt)
{
    uint64_t rs = ((uint64_t)seed << 32) ^ (uint64_t)i ^ 0x6b627365ULL;
    enum fleet_kind k = fleet_kind_of(i, n, mix);
    unsigned level = (unsigned)(fleet_rand(&rs) % FLEET_LEVELS);
    int bSp2 = k == FLEET_XP && fleet_rand(&rs) % 50 == 0;
    int bStale = fleet_rand(&rs) % 25 == 0;
    int bMs17 = level >= 6 && !bSp2;
    uint64_t g1 = fleet_rand(&rs), g2 = fleet_rand(&rs);
    int64_t age = bStale ? (int64_t)(31 + fleet_rand(&rs) % 170) * FLEET_DAY
                         : (int64_t)(fleet_rand(&rs) % (3 * FLEET_DAY));
    int rc;

    snap_init(s);
    snprintf(s->zOrigin, sizeof s->zOrigin, "agent");
    snprintf(s->zHost, sizeof s->zHost, "%s%05lu", k == FLEET_XP ? "PC" : k == FLEET_81 ? "WS" : "NB",
             (unsigned long)i);
    snprintf(s->zDomain, sizeof s->zDomain, "POLICE");
    snprintf(s->zMachineId, sizeof s->zMachineId, "{%08x-%04x-%04x-%04x-%012llx}",
             (unsigned)(g1 >> 32), (unsigned)(g1 >> 16) & 0xffff, 0x4000 | ((unsigned)g1 & 0x0fff),
             0x8000 | ((unsigned)(g2 >> 48) & 0x3fff), (unsigned long long)(g2 & 0xffffffffffffULL));
    snprintf(s->zAgentVersion, sizeof s->zAgentVersion, "0.1.0");
    s->scanTime = fleet_now(mix) - age;
    s->osKnown = 1;
    s->os.product_type = OS_PT_WORKSTATION;
    s->os.sp_known = 1;
    snprintf(s->os.zUiLanguage, sizeof s->os.zUiLanguage, "en-GB");
    snprintf(s->os.zInstallDate, sizeof s->os.zInstallDate, "2009-0%u-1%uT08:00:00Z",
             1 + level % 9, level % 10);
    if (k == FLEET_XP) {
        s->os.major = 5, s->os.minor = 1, s->os.build = 2600, s->os.arch = OS_ARCH_X86;
        s->os.sp_major = bSp2 ? 2 : 3;
        snprintf(s->os.zProductName, sizeof s->os.zProductName, "Microsoft Windows XP Professional");
        snprintf(s->os.zEdition, sizeof s->os.zEdition, "Professional");
        snprintf(s->os.zCsdVersion, sizeof s->os.zCsdVersion, "Service Pack %u", s->os.sp_major);
    } else if (k == FLEET_81) {
        s->os.major = 6, s->os.minor = 3, s->os.build = 9600, s->os.arch = OS_ARCH_X64;
        snprintf(s->os.zProductName, sizeof s->os.zProductName, "Windows 8.1 Enterprise");
        snprintf(s->os.zEdition, sizeof s->os.zEdition, "Enterprise");
    } else {
        s->os.major = 10, s->os.minor = 0, s->os.build = 14393, s->os.arch = OS_ARCH_X64;
        s->os.ubr = bMs17 ? 1198 : 447;
        snprintf(s->os.zProductName, sizeof s->os.zProductName, "Windows 10 Enterprise");
        snprintf(s->os.zEdition, sizeof s->os.zEdition, "Enterprise");
        snprintf(s->os.zDisplayVersion, sizeof s->os.zDisplayVersion, "1607");
    }
    if ((rc = snap_add_source(s, "wmi-os", 1, "")) || (rc = snap_add_source(s, "wmi-qfe", 1, "")))
        goto out;
    if (k == FLEET_XP) {
        if ((rc = snap_add_source(s, "reg-updates", 1, "")) ||
            (rc = snap_add_source(s, "reg-hotfix", 1, "")))
            goto out;
    } else if ((rc = snap_add_source(s, "reg-cbs", 1, ""))) {
        goto out;
    }
    if ((rc = snap_add_source(s, "files", 1, ""))) goto out;
    if ((rc = fleet_hotfixes(s, k, level, bMs17, level >= 2))) goto out;
    if (k == FLEET_XP) {
        int bOld = level >= 2;
        if ((rc = fleet_file(s, "srv.sys", bMs17 ? "5.1.2600.7208" : "5.1.2600.6475")) ||
            (rc = fleet_file(s, "netapi32.dll", bSp2 ? "5.1.2600.3462" : "5.1.2600.5694")) ||
            (rc = fleet_file(s, "termdd.sys", "5.1.2600.5512")) ||
            (rc = fleet_file(s, "rdpwd.sys", bOld ? "5.1.2600.6187" : "5.1.2600.5512")) ||
            (rc = fleet_file(s, "shell32.dll", bOld ? "6.0.2900.6018" : "6.0.2900.5512")) ||
            (rc = fleet_file(s, "spoolsv.exe", bOld ? "5.1.2600.6024" : "5.1.2600.5512")))
            goto out;
    } else if (k == FLEET_81) {
        if ((rc = fleet_file(s, "srv.sys", bMs17 ? "6.3.9600.18604" : "6.3.9600.18524"))) goto out;
    } else if ((rc = fleet_file(s, "srv.sys", bMs17 ? "10.0.14393.953" : "10.0.14393.447"))) {
        goto out;
    }
    if (pSt) {
        pSt->nHost++;
        pSt->nXp += k == FLEET_XP;
        pSt->nXpSp2 += bSp2;
        pSt->n81 += k == FLEET_81;
        pSt->n10 += k == FLEET_10;
        pSt->nMissing17010 += !bMs17 && !bSp2;
        pSt->nStale += bStale;
        pSt->nLevel = FLEET_LEVELS;
    }
out:
    if (rc) snap_release(s);
    return rc;
}

int fleet_generate(const char *zDir, size_t n, fleet_mix_t mix, uint32_t seed, fleet_stats_t *pSt)
{
    return fleet_generate_at(zDir, n, mix, seed, 0, pSt);
}

int fleet_generate_at(const char *zDir, size_t n, fleet_mix_t mix, uint32_t seed, int64_t shift,
                      fleet_stats_t *pSt)
{
    size_t i, nDirLen = strlen(zDir);
    char *zPath = malloc(nDirLen + 64), *zText = NULL;
    size_t nText = 0;
    snap_t s;
    int rc;

    snap_init(&s);
    if (!zPath) return KBS_ENOMEM;
    if ((rc = plat_mkdir(zDir))) goto out;
    for (i = 0; i < n; i++) {
        FILE *f;
        if (i % FLEET_SITE_HOSTS == 0) {
            snprintf(zPath, nDirLen + 64, "%s/site-%03lu", zDir, (unsigned long)(i / FLEET_SITE_HOSTS));
            if ((rc = plat_mkdir(zPath))) goto out;
        }
        if ((rc = fleet_host(i, n, mix, seed, &s, pSt))) goto out;
        s.scanTime += shift;
        if ((rc = snap_write(&s, &zText, &nText))) goto out;
        snprintf(zPath, nDirLen + 64, "%s/site-%03lu/%s.kbs", zDir,
                 (unsigned long)(i / FLEET_SITE_HOSTS), s.zHost);
        snap_release(&s);
        if (!(f = plat_fopen(zPath, "wb"))) { rc = KBS_EIO; goto out; }
        if (fwrite(zText, 1, nText, f) != nText) rc = KBS_EIO;
        if (fclose(f) != 0) rc = KBS_EIO;
        if (rc) goto out;
        if (pSt) pSt->nByte += nText;
        free(zText);
        zText = NULL;
    }
out:
    free(zText);
    free(zPath);
    snap_release(&s);
    return rc;
}
