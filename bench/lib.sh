# Shared helpers for the benchmarks (sourced by bench/*.sh; see docs/benchmarks.md).
# They talk only to the private sandbox engine (tests/engine/sandbox.sh), over its unix socket,
# and read its processes' CPU time from /proc, so they need root.
#
# A benchmark sets B_NAME, sources this file, registers what to undo with b_on_exit, and calls
# b_engine. Every service it makes carries the labels gbbench=1 and gbbench.suite=$B_NAME, so
# cleanup removes only its own services, never those of tests or people sharing the sandbox.

B_NAME=${B_NAME:-$(basename "$0" .sh)}
GB_ROOT=${GB_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
GLOVEBOX=${GLOVEBOX:-$GB_ROOT/build/release/glovebox}
[ -x "$GLOVEBOX" ] || [ ! -x "$GB_ROOT/glovebox" ] || GLOVEBOX=$GB_ROOT/glovebox
SANDBOX=$GB_ROOT/tests/engine/sandbox.sh
RUN_DIR=${GB_SANDBOX_DIR:-/run/glovebox-sandbox}
RUN_DIR=${RUN_DIR%/}
SOCK=$RUN_DIR/docker.sock
EXEC_ROOT=$RUN_DIR/exec
DOCKERD_PIDFILE=$RUN_DIR/dockerd.pid
API=http://localhost/v1.41
CLK_TCK=$(getconf CLK_TCK)
B_TMP=$(mktemp -d "/tmp/gbbench-$B_NAME.XXXXXX")

export DOCKER_HOST=unix://$SOCK
unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_API_VERSION
export LC_ALL=C.UTF-8

say() { printf '%s: %s\n' "$B_NAME" "$*"; }
die() { printf '%s: error: %s\n' "$B_NAME" "$*" >&2; exit 1; }

# --- cleanup, also on Ctrl-C ------------------------------------------------------------------

B_UNDO=()
# b_on_exit CMD: run CMD (a string for eval) at exit, latest first.
b_on_exit() { B_UNDO=("$1" "${B_UNDO[@]}"); }

b_cleanup() {
	local cmd
	trap '' INT TERM HUP   # a second Ctrl-C must not cut the cleanup short
	for cmd in "${B_UNDO[@]}"; do eval "$cmd"; done
	B_UNDO=()
	rm -rf "$B_TMP"
}

# On a signal: clean up, then die of the same signal so a calling bench/run.sh stops too.
b_signal() {
	echo
	say "interrupted; cleaning up"
	b_cleanup
	trap - "$1" EXIT
	kill -s "$1" $$
}
trap 'b_cleanup' EXIT
trap 'b_signal INT' INT
trap 'b_signal TERM' TERM
trap 'b_signal HUP' HUP

# --- the engine --------------------------------------------------------------------------------

# b_need TOOL...: root, the tools, and a built glovebox.
b_need() {
	local t
	[ "$(id -u)" -eq 0 ] || die "needs root: the sandbox engine and its /proc entries are root's"
	for t in "$@"; do
		command -v "$t" >/dev/null || die "$t is not installed (apt-get install ${t##*/})"
	done
	[ -x "$GLOVEBOX" ] || die "$GLOVEBOX is missing: run make"
}

# Starts the sandbox engine when it is not up, and checks that it is a swarm manager.
b_engine() {
	if ! "$SANDBOX" status >/dev/null 2>&1; then
		say "starting the sandbox engine"
		"$SANDBOX" start || die "the sandbox engine did not start ($SANDBOX start)"
	fi
	[ "$(api GET /info | jq -r .Swarm.ControlAvailable)" = true ] ||
		die "the sandbox engine at $SOCK is not a swarm manager"
	B_DOCKERD=$(dockerd_pid) || die "cannot find the sandbox dockerd's pid ($DOCKERD_PIDFILE)"
}

# b_engine_same: fails, with a warning, when the engine went away or was replaced since b_engine
# (the sandbox is shared: a test suite may stop or restart it), which voids the figures.
b_engine_same() {
	local pid
	pid=$(dockerd_pid) && [ "$pid" = "$B_DOCKERD" ] && api GET /_ping >/dev/null 2>&1 && return 0
	say "WARNING: the sandbox engine stopped or restarted during the run (dockerd $B_DOCKERD, now ${pid:-none}); these figures are void"
	return 1
}

# api METHOD PATH [JSON]: one Engine API call; prints the body, fails on an HTTP error.
api() {
	curl -fsS --unix-socket "$SOCK" -X "$1" ${3:+-H 'Content-Type: application/json' --data-binary "$3"} \
		"$API$2"
}

dockerd_pid() {
	local pid=
	read -r pid 2>/dev/null < "$DOCKERD_PIDFILE"   # dockerd writes no newline: read fails, pid is set
	case $pid in '' | *[!0-9]*) return 1 ;; esac
	[ -d "/proc/$pid" ] || return 1
	echo "$pid"
}

