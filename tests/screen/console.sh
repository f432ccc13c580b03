#!/usr/bin/env bash
# The console in a real terminal: tmux at 80x24 runs glovebox against the sandbox engine; the
# test sends keys and reads the pane back (capture-pane).
# Covers the jobs list and its bars against docker stats, a pending job and the scheduler's
# reason, the tasks of an OOM-killed job, jobs appearing and going without a key press,
# hostile labels, and keys answered while the console refreshes every 0.5 s.
T_SUITE=screen/console
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-screen.sh"
scr_need_tmux
scr_need_engine
scr_init

P=gbts
ESC=$(printf '\033') BEL=$(printf '\007')
C1_CSI=$(printf '\302\233') C1_OSC=$(printf '\302\235') C1_ST=$(printf '\302\234')
RLO=$(printf '\342\200\256')
# Lines of the 80x24 jobs screen (0 = top).
L_TITLE=0 L_HEAD=1 L_REASON=21 L_STATUS=22 L_KEYS=23

svc_cleanup
# Everything is created at once; each test waits for what it needs.
svc_mk $P-run --label glovebox.owner=alice --label glovebox.class=default \
	--limit-cpu 1 --limit-memory 64M glovebox/load --cpu 0.5 --mem 40 &
svc_mk $P-pend --constraint node.labels.glovebox.class==gpu glovebox/load &
svc_mk $P-oom --limit-memory 32M --restart-condition on-failure --restart-max-attempts 2 \
	--restart-delay 1s glovebox/load --grow &
# Service names cannot carry control characters (the engine refuses them), nor can the image
# (swarmkit: "is not a valid repository/tag"); labels can. The owner column is at most 16 wide,
# so each owner label holds one token that fits; the class column stays 7 wide and shows a prefix.
svc_mk $P-hosa --label "glovebox.owner=${ESC}]0;pwned${BEL}x" \
	--label "glovebox.class=${ESC}]2;pwned2${ESC}\\" glovebox/load &
svc_mk $P-hosb --label "glovebox.owner=${ESC}[31mr${RLO}" \
	--label "glovebox.class=${RLO}gpu" glovebox/load &
svc_mk $P-hosc --label "glovebox.owner=${C1_CSI}31mx" \
	--label "glovebox.class=${C1_OSC}0;pwned3${C1_ST}" glovebox/load &
# Twenty running jobs for the key test; their names sort after the others.
for i in $(seq -w 1 20); do svc_mk $P-z$i glovebox/load & done
wait

