"""Command line: ``reluscope demo``, ``reluscope unwrap``, ``reluscope report``.

Exit codes: 0 success; 2 bad input (a bad option, a missing or unreadable file,
data the network cannot take), printed as one line ``reluscope: error: ...`` on
stderr; 1 an internal error (a bug), one line as well; 130 interrupted.  A
traceback is printed only with ``--debug``.  Output paths are checked before
any work starts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InvalidInputError, ReluscopeError

__all__ = ["main"]


def _print_summary(summary: pd.DataFrame, n: int = 5) -> None:
    with pd.option_context(
        "display.width", 120, "display.max_columns", 20, "display.max_rows", 2 * n, "display.min_rows", 2 * n,
        "display.float_format", "{:.6f}".format,
    ):
        print(summary)


def _write_outputs(llms, summary: pd.DataFrame, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    summary.to_csv(out / "summary.csv")
    llms.coefficients().to_csv(out / "coefficients.csv")
    llms.network.save(out / "network.npz")


def _metrics(network, X, y) -> dict:
    from sklearn.metrics import accuracy_score, mean_squared_error, roc_auc_score

    if network.task == "binary":
        pos = network.classes[-1] if network.classes is not None else 1
        return {"AUC": float(roc_auc_score(np.asarray(y) == pos, network.decision_function(X)))}
    if network.task == "multiclass":
        classes = network.classes if network.classes is not None else np.arange(network.n_outputs)
        return {"Accuracy": float(accuracy_score(y, np.asarray(classes)[network.decision_function(X).argmax(1)]))}
    return {"MSE": float(mean_squared_error(y, network.forward(X)))}


def _try_report(llms, path: Path, **kwargs) -> Path | None:
    try:
        from .report import write_report
    except ImportError:
        return None
    return write_report(llms, path, **kwargs)


def cmd_demo(args) -> int:
    from sklearn.neural_network import MLPClassifier

    from . import from_sklearn, unwrap
    from .datasets import make_cocircles, train_test_split_frame

    _check_out_dir(args.out)
    out = Path(args.out)
    print(f"reluscope demo: CoCircles ({args.n_samples} rows, noise 0.1), ReLU net [40]*4, 80/20 split")
    X, y = make_cocircles(args.n_samples, noise=0.1, random_state=args.random_state, as_frame=True)
    X_train, X_test, y_train, y_test = train_test_split_frame(X, y, test_size=0.2, random_state=args.random_state, stratify=True)
    t0 = time.perf_counter()
    model = MLPClassifier(
        hidden_layer_sizes=[40] * 4,
        max_iter=args.max_iter,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=100,
        random_state=args.random_state,
    ).fit(X_train, y_train)
    print(f"trained MLPClassifier in {time.perf_counter() - t0:.1f} s ({model.n_iter_} epochs)")
    network = from_sklearn(model)
    t0 = time.perf_counter()
    llms = unwrap(network, X_train, y_train)
    t_unwrap = time.perf_counter() - t0
    summary = llms.summary()
    train, test = _metrics(network, X_train, y_train), _metrics(network, X_test, y_test)
    print(
        f"unwrapped {llms.n_regions} local linear models in {t_unwrap * 1000:.1f} ms; "
        f"exactness certificate max|f(x) - LLM(x)| = {llms.max_error_:.2e}"
    )
    print(f"train AUC {train['AUC']:.4f}, test AUC {test['AUC']:.4f}\n")
    print("Region summary (sorted by Count):")
    _print_summary(summary)
    _write_outputs(llms, summary, out)
    (out / "metrics.json").write_text(json.dumps({"train": train, "test": test, "n_regions": llms.n_regions, "max_error": llms.max_error_}, indent=2))
    report = _try_report(llms, out / "report.html", X_test=X_test, y_test=y_test, title="CoCircles ReLU net [40]*4", model_name="MLPClassifier [40]*4")
    print(f"\nwrote {out}/summary.csv, coefficients.csv, network.npz, metrics.json" + (f", {report.name}" if report else ""))
    return 0


class _UsageError(Exception):
    """A command-line usage error (argparse), reported as one line with exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise _UsageError(f"{message} (see '{self.prog} --help')")


