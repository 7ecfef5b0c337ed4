/* catgen_map.c: MSRC product names ("Windows 7 for x64-based Systems Service Pack 1") to platforms. */
#include <stdio.h>
#include <string.h>

#include "catgen_int.h"

#define CATGEN_NAME_MAX 160

/* Windows 10 / 11 / SAC server releases as MSRC spells them, and their builds. */
static const struct {
    const char *zRel;
    uint32_t build10, build11, buildSac;
} catgen_aRel[] = {
    {"1511", 10586, 0, 0},         {"1607", 14393, 0, 0},         {"1703", 15063, 0, 0},
    {"1709", 16299, 0, 16299},     {"1803", 17134, 0, 17134},     {"1809", 17763, 0, 0},
    {"1903", 18362, 0, 18362},     {"1909", 18363, 0, 18363},     {"2004", 19041, 0, 19041},
    {"20h2", 19042, 0, 19042},     {"21h1", 19043, 0, 0},         {"21h2", 19044, 22000, 0},
    {"22h2", 19045, 22621, 0},     {"23h2", 0, 22631, 0},         {"24h2", 0, 26100, 0},
    {"25h2", 0, 26200, 0},         {"26h1", 0, 28000, 0},
};

int catgen_is_rollup_family(os_family_t fam)
{
    return fam == OS_FAM_7 || fam == OS_FAM_2008R2 || fam == OS_FAM_81 || fam == OS_FAM_2012 ||
           fam == OS_FAM_2012R2 || fam == OS_FAM_2008 || fam == OS_FAM_VISTA;
}

int catgen_is_cumulative(os_family_t fam)
{
    return catgen_is_rollup_family(fam) || fam == OS_FAM_10 || fam == OS_FAM_11 ||
           fam == OS_FAM_2016 || fam == OS_FAM_2019 || fam == OS_FAM_2022 || fam == OS_FAM_2025 ||
           fam == OS_FAM_SERVER_SAC;
}

/* Consumes zWord at *pz (with the blank after it, if any). */
static int catgen_eat(const char **pz, const char *zWord)
{
    size_t n = strlen(zWord);
    if (strncmp(*pz, zWord, n) != 0) return 0;
    if ((*pz)[n] != 0 && (*pz)[n] != ' ' && zWord[n - 1] != ' ') return 0;
    *pz += n;
    while (**pz == ' ') (*pz)++;
    return 1;
}

/* "for 32-bit systems", "for x64-based systems", "x64 edition", ...: the architecture. */
static int catgen_arch(const char **pz, os_arch_t *pArch)
{
    static const struct {
        const char *z;
        os_arch_t arch;
    } a[] = {{"for 32-bit systems", OS_ARCH_X86},     {"for x64-based systems", OS_ARCH_X64},
             {"for itanium-based systems", OS_ARCH_IA64}, {"for arm64-based systems", OS_ARCH_ARM64},
             {"for arm systems", OS_ARCH_ARM64},        {"x64 edition", OS_ARCH_X64},
             {"for itanium-based systems", OS_ARCH_IA64}};
    size_t i;
    for (i = 0; i < sizeof a / sizeof a[0]; i++) {
        if (catgen_eat(pz, a[i].z)) {
            *pArch = a[i].arch;
            return 1;
        }
    }
    return 0;
}

/* "service pack N" (N = 1..6) or nothing (0). Returns 0, or -1 on junk. */
static int catgen_sp(const char **pz, int *pSp)
{
    *pSp = 0;
    if (catgen_eat(pz, "service pack")) {
        if (**pz < '1' || **pz > '6') return -1;
        *pSp = **pz - '0';
        (*pz)++;
        while (**pz == ' ') (*pz)++;
    }
    return 0;
}