# row SESSION NAME: the jobs-screen line of job NAME (names here fit the NAME column).
row() { scr_cap "$1" | grep -E "^$2 " | head -n 1; }
row_has() { row "$1" "$2" | grep -Eq -- "$3"; }
no_row() { ! scr_cap "$1" | grep -Eq "^$2 "; }
# bar_pct LINE N: the percentage printed in the Nth bar of a row, "n/a" when it has none.
bar_pct() {
	local bar
	bar=$(printf '%s\n' "$1" | grep -o '\[[^]]*\]' | sed -n "${2}p")
	if printf '%s' "$bar" | grep -q '[0-9]%'; then
		printf '%s\n' "$bar" | grep -o '[0-9]*%' | tr -d %
	else
		echo n/a
	fi
}
# sel_name SESSION: the job on the selected row (drawn with a cyan or reverse background).
sel_name() {
	scr_cap "$1" -e | awk -v e="$ESC" 'NR > 2 && (index($0, e "[46m") || index($0, e "[7m")) { print; exit }' |
		sed "s/$ESC\[[0-9;]*m//g" | awk '{print $1}'
}
sel_is() { [ "$(sel_name "$1")" = "$2" ]; }
# select_job SESSION NAME: Home, then Down until NAME is selected.
select_job() {
	local _s=$1 _i _prev
	scr send-keys -t "$_s" g
	scr_until 2 sel_is "$_s" "$(scr_cap "$_s" | sed -n '3p' | awk '{print $1}')"
	for _i in $(seq 1 60); do
		sel_is "$_s" "$2" && return 0
		_prev=$(sel_name "$_s")
		scr send-keys -t "$_s" Down
		scr_until 2 eval '[ "$(sel_name "$_s")" != "$_prev" ]' || return 1
	done
	return 1
}
# bar_fill_ok BAR: the blocks drawn before the number agree with the number: a bar "[██▌ 41%]"
# has inner cells, the fill is round(pct * inner * 8) eighths of a cell, and the number covers
# the right end. Allows 4 eighths for the rounding of the number itself.
bar_fill_ok() {
	local bar=$1 inner pct tw drawn=0 want i c
	inner=$((${#bar} - 2))
	pct=$(printf '%s' "$bar" | grep -o '[0-9]*%' | tr -d %)
	[ -n "$pct" ] || return 1
	tw=$((${#pct} + 1))
	for ((i = 1; i <= inner; i++)); do
		c=${bar:i:1}
		case $c in █) drawn=$((drawn + 8)) ;; ▉) drawn=$((drawn + 7)) ;; ▊) drawn=$((drawn + 6)) ;;
		▋) drawn=$((drawn + 5)) ;; ▌) drawn=$((drawn + 4)) ;; ▍) drawn=$((drawn + 3)) ;;
		▎) drawn=$((drawn + 2)) ;; ▏) drawn=$((drawn + 1)) ;; esac
	done
	want=$(((pct * inner * 8 + 50) / 100))
	[ "$want" -gt $(((inner - tw) * 8)) ] && want=$(((inner - tw) * 8))
	[ $((drawn - want)) -le 4 ] && [ $((want - drawn)) -le 4 ]
}
cli_error() { docker service ps --no-trunc --format '{{.Error}}' "$1" | head -n 1 | sed 's/^"\(.*\)"$/\1/'; }
# set_filter SESSION TEXT: a fresh kept filter ("/" TEXT Enter); an empty TEXT clears it.
set_filter() {
	scr send-keys -t "$1" / Escape
	scr_until 2 eval "! scr_line '$1' $L_STATUS | grep -q 'filter: '"
	[ -n "$2" ] || return 0
	scr send-keys -t "$1" / "$2" Enter
	scr_until 2 eval "scr_line '$1' $L_STATUS | grep -q 'filter: $2 '"
}
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# --- the jobs screen ---------------------------------------------------------------------------
raw=$SCR_TMP/main.raw
scr_start main "$SCR_GB"
scr select-pane -t main -T gbtest-title
scr pipe-pane -t main -o "cat >> '$raw'"
scr_go main
if scr_wait 10 main ' jobs: '; then t_ok "the console starts"; else t_fail "the console starts" "$(scr_cap main)"; fi
t_eq "pane is 80x24" 80x24 "$(scr display -p -t main '#{pane_width}x#{pane_height}')"
t_eq "title line names the engine" "glovebox  $DOCKER_HOST" "$(scr_line main $L_TITLE | sed 's/ *$//')"
t_match "header has every column" "$(scr_line main $L_HEAD)" '^NAME▲ +OWNER +CLASS +IMAGE +REPL +STATE +CPU +MEM +AGE *$'
t_match "key bar" "$(scr_line main $L_KEYS)" '^F1Help F10Quit EnterTasks /Filter <>Sort'
status_ok() {
	scr_line main $L_STATUS | grep -Eq "^$(docker service ls -q | wc -l) jobs: [0-9]+ running, [0-9]+ pending, [0-9]+ failed +admin  API 1\.41  [0-9]{2}:[0-9]{2}:[0-9]{2}\$"
}
if scr_until 10 status_ok; then t_ok "status line counts the jobs docker service ls lists, API 1.41 and clock"
else t_fail "status line counts the jobs docker service ls lists, API 1.41 and clock" "[$(scr_line main $L_STATUS)] vs $(docker service ls -q | wc -l) services"; fi
# Other jobs may share the engine: from here on the list is filtered to this suite's jobs.
set_filter main $P-
if scr_wait 10 main "^$P-run "; then t_ok "a kept filter lists this suite's jobs"
else t_fail "a kept filter lists this suite's jobs" "$(scr_cap main)"; fi

