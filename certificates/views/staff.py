from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    return render(
        request,
        "staff/home.html",
        {"memberships": request.user.memberships.select_related("project")},
    )
