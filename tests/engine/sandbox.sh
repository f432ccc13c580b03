#!/usr/bin/env bash
# A private, single-node swarm Docker engine for glovebox tests and demos (see docs/sandbox.md).
# Usage: tests/engine/sandbox.sh start | stop [--purge] | status | env
#
# It runs its own dockerd (Debian's docker.io) beside any other engine on the machine:
# own network namespace, socket, data root, exec root, cgroup parent and containerd namespace.
# A dockerd with --bridge none in the host's namespace would delete the host's docker0;
# in its own namespace it sees only a loopback. Its loopback ports 5000 and 5001 (the test
# registries, tests/engine/registry.sh) lead to the host's loopback through socat.
# It pulls nothing: its two images are built FROM scratch out of Debian's static busybox
# and tests/fixtures/load.c.
#
# Environment (defaults in brackets):
#   GB_SANDBOX_DIR        run directory: socket, pidfile, log, exec root [/run/glovebox-sandbox]
#   GB_SANDBOX_DATA       data root [/var/lib/glovebox-sandbox]
#   GB_SANDBOX_PORT       swarm listen/advertise port on 127.0.0.1 [4377]
#   GB_SANDBOX_VXLAN_PORT swarm data path (VXLAN) port [4799]
#   GB_SANDBOX_TIMEOUT    seconds to wait for the engine and the swarm [30]
#   GB_SANDBOX_FORWARD    loopback ports forwarded from the sandbox to the host [5000 5001]
#   GB_DOCKER, GB_DOCKERD client and daemon to use [docker, dockerd]
set -u -o pipefail

GB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUN_DIR=${GB_SANDBOX_DIR:-/run/glovebox-sandbox}
RUN_DIR=${RUN_DIR%/}
DATA_ROOT=${GB_SANDBOX_DATA:-/var/lib/glovebox-sandbox}
DATA_ROOT=${DATA_ROOT%/}
SWARM_PORT=${GB_SANDBOX_PORT:-4377}
VXLAN_PORT=${GB_SANDBOX_VXLAN_PORT:-4799}
TIMEOUT=${GB_SANDBOX_TIMEOUT:-30}
DOCKER=${GB_DOCKER:-docker}
DOCKERD=${GB_DOCKERD:-dockerd}
BUSYBOX=${GB_SANDBOX_BUSYBOX:-/bin/busybox}
LOAD_SRC=$GB_ROOT/tests/fixtures/load.c
FORWARD_PORTS=${GB_SANDBOX_FORWARD-5000 5001}

SOCK=$RUN_DIR/docker.sock
EXEC_ROOT=$RUN_DIR/exec
PIDFILE=$RUN_DIR/dockerd.pid
LOG=$RUN_DIR/dockerd.log
BUILD_DIR=$RUN_DIR/build
FWD_DIR=$EXEC_ROOT/forward
# Names on the host that must differ per sandbox instance, derived from the run directory:
# its containers' cgroup (so stop can find any that outlived the engine), its containerd
# namespace, its network namespace, and its Linux bridge for docker_gwbridge (inside its
# network namespace now; the name also serves to delete a bridge older versions left on the host).
# A hash, not the directory's name: stop kills what it finds in the cgroup, so the name must
# never be one another engine uses (a run directory named "docker" would give /docker).
if [ "$RUN_DIR" = /run/glovebox-sandbox ]; then
	INSTANCE=glovebox-sandbox
	GW_BRIDGE=gbsandbox_gw
	NETNS=gbsandbox
