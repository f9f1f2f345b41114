"""Calibration: isotonic and Platt maps, reliability bins, ECE, storage with a version."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from tests.conftest import ROOT
from wardflow.agents.calibration import (
    DEFAULT_CALIBRATION,
    Calibration,
    apply_calibration,
    default_calibration,
    expected_calibration_error,
    fit_isotonic,
    fit_platt,
    load_calibration,
    reliability,
)
from wardflow.config import Settings
from wardflow.errors import ConfigError


def test_isotonic_pools_adjacent_violators() -> None:
    pairs = [(0.1, False), (0.2, True), (0.3, False), (0.4, True)]
    fitted = fit_isotonic(pairs, prior=0.0)
    # 0.2 (right) and 0.3 (wrong) violate monotonicity and are pooled at 0.5.
    assert fitted.points == ((0.1, 0.0), (0.2, 0.5), (0.3, 0.5), (0.4, 1.0))
    assert fitted(0.25) == 0.5
    assert fitted(0.35) == 0.75  # linear between knots
    assert fitted(0.0) == 0.0 and fitted(1.0) == 1.0  # flat beyond the ends


def test_isotonic_is_monotone_and_smoothed_by_the_prior() -> None:
    pairs = [(0.95, True)] * 18 + [(0.95, False)] * 2 + [(0.5, True)] * 3 + [(0.6, False)]
    fitted = fit_isotonic(pairs)
    values = [fitted(x / 100) for x in range(101)]
    assert values == sorted(values)
    # 18 of 20 right at 0.95, plus one pseudo-observation at 0.95: (18 + 0.95) / 21.
    assert fitted(0.95) == round((18 + 0.95) / 21, 4)
    assert 0.0 < fitted(0.5) < 1.0


def test_platt_fits_an_increasing_curve() -> None:
    pairs = [(0.9, True)] * 30 + [(0.9, False)] * 3 + [(0.4, False)] * 10 + [(0.4, True)] * 2
    fitted = fit_platt(pairs)
    assert fitted.method == "platt" and fitted.coef[0] > 0
    assert fitted(0.4) < 0.4 < fitted(0.9)
    assert abs(fitted(0.9) - 30 / 33) < 0.08


def test_reliability_bins_and_ece() -> None:
    assert expected_calibration_error([]) is None
    assert expected_calibration_error([(0.9, True)] * 9 + [(0.9, False)]) == 0.0
    assert expected_calibration_error([(0.8, True)] * 10) == 0.2
    # Half at 0.95 all right (gap 0.05), half at 0.55 half right (gap 0.05): 0.05.
    pairs = [(0.95, True)] * 4 + [(0.55, True), (0.55, False)] * 2
    assert expected_calibration_error(pairs) == 0.05
    bins = reliability(pairs)
    assert len(bins) == 10 and sum(b["count"] for b in bins) == 8
    assert bins[9] == {"lo": 0.9, "hi": 1.0, "count": 4, "confidence": 0.95, "accuracy": 1.0}
    assert bins[0]["accuracy"] is None
    assert reliability([(1.0, True)])[9]["count"] == 1  # 1.0 falls in the last bin


def test_saved_with_a_content_version_and_tamper_checked(tmp_path: Path) -> None:
    fitted = fit_isotonic([(0.5, False), (0.9, True), (0.95, True)],
                          fitted_on={"dataset": "x"})
    path = fitted.save(tmp_path / "cal.json")
    loaded = Calibration.load(path)
    assert loaded.version == fitted.version and loaded.version.startswith("isotonic-")
    assert loaded(0.9) == fitted(0.9)
    data = json.loads(path.read_text())
    data["points"][0][1] = 0.99
    path.write_text(json.dumps(data))
    with pytest.raises(ConfigError, match="does not match its content"):
        Calibration.load(path)
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="not JSON"):
        Calibration.load(path)


def test_load_from_settings(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, model="none")
    # No file of the user's: the map shipped in the package.
    assert load_calibration(settings) == default_calibration()
    fit_platt([(0.5, False), (0.9, True)]).save(settings.calibration_path)
    loaded = load_calibration(settings)  # the user's own map wins
    assert loaded is not None and loaded.method == "platt"
    # Switched off: raw scores, whatever file there is.
    assert load_calibration(settings.model_copy(update={"calibration": "off"})) is None
    missing = Settings(home=tmp_path, model="none", calibration_file=tmp_path / "nope.json")
    with pytest.raises(ConfigError, match="cannot read"):
        load_calibration(missing)


def test_calibration_switch_reads_the_environment(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    monkeypatch.setenv("WARDFLOW_CALIBRATION", "off")
    assert Settings(home=tmp_path).calibration == "off"
    monkeypatch.setenv("WARDFLOW_CALIBRATION", "sometimes")
    with pytest.raises(ValidationError):
        Settings(home=tmp_path)


def test_the_shipped_map_is_what_its_file_says_it_is() -> None:
    data = json.loads(DEFAULT_CALIBRATION.read_text())
    shipped = default_calibration()  # Calibration.load checks the version against the content
    assert data["version"] == shipped.version and shipped.method == "isotonic"
    values = [shipped(x / 100) for x in range(101)]
    assert values == sorted(values) and all(0.0 <= v <= 1.0 for v in values)
    # fitted_on names every set with its counts, and the counts add up.
    sets = shipped.fitted_on["sets"]
    assert {s["name"] for s in sets} >= {"data/invoices", "data/invoices-heldout",
                                        "data/invoices-heldout2"}
    assert shipped.fitted_on["documents"] == sum(s["documents"] for s in sets)
    assert shipped.fitted_on["pairs"] == sum(s["pairs"] for s in sets)
    assert shipped.fitted_on["model"] == "none"


def test_the_shipped_map_was_fitted_on_the_sets_as_they_are() -> None:
    """A labelled set that changed since the fit: refit (scripts/refit_calibration.sh)."""
    for fitted in default_calibration().fitted_on["sets"]:
        labels = ROOT / fitted["name"] / "labels.jsonl"
        if not labels.is_file():  # a set outside the repository (../shared)
            continue
        assert fitted["labels_sha256"] == hashlib.sha256(labels.read_bytes()).hexdigest(), (
            f"{fitted['name']} changed since the shipped calibration was fitted")
        assert fitted["documents"] == len(labels.read_text().splitlines())


def test_apply_keeps_raw_scores_and_recomputes_the_document() -> None:
    fitted = Calibration("isotonic", ((0.5, 0.7), (0.95, 0.98)))
    extraction = {
        "confidence": 0.5,
        "fields": {
            "vendor": {"value": "A", "confidence": 0.95, "method": "label"},
            "total": {"value": "1.00", "confidence": 0.5, "method": "label"},
            "iban": {"value": None, "confidence": 0.0, "method": "missing"},
            "invoice_number": {"value": "7", "confidence": 1.0, "method": "reviewer"},
        },
    }
    apply_calibration(extraction, fitted, ("vendor", "total", "invoice_number"), 0.9)
    fields = extraction["fields"]
    assert fields["vendor"] == {"value": "A", "confidence": 0.98, "raw_confidence": 0.95,
                                "method": "label"}
    assert fields["total"]["confidence"] == 0.7 and fields["total"]["raw_confidence"] == 0.5
    assert "raw_confidence" not in fields["iban"]  # nothing read, nothing to calibrate
    assert fields["invoice_number"]["confidence"] == 1.0  # a reviewer's value stays
    assert extraction["confidence"] == 0.7 and extraction["raw_confidence"] == 0.5
    assert extraction["low_confidence"] == ["total"]
    assert extraction["calibration"]["version"] == fitted.version
    # Applying twice maps the raw score again, not the calibrated one.
    apply_calibration(extraction, fitted, ("vendor", "total", "invoice_number"), 0.9)
    assert fields["vendor"]["confidence"] == 0.98


def test_on_a_document_read_by_ocr_fields_stay_under_the_review_threshold() -> None:
    fitted = Calibration("isotonic", ((0.5, 0.3), (0.85, 0.97)))
    fields = {"vendor": {"value": "A", "confidence": 0.85, "method": "label"},
              "total": {"value": "1.00", "confidence": 0.5, "method": "label"}}
    ocr = apply_calibration({"method": "ocr", "fields": fields}, fitted, ("vendor", "total"),
                            0.9)
    # 0.85 would map to 0.97, over the review threshold: an OCR score stays under it.
    assert ocr["fields"]["vendor"]["confidence"] == 0.89 and ocr["confidence"] == 0.3
    assert ocr["fields"]["total"]["confidence"] == 0.3  # lowered as on any document
    text = apply_calibration({"method": "text", "fields": {
        "vendor": {"value": "A", "confidence": 0.85, "method": "label"}}}, fitted, ("vendor",),
        0.9)
    assert text["fields"]["vendor"]["confidence"] == 0.97 and text["confidence"] == 0.97
