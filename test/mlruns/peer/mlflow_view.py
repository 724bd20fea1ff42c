"""What real MLflow sees in a file store, as JSON trackbook's tests compare against.

Floats are written as repr() strings so NaN, inf and -0.0 survive JSON.
"""
import os


def _f(v):
    return repr(float(v))


def view(tracking_uri):
    from mlflow.entities import ViewType
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=tracking_uri)
    out = {}
    for e in client.search_experiments(view_type=ViewType.ALL, max_results=50000):
        runs = {}
        for r in client.search_runs([e.experiment_id], run_view_type=ViewType.ALL, max_results=50000):
            run = client.get_run(r.info.run_id)  # get_run also checks the folder layout (MLflow >= 3.8)
            history = {}
            for key in run.data.metrics:
                history[key] = [[m.step, _f(m.value), m.timestamp] for m in client.get_metric_history(run.info.run_id, key)]
            runs[run.info.run_id] = {
                "run_name": run.info.run_name,
                "status": run.info.status,
                "start_time": run.info.start_time,
                "end_time": run.info.end_time,
                "lifecycle_stage": run.info.lifecycle_stage,
                "user_id": run.info.user_id,
                "params": dict(run.data.params),
                "tags": dict(run.data.tags),
                "metrics": {k: _f(v) for k, v in run.data.metrics.items()},
                "history": history,
                "artifacts": _artifacts(client, run.info.run_id, None),
            }
        out[e.experiment_id] = {"name": e.name, "lifecycle_stage": e.lifecycle_stage, "tags": dict(e.tags), "runs": runs}
    return out


def _artifacts(client, run_id, path):
    found = {}
    for f in client.list_artifacts(run_id, path):
        if f.is_dir:
            found.update(_artifacts(client, run_id, f.path))
        else:
            found[f.path] = f.file_size
    return found


def file_uri(root):
    return "file://" + os.path.abspath(root)
