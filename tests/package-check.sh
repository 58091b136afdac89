#!/usr/bin/env bash
# The Debian package, checked as a user would meet it: builds it with
# dpkg-buildpackage -us -uc -b from a clean copy of the tracked files,
# installs the .deb, then `man vmbench` and `man vmbench-plan` render, bash
# completion completes a target name, and `vmbench run` of the installed
# quickstart plan works from the installed paths (the agent found in
# /usr/libexec/vmbench); finally purges the package. Needs root; run by
# .ci/run after make check. Prints "package-check: ok" or the step that failed.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

step() { echo "package-check: $*"; }
fail() {
	echo "package-check: FAILED: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || fail "needs root (it installs and purges the package)"
if dpkg-query -W -f='${Status}' vmbench 2>/dev/null | grep -q "install ok installed"; then
	fail "a vmbench package is installed already; this check would replace and purge it"
fi
W=$(mktemp -d /var/tmp/vmbench-package.XXXXXX)
installed=0
cleanup()
{
	if [ "$installed" = 1 ]; then
		dpkg --purge vmbench >/dev/null 2>&1 || true
	fi
	rm -rf "$W"
}
trap cleanup EXIT

VERSION=$(dpkg-parsechangelog -l debian/changelog -SVersion)
step "building vmbench $VERSION (dpkg-buildpackage -us -uc -b) in $W"
mkdir -p "$W/vmbench-$VERSION"
git ls-files -z | xargs -0 cp --parents -t "$W/vmbench-$VERSION"
(cd "$W/vmbench-$VERSION" && timeout 1800 dpkg-buildpackage -us -uc -b) >"$W/build.log" 2>&1 ||
	{ tail -30 "$W/build.log" >&2; fail "dpkg-buildpackage"; }
DEB=$(ls "$W"/vmbench_"$VERSION"_*.deb)
step "built $(basename "$DEB"): $(dpkg-deb -f "$DEB" Depends)"

step "installing it"
installed=1
timeout 600 apt-get install -y -qq --no-install-recommends "$DEB" >"$W/install.log" 2>&1 ||
	{ tail -20 "$W/install.log" >&2; fail "apt-get install $DEB"; }
for f in /usr/bin/vmbench /usr/libexec/vmbench/vmbench-agent \
	/usr/share/bash-completion/completions/vmbench /usr/share/vmbench/examples/quickstart.ini; do
	[ -e "$f" ] || fail "the package has no $f"
done

step "man vmbench, man vmbench-plan"
MANWIDTH=80 man vmbench 2>/dev/null | grep -q "^COMMANDS" || fail "man vmbench does not render"
MANWIDTH=80 man vmbench-plan 2>/dev/null | grep -q "\[experiment\]" ||
	fail "man vmbench-plan does not render"

step "completion of a target name"
got=$(bash -c '. /usr/share/bash-completion/completions/vmbench
	COMP_LINE="vmbench run -t cont"; COMP_POINT=${#COMP_LINE}; _vmbench; echo "${COMPREPLY[*]}"')
[ "$got" = container ] || fail "completing 'vmbench run -t cont' gave '$got'"

step "vmbench run /usr/share/vmbench/examples/quickstart.ini"
(cd "$W" && env -u VMBENCH_AGENT timeout 600 vmbench run -q --db "$W/q.db" \
	/usr/share/vmbench/examples/quickstart.ini >"$W/run.log" 2>&1) ||
	{ tail -20 "$W/run.log" >&2; fail "the quickstart from the installed paths"; }
grep -q "database: $W/q.db" "$W/run.log" || fail "the quickstart printed no results"

step "purging it"
dpkg --purge vmbench >/dev/null
installed=0
[ ! -e /usr/bin/vmbench ] || fail "/usr/bin/vmbench is still there after the purge"
echo "package-check: ok"
