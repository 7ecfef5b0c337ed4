/* win_wmi.c: WMI queries through the C COM vtables: connection, forward-only enumeration with
 * sliced timeouts and a budget, and checked conversion of every property read. */
#include "win_wmi.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wbemcli.h>

#include "kb.h"
#include "kbs_err.h"
#include "win_reg.h"

#define WMI_STR_MAX 4096 /* characters; longer property text is not one Windows wrote */

static int wmi_hr_rc(HRESULT hr)
{
    if (hr == (HRESULT)WBEM_S_TIMEDOUT || hr == (HRESULT)WBEM_E_TIMED_OUT) return KBS_ETIMEOUT;
    if (hr == (HRESULT)WBEM_E_ACCESS_DENIED || hr == E_ACCESSDENIED) return KBS_EACCESS;
    return KBS_EIO;
}

void wmi_close(wmi_t *w)
{
    if (w->pSvc) ((IWbemServices *)w->pSvc)->lpVtbl->Release((IWbemServices *)w->pSvc);
    w->pSvc = NULL;
    if (w->comInit) CoUninitialize();
    w->comInit = 0;
}

int wmi_open(wmi_t *w, const winsys_t *sys, HANDLE hStop, DWORD nextMs, DWORD budgetMs, char *zErr,
             size_t nErr)
{
    IWbemLocator *pLoc = NULL;
    IWbemServices *pSvc = NULL;
    BSTR zNs = NULL;
    HRESULT hr;
    int rc = KBS_EIO;

    memset(w, 0, sizeof(*w));
    w->sys = sys ? sys : winsys_default();
    w->hStop = hStop;
    w->nextMs = nextMs ? nextMs : WMI_NEXT_MS;
    w->budgetMs = budgetMs ? budgetMs : WMI_BUDGET_MS;
    w->start = GetTickCount();
    hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (SUCCEEDED(hr)) {
        w->comInit = 1; /* S_FALSE too: every successful call needs its CoUninitialize */
    } else if (hr != RPC_E_CHANGED_MODE) {
        winapi_errfmt(zErr, nErr, "CoInitializeEx", NULL, (unsigned long)hr);
        goto out;
    }
    /* Once per process; a second call (a later scan, a host that set it) gives RPC_E_TOO_LATE. */
    hr = CoInitializeSecurity(NULL, -1, NULL, NULL, RPC_C_AUTHN_LEVEL_DEFAULT,
                              RPC_C_IMP_LEVEL_IMPERSONATE, NULL, EOAC_NONE, NULL);
    if (FAILED(hr) && hr != RPC_E_TOO_LATE) {
        winapi_errfmt(zErr, nErr, "CoInitializeSecurity", NULL, (unsigned long)hr);
        goto out;
    }
    hr = w->sys->pfnCoCreateInstance(&CLSID_WbemLocator, NULL, CLSCTX_INPROC_SERVER,
                                     &IID_IWbemLocator, (LPVOID *)&pLoc);
    if (FAILED(hr) || !pLoc) {
        pLoc = NULL;
        winapi_errfmt(zErr, nErr, "CoCreateInstance", "WbemLocator", (unsigned long)hr);
        goto out;
    }
    if (!(zNs = SysAllocString(L"ROOT\\CIMV2"))) {
        rc = KBS_ENOMEM;
        goto out;
    }
    /* USE_MAX_WAIT bounds the connection (2 minutes) where a broken WMI would hang for ever. */
    hr = pLoc->lpVtbl->ConnectServer(pLoc, zNs, NULL, NULL, NULL, WBEM_FLAG_CONNECT_USE_MAX_WAIT,
                                     NULL, NULL, &pSvc);
    if (FAILED(hr) || !pSvc) {
        pSvc = NULL;
        winapi_errfmt(zErr, nErr, "IWbemLocator::ConnectServer", "ROOT\\CIMV2", (unsigned long)hr);
        rc = wmi_hr_rc(hr);
        goto out;
    }
    hr = CoSetProxyBlanket((IUnknown *)pSvc, RPC_C_AUTHN_WINNT, RPC_C_AUTHZ_NONE, NULL,
                           RPC_C_AUTHN_LEVEL_CALL, RPC_C_IMP_LEVEL_IMPERSONATE, NULL, EOAC_NONE);
    /* E_NOINTERFACE: not a proxy (an in-process or test object); nothing to set. */
    if (FAILED(hr) && hr != E_NOINTERFACE) {
        winapi_errfmt(zErr, nErr, "CoSetProxyBlanket", NULL, (unsigned long)hr);
        goto out;
    }
    w->pSvc = pSvc;
    pSvc = NULL;
    rc = KBS_OK;
out:
    if (zNs) SysFreeString(zNs);
    if (pSvc) pSvc->lpVtbl->Release(pSvc);
    if (pLoc) pLoc->lpVtbl->Release(pLoc);
    if (rc != KBS_OK) wmi_close(w);
    return rc;
}

