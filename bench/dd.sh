#!/usr/bin/env bash
# Fidelity of the dd workload against GNU dd: direct 8k writes of zeros.
#
# dd's own "MB/s" is rounded to two or three digits, so the peer's figure is
# recomputed from its "N bytes ... copied, S s" line as N / S / 1e6, which
# is exactly vmbench's mb_per_s; the printed figure is kept for reference.
#
# Environment: PAIRS (5), DD_BS (8k), DD_COUNT (102400 blocks), DD_FILE
# ($WORK/dd.img), DD_NAME (the result file's name, dd-direct-write).
# A quick sanity run:  PAIRS=1 DD_COUNT=10240 bench/dd.sh
. "$(dirname "$0")/lib.sh"

BS=${DD_BS:-8k}
COUNT=${DD_COUNT:-102400}
FILE=${DD_FILE:-$WORK/dd.img}
NAME=${DD_NAME:-dd-direct-write}

[ -x "$AGENT" ] || { echo "dd.sh: build $AGENT first (make vmbench-agent)" >&2; exit 1; }
trap 'rm -f "$FILE"' EXIT

peer_cmd="dd if=/dev/zero of=$FILE bs=$BS count=$COUNT oflag=direct"
vb_opts="filename=$FILE,bs=$BS,count=$COUNT,direct=on"
vb_cmd="vmbench-agent --once dd '$vb_opts'"

# dd_peer: runs dd and prints "COMPUTED_MB_S PRINTED_MB_S".
dd_peer() {
	local line
	local out
	out=$(LC_ALL=C $peer_cmd 2>&1 >/dev/null)
	line=$(tail -n 1 <<<"$out")
	# 838860800 bytes (839 MB, 800 MiB) copied, 4.2 s, 200 MB/s
	awk '{
		bytes = $1
		for (i = 1; i <= NF; i++) if ($i == "s," || $i == "s") { secs = $(i - 1); break }
		rate = $(NF - 1); unit = $NF
		f = unit == "B/s" ? 1e-6 : unit == "kB/s" ? 1e-3 : unit == "MB/s" ? 1 : \
		    unit == "GB/s" ? 1e3 : unit == "TB/s" ? 1e6 : -1
		if (bytes <= 0 || secs <= 0 || f < 0) { print "cannot parse dd: " $0 > "/dev/stderr"; exit 1 }
		printf "%.2f %.2f\n", bytes / secs / 1e6, rate * f
	}' <<<"$line"
}

# one untimed run first, so that every measured run replaces an existing file
LC_ALL=C $peer_cmd 2>/dev/null

peer_vals= vb_vals= ratios= printed=
for ((i = 1; i <= PAIRS; i++)); do
	read -r p pp <<<"$(dd_peer)"
	v=$(printf '%.2f' "$(vb_metric dd "$vb_opts" mb_per_s)")
	peer_vals+="$p " printed+="$pp " vb_vals+="$v "
	ratios+="$(ratio "$v" "$p") "
	echo "pair $i: dd $p MB/s (printed $pp)  vmbench $v MB/s" >&2
done

record "$NAME" "$peer_cmd" "$vb_cmd" "${peer_vals% }" "${vb_vals% }" \
	"${ratios% }" "MB/s"
echo "- dd's own printed MB/s per pair: ${printed% }" >>"$RESULTS/$NAME.md"
echo >>"$RESULTS/$NAME.md"
