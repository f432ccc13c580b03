#!/usr/bin/env bash
# A private, single-node swarm Docker engine for glovebox tests and demos (see docs/sandbox.md).
# Usage: tests/engine/sandbox.sh start | stop [--purge] | status | env
#
# It runs its own dockerd (Debian's docker.io) beside any other engine on the machine:
# own socket, data root, exec root, cgroup parent, containerd namespace and swarm ports.
# It pulls nothing: its two images are built FROM scratch out of Debian's static busybox
# and tests/fixtures/load.c.
#
# Environment (defaults in brackets):
#   GB_SANDBOX_DIR        run directory: socket, pidfile, log, exec root [/run/glovebox-sandbox]
#   GB_SANDBOX_DATA       data root [/var/lib/glovebox-sandbox]
#   GB_SANDBOX_PORT       swarm listen/advertise port on 127.0.0.1 [4377]
#   GB_SANDBOX_VXLAN_PORT swarm data path (VXLAN) port [4799]
#   GB_SANDBOX_TIMEOUT    seconds to wait for the engine and the swarm [30]
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

SOCK=$RUN_DIR/docker.sock
EXEC_ROOT=$RUN_DIR/exec
PIDFILE=$RUN_DIR/dockerd.pid
LOG=$RUN_DIR/dockerd.log
BUILD_DIR=$RUN_DIR/build
# Names on the host that must differ per sandbox instance, derived from the run directory:
# its containers' cgroup (so stop can find any that outlived the engine), its containerd
# namespace, and its Linux bridge for docker_gwbridge (another engine may own that name).
# A hash, not the directory's name: stop kills what it finds in the cgroup, so the name must
# never be one another engine uses (a run directory named "docker" would give /docker).
if [ "$RUN_DIR" = /run/glovebox-sandbox ]; then
	INSTANCE=glovebox-sandbox
	GW_BRIDGE=gbsandbox_gw
else
	INSTANCE=glovebox-sandbox-$(printf '%s' "$RUN_DIR" | sha256sum | cut -c1-8)
	GW_BRIDGE=gbsbx_${INSTANCE##*-} # at most 15 characters
fi
CGROUP_PARENT=/$INSTANCE
CTR_NAMESPACE=$INSTANCE
CLASS_LABEL=glovebox.class
CLASS=default

export DOCKER_HOST=unix://$SOCK
unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH
# Engine 20.10 has no buildx; the classic builder works with either client.
export DOCKER_BUILDKIT=0

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
		"$EXEC_ROOT" | "$EXEC_ROOT"/* | *="$EXEC_ROOT" | *="$EXEC_ROOT"/*)
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

# Kills what a crashed or killed engine left, unmounts, removes empty cgroups and the stale socket.
reap() {
	local pids cg
	mapfile -t pids < <(leftover_pids)
	if [ ${#pids[@]} -gt 0 ]; then
		say "stopping leftover processes: ${pids[*]}"
		terminate 5 "${pids[@]}"
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
	[ -f "$LOG" ] && mv -f "$LOG" "$LOG.1"
	say "starting dockerd (log: $LOG)"
	# Own session, no inherited fds (not the lock, not a caller's pipe): it outlives this script.
	setsid "$DOCKERD" \
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

# image_current TAG HASH: does TAG exist with label glovebox.source=HASH?
image_current() {
	[ "$("$DOCKER" image inspect --format '{{index .Config.Labels "glovebox.source"}}' "$1" 2>/dev/null)" = "$2" ]
}

# build_image TAG DIR HASH: builds DIR as TAG, then drops the image TAG named before.
build_image() {
	local tag=$1 dir=$2 hash=$3 old new out
	old=$("$DOCKER" image inspect --format '{{.Id}}' "$tag" 2>/dev/null)
	say "building $tag"
	out=$("$DOCKER" build --network none --force-rm -q --label "glovebox.source=$hash" -t "$tag" "$dir" 2>&1) ||
		die "building $tag failed: $out"
	new=$("$DOCKER" image inspect --format '{{.Id}}' "$tag" 2>/dev/null)
	if [ -n "$old" ] && [ "$old" != "$new" ]; then
		"$DOCKER" image rm "$old" >/dev/null 2>&1 || true
	fi
}

BUSYBOX_DOCKERFILE='FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN ["/bin/busybox", "mkdir", "-m", "1777", "/tmp"]
CMD ["sh"]
'
LOAD_DOCKERFILE='FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN ["/bin/busybox", "mkdir", "-m", "1777", "/tmp"]
COPY load /load
ENTRYPOINT ["/load"]
'
LOAD_CFLAGS=(-std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -static)

fresh_dir() {
	rm -rf "$1"
	mkdir -p "$1" || die "cannot create $1"
}

ensure_images() {
	local bb_hash load_hash dir
	bb_hash=$({ printf '%s' "$BUSYBOX_DOCKERFILE"; cat "$BUSYBOX"; } | sha256sum | cut -c1-16)
	load_hash=$({ printf '%s %s' "$LOAD_DOCKERFILE" "${LOAD_CFLAGS[*]}"; cat "$BUSYBOX" "$LOAD_SRC"; } |
		sha256sum | cut -c1-16)

	if ! image_current glovebox/busybox:latest "$bb_hash"; then
		dir=$BUILD_DIR/busybox
		fresh_dir "$dir"
		cp "$BUSYBOX" "$dir/busybox" || die "cannot copy $BUSYBOX"
		printf '%s' "$BUSYBOX_DOCKERFILE" > "$dir/Dockerfile"
		build_image glovebox/busybox:latest "$dir" "$bb_hash"
	fi
	if ! image_current glovebox/load:latest "$load_hash"; then
		dir=$BUILD_DIR/load
		fresh_dir "$dir"
		cp "$BUSYBOX" "$dir/busybox" || die "cannot copy $BUSYBOX"
		cc "${LOAD_CFLAGS[@]}" -o "$dir/load" "$LOAD_SRC" -lpthread ||
			die "cannot compile $LOAD_SRC"
		printf '%s' "$LOAD_DOCKERFILE" > "$dir/Dockerfile"
		build_image glovebox/load:latest "$dir" "$load_hash"
	fi
}

check_tools() {
	command -v "$DOCKERD" >/dev/null || die "dockerd is not installed: run tests/deps.sh (Debian package docker.io)"
	command -v "$DOCKER" >/dev/null || die "the docker client is not installed: run tests/deps.sh"
	command -v cc >/dev/null || die "no C compiler (cc): run tests/deps.sh"
	command -v flock >/dev/null || die "flock (util-linux) is missing"
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
	echo "sandbox: running, dockerd pid ${pid:-?}, socket unix://$SOCK"
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
-h | --help | help) usage ;;
*) usage >&2; exit 2 ;;
esac