# 1. Bars against docker stats. The CPU bar is CPU % (docker stats: one CPU = 100 %) against the
# job's CPU limit (1 CPU here, so the same figure); the memory bar is memory against the limit
# (docker stats' MemPerc). Tolerance: 15 points for CPU (the load's duty cycle and the two
# tools' sampling windows differ), 5 points for memory (3 MiB of 64); the median of three
# paired readings is compared so that one unlucky window does not decide.
# The load asks for half a CPU; on a busy machine it gets less (docker stats says so too), so
# the CPU bar alone is only held to 5..65 %.
if scr_until 30 row_has main $P-run '1/1 +running +\[[^]]*[0-9]+%\] \[[^]]*[0-9]+%\]'; then
	t_ok "running job shows CPU and memory figures"
else
	t_fail "running job shows CPU and memory figures" "$(row main $P-run)"
fi
t_match "owner and class columns" "$(row main $P-run)" "^$P-run +alice +default +glovebox"
sleep 2   # let the load settle on its duty cycle
cid=$(docker ps -q --filter label=com.docker.swarm.service.name=$P-run | head -n 1)
dcpus=() dmems=() bcpus=() bmems=()
for _ in 1 2 3; do
	read -r dcpu dmem < <(docker stats --no-stream --format '{{.CPUPerc}} {{.MemPerc}}' "$cid" | tr -d %)
	line=$(row main $P-run)
	dcpus+=("$dcpu") dmems+=("$dmem") bcpus+=("$(bar_pct "$line" 1)") bmems+=("$(bar_pct "$line" 2)")
done
cpu_d=$(for i in 0 1 2; do awk -v a="${bcpus[$i]}" -v b="${dcpus[$i]}" 'BEGIN { d = a - b; print (d < 0 ? -d : d) }'; done | median)
mem_d=$(for i in 0 1 2; do awk -v a="${bmems[$i]}" -v b="${dmems[$i]}" 'BEGIN { d = a - b; print (d < 0 ? -d : d) }'; done | median)
cpu_b=$(printf '%s\n' "${bcpus[@]}" | median) mem_b=$(printf '%s\n' "${bmems[@]}" | median)
t_check "CPU bar at most the load's 50 % of the 1-CPU limit (5..65; bars ${bcpus[*]})" \
	awk -v v="$cpu_b" 'BEGIN { exit !(v >= 5 && v <= 65) }'
t_check "CPU bar matches docker stats within 15 points (bars ${bcpus[*]}, docker ${dcpus[*]})" \
	awk -v d="$cpu_d" 'BEGIN { exit !(d <= 15) }'
t_check "memory bar about 62 % of the 64 MiB limit (55..72; bars ${bmems[*]})" \
	awk -v v="$mem_b" 'BEGIN { exit !(v >= 55 && v <= 72) }'
t_check "memory bar matches docker stats within 5 points (bars ${bmems[*]}, docker ${dmems[*]})" \
	awk -v d="$mem_d" 'BEGIN { exit !(d <= 5) }'
cpu_bar=$(row main $P-run | grep -o '\[[^]]*\]' | sed -n 1p)
mem_bar=$(row main $P-run | grep -o '\[[^]]*\]' | sed -n 2p)
t_check "CPU bar is drawn as long as its number says ($cpu_bar)" bar_fill_ok "$cpu_bar"
t_check "memory bar is drawn as long as its number says ($mem_bar)" bar_fill_ok "$mem_bar"

# 2. A job no node can take: pending, with the scheduler's own reason.
if scr_until 20 row_has main $P-pend '0/1 +pending: no s'; then t_ok "pending job shows pending"
else t_fail "pending job shows pending" "$(row main $P-pend)"; fi
t_has "pending job has no bars" "$(row main $P-pend)" '[  n/a  ] [ n/a  ]'
if select_job main $P-pend; then
	t_eq "selected pending job: reason line is the scheduler's" "$P-pend: $(cli_error $P-pend)" \
		"$(scr_line main $L_REASON | sed 's/ *$//')"
	t_has "the reason says no suitable node" "$(scr_line main $L_REASON)" "$P-pend: no suitable node"
