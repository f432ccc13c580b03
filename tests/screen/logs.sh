#!/usr/bin/env bash
# The log pager in a real terminal: tmux at 80x24 runs glovebox against the sandbox engine.
# Covers escape sequences shown as tokens and never written raw, a 100,000-character line with
# wrapping on and off, timestamps, search, follow mode and a job removed while followed, a
# million lines streamed with keys answered and memory bounded, 40x10, and what the policy
# lets a researcher see (researcher_logs "none" and "tail").
T_SUITE=screen/logs
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-screen.sh"
scr_need_tmux
scr_need_engine
command -v jq >/dev/null || t_skip_suite "jq is not installed (make deps)"
command -v setpriv >/dev/null || t_skip_suite "setpriv is not installed (it runs glovebox as a researcher)"
scr_init
unset GLOVEBOX_POLICY

P=gbtl
ESC=$(printf '\033') BEL=$(printf '\007')
C1_CSI=$(printf '\302\233') RLO=$(printf '\342\200\256')
L_HEAD=0 L_FOOT=21
# The researcher: nobody, let into the engine's socket by its group (as tests/integration/logs.sh).
R_UID=65534
R=$(getent passwd $R_UID | cut -d: -f1)
R_GID=$(getent passwd $R_UID | cut -d: -f4)
SOCK_GID=$(stat -c %g "${DOCKER_HOST#unix://}" 2>/dev/null)

svc_cleanup
svc_mk $P-esc glovebox/load --print \
	'plain\nmark1\033[2J\nmark2\033]0;pwned\a\nmark3\xc2\x9b31m\nmark4\xe2\x80\xae bidi\n\tTab\nneedle here\nerr\n' &
svc_mk $P-long glovebox/busybox sh -c 'head -c 100000 /dev/zero | tr "\0" x; echo; echo after; sleep 1000' &
svc_mk $P-mil glovebox/load --lines 1000000 &
svc_mk $P-tick glovebox/busybox sh -c 'i=0; while true; do i=$((i+1)); echo tick $i; [ $i -gt 30 ] && sleep 0.5; done' &
svc_mk $P-mine --label "glovebox.owner=$R" glovebox/load --lines 300 &
wait
logged() { docker service logs --raw --tail "$2" "$1" 2>&1 | grep -q "$3"; }
settled() {
	logged $P-esc all needle && logged $P-long 1 after && logged $P-mil 1 'line 1000000' &&
	logged $P-tick 1 tick && logged $P-mine 1 'line 300'
}
wait_for 90 settled || t_fail "jobs start and log" "$(docker service ls --filter label=gbtest.suite=$SCR_LABEL)"

# Policies for the researcher, in a directory only root can change (so they count).
chmod 0711 "$SCR_TMP"
mkdir -m 0755 "$SCR_TMP/pol"
cp "$GB_ROOT/tests/fixtures/policy/terms.md" "$SCR_TMP/pol/"
for mode in none tail; do
	jq --arg l $mode '.admin_group = "gbt-no-such-group" | .researcher_logs = $l' \
		"$GB_ROOT/tests/fixtures/policy/good-minimal.json" > "$SCR_TMP/pol/$mode.json"
