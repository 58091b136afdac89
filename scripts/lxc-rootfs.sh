#!/bin/sh
# Builds the Debian root that LXC system containers boot with
# `runtime = lxc, rootfs = debian`: bookworm from Debian's packages
# (mmdebstrap, --variant=apt) with systemd as init and dbus, nothing else; no
# network configuration, no password, no SSH server. vmbench runs it the
# first time rootfs=debian is asked for; it takes a few minutes and about
# 200 MB.
#
# Output: the tar given as the argument (default
# ${VMBENCH_CACHE:-/var/cache/vmbench}/debian-bookworm-systemd.rootfs.tar),
# written under a temporary name and renamed, so that a reader never sees a
# partial tar. The packages are kept in DIR/debs between builds.
# Exit 3 with the reason when it cannot build here (not root, mmdebstrap
# missing, no mirror).
#
# usage: scripts/lxc-rootfs.sh [TAR]       ($VMBENCH_MIRROR: a Debian mirror URL)
set -eu

cache=${VMBENCH_CACHE:-/var/cache/vmbench}
tar=${1:-$cache/debian-bookworm-systemd.rootfs.tar}
mirror=${VMBENCH_MIRROR:-}
case $tar in -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac

cannot() {
	echo "lxc-rootfs: cannot build here: $*" >&2
	exit 3
}
[ "$(id -u)" = 0 ] || cannot "mmdebstrap's root mode needs root"
command -v mmdebstrap >/dev/null 2>&1 || cannot "mmdebstrap is not installed (apt-get install mmdebstrap)"

dir=$(dirname "$tar")
mkdir -p "$dir/debs" || cannot "cannot create '$dir'"
exec 9>"$dir/.lxc-rootfs-build.lock"
flock 9
[ -s "$tar" ] && { echo "$tar"; exit 0; } # built while we waited

work=$(mktemp -d "$dir/.lxc-build.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM HUP
echo "lxc-rootfs: mmdebstrap bookworm (systemd) into $work/root" >&2
# shellcheck disable=SC2016 # the hooks expand $1 in mmdebstrap's shell
nice mmdebstrap --variant=apt --mode=root --include=systemd,systemd-sysv,dbus,procps \
	--skip=download/empty \
	--setup-hook="mkdir -p \"\$1\"/var/cache/apt/archives/" \
	--setup-hook="sync-in '$dir/debs' /var/cache/apt/archives/" \
	--customize-hook="sync-out /var/cache/apt/archives '$dir/debs'" \
	--customize-hook='rm -f "$1"/var/cache/apt/archives/*.deb' \
	--customize-hook='echo vmbench-lxc >"$1/etc/hostname"' \
	--customize-hook='rm -f "$1"/etc/systemd/system/*.wants/systemd-networkd-wait-online.service' \
	bookworm "$work/root" ${mirror:+"$mirror"} >&2 ||
	cannot "mmdebstrap failed (no network or mirror? set VMBENCH_MIRROR)"
tar -C "$work/root" --numeric-owner --xattrs -cf "$work/rootfs.tar" . || cannot "tar of the tree failed"
mv "$work/rootfs.tar" "$tar"
echo "$tar"
