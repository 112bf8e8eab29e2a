#!/usr/bin/env bash
# Packs the library and the CLI into a local feed, installs the CLI as a .NET tool into a temporary
# tool path, and runs `dlib-models detect` with it on a real image. Exit 0 when all of that works.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
feed="$work/feed"
tools="$work/tools"
dotnet pack src/DlibModels/DlibModels.csproj -c Release -o "$feed" -p:BaseOutputPath="$work/bin/" >/dev/null
dotnet pack src/DlibModels.ImageIO/DlibModels.ImageIO.csproj -c Release -o "$feed" -p:BaseOutputPath="$work/bin/" >/dev/null
dotnet pack src/DlibModels.Cli/DlibModels.Cli.csproj -c Release -o "$feed" -p:BaseOutputPath="$work/bin/" >/dev/null
for pkg in DlibModels dlib-models; do
  ls "$feed"/"$pkg".*.nupkg >/dev/null
done
# The library package carries its README, licence and XML docs, and no native assets.
listing=$(unzip -l "$feed"/DlibModels.0*.nupkg)
grep -q 'README.md' <<<"$listing"
grep -q 'lib/net10.0/DlibModels.xml' <<<"$listing"
if grep -q 'runtimes/' <<<"$listing"; then
  echo "tool-install: the library package carries native runtimes/" >&2
  exit 1
fi
dotnet tool install dlib-models --tool-path "$tools" --add-source "$feed" --version 0.1.0 >/dev/null
image=../shared/images/faces/2008_001322.jpg
[ -f "$image" ] || image=$(ls ../shared/images/faces/*.jpg | head -n 1)
out=$("$tools/dlib-models" detect "$image" --json)
grep -q '"detections":\[{"rect"' <<<"$out"
echo "tool-install: packed, installed and ran dlib-models detect ($(echo "$out" | grep -o '"rect":' | wc -l) detections)"
