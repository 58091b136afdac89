#!/usr/bin/env bash
# The `make check` driver: runs the unit test binaries given as arguments
# (cmocka), replays the fuzz corpus through the fuzz harnesses given as
# arguments (build/fuzz-replay/fuzz_*), then runs every tests/e2e/t*.sh
# (TAP), and ends with exactly one line
#
#   N passed, N failed[, N skipped]
#
# exiting non-zero when anything failed. Failures are listed by name above
# that line, with their diagnostics.
#
#   tests/run-all.sh build/tests/test_* build/fuzz-replay/fuzz_*   everything
#   E2E=t0010 tests/run-all.sh               only the e2e tests whose name holds t0010
#   E2E=none tests/run-all.sh build/tests/*  unit tests only
#   VERBOSE=1 tests/run-all.sh ...           print every test's output as it runs
#   SLOW=1 tests/run-all.sh                  the slow e2e tests (tests/e2e/sNNNN-*.sh:
#                                            cloud image builds, several TCG boots) instead
#                                            of the tNNNN ones; `make check-slow`, run by CI
#
# cmocka binaries are counted by their "[  PASSED  ] N test(s)." /
# "[  FAILED  ] N test(s)" / "[  SKIPPED ] N test(s)" lines; a binary without
# them (a crash, another framework) counts as one test by its exit code.
# A fuzz harness fuzz_NAME counts as one test: it passes when it runs every
# input of fuzz/corpus/NAME/ and fuzz/regressions/NAME/ and exits 0.
# A TAP script counts its "ok"/"not ok" lines ("# SKIP" = skipped); one that
# has no plan, runs a different number of tests than planned, or exits
# non-zero with no "not ok" counts one more failure.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
E2E_TIMEOUT=${E2E_TIMEOUT:-300}
UNIT_TIMEOUT=${UNIT_TIMEOUT:-300}
LOGS=$(mktemp -d "${TMPDIR:-/var/tmp}/vmbench-check.XXXXXX") || exit 2
trap 'rm -rf "$LOGS"' EXIT

passed=0
failed=0
skipped=0
failures=()   # "name: what" lines printed at the end
start=$SECONDS

note_failure()
{
	failures+=("$1")
}

# --- unit tests (cmocka) ---------------------------------------------------

run_unit()
{
	local bin=$1 name log rc p f s
	name=$(basename "$bin")
	log=$LOGS/$name.log
	if [ ! -x "$bin" ]; then
		echo "FAIL $name: not an executable (run 'make unit')"
		failed=$((failed + 1))
		note_failure "$name: not an executable"
		return
	fi
	local t0=$SECONDS
	timeout -k 10 "$UNIT_TIMEOUT" "$bin" >"$log" 2>&1 </dev/null
	rc=$?
	[ "${VERBOSE:-0}" = 1 ] && sed 's/^/    /' "$log"
	p=$(awk '/^\[  PASSED  \] [0-9]+ test/ { n += $4 } END { print n + 0 }' "$log")
	f=$(awk '/^\[  FAILED  \] [0-9]+ test/ { n += $4 } END { print n + 0 }' "$log")
	s=$(awk '/^\[  SKIPPED \] [0-9]+ test/ { n += $4 } END { print n + 0 }' "$log")
	if ! grep -Eq '^\[  (PASSED|FAILED|SKIPPED) *\] [0-9]+ test' "$log"; then
		# no cmocka summary: one test, judged by its exit code
		if [ "$rc" -eq 0 ]; then
			p=1
		else
			f=1
		fi
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # it said all passed but exited non-zero (a crash at exit, a leak check)
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	if [ "$f" -gt 0 ]; then
		echo "FAIL $name ($p passed, $f failed, exit $rc, $((SECONDS - t0))s)"
		local names
		names=$(grep -E '^\[  FAILED  \] [^0-9]' "$log" | sed 's/^\[  FAILED  \] //' | awk '!seen[$0]++')
		if [ -n "$names" ]; then
			while IFS= read -r n; do
				note_failure "$name: $n"
			done <<<"$names"
		else
			note_failure "$name: exit $rc$([ "$rc" -ge 124 ] && echo ' (timeout or signal)')"
		fi
		# the failing assertions, for the record
		grep -E '^\[ +(ERROR|LINE) +\]' "$log" | head -40 | sed 's/^/    /'
		[ "$rc" -ge 124 ] && tail -5 "$log" | sed 's/^/    /'
	else
		echo "ok   $name ($p passed$([ "$s" -gt 0 ] && echo ", $s skipped"), $((SECONDS - t0))s)"
	fi
}

# --- fuzz corpus replay ----------------------------------------------------

