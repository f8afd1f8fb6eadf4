"""Write the calibration scenarios of the PLD code-aware error model (issue 15).

``scenarios/pld_calibration.toml``: one ``pld_layer`` table per layer configuration of the
gap model's families (5G LDPC; layered NMS-20 or SPA-50; QPSK or 16-QAM; n = 64 or 128), each
at ten SINRs spread evenly across its waterfall: from where eq. (12) for k = d + L bits, shifted
by a nominal gap (1 dB; 1.5 dB for 16-QAM), gives 0.97 to where it gives 2e-4, rounded to
0.05 dB. ``scenarios/pld_calibration_holdout.toml``: five of those configurations at the nine
midpoints between their nodes (SINRs the calibrated model is not fitted on).

``python tools/make_pld_scenarios.py --designs`` (after ``results/pld_code_design`` exists)
writes ``scenarios/pld_design_calibration.toml``, the tables of every layer the code-aware
designs send (and of the pld_joint points' layers), from eq. (12)'s 0.995 to 2e-4 so that Eve's
nearly certain key-layer failures are inside the table, and
``scenarios/pld_code_design_bittrue.toml``, the designs run bit-true with the calibrated
code-aware predictions (ca_*) beside them.

``python tools/make_pld_scenarios.py --blocklength`` (after ``results/pld_blocklength_na``
exists) writes ``scenarios/pld_blocklength_bittrue.toml``: the paper's NA design at each n run
bit-true with the link's defaults (CRC11 + 5G LDPC, NMS-20, QPSK), as pld_bittrue did at n = 64.

Usage: ``python tools/make_pld_scenarios.py [--designs | --blocklength]`` (rewrites the files;
deterministic).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from scipy.optimize import brentq

from linksim.systems.pld.analysis import layer_error
from linksim.systems.pld.error_model import crc_length

ROOT = Path(__file__).resolve().parents[1]

#: (decoder, num_iter, modulation, n, nominal gap dB) -> [(d, crc), ...]
FAMILIES = {
    ("nms", 20, "qpsk", 64, 1.0): [(6, "CRC6"), (8, "CRC11"), (16, "CRC6"), (16, "CRC11"),
                                   (16, "CRC16"), (16, "CRC24C"), (32, "CRC11"), (48, "CRC11"),
                                   (64, "CRC11")],
    ("spa", 50, "qpsk", 64, 1.0): [(6, "CRC6"), (16, "CRC11"), (32, "CRC11"), (64, "CRC11")],
    ("nms", 20, "16qam", 64, 1.5): [(6, "CRC6"), (16, "CRC11"), (32, "CRC11"), (64, "CRC11")],
    ("nms", 20, "qpsk", 128, 1.0): [(6, "CRC6"), (16, "CRC11"), (32, "CRC11"), (64, "CRC11"),
                                    (96, "CRC11"), (128, "CRC11")],
}
#: (family, d, crc) of the held-out scenario.
HELD_OUT = [(("nms", 20, "qpsk", 64, 1.0), 16, "CRC11"), (("nms", 20, "qpsk", 64, 1.0), 16, "CRC6"),
            (("nms", 20, "qpsk", 64, 1.0), 32, "CRC11"), (("spa", 50, "qpsk", 64, 1.0), 16, "CRC11"),
            (("nms", 20, "qpsk", 128, 1.0), 32, "CRC11")]
NODES = 10


def _sinr_at(eps, k, n, gap_db):
    f = lambda s: float(layer_error(10 ** ((s - gap_db) / 10), k, n)) - eps
    return brentq(f, -40.0, 30.0, xtol=1e-9)


def nodes(d, crc, n, gap_db, top=0.97):
    """The ten calibration SINRs (dB) of a layer, from eq. (12) + gap at ``top`` to 2e-4."""
    k = d + crc_length(crc)
    lo, hi = _sinr_at(top, k, n, gap_db), _sinr_at(2e-4, k, n, gap_db)
    return [round(round(x / 0.05) * 0.05, 2) for x in np.linspace(lo, hi, NODES)]


def _points(entries, interference=False):
    """Zip axes of ``entries`` (family, d, crc, sinrs[, (f, d_I, crc_I, twin_gain_db)])."""
    # Every configuration parameter is an axis, so that results.csv (which the error model
    # reads) carries it.
    keys = ["sinr_db", "code", "d", "crc", "decoder", "num_iter", "modulation", "n"]
    if interference:
        keys += ["interference", "interference_d", "interference_crc", "twin", "twin_gain_db"]
    axes = {key: [] for key in keys}
    for entry in entries:
        (decoder, num_iter, modulation, n, _), d, crc, sinrs = entry[:4]
        extra = entry[4] if len(entry) > 4 else (0.0, 0, "CRC11", False, 0.0)
        for s in sinrs:
            values = (s, "ldpc5g", d, crc, decoder, num_iter, modulation, n) + (
                extra if interference else ())
            for key, value in zip(axes, values):
                axes[key].append(value)
    return axes


def _toml_list(values):
    def one(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        return f'"{v}"' if isinstance(v, str) else repr(v)
    return "[" + ", ".join(one(v) for v in values) + "]"



def _write(path, name, description, axes, predictions, seed=2027, max_frames=300000,
           both_tails=False, errors=1000, params=None,
           metrics=("bler", "erasure_rate", "undetected_rate")):
    lines = [f'name = "{name}"', f'description = """{description}"""', 'system = "pld_layer"',
             f"seed = {seed}", "confidence = 0.99", ""]
    if params:
        lines += ["[params]"] + [f"{key} = {_toml_list([v])[1:-1]}" for key, v in params.items()]
        lines += [""]
    lines += ["[sweep]", 'mode = "zip"', "[sweep.axes]"]
    lines += [f"{key} = {_toml_list(values)}" for key, values in axes.items()]
    lines += ["", "[stop]"] + (['error_count = ["frame_errors", "successes"]'] if both_tails
                               else []) + [f"max_frame_errors = {errors}", f"max_frames = {max_frames}",
              "batch_size = 5000", "", "[output]", 'x = "sinr_db"',
              'series = ["d", "crc", "decoder", "modulation", "n"]',
              f"metrics = {_toml_list(metrics)}"]
    for pred in predictions:
        lines += ["", "[[output.predictions]]"] + [f"{k} = {v!r}".replace("'", '"')
                                                   for k, v in pred.items()]
    Path(path).write_text("\n".join(lines) + "\n")


def main():
    entries = [(fam, d, crc, nodes(d, crc, fam[3], fam[4]))
               for fam, layers in FAMILIES.items() for d, crc in layers]
    _write(ROOT / "scenarios/pld_calibration.toml", "pld_calibration",
           "Seed 003, issue 15: calibration of the code-aware error model. One PLD layer (CRC + "
           "5G NR LDPC, the link's padding and decoder) alone over AWGN, ten SINRs across the "
           "waterfall of each configuration (tools/make_pld_scenarios.py). shifted_na_bler is "
           "eq. (12) for the d + L bits the code carries with no gap: the distance to it is the "
           "code's gap.", _points(entries),
           [{"name": "shifted_na_bler", "metric": "bler"}])
    held = []
    for fam, d, crc in HELD_OUT:
        s = nodes(d, crc, fam[3], fam[4])
        held.append((fam, d, crc, [round((a + b) / 2, 3) for a, b in zip(s[:-1], s[1:])]))
    _write(ROOT / "scenarios/pld_calibration_holdout.toml", "pld_calibration_holdout",
           "Seed 003, issue 15: held-out check of the calibrated error model. Five layer "
           "configurations of pld_calibration at the midpoints between its SINRs, which the "
           "model is not fitted on; calibrated_bler interpolates results/pld_calibration there "
           "(monotone cubic in logit BLER over SINR in dB).", _points(held),
           [{"name": "calibrated_bler", "metric": "bler",
             "calibration": "results/pld_calibration"}])


#: Layers of the pld_joint points (A, A*): CRC11 + NMS-20, QPSK, n = 64.
JOINT_LAYERS = [(16, "CRC11"), (40, "CRC11"), (64, "CRC11")]
#: The pld_joint points (z_Eve dB, P_Sigma, P_M, d_K), CRC11 on both layers.
JOINT_POINTS = [(-3.0, 2.0, 1.2424, 40), (-3.0, 3.0, 1.607, 64)]
#: The bit-true run of the designs: frames per point (stop), Table III and Fig. 5 rows.
DESIGN_FRAMES = 100000
_DECODERS = {0: ("nms", 20), 1: ("spa", 50)}
_MODULATIONS = {2: "qpsk", 4: "16qam"}
_CRCS = {6: "CRC6", 11: "CRC11", 16: "CRC16", 24: "CRC24C"}


def _designs():
    """Rows (params, design dict) of results/pld_code_design: the best design, and for rows
    whose best is not at n = 64 the best at n = 64 too."""
    from linksim.study import rebuild_rows
    _, rows = rebuild_rows(ROOT / "results/pld_code_design")
    out = []
    for row in rows:
        v, p = row["values"], row["params"]
        if v["feasible"]:
            out.append((p, dict(d_k=v["d_k"], p_m=v["p_m"], crc_m=_CRCS[v["crc_m_bits"]],
                                crc_k=_CRCS[v["crc_k_bits"]], n=v["n_design"],
                                modulation=_MODULATIONS[v["bits_per_symbol"]],
                                decoder=_DECODERS[v["decoder_spa"]], label="best")))
        if v["n64_feasible"] and v["n_design"] != 64:
            out.append((p, dict(d_k=v["n64_d_k"], p_m=v["n64_p_m"],
                                crc_m=_CRCS[v["n64_crc_m_bits"]],
                                crc_k=_CRCS[v["n64_crc_k_bits"]], n=64, modulation="qpsk",
                                decoder=("nms", 20), label="n64")))
    return out


def _operating_points(designs):
    """(z_Eve dB, P_Sigma, P_M, d_K, CRC_M, CRC_K, family) of every design and of the
    pld_joint points (CRC11 on both layers, NMS-20, QPSK, n = 64)."""
    points = [(p["z_eve_db"], p["p_total"], d["p_m"], d["d_k"], d["crc_m"], d["crc_k"],
               (d["decoder"][0], d["decoder"][1], d["modulation"], d["n"],
                1.5 if d["modulation"] == "16qam" else 1.0)) for p, d in designs]
    return points + [(z, pt, pm, dk, "CRC11", "CRC11", ("nms", 20, "qpsk", 64, 1.0))
                     for z, pt, pm, dk in JOINT_POINTS]


def design_scenarios():
    designs = _designs()
    layers = {}
    for p, d in designs:
        fam = (d["decoder"][0], d["decoder"][1], d["modulation"], d["n"],
               1.5 if d["modulation"] == "16qam" else 1.0)
        for payload, crc in ((p["d_m"], d["crc_m"]), (d["d_k"], d["crc_k"])):
            layers[(fam, payload, crc)] = None
    for payload, crc in JOINT_LAYERS:
        layers[(("nms", 20, "qpsk", 64, 1.0), payload, crc)] = None
    entries = [(fam, d, crc, nodes(d, crc, fam[3], fam[4], top=0.995))
               for fam, d, crc in layers]
    # The message layer under each design's own key layer, at each receiver's share f.
    under = {}
    twins = {}
    for z_eve, p_total, p_m, d_k, crc_m, crc_k, fam in _operating_points(designs):
        p_k = p_total - p_m
        for z in (1.0, 10 ** (z_eve / 10)):
            f = round(z * p_k / (z * p_k + 1.0), 4)
            under[(fam, 16, crc_m, (f, d_k, crc_k, False, 0.0))] = None
        # Bob with Eve as his twin: the measured joint table of the two message layers.
        f_bob = round(p_k / (p_k + 1.0), 4)
        twins[(fam, 16, crc_m, (f_bob, d_k, crc_k, True, round(z_eve, 4)))] = None
    entries += [(fam, d, crc, nodes(d, crc, fam[3], fam[4], top=0.995), extra)
                for fam, d, crc, extra in under]
    # Twin tables: Bob's SINR from where Eve's (twin) layer fails with 0.995 to where Bob's
    # fails with 2e-4, ten nodes.
    for fam, d, crc, extra in twins:
        f, _, _, _, twin_db = extra
        k = d + crc_length(crc)
        eve_top = _sinr_at(0.995, k, fam[3], fam[4])        # Eve's SINR at the top
        g = 10 ** (twin_db / 10)
        # Bob's SINR s_B with Eve's SINR = 1 / (f / s_B + (1 - f) / (g s_B)) at the top.
        lo = 10 * math.log10(10 ** (eve_top / 10) * (f + (1 - f) / g))
        hi = _sinr_at(2e-4, k, fam[3], fam[4])
        sinrs = [round(round(x / 0.05) * 0.05, 2) for x in np.linspace(lo, max(hi, lo + 3), NODES)]
        entries.append((fam, d, crc, sinrs, extra))
    _write(ROOT / "scenarios/pld_design_calibration.toml", "pld_design_calibration",
           "Seed 003, issue 15: calibration tables of every layer the code-aware designs of "
           "results/pld_code_design send, and of the pld_joint points' layers: one PLD layer "
           "alone over AWGN, ten SINRs from where eq. (12) + a nominal gap gives 0.995 to 2e-4 "
           "(tools/make_pld_scenarios.py --designs); each point runs until it has 1000 failures "
           "and 1000 successes (or 200000 frames), since near BLER 1 the success probability "
           "is what decides Eve's leakage. The message-layer tables with interference "
           "> 0 carry the design's own key layer (interference_d, interference_crc) at each "
           "receiver's share f = z P_K / (z P_K + sigma^2) of the impairment.",
           _points(entries, interference=True),
           [{"name": "shifted_na_bler", "metric": "bler"}], seed=2029, max_frames=200000,
           both_tails=True)
    axes = {key: [] for key in ("z_eve_db", "p_total", "d_k", "p_m", "crc_m", "crc_k", "n",
                                "modulation", "decoder", "num_iter")}
    for p, d in designs:
        for key, value in (("z_eve_db", p["z_eve_db"]), ("p_total", p["p_total"]),
                           ("d_k", d["d_k"]), ("p_m", round(d["p_m"], 6)),
                           ("crc_m", d["crc_m"]), ("crc_k", d["crc_k"]), ("n", d["n"]),
                           ("modulation", d["modulation"]), ("decoder", d["decoder"][0]),
                           ("num_iter", d["decoder"][1])):
            axes[key].append(value)
    lines = ['name = "pld_code_design_bittrue"',
             'description = """Seed 003, issue 15: the code-aware designs of results/pld_code_design '
             'run bit-true (deceptive FF1 cipher, CRC + 5G NR LDPC per layer, superposition, SIC at '
             'Bob and Eve). Table III settings (P_Sigma = 2 mW, eps_LF^th = 0.2) with the best design '
             'at n <= 128 and the best at n = 64 where it differs; the Fig. 5 sweep (P_Sigma = 3 mW, '
             'n = 64, eps_LF^th = 0.5). ca_* are the code-aware predictions from the calibration '
             'tables of exactly these layers (results/pld_design_calibration, pld_design_operating '
             'and pld_design_sic; joint model, ca_r_d_product assumes independence; each with its '
             'standard error from the calibration runs); na_* the paper\'s normal approximation '
             'for the same (d_K, P_M)."""', 'system = "pld"', "seed = 2030", "confidence = 0.99", "",
             "[params]", "z_bob_db = 0.0", "d_m = 16", "", "[sweep]", 'mode = "zip"',
             "[sweep.axes]"]
    lines += [f"{key} = {_toml_list(values)}" for key, values in axes.items()]
    lines += ["", "[stop]", 'error_count = "frames"', f"max_frame_errors = {DESIGN_FRAMES}",
              f"max_frames = {DESIGN_FRAMES}", "batch_size = 5000", "", "[output]",
              'x = "z_eve_db"', 'series = ["p_total", "n"]',
              'metrics = ["r_d", "eps_lf", "eps_bob_m", "eps_eve_m", "eps_bob_k", "eps_eve_k", '
              '"bob_deceived_rate", "eve_deceived_rate", "eve_perceived_rate", '
              '"bob_m_undetected_rate", "eve_m_undetected_rate", "bob_k_undetected_rate"]']
    for name, metric in (("ca_r_d", "r_d"), ("ca_eps_lf", "eps_lf"), ("ca_r_d_product", "r_d"),
                         ("ca_eps_bob_m", "eps_bob_m"), ("ca_eps_eve_m", "eps_eve_m"),
                         ("ca_eps_bob_k", "eps_bob_k"), ("ca_eps_eve_k", "eps_eve_k"),
                         ("na_r_d", "r_d"), ("na_eps_lf", "eps_lf")):
        lines += ["", "[[output.predictions]]", f'name = "{name}"', f'metric = "{metric}"']
        if name.startswith("ca_"):
            lines.append(f'calibration = "{CALIBRATIONS}"')
    (ROOT / "scenarios/pld_code_design_bittrue.toml").write_text("\n".join(lines) + "\n")


