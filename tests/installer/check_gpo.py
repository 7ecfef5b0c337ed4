#!/usr/bin/env python3
"""check_gpo.py: checks the kbsentry policy templates against each other and the agent.

  check_gpo.py admx ADMX ADML SETTINGS_H   ids referenced by the ADMX exist in the ADML (and the
                                            other way round), keys and ranges match the agent
  check_gpo.py adm ADM ADMX                 the legacy .adm parses and says what the ADMX says

Prints one line per problem as FILE:LINE: reason and exits 1 when there is any.
"""
import re
import sys
import xml.etree.ElementTree as ET

NS = "{http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions}"
KEY = r"SOFTWARE\Policies\kbsentry"
# The values the agent reads from the policy key (service/win_settings.c, service/win_proof.c).
VALUES = {"ScanIntervalMinutes", "StartDelayMaxSeconds", "DropShare", "DataDir", "ProofFiles",
          "ProofValues"}
# The lists (REG_MULTI_SZ) and the PROOF_* limits of common/proof.h each entry is held to.
LISTS = {"ProofFiles": "FILE_LEN_MAX", "ProofValues": "VALUE_LEN_MAX"}
# The legacy .adm cannot write REG_MULTI_SZ: there a list is one ';'-separated REG_SZ of at most
# 1023 characters (the longest EDITTEXT), which the agent reads too.
ADM_LIST_MAXLEN = 1023

problems = []


def bad(where, line, reason):
    problems.append("%s:%s: %s" % (where, line, reason))


def line_of(text, needle):
    """Line number of the first occurrence of needle in text (1 when absent)."""
    pos = text.find(needle)
    return text.count("\n", 0, pos) + 1 if pos >= 0 else 1


def settings_limits(path):
    """SETTINGS_* numbers from win_settings.h: {name: value}."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for m in re.finditer(r"#define\s+SETTINGS_(\w+)\s+(\d+)u?\b", f.read()):
            out[m.group(1)] = int(m.group(2))
    return out


def proof_limits(header_path):
    """PROOF_* numbers from common/proof.h, found beside the settings header's folder."""
    import os
    path = os.path.join(os.path.dirname(os.path.abspath(header_path)), "..", "common", "proof.h")
    out = {}
    with open(path, encoding="utf-8") as f:
        for m in re.finditer(r"#define\s+PROOF_(\w+)\s+(\d+)u?\b", f.read()):
            out[m.group(1)] = int(m.group(2))
    return out


def admx_policies(admx_path):
    """Parses the ADMX: returns (tree root, {valueName: element info})."""
    root = ET.parse(admx_path).getroot()
    values = {}
    for pol in root.iter(NS + "policy"):
        elements = pol.find(NS + "elements")
        for el in list(elements) if elements is not None else []:
            info = {"policy": pol.get("name"), "key": pol.get("key"), "kind": el.tag[len(NS):],
                    "id": el.get("id"), "class": pol.get("class")}
            for attr in ("minValue", "maxValue", "maxLength", "expandable", "maxStrings"):
                if el.get(attr) is not None:
                    info[attr] = el.get(attr)
            values[el.get("valueName")] = info
    return root, values


