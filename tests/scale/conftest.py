import numpy as np
import pytest

import reluscope


@pytest.fixture(scope="session")
def cluster_client():
    """A real LocalCluster: 2 single-threaded worker processes with a small memory limit."""
    distributed = pytest.importorskip("distributed", reason="the Dask tests need the scale extra: pip install 'reluscope[scale]'")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit="1GiB", dashboard_address=None)
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def make_net(sizes, output="identity", seed=0, feature_names=None, classes=None):
    rng = np.random.default_rng(seed)
    W = [rng.normal(size=(o, i)) * np.sqrt(2.0 / i) for i, o in zip(sizes[:-1], sizes[1:])]
    B = [rng.normal(size=o) * 0.3 for o in sizes[1:]]
    return reluscope.from_arrays(W, B, output=output, feature_names=feature_names, classes=classes)
