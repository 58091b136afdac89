/* The cloud guest's image check and NoCloud seed (cloud.h). */
#include "guest/cloud.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest/guest.h"
#include "util/err.h"

#define CLOUD_IMAGE_HINT                                                                           \
	"a cloud image is a qcow2 or raw disk such as debian-12-genericcloud-amd64.qcow2; "        \
	"scripts/cloud-image.sh builds a small one"

int cloud_image_check(const char *path, const char **format)
{
	struct stat st;
	unsigned char head[1024];
	*format = NULL;
	if (!path || !path[0])
		return vb_err(-EINVAL, "guest=cloud needs cloud-image=PATH (%s)", CLOUD_IMAGE_HINT);
	if (stat(path, &st) < 0)
		return vb_err(-errno, "cloud-image '%s': %s (%s)", path, strerror(errno),
			      CLOUD_IMAGE_HINT);
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return vb_err(-EINVAL, "cloud-image '%s' is not a file or a block device (%s)",
			      path, CLOUD_IMAGE_HINT);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vb_err(-errno, "cloud-image '%s': %s", path, strerror(errno));
	ssize_t n = pread(fd, head, sizeof(head), 0);
	int e = errno;
	close(fd);
	if (n < 0)
		return vb_err(-e, "cloud-image '%s': cannot read it: %s", path, strerror(e));
	if (n >= 4 && !memcmp(head, "QFI\xfb", 4)) {
		*format = "qcow2";
		return 0;
	}
	/* raw: a bootable disk starts with a partition table (an MBR's 55 AA,
	 * or a protective MBR followed by GPT's header) */
	int mbr = n >= 512 && head[510] == 0x55 && head[511] == 0xaa;
	int gpt = n >= 520 && !memcmp(head + 512, "EFI PART", 8);
	if (mbr || gpt) {
		*format = "raw";
		return 0;
	}
	return vb_err(-EINVAL,
		      "cloud-image '%s' is not a disk image: no qcow2 header and no MBR or GPT "
		      "partition table in its first sectors (%s)",
		      path, CLOUD_IMAGE_HINT);
}

char *cloud_meta_data(const char *variant)
{
	char *s = NULL;
	/* a new instance-id per variant: every boot starts from a fresh
	 * overlay anyway, so cloud-init runs its per-instance modules */
	if (asprintf(&s, "instance-id: vmbench-%s\nlocal-hostname: vmbench-%s\n", variant,
		     variant) < 0)
		return NULL;
	return s;
}

char *cloud_user_data(const char *workdir, const char *net)
{
	char *s = NULL, netarg[160] = "";
	/* the agent configures the NIC itself (--net), as the built-in guest's
	 * init does: see cloud_network_config() for why cloud-init does not */
	if (net && net[0])
		snprintf(netarg, sizeof(netarg), ", --net, '%s'", net);
	/* bootcmd runs in cloud-init's first stage, before its other modules:
	 * the agent is copied off the seed (to the root filesystem: Debian's
	 * initramfs mounts /run noexec) and started as a transient unit; it
	 * says hello only once cloud-init is done (src/agent/cloudfacts.c), so
	 * that the workloads do not share the guest with cloud-init. The module lists
	 * replace the image's: growpart and resizefs grow the root filesystem
	 * to the overlay's size, final_message prints "Cloud-init v. X
	 * finished" on the console (a boot phase). The agent's own words (its
	 * start, an error before its hello) go to the console too. */
	if (asprintf(&s,
		     "#cloud-config\n"
		     "# written by vmbench: starts vmbench-agent on the virtio-serial port %s\n"
		     "# (no SSH, no password; the agent sets the test network's address, if any)\n"
		     "cloud_init_modules: [seed_random, bootcmd, growpart, resizefs, "
		     "set_hostname, update_hostname]\n"
		     "cloud_config_modules: []\n"
		     "cloud_final_modules: [final_message]\n"
		     "bootcmd:\n"
		     "  - [sh, -c, 'modprobe virtio_console || true']\n"
		     "  - [sh, -c, 'mkdir -p %s %s %s && mount -o ro LABEL=%s %s && "
		     "cp %s/vmbench-agent %s && umount %s']\n"
		     "  - [systemd-run, --no-block, --unit=vmbench-agent, "
		     "--property=StandardOutput=journal+console, "
		     "--property=StandardError=journal+console, %s, --cloud-guest, "
		     "--workdir, %s%s, --port, /dev/virtio-ports/%s]\n",
		     GUEST_PORT_NAME, CLOUD_SEED_MNT, CLOUD_AGENT_DIR, workdir, CLOUD_SEED_LABEL,
		     CLOUD_SEED_MNT, CLOUD_SEED_MNT, CLOUD_AGENT_BIN, CLOUD_SEED_MNT,
		     CLOUD_AGENT_BIN, workdir, netarg, GUEST_PORT_NAME) < 0)
		return NULL;
	return s;
}

