#!/usr/bin/env bash
# target=qemu with hugepages=on, mem-prealloc=on, numa-node and cpus: while
# the guest runs, its memory comes from huge pages vmbench reserved in a
# private hugetlbfs mount and each vCPU thread is pinned to its own host CPU;
# afterwards vm.nr_hugepages is back to what it was and the mount is gone.
# Needs root (nr_hugepages, mount).
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require root hugepages qemu kernel agent cpus=2

W=$T/work
NR0=$(cat /proc/sys/vm/nr_hugepages)
NUMA=""
[ -d /sys/devices/system/node/node0 ] && NUMA="numa-node = 0"
cat >"$T/plan.ini" <<INI
[experiment]
name = e2e-qemu-hugepages
repeat = 1

[variant hp]
target = qemu
accel = tcg
smp = 2
mem = 256M
hugepages = on
mem-prealloc = on
cpus = 0-1
$NUMA
workdir = $W

[workload cpu]
type = cpu
threads = 2
time = 4s
INI

# shellcheck disable=SC2317 # called through wait_for
running()
{
	QPID=$(procs_with qemu-system-x86_64 "$W/")
	[ -n "$QPID" ] && grep -q 'Run /init' "$W/qemu-hp/console.log" 2>/dev/null
}

VB_TIMEOUT=120 bg_start "$T/out" "$T/err" "$VMBENCH" run -q --db "$T/db" "$T/plan.ini"
TPID=$BG_PID
QPID=""
if wait_for 60 running; then
	sleep 1
	ok_if "a hugetlbfs is mounted in the variant's directory" grep -q " $W/qemu-hp/hugetlbfs\.[^ ]* hugetlbfs " /proc/mounts
	TOTAL=$(awk '/^HugePages_Total:/ { print $2 }' /proc/meminfo)
	FREE=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
	ok_if "the guest's 256M come from huge pages (total $TOTAL, free $FREE)" [ $((TOTAL - FREE)) -ge 128 ]
	# vCPU n on the n-th CPU of cpus=0-1
	for n in 0 1; do
		A=""
		for t in /proc/"$QPID"/task/*; do
			if [ "$(cat "$t/comm" 2>/dev/null)" = "CPU $n/TCG" ]; then
				A=$(awk '/^Cpus_allowed_list:/ { print $2 }' "$t/status")
			fi
		done
		is "$A" "$n" "vCPU $n's thread is pinned to host CPU $n"
	done
else
	not_ok "the guest boots" "$(cat "$T/err")"
fi
wait "$TPID"
is "$?" 0 "the run succeeds"
is "$(db_query "$T/db" "select count(*) from run where status = 'ok'")" 1 "one run is ok"
A=$(db_query "$T/db" "select qemu_argv from variant")
like "$A" '^taskset -c 0-1 qemu-system-x86_64 ' "QEMU runs under taskset on cpus=0-1"
like "$A" '-object memory-backend-file,id=vbmem,size=256M,mem-path=[^ ]*/hugetlbfs\.[^,]*,prealloc=on' \
	"guest memory is a prealloc'd file backend on hugetlbfs"
like "$(db_query "$T/db" "select json_extract(disk_info_json, '$.pinning') from variant")" '"vcpu0": ?0.*"vcpu1": ?1' \
	"the pinning is stored with the variant"
is "$(cat /proc/sys/vm/nr_hugepages)" "$NR0" "vm.nr_hugepages is restored ($NR0)"
ok_if "the hugetlbfs mount is gone" sh -c "! grep -q ' $W/' /proc/mounts"
is "$(procs_with qemu-system-x86_64 "$W/")" "" "no QEMU of this test is left"

done_testing
