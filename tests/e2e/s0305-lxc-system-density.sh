#!/usr/bin/env bash
# Slow (make check-slow): LXC system containers from the Debian root that
# scripts/lxc-rootfs.sh builds when it is missing (mmdebstrap: minutes; the
# test is skipped with the script's reason where it cannot build), then a
# density ramp of two of them with KSM off and on: the ramp names what an
# instance is, PSS per container falls from N=1 to N=2 (the second shares
# the root's page cache), KSM's settings are restored, nothing is left.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require root lxc-start mmdebstrap
CACHE=${VMBENCH_CACHE:-/var/cache/vmbench}
TAR=$CACHE/debian-bookworm-systemd.rootfs.tar
if [ ! -s "$TAR" ]; then
	timeout 1200 "$SRC_ROOT/scripts/lxc-rootfs.sh" "$TAR" >"$T/build.out" 2>"$T/build.err"
	rc=$?
	[ "$rc" = 3 ] && skip_all "$(tail -1 "$T/build.err")"
	is "$rc" 0 "scripts/lxc-rootfs.sh builds the Debian root"
fi
ok_if "the Debian root is there" [ -s "$TAR" ]

W=$T/work
mkdir -p "$W"
KSM_BEFORE=$(cat /sys/kernel/mm/ksm/run 2>/dev/null)
VB_TIMEOUT=900 vb density --db "$T/d.db" --format json -t container \
	-T "runtime=lxc,rootfs=debian,workdir=$W,launch-timeout=300s" \
	--count 2 --ksm both -s first=2,settle-timeout=20s,ksm-timeout=60s
is "$RC" 0 "a density ramp of 2 LXC system containers, KSM off and on, exits 0"
printf '%s\n' "$OUT" >"$T/d.json"
R="d['density']['ramps']"
ok_if "each ramp says what an instance is" \
	json_true "$T/d.json" "all('LXC system container' in r['instance'] for r in $R)"
ok_if "PSS per container falls from N=1 to N=2 (the root's pages are shared)" \
	json_true "$T/d.json" "all(r['steps'][1]['pss_mib'] / 2 < r['steps'][0]['pss_mib'] for r in $R)"
diag "PSS MiB at N=1, 2: $(json_eval "$T/d.json" "[[s['pss_mib'] for s in r['steps']] for r in $R]")"
is "$(cat /sys/kernel/mm/ksm/run 2>/dev/null)" "$KSM_BEFORE" "KSM's run setting is as before"
is "$(ls -A "$VMBENCH_STATE/lxc" 2>/dev/null)" "" "nothing is left in the lxcpath"
done_testing
