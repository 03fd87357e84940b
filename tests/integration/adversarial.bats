#!/usr/bin/env bats
# The adversarial archives of tests/fixtures/adversarial.py, one per image
# attack of the security floor: `gocker load` refuses each with exit 125 and
# the message EXPECTED.tsv names, nothing appears or changes outside the
# store, the store is left exactly as it was (no images, layers, blobs or
# temp leftovers), and good images still load afterwards. Archives marked
# LOADS are legitimate but tricky: they load without touching anything
# outside the store.
#
# Where an escape would land: relative attacks climb at most 6 levels from
# the layer's temp dir ($GOCKER_ROOT/tmp/X), and GOCKER_ROOT sits 9 levels
# deep in this file's temp dir, so they land inside it; absolute ones aim
# into the canary dir /tmp/gocker-adversarial-canary, planted here (it is
# shared by concurrent runs and stays, with fixed content). No attack names a
# real system file.

REPO="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
FIX="$REPO/tests/fixtures/out"
ADV="$FIX/adversarial"
CANARY=/tmp/gocker-adversarial-canary

setup_file() {
	"$REPO/tests/fixtures/build.sh" >/dev/null
	T="$(mktemp -d /tmp/gocker-adversarial.XXXXXX)"
	NEST="$T/n1/n2/n3/n4/n5/n6/n7/n8"
	WORK="$NEST/work/w1/w2" # gocker's cwd: ../../etc/shadow is a canary
	export T NEST WORK
	export GOCKER_ROOT="$NEST/root" GOCKER_RUN="$T/run" GOCKER_MAX_LAYER_SIZE=64M
	mkdir -p "$WORK" "$NEST/work/etc" "$T/n1/n2/n3/n4/n5/etc"
	printf 'canary\n' >"$NEST/work/etc/shadow"
	printf 'canary\n' >"$T/n1/n2/n3/n4/n5/etc/shadow"
	chmod 600 "$NEST/work/etc/shadow" "$T/n1/n2/n3/n4/n5/etc/shadow"
	plant_canary
	# A store that already holds an image: "left as it was" means something.
	if (cd "$WORK" && "$GOCKER_BIN" load -i "$FIX/busybox.docker.tar") >/dev/null 2>&1; then
		export HAVE_LOAD=1
	fi
}

teardown_file() {
	[ -n "${T:-}" ] || return 0
	! grep -q " $T/" /proc/self/mounts || false
	rm -rf "$T"
}

# The shared canary: created once with fixed content, mode and times, so
# concurrent runs see the same thing and never change it.
plant_canary() {
	mkdir -p "$CANARY"
	local f
	for f in shadow passwd; do
		if [ ! -e "$CANARY/$f" ]; then
			printf 'canary\n' >"$CANARY/$f.$$"
			chmod 600 "$CANARY/$f.$$"
			touch -d @1704067200 "$CANARY/$f.$$"
			mv -n "$CANARY/$f.$$" "$CANARY/$f"
			rm -f "$CANARY/$f.$$"
		fi
	done
	chmod 755 "$CANARY"
	touch -d @1704067200 "$CANARY"
}

setup() {
	[ -n "${HAVE_LOAD:-}" ] || skip "gocker load does not work yet"
	cd "$WORK"
}

# Everything outside the store: this file's temp dir (without GOCKER_ROOT
# and GOCKER_RUN), the canary, and stray names at / and in /tmp.
outside() {
	find "$T" \( -path "$GOCKER_ROOT" -o -path "$GOCKER_RUN" \) -prune -o \
		-printf '%P %y %m %n %U:%G %s %T@\n' | sort
	find "$CANARY" -printf 'canary %P %y %m %n %U:%G %s %T@\n' | sort
	ls -d /gocker-pwn* /tmp/gocker-pwn* /tmp/pwn* 2>/dev/null || true
}

# The whole store: every name, type, mode, link count and size, and the
# index's content.
store() {
	(cd "$GOCKER_ROOT" && find . ! -type d -printf '%p %y %m %n %s\n' &&
		find . -type d -printf '%p %y %m\n') | sort
	cat "$GOCKER_ROOT/images.json"
}

# Blobs and layers only (images.json may be rewritten by rmi).
objects() {
	(cd "$GOCKER_ROOT" && find blobs layers -printf '%p %y %m %n %s\n') | sort
}

