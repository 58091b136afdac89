#!/usr/bin/env bash
# A fio job run by fio against the plan `vmbench import` makes of it, run by
# vmbench: the import keeps what the job measures. The job (4k random reads,
# psync, QD1, direct, time_based) is written below; its plan comes from
# `vmbench import` unchanged but for repeat = 1 (each pair is one run of
# each). fio and vmbench alternate for PAIRS pairs on the same 256 MiB file;
# read IOPS and clat p99 go to bench/results/import-fio.md.
#
#   bench/import.sh                 # PAIRS=5, RUNTIME=10 s
#   PAIRS=2 RUNTIME=3 bench/import.sh
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

RUNTIME=${RUNTIME:-10}
VMBENCH=${VMBENCH:-$TOP/vmbench}
command -v fio >/dev/null || { echo "import.sh: fio is not installed" >&2; exit 1; }
[ -x "$VMBENCH" ] || { echo "import.sh: no $VMBENCH (make)" >&2; exit 1; }

JOB=$WORK/import-randread.fio
cat >"$JOB" <<FIO
[global]
directory=$WORK
size=256m
direct=1
ioengine=psync
runtime=$RUNTIME
time_based

[import-rr]
filename=import-rr.dat
rw=randread
bs=4k
iodepth=1
FIO
PLAN=$WORK/import-randread.ini
"$VMBENCH" import -o "$PLAN" "$JOB"
sed -i 's/^repeat = 3/repeat = 1/' "$PLAN"
# lay the file out once, for both
fio --name=layout --filename="$WORK/import-rr.dat" --rw=write --bs=1M --size=256m \
	--direct=1 --output=/dev/null

fio_vals="" vb_vals="" fio_p99="" vb_p99="" ratios=""
for i in $(seq 1 "$PAIRS"); do
	for who in fio vb; do
		[ $((i % 2)) = 0 ] && who=$([ "$who" = fio ] && echo vb || echo fio)
		if [ "$who" = fio ]; then
			out=$(fio --output-format=json "$JOB")
			read -r iops p99 < <(printf '%s\n' "$out" | python3 -c '
import json, sys
r = json.load(sys.stdin)["jobs"][0]["read"]
print("%.1f %.1f" % (r["iops"], r["clat_ns"]["percentile"]["99.000000"] / 1000))')
			fio_vals+=" $iops" fio_p99+=" $p99"
		else
			rm -f "$WORK/import.db"
			"$VMBENCH" run -q --db "$WORK/import.db" "$PLAN" >/dev/null
			read -r iops p99 < <(sqlite3 "$WORK/import.db" "select
				(select value from metric where name = 'read_iops'),
				(select value from metric where name = 'read_clat_p99_us')" | tr '|' ' ')
			vb_vals+=" $iops" vb_p99+=" $p99"
		fi
	done
done
# shellcheck disable=SC2086 # the values, one word each
set -- $fio_vals
for v in $vb_vals; do ratios+=" $(ratio "$v" "$1")"; shift; done
record import-fio "fio $(basename "$JOB") (the job above)" \
	"vmbench import $(basename "$JOB"); vmbench run (repeat = 1)" \
	"${fio_vals# }" "${vb_vals# }" "${ratios# }" "read IOPS"
echo "fio IOPS:$fio_vals"
echo "vmbench IOPS:$vb_vals"
echo "clat p99 us: fio$fio_p99 / vmbench$vb_p99"
# shellcheck disable=SC2086
echo "median ratio vmbench/fio: $(median $ratios)"