else
	t_fail "select the pending job with the arrow keys" "$(scr_cap main)"
fi

# 3. An OOM-killed job that the swarm restarts twice (three runs), then gives up.
oom_settled() {
	local s
	s=$(docker service ps --format '{{.CurrentState}}' $P-oom)
	[ "$(printf '%s\n' "$s" | grep -c '^Failed')" -eq 3 ] && ! printf '%s\n' "$s" | grep -qv '^Failed'
}
scr_until 60 oom_settled || t_fail "OOM job fails three times (docker service ps)" "$(docker service ps --no-trunc $P-oom)"
if scr_until 10 row_has main $P-oom '0/1 +oom: OOM kill'; then t_ok "OOM job shows oom"
else t_fail "OOM job shows oom" "$(row main $P-oom)"; fi
if select_job main $P-oom; then
	t_eq "selected OOM job: reason line" "$P-oom: OOM killed (limit 32 MiB)" "$(scr_line main $L_REASON | sed 's/ *$//')"
	set_filter main ""   # the selection stays on the job; tasks and Esc without a filter first
	scr send-keys -t main Enter
	if scr_wait 2 main "^tasks of $P-oom *\$"; then t_ok "Enter opens the tasks of the selected job"
	else t_fail "Enter opens the tasks of the selected job" "$(scr_cap main)"; fi
	# The rows come with the tasks; "OOM killed" with the containers' inspection, a sample later.
	scr_until 8 eval '[ "$(scr_cap main | grep -c " failed .* 137 OOM killed")" -ge 3 ]'
	tasks=$(scr_cap main)
	summary=$(printf '%s\n' "$tasks" | sed -n 2p)
	t_match "tasks: image and memory limit" "$summary" '^glovebox/load:latest  \|  .*mem 32 MiB  \|  '
	t_has "tasks: a job without a CPU limit says so, without a stray number" "$summary" '|  cpu no limit  mem 32 MiB  |'
	t_match "tasks: table header" "$(printf '%s\n' "$tasks" | sed -n 3p)" '^SLOT +NODE +DESIRED +STATE +EXIT +ERROR +TASK'
	t_eq "tasks: one row per task, each failed with exit 137 and OOM killed" \
		"$(docker service ps -q $P-oom | wc -l)" "$(printf '%s\n' "$tasks" | grep -Ec '^ +1 .* failed .* 137 OOM killed \(limit 32 ')"
	t_eq "tasks: the task IDs are docker's" "$(docker service ps -q $P-oom | cut -c1-12 | sort | tr '\n' ' ')" \
		"$(printf '%s\n' "$tasks" | grep -E ' 137 OOM' | awk '{print $NF}' | sort | tr '\n' ' ')"
	t_eq "tasks: the selected task's whole error below the table" "OOM killed (limit 32 MiB)" \
		"$(printf '%s\n' "$tasks" | sed -n "$((L_REASON + 1))p" | sed 's/ *$//')"
	t_eq "tasks: key bar" "F1Help F10Quit EscBack /Filter <>Sort lLogs" "$(printf '%s\n' "$tasks" | sed -n 24p | sed 's/ *$//')"
	# Two restarts happened (three runs) against a limit of 2. At 80 columns the line is cut,
	# so read it whole at 120.
	scr resize-window -t main -x 120 -y 24
	scr_wait 3 main '\| +restarts .*\(on-failure\)'
	summary=$(scr_line main 1)
	t_has "tasks: restarts against the limit: restarts 2 of 2 (on-failure)" "$summary" '|  restarts 2 of 2 (on-failure)'
	scr resize-window -t main -x 80 -y 24
	scr send-keys -t main Escape
	if scr_wait 1 main '^NAME▲ +OWNER'; then t_ok "Esc returns to the jobs"
	else t_fail "Esc returns to the jobs" "$(scr_cap main)"; fi
	t_check "back on the same job" sel_is main $P-oom
