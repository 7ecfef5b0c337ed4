/* test_verdict.c: verdicts of the built-in catalog for machines from XP RTM to Windows 11. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "cat.h"
#include "kbs_err.h"
#include "snap.h"
#include "verdict.h"

enum { W = OS_PT_WORKSTATION, S = OS_PT_SERVER };
enum { X86 = OS_ARCH_X86, X64 = OS_ARCH_X64 };

/* Flags for the snapshot a case builds. */
#define F_INCOMPLETE 1u /* hotfix list cut short */
#define F_SRCFAIL 2u    /* every hotfix source failed */
#define F_NOOS 4u       /* no OS facts at all */
#define F_SPUNK 8u      /* service pack not known */
#define F_STAGED 16u    /* the KBs are CBS packages in Install Pending state */
#define F_AGENTLESS 32u /* origin systeminfo instead of agent */

typedef struct vcase {
    const char *zRule;
    uint32_t major, minor, build, ubr;
    int sp;
    int pt, arch;
    const char *zKbs;  /* blank-separated hotfix ids */
    const char *zFiles; /* "name=version" or "name=absent", ';'-separated */
    unsigned flags;
    verdict_status_t want;
    const char *zEvidence; /* substring the evidence must hold; NULL: not checked */
    const char *zFacts;    /* "name=value" or "name=!reason" (unknown), ';'-separated; NULL none */
} vcase_t;

#define XP(sp) 5, 1, 2600, 0, sp, W, X86
#define XP64(sp) 5, 2, 3790, 0, sp, W, X64
#define S2003(sp) 5, 2, 3790, 0, sp, S, X86
#define VISTA(sp) 6, 0, 6000 + (sp), 0, sp, W, X86
#define S2008(sp) 6, 0, 6000 + (sp), 0, sp, S, X64
#define WIN7(sp) 6, 1, 7600 + (sp), 0, sp, W, X64
#define S2008R2(sp) 6, 1, 7600 + (sp), 0, sp, S, X64
#define WIN8 6, 2, 9200, 0, 0, W, X64
#define S2012 6, 2, 9200, 0, 0, S, X64
#define WIN81 6, 3, 9600, 0, 0, W, X64
#define S2012R2 6, 3, 9600, 0, 0, S, X64
#define WIN10(b, ubr) 10, 0, b, ubr, 0, W, X64
#define SRV10(b, ubr) 10, 0, b, ubr, 0, S, X64
#define DC10(b) 10, 0, b, 0, 0, OS_PT_DC, X64
#define DC2012R2 6, 3, 9600, 0, 0, OS_PT_DC, X64
#define DC2008R2 6, 1, 7601, 0, 1, OS_PT_DC, X64

#define P VERDICT_PATCHED
#define M VERDICT_MISSING
#define U VERDICT_UNPATCHABLE
#define N VERDICT_NOT_AFFECTED
#define Q VERDICT_UNKNOWN
#define G VERDICT_MITIGATED

