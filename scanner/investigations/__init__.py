"""Email investigations: modules that query one source each, an engine that runs them, scores, exports."""
