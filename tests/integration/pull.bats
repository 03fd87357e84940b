#!/usr/bin/env bats
# gocker pull against Debian's docker-registry on 127.0.0.1 (free ports, temp
# storage), fed by skopeo with the fixture images, with a fault-injecting
# proxy (lib/regproxy.py) in front of it. Each test has its own GOCKER_ROOT.

load lib/registry

REPO="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
FIX="${GOCKER_FIXTURES:-$REPO/tests/fixtures/out}"
BUSYBOX_ID=sha256:444548f33476d2a32cbef63f29269d47c7802837083f73591dd77a7649da0005
LAYERED_ID=sha256:54dd9db2ad4cc434473f8f4692e2c6b9f6bd64d717e0b4f88581683ade2afeee

setup_file() {
	[ -f "$FIX/busybox.docker.tar" ] && [ -f "$FIX/layered.oci.tar" ] || return 0
	export W="$(mktemp -d /tmp/gocker-pull-bats.XXXXXX)"
	REG=$(start_registry "$W/reg") || return 1
	export REG
	push_archive "docker-archive:$FIX/busybox.docker.tar" "127.0.0.1:$REG/busybox:latest"
	push_archive "oci-archive:$FIX/layered.oci.tar" "127.0.0.1:$REG/layered:latest"
	# A manifest list: busybox as linux/amd64, layered as linux/arm64.
	push_archive "docker-archive:$FIX/busybox.docker.tar" "127.0.0.1:$REG/multi:amd64"
	push_archive "oci-archive:$FIX/layered.oci.tar" "127.0.0.1:$REG/multi:arm64"
	INDEX_DIGEST=$(python3 "$BATS_TEST_DIRNAME/lib/mkindex.py" "$REG" multi latest \
		amd64=linux/amd64 arm64=linux/arm64) || return 1
	export INDEX_DIGEST
	# A second registry behind htpasswd (bcrypt).
	htpasswd -Bbn alice s3cret >"$W/htpasswd"
	AUTHREG=$(start_registry "$W/authreg" "$W/htpasswd") || return 1
	export AUTHREG
	skopeo copy -q --dest-tls-verify=false --dest-creds alice:s3cret \
		"docker-archive:$FIX/busybox.docker.tar" "docker://127.0.0.1:$AUTHREG/private:latest" >&2
	# The proxy in front of the first registry.
	start_proxy "$W/proxy" "$REG" || return 1
	read -r PROXY SIDE OTHER <"$W/proxy/ports"
	export PROXY SIDE OTHER
}

teardown_file() {
	[ -n "${W:-}" ] || return 0
	stop_pid_file "$W/proxy/pid"
	stop_pid_file "$W/reg/pid"
	stop_pid_file "$W/authreg/pid"
	rm -rf "$W"
}

setup() {
	[ -n "${W:-}" ] || skip "fixtures not built (tests/fixtures/build.sh)"
	TMP="$(mktemp -d /tmp/gocker-pull-test.XXXXXX)"
	export GOCKER_ROOT="$TMP/root" GOCKER_RUN="$TMP/run"
	export GOCKER_CONFIG="$TMP/gocker-config.json" DOCKER_CONFIG="$TMP/docker"
	echo "{\"insecure-registries\": [\"127.0.0.1:$REG\", \"127.0.0.1:$PROXY\"]}" >"$GOCKER_CONFIG"
	G="$GOCKER_BIN"
	proxy_mode ""
	: >"$W/proxy/log"
}

teardown() {
	[ -n "${TMP:-}" ] || return 0
	! grep -q " $TMP/" /proc/self/mounts || false
	rm -rf "$TMP"
}

proxy_mode() { echo "$*" >"$W/proxy/mode"; }
proxy_log() { cat "$W/proxy/log"; }

layers_of() {
	"$G" image inspect -f '{{.GraphDriver.Data.LowerDir}}' "$1" | tr ':' '\n'
}

