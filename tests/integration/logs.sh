#!/usr/bin/env bash
# glovebox logs against the sandbox engine: escape sequences shown as tokens and never raw, a
# 100,000-character line cut, a million lines in bounded memory, follow, tail, TTY services,
# stdout and stderr apart, finding jobs, and what the policy lets researchers see.
T_SUITE=integration/logs
. "$(dirname "$0")/../lib.sh"

[ -n "${GB_NO_ENGINE:-}" ] && t_skip_suite "$GB_NO_ENGINE"
[ -n "${DOCKER_HOST:-}" ] || t_skip_suite "no sandbox engine (DOCKER_HOST unset)"
command -v jq >/dev/null || t_skip_suite "jq is not installed (make deps)"
[ -x /usr/bin/time ] || t_skip_suite "/usr/bin/time is not installed (it measures memory)"
command -v setpriv >/dev/null || t_skip_suite "setpriv is not installed (it runs glovebox as a researcher)"
unset GLOVEBOX_POLICY
export LC_ALL=C.UTF-8

P=gbt-logs
ESC=$(printf '\033')
work=$(mktemp -d)
bg_pids=()
cleanup() {
	for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null; done
	docker service ls -q --filter "label=gbtest=$P" | xargs -r docker service rm >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
docker service ls -q --filter "label=gbtest=$P" | xargs -r docker service rm >/dev/null 2>&1

# glovebox's roles (api/core/roles.h): root is always an admin, so the researcher is another account,
# nobody, let into the engine's socket by its group, as a researcher would be on a gateway host.
R_UID=65534
R=$(getent passwd $R_UID | cut -d: -f1)
R_GID=$(getent passwd $R_UID | cut -d: -f4)
R_GROUP=$(getent group "$R_GID" | cut -d: -f1)
SOCK_GID=$(stat -c %g "${DOCKER_HOST#unix://}" 2>/dev/null)
as_r() { setpriv --reuid="$R_UID" --regid="$R_GID" --groups="$SOCK_GID" "$@"; }
# stop PID: Ctrl-C to a background glovebox, then its exit status (124 when it is still running
# 10 s later; then it is killed). A zombie counts as gone.
stop() {
	local i
	kill -INT "$1" 2>/dev/null
	for ((i = 0; i < 40; i++)); do
		case $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) in Z | '') wait "$1"; return $? ;; esac
		sleep 0.25
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1"
	return 124
}
mk() { docker service create -d --quiet --label gbtest=$P "$@" >/dev/null 2>&1; }
mine() { mk --label "glovebox.owner=$R" "$@"; }
mine --name $P-esc glovebox/load \
	--print 'plain\n\033[31mred\033[0m\n\033]0;pwned\a\n\xc2\x9b C1\n\xe2\x80\xae bidi\n\tTab\n\x9b bad\n'
mine --name $P-long glovebox/busybox sh -c 'head -c 100000 /dev/zero | tr "\0" x; echo; echo after; sleep 1000'
mine --name $P-million glovebox/load --lines 1000000
mine --name $P-tick glovebox/busybox sh -c 'i=0; while true; do i=$((i+1)); echo tick $i; sleep 1; done'
mine --name $P-fast glovebox/busybox sh -c 'i=0; while true; do i=$((i+1)); echo n $i; usleep 100000; done'
mine --name $P-gone glovebox/busybox sh -c 'while true; do echo still here; sleep 1; done'
mine --name $P-tty -t glovebox/busybox sh -c 'printf "tty\033[1mbold\n"; echo second; sleep 1000'
mine --name $P-streams glovebox/busybox sh -c 'echo to-stdout; echo to-stderr >&2; sleep 1000'
mk --name $P-alice --label glovebox.owner=alice glovebox/busybox sh -c 'echo secret of alice; sleep 1000'
mk --name $P-noowner glovebox/busybox sh -c 'echo made without glovebox; sleep 1000'

# Wait until every job has written what it will (the docker CLI reads the same logs).
logged() { docker service logs --raw --tail "$2" "$1" 2>&1 | grep -q "$3"; }
settled() {
	logged $P-esc all bad && logged $P-long 1 after && logged $P-million 1 'line 1000000' &&
	logged $P-tick 1 tick && logged $P-fast 1 'n ' && logged $P-tty all second && logged $P-alice all secret &&
	logged $P-noowner all made && logged $P-streams all to-stderr
}
if ! wait_for 90 settled; then
	t_fail "jobs start and log" "$(docker service ls --filter label=gbtest=$P; docker service ps $P-esc $P-million --no-trunc)"
