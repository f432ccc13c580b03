#!/usr/bin/env bash
# The console against `docker stats`, each in an 80x24 tmux pane, over 50 running load services.
# Usage: bench/console.sh   (SERVICES=50, SECONDS_RUN=60, BASELINE=15, WARMUP=5, KEYS=15)
#
# Setup: SERVICES services of glovebox/load --cpu 0.02 --mem 8 (limits 0.1 CPU, 32 MiB).
# Then, one after the other in the same run, so that the engine's CPU time can be told apart:
#   1. BASELINE seconds with neither client, for the engine's own cost with these containers;
#   2. the glovebox console for WARMUP + SECONDS_RUN seconds;
#      then KEYS responsiveness samples: Down or Up, and the time until the pane shows it;
#   3. docker stats (streaming, every running container) for WARMUP + SECONDS_RUN seconds.
# Over each SECONDS_RUN window it reports the client's CPU time (utime+stime from /proc), its
# peak memory (VmHWM), the bytes it wrote to its terminal (tmux pipe-pane), and the CPU time
# of the sandbox engine: dockerd, its containerd and the containerd shims.
# The services and the tmux server (tmux -L gbbench) are removed at the end, and on Ctrl-C.
set -u -o pipefail
B_NAME="console"
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

SERVICES=${SERVICES:-50}
SECONDS_RUN=${SECONDS_RUN:-60}
BASELINE=${BASELINE:-15}
WARMUP=${WARMUP:-5}
KEYS=${KEYS:-15}
DOCKER_NEW=${DOCKER_NEW:-/usr/local/bin/docker}
[ -x "$DOCKER_NEW" ] || DOCKER_NEW=$(command -v docker) || DOCKER_NEW=/nonexistent
POLL=0.02   # seconds between two looks at the pane

b_need curl jq tmux
[ -x "$DOCKER_NEW" ] || die "no docker client to compare with (DOCKER_NEW)"
b_engine
b_on_exit b_remove_services
b_on_exit 'tm kill-server 2>/dev/null'
b_remove_services   # leftovers of an interrupted earlier run

cat > "$B_TMP/tmux.conf" <<'EOF'
set -g default-terminal tmux-256color
set -g status off
set -g exit-empty off
set -g remain-on-exit on
EOF
tm() { tmux -u -L gbbench -f "$B_TMP/tmux.conf" "$@"; }
unset TMUX NO_COLOR
tm kill-server 2>/dev/null   # an earlier run's, interrupted hard

b_load_services "$SERVICES"
b_engine_census

# pane NAME CMD...: a detached 80x24 session running CMD as the pane's own process; prints its pid.
pane() {
	local name=$1 pid size
	shift
	pid=$(tm new-session -d -s "$name" -x 80 -y 24 -P -F '#{pane_pid}' "exec $(printf '%q ' "$@")") ||
		die "tmux could not start $*"
	size=$(tm display -p -t "$name" '#{pane_width}x#{pane_height}')
	[ "$size" = 80x24 ] || die "the $name pane is $size, not 80x24"
	echo "$pid"
}

# measure NAME PID: after WARMUP, watches the pane for SECONDS_RUN seconds; prints
# "cpu_s hwm_kib bytes dockerd_s containerd_s shims_s engine_s".
measure() {
	local name=$1 pid=$2 c0 c1 out=$B_TMP/tty.$1
	sleep "$WARMUP"
	[ -d "/proc/$pid" ] ||
		die "$name exited during warm-up: $(tm capture-pane -p -t "$name" 2>/dev/null | grep . | tail -n 5)"
	: > "$out"
	tm pipe-pane -o -t "$name" "cat >> $(printf '%q' "$out")"
	engine_snapshot "$B_TMP/e0"
	c0=$(ticks "$pid")
	sleep "$SECONDS_RUN"
	c1=$(ticks "$pid") || die "$name exited during the run (status" \
		"$(tm display -p -t "$name" '#{pane_dead_status}' 2>/dev/null)):" \
		"$(tm capture-pane -p -t "$name" 2>/dev/null | grep . | tail -n 5)"
	engine_snapshot "$B_TMP/e1"
	tm pipe-pane -t "$name"   # stops the pipe
	b_engine_same >&2
	sleep 0.2
	echo "$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", t / hz }') $(hwm_kib "$pid") \
$(stat -c %s "$out") $(engine_delta "$B_TMP/e0" "$B_TMP/e1")"
}

# --- 1. baseline ---------------------------------------------------------------------------------

say "baseline: ${BASELINE} s with no client"
engine_snapshot "$B_TMP/e0"
sleep "$BASELINE"
engine_snapshot "$B_TMP/e1"
read -r base_dockerd base_containerd base_shims base_engine < <(engine_delta "$B_TMP/e0" "$B_TMP/e1")

# --- 2. the glovebox console ---------------------------------------------------------------------

say "glovebox console: ${WARMUP} s warm-up, then ${SECONDS_RUN} s measured"
gb_pid=$(pane glovebox "$GLOVEBOX")
measure glovebox "$gb_pid" > "$B_TMP/m.glovebox"
read -r gb_cpu gb_hwm gb_bytes gb_dockerd gb_containerd gb_shims gb_engine < "$B_TMP/m.glovebox"

