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


def _norm_uri(uri):
    """A location inside an mlruns root as ROOT/<tail>, so two roots compare equal."""
    import re

    if uri is None:
        return None
    m = re.search(r"/([0-9]+/(?:[0-9a-f]{32}|models/m-[0-9a-f]{32})/artifacts(?:/.*)?)$", uri)
    return "ROOT/" + m.group(1) if m else uri


def _files(uri):
    from urllib.parse import unquote, urlparse

    root = unquote(urlparse(uri).path)
    found = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            p = os.path.join(dirpath, f)
            found[os.path.relpath(p, root).replace(os.sep, "/")] = os.path.getsize(p)
    return found


def models_view(tracking_uri):
    """What real MLflow sees of logged models and the model registry in a file store."""
    from mlflow.entities import ViewType
    from mlflow.tracking import MlflowClient

    import mlflow

    # MLflow 3.17.2's search_registered_models also consults the *global* tracking URI (default
    # sqlite:///mlflow.db, created in the working directory) even on a client given both URIs.
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(tracking_uri)
    client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    exps = [e.experiment_id for e in client.search_experiments(view_type=ViewType.ALL, max_results=50000)]
    logged = {}
    for found in client.search_logged_models(experiment_ids=exps, max_results=1000):
        m = client.get_logged_model(found.model_id)
        logged[m.model_id] = {
            "name": m.name,
            "experiment_id": m.experiment_id,
            "status": str(m.status),
            "status_message": m.status_message,
            "source_run_id": m.source_run_id,
            "model_type": m.model_type,
            "creation_timestamp": m.creation_timestamp,
            "last_updated_timestamp": m.last_updated_timestamp,
            "tags": dict(m.tags),
            "params": dict(m.params),
            "metrics": sorted([[x.key, x.step, _f(x.value), x.timestamp, x.run_id] for x in (m.metrics or [])]),
            "artifacts": _files(m.artifact_location),
            # The source run lists the model among its outputs (run.outputs.model_outputs).
            "run_output": None
            if m.source_run_id is None
            else [(o.model_id, o.step) for o in client.get_run(m.source_run_id).outputs.model_outputs].count((m.model_id, 0)),
        }
    registry = {}
    for rm in client.search_registered_models(max_results=1000):
        rm = client.get_registered_model(rm.name)
        versions = {}
        for found in client.search_model_versions(f"name='{rm.name}'"):
            mv = client.get_model_version(rm.name, found.version)
            versions[str(mv.version)] = {
                "creation_timestamp": mv.creation_timestamp,
                "last_updated_timestamp": mv.last_updated_timestamp,
                "description": mv.description,
                "user_id": mv.user_id,
                "current_stage": mv.current_stage,
                "source": _norm_uri(mv.source),
                "run_id": mv.run_id,
                "run_link": mv.run_link,
                "status": mv.status,
                "status_message": mv.status_message,
                "model_id": mv.model_id,
                "tags": dict(mv.tags),
                "aliases": sorted(mv.aliases),
            }
        registry[rm.name] = {
            "creation_timestamp": rm.creation_timestamp,
            "last_updated_timestamp": rm.last_updated_timestamp,
            "description": rm.description,
            "tags": dict(rm.tags),
            "aliases": {k: int(v) for k, v in rm.aliases.items()},
            "versions": versions,
        }
    return {"logged_models": logged, "registry": registry}
