"""The peer of `cargo bench --bench train`: scikit-learn fits the held-out matrices tailor's
churn model was checked on — `LogisticRegression(C=1)` and `HistGradientBoostingClassifier`
(defaults, without early stopping, as tailor) — timed the same way (one fit, wall time), and
scores the later slice.

usage: python3 train_sklearn.py DIR   (DIR holds `<algorithm>.fitted.f64` and
`<algorithm>.scored.f64`, raw little-endian f64 with the label last, and `ours.json`; prints JSON)
"""
import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

folder = Path(sys.argv[1])
ours = json.loads((folder / "ours.json").read_text())
MODELS = {
    "logistic": lambda: LogisticRegression(C=1.0),
    "gradient_boosting": lambda: HistGradientBoostingClassifier(early_stopping=False, random_state=0),
}


def matrix(name, columns):
    values = np.fromfile(folder / name, dtype="<f8").reshape(-1, columns)
    return values[:, :-1], values[:, -1].astype(int)


results = {}
for algorithm, make in MODELS.items():
    columns = ours[algorithm]["columns"]
    fitted_x, fitted_y = matrix(f"{algorithm}.fitted.f64", columns)
    scored_x, scored_y = matrix(f"{algorithm}.scored.f64", columns)
    start = time.perf_counter()
    model = make().fit(fitted_x, fitted_y)
    seconds = time.perf_counter() - start
    results[algorithm] = {"seconds": seconds, "auc": roc_auc_score(scored_y, model.predict_proba(scored_x)[:, 1])}
print(json.dumps(results))
