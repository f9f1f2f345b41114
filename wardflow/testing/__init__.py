"""Conformance suites for wardflow's seams, for any backend (a user's included).

Subclass a suite in your tests and provide the fixture it names::

    from wardflow.testing import StorageConformance

    class TestMyS3Storage(StorageConformance):
        @pytest.fixture
        def storage(self):
            return MyS3Storage(bucket="test")

Requires pytest (the ``test`` extra).
"""

from wardflow.testing.audit import AuditSinkConformance
from wardflow.testing.control import KillSwitchConformance, RateLimitsConformance
from wardflow.testing.drift import DriftStoreConformance
from wardflow.testing.erp import ErpConformance
from wardflow.testing.jobs import JobStoreConformance
from wardflow.testing.ledger import EventLedgerConformance
from wardflow.testing.memory import MemoryConformance
from wardflow.testing.review import (
    ApiTokensConformance,
    CredentialsConformance,
    PrincipalDirectoryConformance,
    SlackLinksConformance,
)
from wardflow.testing.schedules import ScheduleStoreConformance
from wardflow.testing.storage import StorageConformance
from wardflow.testing.streams import StreamSourceConformance
from wardflow.testing.vault import VaultConformance

__all__ = ["ApiTokensConformance", "AuditSinkConformance", "CredentialsConformance",
           "DriftStoreConformance", "ErpConformance", "EventLedgerConformance",
           "JobStoreConformance", "KillSwitchConformance", "MemoryConformance",
           "PrincipalDirectoryConformance", "RateLimitsConformance",
           "ScheduleStoreConformance", "SlackLinksConformance", "StorageConformance",
           "StreamSourceConformance", "VaultConformance"]
