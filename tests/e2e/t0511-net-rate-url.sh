#!/usr/bin/env bash
# A `rate` axis on an open-loop http workload gives a rate sweep: p50, p99
# and p99.9 per variant against the offered rate, in the text report, the
# JSON (analysis.rate_sweeps) and the HTML page (a curve with a log Y axis).
# `url` loads a server vmbench did not start (here python3's http.server on
# 127.0.0.1) from a host-side agent alone; the target's agent serves nothing.
# A builtin container with network=veth runs a split run too (its agent
# serves, the host-side agent is the client).
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require agent
W=$T/work

cat >"$T/sweep.ini" <<EOF
[experiment]
name = sweep
repeat = 1

[variant native]
target = native
workdir = $W

[workload dl]
type = http
load = open
rate = 100,400
time = 1s
max-send-lag = 0
EOF
vb run -q --db "$T/db" "$T/sweep.ini"
is "$RC" 0 "a plan with rate = 100,400 runs"
vb report --db "$T/db"
like "$OUT" "rate sweep dl: latency from each request's intended start" "the text report has the sweep"
like "$OUT" "native +100 +100 +[0-9.]+ (us|ms) +[0-9.]+ (us|ms) +[0-9.]+ (us|ms) +1/1 ok" \
	"a row for 100/s with its rate reached and p50, p99, p99.9"
like "$OUT" "
 +400 +[0-9]+ " "and one for 400/s"
vb report --db "$T/db" --format json -o "$T/r.json"
is "$RC" 0 "the JSON report is written"
is "$(json_eval "$T/r.json" '[p["offered"] for p in d["analysis"]["rate_sweeps"][0]["variants"][0]["points"]]')" \
	"[100.0, 400.0]" "analysis.rate_sweeps holds both rates in order"
ok_if "each point has its p99" json_true "$T/r.json" \
	'all(p["lat_p99_us"] > 0 for p in d["analysis"]["rate_sweeps"][0]["variants"][0]["points"])'
vb report --db "$T/db" --format html -o "$T/r.html"
is "$RC" 0 "the HTML report is written"
HTML=$(cat "$T/r.html")
like "$HTML" '<section id="rates"><h2>Latency against offered rate</h2>' "the page has the section"
like "$HTML" "dl: p99 latency against the offered rate" "with the chart"
like "$HTML" "p99 latency \(log scale\)" "whose Y axis is logarithmic"

# --- url: any server, loaded from the host ------------------------------------
mkdir -p "$T/www"
head -c 4096 /dev/urandom >"$T/www/f.bin"
PORT=5287
bg_start "$T/py.out" "$T/py.err" "$PYTHON" -m http.server "$PORT" --bind 127.0.0.1 \
	--directory "$T/www"
# shellcheck disable=SC2317 # called through wait_for
up() { "$PYTHON" -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null; }
if wait_for 20 up; then
	vb run -q --db "$T/url" -t native -T workdir="$W" -w http \
		--set "url=http://127.0.0.1:$PORT/f.bin,requests=50,time=0,workers=2"
	is "$RC" 0 "url: a run against an outside server succeeds"
	is "$(db_query "$T/url" "select cast(value as int) from metric where name = 'requests'")" 50 \
		"url: it made the 50 requests"
	ok_if "url: and read the file's 4 KiB bodies" [ "$(db_query "$T/url" \
		"select cast(value * 1048576 as int) from metric where name = 'rx_mib_s'")" -gt 0 ]
	like "$(db_query "$T/url" "select json_extract(spec_json, '\$.net.mode') from run")" \
		"host-client" "url: the spec says the host-side client ran alone"
	is "$(db_query "$T/url" "select count(*) from metric where name like 'server_%'")" 0 \
		"url: no server of vmbench's served it"
	kill "$BG_PID" 2>/dev/null
else
	not_ok "python3 -m http.server listens on $PORT" "$(cat "$T/py.err")"
fi
vb run -q --db "$T/url2" -t native -T workdir="$W" -w http \
	--set "url=http://127.0.0.1:$PORT/f.bin,requests=5,time=0"
is "$RC" 1 "url: a server that is not there fails the run"
like "$(db_query "$T/url2" 'select error from run limit 1')" "127.0.0.1:$PORT" \
	"url: the error names the address"

# --- a container's split run ----------------------------------------------------
if have root && ! "$VMBENCH" list targets 2>/dev/null | grep -q " builtin: no"; then
	vb run -q --db "$T/ct" -t container -T "network=veth,workdir=$W" -w net --set mode=rr,time=1s
	is "$RC" 0 "container network=veth: a split rr run succeeds"
	like "$(db_query "$T/ct" "select json_extract(spec_json, '\$.net.mode') || ' ' ||
		json_extract(spec_json, '\$.net.client.connects') || ' ' || (select count(*) from metric
		where name in ('transactions_per_s', 'server_connections')) from run")" \
		"^split 10.77.0.2:5201 2$" "its host-side client reached the container's server, both ends merged"
else
	skip "container split run" "needs root and the builtin container runtime"
fi

done_testing
