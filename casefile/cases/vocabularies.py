"""The controlled vocabularies of a case. Keys are a public contract (API, imports)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RestrictionKind(models.TextChoices):
    AIR_TRAVEL = "air_travel", _("Air travel")
    HIGH_SPEED_RAIL = "high_speed_rail", _("High-speed (top-tier) trains")
    PROPERTY_PURCHASE = "property_purchase", _("Buying property")
    LOANS_CREDIT = "loans_credit", _("Loans and credit")
    LUXURY_HOTELS = "luxury_hotels", _("Luxury hotels")
    PRIVATE_SCHOOL_CHILDREN = "private_school_children", _("Children's private schooling")
    PUBLIC_SHAMING = "public_shaming", _("Public shaming")
    RINGBACK_TONE = "ringback_tone", _("Shaming ringback tone")
    TRAVEL_ABROAD = "travel_abroad", _("Travel abroad")
    BUSINESS_REGISTRATION = "business_registration", _("Running or registering a business")
    CIVIL_SERVICE_EMPLOYMENT = "civil_service_employment", _("Civil-service employment")
    OTHER = "other", _("Other")


class OffenceCategory(models.TextChoices):
    DEFAMATION_SPEECH = "defamation_speech", _("Defamation or speech")
    UNPAID_DEBT = "unpaid_debt", _("Unpaid debt")
    UNPAID_RENT = "unpaid_rent", _("Unpaid rent")
    UNPAID_FINE = "unpaid_fine", _("Unpaid fine")
    COURT_COSTS = "court_costs", _("Court costs")
    THEFT = "theft", _("Theft")
    BUSINESS_DISPUTE = "business_dispute", _("Business dispute")
    OTHER = "other", _("Other")


class ListName(models.TextChoices):
    SPC_DISHONEST_DEBTORS = "spc_dishonest_debtors", _("SPC list of dishonest judgment debtors")
    RESTRICTED_CONSUMPTION = "restricted_consumption", _("Restricted-consumption list")
    AVIATION_BLACKLIST = "aviation_blacklist", _("Aviation blacklist")
    RAIL_BLACKLIST = "rail_blacklist", _("Railway blacklist")
    LOCAL_LIST = "local_list", _("Local blacklist")
    CORPORATE_SCORE = "corporate_score", _("Corporate social-credit score")
    OTHER = "other", _("Other list")


class CaseStatus(models.TextChoices):
    LISTED = "listed", pgettext_lazy("case status", "Listed")
    REMOVED = "removed", _("Removed from the list")
    UNKNOWN = "unknown", _("Unknown")


class PublicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    RETRACTED = "retracted", _("Retracted")


class AmountKind(models.TextChoices):
    OWED = "owed", _("Owed")
    FINE = "fine", _("Fine")
    FEE = "fee", _("Fee or cost")
    PAID = "paid", _("Paid")
    DAMAGES = "damages", _("Damages")
    VALUE = "value", _("Value involved")
    OTHER = "other", _("Other")


class EventKind(models.TextChoices):
    DETAINED = "detained", _("Detained")
    CHARGED = "charged", _("Charged")
    VERDICT = "verdict", _("Verdict")
    ORDER = "order", _("Court order")
    LISTED = "listed", pgettext_lazy("event", "Listed")
    RESTRICTION_ENCOUNTERED = "restriction_encountered", _("Restriction encountered")
    DISCOVERED = "discovered", _("Learned of the listing")
    NOTIFIED = "notified", pgettext_lazy("event", "Notified")
    APPEAL = "appeal", _("Appeal or objection")
    PAYMENT = "payment", _("Payment")
    REMOVED = "removed", _("Removed from the list")
    REPORTED = "reported", _("Reported in the press")
    OTHER = "other", _("Other")


class CitedField(models.TextChoices):
    """The claims of a case, other than its parts, that a citation can support."""

    PERSON = "person", _("Identity and occupation of the person")
    LISTING = "listing", _("The listing: list, authority, docket number, date")
    REASON = "reason", _("Stated reason for the listing")
    OFFENCE = "offence", _("Offence alleged")
    STATUS = "status", _("Status and removal")
    NOTIFIED = "notified", _("Whether the person was notified")
    APPEAL = "appeal", _("Appeal")
    SUMMARY = "summary", _("Summary")
    NARRATIVE = "narrative", _("Narrative")
    OUTCOME = "outcome", _("Outcome")


class QuoteCheck(models.TextChoices):
    """What the quote check found for a citation's quote in the text extracted from its
    capture's kept files (casefile.cases.quotes); blank for a citation without a quote."""

    FOUND = "found", _("Found in the kept file")
    NOT_FOUND = "not_found", _("Not found in the kept files' text")
    NO_TEXT = "no_text", _("No text to check (no kept file with text)")
