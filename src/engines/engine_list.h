/* Every engine blkio can use. */
VB_ENGINE(psync)
VB_ENGINE(libaio)
VB_ENGINE(io_uring)
