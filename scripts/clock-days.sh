#!/usr/bin/env bash
# The date-sensitive tests (marked `clock`) run as if on chosen days, and under host time zones far from
# the site's (the site's zone must decide, never the host's). MOTCUA_TEST_NOW shifts the clock of the
# test process and of every hub, device and display it starts (motcua_core/clock.py). Prints each moment
# it ran and the result; fails if any run fails or selects no test.
# The selection is `clock and not slow` (a few minutes for all the moments); the slow clock tests (a Kivy app
# or a browser each) run too with CLOCK_DAYS_MARK=clock.
#   scripts/clock-days.sh [extra pytest arguments]     (make test-days; CI runs it after make test)
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
[ -x "$PY" ] || PY=python
MARK=${CLOCK_DAYS_MARK:-clock and not slow}
# Each moment is one pytest process (MOTCUA_TEST_WORKERS=N gives each N xdist workers instead): starting
# workers cost more than the 23 tests, and the moments themselves run side by side (below).
workers=${MOTCUA_TEST_WORKERS:-1}
parallel=()
[ "$workers" -ge 2 ] 2>/dev/null && parallel=(-n "$workers")

# moment (site time, +07:00) | host TZ ("" = as the machine is) | what it is
RUNS=(
  "2026-12-13T10:00:00+07:00||a Sunday"
  "2026-12-12T10:00:00+07:00||a Saturday"
  "2027-02-08T10:00:00+07:00||Tết: Monday 8 February 2027, a public holiday"
  "2027-09-02T10:00:00+07:00||2 September (Quốc khánh), a public holiday"
  "2026-12-31T23:59:00+07:00||31 December 23:59, a minute before New Year"
  "2026-12-09T06:00:00+07:00||a weekday (Wednesday) 06:00, before ticket hours"
  "2026-12-31T12:00:00+07:00|Pacific/Kiritimati|host zone UTC+14: already 1 January there, a working Thursday on site"
  "2026-12-14T08:00:00+07:00|America/Los_Angeles|host zone UTC-8: still Sunday there, Monday 08:00 on site"
)

# Collect once which files hold the selected tests, so each moment's run imports only those.
mapfile -t FILES < <("$PY" -m pytest -m "$MARK" --collect-only -q -p no:cacheprovider 2>/dev/null \
                     | sed -n 's/::.*//p' | sort -u)
if [ ${#FILES[@]} -eq 0 ]; then
  echo "error: no test is marked '$MARK': nothing to run as if on other days (this step is broken)" >&2
  exit 5
fi
echo "==> ${#FILES[@]} files hold the tests marked '$MARK'"

# Moments run side by side (MOTCUA_DAYS_JOBS at a time, one per core and one more by default: one moment
# at a time with two workers left 39 % of two cores idle; here 195 s became about 120 s), each with its own
# log and its own test-artifacts/days/<n>/, printed in order once all have ended.
jobs=${MOTCUA_DAYS_JOBS:-$(( $(nproc 2>/dev/null || echo 1) + 1 ))}
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

run_moment() {  # index moment zone: one moment's run, its exit status and time in $logs/<index>.rc
  local i=$1 moment=$2 zone=$3 start rc
  start=$(date +%s)
  if [ -n "$zone" ]; then
    MOTCUA_TEST_NOW="$moment" TZ="$zone" MOTCUA_TEST_ARTIFACTS="$PWD/test-artifacts/days/$i" \
      "$PY" -m pytest -m "$MARK" "${parallel[@]}" -q -p no:cacheprovider "${EXTRA[@]}" "${FILES[@]}" >"$logs/$i.log" 2>&1
  else
    MOTCUA_TEST_NOW="$moment" MOTCUA_TEST_ARTIFACTS="$PWD/test-artifacts/days/$i" \
      "$PY" -m pytest -m "$MARK" "${parallel[@]}" -q -p no:cacheprovider "${EXTRA[@]}" "${FILES[@]}" >"$logs/$i.log" 2>&1
  fi
  rc=$?
  echo "$rc $(( $(date +%s) - start ))" >"$logs/$i.rc"
}

EXTRA=("$@")
running=0
for i in "${!RUNS[@]}"; do
  IFS='|' read -r moment zone what <<<"${RUNS[$i]}"
  if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
  run_moment "$i" "$moment" "$zone" &
  running=$((running + 1))
done
wait

results=()
failed=0
for i in "${!RUNS[@]}"; do
  IFS='|' read -r moment zone what <<<"${RUNS[$i]}"
  label="as if $moment ($what)${zone:+, host TZ=$zone}"
  echo "==> tests marked '$MARK' $label"
  cat "$logs/$i.log"
  read -r rc took <"$logs/$i.rc" 2>/dev/null || { rc=1; took=0; }
  case $rc in
    0) verdict="passed" ;;
    5) verdict="NO TESTS SELECTED ('$MARK' matched nothing: this step is broken)"; failed=1 ;;
    *) verdict="FAILED (pytest exit $rc)"; failed=1 ;;
  esac
  results+=("$(printf '%-4s %5ss  %s' "$rc" "$took" "$label: $verdict")")
done

echo
echo "==> clock tests, by moment (exit, time, moment: result)"
printf '%s\n' "${results[@]}"
exit $failed
