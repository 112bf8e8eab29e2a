#!/bin/bash
# dlib (dlibref bench) and dlib-models (dlib-models bench) side by side, on this machine.
#
#   bench/compare.sh                     # all cases, 1 and 2 threads, REPS=5 -> bench/RESULTS.md
#
# Environment:
#   REPS=5        timed reps per process (HOG 500x375 uses max(REPS,10), as bench.sh does)
#   ROUNDS=1      processes per side and case; the sides alternate (dlib, ours, dlib, ours, ...)
#   THREADS="1 2" thread counts: OPENBLAS_NUM_THREADS=T for dlib, --threads T for ours
#   CASES=regex   only the cases whose name matches (e.g. CASES='^hog|^cnn_500')
#   SHARED=dir    the shared/ folder (default: ../shared from the repo root, or /work/shared)
#   WORK=dir      raw output and decompressed models (default /tmp/dlib-models-bench)
#   RESULTS=file  where the markdown goes (default bench/RESULTS.md; RESULTS=- prints only)
#   NO_BUILD=1    use the existing Release build of the CLI
#
# Both sides read the same *decompressed* model files (bunzip2 once, up front), so the cases
# time inference and deserialization, not bzip2; the bunzip2 cost is measured once on the side
# (row "model file read"). Case list and step names follow shared/dlibref/bench.sh; the ResNet34
# and hipsterizer cases are left out (no `bench classify|hipsterize` on our side yet).
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${SHARED:-}" ]; then
    for d in "$REPO/../shared" /work/shared; do [ -d "$d/dlibref" ] && { SHARED=$(cd "$d" && pwd); break; }; done
