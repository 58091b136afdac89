#!/usr/bin/env bash
# target=libvirt under SIGINT and kill -9 of vmbench while a guest runs a
# workload: SIGINT stops the domain and removes the image before vmbench
# exits; after kill -9 libvirtd destroys the domain itself (it was started
# with VIR_DOMAIN_START_AUTODESTROY: vmbench's connection closed) and the
# next vmbench removes the image from the journal. A domain destroyed behind
# vmbench's back fails its run within seconds, with libvirt's lifecycle
# event as the cause. Three TCG boots: slow.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/libvirtd.sh
. "$(dirname "$0")/libvirtd.sh"

require root qemu kernel agent
libvirtd_start || skip_all "$LIBVIRTD_WHY"

W=$T/work
cat >"$T/plan.ini" <<INI
[experiment]
name = e2e-libvirt-signals
repeat = 1

[variant sig]
target = libvirt
accel = tcg
mem = 256M
disk = file
size = 64M
boot-timeout = 300s
workdir = $W

[workload cpu]
type = cpu
time = 120s
INI

ours()
{
	libvirt_vmbench_domains | grep "^vmbench-sig-$1\$" || true
}

# starts vmbench in the background, waits for its guest's run to begin
start_run()
{
	"$VMBENCH" run --db "$T/db${1:-}" "$T/plan.ini" >"$T/run.out" 2>&1 &
	VBPID=$!
	_bg_pids="$_bg_pids $VBPID"
	for _ in $(seq 1 600); do
		# the variant is stored at the agent's hello; its run follows at once
		[ "$(db_query "$T/db${1:-}" 'select count(*) from variant' 2>/dev/null)" = 1 ] &&
			[ -n "$(ours "$VBPID")" ] && sleep 2 && return 0
		kill -0 "$VBPID" 2>/dev/null || return 1
		sleep 0.5
	done
	return 1
}

if start_run; then
	ok "a domain runs for vmbench pid $VBPID ($(ours "$VBPID"))"
	kill -INT "$VBPID"
	t0=$SECONDS
	wait "$VBPID"
	ok_if "SIGINT: vmbench exits within 30 s ($((SECONDS - t0)) s)" [ $((SECONDS - t0)) -lt 30 ]
	is "$(ours "$VBPID")" "" "SIGINT: the domain is gone"
	is "$(find "$W" -name '*.raw' | wc -l)" 0 "SIGINT: the image is removed"
else
	not_ok "the guest's run began" "$(tail -5 "$T/run.out")"
fi

if start_run; then
	ok "a domain runs for vmbench pid $VBPID"
	kill -KILL "$VBPID"
	wait "$VBPID" 2>/dev/null
	for _ in $(seq 1 40); do
		[ -z "$(ours "$VBPID")" ] && break
		sleep 0.5
	done
	is "$(ours "$VBPID")" "" "kill -9: libvirtd destroyed the domain (autodestroy)"
	ok_if "kill -9: the image is still there" [ "$(find "$W" -name '*.raw' | wc -l)" -ge 1 ]
	vb list
	like "$ERR" "released what vmbench pid $VBPID left \(killed\?\): removed the file '$W/.*'" \
		"the next vmbench removes the image, saying so"
	is "$(find "$W" -name '*.raw' | wc -l)" 0 "nothing is left"
else
	not_ok "the guest's run began" "$(tail -5 "$T/run.out")"
fi
if start_run 3; then
	t0=$SECONDS
	timeout 20 virsh -c qemu:///system destroy "$(ours "$VBPID")" >/dev/null 2>&1
	E=""
	for _ in $(seq 1 60); do
		E=$(db_query "$T/db3" "select error from run where status = 'failed' order by id desc limit 1" 2>/dev/null)
		[ -n "$E" ] && break
		sleep 0.5
	done
	like "$E" "libvirt: the domain was destroyed" "a domain destroyed behind vmbench's back: the run fails with libvirt's cause"
	ok_if "within 30 s ($((SECONDS - t0)) s)" [ $((SECONDS - t0)) -lt 30 ]
	kill -INT "$VBPID"
	wait "$VBPID"
	is "$(ours "$VBPID")" "" "and no domain is left"
else
	not_ok "the guest's run began" "$(tail -5 "$T/run.out")"
fi
done_testing