static const vcase_t aCase[] = {
    /* MS17-010 on everything from XP RTM to Windows 11. */
    {"MS17-010", XP(0), "", "", 0, U, "no update for XP before SP3"},
    {"MS17-010", XP(1), "KB835732", "", 0, U, NULL},
    {"MS17-010", XP(2), "KB921883 KB899588", "", 0, U, "Windows XP SP2 x86"},
    {"MS17-010", XP(3), "KB4012598", "", 0, P, "KB4012598 listed"},
    {"MS17-010", XP(3), "Q958644 KB2286198", "", 0, M, "none of 1 fixing KBs listed (KB4012598)"},
    {"MS17-010", XP(3), "", "srv.sys=5.1.2600.7208", 0, P, "by file version: srv.sys 5.1.2600.7208 >= 5.1.2600.7208"},
    {"MS17-010", XP(3), "KB4012598", "srv.sys=5.1.2600.5512", 0, M,
     "KB4012598 present but srv.sys 5.1.2600.5512 < 5.1.2600.7208 (failed install or reboot pending)"},
    {"MS17-010", XP(3), "kb4012598-v2", "", 0, P, "KB4012598"},
    {"MS17-010", XP64(2), "KB4012598", "", 0, P, NULL},
    {"MS17-010", S2003(2), "", "srv.sys=5.2.3790.6021", 0, P, "5.2.3790.6021"},
    {"MS17-010", S2003(2), "", "srv.sys=5.2.3790.4530", 0, M, "no fixing KB listed; srv.sys 5.2.3790.4530 < 5.2.3790.6021"},
    {"MS17-010", S2003(1), "", "", 0, U, "Server 2003 SP1: no update before SP2"},
    {"MS17-010", VISTA(2), "", "srv.sys=6.0.6002.19743", 0, P, "6.0.6002.19743 >= 6.0.6002.19743"},
    {"MS17-010", S2008(2), "", "srv.sys=6.0.6002.24067", 0, P, ">= 6.0.6002.24067"},
    {"MS17-010", S2008(2), "", "srv.sys=6.0.6002.24066", 0, M, "< 6.0.6002.24067"},
    {"MS17-010", VISTA(2), "KB4012598", "srv.sys=6.0.6002.18005", 0, M, "< 6.0.6002.19743"},
    {"MS17-010", S2008(2), "", "srv.sys=6.0.6003.20000", 0, P, NULL}, /* 2019+ base build */
    {"MS17-010", VISTA(1), "", "", 0, U, NULL},
    {"MS17-010", WIN7(0), "", "", 0, U, "Windows 7 x64: no update for Windows 7 RTM"},
    {"MS17-010", WIN7(1), "KB4012212", "", 0, P, "KB4012212 listed"},
    {"MS17-010", WIN7(1), "KB4019264", "", 0, P, "KB4019264 listed"},
    {"MS17-010", WIN7(1), "KB4015546", "", 0, M, "none of"},
    {"MS17-010", WIN7(1), "KB4012212", "srv.sys=6.1.7601.17514", 0, M,
     "KB4012212 present but srv.sys 6.1.7601.17514 < 6.1.7601.23689 (failed install or reboot pending)"},
    {"MS17-010", WIN7(1), "", "srv.sys=6.1.7601.23689", 0, P, "no fixing KB listed"},
    {"MS17-010", WIN7(1), "KB4015549", "srv.sys=6.1.7601.23732", 0, P, "KB4015549 listed; srv.sys"},
    {"MS17-010", S2008R2(1), "KB4534310", "", 0, P, NULL},
    {"MS17-010", WIN7(1), "KB5022338", "", 0, P, NULL},
    {"MS17-010", WIN7(1), "KB4015546", "", F_INCOMPLETE, Q, "systeminfo listed 100 of 263"},
    {"MS17-010", WIN7(1), "", "", F_SRCFAIL, Q, "every hotfix source failed"},
    {"MS17-010", WIN7(1), "", "srv.sys=6.1.7601.23689", F_INCOMPLETE | F_SRCFAIL, P, NULL},
    {"MS17-010", WIN7(1), "", "srv.sys=6.1.7601.17514", F_INCOMPLETE, M, NULL},
    /* Incomplete lists: a fixing KB seen is enough; none seen is unknown, with the reason. */
    {"MS17-010", WIN7(1), "KB4012212", "", F_INCOMPLETE, P, "KB4012212 listed"},
    {"MS17-010", WIN7(1), "", "", F_INCOMPLETE, Q, "systeminfo listed 100 of 263"},
    /* An entry without a KB id hides a KB only on XP / 2003 ("File 1"); on Vista and later a
     * security update is a CBS package that always shows its KB. */
    {"MS17-010", XP(3), "File_1 KB958644", "", 0, Q, "without a KB id"},
    {"MS17-010", S2003(2), "File_1", "", 0, Q, "without a KB id"},
    {"MS17-010", XP(3), "File_1 KB4012598", "", 0, P, "KB4012598 listed"},
    {"MS17-010", VISTA(2), "{A1B2C3D4-0000-4D5E-8F90-ABCDEF012345}", "", 0, M, "none of"},
    {"MS17-010", WIN7(1), "File_1", "", 0, M, "none of"},
    {"MS17-010", WIN7(1), "", "srv.sys=absent", 0, M, "srv.sys absent"},
    {"MS17-010", WIN7(1), "KB4012215", "", F_SPUNK, Q, "service pack unknown"},
    {"MS17-010", WIN7(1), "KB4012215", "", F_STAGED, M, "pending reboot, not installed (CBS state 96)"},
    {"MS17-010", WIN8, "KB4012598", "", 0, P, NULL},
    {"MS17-010", S2012, "KB4012217", "", 0, P, NULL},
    {"MS17-010", S2012, "", "srv.sys=6.2.9200.16384", 0, M, "< 6.2.9200.22099"},
    {"MS17-010", WIN81, "KB4012213", "", 0, P, "KB4012213 listed"},
    {"MS17-010", WIN81, "KB4015548", "", 0, M, NULL},
    {"MS17-010", S2012R2, "KB4019215", "", 0, P, NULL},
    {"MS17-010", WIN81, "KB5022352", "", 0, P, NULL},
    {"MS17-010", WIN10(10240, 17319), "", "", 0, P, "by UBR: build 10240.17319 >= 10240.17319"},
    {"MS17-010", WIN10(10240, 16000), "", "", 0, M, "UBR 16000 < 17319"},
    {"MS17-010", WIN10(10586, 0), "KB4013198", "", 0, P, NULL},
    {"MS17-010", WIN10(14393, 953), "", "", 0, P, "by UBR"},
    {"MS17-010", WIN10(14393, 0), "", "", 0, M, NULL},
    {"MS17-010", SRV10(14393, 1066), "", "", 0, P, NULL},
    /* What systeminfo shows on Server 2016: only the newest cumulative update. KB4483229 (the
     * out-of-band update of 2018-12-19, filed under IE11 in the data) and the last one of the
     * data were missing from the hand-typed list. */
    {"MS17-010", SRV10(14393, 0), "KB3192137 KB4483229", "", 0, P, "KB4483229 listed"},
    {"MS17-010", SRV10(14393, 0), "KB5094122", "", 0, P, NULL},
    {"MS17-010", WIN10(10240, 0), "KB4601331", "", 0, P, NULL},
    {"MS17-010", S2012, "KB5094042", "", 0, P, NULL},
    {"MS17-010", WIN10(14393, 900), "KB4013429", "", 0, M, "KB4013429 present but UBR 900 < 953"},
    {"MS17-010", WIN10(15063, 0), "", "", 0, N, "Windows 10 1703 x64"},
    {"MS17-010", WIN10(19045, 3803), "", "", 0, N, NULL},
    {"MS17-010", WIN10(26100, 100), "", "", 0, N, "Windows 11 24H2"},
    {"MS17-010", SRV10(17763, 0), "", "", 0, N, "Server 2019"},
    {"MS17-010", SRV10(20348, 0), "", "", 0, N, NULL},
    {"MS17-010", SRV10(26100, 0), "", "", 0, N, NULL},
    {"MS17-010", SRV10(16299, 0), "", "", 0, N, "Server 1709"},
    {"MS17-010", 5, 0, 2195, 0, 4, S, X86, "", "", 0, U, "Windows 2000 SP4"},
    {"MS17-010", WIN7(1), "KB4012212", "", F_NOOS, Q, "no OS facts"},
    {"MS17-010", 6, 5, 1234, 0, 0, W, X64, "", "", 0, Q, "Unknown OS 6.5.1234"},
    /* MS08-067 (Conficker) */
    {"MS08-067", XP(3), "", "netapi32.dll=5.1.2600.5694", 0, P, NULL},
    {"MS08-067", XP(2), "KB958644", "", 0, P, NULL},
    {"MS08-067", XP(2), "", "netapi32.dll=5.1.2600.2180", 0, M, "< 5.1.2600.3462"},
    {"MS08-067", XP(1), "", "", 0, U, NULL},
    {"MS08-067", S2003(2), "", "netapi32.dll=5.2.3790.4392", 0, P, NULL},
    {"MS08-067", VISTA(2), "", "", 0, N, "Service Pack 2 contains the fix"},
    {"MS08-067", VISTA(1), "", "", 0, M, NULL},
    {"MS08-067", WIN7(1), "", "", 0, N, NULL},
    /* CVE-2019-0708 (BlueKeep) */
    {"CVE-2019-0708", XP(3), "KB4500331", "", 0, P, NULL},
    {"CVE-2019-0708", XP(3), "", "termdd.sys=5.1.2600.7701", 0, P, NULL},
    {"CVE-2019-0708", XP(3), "KB4500331", "termdd.sys=5.1.2600.5512", 0, M, "KB4500331 present but"},
    {"CVE-2019-0708", S2003(2), "", "termdd.sys=5.2.3790.6787", 0, P, NULL},
    {"CVE-2019-0708", WIN7(1), "KB4499175", "", 0, P, NULL},
    {"CVE-2019-0708", WIN7(1), "KB4499164", "", 0, P, NULL},
    {"CVE-2019-0708", WIN7(1), "KB4012215 KB4019264", "", 0, M, "KB4499164"},
    {"CVE-2019-0708", S2008(2), "KB4499180", "", 0, P, NULL},
    {"CVE-2019-0708", VISTA(2), "KB4499149", "", 0, P, NULL},
    {"CVE-2019-0708", WIN81, "", "", 0, N, NULL},
    {"CVE-2019-0708", WIN10(19045, 0), "", "", 0, N, NULL},
    /* MS12-020 */
    {"MS12-020", XP(3), "", "rdpwd.sys=5.1.2600.6187", 0, P, NULL},
    {"MS12-020", S2003(2), "KB2621440", "", 0, P, NULL},
    {"MS12-020", WIN7(1), "KB3125574", "", 0, P, NULL},
    {"MS12-020", XP(2), "", "", 0, U, NULL},
    /* MS10-046 / MS10-061 (Stuxnet) */
    {"MS10-046", XP(3), "", "shell32.dll=6.0.2900.6018", 0, P, NULL},
    {"MS10-046", S2003(2), "", "shell32.dll=6.0.3790.4751", 0, P, NULL},
    {"MS10-046", WIN7(1), "", "", 0, N, "Service Pack 1 contains the fix"},
    {"MS10-046", WIN7(0), "KB2286198", "", 0, P, NULL},
    {"MS10-061", XP(3), "", "spoolsv.exe=5.1.2600.6024", 0, P, NULL},
    {"MS10-061", XP(3), "", "spoolsv.exe=5.1.2600.5512", 0, M, NULL},
    /* MS06-040, MS05-039, MS04-011 */
    {"MS06-040", XP(2), "", "netapi32.dll=5.1.2600.2952", 0, P, NULL},
    {"MS06-040", XP(3), "", "", 0, N, NULL},
    {"MS06-040", XP(0), "", "", 0, U, NULL},
    {"MS05-039", XP(2), "", "umpnpmgr.dll=5.1.2600.2710", 0, P, NULL},
    {"MS05-039", XP(2), "KB921883", "", 0, M, "KB899588"},
    {"MS04-011", XP(1), "", "lsasrv.dll=5.1.2600.1361", 0, P, NULL},
    {"MS04-011", XP(2), "", "", 0, N, NULL},
    {"MS04-011", XP(0), "KB835732", "", 0, P, NULL},
    {"MS04-011", WIN10(22631, 0), "", "", 0, N, NULL},
    /* Workarounds from agent facts (catalog mitigation lines). */
    {"MS17-010", WIN7(1), "", "", 0, G, "mitigated: SMBv1 server disabled (LanmanServer.SMB1=0); none of",
     "LanmanServer.SMB1=0"},
    {"MS17-010", WIN7(1), "", "", 0, M, "none of", "LanmanServer.SMB1=1"},
    {"MS17-010", WIN7(1), "", "", 0, M, "none of", "LanmanServer.SMB1=absent"},
    {"MS17-010", WIN7(1), "", "", 0, M,
     "workaround not proven: LanmanServer.SMB1 unknown (REG_SZ, expected REG_DWORD)",
     "LanmanServer.SMB1=!REG_SZ, expected REG_DWORD"},
    {"MS17-010", WIN7(1), "", "", F_AGENTLESS, M, "none of", "LanmanServer.SMB1=0"},
    {"MS17-010", WIN7(1), "KB4012212", "", 0, P, "KB4012212 listed", "LanmanServer.SMB1=0"},
    {"MS17-010", WIN7(1), "", "", F_INCOMPLETE, G, "mitigated: SMBv1", "LanmanServer.SMB1=0"},
    {"MS17-010", XP(2), "", "", 0, U, "workaround in place meanwhile: SMBv1 server disabled",
     "LanmanServer.SMB1=0"},
    {"MS17-010", WIN81, "", "", 0, G, "SMB1Protocol feature removed (Feature.SMB1Protocol=absent)",
     "Feature.SMB1Protocol=absent;LanmanServer.SMB1=absent"},
    {"MS17-010", WIN81, "", "", 0, M, "none of", "Feature.SMB1Protocol=enabled"},
    {"CVE-2019-0708", WIN7(1), "", "", 0, M,
     "NLA required: reduces the risk (attacker needs valid credentials), not a full mitigation "
     "(RDP-Tcp.UserAuthentication=1)",
     "RDP-Tcp.UserAuthentication=1"},
    {"CVE-2019-0708", WIN7(1), "", "", 0, M, "none of", "RDP-Tcp.UserAuthentication=0"},

    /* DejaBlue (CVE-2019-1181/1182): August 2019 updates and every later one. */
    {"CVE-2019-1181", WIN7(1), "KB4512486", "", 0, P, "KB4512486 listed"},
    {"CVE-2019-1181", WIN7(1), "KB5022338", "", 0, P, "KB5022338 listed"}, /* 2023-01 rollup */
    {"CVE-2019-1181", S2008R2(1), "KB4512506", "", 0, P, NULL},
    {"CVE-2019-1181", WIN7(1), "KB4499164", "", 0, M, "none of"},
    {"CVE-2019-1181", WIN7(1), "", "", F_INCOMPLETE, Q, "no fixing KB seen"},
    {"CVE-2019-1181", WIN7(1), "", "", 0, M, "NLA required: reduces the risk", "RDP-Tcp.UserAuthentication=1"},
    {"CVE-2019-1181", WIN81, "KB4512488", "", 0, P, NULL},
    {"CVE-2019-1181", S2012, "KB4512482", "", 0, P, NULL},
    {"CVE-2019-1181", WIN10(17763, 0), "KB4511553", "", 0, P, NULL},
    {"CVE-2019-1181", WIN10(17763, 0), "KB5094123", "", 0, P, NULL}, /* a 2026 cumulative update */
    {"CVE-2019-1181", WIN10(18363, 0), "", "", 0, N, "released after the fix"},
    {"CVE-2019-1181", WIN10(10586, 0), "", "", 0, U, "Windows 10 1511"},
    {"CVE-2019-1181", XP(3), "", "", 0, N, "RDP before 8.0"},

    /* SMBGhost (CVE-2020-0796): Windows 10 / Server 1903 and 1909 only. */
    {"CVE-2020-0796", WIN10(18362, 0), "KB4551762", "", 0, P, "KB4551762 listed"},
    {"CVE-2020-0796", WIN10(18363, 0), "KB5014701", "", 0, P, NULL}, /* a later cumulative update */
    {"CVE-2020-0796", WIN10(18362, 0), "KB4540673", "", 0, M, "KB4540673 gives 18362.719 < 18362.720"}, /* 2020-03-10: before the fix */
    {"CVE-2020-0796", WIN10(18363, 0), "", "", F_INCOMPLETE, Q, NULL},
    /* ADV200005: compression off protects the server, not the client: partial, still missing. */
    {"CVE-2020-0796", WIN10(18363, 0), "", "", 0, M, "SMBv3 compression disabled on the server (ADV200005; the SMB client stays exposed)",
     "LanmanServer.DisableCompression=1"},
    {"CVE-2020-0796", WIN10(18363, 0), "", "", F_AGENTLESS, M, "none of", "LanmanServer.DisableCompression=1"},
    {"CVE-2020-0796", WIN10(18363, 0), "", "", 0, M, "LanmanServer.DisableCompression unknown",
     "LanmanServer.DisableCompression=!not a DWORD (type 1, 4 bytes)"},
    {"CVE-2020-0796", WIN10(17763, 0), "", "", 0, N, "no SMBv3 compression before Windows 10 1903"},
    {"CVE-2020-0796", WIN10(19045, 0), "", "", 0, N, "shipped with the fix"},
    {"CVE-2020-0796", WIN7(1), "", "", 0, N, NULL},
    {"CVE-2020-0796", XP(3), "", "", 0, N, NULL},

    /* CurveBall (CVE-2020-0601): Windows 10 / Server 2016 and later. */
    {"CVE-2020-0601", WIN10(17763, 0), "KB4534273", "", 0, P, NULL},
    {"CVE-2020-0601", SRV10(17763, 0), "KB4534273", "", 0, P, NULL},
    {"CVE-2020-0601", WIN10(14393, 0), "KB5094122", "", 0, P, NULL},
    {"CVE-2020-0601", WIN10(17763, 0), "KB4530715", "", 0, M, "KB4530715 gives 17763.914 < 17763.973"},
    {"CVE-2020-0601", WIN10(17763, 0), "", "", F_SRCFAIL, Q, "every hotfix source failed"},
    {"CVE-2020-0601", WIN10(15063, 0), "", "", 0, U, "out of support"},
    {"CVE-2020-0601", WIN10(19041, 0), "", "", 0, N, NULL},
    {"CVE-2020-0601", WIN7(1), "", "", 0, N, "ECC certificate validation"},

    /* Zerologon (CVE-2020-1472): domain controllers. */
    {"CVE-2020-1472", DC2012R2, "KB4601349", "", 0, P, NULL},
    {"CVE-2020-1472", DC10(17763), "KB4601345", "", 0, P, NULL},
    {"CVE-2020-1472", DC10(17763), "", "", 0, M, "domain controller; none of"},
    {"CVE-2020-1472", SRV10(17763, 0), "", "", 0, M, "member machine: the flaw is exploited on domain controllers"},
    {"CVE-2020-1472", DC2008R2, "", "", F_INCOMPLETE, Q, NULL},
    {"CVE-2020-1472", DC2008R2, "KB5022338", "", 0, P, NULL},
    {"CVE-2020-1472", S2003(2), "", "", 0, Q, "does not say whether Server 2003 / 2008 is affected"},
    {"CVE-2020-1472", S2008(2), "KB4601347", "", 0, Q, "does not say"}, /* 2008 R2's update */
    /* IPv6 (CVE-2024-38063): Microsoft's table starts at Server 2008: older Windows undecided */
    {"CVE-2024-38063", XP(3), "", "", 0, Q, "its IPv6 code is optional"},
    {"CVE-2024-38063", S2003(2), "", "", 0, Q, "does not say whether this Windows is affected"},
    {"CVE-2020-1472", WIN10(19045, 0), "", "", 0, N, "client Windows"},
    {"CVE-2020-1472", XP(3), "", "", 0, N, NULL},

    /* The seven rules since 2019 on Windows 10 / 11: the UBR decides where the agent has it. */
    {"CVE-2019-1181", WIN10(18362, 295), "", "", 0, P, "by UBR: build 18362.295 >= 18362.295"},
    {"CVE-2019-1181", WIN10(18362, 294), "", "", 0, M, "UBR 294 < 295"},
    {"CVE-2020-0796", WIN10(18363, 720), "", "", 0, P, "by UBR"},
    {"CVE-2020-0796", WIN10(18363, 719), "KB4551762", "", 0, M, "KB4551762 present but UBR 719 < 720"},
    {"CVE-2020-0601", WIN10(17763, 973), "", "", 0, P, "by UBR"},
    {"CVE-2020-0601", WIN10(17763, 972), "", "", 0, M, "UBR 972 < 973"},
    {"CVE-2021-34527", WIN10(19042, 1083), "", "", 0, P, "by UBR"}, /* KB5004945, out of band */
    {"CVE-2021-34527", WIN10(19042, 1082), "", "", 0, M, "UBR 1082 < 1083"},
    {"CVE-2021-34527", WIN10(14393, 4470), "", "", 0, P, "by UBR"}, /* KB5004948, out of band */
    {"CVE-2021-34527", WIN10(18363, 1646), "", "", 0, P, "by UBR"}, /* KB5004946, 1909 */
    {"CVE-2021-34527", WIN10(22000, 194), "", "", 0, P, "by UBR"}, /* Windows 11 as released */
    {"CVE-2021-34527", WIN10(17134, 2208), "", "", 0, U, "out of support"}, /* 1803 */
    {"CVE-2022-30190", WIN10(19044, 1766), "", "", 0, P, "by UBR"},
    {"CVE-2022-30190", WIN10(19044, 1706), "", "", 0, M, "UBR 1706 < 1766"},
    {"CVE-2024-38063", WIN10(19045, 4780), "", "", 0, P, "by UBR"},
    {"CVE-2024-38063", WIN10(19045, 4717), "", "", 0, M, "UBR 4717 < 4780"},
    {"CVE-2024-38063", WIN10(26100, 1457), "", "", 0, P, "by UBR"},
    /* Windows 8 (not 8.1): the same code as Server 2012, which is affected, and no update. */
    {"CVE-2019-1181", WIN8, "", "", 0, U, "no update for Windows 8"},
    {"CVE-2021-34527", WIN8, "", "", 0, U, "Server 2012, the same code"},
    {"CVE-2022-30190", WIN8, "", "", 0, U, "no update for Windows 8"},
    {"CVE-2019-1181", S2012, "KB4512518", "", 0, P, NULL},
    /* PrintNightmare (CVE-2021-34527). */
    {"CVE-2021-34527", WIN10(19044, 0), "KB5008212", "", 0, P, NULL},
    {"CVE-2021-34527", WIN10(19045, 0), "KB5094127", "", 0, P, NULL},
    {"CVE-2021-34527", WIN10(19043, 0), "KB5004945", "", 0, P, NULL},
    {"CVE-2021-34527", WIN7(1), "KB5004953", "", 0, P, NULL},
    {"CVE-2021-34527", WIN7(1), "KB5022338", "", 0, P, NULL},
    {"CVE-2021-34527", WIN81, "KB5004954", "", 0, P, NULL},
    {"CVE-2021-34527", WIN10(17763, 0), "KB4601345", "", 0, M, "KB4601345 gives 17763.1757 < 17763.2029"},
    /* Point and Print without prompts exposes a patched machine only where driver installs are
     * not restricted to administrators (RestrictDriverInstallationToAdministrators = 0, KB5005652);
     * an agent that did not collect that value leaves it exposed (not disproved). */
    {"CVE-2021-34527", WIN10(17763, 0), "KB5004244", "", 0, M,
     "driver installs not restricted to administrators (KB5005652) (PointAndPrint.NoWarningNoElevationOnInstall=1, "
     "PointAndPrint.RestrictDriverInstallation=0) despite the fix; KB5004244 listed",
     "PointAndPrint.NoWarningNoElevationOnInstall=1;PointAndPrint.RestrictDriverInstallation=0"},
    /* RestrictDriverInstallationToAdministrators unset: harmless only from the August 2021
     * updates on (KB5005652; KB5005030 = 17763.2114, KB5005088 for 7 SP1): a machine with only
     * the July 2021 updates is exposed, a later one patched, one that cannot be told unknown. */
    {"CVE-2021-34527", WIN10(17763, 0), "KB5004244", "", 0, M, "August 2021 updates (KB5005652)",
     "PointAndPrint.NoWarningNoElevationOnInstall=1;PointAndPrint.RestrictDriverInstallation=absent"},
    {"CVE-2021-34527", WIN10(17763, 2061), "", "", 0, M, "PointAndPrint.RestrictDriverInstallation=absent) despite the fix",
     "PointAndPrint.NoWarningNoElevationOnInstall=1;PointAndPrint.RestrictDriverInstallation=absent"},
    {"CVE-2021-34527", WIN10(17763, 2114), "", "", 0, P, "by UBR",
     "PointAndPrint.NoWarningNoElevationOnInstall=1;PointAndPrint.RestrictDriverInstallation=absent"},
    {"CVE-2021-34527", WIN10(17763, 0), "KB5005030", "", 0, P, "KB5005030 listed",
     "PointAndPrint.NoWarningNoElevationOnInstall=1;PointAndPrint.RestrictDriverInstallation=absent"},
    {"CVE-2021-34527", WIN7(1), "KB5004953", "", 0, M, "August 2021 updates (KB5005652)",
     "PointAndPrint.UpdatePromptSettings=1;PointAndPrint.RestrictDriverInstallation=absent"},
    {"CVE-2021-34527", WIN7(1), "KB5022338", "", 0, P, "KB5022338 listed",
     "PointAndPrint.UpdatePromptSettings=1;PointAndPrint.RestrictDriverInstallation=absent"},
    {"CVE-2021-34527", WIN7(1), "KB5004953", "", F_INCOMPLETE, Q,
     "the hotfix list does not show whether those updates are installed",
     "PointAndPrint.UpdatePromptSettings=1;PointAndPrint.RestrictDriverInstallation=absent"},
    {"CVE-2021-34527", WIN10(17763, 0), "KB5004244", "", 0, P, "KB5004244 listed",
     "PointAndPrint.NoWarningNoElevationOnInstall=1;PointAndPrint.RestrictDriverInstallation=1"},
    {"CVE-2021-34527", WIN10(17763, 0), "KB5004244", "", 0, M, "PointAndPrint.RestrictDriverInstallation=unknown",
     "PointAndPrint.NoWarningNoElevationOnInstall=1"},
    {"CVE-2021-34527", WIN10(17763, 0), "KB5004244", "", 0, M, "PointAndPrint.UpdatePromptSettings=1",
     "PointAndPrint.UpdatePromptSettings=1;PointAndPrint.RestrictDriverInstallation=0"},
    /* A disabled Spooler still mitigates. */
    {"CVE-2021-34527", WIN10(17763, 0), "KB5004244", "", 0, G, "mitigated: Print Spooler service disabled",
     "PointAndPrint.NoWarningNoElevationOnInstall=1;PointAndPrint.RestrictDriverInstallation=0;Spooler.Start=4"},
    {"CVE-2021-34527", WIN10(17763, 0), "", "", 0, G, "mitigated: Print Spooler service disabled (Spooler.Start=4)",
     "Spooler.Start=4"},
    {"CVE-2021-34527", WIN10(17763, 0), "", "", 0, M, "none of", "Spooler.Start=2"},
    {"CVE-2021-34527", WIN10(17763, 0), "", "", 0, M, "Spooler.Start unknown (service not installed)",
     "Spooler.Start=!service not installed"},
    {"CVE-2021-34527", WIN10(17763, 0), "", "", F_INCOMPLETE, Q, NULL},
    {"CVE-2021-34527", XP(3), "", "", 0, U, "out of support"},
    {"CVE-2021-34527", WIN10(22631, 0), "", "", 0, N, NULL}, /* Windows 11 23H2 */

    /* Follina (CVE-2022-30190). */
    {"CVE-2022-30190", WIN10(19044, 0), "KB5014699", "", 0, P, NULL},
    {"CVE-2022-30190", WIN10(19042, 0), "KB5014699", "", 0, P, NULL},
    {"CVE-2022-30190", WIN10(19042, 0), "KB5005033", "", 0, M, "KB5005033 gives 19042.1165 < 19042.1766"}, /* a 2021 update */
    {"CVE-2022-30190", WIN7(1), "KB5014748", "", 0, P, NULL},
    {"CVE-2022-30190", WIN7(1), "KB5021291", "", 0, P, NULL}, /* 2022-12 rollup */
    {"CVE-2022-30190", WIN10(19044, 0), "", "", 0, G, "ms-msdt protocol handler removed", "HKCR.ms-msdt=absent"},
    {"CVE-2022-30190", WIN10(19044, 0), "", "", 0, M, "none of", "HKCR.ms-msdt=present"},
    {"CVE-2022-30190", WIN10(19044, 0), "", "", F_AGENTLESS, M, "none of", "HKCR.ms-msdt=absent"},
    {"CVE-2022-30190", WIN10(19044, 0), "", "", 0, M, "HKCR.ms-msdt unknown", "HKCR.ms-msdt=!RegOpenKeyExW: 5"},
    {"CVE-2022-30190", WIN10(19044, 0), "", "", F_INCOMPLETE, Q, NULL},
    {"CVE-2022-30190", WIN10(19045, 0), "", "", 0, N, NULL},
    {"CVE-2022-30190", WIN10(18363, 0), "", "", 0, U, "out of support"},
    {"CVE-2022-30190", XP(3), "", "", 0, Q, "does not say whether this Windows is affected"},

    /* The audit of the seven rules (issue of the emergency day): each finding, fixed. */
    /* KB5004951, the July 2021 security-only update, carries no earlier rollup's fix. */
    {"CVE-2020-1472", S2008R2(1), "KB5004951", "", 0, M, "none of"},
    {"MS17-010", S2008R2(1), "KB5004951", "", 0, M, "none of"},
    {"CVE-2019-0708", S2008R2(1), "KB5004951", "", 0, M, "none of"},
    /* KB4535680 and KB5012170 are Secure Boot DBX updates, not cumulative updates. */
    {"CVE-2019-1181", WIN10(17134, 0), "KB4535680", "", 0, M, "none of"},
    {"CVE-2020-0601", WIN10(17134, 0), "KB4535680", "", 0, M, "none of"},
    {"CVE-2020-0601", WIN10(18363, 0), "KB4535680", "", 0, M, "none of"},
    {"CVE-2020-0796", WIN10(18363, 0), "KB4535680", "", 0, M, "none of"},
    {"CVE-2020-1472", SRV10(18363, 0), "KB4535680", "", 0, M, "none of"},
    {"CVE-2022-30190", WIN10(19043, 0), "KB5012170", "", 0, M, "none of"},
    {"CVE-2022-30190", SRV10(19042, 0), "KB5012170", "", 0, M, "none of"},
    {"CVE-2020-1472", SRV10(19042, 0), "KB5012170", "", 0, M, "none of"},
    /* PrintNightmare: the rollups of the months the re-dated fix left out. */
    {"CVE-2021-34527", S2012, "KB5014747", "", 0, P, "KB5014747 listed"},  /* 2022-06 */
    {"CVE-2021-34527", S2012, "KB5005623", "", 0, P, "KB5005623 listed"},  /* 2021-09 */
    {"CVE-2021-34527", S2008R2(1), "KB5026413", "", 0, P, "KB5026413 listed"}, /* 2023-05 */
    /* DejaBlue: Server 2008 R2 rollups after January 2023. */
    {"CVE-2019-1181", S2008R2(1), "KB5034169", "", 0, P, "KB5034169 listed"}, /* 2024-01 */
    {"CVE-2019-1181", S2008R2(1), "KB5073695", "", 0, P, "KB5073695 listed"}, /* 2026-01 */
    /* Windows Server 2004 (19041). */
    {"CVE-2021-34527", SRV10(19041, 0), "KB5005033", "", 0, P, "KB5005033 listed"},
    {"CVE-2021-34527", SRV10(19041, 1082), "", "", 0, M, "UBR 1082 < 1083"},
    {"CVE-2022-30190", SRV10(19041, 0), "", "", 0, U, "out of support"},
    {"CVE-2024-38063", SRV10(19041, 0), "", "", 0, U, "out of support"},
    /* Server 1709 - 20H2 where Microsoft has no update: unpatchable, not unknown. */
    {"CVE-2021-34527", SRV10(18363, 0), "", "", 0, U, "out of support in July 2021"},
    {"CVE-2022-30190", SRV10(18363, 0), "", "", 0, U, "out of support"},
    {"CVE-2024-38063", SRV10(19042, 0), "", "", 0, U, "out of support"},
    {"CVE-2020-1472", SRV10(17134, 0), "", "", 0, U, "out of support before August 2020"},
    /* One package for 21H2 and 22H2: the May 2026 update the data lists under 21H2 only. */
    {"CVE-2021-34527", WIN10(19045, 0), "KB5087544", "", 0, P, "KB5087544 listed"},
    {"CVE-2024-38063", WIN10(19045, 0), "KB5087544", "", 0, P, "KB5087544 listed"},
    /* Released after the fix. */
    {"CVE-2021-34527", SRV10(25398, 0), "", "", 0, N, NULL},
    /* Follina before Windows 7: undecided like Zerologon on Server 2008, not "not-affected". */
    {"CVE-2022-30190", S2008(2), "", "", 0, Q, "does not say whether this Windows is affected"},

    /* IPv6 TCP/IP (CVE-2024-38063). */
    {"CVE-2024-38063", WIN10(19045, 0), "KB5041580", "", 0, P, NULL},
    {"CVE-2024-38063", WIN10(22631, 0), "KB5093998", "", 0, P, NULL},
    {"CVE-2024-38063", WIN10(26100, 0), "KB5041571", "", 0, P, NULL},
    {"CVE-2024-38063", S2008(2), "KB5041847", "", 0, P, NULL},
    {"CVE-2024-38063", WIN10(19045, 0), "KB5040427", "", 0, M, "KB5040427 gives 19045.4651 < 19045.4780"},
    {"CVE-2024-38063", WIN10(19045, 0), "", "", F_INCOMPLETE, Q, NULL},
    {"CVE-2024-38063", WIN7(1), "", "", 0, U, "out of support"},
    {"CVE-2024-38063", WIN10(19043, 0), "", "", 0, U, "out of support"},
    {"CVE-2024-38063", SRV10(26100, 0), "", "", 0, N, "released after the fix"},
};

