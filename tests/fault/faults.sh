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

# start_server MODE [OPTION...]: a fresh fault server; sets PORT.
start_server() {
	rm -f "$WORK/port"
	"$FAULTSERVER" --lifetime 60 "${@:2}" --port-file "$WORK/port" "$1" 2>"$WORK/server.log" &
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

# mode  exit  --timeout  stderr needles (| separated)
# The oversized replies get more time: what must stop them is the 64 MiB cap, not the clock,
# and an ASan build on a busy machine reads 64 MiB in about as long as GB_TIMEOUT.
CASES="
500           1  $GB_TIMEOUT  injected internal error|HTTP 500
stall         1  $GB_TIMEOUT  no reply
stall-body    1  $GB_TIMEOUT  no reply
truncated     1  $GB_TIMEOUT  cut short
malformed     1  $GB_TIMEOUT  cannot read
wrong-type    1  $GB_TIMEOUT  cannot read
oversized     1  8            larger than
oversized-cl  1  8            larger than
ok-empty      0  $GB_TIMEOUT
"

run_binary() {
	local tag=$1 bin=$2 mode want timeout needles args label policy
	local -a needle
	while read -r mode want timeout needles; do
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
			run_gb "$bin" --host "tcp://127.0.0.1:$PORT" --timeout "$timeout" $args
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

# ---- glovebox submit against the engine mode, each step failing in turn ----
# What a submission made or removed shows in the server's log: the POST and DELETE requests.

SUB=$WORK/submit
mkdir -p "$SUB"
cp "$GB_ROOT/docs/examples/policy.json" "$GB_ROOT/docs/examples/terms.md" "$SUB/"
TERMS_SHA=$(sha256sum "$SUB/terms.md" | cut -d' ' -f1)
ME=$(id -un)
NET1=/networks/net0000000000000000000001
LEFTOVER=/networks/netleftover00000000000001

# run_submit BIN ARG...: glovebox submit against the server (no keyring: no D-Bus to ask).
run_submit() {
	local bin=$1
	shift
	run_gb env DBUS_SESSION_BUS_ADDRESS="unix:path=$WORK/no-bus" "$bin" --host "tcp://127.0.0.1:$PORT" \
		--timeout "$GB_TIMEOUT" --policy "$SUB/policy.json" submit --image 127.0.0.1:5000/lab/analysis:1.0 \
		--class default --accept-terms "$TERMS_SHA" --purpose "fault test" "$@"
}

# The requests that make or remove something, in order, one line.
changes() {
	sed -n 's/^faultserver: engine: \(POST\|DELETE\) \([^ ]*\) -> .*/\1 \2/p' "$WORK/server.log" |
		paste -sd, - | sed 's/,/, /g'
}

# names_checked: how many names the submission looked for among the services.
names_checked() {
	grep -c '^faultserver: engine: GET /services -> 200 (name ' "$WORK/server.log"
}

# submit_case TAG BIN LABEL WANT_RC "CHANGES" "SERVER OPTIONS" "SUBMIT ARGS" NEEDLE...
submit_case() {
	local tag=$1 bin=$2 label="$1 submit: $3" want=$4 made=$5 opts=$6 args=$7
	shift 7
	rm -rf "$SUB/bodies"
	mkdir -p "$SUB/bodies"
	# shellcheck disable=SC2086 # options and arguments are words on purpose
	start_server engine --bodies "$SUB/bodies" $opts || return
	# shellcheck disable=SC2086
	run_submit "$bin" $args
	stop_server
	if [ "$want" -eq 0 ]; then
		# A good submission reports its fit and steps on stderr: only the verdict counts.
		t_eq "$label: exit 0" 0 "$RC"
		if grep -qE 'Sanitizer|runtime error:' "$WORK/err"; then
			t_fail "$label: no sanitizer report" "$(grep -m 5 -E 'Sanitizer|runtime error:' "$WORK/err")"
		fi
	else
		check "$label" "$want" empty "$@"
	fi
	t_eq "$label: what was made and removed" "$made" "$(changes)"
}

run_submit_cases() {
	local tag=$1 bin=$2 own other

	# Each step of the submission fails in turn.
	submit_case "$tag" "$bin" "resolving the digest fails" 2 "" "--fail GET/distribution/" "" \
		"image: cannot resolve 127.0.0.1:5000/lab/analysis:1.0 to a digest on its registry" \
		"injected failure of GET /distribution/"
	submit_case "$tag" "$bin" "the name check fails" 1 "" "--fail GET/services" "" \
		"the job's name could not be checked"
	submit_case "$tag" "$bin" "the network check fails" 1 "" "--fail GET/networks" "" \
		"the job's network name could not be checked"
	submit_case "$tag" "$bin" "removing an own leftover network fails" 2 "DELETE $LEFTOVER" \
		"--leftover-network $ME --fail DELETE/networks/" "" \
		"-net is left from an earlier submission of yours and cannot be removed"
	submit_case "$tag" "$bin" "creating the network fails" 1 "POST /networks/create" \
		"--fail POST/networks/create" "" "the job's network could not be made"
	submit_case "$tag" "$bin" "recording the acceptance fails" 1 \
		"POST /networks/create, POST /configs/create, DELETE $NET1" "--fail POST/configs/create" "" \
		"the acceptance of the terms could not be recorded" "the network made for the job was removed again"
	submit_case "$tag" "$bin" "creating the service fails" 1 \
		"POST /networks/create, POST /configs/create, POST /services/create, DELETE $NET1" \
		"--fail POST/services/create" "" \
		"the service could not be made" "the network made for the job was removed again"
	submit_case "$tag" "$bin" "creating the service and removing the network fail" 1 \
		"POST /networks/create, POST /configs/create, POST /services/create, DELETE $NET1" \
		"--fail POST/services/create --fail2 DELETE/networks/" "" \
		"the service could not be made" "and the network" "made for it could not be removed"
	if grep -q "removed again" "$WORK/err"; then
		t_fail "$tag submit: a network that was not removed is not called removed" "$(cat "$WORK/err")"
	else
		t_ok "$tag submit: a network that was not removed is not called removed"
	fi

	# All well: the service names the network by the ID the engine gave it.
	submit_case "$tag" "$bin" "a good submission" 0 \
		"POST /networks/create, POST /configs/create, POST /services/create" "" "--json"
	t_eq "$tag submit: the service attaches the network by its ID" '["net0000000000000000000001"]' \
		"$(jq -c '[.TaskTemplate.Networks[].Target]' "$SUB/bodies/services_create.json" 2>&1)"
	t_eq "$tag submit: --json names the job and its network" "true" \
		"$(jq '(.name | test("^[a-z0-9-]+-[0-9a-f]{8}$")) and .network == .name + "-net"' "$WORK/out" 2>&1)"
	# The posture at API 1.41: 12 properties, 3 of them not enforced, each also a line on stderr.
	t_eq "$tag submit: --json has the posture" \
		"12 no-new-privileges=unconfirmed,tmpfs /tmp noexec,nosuid,nodev=unconfirmed,network encryption=off" \
		"$(jq -r '"\(.posture | length) \([.posture[] | select(.state != "enforced") | "\(.name)=\(.state)"] | join(","))"' \
			"$WORK/out" 2>&1)"
	t_eq "$tag submit: stderr has a line for each property not enforced" \
		"glovebox: warning: no-new-privileges is not made sure|glovebox: warning: tmpfs /tmp noexec,nosuid,nodev is not made sure|glovebox: note: network encryption is off" \
		"$(grep -o '^glovebox: \(warning\|note\): [^:]*' "$WORK/err" | paste -sd'|' -)"

	# An own leftover network is removed first; another's blocks the name.
	submit_case "$tag" "$bin" "an own leftover network" 0 \
		"DELETE $LEFTOVER, POST /networks/create, POST /configs/create, POST /services/create" \
		"--leftover-network $ME" "--name gbt-fault"
	submit_case "$tag" "$bin" "another user's network of the name" 2 "" \
		"--leftover-network mallory" "--name gbt-fault" \
		"glovebox: name: the name gbt-fault cannot be used: choose another"

	# A name in use: the same words for an own job and another user's, no owner named.
	submit_case "$tag" "$bin" "an own job has the name" 2 "" "--taken-service $ME" "--name gbt-fault" \
		"the name gbt-fault cannot be used: choose another"
	own=$(cat "$WORK/err")
	submit_case "$tag" "$bin" "another user's job has the name" 2 "" "--taken-service mallory" \
		"--name gbt-fault" "the name gbt-fault cannot be used: choose another"
	other=$(cat "$WORK/err")
	t_eq "$tag submit: the refusal is the same whoever has the name" "$own" "$other"
	if grep -q mallory "$WORK/err"; then t_fail "$tag submit: the owner is never named" "$other"
	else t_ok "$tag submit: the owner is never named"; fi

	# A derived name in use is derived again, 3 names at most.
	submit_case "$tag" "$bin" "every derived name is taken" 2 "" "--taken-service mallory" "" \
		"no free name was found for the job in 3 tries"
	t_eq "$tag submit: 3 names were checked" 3 "$(names_checked)"
	t_eq "$tag submit: 3 different names, each with 8 random hex digits" 3 \
		"$(sed -n 's/^faultserver: engine: GET \/services -> 200 (name \(.*-[0-9a-f]\{8\}\))$/\1/p' \
			"$WORK/server.log" | sort -u | wc -l)"
	submit_case "$tag" "$bin" "the network's name is taken between check and create" 2 \
		"POST /networks/create, POST /networks/create, POST /networks/create" \
		"--fail POST/networks/create --fail-status 409" "" "no free name was found for the job in 3 tries"
	submit_case "$tag" "$bin" "a chosen name is taken between check and create" 2 "POST /networks/create" \
		"--fail POST/networks/create --fail-status 409" "--name gbt-fault" \
		"the name gbt-fault cannot be used: choose another"
}

run_binary release "$GLOVEBOX"
run_submit_cases release "$GLOVEBOX"
if [ -x "$GLOVEBOX_ASAN" ]; then
	run_binary asan "$GLOVEBOX_ASAN"
	run_submit_cases asan "$GLOVEBOX_ASAN"
else
	echo "  (no ASan build at $GLOVEBOX_ASAN: make BUILD=build/asan SAN=1 glovebox)"
fi
t_end
