"""The city-service H5 pages (微信城市服务 → 志愿服务) under /h5/: one blueprint per area, templates
in templates/h5/. Views parse, call one service and render; WeChat OAuth gives the openid."""
