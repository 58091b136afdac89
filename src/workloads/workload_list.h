/* Every workload, in the order `vmbench list` shows them. */
VB_WORKLOAD(cpu)
VB_WORKLOAD(memory)
VB_WORKLOAD(fileio)
VB_WORKLOAD(dd)
VB_WORKLOAD(blkio)
VB_WORKLOAD(net)
VB_WORKLOAD(http)
