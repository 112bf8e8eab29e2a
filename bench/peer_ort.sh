#!/bin/bash
# Our engine vs ONNX Runtime (CPU provider, graph optimizations on) on the same networks, inputs
# and threads, interleaved, on this machine:
#
#   bench/peer_ort.sh                  # all cases, 1 and 2 threads -> section in bench/RESULTS.md
#
# Both sides are the same `dlib-models bench` process code; only `--engine dlibmodels|ort` differs
# (ort: the network exported to ONNX in memory by DlibModels.Onnx and run by one InferenceSession,
# intra-op threads = --threads). Face ResNet: `bench descriptors --chips` (16 chips of 150x150 in
# batches of 1 or 16; step descriptor_batch includes building the input tensor, the same code on
# both sides). Others: `bench forward`, the network's forward pass alone on its input tensor (MMOD:
# the tiled pyramid of the photo; ResNet34: the photo resized to 227x227, batch 1).
#
# Environment:
#   REPS=5        timed reps per process (+1 warmup)
#   ROUNDS=2      processes per engine and case; the engines alternate (ours, ort, ours, ort, ...)
#   THREADS="1 2" --threads T for both engines
#   CASES=regex   only the cases whose name matches
#   SHARED=dir    the shared/ folder (default: ../shared from the repo root, or /work/shared)
#   WORK=dir      raw output (default /tmp/dlib-models-peer-ort)
#   RESULTS=file  the markdown whose "Peer: ONNX Runtime" section is replaced (default bench/RESULTS.md; - prints only)
#   NO_BUILD=1    use the existing Release build of the CLI
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${SHARED:-}" ]; then
    for d in "$REPO/../shared" /work/shared; do [ -d "$d/models" ] && { SHARED=$(cd "$d" && pwd); break; }; done
fi
[ -d "${SHARED:-}/models" ] || { echo "peer_ort.sh: set SHARED to the shared/ folder (with models/)" >&2; exit 1; }
WORK=${WORK:-/tmp/dlib-models-peer-ort}
RAW=$WORK/raw
mkdir -p "$RAW"; rm -f "$RAW"/*.json "$RAW"/*.txt "$RAW"/*.load
REPS=${REPS:-5}; ROUNDS=${ROUNDS:-2}; THREADS=${THREADS:-1 2}; CASES=${CASES:-.}
RESULTS=${RESULTS:-$REPO/bench/RESULTS.md}
T0=$(date +%s)

if [ -z "${NO_BUILD:-}" ]; then
    echo ">> dotnet build -c Release src/DlibModels.Cli" >&2
    (cd "$REPO" && dotnet build -c Release src/DlibModels.Cli -v q -nologo >&2) || { echo "peer_ort.sh: build failed" >&2; exit 1; }
fi
OURS=$REPO/src/DlibModels.Cli/bin/Release/net10.0/dlib-models
[ -x "$OURS" ] || { echo "peer_ort.sh: $OURS missing" >&2; exit 1; }

cd "$SHARED"
M=models; S=models/standin
FACE=$M/mmod_human_face_detector.dat.bz2
REAR=$M/mmod_rear_end_vehicle_detector.dat.bz2
FACEREC=$M/dlib_face_recognition_resnet_model_v1.dat.bz2; [ -e "$FACEREC" ] || FACEREC=$S/dlib_face_recognition_resnet_model_v1.faceapi.dat.bz2
RESNET=$M/resnet34_1000_imagenet_classifier.dnn.bz2; [ -e "$RESNET" ] || RESNET=$S/resnet34_1000_imagenet_classifier.random.dnn.bz2
SMALL=images/faces/2008_001322.jpg; BIG=images/faces/bald_guys.jpg; CARS=images/mmod_cars_test_image.jpg
mapfile -t CH < <(find images/johns -name '*.jpg' | sort)
CHIPS16=("${CH[@]:0:16}")

# name|step|arguments (the same for both engines)
cases=(
  "facerec_b1|descriptor_batch|descriptors $FACEREC --chips ${CHIPS16[*]} --batch 1"
  "facerec_b16|descriptor_batch|descriptors $FACEREC --chips ${CHIPS16[*]} --batch 16"
  "mmod_face_500x375|forward|forward $FACE $SMALL"
  "mmod_face_1986x1545|forward|forward $FACE $BIG"
  "vehicle_rear_928x478|forward|forward $REAR $CARS"
  "resnet34_227x227|forward|forward $RESNET $SMALL"
)
printf '%s\n' "${cases[@]}" > "$RAW/cases.txt"

for T in $THREADS; do
    for c in "${cases[@]}"; do
        name=${c%%|*}; rest=${c#*|}; args=${rest#*|}
        [[ $name =~ $CASES ]] || continue
        for round in $(seq 1 "$ROUNDS"); do
            for engine in dlibmodels ort; do
                f="$RAW/${engine}_t${T}_${name}_r${round}"
                echo ">> t$T $name round $round $engine ($(( $(date +%s) - T0 )) s, load $(cut -d' ' -f1 /proc/loadavg))" >&2
                cut -d' ' -f1-3 /proc/loadavg > "$f.load"
                # shellcheck disable=SC2086
                "$OURS" bench $args --reps "$REPS" --warmup 1 --threads "$T" --no-load-steps --engine "$engine" > "$f.json" 2> "$f.txt" \
                    || echo "   $engine t$T $name failed: $(tail -1 "$f.txt")" >&2
                cut -d' ' -f1-3 /proc/loadavg >> "$f.load"
            done
        done
    done
done

SECS=$(( $(date +%s) - T0 ))
python3 "$REPO/bench/peer_ort_report.py" "$RAW" "$SECS" "$REPS" "$ROUNDS" > "$WORK/section.md" || exit 1
if [ "$RESULTS" = "-" ]; then cat "$WORK/section.md"; exit 0; fi
python3 - "$RESULTS" "$WORK/section.md" <<'PY'
import sys, re
path, sec = sys.argv[1], open(sys.argv[2]).read().rstrip() + "\n"
try:
    text = open(path).read()
except FileNotFoundError:
    text = ""
begin, end = "<!-- peer-ort:begin -->", "<!-- peer-ort:end -->"
block = begin + "\n" + sec + end + "\n"
if begin in text and end in text:
    text = text[:text.index(begin)] + block + text[text.index(end) + len(end) + 1:]
else:
    text = text.rstrip() + "\n\n" + block
open(path, "w").write(text)
PY
cat "$WORK/section.md"; echo "wrote the section into $RESULTS" >&2