fi

# Policies: one names the researcher's group as admins, the others a group nobody is in.
cp "$GB_ROOT/tests/fixtures/policy/terms.md" "$work/"
policy() {   # NAME ADMIN_GROUP RESEARCHER_LOGS
	jq --arg g "$2" --arg l "$3" '.admin_group = $g | .researcher_logs = $l' \
		"$GB_ROOT/tests/fixtures/policy/good-minimal.json" > "$work/$1.json"
}
chmod 0755 "$work"   # the researcher reads the policies; only root can change them
policy admin "$R_GROUP" none
policy full gbt-no-such-group full
policy tail gbt-no-such-group tail
policy none gbt-no-such-group none
mkdir "$work/open" && chmod 0777 "$work/open"   # a policy anyone could have written
cp "$work/admin.json" "$work/terms.md" "$work/open/"
gb() { "$GLOVEBOX" --policy "$work/$1.json" logs "${@:2}"; }            # as root, an admin
rgb() { as_r "$GLOVEBOX" --policy "$work/$1.json" logs "${@:2}"; }     # as the researcher
out=$work/out; mkdir -p "$out"

# ---- Escape sequences: removed whole; other controls as visible tokens; never raw ----
gb full $P-esc > "$out/esc" 2> "$out/esc.err"
t_eq "escapes: exit 0" 0 $?
t_eq "escapes: every line (load ends --print with an empty one)" 9 "$(wc -l < "$out/esc")"
expected=$(printf '%s\n' "load: cpu 0.00, mem 0 MiB, until SIGTERM, print yes, lines 0" "plain" \
	'red' '' '<U+009B> C1' '<U+202E> bidi' "$(printf '\tTab')" '� bad')
t_eq "escapes: sequences removed whole, other controls as tokens, line by line" "$expected" "$(cat "$out/esc")"
t_eq "escapes: nothing on stderr" "" "$(cat "$out/esc.err")"

# ---- A 100,000-character line ----
gb full $P-long > "$out/long" 2>&1
t_eq "long line: exit 0" 0 $?
t_eq "long line: two lines" 2 "$(wc -l < "$out/long")"
t_eq "long line: 64 KiB kept, the rest counted" "65536 … [34464 bytes cut]" \
	"$(sed -n 1p "$out/long" | sed 's/^\(x*\)\(.*\)$/\1 \2/' | awk '{ printf "%d %s", length($1), substr($0, length($1) + 2) }')"
t_eq "long line: the next line is whole" after "$(sed -n 2p "$out/long")"
# With timestamps the engine sends the line as 16 KiB messages, each with a time: only the first shows.
gb full --timestamps $P-long > "$out/long.ts" 2>&1
t_check "long line with timestamps: a time in front" \
	sh -c "sed -n 1p '$out/long.ts' | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{18}Z x'"
t_check "long line with timestamps: none inside" \
	bash -c "sed -n 1p '$out/long.ts' | cut -d ' ' -f 2- | cmp -s - <(sed -n 1p '$out/long')"

# ---- A million lines, in bounded memory ----
/usr/bin/time -f %M -o "$work/rss.small" "$GLOVEBOX" --policy "$work/full.json" logs --tail 3 $P-million > "$out/small" 2>&1
start=$(date +%s)
/usr/bin/time -f %M -o "$work/rss.million" "$GLOVEBOX" --policy "$work/full.json" logs --tail all $P-million > "$work/million" 2> "$out/million.err"
rc=$?
secs=$(( $(date +%s) - start ))
t_eq "a million lines: exit 0" 0 "$rc"
t_eq "a million lines: all of them" 1000001 "$(wc -l < "$work/million")"
t_eq "a million lines: the last one" "line 1000000" "$(tail -n 1 "$work/million")"
t_eq "a million lines: in order" "" "$(sed -n '2,$p' "$work/million" | awk '$2 != NR { print; exit }')"
small=$(tail -n 1 "$work/rss.small"); big=$(tail -n 1 "$work/rss.million")
# The decoder holds at most 64 KiB per stream and prints as it goes: a million lines cost what
# three do, within 4 MiB. A sanitizer build keeps freed memory in quarantine, so only the
# release build is measured.
if grep -q __asan_init "$GLOVEBOX"; then
	echo "  (sanitizer build: max RSS $big KiB not held to the bound)"
