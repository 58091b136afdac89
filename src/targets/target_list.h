/* Every target, in the order `vmbench list` shows them. */
VB_TARGET(native)
VB_TARGET(container)
VB_TARGET(qemu)
VB_TARGET(libvirt)
VB_TARGET(ssh)
