"""List, create, read, update and delete schedules."""

from flask import current_app, request

from scanner.config import ConfigError
from web.errors import ApiError, error_response
from web.extensions import db
from web.models import Schedule
from web.schedules import bp
from web.schedules.jobs import reconcile_schedules
from web.schedules.service import ScheduleError, next_run, sync_config_schedules, validated_fields


def get_schedule_or_404(schedule_id):
    """The schedule with this ID; aborts with 404 when there is none."""
    schedule = db.session.get(Schedule, schedule_id)
    if schedule is None:
        raise ApiError(404, "Schedule not found", f"Schedule with ID {schedule_id} does not exist")
    return schedule


def _json_body():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "Invalid schedule", "Send JSON such as {\"config_file\": \"site.yaml\", \"cron\": \"0 3 * * *\"}")
    return body


def _validated(body, partial=False):
    try:
        return validated_fields(body, partial=partial)
    except ConfigError as exc:
        raise ApiError(400, "Invalid config file", str(exc)) from None
    except ScheduleError as exc:
        raise ApiError(400, "Invalid schedule", str(exc)) from None


def _changed():
    reconcile_schedules(current_app._get_current_object())


@bp.get("")
def list_schedules():
    """Every schedule, those from configs' own `schedule:` lines included."""
    sync_config_schedules()
    schedules = Schedule.query.order_by(Schedule.id).all()
    return {"schedules": [s.to_dict(next_run(s)) for s in schedules]}


@bp.post("")
def create_schedule():
    """Schedule a config with a 5-field cron (in `timezone`, default the server's)."""
    fields = _validated(_json_body())
    fields.setdefault("timezone", current_app.config["SCHEDULER_TIMEZONE"])
    schedule = Schedule(source="api", **fields)
    db.session.add(schedule)
    db.session.commit()
    _changed()
    return schedule.to_dict(next_run(schedule)), 201


@bp.get("/<int:schedule_id>")
def get_schedule(schedule_id):
    """One schedule and when it fires next."""
    schedule = get_schedule_or_404(schedule_id)
    return schedule.to_dict(next_run(schedule))


@bp.put("/<int:schedule_id>")
def update_schedule(schedule_id):
    """Change a schedule's config, cron, time zone or enabled flag."""
    schedule = get_schedule_or_404(schedule_id)
    fields = _validated(_json_body(), partial=True)
    if schedule.source == "config" and set(fields) - {"enabled"}:
        return error_response(400, "Schedule comes from its config file",
                              f"Edit the schedule: line of {schedule.config_file}, or only enable/disable it here")
    for name, value in fields.items():
        setattr(schedule, name, value)
    db.session.commit()
    _changed()
    return schedule.to_dict(next_run(schedule))


@bp.delete("/<int:schedule_id>")
def delete_schedule(schedule_id):
    """Delete a schedule made through the API."""
    schedule = get_schedule_or_404(schedule_id)
    if schedule.source == "config":
        return error_response(400, "Schedule comes from its config file",
                              f"Remove the schedule: line of {schedule.config_file}, or disable it here")
    db.session.delete(schedule)
    db.session.commit()
    _changed()
    return {"message": f"Schedule {schedule_id} deleted successfully"}
