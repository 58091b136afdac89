#!/usr/bin/env bash
# guest=cloud through target=libvirt on "another host" over qemu+ssh://
# (this machine through a loopback sshd, tests/e2e/sshd.sh, and the test's
# libvirtd): the cloud image, the overlay (rebased there onto the staged
# image) and the seed are copied to remote-dir after its free space is
# checked, the guest boots from them (SeaBIOS, TCG), cpu runs, the phases
# come from the guest's clock (the console is on the remote host), and the
# staged files are removed after; the image itself is never written. One
# TCG boot of the cloud image: slow.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/e2e/libvirtd.sh
. "$(dirname "$0")/libvirtd.sh"
# shellcheck source=tests/e2e/sshd.sh
. "$(dirname "$0")/sshd.sh"
# shellcheck source=tests/e2e/lib_cloud.sh
. "$(dirname "$0")/lib_cloud.sh"

require root qemu qemu-img agent
cloud_image_ready
LIBVIRTD_LIFETIME=2400 libvirtd_start || skip_all "$LIBVIRTD_WHY"
sshd_start || skip_all "$SSHD_WHY"

DB=$T/results.db
RD=$T/remote
W=$T/work
URI="qemu+ssh://root@127.0.0.1:$SSHD_PORT/system?keyfile=$SSHD_KEY&no_tty=1&no_verify=1"
cat >"$T/plan.ini" <<INI
[experiment]
name = e2e-libvirt-cloud-remote
repeat = 1

[variant far]
target = libvirt
uri = $URI
guest = cloud
cloud-image = $IMG
accel = tcg
mem = 1G
boot-timeout = 900s
workdir = $W
remote-dir = $RD

[workload cpu]
max-prime = 2000
time = 2s
INI

t0=$(date +%s)
vb_with_timeout 1200 run -q --db "$DB" "$T/plan.ini"
is "$RC" 0 "a cloud variant on a qemu+ssh:// host runs (exit 0)"
[ "$RC" -eq 0 ] || diag "$ERR"
diag "vmbench run took $(($(date +%s) - t0)) s"
is "$(db_query "$DB" "select status from run")" ok "the run is stored"
XML=$(db_query "$DB" "select qemu_argv from variant")
like "$XML" "<source file='$RD/far-[0-9]+/vbroot.qcow2'/>" "the domain boots the staged overlay"
like "$XML" "<source file='$RD/far-[0-9]+/seed.iso'/>" "with the staged seed"
FACTS=$T/facts.json
db_query "$DB" "select disk_info_json from variant limit 1" >"$FACTS"
like "$(json_eval "$FACTS" "d['remote']['host']")" "root@127.0.0.1:$SSHD_PORT" "the facts name the remote host"
# the console is on the remote host: the guest's clock, placed by the hello
cloud_facts_ok "$FACTS" "remote"
ok_if "no console marks from a remote console" json_true "$FACTS" "d['boot']['phases']['firmware_s'] is None"
is "$(ls -A "$RD" 2>/dev/null)" "" "the staged image, overlay and seed are removed from the remote host"
is "$(libvirt_vmbench_domains | grep '^vmbench-far-' || true)" "" "no domain is left"
is "$(find "$W" \( -name '*.qcow2' -o -name 'seed.iso' \) 2>/dev/null)" "" "nothing is left here either"
is "$(find "$VMBENCH_STATE/journal" -name '*.rec' 2>/dev/null | wc -l)" 0 "the journal is empty"
is "$(cloud_image_sum)" "$IMG_SUM" "the image was not written"
done_testing
