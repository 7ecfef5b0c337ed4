/* test_wmi.c: WMI collector against fake COM objects (hangs, budgets, stops, failing calls,
 * hostile property types and text) and once against the real WMI of the test machine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <windows.h>
#include <wbemcli.h>

#include "kbs_err.h"
#include "win_wmi.h"

/* One property of a fake object: a string (z), a number (vt VT_I4) or NULL (vt VT_NULL). */
typedef struct t_prop {
    const wchar_t *zName;
    VARTYPE vt;
    const wchar_t *z;
    LONG n;
} t_prop_t;

#define T_PROPS 8
typedef struct t_row {
    t_prop_t a[T_PROPS];
} t_row_t;

/* What the fakes do; set by each test. */
static struct {
    HRESULT hrCreate, hrConnect, hrExec, hrNextFail;
    int failAtRow;     /* Next fails with hrNextFail at this row (-1 never) */
    int hang;          /* Next always times out */
    DWORD sleepPerRow; /* Next sleeps this long before each row */
    const t_row_t *aRow;
    int nRow;
    LONG nRef; /* references held on all fakes: back to 0 after wmi_close */
    wchar_t zLastQuery[256];
} g;

typedef struct t_obj {
    IWbemClassObject iface;
    const t_row_t *pRow;
} t_obj_t;
typedef struct t_enum {
    IEnumWbemClassObject iface;
    int i;
} t_enum_t;

static HRESULT STDMETHODCALLTYPE t_qi(void *This, REFIID riid, void **ppv)
{
    (void)This, (void)riid;
    *ppv = NULL;
    return E_NOINTERFACE;
}
static ULONG STDMETHODCALLTYPE t_addref(void *This)
{
    (void)This;
    return (ULONG)InterlockedIncrement(&g.nRef);
}
static ULONG STDMETHODCALLTYPE t_release(void *This)
{
    (void)This;
    return (ULONG)InterlockedDecrement(&g.nRef);
}

static HRESULT STDMETHODCALLTYPE t_obj_get(IWbemClassObject *This, LPCWSTR zName, LONG lFlags,
                                           VARIANT *pVal, CIMTYPE *pType, LONG *pFlavor)
{
    const t_row_t *r = ((t_obj_t *)This)->pRow;
    int i;
    (void)lFlags, (void)pType, (void)pFlavor;

    for (i = 0; i < T_PROPS && r->a[i].zName; i++) {
        if (_wcsicmp(r->a[i].zName, zName)) continue;
        VariantInit(pVal);
        V_VT(pVal) = r->a[i].vt;
        if (r->a[i].vt == VT_BSTR) V_BSTR(pVal) = SysAllocString(r->a[i].z);
        if (r->a[i].vt == VT_I4) V_I4(pVal) = r->a[i].n;
        return S_OK;
    }
    return WBEM_E_NOT_FOUND;
}

static IWbemClassObjectVtbl g_objVtbl;
static t_obj_t g_aObj[32];

static HRESULT STDMETHODCALLTYPE t_enum_next(IEnumWbemClassObject *This, LONG lTimeout, ULONG n,
                                             IWbemClassObject **ap, ULONG *pRet)
{
    t_enum_t *e = (t_enum_t *)This;
    (void)n;

    *pRet = 0;
    if (g.hang) {
        Sleep((DWORD)lTimeout);
        return WBEM_S_TIMEDOUT;
    }
    if (g.sleepPerRow) Sleep(g.sleepPerRow);
    if (e->i == g.failAtRow) return g.hrNextFail;
    if (e->i >= g.nRow) return WBEM_S_FALSE;
    g_aObj[e->i].iface.lpVtbl = &g_objVtbl;
    g_aObj[e->i].pRow = &g.aRow[e->i];
    ap[0] = &g_aObj[e->i].iface;
    InterlockedIncrement(&g.nRef);
    e->i++;
    *pRet = 1;
    return WBEM_S_NO_ERROR;
}

static IEnumWbemClassObjectVtbl g_enumVtbl;
static t_enum_t g_enum;

