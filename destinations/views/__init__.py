"""Destinations pages, one module per group of pages (destinations/urls.py maps each path):

- measures.py: the destinations index and a school's measures;
- caseload.py: the MCMC caseload, its bulk actions and its export;
- journeys.py: a young person's journey and the casework forms;
- audit.py: the audit log.

Who may use each page is declared in its view and answered by destinations.access (built on
datahub.access). Every page that shows one young person writes exactly one audit entry; every
export writes one per authority it covers, with the reason given.
"""

PAGE_SIZE = 50  # rows per page of the caseload and the audit log
