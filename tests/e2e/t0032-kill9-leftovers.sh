#!/usr/bin/env bash
# kill -9 of vmbench while a VM runs on huge pages vmbench reserved and on a
# disk vmbench made (an image file; then a loop device on a file it made):
# QEMU dies with vmbench, the journal still names what was left (the image,
# the raised vm.nr_hugepages, the hugetlbfs mount), and the next vmbench
# command, whatever it is, releases all of it and says so. Afterwards: no
# image, nr_hugepages as before, no mount, no loop device, no cgroup, an
# empty journal. Needs root (nr_hugepages, mount, loop devices).
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require root hugepages qemu qemu-img kernel agent

W=$T/work
J=$VMBENCH_STATE/journal
NR0=$(cat /proc/sys/vm/nr_hugepages)
# whatever happens, nr_hugepages is put back
trap 'echo "$NR0" >/proc/sys/vm/nr_hugepages; _cleanup' EXIT

# plan NAME DISK-LINES: a long run of one VM on huge pages
plan()
{
	cat >"$T/$1.ini" <<INI
[experiment]
name = e2e-kill9-$1
repeat = 1

[variant $1]
target = qemu
accel = tcg
mem = 128M
hugepages = on
$2
workdir = $W

[workload cpu]
type = cpu
time = 120s
INI
}

# shellcheck disable=SC2317 # called through wait_for
booted()
{
	VPID=$(proc_children "$TPID")
	QPID=$(procs_with qemu-system-x86_64 "$W/")
	[ -n "$VPID" ] && [ -n "$QPID" ] && grep -q 'Run /init' "$W/qemu-$NAME/console.log" 2>/dev/null
}
# shellcheck disable=SC2317
qemu_gone()
{
	[ -z "$(procs_with qemu-system-x86_64 "$W/")" ]
}
records()
{
	find "$J" -name '*.rec' 2>/dev/null | wc -l
}
hp_mounts()
{
	grep -c " $W/[^ ]*hugetlbfs\.[^ ]* hugetlbfs " /proc/mounts
}
loops_of()
{
	losetup -a 2>/dev/null | grep -c -- "$1"
}

# run_and_kill NAME: starts the plan, waits for the guest's init, kill -9s
# vmbench; sets VPID, QPID
run_and_kill()
{
	NAME=$1
	VB_TIMEOUT=200 bg_start "$T/$NAME.out" "$T/$NAME.err" "$VMBENCH" run -q --db "$T/db" "$T/$NAME.ini"
	TPID=$BG_PID
	VPID="" QPID=""
	if ! wait_for 90 booted; then
		not_ok "$NAME: the guest boots" "$(cat "$T/$NAME.err")"
		done_testing
	fi
	ok "$NAME: the guest runs (vmbench $VPID, QEMU $QPID)"
	ok_if "$NAME: vm.nr_hugepages was raised ($(cat /proc/sys/vm/nr_hugepages) > $NR0)" \
		[ "$(cat /proc/sys/vm/nr_hugepages)" -gt "$NR0" ]
	is "$(hp_mounts)" 1 "$NAME: a hugetlbfs is mounted in the workdir"
	ok_if "$NAME: the journal names what was made ($(records) records)" [ "$(records)" -ge 3 ]
	ok_if "$NAME: each record names vmbench $VPID" \
		sh -c "grep -L '^pid=$VPID\$' '$J'/*.rec | grep -q . && exit 1 || exit 0"
	exec 3>&2 2>/dev/null
	kill -KILL "$VPID"
	wait "$TPID"
	exec 2>&3 3>&-
	if wait_for 10 qemu_gone; then
		ok "$NAME: QEMU dies with vmbench (PR_SET_PDEATHSIG)"
	else
		kill -KILL "$QPID" 2>/dev/null
		not_ok "$NAME: QEMU dies with vmbench within 10 s" "still running: $QPID (now killed)"
	fi
	# what survives SIGKILL before the next command
	ok_if "$NAME: nr_hugepages is still raised after the kill" \
		[ "$(cat /proc/sys/vm/nr_hugepages)" -gt "$NR0" ]
}

# --- an image file ----------------------------------------------------------
IMG=$W/kill9-img.raw
plan img "disk = file
format = raw
size = 64M
image = $IMG"
run_and_kill img
ok_if "img: the image survives the kill" [ -e "$IMG" ]

# any command: list
vb list workloads
is "$RC" 0 "the next command (list) exits 0"
diag "$ERR"
like "$ERR" "released what vmbench pid $VPID left.*removed the file '$IMG'" \
	"it says it removed the image"
like "$ERR" "released what vmbench pid $VPID left.*restored /proc/sys/vm/nr_hugepages to $NR0" \
	"it says it restored nr_hugepages to $NR0"
like "$ERR" "released what vmbench pid $VPID left.*unmounted '$W/qemu-img/hugetlbfs\." \
	"it says it unmounted the hugetlbfs"
ok_if "no image is left" [ ! -e "$IMG" ]
is "$(cat /proc/sys/vm/nr_hugepages)" "$NR0" "vm.nr_hugepages is back to $NR0"
is "$(hp_mounts)" 0 "no hugetlbfs mount is left"
is "$(records)" 0 "the journal is empty"
ok_if "no cgroup of vmbench $VPID is left" \
	sh -c "! find /sys/fs/cgroup -maxdepth 3 -name 'vmbench-$VPID-*' | grep -q ."
vb version
unlike "$ERR" released "a second command has nothing to release"

# --- a loop device on a file vmbench made -----------------------------------
if have loop; then
	LOOPF=$W/kill9-loop.img
	plan loop "disk = blockdev
loop = $LOOPF
size = 64M"
	run_and_kill loop
	vb doctor
	like "$ERR" "released what vmbench pid $VPID left.*removed the file '$LOOPF'" \
		"loop: the next command (doctor) says it removed the loop file"
	ok_if "loop: no loop file is left" [ ! -e "$LOOPF" ]
	is "$(loops_of "$LOOPF")" 0 "loop: no loop device is bound to it"
	is "$(cat /proc/sys/vm/nr_hugepages)" "$NR0" "loop: vm.nr_hugepages is back to $NR0"
	is "$(hp_mounts)" 0 "loop: no hugetlbfs mount is left"
	is "$(records)" 0 "loop: the journal is empty"
else
	skip "kill -9 with a loop device" "$(why_not loop)"
fi

done_testing
