"""flask-smorest's Blueprint with an argument parser that reads bodies through app.json_input.

webargs parses JSON with json.loads itself (not Flask's provider), so a body nested 100 000 deep
or holding a lone surrogate would otherwise pass the door and fail later as a 500.
"""
import json

import flask_smorest
from webargs.flaskparser import FlaskParser, is_json_request

from app import json_input
from miniprogram_api.schemas import ErrorEnvelope


class StrictParser(FlaskParser):
    def _raw_load_json(self, req):
        if not is_json_request(req):
            return super()._raw_load_json(req)
        data = req.get_data(cache=True)
        try:
            return json_input.loads(data)
        except json_input.MalformedJSON as exc:
            # webargs answers a JSONDecodeError with 400 "Invalid JSON body" (BAD_JSON here).
            raise json.JSONDecodeError(str(exc), "-", 0) from None


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = StrictParser()

    def alt_response(self, status_code, response=None, *, schema=None, **kwargs):
        """An error documented by its status and codes has our envelope as its body."""
        if response is None and schema is None and not kwargs.get("success"):
            schema = ErrorEnvelope
        return super().alt_response(status_code, response, schema=schema, **kwargs)
