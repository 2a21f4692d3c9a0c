#!/usr/bin/python3
"""One quality metric for every system's centroids: inertia / n = sum over rows of the squared distance to the
nearest centroid, divided by the row count.

The nearest centroid is chosen per block of rows by a float32 product (argmin of |c|^2 - 2 x.c); the squared distance
to the chosen centroid is then recomputed in float64 from the float32 inputs and summed in float64, so the figure
is exact to about 1e-6 relative whatever the system's own arithmetic. Non-finite centroids are never chosen and
are counted, as are centroids no row chose (empty clusters).

Usage: inertia.py DATA.f32 CENTROIDS.f32       (centroids as raw float32, K x d row-major) -> one JSON line
"""
import json
import sys

import numpy as np

import datasets


def score(rows, centroids, block_rows=8192):
    """The metric's figures for float32 rows (n x d) and centroids (K x d)."""
    n, _ = rows.shape
    k = centroids.shape[0]
    usable = np.isfinite(centroids).all(axis=1)
    safe = np.where(usable[:, None], centroids, 0).astype(np.float32)
    squared_norms = (safe.astype(np.float64) ** 2).sum(axis=1).astype(np.float32)
    squared_norms[~usable] = np.inf
    transposed = np.ascontiguousarray(safe.T)
    total = 0.0
    sizes = np.zeros(k, dtype=np.int64)
    for start in range(0, n, block_rows):
        block = np.ascontiguousarray(rows[start:start + block_rows], dtype=np.float32)
        nearest = np.argmin(squared_norms[None, :] - 2.0 * (block @ transposed), axis=1)
        difference = block.astype(np.float64) - safe[nearest].astype(np.float64)
        total += float(np.einsum("ij,ij->", difference, difference))
        sizes += np.bincount(nearest, minlength=k)
    return {"inertia": total, "inertia_per_n": total / n, "n": n, "k": k,
            "empty_clusters": int((sizes == 0).sum()), "nonfinite_centroids": int((~usable).sum()),
            "max_cluster_size": int(sizes.max()), "min_cluster_size": int(sizes.min())}


def load_centroids(path, dimension):
    values = np.fromfile(path, dtype="<f4")
    if values.size % dimension != 0:
        raise SystemExit(f"{path} holds {values.size} floats, not a multiple of the dimension {dimension}")
    return values.reshape(-1, dimension)


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    rows, meta = datasets.load(sys.argv[1])
    result = score(rows, load_centroids(sys.argv[2], meta["d"]))
    result.update(data=sys.argv[1], centroids=sys.argv[2])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
