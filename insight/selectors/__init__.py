"""Reads of the insight app, by job. Views, exports, tasks and benches import the module they need:

- ``catalogue``: the measures and breakdowns the dashboards show (``Measure``, ``Breakdown``, ...)
- ``pattern``: the run's public suppression pattern and the memory that keeps it
  (``public_pattern``, ``remember``, ``forget_computed``)
- ``figures``: stored rows as disclosure-controlled cells for one viewer (``Viewer``, ``Figures``)
- ``dashboards``: the reads of the school, authority and national pages (``establishment_data`` ...)
- ``vocational``: vocational qualification uptake and its pattern
- ``partners``: the Find Partners query and ranking (``find_partners``, ``explain``)
- ``leavers``: schools and their leaver years (``latest_years``, ``secondary_schools``)

The few names re-exported here are the package's entry points for callers outside the app
(benches, browser tests): ``from insight import selectors; selectors.forget_computed()``.
"""

from .dashboards import latest_run
from .pattern import forget_computed, public_pattern
from .vocational import vocational_table

__all__ = ["forget_computed", "latest_run", "public_pattern", "vocational_table"]
