"""Reads a JSON list of YAML documents from stdin; prints what PyYAML safe_load (MLflow's reader) returns for each."""
import json
import sys

import yaml

docs = json.loads(sys.stdin.read())
out = []
for d in docs:
    try:
        out.append(yaml.safe_load(d))
    except Exception as e:  # noqa: BLE001 - report any failure as data
        out.append({"error": str(e)})
print(json.dumps(out, default=str))
