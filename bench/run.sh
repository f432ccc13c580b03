#!/usr/bin/env bash
# Runs the benchmarks in order, or only those named: bench/run.sh [ls] [console] [stats-mode] ...
# They print figures; none passes or fails. See docs/benchmarks.md.
# Every bench/*.sh but this file and lib.sh is a benchmark: the three below first, then the
# others in name order, so one added later runs without editing this list.
set -u
cd "$(dirname "$0")/.." || exit 2
all=(ls console stats-mode)
for f in bench/*.sh; do
	b=$(basename "$f" .sh)
	case " ${all[*]} run lib " in *" $b "*) ;; *) all+=("$b") ;; esac
done

for name in "$@"; do
	case " ${all[*]} " in
	*" ${name%.sh} "*) ;;
	*) echo "usage: $0 [${all[*]}]   (no name: all, in that order)" >&2; exit 2 ;;
	esac
done

gb=${GLOVEBOX:-build/release/glovebox}
[ -x "$gb" ] || gb=./glovebox
echo "glovebox benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC') on $(hostname): $(nproc) CPUs," \
	"$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
echo "glovebox $("$gb" version 2>/dev/null | head -n 1 | sed 's/^glovebox //'), tree at" \
	"$(git log -1 --format=%h 2>/dev/null || echo '?')$([ -n "$(git status --porcelain 2>/dev/null)" ] && echo ' with uncommitted changes')"
echo

rc=0
for b in "${all[@]}"; do
	if [ $# -gt 0 ]; then
		case " ${*%.sh} " in *" $b "*) ;; *) continue ;; esac
	fi
	echo "== bench/$b.sh"
	bash "bench/$b.sh" || rc=1
	echo
done
exit "$rc"
