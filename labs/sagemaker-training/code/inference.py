"""Serving functions for the SageMaker inference contract (model_fn / input_fn / predict_fn / output_fn)."""
import json
import os

import numpy as np


def model_fn(model_dir):
    saved = np.load(os.path.join(model_dir, "model.npz"))
    return {k: saved[k] for k in ("w", "b", "mean", "std")}


def input_fn(body, content_type):
    if isinstance(body, (bytes, bytearray)):
        body = body.decode()
    if content_type == "text/csv":
        return np.loadtxt(body.splitlines(), delimiter=",", ndmin=2)
    if content_type == "application/json":
        return np.asarray(json.loads(body)["instances"], dtype=float)
    raise ValueError(f"unsupported content type {content_type}")


def predict_fn(features, model):
    z = ((features - model["mean"]) / model["std"]) @ model["w"] + model["b"]
    return 1 / (1 + np.exp(-z))


def output_fn(probabilities, accept):
    if accept == "text/csv":
        return "\n".join(f"{p:.6f}" for p in probabilities) + "\n", "text/csv"
    return json.dumps({"predictions": [round(float(p), 6) for p in probabilities]}), "application/json"
