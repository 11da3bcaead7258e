"""
The HTML report of an unwrapped network
=======================================

:meth:`reluscope.LocalLinearModels.report` writes one self-contained HTML file (CSS inline, figures as
embedded PNG, no scripts, nothing fetched) with the model card, the exactness certificate, the region
summary and every view of sections 3-4 of the unwrapping paper; simplification results join it as
extra sections. This example writes the report of a small CoCircles network with a test set and a
merged-model section, then lists its sections.
"""

# %%
import re
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

import reluscope
from reluscope.datasets import make_cocircles
from reluscope.report import Section
from reluscope.simplify import MergedModel, merged_regions

X, y = make_cocircles(1000, noise=0.1, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
mlp = MLPClassifier(hidden_layer_sizes=[10] * 2, max_iter=1000, random_state=0).fit(X_train, y_train)
network = reluscope.from_sklearn(mlp)
llms = reluscope.unwrap(network, X_train, y_train)

# %%
# An extra section
# ----------------
# Any tool can add a :class:`reluscope.report.Section` (a title, figures / tables / text, a caption).
# Here: the merged regions of Algorithm 1 (see the simplification examples).
merged = MergedModel(network, random_state=0).fit(X_train, y_train)
fig = reluscope.plot.merged_regions(merged_regions(merged, resolution=150))
extra = Section(
    "Merged regions",
    [fig, merged.cluster_summary()],
    f"Algorithm 1: the {llms.n_regions} LLMs merged into {merged.n_clusters_} clusters, one GLM each.",
)

# %%
# Write the report
# ----------------
# ``X_test``/``y_test`` add the test metrics and the training vs test patterns view; ``explain_rows``
# picks the rows explained one by one.
out = Path(tempfile.mkdtemp()) / "report.html"
llms.report(out, X_test=X_test, y_test=y_test, model_name="MLP [10]*2 on CoCircles",
            explain_rows=(0, 1), extra_sections=[extra])
html = out.read_text(encoding="utf-8")
titles = re.findall(r"<h2[^>]*>(.*?)</h2>", html)
print(f"{out.name}: {len(html) / 1e6:.1f} MB, {len(titles)} sections")
for t in titles:
    print(" -", re.sub(r"<[^>]+>", "", t).strip())

# %%
# The same figure as in the report, drawn here: the merged regions over the input plane.
plt.show()