expected_for() { # FILE
	awk -F'\t' -v f="$1" '$1 == f { print $2; found = 1 } END { exit !found }' \
		"$ADV/EXPECTED.tsv"
}

same() { # NAME BEFORE AFTER
	if [ "$2" != "$3" ]; then
		echo "$1 changed:"
		diff <(echo "$2") <(echo "$3") || true
		return 1
	fi
}

tmp_empty() {
	local left
	left=$(ls -A "$GOCKER_ROOT/tmp")
	[ -z "$left" ] || {
		echo "store tmp/ leftovers: $left"
		return 1
	}
}

refused() { # NAME (archive NAME.tar)
	local f=$1.tar expected out0 store0
	expected=$(expected_for "$f")
	[ "$expected" != LOADS ]
	out0=$(outside)
	store0=$(store)
	run "$GOCKER_BIN" load -i "$ADV/$f"
	echo "status $status: $output"
	[ "$status" -eq 125 ]
	[[ "$output" == "gocker: "* ]]
	[[ "$output" == *"$expected"* ]]
	same "outside the store" "$out0" "$(outside)"
	same "the store" "$store0" "$(store)"
	tmp_empty
	run "$GOCKER_BIN" images -q
	[ "$status" -eq 0 ]
	[[ "$output" != *adv-* ]]
}

loads() { # NAME: loads, then rmi brings the store's objects back
	local f=$1.tar out0 objects0
	[ "$(expected_for "$f")" = LOADS ]
	out0=$(outside)
	objects0=$(objects)
	run "$GOCKER_BIN" load -i "$ADV/$f"
	echo "status $status: $output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Loaded image: adv-$1:latest"* ]]
	same "outside the store" "$out0" "$(outside)"
	tmp_empty
}

unload() { # NAME OBJECTS_BEFORE
	run "$GOCKER_BIN" rmi "adv-$1:latest"
	echo "rmi: $output"
	[ "$status" -eq 0 ]
	same "store objects after rmi" "$2" "$(objects)"
	tmp_empty
}

# The unpacked top layer of an image (LowerDir lists the top one first).
layer_dir() { # IMAGE
	"$GOCKER_BIN" image inspect -f '{{.GraphDriver.Data.LowerDir}}' "$1" | cut -d: -f1
}

# loads_check NAME CHECK: load, CHECK the top layer's dir ($1), rmi.
loads_check() {
	local objects0
	objects0=$(objects)
	loads "$1"
	"$2" "$(layer_dir "adv-$1:latest")"
	unload "$1" "$objects0"
}

# Layer tarballs
@test "adversarial: ../ traversal" { refused traversal-dotdot; }
@test "adversarial: ../ in the middle of a path" { refused traversal-mid; }
@test "adversarial: absolute path" { refused absolute-path; }
@test "adversarial: symlink to an absolute dir, then write through it" { refused symlink-abs-then-write; }
@test "adversarial: symlink a -> ../../.., then a/x" { refused symlink-rel-then-write; }
@test "adversarial: . as a symlink to /" { refused dot-symlink-root; }
@test "adversarial: hard link to ../../etc/shadow" { refused hardlink-dotdot; }
@test "adversarial: hard link to an absolute path" { refused hardlink-absolute; }
@test "adversarial: symlink to a dir, then a hard link through it" { refused symlink-then-hardlink; }
@test "adversarial: directory, then a symlink of that name, then a write through it" { refused dir-then-symlink-write; }
@test "adversarial: a/b/f, file a, then a/b/g" { refused nested-parent-replaced; }
@test "adversarial: whiteout .wh." { refused whiteout-empty; }
@test "adversarial: whiteout .wh.." { refused whiteout-dot; }
@test "adversarial: whiteout x/.wh..." { refused whiteout-dotdot; }
@test "adversarial: device major 2^33 (base-256 header field)" { refused device-major-base256; }
@test "adversarial: device major 2^33+1 (pax SCHILY.devmajor)" { refused device-major-pax; }
@test "adversarial: owner uid 2^32 (pax)" { refused owner-uid-2p32; }
@test "adversarial: path longer than 4096 bytes" { refused path-too-long; }
@test "adversarial: path 2000 components deep" { refused path-depth-2000; }
@test "adversarial: gzip bomb past GOCKER_MAX_LAYER_SIZE" { refused gzip-bomb; }

