# How the scale-out embedding stage grows with workers: a backlog of prompt changes is built in Redis (a replay with no
# prompt or embedding worker of its own, one `nearline worker --stage prompts` process applying the events), then W
# `nearline worker --stage embed --threads T` processes drain it, and the drain rate is taken from the backlog itself
# (changes left in the embed group, read every 50 ms: from its first fall to zero). Rounds of every (W, T) interleave;
# one JSON object on stdout with each round and the median per (W, T); progress on stderr.
# usage: python3 embed_scaling.py LODESTAR_DLL RUN_DIR [--events N] [--rounds R] [--port P] [--configs 1x1,2x1,1x2,2x2]
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, time

parser = argparse.ArgumentParser()
parser.add_argument("dll")
parser.add_argument("run")
parser.add_argument("--events", type=int, default=60000)
parser.add_argument("--rounds", type=int, default=3)
parser.add_argument("--port", type=int, default=6391)
parser.add_argument("--configs", default="1x1,2x1,1x2,2x2", help="WORKERSxTHREADS, comma-separated")
args = parser.parse_args()
configs = [tuple(int(x) for x in c.split("x")) for c in args.configs.split(",")]
endpoint = f"127.0.0.1:{args.port}"
work = tempfile.mkdtemp(prefix="embed-scaling-")
redis = subprocess.Popen(["redis-server", "--port", str(args.port), "--save", "", "--appendonly", "no", "--dir", work],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def log(message):
    print(message, file=sys.stderr, flush=True)


def cli(*command):
    return subprocess.run(["redis-cli", "-p", str(args.port), *command], capture_output=True, text=True, check=True).stdout.split("\n")


def lodestar(*arguments):
    return subprocess.Popen(["dotnet", args.dll, *arguments], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def backlog(prefix):
    """Changes the embed group has not acknowledged: its lag plus its pending entries, over the three priority streams."""
    total = 0
    for priority in (2, 1, 0):
        stream = f"{prefix}prompt-changes:{priority}"
        if cli("EXISTS", stream)[0] != "1":
            continue
        fields = cli("XINFO", "GROUPS", stream)
        values = dict(zip(fields[0::2], fields[1::2]))
        if "lag" not in values:
            return None
        total += int(values["lag"] or 0) + int(values["pending"])
    return total


for _ in range(100):
    try:
        if cli("PING")[0] == "PONG":
            break
    except subprocess.CalledProcessError:
        pass
    time.sleep(0.1)

cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
flags = next((line for line in open("/proc/cpuinfo") if line.startswith("flags")), "")
rounds = []
try:
    for round_number in range(args.rounds):
        for workers, threads in configs:
            cli("FLUSHALL")
            prefix = f"scaling-{round_number}-{workers}x{threads}:"
            output = os.path.join(work, prefix.rstrip(":"))
            prompt_worker = lodestar("nearline", "worker", "--stage", "prompts", "--redis", endpoint, "--prefix", prefix, "--run", args.run,
                                     "--change-capacity", str(10 * args.events), "--json")
            replay = lodestar("nearline", "replay", "--run", args.run, "--out", output, "--redis", endpoint, "--prefix", prefix,
                              "--prompt-workers", "0", "--embed-workers", "0", "--limit", str(args.events), "--json")
            while int(cli("SCARD", f"{prefix}applied")[0] or 0) < args.events:
                time.sleep(0.2)
            prompt_worker.terminate()
            prompt_worker.wait()
            start_backlog = backlog(prefix)
            log(f"round {round_number} W={workers} T={threads}: {start_backlog} changes waiting")
            embedders = [lodestar("nearline", "worker", "--stage", "embed", "--redis", endpoint, "--prefix", prefix, "--run", args.run,
                                  "--name", f"e{i}", "--threads", str(threads), "--exit-when-idle", "1", "--json") for i in range(workers)]
            first_fall = None
            while True:
                left = backlog(prefix)
                now = time.perf_counter()
                if first_fall is None and left < start_backlog:
                    first_fall, from_backlog = now, left
                if left == 0:
                    break
                time.sleep(0.05)
            seconds = now - first_fall
            reports = [json.loads(e.communicate()[0]) for e in embedders]
            replay.communicate()
            shutil.rmtree(output, ignore_errors=True)
            embedded = sum(r["counters"]["changes"] for r in reports)
            taken = sum(r["counters"]["applied"] for r in reports)
            result = {"round": round_number, "workers": workers, "threads": threads, "backlog": start_backlog, "seconds": seconds,
                      "changes_per_second": from_backlog / seconds, "changes_taken": taken, "embeddings_stored": embedded,
                      "encoder_seconds": [r["counters"]["encoder_seconds"] for r in reports]}
            log(f"  {from_backlog} changes in {seconds:.2f} s: {result['changes_per_second']:.0f}/s; {embedded} embeddings stored")
            rounds.append(result)
finally:
    redis.terminate()
    redis.wait()
    shutil.rmtree(work, ignore_errors=True)

medians = [{"workers": w, "threads": t, "changes_per_second": statistics.median(r["changes_per_second"] for r in rounds if (r["workers"], r["threads"]) == (w, t))}
           for w, t in configs]
print(json.dumps({"cpu": cpu, "avx512f": " avx512f" in flags, "cores": os.cpu_count(), "events": args.events, "rounds": rounds, "medians": medians}))
