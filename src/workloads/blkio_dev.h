/* blkio's check of a block device before it writes to it (blkio_dev.c). */
#ifndef VB_WORKLOADS_BLKIO_DEV_H
#define VB_WORKLOADS_BLKIO_DEV_H

#include <stddef.h>
#include <sys/types.h>

/* A block device we may not write to: mounted (itself or a partition) or
 * held by device-mapper, md or LVM. Fills why and returns 1; else 0. */
int blkio_dev_busy(dev_t dev, char *why, size_t n);

#endif
