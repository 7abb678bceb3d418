"""Database models, split by domain."""

from web.models.scan import (Scan, ScanCertificate, ScanIP, ScanPort, ScanService,  # noqa: F401
                             ScanSite, ScanTLSVersion)
from web.models.setting import Setting  # noqa: F401
from web.models.user import User  # noqa: F401
