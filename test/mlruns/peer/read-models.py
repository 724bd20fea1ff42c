"""Usage: read-models.py <mlruns folder>

Prints what MLflow sees of the logged models and the model registry in a file store
(mlflow_view.models_view), for trackbook's export to be compared against.
"""
import json
import sys

from mlflow_view import file_uri, models_view

print(json.dumps(models_view(file_uri(sys.argv[1]))))
