#!/usr/bin/env bash
# Prometheus and node-exporters for the multi-node sandbox (tests/engine/multinode.sh; docs/sandbox.md).
# Usage: tests/engine/prometheus.sh start | stop | status | env
#
# One node-exporter per node, inside that node's network namespace, listening on the node's
# bridge address, with the textfile collector reading a directory of its own (where
# `glovebox collect` writes), and one Prometheus on the host's loopback scraping the three every
# 2 s through a file_sd_configs file whose targets carry swarm_node_id and swarm_node_hostname.
# Prometheus keeps its data in a temporary directory that stop deletes.
#
# Environment (defaults in brackets):
#   GB_PROMETHEUS_DIR            run directory: config, targets, textfile dirs, logs [/run/glovebox-prometheus]
#   GB_PROMETHEUS_PORT           Prometheus's port on 127.0.0.1 [9491]
#   GB_PROMETHEUS_EXPORTER_PORT  node-exporter's port on each node's address [9100]
set -u -o pipefail

GB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUN_DIR=${GB_PROMETHEUS_DIR:-/run/glovebox-prometheus}
RUN_DIR=${RUN_DIR%/}
PORT=${GB_PROMETHEUS_PORT:-9491}
EXPORTER_PORT=${GB_PROMETHEUS_EXPORTER_PORT:-9100}
MULTINODE=$GB_ROOT/tests/engine/multinode.sh
PROMETHEUS=${GB_PROMETHEUS:-prometheus}
EXPORTER=${GB_NODE_EXPORTER:-prometheus-node-exporter}

say() { printf 'prometheus: %s\n' "$*"; }
die() { printf 'prometheus: error: %s\n' "$*" >&2; exit 1; }

usage() {
	cat <<EOF
usage: $0 start | stop | status | env
  start   start a node-exporter in each node of the multi-node sandbox and Prometheus on 127.0.0.1:$PORT
  stop    stop them and delete Prometheus's data and $RUN_DIR
  status  say what runs (exit 0 when Prometheus is ready)
  env     print GLOVEBOX_METRICS and each node's textfile directory, for eval
EOF
}

