#!/usr/bin/env bash
# Runs every test suite and ends with one line "N passed, N failed".
# Usage: tests/run.sh [unit|valgrind|fault|fuzz|integration|screen ...]   (default: all)
# GB_BUILDS: build directories whose unit tests run (default: build/release build/asan).
# FUZZ_SECONDS: how long each fuzz target runs (default 10; `make fuzz` gives 60).
set -u
cd "$(dirname "$0")/.."
export GB_ROOT=$PWD
export GB_RESULTS
GB_RESULTS=$(mktemp)
trap 'rm -f "$GB_RESULTS"' EXIT

builds=${GB_BUILDS:-"build/release build/asan"}
want=${*:-"unit valgrind fault fuzz integration screen"}
wants() { case " $want " in *" $1 "*) return 0 ;; esac; return 1; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export LC_ALL=C.UTF-8

# A cmocka binary: read its own summary lines; a crash or sanitizer report is one failure more.
run_cmocka() {
	local bin=$1 label=$2 out rc pass fail
	out=$("$bin" 2>&1); rc=$?
	pass=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	fail=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	pass=${pass:-0}; fail=${fail:-0}
	if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then fail=1; fi
	if [ "$fail" -ne 0 ]; then printf '%s\n' "$out" | grep -v '^\[ \(RUN\|       OK\) ' | tail -n 40; fi
	printf 'suite %s: %d passed, %d failed\n' "$label" "$pass" "$fail"
	echo "$pass $fail 0" >> "$GB_RESULTS"
}