else
	INSTANCE=glovebox-sandbox-$(printf '%s' "$RUN_DIR" | sha256sum | cut -c1-8)
	GW_BRIDGE=gbsbx_${INSTANCE##*-} # at most 15 characters
	NETNS=gbsbx-${INSTANCE##*-}
fi
NETNS_PATH=/run/netns/$NETNS
CGROUP_PARENT=/$INSTANCE
CTR_NAMESPACE=$INSTANCE
CLASS_LABEL=glovebox.class
CLASS=default

export DOCKER_HOST=unix://$SOCK
unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH
# Engine 20.10 has no buildx; the classic builder works with either client.
export DOCKER_BUILDKIT=0
. "$GB_ROOT/tests/engine/images.sh"

say() { printf 'sandbox: %s\n' "$*"; }
die() { printf 'sandbox: error: %s\n' "$*" >&2; exit 1; }

usage() {
	cat <<EOF
usage: $0 start | stop [--purge] | status | env
  start          start the sandbox engine, its swarm and images (no-op when healthy)
  stop           remove all services, stop the engine, leave no process or mount behind
  stop --purge   stop, then delete the data root ($DATA_ROOT)
  status         say whether it runs (exit 0 when healthy, 1 otherwise)
  env            print DOCKER_HOST for the sandbox, for eval
  netns          print the path of its network namespace (for nsenter --net=)
EOF
}

need_root() {
	[ "$(id -u)" -eq 0 ] && return 0
	die "the sandbox engine needs root (it runs dockerd): sudo $0 $*"
}

# Refuse paths that belong to the system or to another engine: stop unmounts and --purge deletes them.
check_paths() {
	local p
	for p in "$RUN_DIR" "$DATA_ROOT"; do
		case $p in
		/*) ;;
		*) die "'$p' is not an absolute path (GB_SANDBOX_DIR, GB_SANDBOX_DATA)" ;;
		esac
		case $p in
		"" | / | /run | /var | /var/lib | /var/run | /tmp | /root | /home | \
			/var/lib/docker | /run/docker | /var/run/docker | /var/lib/containerd | /run/containerd | \
			/var/lib/gbdev | /run/gbdev)
			die "refusing to use '$p' as a sandbox directory" ;;
		esac
	done
}

# Is PID alive and one of ours (its command line names our exec root)? Zombies do not count.
ours() {
	local pid=$1 arg
	local -a args
	mapfile -d '' args 2>/dev/null < "/proc/$pid/cmdline" || return 1
	for arg in "${args[@]}"; do
		case $arg in
		"$EXEC_ROOT" | "$EXEC_ROOT"/* | *="$EXEC_ROOT" | *="$EXEC_ROOT"/* | *:"$EXEC_ROOT"/*)
			alive "$pid"
			return
			;;
		esac
	done
	return 1
}

# Is PID a live process (not a zombie)? Right after the fork it is not yet dockerd, so not "ours".
alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) } # the state follows the command name, which may hold spaces
	[ "${stat%% *}" != Z ]
}

# The running dockerd's pid, from the pidfile (checked against reuse), else empty.
daemon_pid() {
	local pid
	[ -r "$PIDFILE" ] || return 0
	pid=$(cat "$PIDFILE" 2>/dev/null) || return 0
	case $pid in '' | *[!0-9]*) return 0 ;; esac
	ours "$pid" && echo "$pid"
	return 0
}

ping_engine() {
	[ -S "$SOCK" ] || return 1
	if command -v curl >/dev/null; then
		[ "$(curl -fsS --max-time 2 --unix-socket "$SOCK" http://localhost/_ping 2>/dev/null)" = OK ]
	else
		timeout 5 "$DOCKER" version --format '{{.Server.APIVersion}}' >/dev/null 2>&1
	fi
}

log_tail() {
	[ -f "$LOG" ] && { echo "--- last lines of $LOG:"; tail -n 15 "$LOG"; } >&2
}

# wait_until SECONDS CMD...: poll CMD every 0.2 s for at most SECONDS of wall time.
wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.2
	done
}

gone() {
	local p
	for p in "$@"; do ours "$p" && return 1; done
	return 0
}

# terminate SECONDS PID...: SIGTERM, wait, then SIGKILL whatever is left.
terminate() {
	local limit=$1 p
	shift
	[ $# -gt 0 ] || return 0
	kill -TERM "$@" 2>/dev/null
	kill -CONT "$@" 2>/dev/null # a stopped process acts on SIGTERM only once continued
	wait_until "$limit" gone "$@" && return 0
	for p in "$@"; do ours "$p" && kill -KILL "$p" 2>/dev/null; done
	wait_until 5 gone "$@"
}

# Processes of ours that outlived dockerd: its containerd, shims, and anything naming the exec root.
leftover_pids() {
	local d pid
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		[ "$pid" = $$ ] && continue
		ours "$pid" && echo "$pid"
	done
}

# Container processes still in our cgroups (cgroup v1 per controller, or v2).
container_pids() {
	local f
	for f in /sys/fs/cgroup/pids"$CGROUP_PARENT"/*/cgroup.procs \
		/sys/fs/cgroup"$CGROUP_PARENT"/*/cgroup.procs; do
		[ -r "$f" ] && cat "$f"
	done 2>/dev/null
}

# Mount points at or under our roots, deepest (latest) first.
our_mounts() {
	awk -v a="$EXEC_ROOT" -v b="$DATA_ROOT" -v c="$RUN_DIR" '
		function under(m, r) { return m == r || index(m, r "/") == 1 }
		under($5, a) || under($5, b) || under($5, c) { print $5 }' /proc/self/mountinfo | tac
}

unmount_all() {
	local m _
	for _ in 1 2 3; do
		[ -n "$(our_mounts)" ] || return 0
		while read -r m; do
			umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
		done < <(our_mounts)
	done
	[ -z "$(our_mounts)" ] || say "warning: still mounted: $(our_mounts | tr '\n' ' ')"
}

# The network namespace's inode, or of a process's network namespace; empty when there is none.
netns_id() { stat -L -c %i "$1" 2>/dev/null; }

# Does PID run in our network namespace?
in_our_netns() {
	local ns
	ns=$(netns_id "$NETNS_PATH")
	[ -n "$ns" ] && [ "$(netns_id "/proc/$1/ns/net")" = "$ns" ]
}

# Our network namespace with its loopback up; nothing else lives in it but what we start.
ensure_netns() {
	local out
	if [ ! -e "$NETNS_PATH" ]; then
		out=$(ip netns add "$NETNS" 2>&1) || die "cannot create network namespace $NETNS: $out"
	fi
	out=$(ip -n "$NETNS" link set lo up 2>&1) || die "cannot bring up the loopback in $NETNS: $out"
}

# Processes still in our network namespace once the engine is gone (none of them is anyone else's).
netns_pids() {
	[ -e "$NETNS_PATH" ] && ip netns pids "$NETNS" 2>/dev/null
}

drop_netns() {
	[ -e "$NETNS_PATH" ] || return 0
	ip netns delete "$NETNS" 2>/dev/null || say "warning: cannot delete network namespace $NETNS"
}

# Kills what a crashed or killed engine left, unmounts, removes empty cgroups and the stale socket.
reap() {
	local pids cg
	mapfile -t pids < <(leftover_pids)
	if [ ${#pids[@]} -gt 0 ]; then
		say "stopping leftover processes: ${pids[*]}"
		terminate 5 "${pids[@]}"
	fi
	mapfile -t pids < <(netns_pids)
	if [ ${#pids[@]} -gt 0 ]; then
		say "killing leftover processes in network namespace $NETNS: ${pids[*]}"
		kill -KILL "${pids[@]}" 2>/dev/null
		sleep 0.2
	fi
	mapfile -t pids < <(container_pids)
	if [ ${#pids[@]} -gt 0 ]; then
		say "killing leftover container processes: ${pids[*]}"
		kill -KILL "${pids[@]}" 2>/dev/null
		sleep 0.5
	fi
	# A dead containerd's pidfile would make the next dockerd wait for it instead of starting one.
	rm -f "$EXEC_ROOT/containerd/containerd.pid"
	unmount_all
	for cg in /sys/fs/cgroup/*"$CGROUP_PARENT" /sys/fs/cgroup"$CGROUP_PARENT"; do
		[ -d "$cg" ] || continue
		find "$cg" -depth -mindepth 1 -type d -exec rmdir {} + 2>/dev/null
		rmdir "$cg" 2>/dev/null
	done
	rm -f "$SOCK" "$PIDFILE"
}

# Serialises start and stop: tests may start the sandbox from several shells at once.
lock() {
	mkdir -p "$RUN_DIR" || die "cannot create $RUN_DIR"
	exec 9>"$RUN_DIR/lock"
	flock -w 120 9 || die "another sandbox.sh has held $RUN_DIR/lock for 2 minutes"
}

start_engine() {
	local pid
	reap
	mkdir -p "$DATA_ROOT" "$EXEC_ROOT" || die "cannot create $DATA_ROOT or $EXEC_ROOT"
	ensure_netns
	[ -f "$LOG" ] && mv -f "$LOG" "$LOG.1"
	say "starting dockerd in network namespace $NETNS (log: $LOG)"
	# Own session, no inherited fds (not the lock, not a caller's pipe): it outlives this script.
	# nsenter, not `ip netns exec`: that remounts /sys, and dockerd then finds no devices cgroup.
	# nsenter execs dockerd, so $! is dockerd's pid.
	setsid nsenter --net="$NETNS_PATH" "$DOCKERD" \
		--host "unix://$SOCK" \
		--data-root "$DATA_ROOT" \
		--exec-root "$EXEC_ROOT" \
		--pidfile "$PIDFILE" \
		--bridge none --iptables=false --ip-masq=false --ip-forward=false \
		--cgroup-parent "$CGROUP_PARENT" \
		--containerd-namespace "$CTR_NAMESPACE" \
		--containerd-plugins-namespace "$CTR_NAMESPACE-plugins" \
		</dev/null >>"$LOG" 2>&1 9>&- &
	pid=$!
	disown "$pid" 2>/dev/null
	local deadline=$((SECONDS + TIMEOUT))
	until ping_engine; do
		if ! alive "$pid"; then
			log_tail
			die "dockerd exited during start-up"
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			log_tail
			die "dockerd did not answer on $SOCK within ${TIMEOUT}s (it still runs: $0 stop)"
		fi
		sleep 0.2
	done
}

# The loopback ports FORWARD_PORTS inside the namespace lead to the same ports on the host's
# loopback: socat listens on 127.0.0.1:PORT in the namespace and connects to a unix socket in
# FWD_DIR, where a second socat on the host connects on to 127.0.0.1:PORT. A unix socket is a
# file, reachable from any network namespace. Both name FWD_DIR, under the exec root, so
# leftover_pids and stop find them.
fwd_alive() {
	local f=$FWD_DIR/$1.pid pid
	pid=$(cat "$f" 2>/dev/null) || return 1
	case $pid in '' | *[!0-9]*) return 1 ;; esac
	ours "$pid"
}

ns_listening() {
	[ -n "$(nsenter --net="$NETNS_PATH" ss -Hltn "sport = :$1" 2>/dev/null)" ]
}

ensure_forwarders() {
	local port
	[ -n "$FORWARD_PORTS" ] || return 0
	command -v socat >/dev/null || die "socat is not installed: run tests/deps.sh (Debian package socat)"
	mkdir -p "$FWD_DIR" || die "cannot create $FWD_DIR"
	for port in $FORWARD_PORTS; do
		case $port in '' | *[!0-9]*) die "GB_SANDBOX_FORWARD: '$port' is not a port number" ;; esac
		if ! fwd_alive "$port.host"; then
			rm -f "$FWD_DIR/$port.sock"
			setsid socat "UNIX-LISTEN:$FWD_DIR/$port.sock,fork,mode=600" "TCP:127.0.0.1:$port" \
				</dev/null >>"$FWD_DIR/$port.log" 2>&1 9>&- &
			echo $! > "$FWD_DIR/$port.host.pid"
		fi
		if ! fwd_alive "$port.ns"; then
			setsid nsenter --net="$NETNS_PATH" socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" \
				"UNIX-CONNECT:$FWD_DIR/$port.sock" </dev/null >>"$FWD_DIR/$port.log" 2>&1 9>&- &
			echo $! > "$FWD_DIR/$port.ns.pid"
		fi
	done
	for port in $FORWARD_PORTS; do
		wait_until 5 test -S "$FWD_DIR/$port.sock" && wait_until 5 ns_listening "$port" ||
			die "the forwarder of port $port did not start: $(tail -n 3 "$FWD_DIR/$port.log" 2>/dev/null)"
	done
}

swarm_state() { "$DOCKER" info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null; }
swarm_ready() { [ "$(swarm_state)" = active ] && "$DOCKER" node ls -q >/dev/null 2>&1; }

ensure_swarm() {
	local state out
	state=$(swarm_state)
	case $state in
	inactive)
		# Our own docker_gwbridge first, so swarm does not reuse another engine's Linux bridge.
		if ! "$DOCKER" network inspect docker_gwbridge >/dev/null 2>&1; then
			out=$("$DOCKER" network create --driver bridge \
				--opt com.docker.network.bridge.name="$GW_BRIDGE" \
				--opt com.docker.network.bridge.enable_icc=false \
				--opt com.docker.network.bridge.enable_ip_masquerade=false \
				docker_gwbridge 2>&1) || die "cannot create docker_gwbridge: $out"
		fi
		say "swarm init on 127.0.0.1:$SWARM_PORT"
		out=$("$DOCKER" swarm init --listen-addr "127.0.0.1:$SWARM_PORT" \
			--advertise-addr "127.0.0.1:$SWARM_PORT" --data-path-port "$VXLAN_PORT" 2>&1) ||
			{ log_tail; die "swarm init failed: $out"; }
		;;
	active | pending) ;;
	*) log_tail; die "swarm is '$state' (stop --purge starts afresh)" ;;
	esac
	wait_until "$TIMEOUT" swarm_ready || { log_tail; die "swarm did not become ready within ${TIMEOUT}s"; }
}

ensure_label() {
	local node cur out
	node=$("$DOCKER" info --format '{{.Swarm.NodeID}}') || die "cannot read the node id"
	cur=$("$DOCKER" node inspect --format "{{index .Spec.Labels \"$CLASS_LABEL\"}}" "$node" 2>/dev/null)
	[ "$cur" = "$CLASS" ] && return 0
	out=$("$DOCKER" node update --label-add "$CLASS_LABEL=$CLASS" "$node" 2>&1) ||
		die "cannot label node $node: $out"
	say "labelled node $CLASS_LABEL=$CLASS"
}

check_tools() {
	command -v "$DOCKERD" >/dev/null || die "dockerd is not installed: run tests/deps.sh (Debian package docker.io)"
	command -v "$DOCKER" >/dev/null || die "the docker client is not installed: run tests/deps.sh"
	command -v cc >/dev/null || die "no C compiler (cc): run tests/deps.sh"
	command -v flock >/dev/null || die "flock (util-linux) is missing"
	command -v nsenter >/dev/null || die "nsenter (util-linux) is missing"
	command -v ip >/dev/null || die "ip is not installed: run tests/deps.sh (Debian package iproute2)"
	[ -x "$BUSYBOX" ] || die "$BUSYBOX is missing: run tests/deps.sh (Debian package busybox-static)"
	[ -f "$LOAD_SRC" ] || die "$LOAD_SRC is missing"
	if command -v file >/dev/null; then
		case $(file -b "$BUSYBOX") in
		*dynamically*) die "$BUSYBOX is dynamically linked: install busybox-static (tests/deps.sh)" ;;
		esac
	fi
}

cmd_start() {
	local pid t0=$SECONDS
	need_root start
	check_tools
	check_paths
	lock
	pid=$(daemon_pid)
	# An engine that an older version of this script started in the host's namespace.
	if [ -n "$pid" ] && ping_engine && ! in_our_netns "$pid"; then
		say "dockerd $pid runs outside network namespace $NETNS; restarting it inside"
		stop_engine
	fi
	if ! ping_engine; then
		pid=$(daemon_pid)
		# Alive but silent: maybe still starting; otherwise it is hung, so replace it.
		if [ -n "$pid" ] && ! wait_until 10 ping_engine; then
			say "dockerd $pid does not answer; restarting it"
			stop_engine
		fi
		ping_engine || start_engine
	fi
	ensure_swarm
	ensure_label
	ensure_images
	ensure_forwarders
	say "ready in $((SECONDS - t0))s: DOCKER_HOST=unix://$SOCK"
}

# Removes every service, waits for their containers, then stops dockerd and reaps what is left.
stop_engine() {
	local pid ids
	pid=$(daemon_pid)
	if ping_engine; then
		ids=$("$DOCKER" service ls -q 2>/dev/null)
		if [ -n "$ids" ]; then
			say "removing services: $(echo "$ids" | wc -l)"
			# shellcheck disable=SC2086 # one id per word
			"$DOCKER" service rm $ids >/dev/null 2>&1
			wait_until 20 no_task_containers || say "warning: task containers still running after 20s"
		fi
		# Containers run by hand would hold up dockerd's shutdown for their 10 s stop timeout.
		ids=$("$DOCKER" ps -q 2>/dev/null)
		if [ -n "$ids" ]; then
			say "stopping containers: $(echo "$ids" | wc -l)"
			# shellcheck disable=SC2086 # one id per word
			"$DOCKER" stop -t 2 $ids >/dev/null 2>&1
		fi
	fi
	if [ -n "$pid" ]; then
		say "stopping dockerd $pid"
		terminate 30 "$pid" || say "warning: dockerd $pid did not exit"
	fi
	reap
	drop_netns
}

no_task_containers() {
	[ -z "$("$DOCKER" ps -q --filter label=com.docker.swarm.task.id 2>/dev/null)" ]
}

cmd_stop() {
	local purge=0
	case ${1:-} in
	--purge) purge=1 ;;
	"") ;;
	*) usage >&2; exit 2 ;;
	esac
	need_root stop "$@"
	check_paths
	lock
	stop_engine
	if [ "$purge" = 1 ]; then
		rm -rf --one-file-system "$DATA_ROOT" "$EXEC_ROOT" "$BUILD_DIR" ||
			die "cannot delete $DATA_ROOT"
		# Versions before the network namespace made this bridge in the host's namespace.
		command -v ip >/dev/null && ip link show "$GW_BRIDGE" >/dev/null 2>&1 &&
			ip link delete "$GW_BRIDGE" 2>/dev/null
		say "stopped and purged $DATA_ROOT"
	else
		say "stopped"
	fi
}

cmd_status() {
	local pid v swarm node
	pid=$(daemon_pid)
	if ! ping_engine; then
		if [ -S "$SOCK" ] && [ ! -w "$SOCK" ]; then
			echo "sandbox: cannot use $SOCK (not root?)"
		elif [ -n "$pid" ]; then
			echo "sandbox: dockerd $pid runs but does not answer on $SOCK"
		else
			echo "sandbox: not running"
		fi
		return 1
	fi
	v=$("$DOCKER" version --format '{{.Server.Version}} (API {{.Server.APIVersion}})' 2>/dev/null)
	swarm=$(swarm_state)
	echo "sandbox: running, dockerd pid ${pid:-?}, socket unix://$SOCK, network namespace $NETNS"
	echo "engine:  $v"
	if [ "$swarm" = active ]; then
		node=$("$DOCKER" info --format '{{.Swarm.NodeID}} {{.Swarm.NodeAddr}}' 2>/dev/null)
		echo "swarm:   active, node $node:$SWARM_PORT, $("$DOCKER" service ls -q 2>/dev/null | wc -l) service(s)"
	else
		echo "swarm:   ${swarm:-unknown}"
	fi
	echo "images:  $("$DOCKER" image ls --format '{{.Repository}}:{{.Tag}}' 'glovebox/*' 2>/dev/null | sort | tr '\n' ' ')"
	[ "$swarm" = active ]
}

case ${1:-} in
start) shift; cmd_start "$@" ;;
stop) shift; cmd_stop "$@" ;;
status) cmd_status ;;
env) printf 'DOCKER_HOST=unix://%s\n' "$SOCK" ;;
netns) printf '%s\n' "$NETNS_PATH" ;;
-h | --help | help) usage ;;
*) usage >&2; exit 2 ;;
esac