/* Maps the lower-cased, blank-normalised name z. Returns the kind; *p filled for OS. */
static catgen_pkind_t catgen_map_os(const char *z, catgen_plat_t *p)
{
    size_t i;
    int b11 = 0;
    memset(p, 0, sizeof *p);
    p->sp = -1;
    catgen_eat(&z, "microsoft");
    if (!catgen_eat(&z, "windows")) return CATGEN_P_OTHER;
    if (catgen_eat(&z, "2000")) {
        p->family = OS_FAM_2000;
        p->arch = OS_ARCH_X86;
        if (catgen_sp(&z, &p->sp)) return CATGEN_P_UNTRACKED;
    } else if (catgen_eat(&z, "xp")) {
        p->family = OS_FAM_XP;
        p->arch = OS_ARCH_X86;
        if (catgen_eat(&z, "professional x64 edition")) {
            p->family = OS_FAM_XP64;
            p->arch = OS_ARCH_X64;
        } else if (!catgen_eat(&z, "media center edition 2005")) {
            catgen_eat(&z, "tablet pc edition 2005");
        }
        if (catgen_sp(&z, &p->sp)) return CATGEN_P_UNTRACKED;
    } else if (catgen_eat(&z, "server 2003")) {
        p->family = OS_FAM_2003;
        p->arch = OS_ARCH_X86;
        catgen_eat(&z, "r2");
        catgen_arch(&z, &p->arch);
        if (catgen_sp(&z, &p->sp)) return CATGEN_P_UNTRACKED;
    } else if (catgen_eat(&z, "vista")) {
        p->family = OS_FAM_VISTA;
        p->arch = OS_ARCH_X86;
        catgen_arch(&z, &p->arch);
        if (catgen_sp(&z, &p->sp)) return CATGEN_P_UNTRACKED;
    } else if (catgen_eat(&z, "server 2008 r2")) {
        p->family = OS_FAM_2008R2;
        if (!catgen_arch(&z, &p->arch) || catgen_sp(&z, &p->sp)) return CATGEN_P_UNTRACKED;
    } else if (catgen_eat(&z, "server 2008")) {
        p->family = OS_FAM_2008;
        if (!catgen_arch(&z, &p->arch) || catgen_sp(&z, &p->sp)) return CATGEN_P_UNTRACKED;
    } else if (catgen_eat(&z, "7")) {
        p->family = OS_FAM_7;
        if (!catgen_arch(&z, &p->arch) || catgen_sp(&z, &p->sp)) return CATGEN_P_UNTRACKED;
    } else if (catgen_eat(&z, "8.1")) {
        p->family = OS_FAM_81;
        if (!catgen_arch(&z, &p->arch)) return CATGEN_P_UNTRACKED;
    } else if (catgen_eat(&z, "8")) {
        p->family = OS_FAM_8;
        if (!catgen_arch(&z, &p->arch)) return CATGEN_P_UNTRACKED;
    } else if (catgen_eat(&z, "server 2012 r2")) {
        p->family = OS_FAM_2012R2;
        p->arch = OS_ARCH_X64;
    } else if (catgen_eat(&z, "server 2012")) {
        p->family = OS_FAM_2012;
        p->arch = OS_ARCH_X64;
    } else if (catgen_eat(&z, "server 2016")) {
        p->family = OS_FAM_2016;
        p->arch = OS_ARCH_X64;
        p->build = 14393;
    } else if (catgen_eat(&z, "server 2019")) {
        p->family = OS_FAM_2019;
        p->arch = OS_ARCH_X64;
        p->build = 17763;
    } else if (catgen_eat(&z, "server 2022, 23h2 edition")) {
        p->family = OS_FAM_SERVER_SAC;
        p->arch = OS_ARCH_X64;
        p->build = 25398;
    } else if (catgen_eat(&z, "server 2022")) {
        p->family = OS_FAM_2022;
        p->arch = OS_ARCH_X64;
        p->build = 20348;
    } else if (catgen_eat(&z, "server 2025")) {
        p->family = OS_FAM_2025;
        p->arch = OS_ARCH_X64;
        p->build = 26100;
    } else if (catgen_eat(&z, "server, version")) {
        p->family = OS_FAM_SERVER_SAC;
        p->arch = OS_ARCH_X64;
        for (i = 0; i < sizeof catgen_aRel / sizeof catgen_aRel[0]; i++)
            if (catgen_aRel[i].buildSac && catgen_eat(&z, catgen_aRel[i].zRel)) p->build = catgen_aRel[i].buildSac;
        if (!p->build) return CATGEN_P_UNTRACKED;
    } else if (catgen_eat(&z, "10") || (b11 = catgen_eat(&z, "11")) != 0) {
        p->family = b11 ? OS_FAM_11 : OS_FAM_10;
        p->build = b11 ? 22000 : 10240;
        if (catgen_eat(&z, "version")) {
            p->build = 0;
            for (i = 0; i < sizeof catgen_aRel / sizeof catgen_aRel[0] && !p->build; i++) {
                uint32_t b = b11 ? catgen_aRel[i].build11 : catgen_aRel[i].build10;
                if (b && catgen_eat(&z, catgen_aRel[i].zRel)) p->build = b;
            }
            if (!p->build) return CATGEN_P_UNTRACKED;
        }
        if (!catgen_arch(&z, &p->arch)) return CATGEN_P_UNTRACKED;
        if (p->build == 22000 && !b11) return CATGEN_P_UNTRACKED;
    } else {
        return CATGEN_P_UNTRACKED; /* Windows RT, Windows Embedded, ... */
    }
    /* Server Core installations are the same platform to us. */
    catgen_eat(&z, "(server core installation)");
    if (*z) return CATGEN_P_UNTRACKED; /* trailing words we do not know ("- extra", "for hololens") */
    /* Service packs exist up to Windows 7 / Server 2008 R2. */
    if (p->family >= OS_FAM_8) p->sp = -1;
    else if (p->sp < 0) p->sp = 0;
    /* Server 2008 shipped at the Vista SP1 level (6.0.6001): "Service Pack 1" to Windows. */
    if (p->family == OS_FAM_2008 && p->sp == 0) p->sp = 1;
    return CATGEN_P_OS;
}

catgen_pkind_t catgen_product(const char *zName, catgen_plat_t *pPlat)
{
    char z[CATGEN_NAME_MAX];
    size_t n = 0;
    const char *zIn = zName, *zRest;
    catgen_pkind_t kind;
    /* Lower case, blanks collapsed and trimmed: the data spells the same product several ways
     * ("x64-based systems" / "x64-based Systems", trailing blanks). */
    while (*zIn == ' ') zIn++;
    for (; *zIn && n + 1 < sizeof z; zIn++) {
        char c = *zIn;
        if (c == ' ' && (n == 0 || z[n - 1] == ' ')) continue;
        z[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    if (*zIn) return CATGEN_P_OTHER;
    while (n && z[n - 1] == ' ') n--;
    z[n] = 0;
    if (strncmp(z, "adobe flash player", 18) == 0) return CATGEN_P_OTHER;
    zRest = z;
    /* Server 2012 keeps Internet Explorer 10: the same clue for its rollups. */
    if (catgen_eat(&zRest, "internet explorer 11 on") || catgen_eat(&zRest, "internet explorer 10 on")) {
        kind = catgen_map_os(zRest, pPlat);
        return kind == CATGEN_P_OS ? CATGEN_P_IE11 : CATGEN_P_OTHER;
    }
    return catgen_map_os(z, pPlat);
}
