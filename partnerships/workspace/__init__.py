"""The partnership workspace (issue 15, item 1): a room of the partnerships app.

For every active learning partnership: an agreed purpose and aims, named leads per school, a
shared action plan, meeting notes, shared files and a joint evaluation of chosen benchmark
measures against a baseline. When the partnership ends the workspace is kept, read-only.

``models`` (imported by partnerships/models.py so they belong to the app), ``access`` (who may
read, contribute, manage), ``evaluation`` (the figure source the benchmarking app registers),
``files`` (upload limits and the virus-scan hook), ``services``, ``selectors``, ``forms``,
``views``, ``urls`` (mounted under /partnerships/<pk>/workspace/).
"""
