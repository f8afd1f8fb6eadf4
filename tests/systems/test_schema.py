"""The parameter schema (linksim.systems.schema): one declaration per system, from which the
defaults, the required names, the validation messages, bler's options and the axis labels come."""

from __future__ import annotations

import argparse

import pytest

from linksim.systems import REQUIRED, SYSTEMS, Param, Schema, SystemSpec
from linksim.systems.coded_link.spec import MAX_NUM_ITER, PARAMS
from linksim.systems.schema import parameter_namespace

#: A valid point of each built-in system (its required parameters, and what the rules between
#: parameters need), from which one value at a time is made wrong.
EXAMPLES = {
    "coded_link": dict(k=64, n=128, ebno_db=1.0),
    "pld": dict(p_m=1.0, p_k=1.0, d_k=8, z_eve_db=-3.0),
    "pld_point": dict(p_m=1.0, p_k=1.0, d_k=8, z_eve_db=-3.0),
    "pld_optimum": dict(p_total=2.0, z_eve_db=-3.0, grid=101),
    "pld_mm_bcd": dict(p_total=2.0, z_eve_db=-3.0),
    "pld_theorem1": dict(p_total=2.0, d_k=8, z_eve_db=-3.0, grid=11),
    "pld_feasibility": dict(p_total=2.0, z_eve_db=-3.0, grid=101),
    "pld_layer": dict(sinr_db=-3.0),
    "pld_code_design": dict(p_total=2.0, z_eve_db=-5.0, grid=51),
    "an_mimo": dict(),
    "an_mimo_secrecy": dict(),
    "an_mimo_convergence": dict(iteration=0),
    "ofdm_bc": dict(),
    "ofdm_bc_rates": dict(n_draws=2, schemes=["ce"]),
    "ic_secrecy_region": dict(grid=3),
    "ic_secrecy_design": dict(),
    "ic_binning": dict(n=4),
    "key_region": dict(grid=3, ts_grid=3),
    "key_game": dict(lam_grid=5),
    "key_agreement": dict(n_sym=256),
}

#: A value of the wrong type for each kind of parameter.
WRONG_TYPE = {"int": "three", "real": "three", "choice": 3, "bool": "yes"}


def test_every_builtin_system_has_an_example():
    builtin = [name for name in SYSTEMS if SYSTEMS[name].builder.__module__.startswith("linksim")]
    assert sorted(builtin) == sorted(EXAMPLES)


def test_schema_is_the_mapping_of_defaults():
    assert isinstance(PARAMS, Schema)
    assert PARAMS["code"] == "ldpc5g" and PARAMS["num_iter"] == 20 and PARAMS["crc"] is None
    assert PARAMS["k"] is REQUIRED and PARAMS["ebno_db"] is REQUIRED
    assert PARAMS.required == ("k", "ebno_db")
    assert SYSTEMS["pld"].params.required == ("p_m", "d_k", "z_eve_db")
    assert set(SYSTEMS["pld_optimum"].params.required) == {"z_eve_db", "p_total"}


def test_validate_normalises_and_names_the_parameter():
    got = PARAMS.validate({"modulation": "QPSK", "crc": "crc24a", "n": None, "k": 64,
                           "ebno_db": 2, "early_stop": False})
    assert got == {"k": 64, "n": None, "modulation": "qpsk", "ebno_db": 2.0,
                   "early_stop": False, "crc": "CRC24A"}
    assert isinstance(got["ebno_db"], float)
    cases = [({"k": 0}, ValueError, "k: got 0; allowed: an integer >= 1"),
             ({"k": 2.5}, TypeError, "k: got 2.5 of type float"),
             ({"k": True}, TypeError, "k: got True"),
             ({"ebno_db": float("nan")}, ValueError, "ebno_db: got nan"),
             ({"k_factor": -1.0}, ValueError, "k_factor: got -1.0; allowed: a number >= 0.0"),
             ({"modulation": "8psk"}, ValueError, "modulation: got '8psk'; allowed: one of"),
             ({"crc": "CRC99"}, ValueError, "or None (case-insensitive)"),
             ({"early_stop": 1}, TypeError, "early_stop: got 1; allowed: true or false"),
             ({"k": None}, TypeError, "k: missing; allowed: an integer >= 1")]
    for values, exc, text in cases:
        with pytest.raises(exc) as info:
            PARAMS.validate(values)
        assert text in str(info.value), (values, str(info.value))


def test_complete_fills_defaults_and_refuses_unknown_or_missing():
    full = PARAMS.complete({"k": 64, "n": 128, "ebno_db": 1.0}, "coded_link")
    assert list(full) == list(PARAMS) and full["decoder"] == "nms"
    with pytest.raises(ValueError, match=r"^snr: unknown parameter of system 'coded_link'"):
        PARAMS.complete({"k": 64, "ebno_db": 1.0, "snr": 3}, "coded_link")
    with pytest.raises(ValueError, match=r"^ebno_db: missing; system 'coded_link' requires "
                                         r"k, ebno_db"):
        PARAMS.complete({"k": 64}, "coded_link")


