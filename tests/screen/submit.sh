#!/usr/bin/env bash
# Submitting a job from the console: tmux at 80x24 runs glovebox against the sandbox engine and
# a private registry, with a copy of the example policy whose terms carry a line of this run's
# own, so the first submission must accept them.
# Covers the form (image, class, datasets the user's groups may use, a bad CPU value and its
# reason beside the field, the fit line), the terms (the pager read to the end, "accept" and a
# purpose, the diff after the terms change), the new job selected in the list going pending or
# running, a failing submission that brings the form back as typed with the error beside the
# image, Esc asking before it discards, a hostile policy description, and 40x10.
T_SUITE=screen/submit
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-screen.sh"
scr_need_tmux
scr_need_engine
command -v docker-registry >/dev/null || t_skip_suite "docker-registry is not installed (make deps)"
command -v jq >/dev/null || t_skip_suite "jq is not installed"
scr_init

REG=127.0.0.1:5000
IMAGE=$REG/glovebox/load:latest
owner=$(id -un)
P=gbs$(($$ % 1000))            # job names: short enough for the NAME column at 80 columns
ESC=$(printf '\033') BEL=$(printf '\007')

# glovebox's own services carry glovebox labels, not the suite's: remove them by name, and
# the network each job got (<name>-net).
suite_cleanup() {
	local n i
	for n in $(docker service ls --format '{{.Name}}' --filter "name=$P-" 2>/dev/null); do
		docker service rm "$n" >/dev/null 2>&1
	done
	# A network stays in use for a moment after its service is gone, and meanwhile
	# `docker network ls --filter name=` no longer lists it: grep the whole list.
	for i in $(seq 1 60); do
		n=$(docker network ls --format '{{.Name}}' 2>/dev/null | grep -E "^$P-")
		[ -z "$n" ] && break
		printf '%s\n' $n | xargs -r docker network rm >/dev/null 2>&1
		sleep 0.5
	done
}
suite_cleanup

"$GB_ROOT/tests/engine/registry.sh" start >/dev/null || t_skip_suite "the registry did not start"
"$GB_ROOT/tests/engine/registry.sh" push glovebox/load:latest >/dev/null || t_skip_suite "cannot push to the registry"
mkdir -p /srv/glovebox/data/ct-2018 /srv/glovebox/data/mri-open /srv/glovebox/data/genomics-restricted \
	"/srv/glovebox/results/$owner"
POL=$SCR_TMP/policy.json
cp "$GB_ROOT/docs/examples/terms.md" "$SCR_TMP/"
# A description with an OSC title sequence: the form must show it, never send it.
jq --arg d "Open MRI ${ESC}]0;pwned${BEL} set" '.datasets["mri-open"].description = $d' \
	"$GB_ROOT/docs/examples/policy.json" > "$POL"
# Acceptance records outlive a run: terms of this run's own make the first acceptance needed.
printf '\nScreen test run %s.\n' "$(date +%s%N)" >> "$SCR_TMP/terms.md"
sha=$(sha256sum "$SCR_TMP/terms.md" | cut -d' ' -f1)

