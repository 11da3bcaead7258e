"""Model card of the report: architecture, data, metrics, exactness certificate."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..summary import binary_response
from ._blocks import Section, Table, Text, format_value, key_value_table

__all__ = ["network_metrics", "ModelCard", "model_card", "model_card_section"]

_LINKS = {
    "identity": "identity (the output is the regression value)",
    "sigmoid": "sigmoid (probability of the positive class)",
    "softmax": "softmax (class probabilities)",
}


def _activation_name(slope: float) -> str:
    if slope == 0.0:
        return "ReLU"
    if slope == 1.0:
        return "identity"
    return f"LeakyReLU({slope:g})"


def activations(network) -> str:
    """Hidden activations, run-length encoded: 'ReLU x 4' or 'ReLU, LeakyReLU(0.01)'."""
    names = [_activation_name(s) for s in network.slopes]
    if not names:
        return "none (no hidden layer)"
    runs: list[list] = []
    for n in names:
        if runs and runs[-1][0] == n:
            runs[-1][1] += 1
        else:
            runs.append([n, 1])
    return ", ".join(n if c == 1 else f"{n} \u00d7 {c}" for n, c in runs)


def network_metrics(network, X, y, decision=None) -> dict[str, float]:
    """Performance of the network on ``(X, y)`` with :mod:`sklearn.metrics`, from its own outputs.

    - regression: ``MSE`` (:func:`~sklearn.metrics.mean_squared_error`) and
      ``R2`` (:func:`~sklearn.metrics.r2_score`) of ``f(x)``;
    - binary: ``AUC`` (:func:`~sklearn.metrics.roc_auc_score` of the logit;
      NaN when ``y`` holds one class) and ``Accuracy`` of ``logit > 0``;
    - multi-class: ``Accuracy`` of the arg-max class.

    Parameters
    ----------
    network : ReLUNetwork
    X : (n, d) validated array
    y : (n,) or (n, k)
    decision : (n, k), optional
        Pre-link output on ``X`` when already computed.

    Returns
    -------
    dict of metric name to value (empty for multi-label networks).

    Examples
    --------
    ``f(x) = |x|`` against targets ``|x| + 0.1``: the MSE is 0.1 squared.

    >>> import numpy as np, reluscope
    >>> from reluscope.report import network_metrics
    >>> net = reluscope.from_arrays([np.array([[1.0], [-1.0]]), np.array([[1.0, 1.0]])], [np.zeros(2), np.zeros(1)])
    >>> X = np.linspace(-1, 1, 41)[:, None]
    >>> m = network_metrics(net, X, np.abs(X[:, 0]) + 0.1)
    >>> sorted(m), round(m["MSE"], 12)
    (['MSE', 'R2'], 0.01)
    """
    from sklearn.metrics import accuracy_score, mean_squared_error, r2_score, roc_auc_score

    eta = network._forward_raw(X)[0] if decision is None else np.asarray(decision)
    eta = eta.reshape(X.shape[0], -1)
    task = network.task
    y = np.asarray(y)
    if task == "regression":
        pred = eta[:, 0] if eta.shape[1] == 1 else eta
        yy = y.reshape(pred.shape).astype(np.float64)
        out = {"MSE": float(mean_squared_error(yy, pred))}
        out["R2"] = float(r2_score(yy, pred)) if y.shape[0] > 1 else float("nan")
        return out
    if task == "binary":
        yb = binary_response(y, network.classes)
        auc = float(roc_auc_score(yb, eta[:, 0])) if 0 < yb.sum() < yb.size else float("nan")
        return {"AUC": auc, "Accuracy": float(accuracy_score(yb, (eta[:, 0] > 0).astype(np.float64)))}
    if task == "multiclass":
        classes = np.asarray(network.classes if network.classes is not None else np.arange(network.n_outputs))
        return {"Accuracy": float(accuracy_score(y, classes[eta.argmax(axis=1)]))}
    return {}


@dataclass
class ModelCard:
    """The facts of the model card, as plain values (also used for the headline tiles)."""

    model_name: str
    architecture: list
    activations: str
    output: str
    n_parameters: int
    task: str
    classes: list | None
    feature_names: tuple
    n_train: int
    n_test: int | None
    train_metrics: dict
    test_metrics: dict
    n_regions: int
    n_trivial: int
    max_error_train: float
    max_error_test: float | None
    certificate_computed: bool = False


def model_card(llms, X_test=None, y_test=None, model_name: str | None = None) -> ModelCard:
    """Collect the model card of an unwrap result (``X_test`` already validated, ``y_test`` optional)."""
    net = llms.network
    train = network_metrics(net, llms.X_, llms.y_, llms.decision_) if llms.y_ is not None else {}
    test = network_metrics(net, X_test, y_test) if (X_test is not None and y_test is not None) else {}
    err, computed = llms.max_error_, False
    if err is None:  # unwrapped with verify=False: certify now
        err, computed = float(llms.verify()), True
    return ModelCard(
        model_name=model_name or "ReLU network",
        architecture=[net.n_features, *net.hidden_sizes, net.n_outputs],
        activations=activations(net),
        output=net.output,
        n_parameters=net.n_parameters,
        task=net.task,
        classes=None if net.classes is None else [str(c) for c in net.classes],
        feature_names=tuple(llms.feature_names_),
        n_train=int(llms.X_.shape[0]),
        n_test=None if X_test is None else int(X_test.shape[0]),
        train_metrics=train,
        test_metrics=test,
        n_regions=llms.n_regions,
        n_trivial=int(np.sum(llms.trivial_)),
        max_error_train=float(err),
        max_error_test=None if X_test is None else float(llms.verify(X_test)),
        certificate_computed=computed,
    )


def _features_text(names: tuple, limit: int = 12) -> str:
    shown = ", ".join(names[:limit])
    return f"{len(names)}: {shown}" + (f", \u2026 ({len(names) - limit} more)" if len(names) > limit else "")


def metrics_table(card: ModelCard) -> Table | None:
    """Rows: metrics; columns: Train (and Test)."""
    names = list(dict.fromkeys([*card.train_metrics, *card.test_metrics]))
    if not names:
        return None
    cols = ["Train"] + (["Test"] if card.n_test is not None else [])
    rows = []
    for m in names:
        row = [format_value(card.train_metrics.get(m, float("nan")))]
        if card.n_test is not None:
            row.append(format_value(card.test_metrics.get(m, float("nan"))))
        rows.append(row)
    return Table(columns=cols, rows=rows, index=names, index_name="Metric", html_id="metrics")


def model_card_section(card: ModelCard) -> Section:
    """The model card as the report's first section."""
    arch = "[" + ", ".join(str(a) for a in card.architecture) + "]"
    pairs = [
        ("Model", card.model_name),
        ("Task", card.task),
        ("Architecture [d, n\u2081 \u2026 n_L, k]", arch),
        ("Hidden activations", card.activations),
        ("Output link", _LINKS.get(card.output, card.output)),
        ("Parameters", f"{card.n_parameters:,}"),
        ("Input features", _features_text(card.feature_names)),
    ]
    if card.classes is not None:
        pairs.append(("Classes", ", ".join(card.classes)))
    pairs += [
        ("Training rows (unwrapped)", f"{card.n_train:,}"),
        ("Test rows", "not given" if card.n_test is None else f"{card.n_test:,}"),
        ("Activation regions (local linear models)", f"{card.n_regions:,}" + (f" ({card.n_trivial:,} trivial)" if card.n_trivial else "")),
        ("Exactness certificate, training rows", f"max |\u03b7(x) \u2212 LLM(x)| = {card.max_error_train:.3e}"),
    ]
    if card.max_error_test is not None:
        pairs.append(("Exactness certificate, test rows", f"max |\u03b7(x) \u2212 LLM(x)| = {card.max_error_test:.3e}"))
    content: list = [key_value_table(pairs, html_id="model-card")]
    table = metrics_table(card)
    if table is not None:
        content.append(table)
    else:
        content.append(Text("No metrics: the network was unwrapped without a response y (or its task has no metric here).", muted=True))
    return Section(
        title="Model card",
        content=content,
        group="Model",
        caption=(
            "Metrics come from the network's own outputs (scikit-learn metrics); the exactness certificate is the "
            "largest gap between the network's pre-link output \u03b7 and the local linear model of each row's region: "
            "a value at float64 round-off (about 1e-12 or less) certifies that every LLM in this report is the network "
            "itself, not an approximation."
        ),
    )
