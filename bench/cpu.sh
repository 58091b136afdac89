#!/usr/bin/env bash
# Fidelity of the cpu workload against sysbench 1.0.20 cpu: one thread,
# primes up to 20000, events per second compared pair by pair.
#
# Environment: PAIRS (5), RUNTIME (seconds per run, 10), MAX_PRIME (20000).
# A quick sanity run:  PAIRS=1 RUNTIME=3 bench/cpu.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

RUNTIME=${RUNTIME:-10}
MAX_PRIME=${MAX_PRIME:-20000}
NAME=cpu

command -v sysbench >/dev/null || { echo "cpu.sh: sysbench is not installed" >&2; exit 1; }
[ -x "$AGENT" ] || { echo "cpu.sh: build $AGENT first (make vmbench-agent)" >&2; exit 1; }

peer_cmd="sysbench cpu --cpu-max-prime=$MAX_PRIME --threads=1 --time=$RUNTIME run"
vb_opts="max-prime=$MAX_PRIME,threads=1,time=${RUNTIME}s"
vb_cmd="vmbench-agent --once cpu '$vb_opts'"

# "    events per second:  1179.64"
sb_events_per_s() {
	local out
	out=$($peer_cmd)
	awk '/events per second:/ { v = $NF } END { if (v == "") exit 1; print v }' <<<"$out" ||
		{ echo "cpu.sh: no 'events per second:' in sysbench's output" >&2; exit 1; }
}

peer_vals='' vb_vals='' ratios=''
for ((i = 1; i <= PAIRS; i++)); do
	p=$(sb_events_per_s)
	v=$(printf '%.2f' "$(vb_metric cpu "$vb_opts" events_per_s)")
	peer_vals+="$p " vb_vals+="$v "
	ratios+="$(ratio "$v" "$p") "
	echo "pair $i: sysbench $p events/s  vmbench $v events/s" >&2
done

record "$NAME" "$peer_cmd" "$vb_cmd" "${peer_vals% }" "${vb_vals% }" "${ratios% }" "events/s"