# The image pulled as $1 equals what `gocker load` gives for archive $2:
# same id, same RootFS, identical layer trees.
same_as_loaded() {
	local ref=$1 archive=$2 name=$3
	GOCKER_ROOT="$TMP/loaded" "$G" load -q -i "$archive" >/dev/null
	[ "$("$G" image inspect -f '{{.Id}}' "$ref")" = \
		"$(GOCKER_ROOT="$TMP/loaded" "$G" image inspect -f '{{.Id}}' "$name")" ]
	[ "$("$G" image inspect -f '{{json .RootFS}}' "$ref")" = \
		"$(GOCKER_ROOT="$TMP/loaded" "$G" image inspect -f '{{json .RootFS}}' "$name")" ]
	paste -d' ' <(layers_of "$ref") <(GOCKER_ROOT="$TMP/loaded" layers_of "$name") |
		while read -r a b; do [ "$(tree_sig "$a")" = "$(tree_sig "$b")" ]; done
}

# Every entry's name, type, mode, owner, size, link target, device number
# and xattrs, and every file's sha256 (diff -r cannot compare whiteouts).
tree_sig() {
	(
		cd "$1"
		find . -printf '%p %y %m %U:%G %s %l\n' | sort
		find . -type c -exec stat -c '%n %t:%T' {} + | sort
		find . -type f -exec sha256sum {} + | sort
		getfattr -R -d -m - . 2>/dev/null
	)
}

blob_count() { find "$GOCKER_ROOT/blobs/sha256" -type f 2>/dev/null | wc -l; }

@test "pull busybox by tag: Docker's output, and the image equals the loaded one" {
	run "$G" pull "127.0.0.1:$REG/busybox"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Using default tag: latest" ]
	[ "${lines[1]}" = "latest: Pulling from busybox" ]
	[[ "${lines[2]}" =~ ^[0-9a-f]{12}:\ Pulling\ fs\ layer$ ]]
	[[ "$output" == *": Download complete"* ]]
	[[ "$output" == *": Pull complete"* ]]
	[[ "${lines[-3]}" =~ ^Digest:\ sha256:[0-9a-f]{64}$ ]]
	[ "${lines[-2]}" = "Status: Downloaded newer image for 127.0.0.1:$REG/busybox:latest" ]
	[ "${lines[-1]}" = "127.0.0.1:$REG/busybox:latest" ]
	[ "$("$G" image inspect -f '{{.Id}}' "127.0.0.1:$REG/busybox")" = "$BUSYBOX_ID" ]
	same_as_loaded "127.0.0.1:$REG/busybox" "$FIX/busybox.docker.tar" busybox
	# The temp dir is cleaned up.
	[ -z "$(ls -A "$GOCKER_ROOT/tmp")" ]
}

@test "pull again: up to date after a HEAD, no manifest GET" {
	"$G" pull -q "127.0.0.1:$PROXY/busybox" >/dev/null
	: >"$W/proxy/log"
	run "$G" pull "127.0.0.1:$PROXY/busybox:latest"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "latest: Pulling from busybox" ]
	[ "${lines[-2]}" = "Status: Image is up to date for 127.0.0.1:$PROXY/busybox:latest" ]
	[ "$(grep -c 'main HEAD /v2/busybox/manifests/latest' "$W/proxy/log")" -eq 1 ]
	! grep -q 'main GET' "$W/proxy/log" || false
}

@test "pull -q prints only the reference" {
	run "$G" pull -q "127.0.0.1:$REG/busybox:latest"
	[ "$status" -eq 0 ]
	[ "$output" = "127.0.0.1:$REG/busybox:latest" ]
}

@test "pull the multi-layer image by digest equals gocker load of it" {
	digest=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' \
		"docker://127.0.0.1:$REG/layered:latest")
	run "$G" pull "127.0.0.1:$REG/layered@$digest"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$digest: Pulling from layered" ]
	[ "$(grep -c 'Pull complete' <<<"$output")" -eq 4 ]
	[ "${lines[-3]}" = "Digest: $digest" ]
	[ "${lines[-1]}" = "127.0.0.1:$REG/layered@$digest" ]
	[ "$("$G" image inspect -f '{{.Id}}' "127.0.0.1:$REG/layered@$digest")" = "$LAYERED_ID" ]
	same_as_loaded "127.0.0.1:$REG/layered@$digest" "$FIX/layered.oci.tar" layered
	# A second image sharing busybox's base layer: "Already exists".
	run "$G" pull "127.0.0.1:$REG/busybox"
	[ "$status" -eq 0 ]
	[[ "$output" == *": Already exists"* ]]
}

