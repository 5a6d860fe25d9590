"""Distances on the earth for the check-in geofence.

The mini-program reports gcj02 coordinates (wx.getLocation type "gcj02") and activities store
gcj02 too, so both points share one datum and the haversine distance between them is what the
geofence needs (the gcj02 offset varies by well under a metre across a venue).
"""
import math

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def valid_coordinates(latitude, longitude) -> bool:
    return (latitude is not None and longitude is not None
            and -90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0
            and math.isfinite(latitude) and math.isfinite(longitude))


def within_radius(lat, lon, centre_lat, centre_lon, radius_m) -> bool:
    return haversine_m(lat, lon, centre_lat, centre_lon) <= radius_m
