"""canvas-qti.zip: a QTI 1.2 package as Canvas imports it (Import Course Content, "QTI
.zip file"), written by hand against the IMS QTI 1.2 ASI spec and the shape Canvas's own
quiz export uses.

imsmanifest.xml names one resource of type imsqti_xmlv1p2, the assessment; the
assessment has a section (a Canvas question group) per variant, each holding that
variant's asked quantities as numerical_question items: the answer accepted exactly or
within [answer − tolerance, answer + tolerance] (varequal, or vargte and varlte),
points_possible the question's points (a variant whose questions differ in points is a
plain section, without the group's selection: a Canvas group has one points value). Canvas numerical questions score every answer
that matches at 100 %, so the mistake values are not listed here (the answer PDF and
answers.json hold them). The zip's entries have a fixed date: the same exam gives the
same bytes.
"""

import io
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal

from ..render.texnames import spelling
from .lmstext import category_name, fields, html_text, label_html, problem_html

__all__ = ["qti_zip", "assessment_xml", "manifest_xml"]

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
IDENT = "symprop_exam"


def _meta(parent, pairs):
    md = ET.SubElement(parent, "qtimetadata")
    for label, entry in pairs:
        f = ET.SubElement(md, "qtimetadatafield")
        ET.SubElement(f, "fieldlabel").text = label
        ET.SubElement(f, "fieldentry").text = entry


def _points(p):
    return format((Decimal(p.p) / Decimal(p.q)).normalize(), "f")


def _item(section, v, f, problem):
    item = ET.SubElement(section, "item", ident=f"v{v.number}_q{f.number}",
                         title=f"Variant {v.number}, question {f.number}: {f.asked.name}")
    _meta(ET.SubElement(item, "itemmetadata"), [("question_type", "numerical_question"),
                                                ("points_possible", _points(f.asked.points))])
    pres = ET.SubElement(item, "presentation")
    ask = (f"{problem}<p>Compute {label_html(f.asked.name)} "
           f"({html_text(f.asked.tolerance.describe())}).</p>")
    ET.SubElement(ET.SubElement(pres, "material"), "mattext", texttype="text/html").text = ask
    resp = ET.SubElement(pres, "response_str", ident="response1", rcardinality="Single")
    ET.SubElement(ET.SubElement(resp, "render_fib", fibtype="Decimal"), "response_label",
                  ident="answer1")
    proc = ET.SubElement(item, "resprocessing")
    ET.SubElement(ET.SubElement(proc, "outcomes"), "decvar", maxvalue="100", minvalue="0",
                  varname="SCORE", vartype="Decimal")
    cond = ET.SubElement(proc, "respcondition", {"continue": "No"})
    either = ET.SubElement(ET.SubElement(cond, "conditionvar"), "or")
    ET.SubElement(either, "varequal", respident="response1").text = f.answer
    answer, tol = Decimal(f.answer), Decimal(f.tolerance)
    both = ET.SubElement(either, "and")
    ET.SubElement(both, "vargte", respident="response1").text = format(answer - tol, "f")
    ET.SubElement(both, "varlte", respident="response1").text = format(answer + tol, "f")
    ET.SubElement(cond, "setvar", action="Set", varname="SCORE").text = "100"


def assessment_xml(vs, category, settings=None):
    """The assessment: one section (question group) per variant."""
    name = category_name(category)
    root = ET.Element("questestinterop", xmlns=QTI_NS)
    a = ET.SubElement(root, "assessment", ident=IDENT, title=name)
    _meta(a, [("cc_maxattempts", "1")])
    top = ET.SubElement(a, "section", ident="root_section")
    for v in vs:
        fs = fields(v, settings, mistakes=False)
        group = ET.SubElement(top, "section", ident=f"variant_{v.number}", title=f"Variant {v.number}")
        if len({f.asked.points for f in fs}) == 1:      # a Canvas group has one points value
            sel = ET.SubElement(ET.SubElement(group, "selection_ordering"), "selection")
            ET.SubElement(sel, "selection_number").text = str(len(fs))
            ext = ET.SubElement(sel, "selection_extension")
            ET.SubElement(ext, "points_per_item").text = _points(fs[0].asked.points)
        with spelling(v.solution):
            problem = problem_html(v.solution)
            for f in fs:
                _item(group, v, f, problem)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def manifest_xml(category):
    root = ET.Element("manifest", identifier=f"{IDENT}_manifest", xmlns=CP_NS)
    md = ET.SubElement(root, "metadata")
    ET.SubElement(md, "schema").text = "IMS Content"
    ET.SubElement(md, "schemaversion").text = "1.1.3"
    ET.SubElement(root, "organizations")
    res = ET.SubElement(ET.SubElement(root, "resources"), "resource", identifier=IDENT,
                        type="imsqti_xmlv1p2")
    ET.SubElement(res, "file", href=f"{IDENT}/{IDENT}.xml")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def qti_zip(vs, category, settings=None):
    """The package's bytes: imsmanifest.xml and the assessment."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("imsmanifest.xml", manifest_xml(category)),
                           (f"{IDENT}/{IDENT}.xml", assessment_xml(vs, category, settings))):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data.encode("utf-8"))
    return buf.getvalue()