# Lines of the 80x24 screen (0 = top).
L_TITLE=0 L_HINT=20 L_REASON=21 L_STATUS=22 L_KEYS=23
line() { scr_line main "$1" | sed 's/ *$//'; }
# form_line LABEL: the form's line for a field label ("Image", "CPUs", "Fit" ...).
form_line() { scr_cap main | grep -E "^[> ] $1 " | head -n 1; }
form_has() { form_line "$1" | grep -Eq -- "$2"; }
focus_on() { form_line "$1" | grep -q '^>'; }
row() { scr_cap main | grep -E "^$1 " | head -n 1; }
row_has() { row "$1" | grep -Eq -- "$2"; }
# The job on the selected row (drawn with a cyan or reverse background).
sel_name() {
	scr_cap main -e | awk -v e="$ESC" 'NR > 2 && NR < 22 && (index($0, e "[46m") || index($0, e "[7m")) { print; exit }' |
		sed "s/$ESC\[[0-9;]*m//g" | awk '{print $1}'
}
sel_is() { [ "$(sel_name)" = "$1" ]; }
keys() { scr send-keys -t main "$@"; }
text() { scr send-keys -t main -l -- "$1"; }
# focus_line: the line with the cursor mark. tab_to ERE: Tab until that line matches ERE.
focus_line() { scr_cap main | grep -E '^>' | head -n 1; }
tab_to() {
	local i prev
	for i in $(seq 1 20); do
		focus_line | grep -Eq -- "$1" && return 0
		prev=$(focus_line)
		keys Tab
		# Submit and Cancel share a line: there the text does not change.
		scr_until 0.5 eval '[ "$(focus_line)" != "$prev" ]'
	done
	return 1
}

scr_start main "$SCR_GB --policy '$POL'"
scr select-pane -t main -T gbtest-title
scr_go main
scr_wait 10 main ' jobs: ' || t_fail "the console starts" "$(scr_cap main)"
t_match "the key bar offers n for a new job" "$(line $L_KEYS)" ' nNew( |$)'

# --- the form ---------------------------------------------------------------------------------
keys n
if scr_wait 5 main '^New job +policy: '; then t_ok "n opens the form"; else t_fail "n opens the form" "$(scr_cap main)"; fi
t_has "the title names the policy file" "$(line $L_TITLE)" "policy: $SCR_TMP/"
t_match "its key bar" "$(line $L_KEYS)" '^F1Help EscCancel TabNext SpacePick EnterOK'
t_check "the cursor starts on the image" focus_on Image
t_match "an empty image: the reason is a hint" "$(form_line Image)" '\] an image is required'
t_match "every class, the chosen one marked, with its free capacity" \
	"$(scr_cap main | sed -n '3,6p' | awk '{print $1 $2 $3}' | tr '\n' ' ')" \
	'^Class\(\*\)default \(\)highram \(\)highcpu \(\)gpu $'
t_match "the sandbox node is free for the default class" "$(form_line Class)" 'default +free [0-9.]+ CPU [0-9.]+ [KMG]iB'
t_match "classes without a ready node say so" "$(scr_cap main | grep -E '\( \) highram')" 'highram +no ready node'
# Datasets: only those the user's groups may use (groups: in the policy; none: everyone).
groups=" $(id -Gn) "
want=mri-open
case $groups in *" oncology "*) want="ct-2018 $want" ;; esac
case $groups in *" genomics "*) want="$want genomics-restricted" ;; esac
shown=$(scr_cap main | grep -oE '\[[ x]\] [a-z0-9-]+' | awk '{print $NF}' | tr '\n' ' ' | sed 's/ $//')
t_eq "datasets: only those the user's groups may use ($(id -Gn))" "$want" "$shown"
t_has "a hostile description shows as text, not as an escape" "$(scr_cap main | grep -F 'mri-open')" 'Open MRI ^[]0;pwned^G set'
t_eq "the pane title did not change" gbtest-title "$(scr display -p -t main '#{pane_title}')"
t_match "CPUs default from the class, capped by its maximum" "$(form_line CPUs)" '^  CPUs +\[1 +\] up to 2 in this class$'
t_match "memory likewise" "$(form_line Memory)" '\[256MiB +\] up to 1GiB in this class$'
t_match "lifetime capped by max_lifetime" "$(form_line Lifetime)" '\[1d +\] up to 1d$'
t_match "Submit is disabled while the form has errors" "$(scr_cap main | grep -F '[ Cancel ]')" '^ +\[ submit \]  \[ Cancel \]$'

