# Shared helpers of the end-to-end tests; every tests/e2e/tNNNN-*.sh sources it.
#
#   . "$(dirname "$0")/lib.sh"
#   vb run -w cpu --set time=1s --db "$T/db"   # runs ./vmbench under timeout
#   is "$RC" 0 "run exits 0"                    # RC, $OUT, $ERR describe the last vb
#   ok_if "two runs" [ "$(db_query "$T/db" 'select count(*) from run')" = 2 ]
#   done_testing                                # prints the plan, exits
#
# Output is TAP: "ok N - what", "not ok N - what" (followed by "# " diagnostics)
# and "ok N - what # SKIP reason". The plan ("1..N") comes last, so a test that
# dies before done_testing has no plan and tests/run-all.sh counts it failed.
#
# Every test gets its own directory $T under /var/tmp (removed on exit unless
# VB_E2E_KEEP=1), and VMBENCH_DB and VMBENCH_STATE (the journal of what
# vmbench made) point into it, so that no test can touch the user's database
# or journal even when it forgets --db. Binaries: $VMBENCH and
# $VMBENCH_AGENT_BIN (default: the ones `make` builds at the top of the tree).
#
# Prerequisites are declared once at the top of a test, and a missing one
# skips the whole file with the reason (see "prerequisites" below):
#   require root qemu kernel agent      # KERNEL is set by "kernel"
#   if have loop; then ...; else skip "loop device" "$(why_not loop)"; fi

set -u

E2E_DIR=$(cd "$(dirname "$0")" && pwd)
SRC_ROOT=$(cd "$E2E_DIR/../.." && pwd)
VMBENCH=${VMBENCH:-$SRC_ROOT/vmbench}
VMBENCH_AGENT_BIN=${VMBENCH_AGENT_BIN:-$SRC_ROOT/vmbench-agent}
VB_TIMEOUT=${VB_TIMEOUT:-60}
TEST_NAME=$(basename "$0" .sh)

_tap_n=0
_tap_failed=0
_bg_pids=""

T=$(mktemp -d "/var/tmp/vmbench-e2e.$TEST_NAME.XXXXXX") || {
	echo "not ok 1 - cannot create a temporary directory under /var/tmp"
	echo "1..1"
	exit 1
}

