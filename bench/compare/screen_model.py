#!/usr/bin/python3
"""How many centroids an 8-bit screen would leave to score exactly, iteration by iteration: a model of screening the
assignment with integer dot products (rows and centroids less their common offset, each quantised to 127 levels of
its own largest magnitude), to judge the screen before building it.

Lloyd from K random rows of the sample (float32 scores by numpy, 20 iterations). Before the chosen assignments, for a
random subset of rows, the approximate score of every centroid, ‖c‖² − 2·δx·δc·Σ p·q, and three bounds E on its dot
product's error, each in exact arithmetic (the screen adds float rounding terms far below these):
  worst case     every residue at ½: δx·(½·Σ|p|·max δc + max δc·(½·Σ|q| + d/4))
  Cauchy-Schwarz δx·(‖p‖·max δc‖f‖ + ‖e‖·(max δc‖q‖ + max δc‖f‖)), e and f the residues
  per pair       the same without the maxima, each centroid with its own terms
A centroid is a candidate when its approximate score less 2E is at most the row's least approximate score plus 2E;
the row's nearest is always among them (checked for the tightest, per pair).

Usage: screen_model.py W1|W2|W3|fashion-mnist [--k K] [--rows N] [--dir DIR] [--seed S]
  W1, W2 and W3 read DIR/lance-pr.f32, DIR/lance-1024d.f32 and DIR/blobs.f32 (datasets.py); fashion-mnist reads
  Debian's dataset-fashion-mnist (60,000 x 784 pixels as float32).
"""
import argparse

import numpy as np

from model_rows import rows_of

REPORTED = (0, 2, 5, 10, 20)


def quantised(values):
    """Integers p in [-127, 127], scales δ and residues e with values = δ·(p + e), row by row."""
    scales = np.abs(values).max(1) / 127
    scales[scales == 0] = 1
    scaled = values / scales[:, None]
    integers = np.rint(scaled)
    return integers, scales, scaled - integers


def candidates(approximate, error):
    """Per row, the centroids whose score less its error can still be at most the least score plus its error."""
    least_upper = (approximate + error).min(1)
    return ((approximate - error) <= least_upper[:, None]).sum(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data", choices=["W1", "W2", "W3", "fashion-mnist"])
    parser.add_argument("--k", type=int)
    parser.add_argument("--rows", type=int, default=8192)
    parser.add_argument("--dir", default="/tmp/kmeans-bench")
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args()
    rows, k = rows_of(args.data, args.dir)
    k = args.k or k
    n, d = rows.shape
    rng = np.random.default_rng(args.seed)
    centroids = rows[rng.choice(n, k, replace=False)].copy()
    subset = rng.choice(n, min(args.rows, n), replace=False)
    print(f"{args.data}: {n} rows of {d}, K = {k}; mean candidates per row of {len(subset)} (of {k} centroids)")
    print("iteration  worst case  Cauchy-Schwarz  per pair  nearest kept")
    for iteration in range(max(REPORTED) + 1):
        offset = np.median(centroids, 0)
        shifted_rows, shifted_centroids = rows - offset, centroids - offset
        norms = (shifted_centroids * shifted_centroids).sum(1)
        scores = norms[None, :] - 2 * shifted_rows @ shifted_centroids.T
        labels = scores.argmin(1)
        if iteration in REPORTED:
            p, dx, e = quantised(shifted_rows[subset])
            q, dc, f = quantised(shifted_centroids)
            approximate = norms[None, :] - 2 * (dx[:, None] * dc[None, :]) * (p @ q.T)
            half = 0.5
            worst = dx * (half * np.abs(p).sum(1) * dc.max() + (dc * (half * np.abs(q).sum(1) + d * half * half)).max())
            p_norm, e_norm = np.linalg.norm(p, axis=1), np.linalg.norm(e, axis=1)
            q_norm, f_norm = np.linalg.norm(q, axis=1), np.linalg.norm(f, axis=1)
            cauchy = dx * (p_norm * (dc * f_norm).max() + e_norm * ((dc * q_norm).max() + (dc * f_norm).max()))
            pair = dx[:, None] * dc[None, :] * (p_norm[:, None] * f_norm[None, :] + e_norm[:, None] * q_norm[None, :]
                                                 + e_norm[:, None] * f_norm[None, :])
            counts = [candidates(approximate, 2 * bound) for bound in (worst[:, None], cauchy[:, None], pair)]
            nearest = labels[subset]
            lower = approximate[np.arange(len(subset)), nearest] - 2 * pair[np.arange(len(subset)), nearest]
            kept = np.mean(lower <= (approximate + 2 * pair).min(1))
            print(f"{iteration:9d}  {counts[0].mean():10.2f}  {counts[1].mean():14.2f}  {counts[2].mean():8.2f}  {kept:12.4f}")
        for c in range(k):
            members = rows[labels == c]
            if len(members):
                centroids[c] = members.mean(0)


if __name__ == "__main__":
    main()
