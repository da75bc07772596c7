"""Callable (Bermudan) bonds on a Hull-White trinomial tree calibrated to a zero curve.

Model
-----
The short rate is ``r(t) = x(t) + alpha(t)`` with ``dx = -a x dt + sigma dW`` (Hull-White one
factor): ``a`` is the mean reversion (per year) and ``sigma`` the **normal** volatility of the
short rate (decimal per year; 100 bp = 0.01). ``alpha`` is chosen so that the tree reprices the
curve's discount factors at every tree date exactly.

Lattice
-------
* Time grid: the settlement date, every coupon date (the call dates are coupon dates) and the
  maturity are tree dates; each interval between them is cut into equal steps of about
  ``maturity / steps`` years (at least one step).
* Level ``i + 1`` has node spacing ``dx = sqrt(3 V_i)``, with ``V_i`` the variance of ``x``
  over step ``i``. A node at ``x`` branches to the three nodes around the nearest node ``k`` to
  its conditional mean ``m = x exp(-a dt)``; with ``u = m/dx - k`` (``|u| <= 1/2``) the
  probabilities ``pu = 1/6 + (u^2 + u)/2``, ``pm = 2/3 - u^2``, ``pd = 1/6 + (u^2 - u)/2``
  match the mean and variance and are always positive. Mean reversion keeps the width bounded.
* Calibration: with state prices ``G`` of the tree built with ``alpha = 0``, the fitted
  discount over step ``i`` is ``exp(-alpha_i dt_i) = c_{i+1} / c_i`` where
  ``c_i = P(0, t_i) / sum_j G_ij``. The branching does not depend on the curve, so one tree
  serves every curve (shifted curves for durations, spreads for the OAS) at O(steps) cost.
* A constant spread ``s`` (the OAS, bp, continuously compounded) is added to the short rate at
  every node.

Induction in blocks
-------------------
Between two dates where the bond pays or may be called, the backward induction is linear: the
values at level ``A`` are ``prod_i exp(-(alpha_i + s) dt_i) * P_A P_(A+1) ... P_(B-1)`` times
those at level ``B``, where ``P_i`` (branch probabilities times ``exp(-x dt)``) does not depend
on the curve or the spread, and ``alpha`` enters only as one factor per level, whose product
over the block is ``c_B / c_A``. :class:`TransitionBlocks` multiplies the ``P_i`` of every run
of at most :data:`BLOCK_STEPS` levels (fewer on very wide lattices) into one sparse matrix,
once per lattice (blocks with the same steps share their product), so a pricing is a few dozen
sparse products instead of one Python-level step per level, and the curve is read only at the
blocks' ends. The result is the level-by-level induction's, up to the order of floating-point
sums (about 1e-13 per 100). Memory stays bounded (tens of MB on a 20,000-step lattice).

Bond
----
On each call date the issuer calls when the continuation value (excluding that date's coupon)
exceeds the call price (clean; equal to dirty on a coupon date); the holder then receives the
call price plus the coupon. Values are per 100 face; the root value is the dirty price.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Final

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from analytics.bonds import (
    FACE,
    Bullet,
    price_from_yield,
    solve_spread_bp,
    yield_to_date,
    z_spread_bp,
)
from analytics.checks import InputError
from analytics.curves import BP, ZeroCurve

__all__ = [
    "DEFAULT_MEAN_REVERSION",
    "DEFAULT_VOL_BP",
    "DEFAULT_TREE_STEPS",
    "DEFAULT_CALL_PRICE",
    "MEAN_REVERSION_RANGE",
    "MAX_VOL_BP",
    "TREE_STEPS_RANGE",
    "HullWhiteParams",
    "CallableBond",
    "HullWhiteTree",
    "TransitionBlocks",
    "BLOCK_STEPS",
    "TreeValue",
    "time_grid",
    "build_tree",
    "CallableTreePricer",
    "callable_price",
    "callable_oas_bp",
    "Workout",
    "yield_to_worst",
    "price_to_worst",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Mean reversion a (per year) unless told otherwise.
DEFAULT_MEAN_REVERSION: Final[float] = 0.03
#: Normal short-rate volatility in bp a year unless told otherwise (100 bp = 0.01).
DEFAULT_VOL_BP: Final[float] = 100.0
#: Tree steps over the life of the bond unless told otherwise.
DEFAULT_TREE_STEPS: Final[int] = 500
#: Call price per 100 face unless told otherwise.
DEFAULT_CALL_PRICE: Final[float] = 100.0
#: Accepted mean reversion, per year (inclusive).
MEAN_REVERSION_RANGE: Final[tuple[float, float]] = (0.0, 2.0)
#: Largest normal volatility accepted, bp a year.
MAX_VOL_BP: Final[float] = 2_000.0
#: Accepted number of tree steps (inclusive).
TREE_STEPS_RANGE: Final[tuple[int, int]] = (10, 20_000)
#: Below this a * dt the variance and decay use their a -> 0 limits.
_SMALL_A_DT: Final[float] = 1e-12
_OFFSETS: Final[IntArray] = np.arange(3, dtype=np.int64)
#: Most tree levels multiplied into one block of the backward induction. Longer blocks mean
#: fewer sparse products per pricing but wider bands to build (a block of n levels has up to
#: 2n + 1 entries per row): at 16, building takes 4-8 ms once per lattice on 500 steps and a
#: pricing 0.5-0.6 ms (about 3.5 ms level by level); see ``benchmarks/bench_risk.py``.
BLOCK_STEPS: Final[int] = 16
#: Entries a block's product may keep (about width x (2 levels + 1)): wider frames get shorter
#: blocks (8 MB a product at most).
_PRODUCT_ENTRIES: Final[int] = 500_000
#: Entries and row pointers of the row slices a lattice keeps for its narrower early levels
#: (16 MB at most).
_ROW_COPY_ENTRIES: Final[int] = 1_000_000


@dataclass(frozen=True, kw_only=True)
class HullWhiteParams:
    """Hull-White model and lattice settings.

    Parameters
    ----------
    mean_reversion : a, per year, in [0, 2] (default 0.03).
    vol_bp : normal volatility of the short rate, bp a year, in [0, 2000] (default 100).
    steps : tree steps over the bond's life, in [10, 20000] (default 500).
    """

    mean_reversion: float = DEFAULT_MEAN_REVERSION
    vol_bp: float = DEFAULT_VOL_BP
    steps: int = DEFAULT_TREE_STEPS

    def __post_init__(self) -> None:
        lo, hi = MEAN_REVERSION_RANGE
        if not math.isfinite(self.mean_reversion) or not lo <= self.mean_reversion <= hi:
            raise InputError("mean_reversion", f"mean_reversion must be in [{lo:g}, {hi:g}] per year, got {self.mean_reversion}")
        if not math.isfinite(self.vol_bp) or not 0.0 <= self.vol_bp <= MAX_VOL_BP:
            raise InputError("vol_bp", f"vol_bp must be in [0, {MAX_VOL_BP:g}] bp a year, got {self.vol_bp}")
        s_lo, s_hi = TREE_STEPS_RANGE
        if isinstance(self.steps, bool) or not isinstance(self.steps, int) or not s_lo <= self.steps <= s_hi:
            raise InputError("steps", f"steps must be an integer in [{s_lo}, {s_hi}], got {self.steps!r}")

    @property
    def sigma(self) -> float:
        """Normal volatility as a decimal a year (vol_bp / 10000)."""
        return self.vol_bp * BP


@dataclass(frozen=True, kw_only=True)
class CallableBond:
    """A bullet the issuer may call on any coupon date from ``call_after_years`` on (Bermudan).

    Parameters
    ----------
    bullet : the underlying fixed-rate bond.
    call_after_years : lockout in years from settlement; coupon dates at or after it and
        before maturity are call dates. Must leave at least one call date.
    call_price : clean call price per 100 face (default 100), positive.
    """

    bullet: Bullet
    call_after_years: float
    call_price: float = DEFAULT_CALL_PRICE

    def __post_init__(self) -> None:
        mat = self.bullet.maturity_years
        if not math.isfinite(self.call_after_years) or not 0.0 <= self.call_after_years < mat:
            raise InputError(
                "call_after_years",
                f"call_after_years must be in [0, maturity = {mat:g}) years, got {self.call_after_years}"
            )
        if not math.isfinite(self.call_price) or self.call_price <= 0.0:
            raise InputError("call_price", f"call_price must be a positive price per 100, got {self.call_price}")
        if self.call_times().size == 0:
            raise InputError(
                "call_after_years",
                f"call_after_years = {self.call_after_years:g} leaves no coupon date before maturity "
                f"({mat:g} years) to call on"
            )

    def call_times(self) -> FloatArray:
        """Call dates in years: coupon dates in [call_after_years, maturity)."""
        t = self.bullet.flow_times()
        tol = 1e-9
        return t[(t >= self.call_after_years - tol) & (t < self.bullet.maturity_years - tol)]


def time_grid(mandatory_years: FloatArray, *, steps: int) -> tuple[FloatArray, FloatArray, IntArray]:
    """Tree dates through every mandatory time, with about ``steps`` equal steps overall.

    Parameters
    ----------
    mandatory_years : times (years, > 0) that must be tree dates; 0 is added.
    steps : target number of steps over ``[0, max(mandatory_years)]``.

    Returns
    -------
    times : tree dates, years, from 0 (shape N + 1).
    dts : step lengths, years (shape N); equal within each mandatory interval.
    levels : tree level of each sorted unique mandatory time (0 excluded).
    """
    stops = np.unique(np.concatenate(([0.0], np.asarray(mandatory_years, dtype=np.float64))))
    if stops.size < 2 or stops[0] < 0.0:
        raise InputError("mandatory_years", "mandatory_years must hold at least one positive time")
    dt_max = stops[-1] / steps
    n_per = np.maximum(1, np.rint(np.diff(stops) / dt_max)).astype(np.int64)
    dt_per = np.diff(stops) / n_per
    dts = np.repeat(dt_per, n_per)
    starts = np.repeat(stops[:-1], n_per)
    within = np.arange(dts.size) - np.repeat(np.cumsum(n_per) - n_per, n_per)
    times = np.concatenate((starts + within * dts, stops[-1:]))
    levels = np.cumsum(n_per)
    return times, dts, levels


def _variance(a: float, sigma: float, dt: float) -> float:
    if a * dt < _SMALL_A_DT:
        return sigma * sigma * dt
    return sigma * sigma * -math.expm1(-2.0 * a * dt) / (2.0 * a)


@dataclass(frozen=True, eq=False, kw_only=True)
class HullWhiteTree:
    """A Hull-White trinomial lattice (its structure; the curve enters only when pricing).

    Node ``j`` of every level is stored at index ``center + j`` of a common frame of width
    ``2 * center + 1``, so the children of a node are the same frame indices whatever the level.
    Levels whose step has the same length and incoming node spacing branch alike (a *kind*); the
    branching of each kind is given for every row of the frame (rows a level cannot reach have
    their children clipped to the frame and are never read).

    Attributes
    ----------
    times : tree dates in years (N + 1).
    dts : step lengths in years (N).
    half_widths : node range ``-h..h`` of each level (N + 1).
    center : frame index of node 0.
    level_kinds : kind of each step i < N (N).
    kind_probs : per kind, array (width, 3) of ``[pd, pm, pu] * exp(-x dt)`` per frame row.
    kind_children : per kind, array (width, 3) of the children's frame indices.
    """

    times: FloatArray
    dts: FloatArray
    half_widths: tuple[int, ...]
    center: int
    level_kinds: IntArray
    kind_probs: tuple[FloatArray, ...]
    kind_children: tuple[IntArray, ...]

    @property
    def steps(self) -> int:
        return int(self.dts.size)

    @property
    def width(self) -> int:
        """Rows of the common frame."""
        return 2 * self.center + 1

    def level_rows(self, level: int) -> slice:
        """Frame rows of the nodes of ``level``."""
        h = self.half_widths[level]
        return slice(self.center - h, self.center + h + 1)

    def branching(self, level: int) -> tuple[FloatArray, IntArray]:
        """``(probs, children)`` of the nodes of ``level`` < N: arrays (n, 3) of
        ``[pd, pm, pu] * exp(-x dt)`` and the children's frame indices."""
        kind = int(self.level_kinds[level])
        rows = self.level_rows(level)
        return self.kind_probs[kind][rows], self.kind_children[kind][rows]

    def step_matrix(self, kind: int) -> sparse.csr_array:
        """One step of a kind as a (width x width) sparse matrix: values at a level are
        ``exp(-(alpha + s) dt)`` times this matrix times the values at the next level."""
        width = self.width
        rows = np.repeat(np.arange(width, dtype=np.int64), 3)
        return sparse.csr_array(
            (self.kind_probs[kind].ravel(), (rows, self.kind_children[kind].ravel())), shape=(width, width)
        )


