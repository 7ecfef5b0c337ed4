/* os.c: OS facts -> platform family, release (build -> release table) and display name. */
#include "os.h"

#include <stdio.h>
#include <string.h>

#include "kbs_err.h"

/* Windows 10/11 client builds and the marketing release each one is. LTSB/LTSC editions share
 * the build of their semi-annual twin (2015 = 10240, 2016 = 14393, 2019 = 17763, 2021 = 19044,
 * 2024 = 26100), so the build alone names the release. */
static const struct {
    uint32_t build;
    const char *zRel;
} aClientRel[] = {
    {10240, "1507"}, {10586, "1511"}, {14393, "1607"}, {15063, "1703"}, {16299, "1709"},
    {17134, "1803"}, {17763, "1809"}, {18362, "1903"}, {18363, "1909"}, {19041, "2004"},
    {19042, "20H2"}, {19043, "21H1"}, {19044, "21H2"}, {19045, "22H2"},
    /* Windows 11 */
    {22000, "21H2"}, {22621, "22H2"}, {22631, "23H2"}, {26100, "24H2"},
};

/* Server builds of the 10.0 kernel. The long-term servicing releases are families of their own;
 * the semi-annual (and the 23H2 annual) channel servers share OS_FAM_SERVER_SAC. 17763 is both
 * Server 2019 and SAC 1809: they get the same fixes, so it is reported as 2019. */
static const struct {
    uint32_t build;
    os_family_t fam;
    const char *zRel;
} aServerRel[] = {
    {14393, OS_FAM_2016, "1607"},       {16299, OS_FAM_SERVER_SAC, "1709"},
    {17134, OS_FAM_SERVER_SAC, "1803"}, {17763, OS_FAM_2019, "1809"},
    {18362, OS_FAM_SERVER_SAC, "1903"}, {18363, OS_FAM_SERVER_SAC, "1909"},
    {19041, OS_FAM_SERVER_SAC, "2004"}, {19042, OS_FAM_SERVER_SAC, "20H2"},
    {20348, OS_FAM_2022, "21H2"},       {25398, OS_FAM_SERVER_SAC, "23H2"},
    {26100, OS_FAM_2025, "24H2"},
};

static const char *const azFamKey[OS_FAM_COUNT] = {
    [OS_FAM_UNKNOWN] = "unknown", [OS_FAM_NT4] = "nt4",       [OS_FAM_2000] = "2000",
    [OS_FAM_XP] = "xp",           [OS_FAM_XP64] = "xp64",     [OS_FAM_2003] = "2003",
    [OS_FAM_VISTA] = "vista",     [OS_FAM_2008] = "2008",     [OS_FAM_7] = "7",
    [OS_FAM_2008R2] = "2008r2",   [OS_FAM_8] = "8",           [OS_FAM_2012] = "2012",
    [OS_FAM_81] = "8.1",          [OS_FAM_2012R2] = "2012r2", [OS_FAM_10] = "10",
    [OS_FAM_11] = "11",           [OS_FAM_2016] = "2016",     [OS_FAM_2019] = "2019",
    [OS_FAM_2022] = "2022",       [OS_FAM_2025] = "2025",     [OS_FAM_SERVER_SAC] = "server-sac",
};

/* Display names without SP/arch/release; servers start with "Server". */
static const char *const azFamName[OS_FAM_COUNT] = {
    [OS_FAM_UNKNOWN] = "Unknown OS",        [OS_FAM_NT4] = "Windows NT 4.0",
    [OS_FAM_2000] = "Windows 2000",         [OS_FAM_XP] = "Windows XP",
    [OS_FAM_XP64] = "Windows XP x64",       [OS_FAM_2003] = "Server 2003",
    [OS_FAM_VISTA] = "Windows Vista",       [OS_FAM_2008] = "Server 2008",
    [OS_FAM_7] = "Windows 7",               [OS_FAM_2008R2] = "Server 2008 R2",
    [OS_FAM_8] = "Windows 8",               [OS_FAM_2012] = "Server 2012",
    [OS_FAM_81] = "Windows 8.1",            [OS_FAM_2012R2] = "Server 2012 R2",
    [OS_FAM_10] = "Windows 10",             [OS_FAM_11] = "Windows 11",
    [OS_FAM_2016] = "Server 2016",          [OS_FAM_2019] = "Server 2019",
    [OS_FAM_2022] = "Server 2022",          [OS_FAM_2025] = "Server 2025",
    [OS_FAM_SERVER_SAC] = "Server",
};