done
chmod 0644 "$SCR_TMP"/pol/*

# set_filter SESSION TEXT: a fresh kept filter on the jobs list.
set_filter() {
	scr send-keys -t "$1" / Escape / "$2" Enter
	scr_wait 5 "$1" "filter: $2"
}
# open_logs SESSION JOB: the jobs list filtered to JOB, then l.
open_logs() {
	set_filter "$1" "$2"
	scr_wait 10 "$1" "^$2 " || return 1
	scr send-keys -t "$1" l
	scr_wait 5 "$1" "^Logs of $2 "
}
back_to_jobs() {
	scr send-keys -t "$1" Escape
	scr_wait 5 "$1" '^NAME'
}
head_line() { scr_line "$1" $L_HEAD; }
foot_line() { scr_line "$1" $L_FOOT; }
# last_row SESSION: the last nonblank line of the log area (lines 1..20).
last_row() { scr_cap "$1" | sed -n '2,21p' | grep -v '^ *$' | tail -n 1; }

# --- escape sequences, timestamps, search ------------------------------------------------------
raw=$SCR_TMP/main.raw
scr_start main "$SCR_GB"
scr pipe-pane -t main -o "cat >> '$raw'"
scr select-pane -t main -T gbtest-title
scr_go main
scr_wait 10 main ' jobs: ' || t_fail "the console starts" "$(scr_cap main)"
if open_logs main $P-esc && scr_wait 5 main '^needle here'; then t_ok "l opens the logs of the selected job"
else t_fail "l opens the logs of the selected job" "$(scr_cap main)"; fi
t_match "header: job, following, line count" "$(head_line main)" "^Logs of $P-esc  following  lines 1-10 of 10"
screen=$(scr_cap main)
t_match "ESC [2J removed whole" "$screen" '^mark1$'
t_match "OSC title removed whole" "$screen" '^mark2$'
t_has "C1 CSI shown as a token" "$screen" 'mark3<U+009B>31m'
t_has "bidi override shown as a token" "$screen" 'mark4<U+202E> bidi'
t_match "a tab expanded to the next stop" "$screen" '^        Tab$'
t_match "key bar of the pager" "$(scr_line main 23)" '^F1Help F10Quit EscBack /Search fFollow wWrap tTime'

scr send-keys -t main t
if scr_wait 3 main '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z plain$'; then t_ok "t shows the engine's time of each line"
else t_fail "t shows the engine's time of each line" "$(scr_cap main)"; fi
t_match "header says time" "$(head_line main)" '  time  '
scr send-keys -t main t
if scr_wait 3 main '^plain$'; then t_ok "t hides it again"; else t_fail "t hides it again" "$(scr_cap main)"; fi

scr send-keys -t main / need
scr_wait 3 main '^/need' && t_ok "/ opens the search prompt (not the jobs filter)" ||
	t_fail "/ opens the search prompt (not the jobs filter)" "$(scr_cap main)"
scr send-keys -t main Enter
scr_until 3 eval "scr_cap main -e | grep -q \"${ESC}\\[[0-9;]*7m*need\""
if scr_cap main -e | grep -q "^${ESC}\[[0-9;]*m*${ESC}\[7mneed\|${ESC}\[7mneed"; then t_ok "the match is shown in reverse video"
else t_fail "the match is shown in reverse video" "$(scr_cap main -e | grep needle | cat -v)"; fi
t_match "header says not following after a search" "$(head_line main)" 'not following'
scr send-keys -t main / zzz Enter
if scr_until 3 eval "foot_line main | grep -q 'not found in the 10 lines kept: zzz'"; then t_ok "a search without a match says so"
else t_fail "a search without a match says so" "$(foot_line main)"; fi
scr send-keys -t main '?'
if scr_wait 3 main 'Logs of a job' && scr_has main 'Follow new lines'; then t_ok "help lists the pager's keys"
else t_fail "help lists the pager's keys" "$(scr_cap main)"; fi
scr send-keys -t main Escape
scr_wait 3 main "^Logs of $P-esc"
if back_to_jobs main; then t_ok "Esc goes back to the jobs"; else t_fail "Esc goes back to the jobs" "$(scr_cap main)"; fi

# --- a 100,000-character line, wrapped and not --------------------------------------------------
open_logs main $P-long
scr_wait 5 main '^after$'
t_match "the long line ends with what was cut" "$(scr_cap main)" '^x+… \[34464 bytes cut\]$'
t_eq "wrapped: the line fills every row above the last" 19 "$(scr_cap main | sed -n '2,21p' | grep -c '^x')"
scr send-keys -t main w
scr_until 3 eval "head_line main | grep -q nowrap"
t_eq "w: one row for the long line" 1 "$(scr_cap main | sed -n '2,21p' | grep -c '^x')"
t_match "w: cut at the edge" "$(scr_line main 1)" '^x{79}…$'
t_eq "w: the next line right below" after "$(scr_line main 2)"
scr send-keys -t main w
scr_until 3 eval "! head_line main | grep -q nowrap"
t_eq "w again: wrapped" 19 "$(scr_cap main | sed -n '2,21p' | grep -c '^x')"
back_to_jobs main

# --- follow mode, and the job removed -----------------------------------------------------------
tick_of() { last_row main | sed -n 's/^tick \([0-9]*\)$/\1/p'; }
open_logs main $P-tick
# More lines than rows first: a view with room left shows new lines whether it follows or not.
scr_until 10 eval '[ "$(tick_of)" -gt 30 ]'
t1=$(tick_of)
if scr_until 5 eval '[ "$(tick_of)" -ge $((t1 + 3)) ]'; then t_ok "following: new lines appear at the bottom ($t1 -> $(tick_of))"
else t_fail "following: new lines appear at the bottom" "$(scr_cap main)"; fi
scr send-keys -t main f
scr_until 3 eval "head_line main | grep -q 'not following'"
t2=$(tick_of)
n2=$(head_line main | sed -n 's/.* of \([0-9]*\).*/\1/p')
scr_until 5 eval '[ "$(head_line main | sed -n "s/.* of \([0-9]*\).*/\1/p")" -ge $((n2 + 3)) ]'
t_eq "f: not following, the view stays while lines arrive" "$t2" "$(tick_of)"
scr send-keys -t main f
if scr_until 3 eval '[ "$(tick_of)" -gt "$t2" ]'; then t_ok "f again: following, back at the newest line"
else t_fail "f again: following, back at the newest line" "$(scr_cap main)"; fi
docker service rm $P-tick >/dev/null
if scr_until 10 eval "foot_line main | grep -q 'the job was removed'"; then t_ok "the job removed: the pager says so"
else t_fail "the job removed: the pager says so" "$(scr_cap main)"; fi
t_match "header: stream ended" "$(head_line main)" 'stream ended'
back_to_jobs main

