#!/usr/bin/env bash
# Usage from a real Prometheus (docs/metrics.md): a busy job's CPU and memory through
# node-exporter's textfile collector and Prometheus agree with docker stats; Prometheus stopped
# leaves ls answering with a clear note; a URL that answers HTML gets one clear line;
# nodes --prometheus-sd feeds Prometheus's file_sd.
#
# The textfile is written by `glovebox collect --interval 2` from the containers' cgroups,
# restricted to the job's cgroup parent.
# Everything listens on 127.0.0.1 only; every wait is bounded; nothing outlives the suite.
T_SUITE=integration/metrics
. "$(dirname "$0")/../lib.sh"

[ -n "${GB_NO_ENGINE:-}" ] && t_skip_suite "$GB_NO_ENGINE"
[ "$(id -u)" -eq 0 ] || t_skip_suite "not root: the sandbox engine and cgroup files need root"
[ -n "${DOCKER_HOST:-}" ] || t_skip_suite "no sandbox engine (DOCKER_HOST unset)"
for c in jq curl busybox prometheus prometheus-node-exporter; do
	command -v $c >/dev/null || t_skip_suite "$c is not installed (make deps)"
done

P=gbt-metrics
# Loopback ports of this suite only (not 9090/9100/5000/5001, which others use).
PROM_PORT=${GB_METRICS_PROM_PORT:-19390}
NE_PORT=${GB_METRICS_NE_PORT:-19391}
HTML_PORT=${GB_METRICS_HTML_PORT:-19392}
PROM=http://127.0.0.1:$PROM_PORT
WORK=$(mktemp -d /tmp/gbtest-metrics-XXXXXX)
PIDS=()

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.3; done
		kill -9 "$p" 2>/dev/null
	done
	docker service ls -q --filter "label=gbtest=$P" | xargs -r docker service rm >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT
docker service ls -q --filter "label=gbtest=$P" | xargs -r docker service rm >/dev/null 2>&1
for port in $PROM_PORT $NE_PORT $HTML_PORT; do
	ss -ltn | grep -q "127.0.0.1:$port \|\*:$port \|0.0.0.0:$port " &&
		t_skip_suite "port $port is taken (set GB_METRICS_*_PORT)"
done

# ---- the job ----
docker service create -d --quiet --name $P-load --label gbtest=$P --label glovebox.owner=alice \
	--limit-cpu 1 --limit-memory 64M glovebox/load --cpu 0.5 --mem 24 >/dev/null 2>&1
running() { [ "$(docker service ls --filter name=$P-load --format '{{.Replicas}}')" = "1/1" ]; }
wait_for 60 running || t_fail "load job runs" "$(docker service ps --no-trunc $P-load)"
CID=$(docker inspect --format '{{.Status.ContainerStatus.ContainerID}}' \
	"$(docker service ps -q --no-trunc --filter desired-state=running $P-load | head -n 1)")
