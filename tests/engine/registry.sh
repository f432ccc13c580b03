#!/usr/bin/env bash
# Private registries for tests and demos: Debian's docker-registry on loopback only.
#   open  127.0.0.1:5000  no authentication
#   auth  127.0.0.1:5001  htpasswd basic auth (user and password from `registry.sh start`'s caller:
#                         GB_REGISTRY_USER and the password on stdin, never in argv)
# Usage: tests/engine/registry.sh start [auth] | stop | push IMAGE [REGISTRY] | status
# Needs the sandbox engine (tests/engine/sandbox.sh) for push.
set -u -o pipefail
STATE=${GB_REGISTRY_DIR:-/run/glovebox-registry}
DATA=${GB_REGISTRY_DATA:-/var/lib/glovebox-registry}

die() { echo "registry: $*" >&2; exit 1; }

write_config() {   # name port [htpasswd]
	local name=$1 port=$2 auth=${3:-}
	mkdir -p "$STATE/$name" "$DATA/$name"
	{
		echo "version: 0.1"
		echo "log: {level: warn}"
		echo "storage: {filesystem: {rootdirectory: $DATA/$name}, delete: {enabled: true}}"
		echo "http: {addr: 127.0.0.1:$port}"
		[ -n "$auth" ] && echo "auth: {htpasswd: {realm: glovebox-test, path: $auth}}"
	} > "$STATE/$name/config.yml"
}

running() { [ -f "$STATE/$1/pid" ] && kill -0 "$(cat "$STATE/$1/pid")" 2>/dev/null; }

start_one() {   # name port
	local name=$1 port=$2 i
	running "$name" && return 0
	command -v docker-registry >/dev/null || die "docker-registry is not installed (run tests/deps.sh)"
	# The daemon keeps none of the caller's other descriptors: a lock a test run holds
	# (flock) must end with the run, not with the registry.
	(
		for fd in /proc/$BASHPID/fd/*; do
			fd=${fd##*/}
			[ "$fd" -gt 2 ] && eval "exec $fd>&-"
		done
		exec docker-registry serve "$STATE/$name/config.yml" > "$STATE/$name/log" 2>&1 < /dev/null
	) &
	echo $! > "$STATE/$name/pid"
	for i in $(seq 1 50); do
		curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && return 0
		sleep 0.1
	done
	die "$name registry did not answer on 127.0.0.1:$port: $(tail -n 5 "$STATE/$name/log")"
}

stop_one() {
	local name=$1 pid
	running "$name" || { rm -f "$STATE/$name/pid"; return 0; }
	pid=$(cat "$STATE/$name/pid")
	kill "$pid" 2>/dev/null
	for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$pid" 2>/dev/null
	rm -f "$STATE/$name/pid"
}

case "${1:-}" in
start)
	write_config open 5000
	start_one open 5000
	if [ "${2:-}" = auth ]; then
		[ -n "${GB_REGISTRY_USER:-}" ] || die "GB_REGISTRY_USER must name the user; the password comes on stdin"
		command -v htpasswd >/dev/null || die "htpasswd is not installed (apache2-utils; run tests/deps.sh)"
		mkdir -p "$STATE/auth"
		# -i reads the password from stdin, so it never appears in argv.
		htpasswd -Bci "$STATE/auth/htpasswd" "$GB_REGISTRY_USER" >/dev/null 2>&1 || die "htpasswd failed"
		write_config auth 5001 "$STATE/auth/htpasswd"
		stop_one auth
		start_one auth 5001
	fi
	;;
stop)
	stop_one open
	stop_one auth
	[ "${2:-}" = --purge ] && rm -rf "$DATA"
	;;
push)   # push IMAGE [REGISTRY]: tag the sandbox image into the registry and push it
	img=${2:?image}; reg=${3:-127.0.0.1:5000}
	docker tag "$img" "$reg/$img" && docker push -q "$reg/$img" >/dev/null || die "push of $img to $reg failed"
	echo "$reg/$img"
	;;
status)
	for n in open auth; do running $n && echo "$n: running" || echo "$n: stopped"; done
	;;
*)
	echo "usage: $0 start [auth] | stop [--purge] | push IMAGE [REGISTRY] | status" >&2
	exit 2
	;;
esac
