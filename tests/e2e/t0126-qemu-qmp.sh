#!/usr/bin/env bash
# target=qemu watched through QMP while its guest runs. The workdir is a
# small tmpfs (64M) holding a thin qcow2 data disk larger than it (256M), and
# a dd workload fills it: QEMU pauses the guest (a write failed with ENOSPC,
# werror=enospc), the watch ends QEMU at once, and the run fails within
# seconds with a message naming the full filesystem; the failure is not
# retried (it would happen again), and the next workload of the same
# experiment runs on a fresh image. A guest that runs out of memory (the
# agent is init, so the OOM killer has nothing to kill) panics: the pvpanic
# device reports it and the run says so. Also: QMP's vCPU thread ids and
# block graph are stored, and the dry run prints the same QEMU command line
# as the real run (same setup and exec code under the dry-run mode).
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require qemu qemu-img kernel agent root

FS=$T/fs
mkdir -p "$FS"
mount -t tmpfs -o size=64M vmbench-e2e "$FS" || skip_all "cannot mount a tmpfs on $FS"
fs_cleanup()
{
	mountpoint -q "$FS" && umount "$FS"
}
trap 'fs_cleanup; _cleanup' EXIT

DB=$T/results.db
cat >"$T/plan.ini" <<INI
[experiment]
name = e2e-qemu-qmp
repeat = 2
order = sequential
timeout = 120s

[variant vm]
target = qemu
accel = tcg
mem = 256M
cpus = 0
disk = file
format = qcow2
size = 256M
workdir = $FS

[workload fill]
type = dd
filename = serial:vbdata
bs = 1M
count = 200
direct = on

[workload after]
type = cpu
max-prime = 2000
time = 1s
INI

# the dry run: setup and exec under the command builder's dry-run mode
vb run --dry-run "$T/plan.ini"
is "$RC" 0 "the dry run exits 0"
DRY=$(printf '%s\n' "$OUT" | grep '^taskset ')
like "$DRY" "^taskset -c 0 qemu-system-x86_64 .*-mon chardev=vbqmp,mode=control -device pvpanic" \
	"the dry run prints QEMU's line with its QMP monitor and pvpanic"
like "$OUT" "qemu-img create -f qcow2 $FS/qemu-vm/vbdata.qcow2 256M" "the dry run prints the disk's creation"
is "$(find "$FS" -mindepth 1 | head -1)" "" "the dry run made nothing in the workdir"

START=$(date +%s)
VB_TIMEOUT=300 vb run -q --db "$DB" "$T/plan.ini"
ELAPSED=$(($(date +%s) - START))
is "$RC" 1 "the experiment exits 1 (a run failed)"
q()
{
	db_query "$DB" "$1"
}
is "$(q "select count(*) from run where workload = 'fill'")" 1 \
	"the full disk is not retried: one run of fill"
is "$(q "select status from run where workload = 'fill'")" failed "that run failed"
ERRMSG=$(q "select error from run where workload = 'fill'")
like "$ERRMSG" "the filesystem holding $FS/qemu-vm/vbdata.qcow2 is full: [0-9]+ bytes free of 64M \(tmpfs on $FS\)" \
	"the error names the full filesystem"
like "$ERRMSG" "QEMU paused the guest when a write to its disk \(node vbdisk\) failed" \
	"the error says QEMU paused the guest on the write"
like "$ERRMSG" "console $FS/qemu-vm/console.log: \\[ *[0-9]+\\.[0-9]+\\] " "the error has the console's tail"
unlike "$ERRMSG" "timed out" "it did not wait for the timeout"
DUR=$(q "select duration_s from run where workload = 'fill'")
ok_if "the run failed within 15 s of its start, pause included (${DUR}s)" \
	py 'import sys; sys.exit(not float(sys.argv[1]) < 15)' "${DUR:-99}"
is "$(q "select count(*) from run where workload = 'after' and status = 'ok'")" 2 \
	"the next workload of the experiment runs (both repeats ok)"
diag "the whole experiment took ${ELAPSED}s"
is "$(q "select json_extract(spec_json, '\$.target.vcpu_threads.0') > 0 from run where workload = 'after' limit 1")" 1 \
	"QMP's thread id of vCPU 0 is stored"
is "$(q "select json_extract(spec_json, '\$.target.pinning.vcpu0') from run where workload = 'after' limit 1")" 0 \
	"vCPU 0 (found through QMP) is pinned to CPU 0"
NODES=$(q "select json_extract(n.value, '\$.node') || ' ' || json_extract(n.value, '\$.driver') || ' ' || json_extract(n.value, '\$.file') from run r, json_each(json_extract(r.spec_json, '\$.target.block_nodes')) n where r.workload = 'after' and r.repeat = 1")
is "$NODES" "vbdisk qcow2 $FS/qemu-vm/vbdata.qcow2
vbdisk-file file $FS/qemu-vm/vbdata.qcow2" \
	"the block graph QEMU opened is stored: a qcow2 node on a file node, on the image"
REAL=$(q "select qemu_argv from variant where name = 'vm'")
strip()
{
	# the guest's cache paths are placeholders in a dry run
	sed -E 's#-kernel [^ ]+ -initrd [^ ]+ #-kernel K -initrd I #'
}
is "$(printf '%s\n' "$DRY" | strip)" "$(printf '%s\n' "$REAL" | strip)" \
	"the dry run's QEMU line is the real one (but for the guest's paths)"
like "$(q "select disk_info_json from variant where name = 'vm'")" \
	"the thin image '$FS/qemu-vm/vbdata.qcow2' can grow to 256M but its filesystem has only 6[0-9.]+M free" \
	"the disk was made with a warning that it could fill its filesystem"
is "$(procs_with qemu-system-x86_64 "$FS")" "" "no QEMU of this test is left"
is "$(find "$FS" -name 'vbdata*' 2>/dev/null)" "" "no image vmbench made is left"

# a guest panic: the memory workload wants more than the guest has
vb run -q --db "$DB" -n 1 -t qemu -T accel=tcg,mem=128M,workdir="$T/work" \
	-w memory --set scope=local,threads=4,block-size=64M,time=1s
is "$RC" 1 "the out-of-memory run fails"
PANIC=$(q "select error from run where workload = 'memory' limit 1")
like "$PANIC" "the guest panicked \(QEMU reported a guest panic via pvpanic\): Kernel panic - not syncing" \
	"the failure is reported as a guest panic, with the kernel's panic line"
is "$(procs_with qemu-system-x86_64 "$T/work")" "" "no QEMU of the panic is left"

fs_cleanup
done_testing
