from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render


@login_required
def home(request):
    """Land in the user's project; a member of several picks one."""
    memberships = list(request.user.memberships.select_related("project").order_by("project__name"))
    if len(memberships) == 1:
        return redirect("staff:contacts", project_slug=memberships[0].project.slug)
    return render(request, "staff/home.html", {"memberships": memberships})
