/* kbs_err.c: text for the status codes of kbs_err.h. */
#include "kbs_err.h"

const char *kbs_strerror(int rc)
{
    switch (rc) {
    case KBS_OK: return "ok";
    case KBS_ENOMEM: return "out of memory";
    case KBS_EINVAL: return "invalid argument";
    case KBS_EPARSE: return "malformed input";
    case KBS_EIO: return "input/output error";
    case KBS_ETOOBIG: return "too large";
    case KBS_EVERSION: return "unsupported format version";
    case KBS_ECHECKSUM: return "torn or truncated (end line or checksum mismatch)";
    case KBS_ENOTFOUND: return "not found";
    case KBS_EACCESS: return "access denied";
    case KBS_ETIMEOUT: return "timed out";
    case KBS_EEXIST: return "already exists";
    case KBS_EUNSUPPORTED: return "not supported here";
    case KBS_EDB: return "database error";
    case KBS_ESTALE: return "older than what is stored";
    case KBS_ECONFLICT: return "the database's verdicts belong to another catalog";
    default: return "unknown error";
    }
}
