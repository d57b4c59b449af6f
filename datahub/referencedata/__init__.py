"""Reference data as its publishers export it: the Scottish Government school contact list and
SIMD 2020v2 by data zone (Open Government Licence v3.0).

The repository does not carry these files: a deployment takes them from the publisher (they change
every year) and loads them with ``load_school_list PATH`` / ``load_simd PATH`` or the reference
data page. Columns are matched by name, never by position, so any year of the same publication
loads. ``settings.REFERENCE_DATA_DIR`` names a folder holding the files (see :func:`reference_files`).
"""

from .files import SCHOOL_LIST_SOURCE, SIMD_SOURCE, ReferenceDataError, reference_files
from .schools import SchoolListReport, school_list_load, school_list_read, school_list_year
from .simd import SimdReport, simd_decile_by_zone, simd_load

__all__ = [
    "SCHOOL_LIST_SOURCE",
    "SIMD_SOURCE",
    "ReferenceDataError",
    "SchoolListReport",
    "SimdReport",
    "reference_files",
    "school_list_load",
    "school_list_read",
    "school_list_year",
    "simd_decile_by_zone",
    "simd_load",
]
