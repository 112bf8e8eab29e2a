#!/usr/bin/env bash
# CI smoke fuzz run (~60-90 s of fuzzing across all targets). Exits non-zero on a crash or hang.
#   fuzz/smoke.sh            AFL++ mode (installs afl++ and the sharpfuzz tool when absent);
#                            falls back to the in-process mutator when they cannot be installed
#   FUZZ_MODE=inproc fuzz/smoke.sh   in-process mutator only (needs nothing but the .NET SDK)
# SMOKE_SECONDS sets the seconds per target (default 9; 8 targets); SMOKE_SEED the in-process
# mutator's seed (fixed by default so a CI run is repeatable; vary it to explore).
# First replays the checked-in regression inputs (tests/DlibModels.Tests/Fuzz/inputs).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
secs="${SMOKE_SECONDS:-9}"
targets=(shape hog dnn bz2 jpeg png bmp imglab)
mode="${FUZZ_MODE:-afl}"
if [ "$mode" = afl ] && ! "$here/install-tools.sh"; then
  echo "smoke: afl++/sharpfuzz unavailable, using the in-process mutator"; mode=inproc
fi

"$here/make-seeds.sh" >/dev/null
dll="$here/DlibModels.Fuzz/bin/Release/net10.0/DlibModels.Fuzz.dll"
export DOTNET_GCHeapHardLimit="${FUZZ_HEAP:-0x20000000}"   # 512 MiB: allocation bombs -> OutOfMemoryException -> crash

bad=0
for t in "${targets[@]}"; do
  inputs=("$root"/tests/DlibModels.Tests/Fuzz/inputs/"$t"-*)
  if [ -e "${inputs[0]}" ]; then
    dotnet "$dll" "$t" --repro "${inputs[@]}" >/dev/null || { echo "smoke: regression input of $t crashes"; bad=1; }
  fi
done

if [ "$mode" = afl ]; then
  "$here/afl.sh" "$secs" "${targets[@]}" || bad=1
else
  rm -rf "$here/out/inproc-crashes"
  for t in "${targets[@]}"; do
    dotnet "$dll" "$t" --run "$here/out/seeds/$t" "$here/out/inproc-crashes" --seconds "$secs" --seed "${SMOKE_SEED:-20261208}" || bad=1
  done
fi
if [ $bad != 0 ]; then echo "smoke: FAILED (crashes/hangs under fuzz/out)"; else echo "smoke: ok"; fi
exit $bad