@test "pull through a manifest list: this machine's platform, --platform, no match" {
	[ "$(uname -m)" = x86_64 ] || skip "the list's first platform is linux/amd64"
	run "$G" pull "127.0.0.1:$REG/multi"
	[ "$status" -eq 0 ]
	[ "${lines[-3]}" = "Digest: $INDEX_DIGEST" ]
	[ "$("$G" image inspect -f '{{.Id}}' "127.0.0.1:$REG/multi")" = "$BUSYBOX_ID" ]
	run "$G" image inspect -f '{{json .RepoDigests}}' "127.0.0.1:$REG/multi"
	[[ "$output" == *"127.0.0.1:$REG/multi@$INDEX_DIGEST"* ]]

	run "$G" pull --platform linux/arm64 "127.0.0.1:$REG/multi:latest"
	[ "$status" -eq 0 ]
	[ "$("$G" image inspect -f '{{.Id}}' "127.0.0.1:$REG/multi")" = "$LAYERED_ID" ]

	run "$G" pull --platform linux/s390x "127.0.0.1:$REG/multi:latest"
	[ "$status" -eq 125 ]
	[[ "$output" == *"no matching manifest for linux/s390x in the manifest list entries"* ]]
	run "$G" pull --platform bogus "127.0.0.1:$REG/multi:latest"
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid platform"* ]]
}

@test "missing repository and tag: Docker's messages, store unchanged" {
	# distribution answers MANIFEST_UNKNOWN for a missing repository too,
	# and Docker then says what gocker says.
	run "$G" pull "127.0.0.1:$REG/nope"
	[ "$status" -eq 125 ]
	[[ "${lines[-1]}" == "gocker: manifest for 127.0.0.1:$REG/nope:latest not found: manifest unknown"* ]]
	[[ "$output" == *"registry http://127.0.0.1:$REG, repository nope"*"HTTP 404"* ]]
	run "$G" pull "127.0.0.1:$REG/busybox:nope"
	[ "$status" -eq 125 ]
	[[ "$output" == *"manifest for 127.0.0.1:$REG/busybox:nope not found: manifest unknown"* ]]
	[ -z "$("$G" images -q)" ]
}

@test "basic auth: no credentials is unauthorized, config.json credentials work" {
	run "$G" pull "127.0.0.1:$AUTHREG/private"
	[ "$status" -eq 125 ]
	[[ "${lines[-1]}" == "gocker: pull access denied for 127.0.0.1:$AUTHREG/private, repository does not exist or may require authentication"* ]]
	[[ "$output" == *"unauthorized: authentication required"* ]]
	[[ "$output" == *"registry http://127.0.0.1:$AUTHREG, repository private"*"HTTP 401"* ]]
	[ -z "$("$G" images -q)" ]
	mkdir -p "$DOCKER_CONFIG"
	auth=$(printf 'alice:wrong' | base64)
	echo "{\"auths\":{\"127.0.0.1:$AUTHREG\":{\"auth\":\"$auth\"}}}" >"$DOCKER_CONFIG/config.json"
	run "$G" pull "127.0.0.1:$AUTHREG/private"
	[ "$status" -eq 125 ]
	[[ "$output" == *"unauthorized"* ]]
	auth=$(printf 'alice:s3cret' | base64)
	echo "{\"auths\":{\"http://127.0.0.1:$AUTHREG\":{\"auth\":\"$auth\"}}}" >"$DOCKER_CONFIG/config.json"
	run "$G" pull "127.0.0.1:$AUTHREG/private"
	[ "$status" -eq 0 ]
	[ "$("$G" image inspect -f '{{.Id}}' "127.0.0.1:$AUTHREG/private")" = "$BUSYBOX_ID" ]
}

@test "token auth: anonymous token, credentials to the realm, invalid_token retried once" {
	proxy_mode token
	run "$G" pull -q "127.0.0.1:$PROXY/busybox"
	[ "$status" -eq 0 ]
	grep -q "side GET /token?scope=repository%3Abusybox%3Apull&service=gocker-test auth=none" "$W/proxy/log"
	grep -q "main GET /v2/busybox/blobs/sha256:.* auth=Bearer" "$W/proxy/log"
	# One token for the whole pull (cached per registry and scope).
	[ "$(grep -c 'side GET /token' "$W/proxy/log")" -eq 1 ]

	rm -rf "$GOCKER_ROOT"
	proxy_mode token creds=bob:pw
	run "$G" pull "127.0.0.1:$PROXY/busybox"
	[ "$status" -eq 125 ]
	[[ "$output" == *"unauthorized"* ]]
	mkdir -p "$DOCKER_CONFIG"
	echo "{\"auths\":{\"127.0.0.1:$PROXY\":{\"auth\":\"$(printf bob:pw | base64)\"}}}" \
		>"$DOCKER_CONFIG/config.json"
	: >"$W/proxy/log"
	proxy_mode token creds=bob:pw expire-once
	run "$G" pull -q "127.0.0.1:$PROXY/busybox"
	[ "$status" -eq 0 ]
	grep -q "side GET /token.* auth=Basic" "$W/proxy/log"
	[ "$(grep -c 'side GET /token' "$W/proxy/log")" -eq 2 ]
}

