#!/usr/bin/env python3
# The PyTorch side of the GEMM benchmarks: torch.matmul on the products `lodestar bench gemm` times, with the
# same names and shapes, printing one JSON line per product for compare-gemm.sh.
#
# For each MxNxK (C is M×N, depth K), the same cases as `lodestar bench gemm`:
#   fp32_forward_nn          A(M,K) @ B(K,N)
#   fp32_backward_input_nt   M×K×N: dY(M,N) @ W(K,N)ᵀ      (shape printed as MxKxN)
#   fp32_backward_weight_tn  K×N×M: X(M,K)ᵀ @ dY(M,N)      (shape printed as KxNxM)
#   int8_forward             dynamically quantized nn.Linear (int8 weights, u8 activations; FBGEMM, else oneDNN)
#   bf16_forward             F.linear with bf16 activations and weights (PyTorch has no bf16-weight × fp32 kernel)
# Each line: {"name", "shape", "threads", "gflops", "median_ms", "cpu_s_per_wall_s"}; gflops counts 2·M·N·K.
# cpu_s_per_wall_s (at most --threads) shows how much of the machine the run got: far below --threads means
# other work was competing and the figure is pessimistic.
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
# OpenMP threads that spin at barriers collapse on an oversubscribed machine (measured here at 256³ with
# 2 threads on 2 busy cores: 0.95 GFLOP/s spinning vs 16 GFLOP/s passive), so they sleep unless told otherwise.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def parse_shapes(text):
    shapes = []
    for item in text.split(","):
        parts = item.strip().split("x")
        if len(parts) != 3 or not all(p.isdigit() and int(p) > 0 for p in parts):
            sys.exit(f"torch_gemm.py: --shapes: '{item}' is not MxNxK with positive integers")
        shapes.append(tuple(int(p) for p in parts))
    return shapes


def time_call(call, budget_s, min_samples=7, sample_s=0.1):
    """Median seconds per call over samples of ~sample_s each, after a warm-up of ~10% of the budget."""
    start = time.perf_counter()
    calls = 0
    while calls < 2 or time.perf_counter() - start < budget_s * 0.1:
        call()
        calls += 1
    per_call = (time.perf_counter() - start) / calls
    per_sample = max(1, int(sample_s / max(per_call, 1e-9)))
    samples = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    while len(samples) < min_samples or time.perf_counter() - wall0 < budget_s:
        t0 = time.perf_counter()
        for _ in range(per_sample):
            call()
        samples.append((time.perf_counter() - t0) / per_sample)
    cpu_ratio = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
    return statistics.median(samples), cpu_ratio


def cases(m, n, k, generator):
    def rand(*shape):
        return torch.rand(*shape, generator=generator) * 2 - 1

    a, b = rand(m, k), rand(k, n)
    dy, w = rand(m, n), rand(k, n)
    yield "fp32_forward_nn", (m, n, k), lambda: torch.matmul(a, b)
    yield "fp32_backward_input_nt", (m, k, n), lambda: torch.matmul(dy, w.t())
    yield "fp32_backward_weight_tn", (k, n, m), lambda: torch.matmul(a.t(), dy)
    linear = torch.nn.Linear(k, n, bias=False)
    quantized = torch.ao.quantization.quantize_dynamic(torch.nn.Sequential(linear), {torch.nn.Linear}, dtype=torch.qint8)
    yield "int8_forward", (m, n, k), lambda: quantized(a)
    a16, w16 = a.bfloat16(), rand(n, k).bfloat16()
    yield "bf16_forward", (m, n, k), lambda: F.linear(a16, w16)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shapes", default="1024x1024x1024,4096x256x1024")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=1.0, help="timing budget per case after warm-up")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    engines = torch.backends.quantized.supported_engines
    # Debian's torch has no FBGEMM; oneDNN is its x86 int8 backend (it uses AVX-512 VNNI where the CPU has it).
    engine = next(e for e in ("fbgemm", "onednn", "qnnpack") if e in engines)
    torch.backends.quantized.engine = engine
    generator = torch.Generator().manual_seed(1234)
    with torch.inference_mode():
        for m, n, k in parse_shapes(args.shapes):
            for name, (cm, cn, ck), call in cases(m, n, k, generator):
                seconds, cpu_ratio = time_call(call, args.seconds)
                print(json.dumps({"name": name, "shape": f"{cm}x{cn}x{ck}", "threads": args.threads,
                                  "gflops": 2.0 * cm * cn * ck / seconds / 1e9, "median_ms": seconds * 1e3,
                                  "cpu_s_per_wall_s": round(cpu_ratio, 2),
                                  "int8_engine": engine if name.startswith("int8") else None}), flush=True)


if __name__ == "__main__":
    main()