else
	t_check "a million lines: max RSS $big KiB within 4 MiB of the $small KiB for three lines (${secs}s)" \
		test "$big" -le $((small + 4096))
fi
t_eq "tail 3 of a million" "$(printf 'line %s\n' 999998 999999 1000000)" "$(cat "$out/small")"
rm -f "$work/million"

# ---- --tail ----
t_eq "--tail 5 gives 5 lines" "$(printf 'line %s\n' 999996 999997 999998 999999 1000000)" "$(gb full --tail 5 $P-million)"
t_eq "--tail 0 gives none" "" "$(gb full --tail 0 $P-million)"
gb full --tail -1 $P-million > /dev/null 2>&1
t_eq "--tail -1 is a usage error" 2 $?
gb full --tail 5x $P-million > /dev/null 2>&1
t_eq "--tail 5x is a usage error" 2 $?

# ---- A reader that goes away ----
set -o pipefail
gb full $P-million 2> "$out/pipe.err" | head -n 2 > /dev/null
t_eq "piped into head: exit 0 when head is done" 0 $?
set +o pipefail
t_eq "piped into head: no complaint" "" "$(cat "$out/pipe.err")"

# ---- Follow ----
# Started directly, not through gb, so that $! is glovebox itself.
"$GLOVEBOX" --policy "$work/full.json" logs --follow --tail 0 $P-tick > "$out/follow" 2>&1 &
pid=$!; bg_pids+=("$pid")
if wait_for 10 grep -q '^tick [0-9]' "$out/follow"; then t_ok "follow: shows a line printed after it started"; else t_fail "follow: shows a line printed after it started" "$(cat "$out/follow")"; fi
n1=$(grep -c '^tick' "$out/follow")
sleep 2.5
n2=$(grep -c '^tick' "$out/follow")
t_check "follow: keeps showing new lines ($n1, then $n2)" test "$n2" -gt "$n1"
stop "$pid"
t_eq "follow: Ctrl-C ends it with exit 0" 0 $?

( gb full --follow $P-gone > "$out/gone" 2> "$out/gone.err"; echo $? > "$work/gone.rc" ) &
bg_pids+=("$!")
wait_for 10 grep -q 'still here' "$out/gone"
docker service rm $P-gone > /dev/null
if wait_for 15 test -s "$work/gone.rc"; then
	t_eq "follow: ends with exit 0 when the job is removed" 0 "$(cat "$work/gone.rc")"
	t_eq "follow: says the job was removed" "glovebox: the job was removed" "$(cat "$out/gone.err")"
else
	t_fail "follow: ends when the job is removed" "$(cat "$out/gone.err")"
fi

# ---- TTY, stdout and stderr, timestamps ----
gb full $P-tty > "$out/tty" 2>&1
t_eq "TTY: exit 0" 0 $?
t_eq "TTY: raw stream, lines without CR, escape sequences removed" "$(printf '%s\n' 'ttybold' second)" "$(cat "$out/tty")"
gb full --timestamps $P-tty > "$out/tty.ts" 2>&1
t_check "TTY with timestamps: a time before each line" \
	sh -c "grep -Ec '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{18}Z (tty.*bold|second)$' '$out/tty.ts' | grep -qx 2"
gb full $P-streams > "$out/streams.out" 2> "$out/streams.err"
t_eq "stdout of the job on stdout" to-stdout "$(cat "$out/streams.out")"
t_eq "stderr of the job on stderr" to-stderr "$(cat "$out/streams.err")"

# ---- Finding the job ----
id=$(docker service inspect -f '{{.ID}}' $P-esc)
t_eq "by full ID" "$expected" "$(gb full "$id")"
t_eq "by ID prefix" "$expected" "$(gb full "${id:0:8}")"
gb full nosuch-$P > /dev/null 2> "$out/unknown.err"
t_eq "unknown name: exit 1" 1 $?
t_eq "unknown name: says so" "glovebox: nosuch-$P: no job has this name or ID (glovebox ls lists them)" "$(cat "$out/unknown.err")"
gb full $P-es > /dev/null 2>&1
t_eq "a name prefix is not a name: exit 1" 1 $?
gb full "$P-$(printf '\033[31m')" > /dev/null 2> "$out/hostile.err"
t_check "a hostile name is shown sanitised" grep -qF "glovebox: $P-^[[31m: no job" "$out/hostile.err"

