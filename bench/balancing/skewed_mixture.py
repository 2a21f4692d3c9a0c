"""Writes a skewed Gaussian mixture as a float32 .npy: components weighted 1/rank, centres uniform in [0, 8), unit
spread, as the bench's balance scenario generates in memory (another generator, so not the same rows).

usage: /usr/bin/python3 bench/balancing/skewed_mixture.py OUT.npy [ROWS] [DIMENSION] [COMPONENTS] [SEED]
"""
import sys

import numpy as np


def main() -> None:
    path = sys.argv[1]
    rows, dimension, components, seed = (int(value) for value in (sys.argv[2:] + ["65536", "128", "64", "1"][len(sys.argv) - 2:]))
    random = np.random.default_rng(seed)
    centres = random.random((components, dimension)) * 8
    weights = 1.0 / np.arange(1, components + 1)
    labels = random.choice(components, size=rows, p=weights / weights.sum())
    np.save(path, (centres[labels] + random.standard_normal((rows, dimension))).astype(np.float32))


if __name__ == "__main__":
    main()
