#!/usr/bin/env bats
# The command line itself: help, version, unknown commands and flags.

COMMANDS=(version load images rmi "image inspect" tag run ps exec logs stop kill rm inspect
	pull port "network ls" "network prune")

@test "every command answers --help with its usage and one option list" {
	for c in "${COMMANDS[@]}"; do
		run $GOCKER_BIN $c --help
		[ "$status" -eq 0 ] || { echo "$c --help exited $status"; return 1; }
		[[ "${lines[0]}" == "Usage: gocker $c"* ]] || { echo "$c: ${lines[0]}"; return 1; }
		n=$(grep -c '^Options:' <<<"$output" || true)
		[ "$n" -le 1 ] || { echo "$c prints Options: $n times"; return 1; }
	done
}

@test "gocker --help lists every command" {
	run $GOCKER_BIN --help
	[ "$status" -eq 0 ]
	for c in version load images rmi run ps exec logs stop kill rm inspect pull port; do
		grep -qE "^  $c " <<<"$output" || { echo "missing $c"; return 1; }
	done
}

@test "--version prints the version" {
	run $GOCKER_BIN --version
	[ "$status" -eq 0 ]
	[[ "$output" == "gocker version "* ]]
	run $GOCKER_BIN version
	[[ "$output" == "gocker version "* ]]
	run $GOCKER_COMPOSE_BIN version
	[ "$status" -eq 0 ]
	[[ "$output" == "gocker-compose version "* ]]
	run $GOCKER_BIN version extra
	[ "$status" -eq 125 ]
	[[ "$output" == *"accepts no arguments"* ]]
}

@test "unknown commands and flags exit 125 with a clear error" {
	run $GOCKER_BIN frobnicate
	[ "$status" -eq 125 ]
	[[ "$output" == *"'frobnicate' is not a gocker command"* ]]
	run $GOCKER_BIN --frob
	[ "$status" -eq 125 ]
	[[ "$output" == *"unknown flag: --frob"* ]]
	for c in ps images stop; do
		run $GOCKER_BIN $c --frob
		[ "$status" -eq 125 ] || { echo "$c --frob exited $status"; return 1; }
		[[ "$output" == *"unknown flag: --frob"* ]]
	done
}

@test "every command has a section in man/gocker.1" {
	man=$BATS_TEST_DIRNAME/../../man/gocker.1
	for c in "${COMMANDS[@]}"; do
		grep -q "^\.SS gocker $c\b" "$man" || { echo "no .SS for $c"; return 1; }
	done
}
