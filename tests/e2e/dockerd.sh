# A private Docker engine for the docker tests (sourced after lib.sh):
#
#   . "$(dirname "$0")/dockerd.sh"
#   dockerd_start || { not_ok "a private dockerd starts" "$(tail -5 "$D/log")"; ... }
#   vb run ... -T runtime=docker,docker-host=$DOCKERD_HOST ...
#   is "$(dockerd_mine)" "" "nothing of vmbench is left in the engine"
#
# The engine is the test's own: --iptables=false --bridge=none (no firewall
# rule, no host interface; the containers run with --network=none), its data
# and exec roots and its socket in $T/docker. dockerd_stop ends it by its
# PID (TERM, then KILL after 15 s); it also runs at the test's exit.

D=$T/docker
DOCKERD_HOST=unix://$D/sock
DOCKER="docker --host=$DOCKERD_HOST"
DPID=""

dockerd_stop()
{
	[ -n "$DPID" ] || return 0
	kill -TERM "$DPID" 2>/dev/null
	for _ in $(seq 1 150); do
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	DPID=""
}

# shellcheck disable=SC2317 # called through wait_for
dockerd_up() { $DOCKER version >/dev/null 2>&1; }

dockerd_start()
{
	mkdir -p "$D"
	trap 'dockerd_stop; _cleanup' EXIT
	dockerd --iptables=false --bridge=none --data-root="$D/data" --exec-root="$D/exec" \
		--pidfile="$D/pid" --host="$DOCKERD_HOST" >"$D/log" 2>&1 </dev/null &
	DPID=$!
	wait_for 60 dockerd_up
}

# Containers and images of vmbench in the private engine, one a line.
dockerd_mine()
{
	$DOCKER ps -a --format 'container {{.Names}}' | grep vmbench-
	$DOCKER images --format 'image {{.Repository}}:{{.Tag}}' | grep vmbench-
	return 0
}
