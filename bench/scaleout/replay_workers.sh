#!/usr/bin/env bash
# The scale-out deployment end to end with 1 and then 2 embedding worker processes, rounds interleaved: a redis-server
# of its own (AOF on, as a deployment would run it), `nearline replay --redis --embed-workers 0` hosting the prompt worker
# and one index replica, W `nearline worker --stage embed` processes. Prints one JSON line per run (events/s, new-post
# and member-refresh freshness, embeddings stored per worker) on stdout; progress on stderr.
# usage: bench/scaleout/replay_workers.sh LODESTAR_DLL RUN_DIR [RATE (0: as fast as possible)] [ROUNDS] [WORKER_THREADS]
set -euo pipefail
dll=$1 run=$2 rate=${3:-5000} rounds=${4:-2} threads=${5:-1}
port=6392
work=$(mktemp -d /tmp/replay-workers-XXXX)
redis-server --port $port --appendonly yes --dir "$work" >/dev/null 2>&1 &
redis=$!
trap 'kill $redis 2>/dev/null; wait $redis 2>/dev/null; rm -rf "$work"' EXIT
until redis-cli -p $port ping >/dev/null 2>&1; do sleep 0.1; done
rate_args=()
[ "$rate" != 0 ] && rate_args=(--rate "$rate")
for round in $(seq 1 "$rounds"); do
  for workers in 1 2; do
    redis-cli -p $port flushall >/dev/null
    prefix="r$round-w$workers:"
    pids=()
    for i in $(seq 1 "$workers"); do
      dotnet "$dll" nearline worker --stage embed --redis 127.0.0.1:$port --prefix "$prefix" --run "$run" --name "e$i" \
        --threads "$threads" --exit-when-idle 2 --json > "$work/worker-$i.json" 2>/dev/null &
      pids+=($!)
    done
    echo "round $round, $workers embedding worker(s)" >&2
    dotnet "$dll" nearline replay --run "$run" --out "$work/$prefix" --redis 127.0.0.1:$port --prefix "$prefix" \
      --embed-workers 0 "${rate_args[@]}" --json > "$work/replay.json" 2>/dev/null
    wait "${pids[@]}"
    python3 - "$work" "$round" "$workers" "$threads" "$rate" <<'EOF'
import json, sys, glob
work, round_, workers, threads, rate = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
replay = json.load(open(f"{work}/replay.json"))
embedders = [json.load(open(path)) for path in sorted(glob.glob(f"{work}/worker-*.json"))]
merged = {}
for source in [replay] + embedders:
    for cause, figures in source["freshness"].items():
        merged.setdefault(cause, []).append(figures)
def worst(cause, field):
    return max((f[field] for f in merged.get(cause, [])), default=None)
print(json.dumps({"round": round_, "workers": workers, "threads_per_worker": threads, "rate": rate, "events": replay["events"],
                  "events_per_second": replay["events_per_second"], "prompt_busy_seconds": replay["prompts"]["busy_seconds"],
                  "new_post_p50_ms": replay["freshness"]["post_created/post"]["p50_milliseconds"],
                  "new_post_p99_ms": replay["freshness"]["post_created/post"]["p99_milliseconds"],
                  "member_refresh_p99_ms_worst_worker": worst("impression/member", "p99_milliseconds"),
                  "embeddings_per_worker": [e["counters"]["changes"] for e in embedders],
                  "encoder_seconds_per_worker": [e["counters"]["encoder_seconds"] for e in embedders]}), flush=True)
EOF
    rm -f "$work"/worker-*.json
  done
done
