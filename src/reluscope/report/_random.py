"""The report's "Random inputs" section (``002``: ReLU networks as random functions).

Built only when the user passes an input distribution to
:func:`~reluscope.report.write_report` (``distribution=``): the PMF of the
activation pattern (Proposition 1) and the CDF of the output (Proposition 3)
under that distribution, computed without sampling.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidInputError
from ._blocks import Section, Text, embed_figure, format_value, frame_table

__all__ = ["random_inputs_section"]

#: Rows of the PMF table shown in the report.
PMF_ROWS = 15
#: The output CDF is drawn at this many points when the regions are few enough.
CDF_POINTS = 41
#: Region-threshold pairs (QMC kernels) allowed for the CDF outside 2-D.
CDF_BUDGET = 1500


def random_inputs_section(llms, distribution, random_state=0) -> Section:
    """PMF of patterns and output CDF of ``llms.network`` under ``distribution`` (a GaussianMixture)."""
    from .. import plot
    from ..probability import GaussianMixture, output_cdf, pattern_pmf

    if not isinstance(distribution, GaussianMixture):
        raise InvalidInputError(
            f"distribution must be a reluscope.probability.GaussianMixture, got {type(distribution).__name__}."
        )
    net = llms.network
    pmf = pattern_pmf(net, distribution, rtol=1e-2, random_state=random_state)
    how = "every region was enumerated" if pmf.attrs["complete"] else "patterns from the support estimate (Algorithm 1)"
    content: list = [
        Text(
            f"Under the input distribution ({distribution.n_components} Gaussian component(s)) the network realises "
            f"{len(pmf):,} affine functions with positive probability ({how}); their total probability is "
            f"{format_value(pmf.attrs['mass'])} \u00b1 {pmf.attrs['mass_std_error']:.1e}."
        ),
        embed_figure(plot.pattern_pmf(pmf, top=30), alt="PMF of activation patterns"),
        frame_table(pmf.drop(columns=["n_constraints"]), head=PMF_ROWS, html_id="random-pmf"),
    ]
    if net.n_outputs == 1 and (net.n_features == 2 or len(pmf) * CDF_POINTS <= CDF_BUDGET):
        eta = net.decision_function(distribution.sample(4000, random_state))
        lo, hi = np.quantile(eta, [0.001, 0.999])
        pad = 0.05 * (hi - lo + 1e-12)
        cdf = output_cdf(net, distribution, np.linspace(lo - pad, hi + pad, CDF_POINTS), random_state=random_state)
        content.append(embed_figure(plot.output_cdf(cdf), alt="CDF of the output"))
    return Section(
        "Random inputs",
        content,
        "Each bar is the probability that a random input falls in one activation region (Proposition 1 of Chaudhari & "
        "Moura, ReLU networks as random functions), error bars 2 standard errors; the CDF is that of the pre-link output "
        "(Proposition 3), jumps mark regions where the output is constant.",
        group="Diagnostics",
    )
