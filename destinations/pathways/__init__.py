"""Before they leave: the senior-phase pipeline that comes before the MCMC caseload.

A pupil in S4-S6 has a *pathway record* (career aspiration, intended destination, intended
leaving stage or date, learning pathway beyond school with its provider, key worker, notes) and
*offers* (applications and offers from colleges, universities, employers and training providers,
each with its status history). From what the portal holds, ``risk`` rates the risk of a negative
destination with its reasons; the *leaver readiness board* lists everyone expected to leave this
session with their offer, risk and key worker.

Who may use it (destinations.access, built on datahub.access): the school's own admins and staff
(our reading of "guidance staff": the portal has no separate guidance role, so both establishment
roles work on their own school's pupils) and the MCMC officers of the school's authority. Analysts
and data managers do not see individual pupils here (403; outsiders 404). History is never
overwritten: a change adds a record; every change and every page showing one pupil is audited.

Modules: ``models`` (imported by destinations.models so they belong to the destinations app),
``risk`` (the rules, free of Django), ``services`` (writes), ``selectors`` (reads), ``forms``,
``views``, ``exports``.
"""
