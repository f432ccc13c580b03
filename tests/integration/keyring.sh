#!/usr/bin/env bash
# Registry credentials in a real keyring (gnome-keyring on a private D-Bus session) against a
# real private registry (127.0.0.1:5001, htpasswd) and the sandbox engine: glovebox login and
# docker-credential-secretservice share credentials both ways, a wrong password stores nothing,
# a private image pulls and runs only with credentials, every keyring state has its own message,
# and a canary password never shows up where it must not.
T_SUITE=integration/keyring
. "$(dirname "$0")/../lib.sh"

[ -n "${GB_NO_ENGINE:-}" ] && t_skip_suite "$GB_NO_ENGINE"
[ -n "${DOCKER_HOST:-}" ] || t_skip_suite "no sandbox engine (DOCKER_HOST unset)"
for tool in docker-registry htpasswd gnome-keyring-daemon dbus-daemon gdbus docker-credential-secretservice jq setpriv; do
	command -v "$tool" >/dev/null || t_skip_suite "$tool is not installed (make deps)"
done

REG=127.0.0.1:5001
IMG=$REG/gbt/private-load:latest
RUSER=gbkeyuser
# The canary: the registry password used through the whole suite. Only shell builtins (printf,
# [ ]) ever hold it, so it reaches no process's argv.
CANARY="gbcanary$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
KPW=keyring-test-password
owner=$(id -un)
work=$(mktemp -d /tmp/gb-keyring.XXXXXX)
chmod 755 "$work"
PIDS=()

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -CONT "$p" 2>/dev/null; kill "$p" 2>/dev/null; done
	[ -n "${TM:-}" ] && $TM kill-server 2>/dev/null
	docker service ls -q --filter name=gbt-key- | xargs -r docker service rm >/dev/null 2>&1
	sleep 1
	for n in gbt-key-ok gbt-key-user gbt-key-nolog gbt-key-nobus gbt-key-tui gbt-key-tui2; do
		docker network ls -q --filter "label=glovebox.job=$n" | xargs -r docker network rm >/dev/null 2>&1
	done
	docker image inspect glovebox/load:latest --format '{{range .RepoDigests}}{{println .}}{{end}}' 2>/dev/null |
		grep "^$REG/gbt/private-load@" | xargs -r docker rmi >/dev/null 2>&1
	docker rmi "$IMG" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

# ---- the private registry, with the image only there ----
printf '%s' "$CANARY" | GB_REGISTRY_USER=$RUSER "$GB_ROOT/tests/engine/registry.sh" start auth >/dev/null ||
	t_skip_suite "the authenticated registry did not start"
mkdir -p "$work/pushcfg" "$work/dockeronly"
# docker login keeps the password in its config.json here: a throw-away one, gone before the
# scan. Without docker-credential-* on PATH, docker does not pick the secretservice helper by
# itself (it would when no credsStore is set and the helper is installed).
ln -s "$(command -v docker)" "$work/dockeronly/docker"
pdocker() { DOCKER_CONFIG=$work/pushcfg PATH=$work/dockeronly docker "$@"; }
printf '%s' "$CANARY" | pdocker login -u "$RUSER" --password-stdin "$REG" >/dev/null 2>&1 ||
	t_skip_suite "docker login to $REG failed"
docker tag glovebox/load:latest "$IMG" && pdocker push -q "$IMG" >/dev/null 2>&1 ||
	t_skip_suite "cannot push to $REG"
pdocker logout "$REG" >/dev/null 2>&1
rm -rf "$work/pushcfg" "$work/dockeronly"
# Only the registry has it now: the node must pull it (with credentials) to run the job.
cleanup_refs() {
	docker rmi "$IMG" >/dev/null 2>&1
	docker image inspect glovebox/load:latest --format '{{range .RepoDigests}}{{println .}}{{end}}' |
		grep "^$REG/gbt/private-load@" | xargs -r docker rmi >/dev/null 2>&1
}
cleanup_refs
t_eq "the private image is not on the node" "" \
	"$(docker image inspect glovebox/load:latest --format '{{range .RepoDigests}}{{println .}}{{end}}' | grep "^$REG/")"

