#!/usr/bin/env bash
# How target=qemu decides and fails: accel=auto tries KVM with a probe guest
# and falls back to TCG, saying why once; accel=kvm fails fast with a clear
# message where KVM cannot run a guest (as on this project's machine, whose
# /dev/kvm exists); an invalid knob combination is refused with QEMU's reason
# before QEMU starts; a guest that misses its boot deadline is killed and its
# run stored as failed with the console's tail.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require qemu kernel agent

W=$T/work

# --- accel=auto: two variants, one probe, one warning ----------------------
cat >"$T/auto.ini" <<INI
[experiment]
name = e2e-qemu-auto
repeat = 1

[variant a]
target = qemu
accel = auto
mem = 256M
workdir = $W

[variant b]
target = qemu
accel = auto
mem = 320M
workdir = $W

[workload cpu]
type = cpu
time = 200ms
INI
VB_TIMEOUT=120 vb run -q --db "$T/auto.db" "$T/auto.ini"
is "$RC" 0 "accel=auto runs"
ACCEL=$(db_query "$T/auto.db" "select distinct json_extract(spec_json, '$.target.accel') from run")
KVM_WORKS=0
if [ "$ACCEL" = kvm ]; then
	KVM_WORKS=1
	skip "accel=auto falls back to TCG" "KVM works on this host: accel=auto chose it"
	skip "the fallback is said once, with the reason" "KVM works on this host"
else
	is "$ACCEL" tcg "accel=auto fell back to TCG (stored with every run)"
	N=$(printf '%s\n' "$ERR" | grep -c "warning: accel=auto: KVM does not work on this host, using TCG: ")
	is "$N" 1 "the fallback is said once for two variants, with the reason"
	like "$(db_query "$T/auto.db" "select json_extract(spec_json, '$.target.accel_why') from run limit 1")" \
		'kvm' "the reason is stored with the runs (accel_why)"
fi
is "$(procs_with qemu-system-x86_64 "$W")" "" "no QEMU is left after accel=auto (probe included)"

# --- accel=kvm: fails fast where KVM does not work ---------------------------
if [ "$KVM_WORKS" = 1 ]; then
	skip "accel=kvm fails fast with a clear message" "KVM works on this host"
else
	T0=$SECONDS
	VB_TIMEOUT=60 vb run -q --db "$T/kvm.db" -t qemu -T "accel=kvm,workdir=$W" -w cpu --set time=200ms
	TOOK=$((SECONDS - T0))
	is "$RC" 1 "accel=kvm is a failed run (exit 1)"
	like "$ERR" 'accel=kvm: KVM does not work on this host: ' "accel=kvm says KVM does not work here"
	like "$ERR" 'use accel=tcg' "and what to use instead"
	ok_if "accel=kvm fails fast (${TOOK}s, under 30s)" [ "$TOOK" -lt 30 ]
	like "$(db_query "$T/kvm.db" "select error from run limit 1")" 'accel=kvm: KVM does not work' \
		"the run is stored as failed with that reason"
	is "$(procs_with qemu-system-x86_64 "$W")" "" "no QEMU is left after accel=kvm"
fi

# --- an invalid combination: refused before QEMU starts ----------------------
VB_TIMEOUT=60 vb run -q --db "$T/bad.db" -t qemu -T "accel=tcg,disk=file,size=16M,aio=native,cache=writeback,workdir=$W" \
	-w cpu --set time=200ms
is "$RC" 1 "aio=native with cache=writeback fails"
like "$ERR" 'aio=native needs cache=none or cache=directsync, not cache=writeback' "the message names the knobs"
like "$ERR" "QEMU: aio=native was specified, but it requires cache.direct=on" "and quotes QEMU's reason"
ok_if "QEMU was never started for it" [ ! -e "$W/qemu-qemu/qemu.log" ]

# --- a guest that misses its deadline -----------------------------------------
VB_TIMEOUT=60 vb run -q --db "$T/hung.db" -t qemu -T "accel=tcg,boot-timeout=1s,workdir=$W" -w cpu --set time=200ms
is "$RC" 1 "a guest that misses boot-timeout is a failed run"
E=$(db_query "$T/hung.db" "select error from run limit 1")
like "$E" 'the agent did not say hello within 1s' "the stored error says the guest missed its deadline"
like "$E" "console $W/qemu-qemu/console.log: " "and names the console log"
like "$E" '\[ *[0-9]+\.[0-9]+\] ' "and quotes the console's tail"
is "$(procs_with qemu-system-x86_64 "$W")" "" "the hung guest's QEMU was killed"

done_testing
