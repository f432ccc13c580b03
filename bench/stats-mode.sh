#!/usr/bin/env bash
# How should the console get usage figures: poll one-shot stats, or keep a stream per container?
# Usage: bench/stats-mode.sh   (SERVICES=50, WINDOW=60, INTERVAL=2, BASELINE=20)
#
# With SERVICES running load containers, it measures the engine's CPU time (dockerd, its
# containerd and the containerd shims, from /proc) over three windows, one after the other:
#   idle:      BASELINE seconds with no client, for the engine's own rate;
#   polling:   WINDOW seconds of GET /containers/{id}/stats?stream=false&one-shot=true for every
#              container every INTERVAL seconds (what the console does now), all at once;
#   streaming: WINDOW seconds of one GET /containers/{id}/stats?stream=true connection per
#              container, all open together (what docker stats does).
# The client is curl over the unix socket (one curl process per polling round, --parallel).
# It prints the engine's CPU time and the bytes the client received for each, and which is cheaper.
# The services are removed at the end, and on Ctrl-C.
set -u -o pipefail
B_NAME="stats-mode"
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

SERVICES=${SERVICES:-50}
WINDOW=${WINDOW:-60}
INTERVAL=${INTERVAL:-2}
BASELINE=${BASELINE:-20}

b_need curl jq
b_engine
b_on_exit b_remove_services
b_on_exit 'stop_stream'
b_remove_services   # leftovers of an interrupted earlier run

STREAM_PID=
stop_stream() {
	[ -n "$STREAM_PID" ] || return 0
	kill -TERM "$STREAM_PID" 2>/dev/null
	wait "$STREAM_PID" 2>/dev/null
	STREAM_PID=
}

b_load_services "$SERVICES"
b_engine_census
ids=$(b_task_containers | paste -sd, -)
n=$(tr ',' '\n' <<< "$ids" | grep -c .)

# usecs: the time now in microseconds.
usecs() { local t=${EPOCHREALTIME/./}; echo "$t"; }

# window NAME: engine snapshot files for a window's start and end.
# result NAME SECONDS: prints "dockerd containerd shims total" CPU seconds used in the window.
result() { engine_delta "$B_TMP/$1.0" "$B_TMP/$1.1"; }

# --- idle ----------------------------------------------------------------------------------------

say "idle: ${BASELINE} s with no client"
engine_snapshot "$B_TMP/idle.0"
sleep "$BASELINE"
engine_snapshot "$B_TMP/idle.1"

# --- polling -------------------------------------------------------------------------------------

say "polling: one-shot stats of $n containers every ${INTERVAL} s for ${WINDOW} s"
url_poll="$API/containers/{$ids}/stats?stream=false&one-shot=true"
engine_snapshot "$B_TMP/poll.0"
start=$(usecs)
end=$((start + WINDOW * 1000000))
rounds=0
: > "$B_TMP/poll.w"
while :; do
	next=$((start + (rounds + 1) * INTERVAL * 1000000))
	curl -s --no-progress-meter --parallel --parallel-max "$n" --unix-socket "$SOCK" "$url_poll" \
		-o /dev/null -w '%{http_code} %{size_download} %{size_header}\n' >> "$B_TMP/poll.w" 2>> "$B_TMP/poll.err"
	rounds=$((rounds + 1))
	[ "$next" -ge "$end" ] && break
	now=$(usecs)
	[ "$now" -lt "$next" ] && sleep "$(awk -v d=$((next - now)) 'BEGIN { printf "%.3f", d / 1e6 }')"
done
now=$(usecs)
[ "$now" -lt "$end" ] && sleep "$(awk -v d=$((end - now)) 'BEGIN { printf "%.3f", d / 1e6 }')"
engine_snapshot "$B_TMP/poll.1"
b_engine_same
read -r poll_ok poll_body poll_head < <(awk '$1 == 200 { ok++ } { b += $2; h += $3 } END { print ok + 0, b + 0, h + 0 }' "$B_TMP/poll.w")

# --- streaming -----------------------------------------------------------------------------------

