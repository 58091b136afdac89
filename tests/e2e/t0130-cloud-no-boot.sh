#!/usr/bin/env bash
# guest=cloud without booting a guest (the boot itself: s0130): bad input
# (an image that does not exist, a file that is not a disk image, microvm),
# the dry run, and a "QEMU" that prints a boot's first console lines and
# never starts the agent: the boot timeout names the last phase the console
# showed, and the overlay, the seed and UEFI's variables vmbench made are
# gone afterwards, as after a kill -9 of vmbench (the next command releases
# them from the journal). The fake QEMU keeps a copy of the seed and of the
# overlay's qemu-img info, so the test reads back what vmbench attached:
# the 'cidata' volume, its user-data and the agent, the overlay on the image.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require qemu-img agent

W=$T/work
J=$VMBENCH_STATE/journal
BASE=$T/base.qcow2
qemu-img create -q -f qcow2 "$BASE" 64M
SUM0=$(md5sum <"$BASE")

# cloud SET...: the ad-hoc variant of a cloud guest with extra target options
cloud()
{
	local set="guest=cloud,machine=q35,accel=tcg,mem=256M,workdir=$W$1"
	shift
	vb run -q --db "$T/db" -t qemu -T "$set" -w cpu --set time=1s "$@"
}

# --- bad input ---------------------------------------------------------------
cloud ",cloud-image=$T/missing.qcow2"
is "$RC" 1 "a missing image: the run fails"
like "$ERR" "cloud-image '$T/missing.qcow2': No such file or directory" "a missing image is named"
like "$ERR" "scripts/cloud-image.sh builds a small one" "and the fix is said"

head -c 4096 /dev/urandom | base64 >"$T/notes.txt"
cloud ",cloud-image=$T/notes.txt"
is "$RC" 1 "a text file: the run fails"
like "$ERR" "cloud-image '$T/notes.txt' is not a disk image: no qcow2 header and no MBR or GPT" \
	"a file that is not a disk image is refused"

vb run -q --db "$T/db" -t qemu -T "guest=cloud,cloud-image=$BASE,workdir=$W" -w cpu --set time=1s
ok_if "microvm with guest=cloud: refused (exit $RC)" [ "$RC" -ne 0 ]
like "$ERR" "guest=cloud needs machine=q35 or machine=pc" "microvm: the reason"

cloud ",cloud-image=$BASE" --dry-run
is "$RC" 0 "dry run"
like "$OUT" "qemu-img create -f qcow2 -b $BASE -F qcow2 $W/qemu-qemu/vbroot.qcow2 4G" \
	"dry run: the overlay on the image, grown to root-size"
like "$OUT" "seed: ISO 9660 'cidata'" "dry run: the seed"
like "$OUT" "bootindex=1" "dry run: the root disk boots"
unlike "$OUT" " -kernel " "dry run: no -kernel (the image's own boot loader)"
ok_if "dry run: nothing made" [ ! -e "$W/qemu-qemu/vbroot.qcow2" ]

# --- a boot that stops before the agent --------------------------------------
FAKE=$T/bin
mkdir -p "$FAKE"
cat >"$FAKE/qemu-system-x86_64" <<EOF
#!/bin/sh
# keeps what vmbench attached, prints a boot's first lines, hangs
dir=$W/qemu-qemu
cp "\$dir/seed.iso" "$T/seen-seed.iso"
[ -e "\$dir/ovmf-vars.fd" ] && cp "\$dir/ovmf-vars.fd" "$T/seen-vars.fd"
qemu-img info --output=json -U "\$dir/vbroot.qcow2" >"$T/seen-root.json"
echo "\$*" >"$T/seen-argv"
echo \$\$ >"$T/fake.pid"
printf 'SYSLINUX 6.04 EDD 20191223 Copyright (C) 1994-2014 H. Peter Anvin et al\n' >>"\$dir/console.log"
printf '[    0.000000] Linux version 6.1.0-57-cloud-amd64\n' >>"\$dir/console.log"
exec sleep 60
EOF
chmod +x "$FAKE/qemu-system-x86_64"

