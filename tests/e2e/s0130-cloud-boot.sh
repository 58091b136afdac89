#!/usr/bin/env bash
# guest=cloud for real (slow: make check-slow): builds the test cloud image
# with scripts/cloud-image.sh if it is not cached, boots it once under TCG
# to the agent (overlay + NoCloud seed), runs cpu in it, and checks what was
# stored: the boot phases in order, the guest's facts (distro, kernel,
# cloud-init's version, the root disk's I/O scheduler). Then a second run
# interrupted with SIGINT while the guest boots: QEMU gone, overlay and
# seed removed, the journal empty, the image unchanged.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/lib_cloud.sh
. "$(dirname "$0")/lib_cloud.sh"

require root qemu qemu-img agent

cloud_image_ready

W=$T/work
J=$VMBENCH_STATE/journal
cat >"$T/plan.ini" <<INI
[experiment]
name = e2e-cloud
repeat = 1

$(cloud_variant "boot-timeout = 900s")

[workload cpu]
max-prime = 2000
time = 2s
INI

vb_with_timeout 1200 run --db "$T/db" "$T/plan.ini"
is "$RC" 0 "the cloud guest boots to the agent and runs cpu"
[ "$RC" -eq 0 ] || diag "$ERR"
is "$(db_query "$T/db" "select status from run")" ok "the run is stored"
# the target's facts of the variant (stored as variant.disk_info_json)
FACTS=$T/facts.json
db_query "$T/db" "select disk_info_json from variant limit 1" >"$FACTS"
if json_true "$FACTS" '"boot" in d'; then
	cloud_facts_ok "$FACTS"
else
	not_ok "the run's facts hold the boot" "$(head -c 300 "$FACTS")"
fi
ok_if "nothing left in the workdir" [ -z "$(find "$W" -name '*.qcow2' -o -name 'seed.iso' 2>/dev/null)" ]

# SIGINT while the guest boots (the first run's console log goes first: the
# wait below is for this run's kernel)
rm -f "$W/qemu-cloud/console.log"
bg_start "$T/i.out" "$T/i.err" "$VMBENCH" run -q --db "$T/db" "$T/plan.ini"
TPID=$BG_PID
# shellcheck disable=SC2317 # called through wait_for
kernel_up() {
	[ -e "$W/qemu-cloud/vbroot.qcow2" ] && grep -aq 'Linux version' "$W/qemu-cloud/console.log" 2>/dev/null
}
wait_for 300 kernel_up
ok_if "the overlay exists while booting" [ -e "$W/qemu-cloud/vbroot.qcow2" ]
VPID=$(proc_children "$TPID")
[ -n "$VPID" ] && kill -INT "$VPID"
# shellcheck disable=SC2317
ended() { ! kill -0 "$VPID" 2>/dev/null; }
wait_for 30 ended
ok_if "vmbench ends on SIGINT" ended
ok_if "QEMU is gone" [ -z "$(procs_with qemu-system-x86_64 "$W/")" ]
ok_if "the overlay is removed" [ ! -e "$W/qemu-cloud/vbroot.qcow2" ]
ok_if "the seed is removed" [ ! -e "$W/qemu-cloud/seed.iso" ]
is "$(find "$J" -name '*.rec' 2>/dev/null | wc -l)" 0 "the journal is empty"
is "$(cloud_image_sum)" "$IMG_SUM" "the image was not written"

done_testing
