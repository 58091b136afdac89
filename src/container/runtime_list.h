/* Every container runtime, in the order of the runtime= option (its first,
 * builtin, is the default). See runtime.h for how to add one.
 *
 *   CT_RUNTIME(NAME)  implemented: const struct ct_runtime_ops ct_rt_NAME
 *                     in src/container/rt_NAME.c
 *   CT_PLANNED(NAME)  accepted by runtime= but not implemented yet: only
 *                     const char *ct_rt_NAME_probe(void) in a file of its
 *                     own, which says why it cannot be used here (none now) */
CT_RUNTIME(builtin)
CT_RUNTIME(crun)
CT_RUNTIME(podman)
CT_RUNTIME(docker)
CT_RUNTIME(lxc)