def build_tree(times: FloatArray, dts: FloatArray, params: HullWhiteParams) -> HullWhiteTree:
    """Build the lattice on a time grid from :func:`time_grid` (see the module docstring)."""
    a, sigma = params.mean_reversion, params.sigma
    n_steps = dts.size
    # Spacing of level i+1 comes from the variance of step i (level 0 is a single node).
    dx_out = [math.sqrt(3.0 * _variance(a, sigma, float(dt))) for dt in dts]
    decay = [math.exp(-a * float(dt)) for dt in dts]
    if sigma == 0.0:
        # Degenerate tree: all mass stays on the middle node (x = 0); the two outer nodes of
        # each level only keep the array shapes regular.
        dx_out = [1.0] * n_steps
    half = [0]
    kind_of: list[tuple[float, float]] = []
    for i in range(n_steps):
        dx_in = dx_out[i - 1] if i > 0 else 0.0
        kind_of.append((dx_in, float(dts[i])))
        # Same operation order as the vectorised branching below, so the widths agree exactly.
        top = round(half[i] * dx_in * decay[i] / dx_out[i]) if sigma > 0.0 else 0
        half.append(int(top) + 1)
    center = max(half)
    width = 2 * center + 1
    j = np.arange(-center, center + 1, dtype=np.float64)
    # Levels with the same (incoming spacing, step) branch alike: compute each kind once, over
    # the whole frame.
    kinds: dict[tuple[float, float], int] = {}
    kind_probs: list[FloatArray] = []
    kind_children: list[IntArray] = []
    level_kinds = np.empty(n_steps, dtype=np.int64)
    for i, key in enumerate(kind_of):
        index = kinds.get(key)
        if index is None:
            dx_in, dt = key
            x = j * dx_in
            m = x * decay[i]
            k = np.rint(m / dx_out[i])
            u = m / dx_out[i] - k
            u2 = u * u
            p = np.stack((1.0 / 6.0 + (u2 - u) / 2.0, 2.0 / 3.0 - u2, 1.0 / 6.0 + (u2 + u) / 2.0), axis=1)
            p *= np.exp(-x * dt)[:, None]
            if sigma == 0.0:
                k = np.zeros_like(k)
                p = np.stack((np.zeros_like(x), np.exp(-x * dt), np.zeros_like(x)), axis=1)
            children = (k.astype(np.int64) + center)[:, None] + _OFFSETS[None, :] - 1
            index = kinds[key] = len(kind_probs)
            kind_probs.append(p)
            kind_children.append(np.clip(children, 0, width - 1))
        level_kinds[i] = index
    return HullWhiteTree(
        times=times,
        dts=dts,
        half_widths=tuple(half),
        center=center,
        level_kinds=level_kinds,
        kind_probs=tuple(kind_probs),
        kind_children=tuple(kind_children),
    )