def _message_node(fam, crc_m, d_k, crc_k, p_m, p_k, z):
    """(family, d, crc, SINR, interference) of a receiver's message layer at gain ``z`` under
    the design's own key layer: share f = z P_K / (z P_K + 1), SINR z P_M / (z P_K + 1)."""
    f = round(z * p_k / (z * p_k + 1.0), 4)
    sinr_m = round(10 * math.log10(z * p_m / (z * p_k + 1.0)), 4)
    return (fam, 16, crc_m, sinr_m, (f, d_k, crc_k, False, 0.0))


def operating_scenario():
    """scenarios/pld_design_operating.toml: a node at each design's exact operating SINRs
    (each receiver's key layer alone, each receiver's message layer under the design's key
    layer, and Bob with Eve as his twin), run to 10^4 failures and 10^4 successes (or 10^6
    frames), so that the calibrated prediction is as precise as a 10^5-frame bit-true run."""
    designs = _designs()
    entries = {}
    for z_eve, p_total, p_m, d_k, crc_m, crc_k, fam in _operating_points(designs):
        p_k = p_total - p_m
        for z in (1.0, 10 ** (z_eve / 10)):
            sinr_k = round(10 * math.log10(z * p_k), 4)
            entries[(fam, d_k, crc_k, sinr_k, (0.0, 0, "CRC11", False, 0.0))] = None
            entries[_message_node(fam, crc_m, d_k, crc_k, p_m, p_k, z)] = None
        f_bob = round(p_k / (p_k + 1.0), 4)
        entries[(fam, 16, crc_m, round(10 * math.log10(p_m / (p_k + 1.0)), 4),
                 (f_bob, d_k, crc_k, True, round(z_eve, 4)))] = None
    points = [(fam, d, crc, [s], extra) for fam, d, crc, s, extra in entries]
    _write(ROOT / "scenarios/pld_design_operating.toml", "pld_design_operating",
           "Seed 003, issue 15: the calibration tables of pld_design_calibration completed with "
           "a node at each design's exact operating SINRs (each receiver's key layer alone, each "
           "receiver's message layer under the design's own key layer, Bob with Eve as his "
           "twin), run to 10^4 failures and 10^4 successes or 10^6 frames "
           "(tools/make_pld_scenarios.py --operating). The code-aware predictions read both "
           "directories; tables of one configuration are merged.",
           _points(points, interference=True), [], seed=2033, max_frames=1000000,
           both_tails=True, errors=10000)


