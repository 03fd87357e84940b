#!/usr/bin/env bash
# Runs every unit test binary and every bats file, as TAP, and closes with
# "N passed, N failed". Exit status is non-zero when anything failed.
#   O=build tests/run.sh [FILTER]   (FILTER: a substring of the test file names)
set -u
cd "$(dirname "$0")/.."
O=${O:-build}
FILTER=${1:-}
export GOCKER_BIN="$PWD/$O/gocker" GOCKER_COMPOSE_BIN="$PWD/$O/gocker-compose"
export CMOCKA_MESSAGE_OUTPUT=TAP
passed=0 failed=0 failures=()

count_tap() { # $1 = name; reads TAP on stdin, echoes it, counts ok / not ok
	local name=$1 line
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case $line in
		"ok "*) passed=$((passed + 1)) ;;
		"not ok "*) failed=$((failed + 1)); failures+=("$name: ${line#not ok }") ;;
		esac
	done
}

# Test images are built once per run (deterministic, offline).
if ! tests/fixtures/build.sh >/tmp/gocker-fixtures.log 2>&1; then
	cat /tmp/gocker-fixtures.log
	echo "fixtures: build failed"
	failed=$((failed + 1)); failures+=("fixtures: build failed")
fi

for bin in "$O"/tests/unit/test_*; do
	[ -x "$bin" ] || continue
	case $bin in *"$FILTER"*) ;; *) continue ;; esac
	echo "# unit: $bin"
	out=$("$bin" 2>&1); rc=$?
	count_tap "$(basename "$bin")" <<<"$out"
	if [ $rc -ne 0 ] && ! grep -q '^not ok' <<<"$out"; then
		failed=$((failed + 1)); failures+=("$(basename "$bin"): exited $rc")
	fi
done

for f in tests/integration/*.bats; do
	[ -f "$f" ] || continue
	case $f in *"$FILTER"*) ;; *) continue ;; esac
	echo "# integration: $f"
	out=$(bats --tap "$f" 2>&1); rc=$?
	count_tap "$(basename "$f")" <<<"$out"
	if [ $rc -ne 0 ] && ! grep -q '^not ok' <<<"$out"; then
		failed=$((failed + 1)); failures+=("$(basename "$f"): exited $rc")
	fi
done

if [ ${#failures[@]} -gt 0 ]; then
	echo "# failures:"
	printf '#   %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
