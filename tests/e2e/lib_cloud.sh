# Helpers of the e2e tests that boot the cloud image (guest=cloud), sourced
# after lib.sh.
#
#   cloud_image_ready     # sets IMG (built with scripts/cloud-image.sh when it
#                         # is not cached; skips the file when it cannot be
#                         # built here) and IMG_SUM (size and mtime)
#   ...
#   is "$(cloud_image_sum)" "$IMG_SUM" "the image was not written"

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
