"""Writes the `inputs:` section of examples/digits_cnn/kgate.yaml with
`kgate schema infer`, from the images tools/examples/make_example.py trains
the example model on (regenerated: same generator, same seed). The rest of
kgate.yaml (other sections) is kept; only the `inputs:` block is replaced.

    .venv/bin/python tools/examples/make_example_schema.py [--kgate build/kgate] [--check]

--check exits 1 when the committed section differs from what infer writes now.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
EXAMPLE = os.path.join(ROOT, "examples", "digits_cnn")
sys.path.insert(0, HERE)
from make_example import training_images  # noqa: E402

MARGIN = "0.05"
QUANTILES = "0.001,0.999"


def inferred_section(kgate):
    """The `inputs:` block (with its comment header) that infer writes."""
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "train_images.npy")
        np.save(data, training_images())
        # Run from the repository root so the comment names the model by a relative path.
        out = subprocess.run([os.path.abspath(kgate), "schema", "infer", "examples/digits_cnn/1/model.keras",
                              "--data", f"input_layer={data}", "--margin", MARGIN, "--quantiles", QUANTILES],
                             check=True, capture_output=True, text=True, cwd=ROOT).stdout
    # Paths inside the temporary directory would differ run to run.
    return out.replace(data, "train_images.npy (make_example.py's training images)")


def split_sections(text):
    """Top-level blocks of a YAML file as (key or None, text): a block runs
    from its key line (with the comments just above it) to the next key."""
    blocks, current, key = [], [], None
    for line in text.splitlines(keepends=True):
        starts = line[:1] not in ("", " ", "#", "\n", "-")
        if starts:
            lead = []
            while current and current[-1].startswith("#"):
                lead.insert(0, current.pop())
            if current or key is not None:
                blocks.append((key, "".join(current)))
            current, key = lead, line.split(":", 1)[0]
        current.append(line)
    blocks.append((key, "".join(current)))
    return blocks


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kgate", default=os.path.join(ROOT, "build", "kgate"))
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    section = inferred_section(args.kgate)
    path = os.path.join(EXAMPLE, "kgate.yaml")
    old = open(path).read() if os.path.exists(path) else ""
    blocks = split_sections(old) if old else []
    if any(k == "inputs" for k, _ in blocks):
        # Blank lines that separated the old block from the next one stay.
        new = "".join(section + t[len(t.rstrip("\n")) + 1:] if k == "inputs" else t for k, t in blocks)
    else:
        new = old + ("\n" if old and not old.endswith("\n") else "") + section
    if args.check:
        if new != old:
            print(f"{path}: the inputs: section differs from what `kgate schema infer` writes", file=sys.stderr)
            return 1
        return 0
    with open(path, "w") as f:
        f.write(new)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
