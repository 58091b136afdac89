#!/usr/bin/env bash
# Split runs into TCG guests (slow: two boots, so in make check-slow):
# netdev=tap (the client in the client namespace reaches the guest's
# 10.77.0.2 over the bridge) and netdev=user (the client reaches QEMU's
# forwarded port on 127.0.0.1 inside the client namespace). net and http
# run their server in the guest's agent and their client in a host-side
# agent; one result each with both ends, QEMU's CPU by thread role and the
# host's softirq time beside it; nothing left afterwards.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/lib_net.sh
. "$(dirname "$0")/lib_net.sh"

require root qemu kernel agent ip
W=$T/work
LINKS0=$(host_links | tr '\n' ' ')
VB_TIMEOUT=600

cat >"$T/plan.ini" <<PLAN
[experiment]
name = split-qemu
timeout = 60s

[variant tap]
target = qemu
accel = tcg
mem = 256M
netdev = tap
workdir = $W

[variant user]
target = qemu
accel = tcg
mem = 256M
netdev = user
workdir = $W

[workload stream]
type = net
time = 2s
client-cpus = 0

[workload web]
type = http
load = open
rate = 20
time = 2s
max-send-lag = 0
PLAN
vb run -q --db "$T/db" "$T/plan.ini"
is "$RC" 0 "split net and http runs into two TCG guests succeed"
diag "$(db_query "$T/db" "select error from run where status != 'ok'")"
q_run() # VARIANT WORKLOAD: the id of its last run
{
	db_query "$T/db" "select max(r.id) from run r join variant v on v.id = r.variant_id
		where v.name = '$1' and r.workload = '$2'"
}
q_metric() # RUN NAME
{
	db_query "$T/db" "select cast(value as int) from metric where run_id = $1 and name = '$2'"
}
for v in tap:10.77.0.2 user:127.0.0.1; do
	name=${v%%:*} addr=${v#*:}
	run=$(q_run "$name" stream)
	web=$(q_run "$name" web)
	like "$(db_query "$T/db" "select json_extract(spec_json, '\$.net.client.connects') from run where id = $run")" \
		"^$addr:5201\$" "$name: the host-side client connected to $addr:5201"
	mbit=$(q_metric "$run" fwd_mbit_s)
	ok_if "$name: the stream has a throughput ($mbit Mbit/s)" [ "${mbit:-0}" -gt 0 ]
	is "$(q_metric "$run" server_connections)" 1 "$name: the guest's server end is merged in"
	is "$(db_query "$T/db" "select count(*) from telemetry where run_id = $run and
		name in ('qemu_vcpu_cpu_pct', 'host_softirq_pct', 'client_proc_cpu_pct')")" 3 \
		"$name: QEMU's vCPU time, host softirq and the client's CPU are beside it"
	is "$(q_metric "$web" server_requests)" "$(q_metric "$web" requests)" \
		"$name: http: the guest's server counted what the client completed"
done
pid=$(db_query "$T/db" "select json_extract(spec_json, '\$.net.client.ns') from run limit 1" |
	sed -n 's/^vb-\([0-9]*\)-.*/\1/p')
ok_if "the runs name vmbench's client namespace (pid $pid)" [ -n "$pid" ]
is "$(namespaces_of "${pid:-none}" | wc -l)" 0 "no namespace of vmbench $pid is left"
is "$(host_links | tr '\n' ' ')" "$LINKS0" "the host's links are as before"

done_testing
