"""Identity clusters across modules, and the identity graph (D3 nodes and links)."""

from collections import defaultdict

from scanner.investigations.domain_intel import domain_of
from scanner.investigations.scoring import finding_category


def _accounts(findings_by_module):
    """Every finding that names an account: (module, platform, username, display name, url)."""
    for module, findings in findings_by_module.items():
        for item in findings:
            metadata = item.get("metadata") or {}
            username = metadata.get("username") or metadata.get("profile")
            if username:
                yield {"module": module, "platform": item["platform"], "username": str(username),
                       "display_name": metadata.get("display_name"), "url": item.get("url")}


def build_clusters(findings_by_module):
    """Accounts grouped by shared username (strong) or shared display name (weaker), with reasons."""
    accounts = list(_accounts(findings_by_module))
    clusters, used = [], set()
    by_username = defaultdict(list)
    for index, account in enumerate(accounts):
        by_username[account["username"].lower()].append(index)
    for username, members in sorted(by_username.items(), key=lambda kv: -len(kv[1])):
        platforms = sorted({accounts[i]["platform"] for i in members})
        if len(platforms) < 2:
            continue
        used.update(members)
        score = min(0.99, 0.6 + 0.15 * len(platforms))
        clusters.append({"confidence": "high" if len(platforms) >= 3 else "medium", "score": round(score, 2),
                         "reasoning": f"Shared username '{accounts[members[0]]['username']}' across "
                                      f"{', '.join(platforms)} findings",
                         "members": [_member(accounts[i]) for i in members]})
    by_name = defaultdict(list)
    for index, account in enumerate(accounts):
        if index not in used and account["display_name"]:
            by_name[account["display_name"].strip().lower()].append(index)
    for name, members in sorted(by_name.items()):
        platforms = sorted({accounts[i]["platform"] for i in members})
        if len(platforms) >= 2:
            used.update(members)
            clusters.append({"confidence": "low", "score": 0.45,
                             "reasoning": f"Same display name '{accounts[members[0]]['display_name']}' on "
                                          f"{', '.join(platforms)} (names are not unique)",
                             "members": [_member(accounts[i]) for i in members]})
    for index, account in enumerate(accounts):
        if index not in used:  # every account is an identity, if only of one
            clusters.append({"confidence": "low", "score": 0.3,
                             "reasoning": f"Single account on {account['platform']} linked to the address",
                             "members": [_member(account)]})
    for number, cluster in enumerate(clusters, start=1):
        cluster["id"] = f"cluster-{number}"
    return [{"id": c["id"], **{k: v for k, v in c.items() if k != "id"}} for c in clusters]


def _member(account):
    return {"module": account["module"], "platform": account["platform"], "username": account["username"]}


def build_graph(email, findings_by_module):
    """Nodes (email, domain, accounts, breaches) and links from the email to each, for D3."""
    email_id = f"email:{email}"
    nodes = {email_id: {"id": email_id, "type": "email", "label": email}}
    links = []
    domain = domain_of(email)
    nodes[f"domain:{domain}"] = {"id": f"domain:{domain}", "type": "domain", "label": domain}
    links.append({"source": email_id, "target": f"domain:{domain}", "confidence": "high"})
    for module, findings in findings_by_module.items():
        for item in findings:
            metadata = item.get("metadata") or {}
            if finding_category(module, item) == "breach" and metadata.get("name"):
                node_id = f"breach:{metadata['name'].lower()}"
                nodes.setdefault(node_id, {"id": node_id, "type": "breach", "label": metadata["name"],
                                           "severity": metadata.get("severity")})
            elif metadata.get("username") or metadata.get("profile"):
                username = str(metadata.get("username") or metadata.get("profile"))
                node_id = f"account:{item['platform'].lower()}:{username.lower()}"
                nodes.setdefault(node_id, {"id": node_id, "type": "account", "label": username,
                                           "platform": item["platform"]})
            else:
                continue
            link = {"source": email_id, "target": node_id, "confidence": item.get("confidence", "medium")}
            if link not in links:
                links.append(link)
    return {"nodes": list(nodes.values()), "links": links}
