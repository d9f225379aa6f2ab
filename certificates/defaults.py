"""Starting designs offered to a new school, and used by the demo data."""

# Each design fills its page: fixed-height areas top to bottom, the signature and seal area at
# the foot, and long names shrink-wrapped by the width of their box instead of overflowing.

CLASSIC_HTML = """<div class="frame">
  <p class="school">{{ school_name }}</p>
  <h1>{{ certificate_title }}</h1>
  <p class="lead">This certifies that</p>
  <p class="name">{{ participant_name }}</p>
  <p class="lead">{{ if completed }}has successfully completed the course{{ else }}
    has taken part in the course{{ end }}</p>
  <p class="course">{{ course_title }}</p>
  <table class="details"><tr>
    <td>{{ if completed }}<span class="label">Completed</span>{{ completion_date }}{{ end }}</td>
    <td><span class="label">Hours</span>{{ course_hours }}</td>
    <td><span class="label">Final test</span>{{ final_test_score }}</td>
  </tr></table>
  <div class="foot">
    <div class="sign">
      <div class="sig">{{ signature_image }}</div>
      <div class="line">{{ signer_name }}</div>
      <div class="small">{{ signer_title }}</div>
    </div>
    <div class="seal"><span>{{ school_name }}</span></div>
    <div class="meta">
      <div><span class="label">Issued</span>{{ issue_date }}</div>
      <div><span class="label">Number</span>{{ certificate_number }}</div>
    </div>
    <div class="verify">{{ qr_code }}<span class="url">{{ verification_url }}</span></div>
  </div>
</div>
"""

CLASSIC_CSS = """body { font-family: "DejaVu Serif", serif; color: #1f2a44; }
.frame { margin: 9mm; height: 192mm; border: 3mm double #8a6d3b; padding: 10mm 16mm 0;
         box-sizing: border-box; text-align: center; position: relative;
         background: #fffdf7; }
.school { letter-spacing: .3em; text-transform: uppercase; font-size: 11pt; color: #8a6d3b;
          margin: 0 0 4mm; }
h1 { font-size: 34pt; margin: 0 0 7mm; font-weight: normal; }
.lead { font-size: 13pt; margin: 3mm 0; font-style: italic; }
.name { font-size: 28pt; margin: 5mm 0; border-bottom: .4mm solid #8a6d3b; display: inline-block;
        padding: 0 10mm 2mm; max-width: 230mm; }
.course { font-size: 18pt; font-weight: bold; margin: 3mm 0; }
.details { margin: 8mm auto 0; border-collapse: collapse; font-size: 12pt; }
.details td { padding: 0 9mm; min-width: 30mm; }
.foot { position: absolute; left: 14mm; right: 14mm; bottom: 10mm; display: flex;
        justify-content: space-between; align-items: flex-end; font-size: 10pt;
        font-family: "DejaVu Sans", sans-serif; }
.sign { width: 70mm; text-align: center; }
.sig { height: 18mm; display: flex; align-items: flex-end; justify-content: center; }
.signature { max-height: 18mm; max-width: 60mm; }
.line { border-top: .3mm solid #1f2a44; padding-top: 1.5mm; font-weight: bold; }
.small { font-size: 8.5pt; color: #555; }
.seal { width: 34mm; height: 34mm; border-radius: 50%; border: 1.2mm solid #8a6d3b;
        display: flex; align-items: center; justify-content: center; color: #8a6d3b;
        font-size: 7pt; text-transform: uppercase; letter-spacing: .1em; padding: 4mm;
        box-sizing: border-box; overflow: hidden; box-shadow: inset 0 0 0 1.2mm #fffdf7,
        inset 0 0 0 1.6mm #8a6d3b; }
.meta { text-align: left; }
.meta div { margin-top: 2mm; }
.label { display: block; color: #8a6d3b; font-size: 7.5pt; text-transform: uppercase; }
.verify { text-align: right; width: 60mm; }
.qr-code { width: 24mm; height: 24mm; display: block; margin-left: auto; }
.url { font-size: 6.5pt; color: #555; word-break: break-all; }
"""

