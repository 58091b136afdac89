#!/usr/bin/env bash
# target=qemu with disk=blockdev on a loop device that vmbench attaches to a
# file (loop=FILE): QEMU opens it with the host_device driver, the guest runs
# dd and blkio on it, and afterwards the loop device is detached and the file
# vmbench made is gone. Needs root (loop devices).
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require root loop qemu kernel agent

DB=$T/results.db
W=$T/work
LOOPFILE=$T/loop.img
cat >"$T/plan.ini" <<INI
[experiment]
name = e2e-qemu-blockdev
repeat = 1
timeout = 60s

[variant loopdev]
target = qemu
accel = tcg
mem = 256M
disk = blockdev
loop = $LOOPFILE
size = 64M
cache = none
aio = native
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

VB_TIMEOUT=120 vb run -q --db "$DB" "$T/plan.ini"
is "$RC" 0 "a qemu variant on a loop device runs (exit 0)"
is "$(db_query "$DB" "select count(*) from run where status = 'ok'")" 2 "both runs are ok"
A=$(db_query "$DB" "select qemu_argv from variant")
like "$A" 'driver=host_device,node-name=vbdisk-file,filename=/dev/loop[0-9]+,aio=native,cache.direct=on' \
	"QEMU opens the loop device with the host_device driver"
like "$(db_query "$DB" "select json_extract(disk_info_json, '$.disk.is_blockdev') from variant")" '^1$' \
	"the disk facts say it is a block device"
is "$(losetup -j "$LOOPFILE" 2>/dev/null)" "" "no loop device is left on the file"
ok_if "the file vmbench made for the loop device is gone" [ ! -e "$LOOPFILE" ]
is "$(procs_with qemu-system-x86_64 "$W")" "" "no QEMU of this test is left"

done_testing