static HRESULT STDMETHODCALLTYPE t_exec(IWbemServices *This, const BSTR zLang, const BSTR zQuery,
                                        LONG lFlags, IWbemContext *pCtx, IEnumWbemClassObject **pp)
{
    (void)This, (void)zLang, (void)pCtx;
    *pp = NULL;
    wcsncpy(g.zLastQuery, zQuery, 255);
    /* The collector must ask for a forward-only, semi-synchronous enumeration. */
    assert_int_equal(lFlags, WBEM_FLAG_FORWARD_ONLY | WBEM_FLAG_RETURN_IMMEDIATELY);
    if (FAILED(g.hrExec)) return g.hrExec;
    g_enum.iface.lpVtbl = &g_enumVtbl;
    g_enum.i = 0;
    *pp = &g_enum.iface;
    InterlockedIncrement(&g.nRef);
    return S_OK;
}

static IWbemServicesVtbl g_svcVtbl;
static IWbemServices g_svc = {&g_svcVtbl};

static HRESULT STDMETHODCALLTYPE t_connect(IWbemLocator *This, const BSTR zNs, const BSTR u,
                                           const BSTR p, const BSTR l, LONG f, const BSTR a,
                                           IWbemContext *c, IWbemServices **pp)
{
    (void)This, (void)u, (void)p, (void)l, (void)f, (void)a, (void)c;
    *pp = NULL;
    assert_int_equal(_wcsicmp(zNs, L"ROOT\\CIMV2"), 0);
    if (FAILED(g.hrConnect)) return g.hrConnect;
    *pp = &g_svc;
    InterlockedIncrement(&g.nRef);
    return S_OK;
}

static IWbemLocatorVtbl g_locVtbl;
static IWbemLocator g_loc = {&g_locVtbl};

static HRESULT WINAPI t_cocreate(REFCLSID clsid, LPUNKNOWN pOuter, DWORD ctx, REFIID riid,
                                 LPVOID *pp)
{
    (void)clsid, (void)pOuter, (void)ctx, (void)riid;
    *pp = NULL;
    if (FAILED(g.hrCreate)) return g.hrCreate;
    *pp = &g_loc;
    InterlockedIncrement(&g.nRef);
    return S_OK;
}

static winsys_t g_sys;

static int t_setup(void **state)
{
    (void)state;
    memset(&g, 0, sizeof(g));
    g.failAtRow = -1;
    g_objVtbl.QueryInterface = (void *)t_qi;
    g_objVtbl.AddRef = (void *)t_addref;
    g_objVtbl.Release = (void *)t_release;
    g_objVtbl.Get = t_obj_get;
    g_enumVtbl.QueryInterface = (void *)t_qi;
    g_enumVtbl.AddRef = (void *)t_addref;
    g_enumVtbl.Release = (void *)t_release;
    g_enumVtbl.Next = t_enum_next;
    g_svcVtbl.QueryInterface = (void *)t_qi;
    g_svcVtbl.AddRef = (void *)t_addref;
    g_svcVtbl.Release = (void *)t_release;
    g_svcVtbl.ExecQuery = t_exec;
    g_locVtbl.QueryInterface = (void *)t_qi;
    g_locVtbl.AddRef = (void *)t_addref;
    g_locVtbl.Release = (void *)t_release;
    g_locVtbl.ConnectServer = t_connect;
    g_sys = *winsys_default();
    g_sys.pfnCoCreateInstance = t_cocreate;
    return 0;
}

static const t_row_t g_aQfe[] = {
    {{{L"HotFixID", VT_BSTR, L"KB4012212", 0}, {L"InstalledOn", VT_BSTR, L"3/14/2017", 0}}},
    /* XP: a fix's file entry; the KB is in ServicePackInEffect. */
    {{{L"HotFixID", VT_BSTR, L"File 1", 0}, {L"ServicePackInEffect", VT_BSTR, L"KB958644", 0}}},
    {{{L"HotFixID", VT_BSTR, L"File 1", 0}, {L"ServicePackInEffect", VT_BSTR, L"SP3", 0}}},
    {{{L"HotFixID", VT_I4, NULL, 5}}},   /* wrong type: skipped */
    {{{L"HotFixID", VT_NULL, NULL, 0}}}, /* NULL: skipped */
    {{{L"HotFixID", VT_BSTR, L"Q147222", 0}, {L"InstalledOn", VT_BSTR, L"garbage", 0}}},
    {{{L"HotFixID", VT_BSTR, L"KB4012212", 0}, {L"InstalledOn", VT_BSTR, L"20170315", 0}}},
    {{{L"HotFixID", VT_BSTR, L"KB2510531-IE8", 0},
      {L"InstalledOn", VT_BSTR, L"01d29ce46a79a800", 0}}},
    {{{L"HotFixID", VT_BSTR, L"Update\r\nfor x", 0}}}, /* not a KB; control chars */
    {{{L"Description", VT_BSTR, L"no id at all", 0}}},
};