say "streaming: $n stats streams open for ${WINDOW} s"
mkdir -p "$B_TMP/stream"
engine_snapshot "$B_TMP/stream.0"
curl -sN --no-progress-meter --parallel --parallel-immediate --parallel-max "$n" --unix-socket "$SOCK" \
	"$API/containers/{$ids}/stats?stream=true" -o "$B_TMP/stream/#1" 2> "$B_TMP/stream.err" &
STREAM_PID=$!
sleep "$WINDOW"
stop_stream
engine_snapshot "$B_TMP/stream.1"
b_engine_same
stream_body=$(cat "$B_TMP"/stream/* 2>/dev/null | wc -c)
stream_samples=$(cat "$B_TMP"/stream/* 2>/dev/null | grep -c '^{')

# --- report --------------------------------------------------------------------------------------

read -r i_d i_c i_s i_t < <(result idle)
read -r p_d p_c p_s p_t < <(result poll)
read -r s_d s_c s_s s_t < <(result stream)
echo
printf '%d running load containers, %d s per window, engine CPU in seconds (dockerd + containerd + shims)\n' "$n" "$WINDOW"
printf '%-30s %8s %8s %9s %9s %8s %8s %11s %10s\n' "" "samples" "KiB/s" "dockerd" "containerd" "shims" "engine" "engine-idle" "ms/sample"
line() {
	awk -v n="$1" -v smp="$2" -v by="$3" -v d="$4" -v c="$5" -v s="$6" -v t="$7" -v w="$WINDOW" \
		-v it="$i_t" -v ib="$BASELINE" 'BEGIN {
		x = t - it * w / ib
		printf "%-30s %8d %8.1f %9.2f %9.2f %8.2f %8.2f %11.2f %10s\n", n, smp, by / 1024 / w, d, c, s, t, x,
			smp ? sprintf("%.2f", x * 1000 / smp) : "-" }'
}
line "polling one-shot every ${INTERVAL} s" "$poll_ok" "$((poll_body + poll_head))" "$p_d" "$p_c" "$p_s" "$p_t"
line "streaming (stream=true)" "$stream_samples" "$stream_body" "$s_d" "$s_c" "$s_s" "$s_t"
awk -v d="$i_d" -v c="$i_c" -v s="$i_s" -v t="$i_t" -v w="$WINDOW" -v b="$BASELINE" 'BEGIN {
	printf "%-30s %8s %8s %9.2f %9.2f %8.2f %8.2f\n", "idle, scaled to " w " s", "", "", d * w / b, c * w / b, s * w / b, t * w / b }'
echo "  samples: stats replies (polling) or stream lines (streaming) received; streams send one a second,"
echo "  polling one every ${INTERVAL} s, so compare ms/sample too; KiB/s: bytes received (polling counts headers)."
echo "  engine-idle: the window's engine CPU minus the idle rate; ms/sample: that over the samples."
awk -v p="$p_t" -v s="$s_t" -v it="$i_t" -v ib="$BASELINE" -v w="$WINDOW" -v pn="$poll_ok" -v sn="$stream_samples" \
	-v iv="$INTERVAL" 'BEGIN {
	pp = p - it * w / ib; ss = s - it * w / ib
	if (pp < ss) printf "cheaper for the engine: polling every %s s (%.2f s against %.2f s of engine CPU over %d s, %.1f%% against %.1f%% of a core)\n", iv, pp, ss, w, pp * 100 / w, ss * 100 / w
	else printf "cheaper for the engine: streaming (%.2f s against %.2f s of engine CPU over %d s, %.1f%% against %.1f%% of a core)\n", ss, pp, w, ss * 100 / w, pp * 100 / w
	if (pn && sn) printf "per sample: polling %.2f ms, streaming %.2f ms of engine CPU\n", pp * 1000 / pn, ss * 1000 / sn }'
[ -s "$B_TMP/poll.err" ] && say "polling errors: $(sort "$B_TMP/poll.err" | uniq -c | head -n 3)"
[ "$poll_ok" -eq $((rounds * n)) ] || say "warning: $poll_ok of $((rounds * n)) polling requests answered 200"
