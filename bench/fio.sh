#!/usr/bin/env bash
# Fidelity of the blkio workload against fio: IOPS, clat p99 and CPU per I/O.
#
#   bench/fio.sh                    # PAIRS=5 pairs of RUNTIME=10 s runs per case
#   RUNTIME=3 PAIRS=1 bench/fio.sh  # quick sanity run
#   CASES="qd1-psync qd32-io_uring" bench/fio.sh
#
# Both tools read and write one 1 GiB file under $BENCH_WORK (laid out once by
# fio), with direct I/O, in pairs (fio first in odd pairs, vmbench first in
# even ones). The sequential write case uses io_uring at iodepth 8. Results go
# to bench/results/fio-CASE.md: three sections per case (iops, clat p99 in us,
# CPU us per I/O), each with the per-pair values, the medians and the median
# of the per-pair ratios vmbench/fio.
#
# What is compared: fio's clat percentiles (from when the kernel has the I/O
# to its reaping) against blkio's NAME_clat_p99_us, which measures the same
# interval; fio's CPU per I/O is (usr_cpu+sys_cpu)/100 * job_runtime / ios,
# against blkio's cpu_us_per_io (both from getrusage of the job's thread).
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

RUNTIME=${RUNTIME:-10}
FILE=$WORK/fio-1g.dat
CASES=${CASES:-"qd1-psync qd1-io_uring qd32-io_uring write-1m-qd8-io_uring"}

command -v fio >/dev/null || { echo "fio.sh: fio is not installed" >&2; exit 1; }
[ -x "$AGENT" ] || { echo "fio.sh: no agent at $AGENT (make vmbench-agent)" >&2; exit 1; }

if [ "$(stat -c %s "$FILE" 2>/dev/null || echo 0)" != 1073741824 ]; then
	echo "laying out $FILE"
	fio --name=layout --filename="$FILE" --rw=write --bs=1M --size=1G --direct=1 \
		--ioengine=libaio --iodepth=8 --output=/dev/null
fi

# case NAME -> "DIR FIO_ARGS | VMBENCH_OPTS"
case_def() {
	case $1 in
	qd1-psync) echo "read --rw=randread --bs=4k --iodepth=1 --ioengine=psync" \
		"|rw=randread,bs=4k,iodepth=1,engine=psync" ;;
	qd1-io_uring) echo "read --rw=randread --bs=4k --iodepth=1 --ioengine=io_uring" \
		"|rw=randread,bs=4k,iodepth=1,engine=io_uring" ;;
	qd32-io_uring) echo "read --rw=randread --bs=4k --iodepth=32 --ioengine=io_uring" \
		"|rw=randread,bs=4k,iodepth=32,engine=io_uring" ;;
	# sequential write, 1 MiB, io_uring at queue depth 8
	write-1m-qd8-io_uring) echo "write --rw=write --bs=1M --iodepth=8 --ioengine=io_uring" \
		"|rw=write,bs=1M,iodepth=8,engine=io_uring" ;;
	*) echo "fio.sh: unknown case '$1'" >&2; exit 2 ;;
	esac
}

# fio_figures DIR < fio-json: "IOPS P99_US CPU_US_PER_IO"
fio_figures() {
	python3 -c '
import json, sys
j = json.load(sys.stdin)["jobs"][0]
d = j[sys.argv[1]]
ios = d["total_ios"]
cpu = (j["usr_cpu"] + j["sys_cpu"]) / 100 * j["job_runtime"] * 1000 / ios
print("%.2f %.2f %.3f" % (d["iops"], d["clat_ns"]["percentile"]["99.000000"] / 1000, cpu))' "$1"
}

# vb_figures DIR < vmbench-json: "IOPS P99_US CPU_US_PER_IO"
vb_figures() {
	python3 -c '
import json, sys
r = json.load(sys.stdin)
if r.get("status") != "ok": sys.exit("vmbench run failed: %s" % r.get("error"))
m = r["metrics"]; d = sys.argv[1]
print("%.2f %.2f %.3f" % (m[d + "_iops"]["value"], m[d + "_clat_p99_us"]["value"],
                          m["cpu_us_per_io"]["value"]))' "$1"
}

for c in $CASES; do
	def=$(case_def "$c")
	dir=${def%% *}
	rest=${def#* }
	fargs=${rest%%|*}
	fio_args="--name=x --filename=$FILE ${fargs% } --direct=1 --runtime=$RUNTIME"
	fio_args+=" --time_based --size=1G --output-format=json"
	vb_opts="filename=$FILE,${rest#*|},direct=on,runtime=${RUNTIME}s,size=1G"
	fio_i=() vb_i=() r_i=() fio_p=() vb_p=() r_p=() fio_c=() vb_c=() r_c=()
	for ((i = 1; i <= PAIRS; i++)); do
		# every other pair vmbench goes first, so that a drift of the host
		# during a pair does not always favour the same side
		if ((i % 2)); then
			# shellcheck disable=SC2086 # fio_args is a word list
			out=$(fio $fio_args)
			f=$(fio_figures "$dir" <<<"$out")
			out=$(vb_json blkio "$vb_opts")
			v=$(vb_figures "$dir" <<<"$out")
		else
			out=$(vb_json blkio "$vb_opts")
			v=$(vb_figures "$dir" <<<"$out")
			# shellcheck disable=SC2086
			out=$(fio $fio_args)
			f=$(fio_figures "$dir" <<<"$out")
		fi
		read -r f_iops f_p99 f_cpu <<<"$f"
		read -r v_iops v_p99 v_cpu <<<"$v"
		echo "  $c pair $i: fio $f_iops iops, p99 ${f_p99}us, ${f_cpu} CPU us/io;" \
			"vmbench $v_iops iops, p99 ${v_p99}us, ${v_cpu} CPU us/io"
		fio_i+=("$f_iops") vb_i+=("$v_iops") r_i+=("$(ratio "$v_iops" "$f_iops")")
		fio_p+=("$f_p99") vb_p+=("$v_p99") r_p+=("$(ratio "$v_p99" "$f_p99")")
		fio_c+=("$f_cpu") vb_c+=("$v_cpu") r_c+=("$(ratio "$v_cpu" "$f_cpu")")
	done
	peer_cmd="fio $fio_args"
	vb_cmd="vmbench-agent --once blkio '$vb_opts'"
	record "fio-$c" "$peer_cmd" "$vb_cmd" "${fio_i[*]}" "${vb_i[*]}" "${r_i[*]}" "iops"
	record "fio-$c" "$peer_cmd" "$vb_cmd" "${fio_p[*]}" "${vb_p[*]}" "${r_p[*]}" "clat p99 us"
	record "fio-$c" "$peer_cmd" "$vb_cmd" "${fio_c[*]}" "${vb_c[*]}" "${r_c[*]}" "CPU us per I/O"
done
