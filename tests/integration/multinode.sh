#!/usr/bin/env bash
# The multi-node sandbox (tests/engine/multinode.sh) and what glovebox sees of it: a job of each
# class lands on the node of that class, a gpu job reserves the worker's generic resource and a
# second one waits with the engine's reason, drain moves or parks jobs, a killed worker shows down
# and comes back; Prometheus scrapes the three node-exporters; and the single-node sandbox leaves
# a host engine's docker0, and a container on it, alone. Starts and stops everything it uses.
T_SUITE=integration/multinode
. "$(dirname "$0")/../lib.sh"

[ "$(id -u)" -eq 0 ] || t_skip_suite "not root: the multi-node sandbox runs dockerd in network namespaces"
for tool in dockerd docker jq curl ip nsenter unshare prometheus prometheus-node-exporter socat; do
	command -v "$tool" >/dev/null || t_skip_suite "$tool is not installed (make deps)"
done
[ -x "$GLOVEBOX" ] || t_skip_suite "$GLOVEBOX is not built (make)"

MN=$GB_ROOT/tests/engine/multinode.sh
PROM=$GB_ROOT/tests/engine/prometheus.sh
SBX=$GB_ROOT/tests/engine/sandbox.sh
POLICY=$GB_ROOT/docs/examples/policy.json
P=gbt-mn
work=$(mktemp -d)
# The single-node sandbox of the docker0 check is an instance of its own, not the shared one.
D0_ENV=(GB_SANDBOX_DIR=/run/gbt-mn-d0 GB_SANDBOX_DATA=/var/lib/gbt-mn-d0 GB_SANDBOX_FORWARD=)
# A throwaway engine in the host's namespace with the default bridge, when the host has none.
HOSTD=/run/gbt-mn-hostd
HOSTD_DATA=/var/lib/gbt-mn-hostd
made_docker0=

hostd() { DOCKER_HOST=unix://$HOSTD/docker.sock docker "$@"; }
hostd_stop() {
	local pid
	[ -d "$HOSTD" ] || return 0
	hostd rm -f gbt-mn-d0 >/dev/null 2>&1
	pid=$(cat "$HOSTD/dockerd.pid" 2>/dev/null)
	if [ -n "$pid" ] && grep -qF "$HOSTD" "/proc/$pid/cmdline" 2>/dev/null; then
		kill -TERM "$pid"
		wait_for 20 sh -c "! grep -qF '$HOSTD' /proc/$pid/cmdline 2>/dev/null" || kill -KILL "$pid"
	fi
	# Its containerd and shims, then its mounts.
	for pid in $(pgrep -f "$HOSTD/"); do kill -KILL "$pid" 2>/dev/null; done
	awk -v a="$HOSTD" -v b="$HOSTD_DATA" 'index($5, a) == 1 || index($5, b) == 1 { print $5 }' /proc/self/mountinfo |
		tac | xargs -r -n1 umount -l 2>/dev/null
	rm -rf --one-file-system "$HOSTD" "$HOSTD_DATA"
	[ -n "$made_docker0" ] && ip link delete docker0 2>/dev/null
	made_docker0=
}

collect_pids=()
cleanup() {
	for p in "${collect_pids[@]}"; do kill "$p" 2>/dev/null; done
	"$PROM" stop >/dev/null 2>&1
	"$MN" stop >/dev/null 2>&1
	env "${D0_ENV[@]}" "$SBX" stop --purge >/dev/null 2>&1
	rm -rf /run/gbt-mn-d0
	hostd_stop
	rm -rf "$work"
}
trap cleanup EXIT

# ---- start ----
t0=$SECONDS
out=$("$MN" start 2>&1); rc=$?
t_eq "multinode.sh start: exit 0 (took $((SECONDS - t0)) s)" 0 "$rc"
[ "$rc" = 0 ] || { printf '%s\n' "$out" | tail -n 20; t_end; exit 0; }
eval "$("$MN" env)"
export DOCKER_HOST
W1=$GB_MULTINODE_WORKER1_HOST W2=$GB_MULTINODE_WORKER2_HOST
t0=$SECONDS
out=$("$MN" start 2>&1); rc=$?
t_eq "a second start: exit 0, nothing restarted" "0 0" "$rc $(grep -c 'starting dockerd\|swarm join\|swarm init' <<<"$out")"
t_check "  and took under 10 s" test $((SECONDS - t0)) -lt 10
case $DOCKER_HOST in unix:///*) t_ok "glovebox reaches the manager over a unix socket on the host" ;;
*) t_fail "glovebox reaches the manager over a unix socket on the host" "$DOCKER_HOST" ;; esac

