#!/usr/bin/env bash
# target=libvirt on "another host" over qemu+ssh:// (this machine through
# an sshd on a loopback port, tests/e2e/sshd.sh, and the test's libvirtd):
# the guest's kernel, initramfs and data disk are staged in remote-dir over
# scp, the domain is started through the ssh connection, the agent is
# reached through the channel stream over ssh, and the staged files are
# removed after. One TCG boot: slow.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/libvirtd.sh
. "$(dirname "$0")/libvirtd.sh"
# shellcheck source=tests/e2e/sshd.sh
. "$(dirname "$0")/sshd.sh"

require root qemu kernel agent
libvirtd_start || skip_all "$LIBVIRTD_WHY"
sshd_start || skip_all "$SSHD_WHY"

DB=$T/results.db
RD=$T/remote
URI="qemu+ssh://root@127.0.0.1:$SSHD_PORT/system?keyfile=$SSHD_KEY&no_tty=1&no_verify=1"
cat >"$T/plan.ini" <<INI
[experiment]
name = e2e-libvirt-remote
repeat = 1

[variant far]
target = libvirt
uri = $URI
accel = tcg
mem = 256M
disk = file
format = qcow2
size = 64M
boot-timeout = 300s
workdir = $T/work
remote-dir = $RD

[workload cpu]
type = cpu
time = 1s

[workload dd]
type = dd
filename = serial:vbdata
bs = 64k
count = 32
direct = on
INI

VB_TIMEOUT=500 vb run -q --db "$DB" "$T/plan.ini"
is "$RC" 0 "a variant on a qemu+ssh:// host runs (exit 0)"
is "$(db_query "$DB" "select count(*) from run where status = 'ok'")" 2 "both runs are ok"
is "$(db_query "$DB" "select json_extract(spec_json, '$.target.remote.host') from run limit 1")" \
	"root@127.0.0.1:$SSHD_PORT" "the runs name the remote host"
like "$(db_query "$DB" "select json_extract(spec_json, '$.target.remote.dir') from run limit 1")" \
	"^$RD/far-[0-9]+$" "and where the guest was staged there"
like "$(db_query "$DB" "select qemu_argv from variant")" "<kernel>$RD/far-[0-9]+/bzImage</kernel>" \
	"the domain boots the staged kernel"
V=$(db_query "$DB" "select json_extract(spec_json, '$.target.domain_stats_at_hello.\"cpu.time\"') from run limit 1")
ok_if "libvirt's domain stats are stored (cpu.time $V ns)" py 'import sys; sys.exit(not float(sys.argv[1]) > 0)' "${V:-0}"
V=$(db_query "$DB" "select t.value from telemetry t join run r on r.id = t.run_id where r.workload = 'cpu' and t.name = 'libvirt_vcpu_pct'")
ok_if "the remote domain's vCPU time during cpu comes from libvirt's stats ($V %)" py 'import sys; sys.exit(not float(sys.argv[1]) > 10)' "${V:-0}"
is "$(ls -A "$RD" 2>/dev/null)" "" "the staged files are removed from the remote host"
is "$(libvirt_vmbench_domains | grep '^vmbench-far-' || true)" "" "no domain is left"

# a guest that misses its boot-timeout there: the error quotes the remote
# console's last lines (read over ssh), and nothing is left on the host
sed -i 's/^boot-timeout = .*/boot-timeout = 2s/; s/^repeat = .*/repeat = 1/' "$T/plan.ini"
VB_TIMEOUT=300 vb run -q --db "$T/db2" "$T/plan.ini"
ok_if "a boot timeout on the remote host fails the variant (rc $RC)" [ "$RC" -ne 0 ]
like "$ERR" "did not come up under libvirt \(qemu\+ssh://.*no hello from the agent within the boot timeout; console tail \($RD/far-[0-9]+/console.log\)" \
	"the error says so, with the remote console's tail"
is "$(ls -A "$RD" 2>/dev/null)" "" "nothing staged is left after the failure"
done_testing