else
	t_fail "select the OOM job with the arrow keys" "$(scr_cap main)"
fi

# The same through a kept filter: "/" NAME Enter, Enter, Esc back. The jobs list must not be
# left filtered without the status line saying so.
set_filter main $P-oom
if scr_until 2 no_row main $P-run && scr_has main "^$P-oom "; then
	t_ok "a kept filter leaves only the matching job"
	scr send-keys -t main Enter
	scr_wait 2 main "^tasks of $P-oom"
	escs=0
	while [ $escs -lt 3 ] && ! scr_has main '^NAME▲ +OWNER'; do
		scr send-keys -t main Escape
		escs=$((escs + 1))
		scr_wait 1 main '^NAME▲ +OWNER'
	done
	t_eq "one Esc from the tasks goes back to the filtered jobs" 1 "$escs"
	if scr_line main $L_STATUS | grep -q 'filter: ' || row main $P-run | grep -q .; then
		t_ok "after Esc, the jobs list is filtered only when the status line says so"
	else
		t_fail "after Esc, the jobs list is filtered only when the status line says so" \
			"after $escs Esc: $(scr_cap main | grep -v '^ *$')"
	fi
else
	t_fail "a kept filter leaves only the matching job" "$(scr_cap main)"
fi
set_filter main $P-   # whatever happened above, back to this suite's jobs

# 4. Jobs created and removed behind the console's back show up and go without a key press.
t0=$(now_ms)
svc_mk $P-new glovebox/load
if scr_wait 5 main "^$P-new "; then t_ok "a job created with docker service create appears by itself ($(($(now_ms) - t0)) ms)"
else t_fail "a job created with docker service create appears by itself" "$(scr_cap main)"; fi
t0=$(now_ms)
docker service rm $P-new >/dev/null
if scr_until 5 no_row main $P-new; then t_ok "a removed job disappears by itself ($(($(now_ms) - t0)) ms)"
else t_fail "a removed job disappears by itself" "$(scr_cap main)"; fi

# 5. Hostile labels: the terminal must never see them as escapes.
if scr_until 10 eval "row main $P-hosa | grep -q running && row main $P-hosb | grep -q running && row main $P-hosc | grep -q running"; then
	t_ok "jobs with hostile labels are listed"
else
	t_fail "jobs with hostile labels are listed" "$(scr_cap main)"
fi
sleep 2.5   # a few more refreshes draw them again
t_eq "pane title unchanged (OSC 0/2 in labels did not reach the terminal)" gbtest-title \
	"$(scr display -p -t main '#{pane_title}')"
t_has "OSC 0 in a label shows as ^[]0;p... (cut at 80 columns)" "$(row main $P-hosa)" ' ^[]0;p… ^[]2;p… '
t_has "CSI in a label shows as ^[[31m (cut at 80 columns)" "$(row main $P-hosb)" ' ^[[31m… <U+202… '
t_has "C1 CSI and C1 OSC in labels show as <U+009B>, <U+009D> (cut at 80 columns)" "$(row main $P-hosc)" ' <U+009… <U+009… '
hosb_attr=$(scr_cap main -e | grep -F "$P-hosb")
if printf '%s' "$hosb_attr" | grep -q "$ESC\[31m\|$ESC\[38;5;1m"; then
	t_fail "the CSI colour in a label does not colour the row" "$(printf '%s' "$hosb_attr" | cat -v)"
else
	t_ok "the CSI colour in a label does not colour the row"