# --- a million lines: keys answered, memory bounded --------------------------------------------
pid=$(scr_gb_pid main)
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$pid/status"; }
rss0=$(rss)
open_logs main $P-mil
scr_wait 30 main ' dropped)' || t_fail "the ring drops old lines" "$(head_line main)"
# ms_to KEY CMD...: milliseconds from KEY until CMD holds, polled every 20 ms (9999: not in 2 s).
ms_to() {
	local t0=$(now_ms) key=$1
	shift
	scr send-keys -t main "$key"
	SCR_POLL=0.02 scr_until 2 "$@" && echo $(($(now_ms) - t0)) || echo 9999
}
streaming=$(! scr_has main '^line 1000000$' && echo yes)
ms1=$(ms_to w eval "head_line main | grep -q nowrap")
ms2=$(ms_to w eval "! head_line main | grep -q nowrap")
ms3=$(ms_to t eval "head_line main | grep -q ' time'")
ms4=$(ms_to t eval "! head_line main | grep -q ' time'")
t_check "keys answered within 1 s while lines stream in (${streaming:+streaming; }$ms1 $ms2 $ms3 $ms4 ms)" \
	test "$ms1" -lt 1000 -a "$ms2" -lt 1000 -a "$ms3" -lt 1000 -a "$ms4" -lt 1000
peak=0
for _ in $(seq 1 120); do
	r=$(rss)
	[ "${r:-0}" -gt "$peak" ] && peak=$r
	scr_has main '^line 1000000$' && break
	sleep 0.5
done
if scr_wait 30 main '^line 1000000$'; then t_ok "all million lines streamed through"
else t_fail "all million lines streamed through" "$(scr_cap main | head -n 3)"; fi
t_match "header: 100,000 lines kept, 900,001 dropped" "$(head_line main)" \
	'lines 99981-100000 of 100000 \(900001 dropped\)'
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
# The ring is bounded at 100,000 lines and 16 MiB; a short line costs well under 100 bytes.
t_check "memory bounded: RSS grew $(((peak - rss0) / 1024)) MiB (peak $((hwm / 1024)) MiB), at most 40 MiB" \
	test $((peak - rss0)) -lt 40960 -a "$hwm" -lt $((rss0 + 40960))
scr send-keys -t main / 'line 950000' Enter
if scr_wait 3 main '^line 950000$' && scr_line main 1 | grep -qx 'line 950000'; then t_ok "search finds a line among the 100,000 kept"
else t_fail "search finds a line among the 100,000 kept" "$(scr_cap main | head -n 3)"; fi
scr send-keys -t main g
scr_wait 3 main '^line 900001$' && t_ok "Home: the oldest line kept" || t_fail "Home: the oldest line kept" "$(scr_line main 1)"
scr send-keys -t main G
scr_wait 3 main '^line 1000000$' && t_ok "End: the newest line" || t_fail "End: the newest line" "$(last_row main)"

