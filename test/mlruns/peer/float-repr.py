"""Prints Python's repr() and float() of each input: the oracle for src/mlruns/numbers.ts."""
import json
import sys

values = json.loads(sys.stdin.read())
out = {"repr": [], "parse": []}
for text in values["repr"]:
    out["repr"].append(repr(float(text)))
for text in values["parse"]:
    try:
        v = float(text)
        out["parse"].append("nan" if v != v else repr(v))
    except ValueError:
        out["parse"].append(None)
print(json.dumps(out))
