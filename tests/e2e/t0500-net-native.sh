#!/usr/bin/env bash
# target=native, network=veth: the agent runs in a namespace of its own,
# joined by a veth pair to the experiment's client namespace. The agent
# serves `net` on 10.77.0.2 (role=server, fixed port); a client agent
# started by the test inside the client namespace streams to it. Afterwards
# no namespace is left and the host's links are unchanged. Also: a dry run
# prints the namespace steps and makes nothing; a port in use on loopback is
# a clear error.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/lib_net.sh
. "$(dirname "$0")/lib_net.sh"

require root agent ip
W=$T/work
LINKS0=$(host_links | tr '\n' ' ')

vb run --dry-run -t native -T network=veth,workdir=$W -w cpu --set time=1s
is "$RC" 0 "dry run exits 0"
like "$OUT" "ip netns add vb-[0-9]*-native-c" "the dry run shows the client namespace"
like "$OUT" "link add vb0 type veth peer name eth0 netns vb-[0-9]*-native-t" \
	"the dry run shows the veth pair into the agent's namespace"
like "$OUT" "ip netns exec vb-[0-9]*-native-t .*vmbench-agent" \
	"the dry run shows the agent started in its namespace"
like "$OUT" "ip netns del vb-[0-9]*-native-c" "and their removal"

start_server native "-t native -T network=veth,workdir=$W" 10.77.0.2 "$NET_PORT"
if wait_for 30 client_ns_of_run; then
	ok "vmbench $VPID made the client namespace $CNS"
	like "$(namespaces_of "$VPID")" "vb-$VPID-native-t" "and the agent's namespace"
	check_path "native veth" "$LINKS0" 10.77.0.2 "$NET_PORT"
	like "$(db_query "$T/db" 'select spec_json from run')" '"client_ns": *"vb-[0-9]*-native-c"' \
		"the run's target facts name the client namespace"
else
	not_ok "vmbench made a client namespace within 30 s" "$(cat "$T/native.err")"
fi

# a port in use (loopback, the default network): the error names the port
# and the fix, the run fails, nothing is left
bg_start "$T/l.out" "$T/l.err" python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 5299)); s.listen(1); time.sleep(60)'
listening() { ss -ltn | grep -q '127.0.0.1:5299 '; }
wait_for 20 listening || not_ok "a test listener on 127.0.0.1:5299" "$(cat "$T/l.err")"
vb run -q --db "$T/db2" -t native -T workdir=$W -w net --set role=server,port=5299,time=1s
ok_if "a port in use fails the run (exit $RC)" [ "$RC" -ne 0 ]
like "$OUT$ERR$(db_query "$T/db2" 'select error from run')" "port 5299 on 127.0.0.1 is in use" \
	"the error names the port in use"
kill "$BG_PID" 2>/dev/null

# a namespace that cannot be created (here: not root): the runs are
# skipped with the reason, nothing is made
if command -v setpriv >/dev/null; then
	# a directory the user can reach ($T is root's alone)
	NP=$(mktemp -d /var/tmp/vmbench-e2e-nobody.XXXXXX)
	chmod 777 "$NP"
	VMBENCH_STATE=$NP/state timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$VMBENCH" run -q --db "$NP/db" -t native -T "network=veth,workdir=$NP/w" -w cpu \
		--set time=1s >"$NP/out" 2>"$NP/err" </dev/null
	RC=$?
	ERR=$(cat "$NP/err")
	is "$RC" 3 "network=veth as a user: the run is skipped (exit 3)"
	like "$ERR" "cannot create a network namespace: test networks need root" "the reason says why"
	rm -rf "$NP"
else
	skip "network=veth as a user" "no setpriv (util-linux)"
fi

done_testing
