#!/usr/bin/python3
# Prints HTML pages to A4 PDF files with headless Chromium, driven through chromedriver by
# Selenium, so that a handout's PDF comes from the very HTML page a browser shows. Usage:
# print-pdf.py PAGE.html OUT.pdf [PAGE.html OUT.pdf ...]. One browser prints every page.
# Chromium's DevTools call Page.printToPDF lays the page out with the style sheet's print
# rules and @page margins, prints backgrounds, and puts "page / pages" centred in the
# bottom margin of every page. Exits non-zero if a page cannot be loaded or printed.

import base64
import pathlib
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

FOOTER = ('<div style="width:100%;margin:0 17mm;font-size:8pt;color:#57606a;'
          'font-family:\'DejaVu Sans\',sans-serif;text-align:center">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')

PRINT_OPTIONS = {
    'printBackground': True,
    'preferCSSPageSize': True,
    'paperWidth': 8.27,
    'paperHeight': 11.69,
    'displayHeaderFooter': True,
    'headerTemplate': '<div></div>',
    'footerTemplate': FOOTER,
}


def start_browser():
    options = webdriver.ChromeOptions()
    options.binary_location = '/usr/bin/chromium'
    for flag in ('--headless=new', '--no-sandbox', '--disable-gpu',
                 '--disable-dev-shm-usage', '--allow-file-access-from-files'):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service('/usr/bin/chromedriver'), options=options)


def main(argv):
    if len(argv) < 2 or len(argv) % 2:
        sys.exit('usage: print-pdf.py PAGE.html OUT.pdf [PAGE.html OUT.pdf ...]')
    driver = start_browser()
    try:
        for page, out in zip(argv[0::2], argv[1::2]):
            driver.get(pathlib.Path(page).resolve().as_uri())
            # Wait until every font the page uses is loaded before printing.
            driver.execute_async_script(
                'const done = arguments[arguments.length - 1];'
                'document.fonts.ready.then(() => done(true));')
            result = driver.execute_cdp_cmd('Page.printToPDF', PRINT_OPTIONS)
            pathlib.Path(out).write_bytes(base64.b64decode(result['data']))
    finally:
        driver.quit()


if __name__ == '__main__':
    main(sys.argv[1:])
