#!/usr/bin/env bash
# The gateway boundary (issue 10): glovebox installed as docs/admin-guide.md says, setgid to
# the group that owns the engine's socket (0660), run by real Unix accounts without root.
# A researcher tries every way around the roles: publishing a policy, a policy file of her
# own (--policy, GLOVEBOX_POLICY, a symlink swapped while glovebox reads it), scaling past 1,
# other users' jobs and audit records, and the environment of a set-group-ID program
# (LD_PRELOAD, HOME, XDG_*, DOCKER_CONFIG, files only the group may read, DOCKER_HOST).
# Each attempt must be refused with a clear message and leave nothing in the swarm, which
# the docker CLI checks as root. The researcher reaches the sandbox's socket (root's, group
# gbgt-socket, 0660) through the setgid glovebox only; any other socket is one of hers.
T_SUITE=integration/gateway
. "$(dirname "$0")/../lib.sh"

[ -n "${GB_NO_ENGINE:-}" ] && t_skip_suite "$GB_NO_ENGINE"
[ "$(id -u)" -eq 0 ] || t_skip_suite "not root: the suite creates accounts and installs glovebox setgid"
[ -n "${DOCKER_HOST:-}" ] || t_skip_suite "no sandbox engine (DOCKER_HOST unset)"
case $DOCKER_HOST in unix://*) ;; *) t_skip_suite "DOCKER_HOST is not a unix socket" ;; esac
for tool in jq useradd userdel groupadd groupdel setpriv install cc timeout stat; do
	command -v "$tool" >/dev/null || t_skip_suite "$tool is not installed (make deps)"
done
[ -x "$GLOVEBOX" ] || t_skip_suite "$GLOVEBOX is not built (make)"
export LC_ALL=C.UTF-8
unset GLOVEBOX_POLICY

