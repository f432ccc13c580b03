#!/usr/bin/env bash
# A private three-node swarm for glovebox tests: a manager and two workers (see docs/sandbox.md).
# Usage: tests/engine/multinode.sh start | stop [--keep] | status | env | nodes
#
# Every node is a dockerd (Debian's docker.io) in a network namespace of its own, with its own
# hostname, data root, exec root, pidfile, unix socket (on the host's filesystem), cgroup parent
# and containerd namespace. The namespaces hang on one Linux bridge on the host; the host has
# the bridge's first address, so it reaches every node (Prometheus scrapes them there), and no
# node has a default route, so nothing leaves the machine. It pulls nothing: the images of
# sandbox.sh are built on the manager and copied to the workers with docker save | docker load.
#
# Environment (defaults in brackets):
#   GB_MULTINODE_DIR      run directory: sockets, pidfiles, logs, exec roots [/run/glovebox-multinode]
#   GB_MULTINODE_DATA     data roots [/var/lib/glovebox-multinode]
#   GB_MULTINODE_NET      the bridge's /24, as its first three numbers [10.231.7]
#   GB_MULTINODE_TIMEOUT  seconds to wait for each engine and for the swarm [40]
#   GB_DOCKER, GB_DOCKERD client and daemon to use [docker, dockerd]
set -u -o pipefail

GB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUN_DIR=${GB_MULTINODE_DIR:-/run/glovebox-multinode}
RUN_DIR=${RUN_DIR%/}
DATA_DIR=${GB_MULTINODE_DATA:-/var/lib/glovebox-multinode}
DATA_DIR=${DATA_DIR%/}
NET=${GB_MULTINODE_NET:-10.231.7}
TIMEOUT=${GB_MULTINODE_TIMEOUT:-40}
DOCKER=${GB_DOCKER:-docker}
DOCKERD=${GB_DOCKERD:-dockerd}
BUSYBOX=${GB_SANDBOX_BUSYBOX:-/bin/busybox}
LOAD_SRC=$GB_ROOT/tests/fixtures/load.c
BUILD_DIR=$RUN_DIR/build

# All names on the host start with gbmn; the single-node sandbox's with gbsandbox or gbsbx.
BRIDGE=gbmn0
HOST_ADDR=$NET.1
NODES=(manager worker1 worker2)
declare -A ADDR=([manager]=$NET.2 [worker1]=$NET.3 [worker2]=$NET.4)
declare -A CLASS=([manager]=default [worker1]=highram [worker2]=gpu)
declare -A VETH=([manager]=gbmn-m [worker1]=gbmn-w1 [worker2]=gbmn-w2)
# The gpu worker's fake GPU, under two kinds: NVIDIA-GPU (what nvidia's runtime names it) and GPU
# (the kind glovebox submit reserves for a class with "gpus").
GPU_RESOURCES=(NVIDIA-GPU=fake0 GPU=fake0)
CLASS_LABEL=glovebox.class

export DOCKER_BUILDKIT=0
unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH

say() { printf 'multinode: %s\n' "$*"; }
die() { printf 'multinode: error: %s\n' "$*" >&2; exit 1; }
. "$GB_ROOT/tests/engine/images.sh"

usage() {
	cat <<EOF
usage: $0 start | stop [--keep] | status | env
  start        start the three engines, the swarm, labels and images; restarts a node that died
  stop         remove every service, stop the engines, delete namespaces, bridge and data roots
  stop --keep  the same, but keep the data roots (the next start finds the same swarm)
  status       say what runs (exit 0 when all three nodes are ready)
  env          print DOCKER_HOST (the manager) and GB_MULTINODE_WORKER1/2_HOST, for eval
  nodes        print one line per node: name, network namespace, address, hostname, socket
EOF
}

