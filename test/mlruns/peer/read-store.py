"""Usage: read-store.py <mlruns folder | bundle.zip> [--migrate]

Prints what MLflow (MlflowClient on a file store, MLFLOW_ALLOW_FILE_STORE=true) sees. A .zip is
checked (CRCs) and unpacked beside itself with Python's zipfile first, as a colleague would. With --migrate, also runs `mlflow migrate-filestore` into a
fresh SQLite database and prints what MLflow sees there.
"""
import json
import os
import subprocess
import sys
import tempfile
import zipfile

from mlflow_view import file_uri, view

source = sys.argv[1]
work = tempfile.mkdtemp()
if source.endswith(".zip"):
    with zipfile.ZipFile(source) as z:
        bad = z.testzip()
        if bad is not None:
            raise SystemExit(f"bad CRC in {bad}")
        z.extractall(os.path.dirname(os.path.abspath(source)))
    root = os.path.join(os.path.dirname(os.path.abspath(source)), "mlruns")
else:
    root = source

result = {"file": view(file_uri(root))}
if "--migrate" in sys.argv:
    db = os.path.join(work, "migrated.db")
    done = subprocess.run([sys.executable, "-m", "mlflow", "migrate-filestore", "--source", root, "--target", "sqlite:///" + db, "--no-progress"], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit("mlflow migrate-filestore failed:\n" + done.stdout[-3000:] + done.stderr[-3000:])
    result["sqlite"] = view("sqlite:///" + db)
print(json.dumps(result))