fi
# Wide enough for the OWNER and CLASS columns to show the tokens whole (the NODE column too).
scr resize-window -t main -x 180 -y 24
scr_until 3 eval "row main $P-hosb | grep -Fq '<U+202E>'"
wide_a=$(row main $P-hosa) wide_b=$(row main $P-hosb) wide_c=$(row main $P-hosc)
t_has "at 180 columns: OSC 0 shows whole as ^[]0;pwned^Gx" "$wide_a" ' ^[]0;pwned^Gx '
t_has "at 180 columns: CSI and bidi override show whole as ^[[31mr<U+202E>" "$wide_b" ' ^[[31mr<U+202E> '
t_has "at 180 columns: C1 CSI shows whole as <U+009B>31mx" "$wide_c" ' <U+009B>31mx '
scr resize-window -t main -x 80 -y 24
scr_wait 3 main '^NAME▲ +OWNER +CLASS +IMAGE +REPL +STATE +CPU +MEM +AGE *$'
t_eq "pane title still unchanged" gbtest-title "$(scr display -p -t main '#{pane_title}')"
# Everything glovebox wrote to the terminal, byte for byte (tmux pipe-pane).
t_check "glovebox wrote some output" test -s "$raw"
for pat in "OSC (ESC ])=$ESC]" "BEL=$BEL" "C1 CSI=$C1_CSI" "C1 OSC=$C1_OSC" "C1 ST=$C1_ST" "U+202E=$RLO"; do
	if LC_ALL=C grep -Fq -- "${pat#*=}" "$raw"; then
		t_fail "no ${pat%%=*} in the bytes written to the terminal" "$(LC_ALL=C grep -F -o -b -- "${pat#*=}" "$raw" | head -n 3 | cat -v)"
	else
		t_ok "no ${pat%%=*} in the bytes written to the terminal"
	fi
done

# 10. Keys are answered within a second while the console refreshes every 0.5 s over 20+ jobs.
all_z_run() { [ "$(docker service ls --filter name=$P-z --format '{{.Replicas}}' | grep -c '^1/1')" -eq 20 ]; }
scr_until 40 all_z_run || t_fail "20 load jobs run" "$(docker service ls --filter name=$P-z)"
scr_start fast "$SCR_GB console --refresh 0.5"
scr_go fast
scr_wait 10 fast ' jobs: ' || t_fail "fast console starts" "$(scr_cap fast)"
set_filter fast $P-z
scr_wait 10 fast "^$P-z19 " || t_fail "fast console lists the 20 jobs" "$(scr_cap fast)"
scr_until 5 row_has fast $P-z19 '\[[^]]*[0-9]+%\]'   # sampling is under way
# key_ms KEY CMD...: send KEY, then milliseconds until CMD holds (polled every 20 ms), 9999 if not in 2 s.
key_ms() {
	local key=$1 t0
	shift
	t0=$(now_ms)
	scr send-keys -t fast "$key"
	if SCR_POLL=0.02 scr_until 2 "$@"; then echo $(($(now_ms) - t0)); else echo 9999; fi
}
scr send-keys -t fast g
select_job fast $P-z01 || t_fail "select the first of the 20 jobs" "$(scr_cap fast)"
worst=0 times=""
for i in 02 03 04 05 06; do
	ms=$(key_ms Down sel_is fast $P-z$i)
	times="$times $ms"
	[ "$ms" -gt "$worst" ] && worst=$ms
done
t_check "Down moves the selection within 1 s, 5 times (ms:$times)" test "$worst" -le 1000
ms=$(key_ms '?' scr_has fast '^ glovebox help')
t_check "? opens the help within 1 s ($ms ms)" test "$ms" -le 1000
ms=$(key_ms Escape scr_has fast '^NAME▲ +OWNER')
t_check "Esc closes the help within 1 s ($ms ms)" test "$ms" -le 1000
set_filter fast ""   # a kept filter changes what Esc does on the tasks screen: tested above
ms=$(key_ms Enter scr_has fast "^tasks of $P-z06")
t_check "Enter opens the tasks within 1 s ($ms ms)" test "$ms" -le 1000
ms=$(key_ms Escape scr_has fast '^NAME▲ +OWNER')
t_check "Esc goes back within 1 s ($ms ms)" test "$ms" -le 1000
fast_pid=$(scr_gb_pid fast)
ms=$(key_ms q eval '! alive "$fast_pid"')
t_check "q quits within 1 s ($ms ms)" test "$ms" -le 1000

main_pid=$(scr_gb_pid main)
t_check "the first console still runs" alive "$main_pid"
scr send-keys -t main F10
t_check "F10 quits" scr_until 2 eval '! alive "$main_pid"'
t_end