# ---- Who may read what ----
t_eq "root is an admin: reads another's job, even under researcher_logs none" \
	"secret of alice" "$(gb none $P-alice 2>&1)"
t_eq "root is an admin: reads a job without owner" "made without glovebox" "$(gb none $P-noowner 2>&1)"

if ! as_r "$GLOVEBOX" version > /dev/null 2>&1; then
	t_fail "the researcher ($R) reaches the engine through its socket's group" "$(as_r "$GLOVEBOX" version 2>&1)"
else
	t_eq "researcher: reads their own job" "$expected" "$(rgb full $P-esc 2>&1)"
	rgb full $P-alice > "$out/notmine" 2> "$out/notmine.err"
	t_eq "researcher: another's job is refused with exit 1" 1 $?
	t_eq "researcher: nothing of it printed" "" "$(cat "$out/notmine")"
	# To a researcher another user's job does not exist: the answer for no job at all.
	rgb full $P-no-such-job > /dev/null 2> "$out/nosuch.err"
	t_eq "researcher: another's job reads as no job at all" \
		"$(sed "s/$P-no-such-job/NAME/" "$out/nosuch.err")" "$(sed "s/$P-alice/NAME/" "$out/notmine.err")"
	t_eq "researcher: told there is no such job" "glovebox: $P-alice: no job has this name or ID (glovebox ls lists them)" "$(cat "$out/notmine.err")"
	alice_id=$(docker service inspect --format '{{.ID}}' $P-alice)
	rgb full "${alice_id:0:6}" > /dev/null 2> "$out/prefix.err"
	t_eq "researcher: the start of another's job's ID finds nothing either" \
		"$(sed "s/$P-no-such-job/NAME/" "$out/nosuch.err")" "$(sed "s/${alice_id:0:6}/NAME/" "$out/prefix.err")"
	rgb full $P-noowner > /dev/null 2> "$out/noowner.err"
	t_eq "researcher: a job without owner is refused" 1 $?
	t_eq "researcher: a job without owner reads as no job at all" \
		"$(sed "s/$P-no-such-job/NAME/" "$out/nosuch.err")" "$(sed "s/$P-noowner/NAME/" "$out/noowner.err")"
	t_eq "a member of admin_group is an admin" "secret of alice" "$(rgb admin $P-alice 2>&1)"

	rgb tail $P-million > "$out/tail" 2> "$out/tail.err"
	t_eq "researcher_logs tail: exit 0" 0 $?
	t_eq "researcher_logs tail: the last 100 lines only" "100 line 999901 line 1000000" \
		"$(wc -l < "$out/tail") $(head -n 1 "$out/tail") $(tail -n 1 "$out/tail")"
	t_eq "researcher_logs tail: says so" "glovebox: the policy shows researchers only the last 100 lines of a job's past logs" "$(cat "$out/tail.err")"
	t_eq "researcher_logs tail: fewer lines when asked" 7 "$(rgb tail --tail 7 $P-million 2>/dev/null | wc -l)"
	t_eq "researcher_logs tail: admins still read everything" 1000001 "$(gb tail $P-million 2>/dev/null | wc -l)"
	# setpriv, not as_r: $! must be glovebox itself (setpriv execs it), not a subshell.
	setpriv --reuid="$R_UID" --regid="$R_GID" --groups="$SOCK_GID" \
		"$GLOVEBOX" --policy "$work/tail.json" logs --follow --tail 0 $P-tick > "$out/tail.follow" 2>&1 &
	pid=$!; bg_pids+=("$pid")
	if wait_for 10 grep -q '^tick' "$out/tail.follow"; then t_ok "researcher_logs tail: follow shows new lines"; else t_fail "researcher_logs tail: follow shows new lines" "$(cat "$out/tail.follow")"; fi
	stop "$pid"
	t_eq "researcher_logs tail: Ctrl-C ends follow with exit 0" 0 $?

	rgb none $P-esc > "$out/none" 2> "$out/none.err"
	t_eq "researcher_logs none: refused with exit 1" 1 $?
	t_eq "researcher_logs none: nothing printed" "" "$(cat "$out/none")"
	t_check "researcher_logs none: told why" grep -q 'researcher_logs is "none"' "$out/none.err"

	# A policy file others can change must not decide who is an admin, nor what researchers see.
	as_r "$GLOVEBOX" --policy "$work/open/admin.json" logs $P-alice > "$out/open" 2> "$out/open.err"
	t_eq "a policy file anyone can change: refused with exit 1" 1 $?
	t_eq "a policy file anyone can change: nothing printed" "" "$(cat "$out/open")"
	t_check "a policy file anyone can change: told it governs nothing" grep -q 'is not trusted .*governs nothing' "$out/open.err"
	t_eq "a policy file anyone can change: root is an admin all the same" "secret of alice" \
		"$("$GLOVEBOX" --policy "$work/open/admin.json" logs $P-alice 2>&1)"

	# Without any policy there is no rule but ownership (only when none is published or installed).
	if [ -z "$(docker config ls -q --filter label=glovebox.policy)" ] && [ ! -e /etc/glovebox/policy.json ]; then
		t_eq "no policy: the researcher's own job, in full" "$expected" "$(as_r "$GLOVEBOX" logs $P-esc 2>&1)"
		as_r "$GLOVEBOX" logs $P-alice > /dev/null 2> "$out/nopol.err"
		t_eq "no policy: another's job refused" 1 $?
		t_check "no policy: another's job reads as no job at all" grep -q 'no job has this name or ID' "$out/nopol.err"
		t_eq "no policy: root reads another's job" "secret of alice" "$("$GLOVEBOX" logs $P-alice 2>&1)"
	else
		echo "  (a policy is published or installed: the no-policy cases are left out)"
	fi
