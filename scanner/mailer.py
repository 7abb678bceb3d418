"""Sending alert emails over SMTP: STARTTLS whenever the server offers it, login when configured."""

import smtplib
import ssl
from email.message import EmailMessage

SMTP_TIMEOUT_SECONDS = 20


class MailError(RuntimeError):
    """The email could not be sent; the message says why, without secrets."""


def send_email(smtp, subject, body):
    """Send a plain-text email. `smtp` holds server, port, username, password, from_email, to_emails."""
    recipients = smtp.get("to_emails") or []
    if not smtp.get("server") or not recipients:
        raise MailError("SMTP is not configured: set smtp_server and smtp_to_emails")
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = smtp.get("from_email") or smtp.get("username") or "sneakyscanner@localhost"
    message["To"] = ", ".join(recipients)
    message.set_content(body)
    try:
        with smtplib.SMTP(smtp["server"], smtp.get("port") or 587, timeout=SMTP_TIMEOUT_SECONDS) as client:
            client.ehlo()
            if client.has_extn("starttls"):
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if smtp.get("username"):
                client.login(smtp["username"], smtp.get("password") or "")
            client.send_message(message)
    except smtplib.SMTPAuthenticationError:
        raise MailError(f"SMTP server {smtp['server']} refused the login for {smtp.get('username')}") from None
    except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
        raise MailError(f"Could not send email through {smtp['server']}:{smtp.get('port')}: "
                        f"{exc.__class__.__name__}: {str(exc)[:200]}") from None
