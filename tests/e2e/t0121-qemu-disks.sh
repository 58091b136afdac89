#!/usr/bin/env bash
# target=qemu under TCG across the disk knobs, four VMs with dd and blkio
# each: a qcow2 overlay (on a base image) over virtio-scsi with
# cache=none,aio=native and an L2 cache size; NVMe on microvm (pcie=on) with
# cache=directsync,aio=io_uring; IDE on pc (PIIX) with cache=writethrough;
# virtio-blk with an IOThread on q35. Every guest finds its disk by serial,
# the IOThread shows in the telemetry, the base image survives and nothing
# vmbench made is left.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require qemu qemu-img kernel agent

DB=$T/results.db
W=$T/work
BASE=$T/base.qcow2
qemu-img create -q -f qcow2 "$BASE" 64M || skip_all "qemu-img cannot create a qcow2 image"
cat >"$T/plan.ini" <<INI
[experiment]
name = e2e-qemu-disks
repeat = 1
timeout = 60s

[variant overlay-scsi]
target = qemu
accel = tcg
mem = 256M
disk = file
format = qcow2
backing = $BASE
size = 64M
l2-cache-size = 1M
bus = virtio-scsi
cache = none
aio = native
workdir = $W

[variant nvme]
target = qemu
accel = tcg
mem = 256M
disk = file
size = 64M
bus = nvme
cache = directsync
aio = io_uring
workdir = $W

[variant ide-pc]
target = qemu
machine = pc
accel = tcg
mem = 256M
disk = file
size = 64M
bus = ide
cache = writethrough
aio = threads
workdir = $W

[variant iothread-q35]
target = qemu
machine = q35
accel = tcg
mem = 256M
disk = file
size = 64M
bus = virtio-blk
iothread = on
num-queues = 1
cache = none
aio = io_uring
workdir = $W

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

VB_TIMEOUT=180 vb run -q --db "$DB" "$T/plan.ini"
is "$RC" 0 "four qemu variants run (exit 0)"
is "$(db_query "$DB" "select count(*) from run where status = 'ok'")" 8 "eight runs are ok"
if [ "$RC" != 0 ]; then
	diag "$(db_query "$DB" "select error from run where status != 'ok'" | head -5)"
fi
is "$(db_query "$DB" "select count(*) from run where json_extract(spec_json, '$.target.accel') = 'tcg'")" \
	8 "every run ran under TCG"

argv()
{
	db_query "$DB" "select qemu_argv from variant where name = '$1'"
}
A=$(argv overlay-scsi)
like "$A" 'driver=qcow2,node-name=vbdisk,file=vbdisk-file,cache.direct=on,cache.no-flush=off,l2-cache-size=1048576' \
	"overlay: a qcow2 node with cache.direct=on and the L2 cache size"
like "$A" 'aio=native' "overlay: aio=native"
like "$A" 'virtio-scsi-device,id=vbscsi .*scsi-hd,.*serial=vbdata' "overlay: a scsi-hd on virtio-scsi (mmio)"
like "$(db_query "$DB" "select disk_info_json from variant where name = 'overlay-scsi'")" 'base\.qcow2' \
	"overlay: the disk's provenance names its backing file"
A=$(argv nvme)
like "$A" '-machine microvm,pcie=on ' "nvme: microvm gets its PCIe bus"
like "$A" '-device nvme,id=vbdisk-dev,drive=vbdisk,serial=vbdata,write-cache=off' "nvme: an NVMe disk without a volatile write cache (directsync)"
like "$A" 'aio=io_uring,cache.direct=on' "nvme: aio=io_uring with O_DIRECT"
A=$(argv ide-pc)
like "$A" '-machine pc .*bzImage' "ide-pc: machine pc boots the bzImage"
like "$A" 'ide-hd,id=vbdisk-dev,bus=ide.0,drive=vbdisk,serial=vbdata,write-cache=off' "ide-pc: an IDE disk, writethrough"
A=$(argv iothread-q35)
like "$A" '-object iothread,id=vbio0 -device virtio-blk-pci,.*iothread=vbio0,num-queues=1' \
	"iothread-q35: virtio-blk-pci in an IOThread"
IOT=$(db_query "$DB" "select t.value from telemetry t join run r on r.id = t.run_id join variant v on v.id = r.variant_id where v.name = 'iothread-q35' and r.workload = 'rr' and t.name = 'qemu_iothread_cpu_pct'")
ok_if "iothread-q35: the IOThread worked during blkio (${IOT:-none} %)" \
	py 'import sys; sys.exit(not float(sys.argv[1]) > 0)' "${IOT:-0}"
for v in overlay-scsi nvme ide-pc iothread-q35; do
	N=$(db_query "$DB" "select count(*) from metric m join run r on r.id = m.run_id join variant v on v.id = r.variant_id where v.name = '$v' and ((r.workload = 'dd' and m.name = 'mb_per_s') or (r.workload = 'rr' and m.name = 'read_iops')) and m.value > 0")
	is "$N" 2 "$v: dd and blkio measured the guest's disk"
done
is "$(procs_with qemu-system-x86_64 "$W")" "" "no QEMU of this test is left"
is "$(find "$W" -name 'vbdata*' 2>/dev/null)" "" "no image vmbench made is left"
base_intact()
{
	qemu-img check -q "$BASE" >/dev/null 2>&1
}
ok_if "the base image is still there and intact" base_intact

done_testing
