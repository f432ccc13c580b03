#!/usr/bin/env bash
# glovebox collect end to end on this machine's cgroups (v1 here; v2 and the systemd driver
# are unit-tested on fixture trees): a busy job on the sandbox engine is found by its
# container ID, its CPU counter grows, its working set matches docker stats, --parent keeps
# only its cgroup parent, and --interval ends cleanly on SIGTERM leaving no temporary file.
T_SUITE=integration/collect
. "$(dirname "$0")/../lib.sh"

[ -n "${GB_NO_ENGINE:-}" ] && t_skip_suite "$GB_NO_ENGINE"
[ -n "${DOCKER_HOST:-}" ] || t_skip_suite "no sandbox engine (DOCKER_HOST unset)"
[ -r /sys/fs/cgroup ] || t_skip_suite "no /sys/fs/cgroup"

P=gbt-collect
work=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	docker service ls -q --filter "label=gbtest=$P" | xargs -r docker service rm >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
docker service ls -q --filter "label=gbtest=$P" | xargs -r docker service rm >/dev/null 2>&1

docker service create -d --quiet --label gbtest=$P --name $P-busy --limit-memory 64M \
	glovebox/load --cpu 0.5 --mem 16 >/dev/null 2>&1
cid() { docker ps -q --no-trunc --filter "label=com.docker.swarm.service.name=$P-busy" | head -n 1; }
wait_for 60 sh -c "[ -n \"\$(docker ps -q --filter label=com.docker.swarm.service.name=$P-busy)\" ]" ||
	t_fail "the busy job runs" "$(docker service ps --no-trunc $P-busy)"
id=$(cid)
sleep 2   # its memory settles

"$GLOVEBOX" collect --once --textfile-dir "$work" 2> "$work/err"
t_eq "collect --once: exit 0" 0 $?
t_eq "collect --once: nothing on stderr" "" "$(cat "$work/err")"
line=$(grep "^container_cpu_usage_seconds_total{id=\"[^\"]*/$id\"}" "$work/glovebox.prom")
t_check "the job's container is found by its ID ($id)" test -n "$line"
path=$(printf '%s\n' "$line" | sed 's/^[^"]*"\([^"]*\)".*/\1/')
cpu1=$(printf '%s\n' "$line" | awk '{print $2}')
t_eq "one label only, id" 1 "$(grep -c "{id=\"$path\"} " <(grep cpu_usage "$work/glovebox.prom" | grep -F "$id"))"
t_eq "no other label anywhere" "" "$(grep -v '^#' "$work/glovebox.prom" | grep -v '^[a-z_]*{id="[^"]*"} [0-9.]*$')"
limit=$(grep "^container_spec_memory_limit_bytes{id=\"$path\"}" "$work/glovebox.prom" | awk '{print $2}')
t_eq "the memory limit is the job's (64 MiB)" 67108864 "$limit"

# The working set against docker stats' figure for the same container, read right after.
ws=$(grep "^container_memory_working_set_bytes{id=\"$path\"}" "$work/glovebox.prom" | awk '{print $2}')
ds=$(curl -s --unix-socket "${DOCKER_HOST#unix://}" "http://d/containers/$id/stats?stream=false&one-shot=true" |
	jq '.memory_stats.usage - (.memory_stats.stats.total_inactive_file // .memory_stats.stats.inactive_file // 0)')
t_check "working set $ws B within 10 % of docker stats' $ds B" \
	awk -v a="$ws" -v b="$ds" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d <= b * 0.10) }'

sleep 2
"$GLOVEBOX" collect --once --textfile-dir "$work"
cpu2=$(grep "^container_cpu_usage_seconds_total{id=\"$path\"}" "$work/glovebox.prom" | awk '{print $2}')
t_check "its CPU counter grows at about half a CPU ($cpu1 s, then $cpu2 s 2 s later)" \
	awk -v a="$cpu1" -v b="$cpu2" 'BEGIN { exit !(b - a > 0.4 && b - a < 2.0) }'

# --parent: the job's cgroup parent keeps it; another parent has none of it.
parent=${path%/*}
"$GLOVEBOX" collect --once --textfile-dir "$work" --parent "$parent"
t_check "--parent $parent: the job is there" grep -q "$id" "$work/glovebox.prom"
t_eq "--parent $parent: nothing from elsewhere" "" \
	"$(grep -v '^#' "$work/glovebox.prom" | grep -v "{id=\"$parent/")"
"$GLOVEBOX" collect --once --textfile-dir "$work" --parent /gbt-no-such-parent
t_eq "--parent that holds nothing: only HELP and TYPE lines" 8 "$(wc -l < "$work/glovebox.prom")"

# --interval until SIGTERM: exit 0, the file in place, no temporary left.
rm -f "$work/glovebox.prom"
"$GLOVEBOX" collect --interval 1 --textfile-dir "$work" &
pid=$!
wait_for 5 test -s "$work/glovebox.prom"
sleep 1.5
kill -TERM "$pid"
wait "$pid"
t_eq "--interval: SIGTERM ends it with 0" 0 $?
pid=
t_eq "--interval: only the textfile in the directory" "glovebox.prom" "$(ls -A "$work" | grep -v '^err$')"

# Usage errors.
"$GLOVEBOX" collect --once 2>/dev/null
t_eq "no --textfile-dir: usage error" 2 $?
"$GLOVEBOX" collect --once --interval 3 --textfile-dir "$work" 2>/dev/null
t_eq "--once with --interval: usage error" 2 $?
"$GLOVEBOX" collect --once --textfile-dir /nonexistent/gbt 2> "$work/err"
t_eq "a directory that is not there: exit 1" 1 $?
t_check "... said plainly" grep -q 'cannot write there' "$work/err"
t_end
