"""The certificate as a PDF, drawn with reportlab (see README for why) in WenQuanYi Zen Hei, a
Chinese font that Debian's fonts-wqy-zenhei package installs (scripts/test installs it; nothing is
downloaded at run time). The QR code, drawn by reportlab itself, links to the public H5
verification page.
"""
import io
from pathlib import Path

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT_NAME = "WenQuanYiZenHei"
# TrueType outlines (reportlab embeds TrueType, not the CFF outlines of Noto CJK).
FONT_FILES = (Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),)
TITLE = "志愿服务记录证明"
BODY = ("兹证明 {name}（证件号码：{id}，志愿者编号：{number}）{period}在 i志愿 平台累计记录志愿服务时长 "
        "<b>{total}</b>，共 {count} 条服务记录，明细如下。")
FOOT = ("本证明由 {issuer} 根据平台记录生成。扫描二维码或访问下方链接可核验真伪；"
        "证明所列记录其后如被撤销或更正，核验将显示本证明已失效。")
HEADERS = ("序号", "服务日期", "活动名称", "组织", "时长（小时）")


def _font():
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        path = next((p for p in FONT_FILES if p.exists()), None)
        if path is None:
            raise RuntimeError("certificate font missing: apt-get install fonts-wqy-zenhei")
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
    return FONT_NAME


def _qr(url, size=32 * mm):
    widget = QrCodeWidget(url, barLevel="M")
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(widget)
    return drawing


def render(doc, verify_url):
    """doc: app/services/certificates.py certificate_document(); → PDF bytes."""
    font = _font()
    title = ParagraphStyle("title", fontName=font, fontSize=22, leading=30, alignment=1, spaceAfter=6 * mm)
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=19, wordWrap="CJK", firstLineIndent=22)
    small = ParagraphStyle("small", fontName=font, fontSize=8.5, leading=13, wordWrap="CJK",
                           textColor=colors.HexColor("#555555"))
    cell = ParagraphStyle("cell", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    period = f"于 {doc['period']} 期间" if doc["period_start"] or doc["period_end"] else "自首次服务起至开具之日"
    story = [Paragraph(TITLE, title),
             Paragraph(BODY.format(name=doc["holder_name"], id=doc["id_number_masked"] or "—",
                                   number=doc["volunteer_number"], period=period, total=doc["total_label"],
                                   count=doc["record_count"]), body),
             Spacer(1, 5 * mm)]
    rows = [[Paragraph(h, cell) for h in HEADERS]]
    for n, record in enumerate(doc["records"], 1):
        title_text = record["activity_title"] + (f"（转入自 {record['origin']}）" if record["origin"] else "")
        rows.append([str(n), record["service_day"], Paragraph(title_text, cell), Paragraph(record["org_name"], cell),
                     f"{record['hours']:.1f}"])
    rows.append(["", "", Paragraph("合计", cell), "", f"{doc['total_minutes'] / 60:.1f}"])
    table = Table(rows, colWidths=(12 * mm, 24 * mm, 62 * mm, 52 * mm, 22 * mm), repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2d7d5")), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (-1, 1), (-1, -1), "RIGHT")]))
    story.append(table)
    for section in doc["sections"]:
        story += [Spacer(1, 5 * mm), Paragraph(section["title"], body)]
        story += [Paragraph(line, cell) for line in section.get("lines", [])]
    footer = Table([[_qr(verify_url), [
        Paragraph(f"证明编号：{doc['number']}", cell), Paragraph(f"开具日期：{doc['issued_day']}", cell),
        Paragraph(f"开具平台：{doc['issuer']}", cell), Spacer(1, 2 * mm),
        Paragraph(FOOT.format(issuer=doc["issuer"]), small), Paragraph(verify_url, small)]]],
        colWidths=(38 * mm, 134 * mm))
    footer.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [Spacer(1, 8 * mm), footer]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=f"{TITLE} {doc['number']}", author=doc["issuer"],
                      leftMargin=18 * mm, rightMargin=18 * mm, topMargin=20 * mm, bottomMargin=18 * mm).build(story)
    return out.getvalue()
