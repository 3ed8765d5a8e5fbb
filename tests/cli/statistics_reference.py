"""Reference statistics for tailor's `stats` module, from statsmodels, scipy and GrowthBook's
gbstats: reads cases (JSON) on stdin and writes each case's reference values (JSON) to stdout.
Run by `cargo test statistics` (tests/cli/statistics.rs), which compares them with tailor's."""

import gc
import json
import sys

import numpy as np
from scipy import integrate, special, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_confint, proportion_effectsize, proportions_ztest

from gbstats.bayesian.tests import EffectBayesianABTest, EffectBayesianConfig
from gbstats.frequentist.tests import (
    FrequentistConfig,
    SequentialConfig,
    SequentialTwoSidedTTest,
    TwoSidedTTest,
)
from gbstats.models.statistics import ProportionStatistic, SampleMeanStatistic
from gbstats.utils import check_srm


# statsmodels' multipletests calls gc.collect() on every call (0.1 s each, most of this
# script's time); collecting is not needed for correctness here.
gc.collect = lambda *args: 0


def support(a, b, c, d):
    """Where both posteriors have their mass: 14 standard deviations around each mean."""
    ends = []
    for p, q in ((a, b), (c, d)):
        mean, sd = p / (p + q), np.sqrt(p * q / ((p + q) ** 2 * (p + q + 1)))
        ends += [mean - 14 * sd, mean + 14 * sd]
    return max(0.0, min(ends)), min(1.0, max(ends))


def integral(f, a, b, c, d):
    low, high = support(a, b, c, d)
    return integrate.quad(f, low, high, limit=200, epsabs=1e-13, epsrel=1e-11)[0]


def pdf(x, a, b):
    return np.exp((a - 1) * np.log(x) + (b - 1) * np.log1p(-x) - special.betaln(a, b))


def cdf(x, a, b):
    return special.betainc(a, b, x)


def beta_probability_greater(a, b, c, d):
    """P(X > Y), X ~ Beta(a, b), Y ~ Beta(c, d), by numerical integration."""
    return integral(lambda x: pdf(x, a, b) * cdf(x, c, d), a, b, c, d)


def expected_excess(a, b, c, d):
    """E[max(X - Y, 0)], X ~ Beta(a, b), Y ~ Beta(c, d), by numerical integration."""
    mean_y = c / (c + d)
    f = lambda x: pdf(x, a, b) * (x * cdf(x, c, d) - mean_y * cdf(x, c + 1, d))
    return integral(f, a, b, c, d)


def sample_mean(m):
    total = m["n"] * m["mean"]
    return SampleMeanStatistic(n=m["n"], sum=total, sum_squares=m["variance"] * (m["n"] - 1) + total**2 / m["n"])


def reference(case):
    (s1, n1), (s2, n2), (s3, n3) = case["arms"]
    out = {}
    out["wilson"] = [list(proportion_confint(s, n, alpha=0.05, method="wilson")) for s, n in case["arms"]]
    z, p = proportions_ztest([s2, s1], [n2, n1])
    out["z"], out["z_p"] = float(z), float(p)
    chi2, chi2_p, dof, _ = stats.chi2_contingency([[s, n - s] for s, n in case["arms"]], correction=False)
    out["chi2"], out["chi2_p"], out["chi2_dof"] = float(chi2), float(chi2_p), int(dof)
    observed, weights = case["observed"], case["weights"]
    expected = [w / sum(weights) * sum(observed) for w in weights]
    fit, fit_p = stats.chisquare(observed, f_exp=expected)
    out["fit"], out["fit_p"], out["srm_p"] = float(fit), float(fit_p), float(check_srm(observed, weights))
    out["holm"] = [float(x) for x in multipletests(case["p_values"], method="holm")[1]]
    control, treatment = case["revenue"]
    t, t_p = stats.ttest_ind_from_stats(
        treatment["mean"], np.sqrt(treatment["variance"]), treatment["n"],
        control["mean"], np.sqrt(control["variance"]), control["n"], equal_var=False,
    )
    out["welch_t"], out["welch_p"] = float(t), float(t_p)
    relative = TwoSidedTTest(sample_mean(control), sample_mean(treatment), FrequentistConfig()).compute_result()
    out["revenue_relative"] = [relative.expected, relative.ci[0], relative.ci[1], relative.p_value]
    a, b = ProportionStatistic(n=n1, sum=s1), ProportionStatistic(n=n2, sum=s2)
    relative = TwoSidedTTest(a, b, FrequentistConfig()).compute_result()
    out["conversion_relative"] = [relative.expected, relative.ci[0], relative.ci[1], relative.p_value]
    sequential = SequentialTwoSidedTTest(a, b, SequentialConfig(difference_type="absolute")).compute_result()
    out["sequential"] = [sequential.p_value, sequential.ci[0], sequential.ci[1]]
    bayes = EffectBayesianABTest(a, b, EffectBayesianConfig(difference_type="absolute")).compute_result()
    out["gbstats_chance_to_win"] = bayes.chance_to_win
    alpha_b, beta_b, alpha_a, beta_a = 1 + s2, 1 + n2 - s2, 1 + s1, 1 + n1 - s1
    out["beta_probability"] = beta_probability_greater(alpha_b, beta_b, alpha_a, beta_a)
    out["loss_treatment"] = expected_excess(alpha_a, beta_a, alpha_b, beta_b)
    out["loss_control"] = expected_excess(alpha_b, beta_b, alpha_a, beta_a)
    out["power"] = float(NormalIndPower().power(case["effect"], nobs1=n1, alpha=0.05, ratio=n2 / n1))
    out["effect_size"] = float(NormalIndPower().solve_power(None, nobs1=n1, alpha=0.05, power=0.8, ratio=n2 / n1))
    out["cohens_h"] = float(proportion_effectsize(s2 / n2, s1 / n1))
    return out


cases = json.load(sys.stdin)
json.dump([reference(case) for case in cases], sys.stdout)
