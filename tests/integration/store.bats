#!/usr/bin/env bats
# The image store: gocker load / images / rmi / image inspect, the unpacked
# layer trees, and hostile archives. Each test has its own GOCKER_ROOT.

REPO="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
FIX="${GOCKER_FIXTURES:-$REPO/tests/fixtures/out}"
MKIMAGE="$BATS_TEST_DIRNAME/lib/mkimage.py"

# What the `layered` fixture holds (see tests/fixtures/README.md).
WHITEOUT=data/deleted.txt # added in layer A, deleted in layer B
OPAQUE=olddir              # replaced by an opaque directory ...
OPAQUE_OLD=a               # ... that no longer shows this
OPAQUE_NEW=new             # ... only this
HARDLINK=data/hardlink
HARDLINK_TARGET=data/keep.txt
SYMLINK=data/symlink
SYMLINK_TARGET=keep.txt
SETUID=data/setuid
XATTR_FILE=data/xattr
XATTR_NAME=user.gocker
XATTR_VALUE=test
OWNED=data/owned
BUSYBOX_ID=sha256:444548f33476d2a32cbef63f29269d47c7802837083f73591dd77a7649da0005
LAYERED_ID=sha256:54dd9db2ad4cc434473f8f4692e2c6b9f6bd64d717e0b4f88581683ade2afeee

setup() {
	TMP="$(mktemp -d /tmp/gocker-store-bats.XXXXXX)"
	export GOCKER_ROOT="$TMP/root" GOCKER_RUN="$TMP/run"
	G="$GOCKER_BIN"
}

teardown() {
	if mountpoint -q "$TMP/merged" 2>/dev/null; then umount "$TMP/merged"; fi
	# Nothing of ours may stay mounted.
	! grep -q " $TMP/" /proc/self/mounts || false
	rm -rf "$TMP"
}

need_fixture() {
	[ -f "$FIX/$1" ] || skip "fixture $1 not built (tests/fixtures/build.sh)"
}

# mkimage OUT.tar JSON-SPEC (see lib/mkimage.py)
mkimage() {
	python3 "$MKIMAGE" "$1" <<<"$2"
}

count() { find "$1" -mindepth 1 -maxdepth 1 "${@:2}" | wc -l; }

# Layer dirs of an image, top layer first.
layers_of() {
	"$G" image inspect -f '{{.GraphDriver.Data.LowerDir}}' "$1" | tr ':' '\n'
}

# The topmost layer dir of image $1 that has path $2.
layer_with() {
	local d
	for d in $(layers_of "$1"); do
		if [ -e "$d/$2" ] || [ -L "$d/$2" ]; then
			echo "$d"
			return 0
		fi
	done
	return 1
}

@test "load a docker-save archive of busybox" {
	need_fixture busybox.docker.tar
	run "$G" load -i "$FIX/busybox.docker.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: busybox:latest" ]
	run "$G" images
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" =~ ^busybox\ +latest\ +[0-9a-f]{12}\ +.+\ ago\ +[0-9.]+[kMG]?B$ ]]
	[ "$(stat -c %a "$GOCKER_ROOT/layers")" = 700 ]
	[ "$(stat -c %a "$GOCKER_ROOT/blobs")" = 700 ]
	[ "$(stat -c %a "$GOCKER_ROOT")" = 700 ]
	[ "$("$G" image inspect -f '{{.Id}}' busybox)" = "$BUSYBOX_ID" ]
}

@test "load an OCI archive of busybox, from stdin" {
	need_fixture busybox.oci.tar
	run "$G" load <"$FIX/busybox.oci.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: busybox:latest" ]
	run "$G" image inspect -f '{{.Os}}/{{.Architecture}} {{json .Config.Cmd}}' busybox
	[ "$status" -eq 0 ]
	[ "$output" = 'linux/amd64 ["sh"]' ]
	[ "$("$G" image inspect -f '{{.Id}}' busybox)" = "$BUSYBOX_ID" ]
}

