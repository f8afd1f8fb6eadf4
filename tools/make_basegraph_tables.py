"""One-off: write linksim/fec/ldpc/data/bg{1,2}.csv, the 5G NR LDPC base graphs.

The values are those of TS 38.212 Table 5.3.2-2 (BG1, 46 x 68, 316 non-zero entries) and
Table 5.3.2-3 (BG2, 42 x 52, 197 entries): shift coefficients V_ij for the eight lifting-size
sets i_LS = 0..7. We have no machine-readable copy of the standard here; the transcription
shipped with Sionna (sionna/phy/fec/ldpc/codes/5G_bg*.csv, semicolon-separated, row index only
on the first entry of each row) is read and re-written in linksim's flat format
``row,col,v0,...,v7``. tests/fec/test_ldpc.py checks the structural facts of the standard on the
result (entry counts, the dual-diagonal core, the identity extension) and, when Sionna is
installed, the bit-exactness of the encoder built on it.

Usage: python tools/make_basegraph_tables.py
"""
import csv
import pathlib

import sionna.phy.fec.ldpc.codes as codes

out_dir = pathlib.Path(__file__).resolve().parents[1] / "linksim" / "fec" / "ldpc" / "data"
src_dir = pathlib.Path(codes.__file__).parent
for bg, n_entries in (("bg1", 316), ("bg2", 197)):
    rows = []
    row_index = None
    with open(src_dir / f"5G_{bg}.csv") as fh:
        lines = fh.read().splitlines()[2:]          # two header lines
    for line in lines:
        fields = line.split(";")
        if fields[0].strip():
            row_index = int(fields[0])
        rows.append([row_index, int(fields[1])] + [int(v) for v in fields[2:10]])
    assert len(rows) == n_entries, (bg, len(rows))
    with open(out_dir / f"{bg}.csv", "w", newline="") as fh:
        fh.write(f"# 5G NR LDPC base graph {bg[-1]}: TS 38.212 Table 5.3.2-{1 + int(bg[-1])}\n")
        writer = csv.writer(fh)
        writer.writerow(["row", "col"] + [f"v{i}" for i in range(8)])
        writer.writerows(rows)
    print(bg, len(rows), "entries")
