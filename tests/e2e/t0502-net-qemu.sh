#!/usr/bin/env bash
# target=qemu with a network, two TCG boots: netdev=tap (a tap on a bridge
# in the experiment's namespace, QEMU running there; the guest agent sets
# 10.77.0.2 on its virtio-net NIC over netlink) and netdev=user (QEMU's user
# network, its forwarded port on 127.0.0.1 inside the client namespace). In
# each the guest's agent serves `net` (role=server) and a client agent
# started by the test in the client namespace streams to it; afterwards no
# namespace is left and the host's links are unchanged. Without booting: an
# unknown nic, an MTU a tap refuses and (where the host has no vhost-net)
# vhost=on are refused with the fix, leaving nothing behind.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/lib_net.sh
. "$(dirname "$0")/lib_net.sh"

require root qemu kernel agent ip
W=$T/work
LINKS0=$(host_links | tr '\n' ' ')
VB_TIMEOUT=240
Q="accel=tcg,workdir=$W"
# qemu test namespaces that exist before (another vmbench on this host may
# be running): the refusals must add none
qemu_ns() { ls /run/netns 2>/dev/null | grep -- "^vb-.*-qemu-c$" | sort || true; }
NS0=$(qemu_ns)

vb run -q --db "$T/bad.db" -t qemu -T "$Q,netdev=tap,nic=rtl8139" -w cpu --set time=1s
is "$RC" 2 "nic=rtl8139 is refused as bad input (exit 2)"
like "$ERR" "rtl8139.*virtio-net.*e1000" "the message lists the NICs there are"
vb run -q --db "$T/bad.db" -t qemu -T "$Q,netdev=tap,mtu=65535" -w cpu --set time=1s
ok_if "mtu=65535 on a tap fails the variant (exit $RC)" [ "$RC" -ne 0 ]
like "$OUT$ERR" "65521 \\(the largest a tap takes\\)" "the message gives the tap's limit"
if [ ! -w /dev/vhost-net ]; then
	vb run -q --db "$T/bad.db" -t qemu -T "$Q,netdev=tap,vhost=on" -w cpu --set time=1s
	is "$RC" 3 "vhost=on without /dev/vhost-net: the run is skipped (exit 3)"
	like "$(db_query "$T/bad.db" "select error from run where status='skipped'")" \
		"vhost=on needs /dev/vhost-net.*modprobe vhost_net" "the reason names the fix"
else
	skip "vhost=on refused" "this host has /dev/vhost-net"
fi
is "$(comm -13 <(echo "$NS0") <(qemu_ns) | grep -c . || true)" 0 \
	"no qemu test namespace is left by the refusals"

vb doctor
like "$OUT" "networks .*netdev=tap" "doctor says what test networks this host allows"

# netdev=tap: the guest on the bridge, reached at its own address
start_server tap "-t qemu -T $Q,netdev=tap" 10.77.0.2 "$NET_PORT"
if wait_for 60 client_ns_of_run; then
	ok "tap: vmbench $VPID made the namespace $CNS"
	WAIT=150 check_path "qemu tap" "$LINKS0" 10.77.0.2 "$NET_PORT"
	like "$(db_query "$T/db" "select spec_json from run order by id desc limit 1")" \
		'"net": *[{][^}]*"ifname": *"eth0", *"spec": *"10.77.0.2/24,mac=52:54:00:76:62:01"' \
		"the guest's agent configured 10.77.0.2/24 on eth0 (boot facts)"
	like "$(db_query "$T/db" "select qemu_argv from variant order by id desc limit 1")" \
		"^ip netns exec vb-$VPID-qemu-c qemu-system-x86_64 .*-netdev tap,id=vbnet0,ifname=vbtap0" \
		"the stored command line runs QEMU in the namespace with the tap"
else
	not_ok "tap: vmbench made a namespace within 60 s" "$(cat "$T/tap.err")"
	finish_server
fi

# netdev=user: QEMU forwards the port from 127.0.0.1 in the namespace
start_server user "-t qemu -T $Q,netdev=user,hostfwd=$NET_PORT" 0.0.0.0 "$NET_PORT"
if wait_for 60 client_ns_of_run; then
	ok "user: vmbench $VPID made the namespace $CNS"
	WAIT=150 check_path "qemu user" "$LINKS0" 127.0.0.1 "$NET_PORT"
else
	not_ok "user: vmbench made a namespace within 60 s" "$(cat "$T/user.err")"
	finish_server
fi

done_testing
