#!/usr/bin/env bash
# The nodes view of the console (N on the jobs) in tmux at 80x24 against the sandbox engine:
# the node's hostname, role, availability, state and class; CPU and memory bars whose figures
# are the node's resources (docker node inspect) and the sum of the reservations of the tasks
# placed there; pausing and activating the node with p and a (docker node inspect agrees);
# drain's confirmation, cancelled; 80x24 and 40x10; and a researcher refused the view.
# The node is shared with the other suites: it is always left active, also on the way out.
T_SUITE=screen/nodes
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-screen.sh"
scr_need_tmux
scr_need_engine
scr_init

P=gbtn
SOCK=${DOCKER_HOST#unix://}
NODE=$(docker node inspect self --format '{{.ID}}')
HOST=$(docker node inspect self --format '{{.Description.Hostname}}')
RES_USER=gbt-nodes-res RES_GROUP=gbt-nodes-admins
L_TITLE=0 L_HEAD=1 L_NODE=20 L_DETAIL=21 L_STATUS=22 L_KEYS=23
touched_node= made_user= made_group= audits=()

suite_cleanup() {
	[ -n "$touched_node" ] && docker node update --availability active "$NODE" >/dev/null 2>&1
	# The audit records of this suite's own actions, by the names the console showed.
	[ "${#audits[@]}" -gt 0 ] && docker config rm "${audits[@]}" >/dev/null 2>&1
	if [ -n "$made_user" ]; then
		setfacl -x "u:$RES_USER" "$SOCK" 2>/dev/null
		userdel "$RES_USER" >/dev/null 2>&1
	fi
	[ -n "$made_group" ] && groupdel "$RES_GROUP" >/dev/null 2>&1
	return 0
}

api() { curl -sf --unix-socket "$SOCK" -G "http://engine/v1.41$1" "${@:2}"; }
availability() { docker node inspect self --format '{{.Spec.Availability}}'; }

# The node's figures as the engine has them: "cpu_res cpu_cap mem_res mem_cap running", the
# reservations summed over the tasks meant to run on it (desired state running).
engine_figures() {
	local tasks services node
	tasks=$(api /tasks --data-urlencode "filters={\"node\":[\"$NODE\"]}") || return 1
	services=$(api /services) || return 1
	node=$(api "/nodes/$NODE") || return 1
	jq -rn --argjson t "$tasks" --argjson s "$services" --argjson n "$node" '
		($s | map({key: .ID, value: (.Spec.TaskTemplate.Resources.Reservations // {})}) | from_entries) as $r
		| [$t[] | select(.DesiredState == "running") | $r[.ServiceID] // {}] as $placed
		| "\(([$placed[].NanoCPUs // 0] | add // 0) / 1e9) \($n.Description.Resources.NanoCPUs / 1e9) \([$placed[].MemoryBytes // 0] | add // 0) \($n.Description.Resources.MemoryBytes) \([$t[] | select(.Status.State == "running")] | length)"'
}

# What the console should print for those: glovebox's format_bytes ("64 MiB", "23.5 GiB"),
# the bars' short form ("64M", "23.5G") and %.4g numbers.
fmt_bytes() {
	awk -v b="$1" 'BEGIN { split("B KiB MiB GiB TiB PiB", u, " "); i = 1; v = b + 0
		while (v >= 1024 && i < 6) { v /= 1024; i++ }
		if (i == 1 || v >= 100 || v == int(v)) printf "%.0f %s\n", v, u[i]; else printf "%.1f %s\n", v, u[i] }'
}
short_bytes() { fmt_bytes "$1" | sed 's/ //; s/iB$//'; }
g4() { awk -v x="$1" 'BEGIN { printf "%.4g\n", x }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f\n", (b > 0 ? a / b * 100 : 0) }'; }

node_row() { scr_cap "$1" | grep -E "^$HOST " | head -n 1; }
# bar_text ROW N: the text inside the Nth bar of a row.
bar_text() { printf '%s\n' "$1" | grep -o '\[[^]]*\]' | sed -n "${2}p" | grep -oE '[0-9.]+[KMGTP]?B?/[0-9.]+[KMGTP]?B?'; }

# figures_match SESSION: the row's bars, task count and the detail line say what the engine says.
figures_match() {
	local f cr cc mr mc run row want plural=s
	f=$(engine_figures) || return 1
	read -r cr cc mr mc run <<< "$f"
	row=$(node_row "$1")
	[ "$(bar_text "$row" 1)" = "$(g4 "$cr")/$(g4 "$cc")" ] || return 1
	[ "$(bar_text "$row" 2)" = "$(short_bytes "$mr")/$(short_bytes "$mc")" ] || return 1
	[ "$(printf '%s\n' "$row" | awk '{print $NF}')" = "$run" ] || return 1
	[ "$run" = 1 ] && plural=
	want="CPU $(g4 "$cr") of $(g4 "$cc") reserved ($(pct "$cr" "$cc")%), memory $(fmt_bytes "$mr") of $(fmt_bytes "$mc") ($(pct "$mr" "$mc")%), $run task$plural running"
	[ "$(scr_line "$1" $L_DETAIL | sed 's/ *$//')" = "$want" ]
}
explain_figures() { printf 'engine: %s\n%s\n' "$(engine_figures)" "$(scr_cap "$1" | sed -n "2,3p;$((L_NODE + 1)),$((L_DETAIL + 1))p")"; }

# note_audit SESSION: remember the audit record the status line names, for the cleanup.
note_audit() {
	local name
	name=$(scr_line "$1" $L_STATUS | grep -oE 'audit record glovebox-audit-[A-Za-z0-9_.-]+' | awk '{print $3}')
	[ -n "$name" ] && audits+=("$name")
	return 0
}

svc_cleanup
# A job that reserves CPU and memory and sleeps; it fits the sandbox node.
svc_mk $P-res --reserve-cpu 0.25 --reserve-memory 64M glovebox/busybox sleep 100000
running() { [ "$(svc_replicas $P-res)" = "1/1" ]; }

# Other suites may have paused the node for a moment: start from an active node.
scr_until 30 eval '[ "$(availability)" = active ]' || t_fail "the node is active to start with" "$(availability)"

# --- the view ---------------------------------------------------------------------------------
scr_start main "$SCR_GB"
scr_go main
if scr_wait 10 main ' jobs: '; then t_ok "the console starts"; else t_fail "the console starts" "$(scr_cap main)"; fi
scr send-keys -t main F1
if scr_wait 3 main 'N +The nodes \(admins\)'; then t_ok "the jobs' help lists N"; else t_fail "the jobs' help lists N" "$(scr_cap main)"; fi
scr send-keys -t main q
scr_wait 3 main ' jobs: '
scr send-keys -t main N
if scr_wait 5 main '^HOSTNAME'; then t_ok "N opens the nodes view"; else t_fail "N opens the nodes view" "$(scr_cap main)"; fi
t_match "header has every column" "$(scr_line main $L_HEAD)" '^HOSTNAME.* +ROLE +AVAIL +STATE +CLASS +CPU +MEM +TASKS *$'
if scr_until 5 eval 'node_row main | grep -Eq "^$HOST +manager +active +ready +default +\[.*\] +\[.*\] +[0-9]+ *\$"'; then
	t_ok "the node's row: hostname, role manager, active, ready, class default, two bars, tasks"
else t_fail "the node's row: hostname, role manager, active, ready, class default, two bars, tasks" "$(scr_cap main)"; fi
t_match "title counts the nodes" "$(scr_line main $L_TITLE)" '^nodes  1: 1 ready, 0 paused, 0 drained'
t_match "key bar" "$(scr_line main $L_KEYS)" '^F1Help F10Quit EscBack pPause aActivate DDrain'
t_match "the selected node: role, leader, engine version, address" "$(scr_line main $L_NODE)" "^$HOST: manager \\(leader\\), engine [0-9][^ ]*, address "

scr_until 60 running || t_fail "the reserving job runs" "$(docker service ps $P-res 2>&1)"
if scr_until 15 figures_match main; then
	t_ok "bars and detail: the node's resources and the sum of the reservations placed on it"
else t_fail "bars and detail: the node's resources and the sum of the reservations placed on it" "$(explain_figures main)"; fi

# Help lists the node actions.
scr send-keys -t main F1
if scr_wait 3 main 'Pause the selected node'; then t_ok "help lists the node actions"; else t_fail "help lists the node actions" "$(scr_cap main)"; fi
t_has "help says drain asks first" "$(scr_cap main)" "Drain the selected node, after a confirmation"
scr send-keys -t main Escape
scr_wait 3 main '^HOSTNAME'

# --- pause and activate -----------------------------------------------------------------------
touched_node=1
scr send-keys -t main p
if scr_until 15 eval '[ "$(availability)" = pause ]'; then t_ok "p pauses the node (docker node inspect: pause)"
else t_fail "p pauses the node (docker node inspect: pause)" "$(availability); $(scr_cap main)"; fi
if scr_wait 10 main "^$HOST +manager +pause +ready "; then t_ok "the row says pause"; else t_fail "the row says pause" "$(scr_cap main)"; fi
if scr_until 10 eval "scr_line main $L_STATUS | grep -q '$HOST paused: its running jobs keep running'"; then
	t_ok "the status line says it is paused, with the audit record"
else t_fail "the status line says it is paused, with the audit record" "$(scr_line main $L_STATUS)"; fi
note_audit main
t_match "title counts it paused" "$(scr_line main $L_TITLE)" '1 ready, 1 paused, 0 drained'
t_eq "the reserving job still runs while paused" 1/1 "$(svc_replicas $P-res)"
scr send-keys -t main p
if scr_wait 3 main "$HOST is already pause"; then t_ok "p again: already paused, nothing done"; else t_fail "p again: already paused, nothing done" "$(scr_line main $L_STATUS)"; fi

scr send-keys -t main a
if scr_until 15 eval '[ "$(availability)" = active ]'; then t_ok "a activates the node (docker node inspect: active)"
else t_fail "a activates the node (docker node inspect: active)" "$(availability)"; fi
if scr_wait 10 main "^$HOST +manager +active +ready "; then t_ok "the row says active again"; else t_fail "the row says active again" "$(scr_cap main)"; fi
scr_until 10 eval "scr_line main $L_STATUS | grep -q '$HOST activated'"
note_audit main

# --- drain asks, and cancelling leaves the node alone -----------------------------------------
scr send-keys -t main D
if scr_wait 5 main "Drain node $HOST\\?"; then t_ok "D asks before draining"; else t_fail "D asks before draining" "$(scr_cap main)"; fi
box=$(scr_cap main | tr -s ' \n│|' ' ')
t_has "the box says running tasks are stopped" "$box" "stops all"
# At most five jobs are named; other suites' jobs may run there too.
t_match "the box names the jobs running there" "$box" 'running on it \(jobs [^)]*[a-z]'

t_has "the box says the jobs are moved" "$box" "moves their jobs to other nodes"
t_match "the box offers Yes, drain and Cancel" "$box" '\[ ?Yes, drain ?\].*\[ ?Cancel ?\]'
scr send-keys -t main D
sleep 1
t_eq "D again in the box does not drain" active "$(availability)"
scr send-keys -t main Escape
if scr_wait 3 main 'drain cancelled: the node was not changed'; then t_ok "Esc cancels the drain"; else t_fail "Esc cancels the drain" "$(scr_cap main)"; fi
sleep 1
t_eq "the node stayed active" active "$(availability)"
scr send-keys -t main D
scr_wait 5 main "Drain node $HOST\\?"
scr send-keys -t main Enter   # the focus starts on Cancel
if scr_wait 3 main 'drain cancelled'; then t_ok "Enter on the focused Cancel cancels too"; else t_fail "Enter on the focused Cancel cancels too" "$(scr_cap main)"; fi
t_eq "the node is still active" active "$(availability)"
t_eq "the reserving job still runs" 1/1 "$(svc_replicas $P-res)"

# --- sizes ------------------------------------------------------------------------------------
t_eq "pane is 80x24" 80x24 "$(scr display -p -t main '#{pane_width}x#{pane_height}')"
widest=$(scr_cap main | wc -L)
if [ "$widest" -le 80 ]; then t_ok "no line wider than 80 columns"; else t_fail "no line wider than 80 columns" "$widest"; fi
pid=$(scr_gb_pid main)
scr resize-window -t main -x 40 -y 10
sleep 0.5
scr send-keys -t main Down Up D
sleep 0.5
scr send-keys -t main Escape
sleep 0.3
if alive "$pid" && scr_wait 3 main '[a-z]'; then t_ok "40x10 does not crash (keys and the drain box)"; else t_fail "40x10 does not crash (keys and the drain box)" "$(scr_cap main)"; fi
t_eq "the node is still active after 40x10" active "$(availability)"
scr resize-window -t main -x 80 -y 24
if scr_wait 5 main '^HOSTNAME'; then t_ok "back at 80x24 the view is whole"; else t_fail "back at 80x24 the view is whole" "$(scr_cap main)"; fi
scr send-keys -t main Escape
if scr_wait 3 main '^NAME'; then t_ok "Esc goes back to the jobs"; else t_fail "Esc goes back to the jobs" "$(scr_cap main)"; fi
scr send-keys -t main q
scr_until 5 eval '! alive "$pid"' || t_fail "q quits" "$(scr_cap main)"

# --- a researcher is refused ------------------------------------------------------------------
if [ "$(id -u)" -ne 0 ] || ! command -v useradd >/dev/null || ! command -v setfacl >/dev/null; then
	printf '  skip  a researcher is refused the nodes view (needs root, useradd, setfacl)\n'
else
	if ! getent group "$RES_GROUP" >/dev/null; then groupadd "$RES_GROUP" && made_group=1; fi
	if ! id "$RES_USER" >/dev/null 2>&1; then
		useradd -M -N -d /nonexistent -s /usr/sbin/nologin -g "$RES_GROUP" "$RES_USER" && made_user=1
	fi
	setfacl -m "u:$RES_USER:rw" "$SOCK"
	pub=$(mktemp -d /tmp/gbtest-nodes.XXXXXX)
	chmod 755 "$pub"
	cp "$SCR_GB" "$pub/gb" && chmod 755 "$pub/gb"
	# A policy only root can change, naming an admin group the researcher is not in.
	jq '.admin_group = "root"' "$GB_ROOT/docs/examples/policy.json" > "$pub/policy.json"
	cp "$GB_ROOT/docs/examples/terms.md" "$pub/"
	chmod 644 "$pub/policy.json" "$pub/terms.md"
	scr_start res "runuser -u $RES_USER -- env -u GLOVEBOX_POLICY DOCKER_HOST=$DOCKER_HOST LC_ALL=C.UTF-8 TERM=tmux-256color $pub/gb --policy $pub/policy.json"
	scr_go res
	if scr_wait 10 res ' jobs: '; then t_ok "the researcher's console starts"; else t_fail "the researcher's console starts" "$(scr_cap res)"; fi
	scr send-keys -t res N
	if scr_wait 5 res "the nodes view is for admins: $RES_USER uses glovebox as a researcher"; then
		t_ok "a researcher pressing N is told the nodes view is for admins"
	else t_fail "a researcher pressing N is told the nodes view is for admins" "$(scr_cap res)"; fi
	if scr_has res '^HOSTNAME'; then t_fail "the researcher sees no nodes" "$(scr_cap res)"; else t_ok "the researcher sees no nodes"; fi
	scr send-keys -t res q
	sleep 0.5
	rm -rf "$pub"
fi

t_eq "the node is left active" active "$(availability)"
t_end