MODERN_HTML = """<div class="page">
  <aside>
    <p class="school">{{ school_name }}</p>
    <div class="aside-foot">
      <div class="qr">{{ qr_code }}</div>
      <p class="num"><small>No.</small>{{ certificate_number }}</p>
      <p class="num"><small>Issued</small>{{ issue_date }}</p>
    </div>
  </aside>
  <section>
    <p class="kicker">Certificate</p>
    <h1>{{ certificate_title }}</h1>
    <p class="name">{{ participant_name }}</p>
    <p class="text">{{ if completed }}has successfully completed{{ else }}has attended{{ end }}</p>
    <p class="course">{{ course_title }}</p>
    <table class="facts"><tr>
      <td>{{ if completed }}<small>Completed</small>{{ completion_date }}{{ end }}</td>
      <td><small>Hours</small>{{ course_hours }}</td>
      <td><small>Final test</small>{{ final_test_score }}</td>
    </tr><tr>
      <td><small>{{ custom_1_label }}</small>{{ custom_1 }}</td>
      <td><small>{{ custom_2_label }}</small>{{ custom_2 }}</td>
      <td><small>{{ custom_3_label }}</small>{{ custom_3 }}</td>
    </tr></table>
    <div class="sign">
      <div class="sig">{{ signature_image }}</div>
      <p class="signer">{{ signer_name }}</p>
      <p class="role">{{ signer_title }}</p>
    </div>
    <p class="url">Verify: {{ verification_url }}</p>
  </section>
</div>
"""

MODERN_CSS = """body { font-family: "DejaVu Sans", sans-serif; color: #17202a; }
.page { display: flex; height: 210mm; }
aside { width: 62mm; height: 210mm; background: #0d6efd; color: white; padding: 18mm 8mm 14mm;
        box-sizing: border-box; position: relative; }
.school { font-size: 15pt; font-weight: bold; margin: 0; }
.aside-foot { position: absolute; left: 8mm; right: 8mm; bottom: 14mm; }
.qr { background: white; padding: 2mm; width: 34mm; border-radius: 2mm; margin-bottom: 6mm; }
.qr-code { width: 34mm; height: 34mm; display: block; }
.num { font-size: 10pt; margin: 0 0 4mm; }
.num small, .facts small { display: block; font-size: 7.5pt; text-transform: uppercase;
                           letter-spacing: .1em; opacity: .8; }
section { padding: 20mm 18mm 10mm; flex: 1; height: 210mm; box-sizing: border-box;
          position: relative; }
.kicker { text-transform: uppercase; letter-spacing: .4em; color: #0d6efd; font-size: 10pt;
          margin: 0; }
h1 { font-size: 30pt; margin: 2mm 0 12mm; }
.name { font-size: 27pt; font-weight: bold; margin: 0 0 4mm; }
.text { font-size: 13pt; margin: 0; color: #495057; }
.course { font-size: 19pt; font-weight: bold; margin: 2mm 0 12mm; color: #0a58ca; }
.facts { border-collapse: collapse; width: 100%; }
.facts td { width: 33%; vertical-align: top; font-size: 11pt; padding: 0 6mm 4mm 0; }
.facts small { color: #6c757d; opacity: 1; }
.sign { position: absolute; left: 18mm; bottom: 20mm; width: 80mm; }
.sig { height: 16mm; display: flex; align-items: flex-end; }
.signature { max-height: 16mm; max-width: 70mm; }
.signer { border-top: .3mm solid #17202a; padding-top: 1.5mm; margin: 0; font-weight: bold; }
.role { margin: 0; font-size: 9pt; color: #6c757d; }
.url { position: absolute; left: 18mm; bottom: 10mm; font-size: 7.5pt; color: #6c757d;
       margin: 0; }
"""

ELEGANT_HTML = """<div class="page">
  <div class="inner">
    <p class="school">{{ school_name }}</p>
    <div class="rule"></div>
    <h1>{{ certificate_title }}</h1>
    <p class="lead">is awarded to</p>
    <p class="name">{{ participant_name }}</p>
    <p class="lead">{{ if completed }}for successfully completing{{ else }}
      for taking part in{{ end }}</p>
    <p class="course">{{ course_title }}</p>
    <table class="facts">
      {{ if completed }}<tr><th>Completed</th><td>{{ completion_date }}</td></tr>{{ end }}
      <tr><th>Hours</th><td>{{ course_hours }}</td></tr>
      <tr><th>Final test</th><td>{{ final_test_score }}</td></tr>
      <tr><th>{{ custom_1_label }}</th><td>{{ custom_1 }}</td></tr>
      <tr><th>{{ custom_2_label }}</th><td>{{ custom_2 }}</td></tr>
    </table>
    <div class="foot">
      <div class="sign">
        <div class="sig">{{ signature_image }}</div>
        <p class="signer">{{ signer_name }}</p>
        <p class="role">{{ signer_title }}</p>
      </div>
      <div class="verify">
        {{ qr_code }}
        <p>{{ certificate_number }}<br>{{ issue_date }}</p>
      </div>
    </div>
    <p class="url">{{ verification_url }}</p>
  </div>
</div>
"""

