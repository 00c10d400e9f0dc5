#!/bin/sh
# A throwaway PostgreSQL 15 server for the tests and benchmarks.
#
#   test/pgtmp.sh start DIR   initdb into DIR/data, listen only on a unix
#                             socket in DIR, print the libpq conninfo
#   test/pgtmp.sh stop DIR    stop it (fast shutdown) and remove DIR
#   test/pgtmp.sh restart DIR stop and start it again (the tests' "server
#                             restarted mid-stream")
#   test/pgtmp.sh halt DIR    stop it (fast shutdown), keeping DIR and the
#                             data (the tests' "server unreachable")
#   test/pgtmp.sh resume DIR  start a halted server again
#
# initdb refuses to run as root: as root, the server runs as the system
# user gridflow-test (created when missing), which owns DIR.
set -eu
cmd=${1:?usage: pgtmp.sh start|stop|restart|halt|resume DIR}
dir=${2:?usage: pgtmp.sh start|stop|restart|halt|resume DIR}
bin=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)
[ -n "$bin" ] || { echo "pgtmp: PostgreSQL 15 is not installed (make deps)" >&2; exit 1; }
user=""
run() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
	user=gridflow-test
	id "$user" >/dev/null 2>&1 ||
		useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
	run() { runuser -u "$user" -- "$@"; }
fi
ctl() { run "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w "$@"; }
case "$cmd" in
start)
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	[ -n "$user" ] && chown "$user" "$dir"
	chmod 755 "$dir"
	run "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 \
		--locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; exit 1; }
	# no TCP; the socket in DIR; small and fast, durable (fsync stays on:
	# the crash tests rely on it)
	ctl -o "-c listen_addresses='' -k $dir -c max_connections=40 \
		-c shared_buffers=64MB -c max_wal_size=1GB" start >/dev/null ||
		{ cat "$dir/server.log" >&2; exit 1; }
	run "$bin/createdb" -h "$dir" -U postgres gridflow
	echo "host=$dir user=postgres dbname=gridflow"
	;;
restart)
	ctl -m fast stop >/dev/null
	ctl -o "-c listen_addresses='' -k $dir -c max_connections=40 \
		-c shared_buffers=64MB -c max_wal_size=1GB" start >/dev/null
	;;
halt)
	ctl -m fast stop >/dev/null
	;;
resume)
	dir=$(cd "$dir" && pwd)
	ctl -o "-c listen_addresses='' -k $dir -c max_connections=40 \
		-c shared_buffers=64MB -c max_wal_size=1GB" start >/dev/null
	;;
stop)
	[ -d "$dir/data" ] && ctl -m fast stop >/dev/null 2>&1 || true
	rm -rf "$dir"
	;;
*)
	echo "usage: pgtmp.sh start|stop|restart|halt|resume DIR" >&2; exit 2 ;;
esac
