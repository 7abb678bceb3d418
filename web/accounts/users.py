"""User management for admins: create, list, delete."""

from flask import current_app
from flask_login import current_user

from web.accounts import bp
from web.accounts.fields import request_fields, required_text
from web.auth.access import require_admin
from web.errors import ApiError, error_response
from web.extensions import db
from web.models import User
from web.passwords import password_problem


@bp.post("/users")
def create_user():
    """Create a user (admin only)."""
    require_admin()
    fields = request_fields()
    email, password = required_text(fields, "email", "password", max_length=1024)
    name = fields.get("name") or ""
    is_admin = fields.get("is_admin", False)
    if "@" not in email or len(email) > 320 or any(ch.isspace() for ch in email):
        return error_response(400, "Invalid email", f"{email!r} is not an email address")
    if not isinstance(name, str) or len(name) > 200:
        return error_response(400, "Invalid name", "name must be a string of at most 200 characters")
    if not isinstance(is_admin, bool):
        return error_response(400, "Invalid is_admin", "is_admin must be true or false")
    problem = password_problem(password, email)
    if problem:
        return error_response(400, "Invalid password", problem)
    if User.find_by_email(email):
        return error_response(409, "User already exists", f"A user with email {email} already exists")
    user = User(email=email.lower(), name=name.strip(), is_admin=is_admin)
    user.set_password(password, current_app.config["BCRYPT_ROUNDS"])
    db.session.add(user)
    db.session.commit()
    return user.to_dict(), 201


@bp.get("/users")
def list_users():
    """Every user (admin only)."""
    require_admin()
    return {"users": [user.to_dict() for user in User.query.order_by(User.id).all()]}


@bp.delete("/users/<int:user_id>")
def delete_user(user_id):
    """Delete a user with their sessions, API keys and data (admin only)."""
    require_admin()
    user = db.session.get(User, user_id)
    if user is None:
        raise ApiError(404, "User not found", f"User with ID {user_id} does not exist")
    if user.id == current_user.id:
        return error_response(400, "Cannot delete yourself", "Another admin must delete this account")
    db.session.delete(user)
    db.session.commit()
    return {"message": f"User {user_id} deleted successfully"}
