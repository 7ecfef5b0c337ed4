#!/bin/sh
# check_html.sh: loads generated HTML reports in headless Chromium and checks that the script
# runs without error, sorts, filters and pages the host table, that no planted markup became
# live, that the page fits a 1400 px window with 16 rules (no sideways scrolling) and that its
# bars are drawn to one scale. Keeps a screenshot (WORKDIR/NAME.png) and a print (NAME.pdf).
# usage: check_html.sh REP_SAMPLE_PROGRAM WORKDIR
set -u

gen=${1:?usage: check_html.sh REP_SAMPLE_PROGRAM WORKDIR}
work=${2:?usage: check_html.sh REP_SAMPLE_PROGRAM WORKDIR}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

chrome=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chrome" ] || fail "chromium not found; install it: apt-get install -y --no-install-recommends chromium (cmake/install-packages.sh does)"

mkdir -p "$work" || fail "cannot create $work"
profile=$(mktemp -d) || fail "mktemp"
trap 'rm -rf "$profile"' EXIT

# check NAME FILLER EXPECTED-SELFTEST-RESULT [shots]
check() {
  html="$work/$1.html"
  dom="$work/$1.dom.html"
  log="$work/$1.chromium.log"
  rm -f "$html" "$dom" "$log"
  "$gen" "$html" html "$2" || fail "$gen could not write $html"
  # --enable-logging=stderr puts console messages (uncaught exceptions included) into the log.
  timeout 60 "$chrome" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --enable-logging=stderr --v=0 --window-size=1400,1000 \
    --dump-dom "file://$html#selftest" >"$dom" 2>"$log"
  rc=$?
  [ $rc -ne 124 ] || fail "$1: chromium timed out (an alert() from planted markup blocks a headless page)"
  [ $rc -eq 0 ] || { tail -n 20 "$log" >&2; fail "$1: chromium exited with $rc"; }
  [ -s "$dom" ] || { tail -n 20 "$log" >&2; fail "$1: chromium dumped no DOM"; }

  if grep -E 'Uncaught|SyntaxError|ReferenceError|TypeError' "$log" >&2; then
    fail "$1: script error in the browser log ($log)"
  fi
  grep -q '<div id="kbs-errors"></div>' "$dom" || {
    grep -o '<div id="kbs-errors">[^<]*' "$dom" >&2
    fail "$1: the page recorded a script error"
  }

  result=$(grep -o '<div id="kbs-selftest">[^<]*</div>' "$dom" | sed -e 's/<[^>]*>//g')
  [ -n "$result" ] || fail "$1: the page's self-test wrote no result (script did not run?)"
  echo "browser $1: $result"
  [ "$result" = "$3" ] || fail "$1: expected '$3'"

  # Exactly the page's own two scripts; the planted <script> and <img onerror> stayed text.
  n=$(grep -o '<script' "$dom" | wc -l)
  [ "$n" -eq 2 ] || fail "$1: $n script elements in the DOM, expected 2"
  if grep -q '<img' "$dom"; then fail "$1: a planted <img> became an element"; fi
  if grep -q '<b>bold' "$dom"; then fail "$1: a planted <b> became an element"; fi
  grep -q 'host-&lt;script&gt;alert(1)&lt;/script&gt;' "$dom" || fail "$1: escaped host name not found"

  # Bars: every segment's width over its host count is one scale, so a 1-host bar is short next
  # to a 1,000-host one: within each chart of hosts per family / group, and across all the
  # per-rule bars (drawn to the fleet's size). The widths are written with one decimal.
  python3 - "$dom" <<'PY' || fail "$1: bars are not drawn to one scale"
import re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
seg = r'<rect class="seg" data-n="(\d+)"[^>]*?width="([\d.]+)"'
charts = [re.findall(seg, svg) for svg in re.findall(r'<svg[^>]*class="fam"[^>]*>(.*?)</svg>', dom, re.S)]
charts.append([m for svg in re.findall(r'<svg[^>]*class="bar"[^>]*>(.*?)</svg>', dom, re.S)
               for m in re.findall(seg, svg)])
for i, chart in enumerate(charts):
    kind = "rule" if i == len(charts) - 1 else "chart %d" % (i + 1)
    ratios = [(float(w), int(n)) for n, w in chart]
    if not ratios:
        sys.exit("no %s bars" % kind)
    wMax, nMax = max(ratios, key=lambda x: x[1])  # the scale of the biggest segment
    k = wMax / nMax
    bad = [(w, n) for w, n in ratios if abs(w - n * k) > 0.6]
    if bad:
        sys.exit("%s bars off the scale %.2f px/host: %s" % (kind, k, bad[:5]))
    print("bars %s: %d segments, %.2f px per host" % (kind, len(ratios), k))
PY

  # Artefacts for a person to look at: the page at 1400 px, and as printed.
  rm -f "$work/$1.png" "$work/$1.pdf"
  [ "${4:-}" = shots ] || return 0
  timeout 60 "$chrome" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --window-size=1400,2400 --hide-scrollbars \
    --screenshot="$work/$1.png" "file://$html" >>"$log" 2>&1
  [ -s "$work/$1.png" ] || fail "$1: no screenshot"
  timeout 60 "$chrome" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --no-pdf-header-footer --print-to-pdf="$work/$1.pdf" \
    "file://$html" >>"$log" 2>&1
  [ -s "$work/$1.pdf" ] || fail "$1: no print"
  echo "browser $1: screenshot $work/$1.png, print $work/$1.pdf"
}

check small 0 "selftest ok rows=8 first=alpha-01 last=zulu-99 oldest=victor-stale missing=3 moved=1 shown=8 all=8 fits=1" shots
# Longer than the page shows at once: 1,000 rows, then "show all".
check long 1500 "selftest ok rows=1508 first=alpha-01 last=zulu-99 oldest=victor-stale missing=3 moved=1 shown=1000 all=1508 fits=1"
echo "browser: ok"
