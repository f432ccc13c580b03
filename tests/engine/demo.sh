#!/usr/bin/env bash
# `make run`: open glovebox on the local engine, or on the sandbox engine (with demo jobs)
# when no engine answers. Usage: tests/engine/demo.sh [glovebox arguments]
set -u
cd "$(dirname "$0")/../.."
GLOVEBOX=${GLOVEBOX:-./glovebox}

if "$GLOVEBOX" --timeout 3 ls --no-usage >/dev/null 2>&1; then
	exec "$GLOVEBOX" "$@"
fi
echo "glovebox: no swarm manager answers at ${DOCKER_HOST:-unix:///var/run/docker.sock}; starting the sandbox engine (docs/sandbox.md)"
tests/engine/sandbox.sh start || exit 1
eval "$(tests/engine/sandbox.sh env)"
export DOCKER_HOST

# A few jobs to look at, made once: running loads, one queued, one that runs out of memory.
demo() {
	local name=$1
	shift
	docker service inspect "$name" >/dev/null 2>&1 ||
		docker service create -d --quiet --name "$name" --label glovebox.demo=1 "$@" >/dev/null
}
demo ct-segmentation --label glovebox.owner=alice --label glovebox.class=default \
	--limit-cpu 1 --limit-memory 256M glovebox/load --cpu 0.6 --mem 120
demo mri-registration --label glovebox.owner=bob --label glovebox.class=default \
	--limit-cpu 0.5 --limit-memory 128M glovebox/load --cpu 0.3 --mem 40
demo genome-align --label glovebox.owner=carol --label glovebox.class=highram \
	--constraint node.labels.glovebox.class==highram --limit-memory 64G glovebox/load
demo leaky-notebook --label glovebox.owner=dave --label glovebox.class=default \
	--limit-memory 32M --restart-max-attempts 3 --restart-condition on-failure glovebox/load --grow
exec "$GLOVEBOX" "$@"
