#!/usr/bin/python3
"""scikit-learn's KMeans on a workload file, timed, its centroids written as raw float32.

--iters N (default 20) runs max_iter=N with tol=0 (scikit-learn still stops early when no label changes; the
iterations it ran are reported); --converge uses its defaults instead (max_iter=300, tol=1e-4). Always n_init=1.
The training time is the whole fit() call, which also copies and centres X and ends with one more labelling pass;
the initialisation is timed apart, so that ms/iteration = (train_s - init_s) / iters.

Usage: train_sklearn.py --data F.f32 [--algorithm lloyd|elkan] [--init random|k-means++] [--iters 20 | --converge]
                        [--seed 1234] [--k K] --centroids OUT.f32 --out RESULT.json
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
    parser.add_argument("--algorithm", default="lloyd", choices=["lloyd", "elkan"])
    parser.add_argument("--init", default="random", choices=["random", "k-means++"])
    parser.add_argument("--iters", type=int, default=20)
    parser.add_argument("--converge", action="store_true")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--k", type=int, help="default: the workload's K")
    parser.add_argument("--centroids", required=True)
    parser.add_argument("--out", required=True)
    options = parser.parse_args()

    import sklearn
    from sklearn.cluster import KMeans
    from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
    from threadpoolctl import threadpool_info

    initialisation_seconds = [0.0]

    class InitialisationTimed(KMeans):
        def _init_centroids(self, *args, **kwargs):
            started = time.perf_counter()
            try:
                return super()._init_centroids(*args, **kwargs)
            finally:
                initialisation_seconds[0] += time.perf_counter() - started

    rows, meta = datasets.load(options.data)
    n, d = rows.shape
    k = options.k or meta["k"]
    max_iter, tol = (300, 1e-4) if options.converge else (options.iters, 0.0)
    model = InitialisationTimed(n_clusters=k, init=options.init, n_init=1, max_iter=max_iter, tol=tol,
                                algorithm=options.algorithm, random_state=options.seed, copy_x=True)
    started = time.perf_counter()
    model.fit(rows)
    train_seconds = time.perf_counter() - started

    np.ascontiguousarray(model.cluster_centers_, dtype="<f4").tofile(options.centroids)
    pools = [{key: pool.get(key) for key in ("internal_api", "version", "architecture", "num_threads")}
             for pool in threadpool_info()]
    result = {"system": "sklearn", "version": sklearn.__version__, "dataset": meta["name"], "n": n, "d": d, "k": k,
              "algorithm": options.algorithm, "init": options.init, "max_iter": max_iter, "tol": tol,
              "seed": options.seed, "converge_mode": options.converge,
              "threads_n": _openmp_effective_n_threads(), "blas": pools,
              "iters": int(model.n_iter_), "train_s": train_seconds, "init_s": initialisation_seconds[0],
              "sklearn_inertia_per_n": float(model.inertia_) / n,
              "env": {name: os.environ.get(name) for name in ENVIRONMENT}, "centroids": options.centroids}
    with open(options.out, "w") as f:
        json.dump(result, f, indent=1)
    print(f"sklearn {options.algorithm} {options.init} {meta['name']}: {model.n_iter_} iterations, "
          f"train {train_seconds:.3f} s (init {initialisation_seconds[0]:.3f} s), inertia/n {model.inertia_ / n:.5f}")


if __name__ == "__main__":
    main()