gb() { "$GLOVEBOX" --timeout 10 "$@"; }
nodes=$(gb nodes --json)
t_eq "glovebox nodes: three nodes, all ready and active" "3 3" \
	"$(jq -r '"\(length) \([.[] | select(.state == "ready" and .availability == "active")] | length)"' <<<"$nodes")"
t_eq "  hostnames, classes and roles" \
	"gbmn-manager default manager gbmn-worker1 highram worker gbmn-worker2 gpu worker" \
	"$(jq -r 'sort_by(.hostname) | [.[] | "\(.hostname) \(.class) \(.role)"] | join(" ")' <<<"$nodes")"
t_eq "  addresses on the bridge (the manager advertises its own, not 127.0.0.1)" "10.231.7.2 10.231.7.3 10.231.7.4" \
	"$(jq -r 'sort_by(.hostname) | [.[].addr] | join(" ")' <<<"$nodes")"
t_eq "the gpu worker advertises its fake GPU" '["GPU=fake0","NVIDIA-GPU=fake0"]' \
	"$(docker node inspect gbmn-worker2 --format '{{json .Description.Resources.GenericResources}}' |
		jq -c '[.[].NamedResourceSpec | "\(.Kind)=\(.Value)"] | sort')"

# Each dockerd in a network namespace of its own (not the host's, not each other's) and UTS too.
ns_ids=() uts_ids=()
for n in manager worker1 worker2; do
	pid=$(cat "/run/glovebox-multinode/$n/dockerd.pid")
	ns_ids+=("$(stat -L -c %i "/proc/$pid/ns/net")")
	uts_ids+=("$(stat -L -c %i "/proc/$pid/ns/uts")")
done
t_eq "every dockerd, the manager's too, in a network namespace of its own" 4 \
	"$(printf '%s\n' "${ns_ids[@]}" "$(stat -L -c %i /proc/self/ns/net)" | sort -u | wc -l)"
t_eq "  and a UTS namespace of its own (the host keeps its hostname $(hostname))" 4 \
	"$(printf '%s\n' "${uts_ids[@]}" "$(stat -L -c %i /proc/self/ns/uts)" | sort -u | wc -l)"

# ---- a job of each class lands on the node of that class ----
# The constraints are the example policy's: what glovebox submit gives a job of the class.
constraints() { jq -r --arg c "$1" '.classes[$c].constraints[] | "--constraint=\(.)"' "$POLICY"; }
mk() {   # name [docker service create args...]
	local name=$1
	shift
	docker service create -d -q --no-resolve-image --name "$name" --label "gbtest=$P" \
		--restart-delay 1s --stop-grace-period 1s "$@" >/dev/null 2>&1 || t_fail "create $name"
}
SLEEP=(glovebox/busybox sleep 100000)
mapfile -t c_default < <(constraints default)
mapfile -t c_highram < <(constraints highram)
mapfile -t c_gpu < <(constraints gpu)
mk $P-default "${c_default[@]}" "${SLEEP[@]}"
mk $P-highram "${c_highram[@]}" "${SLEEP[@]}"
mk $P-gpu1 "${c_gpu[@]}" --generic-resource NVIDIA-GPU=1 "${SLEEP[@]}"

# ps_task NAME FIELD: FIELD of the job's current task (glovebox ps --json).
# The current task is the one the swarm wants running; older ones are kept for history.
ps_task() {
	gb ps "$1" --json 2>/dev/null |
		jq -r --arg f "$2" '[.tasks[] | select(.desired_state == "running")] | sort_by(.since) | last | .[$f] // empty'
}
on() { [ "$(ps_task "$1" state)" = running ] && [ "$(ps_task "$1" node)" = "$2" ]; }
t_check "a default job runs on the manager (glovebox ps --json)" wait_for 30 on $P-default gbmn-manager
t_check "a highram job runs on worker 1" wait_for 30 on $P-highram gbmn-worker1
t_check "a gpu job runs on worker 2" wait_for 30 on $P-gpu1 gbmn-worker2

