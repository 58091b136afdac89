#!/usr/bin/env bash
# Split network runs: on a variant with a test network (native
# network=veth), `net` and `http` with role=both run their server in the
# target's agent and their client in a host-side agent inside the client
# namespace, pinned to client-cpus; one result holds both ends, the client's
# own CPU and the host's softirq time; the run's spec says where each end
# ran; --dry-run prints the layout. Bad input, each a clear error: rate <= 0,
# a url that is not http, an unreachable server, a rate above what the
# generator can send (with the rate it reached), a missing upload directory,
# client-cpus the host does not have. After SIGINT and kill -9 in the middle
# of a split run no agent, namespace or link is left.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/lib_net.sh
. "$(dirname "$0")/lib_net.sh"

require root agent ip
W=$T/work
LINKS0=$(host_links | tr '\n' ' ')
VETH="-t native -T network=veth,workdir=$W"
NCPU=$(nproc)
CCPU=0
SCPU=$((NCPU > 1 ? 1 : 0))

# Every metric and telemetry value of run RUN as NAME=VALUE lines (one
# query: each python3 start costs seconds on a loaded host)
values() # DB RUN
{
	db_query "$1" "select name || '=' || round(value, 3) from metric where run_id = $2
		union all select name || '=' || round(value, 3) from telemetry where run_id = $2"
}
val() # NAME VALUES
{
	sed -n "s/^$1=//p" <<<"$2" | head -1
}
# The namespaces left by the vmbench that made DB's runs (its pid is in the
# client namespace's name in the runs' specs; other tests' namespaces on
# this host are none of ours)
left_by() # DB
{
	local pid
	pid=$(db_query "$1" "select json_extract(spec_json, '\$.net.client.ns') from run
		where json_extract(spec_json, '\$.net.client.ns') is not null limit 1" |
		sed -n 's/^vb-\([0-9]*\)-.*/\1/p')
	if [ -z "$pid" ]; then echo "no-spec"; return; fi
	namespaces_of "$pid" | wc -l
}

# --- the split path ----------------------------------------------------------
# shellcheck disable=SC2086 # the variant's arguments, split on purpose
vb run --dry-run $VETH -w net --set "time=2s,client-cpus=$CCPU" -w http \
	--set "load=open,rate=200,time=2s"
is "$RC" 0 "dry run exits 0"
like "$OUT" "net: server: the target's agent \(role=server, 0.0.0.0:5201\); client: a host-side agent in namespace vb-PID-native-c \(role=client -> 10.77.0.2:5201, pinned to $CCPU\)" \
	"the dry run shows where each end of net runs"
like "$OUT" "http: server: the target's agent \(role=server, 0.0.0.0:8080\)" \
	"and of http"

# shellcheck disable=SC2086
vb run -q --db "$T/db" $VETH -w net --set "time=1s,client-cpus=$CCPU,server-cpus=$SCPU" \
	-w http --set "load=open,rate=200,time=1s,client-cpus=$CCPU,server-cpus=$SCPU,max-send-lag=0"
is "$RC" 0 "a split net and http run succeeds"
FAILS=$(db_query "$T/db" "select error from run where status != 'ok'")
[ -z "$FAILS" ] || diag "$FAILS"
NET_RUN=$(db_query "$T/db" "select max(id) from run where workload = 'net'")
HTTP_RUN=$(db_query "$T/db" "select max(id) from run where workload = 'http'")
SPEC=$(db_query "$T/db" "select json_extract(spec_json, '\$.net') from run where id = $NET_RUN")
like "$SPEC" '"mode": *"split"' "the run's spec records the split"
like "$SPEC" '"ns": *"vb-[0-9]*-native-c"' "the client ran in the client namespace"
like "$SPEC" '"connects": *"10.77.0.2:5201"' "and connected to the target's address"
like "$SPEC" "\"cpus\": *\"$CCPU\"" "pinned to client-cpus"
NV=$(values "$T/db" "$NET_RUN")
HV=$(values "$T/db" "$HTTP_RUN")
ok_if "net: a throughput came back ($(val fwd_mbit_s "$NV") Mbit/s)" \
	[ "$(val fwd_mbit_s "$NV" | cut -d. -f1)" -gt 0 ]
like "$(val server_cpu_pct "$NV")" '^[0-9.]+$' "net: the server's CPU is merged in"
like "$(val client_proc_cpu_pct "$NV")" '^[0-9.]+$' \
	"net: the host-side client's own CPU is beside it"
like "$(val host_softirq_pct "$NV")" '^[0-9.]+$' "net: host softirq time too"
is "$(val server_requests "$HV" | cut -d. -f1)" "$(val requests "$HV" | cut -d. -f1)" \
	"http: the server counted every request the client completed"
is "$(val offered_rate "$HV" | cut -d. -f1)" 200 "http: the offered rate is stored"
is "$(left_by "$T/db")" 0 "no namespace is left"