text "$IMAGE"
if scr_until 3 form_has Image '\] from 127\.0\.0\.1:5000$'; then t_ok "a good image: no reason beside it"
else t_fail "a good image: no reason beside it" "$(form_line Image)"; fi
keys Tab
scr_until 2 eval "scr_cap main | grep -q '^> Class     (\*) default'"
keys Down Space
if scr_wait 2 main '^> +\(\*\) highram'; then t_ok "Down and Space choose another class"; else t_fail "Down and Space choose another class" "$(scr_cap main)"; fi
t_match "CPUs follow the class" "$(form_line CPUs)" '\[2 +\] up to 4 in this class$'
t_match "the fit line for a class without nodes" "$(form_line Fit)" 'will queue: no ready node of class highram$'
keys Up Enter   # Enter chooses the class and moves on to the datasets
if scr_wait 2 main '^> Datasets  \[ \] mri-open'; then t_ok "Enter on a class chooses it and moves on"
else t_fail "Enter on a class chooses it and moves on" "$(scr_cap main)"; fi
t_match "the default class again" "$(form_line Class)" '^  Class     \(\*\) default'
keys Space
if scr_wait 2 main '^> Datasets  \[x\] mri-open'; then t_ok "Space picks a dataset"; else t_fail "Space picks a dataset" "$(scr_cap main)"; fi
keys Tab
text 9
if scr_until 3 form_has CPUs '^> CPUs +\[9 +\] at most 2 CPUs in class default$'; then
	t_ok "a bad CPU value: the reason beside the field, as typed"
else
	t_fail "a bad CPU value: the reason beside the field, as typed" "$(form_line CPUs)"
fi
t_eq "  and in full below" "cpus: at most 2 CPUs in class default" "$(line $L_HINT)"
t_match "  the fit waits for good CPUs" "$(form_line Fit)" 'checked once the CPUs and memory are right'
keys BSpace
text 1
if scr_until 3 form_has CPUs '^> CPUs +\[1 +\] up to 2 in this class$'; then t_ok "fixed: the reason goes"
else t_fail "fixed: the reason goes" "$(form_line CPUs)"; fi
if scr_until 3 form_has Fit 'fits now on 1 of 1 default node$'; then t_ok "the fit line: fits now on 1 of 1 default node"
else t_fail "the fit line: fits now on 1 of 1 default node" "$(form_line Fit)"; fi
tab_to '^> Command '
text "--cpu 0.05 --mem 8"
tab_to '^> Name '
text "$P-ok"
if tab_to '^>           \[ Submit \]  \[ Cancel \]'; then t_ok "Tab reaches an enabled Submit"
else t_fail "Tab reaches an enabled Submit" "$(scr_cap main)"; fi
t_has "Submit's hint names the job" "$(line $L_HINT)" "Enter submits $P-ok."

# --- the terms ---------------------------------------------------------------------------------
keys Enter
if scr_wait 5 main '^Data-use terms, version 2026-11'; then t_ok "Submit shows the terms first"
else t_fail "Submit shows the terms first" "$(scr_cap main)"; fi
# The terms: the pager, then its position (19), the confirmation (20) and the purpose (21).
t_match "the pager shows where it is" "$(line 19)" '^lines 1-[0-9]+ of [0-9]+, [0-9]+%  read to the end to go on'
t_match "no confirmation before the end" "$(line 20)" '^  Accept    read the terms to the end first$'
t_match "its key bar" "$(line $L_KEYS)" '^F1Help EscBack PgDnPage EndEnd /Search TabNext'
keys Enter
t_check "Enter before the end says to read on" scr_wait 2 main 'read the terms to the end first \(PgDn, End\)$'
pages=0
while ! scr_has main ', end  ' && [ $pages -lt 40 ]; do
	keys NPage
	pages=$((pages + 1))
	scr_until 1 eval "scr_line main 19 | grep -q '^lines \(\(\(1[0-9]\|[2-9]\)[0-9]*\)-\|.*end\)'"
