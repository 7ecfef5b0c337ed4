/* kbs_err.h: the one status enum every kbsentry function returns (0 ok, negative error). */
#ifndef KBS_ERR_H
#define KBS_ERR_H

enum kbs_rc {
    KBS_OK = 0,
    KBS_ENOMEM = -1,      /* allocation failed */
    KBS_EINVAL = -2,      /* bad argument from the caller */
    KBS_EPARSE = -3,      /* input text is malformed */
    KBS_EIO = -4,         /* read/write/open failed */
    KBS_ETOOBIG = -5,     /* a line, field, count or file exceeds its limit */
    KBS_EVERSION = -6,    /* unknown format major version */
    KBS_ECHECKSUM = -7,   /* end line missing or checksum/count mismatch: torn file */
    KBS_ENOTFOUND = -8,   /* no such host, rule, key or file */
    KBS_EACCESS = -9,     /* permission denied */
    KBS_ETIMEOUT = -10,   /* an external source did not answer in time */
    KBS_EEXIST = -11,     /* already exists (service installed, file present) */
    KBS_EUNSUPPORTED = -12, /* not available on this platform or OS version */
    KBS_EDB = -13,        /* database error */
    KBS_ESTALE = -14,     /* input older than what is stored: ignored on purpose */
    KBS_ECONFLICT = -15,  /* the database holds another catalog's verdicts (or it changed) */
};

/* kbs_strerror: a short English phrase for rc; never NULL. */
const char *kbs_strerror(int rc);

#endif
