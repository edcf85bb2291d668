#!/usr/bin/env bash
# Runs the reference-transformer benchmarks on both sides, config by config so both see similar machine
# load: Lodestar (`lodestar bench train-step|infer --config C --json`) then PyTorch (torch_transformer.py).
# Prints one JSON line per figure: name, config, lodestar, pytorch, ratio (> 1 means Lodestar is better:
# lodestar/pytorch for tokens_per_s, pytorch/lodestar for latencies).
# Usage: bench/compare/compare-transformer.sh [--configs small,base] [--threads 2] [--quick]
# Lodestar's lines must carry the figure names of torch_transformer.py (train_step, infer_b1, infer_b64).
set -euo pipefail
cd "$(dirname "$0")/../.."

configs=small,base
threads=2
torch_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --configs) configs=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --quick) torch_args=(--warmup 1 --train-steps 2 --latency-runs 20 --throughput-runs 1); shift ;;
        -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "compare-transformer.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build src/Lodestar.Cli -c Release -v quiet -nologo >&2
lodestar=(dotnet src/Lodestar.Cli/bin/Release/net10.0/lodestar.dll)

status=0
for config in ${configs//,/ }; do
    for command in train-step infer; do
        if ! DOTNET_gcServer=0 "${lodestar[@]}" bench "$command" --config "$config" --json >> "$work/lodestar.jsonl" 2> "$work/lodestar.err"; then
            echo "compare-transformer.sh: 'lodestar bench $command --config $config --json' failed: $(grep -v "^[[:space:]]*$" "$work/lodestar.err" | tail -n 1)" >&2
            status=1
        fi
    done
    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OMP_NUM_THREADS=$threads \
        /usr/bin/python3 bench/compare/torch_transformer.py --configs "$config" --threads "$threads" "${torch_args[@]}" >> "$work/pytorch.jsonl"
done

/usr/bin/python3 - "$work/lodestar.jsonl" "$work/pytorch.jsonl" <<'PY'
import json, sys

def lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip().startswith("{")]

lodestar = {(r.get("name"), r.get("config")): r for r in lines(sys.argv[1])}
higher_is_better = {"tokens_per_s": True, "latency_ms_p50": False, "latency_ms_p99": False}
for theirs in lines(sys.argv[2]):
    ours = lodestar.get((theirs["name"], theirs["config"]), {})
    for metric, higher in higher_is_better.items():
        if metric not in theirs:
            continue
        mine = ours.get(metric)
        ratio = None if not mine else (mine / theirs[metric] if higher else theirs[metric] / mine)
        print(json.dumps({"name": f"{theirs['name']}.{metric}", "config": theirs["config"], "threads": theirs["threads"],
                          "lodestar": mine, "pytorch": theirs[metric], "ratio": ratio}))
PY
exit $status
