#!/bin/bash
# killtest.sh: kill -9 `kbsentry collect` at random moments, 50 times: the database must pass
# PRAGMA integrity_check, every stored host must be complete, and a rerun must finish the set.
# usage: killtest.sh KBSENTRY BENCH_FLEET WORKDIR [RUNS] [FILES]
set -u
KBS=$1 GEN=$2 WORK=$3 RUNS=${4:-50} N=${5:-1000}
fail() { echo "killtest: FAIL: $*" >&2; exit 1; }
command -v sqlite3 >/dev/null || fail "the sqlite3 shell is needed (Debian package sqlite3)"

rm -rf "$WORK" && mkdir -p "$WORK" || fail "cannot make $WORK"
"$GEN" --generate "$WORK/fleet" "$N" 2017 >/dev/null || fail "generating the fleet"
DB=$WORK/kill.db
NRULE=$("$KBS" rules | sed -n 's/.*, \([0-9]*\) rules$/\1/p')
[ -n "$NRULE" ] && [ "$NRULE" -gt 0 ] || fail "cannot count the catalog's rules"

# How long an uninterrupted collect takes: kills land anywhere within it.
t0=$(date +%s%N)
"$KBS" collect --quiet --db "$WORK/full.db" "$WORK/fleet" || fail "uninterrupted collect failed"
FULL_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$(sqlite3 "$WORK/full.db" 'SELECT count(*) FROM host')" = "$N" ] || fail "full collect: wrong host count"
rm -f "$WORK"/full.db*

check_db() {
    local ic bad nfile nhost
    ic=$(sqlite3 "$DB" 'PRAGMA integrity_check' 2>&1)
    [ "$ic" = "ok" ] || fail "run $1: integrity_check: $ic"
    [ "$(sqlite3 "$DB" 'PRAGMA foreign_key_check' | wc -l)" = 0 ] || fail "run $1: foreign keys"
    # Killed before the schema's transaction committed: no table at all, nothing stored yet. The
    # schema is all or nothing: a database with some tables but no host table is a failure.
    if [ "$(sqlite3 "$DB" "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='host'")" = 0 ]; then
        [ "$(sqlite3 "$DB" "SELECT count(*) FROM sqlite_master WHERE type='table'")" = 0 ] ||
            fail "run $1: a partial schema"
        return 0
    fi
    # A stored host is complete: its current scan, OS scan, hotfix set and one verdict per rule.
    bad=$(sqlite3 "$DB" "SELECT count(*) FROM host h WHERE h.cur_scan_id IS NULL
        OR NOT EXISTS (SELECT 1 FROM scan s WHERE s.id = h.cur_scan_id AND s.host_id = h.id)
        OR h.state_set_id IS NULL
        OR (SELECT n_hotfix FROM hotfix_set WHERE id = h.state_set_id)
           <> (SELECT count(*) FROM hotfix_set_kb WHERE set_id = h.state_set_id)
        OR (SELECT count(*) FROM verdict v WHERE v.host_id = h.id) <> $NRULE")
    [ "$bad" = 0 ] || fail "run $1: $bad incomplete hosts"
    # Every recorded input file's host is stored, and no host without its file.
    nfile=$(sqlite3 "$DB" 'SELECT count(*) FROM file')
    nhost=$(sqlite3 "$DB" 'SELECT count(*) FROM host')
    [ "$nfile" = "$nhost" ] || fail "run $1: $nfile files recorded but $nhost hosts"
}

killed=0
for run in $(seq 1 "$RUNS"); do
    # Groups of five runs: a fresh database, four kills that resume each other, then a finish.
    [ $(( run % 5 )) = 1 ] && rm -f "$DB" "$DB-wal" "$DB-shm"
    "$KBS" collect --quiet --db "$DB" "$WORK/fleet" 2>"$WORK/err" &
    pid=$!
    delay=$(( RANDOM % (FULL_MS + 1) ))
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
    wait "$pid" 2>/dev/null
    check_db "$run"
    if [ $(( run % 5 )) = 0 ]; then
        "$KBS" collect --quiet --db "$DB" "$WORK/fleet" 2>"$WORK/err" || fail "run $run: rerun failed: $(cat "$WORK/err")"
        check_db "$run"
        [ "$(sqlite3 "$DB" 'SELECT count(*) FROM host')" = "$N" ] || fail "run $run: rerun did not finish the set"
    fi
done
echo "killtest: $RUNS runs, $killed killed mid-collect (full collect $FULL_MS ms): all consistent"
rm -rf "$WORK"