@test "load an OCI archive with a zstd layer" {
	need_fixture busybox-zstd.oci.tar
	run "$G" load -i "$FIX/busybox-zstd.oci.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: busybox-zstd:latest" ]
	[ "$("$G" image inspect -f '{{.Id}}' busybox-zstd)" = "$BUSYBOX_ID" ]
	d="$(layers_of busybox-zstd)"
	[ -x "$d/bin/busybox" ]
	[ "$(stat -c %i "$d/bin/sh")" = "$(stat -c %i "$d/bin/busybox")" ]
}

@test "both formats of layered load as the same image" {
	need_fixture layered.docker.tar
	need_fixture layered.oci.tar
	run "$G" load -q -i "$FIX/layered.docker.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: layered:latest" ]
	id1="$("$G" images -q layered)"
	run "$G" load -i "$FIX/layered.oci.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: layered:latest" ]
	[ "$("$G" images -q layered)" = "$id1" ]
	[ "sha256:$("$G" images -q --no-trunc layered | cut -c8-)" = "$LAYERED_ID" ]
	[ "$(layers_of layered | wc -l)" -eq 4 ]
}

@test "the unpacked layered tree is exactly right" {
	need_fixture layered.docker.tar
	"$G" load -i "$FIX/layered.docker.tar"
	# whiteout: a 0:0 character device
	d="$(layer_with layered "$WHITEOUT")"
	[ "$(stat -c '%F %t:%T' "$d/$WHITEOUT")" = "character special file 0:0" ]
	# opaque directory
	d="$(layer_with layered "$OPAQUE/$OPAQUE_NEW")"
	[ "$(getfattr --only-values -n trusted.overlay.opaque "$d/$OPAQUE")" = y ]
	# hard link shares the inode
	d="$(layer_with layered "$HARDLINK")"
	[ "$(stat -c %i "$d/$HARDLINK")" = "$(stat -c %i "$d/$HARDLINK_TARGET")" ]
	[ "$(stat -c %h "$d/$HARDLINK")" -ge 2 ]
	# symlink kept as a symlink
	d="$(layer_with layered "$SYMLINK")"
	[ -L "$d/$SYMLINK" ]
	[ "$(readlink "$d/$SYMLINK")" = "$SYMLINK_TARGET" ]
	# setuid bit survives the chown
	d="$(layer_with layered "$SETUID")"
	[ -u "$d/$SETUID" ]
	# numeric owner
	d="$(layer_with layered "$OWNED")"
	[ "$(stat -c %u:%g "$d/$OWNED")" = 1000:1000 ]
	# user xattr kept; nothing from trusted.* but overlayfs's own
	d="$(layer_with layered "$XATTR_FILE")"
	[ "$(getfattr --only-values -n "$XATTR_NAME" "$d/$XATTR_FILE")" = "$XATTR_VALUE" ]
	run getfattr -d -m '^trusted\.' --absolute-names "$d/$XATTR_FILE"
	[ -z "$output" ]
}

@test "an overlay mount of the layers shows the merged tree" {
	need_fixture layered.docker.tar
	"$G" load -i "$FIX/layered.docker.tar"
	lower="$("$G" image inspect -f '{{.GraphDriver.Data.LowerDir}}' layered)"
	mkdir -p "$TMP/merged"
	mount -t overlay overlay -o "ro,lowerdir=$lower" "$TMP/merged"
	m="$TMP/merged"
	[ ! -e "$m/$WHITEOUT" ]
	[ -f "$m/$OPAQUE/$OPAQUE_NEW" ]
	[ ! -e "$m/$OPAQUE/$OPAQUE_OLD" ]
	[ "$(stat -c %i "$m/$HARDLINK")" = "$(stat -c %i "$m/$HARDLINK_TARGET")" ]
	[ -u "$m/$SETUID" ]
	[ "$(stat -c %u:%g "$m/$OWNED")" = 1000:1000 ]
	[ -x "$m/bin/busybox" ]
	umount "$m"
}

