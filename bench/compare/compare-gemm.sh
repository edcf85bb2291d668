#!/usr/bin/env bash
# Runs the GEMM benchmarks on both sides, shape by shape so both see similar machine load: Lodestar
# (`lodestar bench gemm --shapes S --json`) then PyTorch (torch_gemm.py, torch.matmul and friends).
# Prints one JSON line per case: name, shape, threads, lodestar, pytorch (GFLOP/s), ratio (lodestar/pytorch,
# > 1 means Lodestar is faster), lodestar_ratio_to_peak and pytorch_cpu_s_per_wall_s.
# Usage: bench/compare/compare-gemm.sh [--shapes 1024x1024x1024,4096x256x1024] [--threads 2] [--seconds 1]
# PyTorch runs with OpenMP OpenBLAS, --threads threads and OMP_WAIT_POLICY=PASSIVE (see torch_gemm.py);
# the machine is usually shared, so compare ratios from one run, never absolute figures across runs.
set -euo pipefail

shapes=1024x1024x1024,4096x256x1024
threads=2
seconds=1
while [ $# -gt 0 ]; do
    case "$1" in
        --shapes) shapes=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --seconds) seconds=$2; shift 2 ;;
        -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "compare-gemm.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done

cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build src/Lodestar.Cli -c Release -v quiet -nologo >&2
lodestar=(dotnet src/Lodestar.Cli/bin/Release/net10.0/lodestar.dll)

for shape in ${shapes//,/ }; do
    if ! "${lodestar[@]}" bench gemm --shapes "$shape" --threads "$threads" --seconds "$seconds" --json >> "$work/lodestar.jsonl" 2> "$work/lodestar.err"; then
        echo "compare-gemm.sh: 'lodestar bench gemm --shapes $shape --json' failed: $(grep -v "^[[:space:]]*$" "$work/lodestar.err" | tail -n 1)" >&2
        exit 1
    fi
    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OMP_NUM_THREADS=$threads \
        /usr/bin/python3 bench/compare/torch_gemm.py --shapes "$shape" --threads "$threads" --seconds "$seconds" >> "$work/pytorch.jsonl"
done

/usr/bin/python3 - "$work/lodestar.jsonl" "$work/pytorch.jsonl" <<'PY'
import json, sys

def lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip().startswith("{")]

theirs = {(r["name"], r["shape"]): r for r in lines(sys.argv[2])}
for ours in lines(sys.argv[1]):
    other = theirs.get((ours["name"], ours["shape"]), {})
    pytorch = other.get("gflops")
    print(json.dumps({"name": ours["name"], "shape": ours["shape"], "threads": ours["threads"],
                      "lodestar": ours["gflops"], "pytorch": pytorch,
                      "ratio": ours["gflops"] / pytorch if pytorch else None,
                      "lodestar_ratio_to_peak": ours["ratio_to_peak"],
                      "pytorch_cpu_s_per_wall_s": other.get("cpu_s_per_wall_s")}))
PY
