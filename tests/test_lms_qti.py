"""canvas-qti.zip read back with zipfile and ElementTree: the manifest names the
assessment, a question group per variant, numerical items whose accepted range holds
the exact answer and is as wide as the [exam] tolerance (computed here)."""

import io
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal
from fractions import Fraction

import symprop
from helpers import EXAMPLES
from symprop.exam.qti import qti_zip
from symprop.exam.selection import asked
from symprop.exam.variants import draw
from test_exports import expected_tolerance, reference, with_title

Q = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"


def read(data):
    z = zipfile.ZipFile(io.BytesIO(data))
    manifest = ET.fromstring(z.read("imsmanifest.xml"))
    resources = manifest.findall(f"{CP}resources/{CP}resource")
    assert [r.get("type") for r in resources] == ["imsqti_xmlv1p2"]
    href = resources[0].find(f"{CP}file").get("href")
    assert sorted(z.namelist()) == sorted(["imsmanifest.xml", href])
    return ET.fromstring(z.read(href))


def meta(item):
    return {f.find(f"{Q}fieldlabel").text: f.find(f"{Q}fieldentry").text
            for f in item.iter(f"{Q}qtimetadatafield")}


def test_qti_package_reads_back():
    title = "ReLU & <friends>: a/b {#1}"
    vs = draw(with_title("two_layer_relu.toml", title), 4, 3)
    root = read(qti_zip(vs, title))
    assessment = root.find(f"{Q}assessment")
    assert assessment.get("title") == title
    groups = assessment.findall(f"{Q}section/{Q}section")
    assert [g.get("title") for g in groups] == [f"Variant {v.number}" for v in vs]
    for v, g in zip(vs, groups):
        want = asked(v.solution)
        items = g.findall(f"{Q}item")
        assert len(items) == len(want) == int(g.find(f"{Q}selection_ordering/{Q}selection/"
                                                    f"{Q}selection_number").text)
        for a, item in zip(want, items):
            m = meta(item)
            assert m["question_type"] == "numerical_question"
            assert Fraction(m["points_possible"]) == Fraction(int(a.points.p), int(a.points.q))
            text = item.find(f"{Q}presentation/{Q}material/{Q}mattext").text
            assert "ReLU &amp; &lt;friends&gt;" in text and "<table" in text
            cond = item.find(f"{Q}resprocessing/{Q}respcondition/{Q}conditionvar/{Q}or")
            exact = Fraction(Decimal(cond.find(f"{Q}varequal").text))
            lo = Fraction(Decimal(cond.find(f"{Q}and/{Q}vargte").text))
            hi = Fraction(Decimal(cond.find(f"{Q}and/{Q}varlte").text))
            assert exact == reference(a.value)                # rational nets: exact decimals
            tol = expected_tolerance(a.value, 3)
            assert lo == exact - tol and hi == exact + tol
            assert item.find(f"{Q}resprocessing/{Q}respcondition/{Q}setvar").text == "100"


def test_qti_zip_is_reproducible():
    p = symprop.load(EXAMPLES / "two_layer_relu.toml")
    assert qti_zip(draw(p, 2, 5), "t") == qti_zip(draw(p, 2, 5), "t")
