# A private libvirtd for the e2e tests of target=libvirt (sourced after lib.sh).
#
#   . "$(dirname "$0")/libvirtd.sh"
#   libvirtd_start || skip_all "$LIBVIRTD_WHY"   # serves qemu:///system
#   ...
#   (stopped by lib.sh's cleanup: it is one of the test's background PIDs)
#
# The host's /etc/libvirt is never edited: libvirtd runs in its own mount
# namespace where a directory of the test ($T/libvirt-etc) is bind-mounted
# over /etc/libvirt, holding a qemu.conf that works in a container without
# KVM, systemd or device cgroups (QEMU as root, no security driver, no
# per-domain mount namespace, no cgroups, QEMU's stdio to a file instead of
# virtlogd) and no networks to autostart (no host interface is touched).
# Its sockets are the normal /run/libvirt ones, so vmbench reaches it as
# qemu:///system. An already running libvirtd is used as it is.

LIBVIRTD_WHY=""

libvirtd_running()
{
	timeout 10 virsh -c qemu:///system version >/dev/null 2>&1
}

libvirtd_start()
{
	command -v libvirtd >/dev/null || {
		LIBVIRTD_WHY="libvirtd is not installed (apt-get install libvirt-daemon-system)"
		return 1
	}
	command -v virsh >/dev/null || {
		LIBVIRTD_WHY="virsh is not installed (apt-get install libvirt-clients)"
		return 1
	}
	[ "$(id -u)" = 0 ] || {
		LIBVIRTD_WHY="starting libvirtd for qemu:///system needs root"
		return 1
	}
	if libvirtd_running; then
		diag "using the libvirtd already running"
		return 0
	fi
	local etc=$T/libvirt-etc
	mkdir -p "$etc/qemu/networks/autostart" "$etc/nwfilter" "$etc/hooks" "$etc/secrets"
	cat >"$etc/libvirtd.conf" <<EOF
unix_sock_group = "root"
unix_sock_rw_perms = "0700"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "3:file:$T/libvirtd.log"
EOF
	cat >"$etc/qemu.conf" <<'EOF'
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
namespaces = [ ]
stdio_handler = "file"
cgroup_controllers = [ ]
EOF
	: >"$etc/libvirt.conf"
	# timeout: a test killed before its cleanup still ends the daemon
	timeout -k 5 "${LIBVIRTD_LIFETIME:-1800}" unshare -m --propagation private \
		sh -c 'mount --bind "$1" /etc/libvirt && exec libvirtd --pid-file "$2"' \
		sh "$etc" "$T/libvirtd.pid" >"$T/libvirtd.out" 2>&1 &
	_bg_pids="$_bg_pids $!"
	LIBVIRTD_PID=$!
	local i
	for i in $(seq 1 60); do
		libvirtd_running && return 0
		kill -0 "$LIBVIRTD_PID" 2>/dev/null || break
		sleep 0.5
	done
	LIBVIRTD_WHY="libvirtd did not start: $(tail -3 "$T/libvirtd.out" "$T/libvirtd.log" 2>/dev/null | tr '\n' ' ')"
	return 1
}

# Domains named vmbench-* that libvirtd still runs (none after a clean exit).
libvirt_vmbench_domains()
{
	timeout 10 virsh -c qemu:///system list --all --name 2>/dev/null | grep '^vmbench-' || true
}
