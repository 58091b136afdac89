# Helpers of the e2e tests that boot the cloud image (guest=cloud), sourced
# after lib.sh.
#
#   cloud_image_ready     # sets IMG (built with scripts/cloud-image.sh when it
#                         # is not cached; skips the file when it cannot be
#                         # built here) and IMG_SUM (size and mtime)
#   ...
#   is "$(cloud_image_sum)" "$IMG_SUM" "the image was not written"
#   cloud_variant "netdev = tap"   # a plan's [variant cloud] section booting $IMG

cloud_image_sum()
{
	stat -c '%s %Y' "$IMG"
}

cloud_image_ready()
{
	local cache=${VMBENCH_CACHE:-/var/cache/vmbench} brc
	IMG=$cache/debian-bookworm-cloud.qcow2
	if [ ! -s "$IMG" ]; then
		timeout 1500 nice "$SRC_ROOT/scripts/cloud-image.sh" >"$T/build.log" 2>&1
		brc=$?
		if [ "$brc" -eq 3 ]; then
			skip_all "the cloud image cannot be built here: $(tail -n 1 "$T/build.log")"
		fi
		is "$brc" 0 "scripts/cloud-image.sh builds the image"
	fi
	ok_if "the image exists" [ -s "$IMG" ]
	IMG_SUM=$(cloud_image_sum)
}

# cloud_facts_ok FACTS [WHAT]: the variant's facts (JSON file) hold the boot
# phases, measured and in order, and the guest's distro, kernel, cloud-init
# version and its root disk's I/O scheduler (WHAT prefixes the checks).
cloud_facts_ok()
{
	local f=$1 w=${2:+$2: } p
	for p in kernel_s userspace_s cloud_init_s agent_s; do
		ok_if "${w}phase $p measured" json_true "$f" "isinstance(d['boot']['phases']['$p'], float)"
	done
	ok_if "${w}phases in order" json_true "$f" \
		"d['boot']['phases']['kernel_s'] < d['boot']['phases']['userspace_s'] < d['boot']['phases']['cloud_init_s'] < d['boot']['phases']['agent_s']"
	like "$(json_eval "$f" "d['guest_os']['distro']")" "Debian GNU/Linux 12" "${w}the guest's distro"
	like "$(json_eval "$f" "d['guest_os']['cloud_init']")" "^2[0-9]\." "${w}cloud-init's version"
	like "$(json_eval "$f" "d['guest_os']['kernel']")" "cloud-amd64" "${w}the guest's kernel"
	like "$(json_eval "$f" "[v['scheduler'] for v in d['guest_os']['disks'].values() if v['serial']=='vbroot']")" \
		"mq-deadline|none|bfq|kyber" "${w}the root disk's I/O scheduler"
	diag "${w}phases: $(json_eval "$f" "d['boot']['phases']")"
}

# cloud_variant [LINE...]: a plan's [variant cloud] section that boots $IMG
# under TCG (q35, 1G) with workdir $W, then each LINE ("netdev = tap").
cloud_variant()
{
	printf '[variant cloud]\ntarget = qemu\nguest = cloud\ncloud-image = %s\n' "$IMG"
	printf 'machine = q35\naccel = tcg\nmem = 1G\nworkdir = %s\n' "$W"
	printf '%s\n' "$@"
}
