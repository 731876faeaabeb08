"""Industry chains and in-zone supply matchmaking (产业链撮合, 三方购销, issue 18): the operations
centre's work. A floor of its own beside ``policies`` (pyproject.toml): it stands on ``projects``
(a chain gap becomes a 重大招商 five-key item), ``stewards`` (obstacles are service requests on the
escalation clock; who serves whom) and ``enterprises`` (the chains, the firms, the Excel import).

- ``models``: the chain map (``ChainLink``, ``Product``), ``SupplyOffer`` / ``SupplyNeed``,
  ``MatchCase`` and its ``CaseObstacle``, ``SupplyContract`` with its ``Delivery`` and ``Payment``;
- ``selectors``: the rows scoped by user, the chain map and the local supply ratio, the
  suggestions, the figures (and ``broker_month_figures`` / ``zone_month_figures`` for evaluations);
- ``services``: every write (the case table ``CASE_ACTIONS``, the contract arithmetic, the sweep);
- ``imports``: the offers-and-needs sheet on the enterprises' import machinery;
- ``demo``: two chains with a gap each, and seed 000's molten aluminium lived through the year.
"""
