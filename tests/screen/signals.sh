#!/usr/bin/env bash
# Signals and the terminal: SIGINT, SIGTERM, SIGHUP and SIGQUIT end the console with the
# terminal restored (same stty settings as before, canonical mode and echo, main screen,
# cursor shown, cursor keys back to normal mode); Ctrl-Z suspends it with the terminal restored
# and fg brings it back; a closed terminal ends it without spinning.
T_SUITE=screen/signals
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-screen.sh"
scr_need_tmux
scr_need_engine
scr_init

# The pane's program: the terminal settings before and after glovebox, and its exit status.
cat > "$SCR_TMP/wrap.sh" <<'EOF'
d=$1
shift
stty -g > "$d.before"
"$@"
echo "EXIT=$?"
stty -g > "$d.after"
stty -a | tr ' ;' '\n\n' | grep -x -e -icanon -e icanon -e -echo -e echo | tr '\n' ' ' > "$d.modes"
echo DONE
exec sleep 60
EOF

flag() { scr display -p -t "$1" "#{$2}"; }
# started SESSION: glovebox has drawn the jobs screen on the alternate screen.
started() { scr_has "$1" ' jobs: ' && [ "$(flag "$1" alternate_on)" = 1 ]; }

for sig in INT TERM HUP QUIT; do
	s=sig$sig
	scr_start $s "sh '$SCR_TMP/wrap.sh' '$SCR_TMP/$s' '$SCR_GB'"
	scr_go $s
	if ! scr_until 10 started $s; then
		t_fail "SIG$sig: the console starts on the alternate screen" "$(scr_cap $s)"
		continue
	fi
	pid=$(scr_gb_pid $s)
	t_eq "SIG$sig: cursor hidden while it runs" 0 "$(flag $s cursor_flag)"
	t0=$(now_ms)
	kill -s "$sig" "$pid"
	if scr_wait 5 $s '^DONE'; then
		t_ok "SIG$sig: glovebox exits ($(scr_cap $s | grep -o 'EXIT=[0-9]*'), $(($(now_ms) - t0)) ms)"
		t_eq "SIG$sig: exit status 128 + the signal's number" "EXIT=$((128 + $(kill -l "$sig")))" \
			"$(scr_cap $s | grep -o 'EXIT=[0-9]*')"
	else
		t_fail "SIG$sig: glovebox exits" "$(scr_cap $s)"
		alive "$pid" && kill -KILL "$pid"
		continue
	fi
	t_check "SIG$sig: the process is gone" scr_until 2 eval '! alive "$pid"'
	t_eq "SIG$sig: stty settings as before" "$(cat "$SCR_TMP/$s.before")" "$(cat "$SCR_TMP/$s.after")"
	t_eq "SIG$sig: canonical mode and echo" "icanon echo " "$(cat "$SCR_TMP/$s.modes")"
	t_eq "SIG$sig: alternate screen left" 0 "$(flag $s alternate_on)"
	t_eq "SIG$sig: cursor shown" 1 "$(flag $s cursor_flag)"
	t_eq "SIG$sig: cursor keys back in normal mode" 0 "$(flag $s keypad_cursor_flag)"
	t_check "SIG$sig: the shell's output is on the main screen" scr_has $s '^EXIT='
	scr kill-session -t $s
done

