"""Every module this build has, in report order. ghunt and email_discovery are left out: they need
credentials (Google session cookies, paid APIs) that a self-hosted user cannot obtain for us."""

from scanner.investigations import breach_deep, domain_intel, emailrep, github_commits, gravatar, hibp, wayback

MODULES = {module.name: module for module in (
    hibp.MODULE, emailrep.MODULE, gravatar.MODULE, domain_intel.MODULE, github_commits.MODULE,
    wayback.MODULE, breach_deep.MODULE)}
OPT_IN = [name for name, module in MODULES.items() if module.opt_in]


class UnknownModules(ValueError):
    """Names that are not modules; the message lists the valid ones."""


def select_modules(modules=None, enable_modules=None):
    """The module names to run: `modules` (default all non-opt-in) plus the opt-in ones enabled."""
    requested = list(modules) if modules else [n for n in MODULES if n not in OPT_IN]
    enabled = OPT_IN if enable_modules in (["all"], ("all",)) else list(enable_modules or [])
    unknown = [n for n in requested if n not in MODULES] + [n for n in enabled if n not in OPT_IN]
    if unknown:
        raise UnknownModules(f"Unknown module(s): {', '.join(map(str, unknown))}. Valid modules: "
                             f"{', '.join(MODULES)}; opt-in (enable_modules): {', '.join(OPT_IN)} or [\"all\"]")
    for name in enabled:
        if name not in requested:
            requested.append(name)
    return requested