/* Called with each object; returns KBS_OK to go on, 1 to stop early, or an error. */
typedef int (*wmi_row_fn)(IWbemClassObject *pObj, void *pCtx);

/* Runs zQuery and calls fn per object. Each Next waits in slices of WMI_SLICE_MS so a stop is
 * seen within one slice; it gives up after w->nextMs for one object or when the budget is
 * spent. */
static int wmi_exec(wmi_t *w, const wchar_t *zQuery, const char *zClass, wmi_row_fn fn, void *pCtx,
                    size_t *pnRows, char *zErr, size_t nErr)
{
    IWbemServices *pSvc = w->pSvc;
    IEnumWbemClassObject *pEnum = NULL;
    IWbemClassObject *pObj = NULL;
    BSTR zLang = NULL, zQ = NULL;
    ULONG nRet;
    HRESULT hr;
    DWORD waited, spent, slice;
    int rc = KBS_EIO;

    *pnRows = 0;
    if (!pSvc) {
        snprintf(zErr, nErr, "WMI not connected");
        return KBS_EINVAL;
    }
    zLang = SysAllocString(L"WQL");
    zQ = SysAllocString(zQuery);
    if (!zLang || !zQ) {
        rc = KBS_ENOMEM;
        goto out;
    }
    hr = pSvc->lpVtbl->ExecQuery(
        pSvc, zLang, zQ, WBEM_FLAG_FORWARD_ONLY | WBEM_FLAG_RETURN_IMMEDIATELY, NULL, &pEnum);
    if (FAILED(hr) || !pEnum) {
        pEnum = NULL;
        winapi_errfmt(zErr, nErr, "IWbemServices::ExecQuery", zClass, (unsigned long)hr);
        rc = wmi_hr_rc(hr);
        goto out;
    }
    for (;;) {
        waited = 0;
        for (;;) {
            if (w->hStop && WaitForSingleObject(w->hStop, 0) == WAIT_OBJECT_0) {
                snprintf(zErr, nErr, "WMI %s: stopped", zClass);
                rc = KBS_ETIMEOUT;
                goto out;
            }
            spent = GetTickCount() - w->start;
            if (spent >= w->budgetMs) {
                snprintf(zErr, nErr, "WMI %s: time budget of %lu ms spent after %lu objects",
                         zClass, (unsigned long)w->budgetMs, (unsigned long)*pnRows);
                rc = KBS_ETIMEOUT;
                goto out;
            }
            if (waited >= w->nextMs) {
                snprintf(zErr, nErr, "IEnumWbemClassObject::Next %s: no answer in %lu ms", zClass,
                         (unsigned long)w->nextMs);
                rc = KBS_ETIMEOUT;
                goto out;
            }
            slice = WMI_SLICE_MS;
            if (slice > w->nextMs - waited) slice = w->nextMs - waited;
            if (slice > w->budgetMs - spent) slice = w->budgetMs - spent;
            nRet = 0;
            pObj = NULL;
            hr = pEnum->lpVtbl->Next(pEnum, (LONG)slice, 1, &pObj, &nRet);
            if (hr == (HRESULT)WBEM_S_TIMEDOUT && nRet == 0) {
                waited += slice;
                continue;
            }
            break;
        }
        if (FAILED(hr)) {
            winapi_errfmt(zErr, nErr, "IEnumWbemClassObject::Next", zClass, (unsigned long)hr);
            rc = wmi_hr_rc(hr);
            goto out;
        }
        if (nRet == 0 || !pObj) break; /* WBEM_S_FALSE: the end */
        (*pnRows)++;
        rc = fn(pObj, pCtx);
        pObj->lpVtbl->Release(pObj);
        pObj = NULL;
        if (rc == 1) break;
        if (rc != KBS_OK) {
            snprintf(zErr, nErr, "WMI %s: %s", zClass, kbs_strerror(rc));
            goto out;
        }
    }
    rc = KBS_OK;
out:
    if (pObj) pObj->lpVtbl->Release(pObj);
    if (pEnum) pEnum->lpVtbl->Release(pEnum);
    if (zLang) SysFreeString(zLang);
    if (zQ) SysFreeString(zQ);
    return rc;
}

