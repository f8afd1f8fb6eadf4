"""The NE maps of seed 001's FW/BW game Gamma_1 (Fig. 4): which pure profiles are Nash
equilibria over the (alpha_1, alpha_2) square, at several powers P_1 = P_2 = P.

    python tools/plot_key_game_maps.py [RESULTS_DIR] [--grid N] [--powers P ...]

Computes the maps with :func:`linksim.systems.key_agreement.game.ne_map` (unclipped payoffs,
beta = 1, tol = 1e-12; one batched call per profile and power) on an N x N grid (default 201)
at P in {0.1, 0.4, 1, 10, 100} (default), and writes ``figures/ne_maps.{png,pdf}`` under
RESULTS_DIR (default ``results/key_game_fig4``). Each cell is coloured by its NE set; the
lines are the wedge ``I(Y_1; Y_2) <= I(X_1; Y_2)`` (pair 1 keeps BW against BW: ``alpha_1 <=
g(alpha_2)``, :func:`~linksim.systems.key_agreement.game.wedge_boundary`), its mirror (pair 2)
and the diagonal, where (FW, FW) is an NE. (BW, BW) is an NE where the two wedges overlap.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

#: The NE sets by bit (FW,FW = 1, FW,BW = 2, BW,FW = 4, BW,BW = 8) and their colours.
_NAMES = ("FW,FW", "FW,BW", "BW,FW", "BW,BW")
_COLOURS = {
    0: "#ffffff",      # no NE (never seen)
    2: "#4c72b0",      # (FW, BW) only
    4: "#dd8452",      # (BW, FW) only
    8: "#55a868",      # (BW, BW) only
    7: "#222222",      # the diagonal of Proposition 1
    9: "#8172b3",      # (FW, FW) and (BW, BW): the diagonal below the threshold
    10: "#8fbf8f",     # (FW, BW) and (BW, BW)
    12: "#c7e6a0",     # (BW, FW) and (BW, BW)
    15: "#c44e52",     # all four (the origin: no interference)
}
_OTHER = "#937860"


def _label(code: int) -> str:
    names = [n for bit, n in enumerate(_NAMES) if code >> bit & 1]
    return "no NE" if not names else ", ".join(f"({n})" for n in names)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="?", default="results/key_game_fig4")
    parser.add_argument("--grid", type=int, default=201, help="grid points per axis")
    parser.add_argument("--powers", type=float, nargs="+", default=[0.1, 0.4, 1.0, 10.0, 100.0])
    args = parser.parse_args(argv)
    if not 2 <= args.grid <= 1001:
        print(f"grid: got {args.grid}; allowed: 2 <= grid <= 1001", file=sys.stderr)
        return 2
    if not args.powers or any(not p > 0 for p in args.powers):
        print(f"powers: got {args.powers}; allowed: powers > 0", file=sys.stderr)
        return 2
    from linksim.systems.key_agreement.game import ne_map, wedge_boundary
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    axis = np.linspace(0.0, 1.0, args.grid)
    a1, a2 = np.meshgrid(axis, axis, indexing="ij")
    line = np.linspace(0.0, 1.0, 101)
    codes, wedges = [], []
    for p in args.powers:
        start = time.perf_counter()
        game = ne_map(p, p, a1, a2)
        ne = game["ne"]
        codes.append(ne[..., 0, 0] * 1 + ne[..., 0, 1] * 2 + ne[..., 1, 0] * 4
                     + ne[..., 1, 1] * 8)
        wedges.append(wedge_boundary(line, p, iters=40))
        # the wedge as a boundary presumes one crossing: the grid's cells where pair 1 keeps
        # BW against BW against alpha_1 <= g(alpha_2) on the same grid
        g_axis = wedge_boundary(axis, p, iters=40)
        off = int(np.sum(game["br1"][..., 1, 1] != (a1 <= g_axis[None, :] + 1e-9)))
        print(f"P = {p:g}: {time.perf_counter() - start:.1f} s; cells off the wedge "
              f"boundary: {off}; NE sets "
              + ", ".join(f"{_label(int(c))}: {np.mean(codes[-1] == c):.4f}"
                          for c in np.unique(codes[-1])))
    present = sorted(set(int(c) for code in codes for c in np.unique(code)))
    colours = [_COLOURS.get(c, _OTHER) for c in range(16)]
    cmap = ListedColormap(colours)
    fig, axes = plt.subplots(1, len(args.powers), figsize=(3.3 * len(args.powers), 4.9),
                             squeeze=False)
    for ax, p, code, g in zip(axes[0], args.powers, codes, wedges):
        # rows of the image are alpha_2 (y), columns alpha_1 (x)
        ax.imshow(code.T, origin="lower", extent=(0, 1, 0, 1), cmap=cmap, vmin=-0.5,
                  vmax=15.5, interpolation="nearest", aspect="equal")
        ax.plot(np.minimum(g, 1.0), line, color="k", lw=1.0, ls="--")
        ax.plot(line, np.minimum(g, 1.0), color="k", lw=1.0, ls=":")
        ax.plot([0, 1], [0, 1], color="#222222", lw=1.2)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_title(f"$P_1 = P_2 = {p:g}$", fontsize=10)
        ax.set_xlabel(r"$\alpha_1$")
    axes[0][0].set_ylabel(r"$\alpha_2$")
    handles = [Patch(facecolor=_COLOURS.get(c, _OTHER), edgecolor="grey", label=_label(c))
               for c in present]
    handles += [plt.Line2D([], [], color="k", ls="--",
                           label=r"$I(Y_1;Y_2) = I(X_1;Y_2)$: $\alpha_1 = g(\alpha_2)$"),
                plt.Line2D([], [], color="k", ls=":",
                           label=r"$I(Y_1;Y_2) = I(X_2;Y_1)$: $\alpha_2 = g(\alpha_1)$"),
                plt.Line2D([], [], color="#222222", lw=1.2,
                           label=r"$\alpha_1 = \alpha_2$: (FW,FW) is an NE")]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=8, frameon=False)
    fig.suptitle(r"Pure NE of $\Gamma_1$ (unclipped payoffs, $\beta_1 = \beta_2 = 1$, "
                 f"{args.grid}$^2$ grid). Pair 1 keeps BW against BW left of / above the "
                 "dashed line, pair 2 right of / below the dotted one: (BW, BW) is an NE "
                 "where both hold", fontsize=10)
    fig.tight_layout(rect=(0, 0.2, 1, 0.95))
    out = Path(args.results) / "figures"
    out.mkdir(parents=True, exist_ok=True)
    for ext in ("png", "pdf"):
        fig.savefig(out / f"ne_maps.{ext}", dpi=120)
    print(f"wrote {out / 'ne_maps.png'} and .pdf")
    return 0


if __name__ == "__main__":
    sys.exit(main())
