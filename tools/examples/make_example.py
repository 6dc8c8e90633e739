"""Builds the example model that ships in examples/: a small digit classifier
(28x28x1 -> 10 classes) trained for a few steps on synthetic stroke images so
its predictions are not uniform. Deterministic (fixed seeds).

    KERAS_BACKEND=jax .venv/bin/python tools/examples/make_example.py
"""
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "examples", "digits_cnn", "1")


def synthetic_digits(n, rng):
    """Class k is a bar at row 2+2k: a trivially learnable stand-in for MNIST."""
    x = rng.normal(0.0, 0.1, size=(n, 28, 28, 1)).astype("float32")
    y = rng.integers(0, 10, size=n)
    for i, k in enumerate(y):
        x[i, 2 + 2 * k : 4 + 2 * k, 4:24, 0] += 1.0
    return x, y


def training_images():
    """The images main() trains on (the first draw from its generator), for
    `kgate schema infer` (tools/examples/make_example_schema.py)."""
    x, _ = synthetic_digits(2048, np.random.default_rng(7))
    return x


def main():
    # Imported here so that the data generators above need only NumPy.
    import keras

    keras.utils.set_random_seed(7)
    rng = np.random.default_rng(7)
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1), name="image"),
            keras.layers.Conv2D(8, 3, activation="relu", name="conv1"),
            keras.layers.MaxPooling2D(2, name="pool1"),
            keras.layers.Conv2D(16, 3, activation="relu", name="conv2"),
            keras.layers.MaxPooling2D(2, name="pool2"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(32, activation="relu", name="hidden"),
            keras.layers.Dense(10, activation="softmax", name="probs"),
        ],
        name="digits_cnn",
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y = synthetic_digits(2048, rng)
    model.fit(x, y, epochs=2, batch_size=64, verbose=0)
    xt, yt = synthetic_digits(256, rng)
    _, acc = model.evaluate(xt, yt, verbose=0)
    print(f"synthetic test accuracy: {acc:.3f}")
    os.makedirs(OUT, exist_ok=True)
    # Saved uncompiled-equivalent for serving: drop the optimizer state.
    serving = keras.Sequential(model.layers, name="digits_cnn")
    serving.build((None, 28, 28, 1))
    serving.set_weights(model.get_weights())
    serving.save(os.path.join(OUT, "model.keras"))
    sample = xt[:2]
    np.save(os.path.join(OUT, "..", "sample_input.npy"), sample)
    np.save(os.path.join(OUT, "..", "sample_output.npy"), serving.predict(sample, verbose=0))


if __name__ == "__main__":
    main()
