"""The workspace: register, layers, sites and status history, loaded and validated once.

``load_workspace`` reads every file of a workspace folder, checks everything, and raises
one :class:`~citymap.errors.ValidationError` listing every problem (file, row or feature,
field, what to do). Nothing downstream re-reads or re-validates files: metrics, maps and
exports take the :class:`Workspace` it returns.

``read_records`` reads only what a status needs — the register, the layer definitions, the
site layers' attributes (no geometry: neither geopandas, shapely, pyproj nor pyogrio is
imported) and the status log — into :class:`WorkspaceRecords`. It checks nothing beyond what
it parses: the folder store uses it only for files a validated load accepted unchanged
(:mod:`citymap.store.stamp`).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pandas as pd

from citymap.crs import LONLAT_CRS, MEASURE_CRS, resolve_crs
from citymap.errors import CRSError, Problem, ValidationError, WorkspaceError
from citymap.history import StatusLog, read_status_log
from citymap.i18n import _
from citymap.layers import LayerSpec, layer_files, load_layers
from citymap.limits import path_problem, read_bounded
from citymap.publish import Publish, parse_publish
from citymap.records import GEOJSON_SUFFIXES, concat_sites, read_geojson_records
from citymap.register import Register, load_register
from citymap.vocab import SCHEMATIC, SITE_STATUSES

if TYPE_CHECKING:
    import geopandas as gpd

    from citymap.state import StatusAsOf

__all__ = ["Config", "Workspace", "WorkspaceRecords", "find_workspace", "load_config",
           "load_workspace", "read_records"]

CONFIG_FILE = "citymap.toml"


@attrs.frozen
class Config:
    """``citymap.toml``: the workspace's name, county, bounds, measuring CRS and map defaults."""

    name: str
    county: str
    name_en: str = ""
    county_en: str = ""
    register: str = "geo/register.yaml"
    status_log: str = "geo/status_log.csv"
    bounds: tuple[float, float, float, float] = (-180.0, -90.0, 180.0, 90.0)
    measure_crs: str = MEASURE_CRS
    schematic: bool = False
    center: tuple[float, float] | None = None
    zoom: int = 13
    basemap: str = "openstreetmap"
    lang: str = "zh"
    publish: Publish = Publish()


