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
from wardflow.testing.erp import ErpConformance
from wardflow.testing.ledger import EventLedgerConformance
from wardflow.testing.memory import MemoryConformance
from wardflow.testing.review import (
    ApiTokensConformance,
    CredentialsConformance,
    PrincipalDirectoryConformance,
    SlackLinksConformance,
)
from wardflow.testing.storage import StorageConformance
from wardflow.testing.streams import StreamSourceConformance

__all__ = ["ApiTokensConformance", "AuditSinkConformance", "CredentialsConformance",
           "ErpConformance", "EventLedgerConformance", "KillSwitchConformance",
           "MemoryConformance", "PrincipalDirectoryConformance", "RateLimitsConformance",
           "SlackLinksConformance", "StorageConformance", "StreamSourceConformance"]
