#!/bin/sh
# make demo: runs the quickstart plan and shows where the results are.
set -eu
cd "$(dirname "$0")/.."
./vmbench run examples/quickstart.ini
status=$?
echo
echo "More: ./vmbench report --format json | csv | html,  ./vmbench list,  ./vmbench doctor"
exit $status
