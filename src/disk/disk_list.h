/* Every disk kind. disk_kind_names (after "none"), the backends' table and
 * the enum DISK_KIND_NAME in disk.h are all generated from this list. */
VB_DISK(file)
VB_DISK(blockdev)
VB_DISK(lvm)
