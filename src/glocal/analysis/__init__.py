"""Network analysis of the city graph: which cities are pivotal, and why."""