static cat_t gCat;

static int setup(void **state)
{
    (void)state;
    return cat_load_default(&gCat) == KBS_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    cat_release(&gCat);
    return 0;
}

/* Splits zBuf in place at ch; returns the next token or NULL (*pz walks the buffer). */
static char *next_tok(char **pz, char ch)
{
    char *z = *pz, *zTok;
    while (*z == ch) z++;
    if (!*z) return NULL;
    zTok = z;
    while (*z && *z != ch) z++;
    if (*z) *z++ = 0;
    *pz = z;
    return zTok;
}

/* Builds the snapshot of case c into *s. */
static void build(const vcase_t *c, snap_t *s)
{
    char zBuf[256];
    char *z, *zWalk;
    snap_init(s);
    snprintf(s->zOrigin, sizeof s->zOrigin, "%s", c->flags & F_AGENTLESS ? "systeminfo" : "agent");
    if (!(c->flags & F_NOOS)) {
        s->osKnown = 1;
        s->os.major = c->major, s->os.minor = c->minor, s->os.build = c->build;
        s->os.ubr = c->ubr;
        s->os.product_type = (os_ptype_t)c->pt;
        s->os.arch = (os_arch_t)c->arch;
        if (!(c->flags & F_SPUNK)) s->os.sp_known = 1, s->os.sp_major = (uint32_t)c->sp;
    }
    snprintf(zBuf, sizeof zBuf, "%s", c->zKbs);
    zWalk = zBuf;
    while ((z = next_tok(&zWalk, ' ')) != NULL) {
        if (c->flags & F_STAGED)
            assert_int_equal(snap_add_hotfix(s, z, SNAP_SRC_CBS, NULL, 96), KBS_OK);
        else
            assert_int_equal(snap_add_hotfix(s, z, SNAP_SRC_QFE, NULL, -1), KBS_OK);
    }
    snprintf(zBuf, sizeof zBuf, "%s", c->zFiles);
    zWalk = zBuf;
    while ((z = next_tok(&zWalk, ';')) != NULL) {
        char zPath[128];
        char *zEq = strchr(z, '=');
        ver_t v;
        assert_non_null(zEq);
        *zEq = 0;
        snprintf(zPath, sizeof zPath, "%%SystemRoot%%\\System32\\drivers\\%.64s", z);
        if (strcmp(zEq + 1, "absent") == 0) {
            assert_int_equal(snap_add_file(s, zPath, 0, NULL, NULL), KBS_OK);
        } else {
            assert_int_equal(ver_parse(zEq + 1, &v), KBS_OK);
            assert_int_equal(snap_add_file(s, zPath, 1, &v, NULL), KBS_OK);
        }
    }
    snprintf(zBuf, sizeof zBuf, "%s", c->zFacts ? c->zFacts : "");
    zWalk = zBuf;
    while ((z = next_tok(&zWalk, ';')) != NULL) {
        char *zEq = strchr(z, '=');
        assert_non_null(zEq);
        *zEq = 0;
        if (zEq[1] == '!')
            assert_int_equal(snap_add_fact(s, z, NULL, zEq + 2), KBS_OK);
        else
            assert_int_equal(snap_add_fact(s, z, zEq + 1, NULL), KBS_OK);
    }
    if (c->flags & F_INCOMPLETE) {
        s->hotfixesComplete = 0;
        snprintf(s->zHotfixNote, sizeof s->zHotfixNote, "systeminfo listed 100 of 263 hotfixes");
    }
    if (c->flags & F_SRCFAIL) {
        assert_int_equal(snap_add_source(s, "wmi-os", 1, NULL), KBS_OK);
        assert_int_equal(snap_add_source(s, "wmi-qfe", 0, "WMI ExecQuery: 0x80041003"), KBS_OK);
        assert_int_equal(snap_add_source(s, "reg-cbs", 0, "RegOpenKeyEx: 5"), KBS_OK);
    } else {
        assert_int_equal(snap_add_source(s, "wmi-qfe", 1, NULL), KBS_OK);
    }
}