static const char *const azArchKey[] = {"unknown", "x86", "x64", "ia64", "arm64"};

const char *os_family_key(os_family_t fam)
{
    if ((int)fam < 0 || fam >= OS_FAM_COUNT) return "unknown";
    return azFamKey[fam];
}

os_family_t os_family_from_key(const char *zKey)
{
    int i;
    if (!zKey) return OS_FAM_UNKNOWN;
    for (i = 1; i < OS_FAM_COUNT; i++) {
        if (strcmp(zKey, azFamKey[i]) == 0) return (os_family_t)i;
    }
    return OS_FAM_UNKNOWN;
}

const char *os_arch_key(os_arch_t arch)
{
    if ((int)arch < 0 || (size_t)arch >= sizeof azArchKey / sizeof azArchKey[0]) return "unknown";
    return azArchKey[arch];
}

os_arch_t os_arch_from_key(const char *zKey)
{
    size_t i;
    if (!zKey) return OS_ARCH_UNKNOWN;
    for (i = 1; i < sizeof azArchKey / sizeof azArchKey[0]; i++) {
        if (strcmp(zKey, azArchKey[i]) == 0) return (os_arch_t)i;
    }
    return OS_ARCH_UNKNOWN;
}

/* Case-insensitive substring test for ASCII needles. */
static int has_word(const char *zHay, const char *zNeedle)
{
    size_t n = strlen(zNeedle), i;
    for (; *zHay; zHay++) {
        for (i = 0; i < n; i++) {
            char a = zHay[i], b = zNeedle[i];
            if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
            if (b >= 'A' && b <= 'Z') b = (char)(b - 'A' + 'a');
            if (a != b) break;
        }
        if (i == n) return 1;
    }
    return 0;
}

int os_sp_major(const os_info_t *pOs)
{
    const char *z;
    if (pOs->sp_known) return (int)pOs->sp_major;
    /* Sources that give only the CSD text ("Service Pack 3") still tell the SP. */
    z = pOs->zCsdVersion;
    if (strncmp(z, "Service Pack ", 13) == 0 && z[13] >= '0' && z[13] <= '9' &&
        (z[14] == 0 || z[14] == ' ' || z[14] == ',')) {
        return z[13] - '0';
    }
    /* Windows 10 and later have no service packs at all. */
    if (pOs->major >= 10) return 0;
    return -1;
}

int os_is_server(const os_info_t *pOs)
{
    if (pOs->product_type == OS_PT_SERVER || pOs->product_type == OS_PT_DC) return 1;
    if (pOs->product_type == OS_PT_WORKSTATION) return 0;
    /* Product type unknown (an agentless import): the product name tells, then builds that exist
     * only as a server, then the one kernel without a workstation x86 edition (5.2 x86). */
    if (has_word(pOs->zProductName, "server")) return 1;
    if (pOs->zProductName[0]) return 0;
    if (pOs->major == 10 && (pOs->build == 20348 || pOs->build == 25398)) return 1;
    if (pOs->major == 5 && pOs->minor == 2 && pOs->arch != OS_ARCH_X64) return 1;
    return 0;
}

static os_family_t family_of(const os_info_t *pOs, int bServer)
{
    uint32_t mj = pOs->major, mn = pOs->minor;
    size_t i;

    if (mj == 4 && mn == 0) return OS_FAM_NT4;
    if (mj == 5 && mn == 0) return OS_FAM_2000;
    if (mj == 5 && mn == 1) return OS_FAM_XP;
    /* 5.2 workstation is XP Professional x64 (and the IA64 XP 2003 edition, serviced alike). */
    if (mj == 5 && mn == 2) return bServer ? OS_FAM_2003 : OS_FAM_XP64;
    if (mj == 6 && mn == 0) return bServer ? OS_FAM_2008 : OS_FAM_VISTA;
    if (mj == 6 && mn == 1) return bServer ? OS_FAM_2008R2 : OS_FAM_7;
    if (mj == 6 && mn == 2) return bServer ? OS_FAM_2012 : OS_FAM_8;
    if (mj == 6 && mn == 3) return bServer ? OS_FAM_2012R2 : OS_FAM_81;
    if (mj == 10 && mn == 0) {
        if (!bServer) {
            if (pOs->build == 0) return OS_FAM_UNKNOWN;
            return pOs->build >= 22000 ? OS_FAM_11 : OS_FAM_10;
        }
        for (i = 0; i < sizeof aServerRel / sizeof aServerRel[0]; i++) {
            if (aServerRel[i].build == pOs->build) return aServerRel[i].fam;
        }
        /* An unlisted 10.0 server build (preview, or newer than the table): not guessed. */
        return OS_FAM_UNKNOWN;
    }
    return OS_FAM_UNKNOWN;
}