# --- bad input ----------------------------------------------------------------
vb run -q --db "$T/bad" -t native -T workdir="$W" -w http --set load=open,rate=0,time=1s
is "$RC" 2 "rate=0 is refused (exit 2)"
like "$ERR" "load=open needs rate above 0" "the error names the fix"
vb run -q --db "$T/bad" -t native -T workdir="$W" -w http --set load=open,rate=-5,time=1s
is "$RC" 2 "a negative rate is refused (exit 2)"
vb run -q --db "$T/bad" -t native -T workdir="$W" -w http --set url=ftp://127.0.0.1/x
is "$RC" 2 "a url that is not http is refused (exit 2)"
like "$ERR" "is not an http:// URL" "the error says so"

# shellcheck disable=SC2086
vb run -q --db "$T/unreach" $VETH -w http --set url=http://10.77.0.9:8080/,time=1s
is "$RC" 1 "an unreachable server fails the run (exit 1)"
like "$OUT" "cannot connect to 10.77.0.9:8080" \
	"the error names the server it could not reach"

# shellcheck disable=SC2086
vb run -q --db "$T/fast" $VETH -w http --set load=open,rate=3000000,time=500ms,timeout=500ms
is "$RC" 1 "a rate above the generator's capacity fails the run"
like "$OUT" \
	"could not keep rate=3e\+06/s: it sent [0-9]+/s .* using [0-9]+% of its CPU" \
	"the error names the rate it reached and the generator's CPU share"

# shellcheck disable=SC2086
vb run -q --db "$T/up" $VETH -w http --set kind=upload-disk,upload-dir=/nonexistent/vb,time=1s
is "$RC" 1 "a missing upload directory fails the run"
like "$OUT" \
	"upload directory '/nonexistent/vb' does not exist: create it or set upload-dir" \
	"the error names the directory and the fix"
like "$OUT" "0 runs ok, 1 failed" "and it is not retried"

# shellcheck disable=SC2086
vb run -q --db "$T/cpus" $VETH -w net --set time=1s,client-cpus=1000
is "$RC" 1 "client-cpus the host does not have fails the run"
like "$OUT" \
	"cannot pin the host-side client to client-cpus=1000" "the error says which setting"
# the pid of each of those vmbench runs, from its runs' client namespace
# (one python3 start for the three)
PIDS=$(py '
import sqlite3, sys, re
for db in sys.argv[1:]:
    ns = sqlite3.connect(db).execute("select json_extract(spec_json, \"$.net.client.ns\") from run"
                                     " where json_extract(spec_json, \"$.net.client.ns\") is not null").fetchone()
    m = re.match(r"vb-([0-9]+)-", ns[0] if ns else "")
    print(m.group(1) if m else "none")
' "$T/unreach" "$T/fast" "$T/up")
for pid in $PIDS; do
	ok_if "vmbench $pid: its runs name its client namespace" [ "$pid" != none ]
	is "$(namespaces_of "$pid" | wc -l)" 0 "vmbench $pid: after the error no namespace is left"
done

# --- SIGINT and kill -9 in the middle of a split run ---------------------------
agents_of() # PID: the agents vmbench PID started (its children)
{
	for c in $(proc_children "$1"); do
		[ "$(basename "$(readlink "/proc/$c/exe" 2>/dev/null)")" = vmbench-agent ] && echo "$c"
	done
}
# shellcheck disable=SC2317 # called through wait_for
two_agents()
{
	[ -n "$VPID" ] || VPID=$(proc_children "$BG_PID")
	[ -n "$VPID" ] && [ "$(agents_of "$VPID" | wc -l)" -ge 2 ]
}
# shellcheck disable=SC2317 # called through wait_for
gone()
{
	for a in $AGENTS; do [ -e "/proc/$a/exe" ] && return 1; done
	return 0
}
for sig in INT KILL; do
	# shellcheck disable=SC2086
	bg_start "$T/s$sig.out" "$T/s$sig.err" "$VMBENCH" run -q --db "$T/s$sig" $VETH -w http \
		--set load=open,rate=100,time=60s
	VPID=""
	if ! wait_for 30 two_agents; then
		not_ok "$sig: vmbench starts the target's and the host-side agent" "$(cat "$T/s$sig.err")"
		continue
	fi
	AGENTS=$(agents_of "$VPID" | tr '\n' ' ')
	T0=$SECONDS
	exec 3>&2 2>/dev/null
	kill "-$sig" "$VPID"
	wait "$BG_PID"
	RC=$?
	exec 2>&3 3>&-
	if [ "$sig" = INT ]; then
		is "$RC" 1 "SIGINT: vmbench exits 1"
		ok_if "SIGINT: within 10 s ($((SECONDS - T0)) s)" [ $((SECONDS - T0)) -le 10 ]
	else
		vb version
		like "$ERR" "released what vmbench pid $VPID left" "kill -9: the next command cleans up"
	fi
	ok_if "$sig: both agents ($AGENTS) are gone" wait_for 5 gone
	is "$(namespaces_of "$VPID" | wc -l)" 0 "$sig: no namespace of vmbench $VPID is left"
done
is "$(host_links | tr '\n' ' ')" "$LINKS0" "the host's links are as before"

done_testing
