#!/usr/bin/env bash
# glovebox ls against docker service ls on a swarm with many services that run no containers.
# Usage: bench/ls.sh   (N=1000 services, PENDING=N/10 of them pending, RUNS=7)
#
# It makes N services on the sandbox engine: PENDING with one replica and a constraint no node
# meets (each has a pending task), the others scaled to zero. Then, in the same run and
# interleaved, it times `glovebox ls --json --no-usage` and `docker service ls` with JSON output
# (the 28.x client, and the 20.10 client when present): median wall time and peak RSS (max RSS
# from /usr/bin/time) of RUNS runs each after one warm-up, plus the sandbox dockerd's CPU time
# per call. It also times the raw Engine API calls each client makes, to show where time goes.
# The services are removed at the end, and on Ctrl-C.
set -u -o pipefail
B_NAME="ls"
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

N=${N:-1000}
PENDING=${PENDING:-$((N / 10))}
RUNS=${RUNS:-7}
DOCKER_NEW=${DOCKER_NEW:-/usr/local/bin/docker}
[ -x "$DOCKER_NEW" ] || DOCKER_NEW=$(command -v docker) || DOCKER_NEW=/nonexistent
DOCKER_OLD=${DOCKER_OLD:-/usr/bin/docker}
TIME=/usr/bin/time
CONSTRAINT=node.labels.gbbench==nowhere

[ -x "$TIME" ] || die "$TIME is missing (apt-get install time)"
[ -x "$DOCKER_NEW" ] || die "no docker client to compare with (DOCKER_NEW)"
b_need curl jq
b_engine
b_on_exit b_remove_services
b_remove_services   # leftovers of an interrupted earlier run

# --- setup --------------------------------------------------------------------------------------

say "creating $N services ($PENDING pending, $((N - PENDING)) scaled to zero), 8 requests at a time"
b_sleep_services gbbench-ls "$N" "$PENDING" "$CONSTRAINT" > "$B_TMP/create"
t0=$EPOCHREALTIME
failed=$(b_create_parallel "$B_TMP/create")
t_create=$(elapsed "$t0")
made=$(b_service_ids | wc -l)
say "created $made services in $t_create s ($failed failed)"
[ "$made" -gt 0 ] || die "no service was created"

# Every pending service has its task before we measure, so every client sees the same swarm.
pending_tasks() {
	api GET "/tasks?filters=$(jq -rn '{"desired-state": ["running"]} | tojson | @uri')" |
		jq --arg c "$CONSTRAINT" '[.[] | select((.Spec.Placement.Constraints // []) | index($c))] | length'
}
for ((i = 0; i < 120; i++)); do
	[ "$(pending_tasks)" -ge "$PENDING" ] && break
	sleep 0.5
done
say "$(pending_tasks) pending tasks; swarm ready $(elapsed "$t0") s after the first create"
b_engine_census

# --- measuring ----------------------------------------------------------------------------------

clients=(glovebox docker)
[ -x "$DOCKER_OLD" ] && clients+=(docker20)
# one() reads these through a nameref.
# shellcheck disable=SC2034
CMD_glovebox=("$GLOVEBOX" ls --json --no-usage)
# shellcheck disable=SC2034
CMD_docker=("$DOCKER_NEW" service ls --format json)
# shellcheck disable=SC2034
CMD_docker20=("$DOCKER_OLD" service ls --format '{{json .}}')
label() {
	case $1 in
	glovebox) echo "glovebox ls --json --no-usage" ;;
	docker) echo "docker $("$DOCKER_NEW" version --format '{{.Client.Version}}' 2>/dev/null) service ls --format json" ;;
	docker20) echo "docker $("$DOCKER_OLD" version --format '{{.Client.Version}}' 2>/dev/null) service ls --format '{{json .}}'" ;;
	esac
}

dpid=$(dockerd_pid)
# one CLIENT RUN: runs the client once; appends "wall_ms rss_kib cpu_ms dockerd_ms bytes" to its file.
one() {
	local c=$1 run=$2 t0 t1 d0 d1 rss u s
	local -n cmd=CMD_$c
	d0=$(ticks "$dpid" children)
	t0=$EPOCHREALTIME
	$TIME -f '%M %U %S' -o "$B_TMP/time" "${cmd[@]}" > "$B_TMP/out.$c" 2> "$B_TMP/err.$c" ||
		die "$(label "$c") failed: $(head -c 300 "$B_TMP/err.$c")"
	t1=$EPOCHREALTIME
	d1=$(ticks "$dpid" children)
	read -r rss u s < <(tail -n 1 "$B_TMP/time")
	[ "$run" = warmup ] && return 0
	awk -v a="$t0" -v b="$t1" -v r="$rss" -v u="$u" -v s="$s" -v dd=$((d1 - d0)) -v hz="$CLK_TCK" \
		-v n="$(stat -c %s "$B_TMP/out.$c")" \
		'BEGIN { printf "%.1f %d %.0f %.0f %d\n", (b - a) * 1000, r, (u + s) * 1000, dd * 1000 / hz, n }' \
		>> "$B_TMP/res.$c"
}