/* One string property: KBS_OK, KBS_ENOTFOUND (absent or NULL) or KBS_EPARSE (not text). */
static int wmi_get_str(IWbemClassObject *pObj, const wchar_t *zName, char *z, size_t n)
{
    VARIANT v;
    HRESULT hr;
    int rc = KBS_ENOTFOUND;
    size_t len;

    z[0] = 0;
    VariantInit(&v);
    hr = pObj->lpVtbl->Get(pObj, zName, 0, &v, NULL, NULL);
    if (FAILED(hr)) return KBS_ENOTFOUND;
    if (V_VT(&v) == VT_BSTR && V_BSTR(&v)) {
        len = SysStringLen(V_BSTR(&v));
        if (len > WMI_STR_MAX) len = WMI_STR_MAX;
        /* A cut string is still the start of the right text; callers' buffers are the limit. */
        winapi_utf8(V_BSTR(&v), len, z, n);
        rc = KBS_OK;
    } else if (V_VT(&v) == (VT_ARRAY | VT_BSTR) && V_ARRAY(&v)) {
        /* MUILanguages: the first element. */
        SAFEARRAY *pA = V_ARRAY(&v);
        LONG lo = 0, hi = -1;
        BSTR zE = NULL;
        if (SafeArrayGetDim(pA) == 1 && SUCCEEDED(SafeArrayGetLBound(pA, 1, &lo)) &&
            SUCCEEDED(SafeArrayGetUBound(pA, 1, &hi)) && hi >= lo &&
            SUCCEEDED(SafeArrayGetElement(pA, &lo, &zE)) && zE) {
            len = SysStringLen(zE);
            winapi_utf8(zE, len > WMI_STR_MAX ? WMI_STR_MAX : len, z, n);
            rc = KBS_OK;
        }
        if (zE) SysFreeString(zE);
    } else if (V_VT(&v) != VT_NULL && V_VT(&v) != VT_EMPTY) {
        rc = KBS_EPARSE;
    }
    VariantClear(&v);
    return rc;
}

/* One unsigned number property (WMI gives uint32 as VT_I4, uint64 as text). */
static int wmi_get_u32(IWbemClassObject *pObj, const wchar_t *zName, uint32_t *pOut)
{
    VARIANT v;
    HRESULT hr;
    int rc = KBS_OK;

    *pOut = 0;
    VariantInit(&v);
    hr = pObj->lpVtbl->Get(pObj, zName, 0, &v, NULL, NULL);
    if (FAILED(hr)) return KBS_ENOTFOUND;
    switch (V_VT(&v)) {
    case VT_I4: *pOut = (uint32_t)V_I4(&v); break;
    case VT_UI4: *pOut = V_UI4(&v); break;
    case VT_I2: *pOut = (uint32_t)(uint16_t)V_I2(&v); break;
    case VT_UI2: *pOut = V_UI2(&v); break;
    case VT_UI1: *pOut = V_UI1(&v); break;
    case VT_BOOL: *pOut = V_BOOL(&v) ? 1 : 0; break;
    case VT_NULL:
    case VT_EMPTY: rc = KBS_ENOTFOUND; break;
    default: rc = KBS_EPARSE; break;
    }
    VariantClear(&v);
    return rc;
}

static int wmi_os_row(IWbemClassObject *pObj, void *pCtx)
{
    wmi_os_t *o = pCtx;
    char zDate[64];

    wmi_get_str(pObj, L"Caption", o->zCaption, sizeof(o->zCaption));
    wmi_get_str(pObj, L"Version", o->zVersion, sizeof(o->zVersion));
    wmi_get_str(pObj, L"BuildNumber", o->zBuild, sizeof(o->zBuild));
    wmi_get_str(pObj, L"CSDVersion", o->zCsdVersion, sizeof(o->zCsdVersion));
    wmi_get_str(pObj, L"OSArchitecture", o->zArch, sizeof(o->zArch));
    wmi_get_str(pObj, L"MUILanguages", o->zMuiLanguage, sizeof(o->zMuiLanguage));
    if (wmi_get_str(pObj, L"InstallDate", zDate, sizeof(zDate)) == KBS_OK)
        wmi_cimdate_iso(zDate, o->zInstallDate, sizeof(o->zInstallDate));
    o->hasSp = wmi_get_u32(pObj, L"ServicePackMajorVersion", &o->spMajor) == KBS_OK;
    if (o->hasSp) wmi_get_u32(pObj, L"ServicePackMinorVersion", &o->spMinor);
    o->hasProductType = wmi_get_u32(pObj, L"ProductType", &o->productType) == KBS_OK;
    o->hasOsLanguage = wmi_get_u32(pObj, L"OSLanguage", &o->osLanguage) == KBS_OK;
    return 1; /* one operating system */
}

