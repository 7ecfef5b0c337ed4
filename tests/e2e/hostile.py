#!/usr/bin/env python3
"""hostile.py: hostile host names through the whole console pipeline (snapshot, systeminfo and
Get-HotFix CSV -> collect -> report as table, CSV, JSON, HTML; check HOST), asserting that each
is stored exactly, shown safely, creates no file and leaves the database intact.

  hostile.py --kbs KBSENTRY --gen HOSTILE_GEN --data TESTS/DATA --work DIR [--wine WINE64]

With --wine the two programs are Windows executables run under that Wine loader (paths passed
as Z:\\...); WINEPREFIX comes from the environment.
"""
import argparse
import csv
import html.parser
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

FAILS = []


def ok(msg):
    print("ok:   " + msg)


def fail(msg):
    print("FAIL: " + msg)
    FAILS.append(msg)


def check(cond, msg):
    (ok if cond else fail)(msg)
    return cond


class Runner:
    def __init__(self, wine):
        self.wine = wine

    def start(self):
        """A detached persistent wineserver: quicker starts, and no output pipe held by it."""
        if self.wine:
            subprocess.run([os.path.join(os.path.dirname(self.wine), "wineserver"), "-p"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, start_new_session=True)

    def stop(self):
        if self.wine:
            subprocess.run([os.path.join(os.path.dirname(self.wine), "wineserver"), "-k"],
                           stderr=subprocess.DEVNULL)

    def path(self, p):
        """A path as the program under test spells it."""
        p = os.path.abspath(p)
        return "Z:" + p.replace("/", "\\") if self.wine else p

    def run(self, exe, args, cwd):
        cmd = ([self.wine] if self.wine else []) + [exe] + args
        # Files, not pipes: processes Wine starts on the side (services, explorer) inherit the
        # output handles and would hold a pipe open long after the program ended.
        with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
            rc = subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=fo, stderr=fe,
                                timeout=120).returncode
            fo.seek(0)
            fe.seek(0)
            return rc, fo.read(), fe.read().decode("utf-8", "replace")


# Agentless inputs with hostile host names: (file name, host name).
SYSINFO_NAMES = [
    "<script>alert('sysinfo')</script>",
    "..\\..\\sysinfo-evil",
    "=HYPERLINK(\"http://e2e.invalid\")",
    "sys'; DROP TABLE host;--",
    "Ra\u0308tsel-\u00c9T\u00c9-\u4e2d",
]
CSV_NAMES = [
    "=cmd|' /C csv'!A0",
    "<b onmouseover=alert(2)>csv</b>",
    "../csv-evil",
]


def write_sysinfo(tmpl, path, name):
    with open(tmpl, "rb") as f:
        lines = f.read().decode("ascii").split("\r\n")
    out = []
    for ln in lines:
        if ln.startswith("Host Name:"):
            ln = "Host Name:                 " + name
        elif ln.startswith("OS Name:") and "script" in name:
            ln += " <script>alert('os')</script>"  # the OS name is data too
        out.append(ln)
    with open(path, "wb") as f:
        f.write(b"\xef\xbb\xbf" + "\r\n".join(out).encode("utf-8"))


def write_gethotfix(path, names):
    rows = ['"Source","Description","HotFixID","InstalledBy","InstalledOn"']
    for n in names:
        q = n.replace('"', '""')
        rows.append('"%s","Security Update","KB4012212","NT AUTHORITY\\SYSTEM","3/15/2017 12:00:00 AM"' % q)
        rows.append('"%s","Update","KB958644","NT AUTHORITY\\SYSTEM",""' % q)
    with open(path, "wb") as f:
        f.write(("\r\n".join(rows) + "\r\n").encode("utf-8"))


def tree(root):
    """Every file and folder under root, relative."""
    out = set()
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            out.add(os.path.relpath(os.path.join(d, n), root))
    return out


