# Helpers for the screen suites (tests/screen/*.sh), sourced after tests/lib.sh.
# A suite calls scr_need_tmux (and scr_need_engine), then scr_init.
# Each suite gets its own tmux server (tmux -L gbtest-PID) with a fixed 80x24 window, its own
# scratch directory and its own service label; all three go away at exit (scr_cleanup).
#
#   scr_start NAME CMD        a detached 80x24 session running the shell command CMD; it waits for
#                             scr_go NAME before it runs, so a title or pipe-pane can be set first
#   scr_go NAME               let CMD of session NAME run
#   scr_cap NAME [-e]         the pane as text (with -e: with its attributes as escapes)
#   scr_line NAME N           line N (0 = top) of the pane
#   scr_wait SECS NAME ERE    poll the pane every 0.1 s until a line matches ERE (0), or time out (1)
#   scr_until SECS CMD...     poll CMD every 0.1 s (SCR_POLL) until it succeeds (0), or time out (1);
#                             SECS may have a fraction
#   scr_gb_pid NAME           pid of the glovebox process running in the pane
#   svc_mk NAME ARGS...       docker service create, labelled for cleanup
#   svc_cleanup               remove this suite's services
#   now_ms                    wall clock in milliseconds
# A suite may define suite_cleanup; scr_cleanup (the exit trap) calls it first.

# scr_need_tmux, scr_need_engine: skip the suite (loudly) when it cannot run here.
scr_need_tmux() {
	command -v tmux >/dev/null || t_skip_suite "tmux is not installed (tests/deps.sh installs it)"
	[ -x "$GLOVEBOX" ] || t_skip_suite "$GLOVEBOX is not built (make)"
}
scr_need_engine() {
	[ -n "${GB_NO_ENGINE:-}" ] && t_skip_suite "$GB_NO_ENGINE"
	[ -n "${DOCKER_HOST:-}" ] || t_skip_suite "no sandbox engine (DOCKER_HOST unset; run tests/run.sh screen)"
	docker info >/dev/null 2>&1 || t_skip_suite "the engine at $DOCKER_HOST does not answer"
}

# scr_init: the scratch directory, the tmux configuration and the exit trap.
scr_init() {
	export LC_ALL=C.UTF-8
	unset TMUX NO_COLOR
	SCR_SOCK=gbtest-$$
	SCR_TMP=$(mktemp -d /tmp/gbtest-screen.XXXXXX)
	SCR_LABEL=screen-${T_SUITE##*/}
	# The glovebox the panes run: a copy with a unique name, so pgrep finds ours and no other,
	# and a rebuild in the tree during the suite does not swap the binary under it.
	SCR_GB=$SCR_TMP/gb-$$
	local try
	for try in 1 2 3 4 5; do
		cp "$GLOVEBOX" "$SCR_GB" 2>/dev/null && "$SCR_GB" --help >/dev/null 2>&1 && break
		sleep 1
	done
	[ "$try" -lt 5 ] || "$SCR_GB" --help >/dev/null 2>&1 || t_skip_suite "cannot run a copy of $GLOVEBOX"
	# exit-empty off: the server outlives its last session until scr_cleanup kills it. With the
	# default (on), a session started just as the last one quits can meet a server that is
	# shutting down ("server exited unexpectedly").
	cat > "$SCR_TMP/tmux.conf" <<'EOF2'
set -g default-terminal tmux-256color
set -g status off
set -g exit-empty off
EOF2
	trap scr_cleanup EXIT
}

scr() { tmux -L "$SCR_SOCK" -f "$SCR_TMP/tmux.conf" "$@"; }

scr_start() {
	local name=$1 cmd=$2
	rm -f "$SCR_TMP/go-$name"
	scr new-session -d -s "$name" -x 80 -y 24 \
		"while [ ! -e '$SCR_TMP/go-$name' ]; do sleep 0.05; done; $cmd"
}

scr_go() { : > "$SCR_TMP/go-$1"; }

scr_cap() {
	if [ "${2:-}" = -e ]; then scr capture-pane -p -e -t "$1"; else scr capture-pane -p -t "$1"; fi
}

scr_line() { scr_cap "$1" | sed -n "$(($2 + 1))p"; }

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

scr_until() {
	local limit_ms
	limit_ms=$(($(now_ms) + $(awk -v s="$1" 'BEGIN { printf "%d", s * 1000 }')))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(now_ms)" -ge "$limit_ms" ] && return 1
		sleep "${SCR_POLL:-0.1}"
	done
}

scr_has() { scr_cap "$1" | grep -Eq -- "$2"; }

scr_wait() { scr_until "$1" scr_has "$2" "$3"; }

# The pane runs "...; glovebox": glovebox is the pane's process (the shell exec'd it) or a child.
scr_gb_pid() {
	local pp pid
	pp=$(scr display -p -t "$1" '#{pane_pid}' 2>/dev/null) || return 1
	[ -n "$pp" ] || return 1
	if ps -o args= -p "$pp" | grep -q "^$SCR_GB\( \|$\)"; then
		echo "$pp"
		return 0
	fi
	pid=$(pgrep -f "^$SCR_GB( |\$)" -P "$pp" 2>/dev/null | head -n 1)
	[ -n "$pid" ] && echo "$pid"
}

# alive PID: the process exists and is not a zombie.
alive() { [ -n "$1" ] && [ -e "/proc/$1" ] && ! grep -q '^[^)]*) Z' "/proc/$1/stat" 2>/dev/null; }

# cpu_ticks PID: user+system clock ticks the process has used.
cpu_ticks() { awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$1/stat" 2>/dev/null; }

svc_mk() {
	local name=$1
	shift
	docker service create -d --quiet --no-resolve-image --label gbtest=screen \
		--label "gbtest.suite=$SCR_LABEL" --name "$name" "$@" >/dev/null
}

svc_cleanup() {
	docker service ls -q --filter "label=gbtest.suite=$SCR_LABEL" 2>/dev/null | xargs -r docker service rm >/dev/null 2>&1
	return 0
}

svc_replicas() { docker service ls --filter "name=$1" --format '{{.Name}} {{.Replicas}}' | awk -v n="$1" '$1 == n {print $2}'; }

# Ends what this suite started, by pid: glovebox processes run from our copy, then our tmux server.
scr_cleanup() {
	local p
	declare -F suite_cleanup >/dev/null && suite_cleanup
	for p in $(pgrep -f "^$SCR_GB( |\$)" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	scr kill-server 2>/dev/null
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SCR_SOCK"
	[ -n "${DOCKER_HOST:-}" ] && svc_cleanup
	rm -rf "$SCR_TMP"
}

# t_match NAME TEXT ERE: passes when a line of TEXT matches the extended regular expression.
t_match() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then t_ok "$1"; else t_fail "$1" "got: $2"; fi
}

# t_has NAME TEXT STRING: passes when TEXT contains STRING (a fixed string).
t_has() {
	if printf '%s\n' "$2" | grep -Fq -- "$3"; then t_ok "$1"; else t_fail "$1" "got: $2"; fi
}
