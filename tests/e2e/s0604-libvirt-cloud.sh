#!/usr/bin/env bash
# guest=cloud through target=libvirt (slow: make check-slow): the cached
# cloud image (scripts/cloud-image.sh builds it when missing) booted as a
# transient domain of a libvirtd the test starts (tests/e2e/libvirtd.sh),
# SeaBIOS, TCG, with a data disk; cpu in the guest. Checks the domain XML
# stored (no direct kernel boot, the overlay as the boot disk, the seed),
# the boot phases from the console file libvirt's QEMU wrote and the
# guest's facts, as target=qemu stores them (s0130); then a boot that misses
# a short boot-timeout: its error quotes the last boot phase the console
# showed; then a kill -9 of vmbench while the guest boots: libvirtd destroys
# the domain, the next vmbench releases the overlay and the seed from the
# journal. After each: no domain, overlay, seed or data disk left, the
# journal empty, the image unchanged. S0604_FIRMWARE=uefi (or "bios uefi")
# boots OVMF instead (or too): minutes more under TCG.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/libvirtd.sh
. "$(dirname "$0")/libvirtd.sh"
# shellcheck source=tests/e2e/lib_cloud.sh
. "$(dirname "$0")/lib_cloud.sh"

require root qemu qemu-img agent

cloud_image_ready
LIBVIRTD_LIFETIME=2400 libvirtd_start || skip_all "$LIBVIRTD_WHY"

W=$T/work
J=$VMBENCH_STATE/journal
FW=${S0604_FIRMWARE:-bios}

# this test's domains (the libvirtd may be another test's, with its own)
our_domains()
{
	libvirt_vmbench_domains | grep '^vmbench-lvcloud-' || true
}

# nothing of the variant is left: no domain, overlay, seed, data disk,
# journal record; the image unchanged
nothing_left()
{
	is "$(our_domains)" "" "$1: no domain of this test is left"
	is "$(find "$W" \( -name '*.qcow2' -o -name 'seed.iso' -o -name '*.raw' -o -name 'ovmf-vars.fd' \) 2>/dev/null)" \
		"" "$1: no overlay, seed, data disk or UEFI variables left"
	is "$(find "$J" -name '*.rec' 2>/dev/null | wc -l)" 0 "$1: the journal is empty"
	is "$(cloud_image_sum)" "$IMG_SUM" "$1: the image was not written"
}

plan()
{
	cat >"$T/plan.ini" <<INI
[experiment]
name = e2e-libvirt-cloud
repeat = 1

[variant lvcloud]
target = libvirt
guest = cloud
cloud-image = $IMG
firmware = $1
machine = q35
accel = tcg
mem = 1G
disk = file
format = raw
size = 64M
boot-timeout = $2
workdir = $W

[workload cpu]
max-prime = 2000
time = 2s
INI
}

for fw in $FW; do
	plan "$fw" 900s
	DB=$T/$fw.db
	t0=$(date +%s)
	vb_with_timeout 1200 run --db "$DB" "$T/plan.ini"
	is "$RC" 0 "$fw: the cloud guest boots under libvirt and runs cpu"
	[ "$RC" -eq 0 ] || diag "$ERR"
	diag "$fw: vmbench run took $(($(date +%s) - t0)) s"
	is "$(db_query "$DB" "select status from run")" ok "$fw: the run is stored"
	XML=$(db_query "$DB" "select qemu_argv from variant")
	unlike "$XML" "<kernel>" "$fw: no direct kernel boot in the stored XML"
	like "$XML" "<source file='$W/libvirt-lvcloud/vbroot.qcow2'/>" "$fw: the overlay is the root disk"
	like "$XML" "<boot order='1'/>" "$fw: boot order from the root disk"
	like "$XML" "<source file='$W/libvirt-lvcloud/seed.iso'/>" "$fw: the seed is attached"
	FACTS=$T/$fw.facts.json
	db_query "$DB" "select disk_info_json from variant limit 1" >"$FACTS"
	if json_true "$FACTS" '"phases" in d.get("boot", {})'; then
		cloud_facts_ok "$FACTS" "$fw"
		ok_if "$fw: the kernel's banner was read from libvirt's console file" json_true "$FACTS" \
			"isinstance(d['boot']['console_s']['kernel'], float)"
		ok_if "$fw: the agent phase is the create-to-hello time" json_true "$FACTS" \
			"abs(d['boot']['phases']['agent_s'] - d['boot']['create_to_agent_s']) < 0.5"
		like "$(json_eval "$FACTS" "[v['scheduler'] for v in d['guest_os']['disks'].values() if v['serial']=='vbdata']")" \
			"mq-deadline|none|bfq|kyber" "$fw: the data disk's I/O scheduler"
		is "$(json_eval "$FACTS" "d['cloud']['firmware']")" "$fw" "$fw: the firmware is stored"
		is "$(json_eval "$FACTS" "d['accel']")" "tcg" "$fw: under TCG"
		diag "$fw console: $(json_eval "$FACTS" "d['boot']['console_s']")"
	else
		not_ok "$fw: the variant's facts hold the boot phases" "$(head -c 400 "$FACTS")"
	fi
	nothing_left "$fw"
done

# a boot-timeout too short for the cloud guest: the error says how far the
# console got (tried twice: a timeout is a transient failure)
plan bios 30s
vb_with_timeout 300 run --db "$T/timeout.db" "$T/plan.ini"
ok_if "a missed boot-timeout fails the variant (rc $RC)" [ "$RC" -ne 0 ]
like "$ERR" "did not come up under libvirt \(qemu:///system, tcg\): no hello from the agent within the boot timeout; (the last boot phase seen on the console: (bootloader|kernel|userspace|cloud-init) at [0-9.]+ s|no boot phase reached the console)" \
	"the timeout names the last boot phase the console showed"
like "$ERR" "console tail \($W/libvirt-lvcloud/console.log\)" "and quotes the console's tail"
diag "$(grep -o 'no hello from the agent[^;]*;[^;]*' <<<"$ERR" | head -n 1)"
nothing_left "timeout"

# kill -9 of vmbench while the cloud guest boots: libvirtd destroys the
# domain (autodestroy); the overlay and the seed stay until the next
# vmbench command releases them from the journal, saying so
plan bios 900s
rm -f "$W/libvirt-lvcloud/console.log"
"$VMBENCH" run -q --db "$T/kill.db" "$T/plan.ini" >"$T/kill.out" 2>&1 &
VBPID=$!
_bg_pids="$_bg_pids $VBPID"
# shellcheck disable=SC2317 # called through wait_for
kernel_up() {
	grep -aq 'Linux version' "$W/libvirt-lvcloud/console.log" 2>/dev/null
}
wait_for 300 kernel_up
ok_if "kill -9: the guest's kernel started" kernel_up
kill -KILL "$VBPID"
wait "$VBPID" 2>/dev/null
# shellcheck disable=SC2317
no_domain() { [ -z "$(our_domains)" ]; }
wait_for 30 no_domain
ok_if "kill -9: libvirtd destroyed the domain (autodestroy)" no_domain
# shellcheck disable=SC2317
both_there() { [ -e "$W/libvirt-lvcloud/vbroot.qcow2" ] && [ -e "$W/libvirt-lvcloud/seed.iso" ]; }
ok_if "kill -9: the overlay and the seed are still there" both_there
vb list
like "$ERR" "released what vmbench pid $VBPID left \(killed\?\): removed the file '$W/libvirt-lvcloud/(vbroot.qcow2|seed.iso)'" \
	"kill -9: the next vmbench removes them, saying so"
nothing_left "kill -9"

done_testing
