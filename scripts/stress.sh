#!/usr/bin/env bash
# make stress: the shared-crawl tests (Redis integrity and e2e) N times in a row, with HOGS busy loops
# beside them taking CPU as other work on a loaded CI machine would; prints how many runs passed and how
# long it took. A failing run's output is kept in $STRESS_DIR/run-<n>.log, its workers' folders in tmp-<n>/.
set -uo pipefail
N=${N:-20}
HOGS=${HOGS:-2}
PYTHON=${PYTHON:-.venv/bin/python}
STRESS_DIR=${STRESS_DIR:-.stress}
TESTS=${TESTS:-tests/test_integrity_redis.py tests/test_e2e_redis.py}
mkdir -p "$STRESS_DIR"
hogs=()
for _ in $(seq "$HOGS"); do
  (while :; do :; done) &
  hogs+=($!)
done
stop_hogs() { [ ${#hogs[@]} -eq 0 ] || kill "${hogs[@]}" 2>/dev/null; }
trap stop_hogs EXIT
trap "exit 143" TERM INT
started=$(date +%s)
passed=0
for n in $(seq "$N"); do
  run_started=$(date +%s)
  # shellcheck disable=SC2086
  if "$PYTHON" -m pytest -q -p no:cacheprovider --basetemp "$STRESS_DIR/tmp-$n" $TESTS > "$STRESS_DIR/run-$n.log" 2>&1; then
    passed=$((passed + 1))
    rm -rf "$STRESS_DIR/run-$n.log" "$STRESS_DIR/tmp-$n"
    outcome=passed
  else
    outcome="FAILED (see $STRESS_DIR/run-$n.log)"
  fi
  echo "stress run $n/$N: $outcome in $(( $(date +%s) - run_started ))s"
done
elapsed=$(( $(date +%s) - started ))
echo "stress: $passed of $N runs passed in ${elapsed}s ($((elapsed / 60)) min) with $HOGS CPU hogs: $TESTS"
[ "$passed" -eq "$N" ]
