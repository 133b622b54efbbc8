#!/bin/sh
# Start a throwaway mariadbd on a loopback port with a temp datadir, root with
# no password, InnoDB with the given buffer pool. Prints "PID DIR" on stdout.
#   bench/mysql/mariadbd.sh PORT [BUFFER_POOL (default 1G)]
# Stop it with: kill PID; rm -rf DIR
set -e
port=${1:?usage: mariadbd.sh PORT [BUFFER_POOL]}
pool=${2:-1G}
dir=$(mktemp -d /tmp/tandem-mariadb.XXXXXX)
mariadb-install-db --no-defaults --datadir="$dir/data" --auth-root-authentication-method=normal \
	--skip-test-db >"$dir/install.log" 2>&1
mariadbd --no-defaults --datadir="$dir/data" --socket="$dir/sock" --pid-file="$dir/pid" \
	--port="$port" --bind-address=127.0.0.1 --skip-name-resolve=0 \
	--innodb-buffer-pool-size="$pool" --innodb-log-file-size=256M --max-connections=500 \
	--max-allowed-packet=64M --user="$(id -un)" >"$dir/err.log" 2>&1 &
pid=$!
i=0
until mariadb --no-defaults -h127.0.0.1 -P"$port" -uroot -e 'SELECT 1' >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 $pid 2>/dev/null; then
		echo "mariadbd did not start; see $dir/err.log" >&2
		cat "$dir/err.log" >&2
		exit 1
	fi
	sleep 0.2
done
echo "$pid $dir"
