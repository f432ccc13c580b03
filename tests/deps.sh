#!/usr/bin/env bash
# Installs the Debian packages that building, testing and the sandbox engine need, when missing.
# Usage: tests/deps.sh   (as root; `make deps` runs it). Prints one line saying what it did.
set -u -o pipefail

# One package per line; add yours here.
PACKAGES=(
	build-essential
	pkg-config
	libncurses-dev
	libcurl4-openssl-dev
	libjansson-dev
	libsecret-1-dev
	libedit-dev
	libcmocka-dev
	clang
	libclang-rt-dev
	llvm
	docker.io
	busybox-static
	tmux
	valgrind
	jq
	docker-registry
	gnome-keyring
	dbus
	libsecret-tools
	golang-docker-credential-helpers
	apache2-utils
	procps
	psmisc
	acl
	socat
	curl
	iproute2
	iptables
	prometheus
	prometheus-node-exporter
)

installed() {
	[ "$(dpkg-query -W -f '${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

command -v dpkg-query >/dev/null || { echo "deps: not a Debian system (no dpkg-query); install by hand: ${PACKAGES[*]}" >&2; exit 1; }

missing=()
for p in "${PACKAGES[@]}"; do
	installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PACKAGES[@]} packages already installed"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing ${missing[*]}; run as root: sudo $0   (or: sudo apt-get install ${missing[*]})" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! apt-get update >"$log" 2>&1 ||
	! apt-get install -y "${missing[@]}" >>"$log" 2>&1; then
	tail -n 20 "$log" >&2
	echo "deps: failed to install ${missing[*]}" >&2
	exit 1
fi
echo "deps: installed ${missing[*]}"
