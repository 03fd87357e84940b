#!/usr/bin/env bats
# The fixture images themselves (tests/fixtures/README.md), checked with the
# peers' tools and without gocker: skopeo accepts every archive, umoci
# unpacks `layered` to the documented tree, and a rebuild is byte-for-byte
# the same. Only temp dirs of its own; nothing mounted.

REPO="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
FIX="$REPO/tests/fixtures/out"

setup_file() {
	"$REPO/tests/fixtures/build.sh" >/dev/null
}

setup() {
	TMP="$(mktemp -d /tmp/gocker-fixtures-bats.XXXXXX)"
}

teardown() {
	rm -rf "$TMP"
}

@test "fixtures: skopeo accepts the docker-save archives" {
	for n in busybox layered; do
		run skopeo inspect --config "docker-archive:$FIX/$n.docker.tar"
		echo "$output"
		[ "$status" -eq 0 ]
		[[ "$output" == *'"Cmd"'* ]]
	done
}

@test "fixtures: skopeo accepts the OCI archives (gzip and zstd layers)" {
	for n in busybox layered busybox-zstd; do
		run skopeo inspect "oci-archive:$FIX/$n.oci.tar"
		echo "$output"
		[ "$status" -eq 0 ]
	done
}

@test "fixtures: umoci unpacks layered to the documented tree" {
	mkdir "$TMP/oci"
	tar -C "$TMP/oci" -xf "$FIX/layered.oci.tar"
	umoci unpack --image "$TMP/oci:latest" "$TMP/bundle" >/dev/null
	r="$TMP/bundle/rootfs"
	[ "$(cat "$r/data/keep.txt")" = keep ]
	[ ! -e "$r/data/deleted.txt" ]
	[ "$(ls "$r/olddir")" = new ]
	[ "$(stat -c %i "$r/data/hardlink")" = "$(stat -c %i "$r/data/keep.txt")" ]
	[ "$(readlink "$r/data/symlink")" = keep.txt ]
	[ "$(stat -c %a "$r/data/setuid")" = 4755 ]
	[ "$(getfattr --only-values -n user.gocker "$r/data/xattr")" = test ]
	[ "$(stat -c %u:%g "$r/data/owned")" = 1000:1000 ]
	[ "$(stat -c %u:%g "$r/home/app")" = 1000:1000 ]
	[ "$(stat -c %a "$r/tmp")" = 1777 ]
	[ "$(stat -c %a "$r/root")" = 700 ]
	[ "$(stat -c %i "$r/bin/sh")" = "$(stat -c %i "$r/bin/busybox")" ]
	grep -q '^app:x:1000:1000:' "$r/etc/passwd"
	grep -q '^staff:x:50:app$' "$r/etc/group"
}

@test "fixtures: a rebuild is byte-for-byte the same" {
	local py=/usr/bin/python3
	[ -x "$py" ] || py=python3
	"$py" "$REPO/tests/fixtures/images.py" "$TMP/out"
	for f in busybox.docker.tar busybox.oci.tar busybox-zstd.oci.tar layered.docker.tar layered.oci.tar; do
		cmp "$FIX/$f" "$TMP/out/$f"
	done
}