hostname_of() { echo "gbmn-$1"; }
netns_of() { echo "gbmn-$1"; }
sock_of() { echo "$RUN_DIR/$1/docker.sock"; }
exec_of() { echo "$RUN_DIR/$1/exec"; }
pidfile_of() { echo "$RUN_DIR/$1/dockerd.pid"; }
log_of() { echo "$RUN_DIR/$1/dockerd.log"; }
data_of() { echo "$DATA_DIR/$1"; }
cgroup_of() { echo "/glovebox-multinode-$1"; }
# The manager is the engine the images are built on and the swarm is run from.
export DOCKER_HOST=unix://$RUN_DIR/manager/docker.sock
# d NODE ARGS...: the docker client on NODE's engine.
d() {
	local n=$1
	shift
	DOCKER_HOST=unix://$(sock_of "$n") "$DOCKER" "$@"
}

need_root() {
	[ "$(id -u)" -eq 0 ] && return 0
	die "the multi-node sandbox needs root (it runs dockerd and makes network namespaces): sudo $0 $*"
}

check_paths() {
	local p
	for p in "$RUN_DIR" "$DATA_DIR"; do
		case $p in
		/*) ;;
		*) die "'$p' is not an absolute path (GB_MULTINODE_DIR, GB_MULTINODE_DATA)" ;;
		esac
		case $p in
		"" | / | /run | /var | /var/lib | /var/run | /tmp | /root | /home | \
			/var/lib/docker | /run/docker | /var/run/docker | /var/lib/containerd | /run/containerd | \
			/run/glovebox-sandbox | /var/lib/glovebox-sandbox)
			die "refusing to use '$p' as a multi-node sandbox directory" ;;
		esac
	done
	case $NET in
	10.*.*) ;;
	*) die "GB_MULTINODE_NET '$NET' is not three numbers of a private 10.x.y.0/24" ;;
	esac
}

check_tools() {
	local t
	for t in "$DOCKERD" "$DOCKER" ip nsenter unshare flock cc; do
		command -v "$t" >/dev/null || die "$t is not installed: run tests/deps.sh"
	done
	[ -x "$BUSYBOX" ] || die "$BUSYBOX is missing: run tests/deps.sh (Debian package busybox-static)"
	[ -f "$LOAD_SRC" ] || die "$LOAD_SRC is missing"
}

alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# ours NODE PID: is PID alive and of NODE (its command line names NODE's exec root)?
ours() {
	local root arg
	local -a args
	root=$(exec_of "$1")
	mapfile -d '' args 2>/dev/null < "/proc/$2/cmdline" || return 1
	for arg in "${args[@]}"; do
		case $arg in
		"$root" | "$root"/* | *="$root" | *="$root"/*) alive "$2"; return ;;
		esac
	done
	return 1
}

daemon_pid() {
	local pid
	pid=$(cat "$(pidfile_of "$1")" 2>/dev/null) || return 0
	case $pid in '' | *[!0-9]*) return 0 ;; esac
	ours "$1" "$pid" && echo "$pid"
	return 0
}

ping_node() {
	local s
	s=$(sock_of "$1")
	[ -S "$s" ] && [ "$(curl -fsS --max-time 2 --unix-socket "$s" http://localhost/_ping 2>/dev/null)" = OK ]
}

wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.2
	done
}

node_gone() {
	local n=$1 p
	shift
	for p in "$@"; do ours "$n" "$p" && return 1; done
	return 0
}

terminate() {   # NODE SECONDS PID...
	local n=$1 limit=$2 p
	shift 2
	[ $# -gt 0 ] || return 0
	kill -TERM "$@" 2>/dev/null
	kill -CONT "$@" 2>/dev/null
	wait_until "$limit" node_gone "$n" "$@" && return 0
	for p in "$@"; do ours "$n" "$p" && kill -KILL "$p" 2>/dev/null; done
	wait_until 5 node_gone "$n" "$@"
}

log_tail() {
	local f
	f=$(log_of "$1")
	[ -f "$f" ] && { echo "--- last lines of $f:"; tail -n 15 "$f"; } >&2
}

# ---- the network: a bridge on the host, one namespace per node, a veth pair into each ----

iptables_rule() { iptables "$1" DOCKER-USER -i "$BRIDGE" -o "$BRIDGE" -j ACCEPT; }

net_up() {
	local n ns veth out
	if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
		out=$(ip link add "$BRIDGE" type bridge 2>&1) || die "cannot create bridge $BRIDGE: $out"
	fi
	ip addr replace "$HOST_ADDR/24" dev "$BRIDGE" || die "cannot give $BRIDGE the address $HOST_ADDR"
	ip link set "$BRIDGE" up || die "cannot bring up $BRIDGE"
	for n in "${NODES[@]}"; do
		ns=$(netns_of "$n")
		veth=${VETH[$n]}
		[ -e "/run/netns/$ns" ] || ip netns add "$ns" || die "cannot create network namespace $ns"
		ip -n "$ns" link set lo up || die "cannot bring up the loopback in $ns"
		if ! ip -n "$ns" link show eth0 >/dev/null 2>&1; then
			ip link delete "$veth" 2>/dev/null
			out=$(ip link add "$veth" type veth peer name eth0 netns "$ns" 2>&1) ||
				die "cannot create veth $veth into $ns: $out"
		fi
		ip link set "$veth" master "$BRIDGE" up || die "cannot attach $veth to $BRIDGE"
		ip -n "$ns" addr replace "${ADDR[$n]}/24" dev eth0 || die "cannot address eth0 in $ns"
		ip -n "$ns" link set eth0 up || die "cannot bring up eth0 in $ns"
	done
	# A host engine may have set FORWARD to DROP with bridge-nf-call-iptables on: bridged traffic
	# between the nodes then needs this rule. Only when that engine's chain exists.
	if command -v iptables >/dev/null && iptables -S DOCKER-USER >/dev/null 2>&1; then
		iptables_rule -C 2>/dev/null || iptables_rule -I || die "cannot add the DOCKER-USER rule for $BRIDGE"
	fi
}

net_down() {
	local n ns i
	if command -v iptables >/dev/null && iptables -S DOCKER-USER >/dev/null 2>&1; then
		for i in 1 2 3 4 5; do iptables_rule -C 2>/dev/null || break; iptables_rule -D; done
	fi
	for n in "${NODES[@]}"; do
		ns=$(netns_of "$n")
		[ -e "/run/netns/$ns" ] && { ip netns delete "$ns" || say "warning: cannot delete network namespace $ns"; }
		# The host's end of the pair goes with the namespace; this catches one left half-made.
		ip link show "${VETH[$n]}" >/dev/null 2>&1 && ip link delete "${VETH[$n]}" 2>/dev/null
	done
	ip link show "$BRIDGE" >/dev/null 2>&1 && { ip link delete "$BRIDGE" || say "warning: cannot delete $BRIDGE"; }
}

# ---- one node's engine ----

leftover_pids() {
	local d pid
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		[ "$pid" = $$ ] && continue
		ours "$1" "$pid" && echo "$pid"
	done
}

container_pids() {
	local f cg
	cg=$(cgroup_of "$1")
	for f in /sys/fs/cgroup/pids"$cg"/*/cgroup.procs /sys/fs/cgroup"$cg"/*/cgroup.procs; do
		[ -r "$f" ] && cat "$f"
	done 2>/dev/null
}

node_mounts() {
	awk -v a="$RUN_DIR/$1" -v b="$(data_of "$1")" '
		function under(m, r) { return m == r || index(m, r "/") == 1 }
		under($5, a) || under($5, b) { print $5 }' /proc/self/mountinfo | tac
}

# reap NODE: what a dead engine left: containerd, shims, containers, mounts, cgroups, socket.
reap() {
	local n=$1 pids m cg _
	mapfile -t pids < <(leftover_pids "$n")
	[ ${#pids[@]} -gt 0 ] && { say "$n: stopping leftover processes: ${pids[*]}"; terminate "$n" 5 "${pids[@]}"; }
	mapfile -t pids < <(container_pids "$n")
	[ ${#pids[@]} -gt 0 ] && { say "$n: killing leftover container processes: ${pids[*]}"; kill -KILL "${pids[@]}" 2>/dev/null; sleep 0.5; }
	rm -f "$(exec_of "$n")/containerd/containerd.pid"
	for _ in 1 2 3; do
		[ -n "$(node_mounts "$n")" ] || break
		while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done < <(node_mounts "$n")
	done
	[ -z "$(node_mounts "$n")" ] || say "warning: $n: still mounted: $(node_mounts "$n" | tr '\n' ' ')"
	for cg in /sys/fs/cgroup/*"$(cgroup_of "$n")" /sys/fs/cgroup"$(cgroup_of "$n")"; do
		[ -d "$cg" ] || continue
		find "$cg" -depth -mindepth 1 -type d -exec rmdir {} + 2>/dev/null
		rmdir "$cg" 2>/dev/null
	done
	rm -f "$(sock_of "$n")" "$(pidfile_of "$n")"
}

# launch NODE: starts NODE's dockerd in its namespace with its hostname; does not wait.
launch() {
	local n=$1 ns host log pid
	local -a extra=()
	ns=$(netns_of "$n")
	host=$(hostname_of "$n")
	log=$(log_of "$n")
	reap "$n"
	mkdir -p "$(data_of "$n")" "$(exec_of "$n")" || die "cannot create the directories of $n"
	[ -f "$log" ] && mv -f "$log" "$log.1"
	if [ "$n" = worker2 ]; then
		local r
		for r in "${GPU_RESOURCES[@]}"; do extra+=(--node-generic-resource "$r"); done
	fi
	say "$n: starting dockerd in network namespace $ns as $host (log: $log)"
	# nsenter --net, not `ip netns exec`, which remounts /sys (dockerd then finds no devices
	# cgroup). unshare --uts gives the node its own hostname; sh then execs dockerd.
	setsid nsenter --net="/run/netns/$ns" unshare --uts sh -c 'hostname "$0" && exec "$@"' "$host" \
		"$DOCKERD" \
		--host "unix://$(sock_of "$n")" \
		--data-root "$(data_of "$n")" \
		--exec-root "$(exec_of "$n")" \
		--pidfile "$(pidfile_of "$n")" \
		--bridge none --iptables=false --ip-masq=false --ip-forward=false \
		--cgroup-parent "$(cgroup_of "$n")" \
		--containerd-namespace "glovebox-multinode-$n" \
		--containerd-plugins-namespace "glovebox-multinode-$n-plugins" \
		"${extra[@]}" \
		</dev/null >>"$log" 2>&1 9>&- &
	pid=$!
	disown "$pid" 2>/dev/null
	echo "$pid" > "$RUN_DIR/$n/launch.pid"
}

await() {
	local n=$1 pid deadline=$((SECONDS + TIMEOUT))
	pid=$(cat "$RUN_DIR/$n/launch.pid" 2>/dev/null)
	until ping_node "$n"; do
		if [ -n "$pid" ] && ! alive "$pid"; then log_tail "$n"; die "$n: dockerd exited during start-up"; fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			log_tail "$n"
			die "$n: dockerd did not answer on $(sock_of "$n") within ${TIMEOUT}s (it still runs: $0 stop)"
		fi
		sleep 0.2
	done
	rm -f "$RUN_DIR/$n/launch.pid"
}

stop_node() {
	local n=$1 pid
	pid=$(daemon_pid "$n")
	[ -n "$pid" ] && { say "$n: stopping dockerd $pid"; terminate "$n" 30 "$pid" || say "warning: $n: dockerd $pid did not exit"; }
	reap "$n"
}

# ---- the swarm ----

swarm_state() { d "$1" info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null; }
node_id() { d "$1" info --format '{{.Swarm.NodeID}}' 2>/dev/null; }

manager_ready() { [ "$(d manager info --format '{{.Swarm.ControlAvailable}}' 2>/dev/null)" = true ]; }

# The manager sees all three nodes Ready.
all_ready() {
	[ "$(d manager node ls --format '{{.Status}}' 2>/dev/null | grep -c '^Ready$')" -ge 3 ]
}

ensure_swarm() {
	local state out token n
	state=$(swarm_state manager)
	case $state in
	inactive)
		say "swarm init on ${ADDR[manager]}:2377"
		# A short heartbeat: a dead node is marked down within seconds, not half a minute.
		out=$(d manager swarm init --advertise-addr "${ADDR[manager]}" --listen-addr "${ADDR[manager]}:2377" \
			--dispatcher-heartbeat 2s 2>&1) || { log_tail manager; die "swarm init failed: $out"; }
		;;
	active) ;;
	*) log_tail manager; die "the manager's swarm is '$state' (stop, then start afresh)" ;;
	esac
	wait_until "$TIMEOUT" manager_ready ||
		die "the manager did not become ready within ${TIMEOUT}s"
	token=$(d manager swarm join-token -q worker) || die "cannot read the worker join token"
	for n in worker1 worker2; do
		state=$(swarm_state "$n")
		# A worker of another swarm (the manager's data root was deleted) leaves it first.
		if [ "$state" != inactive ] && ! d manager node inspect "$(node_id "$n")" >/dev/null 2>&1; then
			d "$n" swarm leave --force >/dev/null 2>&1
			state=inactive
		fi
		if [ "$state" = inactive ]; then
			say "$n: swarm join at ${ADDR[manager]}:2377"
			out=$(d "$n" swarm join --advertise-addr "${ADDR[$n]}" --listen-addr "${ADDR[$n]}:2377" \
				--token "$token" "${ADDR[manager]}:2377" 2>&1) || { log_tail "$n"; die "$n: swarm join failed: $out"; }
		fi
	done
	wait_until "$TIMEOUT" all_ready ||
		die "not all three nodes are Ready after ${TIMEOUT}s: $(d manager node ls 2>&1 | tr '\n' ';')"
	# Nodes of earlier swarm members that are gone for good (a worker's data root was deleted).
	d manager node ls --format '{{.ID}} {{.Status}}' | awk '$2 == "Down" { print $1 }' |
		xargs -r env DOCKER_HOST="unix://$(sock_of manager)" "$DOCKER" node rm --force >/dev/null 2>&1
}

ensure_labels() {
	local n id cur out
	for n in "${NODES[@]}"; do
		id=$(node_id "$n")
		[ -n "$id" ] || die "$n: no swarm node id"
		cur=$(d manager node inspect --format "{{index .Spec.Labels \"$CLASS_LABEL\"}}" "$id" 2>/dev/null)
		[ "$cur" = "${CLASS[$n]}" ] && continue
		out=$(d manager node update --label-add "$CLASS_LABEL=${CLASS[$n]}" "$id" 2>&1) ||
			die "cannot label $n: $out"
		say "$n: labelled $CLASS_LABEL=${CLASS[$n]}"
	done
}

lock() {
	mkdir -p "$RUN_DIR" || die "cannot create $RUN_DIR"
	exec 9>"$RUN_DIR/lock"
	flock -w 120 9 || die "another multinode.sh has held $RUN_DIR/lock for 2 minutes"
}

cmd_start() {
	local n t0=$SECONDS pid
	local -a launched=()
	need_root start
	check_tools
	check_paths
	lock
	net_up
	for n in "${NODES[@]}"; do
		mkdir -p "$RUN_DIR/$n"
		ping_node "$n" && continue
		pid=$(daemon_pid "$n")
		if [ -n "$pid" ] && ! wait_until 10 ping_node "$n"; then
			say "$n: dockerd $pid does not answer; restarting it"
			stop_node "$n"
		fi
		ping_node "$n" && continue
		launch "$n"
		launched+=("$n")
	done
	for n in "${launched[@]}"; do await "$n"; done
	ensure_swarm
	ensure_labels
	ensure_images
	for n in worker1 worker2; do images_copy "unix://$(sock_of "$n")"; done
	say "ready in $((SECONDS - t0))s: DOCKER_HOST=unix://$(sock_of manager)"
}

cmd_stop() {
	local keep=0 n ids
	case ${1:-} in
	--keep) keep=1 ;;
	"") ;;
	*) usage >&2; exit 2 ;;
	esac
	need_root stop "$@"
	check_paths
	lock
	if ping_node manager; then
		ids=$(d manager service ls -q 2>/dev/null)
		if [ -n "$ids" ]; then
			say "removing services: $(echo "$ids" | wc -l)"
			# shellcheck disable=SC2086 # one id per word
			d manager service rm $ids >/dev/null 2>&1
		fi
	fi
	# Then every container goes with a 1 s grace (a shell's `sleep` as PID 1 ignores SIGTERM),
	# on all nodes at once: the swarm's own removal would wait 10 s for each.
	for n in "${NODES[@]}"; do
		ping_node "$n" || continue
		ids=$(d "$n" ps -q 2>/dev/null)
		# shellcheck disable=SC2086 # one id per word
		[ -n "$ids" ] && d "$n" stop -t 1 $ids >/dev/null 2>&1 &
	done
	wait
	# The exporters of tests/engine/prometheus.sh live in the nodes' namespaces.
	"$GB_ROOT/tests/engine/prometheus.sh" stop >/dev/null 2>&1
	# Workers first: a manager that goes first makes them retry it for a while.
	for n in worker2 worker1 manager; do stop_node "$n" & done
	wait
	for n in "${NODES[@]}"; do
		local ns pids
		ns=$(netns_of "$n")
		[ -e "/run/netns/$ns" ] || continue
		mapfile -t pids < <(ip netns pids "$ns" 2>/dev/null)
		[ ${#pids[@]} -gt 0 ] && { say "$n: killing leftover processes in $ns: ${pids[*]}"; kill -KILL "${pids[@]}" 2>/dev/null; sleep 0.2; }
	done
	net_down
	if [ "$keep" = 0 ]; then
		rm -rf --one-file-system "$DATA_DIR" || die "cannot delete $DATA_DIR"
		for n in "${NODES[@]}"; do rm -rf --one-file-system "$(exec_of "$n")"; done
		rm -rf "$BUILD_DIR"
		say "stopped; deleted $DATA_DIR"
	else
		say "stopped; kept $DATA_DIR"
	fi
}

cmd_status() {
	local n ok=0 pid
	for n in "${NODES[@]}"; do
		pid=$(daemon_pid "$n")
		if ping_node "$n"; then
			printf '%-8s running, dockerd pid %s, %s, %s, swarm %s\n' "$n:" "${pid:-?}" "$(hostname_of "$n")" \
				"${ADDR[$n]}" "$(swarm_state "$n")"
		else
			printf '%-8s not running%s\n' "$n:" "${pid:+ (dockerd $pid does not answer)}"
			ok=1
		fi
	done
	if ping_node manager; then
		d manager node ls --format '{{.Hostname}} {{.Status}} {{.Availability}} {{.ManagerStatus}}' 2>/dev/null | sed 's/^/node:    /'
		all_ready || ok=1
	fi
	return $ok
}

cmd_env() {
	printf 'DOCKER_HOST=unix://%s\n' "$(sock_of manager)"
	printf 'GB_MULTINODE_WORKER1_HOST=unix://%s\n' "$(sock_of worker1)"
	printf 'GB_MULTINODE_WORKER2_HOST=unix://%s\n' "$(sock_of worker2)"
}

case ${1:-} in
start) shift; cmd_start "$@" ;;
stop) shift; cmd_stop "$@" ;;
status) cmd_status ;;
env) cmd_env ;;
nodes) for n in "${NODES[@]}"; do echo "$n $(netns_of "$n") ${ADDR[$n]} $(hostname_of "$n") $(sock_of "$n")"; done ;;
-h | --help | help) usage ;;
*) usage >&2; exit 2 ;;
esac
