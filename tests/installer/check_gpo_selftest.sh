#!/usr/bin/env bash
# check_gpo_selftest.sh: check_gpo.py must reject broken templates (each mutation names the
# problem), so a passing gpo test means something.   check_gpo_selftest.sh SRC_DIR
set -u
src=$1
gpo=$src/installer/gpo
chk="python3 $src/tests/installer/check_gpo.py"
hdr=$src/service/win_settings.h
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# expect NAME PATTERN COMMAND...: COMMAND must exit 1 and print PATTERN.
expect() {
  local name=$1 pat=$2 out rc
  shift 2
  out=$("$@" 2>&1); rc=$?
  if [ $rc -ne 1 ] || ! grep -q -- "$pat" <<<"$out"; then
    echo "FAIL $name: rc=$rc, wanted '$pat' in:"; echo "$out"; fail=1
  else
    echo "ok   $name"
  fi
}

sed 's/id="DropShare_Help"/id="DropShare_Hlp"/' $gpo/en-US/kbsentry.adml >$tmp/1.adml
expect "adml string renamed" "string id 'DropShare_Help' is not in" \
  $chk admx $gpo/kbsentry.admx $tmp/1.adml $hdr
sed 's/<presentation id="DataDir">/<presentation id="DataDirX">/' $gpo/en-US/kbsentry.adml >$tmp/2.adml
expect "adml presentation renamed" "presentation id 'DataDir' is not in" \
  $chk admx $gpo/kbsentry.admx $tmp/2.adml $hdr
sed 's/refId="DataDir_Value"/refId="DropShare_Value"/' $gpo/en-US/kbsentry.adml >$tmp/3.adml
expect "adml control on another policy's element" "is not an element of policy 'DataDir'" \
  $chk admx $gpo/kbsentry.admx $tmp/3.adml $hdr
sed 's/maxValue="43200"/maxValue="40000"/' $gpo/kbsentry.admx >$tmp/4.admx
expect "admx range differs from the agent" "ScanIntervalMinutes must be decimal 15..43200" \
  $chk admx $tmp/4.admx $gpo/en-US/kbsentry.adml $hdr
sed '0,/key="SOFTWARE\\Policies\\kbsentry"/s//key="SOFTWARE\\kbsentry"/' $gpo/kbsentry.admx >$tmp/5.admx
expect "admx wrong key" "must be a Machine policy under" \
  $chk admx $tmp/5.admx $gpo/en-US/kbsentry.adml $hdr
head -c 2000 $gpo/kbsentry.admx >$tmp/6.admx
expect "admx truncated" "6.admx:1:" $chk admx $tmp/6.admx $gpo/en-US/kbsentry.adml $hdr

sed '0,/END PART/{/END PART/d}' $gpo/kbsentry.adm >$tmp/1.adm
expect "adm END PART missing" "END POLICY does not close PART" $chk adm $tmp/1.adm $gpo/kbsentry.admx
sed 's/!!DataDir_Part/!!DataDir_Prt/' $gpo/kbsentry.adm >$tmp/2.adm
expect "adm unknown string" "string 'DataDir_Prt' is not in \[strings\]" $chk adm $tmp/2.adm $gpo/kbsentry.admx
sed 's/MIN 15 MAX 43200/MIN 15 MAX 4320/' $gpo/kbsentry.adm >$tmp/3.adm
expect "adm range differs from the admx" "NUMERIC 15..43200 expected" $chk adm $tmp/3.adm $gpo/kbsentry.admx
sed 's/^DropShare="\(.*\)/DropShare="\1 more/' $gpo/kbsentry.adm >$tmp/4.adm
expect "adm unbalanced string" "not NAME=" $chk adm $tmp/4.adm $gpo/kbsentry.admx
head -c 300 $gpo/kbsentry.adm >$tmp/5.adm
expect "adm truncated" "no \[strings\] section" $chk adm $tmp/5.adm $gpo/kbsentry.admx
printf 'CLASS MACHINE\0\n[strings]\n' >$tmp/6.adm
expect "adm with NUL" "NUL byte" $chk adm $tmp/6.adm $gpo/kbsentry.admx
head -c 4000 /dev/urandom >$tmp/7.adm
expect "adm garbage" "7.adm:" $chk adm $tmp/7.adm $gpo/kbsentry.admx
sed 's/CLASS MACHINE/CLASS USER/' $gpo/kbsentry.adm >$tmp/8.adm
expect "adm user class" "the agent reads HKLM only" $chk adm $tmp/8.adm $gpo/kbsentry.admx
exit $fail