# ---- the policy (allows the private registry, which comes first: the default for login) ----
mkdir -p /srv/glovebox/data/mri-open "/srv/glovebox/results/$owner"
jq '.registries = ["127.0.0.1:5001", "127.0.0.1:5000"]' "$GB_ROOT/docs/examples/policy.json" > "$work/policy.json"
cp "$GB_ROOT/docs/examples/terms.md" "$work/"
printf '\nKeyring test run %s.\n' "$(date +%s%N)" >> "$work/terms.md"
P=$work/policy.json
sha=$(sha256sum "$work/terms.md" | cut -d' ' -f1)

# ---- glovebox's environment: its own home, state, docker config, runtime dir; debug log on ----
export HOME=$work/home XDG_STATE_HOME=$work/state XDG_DATA_HOME=$work/home/.local/share \
	XDG_RUNTIME_DIR=$work/run DOCKER_CONFIG=$work/home/.docker GLOVEBOX_DEBUG=1
unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" "$work/bin"
chmod 700 "$XDG_RUNTIME_DIR"
install -m 755 "$GLOVEBOX" "$work/bin/glovebox"
GB=$work/bin/glovebox
gb() { "$GB" --policy "$P" "$@"; }
touch "$work/marker"

# ---- D-Bus sessions and the keyring daemon, all ours ----
bus_start() {   # bus_start VAR [CONFIG]: a session bus; its address in $VAR
	local out
	if [ -n "${2:-}" ]; then
		out=$(dbus-daemon --config-file="$2" --fork --print-address=1 --print-pid=1 2>/dev/null)
	else
		out=$(dbus-daemon --session --fork --print-address=1 --print-pid=1 2>/dev/null)
	fi
	printf -v "$1" '%s' "$(sed -n 1p <<<"$out")"
	PIDS+=("$(sed -n 2p <<<"$out")")
}
has_secrets() { gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
	--method org.freedesktop.DBus.NameHasOwner org.freedesktop.secrets 2>/dev/null | grep -q true; }
GK_PID=
gk_start() {
	printf '%s' "$KPW" | gnome-keyring-daemon --foreground --unlock --components=secrets >"$work/gk.log" 2>&1 &
	GK_PID=$!
	PIDS+=("$GK_PID")
	wait_for 10 has_secrets
}
gk_stop() {
	kill "$GK_PID" 2>/dev/null
	local i
	for i in $(seq 1 50); do kill -0 "$GK_PID" 2>/dev/null || break; sleep 0.1; done
	wait_for 5 sh -c '! gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus --method org.freedesktop.DBus.NameHasOwner org.freedesktop.secrets | grep -q true'
}
helper_get() { echo "$REG" | docker-credential-secretservice get 2>/dev/null; }

bus_start MAIN_BUS
export DBUS_SESSION_BUS_ADDRESS=$MAIN_BUS
gk_start || t_skip_suite "gnome-keyring did not start on the test bus: $(tail -n 3 "$work/gk.log")"

# A bus that knows no Secret Service at all: no service directories to activate one from.
mkdir -p "$work/bus2"
cat > "$work/bus2.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=$work/bus2</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
bus_start EMPTY_BUS "$work/bus2.conf"

# ---- keyring states: each its own message, none blocking ----
declare -A said
state() {   # state NAME EXPECTED-RC PATTERN [env assignments...] : glovebox login --status
	local name=$1 want_rc=$2 pat=$3 out rc t0 t1
	shift 3
	t0=$(date +%s%N)
	out=$(env "$@" "$GB" login --status "$REG" 2>&1); rc=$?
	t1=$(date +%s%N)
	t_eq "keyring $name: exit $want_rc" "$want_rc" "$rc"
	if grep -q -- "$pat" <<<"$out"; then t_ok "keyring $name: says \"$pat\""; else t_fail "keyring $name: says \"$pat\"" "$out"; fi
	said[$name]=$(head -n 1 <<<"$out")
	LAST_MS=$(( (t1 - t0) / 1000000 ))
	LAST_OUT=$out
}
state "no D-Bus session" 1 "no D-Bus session" -u DBUS_SESSION_BUS_ADDRESS
t_check "  and how to get a keyring over SSH" grep -q "dbus-run-session" <<<"$LAST_OUT"
state "no Secret Service provider" 1 "no Secret Service provider" "DBUS_SESSION_BUS_ADDRESS=$EMPTY_BUS"
state "unlocked" 0 "keyring: unlocked"

