#!/usr/bin/env bash
# target=container, network=veth, for each runtime that works here
# (builtin, crun, podman; skipped with the runtime's reason otherwise): the
# container joins the namespace vmbench made (builtin: cloned inside it;
# crun: the OCI config's network namespace path; podman: --network
# ns:PATH), whose veth pair leads to the experiment's client namespace. The
# agent in the container serves `net` (role=server) on 10.77.0.2; a client
# agent started by the test in the client namespace streams to it.
# Afterwards no namespace is left and the host's links are unchanged.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/lib_net.sh
. "$(dirname "$0")/lib_net.sh"

require root agent ip
W=$T/work
LINKS0=$(host_links | tr '\n' ' ')

for rt in builtin crun podman; do
	why=$("$VMBENCH" list targets 2>/dev/null | grep -o " $rt: no, [^;]*" | head -1)
	if [ -n "$why" ]; then
		skip "runtime=$rt" "${why# }"
		continue
	fi
	start_server "ct-$rt" "-t container -T runtime=$rt,network=veth,workdir=$W" \
		10.77.0.2 "$NET_PORT"
	if wait_for 30 client_ns_of_run; then
		ok "$rt: vmbench $VPID made the client namespace $CNS"
		check_path "$rt veth" "$LINKS0" 10.77.0.2 "$NET_PORT"
	else
		not_ok "$rt: vmbench made a client namespace within 30 s" "$(cat "$T/ct-$rt.err")"
		finish_server
	fi
done

done_testing
