#!/usr/bin/env bash
# Every fidelity benchmark, one after the other (each holds the bench lock):
# vmbench's workloads against sysbench, fio and dd on this machine. Results are
# appended to bench/results/*.md; bench/README.md summarises them.
#   bench/run-all.sh              # PAIRS=5 of each, about 25 minutes
#   PAIRS=3 RUNTIME=5 bench/run-all.sh
# Run it on a quiet machine: other load shows up as noise in the ratios.
set -euo pipefail
cd "$(dirname "$0")"
make -C .. -s vmbench-agent
for b in cpu memory fileio dd fio seeds; do
	echo "== $b"
	bash "./$b.sh"
done
# the network pair: iperf3 on loopback and across a veth pair (root), wrk
for b in net:iperf3 http:wrk; do
	command -v "${b#*:}" >/dev/null || { echo "== ${b%:*}: no ${b#*:}, skipped"; continue; }
	echo "== ${b%:*}"
	bash "./${b%:*}.sh"
done
if [ "$(id -u)" = 0 ]; then
	make -C .. -s vmbench
	echo "== net (veth)"
	PATH_KIND=veth bash ./net.sh
fi
