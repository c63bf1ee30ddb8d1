from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from casefile.core.constraints import in_vocabulary, plain_text
from casefile.core.history import track_history
from casefile.core.models import TimeStampedModel
from casefile.core.triggers import after_rows_really_change


class Province(models.TextChoices):
    """The 31 province-level divisions of mainland China, keyed in English."""

    ANHUI = "anhui", "Anhui 安徽"
    BEIJING = "beijing", "Beijing 北京"
    CHONGQING = "chongqing", "Chongqing 重庆"
    FUJIAN = "fujian", "Fujian 福建"
    GANSU = "gansu", "Gansu 甘肃"
    GUANGDONG = "guangdong", "Guangdong 广东"
    GUANGXI = "guangxi", "Guangxi 广西"
    GUIZHOU = "guizhou", "Guizhou 贵州"
    HAINAN = "hainan", "Hainan 海南"
    HEBEI = "hebei", "Hebei 河北"
    HEILONGJIANG = "heilongjiang", "Heilongjiang 黑龙江"
    HENAN = "henan", "Henan 河南"
    HUBEI = "hubei", "Hubei 湖北"
    HUNAN = "hunan", "Hunan 湖南"
    INNER_MONGOLIA = "inner_mongolia", "Inner Mongolia 内蒙古"
    JIANGSU = "jiangsu", "Jiangsu 江苏"
    JIANGXI = "jiangxi", "Jiangxi 江西"
    JILIN = "jilin", "Jilin 吉林"
    LIAONING = "liaoning", "Liaoning 辽宁"
    NINGXIA = "ningxia", "Ningxia 宁夏"
    QINGHAI = "qinghai", "Qinghai 青海"
    SHAANXI = "shaanxi", "Shaanxi 陕西"
    SHANDONG = "shandong", "Shandong 山东"
    SHANGHAI = "shanghai", "Shanghai 上海"
    SHANXI = "shanxi", "Shanxi 山西"
    SICHUAN = "sichuan", "Sichuan 四川"
    TIANJIN = "tianjin", "Tianjin 天津"
    TIBET = "tibet", "Tibet 西藏"
    XINJIANG = "xinjiang", "Xinjiang 新疆"
    YUNNAN = "yunnan", "Yunnan 云南"
    ZHEJIANG = "zhejiang", "Zhejiang 浙江"

    @property
    def localized(self) -> str:
        """As the active language names it: "Hubei 湖北" in English, "湖北" in Chinese."""
        return self.chinese if translation.get_language().startswith("zh") else self.label

    @property
    def english(self) -> str:
        return self.label.rsplit(" ", 1)[0]

    @property
    def chinese(self) -> str:
        return self.label.rsplit(" ", 1)[1]

    @classmethod
    def lookup(cls, text: str) -> "Province | None":
        """Find a province by key, English name or Chinese name ("Hubei", "湖北", "湖北省")."""
        wanted = (text or "").strip()
        if not wanted:
            return None
        folded = wanted.lower().replace("-", " ").replace("_", " ")
        for province in cls:
            if folded in (province.value.replace("_", " "), province.english.lower()):
                return province
            if wanted.startswith(province.chinese):
                return province
        return None


class AuthorityKind(models.TextChoices):
    COURT = "court", _("Court")
    GOVERNMENT_AGENCY = "government_agency", _("Government agency")
    REGULATOR = "regulator", _("Regulator")
    TRANSPORT_OPERATOR = "transport_operator", _("Transport operator")
    OTHER = "other", _("Other")


@track_history()
class Authority(TimeStampedModel):
    name = models.CharField(
        max_length=300, help_text="In English, e.g. Changsha Intermediate People's Court."
    )
    name_original = models.CharField(
        "name in original script", max_length=300, blank=True, help_text="e.g. 长沙市中级人民法院"
    )
    kind = models.CharField(
        max_length=20, choices=AuthorityKind.choices, default=AuthorityKind.COURT
    )
    province = models.CharField(max_length=20, choices=Province.choices, blank=True)
    city = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name_plural = "authorities"
        ordering = ["name", "id"]
        constraints = [
            in_vocabulary("kind", AuthorityKind, name="authority_kind_valid"),
            in_vocabulary("province", Province, name="authority_province_valid", blank=True),
            models.UniqueConstraint(
                fields=["name", "province", "city"], name="authority_unique_name_place"
            ),
            *plain_text("name", "name_original", "city", prefix="authority"),
        ]
        # An authority is shown nested in its cases (and its province is a facet):
        # touching them puts them in the change feed and changes their ETags.
        triggers = after_rows_really_change(
            "touch_cases_of_authority",
            "UPDATE cases_case SET updated_at = clock_timestamp() "
            "WHERE authority_id IN (SELECT id FROM {changed_rows} AS changed);",
        )

    @property
    def province_name(self) -> str:
        return Province(self.province).localized if self.province else ""

    def display_name(self) -> str:
        """The name in the page's language: the Chinese name on a Chinese page."""
        if self.name_original and translation.get_language().startswith("zh"):
            return self.name_original
        return self.name

    def __str__(self):
        place = ", ".join(part for part in (self.city, self.get_province_display()) if part)
        return f"{self.name} ({place})" if place else self.name

    def get_absolute_url(self):
        return reverse("authority-detail", args=[self.pk])