# ---- login: a wrong password is refused and nothing is stored ----
out=$(printf 'not-the-password' | gb login "$REG" --username "$RUSER" --password-stdin 2>&1); rc=$?
t_eq "wrong password: exit 1" 1 "$rc"
t_check "  the registry refused it" grep -q "refused the user name or password" <<<"$out"
t_check "  nothing was stored" grep -q "nothing was stored" <<<"$out"
t_check "  the helper finds nothing" sh -c "! echo $REG | docker-credential-secretservice get"

# ---- store with glovebox, read with docker's helper ----
out=$(printf '%s\n' "$CANARY" | gb login "$REG" --username "$RUSER" --password-stdin 2>&1); rc=$?
t_eq "login: exit 0" 0 "$rc"
t_check "  says it worked and where it went" grep -q "Login Succeeded: the credentials for $REG are in your keyring" <<<"$out"
got=$(helper_get)
t_eq "docker-credential-secretservice get: the user" "$RUSER" "$(printf '%s' "$got" | jq -r .Username)"
if [ "$(printf '%s' "$got" | jq -r .Secret)" = "$CANARY" ]; then t_ok "docker-credential-secretservice get: the password"; else t_fail "docker-credential-secretservice get: the password"; fi
attrs=$(gdbus call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets \
	--method org.freedesktop.Secret.Service.SearchItems "{'server': '$REG', 'docker_cli': '1'}")
