#!/usr/bin/env bash
# Terminals the console cannot use: TERM unset, empty, dumb, unknown or hostile, and no terminal
# at all. glovebox must exit with code 2 and one line on stderr, and write no escape bytes
# (checked on stderr, on stdout, and on what reached the terminal, byte for byte).
# Needs no engine: DOCKER_HOST points at a socket that does not exist.
T_SUITE=screen/term
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-screen.sh"
scr_need_tmux
scr_init
export DOCKER_HOST=unix://$SCR_TMP/no-engine.sock
ESC=$(printf '\033')

# check NAME FILES ERE: exit code, stderr and stdout of one case, from FILES.rc, .err and .out;
# the stderr line must match ERE.
check() {
	local n=$1 f=$2 err
	err=$(cat "$f.err" 2>/dev/null)
	t_eq "$n: exit code 2" 2 "$(cat "$f.rc" 2>/dev/null)"
	t_eq "$n: one line on stderr" 1 "$(wc -l < "$f.err")"
	t_match "$n: it says what is wrong ($err)" "$err" "$3"
	if LC_ALL=C grep -q "[[:cntrl:]]" <(tr -d '\n' < "$f.err") ||
		LC_ALL=C grep -q $'\xc2[\x80-\x9f]' "$f.err"; then
		t_fail "$n: no escape or control bytes on stderr" "$(od -c "$f.err" | head -n 5)"
	else
		t_ok "$n: no escape or control bytes on stderr"
	fi
	if [ -e "$f.out" ]; then
		if [ -s "$f.out" ]; then t_fail "$n: nothing on stdout" "$(od -c "$f.out" | head -n 5)"
		else t_ok "$n: nothing on stdout"; fi
	fi
}

# 1. No terminal at all: stdin from /dev/null, stdout to a file.
d=$SCR_TMP/plain
mkdir -p "$d"
for t in xterm-256color dumb; do
	TERM=$t timeout -s KILL 5 "$SCR_GB" < /dev/null > "$d/$t.out" 2> "$d/$t.err"
	echo $? > "$d/$t.rc"
	check "no tty (TERM=$t)" "$d/$t" '^glovebox: .*terminal'
done

# 2. On a terminal (a tmux pane) with a TERM it cannot use; stdout is the terminal, so
# pipe-pane records every byte that reaches it. Each case is bounded by timeout in case the
# console starts after all.
d=$SCR_TMP/tty
mkdir -p "$d"
cat > "$SCR_TMP/cases.sh" <<'EOF'
d=$1 gb=$2
run() {
	name=$1
	shift
	printf 'CASE %s\n' "$name"
	"$@" 2> "$d/$name.err"
	echo $? > "$d/$name.rc"
}
run unset env -u TERM timeout --foreground -s KILL 5 "$gb"
run empty env TERM= timeout --foreground -s KILL 5 "$gb"
run dumb env TERM=dumb timeout --foreground -s KILL 5 "$gb"
run unknown env TERM=nosuchterm timeout --foreground -s KILL 5 "$gb"
run hostile env "TERM=$(printf 'x\033]0;pwned\007\302\233')" timeout --foreground -s KILL 5 "$gb"
run stdout-file sh -c 'timeout --foreground -s KILL 5 "$1" > "$2"' - "$gb" "$d/stdout-file.out"
run stdin-null sh -c 'timeout --foreground -s KILL 5 "$1" < /dev/null' - "$gb"
run console-cmd env TERM=dumb timeout --foreground -s KILL 5 "$gb" console --refresh 1
echo ALLDONE
exec sleep 60
EOF
raw=$SCR_TMP/tty.raw
scr_start cases "sh '$SCR_TMP/cases.sh' '$d' '$SCR_GB'"
scr select-pane -t cases -T gbtest-title
scr pipe-pane -t cases -o "cat >> '$raw'"
scr_go cases
scr_wait 30 cases '^ALLDONE' || t_fail "every case ends" "$(scr_cap cases)"
sleep 0.2   # let pipe-pane flush

check "TERM unset" "$d/unset" '^glovebox: .*TERM'
check "TERM empty" "$d/empty" '^glovebox: .*TERM'
check "TERM=dumb" "$d/dumb" '^glovebox: .*dumb'
check "TERM=nosuchterm" "$d/unknown" '^glovebox: .*nosuchterm'
check "TERM with escapes" "$d/hostile" '^glovebox: '
check "stdout to a file" "$d/stdout-file" '^glovebox: .*terminal'
check "stdin from /dev/null" "$d/stdin-null" '^glovebox: .*terminal'
check "glovebox console, TERM=dumb" "$d/console-cmd" '^glovebox: .*dumb'

expected=$(printf 'CASE %s\n' unset empty dumb unknown hostile stdout-file stdin-null console-cmd; echo ALLDONE)
t_eq "nothing but the cases' own lines reached the terminal" "$(printf '%s\n' "$expected" | od -c)" \
	"$(tr -d '\r' < "$raw" | od -c)"
if LC_ALL=C grep -q "$ESC" "$raw"; then
	t_fail "no ESC byte reached the terminal" "$(od -c "$raw" | grep -m 3 '033')"
else
	t_ok "no ESC byte reached the terminal"
fi
t_eq "pane title unchanged" gbtest-title "$(scr display -p -t cases '#{pane_title}')"
t_eq "never switched to the alternate screen" 0 "$(scr display -p -t cases '#{alternate_on}')"
t_end