say "timing ${clients[*]}: 1 warm-up and $RUNS runs each, interleaved"
for c in "${clients[@]}"; do one "$c" warmup; done
for ((r = 1; r <= RUNS; r++)); do
	for c in "${clients[@]}"; do one "$c" "$r"; done
done

# Both must have listed every service of ours.
ours_glovebox=$(jq '[.[] | select(.name | startswith("gbbench-ls-"))] | length' "$B_TMP/out.glovebox")
ours_docker=$(grep -c '"Name":"gbbench-ls-' "$B_TMP/out.docker")
[ "$ours_glovebox" -eq "$made" ] || say "warning: glovebox listed $ours_glovebox of our $made services"
[ "$ours_docker" -eq "$made" ] || say "warning: docker listed $ours_docker of our $made services"

col() { awk -v k="$2" '{ print $k }' "$B_TMP/res.$1"; }
echo
printf '%-52s %9s %9s %9s %9s %9s %9s\n' "client ($RUNS runs each)" "wall ms" "min" "max" \
	"maxRSS MiB" "CPU ms" "dockerd ms"
for c in "${clients[@]}"; do
	printf '%-52s %9.1f %9.1f %9.1f %9.1f %9.0f %9.0f\n' "$(label "$c")" \
		"$(col "$c" 1 | median)" "$(col "$c" 1 | minof)" "$(col "$c" 1 | maxof)" \
		"$(col "$c" 2 | median | awk '{ print $1 / 1024 }')" "$(col "$c" 3 | mean)" "$(col "$c" 4 | mean)"
done
echo "  (wall time and max RSS: medians; CPU ms, the client's user+sys, and dockerd ms, the CPU time of the"
echo "   sandbox dockerd and of the programs it ran during the call: means, as both are counted in 10 ms steps)"
wall_g=$(col glovebox 1 | median); wall_d=$(col docker 1 | median)
rss_g=$(col glovebox 2 | median); rss_d=$(col docker 2 | median)
awk -v wg="$wall_g" -v wd="$wall_d" -v rg="$rss_g" -v rd="$rss_d" 'BEGIN {
	printf "ratio glovebox/docker: wall time %.2f, peak memory %.2f\n", wg / wd, rg / rd }'
printf 'output: glovebox %s bytes, docker %s bytes, for %d services in all\n' \
	"$(col glovebox 5 | median)" "$(col docker 5 | median)" "$(jq length "$B_TMP/out.glovebox")"
echo "note: glovebox ls also fetches /info, /nodes and every task (/tasks), and negotiates the API"
echo "      version with /_ping first; docker service ls asks only for /services?status=true (and /_ping)."

# --- where the time goes: the engine's own time for each request, over curl ----------------------

echo
CALLS=$((RUNS > 20 ? RUNS : 20))
echo "engine API calls alone (curl over the unix socket, $CALLS calls each; wall: median; dockerd CPU with the programs it runs: mean):"
for path in /_ping /info /nodes "/services?status=true" /tasks; do
	curl -sS -o /dev/null --unix-socket "$SOCK" "$API$path"   # warm-up
	d0=$(ticks "$dpid" children)
	for ((r = 0; r < CALLS; r++)); do
		curl -sS -o "$B_TMP/body" -w '%{time_total}\n' --unix-socket "$SOCK" "$API$path" |
			awk '{ print $1 * 1000 }'
	done > "$B_TMP/curl"
	d1=$(ticks "$dpid" children)
	printf '  GET %-24s %8.1f ms wall %6.1f ms dockerd %10s bytes\n' "$path" "$(median < "$B_TMP/curl")" \
		"$(awk -v d=$((d1 - d0)) -v hz="$CLK_TCK" -v n="$CALLS" 'BEGIN { print d * 1000 / hz / n }')" \
		"$(stat -c %s "$B_TMP/body")"
done
