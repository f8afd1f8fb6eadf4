"""Shared draws of the seed-002 tests: K = 3 pairs, N_T = N_R = 4, N_E = 8, d_s = 2, d_a = 1
(notes 002 §4), at the paper's 10 m path loss and a noise level that keeps the rates finite."""

from __future__ import annotations

import numpy as np
import pytest

from linksim.channel.mimo import path_loss, rayleigh_mimo

K, NT, NR, NE, DS, DA = 3, 4, 4, 8, 2, 1


def draw(seed=0, batch=5):
    """(h [batch, K, K, NR, NT], h_eve [batch, K, NE, NT], q [batch, K, NT, DS],
    lam [batch, K, NT, DA]): Rayleigh channels and random precoders."""
    rng = np.random.default_rng(seed)
    h = rayleigh_mimo(rng, batch * K * K, NR, NT).reshape(batch, K, K, NR, NT)
    h_eve = rayleigh_mimo(rng, batch * K, NE, NT).reshape(batch, K, NE, NT)
    q = rayleigh_mimo(rng, batch * K, NT, DS).reshape(batch, K, NT, DS) * 0.4
    lam = rayleigh_mimo(rng, batch * K, NT, DA).reshape(batch, K, NT, DA) * 0.3
    return h, h_eve, q, lam


OMEGA = dict(omega_m=path_loss(10.0), omega_i=path_loss(10.0), omega_e=path_loss(10.0),
             noise_r=1e-7, noise_e=1e-7)


@pytest.fixture
def an_draw():
    """:func:`draw`, the seeded channels and precoders of one test."""
    return draw


@pytest.fixture
def omega():
    """Path-loss gains and noise variances (keyword arguments of the rate functions)."""
    return dict(OMEGA)
