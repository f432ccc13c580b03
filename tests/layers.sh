#!/usr/bin/env bash
# make layers: every #include "..." of the project's own headers must go down the layer order
# (docs/architecture.md):
#   api/base < api/engine < api/core < api/metrics < api/swarm, api/creds < widgets < tui/console | tui/cli
#   < tui/main.c
# Same-layer includes are fine; siblings (swarm and creds, console and cli) never include each
# other; widgets know nothing of the engine (only api/base below them).
# Prints each include that breaks the order and exits 1; prints one line and exits 0 otherwise.
set -u
cd "$(dirname "$0")/.."

rank() {   # rank FILE-OR-HEADER-PATH: the layer's rank and its name
	case $1 in
	api/base/*) echo "0 base" ;;
	api/engine/*) echo "1 engine" ;;
	api/core/*) echo "2 core" ;;
	api/metrics/*) echo "3 metrics" ;;
	api/swarm/*) echo "4 swarm" ;;
	api/creds/*) echo "4 creds" ;;
	widgets/*) echo "5 widgets" ;;
	tui/console/*) echo "6 console" ;;
	tui/cli/*) echo "6 cli" ;;
	tui/main.c) echo "7 main" ;;
	*) echo "-1 unknown" ;;
	esac
}

bad=0 files=0
while IFS= read -r f; do
	files=$((files + 1))
	read -r fr fl < <(rank "$f")
	if [ "$fr" -lt 0 ]; then
		echo "layers: $f is in no layer: put it in one of the folders docs/architecture.md lists"
		bad=$((bad + 1))
		continue
	fi
	while IFS=: read -r line inc; do
		read -r ir il < <(rank "$inc")
		why=
		if [ "$ir" -lt 0 ]; then
			why="not a header of any layer"
		elif [ "$ir" -gt "$fr" ]; then
			why="$fl must not include $il (a layer above it)"
		elif [ "$ir" -eq "$fr" ] && [ "$il" != "$fl" ]; then
			why="$fl and $il are siblings and never include each other"
		elif [ "$fl" = widgets ] && [ "$ir" -gt 0 ] && [ "$ir" -lt 5 ]; then
			why="widgets know nothing of the engine: only api/base below them"
		fi
		if [ -n "$why" ]; then
			echo "layers: $f:$line: #include \"$inc\": $why"
			bad=$((bad + 1))
		fi
	done < <(grep -n '^#include "' "$f" | sed 's/^\([0-9]*\):#include "\([^"]*\)".*/\1:\2/')
done < <(find api widgets tui -name '*.[ch]' | sort)

if [ "$bad" -gt 0 ]; then
	echo "layers: $bad include(s) against the layer order in $files files"
	exit 1
fi
echo "layers: $files files, every include goes down the layer order"
