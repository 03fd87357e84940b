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

# What the machine holds of gocker's: links, nft tables, mounts, cgroups and
# processes of the binaries under test. A full run must end with what it began.
leftovers() {
	ip -br link 2>/dev/null | awk '{print "link " $1}' | grep -E ' (gocker|gk|veth)' | sed 's/@.*//'
	nft list tables 2>/dev/null | grep -i gocker | sed 's/^/nft /'
	grep gocker /proc/self/mountinfo | awk '{print "mount " $5}'
	find /sys/fs/cgroup -maxdepth 3 -type d -name '*gocker*' 2>/dev/null | sed 's/^/cgroup /'
	for exe in /proc/[0-9]*/exe; do
		t=$(readlink "$exe" 2>/dev/null) || continue
		case $t in "$GOCKER_BIN" | "$GOCKER_COMPOSE_BIN" | "${GOCKER_BIN%/*}/gocker-monitor")
			echo "process ${exe//[^0-9]/} $t" ;;
		esac
	done
}
[ -z "$FILTER" ] && leftovers | sort >/tmp/gocker-before.$$

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

if [ -z "$FILTER" ]; then
	leaked=$(leftovers | sort | comm -13 /tmp/gocker-before.$$ -)
	rm -f /tmp/gocker-before.$$
	if [ -n "$leaked" ]; then
		printf '# left behind by the run:\n%s\n' "$(sed 's/^/#   /' <<<"$leaked")"
		echo "not ok - the test run left nothing behind"
		failed=$((failed + 1)); failures+=("the run left things behind (links, nft, mounts, cgroups or processes)")
	else
		echo "ok - the test run left nothing behind"
		passed=$((passed + 1))
	fi
fi

if [ ${#failures[@]} -gt 0 ]; then
	echo "# failures:"
	printf '#   %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
