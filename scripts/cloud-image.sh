#!/bin/sh
# Builds the small Debian cloud image that vmbench's tests and examples boot
# as `guest = cloud`: bookworm from Debian's packages (mmdebstrap) with
# systemd, cloud-init and the cloud kernel, on an MBR disk with two
# partitions:
#   1  FAT, 64 MiB, type ef, active: syslinux (BIOS) and systemd-boot
#      (UEFI, \EFI\BOOT\BOOTX64.EFI), each with the kernel and initrd
#   2  ext4 labelled vmroot, made with `mkfs.ext4 -d` from the tree (no loop
#      device, no mount)
# converted to qcow2. cloud-init reads only NoCloud (the seed vmbench
# attaches); there is no password, no SSH server and no network config.
#
# Outputs (in $VMBENCH_CACHE, default /var/cache/vmbench, or --out DIR):
#   debian-bookworm-cloud.qcow2        the disk image
#   debian-bookworm-cloud.rootfs.tar   the same tree as a tar (LXC system
#                                      containers of `vmbench density` use it)
# Both are kept: a second call prints their paths and returns at once unless
# --force. Exit 3 with the reason when it cannot build here (not root, a
# tool missing, no mirror).
#
# usage: scripts/cloud-image.sh [--out DIR] [--force] [--size SIZE] [--mirror URL]
set -eu

out=${VMBENCH_CACHE:-/var/cache/vmbench}
force=0
size=2G
mirror=${VMBENCH_MIRROR:-}
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=$2; shift 2 ;;
	--force) force=1; shift ;;
	--size) size=$2; shift 2 ;;
	--mirror) mirror=$2; shift 2 ;;
	-h | --help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "cloud-image: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done

name=debian-bookworm-cloud
img=$out/$name.qcow2
tar=$out/$name.rootfs.tar

cannot() {
	echo "cloud-image: cannot build here: $*" >&2
	exit 3
}

if [ "$force" = 0 ] && [ -s "$img" ] && [ -s "$tar" ]; then
	echo "$img"
	echo "$tar"
	exit 0
fi

[ "$(id -u)" = 0 ] || cannot "mmdebstrap's root mode and the device nodes of the tree need root (run it as root)"
for t in mmdebstrap qemu-img mkfs.ext4 tar flock numfmt; do
	command -v "$t" >/dev/null 2>&1 || cannot "'$t' is not installed (apt-get install mmdebstrap qemu-utils e2fsprogs tar util-linux coreutils)"
done
# mkfs.ext4 -d copies a tree into the new filesystem (e2fsprogs 1.43 and later).
mkfs.ext4 2>&1 | grep -q -- '-d ' || cannot "this mkfs.ext4 has no -d (e2fsprogs 1.43 or later is needed)"

mkdir -p "$out/debs" || cannot "cannot create '$out'"
exec 9>"$out/.$name.lock"
flock 9
# Another build may have finished while we waited for the lock.
if [ "$force" = 0 ] && [ -s "$img" ] && [ -s "$tar" ]; then
	echo "$img"
	echo "$tar"
	exit 0
fi

work=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM HUP
root=$work/root

pkgs=systemd,systemd-sysv,udev,dbus,cloud-init,cloud-guest-utils,linux-image-cloud-amd64
pkgs=$pkgs,initramfs-tools,e2fsprogs,fdisk,kmod,procps,util-linux,mount
# Boot loaders, run from the tree on the FAT image (mtools: no mount).
pkgs=$pkgs,syslinux,syslinux-common,mtools,dosfstools,systemd-boot-efi

boot_mib=64
total=$(numfmt --from=iec "$size") || cannot "--size $size is not a size such as 2G"
boot_start=2048 # sectors: 1 MiB
root_start=$((boot_start + boot_mib * 2048))
root_bytes=$((total - root_start * 512))
[ "$root_bytes" -gt $((512 * 1024 * 1024)) ] || cannot "--size $size leaves under 512 MiB for the root filesystem"

