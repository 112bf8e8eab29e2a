#!/usr/bin/env bash
# Writes the seed corpora to fuzz/out/seeds/<target>/ from ../shared (SHARED overrides) and
# synthetic files made by the harness, plus the checked-in regression inputs of
# tests/DlibModels.Tests/Fuzz/inputs/<target>-*. Nothing here is committed (fuzz/out is ignored).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
shared="${SHARED:-$root/../shared}"
dotnet build -c Release "$here/DlibModels.Fuzz/DlibModels.Fuzz.csproj" -nologo -v q >/dev/null
rm -rf "$here/out/seeds"
dotnet "$here/DlibModels.Fuzz/bin/Release/net10.0/DlibModels.Fuzz.dll" seeds "$here/out/seeds" "$shared"
for f in "$root"/tests/DlibModels.Tests/Fuzz/inputs/*; do
  [ -f "$f" ] || continue
  t="$(basename "$f")"; t="${t%%-*}"
  [ -d "$here/out/seeds/$t" ] && cp "$f" "$here/out/seeds/$t/"
done
