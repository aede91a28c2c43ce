"""The trend chart is safe inline SVG: well-formed, labelled, escaped, nothing fetched."""

from decimal import Decimal as D

from defusedxml import ElementTree

from outcomes.charts import trend_svg
from tests import factories

SVG = "{http://www.w3.org/2000/svg}"


def test_chart_is_labelled_svg_with_a_point_per_value(db):
    indicator = factories.IndicatorFactory(code="NI 45", definition="ETE <engagement> & more")
    for year, value in [(2017, "70"), (2018, "72.6"), (2019, "71")]:
        factories.IndicatorValueFactory(indicator=indicator, year=year, value=D(value))
    factories.IndicatorValueFactory(indicator=indicator, kind="target", year=2019, value=D("75.6"))
    factories.IndicatorValueFactory(
        indicator=indicator, kind="comparator", comparator="<b>National</b>", year=2019,
        value=D("73.1"),
    )  # fmt: skip
    markup = trend_svg(indicator=indicator)
    root = ElementTree.fromstring(markup)  # well-formed XML, so also valid inline
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "NI 45: ETE <engagement> & more"
    assert "<engagement>" not in markup and "<b>" not in markup
    assert len(root.findall(f".//{SVG}circle")) == 3 + 1  # actuals + legend marker
    assert "2018/19 72.6%" in root.find(f"{SVG}desc").text
    for forbidden in ("<script", "href", "url(", "<image", "<foreignObject"):
        assert forbidden not in markup


def test_chart_without_results_says_so(db):
    indicator = factories.IndicatorFactory()
    factories.IndicatorValueFactory(indicator=indicator, status="not_available", value=None)
    root = ElementTree.fromstring(trend_svg(indicator=indicator))
    assert root.find(f"{SVG}desc").text == "No results to chart yet."


def test_chart_handles_a_single_negative_value(db):
    indicator = factories.IndicatorFactory(polarity="lower")
    factories.IndicatorValueFactory(indicator=indicator, value=D("-1.10"))
    root = ElementTree.fromstring(trend_svg(indicator=indicator, values=indicator.values.all()))
    assert "-1.1%" in root.find(f"{SVG}desc").text


def test_chart_renders_in_weasyprint_without_fetching_anything(db):
    import weasyprint

    indicator = factories.IndicatorFactory(polarity="lower")
    factories.IndicatorValueFactory(indicator=indicator, year=2018, value=D("-10.1"))
    factories.IndicatorValueFactory(indicator=indicator, year=2019, value=D("-1.1"))
    fetched = []

    def refuse(url, *args, **kwargs):
        fetched.append(url)
        raise ValueError(f"no fetching: {url}")

    html = f"<html><body>{trend_svg(indicator=indicator)}</body></html>"
    pdf = weasyprint.HTML(string=html, url_fetcher=refuse).write_pdf()
    assert pdf.startswith(b"%PDF") and fetched == []


def test_chart_labels_are_drawn_at_a_readable_size_without_overlapping(db):
    indicator = factories.IndicatorFactory()
    for year in range(2005, 2020):
        factories.IndicatorValueFactory(indicator=indicator, year=year, value=D(year - 2000))
    root = ElementTree.fromstring(trend_svg(indicator=indicator))
    assert int(root.get("width")) >= 900
    texts = root.findall(f"{SVG}text")
    assert texts and all(int(t.get("font-size")) >= 16 for t in texts)
    # Period labels along the axis (same y) are far enough apart not to overlap at 16 px.
    axis_y = max(t.get("y") for t in texts if t.get("text-anchor") == "middle")
    xs = sorted(float(t.get("x")) for t in texts if t.get("y") == axis_y)
    assert len(xs) >= 5
    assert min(b - a for a, b in zip(xs, xs[1:], strict=False)) >= 16 * 0.6 * len("19/20")
