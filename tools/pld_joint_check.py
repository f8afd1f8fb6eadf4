"""The joint model at A and A* (issue 15): measured R_d beside the product formula and the joint
formula fed with the measured joint table.

    python tools/pld_joint_check.py

Reads ``results/pld_joint/results.csv`` (the bit-true link at A and A*, 10^6 frames each) and
``results/pld_joint_twin/results.csv`` (the measured joint table of the two receivers'
message layers at the same points, 10^6 frames each, an independent run). For each point:

* product (the paper's independence): eq. (11) on the link's measured per-layer rates;
* joint: :func:`linksim.systems.pld.joint.link_metrics` with the same measured marginals
  (M failures and undetected errors, K failures given M decoded) and
  P(both decode M) = P_B P_E + Cov, the covariance of the two M successes taken from the
  twin run (whose own marginals it also reports, beside the link's).

Each is held against the link's measured R_d by its two-sided 99 % Clopper-Pearson interval
(the runner's rule). The joint prediction's own uncertainty, from the twin run's covariance
(delta method, 10^6 frames), is printed beside it. Writes ``results/pld_joint/joint_check.md``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from linksim.report.csv_io import read_csv
from linksim.sim.stats import clopper_pearson
from linksim.systems.pld.error_model import FlatLayer
from linksim.systems.pld.joint import LayerPair, link_metrics

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    link = read_csv(ROOT / "results/pld_joint/results.csv")
    twin = read_csv(ROOT / "results/pld_joint_twin/results.csv")
    lines = ["# The joint model at A and A* (issue 15)", "",
             "| point | measured R_d [99 %] | product | verdict | joint (twin covariance) "
             "+- its 99 % half-width | verdict | Cov measured in the link | Cov in the twin run |",
             "|---|---|---|---|---|---|---|---|"]
    for row, tw in zip(link, twin):
        n = row["frames"]
        e = {r: row[f"{r}_m_failures"] / n for r in ("bob", "eve")}
        u = {r: row[f"{r}_m_undetected"] / n for r in ("bob", "eve")}
        k = {r: row[f"{r}_k_failures"] / row[f"{r}_k_trials"] for r in ("bob", "eve")}
        nt = tw["frames"]
        eb, ee, both = tw["frame_errors"] / nt, tw["twin_failures"] / nt, tw["both_failures"] / nt
        cov_twin = both - eb * ee
        # Var of the covariance estimate: the 2 x 2 multinomial's delta method.
        p11, p10, p01 = both, eb - both, ee - both
        grad = {"11": 1 - ee - eb, "10": -ee, "01": -eb}
        mean = grad["11"] * p11 + grad["10"] * p10 + grad["01"] * p01
        var = (grad["11"] ** 2 * p11 + grad["10"] ** 2 * p10 + grad["01"] ** 2 * p01
               - mean ** 2) / nt
        layers = LayerPair({r: FlatLayer(e[r], u[r]) for r in e}, None)
        kappa = {r: np.array([k[r]]) for r in k}
        q = (1 - e["bob"]) * (1 - e["eve"]) + cov_twin
        metrics = link_metrics(layers, [1.0], [1.0], 1.0, 1.0, 1.0, 64, kappa=kappa,
                               both_m_ok=[q])
        joint, product = float(metrics["r_d"][0]), float(metrics["r_d_product"][0])
        half = 2.576 * math.sqrt(var) * k["eve"] * k["bob"]
        lo, hi = clopper_pearson(row["effective_deceptions"], row["on_frames"], 0.99)
        measured = row["effective_deceptions"] / row["on_frames"]
        verdict = lambda x: "consistent" if lo <= x <= hi else ("above" if x > hi else "below")
        joint_table = {(b, v): row[f"joint_{b}_{v}"] for b in ("perceived", "deceived", "lost")
                       for v in ("perceived", "deceived", "lost")}
        ok_b = sum(c for (b, _), c in joint_table.items() if b != "lost") / n
        ok_e = sum(c for (_, v), c in joint_table.items() if v != "lost") / n
        ok_both = sum(c for (b, v), c in joint_table.items() if b != "lost" and v != "lost") / n
        name = f"P_Sigma = {row['p_total']:g} mW, d_K = {row['d_k']}"
        lines.append(f"| {name} | {measured:.4f} [{lo:.4f}, {hi:.4f}] | {product:.4f} | "
                     f"{verdict(product)} | {joint:.4f} +- {half:.4f} | {verdict(joint)} | "
                     f"{ok_both - ok_b * ok_e:.5f} | {cov_twin:.5f} |")
        lines.append(f"|  | twin run's marginals: Bob M {eb:.4f}, Eve M {ee:.4f} (link: "
                     f"{e['bob']:.4f}, {e['eve']:.4f}) | | | | | | |")
    text = "\n".join(lines) + "\n"
    (ROOT / "results/pld_joint/joint_check.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
