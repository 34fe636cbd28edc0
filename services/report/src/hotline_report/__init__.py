"""Catchment load report: calls per citizen, demand while closed, topic mix, staffing per half
hour against the 19-person team, what-if scenarios and next week's forecast."""
