"""Regions of a set of patterns, ready to be intersected with extra half-spaces (output thresholds, decisions)."""

from __future__ import annotations

import numpy as np

from .._progress import progress_bar
from ._enumerate import enumerate_lp, enumerate_polygons
from ._polygon import box_polygon, clip_polygon, polygons_mass
from .distributions import GaussianMixture
from .polytope_probability import combine_methods, non_redundant, whitened_probability

__all__ = ["Regions", "enumerate_patterns", "whiteners", "region_polygon"]


def whiteners(distribution: GaussianMixture):
    """Per component, ``(mu, L^-1)`` when every covariance is an invertible 2 x 2 matrix, else None."""
    out = []
    for mu, L in zip(distribution.means, distribution.factors):
        if L.shape != (2, 2):
            return None
        out.append((mu, np.linalg.inv(L)))
    return out


def region_polygon(network, pattern: np.ndarray, box: np.ndarray) -> np.ndarray:
    """The pattern's region inside ``box`` as a polygon (2-D networks), by clipping; no LP."""
    A, c = network.region_inequalities(pattern)
    V = box_polygon(box)
    for a, b in zip(A, c):
        V = clip_polygon(V, a, b) if np.any(a) else (V if b >= 0 else V[:0])
    return V


def enumerate_patterns(network, distribution: GaussianMixture, progress: bool | None = None):
    """Every pattern with a region of positive volume near the input distribution: bool (P, H), polygons or None."""
    box = distribution.bounding_box()
    if network.n_features == 2:
        return enumerate_polygons(network, box, progress)
    return enumerate_lp(network, box, progress=progress), None


class Regions:
    """The regions of ``patterns`` (all of them when None), as polygons (2-D) or non-redundant ``(A, c)``.

    Parameters
    ----------
    network : ReLUNetwork
    distribution : GaussianMixture
    patterns : bool array (P, H) or None
    progress : bool or None
    """

    def __init__(self, network, distribution: GaussianMixture, patterns=None, progress: bool | None = None) -> None:
        self.network, self.distribution = network, distribution
        polygons = None
        if patterns is None:
            patterns, polygons = enumerate_patterns(network, distribution, progress)
            self.complete = True
        else:
            patterns = network.check_pattern(patterns)
            self.complete = False
        self.patterns = patterns
        self.two_d = network.n_features == 2 and whiteners(distribution) is not None
        if self.two_d:
            box = distribution.bounding_box()
            self.polygons = polygons if polygons is not None else [region_polygon(network, p, box) for p in patterns]
            return
        self.systems = []
        for p in progress_bar(patterns, progress=progress, desc="regions", unit="region"):
            self.systems.append(non_redundant(*network.region_inequalities(p)))

    def __len__(self) -> int:
        return self.patterns.shape[0]

    def sizes(self) -> np.ndarray:
        """Vertices of each polygon (2-D) or non-redundant rows of each region."""
        return np.array([P.shape[0] for P in self.polygons] if self.two_d else [A.shape[0] for A, _ in self.systems], dtype=np.int64)

    def none(self) -> list:
        """No extra rows for any region (for :meth:`mass`)."""
        d = self.network.n_features
        return [(np.zeros((0, d)), np.zeros(0))] * len(self)

    def affine(self, output: int) -> tuple[np.ndarray, np.ndarray]:
        """Each region's map of output ``output``: coef (P, d), intercept (P,)."""
        coef, intercept = self.network.affine_maps(self.patterns)
        return coef[:, output, :], intercept[:, output]

    def mass(self, extra: list, *, rtol: float = 1e-3, rng=None, progress: bool | None = False) -> tuple[np.ndarray, np.ndarray, list]:
        """Mass of region ``i`` intersected with ``{x : E_i x <= e_i}``, for ``extra[i] = (E_i, e_i)``.

        Returns ``(probability, error, methods)``, each of length ``len(self)``.
        """
        if self.two_d:
            pieces = []
            for P, (E, e) in zip(self.polygons, extra):
                for a, b in zip(E, e):
                    if P.shape[0] < 3:
                        break
                    P = clip_polygon(P, a, b) if np.any(a) else (P if b >= 0 else P[:0])
                pieces.append(P)
            prob = np.zeros(len(pieces))
            var = np.zeros(len(pieces))
            for w, (mu, Linv) in zip(self.distribution.weights, whiteners(self.distribution)):
                m, err = polygons_mass([(P - mu) @ Linv.T for P in pieces])
                prob += w * m
                var += (w * err) ** 2
            return prob, np.sqrt(var), ["exact-2d"] * len(pieces)
        rng = np.random.default_rng(rng)
        prob, err, methods = np.zeros(len(self)), np.zeros(len(self)), []
        items = progress_bar(list(zip(self.systems, extra)), progress=progress, desc="region probabilities", unit="region")
        for i, ((A, c), (E, e)) in enumerate(items):
            A2, c2 = np.vstack([A, E]), np.concatenate([c, e])
            var, ms = 0.0, []
            for w, mu, L in zip(self.distribution.weights, self.distribution.means, self.distribution.factors):
                pk, ek, mk, _ = whitened_probability(A2 @ L, c2 - A2 @ mu, rtol=rtol, rng=rng)
                prob[i] += w * pk
                var += (w * ek) ** 2
                ms.append(mk)
            err[i] = np.sqrt(var)
            methods.append(combine_methods(ms))
        return prob, err, methods
