"""E-mails the public sign-in forms send, off the request path (django-tasks' database queue).

The sign-in link and password reset forms only enqueue one of these, whether or not the
address belongs to anyone, so the reply takes the same time either way and cannot tell an
outsider which addresses have accounts. ``python manage.py db_worker`` sends them.
"""

from django_tasks import task

from plans import people, services
from plans.forms import PasswordResetForm
from plans.models import ReminderRound


@task()
def signin_link_request_send(*, email: str, base_url: str, next_path: str = "") -> int:
    """Send a sign-in link to whoever signs in or leads with ``email``; how many were sent."""
    return services.signin_link_request(email=email, base_url=base_url, next_path=next_path)


@task()
def password_reset_send(*, email: str, domain: str, use_https: bool) -> None:
    """Send Django's password reset e-mail to each active account with ``email``."""
    form = PasswordResetForm({"email": email})
    if form.is_valid():
        form.save(
            domain_override=domain,
            use_https=use_https,
            subject_template_name="registration/password_reset_subject.txt",
            email_template_name="registration/password_reset_email.html",
        )


@task()
def invitation_send(*, invitation_id: int, base_url: str) -> bool:
    """E-mail an invitation to join a partnership, with a one-use link made here."""
    return people.invitation_send(invitation_id=invitation_id, base_url=base_url)


@task()
def reminder_round_send(*, round_id: int, base_url: str) -> int:
    """Send an admin's reminder round (``plans.chasing.reminder_round_request``); how many went."""
    reminder_round = ReminderRound.objects.select_related("plan").get(pk=round_id)
    return len(services.reminders_send(base_url=base_url, reminder_round=reminder_round).sent)
