"""Usage: load-model.py <mlruns folder> <registered model name> <alias>

Loads the registered model version behind <alias> with mlflow.pyfunc.load_model from a file
store, predicts on a tiny frame, and prints the prediction and where MLflow fetched the model
from (get_model_version_download_uri), for trackbook's export to be checked against.
"""
import json
import sys

import mlflow
import pandas as pd

from mlflow_view import file_uri

uri = file_uri(sys.argv[1])
mlflow.set_tracking_uri(uri)
mlflow.set_registry_uri(uri)
client = mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
name, alias = sys.argv[2], sys.argv[3]
version = client.get_model_version_by_alias(name, alias)
model = mlflow.pyfunc.load_model(f"models:/{name}@{alias}")
prediction = model.predict(pd.DataFrame({"a": [1.5, 2.5]}))
print(json.dumps({"prediction": prediction.to_dict(orient="list"), "download_uri": client.get_model_version_download_uri(name, version.version)}))
