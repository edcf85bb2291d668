#!/usr/bin/env python3
"""Exact inner-product search with FAISS (IndexFlatIP) and NumPy on random unit vectors, timed as
`lodestar bench index` times Lodestar: one query's p50/p99 latency, and queries per second for a batch;
plus FAISS's 8-bit scalar quantizer (IndexScalarQuantizer QT_8bit) with its recall@k against the flat index.

Prints one JSON line. Debian's python3-faiss (1.7.3) is built without FAISS's SIMD kernels (no AVX2/AVX-512
build); say so beside any ratio against it."""
import argparse, json, os, time

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clustered", action="store_true", help="a Gaussian mixture (1,000 unit centres, noise 0.05 per dimension), as `lodestar bench index --clustered`")
    parser.add_argument("--hnsw", action="store_true", help="also IndexHNSWFlat M=32, efSearch 64 (minutes to build at 1M)")
    args = parser.parse_args()

    import faiss
    faiss.omp_set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)
    def draw(n):
        if not args.clustered:
            return rng.standard_normal((n, args.dim), dtype=np.float32)
        return centres[rng.integers(0, len(centres), n)] + 0.05 * rng.standard_normal((n, args.dim), dtype=np.float32)
    centres = (rng.standard_normal((1000, args.dim), dtype=np.float32) / np.sqrt(args.dim)).astype(np.float32)
    data = draw(args.items)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    queries = draw(args.queries)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)

    start = time.perf_counter()
    index = faiss.IndexFlatIP(args.dim)
    index.add(data)
    build = time.perf_counter() - start

    for q in range(min(20, args.queries)):
        index.search(queries[q:q + 1], args.k)
    latencies = []
    for q in range(args.queries):
        start = time.perf_counter()
        index.search(queries[q:q + 1], args.k)
        latencies.append((time.perf_counter() - start) * 1e3)

    numpy_latencies = []
    for q in range(min(args.queries, 50)):
        start = time.perf_counter()
        scores = data @ queries[q]
        top = np.argpartition(-scores, args.k)[:args.k]
        top[np.argsort(-scores[top])]
        numpy_latencies.append((time.perf_counter() - start) * 1e3)

    # Scalar quantization to 8 bits per dimension (FAISS's int8 peer of Lodestar's int8 scan), searched
    # without rescoring; recall@k is against the flat index's answers.
    start = time.perf_counter()
    sq8 = faiss.IndexScalarQuantizer(args.dim, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
    sq8.train(data)
    sq8.add(data)
    sq8_build = time.perf_counter() - start
    sq8_queries = min(args.queries, 50)
    sq8.search(queries[:1], args.k)
    sq8_latencies, recalled = [], 0
    _, exact = index.search(queries[:sq8_queries], args.k)
    for q in range(sq8_queries):
        start = time.perf_counter()
        _, found = sq8.search(queries[q:q + 1], args.k)
        sq8_latencies.append((time.perf_counter() - start) * 1e3)
        recalled += len(set(found[0]) & set(exact[q]))

    index.search(queries, args.k)
    batches, start = 0, time.perf_counter()
    while batches < 2 or time.perf_counter() - start < 2.0:
        index.search(queries, args.k)
        batches += 1
    batch_qps = batches * args.queries / (time.perf_counter() - start)

    hnsw = {}
    if args.hnsw:
        # The approximate peer: a graph index, fast where data is clustered, never exact.
        start = time.perf_counter()
        graph = faiss.IndexHNSWFlat(args.dim, 32, faiss.METRIC_INNER_PRODUCT)
        graph.hnsw.efSearch = 64
        graph.add(data)
        hnsw_build = time.perf_counter() - start
        _, exact_all = index.search(queries, args.k)
        graph.search(queries[:1], args.k)
        hnsw_latencies, hnsw_recalled = [], 0
        for q in range(args.queries):
            start = time.perf_counter()
            _, found = graph.search(queries[q:q + 1], args.k)
            hnsw_latencies.append((time.perf_counter() - start) * 1e3)
            hnsw_recalled += len(set(found[0]) & set(exact_all[q]))
        batches, start = 0, time.perf_counter()
        while batches < 2 or time.perf_counter() - start < 2.0:
            graph.search(queries, args.k)
            batches += 1
        hnsw = {
            "hnsw_build_seconds": hnsw_build, "hnsw_index_bytes": int(faiss.serialize_index(graph).nbytes),
            "hnsw_single_query_p50_ms": float(np.median(hnsw_latencies)),
            "hnsw_batch_queries_per_second": batches * args.queries / (time.perf_counter() - start),
            "hnsw_recall_at_k": hnsw_recalled / (args.queries * args.k),
        }

    print(json.dumps({
        "name": "faiss_flat_ip", "data": "clustered" if args.clustered else "random", "items": args.items, "dimension": args.dim, "threads": args.threads,
        "faiss_version": faiss.__version__, "build_seconds": build,
        # Bytes of each index as FAISS serializes it: its vectors or codes and its structures.
        "index_bytes": int(faiss.serialize_index(index).nbytes), "sq8_index_bytes": int(faiss.serialize_index(sq8).nbytes),
        "single_query_p50_ms": float(np.median(latencies)), "single_query_p99_ms": float(np.percentile(latencies, 99)),
        "numpy_single_query_p50_ms": float(np.median(numpy_latencies)),
        "batch_size": args.queries, "batch_queries_per_second": batch_qps, "k": args.k,
        "sq8_build_seconds": sq8_build, "sq8_single_query_p50_ms": float(np.median(sq8_latencies)),
        "sq8_recall_at_k": recalled / (sq8_queries * args.k),
        **hnsw,
    }))


if __name__ == "__main__":
    main()
