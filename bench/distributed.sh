#!/usr/bin/env bash
# Data-parallel training on this machine: steps/s of the shipped U-Net recipe (base width 16, depth 4,
# global batch 8 of 128² tiles, log inputs) with 1 and with 2 local ranks (c10d Gloo), and the bytes
# each rank all-reduces per step — measured in the same run, so the ratio is what counts.
# Usage: bench/distributed.sh [EPOCHS]   (after tools/setup; about a minute per epoch on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-3}
cli=$PWD/build/release/bin/jezero-cli
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$cli" dataset synth --count 32 --size 256 --seed 11 --tile 128 --input pnr --target fal --out "$work/data" >/dev/null
cat >"$work/config.json" <<JSON
{"dataset": "$work/data", "model": "unet", "base_width": 16, "depth": 4, "batch": 8, "epochs": $epochs,
 "learning_rate": 0.001, "input_transform": "log", "augment": true, "seed": 3, "threads": 0}
JSON
tiles=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['splits']['train']['tiles'])" "$work/data/dataset.json")
echo "train tiles: $tiles, global batch 8, $epochs epochs, $(nproc) cores"
for ranks in 1 2; do
  "$cli" train --config "$work/config.json" --out "$work/run-$ranks" --nproc "$ranks" >"$work/out-$ranks" 2>"$work/err-$ranks"
  /usr/bin/python3 - "$ranks" "$work/out-$ranks" "$work/err-$ranks" <<'PY'
import json, re, sys
ranks, out, err = int(sys.argv[1]), sys.argv[2], sys.argv[3]
steps = [json.loads(l) for l in open(out) if '"event":"step"' in l]
last = steps[-1]
rate = last["images_per_s"] / 8  # optimizer steps/s over the whole run, validation included
mb = re.search(r"all-reduced ([0-9.]+) MB", open(err).read())
per_step = float(mb.group(1)) / last["step"] if mb else 0.0
print(f"ranks {ranks}: {rate:.3f} steps/s ({last['images_per_s']:.1f} images/s), final loss {last['loss']:.5f}, "
      f"{per_step:.3f} MB all-reduced per rank per step")
PY
done