def _read_data(path: str, target: str | None, option: str = "--data"):
    """Read a CSV, every failure as an InvalidInputError naming the option and the file."""
    p = Path(path)
    if not p.exists():
        raise InvalidInputError(f"{option} {path} does not exist; check the path.")
    if not p.is_file():
        raise InvalidInputError(f"{option} {path} is not a file; pass a CSV file.")
    try:
        df = pd.read_csv(p)
    except pd.errors.EmptyDataError as exc:
        raise InvalidInputError(f"{option} {path} is empty; pass a CSV file with a header row and data rows.") from exc
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OSError) as exc:
        reason = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
        raise InvalidInputError(f"{option} {path} is not a readable CSV file ({reason}).") from exc
    if df.shape[0] == 0:
        raise InvalidInputError(f"{option} {path} has a header but no data rows (X is empty); pass at least one row.")
    if target is None:
        return df, None
    if target not in df.columns:
        raise InvalidInputError(f"--target {target!r} is not a column of {path}; columns are {list(df.columns)[:20]}.")
    return df.drop(columns=[target]), df[target]


def _check_out_dir(out: str) -> None:
    p = Path(out)
    if p.exists() and not p.is_dir():
        raise InvalidInputError(f"--out {out} exists and is not a folder; pass a new or existing folder.")
    parent = next((q for q in [p, *p.parents] if q.exists()), Path("."))
    if not os.access(parent, os.W_OK):
        raise InvalidInputError(f"--out {out}: the folder {parent} is not writable.")


