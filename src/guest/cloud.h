/* The cloud guest (`guest = cloud`): a user's cloud image booted from a
 * qcow2 overlay, with a NoCloud seed that starts the agent.
 *
 * The seed is an ISO 9660 volume labelled "cidata" (written with
 * libarchive, Rock Ridge and Joliet) holding meta-data, user-data and the
 * static agent. The user-data copies the agent off the seed at cloud-init's
 * first stage (bootcmd) and starts it as a transient systemd unit on the
 * virtio-serial port GUEST_PORT_NAME (it says hello once cloud-init is
 * done): no
 * SSH, no password. With a test network (netdev=user|tap) the agent gives
 * the NIC with vmbench's MAC its address (--net), and the seed's
 * network-config keeps cloud-init from configuring any network.
 * cloud-init's own modules are cut to what a benchmark guest needs
 * (growing the root filesystem to the overlay's size, the hostname, the
 * final message on the console).
 *
 * The host side (overlay, seed, firmware, QEMU's arguments and the boot
 * phases) is src/qemu/cloud.c and argv_cloud.c; the agent's side (the facts
 * it reports from the guest) is src/agent/cloudfacts.c. */
#ifndef VB_GUEST_CLOUD_H
#define VB_GUEST_CLOUD_H

#include <stddef.h>

/* Where the agent goes in the guest and how the seed is found. */
#define CLOUD_SEED_LABEL "cidata"
#define CLOUD_SEED_MNT "/run/vmbench/seed"
#define CLOUD_AGENT_DIR "/var/lib/vmbench"
#define CLOUD_AGENT_BIN CLOUD_AGENT_DIR "/vmbench-agent"

/* Checks that path exists and is a disk image: a qcow2 file, or a raw
 * file or block device with an MBR or GPT partition table. Fills format
 * ("qcow2" or "raw") and returns 0, or a negative errno with a message that
 * names the file, what it is, and the fix. */
int cloud_image_check(const char *path, const char **format);

/* The meta-data and user-data vmbench writes for a variant (malloc'd);
 * net: the agent's --net spec (qemu_net_spec: "ADDR/N,mac=M[,mtu=M]"),
 * NULL or "" without a network. */
char *cloud_meta_data(const char *variant);
char *cloud_user_data(const char *workdir, const char *net);
/* The seed's network-config: cloud-init's own network configuration
 * disabled (the agent sets the address). */
const char *cloud_network_config(void);

/* Writes the seed ISO to out: meta-data, user-data and network-config for
 * variant, and the agent binary as vmbench-agent (mode 0755). */
int cloud_seed_write(const char *out, const char *variant, const char *workdir, const char *agent,
		     const char *net);

#endif
