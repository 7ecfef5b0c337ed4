/* cmd_inventory.c: `kbsentry inventory`: the directory's computer accounts, from export files or
 * live LDAP, stored as one dated sync. */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "inv.h"
#include "kbs_err.h"
#include "plat.h"

static void cmd_inventory_help(FILE *f)
{
    fputs("usage: kbsentry inventory [--db FILE] [--replace] [--netbios NAME] FILE...\n"
          "       kbsentry inventory [--db FILE] [--replace] [--netbios NAME]\n"
          "                          ldap://HOST[:PORT] | ldaps://HOST[:PORT] [--starttls]\n"
          "                          [--base DN] [--filter LDAPFILTER] [--ca-file PEM]\n"
          "                          [--user NAME --password-file FILE] [--time-limit SECONDS]\n"
          "\n"
          "Reads every computer account of the directory, so that reports show the machines\n"
          "that never reported. FILEs are exports: Get-ADComputer | Export-Csv (any columns\n"
          "of Name / SamAccountName / DNSHostName / DistinguishedName, OperatingSystem,\n"
          "OperatingSystemServicePack, OperatingSystemVersion, Enabled, lastLogonTimestamp,\n"
          "pwdLastSet, whenCreated), csvde, ldifde or ldapsearch LDIF, dsquery computer output\n"
          "or one name, DNS name or DN a line. The files of one command are one sync; a file\n"
          "that cannot be read stores nothing (exit 2, the previous sync stays in force).\n"
          "\n"
          "An account that a sync no longer returns (in the domains of the files, or under\n"
          "the base DN searched) is marked gone. A sync that returns fewer accounts than it\n"
          "would mark gone (a wrong base DN, a filtered export) marks none without --replace.\n"
          "\n"
          "  --replace        mark the accounts the sync did not return gone, however many\n"
          "  --netbios NAME   the NetBIOS name of the accounts' domain (default: the first\n"
          "                   label of the DNS domain, upper case, as Windows proposes it)\n"
          "  --base DN        search base (default: the server's default naming context)\n"
          "  --filter F       LDAP filter (default (objectCategory=computer))\n"
          "  --starttls       upgrade ldap:// with StartTLS before binding\n"
          "  --ca-file PEM    the CA certificate(s) that sign the server's certificate\n"
          "  --user NAME      simple bind as NAME (DN, user@domain or DOMAIN\\user); the\n"
          "  --password-file FILE   password is the first line of FILE, never an argument\n"
          "                   (default: Windows binds as the logged-on user, Negotiate;\n"
          "                   elsewhere anonymously)\n"
          "  --time-limit S   give up when the search takes longer (default 300)\n"
          "\n"
          "exit codes: 0 stored; 1 stored, but the accounts it did not return were kept\n"
          "(see --replace); 2 error, nothing stored\n",
          f);
}

typedef struct inv_ctx {
    db_t *db;
    int64_t syncId;
    const char *zNetbios;
    size_t n;
} inv_ctx_t;

static int inv_store(void *pCtx, const adc_t *a)
{
    inv_ctx_t *x = pCtx;
    x->n++;
    return db_dir_put(x->db, x->syncId, a, x->zNetbios);
}

/* The first line of zPath: the password (the file is the secret's only carrier). */
static int cmd_read_password(cmd_ctx_t *c, const char *zPath, char **pz)
{
    char *z = NULL;
    size_t n = 0;
    int rc = plat_read_file(zPath, 4096, &z, &n);
    if (rc) {
        fprintf(c->err, "%s:0: cannot read the password file: %s\n", zPath, kbs_strerror(rc));
        return rc;
    }
    z[strcspn(z, "\r\n")] = 0;
    *pz = z;
    return KBS_OK;
}

