from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huifang.notifications.models import Notification
from huifang.notifications.services import mark_read


def inbox(request: HttpRequest) -> HttpResponse:
    """The user's own notifications: nobody reads another's inbox, so no other gate applies."""
    page = Paginator(Notification.objects.filter(user_id=request.user.pk or 0), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/inbox.html", {"page": page})


@require_POST
def inbox_read(request: HttpRequest) -> HttpResponse:
    count = mark_read(user=request.user)  # type: ignore[arg-type]
    messages.success(request, _("已将 %(count)s 条通知标为已读") % {"count": count})
    return redirect("inbox")
