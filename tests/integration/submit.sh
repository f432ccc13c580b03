#!/usr/bin/env bash
# glovebox submit against the sandbox engine and a real private registry: the service it makes
# has every property the platform promises, the terms gate works, bad input leaves nothing.
T_SUITE=integration/submit
. "$(dirname "$0")/../lib.sh"

[ -n "${GB_NO_ENGINE:-}" ] && t_skip_suite "$GB_NO_ENGINE"
[ -n "${DOCKER_HOST:-}" ] || t_skip_suite "no sandbox engine (DOCKER_HOST unset)"
command -v docker-registry >/dev/null || t_skip_suite "docker-registry is not installed (make deps)"

REG=127.0.0.1:5000
IMAGE=$REG/glovebox/load:latest
work=$(mktemp -d)
owner=$(id -un)
cleanup() {
	docker service ls -q --filter "label=glovebox.owner=$owner" | xargs -r docker service rm >/dev/null 2>&1
	sleep 1
	docker network ls -q --filter label=glovebox.job | xargs -r docker network rm >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
cleanup; work=$(mktemp -d)

"$GB_ROOT/tests/engine/registry.sh" start >/dev/null || t_skip_suite "the registry did not start"
"$GB_ROOT/tests/engine/registry.sh" push glovebox/load:latest >/dev/null || t_skip_suite "cannot push to the registry"
mkdir -p /srv/glovebox/data/ct-2018 /srv/glovebox/data/mri-open /srv/glovebox/data/genomics-restricted \
	"/srv/glovebox/results/$owner"
cp "$GB_ROOT/docs/examples/policy.json" "$GB_ROOT/docs/examples/terms.md" "$work/"
# Acceptance records outlive a run: terms of this run's own make the first acceptance needed.
printf '\nTest run %s.\n' "$(date +%s%N)" >> "$work/terms.md"
P="$work/policy.json"
gb() { "$GLOVEBOX" --policy "$P" "$@"; }
sha=$(sha256sum "$work/terms.md" | cut -d' ' -f1)

t_eq "glovebox terms --sha256 is the file's SHA-256" "$sha" "$(gb terms --sha256)"
t_check "policy check accepts the example" gb policy check "$P"

count() { echo "$(docker service ls -q | wc -l)/$(docker network ls -q --filter label=glovebox.job | wc -l)"; }
before=$(count)

# The terms gate.
out=$(gb submit --image "$IMAGE" --class default --dataset mri-open -- --cpu 0.05 --mem 8 2>&1); rc=$?
t_eq "without accepting the terms: exit 4" 4 "$rc"
t_check "the refusal names the hash" grep -q -- "--accept-terms $sha" <<<"$out"
out=$(gb submit --image "$IMAGE" --class default --accept-terms 0000 --purpose x 2>&1); rc=$?
t_eq "a wrong hash: exit 4" 4 "$rc"
out=$(gb submit --image "$IMAGE" --class default --accept-terms "$sha" 2>&1); rc=$?
t_eq "accepting without a purpose: exit 2" 2 "$rc"
t_eq "nothing made by refused submissions" "$before" "$(count)"

# A real submission.
out=$(gb submit --json --image "$IMAGE" --class default --dataset mri-open --name gbt-sub-ok \
	--accept-terms "$sha" --purpose "integration test" -- --cpu 0.05 --mem 8 2>"$work/err"); rc=$?
t_eq "submit with acceptance: exit 0" 0 "$rc"
[ "$rc" = 0 ] || cat "$work/err"
# Debian's engine speaks API 1.41 (no per-job no-new-privileges) and does not report the
# daemon-wide setting: glovebox must not let the researcher believe it is on.
if [ "$(docker version --format '{{.Server.APIVersion}}')" = 1.41 ]; then
	t_check "API 1.41: warns that no-new-privileges is not made sure" \
		grep -q "warning: no-new-privileges is not made sure: API 1.41 cannot set it per job" "$work/err"
fi
consent=$(jq -r .consent <<<"$out")
spec=$(docker service inspect gbt-sub-ok --format '{{json .Spec}}')
s() { jq -r "$1" <<<"$spec"; }
sc() { jq -c "$1" <<<"$spec"; }
t_eq "one replica" 1 "$(s .Mode.Replicated.Replicas)"
t_eq "image pinned to its digest" "$IMAGE@$(curl -s -o /dev/null -w '%header{docker-content-digest}' \
	-H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
	http://$REG/v2/glovebox/load/manifests/latest)" "$(s .TaskTemplate.ContainerSpec.Image)"
t_eq "args passed to the image's entrypoint" '["--cpu","0.05","--mem","8"]' "$(sc .TaskTemplate.ContainerSpec.Args)"
t_eq "CPU limit = reservation = class default" "1000000000 1000000000" \
	"$(s '"\(.TaskTemplate.Resources.Limits.NanoCPUs) \(.TaskTemplate.Resources.Reservations.NanoCPUs)"')"
t_eq "memory limit = reservation" true "$(s '.TaskTemplate.Resources.Limits.MemoryBytes == .TaskTemplate.Resources.Reservations.MemoryBytes and .TaskTemplate.Resources.Limits.MemoryBytes > 0')"
t_eq "pids limit" 512 "$(s .TaskTemplate.Resources.Limits.Pids)"
t_eq "placement from the class" '["node.labels.glovebox.class==default"]' "$(sc .TaskTemplate.Placement.Constraints)"
t_eq "read-only root filesystem" true "$(s .TaskTemplate.ContainerSpec.ReadOnly)"
t_eq "all capabilities dropped" '["ALL"]' "$(sc .TaskTemplate.ContainerSpec.CapabilityDrop)"
t_eq "init process" true "$(s .TaskTemplate.ContainerSpec.Init)"
t_check "non-root user" test "$(s .TaskTemplate.ContainerSpec.User | cut -d: -f1)" != 0
t_eq "dataset bind is read-only" "bind true /srv/glovebox/data/mri-open" \
	"$(s '.TaskTemplate.ContainerSpec.Mounts[] | select(.Target == "/data/mri-open") | "\(.Type) \(.ReadOnly) \(.Source)"')"
t_eq "results bind is the only writable bind" "/srv/glovebox/results/$owner" \
	"$(s '[.TaskTemplate.ContainerSpec.Mounts[] | select(.Type == "bind" and (.ReadOnly | not))] | map(.Source) | join(",")')"
t_eq "tmpfs on /tmp" tmpfs "$(s '.TaskTemplate.ContainerSpec.Mounts[] | select(.Target == "/tmp") | .Type')"
t_eq "restart on failure, at most 5" "on-failure 5" "$(s '"\(.TaskTemplate.RestartPolicy.Condition) \(.TaskTemplate.RestartPolicy.MaxAttempts)"')"
t_eq "labels: owner, class, datasets" "$owner default mri-open" \
	"$(s '"\(.Labels["glovebox.owner"]) \(.Labels["glovebox.class"]) \(.Labels["glovebox.datasets"])"')"
t_eq "label: terms hash" "$sha" "$(s '.Labels["glovebox.terms-sha256"]')"
t_eq "label: consent record" "$consent" "$(s '.Labels["glovebox.consent"]')"
t_check "label: expiry in the future" test "$(date -d "$(s '.Labels["glovebox.expires-at"]')" +%s)" -gt "$(date +%s)"
t_eq "log driver json-file, rotated as the policy says" "json-file 10m 3" \
	"$(s '"\(.TaskTemplate.LogDriver.Name) \(.TaskTemplate.LogDriver.Options["max-size"]) \(.TaskTemplate.LogDriver.Options["max-file"])"')"
t_eq "ulimits from the policy" '[{"Name":"nofile","Hard":4096,"Soft":1024},{"Name":"nproc","Hard":2048,"Soft":2048}]' \
	"$(sc '.TaskTemplate.ContainerSpec.Ulimits | map({Name, Hard, Soft})')"
net=$(s '.TaskTemplate.Networks[0].Target')
t_eq "the job's network is internal, not encrypted by default" "true overlay false" \
	"$(docker network inspect "$net" --format '{{.Internal}} {{.Driver}}') $(docker network inspect "$net" \
		--format '{{json .Options}}' | jq -c 'has("encrypted")')"
t_eq "the job's network is labelled with the job and its owner" "gbt-sub-ok $owner" \
	"$(docker network inspect "$net" --format '{{index .Labels "glovebox.job"}} {{index .Labels "glovebox.owner"}}')"
t_eq "--json: the posture's properties not enforced at API 1.41" \
	"no-new-privileges=unconfirmed,tmpfs /tmp noexec,nosuid,nodev=unconfirmed,network encryption=off" \
	"$(jq -r '[.posture[] | select(.state != "enforced") | "\(.name)=\(.state)"] | join(",")' <<<"$out")"
t_check "the job runs" wait_for 60 sh -c "docker service ls --filter name=gbt-sub-ok --format '{{.Replicas}}' | grep -q '^1/1'"
# What the engine made of the spec, on the container itself.
cid=$(docker ps -q --filter label=com.docker.swarm.service.name=gbt-sub-ok | head -n 1)
t_eq "the container's ulimits" '[{"Name":"nofile","Hard":4096,"Soft":1024},{"Name":"nproc","Hard":2048,"Soft":2048}]' \
	"$(docker inspect "$cid" --format '{{json .HostConfig.Ulimits}}' | jq -c 'map({Name, Hard, Soft})')"
t_eq "the container's log rotation" '{"Config":{"max-file":"3","max-size":"10m"},"Type":"json-file"}' \
	"$(docker inspect "$cid" --format '{{json .HostConfig.LogConfig}}' | jq -cS .)"
# API 1.41 cannot ask for the tmpfs flags (the posture says "not made sure"); dockerd's default
# gives them all the same, as seen here.
pid=$(docker inspect "$cid" --format '{{.State.Pid}}')
tmp_opts=$(awk '$2 == "/tmp" { print $4 }' "/proc/$pid/mounts" 2>/dev/null)
for flag in noexec nosuid nodev; do
	if grep -qw "$flag" <<<"${tmp_opts//,/ }"; then t_ok "/tmp is mounted $flag ($tmp_opts)"
	else t_fail "/tmp is mounted $flag" "options: ${tmp_opts:-(none found)}"; fi
done

# The acceptance record in the swarm matches the terms file.
rec=$(docker config inspect "$consent" --format '{{json .Spec}}')
data=$(jq -r .Data <<<"$rec" | base64 -d)
t_eq "record: terms hash" "$sha" "$(jq -r .terms_sha256 <<<"$data")"
t_eq "record: user from the password database" "$owner" "$(jq -r .user <<<"$data")"
t_eq "record: purpose" "integration test" "$(jq -r .purpose <<<"$data")"
t_eq "record: class and datasets" "default mri-open" "$(jq -r '"\(.class) \(.datasets | join(","))"' <<<"$data")"
t_eq "record is labelled for listing" "1 $owner" "$(jq -r '"\(.Labels["glovebox.consent"]) \(.Labels["glovebox.user"])"' <<<"$rec")"

# Accepted once: the next submission needs no --accept-terms.
out=$(gb submit --image "$IMAGE" --class default --name gbt-sub-again -- --cpu 0.05 --mem 8 2>&1); rc=$?
t_eq "second submission without --accept-terms: exit 0" 0 "$rc"
out=$(gb submit --image "$IMAGE" --class default --name gbt-sub-again 2>&1); rc=$?
t_eq "a duplicate name is refused" 2 "$rc"
t_eq "  in one neutral sentence" "glovebox: name: the name gbt-sub-again cannot be used: choose another" \
	"$(grep -v '^glovebox: \(fit\|warning\|note\|.*\.\.\.$\)' <<<"$out")"
own_msg=$(grep 'cannot be used' <<<"$out")
# Another user's job: the very same words, nothing about whose it is.
docker service create -d -q --name gbt-sub-other --label glovebox.owner=gbt-someone-else \
	glovebox/busybox:latest sleep 600 >/dev/null 2>&1
out=$(gb submit --image "$IMAGE" --class default --name gbt-sub-other 2>&1); rc=$?
t_eq "another user's name is refused" 2 "$rc"
t_eq "  with the same sentence as an own job's" "${own_msg/gbt-sub-again/gbt-sub-other}" "$(grep 'cannot be used' <<<"$out")"
if grep -q gbt-someone-else <<<"$out"; then t_fail "  which names no owner" "$out"; else t_ok "  which names no owner"; fi
# A network of that name that is not this job's (another user's leftover) blocks the name too.
docker network create -d overlay --internal --label glovebox.job=gbt-sub-netclash \
	--label glovebox.owner=gbt-someone-else gbt-sub-netclash-net >/dev/null
out=$(gb submit --image "$IMAGE" --class default --name gbt-sub-netclash 2>&1); rc=$?
t_eq "another user's network of the job's name: exit 2" 2 "$rc"
t_eq "  the same sentence" "${own_msg/gbt-sub-again/gbt-sub-netclash}" "$(grep 'cannot be used' <<<"$out")"
t_eq "  and that network is left alone" 1 "$(docker network ls -q --filter name=gbt-sub-netclash-net | wc -l)"
# An own leftover network (an interrupted submission) is removed, and the job is made.
docker network create -d overlay --internal --label glovebox.job=gbt-sub-leftover \
	--label "glovebox.owner=$owner" gbt-sub-leftover-net >/dev/null
old_net=$(docker network inspect -f '{{.Id}}' gbt-sub-leftover-net)
out=$(gb submit --image "$IMAGE" --class default --name gbt-sub-leftover -- --cpu 0.01 2>&1); rc=$?
t_eq "an own leftover network: exit 0" 0 "$rc"
new_net=$(docker service inspect gbt-sub-leftover --format '{{(index .Spec.TaskTemplate.Networks 0).Target}}' 2>/dev/null)
t_check "  the job has a new network, not the leftover" test -n "$new_net" -a "$new_net" != "$old_net"
docker service rm gbt-sub-other gbt-sub-leftover >/dev/null 2>&1
docker network rm gbt-sub-netclash-net >/dev/null 2>&1

# Changed terms force a new acceptance and show what changed.
printf '\nNew clause: results must be reviewed by the data steward.\n' >> "$work/terms.md"
sha2=$(sha256sum "$work/terms.md" | cut -d' ' -f1)
out=$(gb submit --image "$IMAGE" --class default --name gbt-sub-new 2>&1); rc=$?
t_eq "changed terms: exit 4" 4 "$rc"
t_check "the change is shown" grep -q '^+ New clause: results must be reviewed' <<<"$out"
t_check "the new hash is named" grep -q -- "--accept-terms $sha2" <<<"$out"
out=$(gb submit --image "$IMAGE" --class default --name gbt-sub-new --accept-terms "$sha2" --purpose "after the change" 2>&1); rc=$?
t_eq "accepting the new terms: exit 0" 0 "$rc"

# Every bad input: a clear message, exit 2, nothing left behind.
before=$(count)
bad() {   # name expected-substring args...
	local name=$1 want=$2 out rc
	shift 2
	out=$(gb submit --name gbt-sub-bad "$@" 2>&1); rc=$?
	t_eq "$name: exit 2" 2 "$rc"
	if grep -q -- "$want" <<<"$out"; then t_ok "$name: says \"$want\""; else t_fail "$name: says \"$want\"" "$out"; fi
}
bad "unknown class" 'class: unknown class "nosuch"' --image "$IMAGE" --class nosuch
bad "CPUs over the class maximum" "cpus:" --image "$IMAGE" --class default --cpus 3
bad "a dataset the user may not use" "datasets:" --image "$IMAGE" --class default --dataset ct-2018
bad "an image outside the allowed registries" "not from an allowed registry" --image docker.io/library/busybox:1 --class default
bad "a malformed reference" "malformed image reference" --image 'Bad/Image::x' --class default
bad "a lifetime over the maximum" "lifetime:" --image "$IMAGE" --class default --lifetime 48h
bad "memory under the engine's 6 MiB" "memory: at least 6MiB" --image "$IMAGE" --class default --memory 5M
bad "an image tag the registry does not have" "image:" --image "$REG/glovebox/load:nosuchtag" --class default
t_eq "nothing left behind by bad input" "$before" "$(count)"

# A policy that asks for it: the job's network is encrypted, and the posture says so.
jq '.encrypted_network = true | .log_rotation = {"max_size": "1GiB", "max_files": 2}' "$P" > "$work/enc.json"
out=$("$GLOVEBOX" --policy "$work/enc.json" submit --json --image "$IMAGE" --class default --name gbt-sub-enc \
	-- --cpu 0.01 2>"$work/err"); rc=$?
t_eq "an encrypted network: exit 0" 0 "$rc"
[ "$rc" = 0 ] || cat "$work/err"
t_eq "  the network has the encrypted option" '""' \
	"$(docker network inspect gbt-sub-enc-net --format '{{json .Options}}' 2>&1 | jq -c .encrypted)"
t_eq "  the posture: encryption enforced" enforced \
	"$(jq -r '.posture[] | select(.name == "network encryption") | .state' <<<"$out")"
t_eq "  the policy's log rotation" "1g 2" "$(docker service inspect gbt-sub-enc \
	--format '{{index .Spec.TaskTemplate.LogDriver.Options "max-size"}} {{index .Spec.TaskTemplate.LogDriver.Options "max-file"}}')"
docker service rm gbt-sub-enc >/dev/null 2>&1

# A job larger than the free capacity queues with the reason, and starts when room frees.
docker service rm gbt-sub-ok gbt-sub-again gbt-sub-new >/dev/null 2>&1
sleep 2
out=$(gb submit --image "$IMAGE" --class default --cpus 2 --name gbt-sub-big -- --cpu 0.01 2>&1); rc=$?
t_eq "a 2-CPU job: exit 0" 0 "$rc"
big_running() { docker service ls --filter name=gbt-sub-big --format '{{.Replicas}}' | grep -q '^1/1'; }
t_check "  it runs" wait_for 60 big_running
out=$(gb submit --image "$IMAGE" --class default --cpus 1 --name gbt-sub-queued -- --cpu 0.01 2>&1); rc=$?
t_eq "a job that does not fit now: exit 0" 0 "$rc"
t_check "  the fit check says it will queue" grep -q "will queue: insufficient CPU" <<<"$out"
pending() { "$GLOVEBOX" ls --json --no-usage | jq -e '.[] | select(.name == "gbt-sub-queued") | select(.state == "pending" and (.reason | test("insufficient resources")))'; }
t_check "  it is pending with the scheduler's reason" wait_for 30 pending
docker service rm gbt-sub-big >/dev/null
running() { "$GLOVEBOX" ls --json --no-usage | jq -e '.[] | select(.name == "gbt-sub-queued") | select(.state == "running")'; }
t_check "  and runs once the big job is gone" wait_for 60 running
t_end
