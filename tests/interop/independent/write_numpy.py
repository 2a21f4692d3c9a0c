"""Writes the reference rows of a float32 .npy in the layouts numpy users produce, for the KMeans file tests.

Usage: python3 write_numpy.py REFERENCE.npy OUTPUT_DIRECTORY
"""
import json
import sys

import numpy

reference = numpy.load(sys.argv[1])
assert reference.dtype == numpy.float32 and reference.ndim == 2
out = sys.argv[2]
numpy.save(f"{out}/numpy-float64.npy", reference.astype(numpy.float64))
numpy.save(f"{out}/numpy-fortran.npy", numpy.asfortranarray(reference))
# Nine significant digits give every float32 back exactly.
numpy.savetxt(f"{out}/numpy-commas.csv", reference, fmt="%.9g", delimiter=",")
numpy.savetxt(f"{out}/numpy-spaces.csv", reference, fmt="%.9g", header="written by numpy.savetxt")
with open(f"{out}/numpy-lists.json", "w") as stream:
    json.dump(reference.astype(numpy.float64).tolist(), stream)
reference.astype("<f4").tofile(f"{out}/reference.f32")