static void test_table(void **state)
{
    size_t i;
    int nBad = 0;
    (void)state;
    for (i = 0; i < sizeof aCase / sizeof aCase[0]; i++) {
        const vcase_t *c = &aCase[i];
        const cat_rule_t *r = cat_find_rule(&gCat, c->zRule);
        snap_t s;
        verdict_t v;
        assert_non_null(r);
        build(c, &s);
        assert_int_equal(verdict_eval_rule(r, &s, &v), KBS_OK);
        if (v.status != c->want || (c->zEvidence && !strstr(v.zEvidence, c->zEvidence))) {
            print_error("case %u (%s %u.%u.%u sp%d '%s' '%s'): got %s \"%s\" / \"%s\", want %s \"%s\"\n",
                        (unsigned)i, c->zRule, (unsigned)c->major, (unsigned)c->minor, (unsigned)c->build,
                        c->sp, c->zKbs, c->zFiles, verdict_status_name(v.status), v.zEvidence,
                        v.zAction, verdict_status_name(c->want), c->zEvidence ? c->zEvidence : "");
            nBad++;
        }
        assert_ptr_equal(v.rule, r);
        assert_true(v.zEvidence[0] != 0);
        assert_null(strchr(v.zEvidence, '\n')); /* one line */
        /* Only an agent's facts make a verdict mitigated. */
        if (v.status == G) assert_true(c->zFacts && !(c->flags & F_AGENTLESS));
        /* Whatever is not patched or not affected says what to do. */
        if (v.status == P || v.status == N)
            assert_string_equal(v.zAction, "");
        else
            assert_true(v.zAction[0] != 0);
        snap_release(&s);
    }
    assert_true(sizeof aCase / sizeof aCase[0] >= 60);
    assert_int_equal(nBad, 0);
}