class TransitionBlocks:
    """The backward induction of a lattice cut into blocks between given levels.

    Parameters
    ----------
    tree : the lattice.
    stops : levels every block must end at (the bond's coupon and call dates); 0 and N are
        added, and longer stretches are cut every :meth:`block_steps` levels.

    Attributes
    ----------
    bounds : block ends, levels ascending from 0 to N (blocks + 1).
    matrices : per block ``[A, B)``, the product ``P_A ... P_(B-1)``: a sparse
        (rows) x (frame width) matrix.
    rows : per block, the frame rows its matrix gives: those of level A's nodes, or the whole
        frame (rows no node of level A has hold values nothing reads).
    state_price_sums : ``sum_j G_ij`` at each bound, for the tree built with ``alpha = 0``.

    Notes
    -----
    Memory is bounded whatever the lattice: a product keeps about ``width * (2 n + 1)``
    entries for n levels, so wide frames get shorter blocks (:meth:`block_steps`), and the
    copies of a product's rows for the narrower early levels stop at
    :data:`_ROW_COPY_ENTRIES` entries (later blocks then use the whole product).
    """

    def __init__(self, tree: HullWhiteTree, stops: IntArray | Sequence[int]) -> None:
        n = tree.steps
        most = self.block_steps(tree.width)
        marks = sorted({0, n, *(int(s) for s in stops if 0 < int(s) < n)})
        bounds = [0]
        for stop in marks[1:]:
            while stop - bounds[-1] > most:
                bounds.append(bounds[-1] + most)
            bounds.append(stop)
        self.tree = tree
        self.bounds: IntArray = np.asarray(bounds, dtype=np.int64)
        powers: dict[tuple[int, int], sparse.csr_array] = {}

        def power(kind: int, count: int) -> sparse.csr_array:
            # Repeated squaring; equal stretches of a kind recur across blocks, so keep them.
            got = powers.get((kind, count))
            if got is None:
                if count == 1:
                    got = tree.step_matrix(kind)
                else:
                    half_power = power(kind, count // 2)
                    got = half_power @ half_power
                    if count % 2:
                        got = got @ power(kind, 1)
                powers[(kind, count)] = got
            return got

        Key = tuple[tuple[int, int], ...]
        products: dict[Key, sparse.csr_array] = {}
        row_copies: dict[tuple[Key, int], sparse.csr_array] = {}
        copied = 0
        whole = slice(0, tree.width)
        matrices: list[sparse.csr_array] = []
        rows: list[slice] = []
        kinds = tree.level_kinds.tolist()
        for start, end in zip(bounds[:-1], bounds[1:], strict=True):
            # The block's levels as runs of one kind: (kind, levels) in order.
            key = tuple((kind, len(list(run))) for kind, run in groupby(kinds[start:end]))
            product = products.get(key)
            if product is None:
                product = power(*key[0])
                for kind, count in key[1:]:
                    product = product @ power(kind, count)
                product = sparse.csr_array(product)
                product.sum_duplicates()
                products[key] = product
            # Only the rows of level `start`'s nodes are needed: a copy of them saves the work
            # of the others on every pricing, while the copies fit their budget.
            level = tree.level_rows(start)
            matrix = row_copies.get((key, level.start))
            if matrix is None and level != whole:
                size = int(product.indptr[level.stop] - product.indptr[level.start])
                # A view of at least half the product's entries, else a copy; each has its own
                # row pointers. All within one budget.
                small = 2 * size < product.nnz
                cost = (size if small else 0) + level.stop - level.start
                if copied + cost <= _ROW_COPY_ENTRIES:
                    matrix = row_copies[(key, level.start)] = _row_slice(product, level, copy=small)
                    copied += cost
            matrices.append(product if matrix is None else matrix)
            rows.append(whole if matrix is None else level)
        self.matrices: tuple[sparse.csr_array, ...] = tuple(matrices)
        self.rows: tuple[slice, ...] = tuple(rows)
        # Forward induction of the alpha-free state prices, block by block (zero off the
        # nodes, so whole-frame rows add nothing).
        sums = np.empty(len(bounds))
        sums[0] = 1.0
        g = np.zeros(tree.width)
        g[tree.center] = 1.0
        for b, (matrix, out_rows) in enumerate(zip(matrices, rows, strict=True), start=1):
            g = matrix.T @ g[out_rows]
            sums[b] = np.add.reduce(g)
        self.state_price_sums: FloatArray = sums

    @staticmethod
    def block_steps(width: int) -> int:
        """Most levels in a block for a frame of ``width`` rows: :data:`BLOCK_STEPS`, fewer when
        a product would keep more than :data:`_PRODUCT_ENTRIES` entries (at least 1)."""
        return max(1, min(BLOCK_STEPS, (_PRODUCT_ENTRIES // width - 1) // 2))

    def block_factors(self, curves: Sequence[ZeroCurve], *, spread_bp: float = 0.0) -> FloatArray:
        """Per block and curve, ``prod exp(-(alpha_i + s) dt_i)`` over the block's levels, with
        alpha fitted to each curve: array (blocks, curves)."""
        t = self.tree.times[self.bounds]
        discount = np.stack([np.asarray(c.discount(t), dtype=np.float64) for c in curves], axis=1)
        c = discount / self.state_price_sums[:, None]
        return c[1:] / c[:-1] * np.exp(-spread_bp * BP * np.diff(t))[:, None]


def _row_slice(matrix: sparse.csr_array, rows: slice, *, copy: bool) -> sparse.csr_array:
    """Rows ``rows`` of a CSR matrix: sharing its entries, or a copy of them."""
    indptr = matrix.indptr
    lo, hi = indptr[rows.start], indptr[rows.stop]
    data, indices = matrix.data[lo:hi], matrix.indices[lo:hi]
    if copy:
        data, indices = data.copy(), indices.copy()
    return sparse.csr_array((data, indices, indptr[rows.start : rows.stop + 1] - lo),
                            shape=(rows.stop - rows.start, matrix.shape[1]))


@dataclass(frozen=True, kw_only=True)
class TreeValue:
    """Root values of a backward induction, per 100 face.

    Attributes
    ----------
    dirty : value of the bond (dirty price per 100).
    redemption_pv : present value of 1 paid when the bond is redeemed (called or matured),
        under the issuer's exercise policy; the muni tax code needs it.
    """

    dirty: float
    redemption_pv: float


class CallableTreePricer:
    """Prices one callable bond on one lattice for any curve and spread.

    Parameters
    ----------
    bond : the callable bond.
    params : model and lattice settings (keyword-only; defaults in :class:`HullWhiteParams`).

    Notes
    -----
    Building the lattice and its blocks is the expensive part (done here, once); :meth:`value`
    then costs one backward induction over the blocks.
    """

    def __init__(self, bond: CallableBond, *, params: HullWhiteParams | None = None) -> None:
        self.bond = bond
        self.params = params or HullWhiteParams()
        bullet = bond.bullet
        flow_t = bullet.flow_times()
        times, dts, levels = time_grid(flow_t, steps=self.params.steps)
        self.tree = build_tree(times, dts, self.params)
        # Every payment and call date ends a block, so they are all block starts (or N).
        self.blocks = TransitionBlocks(self.tree, levels)
        sums = self.blocks.state_price_sums
        if not (np.isfinite(sums).all() and (sums > 0.0).all()):
            raise InputError(
                "vol_bp",
                f"the Hull-White tree overflows with a normal volatility of {self.params.vol_bp:g} bp a year, "
                f"mean reversion {self.params.mean_reversion:g} and {bullet.maturity_years:g} years to "
                "maturity (its rates reach thousands of percent): lower the volatility, raise the mean "
                "reversion or shorten the bond"
            )
        coupon = np.zeros(times.size)
        # flow_t is sorted and unique, so levels[k] is the level of flow k.
        coupon[levels] = bullet.coupon_pct / bullet.frequency
        call = np.zeros(times.size, dtype=bool)
        call[levels[np.searchsorted(flow_t, bond.call_times() - 1e-9)]] = True
        # Python lists: the backward loop reads one entry per block.
        starts = self.blocks.bounds[:-1]
        self._final = FACE + float(coupon[-1])
        self._coupons: list[float] = coupon[starts].tolist()
        self._calls: list[bool] = call[starts].tolist()

    def node_spacing_bp(self) -> float:
        """Spacing of the short-rate nodes in bp (of the tree's most common step), or 0 at zero vol.

        Exercise decisions flip from one node to the next as the curve moves, so a tree price
        is a smooth function plus a ripple whose period is about this spacing; the risk code
        fits its convexity over a few of these periods (:mod:`analytics.risk`).
        """
        if self.params.vol_bp == 0.0:
            return 0.0
        dts = self.tree.dts
        values, counts = np.unique(np.round(dts, 12), return_counts=True)
        dt = float(values[np.argmax(counts)])
        return math.sqrt(3.0 * _variance(self.params.mean_reversion, self.params.sigma, dt)) / BP

    def _induct(self, curves: Sequence[ZeroCurve], spread_bp: float,
                redemption: bool) -> tuple[FloatArray, FloatArray | None]:
        """Root values (per 100, one per curve) and, if ``redemption``, the PV of 1 at redemption."""
        blocks, tree = self.blocks, self.tree
        factors = blocks.block_factors(curves, spread_bp=spread_bp)
        call_price = self.bond.call_price
        # Values at the nodes of the level a block starts from sit in the frame's rows of that
        # level; a block reads only the rows of the nodes its end level has.
        v = np.full((tree.width, len(curves)), self._final)
        u = np.ones((tree.width, len(curves))) if redemption else None
        for b in range(len(blocks.matrices) - 1, -1, -1):
            matrix, rows = blocks.matrices[b], blocks.rows[b]
            out = matrix @ v
            out *= factors[b]
            if u is not None:
                u_out = matrix @ u
                u_out *= factors[b]
                if self._calls[b]:
                    called = out > call_price
                    u_out[called] = 1.0
                    out[called] = call_price
                u[rows] = u_out
            elif self._calls[b]:
                np.minimum(out, call_price, out=out)
            if self._coupons[b]:
                out += self._coupons[b]
            v[rows] = out
        root = tree.center
        return np.array(v[root], dtype=np.float64), None if u is None else np.array(u[root], dtype=np.float64)

    def value(self, curve: ZeroCurve, *, spread_bp: float = 0.0, redemption: bool = False) -> TreeValue:
        """Dirty value per 100 (and, if ``redemption``, the PV of 1 at redemption).

        Parameters
        ----------
        curve : the zero curve the tree is fitted to.
        spread_bp : constant spread over the short rate (OAS), bp.
        redemption : also compute the PV of 1 paid at call or maturity (default False).
        """
        dirty, pv = self._induct([curve], spread_bp, redemption)
        return TreeValue(dirty=float(dirty[0]), redemption_pv=float(pv[0]) if pv is not None else math.nan)

    def values(self, curves: Sequence[ZeroCurve], *, spread_bp: float = 0.0) -> FloatArray:
        """Dirty values per 100 off several curves at one OAS, in one backward induction.

        The lattice's geometry does not depend on the curve (only each level's drift does), so
        K curves are K columns of one induction: the risk engine's bumped curves share each
        sparse product. Equal to :meth:`value` of each curve.
        """
        if not curves:
            return np.empty(0)
        return self._induct(curves, spread_bp, False)[0]

    def price(self, curve: ZeroCurve, *, spread_bp: float = 0.0) -> float:
        """Clean price per 100 at an OAS of ``spread_bp``."""
        return self.value(curve, spread_bp=spread_bp).dirty - self.bond.bullet.accrued

    def oas_bp(self, curve: ZeroCurve, *, price_clean: float) -> float:
        """OAS in bp: the constant short-rate spread at which the tree reprices ``price_clean``."""
        if not math.isfinite(price_clean) or price_clean <= 0.0:
            raise InputError("price", f"price must be a positive clean price per 100, got {price_clean}")
        # The callable is worth no more than its bullet at the same spread, so the OAS is at
        # most the bullet's z-spread: a close start for the secant steps (one tree pricing each).
        try:
            near: float | None = z_spread_bp(self.bond.bullet, curve, price_clean=price_clean)
        except ValueError:
            near = None
        return solve_spread_bp(lambda s: self.price(curve, spread_bp=s), price_clean, near=near)


def callable_price(
    bond: CallableBond, curve: ZeroCurve, *, oas_bp: float = 0.0, params: HullWhiteParams | None = None
) -> float:
    """Clean price per 100 of a callable bond at an OAS (bp) on a Hull-White tree."""
    return CallableTreePricer(bond, params=params).price(curve, spread_bp=oas_bp)


def callable_oas_bp(
    bond: CallableBond, curve: ZeroCurve, *, price_clean: float, params: HullWhiteParams | None = None
) -> float:
    """OAS in bp of a callable bond at a clean price per 100 (root find on the tree)."""
    return CallableTreePricer(bond, params=params).oas_bp(curve, price_clean=price_clean)


@dataclass(frozen=True, kw_only=True)
class Workout:
    """Yield to worst of a callable and the date it works out to.

    Attributes
    ----------
    yield_to_worst_pct : the lowest street yield over the call dates and maturity, percent.
    workout_years : the date of that yield, years from settlement.
    is_call : True when the worst date is a call date, False when it is maturity.
    yield_to_maturity_pct : the yield to maturity of the same price, percent.
    """

    yield_to_worst_pct: float
    workout_years: float
    is_call: bool
    yield_to_maturity_pct: float


def yield_to_worst(bond: CallableBond, price_clean: float) -> Workout:
    """Yield to worst of a callable at a clean price (per 100): the minimum over every call
    date (redeemed at the call price) and maturity (at 100) of the street yield to that date."""
    bullet = bond.bullet
    ytm = yield_to_date(bullet, price_clean, workout_years=bullet.maturity_years)
    best = Workout(yield_to_worst_pct=ytm, workout_years=bullet.maturity_years, is_call=False,
                   yield_to_maturity_pct=ytm)
    for t in bond.call_times():
        y = yield_to_date(bullet, price_clean, workout_years=float(t), redemption=bond.call_price)
        if y < best.yield_to_worst_pct:
            best = Workout(yield_to_worst_pct=y, workout_years=float(t), is_call=True, yield_to_maturity_pct=ytm)
    return best


def price_to_worst(bond: CallableBond, yield_pct: float) -> float:
    """Clean price per 100 of a callable quoted at a yield to worst (percent): the lowest of the
    prices at that yield to each call date (at the call price) and to maturity."""
    bullet = bond.bullet
    prices = [price_from_yield(bullet, yield_pct)]
    for t in bond.call_times():
        to_call = Bullet(coupon_pct=bullet.coupon_pct, maturity_years=float(t), frequency=bullet.frequency)
        extra = (bond.call_price - FACE) * (1.0 + yield_pct / 100.0 / bullet.frequency) ** (
            -bullet.frequency * float(t)
        )
        prices.append(price_from_yield(to_call, yield_pct) + extra)
    return min(prices)