def sic_scenario():
    """scenarios/pld_design_sic.toml: each receiver's message layer under the design's key
    layer at its exact operating SINR, with the SIC stage (``sic``): the key layer's failure
    rate given the message layer decoded, which the code-aware predictions use in place of the
    key layer alone (the two stages share the noise)."""
    entries = {}
    for z_eve, p_total, p_m, d_k, crc_m, crc_k, fam in _operating_points(_designs()):
        p_k = p_total - p_m
        for z in (1.0, 10 ** (z_eve / 10)):
            entries[_message_node(fam, crc_m, d_k, crc_k, p_m, p_k, z)] = None
    points = [(fam, d, crc, [s], extra) for fam, d, crc, s, extra in entries]
    _write(ROOT / "scenarios/pld_design_sic.toml", "pld_design_sic",
           "Seed 003, issue 15: the SIC stage of each design's receivers at their exact "
           "operating SINRs: the message layer under the design's own key layer, cancelled where "
           "decoded, then the key layer decoded from what is left (sic = true). sic_failures / "
           "sic_trials is the key layer's failure rate given the message layer decoded, which "
           "differs from the key layer alone because both stages see the same noise "
           "(tools/make_pld_scenarios.py --sic). 300000 frames per point.",
           _points(points, interference=True), [], seed=2035, max_frames=300000,
           errors=300000, params={"sic": True},
           metrics=("bler", "sic_failure_rate", "undetected_rate"))


