"""The peer: the same .keras served the way a Keras team would serve it
without kgate, FastAPI + uvicorn, on TF Serving's route so one load generator
drives both. The model is loaded and compiled once at start
(keras_predictor.py); per request pydantic checks the body's types, the
predictor checks the shape and finiteness, predicts, and the rows go back as
{"predictions": ...}. The handler is a plain `def`, so FastAPI runs it on its
thread pool and the event loop keeps accepting while JAX computes.

    KGATE_BENCH_MODEL=mlp.keras [KGATE_BENCH_PREDICT=jit|predict] \
        .venv-bench/bin/python -m uvicorn --app-dir bench/serve fastapi_app:app \
        --host 127.0.0.1 --port 8600 --workers 1
"""
import os

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from keras_predictor import KerasPredictor

predictor = KerasPredictor(os.environ["KGATE_BENCH_MODEL"], os.environ.get("KGATE_BENCH_PREDICT", "jit"))
app = FastAPI()


class PredictRequest(BaseModel):
    instances: list[list[float]]


@app.post("/v1/models/{name}:predict")
def tfserving_predict(name: str, request: PredictRequest):
    try:
        x = predictor.rows(request.instances)
    except ValueError as e:
        raise HTTPException(status_code=400, detail=str(e)) from None
    return {"predictions": predictor.predict(x).tolist()}