def _check_out_file(out: str) -> None:
    p = Path(out)
    if p.is_dir():
        raise InvalidInputError(f"--out {out} is a folder; pass the path of the HTML file to write (e.g. {p / 'report.html'}).")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise InvalidInputError(f"--out {out}: the folder {parent} does not exist; create it first.")
    if not os.access(parent, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise InvalidInputError(f"--out {out} is not writable.")


def _load(args):
    from .io import load_model

    try:
        return load_model(args.model, trust_pickle=args.trust_pickle, activation=args.activation, output=args.output)
    except ReluscopeError as exc:
        raise type(exc)(f"--model: {exc}") from exc


def cmd_unwrap(args) -> int:
    from . import unwrap

    _check_out_dir(args.out)
    if getattr(args, "scheduler", None):  # out of core on Dask (reluscope.scale)
        from .scale._cli import cmd_unwrap_dask

        return cmd_unwrap_dask(args, _load, _write_outputs, _print_summary)

    net = _load(args)
    X, y = _read_data(args.data, args.target)
    if net.feature_names is None:
        X = X.to_numpy()
    llms = unwrap(net, X, y)
    summary = llms.summary(global_metrics=args.global_metrics)
    out = Path(args.out)
    _write_outputs(llms, summary, out)
    print(f"{llms.n_regions} regions; max|f(x) - LLM(x)| = {llms.max_error_:.2e}")
    _print_summary(summary)
    print(f"\nwrote {out}/summary.csv, coefficients.csv, network.npz")
    return 0


def cmd_report(args) -> int:
    from . import unwrap

    _check_out_file(args.out)
    net = _load(args)
    X, y = _read_data(args.data, args.target)
    X_test = y_test = None
    if args.test_data:
        X_test, y_test = _read_data(args.test_data, args.target, option="--test-data")
    if net.feature_names is None:
        X = X.to_numpy()
        X_test = None if X_test is None else X_test.to_numpy()
    llms = unwrap(net, X, y)
    path = _try_report(llms, Path(args.out), X_test=X_test, y_test=y_test, title=args.title)
    if path is None:
        print("the report module is not available in this installation", file=sys.stderr)
        return 1
    print(f"wrote {path}")
    return 0


def _model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", required=True, help="model file: .npz (reluscope), .onnx, .pt/.pth (state dict), .pkl/.joblib (needs --trust-pickle)")
    p.add_argument("--data", required=True, help="CSV file with the features (and the target column)")
    p.add_argument("--target", default=None, help="name of the target column in the CSV")
    p.add_argument("--trust-pickle", action="store_true", help="allow unpickling the model file (runs its code: only for files you trust)")
    p.add_argument(
        "--activation",
        default=None,
        help="hidden activation of a .pt state dict: relu, identity, leaky_relu:0.1 (or the slope, 0.1); read from "
        "the sidecar <model>.json when present, else ReLU with a warning",
    )
    p.add_argument("--output", default=None, choices=["identity", "sigmoid", "softmax"], help="output link override")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="reluscope",
        description="Open up trained ReLU networks exactly. Exit codes: 0 ok, 2 bad input, 1 internal error. "
        "Add --debug (anywhere) for a traceback.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("demo", help="train a [40]*4 ReLU net on CoCircles, unwrap it, write the summary and report")
    d.add_argument("--out", default="reluscope-demo", help="output folder (default: reluscope-demo)")
    d.add_argument("--n-samples", type=int, default=2000)
    d.add_argument("--max-iter", type=int, default=2000)
    d.add_argument("--random-state", type=int, default=0)
    d.set_defaults(func=cmd_demo)
    u = sub.add_parser("unwrap", help="unwrap a model on a CSV file; write summary.csv and coefficients.csv")
    _model_args(u)
    u.add_argument("--out", required=True, help="output folder")
    u.add_argument("--global-metrics", default="auto", help="'auto', 'all', 'none' or a number of top regions")
    u.add_argument("--scheduler", default=None, help="run on Dask: a scheduler address (tcp://host:8786) or 'local' (a LocalCluster); --data is then Parquet (a glob)")
    u.add_argument("--scheduler-timeout", type=float, default=10.0, help="seconds to wait for the scheduler (default 10)")
    u.set_defaults(func=cmd_unwrap)
    r = sub.add_parser("report", help="write the self-contained HTML report for a model and data")
    _model_args(r)
    r.add_argument("--test-data", default=None, help="optional CSV of test rows (same columns)")
    r.add_argument("--title", default=None)
    r.add_argument("--out", required=True, help="output HTML file")
    r.set_defaults(func=cmd_report)
    return parser


def _one_line_warning(message, category, filename, lineno, file=None, line=None):
    print(f"reluscope: warning: {' '.join(str(message).split())}", file=sys.stderr)


def _parse(argv: list[str]):
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "activation", None) is not None:
        from .adapters.arrays import activation_slope

        try:
            activation_slope(args.activation)
        except ReluscopeError as exc:
            raise _UsageError(f"--activation {args.activation!r}: {exc}") from exc
    if getattr(args, "global_metrics", None) not in (None, "auto", "all", "none"):
        try:
            args.global_metrics = int(args.global_metrics)
        except ValueError:
            args.global_metrics = -1
        if args.global_metrics < 0:
            raise _UsageError("--global-metrics must be 'auto', 'all', 'none' or a number (>= 0) of top regions")
    return args


def main(argv=None) -> int:
    """Run the command line; return the exit code (0 ok, 2 bad input, 1 internal error, 130 interrupted)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    argv = [a for a in argv if a != "--debug"]
    with warnings.catch_warnings():
        warnings.showwarning = _one_line_warning
        try:
            args = _parse(argv)
            return args.func(args)
        except (_UsageError, ReluscopeError) as exc:
            if debug:
                traceback.print_exc()
            print(f"reluscope: error: {' '.join(str(exc).split())}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print("reluscope: interrupted", file=sys.stderr)
            return 130
        except Exception as exc:  # noqa: BLE001 - an internal error: one line, the traceback with --debug
            if debug:
                traceback.print_exc()
                return 1
            print(
                f"reluscope: internal error: {type(exc).__name__}: {' '.join(str(exc).split())[:300]} "
                "(a bug in reluscope; rerun with --debug for the traceback and report it)",
                file=sys.stderr,
            )
            return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
