#!/bin/sh
# Builds the fuzzers and runs each for $SECONDS_EACH seconds (default 60) at
# the lowest priority. Exits 2 if a harness does not build, 1 if one finds a
# crash, a leak, a timeout or a broken round trip (the input that did it is
# kept in fuzz/artifacts/), 0 otherwise. Prints one line per harness:
# executions, executions per second, edges covered (cov), features (ft) and
# corpus size.
#   fuzz/run.sh                    every fuzz/fuzz_*.c
#   SECONDS_EACH=600 fuzz/run.sh plan proto
# Seeds: corpus/NAME/ and regressions/NAME/ (read, never written); new inputs
# go to build/corpus/NAME/, logs to build/fuzz_NAME.log.
set -u
cd "$(dirname "$0")" || exit 2
SECONDS_EACH=${SECONDS_EACH:-60}

if ! nice -n 19 make -s -j"${JOBS:-2}"; then
	echo "run.sh: the fuzzers do not build (see above)" >&2
	exit 2
fi
ALL=$(make -s list) || exit 2
NAMES=${*:-$ALL}
for n in $NAMES; do
	[ -x "build/fuzz_$n" ] || { echo "run.sh: no harness '$n' (have: $ALL)" >&2; exit 2; }
done

mkdir -p artifacts
failed=0
for n in $NAMES; do
	mkdir -p "build/corpus/$n"
	log=build/fuzz_$n.log
	seeds="corpus/$n"
	[ -d "regressions/$n" ] && seeds="$seeds regressions/$n"
	dict=
	[ -f "$n.dict" ] && dict=-dict=$n.dict
	before=$(ls artifacts/ | grep -c "^$n-")
	# -close_fd_mask=2: the code's own messages (plan errors) go nowhere;
	# libFuzzer and the sanitizers keep their own copy of stderr
	# shellcheck disable=SC2086 # $dict and $seeds are lists
	nice -n 19 "build/fuzz_$n" -max_total_time="$SECONDS_EACH" -close_fd_mask=2 $dict \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="artifacts/$n-" "build/corpus/$n" $seeds >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
	cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\).*/\1/p')
	found=$(($(ls artifacts/ | grep -c "^$n-") - before))
	echo "fuzz_$n: exit $rc, ${execs:-?} executions in ${SECONDS_EACH}s (${rate:-?}/s), cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}, $found new artifact(s)"
	if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
		failed=1
		grep -m 20 -E 'ERROR|SUMMARY|artifact|==[0-9]+==|runtime error' "$log" >&2
	fi
done
exit $failed