int cmd_inventory(cmd_ctx_t *c, int argc, char **argv)
{
    const char *zNetbios = NULL, *zPwFile = NULL, *zTime = NULL;
    const char **azFile = NULL;
    inv_ldap_opts_t lo;
    inv_ctx_t x;
    db_dir_res_t res;
    char zErr[DB_ERR_MAX], zSource[1024] = "", zBase[1024] = "", *zPassword = NULL;
    int i, nFile = 0, bReplace = 0, rc, ex = CMD_EXIT_ERROR, bTx = 0;
    size_t nSrc = 0;

    memset(&lo, 0, sizeof lo);
    memset(&x, 0, sizeof x);
    if (!(azFile = calloc((size_t)argc + 1, sizeof *azFile))) return CMD_EXIT_ERROR;
    for (i = 1; i < argc; i++) {
        int r;
        if (cmd_is_help(argv[i])) {
            cmd_inventory_help(c->out);
            ex = CMD_EXIT_OK;
            goto out;
        }
        if (!strcmp(argv[i], "--replace")) {
            bReplace = 1;
            continue;
        }
        if (!strcmp(argv[i], "--starttls")) {
            lo.bStartTls = 1;
            continue;
        }
        if ((r = cmd_common_opt(c, argc, argv, &i)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--netbios", &zNetbios)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--base", &lo.zBase)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--filter", &lo.zFilter)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--user", &lo.zUser)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--password-file", &zPwFile)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--ca-file", &lo.zCaFile)) != 0 ||
            (r = cmd_opt(c, argc, argv, &i, "--time-limit", &zTime)) != 0) {
            if (r < 0) goto out;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1]) {
            ex = cmd_bad_usage(c, "unknown option", argv[i]);
            goto out;
        }
        if (!strncmp(argv[i], "ldap://", 7) || !strncmp(argv[i], "ldaps://", 8)) {
            if (lo.zUrl) {
                ex = cmd_bad_usage(c, "one directory server at a time, not also", argv[i]);
                goto out;
            }
            lo.zUrl = argv[i];
            continue;
        }
        azFile[nFile++] = argv[i];
    }
    if (!lo.zUrl == !nFile) {
        ex = cmd_bad_usage(c, nFile ? "files or an ldap:// URL, not both" : "nothing to read: give FILEs or an ldap:// URL", NULL);
        goto out;
    }
    if (!lo.zUrl && (lo.zBase || lo.zFilter || lo.zUser || zPwFile || lo.zCaFile || lo.bStartTls || zTime)) {
        ex = cmd_bad_usage(c, "--base, --filter, --user, --password-file, --ca-file, --starttls and --time-limit need an ldap:// URL", NULL);
        goto out;
    }
    if (!lo.zUser != !zPwFile) {
        ex = cmd_bad_usage(c, "--user and --password-file go together", NULL);
        goto out;
    }
    if (lo.bStartTls && !strncmp(lo.zUrl, "ldaps://", 8)) {
        ex = cmd_bad_usage(c, "--starttls is for ldap://, ldaps:// is TLS already", NULL);
        goto out;
    }
    if (zTime) {
        char *zEnd = NULL;
        long v = strtol(zTime, &zEnd, 10);
        if (!zTime[0] || *zEnd || v <= 0 || v > 86400) {
            ex = cmd_bad_usage(c, "--time-limit needs seconds, not", zTime);
            goto out;
        }
        lo.timeLimit = (int)v;
    }
    if (zPwFile && cmd_read_password(c, zPwFile, &zPassword)) goto out;
    lo.zPassword = zPassword;

    if ((rc = db_open(cmd_db_path(c), &c->db, zErr, sizeof zErr))) {
        fprintf(c->err, "kbsentry: database %s\n", zErr);
        goto out;
    }
    /* The source as the sync records it: the URL and base, or the files. */
    if (lo.zUrl) {
        snprintf(zSource, sizeof zSource, "%s", lo.zUrl);
    } else {
        for (i = 0; i < nFile && nSrc + 2 < sizeof zSource; i++) {
            int k = snprintf(zSource + nSrc, sizeof zSource - nSrc, "%s%s", i ? " " : "", azFile[i]);
            if (k > 0) nSrc += (size_t)k;
        }
    }
    x.db = c->db;
    x.zNetbios = zNetbios;
    /* the base is the scope of an LDAP sync; the server names its default only after the bind,
     * so it is set into the sync row at the end */
    if (db_dir_begin(c->db, zSource, lo.zUrl ? (lo.zBase ? lo.zBase : "?") : "", plat_time(),
                     &x.syncId)) {
        fprintf(c->err, "kbsentry inventory: %s: %s\n", cmd_db_path(c), db_errmsg(c->db));
        goto out;
    }
    bTx = 1;
    if (lo.zUrl) {
        char zLdapErr[512] = "";
        rc = inv_ldap_read(&lo, inv_store, &x, zBase, sizeof zBase, zLdapErr, sizeof zLdapErr);
        if (rc) {
            fprintf(c->err, "%s:0: %s\n", lo.zUrl,
                    rc == KBS_EDB ? db_errmsg(c->db) : zLdapErr[0] ? zLdapErr : kbs_strerror(rc));
            goto out;
        }
        if (db_dir_scope(c->db, x.syncId, zBase)) {
            fprintf(c->err, "kbsentry inventory: %s: %s\n", cmd_db_path(c), db_errmsg(c->db));
            goto out;
        }
    } else {
        for (i = 0; i < nFile; i++) {
            char *z = NULL;
            size_t n = 0, nSkip = 0;
            imp_err_t e;
            inv_kind_t k;
            if ((rc = plat_read_file(azFile[i], IMP_INPUT_MAX, &z, &n))) {
                fprintf(c->err, "%s:0: %s\n", azFile[i],
                        rc == KBS_ETOOBIG ? "file too large" : kbs_strerror(rc));
                goto out;
            }
            rc = inv_parse(z, n, inv_store, &x, &k, &nSkip, &e);
            free(z);
            if (rc) {
                fprintf(c->err, "%s:%u: %s\n", azFile[i], e.line,
                        rc == KBS_EDB ? db_errmsg(c->db) : e.zReason[0] ? e.zReason : kbs_strerror(rc));
                goto out;
            }
            if (nSkip)
                fprintf(c->out, "%s: %s, %lu objects that are not computers stepped over\n",
                        azFile[i], inv_kind_name(k), (unsigned long)nSkip);
        }
    }
    if (db_dir_end(c->db, x.syncId, bReplace, &res) || db_commit(c->db)) {
        fprintf(c->err, "kbsentry inventory: %s: %s\n", cmd_db_path(c), db_errmsg(c->db));
        goto out;
    }
    bTx = 0;
    fprintf(c->out, "%lld computer accounts read from %s: %lld new, %lld marked gone\n",
            (long long)res.nSeen, zSource, (long long)res.nNew, (long long)res.nGone);
    ex = CMD_EXIT_OK;
    if (res.nKept) {
        fprintf(c->err,
                "kbsentry inventory: this sync returned fewer accounts (%lld) than it would mark "
                "gone (%lld): those are kept as they were; if the directory really shrank, run "
                "it again with --replace\n",
                (long long)res.nSeen, (long long)res.nKept);
        ex = CMD_EXIT_NONCOMPLIANT;
    }
out:
    if (bTx) db_rollback(c->db);
    if (zPassword) {
        memset(zPassword, 0, strlen(zPassword));
        free(zPassword);
    }
    free(azFile);
    return ex;
}
