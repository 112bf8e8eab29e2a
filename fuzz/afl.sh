#!/usr/bin/env bash
# AFL++ campaign over the SharpFuzz-instrumented harness.
#   fuzz/afl.sh [SECONDS_PER_TARGET] [TARGET...]
# Builds fuzz/DlibModels.Fuzz, instruments the library assemblies with sharpfuzz, writes the seed
# corpora (fuzz/make-seeds.sh) and runs afl-fuzz on each target in turn for SECONDS_PER_TARGET
# (default 60). Output: fuzz/out/afl/<target>/default/{fuzzer_stats,crashes,hangs,queue}.
# Memory cap: the .NET GC heap is hard-limited (FUZZ_HEAP, default 512 MiB) so an allocation bomb
# ends in OutOfMemoryException, which the harness reports as a crash (afl's -m does not work with
# the runtime's large virtual reservations). Exits 1 if any target saved a crash or a hang.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
secs="${1:-60}"; shift || true
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(shape hog dnn bz2 jpeg png bmp imglab)
out="$here/out"
"$here/install-tools.sh"
export PATH="$PATH:$HOME/.dotnet/tools"
dotnet build -c Release "$here/DlibModels.Fuzz/DlibModels.Fuzz.csproj" -nologo -v q >/dev/null
rm -rf "$out/afl-bin"; mkdir -p "$out/afl-bin" "$out/afl"
cp -r "$here/DlibModels.Fuzz/bin/Release/net10.0/." "$out/afl-bin/"
for a in DlibModels.dll DlibModels.ImageIO.dll ICSharpCode.SharpZipLib.dll BitMiracle.LibJpeg.NET.dll StbImageSharp.dll; do
  sharpfuzz "$out/afl-bin/$a" >/dev/null
done
"$here/make-seeds.sh" >/dev/null
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
export DOTNET_GCHeapHardLimit="${FUZZ_HEAP:-0x20000000}" DOTNET_TieredPGO=0
bad=0
for t in "${targets[@]}"; do
  rm -rf "$out/afl/$t"
  afl-fuzz -i "$out/seeds/$t" -o "$out/afl/$t" -m none -t "${FUZZ_TIMEOUT_MS:-5000}" -V "$secs" \
    -- "$(command -v dotnet)" "$out/afl-bin/DlibModels.Fuzz.dll" "$t" > "$out/afl/$t.log" 2>&1 || { echo "$t: afl-fuzz failed, see $out/afl/$t.log"; bad=1; continue; }
  s="$out/afl/$t/default/fuzzer_stats"
  v() { grep "^$1 " "$s" | sed 's/.*: //'; }
  echo "$t: execs $(v execs_done) ($(v execs_per_sec)/s) edges $(v edges_found) map $(v bitmap_cvg) corpus $(v corpus_count) crashes $(v saved_crashes) hangs $(v saved_hangs)"
  if [ "$(v saved_crashes)" != 0 ] || [ "$(v saved_hangs)" != 0 ]; then bad=1; fi
done
exit $bad
