#!/usr/bin/env bash
# target=libvirt on this host (qemu:///system of a libvirtd the test starts,
# tests/e2e/libvirtd.sh): the built-in guest as a transient domain under
# TCG, the agent reached through virDomainOpenChannel; cpu and dd on the
# guest's disk. The domain XML is stored as the variant's command line, the
# facts say libvirt and TCG, and nothing is left: no domain, no image.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/libvirtd.sh
. "$(dirname "$0")/libvirtd.sh"

require root qemu kernel agent
libvirtd_start || skip_all "$LIBVIRTD_WHY"

DB=$T/results.db
W=$T/work
cat >"$T/plan.ini" <<INI
[experiment]
name = e2e-libvirt-local
repeat = 1
timeout = 120s

[variant lv]
target = libvirt
machine = q35
accel = tcg
mem = 256M
disk = file
format = raw
size = 64M
boot-timeout = 300s
workdir = $W

[workload cpu]
type = cpu
time = 1s

[workload dd]
type = dd
filename = serial:vbdata
bs = 64k
count = 64
direct = on
INI

VB_TIMEOUT=400 vb run -q --db "$DB" "$T/plan.ini"
is "$RC" 0 "the plan with a libvirt variant runs (exit 0)"
is "$(db_query "$DB" "select count(*) from run where status = 'ok'")" 2 "two runs are ok"
is "$(db_query "$DB" "select json_extract(spec_json, '$.target.uri') from run limit 1")" \
	"qemu:///system" "the runs say which libvirt they ran on"
is "$(db_query "$DB" "select json_extract(spec_json, '$.target.accel') from run limit 1")" \
	"tcg" "under TCG (type='qemu')"
XML=$(db_query "$DB" "select qemu_argv from variant")
like "$XML" "<domain type='qemu'>" "the variant stores its domain XML"
like "$XML" "<target type='virtio' name='org.vmbench.agent'/>" "the agent's channel is in the XML"
V=$(db_query "$DB" "select json_extract(spec_json, '$.target.boot.create_to_agent_s') from run limit 1")
ok_if "the boot time is stored ($V s)" py 'import sys; v = float(sys.argv[1]); sys.exit(not 0 < v < 300)' "${V:-x}"
V=$(db_query "$DB" "select m.value from metric m join run r on r.id = m.run_id where r.workload = 'dd' and m.name = 'mb_per_s'")
ok_if "dd on the guest's disk: mb_per_s > 0 ($V)" py 'import sys; sys.exit(not float(sys.argv[1]) > 0)' "${V:-0}"
V=$(db_query "$DB" "select count(*) from telemetry t join run r on r.id = t.run_id where t.name = 'qemu_vcpu_cpu_pct'")
ok_if "QEMU's vCPU threads are in the telemetry ($V runs)" [ "${V:-0}" -ge 1 ]
is "$(libvirt_vmbench_domains)" "" "no vmbench domain is left"
is "$(find "$W" -name '*.raw' | wc -l)" 0 "the image is removed"
done_testing