static verdict_t eval_one(const char *zRule, const vcase_t *c)
{
    snap_t s;
    verdict_t v;
    build(c, &s);
    assert_int_equal(verdict_eval_rule(cat_find_rule(&gCat, zRule), &s, &v), KBS_OK);
    snap_release(&s);
    return v;
}

static void test_actions(void **state)
{
    static const vcase_t xp2 = {"", XP(2), "", "", 0, U, NULL};
    static const vcase_t w7 = {"", WIN7(1), "KB4015546", "", 0, M, NULL};
    static const vcase_t w7old = {"", WIN7(1), "KB4012212", "srv.sys=6.1.7601.17514", 0, M, NULL};
    static const vcase_t w7staged = {"", WIN7(1), "KB4019264", "", F_STAGED, M, NULL};
    static const vcase_t xp3 = {"", XP(3), "", "", 0, M, NULL};
    verdict_t v;
    (void)state;
    v = eval_one("MS17-010", &xp2);
    assert_string_equal(v.zAction, "install XP SP3, then KB4012598");
    v = eval_one("MS17-010", &w7);
    assert_string_equal(v.zAction, "install KB4012212 or a later update that contains it");
    v = eval_one("MS17-010", &w7old);
    assert_string_equal(v.zEvidence,
                        "KB4012212 present but srv.sys 6.1.7601.17514 < 6.1.7601.23689 (failed install "
                        "or reboot pending)");
    assert_string_equal(v.zAction, "reboot; if srv.sys stays below 6.1.7601.23689, reinstall KB4012212");
    v = eval_one("MS17-010", &w7staged);
    assert_string_equal(v.zAction, "reboot to finish installing KB4019264");
    v = eval_one("MS17-010", &xp3);
    assert_string_equal(v.zAction, "install KB4012598");
}