@test "loading the same image twice stores nothing twice" {
	need_fixture layered.docker.tar
	need_fixture busybox.docker.tar
	"$G" load -i "$FIX/layered.docker.tar"
	"$G" load -i "$FIX/busybox.docker.tar"
	blobs=$(count "$GOCKER_ROOT/blobs/sha256")
	layers=$(count "$GOCKER_ROOT/layers" -type d)
	json="$(cat "$GOCKER_ROOT/images.json")"
	run "$G" load -i "$FIX/layered.docker.tar"
	[ "$status" -eq 0 ]
	[ "$(count "$GOCKER_ROOT/blobs/sha256")" -eq "$blobs" ]
	[ "$(count "$GOCKER_ROOT/layers" -type d)" -eq "$layers" ]
	[ "$(count "$GOCKER_ROOT/tmp")" -eq 0 ]
	[ "$("$G" images -q | wc -l)" -eq 2 ]
}

shared_images() {
	base='[{"path":"etc","type":"dir"},{"path":"etc/base","data":"base\n"}]'
	mkimage "$TMP/a.tar" '{"name":"a:1","layers":['"$base"',[{"path":"a","data":"a\n"}]]}'
	mkimage "$TMP/b.tar" '{"name":"b:1","layers":['"$base"',[{"path":"b","data":"b\n"}]]}'
}

@test "layered shares busybox's base layer; rmi layered keeps it" {
	need_fixture layered.docker.tar
	need_fixture busybox.oci.tar
	"$G" load -i "$FIX/busybox.oci.tar"
	"$G" load -i "$FIX/layered.docker.tar"
	[ "$(count "$GOCKER_ROOT/layers" -type d)" -eq 4 ]
	base="$(layers_of busybox)"
	[ "$base" = "$(layers_of layered | tail -n1)" ]
	run "$G" rmi layered
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Untagged: layered:latest" ]
	[ "${lines[1]}" = "Deleted: $LAYERED_ID" ]
	[ "${#lines[@]}" -eq 5 ] # the image and its three own layers
	[ "$(count "$GOCKER_ROOT/layers" -type d)" -eq 1 ]
	[ -x "$base/bin/busybox" ]
	run "$G" rmi busybox
	[ "$status" -eq 0 ]
	[ "$(count "$GOCKER_ROOT/layers")" -eq 0 ]
	[ "$(count "$GOCKER_ROOT/blobs/sha256")" -eq 0 ]
}

@test "rmi frees exactly the layers no other image uses" {
	shared_images
	"$G" load -i "$TMP/a.tar"
	"$G" load -i "$TMP/b.tar"
	[ "$(count "$GOCKER_ROOT/layers" -type d)" -eq 3 ]
	base="$(layers_of a:1 | tail -n1)"
	top_a="$(layers_of a:1 | head -n1)"
	top_b="$(layers_of b:1 | head -n1)"
	[ "$base" = "$(layers_of b:1 | tail -n1)" ]
	id_a="$("$G" image inspect -f '{{.Id}}' a:1)"
	run "$G" rmi a:1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Untagged: a:1" ]
	[ "${lines[1]}" = "Deleted: $id_a" ]
	[ ! -e "$top_a" ]
	[ -d "$base" ]
	[ -d "$top_b" ]
	[ "$(count "$GOCKER_ROOT/layers" -type d)" -eq 2 ]
	run "$G" rmi b
	[ "$status" -eq 125 ] || [ "$status" -eq 1 ]
	[[ "$output" == *"No such image: b"* ]]
	"$G" rmi b:1
	[ "$(count "$GOCKER_ROOT/layers")" -eq 0 ]
	[ "$(count "$GOCKER_ROOT/blobs/sha256")" -eq 0 ]
	[ -z "$("$G" images -q)" ]
}

