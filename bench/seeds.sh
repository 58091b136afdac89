#!/usr/bin/env bash
# The seeds' own commands, and short runs, against sysbench: what a user of
# the seed scenarios types, side by side with vmbench's agent, alternating
# pairs (lib.sh). Short runs (a few hundred events, a total size done in a
# fraction of a second) are where a fixed cost inside vmbench's timed region
# would show; the long ones are the seeds' cpu commands.
#
#   bench/seeds.sh                  every row below, PAIRS=5 (about 8 minutes)
#   CPU_TIME=30 bench/seeds.sh      the seed's --time=30 for the cpu rows (10)
#   SEEDS_IO=1 bench/seeds.sh       also fileio rndrw 2G and seqrewr 1G, dd and
#                                   fio randread 4k QD1 (through fileio.sh,
#                                   dd.sh and fio.sh; 15 more minutes)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

CPU_TIME=${CPU_TIME:-10}
command -v sysbench >/dev/null || { echo "seeds.sh: sysbench is not installed" >&2; exit 1; }
[ -x "$AGENT" ] || { echo "seeds.sh: build $AGENT first (make vmbench-agent)" >&2; exit 1; }

# peer_figure CMD AWK_PROGRAM: runs CMD alone, then prints what the awk
# program finds in its output
peer_figure() {
	local out
	out=$($1)
	awk "$2" <<<"$out" | grep . || { echo "seeds.sh: no figure in the output of: $1" >&2; exit 1; }
}

SB_EPS='/events per second:/ { print $NF }'
SB_MIBS='/MiB transferred/ { gsub(/[(]/, "", $4); print $4 }'

# pairs NAME PEER_CMD AWK WORKLOAD VB_OPTS METRIC UNIT
pairs() {
	local name=$1 peer_cmd=$2 awkp=$3 wl=$4 vb_opts=$5 metric=$6 unit=$7
	local peer_vals='' vb_vals='' ratios='' p v
	for ((i = 1; i <= PAIRS; i++)); do
		p=$(peer_figure "$peer_cmd" "$awkp")
		v=$(printf '%.2f' "$(vb_metric "$wl" "$vb_opts" "$metric")")
		peer_vals+="$p " vb_vals+="$v "
		ratios+="$(ratio "$v" "$p") "
		echo "$name pair $i: sysbench $p  vmbench $v $unit" >&2
	done
	record "$name" "$peer_cmd" "vmbench-agent --once $wl '$vb_opts'" "${peer_vals% }" \
		"${vb_vals% }" "${ratios% }" "$unit"
}

# short runs
pairs seed-cpu-20000-events300 "sysbench cpu --cpu-max-prime=20000 --events=300 --time=0 run" \
	"$SB_EPS" cpu "max-prime=20000,events=300,time=0" events_per_s events/s
pairs seed-memory-8M-4G "sysbench memory --memory-block-size=8M --memory-total-size=4G run" \
	"$SB_MIBS" memory "block-size=8M,total-size=4G" mib_per_s MiB/s
pairs seed-memory-4M-2G "sysbench memory --memory-block-size=4M --memory-total-size=2G run" \
	"$SB_MIBS" memory "block-size=4M,total-size=2G" mib_per_s MiB/s
pairs short-memory-1K-2G-write \
	"sysbench memory --memory-block-size=1K --memory-total-size=2G --memory-oper=write run" \
	"$SB_MIBS" memory "block-size=1K,total-size=2G,oper=write" mib_per_s MiB/s
# the seeds' cpu commands (their --time=30 with CPU_TIME=30)
for mp in 20000 25000 50000; do
	pairs "seed-cpu-$mp" "sysbench cpu --cpu-max-prime=$mp --time=$CPU_TIME run" "$SB_EPS" \
		cpu "max-prime=$mp,time=${CPU_TIME}s" events_per_s events/s
done

if [ "${SEEDS_IO:-0}" = 1 ]; then
	exec 9>&- # the scripts below take the bench lock themselves
	FILEIO_MODE=rndrw FILEIO_SIZE=2G FILEIO_NAME=seed-fileio-rndrw-2G bash "$BENCH_DIR/fileio.sh"
	FILEIO_MODE=seqrewr FILEIO_SIZE=1G FILEIO_NAME=seed-fileio-seqrewr-1G bash "$BENCH_DIR/fileio.sh"
	bash "$BENCH_DIR/dd.sh"
	bash "$BENCH_DIR/fio.sh"
fi