done
if scr_has main ", end  "; then t_ok "PgDn reaches the end of the terms ($pages pages)"; else t_fail "PgDn reaches the end" "$(scr_cap main)"; fi
t_has "the run's own line is the last of the terms" "$(scr_cap main)" "Screen test run "
if scr_wait 2 main '^> Accept    \[ +\] type accept to accept the terms'; then t_ok "at the end, the confirmation takes the keys"
else t_fail "at the end, the confirmation takes the keys" "$(scr_cap main)"; fi
text yes
keys Enter
t_check "anything but accept is refused" scr_wait 2 main 'type the word accept to accept the terms'
keys C-u
text accept
keys Enter
if scr_wait 2 main '^> Purpose   \['; then t_ok "accept: on to the purpose"; else t_fail "accept: on to the purpose" "$(scr_cap main)"; fi
keys Enter
t_check "the purpose is required" scr_wait 2 main 'the purpose is required'
text "screen test of the console form"
keys Enter

# --- the new job -------------------------------------------------------------------------------
if scr_wait 20 main '^NAME▲'; then t_ok "after submission, back to the jobs"; else t_fail "after submission, back to the jobs" "$(scr_cap main)"; fi
t_match "the status line says so, with the fit" "$(line $L_STATUS)" "^submitted $P-ok: fits now on 1 of 1 default node"
if scr_until 5 sel_is "$P-ok"; then t_ok "the new job is selected"; else t_fail "the new job is selected" "selected: $(sel_name); $(scr_cap main)"; fi
if scr_until 10 row_has "$P-ok" ' (pending|starting|running)'; then t_ok "its state: $(row "$P-ok" | grep -oE '(pending|starting|running)[^[]*' | head -n 1)"
else t_fail "the new job shows a state" "$(row "$P-ok")"; fi
if scr_until 60 row_has "$P-ok" ' 1/1 +running'; then t_ok "then running"; else t_fail "then running" "$(row "$P-ok"); $(docker service ps --no-trunc "$P-ok")"; fi
spec=$(docker service inspect "$P-ok" --format '{{json .Spec}}' 2>/dev/null)
t_eq "the service as the form said: class, datasets, owner, args" \
	"default mri-open $owner [\"--cpu\",\"0.05\",\"--mem\",\"8\"]" \
	"$(jq -r '"\(.Labels["glovebox.class"]) \(.Labels["glovebox.datasets"]) \(.Labels["glovebox.owner"]) \(.TaskTemplate.ContainerSpec.Args | tojson)"' <<<"$spec")"
t_eq "the terms it runs under" "$sha" "$(jq -r '.Labels["glovebox.terms-sha256"]' <<<"$spec")"
consent=$(jq -r '.Labels["glovebox.consent"]' <<<"$spec")
rec=$(docker config inspect "$consent" --format '{{printf "%s" .Spec.Data}}' 2>/dev/null)
t_eq "the acceptance record: user, terms, purpose" "$owner $sha screen test of the console form" \
	"$(jq -r '"\(.user) \(.terms_sha256) \(.purpose)"' <<<"$rec")"

# A second job, in a class without nodes: no terms this time, pending with the scheduler's reason.
keys n
scr_wait 5 main '^New job' || t_fail "n opens the form again" "$(scr_cap main)"
t_eq "the form starts empty again" "" "$(form_line Image | sed -n 's/.*\[\([^]]*\)\].*/\1/p' | tr -d ' ')"
text "$IMAGE"
keys Tab Down Space
scr_wait 2 main '^> +\(\*\) highram'
tab_to '^> Name '
text "$P-q"
tab_to 'Submit \]'
t_match "the form as typed for the second job" "$(form_line Name)" "\[$P-q +\]"
t_match "the fit line: it will queue" "$(form_line Fit)" 'will queue: no ready node of class highram$'
keys Enter
if scr_wait 20 main '^NAME▲'; then t_ok "accepted terms are not asked again"; else t_fail "accepted terms are not asked again" "$(scr_cap main)"; fi
if scr_until 5 sel_is "$P-q"; then t_ok "the second job is selected"; else t_fail "the second job is selected" "selected: $(sel_name)"; fi
if scr_until 20 row_has "$P-q" ' 0/1 +pending: no s'; then t_ok "it is pending"; else t_fail "it is pending" "$(row "$P-q")"; fi
t_match "the reason line is the scheduler's" "$(line $L_REASON)" "^$P-q: no suitable node"