def check_admx(admx_path, adml_path, header_path):
    with open(admx_path, encoding="utf-8") as f:
        admx_text = f.read()
    with open(adml_path, encoding="utf-8") as f:
        adml_text = f.read()
    root, values = admx_policies(admx_path)
    adml = ET.parse(adml_path).getroot()
    strings = {s.get("id") for s in adml.iter(NS + "string")}
    presentations = {p.get("id"): p for p in adml.iter(NS + "presentation")}

    # Every $(string.X) / $(presentation.X) the ADMX uses exists in the ADML.
    used_strings = set(re.findall(r"\$\(string\.([^)]+)\)", admx_text))
    used_pres = set(re.findall(r"\$\(presentation\.([^)]+)\)", admx_text))
    for sid in sorted(used_strings - strings):
        bad(admx_path, line_of(admx_text, "$(string.%s)" % sid),
            "string id '%s' is not in %s" % (sid, adml_path))
    for pid in sorted(used_pres - set(presentations)):
        bad(admx_path, line_of(admx_text, "$(presentation.%s)" % pid),
            "presentation id '%s' is not in %s" % (pid, adml_path))
    # Nothing in the ADML that no policy uses (a renamed id leaves one behind).
    for sid in sorted(strings - used_strings):
        bad(adml_path, line_of(adml_text, 'id="%s"' % sid), "string id '%s' is never used" % sid)
    for pid in sorted(set(presentations) - used_pres):
        bad(adml_path, line_of(adml_text, 'id="%s"' % pid),
            "presentation id '%s' is never used" % pid)

    # Each presentation control refers to an element of its own policy, of a matching kind.
    kinds = {"decimalTextBox": "decimal", "textBox": "text", "checkBox": "boolean",
             "dropdownList": "enum", "listBox": "list", "multiTextBox": "multiText"}
    by_id = {v["id"]: (name, v) for name, v in values.items()}
    for pol in root.iter(NS + "policy"):
        pm = re.match(r"\$\(presentation\.([^)]+)\)", pol.get("presentation") or "")
        if not pm or pm.group(1) not in presentations:
            continue
        for ctl in presentations[pm.group(1)]:
            ref = ctl.get("refId")
            tag = ctl.tag[len(NS):]
            if ref is None:
                continue
            if ref not in by_id or by_id[ref][1]["policy"] != pol.get("name"):
                bad(adml_path, line_of(adml_text, 'refId="%s"' % ref),
                    "refId '%s' is not an element of policy '%s'" % (ref, pol.get("name")))
            elif kinds.get(tag) != by_id[ref][1]["kind"]:
                bad(adml_path, line_of(adml_text, 'refId="%s"' % ref),
                    "%s shows element '%s', a %s" % (tag, ref, by_id[ref][1]["kind"]))

    # Registry placement and ranges agree with the agent.
    if set(values) != VALUES:
        bad(admx_path, 1, "values %s, expected %s" % (sorted(values), sorted(VALUES)))
    for name, v in values.items():
        if v["key"] != KEY or v["class"] != "Machine":
            bad(admx_path, line_of(admx_text, 'valueName="%s"' % name),
                "%s must be a Machine policy under %s" % (name, KEY))
    lim = settings_limits(header_path)
    want = {"ScanIntervalMinutes": (lim.get("INTERVAL_MIN"), lim.get("INTERVAL_MAX")),
            "StartDelayMaxSeconds": (0, lim.get("DELAY_MAX"))}
    for name, (lo, hi) in want.items():
        v = values.get(name, {})
        if v.get("kind") != "decimal" or v.get("minValue") != str(lo) or \
                v.get("maxValue") != str(hi):
            bad(admx_path, line_of(admx_text, 'valueName="%s"' % name),
                "%s must be decimal %s..%s as in %s" % (name, lo, hi, header_path))
    for name in ("DropShare", "DataDir"):
        v = values.get(name, {})
        if v.get("kind") != "text" or int(v.get("maxLength", "0")) >= lim.get("PATH_MAX", 0):
            bad(admx_path, line_of(admx_text, 'valueName="%s"' % name),
                "%s must be text shorter than SETTINGS_PATH_MAX (%s)" % (name, lim.get("PATH_MAX")))
    plim = proof_limits(header_path)
    for name, lkey in LISTS.items():
        v = values.get(name, {})
        if v.get("kind") != "multiText" or v.get("maxStrings") != str(plim.get("ENTRY_MAX")) or \
                v.get("maxLength") != str(plim.get(lkey)):
            bad(admx_path, line_of(admx_text, 'valueName="%s"' % name),
                "%s must be multiText of at most %s strings of %s characters (common/proof.h)" %
                (name, plim.get("ENTRY_MAX"), plim.get(lkey)))
    dflt = {"ScanIntervalMinutes": lim.get("INTERVAL_DEFAULT"),
            "StartDelayMaxSeconds": lim.get("DELAY_DEFAULT")}
    for ctl in adml.iter(NS + "decimalTextBox"):
        name = by_id.get(ctl.get("refId"), (None,))[0]
        if name in dflt and ctl.get("defaultValue") != str(dflt[name]):
            bad(adml_path, line_of(adml_text, 'refId="%s"' % ctl.get("refId")),
                "default of %s is %s, the agent's is %s" % (name, ctl.get("defaultValue"), dflt[name]))