# Compression and digests
@test "adversarial: xz-compressed layer" { refused layer-xz; }
@test "adversarial: OCI layer labelled gzip holding xz" { refused oci-mislabelled-xz; }
@test "adversarial: docker-save layer whose diff_id does not match" { refused diff-id-mismatch; }
@test "adversarial: OCI blob digest right, diff_id wrong" { refused oci-diff-id-mismatch; }
@test "adversarial: OCI blob whose content is not its digest" { refused oci-blob-wrong-digest; }
@test "adversarial: OCI index naming sha256:../../../../etc/shadow" { refused oci-digest-traversal; }

# docker-save manifest.json
@test "adversarial: manifest.json layer ../../etc/shadow" { refused manifest-layer-dotdot; }
@test "adversarial: manifest.json layer at an absolute path" { refused manifest-layer-absolute; }
@test "adversarial: manifest.json layer that is a symlink member" { refused manifest-layer-symlink; }
@test "adversarial: manifest.json Config that is a symlink member" { refused manifest-config-symlink; }

@test "adversarial: refused from stdin too" {
	local out0 store0
	out0=$(outside)
	store0=$(store)
	run "$GOCKER_BIN" load <"$ADV/symlink-rel-then-write.tar"
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"$(expected_for symlink-rel-then-write.tar)"* ]]
	same "outside the store" "$out0" "$(outside)"
	same "the store" "$store0" "$(store)"
	tmp_empty
}

# Legitimate but tricky
@test "adversarial (loads): directory replaced by a symlink keeps the target's mode and times" {
	local objects0
	objects0=$(objects)
	loads dir-then-symlink-meta
	local d
	d=$(layer_dir adv-dir-then-symlink-meta:latest)
	[ -L "$d/d" ]
	[ "$(readlink "$d/d")" = "$CANARY" ]
	[ "$(stat -c '%a %Y' "$CANARY")" = "755 1704067200" ]
	unload dir-then-symlink-meta "$objects0"
}

second_wins() { [ "$(cat "$1/a/f")" = two ]; }
@test "adversarial (loads): an entry below the top level given twice: the second wins" {
	loads_check nested-file-twice second_wins
}

dir_now_symlink() {
	[ -L "$1/a/d" ]
	[ "$(readlink "$1/a/d")" = ../hello ]
	[ "$(cat "$1/a/after")" = after ]
}
@test "adversarial (loads): a directory below the top level replaced by a symlink" {
	loads_check nested-dir-then-symlink dir_now_symlink
}

@test "adversarial (loads): trusted.* and security.selinux xattrs dropped, user.* kept" {
	local objects0
	objects0=$(objects)
	loads xattr-trusted
	local d
	d=$(layer_dir adv-xattr-trusted:latest)
	[ -f "$d/x" ]
	run getfattr --absolute-names -d -m - "$d/x"
	echo "$output"
	[[ "$output" == *'user.kept="yes"'* ]]
	[[ "$output" != *trusted.* ]]
	[[ "$output" != *security.selinux* ]]
	unload xattr-trusted "$objects0"
}

@test "adversarial (loads): an outer member named ../../... is never written out" {
	local objects0
	objects0=$(objects)
	loads outer-member-dotdot
	[ -z "$(find "$T" -name 'gocker-pwn*')" ]
	unload outer-member-dotdot "$objects0"
}

@test "adversarial: every archive in EXPECTED.tsv has a test here" {
	local f missing=
	while IFS=$'\t' read -r f _; do
		case $f in '#'*) continue ;; esac
		grep -Eq "(refused|loads|loads_check) ${f%.tar}( |;|$)|/${f}\"" "$BATS_TEST_FILENAME" || missing="$missing $f"
	done <"$ADV/EXPECTED.tsv"
	[ -z "$missing" ] || {
		echo "untested:$missing"
		return 1
	}
}

@test "adversarial: afterwards good images still load and list" {
	run "$GOCKER_BIN" load -i "$FIX/layered.oci.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: layered:latest" ]
	run "$GOCKER_BIN" load -i "$FIX/busybox.docker.tar"
	[ "$status" -eq 0 ]
	run "$GOCKER_BIN" images
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *busybox*latest* ]]
	[[ "$output" == *layered*latest* ]]
	[[ "$output" != *adv-* ]]
	tmp_empty
	[ -z "$(find "$T" -name 'gocker-pwn*')" ]
}
