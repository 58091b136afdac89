#!/usr/bin/env bash
# examples/image-vs-blockdev.ini end to end, made small (64 MiB disks, 2000
# blocks of dd, one repeat): the file variant makes its image, the block
# device variant copies it onto a loop device with bs=4M and stores the
# copy's MB/s, the guest's dd writes 8k O_DIRECT on both, every run has the
# host's %iowait as a time series, and nothing vmbench made is left. (Two
# TCG boots: make check-slow.)
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require root qemu qemu-img kernel agent loop

DB=$T/results.db
sed -e "s#/var/tmp/#$T/#g" -e 's/^size = 1G/size = 64M/' -e 's/^count = 102400/count = 2000/' \
	-e 's/^repeat = 3/repeat = 1/' -e 's/^boot-timeout = 300s/boot-timeout = 240s/' \
	"$SRC_ROOT/examples/image-vs-blockdev.ini" >"$T/ivb.ini"
VB_TIMEOUT=900 vb run -q --db "$DB" "$T/ivb.ini" --format json
is "$RC" 0 "the plan runs (exit 0)"
printf '%s\n' "$OUT" >"$T/out.json"
J=$T/out.json
is "$(json_eval "$J" '",".join(r["variant"] + ":" + r["status"] for r in d["runs"])')" \
	"file:ok,blockdev:ok" "dd ran on the image file and on the block device"
is "$(json_eval "$J" 'all(r["metrics"]["bytes"] == 2000 * 8192 for r in d["runs"])')" True \
	"dd wrote 2000 blocks of 8k in each guest"
COPY=$(db_query "$DB" "select json_extract(disk_info_json, '$.disk.info.copy.mb_per_s') from variant where name = 'blockdev'")
ok_if "the copy onto the loop device has its MB/s (${COPY:-none})" \
	py 'import sys; sys.exit(not float(sys.argv[1]) > 0)' "${COPY:-0}"
like "$(db_query "$DB" "select disk_info_json from variant where name = 'blockdev'")" '"bs": ?4194304' \
	"the copy used bs=4M"
is "$(json_eval "$J" 'all(len(r["series"]["host_iowait_pct"]) >= 1 for r in d["runs"])')" True \
	"each run has the host's %iowait as a time series"
like "$(db_query "$DB" "select qemu_argv from variant where name = 'blockdev'")" \
	'driver=host_device,node-name=vbdisk-file,filename=/dev/loop[0-9]+' "QEMU opened the loop device"
is "$(find "$T/vmbench-ivb" -name 'blockdev.img' -o -name 'vbdata.raw')" "" \
	"the image and the loop device's file are removed"
is "$(losetup -j "$T/vmbench-ivb/blockdev.img" 2>/dev/null)" "" "no loop device is left"
is "$(procs_with qemu-system-x86_64 "$T/vmbench-ivb")" "" "no QEMU of this test is left"
done_testing
