#!/usr/bin/env bash
# The http workload against wrk, with one nginx on 127.0.0.1 serving one
# file of FILE_SIZE bytes (nginx-light, its own config and prefix in a
# temporary directory, stopped by its PID at the end):
#
#  1. http-closed: the agent's generator in a closed loop (`workers`
#     connections, role=client, url=) against `wrk -t1 -c WORKERS`, both
#     loading nginx: requests per second, pair by pair.
#  2. http-server: the agent's own server (role=server, the same file size)
#     against nginx, both under the same wrk: requests per second of the
#     agent's server over nginx's (a ratio to write down, no target).
#  3. http-capacity: the open-loop generator at 0.9 x the rate wrk reached
#     against nginx (achieved / wrk), and at 20%..80% of it (send lag p99);
#     max-send-lag=0 so that a late generator is measured, not refused;
#     the generator runs at SCHED_FIFO's lowest priority when allowed
#     (client-sched=auto) with 1 ns timer slack; OPEN_OPTS adds options
#     (e.g. OPEN_OPTS=client-spin=200us or client-sched=other to compare).
#
# Environment: PAIRS (5), RUNTIME (seconds, 5), WORKERS (8), FILE_SIZE (4k),
# NGINX_PORT (18080), AGENT_PORT (18081), CLIENT_CPUS (0), SERVER_CPUS (1)
# (one CPU or a range; nginx and the agent's server on SERVER_CPUS, wrk and
# the agent's generator on CLIENT_CPUS).
# A quick sanity run:  PAIRS=1 RUNTIME=2 bench/http.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

RUNTIME=${RUNTIME:-5}
WORKERS=${WORKERS:-8}
FILE_SIZE=${FILE_SIZE:-4k}
NGINX_PORT=${NGINX_PORT:-18080}
AGENT_PORT=${AGENT_PORT:-18081}
# pinned apart by default, as the seeds ran (set both empty for no pinning)
CLIENT_CPUS=${CLIENT_CPUS-0}
SERVER_CPUS=${SERVER_CPUS-1}

for t in wrk nginx; do
	command -v $t >/dev/null || [ -x /usr/sbin/$t ] ||
		{ echo "http.sh: $t is not installed (apt-get install wrk nginx-light)" >&2; exit 1; }