# Responsiveness: Down and Up in turn, each answered by the selection moving. The pane is read
# every POLL seconds until the selection has moved, which shows in the attributes each line starts
# with (the highlight); refreshes change figures and ages but not those, so they are not mistaken
# for the answer.
sig() { printf '%s\n' "$1" | sed 's/^\(\(\x1b\[[0-9;:]*m\)*\).*/\1/'; }
key_sample() {
	local key=$1 before sig0 last now t0 t
	before=$(tm capture-pane -p -e -t glovebox)
	sig0=$(sig "$before")
	last=$before
	t0=$EPOCHREALTIME
	tm send-keys -t glovebox "$key"
	while :; do
		now=$(tm capture-pane -p -e -t glovebox)
		t=$EPOCHREALTIME
		if [ "$now" != "$last" ]; then
			if [ "$(sig "$now")" != "$sig0" ]; then
				awk -v a="$t0" -v b="$t" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'
				return 0
			fi
			last=$now
		fi
		awk -v a="$t0" -v b="$t" 'BEGIN { exit !(b - a > 3) }' && return 1
		sleep "$POLL"
	done
}
say "responsiveness: $KEYS key presses, pane polled every $(awk -v p=$POLL 'BEGIN { print p * 1000 }') ms"
: > "$B_TMP/keys"
timeouts=0 key=Down
for ((i = 0; i < KEYS; i++)); do
	sleep "0.$((RANDOM % 5 + 3))"   # 0.3 to 0.7 s apart, so presses fall anywhere in a refresh cycle
	if key_sample "$key" >> "$B_TMP/keys"; then
		[ "$key" = Down ] && key=Up || key=Down
	else
		timeouts=$((timeouts + 1))
	fi
done
tm send-keys -t glovebox q
sleep 0.5
tm kill-session -t glovebox 2>/dev/null

# --- 3. docker stats -----------------------------------------------------------------------------

say "docker stats: ${WARMUP} s warm-up, then ${SECONDS_RUN} s measured"
ds_pid=$(pane stats "$DOCKER_NEW" stats)
measure stats "$ds_pid" > "$B_TMP/m.stats"
read -r ds_cpu ds_hwm ds_bytes ds_dockerd ds_containerd ds_shims ds_engine < "$B_TMP/m.stats"
tm kill-session -t stats 2>/dev/null

# --- report --------------------------------------------------------------------------------------

ds_name="docker $("$DOCKER_NEW" version --format '{{.Client.Version}}' 2>/dev/null) stats"
echo
printf 'one client at a time in an 80x24 tmux pane, %d s measured after %d s warm-up, %d running load containers\n' \
	"$SECONDS_RUN" "$WARMUP" "$SERVICES"
awk -v t="$SECONDS_RUN" -v bt="$BASELINE" -v dsn="$ds_name" \
	-v gc="$gb_cpu" -v gh="$gb_hwm" -v gb="$gb_bytes" -v gd="$gb_dockerd" -v gn="$gb_containerd" -v gs="$gb_shims" -v ge="$gb_engine" \
	-v sc="$ds_cpu" -v sh="$ds_hwm" -v sb="$ds_bytes" -v sd="$ds_dockerd" -v sn="$ds_containerd" -v ss="$ds_shims" -v se="$ds_engine" \
	-v id="$base_dockerd" -v ic="$base_containerd" -v is="$base_shims" -v ie="$base_engine" '
	function cpu(x) { return sprintf("%.2f s  %4.1f%%", x, x * 100 / t) }
	function row(label, a, b, c) { printf "  %-34s %-20s %-20s %s\n", label, a, b, c }
	BEGIN {
		k = t / bt
		row("", "glovebox console", dsn, "no client (idle)")
		row("client CPU (utime+stime, % of 1)", cpu(gc), cpu(sc), "")
		row("client peak memory (VmHWM)", sprintf("%.1f MiB", gh / 1024), sprintf("%.1f MiB", sh / 1024), "")
		row("written to the terminal", sprintf("%.0f B/s", gb / t), sprintf("%.0f B/s", sb / t), "")
		row("engine CPU: dockerd", cpu(gd), cpu(sd), cpu(id * k))
		row("            containerd", cpu(gn), cpu(sn), cpu(ic * k))
		row("            containerd shims", cpu(gs), cpu(ss), cpu(is * k))
		row("            all three", cpu(ge), cpu(se), cpu(ie * k))
		row("            all three, minus idle", cpu(ge - ie * k), cpu(se - ie * k), "")
	}'
echo "  (the engine's figures are over each client's own window; the idle ones are from a ${BASELINE} s window"
echo "   with no client, scaled to ${SECONDS_RUN} s; the containers' own CPU is not counted; glovebox refreshes"
echo "   every 2 s with one-shot stats, docker stats streams one sample a second from each container)"
if [ -s "$B_TMP/keys" ]; then
	printf 'glovebox key to screen (Down/Up while refreshing): median %.1f ms, max %.1f ms, min %.1f ms over %d samples' \
		"$(median < "$B_TMP/keys")" "$(maxof < "$B_TMP/keys")" "$(minof < "$B_TMP/keys")" "$(wc -l < "$B_TMP/keys")"
	printf ' (%d with no answer in 3 s)\n' "$timeouts"
	echo "  (from send-keys to the capture that shows the selection moved: includes two tmux client round trips;"
	echo "   the pane is read every $(awk -v p=$POLL 'BEGIN { print p * 1000 }') ms, so a figure can be up to that much late)"
else
	echo "glovebox key to screen: no answer in 3 s to any of $KEYS key presses"
fi
