"""Writes the reference rows of a float32 .npy as pandas users save a frame of centroids, for the KMeans file tests.

Usage: python3 write_pandas.py REFERENCE.npy OUTPUT_DIRECTORY
"""
import sys

import numpy
import pandas

reference = numpy.load(sys.argv[1])
assert reference.dtype == numpy.float32 and reference.ndim == 2
out = sys.argv[2]
frame = pandas.DataFrame(reference)
# DataFrame.to_csv's defaults: the unnamed index column, then the default column names 0, 1, ... as the header.
frame.to_csv(f"{out}/pandas-index.csv")
frame.to_csv(f"{out}/pandas-no-index.csv", index=False)
# A frame with ids of its own, shuffled, written with its default index as well.
order = numpy.random.default_rng(7).permutation(len(reference))
with_ids = pandas.DataFrame(reference[order], columns=[f"c{j}" for j in range(reference.shape[1])])
with_ids.insert(0, "cluster_id", order)
with_ids.to_csv(f"{out}/pandas-ids.csv")
