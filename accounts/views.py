"""The staff home: land in the user's school, or pick one when they belong to several."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from .selectors import staff_memberships


@login_required
def home(request):
    """Land in the user's project; a member of several picks one."""
    memberships = staff_memberships(user=request.user)
    if len(memberships) == 1:
        return redirect("staff:contacts", project_slug=memberships[0].project.slug)
    return render(request, "staff/home.html", {"memberships": memberships})