# ---- legacy .adm -------------------------------------------------------------------------------

def adm_tokens(text):
    """(line, token) pairs: quoted strings keep their quotes; ';' starts a comment."""
    out = []
    for n, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip("\r")
        for m in re.finditer(r'"[^"]*"|;.*|\S+', line):
            tok = m.group(0)
            if tok.startswith(";"):
                break
            out.append((n, tok))
        if line.count('"') % 2:
            bad(ADM, n, "unbalanced quote")
    return out


def check_adm(adm_path, admx_path):
    global ADM
    ADM = adm_path
    with open(adm_path, "rb") as f:
        data = f.read()
    if b"\0" in data:
        bad(adm_path, 1, "NUL byte (save the template as ANSI text)")
        return
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as e:
        bad(adm_path, data.count(b"\n", 0, e.start) + 1, "non-ASCII byte")
        return
    body, sep, strings_part = text.partition("[strings]")
    if not sep:
        bad(adm_path, text.count("\n") + 1, "no [strings] section")
    first_string_line = body.count("\n") + 1

    # [strings]: NAME="text" lines.
    strings = {}
    for i, raw in enumerate(strings_part.split("\n")[1:], first_string_line + 1):
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        m = re.fullmatch(r'(\w+)="([^"]*)"', line)
        if not m:
            bad(adm_path, i, "not NAME=\"text\": %s" % line[:40])
            continue
        if m.group(1) in strings:
            bad(adm_path, i, "string '%s' defined twice" % m.group(1))
        limit = 1023 if m.group(1).endswith("_Help") else 255
        if len(m.group(2)) > limit:
            bad(adm_path, i, "string '%s' longer than %d characters" % (m.group(1), limit))
        strings[m.group(1)] = m.group(2)

    toks = adm_tokens(body)
    stack = []            # open blocks: (kind, line)
    keyname = None        # KEYNAME in force for the current category
    seen = {}             # valueName -> part info
    part = None
    used = set()
    cls = None
    i = 0

    def need_arg(what):
        nonlocal i
        if i + 1 >= len(toks):
            bad(adm_path, toks[i][0], "%s without an argument" % what)
            return None
        i += 1
        return toks[i][1]

    def need_ref(what):
        arg = need_arg(what)
        if arg is None:
            return None
        if not arg.startswith("!!"):
            bad(adm_path, toks[i][0], "%s needs a !!string reference, got %s" % (what, arg))
            return None
        used.add(arg[2:])
        if arg[2:] not in strings:
            bad(adm_path, toks[i][0], "string '%s' is not in [strings]" % arg[2:])
        return arg[2:]

    while i < len(toks):
        n, tok = toks[i]
        up = tok.upper()
        if up in ("#IF", "#ENDIF"):
            if up == "#IF":               # "#if version >= 4": skip the condition
                i += 3
        elif up == "CLASS":
            cls = (need_arg("CLASS") or "").upper()
            if cls != "MACHINE":
                bad(adm_path, n, "CLASS %s: the agent reads HKLM only" % cls)
        elif up == "CATEGORY":
            if cls is None:
                bad(adm_path, n, "CATEGORY before CLASS")
            need_ref("CATEGORY")
            stack.append(("CATEGORY", n))
        elif up == "KEYNAME":
            arg = need_arg("KEYNAME") or ""
            keyname = arg.strip('"')
            if keyname != KEY:
                bad(adm_path, n, "KEYNAME %s, expected %s" % (arg, KEY))
        elif up == "POLICY":
            if not stack or stack[-1][0] != "CATEGORY":
                bad(adm_path, n, "POLICY outside a CATEGORY")
            need_ref("POLICY")
            stack.append(("POLICY", n))
        elif up in ("EXPLAIN", "SUPPORTED"):
            need_ref(up)
        elif up == "PART":
            if not stack or stack[-1][0] != "POLICY":
                bad(adm_path, n, "PART outside a POLICY")
            need_ref("PART")
            kind = (need_arg("PART type") or "").upper()
            if kind not in ("NUMERIC", "EDITTEXT", "TEXT", "CHECKBOX", "DROPDOWNLIST"):
                bad(adm_path, n, "unknown PART type %s" % kind)
            part = {"kind": kind, "line": n, "flags": set()}
            stack.append(("PART", n))
        elif up in ("REQUIRED", "EXPANDABLETEXT", "TXTCONVERT"):
            if part is None:
                bad(adm_path, n, "%s outside a PART" % tok)
            else:
                part["flags"].add(up)
        elif up == "VALUENAME":
            arg = (need_arg("VALUENAME") or "").strip('"')
            if part is None:
                bad(adm_path, n, "VALUENAME outside a PART")
            elif keyname is None:
                bad(adm_path, n, "VALUENAME before any KEYNAME")
            else:
                part["value"] = arg
        elif up in ("MIN", "MAX", "DEFAULT", "SPIN", "MAXLEN"):
            arg = need_arg(up)
            if part is None:
                bad(adm_path, n, "%s outside a PART" % up)
            elif arg is None or not arg.isdigit():
                bad(adm_path, n, "%s needs a number, got %s" % (up, arg))
            else:
                part[up] = int(arg)
        elif up == "END":
            what = (need_arg("END") or "").upper()
            if not stack or stack[-1][0] != what:
                bad(adm_path, n, "END %s does not close %s" %
                    (what, stack[-1][0] + " of line %d" % stack[-1][1] if stack else "anything"))
            else:
                stack.pop()
            if what == "PART" and part is not None:
                if "value" not in part:
                    bad(adm_path, part["line"], "PART without VALUENAME")
                elif part["value"] in seen:
                    bad(adm_path, part["line"], "value %s set by two PARTs" % part["value"])
                else:
                    seen[part["value"]] = part
                if part["kind"] == "NUMERIC" and "MIN" in part and "MAX" in part and \
                        not part["MIN"] <= part.get("DEFAULT", part["MIN"]) <= part["MAX"]:
                    bad(adm_path, part["line"], "DEFAULT outside MIN..MAX")
                part = None
        else:
            bad(adm_path, n, "unexpected word %s" % tok)
        i += 1
    for kind, n in stack:
        bad(adm_path, n, "%s is never closed" % kind)
    for name in sorted(set(strings) - used):
        bad(adm_path, line_of(text, name + "="), "string '%s' is never used" % name)

    # Same values, kinds and limits as the ADMX.
    _, admx = admx_policies(admx_path)
    if set(seen) != set(admx):
        bad(adm_path, 1, "values %s, the ADMX has %s" % (sorted(seen), sorted(admx)))
    for name, p in seen.items():
        x = admx.get(name)
        if x is None:
            continue
        if x["kind"] == "decimal":
            if p["kind"] != "NUMERIC" or str(p.get("MIN")) != x.get("minValue") or \
                    str(p.get("MAX")) != x.get("maxValue"):
                bad(adm_path, p["line"], "%s: NUMERIC %s..%s expected (as the ADMX)" %
                    (name, x.get("minValue"), x.get("maxValue")))
        elif x["kind"] == "multiText":
            if p["kind"] != "EDITTEXT" or p.get("MAXLEN") != ADM_LIST_MAXLEN or p["flags"] - {"REQUIRED"}:
                bad(adm_path, p["line"], "%s: a plain EDITTEXT MAXLEN %d expected (';'-separated list)" %
                    (name, ADM_LIST_MAXLEN))
        else:
            if p["kind"] != "EDITTEXT" or str(p.get("MAXLEN")) != x.get("maxLength"):
                bad(adm_path, p["line"], "%s: EDITTEXT MAXLEN %s expected (as the ADMX)" %
                    (name, x.get("maxLength")))
            if ("EXPANDABLETEXT" in p["flags"]) != (x.get("expandable") == "true"):
                bad(adm_path, p["line"], "%s: EXPANDABLETEXT must match the ADMX" % name)


ADM = "?"


def main(argv):
    try:
        if len(argv) == 5 and argv[1] == "admx":
            check_admx(argv[2], argv[3], argv[4])
        elif len(argv) == 4 and argv[1] == "adm":
            check_adm(argv[2], argv[3])
        else:
            sys.stderr.write(__doc__)
            return 2
    except (OSError, ET.ParseError) as e:
        bad(argv[2], 1, str(e))
    for p in problems:
        print(p)
    if not problems:
        print("check_gpo %s: ok" % argv[1])
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