t_check "one item for the server, in the helper's schema" test "$(grep -o "/org/freedesktop/secrets/collection/[^']*" <<<"$attrs" | wc -l)" = 1
item=$(grep -o "/org/freedesktop/secrets/collection/[^']*" <<<"$attrs" | head -n 1)
props=$(gdbus call --session --dest org.freedesktop.secrets --object-path "$item" \
	--method org.freedesktop.DBus.Properties.GetAll org.freedesktop.Secret.Item)
for a in "'label': 'Docker Credentials'" "'docker_cli': '1'" "'xdg:schema': 'io.docker.Credentials'" \
	"'username': '$RUSER'" "'Registry credentials for $REG'"; do
	t_check "  item has $a" grep -qF "$a" <<<"$props"
done

out=$(printf 'wrong-again' | gb login "$REG" --username other --password-stdin 2>&1); rc=$?
t_eq "a wrong password after a good login: exit 1" 1 "$rc"
t_eq "  the stored credentials are untouched" "$RUSER" "$(helper_get | jq -r .Username)"

# The policy's first registry is the default.
out=$(printf '%s' "$CANARY" | gb login --username "$RUSER" --password-stdin 2>&1); rc=$?
t_eq "login without REGISTRY uses the policy's first: exit 0" 0 "$rc"
t_check "  for $REG" grep -q "credentials for $REG" <<<"$out"

# ---- what docker's config says ----
mkdir -p "$DOCKER_CONFIG"
printf '{"credsStore": "secretservice", "auths": {"%s": {}}}\n' "$REG" > "$DOCKER_CONFIG/config.json"
out=$(gb login --status 2>&1)
t_check "status lists docker's registries and the shared item" grep -q "$REG: keyring: user \"$RUSER\"; docker: shares the keyring item" <<<"$out"
printf '{"auths": {"plain.example.org": {"auth": "eDp5"}}}\n' > "$DOCKER_CONFIG/config.json"
out=$(gb login --status plain.example.org 2>&1)
t_check "a password docker keeps in config.json is named, not used" grep -q "holds a password for plain.example.org in plain text; glovebox does not use it" <<<"$out"
rm -f "$DOCKER_CONFIG/config.json"

# ---- logout ----
out=$(gb logout "$REG" 2>&1); rc=$?
t_eq "logout: exit 0" 0 "$rc"
t_check "  says it removed them" grep -q "removed the credentials for $REG" <<<"$out"
t_check "  the helper finds nothing" sh -c "! echo $REG | docker-credential-secretservice get"
out=$(gb logout "$REG" 2>&1)
t_check "  a second logout says there was nothing" grep -q "no credentials for $REG" <<<"$out"

# ---- the console's login dialog (key L) ----
SCREENS=
if command -v tmux >/dev/null; then
	TM="tmux -L gbkey-$$"
	tui() { $TM new-session -d -x 100 -y 30 -s "$1" "$2; sleep 60"; }
	cap() { $TM capture-pane -p -t "$1"; }
	shows() { cap "$1" | grep -q -- "$2"; }
	screen_has() { wait_for "$1" shows "$2" "$3"; }
	keep() { SCREENS+=$(cap "$1")$'\n'; }
	# Through a tmux buffer loaded from stdin: the canary is in no tmux argv either.
	paste_pw() { printf '%s' "$CANARY" | $TM load-buffer -b pw -; $TM paste-buffer -b pw -d -t "$1"; }
	fill() {   # fill SESSION: registry and user; the password is typed or pasted after
		$TM send-keys -t "$1" -l "$REG"; $TM send-keys -t "$1" Tab
		$TM send-keys -t "$1" -l "$RUSER"; $TM send-keys -t "$1" Tab
	}
	tui ok "$GB --policy $P"
	t_check "console: up" screen_has 10 ok "API 1\."
	$TM send-keys -t ok L
	t_check "console: L opens the login dialog" screen_has 5 ok "Log in to a registry"
	t_check "  it says the keyring is unlocked" screen_has 5 ok "Keyring: unlocked"
	fill ok
	$TM send-keys -t ok -l not-the-password; $TM send-keys -t ok Enter
	t_check "  a wrong password: refused, nothing stored" screen_has 10 ok "the registry refused the user"
	keep ok
	t_check "  the helper finds nothing" sh -c "! echo $REG | docker-credential-secretservice get"
	paste_pw ok
	stars=$(printf '%*s' "${#CANARY}" '' | tr ' ' '*')
	t_check "  the password is masked: one * per character" screen_has 5 ok "Password  $stars"
	keep ok
	$TM send-keys -t ok Enter
	t_check "  the right one: Login Succeeded, in the keyring" screen_has 10 ok "Login Succeeded: the credentials for $REG are in your"
	keep ok
	if [ "$(helper_get | jq -r .Secret)" = "$CANARY" ]; then t_ok "  docker's helper reads what the dialog stored"; else t_fail "  docker's helper reads what the dialog stored"; fi
	$TM send-keys -t ok Enter
	t_check "  any key closes it" wait_for 5 sh -c "! $TM capture-pane -p -t ok | grep -q 'Log in to a registry'"
	"$GB" logout "$REG" >/dev/null 2>&1
	# The ':' prompt keeps a history file: neither the dialog's password nor one typed after
	# `login` at the prompt may reach it.
	$TM send-keys -t ok :; $TM send-keys -t ok -l login; $TM send-keys -t ok Enter
	t_check "console: :login opens the dialog too" screen_has 5 ok "Log in to a registry"
	fill ok
	paste_pw ok
	$TM send-keys -t ok Escape
	wait_for 5 sh -c "! $TM capture-pane -p -t ok | grep -q 'Log in to a registry'"
	# (The prompt shows what is typed: these screens are not kept for the check below.)
	$TM send-keys -t ok :; $TM send-keys -t ok -l "login "; paste_pw ok; $TM send-keys -t ok Enter
	t_check "  a password typed after login at the prompt is refused" screen_has 5 ok "login takes no arguments"
	$TM send-keys -t ok :; paste_pw ok; $TM send-keys -t ok Enter
	t_check "  one typed alone at the prompt is no command" screen_has 5 ok "no command"

	tui nobus "env -u DBUS_SESSION_BUS_ADDRESS $GB --policy $P"
	screen_has 10 nobus "API 1\."
	$TM send-keys -t nobus L
	t_check "console without D-Bus: the dialog says so" screen_has 5 nobus "Keyring: there is no D-Bus session"
	fill nobus
	paste_pw nobus
	$TM send-keys -t nobus Enter
	t_check "  after the check, it offers to keep them for this session only" screen_has 10 nobus "Keep them in memory for this session only"
	keep nobus
	$TM send-keys -t nobus y
	t_check "  y keeps them in memory" screen_has 5 nobus "are kept in memory for this"
	keep nobus
	$TM kill-session -t nobus
	$TM kill-session -t ok
else
	t_fail "tmux is not installed: the console's login dialog is not tested (make deps)"
fi

# ---- submit without credentials: refused, with the way out ----
count() { docker service ls -q --filter name=gbt-key- | wc -l; }
submit() {   # submit NAME [args...]
	local name=$1
	shift
	gb submit --image "$IMG" --class default --dataset mri-open --name "$name" \
		--accept-terms "$sha" --purpose "keyring integration test" "$@" -- --cpu 0.05 --mem 8
}
out=$(submit gbt-key-nolog 2>&1); rc=$?
t_eq "submit without credentials: exit 2" 2 "$rc"
t_check "  says to log in" grep -q "needs a login: run \`glovebox login $REG\`" <<<"$out"
t_eq "  nothing made" 0 "$(count)"
out=$(env -u DBUS_SESSION_BUS_ADDRESS "$GB" --policy "$P" submit --image "$IMG" --class default --name gbt-key-nolog \
	--accept-terms "$sha" --purpose t 2>&1); rc=$?
t_check "  without a keyring, also says why none was asked" grep -q "the keyring could not be asked for credentials: there is no D-Bus session" <<<"$out"

# ---- store with docker's helper, use from glovebox: the job pulls and runs ----
printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "$REG" "$RUSER" "$CANARY" | docker-credential-secretservice store
out=$(gb login --status "$REG" 2>&1)
t_check "glovebox sees the helper's item" grep -q "$REG: keyring: user \"$RUSER\"" <<<"$out"
out=$(submit gbt-key-ok --json 2>"$work/err"); rc=$?
t_eq "submit with the helper's credentials: exit 0" 0 "$rc"
[ "$rc" = 0 ] || cat "$work/err"
pinned=$(printf '%s' "$out" | jq -r .image)
t_check "  the image is pinned to its digest (resolved with the credentials)" grep -q "^$IMG@sha256:[0-9a-f]\{64\}$" <<<"$pinned"
running() { docker service ls --filter name=gbt-key-ok --format '{{.Replicas}}' | grep -q '^1/1'; }
t_check "  the job runs" wait_for 90 running
pulled() { docker image inspect glovebox/load:latest --format '{{range .RepoDigests}}{{println .}}{{end}}' | grep -q "^$REG/gbt/private-load@sha256:"; }
t_check "  the node pulled it from the private registry" pulled
docker service rm gbt-key-ok >/dev/null 2>&1
cleanup_refs

# ---- a plain tcp:// engine never gets them: a recording fault server stands in for one ----
FS=$GB_ROOT/build/release/fixtures/faultserver
if [ -x "$FS" ]; then
	"$FS" --lifetime 90 --record "$work/record" --port-file "$work/fsport" ok-empty 2>"$work/fs.log" &
	FS_PID=$!
	PIDS+=("$FS_PID")
	wait_for 5 test -s "$work/fsport"
	FSH=tcp://127.0.0.1:$(cat "$work/fsport")
	out=$(gb --host "$FSH" submit --image "$IMG" --class default --dataset mri-open --name gbt-key-clear \
		--accept-terms "$sha" --purpose t -- --cpu 0.05 --mem 8 2>&1); rc=$?
	t_eq "submit with the keyring's credentials to a plain tcp:// engine: exit 1" 1 "$rc"
	t_check "  refused, naming the engine, pointing to TLS" \
		grep -qF "refusing to send registry credentials to $FSH: it is plain HTTP" <<<"$out"
	if [ -n "${TM:-}" ]; then
		tui clear "$GB --host $FSH --policy $P"
		screen_has 10 clear "API 1\."
		$TM send-keys -t clear L
		screen_has 5 clear "Log in to a registry"
		fill clear
		paste_pw clear
		$TM send-keys -t clear Enter
		t_check "console login dialog on a plain tcp:// engine: refused" screen_has 5 clear "Refusing to send registry"
		keep clear
		$TM kill-session -t clear
	fi
	kill "$FS_PID"   # SIGTERM: the server records what is still in its sockets, then exits
	wait "$FS_PID" 2>/dev/null
	t_check "  the engine was asked things (the record works)" grep -q "^GET /_ping" "$work/record"
	t_eq "  it never got the password, plain or as X-Registry-Auth" "" \
		"$(grep -aoF -e "$CANARY" -e "$(printf '{"username":"%s","password":"%s","serveraddress":"%s"}' "$RUSER" "$CANARY" "$REG" | base64 -w0 | tr '+/' '-_')" "$work/record")"
	t_check "  nor any X-Registry-Auth or POST /auth" sh -c "! grep -aqiE '^(x-registry-auth|POST /v1\.[0-9]+/auth)' '$work/record'"
	rm -f "$work/record"
else
	t_fail "no fault server at $FS (make fixtures): the plain tcp:// refusal is not tested"
fi

# ---- the console's form: the same image, the keyring's credentials sent; without, the login dialog ----
if [ -n "${TM:-}" ]; then
	focus() { cap "$1" | grep -E '^>' | head -n 1; }
	tab_to() {   # tab_to SESSION ERE: Tab until the focused line matches
		local i
		for i in $(seq 1 20); do
			focus "$1" | grep -Eq -- "$2" && return 0
			$TM send-keys -t "$1" Tab; sleep 0.2
		done
		return 1
	}
	form_submit() {   # form_submit SESSION NAME: fill the form for the private image and submit
		$TM send-keys -t "$1" n
		screen_has 10 "$1" "^New job" || return 1
		$TM send-keys -t "$1" -l "$IMG"
		tab_to "$1" '^> Datasets' && $TM send-keys -t "$1" Space
		tab_to "$1" '^> Command ' && $TM send-keys -t "$1" -l -- "--cpu 0.05 --mem 8"
		tab_to "$1" '^> Name ' && $TM send-keys -t "$1" -l "$2"
		tab_to "$1" '\[ Submit \]' && $TM send-keys -t "$1" Enter
	}
	tui form "$GB --policy $P"
	screen_has 10 form "API 1\."
	form_submit form gbt-key-tui
	t_check "console form with the keyring's credentials: submitted" screen_has 30 form "^submitted gbt-key-tui"
	t_check "  the job runs" wait_for 90 sh -c "docker service ls --filter name=gbt-key-tui --format '{{.Replicas}}' | grep -q '^1/1'"
	t_check "  the node pulled it from the private registry" pulled
	$TM kill-session -t form
	docker service rm gbt-key-tui >/dev/null 2>&1
	cleanup_refs
	echo "$REG" | docker-credential-secretservice erase
	tui form2 "$GB --policy $P"
	screen_has 10 form2 "API 1\."
	form_submit form2 gbt-key-tui2
	t_check "console form without credentials: the login dialog opens for the registry" \
		screen_has 30 form2 "Log in to a registry"
	keep form2
	$TM send-keys -t form2 Escape
	if screen_has 5 form2 "^> Image .*\] log in to $REG (L), then s"; then t_ok "  the form says to log in, beside the image"
	else t_fail "  the form says to log in" "$(cap form2)"; fi
	t_eq "  nothing made" 0 "$(docker service ls -q --filter name=gbt-key-tui2 | wc -l)"
	$TM kill-session -t form2
	printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "$REG" "$RUSER" "$CANARY" | docker-credential-secretservice store
fi

# ---- no keyring at all (SSH): credentials for one submission, from stdin ----
out=$(printf '%s' "$CANARY" | env -u DBUS_SESSION_BUS_ADDRESS "$GB" --policy "$P" submit --image "$IMG" --class default \
	--dataset mri-open --name gbt-key-nobus --registry-user "$RUSER" --registry-password-stdin \
	--accept-terms "$sha" --purpose t -- --cpu 0.05 --mem 8 2>&1); rc=$?
t_eq "no keyring: submit with --registry-password-stdin: exit 0" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out"
running2() { docker service ls --filter name=gbt-key-nobus --format '{{.Replicas}}' | grep -q '^1/1'; }
t_check "  the job runs" wait_for 90 running2
out=$(printf '%s' "$CANARY" | env -u DBUS_SESSION_BUS_ADDRESS "$GB" --policy "$P" login "$REG" --username "$RUSER" --password-stdin 2>&1); rc=$?
t_eq "no keyring: login checks, then says it could not store: exit 1" 1 "$rc"
t_check "  the credentials work" grep -q "the registry accepted the credentials" <<<"$out"
t_check "  no D-Bus session, and what to do" grep -q "no D-Bus session" <<<"$out"
t_check "  offers the session-only ways" grep -q "for that session only" <<<"$out"

# ---- locked, then not answering ----
gdbus call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets \
	--method org.freedesktop.Secret.Service.Lock "['/org/freedesktop/secrets/collection/login']" >/dev/null
state "locked" 1 "the keyring is locked"
out=$(submit gbt-key-locked 2>&1); rc=$?
t_check "  a submission then says to log in and why the keyring was not asked" \
	grep -q "the keyring could not be asked for credentials: the keyring is locked" <<<"$out"
out=$(gb logout "$REG" 2>&1); rc=$?
t_eq "  logout on a locked keyring: exit 1" 1 "$rc"
t_check "  and says it is locked" grep -q "the keyring is locked" <<<"$out"
items=$(gdbus call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets \
	--method org.freedesktop.Secret.Service.SearchItems "{'server': '$REG', 'docker_cli': '1'}")
t_check "  the helper's item is still there" grep -q "collection/login/" <<<"$items"

gk_stop
gk_start || t_fail "gnome-keyring restarted"
state "unlocked again" 0 "keyring: unlocked"
kill -STOP "$GK_PID"
state "not answering" 1 "the keyring service did not answer"
t_check "  within the time bound (under 8 s)" test "$LAST_MS" -lt 8000
if [ -n "${TM:-}" ]; then
	tui hung "$GB --policy $P"
	screen_has 10 hung "API 1\."
	$TM send-keys -t hung L
	t_check "console, keyring not answering: the dialog opens at once" screen_has 3 hung "Keyring: asking"
	$TM send-keys -t hung -l typed-meanwhile
	t_check "  and takes keys while the keyring is silent" screen_has 3 hung "Registry  typed-meanwhile"
	t_check "  then says the keyring did not answer" screen_has 10 hung "Keyring: the keyring service did not answer"
	keep hung
	$TM kill-session -t hung
fi
kill -CONT "$GK_PID"

n_msgs=$(for k in "${!said[@]}"; do [ "$k" = "unlocked again" ] || printf '%s\n' "${said[$k]}"; done | sort -u | wc -l)
t_eq "five states, five different messages" 5 "$n_msgs"

# ---- hygiene: the process ----
mkfifo "$work/fifo"
# As an unprivileged user, so that /proc shows the effect of PR_SET_DUMPABLE (files owned by root).
chmod 666 "$work/fifo"
setpriv --reuid=65534 --regid=65534 --clear-groups env -i HOME=/nonexistent PATH=/usr/bin:/bin \
	"$GB" submit --image "$IMG" --class default --registry-user "$RUSER" --registry-password-stdin \
	< "$work/fifo" >/dev/null 2>&1 &
pid=$!
exec 7>"$work/fifo"
sleep 0.5
t_eq "not dumpable: /proc/PID/environ belongs to root, not the process's user" "root 65534" \
	"$(stat -c %U "/proc/$pid/environ") $(awk '/^Uid:/ {print $2}' "/proc/$pid/status")"
t_eq "no core files: the core size limit is 0" "0 0" "$(awk '/^Max core file size/ {print $5, $6}' "/proc/$pid/limits")"
printf '%s' "$CANARY" >&7
exec 7>&-
wait "$pid" 2>/dev/null

# A login waiting on its password: the canary is in neither argv nor the environment.
exec 7<>"$work/fifo"
# The job must not keep the shell's write end open, or the password never reaches EOF.
( exec 7>&-; exec "$GB" --policy "$P" login "$REG" --username "$RUSER" --password-stdin < "$work/fifo" ) \
	> "$work/login.out" 2>&1 &
pid=$!
sleep 0.5
printf '%s\n' "$CANARY" >&7
sleep 0.3
leak=0
for f in cmdline environ; do
	if [ -r "/proc/$pid/$f" ] && tr '\0' '\n' < "/proc/$pid/$f" | grep -qF -f <(printf '%s\n' "$CANARY"); then leak=1; fi
done
exec 7>&-
wait "$pid"
t_eq "a running glovebox has the canary in neither argv nor environment" 0 "$leak"
t_check "  (and that login worked)" grep -q "Login Succeeded" "$work/login.out"

# ---- hygiene: every file glovebox could have written ----
XRA=$(printf '{"username":"%s","password":"%s","serveraddress":"%s"}' "$RUSER" "$CANARY" "$REG" | base64 -w0 | tr '+/' '-_')
BASIC=$(printf '%s:%s' "$RUSER" "$CANARY" | base64 -w0)
patterns() { printf '%s\n' "$CANARY" "$XRA" "$BASIC"; }
LOG=$XDG_STATE_HOME/glovebox/log
t_check "the debug log exists" test -s "$LOG"
t_check "  it has the request lines" grep -q "POST /v1.[0-9]*/auth -> 200" "$LOG"
t_check "  and names X-Registry-Auth without its value" grep -q "header X-Registry-Auth: <redacted>" "$LOG"
t_check "  the log is private (0600)" test "$(stat -c %a "$LOG")" = 600
hits=$(printf '%s' "$SCREENS" | grep -cF -f <(patterns))
t_eq "the canary is never on the console's screen" 0 "$hits"
hits=$( { find "$HOME" "$XDG_STATE_HOME" -type f -print0; find /tmp -xdev -type f -newer "$work/marker" -print0 2>/dev/null; } |
	xargs -0 -r grep -lF -f <(patterns) 2>/dev/null)
t_eq "the canary (plain, as X-Registry-Auth, as basic auth) is in no file: \$HOME, ~/.docker, the log, /tmp" "" "$hits"
HIST=$XDG_STATE_HOME/glovebox/history
if [ -n "${TM:-}" ]; then
	t_check "the prompt's history file exists" test -s "$HIST"
	t_eq "  it is private (0600)" 600 "$(stat -c %a "$HIST" 2>/dev/null)"
	t_check "  it has the bare login" grep -qx login "$HIST"
	t_check "  and no login with arguments" sh -c "! grep -q '^login[^a-z]' '$HIST'"
	t_eq "  and no canary" "" "$(grep -lF -f <(patterns) "$HIST" 2>/dev/null)"
fi
hist=$(find "$HOME" "$XDG_STATE_HOME" -iname '*hist*' ! -path "$HIST" 2>/dev/null)
t_eq "no other history file" "" "$hist"

t_end
