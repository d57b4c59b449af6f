"""Comparator groups (issue 15 item 3): named sets of schools a user builds, saves and shares, whose
figures the benchmark run computes from the members' leavers and the dashboards show beside the
virtual comparator under a disclosure rule of their own (``insight.groups.disclosure``)."""