fi
[ -d "${SHARED:-}/dlibref" ] || { echo "compare.sh: set SHARED to the shared/ folder (with dlibref/)" >&2; exit 1; }
WORK=${WORK:-/tmp/dlib-models-bench}
RAW=$WORK/raw; MD=$WORK/models
mkdir -p "$RAW" "$MD"; rm -f "$RAW"/*.json "$RAW"/*.time "$RAW"/*.load "$RAW"/*.txt
REPS=${REPS:-5}; ROUNDS=${ROUNDS:-1}; THREADS=${THREADS:-1 2}; CASES=${CASES:-.}
RESULTS=${RESULTS:-$REPO/bench/RESULTS.md}
T0=$(date +%s)

# ---- tools
[ -x /usr/bin/time ] || { echo "installing GNU time" >&2; apt-get install -y time >/dev/null 2>&1 || sudo apt-get install -y time; }
DLIBREF=$SHARED/dlibref/dlibref
if [ ! -x "$DLIBREF" ]; then
    DLIBREF=$WORK/dlibref
    [ -x "$DLIBREF" ] || OUT=$DLIBREF bash "$SHARED/dlibref/build.sh" >&2 || { echo "compare.sh: dlibref build failed" >&2; exit 1; }
fi
# dlib's DNN runs on whatever libblas.so.3 is. If that is the netlib reference BLAS (Debian's
# default when libopenblas0 is not installed), unpack OpenBLAS 0.3.21 (the baseline's BLAS) into
# $WORK without installing it system-wide and point dlibref at it with LD_LIBRARY_PATH.
DLIB_LD=""
if ! ldd "$DLIBREF" | grep -q -i openblas; then
    OB=$WORK/openblas/root/usr/lib/x86_64-linux-gnu/openblas-pthread
    if [ ! -e "$OB/libblas.so.3" ]; then
        echo ">> libblas.so.3 is not OpenBLAS: unpacking libopenblas0-pthread into $WORK/openblas" >&2
        (mkdir -p "$WORK/openblas" && cd "$WORK/openblas" && apt-get download libopenblas0-pthread >/dev/null 2>&1 && dpkg -x libopenblas0-pthread_*.deb root) \
            || echo "compare.sh: could not get OpenBLAS; dlib runs on the reference BLAS (much slower DNN)" >&2
    fi
    [ -e "$OB/libblas.so.3" ] && DLIB_LD=$OB
fi
if [ -z "${NO_BUILD:-}" ]; then
    echo ">> dotnet build -c Release src/DlibModels.Cli" >&2
    (cd "$REPO" && dotnet build -c Release src/DlibModels.Cli -v q -nologo >&2) || { echo "compare.sh: build failed" >&2; exit 1; }
fi
OURS=$REPO/src/DlibModels.Cli/bin/Release/net10.0/dlib-models
[ -x "$OURS" ] || { echo "compare.sh: $OURS missing" >&2; exit 1; }

# ---- inputs (paths relative to shared/, as in bench.sh)
cd "$SHARED"
M=models; S=models/standin
unz() {  # decompressed copy of a model, made once
    local f=$1 out=$MD/$(basename "${1%.bz2}")
    if [ ! -s "$out" ]; then bzip2 -dc "$f" > "$out.tmp" && mv -f "$out.tmp" "$out"; fi
    echo "$out"
}
echo ">> decompressing models into $MD" >&2
FACE=$(unz $M/mmod_human_face_detector.dat.bz2)
SP68=$(unz $M/shape_predictor_68_face_landmarks.dat.bz2)
REAR=$(unz $M/mmod_rear_end_vehicle_detector.dat.bz2)
FRONTREAR=$(unz $M/mmod_front_and_rear_end_vehicle_detector.dat.bz2)
f=$(ls $S/shape_predictor_5_face_landmarks*.dat.bz2 2>/dev/null | head -1); SP5=${f:+$(unz "$f")}
f=$(ls $S/dlib_face_recognition_resnet_model_v1.faceapi.dat.bz2 2>/dev/null | head -1); FACEREC=${f:+$(unz "$f")}
SMALL=images/faces/2008_001322.jpg; BIG=images/faces/bald_guys.jpg; CARS=images/mmod_cars_test_image.jpg
mapfile -t CH < <(find images/johns -name '*.jpg' | sort)
CHIPS16=("${CH[@]}" "${CH[@]:0:4}")   # 12 chips + 4 repeated = 16
R=$REPS; R10=$(( R > 10 ? R : 10 ))

# name|primary step|arguments (the same for both tools)
cases=(
  "hog_500x375|detect|hog $SMALL --reps $R10"
  "hog_1986x1545|detect|hog $BIG --reps $R"
  "hog_1920x1080|detect|hog $BIG --resize 1920x1080 --reps $R"
  "cnn_500x375|detect|mmod $FACE $SMALL --reps $R"
  "cnn_1986x1545|detect|mmod $FACE $BIG --reps $R"
  "cnn_1920x1080|detect|mmod $FACE $BIG --resize 1920x1080 --reps $R"
  "landmarks68_bald_guys|landmarks|landmarks $SP68 $BIG --boxes-from hog --reps $R"
  "chips_each_bald_guys|chip|chips $SP68 $BIG --extract each --reps $R"
  "chips_all_bald_guys|chip|chips $SP68 $BIG --extract all --reps $R"
  "vehicle_rear_928x478|detect|mmod $REAR $CARS --reps $R"
  "vehicle_front_rear_928x478|detect|mmod $FRONTREAR $CARS --reps $R"
)
[ -n "$SP5" ] && cases+=("landmarks5_bald_guys|landmarks|landmarks $SP5 $BIG --boxes-from hog --reps $R")
[ -n "$FACEREC" ] && cases+=(
  "descriptor_b1|descriptor_batch|descriptors $FACEREC --chips ${CHIPS16[*]} --batch 1 --reps $R"
  "descriptor_b16|descriptor_batch|descriptors $FACEREC --chips ${CHIPS16[*]} --batch 16 --reps $R"
)
printf '%s\n' "${cases[@]}" > "$RAW/cases.txt"

run_side() {  # label threads case args...
    local label=$1 t=$2 name=$3; shift 3
    local f="$RAW/${label}_t${t}_${name}_r${round}"
    cut -d' ' -f1-3 /proc/loadavg > "$f.load"
    if [ "$label" = dlib ]; then
        LD_LIBRARY_PATH=$DLIB_LD${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} OPENBLAS_NUM_THREADS=$t /usr/bin/time -v -o "$f.time" "$DLIBREF" bench "$@" --warmup 1 > "$f.json" 2> "$f.txt"
    else
        /usr/bin/time -v -o "$f.time" "$OURS" bench "$@" --warmup 1 --threads "$t" > "$f.json" 2> "$f.txt"
    fi
    local rc=$?
    cut -d' ' -f1-3 /proc/loadavg >> "$f.load"
    [ $rc -eq 0 ] || echo "   $label t$t $name failed (rc $rc): $(tail -1 "$f.txt")" >&2
}

for T in $THREADS; do
    for c in "${cases[@]}"; do
        name=${c%%|*}; rest=${c#*|}; args=${rest#*|}
        [[ $name =~ $CASES ]] || continue
        for round in $(seq 1 "$ROUNDS"); do
            echo ">> t$T $name round $round ($(( $(date +%s) - T0 )) s, load $(cut -d' ' -f1 /proc/loadavg))" >&2
            # shellcheck disable=SC2086
            run_side dlib "$T" "$name" $args
            # shellcheck disable=SC2086
            run_side ours "$T" "$name" $args
        done
    done
done

# ---- bunzip2 of the 68-point model (the biggest file): bzip2 -dc vs our ModelFile.ReadAllBytes
if [[ "bunzip2" =~ $CASES ]]; then
    echo ">> bunzip2 shape_predictor_68 (bzip2 -dc, then ours)" >&2
    t0=$(date +%s%N); bzip2 -dc $M/shape_predictor_68_face_landmarks.dat.bz2 > /dev/null; t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000000 )) > "$RAW/bunzip2_dlib.ms"
    "$OURS" bench load $M/shape_predictor_68_face_landmarks.dat.bz2 --reps 1 --warmup 0 > "$RAW/bunzip2_ours.json" 2> "$RAW/bunzip2_ours.txt"
fi

SECS=$(( $(date +%s) - T0 ))
python3 "$REPO/bench/compare_report.py" "$RAW" "$SECS" "$REPS" "$ROUNDS" > "$WORK/RESULTS.md"
# Keep the "Peer: ONNX Runtime" section that bench/peer_ort.sh maintains in the same file.
if [ "$RESULTS" != "-" ] && [ -f "$RESULTS" ] && grep -q '<!-- peer-ort:begin -->' "$RESULTS"; then
    { echo; sed -n '/<!-- peer-ort:begin -->/,/<!-- peer-ort:end -->/p' "$RESULTS"; } >> "$WORK/RESULTS.md"
fi
if [ "$RESULTS" = "-" ]; then cat "$WORK/RESULTS.md"; else cp "$WORK/RESULTS.md" "$RESULTS"; sed -n '/^## Summary/,/^## /p' "$RESULTS"; echo "wrote $RESULTS" >&2; fi
