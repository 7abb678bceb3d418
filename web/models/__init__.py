"""Database models, split by domain."""

from web.models.breach import BreachBucket, BreachSource  # noqa: F401
from web.models.investigation import Finding, Investigation, ModuleRun  # noqa: F401
from web.models.notification import Notification  # noqa: F401
from web.models.scan import (Scan, ScanCertificate, ScanIP, ScanPort, ScanService,  # noqa: F401
                             ScanSite, ScanTLSVersion)
from web.models.schedule import Schedule  # noqa: F401
from web.models.setting import Setting  # noqa: F401
from web.models.user import ApiKey, AuthFailure, User, UserSession  # noqa: F401
from web.models.watchlist import (Delivery, KnownBreach, PostbackEndpoint, WatchedDomain,  # noqa: F401
                                  WatchedEmail)
