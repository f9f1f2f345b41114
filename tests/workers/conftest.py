"""One local Ray cluster for the whole session (starting one takes 5-10 s)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from wardflow.config import Settings


@pytest.fixture(scope="session")
def ray_address() -> Iterator[str]:
    """The address of a local cluster (2 CPUs, small object store) that the CLI joins."""
    import ray  # in the test extras: a missing Ray fails here, it is not skipped

    from wardflow.graphs.workers import connect_ray

    connect_ray(None, num_cpus=2, object_store_mb=100)
    yield str(ray.get_runtime_context().gcs_address)
    ray.shutdown()


@pytest.fixture
def slot_table(ray_address: str) -> object:
    """The cluster's slot table actor, as the workers see it."""
    from wardflow.graphs.slots import RaySlots

    return RaySlots.open(Settings(worker_limits={"tool:erp": 1}))._actor