fi

# ---- A connection cut under `logs -f`: the stream reopens from its last line, nothing twice ----
# A real proxy in front of the real engine: killing it cuts every connection glovebox has.
if command -v socat >/dev/null; then
	proxy=$work/proxy.sock
	proxy_up() {
		setsid socat UNIX-LISTEN:"$proxy",fork,unlink-early UNIX-CONNECT:"${DOCKER_HOST#unix://}" 2>>"$work/socat.log" &
		proxy_pid=$!
		bg_pids+=("$proxy_pid")
		wait_for 5 test -S "$proxy"
	}
	proxy_down() { kill -TERM -- -"$proxy_pid" 2>/dev/null; wait "$proxy_pid" 2>/dev/null; }
	proxy_up
	DOCKER_HOST=unix://$proxy "$GLOVEBOX" --policy "$work/full.json" logs -f --tail 5 $P-fast \
		> "$out/cut" 2> "$out/cut.err" &
	gbpid=$!
	bg_pids+=("$gbpid")
	sleep 2
	before=$(wc -l < "$out/cut")
	proxy_down
	sleep 2   # the job goes on writing: these lines must come after the reopen
	proxy_up
	wait_for 15 sh -c "[ \$(wc -l < '$out/cut') -gt $((before + 40)) ]"
	stop "$gbpid"
	t_eq "cut: Ctrl-C ends logs -f with 0" 0 $?
	t_check "cut: said on stderr, once per cut, with the reopen" grep -q 'the log stream was cut (.*): opening it again in [0-9]*s' "$out/cut.err"
	nums=$(sed -n 's/^n \([0-9]*\)$/\1/p' "$out/cut")
	first=$(printf '%s\n' "$nums" | head -n 1); last=$(printf '%s\n' "$nums" | tail -n 1)
	t_check "cut: lines on both sides of the cut ($before before it, $(wc -l < "$out/cut") in all)" \
		test "$(wc -l < "$out/cut")" -gt $((before + 40))
	t_eq "cut: every line from the first to the last exactly once (no gap, no repeat)" \
		"$(seq "$first" "$last")" "$nums"
	t_eq "cut: nothing but the job's lines on stdout" "" "$(grep -v '^n [0-9]*$' "$out/cut")"
	proxy_down
else
	t_fail "socat is installed (make deps): the cut-connection cases need it"
fi

# ---- Usage ----
"$GLOVEBOX" logs --help > /dev/null
t_eq "--help exits 0" 0 $?
"$GLOVEBOX" logs > /dev/null 2>&1
t_eq "no name is a usage error" 2 $?

# ---- Nothing reached a terminal raw: no ESC, BEL, C1 or bidi control in anything printed ----
if LC_ALL=C grep -q "$ESC"$'\\|\x07\\|\xc2[\x80-\x9f]\\|\xe2\x80\xae' "$out"/*; then
	t_fail "no raw ESC, BEL, C1 or bidi override in any output" "$(LC_ALL=C grep -l "$ESC" "$out"/*)"
else
	t_ok "no raw ESC, BEL, C1 or bidi override in any output"
fi
t_end
