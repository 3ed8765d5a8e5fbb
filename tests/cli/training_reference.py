"""Fits scikit-learn's model for a tailor score model's algorithm on the matrix tailor fitted its
held-out check on, scores the later slice, and prints the AUC and log loss as JSON:
`LogisticRegression(C=1)` for `logistic`, `HistGradientBoostingClassifier` with its defaults but
without early stopping (which tailor does not do) for `gradient_boosting`.

usage: python3 training_reference.py FITTED.csv SCORED.csv [logistic|gradient_boosting]
"""
import csv
import json
import sys

from sklearn.ensemble import HistGradientBoostingClassifier
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
algorithm = sys.argv[3] if len(sys.argv) > 3 else "logistic"
if algorithm == "logistic":
    model = LogisticRegression(C=1.0, tol=1e-10, max_iter=10_000)
else:
    model = HistGradientBoostingClassifier(early_stopping=False, random_state=0)
model.fit(fitted_x, fitted_y)
probabilities = model.predict_proba(scored_x)[:, 1]
print(json.dumps({
    "auc": roc_auc_score(scored_y, probabilities),
    "log_loss": log_loss(scored_y, probabilities),
}))
