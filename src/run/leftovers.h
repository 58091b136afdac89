/* Releasing what killed vmbench processes left (util/journal.h has the
 * records): every vmbench command starts with leftovers_release(), which
 * undoes each record of a process that is gone and prints one line per
 * thing released to stderr:
 *
 *   vmbench: released what vmbench pid 4242 left (killed?): removed the image file '/var/tmp/w/disk.raw'
 *
 * Kinds and their undo (what / undo in the record):
 *   file       a file vmbench made (image, loop file)   unlink
 *   dir        a directory tree (OCI bundle)             rm -rf
 *   mount      a private mount (hugetlbfs)               umount, rmdir
 *   hugepages  /proc/sys/vm/nr_hugepages / old value     write the old value back
 *   loop       /dev/loopN / its backing file             detach, if still bound to it
 *   cgroup     a cgroup directory                        rmdir, if no process is in it
 *   ksm        KSM's state file                          ksm_recover()
 *   remote     a directory on another host / ssh dest    rm -rf over ssh (src/remote/ssh.c)
 *   docker-ctr / docker-image  a Docker container / image, the engine in undo
 *                                                       docker rm -f / rmi -f
 *                                                       (kept while the engine is down)
 * A record whose resource is already gone is dropped without a line. */
#ifndef VB_CORE_LEFTOVERS_H
#define VB_CORE_LEFTOVERS_H

#include <stddef.h>

#include "util/journal.h"

/* Sweeps the journal; returns how many records were settled (0 if none), or
 * -errno when the journal cannot be read (then it warns). */
int leftovers_release(void);

/* Undoes one record: 1 when it released something (said in said), 0 when
 * nothing was left to release, < 0 when it could not (said says why). */
int leftovers_undo(const struct journal_rec *r, char *said, size_t n);

#endif