CG=$(find /sys/fs/cgroup/cpuacct/ -maxdepth 3 -type d -name "$CID" 2>/dev/null | head -n 1)
CGPATH=${CG#/sys/fs/cgroup/cpuacct}
[ -n "$CG" ] && [ -f "$CG/cpuacct.usage" ] || t_skip_suite "no cgroup v1 cpuacct directory for $CID (this suite reads cgroup v1)"
t_ok "the job's cgroup: $CGPATH"

# ---- the collector: glovebox collect, every 2 s, for the job's cgroup parent ----
mkdir -p "$WORK/textfile"
"$GLOVEBOX" collect --interval 2 --textfile-dir "$WORK/textfile" --parent "${CGPATH%/*}" \
	2> "$WORK/collect.log" & PIDS+=($!)
wait_for 10 test -s "$WORK/textfile/glovebox.prom" ||
	t_fail "glovebox collect writes the textfile" "$(cat "$WORK/collect.log")"

prometheus-node-exporter --web.listen-address=127.0.0.1:$NE_PORT --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$WORK/textfile" --collector.cpu \
	--collector.meminfo > "$WORK/node-exporter.log" 2>&1 & PIDS+=($!)

# ---- the scrape targets from glovebox itself ----
"$GLOVEBOX" nodes --prometheus-sd --port $NE_PORT > "$WORK/targets.json" 2> "$WORK/sd.err"
t_eq "nodes --prometheus-sd exits 0" 0 $?
NODE_ID=$(docker node ls --format '{{.ID}}' | head -n 1)
NODE_ID=$(docker node inspect --format '{{.ID}}' "$NODE_ID")
NODE_HOST=$(docker node inspect --format '{{.Description.Hostname}}' "$NODE_ID")
NODE_ADDR=$(docker node inspect --format '{{.Status.Addr}}' "$NODE_ID")
t_check "--prometheus-sd: valid JSON, one group per node" \
	jq -e --argjson n "$(docker node ls -q | wc -l)" 'type == "array" and length == $n' "$WORK/targets.json"
t_eq "--prometheus-sd: target is the node's address and the port" "$NODE_ADDR:$NE_PORT" \
	"$(jq -r '.[0].targets[0]' "$WORK/targets.json")"
t_eq "--prometheus-sd: label swarm_node_id" "$NODE_ID" "$(jq -r '.[0].labels.swarm_node_id' "$WORK/targets.json")"
t_eq "--prometheus-sd: label swarm_node_hostname" "$NODE_HOST" \
	"$(jq -r '.[0].labels.swarm_node_hostname' "$WORK/targets.json")"
t_eq "--prometheus-sd: only those two labels" 2 "$(jq -r '.[0].labels | length' "$WORK/targets.json")"
t_eq "--port without --prometheus-sd is a usage error" 2 "$("$GLOVEBOX" nodes --port 1 >/dev/null 2>&1; echo $?)"

cat > "$WORK/prometheus.yml" <<EOF
global:
  scrape_interval: 2s
  evaluation_interval: 2s
scrape_configs:
  - job_name: node
    file_sd_configs:
      - files: ['$WORK/targets.json']
        refresh_interval: 5s
EOF
start_prometheus() {
	prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/data" \
		--web.listen-address=127.0.0.1:$PROM_PORT --storage.tsdb.retention.time=1h \
		>> "$WORK/prometheus.log" 2>&1 &
	PROM_PID=$!
	PIDS+=($PROM_PID)
}
start_prometheus

# Enough samples for a rate over the window (10 s = five scrapes of 2 s).
export GLOVEBOX_METRICS_WINDOW=10s
have_samples() {   # jq -e succeeds on empty input: look at the answer first
	local out n
	out=$(curl -sf --max-time 2 "$PROM/api/v1/query" \
		--data-urlencode "query=count_over_time(container_cpu_usage_seconds_total[10s])") || return 1
	n=$(printf '%s' "$out" | jq -r '.data.result[0].value[1] // "0"')
	[ "${n:-0}" -ge 4 ] 2>/dev/null
}
if ! wait_for 60 have_samples; then
	t_fail "Prometheus scrapes the textfile" "$(tail -n 5 "$WORK/prometheus.log"; tail -n 5 "$WORK/node-exporter.log")"
fi
sleep 4   # past the load's start-up in the window

# ---- figures from Prometheus against docker stats ----
ls_json() { timeout 30 "$GLOVEBOX" --metrics "$PROM" ls --json 2> "$WORK/ls.err"; }
job() { jq -r --arg n $P-load ".[] | select(.name == \$n) | $1" "$WORK/ls.json"; }
stats=$(docker stats --no-stream --format '{{.CPUPerc}} {{.MemUsage}}' "$CID")
ls_json > "$WORK/ls.json"
t_eq "ls --metrics exits 0" 0 $?
t_eq "no note on stderr while Prometheus answers" "" "$(cat "$WORK/ls.err")"
t_eq "usage_source" prometheus "$(job .usage_source)"
t_eq "node: the task's node's hostname" "$NODE_HOST" "$(job .node)"
t_eq "nodes: the hostnames of the running tasks" "[\"$NODE_HOST\"]" "$(job '.nodes | tojson')"
t_check "usage_age_s is a small number" jq -e --arg n $P-load \
	'.[] | select(.name == $n) | .usage_age_s | type == "number" and . >= 0 and . < 10' "$WORK/ls.json"
docker_cpu=${stats%%%*}
gb_cpu=$(job .cpu_percent)
within() {   # within GOT WANT FRACTION
	awk -v g="$1" -v w="$2" -v f="$3" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(g != "" && w > 0 && d <= f * w) }'
}
if within "$gb_cpu" "$docker_cpu" 0.15; then
	t_ok "cpu_percent $gb_cpu within 15 % of docker stats $docker_cpu"
else
	t_fail "cpu_percent within 15 % of docker stats" "glovebox $gb_cpu, docker stats $docker_cpu; Prometheus has: $(curl -s --max-time 2 "$PROM/api/v1/query" --data-urlencode 'query=container_cpu_usage_seconds_total[10s]' | head -c 600)"
fi
mem=$(printf '%s\n' "$stats" | awk '{print $2}')
docker_mem=$(printf '%s\n' "$mem" | awk '{ v = $1 + 0; u = $1; sub(/^[0-9.]+/, "", u);
	m = u == "KiB" ? 1024 : u == "MiB" ? 1048576 : u == "GiB" ? 1073741824 : 1; printf "%.0f", v * m }')
gb_mem=$(job .mem_bytes)
if within "$gb_mem" "$docker_mem" 0.10; then
	t_ok "mem_bytes $gb_mem within 10 % of docker stats $mem"
