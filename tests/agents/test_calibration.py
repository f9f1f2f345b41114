"""Calibration: isotonic and Platt maps, reliability bins, ECE, storage with a version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wardflow.agents.calibration import (
    Calibration,
    apply_calibration,
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
    assert load_calibration(settings) is None  # no file, no calibration
    fit_platt([(0.5, False), (0.9, True)]).save(settings.calibration_path)
    loaded = load_calibration(settings)
    assert loaded is not None and loaded.method == "platt"
    missing = Settings(home=tmp_path, model="none", calibration_file=tmp_path / "nope.json")
    with pytest.raises(ConfigError, match="cannot read"):
        load_calibration(missing)


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
