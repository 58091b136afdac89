/* Every disk kind, in the order of disk_kind_names after "none" (and of
 * DISK_FILE, DISK_BLOCKDEV, ... in disk.h). */
VB_DISK(file)
VB_DISK(blockdev)
VB_DISK(lvm)