int wmi_query_os(wmi_t *w, wmi_os_t *pOut, char *zErr, size_t nErr)
{
    size_t n;
    int rc;

    memset(pOut, 0, sizeof(*pOut));
    /* SELECT *: naming OSArchitecture would make the whole query invalid on XP. */
    rc = wmi_exec(w, L"SELECT * FROM Win32_OperatingSystem", "Win32_OperatingSystem", wmi_os_row,
                  pOut, &n, zErr, nErr);
    if (rc == KBS_OK && n == 0) {
        snprintf(zErr, nErr, "WMI Win32_OperatingSystem: no instance");
        rc = KBS_ENOTFOUND;
    }
    return rc;
}

static int wmi_cs_row(IWbemClassObject *pObj, void *pCtx)
{
    wmi_cs_t *c = pCtx;
    uint32_t u;

    wmi_get_str(pObj, L"Name", c->zName, sizeof(c->zName));
    wmi_get_str(pObj, L"Domain", c->zDomain, sizeof(c->zDomain));
    wmi_get_str(pObj, L"Workgroup", c->zWorkgroup, sizeof(c->zWorkgroup));
    wmi_get_str(pObj, L"SystemType", c->zSystemType, sizeof(c->zSystemType));
    c->partOfDomain = wmi_get_u32(pObj, L"PartOfDomain", &u) == KBS_OK ? (int)u : -1;
    return 1;
}

int wmi_query_cs(wmi_t *w, wmi_cs_t *pOut, char *zErr, size_t nErr)
{
    size_t n;
    int rc;

    memset(pOut, 0, sizeof(*pOut));
    pOut->partOfDomain = -1;
    rc = wmi_exec(w, L"SELECT * FROM Win32_ComputerSystem", "Win32_ComputerSystem", wmi_cs_row,
                  pOut, &n, zErr, nErr);
    if (rc == KBS_OK && n == 0) {
        snprintf(zErr, nErr, "WMI Win32_ComputerSystem: no instance");
        rc = KBS_ENOTFOUND;
    }
    return rc;
}

typedef struct wmi_qfe_ctx {
    snap_t *s;
    size_t n;
} wmi_qfe_ctx_t;

static int wmi_qfe_row(IWbemClassObject *pObj, void *pCtx)
{
    wmi_qfe_ctx_t *q = pCtx;
    char zId[SNAP_RAW_MAX], zSp[SNAP_RAW_MAX], zOn[64], zIso[24] = "";
    kb_id_t kb;

    if (wmi_get_str(pObj, L"HotFixID", zId, sizeof(zId)) != KBS_OK || !zId[0]) return KBS_OK;
    /* XP lists a fix's files as HotFixID "File 1" with the KB in ServicePackInEffect. */
    if (kb_parse(zId, &kb) != KBS_OK) {
        if (wmi_get_str(pObj, L"ServicePackInEffect", zSp, sizeof(zSp)) == KBS_OK &&
            kb_parse(zSp, &kb) == KBS_OK)
            snprintf(zId, sizeof(zId), "%s", zSp);
        else if (!strncmp(zId, "File ", 5))
            return KBS_OK; /* a file entry naming no fix */
    }
    if (wmi_get_str(pObj, L"InstalledOn", zOn, sizeof(zOn)) == KBS_OK)
        wmi_qfe_date(zOn, zIso, sizeof(zIso));
    q->n++;
    return snap_add_hotfix(q->s, zId, SNAP_SRC_QFE, zIso[0] ? zIso : NULL, -1);
}

