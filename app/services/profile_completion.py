"""完善资料: 背景经历, 特长, 服务信息 (service intentions, available times), the avatar (checked by
content and size, stored resized), and the completeness indicator (app/domain/profile.py)."""
from app.domain import profile as rules
from app.errors import DomainError
from app.services import images
from app.services.unit_of_work import after_commit, use_case

AVATAR_MAX_BYTES = 5 * 1024 * 1024
AVATAR_SIDE = 256


def _volunteer(account):
    if account.volunteer is None:
        raise DomainError("NOT_A_VOLUNTEER")
    return account.volunteer


def completion(account):
    """The profile's service fields and how complete it is."""
    volunteer = _volunteer(account)
    values = {"avatar": volunteer.avatar_path, "education": volunteer.education,
              "background": volunteer.background, "specialties": volunteer.specialties,
              "service_intentions": volunteer.service_intentions, "available_times": volunteer.available_times,
              "email": account.email}
    return {
        "background": volunteer.background,
        "specialties": volunteer.specialties or [],
        "service_intentions": volunteer.service_intentions or [],
        "available_times": volunteer.available_times or [],
        "has_avatar": volunteer.avatar_path is not None,
        "completeness": rules.completeness(values),
    }


@use_case
def update_service_profile(account, changes):
    """changes: any of background, specialties, service_intentions, available_times (validated by
    the adapter's schema for shape; the limits are checked here)."""
    volunteer = _volunteer(account)
    if "background" in changes:
        text = (changes["background"] or "").strip()
        if len(text) > rules.MAX_BACKGROUND_CHARS:
            raise DomainError("VALIDATION_ERROR", fields={"background": ["不超过 1000 字。"]})
        volunteer.background = text or None
    if "specialties" in changes:
        cleaned = rules.clean_list(changes["specialties"], rules.MAX_SPECIALTIES, rules.MAX_SPECIALTY_CHARS)
        if cleaned is None:
            raise DomainError("SPECIALTIES_INVALID")
        volunteer.specialties = cleaned
    if "service_intentions" in changes:
        volunteer.service_intentions = list(dict.fromkeys(changes["service_intentions"] or []))
    if "available_times" in changes:
        times = list(dict.fromkeys(changes["available_times"] or []))
        if any(t not in rules.AVAILABLE_TIMES for t in times):
            raise DomainError("VALIDATION_ERROR", fields={"available_times": ["未知的时间选项。"]})
        volunteer.available_times = times
    return account


@use_case
def replace_avatar(account, stream, upload_dir):
    volunteer = _volunteer(account)
    data = images.read_image(stream, max_bytes=AVATAR_MAX_BYTES, type_code="AVATAR_TYPE",
                             size_code="AVATAR_TOO_LARGE")
    old, volunteer.avatar_path = volunteer.avatar_path, images.store_resized(data, upload_dir, "avatars",
                                                                              max_side=AVATAR_SIDE)
    after_commit(images.remove_after, upload_dir, old)
    return account


def avatar_file(account, upload_dir):
    path = images.stored_file(upload_dir, _volunteer(account).avatar_path)
    if path is None:
        raise DomainError("AVATAR_NOT_SET")
    return path
