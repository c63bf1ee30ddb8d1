"""The controlled vocabularies of a case. Keys are a public contract (API, imports)."""

from django.db import models


class RestrictionKind(models.TextChoices):
    AIR_TRAVEL = "air_travel", "Air travel"
    HIGH_SPEED_RAIL = "high_speed_rail", "High-speed (top-tier) trains"
    PROPERTY_PURCHASE = "property_purchase", "Buying property"
    LOANS_CREDIT = "loans_credit", "Loans and credit"
    LUXURY_HOTELS = "luxury_hotels", "Luxury hotels"
    PRIVATE_SCHOOL_CHILDREN = "private_school_children", "Children's private schooling"
    PUBLIC_SHAMING = "public_shaming", "Public shaming"
    RINGBACK_TONE = "ringback_tone", "Shaming ringback tone"
    TRAVEL_ABROAD = "travel_abroad", "Travel abroad"
    BUSINESS_REGISTRATION = "business_registration", "Running or registering a business"
    CIVIL_SERVICE_EMPLOYMENT = "civil_service_employment", "Civil-service employment"
    OTHER = "other", "Other"


class OffenceCategory(models.TextChoices):
    DEFAMATION_SPEECH = "defamation_speech", "Defamation or speech"
    UNPAID_DEBT = "unpaid_debt", "Unpaid debt"
    UNPAID_RENT = "unpaid_rent", "Unpaid rent"
    UNPAID_FINE = "unpaid_fine", "Unpaid fine"
    COURT_COSTS = "court_costs", "Court costs"
    THEFT = "theft", "Theft"
    BUSINESS_DISPUTE = "business_dispute", "Business dispute"
    OTHER = "other", "Other"


class ListName(models.TextChoices):
    SPC_DISHONEST_DEBTORS = "spc_dishonest_debtors", "SPC list of dishonest judgment debtors"
    RESTRICTED_CONSUMPTION = "restricted_consumption", "Restricted-consumption list"
    AVIATION_BLACKLIST = "aviation_blacklist", "Aviation blacklist"
    RAIL_BLACKLIST = "rail_blacklist", "Railway blacklist"
    LOCAL_LIST = "local_list", "Local blacklist"
    CORPORATE_SCORE = "corporate_score", "Corporate social-credit score"
    OTHER = "other", "Other list"


class CaseStatus(models.TextChoices):
    LISTED = "listed", "Listed"
    REMOVED = "removed", "Removed from the list"
    UNKNOWN = "unknown", "Unknown"


class PublicationState(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    RETRACTED = "retracted", "Retracted"


class AmountKind(models.TextChoices):
    OWED = "owed", "Owed"
    FINE = "fine", "Fine"
    FEE = "fee", "Fee or cost"
    PAID = "paid", "Paid"
    DAMAGES = "damages", "Damages"
    VALUE = "value", "Value involved"
    OTHER = "other", "Other"


class EventKind(models.TextChoices):
    DETAINED = "detained", "Detained"
    CHARGED = "charged", "Charged"
    VERDICT = "verdict", "Verdict"
    ORDER = "order", "Court order"
    LISTED = "listed", "Listed"
    RESTRICTION_ENCOUNTERED = "restriction_encountered", "Restriction encountered"
    DISCOVERED = "discovered", "Learned of the listing"
    NOTIFIED = "notified", "Notified"
    APPEAL = "appeal", "Appeal or objection"
    PAYMENT = "payment", "Payment"
    REMOVED = "removed", "Removed from the list"
    REPORTED = "reported", "Reported in the press"
    OTHER = "other", "Other"


class CitedField(models.TextChoices):
    """The claims of a case, other than its parts, that a citation can support."""

    PERSON = "person", "Identity and occupation of the person"
    LISTING = "listing", "The listing: list, authority, docket number, date"
    REASON = "reason", "Stated reason for the listing"
    OFFENCE = "offence", "Offence alleged"
    STATUS = "status", "Status and removal"
    NOTIFIED = "notified", "Whether the person was notified"
    APPEAL = "appeal", "Appeal"
    SUMMARY = "summary", "Summary"
    NARRATIVE = "narrative", "Narrative"
    OUTCOME = "outcome", "Outcome"


class QuoteCheck(models.TextChoices):
    """What the quote check found for a citation's quote in the text extracted from its
    capture's kept files (casefile.cases.quotes); blank for a citation without a quote."""

    FOUND = "found", "Found in the kept file"
    NOT_FOUND = "not_found", "Not found in the kept files' text"
    NO_TEXT = "no_text", "No text to check (no kept file with text)"