const char *cloud_network_config(void)
{
	/* NoCloud's network-config: cloud-init writes no network configuration
	 * at all (not even its fallback, DHCP on the first NIC), so the agent
	 * is the only one to touch the NIC. A v2 config with dhcp4: false
	 * would still be rendered by the image's own tool (ifupdown, netplan,
	 * networkd, sysconfig: each image differs), which brings the link up
	 * and down at a time of its own. cloud-init (22.4, NetworkConfigSource)
	 * honours "config: disabled" from any source it reads. */
	return "# written by vmbench: the agent configures the test network\n"
	       "config: disabled\n";
}

static int iso_fail(struct archive *a, const char *out, const char *what)
{
	const char *m = archive_error_string(a);
	return vb_err(-EIO, "cannot write %s to the seed '%s': %s", what, out,
		      m ? m : "unknown error");
}

static int iso_file(struct archive *a, const char *out, const char *name, mode_t mode,
		    const void *data, size_t len)
{
	struct archive_entry *e = archive_entry_new();
	if (!e)
		return vb_err(-ENOMEM, "out of memory");
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, mode);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_mtime(e, 0, 0);
	int r = 0;
	if (archive_write_header(a, e) != ARCHIVE_OK ||
	    (len && archive_write_data(a, data, len) != (la_ssize_t)len))
		r = iso_fail(a, out, name);
	archive_entry_free(e);
	return r;
}

int cloud_seed_write(const char *out, const char *variant, const char *workdir, const char *agent,
		     const char *net)
{
	unsigned char *bin = NULL;
	size_t binlen = 0;
	int r = guest_read_file(agent, &bin, &binlen);
	if (r < 0)
		return r;
	char *meta = cloud_meta_data(variant), *user = cloud_user_data(workdir, net);
	struct archive *a = archive_write_new();
	if (!meta || !user || !a) {
		r = vb_err(-ENOMEM, "out of memory");
		goto out;
	}
	/* the volume label is what NoCloud looks for; Rock Ridge (strict:
	 * the modes as given) keeps the agent executable and the names' case,
	 * Joliet the names for other readers */
	if (archive_write_set_format_iso9660(a) != ARCHIVE_OK ||
	    archive_write_set_option(a, "iso9660", "volume-id", CLOUD_SEED_LABEL) != ARCHIVE_OK ||
	    archive_write_set_option(a, "iso9660", "rockridge", "strict") != ARCHIVE_OK ||
	    archive_write_set_option(a, "iso9660", "joliet", "1") != ARCHIVE_OK ||
	    archive_write_set_option(a, "iso9660", "pad", NULL) != ARCHIVE_OK) {
		r = iso_fail(a, out, "the volume settings");
		goto out;
	}
	if (archive_write_open_filename(a, out) != ARCHIVE_OK) {
		r = vb_err(-EIO, "cannot create the seed '%s': %s", out,
			   archive_error_string(a) ? archive_error_string(a) : "unknown error");
		goto out;
	}
	if ((r = iso_file(a, out, "meta-data", 0644, meta, strlen(meta))) < 0 ||
	    (r = iso_file(a, out, "user-data", 0644, user, strlen(user))) < 0 ||
	    (r = iso_file(a, out, "network-config", 0644, cloud_network_config(),
			  strlen(cloud_network_config()))) < 0 ||
	    (r = iso_file(a, out, "vmbench-agent", 0755, bin, binlen)) < 0)
		goto out;
	if (archive_write_close(a) != ARCHIVE_OK)
		r = iso_fail(a, out, "the volume");
out:
	if (a)
		archive_write_free(a);
	free(meta);
	free(user);
	free(bin);
	if (r < 0)
		unlink(out);
	return r;
}
