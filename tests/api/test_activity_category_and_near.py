"""GET /api/v1/activities with category= and near=lat,lng: one service category; nearest first
with the distance shown."""
from app.domain.geo import haversine_m

CENTRE = (23.1291, 113.2644)  # 广州市中心
KM = 1 / 111.195  # a kilometre of latitude, in degrees


def north(km):
    return CENTRE[0] + km * KM, CENTRE[1]


def titles(response):
    return [item["title"] for item in response.json["items"]]


def test_by_service_category(client, factories):
    org = factories.org()
    factories.activity(org, title="垃圾分类", service_category="环境保护")
    factories.activity(org, title="长者探访", service_category="敬老助残")
    factories.activity(org, title="河涌清洁", service_category="环境保护")
    found = client.get("/api/v1/activities?category=环境保护")
    assert found.status_code == 200 and sorted(titles(found)) == ["垃圾分类", "河涌清洁"]
    assert found.json["total"] == 2
    assert client.get("/api/v1/activities?category=不存在的类别").json["items"] == []


def test_nearest_first_with_the_distance(client, factories):
    org = factories.org()
    for title, km in (("五公里", 5), ("一公里", 1), ("三十公里", 30), ("两百公里", 200)):
        latitude, longitude = north(km)
        factories.activity(org, title=title, latitude=latitude, longitude=longitude, service_category="社区服务")
    factories.activity(org, title="没有地点", latitude=None, longitude=None)

    near = client.get(f"/api/v1/activities?near={CENTRE[0]},{CENTRE[1]}")
    assert near.status_code == 200
    assert titles(near) == ["一公里", "五公里", "三十公里"]  # 200 km is outside the default 100 km
    distances = [item["distance_m"] for item in near.json["items"]]
    assert abs(distances[0] - 1000) <= 2 and abs(distances[1] - 5000) <= 5
    assert distances[2] == round(haversine_m(*CENTRE, *north(30)))
    wide = client.get(f"/api/v1/activities?near={CENTRE[0]},{CENTRE[1]}&within_km=500&per_page=2&page=2")
    assert titles(wide) == ["三十公里", "两百公里"] and wide.json["total"] == 4
    both = client.get(f"/api/v1/activities?near={CENTRE[0]},{CENTRE[1]}&category=社区服务&state=open")
    assert titles(both) == ["一公里", "五公里", "三十公里"]
    assert "distance_m" not in client.get("/api/v1/activities").json["items"][0]


def test_a_malformed_point_is_refused(client, factories):
    for bad in ("23.1", "abc,def", "91,113", "23.1,181", "23.1,113,5"):
        response = client.get(f"/api/v1/activities?near={bad}")
        assert response.status_code == 422 and response.json["error"]["code"] == "VALIDATION_ERROR", bad
    assert client.get("/api/v1/activities?near=23.1,113.2&within_km=0").status_code == 422
