#!/usr/bin/env bash
# The whole suite in two passes, each in parallel processes (pytest-xdist, one per CPU, at most
# TEST_PROCESSES): the tests without a browser spread test by test, an idle process taking tests still
# queued for a busy one (worksteal: the long walks over every page no longer leave one process running
# alone at the end); then the browser journeys, each file
# kept in one process (the crawl's tests share what they saw), each process driving its own Chromium
# against its own live server and test database. Arguments go to both passes (e.g. a file or -k). A pass
# that collects nothing (pytest's exit code 5, e.g. when the arguments name only browser tests) is not a
# failure; if neither pass collected anything the script exits 5 as pytest would.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
PROCESSES="${TEST_PROCESSES:-4}"

"$PYTHON" -m pytest -m "not browser" -n auto --maxprocesses "$PROCESSES" --dist worksteal "$@"
first=$?
"$PYTHON" -m pytest -m browser -n auto --maxprocesses "$PROCESSES" --dist loadfile "$@"
second=$?

if [ "$first" -eq 5 ] && [ "$second" -eq 5 ]; then
  exit 5
fi
for code in "$first" "$second"; do
  if [ "$code" -ne 0 ] && [ "$code" -ne 5 ]; then
    exit "$code"
  fi
done
exit 0
