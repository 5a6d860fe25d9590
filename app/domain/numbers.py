"""志愿者编号: a unique number that is not the ID number (MZ/T 061-2015)."""
import secrets


def new_volunteer_number(province_code: str = "44") -> str:
    """Province prefix + 10 random digits; the unique column catches the rare collision."""
    return province_code + "".join(str(secrets.randbelow(10)) for _ in range(10))