def load_config(root: Path, *, check_crs: bool = True) -> Config:  # noqa: C901
    """Read ``citymap.toml`` in ``root``.

    Every value is checked for its type and range here, so that nothing later (a build, a
    store push) meets a value it cannot use; ``register`` and ``status_log`` must be paths
    inside the workspace (:func:`citymap.limits.path_problem`). ``check_crs=False`` leaves
    ``measure_crs`` to a load that has checked it (pyproj is not imported): for
    :func:`read_records` of files a validated load accepted unchanged.

    Raises
    ------
    WorkspaceError
        If there is no such file.
    ValidationError
        If it is not valid or a value is out of range.
    """
    path = root / CONFIG_FILE
    if not path.is_file():
        raise WorkspaceError(_("{root!r} is not a citymap workspace: no {config} there; "
                               "pass --workspace DIR or run from the workspace folder")
                             .format(root=str(root), config=CONFIG_FILE))
    try:
        data = tomllib.loads(read_bounded(path, shown=CONFIG_FILE, kind="config")
                             .decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValidationError([Problem(CONFIG_FILE, "", "", _("is not valid TOML: {error}")
                                                            .format(error=exc))]) \
            from None
    problems: list[Problem] = []
    ws = _table(data, "workspace", problems)
    mp = _table(data, "map", problems)

    def bad(table: str, key: str, msg: str) -> None:
        problems.append(Problem(CONFIG_FILE, f"[{table}]", key, msg))

    for key in ("name", "county"):
        if not isinstance(ws.get(key), str) or not ws[key]:
            bad("workspace", key,
                _("must be a non-empty text, got {value!r}").format(value=ws.get(key)))
    for key in ("name_en", "county_en"):
        if not isinstance(ws.get(key, ""), str):
            bad("workspace", key, _("must be a text, got {value!r}").format(value=ws[key]))
    paths = {"register": "geo/register.yaml", "status_log": "geo/status_log.csv"}
    for key, default in paths.items():
        value = ws.get(key, default)
        if not isinstance(value, str) or not value:
            bad("workspace", key, _("must be a path inside the workspace, got {value!r}")
                                  .format(value=value))
            continue
        why = path_problem(root, value)
        if why is not None:
            bad("workspace", key, why)
        paths[key] = value
    bounds = ws.get("bounds", [-180, -90, 180, 90])
    if (not isinstance(bounds, list) or len(bounds) != 4
            or not all(_is_number(b) for b in bounds)
            or not (-180 <= bounds[0] < bounds[2] <= 180 and -90 <= bounds[1] < bounds[3] <= 90)):
        bad("workspace", "bounds", _("{bounds!r} must be [west, south, east, north] in lon/lat "
                                     "degrees").format(bounds=bounds))
        bounds = [-180, -90, 180, 90]
    crs = ws.get("measure_crs", MEASURE_CRS)
    try:
        if not isinstance(crs, str | int) or isinstance(crs, bool):
            raise CRSError(_("{crs!r} must be a CRS such as 'EPSG:4548'").format(crs=crs))
        if check_crs and not resolve_crs(crs, what="measure_crs").is_projected:
            bad("workspace", "measure_crs", _("{crs!r} is not projected: lengths and areas need "
                                              "metres").format(crs=crs))
    except CRSError as exc:
        bad("workspace", "measure_crs", str(exc))
    schematic = ws.get("schematic", False)
    if not isinstance(schematic, bool):
        bad("workspace", "schematic", _("must be true or false, got {schematic!r}")
                                      .format(schematic=schematic))
    center = mp.get("center")
    if center is not None and (not isinstance(center, list) or len(center) != 2
                               or not all(_is_number(v) for v in center)
                               or not (-90 <= center[0] <= 90 and -180 <= center[1] <= 180)):
        bad("map", "center", _("{center!r} must be [lat, lon] in degrees").format(center=center))
        center = None
    zoom = mp.get("zoom", 13)
    if not isinstance(zoom, int) or isinstance(zoom, bool) or not 0 <= zoom <= 22:
        bad("map", "zoom", _("{zoom!r} must be a whole number 0–22").format(zoom=zoom))
    basemap = mp.get("basemap", "openstreetmap")
    if not isinstance(basemap, str):
        bad("map", "basemap", _("must be a text such as 'openstreetmap', got {basemap!r}")
                              .format(basemap=basemap))
    lang = mp.get("lang", "zh")
    if lang not in ("zh", "en"):
        bad("map", "lang", _("{lang!r} must be 'zh' or 'en'").format(lang=lang))
    synonyms = _table(_table(data, "import", problems), "status_synonyms", problems)
    for word, status in synonyms.items():
        if status not in SITE_STATUSES:  # how departments write a status (citymap import)
            problems.append(Problem(CONFIG_FILE, "[import.status_synonyms]", str(word),
                                    _("{status!r} is not a status; use one of {choices}")
                                    .format(status=status, choices=", ".join(SITE_STATUSES))))
    publish = parse_publish(data.get("publish"), problems, where=CONFIG_FILE)
    if problems:
        raise ValidationError(problems)
    return Config(
        name=ws["name"], county=ws["county"], name_en=ws.get("name_en", ""),
        county_en=ws.get("county_en", ""), register=paths["register"],
        status_log=paths["status_log"],
        bounds=(float(bounds[0]), float(bounds[1]), float(bounds[2]), float(bounds[3])),
        measure_crs=str(crs), schematic=schematic,
        center=(float(center[0]), float(center[1])) if center else None,
        zoom=zoom, basemap=basemap, lang=lang, publish=publish,
    )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _table(data: dict[str, Any], key: str, problems: list[Problem]) -> dict[str, Any]:
    value = data.get(key, {})
    if isinstance(value, dict):
        return value
    problems.append(Problem(CONFIG_FILE, f"[{key}]", "", _("must be a table [{key}], got "
                                                           "{value!r}")
                                                         .format(key=key, value=value)))
    return {}


@attrs.frozen
class WorkspaceRecords:
    """What the status on a date needs of a validated workspace, without geometry.

    From :func:`read_records` (the files a validated load accepted, read again without
    geometry) or :meth:`Workspace.records`. A :class:`Workspace` is one too, with geometry
    and the context layers: the site layers, the sites and the status on a date are computed
    by the same code for both (:func:`citymap.state.compute_status_as_of`).

    Attributes
    ----------
    root, config, register, layers, history
        As in :class:`Workspace`.
    data
        Site layer name → its attributes in the canonical columns (``id, works, name, year,
        status, status_date, source, kind`` and the layer's fields), no geometry. Context
        layers are not read.
    """

    root: Path
    config: Config
    register: Register
    layers: Mapping[str, LayerSpec]
    data: Mapping[str, pd.DataFrame]
    history: StatusLog
    _status_cache: dict[object, Any] = attrs.field(factory=dict, init=False, repr=False,
                                                  eq=False)

    @property
    def site_layers(self) -> dict[str, LayerSpec]:
        """The layers of works' sites."""
        return {n: s for n, s in self.layers.items() if s.is_sites}

    @property
    def plan_years(self) -> tuple[int, int]:
        """The plan's first and last year, from the register (:attr:`Plan.years`)."""
        return self.register.plan.years

    def loaded_files(self) -> list[Path]:
        """The files :func:`load_workspace` reads: ``citymap.toml``, the register, every layer
        definition in the folder now and each layer's source, and the status log.
        """
        root = self.root
        return [root / CONFIG_FILE, root / self.config.register, *layer_files(root),
                *(root / spec.source for spec in self.layers.values()),
                root / self.config.status_log]

    def _sites(self) -> pd.DataFrame:
        got = concat_sites(self.data, self.site_layers)
        return pd.DataFrame({"id": [], "layer": []}) if got is None else got

    def sites(self) -> pd.DataFrame:
        """Every site of every site layer in one frame, with a ``layer`` column (a copy)."""
        got = self._status_cache.get("sites")
        if got is None:
            got = self._status_cache["sites"] = self._sites()
        assert isinstance(got, pd.DataFrame)
        return got.copy()

    def status_as_of(self, day: dt.date) -> StatusAsOf:
        """Every site's and work's status on ``day``, and the overdue list (cached).

        The one way any view gets a status (:mod:`citymap.state`); computed once per day.
        """
        got: StatusAsOf | None = self._status_cache.get(day)
        if got is None:
            from citymap.state import compute_status_as_of

            got = self._status_cache[day] = compute_status_as_of(self, day)
        return got


@attrs.frozen
class Workspace(WorkspaceRecords):
    """A loaded, validated workspace. Immutable: changes go through the writers.

    Attributes
    ----------
    root
        The folder.
    config
        ``citymap.toml``.
    register
        The plan.
    layers
        Layer name → definition (site and context layers).
    data
        Layer name → GeoDataFrame in lon/lat with canonical columns.
    history
        The status log.
    warnings
        Findings that are not errors (e.g. a site-bound work with no site yet).
    repaired
        The layers whose geometries ``load_workspace(repair=True)`` repaired in memory
        (``citymap validate --repair`` writes them back through the store).
    """

    data: Mapping[str, gpd.GeoDataFrame]
    warnings: tuple[str, ...] = ()
    repaired: tuple[str, ...] = ()

    @property
    def context_layers(self) -> dict[str, LayerSpec]:
        """The context (denominator) layers."""
        return {n: s for n, s in self.layers.items() if not s.is_sites}

    def layer(self, name: str) -> gpd.GeoDataFrame:
        """The data of layer ``name`` (lon/lat)."""
        try:
            return self.data[name]
        except KeyError:
            raise KeyError(_("no layer {name!r}; layers: {layers}")
                           .format(name=name, layers=', '.join(self.layers))) from None

    def sites(self) -> gpd.GeoDataFrame:
        """Every site of every site layer in one frame, with a ``layer`` column and the
        geometry (a copy).
        """
        return super().sites()

    def _sites(self) -> gpd.GeoDataFrame:
        import geopandas as gpd

        got = concat_sites(self.data, self.site_layers, geometry=True)
        if got is None:
            return gpd.GeoDataFrame({"id": [], "layer": []}, geometry=[], crs=LONLAT_CRS)
        return gpd.GeoDataFrame(got, crs=LONLAT_CRS)

    def records(self) -> WorkspaceRecords:
        """The site layers' attributes without geometry: what :func:`read_records` reads
        from the same files.
        """
        data = {n: pd.DataFrame(self.data[n].drop(columns=self.data[n].geometry.name))
                for n in self.site_layers}
        return WorkspaceRecords(root=self.root, config=self.config, register=self.register,
                                layers=self.layers, data=data, history=self.history)

    def with_status_as_of(self, day: dt.date) -> Workspace:
        """The workspace with every site's ``status``/``status_date`` as they were on ``day``.

        From :meth:`status_as_of`; a site not yet started on ``day`` keeps its recorded
        ``status_date``. Used where a status is written out (exports), so that GIS staff
        see the status of the date asked.
        """
        now = self.status_as_of(day)
        data = dict(self.data)
        for name in self.site_layers:
            gdf = data[name]
            if not len(gdf):
                continue
            st = now.layer(name)
            dates = [d or old for d, old in zip(st["status_date"], gdf["status_date"],
                                                strict=True)]
            data[name] = gdf.assign(status=st["status"].to_numpy(), status_date=dates)
        out = attrs.evolve(self, data=data)
        out._status_cache[day] = now  # the same statuses on that day
        return out

    def input_files(self) -> list[Path]:
        """The files the workspace is read from: ``citymap.toml``, the register, every layer
        definition in the folder now and each layer's source, the status log and the photo
        index (what a rebuild on change watches).
        """
        from citymap.attachments import open_attachments

        return [*self.loaded_files(), open_attachments(self.root).index]

    @property
    def is_schematic(self) -> bool:
        """True while any site or context feature is schematic (source 示意)."""
        return any((gdf["source"].astype(str) == SCHEMATIC).any()
                   for gdf in self.data.values() if "source" in gdf.columns and len(gdf))

    @property
    def site_ids(self) -> set[str]:
        """Every site id."""
        return {str(i) for n in self.site_layers for i in self.data[n]["id"]}


def find_workspace(start: str | os.PathLike[str] | None = None) -> Path:
    """The workspace folder: ``start`` if given, else $CITYMAP_WORKSPACE, else the current
    folder or the nearest parent holding ``citymap.toml``.

    Raises
    ------
    WorkspaceError
        If none is found.
    """
    if start is not None:
        return Path(start)
    env = os.environ.get("CITYMAP_WORKSPACE")
    if env:
        return Path(env)
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise WorkspaceError(_("no {config} in {here!r} or its parents; pass --workspace DIR "
                           "(e.g. the citymap repository, which is the shipped Yangxin workspace)")
                         .format(config=CONFIG_FILE, here=str(here)))


def load_workspace(
    root: str | os.PathLike[str] | None = None,
    *,
    repair: bool = False,
    today: dt.date | None = None,
) -> Workspace:
    """Read and validate a whole workspace.

    Parameters
    ----------
    root
        The workspace folder (see :func:`find_workspace` for the default).
    repair
        Repair invalid geometries with ``make_valid`` instead of refusing them (in memory;
        ``citymap validate --repair`` writes them back).
    today
        The latest allowed date of statuses (default: today).

    Returns
    -------
    Workspace

    Raises
    ------
    ValidationError
        Listing every problem found in every file.
    WorkspaceError
        If the folder is not a workspace.

    Examples
    --------
    >>> ws = load_workspace(".")  # doctest: +SKIP
    >>> ws.register.work(16).targets[0].value  # doctest: +SKIP
    24.0
    """
    from citymap.sites import (
        check_layer,
        coerce_columns,
        empty_layer,
        read_layer_file,
        repair_geometries,
    )

    folder = find_workspace(root)
    config = load_config(folder)
    problems: list[Problem] = []
    register: Register | None = None
    try:
        register = load_register(folder / config.register, shown=config.register)
    except ValidationError as exc:
        problems.extend(exc.problems)
    except OSError as exc:  # missing, a folder, unreadable
        what = ((_("is missing: every workspace needs its register of actions, works and "
                   "targets; restore it (e.g. from git) or draft one with `citymap plan import`"))
                if isinstance(exc, FileNotFoundError)
                else _("cannot be read: {error}").format(error=exc.strerror or exc))
        problems.append(Problem(config.register, "", "", what))
    layers = load_layers(folder, problems)
    work_numbers = {w.number for w in register.works} if register else None
    data: dict[str, gpd.GeoDataFrame] = {}
    seen: dict[str, str] = {}
    warnings: list[str] = []
    repaired: list[str] = []
    for name, spec in layers.items():
        if register is not None and spec.action is not None:
            try:
                register.action(spec.action)
            except KeyError:
                problems.append(Problem(spec.path, "", "action", _("unknown action {action!r}")
                                                                 .format(action=spec.action)))
        for num in spec.works:
            if work_numbers is not None and num not in work_numbers:
                problems.append(Problem(spec.path, "", "works", _("unknown work {number!r}")
                                                                .format(number=num)))
        try:
            gdf = read_layer_file(folder / spec.source, shown=spec.source)
        except ValidationError as exc:
            problems.extend(exc.problems)
            continue
        if repair:
            gdf, fixed = repair_geometries(gdf)
            if fixed:
                repaired.append(name)
            warnings.extend((_("{source}: feature {index!r}: geometry repaired with make_valid")
                             .format(source=spec.source, index=i))
                            for i in fixed)
        found = check_layer(gdf, spec, shown=spec.source, bounds=config.bounds,
                            work_numbers=work_numbers, seen_ids=seen, today=today,
                            years=register.plan.years if register else None)
        problems.extend(found)
        if not found:
            data[name] = coerce_columns(gdf if len(gdf) else empty_layer(spec), spec)
    if register is not None:
        _check_targets(register, layers, problems, config.register)
        for w in register.works:
            if w.site_bound and not any(
                    w.number in spec.works for spec in layers.values() if spec.is_sites):
                warnings.append(_("work {number} {name} is site-bound but no layer lists it")
                                .format(number=w.number, name=w.name))
    known = set(seen) | {str(n) for n in work_numbers} if work_numbers is not None else None
    history = read_status_log(folder / config.status_log, shown=config.status_log,
                              known_ids=known, today=today, problems=problems,
                              first_date=register.plan.start if register else None)
    if problems:
        raise ValidationError(problems)
    assert register is not None
    return Workspace(root=folder, config=config, register=register, layers=layers, data=data,
                     history=history, warnings=tuple(warnings), repaired=tuple(repaired))


def read_records(root: str | os.PathLike[str] | None = None, *,
                 today: dt.date | None = None) -> WorkspaceRecords | None:
    """Read what the status on a date needs, without geometry.

    ``citymap.toml`` (its ``measure_crs`` not resolved), the register, the layer
    definitions, the site layers' properties (:func:`citymap.records.read_geojson_records`:
    the same JSON reader and column rules as :func:`load_workspace`, no geometry built) and
    the status log. Nothing is checked beyond what parsing needs: use it only on files
    :func:`load_workspace` accepted unchanged (:func:`citymap.store.stamp.load_records`).

    Returns
    -------
    WorkspaceRecords or None
        ``None`` when a site layer is not GeoJSON (reading it needs GDAL: load it whole).

    Raises
    ------
    ValidationError
        If a file does not parse.
    """
    folder = find_workspace(root)
    config = load_config(folder, check_crs=False)
    register = load_register(folder / config.register, shown=config.register)
    problems: list[Problem] = []
    layers = load_layers(folder, problems)
    if problems:
        raise ValidationError(problems)
    data: dict[str, pd.DataFrame] = {}
    for name, spec in layers.items():
        if not spec.is_sites:
            continue
        if Path(spec.source).suffix.lower() not in GEOJSON_SUFFIXES:
            return None
        data[name] = read_geojson_records(folder / spec.source, spec, shown=spec.source)
    history = read_status_log(folder / config.status_log, shown=config.status_log,
                              today=today, first_date=register.plan.start)
    return WorkspaceRecords(root=folder, config=config, register=register, layers=layers,
                            data=data, history=history)


def _check_targets(register: Register, layers: Mapping[str, LayerSpec],
                   problems: list[Problem], shown: str) -> None:
    for t in register.targets:
        item = _("target {id}").format(id=t.id)
        if t.layer is not None and t.layer not in layers:
            problems.append(Problem(shown, item, "layer", _("unknown layer {layer!r}; add "
                                                            "layers/{layer}.toml or fix the name")
                                                          .format(layer=t.layer)))
        if t.denominator is not None and t.denominator.layer not in layers:
            problems.append(Problem(shown, item, "denominator", _("unknown layer {layer!r}")
                                                                .format(layer=t.denominator.layer)))