static void release_of(const os_info_t *pOs, os_family_t fam, char *zRel, size_t nRel)
{
    size_t i;
    zRel[0] = 0;
    if (fam == OS_FAM_10 || fam == OS_FAM_11) {
        for (i = 0; i < sizeof aClientRel / sizeof aClientRel[0]; i++) {
            if (aClientRel[i].build == pOs->build) {
                snprintf(zRel, nRel, "%s", aClientRel[i].zRel);
                return;
            }
        }
    } else if (fam >= OS_FAM_2016 && fam <= OS_FAM_SERVER_SAC) {
        for (i = 0; i < sizeof aServerRel / sizeof aServerRel[0]; i++) {
            if (aServerRel[i].build == pOs->build) {
                snprintf(zRel, nRel, "%s", aServerRel[i].zRel);
                return;
            }
        }
    } else {
        return;
    }
    /* A build newer than the table: trust what the machine calls itself, if it says. */
    for (i = 0; pOs->zDisplayVersion[i] && i + 1 < nRel; i++) {
        char ch = pOs->zDisplayVersion[i];
        if (!((ch >= '0' && ch <= '9') || ch == 'H' || ch == 'h')) {
            i = 0;
            break;
        }
        zRel[i] = ch == 'h' ? 'H' : ch;
    }
    zRel[i] = 0;
}

int os_identify(const os_info_t *pOs, os_ident_t *pOut)
{
    int bServer = os_is_server(pOs);
    int sp = os_sp_major(pOs);
    os_family_t fam = family_of(pOs, bServer);
    char zSp[16] = "", zArch[16] = "";
    const char *zR2 = "";

    memset(pOut, 0, sizeof *pOut);
    pOut->family = fam;
    if (fam == OS_FAM_UNKNOWN) {
        snprintf(pOut->zName, sizeof pOut->zName, "Unknown OS %u.%u.%u", (unsigned)pOs->major,
                 (unsigned)pOs->minor, (unsigned)pOs->build);
        return KBS_ENOTFOUND;
    }
    release_of(pOs, fam, pOut->zRelease, sizeof pOut->zRelease);

    if (sp > 0) snprintf(zSp, sizeof zSp, " SP%d", sp);
    /* Clients ship in two architectures each, so their name carries it; XP x64 says it already. */
    if (!bServer && fam != OS_FAM_XP64 && pOs->arch != OS_ARCH_UNKNOWN)
        snprintf(zArch, sizeof zArch, " %s", os_arch_key(pOs->arch));
    if (fam == OS_FAM_2003 && has_word(pOs->zProductName, "R2")) zR2 = " R2";

    switch (fam) {
    case OS_FAM_10:
    case OS_FAM_11:
        snprintf(pOut->zName, sizeof pOut->zName, "%s%s%s%s", azFamName[fam],
                 pOut->zRelease[0] ? " " : "", pOut->zRelease, zArch);
        break;
    case OS_FAM_SERVER_SAC:
        snprintf(pOut->zName, sizeof pOut->zName, "Server %s",
                 pOut->zRelease[0] ? pOut->zRelease : "SAC");
        break;
    case OS_FAM_2016:
    case OS_FAM_2019:
    case OS_FAM_2022:
    case OS_FAM_2025:
        snprintf(pOut->zName, sizeof pOut->zName, "%s", azFamName[fam]);
        break;
    default:
        snprintf(pOut->zName, sizeof pOut->zName, "%s%s%s%s", azFamName[fam], zR2, zSp, zArch);
        break;
    }
    return KBS_OK;
}