SOCK=${DOCKER_HOST#unix://}
[ -S "$SOCK" ] || t_skip_suite "$SOCK is not a socket"
GS=gbgt-socket GA=gbgt-admins GO=gbgt-onco GG=gbgt-geno   # socket, admins, two dataset groups
R=gbgt-rita R2=gbgt-remy A=gbgt-ada                        # researcher, second researcher, admin
MARK="glovebox gateway suite"
JOWN=gbgt-j-own JOTHER=gbgt-j-other JNONE=gbgt-j-nosuch     # Rita's job, Remy's job, no job
RUN=$(date +%s%N)
# Short enough that a JSON parser quotes it whole in an error ("near '...'": at most 20 characters).
CANARY=GBGT$(printf '%s' "$RUN" | sha256sum | cut -c1-12)
PYTHON=/usr/bin/python3   # the accounts run it too: not a python of root's own
[ -x "$PYTHON" ] || t_skip_suite "$PYTHON is not installed"
# No registry: a digest-pinned reference needs no resolving, and no task of it ever starts.
IMG=127.0.0.1:5000/glovebox/busybox@sha256:$(printf 'gbgt %s' "$RUN" | sha256sum | cut -d' ' -f1)

sock_was=$(stat -c '%u:%g %a' "$SOCK")
work=$(mktemp -d /tmp/gbgt-work.XXXXXX)
bindir=$(mktemp -d /tmp/gbgt-bin.XXXXXX)
tpdir=$(mktemp -d /etc/gbgt-gateway.XXXXXX)
bg_pids=() made_groups=()

state() {   # every service, network and config in the swarm, as "kind id", sorted
	{
		docker service ls -q | sed 's/^/service /'
		docker network ls -q | sed 's/^/network /'
		docker config ls -q | sed 's/^/config /'
	} 2>/dev/null | sort
}
# The suite's whole footprint: everything that is in the swarm at the end and was not at the start.
state > "$work/snap.start"

cleanup() {
	local p
	for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	undo start
	chown "${sock_was% *}" "$SOCK" 2>/dev/null
	chmod "${sock_was#* }" "$SOCK" 2>/dev/null
	for u in "$R" "$R2" "$A"; do
		[ "$(getent passwd "$u" | cut -d: -f5)" = "$MARK" ] && userdel -r "$u" >/dev/null 2>&1
	done
	for g in "${made_groups[@]}"; do groupdel "$g" >/dev/null 2>&1; done
	rm -rf "$work" "$bindir" "$tpdir"
}

# made SNAP: what was created since snapshot SNAP; undo SNAP [keep-configs] removes it again.
made() { comm -13 "$work/snap.$1" <(state); }
undo() {
	local i
	[ -f "$work/snap.$1" ] || return 0
	made "$1" | awk '$1 == "service" { print $2 }' | xargs -r docker service rm >/dev/null 2>&1
	for ((i = 0; i < 60; i++)); do   # a network goes once its service's tasks are gone
		[ -z "$(made "$1" | awk '$1 == "network"')" ] && break
		made "$1" | awk '$1 == "network" { print $2 }' | xargs -r docker network rm >/dev/null 2>&1
		sleep 0.5
	done
	[ "${2:-}" = keep-configs ] && return 0
	made "$1" | awk '$1 == "config" { print $2 }' | xargs -r docker config rm >/dev/null 2>&1
}
describe() {   # kind id lines -> names, and what a service mounts
	local kind id
	while read -r kind id; do
		case $kind in
		service) docker service inspect "$id" --format 'service {{.Spec.Name}} owner={{index .Spec.Labels "glovebox.owner"}} mounts={{range .Spec.TaskTemplate.ContainerSpec.Mounts}}{{.Source}} {{end}}' ;;
		network) docker network inspect "$id" --format 'network {{.Name}}' ;;
		config) docker config inspect "$id" --format 'config {{.Spec.Name}}' ;;
		esac 2>/dev/null
	done
}
snap() { state > "$work/snap.$1"; }
# nothing_made NAME SNAP: a check that nothing was created since SNAP; removes whatever was.
nothing_made() {
	local m
	m=$(made "$2")
	if [ -z "$m" ]; then t_ok "$1"; else t_fail "$1" "$(describe <<<"$m")"; fi
	undo "$2"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- accounts, groups, the socket, the setgid install ----
for u in "$R" "$R2" "$A"; do
	if getent passwd "$u" >/dev/null; then
		[ "$(getent passwd "$u" | cut -d: -f5)" = "$MARK" ] || t_skip_suite "account $u exists and is not this suite's"
		userdel -r "$u" >/dev/null 2>&1
	fi
done
for g in "$GS" "$GA" "$GO" "$GG"; do   # an empty one of these names is left from a killed run
	[ -z "$(getent group "$g" | cut -d: -f4)" ] && groupdel "$g" >/dev/null 2>&1
	groupadd "$g" || t_skip_suite "cannot create group $g"
	made_groups+=("$g")
done
mkuser() {   # user groups
	useradd -m -U -c "$MARK" -s /bin/sh -G "$2" "$1" || t_skip_suite "cannot create account $1"
}
mkuser "$R" "$GO"
mkuser "$R2" "$GG"
mkuser "$A" "$GA"
home() { getent passwd "$1" | cut -d: -f6; }
RHOME=$(home "$R")
R_GID=$(id -g "$R")
GS_GID=$(getent group "$GS" | cut -d: -f3)

chgrp "$GS" "$SOCK" && chmod 0660 "$SOCK"
chmod 0755 "$work" "$bindir" "$tpdir"
GB=$bindir/glovebox
install -o root -g "$GS" -m 2755 "$GLOVEBOX" "$GB"

# run_as USER [VAR=VALUE...] -- PROGRAM ARGS...: as USER (real and effective IDs, its own
# groups), with nothing of the caller's environment. TMO: the time limit in seconds (60).
run_as() {
	local u=$1
	shift
	local -a envs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	timeout -k 5 "${TMO:-60}" setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups \
		env -i PATH=/usr/bin:/bin HOME="$(home "$u")" LC_ALL=C.UTF-8 DOCKER_HOST="$DOCKER_HOST" \
		"${envs[@]}" "$@" </dev/null
}
# gb USER [VAR=VALUE...] -- ARGS...: the installed glovebox as USER; sets OUT, ERR and RC.
gb() {
	local -a pre=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do pre+=("$1"); shift; done
	shift
	run_as "${pre[@]}" -- "$GB" "$@" >"$work/out" 2>"$work/err"
	RC=$?
	OUT=$(cat "$work/out")
	ERR=$(cat "$work/err")
}
lines() { [ -z "$1" ] && echo 0 || printf '%s\n' "$1" | wc -l; }
job_names() { jq -r '[.[].name] | sort | join(" ")' <<<"$1" 2>/dev/null; }   # of ls --json
# Audit records (audit --json) neither made by USER nor about USER's jobs.
not_about() { jq -r --arg u "$1" '.[] | select(.who != $u and .owner != $u) | "\(.who) \(.action) \(.target) owner \(.owner)"' <<<"$2" 2>&1; }
has() { grep -qF -- "$2" <<<"$1"; }
hasnt() { ! grep -qF -- "$2" <<<"$1"; }

# ---- datasets, policies, secrets ----
DATA=$work/data
mkdir -p "$DATA/onco" "$DATA/geno" "$work/results"
printf 'Data-use terms of the gateway suite, run %s.\nUse the data for the stated purpose only.\n' "$RUN" > "$tpdir/terms.md"
# policy ADMIN_GROUP GENO_GROUP LOGS: the platform's policy, the shape of docs/examples/policy.json.
policy() {
	jq -n --arg data "$DATA" --arg res "$work/results" --arg a "$1" --arg go "$GO" --arg gg "$2" --arg logs "$3" '{
		classes: {default: {description: "a tenth of a CPU", constraints: ["node.labels.glovebox.class==default"],
		                    cpus: 0.1, memory: "32MiB"}},
		datasets: {
			onco: {description: "oncology", source: ($data + "/onco"), target: "/data/onco", groups: [$go]},
			geno: {description: "genomics, restricted", source: ($data + "/geno"), target: "/data/geno", groups: [$gg]}
		},
		results: {source: ($res + "/{user}"), target: "/results"},
		terms: {file: "terms.md", version: "gbgt"},
		registries: ["127.0.0.1:5000"],
		max_lifetime: "1h",
		admin_group: $a,
		researcher_logs: $logs
	}'
}
# The trusted policy: root's file in root's 0755 directory, and the same published in the swarm.
TPOL=$tpdir/policy.json
policy "$GA" "$GG" tail > "$TPOL"
chmod 0644 "$TPOL" "$tpdir/terms.md"
TSHA=$(sha256sum < "$tpdir/terms.md" | cut -d' ' -f1)

