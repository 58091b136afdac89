#!/usr/bin/env bash
# Test networks after SIGINT and kill -9 of vmbench. SIGINT in the middle
# of a run with network=veth: vmbench stops the agent and removes both
# namespaces before it exits. kill -9 (native veth, then a builtin container
# with a veth): the namespaces outlive vmbench, the journal names them, and
# the next vmbench command of any kind removes them (with the veth pair and
# everything in them) and says so. Afterwards the host's links are as before.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/lib_net.sh
. "$(dirname "$0")/lib_net.sh"

require root agent ip
W=$T/work
J=$VMBENCH_STATE/journal
LINKS0=$(host_links | tr '\n' ' ')

# shellcheck disable=SC2317 # called through wait_for
serving()
{
	client_ns_of_run && ip netns exec "${CNS%-c}-t" ss -ltn 2>/dev/null | grep -q ":$NET_PORT "
}
records()
{
	grep -l '^kind=netns$' "$J"/*.rec 2>/dev/null | wc -l
}

# --- SIGINT -------------------------------------------------------------------
start_server sigint "-t native -T network=veth,workdir=$W" 10.77.0.2 "$NET_PORT" 60s
if wait_for 30 serving; then
	is "$(namespaces_of "$VPID" | wc -l)" 2 "sigint: vmbench $VPID has its two namespaces"
	T0=$SECONDS
	kill -INT "$VPID"
	finish_server
	is "$SRV_RC" 1 "sigint: vmbench exits 1"
	ok_if "sigint: it stops within 10 s ($((SECONDS - T0)) s)" [ $((SECONDS - T0)) -le 10 ]
	is "$(namespaces_of "$VPID" | wc -l)" 0 "sigint: no namespace is left"
	is "$(records)" 0 "sigint: the journal holds no namespace"
else
	not_ok "sigint: the agent serves in its namespace within 30 s" "$(cat "$T/sigint.err")"
	finish_server
fi

# --- kill -9 --------------------------------------------------------------------
for what in "native:-t native -T network=veth,workdir=$W" \
	"container:-t container -T network=veth,workdir=$W"; do
	name=${what%%:*}
	if [ "$name" = container ] && "$VMBENCH" list targets 2>/dev/null | grep -q " builtin: no"; then
		skip "kill -9 of a container" "runtime=builtin cannot run here"
		continue
	fi
	start_server "k9$name" "${what#*:}" 10.77.0.2 "$NET_PORT" 60s
	if ! wait_for 30 serving; then
		not_ok "$name: the agent serves in its namespace within 30 s" "$(cat "$T/k9$name.err")"
		finish_server
		continue
	fi
	is "$(records)" 2 "$name: the journal names the two namespaces of vmbench $VPID"
	exec 3>&2 2>/dev/null
	kill -KILL "$VPID"
	finish_server
	exec 2>&3 3>&-
	is "$(namespaces_of "$VPID" | wc -l)" 2 "$name: after kill -9 its namespaces are still there"
	vb list workloads
	is "$RC" 0 "$name: the next command (list) exits 0"
	like "$ERR" "released what vmbench pid $VPID left.*removed the network namespace 'vb-$VPID-$name-c'" \
		"$name: it says it removed the client namespace"
	like "$ERR" "released what vmbench pid $VPID left.*removed the network namespace 'vb-$VPID-$name-t'" \
		"$name: and the target's"
	is "$(namespaces_of "$VPID" | wc -l)" 0 "$name: no namespace is left"
	is "$(records)" 0 "$name: the journal holds no namespace"
	is "$(host_links | tr '\n' ' ')" "$LINKS0" "$name: the host's links are as before"
	vb version
	unlike "$ERR" "network namespace" "$name: a second command has nothing to release"
done

done_testing