static void test_eval_all(void **state)
{
    static const vcase_t w7 = {"", WIN7(1), "KB4019264 KB4499164", "", 0, P, NULL};
    snap_t s;
    verdict_t aV[32];
    size_t i;
    int nPatched = 0, nNa = 0;
    (void)state;
    build(&w7, &s);
    assert_int_equal(verdict_eval(&gCat, &s, aV, gCat.nRule - 1), KBS_EINVAL);
    assert_int_equal(verdict_eval(&gCat, &s, aV, sizeof aV / sizeof aV[0]), (int)gCat.nRule);
    for (i = 0; i < gCat.nRule; i++) {
        assert_ptr_equal(aV[i].rule, &gCat.aRule[i]);
        nPatched += aV[i].status == P;
        nNa += aV[i].status == N;
    }
    /* MS17-010 and BlueKeep patched; MS08-067, MS06-040, MS05-039, MS04-011, MS10-046/061 not
     * affected on SP1, nor SMBGhost, CurveBall and Zerologon (a workstation); MS12-020 missing
     * (no KB2621440); DejaBlue, PrintNightmare and Follina missing; the IPv6 flaw unpatchable. */
    assert_int_equal(nPatched, 2);
    assert_int_equal(nNa, 9);
    assert_int_equal(aV[cat_find_rule(&gCat, "CVE-2024-38063") - gCat.aRule].status, U);
    assert_int_equal(aV[cat_find_rule(&gCat, "CVE-2022-30190") - gCat.aRule].status, M);
    assert_int_equal(aV[2].status, M);
    snap_release(&s);
}

/* A site catalog's `undoes` line and a rule exploited on domain controllers. */
static void test_undoes_and_role(void **state)
{
    static const char zCat[] =
        "kbscat 1.1\n"
        "rule PN\ntitle Print Spooler\nref https://support.microsoft.com/help/5005010\n"
        "fix 10 kb=5004945\n"
        "mitigation fact=Spooler.Start value=4 note=\"Print Spooler disabled\"\n"
        "mitigation fact=PointAndPrint.NoWarningNoElevationOnInstall value=1 effect=undoes"
        " note=\"Point and Print installs without elevation prompt\" action=\"set it to 0\"\n"
        "end\n"
        "rule ZL\ntitle Netlogon\nref https://support.microsoft.com/help/4557222\n"
        "exploited-on dc\nfix 2019 kb=4565349\nend\n"
        "end-catalog 2\n";
    static const vcase_t pnPatched = {"", SRV10(17763, 1), "KB5004945", "", 0, M, NULL,
                                      "PointAndPrint.NoWarningNoElevationOnInstall=1"};
    static const vcase_t pnPatchedOk = {"", SRV10(17763, 1), "KB5004945", "", 0, P, NULL,
                                        "PointAndPrint.NoWarningNoElevationOnInstall=0"};
    static const vcase_t pnOff = {"", SRV10(17763, 1), "", "", 0, G, NULL, "Spooler.Start=4"};
    static const vcase_t pnNoSvc = {"", SRV10(17763, 1), "", "", 0, M, NULL,
                                    "Spooler.Start=!service not installed"};
    vcase_t zl = {"", SRV10(17763, 1), "", "", 0, M, NULL, NULL};
    cat_t c;
    snap_t s;
    verdict_t v;
    (void)state;
    assert_int_equal(cat_parse(zCat, sizeof zCat - 1, "t", &c, NULL), KBS_OK);
    /* PN on Windows 10 1809 is matched by family 10; S2019 builds are family 2019. */
    build(&pnPatched, &s);
    s.os.product_type = OS_PT_WORKSTATION;
    assert_int_equal(verdict_eval_rule(&c.aRule[0], &s, &v), KBS_OK);
    assert_int_equal(v.status, M);
    assert_string_equal(v.zEvidence, "Point and Print installs without elevation prompt "
                                     "(PointAndPrint.NoWarningNoElevationOnInstall=1) despite the "
                                     "fix; KB5004945 listed");
    assert_string_equal(v.zAction, "set it to 0");
    snap_release(&s);
    build(&pnPatchedOk, &s);
    s.os.product_type = OS_PT_WORKSTATION;
    assert_int_equal(verdict_eval_rule(&c.aRule[0], &s, &v), KBS_OK);
    assert_int_equal(v.status, P);
    snap_release(&s);
    build(&pnOff, &s);
    s.os.product_type = OS_PT_WORKSTATION;
    assert_int_equal(verdict_eval_rule(&c.aRule[0], &s, &v), KBS_OK);
    assert_int_equal(v.status, G);
    assert_non_null(strstr(v.zEvidence, "mitigated: Print Spooler disabled (Spooler.Start=4)"));
    assert_string_equal(v.zAction, "install KB5004945");
    snap_release(&s);
    build(&pnNoSvc, &s);
    s.os.product_type = OS_PT_WORKSTATION;
    assert_int_equal(verdict_eval_rule(&c.aRule[0], &s, &v), KBS_OK);
    assert_int_equal(v.status, M);
    assert_non_null(strstr(v.zEvidence, "Spooler.Start unknown (service not installed)"));
    snap_release(&s);

    zl.pt = OS_PT_DC;
    build(&zl, &s);
    assert_int_equal(verdict_eval_rule(&c.aRule[1], &s, &v), KBS_OK);
    assert_int_equal(v.status, M);
    assert_true(strncmp(v.zEvidence, "domain controller; none of", 26) == 0);
    snap_release(&s);
    zl.pt = OS_PT_SERVER;
    build(&zl, &s);
    assert_int_equal(verdict_eval_rule(&c.aRule[1], &s, &v), KBS_OK);
    assert_int_equal(v.status, M);
    assert_true(strncmp(v.zEvidence, "member machine: the flaw is exploited on domain controllers;", 60) == 0);
    snap_release(&s);
    cat_release(&c);
}

