#!/usr/bin/env bash
# The engine goes away under an open console and comes back: the last rows stay, the status line
# says "stale for Ns, reconnecting in Ms: why", the console does not burn CPU meanwhile, and it
# recovers by itself once the engine is back.
# It stops and starts the shared sandbox engine (which removes every service), so it runs last
# (zz-) and leaves the engine running.
T_SUITE=screen/zz-outage
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-screen.sh"
scr_need_tmux
scr_need_engine
scr_init
SANDBOX=$GB_ROOT/tests/engine/sandbox.sh
[ -x "$SANDBOX" ] || t_skip_suite "$SANDBOX is missing"
L_STATUS=22

# Whatever happens, the engine is up again at the end.
suite_cleanup() {
	[ -n "${frozen:-}" ] && kill -CONT "$frozen" 2>/dev/null
	"$SANDBOX" status >/dev/null 2>&1 || "$SANDBOX" start >/dev/null 2>&1 ||
		echo "  WARNING: the sandbox engine did not start again" >&2
}

P=gbto
status() { scr_line "$1" $L_STATUS | sed 's/ *$//'; }
row() { scr_cap "$1" | grep -E "^$2 " | head -n 1; }
# cpu_over SECS PID: clock ticks (100 = one CPU for a second) PID uses in SECS seconds.
cpu_over() {
	local a b
	a=$(cpu_ticks "$2")
	sleep "$1"
	b=$(cpu_ticks "$2")
	echo $((b - a))
}
stale_secs() { status "$1" | sed -n 's/^stale for \([0-9]*\)s, .*/\1/p'; }

# 1. No engine at all from the start: it says so and waits quietly.
scr_start gone "DOCKER_HOST=unix://$SCR_TMP/no-engine.sock $SCR_GB"
scr_go gone
if scr_wait 5 gone "^reconnecting in [0-9]+s: cannot reach the engine"; then
	t_ok "no engine: the status line says reconnecting and why"
else
	t_fail "no engine: the status line says reconnecting and why" "$(scr_cap gone)"
fi
ticks=$(cpu_over 3 "$(scr_gb_pid gone)")
t_check "no engine: no busy loop while reconnecting ($ticks ticks in 3 s; at most 30, 10 % of a CPU)" test "$ticks" -le 30
scr kill-session -t gone

# 2. The engine stops under an open console, then starts again.
svc_cleanup
svc_mk $P-a glovebox/load
scr_until 30 eval '[ "$(svc_replicas $P-a)" = 1/1 ]' || t_fail "a job runs" "$(docker service ls)"
# Not the pane's own process: tmux sends SIGCONT to a pane process that stops.
scr_start main "$SCR_GB; echo EXIT=\$?"
scr_go main
scr_wait 10 main ' jobs: '
scr send-keys -t main / $P- Enter
if scr_wait 10 main "^$P-a .* 1/1 running"; then t_ok "the console shows the running job"
else t_fail "the console shows the running job" "$(scr_cap main)"; fi
pid=$(scr_gb_pid main)
ticks=$(cpu_over 3 "$pid")
t_check "engine up: the console is quiet ($ticks ticks in 3 s; at most 30)" test "$ticks" -le 30
before=$(row main $P-a | awk '{print $1, $2, $3, $4, $5, $6}')

# sandbox.sh stop removes every service before it stops dockerd, and the console would rightly
# show them go. To see what an engine that vanishes looks like, the console is frozen
# (SIGSTOP) while the engine stops, and thawed once it is gone.
kill -STOP "$pid"
frozen=$pid
t_check "the console is frozen (state T)" scr_until 2 eval "grep -q ') T ' /proc/$pid/stat"
t0=$(now_ms)
out=$("$SANDBOX" stop 2>&1) || t_fail "sandbox.sh stop" "$out"
kill -CONT "$pid"
frozen=
t_stop=$(now_ms)
# What the screen went through after the thaw, for the failure messages.
log=$SCR_TMP/after-thaw.log
is_stale() {
	printf '%s ms: [%s] [%s]\n' $(($(now_ms) - t_stop)) "$(status main)" "$(row main $P-a)" >> "$log"
	status main | grep -Eq '^stale for [0-9]+s, reconnecting in [0-9]+s: '
}
if scr_until 15 is_stale; then
	t_ok "engine gone: the status line says stale and reconnecting ($(status main))"
else
	t_fail "engine gone: the status line says stale and reconnecting" "$(scr_cap main)"
fi
t_match "engine gone: the status line says why" "$(status main)" 'cannot reach the engine|connection refused|socket'
now_row=$(row main $P-a | awk '{print $1, $2, $3, $4, $5, $6}')
if [ "$now_row" = "$before" ]; then t_ok "engine gone: the last rows stay on screen"
else t_fail "engine gone: the last rows stay on screen" "expected [$before], got [$now_row]; after the thaw: $(cat "$log")"; fi
s1=$(stale_secs main)
ticks=$(cpu_over 3 "$pid")
s2=$(stale_secs main)
t_check "engine gone: the stale counter runs (${s1:-?}s, then ${s2:-?}s)" test "${s2:-0}" -gt "${s1:-0}"
t_check "engine gone: no busy loop while reconnecting ($ticks ticks in 3 s; at most 30)" test "$ticks" -le 30
t_check "engine gone: the console still runs" alive "$pid"

# After the whole run the engine has many old containers to clean up as it starts (about
# 0.3 s each): give it more than the usual 30 s.
out=$(GB_SANDBOX_TIMEOUT=180 "$SANDBOX" start 2>&1) || t_fail "sandbox.sh start" "$out"
t_up=$(now_ms)
down_s=$(((t_up - t_stop) / 1000))
recovered() {
	status main | grep -Eq '^[0-9]+ jobs: [0-9]+ running, .* API 1\.41  [0-9]{2}:[0-9]{2}:[0-9]{2}$'
}
if scr_until 45 recovered; then
	t_ok "engine back: the console recovers by itself, $(($(now_ms) - t_up)) ms after the engine is up (down ${down_s}s)"
else
	t_fail "engine back: the console recovers by itself within 45 s" "$(scr_cap main)"
fi
t_eq "engine back: no stale marker" 0 "$(scr_cap main | grep -c 'stale for')"
# The sandbox removed every service when it stopped: the old row goes, a new job comes.
t_check "engine back: the removed job is gone" scr_until 5 eval "[ -z \"\$(row main $P-a)\" ]"
svc_mk $P-b glovebox/load
if scr_wait 10 main "^$P-b "; then t_ok "engine back: a new job appears without a key press (rows are live)"
else t_fail "engine back: a new job appears without a key press (rows are live)" "$(scr_cap main)"; fi
scr send-keys -t main q
t_check "q quits" scr_until 3 eval '! alive "$pid"'
t_check "the sandbox engine is up at the end" "$SANDBOX" status
t_end
