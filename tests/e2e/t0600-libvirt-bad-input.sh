#!/usr/bin/env bash
# target=libvirt and target=ssh refuse what cannot work, in seconds, with
# the fix: a libvirtd that is not running, a qemu+ssh:// host that cannot be
# reached, knobs libvirt cannot express, a remote host without the space
# for the guest (and nothing staged is left there), a bad host=. The dry run
# prints the domain XML and starts nothing.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require agent

plan()
{
	cat >"$T/plan.ini" <<INI
[experiment]
name = e2e-libvirt-bad
repeat = 1

[variant v]
target = ${TARGET:-libvirt}
workdir = $T/work
$*

[workload cpu]
type = cpu
time = 1s
INI
}

plan "uri = qemu:///system?socket=$T/no-such-dir/libvirt-sock"
t0=$SECONDS
vb run -q --db "$T/db" "$T/plan.ini"
ok_if "no libvirtd: the run fails (rc $RC)" [ "$RC" -ne 0 ]
like "$ERR" "cannot connect to 'qemu:///system\?socket=.*libvirtd is not running: start it" \
	"no libvirtd: the error names the URI and says to start libvirtd"
ok_if "no libvirtd: said within 20 s ($((SECONDS - t0)) s)" [ $((SECONDS - t0)) -lt 20 ]

plan "uri = qemu+ssh://root@127.0.0.1:1/system?no_tty=1"
t0=$SECONDS
vb run -q --db "$T/db" "$T/plan.ini"
ok_if "unreachable host: the run fails (rc $RC)" [ "$RC" -ne 0 ]
like "$ERR" "cannot connect to 'qemu\+ssh://root@127.0.0.1:1/system.*(refused|reachable)" \
	"unreachable host: the error names the URI and ssh's reason"
ok_if "unreachable host: said within 30 s ($((SECONDS - t0)) s)" [ $((SECONDS - t0)) -lt 30 ]

plan "machine = microvm"
vb run -q --db "$T/db" "$T/plan.ini"
like "$ERR" "machine=microvm cannot be expressed as a libvirt domain.*use machine=q35 or pc" \
	"machine=microvm is refused with the way out"
plan "netdev = user"
vb run -q --db "$T/db" "$T/plan.ini"
like "$ERR" "netdev=user is not rendered to libvirt XML yet" "a network knob is refused, not dropped"

# guest=cloud: a dry run prints the cloud guest's steps and its XML, and
# on a qemu+ssh:// host what is staged there
printf 'QFI\373' >"$T/cloud.qcow2" # a qcow2's magic: the dry run reads no more
plan "uri = qemu+ssh://root@127.0.0.1:1/system?no_tty=1
guest = cloud
cloud-image = $T/cloud.qcow2"
vb run --dry-run --db "$T/db" "$T/plan.ini"
is "$RC" 0 "the dry run of a remote libvirt cloud variant exits 0"
like "$OUT" "^# stage the cloud image, the overlay \(rebased there onto it\), the seed on root@127.0.0.1:1:" \
	"remote cloud dry run: the image, overlay and seed are staged"
plan "guest = cloud
cloud-image = $T/cloud.qcow2
firmware = uefi"
vb run --dry-run --db "$T/db" "$T/plan.ini"
is "$RC" 0 "the dry run of a libvirt cloud variant exits 0"
like "$OUT" "^qemu-img create -f qcow2 -b $T/cloud.qcow2 -F qcow2 $T/work/libvirt-v/vbroot.qcow2 4G" \
	"cloud dry run: the overlay's command"
like "$OUT" "^# seed: ISO 9660 'cidata' at $T/work/libvirt-v/seed.iso" "cloud dry run: the seed"
like "$OUT" "<source file='$T/work/libvirt-v/vbroot.qcow2'/>" "cloud dry run: the overlay is the root disk"
like "$OUT" "<loader readonly='yes' secure='no' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>" \
	"cloud dry run: OVMF for firmware=uefi"
unlike "$OUT" "<kernel>" "cloud dry run: no direct kernel boot"
ok_if "cloud dry run: nothing is made" [ ! -e "$T/work/libvirt-v" ]

plan "machine = pc
smp = 2
disk = file
cache = none
aio = io_uring"
vb run --dry-run --db "$T/db" "$T/plan.ini"
is "$RC" 0 "the dry run of a libvirt variant exits 0"
like "$OUT" "<driver name='qemu' type='raw' cache='none' io='io_uring'/>" "the dry run prints the domain XML"
like "$OUT" "virDomainCreateXML\(AUTODESTROY\)" "and how it is started"

TARGET=ssh plan "host = not a host"
vb run -q --db "$T/db" "$T/plan.ini"
like "$ERR" "host='not a host' is not USER@HOST" "target=ssh: a bad host= is named"

# a remote host (this one over a loopback sshd) without the space for the
# guest: refused before anything is copied, and the staged directory is gone
. "$(dirname "$0")/libvirtd.sh"
. "$(dirname "$0")/sshd.sh"
if ! have root; then
	skip "remote host without space" "$(why_not root)"
elif ! libvirtd_start; then
	skip "remote host without space" "$LIBVIRTD_WHY"
elif ! sshd_start; then
	skip "remote host without space" "$SSHD_WHY"
elif ! mkdir -p "$T/tiny" || ! mount -t tmpfs -o size=1m vbtiny "$T/tiny"; then
	skip "remote host without space" "cannot mount a small tmpfs"
else
	plan "uri = qemu+ssh://root@127.0.0.1:$SSHD_PORT/system?keyfile=$SSHD_KEY&no_tty=1
remote-dir = $T/tiny/stage
accel = tcg"
	t0=$SECONDS
	VB_TIMEOUT=200 vb run -q --db "$T/db" "$T/plan.ini"
	ok_if "remote host without space: the run fails (rc $RC)" [ "$RC" -ne 0 ]
	like "$ERR" "the remote host root@127.0.0.1:$SSHD_PORT has 1 MiB free in '$T/tiny/stage.*', the variant needs [0-9]+ MiB" \
		"remote host without space: the error names the host, the free space and the need"
	is "$(ls -A "$T/tiny/stage" 2>/dev/null)" "" "nothing staged is left on the remote host"
	is "$(ls "$T/state/journal" 2>/dev/null | wc -l)" 0 "the journal holds no record"
	umount "$T/tiny"
fi
done_testing
