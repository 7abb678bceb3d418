"""Reading request bodies that may be JSON or form-encoded."""

from flask import request

from web.errors import ApiError


def request_fields():
    """The request body as a mapping; 400 in SimpleLogin's words when it is empty or malformed."""
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ApiError(400, "request body cannot be empty", "Send a JSON object")
        return body
    if request.form:
        return request.form
    raise ApiError(400, "request body cannot be empty", "Send a JSON object or a form")


def required_text(fields, *names, max_length=500):
    """The named fields as stripped strings; 400 naming the first one missing."""
    values = []
    for name in names:
        value = fields.get(name)
        if not isinstance(value, str) or not value.strip():
            raise ApiError(400, f"{name} is required", f"Send {', '.join(names)}")
        if len(value) > max_length:
            raise ApiError(400, f"{name} is too long", f"{name} must be at most {max_length} characters")
        values.append(value.strip() if name != "password" else value)
    return values