# --- services ------------------------------------------------------------------------------------

# The ids of this benchmark's services.
b_service_ids() {
	api GET "/services?filters=$(jq -rn --arg s "$B_NAME" \
		'{label: ["gbbench.suite=\($s)"]} | tojson | @uri')" | jq -r '.[].ID'
}

# Removes this benchmark's services (twice: a create still in flight at Ctrl-C may land late),
# then waits up to 30 s for their containers to go.
b_remove_services() {
	local pass ids n=0
	for pass in 1 2; do
		ids=$(b_service_ids 2>/dev/null)
		[ -n "$ids" ] || { [ "$pass" = 2 ] && break; sleep 1; continue; }
		n=$((n + $(wc -l <<< "$ids")))
		xargs -P 8 -I{} curl -sS -o /dev/null --unix-socket "$SOCK" -X DELETE "$API/services/{}" \
			<<< "$ids"
		sleep 1
	done
	[ "$n" -gt 0 ] && say "removed $n service(s)"
	local i
	for ((i = 0; i < 60; i++)); do
		[ "$(b_task_containers | wc -l)" -eq 0 ] && return 0
		sleep 0.5
	done
	say "warning: containers of this benchmark still running after 30 s"
}

# Running containers of this benchmark's services, one id a line.
b_task_containers() {
	local f
	f=$(jq -rn --arg s "$B_NAME" '{label: ["gbbench.suite=\($s)"], status: ["running"]} | tojson | @uri')
	api GET "/containers/json?filters=$f" | jq -r '.[].Id'
}

# b_sleep_services PREFIX N PENDING CONSTRAINT: create bodies, one a line, for N services named
# PREFIX-0001... of the busybox image sleeping: the first PENDING with one replica and a placement
# CONSTRAINT no node meets (so their tasks stay pending), the others scaled to zero.
b_sleep_services() {
	jq -cn --arg p "$1" --argjson n "$2" --argjson pending "$3" --arg c "$4" --arg suite "$B_NAME" '
		range(1; $n + 1) as $i | {
			Name: "\($p)-\($i | tostring | "000\(.)" | .[-4:])",
			Labels: {gbbench: "1", "gbbench.suite": $suite},
			TaskTemplate: {
				ContainerSpec: {Image: "glovebox/busybox:latest", Command: ["sleep", "1d"],
					Labels: {gbbench: "1", "gbbench.suite": $suite}},
				Placement: (if $i <= $pending then {Constraints: [$c]} else {} end)
			},
			Mode: {Replicated: {Replicas: (if $i <= $pending then 1 else 0 end)}}
		}'
}

# b_load_service_json NAME: one replica of glovebox/load with a little CPU and memory.
b_load_service_json() {
	jq -cn --arg name "$1" --arg suite "$B_NAME" '{
		Name: $name,
		Labels: {gbbench: "1", "gbbench.suite": $suite},
		TaskTemplate: {
			ContainerSpec: {Image: "glovebox/load:latest", Args: ["--cpu", "0.02", "--mem", "8"],
				Labels: {gbbench: "1", "gbbench.suite": $suite}, StopGracePeriod: 2000000000},
			Resources: {Limits: {NanoCPUs: 100000000, MemoryBytes: 33554432}}
		},
		Mode: {Replicated: {Replicas: 1}}
	}'
}

# b_create_parallel FILE: one create body a line, sent 8 at a time; prints how many failed.
b_create_parallel() {
	xargs -P 8 -d '\n' -I{} curl -sS -o /dev/null -w '%{http_code}\n' --unix-socket "$SOCK" \
		-H 'Content-Type: application/json' -X POST --data-binary {} "$API/services/create" < "$1" |
		grep -cv '^201$'
}