PATH=$FAKE:$PATH cloud ",cloud-image=$BASE,firmware=uefi,root-size=1G,boot-timeout=4s"
is "$RC" 1 "a guest that never starts the agent: the run fails"
like "$ERR" "the agent did not say hello within 4s" "the boot timeout"
like "$ERR" "the last boot phase seen on the console: kernel at" "the last phase reached is said"
ok_if "the overlay is removed" [ ! -e "$W/qemu-qemu/vbroot.qcow2" ]
ok_if "the seed is removed" [ ! -e "$W/qemu-qemu/seed.iso" ]
ok_if "UEFI's variables are removed" [ ! -e "$W/qemu-qemu/ovmf-vars.fd" ]
is "$(find "$J" -name '*.rec' 2>/dev/null | wc -l)" 0 "the journal is empty"
is "$(md5sum <"$BASE")" "$SUM0" "the image is unchanged"

# what QEMU was given
like "$(cat "$T/seen-argv" 2>/dev/null)" "if=pflash,format=raw,unit=0,readonly=on" "UEFI: OVMF's code read-only"
ok_if "UEFI: the variables were a copy of OVMF's" cmp -s "$T/seen-vars.fd" /usr/share/OVMF/OVMF_VARS_4M.fd
is "$(json_eval "$T/seen-root.json" 'd.get("backing-filename")')" "$BASE" "the overlay's backing file is the image"
is "$(json_eval "$T/seen-root.json" 'd["virtual-size"]')" 1073741824 "the overlay has root-size"
if command -v isoinfo >/dev/null 2>&1; then
	like "$(isoinfo -d -i "$T/seen-seed.iso" 2>/dev/null)" "Volume id: CIDATA" "the seed's volume is cidata"
	like "$(isoinfo -R -x /user-data -i "$T/seen-seed.iso" 2>/dev/null)" \
		"systemd-run, --no-block, --unit=vmbench-agent" "the seed's user-data starts the agent"
	isoinfo -R -x /vmbench-agent -i "$T/seen-seed.iso" >"$T/seen-agent" 2>/dev/null
	ok_if "the seed carries this agent" cmp -s "$T/seen-agent" "$VMBENCH_AGENT_BIN"
else
	skip "the seed's contents" "isoinfo is not installed (apt-get install genisoimage)"
fi

# --- kill -9 of vmbench during the boot ---------------------------------------
PATH=$FAKE:$PATH bg_start "$T/k.out" "$T/k.err" "$VMBENCH" run -q --db "$T/db" -t qemu \
	-T "guest=cloud,machine=q35,accel=tcg,mem=256M,workdir=$W,cloud-image=$BASE,boot-timeout=60s" \
	-w cpu --set time=1s
TPID=$BG_PID
# shellcheck disable=SC2317 # called through wait_for
booting() { [ -s "$W/qemu-qemu/console.log" ]; }
wait_for 30 booting
VPID=$(proc_children "$TPID")
ok_if "the overlay exists while booting" [ -e "$W/qemu-qemu/vbroot.qcow2" ]
[ -n "$VPID" ] && kill -9 "$VPID"
FPID=$(cat "$T/fake.pid" 2>/dev/null)
# shellcheck disable=SC2317
gone() { ! kill -0 "$FPID" 2>/dev/null; }
wait_for 10 gone
ok_if "the fake QEMU died with vmbench" gone
vb doctor
like "$ERR$OUT" "removed the file '$W/qemu-qemu/vbroot.qcow2'" "the next command removes the overlay"
like "$ERR$OUT" "removed the file '$W/qemu-qemu/seed.iso'" "and the seed"
ok_if "no overlay left" [ ! -e "$W/qemu-qemu/vbroot.qcow2" ]
is "$(find "$J" -name '*.rec' 2>/dev/null | wc -l)" 0 "the journal is empty"

done_testing
