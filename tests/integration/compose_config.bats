#!/usr/bin/env bats
# gocker-compose config against the checked-in golden files: every example's
# resolved YAML and JSON, and every invalid file's error message and line.
# Pure parsing: no containers, no mounts, no network; nothing to clean up.

setup() {
	ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	GOLDEN=$ROOT/tests/golden
	BIN=${GOCKER_COMPOSE_BIN:-$ROOT/build/gocker-compose}
	TMP=$(mktemp -d)
}

teardown() {
	rm -rf "$TMP"
}

# A fixed environment, so interpolation is the same on every machine; the
# project directory is replaced by @PROJECT_DIR@.
config_of() { # DIR ARGS...
	local dir=$1
	shift
	(cd "$dir" && env -i PATH=/usr/bin:/bin HOME=/home/user "$BIN" "$@") >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	sed -i "s|$dir|@PROJECT_DIR@|g" "$TMP/out"
	return $rc
}

check_example() { # NAME
	local name=$1 dir=$ROOT/examples/$1
	config_of "$dir" config
	diff -u "$GOLDEN/$name.yml" "$TMP/out"
	config_of "$dir" config --format json
	diff -u "$GOLDEN/$name.json" "$TMP/out"
	# what config prints loads again to the same document
	cp "$GOLDEN/$name.json" "$TMP/first.json"
	config_of "$dir" config -o "$TMP/resolved.yml"
	sed -i "s|@PROJECT_DIR@|$dir|g" "$TMP/resolved.yml"
	config_of "$dir" -f "$TMP/resolved.yml" --project-directory "$dir" config --format json
	diff -u "$TMP/first.json" "$TMP/out"
}

@test "config: web-db" { check_example web-db; }
@test "config: queue-workers" { check_example queue-workers; }
@test "config: cache-stack" { check_example cache-stack; }
@test "config: profiles-debug" { check_example profiles-debug; }
@test "config: multi-file (compose.override.yaml)" { check_example multi-file; }

@test "config: --profile enables profiled services" {
	config_of "$ROOT/examples/profiles-debug" --profile debug config
	diff -u "$GOLDEN/profiles-debug.profile-debug.yml" "$TMP/out"
}

@test "config: --services, --volumes, -q" {
	config_of "$ROOT/examples/web-db" config --services
	[ "$(cat "$TMP/out")" = "$(printf 'db\nweb')" ]
	config_of "$ROOT/examples/web-db" config --volumes
	[ "$(cat "$TMP/out")" = "dbdata" ]
	config_of "$ROOT/examples/web-db" config -q
	[ ! -s "$TMP/out" ]
}

@test "config: --no-interpolate keeps variables as written" {
	config_of "$ROOT/examples/queue-workers" config --no-interpolate
	grep -q 'WORKER_MODE: ${WORKER_MODE:-batch}' "$TMP/out"
	grep -q 'sleep $${WORK_INTERVAL:-2}' "$TMP/out"
}

@test "config: -p, .env and the process environment" {
	cat >"$TMP/compose.yaml" <<-'YAML'
		services:
		  web:
		    image: busybox:${TAG:-latest}
		    environment:
		      FROM_DOTENV: ${DOTENV_ONLY}
		YAML
	printf 'TAG=from-dotenv\nDOTENV_ONLY=yes\n' >"$TMP/.env"
	run env -i PATH=/usr/bin:/bin TAG=from-env "$BIN" -f "$TMP/compose.yaml" -p My-Proj config
	[ "$status" -eq 125 ]
	[[ "$output" == *'-p: invalid project name "My-Proj"'* ]]
	run env -i PATH=/usr/bin:/bin TAG=from-env "$BIN" -f "$TMP/compose.yaml" -p myproj config
	[ "$status" -eq 0 ]
	[[ "$output" == *"image: busybox:from-env"* ]]
	[[ "$output" == *'FROM_DOTENV: "yes"'* ]]
	[[ "$output" == *"name: myproj_default"* ]]
}

@test "config: unset variable warns" {
	printf 'services:\n  web:\n    image: busybox:${NOPE}\n' >"$TMP/compose.yaml"
	run env -i PATH=/usr/bin:/bin "$BIN" -f "$TMP/compose.yaml" config -q
	[ "$status" -eq 0 ]
	[[ "$output" == *'warning: The "NOPE" variable is not set. Defaulting to a blank string.'* ]]
}

@test "config: COMPOSE_FILE names the files to merge" {
	printf 'services:\n  web:\n    image: busybox\n' >"$TMP/a.yml"
	printf 'services:\n  web:\n    image: busybox:1.36\n' >"$TMP/b.yml"
	run env -i PATH=/usr/bin:/bin COMPOSE_FILE="$TMP/a.yml:$TMP/b.yml" "$BIN" -p cf config
	[ "$status" -eq 0 ]
	[[ "$output" == *"image: busybox:1.36"* ]]
}

@test "config: no compose file" {
	run env -i PATH=/usr/bin:/bin sh -c "cd '$TMP' && '$BIN' config"
	[ "$status" -eq 125 ]
	[[ "$output" == *"no configuration file provided: not found"* ]]
}

@test "config: every invalid file fails with its message and line" {
	cd "$GOLDEN/invalid"
	local n=0
	for f in *.yml; do
		run env -i PATH=/usr/bin:/bin "$BIN" -f "$f" config -q
		[ "$status" -eq 125 ] || { echo "$f: exit $status"; return 1; }
		[ "$output" = "$(cat "${f%.yml}.err")" ] ||
			{ printf '%s:\n got: %s\nwant: %s\n' "$f" "$output" "$(cat "${f%.yml}.err")"; return 1; }
		n=$((n + 1))
	done
	[ "$n" -ge 15 ]
}
