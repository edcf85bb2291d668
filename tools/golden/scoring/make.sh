#!/usr/bin/env bash
# Trains the tiny job-matching student (from a tiny policy teacher) and the tiny SASRec that
# test/Lodestar.Features.Tests loads without the trainer, and records what the command line scores with
# them: test/golden/scoring/. Run from the repository root after `dotnet build -c Release`.
set -euo pipefail
root=$(pwd)
lodestar="dotnet $root/src/Lodestar.Cli/bin/Release/net10.0/lodestar.dll"
out=$root/test/golden/scoring
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cp "$root"/tools/golden/scoring/*.json .
# The same world the test generates: WorldConfig { Seed = 5, Members = 200, Days = 10 }.
$lodestar world generate --out world --members 200 --days 10 --seed 5 --json > /dev/null 2>&1
$lodestar match train policy-teacher --config teacher.json --json > /dev/null 2>&1
$lodestar match train student --config student.json --json > /dev/null 2>&1
python3 "$root/tools/golden/scoring/sequences.py"
$lodestar seqrec train --data sequences.txt --config sasrec.json --run runs/sasrec --json > /dev/null 2>&1

rm -rf "$out" && mkdir -p "$out/student" "$out/sasrec"
cp runs/student/best.safetensors runs/student/features.json runs/student/tokenizer.json "$out/student/"
cp runs/sasrec/best.safetensors "$out/sasrec/"
cp sequences.txt "$out/sasrec/"
for member in 3 17 64; do
  $lodestar match score --run runs/student --member $member --top 100 --json
done > "$out/student/scores.jsonl"
for history in "1 2 3" "40 1" "7 8 9 10 11 12 13 14 15 16 17 18 19 20"; do
  $lodestar seqrec recommend --checkpoint runs/sasrec/best.safetensors --history $history --k 5 --json
done > "$out/sasrec/recommendations.jsonl"
$lodestar seqrec recommend --checkpoint runs/sasrec/best.safetensors --data sequences.txt --user 9 --k 5 --json >> "$out/sasrec/recommendations.jsonl"
echo "wrote $out"
