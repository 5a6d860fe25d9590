"""The only package that imports wechatpy: callback crypto and parsing, the API gateway."""
