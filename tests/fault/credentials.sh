#!/usr/bin/env bash
# Registry credentials never travel in clear: against a plain tcp:// engine (the fault server,
# recording every byte it receives), `glovebox login` and `glovebox submit --registry-user`
# refuse with exit 1 and one sentence naming the engine and pointing to TLS, and the server
# receives nothing of them: no POST /auth, no X-Registry-Auth, no password. What carries no
# secret still goes: a submission without credentials reaches the registry step.
# Runs the release binary, and the ASan binary too when it has been built.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

FAULTSERVER=${FAULTSERVER:-$GB_BUILD/fixtures/faultserver}
GLOVEBOX_ASAN=${GLOVEBOX_ASAN:-$GB_ROOT/build/asan/glovebox}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export LC_ALL=${LC_ALL:-C.UTF-8}

[ -x "$FAULTSERVER" ] || t_skip_suite "no fault server at $FAULTSERVER (run make fixtures)"
[ -x "$GLOVEBOX" ] || t_skip_suite "no glovebox at $GLOVEBOX (run make)"

WORK=$(mktemp -d)
SERVER_PID=
PORT=
trap 'stop_server; rm -rf "$WORK"' EXIT

# The canary: only shell builtins hold it, so it is in no argv.
CANARY="gbclear$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
REG=127.0.0.1:5999
# The minimal policy, with the registry as its first (login's default).
POLICY=$WORK/policy.json
cp "$GB_ROOT/tests/fixtures/policy/terms.md" "$WORK/"
cat > "$POLICY" <<EOF
{
  "classes": {"default": {"cpus": 0.5, "memory": "512MiB"}},
  "registries": ["$REG"],
  "results": {"source": "/srv/results/{user}", "target": "/results"},
  "terms": {"file": "terms.md", "version": "1"},
  "max_lifetime": "90m",
  "admin_group": "wheel"
}
EOF
# No keyring here: a submission without --registry-user goes without credentials.
unset DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY
export HOME=$WORK/home XDG_STATE_HOME=$WORK/state DOCKER_CONFIG=$WORK/home/.docker
unset DOCKER_HOST DOCKER_TLS DOCKER_TLS_VERIFY DOCKER_CERT_PATH GLOVEBOX_POLICY
mkdir -p "$HOME"
# The X-Registry-Auth value --registry-user alice would make of it (base64url, padded).
XRA=$(printf '{"username":"alice","password":"%s","serveraddress":"%s"}' "$CANARY" "$REG" | base64 -w0 | tr '+/' '-_')

stop_server() {
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null    # SIGTERM: the server reads what is left, then exits
		wait "$SERVER_PID" 2>/dev/null
		SERVER_PID=
	fi
}

start_server() {   # start_server MODE: a fresh recording fault server; sets PORT
	rm -f "$WORK/port" "$WORK/record"
	: > "$WORK/record"
	"$FAULTSERVER" --lifetime 60 --record "$WORK/record" --port-file "$WORK/port" "$1" \
		2>"$WORK/server.log" &
	SERVER_PID=$!
	if ! wait_for 5 test -s "$WORK/port"; then
		t_fail "fault server $1 starts" "$(cat "$WORK/server.log")"
		stop_server
		return 1
	fi
	PORT=$(cat "$WORK/port")
}

# run_gb CMD...: glovebox with the canary on stdin and a hard limit; sets RC.
run_gb() {
	printf '%s\n' "$CANARY" | timeout -k 5 20 "$@" >"$WORK/out" 2>"$WORK/err"
	RC=${PIPESTATUS[1]}
}

no_crash() {   # no_crash LABEL
	if [ "$RC" -ge 124 ] || [ "$RC" -eq 86 ] ||
		grep -qE 'Sanitizer|runtime error:' "$WORK/err"; then
		t_fail "$1: ends cleanly" "exit $RC; $(head -c 2000 "$WORK/err")"
	fi
}