# b_load_services N: N running load services (gbbench-NAME-01...); waits until all run.
b_load_services() {
	local n=$1 i t0=$EPOCHREALTIME running=0
	for ((i = 1; i <= n; i++)); do
		b_load_service_json "$(printf 'gbbench-%s-%02d' "$B_NAME" "$i")"
	done > "$B_TMP/create"
	local failed
	failed=$(b_create_parallel "$B_TMP/create")
	[ "$failed" -eq 0 ] || die "$failed of $n service creations failed"
	for ((i = 0; i < 240; i++)); do
		running=$(b_task_containers | wc -l)
		[ "$running" -ge "$n" ] && break
		sleep 0.5
	done
	[ "$running" -ge "$n" ] || die "only $running of $n containers run after 120 s"
	say "$n load services running (--cpu 0.02 --mem 8, limits 0.1 CPU / 32 MiB), setup $(elapsed "$t0") s"
}

# --- measuring -----------------------------------------------------------------------------------

# elapsed T0: seconds since $EPOCHREALTIME was T0, with 2 decimals.
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }

# ticks PID [children]: the process's utime + stime in clock ticks (no fork: read is a builtin);
# with "children", plus cutime + cstime: the CPU time of the children it has waited for.
ticks() {
	local s
	local -a f
	read -r s 2>/dev/null < "/proc/$1/stat" || return 1
	s=${s##*) }   # the command name may hold spaces
	read -r -a f <<< "$s"
	if [ "${2:-}" = children ]; then
		echo $((f[11] + f[12] + f[13] + f[14]))
	else
		echo $((f[11] + f[12]))
	fi
}

# hwm_kib PID: peak resident memory (VmHWM) in KiB.
hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# The engine's own processes: dockerd, its containerd and the containerd shims, found by the
# exec root on their command lines (so another engine's processes never count).
# Prints "PID COMM" lines.
engine_procs() {
	local f pid comm
	grep -lsaF -- "$EXEC_ROOT" /proc/[0-9]*/cmdline | while read -r f; do
		pid=${f#/proc/}
		pid=${pid%/cmdline}
		read -r comm 2>/dev/null < "/proc/$pid/comm" || continue
		case $comm in
		dockerd | containerd | containerd-shim*) echo "$pid $comm" ;;
		esac
	done
}

# engine_snapshot FILE: "PID COMM TICKS" for every engine process, for engine_delta.
# dockerd's count includes the programs it runs and waits for (it runs runc --version and
# docker-init --version for every GET /info); the shims' does not, as their children are the
# containers.
engine_snapshot() {
	local pid comm t
	while read -r pid comm; do
		if [ "$comm" = dockerd ]; then t=$(ticks "$pid" children); else t=$(ticks "$pid"); fi &&
			echo "$pid $comm $t"
	done < <(engine_procs) > "$1"
}

# engine_delta BEFORE AFTER: CPU seconds each part of the engine used between two snapshots:
# "dockerd containerd shims total". A process new in AFTER counts whole.
engine_delta() {
	awk -v hz="$CLK_TCK" '
		NR == FNR { before[$1] = $3; next }
		{
			d = $3 - (($1 in before) ? before[$1] : 0)
			part = ($2 == "dockerd") ? "dockerd" : ($2 == "containerd") ? "containerd" : "shims"
			sum[part] += d; total += d
		}
		END { printf "%.2f %.2f %.2f %.2f\n", sum["dockerd"] / hz, sum["containerd"] / hz, sum["shims"] / hz, total / hz }
	' "$1" "$2"
}

# median: of the numbers on stdin, one a line.
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
mean() { awk '{ s += $1 } END { print NR ? s / NR : "nan" }'; }
maxof() { sort -g | tail -n 1; }
minof() { sort -g | head -n 1; }

# What else runs on the engine: benchmarks share the sandbox with tests and demos.
b_engine_census() {
	local svc ctr
	svc=$(api GET /services | jq length)
	ctr=$(api GET /containers/json | jq length)
	say "engine: $svc service(s), $ctr running container(s) in all (ours included); $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
}
