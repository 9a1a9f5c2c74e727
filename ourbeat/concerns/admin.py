from django.contrib import admin

from ourbeat.concerns.models import Category, ResponseTemplate, RoutingRule
from ourbeat.core.admin import AuditedAdmin


class RoutingRuleInline(admin.TabularInline):
    model = RoutingRule
    extra = 0
    autocomplete_fields = ["area", "responsible"]


@admin.register(Category)
class CategoryAdmin(AuditedAdmin):
    list_display = ["name", "group", "code", "organisation", "sensitive", "active"]
    list_filter = ["organisation", "group", "sensitive", "active"]
    search_fields = ["name", "code", "keywords"]
    inlines = [RoutingRuleInline]


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(AuditedAdmin):
    list_display = ["title", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["title", "text"]