# ---- the GPU is reserved ----
gpu_env() {
	local c
	c=$(DOCKER_HOST=$W2 docker ps -q --filter "label=com.docker.swarm.service.name=$P-gpu1" | head -n 1)
	DOCKER_HOST=$W2 docker inspect "$c" --format '{{range .Config.Env}}{{println .}}{{end}}' | grep '^DOCKER_RESOURCE_'
}
t_eq "  it holds the GPU: the engine hands it DOCKER_RESOURCE_NVIDIA-GPU=fake0" "DOCKER_RESOURCE_NVIDIA-GPU=fake0" "$(gpu_env)"
mk $P-gpu2 "${c_gpu[@]}" --generic-resource NVIDIA-GPU=1 "${SLEEP[@]}"
pending_err() { [ "$(ps_task "$1" state)" = pending ] && ps_task "$1" error | grep -q "$2"; }
t_check "a second gpu job stays pending: insufficient resources" wait_for 20 pending_err $P-gpu2 "insufficient resources"
t_eq "  the reason, as glovebox ps shows it" "no suitable node (insufficient resources on 3 nodes)" "$(ps_task $P-gpu2 error)"
# What glovebox submit reserves for a class with "gpus": the kind GPU.
mk $P-gpu3 "${c_gpu[@]}" --generic-resource GPU=1 "${SLEEP[@]}"
t_check "a job reserving the kind GPU (glovebox submit's) runs on worker 2" wait_for 30 on $P-gpu3 gbmn-worker2
gres() {   # gres HOST KIND: "reserved/capacity" of that generic resource (glovebox nodes --json)
	gb nodes --json | jq -r --arg h "$1" --arg k "$2" \
		'.[] | select(.hostname == $h) | .generic_resources[] | select(.kind == $k) | "\(.reserved)/\(.capacity)"'
}
t_eq "  glovebox nodes --json: worker 2's GPU reserved" "1/1" "$(gres gbmn-worker2 GPU)"
t_eq "  and its NVIDIA-GPU too" "1/1" "$(gres gbmn-worker2 NVIDIA-GPU)"
mk $P-gpu4 "${c_gpu[@]}" --generic-resource GPU=1 "${SLEEP[@]}"
why() { gb ls --json --attention --pending-after 1s 2>/dev/null | jq -r --arg n "$1" '.[] | select(.name == $n) | .attention.why // empty'; }
gpu4_why() { why $P-gpu4 | grep -q 'GPU short on gbmn-worker2 (most free: 0; needs 1)'; }
t_check "  a second job of the kind GPU waits, and glovebox says why in plain words" wait_for 30 gpu4_why
docker service rm $P-gpu4 >/dev/null
docker service rm $P-gpu1 >/dev/null
t_check "the GPU freed: the waiting job starts on worker 2" wait_for 30 on $P-gpu2 gbmn-worker2

# ---- drain ----
# A job that may run on either worker, placed on worker 1: worker 2 takes no new task meanwhile.
docker node update --availability pause gbmn-worker2 >/dev/null
mk $P-mover --constraint node.role==worker "${SLEEP[@]}"
t_check "a job for any worker starts on worker 1 (worker 2 paused)" wait_for 30 on $P-mover gbmn-worker1
docker node update --availability active gbmn-worker2 >/dev/null
docker node update --availability drain gbmn-worker1 >/dev/null
t_check "drain worker 1: that job moves to worker 2" wait_for 30 on $P-mover gbmn-worker2
t_check "  the highram job waits: no suitable node" wait_for 30 pending_err $P-highram "no suitable node"
t_eq "  glovebox nodes says drain" drain "$(gb nodes --json | jq -r '.[] | select(.hostname == "gbmn-worker1") | .availability')"
docker node update --availability active gbmn-worker1 >/dev/null
t_check "  back to active: the highram job runs on worker 1 again" wait_for 30 on $P-highram gbmn-worker1

# ---- a worker's engine dies and comes back ----
node_state() { gb nodes --json 2>/dev/null | jq -r --arg h "$1" '.[] | select(.hostname == $h) | .state'; }
state_is() { [ "$(node_state "$1")" = "$2" ]; }
kill -KILL "$(cat /run/glovebox-multinode/worker1/dockerd.pid)"
t0=$SECONDS
t_check "worker 1's dockerd killed: glovebox nodes shows it down" wait_for 30 state_is gbmn-worker1 down
t_check "  within 20 s (heartbeat 2 s; took $((SECONDS - t0)) s)" test $((SECONDS - t0)) -le 20
t_eq "  the other nodes stay ready" "ready ready" "$(node_state gbmn-manager) $(node_state gbmn-worker2)"
t_check "  its highram job waits: the node is not available" wait_for 20 pending_err $P-highram "not available for new tasks"
out=$("$MN" start 2>&1)
t_check "multinode.sh start brings it back" grep -q "worker1: starting dockerd" <<<"$out"
t_check "  ready again in glovebox nodes" wait_for 30 state_is gbmn-worker1 ready
t_check "  and its highram job runs there again" wait_for 40 on $P-highram gbmn-worker1