case $RUN_DIR in
/*) ;;
*) die "GB_PROMETHEUS_DIR '$RUN_DIR' is not an absolute path" ;;
esac
case $RUN_DIR in
/ | /run | /var | /var/lib | /tmp | /root | /home | /var/lib/prometheus) die "refusing to use '$RUN_DIR'" ;;
esac

alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# ours PID: alive and started by us (its command line names our run directory).
ours() {
	local arg
	local -a args
	mapfile -d '' args 2>/dev/null < "/proc/$1/cmdline" || return 1
	for arg in "${args[@]}"; do
		case $arg in *"$RUN_DIR"/*) alive "$1"; return ;; esac
	done
	return 1
}

pid_of() {   # NAME: the pid in RUN_DIR/NAME.pid when it is ours
	local pid
	pid=$(cat "$RUN_DIR/$1.pid" 2>/dev/null) || return 1
	case $pid in '' | *[!0-9]*) return 1 ;; esac
	ours "$pid" && echo "$pid"
}

wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.2
	done
}

url() { echo "http://127.0.0.1:$PORT"; }
prom_ready() { curl -fsS --max-time 2 "$(url)/-/ready" >/dev/null 2>&1; }
exporter_up() { curl -fsS --max-time 2 "http://$1:$EXPORTER_PORT/metrics" >/dev/null 2>&1; }

# launch NAME CMD...: starts CMD in its own session, no inherited fds, pid in RUN_DIR/NAME.pid.
launch() {
	local name=$1
	shift
	setsid "$@" </dev/null >"$RUN_DIR/$name.log" 2>&1 9>&- &
	echo $! > "$RUN_DIR/$name.pid"
	disown $! 2>/dev/null
}

lock() {
	mkdir -p "$RUN_DIR" || die "cannot create $RUN_DIR"
	exec 9>"$RUN_DIR/lock"
	flock -w 60 9 || die "another prometheus.sh has held $RUN_DIR/lock for a minute"
}

cmd_start() {
	local name ns addr host sock id targets=() data t0=$SECONDS
	[ "$(id -u)" -eq 0 ] || die "needs root (it enters the sandbox's network namespaces): sudo $0 start"
	command -v "$PROMETHEUS" >/dev/null || die "prometheus is not installed: run tests/deps.sh"
	command -v "$EXPORTER" >/dev/null || die "prometheus-node-exporter is not installed: run tests/deps.sh"
	"$MULTINODE" status >/dev/null 2>&1 || die "the multi-node sandbox is not running: $MULTINODE start"
	lock
	while read -r name ns addr host sock; do
		mkdir -p "$RUN_DIR/textfile/$name" || die "cannot create $RUN_DIR/textfile/$name"
		if [ -z "$(pid_of "exporter-$name")" ]; then
			# Minimal collectors: the textfile (per-container figures from glovebox collect) and
			# the node's CPU and memory. All three read the host's /proc: the same machine.
			launch "exporter-$name" nsenter --net="/run/netns/$ns" "$EXPORTER" \
				--web.listen-address="$addr:$EXPORTER_PORT" \
				--collector.disable-defaults --collector.textfile --collector.cpu --collector.meminfo \
				--collector.textfile.directory="$RUN_DIR/textfile/$name"
		fi
		id=$(DOCKER_HOST=unix://$sock docker info --format '{{.Swarm.NodeID}}' 2>/dev/null)
		[ -n "$id" ] || die "$name: no swarm node id"
		targets+=("$(printf '{"targets": ["%s:%s"], "labels": {"swarm_node_id": "%s", "swarm_node_hostname": "%s"}}' \
			"$addr" "$EXPORTER_PORT" "$id" "$host")")
	done < <("$MULTINODE" nodes)
	# Written whole, then renamed: Prometheus never reads half a file.
	(IFS=,; printf '[%s]\n' "${targets[*]}") > "$RUN_DIR/targets.json.tmp" &&
		mv -f "$RUN_DIR/targets.json.tmp" "$RUN_DIR/targets.json" || die "cannot write $RUN_DIR/targets.json"
	cat > "$RUN_DIR/prometheus.yml" <<EOF
global:
  scrape_interval: 2s
  scrape_timeout: 2s
  evaluation_interval: 2s
scrape_configs:
  - job_name: node
    file_sd_configs:
      - files: ["$RUN_DIR/targets.json"]
        refresh_interval: 5s
EOF
	if [ -z "$(pid_of prometheus)" ]; then
		data=$(mktemp -d /tmp/glovebox-prometheus.XXXXXX) || die "cannot make a data directory"
		echo "$data" > "$RUN_DIR/datadir"
		say "starting Prometheus on $(url) (data: $data)"
		launch prometheus "$PROMETHEUS" --config.file="$RUN_DIR/prometheus.yml" \
			--storage.tsdb.path="$data" --storage.tsdb.retention.time=2h \
			--web.listen-address="127.0.0.1:$PORT" --web.enable-lifecycle
	fi
	while read -r name ns addr host sock; do
		wait_until 15 exporter_up "$addr" ||
			die "$name: node-exporter does not answer on $addr:$EXPORTER_PORT: $(tail -n 3 "$RUN_DIR/exporter-$name.log")"
	done < <("$MULTINODE" nodes)
	wait_until 30 prom_ready || die "Prometheus is not ready on $(url): $(tail -n 5 "$RUN_DIR/prometheus.log")"
	say "ready in $((SECONDS - t0))s: GLOVEBOX_METRICS=$(url)"
}

cmd_stop() {
	local f pid data pids=()
	[ -d "$RUN_DIR" ] || return 0
	[ "$(id -u)" -eq 0 ] || die "needs root: sudo $0 stop"
	lock
	for f in "$RUN_DIR"/*.pid; do
		[ -f "$f" ] || continue
		pid=$(pid_of "$(basename "$f" .pid)") && pids+=("$pid")
	done
	if [ ${#pids[@]} -gt 0 ]; then
		kill -TERM "${pids[@]}" 2>/dev/null
		if ! wait_until 10 sh -c 'for p; do [ -d /proc/$p ] && ! grep -q "^State:.*Z" /proc/$p/status && exit 1; done; exit 0' _ "${pids[@]}"; then
			kill -KILL "${pids[@]}" 2>/dev/null
		fi
	fi
	data=$(cat "$RUN_DIR/datadir" 2>/dev/null)
	case $data in /tmp/glovebox-prometheus.*) rm -rf "$data" ;; esac
	rm -rf "$RUN_DIR"
	say "stopped"
}

cmd_status() {
	local name ns addr host sock
	while read -r name ns addr host sock; do
		if [ -n "$(pid_of "exporter-$name")" ]; then echo "$name: node-exporter on $addr:$EXPORTER_PORT"
		else echo "$name: no node-exporter"; fi
	done < <("$MULTINODE" nodes)
	if prom_ready; then echo "prometheus: ready on $(url)"; else echo "prometheus: not running"; return 1; fi
}

cmd_env() {
	local name ns addr host sock
	echo "GLOVEBOX_METRICS=$(url)"
	while read -r name ns addr host sock; do
		printf 'GB_TEXTFILE_DIR_%s=%s\n' "${name^^}" "$RUN_DIR/textfile/$name"
	done < <("$MULTINODE" nodes)
}

case ${1:-} in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
env) cmd_env ;;
-h | --help | help) usage ;;
*) usage >&2; exit 2 ;;
esac