@test "an rmi cut short leaves no half-deleted layer: the next load unpacks it whole" {
	need_fixture busybox.docker.tar
	"$G" load -i "$FIX/busybox.docker.tar"
	layer="$(ls -d "$GOCKER_ROOT"/layers/*/)"
	files="$(find "$layer" | wc -l)"
	# a file that cannot be deleted stops the removal half way
	chattr +i "$layer/bin/busybox" || skip "no chattr on this filesystem"
	run "$G" rmi busybox
	echo "$output"
	stuck="$(find "$GOCKER_ROOT/tmp" -name busybox -path '*/bin/*')"
	# undone wherever the file is, so that teardown can remove it
	for f in $stuck "$layer/bin/busybox"; do chattr -i "$f" 2>/dev/null || true; done
	[ "$status" -ne 0 ]
	[ ! -e "$layer" ]
	[ -n "$stuck" ]
	"$G" load -i "$FIX/busybox.docker.tar"
	[ "$(find "$layer" | wc -l)" -eq "$files" ]
	run "$G" run --rm --network none busybox true
	[ "$status" -eq 0 ]
}

# A layer may hold a path of nearly PATH_MAX (pax headers allow it): below
# the store's own prefix it is longer than PATH_MAX, and a removal by full
# path could never delete it (rmi, nor the stale temp sweep after it).
@test "a layer with a 4090-byte path: run --rm reads it, rmi removes it all" {
	need_fixture busybox.docker.tar
	tar -xOf "$FIX/busybox.docker.tar" --wildcards '*/layer.tar' >"$TMP/busybox.layer.tar"
	long="$(python3 -c 'print("/".join(["d" * 254] * 16) + "/" + "f" * 10)')"
	[ "${#long}" -eq 4090 ]
	mkimage "$TMP/long.tar" '{"name":"long:1","layers":["'"$TMP/busybox.layer.tar"'",[{"path":"'"$long"'","data":"deep\n"}]]}'
	"$G" load -i "$TMP/long.tar"
	run "$G" run --rm --network none long:1 cat "/$long"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = deep ]
	[ -z "$(ls "$GOCKER_ROOT/containers")" ]
	[ -z "$(ls "$GOCKER_RUN/containers" 2>/dev/null)" ]
	run "$G" rmi long:1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(count "$GOCKER_ROOT/layers")" -eq 0 ]
	[ "$(count "$GOCKER_ROOT/tmp")" -eq 0 ]
}

@test "rmi of one of two names only untags; by id removes all" {
	shared_images
	"$G" load -i "$TMP/a.tar"
	id="$("$G" images -q a)"
	# a second name for the same image
	mkimage "$TMP/a2.tar" '{"name":"a:2","layers":[[{"path":"etc","type":"dir"},{"path":"etc/base","data":"base\n"}],[{"path":"a","data":"a\n"}]]}'
	"$G" load -i "$TMP/a2.tar"
	[ "$("$G" images -q | wc -l)" -eq 2 ]
	run "$G" rmi a:2
	[ "$output" = "Untagged: a:2" ]
	"$G" load -i "$TMP/a2.tar"
	run "$G" rmi "$id"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Untagged: a:1"* ]]
	[[ "$output" == *"Untagged: a:2"* ]]
	[[ "$output" == *"Deleted: sha256:$id"* ]]
	[ "$(count "$GOCKER_ROOT/layers")" -eq 0 ]
}

@test "rmi refuses an image a container uses, unless -f" {
	shared_images
	"$G" load -i "$TMP/a.tar"
	id="$("$G" image inspect -f '{{.Id}}' a:1)"
	mkdir -p "$GOCKER_ROOT/containers/c0ffee0123456789"
	printf '{"Image": "%s"}\n' "$id" >"$GOCKER_ROOT/containers/c0ffee0123456789/config.json"
	run "$G" rmi a:1
	[ "$status" -ne 0 ]
	[[ "$output" == *"container c0ffee012345 is using"* ]]
	run "$G" rmi "$id"
	[ "$status" -ne 0 ]
	[[ "$output" == *"being used by container c0ffee012345"* ]]
	run "$G" rmi -f "$id"
	[ "$status" -eq 0 ]
	[ "$output" = "Untagged: a:1" ]
	# the container's layers stay
	[ "$(count "$GOCKER_ROOT/layers" -type d)" -eq 2 ]
	run "$G" images
	[[ "${lines[1]}" =~ ^\<none\>\ +\<none\>\ + ]]
}