# The boot partition and the disk's MBR, made inside the tree (its syslinux,
# mtools, dosfstools and sfdisk) by a customize hook, where mmdebstrap has
# mounted /proc and /dev for it; the results go to /vmboot.
cat >"$work/boot.sh" <<EOF
set -eu
kver=\$(ls /lib/modules | sort -V | tail -n 1)
cmdline="root=LABEL=vmroot ro console=ttyS0,115200 net.ifnames=0"
mkdir -p /vmboot
cd /vmboot
echo \$kver >kver
printf 'SERIAL 0 115200\nDEFAULT debian\nPROMPT 0\nTIMEOUT 0\nLABEL debian\n  LINUX /vmlinuz\n  INITRD /initrd.img\n  APPEND %s\n' "\$cmdline" >syslinux.cfg
printf 'default debian.conf\ntimeout 0\n' >loader.conf
printf 'title Debian GNU/Linux 12 (vmbench cloud image)\nlinux /vmlinuz\ninitrd /initrd.img\noptions %s\n' "\$cmdline" >debian.conf
truncate -s ${boot_mib}M boot.img
mkfs.vfat -F 32 -n VMBOOT boot.img >/dev/null
mcopy -i boot.img /boot/vmlinuz-\$kver ::/vmlinuz
mcopy -i boot.img /boot/initrd.img-\$kver ::/initrd.img
mcopy -i boot.img syslinux.cfg ::/syslinux.cfg
mmd -i boot.img ::/EFI ::/EFI/BOOT ::/loader ::/loader/entries
mcopy -i boot.img /usr/lib/systemd/boot/efi/systemd-bootx64.efi ::/EFI/BOOT/BOOTX64.EFI
mcopy -i boot.img loader.conf ::/loader/loader.conf
mcopy -i boot.img debian.conf ::/loader/entries/debian.conf
syslinux --install boot.img
# the whole disk (sparse): partition 1 active (syslinux's MBR code starts
# it; type ef: OVMF's ESP), partition 2 the root filesystem
truncate -s $total disk.raw
printf 'label: dos\nstart=$boot_start, size=$((boot_mib * 2048)), type=ef, bootable\nstart=$root_start, type=83\n' | sfdisk -q disk.raw
dd if=/usr/lib/syslinux/mbr/mbr.bin of=disk.raw bs=440 count=1 conv=notrunc status=none
EOF

start=$(date +%s)
echo "cloud-image: mmdebstrap bookworm into $root (the packages are cached in $out/debs)" >&2
# The hooks keep the downloaded packages in $out/debs between builds and
# empty the tree's own apt cache.
nice mmdebstrap --variant=apt --mode=root --include="$pkgs" \
	--skip=download/empty --skip=essential/unlink \
	--setup-hook="mkdir -p \"\$1\"/var/cache/apt/archives/" \
	--setup-hook="sync-in '$out/debs' /var/cache/apt/archives/" \
	--customize-hook="sync-out /var/cache/apt/archives '$out/debs'" \
	--customize-hook='rm -f "$1"/var/cache/apt/archives/*.deb' \
	--customize-hook="copy-in '$work/boot.sh' /tmp" \
	--customize-hook='chroot "$1" sh /tmp/boot.sh' \
	bookworm "$root" ${mirror:+"$mirror"} >&2 ||
	cannot "mmdebstrap failed (no network or mirror? set --mirror URL; or the boot partition: see above)"

kver=$(cat "$root/vmboot/kver")
[ -s "$root/boot/initrd.img-$kver" ] || cannot "no initrd for $kver"
mv "$root/vmboot" "$work/vmboot"
rm -f "$root/tmp/boot.sh"

echo "cloud-image: configuring the tree ($kver)" >&2
echo vmbench-cloud >"$root/etc/hostname"
printf 'LABEL=vmroot / ext4 defaults,noatime 0 1\n' >"$root/etc/fstab"
# Only the seed vmbench attaches: no probing of EC2, OpenStack... metadata
# servers, which would wait for a network the guest does not have.
cat >"$root/etc/cloud/cloud.cfg.d/90-vmbench.cfg" <<'EOF'
datasource_list: [ NoCloud, None ]
network: {config: disabled}
EOF
# Nothing in the guest waits for a network.
rm -f "$root/etc/systemd/system/"*.wants/systemd-networkd-wait-online.service
# e2fsprogs' reaper of LVM snapshots (there is no LVM here) held the boot
# for minutes on a loaded host under TCG: masked, as are its timer's runs.
ln -sf /dev/null "$root/etc/systemd/system/e2scrub_reap.service"
ln -sf /dev/null "$root/etc/systemd/system/e2scrub_all.timer"

echo "cloud-image: root filesystem (mkfs.ext4 -d) and the rootfs tar" >&2
tar -C "$root" --numeric-owner --xattrs -cf "$work/rootfs.tar" . ||
	cannot "tar of the tree failed"
nice mkfs.ext4 -q -L vmroot -d "$root" -E root_owner=0:0 "$work/root.img" $((root_bytes / 1024))k >&2 ||
	cannot "mkfs.ext4 -d failed"

raw=$work/vmboot/disk.raw
dd if="$work/vmboot/boot.img" of="$raw" bs=1M seek=1 conv=notrunc,sparse status=none
dd if="$work/root.img" of="$raw" bs=1M seek=$((root_start / 2048)) conv=notrunc,sparse status=none
nice qemu-img convert -f raw -O qcow2 "$raw" "$work/disk.qcow2" || cannot "qemu-img convert failed"

# Renames: a reader of the old files keeps them until it closes them.
mv -f "$work/disk.qcow2" "$img"
mv -f "$work/rootfs.tar" "$tar"
echo "cloud-image: built in $(($(date +%s) - start)) s: kernel $kver" >&2
echo "$img"
echo "$tar"
