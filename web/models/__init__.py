"""Database models, split by domain."""

from web.models.investigation import Finding, Investigation, ModuleRun  # noqa: F401
from web.models.notification import Notification  # noqa: F401
from web.models.scan import (Scan, ScanCertificate, ScanIP, ScanPort, ScanService,  # noqa: F401
                             ScanSite, ScanTLSVersion)
from web.models.schedule import Schedule  # noqa: F401
from web.models.setting import Setting  # noqa: F401
from web.models.user import ApiKey, AuthFailure, User, UserSession  # noqa: F401
