#!/usr/bin/env bash
# The built-in guest: `vmbench guest build` (and its cache), then a real boot
# under TCG by hand (-M microvm through the PVH entry, as docs/guest.md
# shows): the agent as PID 1 says hello on the virtio-serial port with its
# boot timing, runs cpu, finds a virtio-blk disk by its serial (dd on
# serial:vbtest), and powers the VM off on bye.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

for h in -h --help; do
	vb guest $h
	is "$RC" 0 "vmbench guest $h exits 0"
	like "$OUT" '^usage: vmbench guest build' "vmbench guest $h prints its usage on stdout"
done
vb guest build --kernel "$T/no-such-kernel" --cache "$T/cache"
is "$RC" 1 "a missing kernel is a failure"
like "$ERR" "no-such-kernel" "the missing kernel is named"

require qemu kernel agent
export VMBENCH_AGENT=$VMBENCH_AGENT_BIN

MODS=virtio_mmio,virtio_console,virtio_blk
vb guest build --kernel "$KERNEL" --modules "$MODS" --cache "$T/cache"
is "$RC" 0 "guest build exits 0"
like "$OUT" '^pvh +yes' "the kernel was unpacked to a vmlinux with a PVH entry"
like "$OUT" '^modules +[0-9]+: .*virtio_ring.*virtio_mmio' "dependencies come with the modules"
like "$OUT" '\(built in' "the first build builds"
VMLINUX=$(printf '%s\n' "$OUT" | sed -n 's/^kernel *\([^ ]*\) .*/\1/p')
INITRD=$(printf '%s\n' "$OUT" | sed -n 's/^initrd *\([^ ]*\) .*/\1/p')
ok_if "the vmlinux and the initrd exist" test -s "$VMLINUX" -a -s "$INITRD"
vb guest build --kernel "$KERNEL" --modules "$MODS" --cache "$T/cache"
like "$OUT" 'from the cache' "the same inputs come from the cache"
if [ ! -s "$VMLINUX" ] || [ ! -s "$INITRD" ]; then
	skip_all "the guest was not built"
fi

# Under TCG, microvm needs the TSC frequency or it hangs now and then.
KHZ=$(awk -F: '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)
APPEND="console=ttyS0 panic=-1 quiet${KHZ:+ tsc_early_khz=$KHZ}"
SOCK=$T/agent.sock
truncate -s 16M "$T/disk.img"
VB_TIMEOUT=120 bg_start "$T/qemu.out" "$T/qemu.err" qemu-system-x86_64 \
	-M microvm,x-option-roms=off,isa-serial=on,rtc=on -accel tcg -m 256M -smp 1 \
	-no-reboot -nodefaults -nographic \
	-kernel "$VMLINUX" -initrd "$INITRD" -append "$APPEND" \
	-serial "file:$T/console.log" \
	-device virtio-serial-device \
	-chardev "socket,id=agent,path=$SOCK,server=on,wait=off" \
	-device virtserialport,chardev=agent,name=org.vmbench.agent \
	-drive "if=none,id=d0,file=$T/disk.img,format=raw" \
	-device virtio-blk-device,drive=d0,serial=vbtest
QPID=$BG_PID

# The host side of the protocol: hello, two runs, bye; one JSON line per
# message received, into $T/msgs.
cat >"$T/client.py" <<'PY'
import json, os, socket, sys, time
sock, out = sys.argv[1], sys.argv[2]
t0 = time.monotonic()
s = None
while time.monotonic() - t0 < 90:
    try:
        s = socket.socket(socket.AF_UNIX)
        s.connect(sock)
        break
    except OSError:
        s = None
        time.sleep(0.05)
if s is None:
    sys.exit("cannot connect to " + sock)
s.settimeout(90)
f = s.makefile("rwb")
msgs = open(out, "w")
def recv():
    line = f.readline()
    if not line:
        sys.exit("the guest closed the port")
    msgs.write(line.decode())
    msgs.flush()
def send(m):
    f.write((json.dumps(m) + "\n").encode())
    f.flush()
recv()
send({"type": "run", "id": 1, "workload": "cpu", "options": {"time": "1s"}})
recv()
send({"type": "run", "id": 2, "workload": "dd",
      "options": {"filename": "serial:vbtest", "mode": "read", "bs": "64k", "count": "64"}})
recv()
send({"type": "bye"})
time.sleep(0.5)
PY
timeout -k 2 100 "$PYTHON" "$T/client.py" "$SOCK" "$T/msgs" 2>"$T/client.err"
is "$?" 0 "the host side talked to the agent$( [ -s "$T/client.err" ] && echo ": $(tail -1 "$T/client.err")")"
sed -n 1p "$T/msgs" >"$T/hello.json"
sed -n 2p "$T/msgs" >"$T/cpu.json"
sed -n 3p "$T/msgs" >"$T/dd.json"
H=$T/hello.json
is "$(json_eval "$H" 'd["type"]')" hello "the guest's agent says hello first"
is "$(json_eval "$H" 'd["facts"]["kernel"]')" "${KERNEL#/boot/vmlinuz-}" "it runs the chosen kernel"
ok_if "facts.boot: init started, then the port was ready" \
	json_true "$H" '0 < d["facts"]["boot"]["init_start_s"] <= d["facts"]["boot"]["modules_done_s"] <= d["facts"]["boot"]["port_ready_s"]'
ok_if "facts.boot: every module loaded" \
	json_true "$H" 'd["facts"]["boot"]["modules_loaded"] >= 4 and d["facts"]["boot"]["module_errors"] == []'
like "$(json_eval "$H" 'd["facts"]["boot"]["port"]')" '^/dev/vport[0-9]+p[0-9]+$' "the agent found its port"
is "$(json_eval "$T/cpu.json" '(d["id"], d["status"])')" '[1, "ok"]' "cpu runs in the guest"
ok_if "cpu in the guest reports events_per_s" json_true "$T/cpu.json" 'd["metrics"]["events_per_s"]["value"] > 0'
is "$(json_eval "$T/dd.json" '(d["id"], d["status"], d["error"])')" '[2, "ok", null]' \
	"dd reads the disk found by serial:vbtest"
ok_if "dd read 64 x 64k" json_true "$T/dd.json" 'd["metrics"]["mb_per_s"]["value"] > 0'

# shellcheck disable=SC2317 # called through wait_for
qemu_gone()
{
	! kill -0 "$QPID" 2>/dev/null
}
if wait_for 30 qemu_gone; then
	wait "$QPID" 2>/dev/null
	is "$?" 0 "bye: the guest powers off and QEMU exits 0"
else
	not_ok "bye: QEMU exits within 30 s" "$(tail -5 "$T/console.log" 2>/dev/null)"
fi
unlike "$(cat "$T/console.log" 2>/dev/null)" 'Kernel panic|Attempted to kill init' \
	"no kernel panic on the console"
unlike "$(cat "$T/console.log" 2>/dev/null)" 'vmbench-agent' "the agent printed nothing on the console"

done_testing