static const snap_hotfix_t *t_find(const snap_t *s, uint32_t num)
{
    size_t i;
    for (i = 0; i < s->nHotfix; i++)
        if (s->aHotfix[i].kb.num == num) return &s->aHotfix[i];
    return NULL;
}

static void test_qfe(void **state)
{
    wmi_t w;
    snap_t s;
    size_t n = 0, i;
    char zErr[256];
    (void)state;

    g.aRow = g_aQfe;
    g.nRow = (int)(sizeof(g_aQfe) / sizeof(g_aQfe[0]));
    snap_init(&s);
    assert_int_equal(wmi_open(&w, &g_sys, NULL, 0, 0, zErr, sizeof(zErr)), KBS_OK);
    assert_int_equal(wmi_query_qfe(&w, &s, &n, zErr, sizeof(zErr)), KBS_OK);
    assert_non_null(wcsstr(g.zLastQuery, L"Win32_QuickFixEngineering"));
    assert_int_equal(n, 6);
    assert_int_equal(s.nHotfix, 5);
    assert_string_equal(t_find(&s, 4012212)->zInstalled, "2017-03-14"); /* first date kept */
    assert_int_equal(t_find(&s, 4012212)->sources, SNAP_SRC_QFE);
    assert_non_null(t_find(&s, 958644));
    assert_non_null(t_find(&s, 147222));
    assert_string_equal(t_find(&s, 147222)->zInstalled, "");
    assert_string_equal(t_find(&s, 2510531)->zInstalled, "2017-03-14T17:00:00Z");
    for (i = 0; i < s.nHotfix; i++) {
        assert_null(strchr(s.aHotfix[i].zRaw, '\r'));
        assert_null(strchr(s.aHotfix[i].zRaw, '\n'));
    }
    wmi_close(&w);
    assert_int_equal(g.nRef, 0); /* every object released */
    snap_release(&s);
}

static void test_os_cs(void **state)
{
    static const t_row_t aOs[] = {{{
        {L"Caption", VT_BSTR, L"Microsoft Windows XP Professional", 0},
        {L"Version", VT_BSTR, L"5.1.2600", 0},
        {L"BuildNumber", VT_BSTR, L"2600", 0},
        {L"CSDVersion", VT_BSTR, L"Service Pack 3", 0},
        {L"ServicePackMajorVersion", VT_I4, NULL, 3},
        {L"ProductType", VT_BSTR, L"1", 0}, /* wrong type: not trusted */
        {L"OSLanguage", VT_I4, NULL, 1033},
        {L"InstallDate", VT_BSTR, L"20080101120000.000000+060", 0},
    }}};
    static const t_row_t aCs[] = {{{
        {L"Name", VT_BSTR, L"PC-0042", 0},
        {L"Domain", VT_BSTR, L"POLICE.LOCAL", 0},
        {L"Workgroup", VT_NULL, NULL, 0},
        {L"SystemType", VT_BSTR, L"X86-based PC", 0},
    }}};
    wmi_t w;
    wmi_os_t o;
    wmi_cs_t c;
    char zErr[256];
    (void)state;

    assert_int_equal(wmi_open(&w, &g_sys, NULL, 0, 0, zErr, sizeof(zErr)), KBS_OK);
    g.aRow = aOs;
    g.nRow = 1;
    assert_int_equal(wmi_query_os(&w, &o, zErr, sizeof(zErr)), KBS_OK);
    assert_string_equal(o.zCaption, "Microsoft Windows XP Professional");
    assert_string_equal(o.zVersion, "5.1.2600");
    assert_string_equal(o.zCsdVersion, "Service Pack 3");
    assert_string_equal(o.zArch, ""); /* XP has no OSArchitecture */
    assert_true(o.hasSp);
    assert_int_equal(o.spMajor, 3);
    assert_false(o.hasProductType);
    assert_true(o.hasOsLanguage);
    assert_int_equal(o.osLanguage, 1033);
    assert_string_equal(o.zInstallDate, "2008-01-01T11:00:00Z");
    g.aRow = aCs;
    assert_int_equal(wmi_query_cs(&w, &c, zErr, sizeof(zErr)), KBS_OK);
    assert_string_equal(c.zName, "PC-0042");
    assert_string_equal(c.zDomain, "POLICE.LOCAL");
    assert_string_equal(c.zWorkgroup, "");
    assert_int_equal(c.partOfDomain, -1);
    g.nRow = 0;
    assert_int_equal(wmi_query_os(&w, &o, zErr, sizeof(zErr)), KBS_ENOTFOUND);
    assert_non_null(strstr(zErr, "no instance"));
    wmi_close(&w);
    assert_int_equal(g.nRef, 0);
}

