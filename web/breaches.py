"""The local breach corpus, as the investigation modules see it (filled by the watchlist issue)."""


def corpus_lookup(app):
    """A function email -> [breach dicts] over the imported corpus, or None when none is loaded."""
    return None
