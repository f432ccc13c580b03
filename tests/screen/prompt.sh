#!/usr/bin/env bash
# The ':' command prompt in a real terminal (tmux, 80x24, the sandbox engine): commands run
# (tasks, services, filter, sort, quit), the editing keys, Tab completion of commands and job
# names, the history kept across a restart in $XDG_STATE_HOME/glovebox/history (0600 in a
# 0700 directory), and a password never reaching that file: neither one typed in the login
# dialog nor one typed after `login` at the prompt.
T_SUITE=screen/prompt
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-screen.sh"
scr_need_tmux
scr_need_engine
scr_init

P=gbtq
L_STATUS=22 L_KEYS=23
STATE=$SCR_TMP/state
HIST=$STATE/glovebox/history
CANARY=gbtq-canary-$$-Zq8w
CANARY2=gbtq-typed-$$-Xv3k

svc_cleanup
svc_mk $P-uone glovebox/load &
svc_mk $P-two glovebox/load &
wait

run_gb() {   # run_gb SESSION: glovebox with the scratch state directory, refreshing fast
	scr_start "$1" "env XDG_STATE_HOME='$STATE' '$SCR_GB' console --refresh 0.5"
	scr_go "$1"
}
keys() { scr send-keys -t "$1" "${@:2}"; }
text() { scr send-keys -t "$1" -l -- "$2"; }
cmd() { keys "$1" :; text "$1" "$2"; keys "$1" Enter; }   # cmd SESSION LINE: run LINE at the prompt
line_is() { [ "$(scr_line "$1" "$2" | sed 's/ *$//')" = "$3" ]; }
# wait_line SECS SESSION N TEXT: line N becomes exactly TEXT (trailing blanks aside).
wait_line() { scr_until "$1" line_is "$2" "$3" "$4"; }
gone() { local p; p=$(scr_gb_pid "$1"); [ -z "$p" ] || ! alive "$p"; }

run_gb a
t_check "console up with both jobs" scr_wait 20 a "^$P-uone "
scr_wait 10 a "^$P-two " >/dev/null

# ---- opening, running, closing ----
keys a :
t_check ": opens the prompt on the bottom line" wait_line 3 a $L_KEYS ":"
t_check "  in place of the key bar" sh -c "! tmux -L $SCR_SOCK capture-pane -p -t a | grep -q 'F10Quit'"
keys a Escape
t_check "Esc closes it: the key bar is back" scr_until 3 sh -c "tmux -L $SCR_SOCK capture-pane -p -t a | tail -n 1 | grep -q 'F1Help'"

# ---- Tab: a command, then a job name ----
keys a :
text a ta
keys a Tab
t_check "Tab completes a command (ta -> tasks)" wait_line 3 a $L_KEYS ":tasks"
text a "$P-u"
keys a Tab
t_check "Tab completes a job name" wait_line 3 a $L_KEYS ":tasks $P-uone"
keys a Enter
t_check ":tasks NAME opens the tasks screen" scr_wait 5 a "tasks of $P-uone"
cmd a services
t_check ":services goes back to the jobs" scr_wait 5 a "^NAME"

keys a : ; text a "tasks $P-"
keys a Tab
t_check "an ambiguous name: the candidates on the status line" \
	scr_until 3 sh -c "tmux -L $SCR_SOCK capture-pane -p -t a | sed -n '$((L_STATUS + 1))p' | grep -q '$P-two  $P-uone'"
keys a C-u Escape

# ---- editing keys ----
keys a : ; text a "xxx yyy"
keys a C-w
t_check "Ctrl-W deletes the word before the cursor" wait_line 3 a $L_KEYS ":xxx"
keys a C-u
t_check "Ctrl-U deletes the line before the cursor" wait_line 3 a $L_KEYS ":"
text a "ilter $P-u"
keys a C-a ; text a f
keys a C-e ; text a "one"
t_check "Ctrl-A and Ctrl-E move to the ends" wait_line 3 a $L_KEYS ":filter $P-uone"
keys a M-b ; keys a C-k
t_check "Alt-B goes back one word (Ctrl-K cuts from there)" wait_line 3 a $L_KEYS ":filter"
text a " $P-uone"
keys a Enter
t_check ":filter TEXT filters the rows" scr_until 5 sh -c \
	"tmux -L $SCR_SOCK capture-pane -p -t a | grep -q '^$P-uone ' && ! tmux -L $SCR_SOCK capture-pane -p -t a | grep -q '^$P-two '"