# --- a failing submission ----------------------------------------------------------------------
nets_before=$(docker network ls -q | wc -l)
keys n
scr_wait 5 main '^New job'
text "$REG/glovebox/load:nosuchtag"
keys Tab Enter
scr_wait 2 main '^> Datasets'
keys Space
tab_to '^> Name '
text "$P-bad"
tab_to 'Submit \]'
keys Enter
if scr_until 20 form_has Image '\] cannot resolve '; then t_ok "a tag the registry lacks: the form comes back, the error beside the image"
else t_fail "a tag the registry lacks: the form comes back, the error beside the image" "$(scr_cap main)"; fi
t_check "  with the cursor on the image" focus_on Image
t_has "  the image as typed" "$(form_line Image)" "load:nosuchtag ]"
t_match "  the name as typed" "$(form_line Name)" "\[$P-bad +\]"
t_match "  the dataset as picked" "$(scr_cap main)" '\[x\] mri-open'
t_match "  the whole error below" "$(line $L_HINT)" "^image: cannot resolve $REG/glovebox/load:nosuchtag to a digest"
t_eq "  nothing was made" "0 $nets_before" "$(docker service ls -q --filter name=$P-bad | wc -l) $(docker network ls -q | wc -l)"

# The terms change: the next submission shows what changed, and Esc accepts nothing.
printf '\nNew clause of run %s: results are reviewed.\n' "$$" >> "$SCR_TMP/terms.md"
keys Escape
t_check "Esc with something typed asks first" scr_wait 2 main 'Discard the job\?'
keys d
scr_wait 2 main '^NAME▲' || t_fail "Discard closes the form" "$(scr_cap main)"
keys n
scr_wait 5 main '^New job'
text "$IMAGE"
keys BTab BTab Enter
if scr_wait 5 main '^Data-use terms, version 2026-11 \(changed since you last accepted them\)'; then
	t_ok "changed terms are shown again"
else
	t_fail "changed terms are shown again" "$(scr_cap main)"
fi
t_has "with what changed first" "$(scr_cap main)" "+ New clause of run $$: results are reviewed."
keys Escape
if scr_wait 2 main 'the terms were not accepted: nothing was submitted'; then t_ok "Esc in the terms: back to the form, nothing submitted"
else t_fail "Esc in the terms: back to the form, nothing submitted" "$(scr_cap main)"; fi

# 40x10: a compact, scrolling form; back at 80x24 the form is whole again.
scr resize-window -t main -x 40 -y 10
scr_until 2 eval "[ \"\$(scr display -p -t main '#{pane_width}x#{pane_height}')\" = 40x10 ]"
if tab_to '^> Lifetime '; then t_ok "at 40x10 the form scrolls to the cursor"; else t_fail "at 40x10 the form scrolls to the cursor" "$(scr_cap main)"; fi
t_match "  the hint below it" "$(scr_line main 6)" '^How long the job may run'
if tab_to 'Submit \]'; then t_ok "  down to the buttons"; else t_fail "  down to the buttons" "$(scr_cap main)"; fi
t_check "  and glovebox lives" alive "$(scr_gb_pid main)"
scr resize-window -t main -x 80 -y 24
scr_wait 3 main '^  Image     \[' || t_fail "back at 80x24" "$(scr_cap main)"
keys Escape d
scr_wait 2 main '^NAME▲'
keys q
t_check "q quits" scr_until 3 eval '! alive "$(scr_gb_pid main)"'
t_end