else
	t_fail "mem_bytes within 10 % of docker stats" "glovebox $gb_mem, docker stats $mem ($docker_mem)"
fi
echo "        figures: glovebox cpu $gb_cpu %, mem $gb_mem B; docker stats cpu $docker_cpu %, mem $mem"

"$GLOVEBOX" --metrics "$PROM" nodes --json > "$WORK/nodes.json" 2>&1
t_check "nodes --json: cpu_used_percent and mem_used_bytes from node-exporter" \
	jq -e '.[0].cpu_used_percent > 0 and .[0].mem_used_bytes > 0' "$WORK/nodes.json"

# ---- ps --json: the last hour ----
GLOVEBOX_METRICS_WINDOW=10s "$GLOVEBOX" --metrics "$PROM" ps $P-load --json > "$WORK/ps.json" 2> "$WORK/ps.err"
t_eq "ps --json with Prometheus exits 0" 0 $?
t_eq "ps --json: usage_history has 61 samples a minute apart" "61 61 60" \
	"$(jq -r '.usage_history | "\(.cpu_percent | length) \(.mem_bytes | length) \(.step_s)"' "$WORK/ps.json")"
# A 2-minute rate over a job seconds old counts its few seconds over the whole window (as
# Prometheus's rate() does): above zero, within its 1-CPU limit.
t_check "ps --json: the newest CPU sample shows the busy job ($(jq -c '.usage_history.cpu_percent | map(select(. != null)) | last' "$WORK/ps.json") %)" \
	jq -e '.usage_history.cpu_percent | map(select(. != null)) | last | . > 0 and . <= 110' "$WORK/ps.json"
t_check "ps --json: the newest memory sample is the job's working set (16 MiB to 64 MiB)" \
	jq -e '.usage_history.mem_bytes | map(select(. != null)) | last | . > 8000000 and . < 67108864' "$WORK/ps.json"
t_eq "ps --json without Prometheus: usage_history null" null \
	"$(env -u GLOVEBOX_METRICS "$GLOVEBOX" ps $P-load --json 2>/dev/null | jq -c .usage_history)"

# ---- the console: the last hour as sparklines, the node as used/reserved/capacity ----
if command -v tmux >/dev/null; then
	. "$GB_ROOT/tests/screen/lib-screen.sh"
	suite_cleanup() { cleanup; }
	scr_init
	scr_start con "GLOVEBOX_METRICS_WINDOW=10s $SCR_GB --metrics $PROM"
	scr_go con
	scr_wait 15 con " jobs: " || t_fail "the console starts with --metrics" "$(scr_cap con)"
	scr send-keys -t con / $P-load Enter
	# The name is cut at 80 columns: the filter leaves the one row, selected.
	scr_wait 10 con "^gbt-metric.* running " && scr send-keys -t con Enter
	if scr_wait 45 con '^last hour  CPU .*[▁▂▃▄▅▆▇█].*%  MEM .*[▁▂▃▄▅▆▇█]'; then
		t_ok "tasks view: the last hour's CPU and memory as sparklines"
	else
		t_fail "tasks view: the last hour's CPU and memory as sparklines" "$(scr_cap con)"
	fi
	t_match "tasks view: the table under the history line" "$(scr_line con 3)" '^SLOT +NODE'
	scr send-keys -t con Escape
	scr_wait 5 con '^NAME' && scr send-keys -t con N
	scr resize-window -t con -x 140 -y 24   # room for the memory bar's text
	if scr_wait 15 con "^$NODE_HOST .*[0-9.]+/[0-9.]+/[0-9.]+\\] .*[0-9.]+[A-Za-z]*/[0-9.]+[A-Za-z]*/[0-9.]+[A-Za-z]*\\]"; then
		t_ok "nodes view: CPU and memory as used/reserved/capacity"
	else
		t_fail "nodes view: CPU and memory as used/reserved/capacity" "$(scr_cap con)"
	fi
	if scr_wait 45 con '^last hour  CPU .*[▁▂▃▄▅▆▇█].*%  MEM .*[▁▂▃▄▅▆▇█]'; then
		t_ok "nodes view: the selected node's last hour as sparklines"
	else
		t_fail "nodes view: the selected node's last hour as sparklines" "$(scr_cap con)"
	fi
	scr send-keys -t con Escape
	scr_wait 5 con '^NAME'
	t_match "jobs list, wide: a NODE column" "$(scr_cap con | grep '^NAME')" ' NODE '
	t_match "jobs list, wide: the job's node" "$(scr_cap con | grep '^gbt-metric')" " $NODE_HOST "
	# Prometheus goes away under the console: the bars keep their last figures, the status line
	# says how old they are, the loop stays quiet, and it recovers by itself.
	scr send-keys -t con Escape
	scr_wait 5 con '^NAME'
	kill "$PROM_PID"
	for _ in $(seq 1 20); do kill -0 "$PROM_PID" 2>/dev/null || break; sleep 0.5; done
	if scr_wait 20 con "usage stale for [0-9]+s: .*cannot reach Prometheus"; then
		t_ok "Prometheus stopped: the status line says the usage is stale, how old, and why"
	else
		t_fail "Prometheus stopped: the status line says the usage is stale, how old, and why" "$(scr_cap con)"
	fi
	t_match "Prometheus stopped: the job's bars keep their last figures" "$(scr_cap con | grep '^gbt-metric')" '[0-9]+%\]'
	gbpid=$(scr_gb_pid con)
	a=$(cpu_ticks "$gbpid"); sleep 3; b=$(cpu_ticks "$gbpid")
	t_check "Prometheus stopped: no busy loop ($((b - a)) ticks in 3 s; at most 30)" test $((b - a)) -le 30
	start_prometheus
	if scr_until 60 sh -c "! tmux -L '$SCR_SOCK' -f '$SCR_TMP/tmux.conf' capture-pane -p -t con | grep -q 'usage stale'"; then
		t_ok "Prometheus back: the stale note goes by itself"
	else
		t_fail "Prometheus back: the stale note goes by itself" "$(scr_cap con)"
	fi
	scr send-keys -t con q
