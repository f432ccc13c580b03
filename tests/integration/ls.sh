#!/usr/bin/env bash
# glovebox ls against the sandbox engine: it must agree with the docker CLI on every service
# (running, pending, failed, OOM-killed, scaled to zero, hostile labels) and read usage right.
T_SUITE=integration/ls
. "$(dirname "$0")/../lib.sh"

[ -n "${GB_NO_ENGINE:-}" ] && t_skip_suite "$GB_NO_ENGINE"
[ -n "${DOCKER_HOST:-}" ] || t_skip_suite "no sandbox engine (DOCKER_HOST unset)"
command -v jq >/dev/null || t_skip_suite "jq is not installed (make deps)"

P=gbt-ls
ESC=$(printf '\033')
cleanup() { docker service ls -q --filter "label=gbtest=$P" | xargs -r docker service rm >/dev/null 2>&1; }
trap cleanup EXIT
cleanup

mk() { docker service create -d --quiet --label gbtest=$P "$@" >/dev/null; }
mk --name $P-run --label glovebox.owner=alice --label glovebox.class=default \
	--limit-cpu 1 --limit-memory 64M glovebox/load --cpu 0.5 --mem 40
mk --name $P-pending --constraint node.labels.glovebox.class==gpu glovebox/load
mk --name $P-fail --restart-condition none glovebox/load --exit 3 --after 1
mk --name $P-oom --restart-condition none --limit-memory 32M glovebox/load --grow
mk --name $P-zero --replicas 0 glovebox/busybox sleep 1000
mk --name $P-hostile --label "glovebox.owner=Zoë 🧪 ${ESC}]0;pwned$(printf '\007')${ESC}[31mred" \
	--label "glovebox.class=$(printf '\342\200\256')gpu" glovebox/busybox sleep 1000

# Wait until the swarm has settled: running ones run, failing ones have failed.
settled() {
	[ "$(docker service ls --filter name=$P-run --format '{{.Replicas}}')" = "1/1" ] &&
	[ "$(docker service ls --filter name=$P-hostile --format '{{.Replicas}}')" = "1/1" ] &&
	docker service ps --format '{{.CurrentState}}' $P-fail | head -n 1 | grep -q '^Failed' &&
	docker service ps --format '{{.CurrentState}}' $P-oom | head -n 1 | grep -q '^Failed' &&
	docker service ps --format '{{.Error}}' $P-pending | head -n 1 | grep -q 'no suitable node'
}
if ! wait_for 60 settled; then
	t_fail "services settle" "$(docker service ls; docker service ps $P-fail $P-oom $P-pending --no-trunc)"
fi
sleep 3   # let the load settle on its duty cycle before sampling

json=$(mktemp); table=$(mktemp)
trap 'cleanup; rm -f "$json" "$table"' EXIT
start=$(date +%s.%N)
"$GLOVEBOX" ls --json > "$json" 2>&1; rc=$?
t_eq "ls --json exits 0" 0 "$rc"
t_check "ls --json is a JSON array" jq -e 'type == "array"' "$json"
"$GLOVEBOX" ls > "$table" 2>&1
t_eq "ls table exits 0" 0 $?

job() { jq -r --arg n "$1" ".[] | select(.name == \$n) | $2" "$json"; }

# Every service the docker CLI lists, with the same id, image and replicas.
count_cli=$(docker service ls -q | wc -l)
t_eq "same number of services as docker service ls" "$count_cli" "$(jq length "$json")"
while IFS=$'\t' read -r id name image replicas; do
	t_eq "$name: id" "$id" "$(job "$name" '.id[0:12]')"
	t_eq "$name: image" "$image" "$(job "$name" '.image')"
	t_eq "$name: replicas" "${replicas%% *}" "$(job "$name" '"\(.replicas_running)/\(.replicas_desired)"')"
	created=$(docker service inspect --format '{{.CreatedAt.Unix}}' "$name")
	t_eq "$name: created_at" "$(date -u -d "@$created" +%Y-%m-%dT%H:%M:%SZ)" "$(job "$name" '.created_at')"
done < <(docker service ls --format '{{.ID}}\t{{.Name}}\t{{.Image}}\t{{.Replicas}}' --filter "label=gbtest=$P")