int wmi_query_qfe(wmi_t *w, snap_t *s, size_t *pnFound, char *zErr, size_t nErr)
{
    wmi_qfe_ctx_t q;
    size_t nRows;
    int rc;

    q.s = s;
    q.n = 0;
    rc = wmi_exec(w,
                  L"SELECT HotFixID, InstalledOn, Description, ServicePackInEffect "
                  L"FROM Win32_QuickFixEngineering",
                  "Win32_QuickFixEngineering", wmi_qfe_row, &q, &nRows, zErr, nErr);
    *pnFound = q.n;
    return rc;
}

static int wmi_feature_row(IWbemClassObject *pObj, void *pCtx)
{
    uint32_t *pState = pCtx;
    if (wmi_get_u32(pObj, L"InstallState", pState) != KBS_OK) *pState = 0;
    return 1;
}

int wmi_query_feature(wmi_t *w, const wchar_t *zName, uint32_t *pState, char *zErr, size_t nErr)
{
    wchar_t zQuery[160];
    size_t n;
    int rc;

    *pState = 0;
    /* zName is one of our constants, never input: no quoting needed. */
    _snwprintf(zQuery, 159, L"SELECT InstallState FROM Win32_OptionalFeature WHERE Name = '%ls'",
               zName);
    zQuery[159] = 0;
    rc = wmi_exec(w, zQuery, "Win32_OptionalFeature", wmi_feature_row, pState, &n, zErr, nErr);
    if (rc == KBS_OK && n == 0) {
        snprintf(zErr, nErr, "WMI Win32_OptionalFeature: no instance");
        rc = KBS_ENOTFOUND;
    }
    return rc;
}

static int wmi_digits(const char *z, int n, unsigned *pOut)
{
    int i;

    *pOut = 0;
    for (i = 0; i < n; i++) {
        if (!isdigit((unsigned char)z[i])) return 0;
        *pOut = *pOut * 10 + (unsigned)(z[i] - '0');
    }
    return 1;
}

/* Days from 1970-01-01 to y-m-d (valid dates only). */
static int64_t wmi_days(unsigned y, unsigned m, unsigned d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = yy / 400;
    unsigned yoe = (unsigned)(yy - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int wmi_cimdate_iso(const char *zIn, char *z, size_t n)
{
    unsigned y, mo, d, h, mi, s, off;
    int64_t t;

    if (n) z[0] = 0;
    /* yyyymmddHHMMSS.mmmmmm+UUU: exactly 25 characters, the offset in minutes. */
    if (strlen(zIn) != 25 || zIn[14] != '.' || (zIn[21] != '+' && zIn[21] != '-'))
        return KBS_EPARSE;
    if (!wmi_digits(zIn, 4, &y) || !wmi_digits(zIn + 4, 2, &mo) || !wmi_digits(zIn + 6, 2, &d) ||
        !wmi_digits(zIn + 8, 2, &h) || !wmi_digits(zIn + 10, 2, &mi) ||
        !wmi_digits(zIn + 12, 2, &s) || !wmi_digits(zIn + 22, 3, &off))
        return KBS_EPARSE;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 || off > 840)
        return KBS_EPARSE;
    t = wmi_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    t += zIn[21] == '+' ? -(int64_t)off * 60 : (int64_t)off * 60;
    return reg_unix_iso(t, z, n);
}

int wmi_qfe_date(const char *zIn, char *z, size_t n)
{
    size_t len = strlen(zIn), i;
    unsigned y, m, d;
    uint64_t ft = 0;

    if (n) z[0] = 0;
    if (n < 24) return KBS_EPARSE;
    if (strchr(zIn, '/')) return reg_mdy_iso(zIn, z, n);
    if (len == 8 && wmi_digits(zIn, 4, &y) && wmi_digits(zIn + 4, 2, &m) &&
        wmi_digits(zIn + 6, 2, &d)) {
        if (y < 1980 || m < 1 || m > 12 || d < 1 || d > 31) return KBS_EPARSE;
        snprintf(z, n, "%04u-%02u-%02u", y, m, d);
        return KBS_OK;
    }
    /* Some Vista-era entries hold a FILETIME as 16 hex digits. */
    if (len == 16) {
        for (i = 0; i < 16; i++) {
            int c = tolower((unsigned char)zIn[i]);
            if (!isxdigit(c)) return KBS_EPARSE;
            ft = ft << 4 | (uint64_t)(isdigit(c) ? c - '0' : c - 'a' + 10);
        }
        return reg_filetime_iso(ft, z, n);
    }
    return KBS_EPARSE;
}