else
	t_fail "tmux is installed (make deps): the console cases need it"
fi

# ---- without metrics, as before ----
timeout 30 "$GLOVEBOX" ls --json > "$WORK/ls.json" 2>/dev/null
t_eq "without --metrics: usage_source engine" engine "$(job .usage_source)"
t_check "without --metrics: cpu_percent from the engine" jq -e --arg n $P-load \
	'.[] | select(.name == $n) | .cpu_percent > 0' "$WORK/ls.json"
GLOVEBOX_METRICS=$PROM timeout 30 "$GLOVEBOX" ls --json > "$WORK/ls.json" 2>/dev/null
t_eq "GLOVEBOX_METRICS: usage_source prometheus" prometheus "$(job .usage_source)"
t_eq "a URL that is not http(s): usage error" 2 "$("$GLOVEBOX" --metrics ftp://127.0.0.1 ls >/dev/null 2>&1; echo $?)"

# ---- Prometheus stopped ----
kill "$PROM_PID"
for _ in $(seq 1 20); do kill -0 "$PROM_PID" 2>/dev/null || break; sleep 0.5; done
t0=$(date +%s.%N)
ls_json > "$WORK/ls.json"; rc=$?
t1=$(date +%s.%N)
t_eq "Prometheus stopped: ls still exits 0" 0 $rc
t_check "Prometheus stopped: ls answers within 10 s" awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 10) }'
t_eq "Prometheus stopped: no figures" null "$(job .cpu_percent)"
t_eq "Prometheus stopped: usage_age_s null" null "$(job .usage_age_s)"
t_eq "Prometheus stopped: the state is still there" running "$(job .state)"
t_check "Prometheus stopped: one clear note" grep -q "^glovebox: usage: no figures: cannot reach Prometheus at $PROM" "$WORK/ls.err"
t_eq "Prometheus stopped: the note is one line" 1 "$(wc -l < "$WORK/ls.err")"

# ---- a URL that answers HTML ----
mkdir -p "$WORK/html"
printf '<!DOCTYPE html><html><body><h1>Not Prometheus</h1></body></html>\n' > "$WORK/html/index.html"
busybox httpd -f -p 127.0.0.1:$HTML_PORT -h "$WORK/html" > "$WORK/http.log" 2>&1 & PIDS+=($!)
wait_for 10 curl -sf --max-time 1 http://127.0.0.1:$HTML_PORT/ || t_fail "the HTML server starts" "$(cat "$WORK/http.log")"
timeout 30 "$GLOVEBOX" --metrics http://127.0.0.1:$HTML_PORT ls --json > "$WORK/ls.json" 2> "$WORK/ls.err"
t_eq "HTML: ls still exits 0" 0 $?
t_eq "HTML: one line on stderr" 1 "$(wc -l < "$WORK/ls.err")"
t_check "HTML: it says what is wrong" grep -q "does not look like a Prometheus API (got text/html" "$WORK/ls.err"
echo "        HTML note: $(cat "$WORK/ls.err")"

# ---- nothing left behind (the console's tmux server too) ----
if declare -F scr_cleanup >/dev/null; then scr_cleanup; else cleanup; fi
trap - EXIT
left=0
for port in $PROM_PORT $NE_PORT $HTML_PORT; do ss -ltn | grep -q "127.0.0.1:$port " && left=1; done
t_eq "nothing listens any more" 0 $left
t_eq "no tmux server of this suite" "" "$(pgrep -f "tmux -L ${SCR_SOCK:-gbtest-none} " 2>/dev/null)"
t_end