/* A systeminfo / Get-HotFix list of Windows 10 / 11 / Server 2016+ names only the newest
 * cumulative update: the build that update gives (common/catalog/kbbuild.tsv) decides against the
 * clause's ubr=, whether or not the clause lists the KB. An agent's real UBR still comes first. */
static void test_build_from_kb(void **state)
{
    static const char zCat[] =
        "kbscat 1.2\n"
        "rule T\ntitle Builds from KBs\nref https://support.microsoft.com/help/4541335\n"
        "fix 10 build=18363 ubr=752 kb=4551762\n"  /* the preview .752 is in no data list */
        "fix 10 build=18362 ubr=753 kb=4554364\n"
        "fix 10 build=19042 ubr=1466 kb=5006670,5009543\n" /* KB5006670 listed by mistake */
        "fix 10 build=19045 ubr=6093 kb=5062554\n"   /* KB5087544 named for 21H2 only */
        "fix 10 build=19041 ubr=1415 kb=5099999\n"  /* a KB the table does not know */
        "fix 11 build=26100 ubr=4652 kb=5062553\n"
        "end\n"
        "end-catalog 1\n";
    static const struct {
        vcase_t c;
        const char *zAction; /* NULL: not checked */
    } a[] = {
        {{"", WIN10(18363, 0), "KB4541335 KB4537759", "", F_AGENTLESS, P,
          "by build: KB4541335 gives 18363.752 >= 18363.752 (no UBR in the input)", NULL}, NULL},
        {{"", WIN10(18362, 0), "KB4541335", "", F_AGENTLESS, M,
          "KB4541335 gives 18362.752 < 18362.753 (the newest cumulative update listed)", NULL},
         "install KB4554364"},
        {{"", WIN10(26100, 0), "KB5062660", "", F_AGENTLESS, P, "KB5062660 gives 26100.4770 >= 26100.4652", NULL},
         NULL},
        {{"", WIN10(19045, 0), "KB5087544", "", F_AGENTLESS, P, "KB5087544 gives 19045.7291 >= 19045.6093", NULL},
         NULL},
        {{"", WIN10(19042, 0), "KB5006670", "", F_AGENTLESS, M,
          "KB5006670 gives 19042.1288 < 19042.1466", NULL}, "install KB5006670 or a later update that contains it"},
        /* The newest of several listed updates decides. */
        {{"", WIN10(19042, 0), "KB5006670 KB5009543", "", F_AGENTLESS, P, "KB5009543 gives 19042.1466 >= 19042.1466", NULL},
         NULL},
        /* The agent's UBR first: the KB list says nothing more. */
        {{"", WIN10(19042, 1288), "KB5009543", "", 0, M, "KB5009543 present but UBR 1288 < 1466", NULL}, NULL},
        {{"", WIN10(18363, 752), "", "", 0, P, "by UBR: build 18363.752 >= 18363.752", NULL}, NULL},
        /* A listed KB the table does not know for this build: the list decides as before. */
        {{"", WIN10(19041, 0), "KB5099999 KB5006670", "", F_AGENTLESS, P, "KB5099999 listed", NULL}, NULL},
        {{"", WIN10(19045, 0), "KB5006670", "", F_AGENTLESS, M, "none of 1 fixing KBs listed", NULL}, NULL},
        /* A list cut short may hide a newer update: below the fix is then unknown. */
        {{"", WIN10(19042, 0), "KB5006670", "", F_AGENTLESS | F_INCOMPLETE, Q,
          "KB5006670 gives 19042.1288 < 19042.1466, but systeminfo listed 100 of 263 hotfixes", NULL},
         "rescan the machine with the agent"},
        {{"", WIN10(18363, 0), "KB4541335", "", F_AGENTLESS | F_INCOMPLETE, P, "by build: KB4541335 gives", NULL}, NULL},
        /* A package staged for the next reboot gives no build yet. */
        {{"", WIN10(18363, 0), "KB4541335", "", F_STAGED, M, "none of 1 fixing KBs listed", NULL}, NULL},
    };
    cat_t c;
    size_t i;
    snap_t s;
    verdict_t v;
    (void)state;
    assert_int_equal(cat_parse(zCat, sizeof zCat - 1, "t", &c, NULL), KBS_OK);
    /* The fix staged for a reboot behind an older, installed update: reboot, not install. */
    build(&a[4].c, &s);
    assert_int_equal(snap_add_hotfix(&s, "KB5009543", SNAP_SRC_CBS, NULL, 96), KBS_OK);
    assert_int_equal(verdict_eval_rule(&c.aRule[0], &s, &v), KBS_OK);
    assert_int_equal(v.status, VERDICT_MISSING);
    assert_string_equal(v.zAction, "reboot to finish installing KB5009543");
    snap_release(&s);
    for (i = 0; i < sizeof a / sizeof a[0]; i++) {
        build(&a[i].c, &s);
        if (a[i].c.build >= 22000) s.os.product_type = OS_PT_WORKSTATION;
        assert_int_equal(verdict_eval_rule(&c.aRule[0], &s, &v), KBS_OK);
        if (v.status != a[i].c.want || !strstr(v.zEvidence, a[i].c.zEvidence) ||
            (a[i].zAction && strcmp(v.zAction, a[i].zAction) != 0))
            fail_msg("case %u: %s '%s' / '%s'", (unsigned)i, verdict_status_name(v.status), v.zEvidence, v.zAction);
        snap_release(&s);
    }
    cat_release(&c);
}

/* A machine whose only listed update is newer than the catalog's data is not "missing": the
 * catalog cannot know that update. Older unknown KBs, known KBs and undated lists change nothing. */
