# Shared by the fidelity benchmarks in bench/. Source it:  . "$(dirname "$0")/lib.sh"
#
# The peer and vmbench run alternately (peer, vmbench, peer, vmbench, ...) for
# PAIRS pairs, so that host drift lands on both; the figure reported is the
# median of the per-pair ratios vmbench/peer. One benchmark at a time holds
# /tmp/vmbench-bench.lock, so two scripts never measure against each other.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$BENCH_DIR/.." && pwd)
AGENT=${VMBENCH_AGENT:-$TOP/vmbench-agent}
PAIRS=${PAIRS:-5}
WORK=${BENCH_WORK:-/var/tmp/vmbench-bench}
RESULTS=$BENCH_DIR/results
mkdir -p "$WORK" "$RESULTS"

exec 9>/tmp/vmbench-bench.lock
flock 9

# Nothing may run beside a measured command: on this 2-vCPU VM a python3
# start on the other vCPU (the reader at the end of a pipe starts together
# with the writer) costs a 0.2 s run a quarter to a half of its rate, and
# it lands on the first 50-100 ms only, so short runs read low and long ones
# do not. Every measured command's output is therefore captured whole
# (out=$(cmd)) and parsed after it has exited: never `cmd | parser`.

# vb_metric WORKLOAD 'k=v,...' METRIC: runs the workload once in the agent's
# one-shot mode and prints the metric's value.
vb_metric() {
	local out
	out=$("$AGENT" --once "$1" "$2") || { printf '%s\n' "$out" >&2; return 1; }
	printf '%s\n' "$out" | python3 -c '
import json,sys
r=json.load(sys.stdin)
if r.get("status")!="ok": sys.exit("vmbench run failed: %s" % r.get("error"))
print(r["metrics"][sys.argv[1]]["value"])' "$3"
}

# vb_json WORKLOAD 'k=v,...': the whole one-shot result. Call it as
# j=$(vb_json ...), never as the writer of a pipe into a parser.
vb_json() { "$AGENT" --once "$1" "$2"; }

# median VALUES...
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }

# ratio A B: A/B with 4 decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ printf "%.4f", a/b }'; }

# record NAME PEER_CMD VB_CMD PEER_VALUES VB_VALUES RATIOS UNIT: appends a
# markdown row to bench/results/NAME.md with the medians and the ratio.
record() {
	local name=$1 peer_cmd=$2 vb_cmd=$3 peer_vals=$4 vb_vals=$5 ratios=$6 unit=$7
	local pm vm rm
	pm=$(median $peer_vals); vm=$(median $vb_vals); rm=$(median $ratios)
	{
		echo "### $name ($(date -u +%Y-%m-%dT%H:%MZ), $(uname -r), $(nproc) cores)"
		echo
		echo "- peer: \`$peer_cmd\`"
		echo "- vmbench: \`$vb_cmd\`"
		echo "- peer per pair ($unit): $peer_vals"
		echo "- vmbench per pair ($unit): $vb_vals"
		echo "- ratio per pair (vmbench/peer): $ratios"
		echo "- **median: peer $pm, vmbench $vm, ratio $rm**"
		echo
	} >> "$RESULTS/$name.md"
	printf '%-28s peer %12s  vmbench %12s  ratio %s %s\n' "$name" "$pm" "$vm" "$rm" "$unit"
}
