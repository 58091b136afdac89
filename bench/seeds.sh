#!/usr/bin/env bash
# The seeds' own commands, and short runs, against sysbench: what a user of
# the seed scenarios types, side by side with vmbench's agent, alternating
# pairs (lib.sh). Short runs (a few hundred events, a total size done in a
# fraction of a second) are where a fixed cost inside vmbench's timed region
# would show; the long ones are the seeds' cpu commands.
#
#   bench/seeds.sh                  every row below, PAIRS=5 (about 8 minutes)
#   CPU_TIME=30 bench/seeds.sh      the seed's --time=30 for the cpu rows (10)
#   ONLY=memory bench/seeds.sh      the rows whose name holds "memory"
#   SEEDS_IO=1 bench/seeds.sh       also fileio rndrw 2G and seqrewr 1G, dd and
#                                   fio randread 4k QD1 (through fileio.sh,
#                                   dd.sh and fio.sh; 15 more minutes)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

CPU_TIME=${CPU_TIME:-10}
command -v sysbench >/dev/null || { echo "seeds.sh: sysbench is not installed" >&2; exit 1; }
[ -x "$AGENT" ] || { echo "seeds.sh: build $AGENT first (make vmbench-agent)" >&2; exit 1; }

# figure OUTPUT AWK_PROGRAM: what the awk program finds in a captured output
figure() {
	awk "$2" <<<"$1" | grep . || { echo "seeds.sh: no figure in: $1" >&2; exit 1; }
}

# sysbench's printed rate, and the same events over its events' own time
# (the sum of their latencies): the printed one's denominator runs from its
# start barrier to its report, past the join and its cleanup, a few
# milliseconds that are a few percent of a run of 0.1-0.2 s
SB_EPS='/events per second:/ { print $NF }'
SB_EPS_EVT='/total number of events:/ { n = $NF } /^ *sum:/ { s = $NF } END { if (s > 0) print n / (s / 1000) }'
SB_MIBS='/MiB transferred/ { gsub(/[(]/, "", $4); print $4 }'
SB_MIBS_EVT='/MiB transferred/ { m = $1 } /^ *sum:/ { s = $NF } END { if (s > 0) print m / (s / 1000) }'

# pairs NAME PEER_CMD AWK AWK_EVENT_TIME WORKLOAD VB_OPTS METRIC UNIT: records
# NAME (against sysbench's printed figure) and NAME-event-time
pairs() {
	local name=$1 peer_cmd=$2 awkp=$3 awke=$4 wl=$5 vb_opts=$6 metric=$7 unit=$8
	local pv='' pev='' vv='' r='' re='' out p pe v
	[[ $name == *${ONLY:-}* ]] || return 0
	for ((i = 1; i <= PAIRS; i++)); do
		out=$($peer_cmd)
		p=$(figure "$out" "$awkp")
		pe=$(printf '%.2f' "$(figure "$out" "$awke")")
		v=$(printf '%.2f' "$(vb_metric "$wl" "$vb_opts" "$metric")")
		pv+="$p " pev+="$pe " vv+="$v "
		r+="$(ratio "$v" "$p") " re+="$(ratio "$v" "$pe") "
		echo "$name pair $i: sysbench $p (over its events' time: $pe)  vmbench $v $unit" >&2
	done
	record "$name" "$peer_cmd" "vmbench-agent --once $wl '$vb_opts'" "${pv% }" "${vv% }" \
		"${r% }" "$unit"
	record "$name-event-time" "$peer_cmd (events over the sum of their latencies)" \
		"vmbench-agent --once $wl '$vb_opts'" "${pev% }" "${vv% }" "${re% }" "$unit"
}

# short runs
pairs seed-cpu-20000-events300 "sysbench cpu --cpu-max-prime=20000 --events=300 --time=0 run" \
	"$SB_EPS" "$SB_EPS_EVT" cpu "max-prime=20000,events=300,time=0" events_per_s events/s
pairs seed-memory-8M-4G "sysbench memory --memory-block-size=8M --memory-total-size=4G run" \
	"$SB_MIBS" "$SB_MIBS_EVT" memory "block-size=8M,total-size=4G" mib_per_s MiB/s
pairs seed-memory-4M-2G "sysbench memory --memory-block-size=4M --memory-total-size=2G run" \
	"$SB_MIBS" "$SB_MIBS_EVT" memory "block-size=4M,total-size=2G" mib_per_s MiB/s
pairs short-memory-1K-2G-write \
	"sysbench memory --memory-block-size=1K --memory-total-size=2G --memory-oper=write run" \
	"$SB_MIBS" "$SB_MIBS_EVT" memory "block-size=1K,total-size=2G,oper=write" mib_per_s MiB/s
# the same over 10x the size (3.5 s): the short run's long twin
pairs memory-1K-20G-write \
	"sysbench memory --memory-block-size=1K --memory-total-size=20G --memory-oper=write run" \
	"$SB_MIBS" "$SB_MIBS_EVT" memory "block-size=1K,total-size=20G,oper=write" mib_per_s MiB/s
# the seeds' cpu commands (their --time=30 with CPU_TIME=30)
for mp in 20000 25000 50000; do
	pairs "seed-cpu-$mp" "sysbench cpu --cpu-max-prime=$mp --time=$CPU_TIME run" "$SB_EPS" \
		"$SB_EPS_EVT" cpu "max-prime=$mp,time=${CPU_TIME}s" events_per_s events/s
done

if [ "${SEEDS_IO:-0}" = 1 ]; then
	exec 9>&- # the scripts below take the bench lock themselves
	FILEIO_MODE=rndrw FILEIO_SIZE=2G FILEIO_NAME=seed-fileio-rndrw-2G bash "$BENCH_DIR/fileio.sh"
	FILEIO_MODE=seqrewr FILEIO_SIZE=1G FILEIO_NAME=seed-fileio-seqrewr-1G bash "$BENCH_DIR/fileio.sh"
	bash "$BENCH_DIR/dd.sh"
	bash "$BENCH_DIR/fio.sh"
fi
