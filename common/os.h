/* os.h: OS facts of one machine and their mapping to a platform family and release name. */
#ifndef KBS_OS_H
#define KBS_OS_H

#include <stddef.h>
#include <stdint.h>

typedef enum os_arch {
    OS_ARCH_UNKNOWN = 0,
    OS_ARCH_X86,
    OS_ARCH_X64,
    OS_ARCH_IA64,
    OS_ARCH_ARM64,
} os_arch_t;

/* Same values as OSVERSIONINFOEX.wProductType / Win32_OperatingSystem.ProductType. */
typedef enum os_ptype {
    OS_PT_UNKNOWN = 0,
    OS_PT_WORKSTATION = 1,
    OS_PT_DC = 2,
    OS_PT_SERVER = 3,
} os_ptype_t;

/* Platform families as the emergency-patch catalog names them. Servers and clients that share a
 * kernel are separate families because Microsoft ships (and names) their fixes separately. */
typedef enum os_family {
    OS_FAM_UNKNOWN = 0,
    OS_FAM_NT4,
    OS_FAM_2000,
    OS_FAM_XP,        /* 5.1, x86 */
    OS_FAM_XP64,      /* 5.2 workstation x64 */
    OS_FAM_2003,      /* 5.2 server (incl. R2) */
    OS_FAM_VISTA,     /* 6.0 workstation */
    OS_FAM_2008,      /* 6.0 server */
    OS_FAM_7,         /* 6.1 workstation */
    OS_FAM_2008R2,    /* 6.1 server */
    OS_FAM_8,         /* 6.2 workstation */
    OS_FAM_2012,      /* 6.2 server */
    OS_FAM_81,        /* 6.3 workstation */
    OS_FAM_2012R2,    /* 6.3 server */
    OS_FAM_10,        /* 10.0 workstation, build < 22000 */
    OS_FAM_11,        /* 10.0 workstation, build >= 22000 */
    OS_FAM_2016,      /* 10.0 server 14393 */
    OS_FAM_2019,      /* 10.0 server 17763 */
    OS_FAM_2022,      /* 10.0 server 20348 */
    OS_FAM_2025,      /* 10.0 server 26100 */
    OS_FAM_SERVER_SAC,/* 10.0 semi-annual channel servers (1709..20H2) */
    OS_FAM_COUNT
} os_family_t;

#define OS_STR_MAX 128

/* The OS facts a snapshot carries. Strings are UTF-8 and NUL-terminated; "" when unknown;
 * numbers are 0 when unknown (sp_major is a real 0 only when os_info.sp_known is set). */
typedef struct os_info {
    uint32_t major, minor, build, ubr;
    uint32_t sp_major, sp_minor;
    int sp_known;                       /* 1 when sp_major/sp_minor were read */
    os_ptype_t product_type;
    os_arch_t arch;
    char zProductName[OS_STR_MAX];      /* "Microsoft Windows XP Professional" */
    char zEdition[64];                  /* EditionID: "Professional", "Enterprise" */
    char zCsdVersion[64];               /* "Service Pack 3" */
    char zDisplayVersion[16];           /* ReleaseId / DisplayVersion: "1607", "22H2" */
    char zInstallDate[24];              /* ISO 8601 UTC, "" if unknown */
    char zUiLanguage[16];               /* "en-US", "de-DE"; "" if unknown */
} os_info_t;

/* What os_identify concludes. */
typedef struct os_ident {
    os_family_t family;
    char zRelease[16];   /* "1607", "24H2", "" when the family has no releases */
    char zName[64];      /* "Windows XP SP3 x86", "Windows 10 1607 x64", "Server 2022" */
} os_ident_t;

/* os_identify: maps major/minor/build/SP/product type/arch to a family, release and display
 * name, using the build -> release table (through Windows 11 24H2 / Server 2025). Always fills
 * *pOut; returns KBS_OK, or KBS_ENOTFOUND when the version is unknown (family OS_FAM_UNKNOWN,
 * name "Unknown OS 6.5.1234"). */
int os_identify(const os_info_t *pOs, os_ident_t *pOut);

/* os_sp_major: the service pack major of pOs: sp_major when known, else read from zCsdVersion
 * ("Service Pack 3"), 0 for 10.0 and later (no service packs), -1 when unknown. */
int os_sp_major(const os_info_t *pOs);

/* os_is_server: 1 for a server or domain controller. When product_type is unknown it decides
 * from the product name ("Server"), then from builds and kernels that exist only as servers. */
int os_is_server(const os_info_t *pOs);

/* os_family_key: the catalog's short key for a family ("xp", "xp64", "2003", "vista", "2008",
 * "7", "2008r2", "8", "2012", "8.1", "2012r2", "10", "11", "2016", "2019", "2022", "2025",
 * "server-sac", "2000", "nt4", "unknown"). Never NULL. */
const char *os_family_key(os_family_t fam);

/* os_family_from_key: the inverse of os_family_key; OS_FAM_UNKNOWN when zKey is not a key. */
os_family_t os_family_from_key(const char *zKey);

/* os_arch_key / os_arch_from_key: "x86", "x64", "ia64", "arm64", "unknown". */
const char *os_arch_key(os_arch_t arch);
os_arch_t os_arch_from_key(const char *zKey);

#endif
