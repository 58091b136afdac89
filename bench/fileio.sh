#!/usr/bin/env bash
# Fidelity of the fileio workload against sysbench 1.0.20 fileio (rndrw, or
# FILEIO_MODE, e.g. seqrewr).
#
# One `sysbench fileio prepare` makes the files; then sysbench and vmbench
# take turns on the very same files (vmbench: dir= that directory,
# keep-files=on), and reads/s, writes/s and fsyncs/s are compared pair by pair.
#
# Environment: PAIRS (5), FILEIO_MODE (rndrw), FILEIO_SIZE (1G), FILEIO_TIME (seconds, 10),
# FILEIO_DIR (where the files go, $WORK/fileio), FILEIO_NAME (the result
# file's name, fileio-rndrw; e.g. fileio-rndrw-tmpfs with FILEIO_DIR on tmpfs,
# where fsync costs nothing and only the code paths are compared).
# A quick sanity run:  PAIRS=1 FILEIO_SIZE=64M FILEIO_TIME=2 bench/fileio.sh
. "$(dirname "$0")/lib.sh"

SIZE=${FILEIO_SIZE:-1G}
TIME=${FILEIO_TIME:-10}
DIR=${FILEIO_DIR:-$WORK/fileio}
MODE=${FILEIO_MODE:-rndrw}
NAME=${FILEIO_NAME:-fileio-$MODE}
SB="sysbench fileio --file-total-size=$SIZE"

command -v sysbench >/dev/null || { echo "fileio.sh: sysbench is not installed" >&2; exit 1; }
[ -x "$AGENT" ] || { echo "fileio.sh: build $AGENT first (make vmbench-agent)" >&2; exit 1; }

mkdir -p "$DIR"
cleanup() { (cd "$DIR" && $SB cleanup >/dev/null 2>&1) || true; rmdir "$DIR" 2>/dev/null || true; }
trap cleanup EXIT
cd "$DIR"
$SB prepare >/dev/null

peer_cmd="$SB --file-test-mode=$MODE --time=$TIME run"
vb_opts="mode=$MODE,file-total-size=$SIZE,time=${TIME}s,dir=$DIR,keep-files=on"
vb_cmd="vmbench-agent --once fileio '$vb_opts'"

# sysbench_rate NAME: the figure after "NAME:" in sysbench's report (stdin).
sysbench_rate() { awk -v k="$1:" '$1 == k { print $2; exit }'; }

declare -A peer vb ratios
case $MODE in
*rd) names="reads" ;;
*wr | *rewr) names="writes fsyncs" ;;
*) names="reads writes fsyncs" ;;
esac
for ((i = 1; i <= PAIRS; i++)); do
	out=$($peer_cmd)
	json=$(vb_json fileio "$vb_opts")
	vals=$(python3 -c '
import json,sys
r=json.loads(sys.argv[1])
if r.get("status")!="ok": sys.exit("vmbench run failed: %s" % r.get("error"))
m=r["metrics"]
print(*(m[k]["value"] for k in ("reads_per_s","writes_per_s","fsyncs_per_s")))' "$json")
	read -r vr vw vf <<<"$vals"
	pr=$(sysbench_rate reads/s <<<"$out")
	pw=$(sysbench_rate writes/s <<<"$out")
	pf=$(sysbench_rate fsyncs/s <<<"$out")
	for n in $names; do
		case $n in
		reads) p=$pr v=$vr ;;
		writes) p=$pw v=$vw ;;
		fsyncs) p=$pf v=$vf ;;
		esac
		peer[$n]+="$p "
		vb[$n]+="$(printf '%.2f' "$v") "
		ratios[$n]+="$(ratio "$v" "$p") "
	done
	echo "pair $i: sysbench r/w/f $pr $pw $pf  vmbench $(printf '%.2f %.2f %.2f' "$vr" "$vw" "$vf")" >&2
done

for n in $names; do
	record "$NAME-$n" "$peer_cmd" "$vb_cmd" "${peer[$n]% }" "${vb[$n]% }" \
		"${ratios[$n]% }" "$n/s"
done
