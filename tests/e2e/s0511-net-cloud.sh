#!/usr/bin/env bash
# A network for the cloud guest (slow: one TCG boot of the cloud image, so
# in make check-slow): guest=cloud with netdev=tap boots once; its agent,
# started by cloud-init, gives the NIC with vmbench's MAC the address
# 10.77.0.2 over netlink (whatever name udev gave it), cloud-init being told
# by the seed's network-config to configure nothing. A short `net` TCP
# stream and an `http` closed-loop run are split between the guest's agent
# (server) and a host-side agent in the client namespace; both results are
# stored with the server's end merged in; the guest's facts say which NIC it
# configured. Afterwards nothing is left: no namespace, no tap or other new
# link in the host's namespace, no overlay or seed, an empty journal.
# Skipped when the cached test image is missing and cannot be built here.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/lib_net.sh
. "$(dirname "$0")/lib_net.sh"
# shellcheck source=tests/e2e/lib_cloud.sh
. "$(dirname "$0")/lib_cloud.sh"

require root qemu qemu-img agent ip

cloud_image_ready
[ -w /dev/net/tun ] || skip_all "no /dev/net/tun for netdev=tap (modprobe tun)"

W=$T/work
J=$VMBENCH_STATE/journal
LINKS0=$(host_links | tr '\n' ' ')

# one variant, its runs in order: the guest boots once
cat >"$T/plan.ini" <<INI
[experiment]
name = e2e-net-cloud
repeat = 1
order = sequential
timeout = 120s

$(cloud_variant "netdev = tap" "boot-timeout = 600s")

[workload stream]
type = net
time = 3s
omit = 1s
client-cpus = 0

[workload web]
type = http
load = closed
connections = 4
time = 3s
client-cpus = 0
INI

vb_with_timeout 900 run --db "$T/db" "$T/plan.ini"
is "$RC" 0 "net and http run split into the TCG cloud guest over netdev=tap"
[ "$RC" -eq 0 ] || diag "$ERR"
diag "$(db_query "$T/db" "select workload || ': ' || coalesce(error, '') from run where status != 'ok'")"
is "$(db_query "$T/db" "select count(*) from run where status = 'ok'")" 2 "both runs are stored as ok"

q_run() # WORKLOAD: the id of its run
{
	db_query "$T/db" "select max(id) from run where workload = '$1'"
}
q_metric() # RUN NAME
{
	db_query "$T/db" "select cast(value as int) from metric where run_id = $1 and name = '$2'"
}
run=$(q_run stream)
web=$(q_run web)
like "$(db_query "$T/db" "select json_extract(spec_json, '\$.net.client.connects') from run where id = $run")" \
	'^10\.77\.0\.2:5201$' "the host-side client connected to the guest's 10.77.0.2:5201"
mbit=$(q_metric "$run" fwd_mbit_s)
ok_if "the stream into the cloud guest has a throughput ($mbit Mbit/s)" [ "${mbit:-0}" -gt 0 ]
is "$(q_metric "$run" server_connections)" 1 "the guest's server end is merged in"
reqs=$(q_metric "$web" requests)
ok_if "http: the client completed requests ($reqs)" [ "${reqs:-0}" -gt 0 ]
is "$(q_metric "$web" server_requests)" "$reqs" "http: the guest's server counted what the client completed"
is "$(q_metric "$web" errors)" 0 "http: no errors"

# what the guest's agent did (its boot facts, stored with the variant)
FACTS=$T/facts.json
db_query "$T/db" "select disk_info_json from variant limit 1" >"$FACTS"
if json_true "$FACTS" '"net" in d["boot"]["guest"]'; then
	like "$(json_eval "$FACTS" "d['boot']['guest']['net']['spec']")" \
		'^10\.77\.0\.2/24,mac=52:54:00:76:62:01$' "the agent was given the address and the MAC"
	like "$(json_eval "$FACTS" "d['boot']['guest']['net']['ifname']")" '^(ens|enp|eth)[0-9a-z]+$' \
		"the agent found the NIC by its MAC under udev's name"
	ok_if "the agent configured it without an error" \
		json_true "$FACTS" '"error" not in d["boot"]["guest"]["net"]'
	diag "guest net: $(json_eval "$FACTS" "d['boot']['guest']['net']"); phases: $(json_eval "$FACTS" "d['boot']['phases']")"
	is "$(json_eval "$FACTS" "d['network']['netdev']")" tap "the variant's network facts"
else
	not_ok "the variant's facts hold the guest's network" "$(head -c 400 "$FACTS")"
fi

pid=$(db_query "$T/db" "select json_extract(spec_json, '\$.net.client.ns') from run limit 1" |
	sed -n 's/^vb-\([0-9]*\)-.*/\1/p')
ok_if "the runs name vmbench's client namespace (pid $pid)" [ -n "$pid" ]
is "$(namespaces_of "${pid:-none}" | wc -l)" 0 "no namespace of vmbench $pid is left"
is "$(host_links | tr '\n' ' ')" "$LINKS0" "no tap or other link left in the host's namespace"
ok_if "QEMU is gone" [ -z "$(procs_with qemu-system-x86_64 "$W/")" ]
ok_if "no overlay or seed left" [ -z "$(find "$W" -name '*.qcow2' -o -name 'seed.iso' 2>/dev/null)" ]
is "$(find "$J" -name '*.rec' 2>/dev/null | wc -l)" 0 "the journal is empty"
is "$(cloud_image_sum)" "$IMG_SUM" "the image was not written"

done_testing