# Rita's own policies: her group administers, the restricted dataset is hers, /etc is a dataset.
OWN=$RHOME/own
mkdir -p "$OWN"
printf 'Terms Rita wrote herself: anything goes.\n' > "$OWN/terms.md"
OSHA=$(sha256sum < "$OWN/terms.md" | cut -d' ' -f1)
policy "$GO" "$GO" full | jq '.datasets.hostetc = {source: "/etc", target: "/data/etc"}' > "$OWN/policy.json"
policy gbgt-nosuch-group "$GO" full > "$OWN/plain.json"   # grants the dataset, names no admins
# A file only the socket's group may read, holding a canary; glovebox must never read it for her.
SECRET=$work/secret
mkdir -p "$SECRET/.docker"
printf '{"auths" "%s"}\n' "$CANARY" > "$SECRET/canary.json"
cp "$SECRET/canary.json" "$SECRET/config.json"
cp "$SECRET/canary.json" "$SECRET/.docker/config.json"
chown -R "root:$GS" "$SECRET"
chmod 0750 "$SECRET" "$SECRET/.docker"
chmod 0640 "$SECRET/canary.json" "$SECRET/config.json" "$SECRET/.docker/config.json"
CSHA=$(sha256sum < "$SECRET/canary.json" | cut -d' ' -f1)
policy "$GO" "$GO" full | jq --arg t "$SECRET/canary.json" '.terms.file = $t' > "$OWN/terms-canary.json"
chown -R "$R:$R" "$OWN"

# ---- the jobs: Rita's and Remy's, made as glovebox labels them ----
FUTURE=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
mkjob() {   # name owner command
	docker service create -d --quiet --name "$1" --label gbtest=gbgt --label "glovebox.owner=$2" \
		--label "glovebox.expires-at=$FUTURE" --label glovebox.class=default \
		glovebox/busybox sh -c "$3" >/dev/null || t_fail "create job $1"
}
mkjob "$JOWN" "$R" 'i=1; while [ $i -le 150 ]; do echo line $i; i=$((i+1)); done; exec sleep 100000'
mkjob "$JOTHER" "$R2" 'echo secret of remy; exec sleep 100000'
running() { [ "$(docker service ls --filter "name=$1" --format '{{.Name}} {{.Replicas}}')" = "$1 1/1" ]; }
wait_for 60 running "$JOWN" && wait_for 60 running "$JOTHER" ||
	t_fail "the test jobs run" "$(docker service ps "$JOWN" "$JOTHER" --no-trunc 2>&1 | head -n 5)"
OTHER_ID=$(docker service inspect "$JOTHER" --format '{{.ID}}')
replicas() { docker service inspect "$1" --format '{{.Spec.Mode.Replicated.Replicas}}'; }
mounts_of() {   # the host paths a service mounts
	docker service inspect "$1" --format '{{range .Spec.TaskTemplate.ContainerSpec.Mounts}}{{if .Source}}{{.Source}} {{end}}{{end}}'
}

# ==== 1. The install ====
echo "-- the install"
t_eq "glovebox is installed root:$GS 2755" "root $GS 2755" "$(stat -c '%U %G %a' "$GB")"
t_eq "the socket is root's, group $GS, 0660" "$GS 660" "$(stat -c '%G %a' "$SOCK")"
out=$(TMO=20 run_as "$R" -- docker version 2>&1); rc=$?
if [ "$rc" -ne 0 ] && grep -qi "permission denied" <<<"$out"; then
	t_ok "researcher: the docker CLI cannot reach the socket (permission denied)"
else
	t_fail "researcher: the docker CLI cannot reach the socket (permission denied)" "exit $rc: $out"
fi
gb "$R" -- ls --json --no-usage
t_eq "researcher: the setgid glovebox reaches the engine (ls: exit 0)" 0 "$RC"
t_eq "  and lists her own job only" "$JOWN" "$(job_names "$OUT")"

