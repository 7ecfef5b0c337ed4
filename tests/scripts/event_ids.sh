#!/usr/bin/env bash
# event_ids.sh: every event id in the agent's message table (service/messages.mc) has a row in
# docs/deploy.md's event table, and the table names no id the agent cannot log.
#   event_ids.sh SOURCE-DIR
set -u
src=$1 fail=0
mc=$(sed -n 's/^MessageId=\([0-9]*\).*/\1/p' "$src/service/messages.mc" | sort -u)
doc=$(sed -n 's/^ *| \([0-9][0-9][0-9][0-9]\) | .*/\1/p' "$src/docs/deploy.md" | sort -u)
[ -n "$mc" ] || { echo "FAIL: no MessageId in messages.mc"; exit 1; }
for id in $mc; do
  echo "$doc" | grep -qx "$id" || { echo "FAIL: event $id is not in docs/deploy.md's table"; fail=1; }
done
for id in $doc; do
  echo "$mc" | grep -qx "$id" || { echo "FAIL: docs/deploy.md lists event $id, which messages.mc lacks"; fail=1; }
done
[ $fail -eq 0 ] && echo "PASS: $(echo "$mc" | wc -l) event ids documented"
exit $fail