#: The calibrations the code-aware predictions read (merged).
CALIBRATIONS = ("results/pld_design_calibration,results/pld_design_operating,"
                "results/pld_design_sic")
#: Frames per point of the blocklength study.
BLOCKLENGTH_FRAMES = 20000


def blocklength_scenario():
    from linksim.study import rebuild_rows
    _, rows = rebuild_rows(ROOT / "results/pld_blocklength_na")
    axes = {key: [] for key in ("z_eve_db", "n", "d_k", "p_m")}
    for row in rows:
        v, p = row["values"], row["params"]
        if not v["feasible"]:
            continue
        for key, value in (("z_eve_db", p["z_eve_db"]), ("n", p["n"]), ("d_k", v["d_k"]),
                           ("p_m", round(v["p_m"], 6))):
            axes[key].append(value)
    lines = ['name = "pld_blocklength_bittrue"',
             'description = """Seed 003, issue 15: the paper\'s NA design (results/pld_blocklength_na: '
             'P0 under eq. 12 for d payload bits, eps_LF^th = 0.5) at Table III\'s settings '
             '(P_Sigma = 2 mW, z_Eve = -3 / -5 / -7 dB) for n = 64 ... 1024, run bit-true with the '
             'link\'s defaults (CRC11 + 5G NR LDPC, layered NMS-20, QPSK), as pld_bittrue at n = 64. '
             'It works when R_d >= 0.5 and eps_LF <= 0.2 with 99 % confidence."""',
             'system = "pld"', "seed = 2032", "confidence = 0.99", "", "[params]",
             "z_bob_db = 0.0", "d_m = 16", "p_total = 2.0", "", "[sweep]", 'mode = "zip"',
             "[sweep.axes]"]
    lines += [f"{key} = {_toml_list(values)}" for key, values in axes.items()]
    lines += ["", "[stop]", 'error_count = "frames"', f"max_frame_errors = {BLOCKLENGTH_FRAMES}",
              f"max_frames = {BLOCKLENGTH_FRAMES}", "batch_size = 2000", "", "[output]",
              'x = "n"', 'series = ["z_eve_db"]',
              'metrics = ["r_d", "eps_lf", "eps_bob_m", "eps_eve_m", "eps_bob_k", "eps_eve_k"]']
    for name, metric in (("na_r_d", "r_d"), ("na_eps_lf", "eps_lf")):
        lines += ["", "[[output.predictions]]", f'name = "{name}"', f'metric = "{metric}"']
    (ROOT / "scenarios/pld_blocklength_bittrue.toml").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    import sys
    args = sys.argv[1:]
    if "--designs" in args:
        design_scenarios()
    elif "--blocklength" in args:
        blocklength_scenario()
    elif "--operating" in args:
        operating_scenario()
    elif "--sic" in args:
        sic_scenario()
    else:
        main()
