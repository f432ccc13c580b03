#!/usr/bin/env bash
# Fault injection: glovebox against a server that misbehaves on purpose
# (tests/fixtures/faultserver.c), plus an engine that is not there at all.
# For every fault: the right exit code, a clear message on stderr, nothing on stdout,
# no crash or sanitizer report, and an end well before timeout(1) would step in.
# Runs the release binary, and the ASan binary too when it has been built.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

FAULTSERVER=${FAULTSERVER:-$GB_BUILD/fixtures/faultserver}
GLOVEBOX_ASAN=${GLOVEBOX_ASAN:-$GB_ROOT/build/asan/glovebox}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export LC_ALL=${LC_ALL:-C.UTF-8}

GB_TIMEOUT=3     # glovebox --timeout
HANG_LIMIT=20    # timeout(1): past this glovebox is hung
WALL_LIMIT=10    # seconds; anything slower than this with --timeout 3 counts as a hang

[ -x "$FAULTSERVER" ] || t_skip_suite "no fault server at $FAULTSERVER (run make fixtures)"
[ -x "$GLOVEBOX" ] || t_skip_suite "no glovebox at $GLOVEBOX (run make)"

WORK=$(mktemp -d)
SERVER_PID=
PORT=

stop_server() {
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
		SERVER_PID=
	fi
}
trap 'stop_server; rm -rf "$WORK"' EXIT

# start_server MODE: a fresh fault server; sets PORT.
start_server() {
	rm -f "$WORK/port"
	"$FAULTSERVER" --lifetime 60 --port-file "$WORK/port" "$1" 2>"$WORK/server.log" &
	SERVER_PID=$!
	if ! wait_for 5 test -s "$WORK/port"; then
		t_fail "fault server $1 starts" "$(cat "$WORK/server.log")"
		stop_server
		return 1
	fi
	PORT=$(cat "$WORK/port")
}

# run_gb CMD...: run glovebox (or anything) with a hard limit; sets RC and ELAPSED_MS.
run_gb() {
	local start end
	start=$(date +%s%N)
	timeout -k 5 "$HANG_LIMIT" "$@" >"$WORK/out" 2>"$WORK/err" </dev/null
	RC=$?
	end=$(date +%s%N)
	ELAPSED_MS=$(((end - start) / 1000000))
}

# check LABEL WANT_RC STDOUT_POLICY NEEDLE...: assertions about the last run_gb.
# STDOUT_POLICY: empty | json-empty | table-empty.
check() {
	local label=$1 want=$2 policy=$3 err
	shift 3
	err=$(head -c 3000 "$WORK/err")

	if [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; then
		t_fail "$label: ends by itself" "killed by timeout(1) after ${HANG_LIMIT}s; stderr: $err"
	elif [ "$RC" -ge 128 ] || [ "$RC" -eq 86 ]; then
		t_fail "$label: does not crash" "exit $RC; stderr: $err"
	elif [ "$RC" -ne "$want" ]; then
		t_fail "$label: exit $want" "got exit $RC; stderr: $err"
	else
		t_ok "$label: exit $want"
	fi

	if [ "$ELAPSED_MS" -lt $((WALL_LIMIT * 1000)) ]; then
		t_ok "$label: done in ${ELAPSED_MS} ms"
	else
		t_fail "$label: done in under ${WALL_LIMIT}s" "took ${ELAPSED_MS} ms"
	fi

	if grep -qE 'Sanitizer|runtime error:|AddressSanitizer|LeakSanitizer' "$WORK/err"; then
		t_fail "$label: no sanitizer report" "$(grep -m 5 -E 'Sanitizer|runtime error:' "$WORK/err")"
	else
		t_ok "$label: no sanitizer report"
	fi

	local n
	for n in "$@"; do
		if grep -qF -- "$n" "$WORK/err"; then
			t_ok "$label: stderr says \"$n\""
		else
			t_fail "$label: stderr says \"$n\"" "stderr: ${err:-(empty)}"
		fi
	done

	local out
	out=$(head -c 400 "$WORK/out")
	case $policy in
	empty)
		if [ ! -s "$WORK/out" ]; then t_ok "$label: nothing on stdout"
		else t_fail "$label: nothing on stdout" "stdout: $out"; fi
		;;
	json-empty)
		if [ "$(tr -d ' \t\r\n' <"$WORK/out")" = "[]" ]; then t_ok "$label: stdout is []"
		else t_fail "$label: stdout is []" "stdout: $out"; fi
		;;
	table-empty)
		if [ "$(wc -l <"$WORK/out")" -eq 1 ] && head -n 1 "$WORK/out" | grep -q '^ID  '; then
			t_ok "$label: stdout is the header alone"
		else
			t_fail "$label: stdout is the header alone" "stdout: $out"
		fi
		;;
	esac
	if [ "$want" -eq 0 ]; then
		if [ ! -s "$WORK/err" ]; then t_ok "$label: nothing on stderr"
		else t_fail "$label: nothing on stderr" "stderr: $err"; fi
	fi
}

# mode  exit  stderr needles (| separated)
CASES='
500           1  injected internal error|HTTP 500
stall         1  no reply
stall-body    1  no reply
truncated     1  cut short
malformed     1  cannot read
wrong-type    1  cannot read
oversized     1  larger than
oversized-cl  1  larger than
ok-empty      0
'

run_binary() {
	local tag=$1 bin=$2 mode want needles args label policy
	local -a needle
	while read -r mode want needles; do
		[ -n "$mode" ] || continue
		start_server "$mode" || continue
		for args in "ls" "ls --json"; do
			label="$tag $mode $args"
			if [ "$want" -eq 0 ]; then
				[ "$args" = ls ] && policy=table-empty || policy=json-empty
			else
				policy=empty
			fi
			# shellcheck disable=SC2086 # args is two words on purpose
			run_gb "$bin" --host "tcp://127.0.0.1:$PORT" --timeout "$GB_TIMEOUT" $args
			IFS='|' read -r -a needle <<<"$needles"
			check "$label" "$want" "$policy" "${needle[@]}"
		done
		if ! kill -0 "$SERVER_PID" 2>/dev/null; then
			t_fail "$tag $mode: fault server still running" "$(tail -n 5 "$WORK/server.log")"
		fi
		stop_server
	done <<<"$CASES"

	# Nothing listening: a port the fault server just gave up.
	start_server ok-empty || return
	local closed=$PORT
	stop_server
	for args in "ls" "ls --json"; do
		# shellcheck disable=SC2086
		run_gb "$bin" --host "tcp://127.0.0.1:$closed" --timeout "$GB_TIMEOUT" $args
		check "$tag refused $args" 3 empty "cannot reach the engine at tcp://127.0.0.1:$closed" \
			"connection refused"
	done

	# A unix socket that is not there.
	for args in "ls" "ls --json"; do
		# shellcheck disable=SC2086
		run_gb "$bin" --host "unix://$WORK/no-such.sock" --timeout "$GB_TIMEOUT" $args
		check "$tag missing-socket $args" 3 empty "cannot reach the engine at unix://$WORK/no-such.sock" \
			"does not exist"
	done
}

run_binary release "$GLOVEBOX"
if [ -x "$GLOVEBOX_ASAN" ]; then
	run_binary asan "$GLOVEBOX_ASAN"
else
	echo "  (no ASan build at $GLOVEBOX_ASAN: make BUILD=build/asan SAN=1 glovebox)"
fi
t_end