class TagCollector(html.parser.HTMLParser):
    """Tag names and attribute names of a page, and the text of its script elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.scripts, self.text = {}, set(), [], []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for a, _ in attrs:
            self.attrs.add((tag, a))
        if tag == "script":
            self.in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)


def parse_html(data):
    p = TagCollector()
    p.feed(data.decode("utf-8"))
    p.close()
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kbs", required=True)
    ap.add_argument("--gen", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--wine", help="the Wine loader; WINE: the one in $WINE (wine-run.sh --exec)")
    a = ap.parse_args()
    R = Runner(os.environ["WINE"] if a.wine == "WINE" else a.wine)
    R.start()
    try:
        return run_all(a, R)
    finally:
        R.stop()


def run_all(a, R):
    a.kbs, a.gen, a.data = os.path.abspath(a.kbs), os.path.abspath(a.gen), os.path.abspath(a.data)

    work = os.path.abspath(a.work)
    shutil.rmtree(work, ignore_errors=True)
    inp = os.path.join(work, "in")
    # Deep enough that "../../../tmp/..." from the working directory stays inside work.
    cwd = os.path.join(work, "c", "d", "e")
    for d in (os.path.join(inp, "snap"), os.path.join(inp, "sysinfo"), os.path.join(inp, "csv"),
              cwd):
        os.makedirs(d)
    names_file = os.path.join(work, "names.txt")
    rc, out, err = R.run(a.gen, [R.path(os.path.join(inp, "snap")), R.path(names_file)], cwd)
    if not check(rc == 0, "hostile_gen wrote its snapshots (%s)" % (out.decode().strip() or err)):
        return 1
    expect = {}
    with open(names_file) as f:
        for ln in f:
            hx, verdict = ln.split()
            expect[bytes.fromhex(hx).decode("utf-8")] = verdict
    tmpl = os.path.join(a.data, "imp", "win10_en_utf8.txt")
    for i, n in enumerate(SYSINFO_NAMES):
        write_sysinfo(tmpl, os.path.join(inp, "sysinfo", "sysinfo-%d.txt" % i), n)
        expect[n] = None
    write_gethotfix(os.path.join(inp, "csv", "hotfix.csv"), CSV_NAMES)
    for n in CSV_NAMES:
        expect[n] = None
    long_names = [n for n in expect if len(n.encode()) == 255]
    check(len(long_names) == 1, "one host name of exactly 255 bytes")
    print("%d hostile host names: %d snapshots, %d systeminfo, %d in a Get-HotFix CSV" %
          (len(expect), len(expect) - len(SYSINFO_NAMES) - len(CSV_NAMES), len(SYSINFO_NAMES),
           len(CSV_NAMES)))

    db = os.path.join(work, "e2e.db")
    before = tree(work)
    K = lambda *args: R.run(a.kbs, list(args), cwd)  # noqa: E731

    # Collect.
    rc, out, err = K("collect", "--db", R.path(db), R.path(inp))
    check(rc == 0, "collect exit code 0 (got %d: %s %s)" % (rc, out.decode("utf-8", "replace").strip(), err.strip()))
    rc2, out2, err2 = K("collect", "--db", R.path(db), R.path(inp))
    check(rc2 == 0 and b"unchanged" in out2, "second collect: all unchanged (%s)" % out2.decode("utf-8", "replace").strip())

    # The database: intact, one row per host, names exact.
    con = sqlite3.connect(db)
    integ = con.execute("PRAGMA integrity_check").fetchone()[0]
    check(integ == "ok", "PRAGMA integrity_check: %s" % integ)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    check({"host", "scan", "verdict", "verdict_set", "verdict_set_item", "rule", "file"} <= tables,
          "tables host/scan/verdict_set/verdict_set_item/rule/file and view verdict still there")
    stored = [r[0] for r in con.execute("SELECT name FROM host")]
    check(sorted(stored) == sorted(expect), "host table holds exactly the %d names, byte for byte (has %d)"
          % (len(expect), len(stored)))
    nscan = con.execute("SELECT count(*) FROM scan").fetchone()[0]
    check(nscan == len(expect), "scan rows: %d for %d hosts" % (nscan, len(expect)))
    nver = con.execute("SELECT count(*) FROM verdict").fetchone()[0]
    nrule = con.execute("SELECT count(*) FROM rule").fetchone()[0]
    check(nrule > 0 and nver == nrule * len(expect), "verdict rows: %d = %d rules x %d hosts" % (nver, nrule, len(expect)))
    con.close()

    # JSON: valid, exact names, the snapshots' MS17-010 verdicts.
    rc, js, err = K("report", "--db", R.path(db), "--format", "json")
    check(rc == 1, "report exit code 1 (hosts miss MS17-010), got %d %s" % (rc, err.strip()))
    try:
        doc = json.loads(js.decode("utf-8"))
        ok("report --format json parses")
    except ValueError as e:
        fail("report --format json does not parse: %s" % e)
        doc = {"hosts": []}
    got = {h["host"]: h for h in doc["hosts"]}
    check(sorted(got) == sorted(expect), "JSON host names equal the input names exactly")
    bad = []
    for n, v in expect.items():
        if v is None or n not in got:
            continue
        r17 = [r for r in got[n]["rules"] if r["id"] == "MS17-010"]
        if not r17 or r17[0]["verdict"] != v:
            bad.append(n)
    check(not bad, "JSON MS17-010 verdicts of the snapshots as written (wrong: %r)" % bad)
    for n in SYSINFO_NAMES:
        h = got.get(n, {})
        check(h.get("os_family") == "10" and h.get("origin") == "systeminfo",
              "systeminfo host %r: Windows 10 family, origin systeminfo (%s, %s)"
              % (n, h.get("os_family"), h.get("origin")))
    det = got.get(SYSINFO_NAMES[0], {}).get("os_detail", "")
    check("<script>alert('os')</script>" in det, "JSON keeps a hostile OS name exactly (%r)" % det)
    for n in CSV_NAMES:
        h = got.get(n, {})
        check(h.get("origin") == "get-hotfix-csv" and h.get("hotfixes") == 2,
              "CSV host %r: 2 hotfixes, origin get-hotfix-csv (%s, %s)" % (n, h.get("hotfixes"), h.get("origin")))

    # CSV: every host once, exact after undoing the defusing quote, no cell starts a formula.
    csvf = os.path.join(work, "report.csv")
    rc, _, err = K("report", "--db", R.path(db), "--format", "csv", "--rule", "MS17-010", "-o", R.path(csvf))
    check(rc == 0 and os.path.exists(csvf), "report --format csv -o FILE (rc %d %s)" % (rc, err.strip()))
    with open(csvf, "rb") as f:
        text = f.read().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    hdr, body = rows[0], rows[1:]
    check(len(body) == len(expect), "CSV: %d data rows for %d hosts" % (len(body), len(expect)))
    hosts_csv = [r[hdr.index("host")] for r in body]
    live = [c for r in body for c in r if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    check(not live, "CSV: no cell starts with = + - @ TAB CR (found %r)" % live[:3])
    undone = sorted(h[1:] if h.startswith("'") and h[1:2] in ("=", "+", "-", "@", "\t", "\r") else h
                    for h in hosts_csv)
    check(undone == sorted(expect), "CSV host cells are the names (defused ones with a leading ')")
    for n in ("=cmd|' /C calc'!A0", "=cmd|' /C csv'!A0", "@SUM(A1)", "+SUM(1+1)*cmd|", "-2+3"):
        check("'" + n in hosts_csv, "CSV defuses %r as %r" % (n, "'" + n))

    # HTML: the hostile report has no tag or attribute a harmless report lacks, its scripts are
    # the page's own, and the names are there as text.
    htmlf = os.path.join(work, "report.html")
    rc, _, err = K("report", "--db", R.path(db), "--format", "html", "-o", R.path(htmlf))
    check(rc == 0 and os.path.exists(htmlf), "report --format html -o FILE (rc %d %s)" % (rc, err.strip()))
    refdb = os.path.join(work, "ref.db")
    rc, _, _ = K("collect", "--db", R.path(refdb), R.path(os.path.join(a.data, "snap")))
    refhtml = os.path.join(work, "ref.html")
    K("report", "--db", R.path(refdb), "--format", "html", "-o", R.path(refhtml))
    with open(htmlf, "rb") as f:
        hp = parse_html(f.read())
    with open(refhtml, "rb") as f:
        rp = parse_html(f.read())
    check(hp.tags.get("script", 0) == rp.tags.get("script", 0),
          "HTML: %d script elements, as in a harmless report" % hp.tags.get("script", 0))
    newtags = sorted(set(hp.tags) - set(rp.tags))
    check(not newtags, "HTML: no tag beyond a harmless report's (extra: %r)" % newtags)
    newattrs = sorted(set(hp.attrs) - set(rp.attrs))
    check(not newattrs, "HTML: no attribute beyond a harmless report's (extra: %r)" % newattrs)
    check(not any("alert(" in s for s in hp.scripts), "HTML: no data-made code inside a script element")
    # (Control characters may be shown as spaces: compare without blanks.)
    squash = lambda t: re.sub(r"[\s\x00-\x1f]+", "", t)  # noqa: E731
    alltext = squash("".join(hp.text))
    missing = [n for n in expect if squash(n)[:20] not in alltext]
    check(not missing, "HTML: every name is in the page as text (not found: %r)" % missing[:3])

    # Table: one line per host, no control characters, names present.
    rc, tab, err = K("report", "--db", R.path(db), "--rule", "MS17-010")
    check(rc == 1, "report table exit code 1 (got %d)" % rc)
    tlines = tab.decode("utf-8").replace("\r\n", "\n").split("\n")
    ctl = [ln for ln in tlines if re.search(r"[\x00-\x08\x0b-\x1f\x7f]", ln)]
    check(not ctl, "table: no control characters inside a line (%r)" % ctl[:2])
    hostrows = []
    for ln in tlines[tlines.index(next(x for x in tlines if x.startswith("HOST"))) + 1:]:
        if not ln.strip():
            break
        hostrows.append(ln)
    check(len(hostrows) == len(expect), "table: %d host lines for %d hosts" % (len(hostrows), len(expect)))
    vre = re.compile(r"\s(patched|missing|unpatchable|unknown|not-affected)\s")
    check(all(vre.search(ln) for ln in hostrows), "table: each host line carries its verdict")

    # check HOST from the database, text and JSON, for the nastiest names.
    for n in ("<script>alert('kbs')</script>", "x'; DROP TABLE hosts;--", "..\\..\\..\\Windows\\evil",
              "TAB\tAND\r\nNEWLINE", "Ra\u0308tsel-\u00c9T\u00c9-\u4e2d",
              "\u041f\u041a-\u00dcml\u00e4ut-\u65e5\u672c-\U0001f4bb",
              long_names[0] if long_names else "-"):
        want = 1 if got.get(n, {}).get("worst") in ("missing", "unpatchable") else 0
        rc, o, err = K("check", "--db", R.path(db), "--format", "json", n)
        try:
            cj = json.loads(o.decode("utf-8"))
            good = cj.get("host") == n and rc == want and any(r["id"] == "MS17-010" for r in cj["rules"])
        except ValueError:
            good = False
        check(good, "check --format json %r: the host, exact, exit code %d (rc %d %s)"
              % (n[:40], want, rc, err.strip()))
        rc, o, err = K("check", "--db", R.path(db), n)
        t = o.decode("utf-8").replace("\r\n", "\n")
        hl = [ln for ln in t.split("\n") if ln.startswith("Host ")]
        check(rc == want and len(hl) == 1 and not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", t),
              "check %r: one Host line, no control characters (rc %d)" % (n[:40], rc))

    # Names over 255 bytes: refused with file and line, nothing stored changes.
    over = os.path.join(work, "over")
    os.makedirs(over)
    write_sysinfo(tmpl, os.path.join(over, "long-sysinfo.txt"), "S" * 298 + "\u00e9")
    write_gethotfix(os.path.join(over, "long-hotfix.csv"), ["<script>" + "C" * 400])
    before = tree(work)
    rc, out, err = K("collect", "--db", R.path(db), R.path(over))
    check(rc == 2 and re.search(r"long-sysinfo\.txt:\d+: host name of 300 bytes", err) is not None
          and re.search(r"long-hotfix\.csv:\d+: host name of 408 bytes", err) is not None,
          "names over 255 bytes refused, with file and line (rc %d: %s)" % (rc, err.strip().replace("\n", " | ")))
    con = sqlite3.connect(db)
    nhost = con.execute("SELECT count(*) FROM host").fetchone()[0]
    con.close()
    check(nhost == len(expect), "after the refused files: still %d hosts" % nhost)

    # Nothing but the database and the reports was created anywhere under work.
    after = tree(work)
    made = sorted(p for p in after - before
                  if not re.match(r"^(e2e|ref)\.db(-wal|-shm|-journal)?$|^(report|ref)\.(csv|html)$", p))
    check(not made, "no file made from a host name (new: %r)" % made)
    for p in ("/tmp/kbs-e2e-evil", os.path.join(work, "tmp")):
        check(not os.path.exists(p), "%s does not exist" % p)
    con = sqlite3.connect(db)
    integ = con.execute("PRAGMA integrity_check").fetchone()[0]
    nhost = con.execute("SELECT count(*) FROM host").fetchone()[0]
    con.close()
    check(integ == "ok" and nhost == len(expect), "after the reports: integrity %s, %d hosts" % (integ, nhost))

    if not FAILS:
        shutil.rmtree(work, ignore_errors=True)  # kept on failure, to look at
    print("PASS" if not FAILS else "%d checks failed" % len(FAILS))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
