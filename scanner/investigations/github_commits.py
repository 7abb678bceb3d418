"""GitHub commit search by author email: the accounts and repositories that commit as this address."""

from scanner.investigations.base import Module, ModuleFailure, ModuleOutput, finding, get_json


def _run(email, settings, deadline):
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
    if settings.get("github_token"):
        headers["Authorization"] = f"Bearer {settings['github_token']}"
    body = get_json("GitHub", f"{settings['github_base_url']}/search/commits", deadline, headers=headers,
                    params={"q": f"author-email:{email}", "per_page": 50})
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        raise ModuleFailure("GitHub returned an unreadable response (no items)")
    accounts = {}
    for item in body["items"]:
        author = item.get("author") or {}
        commit_author = (item.get("commit") or {}).get("author") or {}
        login = author.get("login")
        key = login or commit_author.get("name") or "unknown"
        account = accounts.setdefault(key, {"username": login, "name": commit_author.get("name"),
                                            "url": author.get("html_url"), "repositories": set(), "commits": 0})
        account["commits"] += 1
        repository = (item.get("repository") or {}).get("full_name")
        if repository:
            account["repositories"].add(repository)
    findings = [finding("GitHub", a["url"], {"username": a["username"], "display_name": a["name"],
                                             "repositories": sorted(a["repositories"]), "commit_count": a["commits"]},
                        "high" if a["username"] else "medium") for a in accounts.values()]
    return ModuleOutput(findings, {"total_commits": body.get("total_count", 0),
                                   "accounts": [a["username"] for a in accounts.values() if a["username"]]})


MODULE = Module("github_commits", "Search GitHub commits authored with this email address.",
                requires_key=False, category="social", run=_run)