ELEGANT_CSS = """body { font-family: "DejaVu Serif", serif; color: #2b2431; }
.page { height: 297mm; padding: 10mm; box-sizing: border-box; background: #f6f1e7; }
.inner { height: 277mm; border: .6mm solid #6b4e71; outline: .3mm solid #6b4e71;
         outline-offset: -3mm; padding: 26mm 18mm 10mm; box-sizing: border-box;
         text-align: center; position: relative; background: white; }
.school { text-transform: uppercase; letter-spacing: .35em; font-size: 11pt; color: #6b4e71;
          margin: 0; }
.rule { width: 40mm; border-top: .6mm solid #c9a96e; margin: 8mm auto; }
h1 { font-size: 32pt; font-weight: normal; margin: 0 0 12mm; }
.lead { font-style: italic; font-size: 14pt; margin: 0 0 5mm; color: #6b4e71; }
.name { font-size: 27pt; margin: 0 0 11mm; padding-bottom: 3mm;
        border-bottom: .3mm solid #c9a96e; }
.course { font-size: 19pt; font-weight: bold; margin: 0 0 11mm; }
.facts { margin: 0 auto; border-collapse: collapse; font-size: 12pt; min-width: 110mm; }
.facts th { text-align: right; font-weight: normal; color: #6b4e71; padding: 1.5mm 5mm;
            font-size: 9pt; text-transform: uppercase; letter-spacing: .1em; width: 45%; }
.facts td { text-align: left; padding: 1.5mm 5mm; }
.foot { position: absolute; left: 18mm; right: 18mm; bottom: 20mm; display: flex;
        justify-content: space-between; align-items: flex-end; text-align: left;
        font-family: "DejaVu Sans", sans-serif; }
.sign { width: 85mm; }
.sig { height: 20mm; display: flex; align-items: flex-end; }
.signature { max-height: 20mm; max-width: 75mm; }
.signer { border-top: .3mm solid #2b2431; padding-top: 1.5mm; margin: 0; font-weight: bold;
          font-size: 11pt; }
.role { margin: 0; font-size: 9pt; color: #6b4e71; }
.verify { text-align: right; font-size: 9pt; }
.verify p { margin: 1mm 0 0; }
.qr-code { width: 28mm; height: 28mm; }
.url { position: absolute; left: 18mm; right: 18mm; bottom: 9mm; margin: 0; font-size: 7pt;
       color: #6b4e71; font-family: "DejaVu Sans", sans-serif; }
"""

# The gallery of the "New template" page, in its order: key -> (name, orientation, html, css).
DESIGNS = {
    "classic": ("Classic", "landscape", CLASSIC_HTML, CLASSIC_CSS),
    "modern": ("Modern", "landscape", MODERN_HTML, MODERN_CSS),
    "elegant": ("Elegant", "portrait", ELEGANT_HTML, ELEGANT_CSS),
}

SAMPLE_VALUES = {
    "participant_name": "Олена Коваленко",
    "course_title": "Python for Data Analysis",
    "certificate_title": "Certificate of Completion",
    "certificate_number": "PY-2026-000123",
    "issue_date": "29 November 2026",
    "expiry_date": "29 November 2027",
    "verification_url": "http://127.0.0.1:8000/verify/SAMPLECODE0000000/",
    "school_name": "Demo School",
    "completed": True,
    "completion_date": "27 November 2026",
    "final_test_score": "92%",
    "course_hours": "36",
    "signer_name": "Iryna Melnyk",
    "signer_title": "Director of Studies",
    "signature_image": "",
    "custom_1_label": "Credits",
    "custom_1": "3 ECTS",
    "custom_2_label": "Format",
    "custom_2": "Online, with a mentor",
}


def sample_values(school_name: str) -> dict:
    """What a preview prints, and what a template is test-drawn with when saved."""
    return {**SAMPLE_VALUES, "school_name": school_name}
