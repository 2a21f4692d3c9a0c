#!/usr/bin/python3
"""How many labels two skip bounds could keep, iteration by iteration, in exact arithmetic: an upper limit on what
the trainer's bounds (SkipBounds, which add float rounding margins) can keep, to judge a bound before building it.

Lloyd from K random rows of the sample (float32 distances by numpy, 20 iterations). Before each assignment after the
first, for every row with label a and u = its distance to a's new centroid:
  separation  kept if 2u <= the distance from a's centroid to its nearest other centroid (what the trainer tests);
  runner-up   kept if u <= l, Hamerly's bound: l is the row's distance to its second-nearest centroid when the row
              was last scored, less the largest distance any centroid moved since (a kept row is not scored again).
Kept rows keep their label either way (a kept row whose label changed, which float32 rounding alone could cause, is
counted), so both test the same Lloyd run.

Usage: bound_model.py W1|W2|fashion-mnist [--k K] [--iterations N] [--dir DIR] [--seed S]
  W1 and W2 read DIR/lance-pr.f32 and DIR/lance-1024d.f32 (datasets.py); fashion-mnist reads Debian's
  dataset-fashion-mnist (60,000 x 784 pixels as float32).
"""
import argparse

import numpy as np

from model_rows import rows_of


def distances(rows, squared_rows, centroids):
    d = squared_rows[:, None] - 2 * rows @ centroids.T + (centroids * centroids).sum(1)[None, :]
    np.maximum(d, 0, out=d)
    return np.sqrt(d)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data", choices=["W1", "W2", "fashion-mnist"])
    parser.add_argument("--k", type=int)
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--dir", default="/tmp/kmeans-bench")
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args()
    rows, k = rows_of(args.data, args.dir)
    k = args.k or k
    n = rows.shape[0]
    centroids = rows[np.random.default_rng(args.seed).choice(n, k, replace=False)].copy()
    squared_rows = (rows * rows).sum(1)
    everyone = np.arange(n)
    labels = runner_up = None
    print(f"{args.data}: {n} rows of {rows.shape[1]}, K = {k}; % of rows each bound keeps before each assignment")
    for iteration in range(args.iterations + 1):
        dist = distances(rows, squared_rows, centroids)
        nearest_two = np.argpartition(dist, 1, axis=1)[:, :2]
        first = np.where(dist[everyone, nearest_two[:, 0]] <= dist[everyone, nearest_two[:, 1]],
                         nearest_two[:, 0], nearest_two[:, 1])
        second = np.partition(dist, 1, axis=1)[:, 1]
        if labels is not None:
            u = dist[everyone, labels]
            between = np.sqrt(np.maximum(((centroids[:, None, :] - centroids[None, :, :]) ** 2).sum(2), 0))
            np.fill_diagonal(between, np.inf)
            by_separation = 2 * u <= between.min(1)[labels]
            by_runner_up = u <= runner_up
            kept = by_separation | by_runner_up
            # Zero in exact arithmetic; numpy's float32 distances may differ from it by rounding.
            moved_kept = int((first[kept] != labels[kept]).sum())
            print(f"iteration {iteration:2d}: separation {100 * by_separation.mean():5.1f} %, runner-up "
                  f"{100 * by_runner_up.mean():5.1f} %, either {100 * kept.mean():5.1f} %, "
                  f"labels changed {100 * (first != labels).mean():5.2f} %"
                  + (f", {moved_kept} kept rows changed label" if moved_kept else ""))
            runner_up = np.where(kept, runner_up, second)
        else:
            runner_up = second
        labels = first
        if iteration == args.iterations:
            break
        sums = np.zeros_like(centroids, dtype=np.float64)
        np.add.at(sums, labels, rows)
        sizes = np.bincount(labels, minlength=k)
        moved = np.where(sizes[:, None] > 0, sums / np.maximum(sizes, 1)[:, None], centroids).astype(np.float32)
        runner_up = runner_up - np.sqrt(((moved - centroids) ** 2).sum(1)).max()
        centroids = moved


if __name__ == "__main__":
    main()
