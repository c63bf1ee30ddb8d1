from django.contrib import admin
from django.utils import timezone

from casefile.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued with `manage.py create_api_token` (the key is shown once);
    here they are listed and revoked."""

    list_display = ["name", "user", "can_write", "created_at", "revoked_at"]
    list_filter = ["can_write", "revoked_at"]
    search_fields = ["name", "user__username"]
    readonly_fields = ["user", "name", "created_at", "revoked_at"]
    fields = ["user", "name", "can_write", "created_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        queryset.filter(revoked_at=None).update(revoked_at=timezone.now())
