#!/usr/bin/env bash
# runtime=lxc rootfs=debian: an LXC system container boots its systemd (PID 1
# of the container), whose unit starts the agent on the host's socket; a run
# works, and nothing is left after it. After kill -9 of vmbench the whole
# container (systemd and every service) dies with it and the next vmbench
# removes its directory. Needs the cached Debian root (vmbench doctor: "lxc
# system ... debian ready"); s0305 builds it when it is missing.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

require root lxc-start
"$VMBENCH" doctor 2>/dev/null | grep -q 'debian ready' ||
	skip_all "no cached Debian root (scripts/lxc-rootfs.sh makes it; s0305 runs it)"

W=$T/work
mkdir -p "$W"
LXCPATH=$VMBENCH_STATE/lxc
RT="runtime=lxc,rootfs=debian,workdir=$W,launch-timeout=120s,hostname=vb-e2e-sys"

# the parent of the agent below vmbench PID, and that parent's PID inside
# its namespace
# shellcheck disable=SC2317 # called through wait_for
agent_parent()
{
	local a pp
	for a in $(agents_below "$1"); do
		pp=$(proc_parent "$a")
		[ -n "$pp" ] || continue
		printf '%s %s %s\n' "$(cat "/proc/$pp/comm" 2>/dev/null)" \
			"$(awk '/^NSpid:/ {print $NF}' "/proc/$pp/status" 2>/dev/null)" "$pp"
	done
}
# shellcheck disable=SC2317 # called through wait_for
vmbench_started() { VPID=$(proc_children "$TPID"); [ -n "$VPID" ]; }
# shellcheck disable=SC2317
agent_up() { PARENT=$(agent_parent "$VPID"); [ -n "$PARENT" ]; }

bg_start "$T/r.out" "$T/r.err" "$VMBENCH" run -q --db "$T/r.db" --format json -t container \
	-T "$RT" -w cpu --set max-prime=2000,time=6s
TPID=$BG_PID
VPID=""
PARENT=""
if wait_for 10 vmbench_started && wait_for 120 agent_up; then
	set -- $PARENT
	is "$1 $2" "systemd 1" "the agent runs under systemd, PID 1 of the container"
	wait "$TPID"
	is "$?" 0 "a cpu run in the system container exits 0"
	F="d['variants'][0]['facts']"
	ok_if "facts: a system container of the Debian root, the launch time" \
		json_true "$T/r.out" "${F}['kind'] == 'system' and 'debian' in ${F}['rootfs'] and 0 < ${F}['launch_s'] < 120"
	diag "lxc system launch_s: $(json_eval "$T/r.out" "${F}['launch_s']")"
	is "$(json_eval "$T/r.out" 'd["variants"][0]["agent"]["facts"]["hostname"]')" vb-e2e-sys \
		"the container has the configured hostname"
	is "$(ls -A "$LXCPATH" 2>/dev/null)" "" "nothing is left in the lxcpath after the run"
else
	not_ok "the system container's agent comes up" "$(tail -c 600 "$T/r.err")"
fi

bg_start "$T/k9.out" "$T/k9.err" "$VMBENCH" run -q --db "$T/k9.db" -t container -T "$RT" \
	-w cpu --set time=60s
TPID=$BG_PID
VPID=""
PARENT=""
if wait_for 10 vmbench_started && wait_for 120 agent_up; then
	set -- $PARENT
	SYSTEMD=$3
	kill -KILL "$VPID"
	wait "$TPID" 2>/dev/null
	# shellcheck disable=SC2317
	systemd_gone() { [ ! -e "/proc/$SYSTEMD/comm" ]; }
	ok_if "kill -9: the container's systemd died with vmbench" wait_for 10 systemd_gone
	vb list targets
	like "$ERR" "released what vmbench pid $VPID left.*vmbench-$VPID-container" \
		"kill -9: the next vmbench removes the container's directory"
	is "$(ls -A "$LXCPATH" 2>/dev/null)" "" "kill -9: nothing is left in the lxcpath"
else
	not_ok "kill -9: the system container runs" "$(tail -c 600 "$T/k9.err")"
fi
done_testing