# build/fuzz-replay/fuzz_NAME (fuzz/replay.c as main) runs each seed of
# fuzz/corpus/NAME and each input that once crashed it (fuzz/regressions/NAME)
# once: a crash, a sanitizer report or an abort() of the harness's own checks
# fails it, and the last "replay" line of its log names the input.
run_replay()
{
	local bin=$1 name n log rc dirs
	name=$(basename "$bin")
	n=${name#fuzz_}
	log=$LOGS/$name.log
	local t0=$SECONDS
	dirs=("$ROOT/fuzz/corpus/$n")
	[ -d "$ROOT/fuzz/regressions/$n" ] && dirs+=("$ROOT/fuzz/regressions/$n")
	if [ ! -x "$bin" ]; then
		rc=127
		echo "not an executable (run 'make fuzz-replay')" >"$log"
	elif [ ! -d "${dirs[0]}" ]; then
		rc=2
		echo "no seeds: fuzz/corpus/$n/ is missing (every harness needs at least one real sample there)" >"$log"
	else
		timeout -k 10 "$UNIT_TIMEOUT" "$bin" "${dirs[@]}" >"$log" 2>&1 </dev/null
		rc=$?
	fi
	[ "${VERBOSE:-0}" = 1 ] && sed 's/^/    /' "$log"
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok   $name corpus replay ($(grep -c '^replay ' "$log") inputs, $((SECONDS - t0))s)"
	else
		failed=$((failed + 1))
		local last
		last=$(grep '^replay ' "$log" | tail -n 1 | sed 's/^replay //')
		echo "FAIL $name corpus replay (exit $rc, $((SECONDS - t0))s)"
		[ -n "$last" ] && echo "    last input: $last"
		grep -v '^replay ' "$log" | tail -n 15 | sed 's/^/    /'
		note_failure "$name: corpus replay, exit $rc${last:+, on $last}"
	fi
}

for bin in "$@"; do
	case $(basename "$bin") in
	fuzz_*) run_replay "$bin" ;;
	*) run_unit "$bin" ;;
	esac
done

# --- end-to-end tests (TAP) ------------------------------------------------

run_tap()
{
	local script=$1 name log rc
	name=$(basename "$script" .sh)
	log=$LOGS/$name.tap
	local t0=$SECONDS
	timeout -k 10 "$E2E_TIMEOUT" bash "$script" >"$log" 2>"$LOGS/$name.err" </dev/null
	rc=$?
	[ "${VERBOSE:-0}" = 1 ] && sed 's/^/    /' "$log" "$LOGS/$name.err"

	local np nf ns nrun plan extra=""
	np=$(grep -Ec '^ok( |$)' "$log")
	ns=$(grep -Ec '^ok( |$).*# *[Ss][Kk][Ii][Pp]' "$log")
	np=$((np - ns))
	nf=$(grep -Ec '^not ok( |$)' "$log")
	nrun=$((np + ns + nf))
	plan=$(grep -E '^1\.\.[0-9]+' "$log" | tail -1 | sed 's/^1\.\.\([0-9]*\).*/\1/')
	if [ "$rc" -ge 124 ]; then
		extra="timed out after ${E2E_TIMEOUT}s or was killed (exit $rc)"
	elif [ -z "$plan" ]; then
		extra="no TAP plan: the script stopped after $nrun tests (exit $rc)"
	elif [ "$plan" -ne "$nrun" ]; then
		extra="planned $plan tests, ran $nrun (exit $rc)"
	elif [ "$rc" -ne 0 ] && [ "$nf" -eq 0 ]; then
		extra="exit $rc without a failing test"
	fi

	passed=$((passed + np))
	skipped=$((skipped + ns))
	failed=$((failed + nf))
	if [ -n "$extra" ]; then
		failed=$((failed + 1))
		note_failure "$name: $extra"
	fi
	if [ "$nf" -gt 0 ] || [ -n "$extra" ]; then
		echo "FAIL $name ($np passed, $nf failed$([ "$ns" -gt 0 ] && echo ", $ns skipped"), $((SECONDS - t0))s)"
		# each "not ok" line with the diagnostics that follow it
		awk '/^not ok/ { show = 1; print "    " $0; next }
		     /^(ok|not ok|1\.\.)/ { show = 0 }
		     show && /^#/ { print "    " $0 }' "$log" | head -80
		while IFS= read -r line; do
			note_failure "$name: ${line#not ok }"
		done < <(grep -E '^not ok( |$)' "$log")
		if [ -n "$extra" ] && [ -s "$LOGS/$name.err" ]; then
			echo "    stderr:"
			tail -10 "$LOGS/$name.err" | sed 's/^/      /'
		fi
	else
		echo "ok   $name ($np passed$([ "$ns" -gt 0 ] && echo ", $ns skipped"), $((SECONDS - t0))s)"
	fi
	# the reasons of skips are worth seeing: a skip is not a pass
	grep -E '^ok( |$).*# *[Ss][Kk][Ii][Pp]' "$log" | sed 's/^/    /'
}

if [ "${E2E:-}" != none ]; then
	prefix=t
	[ "${SLOW:-0}" = 1 ] && prefix=s
	for script in "$ROOT"/tests/e2e/$prefix[0-9]*.sh; do
		[ -e "$script" ] || continue
		case $(basename "$script") in
		*"${E2E:-}"*) run_tap "$script" ;;
		esac
	done
fi

if [ "${#failures[@]}" -gt 0 ]; then
	echo
	echo "failures:"
	printf '  %s\n' "${failures[@]}"
fi
echo "# $((SECONDS - start))s"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
