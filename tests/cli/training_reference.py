"""Fits scikit-learn's LogisticRegression (C=1, as tailor's score models) on the matrix tailor
fitted its held-out check on, scores the later slice, and prints the AUC and log loss as JSON.

usage: python3 training_reference.py FITTED.csv SCORED.csv
"""
import csv
import json
import sys

from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    assert header[-1] == "label", header
    return [[float(v) for v in row[:-1]] for row in body], [int(row[-1]) for row in body]


fitted_x, fitted_y = read(sys.argv[1])
scored_x, scored_y = read(sys.argv[2])
model = LogisticRegression(C=1.0, tol=1e-10, max_iter=10_000).fit(fitted_x, fitted_y)
probabilities = model.predict_proba(scored_x)[:, 1]
print(json.dumps({
    "auc": roc_auc_score(scored_y, probabilities),
    "log_loss": log_loss(scored_y, probabilities),
    "intercept": float(model.intercept_[0]),
}))
