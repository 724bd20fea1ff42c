"""Reads a JSON list of plain scalars; prints [type name, text] of what PyYAML safe_load makes of `v: <scalar>`."""
import datetime
import json
import sys

import yaml

out = []
for s in json.loads(sys.stdin.read()):
    try:
        v = yaml.safe_load("v: " + s)["v"]
    except Exception:  # noqa: BLE001 - a scalar PyYAML cannot read is reported as such
        out.append(["error", ""])
        continue
    if isinstance(v, bool):
        out.append(["bool", str(v)])
    elif isinstance(v, float):
        out.append(["float", repr(v)])
    elif isinstance(v, (datetime.date, datetime.datetime)):
        out.append(["date", ""])
    else:
        out.append([type(v).__name__, str(v)])
print(json.dumps(out))
