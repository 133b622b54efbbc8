#!/bin/sh
# Starts a throwaway mariadbd on 127.0.0.1:$PORT (default 33061) with a temp
# datadir, for recording .result files: `tests/sql/mariadb.sh start|stop`.
set -e
PORT=${PORT:-33061}
D=${MARIADB_DIR:-/tmp/tandem-mariadb}
case "$1" in
start)
  rm -rf "$D" && mkdir -p "$D"
  mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$D/data" --auth-root-authentication-method=normal >"$D/install.log" 2>&1
  mariadbd --no-defaults --user="$(id -un)" --datadir="$D/data" --port="$PORT" --bind-address=127.0.0.1 \
    --socket="$D/s.sock" --skip-grant-tables --pid-file="$D/pid" \
    --sql-mode=ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
    --log-error="$D/err.log" >/dev/null 2>&1 &
  for i in $(seq 1 50); do
    mariadb --no-defaults -h127.0.0.1 -P"$PORT" -uroot -e 'select 1' >/dev/null 2>&1 && { echo "mariadbd up on $PORT (pid $(cat $D/pid))"; exit 0; }
    sleep 0.2
  done
  echo "mariadbd did not start; see $D/err.log"; exit 1;;
stop)
  [ -f "$D/pid" ] && kill "$(cat "$D/pid")" && echo stopped;;
esac