# State agrees with the newest task in docker service ps.
cli_state() { docker service ps --format '{{.CurrentState}}' "$1" | head -n 1 | awk '{print tolower($1)}'; }
cli_error() { docker service ps --no-trunc --format '{{.Error}}' "$1" | head -n 1 | sed 's/^"\(.*\)"$/\1/'; }
t_eq "running: state" "$(cli_state $P-run)" "$(job $P-run .state)"
t_eq "pending: state" "$(cli_state $P-pending)" "$(job $P-pending .state)"
t_eq "pending: reason is the scheduler's" "$(cli_error $P-pending)" "$(job $P-pending .reason)"
t_eq "failed: state" "$(cli_state $P-fail)" "$(job $P-fail .state)"
t_eq "failed: reason" "$(cli_error $P-fail)" "$(job $P-fail .reason)"
t_eq "failed: exit code" 3 "$(job $P-fail .exit_code)"
oom_cid=$(docker inspect --format '{{.Status.ContainerStatus.ContainerID}}' "$(docker service ps -q --no-trunc $P-oom | head -n 1)")
t_eq "oom: docker says OOMKilled" true "$(docker inspect --format '{{.State.OOMKilled}}' "$oom_cid")"
t_eq "oom: docker service ps says failed" failed "$(cli_state $P-oom)"
t_eq "oom: state" oom "$(job $P-oom .state)"
t_eq "oom: reason" "OOM killed (limit 32 MiB)" "$(job $P-oom .reason)"
t_eq "zero replicas: state" stopped "$(job $P-zero .state)"

# Labels come through whole in JSON; the table shows them sanitised.
t_eq "owner label" alice "$(job $P-run .owner)"
t_eq "class label" default "$(job $P-run .class)"
t_eq "hostile owner label kept whole in JSON" \
	"Zoë 🧪 ${ESC}]0;pwned$(printf '\007')${ESC}[31mred" "$(job $P-hostile .owner)"
if grep -q "$ESC" "$table" || LC_ALL=C grep -q $'\x07\|\xc2[\x80-\x9f]\|\xe2\x80\xae' "$table"; then
	t_fail "table output has no raw escape, BEL, C1 or bidi override" "$(od -c "$table" | head)"
else
	t_ok "table output has no raw escape, BEL, C1 or bidi override"
fi
# The table cuts OWNER and CLASS to their column widths; the start of each is enough.
t_check "table shows the escape visibly" grep -q "$P-hostile.*Zoë 🧪 ^\[\]0;" "$table"
t_check "table shows the bidi override as a token" grep -q "$P-hostile.*<U+202E>" "$table"
t_check "table shows the pending reason" grep -q "$P-pending.*pending.*no suitable node" "$table"

# Usage: a 0.5-CPU load under a 1-CPU limit reads about 50 %; 40 MiB of 64 MiB about 62 %.
cpu=$(job $P-run .cpu_percent); mem=$(job $P-run .mem_bytes)
t_eq "cpu limit" 1 "$(job $P-run .cpu_limit)"
t_eq "mem limit" 67108864 "$(job $P-run .mem_limit)"
t_check "cpu about 50 % of the 1-CPU limit (35..65): $cpu" awk -v v="$cpu" 'BEGIN{exit !(v >= 35 && v <= 65)}'
t_check "memory about 62 % of 64 MiB (55..72 %): $mem" awk -v v="$mem" 'BEGIN{exit !(v / 67108864 * 100 >= 55 && v / 67108864 * 100 <= 72)}'
run_cid=$(docker ps -q --filter label=com.docker.swarm.service.name=$P-run | head -n 1)
read -r dcpu dmem < <(docker stats --no-stream --format '{{.CPUPerc}} {{.MemUsage}}' "$run_cid" |
	sed 's/%//; s/ \/.*//' | awk '{m=$2; u=1; if (m ~ /GiB$/) u=1073741824; else if (m ~ /MiB$/) u=1048576; else if (m ~ /KiB$/) u=1024; sub(/[A-Za-z]+$/, "", m); print $1, m*u}')
t_check "cpu matches docker stats within 15 points ($cpu vs $dcpu)" awk -v a="$cpu" -v b="$dcpu" 'BEGIN{d=a-b; if (d<0) d=-d; exit !(d <= 15)}'
t_check "memory matches docker stats within 4 MiB ($mem vs $dmem)" awk -v a="$mem" -v b="$dmem" 'BEGIN{d=a-b; if (d<0) d=-d; exit !(d <= 4194304)}'
t_eq "no usage for tasks that do not run" null "$(job $P-pending .cpu_percent)"

# The human table and the other commands.
t_check "table has a header" grep -q '^ID  *NAME  *IMAGE' "$table"
t_check "version names the negotiated API" sh -c "'$GLOVEBOX' version | grep -q 'API 1.41 negotiated'"
t_check "ls --no-usage skips sampling" sh -c "'$GLOVEBOX' ls --json --no-usage | jq -e 'all(.[]; .cpu_percent == null)'"
t_end
