"""Starting designs offered to a new school, and used by the demo data."""

CLASSIC_HTML = """<div class="frame">
  <p class="school">{{ school_name }}</p>
  <h1>{{ certificate_title }}</h1>
  <p class="lead">This certifies that</p>
  <p class="name">{{ participant_name }}</p>
  <p class="lead">has successfully completed the course</p>
  <p class="course">{{ course_title }}</p>
  <div class="footer">
    <div><span class="label">Issued</span>{{ issue_date }}</div>
    <div><span class="label">Number</span>{{ certificate_number }}</div>
    <div class="verify">{{ qr_code }}<span class="url">{{ verification_url }}</span></div>
  </div>
</div>
"""

CLASSIC_CSS = """body { font-family: "DejaVu Serif", serif; color: #1f2a44; }
.frame { margin: 12mm; height: 186mm; border: 3mm double #8a6d3b; padding: 14mm 18mm;
         box-sizing: border-box; text-align: center; position: relative; }
.school { letter-spacing: .3em; text-transform: uppercase; font-size: 11pt; color: #8a6d3b; }
h1 { font-size: 34pt; margin: 6mm 0 4mm; font-weight: normal; }
.lead { font-size: 12pt; margin: 2mm 0; font-style: italic; }
.name { font-size: 28pt; margin: 5mm 0; border-bottom: .4mm solid #8a6d3b; display: inline-block;
        padding: 0 10mm 2mm; }
.course { font-size: 17pt; font-weight: bold; margin: 3mm 0; }
.footer { position: absolute; left: 18mm; right: 18mm; bottom: 12mm; display: flex;
          justify-content: space-between; align-items: flex-end; font-size: 10pt;
          font-family: "DejaVu Sans", sans-serif; }
.label { display: block; color: #8a6d3b; font-size: 8pt; text-transform: uppercase; }
.verify { text-align: right; }
.qr-code { width: 24mm; height: 24mm; display: block; margin-left: auto; }
.url { font-size: 7pt; color: #555; }
"""

MODERN_HTML = """<div class="page">
  <aside>{{ school_name }}</aside>
  <section>
    <p class="kicker">Certificate</p>
    <h1>{{ certificate_title }}</h1>
    <p class="name">{{ participant_name }}</p>
    <p>for completing <strong>{{ course_title }}</strong></p>
    <table class="meta"><tr>
      <td><small>Date</small>{{ issue_date }}</td>
      <td><small>No.</small>{{ certificate_number }}</td>
      <td class="qr">{{ qr_code }}</td>
    </tr></table>
    <p class="url">Verify: {{ verification_url }}</p>
  </section>
</div>
"""

MODERN_CSS = """body { font-family: "DejaVu Sans", sans-serif; color: #17202a; }
.page { display: flex; height: 210mm; }
aside { width: 60mm; background: #0d6efd; color: white; padding: 20mm 8mm; font-size: 14pt;
        font-weight: bold; }
section { padding: 22mm 20mm; flex: 1; }
.kicker { text-transform: uppercase; letter-spacing: .4em; color: #0d6efd; font-size: 10pt; }
h1 { font-size: 30pt; margin: 2mm 0 10mm; }
.name { font-size: 26pt; font-weight: bold; margin: 0 0 4mm; }
.meta { margin-top: 16mm; border-collapse: collapse; }
.meta td { padding-right: 14mm; vertical-align: bottom; font-size: 11pt; }
.meta small { display: block; color: #6c757d; font-size: 8pt; text-transform: uppercase; }
.qr-code { width: 26mm; height: 26mm; }
.url { font-size: 8pt; color: #6c757d; }
"""

SAMPLE_VALUES = {
    "participant_name": "Олена Коваленко",
    "course_title": "Python for Data Analysis",
    "certificate_title": "Certificate of Completion",
    "certificate_number": "PY-2026-000123",
    "issue_date": "29 November 2026",
    "expiry_date": "29 November 2027",
    "verification_url": "http://127.0.0.1:8000/verify/SAMPLECODE0000000/",
    "school_name": "Demo School",
}


def sample_values(school_name: str) -> dict:
    """What a preview prints, and what a template is test-drawn with when saved."""
    return {**SAMPLE_VALUES, "school_name": school_name}
