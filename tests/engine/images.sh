# The sandbox images, shared by sandbox.sh and multinode.sh (sourced, not run).
# Both are built FROM scratch out of Debian's static busybox and tests/fixtures/load.c, so
# nothing is pulled. The caller sets DOCKER (client), BUSYBOX, LOAD_SRC, BUILD_DIR and DOCKER_HOST,
# and defines say and die.

# image_current TAG HASH: does TAG exist with label glovebox.source=HASH?
image_current() {
	[ "$("$DOCKER" image inspect --format '{{index .Config.Labels "glovebox.source"}}' "$1" 2>/dev/null)" = "$2" ]
}

# build_image TAG DIR HASH: builds DIR as TAG, then drops the image TAG named before.
build_image() {
	local tag=$1 dir=$2 hash=$3 old new out
	old=$("$DOCKER" image inspect --format '{{.Id}}' "$tag" 2>/dev/null)
	say "building $tag"
	out=$("$DOCKER" build --network none --force-rm -q --label "glovebox.source=$hash" -t "$tag" "$dir" 2>&1) ||
		die "building $tag failed: $out"
	new=$("$DOCKER" image inspect --format '{{.Id}}' "$tag" 2>/dev/null)
	if [ -n "$old" ] && [ "$old" != "$new" ]; then
		"$DOCKER" image rm "$old" >/dev/null 2>&1 || true
	fi
}

BUSYBOX_DOCKERFILE='FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN ["/bin/busybox", "mkdir", "-m", "1777", "/tmp"]
CMD ["sh"]
'
LOAD_DOCKERFILE='FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN ["/bin/busybox", "mkdir", "-m", "1777", "/tmp"]
COPY load /load
ENTRYPOINT ["/load"]
'
LOAD_CFLAGS=(-std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -static)

fresh_dir() {
	rm -rf "$1"
	mkdir -p "$1" || die "cannot create $1"
}

ensure_images() {
	local bb_hash load_hash dir
	bb_hash=$({ printf '%s' "$BUSYBOX_DOCKERFILE"; cat "$BUSYBOX"; } | sha256sum | cut -c1-16)
	load_hash=$({ printf '%s %s' "$LOAD_DOCKERFILE" "${LOAD_CFLAGS[*]}"; cat "$BUSYBOX" "$LOAD_SRC"; } |
		sha256sum | cut -c1-16)

	if ! image_current glovebox/busybox:latest "$bb_hash"; then
		dir=$BUILD_DIR/busybox
		fresh_dir "$dir"
		cp "$BUSYBOX" "$dir/busybox" || die "cannot copy $BUSYBOX"
		printf '%s' "$BUSYBOX_DOCKERFILE" > "$dir/Dockerfile"
		build_image glovebox/busybox:latest "$dir" "$bb_hash"
	fi
	if ! image_current glovebox/load:latest "$load_hash"; then
		dir=$BUILD_DIR/load
		fresh_dir "$dir"
		cp "$BUSYBOX" "$dir/busybox" || die "cannot copy $BUSYBOX"
		cc "${LOAD_CFLAGS[@]}" -o "$dir/load" "$LOAD_SRC" -lpthread ||
			die "cannot compile $LOAD_SRC"
		printf '%s' "$LOAD_DOCKERFILE" > "$dir/Dockerfile"
		build_image glovebox/load:latest "$dir" "$load_hash"
	fi
}

# images_copy DOCKER_HOST_TO: gives the engine at DOCKER_HOST_TO the images of the engine at
# DOCKER_HOST, by save and load, when it lacks them or has other ones (same image ID = same image).
images_copy() {
	local to=$1 tag id
	for tag in glovebox/busybox:latest glovebox/load:latest; do
		id=$("$DOCKER" image inspect --format '{{.Id}}' "$tag" 2>/dev/null) || die "no image $tag to copy"
		[ "$(DOCKER_HOST=$to "$DOCKER" image inspect --format '{{.Id}}' "$tag" 2>/dev/null)" = "$id" ] && continue
		"$DOCKER" save "$tag" | DOCKER_HOST=$to "$DOCKER" load -q >/dev/null ||
			die "cannot load $tag into $to"
	done
}