@test "a token found invalid mid-download is renewed without upsetting the other layers" {
	proxy_mode token expire-blob-once
	run "$G" pull -q "127.0.0.1:$PROXY/layered"
	[ "$status" -eq 0 ]
	[ "$("$G" image inspect -f '{{.Id}}' "127.0.0.1:$PROXY/layered")" = "$LAYERED_ID" ]
	[ "$(grep -c 'side GET /token' "$W/proxy/log")" -eq 2 ]
}

@test "redirects: followed, and no Authorization reaches the other port" {
	proxy_mode token redirect
	run "$G" pull -q "127.0.0.1:$PROXY/layered"
	[ "$status" -eq 0 ]
	[ "$("$G" image inspect -f '{{.Id}}' "127.0.0.1:$PROXY/layered")" = "$LAYERED_ID" ]
	grep -q "side GET /blob/v2/layered/blobs/" "$W/proxy/log"
	! grep "side GET /blob/" "$W/proxy/log" | grep -v "auth=none" || false
}

# security-floor 20: the token realm's redirect never gets the credentials.
@test "a token realm that redirects is refused before its target gets the credentials" {
	mkdir -p "$DOCKER_CONFIG"
	echo "{\"auths\":{\"127.0.0.1:$PROXY\":{\"auth\":\"$(printf bob:pw | base64)\"}}}" \
		>"$DOCKER_CONFIG/config.json"
	proxy_mode token realmredirect
	run "$G" pull -q "127.0.0.1:$PROXY/busybox"
	[ "$status" -eq 125 ]
	[[ "$output" == *"token realm redirected to \"http://127.0.0.1:$OTHER/token"* ]]
	grep -q "side GET /token.* auth=Basic" "$W/proxy/log"
	[ -z "$(grep "^other " "$W/proxy/log")" ]
	[ -z "$("$G" images -q)" ]
}

# security-floor 20/21: a redirect target answering 401 names a realm of its
# own; the credentials must not go there.
@test "a 401 from a redirect target is an error: no credentials to the realm it names" {
	mkdir -p "$DOCKER_CONFIG"
	echo "{\"auths\":{\"127.0.0.1:$PROXY\":{\"auth\":\"$(printf bob:pw | base64)\"}}}" \
		>"$DOCKER_CONFIG/config.json"
	# No token from the registry itself: nothing cached to answer the CDN with.
	proxy_mode redirect cdnchallenge
	run "$G" pull -q "127.0.0.1:$PROXY/busybox"
	[ "$status" -eq 125 ]
	[[ "$output" == *"http://127.0.0.1:$SIDE/blob/v2/busybox/blobs/"*"asks for authentication, but credentials go only to the registry http://127.0.0.1:$PROXY"* ]]
	grep -q "side GET /blob/v2/busybox/blobs/.* auth=none" "$W/proxy/log"
	[ -z "$(grep "^other " "$W/proxy/log")" ]
	[ -z "$("$G" images -q)" ]
}

# security-floor 16 and 20
@test "a blob longer than its descriptor, a redirect to file:// and one past 10 hops are refused" {
	proxy_mode longblob
	run "$G" pull "127.0.0.1:$PROXY/busybox"
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"blob is longer than the "*" bytes its descriptor names"* ]]
	proxy_mode redirectfile
	run "$G" pull "127.0.0.1:$PROXY/busybox"
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *'refusing redirect to "file:///etc/hostname"'* ]]
	# the proxy gives in after 15 hops: only the client's limit refuses it
	proxy_mode redirectloop
	run "$G" pull "127.0.0.1:$PROXY/busybox"
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"more than 10 redirects"* ]]
	[ -z "$("$G" images -q)" ]
	[ -z "$(ls -A "$GOCKER_ROOT/layers" 2>/dev/null)" ]
	[ -z "$(ls -A "$GOCKER_ROOT/tmp" 2>/dev/null)" ]
}

