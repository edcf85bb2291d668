#!/usr/bin/env python3
"""Writes the .npy files NpyMatrix is tested against (test/golden/index/), with NumPy itself:
a 3×4 float32 matrix (values i/10), the same in Fortran order, and as float64."""
import pathlib

import numpy as np

out = pathlib.Path(__file__).resolve().parents[2] / "test" / "golden" / "index"
out.mkdir(parents=True, exist_ok=True)
matrix = (np.arange(12, dtype=np.float32) / 10).reshape(3, 4)
np.save(out / "matrix_3x4_f32.npy", matrix)
np.save(out / "matrix_3x4_f32_fortran.npy", np.asfortranarray(matrix))
np.save(out / "matrix_3x4_f64.npy", matrix.astype(np.float64))