@test "images: columns, -q, --no-trunc, --format json and templates" {
	shared_images
	"$G" load -i "$TMP/a.tar"
	"$G" load -i "$TMP/b.tar"
	run "$G" images
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^REPOSITORY\ {3}TAG\ {7}IMAGE\ ID\ {7}CREATED\ +SIZE$ ]]
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[1]}" =~ ^a\ +1\ +[0-9a-f]{12}\ +[0-9]+\ years\ ago\ +[0-9.]+[kM]?B$ ]]
	run "$G" images -q
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" =~ ^[0-9a-f]{12}$ ]]
	run "$G" images -q --no-trunc b
	[[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
	run "$G" images --format json a
	[ "$status" -eq 0 ]
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["Repository"]=="a" and d["Tag"]=="1" and len(d["ID"])==12 and d["Size"].endswith("B"), d' "$output"
	run "$G" images --format '{{.Repository}}:{{.Tag}}'
	[ "${lines[0]}" = "a:1" ] || [ "${lines[0]}" = "b:1" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "loading another image under a taken name leaves the old one untagged" {
	mkimage "$TMP/v1.tar" '{"name":"app:1","layers":[[{"path":"v","data":"1\n"}]]}'
	mkimage "$TMP/v2.tar" '{"name":"app:1","layers":[[{"path":"v","data":"2\n"}]]}'
	"$G" load -i "$TMP/v1.tar"
	old="$("$G" image inspect -f '{{.Id}}' app:1)"
	run "$G" load -i "$TMP/v2.tar"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "The image app:1 already exists, renaming the old one with ID $old to empty string" ]
	[ "${lines[1]}" = "Loaded image: app:1" ]
	[ "$("$G" image inspect -f '{{json .RepoTags}}' "$old")" = "[]" ]
	[ "$("$G" images -q | wc -l)" -eq 2 ]
	# loading the same again renames nothing
	run "$G" load -i "$TMP/v2.tar"
	[ "$output" = "Loaded image: app:1" ]
}

@test "tag adds names; rmi by id refuses names in several repositories without -f" {
	shared_images
	"$G" load -i "$TMP/a.tar"
	"$G" tag a:1 a:latest
	"$G" image tag a 127.0.0.1:5000/x/a:v2
	run "$G" images --format '{{.Repository}}:{{.Tag}}'
	[ "${#lines[@]}" -eq 3 ]
	[[ "$output" == *"127.0.0.1:5000/x/a:v2"* ]]
	run "$G" tag a:1 'b@sha256:0000000000000000000000000000000000000000000000000000000000000000'
	[ "$status" -eq 125 ]
	run "$G" tag nosuch x:1
	[ "$status" -eq 1 ]
	[[ "$output" == *"No such image: nosuch"* ]]
	id="$("$G" images -q a:1)"
	run "$G" rmi "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"image is referenced in multiple repositories"* ]]
	run "$G" rmi -f "$id"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^Untagged: ' <<<"$output")" -eq 3 ]
	[ -z "$("$G" images -q)" ]
}

@test "images --filter dangling and reference" {
	shared_images
	"$G" load -i "$TMP/a.tar"
	"$G" load -i "$TMP/b.tar"
	mkimage "$TMP/u.tar" '{"name":null,"layers":[[{"path":"x","data":"x\n"}]]}'
	"$G" load -i "$TMP/u.tar"
	run "$G" images -q -f dangling=true
	[ "${#lines[@]}" -eq 1 ]
	run "$G" images --format '{{.Repository}}' --filter dangling=false
	[ "${#lines[@]}" -eq 2 ]
	run "$G" images --format '{{.Repository}}:{{.Tag}}' -f 'reference=a*'
	[ "$output" = "a:1" ]
	run "$G" images -f bogus=1
	[ "$status" -eq 125 ]
}

@test "an untagged image loads by id and lists as <none>" {
	mkimage "$TMP/u.tar" '{"name":null,"layers":[[{"path":"x","data":"x\n"}]]}'
	run "$G" load -i "$TMP/u.tar"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^Loaded\ image\ ID:\ sha256:[0-9a-f]{64}$ ]]
	id="${output#Loaded image ID: }"
	run "$G" images
	[[ "${lines[1]}" =~ ^\<none\>\ +\<none\>\ +${id:7:12} ]]
	run "$G" image inspect -f '{{.Id}} {{json .RepoTags}}' "${id:7:8}"
	[ "$output" = "$id []" ]
	"$G" image rm "${id:7:12}"
	[ -z "$("$G" image ls -q)" ]
}

