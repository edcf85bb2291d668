#!/usr/bin/env python3
# The PyTorch side of the engine benchmarks: the reference transformer (tools/golden/reference_transformer.py)
# timed for AdamW training steps and for inference, printing one JSON line per figure for compare-transformer.sh.
#
# Figures (same names Lodestar's `lodestar bench train-step|infer --json` prints):
#   {"name": "train_step", "config", "threads", "batch": 32, "seq_len": 128, "tokens_per_s", "ms_per_step_p50"}
#   {"name": "infer_b1",   "config", "threads", "batch": 1,  "seq_len": 128, "latency_ms_p50", "latency_ms_p99"}
#   {"name": "infer_b64",  "config", "threads", "batch": 64, "seq_len": 128, "tokens_per_s"}
# Configs of briefs/reference-model.md: base d=256/H=4/F=1024/L=4/V=8192, small d=128/H=4/F=512/L=2/V=8192;
# T = Tmax = 128, NumClasses 2, bidirectional attention (--causal for the causal mask), no padding, float32.
import argparse
import json
import os
import statistics
import sys
import time

OPENBLAS = "/usr/lib/x86_64-linux-gnu/openblas-openmp"
# Fair CPU comparison: OpenMP OpenBLAS with as many threads as Lodestar gets. Set before torch loads.
if OPENBLAS not in os.environ.get("LD_LIBRARY_PATH", "") and os.path.isdir(OPENBLAS):
    env = dict(os.environ, LD_LIBRARY_PATH=OPENBLAS + ":" + os.environ.get("LD_LIBRARY_PATH", ""))
    os.execve(sys.executable, [sys.executable] + sys.argv, env)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "golden"))
from reference_transformer import Transformer, TransformerConfig, make_adamw  # noqa: E402

CONFIGS = {
    "base": dict(d_model=256, n_heads=4, d_ff=1024, n_layers=4, vocab_size=8192),
    "small": dict(d_model=128, n_heads=4, d_ff=512, n_layers=2, vocab_size=8192),
}
SEQ_LEN, TRAIN_BATCH, THROUGHPUT_BATCH, NUM_CLASSES = 128, 32, 64, 2


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def build(name, causal, seed):
    torch.manual_seed(seed)
    config = TransformerConfig(**CONFIGS[name], max_len=SEQ_LEN, num_classes=NUM_CLASSES, causal=causal)
    return Transformer(config), config


def batch(config, size, generator):
    tokens = torch.randint(0, config.vocab_size, (size, SEQ_LEN), generator=generator)
    labels = torch.randint(0, NUM_CLASSES, (size,), generator=generator)
    return tokens, labels


def train_step(name, args, emit):
    model, config = build(name, args.causal, args.seed)
    model.train()
    optimizer = make_adamw(model)
    tokens, labels = batch(config, TRAIN_BATCH, torch.Generator().manual_seed(args.seed))
    times = []
    for step in range(args.warmup + args.train_steps):
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        F.cross_entropy(model(tokens), labels).backward()
        optimizer.step()
        if step >= args.warmup:
            times.append(time.perf_counter() - start)
    emit(name="train_step", config=name, batch=TRAIN_BATCH, seq_len=SEQ_LEN, steps=len(times),
         tokens_per_s=TRAIN_BATCH * SEQ_LEN * len(times) / sum(times),
         ms_per_step_p50=1000 * statistics.median(times))


def infer(name, args, emit):
    model, config = build(name, args.causal, args.seed)
    model.eval()
    generator = torch.Generator().manual_seed(args.seed)
    with torch.inference_mode():
        single, _ = batch(config, 1, generator)
        latencies = []
        for run in range(args.warmup + args.latency_runs):
            start = time.perf_counter()
            model(single)
            if run >= args.warmup:
                latencies.append(1000 * (time.perf_counter() - start))
        emit(name="infer_b1", config=name, batch=1, seq_len=SEQ_LEN, runs=len(latencies),
             latency_ms_p50=statistics.median(latencies), latency_ms_p99=percentile(latencies, 99))

        many, _ = batch(config, THROUGHPUT_BATCH, generator)
        model(many)
        start = time.perf_counter()
        for _ in range(args.throughput_runs):
            model(many)
        elapsed = time.perf_counter() - start
        emit(name="infer_b64", config=name, batch=THROUGHPUT_BATCH, seq_len=SEQ_LEN, runs=args.throughput_runs,
             tokens_per_s=THROUGHPUT_BATCH * SEQ_LEN * args.throughput_runs / elapsed)


def main():
    parser = argparse.ArgumentParser(description=__doc__ or "PyTorch side of the transformer benchmarks")
    parser.add_argument("--configs", default="small,base", help="comma-separated: small, base")
    parser.add_argument("--benches", default="train,infer", help="comma-separated: train, infer")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--train-steps", type=int, default=5)
    parser.add_argument("--latency-runs", type=int, default=100)
    parser.add_argument("--throughput-runs", type=int, default=3)
    parser.add_argument("--causal", action="store_true")
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    torch.set_num_threads(args.threads)

    def emit(**figures):
        figures["threads"] = args.threads
        figures["torch"] = torch.__version__
        print(json.dumps(figures), flush=True)

    for name in args.configs.split(","):
        if name not in CONFIGS:
            parser.error(f"--configs: unknown config '{name}' (expected one of {', '.join(CONFIGS)})")
        if "train" in args.benches.split(","):
            train_step(name, args, emit)
        if "infer" in args.benches.split(","):
            infer(name, args, emit)


if __name__ == "__main__":
    main()
