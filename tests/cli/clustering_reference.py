"""Clusters each case with scikit-learn's KMeans (random states 0..9, ten starts each) or
DBSCAN and compares the labels tailor gave: the best adjusted Rand index over the runs, and the
inertia of tailor's labels against the tightest run's. Reads JSON cases on stdin and prints one
result per case.

A case: {"name", "points" (rows, null for missing), "labels" (tailor's), "algorithm":
"kmeans" with "k" and "seed", or "dbscan" with "eps" and "min_points", "scale": "standard" |
"none"}. Missing values take the column's median first, as tailor's default `impute: median`.
"""
import json
import sys

import numpy as np
from sklearn.cluster import DBSCAN, KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler


def inertia(x, labels):
    total = 0.0
    for label in set(labels):
        members = x[np.array(labels) == label]
        total += ((members - members.mean(axis=0)) ** 2).sum()
    return float(total)


results = []
for case in json.load(sys.stdin):
    x = np.array([[np.nan if v is None else v for v in row] for row in case["points"]], dtype=float)
    medians = np.nanmedian(x, axis=0)
    x = np.where(np.isnan(x), medians, x)
    if case["scale"] == "standard":
        x = StandardScaler().fit_transform(x)
    if case["algorithm"] == "kmeans":
        # K-Means can settle in different optima: ten random states, ten starts each.
        runs = [
            KMeans(n_clusters=case["k"], n_init=10, random_state=state).fit(x).labels_.tolist()
            for state in range(10)
        ]
    else:
        runs = [DBSCAN(eps=case["eps"], min_samples=case["min_points"]).fit(x).labels_.tolist()]
    ours = case["labels"]
    results.append({
        "name": case["name"],
        "ari": max(adjusted_rand_score(ours, theirs) for theirs in runs),
        "inertia_ours": inertia(x, ours),
        "inertia_theirs": min(inertia(x, theirs) for theirs in runs),
    })
print(json.dumps(results))
