from django.core.exceptions import ValidationError

from .codes import SCN_RE, SEED_RE, is_valid_scn


def validate_scn(value: str) -> None:
    if not SCN_RE.match(value or ""):
        raise ValidationError("A Scottish Candidate Number is 9 digits.", code="scn_format")
    if not is_valid_scn(value):
        raise ValidationError("This Scottish Candidate Number fails its check digit.", code="scn_check")


def validate_seed_format(value: str) -> None:
    # The check digit is not enforced: docs/domain.md says two real codes break it (a warning only).
    if not SEED_RE.match(value or ""):
        raise ValidationError("A SEED code is 7 digits.", code="seed_format")
