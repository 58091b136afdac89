/* hugepages=on: enough default-size huge pages reserved in the kernel's pool
 * (vm.nr_hugepages raised only by what is missing, the old value restored
 * afterwards) and a private hugetlbfs mount for QEMU's memory backend. Both
 * are in the journal (util/journal.h) while they exist, so that the next
 * vmbench command undoes them if this one is killed with SIGKILL. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qemu/qemu.h"
#include "telemetry/meminfo.h"
#include "util/err.h"
#include "util/hostio.h"
#include "util/journal.h"
#include "util/units.h"

#define NR_HUGEPAGES "/proc/sys/vm/nr_hugepages"

static long read_long(const char *path)
{
	long long v;
	return hostio_read_ll(path, &v) < 0 ? -1 : (long)v;
}

static long meminfo_long(const char *key)
{
	int64_t v;
	return meminfo_value(key, &v) == 0 ? (long)v : -1;
}

int qemu_hugepages_setup(struct qemu_hugepages *h, uint64_t bytes, const char *dir)
{
	memset(h, 0, sizeof(*h));
	h->saved_nr = -1;
	uint64_t hp = qemu_hugepage_size();
	if (!hp)
		return vb_err(-ENOTSUP, "hugepages=on: this kernel offers no huge pages");
	long need = (long)((bytes + hp - 1) / hp);
	long nr = read_long(NR_HUGEPAGES), free_pages = meminfo_long("HugePages_Free");
	if (nr < 0 || free_pages < 0)
		return vb_err(-EIO, "hugepages=on: cannot read %s or HugePages_Free", NR_HUGEPAGES);
	char hps[32];
	units_fmt_size(hp, hps, sizeof(hps));
	if (free_pages < need) {
		char old[24], want[24];
		snprintf(old, sizeof(old), "%ld", nr);
		snprintf(want, sizeof(want), "%ld", nr + (need - free_pages));
		/* a SIGKILLed vmbench cannot lower it back: the next one does */
		journal_add("hugepages", NR_HUGEPAGES, old, h->journal_nr);
		int r = hostio_write_line(NR_HUGEPAGES, want);
		if (r < 0) {
			journal_done(h->journal_nr);
			return vb_err(
			    r, "hugepages=on: cannot reserve %ld huge pages of %s in %s: %s%s",
			    need - free_pages, hps, NR_HUGEPAGES, strerror(-r),
			    r == -EACCES || r == -EPERM ? " (needs root)" : "");
		}
		h->saved_nr = nr;
		h->active = 1;
		long got = meminfo_long("HugePages_Free");
		if (got < need) {
			qemu_hugepages_release(h);
			return vb_err(-ENOMEM,
				      "hugepages=on: the kernel gave only %ld of the %ld free huge "
				      "pages of %s the guest needs (memory too fragmented or too "
				      "little free memory)",
				      got < 0 ? 0 : got, need, hps);
		}
	}
	h->active = 1;
	snprintf(h->mnt, sizeof(h->mnt), "%s/hugetlbfs.XXXXXX", dir);
	if (!mkdtemp(h->mnt)) {
		int e = errno;
		h->mnt[0] = '\0';
		qemu_hugepages_release(h);
		return vb_err(-e, "cannot create a directory in '%s': %s", dir, strerror(e));
	}
	journal_add("mount", h->mnt, NULL, h->journal_mnt);
	char data[64];
	snprintf(data, sizeof(data), "pagesize=%" PRIu64, hp);
	if (mount("vmbench-hugetlbfs", h->mnt, "hugetlbfs", MS_NOSUID | MS_NODEV, data) < 0) {
		int e = errno;
		rmdir(h->mnt);
		h->mnt[0] = '\0';
		journal_done(h->journal_mnt);
		qemu_hugepages_release(h);
		return vb_err(-e, "hugepages=on: cannot mount hugetlbfs: %s%s", strerror(e),
			      e == EPERM ? " (needs root)" : "");
	}
	return 0;
}

void qemu_hugepages_release(struct qemu_hugepages *h)
{
	if (!h->active)
		return;
	if (h->mnt[0]) {
		if (umount2(h->mnt, 0) < 0 && umount2(h->mnt, MNT_DETACH) < 0)
			vb_warn("cannot unmount '%s': %s", h->mnt, strerror(errno));
		rmdir(h->mnt);
		h->mnt[0] = '\0';
	}
	journal_done(h->journal_mnt);
	if (h->saved_nr >= 0) {
		char old[24];
		snprintf(old, sizeof(old), "%ld", h->saved_nr);
		int r = hostio_write_line(NR_HUGEPAGES, old);
		if (r < 0)
			vb_warn("cannot restore %s to %ld: %s", NR_HUGEPAGES, h->saved_nr,
				strerror(-r));
		else
			journal_done(h->journal_nr);
		h->saved_nr = -1;
	}
	h->active = 0;
}
