# Shared helpers for the shell test suites (integration, screen, fault).
# A suite sources this file, calls t_ok/t_fail/t_check for each case, and ends with t_end.
# t_end prints "suite NAME: P passed, F failed" and appends "P F" to $GB_RESULTS for run.sh.

T_PASS=0
T_FAIL=0
T_SKIP=0
T_SUITE=${T_SUITE:-$(basename "$0" .sh)}
GB_ROOT=${GB_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
GB_BUILD=${GB_BUILD:-$GB_ROOT/build/release}
GLOVEBOX=${GLOVEBOX:-$GB_BUILD/glovebox}

t_ok()   { T_PASS=$((T_PASS + 1)); printf '  ok    %s\n' "$1"; }
t_fail() { T_FAIL=$((T_FAIL + 1)); printf '  FAIL  %s\n' "$1"; [ -n "${2:-}" ] && printf '        %s\n' "$2" | head -n 20; return 0; }

# t_check NAME CMD...: passes when CMD exits 0; its output is shown only on failure.
t_check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then t_ok "$name"; else t_fail "$name" "$out"; fi
}

# t_eq NAME EXPECTED ACTUAL
t_eq() {
	if [ "$2" = "$3" ]; then t_ok "$1"; else t_fail "$1" "expected [$2], got [$3]"; fi
}

# t_skip_suite REASON: the whole suite cannot run here. Under CI=true that is a failure.
t_skip_suite() {
	if [ "${CI:-}" = true ]; then
		printf '  FAIL  %s: cannot run under CI=true: %s\n' "$T_SUITE" "$1"
		T_FAIL=$((T_FAIL + 1))
	else
		printf '\n  ***** SKIPPED %s: %s *****\n\n' "$T_SUITE" "$1"
		T_SKIP=$((T_SKIP + 1))
	fi
	t_end
	exit 0
}

t_end() {
	printf 'suite %s: %d passed, %d failed%s\n' "$T_SUITE" "$T_PASS" "$T_FAIL" \
		"$([ "$T_SKIP" -gt 0 ] && echo ", skipped")"
	[ -n "${GB_RESULTS:-}" ] && echo "$T_PASS $T_FAIL $T_SKIP" >> "$GB_RESULTS"
	return 0
}

# wait_for SECONDS CMD...: poll CMD every 0.5 s until it succeeds or time runs out.
wait_for() {
	local limit=$1 i=0
	shift
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -ge $((limit * 2)) ] && return 1
		sleep 0.5
	done
}
