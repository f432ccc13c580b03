#!/usr/bin/env bash
# glovebox logs against docker service logs and the raw transfer, on a job that printed many lines.
# Usage: bench/logs.sh   (N=1000000 lines, RUNS=3)
#
# One glovebox/load service prints N numbered lines. Then, interleaved, RUNS times each:
# `glovebox logs --tail all`, `docker service logs` and curl fetching the body undecoded (what
# the engine itself costs), all to /dev/null. It prints the median wall time, lines per second,
# peak RSS and the client's own CPU time; glovebox's CPU time per million lines is what decoding
# and sanitising cost, apart from the engine. The service is removed at the end, and on Ctrl-C.
set -u -o pipefail
B_NAME="logs"
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

N=${N:-1000000}
RUNS=${RUNS:-3}
TIME=/usr/bin/time
[ -x "$TIME" ] || die "$TIME is missing (apt-get install time)"
b_need curl jq docker
b_engine
b_on_exit b_remove_services
b_remove_services

name=gbbench-logs-lines
jq -cn --arg name "$name" --arg suite "$B_NAME" --arg n "$N" '{
	Name: $name,
	Labels: {gbbench: "1", "gbbench.suite": $suite, "glovebox.owner": "root"},
	TaskTemplate: {ContainerSpec: {Image: "glovebox/load:latest", Args: ["--lines", $n],
		Labels: {gbbench: "1", "gbbench.suite": $suite}, StopGracePeriod: 2000000000}},
	Mode: {Replicated: {Replicas: 1}}
}' > "$B_TMP/create"
[ "$(b_create_parallel "$B_TMP/create")" -eq 0 ] || die "cannot create the service"
say "waiting for $N lines to be logged"
for ((i = 0; i < 240; i++)); do
	docker service logs --raw --tail 1 "$name" 2>/dev/null | grep -qx "line $N" && break
	sleep 0.5
done
[ "$i" -lt 240 ] || die "the service did not log $N lines within 120 s"
id=$(api GET "/services/$name" | jq -r .ID)

# run LABEL CMD...: one timed run; appends "wall rss cpu" to $B_TMP/LABEL.
run() {
	local label=$1
	shift
	"$TIME" -f '%e %M %U %S' -o "$B_TMP/t" "$@" > /dev/null 2>&1 || say "warning: $label failed"
	awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$B_TMP/t" >> "$B_TMP/$label"
}
policy=$B_TMP/policy.json
cp "$GB_ROOT/tests/fixtures/policy/terms.md" "$B_TMP/"
jq --arg g "$(id -gn)" '.admin_group = $g' "$GB_ROOT/tests/fixtures/policy/good-minimal.json" > "$policy"

for ((r = 0; r < RUNS; r++)); do
	run glovebox "$GLOVEBOX" --policy "$policy" logs --tail all "$name"
	run docker docker service logs --raw "$name"
	run curl curl -sS --unix-socket "$SOCK" -o /dev/null \
		"$API/services/$id/logs?stdout=1&stderr=1&tail=all"
done
b_engine_same || true

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
printf '%-10s %10s %14s %10s %10s %16s\n' client "wall (s)" "lines/s" "RSS (MiB)" "CPU (s)" "CPU s/M lines"
for label in glovebox docker curl; do
	wall=$(cut -d' ' -f1 "$B_TMP/$label" | median)
	rss=$(cut -d' ' -f2 "$B_TMP/$label" | median)
	cpu=$(cut -d' ' -f3 "$B_TMP/$label" | median)
	awk -v l="$label" -v w="$wall" -v r="$rss" -v c="$cpu" -v n="$N" 'BEGIN {
		printf "%-10s %10.2f %14.0f %10.1f %10.2f %16.2f\n", l, w, (w > 0 ? n / w : 0), r / 1024, c, c / n * 1e6 }'
done
say "median of $RUNS runs; $N lines of \"line N\"; glovebox decodes, sanitises and prints each one"
