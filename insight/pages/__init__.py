"""Page assembly: what each page shows, built from the selectors' figures, for thin views.

- ``parts``: ``Page``, ``Panel``, cells, charts, captions, breakdown and overview tables
- ``establishment``, ``authority``, ``national``: the three benchmarking dashboards
- ``home``: the home page's summaries and its lead into the dashboards
- ``partners``: Find Partners as CSV
"""