# ==== 2. Publishing a policy ====
echo "-- publishing a policy"
if [ -z "$(docker config ls -q --filter label=glovebox.policy)" ] && [ ! -e /etc/glovebox/policy.json ]; then
	snap first
	gb "$A" -- policy publish "$TPOL"
	t_eq "no policy in force: a first publish by a non-root account is refused (exit 5)" 5 "$RC"
	nothing_made "  nothing created in the swarm" first
else
	echo "  (a policy is already in force in this sandbox: the first-publish case is left out)"
fi
out=$("$GB" policy publish "$TPOL" 2>&1 </dev/null); rc=$?
t_eq "root publishes the trusted policy (setup)" 0 "$rc"
[ "$rc" = 0 ] || echo "        $out"

snap pub
gb "$R" -- policy publish "$OWN/policy.json"
t_eq "researcher: publish a policy naming her group as admins is refused (exit 5)" 5 "$RC"
gb "$R" -- ls --json --no-usage
t_eq "  she is still a researcher after the attempt (ls --json: her job only)" "$JOWN" \
	"$(job_names "$OUT")"
nothing_made "  nothing created in the swarm (no glovebox.policy or glovebox.terms config)" pub
snap pub
gb "$R" -- policy publish "$TPOL"
t_eq "researcher: publish even the trusted policy is refused (exit 5)" 5 "$RC"
nothing_made "  nothing created in the swarm" pub

# ==== 3. A legitimate submission, for contrast (and her acceptance of the terms) ====
echo "-- a legitimate submission"
snap legit
gb "$R" -- submit --image "$IMG" --class default --dataset onco --name gbgt-j-sub \
	--accept-terms "$TSHA" --purpose "gateway suite $RUN"
t_eq "researcher: submit under the swarm's policy with her own dataset works (exit 0)" 0 "$RC"
[ "$RC" = 0 ] || echo "        $ERR" | head -n 5
t_eq "  the job mounts her dataset and her results only" "$DATA/onco $work/results/$R " "$(mounts_of gbgt-j-sub 2>&1)"
undo legit keep-configs   # the job and its network go; her acceptance record stays until the end

# ==== 4. A policy of her own: --policy and GLOVEBOX_POLICY ====
echo "-- a policy of her own"
allowed_mounts() {   # SNAP: new services mounting anything but her dataset and results
	local id
	for id in $(made "$1" | awk '$1 == "service" { print $2 }'); do
		for m in $(mounts_of "$id"); do
			case $m in "$DATA/onco" | "$work/results/$R") ;; *) echo "$id mounts $m" ;; esac
		done
	done
}
untrusted_submit() {   # NAME VAR=VALUE|- ARGS...: a submission under a policy she controls
	local name=$1 var=$2
	shift 2
	local -a envs=()
	[ "$var" != - ] && envs=("$var")
	snap sub
	gb "$R" "${envs[@]}" -- "$@" submit --image "$IMG" --class default --accept-terms "$OSHA" --purpose attack \
		"${SUBMIT_ARGS[@]}"
	t_eq "researcher: $name: refused (exit 5)" 5 "$RC"
	if [ "$(lines "$ERR")" = 1 ] && [ -z "$OUT" ] && has "$ERR" "$OWN/policy.json"; then
		t_ok "  one line says why, naming the file"
	else
		t_fail "  one line says why, naming the file" "stdout: $OUT / stderr: $ERR"
	fi
	local bad
	bad=$(allowed_mounts sub)
	t_eq "  no job mounts the forbidden dataset or a host path" "" "$bad"
	nothing_made "  nothing created in the swarm (no service, network or consent config)" sub
}
SUBMIT_ARGS=(--dataset geno)
untrusted_submit "--policy FILE granting her another group's dataset" - --policy "$OWN/policy.json"
untrusted_submit "GLOVEBOX_POLICY=FILE granting her another group's dataset" "GLOVEBOX_POLICY=$OWN/policy.json"
SUBMIT_ARGS=(--dataset hostetc)
untrusted_submit "--policy FILE making /etc a dataset" - --policy "$OWN/policy.json"

