#!/bin/sh
# Installs what vmbench needs to build, test (QEMU guests, containers, the
# HTML report in Chromium) and compare itself with its peers on Debian 12.
# Installs only what is missing; needs root (or sudo).
set -eu
PKGS="build-essential pkg-config git python3
libsqlite3-dev libjansson-dev liburing-dev libaio-dev libgsl-dev libcmocka-dev
libarchive-dev liblzma-dev libzstd-dev zlib1g-dev libhttp-parser-dev
qemu-system-x86 qemu-utils linux-image-amd64 e2fsprogs lvm2
crun podman catatonit chromium
fio sysbench clang libclang-rt-dev iperf3 wrk nginx-light
libmnl-dev libnl-3-dev libnl-route-3-dev
libvirt-dev libvirt-daemon-system libvirt-clients docker.io lxc
mmdebstrap ovmf openssh-server openssh-client
debhelper dpkg-dev fakeroot bash-completion man-db groff-base"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "deps: everything is installed"
	exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "deps: installing$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