# A libFuzzer target that `make fuzzers` built (docs/fuzzing.md): its regression inputs once
# each, then FUZZ_SECONDS of fuzzing from its seeds. Its working files stay in build/fuzz: the
# corpus it grows (corpus/NAME, the next run starts from it), reproducers (crashes/NAME) and
# libFuzzer's output (logs/NAME.log), which is shown only on failure.
run_fuzz() {
	local bin=$1 name src=tests/fuzz work crashes log f k v at rep= what=reproducer summary
	local opts=() common=() regress=()
	name=$(basename "$bin")
	work=build/fuzz/corpus/$name
	crashes=build/fuzz/crashes/$name
	log=build/fuzz/logs/$name.log
	mkdir -p "$work" "$crashes" "$(dirname "$log")"
	: > "$log"
	common=(-timeout=10 -rss_limit_mb=2048 "-artifact_prefix=$crashes/")
	# NAME.options in OSS-Fuzz's format: "key = value" lines under [libfuzzer].
	if [ -f "$src/$name.options" ]; then
		while read -r k v; do opts+=("-$k=$v"); done \
			< <(sed -n 's/^\([a-z_]*\) *= *\(.*\)$/\1 \2/p' "$src/$name.options")
	fi
	[ -f "$src/$name.dict" ] && opts+=("-dict=$src/$name.dict")
	for f in "$src/regress/$name"/*; do [ -f "$f" ] && regress+=("$f"); done

	if [ ${#regress[@]} -gt 0 ] && ! "$bin" "${common[@]}" "${regress[@]}" >>"$log" 2>&1; then
		# The input that failed is the last one libFuzzer started.
		rep=$(sed -n 's/^Running: \(.*\)$/\1/p' "$log" | tail -n 1)
		what="regression input"
	elif "$bin" "${common[@]}" "${opts[@]}" -max_total_time="$fuzz_seconds" -print_final_stats=1 \
		"$work" "$src/corpus/$name" >>"$log" 2>&1; then
		summary=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' "$log" | tail -n 1)
		k=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
		v=$(grep -o 'corp: [0-9]*' "$log" | tail -n 1)
		printf '  ok    %s: %s, coverage %s, corpus %s inputs, %d regression inputs\n' "$name" \
			"${summary:-?}" "${k#cov: }" "${v#corp: }" ${#regress[@]}
		printf 'suite fuzz/%s: 1 passed, 0 failed\n' "$name"
		echo "1 0 0" >> "$GB_RESULTS"
		return
	fi
	[ -n "$rep" ] || rep=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
	at=$(grep -n -m 1 -E 'ERROR|runtime error|^fuzz_[a-z_]+: ' "$log" | cut -d: -f1)
	printf '  FAIL  %s: %s %s; run it again with: %s %s\n' "$name" "$what" "${rep:-(none written)}" \
		"$bin" "${rep:-FILE}"
	if [ -n "$at" ]; then sed -n "${at},$((at + 39))p" "$log"; else tail -n 40 "$log"; fi
	printf '        (the whole output: %s)\n' "$log"
	printf 'suite fuzz/%s: 0 passed, 1 failed\n' "$name"
	echo "0 1 0" >> "$GB_RESULTS"
}

if wants unit; then
	echo "== unit tests"
	for b in $builds; do
		for t in "$b"/tests/test_*; do
			[ -x "$t" ] || continue
			run_cmocka "$t" "$(basename "$b")/$(basename "$t")"
		done
	done
fi

if wants valgrind; then
	echo "== unit tests under valgrind"
	if command -v valgrind >/dev/null; then
		for t in build/release/tests/test_*; do
			[ -x "$t" ] || continue
			n=valgrind/$(basename "$t")
			# nouserintercepts: a test that interposes free itself (test_keyring_freed) keeps
			# it, and it still reaches valgrind's through libc; the others define no allocator.
			if out=$(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
				--soname-synonyms=somalloc=nouserintercepts "$t" 2>&1); then
				printf 'suite %s: 1 passed, 0 failed\n' "$n"; echo "1 0 0" >> "$GB_RESULTS"
			else
				printf '%s\n' "$out" | grep '^==' | head -n 30
				printf 'suite %s: 0 passed, 1 failed\n' "$n"; echo "0 1 0" >> "$GB_RESULTS"
			fi
		done
	else
		echo "  ***** valgrind is not installed: skipping (make deps installs it) *****"
	fi
fi

if wants fault; then
	echo "== fault injection"
	for s in tests/fault/*.sh; do [ -f "$s" ] && bash "$s"; done
fi

if wants fuzz; then
	fuzz_seconds=${FUZZ_SECONDS:-10}
	case $fuzz_seconds in
	''|*[!0-9]*|0) echo "FUZZ_SECONDS must be a whole number of seconds above 0, not '$fuzz_seconds'" >&2; exit 2 ;;
	esac
	echo "== fuzz targets ($fuzz_seconds s each)"
	found=0
	for t in build/fuzz/tests/fuzz_*; do
		[ -x "$t" ] || continue
		found=1
		run_fuzz "$t"
	done
	if [ "$found" = 0 ]; then
		if [ "${CI:-}" = true ]; then
			echo "  FAIL  no fuzz targets in build/fuzz/tests: make fuzzers builds them"
			echo "0 1 0" >> "$GB_RESULTS"
		else
			echo "  ***** no fuzz targets in build/fuzz/tests: skipping (make fuzzers builds them) *****"
			echo "0 0 1" >> "$GB_RESULTS"
		fi
	fi
fi

# Integration and screen tests share one sandbox engine (tests/engine/sandbox.sh).
if wants integration || wants screen; then
	sandbox_ok=0
	if [ "$(id -u)" -ne 0 ]; then
		GB_NO_ENGINE="not root: the sandbox engine needs root to run dockerd"
	elif ! command -v dockerd >/dev/null; then
		GB_NO_ENGINE="dockerd is not installed (make deps installs docker.io)"
	elif out=$(tests/engine/sandbox.sh start 2>&1); then
		sandbox_ok=1
		eval "$(tests/engine/sandbox.sh env)"
		export DOCKER_HOST
	else
		GB_NO_ENGINE="the sandbox engine did not start: $(printf '%s' "$out" | tail -n 5)"
	fi
	export GB_NO_ENGINE=${GB_NO_ENGINE:-}
	for kind in integration screen; do
		wants "$kind" || continue
		echo "== $kind tests"
		for s in tests/"$kind"/*.sh; do [ -f "$s" ] && bash "$s"; done
	done
	# Suites start registries as they need them; none outlives the run.
	tests/engine/registry.sh stop >/dev/null 2>&1
	[ "$sandbox_ok" = 1 ] && [ -z "${GB_KEEP_SANDBOX:-}" ] && tests/engine/sandbox.sh stop >/dev/null 2>&1
fi

read -r P F S < <(awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}' "$GB_RESULTS")
echo
if [ "$S" -gt 0 ]; then echo "$P passed, $F failed, $S skipped"; else echo "$P passed, $F failed"; fi
[ "$F" -eq 0 ]
