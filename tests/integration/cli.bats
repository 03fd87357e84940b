#!/usr/bin/env bats
# The command line itself: help, version, unknown commands and flags.

COMMANDS=(version load images rmi "image inspect" tag run ps exec logs stop kill rm inspect
	pull port "network ls" "network prune")

@test "every command answers --help with its usage and one option list" {
	for c in "${COMMANDS[@]}"; do
		run $GOCKER_BIN $c --help
		[ "$status" -eq 0 ] || { echo "$c --help exited $status"; return 1; }
		[[ "${lines[0]}" == "Usage: gocker $c"* ]] || { echo "$c: ${lines[0]}"; return 1; }
		[[ "${lines[0]}" != *" " ]] || { echo "$c: trailing blank: '${lines[0]}'"; return 1; }
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
	run $GOCKER_BIN -x
	[ "$status" -eq 125 ]
	[[ "$output" == *"unknown shorthand flag: 'x' in -x"* ]]
	run $GOCKER_COMPOSE_BIN --frob
	[ "$status" -eq 125 ]
	[[ "$output" == *"unknown flag: --frob"* ]]
	for c in ps images stop; do
		run $GOCKER_BIN $c --frob
		[ "$status" -eq 125 ] || { echo "$c --frob exited $status"; return 1; }
		[[ "$output" == *"unknown flag: --frob"* ]]
	done
}

@test "a program option without its argument says so, naming the flag typed" {
	run $GOCKER_BIN --root
	[ "$status" -eq 125 ]
	[[ "$output" == *"flag needs an argument: --root"* ]]
	for f in --env-file --project-name -f; do
		run $GOCKER_COMPOSE_BIN $f
		[ "$status" -eq 125 ]
		[[ "$output" == *"flag needs an argument: $f"* ]] || { echo "$f: $output"; return 1; }
	done
}

@test "every command has a section in man/gocker.1" {
	man=$BATS_TEST_DIRNAME/../../man/gocker.1
	for c in "${COMMANDS[@]}"; do
		grep -q "^\.SS gocker $c\b" "$man" || { echo "no .SS for $c"; return 1; }
	done
}

# The -x / --long tokens of the Options list that `PROG CMD --help` prints.
help_flags() {
	"$@" --help | sed -n '/^Options:/,/^$/p' |
		grep -oE '(^|[ ,[])--?[a-zA-Z][a-zA-Z0-9-]*' | sed 's/^[ ,[]*//' | sort -u
}

# The text of the man page section ".SS PREFIX CMD" (up to the next .SS/.SH).
man_section() { # MANPAGE PREFIX CMD
	awk -v h=".SS $2 $3" 'index($0, h) == 1 &&
		(length($0) == length(h) || substr($0, length(h) + 1, 1) ~ /[ \\]/) { on = 1; print; next }
		on && /^\.S[SH]/ { on = 0 }
		on' "$1"
}

# The -x / --long tokens of roff text.
man_flags() {
	sed 's/\\-/-/g; s/\\f[BIRP]//g' | grep -oE '(^|[ ,[(/])--?[a-zA-Z][a-zA-Z0-9-]*' |
		sed 's/^[ ,[(/]*//' | sort -u
}

# Every flag `PROG CMD --help` lists is in CMD's man section, and every flag
# the section defines (its .SS line and .TP items) is accepted by CMD.
check_flags() { # PROG MANPAGE PREFIX CMD...
	local prog=$1 man=$2 pfx=$3 c f sect out rc=0
	shift 3
	for c in "$@"; do
		sect=$(man_section "$man" "$pfx" "$c")
		[ -n "$sect" ] || { echo "$c: no section in $man"; rc=1; continue; }
		for f in $(help_flags $prog $c); do
			[ "$f" = -h ] || [ "$f" = --help ] && continue
			man_flags <<<"$sect" | grep -qx -- "$f" ||
				{ echo "$c: $f in --help, not in $man"; rc=1; }
		done
		for f in $( { head -1 <<<"$sect"; awk 'p { print; p = 0 } /^\.TP/ { p = 1 }' <<<"$sect"; } | man_flags); do
			# a flag that takes a value takes "--help" as it: a bad
			# value is fine here, only an unknown flag is not
			out=$($prog $c $f --help 2>&1 </dev/null) || true
			! grep -q "unknown.*flag" <<<"$out" ||
				{ echo "$c: $f in $man, refused: $out"; rc=1; }
		done
	done
	return $rc
}

@test "every flag of --help is in the man page, every flag of the man page is accepted" {
	# private state and an empty directory (no compose file) for what runs
	export GOCKER_ROOT="$BATS_TEST_TMPDIR/root" GOCKER_RUN="$BATS_TEST_TMPDIR/run"
	cd "$BATS_TEST_TMPDIR"
	man=$BATS_TEST_DIRNAME/../../man
	check_flags $GOCKER_BIN $man/gocker.1 gocker "${COMMANDS[@]}"
	check_flags $GOCKER_COMPOSE_BIN $man/gocker-compose.1 gocker-compose config version
	# Docker's current spelling is the one --help shows
	$GOCKER_BIN stop --help | grep -q -- '-t, --timeout SECONDS'
}
