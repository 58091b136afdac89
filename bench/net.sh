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
# PATH_KIND=veth measures across a veth pair between two network namespaces
# instead: iperf3's server in one, its client in the other (made here with
# ip, removed at the end), against `vmbench run -t native -T network=veth`,
# whose split run puts the agent's server in the target's namespace and a
# host-side agent, the client, in the client's (the same topology, its own
# namespaces). Needs root.
#
# NODELAY=1 compares `iperf3 -N` with `nodelay=on` (TCP_NODELAY on the data
# sockets); by default both leave Nagle on.
#
# Environment: PAIRS (5), RUNTIME (seconds, 5), OMIT (1), PORT (15201),
# STREAMS (1), CLIENT_CPUS (0), SERVER_CPUS (1) (one CPU or a range: 0, 0-1),
# PATH_KIND (loopback | veth), NODELAY (0 | 1).
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
PATH_KIND=${PATH_KIND:-loopback}
NODELAY=${NODELAY:-0}
NAME=net-stream
[ "$PATH_KIND" = veth ] && NAME=net-stream-veth
[ "$NODELAY" = 1 ] && NAME=$NAME-nodelay

command -v iperf3 >/dev/null || { echo "net.sh: iperf3 is not installed (apt-get install iperf3)" >&2; exit 1; }
[ -x "$AGENT" ] || { echo "net.sh: build $AGENT first (make vmbench-agent)" >&2; exit 1; }

pin() { if [ -n "$1" ]; then echo "taskset -c $1"; fi; }

server_pid=
NS_C=vbbench-$$-c NS_T=vbbench-$$-t
SRV_IP=127.0.0.1 IN_C='' IN_T=''
stop_server() {
	if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
	server_pid=
	if [ "$PATH_KIND" = veth ]; then ip netns del "$NS_C" 2>/dev/null || true; ip netns del "$NS_T" 2>/dev/null || true; fi
}
trap stop_server EXIT
if [ "$PATH_KIND" = veth ]; then
	[ "$(id -u)" = 0 ] || { echo "net.sh: PATH_KIND=veth needs root (network namespaces)" >&2; exit 1; }
	# the topology vmbench's native network=veth builds (src/net/netns.c)
	ip netns add "$NS_C" && ip netns add "$NS_T"
	ip -n "$NS_C" link set lo up && ip -n "$NS_T" link set lo up
	ip -n "$NS_C" link add vb0 type veth peer name eth0 netns "$NS_T"
	ip -n "$NS_C" addr add 10.77.0.1/24 dev vb0 && ip -n "$NS_T" addr add 10.77.0.2/24 dev eth0
	ip -n "$NS_C" link set vb0 up && ip -n "$NS_T" link set eth0 up
	SRV_IP=10.77.0.2 IN_C="ip netns exec $NS_C" IN_T="ip netns exec $NS_T"
fi
# shellcheck disable=SC2046,SC2086
$IN_T $(pin "$SERVER_CPUS") iperf3 -s -B "$SRV_IP" -p "$PORT" >/dev/null 2>&1 &
server_pid=$!
sleep 0.5
kill -0 "$server_pid" 2>/dev/null || { echo "net.sh: iperf3 -s could not start on $SRV_IP:$PORT (port in use? set PORT)" >&2; exit 1; }

peer_cmd="$IN_C $(pin "$CLIENT_CPUS") iperf3 -c $SRV_IP -p $PORT -t $RUNTIME -O $OMIT -P $STREAMS -l 128K -J"
[ "$NODELAY" = 1 ] && peer_cmd+=" -N"
peer_cmd=${peer_cmd# }
vb_opts="mode=stream,time=${RUNTIME}s,omit=${OMIT}s,streams=$STREAMS,msg-size=128k"
[ "$NODELAY" = 1 ] && vb_opts+=",nodelay=on"
[ -n "$CLIENT_CPUS" ] && vb_opts+=",client-cpus=$CLIENT_CPUS"
[ -n "$SERVER_CPUS" ] && vb_opts+=",server-cpus=$SERVER_CPUS"
vb_cmd="vmbench-agent --once net '$vb_opts'"
VMBENCH=$TOP/vmbench
if [ "$PATH_KIND" = veth ]; then
	[ -x "$VMBENCH" ] || { echo "net.sh: build $VMBENCH first (make)" >&2; exit 1; }
	vb_cmd="vmbench run -t native -T network=veth -w net --set '$vb_opts'"
fi

# vb_veth_mbit: one split run across vmbench's own veth pair (the database
# is read after vmbench has exited)
vb_veth_mbit() {
	local db=$WORK/net-veth.db
	rm -f "$db"
	"$VMBENCH" run -q --db "$db" -t native -T "network=veth,workdir=$WORK" -w net \
		--set "$vb_opts" >"$WORK/net-veth.out" 2>&1 ||
		{ cat "$WORK/net-veth.out" >&2; exit 1; }
	python3 -c '
import sqlite3,sys
print(sqlite3.connect(sys.argv[1]).execute("select value from metric where name=\"fwd_mbit_s\"").fetchone()[0])' "$db"
}

iperf_mbit() {
	local out
	# shellcheck disable=SC2086
	out=$($peer_cmd) || { echo "net.sh: iperf3 failed: $out" >&2; exit 1; }
	python3 -c '
import json,sys
j=json.loads(sys.stdin.read())
print("%.1f" % (j["end"]["sum_received"]["bits_per_second"]/1e6))' <<<"$out"
}

peer_vals='' vb_vals='' ratios=''
for ((i = 1; i <= PAIRS; i++)); do
	# every other pair vmbench goes first (as in fio.sh), so that a drift
	# of the host during a pair does not always favour the same side
	((i % 2)) && p=$(iperf_mbit)
	if [ "$PATH_KIND" = veth ]; then
		v=$(printf '%.1f' "$(vb_veth_mbit)")
	else
		v=$(printf '%.1f' "$(vb_metric net "$vb_opts" fwd_mbit_s)")
	fi
	((i % 2)) || p=$(iperf_mbit)
	peer_vals+="$p " vb_vals+="$v "
	ratios+="$(ratio "$v" "$p") "
	echo "pair $i: iperf3 $p Mbit/s  vmbench $v Mbit/s" >&2
done
stop_server

record "$NAME" "$peer_cmd" "$vb_cmd" "${peer_vals% }" "${vb_vals% }" "${ratios% }" "Mbit/s"
