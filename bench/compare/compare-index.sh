#!/usr/bin/env bash
# Exact search side by side in one run: `lodestar bench index --json` then FAISS IndexFlatIP, its 8-bit scalar
# quantizer and NumPy (faiss_index.py) on the same sizes. Prints one JSON line per side and one with the ratios
# (batch_qps_ratio > 1 and p50_ratio < 1 mean Lodestar is faster).
# Usage: bench/compare/compare-index.sh [--items 1000000] [--dim 128] [--queries 200] [--threads 2] [--clustered] [--hnsw]
# Needs python3-faiss, python3-numpy and libopenblas0-openmp (apt): FAISS answers batches of 20 or more queries with
# BLAS, and Debian's default reference BLAS is ~40× slower than OpenBLAS. Debian's FAISS 1.7.3 has no SIMD kernels.
set -euo pipefail

items=1000000
dim=128
queries=200
threads=2
clustered=()
hnsw=()
while [ $# -gt 0 ]; do
    case "$1" in
        --items) items=$2; shift 2 ;;
        --dim) dim=$2; shift 2 ;;
        --queries) queries=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --clustered) clustered=(--clustered); shift ;;
        --hnsw) hnsw=(--hnsw); shift ;;
        -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "compare-index.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done

cd "$(dirname "$0")/../.."
dotnet build src/Lodestar.Cli -c Release -v quiet -nologo >&2
lodestar=$(dotnet src/Lodestar.Cli/bin/Release/net10.0/lodestar.dll bench index --items "$items" --dim "$dim" --queries "$queries" --threads "$threads" "${clustered[@]}" --json)
faiss=$(LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OMP_NUM_THREADS=$threads OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/compare/faiss_index.py --items "$items" --dim "$dim" --queries "$queries" --threads "$threads" "${clustered[@]}" "${hnsw[@]}")
echo "$lodestar"
echo "$faiss"
/usr/bin/python3 - "$lodestar" "$faiss" <<'PY'
import json, sys
ours, theirs = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(json.dumps({
    "name": "index_flat_vs_faiss", "items": ours["items"], "dimension": ours["dimension"], "threads": ours["threads"], "isa": ours["isa"],
    "batch_qps_ratio": ours["batch_queries_per_second"] / theirs["batch_queries_per_second"],
    "p50_ratio": ours["single_query_p50_ms"] / theirs["single_query_p50_ms"],
    "p50_ratio_to_numpy": ours["single_query_p50_ms"] / theirs["numpy_single_query_p50_ms"],
    "lodestar_p50_over_bandwidth_limit": ours["p50_over_limit"],
    "int8_p50_ratio_to_faiss_sq8": ours["int8_query_p50_ms"] / theirs["sq8_single_query_p50_ms"],
    "int8_recall_at_k": ours["int8_recall_at_k"], "faiss_sq8_recall_at_k": theirs["sq8_recall_at_k"],
    "lodestar_index_bytes": ours["index_bytes"], "faiss_flat_index_bytes": theirs["index_bytes"], "faiss_sq8_index_bytes": theirs["sq8_index_bytes"],
    "faiss_note": "Debian python3-faiss 1.7.3, built without SIMD kernels",
}))
PY
