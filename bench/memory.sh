#!/usr/bin/env bash
# Fidelity of the memory workload against sysbench 1.0.20 memory: 1 KiB
# blocks, 10 GiB in all, one thread, sequential writes and then sequential
# reads; MiB/s compared pair by pair (sysbench's "(N MiB/sec)" figure, which
# is events * block size / 2^20 over the run time, as vmbench's mib_per_s).
#
# With 1 KiB blocks most of an event's time is the per-event bookkeeping,
# which vmbench reproduces (see src/workloads/memory.c); BLOCK_SIZE=1M
# compares the word loops alone.
#
# Environment: PAIRS (5), RUNTIME (time limit in seconds, 10; 10G usually
# ends first), BLOCK_SIZE (1K), TOTAL_SIZE (10G), OPERS ("write read").
# A quick sanity run:  PAIRS=1 RUNTIME=3 bench/memory.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

RUNTIME=${RUNTIME:-10}
BLOCK_SIZE=${BLOCK_SIZE:-1K}
TOTAL_SIZE=${TOTAL_SIZE:-10G}
OPERS=${OPERS:-write read}

command -v sysbench >/dev/null || { echo "memory.sh: sysbench is not installed" >&2; exit 1; }
[ -x "$AGENT" ] || { echo "memory.sh: build $AGENT first (make vmbench-agent)" >&2; exit 1; }

# "10240.00 MiB transferred (7564.13 MiB/sec)"
sb_mib_per_s() {
	local out
	out=$($1)
	sed -n 's/.*MiB transferred (\([0-9.]*\) MiB\/sec).*/\1/p' <<<"$out" | grep . ||
		{ echo "memory.sh: no 'MiB/sec' figure in sysbench's output" >&2; exit 1; }
}

for oper in $OPERS; do
	name=memory-$oper
	[ "$BLOCK_SIZE" = 1K ] || name=$name-$BLOCK_SIZE
	peer_cmd="sysbench memory --memory-block-size=$BLOCK_SIZE --memory-total-size=$TOTAL_SIZE --memory-oper=$oper --time=$RUNTIME run"
	vb_opts="block-size=$BLOCK_SIZE,total-size=$TOTAL_SIZE,oper=$oper,time=${RUNTIME}s"
	vb_cmd="vmbench-agent --once memory '$vb_opts'"
	peer_vals='' vb_vals='' ratios=''
	for ((i = 1; i <= PAIRS; i++)); do
		p=$(sb_mib_per_s "$peer_cmd")
		v=$(printf '%.2f' "$(vb_metric memory "$vb_opts" mib_per_s)")
		peer_vals+="$p " vb_vals+="$v "
		ratios+="$(ratio "$v" "$p") "
		echo "$oper pair $i: sysbench $p MiB/s  vmbench $v MiB/s" >&2
	done
	record "$name" "$peer_cmd" "$vb_cmd" "${peer_vals% }" "${vb_vals% }" "${ratios% }" "MiB/s"
done
