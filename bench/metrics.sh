#!/usr/bin/env bash
# The console's usage path across nodes (docs/benchmarks.md, docs/metrics.md): Prometheus (one
# query a refresh for every container, fed by `glovebox collect` on each node) against the
# engine's one-shot stats, which reach only the manager's own containers. For each count in
# COUNTS (default "50 200") containers spread over the three nodes of the multi-node sandbox
# (tests/engine/multinode.sh), the console runs headless for SECS seconds (default 30,
# --refresh 2) in each mode; the figures are CPU seconds of the manager's dockerd, of Prometheus
# and of glovebox, and the bytes glovebox received per refresh (its recvfrom and recvmsg calls,
# counted by strace in a second, shorter run of each mode, so the tracing costs nothing in the
# CPU figures). It prints figures and passes or fails nothing.
set -u
cd "$(dirname "$0")/.." || exit 2
MN=tests/engine/multinode.sh
PROMSH=tests/engine/prometheus.sh
GLOVEBOX=${GLOVEBOX:-build/release/glovebox}
[ -x "$GLOVEBOX" ] || GLOVEBOX=./glovebox
COUNTS=${COUNTS:-"50 200"}
SECS=${SECS:-30}
REFRESH=2
NAME=gbbench-metrics
CLK_TCK=$(getconf CLK_TCK)
say() { printf 'metrics: %s\n' "$*"; }
die() { printf 'metrics: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (it starts the multi-node sandbox)"
for c in jq strace prometheus prometheus-node-exporter; do
	command -v $c >/dev/null || die "$c is not installed (make deps)"
done

started_mn=0 started_prom=0 pids=()
tmp=$(mktemp -d /tmp/gbbench-metrics.XXXXXX)
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	docker service rm "$NAME" >/dev/null 2>&1
	[ "$started_prom" = 1 ] && "$PROMSH" stop >/dev/null 2>&1
	[ "$started_mn" = 1 ] && "$MN" stop >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$MN" status >/dev/null 2>&1 || { started_mn=1; "$MN" start >/dev/null || die "the multi-node sandbox did not start"; }
eval "$("$MN" env)"
export DOCKER_HOST
"$PROMSH" status >/dev/null 2>&1 || { started_prom=1; "$PROMSH" start >/dev/null || die "Prometheus did not start"; }
eval "$("$PROMSH" env)"
for n in manager worker1 worker2; do
	dirvar=GB_TEXTFILE_DIR_${n^^}
	"$GLOVEBOX" collect --interval 2 --textfile-dir "${!dirvar}" --parent "/glovebox-multinode-$n" &
	pids+=($!)
done
dockerd_pid=$(cat /run/glovebox-multinode/manager/dockerd.pid)
prom_pid=$(pgrep -f -- "--config.file=/run/glovebox-prometheus/" | head -n 1)
[ -n "$prom_pid" ] || die "cannot find Prometheus's process"

# ticks PID: utime + stime (+ waited-for children for dockerd, which runs runc and friends).
ticks() {
	local s
	local -a f
	read -r s 2>/dev/null < "/proc/$1/stat" || return 1
	s=${s##*) }
	read -r -a f <<< "$s"
	echo $((f[11] + f[12] + f[13] + f[14]))
}
secs() { awk -v t="$1" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", t / hz }'; }
# received MODE: bytes glovebox receives per refresh, from a traced run of 5 refreshes.
received() {
	local args=() out=$tmp/strace.$1
	[ "$1" = prometheus ] && args=(--metrics "$GLOVEBOX_METRICS")
	timeout -s INT $((5 * REFRESH + 1)) strace -f -qq -e trace=recvfrom,recvmsg -e signal=none -o "$out" \
		"$GLOVEBOX" "${args[@]}" console --headless --refresh $REFRESH > /dev/null 2>&1
	awk '/= [0-9]+$/ { n += $NF } END { printf "%d", n / 5 }' "$out"
}

# run MODE: the console headless for SECS; prints "dockerd prometheus glovebox bytes/refresh".
run() {
	local args=() d0 p0 g
	[ "$1" = prometheus ] && args=(--metrics "$GLOVEBOX_METRICS")
	d0=$(ticks "$dockerd_pid") p0=$(ticks "$prom_pid")
	"$GLOVEBOX" "${args[@]}" console --headless --refresh $REFRESH > /dev/null 2>&1 &
	local gb=$!
	sleep "$SECS"
	g=$(ticks "$gb")
	kill -INT "$gb"
	wait "$gb" 2>/dev/null
	printf '%s %s %s %s\n' "$(secs $(($(ticks "$dockerd_pid") - d0)))" "$(secs $(($(ticks "$prom_pid") - p0)))" \
		"$(secs "$g")" "$(received "$1")"
}

say "$(nproc) CPUs; the console headless for ${SECS}s each, --refresh ${REFRESH}s; Prometheus scrapes every 2s"
printf '%-10s %-11s %12s %12s %12s %16s %s\n' containers mode "dockerd s" "prometheus s" "glovebox s" "bytes/refresh" "containers per node"
for n in $COUNTS; do
	docker service rm "$NAME" >/dev/null 2>&1
	docker service create -d -q --no-resolve-image --name "$NAME" --label gbbench=1 --replicas "$n" \
		--restart-condition none glovebox/busybox sleep 100000 >/dev/null || die "cannot create $n containers"
	for _ in $(seq 1 300); do
		[ "$(docker service ps -q --filter desired-state=running --filter "name=$NAME" "$NAME" 2>/dev/null |
			xargs -r docker inspect --format '{{.Status.State}}' 2>/dev/null | grep -c running)" -ge "$n" ] && break
		sleep 1
	done
	per_node=$(docker service ps --filter desired-state=running --format '{{.Node}}' "$NAME" | sort | uniq -c | awk '{ printf "%s %s, ", $2, $1 }')
	sleep 12   # a few scrapes of every new container
	for mode in prometheus engine; do
		read -r d p g b < <(run $mode)
		printf '%-10s %-11s %12s %12s %12s %16s %s\n' "$n" "$mode" "$d" "$p" "$g" "$b" "${per_node%, }"
	done
done
say "engine mode: one-shot stats only for the manager's own containers; Prometheus mode: every node's"
