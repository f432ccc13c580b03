#!/usr/bin/env bash
# The console's real loop in headless mode (a virtual 80x24 terminal writing to /dev/null) under
# AddressSanitizer and UndefinedBehaviorSanitizer, against the sandbox engine and against an
# engine that is not there. No sanitizer report, exit 0, and the summary line.
T_SUITE=screen/headless
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-screen.sh"
ASAN_GLOVEBOX=${ASAN_GLOVEBOX:-$GB_ROOT/build/asan/glovebox}
[ -x "$ASAN_GLOVEBOX" ] || t_skip_suite "$ASAN_GLOVEBOX is not built (make BUILD=build/asan SAN=1 tests)"
scr_need_engine
GLOVEBOX=$ASAN_GLOVEBOX
scr_init
# run.sh sets these; the same here when the suite runs on its own.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

P=gbth
svc_cleanup
# Something for every path of the loop: a running job with usage, a pending one, a failing one.
svc_mk $P-run --limit-cpu 1 --limit-memory 64M glovebox/load --cpu 0.2 --mem 8 &
svc_mk $P-pend --constraint node.labels.glovebox.class==gpu glovebox/load &
svc_mk $P-fail --restart-condition none glovebox/load --exit 3 --after 1 &
wait
settled() {
	[ "$(svc_replicas $P-run)" = 1/1 ] &&
		docker service ps --format '{{.CurrentState}}' $P-fail | grep -q '^Failed'
}
scr_until 30 settled || t_fail "jobs settle" "$(docker service ls --filter name=$P-)"

sanitizer_report() { grep -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: .*Sanitizer' "$1"; }

# run NAME ARGS...: the ASan glovebox with ARGS; NAME.out, NAME.err, NAME.rc in the scratch dir.
run() {
	local n=$1
	shift
	timeout -s KILL 120 "$SCR_GB" "$@" < /dev/null > "$SCR_TMP/$n.out" 2> "$SCR_TMP/$n.err"
	echo $? > "$SCR_TMP/$n.rc"
}

# 1. As run.sh runs it: leaks count.
t0=$(now_ms)
run sandbox console --headless --iterations 40 --refresh 0.5
ms=$(($(now_ms) - t0))
t_eq "headless, 40 turns against the sandbox: exit 0 (took $ms ms)" 0 "$(cat "$SCR_TMP/sandbox.rc")"
if report=$(sanitizer_report "$SCR_TMP/sandbox.err"); then
	t_fail "headless against the sandbox: no sanitizer report" "$(head -n 20 "$SCR_TMP/sandbox.err")"
else
	t_ok "headless against the sandbox: no sanitizer report"
fi

# 2. The same with leak checking off, so a leak at exit does not hide the rest: memory errors,
# undefined behaviour and the summary (LeakSanitizer exits before stdout is flushed).
ASAN_OPTIONS=${ASAN_OPTIONS/detect_leaks=1/detect_leaks=0} run noleak console --headless --iterations 40 --refresh 0.5
t_eq "headless, leak check off: exit 0" 0 "$(cat "$SCR_TMP/noleak.rc")"
if sanitizer_report "$SCR_TMP/noleak.err" >/dev/null; then
	t_fail "headless, leak check off: no sanitizer report" "$(head -n 20 "$SCR_TMP/noleak.err")"
else
	t_ok "headless, leak check off: no sanitizer report"
fi
t_match "headless, leak check off: summary line counts docker's services" "$(cat "$SCR_TMP/noleak.out")" \
	"^headless: 40 turns, $(docker service ls -q | wc -l) jobs, last error: none\$"
t_eq "headless: nothing on stderr" "" "$(cat "$SCR_TMP/noleak.err")"

# 3. No engine at the other end: the error and backoff paths.
DOCKER_HOST=unix://$SCR_TMP/no-engine.sock run gone console --headless --iterations 20 --refresh 0.5
t_eq "headless, no engine: exit 0" 0 "$(cat "$SCR_TMP/gone.rc")"
if sanitizer_report "$SCR_TMP/gone.err" >/dev/null; then
	t_fail "headless, no engine: no sanitizer report" "$(head -n 20 "$SCR_TMP/gone.err")"
else
	t_ok "headless, no engine: no sanitizer report"
fi
DOCKER_HOST=unix://$SCR_TMP/no-engine.sock ASAN_OPTIONS=${ASAN_OPTIONS/detect_leaks=1/detect_leaks=0} \
	run gone2 console --headless --iterations 20 --refresh 0.5
t_match "headless, no engine: the summary names the error" "$(cat "$SCR_TMP/gone2.out")" \
	'^headless: 20 turns, 0 jobs, last error: cannot reach the engine at unix://.*no-engine\.sock'

# 4. Bad arguments are refused before anything starts.
run badn console --headless --iterations 0
t_eq "--iterations 0 is a usage error (exit 2)" 2 "$(cat "$SCR_TMP/badn.rc")"
run badr console --headless --iterations 5 --refresh 0.1
t_eq "--refresh 0.1 is a usage error (exit 2)" 2 "$(cat "$SCR_TMP/badr.rc")"
t_end
