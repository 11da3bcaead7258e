"""Connecting to a Dask scheduler, or starting a LocalCluster sized to this machine."""

from __future__ import annotations

import os

from ..errors import ClusterError

__all__ = ["connect", "local_cluster", "WORKER_CONFIG"]

#: Dask configuration for the worker processes reluscope starts.  Dask's nanny sets
#: ``MALLOC_TRIM_THRESHOLD_=65536`` in every worker, and setting it turns off glibc's dynamic mmap
#: threshold: every NumPy temporary over 128 KiB is then a fresh ``mmap`` whose pages fault in
#: zero-filled, which made the per-partition unwrap 2.5-3x slower (0.73 -> 1.9-2.1 s of CPU a
#: 500,000-row block, measured in one process with and without the variable).  ``None`` unsets it
#: (Dask's documented way to drop a pre-spawn variable).  Use it for your own cluster with
#: ``dask.config.set(WORKER_CONFIG)`` around ``LocalCluster(...)``, or unset the variable where
#: your workers start.
WORKER_CONFIG = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}


def local_cluster(n_workers: int | None = None, memory_limit: str | None = None):
    """A ``LocalCluster`` of one single-threaded worker process per CPU core, with a Client.

    Each worker gets an equal share of the machine's memory (Dask's ``'auto'``) and glibc's
    default allocator settings (``WORKER_CONFIG``).
    Returns the Client; ``client.cluster`` is the cluster (close both when done).

    Parameters
    ----------
    n_workers : int, optional
        Default: one per CPU core (``os.cpu_count()``).
    memory_limit : str, optional
        Per worker, e.g. ``"4GiB"``; default ``"auto"``.

    Returns
    -------
    distributed.Client

    Examples
    --------
    >>> from reluscope.scale import local_cluster
    >>> client = local_cluster(n_workers=1)
    >>> len(client.scheduler_info()["workers"])
    1
    >>> client.submit(sum, [1, 2, 3]).result()
    6
    >>> client.close(); client.cluster.close()
    """
    import dask
    from distributed import Client, LocalCluster

    n = n_workers or os.cpu_count() or 1
    with dask.config.set(WORKER_CONFIG):
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, memory_limit=memory_limit or "auto", dashboard_address=None)
    return Client(cluster)


def connect(address: str, timeout: float = 10.0):
    """A Client of the scheduler at ``address`` ('tcp://host:8786'), or 'local' for :func:`local_cluster`.

    This is what the command line's ``--scheduler`` option calls.

    Parameters
    ----------
    address : str
        ``"tcp://host:port"`` of a running ``dask scheduler``, or ``"local"``.
    timeout : float, default 10.0
        Seconds to wait for the scheduler.

    Returns
    -------
    distributed.Client

    Raises
    ------
    ClusterError
        No scheduler answered at ``address`` within ``timeout`` seconds; the message names the address.

    Examples
    --------
    >>> from reluscope.errors import ClusterError
    >>> from reluscope.scale import connect
    >>> try:
    ...     connect("tcp://127.0.0.1:1", timeout=0.5)  # nothing listens on port 1
    ... except ClusterError as err:
    ...     print(str(err)[:54])
    No Dask scheduler answered at 'tcp://127.0.0.1:1' with
    """
    if address == "local":
        return local_cluster()
    from distributed import Client

    try:
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(
            f"No Dask scheduler answered at {address!r} within {timeout:g} s ({type(exc).__name__}: {exc}). "
            "Check the address and that `dask scheduler` is running there, or use 'local' for a LocalCluster on this machine."
        ) from exc
