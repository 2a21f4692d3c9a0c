#!/usr/bin/python3
"""FAISS's faiss.Kmeans (CPU) on a workload file, timed, its centroids written as raw float32.

FAISS has no tolerance: it runs exactly --niter Lloyd iterations from k distinct random rows (seeded). It would
subsample to max_points_per_centroid x K rows; --mppc defaults to 2^30 so that every row is used, as our trainer
uses every row of these workloads (n = 256 K). FAISS reports cumulative times per iteration; the per-iteration
times written here are their differences.

Usage: train_faiss.py --data F.f32 [--niter 20] [--seed 1234] [--mppc N] [--k K] --centroids OUT.f32 --out RESULT.json
"""
import argparse
import json
import os
import time

import numpy as np

import datasets

ENVIRONMENT = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS", "OMP_WAIT_POLICY")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True)
    parser.add_argument("--niter", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--mppc", type=int, default=1 << 30, help="max_points_per_centroid")
    parser.add_argument("--k", type=int, help="default: the workload's K")
    parser.add_argument("--centroids", required=True)
    parser.add_argument("--out", required=True)
    options = parser.parse_args()

    import faiss
    from threadpoolctl import threadpool_info

    rows, meta = datasets.load(options.data)
    n, d = rows.shape
    k = options.k or meta["k"]
    model = faiss.Kmeans(d, k, niter=options.niter, seed=options.seed, nredo=1, verbose=False,
                         max_points_per_centroid=options.mppc, spherical=False)
    started = time.perf_counter()
    model.train(rows)
    train_seconds = time.perf_counter() - started

    np.ascontiguousarray(model.centroids, dtype="<f4").tofile(options.centroids)
    stats = model.iteration_stats
    cumulative = [s["time"] for s in stats]
    iteration_seconds = [b - a for a, b in zip([0.0] + cumulative[:-1], cumulative)]
    pools = [{key: pool.get(key) for key in ("internal_api", "version", "architecture", "num_threads")}
             for pool in threadpool_info()]
    result = {"system": "faiss", "version": faiss.__version__, "compile_options": faiss.get_compile_options(),
              "dataset": meta["name"], "n": n, "d": d, "k": k, "init": "random", "max_iter": options.niter,
              "seed": options.seed, "max_points_per_centroid": options.mppc,
              "points_used": int(min(n, k * options.mppc)), "threads_n": faiss.omp_get_max_threads(), "blas": pools,
              "iters": len(stats), "train_s": train_seconds, "init_s": 0.0, "iter_s": iteration_seconds,
              "obj_per_n": [s["obj"] / n for s in stats],
              "imbalance_factor_last": stats[-1]["imbalance_factor"] if stats else None,
              "env": {name: os.environ.get(name) for name in ENVIRONMENT}, "centroids": options.centroids}
    with open(options.out, "w") as f:
        json.dump(result, f, indent=1)
    last = f", last objective/n {stats[-1]['obj'] / n:.5f}" if stats else ""
    print(f"faiss {meta['name']}: {len(stats)} iterations, train {train_seconds:.3f} s{last}")


if __name__ == "__main__":
    main()
