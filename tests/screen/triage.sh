#!/usr/bin/env bash
# Triage in the console, run in tmux as real Unix accounts (a researcher and an admin, as
# tests/integration/admin.sh makes them): who sees which jobs, the unmanaged marker, the
# attention order (an OOM loop and an expired job first), removal with a reason on record,
# pause and resume, the restart history on the tasks screen, and the box at 40x10.
T_SUITE=screen/triage
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-screen.sh"
scr_need_tmux
scr_need_engine
[ "$(id -u)" -eq 0 ] || t_skip_suite "not root: the test creates Unix accounts"
case $DOCKER_HOST in unix://*) ;; *) t_skip_suite "DOCKER_HOST is not a unix socket" ;; esac
for tool in jq useradd groupadd userdel groupdel runuser setfacl; do
	command -v "$tool" >/dev/null || t_skip_suite "$tool is not installed (make deps)"
done
scr_init

P=gbtt
SOCK=${DOCKER_HOST#unix://}
RES=gbt-tri-res ADM=gbt-tri-adm OTHER=gbt-tri-other
GR=gbt-tri-r GA=gbt-tri-a
REASON="screen test $(date +%s): the owner asked by mail"
made_groups=() made_users=()
# The accounts run our copy of glovebox from the scratch directory.
chmod 711 "$SCR_TMP"
work=$SCR_TMP/work
mkdir -p "$work" && chmod 755 "$work"

suite_cleanup() {
	local u g
	docker config ls --format '{{.ID}} {{.Name}}' --filter label=glovebox.audit=1 2>/dev/null |
		awk -v p="-$P-" 'index($2, p) { print $1 }' | xargs -r docker config rm >/dev/null 2>&1
	for u in "$RES" "$ADM"; do
		docker config ls -q --filter label=glovebox.audit=1 --filter "label=glovebox.actor=$u" 2>/dev/null |
			xargs -r docker config rm >/dev/null 2>&1
		setfacl -x "u:$u" "$SOCK" 2>/dev/null
	done
	for u in "${made_users[@]}"; do userdel "$u" >/dev/null 2>&1; done
	for g in "${made_groups[@]}"; do groupdel "$g" >/dev/null 2>&1; done
}

for g in "$GR" "$GA"; do
	if ! getent group "$g" >/dev/null; then groupadd "$g" && made_groups+=("$g"); fi
done
for spec in "$RES:$GR:" "$ADM:$GR:$GA"; do
	IFS=: read -r u g more <<<"$spec"
	if ! id "$u" >/dev/null 2>&1; then
		useradd -M -N -d /nonexistent -s /usr/sbin/nologin -g "$g" ${more:+-G "$more"} "$u" && made_users+=("$u")
	fi
	setfacl -m "u:$u:rw" "$SOCK"
	mkdir -p "$work/state-$u" && chown "$u" "$work/state-$u"
done
cp "$GB_ROOT/docs/examples/terms.md" "$work/"
jq --arg g "$GA" '.admin_group = $g' "$GB_ROOT/docs/examples/policy.json" > "$work/policy.json"
chmod 644 "$work/policy.json" "$work/terms.md"
POL=$work/policy.json

iso() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
SLEEP=(glovebox/busybox sleep 100000)
svc_cleanup
svc_mk $P-mine --label glovebox.owner=$RES --label "glovebox.expires-at=$(iso '+3 hours')" "${SLEEP[@]}" &
svc_mk $P-rm --label glovebox.owner=$RES "${SLEEP[@]}" &
svc_mk $P-other --label glovebox.owner=$OTHER "${SLEEP[@]}" &
svc_mk $P-ext "${SLEEP[@]}" &
svc_mk $P-exp --label glovebox.owner=$OTHER --label "glovebox.expires-at=$(iso '-2 hours')" "${SLEEP[@]}" &
svc_mk $P-oom --label glovebox.owner=$OTHER --limit-memory 32M --restart-condition on-failure \
	--restart-delay 1s glovebox/load --grow &
wait

# console SESSION USER: the console as USER with the test's policy, refreshing every second.
console() {
	scr_start "$1" "runuser -u $2 -- env -u GLOVEBOX_POLICY DOCKER_HOST=$DOCKER_HOST LC_ALL=C.UTF-8 \
		XDG_STATE_HOME=$work/state-$2 $SCR_GB --policy $POL console --refresh 1"
	scr_go "$1"
}
row() { scr_cap "$1" | grep -E "^$2 " | head -n 1; }
has_row() { scr_cap "$1" | grep -Eq "^$2 "; }
# only SESSION TEXT: the jobs filtered to TEXT (a filter left before is cleared first).
only() {
	scr send-keys -t "$1" Escape
	scr send-keys -t "$1" /
	scr send-keys -t "$1" -l "$2"
	scr send-keys -t "$1" Enter
	scr_wait 3 "$1" "filter: $2"
}
status() { scr_line "$1" 22; }
data_rows() { scr_cap "$1" | sed -n '3,21p' | awk 'NF { print $1 }'; }
replicas_are() { [ "$(svc_replicas "$1")" = "$2" ]; }
gone() { ! docker service inspect "$1" >/dev/null 2>&1; }

# ---- the researcher ----
console res "$RES"
if scr_wait 15 res "^$P-mine "; then t_ok "$RES sees her job"; else t_fail "$RES sees her job" "$(scr_cap res)"; fi
t_match "the status line says researcher" "$(status res)" 'researcher  API 1\.'
sleep 2   # a refresh or two more: nothing else turns up
t_eq "$RES sees only her own jobs" "$P-mine $P-rm" "$(data_rows res | grep "^$P-" | sort | tr '\n' ' ' | sed 's/ $//')"

only res $P-mine
t_match "the expiry is counted down on the selected job's line" "$(scr_line res 21)" "^$P-mine: .*expires in [23]h"
scr send-keys -t res p
# The status line first: the message stays 10 s, and busybox's sleep takes that long to stop.
t_check "p pauses her job: the status line says so" \
	scr_wait 10 res "paused job $P-mine: replicas 1 -> 0; on record in the audit log"
t_check "  replicas 0" wait_for 30 replicas_are $P-mine 0/0
scr_wait 10 res "^$P-mine .* 0/0 "
scr send-keys -t res p
t_check "p again resumes it: the status line says so" scr_wait 10 res "resumed job $P-mine: replicas 0 -> 1"
t_check "  replicas 1" wait_for 30 replicas_are $P-mine 1/1

only res $P-rm
scr send-keys -t res x
if scr_wait 3 res 'Remove job'; then t_ok "x asks before removing"; else t_fail "x asks before removing" "$(scr_cap res)"; fi
t_check "  her own job needs no reason" scr_has res 'y: remove +n/Esc: cancel'
if scr_has res 'Reason'; then t_fail "  no reason field" "$(scr_cap res)"; else t_ok "  no reason field"; fi
scr send-keys -t res n
t_check "n keeps the job" scr_wait 3 res 'nothing was done'
t_check "  it is still there" docker service inspect $P-rm
res_pid=$(scr_gb_pid res)
scr send-keys -t res q
t_check "q quits the researcher's console" scr_until 3 eval '! alive "$res_pid"'

# ---- the admin ----
console adm "$ADM"
if scr_wait 15 adm "^$P-ext "; then t_ok "$ADM sees the service not made by glovebox"; else t_fail "$ADM sees the service not made by glovebox" "$(scr_cap adm)"; fi
t_match "the status line says admin" "$(status adm)" 'admin  API 1\.'
only adm "$P-"
t_eq "$ADM sees every job" "$P-exp $P-ext $P-mine $P-oom $P-other $P-rm" \
	"$(data_rows adm | grep "^$P-" | sort | tr '\n' ' ' | sed 's/ $//')"
t_match "the unmanaged service is marked in the owner column" "$(row adm $P-ext)" "^$P-ext +\(not"
t_match "an expired job says so in its state" "$(row adm $P-exp)" "^$P-exp .* expired, runn"

# The OOM loop shows as one once the first kill is inspected.
first_two() { [ "$(data_rows adm | head -n 2 | tr '\n' ' ')" = "$P-oom $P-exp " ]; }
scr send-keys -t adm '!'
t_check "! puts attention first" scr_wait 3 adm 'attention first'
if scr_until 60 first_two; then t_ok "! ranks the OOM loop and the expired job first"
else t_fail "! ranks the OOM loop and the expired job first" "$(scr_cap adm)"; fi
t_match "  the OOM loop says why" "$(row adm $P-oom)" "OOM killed [0-9]+"
t_match "  the expired job says why" "$(row adm $P-exp)" "expired 2h ago"
scr send-keys -t adm '!'
t_check "! again: back to the name order" scr_wait 3 adm 'attention order off'
t_eq "  by name" "$P-exp $P-ext $P-mine $P-oom $P-other $P-rm" "$(data_rows adm | grep "^$P-" | tr '\n' ' ' | sed 's/ $//')"

only adm $P-oom
scr send-keys -t adm Enter
if scr_wait 3 adm "^tasks of $P-oom"; then t_ok "Enter opens the OOM loop's tasks"; else t_fail "Enter opens the OOM loop's tasks" "$(scr_cap adm)"; fi
t_check "the tasks screen shows the failures seen this session" \
	scr_wait 5 adm "^seen this session: [0-9]+ failures?, [1-9][0-9]* OOM killed; last: exit 137 \(OOM\)"
scr send-keys -t adm Escape

only adm $P-other
scr send-keys -t adm p
if scr_wait 3 adm 'Pause job'; then t_ok "p on another user's job asks for a reason"; else t_fail "p on another user's job asks for a reason" "$(scr_cap adm)"; fi
scr send-keys -t adm Escape
t_check "Esc: nothing was done" scr_wait 3 adm 'nothing was done'
t_eq "  still running" 1/1 "$(svc_replicas $P-other)"

only adm $P-rm
scr send-keys -t adm x
if scr_wait 3 adm 'It is not your job: say why'; then t_ok "x on $RES's job asks for a reason"; else t_fail "x on $RES's job asks for a reason" "$(scr_cap adm)"; fi
t_check "  with a reason field" scr_has adm 'Reason'
# The box at 40x10, then back: nothing breaks.
adm_pid=$(scr_gb_pid adm)
scr resize-window -t adm -x 40 -y 10
sleep 0.5
t_check "the box at 40x10: still running" alive "$adm_pid"
scr resize-window -t adm -x 80 -y 24
scr_wait 3 adm 'Enter: remove +Esc: cancel'
scr send-keys -t adm Enter
t_check "Enter without a reason is refused" scr_wait 3 adm 'reason'
t_check "  nothing removed" docker service inspect $P-rm
scr send-keys -t adm -l "$REASON"
scr send-keys -t adm Enter
t_check "with a reason it is removed" wait_for 30 gone $P-rm
t_check "  the status line says so" scr_wait 10 adm "removed job $P-rm"
audit=$(runuser -u "$ADM" -- env -u GLOVEBOX_POLICY DOCKER_HOST="$DOCKER_HOST" "$GLOVEBOX" --policy "$POL" audit --json </dev/null)
t_eq "glovebox audit lists the removal with who, owner and reason" "$ADM rm $RES $REASON" \
	"$(jq -r --arg t $P-rm '[.[] | select(.target == $t and .action == "rm")][0] | "\(.who) \(.action) \(.owner) \(.reason)"' <<<"$audit")"
t_eq "  and the researcher's pause and resume" 2 \
	"$(jq --arg t $P-mine --arg u "$RES" '[.[] | select(.target == $t and .action == "scale" and .who == $u)] | length' <<<"$audit")"

scr send-keys -t adm q
t_check "q quits" scr_until 3 eval '! alive "$adm_pid"'
t_end