# refused LABEL HOST: exit 1, the sentence, and nothing of the credentials on the wire.
refused() {
	local label=$1 host=$2
	stop_server
	no_crash "$label"
	t_eq "$label: exit 1" 1 "$RC"
	t_check "$label: says it refuses, naming the engine" \
		grep -qF "glovebox: refusing to send registry credentials to $host: it is plain HTTP" "$WORK/err"
	t_check "$label: points to TLS and the docs" \
		grep -qF "DOCKER_TLS_VERIFY=1 and tcp://HOST:2376 with certificates" "$WORK/err"
	t_check "$label: and to docs/credentials.md" grep -qF "docs/credentials.md" "$WORK/err"
	t_eq "$label: one line on stderr" 1 "$(wc -l <"$WORK/err")"
	t_eq "$label: nothing on stdout" "" "$(cat "$WORK/out")"
	if grep -qF -e "$CANARY" -e "$XRA" "$WORK/record"; then t_fail "$label: the password never reached the engine, plain or encoded"
	else t_ok "$label: the password never reached the engine, plain or encoded"; fi
	if grep -qi "x-registry-auth" "$WORK/record"; then t_fail "$label: no X-Registry-Auth was sent" "$(head -c 600 "$WORK/record")"
	else t_ok "$label: no X-Registry-Auth was sent"; fi
	if grep -q "^POST /v1\.[0-9]*/auth" "$WORK/record"; then t_fail "$label: no POST /auth was sent"
	else t_ok "$label: no POST /auth was sent"; fi
}

run_binary() {
	local tag=$1 bin=$2 sha
	sha=$("$bin" --policy "$POLICY" terms --sha256)

	start_server ok-empty || return
	run_gb "$bin" --host "tcp://127.0.0.1:$PORT" login "$REG" --username alice --password-stdin
	refused "$tag login on tcp://" "tcp://127.0.0.1:$PORT"

	start_server ok-empty || return
	run_gb "$bin" --host "http://127.0.0.1:$PORT" login "$REG" --username alice --password-stdin
	refused "$tag login on http://" "http://127.0.0.1:$PORT"

	# Without a registry name login asks the engine for the policy first (no secret in that).
	start_server ok-empty || return
	DOCKER_HOST=tcp://127.0.0.1:$PORT run_gb "$bin" --policy "$POLICY" login --username alice --password-stdin
	refused "$tag login to the policy's registry, DOCKER_HOST=tcp://" "tcp://127.0.0.1:$PORT"

	start_server ok-empty || return
	run_gb "$bin" --host "tcp://127.0.0.1:$PORT" --policy "$POLICY" submit --image "$REG/lab/x:1" \
		--class default --accept-terms "$sha" --purpose "clear test" \
		--registry-user alice --registry-password-stdin
	refused "$tag submit --registry-user on tcp://" "tcp://127.0.0.1:$PORT"

	# Nothing secret: a submission without credentials is not refused; it reaches the digest
	# lookup (which the fault server cannot answer), without X-Registry-Auth.
	start_server ok-empty || return
	printf '' | timeout -k 5 20 "$bin" --host "tcp://127.0.0.1:$PORT" --policy "$POLICY" submit \
		--image "$REG/lab/x:1" --class default --accept-terms "$sha" --purpose "clear test" \
		>"$WORK/out" 2>"$WORK/err"
	RC=$?
	stop_server
	no_crash "$tag submit without credentials"
	t_check "$tag submit without credentials on tcp://: not refused" \
		sh -c "! grep -q refusing '$WORK/err'"
	t_check "$tag   it asked the engine for the digest" grep -q "^GET /v1\.41/distribution/" "$WORK/record"
	t_check "$tag   without X-Registry-Auth" sh -c "! grep -qi x-registry-auth '$WORK/record'"
	t_eq "$tag   and failed only on the fault server's answer (exit 2)" 2 "$RC"

	# The same refusal does not touch a unix socket: there the login is sent (and fails
	# only because nobody listens).
	run_gb "$bin" --host "unix://$WORK/no-such.sock" login "$REG" --username alice --password-stdin
	no_crash "$tag login on a missing unix socket"
	t_eq "$tag login on unix://: not refused, the engine is unreachable (exit 3)" 3 "$RC"
}

run_binary release "$GLOVEBOX"
if [ -x "$GLOVEBOX_ASAN" ]; then
	run_binary asan "$GLOVEBOX_ASAN"
else
	echo "  (no ASan build at $GLOVEBOX_ASAN: make BUILD=build/asan SAN=1 glovebox)"
fi
t_end
