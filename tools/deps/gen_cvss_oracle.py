#!/usr/bin/env python3
"""Writes tests/deps/testdata/cvss_oracle.json: CVSS base scores from the `cvss` package.

Vectors: every CVSS_V3/CVSS_V4 vector in the bundled OSV snapshot, plus a
deterministic sample of v3.0, v3.1 and v4.0 vectors over all metric values
(v4 with threat and environmental metrics too). Scores come from the pinned
`cvss` PyPI package (Red Hat's implementation of the FIRST specifications).
With a checkout of the reference v4.0 calculator that FIRST's web calculator
runs (github.com/RedHatProductSecurity/cvss-v4-calculator, cvss40.js) as the
second argument, every v4 score is also computed by that JavaScript under
node, and the script stops if the two disagree.

usage: .venv/bin/python tools/deps/gen_cvss_oracle.py [OSV_DIR] [CVSS40_JS_DIR] > tests/deps/testdata/cvss_oracle.json
"""
import json
import pathlib
import random
import subprocess
import sys

import cvss
from cvss import CVSS3, CVSS4

ROOT = pathlib.Path(__file__).resolve().parents[2]

V3 = [("AV", "NALP"), ("AC", "LH"), ("PR", "NLH"), ("UI", "NR"), ("S", "UC"), ("C", "HLN"), ("I", "HLN"), ("A", "HLN")]
V4 = [("AV", "NALP"), ("AC", "LH"), ("AT", "NP"), ("PR", "NLH"), ("UI", "NPA"), ("VC", "HLN"), ("VI", "HLN"),
      ("VA", "HLN"), ("SC", "HLN"), ("SI", "HLN"), ("SA", "HLN")]
V4_OPTIONAL = [("E", "XAPU"), ("CR", "XHML"), ("IR", "XHML"), ("AR", "XHML"), ("MAV", "XNALP"), ("MAC", "XLH"),
               ("MAT", "XNP"), ("MPR", "XNLH"), ("MUI", "XNPA"), ("MVC", "XHLN"), ("MVI", "XHLN"), ("MVA", "XHLN"),
               ("MSC", "XHLN"), ("MSI", "XSHLN"), ("MSA", "XSHLN")]


def snapshot_vectors(osv_dir):
    out = []
    for path in sorted(pathlib.Path(osv_dir).glob("PYSEC-*.json")):
        for sev in json.loads(path.read_text()).get("severity", []):
            if sev["type"] in ("CVSS_V3", "CVSS_V4"):
                out.append(sev["score"])
    return list(dict.fromkeys(out))


def sample(rng, metrics, optional=(), n=0, prefix=""):
    out = []
    for _ in range(n):
        parts = [f"{m}:{rng.choice(vals)}" for m, vals in metrics]
        for m, vals in optional:
            if rng.random() < 0.3:
                parts.append(f"{m}:{rng.choice(vals)}")
        out.append(prefix + "/".join(parts))
    return out


def reference_scores(calc_dir, vectors):
    src = (pathlib.Path(calc_dir) / "cvss40.js").read_text()
    src += r"""
const vectors = JSON.parse(require('fs').readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(vectors.map((v) => new CVSS40(v).score)));
"""
    res = subprocess.run(["node", "-e", src], input=json.dumps(vectors), capture_output=True, text=True, check=True)
    return json.loads(res.stdout)


def main():
    osv_dir = sys.argv[1] if len(sys.argv) > 1 else ROOT / "data" / "osv"
    rng = random.Random(440)
    vectors = snapshot_vectors(osv_dir)
    vectors += sample(rng, V3, n=150, prefix="CVSS:3.1/")
    vectors += sample(rng, V3, n=60, prefix="CVSS:3.0/")
    vectors += sample(rng, V4, n=300, prefix="CVSS:4.0/")
    vectors += sample(rng, V4, V4_OPTIONAL, n=200, prefix="CVSS:4.0/")
    vectors += ["CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N",
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", "CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N"]
    vectors = list(dict.fromkeys(vectors))
    rows = []
    for v in vectors:
        score = CVSS4(v).base_score if v.startswith("CVSS:4.0/") else CVSS3(v).scores()[0]
        rows.append({"vector": v, "score": float(score)})
    v4 = [r["vector"] for r in rows if r["vector"].startswith("CVSS:4.0/")]
    checked_first = False
    if len(sys.argv) > 2:
        first = dict(zip(v4, reference_scores(sys.argv[2], v4)))
        bad = [(r["vector"], r["score"], first[r["vector"]]) for r in rows if r["vector"] in first and float(first[r["vector"]]) != r["score"]]
        if bad:
            sys.exit(f"cvss package and the reference calculator disagree on {len(bad)} vectors, e.g. {bad[:3]}")
        checked_first = True
    json.dump({"generator": "tools/deps/gen_cvss_oracle.py", "cvss_package": cvss.__version__ if hasattr(cvss, "__version__") else "3.6",
               "v4_also_checked_with_reference_calculator_cvss40_js": checked_first, "vectors": rows}, sys.stdout, indent=1)
    sys.stdout.write("\n")
    print(f"{len(rows)} vectors ({len(v4)} v4); cvss40.js cross-check: {checked_first}", file=sys.stderr)


if __name__ == "__main__":
    main()