@pytest.mark.parametrize("system", sorted(EXAMPLES))
def test_each_builtin_system_checks_its_values_through_its_schema(system):
    """Each typed parameter, given a value of the wrong type, is refused by building the system
    with exactly the message its declaration gives: the builder checks through the schema."""
    spec = SYSTEMS[system]
    spec.build(EXAMPLES[system])                      # the example itself is valid
    checked = 0
    for name, param in spec.params.params.items():
        if param.kind not in WRONG_TYPE:
            continue
        bad = WRONG_TYPE[param.kind]
        with pytest.raises((TypeError, ValueError)) as expected:
            param.check(name, bad)
        with pytest.raises((TypeError, ValueError)) as got:
            spec.build({**EXAMPLES[system], name: bad})
        assert str(got.value) == str(expected.value)
        checked += 1
    assert checked >= 3


def test_builder_keeps_the_rules_between_parameters():
    with pytest.raises(ValueError, match=r"^k: got k=256 > n=128"):
        SYSTEMS["coded_link"].build({"k": 256, "n": 128, "ebno_db": 0.0})
    with pytest.raises(ValueError, match=r"^d_k: got 80; allowed: an integer in \[0, 64\]"):
        SYSTEMS["pld_point"].build({**EXAMPLES["pld_point"], "d_k": 80})


def _bler_like_parser():
    from linksim.cli.parser import _bler_type
    parser = argparse.ArgumentParser(exit_on_error=False)
    PARAMS.add_arguments(parser, _bler_type)
    return parser


def test_cli_options_come_from_the_schema():
    parser = _bler_like_parser()
    args = parser.parse_args(["--k", "1e3", "--n", "2000", "--mod", "16qam", "--iters", "7",
                              "--no-early-stop", "--crc", "crc16", "--k-factor", "0.5"])
    params = parameter_namespace(args, PARAMS)
    assert params["k"] == 1000 and params["n"] == 2000 and params["modulation"] == "16qam"
    assert params["num_iter"] == 7 and params["early_stop"] is False
    assert params["crc"] == "crc16" and params["k_factor"] == 0.5
    # every option left out takes the schema's default
    defaults = parameter_namespace(parser.parse_args(["--k", "64"]), PARAMS)
    assert {k: v for k, v in defaults.items() if k != "k"} == \
        {k: PARAMS[k] for k in PARAMS.cli_names() if k != "k"}
    assert "ebno_db" not in PARAMS.cli_names()        # bler sweeps it itself
    assert PARAMS.flag("num_iter") == "--iters" and PARAMS.flag("early_stop") == "--no-early-stop"


def test_bler_help_lists_every_option_of_the_schema():
    from linksim.cli import build_parser
    text = build_parser()._subparsers._group_actions[0].choices["bler"].format_help()
    flat = " ".join(text.split())
    assert "--mod {bpsk,qpsk,16qam,64qam,256qam}" in flat        # a choice lists its names
    assert "--iters ITERS" in flat and "--n-blocks N_BLOCKS" in flat
    for name in PARAMS.cli_names():
        assert PARAMS.flag(name) in text
        assert PARAMS.params[name].help.split(" (default")[0][:30] in " ".join(text.split())


def test_axis_labels_come_from_the_system_first():
    from linksim.report.labels import axis_html, axis_label
    assert axis_label("ebno_db", "coded_link") == PARAMS.axis_label("ebno_db")
    assert axis_html("ebno_db", "coded_link") == PARAMS.axis_html("ebno_db")
    assert axis_label("num_iter", "coded_link") == "maximum BP iterations"
    assert axis_label("snr_db") == "SNR (dB)"                # a common name, no system
    assert axis_label("z_eve_db", "pld") == "z_eve (dB)"     # the generic dB rule
    assert axis_label("ebno_db", None) == "ebno (dB)"


def test_system_limits_reach_the_scenario():
    from linksim.scenario.limits import _limit_error, value_limit
    limit = SYSTEMS["coded_link"].limits({"num_iter": MAX_NUM_ITER + 1})
    assert limit.name == "num_iter" and "at most 10000" in limit.allowed
    assert value_limit("coded_link", "num_iter", MAX_NUM_ITER + 1).startswith("got 10001;")
    assert value_limit("coded_link", "num_iter", MAX_NUM_ITER) is None
    assert value_limit("pld_theorem1", "grid", 5000).startswith("got 5000; allowed: at most 2001")
    assert value_limit("pld_optimum", "grid", 5000) is None
    point = {**SYSTEMS["pld"].complete(EXAMPLES["pld"]), "p_m": 1e40}
    assert "which puts a layer's SINR at" in _limit_error("pld", point)


def test_a_plain_mapping_is_an_untyped_schema():
    spec = SystemSpec(name="toy", description="", params={"a": REQUIRED, "b": 2},
                      builder=lambda **p: p)
    assert isinstance(spec.params, Schema) and spec.params.required == ("a",)
    assert spec.build({"a": "anything"}) == {"a": "anything", "b": 2}
    with pytest.raises(ValueError, match="kind"):
        Param("complex")