done
[ -x "$AGENT" ] || { echo "http.sh: build $AGENT first (make vmbench-agent)" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

pin() { if [ -n "$1" ]; then echo "taskset -c $1"; fi; }
CPIN=$(pin "$CLIENT_CPUS")
SPIN=$(pin "$SERVER_CPUS")

TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmbench-http.XXXXXX")
chmod 755 "$TMP"
nginx_pid='' agent_pid=''
cleanup() {
	for p in $nginx_pid $agent_pid; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	rm -rf "$TMP"
}
trap cleanup EXIT

# the same bytes for both servers: the agent writes its download file, nginx
# serves a copy of it
mkdir -p "$TMP/www" "$TMP/agent"
bytes=$(python3 -c '
import sys; s=sys.argv[1]; m={"k":1<<10,"m":1<<20,"g":1<<30}
print(int(s[:-1])*m[s[-1].lower()] if s[-1].lower() in m else int(s))' "$FILE_SIZE")
head -c "$bytes" /dev/zero | tr '\0' 'v' >"$TMP/www/file"
chmod 644 "$TMP/www/file"

cat >"$TMP/nginx.conf" <<EOF
worker_processes 1;
pid $TMP/nginx.pid;
error_log $TMP/error.log;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $TMP/body;
	proxy_temp_path $TMP/proxy;
	fastcgi_temp_path $TMP/fastcgi;
	uwsgi_temp_path $TMP/uwsgi;
	scgi_temp_path $TMP/scgi;
	sendfile on;
	keepalive_requests 100000000;
	keepalive_timeout 300s;
	server {
		listen 127.0.0.1:$NGINX_PORT;
		root $TMP/www;
	}
}
EOF
# shellcheck disable=SC2086
$SPIN "$NGINX" -c "$TMP/nginx.conf" -p "$TMP" -g 'daemon off;' 2>"$TMP/nginx.stderr" &
nginx_pid=$!
# the agent's server for part 2, serving /download/0 for as long as needed
serve_s=$(( (PAIRS * 4 + 10) * (RUNTIME + 2) + 60 ))
vb_srv_opts="role=server,port=$AGENT_PORT,time=${serve_s}s,file-sizes=$FILE_SIZE"
[ -n "$SERVER_CPUS" ] && vb_srv_opts+=",server-cpus=$SERVER_CPUS"
"$AGENT" --workdir "$TMP/agent" --once http "$vb_srv_opts" >"$TMP/agent.out" 2>&1 &
agent_pid=$!
sleep 0.5
kill -0 "$nginx_pid" 2>/dev/null || { echo "http.sh: nginx did not start: $(cat "$TMP/nginx.stderr" "$TMP/error.log" 2>/dev/null)" >&2; exit 1; }
kill -0 "$agent_pid" 2>/dev/null || { echo "http.sh: the agent's server did not start: $(cat "$TMP/agent.out")" >&2; exit 1; }

NGINX_URL=http://127.0.0.1:$NGINX_PORT/file
AGENT_URL=http://127.0.0.1:$AGENT_PORT/download/0

# wrk_rps URL: "Requests/sec:  12345.67"
wrk_rps() {
	local out
	# shellcheck disable=SC2086
	out=$($CPIN wrk -t1 -c "$WORKERS" -d "${RUNTIME}s" "$1") || { echo "http.sh: wrk failed: $out" >&2; exit 1; }
	awk '/^Requests\/sec:/ { v = $2 } END { if (v == "") exit 1; print v }' <<<"$out" ||
		{ echo "http.sh: no 'Requests/sec:' in wrk's output: $out" >&2; exit 1; }
}

cl_opts="role=client,url=$NGINX_URL,workers=$WORKERS,time=${RUNTIME}s"
[ -n "$CLIENT_CPUS" ] && cl_opts+=",client-cpus=$CLIENT_CPUS"

# --- 1. closed loop: the agent's generator against wrk -----------------------
peer_vals='' vb_vals='' ratios=''
for ((i = 1; i <= PAIRS; i++)); do
	# every other pair vmbench goes first (as in fio.sh): a drift of the
	# host during a pair then does not always favour the same side
	((i % 2)) && p=$(wrk_rps "$NGINX_URL")
	v=$(printf '%.2f' "$(vb_metric http "$cl_opts" requests_per_s)")
	((i % 2)) || p=$(wrk_rps "$NGINX_URL")
	peer_vals+="$p " vb_vals+="$v " ratios+="$(ratio "$v" "$p") "
	echo "closed pair $i: wrk $p req/s  vmbench $v req/s" >&2
done
record http-closed "$CPIN wrk -t1 -c $WORKERS -d ${RUNTIME}s $NGINX_URL" \
	"vmbench-agent --once http '$cl_opts'" "${peer_vals% }" "${vb_vals% }" "${ratios% }" "req/s"
wrk_median=$(median $peer_vals)

# --- 2. the agent's server against nginx, both under wrk ---------------------
peer_vals='' vb_vals='' ratios=''
for ((i = 1; i <= PAIRS; i++)); do
	((i % 2)) && p=$(wrk_rps "$NGINX_URL")
	v=$(wrk_rps "$AGENT_URL")
	((i % 2)) || p=$(wrk_rps "$NGINX_URL")
	peer_vals+="$p " vb_vals+="$v " ratios+="$(ratio "$v" "$p") "
	echo "server pair $i: nginx $p req/s  agent $v req/s" >&2
done
record http-server "$CPIN wrk -t1 -c $WORKERS -d ${RUNTIME}s $NGINX_URL (nginx)" \
	"$CPIN wrk ... $AGENT_URL (vmbench-agent --once http '$vb_srv_opts')" \
	"${peer_vals% }" "${vb_vals% }" "${ratios% }" "req/s"

# --- 3. the open-loop generator's capacity -----------------------------------
# open_run FRACTION: "achieved_rps send_lag_p99_us" at FRACTION x wrk's rate
open_run() {
	local rate out
	rate=$(awk -v w="$wrk_median" -v f="$1" 'BEGIN{ printf "%.0f", w * f }')
	local o="role=client,url=$NGINX_URL,load=open,rate=$rate,time=${RUNTIME}s,connections=$((WORKERS * 8)),max-send-lag=0"
	[ -n "${OPEN_OPTS:-}" ] && o+=",$OPEN_OPTS"
	[ -n "$CLIENT_CPUS" ] && o+=",client-cpus=$CLIENT_CPUS"
	out=$(vb_json http "$o") || true
	python3 -c '
import json,sys
r=json.loads(sys.stdin.read()); m=r["metrics"]
print("%s %.1f %.1f %.0f %d" % (sys.argv[1], m["requests_per_s"]["value"], m["send_lag_p99_us"]["value"], m["errors"]["value"]+m["timeouts"]["value"], m["client_sched_fifo"]["value"]))' "$rate" <<<"$out"
}
{
	echo "### http-capacity ($(date -u +%Y-%m-%dT%H:%MZ), $(uname -r), $(nproc) cores)"
	echo
	echo "wrk's median against nginx: $wrk_median req/s ($WORKERS connections, $FILE_SIZE file)."
	echo "Open loop (constant arrivals, up to $((WORKERS * 8)) connections${OPEN_OPTS:+, $OPEN_OPTS}), rate as a fraction of it;"
	echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
	echo "| fraction | offered req/s | achieved req/s | achieved / wrk | send lag p99 (us) | errors + timeouts | SCHED_FIFO |"
	echo "|---|---|---|---|---|---|---|"
	for f in 0.2 0.4 0.6 0.8 0.9; do
		read -r rate got lag bad fifo <<<"$(open_run $f)"
		echo "| $f | $rate | $got | $(ratio "$got" "$wrk_median") | $lag | $bad | $fifo |"
		echo "capacity $f: offered $rate achieved $got lag p99 ${lag}us" >&2
	done
	echo
} >>"$RESULTS/http-capacity.md"
tail -n 11 "$RESULTS/http-capacity.md"