static void test_failures(void **state)
{
    wmi_t w;
    snap_t s;
    size_t n;
    char zErr[256];
    (void)state;

    g.hrCreate = REGDB_E_CLASSNOTREG;
    assert_int_equal(wmi_open(&w, &g_sys, NULL, 0, 0, zErr, sizeof(zErr)), KBS_EIO);
    assert_string_equal(zErr, "CoCreateInstance WbemLocator: 0x80040154");
    g.hrCreate = S_OK;
    g.hrConnect = WBEM_E_INVALID_NAMESPACE;
    assert_int_equal(wmi_open(&w, &g_sys, NULL, 0, 0, zErr, sizeof(zErr)), KBS_EIO);
    assert_string_equal(zErr, "IWbemLocator::ConnectServer ROOT\\CIMV2: 0x8004100E");
    g.hrConnect = WBEM_E_ACCESS_DENIED;
    assert_int_equal(wmi_open(&w, &g_sys, NULL, 0, 0, zErr, sizeof(zErr)), KBS_EACCESS);
    assert_int_equal(g.nRef, 0);
    g.hrConnect = S_OK;

    snap_init(&s);
    assert_int_equal(wmi_open(&w, &g_sys, NULL, 0, 0, zErr, sizeof(zErr)), KBS_OK);
    g.hrExec = WBEM_E_INVALID_QUERY;
    assert_int_equal(wmi_query_qfe(&w, &s, &n, zErr, sizeof(zErr)), KBS_EIO);
    assert_string_equal(zErr, "IWbemServices::ExecQuery Win32_QuickFixEngineering: 0x80041017");
    g.hrExec = S_OK;
    /* Next fails after two rows: the rows read stay, the error names the call. */
    g.aRow = g_aQfe;
    g.nRow = 5;
    g.failAtRow = 2;
    g.hrNextFail = WBEM_E_FAILED;
    assert_int_equal(wmi_query_qfe(&w, &s, &n, zErr, sizeof(zErr)), KBS_EIO);
    assert_string_equal(zErr, "IEnumWbemClassObject::Next Win32_QuickFixEngineering: 0x80041001");
    assert_int_equal(n, 2);
    assert_int_equal(s.nHotfix, 2);
    wmi_close(&w);
    assert_int_equal(g.nRef, 0);
    snap_release(&s);
}

static void test_hang(void **state)
{
    wmi_t w;
    snap_t s;
    size_t n;
    char zErr[256];
    DWORD t0, ms;
    HANDLE hStop = CreateEventW(NULL, TRUE, FALSE, NULL);
    (void)state;

    snap_init(&s);
    /* A Next that never answers is given up after nextMs. */
    g.hang = 1;
    assert_int_equal(wmi_open(&w, &g_sys, NULL, 600, 10000, zErr, sizeof(zErr)), KBS_OK);
    t0 = GetTickCount();
    assert_int_equal(wmi_query_qfe(&w, &s, &n, zErr, sizeof(zErr)), KBS_ETIMEOUT);
    ms = GetTickCount() - t0;
    assert_true(ms >= 550 && ms < 2000);
    assert_non_null(strstr(zErr, "no answer in 600 ms"));
    wmi_close(&w);

    /* Rows that trickle in slowly are cut by the budget of all queries. */
    g.hang = 0;
    g.sleepPerRow = 100;
    g.aRow = g_aQfe;
    g.nRow = (int)(sizeof(g_aQfe) / sizeof(g_aQfe[0]));
    assert_int_equal(wmi_open(&w, &g_sys, NULL, 5000, 350, zErr, sizeof(zErr)), KBS_OK);
    t0 = GetTickCount();
    assert_int_equal(wmi_query_qfe(&w, &s, &n, zErr, sizeof(zErr)), KBS_ETIMEOUT);
    ms = GetTickCount() - t0;
    assert_true(ms < 1500);
    assert_true(n >= 1 && n < 10);
    assert_non_null(strstr(zErr, "time budget of 350 ms"));
    wmi_close(&w);

    /* A stop is seen within a slice. */
    g.hang = 1;
    assert_int_equal(wmi_open(&w, &g_sys, hStop, 5000, 20000, zErr, sizeof(zErr)), KBS_OK);
    SetEvent(hStop);
    t0 = GetTickCount();
    assert_int_equal(wmi_query_qfe(&w, &s, &n, zErr, sizeof(zErr)), KBS_ETIMEOUT);
    assert_true(GetTickCount() - t0 < 500);
    assert_non_null(strstr(zErr, "stopped"));
    wmi_close(&w);
    assert_int_equal(g.nRef, 0);
    CloseHandle(hStop);
    snap_release(&s);
}

