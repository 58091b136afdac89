#!/usr/bin/env bash
# Fidelity of the net workload's TCP stream against iperf3 on loopback: one
# stream, client to server, 128 KiB writes, the first OMIT seconds left out,
# receiver bits per second compared pair by pair (iperf3 -J's
# end.sum_received.bits_per_second against the agent's fwd_mbit_s).
#
# The iperf3 server listens on 127.0.0.1 only and is stopped by its PID at
# the end. Both tools' clients run on CLIENT_CPUS and servers on SERVER_CPUS
# (taskset for iperf3, client-cpus/server-cpus for the agent; set both
# empty for no pinning).
#
# Environment: PAIRS (5), RUNTIME (seconds, 5), OMIT (1), PORT (15201),
# STREAMS (1), CLIENT_CPUS (0), SERVER_CPUS (1) (one CPU or a range: 0, 0-1).
# A quick sanity run:  PAIRS=1 RUNTIME=2 bench/net.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

RUNTIME=${RUNTIME:-5}
OMIT=${OMIT:-1}
PORT=${PORT:-15201}
STREAMS=${STREAMS:-1}
# pinned apart by default, as the seeds ran: unpinned, where the scheduler
# puts four busy threads of two tools on a loaded host decides more than
# the tools do
CLIENT_CPUS=${CLIENT_CPUS-0}
SERVER_CPUS=${SERVER_CPUS-1}
NAME=net-stream

command -v iperf3 >/dev/null || { echo "net.sh: iperf3 is not installed (apt-get install iperf3)" >&2; exit 1; }
[ -x "$AGENT" ] || { echo "net.sh: build $AGENT first (make vmbench-agent)" >&2; exit 1; }

pin() { if [ -n "$1" ]; then echo "taskset -c $1"; fi; }

server_pid=
stop_server() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi; server_pid=; }
trap stop_server EXIT
# shellcheck disable=SC2046
$(pin "$SERVER_CPUS") iperf3 -s -B 127.0.0.1 -p "$PORT" >/dev/null 2>&1 &
server_pid=$!
sleep 0.5
kill -0 "$server_pid" 2>/dev/null || { echo "net.sh: iperf3 -s could not start on 127.0.0.1:$PORT (port in use? set PORT)" >&2; exit 1; }

peer_cmd="$(pin "$CLIENT_CPUS") iperf3 -c 127.0.0.1 -p $PORT -t $RUNTIME -O $OMIT -P $STREAMS -l 128K -J"
vb_opts="mode=stream,time=${RUNTIME}s,omit=${OMIT}s,streams=$STREAMS,msg-size=128k"
[ -n "$CLIENT_CPUS" ] && vb_opts+=",client-cpus=$CLIENT_CPUS"
[ -n "$SERVER_CPUS" ] && vb_opts+=",server-cpus=$SERVER_CPUS"
vb_cmd="vmbench-agent --once net '$vb_opts'"

iperf_mbit() {
	local out
	out=$($peer_cmd) || { echo "net.sh: iperf3 failed: $out" >&2; exit 1; }
	python3 -c '
import json,sys
j=json.loads(sys.stdin.read())
print("%.1f" % (j["end"]["sum_received"]["bits_per_second"]/1e6))' <<<"$out"
}

peer_vals='' vb_vals='' ratios=''
for ((i = 1; i <= PAIRS; i++)); do
	p=$(iperf_mbit)
	v=$(printf '%.1f' "$(vb_metric net "$vb_opts" fwd_mbit_s)")
	peer_vals+="$p " vb_vals+="$v "
	ratios+="$(ratio "$v" "$p") "
	echo "pair $i: iperf3 $p Mbit/s  vmbench $v Mbit/s" >&2
done
stop_server

record "$NAME" "$peer_cmd" "$vb_cmd" "${peer_vals% }" "${vb_vals% }" "${ratios% }" "Mbit/s"
