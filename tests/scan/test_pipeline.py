"""The scan pipeline on photographed pages the test makes: a rendered form on a desk, turned, in
perspective, with a shadow. What the officer would notice: the page comes out upright, cropped to the
paper, evenly lit, and as a small A4 PDF titled and in Vietnamese."""

from __future__ import annotations

import io
import shutil

import cv2
import numpy as np
import pytest

from devicekit.scan import pdf, pipeline, sample, sane, source


def _likeness(out: np.ndarray, original: np.ndarray) -> float:
    """Correlation of ink between the scan and the original form (both at the original's size)."""
    a = cv2.resize(out, (original.shape[1], original.shape[0]), interpolation=cv2.INTER_AREA)
    a = cv2.GaussianBlur(255 - a.astype(np.float32), (9, 9), 0).ravel()
    b = cv2.GaussianBlur(255 - original.astype(np.float32), (9, 9), 0).ravel()
    return float(np.corrcoef(a, b)[0, 1])


@pytest.fixture(scope="module")
def form() -> np.ndarray:
    return sample.render_form()


@pytest.mark.parametrize("angle", [-35, -12, 0, 9, 27, 40])
def test_photo_comes_out_upright_and_cropped(form, angle):
    photo, corners = sample.photograph(form, angle=angle, tilt=0.1, shadow=True, seed=abs(angle) + 50)
    quad = pipeline.find_page(photo)
    # the sheet is found where it lies (within 1 % of the photo's width at every corner)
    assert np.abs(quad - pipeline.order_corners(corners)).max() < 0.01 * photo.shape[1]
    page = pipeline.process_photo(photo, mode="bw", dpi=200)
    h, w = page.image.shape
    assert (w, h) == (1654, 2339)  # A4 at 200 dpi, portrait
    # upright: it looks like the form, and not like the form upside down
    same, flipped = _likeness(page.image, form), _likeness(page.image, form[::-1, ::-1])
    assert same > 0.75 and same > flipped + 0.4, (same, flipped)
    # cropped to the paper: no desk left along any edge (a band of 2 % is paper-white)
    band = round(0.02 * w)
    for edge in (page.image[:band], page.image[-band:], page.image[:, :band], page.image[:, -band:]):
        assert edge.mean() > 250
    # the title line holds ink where the form has its title (about 11 % down the page)
    title_rows = page.image[round(0.105 * h):round(0.125 * h), round(0.2 * w):round(0.8 * w)]
    assert (title_rows < 128).mean() > 0.05


def test_shadow_is_evened_out(form):
    photo, _ = sample.photograph(form, angle=5, shadow=True)
    page = pipeline.process_photo(photo, mode="gray", dpi=150)
    g = page.image
    h, w = g.shape
    lit, shaded = g[round(0.9 * h):, :round(0.15 * w)], g[round(0.9 * h):, round(0.85 * w):]
    # blank paper in the shadow (bottom right) is as white as blank paper in the light
    assert abs(float(np.median(lit)) - float(np.median(shaded))) < 12
    assert np.median(shaded) > 235


@pytest.mark.parametrize("angle", [180, 172, -170])
def test_a_sheet_upside_down_comes_out_upright(form, angle):
    photo, _ = sample.photograph(form, angle=angle, seed=5)
    page = pipeline.process_photo(photo, mode="bw", dpi=150)
    same, flipped = _likeness(page.image, form), _likeness(page.image, form[::-1, ::-1])
    assert same > 0.75 and same > flipped + 0.4, (same, flipped)


def test_upside_down_is_not_guessed_on_a_page_without_text():
    blank = np.full((1169, 827), 255, np.uint8)
    cv2.rectangle(blank, (100, 300), (700, 600), 0, 3)
    assert not pipeline.upside_down(blank)


@pytest.mark.parametrize("angle", [96, -84, 135])
def test_a_sheet_lying_sideways_comes_out_portrait_and_upright(form, angle):
    photo, _ = sample.photograph(form, angle=angle, seed=3)
    page = pipeline.process_photo(photo, mode="bw", dpi=150)
    assert page.image.shape[0] > page.image.shape[1]
    assert _likeness(page.image, form) > 0.75


def test_no_paper_under_the_camera_is_said_so():
    desk = np.full((900, 1200, 3), 70, np.uint8)
    with pytest.raises(pipeline.NoPageFound):
        pipeline.process_photo(desk)


def test_skew_left_after_flattening_is_corrected(form):
    tilted = pipeline.rotate(form, 3.0)
    assert abs(pipeline.skew_angle(tilted) + 3.0) < 0.4
    assert abs(pipeline.skew_angle(form)) < 0.3


@pytest.mark.parametrize("mode,dpi", [("bw", 200), ("gray", 150)])
def test_document_pdf_is_small_a4_titled_vietnamese(form, mode, dpi):
    from pypdf import PdfReader

    pages = [pipeline.process_photo(sample.photograph(form, angle=a, seed=abs(a))[0], mode=mode, dpi=dpi)
             for a in (7, -11)]
    data = pdf.pages_to_pdf(pages, title="Tờ khai đăng ký khai sinh")
    assert len(data) / 2 <= 300_000
    r = PdfReader(io.BytesIO(data))
    assert len(r.pages) == 2
    box = r.pages[0].mediabox
    assert abs(float(box.width) / 72 * 25.4 - 210) < 1 and abs(float(box.height) / 72 * 25.4 - 297) < 1
    assert r.metadata.title == "Tờ khai đăng ký khai sinh"
    assert str(r.trailer["/Root"]["/Lang"]) == "vi-VN"
    xmp = r.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "pdfaid" in xmp and "Tờ khai đăng ký khai sinh" in xmp
    assert "/OutputIntents" in r.trailer["/Root"]


def test_empty_document_is_refused():
    with pytest.raises(ValueError):
        pdf.pages_to_pdf([], title="x")


@pytest.mark.skipif(shutil.which("scanimage") is None, reason="sane-utils not installed")
def test_feeder_through_sane_test_backend():
    imgs = sane.scan("test", dpi=100, feeder=True, max_pages=3, extra=["--test-picture", "Grid"])
    assert len(imgs) == 3 and all(i.ndim == 2 and i.shape[0] > 100 for i in imgs)
    # the grid test picture: black and white squares, kept black and white by the cleaner
    page = pipeline.process_scan(imgs[0], mode="bw", dpi=100)
    assert set(np.unique(page.image)) <= {0, 255} and 0.2 < (page.image == 0).mean() < 0.8
    from pypdf import PdfReader

    data = pdf.pages_to_pdf([pipeline.process_scan(i, dpi=100) for i in imgs], title="Bản quét")
    assert len(PdfReader(io.BytesIO(data)).pages) == 3
    # the same through the counter's page source (hardware map entry `docscan`)
    src = source.make_source({"type": "sane", "device": "test", "dpi": 100})
    assert len(src.capture()) == 1


def test_scanner_missing_is_explained(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(sane.ScannerError) as e:
        sane.scan("test")
    assert "sane-utils" in e.value.message_vi


def test_camera_stand_in_replays_photos_in_order(tmp_path):
    sample.document_photos(tmp_path, pages=2)
    cam = source.make_source({"type": "files", "dir": str(tmp_path), "dpi": 100})
    first, second = cam.capture(), cam.capture()
    assert len(first) == len(second) == 1
    assert not np.array_equal(first[0].image, second[0].image)
    with pytest.raises(sane.ScannerError):
        cam.capture()