static void test_dates(void **state)
{
    char z[32];
    (void)state;

    assert_int_equal(wmi_cimdate_iso("20170314123456.000000+060", z, sizeof(z)), KBS_OK);
    assert_string_equal(z, "2017-03-14T11:34:56Z");
    assert_int_equal(wmi_cimdate_iso("20171231233000.000000-120", z, sizeof(z)), KBS_OK);
    assert_string_equal(z, "2018-01-01T01:30:00Z");
    assert_int_equal(wmi_cimdate_iso("20170314123456.000000+06", z, sizeof(z)), KBS_EPARSE);
    assert_int_equal(wmi_cimdate_iso("2017031412345x.000000+060", z, sizeof(z)), KBS_EPARSE);
    assert_int_equal(wmi_cimdate_iso("20171314123456.000000+060", z, sizeof(z)), KBS_EPARSE);
    assert_int_equal(wmi_cimdate_iso("", z, sizeof(z)), KBS_EPARSE);
    assert_string_equal(z, "");
    assert_int_equal(wmi_qfe_date("3/14/2017", z, sizeof(z)), KBS_OK);
    assert_string_equal(z, "2017-03-14");
    assert_int_equal(wmi_qfe_date("20170314", z, sizeof(z)), KBS_OK);
    assert_string_equal(z, "2017-03-14");
    assert_int_equal(wmi_qfe_date("01d29ce46a79a800", z, sizeof(z)), KBS_OK);
    assert_string_equal(z, "2017-03-14T17:00:00Z");
    assert_int_equal(wmi_qfe_date("01d29ce46a79a80g", z, sizeof(z)), KBS_EPARSE);
    assert_int_equal(wmi_qfe_date("20171399", z, sizeof(z)), KBS_EPARSE);
    assert_int_equal(wmi_qfe_date("", z, sizeof(z)), KBS_EPARSE);
    assert_int_equal(wmi_qfe_date("3/14/2017", z, 10), KBS_EPARSE);
}

/* The test machine's own WMI (Wine's wbemprox or Windows). */
static void test_real(void **state)
{
    wmi_t w;
    wmi_os_t o;
    wmi_cs_t c;
    char zErr[256];
    (void)state;

    assert_int_equal(wmi_open(&w, NULL, NULL, 0, 0, zErr, sizeof(zErr)), KBS_OK);
    assert_int_equal(wmi_query_os(&w, &o, zErr, sizeof(zErr)), KBS_OK);
    assert_true(o.zCaption[0] != 0);
    assert_true(o.zVersion[0] >= '1' && o.zVersion[0] <= '9');
    assert_int_equal(wmi_query_cs(&w, &c, zErr, sizeof(zErr)), KBS_OK);
    assert_true(c.zName[0] != 0);
    wmi_close(&w);
    /* A second session in the same process: COM security is already set (RPC_E_TOO_LATE). */
    assert_int_equal(wmi_open(&w, NULL, NULL, 0, 0, zErr, sizeof(zErr)), KBS_OK);
    wmi_close(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_qfe, t_setup),
        cmocka_unit_test_setup(test_os_cs, t_setup),
        cmocka_unit_test_setup(test_failures, t_setup),
        cmocka_unit_test_setup(test_hang, t_setup),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_real),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
