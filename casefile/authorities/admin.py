from django.contrib import admin

from casefile.authorities.models import Authority
from casefile.core.admin import ShownRecordAdminMixin


@admin.register(Authority)
class AuthorityAdmin(ShownRecordAdminMixin, admin.ModelAdmin):
    list_display = ["name", "name_original", "kind", "province", "city"]
    list_filter = ["kind", "province"]
    search_fields = ["name", "name_original", "city"]
