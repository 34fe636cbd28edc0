"""Capacity planning for the evening hotline: Erlang C / Erlang A staffing.

``hotline_capacity.staffing.required_agents`` is the entry point; ``erlang`` and
``erlang_a`` hold the queueing formulas; ``cli`` is the ``hotline staffing`` command.
``forecast`` predicts offered calls per local half hour (with a backtest), ``whatif``
applies scenarios to a load profile and staffs it, ``scenario_args`` parses them.
"""

from hotline_capacity.staffing import StaffingResult, required_agents

__all__ = ["StaffingResult", "required_agents"]
