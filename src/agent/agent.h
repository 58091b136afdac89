/* The agent's pieces shared by its two ways to start: as a program
 * (main.c: stdio or --port; as PID 1 outside the guest, under a reaper of
 * its own) and as the init of the built-in guest (init.c). Both end up in
 * agent_serve(). */
#ifndef VB_AGENT_AGENT_H
#define VB_AGENT_AGENT_H

#include <jansson.h>

/* Set by SIGINT/SIGTERM: the running workload stops early. */
extern volatile int agent_cancel;

/* Says hello on wfd (facts_collect() plus, when boot is non-NULL, boot
 * under facts.boot; the reference is taken), then serves run requests from
 * rfd until "bye" or the end of the stream. 0 on a clean end, 1 otherwise. */
int agent_serve(int rfd, int wfd, const char *workdir, json_t *boot);
/* The same with more facts: extra's members are added to the hello's facts
 * (the reference is taken; NULL: none). */
int agent_serve_facts(int rfd, int wfd, const char *workdir, json_t *boot, json_t *extra);
/* Opens /dev/vportNpM whose sysfs name is GUEST_PORT_NAME (init.c),
 * waiting up to wait_s for it; seen lists the ports found. The fd, or
 * -ETIMEDOUT, or -errno of the open. */
int agent_port_open(char *dev, size_t n, char *seen, size_t seen_n, double wait_s);
/* The agent in a cloud guest (cloudfacts.c): waits for port to appear and
 * for cloud-init to finish, configures the network of net (a spec as for
 * agent_net_config; NULL: none), says hello with the guest's facts (os)
 * and boot times, and serves. */
int agent_cloud_guest(const char *port, const char *workdir, const char *net);
/* The guest's network from a spec "ADDR/N[,mac=M][,mtu=M]" (the built-in
 * guest's vmbench.net=, the cloud agent's --net): the NIC with that MAC
 * gets the address over netlink (no DHCP client in either guest); with
 * udev_ms > 0 udev gets that long to process (rename) the NIC first. What
 * was done, or the error, for the hello's boot facts: {"spec", "ifname",
 * "config_s"[, "error"]}. A failure is not fatal (the workloads that need
 * no network still run); the host refuses the network runs with it. */
json_t *agent_net_config(const char *spec, int udev_ms);
/* Runs one workload with options "k=v,k=v" and prints its result message
 * as JSON on stdout (--once); 0 when it succeeded, 1 otherwise. */
int agent_run_once(const char *workload, const char *opts, const char *workdir);

/* The agent as the guest's init (PID 1, or forced with --init): mounts
 * /proc /sys /dev /tmp, loads the modules listed in /etc/vmbench/modules,
 * opens the virtio-serial port named GUEST_PORT_NAME and serves the host on
 * it. As PID 1 it never returns: it powers the VM off at the end and after
 * any fatal error (which it prints to the console first). The hello's
 * facts.boot holds what the guest knows of its boot, as CLOCK_BOOTTIME
 * seconds (the clock of /proc/uptime):
 *   {"init_start_s", "modules_done_s", "port_ready_s", "modules_loaded",
 *    "module_errors": ["name: why", ...], "port": "/dev/vportNpM", "cmdline"} */
int agent_init(void);
/* vmbench.scheduler=SERIAL:NAME on cmdline: sets the I/O scheduler of the
 * disk with that serial (sched.c). NULL without the parameter, else
 * {"serial","disk","want","active","available"[,"error"]}. */
json_t *agent_scheduler(const char *cmdline);

/* For an agent that is PID 1: 1 when it is the built-in guest's init (its
 * initramfs's /etc/vmbench/modules, and no sign of a container: the
 * container= variable, /run/.containerenv, /.dockerenv), 0 otherwise; why
 * gets the reason either way. */
int agent_is_guest(char *why, size_t n);
/* PID 1 outside the guest: forks; returns in the child, which goes on as a
 * normal agent (PID 2), while PID 1 reaps orphans, forwards SIGTERM, SIGINT,
 * SIGHUP and SIGQUIT to it and exits with its status (never returns). */
void agent_reaper(void);

#endif
