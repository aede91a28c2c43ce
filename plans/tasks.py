"""E-mails the public sign-in forms send, off the request path (django-tasks' database queue).

The sign-in link and password reset forms only enqueue one of these, whether or not the
address belongs to anyone, so the reply takes the same time either way and cannot tell an
outsider which addresses have accounts. ``python manage.py db_worker`` sends them.
"""

from django.contrib.auth.forms import PasswordResetForm
from django_tasks import task

from plans import services
from plans.models import ReminderRound


@task()
def signin_link_request_send(*, email: str, base_url: str) -> int:
    """Send a sign-in link to whoever signs in or leads with ``email``; how many were sent."""
    return services.signin_link_request(email=email, base_url=base_url)


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
def reminder_round_send(*, round_id: int, base_url: str) -> int:
    """Send an admin's reminder round (``plans.chasing.reminder_round_request``); how many went."""
    reminder_round = ReminderRound.objects.select_related("plan").get(pk=round_id)
    return len(services.reminders_send(base_url=base_url, reminder_round=reminder_round).sent)
