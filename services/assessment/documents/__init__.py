"""The assessment service's documents (考核文书): pure renderers from figures to HTML, and HTML to an A4 PDF.

- ``render_newsletter(month_scores)`` 月度信息通报, ``render_quarterly_notice(quarter_scores)`` 季度通报,
  ``render_year_assessment(year_scores)`` 年度考核结果: from a ``ScoreTable``;
- ``render_bulletin(bulletin)``: an issue of a publication from its adopted items;
- ``to_pdf(html, chromium)``: headless Chromium's print (``shared.pdf``), A4 by the page's own CSS.

docs/work-information/documents.md says what each holds and how its sentences are chosen.
"""

from services.assessment.documents.bulletin import render_bulletin
from services.assessment.documents.inputs import Bulletin, BulletinItem, Letterhead, ScoreTable, UnitScore
from services.assessment.documents.scores import render_newsletter, render_quarterly_notice, render_year_assessment
from shared.pdf import html_to_pdf as to_pdf

__all__ = ["Bulletin", "BulletinItem", "Letterhead", "ScoreTable", "UnitScore", "render_bulletin",
           "render_newsletter", "render_quarterly_notice", "render_year_assessment", "to_pdf"]