gb "$R" -- policy check "$OWN/policy.json"
t_eq "researcher: policy check still validates her file (exit 0)" 0 "$RC"
gb "$R" -- --policy "$OWN/policy.json" ls --json --no-usage
t_eq "researcher: ls under --policy FILE goes on (exit 0)" 0 "$RC"
t_eq "  under the trusted policy: her job only" "$JOWN" "$(job_names "$OUT")"
if [ "$(lines "$ERR")" = 1 ] && has "$ERR" "$OWN/policy.json"; then t_ok "  one line says the file governs nothing"
else t_fail "  one line says the file governs nothing" "$ERR"; fi
gb "$R" "GLOVEBOX_POLICY=$OWN/plain.json" -- ps "$JOWN"
t_eq "researcher: ps under GLOVEBOX_POLICY=FILE goes on (exit 0)" 0 "$RC"
if [ "$(lines "$ERR")" = 1 ] && has "$ERR" "$OWN/plain.json"; then t_ok "  one line says the file governs nothing"
else t_fail "  one line says the file governs nothing" "$ERR"; fi
gb "$R" -- --policy "$OWN/policy.json" terms --sha256
t_eq "researcher: terms under --policy FILE are the trusted policy's" "$TSHA" "$OUT"
gb "$R" -- --policy "$OWN/policy.json" logs "$JOWN"
t_eq "researcher: logs under --policy FILE (which says \"full\") go on (exit 0)" 0 "$RC"
t_eq "  as the trusted policy says: the last 100 lines" "100 line 150" "$(lines "$OUT") $(tail -n 1 <<<"$OUT")"
out=$("$GB" --policy "$OWN/policy.json" terms --sha256 2>&1 </dev/null)
t_eq "root keeps --policy for testing (terms of her file)" "$OSHA" "$out"
snap rm
gb "$R" -- --policy "$OWN/policy.json" rm "$JOTHER" --yes --reason "my policy says I am an admin"
t_eq "researcher: her policy naming her group as admins does not let her remove Remy's job (exit 1)" 1 "$RC"
t_check "  Remy's job is still there" docker service inspect "$JOTHER"
nothing_made "  nothing created in the swarm" rm

# ==== 5. A symlink swapped under glovebox ====
echo "-- a symlink race on the policy path"
RACE=$RHOME/race
mkdir -p "$RACE"
cp "$OWN/terms.md" "$RACE/"   # both policies name terms.md: here, her text
ln -s "$TPOL" "$RACE/policy.json"
chown -R -h "$R:$R" "$RACE"
snap race
# The flipper: as Rita, swap the link between the two files as fast as it can, bounded in
# count and time, until glovebox is done.
TMO=150 run_as "$R" -- "$PYTHON" -c '
import os, sys, time
race, trusted, own = sys.argv[1:4]
link, tmp, stop = race + "/policy.json", race + "/tmp", race + "/stop"
end, n = time.monotonic() + 120, 0
while n < 5000000 and not (n % 1000 == 0 and (os.path.exists(stop) or time.monotonic() > end)):
    for target in (trusted, own):
        os.symlink(target, tmp)
        os.rename(tmp, link)
    n += 1
open(race + "/flips", "w").write("%d\n" % n)
' "$RACE" "$TPOL" "$OWN/policy.json" &
bg_pids+=($!)
flipper=$!
codes=()
for ((i = 0; i < 30; i++)); do
	gb "$R" -- --policy "$RACE/policy.json" submit --image "$IMG" --class default --dataset geno \
		--dataset hostetc --accept-terms "$OSHA" --purpose race
	codes+=("$RC")
done
touch "$RACE/stop"
wait "$flipper"
echo "  (exit codes of the 30 runs: $(printf '%s\n' "${codes[@]}" | sort | uniq -c | awk '{printf "%s x%s ", $2, $1}')flips: $(cat "$RACE/flips" 2>/dev/null))"
t_check "the link flipped while glovebox ran" test "$(cat "$RACE/flips" 2>/dev/null || echo 0)" -gt 0
t_eq "researcher: no run with the swapped link succeeds (no exit 0 in 30)" 0 \
	"$(printf '%s\n' "${codes[@]}" | grep -cx 0)"
t_eq "  no job mounts the forbidden dataset or a host path (docker service inspect)" "" "$(allowed_mounts race)"
nothing_made "  nothing created in the swarm" race
# Not in the contract: the trusted file read through a link of hers takes its terms.file from
# beside the link, so the terms she accepts (and the job's terms label) would be her own text.
ln -sfn "$TPOL" "$RACE/policy.json"
gb "$R" -- --policy "$RACE/policy.json" terms --sha256
t_eq "researcher: the trusted policy through a link in her directory has its own terms, not hers beside the link (not in the contract)" \
	"$TSHA" "$OUT"

# ==== 6. Scaling past 1 ====
echo "-- scaling"
snap scale
gb "$R" -- scale "$JOWN" 5
t_eq "researcher: scale her own job to 5 is refused (exit 5)" 5 "$RC"
t_eq "  its replicas are unchanged" 1 "$(replicas "$JOWN")"
nothing_made "  nothing created in the swarm" scale

