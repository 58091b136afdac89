#!/usr/bin/env bash
# target=qemu when vmbench is stopped in the middle of a run: after SIGINT
# it stops QEMU, detaches the loop device and removes what it made, and the
# experiment is marked interrupted; after kill -9 QEMU dies with it
# (PR_SET_PDEATHSIG) and the loop device, attached with autoclear, goes away
# with QEMU's last reference. As root the data disk is a loop device,
# otherwise an image file.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require qemu qemu-img kernel agent

LOOP=0
if have root && have loop; then
	LOOP=1
else
	diag "not root or no loop devices: the data disk is an image file"
fi

# plan NAME: a plan whose one run takes 20 s, in $T/NAME
plan()
{
	local disk="disk = file
size = 64M"
	[ "$LOOP" = 1 ] && disk="disk = blockdev
loop = $T/$1.img
size = 64M"
	cat >"$T/$1.ini" <<INI
[experiment]
name = e2e-qemu-$1
repeat = 3

[variant vm]
target = qemu
accel = tcg
mem = 256M
$disk
workdir = $T/$1

[workload cpu]
type = cpu
time = 20s
INI
}

# shellcheck disable=SC2317 # called through wait_for
qemu_running()
{
	QPID=$(procs_with qemu-system-x86_64 "$T/$NAME/")
	[ -n "$QPID" ]
}
# shellcheck disable=SC2317
guest_ready()
{
	grep -q 'Run /init' "$T/$NAME/qemu-vm/console.log" 2>/dev/null
}
# shellcheck disable=SC2317
no_qemu_left()
{
	[ -z "$(procs_with qemu-system-x86_64 "$T/$NAME/")" ]
}
# shellcheck disable=SC2317
no_loop_left()
{
	[ -z "$(losetup -j "$T/$NAME.img" 2>/dev/null)" ]
}

# start NAME: vmbench on plan NAME in the background; sets VPID and QPID
start()
{
	NAME=$1
	plan "$NAME"
	VB_TIMEOUT=120 bg_start "$T/$NAME.out" "$T/$NAME.err" "$VMBENCH" run -q --db "$T/$NAME.db" "$T/$NAME.ini"
	TPID=$BG_PID
	QPID=""
	if wait_for 30 qemu_running && wait_for 60 guest_ready; then
		sleep 1 # the agent says hello and the run begins
		VPID=$(proc_children "$TPID")
		ok "$NAME: vmbench ${VPID:-?} booted its guest (QEMU $QPID)"
		is "$(proc_parent "$QPID")" "$VPID" "$NAME: QEMU is vmbench's child"
		return 0
	fi
	not_ok "$NAME: vmbench boots its guest" "$(cat "$T/$NAME.err")"
	return 1
}

# --- SIGINT ----------------------------------------------------------------
if start sigint; then
	T0=$SECONDS
	kill -INT "$VPID"
	wait "$TPID"
	TRC=$?
	TOOK=$((SECONDS - T0))
	is "$TRC" 1 "sigint: vmbench exits 1 (interrupted)"
	ok_if "sigint: it stops within 10 s (${TOOK}s)" [ "$TOOK" -le 10 ]
	ok_if "sigint: no QEMU is left" no_qemu_left
	if [ "$LOOP" = 1 ]; then
		ok_if "sigint: no loop device is left on the file" no_loop_left
		ok_if "sigint: the loop file vmbench made is removed" [ ! -e "$T/sigint.img" ]
	else
		is "$(find "$T/sigint" -name 'vbdata*')" "" "sigint: the image is removed"
	fi
	is "$(db_query "$T/sigint.db" 'select status from experiment')" interrupted \
		"sigint: the experiment is marked interrupted"
	is "$(db_query "$T/sigint.db" "select count(*) from run")" 0 \
		"sigint: the interrupted run is not stored"
fi

# --- kill -9 ---------------------------------------------------------------
if start kill9; then
	exec 3>&2 2>/dev/null # bash's "Killed" notice is noise here
	kill -KILL "$VPID"
	wait "$TPID"
	TRC=$?
	exec 2>&3 3>&-
	is "$TRC" 137 "kill9: vmbench died of SIGKILL"
	if wait_for 3 no_qemu_left; then
		ok "kill9: QEMU died with vmbench (PDEATHSIG, checked within 3 s)"
	else
		LEFT=$(procs_with qemu-system-x86_64 "$T/kill9/")
		for p in $LEFT; do
			kill -KILL "$p" 2>/dev/null
		done
		not_ok "kill9: QEMU died with vmbench (PDEATHSIG)" "left over (now killed): $LEFT"
	fi
	if [ "$LOOP" = 1 ]; then
		if wait_for 5 no_loop_left; then
			ok "kill9: the loop device went away with QEMU (autoclear)"
		else
			DEV=$(losetup -j "$T/kill9.img" | cut -d: -f1)
			[ -n "$DEV" ] && losetup -d "$DEV"
			not_ok "kill9: the loop device went away with QEMU (autoclear)" "left over (now detached): $DEV"
		fi
	fi
fi

done_testing
