#!/usr/bin/env bash
# target=qemu under TCG, one VM for four workloads: the default machine
# (microvm, PVH boot) with a raw data disk; cpu, memory, dd and blkio on the
# guest's disk found by its serial (serial:vbdata). The results land in the
# database with the accelerator and the boot phases as target facts, QEMU's
# threads are split by role in the telemetry, and nothing is left behind:
# no QEMU, no image.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require qemu qemu-img kernel agent

DB=$T/results.db
W=$T/work
cat >"$T/plan.ini" <<INI
[experiment]
name = e2e-qemu-basic
repeat = 1
timeout = 60s

[variant vm]
target = qemu
machine = microvm
accel = tcg
mem = 256M
disk = file
format = raw
size = 256M
workdir = $W

[workload cpu]
type = cpu
time = 1s

[workload mem]
type = memory
total-size = 32M

[workload dd]
type = dd
filename = serial:vbdata
bs = 64k
count = 64
direct = on

[workload rr]
type = blkio
filename = serial:vbdata
rw = randread
bs = 4k
runtime = 1s
direct = on
INI

VB_TIMEOUT=120 vb run -q --db "$DB" "$T/plan.ini"
is "$RC" 0 "the plan with a qemu variant runs (exit 0)"
is "$(db_query "$DB" "select count(*) from run where status = 'ok'")" 4 "four runs are ok"
is "$(db_query "$DB" "select count(*) from run where json_extract(spec_json, '$.target.accel') = 'tcg'")" \
	4 "every run says it ran under TCG (target facts accel=tcg)"
for phase in qemu_to_console_s kernel_to_init_s init_to_agent_s qemu_to_agent_s; do
	V=$(db_query "$DB" "select json_extract(spec_json, '$.target.boot.$phase') from run limit 1")
	ok_if "boot phase $phase is stored ($V s)" py 'import sys; v = float(sys.argv[1]); sys.exit(not 0 < v < 120)' "${V:-x}"
done
ARGV=$(db_query "$DB" "select qemu_argv from variant")
like "$ARGV" '^qemu-system-x86_64 .*-machine microvm -accel tcg -cpu max ' "the variant stores QEMU's command line"
like "$ARGV" 'virtio-blk-device,id=vbdisk-dev,drive=vbdisk,serial=vbdata' "the disk is a virtio-blk device with serial vbdata"
like "$ARGV" 'name=org.vmbench.agent' "the agent's port is a virtserialport"
metric()
{
	db_query "$DB" "select m.value from metric m join run r on r.id = m.run_id where r.workload = '$1' and m.name = '$2'"
}
positive()
{
	py 'import sys; sys.exit(not float(sys.argv[1]) > 0)' "${1:-0}"
}
ok_if "cpu: events_per_s > 0" positive "$(metric cpu events_per_s)"
ok_if "memory: mib_per_s > 0" positive "$(metric mem mib_per_s)"
ok_if "dd on serial:vbdata: mb_per_s > 0" positive "$(metric dd mb_per_s)"
ok_if "blkio randread on serial:vbdata: read_iops > 0" positive "$(metric rr read_iops)"
# the guest's clock must not fall back to jiffies: then latencies are 0 or 4 ms
P50=$(metric rr read_clat_p50_us)
ok_if "blkio's median latency is a real measurement ($P50 us), not a jiffy" \
	py 'import sys; v = float(sys.argv[1]); sys.exit(not (0 < v < 3900))' "${P50:-0}"
VCPU=$(db_query "$DB" "select t.value from telemetry t join run r on r.id = t.run_id where r.workload = 'cpu' and t.name = 'qemu_vcpu_cpu_pct'")
ok_if "telemetry: QEMU's vCPU thread worked during cpu (${VCPU:-none} %)" positive "$VCPU"
is "$(db_query "$DB" "select count(distinct t.name) from telemetry t where t.name like 'qemu_%_cpu_pct'")" 4 \
	"telemetry has vcpu, iothread, main and worker CPU of QEMU"
ok_if "the console log is kept" grep -q "Linux version" "$W/qemu-vm/console.log"
like "$(db_query "$DB" "select json_extract(disk_info_json, '$.guest.pvh') from variant")" '^1$' \
	"microvm booted the kernel through its PVH entry"
is "$(procs_with qemu-system-x86_64 "$W")" "" "no QEMU of this test is left"
is "$(find "$W" -name 'vbdata*' 2>/dev/null)" "" "the data disk image was removed"
ok_if "the agent's socket was removed" [ ! -e "$W/qemu-vm/agent.sock" ]

done_testing