t_check "  and the status line says so" scr_wait 3 a "filter: $P-uone"
cmd a filter
t_check ":filter alone clears it" scr_wait 5 a "^$P-two "

cmd a "sort state"
t_check ":sort state sorts by STATE (the header marks it)" scr_wait 3 a " STATE(▲|\\^)"
cmd a "sort name desc"
t_check ":sort name desc, the other way" scr_wait 3 a "^NAME(▼|v)"

cmd a bogus
t_check "an unknown command says so" scr_wait 3 a 'no command "bogus"'
# A refusal is a warning: black on yellow, not the blue of news.
t_has "  in the warning colours" "$(scr_cap a -e | sed -n 23p | cat -v)" '^[[30m^[[43mno command "bogus"'
cmd a "tasks nosuchjob"
t_check "an unknown job says so" scr_wait 3 a 'no job named "nosuchjob"'

# ---- passwords never reach the history ----
cmd a "login $CANARY2"
t_check "login with arguments is refused" scr_wait 3 a "login takes no arguments"
cmd a login
t_check ":login opens the login dialog" scr_wait 5 a "Log in to a registry"
text a 127.0.0.1:5999 ; keys a Tab ; text a someone ; keys a Tab
printf '%s' "$CANARY" | scr load-buffer -b pw -
scr paste-buffer -b pw -d -t a
keys a Escape
t_check "  Esc cancels it" scr_until 5 sh -c "! tmux -L $SCR_SOCK capture-pane -p -t a | grep -q 'Log in to a registry'"
keys a L
t_check "L opens it too" scr_wait 5 a "Log in to a registry"
keys a Escape
scr_until 5 sh -c "! tmux -L $SCR_SOCK capture-pane -p -t a | grep -q 'Log in to a registry'" >/dev/null

# ---- at 40x10 the prompt still works ----
keys a : ; text a "tasks $P-uon"
scr resize-window -t a -x 40 -y 10
sleep 0.5
keys a Tab
t_check "at 40x10: the prompt is on the bottom line" scr_until 3 sh -c \
	"tmux -L $SCR_SOCK capture-pane -p -t a | tail -n 1 | grep -q '^:tasks $P-uone'"
keys a Escape
scr resize-window -t a -x 80 -y 24
scr_wait 5 a "^NAME" >/dev/null

cmd a quit
t_check ":quit ends glovebox" scr_until 5 gone a

# ---- the history file ----
t_check "the history file is there" test -s "$HIST"
t_eq "  mode 0600" 600 "$(stat -c %a "$HIST" 2>/dev/null)"
t_eq "  in a 0700 directory" 700 "$(stat -c %a "$STATE/glovebox" 2>/dev/null)"
t_check "  libedit's format" sh -c "head -n 1 '$HIST' | grep -qx '_HiStOrY_V2_'"
t_check "  it has the commands run" grep -q "^tasks\\\\040$P-uone\$" "$HIST"
t_check "  not the unknown one" sh -c "! grep -q bogus '$HIST'"
t_check "  not the login with arguments" sh -c "! grep -q '^login\\\\040' '$HIST'"
hits=$(grep -rlF -e "$CANARY" -e "$CANARY2" "$STATE" 2>/dev/null)
t_eq "no password, typed in the dialog or after login, in any file of the state directory" "" "$hits"

# ---- after a restart, Up recalls them ----
run_gb b
scr_wait 20 b "^$P-uone " >/dev/null
keys b : ; keys b Up
t_check "after a restart, Up recalls the last command" wait_line 3 b $L_KEYS ":quit"
keys b Up
t_check "  and the one before" wait_line 3 b $L_KEYS ":login"
keys b C-p C-p
t_check "  Ctrl-P goes further back" wait_line 3 b $L_KEYS ":sort name desc"
keys b Down C-n C-n C-n
t_check "  Down and Ctrl-N come back to the line being typed" wait_line 3 b $L_KEYS ":"
keys b Up Up Up Up Up Up Up Up Up Up Enter
t_check "  a recalled command runs" scr_wait 5 b "tasks of $P-uone"
keys b Escape
keys b F1
scr_wait 5 b "glovebox help" >/dev/null
keys b G
t_check "help lists the commands" scr_wait 5 b ":sort COLUMN \\[desc\\] +Sort by the column"
t_check "  and the prompt's keys" scr_wait 5 b "^At the : prompt"
keys b q
keys b q
t_check "q quits" scr_until 5 gone b

svc_cleanup
t_end
