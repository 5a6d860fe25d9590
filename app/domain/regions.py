"""Guangdong administrative region codes (GB/T 2260): the province, its 21 cities and the
districts of the largest ones. A small table on purpose: an activity's region must be one of
these; more districts are added here when organisations need them.

Codes nest by prefix: 440000 (province) ⊃ 440100 (广州市) ⊃ 440104 (越秀区).
"""
PROVINCE = "440000"

REGIONS = {
    "440000": "广东省",
    "440100": "广州市", "440103": "荔湾区", "440104": "越秀区", "440105": "海珠区", "440106": "天河区",
    "440111": "白云区", "440112": "黄埔区", "440113": "番禺区", "440114": "花都区", "440115": "南沙区",
    "440117": "从化区", "440118": "增城区",
    "440200": "韶关市",
    "440300": "深圳市", "440303": "罗湖区", "440304": "福田区", "440305": "南山区", "440306": "宝安区",
    "440307": "龙岗区", "440308": "盐田区", "440309": "龙华区", "440310": "坪山区", "440311": "光明区",
    "440400": "珠海市", "440402": "香洲区", "440403": "斗门区", "440404": "金湾区",
    "440500": "汕头市",
    "440600": "佛山市", "440604": "禅城区", "440605": "南海区", "440606": "顺德区", "440607": "三水区",
    "440608": "高明区",
    "440700": "江门市",
    "440800": "湛江市",
    "440900": "茂名市",
    "441200": "肇庆市",
    "441300": "惠州市",
    "441400": "梅州市",
    "441500": "汕尾市",
    "441600": "河源市",
    "441700": "阳江市",
    "441800": "清远市",
    "441900": "东莞市",
    "442000": "中山市",
    "445100": "潮州市",
    "445200": "揭阳市",
    "445300": "云浮市",
}


def is_known(code):
    return code in REGIONS


def region_prefix(code):
    """The prefix every region inside `code` starts with: 44 for the province, 4401 for 广州市,
    the whole code for a district."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def region_name(code):
    """"广州市越秀区" for a district, "广州市" for a city, "广东省" for the province."""
    if code not in REGIONS:
        return None
    if code.endswith("00"):
        return REGIONS[code]
    city = REGIONS.get(code[:4] + "00", "")
    return city + REGIONS[code]
