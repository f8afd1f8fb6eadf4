"""Numerical helpers shared by systems (notes: ../shared/DESIGN.md, ``optimize/``).

:mod:`.region`: the geometry of a two-user rate region given as a cloud of achievable points
(union boundary, convex hull, max sum, max-min, symmetric rate on the hull through the
support function), with local refinement of the grid optima.
"""
