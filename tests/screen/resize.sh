#!/usr/bin/env bash
# Resizing the terminal under the console: 80x24 down to the smallest supported size (40x10),
# below it ("terminal too small"), back up, and a burst of sizes; the console must stay readable
# and never die.
T_SUITE=screen/resize
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-screen.sh"
scr_need_tmux
scr_need_engine
scr_init

P=gbtr
svc_cleanup
for n in a b c; do svc_mk $P-$n glovebox/load & done
svc_mk $P-pend --constraint node.labels.glovebox.class==gpu glovebox/load &
wait

# size W H: resize the window and wait until the pane has that size.
size() {
	scr resize-window -t rs -x "$1" -y "$2"
	scr_until 2 eval "[ \"\$(scr display -p -t rs '#{pane_width}x#{pane_height}')\" = '$1x$2' ]"
}
line() { scr_line rs "$1" | sed 's/ *$//'; }
# Every line of the pane fits its width (nothing wraps into the next line).
fits() {
	local w l
	w=$(scr display -p -t rs '#{pane_width}')
	while IFS= read -r l; do
		[ "${#l}" -le "$w" ] || { echo "${#l} > $w: $l"; return 1; }
	done < <(scr_cap rs)
}
running() { [ "$(docker service ls --filter name=$P- --format '{{.Replicas}}' | grep -c '^1/1')" -eq 3 ]; }

scr_start rs "$SCR_GB"
scr_until 30 running || t_fail "this suite's jobs run" "$(docker service ls --filter name=$P-)"
scr_go rs
scr_wait 10 rs ' jobs: ' || t_fail "the console starts" "$(scr_cap rs)"
pid=$(scr_gb_pid rs)
# Only this suite's jobs, so the rows below are known.
scr send-keys -t rs / $P- Enter
if scr_wait 10 rs "^$P-pend " && scr_has rs "^$P-a "; then t_ok "80x24: this suite's jobs listed"
else t_fail "80x24: this suite's jobs listed" "$(scr_cap rs)"; fi

size 40 10
if scr_wait 2 rs '^NAME▲ '; then t_ok "40x10: table header"; else t_fail "40x10: table header" "$(scr_cap rs)"; fi
t_match "40x10: title line" "$(line 0)" '^glovebox  unix://'
t_match "40x10: narrow header keeps name, state and CPU" "$(line 1)" '^NAME▲ +STATE +CPU'
t_match "40x10: rows shown" "$(line 2)" "^$P-a +running +\\["
t_eq "40x10: all four jobs fit (up to 5 rows do)" 4 "$(scr_cap rs | grep -c "^$P-")"
t_match "40x10: status line" "$(line 8)" '^[0-9]+ jobs: '
t_match "40x10: key bar keeps Help and Quit" "$(line 9)" '^F1Help F10Quit'
t_check "40x10: no line wider than the pane" fits
t_check "40x10: still running" alive "$pid"

scr send-keys -t rs '?'
if scr_wait 2 rs '^ glovebox help'; then t_ok "40x10: help opens"; else t_fail "40x10: help opens" "$(scr_cap rs)"; fi
t_check "40x10: help fits" fits
scr send-keys -t rs Escape
scr_wait 2 rs '^NAME▲ '
# Without the filter: with one kept, Esc on the tasks screen clears it first (see console.sh).
scr send-keys -t rs / Escape
scr_until 2 eval "! scr_has rs 'filter: '"
scr send-keys -t rs Enter
if scr_wait 2 rs "^tasks of $P-a"; then t_ok "40x10: tasks open"; else t_fail "40x10: tasks open" "$(scr_cap rs)"; fi
t_check "40x10: tasks fit" fits

size 30 8
if scr_wait 2 rs '^terminal too small'; then t_ok "30x8: terminal too small"; else t_fail "30x8: terminal too small" "$(scr_cap rs)"; fi
t_eq "30x8: says what it needs" "(30x8, needs 40x10)" "$(line 1)"
t_check "30x8: still running" alive "$pid"
size 39 10
t_check "39x10: too small" scr_wait 2 rs '^terminal too small'
size 40 9
t_check "40x9: too small" scr_wait 2 rs '^terminal too small'

size 80 24
scr send-keys -t rs Escape
if scr_wait 3 rs '^NAME▲ +OWNER +CLASS +IMAGE +REPL +STATE +CPU +MEM +AGE *$'; then
	t_ok "80x24 again: full header"
else
	t_fail "80x24 again: full header" "$(scr_cap rs)"
fi
scr send-keys -t rs / $P- Enter
scr_wait 2 rs "filter: $P-"
t_match "80x24 again: title" "$(line 0)" '^glovebox  unix://'
t_match "80x24 again: rows with bars" "$(scr_cap rs | grep "^$P-a ")" "^$P-a +\\(not g.* +- +glovebox.* 1/1 running +\\[.*\\] \\[.*\\]"
t_match "80x24 again: key bar" "$(line 23)" '^F1Help F10Quit EnterTasks /Filter <>Sort'
t_eq "80x24 again: no leftovers of the small screens" 0 "$(scr_cap rs | grep -c 'too small\|needs 40x10')"

# A burst of sizes without waiting, down to a single cell and up to 200x60.
for s in 1x1 200x60 20x5 39x10 40x10 10x40 120x40 1x24 80x1 57x13 80x24; do
	scr resize-window -t rs -x "${s%x*}" -y "${s#*x}"
done
scr_until 2 eval "[ \"\$(scr display -p -t rs '#{pane_width}x#{pane_height}')\" = 80x24 ]"
if scr_wait 3 rs '^NAME▲ +OWNER +CLASS +IMAGE +REPL +STATE +CPU +MEM +AGE *$'; then
	t_ok "after a burst of resizes: full table again"
else
	t_fail "after a burst of resizes: full table again" "$(scr_cap rs)"
fi
t_check "after a burst of resizes: still running" alive "$pid"
t_check "after a burst of resizes: every line fits" fits
scr send-keys -t rs q
t_check "q quits after all that" scr_until 3 eval '! alive "$pid"'
t_end
