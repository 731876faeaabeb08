"""Targeted policy push (精准滴灌, issue 17): the policy catalogue, its structured conditions matched
in the database, each policy pushed once to every enterprise that qualifies (and its steward),
applied for as a 政策兑现 service request, and followed to the money redeemed.

A floor of its own beside ``evaluations`` (pyproject.toml): it stands on ``stewards`` (requests,
who serves whom) and ``enterprises`` (tags, chains, parks, indicators, the Excel import), and
nothing below it imports it. ``portal`` shows its leader's panel and menu items.

- ``models``: ``Policy``, ``PolicyPush`` (unique per policy and enterprise);
- ``conditions``: a policy's conditions as ``Q`` objects over ``Enterprise``;
- ``selectors``: the catalogue, matches and near misses with why, an enterprise's pushes, figures;
- ``services``: every write (create, publish, withdraw, apply, decline, outcome, the sweep);
- ``tasks``: notifying pushes, re-matching changed enterprises, the hourly and nightly sweeps;
- ``receivers``: hears enterprise data change (tags, indicators, the enterprise import);
- ``imports``: the policy office's sheet on the enterprises' import machinery;
- ``demo``: a dozen policies lived through the demo year.
"""
