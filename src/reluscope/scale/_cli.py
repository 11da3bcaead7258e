"""``reluscope unwrap --data 'path/*.parquet' --target COL --scheduler ADDRESS|local --out DIR``.

Reads the Parquet dataset lazily with ``dask.dataframe.read_parquet``,
unwraps it on the scheduler (``local``: a LocalCluster of one worker process
per core), shows Dask's progress bar, and writes ``summary.csv``,
``coefficients.csv``, ``network.npz`` and ``regions/`` (a Parquet dataset: each
row's ``region`` beside the dataset's index).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InvalidInputError

__all__ = ["cmd_unwrap_dask"]


def cmd_unwrap_dask(args, load_network, write_outputs, print_summary) -> int:
    import dask.dataframe as dd

    from ..unwrap import unwrap
    from ._cluster import connect

    net = load_network(args)
    client = connect(args.scheduler, timeout=args.scheduler_timeout)
    try:
        try:
            ddf = dd.read_parquet(args.data)
        except (OSError, ValueError) as exc:
            raise InvalidInputError(f"Could not read the Parquet data {args.data!r}: {exc}") from exc
        _check_one_schema(args.data, list(ddf.columns) + [ddf.index.name])
        y = None
        if args.target is not None:
            if args.target not in ddf.columns:
                raise InvalidInputError(f"Target column {args.target!r} is not in {args.data}; columns are {list(ddf.columns)[:20]}.")
            y = ddf[args.target]
            ddf = ddf.drop(columns=[args.target])
        print(f"unwrapping {args.data} ({ddf.npartitions} partitions) on {client.scheduler.address if args.scheduler != 'local' else 'a LocalCluster'}")
        llms = unwrap(net, ddf, y, progress=True)
        summary = llms.summary(global_metrics=args.global_metrics, progress=True)
        out = Path(args.out)
        write_outputs(llms, summary, out)
        regions = llms.labels_.to_frame(name="region")
        from ._dask import compute

        compute(regions.to_parquet(str(out / "regions"), write_index=True, compute=False), progress=True)
        print(f"\n{llms.n_regions} regions; max|f(x) - LLM(x)| = {llms.max_error_:.2e} (checked on every partition)")
        print_summary(summary)
        print(f"\nwrote {out}/summary.csv, coefficients.csv, network.npz, regions/ (Parquet)")
        return 0
    finally:
        cluster = getattr(client, "cluster", None) if args.scheduler == "local" else None
        client.close()
        if cluster is not None:
            cluster.close()


def _check_one_schema(data: str, columns: list) -> None:
    """Refuse a Parquet dataset whose files do not share the first file's columns.

    ``dask.dataframe.read_parquet`` takes the columns from the first file only; a later file
    without one of them fails deep inside the computation with a bare ``KeyError``. This reads
    each file's footer (metadata only, no data) and names the odd file instead.
    """
    import pyarrow.parquet as pq
    from fsspec.core import get_fs_token_paths

    fs, _, paths = get_fs_token_paths(data)
    files = []
    for path in paths:
        files += sorted(fs.glob(path.rstrip("/") + "/**/*.parquet")) if fs.isdir(path) else [path]
    expected = {c for c in columns if c is not None and not str(c).startswith("__")}
    for path in files:
        with fs.open(path, "rb") as handle:
            names = set(pq.read_schema(handle).names)
        missing = sorted(expected - names)
        if missing:
            raise InvalidInputError(
                f"The Parquet file {path!r} lacks the column(s) {missing} that the first file of {data!r} has: "
                "every file of the dataset must have the same columns. Rewrite that file or leave it out of --data."
            )