# ---- Prometheus ----
out=$("$PROM" start 2>&1); rc=$?
t_eq "prometheus.sh start: exit 0" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out" | tail -n 10
eval "$("$PROM" env)"
ups() {
	curl -fsS --max-time 3 "$GLOVEBOX_METRICS/api/v1/query?query=up" |
		jq -r '[.data.result[] | select(.value[1] == "1") | .metric.swarm_node_hostname] | sort | join(" ")'
}
three_up() { [ "$(ups)" = "gbmn-manager gbmn-worker1 gbmn-worker2" ]; }
t_check "Prometheus: up is 1 for the three node-exporters, labelled with the hostnames" wait_for 20 three_up
ids=$(curl -fsS --max-time 3 "$GLOVEBOX_METRICS/api/v1/query?query=up" |
	jq -r '[.data.result[].metric.swarm_node_id] | sort | join(" ")')
t_eq "  and the swarm node IDs" "$(docker node ls -q | sort | tr '\n' ' ' | sed 's/ $//')" "$ids"
echo 'gbtest_textfile 1' > "$GB_TEXTFILE_DIR_WORKER2/gbtest.prom"
textfile() {
	curl -fsS --max-time 3 "$GLOVEBOX_METRICS/api/v1/query?query=gbtest_textfile" |
		jq -e '.data.result[0].metric.swarm_node_hostname == "gbmn-worker2"' >/dev/null
}
t_check "  a textfile in worker 2's directory is scraped as worker 2's" wait_for 20 textfile

# ---- every node's jobs: usage and OOM kills from Prometheus, fed by glovebox collect ----
for n in manager worker1 worker2; do
	dirvar=GB_TEXTFILE_DIR_${n^^}
	"$GLOVEBOX" collect --interval 2 --textfile-dir "${!dirvar}" --parent "/glovebox-multinode-$n" \
		2>> "$work/collect.log" &
	collect_pids+=($!)
done
mk $P-busy "${c_highram[@]}" --limit-memory 64M glovebox/load --cpu 0.5 --mem 16
# A job whose worker process the kernel OOM-kills and that fails 6 s later: the collector reads
# the OOM count of a cgroup that still exists. (A container whose only process is OOM-killed
# takes its cgroup with it before any reader sees the count; cAdvisor, which follows the
# kernel's OOM events, reports it; docs/metrics.md says so.)
mk $P-oom --constraint node.hostname==gbmn-worker2 --limit-memory 16M --restart-condition none \
	--entrypoint /bin/sh glovebox/load -c '/load --mem 64; sleep 6; exit 137'
t_check "a busy job runs on worker 1" wait_for 30 on $P-busy gbmn-worker1
gbm() { GLOVEBOX_METRICS_WINDOW=10s gb --metrics "$GLOVEBOX_METRICS" "$@"; }
job() { gbm ls --json 2>/dev/null | jq -r --arg n "$1" ".[] | select(.name == \$n) | $2"; }
has_cpu() { [ "$(job $P-busy '.cpu_percent // empty')" != "" ] && [ "$(job $P-busy .usage_source)" = prometheus ]; }
t_check "  glovebox ls --metrics: its CPU and memory come from Prometheus" wait_for 40 has_cpu
sleep 12   # a full rate window of samples since it started
c=$(DOCKER_HOST=$W1 docker ps -q --no-trunc --filter "label=com.docker.swarm.service.name=$P-busy" | head -n 1)
want_cpu=$(DOCKER_HOST=$W1 docker stats --no-stream --format '{{.CPUPerc}}' "$c" | tr -d '%')
want_mem=$(curl -s --unix-socket "${W1#unix://}" "http://d/containers/$c/stats?stream=false&one-shot=true" |
	jq '.memory_stats.usage - (.memory_stats.stats.total_inactive_file // 0)')
got=$(gbm ls --json 2>/dev/null | jq -r --arg n $P-busy '.[] | select(.name == $n) | "\(.cpu_percent) \(.mem_bytes) \(.node)"')
read -r got_cpu got_mem got_node <<<"$got"
t_eq "  its node is worker 1" gbmn-worker1 "$got_node"
t_check "  CPU $got_cpu % within 15 % of docker stats on worker 1's engine ($want_cpu %)" \
	awk -v g="$got_cpu" -v w="$want_cpu" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(w > 0 && d <= 0.15 * w) }'
t_check "  memory $got_mem B within 10 % of worker 1's engine ($want_mem B)" \
	awk -v g="$got_mem" -v w="$want_mem" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(w > 0 && d <= 0.10 * w) }'