@test "load the newer docker-save layout (blobs/sha256, symlinked layer.tar)" {
	base='[{"path":"etc","type":"dir"},{"path":"etc/base","data":"base\n"}]'
	mkimage "$TMP/n.tar" '{"name":"new:1","layout":"blobs","layers":['"$base"']}'
	run "$G" load -i "$TMP/n.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: new:1" ]
	d="$(layers_of new:1)"
	[ "$(cat "$d/etc/base")" = base ]
	# the same image from the legacy layout stores nothing new
	blobs=$(count "$GOCKER_ROOT/blobs/sha256")
	mkimage "$TMP/o.tar" '{"name":"new:1","layers":['"$base"']}'
	"$G" load -i "$TMP/o.tar"
	[ "$(count "$GOCKER_ROOT/blobs/sha256")" -eq "$blobs" ]
	[ "$(count "$GOCKER_ROOT/layers" -type d)" -eq 1 ]
}

@test "image inspect prints Docker's fields" {
	shared_images
	"$G" load -i "$TMP/a.tar"
	run "$G" image inspect a:1
	[ "$status" -eq 0 ]
	python3 - "$output" <<'EOF'
import json, sys
v = json.loads(sys.argv[1])
assert isinstance(v, list) and len(v) == 1, v
i = v[0]
assert i["Id"].startswith("sha256:") and len(i["Id"]) == 71
assert i["RepoTags"] == ["a:1"], i["RepoTags"]
assert i["RepoDigests"] == []
assert i["Os"] == "linux" and i["Architecture"] == "amd64"
assert i["Config"]["Cmd"] == ["sh"]
assert i["Created"] == "2024-01-01T00:00:00Z"
assert i["RootFS"]["Type"] == "layers" and len(i["RootFS"]["Layers"]) == 2
assert i["Size"] > 0
EOF
	run "$G" image inspect nosuch
	[ "$status" -eq 1 ]
	[[ "$output" == *"No such image: nosuch"* ]]
}

@test "bad references get a clear error" {
	run "$G" image inspect Busybox
	[ "$status" -ne 0 ]
	[[ "$output" == *"invalid reference format: repository name must be lowercase"* ]]
	run "$G" rmi 'busybox:-x'
	[ "$status" -ne 0 ]
	[[ "$output" == *"invalid reference format"* ]]
	mkimage "$TMP/bad.tar" '{"name":"Bad:1","layers":[[{"path":"x","data":"x\n"}]]}'
	run "$G" load -i "$TMP/bad.tar"
	[ "$status" -eq 125 ]
	[[ "$output" == *"repository name must be lowercase"* ]]
	[ "$(count "$GOCKER_ROOT/layers")" -eq 0 ]
}

@test "unknown flags exit 125" {
	for cmd in "load" "images" "rmi x" "image inspect x" "image ls" "image rm x"; do
		run $G $cmd --bogus
		[ "$status" -eq 125 ]
		[[ "$output" == *"unknown flag: --bogus"* ]]
	done
	run "$G" rmi
	[ "$status" -eq 125 ]
	run "$G" load -i "$TMP/does-not-exist.tar"
	[ "$status" -eq 125 ]
	[[ "$output" == *"does-not-exist.tar"* ]]
}

