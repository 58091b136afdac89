#!/usr/bin/env bash
# vmbench doctor names each capability it checks; vmbench list shows every
# workload with its options, the engines with their availability, targets,
# plan keys and report formats.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

vb doctor
is "$RC" 0 "doctor exits 0"
for what in io_uring O_DIRECT KSM hugepages root agent libaio psync /dev/kvm; do
	like "$OUT" "^  (ok|no|info) +.*$what" "doctor reports on $what"
done
like "$OUT" '^[0-9]+ problems?$' "doctor ends with the number of problems"
nno=$(printf '%s\n' "$OUT" | grep -c '^  no ')
like "$OUT" "^$nno problems?\$" "the count of problems matches the 'no' lines ($nno)"
like "$OUT" "agent +$VMBENCH_AGENT_BIN\$" "doctor finds the agent beside vmbench"
if have root; then
	like "$OUT" '^  ok +root' "doctor: root is ok when running as root"
else
	like "$OUT" '^  info +root +not root' "doctor: not root is reported as info"
fi

mkdir -p "$T/dir"
vb doctor --path "$T/dir"
is "$RC" 0 "doctor --path DIR exits 0"
like "$OUT" "O_DIRECT .*'$T/dir'" "doctor --path checks O_DIRECT in DIR"
is "$(ls -A "$T/dir")" "" "doctor leaves no probe file in DIR"
vb doctor --path "$T/missing"
like "$OUT" "^  no +O_DIRECT .*cannot create a file in '$T/missing'" \
	"doctor --path MISSING says it cannot create a file there"

VMBENCH_AGENT=/nonexistent vb doctor
like "$OUT" "^  no +agent +VMBENCH_AGENT='/nonexistent'" "doctor reports a bad VMBENCH_AGENT"

# --- list ------------------------------------------------------------------
vb list
is "$RC" 0 "list exits 0"
printf '%s\n' "$OUT" >"$T/list.txt"

# block NAME: the lines of workload NAME in `vmbench list`
block()
{
	awk -v n="$1:" '$1 == n { on = 1; print; next } on && /^$/ { exit } on { print }' "$T/list.txt"
}
# has_options WORKLOAD OPTION...
has_options()
{
	local w=$1 b o missing=""
	shift
	b=$(block "$w")
	for o in "$@"; do
		printf '%s\n' "$b" | grep -Eq "^  $o +[a-z]+ " || missing="$missing $o"
	done
	if [ -z "$b" ]; then
		not_ok "list shows workload $w" "$(head -40 "$T/list.txt")"
	elif [ -n "$missing" ]; then
		not_ok "list shows workload $w with its options" "missing:$missing" "$b"
	else
		ok "list shows workload $w with its options ($*)"
	fi
}
has_options cpu max-prime threads time events
has_options memory block-size total-size scope oper access threads time
has_options fileio mode file-num file-total-size block-size rw-ratio direct dir time
has_options dd filename mode bs count direct dsync fdatasync
has_options blkio filename rw bs iodepth numjobs size direct engine runtime
for w in cpu memory fileio dd blkio; do
	like "$(block "$w")" '^  available: (yes|no, .+)$' "list says whether $w is available"
done

# the workloads run -w accepts are the ones list shows
vb run -w no-such-workload
valid=$(printf '%s\n' "$ERR" | sed -n 's/.*(valid: \(.*\)).*/\1/p' | tr -d ' ' | tr ',' '\n' | sort)
listed_wl=$(awk '/^workloads:/ { on = 1; next } /^(engines|targets)/ { on = 0 } on && /^[a-z0-9_-]+: / { sub(/:.*/, ""); print }' "$T/list.txt" | sort)
is "$listed_wl" "$valid" "list shows exactly the workloads that run accepts"

vb list workloads
is "$RC" 0 "list workloads exits 0"
unlike "$OUT" '^engines' "list workloads shows only workloads"
like "$OUT" '^  iodepth +int ' "list workloads shows blkio's iodepth"

vb list engines
is "$RC" 0 "list engines exits 0"
for e in psync libaio io_uring; do
	like "$OUT" "^  $e .*(available|unavailable: .+)\$" "list engines shows $e with its availability"
done
# doctor and list agree on what is usable
vb doctor
DOC=$OUT
vb list engines
for e in psync libaio io_uring; do
	lst=$(printf '%s\n' "$OUT" | grep -E "^  $e " | grep -q unavailable && echo no || echo ok)
	doc=$(printf '%s\n' "$DOC" | grep -E "engine $e " | awk '{ print $1 }')
	is "$doc" "$lst" "doctor and list agree whether engine $e is usable"
done

vb list targets
is "$RC" 0 "list targets exits 0"
like "$OUT" '^native: ' "list targets shows native"
like "$OUT" '^  workdir +string ' "list targets shows native's workdir option"

vb list plan
like "$OUT" '^  repeat +int ' "list plan shows [experiment] repeat"
like "$OUT" 'variants = ' "list plan mentions variants ="

vb list reports
for f in text json csv html compare; do
	like "$OUT" "^  $f " "list reports shows the format $f"
done
like "$OUT" '^    summary +bool' "list reports shows the options of a format (csv summary)"

done_testing
