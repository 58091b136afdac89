#!/usr/bin/env bash
# Every plan in examples/ is a plan that runs: `vmbench run --dry-run` reads,
# expands and checks it and prints every command it would run, without running
# one. Each example is checked for its variants, its run count and the knobs
# its scenario is about, as they reach QEMU, qemu-img or the block copy.
# (vmbench density has no --dry-run: its variant's command line is built by
# `vmbench run --dry-run` instead.) Host paths are moved under the test's
# directory, since a dry run refuses an image that exists.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

EX=$SRC_ROOT/examples
n=0
for plan in "$EX"/*.ini; do
	name=$(basename "$plan" .ini)
	n=$((n + 1))
	if grep -q '^\[density\]' "$plan"; then
		# a density plan: its [variant] runs through `vmbench run` too
		vb run --dry-run -t qemu -T "$(sed -n 's/^\(accel\|mem\) *= *\(.*\)/\1=\2/p' "$plan" |
			paste -sd,)" -w cpu --set time=1s
		is "$RC" 0 "$name: its variant's QEMU command line builds"
		continue
	fi
	# host paths moved into $T: a dry run refuses an image that already exists
	sed "s#/var/tmp/#$T/#g" "$plan" >"$T/$name.ini"
	vb run --dry-run "$T/$name.ini"
	is "$RC" 0 "$name: run --dry-run exits 0"
	like "$OUT" '^[0-9]+ runs \(\+[0-9]+ warmup each\)' "$name: the runs are listed"
	# every [variant] section (or its expansions) has a line
	for v in $(sed -n 's/^\[variant \([^]]*\)\]/\1/p' "$plan"); do
		like "$OUT" "^variant $v(-[^:]*)?: " "$name: variant $v is shown"
	done
	if grep -q '^target *= *qemu' "$plan"; then
		like "$OUT" '^(ip netns exec vb-[^ ]+ )?(taskset -c [0-9,-]+ )?qemu-system-x86_64 ' "$name: the QEMU command line is shown"
	fi
	if grep -q '^aa *= *on' "$plan"; then
		like "$OUT" '^variant [^ ]*-aa: ' "$name: aa=on adds the baseline's A/A twin"
	fi
	case $name in
	storage-tuning)
		is "$(grep -c '^qemu-system' <<<"$OUT")" 17 "$name: 16 variants and the A/A twin"
		like "$OUT" '-object iothread,id=vbio0 -device virtio-scsi-pci,id=vbscsi,iothread=vbio0' \
			"$name: an IOThread on virtio-scsi"
		like "$OUT" 'aio=io_uring,cache.direct=off' "$name: io_uring with cache=writeback"
		;;
	storage-qcow2)
		like "$OUT" 'qemu-img create -f qcow2 -o cluster_size=2M,preallocation=metadata' \
			"$name: 2M clusters, metadata preallocated"
		like "$OUT" 'driver=qcow2,[^ ]*l2-cache-size=65536' "$name: a 64k L2 cache"
		;;
	storage-bus)
		for dev in virtio-blk-pci virtio-scsi-pci nvme ide-hd; do
			like "$OUT" "-device $dev," "$name: bus $dev"
		done
		like "$OUT" '^taskset -c 1 qemu-system' "$name: the pinned variant runs under taskset"
		;;
	storage-prealloc)
		for m in off falloc full; do
			like "$OUT" "variant raw-preallocation$m: " "$name: raw, preallocation=$m"
		done
		like "$OUT" 'qemu-img create -f qcow2 -o preallocation=metadata ' \
			"$name: qcow2 with its metadata preallocated"
		like "$OUT" '^ *[0-9]+\. raw-preallocationoff / write #1' "$name: the dd write runs"
		;;
	storage-scheduler)
		for sc in none mq-deadline kyber bfq; do
			like "$OUT" "vmbench.scheduler=vbdata:$sc'" "$name: scheduler $sc on the kernel command line"
		done
		like "$OUT" 'modules [^ ]*kyber-iosched' "$name: kyber's module goes into the guest"
		;;
	image-vs-blockdev)
		like "$OUT" "dd if=$T/vmbench-ivb/qemu-file/vbdata.raw of=/dev/loopN bs=4M oflag=direct" \
			"$name: the image is copied onto the loop device with bs=4M"
		like "$OUT" 'driver=host_device,[^ ]*filename=/dev/loopN' "$name: QEMU opens the device"
		# the LVM variant that device-mapper hosts run (commented out in the example)
		sed -e 's/^;L //' -e 's#/dev/SPARE#/dev/loop7#' "$T/$name.ini" >"$T/$name-lvm.ini"
		vb run --dry-run "$T/$name-lvm.ini"
		is "$RC" 0 "$name: the LVM variant dry-runs"
		like "$OUT" "dd if=$T/vmbench-ivb/qemu-file/vbdata.raw of=/dev/vbivb/vm bs=4M oflag=direct" \
			"$name: the image is copied onto the LV with bs=4M"
		like "$OUT" '^lvremove -y vbivb/vm' "$name: the LV is removed afterwards"
		;;
	seed-003-cloud)
		like "$OUT" '^36 runs' "$name: cpu, memory, fileio, net x 3 variants, 3 repeats"
		like "$OUT" '^ip netns exec vb-[0-9]+-cloud-c qemu-system-x86_64 .*-blockdev driver=raw,node-name=vbseed.* -netdev tap,id=vbnet0,ifname=vbtap0,.* -device virtio-net-pci,netdev=vbnet0,mac=52:54:00:76:62:01' \
			"$name: the cloud guest boots with its seed and a virtio-net NIC on the tap"
		like "$OUT" "network-config \\(disabled\\), .*the agent sets --net 10\\.77\\.0\\.2/24,mac=52:54:00:76:62:01" \
			"$name: the seed disables cloud-init's network, the agent sets the address"
		like "$OUT" 'net: server: the target.s agent .*vb-PID-cloud-c \(role=client -> 10\.77\.0\.2:5201' \
			"$name: net runs split into the cloud guest"
		like "$OUT" 'net: server: the target.s agent .*vb-PID-docker-c \(role=client -> 10\.77\.0\.2:5201' \
			"$name: net runs split into Docker's container too"
		;;
	esac
done
ok_if "the examples were found ($n)" [ "$n" -ge 6 ]
done_testing