# ==== 7. Another user's job does not exist for her ====
echo "-- another user's job"
ids=$(docker service ls -q | xargs -r docker service inspect --format '{{.ID}}')
unique_prefix() {   # the shortest start of $1, from 5 characters, no other service ID has
	local n
	for ((n = 5; n < ${#1}; n++)); do
		[ "$(grep -c "^${1:0:n}" <<<"$ids")" = 1 ] && { echo "${1:0:n}"; return; }
	done
	echo "$1"
}
no_such() {   # an ID-like string of length $1 that starts no service's ID
	local s
	while :; do
		s=$(tr -dc 'a-z0-9' </dev/urandom | head -c "$1")
		grep -q "^$s" <<<"$ids" || { echo "$s"; return; }
	done
}
OTHER_PRE=$(unique_prefix "$OTHER_ID")
FAKE_ID=$(no_such ${#OTHER_ID})
FAKE_PRE=$(no_such ${#OTHER_PRE})
# same_as_missing WHAT REAL FAKE ARGS...: @JOB@ in ARGS is the job; the answers must match.
same_as_missing() {
	local what=$1 real=$2 fake=$3 a b
	shift 3
	gb "$R" -- "${@//@JOB@/$real}"
	a=$(printf 'exit %s\nstdout:\n%s\nstderr:\n%s' "$RC" "$OUT" "$ERR")
	gb "$R" -- "${@//@JOB@/$fake}"
	b=$(printf 'exit %s\nstdout:\n%s\nstderr:\n%s' "$RC" "$OUT" "$ERR")
	t_eq "researcher: ${*//@JOB@/JOB} on Remy's job by $what: the same answer as for no job" "${b//$fake/$real}" "$a"
}
snap other
for cmd in "rm @JOB@ --yes" "ps @JOB@" "logs @JOB@" "scale @JOB@ 0"; do
	read -ra argv <<<"$cmd"
	same_as_missing name "$JOTHER" "$JNONE" "${argv[@]}"
	same_as_missing ID "$OTHER_ID" "$FAKE_ID" "${argv[@]}"
	same_as_missing "unique ID prefix" "$OTHER_PRE" "$FAKE_PRE" "${argv[@]}"
done
t_eq "  Remy's job is untouched (same ID, 1 replica)" "$OTHER_ID 1" \
	"$(docker service inspect "$JOTHER" --format '{{.ID}} {{.Spec.Mode.Replicated.Replicas}}' 2>&1)"
nothing_made "  nothing created in the swarm" other
gb "$R" -- ls --json --no-usage --attention
if [ "$RC" = 0 ] && hasnt "$OUT" "$JOTHER" && hasnt "$OUT" "$OTHER_ID"; then t_ok "researcher: ls --json never lists Remy's job"
else t_fail "researcher: ls --json never lists Remy's job" "exit $RC: $OUT"; fi
snap name
gb "$R" -- submit --image "$IMG" --class default --name "$JOTHER"
rc_other=$RC a="$OUT$ERR"
gb "$R" -- submit --image "$IMG" --class default --name "$JOWN"
t_eq "researcher: submit --name of Remy's job: the same refusal as for her own job's name" \
	"exit $RC ${OUT//$JOWN/$JOTHER}${ERR//$JOWN/$JOTHER}" "exit $rc_other $a"
t_check "  refused" test "$rc_other" -ne 0
if hasnt "$a" "$R2"; then t_ok "  the refusal does not name Remy"; else t_fail "  the refusal does not name Remy" "$a"; fi
nothing_made "  nothing created in the swarm" name

# ==== 8. The audit log ====
echo "-- audit records"
gb "$R" -- scale "$JOWN" 0; r1=$RC
gb "$R" -- scale "$JOWN" 1; r2=$RC
gb "$R2" -- scale "$JOTHER" 0; r3=$RC
gb "$R2" -- scale "$JOTHER" 1; r4=$RC
gb "$A" -- scale "$JOTHER" 0 --reason "gateway suite: checking"; r5=$RC
gb "$A" -- scale "$JOTHER" 1 --reason "gateway suite: checking"; r6=$RC
t_eq "records made: Rita, Remy and the admin scale jobs (all exit 0)" "0 0 0 0 0 0" "$r1 $r2 $r3 $r4 $r5 $r6"
t_check "  root sees records about Remy's job" \
	sh -c "'$GLOVEBOX' audit --json </dev/null | jq -e '[.[] | select(.target == \"$JOTHER\")] | length >= 4'"
gb "$R" -- audit --json
t_eq "researcher: audit --json (exit 0)" 0 "$RC"
t_eq "  shows only records she made or about her own jobs" "" \
	"$(not_about "$R" "$OUT")"
t_check "  including hers about her own job" jq -e --arg t "$JOWN" '[.[] | select(.target == $t)] | length >= 2' <<<"$OUT"
gb "$R" -- audit
if [ "$RC" = 0 ] && hasnt "$OUT" "$JOTHER"; then t_ok "researcher: the audit table never names Remy's job"
else t_fail "researcher: the audit table never names Remy's job" "exit $RC: $OUT"; fi
gb "$R" -- --policy "$OWN/policy.json" audit --json
t_eq "researcher: with her policy naming her group as admins: still only her records" "" \
	"$(not_about "$R" "$OUT")"

# ==== 9. The environment of a set-group-ID program ====
echo "-- the environment"
cat > "$work/mark.c" <<'EOF'
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
__attribute__((constructor)) static void mark(void)
{
	const char *p = getenv("GBGT_MARK");
	int fd = p ? open(p, O_WRONLY | O_CREAT | O_APPEND, 0644) : -1;
	if (fd >= 0) {
		(void)!write(fd, "loaded\n", 7);
		close(fd);
	}
}
EOF
cc -shared -fPIC -o "$RHOME/mark.so" "$work/mark.c" && chown "$R:$R" "$RHOME/mark.so"
TMO=10 run_as "$R" LD_PRELOAD="$RHOME/mark.so" GBGT_MARK="$RHOME/marker" -- /bin/true
t_check "LD_PRELOAD: the library works in an ordinary program (control)" test -s "$RHOME/marker"
rm -f "$RHOME/marker"
gb "$R" LD_PRELOAD="$RHOME/mark.so" GBGT_MARK="$RHOME/marker" -- version
t_check "researcher: LD_PRELOAD is ignored by the setgid glovebox (no marker)" test ! -e "$RHOME/marker"

# Directories she made: a policy, docker credentials, state and config where glovebox might look.
EVIL=$RHOME/evil
mkdir -p "$EVIL/.config/glovebox" "$EVIL/glovebox" "$EVIL/.docker" "$EVIL/state" "$EVIL/docker"
for d in "$EVIL/.config/glovebox" "$EVIL/glovebox"; do cp "$OWN/policy.json" "$OWN/terms.md" "$d/"; done
printf '{"auths": {"127.0.0.1:5000": {"auth": "%s"}}}\n' "$(printf 'gbgt:gbgt' | base64)" > "$EVIL/.docker/config.json"
cp "$EVIL/.docker/config.json" "$EVIL/docker/config.json"
chown -R "$R:$R" "$EVIL"
find "$EVIL" | sort > "$work/evil.before"
EVILENV=(HOME="$EVIL" XDG_STATE_HOME="$EVIL/state" XDG_CONFIG_HOME="$EVIL/.config" DOCKER_CONFIG="$EVIL/docker")
snap env
gb "$R" "${EVILENV[@]}" -- submit --image "$IMG" --class default --dataset geno --accept-terms "$OSHA" --purpose env
t_eq "researcher: HOME, XDG_*, DOCKER_CONFIG in her directories: the forbidden dataset is refused (exit 2)" 2 "$RC"
gb "$R" "${EVILENV[@]}" -- ls --json --no-usage
t_eq "  ls there still shows her job only" "$JOWN" "$(job_names "$OUT")"
nothing_made "  nothing created in the swarm" env
bad=$(comm -13 "$work/evil.before" <(find "$EVIL" | sort) | while read -r f; do
	[ "$(stat -c %u "$f")" = "$(id -u "$R")" ] && [ $((0$(stat -c %a "$f") & 070)) = 0 ] ||
		stat -c '%n %U:%G %a' "$f"
done)
t_eq "  every file glovebox made there is hers and not group-accessible" "" "$bad"

# Files only the socket's group may read.
out=$(TMO=10 run_as "$R" -- cat "$SECRET/canary.json" 2>&1)
if hasnt "$out" "$CANARY" && grep -qi "permission denied" <<<"$out"; then
	t_ok "the canary file is unreadable for her without glovebox (control)"
else t_fail "the canary file is unreadable for her without glovebox (control)" "$out"; fi
no_canary() {   # NAME [VAR=VALUE...] -- ARGS...: neither the canary nor its hash; permission denied
	local name="researcher: $1: never read (no canary, \"permission denied\")"
	shift
	gb "$R" "$@"
	if hasnt "$OUT$ERR" "$CANARY" && hasnt "$OUT$ERR" "$CSHA" && grep -qi "permission denied" <<<"$OUT$ERR"; then
		t_ok "$name"
	else
		t_fail "$name" "exit $RC: $OUT$ERR"
	fi
}
no_canary "--policy FILE only the group reads" -- --policy "$SECRET/canary.json" ls --no-usage
no_canary "GLOVEBOX_POLICY=FILE only the group reads" "GLOVEBOX_POLICY=$SECRET/canary.json" -- ls --no-usage
no_canary "policy check of it" -- policy check "$SECRET/canary.json"
no_canary "policy check of her policy whose terms.file it is" -- policy check "$OWN/terms-canary.json"
no_canary "DOCKER_CONFIG naming its directory (login --status)" "DOCKER_CONFIG=$SECRET" -- login --status
no_canary "HOME naming its directory (login --status)" "HOME=$SECRET" -- login --status
gb "$R" -- --policy "$OWN/terms-canary.json" terms
if hasnt "$OUT$ERR" "$CANARY"; then t_ok "researcher: terms of her policy whose terms.file it is: the canary is not shown"
else t_fail "researcher: terms of her policy whose terms.file it is: the canary is not shown" "$OUT$ERR"; fi
if grep -rqsF "$CANARY" "$RHOME/.local/state" "$EVIL"; then
	t_fail "  nor written to her log files" "$(grep -rlsF "$CANARY" "$RHOME/.local/state" "$EVIL")"
else t_ok "  nor written to her log files"; fi

# An engine of her own: glovebox must not bring the socket's group to it.
cat > "$work/fake-engine.py" <<'EOF'
# A stand-in for an engine on a unix socket of the researcher's: it records who connects
# (SO_PEERCRED and the Gid line of /proc/PID/status) and answers /_ping; nothing else.
import os, socket, struct, sys, time
path, log, uid, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
deadline = time.monotonic() + limit
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
os.chown(path, uid, -1)
os.chmod(path, 0o600)
srv.listen(4)
PING = b"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nOK"
BODY = b'{"message":"the gateway suite\'s fake engine"}'
NOPE = b"HTTP/1.1 404 Not Found\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY)
with open(log, "a") as out:
    while time.monotonic() < deadline:
        srv.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            conn, _ = srv.accept()
        except OSError:
            break
        with conn:
            pid, puid, pgid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
            gids = "?"
            try:
                with open("/proc/%d/status" % pid) as st:
                    gids = next((" ".join(l.split()[1:]) for l in st if l.startswith("Gid:")), "?")
            except OSError:
                pass
            out.write("%d %d %s\n" % (puid, pgid, gids))
            out.flush()
            conn.settimeout(5)
            buf = b""
            try:
                for _ in range(32):
                    while b"\r\n\r\n" not in buf:
                        data = conn.recv(65536)
                        if not data:
                            raise EOFError
                        buf += data
                    head, buf = buf.split(b"\r\n\r\n", 1)
                    length = 0
                    for h in head.split(b"\r\n")[1:]:
                        k, _, v = h.partition(b":")
                        if k.strip().lower() == b"content-length":
                            length = int(v.strip())
                    while len(buf) < length:
                        data = conn.recv(65536)
                        if not data:
                            raise EOFError
                        buf += data
                    buf = buf[length:]
                    target = (head.split(b" ") + [b"", b""])[1]
                    conn.sendall(PING if target.split(b"?")[0].endswith(b"/_ping") else NOPE)
            except (EOFError, OSError, ValueError):
                pass
EOF
FAKE=$RHOME/engine.sock
rm -f "$FAKE" "$work/peers"
timeout 90 "$PYTHON" "$work/fake-engine.py" "$FAKE" "$work/peers" "$(id -u "$R")" 60 &
fake_pid=$!
bg_pids+=("$fake_pid")
wait_for 10 test -S "$FAKE" || t_fail "the fake engine listens on $FAKE"
gb "$R" DOCKER_HOST="unix://$FAKE" -- version
gb "$R" -- --host "unix://$FAKE" version
kill "$fake_pid" 2>/dev/null
wait "$fake_pid" 2>/dev/null
t_check "glovebox connected to her fake engine (DOCKER_HOST, then --host)" test "$(wc -l < "$work/peers")" -ge 2
t_eq "researcher: DOCKER_HOST naming her own socket: glovebox's effective gid there is hers ($R_GID), not $GS's ($GS_GID)" \
	"$R_GID" "$(sed -n 1p "$work/peers" | cut -d' ' -f2)"
t_eq "researcher: --host naming her own socket: the same" "$R_GID" "$(tail -n 1 "$work/peers" | cut -d' ' -f2)"
t_eq "  the group is dropped entirely (real, effective, saved and file-system gid)" \
	"$R_GID $R_GID $R_GID $R_GID" "$(tail -n 1 "$work/peers" | cut -d' ' -f3-)"

# ==== 10. What admins may ====
echo "-- admins"
snap admin
jq '.classes.default.description = "a tenth of a CPU (republished)"' "$TPOL" > "$tpdir/policy2.json"
chmod 0644 "$tpdir/policy2.json"
gb "$A" -- policy publish "$tpdir/policy2.json"
t_eq "admin: publish a policy works (exit 0)" 0 "$RC"
new_policy() { comm -13 "$work/snap.admin" <(docker config ls -q --filter label=glovebox.policy | sed 's/^/config /' | sort) | grep -q .; }
t_check "  a new config labelled glovebox.policy" new_policy
audit_by() {   # ACTION: the records of that action by the admin since the last snapshot
	local id
	for id in $(made admin | awk '$1 == "config" { print $2 }'); do
		docker config inspect "$id" --format '{{index .Spec.Labels "glovebox.audit"}} {{json .Spec.Data}}' |
			awk '$1 == "1" { print $2 }' | jq -r . | base64 -d | jq -c --arg a "$1" --arg u "$A" \
			'select(.action == $a and .who == $u)' 2>/dev/null
	done
}
t_check "  with an audit record (action publish-policy, who $A)" test -n "$(audit_by publish-policy)"
gb "$A" -- scale "$JOTHER" 2 --reason "gateway suite: more replicas"
t_eq "admin: scale Remy's job to 2 with a reason works (exit 0)" "0 2" "$RC $(replicas "$JOTHER")"
t_eq "  with an audit record saying what changed" "replicas 1 -> 2" "$(audit_by scale | jq -r .detail | tail -n 1)"
docker service scale -d "$JOTHER=1" >/dev/null 2>&1

t_end