is_oom() { [ "$(job $P-oom .state)" = oom ]; }
t_check "an OOM kill in a job on worker 2 shows as OOM (from Prometheus, not the connected node's inspect)" wait_for 40 is_oom
for p in "${collect_pids[@]}"; do kill "$p" 2>/dev/null; done
collect_pids=()
docker service rm $P-busy $P-oom >/dev/null 2>&1
"$PROM" stop >/dev/null 2>&1
prom_gone() {
	! pgrep -f -- "--collector.textfile.directory=/run/glovebox-prometheus/|--config.file=/run/glovebox-prometheus/" &&
		! ls -d /tmp/glovebox-prometheus.* /run/glovebox-prometheus 2>/dev/null
}
t_check "prometheus.sh stop: no Prometheus, no exporter, no data left" prom_gone

# ---- the single-node sandbox leaves the host's docker0 alone ----
# A host engine with a container on its default bridge: the machine's own, or a throwaway one.
if ip link show docker0 >/dev/null 2>&1; then
	echo "  (the host has a docker0: checking it)"
else
	# No host engine: a throwaway one in the host's namespace, with the default bridge (docker0)
	# on an address of ours, touching no firewall rule and no sysctl.
	mkdir -p "$HOSTD/exec" "$HOSTD_DATA"
	made_docker0=1
	setsid dockerd --host "unix://$HOSTD/docker.sock" --data-root "$HOSTD_DATA" --exec-root "$HOSTD/exec" \
		--pidfile "$HOSTD/dockerd.pid" --bip 10.231.254.1/24 --iptables=false --ip-masq=false --ip-forward=false \
		--cgroup-parent /gbt-mn-hostd --containerd-namespace gbt-mn-hostd \
		--containerd-plugins-namespace gbt-mn-hostd-plugins </dev/null >"$HOSTD/dockerd.log" 2>&1 &
	wait_for 30 hostd version || t_fail "a throwaway host engine starts" "$(tail -n 5 "$HOSTD/dockerd.log")"
	docker save glovebox/busybox:latest | hostd load -q >/dev/null
	# The client warns that IPv4 forwarding is off: on purpose, nothing here is routed.
	out=$(hostd run -d --name gbt-mn-d0 --network bridge glovebox/busybox sleep 100000 2>&1) ||
		t_fail "a container on the host engine's default bridge" "$out"
fi
idx=$(cat /sys/class/net/docker0/ifindex 2>/dev/null)
[ -n "$idx" ] || t_fail "a docker0 to check" "no host engine, and the throwaway one made no docker0"

# ---- stop leaves nothing ----
t0=$SECONDS
out=$("$MN" stop 2>&1); rc=$?
t_eq "multinode.sh stop: exit 0 (took $((SECONDS - t0)) s)" 0 "$rc"
t_eq "  no dockerd, containerd or shim of it left" "" "$(pgrep -f /run/glovebox-multinode/)"
t_eq "  no network namespace, veth or bridge left" "" "$(ip netns list | grep gbmn; ip -br link | grep gbmn)"
t_eq "  no mount left" 0 "$(grep -c glovebox-multinode /proc/self/mountinfo)"
t_check "  no data root left" test ! -e /var/lib/glovebox-multinode
if iptables -S DOCKER-USER >/dev/null 2>&1; then
	t_check "  no DOCKER-USER rule left" sh -c '! iptables -S DOCKER-USER | grep -q gbmn0'
fi

if [ -n "$idx" ]; then
	out=$(env "${D0_ENV[@]}" "$SBX" start 2>&1) || t_fail "a single-node sandbox starts" "$out"
	t_eq "docker0 survives the multi-node sandbox and a single-node sandbox's start (same interface)" "$idx" \
		"$(cat /sys/class/net/docker0/ifindex 2>/dev/null)"
	out=$(env "${D0_ENV[@]}" "$SBX" stop --purge 2>&1) || t_fail "the single-node sandbox stops" "$out"
	t_eq "  and its stop" "$idx" "$(cat /sys/class/net/docker0/ifindex 2>/dev/null)"
	if [ -d "$HOSTD" ]; then
		t_eq "  the host engine's container still runs" true "$(hostd inspect -f '{{.State.Running}}' gbt-mn-d0 2>/dev/null)"
		peer=$(hostd exec gbt-mn-d0 cat /sys/class/net/eth0/iflink 2>/dev/null)
		master=
		for f in /sys/class/net/*/ifindex; do
			[ "$(cat "$f")" = "$peer" ] && master=$(basename "$(readlink "${f%/ifindex}/master")")
		done
		t_eq "  still attached to docker0" docker0 "$master"
		hostd_stop
	fi
	t_eq "the single-node sandbox left no network namespace" "" \
		"$(ip netns list | grep -w "$(basename "$(env "${D0_ENV[@]}" "$SBX" netns)")")"
fi

t_end
