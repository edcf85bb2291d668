#!/usr/bin/env python3
# PyTorch 1.13 side of `lodestar bench attention`: naive matmul-softmax-matmul attention with the same
# masks and shapes (B=1, H=4, T=512, D=64), forward+backward, timed on the same thread count; JSON lines.
# Run: LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OMP_NUM_THREADS=2 /usr/bin/python3 bench/compare/torch_attention.py --threads 2
import argparse
import json
import math
import statistics
import time

import torch

B, H, T, D, CONTEXT = 1, 4, 512, 64, 128


def allowed_mask(kind):
    """Dense boolean (T,T) mask: True where query i may attend to key j."""
    i = torch.arange(T).unsqueeze(1)
    j = torch.arange(T).unsqueeze(0)
    if kind == "none":
        return torch.ones(T, T, dtype=torch.bool)
    if kind == "causal":
        return j <= i
    # 128-token causal context, then 384 single-token candidates that see the context and themselves only.
    context = (j < CONTEXT) & (j <= i)
    own = (i >= CONTEXT) & (j == i)
    return context | own


def allowed_area(kind):
    return int(allowed_mask(kind).sum())


def attention(q, k, v, allowed):
    scores = (q @ k.transpose(-2, -1)) / math.sqrt(D)
    scores = scores.masked_fill(~allowed, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def median_ms(run, iterations):
    run()
    run()
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=15)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(42)
    q, k, v = (torch.rand(B, H, T, D) * 2 - 1 for _ in range(3))
    d_out = torch.rand(B, H, T, D) * 2 - 1
    results = {}
    for name, kind, backward in [
        ("torch_attention_causal_fwd_bwd", "causal", True),
        ("torch_attention_full_fwd_bwd", "none", True),
        ("torch_attention_block_fwd_bwd", "block", True),
        ("torch_attention_full_fwd", "none", False),
        ("torch_attention_block_fwd", "block", False),
    ]:
        allowed = allowed_mask(kind)
        leaves = [t.clone().requires_grad_(backward) for t in (q, k, v)]

        def run():
            if backward:
                out = attention(*leaves, allowed)
                out.backward(d_out)
            else:
                with torch.no_grad():
                    attention(*leaves, allowed)

        ms = median_ms(run, args.iterations)
        flops_per_pair = (12.0 if backward else 4.0) * D
        useful = allowed_area(kind) * B * H * flops_per_pair / (ms * 1e6)
        dense = T * T * B * H * flops_per_pair / (ms * 1e6)
        results[name] = ms
        print(json.dumps({"name": name, "shape": f"B={B} H={H} T={T} D={D}", "mask": kind,
                          "pass": "forward_backward" if backward else "forward", "threads": args.threads, "ms": ms,
                          "gflops": useful, "gflops_useful": useful, "gflops_dense_equivalent": dense,
                          "torch": torch.__version__}))
    for suffix in ("fwd_bwd", "fwd"):
        full, block = results[f"torch_attention_full_{suffix}"], results[f"torch_attention_block_{suffix}"]
        print(json.dumps({"name": "torch_attention_block_vs_full_speedup", "pass": suffix, "threads": args.threads,
                          "full_ms": full, "block_ms": block, "speedup": full / block}))


if __name__ == "__main__":
    main()
