from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse

from casefile.people.models import Person


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["__str__", "pseudonym", "privacy", "occupation", "updated_at"]
    list_filter = ["privacy", "updated_at"]
    search_fields = ["name_original", "name_romanized", "name_keys", "pseudonym", "occupation"]
    readonly_fields = ["name_keys", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name_original", "name_romanized", "aliases", "occupation"]}),
        ("Privacy", {"fields": ["privacy", "pseudonym"]}),
        ("Internal", {"fields": ["notes", "name_keys", "created_at", "updated_at"]}),
    ]
    actions = ["merge_selected_people"]

    @admin.action(description="Merge the two selected people…", permissions=["merge"])
    def merge_selected_people(self, request, queryset):
        ids = sorted(queryset.values_list("pk", flat=True))
        if len(ids) != 2:
            self.message_user(request, "Select exactly two people to merge.", messages.ERROR)
            return None
        return redirect(reverse("editorial:merge-people") + f"?ids={ids[0]},{ids[1]}")

    def has_merge_permission(self, request):
        return request.user.has_perm("people.merge_person")
