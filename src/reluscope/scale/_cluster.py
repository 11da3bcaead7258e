"""Connecting to a Dask scheduler, or starting a LocalCluster sized to this machine."""

from __future__ import annotations

import os

from ..errors import ClusterError

__all__ = ["connect", "local_cluster"]


def local_cluster(n_workers: int | None = None, memory_limit: str | None = None):
    """A ``LocalCluster`` of one single-threaded worker process per CPU core, with a Client.

    Each worker gets an equal share of the machine's memory (Dask's ``'auto'``).
    Returns the Client; ``client.cluster`` is the cluster (close both when done).
    """
    from distributed import Client, LocalCluster

    n = n_workers or os.cpu_count() or 1
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, memory_limit=memory_limit or "auto", dashboard_address=None)
    return Client(cluster)


def connect(address: str, timeout: float = 10.0):
    """A Client of the scheduler at ``address`` ('tcp://host:8786'), or 'local' for :func:`local_cluster`.

    Raises :class:`~reluscope.errors.ClusterError` naming the address when no
    scheduler answers within ``timeout`` seconds.
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
