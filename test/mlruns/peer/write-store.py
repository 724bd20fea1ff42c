"""Usage: write-store.py <new folder>

Logs awkward data with real MLflow into a file store at <folder>/mlruns (artifacts in the run
folders, MLflow's default), then prints what MLflow sees there (mlflow_view.view), for trackbook
to import and compare.
"""
import json
import numpy
import os
import sys

import mlflow
from mlflow.tracking import MlflowClient

from mlflow_view import file_uri, models_view, view

root = os.path.join(sys.argv[1], "mlruns")
uri = file_uri(root)
mlflow.set_tracking_uri(uri)
mlflow.set_registry_uri(uri)
client = MlflowClient(tracking_uri=uri, registry_uri=uri)

exp = client.create_experiment("yes", tags={"mlflow.note.content": "# Notes\nline 2\n", "1:30": "0777"})
gone = client.create_experiment("2024-01-01")
names = ["yes", "1:30", "0777", "12345", "null", "~", "精度 run", "a long name " + "x" * 90]
t0 = 1_700_000_000_000
for i, name in enumerate(names):
    run = client.create_run(exp, run_name=name, start_time=t0 + i, tags={"note": f"multi\nline value {i}"})
    rid = run.info.run_id
    client.log_param(rid, "lr", 0.01)
    client.log_param(rid, "model/optimizer/name", name)
    client.log_param(rid, "flag", True)
    client.log_param(rid, "nothing", None)
    client.log_param(rid, "trailing", "newline\n")
    for step, v in enumerate([1.0, 0.5, float("nan"), float("inf"), -float("inf"), -0.0, 1e-7, 1e21]):
        client.log_metric(rid, "loss", v, step=step, timestamp=t0 + step)
    client.log_metric(rid, "loss", 0.1, step=2, timestamp=t0)  # a second value for step 2
    client.log_metric(rid, "train/acc", 0.9, step=-5, timestamp=t0)
    client.log_metric(rid, "精度", 0.25, step=10**12, timestamp=t0)
    client.log_text(rid, f"hello {i}\n", "notes/hello.txt")
    client.log_dict(rid, {"a": i}, "config.json")
    status = ["FINISHED", "FAILED", "KILLED", "RUNNING"][i % 4]
    if status != "RUNNING":
        client.set_terminated(rid, status=status, end_time=t0 + 1000 + i)
    if i % 3 == 2:
        client.delete_run(rid)

with mlflow.start_run(experiment_id=exp, run_name="parent") as parent:
    mlflow.log_param("sweep", "lr")
    with mlflow.start_run(run_name="child", nested=True):
        mlflow.log_metric("m", 1.5)
        mlflow.log_input(mlflow.data.from_numpy(numpy.array([1.0, 2.0]), name="tiny"), context="training")

doomed = client.create_run(gone, run_name="in a deleted experiment", start_time=t0)
client.log_metric(doomed.info.run_id, "m", 2.0, timestamp=t0, step=0)
client.set_terminated(doomed.info.run_id, end_time=t0 + 5)
client.delete_experiment(gone)
client.set_experiment_tag("0", "team", "vision")

# A logged model (MLflow 3) with params, a model metric and artifacts, registered as a version
# with tags and an alias; a second version registered from a run's artifacts; a bare pending model.
class Echo(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input):
        return model_input


with mlflow.start_run(experiment_id=exp, run_name="trainer") as trainer:
    mlflow.log_param("lr", 0.1)
    client.log_text(trainer.info.run_id, "weights\n", "weights/w.txt")
    info = mlflow.pyfunc.log_model(name="echo", python_model=Echo(), params={"alpha": "0.5", "精度": "x"}, model_type="agent", tags={"stage": "dev"})
    mlflow.log_metric("val/acc", 0.9, step=1, model_id=info.model_id)
    mlflow.log_metric("val/acc", float("nan"), step=2, model_id=info.model_id)
mlflow.initialize_logged_model(name="bare", experiment_id=exp, tags={"k": "v"})
mv = mlflow.register_model(f"models:/{info.model_id}", "Echo model", tags={"team": "nlp"})
client.set_registered_model_tag("Echo model", "owner", "me")
client.set_registered_model_alias("Echo model", "champion", mv.version)
client.update_registered_model("Echo model", description="an echo\nmodel")
client.set_model_version_tag("Echo model", mv.version, "validated", "yes")
client.update_model_version("Echo model", mv.version, description="first")
client.create_registered_model("plain", tags={"精度": "1"})
client.create_model_version("plain", source=trainer.info.artifact_uri + "/weights", run_id=trainer.info.run_id, description="from run artifacts")
client.create_model_version("plain", source=trainer.info.artifact_uri + "/weights", run_id=trainer.info.run_id)
client.transition_model_version_stage("plain", 2, "Staging")

print(json.dumps({"experiments": view(uri), "models": models_view(uri)}))
