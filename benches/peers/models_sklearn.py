"""The peer of `cargo bench --bench models`: scikit-learn's KMeans, DBSCAN, LogisticRegression
and HistGradientBoostingClassifier (defaults, without early stopping, as tailor) on the matrices
tailor fitted, timed the same way (one fit each, wall time),
with how well its answers agree with tailor's.

usage: python3 models_sklearn.py DIR   (DIR holds the raw little-endian f64 matrices and
tailor's answers the benchmark wrote; prints JSON)
"""
import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.cluster import DBSCAN, KMeans
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import adjusted_rand_score, roc_auc_score

folder = Path(sys.argv[1])
meta = json.loads((folder / "meta.json").read_text())


def matrix(name):
    rows, columns = meta[name]
    return np.fromfile(folder / f"{name}.f64", dtype="<f8").reshape(rows, columns)


def timed(fit):
    start = time.perf_counter()
    result = fit()
    return result, time.perf_counter() - start


results = {}
x = matrix("kmeans")
model, seconds = timed(lambda: KMeans(n_clusters=meta["k"], n_init=10, random_state=0).fit(x))
ours = json.loads((folder / "kmeans_labels.json").read_text())
results["kmeans"] = {"seconds": seconds, "ari": adjusted_rand_score(ours, model.labels_)}

x = matrix("dbscan")
model, seconds = timed(lambda: DBSCAN(eps=meta["eps"], min_samples=meta["min_points"]).fit(x))
ours = json.loads((folder / "dbscan_labels.json").read_text())
results["dbscan"] = {"seconds": seconds, "ari": adjusted_rand_score(ours, model.labels_)}

x = matrix("logistic")
y = x[:, -1].astype(int)
x = x[:, :-1]
model, seconds = timed(lambda: LogisticRegression(C=1.0).fit(x, y))
results["logistic"] = {"seconds": seconds, "auc": roc_auc_score(y, model.predict_proba(x)[:, 1])}
x = matrix("boosting")
train = meta["boosting_train"]
y = x[:, -1].astype(int)
x = x[:, :-1]
model, seconds = timed(
    lambda: HistGradientBoostingClassifier(early_stopping=False, random_state=0).fit(x[:train], y[:train])
)
results["boosting"] = {"seconds": seconds, "auc": roc_auc_score(y[train:], model.predict_proba(x[train:])[:, 1])}
print(json.dumps(results))
