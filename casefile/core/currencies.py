"""ISO 4217 currency codes, frozen from the standard's list (via pycountry 26.2).

Frozen rather than read at run time so that the database constraint built from it
changes only when this file does, in a reviewed migration.
"""

from functools import cache

from babel.numbers import get_currency_name
from django.utils import translation

CURRENCIES: dict[str, str] = {
    "AED": "UAE Dirham",
    "AFN": "Afghani",
    "ALL": "Lek",
    "AMD": "Armenian Dram",
    "AOA": "Kwanza",
    "ARS": "Argentine Peso",
    "AUD": "Australian Dollar",
    "AWG": "Aruban Florin",
    "AZN": "Azerbaijan Manat",
    "BAM": "Convertible Mark",
    "BBD": "Barbados Dollar",
    "BDT": "Taka",
    "BHD": "Bahraini Dinar",
    "BIF": "Burundi Franc",
    "BMD": "Bermudian Dollar",
    "BND": "Brunei Dollar",
    "BOB": "Boliviano",
    "BOV": "Mvdol",
    "BRL": "Brazilian Real",
    "BSD": "Bahamian Dollar",
    "BTN": "Ngultrum",
    "BWP": "Pula",
    "BYN": "Belarusian Ruble",
    "BZD": "Belize Dollar",
    "CAD": "Canadian Dollar",
    "CDF": "Congolese Franc",
    "CHE": "WIR Euro",
    "CHF": "Swiss Franc",
    "CHW": "WIR Franc",
    "CLF": "Unidad de Fomento",
    "CLP": "Chilean Peso",
    "CNY": "Yuan Renminbi",
    "COP": "Colombian Peso",
    "COU": "Unidad de Valor Real",
    "CRC": "Costa Rican Colon",
    "CUP": "Cuban Peso",
    "CVE": "Cabo Verde Escudo",
    "CZK": "Czech Koruna",
    "DJF": "Djibouti Franc",
    "DKK": "Danish Krone",
    "DOP": "Dominican Peso",
    "DZD": "Algerian Dinar",
    "EGP": "Egyptian Pound",
    "ERN": "Nakfa",
    "ETB": "Ethiopian Birr",
    "EUR": "Euro",
    "FJD": "Fiji Dollar",
    "FKP": "Falkland Islands Pound",
    "GBP": "Pound Sterling",
    "GEL": "Lari",
    "GHS": "Ghana Cedi",
    "GIP": "Gibraltar Pound",
    "GMD": "Dalasi",
    "GNF": "Guinean Franc",
    "GTQ": "Quetzal",
    "GYD": "Guyana Dollar",
    "HKD": "Hong Kong Dollar",
    "HNL": "Lempira",
    "HTG": "Gourde",
    "HUF": "Forint",
    "IDR": "Rupiah",
    "ILS": "New Israeli Sheqel",
    "INR": "Indian Rupee",
    "IQD": "Iraqi Dinar",
    "IRR": "Iranian Rial",
    "ISK": "Iceland Krona",
    "JMD": "Jamaican Dollar",
    "JOD": "Jordanian Dinar",
    "JPY": "Yen",
    "KES": "Kenyan Shilling",
    "KGS": "Som",
    "KHR": "Riel",
    "KMF": "Comorian Franc",
    "KPW": "North Korean Won",
    "KRW": "Won",
    "KWD": "Kuwaiti Dinar",
    "KYD": "Cayman Islands Dollar",
    "KZT": "Tenge",
    "LAK": "Lao Kip",
    "LBP": "Lebanese Pound",
    "LKR": "Sri Lanka Rupee",
    "LRD": "Liberian Dollar",
    "LSL": "Loti",
    "LYD": "Libyan Dinar",
    "MAD": "Moroccan Dirham",
    "MDL": "Moldovan Leu",
    "MGA": "Malagasy Ariary",
    "MKD": "Denar",
    "MMK": "Kyat",
    "MNT": "Tugrik",
    "MOP": "Pataca",
    "MRU": "Ouguiya",
    "MUR": "Mauritius Rupee",
    "MVR": "Rufiyaa",
    "MWK": "Malawi Kwacha",
    "MXN": "Mexican Peso",
    "MXV": "Mexican Unidad de Inversion (UDI)",
    "MYR": "Malaysian Ringgit",
    "MZN": "Mozambique Metical",
    "NAD": "Namibia Dollar",
    "NGN": "Naira",
    "NIO": "Cordoba Oro",
    "NOK": "Norwegian Krone",
    "NPR": "Nepalese Rupee",
    "NZD": "New Zealand Dollar",
    "OMR": "Rial Omani",
    "PAB": "Balboa",
    "PEN": "Sol",
    "PGK": "Kina",
    "PHP": "Philippine Peso",
    "PKR": "Pakistan Rupee",
    "PLN": "Zloty",
    "PYG": "Guarani",
    "QAR": "Qatari Rial",
    "RON": "Romanian Leu",
    "RSD": "Serbian Dinar",
    "RUB": "Russian Ruble",
    "RWF": "Rwanda Franc",
    "SAR": "Saudi Riyal",
    "SBD": "Solomon Islands Dollar",
    "SCR": "Seychelles Rupee",
    "SDG": "Sudanese Pound",
    "SEK": "Swedish Krona",
    "SGD": "Singapore Dollar",
    "SHP": "Saint Helena Pound",
    "SLE": "Leone",
    "SOS": "Somali Shilling",
    "SRD": "Surinam Dollar",
    "SSP": "South Sudanese Pound",
    "STN": "Dobra",
    "SVC": "El Salvador Colon",
    "SYP": "Syrian Pound",
    "SZL": "Lilangeni",
    "THB": "Baht",
    "TJS": "Somoni",
    "TMT": "Turkmenistan New Manat",
    "TND": "Tunisian Dinar",
    "TOP": "Pa’anga",
    "TRY": "Turkish Lira",
    "TTD": "Trinidad and Tobago Dollar",
    "TWD": "New Taiwan Dollar",
    "TZS": "Tanzanian Shilling",
    "UAH": "Hryvnia",
    "UGX": "Uganda Shilling",
    "USD": "US Dollar",
    "USN": "US Dollar (Next day)",
    "UYI": "Uruguay Peso en Unidades Indexadas (UI)",
    "UYU": "Peso Uruguayo",
    "UYW": "Unidad Previsional",
    "UZS": "Uzbekistan Sum",
    "VED": "Bolívar Soberano",
    "VES": "Bolívar Soberano",
    "VND": "Dong",
    "VUV": "Vatu",
    "WST": "Tala",
    "XAD": "Arab Accounting Dinar",
    "XAF": "CFA Franc BEAC",
    "XAG": "Silver",
    "XAU": "Gold",
    "XBA": "Bond Markets Unit European Composite Unit (EURCO)",
    "XBB": "Bond Markets Unit European Monetary Unit (E.M.U.-6)",
    "XBC": "Bond Markets Unit European Unit of Account 9 (E.U.A.-9)",
    "XBD": "Bond Markets Unit European Unit of Account 17 (E.U.A.-17)",
    "XCD": "East Caribbean Dollar",
    "XCG": "Caribbean Guilder",
    "XDR": "SDR (Special Drawing Right)",
    "XOF": "CFA Franc BCEAO",
    "XPD": "Palladium",
    "XPF": "CFP Franc",
    "XPT": "Platinum",
    "XSU": "Sucre",
    "XTS": "Codes specifically reserved for testing purposes",
    "XUA": "ADB Unit of Account",
    "XXX": "The codes assigned for transactions where no currency is involved",
    "YER": "Yemeni Rial",
    "ZAR": "Rand",
    "ZMW": "Zambian Kwacha",
    "ZWG": "Zimbabwe Gold",
}

CURRENCY_CHOICES = [(code, f"{code} — {name}") for code, name in CURRENCIES.items()]


def currency_name(code: str) -> str:
    """The currency's name in the active language: "Canadian Dollar", "加拿大元" (CLDR's
    names, through Babel, for Chinese)."""
    return _names(_language()).get(code, code)


def currency_choices() -> list[tuple[str, str]]:
    """CURRENCY_CHOICES in the active language: ("CAD", "CAD — 加拿大元")."""
    return _choices(_language())


def _language() -> str:
    return "zh" if (translation.get_language() or "").startswith("zh") else "en"


@cache
def _names(language: str) -> dict[str, str]:
    if language == "en":
        return CURRENCIES
    return {
        code: get_currency_name(code, locale="zh_Hans_CN") or name
        for code, name in CURRENCIES.items()
    }


@cache
def _choices(language: str) -> list[tuple[str, str]]:
    return [(code, f"{code} — {name}") for code, name in _names(language).items()]
