#!/usr/bin/env python3
"""Writes the seed corpus of fuzz/json_fuzzer into fuzz/corpus/json_fuzzer/.

Seeds cover every branch of the strict reader: the JSON grammar, escapes and
surrogate pairs, UTF-8 of each length, number forms (exact int64, exponents,
underflow), nesting near the depth cap, and the inputs it must refuse (NaN,
duplicate keys, overlong UTF-8, lone surrogates, leading zeros, trailing
data). With Keras importable (KERAS_BACKEND=jax /tmp/kvenv/bin/python), a real
model's config.json is added too.

Usage: python3 tools/fuzz/make_json_corpus.py [OUT_DIR]
"""
import hashlib
import json
import os
import sys

SEEDS = [
    # Grammar.
    b'{}', b'[]', b'null', b'true', b'false', b'0', b'-0', b'""', b' [ 1 , 2 ] ',
    b'{"a":[1,{"b":null}],"c":"d"}',
    b'{\n  "name": "dense",\n  "units": 10,\n  "use_bias": true\n}\n',
    # Numbers.
    b'[139630106013264,-9223372036854775808,9223372036854775807,9223372036854775808]',
    b'[0.1,1e-7,1E+22,-2.5e-3,5e-324,1.7976931348623157e308,1e-400,-1e-400,0e99999]',
    b'[123456789012345678901234567890e-10,-0.0,20e1]',
    # Strings.
    b'["\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000\\u001f"]',
    b'["\\ud83d\\ude00","\\uD801\\uDC37","\\u00e9","\\uFFFF","\\uDBFF\\uDFFF"]',
    '["é","€","😀","\U0010FFFF","\u2028"]'.encode("utf-8"),
    b'{"a\\u0000b":1,"a/b~c":2}',
    # Nesting near the cap.
    b'[' * 100 + b']' * 100,
    b'{"a":' * 60 + b'1' + b'}' * 60,
    # Refused inputs.
    b'[NaN]', b'[-Infinity]', b'{"a":1,"a":2}', b'[01]', b'[+1]', b'[1.]', b'[1e400]',
    b'["\xc0\xaf"]', b'["\xed\xa0\x80"]', b'["\xf4\x90\x80\x80"]', b'["\xe2\x82"]',
    b'["\\ud800"]', b'["\\udc00"]', b'["a\nb"]', b'[1]x', b'\xef\xbb\xbf{}', b'[1,]', b'{"a" 1}',
    b'[' * 200,
    # Depth at the cap and one past; objects past the pairwise duplicate
    # check (sorted), with and without a repeated key.
    b'[' * 128 + b']' * 128, b'[' * 129 + b']' * 129,
    ('{' + ','.join(f'"k{i}":{i}' for i in range(40)) + '}').encode(),
    ('{"outer":{' + ','.join(f'"k{i % 37}":{i}' for i in range(38)) + '}}').encode(),
]


def keras_config():
    try:
        os.environ.setdefault("KERAS_BACKEND", "jax")
        import keras  # noqa: F401
    except Exception:  # Keras is optional for the corpus.
        return None
    inputs = keras.Input(shape=(28, 28, 1), name="image")
    x = keras.layers.Conv2D(4, 3, activation="relu")(inputs)
    x = keras.layers.Flatten()(x)
    outputs = keras.layers.Dense(10, activation="softmax", name="probs")(x)
    model = keras.Model(inputs, outputs, name="mnist_small")
    return json.dumps(
        {"module": "keras", "class_name": "Functional", "config": model.get_config(),
         "registered_name": "Functional"}).encode("utf-8")


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "..", "fuzz", "corpus", "json_fuzzer")
    os.makedirs(out_dir, exist_ok=True)
    seeds = list(SEEDS)
    config = keras_config()
    if config is not None:
        seeds.append(config)
    for seed in seeds:
        name = hashlib.sha1(seed).hexdigest()[:16] + ".json"
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(seed)
    print(f"wrote {len(seeds)} seeds to {out_dir}")


if __name__ == "__main__":
    main()
