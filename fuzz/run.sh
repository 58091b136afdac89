#!/bin/sh
# Builds the fuzzers and runs each for $SECONDS_EACH seconds (default 60) at
# the lowest priority. Fails if any of them finds a crash, a leak or a
# broken round trip; the input that did it is kept in fuzz/artifacts/.
#   fuzz/run.sh                    all harnesses
#   SECONDS_EACH=600 fuzz/run.sh plan proto
set -u
cd "$(dirname "$0")" || exit 2
SECONDS_EACH=${SECONDS_EACH:-60}
NAMES=${*:-plan hist proto units}

nice -n 19 make -s || exit 2
mkdir -p artifacts
failed=0
for n in $NAMES; do
	bin=build/fuzz_$n
	[ -x "$bin" ] || { echo "run.sh: no harness '$n'" >&2; exit 2; }
	# new inputs go to the work corpus; the seeds in corpus/ stay as they are
	mkdir -p "build/corpus/$n"
	log=build/fuzz_$n.log
	# -close_fd_mask=2: the code's own messages (plan errors) go nowhere;
	# libFuzzer and the sanitizers keep their own copy of stderr
	dict=
	[ -f "$n.dict" ] && dict=-dict=$n.dict
	nice -n 19 "$bin" -max_total_time="$SECONDS_EACH" -close_fd_mask=2 $dict \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="artifacts/$n-" "build/corpus/$n" "corpus/$n" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	secs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	found=$(ls artifacts/ 2>/dev/null | grep -c "^$n-")
	echo "fuzz_$n: exit $rc, ${execs:-?} executions (${secs:-?}/s), $cov, $found artifact(s)"
	if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
		failed=1
		grep -m 20 -E 'ERROR|SUMMARY|artifact' "$log" >&2
	fi
done
exit $failed