@test "a corrupted blob byte is rejected and the store keeps no image" {
	proxy_mode corrupt
	run "$G" pull "127.0.0.1:$PROXY/busybox"
	[ "$status" -eq 125 ]
	[[ "$output" == *"digest mismatch"* || "$output" == *"sent"*"digest"* ]]
	[ -z "$("$G" images -q)" ]
	[ -z "$(ls -A "$GOCKER_ROOT/layers" 2>/dev/null)" ]
	[ -z "$(ls -A "$GOCKER_ROOT/tmp" 2>/dev/null)" ]
}

@test "a connection cut mid-blob is resumed with Range; the digest is right" {
	proxy_mode cut
	run "$G" pull -q "127.0.0.1:$PROXY/busybox"
	[ "$status" -eq 0 ]
	[ "$("$G" image inspect -f '{{.Id}}' "127.0.0.1:$PROXY/busybox")" = "$BUSYBOX_ID" ]
	grep -q "main GET /v2/busybox/blobs/sha256:.* range=bytes=[1-9][0-9]*-" "$W/proxy/log"
	# A resumed answer whose Content-Range does not match the request is refused.
	rm -rf "$GOCKER_ROOT"
	proxy_mode cut badrange
	run "$G" pull -q "127.0.0.1:$PROXY/busybox"
	[ "$status" -eq 125 ]
	[[ "$output" == *"Content-Range"*"does not match the request"* ]]
	[ -z "$("$G" images -q)" ]
}

@test "500 then success, and 429 with Retry-After: 1, are retried" {
	proxy_mode 500once
	run "$G" pull -q "127.0.0.1:$PROXY/layered"
	[ "$status" -eq 0 ]
	rm -rf "$GOCKER_ROOT"
	: >"$W/proxy/log"
	proxy_mode 429once
	run "$G" pull -q "127.0.0.1:$PROXY/busybox"
	[ "$status" -eq 0 ]
	[ "$("$G" image inspect -f '{{.Id}}' "127.0.0.1:$PROXY/busybox")" = "$BUSYBOX_ID" ]
	[ "$(grep -c 'main GET /v2/busybox/blobs/' "$W/proxy/log")" -ge 3 ]
}

@test "a manifest listing the same blob twice (repeated empty layers): fetched once, pulled" {
	empty='[]'
	python3 "$BATS_TEST_DIRNAME/lib/mkimage.py" "$TMP/dup.tar" <<<'{"name": "dup:1", "layers": [
		[{"path": "a", "data": "a\n"}], '"$empty"', [{"path": "b", "data": "b\n"}], '"$empty"']}'
	push_archive "docker-archive:$TMP/dup.tar" "127.0.0.1:$REG/dup:1"
	blob=$(skopeo inspect --tls-verify=false --raw "docker://127.0.0.1:$REG/dup:1" |
		python3 -c 'import json,sys; l=json.load(sys.stdin)["layers"]; assert l[1]["digest"] == l[3]["digest"]; print(l[1]["digest"])')
	run "$G" pull -q "127.0.0.1:$PROXY/dup:1"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c "main GET /v2/dup/blobs/$blob" "$W/proxy/log")" -eq 1 ]
	"$G" image inspect -f '{{json .RootFS}}' "127.0.0.1:$PROXY/dup:1" |
		python3 -c 'import json,sys; l=json.load(sys.stdin)["Layers"]; assert len(l) == 4 and l[1] == l[3]'
	# Four layer trees, bottom first: a, empty, b, empty.
	mapfile -t dirs < <(layers_of "127.0.0.1:$PROXY/dup:1" | tac)
	[ "${#dirs[@]}" -eq 4 ]
	[ "$(cat "${dirs[0]}/a")" = a ] && [ "$(cat "${dirs[2]}/b")" = b ]
	[ -z "$(find "${dirs[1]}" "${dirs[3]}" -mindepth 1)" ]
}

