# An sshd on a loopback port for the remote tests (sourced after lib.sh):
# target=ssh and target=libvirt over qemu+ssh:// reach "another host" that
# is this one.
#
#   . "$(dirname "$0")/sshd.sh"
#   sshd_start || skip_all "$SSHD_WHY"
#   vb run ... host=root@127.0.0.1:$SSHD_PORT identity=$SSHD_KEY
#
# Everything is the test's own: a host key and a client key generated in
# $T, a config that accepts only that key for root, and a wrapper `ssh` first
# in PATH that keeps the host key out of ~/.ssh/known_hosts (libvirt runs
# `ssh` itself for qemu+ssh://). The daemon is one of the test's background
# PIDs, stopped by lib.sh's cleanup.

SSHD_WHY=""
SSHD_PORT=""
SSHD_KEY=""

sshd_start()
{
	local sshd
	sshd=$(command -v sshd || echo /usr/sbin/sshd)
	[ -x "$sshd" ] || {
		SSHD_WHY="sshd is not installed (apt-get install openssh-server)"
		return 1
	}
	command -v ssh >/dev/null || {
		SSHD_WHY="ssh is not installed (apt-get install openssh-client)"
		return 1
	}
	[ "$(id -u)" = 0 ] || {
		SSHD_WHY="the loopback sshd logs in as root: needs root"
		return 1
	}
	local d=$T/sshd
	mkdir -p "$d" "$T/bin" && chmod 700 "$d"
	ssh-keygen -q -t ed25519 -N '' -f "$d/host_key" >/dev/null || return 1
	ssh-keygen -q -t ed25519 -N '' -f "$d/client_key" >/dev/null || return 1
	cp "$d/client_key.pub" "$d/authorized_keys"
	SSHD_KEY=$d/client_key
	# a free port: the kernel's choice, read back
	SSHD_PORT=$(py 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	cat >"$d/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $SSHD_PORT
HostKey $d/host_key
PidFile $d/sshd.pid
AuthorizedKeysFile $d/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
Subsystem sftp internal-sftp
EOF
	mkdir -p /run/sshd
	timeout -k 5 "${SSHD_LIFETIME:-1800}" "$sshd" -D -e -f "$d/sshd_config" >"$d/sshd.log" 2>&1 &
	_bg_pids="$_bg_pids $!"
	cat >"$T/bin/ssh" <<EOF
#!/bin/sh
exec /usr/bin/ssh -o UserKnownHostsFile=$d/known_hosts -o StrictHostKeyChecking=no -o LogLevel=ERROR "\$@"
EOF
	chmod +x "$T/bin/ssh"
	export PATH="$T/bin:$PATH"
	local i
	for i in $(seq 1 40); do
		if ssh -o BatchMode=yes -o ConnectTimeout=5 -i "$SSHD_KEY" -p "$SSHD_PORT" root@127.0.0.1 true 2>/dev/null; then
			return 0
		fi
		sleep 0.25
	done
	SSHD_WHY="the loopback sshd does not accept its key: $(tail -3 "$d/sshd.log" | tr '\n' ' ')"
	return 1
}

# ssh_plan NAME REMOTE_DIR: a plan (on stdout) whose one variant, far, is
# target=ssh to this sshd, with a 1 s cpu and a 1 s fileio workload.
ssh_plan()
{
	cat <<INI
[experiment]
name = $1
repeat = 1

[variant far]
target = ssh
host = root@127.0.0.1:$SSHD_PORT
identity = $SSHD_KEY
verify-host-key = off
workdir = $T/far-work
remote-dir = $2

[workload cpu]
type = cpu
time = 1s

[workload fio]
type = fileio
file-total-size = 8M
file-num = 2
mode = rndrw
time = 1s
INI
}