_cleanup()
{
	local p stat rest
	# only the processes this test started, by PID, and only while they are
	# still this shell's children (a reaped PID may belong to someone else now)
	for p in $_bg_pids; do
		stat=$(cat "/proc/$p/stat" 2>/dev/null) || continue
		rest=${stat##*) }
		# shellcheck disable=SC2086 # split the fields of /proc/PID/stat
		set -- $rest
		[ "${2:-}" = "$$" ] || continue
		# timeout passes TERM on to its command; its process group
		# (timeout is the leader) is killed if that did not suffice
		kill -TERM "$p" 2>/dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null
	done
	if [ "${VB_E2E_KEEP:-0}" = 1 ]; then
		echo "# kept $T" >&2
	else
		rm -rf "$T"
	fi
}
trap _cleanup EXIT
trap 'exit 130' INT TERM HUP

# Never the user's database or journal, never a stray agent from the environment.
export VMBENCH_DB="$T/default.db"
export VMBENCH_STATE="$T/state"
unset VMBENCH_AGENT
export LC_ALL=C

PYTHON=$(command -v python3 || true)

# --- TAP -------------------------------------------------------------------

# ok DESCRIPTION
ok()
{
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $*"
}

# not_ok DESCRIPTION [DIAGNOSTIC...]  (each diagnostic line is printed as "# ...")
not_ok()
{
	local what=$1
	shift
	_tap_n=$((_tap_n + 1))
	_tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_n - $what"
	local d
	for d in "$@"; do
		printf '%s\n' "$d" | sed 's/^/#   /'
	done
}

# skip DESCRIPTION REASON
skip()
{
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1 # SKIP $2"
}

# skip_all REASON: the whole file cannot run here (a missing prerequisite).
skip_all()
{
	skip "$TEST_NAME" "$1"
	done_testing
}

# ok_if DESCRIPTION COMMAND...: passes when COMMAND exits 0.
ok_if()
{
	local what=$1
	shift
	if "$@"; then
		ok "$what"
	else
		not_ok "$what" "failed: $*" "$(_last_diag)"
	fi
}

# is GOT WANT DESCRIPTION
is()
{
	if [ "$1" = "$2" ]; then
		ok "$3"
	else
		not_ok "$3" "got:  '$1'" "want: '$2'" "$(_last_diag)"
	fi
}

# like TEXT REGEX DESCRIPTION (grep -E, case-sensitive)
like()
{
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		ok "$3"
	else
		not_ok "$3" "no match for /$2/ in:" "$(printf '%s\n' "$1" | head -20)"
	fi
}

# unlike TEXT REGEX DESCRIPTION
unlike()
{
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		not_ok "$3" "unexpected match for /$2/ in:" "$(printf '%s\n' "$1" | head -20)"
	else
		ok "$3"
	fi
}

# diag TEXT: a comment line in the TAP stream
diag()
{
	printf '%s\n' "$*" | sed 's/^/# /'
}

# Prints the plan and exits: 0 when everything passed.
done_testing()
{
	echo "1..$_tap_n"
	[ "$_tap_failed" -eq 0 ] && exit 0
	exit 1
}

_last_diag()
{
	[ -n "${RC+x}" ] || return 0
	echo "last vmbench call: rc=$RC"
	[ -s "$T/.err" ] && head -c 1500 "$T/.err"
	return 0
}

# --- running the binaries --------------------------------------------------

# vb ARGS...: runs vmbench under `timeout` ($VB_TIMEOUT s, then KILL 5 s later).
# Sets RC, OUT (stdout) and ERR (stderr); never exits the test.
vb()
{
	vb_with_timeout "$VB_TIMEOUT" "$@"
}

vb_with_timeout()
{
	local secs=$1
	shift
	timeout -k 5 "$secs" "$VMBENCH" "$@" >"$T/.out" 2>"$T/.err" </dev/null
	RC=$?
	# shellcheck disable=SC2034 # OUT and ERR are for the tests
	OUT=$(cat "$T/.out")
	# shellcheck disable=SC2034
	ERR=$(cat "$T/.err")
	if [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; then
		diag "vmbench $* timed out after ${secs}s"
	fi
	return 0
}

# bg_start OUTFILE ERRFILE CMD...: starts CMD in the background under timeout
# and sets BG_PID to the PID of that timeout, which the cleanup ends if it is
# still running (the command itself is its child: see proc_children).
bg_start()
{
	local out=$1 err=$2
	shift 2
	timeout -k 5 "$VB_TIMEOUT" "$@" >"$out" 2>"$err" </dev/null &
	BG_PID=$!
	_bg_pids="$_bg_pids $BG_PID"
}

# --- python3 helpers -------------------------------------------------------

# py CODE ARGS...: runs python3 -c CODE with ARGS in sys.argv[1:].
py()
{
	timeout -k 2 30 "$PYTHON" -c "$@"
}

# db_query DB SQL: prints each row as "a|b|c" (as the sqlite3 shell would).
# Fails (status 1, message on stderr) when the database cannot be read.
db_query()
{
	[ -e "$1" ] || { echo "no database '$1'" >&2; return 1; }
	py '
import sqlite3, sys
try:
    c = sqlite3.connect(sys.argv[1], timeout=10)
    for row in c.execute(sys.argv[2]):
        print("|".join("" if v is None else str(v) for v in row))
    c.close()
except sqlite3.Error as e:
    print("sqlite3: %s" % e, file=sys.stderr)
    sys.exit(1)
' "$1" "$2"
}

# db_has_runs DB N: the database has at least N run rows (any status).
db_has_runs()
{
	local n
	n=$(db_query "$1" "select count(*) from run" 2>/dev/null) || return 1
	[ "${n:-0}" -ge "$2" ]
}

# json_eval FILE EXPR: prints the value of a Python expression over the JSON
# document in FILE (bound to d); fails when FILE is not JSON.
json_eval()
{
	py '
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    print("not JSON: %s" % e, file=sys.stderr)
    sys.exit(1)
v = eval(sys.argv[2], {"d": d})
print(json.dumps(v) if isinstance(v, (dict, list, tuple)) else v)
' "$1" "$2"
}

# json_true FILE EXPR: status 0 when the expression is true.
json_true()
{
	[ "$(json_eval "$1" "bool($2)" 2>/dev/null)" = True ]
}

# proc_children PID: the PIDs whose parent is PID.
proc_children()
{
	py '
import os, sys
for p in os.listdir("/proc"):
    if not p.isdigit():
        continue
    try:
        stat = open("/proc/%s/stat" % p).read()
    except OSError:
        continue
    if stat[stat.rindex(")") + 2:].split()[1] == sys.argv[1]:
        print(p)
' "$1"
}

# agents_below PID: every vmbench-agent process in the tree below PID
# (breadth first, so a container's agent before any agent it starts), one
# PID a line.
agents_below()
{
	py '
import os, sys
kids = {}
for p in os.listdir("/proc"):
    try:
        st = open("/proc/%s/stat" % p).read()
        kids.setdefault(st[st.rindex(")") + 2:].split()[1], []).append(p)
    except (OSError, ValueError):
        pass
todo = [sys.argv[1]]
while todo:
    for c in kids.get(todo.pop(0), []):
        todo.append(c)
        try:
            if open("/proc/%s/comm" % c).read().strip() == "vmbench-agent":
                print(c)
        except OSError:
            pass
' "$1"
}

# procs_with NAME ARGS...: PIDs of live processes whose program (argv[0]'s
# base name) is NAME and whose command line contains every ARG; zombies excluded.
procs_with()
{
	py '
import os, sys
name, want = sys.argv[1], sys.argv[2:]
for p in os.listdir("/proc"):
    if not p.isdigit():
        continue
    try:
        argv = open("/proc/%s/cmdline" % p, "rb").read().split(b"\0")
        state = open("/proc/%s/stat" % p).read()
    except OSError:
        continue
    argv = [a.decode(errors="replace") for a in argv if a]
    if not argv or state[state.rindex(")") + 2] == "Z":
        continue
    if os.path.basename(argv[0]) != name:
        continue
    cmd = " ".join(argv)
    if all(a in cmd for a in want):
        print(p)
' "$@"
}

# proc_parent PID: the parent PID of PID (empty when PID is gone).
proc_parent()
{
	py '
import sys
try:
    s = open("/proc/%s/stat" % sys.argv[1]).read()
    print(s[s.rindex(")") + 2:].split()[1])
except OSError:
    pass
' "$1"
}

# wait_for SECONDS COMMAND...: polls COMMAND every 0.1 s until it succeeds;
# fails after SECONDS.
wait_for()
{
	local end=$((SECONDS + $1))
	shift
	while ! "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.1
	done
	return 0
}

# --- prerequisites ---------------------------------------------------------
#
#   require NAME...   skips the whole test ("ok 1 - tNNNN # SKIP reason", plan,
#                     exit 0) at the first prerequisite that does not hold
#   have NAME         status 0 when it holds (for a part of a test)
#   why_not NAME      the reason it does not hold ("" when it does)
#
# NAME: root, qemu (qemu-system-x86_64), qemu-img, kernel (a readable
# /boot/vmlinuz-* with its /lib/modules; sets KERNEL), agent
# ($VMBENCH_AGENT_BIN), loop (losetup and /dev/loop-control), hugepages,
# ksm (writable KSM settings), cpus=N (at least N online CPUs), crun, podman,
# mkfs.ext4, or any other program name (it must be in PATH).

KERNEL=${KERNEL:-}

why_not()
{
	case $1 in
	root)
		[ "$(id -u)" = 0 ] || echo "needs root"
		;;
	qemu)
		command -v qemu-system-x86_64 >/dev/null ||
			echo "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"
		;;
	qemu-img)
		command -v qemu-img >/dev/null ||
			echo "qemu-img is not installed (apt-get install qemu-utils)"
		;;
	kernel)
		local k
		k=$(find /boot -maxdepth 1 -name 'vmlinuz-*' -readable 2>/dev/null | sort -V | tail -1)
		if [ -z "$k" ]; then
			echo "no readable /boot/vmlinuz-* (apt-get install linux-image-amd64)"
		elif [ ! -d "/lib/modules/${k#/boot/vmlinuz-}" ]; then
			echo "no /lib/modules for $k"
		else
			KERNEL=$k
		fi
		;;
	agent)
		[ -x "$VMBENCH_AGENT_BIN" ] || echo "no $VMBENCH_AGENT_BIN: run 'make' first"
		;;
	loop)
		if ! command -v losetup >/dev/null; then
			echo "losetup is not installed (util-linux)"
		elif [ ! -e /dev/loop-control ]; then
			echo "no /dev/loop-control (no loop device support here)"
		elif [ ! -w /dev/loop-control ]; then
			echo "cannot write /dev/loop-control (loop devices need root)"
		fi
		;;
	hugepages)
		if ! grep -q '^Hugepagesize:' /proc/meminfo; then
			echo "this kernel has no huge pages"
		elif [ ! -w /proc/sys/vm/nr_hugepages ]; then
			echo "cannot write /proc/sys/vm/nr_hugepages (needs root)"
		fi
		;;
	ksm)
		[ -w /sys/kernel/mm/ksm/run ] ||
			echo "no writable /sys/kernel/mm/ksm (CONFIG_KSM, and root)"
		;;
	cpus=*)
		[ "$(nproc)" -ge "${1#cpus=}" ] ||
			echo "needs ${1#cpus=} CPUs (this host has $(nproc))"
		;;
	*)
		command -v "$1" >/dev/null || echo "$1 is not installed"
		;;
	esac
}

have()
{
	[ -z "$(why_not "$1")" ]
}

require()
{
	local p r
	for p in "$@"; do
		r=$(why_not "$p")
		[ -z "$r" ] || skip_all "$r"
		# "kernel" sets KERNEL, which the subshell above could not
		[ "$p" = kernel ] && why_not kernel >/dev/null
	done
	return 0
}

# what every test needs
require python3 timeout
[ -x "$VMBENCH" ] || skip_all "no $VMBENCH: run 'make' first"
