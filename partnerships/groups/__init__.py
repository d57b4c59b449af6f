"""Partnership groups (issue 15, item 1): learning partnerships of three or more schools.

A school's Learning Partner Administrator founds a group and invites two or more other schools;
each invited school's admin accepts or declines, by the same eligibility rules as proposing a pair
(partnerships.services). The group is active once three schools (the founder included) are in;
while it is active its member schools see each other's data as learning partners do
(partnerships.selectors.partner_establishment_ids).

``models`` (imported by partnerships/models.py so they belong to the app), ``services`` (the state
machine), ``selectors``, ``notifications`` (notice and e-mail words), ``views``, ``api``.
"""
