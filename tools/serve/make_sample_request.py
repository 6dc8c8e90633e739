"""Writes examples/digits_cnn/sample_request.json: the first image of
sample_input.npy as a TF Serving row-form request, for the README's and
docs/serving.md's curl lines. Run: .venv/bin/python tools/serve/make_sample_request.py"""
import json
import pathlib

import numpy as np

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "digits_cnn"

x = np.load(EXAMPLE / "sample_input.npy")[:1]
(EXAMPLE / "sample_request.json").write_text(json.dumps({"instances": x.tolist()}) + "\n")