# --- 40x10 -------------------------------------------------------------------------------------
scr resize-window -t main -x 40 -y 10
if scr_wait 3 main '^Logs of gbtl-mil' && scr_wait 3 main '^line 1000000$'; then t_ok "40x10: header and the newest line"
else t_fail "40x10: header and the newest line" "$(scr_cap main)"; fi
scr resize-window -t main -x 30 -y 8
scr_wait 3 main 'terminal too small'
scr resize-window -t main -x 80 -y 24
scr_wait 3 main '^line 1000000$'
t_check "glovebox is still running after the resizes" alive "$(scr_gb_pid main)"
back_to_jobs main

# --- nothing raw reached the terminal ----------------------------------------------------------
t_eq "pane title unchanged" gbtest-title "$(scr display -p -t main '#{pane_title}')"
t_check "glovebox wrote some output" test -s "$raw"
for pat in "ESC [2J after text=mark1$ESC[2J" "OSC (ESC ])=$ESC]0;pwned" "BEL=$BEL" "C1 CSI=$C1_CSI" "U+202E=$RLO"; do
	if LC_ALL=C grep -Fq -- "${pat#*=}" "$raw"; then
		t_fail "no ${pat%%=*} in the bytes written to the terminal" "$(LC_ALL=C grep -F -o -b -- "${pat#*=}" "$raw" | head -n 3 | cat -v)"
	else
		t_ok "no ${pat%%=*} in the bytes written to the terminal"
	fi
done

# --- one task's logs: Enter on the tasks view ------------------------------------------------
set_filter main $P-esc
scr_wait 10 main "^$P-esc " && scr send-keys -t main Enter
scr_wait 5 main "^tasks of $P-esc"
host=$(docker node ls --format '{{.Hostname}}' | head -n 1)
scr send-keys -t main Enter
if scr_wait 5 main "^Logs of $P-esc, task 1 on $host " && scr_wait 5 main '^needle here'; then
	t_ok "Enter on a task: that task's logs, titled with its slot and node"
else
	t_fail "Enter on a task: that task's logs, titled with its slot and node" "$(scr_cap main)"
fi
scr send-keys -t main Escape
scr_wait 5 main "^tasks of $P-esc" && t_ok "Esc from a task's logs goes back to the tasks" ||
	t_fail "Esc from a task's logs goes back to the tasks" "$(scr_cap main)"
back_to_jobs main
scr send-keys -t main q

# --- what the policy shows a researcher --------------------------------------------------------
as_r() { echo "setpriv --reuid=$R_UID --regid=$R_GID --groups=$SOCK_GID env DOCKER_HOST=$DOCKER_HOST $SCR_GB --policy $SCR_TMP/pol/$1.json"; }
scr_start rnone "$(as_r none)"
scr_go rnone
scr_wait 10 rnone ' researcher ' || t_fail "the researcher's console starts" "$(scr_cap rnone)"
if open_logs rnone $P-mine && scr_wait 5 rnone "not available to researchers by the platform's"; then
	t_ok "researcher_logs none: the pager says logs are not available by policy"
else
	t_fail "researcher_logs none: the pager says logs are not available by policy" "$(scr_cap rnone)"
fi
t_match "researcher_logs none: nothing shown" "$(head_line rnone)" 'not shown'
scr send-keys -t rnone q
scr_start rtail "$(as_r tail)"
scr_go rtail
scr_wait 10 rtail ' researcher ' || t_fail "the researcher's console starts (tail)" "$(scr_cap rtail)"
if open_logs rtail $P-mine && scr_wait 5 rtail '^line 300$'; then t_ok "researcher_logs tail: the newest lines shown"
else t_fail "researcher_logs tail: the newest lines shown" "$(scr_cap rtail)"; fi
t_match "researcher_logs tail: 100 lines" "$(head_line rtail)" 'lines 81-100 of 100'
t_match "researcher_logs tail: the policy named" "$(foot_line rtail)" 'showing the last 100 lines by policy'
scr send-keys -t rtail q

t_end
