#!/usr/bin/env bash
# vmbench disk create|copy|info|remove: a dry run prints the commands and
# makes nothing; invalid combinations are usage errors naming the fix; real
# qcow2 images and an overlay chain (qemu-img); a block copy with its MB/s;
# the root device and a mounted device are refused; lvm says why it cannot
# work here and still shows its commands; a loop device comes and goes
# (root); doctor reports every disk kind.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

VB_TIMEOUT=30
# Only what this test made: loop devices on files under $T, a mount under $T.
disk_cleanup()
{
	local l
	mountpoint -q "$T/mnt" 2>/dev/null && umount "$T/mnt"
	for l in /sys/block/loop*/loop/backing_file; do
		[ -r "$l" ] || continue
		case $(cat "$l" 2>/dev/null) in
		"$T"/*) l=${l#/sys/block/}; losetup -d "/dev/${l%%/*}" 2>/dev/null ;;
		esac
	done
}
trap 'disk_cleanup; _cleanup' EXIT

# usage_error WHAT REGEX ARGS...: exit 2 with one message naming the problem
usage_error()
{
	local what=$1 re=$2
	shift 2
	vb "$@"
	is "$RC" 2 "$what: exits 2"
	like "$ERR" "^vmbench: error: .*$re" "$what: the message names the fix"
}

# --- help ------------------------------------------------------------------
vb disk -h
is "$RC" 0 "disk -h exits 0"
like "$OUT" 'disk create .*disk copy SRC DEST|vmbench disk copy SRC DEST' "disk -h shows copy"
for o in preallocation cluster-size extended-l2 backing loop pv copy-bs; do
	like "$OUT" "^  $o " "disk -h lists the plan key $o"
done
for sub in "" create copy info remove; do
	vb disk $sub --help
	is "$RC" 0 "disk $sub --help exits 0"
	like "$OUT" '^usage: vmbench disk' "disk $sub --help prints the usage on stdout"
done
vb disk
is "$RC" 2 "disk without a command exits 2"
vb disk frobnicate
is "$RC" 2 "an unknown disk command exits 2"
like "$ERR" "unknown disk command 'frobnicate'" "and names it"
vb disk create --no-such-flag
is "$RC" 2 "an unknown option of disk create exits 2"
like "$ERR" 'no-such-flag' "and names it"
vb disk create --set bogus=1
is "$RC" 2 "an unknown disk option exits 2"
like "$ERR" "unknown option 'bogus'" "and names it"

# --- dry run ---------------------------------------------------------------
vb disk create --dry-run --set disk=file,format=qcow2,size=1G,preallocation=metadata,image="$T/a.qcow2"
is "$RC" 0 "create --dry-run exits 0"
is "$(printf '%s\n' "$OUT" | head -1)" "qemu-img create -f qcow2 -o preallocation=metadata $T/a.qcow2 1G" \
	"create --dry-run prints the qemu-img command line"
ok_if "create --dry-run makes no image" [ ! -e "$T/a.qcow2" ]

vb disk create --dry-run --format qcow2 --cluster-size 2M --extended-l2 --image "$T/x.qcow2" --size 4G
like "$OUT" "^qemu-img create -f qcow2 -o cluster_size=2M,extended_l2=on $T/x.qcow2 4G\$" \
	"direct flags (--cluster-size 2M --extended-l2) are the plan keys"

# --- invalid combinations --------------------------------------------------
usage_error "raw with cluster-size" "cluster-size is a qcow2 option; set format=qcow2" \
	disk create --set format=raw,cluster-size=64k,image="$T/r.img"
usage_error "falloc on an overlay" "preallocation=falloc with a backing file needs extended-l2=on" \
	disk create --set format=qcow2,backing="$T/base.qcow2",preallocation=falloc,image="$T/o.qcow2"
usage_error "extended-l2 with 4k clusters" "needs a cluster-size of at least 16k" \
	disk create --set format=qcow2,cluster-size=4k,extended-l2=on,image="$T/e.qcow2"
usage_error "size not a multiple of 512" "not a multiple of 512 bytes; use e.g. size=" \
	disk create --set size=1048577,image="$T/s.img"
usage_error "blockdev without a device" "needs device=/dev/X" disk create --set disk=blockdev
ok_if "refused combinations made no file" [ -z "$(ls "$T" | grep -v '^default.db')" ]

# --- real images -----------------------------------------------------------
if have qemu-img; then
	vb disk create --set disk=file,format=qcow2,size=1G,preallocation=metadata,image="$T/a.qcow2"
	is "$RC" 0 "create a qcow2 image exits 0"
	like "$OUT" "^created $T/a.qcow2 \(file, qcow2, 1G\) in [0-9.]+ s\$" "create says what it made"
	vb disk info "$T/a.qcow2"
	printf '%s\n' "$OUT" >"$T/a.json"
	ok_if "info: the image is qcow2 of 1G" \
		json_true "$T/a.json" "d['format'] == 'qcow2' and d['qemu_img_info'][0]['virtual-size'] == 1 << 30"
	vb disk create --format qcow2 --backing "$T/a.qcow2" --image "$T/b.qcow2"
	is "$RC" 0 "an overlay on it"
	vb disk create --json --format qcow2 --backing "$T/b.qcow2" --image "$T/c.qcow2"
	printf '%s\n' "$OUT" >"$T/c.json"
	ok_if "create --json: provenance with the command line and the time" \
		json_true "$T/c.json" "any(c.startswith('qemu-img create -f qcow2 -b $T/b.qcow2 -F qcow2') for c in d['commands']) and d['provision_s'] > 0"
	vb disk info "$T/c.qcow2"
	printf '%s\n' "$OUT" >"$T/c-info.json"
	ok_if "info: a backing chain 3 deep, ending at the base" \
		json_true "$T/c-info.json" "d['chain_depth'] == 3 and d['qemu_img_info'][2]['filename'] == '$T/a.qcow2'"
	before=$(stat -c %Y.%s "$T/c.qcow2")
	vb disk create --format qcow2 --image "$T/c.qcow2"
	is "$RC" 1 "create onto an existing file exits 1"
	like "$ERR" "'$T/c.qcow2' already exists" "and says it exists"
	is "$(stat -c %Y.%s "$T/c.qcow2")" "$before" "and leaves it alone"
	for f in c b a; do
		vb disk remove "$T/$f.qcow2"
		is "$RC" 0 "remove $f.qcow2"
	done
	ok_if "remove removed the images" test ! -e "$T/a.qcow2" -a ! -e "$T/b.qcow2" -a ! -e "$T/c.qcow2"
else
	skip "real images" "$(why_not qemu-img)"
fi

# --- block copy ------------------------------------------------------------
head -c 3145828 /dev/urandom >"$T/src.bin"
vb disk copy "$T/src.bin" "$T/dst.bin" --bs 1M --no-direct
is "$RC" 0 "copy file to file exits 0"
like "$OUT" '^3145828 bytes \(3\.1 MB, 3\.0 MiB\) copied, [0-9.]+ s, [0-9.]+ MB/s$' "copy prints bytes and MB/s like dd"
ok_if "the copy is identical" cmp -s "$T/src.bin" "$T/dst.bin"
vb disk copy "$T/src.bin" "$T/dst2.bin" --dry-run --bs 4M --direct
is "$OUT" "dd if=$T/src.bin of=$T/dst2.bin bs=4M oflag=direct conv=fsync" "copy --dry-run prints the dd equivalent"
ok_if "copy --dry-run copies nothing" [ ! -e "$T/dst2.bin" ]

ROOTDEV=$(py '
import os
for l in open("/proc/self/mountinfo"):
    f = l.split()
    if f[4] == "/":
        mm = f[2]
for l in open("/sys/dev/block/%s/uevent" % mm):
    if l.startswith("DEVNAME="):
        print("/dev/" + l.strip()[8:])
' 2>/dev/null)
if [ -n "$ROOTDEV" ] && [ -b "$ROOTDEV" ]; then
	# a dry run: even a broken check could not write onto the root device
	vb disk copy "$T/src.bin" "$ROOTDEV" --dry-run
	is "$RC" 1 "copy onto the root device ($ROOTDEV) is refused"
	like "$ERR" "refusing to use '$ROOTDEV' for a block copy: .*root filesystem" "naming the device and why"
	is "$OUT" "" "and prints no command"
else
	skip "root device refusal" "the root filesystem is not on a block device here"
fi

# --- lvm -------------------------------------------------------------------
vb disk create --dry-run --set disk=lvm,vg=vbe2e,lv=data,size=2G,source="$T/src.bin" --pv /dev/vbe2e-a,/dev/vbe2e-b
is "$RC" 0 "lvm create --dry-run exits 0"
is "$OUT" "pvcreate -y --wipesignatures y /dev/vbe2e-a /dev/vbe2e-b
vgcreate -y vbe2e /dev/vbe2e-a /dev/vbe2e-b
lvcreate -y --wipesignatures y -L 2147483648b -n data vbe2e
dd if=$T/src.bin of=/dev/vbe2e/data bs=4M oflag=direct conv=fsync" "lvm create --dry-run prints pvcreate, vgcreate, lvcreate and the copy"
vb disk remove --dry-run --set disk=lvm,vg=vbe2e,lv=data --pv /dev/vbe2e-a,/dev/vbe2e-b
is "$OUT" "lvremove -y vbe2e/data
vgremove -y vbe2e
pvremove -y /dev/vbe2e-a /dev/vbe2e-b" "lvm remove --dry-run undoes it in reverse"
if [ ! -e /dev/mapper/control ]; then
	vb disk create --set disk=lvm,vg=vbe2e,lv=data --pv /dev/vbe2e-a
	is "$RC" 1 "lvm create without device-mapper exits 1"
	like "$ERR" "disk=lvm is not usable here: no device-mapper on this host \(no /dev/mapper/control" \
		"and says there is no device-mapper"
else
	skip "lvm refusal" "this host has device-mapper"
fi

# --- doctor ----------------------------------------------------------------
vb doctor
like "$OUT" '^  (ok|no) +qemu-img ' "doctor reports qemu-img"
for k in file blockdev lvm; do
	like "$OUT" "^  (ok|no) +disk $k +$k: " "doctor reports disk kind $k"
done
[ -e /dev/mapper/control ] ||
	like "$OUT" '^  no +disk lvm +lvm: no device-mapper on this host \(no /dev/mapper/control' \
		"doctor says why lvm is unavailable"

# --- a loop device (root) --------------------------------------------------
if ! have root || ! have loop; then
	skip "loop device" "$(why_not root)$(why_not loop)"
	done_testing
fi
truncate -s 64M "$T/loop.img"
vb disk create --set disk=blockdev,loop="$T/loop.img"
is "$RC" 0 "create a loop device exits 0"
DEV=$(printf '%s\n' "$OUT" | sed -n 's/^attached \(\/dev\/loop[0-9]*\) to .*/\1/p')
like "$DEV" '^/dev/loop[0-9]+$' "create says which loop device"
if [ -n "$DEV" ]; then
	like "$(losetup -a)" "^$DEV: .*\($T/loop.img\)" "losetup lists it"
	vb disk info "$DEV"
	printf '%s\n' "$OUT" >"$T/dev.json"
	ok_if "info: size and loop backing file" \
		json_true "$T/dev.json" "d['size'] == 64 << 20 and d['loop']['backing_file'] == '$T/loop.img' and d['logical_block_size'] >= 512"
	vb disk copy "$T/src.bin" "$DEV" --bs 1M --direct
	is "$RC" 0 "copy onto the loop device exits 0"
	like "$OUT" ' MB/s$' "and reports MB/s"
	ok_if "the device holds the source" cmp -s -n 3145828 "$T/src.bin" "$DEV"
	if command -v mkfs.ext4 >/dev/null && mkfs.ext4 -q -F "$DEV" && mkdir -p "$T/mnt" &&
		mount "$DEV" "$T/mnt"; then
		vb disk copy "$T/src.bin" "$DEV"
		is "$RC" 1 "copy onto a mounted device is refused"
		like "$ERR" "refusing to use '$DEV' for a block copy: it is mounted on '$T/mnt'" \
			"naming the device and the mount point"
		vb disk remove "$DEV"
		is "$RC" 1 "remove of a mounted loop device is refused"
		umount "$T/mnt"
	else
		skip "mounted device refusal" "cannot make and mount ext4 here"
	fi
	vb disk remove "$DEV"
	is "$RC" 0 "remove detaches it"
	unlike "$(losetup -a)" "\($T/loop.img\)" "losetup no longer lists it"
	ok_if "the loop file stays (it was not made by vmbench)" [ -f "$T/loop.img" ]
fi
done_testing
