# Helpers of the network e2e tests (t05xx), sourced after lib.sh.
#
# Until the runner starts the host-side client agent itself, a test runs the
# target's agent as role=server on a fixed port and starts the client agent
# itself, inside the experiment's client namespace (net_ns), with
# `ip netns exec` (a test may use ip; vmbench does not).
#
#   start_server NAME "-t native -T network=veth" 10.77.0.2 5201   (background vmbench)
#   wait_for 60 client_ns_of_run && run_client "$CNS" 10.77.0.2 5201 "$T/c.json"
#   finish_server; no_namespaces_left "$VPID"

NET_PORT=${NET_PORT:-5201}

# The namespaces /run/netns holds for vmbench pid $1 (one per line).
namespaces_of()
{
	ls /run/netns 2>/dev/null | grep "^vb-$1-" || true
}

# The host's own links, sorted: nothing of a test network may appear there.
host_links()
{
	ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort
}

# start_server NAME "VMBENCH RUN ARGS" HOST PORT [TIME]: vmbench in the
# background, running `net` as role=server; TPID is timeout's pid.
start_server()
{
	SRV_NAME=$1
	# shellcheck disable=SC2086 # the run's arguments, split on purpose
	bg_start "$T/$1.out" "$T/$1.err" "$VMBENCH" run -q --db "$T/db" $2 -w net \
		--set "role=server,host=$3,port=$4,time=${5:-5s}"
	TPID=$BG_PID
	VPID=""
	CNS=""
}

# (wait_for) sets VPID and CNS once vmbench has made its client namespace
client_ns_of_run()
{
	[ -n "$VPID" ] || VPID=$(proc_children "$TPID")
	[ -n "$VPID" ] || return 1
	CNS=$(namespaces_of "$VPID" | grep -- '-c$' | head -1)
	[ -n "$CNS" ]
}

# run_client NS HOST PORT OUT: the agent as the client inside NS, tried
# until the server listens (a guest boots first) or WAIT seconds pass.
run_client()
{
	local end=$((SECONDS + ${WAIT:-90}))
	while [ "$SECONDS" -lt "$end" ]; do
		if timeout 30 ip netns exec "$1" "$VMBENCH_AGENT_BIN" --once net \
			"role=client,host=$2,port=$3,time=2s" >"$4" 2>"$4.err"; then
			return 0
		fi
		# the server is not there yet; stop once vmbench is gone
		kill -0 "$TPID" 2>/dev/null || { cat "$4.err" >>"$4.log"; return 1; }
		cat "$4.err" >>"$4.log"
		sleep 0.5
	done
	return 1
}

mbit_of()
{
	json_eval "$1" 'round(d["metrics"]["fwd_mbit_s"]["value"])' 2>/dev/null || echo 0
}

# Waits for the background vmbench; sets SRV_RC.
finish_server()
{
	wait "$TPID"
	SRV_RC=$?
}

# check_path WHAT: the server's run and the client's figure, then no
# namespace of that vmbench and no new host link.
check_path()
{
	local what=$1 links0=$2
	if run_client "$CNS" "$3" "$4" "$T/$SRV_NAME.client.json"; then
		local m
		m=$(mbit_of "$T/$SRV_NAME.client.json")
		ok_if "$what: the client in $CNS streams to the server at $3:$4 ($m Mbit/s)" \
			[ "$m" -gt 0 ]
	else
		not_ok "$what: the client in $CNS reaches the server at $3:$4" \
			"$(tail -5 "$T/$SRV_NAME.client.json.log")" "$(tail -5 "$T/$SRV_NAME.err")"
	fi
	finish_server
	is "$SRV_RC" 0 "$what: the run (role=server) succeeds"
	diag "$(tail -5 "$T/$SRV_NAME.err")"
	is "$(namespaces_of "$VPID" | wc -l)" 0 "$what: no namespace of vmbench $VPID is left"
	is "$(host_links | tr '\n' ' ')" "$links0" "$what: the host's links are as before"
}
