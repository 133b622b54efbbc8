#!/usr/bin/env bash
# Runs units of Redis' own test suite (tests/ of redis/redis at tag 7.0.15,
# which this project does not ship: pass the folder that holds `runtest`)
# against a tandem built from this checkout, in external-server mode, one
# unit at a time, and prints each unit's passed/failed counts.
#
#   tests/redis-suite/run.sh /path/to/redis-7.0.15 unit/type/string unit/expire ...
#
# Needs tclsh. REFERENCE=1 runs the same units against redis-server for a
# baseline. skiptests.py prepares a copy of a unit whose tests need features tandem lacks.
# TANDEM_BIN uses a built binary instead of building one. Extra runtest flags go in RUNTEST_FLAGS (default: the tags the
# issues name). Each unit gets a fresh tandem on a free port.
set -u
suite=${1:?usage: run.sh REDIS_SRC_DIR UNIT...}
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
if [ -n "${TANDEM_BIN:-}" ]; then cp "$TANDEM_BIN" "$work/tandem"; else
  (cd "$root" && go build -o "$work/tandem" ./cmd/tandem) || exit 1
fi
flags=${RUNTEST_FLAGS:-'--tags "-slow -needs:debug"'}
printf '%-28s %7s %7s\n' unit passed failed
for unit in "$@"; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  if [ -n "${REFERENCE:-}" ]; then
    mkdir -p "$work/data-$port"
    redis-server --port "$port" --bind 127.0.0.1 --save '' --dir "$work/data-$port" >"$work/tandem-$port.log" 2>&1 &
  else
    "$work/tandem" --port "$port" --mysql-port 0 --dir "$work/data-$port" >"$work/tandem-$port.log" 2>&1 &
  fi
  pid=$!
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  log="$work/$(echo "$unit" | tr / _).log"
  (cd "$suite" && eval ./runtest --host 127.0.0.1 --port "$port" --single "$unit" --clients 1 --timeout 300 --baseport $((30000 + RANDOM % 20000)) $flags) >"$log" 2>&1
  sed -i 's/\x1b\[[0-9;]*m//g' "$log"
  ok=$(grep -c '^\[ok\]' "$log")
  err=$(grep -c '^\[err\]\|^\[exception\]\|\[TIMEOUT\]' "$log")
  printf '%-28s %7s %7s\n' "$unit" "$ok" "$err"
  grep '^\[err\]\|^\[exception\]\|\[TIMEOUT\]' "$log" | sed 's/^/    /' | head -20
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
done
