"""The second peer: the same .keras in KServe's Python model server (the
`kserve` package's ModelServer, FastAPI + uvicorn inside), which answers
KServe's v1 protocol, TF Serving's {"instances": ...} body on
/v1/models/{name}:predict, so the same load generator drives it. The model is
a kserve.Model whose load() runs keras_predictor.py once and whose predict()
checks the rows and predicts. gRPC, per-request latency logging and the
access log are off (kgate logs nothing per request either).

    .venv-bench/bin/python bench/serve/kserve_app.py --model_path mlp.keras --model_name mlp \
        --http_port 8700 [--workers 1] [--predict_mode jit|predict]

KServe binds 0.0.0.0 (its REST server does not take a host).
"""
import argparse
import logging

import kserve
from kserve.errors import InvalidInput

from keras_predictor import KerasPredictor


class KerasModel(kserve.Model):
    def __init__(self, name, path, mode):
        super().__init__(name)
        self.path = path
        self.mode = mode
        self.predictor = None
        self.load()

    def load(self):
        self.predictor = KerasPredictor(self.path, self.mode)
        self.ready = True
        return self.ready

    # With --workers > 1 KServe pickles the model into each worker process; a
    # jitted function does not pickle, so each worker loads and compiles anew.
    def __getstate__(self):
        state = self.__dict__.copy()
        state["predictor"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.load()

    def predict(self, payload, headers=None, response_headers=None):
        try:
            x = self.predictor.rows(payload["instances"])
        except (KeyError, TypeError, ValueError) as e:
            raise InvalidInput(str(e)) from None
        return {"predictions": self.predictor.predict(x).tolist()}


def main():
    # KServe's own flags (--http_port, --workers, --model_name, ...) plus the model's.
    p = argparse.ArgumentParser(parents=[kserve.model_server.parser])
    p.add_argument("--model_path", required=True)
    p.add_argument("--predict_mode", default="jit")
    args, _ = p.parse_known_args()
    model = KerasModel(args.model_name, args.model_path, args.predict_mode)
    server = kserve.ModelServer(http_port=args.http_port, workers=args.workers, enable_grpc=False,
                                enable_latency_logging=False)
    # ModelServer configures logging at INFO with uvicorn's access log on.
    for name in ("kserve", "kserve.trace", "uvicorn", "uvicorn.access", "uvicorn.error"):
        logging.getLogger(name).setLevel(logging.WARNING)
    server.start([model])


if __name__ == "__main__":
    main()
