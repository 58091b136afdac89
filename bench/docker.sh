#!/usr/bin/env bash
# What a Docker container costs the built-in workloads: cpu (one thread,
# primes up to 20000) and memory (1K blocks, writes) natively, in vmbench's
# own container (runtime=builtin) and in a Docker container (runtime=docker),
# the three variants interleaved in one experiment of PAIRS repeats; the
# figure is the ratio of medians container / native.
#
# Needs a running Docker engine (`dockerd --iptables=false --bridge=none &`).
# Environment: PAIRS (5), RUNTIME (seconds per run, 10).
# A quick sanity run:  PAIRS=2 RUNTIME=3 bench/docker.sh
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

RUNTIME=${RUNTIME:-10}
VMBENCH=${VMBENCH:-$TOP/vmbench}
NAME=docker
[ -x "$VMBENCH" ] || { echo "docker.sh: build $VMBENCH first (make)" >&2; exit 1; }
docker version >/dev/null 2>&1 ||
	{ echo "docker.sh: no Docker engine answers (start: dockerd --iptables=false --bridge=none &)" >&2; exit 1; }

PLAN=$WORK/docker-bench.ini
DB=$WORK/docker-bench.db
rm -f "$DB"
cat >"$PLAN" <<INI
[experiment]
name = bench-docker
repeat = $PAIRS
baseline = native

[variant native]
target = native
workdir = $WORK

[variant builtin]
target = container
runtime = builtin
workdir = $WORK

[variant docker]
target = container
runtime = docker
workdir = $WORK

[workload cpu]
max-prime = 20000
threads = 1
time = ${RUNTIME}s

[workload memory]
block-size = 1K
total-size = 100T
oper = write
time = ${RUNTIME}s
INI
out=$("$VMBENCH" run -q --db "$DB" --format json "$PLAN")
printf '%s\n' "$out" >"$WORK/docker-bench.json"

# per variant and metric: the values in run order
vals() {
	python3 - "$WORK/docker-bench.json" "$1" "$2" "$3" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
v, w, m = sys.argv[2:5]
print(" ".join("%.2f" % r["metrics"][m] for r in d["runs"]
               if r["variant"] == v and r["workload"] == w and r["status"] == "ok"))
PY
}
for wm in cpu:events_per_s memory:mib_per_s; do
	w=${wm%%:*} m=${wm#*:}
	native=$(vals native "$w" "$m")
	for rt in builtin docker; do
		c=$(vals "$rt" "$w" "$m")
		ratios=''
		read -ra n_arr <<<"$native"
		read -ra c_arr <<<"$c"
		for i in "${!n_arr[@]}"; do
			[ -n "${c_arr[$i]:-}" ] && ratios+="$(ratio "${c_arr[$i]}" "${n_arr[$i]}") "
		done
		record "$NAME-$rt-$w" "vmbench native ($w)" "vmbench container runtime=$rt ($w)" \
			"$native" "$c" "${ratios% }" "$m"
	done
done