# A hostile layer is refused with a message naming the entry, and the store
# is exactly as before; a good image still loads afterwards.
refused() { # SPEC EXPECTED-MESSAGE-PART
	mkimage "$TMP/evil.tar" "$1"
	before="$(cd "$GOCKER_ROOT" && find . -path ./store.lock -prune -o -print | sort)"
	run "$G" load -i "$TMP/evil.tar"
	[ "$status" -eq 125 ]
	[[ "$output" == *"$2"* ]] || { echo "got: $output"; return 1; }
	after="$(cd "$GOCKER_ROOT" && find . -path ./store.lock -prune -o -print | sort)"
	[ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after"); return 1; }
}

@test "a temp dir in use is not swept for its old mtime (a layer root stamped 1970)" {
	"$G" images >/dev/null
	mkdir -p "$GOCKER_ROOT/tmp/extracting/usr"
	touch -d @0 "$GOCKER_ROOT/tmp/extracting" # what the tar's ./ entry sets
	run "$G" images
	[ "$status" -eq 0 ]
	[ -d "$GOCKER_ROOT/tmp/extracting/usr" ]
}

@test "hostile layers are refused and leave the store as it was" {
	mkdir -p "$GOCKER_ROOT"
	"$G" images >/dev/null
	refused '{"name":"e:1","layers":[[{"path":"../../tmp/gocker-pwn","data":"x"}]]}' 'entry "../../tmp/gocker-pwn"'
	refused '{"name":"e:1","layers":[[{"path":"/tmp/gocker-pwn","data":"x"}]]}' 'absolute path'
	refused '{"name":"e:1","layers":[[{"path":"l","type":"symlink","link":"/tmp"},{"path":"l/gocker-pwn","data":"x"}]]}' 'symlink'
	refused '{"name":"e:1","layers":[[{"path":"h","type":"hardlink","link":"../../etc/shadow"}]]}' '".."'
	refused '{"name":"e:1","layers":[[{"path":"ok","data":"x"},{"path":".wh..","data":""}]]}' 'invalid whiteout'
	refused '{"name":"e:1","layers":[[{"path":"dev","type":"char","major":4096,"minor":1}]]}' 'out of range'
	refused '{"name":"e:1","layers":[[{"path":"a","data":"a"}]],"diff_ids":["sha256:0000000000000000000000000000000000000000000000000000000000000000"]}' 'not the diff_id'
	refused '{"name":"e:1","layers":[[{"path":"a","data":"a"}]],"manifest_layers":["../../etc/shadow"]}' '../../etc/shadow'
	refused '{"name":"e:1","layers":[[{"path":"a","data":"a"}]],"manifest_layers":["/etc/shadow"]}' 'not a relative path'
	refused '{"name":"e:1","layers":[[{"path":"a","data":"a"}]],"manifest_layers":["evil.tar"],"extra":[{"path":"evil.tar","type":"symlink","link":"/etc/shadow"}]}' 'is a link'
	[ ! -e /tmp/gocker-pwn ]
	shared_images
	refused_big() {
		python3 -c 'import json; print(json.dumps({"name":"big:1","layers":[[{"path":"big","data":"0"*200000}]]}))' >"$TMP/big.json"
		mkimage "$TMP/big.tar" "$(cat "$TMP/big.json")"
		run env GOCKER_MAX_LAYER_SIZE=64k "$G" load -i "$TMP/big.tar"
		[ "$status" -eq 125 ]
		[[ "$output" == *"over the limit"* ]]
	}
	refused_big
	[ "$(count "$GOCKER_ROOT/layers")" -eq 0 ]
	run "$G" load -i "$TMP/a.tar"
	[ "$status" -eq 0 ]
	[ "$(count "$GOCKER_ROOT/tmp")" -eq 0 ]
}
