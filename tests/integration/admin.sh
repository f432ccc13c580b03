#!/usr/bin/env bash
# Roles, triage and admin actions against the sandbox engine, run as real Unix accounts:
# researchers see and act only on their own jobs, admins on all with a reason on record,
# the audit log lists it all, the attention order puts OOM loops and expired jobs first,
# node figures match the engine's, and reap removes exactly the expired jobs.
# Covers the command line; the console's views are tested with the console.
T_SUITE=integration/admin
. "$(dirname "$0")/../lib.sh"

[ -n "${GB_NO_ENGINE:-}" ] && t_skip_suite "$GB_NO_ENGINE"
[ -n "${DOCKER_HOST:-}" ] || t_skip_suite "no sandbox engine (DOCKER_HOST unset)"
[ "$(id -u)" -eq 0 ] || t_skip_suite "not root: the test creates Unix accounts"
case $DOCKER_HOST in unix://*) ;; *) t_skip_suite "DOCKER_HOST is not a unix socket" ;; esac
for tool in jq useradd groupadd userdel groupdel runuser setfacl; do
	command -v "$tool" >/dev/null || t_skip_suite "$tool is not installed (make deps)"
done

P=gbt-adm
SOCK=${DOCKER_HOST#unix://}
ALICE=gbt-alice BOB=gbt-bob ADMIN=gbt-admin
GR=gbt-researchers GA=gbt-admins
RUN=$(date +%s%N)
REASON="integration test $RUN: job stuck, owner asked by mail"
work=$(mktemp -d)
chmod 755 "$work"
made_groups=() made_users=() node_paused=

cleanup() {
	[ -n "$node_paused" ] && docker node update --availability active "$node_paused" >/dev/null 2>&1
	docker service ls -q --filter "label=gbtest=$P" | xargs -r docker service rm >/dev/null 2>&1
	# Networks go once the tasks are gone.
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		[ -z "$(docker network ls -q --filter "label=gbtest=$P")" ] && break
		docker network ls -q --filter "label=gbtest=$P" | xargs -r docker network rm >/dev/null 2>&1
		sleep 1
	done
	# This run's audit records are test data, not history worth keeping in a shared sandbox.
	{
		docker config ls --filter label=glovebox.audit=1 --format '{{.ID}} {{.Name}}' 2>/dev/null |
			awk -v p="-$P-" 'index($2, p) { print $1 }'
		for u in "$ALICE" "$BOB" "$ADMIN"; do
			docker config ls -q --filter label=glovebox.audit=1 --filter "label=glovebox.actor=$u" 2>/dev/null
		done
	} | sort -u | xargs -r docker config rm >/dev/null 2>&1
	setfacl -x "u:$ALICE" "$SOCK" 2>/dev/null
	setfacl -x "u:$BOB" "$SOCK" 2>/dev/null
	setfacl -x "u:$ADMIN" "$SOCK" 2>/dev/null
	for u in "${made_users[@]}"; do userdel "$u" >/dev/null 2>&1; done
	for g in "${made_groups[@]}"; do groupdel "$g" >/dev/null 2>&1; done
	rm -rf "$work"
}
trap cleanup EXIT
cleanup
work=$(mktemp -d)
chmod 755 "$work"

# ---- accounts, socket access, policy ----
for g in "$GR" "$GA"; do
	if ! getent group "$g" >/dev/null; then groupadd "$g" && made_groups+=("$g"); fi
done
mkuser() {   # user primary-group [more groups]
	if ! id "$1" >/dev/null 2>&1; then
		useradd -M -N -d /nonexistent -s /usr/sbin/nologin -g "$2" ${3:+-G "$3"} "$1" && made_users+=("$1")
	fi
}
mkuser "$ALICE" "$GR"
mkuser "$BOB" "$GR"
mkuser "$ADMIN" "$GR" "$GA"
for u in "$ALICE" "$BOB" "$ADMIN"; do setfacl -m "u:$u:rw" "$SOCK"; done

cp "$GB_ROOT/docs/examples/terms.md" "$work/"
jq --arg g "$GA" '.admin_group = $g' "$GB_ROOT/docs/examples/policy.json" > "$work/policy.json"
chmod 644 "$work/policy.json" "$work/terms.md"
POL=$work/policy.json

# as USER glovebox ARGS...: glovebox as that account, with the test's policy.
as() {
	local u=$1
	shift
	runuser -u "$u" -- env -u GLOVEBOX_POLICY DOCKER_HOST="$DOCKER_HOST" LC_ALL=C.UTF-8 \
		"$GLOVEBOX" --policy "$POL" "$@" </dev/null
}

t_check "$ALICE reaches the engine through the socket's ACL" as "$ALICE" version

# ---- the jobs ----
iso() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
mk() {   # name owner|- expires|- [docker service create args...]
	local name=$1 owner=$2 exp=$3
	shift 3
	local -a args=(--name "$name" --label "gbtest=$P" --detach --quiet)
	[ "$owner" != - ] && args+=(--label "glovebox.owner=$owner")
	[ "$exp" != - ] && args+=(--label "glovebox.expires-at=$exp")
	docker service create "${args[@]}" "$@" >/dev/null 2>&1 || t_fail "create $name"
}
mknet() {   # job owner: the job's internal network, as glovebox submit labels it
	docker network create -d overlay --internal --label "gbtest=$P" --label "glovebox.job=$1" \
		--label "glovebox.owner=$2" "$1-net" >/dev/null || t_fail "create network $1-net"
}
SLEEP=(glovebox/busybox sleep 100000)
FUTURE=$(iso '+3 hours')
mk $P-alice-run $ALICE "$FUTURE" "${SLEEP[@]}"
mk $P-alice-oom $ALICE "$FUTURE" --limit-memory 32M --restart-condition on-failure --restart-delay 1s glovebox/load --grow
mk $P-alice-exp $ALICE "$(iso '-1 hour')" "${SLEEP[@]}"
mk $P-alice-res $ALICE "$FUTURE" --reserve-cpu 0.25 --reserve-memory 64M "${SLEEP[@]}"
mk $P-alice-big $ALICE "$FUTURE" --reserve-memory 100G "${SLEEP[@]}"
mknet $P-alice-rm $ALICE
mk $P-alice-rm $ALICE "$FUTURE" --network $P-alice-rm-net "${SLEEP[@]}"
mknet $P-bob-run $BOB
mk $P-bob-run $BOB "$FUTURE" --network $P-bob-run-net "${SLEEP[@]}"
mknet $P-bob-exp $BOB
mk $P-bob-exp $BOB "$(iso '-2 hours')" --network $P-bob-exp-net "${SLEEP[@]}"
mk $P-ext - - "${SLEEP[@]}"
mk $P-ext-exp - "$(iso '-3 hours')" "${SLEEP[@]}"

running() { [ "$(docker service ls --filter "name=$1" --format '{{.Replicas}}' | head -n 1)" = "1/1" ]; }
settled() {
	local s
	for s in alice-run alice-exp alice-res alice-rm bob-run bob-exp ext ext-exp; do running "$P-$s" || return 1; done
}
wait_for 90 settled || t_fail "the test jobs run" "$(docker service ls --filter "label=gbtest=$P")"

jobs_of() {   # user: the test's job names that user's ls --json shows, sorted
	as "$1" ls --json --no-usage | jq -r --arg p "$P-" '[.[] | select(.name | startswith($p)) | .name] | sort | join(" ")'
}
exists() { docker service inspect "$1" >/dev/null 2>&1; }
gone() { ! exists "$1"; }
net_gone() { [ -z "$(docker network ls -q --filter "name=$1" | head -n 1)" ] || ! docker network inspect "$1" >/dev/null 2>&1; }

# ---- roles: who sees what ----
t_eq "$ALICE (researcher) sees only her own jobs" \
	"$P-alice-big $P-alice-exp $P-alice-oom $P-alice-res $P-alice-rm $P-alice-run" "$(jobs_of "$ALICE")"
t_eq "$BOB (researcher) sees only his own jobs" "$P-bob-exp $P-bob-run" "$(jobs_of "$BOB")"
t_eq "$ADMIN (in $GA) sees every job, glovebox's or not" \
	"$P-alice-big $P-alice-exp $P-alice-oom $P-alice-res $P-alice-rm $P-alice-run $P-bob-exp $P-bob-run $P-ext $P-ext-exp" \
	"$(jobs_of "$ADMIN")"
json=$(as "$ADMIN" ls --json --no-usage)
t_eq "a service not made by glovebox: managed false, owner null" "false null" \
	"$(jq -r --arg n "$P-ext" '.[] | select(.name == $n) | "\(.managed) \(.owner)"' <<<"$json")"
t_eq "a glovebox job: managed true" true "$(jq -r --arg n "$P-alice-run" '.[] | select(.name == $n) | .managed' <<<"$json")"
t_eq "expires_at in the JSON" "$FUTURE" "$(jq -r --arg n "$P-alice-run" '.[] | select(.name == $n) | .expires_at' <<<"$json")"
table=$(as "$ADMIN" ls --no-usage)
t_check "the admin's table marks it (not glovebox)" grep -q "$P-ext .*(not glovebox)" <<<"$table"
table=$(as "$ALICE" ls --no-usage)
if grep -q "$P-bob\|$P-ext" <<<"$table"; then t_fail "$ALICE's table shows no other job" "$table"; else t_ok "$ALICE's table shows no other job"; fi
t_check "the table marks expired jobs" grep -q "$P-alice-exp .*expired 1h ago" <<<"$table"
t_check "and counts down to the expiry of the others" grep -Eq "$P-alice-run .* in [23]h " <<<"$table"

out=$(as "$ALICE" ps $P-bob-run 2>&1); rc=$?
t_eq "$ALICE: ps on $BOB's job fails" 1 "$rc"
t_check "  as if it did not exist" grep -q "no job named \"$P-bob-run\" among your jobs" <<<"$out"
t_eq "$ADMIN: ps on $BOB's job" 0 "$(as "$ADMIN" ps $P-bob-run >/dev/null 2>&1; echo $?)"

# A policy the account could have written does not make it an admin.
mkdir -p "$work/own" && cp "$work/terms.md" "$work/own/"
jq --arg g "$GR" '.admin_group = $g' "$POL" > "$work/own/policy.json"
chown -R "$ALICE" "$work/own"
out=$(runuser -u "$ALICE" -- env DOCKER_HOST="$DOCKER_HOST" "$GLOVEBOX" --policy "$work/own/policy.json" \
	node pause "$(docker info --format '{{.Swarm.NodeID}}')" 2>&1 </dev/null); rc=$?
t_eq "$ALICE with a policy of her own naming her group as admins: still no admin (exit 5)" 5 "$rc"
t_check "  and told the file governs nothing" grep -q "is not trusted .*governs nothing" <<<"$out"
# Without a policy, nobody but root is an admin; a researcher keeps her own jobs.
out=$(runuser -u "$ADMIN" -- env DOCKER_HOST="$DOCKER_HOST" GLOVEBOX_POLICY=/nonexistent/policy.json \
	"$GLOVEBOX" ls --json --no-usage 2>/dev/null </dev/null)
t_eq "$ADMIN without a readable policy sees only his own jobs (none)" "" \
	"$(jq -r --arg p "$P-" '[.[] | select(.name | startswith($p)) | .name] | join(" ")' <<<"$out")"

# ---- removal ----
out=$(as "$ALICE" rm $P-bob-run --yes 2>&1); rc=$?
t_eq "$ALICE cannot remove $BOB's job (exit 1)" 1 "$rc"
t_check "  it is still there" exists $P-bob-run
out=$(as "$ALICE" rm $P-alice-rm 2>&1); rc=$?
t_eq "rm without --yes off a terminal: exit 2" 2 "$rc"
t_check "  says to add --yes" grep -q -- "--yes" <<<"$out"
t_check "  nothing removed" exists $P-alice-rm
out=$(as "$ALICE" rm $P-alice-rm --yes 2>&1); rc=$?
t_eq "$ALICE removes her own job" 0 "$rc"
t_check "  with an audit record named" grep -q "removed job $P-alice-rm (audit record glovebox-audit-" <<<"$out"
t_check "  the service is gone" gone $P-alice-rm
t_check "  and its network too" wait_for 30 net_gone $P-alice-rm-net

out=$(as "$ADMIN" rm $P-bob-run --yes 2>&1); rc=$?
t_eq "$ADMIN removing $BOB's job without a reason: exit 2" 2 "$rc"
t_check "  asks for --reason" grep -q -- "--reason" <<<"$out"
t_check "  nothing removed" exists $P-bob-run
out=$(as "$ADMIN" rm $P-bob-run --yes --reason $'two\nlines' 2>&1); rc=$?
t_eq "a reason of two lines is refused (exit 2)" 2 "$rc"
bob_id=$(docker service inspect $P-bob-run --format '{{.ID}}')
out=$(as "$ADMIN" rm $P-bob-run --yes --reason "$REASON" 2>&1); rc=$?
t_eq "$ADMIN removes $BOB's job with a reason" 0 "$rc"
t_check "  the service is gone" gone $P-bob-run
t_check "  and its network too" wait_for 30 net_gone $P-bob-run-net

# ---- the audit log ----
audit=$(as "$ADMIN" audit --json)
rec() { jq -c --arg t "$1" --arg a "$2" '[.[] | select(.target == $t and .action == $a)][0]' <<<"$audit"; }
r=$(rec $P-bob-run rm)
t_eq "audit: the admin's removal, with who, owner and reason" "$ADMIN rm $BOB $REASON" \
	"$(jq -r '"\(.who) \(.action) \(.owner) \(.reason)"' <<<"$r")"
t_eq "audit: the target's service ID" "$bob_id" "$(jq -r .target_id <<<"$r")"
t_check "audit: a UTC time" grep -Eq '^"20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"$' <<<"$(jq .time <<<"$r")"
r=$(rec $P-alice-rm rm)
t_eq "audit: $ALICE's own removal, without a reason" "$ALICE $ALICE null" "$(jq -r '"\(.who) \(.owner) \(.reason)"' <<<"$r")"
cfg=$(jq -r '[.[] | select(.target == "'$P-bob-run'")][0].config' <<<"$audit")
t_eq "the record is a swarm config labelled for listing" "1 $ADMIN rm" \
	"$(docker config inspect "$cfg" --format '{{index .Spec.Labels "glovebox.audit"}} {{index .Spec.Labels "glovebox.actor"}} {{index .Spec.Labels "glovebox.action"}}')"
t_eq "  holding the record as JSON" "$REASON" \
	"$(docker config inspect "$cfg" --format '{{json .Spec.Data}}' | jq -r . | base64 -d | jq -r .reason)"
t_check "audit table shows the reason" sh -c "runuser -u $ADMIN -- env DOCKER_HOST=$DOCKER_HOST '$GLOVEBOX' --policy '$POL' audit </dev/null | grep -q 'rm .*$P-bob-run.*$REASON'"
bob_audit=$(as "$BOB" audit --json)
t_eq "$BOB reads the record about his job" 1 "$(jq --arg t $P-bob-run '[.[] | select(.target == $t)] | length' <<<"$bob_audit")"
t_eq "  but not $ALICE's" 0 "$(jq --arg t $P-alice-rm '[.[] | select(.target == $t)] | length' <<<"$bob_audit")"
t_eq "$ALICE reads her own record" 1 "$(as "$ALICE" audit --json | jq --arg t $P-alice-rm '[.[] | select(.target == $t)] | length')"

# ---- scale ----
replicas() { docker service inspect "$1" --format '{{.Spec.Mode.Replicated.Replicas}}'; }
out=$(as "$ALICE" scale $P-alice-run 0 2>&1); rc=$?
t_eq "$ALICE pauses her job (scale 0)" "0 0" "$rc $(replicas $P-alice-run)"
t_check "  and is told what changed" grep -q "replicas 1 -> 0" <<<"$out"
out=$(as "$ALICE" scale $P-alice-run 1 2>&1); rc=$?
t_eq "  and resumes it (scale 1)" "0 1" "$rc $(replicas $P-alice-run)"
t_eq "  the job's labels survive the update" "$ALICE" \
	"$(docker service inspect $P-alice-run --format '{{index .Spec.Labels "glovebox.owner"}}')"
out=$(as "$BOB" scale $P-alice-run 0 2>&1); rc=$?
t_eq "$BOB cannot scale $ALICE's job" "1 1" "$rc $(replicas $P-alice-run)"
out=$(as "$ADMIN" scale $P-alice-run 0 2>&1); rc=$?
t_eq "$ADMIN scaling $ALICE's job needs a reason" "2 1" "$rc $(replicas $P-alice-run)"
t_eq "scale records carry the change" "replicas 1 -> 0,replicas 0 -> 1" \
	"$(as "$ALICE" audit --json | jq -r --arg t $P-alice-run '[.[] | select(.target == $t and .action == "scale") | .detail] | reverse | join(",")')"

# ---- triage: the attention order ----
oom_seen() {
	local t c
	for t in $(docker service ps -q --no-trunc --filter desired-state=shutdown $P-alice-oom); do
		c=$(docker inspect --format '{{.Status.ContainerStatus.ContainerID}}' "$t")
		[ -n "$c" ] && [ "$(docker inspect --format '{{.State.OOMKilled}}' "$c" 2>/dev/null)" = true ] && return 0
	done
	return 1
}
t_check "the OOM job has been killed for memory" wait_for 90 oom_seen
att=$(as "$ALICE" ls --attention --json --no-usage)
t_eq "$ALICE's attention order: the OOM loop, then the expired job" "$P-alice-oom oom,$P-alice-exp expired" \
	"$(jq -r '[.[0:2][] | "\(.name) \(.attention.kind)"] | join(",")' <<<"$att")"
t_check "  the OOM job says why" jq -e '.[0].attention.why | test("OOM killed [0-9]+ times? \\(limit 32 MiB\\)")' <<<"$att"
t_eq "  the others need nobody (the pending one has not waited 10 minutes)" "null null null" "$(jq -r '[.[2:][] | .attention] | map(tostring) | join(" ")' <<<"$att")"
att=$(as "$ALICE" ls --attention --pending-after 0 --json --no-usage)
big=$(jq -c --arg n $P-alice-big '.[] | select(.name == $n) | .attention' <<<"$att")
HOST=$(docker node inspect self --format '{{.Description.Hostname}}')
t_eq "with --pending-after 0 a pending job needs attention" pending "$(jq -r .kind <<<"$big")"
t_check "  with the scheduler's reason" jq -e '.why | test("^pending [0-9]+[smh]: no suitable node \\(insufficient resources on 1 node\\)")' <<<"$big"
t_check "  and which resource is short where" jq -e --arg h "$HOST" '.why | contains("memory short on " + $h + " (most free: ") and endswith("; needs 100 GiB)")' <<<"$big"
t_eq "  ranked after the OOM loop, before the expired job" "$P-alice-oom $P-alice-big $P-alice-exp" \
	"$(jq -r '[.[0:3][] | .name] | join(" ")' <<<"$att")"
att=$(as "$ADMIN" ls --attention --json --no-usage)
t_eq "$ADMIN's attention order among the test jobs: OOM, then expired, oldest expiry first" \
	"$P-alice-oom $P-ext-exp $P-bob-exp $P-alice-exp" \
	"$(jq -r --arg p "$P-" '[.[] | select(.name | startswith($p)) | select(.attention != null) | .name] | join(" ")' <<<"$att")"
table=$(as "$ALICE" ls --attention --no-usage)
t_check "the attention table starts with the OOM job and its reason" \
	sh -c "sed -n 2p <<'EOF' | grep -q '$P-alice-oom.*OOM killed'
$table
EOF"
ps=$(as "$ALICE" ps $P-alice-oom --json)
t_check "ps shows an OOM-killed task of the job (container state on this node)" \
	jq -e '[.tasks[] | select(.oom == true and .exit_code == 137)] | length >= 1' <<<"$ps"
t_check "ps shows slots and nodes" jq -e '.tasks[0].slot == 1 and (.tasks[0].node | length > 0)' <<<"$ps"
t_check "ps table has its header" sh -c "runuser -u $ALICE -- env DOCKER_HOST=$DOCKER_HOST '$GLOVEBOX' --policy '$POL' ps $P-alice-oom </dev/null | head -n 1 | grep -q '^TASK  *SLOT  *NODE  *DESIRED  *STATE'"

# ---- nodes ----
NODE=$(docker info --format '{{.Swarm.NodeID}}')
HOST=$(docker node inspect "$NODE" --format '{{.Description.Hostname}}')
# What the engine says the node has and what its running-desired tasks reserve.
expected() {
	local cpu mem t sid rc rm
	cpu=$(docker node inspect "$NODE" --format '{{.Description.Resources.NanoCPUs}}')
	mem=$(docker node inspect "$NODE" --format '{{.Description.Resources.MemoryBytes}}')
	rc=0 rm=0
	for t in $(docker node ps "$NODE" -q --no-trunc --filter desired-state=running); do
		sid=$(docker inspect "$t" --format '{{.ServiceID}}')
		read -r c m < <(docker service inspect "$sid" --format '{{.Spec.TaskTemplate.Resources.Reservations.NanoCPUs}} {{.Spec.TaskTemplate.Resources.Reservations.MemoryBytes}}' 2>/dev/null || echo "0 0")
		rc=$((rc + ${c:-0})) rm=$((rm + ${m:-0}))
	done
	echo "$cpu $mem $rc $rm $(docker node ps "$NODE" --filter desired-state=running --format '{{.CurrentState}}' | grep -c '^Running')"
}
shown() {
	as "$ALICE" nodes --json | jq -r --arg id "$NODE" '.[] | select(.id == $id) |
		"\(.cpu_capacity * 1e9 | round) \(.mem_capacity) \(.cpu_reserved * 1e9 | round) \(.mem_reserved) \(.tasks_running)"'
}
# Other suites share the sandbox: compare until two readings agree.
nodes_match() { [ "$(expected)" = "$(shown)" ]; }
if wait_for 30 nodes_match; then t_ok "nodes: capacity, reservations and running tasks match the engine ($(shown))"
else t_fail "nodes: capacity, reservations and running tasks match the engine" "engine $(expected), glovebox $(shown)"; fi
t_check "nodes: the reservation of $P-alice-res is counted" sh -c "test \$(echo '$(shown)' | cut -d' ' -f3) -ge 250000000"
t_eq "nodes: hostname, role, availability, state, class" "$HOST manager active ready default" \
	"$(as "$ALICE" nodes --json | jq -r --arg id "$NODE" '.[] | select(.id == $id) | "\(.hostname) \(.role) \(.availability) \(.state) \(.class)"')"
t_check "nodes table" sh -c "runuser -u $ALICE -- env DOCKER_HOST=$DOCKER_HOST '$GLOVEBOX' --policy '$POL' nodes </dev/null | grep -q '^ID  *HOSTNAME  *ROLE  *AVAILABILITY  *STATE  *CLASS  *CPU  *MEM  *GPU  *TASKS'"

# ---- node actions ----
avail() { docker node inspect "$NODE" --format '{{.Spec.Availability}}'; }
out=$(as "$ALICE" node pause "$HOST" 2>&1); rc=$?
t_eq "$ALICE cannot pause a node (exit 5)" "5 active" "$rc $(avail)"
out=$(as "$ADMIN" node drain "$HOST" 2>&1); rc=$?
t_eq "drain without --yes is refused" "2 active" "$rc $(avail)"
t_check "  and says it stops the running tasks" grep -q "refusing without --yes: draining $HOST stops all" <<<"$out"
# Pause and activate at once: the sandbox is shared, new tasks must not wait long.
node_paused=$NODE
out=$(as "$ADMIN" node pause "$HOST" --reason "$REASON" 2>&1); rc=$?
state=$(avail)
out2=$(as "$ADMIN" node activate "$HOST" --reason "$REASON" 2>&1); rc2=$?
node_paused=
t_eq "$ADMIN pauses the node" "0 pause" "$rc $state"
t_check "  saying running jobs keep running" grep -q "running jobs keep running" <<<"$out"
t_eq "  and activates it again" "0 active" "$rc2 $(avail)"
t_check "  its jobs kept running" running $P-alice-res
t_eq "node actions are on record, newest first" "activate-node:availability pause -> active pause-node:availability active -> pause" \
	"$(as "$ADMIN" audit --json | jq -r --arg r "$REASON" --arg h "$HOST" '[.[] | select(.target == $h and .reason == $r)] | map("\(.action):\(.detail)") | join(" ")')"

# ---- reap ----
out=$(as "$BOB" reap --dry-run 2>&1); rc=$?
t_eq "$BOB (researcher) may not reap" 5 "$rc"
dry=$(as "$ADMIN" reap --dry-run --json --owner "$ALICE" --owner "$BOB")
t_eq "reap --dry-run lists the expired glovebox jobs, oldest expiry first" "$P-bob-exp $P-alice-exp" \
	"$(jq -r '[.jobs[].name] | join(" ")' <<<"$dry")"
t_eq "  removes nothing" "true null" "$(jq -r '"\(.dry_run) \(.jobs[0].removed)"' <<<"$dry")"
t_check "  both are still there" sh -c "docker service inspect $P-bob-exp $P-alice-exp >/dev/null"
out=$("$GLOVEBOX" reap --json --owner "$ALICE" --owner "$BOB" </dev/null); rc=$?
t_eq "root reaps (as from cron): exit 0" 0 "$rc"
t_eq "  removed both" "true true" "$(jq -r '[.jobs[].removed] | map(tostring) | join(" ")' <<<"$out")"
t_check "  $P-bob-exp is gone" gone $P-bob-exp
t_check "  $P-alice-exp is gone" gone $P-alice-exp
t_check "  with its network" wait_for 30 net_gone $P-bob-exp-net
for s in $P-alice-run $P-alice-oom $P-alice-res $P-ext $P-ext-exp; do
	t_check "  $s (not expired, or not glovebox's) is still there" exists "$s"
done
audit=$(as "$ADMIN" audit --json)
t_eq "each reaped job has a reap record by root with the reason" "$P-alice-exp root $ALICE,$P-bob-exp root $BOB" \
	"$(jq -r --arg p "$P-" '[.[] | select(.action == "reap" and (.target | startswith($p)) and (.reason | test("past its lifetime")))] | map("\(.target) \(.who) \(.owner)") | sort | join(",")' <<<"$audit")"
out=$("$GLOVEBOX" reap --dry-run --owner "$ALICE" --owner "$BOB" </dev/null)
t_eq "nothing left to reap" "no expired jobs" "$out"
t_end