@test "a lying Docker-Content-Digest, a 5 MiB manifest and schema1 are refused" {
	proxy_mode liedigest
	run "$G" pull "127.0.0.1:$PROXY/busybox"
	[ "$status" -eq 125 ]
	[[ "$output" == *"Docker-Content-Digest"* ]]
	proxy_mode bigmanifest
	run "$G" pull "127.0.0.1:$PROXY/busybox"
	[ "$status" -eq 125 ]
	[[ "$output" == *"larger than 4 MiB"* ]]
	proxy_mode schema1
	run "$G" pull "127.0.0.1:$PROXY/busybox"
	[ "$status" -eq 125 ]
	[[ "$output" == *"schema1"* ]]
	[ -z "$("$G" images -q)" ]
}

@test "an interrupted pull leaves no image; the next one reuses finished blobs" {
	top=$(skopeo inspect --tls-verify=false --raw "docker://127.0.0.1:$REG/layered:latest" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][-1]["digest"])')
	proxy_mode "fail=$top"
	run "$G" pull "127.0.0.1:$PROXY/layered"
	[ "$status" -eq 125 ]
	[[ "$output" == *"$top"* ]]
	[ -z "$("$G" images -q)" ]
	[ ! -e "$GOCKER_ROOT/blobs/sha256/${top#sha256:}" ]
	: >"$W/proxy/log"
	proxy_mode ""
	run "$G" pull -q "127.0.0.1:$PROXY/layered"
	[ "$status" -eq 0 ]
	# Only the missing layer is downloaded again.
	[ "$(grep -c 'main GET /v2/layered/blobs/sha256:' "$W/proxy/log")" -eq 2 ] # config + it
	grep -q "main GET /v2/layered/blobs/$top" "$W/proxy/log"
}

@test "a bad registry-mirrors entry is refused before any request" {
	echo '{"registry-mirrors": ["file:///etc"]}' >"$GOCKER_CONFIG"
	run "$G" pull "busybox"
	[ "$status" -eq 125 ]
	[[ "$output" == *"registry mirror"*"http(s) URL"* ]]
}

@test "gocker run pulls a missing image first; --pull never does not" {
	run "$G" run --rm --network none --pull never "127.0.0.1:$REG/layered" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"Unable to find image"* ]]
	run "$G" run --rm --network none "127.0.0.1:$REG/busybox" echo hi
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Unable to find image '127.0.0.1:$REG/busybox:latest' locally" ]
	[ "${lines[1]}" = "latest: Pulling from busybox" ]
	[[ "$output" == *"Status: Downloaded newer image for 127.0.0.1:$REG/busybox:latest"* ]]
	[ "${lines[-1]}" = hi ]
	# Present now: no pull.
	run "$G" run --rm --network none "127.0.0.1:$REG/busybox" echo again
	[ "$output" = again ]
}

@test "registry-mirrors serve docker.io images (no request to Docker Hub)" {
	push_archive "docker-archive:$FIX/busybox.docker.tar" "127.0.0.1:$REG/library/busybox:latest"
	echo "{\"registry-mirrors\": [\"http://127.0.0.1:$PROXY/\"]}" >"$GOCKER_CONFIG"
	run "$G" pull busybox
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "latest: Pulling from library/busybox" ]
	[ "${lines[-2]}" = "Status: Downloaded newer image for busybox:latest" ]
	[ "${lines[-1]}" = "docker.io/library/busybox:latest" ]
	grep -q "main GET /v2/library/busybox/manifests/sha256:" "$W/proxy/log"
	[ "$("$G" image inspect -f '{{.Id}}' busybox)" = "$BUSYBOX_ID" ]
}

@test "a pull killed mid-download leaves no image; the next pull completes" {
	proxy_mode slow
	"$G" pull -q "127.0.0.1:$PROXY/busybox" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do
		grep -q "main GET /v2/busybox/blobs/sha256:" "$W/proxy/log" && break
		sleep 0.1
	done
	sleep 0.5
	kill -9 "$pid"
	wait "$pid" || true
	[ -z "$("$G" images -q)" ]
	[ -z "$(ls -A "$GOCKER_ROOT/layers" 2>/dev/null)" ]
	proxy_mode ""
	run "$G" pull -q "127.0.0.1:$PROXY/busybox"
	[ "$status" -eq 0 ]
	[ "$("$G" image inspect -f '{{.Id}}' "127.0.0.1:$PROXY/busybox")" = "$BUSYBOX_ID" ]
}