static void test_catalog_age(void **state)
{
    static const struct {
        const char *zKb, *zDate, *zDataDate;
        int bFile;
        verdict_status_t want;
        const char *zEvidence;
    } a[] = {
        {"KB5099999", "2026-08-11", NULL, 0, VERDICT_UNKNOWN, "catalog older than this machine's updates: KB5099999 installed 2026-08-11"},
        {"KB5099999", "2026-08-11T10:00:00Z", NULL, 0, VERDICT_UNKNOWN, "catalog data of 2026-06-26"},
        {"KB5099999", "2026-05-01", NULL, 0, VERDICT_MISSING, "none of"},
        {"KB5099999", NULL, NULL, 0, VERDICT_MISSING, "none of"},
        {"KB5099999", "2026-08-11", "", 0, VERDICT_MISSING, "none of"},
        {"KB5099999", "2026-08-11", NULL, 1, VERDICT_MISSING, "srv.sys 10.0.14393.0 < "},
        {"KB5094122", "2026-08-11", NULL, 0, VERDICT_PATCHED, "KB5094122 listed"},
    };
    cat_t c;
    size_t i;
    (void)state;
    assert_int_equal(cat_load_default(&c), KBS_OK);
    assert_int_equal(strlen(c.zDataDate), 10);
    for (i = 0; i < sizeof a / sizeof a[0]; i++) {
        snap_t s;
        verdict_t av[CAT_RULE_MAX];
        const cat_rule_t *r = cat_find_rule(&c, "MS17-010");
        char zSave[sizeof c.zDataDate];
        size_t k;
        snap_init(&s);
        s.osKnown = 1;
        s.os.major = 10, s.os.build = 14393, s.os.product_type = OS_PT_SERVER, s.os.arch = OS_ARCH_X64;
        assert_int_equal(snap_add_hotfix(&s, a[i].zKb, SNAP_SRC_QFE, a[i].zDate, -1), KBS_OK);
        if (a[i].bFile) {
            ver_t v;
            assert_int_equal(ver_parse("10.0.14393.0", &v), KBS_OK);
            assert_int_equal(snap_add_file(&s, "%SystemRoot%\\System32\\drivers\\srv.sys", 1, &v, NULL), KBS_OK);
        }
        memcpy(zSave, c.zDataDate, sizeof zSave);
        if (a[i].zDataDate) snprintf(c.zDataDate, sizeof c.zDataDate, "%s", a[i].zDataDate);
        assert_true(verdict_eval(&c, &s, av, CAT_RULE_MAX) > 0);
        memcpy(c.zDataDate, zSave, sizeof zSave);
        for (k = 0; av[k].rule != r; k++) {
        }
        if (av[k].status != a[i].want || !strstr(av[k].zEvidence, a[i].zEvidence))
            fail_msg("case %u: %s '%s' / '%s'", (unsigned)i, verdict_status_name(av[k].status), av[k].zEvidence,
                     av[k].zAction);
        if (a[i].want == VERDICT_UNKNOWN) assert_string_equal(av[k].zAction, "update the catalog");
        snap_release(&s);
    }
    cat_release(&c);
}

/* Releases shipped after a fix (the catalog's ubr=1: any UBR meets the threshold) are patched by
 * their build alone: systeminfo and Get-HotFix give no UBR, and a newest update newer than the
 * catalog lists no KB the catalog knows. A release whose threshold needs a real UBR is not. */
static void test_shipped_after_fix(void **state)
{
    static const struct {
        uint32_t major, build, ubr;
        int pt;
        verdict_status_t want;
        const char *zEvidence;
    } a[] = {
        {10, 19044, 0, W, P, "build 19044"},
        {10, 19045, 0, W, P, "build 19045"},
        {10, 22000, 0, W, P, "build 22000"},
        {10, 22621, 0, W, P, "build 22621"},
        {10, 20348, 0, S, P, "build 20348"},
        {10, 19045, 4780, W, P, "by UBR"},
        /* 2004 shipped before the fix: its threshold needs a UBR or a KB */
        {10, 19041, 0, W, Q, "catalog older"},
    };
    const cat_rule_t *r = cat_find_rule(&gCat, "CVE-2021-34527");
    size_t i, k;
    (void)state;
    assert_non_null(r);
    for (i = 0; i < sizeof a / sizeof a[0]; i++) {
        snap_t s;
        verdict_t v, aV[CAT_RULE_MAX];
        snap_init(&s);
        s.osKnown = 1;
        s.os.major = a[i].major, s.os.build = a[i].build, s.os.ubr = a[i].ubr;
        s.os.product_type = (os_ptype_t)a[i].pt, s.os.arch = OS_ARCH_X64;
        snprintf(s.zOrigin, sizeof s.zOrigin, "systeminfo");
        assert_int_equal(snap_add_hotfix(&s, "KB5099999", SNAP_SRC_QFE, "2026-08-11", -1), KBS_OK);
        assert_int_equal(verdict_eval(&gCat, &s, aV, CAT_RULE_MAX), (int)gCat.nRule);
        for (k = 0; aV[k].rule != r; k++) {
        }
        v = aV[k];
        if (v.status != a[i].want || !strstr(v.zEvidence, a[i].zEvidence))
            fail_msg("build %u.%u: got %s \"%s\"", (unsigned)a[i].build, (unsigned)a[i].ubr,
                     verdict_status_name(v.status), v.zEvidence);
        snap_release(&s);
    }
}

static void test_names(void **state)
{
    int i;
    (void)state;
    for (i = 0; i < VERDICT_COUNT; i++)
        assert_int_equal(verdict_status_from_name(verdict_status_name((verdict_status_t)i)), i);
    assert_string_equal(verdict_status_name(VERDICT_NOT_AFFECTED), "not-affected");
    assert_string_equal(verdict_status_name(VERDICT_MITIGATED), "mitigated");
    assert_int_equal(verdict_status_from_name("Patched"), -1);
    assert_int_equal(verdict_status_from_name(NULL), -1);
    assert_string_equal(verdict_status_name((verdict_status_t)42), "unknown");
}

/* A KB whose CBS state says not installed is not installed, whatever other source lists it
 * (QFE, or a merged Get-HotFix file); the evidence names the state. */
static void test_cbs_state_wins(void **state)
{
    static const vcase_t w7 = {"", WIN7(1), "", "", 0, P, NULL};
    static const struct {
        int cbs;
        unsigned extra;
        verdict_status_t want;
        const char *zEvidence;
    } aCbs[] = {
        {96, SNAP_SRC_QFE, M, "KB2621440 pending reboot, not installed (CBS state 96"},
        {96, SNAP_SRC_QFE | SNAP_SRC_SYSTEMINFO, M, "pending reboot"},
        {64, SNAP_SRC_QFE, M, "KB2621440 staged, not installed (CBS state 64"},
        {96, 0, M, "pending reboot"},
        {112, SNAP_SRC_QFE, P, "KB2621440 listed"},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof aCbs / sizeof aCbs[0]; i++) {
        snap_t s;
        verdict_t v;
        build(&w7, &s);
        assert_int_equal(snap_add_hotfix(&s, "KB2621440", SNAP_SRC_CBS, NULL, aCbs[i].cbs), KBS_OK);
        if (aCbs[i].extra)
            assert_int_equal(snap_add_hotfix(&s, "KB2621440", aCbs[i].extra, "2012-03-13", -1),
                             KBS_OK);
        assert_int_equal(verdict_eval_rule(cat_find_rule(&gCat, "MS12-020"), &s, &v), KBS_OK);
        if (v.status != aCbs[i].want || !strstr(v.zEvidence, aCbs[i].zEvidence))
            print_error("CBS %d + sources %u: got %s \"%s\"\n", aCbs[i].cbs, aCbs[i].extra,
                        verdict_status_name(v.status), v.zEvidence);
        assert_int_equal(v.status, aCbs[i].want);
        assert_non_null(strstr(v.zEvidence, aCbs[i].zEvidence));
        snap_release(&s);
    }
}

/* One function says which statuses are compliant: the exit codes follow it. */
static void test_compliant(void **state)
{
    (void)state;
    assert_true(verdict_compliant(VERDICT_PATCHED, 0));
    assert_true(verdict_compliant(VERDICT_NOT_AFFECTED, 0));
    assert_false(verdict_compliant(VERDICT_MISSING, 0));
    assert_false(verdict_compliant(VERDICT_UNPATCHABLE, 0));
    assert_false(verdict_compliant(VERDICT_UNKNOWN, 0));
    assert_true(verdict_compliant(VERDICT_UNKNOWN, 1));
    assert_false(verdict_compliant(VERDICT_MISSING, 1));
    assert_false(verdict_compliant((verdict_status_t)42, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_actions),
        cmocka_unit_test(test_eval_all),
        cmocka_unit_test(test_undoes_and_role),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_cbs_state_wins),
        cmocka_unit_test(test_compliant),
        cmocka_unit_test(test_catalog_age),
        cmocka_unit_test(test_build_from_kb),
        cmocka_unit_test(test_shipped_after_fix),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
