from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


@login_required
def home(request):
    """Staff land in their project; everyone else in the student portal."""
    if request.user.memberships.exists():
        return redirect("staff:home")
    return redirect("portal:certificates")
