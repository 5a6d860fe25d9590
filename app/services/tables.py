"""Tables out as files, streamed: CSV in UTF-8 with a BOM (so that Excel opens Chinese correctly)
and xlsx through openpyxl's write-only workbook.

A sheet is (name, headers, rows) where rows is an iterable read once. Neither writer holds the
rows: CSV goes out in chunks as the rows come; openpyxl's write-only mode spools each row to a
temporary file, and the finished workbook is sent from disk in chunks and then deleted. Memory
stays flat at 100 000 rows and beyond.
"""
import csv
import io
import os
import tempfile

from openpyxl import Workbook

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_ROWS = 500
CHUNK_BYTES = 64 * 1024


def csv_chunks(headers, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(headers)
    for n, row in enumerate(rows, 1):
        writer.writerow(row)
        if n % CHUNK_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_chunks(sheets):
    workbook = Workbook(write_only=True)
    for name, headers, rows in sheets:
        sheet = workbook.create_sheet(title=name[:31])
        sheet.append(list(headers))
        for row in rows:
            sheet.append(list(row))
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        workbook.save(path)
        with open(path, "rb") as stream:
            while chunk := stream.read(CHUNK_BYTES):
                yield chunk
    finally:
        os.unlink(path)


def file_of(fmt, sheets):
    """→ (mimetype, extension, chunks): CSV carries the first sheet, xlsx all of them."""
    if fmt == "csv":
        name, headers, rows = sheets[0]
        return CSV_MIMETYPE, "csv", csv_chunks(headers, rows)
    return XLSX_MIMETYPE, "xlsx", xlsx_chunks(sheets)