# Ctrl-Z under an interactive shell, then fg. dash does not touch the terminal settings of a
# stopped job, so what it sees is what glovebox left; bash restores its own settings when a job
# stops, so under bash only the prompt and fg are checked.
pane_tty() { scr display -p -t "$1" '#{pane_tty}'; }
# at_prompt SESSION: the last non-empty line is a bare prompt.
at_prompt() { scr_cap "$1" | grep -v '^$' | tail -n 1 | grep -q '^gbprompt\$ *$'; }
stopped() { [ "$(awk '{sub(/^.*\) /, ""); print $1}' "/proc/$1/stat" 2>/dev/null)" = T ]; }
for shell in dash bash; do
	s=tstp-$shell
	case $shell in
	dash) command -v dash >/dev/null || { t_fail "dash is installed (Debian's /bin/sh)"; continue; }
		cmd="env -u ENV PS1='gbprompt\$ ' dash -i" ;;
	bash) cmd="env PS1='gbprompt\$ ' bash --norc --noprofile -i" ;;
	esac
	scr_start $s "$cmd"
	scr_go $s
	scr_until 5 at_prompt $s || { t_fail "$shell: prompt" "$(scr_cap $s)"; continue; }
	before=$(stty -g -F "$(pane_tty $s)")
	scr send-keys -t $s "$SCR_GB" Enter
	if ! scr_until 10 started $s; then
		t_fail "$shell: the console starts" "$(scr_cap $s)"
		continue
	fi
	pid=$(scr_gb_pid $s)
	scr send-keys -t $s C-z
	if scr_wait 5 $s 'Stopped' && scr_until 2 at_prompt $s; then
		t_ok "$shell: Ctrl-Z stops glovebox and the prompt is back"
	else
		t_fail "$shell: Ctrl-Z stops glovebox and the prompt is back" "$(scr_cap $s)"
	fi
	t_check "$shell: glovebox is stopped (state T)" stopped "$pid"
	t_eq "$shell: suspended: alternate screen left" 0 "$(flag $s alternate_on)"
	t_eq "$shell: suspended: cursor shown" 1 "$(flag $s cursor_flag)"
	if [ $shell = dash ]; then
		t_eq "$shell: suspended: stty settings as before glovebox" "$before" "$(stty -g -F "$(pane_tty $s)")"
		modes=$(stty -a -F "$(pane_tty $s)" | tr ' ;' '\n\n' | grep -x -e -icanon -e icanon -e -echo -e echo | tr '\n' ' ')
		t_eq "$shell: suspended: canonical mode and echo" "icanon echo " "$modes"
	fi
	scr send-keys -t $s 'fg' Enter
	if scr_until 5 started $s && scr_wait 3 $s '^NAME▲ +OWNER' && scr_has $s '^F1Help F10Quit'; then
		t_ok "$shell: fg brings the console back, repainted"
	else
		t_fail "$shell: fg brings the console back, repainted" "$(scr_cap $s)"
	fi
	t_check "$shell: running again" eval '! stopped "$pid" && alive "$pid"'
	t_eq "$shell: cursor hidden again" 0 "$(flag $s cursor_flag)"
	scr send-keys -t $s Down q
	if scr_until 3 eval '! alive "$pid"' && scr_until 3 at_prompt $s; then t_ok "$shell: q after fg quits to the prompt"
	else t_fail "$shell: q after fg quits to the prompt" "$(scr_cap $s)"; fi
	[ $shell = dash ] && t_eq "$shell: after quitting: stty settings as before" "$before" "$(stty -g -F "$(pane_tty $s)")"
	scr kill-session -t $s
done

# A closed terminal: the tmux session is killed under a running glovebox.
# closed_pty NAME CMD: once with SIGHUP from the kernel, once in its own session (setsid), where
# no SIGHUP comes and only the dead terminal itself can tell it to stop.
closed_pty() {
	local name=$1 cmd=$2 s=cp$3 pid t0 c0 c1
	scr_start $s "$cmd"
	scr_go $s
	if ! scr_until 10 started $s; then t_fail "$name: the console starts" "$(scr_cap $s)"; return; fi
	pid=$(pgrep -f "^$SCR_GB( |\$)" | while read -r p; do
		[ "$(readlink "/proc/$p/fd/0")" = "$(pane_tty $s)" ] && echo "$p"; done | head -n 1)
	[ -n "$pid" ] || { t_fail "$name: find glovebox"; return; }
	c0=$(cpu_ticks "$pid") c1=$c0
	t0=$(now_ms)
	scr kill-session -t $s
	# Poll its CPU time until it is gone: a process that spins on a dead terminal burns a CPU.
	while alive "$pid" && [ $(($(now_ms) - t0)) -lt 5000 ]; do
		c1=$(cpu_ticks "$pid") || break
		sleep 0.1
	done
	if ! alive "$pid"; then
		t_ok "$name: glovebox exits when its terminal closes ($(($(now_ms) - t0)) ms)"
	else
		t_fail "$name: glovebox exits when its terminal closes" "still running after 5 s; killed"
		kill -KILL "$pid"
	fi
	t_check "$name: no busy loop meanwhile ($((c1 - c0)) clock ticks of CPU, 100 = 1 s)" test $((c1 - c0)) -le 50
}
closed_pty "closed pty (SIGHUP)" "$SCR_GB" 1
closed_pty "closed pty (no SIGHUP: own session)" "setsid -w $SCR_GB" 2
t_end
