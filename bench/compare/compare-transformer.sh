#!/usr/bin/env bash
# Runs the reference-transformer benchmarks on both sides, config by config so both see similar machine
# load: Lodestar (`lodestar bench train-step|infer --config C --json`) then PyTorch (torch_transformer.py).
# Prints one JSON line per figure: name, config, lodestar, pytorch, ratio (> 1 means Lodestar is better:
# lodestar/pytorch for tokens_per_s, pytorch/lodestar for latencies).
# Usage: bench/compare/compare-transformer.sh [--configs small,base] [--threads 2] [--quick] [--rounds N]
# --rounds N repeats the whole comparison N times, interleaved (both sides per config per round), and reports
# per figure the median of the N same-round ratios with their minimum, maximum and the list (this VM's
# run-to-run noise is about ±20%, so a single round decides little); lodestar/pytorch are the medians.
# Lodestar's lines must carry the figure names of torch_transformer.py (train_step, infer_b1, infer_b64).
# PyTorch runs with OpenMP OpenBLAS, --threads threads and OMP_WAIT_POLICY=PASSIVE (see torch_transformer.py);
# the machine is usually shared, so compare ratios from one run, never absolute figures across runs.
set -euo pipefail

configs=small,base
threads=2
rounds=1
torch_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --configs) configs=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --quick) torch_args=(--warmup 1 --train-steps 2 --latency-runs 20 --throughput-runs 1); shift ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "compare-transformer.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done

if ! [[ "$rounds" =~ ^[1-9][0-9]*$ ]]; then
    echo "compare-transformer.sh: --rounds '$rounds' must be a positive integer" >&2
    exit 2
fi

cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build src/Lodestar.Cli -c Release -v quiet -nologo >&2
lodestar=(dotnet src/Lodestar.Cli/bin/Release/net10.0/lodestar.dll)

status=0
for round in $(seq 1 "$rounds"); do
for config in ${configs//,/ }; do
    for command in train-step infer; do
        if ! "${lodestar[@]}" bench "$command" --config "$config" --json >> "$work/lodestar.$round.jsonl" 2> "$work/lodestar.err"; then
            echo "compare-transformer.sh: 'lodestar bench $command --config $config --json' failed: $(grep -v "^[[:space:]]*$" "$work/lodestar.err" | tail -n 1)" >&2
            status=1
        fi
    done
    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OMP_NUM_THREADS=$threads \
        /usr/bin/python3 bench/compare/torch_transformer.py --configs "$config" --threads "$threads" "${torch_args[@]}" >> "$work/pytorch.$round.jsonl"
done
done

/usr/bin/python3 - "$work" "$rounds" <<'PY'
import json, statistics, sys

def lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip().startswith("{")]

work, rounds = sys.argv[1], int(sys.argv[2])
higher_is_better = {"tokens_per_s": True, "latency_ms_p50": False, "latency_ms_p99": False}
figures = {}
for round in range(1, rounds + 1):
    lodestar = {(r.get("name"), r.get("config")): r for r in lines(f"{work}/lodestar.{round}.jsonl")}
    for theirs in lines(f"{work}/pytorch.{round}.jsonl"):
        ours = lodestar.get((theirs["name"], theirs["config"]), {})
        for metric, higher in higher_is_better.items():
            if metric not in theirs:
                continue
            mine = ours.get(metric)
            ratio = None if not mine else (mine / theirs[metric] if higher else theirs[metric] / mine)
            figure = figures.setdefault((theirs["name"], metric, theirs["config"]), {"threads": theirs["threads"], "rows": []})
            figure["rows"].append((mine, theirs[metric], ratio, theirs.get("cpu_s_per_wall_s")))

def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None

for (name, metric, config), figure in figures.items():
    rows = figure["rows"]
    ratios = [r[2] for r in rows]
    known = [r for r in ratios if r is not None]
    print(json.dumps({"name": f"{name}.{metric}", "config": config, "threads": figure["threads"],
                      "lodestar": median(r[0] for r in rows), "pytorch": median(r[1] for r in rows),
                      "ratio": median(ratios), "ratio_min": min(known) if known else None,
                      "ratio_max": max(known) if known else None, "rounds": len(rows), "ratios": ratios,
                      "pytorch_cpu_s_per_wall_s": median(r[3] for r in rows)}))
PY
exit $status
